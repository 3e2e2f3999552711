"""store.metrics for the customer side (issue #16), on fixture boards whose figures are worked out by
hand in each test: satisfaction by dimension, customer and month with the reasons for low scores,
response targets met and missed, what is overdue or due soon, and one customer's summary.

Boards are driven through real operations at chosen moments (as tests/test_metrics.py does), on a
board file and on a server board (conftest's `board_location`); the figures come from `board_metrics`,
which gives the metrics the board's survey dimensions and response targets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.customers import customer_summary
from reqboard.store.metrics import BoardMetrics, MonthRating, Rating, TargetCount, board_metrics
from reqboard.store.models import State

from board_locations import BoardLocation

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC (the tests run in UTC: conftest)
ANALYSIS = {"importance": 3, "urgency": 3, "kano": "performance"}


def day(n: float) -> datetime:
    """`n` days after T0 (fractions are hours: day(2.25) is day 2 at 15:00)."""
    return T0 + timedelta(days=n)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


class Script:
    """Drives a board through real operations at chosen moments."""

    def __init__(self, where: BoardLocation) -> None:
        self.clock = Clock()
        self.board: Board = where.board("tester", clock=self.clock)

    def at(self, when: float) -> Board:
        self.clock.at = day(when)
        return self.board

    def add(self, when: float, title: str, customer: str = "ACME", **fields: Any) -> str:
        return self.at(when).add_requirement(title, customer=customer, **fields).key

    def to(self, when: float, key: str, state: str, **kwargs: Any) -> None:
        board = self.at(when)
        if state == "analysed":
            board.move_requirement(key, state, updates=ANALYSIS)
        elif state == "approved":
            board.approve(key, "ok")
        elif state == "in_progress":
            board.move_requirement(key, state, updates={"owner": kwargs.pop("owner", "bob")})
        else:
            board.move_requirement(key, state, **kwargs)

    def deliver(self, key: str, *days: float) -> None:
        """Through analysed, approved, in progress and done on the days given (as many as it goes)."""
        for when, state in zip(days, ("analysed", "approved", "in_progress", "done"), strict=False):
            self.to(when, key, state)

    def feedback(self, when: float, key: str, satisfaction: int, **kwargs: Any) -> None:
        self.at(when).record_feedback(key, satisfaction, **kwargs)

    def metrics(self, now: float, since: date | None = None) -> BoardMetrics:
        return board_metrics(self.board, now=day(now), since=since)


@pytest.fixture
def script(board_location: BoardLocation) -> Script:
    return Script(board_location)


# ============================================================================ satisfaction


def satisfied_board(script: Script) -> dict[str, str]:
    """Readings from January to March 2026 (T0 is 2026-01-05); the board surveys one more dimension
    (price) than it has scores for."""
    script.board.set_codes("survey_dimensions", ["quality", "responsiveness", "communication", "price"])
    script.board.add_customer("ACME", "A")
    script.board.add_customer("Globex", "B")
    r1 = script.add(0, "R1", channel="email")
    r2 = script.add(0, "R2", customer="acme", channel="interview")   # the same customer, in another case
    r6 = script.add(0, "R6", channel="email")
    r3 = script.add(0, "R3", customer="Globex", channel="email")
    r4 = script.add(0, "R4", customer="Globex", channel="hotline")
    script.add(0, "R5", customer="北京华为")                          # never asked
    # January: 2 (late), 1 (late, communication), 5.
    script.feedback(0, r1, 2, interim=True, scores={"quality": 2}, reasons=["late"])
    script.feedback(10, r2, 1, interim=True, scores={"communication": 1}, reasons=["late", "communication"])
    script.feedback(20, r6, 5, interim=True, scores={"Quality": 3})
    # February: nothing. March: 4, 5, 2 (not as agreed), 3.
    for key in (r1, r3):
        script.deliver(key, 30, 31, 32, 50)
    script.feedback(60, r1, 4, scores={"quality": 4, "responsiveness": 5})         # 2026-03-06, fed back
    script.feedback(61, r3, 5, scores={"quality": 5, "communication": 4})         # 2026-03-07
    script.feedback(62, r4, 2, interim=True, reasons=["not-as-agreed"])           # 2026-03-08
    script.feedback(63, r4, 3, interim=True)                                      # 2026-03-09
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r6": r6}


def test_satisfaction_overall_by_tier_and_customer_count_each_requirement_once(script: Script) -> None:
    keys = satisfied_board(script)
    assert script.board.get(keys["r2"]).customer == "acme"
    sat = script.metrics(now=90).satisfaction           # 2026-04-05
    # Latest readings: R1 4, R2 1, R6 5 (ACME, tier A), R3 5, R4 3 (Globex, tier B); R5 none.
    assert (sat.count, sat.mean) == (5, pytest.approx(18 / 5))
    assert sat.distribution == {1: 1, 2: 0, 3: 1, 4: 1, 5: 2}
    assert sat.by_tier == {"A": Rating(pytest.approx(10 / 3), 3), "B": Rating(4.0, 2)}
    # ACME and acme are one customer, named as most of its requirements write it; in name order.
    assert sat.by_customer == {"ACME": Rating(pytest.approx(10 / 3), 3), "Globex": Rating(4.0, 2)}
    assert list(sat.by_customer) == ["ACME", "Globex"]
    assert sat.by_channel == {"email": Rating(pytest.approx(14 / 3), 3), "hotline": Rating(3.0, 1),
                              "interview": Rating(1.0, 1)}


def test_satisfaction_by_dimension_uses_each_requirements_latest_reading(script: Script) -> None:
    satisfied_board(script)
    # Latest scores: R1 quality 4 responsiveness 5, R2 communication 1, R6 quality 3, R3 quality 5
    # communication 4, R4 none (its latest reading scored nothing). Price: nobody.
    by_dimension = script.metrics(now=90).satisfaction.by_dimension
    assert by_dimension == {"quality": Rating(4.0, 3), "responsiveness": Rating(5.0, 1),
                            "communication": Rating(2.5, 2), "price": Rating(None, 0)}
    assert list(by_dimension) == ["quality", "responsiveness", "communication", "price"]  # the board's order
    # The board spells a dimension otherwise now: the readings stored before count under its spelling.
    script.board.set_codes("survey_dimensions", ["Communication", "Quality"])
    by_dimension = script.metrics(now=90).satisfaction.by_dimension
    assert by_dimension == {"Communication": Rating(2.5, 2), "Quality": Rating(4.0, 3),
                            "responsiveness": Rating(5.0, 1)}  # no longer listed: after the board's


def test_satisfaction_by_month_counts_every_reading_with_empty_months(script: Script) -> None:
    satisfied_board(script)
    sat = script.metrics(now=90).satisfaction
    assert sat.by_month == (MonthRating("2026-01", pytest.approx(8 / 3), 3), MonthRating("2026-02", None, 0),
                            MonthRating("2026-03", 3.5, 4), MonthRating("2026-04", None, 0))


def test_the_reasons_for_low_scores_count_every_low_reading_most_frequent_first(script: Script) -> None:
    satisfied_board(script)
    sat = script.metrics(now=90).satisfaction
    # R1 2 (late), R2 1 (late, communication), R4 2 (not-as-agreed): even those improved on since.
    assert sat.low_count == 3
    assert list(sat.low_reasons.items()) == [("late", 2), ("communication", 1), ("not-as-agreed", 1)]


def test_satisfaction_since_a_day_counts_the_readings_from_that_day(script: Script) -> None:
    satisfied_board(script)
    sat = script.metrics(now=90, since=date(2026, 3, 1)).satisfaction
    # From March: R1 4, R3 5, R4 2 then 3.
    assert (sat.count, sat.mean) == (3, 4.0)
    assert sat.by_customer == {"ACME": Rating(4.0, 1), "Globex": Rating(4.0, 2)}
    assert sat.by_month == (MonthRating("2026-03", 3.5, 4), MonthRating("2026-04", None, 0))
    assert (sat.low_count, dict(sat.low_reasons)) == (1, {"not-as-agreed": 1})
    # A period without a reading still has its months.
    empty = script.metrics(now=90, since=date(2026, 4, 1)).satisfaction
    assert (empty.count, empty.by_month, empty.low_count) == (0, (MonthRating("2026-04", None, 0),), 0)


def test_a_board_without_readings_has_no_satisfaction_breakdowns(script: Script) -> None:
    script.add(0, "Quiet")
    sat = script.metrics(now=3).satisfaction
    assert (sat.count, sat.by_customer, sat.by_month, sat.low_reasons, sat.low_count) == (0, {}, (), {}, 0)
    assert sat.by_dimension == {"quality": Rating(None, 0), "responsiveness": Rating(None, 0),
                                "communication": Rating(None, 0)}


# ============================================================================ response targets


def targeted_board(script: Script) -> dict[str, str]:
    board = script.board
    board.set_response_target("analysed", 2)
    board.set_response_target("analysed", 1, channel="complaint", tier="A")
    board.set_response_target("approved", 5, tier="B")
    c1 = script.add(0, "C1", channel="complaint", tier="A")
    c2 = script.add(0, "C2", channel="complaint", tier="A")
    e1 = script.add(0, "E1", customer="Globex", channel="email", tier="B")
    e2 = script.add(0, "E2", customer="Globex", channel="email", tier="B")
    gone = script.add(0, "Rejected", customer="Globex", channel="email", tier="B")
    h = script.add(0, "H", customer="Initech", channel="hotline", tier="C")
    script.to(0.5, c1, "analysed")          # complaint + A, 1 day: met
    script.to(3, c2, "analysed")            # missed
    script.to(1, e1, "analysed")            # any, 2 days: met
    script.to(7, e1, "approved")            # tier B, 5 days: missed
    script.to(1, gone, "rejected", reason="duplicate")  # not counted
    script.to(1.5, h, "analysed")           # met; tier C has no approval target
    e3 = script.add(9.5, "E3", customer="Globex", channel="email", tier="B")  # both still open on day 10
    return {"c1": c1, "c2": c2, "e1": e1, "e2": e2, "e3": e3, "h": h, "gone": gone}


def test_targets_are_counted_by_channel_tier_and_state(script: Script) -> None:
    keys = targeted_board(script)
    summary = script.metrics(now=10).targets
    assert len(summary.targets) == 3
    assert summary.overall == TargetCount(met=3, missed=2, breached=2, open=2)
    assert summary.overall.missed_total == 4
    assert summary.by_channel == {"complaint": TargetCount(met=1, missed=1), "email": TargetCount(1, 1, 2, 2),
                                  "hotline": TargetCount(met=1)}
    assert summary.by_tier == {"A": TargetCount(met=1, missed=1), "B": TargetCount(1, 1, 2, 2),
                               "C": TargetCount(met=1)}
    assert summary.by_state == {"analysed": TargetCount(met=3, missed=1, breached=1, open=1),
                                "approved": TargetCount(missed=1, breached=1, open=1)}
    assert [(b.key, b.state, b.deadline, b.days_late, b.customer) for b in summary.breaches] == [
        (keys["e2"], State.ANALYSED, day(2), 8.0, "Globex"), (keys["e2"], State.APPROVED, day(5), 5.0, "Globex")]


def test_targets_since_a_day_count_the_deadlines_from_that_day(script: Script) -> None:
    targeted_board(script)
    # Deadlines on or after 2026-01-09 (day 4): E1 approved (day 5, missed), E2 approved (day 5,
    # breached), E3 analysed and approved (days 11.5 and 14.5, open).
    summary = script.metrics(now=10, since=date(2026, 1, 9)).targets
    assert summary.overall == TargetCount(met=0, missed=1, breached=1, open=2)
    assert summary.by_state == {"analysed": TargetCount(open=1), "approved": TargetCount(missed=1, breached=1, open=1)}


def test_a_board_without_targets_counts_none(script: Script) -> None:
    script.add(0, "Untargeted", channel="complaint")
    summary = script.metrics(now=30).targets
    assert (summary.targets, summary.overall, summary.by_channel, summary.breaches) == ((), TargetCount(), {}, ())


# ============================================================================ due dates


def test_overdue_and_due_soon_with_their_boundaries(script: Script) -> None:
    today = date(2026, 1, 15)  # day 10
    d1 = script.add(0, "Due yesterday", due=today - timedelta(days=1))
    d2 = script.add(0, "Long overdue", customer="Globex", due=date(2026, 1, 1))
    script.deliver(d2, 1, 1, 1)                       # in progress, owner bob
    d3 = script.add(0, "Due today", due=today)
    d4 = script.add(0, "Due in 7 days", due=today + timedelta(days=7))
    d5 = script.add(0, "Due in 8 days", due=today + timedelta(days=8))
    script.add(0, "No due date")
    finished = script.add(0, "Done, was due", due=today - timedelta(days=5))
    script.deliver(finished, 1, 1, 1, 2)
    finished_soon = script.add(0, "Done, due tomorrow", due=today + timedelta(days=1))
    script.deliver(finished_soon, 1, 1, 1, 2)
    gone = script.add(0, "Rejected, was due", due=today - timedelta(days=3))
    script.to(1, gone, "rejected", reason="no")
    m = script.metrics(now=10)
    assert [(i.key, i.title, i.customer, i.owner, i.state, i.due, i.days) for i in m.overdue] == [
        (d2, "Long overdue", "Globex", "bob", State.IN_PROGRESS, date(2026, 1, 1), 14),
        (d1, "Due yesterday", "ACME", "", State.COLLECTED, date(2026, 1, 14), 1)]
    assert [(i.key, i.due, i.days) for i in m.due_soon] == [(d3, today, 0), (d4, date(2026, 1, 22), 7)]
    # Late in the evening of the 15th it is still the 15th; a minute past midnight, the 16th.
    late = script.metrics(now=10.6)
    assert [i.key for i in late.overdue] == [d2, d1] and [i.key for i in late.due_soon] == [d3, d4]
    next_day = board_metrics(script.board, now=datetime(2026, 1, 16, 0, 1, tzinfo=UTC))
    assert [(i.key, i.days) for i in next_day.overdue] == [(d2, 15), (d1, 2), (d3, 1)]
    assert [(i.key, i.days) for i in next_day.due_soon] == [(d4, 6), (d5, 7)]


# ============================================================================ one customer's summary


def test_a_customers_summary(script: Script) -> None:
    board = script.board
    board.add_customer("ACME", "A", contact="Li Wei", segment="retail", notes="Pays on time")
    a1 = script.add(0, "A1 collected, overdue", due=date(2026, 1, 10))
    a2 = script.add(0, "A2 analysed")
    script.to(1, a2, "analysed")
    a3 = script.add(0, "A3 done in 8 days")
    script.deliver(a3, 1, 2, 3, 8)
    a4 = script.add(1, "A4 fed back, 3 days")
    script.deliver(a4, 2, 2, 3, 4)
    script.feedback(6, a4, 5, channel="survey")
    a7 = script.add(0, "A7 done in 2 days")
    script.deliver(a7, 0.5, 1, 1.5, 2)
    a5 = script.add(0, "A5 rejected")
    script.to(1, a5, "rejected", reason="duplicate")
    a6 = script.add(0, "A6 under way", customer="acme")
    script.deliver(a6, 1, 1, 2)
    script.feedback(5, a3, 3, interim=True)
    script.feedback(9, a3, 2, interim=True, reasons=["late"])
    script.at(10).add_note(a5, "Called about the duplicate", channel="hotline")
    script.at(3)
    open_cr = board.add_change_request(a6, "Add a logo").key
    decided = board.add_change_request(a6, "Gold plating").key
    board.assess_change_request(decided, schedule_days=1, cost=1, effort_hours=1)
    board.decide_change_request(decided, approve=False, rationale="no")
    other = script.add(0, "Globex's", customer="Globex")
    script.feedback(11, other, 1, interim=True, reasons=["late"])
    script.at(11).add_note(other, "Globex called")
    assert a1

    summary = customer_summary(board.customer("acme"), board.requirements(), today=date(2026, 1, 17))
    assert summary.as_json() == {
        "name": "ACME", "tier": "A", "contact": "Li Wei", "segment": "retail", "notes": "Pays on time",
        "requirements": 7, "open": 3, "delivered": 3, "rejected": 1, "overdue": 1,
        "count_by_state": {"collected": 1, "analysed": 1, "approved": 0, "in_progress": 1, "done": 2,
                           "fed_back": 1, "rejected": 1},
        "lead_time_days": {"median": 3.0, "mean": pytest.approx(13 / 3)},   # 8, 3 and 2 days
        "satisfaction": {"mean": 3.5, "count": 2,                            # A3's latest 2, A4's 5
                         "latest": {"satisfaction": 2, "at": "2026-01-14T09:00:00Z", "key": a3}},
        "open_change_requests": [{"key": open_cr, "requirement": a6, "status": "submitted", "summary": "Add a logo"}],
        "last_contact": {"at": "2026-01-15T09:00:00Z", "key": a5, "channel": "hotline", "kind": "note"},
    }


def test_a_customer_without_requirements_has_an_empty_summary(script: Script) -> None:
    customer = script.board.add_customer("Initech")
    script.add(0, "Someone else's", customer="Globex")
    summary = customer_summary(customer, script.board.requirements(), today=date(2026, 1, 5))
    figures = summary.as_json()
    assert (figures["requirements"], figures["open"], figures["overdue"]) == (0, 0, 0)
    assert figures["lead_time_days"] == {"median": None, "mean": None}
    assert figures["satisfaction"] == {"mean": None, "count": 0, "latest": None}
    assert (figures["open_change_requests"], figures["last_contact"]) == ([], None)
