"""The pane of one change request: the request, its assessment, its decision, its timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from reqboard.store.models import ChangeRequest, Event, Requirement
from reqboard.store.text import shown

from ..link import StoreLink
from ..reads import change_request_with_timeline
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .lines import history_line, literal


class ChangeRequestScreen(BoardReadingScreen):
    BINDINGS = [
        Binding("escape", "close", "Back", id="cr.close"),
        Binding("a", "assess", "Assess", id="cr.assess"),
        Binding("o", "approve", "Approve", id="cr.approve"),
        Binding("r", "reject", "Reject", id="cr.reject"),
        Binding("i", "implement", "Implemented", id="cr.implement"),
        Binding("d", "close_cr", "Close", id="cr.close-request"),
    ]

    def __init__(self, cr_key: str, link: StoreLink) -> None:
        super().__init__(link)
        self.cr_key = cr_key
        self.requirement: Requirement | None = None
        self.change_request: ChangeRequest | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="cr-title")
        with VerticalScroll(id="cr-body"):
            yield Static(Content("loading…"), id="cr-fields")
            yield Static(Content.styled("Timeline", "bold"), classes="section")
            yield Static("", id="cr-history")
        yield KeyBar()

    def reading(self) -> Callable[[Any], tuple[Requirement, ChangeRequest, list[Event]]]:
        return change_request_with_timeline(self.cr_key)

    def show(self, result: tuple[Requirement, ChangeRequest, list[Event]]) -> None:
        req, cr, events = result
        self.requirement, self.change_request = req, cr
        self.query_one("#cr-title", Static).update(
            Content.assemble((cr.key, "bold"), "  ", literal(cr.summary), f"   [{cr.status.label}]"))
        rows = [
            Content.assemble(("Requirement   ", "bold"), literal(f"{req.key} {req.title}")),
            Content.assemble(("Status        ", "bold"), cr.status.label),
            Content.assemble(("Submitted     ", "bold"), literal(f"by {cr.submitted_by} {cr.submitted_at:%Y-%m-%d %H:%M}")),
        ]
        if cr.reason:
            rows.append(Content.assemble(("Reason        ", "bold"), Content(shown(cr.reason))))
        if cr.proposed_title is not None:
            rows.append(Content.assemble(("New title     ", "bold"), literal(cr.proposed_title)))
        if cr.proposed_description is not None:
            rows.append(Content.assemble(("New text      ", "bold"), Content(shown(cr.proposed_description))))
        rows.append(Content(""))
        rows.append(Content.styled("Impact assessment", "bold"))
        if cr.assessment:
            a = cr.assessment
            rows.append(Content(f"schedule {a.schedule_days:g} days · cost {a.cost:,.2f} · effort {a.effort_hours:g} h · "
                                f"risk {a.risk.value}"))
            if a.resources:
                rows.append(literal(f"resources: {a.resources}"))
            if a.affects:
                rows.append(literal(f"affects: {', '.join(a.affects)}"))
            rows.append(literal(f"assessed by {a.by} {a.at:%Y-%m-%d %H:%M}"))
        else:
            rows.append(Content("(not assessed yet: press a)"))
        rows.append(Content(""))
        rows.append(Content.styled("Decision", "bold"))
        if cr.decision:
            d = cr.decision
            verdict = "approved" if d.approved else "rejected"
            rows.append(literal(f"{verdict} by {d.by} {d.at:%Y-%m-%d %H:%M}: {d.rationale}"))
        else:
            rows.append(Content("(no decision yet)"))
        for label, step in (("Implemented", cr.implemented), ("Closed", cr.closed)):
            if step:
                rows.append(literal(f"{label} by {step.by} {step.at:%Y-%m-%d %H:%M}"))
        self.query_one("#cr-fields", Static).update(Content("\n").join(rows))
        lines = [history_line(e) for e in events]
        self.query_one("#cr-history", Static).update(Content("\n").join(lines) if lines else Content("(none)"))

    # ------------------------------------------------------------------ steps
    def _shown(self) -> tuple[Requirement, ChangeRequest] | None:
        """The requirement and change request as the pane shows them (None until read): a step is
        decided on them, and refused if someone changed the requirement since."""
        if self.change_request is None or self.requirement is None:
            return None
        return self.requirement, self.change_request

    def action_assess(self) -> None:
        if shown_now := self._shown():
            self.actions.assess_change_request(*shown_now)

    def action_approve(self) -> None:
        if shown_now := self._shown():
            self.actions.decide_change_request(*shown_now, approve=True)

    def action_reject(self) -> None:
        if shown_now := self._shown():
            self.actions.decide_change_request(*shown_now, approve=False)

    def action_implement(self) -> None:
        if shown_now := self._shown():
            self.actions.implement_change_request(*shown_now)

    def action_close_cr(self) -> None:
        if shown_now := self._shown():
            self.actions.close_change_request(*shown_now)

    def action_close(self) -> None:
        self.dismiss()
