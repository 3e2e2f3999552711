"""The report as one self-contained HTML file a stakeholder can open anywhere.

Everything is inline: the styles, and the charts as SVG drawn by `svg.py`. No script, no font, no
image, no link to anything; a Content-Security-Policy forbids the page from loading anything even if
a future edit tried. Text typed by users is escaped.

Written in the current language (`<html lang>` says which), with a font stack that has Chinese glyphs
on every common system (the page loads no font of its own); times and days in the local zone.
"""

from __future__ import annotations

from html import escape

from .. import clock
from ..i18n import _, language_tag, listed, ngettext, pgettext
from ..labels import field_label
from ..metrics import (
    HIGH_SCORE,
    NOT_ENOUGH_DATA,
    BoardMetrics,
    DueItem,
    Durations,
    Forecast,
    LinkedItem,
    Quadrant,
    Rating,
    Satisfaction,
    TargetSummary,
    duration_histogram,
)
from ..models import State
from . import svg
from .markdown import (
    aging_header,
    blocked_heading,
    blocked_line,
    blocked_note,
    breach_header,
    breaches_heading,
    change_request_sentence,
    channels_by_name,
    conflict_line,
    conflicts_heading,
    conflicts_note,
    customer_rows,
    days,
    dimension_rows,
    due_header,
    due_heading,
    due_soon_heading,
    flow_header,
    flow_rows,
    forecast_parameters,
    generated_line,
    kano_name,
    linked_item,
    links_heading,
    low_reason_rows,
    low_reasons_sentence,
    month_header,
    month_shown,
    no_targets_note,
    number,
    overdue_heading,
    priority_note,
    rating_header,
    report_title,
    state_table,
    target_channel_rows,
    target_count_cells,
    target_count_header,
    target_said,
    target_tier_rows,
    targets_heading,
    targets_sentence,
    tier_name,
    trend_note,
)

STYLESHEET = """
:root { --fg: #1d2530; --muted: #5b6775; --bg: #ffffff; --card: #f3f5f8; --line: #d5dbe3; --accent: #2f74b5; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #dde3ea; --muted: #9aa6b2; --bg: #161b22; --card: #1e252e; --line: #33404d; --accent: #6fb0e8; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 15px/1.45 FONTS;
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
svg text { fill: var(--fg); font: 11px FONTS; }
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
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 6px 0 10px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
article h4 { margin: 10px 0 4px; font-size: 14px; }
""".replace("FONTS", svg.FONTS)

_QUADRANT_ORDER = (Quadrant.DO_NOW, Quadrant.PLAN, Quadrant.QUICK_WINS, Quadrant.RECONSIDER)


def page_start(title: str, meta: str) -> list[str]:
    """The start of a report's page up to its header: the language, the styles, the policy that lets it
    load nothing, the title (`title`, `meta`: plain text, escaped here)."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{escape(language_tag())}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title>",
        f"<style>{STYLESHEET}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(meta)}</p></header>',
    ]


def card(label: str, value: str, sub: str = "") -> str:
    return (f'<div class="card"><div class="label">{escape(label)}</div><div class="value">{escape(value)}</div>'
            + (f'<div class="sub">{escape(sub)}</div>' if sub else "") + "</div>")


def table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """A table; cells are given already escaped (they may hold markup of ours)."""
    head = "".join(f'<th{" class=n" if i >= numeric_from else ""}>{h}</th>' for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=n" if i >= numeric_from else ""}>{c}</td>' for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figure(caption: str, chart: str, note: str = "") -> str:
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return f"<figure><figcaption>{escape(caption)}</figcaption>{chart}{note_html}</figure>"


def section(anchor: str, heading: str) -> str:
    """The start of a section of the report, with its heading."""
    return f'<section id="{anchor}"><h2>{escape(heading)}</h2>'


def h3(text: str) -> str:
    """A heading inside a section (escaped here)."""
    return f"<h3>{escape(text)}</h3>"


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def _flow_row(label: str, d: Durations) -> list[str]:
    return [escape(label), days(d.median), days(d.p85), str(d.count)]


def _html_item(item: LinkedItem) -> str:
    """A requirement in a list of links, as markup: the sentence escaped before the key (in its span)
    and the title are put in."""
    return escape(linked_item(LinkedItem("{key}", "{title}" if item.title else "", item.state), "{title}")).format(
        key=f'<span class="key">{escape(item.key)}</span>', title=escape(item.title))


def _in_days(value: float | None) -> str:
    return _("{days} d").format(days=days(value))


def _forecast_paragraph(fc: Forecast) -> str:
    """One forecast in a sentence: the value expected, and the weeks it rests on (or why there is none)."""
    # The sentence is escaped before its fields are filled: only the value's <strong> is markup.
    method, params = escape(fc.method_label), escape(forecast_parameters(fc))
    if fc.next_period is None or not fc.used:
        return escape(_("{method} ({parameters}): {note}")).format(method=method, parameters=params,
                                                                  note=escape(fc.note))
    return escape(ngettext(
        "{method} ({parameters}): {value} new requirements expected in the week of {week}; "
        "history used: {first} to {last} ({n} week)",
        "{method} ({parameters}): {value} new requirements expected in the week of {week}; "
        "history used: {first} to {last} ({n} weeks)", len(fc.used))).format(
        method=method, parameters=params, value=f"<strong>{fc.next_period:.1f}</strong>",
        week=escape(fc.period_start.isoformat() if fc.period_start else ""),
        first=escape(fc.used[0].shown), last=escape(fc.used[-1].shown), n=len(fc.used))


def _rating_table(first: str, rows: list[tuple[str, Rating]]) -> str:
    return table([escape(h) for h in rating_header(first)],
                  [[escape(name), number(r.mean, 2), str(r.count)] for name, r in rows])


def satisfaction_breakdowns(sat: Satisfaction, *, by_customer: bool = True) -> str:
    """Satisfaction by month (a line chart), by survey dimension, by customer (unless `by_customer` is
    False) and the reasons for low scores, as markup: what the board report and a customer's share."""
    parts: list[str] = []
    months = sat.by_month
    parts.append(figure(_("Satisfaction by month"), svg.line_chart(
        _("Mean satisfaction (1-5) by month"), [month_shown(mr.month) for mr in months],
        [(_("mean satisfaction"), [mr.mean for mr in months], svg.ACTUAL)], css_class="satisfaction-trend",
        max_value=5, empty=_("not enough data yet: readings in two months or more make a trend")), trend_note()))
    if months:
        parts.append(table([escape(h) for h in month_header()],
                            [[escape(month_shown(mr.month)), number(mr.mean, 2), str(mr.count)] for mr in months]))
    dimensions = dimension_rows(sat)
    if dimensions:
        parts.append(h3(_("By survey dimension")))
        parts.append(_rating_table(_("Dimension"), dimensions))
    if by_customer and sat.by_customer:
        parts.append(h3(_("By customer")))
        parts.append(_rating_table(field_label("customer").capitalize(), customer_rows(sat)))
    parts.append(h3(_("Reasons for low scores")))
    if sat.low_count:
        parts.append(f"<p>{escape(low_reasons_sentence(sat))}</p>")
        parts.append(table([escape(_("Reason")), escape(_("times given"))],
                            [[escape(label), str(n)] for label, n in low_reason_rows(sat)]))
    else:
        parts.append(note(_("No low score in the period.")))
    return "\n".join(parts)


def _key(key: str) -> str:
    return f'<span class="key">{escape(key)}</span>'


def _targets(t: TargetSummary, top: int) -> str:
    parts = [section("targets", targets_heading())]
    if not t.targets:
        parts.append(note(no_targets_note()))
        return "\n".join([*parts, "</section>"])
    parts.append("<ul>" + "".join(f"<li>{escape(target_said(target))}</li>" for target in t.targets) + "</ul>")
    parts.append(f"<p>{escape(targets_sentence(t.overall))}</p>")
    for first, rows in ((_("Channel (how it came in)"), target_channel_rows(t)),
                        (_("Customer tier"), target_tier_rows(t))):
        if rows:
            parts.append(table([escape(h) for h in target_count_header(first)],
                                [[escape(name), *target_count_cells(c)] for name, c in rows]))
    parts.append(f"<h3>{escape(breaches_heading(t))}</h3>")
    if t.breaches:
        parts.append(table([escape(h) for h in breach_header()], [
            [_key(b.key), escape(b.title), escape(b.customer), escape(b.state.label), escape(clock.shown(b.deadline)),
             days(b.days_late)] for b in t.breaches[:top]], numeric_from=5))
        if len(t.breaches) > top:
            parts.append(note(_("… and {n} more").format(n=len(t.breaches) - top)))
    else:
        parts.append(note(pgettext("list", "none")))
    parts.append("</section>")
    return "\n".join(parts)


def _due(overdue: tuple[DueItem, ...], soon: tuple[DueItem, ...], top: int) -> str:
    parts = [section("due", due_heading())]
    for title, items, late in ((overdue_heading(overdue), overdue, True), (due_soon_heading(soon), soon, False)):
        parts.append(f"<h3>{escape(title)}</h3>")
        if not items:
            parts.append(note(pgettext("list", "none")))
            continue
        parts.append(table([escape(h) for h in due_header(late)], [
            [_key(i.key), escape(i.title), escape(i.customer), escape(i.owner), escape(i.state.label),
             escape(i.due.isoformat()), str(i.days)] for i in items[:top]], numeric_from=6))
        if len(items) > top:
            parts.append(note(_("… and {n} more").format(n=len(items) - top)))
    parts.append("</section>")
    return "\n".join(parts)


def render_html(m: BoardMetrics, *, board: str | None = None, top: int = 15, weeks: int = 26) -> str:
    """The report as a complete HTML document (a string), charts inline as SVG, in the current language."""
    title = report_title(board)
    sat, cr = m.satisfaction, m.change_requests
    parts = page_start(title, generated_line(m))

    # ------------------------------------------------------------------ headline numbers
    parts.append('<section id="summary"><div class="cards">')
    parts.append(card(_("Open work"), str(m.open_count), _("{done} done, {fed_back} fed back").format(
        done=m.count_by_state[State.DONE], fed_back=m.count_by_state[State.FED_BACK])))
    parts.append(card(_("Lead time (median)"), _in_days(m.lead_time.median),
                       _("85th percentile {p85} · {count} delivered").format(p85=_in_days(m.lead_time.p85),
                                                                            count=m.lead_time.count)))
    parts.append(card(_("Cycle time (median)"), _in_days(m.cycle_time.median),
                       _("85th percentile {p85}").format(p85=_in_days(m.cycle_time.p85))))
    parts.append(card(_("Response time (median)"), _in_days(m.response_time.median), _("collected → analysed")))
    parts.append(card(_("Throughput"), _("{mean} / week").format(mean=number(m.throughput_mean)),
                       _("mean of complete weeks")))
    parts.append(card(_("Satisfaction"), _("{mean} / 5").format(mean=number(sat.mean, 2)),
                       ngettext("{count} response", "{count} responses", sat.count).format(count=sat.count)))
    parts.append(card(_("Change requests"), str(cr.total),
                       _("{approved} approved · {rejected} rejected · {pending} pending").format(
                           approved=cr.approved, rejected=cr.rejected, pending=cr.pending)))
    parts.append(card(_("Intake next week"), number(m.forecast.next_period),
                       m.forecast.method_label if m.forecast.next_period is not None else _(NOT_ENOUGH_DATA)))
    parts.append("</div>")
    header, row = state_table(m)
    parts.append(table([escape(h) for h in header], [[escape(c) for c in row]]))
    parts.append("</section>")

    # ------------------------------------------------------------------ flow charts
    cfd = m.cumulative_flow
    # Bins of whole hours on a young board, whole days otherwise (as the Reports screen draws them).
    lead = duration_histogram(m.lead_time.days, bins=10)
    in_hours = lead.unit == "hours"

    def lead_time(value: float | None) -> str:
        return days(value) if value is None or not in_hours else _("{hours} h").format(hours=f"{value * 24:.1f}")
    recent = m.throughput[-weeks:]
    parts.append(section("flow", _("Flow")) + '<div class="charts">')
    # i18n: a day on a chart's axis, as strftime writes it (%d day, %b month, %m month number).
    day_pattern = _("{day:%d %b}")
    parts.append(figure(_("Cumulative flow"), svg.stacked_area(
        _("Cumulative flow: requirements in each state at the end of each day"),
        [day_pattern.format(day=d) for d in cfd.days], cfd.stacked() if cfd.days else {}),
        _("Each band is a state; a widening band is work piling up there.")))
    parts.append(figure(_("Throughput per week"), svg.bar_chart(
        _("Requirements delivered per week"), [w.shown_short for w in recent], [w.count for w in recent],
        css_class="throughput", colour=svg.STATE_COLOURS[State.DONE]),
        _("Requirements that reached done, by ISO week; the last week is still running.")))
    parts.append(figure(_("Lead-time distribution"), svg.bar_chart(
        _("Lead times in hours (collected to done)") if in_hours else _("Lead times in days (collected to done)"),
        lead.labels(), [b.count for b in lead.bins], css_class="lead-times"),
        (_("Hours from collected to done; median {median}, 85th percentile {p85} (nearest rank).") if in_hours
         else _("Days from collected to done; median {median}, 85th percentile {p85} (nearest rank).")).format(
            median=lead_time(m.lead_time.median), p85=lead_time(m.lead_time.p85))))
    parts.append("</div>")
    parts.append(table([escape(h) for h in flow_header()], [
        *(_flow_row(label, d) for label, d in flow_rows(m)),
        *(_flow_row(_("Time in {state}").format(state=s.label.lower()), d) for s, d in m.time_in_state.items()),
    ]))
    parts.append("</section>")

    # ------------------------------------------------------------------ satisfaction
    no_feedback = _("not enough data yet: no feedback recorded")
    parts.append(section("satisfaction", _("Satisfaction")) + '<div class="charts">')
    tiers = list(sat.by_tier.items())
    parts.append(figure(_("Satisfaction by customer tier"), svg.bar_chart(
        _("Mean satisfaction (1-5) by customer tier"),
        [_("{tier} (n={count})").format(tier=tier_name(t), count=r.count) for t, r in tiers],
        [r.mean or 0 for _tier, r in tiers], css_class="satisfaction", max_value=5, empty=no_feedback)))
    parts.append(figure(_("Responses by score"), svg.bar_chart(
        _("Responses by satisfaction score"), [str(k) for k in sat.distribution], list(sat.distribution.values()),
        css_class="satisfaction-scores", empty=no_feedback)))
    parts.append("</div>")
    if sat.by_channel:
        header = [_("Channel (how it came in)"), pgettext("report", "mean"), pgettext("report", "responses")]
        parts.append(table([escape(h) for h in header],
                            [[escape(c), number(r.mean, 2), str(r.count)] for c, r in channels_by_name(sat.by_channel)]))
    parts.append(satisfaction_breakdowns(sat))
    parts.append(table([escape(_("Kano class")), escape(pgettext("report", "requirements"))],
                        [[escape(kano_name(k)), str(n)] for k, n in m.kano_mix.items()]))
    parts.append("</section>")

    # ------------------------------------------------------------------ response targets and due dates
    parts.append(_targets(m.targets, top))
    parts.append(_due(m.overdue, m.due_soon, top))

    # ------------------------------------------------------------------ forecast
    f, ma = m.forecast, m.forecast_moving_average
    labels = [w.shown_short for w in f.history] + ([pgettext("report", "next")] if f.history else [])
    actual = [float(w.count) for w in f.history] + [None]
    smoothed = list(f.fitted) + [f.next_period]
    moving = list(ma.fitted) + [ma.next_period]
    window = int(ma.parameters["window"])
    parts.append(section("forecast", _("Intake forecast")))
    parts.append(figure(_("New requirements per week, and the forecast"), svg.line_chart(
        _("New requirements per week with the exponential-smoothing and moving-average forecasts"), labels,
        [(_("new requirements"), actual, svg.ACTUAL),
         (_("exponential smoothing (alpha {alpha:g})").format(alpha=f.parameters["alpha"]), smoothed, svg.FITTED),
         (ngettext("moving average ({window} week)", "moving average ({window} weeks)", window).format(window=window),
          moving, svg.STATE_COLOURS[State.APPROVED])],
        css_class="forecast")))
    for fc in (f, ma):
        parts.append(f"<p>{_forecast_paragraph(fc)}</p>")
    parts.append("</section>")

    # ------------------------------------------------------------------ priority matrix
    pm = m.priority
    points = [(i.key, i.importance, i.urgency) for q in _QUADRANT_ORDER for i in pm.quadrants[q]]
    parts.append(section("priority", _("Priority matrix")))
    parts.append(note(priority_note()))
    parts.append(figure(_("Importance × urgency"), svg.priority_matrix(
        _("Open requirements by importance and urgency"), points, high_from=HIGH_SCORE,
        quadrant_labels=[q.label for q in _QUADRANT_ORDER])))
    parts.append('<div class="quadrants">')
    for q in (Quadrant.PLAN, Quadrant.DO_NOW, Quadrant.RECONSIDER, Quadrant.QUICK_WINS):
        items = pm.quadrants[q]
        heading = _("{quadrant} ({count})").format(quadrant=q.label, count=len(items))
        parts.append(f"<section><h3>{escape(heading)}</h3><p class=note>{escape(q.meaning)}</p><ul>")
        parts += [f'<li><span class="key">{escape(i.key)}</span> {escape(i.title)} <span class=note>'
                  + escape(_("(I{importance} U{urgency}, {state})").format(
                      importance=i.importance, urgency=i.urgency, state=i.state.label.lower()))
                  + "</span></li>"
                  for i in items[:top]]
        if len(items) > top:
            more = _("… and {n} more").format(n=len(items) - top)
            parts.append(f"<li class=note>{escape(more)}</li>")
        parts.append("</ul></section>")
    parts.append("</div>")
    if pm.unscored:
        parts.append('<p class="note">' + escape(ngettext(
            "Not yet scored: {n} open requirement.", "Not yet scored: {n} open requirements.",
            len(pm.unscored)).format(n=len(pm.unscored))) + "</p>")
    parts.append("</section>")

    # ------------------------------------------------------------------ aging
    parts.append(section("aging", _("Oldest open work")))
    if m.aging:
        warning = escape(_("older than the 85th-percentile lead time"))
        parts.append(table([escape(h) for h in aging_header()], [
            [f'<span class="key">{escape(a.key)}</span>',
             escape(a.title) + (f' <span class="warn" title="{warning}">⚠</span>' if a.older_than_p85 else ""),
             escape(a.state.label), days(a.age_days), days(a.in_state_days)]
            for a in m.aging[:top]], numeric_from=3))
    else:
        parts.append(note(_("No open work.")))
    parts.append("</section>")

    # ------------------------------------------------------------------ links
    parts.append(section("links", links_heading()))
    parts.append(f"<h3>{escape(conflicts_heading(m))}</h3>")
    if m.open_conflicts:
        parts.append(note(conflicts_note()))
        line = escape(conflict_line("{first}", "{second}"))  # escaped before the items' markup goes in
        parts.append("<ul>" + "".join(
            "<li>" + line.format(first=_html_item(c.first), second=_html_item(c.second)) + "</li>"
            for c in m.open_conflicts[:top]) + "</ul>")
    else:
        parts.append(note(pgettext("list", "none")))
    parts.append(f"<h3>{escape(blocked_heading(m))}</h3>")
    if m.blocked:
        parts.append(note(blocked_note()))
        line = escape(blocked_line("{item}", ["{blockers}"]))
        parts.append("<ul>" + "".join(
            "<li>" + line.format(item=_html_item(b.item), blockers=listed([_html_item(i) for i in b.blocked_by]))
            + "</li>" for b in m.blocked[:top]) + "</ul>")
    else:
        parts.append(note(pgettext("list", "none")))
    parts.append("</section>")

    # ------------------------------------------------------------------ change requests
    parts.append(section("change-requests", _("Change requests")))
    if cr.total:
        parts.append(f"<p>{escape(change_request_sentence(cr))}</p>")
        parts.append(table([escape(h) for h in (field_label("status").capitalize(), _("change requests"))],
                            [[escape(s.label), str(n)] for s, n in cr.by_status.items()]))
    else:
        parts.append(note(_("No change requests in the period.")))
    parts.append("</section>")
    footer = _("Made by reqboard. Percentiles by nearest rank; days and weeks in {zone}; weeks start on Monday.")
    parts.append(f'<footer class="note"><p>{escape(footer.format(zone=clock.zone_name()))}</p></footer>')
    parts.append("</body>\n</html>\n")
    return "\n".join(parts)
