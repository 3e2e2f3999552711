"""The report as Markdown, for pasting into a status mail or a wiki page; and the one Markdown
escaper of user text, which the Markdown export (`exchange.markdown`) uses too.

Written in the current language (`store.i18n`), times in the local zone (`store.clock`); the sentences
the HTML report shares with it (the period, the change requests, the forecast) are made here.

Plain GitHub-flavoured Markdown: headings, tables and lists. Text typed by users goes through
`escape_inline` (one line) or `escape_block` (several lines), so that it reads as typed: a title like
`# not a heading`, `[link](x)`, `<script>` or `| a | b |` cannot change the structure of the document
around it, break a table or inject HTML into a wiki, and characters that disguise text (bidi overrides,
zero-width characters) are shown as `<U+202E>`, as on a terminal (`store.text.shown`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .. import clock, collation
from ..i18n import _, listed, ngettext, pgettext
from ..labels import field_label
from ..metrics import (
    DUE_SOON_DAYS,
    HIGH_SCORE,
    NOT_ENOUGH_DATA,
    BoardMetrics,
    ChangeRequestSummary,
    DueItem,
    Durations,
    Forecast,
    LinkedItem,
    Quadrant,
    Rating,
    Satisfaction,
    TargetCount,
    TargetSummary,
)
from ..models import BOARD_STATES, Channel, Kano, State
from ..surveys import LOW_SCORE, code_label
from ..targets import Target
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


# ============================================================================ sentences both reports use


def report_title(board: str | None) -> str:
    """The report's title (`board` as given: the caller escapes it for its format)."""
    return _("Requirements report: {board}").format(board=board) if board else _("Requirements report")


def generated_line(m: BoardMetrics) -> str:
    """When the report was made (local time, with the zone), the period and the totals."""
    period = _("since {date}").format(date=m.since.isoformat()) if m.since else _("all time")
    return ngettext("Generated {time} · period: {period} · {total} requirement, {open} open",
                    "Generated {time} · period: {period} · {total} requirements, {open} open", m.total).format(
        time=clock.shown(m.now, zone_abbreviation=True), period=period, total=m.total, open=m.open_count)


def tier_name(tier: str) -> str:
    """A customer tier of the satisfaction figures (`none`: no tier recorded)."""
    return pgettext("tier", "none") if tier == "none" else tier


def kano_name(kano: str) -> str:
    """A Kano class of the Kano mix (`unclassified`: none recorded yet)."""
    return _("unclassified") if kano == "unclassified" else Kano(kano).label


def channels_by_name(by_channel: Mapping[str, Rating]) -> list[tuple[str, Rating]]:
    """Satisfaction by intake channel, as (name, rating) in the order a reader looks names up."""
    named = [(Channel(c).label, r) for c, r in by_channel.items()]
    return sorted(named, key=lambda item: collation.sort_key(item[0]))


def change_request_sentence(cr: ChangeRequestSummary) -> str:
    """How many change requests went which way, and what the approved ones cost."""
    return ngettext(
        "{total} change request: {approved} approved, {rejected} rejected, {pending} waiting for a decision. "
        "The approved ones add {days} days to the schedule, cost {cost} and {hours} hours of effort.",
        "{total} change requests: {approved} approved, {rejected} rejected, {pending} waiting for a decision. "
        "The approved ones add {days} days to the schedule, cost {cost} and {hours} hours of effort.", cr.total,
    ).format(total=cr.total, approved=cr.approved, rejected=cr.rejected, pending=cr.pending,
             days=amount(cr.schedule_days), cost=amount(cr.cost), hours=amount(cr.effort_hours))


def forecast_parameters(f: Forecast) -> str:
    """The forecast's parameters as a person reads them: `alpha 0.3`, `window 4`."""
    if "alpha" in f.parameters:
        return _("alpha {alpha:g}").format(alpha=f.parameters["alpha"])
    return _("window {window:g}").format(window=f.parameters["window"])


def priority_note() -> str:
    return _("Open requirements by importance and urgency; a score of {high} or 5 counts as high.").format(
        high=HIGH_SCORE)


def state_table(m: BoardMetrics) -> tuple[list[str], list[str]]:
    """The header and the one row of the count by state (cells not yet escaped)."""
    states = [*BOARD_STATES, State.REJECTED]
    return (["", *(s.label for s in states), pgettext("report", "Total")],
            [_("Requirements now"), *(str(m.count_by_state[s]) for s in states), str(m.total)])


def flow_rows(m: BoardMetrics) -> list[tuple[str, Durations]]:
    """The three spans a requirement's flow is measured by, named."""
    return [(_("Lead time (collected → done)"), m.lead_time),
            (_("Cycle time (in progress → done)"), m.cycle_time),
            (_("Response time (collected → analysed)"), m.response_time)]


def flow_header() -> list[str]:
    return ["", _("median (days)"), _("85th percentile (days)"), pgettext("report", "requirements")]


def links_heading() -> str:
    return _("Dependencies and conflicts")


def conflicts_heading(m: BoardMetrics) -> str:
    return _("Open conflicts ({n})").format(n=len(m.open_conflicts))


def conflicts_note() -> str:
    return _("Neither requirement of a pair can be approved until the conflict is settled: "
             "reqboard resolve KEY OTHER --decision TEXT (--reject KEY rejects one of them).")


def blocked_heading(m: BoardMetrics) -> str:
    return _("Blocked work ({n})").format(n=len(m.blocked))


def blocked_note() -> str:
    return _("Work that waits on what it depends on: it moves to in progress or done once that is done, "
             "or earlier with --override-dependency and a reason. A rejected requirement is never done: "
             "take it out of the list (reqboard edit KEY --depends-on ...).")


def linked_item(item: LinkedItem, title: str) -> str:
    """A requirement in a list of links: key, `title` (already escaped for its format) and state."""
    state = item.state.label.lower()
    if not item.title:
        return _("{key} ({state})").format(key=item.key, state=state)
    return _("{key} {title} ({state})").format(key=item.key, title=title, state=state)


def conflict_line(first: str, second: str) -> str:
    return _("{first} conflicts with {second}").format(first=first, second=second)


def blocked_line(item: str, blockers: list[str]) -> str:
    return _("{item}, waiting for {blockers}").format(item=item, blockers=listed(blockers))


def month_shown(month: str) -> str:
    """A month of the satisfaction trend (`2026-03`) as a person reads it: 2026-03, 2026 年 3 月."""
    # i18n: a month of the satisfaction trend
    return _("{year}-{month:02d}").format(year=int(month[:4]), month=int(month[5:7]))


def customer_name(name: str) -> str:
    """A customer of the satisfaction by customer ("" for requirements that name none)."""
    return name or _("(no customer)")


def rating_header(first: str) -> list[str]:
    return [first, pgettext("report", "mean"), pgettext("report", "responses")]


def dimension_rows(sat: Satisfaction) -> list[tuple[str, Rating]]:
    """Satisfaction by survey dimension, in the board's order, named in the current language."""
    return [(code_label(d), r) for d, r in sat.by_dimension.items()]


def customer_rows(sat: Satisfaction) -> list[tuple[str, Rating]]:
    return [(customer_name(c), r) for c, r in sat.by_customer.items()]


def month_header() -> list[str]:
    return [pgettext("report", "Month"), pgettext("report", "mean"), _("readings")]


def trend_note() -> str:
    return _("Every reading of the month counts, interim ones too, so a score later improved on still "
             "shows in its month.")


def low_reasons_sentence(sat: Satisfaction) -> str:
    """How many readings scored low, and that the table below says why."""
    return ngettext("{n} reading scored {low} or less; the reasons given:",
                    "{n} readings scored {low} or less; the reasons given:", sat.low_count).format(
        n=sat.low_count, low=LOW_SCORE)


def low_reason_rows(sat: Satisfaction) -> list[tuple[str, int]]:
    return [(code_label(code), n) for code, n in sat.low_reasons.items()]


def targets_heading() -> str:
    return _("Response targets")


def no_targets_note() -> str:
    return _("No response targets set (reqboard target set STATE DAYS).")


def targets_sentence(c: TargetCount) -> str:
    """The targets overall: met, missed (reached late), breached (not reached, past the deadline), open."""
    return _("Met: {met}. Missed (reached late): {missed}. Breached (not reached, past the deadline): "
             "{breached}. Open (deadline ahead): {open}.").format(
        met=c.met, missed=c.missed, breached=c.breached, open=c.open)


def target_count_header(first: str) -> list[str]:
    return [first, pgettext("target", "met"), pgettext("target", "missed"), pgettext("target", "breached"),
            pgettext("target", "open")]


def target_count_cells(c: TargetCount) -> list[str]:
    return [str(c.met), str(c.missed), str(c.breached), str(c.open)]


def target_channel_rows(t: TargetSummary) -> list[tuple[str, TargetCount]]:
    named = [(Channel(c).label, n) for c, n in t.by_channel.items()]
    return sorted(named, key=lambda item: collation.sort_key(item[0]))


def target_tier_rows(t: TargetSummary) -> list[tuple[str, TargetCount]]:
    return [(tier_name(tier), n) for tier, n in t.by_tier.items()]


def target_said(t: Target) -> str:
    """One response target in a sentence: reach which state within how many days, for whom."""
    state, days_, n = t.state.label.lower(), f"{t.days:g}", 1 if t.days == 1 else 2
    if t.channel is not None and t.tier is not None:
        return ngettext("{state} within {days} day: {channel}, tier {tier}",
                        "{state} within {days} days: {channel}, tier {tier}", n).format(
            state=state, days=days_, channel=t.channel.label, tier=t.tier.value)
    if t.channel is not None:
        return ngettext("{state} within {days} day: {channel}", "{state} within {days} days: {channel}", n).format(
            state=state, days=days_, channel=t.channel.label)
    if t.tier is not None:
        return ngettext("{state} within {days} day: tier {tier}", "{state} within {days} days: tier {tier}", n).format(
            state=state, days=days_, tier=t.tier.value)
    return ngettext("{state} within {days} day: any channel and tier",
                    "{state} within {days} days: any channel and tier", n).format(state=state, days=days_)


def breaches_heading(t: TargetSummary) -> str:
    return _("Breaches ({n})").format(n=len(t.breaches))


def breach_header() -> list[str]:
    return [field_label("key").capitalize(), field_label("title").capitalize(), field_label("customer").capitalize(),
            _("to reach"), _("deadline"), _("days late")]


def due_heading() -> str:
    return _("Due dates")


def overdue_heading(items: tuple[DueItem, ...]) -> str:
    return _("Overdue ({n})").format(n=len(items))


def due_soon_heading(items: tuple[DueItem, ...]) -> str:
    return ngettext("Due within {days} day ({n})", "Due within {days} days ({n})", DUE_SOON_DAYS).format(
        days=DUE_SOON_DAYS, n=len(items))


def due_header(late: bool) -> list[str]:
    return [field_label("key").capitalize(), field_label("title").capitalize(), field_label("customer").capitalize(),
            field_label("owner").capitalize(), field_label("state").capitalize(), field_label("due").capitalize(),
            _("days late") if late else _("days left")]


def aging_header() -> list[str]:
    return [field_label("key").capitalize(), field_label("title").capitalize(), field_label("state").capitalize(),
            _("age (days)"), _("in state (days)")]


# ============================================================================ the Markdown report


def table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _flow_row(label: str, d: Durations) -> list[str]:
    return [label, days(d.median), days(d.p85), str(d.count)]


def forecast_sentence(f: Forecast) -> str:
    """One forecast in a sentence of Markdown: method, parameters, the value expected and its basis."""
    method, params = f.method_label, forecast_parameters(f)
    if f.next_period is None:
        return _("{method} ({parameters}): {note}").format(method=method, parameters=params, note=f.note)
    value = f"**{f.next_period:.1f}**"
    if f.period_start is None:
        return _("{method} ({parameters}): {value} new requirements expected; {note}").format(
            method=method, parameters=params, value=value, note=f.note)
    return _("{method} ({parameters}): {value} new requirements expected in the week of {week}; {note}").format(
        method=method, parameters=params, value=value, week=f.period_start.isoformat(), note=f.note)


def _summary(m: BoardMetrics) -> list[str]:
    lead, sat, cr, fc = m.lead_time, m.satisfaction, m.change_requests, m.forecast
    lines = [
        _("Lead time (collected → done): median {median} days, 85th percentile {p85} days ({count} delivered)").format(
            median=days(lead.median), p85=days(lead.p85), count=lead.count) if lead.count
        else _("Lead time (collected → done): not enough data yet (nothing delivered)"),
        _("Throughput: {mean} delivered per week (mean of complete weeks)").format(mean=number(m.throughput_mean))
        if m.throughput_mean is not None else _("Throughput: not enough data yet (no complete week)"),
        ngettext("Satisfaction: {mean} / 5 from {count} response", "Satisfaction: {mean} / 5 from {count} responses",
                 sat.count).format(mean=number(sat.mean, 2), count=sat.count) if sat.count
        else _("Satisfaction: not enough data yet (no feedback)"),
        _("Change requests: {total} ({approved} approved, {rejected} rejected, {pending} pending)").format(
            total=cr.total, approved=cr.approved, rejected=cr.rejected, pending=cr.pending),
        _("Intake forecast: {value} new requirements a week ({method})").format(
            value=f"{fc.next_period:.1f}", method=fc.method_label)
        if fc.next_period is not None else _("Intake forecast: {note}").format(note=fc.note),
    ]
    return [f"- {line}" for line in lines]


def _more(keys: Iterable[str], top: int) -> str:
    """The first `top` keys as a list, with an ellipsis for the rest."""
    every = list(keys)
    return listed(every[:top] + (["…"] if len(every) > top else []))


def _md_item(item: LinkedItem) -> str:
    return linked_item(item, escape_inline(item.title))


def heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def emphasis(text: str) -> str:
    return f"_{text}_"


def _rating_rows(rows: list[tuple[str, Rating]]) -> list[list[str]]:
    return [[escape_inline(name), number(r.mean, 2), str(r.count)] for name, r in rows]


def satisfaction_breakdowns(sat: Satisfaction, *, by_customer: bool = True) -> list[str]:
    """Satisfaction by survey dimension, by customer (unless `by_customer` is False), by month (the
    trend) and the reasons for low scores, as Markdown: what the board report and a customer's share."""
    out: list[str] = []
    dimensions = dimension_rows(sat)
    if dimensions:
        out += [heading(3, _("By survey dimension")), ""]
        out += table(rating_header(_("Dimension")), _rating_rows(dimensions))
        out.append("")
    if by_customer and sat.by_customer:
        out += [heading(3, _("By customer")), ""]
        out += table(rating_header(field_label("customer").capitalize()), _rating_rows(customer_rows(sat)))
        out.append("")
    if sat.by_month:
        out += [heading(3, _("By month")), "", trend_note(), ""]
        out += table(month_header(), [[month_shown(mr.month), number(mr.mean, 2), str(mr.count)]
                                       for mr in sat.by_month])
        out.append("")
    out += [heading(3, _("Reasons for low scores")), ""]
    if sat.low_count:
        out += [low_reasons_sentence(sat), ""]
        out += table([_("Reason"), _("times given")],
                      [[escape_inline(label), str(n)] for label, n in low_reason_rows(sat)])
    else:
        out.append(emphasis(_("no low score in the period")))
    return out


def _targets(t: TargetSummary, top: int) -> list[str]:
    if not t.targets:
        return [emphasis(no_targets_note())]
    out = ["- " + target_said(target) for target in t.targets]
    out += ["", targets_sentence(t.overall), ""]
    if t.by_channel:
        out += table(target_count_header(_("Channel (how it came in)")),
                      [[escape_inline(name), *target_count_cells(c)] for name, c in target_channel_rows(t)])
        out.append("")
    if t.by_tier:
        out += table(target_count_header(_("Customer tier")),
                      [[escape_inline(name), *target_count_cells(c)] for name, c in target_tier_rows(t)])
        out.append("")
    out += [heading(3, breaches_heading(t)), ""]
    if t.breaches:
        out += table(breach_header(), [
            [b.key, escape_inline(b.title), escape_inline(b.customer), b.state.label, clock.shown(b.deadline),
             days(b.days_late)] for b in t.breaches[:top]], ["---", "---", "---", "---", "---", "---:"])
        if len(t.breaches) > top:
            out += ["", _("… and {n} more").format(n=len(t.breaches) - top)]
    else:
        out.append(emphasis(pgettext("list", "none")))
    return out


def _due_rows(items: tuple[DueItem, ...], top: int) -> list[list[str]]:
    return [[i.key, escape_inline(i.title), escape_inline(i.customer), escape_inline(i.owner), i.state.label,
             i.due.isoformat(), str(i.days)] for i in items[:top]]


def _due(overdue: tuple[DueItem, ...], soon: tuple[DueItem, ...], top: int) -> list[str]:
    out: list[str] = []
    align = ["---"] * 6 + ["---:"]
    for title, items, late in ((overdue_heading(overdue), overdue, True), (due_soon_heading(soon), soon, False)):
        out += [heading(3, title), ""]
        if items:
            out += table(due_header(late), _due_rows(items, top), align)
            if len(items) > top:
                out += ["", _("… and {n} more").format(n=len(items) - top)]
        else:
            out.append(emphasis(pgettext("list", "none")))
        out.append("")
    return out[:-1]


def render_markdown(m: BoardMetrics, *, board: str | None = None, top: int = 10, weeks: int = 8) -> str:
    """The report as Markdown text; `top` limits the long lists, `weeks` the weekly tables."""
    out: list[str] = []
    title = report_title(escape_inline(board) if board else None)
    out += [f"# {title}", "", generated_line(m), ""]

    # ------------------------------------------------------------------ summary
    out += [heading(2, _("Summary")), ""]
    header, row = state_table(m)
    out += table(header, [row])
    sat = m.satisfaction
    cr = m.change_requests
    out += ["", *_summary(m), ""]

    # ------------------------------------------------------------------ flow
    out += [heading(2, _("Flow")), ""]
    out += table(flow_header(), [_flow_row(label, d) for label, d in flow_rows(m)])
    out += ["", _("Percentiles by nearest rank: 85 % of the requirements took that long or less. "
                  "Times run from the first time each state was entered."), ""]
    out += [heading(3, _("Time in each state")), ""]
    out += table([field_label("state").capitalize(), *flow_header()[1:]],
                  [_flow_row(s.label, d) for s, d in m.time_in_state.items()])
    out += ["", "### " + ngettext("Throughput (last {weeks} week)", "Throughput (last {weeks} weeks)", weeks).format(
        weeks=weeks), ""]
    recent = m.throughput[-weeks:]
    if recent:
        out += table([pgettext("report", "Week"), pgettext("report", "starting"), pgettext("report", "delivered")],
                      [[w.shown if w.complete else _("{week} (so far)").format(week=w.shown), w.start.isoformat(),
                        str(w.count)] for w in recent])
    else:
        out.append(emphasis(_(NOT_ENOUGH_DATA)))
    out += ["", heading(3, _("Oldest open work")), ""]
    if m.aging:
        out += table(aging_header(),
                      [[a.key, escape_inline(a.title) + (" ⚠" if a.older_than_p85 else ""), a.state.label,
                        days(a.age_days), days(a.in_state_days)] for a in m.aging[:top]],
                      ["---", "---", "---", "---:", "---:"])
        if any(a.older_than_p85 for a in m.aging):
            out += ["", "⚠ " + _("older than 85 % of the delivered requirements took from collected to done.")]
        if len(m.aging) > top:
            more = len(m.aging) - top
            out += ["", ngettext("… and {n} more open requirement.", "… and {n} more open requirements.",
                                 more).format(n=more)]
    else:
        out.append(emphasis(_("no open work")))
    out.append("")

    # ------------------------------------------------------------------ links
    out += [heading(2, links_heading()), "", heading(3, conflicts_heading(m)), ""]
    if m.open_conflicts:
        out += [conflicts_note(), ""]
        out += ["- " + conflict_line(_md_item(c.first), _md_item(c.second)) for c in m.open_conflicts[:top]]
        if len(m.open_conflicts) > top:
            out.append("- " + _("… and {n} more").format(n=len(m.open_conflicts) - top))
    else:
        out.append(emphasis(pgettext("list", "none")))
    out += ["", heading(3, blocked_heading(m)), ""]
    if m.blocked:
        out += [blocked_note(), ""]
        out += ["- " + blocked_line(_md_item(b.item), [_md_item(i) for i in b.blocked_by]) for b in m.blocked[:top]]
        if len(m.blocked) > top:
            out.append("- " + _("… and {n} more").format(n=len(m.blocked) - top))
    else:
        out.append(emphasis(pgettext("list", "none")))
    out.append("")

    # ------------------------------------------------------------------ satisfaction
    out += [heading(2, _("Satisfaction")), ""]
    if sat.count:
        out += [ngettext("Mean {mean} / 5 from {count} response (the latest feedback on each requirement).",
                         "Mean {mean} / 5 from {count} responses (the latest feedback on each requirement).",
                         sat.count).format(mean=f"**{sat.mean:.2f}**", count=sat.count), ""]
        out += table([pgettext("report", "Score"), *(str(k) for k in sat.distribution)],
                      [[pgettext("report", "responses"), *(str(v) for v in sat.distribution.values())]])
        out += [""]
        out += table([_("Customer tier"), pgettext("report", "mean"), pgettext("report", "responses")],
                      [[escape_inline(tier_name(t)), number(r.mean, 2), str(r.count)] for t, r in sat.by_tier.items()])
        out += [""]
        out += table([_("Channel (how it came in)"), pgettext("report", "mean"), pgettext("report", "responses")],
                      [[escape_inline(c), number(r.mean, 2), str(r.count)] for c, r in channels_by_name(sat.by_channel)])
        out += ["", *satisfaction_breakdowns(sat)]
    else:
        out.append(emphasis(_("not enough data yet: no feedback recorded in the period")))
    out.append("")

    # ------------------------------------------------------------------ response targets and due dates
    out += [heading(2, targets_heading()), "", *_targets(m.targets, top), ""]
    out += [heading(2, due_heading()), "", *_due(m.overdue, m.due_soon, top)]
    out.append("")

    # ------------------------------------------------------------------ kano
    out += [heading(2, _("Kano mix")), ""]
    out += table([_("Kano class"), pgettext("report", "requirements")],
                  [[escape_inline(kano_name(k)), str(n)] for k, n in m.kano_mix.items()])
    out.append("")

    # ------------------------------------------------------------------ change requests
    out += [heading(2, _("Change requests")), ""]
    if cr.total:
        out += [change_request_sentence(cr), ""]
        out += table([field_label("status").capitalize(), _("change requests")],
                      [[s.label, str(n)] for s, n in cr.by_status.items()])
    else:
        out.append(emphasis(_("no change requests in the period")))
    out.append("")

    # ------------------------------------------------------------------ forecast
    out += [heading(2, _("Intake forecast")), ""]
    out += [f"- {forecast_sentence(m.forecast)}", f"- {forecast_sentence(m.forecast_moving_average)}", ""]
    hist = m.forecast.history[-weeks:]
    if hist:
        ma = dict(zip((w.start for w in m.forecast_moving_average.history),
                      m.forecast_moving_average.fitted, strict=True))
        es = dict(zip((w.start for w in m.forecast.history), m.forecast.fitted, strict=True))
        out += [ngettext("History used (complete weeks, last {n} shown):",
                         "History used (complete weeks, last {n} shown):", len(hist)).format(n=len(hist)), ""]
        out += table([pgettext("report", "Week"), _("new requirements"), _("smoothed forecast"), _("moving average")],
                      [[w.shown, str(w.count), number(es.get(w.start)), number(ma.get(w.start))] for w in hist])
    out.append("")

    # ------------------------------------------------------------------ priority matrix
    out += [heading(2, _("Priority matrix")), "", priority_note(), ""]
    for q in Quadrant:
        items = m.priority.quadrants[q]
        out += ["### " + _("{quadrant} ({meaning}): {count}").format(quadrant=q.label, meaning=q.meaning,
                                                                    count=len(items)), ""]
        if not items:
            out += [emphasis(pgettext("list", "none")), ""]
            continue
        out += ["- " + _("{key} {title} (importance {importance}, urgency {urgency}, {state})").format(
                    key=i.key, title=escape_inline(i.title), importance=i.importance, urgency=i.urgency,
                    state=i.state.label.lower()) for i in items[:top]]
        if len(items) > top:
            out.append("- " + _("… and {n} more").format(n=len(items) - top))
        out.append("")
    if m.priority.unscored:
        unscored = m.priority.unscored
        out += [ngettext("Not yet scored: {n} open requirement ({keys}).",
                         "Not yet scored: {n} open requirements ({keys}).", len(unscored)).format(
                    n=len(unscored), keys=_more(unscored, top)), ""]
    return "\n".join(out).rstrip() + "\n"
