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

from reqboard.store.errors import NotFound
from reqboard.store.models import Event, Requirement, approval_text
from reqboard.store.text import shown

from ..background import failure_message
from ..link import StoreLink
from ..reads import requirement_with_history
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .lines import history_line, literal


def _row(label: str, value: Any) -> Content:
    return Content.assemble((f"{label:<16}", "bold"), literal(str(value)))


class DetailScreen(BoardReadingScreen):
    """Everything about one requirement, with keys to act on it."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="detail.close"),
        Binding("e", "edit", "Edit", id="detail.edit"),
        Binding("greater_than_sign,shift+right", "move_next", "Move on", id="detail.move-next"),
        Binding("less_than_sign,shift+left", "move_back", "Move back", id="detail.move-back"),
        Binding("c", "new_cr", "Change request", id="detail.new-cr"),
        Binding("v", "review", "Reviewed", id="detail.review"),
        Binding("x", "reject", "Reject", show=False, id="detail.reject"),
        Binding("u", "undo", "Undo", show=False, id="detail.undo"),
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
            yield Static(Content.styled("Change requests", "bold"), classes="section")
            yield OptionList(id="detail-crs")
            yield Static("", id="detail-more")
            yield Static(Content.styled("History", "bold"), classes="section")
            yield Static(Content("loading…"), id="detail-history")
        yield KeyBar()

    def on_mount(self) -> None:  # before BoardReadingScreen.on_mount (Textual runs both) starts the read
        if self.requirement is not None:
            self._show_requirement(self.requirement)

    def reading(self) -> Callable[[Any], tuple[Requirement, list[Event]]]:
        return requirement_with_history(self.key)

    def read_failed(self, exc: Exception) -> None:
        if isinstance(exc, NotFound):
            message = f"{self.key} no longer exists"
        else:
            message = failure_message(exc, f"Reading {self.key}")
        self.notify(message, severity="error", markup=False)

    def show(self, result: tuple[Requirement, list[Event]]) -> None:
        req, history = result
        self.history = history
        if req != self.requirement:  # a given requirement was drawn on mount, before this read
            self._show_requirement(req)
        lines = [history_line(e) for e in reversed(history)]
        self.query_one("#detail-history", Static).update(
            Content("\n").join(lines) if lines else Content("(no history)"))

    def _show_requirement(self, req: Requirement) -> None:
        self.requirement = req
        title = Content.assemble((req.key, "bold"), "  ", literal(req.title), f"   [{req.state.label}]")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#detail-fields", Static).update(self._fields(req))
        crs = self.query_one("#detail-crs", OptionList)
        highlighted = crs.highlighted
        crs.clear_options()
        for cr in req.change_requests:
            line = Content.assemble((f"{cr.key:<7}", "bold"), f"{cr.status.label:<12}", literal(cr.summary))
            crs.add_option(Option(line, id=cr.key))
        if not req.change_requests:
            crs.add_option(Option(Content("(none: press c to file one)"), disabled=True))
        elif highlighted is not None:
            crs.highlighted = min(highlighted, len(req.change_requests) - 1)
        self.query_one("#detail-more", Static).update(self._more(req))

    def _fields(self, req: Requirement) -> Content:
        rows = [_row("State", req.state.label + (f" since {req.state_since:%Y-%m-%d}" if req.state_since else ""))]
        if req.rejection_reason:
            rows.append(_row("Rejected", req.rejection_reason))
        customer = req.customer or "–"
        rows.append(_row("Customer", f"{customer}" + (f"  (tier {req.tier.value})" if req.tier else "")))
        rows.append(_row("Channel", req.channel.label))
        if req.priority is not None:
            rows.append(_row("Priority", f"{req.priority}  (importance {req.importance} × urgency {req.urgency})"))
        for label, value in (("Business value", req.business_value), ("Kano", req.kano and req.kano.label),
                             ("Need type", req.need_type and req.need_type.label), ("Category", req.category),
                             ("Effort", req.effort_estimate), ("Feasibility", req.feasibility and req.feasibility.label),
                             ("Owner", req.owner), ("Due", req.due and req.due.isoformat()),
                             ("Tags", ", ".join(req.tags)), ("Depends on", ", ".join(req.depends_on)),
                             ("Conflicts with", ", ".join(req.conflicts_with))):
            if value not in (None, "", ()):
                rows.append(_row(label, value))
        if req.suspect:
            rows.append(Content.assemble(("SUSPECT         ", "bold reverse"), literal(f" {req.suspect}  (v: reviewed)")))
        if req.overdue():
            rows.append(Content.styled("OVERDUE", "bold"))
        rows.append(_row("Version", f"{req.version}, updated by {req.updated_by} {req.updated_at:%Y-%m-%d %H:%M} UTC"))
        rows.append(_row("Created", f"by {req.created_by} {req.created_at:%Y-%m-%d %H:%M} UTC"))
        rows.append(Content(""))
        rows.append(Content.styled("Description", "bold"))
        rows.append(Content(shown(req.description) if req.description else "(none)"))  # its lines are kept
        if req.acceptance_criteria:
            rows.append(Content(""))
            rows.append(Content.styled("Acceptance criteria", "bold"))
            rows.extend(literal(f"[{'x' if c.done else ' '}] {c.text}") for c in req.acceptance_criteria)
        return Content("\n").join(rows)

    def _more(self, req: Requirement) -> Content:
        rows: list[Content] = []
        if req.approvals:
            rows.append(Content.styled("Approvals", "bold"))
            for a in req.approvals:
                rows.append(literal(f"{a.at:%Y-%m-%d %H:%M}  {a.by}" + (f": {a.comment}" if a.comment else "")))
            latest = req.approvals[-1]
            if not req.approval_current:
                rows.append(Content.styled("Changed since its approval:", "bold"))
                if latest.text:
                    diff = difflib.unified_diff(latest.text.splitlines(), approval_text(req).splitlines(),
                                                "approved", "today", lineterm="", n=1)
                    for line in list(diff)[2:]:
                        style = "bold" if line.startswith(("+", "-")) else "dim"
                        rows.append(Content.styled(shown(line, one_line=True), style))
        if req.feedback:
            rows.append(Content.styled("Feedback", "bold"))
            for f in req.feedback:
                rows.append(literal(f"{f.at:%Y-%m-%d}  {f.satisfaction}/5 via {f.channel.label}, by {f.by}"
                                    + (f": {f.comment}" if f.comment else "")))
        if req.reviews:
            rows.append(Content.styled("Reviews", "bold"))
            for r in req.reviews:
                rows.append(literal(f"{r.at:%Y-%m-%d %H:%M}  {r.by}" + (f": {r.comment}" if r.comment else "")))
        return Content("\n").join(rows) if rows else Content("")

    # ------------------------------------------------------------------ actions
    def _current(self) -> Requirement | None:
        if self.requirement is None:
            self.notify("Still loading…", markup=False)
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
            self.notify("Nothing to undo", severity="warning", markup=False)

    @on(OptionList.OptionSelected, "#detail-crs")
    def _open_cr(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            from .change_request import ChangeRequestScreen

            self.app.push_screen(ChangeRequestScreen(event.option.id, self.link))
