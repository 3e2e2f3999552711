"""What a key repaints: only what changed, so that a remote user's terminal gets a few hundred cells, not
the screen (issue #19; `python -m bench --sections wire` measures the bytes).

Each test counts the cells of the updates Textual hands to the terminal driver after one key on a board
of 1,000 requirements at 160x50: moving the selection repaints the two cards whose look changed (and
the column's scrollbar cell when the thumb moves); moving to another column repaints those two cards
and the two column headers; a live refresh of another user's change repaints the cards that changed.
A whole column (25 x 47 cells) or the whole screen (8,000) is a regression.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.pilot import Pilot

from reqboard.store.board import Board
from reqboard.store.domain import State
from reqboard.tui.app import ReqboardApp
from reqboard.tui.widgets.card_list import CARD_HEIGHT, CardList

from tui_support import board_ready

SIZE = (160, 50)
N = 1_000


@pytest.fixture(scope="module")
def thousand_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate_board

    path = tmp_path_factory.mktemp("thousand") / "board.json"
    generate_board(path, N, seed=1, now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    return path


@pytest.fixture
def thousand(thousand_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "board.json"
    path.write_bytes(thousand_template.read_bytes())
    journal = thousand_template.with_name(thousand_template.name + ".history.jsonl")
    path.with_name(path.name + ".history.jsonl").write_bytes(journal.read_bytes())
    return path


class Painted:
    """The cells of every update the app hands the driver (a full update counts the whole screen)."""

    def __init__(self, app: ReqboardApp) -> None:
        self.cells = 0
        self.lines: set[int] = set()
        self.full = 0
        display = app._display

        def counted(screen: object, renderable: object) -> None:
            if isinstance(renderable, ChopsUpdate):
                for y, x1, x2 in renderable.spans:
                    self.cells += x2 - x1
                    self.lines.add(y)
            elif isinstance(renderable, LayoutUpdate):
                self.full += 1
                self.cells += renderable.region.area
            display(screen, renderable)  # type: ignore[arg-type]  # (what Textual gave, passed on)

        app._display = counted  # type: ignore[method-assign]  # a test's tap on the driver's input

    def reset(self) -> None:
        self.cells, self.full, self.lines = 0, 0, set()


@pytest.fixture
def card_cells() -> Iterator[int]:
    yield CARD_HEIGHT * 25  # a card: its lines across the list's width (a column is 26 wide with its margin)


async def _settled(pilot: Pilot) -> None:
    await pilot.pause(0.2)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.1)


async def _ready(app: ReqboardApp, pilot: Pilot) -> Painted:
    await board_ready(pilot)
    await _settled(pilot)
    painted = Painted(app)
    await _settled(pilot)
    painted.reset()
    return painted


async def test_moving_the_selection_repaints_the_two_cards(thousand: Path, card_cells: int) -> None:
    app = ReqboardApp(thousand, "tester", watch_interval=3600)
    async with app.run_test(size=SIZE) as pilot:
        painted = await _ready(app, pilot)
        for key in ("j", "j", "k"):
            await pilot.press(key)
            await _settled(pilot)
            assert painted.full == 0
            # two cards, and the column's scrollbar (its last cell, one per line) where the thumb moved
            assert painted.cells <= 2 * card_cells + app.size.height, (key, painted.cells)
            painted.reset()


async def test_moving_to_the_next_column_repaints_two_cards_and_two_headers(thousand: Path, card_cells: int) -> None:
    app = ReqboardApp(thousand, "tester", watch_interval=3600)
    async with app.run_test(size=SIZE) as pilot:
        painted = await _ready(app, pilot)
        for key in ("l", "h"):
            await pilot.press(key)
            await _settled(pilot)
            assert painted.full == 0
            # the card left and the card now selected, the two column headers, the key bar's line
            assert painted.cells <= 2 * card_cells + 2 * 26 + app.size.width, (key, painted.cells)
            painted.reset()


async def test_a_live_refresh_of_one_changed_card_repaints_that_card(thousand: Path, card_cells: int) -> None:
    app = ReqboardApp(thousand, "tester", watch_interval=0.2)
    async with app.run_test(size=SIZE) as pilot:
        painted = await _ready(app, pilot)
        top = app.query_one(f"#cards-{State.COLLECTED.value}", CardList).selected
        assert top is not None
        Board(thousand, "someone-else").edit_requirement(top.key, {"title": top.title + " (revised)"})
        for _ in range(50):
            await pilot.pause(0.1)
            if app.query_one(f"#cards-{State.COLLECTED.value}", CardList).selected.title.endswith("(revised)"):
                break
        await _settled(pilot)
        assert painted.full == 0
        # the card, and the title bar's line (it says who changed the board)
        assert painted.cells <= card_cells + app.size.width, painted.cells
