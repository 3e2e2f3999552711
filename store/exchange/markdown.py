"""The board as a Markdown document, grouped by state: for a wiki page or a mail.

Every piece of user text goes through `escape_inline` (one line) or `escape_block` (several lines), the
one Markdown escaper (in `reports.markdown`, which the report uses too), so that a title like
`# not a heading`, `[link](x)`, `<script>` or `| a | b |` is shown as typed and cannot change the
structure of the document around it.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..board import Board
from ..models import BOARD_STATES, Requirement, State, now
from ..reports.markdown import escape_block, escape_inline


def _field_lines(req: Requirement) -> Iterable[str]:
    if req.customer:
        tier = f" (tier {req.tier.value})" if req.tier else ""
        yield f"- **Customer:** {escape_inline(req.customer)}{tier} via {req.channel.label}"
    if req.importance is not None or req.urgency is not None:
        priority = f" (priority {req.priority})" if req.priority is not None else ""
        yield f"- **Importance / urgency:** {req.importance or '-'} / {req.urgency or '-'}{priority}"
    facts = []
    if req.kano:
        facts.append(f"Kano: {req.kano.label}")
    if req.need_type:
        facts.append(f"need: {req.need_type.label}")
    if req.category:
        facts.append(f"category: {escape_inline(req.category)}")
    if req.business_value is not None:
        facts.append(f"value: {req.business_value}")
    if req.effort_estimate is not None:
        facts.append(f"effort: {req.effort_estimate:g}")
    if req.feasibility:
        facts.append(f"feasibility: {req.feasibility.label}")
    if facts:
        yield "- **Analysis:** " + "; ".join(facts)
    if req.owner:
        yield f"- **Owner:** {escape_inline(req.owner)}"
    if req.due:
        yield f"- **Due:** {req.due.isoformat()}" + (" (overdue)" if req.overdue() else "")
    if req.tags:
        yield "- **Tags:** " + ", ".join(escape_inline(t) for t in req.tags)
    if req.depends_on:
        yield "- **Depends on:** " + ", ".join(req.depends_on)
    if req.conflicts_with:
        yield "- **Conflicts with:** " + ", ".join(req.conflicts_with)
    if req.approvals:
        a = req.approvals[-1]
        current = "" if req.approval_current else " (text changed since)"
        yield f"- **Approved:** by {escape_inline(a.by)} on {a.at:%Y-%m-%d}{current}"
    if req.feedback:
        f = req.feedback[-1]
        yield f"- **Feedback:** {f.satisfaction}/5 on {f.at:%Y-%m-%d}" + (
            f": {escape_inline(f.comment)}" if f.comment else "")
    if req.suspect:
        yield f"- **Suspect:** {escape_inline(req.suspect)}"
    open_crs = req.open_change_requests
    if open_crs:
        yield "- **Open change requests:** " + ", ".join(
            f"{cr.key} {escape_inline(cr.summary)} ({cr.status.label})" for cr in open_crs)
    if req.acceptance_criteria:
        yield "- **Acceptance criteria:**"
        for c in req.acceptance_criteria:
            yield f"  - [{'x' if c.done else ' '}] {escape_inline(c.text)}"


def _requirement(req: Requirement) -> list[str]:
    lines = [f"### {req.key} {escape_inline(req.title)}", ""]
    fields = list(_field_lines(req))
    if fields:
        lines += [*fields, ""]
    if req.state is State.REJECTED and req.rejection_reason:
        lines += [f"**Rejected because:** {escape_block(req.rejection_reason)}", ""]
    if req.description.strip():
        lines += [escape_block(req.description), ""]
    return lines


def export_markdown(board: Board, *, title: str = "Requirements") -> bytes:
    """The board as a Markdown document: a summary table, then one section per state, in order."""
    reqs = board.requirements()
    groups = {state: [r for r in reqs if r.state is state] for state in (*BOARD_STATES, State.REJECTED)}
    lines = [f"# {escape_inline(title)}", "",
             f"{len(reqs)} requirement(s), exported {now():%Y-%m-%d %H:%M} UTC.", "",
             "| State | Requirements |", "|---|---:|"]
    lines += [f"| {state.label} | {len(items)} |" for state, items in groups.items()]
    lines.append("")
    for state, items in groups.items():
        if not items and state is State.REJECTED:
            continue
        lines += [f"## {state.label} ({len(items)})", ""]
        if not items:
            lines += ["_None._", ""]
        for req in items:
            lines += _requirement(req)
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
