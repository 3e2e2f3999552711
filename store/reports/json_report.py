"""The report as plain JSON-ready data: what `reqboard report --json` prints.

At least the keys of DESIGN.md section 3: count_by_state, lead_time_days {median, p85},
cycle_time_days {median, p85}, throughput_per_week, satisfaction {mean, count},
change_requests {total, approved, rejected, schedule_days, cost}, forecast {method, next_period}.
Days are rounded to 2 decimals; a figure over no data is null. The links as the board stands:
`open_conflicts` [{"keys": [a, b]}] (each pair once, the lower key first) and `blocked`
[{"key": k, "blocked_by": [keys]}] (work waiting on an unfinished dependency).

The customer side (issue #16): `satisfaction` also has `by_customer` and `by_dimension` ({name: {mean,
count}}), `by_month` ([{month, mean, count}], every reading, empty months included), `low_reasons`
({code: count}, most frequent first) and `low_count`; `targets` counts the response targets met, missed
(reached late), breached (not reached, past the deadline) and open, overall and `by_channel`, `by_tier`
(`none`: no tier) and `by_state`, lists the `breaches` (most overdue first) and the `targets` themselves;
`overdue` and `due_soon` (due today to 7 days ahead) list open work with a due date
([{key, title, customer, owner, state, due, days}]: days late, or days left).

What scripts read stays the same in every language: keys, state and enum spellings, the forecast's
method and note (in English), `generated_at` in UTC. Days and weeks (the period's end, the weekly
series, the cumulative flow's days) are local days of the zone in force (`store.clock`), as the
metrics cut them, written as plain ISO dates.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from .. import clock
from ..metrics import (
    HIGH_SCORE,
    BoardMetrics,
    DueItem,
    Durations,
    Forecast,
    Rating,
    TargetCount,
    TargetSummary,
    WeekCount,
)
from ..models import BOARD_STATES, iso_utc

REPORT_VERSION = 1


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def durations_json(d: Durations) -> dict[str, Any]:
    return {"median": _round(d.median), "p85": _round(d.p85), "mean": _round(d.mean), "count": d.count}


def _weeks(weeks: tuple[WeekCount, ...]) -> list[dict[str, Any]]:
    return [{"week": w.label, "start": w.start.isoformat(), "count": w.count, "complete": w.complete}
            for w in weeks]


def forecast_json(f: Forecast) -> dict[str, Any]:
    return {
        "method": f.method,
        "parameters": dict(f.parameters),
        "next_period": _round(f.next_period),
        "period_start": f.period_start.isoformat() if f.period_start else None,
        "note": f.english_note,
        "history": _weeks(f.history),
        "fitted": [_round(v) for v in f.fitted],
    }


def rating_json(r: Rating) -> dict[str, Any]:
    return {"mean": _round(r.mean), "count": r.count}


def target_count_json(c: TargetCount) -> dict[str, int]:
    return {"met": c.met, "missed": c.missed, "breached": c.breached, "open": c.open}


def targets_json(t: TargetSummary) -> dict[str, Any]:
    """Response targets: the counts overall (at the top level) and by channel, tier and state, the
    breaches and the targets themselves."""
    return {
        **target_count_json(t.overall),
        "by_channel": {name: target_count_json(c) for name, c in t.by_channel.items()},
        "by_tier": {name: target_count_json(c) for name, c in t.by_tier.items()},
        "by_state": {name: target_count_json(c) for name, c in t.by_state.items()},
        "breaches": [{"key": b.key, "title": b.title, "customer": b.customer, "state": b.state.value,
                      "deadline": iso_utc(b.deadline), "days_late": _round(b.days_late)}
                     for b in t.breaches],
        "targets": [target.as_json() for target in t.targets],
    }


def due_json(items: tuple[DueItem, ...]) -> list[dict[str, Any]]:
    return [{"key": i.key, "title": i.title, "customer": i.customer, "owner": i.owner, "state": i.state.value,
             "due": i.due.isoformat(), "days": i.days} for i in items]


def report_json(m: BoardMetrics, *, board: str | None = None) -> dict[str, Any]:
    """The whole report as a dict of JSON types (`board`: a name to show, e.g. the file name)."""
    cfd = m.cumulative_flow
    sat = m.satisfaction
    cr = m.change_requests
    return {
        "report_version": REPORT_VERSION,
        "board": board,
        "generated_at": clock.local(m.now).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "period": {"since": m.since.isoformat() if m.since else None, "until": clock.local_day(m.now).isoformat()},
        "total": m.total,
        "open": m.open_count,
        "count_by_state": {s.value: n for s, n in m.count_by_state.items()},
        "lead_time_days": durations_json(m.lead_time),
        "cycle_time_days": durations_json(m.cycle_time),
        "response_time_days": durations_json(m.response_time),
        "time_in_state_days": {s.value: durations_json(d) for s, d in m.time_in_state.items()},
        "aging": [
            {"key": a.key, "title": a.title, "state": a.state.value, "age_days": _round(a.age_days),
             "in_state_days": _round(a.in_state_days), "older_than_p85_lead_time": a.older_than_p85}
            for a in m.aging
        ],
        "throughput_per_week": _weeks(m.throughput),
        "throughput_mean_per_week": _round(m.throughput_mean),
        "cumulative_flow": {
            "days": [d.isoformat() for d in cfd.days],
            "states": {s.value: list(cfd.counts.get(s, ())) for s in BOARD_STATES},
        },
        "satisfaction": {
            "mean": _round(sat.mean),
            "count": sat.count,
            "distribution": {str(k): v for k, v in sat.distribution.items()},
            "by_tier": {t: {"mean": _round(r.mean), "count": r.count} for t, r in sat.by_tier.items()},
            "by_channel": {c: {"mean": _round(r.mean), "count": r.count} for c, r in sat.by_channel.items()},
            "by_customer": {c: rating_json(r) for c, r in sat.by_customer.items()},
            "by_dimension": {d: rating_json(r) for d, r in sat.by_dimension.items()},
            "by_month": [{"month": mr.month, "mean": _round(mr.mean), "count": mr.count} for mr in sat.by_month],
            "low_reasons": dict(sat.low_reasons),
            "low_count": sat.low_count,
        },
        "kano_mix": dict(m.kano_mix),
        "change_requests": {
            "total": cr.total,
            "approved": cr.approved,
            "rejected": cr.rejected,
            "pending": cr.pending,
            "by_status": {s.value: n for s, n in cr.by_status.items()},
            "schedule_days": _round(cr.schedule_days),
            "cost": _round(cr.cost),
            "effort_hours": _round(cr.effort_hours),
        },
        "intake_per_week": _weeks(m.intake),
        "forecast": forecast_json(m.forecast),
        "forecast_moving_average": forecast_json(m.forecast_moving_average),
        "priority_matrix": {
            "high_from": HIGH_SCORE,
            **{q.value: [{"key": i.key, "title": i.title, "importance": i.importance,
                          "urgency": i.urgency, "state": i.state.value} for i in items]
               for q, items in m.priority.quadrants.items()},
            "unscored": list(m.priority.unscored),
        },
        "open_conflicts": [{"keys": list(c.keys)} for c in m.open_conflicts],
        "blocked": [{"key": b.item.key, "blocked_by": [i.key for i in b.blocked_by]} for b in m.blocked],
        "targets": targets_json(m.targets),
        "overdue": due_json(m.overdue),
        "due_soon": due_json(m.due_soon),
    }
