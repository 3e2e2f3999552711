"""The detail pane of one requirement: every field, approvals, feedback, links, change requests, history."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reqboard.store import clock
from reqboard.store.domain import CRITERIA_HEADING
from reqboard.store.errors import NotFound
from reqboard.store.i18n import N_, _, listed, pgettext
from reqboard.store.models import Event, Requirement, approval_text
from reqboard.store.text import pad, shown

from ..background import failure_message
from ..link import StoreLink
from ..reads import requirement_with_history
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .lines import history_line, literal, stored_note

LABEL_CELLS = 16
"""The cells of a row's label: the values start in one column whatever the language."""


def _row(label: str, value: Any) -> Content:
    return Content.assemble((pad(label, LABEL_CELLS), "bold"), literal(str(value)))


BUSINESS_VALUE, KANO, NEED_TYPE, CATEGORY = N_("Business value"), N_("Kano"), N_("Need type"), N_("Category")
EFFORT, FEASIBILITY, OWNER, DUE = N_("Effort"), N_("Feasibility"), N_("Owner"), N_("Due")
TAGS, DEPENDS_ON, CONFLICTS_WITH = N_("Tags"), N_("Depends on"), N_("Conflicts with")


def _signed(when: str, who: str, comment: str) -> str:
    """An approval or review as the pane lists it: when, who, and what they said."""
    line = f"{when}  {who}"
    return line + _(": {comment}").format(comment=comment) if comment else line


class DetailScreen(BoardReadingScreen):
    """Everything about one requirement, with keys to act on it."""

    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="detail.close"),
        Binding("e", "edit", N_("Edit"), id="detail.edit"),
        Binding("greater_than_sign,shift+right", "move_next", N_("Move on"), id="detail.move-next"),
        Binding("less_than_sign,shift+left", "move_back", N_("Move back"), id="detail.move-back"),
        Binding("c", "new_cr", N_("Change request"), id="detail.new-cr"),
        Binding("v", "review", N_("Reviewed"), id="detail.review"),
        Binding("x", "reject", N_("Reject"), show=False, id="detail.reject"),
        Binding("u", "undo", N_("Undo"), show=False, id="detail.undo"),
    ]

    def __init__(self, key: str, link: StoreLink, requirement: Requirement | None = None) -> None:
        """`requirement`, when the opener has it, is shown at once; the worker's fresh read follows."""
        super().__init__(link)
        self.key = key
        self.requirement: Requirement | None = requirement
        """The version the pane shows (drawn on mount when given; a re-read redraws only if it differs)."""
        self.history: list[Event] | None = None
        """The history shown, once the pane's read has brought it."""

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static("", id="detail-fields")
            yield Static(Content.styled(_("Change requests"), "bold"), classes="section")
            yield OptionList(id="detail-crs")
            yield Static("", id="detail-more")
            yield Static(Content.styled(_("History"), "bold"), classes="section")
            yield Static(Content(_("loading…")), id="detail-history")
        yield KeyBar()

    def on_mount(self) -> None:  # before BoardReadingScreen.on_mount (Textual runs both) starts the read
        if self.requirement is not None:
            self._show_requirement(self.requirement)

    def reading(self) -> Callable[[Any], tuple[Requirement, list[Event]]]:
        return requirement_with_history(self.key)

    def read_failed(self, exc: Exception) -> None:
        if isinstance(exc, NotFound):
            message = _("{key} no longer exists").format(key=self.key)
        else:
            message = failure_message(exc, _("Reading {key}").format(key=self.key))
        self.notify(message, severity="error", markup=False)

    def show(self, result: tuple[Requirement, list[Event]]) -> None:
        req, history = result
        self.history = history
        if req != self.requirement:  # a given requirement was drawn on mount, before this read
            self._show_requirement(req)
        lines = [history_line(e) for e in reversed(history)]
        self.query_one("#detail-history", Static).update(
            Content("\n").join(lines) if lines else Content(_("(no history)")))

    def _show_requirement(self, req: Requirement) -> None:
        self.requirement = req
        title = Content.assemble((req.key, "bold"), "  ", literal(req.title), f"   [{req.state.label}]")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-fields", Static).update(self._fields(req))
        crs = self.query_one("#detail-crs", OptionList)
        highlighted = crs.highlighted
        crs.clear_options()
        for cr in req.change_requests:
            line = Content.assemble((pad(cr.key, 7), "bold"), pad(cr.status.label, 12), literal(cr.summary))
            crs.add_option(Option(line, id=cr.key))
        if not req.change_requests:
            crs.add_option(Option(Content(_("(none: press c to file one)")), disabled=True))
        elif highlighted is not None:
            crs.highlighted = min(highlighted, len(req.change_requests) - 1)
        self.query_one("#detail-more", Static).update(self._more(req))

    def _fields(self, req: Requirement) -> Content:
        state = req.state.label
        if req.state_since:
            state = _("{state} since {day}").format(state=state, day=clock.local_day(req.state_since).isoformat())
        rows = [_row(_("State"), state)]
        if req.rejection_reason:
            rows.append(_row(pgettext("the reason a requirement was rejected", "Rejected"),
                             stored_note(req.rejection_reason)))
        customer = req.customer or "–"
        if req.tier:
            customer = _("{customer}  (tier {tier})").format(customer=customer, tier=req.tier.value)
        rows.append(_row(_("Customer"), customer))
        rows.append(_row(_("Channel"), req.channel.label))
        if req.priority is not None:
            rows.append(_row(_("Priority"), _("{priority}  (importance {importance} × urgency {urgency})").format(
                priority=req.priority, importance=req.importance, urgency=req.urgency)))
        for label, value in ((BUSINESS_VALUE, req.business_value), (KANO, req.kano and req.kano.label),
                             (NEED_TYPE, req.need_type and req.need_type.label), (CATEGORY, req.category),
                             (EFFORT, req.effort_estimate), (FEASIBILITY, req.feasibility and req.feasibility.label),
                             (OWNER, req.owner), (DUE, req.due and req.due.isoformat()),
                             (TAGS, listed(req.tags)), (DEPENDS_ON, listed(req.depends_on)),
                             (CONFLICTS_WITH, listed(req.conflicts_with))):
            if value not in (None, "", ()):
                rows.append(_row(_(label), value))
        if req.suspect:
            rows.append(Content.assemble((pad(_("SUSPECT"), LABEL_CELLS), "bold reverse"),
                                         literal(" " + _("{note}  (v: reviewed)").format(note=stored_note(req.suspect)))))
        if req.overdue():
            rows.append(Content.styled(_("OVERDUE"), "bold"))
        rows.append(_row(_("Version"), _("{version}, updated by {user} {time}").format(
            version=req.version, user=req.updated_by, time=clock.shown(req.updated_at, zone_abbreviation=True))))
        rows.append(_row(_("Created"), _("by {user} {time}").format(
            user=req.created_by, time=clock.shown(req.created_at, zone_abbreviation=True))))
        rows.append(Content(""))
        rows.append(Content.styled(_("Description"), "bold"))
        rows.append(Content(shown(req.description) if req.description else _("(none)")))  # its lines are kept
        if req.acceptance_criteria:
            rows.append(Content(""))
            rows.append(Content.styled(_("Acceptance criteria"), "bold"))
            rows.extend(literal(f"[{'x' if c.done else ' '}] {c.text}") for c in req.acceptance_criteria)
        return Content("\n").join(rows)

    def _more(self, req: Requirement) -> Content:
        rows: list[Content] = []
        if req.approvals:
            rows.append(Content.styled(_("Approvals"), "bold"))
            for a in req.approvals:
                rows.append(literal(_signed(clock.shown(a.at), a.by, a.comment)))
            latest = req.approvals[-1]
            if not req.approval_current:
                rows.append(Content.styled(_("Changed since its approval:"), "bold"))
                if latest.text:
                    diff = difflib.unified_diff(latest.text.splitlines(), approval_text(req).splitlines(),
                                                "approved", "today", lineterm="", n=1)
                    for line in list(diff)[2:]:
                        style = "bold" if line.startswith(("+", "-")) else "dim"
                        if line[1:] == CRITERIA_HEADING:  # stored in English, as the approval's record
                            line = line[:1] + _(CRITERIA_HEADING)
                        rows.append(Content.styled(shown(line, one_line=True), style))
        if req.feedback:
            rows.append(Content.styled(_("Feedback"), "bold"))
            for f in req.feedback:
                told = _("{day}  {satisfaction}/5 via {channel}, by {user}").format(
                    day=clock.local_day(f.at).isoformat(), satisfaction=f.satisfaction, channel=f.channel.label,
                    user=f.by)
                rows.append(literal(told + (_(": {comment}").format(comment=f.comment) if f.comment else "")))
        if req.reviews:
            rows.append(Content.styled(_("Reviews"), "bold"))
            for r in req.reviews:
                rows.append(literal(_signed(clock.shown(r.at), r.by, r.comment)))
        return Content("\n").join(rows) if rows else Content("")

    # ------------------------------------------------------------------ actions
    def _current(self) -> Requirement | None:
        if self.requirement is None:
            self.notify(_("Still loading…"), markup=False)
        return self.requirement

    def action_close(self) -> None:
        self.dismiss()

    def action_edit(self) -> None:
        if req := self._current():
            self.actions.edit(req)

    def action_move_next(self) -> None:
        if req := self._current():
            self.actions.move_next(req)

    def action_move_back(self) -> None:
        if req := self._current():
            self.actions.move_back(req)

    def action_new_cr(self) -> None:
        if req := self._current():
            self.actions.new_change_request(req)

    def action_review(self) -> None:
        if req := self._current():
            self.actions.review(req)

    def action_reject(self) -> None:
        if req := self._current():
            self.actions.reject(req)

    def action_undo(self) -> None:
        if not self.link.undo(self):
            self.notify(_("Nothing to undo"), severity="warning", markup=False)

    @on(OptionList.OptionSelected, "#detail-crs")
    def _open_cr(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            from .change_request import ChangeRequestScreen

            self.app.push_screen(ChangeRequestScreen(event.option.id, self.link))
