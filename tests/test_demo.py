"""The demo board: realistic, varied, consistent, deterministic, and built through the real operations."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.demo import FINAL_STATES, build_demo_board
from reqboard.store.models import BOARD_STATES, Channel, CRStatus, Requirement, State, Tier
from reqboard.store.workflow import position

ANCHOR = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)  # a Wednesday afternoon
CJK = re.compile(r"[\u4e00-\u9fff]")
GERMAN = re.compile(r"[äöüÄÖÜß]")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Board:
    return build_demo_board(tmp_path_factory.mktemp("demo") / "demo.json", now=ANCHOR)


@pytest.fixture(scope="module")
def reqs(demo: Board) -> list[Requirement]:
    return demo.requirements()


def _changed_since_approval(req: Requirement) -> bool:
    return bool(req.approvals) and not req.approval_current


def test_about_sixty_requirements_over_every_state(reqs: list[Requirement]) -> None:
    counts = Counter(r.state for r in reqs)
    assert 55 <= len(reqs) <= 65
    assert counts == Counter(FINAL_STATES)
    assert all(counts[state] >= 5 for state in BOARD_STATES)
    assert 2 <= counts[State.REJECTED] <= 8
    assert all(r.rejection_reason for r in reqs if r.state is State.REJECTED)


def test_several_customers_of_each_tier_and_every_channel(demo: Board, reqs: list[Requirement]) -> None:
    customers_by_tier: dict[Tier, set[str]] = {}
    for r in reqs:
        assert r.customer and r.tier is not None
        customers_by_tier.setdefault(r.tier, set()).add(r.customer)
    assert set(customers_by_tier) == set(Tier)
    assert all(len(names) >= 3 for names in customers_by_tier.values())
    assert {c.name: c.tier for c in demo.customers()} == {r.customer: r.tier for r in reqs}
    assert {r.channel for r in reqs} == set(Channel)


def test_text_in_english_chinese_and_german(demo: Board, reqs: list[Requirement]) -> None:
    chinese = [r for r in reqs if CJK.search(r.title)]
    german = [r for r in reqs if GERMAN.search(r.title + r.description + r.customer)]
    english = [r for r in reqs if r.title.isascii() and r.description.isascii()]
    assert len(chinese) >= 10 and len(german) >= 10 and len(english) >= 20
    assert any(CJK.search(r.customer) for r in reqs)
    assert any(CJK.search(e.by) for e in demo.history())  # wide characters in the audit trail too


def test_markup_in_titles_is_stored_literally(reqs: list[Requirement]) -> None:
    titles = {r.title for r in reqs}
    assert "Show [bold]urgent[/bold] orders first on the dashboard" in titles
    assert any("[@click=app.quit]x" in t for t in titles)


def test_change_requests_in_every_status_with_assessments_and_decisions(demo: Board) -> None:
    crs = [cr for _, cr in demo.change_requests()]
    assert {cr.status for cr in crs} == set(CRStatus)
    assert len({cr.key for cr in crs}) == len(crs) >= 6
    for cr in crs:
        if cr.status in (CRStatus.ASSESSED, CRStatus.APPROVED, CRStatus.IMPLEMENTED, CRStatus.CLOSED):
            assert cr.assessment is not None and cr.assessment.effort_hours > 0
        if cr.status in (CRStatus.APPROVED, CRStatus.IMPLEMENTED, CRStatus.CLOSED):
            assert cr.decision is not None and cr.decision.approved and cr.decision.rationale
        if cr.status is CRStatus.REJECTED:
            assert cr.decision is not None and not cr.decision.approved
    assert any(cr.assessment and cr.assessment.affects for cr in crs)
    assert sum(cr.status is CRStatus.REJECTED for cr in crs) >= 2
    closed = next(cr for cr in crs if cr.status is CRStatus.CLOSED)
    assert closed.implemented is not None and closed.closed is not None


def test_approvals_feedback_owners_and_criteria_match_the_states(reqs: list[Requirement]) -> None:
    beyond_approval = [r for r in reqs if r.state in BOARD_STATES and position(r.state) >= 2]
    assert beyond_approval and all(r.approvals for r in beyond_approval)
    assert all(r.owner for r in reqs if r.state in (State.IN_PROGRESS, State.DONE, State.FED_BACK))
    fed_back = [r for r in reqs if r.state is State.FED_BACK]
    assert all(r.feedback and 1 <= r.feedback[-1].satisfaction <= 5 for r in fed_back)
    assert len({r.feedback[-1].satisfaction for r in fed_back}) >= 3
    delivered = [r for r in reqs if r.state in (State.DONE, State.FED_BACK)]
    assert all(c.done for r in delivered for c in r.acceptance_criteria)
    assert sum(bool(r.acceptance_criteria) for r in reqs) >= 20
    assert sum(bool(r.tags) for r in reqs) >= 50
    analysed_or_later = [r for r in reqs if r.state is not State.COLLECTED and State.ANALYSED in r.entered_at]
    assert all(r.priority is not None and r.kano is not None for r in analysed_or_later)


def test_due_dates_with_a_few_overdue(reqs: list[Requirement]) -> None:
    assert sum(r.due is not None for r in reqs) >= 10
    overdue = [r for r in reqs if r.overdue(ANCHOR.date())]
    assert 2 <= len(overdue) <= 5
    assert all(r.state in (State.APPROVED, State.IN_PROGRESS) for r in overdue)


def test_links_suspects_and_one_change_since_approval(demo: Board, reqs: list[Requirement]) -> None:
    keys = {r.key for r in reqs}
    depends = [(r.key, k) for r in reqs for k in r.depends_on]
    conflicts = [(r.key, k) for r in reqs for k in r.conflicts_with]
    assert len(depends) >= 5 and len(conflicts) >= 2
    assert all(k in keys for _, k in depends + conflicts)
    suspect = [r for r in reqs if r.suspect]
    assert len(suspect) in (1, 2)
    assert all(re.search(r"CR-\d+ changed REQ-\d+", r.suspect) for r in suspect)
    changed = [r for r in reqs if _changed_since_approval(r)]
    assert len(changed) == 1
    assert any(cr.status is CRStatus.APPROVED for cr in changed[0].change_requests)
    assert any(r.reviews for r in reqs)  # a suspect flag was reviewed and cleared


def test_board_checks_clean(demo: Board) -> None:
    assert demo.check() == ([], [])


def test_history_spans_six_months_of_working_days_by_several_people(demo: Board,
                                                                    reqs: list[Requirement]) -> None:
    events = demo.history()
    assert len(events) >= 400
    times = [e.at for e in events]
    assert times == sorted(times)
    assert times[-1] < ANCHOR and ANCHOR - times[0] >= timedelta(days=150)
    assert all(t.weekday() < 5 and 8 <= t.hour <= 18 for t in times)
    assert len({e.by for e in events}) >= 5
    created_weeks = {e.at.isocalendar()[:2] for e in events if e.action == "created"}
    assert len(created_weeks) >= 15
    assert {e.action for e in events} >= {"created", "edited", "moved", "approved", "feedback",
                                         "cr.submitted", "cr.assessed", "cr.approved", "cr.rejected",
                                         "cr.implemented", "cr.closed", "suspect", "reviewed"}


def test_moves_back_and_a_reopened_rejection_are_in_the_history(demo: Board) -> None:
    moves = [e for e in demo.history() if e.action == "moved" and e.field == "state"]
    backward = [e for e in moves if e.old != "rejected" and e.new != "rejected"
                and position(State(e.new)) < position(State(e.old))]
    assert len(backward) >= 2 and all(e.reason for e in backward)
    assert any(e.old == "rejected" and e.new == "collected" and e.reason for e in moves)


def test_flow_times_are_meaningful(reqs: list[Requirement]) -> None:
    delivered = [r for r in reqs if State.DONE in r.entered_at]
    lead_days = [(r.entered_at[State.DONE] - r.created_at).total_seconds() / 86400 for r in delivered]
    cycle_days = [(r.entered_at[State.DONE] - r.entered_at[State.IN_PROGRESS]).total_seconds() / 86400
                  for r in delivered]
    assert len(delivered) >= 15
    assert min(cycle_days) > 0.5 and max(lead_days) > 30 and len({round(d) for d in lead_days}) >= 10
    for r in reqs:  # states were entered in lifecycle order
        entered = [r.entered_at[s] for s in BOARD_STATES if s in r.entered_at]
        assert entered == sorted(entered) and entered[0] == r.created_at


def test_same_anchor_builds_the_same_board(tmp_path: Path, reqs: list[Requirement], demo: Board) -> None:
    again = build_demo_board(tmp_path / "again.json", now=ANCHOR)

    def summary(board_reqs: list[Requirement]) -> list[tuple]:
        return [(r.key, r.title, r.state, r.version, r.updated_at, r.due, r.depends_on,
                 tuple((cr.key, cr.status) for cr in r.change_requests)) for r in board_reqs]

    assert summary(again.requirements()) == summary(reqs)
    # (events carry random ids and their requirement's random uid, as requirements carry random uids)
    assert [e.model_dump(exclude={"id", "uid"}) for e in again.history()] == \
        [e.model_dump(exclude={"id", "uid"}) for e in demo.history()]


def test_returned_board_acts_as_the_given_user(tmp_path: Path) -> None:
    board = build_demo_board(tmp_path / "mine.json", user="Kim", now=ANCHOR)
    req = board.edit_requirement("REQ-1", {"owner": "Kim"})
    assert req.updated_by == "Kim" and req.updated_at > ANCHOR


def test_never_writes_over_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_bytes(b"my data")
    with pytest.raises(FileExistsError):
        build_demo_board(path)
    assert path.read_bytes() == b"my data"
    assert not path.with_name("board.json.history.jsonl").exists()
