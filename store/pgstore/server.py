"""A board on a PostgreSQL server: the `Storage` of store.storage over the tables of store.pgstore.schema.

Reading. A client keeps what it read (the cards, and the whole records once something needs them)
with the generation it read them at, and later reads only the rows a commit wrote since (`generation
> n`, plus the numbers `removed` names): a write costs the same at 100 and at 100,000 rows, and so
does noticing one. An open board LISTENs (`watch`): a commit's NOTIFY wakes it, and `refresh` asks
the server nothing until one came. Everything a read returns is the client's own copy, never changed
in place (a new dict replaces the old), as the file storage's tables are.

Writing. A change (`change()`) takes the board row FOR UPDATE, so changes are one at a time like the
file's lock; it reads the rows it needs, stages its writes, and at its end writes them in one
transaction that checks each row's version again, bumps the generation, moves the key sequences and
NOTIFYs. A killed client's transaction is rolled back by the server: nothing is half-written.

Who. The database login is the author of every change (`login`); the server stamps `committed_by`.
A login without the right to write opens the board read-only.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import Json, set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from ..cards import card_fields
from ..domain import key_number
from ..errors import (
    CommitUncertain,
    Conflict,
    InvalidValue,
    LockTimeout,
    ReadOnly,
    Refused,
    ServerUnreachable,
    StoreError,
    StoreUnreadable,
    Unsupported,
)
from ..i18n import N_, _, library_words
from ..snapshot import Revision, Snapshot
from .schema import CHANNEL, SCHEMA_VERSION, installed_version
from .url import ServerPath, ServerURL, redact

if TYPE_CHECKING:
    from ..filestore.maintenance import FileMaintenance
    from ..outputs import BoardFiles

# psycopg reports to logging (e.g. the pool's "error connecting"); reqboard says what went wrong itself,
# in one line, so without a handler of the application's these never reach stderr as Python's last resort.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

CONNECT_TIMEOUT_S = 5
"""How long opening a connection may take before the server counts as unreachable."""
LOCK_TIMEOUT_S = 10
"""How long a change waits for another client's change to finish (the file's lock waits as long)."""
_COUNTER_FIELDS = ("next_requirement", "next_change_request")
_NOT_META = ("generation", "schema", "journal_size", "format", *_COUNTER_FIELDS)
"""Meta fields that are columns or sequences on a server, not part of the stored meta document."""


@dataclass(frozen=True)
class ServerRevision(Revision):
    """A server board's committed state: its generation."""

    generation: int


def _reason(exc: BaseException) -> str:
    """The server's or libpq's own words for a failure, on one line, without a password."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc) or type(exc).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    line = lines[0] if lines else type(exc).__name__
    if "failed: " in line:  # "connection to server at "h", port 5432 failed: Connection refused"
        line = line.rsplit("failed: ", 1)[1]
    return redact(line.removeprefix("FATAL:").strip())


# libpq's and the server's words for the failures people meet when connecting, in English (libpq
# ships without translations in the binary wheels); each in the current language, names kept.
_SERVER_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Connection refused"), N_("Connection refused")),
    (re.compile(r"No such file or directory"), N_("No such file or directory")),
    (re.compile(r"(?:Connection timed out|(?:connection )?timeout expired)"), N_("the connection timed out")),
    (re.compile(r"Network is unreachable"), N_("the network is unreachable")),
    (re.compile(r"No route to host"), N_("no route to the host")),
    (re.compile(r"failed to resolve host '(?P<name>[^']*)'.*"), N_("cannot resolve the host name {name}")),
    (re.compile(r'could not translate host name "(?P<name>[^"]*)" to address.*'),
     N_("cannot resolve the host name {name}")),
    (re.compile(r'password authentication failed for user "(?P<name>[^"]*)"'),
     N_("password authentication failed for the login {name}")),
    (re.compile(r"(?:fe_sendauth: )?no password supplied"), N_("no password was given")),
    (re.compile(r'database "(?P<name>[^"]*)" does not exist'), N_("the database {name} does not exist")),
    (re.compile(r'role "(?P<name>[^"]*)" does not exist'), N_("the login {name} does not exist")),
    (re.compile(r"server closed the connection unexpectedly"), N_("the server closed the connection unexpectedly")),
)


def server_words(reason: str) -> str:
    """A reason `_reason` gave, in the current language where it is one of the common ones (in
    English, libpq's own words as they always were)."""
    return library_words(reason, _SERVER_WORDS)


class _Cache:
    """Rows of one kind as last read, by key number (str), the generation they were read at, and which
    numbers each of the last reads brought (`changes`: (from, to, numbers); a whole read clears it)."""

    __slots__ = ("rows", "generation", "changes")

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.generation: int | None = None
        self.changes: list[tuple[int, int, frozenset[str]]] = []


class ServerStorage:
    """A board in a PostgreSQL database (see the module docstring); made by `ServerStorage.open`."""

    partial_cards = True
    """The board is drawn from `card_fields`, not the whole records."""

    def __init__(self, url: ServerURL, *, login: str, writable: bool, schema: int, instance: str) -> None:
        self.url = url
        self.instance = instance
        """This database's own id: two URLs of one database (a socket and a host) open the same board."""
        self._login = login
        self._writable = writable
        self._schema = schema
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._pool_lock = threading.Lock()
        self._closed = False
        self._first: psycopg.Connection[Any] | None = None  # the connection `open` made, lent out first
        self._first_lent = False
        self._lock = threading.RLock()  # the caches
        self._cards = _Cache()
        self._records = _Cache()
        self._read_generation: int | None = None
        self._notified = -1
        self._listener: _Listener | None = None
        self._problem: str | None = None
        _OPEN.add(self)

    @classmethod
    def open(cls, location: str) -> ServerStorage:
        """Connect to the board at `location` and see what it is; raises Unsupported (a bad URL, no
        psycopg), ServerUnreachable (exit 4, naming host and port), StoreUnreadable (no board there)."""
        url = ServerURL.parse(location)
        try:
            conn = psycopg.connect(url.conninfo(), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                   application_name="reqboard")
        except psycopg.Error as exc:
            raise unreachable(url, exc) from None
        kept = False
        try:
            version = installed_version(conn)
            if version is None:
                raise StoreUnreadable(_("{url} holds no reqboard board: make one with `reqboard server init {url}`"
                                        ).format(url=url.shown))
            row = conn.execute(
                "SELECT current_user::text, has_table_privilege('reqboard.board', 'UPDATE')"
                " AND has_table_privilege('reqboard.requirements', 'INSERT'), instance || '/' || current_database()"
                " FROM reqboard.board WHERE id = 1").fetchone()
            if row is None:
                raise StoreUnreadable(_("{url}: the board's row is missing; `reqboard server init` makes it again"
                                        ).format(url=url.shown))
            conn.autocommit = False
            _configure(conn)
            storage = cls(url, login=str(row[0]), writable=bool(row[1]), schema=version, instance=str(row[2]))
            storage.keep(conn)
            kept = True
            return storage
        except pg_errors.InsufficientPrivilege as exc:
            raise StoreUnreadable(_("{url}: this login may not read the board ({reason}); ask the board's owner for "
                                    "access (README: A team server)").format(url=url.shown, reason=server_words(_reason(exc)))
                                  ) from None
        except psycopg.Error as exc:
            raise translated(url, exc) from None
        finally:
            if not kept:
                conn.close()

    # ---------------------------------------------------------------- connections
    def _connections(self) -> ConnectionPool[psycopg.Connection[Any]]:
        with self._pool_lock:
            if self._closed:
                raise ServerUnreachable(_("{url}: the board was closed; open it again").format(url=self.url.shown))
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.url.conninfo(), min_size=1, max_size=4, open=True, timeout=CONNECT_TIMEOUT_S,
                    kwargs={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "reqboard"},
                    configure=_configure, name="reqboard", reconnect_timeout=3600,
                    # A connection a server restart broke is found out before use, not by the change.
                    check=ConnectionPool.check_connection)
                # A storage nobody closed lets its connections go when it is freed: from a thread of its
                # own, as the collector may free it in one of the pool's workers, which cannot join itself.
                weakref.finalize(self, _close_later, self._pool)
            return self._pool

    def keep(self, conn: psycopg.Connection[Any]) -> None:
        """Keep the connection `open` made (a command or a board used from one thread at a time needs
        no other; the pool is made when a second one is needed at once, or this one broke)."""
        self._first = conn
        weakref.finalize(self, conn.close)

    @contextmanager
    def _borrowed(self) -> Iterator[psycopg.Connection[Any]]:
        """The kept connection when it is free and sound, else one from the pool; committed when the
        block ends normally, rolled back when it raises (as the pool does)."""
        conn = self._lend_first()
        if conn is None:
            with self._connections().connection(timeout=CONNECT_TIMEOUT_S) as pooled:
                yield pooled
            return
        ended = False
        try:
            yield conn
            conn.commit()
            ended = True
        finally:
            if not ended:
                with contextlib.suppress(psycopg.Error):
                    conn.rollback()
            self._give_back(conn)

    def _lend_first(self) -> psycopg.Connection[Any] | None:
        with self._pool_lock:
            if self._closed:
                raise ServerUnreachable(_("{url}: the board was closed; open it again").format(url=self.url.shown))
            conn = self._first
            if conn is None or self._first_lent:
                return None
            self._first_lent = True
        try:
            ConnectionPool.check_connection(conn)  # one a server restart broke is let go, not failed on
        except psycopg.Error:
            self._give_back(conn, broken=True)
            return None
        return conn

    def _give_back(self, conn: psycopg.Connection[Any], *, broken: bool = False) -> None:
        status = conn.info.transaction_status
        if broken or conn.closed or status != psycopg.pq.TransactionStatus.IDLE:
            with contextlib.suppress(psycopg.Error):
                conn.close()
            with self._pool_lock:
                self._first, self._first_lent = None, False
            return
        with self._pool_lock:
            self._first_lent = False

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection (see `_borrowed`), its failures turned into the store's errors."""
        try:
            with self._borrowed() as conn:
                yield conn
        except StoreError:
            raise
        except PoolTimeout:
            self._problem = _("cannot reach the server at {server}").format(server=self.url.endpoint)
            raise ServerUnreachable(_("{url}: cannot reach the server at {server} (no connection within {seconds} s); "
                                      "nothing was saved").format(url=self.url.shown, server=self.url.endpoint,
                                                                  seconds=CONNECT_TIMEOUT_S)) from None
        except psycopg.Error as exc:
            failure = translated(self.url, exc)
            if isinstance(failure, ServerUnreachable):
                self._problem = str(failure)
            raise failure from None
        else:
            self._problem = None

    @contextmanager
    def _reading(self) -> Iterator[psycopg.Connection[Any]]:
        """A read-only transaction seeing one committed state throughout."""
        with self._connection() as conn:
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield conn

    def close(self) -> None:
        """Stop listening and close every connection."""
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        with self._pool_lock:
            pool, self._pool, self._closed = self._pool, None, True
            first, self._first = self._first, None
        if first is not None:
            with contextlib.suppress(psycopg.Error):
                first.close()
        if pool is not None:
            pool.close()
        _OPEN.discard(self)

    # ---------------------------------------------------------------- what the board is
    @property
    def location(self) -> str:
        """The URL without its password."""
        return self.url.shown

    @property
    def path(self) -> ServerPath:
        """The URL where a path is expected (see store.pgstore.url.ServerPath)."""
        return ServerPath(self.url)

    @property
    def login(self) -> str:
        """The database login every change is made by."""
        return self._login

    @property
    def read_only_reason(self) -> str | None:
        """Why this board cannot be changed (a newer schema, a login that may only read), or None."""
        if self._schema > SCHEMA_VERSION:
            return _("{url} was set up by a newer reqboard (schema {schema}, this one knows up to {known}): it is "
                     "open read-only; upgrade reqboard to change it").format(url=self.url.shown, schema=self._schema,
                                                                             known=SCHEMA_VERSION)
        if not self._writable:
            return _("{login} may only read {url}: it is open read-only; ask the board's owner for write access "
                     "(README: A team server)").format(login=self._login, url=self.url.shown)
        return None

    @property
    def connection_problem(self) -> str | None:
        """Why the server cannot be reached now, or None (see `watch`, which reconnects)."""
        if self._listener is not None and self._listener.problem:
            return self._listener.problem
        return self._problem

    def files(self) -> BoardFiles | None:
        """A server board has no files an export could be written onto."""
        return None

    def maintenance(self) -> FileMaintenance:
        """Check, repair, restore and backups are for board files."""
        raise Unsupported(
            _("{url} is kept by PostgreSQL, not in a file: check, repair, restore and backups are for board files "
              "(back a server board up with pg_dump, or `reqboard migrate` it into a file)").format(url=self.url.shown))

    # ---------------------------------------------------------------- reading
    @property
    def revision(self) -> ServerRevision:
        """The committed generation now (one small query)."""
        with self._connection() as conn:
            return ServerRevision(_generation(conn))

    @property
    def generation(self) -> int:
        """How many changes were committed: as of the last read while the board is watched (so that
        it matches the cards read), else asked now."""
        if self._listener is not None and self._read_generation is not None:
            return self._read_generation
        with self._connection() as conn:
            return _generation(conn)

    @property
    def settings(self) -> Mapping[str, Any]:
        """The board's settings as committed."""
        with self._connection() as conn:
            row = conn.execute("SELECT meta->'settings' FROM reqboard.board WHERE id = 1").fetchone()
        settings = row[0] if row else None
        return settings if isinstance(settings, dict) else {}

    def refresh(self) -> bool:
        """Read what another client committed since the last read; True when there was something.
        While the board is watched this asks the server nothing until a commit was announced."""
        known = self._read_generation
        if self._listener is not None and known is not None and self._notified <= known:
            return False
        with self._reading() as conn, self._lock:
            generation = _generation(conn)
            if known is not None and generation == known:
                return False
            generation = self._pull(conn, self._cards, "card", generation)
            if self._records.generation is not None:
                self._pull(conn, self._records, "record", generation)
            self._note_read(generation)
        return known is not None

    def _note_read(self, generation: int) -> None:
        """The board was read at `generation`. The watcher is told at once of a commit announced past it
        meanwhile, and of a read that went past the last one (another screen's read may have brought a
        commit whose announcement then finds nothing new: the board must still draw it)."""
        advanced = self._read_generation is not None and generation > self._read_generation
        self._read_generation = generation
        listener = self._listener
        if listener is not None and (self._notified > generation or advanced):
            listener.tell()

    def _pull(self, conn: psycopg.Connection[Any], cache: _Cache, column: str, generation: int) -> int:
        """Bring `cache` to `generation` reading only the rows written since it was read; returns the
        generation the cache is at (a newer one, when another thread read past `generation` meanwhile)."""
        with self._lock:
            since = cache.generation
            if since is not None and since >= generation:
                return since
            if since is None:
                rows = conn.execute(f"SELECT number, {column} FROM reqboard.requirements").fetchall()
                cache.rows = {str(number): record for number, record in rows}
                cache.changes = []
            else:
                fresh = dict(cache.rows)
                numbers: set[str] = set()
                for (number,) in conn.execute("SELECT number FROM reqboard.removed WHERE generation > %s",
                                              (since,)):
                    fresh.pop(str(number), None)
                    numbers.add(str(number))
                for number, record in conn.execute(
                        f"SELECT number, {column} FROM reqboard.requirements WHERE generation > %s", (since,)):
                    fresh[str(number)] = record
                    numbers.add(str(number))
                cache.rows = fresh
                cache.changes = [*cache.changes[-31:], (since, generation, frozenset(numbers))]
            cache.generation = generation
            return generation

    def _read_to(self, cache: _Cache, column: str) -> tuple[dict[str, dict[str, Any]], ServerRevision]:
        with self._reading() as conn, self._lock:
            generation = self._pull(conn, cache, column, _generation(conn))
            if self._read_generation is None or cache is self._cards:
                self._note_read(generation)
            return cache.rows, ServerRevision(generation)

    def first_cards(self, states: list[str], per_state: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """What the board's first frame needs: the first `per_state` cards of each of `states` in the
        order a column shows them (priority, then key), and how many requirements each state holds,
        read by the column index in milliseconds at any size (the whole board is read after)."""
        with self._reading() as conn:
            counts = {str(state): int(n) for state, n in conn.execute(
                "SELECT state, count(*) FROM reqboard.requirements GROUP BY state")}
            rows = conn.execute(
                "SELECT c.card FROM unnest(%s::text[]) AS s(state) CROSS JOIN LATERAL"
                " (SELECT card FROM reqboard.requirements r WHERE r.state = s.state"
                "  ORDER BY r.priority DESC, r.number LIMIT %s) AS c", (states, per_state)).fetchall()
        return [row[0] for row in rows], counts

    def card_changes(self, since: Revision) -> set[str] | None:
        """The key numbers whose card the reads since revision `since` brought again (changed, new or
        gone), or None when they are not all remembered."""
        if not isinstance(since, ServerRevision):
            return None
        with self._lock:
            at, numbers = since.generation, set[str]()
            for start, end, pulled in self._cards.changes:
                if end <= at:
                    continue
                if start != at:
                    return None
                numbers |= pulled
                at = end
            return numbers if at == self._cards.generation else None

    def card_records(self) -> tuple[Mapping[str, Any], Revision | None]:
        """What the cards show of every requirement (see `card_fields`), by key number."""
        return self._read_to(self._cards, "card")

    def requirement_records(self) -> tuple[Mapping[str, Any], Revision | None]:
        """Every whole requirement record, by key number."""
        return self._read_to(self._records, "record")

    def requirement_record(self, number: int) -> Mapping[str, Any] | None:
        """The stored record of requirement `number`, read now, or None."""
        with self._connection() as conn:
            row = conn.execute("SELECT record FROM reqboard.requirements WHERE number = %s", (number,)).fetchone()
        return row[0] if row else None

    def customer_records(self) -> Mapping[str, Any]:
        """Every customer record, by casefolded name."""
        with self._connection() as conn:
            return dict(conn.execute("SELECT name_key, record FROM reqboard.customers").fetchall())

    def snapshot(self) -> Snapshot:
        """The whole board as committed now."""
        with self._reading() as conn:
            return self._snapshot(conn)

    def staged_snapshot(self, conn: psycopg.Connection[Any],
                        staged: _Staged) -> tuple[Snapshot, dict[str, dict[str, Any]]]:
        """A change's view (on its connection, under its lock): the committed board with `staged` over
        it, and the committed records by key number."""
        snapshot = self._snapshot(conn, staged)
        return snapshot, self._records.rows

    def _snapshot(self, conn: psycopg.Connection[Any], staged: _Staged | None = None) -> Snapshot:
        row = conn.execute(
            "SELECT b.generation, b.meta, r.last_value, r.is_called, c.last_value, c.is_called"
            " FROM reqboard.board b, reqboard.requirement_numbers r, reqboard.change_request_numbers c"
            " WHERE b.id = 1").fetchone()
        assert row is not None
        meta = _meta_of(row)
        with self._lock:
            if self._pull(conn, self._records, "record", meta["generation"]) == meta["generation"]:
                requirements: dict[str, Any] = self._records.rows
            else:  # another thread read past this transaction's state: read that state for this one
                requirements = dict(conn.execute("SELECT number::text, record FROM reqboard.requirements"))
        customers = dict(conn.execute("SELECT name_key, record FROM reqboard.customers").fetchall())
        if staged is not None:
            meta = staged.meta
            if staged.requirements:
                requirements = dict(requirements)
                for number, record in staged.requirements.items():
                    if record is None:
                        requirements.pop(str(number), None)
                    else:
                        requirements[str(number)] = record
            for name, record in staged.customers.items():
                if record is None:
                    customers.pop(name, None)
                else:
                    customers[name] = record
        revision = ServerRevision(staged.generation if staged is not None else meta["generation"])
        return Snapshot.of({"requirements": requirements, "customers": customers}, meta, revision)

    # ---------------------------------------------------------------- history
    def history(self, key: str | None = None, *, uid: str | None = None,
                field: str | None = None) -> Iterator[dict[str, Any]]:
        """The committed events, oldest first: all, those under one key, or those of one uid; with
        `field`, only those that changed that field."""
        if uid is None and key is None:
            return self._stream(0, field)
        # All rows at once for one requirement.
        column, value = ("uid", uid) if uid is not None else ("key", key)
        query = f"SELECT event, generation FROM reqboard.events WHERE {column} = %s{_FIELD if field is not None else ''} ORDER BY seq"
        with self._connection() as conn:
            rows = conn.execute(query, (value, field) if field is not None else (value,)).fetchall()
        return (_event(event, generation) for event, generation in rows)

    def _stream(self, after: int, field: str | None = None) -> Iterator[dict[str, Any]]:
        # The whole history (with `field`, its changes of that field) through a server-side cursor.
        query = f"SELECT event, generation FROM reqboard.events WHERE seq > %s{_FIELD if field is not None else ''} ORDER BY seq"
        with self._reading() as conn, conn.cursor(name="reqboard_history") as cursor:
            cursor.itersize = 5000
            cursor.execute(query, (after, field) if field is not None else (after,))
            for event, generation in cursor:
                yield _event(event, generation)

    def history_mark(self) -> dict[str, Any]:
        """Where the committed history ends now: the last event's sequence number and id."""
        with self._connection() as conn:
            row = conn.execute("SELECT seq, event->>'id' FROM reqboard.events ORDER BY seq DESC LIMIT 1").fetchone()
        return {"seq": row[0], "id": row[1]} if row else {"seq": 0, "id": None}

    def history_since(self, mark: Any, skip_generation: int | None = None) -> Iterator[dict[str, Any]] | None:
        """The committed events after `mark` (less those of `skip_generation` right after it), or None
        when the mark names no event of this history (it is another board's, or another store's)."""
        if not isinstance(mark, dict) or type(mark.get("seq")) is not int or mark["seq"] < 0:
            return None
        seq = mark["seq"]
        with self._connection() as conn:
            if seq:
                row = conn.execute("SELECT event->>'id' FROM reqboard.events WHERE seq = %s", (seq,)).fetchone()
                if row is None or row[0] != mark.get("id"):
                    return None
            first = conn.execute("SELECT generation FROM reqboard.events WHERE seq > %s ORDER BY seq LIMIT 1",
                                 (seq,)).fetchone()
        if first is not None and skip_generation is not None and first[0] != skip_generation:
            return None
        events = self._stream(seq)
        if skip_generation is None:
            return events
        return _skipping(events, skip_generation)

    # ---------------------------------------------------------------- live updates
    def watch(self, changed: Callable[[], None]) -> bool:
        """LISTEN for commits on a connection of its own; `changed` is called from its thread on each,
        and when the connection is lost or back (it reconnects every second meanwhile)."""
        if self._listener is None:
            self._listener = _Listener(self, changed)
            self._listener.start()
        return True

    def announced(self, generation: int, *, reconnected: bool = False) -> int | None:
        """Note a commit the listener heard of (or, `reconnected`, the generation it found on connecting
        again: the server answers, so a problem noted before is over); returns the generation last read
        (None: none yet)."""
        self._notified = max(self._notified, generation)
        if reconnected:
            self._problem = None
        return self._read_generation

    # ---------------------------------------------------------------- writing
    @contextmanager
    def change(self) -> Iterator[ServerChange]:
        """Lock the board (its row, FOR UPDATE), read what the change needs, commit it whole at the
        end of the block. Raises ReadOnly (a newer schema), Refused (a login that may only read),
        LockTimeout, ServerUnreachable (nothing was saved), CommitUncertain (the connection was lost
        during the COMMIT: saved or not, nobody can tell here) and what the block raises."""
        if self._schema > SCHEMA_VERSION:
            raise ReadOnly(self.read_only_reason or "")
        if not self._writable:
            raise Refused(self.read_only_reason or "", "server.read_only")
        committing = False
        try:
            with self._connection() as conn, conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
                conn.execute("SELECT 1 FROM reqboard.board WHERE id = 1 FOR UPDATE")
                row = conn.execute(
                    "SELECT b.generation, b.meta, r.last_value, r.is_called, c.last_value, c.is_called,"
                    " b.schema_version"
                    " FROM reqboard.board b, reqboard.requirement_numbers r, reqboard.change_request_numbers c"
                    " WHERE b.id = 1").fetchone()
                if row is None:
                    raise StoreUnreadable(_("{url}: the board's row is missing").format(url=self.url.shown))
                if row[6] > SCHEMA_VERSION:
                    self._schema = row[6]
                    raise ReadOnly(self.read_only_reason or "")
                change = ServerChange(self, conn, _meta_of(row))
                yield change
                if not change.discarded:
                    change.commit()
                committing = True  # what fails from here is the COMMIT itself
        except ServerUnreachable as exc:
            if not committing:
                raise
            raise CommitUncertain(
                _("{url}: the connection to the server was lost while it was committing this change: it may or may "
                  "not be saved; read the board again before making it again").format(url=self.url.shown)) from exc


def _generation(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT generation FROM reqboard.board WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def _meta_of(row: Any) -> dict[str, Any]:
    """The meta record as the store reads it, from the board row and the key sequences."""
    meta = dict(row[1]) if isinstance(row[1], dict) else {}
    meta["generation"] = int(row[0])
    meta["next_requirement"] = int(row[2]) + 1 if row[3] else int(row[2])
    meta["next_change_request"] = int(row[4]) + 1 if row[5] else int(row[4])
    return meta


_FIELD = " AND event->>'field' = %s"
"""The condition that keeps the events changing one field."""


def _event(event: dict[str, Any], generation: int) -> dict[str, Any]:
    event["generation"] = generation
    return event


def _skipping(events: Iterator[dict[str, Any]], generation: int) -> Iterator[dict[str, Any]]:
    skipping = True
    for event in events:
        if skipping and event.get("generation") == generation:
            continue
        skipping = False
        yield event


def _configure(conn: psycopg.Connection[Any]) -> None:
    set_json_loads(orjson.loads, conn)


def _json(value: Any) -> Json:
    return Json(value, dumps=orjson.dumps)


def unreachable(url: ServerURL, exc: BaseException) -> StoreError:
    """The error of a connection that could not be opened: exit 4, naming where, never a password."""
    english = _reason(exc)
    reason = server_words(english)
    if "does not exist" in english and "database" in english:
        return ServerUnreachable(_("{url}: {reason}; create it (createdb {database}) and run "
                                   "`reqboard server init {url}`").format(url=url.shown, reason=reason,
                                                                          database=url.database))
    return ServerUnreachable(_("cannot reach the board server at {server}: {reason}").format(
        server=url.endpoint, reason=reason))


def _connection_lost(exc: BaseException) -> bool:
    """Did `exc` end the connection (the client's own failure, no SQLSTATE; a connection exception, class
    08; the server shutting down, 57P01-57P03), rather than the server answering with an error?"""
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")


def translated(url: ServerURL, exc: BaseException) -> StoreError:
    """A psycopg failure as the store's error (one line, no password)."""
    reason = server_words(_reason(exc))
    if isinstance(exc, pg_errors.InsufficientPrivilege | pg_errors.ReadOnlySqlTransaction):
        return Refused(_("{url}: the server refused the change ({reason}): this login may only read the board"
                         ).format(url=url.shown, reason=reason), "server.read_only")
    if isinstance(exc, pg_errors.LockNotAvailable):
        return LockTimeout(_("{url}: another client kept the board locked for {seconds} s; nothing was written: "
                             "try again").format(url=url.shown, seconds=LOCK_TIMEOUT_S))
    if isinstance(exc, pg_errors.UniqueViolation):
        return Refused(_("{url}: {reason}; nothing was written").format(url=url.shown, reason=reason), "key.taken")
    if isinstance(exc, pg_errors.UntranslatableCharacter | pg_errors.CharacterNotInRepertoire):
        return InvalidValue(_("{url}: the server cannot store a character of this text ({reason})").format(
            url=url.shown, reason=reason))
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError) and _connection_lost(exc):
        return ServerUnreachable(_("{url}: lost the connection to the server at {server} ({reason}); nothing of the "
                                   "change in hand was saved").format(url=url.shown, server=url.endpoint,
                                                                      reason=reason))
    return StoreUnreadable(_("{url}: the server refused ({reason})").format(url=url.shown, reason=reason))


@dataclass
class _Staged:
    generation: int
    meta: dict[str, Any]
    requirements: dict[int, dict[str, Any] | None]
    customers: dict[str, dict[str, Any] | None]
    """Staged customers by casefolded name; None: removed (a rename)."""


class ServerChange:
    """The change set of one `ServerStorage.change()` (see store.storage.Change)."""

    def __init__(self, storage: ServerStorage, conn: psycopg.Connection[Any], meta: dict[str, Any]) -> None:
        self.storage = storage
        self._conn = conn
        self.revision: Revision = ServerRevision(int(meta["generation"]))
        """The revision the change was read at."""
        self._read_meta = dict(meta)
        self._staged = _Staged(int(meta["generation"]), meta, {}, {})
        self._stored: dict[int, dict[str, Any] | None] = {}  # rows read, as stored
        self._committed: dict[str, dict[str, Any]] | None = None  # all of them, once a snapshot was read
        self._customers_read: dict[str, dict[str, Any] | None] = {}
        self._events: list[dict[str, Any]] = []
        self._meta_changed = False
        self.discarded = False

    # ---------------------------------------------------------------- reading
    def snapshot(self) -> Snapshot:
        """The staged state: as committed when the change began, with its own writes."""
        snapshot, self._committed = self.storage.staged_snapshot(self._conn, self._staged)
        # Every committed record is now at hand: an import or a migrate then reads none of them again.
        return snapshot

    def _stored_record(self, number: int) -> dict[str, Any] | None:
        if number not in self._stored and self._committed is not None:
            self._stored[number] = self._committed.get(str(number))
        if number not in self._stored:
            row = self._conn.execute("SELECT record FROM reqboard.requirements WHERE number = %s",
                                     (number,)).fetchone()
            self._stored[number] = row[0] if row else None
        return self._stored[number]

    def requirement_record(self, number: int) -> dict[str, Any] | None:
        """The staged record of requirement `number`, or None."""
        if number in self._staged.requirements:
            return self._staged.requirements[number]
        return self._stored_record(number)

    def customer_record(self, name: str) -> dict[str, Any] | None:
        """The staged customer of this name (any case), or None."""
        name_key = name.strip().casefold()
        if name_key in self._staged.customers:
            return self._staged.customers[name_key]
        if name_key not in self._customers_read:
            row = self._conn.execute("SELECT record FROM reqboard.customers WHERE name_key = %s",
                                     (name_key,)).fetchone()
            self._customers_read[name_key] = row[0] if row else None
        return self._customers_read[name_key]

    def meta(self) -> dict[str, Any]:
        """The staged meta record (counters, settings)."""
        return self._staged.meta

    # ---------------------------------------------------------------- staging
    def put_requirement(self, number: int, document: dict[str, Any], *, expected_version: int | None) -> None:
        """Stage a record: new (Refused when the key is taken) or the next of `expected_version`
        (Conflict when the stored one is another)."""
        current = self.requirement_record(number)
        if expected_version is None:
            if current is not None:
                raise Refused(_("{key} exists already on {board}").format(key=f"REQ-{number}",
                                                                         board=self.storage.location), "key.taken")
        else:
            found = current.get("version") if current is not None else None
            if found != expected_version:
                raise Conflict(
                    _("{key} is at version {found}, not {expected}; re-read it and retry").format(
                        key=f"REQ-{number}", found=found, expected=expected_version),
                    key=f"REQ-{number}", expected=expected_version, actual=found if isinstance(found, int) else 0,
                    by=str(current.get("updated_by", "")) if current is not None else "",
                    at=str(current.get("updated_at", "")) if current is not None else "")
        self._stored_record(number)  # the version the commit checks the row against
        self._staged.requirements[number] = document

    def remove_requirement(self, number: int, *, expected_version: int) -> None:
        """Stage requirement `number` removed (a sync moves it to another key)."""
        current = self.requirement_record(number)
        found = current.get("version") if current is not None else None
        if found != expected_version:
            raise Conflict(_("{key} is at version {found}, not {expected}; re-read it and retry").format(
                               key=f"REQ-{number}", found=found, expected=expected_version),
                           key=f"REQ-{number}", expected=expected_version,
                           actual=found if isinstance(found, int) else 0, by="", at="")
        self._stored_record(number)
        self._staged.requirements[number] = None

    def put_customer(self, document: dict[str, Any]) -> None:
        """Stage a customer, replacing the one of the same name (any case)."""
        self._staged.customers[str(document["name"]).strip().casefold()] = document

    def remove_customer(self, name: str) -> None:
        """Stage the customer of this name (any case) removed (a rename)."""
        if self.customer_record(name) is not None:
            self._staged.customers[name.strip().casefold()] = None

    def set_meta(self, **values: Any) -> None:
        """Stage new counters or settings."""
        self._staged.meta = {**self._staged.meta, **values}
        self._meta_changed = True

    def record(self, event: dict[str, Any]) -> None:
        """Stage a history event."""
        self._events.append(event)

    def discard(self) -> None:
        """Commit nothing at the end of the change."""
        self.discarded = True

    # ---------------------------------------------------------------- the commit
    def commit(self) -> None:
        """Write everything staged (in the change's transaction, which commits after this)."""
        staged = self._staged
        if not (staged.requirements or staged.customers or self._events or self._meta_changed):
            return
        conn = self._conn
        generation = staged.generation + 1
        deletes: list[tuple[int, int]] = []
        updates: list[tuple[int, dict[str, Any], int]] = []
        inserts: list[tuple[int, dict[str, Any]]] = []
        removed: list[tuple[int, str, int]] = []
        for number, document in staged.requirements.items():
            stored = self._stored.get(number)
            if document is None:
                if stored is not None:
                    deletes.append((number, int(stored["version"])))
                    removed.append((number, str(stored.get("uid")), generation))
            elif stored is None:
                inserts.append((number, document))
            elif stored.get("uid") == document.get("uid"):
                updates.append((number, document, int(stored["version"])))
            else:
                deletes.append((number, int(stored["version"])))
                inserts.append((number, document))
        with conn.cursor() as cur:
            for number, version in deletes:
                cur.execute("DELETE FROM reqboard.requirements WHERE number = %s AND version = %s",
                            (number, version))
                if cur.rowcount != 1:
                    raise self._lost(number, version)
            if removed:
                cur.executemany("INSERT INTO reqboard.removed (number, uid, generation) VALUES (%s, %s, %s)",
                                removed)
            for number, document, version in updates:
                cur.execute(
                    "UPDATE reqboard.requirements SET key = %(key)s, version = %(version)s, state = %(state)s,"
                    " title = %(title)s, customer = %(customer)s, owner = %(owner)s, updated_by = %(updated_by)s,"
                    " updated_at = %(updated_at)s, priority = %(priority)s, generation = %(generation)s, card = %(card)s,"
                    " record = %(record)s WHERE number = %(number)s AND version = %(expected)s",
                    {**_columns(number, document, generation), "expected": version})
                if cur.rowcount != 1:
                    raise self._lost(number, version)
            if inserts:
                with cur.copy(f"COPY reqboard.requirements ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                    for number, document in inserts:
                        columns = _columns(number, document, generation)
                        copy.write_row([columns[name] for name in _COLUMNS])
            gone = [(name,) for name, record in staged.customers.items() if record is None]
            if gone:
                cur.executemany("DELETE FROM reqboard.customers WHERE name_key = %s", gone)
            kept = [(name, generation, _json(record)) for name, record in staged.customers.items() if record is not None]
            if kept:
                cur.executemany(
                    "INSERT INTO reqboard.customers (name_key, generation, record) VALUES (%s, %s, %s)"
                    " ON CONFLICT (name_key) DO UPDATE SET generation = EXCLUDED.generation,"
                    " record = EXCLUDED.record", kept)
            if self._events:
                with cur.copy("COPY reqboard.events (generation, key, uid, event) FROM STDIN") as copy:
                    for event in self._events:
                        copy.write_row((generation, event.get("key"), event.get("uid"), _json(event)))
            meta = {name: value for name, value in staged.meta.items() if name not in _NOT_META}
            cur.execute("UPDATE reqboard.board SET generation = %s, meta = %s WHERE id = 1",
                        (generation, _json(meta)))
            self._move_counters(cur)
            cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))

    def _move_counters(self, cur: psycopg.Cursor[Any]) -> None:
        """Raise the key sequences to the staged counters (a sequence never goes back: a key is never
        handed out twice, even by a change that fails after this)."""
        for name, sequence in (("next_requirement", "requirement_numbers"),
                               ("next_change_request", "change_request_numbers")):
            wanted = self._staged.meta.get(name)
            if type(wanted) is not int or wanted < 1:
                raise InvalidValue(_("the board's {name} counter must be a whole number from 1").format(name=name))
            if wanted > int(self._read_meta[name]):
                cur.execute(f"SELECT setval('reqboard.{sequence}', %s, true)", (wanted - 1,))

    def _lost(self, number: int, version: int) -> Conflict:
        return Conflict(_("{key} changed while this change was being saved (it is no longer at version {version}); "
                          "nothing was written: re-read it and retry").format(key=f"REQ-{number}", version=version),
                        key=f"REQ-{number}", expected=version, actual=0, by="", at="")


_COLUMNS = ("uid", "number", "key", "version", "state", "title", "customer", "owner", "updated_by", "updated_at",
            "priority", "generation", "card", "record")


def _priority(document: Mapping[str, Any]) -> int:
    """Importance x urgency, as a card sorts by it (0 until both are set)."""
    importance, urgency = document.get("importance"), document.get("urgency")
    if type(importance) is int and type(urgency) is int:
        return importance * urgency
    return 0


def _columns(number: int, document: dict[str, Any], generation: int) -> dict[str, Any]:
    key = document.get("key")
    if not isinstance(key, str) or key_number(key) != number:
        raise InvalidValue(_("a requirement stored as {stored} has the key {key!r}").format(
            stored=f"REQ-{number}", key=key))
    return {
        "uid": str(document.get("uid", "")), "number": number, "key": key,
        "version": int(document.get("version", 1)), "state": str(document.get("state", "")),
        "title": str(document.get("title", "")), "customer": str(document.get("customer", "")),
        "owner": str(document.get("owner", "")), "updated_by": str(document.get("updated_by", "")),
        "updated_at": str(document.get("updated_at", "")), "priority": _priority(document), "generation": generation,
        "card": _json(card_fields(document)), "record": _json(document),
    }


class _Listener(threading.Thread):
    """LISTENs on a connection of its own for commits (see `ServerStorage.watch`)."""

    def __init__(self, storage: ServerStorage, changed: Callable[[], None]) -> None:
        super().__init__(name="reqboard-listen", daemon=True)
        self._storage = weakref.ref(storage)
        self._url = storage.url
        self._changed = changed
        self._stopping = threading.Event()
        self.problem: str | None = None

    def stop(self) -> None:
        """End the thread (it notices within a second)."""
        self._stopping.set()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._url.conninfo(), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                     application_name="reqboard listen") as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    generation = _generation(conn)  # what was committed while nobody listened
                    was_down, self.problem = self.problem, None
                    self._tell(generation, force=was_down is not None, reconnected=True, connecting=True)
                    while not self._stopping.is_set():
                        for notice in conn.notifies(timeout=1.0, stop_after=1):
                            if notice.payload.isdigit():
                                self._tell(int(notice.payload))
            except psycopg.Error as exc:
                if self._stopping.is_set():
                    return
                problem = _("offline: cannot reach {server} ({reason}); reconnecting").format(
                    server=self._url.endpoint, reason=server_words(_reason(exc)))
                if problem != self.problem:
                    self.problem = problem
                    self._changed()
                self._stopping.wait(1.0)

    def _tell(self, generation: int, *, force: bool = False, reconnected: bool = False,
              connecting: bool = False) -> None:
        storage = self._storage()
        if storage is None:
            self._stopping.set()
            return
        known = storage.announced(generation, reconnected=reconnected)
        # Connecting before the board's first read tells nobody: that read sees the state (it started a
        # second read during the first frame). A commit announced before it is told (a first read that
        # failed is then made again).
        if force or (known is None and not connecting) or (known is not None and generation > known):
            self._changed()

    def tell(self) -> None:
        """Call the callback (a read found a commit announced while it ran)."""
        self._changed()


def _close_later(pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
    if not pool.closed:
        threading.Thread(target=pool.close, name="reqboard-close", daemon=True).start()


_OPEN: weakref.WeakSet[ServerStorage] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for storage in list(_OPEN):
        storage.close()
