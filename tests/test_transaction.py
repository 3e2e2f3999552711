"""The store's one write path: `Board.transaction()` and what it guarantees."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import Conflict, NotFound, Outdated, Refused
from reqboard.store.models import State, Tier
from reqboard.store.snapshot import ABSENT

from board_locations import BoardLocation

FIXED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.fixture
def board(board_location: BoardLocation) -> Board:
    """REQ-1 and REQ-2 of ana's, on a board file and on a server board (conftest's `board_location`)."""
    b = board_location.board("ana", clock=lambda: FIXED)
    b.add_requirement("First", customer="ACME", tier=Tier.A)
    b.add_requirement("Second")
    return b


def test_a_dry_run_runs_to_the_end_and_writes_nothing(board: Board, board_location: BoardLocation) -> None:
    before = board_location.state()
    revision = board.revision
    with board.transaction() as tx:
        key = tx.next_key()
        req = tx.requirement("REQ-1")
        tx.put_requirement(tx.revise(req, owner="bo"), new=False)
        tx.record_event("REQ-1", "edited", field="owner", old="", new="bo")
        tx.set_setting("wip_limits", {"analysed": 3})
        tx.upsert_customer("Globex", Tier.C)
        tx.dry_run()
        reached = True  # the block goes on after dry_run
        assert tx.requirement("REQ-1").owner == "bo"  # it sees its own staged change
    assert reached and key == "REQ-3"
    assert board_location.state() == before
    assert board.revision == revision
    assert board.get("REQ-1").owner == ""
    assert board.settings() == {}
    assert [c.name for c in board.customers()] == ["ACME"]


def test_an_exception_in_the_block_writes_nothing(board: Board, board_location: BoardLocation) -> None:
    before = board_location.state()
    with pytest.raises(RuntimeError, match="boom"):
        with board.transaction() as tx:
            tx.put_requirement(tx.revise(tx.requirement("REQ-2"), title="Changed"), new=False)
            tx.record_event("REQ-2", "edited", field="title", old="Second", new="Changed")
            raise RuntimeError("boom")
    assert board_location.state() == before
    assert board.get("REQ-2").title == "Second"
    assert [e.action for e in board.history("REQ-2")] == ["created"]


def test_a_normal_exit_commits_everything_at_once(board: Board) -> None:
    revision = board.revision
    with board.transaction() as tx:
        assert tx.now == FIXED and tx.user == "ana"
        req = tx.requirement("REQ-1")
        moved = tx.revise(req, importance=3, urgency=2, **tx.enter(req, State.ANALYSED))
        tx.put_requirement(moved, new=False)
        tx.record_event(req.key, "moved", field="state", old="collected", new="analysed")
    assert board.revision != revision
    after = board.get("REQ-1")
    assert (after.state, after.version, after.updated_by, after.state_since) == (State.ANALYSED, 2, "ana", FIXED)
    assert after.entered_at[State.ANALYSED] == FIXED
    assert [(e.action, e.new) for e in board.history("REQ-1")][-1] == ("moved", "analysed")


def test_expect_refuses_a_plan_made_before_another_writers_commit(board: Board,
                                                                  board_location: BoardLocation) -> None:
    planned = board.snapshot()
    assert planned.revision == board.revision  # equal while nothing was committed
    other = board_location.board("bo")
    other.edit_requirement("REQ-2", {"owner": "bo"})
    assert board.revision != planned.revision
    before = board_location.state()
    with pytest.raises(Outdated) as caught:
        with board.transaction(expect=planned.revision) as tx:
            tx.record_event("board", "imported")
    assert caught.value.exit_code == 3
    assert board_location.state() == before
    with board.transaction(expect=board.snapshot().revision) as tx:  # planned again: accepted
        tx.record_event("board", "imported")
    assert board.history()[-1].action == "imported"


def test_an_empty_board_has_a_revision_too(board_location: BoardLocation) -> None:
    board = board_location.board("ana")
    empty = board.revision
    assert empty == board.snapshot().revision
    if not board_location.is_server:
        assert empty == ABSENT  # no file yet (a server board exists from `server init` on)
    with board.transaction(expect=empty) as tx:
        tx.put_requirement(board_requirement(tx.next_key(), tx.now), new=True)
    assert board.revision != empty


def board_requirement(key: str, at: datetime) -> dict[str, object]:
    return {"key": key, "uid": "u-" + key.lower() + "-0000", "title": "Imported", "state": "collected",
            "version": 1, "created_by": "x", "created_at": at.isoformat(), "updated_by": "x",
            "updated_at": at.isoformat()}


def test_next_key_never_hands_out_a_key_twice(board: Board, board_location: BoardLocation) -> None:
    with board.transaction() as tx:
        keys = [tx.next_key(), tx.next_key()]
        tx.put_requirement(board_requirement(keys[1], tx.now), new=True)
    assert keys == ["REQ-3", "REQ-4"]
    with board.transaction() as tx:
        assert tx.next_key() == "REQ-5"  # REQ-3 was reserved, and is never handed out again
        # A document stored under a higher key raises the counter past it.
        tx.put_requirement(board_requirement("REQ-40", tx.now), new=True)
        assert tx.next_key() == "REQ-41"
    # A counter lowered by hand still skips the keys in use.
    assert board.snapshot().next_requirement == 42
    board_location.set_next_requirement(1)
    fresh = board_location.board("ana")
    assert fresh.snapshot().next_requirement == 1
    assert fresh.add_requirement("Third").key == "REQ-3"
    assert fresh.add_requirement("Fourth").key == "REQ-5"


def test_next_key_refuses_past_the_last_key(board: Board) -> None:
    with board.transaction() as tx:
        tx.raise_counters(next_requirement=10**9)
        with pytest.raises(Refused) as caught:
            tx.next_key()
        tx.dry_run()
    assert caught.value.rule == "key.exhausted"


def test_counters_are_only_ever_raised(board: Board) -> None:
    with board.transaction() as tx:
        tx.raise_counters(next_requirement=1, next_change_request=7)
        assert tx.snapshot().next_requirement == 3
        assert tx.next_cr_key() == "CR-7"
    assert board.snapshot().next_change_request == 8


def test_put_refuses_a_taken_key_and_a_stale_version(board: Board) -> None:
    with board.transaction() as tx:
        req = tx.requirement("REQ-1")
        with pytest.raises(Refused) as taken:
            tx.put_requirement(req, new=True)
        assert taken.value.rule == "key.taken"
        stale = tx.revise(req, owner="x").model_copy(update={"version": 5})
        with pytest.raises(Conflict):
            tx.put_requirement(stale, new=False)
        with pytest.raises(NotFound):
            tx.requirement("REQ-99")
        tx.dry_run()


def test_check_version_raises_a_conflict_naming_who_saved(board: Board) -> None:
    with board.transaction() as tx:
        req = tx.requirement("REQ-1")
        tx.check_version(req, None)
        tx.check_version(req, 1)
        with pytest.raises(Conflict, match="ana saved version 1"):
            tx.check_version(req, 4)


def test_customers_are_added_and_their_tier_kept_or_updated(board: Board) -> None:
    with board.transaction() as tx:
        assert tx.customer_tier("acme") is Tier.A
        assert tx.customer_tier("Nobody") is None
        tx.upsert_customer("Globex", None)
        tx.upsert_customer("ACME", Tier.C, keep_tier=True)
        assert tx.customer_tier("ACME") is Tier.A
        tx.upsert_customer("acme", Tier.C)
        assert tx.snapshot().customers["Acme"]["tier"] == "C"
    assert {(c.name, c.tier) for c in board.customers()} == {("ACME", Tier.C), ("Globex", Tier.B)}


def test_events_keep_an_imported_time_and_author(board: Board) -> None:
    then = datetime(2020, 1, 2, tzinfo=UTC)
    with board.transaction() as tx:
        tx.record_event("REQ-1", "imported", field="key", new="REQ-1", at=then, by="carol")
        tx.set_setting("language", "en")
    history = board.history("REQ-1")
    event = history[0]  # the history reads in time order, whenever an event was written
    assert (event.at, event.by, event.by != board.user, event.action) == (then, "carol", True, "imported")
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert board.settings()["language"] == "en"


def test_the_snapshot_is_the_stored_records_by_key_number(board: Board) -> None:
    snap = board.snapshot()
    assert sorted(snap.requirements) == [1, 2] and 2 in snap.requirements and 3 not in snap.requirements
    assert snap.requirements[1]["title"] == "First"
    assert [r["key"] for r in snap.requirements.values()] == ["REQ-1", "REQ-2"]
    assert snap.customers["acme"]["name"] == "ACME"
    assert (snap.next_requirement, snap.next_change_request) == (3, 1)


def test_a_move_takes_the_raw_values_of_its_guards_inputs(board: Board) -> None:
    moved = board.move_requirement("REQ-1", "analysed", inputs={"importance": "4", "urgency": "2", "kano": "must_be"})
    assert (moved.state, moved.importance, moved.urgency, moved.version) == (State.ANALYSED, 4, 2, 2)
    approved = board.move_requirement("REQ-1", State.APPROVED, inputs={"comment": "fine"})
    assert approved.approvals[-1].comment == "fine" and approved.approvals[-1].by == "ana"


def test_an_approval_or_feedback_made_by_a_move_is_in_the_history_as_approve_and_feedback_write_it(
    board: Board,
) -> None:
    def trail(key: str) -> list[tuple[str, object, str]]:
        return [(e.action, e.new, e.reason) for e in board.history(key) if e.action in ("approved", "feedback", "moved")
                and e.new not in ("analysed", "in_progress", "done")]

    board.move_requirement("REQ-1", "analysed", inputs={"importance": "4", "urgency": "2", "kano": "must_be"})
    board.move_requirement("REQ-2", "analysed",
                           inputs={"customer": "Globex", "importance": "4", "urgency": "2", "kano": "must_be"})
    board.move_requirement("REQ-1", State.APPROVED, inputs={"comment": "fine"})
    board.approve("REQ-2", "fine")
    assert trail("REQ-1") == trail("REQ-2") == [("approved", "version 2", "fine"), ("moved", "approved", "fine")]
    for key in ("REQ-1", "REQ-2"):
        board.move_requirement(key, State.IN_PROGRESS, inputs={"owner": "ana"})
        board.move_requirement(key, State.DONE)
    board.move_requirement("REQ-1", State.FED_BACK, inputs={"satisfaction": "4", "channel": "email", "comment": "ok"})
    board.record_feedback("REQ-2", 4, "ok")
    assert trail("REQ-1") == trail("REQ-2") == [("approved", "version 2", "fine"), ("moved", "approved", "fine"),
                                                ("feedback", 4, "ok"), ("moved", "fed_back", "ok")]
