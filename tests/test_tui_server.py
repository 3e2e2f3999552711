"""The board on a PostgreSQL server, driven through Pilot against the suite's real server (`pg_server`):
another client's commit drawn at once without polling, the server stopped and started during a session
(offline, a form's values kept and saved once it is back, through the edit form's merge), and a login
that may only read.

Stopping the session's server affects every test that uses it: the one test that does so starts it
again in a `finally`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.store.pgstore import init_server
from reqboard.store.pgstore.schema import GRANTS_VIEWER
from reqboard.store.sync.migrate import migrate_board
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
from reqboard.tui.screens.board import OFFLINE, BoardScreen
from reqboard.tui.screens.detail import DetailScreen
from reqboard.tui.screens.form import FormScreen
from reqboard.tui.widgets.card_list import CardList

from pg_server import PgServer
from tui_support import (  # noqa: F401 (small_template is a fixture)
    POLL,
    QUIET,
    SIZE,
    board_ready,
    card_keys,
    cards,
    drawn,
    fill,
    form,
    notifications,
    select_card,
    settle,
    small_template,
    text_of,
    wait_until,
)


@pytest.fixture
def server_board(pg_url: str, small_template: Path) -> str:
    """The small board of tui_support (REQ-1 .. REQ-9) on a fresh database of the test server."""
    init_server(pg_url)
    source, dest = Board(small_template, "check"), Board(pg_url, "check")
    migrate_board(source, dest)
    dest.storage.close()
    return pg_url


def open_server_app(url: str, *, user: str = "tester", watch_interval: float = QUIET) -> ReqboardApp:
    return ReqboardApp(url, user, config=Config(), watch_interval=watch_interval)


def title(app: Any) -> str:
    return text_of(app.screen_stack[0].query_one("#board-title"))


def database_of(url: str) -> str:
    return str(conninfo_to_dict(url)["dbname"])


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[str]]:
    """Every statement this process sends, by database: `queries(dbname)` lists those sent to one."""
    sent: list[tuple[str, str]] = []
    execute = psycopg.Cursor.execute

    def counting(self: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append((self.connection.info.dbname, str(query)))
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counting)
    return lambda dbname: [query for db, query in sent if db == dbname]


def reqboard_connections(pg_server: PgServer, url: str) -> int:
    rows = pg_server.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name LIKE 'reqboard%%'",
                         [database_of(url)])
    return int(rows[0][0])


# ---------------------------------------------------------------------- live updates
async def test_another_clients_commit_is_drawn_at_once_without_polling_and_keeps_the_selection(
        server_board: str, pg_server: PgServer, queries: Callable[[str], list[str]]) -> None:
    db = database_of(server_board)
    # The shortest poll a person can set: a board that polled the server would be seen querying.
    app = open_server_app(server_board, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-8", "REQ-5"]
        assert "user: postgres" in title(app)  # the database login, not the "tester" it was given

        # While nobody commits, the board sends the server nothing. There is no event to wait for:
        # nothing happening is the point, so the board is watched for ten of the polls it would make.
        before = len(queries(db))
        await pilot.pause(10 * POLL)
        assert queries(db)[before:] == []

        other = Board(server_board, "alice")
        try:
            committed = time.monotonic()
            other.edit_requirement("REQ-5", {"title": "Offline mode for every scanner"})
            await wait_until(pilot, lambda: "Offline mode for every" in drawn(cards(app, State.IN_PROGRESS)),
                             "the other client's edit to be drawn", timeout=1.0)
            drawn_after = time.monotonic() - committed
            other.edit_requirement("REQ-8", {"urgency": 1})  # REQ-8 drops below REQ-5
            other.add_requirement("Fresh from the hotline", customer="Bluebird Retail")
            await wait_until(pilot, lambda: "REQ-10" in card_keys(app, State.COLLECTED), "the new card")
            await wait_until(pilot, lambda: card_keys(app, State.IN_PROGRESS) == ["REQ-5", "REQ-8"],
                             "REQ-8 to drop below REQ-5")
            # The selection stays on the card, by its key, though it moved up the column.
            assert screen.focused is cards(app, State.IN_PROGRESS)
            assert screen.selected is not None and screen.selected.key == "REQ-5"
            assert cards(app, State.IN_PROGRESS).cursor == 0
            assert "9 on the board" in title(app)
        finally:
            other.storage.close()
        assert drawn_after < 1.0
    # The app closed its storage: no connection of it is left on the server.
    await_connections_closed(pg_server, server_board)


def await_connections_closed(pg_server: PgServer, url: str) -> None:
    from waiting import wait_until as wait

    wait(lambda: reqboard_connections(pg_server, url) == 0, "the app's connections to be closed")


# ---------------------------------------------------------------------- the server stopped and started
@pytest.fixture
def restarted(pg_server: PgServer) -> Iterator[PgServer]:
    """The session's server, started again after the test whatever happened (other tests need it)."""
    try:
        yield pg_server
    finally:
        pg_server.ensure_running()


async def test_a_lost_connection_shows_offline_keeps_the_form_and_saves_it_merged_once_back(
        server_board: str, restarted: PgServer) -> None:
    app = open_server_app(server_board)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the edit form")
        edit = form(app)
        # Someone else changes another field while the form is open: the form's save will be stale.
        other = Board(server_board, "alice")
        try:
            other.edit_requirement("REQ-1", {"owner": "Alice Other"})
        finally:
            other.storage.close()

        restarted.stop()
        await wait_until(pilot, lambda: OFFLINE in title(app), "the board to say it is offline", timeout=15)
        collected = board.query_one(f"#cards-{State.COLLECTED.value}", CardList)
        shown_before = [card.key for card in collected.cards]
        fill(pilot, "#field-title", "Invoices as PDF, typed while offline")
        # Not `submit`, which waits for the workers to finish: offline, the board keeps asking the server.
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "saved when the server is back" in text_of(edit.query_one("#form-error")),
                         "the form to say its save waits for the server")
        assert app.screen is edit  # still open, with what was typed
        assert edit.query_one("#field-title").value == "Invoices as PDF, typed while offline"
        assert [card.key for card in collected.cards] == shown_before  # the board keeps what it showed
        await pilot.press("ctrl+q")  # quitting now would lose it: asked twice
        await wait_until(pilot, lambda: any("would be lost" in n for n in notifications(app)), "the warning")
        assert app.is_running and app.screen is edit

        restarted.start()
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen), "the held save to be made", timeout=20)
        await wait_until(pilot, lambda: OFFLINE not in title(app), "the board to be online again", timeout=10)
        await wait_until(pilot, lambda: [c.title for c in collected.cards if c.key == "REQ-1"]
                         == ["Invoices as PDF, typed while offline"], "the board to show the saved title")
        assert any("Connected to the server again" in n for n in notifications(app))
    check = Board(server_board, "check")
    try:
        saved = check.get("REQ-1")
        # Merged onto the colleague's version: both changes are there.
        assert saved.title == "Invoices as PDF, typed while offline"
        assert saved.owner == "Alice Other"
        assert saved.updated_by == "postgres"
    finally:
        check.storage.close()


# ---------------------------------------------------------------------- a login that may only read
async def test_a_login_that_may_only_read_opens_read_only_and_every_write_key_says_so(
        server_board: str, pg_server: PgServer) -> None:
    db = database_of(server_board)
    role = pg_server.create_role(f"viewer_{db}")
    for grant in GRANTS_VIEWER:
        pg_server.sql(sql.SQL(grant).format(role=sql.Identifier(role)), db=db)
    url = pg_server.url(db, user=role)
    generation = pg_server.sql("SELECT generation FROM reqboard.board", db=db)[0][0]

    app = open_server_app(url, user="someone-else")
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert "READ-ONLY" in title(app) and f"user: {role}" in title(app)
        said = [n for n in notifications(app) if "may only read" in n]
        assert len(said) == 1

        await select_card(pilot, "REQ-3")
        for key in ("n", "e", "greater_than_sign", "less_than_sign", "x", "c", "w"):
            # Each key tried in turn after reading the last refusal (typed at once, letters after a refused
            # key are taken for text meant for a dialog: tests/test_tui_selection.py).
            board._hush_until = 0.0
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is board, f"{key} opened {app.screen!r}"
            assert len([n for n in notifications(app) if "may only read" in n]) == len(said) + 1, key
            said = [n for n in notifications(app) if "may only read" in n]

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen), "the detail pane")
        detail = app.screen
        await settle(pilot)
        for key in ("e", "greater_than_sign", "less_than_sign", "c", "v", "x"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is detail, f"{key} opened {app.screen!r}"
            assert len([n for n in notifications(app) if "may only read" in n]) == len(said) + 1, key
            said = [n for n in notifications(app) if "may only read" in n]
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo" in notifications(app)
        assert not [n for n in notifications(app) if "failed" in n or "Traceback" in n]
    assert pg_server.sql("SELECT generation FROM reqboard.board", db=db)[0][0] == generation


# ---------------------------------------------------------------------- the first frame
async def test_the_first_frame_reads_the_top_of_each_column_then_the_whole_board(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server's board is drawn first from the first cards of each column (the column index: a few
    milliseconds at any size) with each state's count, then from the whole board read right after."""
    from reqboard.store.reader import BoardReader
    from reqboard.tui.screens.board import FIRST_WINDOW
    from reqboard.tui.widgets.column import ColumnHeader

    init_server(pg_url)
    writer = Board(pg_url, "ann")
    for n in range(1, FIRST_WINDOW + 16):
        writer.add_requirement(f"Collected {n}", customer="ACME", importance=n % 5 + 1, urgency=3)
    writer.move_requirement("REQ-3", State.REJECTED, reason="duplicate")
    writer.storage.close()
    windows: list[tuple[int, dict[State, int]]] = []
    first_cards = BoardReader.first_cards

    def spying(self: BoardReader, per_state: int) -> Any:
        found = first_cards(self, per_state)
        if found is not None:
            windows.append((len(found[0]), found[1]))
        return found

    monkeypatch.setattr(BoardReader, "first_cards", spying)
    # The whole board's read waits until the test has looked at the first frame.
    looked = threading.Event()
    whole_cards = BoardReader.cards

    def held_back(self: BoardReader, *, whole: bool = False) -> Any:
        looked.wait(30)
        return whole_cards(self, whole=whole)

    monkeypatch.setattr(BoardReader, "cards", held_back)
    app = open_server_app(pg_url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.window is not None,
                         "the first frame's window")
        def header() -> list[str]:
            return text_of(app.screen.query_one(f"#column-{State.COLLECTED.value}").query_one(ColumnHeader)).split()

        await wait_until(pilot, lambda: len(header()) == 2, "the column's header to be drawn")
        assert header() == ["Collected", str(FIRST_WINDOW + 14)]  # the state's count, not the window's
        assert len(card_keys(app, State.COLLECTED)) == FIRST_WINDOW
        assert f"{FIRST_WINDOW + 14} on the board, 1 rejected" in title(app)
        looked.set()
        screen = await board_ready(pilot)
        assert windows == [(FIRST_WINDOW, {State.COLLECTED: FIRST_WINDOW + 14, State.REJECTED: 1})]
        keys = card_keys(app, State.COLLECTED)
        assert len(keys) == FIRST_WINDOW + 14  # the whole column once the board is read
        priorities = [card.priority for card in cards(app, State.COLLECTED).cards]
        assert priorities == sorted(priorities, reverse=True)
        assert f"{FIRST_WINDOW + 14} on the board, 1 rejected" in title(app)
        assert screen.window is None
