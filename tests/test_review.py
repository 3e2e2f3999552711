"""Review and control (issue #15) through the store: sign-off by role, re-approval of a changed text,
dependencies and conflicts that act on moves and approvals, change requests that reach the plan.

Every test runs on a board file and on a server board (conftest's `board_location`). Each refusal is
asserted by its rule id, which the CLI and the board show and scripts rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, NotFound, Refused
from reqboard.store.labels import stored_note
from reqboard.store.models import CRStatus, State

from board_locations import BoardLocation

ANALYSIS = {"customer": "ACME", "importance": 4, "urgency": 3, "kano": "performance"}


def ticking() -> Callable[[], datetime]:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(minutes=1)
        return now[0]

    return tick


@pytest.fixture
def people(board_location: BoardLocation) -> Callable[[str], Board]:
    """`people("bob")`: the one board, opened by that person (all on one clock)."""
    clock = ticking()
    return lambda user: board_location.board(user, clock=clock)


@pytest.fixture
def board(people: Callable[[str], Board]) -> Board:
    return people("lead")


def analysed(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = board.add_requirement(title, **{**ANALYSIS, **fields}).key
    board.move_requirement(key, State.ANALYSED)
    return key


def approved(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    """A requirement signed off by every role the board names (none: by the board's user)."""
    key = analysed(board, title, **fields)
    for role in board.signoff_roles() or ("",):
        board.approve(key, "fine", role=role)
    assert board.get(key).state is State.APPROVED
    return key


def in_progress(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = approved(board, title, **fields)
    board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"})
    return key


def done(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = in_progress(board, title, **fields)
    board.move_requirement(key, State.DONE)
    return key


def refused(rule: str, call: Callable[[], Any]) -> Refused:
    with pytest.raises(Refused) as info:
        call()
    assert info.value.rule == rule, str(info.value)
    assert info.value.exit_code == 1
    return info.value


def events(board: Board, key: str, action: str) -> list[Any]:
    return [e for e in board.history(key) if e.action == action]


# ============================================================================ sign-off roles
def test_the_boards_signoff_roles_are_a_setting_with_its_history(board: Board) -> None:
    assert board.signoff_roles() == ()
    assert board.set_signoff_roles([" customer ", "Product", "CUSTOMER"]) == ("customer", "Product")
    assert board.signoff_roles() == ("customer", "Product")
    setting = [e for e in board.history() if e.action == "settings" and e.field == "signoff_roles"]
    assert [(e.key, e.old, e.new) for e in setting] == [("board", [], ["customer", "Product"])]
    assert board.set_signoff_roles([]) == () and board.signoff_roles() == ()
    for bad in ([" "], ["x" * 41], [f"role {n}" for n in range(13)]):
        with pytest.raises(InvalidValue):
            board.set_signoff_roles(bad)
    assert board.signoff_roles() == ()


def test_each_role_signs_and_the_last_one_approves(people: Callable[[str], Board]) -> None:
    lead, carol = people("lead"), people("carol")
    lead.set_signoff_roles(["customer", "product"])
    key = analysed(lead)
    signed = lead.approve(key, "as the customer wants", role="Customer")  # any case names the role
    assert signed.state is State.ANALYSED
    assert [(a.by, a.role) for a in signed.approvals] == [("lead", "customer")]
    current, missing = lead.signoff_status(signed)
    assert [a.role for a in current] == ["customer"] and missing == ("product",)
    done_signing = carol.approve(key, role="product")
    assert done_signing.state is State.APPROVED
    assert lead.signoff_status(done_signing)[1] == ()
    third = refused("approved.same", lambda: lead.approve(key, role="customer"))
    assert str(third) == f"{key} is already signed off by customer (lead) and unchanged since"
    notes = [e.new for e in events(lead, key, "approved")]
    assert notes == ["version 2 as customer", "version 3 as product"]
    assert [e.reason for e in events(lead, key, "approved")] == ["as the customer wants", ""]


def test_a_role_the_board_does_not_name_or_none_is_refused(board: Board) -> None:
    board.set_signoff_roles(["customer", "product"])
    key = analysed(board)
    with pytest.raises(InvalidValue) as other:
        board.approve(key, role="legal")
    assert "'legal' is not a sign-off role of this board (customer, product)" in str(other.value)
    assert set(other.value.errors) == {"role"}
    with pytest.raises(InvalidValue) as none:
        board.approve(key)
    assert str(none.value) == f"{key}: this board signs off by role: add --role customer|product"
    assert board.get(key).approvals == () and board.get(key).version == 2


def test_without_roles_one_signoff_approves_and_a_second_signer_is_recorded(people: Callable[[str], Board]) -> None:
    lead, carol = people("lead"), people("carol")
    key = analysed(lead)
    first = lead.approve(key, "ok")
    assert first.state is State.APPROVED and [a.role for a in first.approvals] == [""]
    again = refused("approved.same", lambda: lead.approve(key, "again"))
    assert str(again) == f"{key} is already approved and unchanged since"
    second = carol.approve(key, "me too")
    assert [a.by for a in second.approvals] == ["lead", "carol"] and second.state is State.APPROVED
    assert [e.by for e in events(lead, key, "approved")] == ["lead", "carol"]


def test_a_signoff_recorded_for_someone_else_names_them(board: Board) -> None:
    board.set_signoff_roles(["customer", "product"])
    key = analysed(board)
    req = board.approve(key, "by phone", role="customer", on_behalf_of="  Li   Wei ")
    approval = req.approvals[-1]
    assert (approval.by, approval.on_behalf_of, approval.signer, approval.role) == ("lead", "Li Wei", "Li Wei",
                                                                                    "customer")
    note = events(board, key, "approved")[-1].new
    assert note == "version 2 as customer for Li Wei"
    assert stored_note(note) == "version 2 as customer for Li Wei"
    # Li Wei signed as the customer: the lead can still sign as product, not as the customer again.
    again = refused("approved.same", lambda: board.approve(key, role="customer"))
    assert "customer (Li Wei)" in str(again)
    assert board.approve(key, role="product").state is State.APPROVED


def test_a_move_with_only_signoff_inputs_is_a_signoff(board: Board) -> None:
    board.set_signoff_roles(["customer", "product"])
    key = analysed(board)
    plain = refused("approved.approval", lambda: board.move_requirement(key, State.APPROVED))
    assert "a sign-off by customer and product" in str(plain)
    assert f"reqboard approve {key} --role customer" in str(plain)
    first = board.move_requirement(key, State.APPROVED, inputs={"role": "customer", "comment": "yes"})
    assert first.state is State.ANALYSED and first.approvals[-1].comment == "yes"
    second = board.move_requirement(key, State.APPROVED, inputs={"role": "product", "on_behalf_of": "Dana"})
    assert second.state is State.APPROVED and second.approvals[-1].signer == "Dana"
    assert len(events(board, key, "approved")) == 2


def test_a_requirement_signed_off_and_moved_back_is_approved_again_without_a_second_signature(board: Board) -> None:
    key = approved(board)
    board.move_requirement(key, State.ANALYSED, reason="one more look")
    again = board.approve(key)
    assert again.state is State.APPROVED and len(again.approvals) == 1


def test_approve_refuses_what_is_not_analysed(board: Board) -> None:
    key = board.add_requirement("Export").key
    refused("approved.no_skip", lambda: board.approve(key))
    board.reject(key, "duplicate")
    gone = refused("approved.no_skip", lambda: board.approve(key))
    assert f"reqboard move {key} collected --reason TEXT" in str(gone)


# ============================================================================ re-approval (CHG)
def test_a_text_changed_after_signoff_must_be_signed_again_by_every_role(board: Board) -> None:
    board.set_signoff_roles(["customer", "product"])
    key = in_progress(board)
    changed = board.edit_requirement(key, {"description": "Portrait and landscape."})
    assert changed.current_approvals == ()
    assert board.signoff_status(changed)[1] == ("customer", "product")
    assert workflow.reapproval_pending(changed, workflow.Rules(signoff_roles=("customer", "product")))
    first = refused("approved.reapproval", lambda: board.move_requirement(key, State.DONE))
    assert str(first) == (f"{key} changed since it was approved and needs a sign-off of its new text by customer "
                          f"and product before it can be done: reqboard approve {key} --role customer")
    resigned = board.approve(key, role="customer")
    assert resigned.state is State.IN_PROGRESS  # a sign-off moves only an analysed requirement
    second = refused("approved.reapproval", lambda: board.move_requirement(key, State.DONE))
    assert "by product before" in str(second) and "--role product" in str(second)
    board.approve(key, role="product")
    assert board.move_requirement(key, State.DONE).state is State.DONE


def test_without_roles_one_approval_of_the_new_text_lets_it_move_on(board: Board) -> None:
    key = approved(board)
    board.edit_requirement(key, {"title": "Export to PDF/A"})
    stale = refused("approved.reapproval", lambda: board.move_requirement(key, State.IN_PROGRESS,
                                                                           updates={"owner": "anna"}))
    assert "needs an approval of its new text" in str(stale)
    board.approve(key, "still right")
    assert board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}).state is State.IN_PROGRESS


def test_a_text_reapproved_before_the_board_named_roles_is_not_asked_again(board: Board) -> None:
    key = approved(board)
    board.edit_requirement(key, {"title": "Export to PDF/A"})
    board.approve(key, "still right")  # re-approved while the board named no roles
    board.set_signoff_roles(["customer", "product"])
    card = next(c for c in board.cards() if c.key == key)
    assert not card.needs_reapproval(board.signoff_roles())  # no CHG on a text that was signed
    assert board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}).state is State.IN_PROGRESS
    # A change made now is signed again in the roles the board names.
    board.edit_requirement(key, {"title": "Export to PDF/A-3"})
    assert next(c for c in board.cards() if c.key == key).needs_reapproval(board.signoff_roles())
    board.approve(key, role="customer")
    refused("approved.reapproval", lambda: board.move_requirement(key, State.DONE))


def test_moving_back_needs_no_reapproval(board: Board) -> None:
    key = in_progress(board)
    board.edit_requirement(key, {"description": "changed"})
    assert board.move_requirement(key, State.APPROVED, reason="rethink").state is State.APPROVED


# ============================================================================ dependencies
def test_work_waits_for_what_it_depends_on(board: Board) -> None:
    base = approved(board, "Payment API")
    key = approved(board, "Checkout page", depends_on=(base,))
    refusal = refused("dependency.open", lambda: board.move_requirement(key, State.IN_PROGRESS,
                                                                         updates={"owner": "anna"}))
    assert str(refusal) == (f"{key} depends on {base}, not yet done: finish it first, or move anyway with "
                            "--override-dependency --reason TEXT")
    assert board.get(key).state is State.APPROVED and board.get(key).owner == ""
    board.move_requirement(base, State.IN_PROGRESS, updates={"owner": "bob"})
    refused("dependency.open", lambda: board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}))
    board.move_requirement(base, State.DONE)
    assert board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}).state is State.IN_PROGRESS
    assert board.links().blockers(key) == () and not board.links().blocked(key)
    assert events(board, key, "dependency_overridden") == []


def test_a_dependency_fed_back_counts_as_finished(board: Board) -> None:
    base = done(board, "Payment API")
    board.record_feedback(base, 5, "happy")
    key = approved(board, "Checkout page", depends_on=(base,))
    assert board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}).state is State.IN_PROGRESS


def test_an_override_needs_a_reason_and_is_recorded(board: Board) -> None:
    first = approved(board, "Payment API")
    second = approved(board, "Fraud checks")
    key = approved(board, "Checkout page", depends_on=(first, second))
    no_reason = refused("dependency.override_reason", lambda: board.move_requirement(
        key, State.IN_PROGRESS, updates={"owner": "anna"}, override_dependency=True))
    assert f"before {first} and {second} are done" in str(no_reason)
    moved = board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}, override_dependency=True,
                                   reason="the API contract is frozen")
    assert moved.state is State.IN_PROGRESS
    (override,) = events(board, key, "dependency_overridden")
    assert (override.field, override.old, override.new, override.reason, override.by) == (
        "depends_on", [first, second], "in_progress", "the API contract is frozen", "lead")
    # Finishing waits too: each move past an unfinished dependency is its own decision.
    refused("dependency.open", lambda: board.move_requirement(key, State.DONE))
    board.move_requirement(key, State.DONE, override_dependency=True, reason="shipped behind a flag")
    assert [e.new for e in events(board, key, "dependency_overridden")] == ["in_progress", "done"]


def test_a_move_back_into_progress_waits_for_what_it_depends_on(board: Board) -> None:
    base = done(board, "Payment API")
    key = done(board, "Checkout page", depends_on=(base,))
    board.move_requirement(base, State.IN_PROGRESS, reason="a bug")
    refused("dependency.open", lambda: board.move_requirement(key, State.IN_PROGRESS, reason="a bug here too"))
    moved = board.move_requirement(key, State.IN_PROGRESS, reason="a bug here too", override_dependency=True)
    assert moved.state is State.IN_PROGRESS
    assert [e.new for e in events(board, key, "dependency_overridden")] == ["in_progress"]


def test_a_rejected_dependency_says_to_drop_the_link(board: Board) -> None:
    base = analysed(board, "Payment API")
    key = approved(board, "Checkout page", depends_on=(base,))
    board.reject(base, "bought instead")
    refusal = refused("dependency.open", lambda: board.move_requirement(key, State.IN_PROGRESS,
                                                                         updates={"owner": "anna"}))
    assert "which was rejected and will not be done" in str(refusal)
    assert f"reqboard edit {key} --depends-on KEY" in str(refusal)
    board.edit_requirement(key, {"depends_on": ()})
    assert board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}).state is State.IN_PROGRESS


def test_a_dependency_that_closes_a_cycle_is_refused_when_made(board: Board) -> None:
    first = board.add_requirement("One").key
    second = board.add_requirement("Two", depends_on=(first,)).key
    third = board.add_requirement("Three", depends_on=(second,)).key
    direct = refused("dependency.cycle", lambda: board.edit_requirement(first, {"depends_on": (second,)}))
    assert str(direct) == (f"{first} cannot depend on {second}: {second} already depends on {first} "
                           f"({second} → {first}), and work that waits on itself never starts")
    chain = refused("dependency.cycle", lambda: board.edit_requirement(first, {"depends_on": (third,)}))
    assert f"({third} → {second} → {first})" in str(chain)
    assert board.get(first).depends_on == () and board.get(first).version == 1
    with pytest.raises(InvalidValue, match="cannot list itself"):
        board.edit_requirement(first, {"depends_on": (first,)})
    with pytest.raises(NotFound):
        board.edit_requirement(first, {"depends_on": ("REQ-99",)})
    # Not a cycle: two paths to the same requirement.
    assert board.edit_requirement(third, {"depends_on": (second, first)}).depends_on == (second, first)
    assert board.links().needed_by(first) == (second, third)


# ============================================================================ conflicts
def test_a_conflict_is_symmetric_and_mirrored_when_edited(board: Board) -> None:
    first = board.add_requirement("Dark mode only").key
    second = board.add_requirement("Light mode only").key
    board.edit_requirement(first, {"conflicts_with": (second,)})
    assert board.get(second).conflicts_with == (first,)
    links = board.links()
    assert links.conflicts_of(first) == (second,) and links.conflicts_of(second) == (first,)
    (mirrored,) = [e for e in board.history(second) if e.field == "conflicts_with"]
    assert (mirrored.old, mirrored.new) == ([], [first])
    assert stored_note(mirrored.reason) == f"as {first} lists the conflict"
    board.edit_requirement(first, {"conflicts_with": ()})
    assert board.get(second).conflicts_with == () and board.links().conflicts_of(second) == ()
    third = board.add_requirement("System theme", conflicts_with=(first,)).key
    assert board.get(first).conflicts_with == (third,)


def test_an_open_conflict_stops_approval_until_resolved_on_both(people: Callable[[str], Board]) -> None:
    board, carol = people("lead"), people("carol")
    first = analysed(board, "Dark mode only")
    second = analysed(board, "Light mode only", conflicts_with=(first,))
    blocked = refused("approved.conflict", lambda: board.approve(first))
    assert str(blocked) == (f"{first} is in conflict with {second}: settle it first with reqboard resolve {first} "
                            f"{second} --decision TEXT (and --reject KEY to reject one of them)")
    refused("approved.conflict", lambda: board.move_requirement(second, State.APPROVED, inputs={"comment": "ok"}))
    assert board.links().open_conflicts(first) == (second,)
    one, other = carol.resolve_conflict(first, second, "  Both, as a setting  ")
    for req, partner in ((one, other), (other, one)):
        (resolution,) = req.resolutions
        assert (resolution.other, resolution.other_uid, resolution.by, resolution.decision, resolution.rejected) == (
            partner.key, partner.uid, "carol", "Both, as a setting", None)
        assert [(e.new, e.reason) for e in events(board, req.key, "resolved")] == [(partner.key, "Both, as a setting")]
    assert board.links().open_conflicts(first) == () and board.links().is_resolved(second, first)
    assert board.approve(first).state is State.APPROVED
    assert board.approve(second).state is State.APPROVED
    refused("conflict.resolved", lambda: board.resolve_conflict(second, first, "again"))


def test_a_conflict_taken_out_and_declared_again_needs_a_new_decision(board: Board) -> None:
    first = analysed(board, "Dark mode only")
    second = analysed(board, "Light mode only", conflicts_with=(first,))
    board.resolve_conflict(first, second, "both, as a setting")
    board.edit_requirement(second, {"conflicts_with": ()}, reason="not in conflict after all")
    assert board.get(first).resolutions == () and board.get(second).resolutions == ()
    dropped = [e for e in board.history(first) + board.history(second) if e.field == "resolutions"]
    assert [(e.key, e.old) for e in dropped] == [(first, ["both, as a setting"]), (second, ["both, as a setting"])]
    assert [e.action for e in board.history(first) if e.action == "resolved"] == ["resolved"]  # still on record
    board.edit_requirement(first, {"conflicts_with": (second,)})
    assert board.links().open_conflicts(second) == (first,)
    refused("approved.conflict", lambda: board.approve(second))


def test_resolve_refuses_what_is_not_a_conflict_or_not_a_decision(board: Board) -> None:
    first = board.add_requirement("One").key
    second = board.add_requirement("Two", conflicts_with=(first,)).key
    third = board.add_requirement("Three").key
    refused("conflict.none", lambda: board.resolve_conflict(first, third, "nothing"))
    with pytest.raises(InvalidValue, match="--decision TEXT"):
        board.resolve_conflict(first, second, "   ")
    with pytest.raises(InvalidValue, match=f"not {third}"):
        board.resolve_conflict(first, second, "keep one", reject=third)
    with pytest.raises(NotFound):
        board.resolve_conflict(first, "REQ-99", "x")
    assert board.get(first).resolutions == () and board.get(second).version == 1


def test_resolve_can_reject_one_side_but_not_one_that_is_done(board: Board) -> None:
    first = analysed(board, "Dark mode only")
    second = analysed(board, "Light mode only", conflicts_with=(first,))
    one, other = board.resolve_conflict(first, second, "customers prefer dark", reject=second)
    assert (other.state, other.rejection_reason) == (State.REJECTED, "customers prefer dark")
    assert one.state is State.ANALYSED and one.resolutions[0].rejected == second
    assert board.approve(first).state is State.APPROVED
    shipped = done(board, "Shipped")
    fresh = analysed(board, "Undo shipped", conflicts_with=(shipped,))
    late = refused("rejected.before_done", lambda: board.resolve_conflict(fresh, shipped, "keep", reject=shipped))
    assert shipped in str(late)
    assert board.get(shipped).resolutions == () and board.get(fresh).resolutions == ()


def test_a_rejected_partner_no_longer_stops_approval(board: Board) -> None:
    first = analysed(board, "Dark mode only")
    second = board.add_requirement("Light mode only", conflicts_with=(first,)).key
    refused("approved.conflict", lambda: board.approve(first))
    board.reject(second, "out of scope")
    assert board.links().open_conflicts(first) == ()
    assert board.approve(first).state is State.APPROVED


# ============================================================================ change requests
def test_an_approved_change_request_reaches_the_plan(board: Board) -> None:
    key = in_progress(board, due=date(2026, 6, 1), effort_estimate=10)
    cr = board.add_change_request(key, "Move to Ravi", new_due="2026-07-15", new_owner="Ravi", new_importance=5,
                                  new_urgency=2)
    assert (cr.proposed_due, cr.proposed_owner, cr.proposed_importance, cr.proposed_urgency) == (
        date(2026, 7, 15), "Ravi", 5, 2)
    board.assess_change_request(cr.key, schedule_days=30, cost=0, effort_hours=6.5)
    before = board.get(key)
    assert (before.due, before.owner) == (date(2026, 6, 1), "anna")  # nothing applies before the decision
    board.decide_change_request(cr.key, approve=True, rationale="Ravi knows the module")
    req = board.get(key)
    # The proposed due date wins over the assessed days; the effort is added.
    assert (req.due, req.owner, req.importance, req.urgency, req.effort_estimate) == (
        date(2026, 7, 15), "Ravi", 5, 2, 16.5)
    assert req.state is State.IN_PROGRESS and req.approval_current  # the text did not change
    changed = {e.field: (e.old, e.new) for e in board.history(key) if e.action == "changed"}
    assert changed["due"] == ("2026-06-01", "2026-07-15") and changed["owner"] == ("anna", "Ravi")
    assert changed["effort_estimate"] == (10.0, 16.5)


def test_assessed_days_move_the_due_date_rounded_up(board: Board) -> None:
    key = approved(board, due=date(2026, 6, 1))
    undated = approved(board, "No due date")
    for target in (key, undated):
        cr = board.add_change_request(target, "More formats")
        board.assess_change_request(cr.key, schedule_days=2.25, cost=100, effort_hours=4)
        board.decide_change_request(cr.key, approve=True, rationale="ok")
    assert board.get(key).due == date(2026, 6, 4)
    assert (board.get(undated).due, board.get(undated).effort_estimate) == (None, 4)


def test_a_change_request_past_the_last_date_is_refused_with_a_message(board: Board) -> None:
    key = approved(board, due=date(9999, 12, 30))
    cr = board.add_change_request(key, "Later still")
    board.assess_change_request(cr.key, schedule_days=5, cost=0, effort_hours=0)
    with pytest.raises(InvalidValue, match="past the year 9999"):
        board.decide_change_request(cr.key, approve=True, rationale="ok")
    assert board.find_change_request(cr.key)[1].status is CRStatus.ASSESSED


def test_who_must_be_told_and_who_was(people: Callable[[str], Board]) -> None:
    board, carol = people("lead"), people("carol")
    key = approved(board)
    cr = board.add_change_request(key, "Landscape too")
    refused("cr.notify_none", lambda: board.record_notified(cr.key, "Li Wei"))
    assessed = board.assess_change_request(cr.key, schedule_days=1, cost=0, effort_hours=1,
                                           notify=["Li Wei", " li wei ", "Ops team"])
    assert assessed.assessment is not None and assessed.assessment.notify == ("Li Wei", "Ops team")
    assert assessed.to_notify == ("Li Wei", "Ops team")
    told = carol.record_notified(cr.key, "LI WEI")
    assert [(n.name, n.by) for n in told.notified] == [("Li Wei", "carol")]
    assert told.to_notify == ("Ops team",) and board.find_change_request(cr.key)[1].to_notify == ("Ops team",)
    twice = refused("cr.notified_already", lambda: board.record_notified(cr.key, "li wei"))
    assert str(twice).startswith(f"Li Wei was told of {cr.key} already, by carol ")
    unknown = refused("cr.notify_unknown", lambda: board.record_notified(cr.key, "Dana"))
    assert str(unknown) == f"'Dana' is not among those {cr.key} must be told of (Li Wei, Ops team)"
    (event,) = events(board, key, "cr.notified")
    assert (event.cr, event.field, event.new, event.by) == (cr.key, "notified", "Li Wei", "carol")
    unassessed = board.add_change_request(key, "Another")
    board.assess_change_request(unassessed.key, schedule_days=0, cost=0, effort_hours=0)
    refused("cr.notify_none", lambda: board.record_notified(unassessed.key, "Li Wei"))


# ============================================================================ undo
def test_undoing_a_signoff_restores_the_requirement(board: Board) -> None:
    key = analysed(board)
    before = board.get(key)
    after = board.approve(key, "ok")
    restored = board.replace_requirement(before, expect_version=after.version)
    assert (restored.state, restored.approvals, restored.version) == (State.ANALYSED, (), after.version + 1)


def test_undoing_a_resolution_reopens_the_conflict_on_both_sides(board: Board) -> None:
    first = analysed(board, "Dark mode only")
    second = analysed(board, "Light mode only", conflicts_with=(first,))
    before = board.get(first)
    one, _other = board.resolve_conflict(first, second, "both")
    restored = board.replace_requirement(before, expect_version=one.version)
    assert restored.resolutions == () and board.get(second).resolutions == ()
    assert board.links().open_conflicts(first) == (second,)
    refused("approved.conflict", lambda: board.approve(second))
    (undone,) = events(board, second, "undone")
    assert (undone.field, undone.old, stored_note(undone.reason)) == ("resolutions", "both", f"undone on {first}")


def test_undoing_an_edit_keeps_links_whole(board: Board) -> None:
    first = board.add_requirement("One").key
    second = board.add_requirement("Two").key
    before = board.get(first)
    after = board.edit_requirement(first, {"conflicts_with": (second,)})
    board.replace_requirement(before, expect_version=after.version)
    assert board.get(second).conflicts_with == () and board.links().conflicts_of(second) == ()
    # A dependency taken out, then made the other way round: putting it back would close a cycle.
    linked = board.edit_requirement(first, {"depends_on": (second,)})
    unlinked = board.edit_requirement(first, {"depends_on": ()})
    board.edit_requirement(second, {"depends_on": (first,)})
    refused("dependency.cycle", lambda: board.replace_requirement(linked, expect_version=unlinked.version))
    assert board.get(first).depends_on == ()



# ============================================================================ hostile input
def test_hostile_text_in_signoffs_decisions_and_notices_is_cleaned_or_refused(board: Board) -> None:
    board.set_signoff_roles(["customer"])
    key = analysed(board)
    signed = board.approve(key, "ok\x1b[31m", role="customer", on_behalf_of="Li\x07 Wei")
    assert (signed.approvals[-1].on_behalf_of, signed.approvals[-1].comment) == ("Li Wei", "ok[31m")
    other = analysed(board, "Other")
    with pytest.raises(InvalidValue, match="approval"):
        board.approve(other, role="customer", on_behalf_of="x" * 81)
    with pytest.raises(InvalidValue, match="cannot be shown"):
        board.set_signoff_roles(["\x1b"])
    with pytest.raises(InvalidValue, match="cannot be shown"):
        board.set_signoff_roles(["cust\u202eomer"])  # a bidi override: refused, not stored to mislead
    with pytest.raises(InvalidValue, match="sign-off role needs a name"):
        board.set_signoff_roles(["  "])
    rival = board.add_requirement("Rival", conflicts_with=(other,)).key
    with pytest.raises(InvalidValue, match="decision"):
        board.resolve_conflict(other, rival, "x" * 2001)
    one, _two = board.resolve_conflict(other, rival, "keep\x9b both")
    assert one.resolutions[0].decision == "keep both"
    cr = board.add_change_request(key, "Later")
    with pytest.raises(InvalidValue):
        board.assess_change_request(cr.key, schedule_days=1, cost=0, effort_hours=0, notify=["ok", " "])
    with pytest.raises(InvalidValue):
        board.add_change_request(key, "Sooner", new_due="the 5th")
    with pytest.raises(InvalidValue):
        board.add_change_request(key, "Sooner", new_importance=6)
    assessed = board.assess_change_request(cr.key, schedule_days=1, cost=0, effort_hours=0, notify=["Li\x1b Wei"])
    assert assessed.to_notify == ("Li Wei",)


def test_a_damaged_roles_setting_names_no_roles(board: Board) -> None:
    with board.transaction() as tx:
        tx.set_setting("signoff_roles", "customer")  # by hand: not a list
    assert board.signoff_roles() == ()
    key = analysed(board)
    assert board.approve(key).state is State.APPROVED


# ============================================================================ no way around the rules
def test_a_move_back_to_approved_records_no_signoff(board: Board) -> None:
    """A sign-off goes through `approve`'s checks (an open conflict, one sign-off per role): a move back
    that carried sign-off inputs would skip them, so it is refused; a move back with a reason is not."""
    board.set_signoff_roles(["customer"])
    key = in_progress(board)
    board.edit_requirement(key, {"title": "Export to PDF/A"})
    board.add_requirement("Rival", conflicts_with=(key,))
    for inputs in ({"comment": "sneaky"}, {"role": "customer"}):
        refused("approved.signoff_on_move", lambda inputs=inputs: board.move_requirement(
            key, State.APPROVED, reason="rethink", inputs=inputs))
    assert len(board.get(key).approvals) == 1
    assert board.move_requirement(key, State.APPROVED, reason="rethink").state is State.APPROVED


def test_feedback_on_a_changed_text_waits_for_its_reapproval(board: Board) -> None:
    key = done(board)
    board.edit_requirement(key, {"title": "Export to PDF/A"})
    refused("approved.reapproval", lambda: board.record_feedback(key, 5, "great"))
    assert board.get(key).state is State.DONE and not board.get(key).feedback
    board.approve(key, "still right")
    assert board.record_feedback(key, 5, "great").state is State.FED_BACK


def test_a_role_that_cannot_be_shown_is_refused_on_a_board_without_roles(board: Board) -> None:
    key = analysed(board)
    with pytest.raises(InvalidValue, match="cannot be shown"):
        board.approve(key, role="evil\u202e\x07")
    assert not board.get(key).approvals


def test_a_role_named_later_asks_nothing_of_texts_signed_before_whatever_their_history(board: Board) -> None:
    """Two approved requirements, one signed once and one changed and signed again, are treated alike
    when the board names one more role: neither is "changed"; a text signed from now on needs it."""
    board.set_signoff_roles(["customer", "product"])
    once = approved(board, "Signed once")
    again = approved(board, "Signed twice")
    board.edit_requirement(again, {"title": "Signed twice, changed"})
    board.approve(again, role="customer")
    board.approve(again, role="product")
    board.set_signoff_roles(["customer", "product", "qa"])
    roles = board.signoff_roles()
    for key in (once, again):
        assert not next(c for c in board.cards() if c.key == key).needs_reapproval(roles), key
        assert board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"}).state is State.IN_PROGRESS
    board.edit_requirement(again, {"title": "Changed once more"})
    board.approve(again, role="customer")
    board.approve(again, role="product")
    refusal = refused("approved.reapproval", lambda: board.move_requirement(again, State.DONE))
    assert "by qa" in str(refusal)
    assert board.get(again).approvals[-1].roles_asked == ("customer", "product", "qa")


def test_the_links_of_a_damaged_record_link_nothing_instead_of_failing() -> None:
    """`show` and the report index the stored records as they are: a hand-edited board whose links are
    not lists of keys must not stop them (reading the record itself says what is wrong)."""
    from reqboard.store.links import LinkIndex

    records = [
        {"key": "REQ-1", "uid": "a" * 32, "state": "approved", "depends_on": [["REQ-2"]], "conflicts_with": "REQ-2"},
        {"key": "REQ-2", "uid": "b" * 32, "state": ["done"], "resolutions": [["x"], {"other_uid": 7}],
         "conflicts_with": [{"deep": []}, "REQ-1"]},
    ]
    links = LinkIndex.of_records(records)
    assert links.depends_on("REQ-1") == () and links.conflicts_of("REQ-1") == ("REQ-2",)
    assert links.state("REQ-2") is State.COLLECTED and links.open_conflicts("REQ-1") == ("REQ-2",)
