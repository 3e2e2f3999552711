"""The pane of one change request: the request, its assessment, its decision, its timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from reqboard.store import clock
from reqboard.store.change_requests import plan_changes
from reqboard.store.domain import CRStatus
from reqboard.store.history_words import Voice, change_said, criteria_said, value_said
from reqboard.store.i18n import N_, _, listed
from reqboard.store.labels import field_label, stored_note
from reqboard.store.models import ChangeRequest, Event, Requirement
from reqboard.store.text import pad, shown

from ..link import StoreLink
from ..phrases import labelled
from ..reads import change_request_with_timeline
from ..widgets.hanging import HangingRows
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .history_view import history_row, was_now
from .lines import literal

LABEL_CELLS = 14
"""The cells of a row's label: the values start in one column whatever the language."""
PLAN_LABELS = {"title": N_("Title"), "description": N_("Description"), "due": N_("Due date"), "owner": N_("Owner"),
               "importance": N_("Importance"), "urgency": N_("Urgency"), "effort_estimate": N_("Effort (hours)"),
               "state": N_("State")}
"""The fields a change request changes, as its pane labels them (marked for the catalogue)."""
WHOLE = Voice(cells=200)
"""How the pane says a change of the criteria: on rows of their own, with room for each criterion."""


def _label(text: str) -> tuple[str, str]:
    return pad(text, LABEL_CELLS - 1) + " ", "bold"  # a label as wide as the column still ends in a space


class ChangeRequestScreen(BoardReadingScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="cr.close"),
        Binding("a", "assess", N_("Assess"), id="cr.assess"),
        Binding("o", "approve", N_("Approve"), id="cr.approve"),
        Binding("r", "reject", N_("Reject"), id="cr.reject"),
        # Offered only while someone is still to be told; before the later steps, so that the key bar shows
        # it at 80 columns.
        Binding("t", "told", N_("Mark told"), id="cr.told"),
        Binding("i", "implement", N_("Implemented"), id="cr.implement"),
        Binding("d", "close_cr", N_("Close"), id="cr.close-request"),
    ]

    def __init__(self, cr_key: str, link: StoreLink) -> None:
        super().__init__(link)
        self.cr_key = cr_key
        self.requirement: Requirement | None = None
        self.change_request: ChangeRequest | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="cr-title")
        with VerticalScroll(id="cr-body"):
            yield Static(Content(_("loading…")), id="cr-fields")
            yield Static(Content.styled(_("Timeline"), "bold"), classes="section")
            yield HangingRows(Content(_("loading…")), id="cr-history")
        yield KeyBar()

    def reading(self) -> Callable[[Any], tuple[Requirement, ChangeRequest, list[Event]]]:
        return change_request_with_timeline(self.cr_key)

    def show(self, result: tuple[Requirement, ChangeRequest, list[Event]]) -> None:
        req, cr, events = result
        self.requirement, self.change_request = req, cr
        self.query_one("#cr-title", Static).update(
            Content.assemble((cr.key, "bold"), "  ", literal(cr.summary), f"   [{cr.status.label}]"))
        rows = [
            Content.assemble(_label(_("Requirement")), literal(f"{req.key} {req.title}")),
            Content.assemble(_label(_("Status")), cr.status.label),
            Content.assemble(_label(_("Submitted")), literal(_("by {user} {time}").format(
                user=cr.submitted_by, time=clock.shown(cr.submitted_at)))),
        ]
        if cr.reason:
            rows.append(Content.assemble(_label(_("Reason")), Content(shown(cr.reason))))
        if cr.proposed_title is not None:
            rows.append(Content.assemble(_label(_("New title")), literal(cr.proposed_title)))
        pending = cr.status in (CRStatus.SUBMITTED, CRStatus.ASSESSED)
        if cr.proposed_description is not None and cr.status is CRStatus.REJECTED:  # else as "was → now" below
            rows.append(Content.assemble(_label(_("New text")), Content(shown(cr.proposed_description))))
        rows.extend(self._plan(req, cr) if pending else self._plan_proposed(cr))
        rows.extend(self._changed(cr, events))
        rows.append(Content(""))
        rows.append(Content.styled(_("Impact assessment"), "bold"))
        if cr.assessment:
            a = cr.assessment
            rows.append(Content(_("schedule {days} days · cost {cost} · effort {hours} h · risk {risk}").format(
                days=f"{a.schedule_days:g}", cost=f"{a.cost:,.2f}", hours=f"{a.effort_hours:g}", risk=a.risk.label)))
            if a.resources:
                rows.append(literal(_("resources: {resources}").format(resources=a.resources)))
            if a.affects:
                rows.append(literal(_("affects: {keys}").format(keys=", ".join(a.affects))))
            rows.append(literal(_("assessed by {user} {time}").format(user=a.by, time=clock.shown(a.at))))
        else:
            rows.append(Content(_("(not assessed yet: press a)")))
        rows.append(Content(""))
        rows.append(Content.styled(_("Decision"), "bold"))
        if cr.decision:
            d = cr.decision
            decided = _("approved by {user} {time}: {rationale}") if d.approved else _("rejected by {user} {time}: {rationale}")
            rows.append(literal(decided.format(user=d.by, time=clock.shown(d.at), rationale=stored_note(d.rationale))))
        else:
            rows.append(Content(_("(no decision yet)")))
        for said, step in ((_("Implemented by {user} {time}"), cr.implemented), (_("Closed by {user} {time}"), cr.closed)):
            if step:
                rows.append(literal(said.format(user=step.by, time=clock.shown(step.at))))
        rows.extend(self._notified(cr))
        self.query_one("#cr-fields", Static).update(Content("\n").join(rows))
        self.refresh_bindings()  # "mark told" is offered while someone is still to be told
        self.query_one("#cr-history", HangingRows).show([history_row(e) for e in events if e.cr == cr.key],
                                                        Content(_("(none)")))

    @staticmethod
    def _plan_proposed(cr: ChangeRequest) -> list[Content]:
        """The plan as the change request proposed it when it was filed."""
        rows = []
        for label, value in ((_("New due date"), cr.proposed_due and cr.proposed_due.isoformat()),
                             (_("New owner"), cr.proposed_owner), (_("New importance"), cr.proposed_importance),
                             (_("New urgency"), cr.proposed_urgency)):
            if value is not None:
                rows.append(Content.assemble(_label(label), literal(str(value))))
        return rows

    @classmethod
    def _plan(cls, req: Requirement, cr: ChangeRequest) -> list[Content]:
        """What the change does to the plan: proposed as filed, and (until it is decided) what approving
        it would change in the requirement now, each field "was → now" (the text too, the criteria one by
        one)."""
        rows = cls._plan_proposed(cr)
        changes = {name: value for name, value in plan_changes(req, cr).items() if getattr(req, name) != value}
        if changes:
            rows.append(Content(""))
            rows.append(Content.styled(_("If approved, the plan changes"), "bold"))
            for name, value in changes.items():
                old = getattr(req, name)
                if name == "acceptance_criteria":
                    said = change_said(name, [c.model_dump(mode="json") for c in old],
                                       [c.model_dump(mode="json") for c in value], WHOLE)
                    rows.append(Content.assemble(_label(_("Criteria")), literal(said)))
                elif name in ("title", "description"):
                    rows.extend(was_now(_(PLAN_LABELS[name]), old, value, LABEL_CELLS))
                else:
                    rows.append(Content.assemble(_label(_(PLAN_LABELS[name])), literal(_("{was} → {now}").format(
                        was=_plan_value(old), now=_plan_value(value)))))
        return rows

    @staticmethod
    def _changed(cr: ChangeRequest, events: list[Event]) -> list[Content]:
        """What approving it changed in the requirement, field by field "was → now" (its history says)."""
        reason = f"{cr.key} approved"
        changed = [e for e in events if e.action in ("changed", "moved") and e.field and e.reason == reason]
        if not changed:
            return []
        rows = [Content(""), Content.styled(_("What its approval changed"), "bold")]
        for event in changed:
            name, old, new = event.field or "", event.old, event.new
            label = _(PLAN_LABELS[name]) if name in PLAN_LABELS else field_label(name).capitalize()
            if name in ("title", "description") and isinstance(old, str) and isinstance(new, str):
                rows.extend(was_now(label, old, new, LABEL_CELLS))
            elif name == "acceptance_criteria":
                rows.append(Content.assemble(_label(_("Criteria")), literal(criteria_said(old, new, WHOLE))))
            else:
                rows.append(Content.assemble(_label(label), literal(_("{was} → {now}").format(
                    was=value_said(name, old), now=value_said(name, new)))))
        return rows

    @staticmethod
    def _notified(cr: ChangeRequest) -> list[Content]:
        """Who must be told of the change (the assessment says), who was (by whom, when) and who is still to be."""
        names = cr.assessment.notify if cr.assessment else ()
        if not names:
            return []
        rows = [Content(""), Content.styled(_("Who must be told"), "bold")]
        for notice in cr.notified:
            rows.append(literal(_("{name}: told by {user} {time}").format(
                name=notice.name, user=notice.by, time=clock.shown(notice.at))))
        to_tell = cr.to_notify
        if to_tell:
            hint = _("(t marks one told)")
            rows.append(Content.assemble((labelled(_("Still to tell:")), "bold"), literal(listed(to_tell)),
                                         (("" if hint.startswith("（") else "  ") + hint, "dim")))  # （ holds its space
        else:
            rows.append(Content(_("Everyone was told.")))
        return rows

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "told":
            return self.change_request is not None and bool(self.change_request.to_notify)
        return True

    def action_told(self) -> None:
        if shown_now := self._shown():
            self.actions.mark_told(*shown_now)

    def action_close(self) -> None:
        self.dismiss()


def _plan_value(value: object) -> str:
    """A plan field's value in a "was → then" line: a date as ISO, an effort without needless decimals."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return value.isoformat() if isinstance(value, date) else str(value)
