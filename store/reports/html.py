"""The report as one self-contained HTML file a stakeholder can open anywhere.

Everything is inline: the styles, and the charts as SVG drawn by `svg.py`. No script, no font, no
image, no link to anything; a Content-Security-Policy forbids the page from loading anything even if
a future edit tried. Text typed by users is escaped.
"""

from __future__ import annotations

from html import escape

from ..metrics import HIGH_SCORE, NOT_ENOUGH_DATA, BoardMetrics, Durations, Quadrant, histogram
from ..models import BOARD_STATES, State
from . import svg
from .markdown import amount, days, number

_CSS = """
:root { --fg: #1d2530; --muted: #5b6775; --bg: #ffffff; --card: #f3f5f8; --line: #d5dbe3; --accent: #2f74b5; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #dde3ea; --muted: #9aa6b2; --bg: #161b22; --card: #1e252e; --line: #33404d; --accent: #6fb0e8; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 15px/1.45 system-ui, sans-serif;
       color: var(--fg); background: var(--bg); }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 32px 0 8px; font-size: 20px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 16px 0 6px; font-size: 16px; }
.meta, .note { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 16px 0; }
.card { background: var(--card); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 13px; }
.card .value { font-size: 22px; font-weight: 600; }
.card .sub { color: var(--muted); font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
figure { margin: 0; background: var(--card); border-radius: 8px; padding: 8px; }
figcaption { font-weight: 600; margin: 2px 4px 6px; }
svg.chart { width: 100%; height: auto; display: block; }
svg text { fill: var(--fg); font: 11px system-ui, sans-serif; }
svg text.tick, svg text.more { fill: var(--muted); }
svg text.empty { fill: var(--muted); font-size: 14px; }
svg text.quadrant { font-weight: 600; fill: var(--muted); }
svg text.point { font-size: 10px; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.quadrants { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.quadrants section { background: var(--card); border-radius: 8px; padding: 8px 12px; }
.quadrants ul { margin: 4px 0; padding-left: 18px; }
.key { font-family: ui-monospace, monospace; }
.warn { color: #c0504d; }
"""

_QUADRANT_ORDER = (Quadrant.DO_NOW, Quadrant.PLAN, Quadrant.QUICK_WINS, Quadrant.RECONSIDER)


def _card(label: str, value: str, sub: str = "") -> str:
    return (f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
            + (f'<div class="sub">{escape(sub)}</div>' if sub else "") + "</div>")


def _table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """A table; cells are given already escaped (they may hold markup of ours)."""
    head = "".join(f'<th{" class=n" if i >= numeric_from else ""}>{h}</th>' for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i >= numeric_from else ""}>{c}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(caption: str, chart: str, note: str = "") -> str:
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return f"<figure><figcaption>{escape(caption)}</figcaption>{chart}{note_html}</figure>"


def _flow_row(label: str, d: Durations) -> list[str]:
    return [escape(label), days(d.median), days(d.p85), str(d.count)]


def render_html(m: BoardMetrics, *, board: str | None = None, top: int = 15, weeks: int = 26) -> str:
    """The report as a complete HTML document (a string), charts inline as SVG."""
    title = f"Requirements report: {board}" if board else "Requirements report"
    period = f"since {m.since.isoformat()}" if m.since else "all time"
    sat, cr = m.satisfaction, m.change_requests
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">Generated {m.now:%Y-%m-%d %H:%M} UTC · period: {escape(period)} · '
        f"{m.total} requirements, {m.open_count} open</p></header>",
    ]

    # ------------------------------------------------------------------ headline numbers
    parts.append('<section id="summary"><div class="cards">')
    parts.append(_card("Open work", str(m.open_count), f"{m.count_by_state[State.DONE]} done, "
                       f"{m.count_by_state[State.FED_BACK]} fed back"))
    parts.append(_card("Lead time (median)", f"{days(m.lead_time.median)} d",
                       f"85th percentile {days(m.lead_time.p85)} d · {m.lead_time.count} delivered"))
    parts.append(_card("Cycle time (median)", f"{days(m.cycle_time.median)} d",
                       f"85th percentile {days(m.cycle_time.p85)} d"))
    parts.append(_card("Response time (median)", f"{days(m.response_time.median)} d", "collected → analysed"))
    parts.append(_card("Throughput", f"{number(m.throughput_mean)} / week", "mean of complete weeks"))
    parts.append(_card("Satisfaction", f"{number(sat.mean, 2)} / 5", f"{sat.count} responses"))
    parts.append(_card("Change requests", str(cr.total),
                       f"{cr.approved} approved · {cr.rejected} rejected · {cr.pending} pending"))
    parts.append(_card("Intake next week", number(m.forecast.next_period),
                       m.forecast.method if m.forecast.next_period is not None else NOT_ENOUGH_DATA))
    parts.append("</div>")
    states = [*BOARD_STATES, State.REJECTED]
    parts.append(_table(["", *(escape(s.label) for s in states), "Total"],
                        [["Requirements now", *(str(m.count_by_state[s]) for s in states), str(m.total)]]))
    parts.append("</section>")

    # ------------------------------------------------------------------ flow charts
    cfd = m.cumulative_flow
    lead_bins = histogram(m.lead_time.days, bins=10)
    recent = m.throughput[-weeks:]
    parts.append('<section id="flow"><h2>Flow</h2><div class="charts">')
    parts.append(_figure("Cumulative flow", svg.stacked_area(
        "Cumulative flow: requirements in each state at the end of each day",
        [d.strftime("%d %b") for d in cfd.days], cfd.stacked() if cfd.days else {}),
        "Each band is a state; a widening band is work piling up there."))
    parts.append(_figure("Throughput per week", svg.bar_chart(
        "Requirements delivered per week", [w.label[5:] for w in recent], [w.count for w in recent],
        css_class="throughput", colour=svg.STATE_COLOURS[State.DONE]),
        "Requirements that reached done, by ISO week; the last week is still running."))
    parts.append(_figure("Lead-time distribution", svg.bar_chart(
        "Lead times in days (collected to done)", [b.label for b in lead_bins], [b.count for b in lead_bins],
        css_class="lead-times"),
        f"Days from collected to done; median {days(m.lead_time.median)}, "
        f"85th percentile {days(m.lead_time.p85)} (nearest rank)."))
    parts.append("</div>")
    parts.append(_table(["", "median (days)", "85th percentile (days)", "requirements"], [
        _flow_row("Lead time (collected → done)", m.lead_time),
        _flow_row("Cycle time (in progress → done)", m.cycle_time),
        _flow_row("Response time (collected → analysed)", m.response_time),
        *(_flow_row(f"Time in {s.label.lower()}", d) for s, d in m.time_in_state.items()),
    ]))
    parts.append("</section>")

    # ------------------------------------------------------------------ satisfaction
    parts.append('<section id="satisfaction"><h2>Satisfaction</h2><div class="charts">')
    tiers = list(sat.by_tier.items())
    parts.append(_figure("Satisfaction by customer tier", svg.bar_chart(
        "Mean satisfaction (1-5) by customer tier", [f"{t} (n={r.count})" for t, r in tiers],
        [r.mean or 0 for _, r in tiers], css_class="satisfaction", max_value=5,
        empty=f"{NOT_ENOUGH_DATA}: no feedback recorded")))
    parts.append(_figure("Responses by score", svg.bar_chart(
        "Responses by satisfaction score", [str(k) for k in sat.distribution], list(sat.distribution.values()),
        css_class="satisfaction-scores", empty=f"{NOT_ENOUGH_DATA}: no feedback recorded")))
    parts.append("</div>")
    if sat.by_channel:
        parts.append(_table(["Channel (how it came in)", "mean", "responses"],
                            [[escape(c.replace("_", " ")), number(r.mean, 2), str(r.count)]
                             for c, r in sat.by_channel.items()]))
    parts.append(_table(["Kano class", "requirements"],
                        [[escape(k.replace("_", "-")), str(n)] for k, n in m.kano_mix.items()]))
    parts.append("</section>")

    # ------------------------------------------------------------------ forecast
    f, ma = m.forecast, m.forecast_moving_average
    labels = [w.label[5:] for w in f.history] + (["next"] if f.history else [])
    actual = [float(w.count) for w in f.history] + [None]
    smoothed = list(f.fitted) + [f.next_period]
    moving = list(ma.fitted) + [ma.next_period]
    parts.append('<section id="forecast"><h2>Intake forecast</h2>')
    parts.append(_figure("New requirements per week, and the forecast", svg.line_chart(
        "New requirements per week with the exponential-smoothing and moving-average forecasts", labels,
        [("new requirements", actual, svg.ACTUAL),
         (f"exponential smoothing (alpha {f.parameters['alpha']:g})", smoothed, svg.FITTED),
         (f"moving average ({ma.parameters['window']:g} weeks)", moving, svg.STATE_COLOURS[State.APPROVED])],
        css_class="forecast")))
    for fc in (f, ma):
        params = ", ".join(f"{k} {v:g}" for k, v in fc.parameters.items())
        value = (f"<strong>{fc.next_period:.1f}</strong> new requirements expected in the week of {fc.period_start}"
                 if fc.next_period is not None else escape(fc.note))
        used = (f"; history used: {fc.used[0].label} to {fc.used[-1].label} ({len(fc.used)} weeks)"
                if fc.used else "")
        parts.append(f"<p>{escape(fc.method)} ({escape(params)}): {value}{escape(used)}</p>")
    parts.append("</section>")

    # ------------------------------------------------------------------ priority matrix
    pm = m.priority
    points = [(i.key, i.importance, i.urgency) for q in _QUADRANT_ORDER for i in pm.quadrants[q]]
    parts.append('<section id="priority"><h2>Priority matrix</h2>')
    parts.append(f'<p class="note">Open requirements by importance and urgency; a score of {HIGH_SCORE} or 5 '
                 "counts as high.</p>")
    parts.append(_figure("Importance × urgency", svg.priority_matrix(
        "Open requirements by importance and urgency", points, high_from=HIGH_SCORE,
        quadrant_labels=[q.label for q in _QUADRANT_ORDER])))
    parts.append('<div class="quadrants">')
    for q in (Quadrant.PLAN, Quadrant.DO_NOW, Quadrant.RECONSIDER, Quadrant.QUICK_WINS):
        items = pm.quadrants[q]
        parts.append(f"<section><h3>{escape(q.label)} ({len(items)})</h3><p class=note>{escape(q.meaning)}</p><ul>")
        parts += [f'<li><span class="key">{escape(i.key)}</span> {escape(i.title)} '
                  f"<span class=note>(I{i.importance} U{i.urgency}, {escape(i.state.label.lower())})</span></li>"
                  for i in items[:top]]
        if len(items) > top:
            parts.append(f"<li class=note>… and {len(items) - top} more</li>")
        parts.append("</ul></section>")
    parts.append("</div>")
    if pm.unscored:
        parts.append(f'<p class="note">Not yet scored: {len(pm.unscored)} open requirements.</p>')
    parts.append("</section>")

    # ------------------------------------------------------------------ aging
    parts.append('<section id="aging"><h2>Oldest open work</h2>')
    if m.aging:
        parts.append(_table(["Key", "Title", "State", "age (days)", "in state (days)"], [
            [f'<span class="key">{escape(a.key)}</span>',
             escape(a.title) + (' <span class="warn" title="older than the 85th-percentile lead time">⚠</span>'
                                if a.older_than_p85 else ""),
             escape(a.state.label), days(a.age_days), days(a.in_state_days)]
            for a in m.aging[:top]], numeric_from=3))
    else:
        parts.append('<p class="note">No open work.</p>')
    parts.append("</section>")

    # ------------------------------------------------------------------ change requests
    parts.append('<section id="change-requests"><h2>Change requests</h2>')
    if cr.total:
        parts.append(f"<p>{cr.total} change requests: {cr.approved} approved, {cr.rejected} rejected, "
                     f"{cr.pending} waiting for a decision. The approved ones add {amount(cr.schedule_days)} days "
                     f"to the schedule, cost {amount(cr.cost)} and {amount(cr.effort_hours)} hours of effort.</p>")
        parts.append(_table(["Status", "change requests"],
                            [[escape(s.label), str(n)] for s, n in cr.by_status.items()]))
    else:
        parts.append('<p class="note">No change requests in the period.</p>')
    parts.append("</section>")
    parts.append('<footer class="note"><p>Made by reqboard. Percentiles by nearest rank; days and weeks '
                 "in UTC; weeks start on Monday.</p></footer>")
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)
