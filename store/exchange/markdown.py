"""The board as a Markdown document, grouped by state: for a wiki page or a mail.

Every piece of user text goes through `escape_inline` (one line) or `escape_block` (several lines), the
one Markdown escaper (in `reports.markdown`, which the report uses too), so that a title like
`# not a heading`, `[link](x)`, `<script>` or `| a | b |` is shown as typed and cannot change the
structure of the document around it.

It is a document for people, never read back: its headings, labels, states and times are in the current
language and time zone.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import clock
from ..board import Board
from ..i18n import _, listed, pgettext
from ..labels import stored_note
from ..models import BOARD_STATES, Feedback, Note, Requirement, State, now
from ..reports.markdown import escape_block, escape_inline
from ..surveys import code_label


def _label(label: str) -> str:
    """`**Owner:**`: a fact's label in bold, with the colon the language writes."""
    # i18n: a label and its colon, in bold in the Markdown export (`Owner:`)
    return "**" + _("{label}:").format(label=label) + "**"


def _item(label: str, value: str) -> str:
    """`- **Owner:** Li Wei`: one fact of a requirement, as a list item."""
    return f"- {_label(label)} {value}"


def _customer(req: Requirement) -> str:
    customer, channel = escape_inline(req.customer), req.channel.label
    if req.tier:
        return _("{customer} (tier {tier}) via {channel}").format(customer=customer, tier=req.tier.value,
                                                                  channel=channel)
    return _("{customer} via {channel}").format(customer=customer, channel=channel)


def _analysis(req: Requirement) -> list[str]:
    facts = []
    if req.kano:
        facts.append(_("Kano: {kano}").format(kano=req.kano.label))
    if req.need_type:
        facts.append(_("need: {need_type}").format(need_type=req.need_type.label))
    if req.category:
        facts.append(_("category: {category}").format(category=escape_inline(req.category)))
    if req.business_value is not None:
        facts.append(_("value: {value}").format(value=req.business_value))
    if req.effort_estimate is not None:
        facts.append(_("effort: {effort}").format(effort=f"{req.effort_estimate:g}"))
    if req.feasibility:
        facts.append(_("feasibility: {feasibility}").format(feasibility=req.feasibility.label))
    return facts


def _reading(f: Feedback) -> str:
    """One satisfaction reading: score, day, comment; interim or not; the survey's scores and the reasons
    for a low one."""
    day = clock.local_day(f.at).isoformat()
    if f.comment:
        reading = _("{score}/5 on {date}: {comment}").format(score=f.satisfaction, date=day,
                                                             comment=escape_inline(f.comment))
    else:
        reading = _("{score}/5 on {date}").format(score=f.satisfaction, date=day)
    if f.interim:
        reading = _("interim reading, {reading}").format(reading=reading)
    details = []
    if f.scores:
        details.append(_("scores: {scores}").format(scores=pgettext("list separator", ", ").join(
            _("{dimension} {score}/5").format(dimension=escape_inline(code_label(d)), score=n)
            for d, n in f.scores.items())))
    if f.reasons:
        details.append(_("reasons: {reasons}").format(reasons=listed(escape_inline(code_label(r)) for r in f.reasons)))
    if details:
        reading = _("{reading} ({details})").format(reading=reading, details=pgettext("list separator", "; ").join(details))
    return reading


def _note(n: Note) -> str:
    """One contact of the communication log: the day, through what, with whom, what was said."""
    day, text = clock.local_day(n.at).isoformat(), escape_inline(n.text)
    if n.with_:
        return _("{date}, {channel}, with {person}: {text}").format(date=day, channel=n.channel.label,
                                                                    person=escape_inline(n.with_), text=text)
    return _("{date}, {channel}: {text}").format(date=day, channel=n.channel.label, text=text)


def _field_lines(req: Requirement) -> Iterable[str]:
    if req.customer:
        yield _item(_("Customer"), _customer(req))
    if req.cause:
        yield _item(_("Complaint cause"), escape_inline(code_label(req.cause)))
    if req.importance is not None or req.urgency is not None:
        importance, urgency = req.importance or "-", req.urgency or "-"
        if req.priority is not None:
            scores = _("{importance} / {urgency} (priority {priority})").format(
                importance=importance, urgency=urgency, priority=req.priority)
        else:
            scores = f"{importance} / {urgency}"
        yield _item(_("Importance / urgency"), scores)
    facts = _analysis(req)
    if facts:
        yield _item(_("Analysis"), pgettext("list separator", "; ").join(facts))
    if req.owner:
        yield _item(_("Owner"), escape_inline(req.owner))
    if req.due:
        due = req.due.isoformat()
        yield _item(_("Due"), _("{date} (overdue)").format(date=due) if req.overdue() else due)
    if req.tags:
        yield _item(_("Tags"), ", ".join(escape_inline(t) for t in req.tags))
    if req.depends_on:
        yield _item(_("Depends on"), ", ".join(req.depends_on))
    if req.conflicts_with:
        yield _item(_("Conflicts with"), ", ".join(req.conflicts_with))
    if req.approvals:
        a = req.approvals[-1]
        by, day = escape_inline(a.by), clock.local_day(a.at).isoformat()
        if req.approval_current:
            approved = _("by {user} on {date}").format(user=by, date=day)
        else:
            approved = _("by {user} on {date} (text changed since)").format(user=by, date=day)
        yield _item(_("Approved"), approved)
    if len(req.feedback) == 1 and not (req.feedback[0].interim or req.feedback[0].scores or req.feedback[0].reasons):
        yield _item(_("Feedback"), _reading(req.feedback[0]))
    elif req.feedback:  # each reading, oldest first
        yield "- " + _label(_("Feedback"))
        yield from (f"  - {_reading(f)}" for f in req.feedback)
    if req.suspect:
        yield _item(_("Suspect"), escape_inline(stored_note(req.suspect)))  # "CR-2 changed REQ-4", as it reads
    open_crs = req.open_change_requests
    if open_crs:
        yield _item(_("Open change requests"), ", ".join(
            f"{cr.key} {escape_inline(cr.summary)} ({cr.status.label})" for cr in open_crs))
    if req.acceptance_criteria:
        yield "- " + _label(_("Acceptance criteria"))
        for c in req.acceptance_criteria:
            yield f"  - [{'x' if c.done else ' '}] {escape_inline(c.text)}"
    if req.notes:  # newest first, as the detail pane shows them
        yield "- " + _label(_("Communication log"))
        yield from (f"  - {_note(n)}" for n in reversed(req.notes))


def _requirement(req: Requirement) -> list[str]:
    lines = [f"### {req.key} {escape_inline(req.title)}", ""]
    fields = list(_field_lines(req))
    if fields:
        lines += [*fields, ""]
    if req.state is State.REJECTED and req.rejection_reason:
        rejected = _label(_("Rejected because"))
        lines += [f"{rejected} {escape_block(stored_note(req.rejection_reason))}", ""]
    if req.description.strip():
        lines += [escape_block(req.description), ""]
    return lines


def export_markdown(board: Board, *, title: str | None = None) -> bytes:
    """The board as a Markdown document for people, in the current language: a summary table, then one
    section per state, in order (`title`: the document's heading, "Requirements" in its language)."""
    reqs = board.requirements()
    groups = {state: [r for r in reqs if r.state is state] for state in (*BOARD_STATES, State.REJECTED)}
    exported = clock.shown(now(), zone_abbreviation=True)
    heading, state_heading = _("Requirements"), _("State")
    lines = [f"# {escape_inline(heading if title is None else title)}", "",
             _("{n} requirement(s), exported {time}.").format(n=len(reqs), time=exported), "",
             f"| {state_heading} | {heading} |", "|---|---:|"]
    lines += [f"| {state.label} | {len(items)} |" for state, items in groups.items()]
    lines.append("")
    for state, items in groups.items():
        if not items and state is State.REJECTED:
            continue
        lines += ["## " + _("{state} ({n})").format(state=state.label, n=len(items)), ""]
        if not items:
            lines += ["_" + _("None.") + "_", ""]
        for req in items:
            lines += _requirement(req)
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
