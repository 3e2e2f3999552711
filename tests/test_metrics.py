"""store.metrics on fixture boards whose numbers are worked out by hand in each test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reqboard.store.board import Board
from reqboard.store.links import LinkIndex
from reqboard.store.metrics import (
    NOT_ENOUGH_DATA,
    BoardMetrics,
    Quadrant,
    WeekCount,
    compute_metrics,
    exponential_smoothing_forecast,
    median,
    moving_average_forecast,
    percentile,
    quadrant_of,
)
from reqboard.store.models import CRStatus, State
from reqboard.store.reports import render_html, render_markdown, report_json

from board_locations import BoardLocation

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


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

    def add(self, at: datetime, title: str, *, tier: str = "A", channel: str = "email", **fields: object) -> str:
        self.clock.at = at
        return self.board.add_requirement(title, customer="Acme", tier=tier, channel=channel, **fields).key

    def to(self, at: datetime, key: str, state: str, *, reason: str = "", satisfaction: int = 4,
           importance: int = 3, urgency: int = 3) -> None:
        self.clock.at = at
        if state == "analysed" and not reason:
            self.board.move_requirement(key, state, updates={
                "importance": importance, "urgency": urgency, "kano": "performance"})
        elif state == "approved" and not reason:
            self.board.approve(key, "ok")
        elif state == "in_progress" and not reason:
            self.board.move_requirement(key, state, updates={"owner": "bob"})
        elif state == "fed_back":
            self.board.record_feedback(key, satisfaction, reasons=("late",) if satisfaction <= 2 else ())
        else:
            self.board.move_requirement(key, state, reason=reason)

    def deliver(self, key: str, analysed: float, approved: float, started: float, done: float) -> None:
        for when, state in ((analysed, "analysed"), (approved, "approved"), (started, "in_progress"),
                            (done, "done")):
            self.to(day(when), key, state)

    def metrics(self, now: datetime, since: date | None = None) -> BoardMetrics:
        return compute_metrics(self.board.requirements(), self.board.history(), now=now, since=since)


@pytest.fixture
def script(board_location: BoardLocation) -> Script:
    """A script on a board file and on a server board (conftest's `board_location`)."""
    return Script(board_location)


# ============================================================================ statistics


def test_percentile_is_nearest_rank() -> None:
    ten = [float(v) for v in range(10, 0, -1)]  # 10..1, unsorted on purpose
    assert percentile(ten, 85) == 9.0  # ceil(0.85 * 10) = 9th smallest
    twenty = list(range(1, 21))
    assert percentile(twenty, 85) == 17  # ceil(0.85 * 20) = 17 exactly, no float drift to the 18th
    assert percentile([3.5], 85) == 3.5
    assert percentile([1, 2, 3], 85) == 3  # ceil(2.55) = 3
    assert percentile([1, 2, 3, 4, 5, 6, 7], 50) == 4
    assert percentile([], 85) is None


def test_median_of_even_count_is_mean_of_middle_two() -> None:
    assert median([1, 9, 3, 5]) == 4.0
    assert median([2, 7, 4]) == 4
    assert median([]) is None


# ============================================================================ flow times


def test_lead_cycle_and_response_times(script: Script) -> None:
    a = script.add(day(0), "Export invoices as PDF")
    b = script.add(day(0.1), "Single sign-on")
    script.to(day(1), a, "analysed")
    c = script.add(day(1), "Dark mode")
    script.to(day(2), a, "approved")
    script.add(day(2), "Still only collected")
    script.to(day(2.5), b, "analysed")      # b: response 2.4 days
    script.to(day(3), a, "in_progress")
    script.to(day(3), b, "approved")
    script.to(day(4), b, "in_progress")
    script.to(day(4), c, "analysed")        # c: response 3 days
    script.to(day(5), a, "done")            # a: lead 5, cycle 2
    script.to(day(5), c, "approved")
    script.to(day(6), c, "in_progress")
    script.to(day(8), c, "done")            # c: lead 7, cycle 2
    script.to(day(10.1), b, "done")         # b: lead 10, cycle 6.1

    m = script.metrics(now=day(12))

    assert m.lead_time.items == (("REQ-1", 5.0), ("REQ-3", 7.0), ("REQ-2", 10.0))
    assert m.lead_time.median == 7.0
    assert m.lead_time.p85 == 10.0  # ceil(0.85 * 3) = 3rd of 3
    assert m.cycle_time.days == pytest.approx((2.0, 2.0, 6.1))
    assert m.cycle_time.median == 2.0
    assert m.cycle_time.p85 == pytest.approx(6.1)
    assert m.response_time.days == pytest.approx((1.0, 2.4, 3.0))
    assert m.response_time.median == pytest.approx(2.4)
    assert m.response_time.count == 3
    assert m.count_by_state[State.DONE] == 3 and m.count_by_state[State.COLLECTED] == 1


def test_since_limits_durations_to_work_finished_in_the_period(script: Script) -> None:
    a = script.add(day(0), "Early")
    b = script.add(day(0), "Late")
    script.deliver(a, 1, 1, 1, 3)   # done on day 3 (Thursday of week 1): lead 3
    script.deliver(b, 1, 1, 2, 9)   # done on day 9 (Wednesday of week 2): lead 9

    m = script.metrics(now=day(12), since=day(7).date())

    assert m.lead_time.items == (("REQ-2", 9.0),)
    assert m.since == date(2026, 1, 12)
    # The weekly series starts with the week that contains `since`.
    assert [w.start for w in m.throughput] == [date(2026, 1, 12)]
    assert m.throughput[0].count == 1
    # Snapshots are not limited: both requirements are still counted.
    assert m.count_by_state[State.DONE] == 2


def test_a_requirement_moved_back_after_done_keeps_its_first_delivery(script: Script) -> None:
    a = script.add(day(0), "Reworked")
    script.deliver(a, 1, 2, 3, 4)
    script.to(day(6), a, "in_progress", reason="a bug was found")
    script.to(day(8), a, "done")

    m = script.metrics(now=day(9))

    assert m.lead_time.items == (("REQ-1", 4.0),)
    assert m.cycle_time.items == (("REQ-1", 1.0),)
    # Time in progress adds both visits: day 3 -> 4 and day 6 -> 8.
    assert m.time_in_state[State.IN_PROGRESS].items == (("REQ-1", 3.0),)
    assert m.time_in_state[State.DONE].items == (("REQ-1", 3.0),)  # day 4 -> 6 and day 8 -> 9 (now)


# ============================================================================ cumulative flow


def test_cumulative_flow_counts_states_per_day_and_follows_a_backward_move(script: Script) -> None:
    a = script.add(day(0), "Goes forward, back, forward")
    script.to(day(1), a, "analysed")
    b = script.add(day(1.2), "Stays collected")
    script.to(day(2), a, "approved")
    script.to(day(2.25), a, "in_progress")  # same day: only the end-of-day state counts
    script.to(day(3), a, "approved", reason="blocked by the customer")
    script.to(day(4), a, "in_progress")
    assert b == "REQ-2"

    cfd = script.metrics(now=day(5)).cumulative_flow

    assert cfd.days == tuple(date(2026, 1, 5) + timedelta(days=i) for i in range(6))
    C, An, Ap, P = State.COLLECTED, State.ANALYSED, State.APPROVED, State.IN_PROGRESS
    assert cfd.counts[C] == (1, 1, 1, 1, 1, 1)
    assert cfd.counts[An] == (0, 1, 0, 0, 0, 0)
    assert cfd.counts[Ap] == (0, 0, 0, 1, 0, 0)   # back in approved on day 3 only
    assert cfd.counts[P] == (0, 0, 1, 0, 1, 1)    # out of progress on day 3
    assert cfd.counts[State.DONE] == (0,) * 6
    # Stacked with the last state at the bottom: each line is "in this state or a later one".
    stacked = cfd.stacked()
    assert stacked[C] == (1, 2, 2, 2, 2, 2)
    assert stacked[Ap] == (0, 0, 1, 1, 1, 1)
    assert stacked[P] == (0, 0, 1, 0, 1, 1)
    assert cfd.on(date(2026, 1, 8)) == {C: 1, An: 0, Ap: 1, P: 0, State.DONE: 0, State.FED_BACK: 0}


def test_cumulative_flow_drops_rejected_requirements(script: Script) -> None:
    a = script.add(day(0), "Rejected on day 1")
    script.to(day(1), a, "rejected", reason="out of scope")

    cfd = script.metrics(now=day(2)).cumulative_flow

    assert cfd.counts[State.COLLECTED] == (1, 0, 0)
    assert sum(sum(v) for v in cfd.counts.values()) == 1


# ============================================================================ throughput and aging


def test_throughput_per_week_counts_first_deliveries_with_empty_weeks(script: Script) -> None:
    keys = [script.add(day(0), f"R{i}") for i in range(4)]
    script.deliver(keys[0], 1, 1, 1, 2)    # week of Jan 5
    script.deliver(keys[1], 1, 1, 1, 3)    # week of Jan 5
    script.deliver(keys[2], 1, 1, 1, 15)   # week of Jan 19 (Jan 12 has none)

    m = script.metrics(now=day(16))  # Wednesday Jan 21: that week is still running

    assert [(w.label, w.count, w.complete) for w in m.throughput] == [
        ("2026-W02", 2, True), ("2026-W03", 0, True), ("2026-W04", 1, False)]
    assert m.throughput_mean == 1.0  # (2 + 0) / 2 complete weeks


def test_aging_lists_open_work_oldest_first_and_flags_what_outlived_p85(script: Script) -> None:
    done = script.add(day(0), "Delivered")
    script.deliver(done, 1, 1, 1, 3)          # lead time 3 days: the p85 of one value
    old = script.add(day(1), "Old and waiting")
    script.to(day(2), old, "analysed")
    young = script.add(day(6), "Young")

    m = script.metrics(now=day(7))

    assert [(a.key, a.age_days, a.in_state_days, a.state) for a in m.aging] == [
        (old, 6.0, 5.0, State.ANALYSED), (young, 1.0, 1.0, State.COLLECTED)]
    assert [a.older_than_p85 for a in m.aging] == [True, False]


# ============================================================================ satisfaction, Kano, change requests


def test_satisfaction_uses_the_latest_feedback_by_tier_and_channel(script: Script) -> None:
    a = script.add(day(0), "A1", tier="A", channel="interview")
    b = script.add(day(0), "A2", tier="A", channel="email")
    c = script.add(day(0), "B1", tier="B", channel="email")
    for key in (a, b, c):
        script.deliver(key, 1, 1, 1, 2)
    script.to(day(3), a, "fed_back", satisfaction=5)
    script.to(day(3), b, "fed_back", satisfaction=1)
    script.to(day(4), b, "fed_back", satisfaction=3)   # b told again: 3 replaces 1
    script.to(day(4), c, "fed_back", satisfaction=4)

    sat = script.metrics(now=day(5)).satisfaction

    assert sat.count == 3
    assert sat.mean == pytest.approx((5 + 3 + 4) / 3)
    assert sat.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert sat.by_tier["A"].mean == 4.0 and sat.by_tier["A"].count == 2
    assert sat.by_tier["B"].mean == 4.0 and sat.by_tier["B"].count == 1
    assert sat.by_channel["email"].mean == 3.5 and sat.by_channel["interview"].mean == 5.0


def test_kano_mix_counts_the_board_not_the_archive(script: Script) -> None:
    a = script.add(day(0), "Performance")
    script.to(day(1), a, "analysed")
    script.add(day(0), "Unclassified")
    gone = script.add(day(0), "Rejected")
    script.to(day(1), gone, "rejected", reason="no")

    mix = script.metrics(now=day(2)).kano_mix

    assert mix["performance"] == 1 and mix["unclassified"] == 1
    assert sum(mix.values()) == 2


def test_change_request_totals(script: Script) -> None:
    a = script.add(day(0), "Changed twice")
    script.deliver(a, 1, 1, 1, 2)
    board = script.board
    script.clock.at = day(3)
    cr1 = board.add_change_request(a, "Add a logo", new_title="Invoices with logo").key
    cr2 = board.add_change_request(a, "Gold plating").key
    board.add_change_request(a, "Still to look at")
    board.assess_change_request(cr1, schedule_days=2, cost=150.5, effort_hours=16)
    board.assess_change_request(cr2, schedule_days=5, cost=900, effort_hours=40)
    board.decide_change_request(cr1, approve=True, rationale="cheap")
    board.decide_change_request(cr2, approve=False, rationale="not worth it")
    board.implement_change_request(cr1)

    cr = script.metrics(now=day(4)).change_requests

    assert (cr.total, cr.approved, cr.rejected, cr.pending) == (3, 1, 1, 1)
    assert cr.schedule_days == 2 and cr.cost == 150.5 and cr.effort_hours == 16  # the rejected one is not counted
    assert cr.by_status[CRStatus.IMPLEMENTED] == 1 and cr.by_status[CRStatus.SUBMITTED] == 1
    assert cr.by_status[CRStatus.APPROVED] == 0


# ============================================================================ forecast


def _weeks(*counts: int, running: int | None = None) -> list[WeekCount]:
    weeks = [WeekCount(date(2026, 1, 5) + timedelta(weeks=i), c) for i, c in enumerate(counts)]
    if running is not None:
        weeks.append(WeekCount(date(2026, 1, 5) + timedelta(weeks=len(counts)), running, complete=False))
    return weeks


def test_moving_average_forecast_of_a_known_series() -> None:
    f = moving_average_forecast(_weeks(4, 6, 5, 9, running=1), window=3)

    assert f.method == "moving average" and f.parameters == {"window": 3}
    assert f.next_period == pytest.approx((6 + 5 + 9) / 3)   # the running week (1) is left out
    assert f.period_start == date(2026, 2, 2)                # the Monday after the last complete week
    assert [w.count for w in f.history] == [4, 6, 5, 9]
    assert [w.count for w in f.used] == [6, 5, 9]
    assert f.fitted == (None, None, None, pytest.approx(5.0))  # (4 + 6 + 5) / 3 forecast week 4


def test_exponential_smoothing_forecast_of_a_known_series() -> None:
    f = exponential_smoothing_forecast(_weeks(4, 6, 5, 9), alpha=0.5)
    # level: 4 -> 0.5*6 + 0.5*4 = 5 -> 0.5*5 + 0.5*5 = 5 -> 0.5*9 + 0.5*5 = 7
    assert f.next_period == pytest.approx(7.0)
    assert f.fitted == (None, 4.0, 5.0, 5.0)
    assert f.parameters == {"alpha": 0.5}

    g = exponential_smoothing_forecast(_weeks(4, 6, 5, 9), alpha=0.3)
    # 4 -> 0.3*6 + 0.7*4 = 4.6 -> 0.3*5 + 0.7*4.6 = 4.72 -> 0.3*9 + 0.7*4.72 = 6.004
    assert g.next_period == pytest.approx(6.004)


def test_forecasts_say_when_there_is_not_enough_data() -> None:
    ma = moving_average_forecast(_weeks(3, 5, running=2), window=4)
    es = exponential_smoothing_forecast(_weeks(3, running=2))

    assert ma.next_period is None and ma.note.startswith(NOT_ENOUGH_DATA) and "there are 2" in ma.note
    assert es.next_period is None and es.note.startswith(NOT_ENOUGH_DATA) and "there is 1" in es.note
    assert exponential_smoothing_forecast([]).next_period is None
    with pytest.raises(ValueError):
        exponential_smoothing_forecast(_weeks(1, 2), alpha=0)
    with pytest.raises(ValueError):
        moving_average_forecast(_weeks(1, 2), window=0)


def test_weekly_intake_feeds_the_forecast(script: Script) -> None:
    for when in (0, 1, 2, 7, 14, 15, 16, 17, 22):   # weeks: 3, 1, 4, and 1 in the running week
        script.add(day(when), f"asked on day {when}")

    m = script.metrics(now=day(22))

    assert [(w.count, w.complete) for w in m.intake] == [(3, True), (1, True), (4, True), (1, False)]
    assert m.forecast_moving_average.next_period is None  # 4-week window, 3 complete weeks
    # alpha 0.3: 3 -> 0.3*1 + 0.7*3 = 2.4 -> 0.3*4 + 0.7*2.4 = 2.88
    assert m.forecast.method == "exponential smoothing"
    assert m.forecast.next_period == pytest.approx(2.88)
    assert m.forecast.period_start == date(2026, 1, 26)


# ============================================================================ priority matrix


def test_quadrants_split_at_four() -> None:
    assert quadrant_of(5, 5) is Quadrant.DO_NOW
    assert quadrant_of(4, 4) is Quadrant.DO_NOW
    assert quadrant_of(4, 3) is Quadrant.PLAN
    assert quadrant_of(3, 4) is Quadrant.QUICK_WINS
    assert quadrant_of(3, 3) is Quadrant.RECONSIDER
    assert quadrant_of(1, 1) is Quadrant.RECONSIDER


def test_priority_matrix_places_open_scored_work(script: Script) -> None:
    keys = {name: script.add(day(0), name) for name in ("urgent+important", "important", "urgent",
                                                         "neither", "unscored", "done already")}
    for name, (imp, urg) in {"urgent+important": (5, 4), "important": (4, 2), "urgent": (2, 5),
                             "neither": (3, 3), "done already": (5, 5)}.items():
        script.to(day(1), keys[name], "analysed", importance=imp, urgency=urg)
    for state, when in (("approved", 2), ("in_progress", 2), ("done", 3)):
        script.to(day(when), keys["done already"], state)

    pm = script.metrics(now=day(4)).priority

    def placed(q: Quadrant) -> list[tuple[str, str, int, int]]:
        return [(i.key, i.title, i.importance, i.urgency) for i in pm.quadrants[q]]

    assert placed(Quadrant.DO_NOW) == [(keys["urgent+important"], "urgent+important", 5, 4)]
    assert placed(Quadrant.PLAN) == [(keys["important"], "important", 4, 2)]
    assert placed(Quadrant.QUICK_WINS) == [(keys["urgent"], "urgent", 2, 5)]
    assert placed(Quadrant.RECONSIDER) == [(keys["neither"], "neither", 3, 3)]
    assert pm.unscored == (keys["unscored"],)
    assert pm.placed == 4


# ============================================================================ links


def _linked(script: Script) -> dict[str, str]:
    """Login (analysed) <- Profile (started anyway) <- Avatar (collected); Logs and Delete in conflict;
    Export in conflict with Logs, settled; Archive in conflict with Delete, rejected."""
    keys = {name: script.add(day(0), name) for name in ("Login", "Profile", "Avatar", "Logs <b>|</b>", "Delete",
                                                         "Export", "Archive")}
    board = script.board
    board.edit_requirement(keys["Profile"], {"depends_on": (keys["Login"],)})
    board.edit_requirement(keys["Avatar"], {"depends_on": (keys["Profile"], keys["Login"])})
    board.edit_requirement(keys["Delete"], {"conflicts_with": (keys["Logs <b>|</b>"], keys["Archive"])})
    board.edit_requirement(keys["Export"], {"conflicts_with": (keys["Logs <b>|</b>"],)})
    script.to(day(1), keys["Login"], "analysed")
    script.to(day(1), keys["Profile"], "analysed")
    script.to(day(2), keys["Profile"], "approved")
    script.clock.at = day(3)
    board.move_requirement(keys["Profile"], "in_progress", updates={"owner": "bob"}, override_dependency=True,
                           reason="the profile page can use a stub login")
    board.resolve_conflict(keys["Export"], keys["Logs <b>|</b>"], "export the logs, keep them too")
    board.reject(keys["Archive"], "not this year")
    return keys


def test_open_conflicts_are_listed_once_each_with_their_states(script: Script) -> None:
    keys = _linked(script)
    m = script.metrics(now=day(4))
    assert [(c.keys, (c.first.title, c.first.state), (c.second.title, c.second.state)) for c in m.open_conflicts] == [
        ((keys["Logs <b>|</b>"], keys["Delete"]), ("Logs <b>|</b>", State.COLLECTED), ("Delete", State.COLLECTED))]


def test_blocked_work_is_listed_furthest_along_first_with_what_it_waits_on(script: Script) -> None:
    keys = _linked(script)
    m = script.metrics(now=day(4))
    assert [(b.item.key, b.item.state, [(i.key, i.title, i.state) for i in b.blocked_by]) for b in m.blocked] == [
        (keys["Profile"], State.IN_PROGRESS, [(keys["Login"], "Login", State.ANALYSED)]),
        (keys["Avatar"], State.COLLECTED, [(keys["Login"], "Login", State.ANALYSED),
                                           (keys["Profile"], "Profile", State.IN_PROGRESS)])]
    # Once what they wait on is done, nothing is blocked.
    for state, when in (("approved", 5), ("in_progress", 5), ("done", 6)):
        script.to(day(when), keys["Login"], state)
    script.to(day(6), keys["Profile"], "done")
    assert script.metrics(now=day(7)).blocked == ()


def test_links_of_the_whole_board_name_what_lies_outside_the_requirements_measured(script: Script) -> None:
    keys = _linked(script)
    everything = script.board.requirements()
    some = [r for r in everything if r.key in (keys["Delete"], keys["Avatar"])]
    m = compute_metrics(some, [], now=day(4), links=LinkIndex.of(everything))
    [conflict] = m.open_conflicts
    assert (conflict.first.key, conflict.first.title, conflict.first.state) == (keys["Logs <b>|</b>"], "",
                                                                               State.COLLECTED)
    assert [b.item.key for b in m.blocked] == [keys["Avatar"]]
    assert compute_metrics(some, [], now=day(4)).open_conflicts == ()  # without the board's links: none seen


def test_the_reports_list_open_conflicts_and_blocked_work(script: Script) -> None:
    keys = _linked(script)
    m = script.metrics(now=day(4))
    data = report_json(m)
    assert data["open_conflicts"] == [{"keys": [keys["Logs <b>|</b>"], keys["Delete"]]}]
    assert data["blocked"] == [{"key": keys["Profile"], "blocked_by": [keys["Login"]]},
                               {"key": keys["Avatar"], "blocked_by": [keys["Login"], keys["Profile"]]}]
    logs, delete, profile, avatar, login = (keys[n] for n in ("Logs <b>|</b>", "Delete", "Profile", "Avatar", "Login"))

    markdown = render_markdown(m)
    assert "\n## Dependencies and conflicts\n\n### Open conflicts (1)\n" in markdown
    assert f"- {logs} Logs \\<b\\>\\|\\</b\\> (collected) conflicts with {delete} Delete (collected)\n" in markdown
    assert "reqboard resolve KEY OTHER --decision TEXT" in markdown
    assert "\n### Blocked work (2)\n" in markdown
    assert (f"- {profile} Profile (in progress), waiting for {login} Login (analysed)\n"
            f"- {avatar} Avatar (collected), waiting for {login} Login (analysed), {profile} Profile (in progress)\n"
            ) in markdown

    html = render_html(m)
    links = html[html.index('<section id="links">'):]
    links = links[:links.index("</section>")]
    assert "<h3>Open conflicts (1)</h3>" in links and "<h3>Blocked work (2)</h3>" in links
    assert (f'<li><span class="key">{logs}</span> Logs &lt;b&gt;|&lt;/b&gt; (collected) conflicts with '
            f'<span class="key">{delete}</span> Delete (collected)</li>') in links
    assert "<b>" not in links


def test_a_board_without_links_says_none(script: Script) -> None:
    script.add(day(0), "Alone")
    m = script.metrics(now=day(1))
    assert (m.open_conflicts, m.blocked) == ((), ())
    assert (report_json(m)["open_conflicts"], report_json(m)["blocked"]) == ([], [])
    assert "### Open conflicts (0)\n\n_none_\n\n### Blocked work (0)\n\n_none_\n" in render_markdown(m)


# ============================================================================ empty and tiny boards


def test_an_empty_board_gives_none_not_errors() -> None:
    m = compute_metrics([], [], now=T0)

    assert m.total == 0 and all(n == 0 for n in m.count_by_state.values())
    for d in (m.lead_time, m.cycle_time, m.response_time):
        assert (d.count, d.median, d.p85, d.mean) == (0, None, None, None)
    assert m.throughput == () and m.throughput_mean is None
    assert m.cumulative_flow.days == () and all(v == () for v in m.cumulative_flow.stacked().values())
    assert (m.satisfaction.mean, m.satisfaction.count) == (None, 0)
    assert m.change_requests.total == 0 and m.change_requests.cost == 0
    assert m.forecast.next_period is None and NOT_ENOUGH_DATA in m.forecast.note
    assert m.forecast_moving_average.next_period is None
    assert m.priority.placed == 0 and m.aging == ()


def test_a_board_with_one_new_requirement(script: Script) -> None:
    script.add(day(0), "The first one")

    m = script.metrics(now=day(0.5))

    assert m.total == 1 and m.open_count == 1
    assert m.lead_time.median is None
    assert m.cumulative_flow.counts[State.COLLECTED] == (1,)
    assert [(w.count, w.complete) for w in m.intake] == [(1, False)]
    assert m.forecast.next_period is None and "there are 0" in m.forecast.note
    assert m.aging[0].age_days == 0.5
