"""The server storage: a board in a PostgreSQL database, shared by a team, with live updates.

`url` parses and prints a server location (never its password), `schema` holds the tables and their
migrations (`server init`), `server` the storage itself. Only this package imports psycopg, and only
when a postgresql:// store is opened or set up: importing the package loads neither psycopg nor
`server` (`ServerStorage` is loaded when first asked for), so a reqboard without the `postgres` extra
can still print a server's URL, and says what to install instead of failing on an import.

Setting a server up is here too: `init_server` (the tables, and the cards of a board an older reqboard
wrote), `grant` and `revoke` (who may use them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import NotFound, Refused, StoreUnreadable, Unsupported
from ..i18n import N_, _, ngettext
from .schema import CHANNEL, GRANTS_EDITOR, GRANTS_VIEWER, SCHEMA_VERSION
from .url import ServerURL, is_server_location, redact

if TYPE_CHECKING:
    import psycopg

    from .server import ServerChange, ServerRevision, ServerStorage

__all__ = ["SCHEMA_VERSION", "Access", "ServerChange", "ServerInit", "ServerRevision", "ServerStorage", "ServerURL",
           "grant", "init_server", "is_server_location", "redact", "revoke"]

NO_PSYCOPG = N_("postgresql:// stores need psycopg, which is not installed: pip install 'reqboard[postgres]'")
"""Why a server board cannot be opened by a reqboard installed without the `postgres` extra (English,
marked for the catalogue: raise it as `_(NO_PSYCOPG)`)."""

_LAZY = ("ServerChange", "ServerRevision", "ServerStorage")


def __getattr__(name: str) -> Any:
    # The storage (and psycopg with it) is loaded when first used; without psycopg, Unsupported (exit 2).
    if name in _LAZY:
        try:
            from . import server
        except ImportError:
            raise Unsupported(_(NO_PSYCOPG)) from None
        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextmanager
def _connected(location: str, purpose: str) -> Iterator[tuple[ServerURL, psycopg.Connection[Any]]]:
    """A connection to the database at `location` for setting it up (`purpose` names the command in
    English, marked with N_: the server's activity list shows it as is, a refusal translated), its
    failures turned into the store's errors: Unsupported (a bad URL, no psycopg), ServerUnreachable
    (exit 4), Refused (exit 1: this login lacks the right), StoreUnreadable (the server refused)."""
    url = ServerURL.parse(location)
    import psycopg
    from psycopg import errors as pg_errors

    from .server import CONNECT_TIMEOUT_S, translated, unreachable

    try:
        conn = psycopg.connect(url.conninfo(), connect_timeout=CONNECT_TIMEOUT_S,
                               application_name=f"reqboard {purpose}")
    except psycopg.Error as exc:
        raise unreachable(url, exc) from None
    login = conn.info.user
    try:
        with conn:
            yield url, conn
    except pg_errors.InsufficientPrivilege as exc:
        reason = redact(exc.diag.message_primary or type(exc).__name__)
        raise Refused(_("{url}: the login {login} may not {purpose} there ({reason}); run it as the database's owner "
                        "or a superuser (README: A team server)").format(
                            url=url.shown, login=login, purpose=_(purpose), reason=reason),
                      "server.privilege") from None
    except psycopg.Error as exc:
        raise translated(url, exc) from None


class ServerInit(tuple[int | None, int]):
    """What `init_server` did: the pair (schema version found, None: none; version now), and what it
    did to the cards of a board that was there."""

    refreshed: int | None
    """How many requirements' cards it wrote again from their records (None: it did not look)."""
    note: str | None
    """What a person is told of the cards, in the current language (None: nothing to tell)."""

    def __new__(cls, found: int | None, schema: int, refreshed: int | None = None,
                note: str | None = None) -> ServerInit:
        made = super().__new__(cls, (found, schema))
        made.refreshed, made.note = refreshed, note
        return made

    @property
    def found(self) -> int | None:
        return self[0]

    @property
    def schema(self) -> int:
        return self[1]


REFRESH_BATCH = 2000
"""Rows read at a time when the cards are checked (a board of 100,000 is never held whole)."""


def init_server(location: str) -> ServerInit:
    """Make the board's tables in the database at `location`, or migrate them forward, then bring every
    requirement's `card` up to date with its record (rows an older reqboard wrote lack what cards now
    show: links, the scored fields, sign-off roles, resolutions). Returns the schema version found
    (None: none) and the version now, as a pair (a newer schema than SCHEMA_VERSION is left as it is:
    both numbers are then that newer version, and no card is touched), with `refreshed` and `note`.
    The schema version does not change for the cards: older clients keep working. Idempotent.

    A login that may read the board but not change it may ask (the cards are then not looked at, and
    `note` says so). Raises Unsupported (a bad URL, no psycopg), ServerUnreachable (exit 4), Refused
    (exit 1: this login may not create the schema), StoreUnreadable (the server refused otherwise)."""
    from .schema import initialise, installed_version

    with _connected(location, N_("make the reqboard tables")) as (_url, conn):
        found = installed_version(conn)
        if found is not None and found > SCHEMA_VERSION:
            return ServerInit(found, found)
        if found is None or found < SCHEMA_VERSION:
            found, now = initialise(conn)
            if now > SCHEMA_VERSION or found is None:  # another init made a newer schema, or a new board
                return ServerInit(found, now)
        if not _may_rewrite_cards(conn):
            return ServerInit(found, SCHEMA_VERSION, None, _(
                "the cards were not checked: the login {login} may not change the board (run this as the owner of "
                "the board's tables)").format(login=conn.info.user))
        refreshed = _refresh_cards(conn)
        if refreshed:
            note = ngettext("refreshed the card of {n} requirement written by an older reqboard",
                            "refreshed the cards of {n} requirements written by an older reqboard",
                            refreshed).format(n=refreshed)
        else:
            note = _("every requirement's card is up to date")
        return ServerInit(found, SCHEMA_VERSION, refreshed, note)


def _may_rewrite_cards(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT has_table_privilege('reqboard.requirements', 'UPDATE')"
                       " AND has_table_privilege('reqboard.board', 'UPDATE')").fetchone()
    return bool(row and row[0])


def _refresh_cards(conn: psycopg.Connection[Any]) -> int:
    """Write every requirement's `card` again from its `record` where they differ, in batches, in one
    transaction that is one commit of the board (a new generation, announced), so that open boards
    read the cards again; returns how many were written. The records are not touched."""
    from ..cards import card_fields
    from .server import _json

    with conn.transaction():
        row = conn.execute("SELECT generation FROM reqboard.board WHERE id = 1 FOR UPDATE").fetchone()
        generation = (int(row[0]) if row else 0) + 1
        refreshed, last = 0, 0
        while True:
            rows = conn.execute("SELECT number, card, record FROM reqboard.requirements WHERE number > %s"
                                " ORDER BY number LIMIT %s", (last, REFRESH_BATCH)).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            stale = [(_json(fresh), generation, number) for number, card, record in rows
                     if isinstance(record, dict) and (fresh := card_fields(record)) != card]
            if stale:
                with conn.cursor() as cur:
                    cur.executemany("UPDATE reqboard.requirements SET card = %s, generation = %s WHERE number = %s",
                                    stale)
                refreshed += len(stale)
        if refreshed:
            conn.execute("UPDATE reqboard.board SET generation = %s WHERE id = 1", (generation,))
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))
    return refreshed


@dataclass(frozen=True)
class Access:
    """What a login may do with a server board's tables, as the server answers for it (through any
    role it is a member of, or as a superuser)."""

    login: str
    reads: bool
    """It may read every table and sequence of the board."""
    writes: bool
    """It may change every table and move every key sequence (what changing the board needs)."""
    writes_some: bool
    """It may change at least one table."""


def grant(location: str, login: str, *, read_only: bool = False) -> Access:
    """Give database role `login` what it needs to change the board at `location` (`read_only`: only to
    read it, taking back any right to write granted directly before); returns what it may do now.

    The role name is quoted as an identifier, never spliced into SQL. Raises NotFound (no such role:
    the message says how to make one), StoreUnreadable (no board there: run `server init`), Refused
    (the login at `location` may not grant on the board's tables), and what connecting raises."""
    from psycopg import sql

    with _connected(location, N_("grant access to the board")) as (url, conn):
        _board_there(url, conn)
        role = _role(url, conn, login)
        with conn.transaction():
            if read_only:
                _run(conn, _REVOKE_ALL, role)
            _run(conn, GRANTS_VIEWER if read_only else GRANTS_EDITOR, role)
        access = _access(conn, login)
        if not access.reads or (not read_only and not access.writes):
            me = sql.Identifier(conn.info.user).as_string(conn)
            raise Refused(_("{url}: the server took no grant from {login}: only the owner of the board's tables (the "
                            "login that ran `reqboard server init`) or a superuser can grant access").format(
                                url=url.shown, login=me),
                          "server.privilege")
        return access


def revoke(location: str, login: str) -> Access:
    """Take back from role `login` every right on the board at `location` granted to it directly;
    returns what it may still do (through a role it is a member of, or as a superuser). Raises
    as `grant` does."""
    with _connected(location, N_("revoke access to the board")) as (url, conn):
        _board_there(url, conn)
        role = _role(url, conn, login)
        with conn.transaction():
            _run(conn, _REVOKE_ALL, role)
        return _access(conn, login)


_REVOKE_ALL = (
    "REVOKE ALL ON ALL TABLES IN SCHEMA reqboard FROM {role}",
    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA reqboard FROM {role}",
    "REVOKE ALL ON SCHEMA reqboard FROM {role}",
)


def _run(conn: psycopg.Connection[Any], statements: tuple[str, ...], role: Any) -> None:
    from psycopg import sql

    for statement in statements:
        conn.execute(sql.SQL(statement).format(role=role))


def _board_there(url: ServerURL, conn: psycopg.Connection[Any]) -> None:
    from .schema import installed_version

    if installed_version(conn) is None:
        raise StoreUnreadable(_("{url} holds no reqboard board yet: make one with `reqboard server init {url}`, then "
                                "grant access to it").format(url=url.shown))


def _role(url: ServerURL, conn: psycopg.Connection[Any], login: str) -> Any:
    """The role `login` as an SQL identifier; NotFound, saying how to make it, when there is none."""
    from psycopg import sql

    role = sql.Identifier(login)
    if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is None:
        quoted = role.as_string(conn)
        raise NotFound(_("there is no login {login} on the server at {server}: make one in psql as an administrator "
                         "(CREATE ROLE {login} LOGIN; then \\password {login}) and run this again").format(
                             login=quoted, server=url.endpoint))
    return role


def _access(conn: psycopg.Connection[Any], login: str) -> Access:
    row = conn.execute(
        """
        SELECT has_schema_privilege(%(role)s, 'reqboard', 'USAGE'),
               coalesce(bool_and(CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(%(role)s, c.oid, 'SELECT')
                                      ELSE has_table_privilege(%(role)s, c.oid, 'SELECT') END), false),
               coalesce(bool_and(CASE WHEN c.relkind = 'S'
                                      THEN has_sequence_privilege(%(role)s, c.oid, 'USAGE')
                                           AND has_sequence_privilege(%(role)s, c.oid, 'UPDATE')
                                      ELSE has_table_privilege(%(role)s, c.oid, 'INSERT')
                                           AND has_table_privilege(%(role)s, c.oid, 'UPDATE')
                                           AND has_table_privilege(%(role)s, c.oid, 'DELETE') END), false),
               coalesce(bool_or(c.relkind = 'r' AND (has_table_privilege(%(role)s, c.oid, 'INSERT')
                                                     OR has_table_privilege(%(role)s, c.oid, 'UPDATE')
                                                     OR has_table_privilege(%(role)s, c.oid, 'DELETE'))), false)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'reqboard' AND c.relkind IN ('r', 'S')
        """, {"role": login}).fetchone()
    usage, reads, writes, writes_some = row if row is not None else (False, False, False, False)
    return Access(login, bool(usage and reads), bool(usage and reads and writes), bool(usage and writes_some))
