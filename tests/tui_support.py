"""What the TUI tests share: a small known board, waiting without sleeps, and reading what is drawn."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from reqboard.store.board import Board
from reqboard.store.demo import build_demo_board
from reqboard.store.models import State
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import POLL_INTERVAL_RANGE, Config
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.detail import DetailScreen
from reqboard.tui.screens.form import FormScreen
from reqboard.tui.widgets.card_list import CardList

from waiting import await_until

SIZE = (160, 50)
QUIET = 60.0
"""A watch interval long enough that only our own saves reload the board."""
POLL = POLL_INTERVAL_RANGE[0]
"""The shortest watch interval a user can set: for tests that wait for another process's change."""

FIXED_NOW = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)
"""The moment the fixed board is looked at (snapshots freeze the card ages at it)."""


class StepClock:
    """A clock for `Board(clock=...)` that starts at `start` and moves on a fixed step per reading."""

    def __init__(self, start: datetime, step: timedelta = timedelta(hours=7)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def build_small_board(path: Path, user: str = "anna", *, clock: Callable[[], datetime] | None = None) -> Board:
    """A board with one story in each state, known keys and text (REQ-1 .. REQ-9):

    REQ-1 collected (Northwind, tier A)       REQ-2 collected, no customer
    REQ-3 analysed                            REQ-4 approved (REQ-8 depends on it), one open CR-1
    REQ-5 in progress, two open criteria      REQ-6 done, with one criterion met
    REQ-7 fed back                            REQ-8 in progress (started before REQ-4 was done:
                                              blocked), due 2026-03-01 (late)
    REQ-9 rejected
    """
    board = Board(path, user, clock=clock) if clock else Board(path, user)
    add = board.add_requirement

    add("Export invoices as PDF", customer="Northwind Logistics", tier="A", channel="email",
        description="Accounting wants one PDF per invoice, with the company letterhead.", tags=("billing",))
    add("Dark mode for the web portal", channel="survey")
    r3 = add("SMS reminders before appointments", customer="Harbor Health Clinics", tier="B", channel="hotline")
    board.move_requirement(r3.key, State.ANALYSED, updates={"importance": 4, "urgency": 3, "kano": "performance"})

    r4 = add("Single sign-on with Entra ID", customer="Atlas Insurance", tier="A", channel="interview",
             description="Staff sign in with their Microsoft account.")
    board.move_requirement(r4.key, State.ANALYSED, updates={"importance": 5, "urgency": 4, "kano": "must-be"})
    board.approve(r4.key, "agreed in the steering meeting")

    r5 = add("Offline mode for warehouse scanners", customer="Northwind Logistics", channel="after-sales",
             acceptance_criteria=({"text": "scans work without network", "done": False},
                                  {"text": "scans sync within a minute", "done": False}))
    board.move_requirement(r5.key, State.ANALYSED, updates={"importance": 3, "urgency": 5, "kano": "performance"})
    board.approve(r5.key, "")
    board.move_requirement(r5.key, State.IN_PROGRESS, updates={"owner": "Priya Nair"})

    r6 = add("Weekly usage report", customer="Corner Café Co.", tier="C", channel="social-media",
             acceptance_criteria=({"text": "sent every Monday", "done": True},))
    board.move_requirement(r6.key, State.ANALYSED, updates={"importance": 2, "urgency": 2, "category": "reports"})
    board.approve(r6.key, "")
    board.move_requirement(r6.key, State.IN_PROGRESS, updates={"owner": "Max Weber"})
    board.move_requirement(r6.key, State.DONE)

    r7 = add("Bulk import of customers", customer="Bluebird Retail", tier="B", channel="complaint")
    board.move_requirement(r7.key, State.ANALYSED, updates={"importance": 3, "urgency": 3, "kano": "attractive"})
    board.approve(r7.key, "")
    board.move_requirement(r7.key, State.IN_PROGRESS, updates={"owner": "Max Weber"})
    board.move_requirement(r7.key, State.DONE)
    board.record_feedback(r7.key, 4, "happy with it", channel="email")

    r8 = add("Delivery delay webhook", customer="Atlas Insurance", channel="email", depends_on=(r4.key,),
             due=date(2026, 3, 1))
    board.move_requirement(r8.key, State.ANALYSED, updates={"importance": 4, "urgency": 4, "kano": "performance"})
    board.approve(r8.key, "")
    # Started ahead of what it depends on (REQ-4 is only approved): the override is recorded, and the
    # card shows BLK until REQ-4 is done.
    board.move_requirement(r8.key, State.IN_PROGRESS, updates={"owner": "Tom Baker"}, override_dependency=True,
                           reason="the webhook's payload is agreed already")

    r9 = add("Fax integration", customer="Bäckerei Schönfeld", tier="C", channel="other")
    board.reject(r9.key, "nobody sends faxes any more")

    board.add_change_request(r4.key, "Also support Google accounts", reason="half their staff use Gmail",
                             new_title="Single sign-on with Entra ID and Google")
    return board


# ---------------------------------------------------------------------- fixtures (import them by name)
def copy_board(source: Path, target: Path) -> Path:
    """A board file and its history journal, copied: building a board costs more than copying it."""
    shutil.copyfile(source, target)
    journal = source.with_name(source.name + ".history.jsonl")
    shutil.copyfile(journal, target.with_name(target.name + ".history.jsonl"))
    return target


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "board.json"
    build_demo_board(path)
    return path


@pytest.fixture(scope="session")
def small_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "board.json"
    build_small_board(path)
    return path


@pytest.fixture
def demo(demo_template: Path, board_path: Path) -> Path:
    """A fresh copy of the demo board at $REQBOARD_STORE."""
    return copy_board(demo_template, board_path)


@pytest.fixture
def small(small_template: Path, board_path: Path) -> Path:
    """A fresh copy of the small board at $REQBOARD_STORE."""
    return copy_board(small_template, board_path)


def open_app(path: Path, *, config: Config | None = None, watch_interval: float = QUIET) -> ReqboardApp:
    return ReqboardApp(path, "tester", config=config or Config(), watch_interval=watch_interval)


# ---------------------------------------------------------------------- waiting
async def settle(pilot: Pilot, timeout: float = 30.0) -> None:
    """Let the workers finish and the messages they posted be handled: done when no worker has run
    across two pauses in a row (a handled answer may start another read). Fails loudly on timeout."""
    app = pilot.app
    quiet = [0]

    def calm() -> bool:
        quiet[0] = 0 if app.workers else quiet[0] + 1
        return quiet[0] >= 2

    await await_until(calm, "the app's workers to finish and their messages to be handled",
                      timeout=timeout, pause=pilot.pause)


async def wait_until(pilot: Pilot, predicate: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    """Let the app run until `predicate()` holds; fail naming `what` after `timeout` seconds."""
    await await_until(predicate, what, timeout=timeout, pause=lambda: pilot.pause(0.02))


async def board_ready(pilot: Pilot) -> BoardScreen:
    """Wait for the board screen's first load and return it."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.loaded
                     and pilot.app.screen.window is None, "the board to load (all of it, after a first window)")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    return screen


async def open_detail(pilot: Pilot, key: str) -> DetailScreen:
    """Open the detail pane of `key` from the board (once it is read) and wait for its history."""
    await board_ready(pilot)
    await select_card(pilot, key)
    await pilot.press("enter")
    await settle(pilot)
    detail = pilot.app.screen
    assert isinstance(detail, DetailScreen) and detail.history is not None
    return detail


# ---------------------------------------------------------------------- reading the screen
def cards(app: Any, state: State | str) -> CardList:
    value = state.value if isinstance(state, State) else state
    return app.screen.query_one(f"#cards-{value}", CardList)


def card_keys(app: Any, state: State | str) -> list[str]:
    return [req.key for req in cards(app, state).cards]


def drawn_lines(widget: CardList) -> list[str]:
    """The text of every line of a card list as it is drawn on screen now."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


def drawn(widget: CardList) -> str:
    return "\n".join(drawn_lines(widget))


def text_of(widget: Widget) -> str:
    """The plain text a Static (or Label) shows."""
    visual = widget.render()
    if isinstance(visual, Content):
        return visual.plain
    return str(visual)


def drawn_where(app: Any, widget: Widget) -> str:
    """What the screen draws where `widget` lies: the rows and columns of its region as the screen shows
    them now, joined. Only a widget drawn whole gives its own text back: a row scrolled out of its
    container's view shows what is drawn there instead (or nothing, off the screen), and a column under
    a scrollbar shows the scrollbar."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    return "\n".join(strips[y].crop(region.x, region.right).text if 0 <= y < len(strips) else ""
                     for y in range(region.y, region.bottom))


def same_words(drawn: str, text: str) -> bool:
    """Does `drawn` (a wrapped text as drawn) read as `text`? Lines join with or without a space (Chinese
    wraps between characters)."""
    return "".join(drawn.split()) == "".join(text.split())


def notifications(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def select_card(pilot: Pilot, key: str) -> None:
    """Put the board's selection on the card with this key (as "go to requirement" does)."""
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    assert screen.select(key), f"{key} is not on the board"
    await pilot.pause()
    assert screen.selected is not None and screen.selected.key == key


# ---------------------------------------------------------------------- forms
def form(app: Any) -> FormScreen:
    screen = app.screen
    assert isinstance(screen, FormScreen), f"expected a form, the screen is {screen!r}"
    return screen


def field_ids(screen: FormScreen) -> list[str]:
    return [spec.name for spec in screen.fields]


def error(screen: FormScreen, name: str) -> str:
    """The message shown under a field."""
    return text_of(screen.query_one(f"#error-{name}"))


async def submit(pilot: Pilot) -> None:
    """Save the form with ctrl+s (a click on the button within 0.2 s of the last one would be ignored)."""
    await pilot.press("ctrl+s")
    await settle(pilot)


async def type_into(pilot: Pilot, selector: str, text: str) -> None:
    """Focus an input, clear it, and type `text` key by key."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


def fill(pilot: Pilot, selector: str, text: str) -> None:
    """Put `text` into an input at once (each typed key costs the Pilot tens of milliseconds)."""
    pilot.app.screen.query_one(selector, Input).value = text
