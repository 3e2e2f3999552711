"""Every test runs isolated from the user's home: data, config and user name point into tmp_path.

The fixtures several test files share live here: the board file's place, a board with some
requirements, the command line run in this process (`cli`) and as a real process (`reqboard_process`),
and a real PostgreSQL server (`pg_server`, started once per session by the first test that asks for it)
with a fresh database for each test (`pg_url`).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from reqboard.store import clock, i18n
from reqboard.store.board import Board

from board_locations import BoardLocation, database_of
from cli_support import CliRunner, ReqboardProcess

if TYPE_CHECKING:
    from pg_server import PgServer

REPO = Path(__file__).resolve().parents[1]


def _english_in_utc() -> None:
    i18n.set_language(i18n.ENGLISH)
    clock.set_zone("UTC")


_english_in_utc()  # for module and session fixtures too, which are made before any test's own fixtures


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("REQBOARD_STORE", str(tmp_path / "board.json"))
    monkeypatch.setenv("REQBOARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("REQBOARD_USER", "tester")
    monkeypatch.delenv("NO_COLOR", raising=False)
    # English and UTC unless a test says otherwise, whatever the machine's locale and zone (the
    # subprocesses a test starts inherit them too).
    monkeypatch.setenv("REQBOARD_LANG", "en")
    monkeypatch.setenv("TZ", "UTC")
    _english_in_utc()
    yield home
    _english_in_utc()  # a test that chose Chinese or another zone leaves none of it to the next fixtures


@pytest.fixture(autouse=True)
def steady_cursors(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a snapshot test, a focused field's cursor stays on: it blinks every 0.5 s, and a snapshot
    taken later than that on a busy machine caught it off (the picture differed by the cursor)."""
    if "snap_compare" in request.fixturenames:
        from textual.widgets import Input, TextArea

        monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
        monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


@pytest.fixture
def board_path(tmp_path: Path) -> Path:
    """Where $REQBOARD_STORE points: the board every command of a test opens by default."""
    return tmp_path / "board.json"


@pytest.fixture
def board_of(board_location: BoardLocation) -> Callable[..., Board]:
    """`board_of(n)`: the board at $REQBOARD_STORE with `n` requirements "Requirement 1" ... for the
    customer ACME (REQ-1 ... REQ-n), acting as `user` ("ann"), with an optional fixed `clock`. It is
    kept where `board_location` says: a test using it runs on a board file and on a server board."""

    def make(n: int = 3, *, user: str = "ann", clock: Callable[[], datetime] | None = None,
             **fields: Any) -> Board:
        board = board_location.board(user, clock=clock)
        for i in range(1, n + 1):
            board.add_requirement(f"Requirement {i}", **{"customer": "ACME", **fields})
        return board

    return make


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    return CliRunner(capsys)


@pytest.fixture
def reqboard_process() -> ReqboardProcess:
    """`reqboard_process(*argv, env=...)`: the real command in a process of its own (the test's
    environment, so $REQBOARD_STORE and $REQBOARD_USER, plus `env`), its output captured as text."""

    def run(*argv: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "reqboard.cli", *argv], cwd=REPO, capture_output=True,
                              text=True, env={**os.environ, **(env or {})}, timeout=timeout)

    return run


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL cluster of the session's own (tests/pg_server.py), started when a test first asks for
    it and removed at the end; skipped when this machine has no PostgreSQL server (an error under $CI)."""
    # Imported here: psycopg takes about 0.3 s to import, which a session without these tests never pays.
    from pg_server import launch

    server = launch()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A new, empty database for this test, as a Unix-socket URL; dropped afterwards. The server is
    started again first if an earlier test left it stopped."""
    name = pg_server.fresh_database()
    yield pg_server.url(name)
    pg_server.discard_database(name)


STORAGES = ("file", "server")
"""What `board_location` is parametrised with: the board file and the PostgreSQL server's board."""


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the project's modules to bytecode once, as installing it does: an editable install
    leaves them as source, and where PYTHONDONTWRITEBYTECODE is set every `reqboard` process a test
    starts would compile them again (about 0.3 s a process on a 2-core machine). Once, in the process
    that runs the session (under pytest-xdist, its workers start after it)."""
    if not hasattr(session.config, "workerinput"):
        from bench.measure import compile_project

        compile_project()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "file_only: a test about the board file itself (bytes, journal, backups, modes): "
        "`board_location` gives it the file only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that stands on `board_location` (itself, or through `board_of`) runs once for each
    storage, but a test about the file: marked `file_only`, or asking for `board_path` itself."""
    if "board_location" not in metafunc.fixturenames:
        return
    about_the_file = (metafunc.definition.get_closest_marker("file_only") is not None
                      or "board_path" in inspect.signature(metafunc.function).parameters)
    if not about_the_file:  # (a file-only test keeps its plain name: the fixture's default is the file)
        metafunc.parametrize("board_location", STORAGES, indirect=True)


@pytest.fixture
def board_location(request: pytest.FixtureRequest, board_path: Path,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[BoardLocation]:
    """Where this test's board is kept (tests/board_locations.py): `board_path`, or a new database on
    the test server holding an empty board (`server init`). $REQBOARD_STORE points at it (on a server,
    logged in as $REQBOARD_USER), so the CLI, in this process or another, opens it too."""
    kind = getattr(request, "param", "file")
    if kind == "server":
        server: PgServer = request.getfixturevalue("pg_server")
        location = BoardLocation.on_server(server, database_of(request.getfixturevalue("pg_url")))
    else:
        location = BoardLocation.file(board_path)
    monkeypatch.setenv("REQBOARD_STORE", location.at(os.environ["REQBOARD_USER"]))
    try:
        yield location
    finally:
        location.close()


@pytest.fixture
def server_location(pg_server: PgServer, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[BoardLocation]:
    """A board on the test server only (for the server's own tests): `board_location`'s server variant,
    $REQBOARD_STORE pointing at it as $REQBOARD_USER."""
    location = BoardLocation.on_server(pg_server, database_of(pg_url))
    monkeypatch.setenv("REQBOARD_STORE", location.at(os.environ["REQBOARD_USER"]))
    try:
        yield location
    finally:
        location.close()
