"""The detail pane of one requirement: every field, its response targets, the notes of each contact with
the customer, approvals, feedback, links, change requests, history."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reqboard.store import clock, workflow
from reqboard.store.domain import CRITERIA_HEADING, State
from reqboard.store.errors import NotFound
from reqboard.store.i18n import N_, _, listed, ngettext, pgettext
from reqboard.store.links import LinkIndex
from reqboard.store.models import Approval, Event, Feedback, Note, Requirement
from reqboard.store.review import missing_shown
from reqboard.store.scoring import FACTOR_LABELS, explain, score
from reqboard.store.surveys import code_label
from reqboard.store.targets import Outcome, Target, TargetCheck, checks
from reqboard.store.text import pad, shown

from ..background import failure_message
from ..link import StoreLink
from ..phrases import labelled
from ..reads import RequirementDetail, requirement_with_history
from ..widgets.board_view import BoardView
from ..widgets.hanging import HangingRows
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .history_view import history_row, was_now
from .lines import literal, stored_note

LABEL_CELLS = 16
"""The cells of a row's label: the values start in one column whatever the language."""


def _row(label: str, value: Any) -> Content:
    return Content.assemble((pad(label, LABEL_CELLS), "bold"), literal(str(value)))


BUSINESS_VALUE, KANO, NEED_TYPE, CATEGORY = N_("Business value"), N_("Kano"), N_("Need type"), N_("Category")
EFFORT, FEASIBILITY, OWNER, DUE = N_("Effort"), N_("Feasibility"), N_("Owner"), N_("Due")
TAGS, DEPENDS_ON, CONFLICTS_WITH = N_("Tags"), N_("Depends on"), N_("Conflicts with")
NEEDED_BY, BLOCKED_BY = N_("Needed by"), N_("Blocked by")
SECTION = N_("Section")
NOTE_INDENT = "  "
"""What a note's text and a reading's scores are indented by, under their line."""


def _signed(when: str, who: str, comment: str) -> str:
    """An approval or review as the pane lists it: when, who, and what they said."""
    line = f"{when}  {who}"
    return line + _(": {comment}").format(comment=comment) if comment else line


def _signer(approval: Approval) -> str:
    """Who signed an approval, in which role, and who recorded it for them."""
    who = approval.signer
    if approval.on_behalf_of:
        who = _("{signer} (recorded by {user})").format(signer=who, user=approval.by)
    if approval.role:
        who = _("{signer} as {role}").format(signer=who, role=approval.role)
    return who


def days_ago(moment: datetime, today: date) -> str:
    """How long ago `moment` was, in local calendar days: today, yesterday, 3 days ago."""
    days = (today - clock.local_day(moment)).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    return ngettext("{n} day ago", "{n} days ago", days).format(n=days)


def note_lines(note: Note) -> list[Content]:
    """One contact as the pane lists it: when, through what, with whom, who noted it; then what was said,
    every line of it, literally."""
    when, channel, user = clock.shown(note.at), note.channel.label, note.by
    if note.with_:
        head = _("{when}  {channel} with {who}, noted by {user}").format(when=when, channel=channel,
                                                                        who=note.with_, user=user)
    else:
        head = _("{when}  {channel}, noted by {user}").format(when=when, channel=channel, user=user)
    lines = [Content.assemble((shown(head, one_line=True), "bold"))]
    lines.extend(Content(NOTE_INDENT + line) for line in shown(note.text).strip("\n").splitlines())
    return lines


def feedback_lines(f: Feedback) -> list[Content]:
    """One satisfaction reading: when, the score, through what, by whom, whether interim, the comment;
    then the survey's dimension scores and the reasons given, when there are."""
    fields = {"day": clock.local_day(f.at).isoformat(), "satisfaction": f.satisfaction, "channel": f.channel.label,
              "user": f.by}
    told = (_("{day}  {satisfaction}/5 via {channel}, by {user} (interim)") if f.interim
            else _("{day}  {satisfaction}/5 via {channel}, by {user}")).format(**fields)
    lines = [literal(told + (_(": {comment}").format(comment=f.comment) if f.comment else ""))]
    if f.scores:
        lines.append(literal(NOTE_INDENT + _("scores: {scores}").format(scores=listed(
            _("{dimension} {score}").format(dimension=code_label(name), score=value) for name, value in f.scores.items()))))
    if f.reasons:
        lines.append(literal(NOTE_INDENT + _("reasons: {reasons}").format(
            reasons=listed(code_label(reason) for reason in f.reasons))))
    return lines


def target_check_line(check: TargetCheck) -> Content:
    """How a requirement stands against one response target: met or missed (and when reached), open
    or breached (and by when), or not counted."""
    target = check.target
    days = ngettext("{days} day", "{days} days", int(target.days) if target.days.is_integer() else 2).format(
        days=f"{target.days:g}")
    fields = {"state": target.state.label.lower(), "days": days, "deadline": clock.shown(check.deadline),
              "reached": clock.shown(check.reached) if check.reached else ""}
    if check.outcome is Outcome.MET:
        return Content(_("{state} within {days}: met, reached {reached}").format(**fields))
    if check.outcome is Outcome.MISSED:
        return Content(_("{state} within {days}: missed, reached {reached} (deadline {deadline})").format(**fields))
    if check.outcome is Outcome.BREACHED:
        return Content.styled(_("{state} within {days}: BREACHED, deadline {deadline}").format(**fields), "bold")
    if check.outcome is Outcome.OPEN:
        return Content(_("{state} within {days}: open, deadline {deadline}").format(**fields))
    return Content(_("{state} within {days}: not counted (rejected before)").format(**fields))


def requirement_checks(req: Requirement, targets: tuple[Target, ...], now: datetime) -> tuple[TargetCheck, ...]:
    """How `req` stands against the board's response targets at `now` (store.targets)."""
    if not targets:
        return ()
    started = req.entered_at.get(State.COLLECTED) or req.created_at
    return checks(targets, channel=req.channel, tier=req.tier, state=req.state, started=started,
                  entered_at=req.entered_at, now=now)


def approved_parts(text: str) -> tuple[str, str, list[str]] | None:
    """The title, description and acceptance criteria of an approval's text (`domain.approved_text`:
    the title, a blank line, the description, then the criteria under their heading, stored in
    English); None when the approval kept no text (one made by an older reqboard)."""
    if not text:
        return None
    title, _blank, rest = text.partition("\n\n")
    marker = f"\n\n{CRITERIA_HEADING}\n- "
    at = rest.rfind(marker)
    if at < 0:
        return title, rest, []
    return title, rest[:at], rest[at + len(marker):].split("\n- ")


def text_changes(before: tuple[str, str, list[str]], req: Requirement) -> list[tuple[str, str | None, str | None]]:
    """What changed in a requirement's text since `before` (`approved_parts`), field by field:
    (label, was, now); None for a criterion that was not there then, or is not now."""
    title, description, criteria = before
    changes: list[tuple[str, str | None, str | None]] = []
    if title != req.title:
        changes.append((_("Title"), title, req.title))
    if description != req.description:
        changes.append((_("Description"), description, req.description))
    now = [c.text for c in req.acceptance_criteria]
    matcher = difflib.SequenceMatcher(a=criteria, b=now, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        for n in range(max(a1 - a0, b1 - b0)):
            was = criteria[a0 + n] if a0 + n < a1 else None
            new = now[b0 + n] if b0 + n < b1 else None
            number = b0 + n + 1 if new is not None else a0 + n + 1
            changes.append((_("Criterion {n}").format(n=number), was, new))
    return changes


class DetailScreen(BoardReadingScreen):
    """Everything about one requirement, with keys to act on it."""

    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="detail.close"),
        Binding("e", "edit", N_("Edit"), id="detail.edit"),
        Binding("greater_than_sign,shift+right", "move_next", N_("Move on"), id="detail.move-next"),
        Binding("less_than_sign,shift+left", "move_back", N_("Move back"), id="detail.move-back"),
        # Offered (and on the key bar) only when it applies: a conflict to settle, a changed text to sign again;
        # in that order, which is the order they can be done in (a sign-off waits for the decision), and the
        # first is on the key bar at 80 columns.
        Binding("r", "resolve", N_("Resolve conflict"), id="detail.resolve"),
        Binding("a", "reapprove", N_("Re-approve"), id="detail.reapprove"),
        Binding("c", "new_cr", N_("Change request"), id="detail.new-cr"),
        Binding("v", "review", N_("Reviewed"), id="detail.review"),
        Binding("N", "note", N_("Note a contact"), id="detail.note"),
        Binding("f", "interim_feedback", N_("Interim feedback"), id="detail.interim-feedback"),
        # Said beside the change requests, where it applies (the key bar has no room for it at 80 columns).
        Binding("enter", "open_cr", N_("Open change request"), show=False, id="detail.open-cr"),
        Binding("x", "reject", N_("Reject"), show=False, id="detail.reject"),
        Binding("u", "undo", N_("Undo"), show=False, id="detail.undo"),
    ]

    def __init__(self, key: str, link: StoreLink, requirement: Requirement | None = None,
                 view: BoardView | None = None) -> None:
        """`requirement`, when the opener has it, is shown at once (with `view`, the board as the
        opener last read it: links, sign-off roles, score weights); the worker's fresh read follows."""
        super().__init__(link)
        self.key = key
        self.requirement: Requirement | None = requirement
        """The version the pane shows (drawn on mount when given; a re-read redraws only if it differs)."""
        self.view = view if view is not None else BoardView()
        """The board around it as last read: what a move asks for, the links and sign-offs shown."""
        self.history: list[Event] | None = None
        """The history shown, once the pane's read has brought it."""

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-title")
        with VerticalScroll(id="detail-body"):
            yield Static("", id="detail-fields")
            yield Static(Content.styled(_("Change requests"), "bold"), classes="section", id="detail-crs-heading")
            yield OptionList(id="detail-crs")
            yield Static("", id="detail-more")
            yield Static(Content.styled(_("History"), "bold"), classes="section")
            yield HangingRows(Content(_("loading…")), id="detail-history")
        yield KeyBar()

    def on_mount(self) -> None:  # before BoardReadingScreen.on_mount (Textual runs both) starts the read
        if self.requirement is not None:
            self._show_requirement(self.requirement)

    def reading(self) -> Callable[[Any], RequirementDetail]:
        return requirement_with_history(self.key)

    def read_failed(self, exc: Exception) -> None:
        if isinstance(exc, NotFound):
            message = _("{key} no longer exists").format(key=self.key)
        else:
            message = failure_message(exc, _("Reading {key}").format(key=self.key))
        self.notify(message, severity="error", markup=False)

    def show(self, result: RequirementDetail) -> None:
        req, history = result.requirement, result.history
        self.history = history
        before = self._around(self.view)
        self.view = result.view
        # A given requirement was drawn on mount, before this read (with the opener's view of the board).
        if req != self.requirement or self._around(self.view) != before:
            self._show_requirement(req)
        self.query_one("#detail-history", HangingRows).show([history_row(e) for e in reversed(history)],
                                                            Content(_("(no history)")))

    def _around(self, view: BoardView) -> tuple[Any, ...]:
        """What the pane shows of the board around the requirement: a change redraws it."""
        links, key = view.links, self.key
        around = (*links.depends_on(key), *links.needed_by(key), *links.conflicts_of(key))
        return (view.roles, view.weights, view.targets, links.needed_by(key), links.conflicts_of(key),
                tuple(links.state(other) for other in around), links.resolved.get(key),
                tuple(links.resolved.get(other) for other in links.conflicts_of(key)))

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
        else:
            crs.highlighted = min(highlighted or 0, len(req.change_requests) - 1)
        self.query_one("#detail-crs-heading", Static).update(self._crs_heading(len(req.change_requests)))
        self.query_one("#detail-more", Static).update(self._more(req))
        self.refresh_bindings()  # re-approve and resolve are offered only when they apply

    def _crs_heading(self, count: int) -> Content:
        """The change requests' heading, with the key that opens one where there is one to open."""
        heading = (_("Change requests"), "bold")
        key = next((self.app.get_key_display(binding) for node, bindings in self._binding_chain if node is self
                    for _key, binding in bindings if binding.action == "open_cr"), None)  # as remapped, whatever has focus
        if not count or key is None:
            return Content.assemble(heading)
        hint = (_("({key} opens it)") if count == 1 else _("({key} goes to the list, ↑↓ picks one, {key} opens it)")
                ).format(key=key)
        return Content.assemble(heading, (("" if hint.startswith("（") else "  ") + hint, "dim"))  # （ holds its space

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
        if req.cause:
            rows.append(_row(_("Complaint cause"), code_label(req.cause)))
        now = self.now()
        contact = req.last_contact
        rows.append(_row(_("Last contact"), _("{ago}  ({day})").format(
            ago=days_ago(contact, clock.local_day(now)), day=clock.local_day(contact).isoformat())
            if contact else _("none noted yet (N notes one)")))
        weights = self.view.weights
        if req.priority is not None:
            rows.append(_row(_("Priority"), _("{priority}  (importance {importance} × urgency {urgency})").format(
                priority=req.priority, importance=req.importance, urgency=req.urgency)))
        if not weights.is_default and (scored := score(req, weights)) is not None:
            factors = []
            for name, on_scale, weight in explain(req, weights):
                factor, number = _(FACTOR_LABELS[name]), f"{on_scale:g}"
                factors.append(_("{factor} {value}").format(factor=factor, value=number) if weight == 1 else
                               _("{factor} {value}^{weight}").format(factor=factor, value=number,
                                                                     weight=f"{weight:g}"))
            rows.append(_row(_("Score"), _("{score}  (the team's score: {factors})").format(
                score=f"{scored:g}", factors=" × ".join(factors))))
        for label, value in ((BUSINESS_VALUE, req.business_value), (KANO, req.kano and req.kano.label),
                             (NEED_TYPE, req.need_type and req.need_type.label), (CATEGORY, req.category),
                             (SECTION, req.section),
                             (EFFORT, None if req.effort_estimate is None else f"{req.effort_estimate:g}"),
                             (FEASIBILITY, req.feasibility and req.feasibility.label),
                             (OWNER, req.owner), (DUE, req.due and req.due.isoformat()),
                             (TAGS, listed(req.tags))):
            if value not in (None, "", ()):
                rows.append(_row(_(label), value))
        rows.extend(self._links(req))
        if req.suspect:
            rows.append(Content.assemble((pad(_("SUSPECT"), LABEL_CELLS), "bold reverse"),
                                         literal(" " + _("{note}  (v: reviewed)").format(note=stored_note(req.suspect)))))
        if req.overdue():
            rows.append(Content.styled(_("OVERDUE"), "bold"))
        for n, check in enumerate(requirement_checks(req, self.view.targets, now)):
            rows.append(Content.assemble((pad(_("Response target") if n == 0 else "", LABEL_CELLS), "bold"),
                                         target_check_line(check)))
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

    def _links(self, req: Requirement) -> list[Content]:
        """What it depends on (and the state of each), what needs it, what blocks it, and its conflicts
        whichever side declared them, open or settled (with the decision)."""
        links, key = self.view.links, req.key

        def named(other: str) -> str:
            state = links.state(other)
            return _("{key} ({state})").format(key=other, state=state.label.lower()) if state else other

        rows = []
        if req.depends_on:
            rows.append(_row(_(DEPENDS_ON), listed(named(other) for other in req.depends_on)))
        needed = links.needed_by(key)
        if needed:
            rows.append(_row(_(NEEDED_BY), listed(named(other) for other in needed)))
        blockers = [other for other in req.depends_on
                    if (state := links.state(other)) is not None and state not in (State.DONE, State.FED_BACK)]
        if blockers and req.state in (State.COLLECTED, State.ANALYSED, State.APPROVED, State.IN_PROGRESS):
            rows.append(Content.assemble((pad(_(BLOCKED_BY), LABEL_CELLS), "bold"),
                                         (listed(blockers), "bold")))
        if not links.states:  # the board around it not read yet: its own links, as it lists them
            if req.conflicts_with:
                rows.append(_row(_(CONFLICTS_WITH), listed(req.conflicts_with)))
            return rows
        for n, other in enumerate(links.conflicts_of(key)):
            label = _(CONFLICTS_WITH) if n == 0 else ""
            rows.append(Content.assemble((pad(label, LABEL_CELLS), "bold"), literal(
                _("{other}: {status}").format(other=named(other), status=self._conflict_status(req, links, other)))))
        return rows

    @staticmethod
    def _conflict_status(req: Requirement, links: LinkIndex, other: str) -> str:
        uid = links.uids.get(other)
        decisions = []  # two, when two copies of the board each decided and synced: both are kept and shown
        for resolution in req.resolutions:
            if resolution.other_uid == uid or (uid is None and resolution.other == other):
                said = _("resolved by {user} on {day}: {decision}").format(
                    user=resolution.by, day=clock.local_day(resolution.at).isoformat(), decision=resolution.decision)
                if resolution.rejected:
                    said = _("{resolved}; {key} rejected").format(resolved=said, key=resolution.rejected)
                decisions.append(said)
        if decisions:
            return listed(decisions)
        if links.state(other) is State.REJECTED:
            return _("settled: {key} is rejected").format(key=other)
        if links.state(other) is None:
            return _("no longer on the board")
        if links.is_resolved(req.key, other):
            return _("resolved")
        if req.state is State.REJECTED:
            return _("settled: {key} is rejected").format(key=req.key)
        return _("open, no decision yet (r resolves it)")

    def now(self) -> datetime:
        """The time the pane's response targets and last contact are reckoned at."""
        return datetime.now(UTC)

    def _more(self, req: Requirement) -> Content:
        rows: list[Content] = []
        if req.notes:
            rows.append(Content.styled(pgettext("the communication log", "Notes"), "bold"))
            for note in reversed(req.notes):  # newest first
                rows.extend(note_lines(note))
        rules = workflow.Rules(signoff_roles=self.view.roles)
        if req.approvals:
            rows.append(Content.styled(_("Approvals"), "bold"))
            for a in req.approvals:
                rows.append(literal(_signed(clock.shown(a.at), _signer(a), a.comment)))
        # Which roles are still to sign: before approval, or a changed text (an unchanged one approved before
        # the board named roles needs nothing more; a board without roles needs one approval, as shown below).
        if rules.signoff_roles:
            missing = workflow.signoffs_wanted(req, rules)
            if missing:
                rows.append(Content.assemble((labelled(_("Still to sign its text as it reads now:")), "bold"),
                                             literal(missing_shown(missing))))
        stale = bool(req.approvals) and (not req.current_approvals or workflow.reapproval_pending(req, rules))
        if stale:
            rows.append(Content.styled(_("Changed since its approval:"), "bold"))
            current = req.current_approvals
            base = next((a for a in reversed(req.approvals) if a not in current), req.approvals[-1])
            parts = approved_parts(base.text)
            if parts is None:
                rows.append(Content(_("(the approved text was not kept)")))
            else:
                for label, was, now in text_changes(parts, req):
                    rows.extend(was_now(label, was, now, LABEL_CELLS))
        if req.feedback:
            rows.append(Content.styled(_("Feedback"), "bold"))
            for f in req.feedback:
                rows.extend(feedback_lines(f))
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
            self.actions.edit(req, self.view)

    def action_note(self) -> None:
        if req := self._current():
            self.actions.note(req)

    def action_interim_feedback(self) -> None:
        if req := self._current():
            self.actions.feedback(req, self.view, interim=True)

    def action_move_next(self) -> None:
        if req := self._current():
            self.actions.move_next(req, self.view)

    def action_move_back(self) -> None:
        if req := self._current():
            self.actions.move_back(req, self.view)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Re-approve only a changed text that waits for it; resolve only an open conflict."""
        req = self.requirement
        if action == "reapprove":
            return req is not None and workflow.reapproval_pending(req, workflow.Rules(signoff_roles=self.view.roles))
        if action == "resolve":
            return req is not None and bool(self.view.links.open_conflicts(req.key))
        return True

    def action_reapprove(self) -> None:
        if req := self._current():
            self.actions.sign_off(req, self.view)

    def action_resolve(self) -> None:
        if req := self._current():
            self.actions.resolve_conflict(req, self.view)

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

    def action_open_cr(self) -> None:
        """Open the change request: the only one at once; with several, go to their list to pick one
        (where the same key opens the one highlighted)."""
        req = self.requirement
        if req is None or not req.change_requests:
            return
        if len(req.change_requests) == 1:
            self._push_cr(req.change_requests[0].key)
            return
        crs = self.query_one("#detail-crs", OptionList)
        if crs.highlighted is None:
            crs.highlighted = 0
        crs.focus()

    def _push_cr(self, cr_key: str) -> None:
        from .change_request import ChangeRequestScreen

        self.app.push_screen(ChangeRequestScreen(cr_key, self.link))

    @on(OptionList.OptionSelected, "#detail-crs")
    def _open_cr(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._push_cr(event.option.id)

