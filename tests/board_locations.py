"""Where a test's board is kept: a file, or a database on the test's PostgreSQL server.

conftest's `board_location` fixture gives a `BoardLocation`, once for each storage ("file", "server"),
so a behavioural test written on it runs against both. A person acting on the board is named by the
board they open: on a file, `Board(path, "bob")`; on a server the author is the database login, so
`at("bob")` is the URL with `user=bob`, a login made for the test (a member of the editors' group, which
has GRANTS_EDITOR on each test database). Tests then say "bob did it" the same way on both.

`state()` is everything stored, for "nothing was written" checks: the files' bytes, or the server's
tables and key sequences as the superuser reads them.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from reqboard.store.board import Board
from reqboard.store.storage import META_ID

if TYPE_CHECKING:
    from pg_server import PgServer

EDITORS = "reqboard_test_editors"
"""The group role every test login belongs to; each test database grants it GRANTS_EDITOR."""

# The logins made on each server so far (roles outlive a test's database: they belong to the cluster).
_ROLES: weakref.WeakKeyDictionary[PgServer, set[str]] = weakref.WeakKeyDictionary()

STATE_SQL = """
SELECT b.generation, b.meta::text, b.schema_version,
  (SELECT md5(coalesce(string_agg(number || ':' || uid || ':' || key || ':' || version || ':' || record::text
                                  || ':' || card::text, '|' ORDER BY number), '')) FROM reqboard.requirements),
  (SELECT md5(coalesce(string_agg(name_key || ':' || record::text, '|' ORDER BY name_key), ''))
     FROM reqboard.customers),
  (SELECT count(*) || ':' || coalesce(max(seq), 0) || ':' || md5(coalesce(string_agg(event::text, '|' ORDER BY seq), ''))
     FROM reqboard.events),
  (SELECT count(*) FROM reqboard.removed),
  (SELECT last_value || ':' || is_called FROM reqboard.requirement_numbers),
  (SELECT last_value || ':' || is_called FROM reqboard.change_request_numbers)
FROM reqboard.board b WHERE b.id = 1
"""


class BoardLocation:
    """One board's place for one test (see the module docstring)."""

    def __init__(self, kind: str, path: Path, server: PgServer | None = None, database: str | None = None) -> None:
        self.kind = kind
        """"file" or "server"."""
        self.path = path
        """The board file (the file variant's location; on a server, where a file would have been)."""
        self.server = server
        self.database = database
        self._opened: list[Board] = []

    @classmethod
    def file(cls, path: Path) -> BoardLocation:
        """A board file at `path` (made on its first change)."""
        return cls("file", path)

    @classmethod
    def on_server(cls, server: PgServer, database: str) -> BoardLocation:
        """An initialised board in the (new, empty) `database` of `server`, writable by the test logins."""
        from reqboard.store.pgstore import init_server
        from reqboard.store.pgstore.schema import GRANTS_EDITOR

        init_server(server.url(database))
        _editors(server)
        server_sql(server, [grant.format(role=EDITORS) for grant in GRANTS_EDITOR], db=database)
        return cls("server", Path("/nonexistent-server-board"), server, database)

    @property
    def is_server(self) -> bool:
        """Is the board on the PostgreSQL server?"""
        return self.kind == "server"

    def at(self, user: str) -> str:
        """The location as `user` opens it: the file's path, or the URL logging in as `user`."""
        if self.server is None or self.database is None:
            return str(self.path)
        ensure_login(self.server, user)
        return self.server.url(self.database, user=user)

    def board(self, user: str = "ann", *, clock: Callable[[], datetime] | None = None) -> Board:
        """The board, opened by `user` (on a server: logged in as `user`); closed at the test's end."""
        board = Board(self.at(user), user, clock=clock) if clock else Board(self.at(user), user)
        self._opened.append(board)
        return board

    def as_user(self, user: str) -> list[str]:
        """Command-line options acting as `user`: `--store PATH --user NAME`, or on a server
        `--store URL` logging in as `user` (where --user would be ignored, with a note)."""
        if self.is_server:
            return ["--store", self.at(user)]
        return ["--store", self.at(user), "--user", user]

    def env(self, user: str) -> dict[str, str]:
        """The environment of a process acting as `user` on this board."""
        return {"REQBOARD_STORE": self.at(user), "REQBOARD_USER": user}

    def state(self) -> Any:
        """Everything stored, to compare before and after: the files (the lock aside) and their bytes,
        or the server's board row, rows, history and key sequences."""
        if self.server is None or self.database is None:
            directory = self.path.parent
            if not directory.exists():
                return {}
            return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
                    for p in sorted(directory.rglob("*"))
                    if p.is_file() and p.name.startswith(self.path.name) and not p.name.endswith(".lock")}
        return self.sql(STATE_SQL)

    def set_next_requirement(self, number: int) -> None:
        """What a person editing the store by hand might do: set the next requirement number (back)."""
        if self.is_server:
            self.sql("SELECT setval('reqboard.requirement_numbers', %s, false)", [number])
            return
        tables = orjson.loads(self.path.read_bytes())
        tables["meta"][META_ID]["next_requirement"] = number
        self.path.write_bytes(orjson.dumps(tables))

    def assert_clean(self, board: Board) -> None:
        """The board reads clean: `check` finds nothing on a file; on a server (which has no `check`)
        every record and event validates, keys and uids are unique, and each requirement has a history."""
        if not self.is_server:
            assert board.check() == ([], [])
            return
        requirements = board.requirements()
        events = board.history()
        assert len({r.key for r in requirements}) == len({r.uid for r in requirements}) == len(requirements)
        with_history = {e.uid for e in events}
        assert [r.key for r in requirements if r.uid not in with_history] == []

    def sql(self, statement: str, params: Sequence[Any] | None = None, *, user: str | None = None) -> list[tuple[Any, ...]]:
        """Run one statement in the board's database, as the superuser or as `user`; its rows."""
        import psycopg

        assert self.server is not None and self.database is not None, "a file board has no SQL"
        url = self.server.url(self.database) if user is None else self.at(user)
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description is not None else []

    def close(self) -> None:
        """Close the boards `board()` opened (a server board's connections)."""
        for board in self._opened:
            board.storage.close()
        self._opened.clear()


def server_sql(server: PgServer, statements: Sequence[str], *, db: str = "postgres") -> None:
    """Run `statements` as the superuser in `db`, in one connection."""
    import psycopg

    with psycopg.connect(server.url(db), autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)


def _editors(server: PgServer) -> set[str]:
    """The editors' group on `server` (made once), and the logins made members of it so far."""
    made = _ROLES.setdefault(server, set())
    if not made:
        server_sql(server, [
            f"DO $$ BEGIN CREATE ROLE {EDITORS} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"])
        made.add(EDITORS)
    return made


def ensure_login(server: PgServer, name: str) -> None:
    """Make login `name`, a member of the editors' group (once a session: a role belongs to the cluster,
    not to a test's database)."""
    made = _editors(server)
    if name in made:
        return
    role = '"' + name.replace('"', '""') + '"'
    server_sql(server, [
        f"DO $$ BEGIN CREATE ROLE {role} LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        f"GRANT {EDITORS} TO {role}",
    ])
    made.add(name)


def database_of(url: str) -> str:
    """The database a postgresql:// URL names."""
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(url)["dbname"]
    assert isinstance(name, str)
    return name

