"""Issue #18 item 19: an undo that someone else's change since refused says who changed the requirement,
how, and that the undo was not applied (not "re-read it and retry", which means nothing for an undo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.tui.link import UndoEntry, UndoNotApplied, undo_call

from board_locations import BoardLocation
from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    fill,
    notifications,
    open_app,
    settle,
    small,
    small_template,
    submit,
)

ANALYSIS = {"customer": "Northwind Logistics", "importance": 4, "urgency": 3, "kano": "performance"}


def test_an_undo_someone_overtook_names_them_on_either_storage(board_location: BoardLocation) -> None:
    """The store side (file and server): the undo of ann's move, after bob changed the requirement."""
    ann, bob = board_location.board("ann"), board_location.board("bob")
    before = ann.add_requirement("Export invoices as PDF", channel="email")
    after = ann.move_requirement(before.key, State.ANALYSED, updates=ANALYSIS)
    bob.edit_requirement(before.key, {"owner": "Priya Nair"})
    undo = undo_call(UndoEntry(before, after, "moved"))
    with pytest.raises(UndoNotApplied) as refused:
        undo(ann)
    assert str(refused.value) == f"Undo not applied: bob changed {before.key} since (changed its owner)."
    assert refused.value.by == "bob" and "retry" not in str(refused.value)
    assert ann.get(before.key).state is State.ANALYSED  # nothing was undone

    bob.move_requirement(before.key, State.COLLECTED, reason="not analysed with the customer")
    with pytest.raises(UndoNotApplied, match=rf"^Undo not applied: bob changed {before.key} since \(moved it to "
                                             r"collected\)\.$"):
        undo(ann)


async def test_undo_refused_on_the_board_says_who_and_that_it_was_not_applied(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        fill(pilot, "#field-title", "Typo board")
        await submit(pilot)
        # Another process (anna) works on the new requirement before `u` takes it back.
        Board(small, "anna").move_requirement("REQ-10", State.ANALYSED, updates=ANALYSIS)
        await pilot.press("u")
        await settle(pilot)
        said = "Undo not applied: anna changed REQ-10 since (moved it to analysed)."
        assert said in notifications(app)
        assert not any("retry" in n for n in notifications(app))
        assert Board(small, "check").get("REQ-10").state is State.ANALYSED  # not rejected by the undo
        await pilot.press("u")  # the refused entry is gone: nothing older of this session to take back
        await settle(pilot)
        assert "Nothing to undo" in notifications(app)
