"""WIP limits on the board (issue #18, item 3): a move past a column's limit says so beside its own
notice; the palette makes the limits strict, and then such a move is refused and the card stays."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from reqboard.store.board import Board
from reqboard.store.models import State

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    card_keys,
    fill,
    form,
    open_app,
    select_card,
    settle,
    small,
    small_template,
    submit,
    text_of,
    wait_until,
)


async def test_a_move_past_a_wip_limit_warns_and_under_strict_limits_is_refused(small: Path) -> None:
    setup = Board(small, "anna")
    setup.move_requirement("REQ-7", State.DONE, reason="asked again")  # done: REQ-6, REQ-7
    setup.set_wip_limit(State.IN_PROGRESS, 2)  # REQ-5, REQ-8
    setup.set_wip_limit(State.DONE, 1)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)

        def said() -> list[tuple[str, str]]:
            return [(n.severity, n.message) for n in app._notifications]

        def header(state: State) -> str:
            return " ".join(text_of(app.screen.query_one(f"#header-{state.value}")).split())

        assert header(State.IN_PROGRESS) == "In progress 2/2"  # at its limit: full only when limits are strict
        assert not app.screen.query_one(f"#header-{State.IN_PROGRESS.value}").has_class("-full")

        # The form of a column's limit says where strictness is set.
        await select_card(pilot, "REQ-6")
        await pilot.press("w")
        assert "strict (ctrl+p: WIP limits)" in text_of(form(app).query_one("#dialog-intro"))
        await pilot.press("escape")
        await settle(pilot)
        # Advisory: moved, with a warning; leaving done (over its limit) is no warning.
        await pilot.press("<")
        fill(pilot, "#field-reason", "the report is empty on Mondays")
        await submit(pilot)
        assert Board(small, "check").get("REQ-6").state is State.IN_PROGRESS
        assert said() == [("warning", "In progress is over its WIP limit: 3 of 2"),
                          ("information", "REQ-6 moved to in progress")]

        # Strict, from the palette.
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        app.screen.query_one(Input).value = "WIP limits: refuse"
        hits = app.screen.query_one("CommandList", OptionList)
        await wait_until(pilot, lambda: hits.option_count and "WIP limits: refuse moves past them" in str(
            hits.get_option_at_index(0).prompt), "the palette's strict WIP limits")
        await pilot.press("enter")
        await settle(pilot)
        assert Board(small, "check").wip_strict()
        assert said()[-1] == ("information", "WIP limits are strict: a move past one is refused")
        await wait_until(pilot, lambda: header(State.DONE) == "Done 1/1 full", "done said to be full")
        assert app.screen.query_one(f"#header-{State.DONE.value}").has_class("-full")  # coloured: 80 columns cut the word
        assert header(State.IN_PROGRESS) == "In progress 3/2 over limit"

        # Into done (full: REQ-7): refused, said, and the card stays where it was.
        app.clear_notifications()
        await select_card(pilot, "REQ-6")
        await pilot.press(">")
        await settle(pilot)
        assert said() == [("error", "REQ-6 stays in progress: Done is full (1 of its WIP limit of 1) and this board's "
                                    "WIP limits are strict; move a requirement out of Done first, or raise the "
                                    "limit")]
        assert Board(small, "check").get("REQ-6").state is State.IN_PROGRESS
        assert "REQ-6" in card_keys(app, State.IN_PROGRESS) and card_keys(app, State.DONE) == ["REQ-7"]


async def test_a_new_requirement_past_the_collected_limit_warns(small: Path) -> None:
    """A new requirement lands in collected: past that column's limit it is made, with the warning."""
    Board(small, "anna").set_wip_limit(State.COLLECTED, 2)  # REQ-1, REQ-2
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        fill(pilot, "#field-title", "Invoices in Finnish")
        await submit(pilot)
        said = [(n.severity, n.message) for n in app._notifications]
        assert said == [("warning", "Collected is over its WIP limit: 3 of 2"), ("information", "REQ-10 created")]
