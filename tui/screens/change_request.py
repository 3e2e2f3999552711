"""The pane of one change request: the request, its assessment, its decision, its timeline."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue
from reqboard.store.models import ChangeRequest, Event, Requirement, Risk
from reqboard.store.text import shown

from ..actions import UndoEntry
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .detail import describe_event, literal
from .form import FieldSpec, FormScreen


class ChangeRequestScreen(BoardReadingScreen):
    BINDINGS = [
        Binding("escape", "close", "Back", id="cr.close"),
        Binding("a", "assess", "Assess", id="cr.assess"),
        Binding("o", "approve", "Approve", id="cr.approve"),
        Binding("r", "reject", "Reject", id="cr.reject"),
        Binding("i", "implement", "Implemented", id="cr.implement"),
        Binding("d", "close_cr", "Close", id="cr.close-request"),
    ]

    def __init__(self, cr_key: str) -> None:
        super().__init__()
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

    def read(self, board: Board) -> tuple[Requirement, ChangeRequest, list[Event]]:
        req, cr = board.find_change_request(self.cr_key)
        return req, cr, [e for e in board.history(req.key) if e.cr == cr.key]

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
        lines = [Content.assemble((f"{e.at:%Y-%m-%d %H:%M}  ", "dim"), (f"{shown(e.by, one_line=True):<12} ", "bold"),
                                  Content(describe_event(e))) for e in events]
        self.query_one("#cr-history", Static).update(Content("\n").join(lines) if lines else Content("(none)"))

    # ------------------------------------------------------------------ steps
    def _step(self, title: str, fields: list[FieldSpec], run: Any, what: str, submit: str, intro: str = "") -> None:
        if self.change_request is None or self.requirement is None:
            return
        before = self.requirement
        cr_key = self.change_request.key

        def save(values: dict[str, Any]) -> Requirement:
            def act(board: Any) -> Requirement:
                # Decided on what this pane showed: refused if someone changed the requirement since.
                run(board, cr_key, values, before.version)
                return board.get(before.key)

            return self.rq_app.store_call(act)

        def done(result: Any) -> None:
            if isinstance(result, Requirement):
                self.rq_app.saved(UndoEntry(before, result, what))

        self.app.push_screen(FormScreen(title, fields, save=save, submit_label=submit, intro=intro), done)

    def action_assess(self) -> None:
        a = self.change_request.assessment if self.change_request else None
        fields = [
            FieldSpec("schedule_days", "Schedule impact (days)", value=f"{a.schedule_days:g}" if a else "", required=True),
            FieldSpec("cost", "Cost", value=f"{a.cost:g}" if a else "", required=True),
            FieldSpec("effort_hours", "Effort (hours)", value=f"{a.effort_hours:g}" if a else "", required=True),
            FieldSpec("risk", "Risk", "select", value=a.risk.value if a else Risk.MEDIUM.value,
                      options=[(r.label, r.value) for r in Risk], required=True),
            FieldSpec("resources", "Resources", value=a.resources if a else ""),
            FieldSpec("affects", "Other requirements affected", value=", ".join(a.affects) if a else "",
                      placeholder="REQ-3, REQ-9"),
        ]

        def run(board: Any, key: str, v: dict[str, Any], version: int) -> None:
            numbers: dict[str, float] = {}
            for name in ("schedule_days", "cost", "effort_hours"):
                try:
                    numbers[name] = float(v[name])
                except ValueError:
                    message = f"{v[name]!r} is not a number"
                    raise InvalidValue(message, {name: message}) from None  # shown under the field
            affects = [k.strip() for k in v["affects"].replace(";", ",").split(",") if k.strip()]
            board.assess_change_request(key, risk=v["risk"], resources=v["resources"], affects=affects,
                                        expect_version=version, **numbers)

        self._step(f"Assess {self.cr_key}", fields, run, f"{self.cr_key} assessed", "Assess")

    def _decide(self, approve: bool) -> None:
        verb = "Approve" if approve else "Reject"
        intro = ("Approving applies the proposed text to the requirement, reopens it if it was done, and flags "
                 "the requirements that depend on it as suspect.") if approve else ""
        fields = [FieldSpec("rationale", "Rationale", required=True)]
        self._step(f"{verb} {self.cr_key}", fields,
                   lambda board, key, v, version: board.decide_change_request(
                       key, approve=approve, rationale=v["rationale"], expect_version=version),
                   f"{self.cr_key} {'approved' if approve else 'rejected'}", verb, intro)

    def action_approve(self) -> None:
        self._decide(True)

    def action_reject(self) -> None:
        self._decide(False)

    def action_implement(self) -> None:
        self._step(f"{self.cr_key} implemented", [],
                   lambda board, key, v, version: board.implement_change_request(key, expect_version=version),
                   f"{self.cr_key} implemented", "Implemented")

    def action_close_cr(self) -> None:
        self._step(f"Close {self.cr_key}", [],
                   lambda board, key, v, version: board.close_change_request(key, expect_version=version),
                   f"{self.cr_key} closed", "Close")

    def action_close(self) -> None:
        self.dismiss()
