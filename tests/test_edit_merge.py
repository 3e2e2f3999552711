"""`revisions.merge_edit`: an edit typed on an older version of a requirement, merged onto the saved one
(what the TUI's edit form does when someone saved the card meanwhile)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue
from reqboard.store.models import Criterion, Requirement, State, Tier
from reqboard.store.revisions import FieldConflict, merge_edit


@pytest.fixture
def opened(board_of: Callable[..., Board]) -> tuple[Board, Requirement]:
    """A board of ann's and REQ-1 as ann's form opened it."""
    board = board_of(2)
    return board, board.edit_requirement("REQ-1", {"owner": "Priya", "tags": ("billing",)})


def test_fields_changed_on_each_side_merge(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    current = board.edit_requirement("REQ-1", {"owner": "Max", "urgency": 2})
    merge = merge_edit(base, {"title": "Invoices as PDF", "owner": "Priya"}, current)
    assert merge.clean and merge.conflicts == ()
    assert merge.changes == {"title": "Invoices as PDF"}  # the owner typed is the one opened: no change
    assert merge.yours == ("title",)
    assert merge.theirs == ("urgency", "owner")  # in the requirement's field order
    saved = board.edit_requirement("REQ-1", merge.changes, expect_version=current.version)
    assert (saved.title, saved.owner, saved.urgency) == ("Invoices as PDF", "Max", 2)


def test_a_field_both_changed_to_different_values_is_a_conflict(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    current = board.edit_requirement("REQ-1", {"title": "Their title", "urgency": 2})
    merge = merge_edit(base, {"title": "My title", "importance": "4"}, current)
    assert not merge.clean
    assert merge.conflicts == (FieldConflict("title", "Requirement 1", "Their title", "My title"),)
    assert merge.changes == {"importance": 4}  # the rest still merges
    assert merge.yours == ("title", "importance")


def test_a_field_both_changed_to_the_same_value_is_no_conflict_and_no_change(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    current = board.edit_requirement("REQ-1", {"owner": "Max"})
    merge = merge_edit(base, {"owner": "Max"}, current)
    assert merge.clean and merge.changes == {} and merge.yours == ("owner",)


def test_typed_values_compare_as_the_store_would_save_them(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    base = board.edit_requirement("REQ-1", {"tier": Tier.A, "acceptance_criteria": ({"text": "one PDF"},),
                                            "due": date(2026, 5, 1), "effort_estimate": 8.0})
    current = board.edit_requirement("REQ-1", {"tier": "B", "acceptance_criteria": ({"text": "two PDFs"},),
                                               "due": date(2026, 6, 1), "effort_estimate": 9.0})
    # As a form gives them back: strings, dicts, the same values as opened. None is a change.
    typed = {"tier": "A", "acceptance_criteria": ({"text": "one PDF", "done": False},), "due": date(2026, 5, 1),
             "effort_estimate": 8, "tags": ["billing"], "owner": "Priya"}
    merge = merge_edit(base, typed, current)
    assert merge.clean and merge.changes == {} and merge.yours == ()
    merge = merge_edit(base, {**typed, "acceptance_criteria": ({"text": "one PDF", "done": True},)}, current)
    assert [c.field for c in merge.conflicts] == ["acceptance_criteria"]
    assert merge.conflicts[0].yours == (Criterion(text="one PDF", done=True),)
    assert merge.conflicts[0].theirs == (Criterion(text="two PDFs"),)


def test_clearing_a_field_is_a_change(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    current = board.edit_requirement("REQ-1", {"urgency": 3})
    merge = merge_edit(base, {"owner": "", "tags": ()}, current)
    assert merge.changes == {"owner": "", "tags": ()}
    saved = board.edit_requirement("REQ-1", merge.changes, expect_version=current.version)
    assert (saved.owner, saved.tags, saved.urgency) == ("", (), 3)


def test_a_move_meanwhile_is_theirs_and_never_conflicts(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    current = board.reject("REQ-1", "out of scope")
    merge = merge_edit(base, {"title": "Still wanted"}, current)
    assert merge.clean and merge.changes == {"title": "Still wanted"}
    assert merge.theirs == ("state", "rejection_reason")


def test_nothing_saved_meanwhile_merges_to_the_typed_changes(opened: tuple[Board, Requirement]) -> None:
    _, base = opened
    merge = merge_edit(base, {"title": "New", "owner": "Priya"}, base)
    assert merge.changes == {"title": "New"} and merge.theirs == () and merge.clean


def test_a_bad_value_or_field_is_refused_naming_it(opened: tuple[Board, Requirement]) -> None:
    board, base = opened
    current = board.edit_requirement("REQ-1", {"owner": "Max"})
    with pytest.raises(InvalidValue) as bad:
        merge_edit(base, {"urgency": 9}, current)
    assert "urgency" in bad.value.errors
    with pytest.raises(InvalidValue, match="cannot edit field.*state"):
        merge_edit(base, {"state": State.DONE}, current)
    with pytest.raises(InvalidValue, match="another requirement"):
        merge_edit(base, {"title": "x"}, board.get("REQ-2"))
