"""Flow and outcome metrics of a board: pure functions over its requirements and their history.

Nothing here reads the disk or draws anything. Give the functions the requirements
(`Board.requirements()`), the history (`Board.history()`) and the moment to measure at; they return
frozen dataclasses that the CLI report, the Markdown/HTML renderers and the Reports screen all draw from.

Conventions used throughout:
- Durations are in days (float), between the *first* time a requirement entered each state
  (`Requirement.entered_at`): a requirement moved back and done again keeps its first delivery.
- Days and weeks are calendar days in the local zone (`store.clock`: the `timezone` setting, else the
  system's), so that work done at 07:30 on a Monday in Beijing counts on that Monday, in that week;
  weeks start on Monday (ISO 8601 weeks). Stored times stay UTC; `now` is a moment, cut in the zone.
- `since` (a local date) limits the flow and outcome figures to a period: durations of work that finished
  on or after it, feedback given on or after it, change requests submitted on or after it, the
  cumulative flow from that day. Weekly series count whole weeks, starting with the week that
  contains `since`. Snapshots of the board as it is now (count by state, aging, Kano mix, the
  priority matrix, open conflicts and blocked work) are not limited.
- A figure over no data is None, with a note saying why where a reader will see it; nothing divides
  by zero.
"""

from __future__ import annotations

import gettext
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from . import clock
from .domain import CLOSED_STATES, key_number
from .i18n import N_, _
from .i18n import ngettext as _ngettext
from .links import LinkIndex
from .models import BOARD_STATES, CRStatus, Event, Kano, Requirement, State
from .models import now as _utcnow
from .targets import Outcome as TargetOutcome
from .targets import Target
from .targets import checks as target_checks

if TYPE_CHECKING:
    from .board import Board

DAY_SECONDS = 86_400.0
OPEN_STATES: tuple[State, ...] = (State.COLLECTED, State.ANALYSED, State.APPROVED, State.IN_PROGRESS)
"""Work not yet delivered: what aging and the priority matrix look at."""
DWELL_STATES: tuple[State, ...] = (*OPEN_STATES, State.DONE)
"""States whose time is worth measuring (`fed_back` is the end of the line, `rejected` the archive)."""

NOT_ENOUGH_DATA = N_("not enough data yet")
"""English, marked for the catalogue: show it as `_(NOT_ENOUGH_DATA)`."""

# ============================================================================ small helpers


def days_between(start: datetime, end: datetime) -> float:
    """Days from `start` to `end` (never negative: clock skew between machines is clamped to 0)."""
    return max(0.0, (end - start).total_seconds() / DAY_SECONDS)


def week_start(day: date) -> date:
    """The Monday of the ISO week that contains `day`."""
    return day - timedelta(days=day.weekday())


def start_of_day(day: date) -> datetime:
    """The moment local `day` begins (midnight in the zone of `store.clock`)."""
    return datetime.combine(day, time(0), tzinfo=clock.zone())


def percentile(values: Iterable[float], pct: int) -> float | None:
    """The `pct`-th percentile by the nearest-rank method; None when there are no values.

    Sort the n values; the percentile is the ceil(pct * n / 100)-th smallest (counting from 1): the
    smallest observed value with at least `pct` % of the values at or below it. For 10 lead times the
    85th percentile is the 9th smallest (ceil(8.5) = 9); for 20 it is the 17th. It is always a value
    that actually occurred, the way a service level is quoted ("85 % are done within 12 days").
    """
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-pct * len(ordered) // 100))  # integer ceil: no float rounding at exact ranks
    return ordered[rank - 1]


def median(values: Iterable[float]) -> float | None:
    """The usual median (the mean of the two middle values for an even count); None for none."""
    values = list(values)
    return statistics.median(values) if values else None


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.fmean(values) if values else None


@dataclass(frozen=True)
class Durations:
    """How long each of a set of requirements took, in days, with summary statistics.

    `median` is the usual median; `p85` the 85th percentile by nearest rank (see `percentile`).
    """

    items: tuple[tuple[str, float], ...] = ()
    """(key, days), shortest first."""

    @classmethod
    def of(cls, items: Iterable[tuple[str, float]]) -> Durations:
        return cls(tuple(sorted(items, key=lambda kv: (kv[1], kv[0]))))

    @property
    def days(self) -> tuple[float, ...]:
        return tuple(d for _key, d in self.items)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def median(self) -> float | None:
        return median(self.days)

    @property
    def p85(self) -> float | None:
        return percentile(self.days, 85)

    @property
    def mean(self) -> float | None:
        return mean(self.days)

    @property
    def longest(self) -> float | None:
        return self.items[-1][1] if self.items else None


@dataclass(frozen=True)
class Bin:
    """One bar of a histogram: values in [low, high)."""

    low: float
    high: float
    count: int


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 5 x 10^k that is at least `raw`."""
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw - 1e-12:
            return float(factor * magnitude)
    return float(10 * magnitude)  # pragma: no cover - the loop always returns


HOUR_STEPS = (1, 2, 3, 4, 6, 12, 24)
"""Bin widths in hours that divide a day."""
HOURS_BELOW_DAYS = 2.0
"""Durations whose longest is under this many days are binned in hours, longer ones in whole days."""


@dataclass(frozen=True)
class DurationBins:
    """A histogram of durations in one unit: `unit` is "hours" or "days", the bins' edges are whole
    numbers of it."""

    unit: str
    bins: tuple[Bin, ...]

    def labels(self) -> list[str]:
        """Each bin as a person reads it, with its unit: "0-6 h", "0-5 d"."""
        # i18n: a lead-time histogram's bin in hours ("0-6 h") and in days ("0-5 d")
        span = _("{low}-{high} h") if self.unit == "hours" else _("{low}-{high} d")
        return [span.format(low=f"{b.low:g}", high=f"{b.high:g}") for b in self.bins]


def duration_histogram(days: Sequence[float], bins: int = 8) -> DurationBins:
    """Counts of durations (given in days) in bins of whole hours when the longest is under
    HOURS_BELOW_DAYS, else of whole days, from 0, of a round width (hours: one of HOUR_STEPS; days: 1,
    2, 5 x 10^k, at least 1), at most `bins` + 1 of them: a young board reads "0-3 h", not "0.0001-0.0002"
    days. Empty bins for no values."""
    if not days:
        return DurationBins("days", ())
    top = max(days)
    if top < HOURS_BELOW_DAYS:
        hours = [max(0.0, d) * 24 for d in days]
        width = next((s for s in HOUR_STEPS if s * max(1, bins) >= top * 24), HOUR_STEPS[-1])
        return DurationBins("hours", _whole_bins(hours, float(width)))
    return DurationBins("days", _whole_bins([max(0.0, d) for d in days], max(1.0, _nice_step(top / max(1, bins)))))


def _whole_bins(values: Sequence[float], width: float) -> tuple[Bin, ...]:
    n = int(max(values) // width) + 1
    counts = [0] * n
    for v in values:
        counts[min(n - 1, int(v // width))] += 1
    return tuple(Bin(i * width, (i + 1) * width, c) for i, c in enumerate(counts))


# ============================================================================ the history of states


def _group_events(events: Iterable[Event]) -> dict[str, list[Event]]:
    grouped: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.field == "state":
            grouped[event.key].append(event)
    return grouped


def state_timeline(req: Requirement, state_events: Sequence[Event] = ()) -> list[tuple[datetime, State]]:
    """Every state `req` was in and when it entered it, oldest first, moves back included.

    Built from the history's state changes (`field == "state"`). Without any (a record imported
    without history), the first-entry times stand in, which cannot show a move back. The record's
    current state closes the list if the history ends elsewhere (e.g. after a restore).
    """
    steps: list[tuple[datetime, State]] = [(req.created_at, State.COLLECTED)]
    moves = sorted(
        (e for e in state_events if isinstance(e.new, str) and e.new in State._value2member_map_),
        key=lambda e: e.at,
    )
    if moves:
        candidates = [(e.at, State(e.new)) for e in moves]
    else:
        candidates = sorted((at, s) for s, at in req.entered_at.items() if s is not State.COLLECTED)
    for at, state in candidates:
        at = max(at, steps[-1][0])  # clocks of two machines may disagree: keep the order of events
        if state is not steps[-1][1]:
            steps.append((at, state))
    if steps[-1][1] is not req.state:
        steps.append((max(req.state_since or req.updated_at, steps[-1][0]), req.state))
    return steps


def _stints(timeline: Sequence[tuple[datetime, State]], until: datetime) -> Iterable[tuple[State, datetime, datetime]]:
    """(state, from, to) for each stretch of a timeline; the last one runs to `until`."""
    for i, (at, state) in enumerate(timeline):
        end = timeline[i + 1][0] if i + 1 < len(timeline) else until
        yield state, at, max(at, end)


# ============================================================================ snapshots of the board now


def count_by_state(reqs: Iterable[Requirement]) -> dict[State, int]:
    """How many requirements are in each state now (every state present, zeros included)."""
    counts = Counter(r.state for r in reqs)
    return {s: counts.get(s, 0) for s in (*BOARD_STATES, State.REJECTED)}


def kano_mix(reqs: Iterable[Requirement]) -> dict[str, int]:
    """Requirements on the board (not rejected) by Kano class, plus `unclassified`."""
    counts = Counter(r.kano.value if r.kano else "unclassified" for r in reqs if r.state is not State.REJECTED)
    return {k: counts.get(k, 0) for k in (*(k.value for k in Kano), "unclassified")}


@dataclass(frozen=True)
class AgingItem:
    """A requirement not yet delivered, and how long it has waited."""

    key: str
    title: str
    state: State
    age_days: float
    """Since it was collected."""
    in_state_days: float
    """Since it entered the state it is in."""
    older_than_p85: bool = False
    """Older than 85 % of the requirements already delivered took (their 85th-percentile lead time)."""


def aging(reqs: Iterable[Requirement], *, now: datetime, lead_p85: float | None = None) -> tuple[AgingItem, ...]:
    """Open work (collected to in progress), oldest first."""
    items = []
    for r in reqs:
        if r.state not in OPEN_STATES:
            continue
        age = days_between(r.entered_at.get(State.COLLECTED, r.created_at), now)
        in_state = days_between(r.state_since or r.updated_at, now)
        items.append(AgingItem(r.key, r.title, r.state, age, in_state,
                               lead_p85 is not None and age > lead_p85))
    return tuple(sorted(items, key=lambda a: (-a.age_days, a.key)))


class Quadrant(StrEnum):
    DO_NOW = "do_now"
    PLAN = "plan"
    QUICK_WINS = "quick_wins"
    RECONSIDER = "reconsider"

    @property
    def label(self) -> str:
        """The quadrant's name in the current language ("Do now", 立即处理)."""
        return _(QUADRANT_LABELS[self][0])

    @property
    def meaning(self) -> str:
        """What puts a requirement there, in the current language."""
        return _(QUADRANT_LABELS[self][1])


QUADRANT_LABELS = {
    Quadrant.DO_NOW: (N_("Do now"), N_("high importance, high urgency")),
    Quadrant.PLAN: (N_("Plan"), N_("high importance, low urgency")),
    Quadrant.QUICK_WINS: (N_("Quick wins"), N_("low importance, high urgency")),
    Quadrant.RECONSIDER: (N_("Reconsider"), N_("low importance, low urgency")),
}
"""English names and meanings, marked for the catalogue; `Quadrant.label` and `.meaning` translate them."""

HIGH_SCORE = 4
"""The one threshold of the priority matrix: an importance or urgency of 4 or 5 (of 1-5) is high,
1 to 3 is low."""


def quadrant_of(importance: int, urgency: int) -> Quadrant:
    """Where a requirement with these scores sits in the priority matrix (threshold: HIGH_SCORE)."""
    important, urgent = importance >= HIGH_SCORE, urgency >= HIGH_SCORE
    if important:
        return Quadrant.DO_NOW if urgent else Quadrant.PLAN
    return Quadrant.QUICK_WINS if urgent else Quadrant.RECONSIDER


@dataclass(frozen=True)
class MatrixItem:
    key: str
    title: str
    importance: int
    urgency: int
    state: State


@dataclass(frozen=True)
class PriorityMatrix:
    """Open requirements placed by importance x urgency; `unscored` lacks one of the two."""

    quadrants: Mapping[Quadrant, tuple[MatrixItem, ...]]
    unscored: tuple[str, ...] = ()

    @property
    def placed(self) -> int:
        return sum(len(items) for items in self.quadrants.values())


def priority_matrix(reqs: Iterable[Requirement]) -> PriorityMatrix:
    """Open work (collected to in progress) in the four quadrants, highest priority first in each.

    Do now: importance and urgency both high; plan: important, not urgent; quick wins: urgent, not
    important; reconsider: neither. "High" is a score of at least HIGH_SCORE (4), defined above.
    """
    placed: dict[Quadrant, list[MatrixItem]] = {q: [] for q in Quadrant}
    unscored = []
    for r in reqs:
        if r.state not in OPEN_STATES:
            continue
        if r.importance is None or r.urgency is None:
            unscored.append(r.key)
            continue
        placed[quadrant_of(r.importance, r.urgency)].append(
            MatrixItem(r.key, r.title, r.importance, r.urgency, r.state))
    for items in placed.values():
        items.sort(key=lambda m: (-m.importance * m.urgency, -m.importance, m.key))
    return PriorityMatrix({q: tuple(v) for q, v in placed.items()}, tuple(unscored))


# ============================================================================ links


@dataclass(frozen=True)
class LinkedItem:
    """A requirement as a list of conflicts or dependencies names it."""

    key: str
    title: str
    state: State


@dataclass(frozen=True)
class OpenConflict:
    """Two requirements in conflict that nobody has decided on yet, neither rejected (the CON badge):
    neither can be approved until `reqboard resolve` settles it."""

    first: LinkedItem
    second: LinkedItem

    @property
    def keys(self) -> tuple[str, str]:
        return self.first.key, self.second.key


@dataclass(frozen=True)
class BlockedItem:
    """Work not yet done that waits on what it depends on (the BLK badge)."""

    item: LinkedItem
    blocked_by: tuple[LinkedItem, ...]


def _key_order(key: str) -> int:
    try:
        return key_number(key)
    except ValueError:
        return 0


def open_conflicts(reqs: Iterable[Requirement], links: LinkIndex | None = None) -> tuple[OpenConflict, ...]:
    """Every open conflict once, the lower key first, in key order (`links`: the index of the whole
    board, when `reqs` are only some of it)."""
    reqs = list(reqs)
    links = links if links is not None else LinkIndex.of(reqs)
    by_key = {r.key: r for r in reqs}
    pairs = {tuple(sorted((key, other), key=_key_order)) for key in by_key for other in links.open_conflicts(key)}
    return tuple(OpenConflict(_item(by_key, links, a), _item(by_key, links, b))
                 for a, b in sorted(pairs, key=lambda pair: (_key_order(pair[0]), _key_order(pair[1]))))


def blocked_work(reqs: Iterable[Requirement], links: LinkIndex | None = None) -> tuple[BlockedItem, ...]:
    """Every requirement waiting on an unfinished dependency, furthest along first (work in progress
    that waits is the most expensive), then in key order; what it waits on in key order."""
    reqs = list(reqs)
    links = links if links is not None else LinkIndex.of(reqs)
    by_key = {r.key: r for r in reqs}
    blocked = [BlockedItem(_item(by_key, links, r.key),
                           tuple(_item(by_key, links, k) for k in sorted(links.blockers(r.key), key=_key_order)))
               for r in reqs if links.blocked(r.key)]
    return tuple(sorted(blocked, key=lambda b: (-OPEN_STATES.index(b.item.state), _key_order(b.item.key))))


def _item(by_key: Mapping[str, Requirement], links: LinkIndex, key: str) -> LinkedItem:
    req = by_key.get(key)
    if req is not None:
        return LinkedItem(req.key, req.title, req.state)
    return LinkedItem(key, "", links.state(key) or State.COLLECTED)  # (on the board, not among `reqs`)


# ============================================================================ flow


def _since_dt(since: date | None) -> datetime | None:
    return start_of_day(since) if since else None


def _span_durations(reqs: Iterable[Requirement], start: State, end: State, since: date | None) -> Durations:
    lower = _since_dt(since)
    items = []
    for r in reqs:
        finished = r.entered_at.get(end)
        if finished is None or (lower is not None and finished < lower):
            continue
        began = r.entered_at.get(start, r.created_at if start is State.COLLECTED else None)
        if began is None:
            continue
        items.append((r.key, days_between(began, finished)))
    return Durations.of(items)


def lead_times(reqs: Iterable[Requirement], *, since: date | None = None) -> Durations:
    """Collected -> done (first entry of each), for requirements done on or after `since`."""
    return _span_durations(reqs, State.COLLECTED, State.DONE, since)


def cycle_times(reqs: Iterable[Requirement], *, since: date | None = None) -> Durations:
    """In progress -> done (first entry of each), for requirements done on or after `since`."""
    return _span_durations(reqs, State.IN_PROGRESS, State.DONE, since)


def response_times(reqs: Iterable[Requirement], *, since: date | None = None) -> Durations:
    """Collected -> analysed: how fast a request got an answer, for those analysed since `since`."""
    return _span_durations(reqs, State.COLLECTED, State.ANALYSED, since)


def time_in_state(reqs: Iterable[Requirement], events: Iterable[Event], *, now: datetime,
                  since: date | None = None) -> dict[State, Durations]:
    """Per state (collected to done), the days each requirement spent in it, all visits added up.

    Taken from the history, so a requirement moved back and forth counts every visit; the visit in
    progress counts up to `now`. With `since`, only the time within the period counts.
    """
    lower = _since_dt(since)
    grouped = _group_events(events)
    totals: dict[State, list[tuple[str, float]]] = {s: [] for s in DWELL_STATES}
    for r in reqs:
        spent: dict[State, float] = defaultdict(float)
        for state, start, end in _stints(state_timeline(r, grouped.get(r.key, ())), now):
            if state not in totals:
                continue
            if lower is not None:
                if end <= lower:
                    continue
                start = max(start, lower)
            spent[state] += days_between(start, end)
        for state, days in spent.items():
            totals[state].append((r.key, days))
    return {s: Durations.of(items) for s, items in totals.items()}


@dataclass(frozen=True)
class WeekCount:
    start: date
    """The Monday the week begins."""
    count: int
    complete: bool = True
    """False for the week still running."""

    @property
    def label(self) -> str:
        """The ISO week, `2026-W02`, as files and the JSON report write it (the same in every language)."""
        year, week, _weekday = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def shown(self) -> str:
        """The week as a person reads it, in the current language: `2026-W02`, 2026 年第 2 周."""
        year, week, _weekday = self.start.isocalendar()
        return _("{year}-W{week:02d}").format(year=year, week=week)

    @property
    def shown_short(self) -> str:
        """The week without its year, for a chart's axis: `W02`, 第 2 周."""
        return _("W{week:02d}").format(week=self.start.isocalendar()[1])


def _weekly(moments: Iterable[datetime], *, first: date | None, today: date) -> tuple[WeekCount, ...]:
    """Count moments per ISO week from the week of `first` to the week of `today`, zeros included;
    a moment counts on its local day (a Monday 07:30 in Beijing, Sunday 23:30 UTC, is that Monday's)."""
    if first is None or first > today:
        return ()
    begin, end = week_start(first), week_start(today)
    counts: Counter[date] = Counter()
    for m in moments:
        d = clock.local_day(m)
        if begin <= d <= today:
            counts[week_start(d)] += 1
    weeks = []
    w = begin
    while w <= end:
        weeks.append(WeekCount(w, counts.get(w, 0), w + timedelta(days=7) <= today))
        w += timedelta(days=7)
    return tuple(weeks)


def _first_day(reqs: Sequence[Requirement], since: date | None) -> date | None:
    if not reqs:
        return None
    created = clock.local_day(min(r.created_at for r in reqs))
    return max(created, since) if since else created


def throughput(reqs: Sequence[Requirement], *, today: date, since: date | None = None) -> tuple[WeekCount, ...]:
    """Requirements delivered (first entered done) per week, from the board's first week (or the
    week of `since`) to this week."""
    done = [r.entered_at[State.DONE] for r in reqs if State.DONE in r.entered_at]
    return _weekly(done, first=_first_day(reqs, since), today=today)


def weekly_intake(reqs: Sequence[Requirement], *, today: date, since: date | None = None) -> tuple[WeekCount, ...]:
    """New requirements (created, rejected ones included: intake is intake) per week."""
    return _weekly((r.created_at for r in reqs), first=_first_day(reqs, since), today=today)


def mean_per_week(weeks: Sequence[WeekCount]) -> float | None:
    """The mean count over complete weeks; None until a week is complete."""
    return mean(w.count for w in weeks if w.complete)


@dataclass(frozen=True)
class CumulativeFlow:
    """How many requirements were in each board state at the end of each local day.

    Counted from the history's state changes, so a move back takes a requirement out of the later
    state and puts it into the earlier one on the day it happened. Rejected requirements drop out.
    """

    days: tuple[date, ...] = ()
    counts: Mapping[State, tuple[int, ...]] = field(default_factory=dict)

    def stacked(self) -> dict[State, tuple[int, ...]]:
        """The top line of each band when stacked with the last state at the bottom: the number in
        that state or any later one (what a cumulative flow diagram draws)."""
        out: dict[State, tuple[int, ...]] = {}
        running = [0] * len(self.days)
        for state in reversed(BOARD_STATES):
            running = [a + b for a, b in zip(running, self.counts.get(state, ()), strict=True)]
            out[state] = tuple(running)
        return {s: out[s] for s in BOARD_STATES}

    def on(self, day: date) -> dict[State, int]:
        i = self.days.index(day)
        return {s: self.counts[s][i] for s in BOARD_STATES}


def cumulative_flow(reqs: Sequence[Requirement], events: Iterable[Event], *, today: date,
                    since: date | None = None) -> CumulativeFlow:
    """The cumulative flow series per day, from the first day (or `since`) to `today`."""
    first = _first_day(reqs, since)
    if first is None or first > today:
        return CumulativeFlow()
    n = (today - first).days + 1
    # Difference arrays: +1 on the first day a state holds at day's end, -1 on the first day it no longer does.
    delta = {s: [0] * (n + 1) for s in BOARD_STATES}
    grouped = _group_events(events)
    for r in reqs:
        timeline = state_timeline(r, grouped.get(r.key, ()))
        for i, (at, state) in enumerate(timeline):
            if state not in delta:
                continue
            begin = (clock.local_day(at) - first).days
            end = (clock.local_day(timeline[i + 1][0]) - first).days if i + 1 < len(timeline) else n
            begin, end = max(0, begin), min(n, end)
            if begin < end:
                delta[state][begin] += 1
                delta[state][end] -= 1
    counts = {}
    for state, d in delta.items():
        running, series = 0, []
        for i in range(n):
            running += d[i]
            series.append(running)
        counts[state] = tuple(series)
    return CumulativeFlow(tuple(first + timedelta(days=i) for i in range(n)), counts)


# ============================================================================ outcomes


@dataclass(frozen=True)
class Rating:
    mean: float | None
    count: int


@dataclass(frozen=True)
class MonthRating:
    """The readings of one calendar month (local): every one given that month, interim ones too."""

    month: str
    """`2026-11`."""
    mean: float | None
    count: int


@dataclass(frozen=True)
class Satisfaction:
    """Customer satisfaction (1-5) from the latest feedback on each requirement.

    `overall`, `distribution` and the breakdowns by tier, channel, customer and dimension count each
    requirement once, with its latest reading (the customer's view now, interim or final); the trend
    (`by_month`) and the reasons for low scores count every reading of the period, so that a reading
    later improved on still shows in its month and its reason is not forgotten.
    """

    overall: Rating
    distribution: Mapping[int, int]
    by_tier: Mapping[str, Rating]
    """Customer tier A/B/C, or `none` where no tier was recorded."""
    by_channel: Mapping[str, Rating]
    """The channel the requirement came in through (not the one the feedback went out on)."""
    by_customer: Mapping[str, Rating] = field(default_factory=dict)
    """By the requirement's customer ("" for requirements that name none), in name order. A customer
    is one whatever the case its requirements write it in (`customers.same_customer`); it is named as
    most of them write it."""
    by_dimension: Mapping[str, Rating] = field(default_factory=dict)
    """By survey dimension: the board's dimensions in its order (a dimension nobody scored has no mean),
    then any a reading scored that the board no longer lists (a dimension in another case is the
    board's)."""
    by_month: tuple[MonthRating, ...] = ()
    """Every month from the first reading (or `since`) to this one, empty months included."""
    low_reasons: Mapping[str, int] = field(default_factory=dict)
    """How often each reason was given with a score of 2 or less, most frequent first."""
    low_count: int = 0
    """How many readings scored 2 or less."""

    @property
    def mean(self) -> float | None:
        return self.overall.mean

    @property
    def count(self) -> int:
        return self.overall.count


def _rating(scores: Sequence[int]) -> Rating:
    return Rating(mean(scores), len(scores))


def _month(moment: datetime) -> str:
    day = clock.local_day(moment)
    return f"{day.year:04d}-{day.month:02d}"


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    end = (int(last[:4]), int(last[5:]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _most_written(spellings: Counter[str]) -> str:
    """The spelling most requirements give a customer; of several as often, the first in name order."""
    from .collation import sort_key

    return min(spellings, key=lambda name: (-spellings[name], sort_key(name)))


def satisfaction(reqs: Iterable[Requirement], *, since: date | None = None, dimensions: Sequence[str] = (),
                 today: date | None = None) -> Satisfaction:
    """Satisfaction overall, by customer tier, intake channel, customer and survey dimension, by month,
    and the reasons given for low scores (see `Satisfaction`).

    With `since`, only feedback given on or after that day. `dimensions`: the board's survey dimensions,
    in its order. `today` ends the monthly trend (default: today in the zone of store.clock).
    """
    from .collation import sort_key
    from .surveys import LOW_SCORE

    lower = _since_dt(since)
    scores: list[int] = []
    by_tier: dict[str, list[int]] = defaultdict(list)
    by_channel: dict[str, list[int]] = defaultdict(list)
    by_customer: dict[str, list[int]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    by_dimension: dict[str, list[int]] = {d: [] for d in dimensions}
    dimension_of = {d.casefold(): d for d in reversed(dimensions)}
    by_month: dict[str, list[int]] = defaultdict(list)
    reasons: Counter[str] = Counter()
    low = 0
    for r in reqs:
        readings = [f for f in r.feedback if lower is None or f.at >= lower]
        for f in readings:
            by_month[_month(f.at)].append(f.satisfaction)
            if f.satisfaction <= LOW_SCORE:
                low += 1
                reasons.update(f.reasons)
        if not readings:
            continue
        fb = readings[-1]
        scores.append(fb.satisfaction)
        by_tier[r.tier.value if r.tier else "none"].append(fb.satisfaction)
        by_channel[r.channel.value].append(fb.satisfaction)
        customer = r.customer.strip().casefold()
        by_customer[customer].append(fb.satisfaction)
        spellings[customer][r.customer.strip()] += 1
        for name, score in fb.scores.items():
            by_dimension.setdefault(dimension_of.setdefault(name.casefold(), name), []).append(score)
    dist = Counter(scores)
    months: list[str] = []
    if by_month or since:
        first = f"{since.year:04d}-{since.month:02d}" if since is not None else min(by_month)
        end_day = today or clock.today()
        months = _months(first, max(f"{end_day.year:04d}-{end_day.month:02d}", max(by_month, default=first)))
    return Satisfaction(
        overall=_rating(scores),
        distribution={s: dist.get(s, 0) for s in range(1, 6)},
        by_tier={t: _rating(by_tier[t]) for t in sorted(by_tier)},
        by_channel={c: _rating(by_channel[c]) for c in sorted(by_channel)},
        by_customer=dict(sorted(((_most_written(spellings[c]), _rating(v)) for c, v in by_customer.items()),
                                key=lambda item: sort_key(item[0]))),
        by_dimension={d: _rating(v) for d, v in by_dimension.items()},
        by_month=tuple(MonthRating(m, mean(by_month[m]), len(by_month[m])) for m in months),
        low_reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        low_count=low,
    )


# ============================================================================ response targets and due dates


@dataclass(frozen=True)
class TargetCount:
    """How requirements stood against their response targets."""

    met: int = 0
    missed: int = 0
    """Reached after the deadline."""
    breached: int = 0
    """Not reached, and the deadline has passed (the SLA badge)."""
    open: int = 0
    """Not reached, the deadline still ahead."""

    @property
    def missed_total(self) -> int:
        """Missed, whether reached late or not reached yet."""
        return self.missed + self.breached

    def add(self, outcome: str) -> TargetCount:
        return TargetCount(**{**self.__dict__, outcome: getattr(self, outcome) + 1})


@dataclass(frozen=True)
class Breach:
    """A requirement past a response target it has not reached."""

    key: str
    title: str
    customer: str
    state: State
    """The state it should have reached."""
    deadline: datetime
    days_late: float


@dataclass(frozen=True)
class TargetSummary:
    """The board's response targets and how its requirements stood against them."""

    targets: tuple[Target, ...]
    overall: TargetCount
    by_channel: Mapping[str, TargetCount]
    by_tier: Mapping[str, TargetCount]
    """Tier A/B/C, or `none`."""
    by_state: Mapping[str, TargetCount]
    breaches: tuple[Breach, ...]
    """Most overdue first."""


def target_summary(reqs: Iterable[Requirement], targets: Sequence[Target], *, now: datetime,
                   since: date | None = None) -> TargetSummary:
    """Count met, missed, breached and open targets, overall and by channel, tier and state; with
    `since`, only targets whose deadline falls on or after that day."""
    lower = _since_dt(since)
    overall = TargetCount()
    by_channel: dict[str, TargetCount] = {}
    by_tier: dict[str, TargetCount] = {}
    by_state: dict[str, TargetCount] = {}
    breaches: list[Breach] = []
    for r in reqs if targets else ():
        started = r.entered_at.get(State.COLLECTED) or r.created_at
        for c in target_checks(tuple(targets), channel=r.channel, tier=r.tier, state=r.state, started=started,
                               entered_at=r.entered_at, now=now):
            if c.outcome is None or (lower is not None and c.deadline < lower):
                continue
            outcome = c.outcome.value
            overall = overall.add(outcome)
            for table, name in ((by_channel, r.channel.value), (by_tier, r.tier.value if r.tier else "none"),
                                (by_state, c.target.state.value)):
                table[name] = table.get(name, TargetCount()).add(outcome)
            if c.outcome is TargetOutcome.BREACHED:
                breaches.append(Breach(r.key, r.title, r.customer, c.target.state, c.deadline,
                                       days_between(c.deadline, now)))
    breaches.sort(key=lambda b: (-b.days_late, key_number(b.key)))
    return TargetSummary(tuple(targets), overall, dict(sorted(by_channel.items())), dict(sorted(by_tier.items())),
                         {s.value: by_state[s.value] for s in BOARD_STATES if s.value in by_state}, tuple(breaches))


@dataclass(frozen=True)
class DueItem:
    """An open requirement with a due date: past it (`days` late) or close to it (`days` left)."""

    key: str
    title: str
    customer: str
    owner: str
    state: State
    due: date
    days: int


DUE_SOON_DAYS = 7


def overdue_work(reqs: Iterable[Requirement], *, today: date) -> tuple[DueItem, ...]:
    """Open requirements past their due date, the longest overdue first."""
    items = [DueItem(r.key, r.title, r.customer, r.owner, r.state, r.due, (today - r.due).days)
             for r in reqs if r.due is not None and r.overdue(today)]
    return tuple(sorted(items, key=lambda i: (i.due, key_number(i.key))))


def due_soon(reqs: Iterable[Requirement], *, today: date, within: int = DUE_SOON_DAYS) -> tuple[DueItem, ...]:
    """Open requirements due from today to `within` days ahead, the soonest first."""
    end = today + timedelta(days=within)
    items = [DueItem(r.key, r.title, r.customer, r.owner, r.state, r.due, (r.due - today).days)
             for r in reqs if r.due is not None and r.state not in CLOSED_STATES and today <= r.due <= end]
    return tuple(sorted(items, key=lambda i: (i.due, key_number(i.key))))


@dataclass(frozen=True)
class ChangeRequestSummary:
    """Change requests: how many in each status, and what the approved ones cost."""

    total: int
    by_status: Mapping[CRStatus, int]
    approved: int
    """Decided for (whether since implemented or closed or not)."""
    rejected: int
    pending: int
    """Submitted or assessed, not yet decided."""
    schedule_days: float
    """Added up over the approved ones, from their impact assessments."""
    cost: float
    effort_hours: float


def change_request_summary(reqs: Iterable[Requirement], *, since: date | None = None) -> ChangeRequestSummary:
    """Totals over change requests submitted on or after `since` (all without it)."""
    lower = _since_dt(since)
    crs = [cr for r in reqs for cr in r.change_requests if lower is None or cr.submitted_at >= lower]
    statuses = Counter(cr.status for cr in crs)
    approved = [cr for cr in crs if cr.decision is not None and cr.decision.approved]
    assessed = [cr.assessment for cr in approved if cr.assessment is not None]
    return ChangeRequestSummary(
        total=len(crs),
        by_status={s: statuses.get(s, 0) for s in CRStatus},
        approved=len(approved),
        rejected=statuses.get(CRStatus.REJECTED, 0),
        pending=statuses.get(CRStatus.SUBMITTED, 0) + statuses.get(CRStatus.ASSESSED, 0),
        schedule_days=sum(a.schedule_days for a in assessed),
        cost=sum(a.cost for a in assessed),
        effort_hours=sum(a.effort_hours for a in assessed),
    )


# ============================================================================ intake forecast

MOVING_AVERAGE = N_("moving average")
EXPONENTIAL_SMOOTHING = N_("exponential smoothing")
"""The methods as the JSON report names them (English in every language); `Forecast.method_label`
translates them for a person."""
DEFAULT_WINDOW = 4
DEFAULT_ALPHA = 0.3
MIN_SMOOTHING_WEEKS = 2
_ENGLISH = gettext.NullTranslations()


@dataclass(frozen=True)
class Forecast:
    """A forecast of new requirements for the next week, with everything needed to judge it."""

    method: str
    parameters: Mapping[str, float]
    history: tuple[WeekCount, ...]
    """The complete weeks the forecast was made from, oldest first."""
    fitted: tuple[float | None, ...]
    """For each history week, what the method would have forecast for it from the weeks before
    (None where it had too little to go on): the line to draw against the actual counts."""
    next_period: float | None
    period_start: date | None
    """The Monday of the week forecast."""

    @property
    def used(self) -> tuple[WeekCount, ...]:
        """The weeks the next-period value depends on."""
        if self.method == MOVING_AVERAGE and self.next_period is not None:
            return self.history[-int(self.parameters["window"]):]
        return self.history if self.next_period is not None else ()

    @property
    def method_label(self) -> str:
        """The method in the current language ("exponential smoothing", 指数平滑)."""
        return _(self.method)

    @property
    def note(self) -> str:
        """What the forecast rests on, or why there is none, in the current language."""
        return _forecast_note(self, english=False)

    @property
    def english_note(self) -> str:
        """The note in English whatever the language: the JSON report's, which stays the same for scripts."""
        return _forecast_note(self, english=True)


def _forecast_note(f: Forecast, *, english: bool) -> str:
    # One set of sentences for both: the catalogue's English (the msgids) or their translation.
    ngettext = _ENGLISH.ngettext if english else _ngettext
    weeks = len(f.history)
    if f.method == MOVING_AVERAGE:
        window = int(f.parameters["window"])
        if f.next_period is None:
            return ngettext("not enough data yet: a {window}-week moving average needs {window} complete weeks "
                            "of intake, there is {n}",
                            "not enough data yet: a {window}-week moving average needs {window} complete weeks "
                            "of intake, there are {n}", weeks).format(window=window, n=weeks)
        return ngettext("mean of the last {window} complete week", "mean of the last {window} complete weeks",
                        window).format(window=window)
    if f.next_period is None:
        return ngettext("not enough data yet: exponential smoothing needs {needed} complete weeks of intake, "
                        "there is {n}",
                        "not enough data yet: exponential smoothing needs {needed} complete weeks of intake, "
                        "there are {n}", weeks).format(needed=MIN_SMOOTHING_WEEKS, n=weeks)
    return ngettext("smoothed over {n} complete week, level starting at the first week",
                    "smoothed over {n} complete weeks, level starting at the first week", weeks).format(n=weeks)


def _complete(history: Sequence[WeekCount]) -> tuple[WeekCount, ...]:
    return tuple(w for w in history if w.complete)


def _next_monday(history: Sequence[WeekCount]) -> date | None:
    return history[-1].start + timedelta(days=7) if history else None


def moving_average_forecast(history: Sequence[WeekCount], window: int = DEFAULT_WINDOW) -> Forecast:
    """Next week's intake as the mean of the last `window` complete weeks.

    Needs at least `window` complete weeks; with fewer, next_period is None and the note says how
    many there are. The week still running is left out (it would pull the average down).
    """
    if window < 1:
        raise ValueError(_("the moving-average window is at least 1 week"))
    weeks = _complete(history)
    counts = [w.count for w in weeks]
    fitted = tuple(statistics.fmean(counts[i - window:i]) if i >= window else None for i in range(len(counts)))
    params = {"window": window}
    value = statistics.fmean(counts[-window:]) if len(weeks) >= window else None
    return Forecast(MOVING_AVERAGE, params, weeks, fitted, value, _next_monday(weeks))


def exponential_smoothing_forecast(history: Sequence[WeekCount], alpha: float = DEFAULT_ALPHA) -> Forecast:
    """Next week's intake by simple exponential smoothing.

    level(1) = count(1); level(t) = alpha * count(t) + (1 - alpha) * level(t - 1); the forecast is the
    last level. A higher alpha (0 < alpha <= 1) follows recent weeks more closely. Needs at least
    MIN_SMOOTHING_WEEKS complete weeks; the week still running is left out.
    """
    if not 0 < alpha <= 1:
        raise ValueError(_("the smoothing factor alpha is in (0, 1]"))
    weeks = _complete(history)
    params = {"alpha": alpha}
    if len(weeks) < MIN_SMOOTHING_WEEKS:
        return Forecast(EXPONENTIAL_SMOOTHING, params, weeks, (None,) * len(weeks), None, _next_monday(weeks))
    level = float(weeks[0].count)
    fitted: list[float | None] = [None]
    for w in weeks[1:]:
        fitted.append(level)
        level = alpha * w.count + (1 - alpha) * level
    return Forecast(EXPONENTIAL_SMOOTHING, params, weeks, tuple(fitted), level, _next_monday(weeks))


# ============================================================================ everything at once


@dataclass(frozen=True)
class BoardMetrics:
    """Every metric of a board at one moment, as the reports and the Reports screen show them."""

    now: datetime
    since: date | None
    total: int
    count_by_state: Mapping[State, int]
    lead_time: Durations
    cycle_time: Durations
    response_time: Durations
    time_in_state: Mapping[State, Durations]
    aging: tuple[AgingItem, ...]
    throughput: tuple[WeekCount, ...]
    cumulative_flow: CumulativeFlow
    satisfaction: Satisfaction
    kano_mix: Mapping[str, int]
    change_requests: ChangeRequestSummary
    intake: tuple[WeekCount, ...]
    forecast: Forecast
    """The headline forecast: exponential smoothing."""
    forecast_moving_average: Forecast
    priority: PriorityMatrix
    open_conflicts: tuple[OpenConflict, ...] = ()
    blocked: tuple[BlockedItem, ...] = ()
    targets: TargetSummary = field(default_factory=lambda: TargetSummary((), TargetCount(), {}, {}, {}, ()))
    overdue: tuple[DueItem, ...] = ()
    due_soon: tuple[DueItem, ...] = ()

    @property
    def throughput_mean(self) -> float | None:
        return mean_per_week(self.throughput)

    @property
    def open_count(self) -> int:
        return sum(self.count_by_state[s] for s in OPEN_STATES)


def compute_metrics(reqs: Sequence[Requirement], events: Iterable[Event], *, now: datetime | None = None,
                    since: date | None = None, window: int = DEFAULT_WINDOW,
                    alpha: float = DEFAULT_ALPHA, links: LinkIndex | None = None, dimensions: Sequence[str] = (),
                    targets: Sequence[Target] = ()) -> BoardMetrics:
    """All metrics of a board, measured at `now` (default: the current time), limited to `since`.
    `links`: the whole board's links, when `reqs` are only some of the board (a customer's).
    `dimensions`, `targets`: the board's survey dimensions and response targets.

    Raises ValueError for a window below 1 or an alpha outside (0, 1].
    """
    moment = now or _utcnow()
    today = clock.local_day(moment)  # the zone's today: a Monday 07:30 in Beijing is Monday, not Sunday
    reqs = list(reqs)
    events = list(events)
    links = links if links is not None else LinkIndex.of(reqs)
    lead = lead_times(reqs, since=since)
    intake = weekly_intake(reqs, today=today, since=since)
    return BoardMetrics(
        now=moment,
        since=since,
        total=len(reqs),
        count_by_state=count_by_state(reqs),
        lead_time=lead,
        cycle_time=cycle_times(reqs, since=since),
        response_time=response_times(reqs, since=since),
        time_in_state=time_in_state(reqs, events, now=moment, since=since),
        aging=aging(reqs, now=moment, lead_p85=lead.p85),
        throughput=throughput(reqs, today=today, since=since),
        cumulative_flow=cumulative_flow(reqs, events, today=today, since=since),
        satisfaction=satisfaction(reqs, since=since, dimensions=dimensions, today=today),
        kano_mix=kano_mix(reqs),
        change_requests=change_request_summary(reqs, since=since),
        intake=intake,
        forecast=exponential_smoothing_forecast(intake, alpha),
        forecast_moving_average=moving_average_forecast(intake, window),
        priority=priority_matrix(reqs),
        open_conflicts=open_conflicts(reqs, links),
        blocked=blocked_work(reqs, links),
        targets=target_summary(reqs, targets, now=moment, since=since),
        overdue=overdue_work(reqs, today=today),
        due_soon=due_soon(reqs, today=today),
    )


def board_metrics(board: Board, *, now: datetime | None = None, since: date | None = None) -> BoardMetrics:
    """Read a board (its requirements and history) and compute its metrics.

    Raises StoreUnreadable when the board file or its history cannot be read.
    """
    return compute_metrics(board.requirements(), board.history(field="state"), now=now, since=since,
                           dimensions=board.survey_dimensions(), targets=board.response_targets())
