"""The report as Markdown, for pasting into a status mail or a wiki page; and the one Markdown
escaper of user text, which the Markdown export (`exchange.markdown`) uses too.

Plain GitHub-flavoured Markdown: headings, tables and lists. Text typed by users goes through
`escape_inline` (one line) or `escape_block` (several lines), so that it reads as typed: a title like
`# not a heading`, `[link](x)`, `<script>` or `| a | b |` cannot change the structure of the document
around it, break a table or inject HTML into a wiki, and characters that disguise text (bidi overrides,
zero-width characters) are shown as `<U+202E>`, as on a terminal (`store.text.shown`).
"""

from __future__ import annotations

import re

from ..metrics import HIGH_SCORE, NOT_ENOUGH_DATA, BoardMetrics, Durations, Forecast, Quadrant
from ..models import BOARD_STATES, State
from ..text import shown

NONE = "—"
# Characters that start inline constructs anywhere in a line (emphasis, code, links, HTML, entities,
# table cells, strikethrough, heading closers); a backslash makes each one literal (CommonMark 2.4).
_INLINE = re.compile(r"([\\`*_\[\]<>&|~#])")
# What makes a block at the start of a line: lists, headings, quotes, setext underlines, ordered lists.
_LINE_START = re.compile(r"^([-+=>]|\d+[.)])")


def escape_inline(text: str) -> str:
    """One line of user text, safe anywhere in a line of Markdown (a heading, a list item, a table
    cell): line breaks as spaces, every special character escaped, disguising characters made visible."""
    text = _INLINE.sub(r"\\\1", shown(text, one_line=True))
    return _LINE_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], text)


def escape_block(text: str) -> str:
    """Multi-line user text as paragraphs: its line breaks kept, nothing in it taken as Markdown."""
    out = []
    for paragraph in re.split(r"\n\s*\n", shown(text).strip("\n")):
        lines = []
        for line in paragraph.split("\n"):
            stripped = line.lstrip(" \t")
            indent = "&nbsp;" * (len(line) - len(stripped))  # leading spaces would start a code block
            lines.append(indent + escape_inline(stripped))
        out.append("\\\n".join(lines))  # a backslash at the end of a line is a hard line break
    return "\n\n".join(out)


def days(value: float | None) -> str:
    return NONE if value is None else f"{value:.1f}"


def number(value: float | None, digits: int = 1) -> str:
    """A measured figure with a fixed number of decimals; a dash for none."""
    return NONE if value is None else f"{value:.{digits}f}"


def amount(value: float) -> str:
    """A total (days, cost, hours): as few decimals as it needs."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _flow_row(label: str, d: Durations) -> list[str]:
    return [label, days(d.median), days(d.p85), str(d.count)]


def forecast_sentence(f: Forecast) -> str:
    params = ", ".join(f"{k} {v:g}" for k, v in f.parameters.items())
    if f.next_period is None:
        return f"{f.method} ({params}): {f.note or NOT_ENOUGH_DATA}"
    week = f" in the week of {f.period_start.isoformat()}" if f.period_start else ""
    return f"{f.method} ({params}): **{f.next_period:.1f}** new requirements expected{week}; {f.note}"


def _summary(m: BoardMetrics) -> list[str]:
    lead, sat, cr, fc = m.lead_time, m.satisfaction, m.change_requests, m.forecast
    lines = [
        f"- Lead time (collected → done): median {days(lead.median)} days, 85th percentile "
        f"{days(lead.p85)} days ({lead.count} delivered)" if lead.count
        else f"- Lead time (collected → done): {NOT_ENOUGH_DATA} (nothing delivered)",
        f"- Throughput: {number(m.throughput_mean)} delivered per week (mean of complete weeks)"
        if m.throughput_mean is not None else f"- Throughput: {NOT_ENOUGH_DATA} (no complete week)",
        f"- Satisfaction: {number(sat.mean, 2)} / 5 from {sat.count} responses" if sat.count
        else f"- Satisfaction: {NOT_ENOUGH_DATA} (no feedback)",
        f"- Change requests: {cr.total} ({cr.approved} approved, {cr.rejected} rejected, {cr.pending} pending)",
        f"- Intake forecast: {fc.next_period:.1f} new requirements a week ({fc.method})"
        if fc.next_period is not None else f"- Intake forecast: {fc.note}",
    ]
    return lines


def render_markdown(m: BoardMetrics, *, board: str | None = None, top: int = 10, weeks: int = 8) -> str:
    """The report as Markdown text; `top` limits the long lists, `weeks` the weekly tables."""
    out: list[str] = []
    title = f"Requirements report: {escape_inline(board)}" if board else "Requirements report"
    period = f"since {m.since.isoformat()}" if m.since else "all time"
    out += [f"# {title}", "",
            f"Generated {m.now:%Y-%m-%d %H:%M} UTC · period: {period} · {m.total} requirements, "
            f"{m.open_count} open", ""]

    # ------------------------------------------------------------------ summary
    out += ["## Summary", ""]
    states = [*BOARD_STATES, State.REJECTED]
    out += _table(["", *(s.label for s in states), "Total"],
                  [["Requirements now", *(str(m.count_by_state[s]) for s in states), str(m.total)]])
    sat = m.satisfaction
    cr = m.change_requests
    out += ["", *_summary(m), ""]

    # ------------------------------------------------------------------ flow
    out += ["## Flow", ""]
    out += _table(["", "median (days)", "85th percentile (days)", "requirements"], [
        _flow_row("Lead time (collected → done)", m.lead_time),
        _flow_row("Cycle time (in progress → done)", m.cycle_time),
        _flow_row("Response time (collected → analysed)", m.response_time),
    ])
    out += ["", "Percentiles by nearest rank: 85 % of the requirements took that long or less. "
                "Times run from the first time each state was entered.", ""]
    out += ["### Time in each state", ""]
    out += _table(["State", "median (days)", "85th percentile (days)", "requirements"],
                  [_flow_row(s.label, d) for s, d in m.time_in_state.items()])
    out += ["", f"### Throughput (last {weeks} weeks)", ""]
    recent = m.throughput[-weeks:]
    if recent:
        out += _table(["Week", "starting", "delivered"],
                      [[w.label + ("" if w.complete else " (so far)"), w.start.isoformat(), str(w.count)]
                       for w in recent])
    else:
        out.append(f"_{NOT_ENOUGH_DATA}_")
    out += ["", "### Oldest open work", ""]
    if m.aging:
        out += _table(["Key", "Title", "State", "age (days)", "in state (days)"],
                      [[a.key, escape_inline(a.title) + (" ⚠" if a.older_than_p85 else ""), a.state.label,
                        days(a.age_days), days(a.in_state_days)] for a in m.aging[:top]],
                      ["---", "---", "---", "---:", "---:"])
        if any(a.older_than_p85 for a in m.aging):
            out += ["", "⚠ older than 85 % of the delivered requirements took from collected to done."]
        if len(m.aging) > top:
            out += ["", f"… and {len(m.aging) - top} more open requirements."]
    else:
        out.append("_no open work_")
    out.append("")

    # ------------------------------------------------------------------ satisfaction
    out += ["## Satisfaction", ""]
    if sat.count:
        out += [f"Mean **{sat.mean:.2f}** / 5 from {sat.count} responses (the latest feedback on each "
                "requirement).", ""]
        out += _table(["Score", *(str(k) for k in sat.distribution)],
                      [["responses", *(str(v) for v in sat.distribution.values())]])
        out += [""]
        out += _table(["Customer tier", "mean", "responses"],
                      [[t, number(r.mean, 2), str(r.count)] for t, r in sat.by_tier.items()])
        out += [""]
        out += _table(["Channel (how it came in)", "mean", "responses"],
                      [[c.replace("_", " "), number(r.mean, 2), str(r.count)] for c, r in sat.by_channel.items()])
    else:
        out.append(f"_{NOT_ENOUGH_DATA}: no feedback recorded in the period_")
    out.append("")

    # ------------------------------------------------------------------ kano
    out += ["## Kano mix", ""]
    out += _table(["Kano class", "requirements"],
                  [[k.replace("_", "-"), str(n)] for k, n in m.kano_mix.items()])
    out.append("")

    # ------------------------------------------------------------------ change requests
    out += ["## Change requests", ""]
    if cr.total:
        out += [f"{cr.total} change requests: {cr.approved} approved, {cr.rejected} rejected, "
                f"{cr.pending} waiting for a decision. The approved ones add {amount(cr.schedule_days)} days "
                f"to the schedule, cost {amount(cr.cost)} and {amount(cr.effort_hours)} hours of effort.", ""]
        out += _table(["Status", "change requests"],
                      [[s.label, str(n)] for s, n in cr.by_status.items()])
    else:
        out.append("_no change requests in the period_")
    out.append("")

    # ------------------------------------------------------------------ forecast
    out += ["## Intake forecast", ""]
    out += [f"- {forecast_sentence(m.forecast)}", f"- {forecast_sentence(m.forecast_moving_average)}", ""]
    hist = m.forecast.history[-weeks:]
    if hist:
        ma = dict(zip((w.start for w in m.forecast_moving_average.history),
                      m.forecast_moving_average.fitted, strict=True))
        es = dict(zip((w.start for w in m.forecast.history), m.forecast.fitted, strict=True))
        out += [f"History used (complete weeks, last {len(hist)} shown):", ""]
        out += _table(["Week", "new requirements", "smoothed forecast", "moving average"],
                      [[w.label, str(w.count), number(es.get(w.start)), number(ma.get(w.start))] for w in hist])
    out.append("")

    # ------------------------------------------------------------------ priority matrix
    out += ["## Priority matrix", "",
            f"Open requirements by importance and urgency; a score of {HIGH_SCORE} or 5 counts as high.", ""]
    for q in Quadrant:
        items = m.priority.quadrants[q]
        out += [f"### {q.label} ({q.meaning}): {len(items)}", ""]
        if not items:
            out += ["_none_", ""]
            continue
        out += [f"- {i.key} {escape_inline(i.title)} (importance {i.importance}, urgency {i.urgency}, "
                f"{i.state.label.lower()})" for i in items[:top]]
        if len(items) > top:
            out.append(f"- … and {len(items) - top} more")
        out.append("")
    if m.priority.unscored:
        out += [f"Not yet scored: {len(m.priority.unscored)} open requirements "
                f"({', '.join(m.priority.unscored[:top])}{', …' if len(m.priority.unscored) > top else ''}).", ""]
    return "\n".join(out).rstrip() + "\n"
