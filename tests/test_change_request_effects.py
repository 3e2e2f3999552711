"""What approving a change request does to its requirement and to the requirements around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import Refused
from reqboard.store.models import CRStatus, State, approval_text

from board_locations import BoardLocation


def _clock():
    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(minutes=5)
        return now[0]

    return tick


def _to(board: Board, key: str, state: State) -> None:
    board.edit_requirement(key, {"importance": 4, "urgency": 3, "kano": "performance", "customer": "ACME",
                                 "acceptance_criteria": ({"text": "exports A4", "done": True},)})
    board.move_requirement(key, State.ANALYSED)
    board.approve(key, "ok")
    if state is State.APPROVED:
        return
    board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"})
    if state is State.IN_PROGRESS:
        return
    board.move_requirement(key, State.DONE)
    if state is State.FED_BACK:
        board.record_feedback(key, 4, "fine")


@pytest.fixture
def board(board_location: BoardLocation) -> Board:
    """The lead's board, on a file and on a server (conftest's `board_location`)."""
    return board_location.board("lead", clock=_clock())


def _approved_cr(board: Board, key: str, **proposal) -> str:
    cr = board.add_change_request(key, "Landscape too", reason="customer asked", **proposal)
    board.assess_change_request(cr.key, schedule_days=3, cost=1200, effort_hours=20, risk="low")
    board.decide_change_request(cr.key, approve=True, rationale="worth it")
    return cr.key


@pytest.mark.parametrize("state", [State.DONE, State.FED_BACK])
def test_approval_applies_the_text_and_reopens_delivered_work(board: Board, state: State) -> None:
    key = board.add_requirement("Export to PDF").key
    _to(board, key, state)
    approved_text = approval_text(board.get(key))
    cr_key = _approved_cr(board, key, new_title="Export to PDF, portrait or landscape",
                          new_description="Both orientations.", new_criteria=["exports A4", "exports landscape"])
    req = board.get(key)
    assert req.title == "Export to PDF, portrait or landscape"
    assert req.description == "Both orientations."
    assert [c.text for c in req.acceptance_criteria] == ["exports A4", "exports landscape"]
    assert req.state is State.APPROVED
    assert req.entered_at[State.DONE] < req.state_since  # first entry kept, back in approved now
    # Changed since its approval, and the approved text is kept for the diff.
    assert not req.approval_current and req.approvals[-1].text == approved_text
    events = [(e.action, e.field) for e in board.history(key)]
    assert ("cr.approved", "status") in events and ("changed", "title") in events
    assert ("moved", "state") in events[events.index(("cr.approved", "status")):]
    _, cr = board.find_change_request(cr_key)
    assert cr.status is CRStatus.APPROVED and cr.decision.by == "lead" and cr.decision.rationale == "worth it"


def test_work_not_yet_delivered_keeps_its_state(board: Board) -> None:
    key = board.add_requirement("Export to PDF").key
    _to(board, key, State.IN_PROGRESS)
    _approved_cr(board, key, new_title="Export to PDF and PNG")
    req = board.get(key)
    assert req.state is State.IN_PROGRESS and req.title == "Export to PDF and PNG"


def test_dependents_and_assessed_requirements_become_suspect_until_reviewed(board: Board) -> None:
    base = board.add_requirement("Base").key
    dependent = board.add_requirement("Uses base", depends_on=(base,)).key
    listed = board.add_requirement("Listed in the assessment").key
    untouched = board.add_requirement("Unrelated").key
    rejected = board.add_requirement("Rejected dependent", depends_on=(base,)).key
    board.reject(rejected, "not needed")
    cr = board.add_change_request(base, "Rename", new_title="Base, renamed")
    board.assess_change_request(cr.key, schedule_days=0, cost=0, effort_hours=1, affects=[listed])
    board.decide_change_request(cr.key, approve=True, rationale="ok")
    assert board.get(dependent).suspect == f"{cr.key} changed {base}"
    assert board.get(listed).suspect == f"{cr.key} changed {base}"
    assert board.get(untouched).suspect == "" and board.get(rejected).suspect == ""
    assert board.get(base).suspect == ""
    reviewed = board.review(dependent, "still valid")
    assert reviewed.suspect == "" and reviewed.reviews[-1].by == "lead"
    assert ("reviewed", "suspect") in [(e.action, e.field) for e in board.history(dependent)]
    with pytest.raises(Refused):
        board.review(untouched)


def test_a_rejected_change_request_changes_nothing(board: Board) -> None:
    key = board.add_requirement("Export to PDF").key
    _to(board, key, State.DONE)
    before = board.get(key)
    cr = board.add_change_request(key, "Landscape", new_title="Landscape PDF")
    board.decide_change_request(cr.key, approve=False, rationale="out of scope")
    after = board.get(key)
    assert (after.title, after.state, after.approval_current) == (before.title, State.DONE, True)
    with pytest.raises(Refused, match="cannot be reopened"):
        board.assess_change_request(cr.key, schedule_days=1, cost=1, effort_hours=1)
