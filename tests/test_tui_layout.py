"""Seeing the board: six columns at 120 cells, narrower terminals scrolling by whole columns with the
selection, a key bar that keeps help and quit at any width, swimlanes as rows across the board, and a
help that lists reqboard's keys rather than Textual's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_snapshots import SMALL, fixed_template, snap_app, then  # noqa: F401 (fixtures)

from reqboard.store.board import Board
from reqboard.store.domain import BOARD_STATES
from reqboard.store.models import State
from reqboard.tui.app import ReqboardApp
from reqboard.tui.screens.help import HelpScreen
from reqboard.tui.widgets.card_list import CARD_HEIGHT
from reqboard.tui.widgets.column import ColumnRow, StateColumn
from reqboard.tui.widgets.key_bar import KeyBar

from tui_support import (  # noqa: F401 (small and small_template are fixtures)
    board_ready,
    cards,
    drawn_lines,
    open_app,
    select_card,
    small,
    small_template,
    text_of,
    wait_until,
)


def screen_rows(app: Any) -> list[str]:
    """Each line of the screen as drawn now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def wholly_in_view(app: Any, state: State) -> bool:
    return app.screen.region.contains_region(app.screen.query_one(f"#column-{state.value}", StateColumn).region)


async def test_six_columns_fit_at_120_cells_and_the_key_bar_keeps_help_and_quit(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(120, 35)) as pilot:
        await board_ready(pilot)
        header_row = screen_rows(app)[1]
        for state in BOARD_STATES:
            assert wholly_in_view(app, state), state
            assert state.label in header_row, state
        assert app.screen.query_one(ColumnRow).max_scroll_x == 0
        assert cards(app, State.FED_BACK).size.width >= 19  # a card still reads: key, badges, two lines of title
        assert "Export invoices" in "\n".join(drawn_lines(cards(app, State.COLLECTED)))
        bar = text_of(app.screen.query_one(KeyBar))
        assert " ?  Help" in bar and " q  Quit" in bar and " >  Move on" in bar


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_a_narrow_board_scrolls_by_columns_with_the_selection_and_back(small: Path, size: tuple[int, int]) -> None:
    app = open_app(small)
    async with app.run_test(size=size) as pilot:
        screen = await board_ready(pilot)
        row = screen.query_one(ColumnRow)
        assert not wholly_in_view(app, State.FED_BACK)
        # Help and quit at any width; what works a card before the board's views.
        bar_widget = screen.query_one(KeyBar)
        bar = text_of(bar_widget)
        assert " ?  Help" in bar and " q  Quit" in bar and " >  Move on" in bar
        assert "Lanes" not in bar and bar_widget.render().cell_length <= bar_widget.content_size.width
        for state in BOARD_STATES[1:]:
            await pilot.press("l")
            await pilot.pause()
            assert screen.focused_list.state is state
            assert wholly_in_view(app, state), state
        assert row.scroll_x > 0 and screen.selected.key == "REQ-7"
        for _state in BOARD_STATES[1:]:
            await pilot.press("h")
        await pilot.pause()
        assert screen.focused_list.state is State.COLLECTED and row.scroll_x == 0
        assert screen_rows(app)[1].startswith(" Collected")  # the first column whole at the left edge again


@pytest.fixture
def two_customers(board_path: Path) -> Path:
    """Acme (tier A) has three collected requirements and one analysed; Beta (tier B) one collected and
    two analysed: the lanes by customer are of different depths in the two columns."""
    board = Board(board_path, "anna")
    for n in range(3):
        board.add_requirement(f"Acme wish {n + 1}", customer="Acme", tier="A", channel="email")  # REQ-1..3
    board.add_requirement("Beta wish 1", customer="Beta", tier="B", channel="email")  # REQ-4
    for title, customer, tier in (("Acme wish 4", "Acme", "A"), ("Beta wish 2", "Beta", "B"),
                                  ("Beta wish 3", "Beta", "B")):  # REQ-5..7
        req = board.add_requirement(title, customer=customer, tier=tier, channel="email")
        board.move_requirement(req.key, State.ANALYSED, updates={"importance": 3, "urgency": 3, "kano": "performance"})
    return board_path


async def test_lanes_are_rows_across_the_board_and_the_keys_keep_the_lane(two_customers: Path) -> None:
    app = open_app(two_customers)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("s", "s")  # by tier, then by customer
        await wait_until(pilot, lambda: screen.lanes == "customer", "lanes by customer")
        await pilot.pause()
        # Every column holds both lanes, on the same lines: Acme's band is as deep as its three collected cards.
        beta_line = 1 + 3 * CARD_HEIGHT
        for state in BOARD_STATES:
            column = cards(app, state)
            assert column._lane_tops == [0, beta_line], state
        collected, analysed = cards(app, State.COLLECTED), cards(app, State.ANALYSED)
        assert analysed.scroll_y == collected.scroll_y == 0
        lines = drawn_lines(collected)
        assert lines[0].startswith("── Acme (4) ──") and lines[beta_line].startswith("── Beta (3) ──")
        # The other columns carry the rule on; an empty lane-cell stays empty, keeping the rows level.
        assert set(drawn_lines(analysed)[0]) == {"─"} and set(drawn_lines(analysed)[beta_line]) == {"─"}
        assert all(not line.strip() for line in drawn_lines(analysed)[1 + CARD_HEIGHT:beta_line])
        assert drawn_lines(analysed)[beta_line + 1].strip().startswith("▏REQ-")

        # l from Acme's third card: Analysed's Acme card (further up), not Beta's first (nearer).
        await pilot.press("j", "j")
        assert screen.selected.key == "REQ-3"
        await pilot.press("l")
        await pilot.pause()
        assert screen.selected.key == "REQ-5"
        # j goes on into the next lane, and scrolls every column with it: the selection stays in view.
        await pilot.press("j", "j")
        await pilot.pause()
        assert screen.selected.customer == "Beta" and analysed.scroll_y > 0
        assert {cards(app, state).scroll_y for state in BOARD_STATES} == {analysed.scroll_y}
        top = analysed.selected_line() - int(analysed.scroll_y)
        assert 0 < top and top + CARD_HEIGHT <= analysed.size.height + 1
        # Scrolled into a lane, its header stays on the top line (below it, the selected card whole).
        in_view = "Acme (4)" if analysed.scroll_y < beta_line else "Beta (3)"
        assert drawn_lines(collected)[0].startswith(f"── {in_view} ──") and set(drawn_lines(analysed)[0]) == {"─"}
        await pilot.press("h")
        await pilot.pause()
        assert screen.selected.key == "REQ-4"  # Beta's card in Collected
        await pilot.press("s")
        await pilot.pause()
        assert collected._lane_tops == [] and "──" not in "".join(drawn_lines(collected))


async def test_help_lists_reqboards_keys_in_groups_not_textuals(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(120, 40)) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        text = text_of(app.screen.query_one("#help-text"))
        lines = [" ".join(line.split()) for line in text.splitlines()]
        for heading in ("Moving around", "The selected requirement", "The board", "Anywhere"):
            assert heading in lines, heading
        moving, selected = lines.index("Moving around"), lines.index("The selected requirement")
        assert "← h Column left" in lines[moving:selected] and "> shift+→ Move on" in lines[selected:]
        assert "^q q Quit" in lines and "? Help" in lines
        for noise in ("Focus Next", "Focus Previous", "Page Left", "Page Right", "Copy selected text", "Scroll"):
            assert noise not in text, noise


def test_board_lanes_by_customer_80x24(snap_compare: Any, snap_app: ReqboardApp) -> None:
    """Lanes as rows at 80x24, scrolled to the last column (the leftmost in view names the lanes), the
    selection in view; the key bar keeps ? and q."""
    assert snap_compare(snap_app, terminal_size=SMALL, run_before=then("s", "s", select="REQ-7"))
