"""The lifecycle rules: every move between the six board states and `rejected`, allowed and refused.

The expected outcome of each (from, to) pair is written out here independently of store/workflow.py
(`expected_rule`), so a change to the rules must change both.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, Refused
from reqboard.store.models import (
    BOARD_STATES,
    Approval,
    Assessment,
    ChangeRequest,
    Criterion,
    CRStatus,
    Decision,
    Feedback,
    Kano,
    Requirement,
    State,
    text_hash,
)

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ALL_STATES = (*BOARD_STATES, State.REJECTED)
ORDER = {s: i for i, s in enumerate(BOARD_STATES)}
GUARD_RULE = {
    State.ANALYSED: "analysed.analysis",
    State.APPROVED: "approved.approval",
    State.IN_PROGRESS: "in_progress.owner",
    State.DONE: "done.acceptance",
    State.FED_BACK: "fed_back.feedback",
}


def bare(state: State, key: str = "REQ-7") -> Requirement:
    """A requirement in `state` that satisfies no guard beyond having a title."""
    return Requirement(
        key=key, title="Export to PDF", state=state,
        acceptance_criteria=(Criterion(text="opens in Acrobat"), Criterion(text="A4", done=True)),
        created_by="ann", created_at=T0, updated_by="ann", updated_at=T0,
    )


def complete(state: State, key: str = "REQ-7") -> Requirement:
    """A requirement in `state` that satisfies every guard."""
    req = bare(state, key).model_copy(update={
        "customer": "ACME", "importance": 4, "urgency": 3, "kano": Kano.PERFORMANCE, "owner": "bob",
        "acceptance_criteria": (Criterion(text="opens in Acrobat", done=True),),
        "feedback": (Feedback(by="ann", at=T0, satisfaction=4),),
    })
    req = Requirement.model_validate(req.model_dump())
    approval = Approval(by="carol", at=T0, text_hash=text_hash(req))
    return req.model_copy(update={"approvals": (approval,)})


def signed(req: Requirement) -> Requirement:
    """`req` with one more approval, of its text as it reads now."""
    return req.model_copy(update={"approvals": (*req.approvals, Approval(by="carol", at=T0, text_hash=text_hash(req)))})


def expected_rule(current: State, target: State, *, satisfied: bool, reason: bool) -> str | None:
    """The rule that refuses the move, or None when it is allowed (the spec of DESIGN.md table 1)."""
    if current is target:
        return "move.same"
    if target is State.REJECTED:
        if current in (State.DONE, State.FED_BACK):
            return "rejected.before_done"
        return None if reason else "rejected.reason"
    if current is State.REJECTED:
        if target is not State.COLLECTED:
            return "rejected.reopen"
        return None if reason else "move.back_reason"
    if ORDER[target] < ORDER[current]:
        return None if reason else "move.back_reason"
    if ORDER[target] > ORDER[current] + 1:
        return "move.no_skip"
    return None if satisfied else GUARD_RULE[target]


PAIRS = list(itertools.product(ALL_STATES, ALL_STATES))


@pytest.mark.parametrize("reason", ["", "customer asked again"], ids=["no-reason", "reason"])
@pytest.mark.parametrize("satisfied", [True, False], ids=["guards-met", "guards-missing"])
@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
def test_transition_table(current: State, target: State, satisfied: bool, reason: str) -> None:
    req = complete(current) if satisfied else bare(current)
    refusal = workflow.check_move(req, target, reason)
    rule = expected_rule(current, target, satisfied=satisfied, reason=bool(reason))
    if rule is None:
        assert refusal is None, f"{current.value} -> {target.value} refused: {refusal}"
        return
    assert refusal is not None, f"{current.value} -> {target.value} should be refused by {rule}"
    assert refusal.rule == rule
    assert refusal.message.startswith("REQ-7 ")
    assert str(refusal) == refusal.message


def test_the_table_covers_every_rule() -> None:
    rules = {
        expected_rule(a, b, satisfied=s, reason=r)
        for a, b in PAIRS for s in (True, False) for r in (True, False)
    }
    assert rules == {None, "move.same", "rejected.before_done", "rejected.reason", "rejected.reopen",
                     "move.back_reason", "move.no_skip", *GUARD_RULE.values()}


# ---------------------------------------------------------------------------- what each refusal says
@pytest.mark.parametrize(
    ("target", "update", "needs", "fix"),
    [
        (State.ANALYSED, {"importance": None}, "importance", "reqboard edit REQ-7 --importance N"),
        (State.APPROVED, {"approvals": ()}, "an approval", "reqboard approve REQ-7 --comment TEXT"),
        (State.IN_PROGRESS, {"owner": ""}, "an owner", "reqboard edit REQ-7 --owner NAME"),
        (State.DONE, {"acceptance_criteria": (Criterion(text="x"), Criterion(text="y"))},
         "all acceptance criteria checked (2 open)", "reqboard edit REQ-7 --check N"),
        (State.FED_BACK, {"feedback": ()}, "a feedback record", "reqboard feedback REQ-7 --satisfaction N"),
    ],
)
def test_each_guard_names_what_is_missing_and_the_fix(target: State, update: dict[str, Any], needs: str,
                                                      fix: str) -> None:
    previous = BOARD_STATES[ORDER[target] - 1]
    req = complete(previous).model_copy(update=update)
    if target is not State.APPROVED:
        # Issue #15: changed criteria text past approval needs re-approval first; this test is about the guard.
        req = signed(req)
    refusal = workflow.check_move(req, target)
    assert refusal is not None
    assert refusal.rule == GUARD_RULE[target]
    assert refusal.message.startswith(f"REQ-7 needs {needs}")
    assert f"before it can be {target.label.lower()}" in refusal.message
    assert fix in refusal.message
    assert workflow.check_move(complete(previous), target) is None


def test_analysis_refusal_lists_only_the_missing_options() -> None:
    req = complete(State.COLLECTED).model_copy(update={"urgency": None, "kano": None})
    refusal = workflow.check_move(req, State.ANALYSED)
    assert refusal is not None
    assert refusal.message == (
        "REQ-7 needs urgency and a Kano class or category before it can be analysed: "
        "reqboard edit REQ-7 --urgency N --kano CLASS"
    )
    nothing = workflow.check_move(bare(State.COLLECTED), State.ANALYSED)
    assert nothing is not None
    assert nothing.message.endswith(
        "reqboard edit REQ-7 --customer NAME --importance N --urgency N --kano CLASS")
    assert "a customer (who asked), importance, urgency and a Kano class or category" in nothing.message


def test_a_category_stands_in_for_a_kano_class() -> None:
    req = complete(State.COLLECTED).model_copy(update={"kano": None, "category": "usability"})
    assert workflow.check_move(req, State.ANALYSED) is None


def test_an_approval_of_older_text_does_not_count() -> None:
    req = complete(State.ANALYSED).model_copy(update={"description": "changed after approval"})
    refusal = workflow.check_move(req, State.APPROVED)
    assert refusal is not None and refusal.rule == "approved.approval"
    assert "current text" in refusal.message


def test_no_acceptance_criteria_means_done_is_allowed() -> None:
    # Signed again: dropping the criteria changes the approved text (issue #15 asks re-approval for that).
    req = signed(complete(State.IN_PROGRESS).model_copy(update={"acceptance_criteria": ()}))
    assert workflow.check_move(req, State.DONE) is None


def test_skipping_says_where_to_go_first() -> None:
    refusal = workflow.check_move(complete(State.COLLECTED), State.IN_PROGRESS, "because")
    assert refusal is not None and refusal.rule == "move.no_skip"
    assert refusal.message == (
        "REQ-7 cannot skip from collected to in progress: move it to analysed first")


def test_moving_back_asks_for_a_reason() -> None:
    refusal = workflow.check_move(complete(State.DONE), State.APPROVED, "   ")
    assert refusal is not None and refusal.rule == "move.back_reason"
    assert "from done to approved" in refusal.message and "--reason" in refusal.message


def test_rejecting_asks_for_a_reason_and_is_closed_after_done() -> None:
    refusal = workflow.check_move(bare(State.APPROVED), State.REJECTED)
    assert refusal is not None and "--reason" in refusal.message
    late = workflow.check_move(complete(State.FED_BACK), State.REJECTED, "too late")
    assert late is not None and late.rule == "rejected.before_done"
    assert "change request" in late.message


def test_reopening_a_rejected_requirement_goes_back_to_collected() -> None:
    rejected = bare(State.REJECTED)
    assert workflow.check_move(rejected, State.COLLECTED, "customer insisted") is None
    refusal = workflow.check_move(complete(State.REJECTED), State.APPROVED, "customer insisted")
    assert refusal is not None and refusal.rule == "rejected.reopen"
    assert "reopened to collected" in refusal.message


def test_same_state_is_refused() -> None:
    refusal = workflow.check_move(bare(State.DONE), State.DONE, "again")
    assert refusal is not None and refusal.message == "REQ-7 is already done"


def test_neighbours_and_needs() -> None:
    assert [workflow.next_state(s) for s in ALL_STATES] == [*BOARD_STATES[1:], None, None]
    assert [workflow.previous_state(s) for s in ALL_STATES] == [None, *BOARD_STATES[:-1], None]
    assert workflow.needs_for(complete(State.COLLECTED), State.ANALYSED) == []
    assert workflow.needs_for(bare(State.APPROVED), State.IN_PROGRESS) == ["an owner"]
    assert workflow.needs_for(bare(State.APPROVED), State.REJECTED) == []
    assert workflow.is_backward(State.REJECTED, State.COLLECTED)
    assert not workflow.is_backward(State.ANALYSED, State.APPROVED)


# ---------------------------------------------------------------------------- through the store
def test_the_store_applies_the_same_rules(tmp_path: Any) -> None:
    board = Board(tmp_path / "board.json", "ann")
    key = board.add_requirement("Export to PDF").key
    with pytest.raises(Refused) as info:
        board.move_requirement(key, "approved")
    assert info.value.rule == "move.no_skip"
    with pytest.raises(Refused) as info:
        board.move_requirement(key, State.ANALYSED)
    assert info.value.rule == "analysed.analysis"
    assert board.get(key).state is State.COLLECTED and board.get(key).version == 1
    board.edit_requirement(key, {"customer": "ACME", "importance": 3, "urgency": 2, "kano": "must-be"})
    assert board.move_requirement(key, "analysed").state is State.ANALYSED
    assert board.approve(key, "fine").state is State.APPROVED
    with pytest.raises(Refused) as info:
        board.move_requirement(key, "in-progress")
    assert info.value.rule == "in_progress.owner"
    req = board.move_requirement(key, "in-progress", updates={"owner": "bob"})
    assert (req.state, req.owner) == (State.IN_PROGRESS, "bob")
    assert board.move_requirement(key, State.DONE).state is State.DONE
    with pytest.raises(Refused) as info:
        board.reject(key, "changed our mind")
    assert info.value.rule == "rejected.before_done"
    assert board.record_feedback(key, 5, "happy").state is State.FED_BACK
    back = board.move_requirement(key, "in_progress", reason="bug found")
    assert back.state is State.IN_PROGRESS
    assert set(back.entered_at) == set(BOARD_STATES)


def test_approve_refuses_a_requirement_that_is_not_analysed(tmp_path: Any) -> None:
    board = Board(tmp_path / "board.json", "ann")
    key = board.add_requirement("Export", customer="ACME").key
    with pytest.raises(Refused) as info:
        board.approve(key)
    assert info.value.rule == "approved.no_skip"
    assert "importance" in str(info.value) and "customer" not in str(info.value).split("needs", 1)[1]


def test_reject_and_reopen_through_the_store(tmp_path: Any) -> None:
    board = Board(tmp_path / "board.json", "ann")
    key = board.add_requirement("Export").key
    rejected = board.reject(key, "duplicate of REQ-2")
    assert (rejected.state, rejected.rejection_reason) == (State.REJECTED, "duplicate of REQ-2")
    with pytest.raises(Refused):
        board.move_requirement(key, "collected")
    reopened = board.move_requirement(key, "collected", reason="not a duplicate")
    assert (reopened.state, reopened.rejection_reason) == (State.COLLECTED, "")


# ---------------------------------------------------------------------------- change requests
CR_ALLOWED = {
    (CRStatus.SUBMITTED, CRStatus.ASSESSED),
    (CRStatus.SUBMITTED, CRStatus.REJECTED),
    (CRStatus.ASSESSED, CRStatus.ASSESSED),
    (CRStatus.ASSESSED, CRStatus.APPROVED),
    (CRStatus.ASSESSED, CRStatus.REJECTED),
    (CRStatus.APPROVED, CRStatus.IMPLEMENTED),
    (CRStatus.IMPLEMENTED, CRStatus.CLOSED),
}
CR_PAIRS = list(itertools.product(CRStatus, CRStatus))


def change_request(status: CRStatus) -> ChangeRequest:
    assessment = Assessment(by="dan", at=T0, schedule_days=2, cost=100, effort_hours=8)
    return ChangeRequest(
        key="CR-3", summary="Also export to ODT", status=status, submitted_by="ann", submitted_at=T0,
        assessment=assessment if status is not CRStatus.SUBMITTED else None,
        decision=Decision(by="eve", at=T0, approved=status is not CRStatus.REJECTED)
        if status in (CRStatus.APPROVED, CRStatus.REJECTED, CRStatus.IMPLEMENTED, CRStatus.CLOSED) else None,
    )


@pytest.mark.parametrize("rationale", ["", "worth it"], ids=["no-rationale", "rationale"])
@pytest.mark.parametrize(("current", "target"), CR_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in CR_PAIRS])
def test_change_request_steps(current: CRStatus, target: CRStatus, rationale: str) -> None:
    refusal = workflow.check_cr_step(change_request(current), target, rationale)
    if current in (CRStatus.CLOSED, CRStatus.REJECTED):
        expected = "cr.final"
    elif (current, target) not in CR_ALLOWED:
        expected = "cr.order"
    elif target in (CRStatus.APPROVED, CRStatus.REJECTED) and not rationale:
        expected = "cr.rationale"
    else:
        expected = None
    if expected is None:
        assert refusal is None, f"{current.value} -> {target.value} refused: {refusal}"
    else:
        assert refusal is not None and refusal.rule == expected
        assert refusal.message.startswith("CR-3 ")


def test_change_request_refusals_name_the_next_step() -> None:
    early = workflow.check_cr_step(change_request(CRStatus.SUBMITTED), CRStatus.APPROVED, "yes")
    assert early is not None
    assert "needs an impact assessment first" in early.message
    assert "reqboard cr assess CR-3" in early.message
    closing = workflow.check_cr_step(change_request(CRStatus.APPROVED), CRStatus.CLOSED)
    assert closing is not None and "reqboard cr implement CR-3" in closing.message
    final = workflow.check_cr_step(change_request(CRStatus.CLOSED), CRStatus.SUBMITTED)
    assert final is not None and "file a new change request" in final.message
    no_why = workflow.check_cr_step(change_request(CRStatus.ASSESSED), CRStatus.REJECTED, " ")
    assert no_why is not None and "--rationale" in no_why.message


# ---------------------------------------------------------------------------- what a move asks for (guard inputs)
def asked(req: Requirement, target: State, user: str = "ann") -> dict[str, workflow.GuardInput]:
    return {inp.name: inp for inp in workflow.prompt_for(req, target, user)}


def test_each_guard_declares_the_inputs_a_move_takes() -> None:
    declared = {state: [(i.name, i.kind) for i in workflow.inputs_of(state)] for state in ALL_STATES}
    assert declared == {
        State.COLLECTED: [],
        State.ANALYSED: [("customer", "text"), ("importance", "score"), ("urgency", "score"), ("kano", "choice")],
        # Issue #15: a sign-off names its role and for whom it was recorded.
        State.APPROVED: [("role", "text"), ("on_behalf_of", "text"), ("comment", "text")],
        State.IN_PROGRESS: [("owner", "text")],
        State.DONE: [("criteria", "checklist")],
        State.FED_BACK: [("satisfaction", "score"), ("channel", "choice"), ("comment", "text"), ("reasons", "text")],
        State.REJECTED: [],
    }
    kano = workflow.inputs_of(State.ANALYSED)[3]
    assert ("must_be", "must be") in kano.choices and kano.option == "--kano"
    channel = workflow.inputs_of(State.FED_BACK)[1]
    assert channel.default == "email" and ("after_sales", "after sales") in channel.choices


def test_the_analysis_prompt_asks_only_what_is_missing_starting_from_what_is_there() -> None:
    req = bare(State.COLLECTED).model_copy(update={"customer": "ACME", "importance": 4})
    prompt = asked(req, State.ANALYSED)
    assert list(prompt) == ["importance", "urgency", "kano"]  # the customer is known
    assert (prompt["importance"].default, prompt["urgency"].default) == (4, None)
    assert prompt["kano"].required
    categorised = bare(State.COLLECTED).model_copy(update={"category": "usability", "kano": Kano.REVERSE})
    prompt = asked(categorised, State.ANALYSED)
    assert list(prompt) == ["customer", "importance", "urgency", "kano"]
    assert not prompt["kano"].required and prompt["kano"].default == "reverse"


def test_each_forward_prompt_is_filled_in_for_the_requirement_and_user() -> None:
    assert asked(bare(State.ANALYSED), State.APPROVED, "carol")["comment"].label == (
        "Approval comment (approving as carol)")
    owner = asked(bare(State.APPROVED), State.IN_PROGRESS, "carol")["owner"]
    assert (owner.label, owner.default, owner.required) == ("Owner", "carol", True)
    criteria = asked(bare(State.IN_PROGRESS), State.DONE)["criteria"]
    assert criteria.choices == (("1", "opens in Acrobat"), ("2", "A4"))  # numbered as `show` prints them
    assert criteria.default == ("2",)  # the one already met
    feedback = asked(bare(State.DONE), State.FED_BACK)
    assert list(feedback) == ["satisfaction", "channel", "comment", "reasons"]
    # the prompt starts from the channel the requirement came in through (the customer is told the same way)
    assert feedback["channel"].default == bare(State.DONE).channel.value and feedback["satisfaction"].required
    assert not feedback["reasons"].required  # (required only for a low score: the store says so)


def test_a_move_that_needs_nothing_asks_nothing() -> None:
    for current in BOARD_STATES[:-1]:
        target = BOARD_STATES[ORDER[current] + 1]
        assert workflow.prompt_for(complete(current), target, "ann") == (), target
        assert workflow.prompt_for(bare(current), target, "ann") != () or target is State.COLLECTED
    assert workflow.prompt_for(bare(State.DONE), State.APPROVED, "ann") == ()  # back: a reason, not inputs
    assert workflow.prompt_for(bare(State.APPROVED), State.REJECTED, "ann") == ()


def test_parse_inputs_types_what_was_typed() -> None:
    analysis = workflow.inputs_of(State.ANALYSED)
    assert workflow.parse_inputs(analysis, {"importance": "4", "urgency": 3, "kano": "Must-Be", "customer": "ACME"}) == {
        "importance": 4, "urgency": 3, "kano": "must_be", "customer": "ACME"}
    assert workflow.parse_inputs(analysis, {"kano": Kano.REVERSE, "importance": " ", "urgency": None}) == {
        "kano": "reverse"}  # blank and None: not given
    feedback = workflow.inputs_of(State.FED_BACK)
    assert workflow.parse_inputs(feedback, {"channel": "after sales", "comment": ""}) == {
        "channel": "after_sales", "comment": ""}
    done = workflow.inputs_of(State.DONE)
    assert workflow.parse_inputs(done, {"criteria": ["2", 1, "2"]}) == {"criteria": ("2", "1")}
    assert workflow.parse_inputs(done, {"criteria": []}) == {"criteria": ()}  # none met is an answer


@pytest.mark.parametrize(
    ("target", "raw", "name", "words"),
    [
        (State.ANALYSED, {"importance": "9"}, "importance", "Importance (1-5): '9' is not a whole number from 1 to 5"),
        (State.ANALYSED, {"urgency": "high"}, "urgency", "Urgency (1-5): 'high'"),
        (State.ANALYSED, {"urgency": True}, "urgency", "Urgency (1-5)"),
        (State.ANALYSED, {"kano": "delightful"}, "kano", "Kano class: 'delightful' is not one of must-be, performance"),
        (State.FED_BACK, {"channel": "pigeon"}, "channel", "Told the customer through: 'pigeon'"),
        (State.IN_PROGRESS, {"owner": 7}, "owner", "Owner: expected text"),
        (State.DONE, {"criteria": ["1", ""]}, "criteria", "Acceptance criteria met: an item is blank"),
        (State.IN_PROGRESS, {"importance": "3"}, "importance", "this move takes no importance (it takes: owner)"),
    ],
)
def test_parse_inputs_refuses_naming_the_input(target: State, raw: dict[str, Any], name: str, words: str) -> None:
    with pytest.raises(InvalidValue) as info:
        workflow.parse_inputs(workflow.inputs_of(target), raw)
    assert words in str(info.value)
    assert set(info.value.errors) == {name}


def test_a_concrete_checklist_takes_only_its_choices() -> None:
    criteria = workflow.prompt_for(bare(State.IN_PROGRESS), State.DONE, "ann")
    assert workflow.parse_inputs(criteria, {"criteria": ["A4"]}) == {"criteria": ("2",)}  # by label too
    with pytest.raises(InvalidValue, match="'3' is not one of 1, 2"):
        workflow.parse_inputs(criteria, {"criteria": ["3"]})


def test_move_changes_set_the_fields_the_values_name() -> None:
    req = bare(State.COLLECTED)
    values = {"customer": "ACME", "importance": 4, "urgency": 2, "kano": "must_be"}
    assert workflow.move_changes(req, State.ANALYSED, values, user="ann", now=T0) == values
    assert workflow.move_changes(req, State.IN_PROGRESS, {"owner": ""}, user="ann", now=T0) == {}
    assert workflow.move_changes(req, State.ANALYSED, {}, user="ann", now=T0) == {}
    with pytest.raises(InvalidValue, match="takes no inputs"):
        workflow.move_changes(req, State.REJECTED, {"owner": "bob"}, user="ann", now=T0)


def test_move_changes_check_the_criteria_named_and_uncheck_the_rest() -> None:
    req = bare(State.IN_PROGRESS)  # criterion 2 is met, 1 is not
    changes = workflow.move_changes(req, State.DONE, {"criteria": ("1",)}, user="ann", now=T0)
    assert [(c.text, c.done) for c in changes["acceptance_criteria"]] == [("opens in Acrobat", True), ("A4", False)]
    with pytest.raises(InvalidValue, match="REQ-7 has 2 acceptance criteria") as info:
        workflow.move_changes(req, State.DONE, {"criteria": ("3",)}, user="ann", now=T0)
    assert set(info.value.errors) == {"criteria"}
    assert workflow.move_changes(req, State.DONE, {}, user="ann", now=T0) == {}


def test_every_declared_input_changes_something() -> None:
    """No input is silently dropped: each one's value reaches a field or a record of the requirement."""
    sample: dict[str, Any] = {"text": "Bob", "score": 3, "choice": None, "checklist": ("1",)}
    for state in BOARD_STATES:
        for inp in workflow.inputs_of(state):
            value = inp.choices[0][0] if inp.kind == "choice" else sample[inp.kind]
            values = {inp.name: value}
            if state is State.FED_BACK and inp.name != "satisfaction":
                values["satisfaction"] = 4  # feedback is a record of all three
            changes = workflow.move_changes(bare(BOARD_STATES[ORDER[state] - 1]), state, values, user="ann", now=T0)
            assert changes, f"{state.value} {inp.name} changed nothing"


@pytest.mark.parametrize("comment", ["looks right", ""])
def test_the_approval_a_move_makes_is_the_one_approve_records(board_of: Callable[..., Board], comment: str) -> None:
    board = board_of(1, user="carol", clock=lambda: T0, description="to PDF", importance=3, urgency=2,
                     kano="must-be", acceptance_criteria=({"text": "A4"},))
    key = "REQ-1"
    before = board.move_requirement(key, "analysed")
    changes = workflow.move_changes(before, State.APPROVED, {"comment": comment}, user="carol", now=T0)
    after = board.approve(key, comment)
    assert changes == {"approvals": after.approvals}
    assert workflow.check_move(before.model_copy(update=changes), State.APPROVED) is None
    no_comment = workflow.move_changes(before, State.APPROVED, {}, user="carol", now=T0)
    assert no_comment == {}  # no comment given: no approval (a plain move stays refused)


def test_the_feedback_a_move_makes_is_the_one_feedback_records(board_of: Callable[..., Board]) -> None:
    board = board_of(1, user="dan", clock=lambda: T0, importance=3, urgency=2, kano="must-be", owner="bob")
    key = "REQ-1"
    board.move_requirement(key, "analysed")
    board.approve(key)
    board.move_requirement(key, "in_progress")
    before = board.move_requirement(key, "done")
    values = workflow.parse_inputs(workflow.inputs_of(State.FED_BACK),
                                   {"satisfaction": "4", "channel": "hotline", "comment": "pleased"})
    changes = workflow.move_changes(before, State.FED_BACK, values, user="dan", now=T0)
    after = board.record_feedback(key, 4, "pleased", channel="hotline")
    assert changes == {"feedback": after.feedback}
    defaults = workflow.move_changes(before, State.FED_BACK, {"satisfaction": 2, "reasons": "late, quality"},
                                     user="dan", now=T0)
    assert (defaults["feedback"][-1].channel.value, defaults["feedback"][-1].comment) == ("email", "")
    assert defaults["feedback"][-1].reasons == ("late", "quality")
    with pytest.raises(InvalidValue, match="satisfaction") as info:
        workflow.move_changes(before, State.FED_BACK, {"comment": "told them"}, user="dan", now=T0)
    assert set(info.value.errors) == {"satisfaction"}
    with pytest.raises(InvalidValue, match="feedback"):
        workflow.move_changes(before, State.FED_BACK, {"satisfaction": 4, "comment": "x" * 2001}, user="dan", now=T0)


def test_an_interim_reading_is_not_the_feedback_a_move_to_fed_back_needs(board_of: Callable[..., Board]) -> None:
    board = board_of(1, user="dan", clock=lambda: T0, importance=3, urgency=2, kano="must-be", owner="bob")
    key = "REQ-1"
    board.move_requirement(key, "analysed")
    board.approve(key)
    board.move_requirement(key, "in_progress")
    board.move_requirement(key, "done")
    board.record_feedback(key, 4, interim=True)
    with pytest.raises(Refused, match="feedback"):
        board.move_requirement(key, "fed_back")
    assert board.get(key).state is State.DONE
