"""What a user can do to a requirement or a change request, and to the board as a whole.

Each action asks for what the workflow needs (a FormScreen) and describes the store call as a
`Change` (or a `Lookup`); the store link runs it in a thread worker and answers the screen with
`Saved` or `Refused`. Nothing here runs a store call itself. Every change to a requirement can be
undone with `u`. On a board that cannot be changed (a newer schema, a read-only file, a login that
may only read) every change is refused at its key, with the reason, before a form asks for anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from reqboard.store import clock, workflow
from reqboard.store.domain import ANY_SIGNOFF, PAST_APPROVAL
from reqboard.store.errors import InvalidValue
from reqboard.store.i18n import _, listed, ngettext
from reqboard.store.labels import field_label
from reqboard.store.links import FINISHED
from reqboard.store.models import ChangeRequest, Channel, Requirement, Risk, State
from reqboard.store.query import Query, QueryContext, QueryError, parse_query
from reqboard.store.review import missing_shown
from reqboard.store.revisions import merge_edit
from reqboard.store.scoring import FACTOR_LABELS, MAX_WEIGHT, WEIGHT_NAMES, Weights, weight_value
from reqboard.store.surveys import COMPLAINT_CAUSES, LOW_SCORE, code_label

from .link import Change, StoreLink
from .screens.fields import FieldSpec
from .screens.form import FieldClash, FormScreen, Lookup, Rebase, Rebased
from .screens.lines import stored_note
from .screens.prompts import (
    SCORE_CHOICES,
    SCORES,
    code_choices,
    input_fields,
    names_in,
    number,
    parse_date,
    parse_moment,
    reason_fields,
    requirement_fields,
    to_changes,
    weight_text,
)
from .widgets.board_view import BoardView

if TYPE_CHECKING:
    from reqboard.store.board import Board


class RequirementActions:
    """The actions of one screen (the board, a detail pane, the archive, a change request's pane):
    forms pushed over it, changes asked for in its name."""

    def __init__(self, link: StoreLink, opener: Screen[Any]) -> None:
        self.link = link
        self.opener = opener

    def _notify(self, message: str) -> None:
        self.opener.notify(message, severity="warning", markup=False)

    def _may_change(self) -> bool:
        """False, saying why, when the board cannot be changed: nothing is asked that cannot be saved."""
        reason = self.link.read_only_reason
        if reason:
            self.opener.notify(reason, title=_("Read-only"), severity="warning", timeout=6, markup=False)
        return not reason

    def _form(self, title: str, fields: list[FieldSpec], submit: Callable[[dict[str, Any]], Any], *,
              intro: str = "", submit_label: str | None = None, rebase: Rebase | None = None,
              done: Callable[[Any], None] | None = None) -> None:
        """A form over the opener; `submit_label` is the button's (translated) text, "Save" if None."""
        self.opener.app.push_screen(FormScreen(title, fields, submit=submit, link=self.link, rebase=rebase,
                                               intro=intro, submit_label=submit_label), done)

    # ------------------------------------------------------------------ moves
    def move_next(self, req: Requirement, view: BoardView | None = None) -> None:
        """Move `req` on, under the board as `view` last read it (its sign-off roles and links)."""
        target = workflow.next_state(req.state)
        if target is None:
            self._notify(_("{key} is {state}: there is no next state").format(
                key=req.key, state=req.state.label.lower()))
            return
        self.move_to(req, target, view)

    def move_back(self, req: Requirement, view: BoardView | None = None) -> None:
        target = State.COLLECTED if req.state is State.REJECTED else workflow.previous_state(req.state)
        if target is None:
            self._notify(_("{key} is {state}: there is no earlier state").format(
                key=req.key, state=req.state.label.lower()))
            return
        self.move_to(req, target, view)

    def move_to(self, req: Requirement, target: State, view: BoardView | None = None) -> None:
        """Move `req` to `target`, asking for what the move needs under the board as `view` last read
        it (none: a board without roles or links, enough for a move back)."""
        if not self._may_change():
            return
        view = view if view is not None else BoardView()
        state = target.label.lower()
        what = _("{key} moved to {state}").format(key=req.key, state=state)
        rules = rules_for(req, view)
        # Work on it (again) while what it depends on is unfinished: only with a reason, kept as an override.
        blockers = rules.blockers if target in (State.IN_PROGRESS, State.DONE) else ()
        if workflow.is_backward(req.state, target):
            title = (_("Reopen {key} to {state}") if req.state is State.REJECTED
                     else _("Move back {key} to {state}")).format(key=req.key, state=state)

            def back(values: dict[str, Any]) -> Change:
                reason = values["reason"]
                return Change(self._warning_past_limit(req.state, lambda board: board.move_requirement(
                    req.key, target, reason=reason, override_dependency=bool(blockers), expect_version=req.version)),
                    what, before=req)

            needed = (_("A reason is needed to reopen it") if req.state is State.REJECTED
                      else _("A reason is needed to move it back"))
            self._form(title, reason_fields(_("Why?"), needed), back, submit_label=_("Move"),
                       intro=override_intro(req, rules) if blockers else "")
            return
        if req.state.value in PAST_APPROVAL and workflow.reapproval_pending(req, rules):
            # Refused until its changed text is signed again: the sign-off is what to ask for.
            self.sign_off(req, view)
            return
        if target is State.APPROVED and workflow.needs_for(req, target, rules):
            self.sign_off(req, view)
            return
        inputs = workflow.prompt_for(req, target, self.link.user, rules)
        if target is State.FED_BACK and inputs:  # the customer's feedback, with the board's survey
            self.feedback(req, view, intro=_("{key} needs {needs} to be {state}.").format(
                key=req.key, needs=listed(workflow.needs_for(req, target, rules)), state=state))
            return
        if not inputs and not blockers:  # nothing to ask: the store says whether the move may be made
            self.link.save(self.opener, Change(self._warning_past_limit(req.state, lambda board: board.move_requirement(
                req.key, target, expect_version=req.version)), what, before=req))
            return
        fields = input_fields(inputs)
        intros = []
        if blockers:
            intros.append(override_intro(req, rules))
            waits_on = workflow.join_items(list(blockers))
            fields.insert(0, FieldSpec("reason", _("Why move it before {blockers} is done?").format(blockers=waits_on),
                                       required=True, needed=_("A reason is needed to move it before {blockers} is "
                                                               "done").format(blockers=waits_on)))
        if inputs:
            intros.append(_("{key} needs {needs} to be {state}.").format(
                key=req.key, needs=listed(workflow.needs_for(req, target, rules)), state=state))

        def forward(values: dict[str, Any]) -> Change:
            # The values as the form holds them: the store reads them against the guard's inputs.
            given = dict(values)
            reason = given.pop("reason", "") if blockers else ""
            return Change(self._warning_past_limit(req.state, lambda board: board.move_requirement(
                req.key, target, inputs=given or None, reason=reason, override_dependency=bool(blockers),
                expect_version=req.version)), what, before=req)

        if blockers:
            title, verb = _("Move {key} to {state} anyway?"), _("Move anyway")
        else:
            title, verb = _("Move {key} to {state}"), _("Move")
        self._form(title.format(key=req.key, state=state), fields, forward, intro="\n".join(intros),
                   submit_label=verb)

    def _warning_past_limit(self, was: State | None,
                            call: Callable[[Board], Requirement]) -> Callable[[Board], Requirement]:
        """`call` (a change of a requirement in state `was`; None: one it creates), then, in the same
        worker, a warning notice when it took the requirement into a column now past its WIP limit
        (store.wip); the change's own notice ("REQ-3 moved to in progress") follows as for any change.
        Under strict limits the store refuses such a change instead: a refusal."""
        app = self.opener.app

        def warned(board: Board) -> Requirement:
            after = call(board)
            if after.state is not was:
                over = board.over_wip_limit(after.state)
                if over is not None:  # (App.notify is thread-safe: it posts a message)
                    app.notify(over.message, title=_("WIP limit"), severity="warning", timeout=8, markup=False)
            return after

        return warned

    def sign_off(self, req: Requirement, view: BoardView) -> None:
        """Sign `req`'s text as it reads now (`Board.approve`): in one of the roles still missing when
        the board names roles, maybe for someone else, with a comment. An analysed requirement moves
        to approved once every role has signed; a changed one that was approved is re-approved."""
        if not self._may_change():
            return
        rules = rules_for(req, view)
        if req.state in (State.COLLECTED, State.REJECTED):
            self._notify(_("{key} is {state}: it must be analysed before it can be signed off").format(
                key=req.key, state=req.state.label.lower()))
            return
        if rules.open_conflicts:
            self._notify(_("{key} is in conflict with {others}: resolve that first (open it and press r)").format(
                key=req.key, others=workflow.join_items(list(rules.open_conflicts))))
            return
        missing = workflow.signoffs_wanted(req, rules)
        changed = workflow.reapproval_pending(req, rules)
        if not missing and not changed:
            if req.state is State.ANALYSED:  # signed off already (then moved back): it moves on as it is
                self.link.save(self.opener, Change(lambda board: board.move_requirement(
                    req.key, State.APPROVED, expect_version=req.version),
                    _("{key} moved to {state}").format(key=req.key, state=State.APPROVED.label.lower()), before=req))
            else:
                self._notify(_("{key} is signed off as it reads now: nothing to sign").format(key=req.key))
            return
        inputs = signoff_inputs(req, self.link.user, rules)
        by_roles = bool(missing) and missing != (ANY_SIGNOFF,)
        if changed:
            title = _("Re-approve {key}")
            intro = (_("{key} changed since it was approved: before it moves on, its text as it reads now needs "
                       "a sign-off by {roles}.") if by_roles else
                     _("{key} changed since it was approved: before it moves on, sign off its text as it reads now."))
        else:
            title = _("Sign off {key}")
            intro = (_("{key} is approved once it has a sign-off by {roles}.") if by_roles else
                     _("Your sign-off approves {key}."))
        roles_missing = workflow.join_items(list(missing))
        key, roles, moving = req.key, rules.signoff_roles, req.state is State.ANALYSED

        def signed(after: Requirement, role: str) -> str:
            if moving and after.state is State.APPROVED:
                return _("{key} moved to {state}").format(key=key, state=after.state.label.lower())
            still = workflow.signoffs_wanted(after, workflow.Rules(signoff_roles=roles))
            if still:
                return _("{key} signed off by {role}; still missing: {missing}").format(
                    key=key, role=role or after.approvals[-1].signer, missing=missing_shown(still))
            return _("{key} re-approved").format(key=key) if changed else _("{key} signed off").format(key=key)

        def sign(values: dict[str, Any]) -> Change:
            given = workflow.parse_inputs(inputs, values)  # an unknown role: said under its field
            role, comment = given.get("role", ""), given.get("comment", "")
            return Change(self._warning_past_limit(req.state, lambda board: board.approve(
                key, comment, role=role, on_behalf_of=given.get("on_behalf_of", ""), expect_version=req.version)),
                          lambda after: signed(after, role), before=req)

        self._form(title.format(key=key), input_fields(inputs), sign, intro=intro.format(key=key, roles=roles_missing),
                   submit_label=_("Sign off"))

    def resolve_conflict(self, req: Requirement, view: BoardView) -> None:
        """Settle one of `req`'s open conflicts with a decision (`Board.resolve_conflict`), recorded on
        both requirements; optionally rejecting one of the two."""
        if not self._may_change():
            return
        links = view.links
        open_conflicts = links.open_conflicts(req.key)
        if not open_conflicts:
            self._notify(_("{key} has no open conflict to resolve").format(key=req.key))
            return

        def named(key: str) -> str:
            state = links.state(key)
            return _("{key} ({state})").format(key=key, state=state.label.lower()) if state else key

        fields = [
            FieldSpec("other", _("In conflict with"), "select", value=open_conflicts[0], required=True,
                      options=[(named(key), key) for key in open_conflicts]),
            FieldSpec("decision", _("Decision"), required=True,
                      placeholder=_("what was decided, and by whom")),
            FieldSpec("reject", _("Reject one of them (optional)"), "select", value=None,
                      options=[(named(key), key) for key in (req.key, *open_conflicts)],
                      help=_("the decision is its reason; blank: both stay")),
        ]

        def resolve(values: dict[str, Any]) -> Change:
            other, decision, reject = values["other"], values["decision"], values["reject"] or None
            if reject is not None and reject not in (req.key, other):
                message = _("{given} is not one of the two in conflict ({key} and {other})").format(
                    given=reject, key=req.key, other=other)
                raise InvalidValue(message, {"reject": message})
            return Change(lambda board: board.resolve_conflict(req.key, other, decision, reject=reject,
                                                               expect_version=req.version)[0],
                          _("The conflict between {key} and {other} is resolved").format(key=req.key, other=other),
                          before=req, undoable=False)

        self._form(_("Resolve a conflict of {key}").format(key=req.key), fields, resolve,
                   intro=resolve_intro(req, view), submit_label=_("Resolve"))

    def reject(self, req: Requirement) -> None:
        if not self._may_change():
            return
        def reject(values: dict[str, Any]) -> Change:
            reason = values["reason"]
            return Change(lambda board: board.reject(req.key, reason, expect_version=req.version),
                          _("{key} rejected").format(key=req.key), before=req)

        self._form(_("Reject {key}").format(key=req.key),
                   reason_fields(_("Why is it rejected?"), _("A reason is needed to reject it")), reject,
                   submit_label=_("Reject"))

    def review(self, req: Requirement) -> None:
        if not self._may_change():
            return
        if not req.suspect:
            self._notify(_("{key} is not flagged suspect").format(key=req.key))
            return

        def review(values: dict[str, Any]) -> Change:
            comment = values["comment"]
            return Change(lambda board: board.review(req.key, comment, expect_version=req.version),
                          _("{key} reviewed").format(key=req.key), before=req)

        self._form(_("Review {key}").format(key=req.key), [FieldSpec("comment", _("Review note"), value="")], review,
                   intro=_("Flagged: {note}").format(note=stored_note(req.suspect)), submit_label=_("Reviewed"))

    # ------------------------------------------------------------------ create and edit
    def new(self, view: BoardView | None = None) -> None:
        """A new requirement; its complaint cause one of the board's (as `view` last read them)."""
        if not self._may_change():
            return
        def create(values: dict[str, Any]) -> Change:
            changes = to_changes(values)
            title = changes.pop("title")
            return Change(self._warning_past_limit(None, lambda board: board.add_requirement(title, **changes)),
                          lambda req: _("{key} created").format(key=req.key))

        causes = view.causes if view is not None else COMPLAINT_CAUSES.default
        self._form(_("New requirement"), requirement_fields(None, causes=causes), create)

    def edit(self, req: Requirement, view: BoardView | None = None) -> None:
        """Edit `req`; its complaint cause one of the board's (as `view` last read them)."""
        if not self._may_change():
            return
        session = EditSession(req, view.causes if view is not None else COMPLAINT_CAUSES.default)
        self._form(_("Edit {key}").format(key=req.key), requirement_fields(req, causes=session.causes),
                   session.save, rebase=session)

    # ------------------------------------------------------------------ the customer side
    def note(self, req: Requirement) -> None:
        """Note a contact with the customer about `req` (`Board.add_note`), in any state: what was said,
        through what (the requirement's channel unless changed), with whom, when (blank: now)."""
        if not self._may_change():
            return
        fields = [
            FieldSpec("text", _("What was said"), "textarea", required=True, needed=_("Say what was said")),
            FieldSpec("channel", _("Channel"), "select", value=req.channel.value,
                      options=[(c.label, c.value) for c in Channel], required=True),
            FieldSpec("with", _("With whom"), placeholder=_("Li Wei, head of accounting"),
                      help=_("who on the customer's side took part (optional)")),
            FieldSpec("at", _("When"), placeholder=_("blank: now"),
                      help=_("a date (2026-03-18) or a date and time (2026-03-18 14:30), local time")),
        ]
        session = AddSession(req, fields)

        def save(values: dict[str, Any]) -> Change:
            at = parse_moment(values["at"], "at")
            text, channel, with_ = values["text"], values["channel"], values["with"]
            based = session.shown
            return Change(lambda board: board.add_note(based.key, text, channel=channel, with_=with_, at=at,
                                                       expect_version=based.version),
                          _("Contact noted on {key}").format(key=based.key), before=based)

        self._form(_("Note a contact about {key}").format(key=req.key), fields, save, rebase=session,
                   submit_label=_("Note"), intro=_("{key}: {title}").format(key=req.key, title=req.title))

    def feedback(self, req: Requirement, view: BoardView | None = None, *, interim: bool = False,
                 intro: str = "") -> None:
        """The customer's satisfaction with `req` (`Board.record_feedback`), with the board's survey (as
        `view` last read it): a score per dimension and, for a low score, the reasons from its list.
        Recorded on delivery it moves a done requirement to fed back; an `interim` reading moves nothing."""
        if not self._may_change():
            return
        view = view if view is not None else BoardView()
        dimensions = view.dimensions
        fields = [
            FieldSpec("satisfaction", _("Customer satisfaction (1-5)"), "select", options=SCORE_CHOICES,
                      required=True),
            FieldSpec("channel", _("Told the customer through") if not interim else _("Channel"), "select",
                      value=req.channel.value, options=[(c.label, c.value) for c in Channel], required=True),
            FieldSpec("comment", _("Comment"), value=""),
            *(FieldSpec(f"score_{n}", _("Score for {dimension} (1-5, optional)").format(dimension=code_label(name)),
                        "select", options=SCORE_CHOICES) for n, name in enumerate(dimensions)),
            FieldSpec("reasons", _("Reasons for a low score"), "checklist", options=code_choices(view.reasons),
                      help=_("needed for a satisfaction of {n} or less").format(n=LOW_SCORE)),
        ]
        session = AddSession(req, fields)
        key = req.key

        def save(values: dict[str, Any]) -> Change:
            satisfaction, channel, comment = int(values["satisfaction"]), values["channel"], values["comment"]
            scores = {name: int(values[f"score_{n}"]) for n, name in enumerate(dimensions)
                      if values[f"score_{n}"] is not None}
            reasons = tuple(values["reasons"])
            based = session.shown

            def said(after: Requirement) -> str:
                if interim:
                    return _("Interim feedback recorded on {key}").format(key=key)
                return _("{key} moved to {state}").format(key=key, state=after.state.label.lower())

            return Change(self._warning_past_limit(based.state, lambda board: board.record_feedback(
                key, satisfaction, comment, channel=channel, interim=interim, scores=scores, reasons=reasons,
                expect_version=based.version)), said, before=based)

        if interim:
            title, verb = _("Interim feedback on {key}").format(key=key), _("Record")
            intro = intro or _("A satisfaction reading before delivery: {key} stays {state}.").format(
                key=key, state=req.state.label.lower())
        else:  # on delivery: a move to fed back, titled as every move is
            title = _("Move {key} to {state}").format(key=key, state=State.FED_BACK.label.lower())
            verb = _("Move")
        self._form(title, fields, save, rebase=session, intro=intro, submit_label=verb)

    def new_change_request(self, req: Requirement) -> None:
        if not self._may_change():
            return
        fields = [
            FieldSpec("summary", _("What should change?"), required=True, needed=_("A summary of the change is needed")),
            FieldSpec("reason", _("Why (the customer's reason)"), "textarea"),
            FieldSpec("new_title", _("Proposed new title (blank: unchanged)"), value=""),
            FieldSpec("new_description", _("Proposed new description (blank: unchanged)"), "textarea", value=""),
            FieldSpec("new_due", _("Proposed due date (blank: unchanged)"), value="", placeholder=_("YYYY-MM-DD"),
                      help=_("blank: an approved change moves the due date by the assessed schedule days")),
            FieldSpec("new_owner", _("Proposed owner (blank: unchanged)"), value=""),
            FieldSpec("new_importance", _("Proposed importance (blank: unchanged)"), "select", value=None,
                      options=SCORES),
            FieldSpec("new_urgency", _("Proposed urgency (blank: unchanged)"), "select", value=None, options=SCORES),
        ]

        def file(values: dict[str, Any]) -> Change:
            due = parse_date(values["new_due"], "new_due")

            def call(board: Board) -> Requirement:
                board.add_change_request(req.key, values["summary"], reason=values["reason"],
                                         new_title=values["new_title"] or None,
                                         new_description=values["new_description"] or None,
                                         new_due=due, new_owner=values["new_owner"] or None,
                                         new_importance=values["new_importance"],
                                         new_urgency=values["new_urgency"])
                return board.get(req.key)

            return Change(call, lambda after: _("{cr} filed against {key}").format(
                cr=after.change_requests[-1].key, key=req.key), before=req)

        self._form(_("New change request for {key}").format(key=req.key), fields, file, submit_label=_("File"))

    # ------------------------------------------------------------------ a change request's steps
    def _cr_step(self, req: Requirement, title: str, fields: list[FieldSpec],
                 step: Callable[[dict[str, Any]], Callable[[Board], Any]], what: str, submit_label: str,
                 intro: str = "") -> None:
        """A form for one step of a change request; `step(values)` reads the values (raising
        InvalidValue under a field) and gives the store call."""
        if not self._may_change():
            return
        def change(values: dict[str, Any]) -> Change:
            call = step(values)

            def made(board: Board) -> Requirement:
                call(board)
                return board.get(req.key)

            # An approval reopens done work into approved: past that column's limit, it warns.
            return Change(self._warning_past_limit(req.state, made), what, before=req)

        self._form(title, fields, change, submit_label=submit_label, intro=intro)

    def assess_change_request(self, req: Requirement, cr: ChangeRequest) -> None:
        a = cr.assessment
        fields = [
            FieldSpec("schedule_days", _("Schedule impact (days)"), value=f"{a.schedule_days:g}" if a else "",
                      required=True),
            FieldSpec("cost", _("Cost"), value=f"{a.cost:g}" if a else "", required=True),
            FieldSpec("effort_hours", _("Effort (hours)"), value=f"{a.effort_hours:g}" if a else "", required=True),
            FieldSpec("risk", _("Risk"), "select", value=a.risk.value if a else Risk.MEDIUM.value,
                      options=[(r.label, r.value) for r in Risk], required=True),
            FieldSpec("resources", _("Resources"), value=a.resources if a else ""),
            FieldSpec("affects", _("Other requirements affected"), value=", ".join(a.affects) if a else "",
                      placeholder="REQ-3, REQ-9"),
            FieldSpec("notify", _("Who must be told once it is decided"), value=", ".join(a.notify) if a else "",
                      placeholder=_("Li Wei, sales team"), help=_("names, separated by commas")),
        ]

        def assess(v: dict[str, Any]) -> Callable[[Board], Any]:
            days, cost, hours = (number(v[name], name) for name in ("schedule_days", "cost", "effort_hours"))
            affects = names_in(v["affects"])
            notify = names_in(v["notify"])
            # Decided on what the pane showed: refused if someone changed the requirement since.
            return lambda board: board.assess_change_request(
                cr.key, schedule_days=days, cost=cost, effort_hours=hours, risk=v["risk"],
                resources=v["resources"], affects=affects, notify=notify, expect_version=req.version)

        self._cr_step(req, _("Assess {cr}").format(cr=cr.key), fields, assess,
                      _("{cr} assessed").format(cr=cr.key), _("Assess"))

    def decide_change_request(self, req: Requirement, cr: ChangeRequest, *, approve: bool) -> None:
        if approve:
            title, what, verb = _("Approve {cr}"), _("{cr} approved"), _("Approve")
            intro = _("Approving applies the proposed text to the requirement, reopens it if it was done, and "
                      "flags the requirements that depend on it as suspect.")
        else:
            title, what, verb, intro = _("Reject {cr}"), _("{cr} rejected"), _("Reject"), ""

        def decide(v: dict[str, Any]) -> Callable[[Board], Any]:
            return lambda board: board.decide_change_request(cr.key, approve=approve, rationale=v["rationale"],
                                                             expect_version=req.version)

        self._cr_step(req, title.format(cr=cr.key), [FieldSpec("rationale", _("Rationale"), required=True)], decide,
                      what.format(cr=cr.key), verb, intro)

    def implement_change_request(self, req: Requirement, cr: ChangeRequest) -> None:
        done = _("{cr} implemented").format(cr=cr.key)
        self._cr_step(req, done, [],
                      lambda v: lambda board: board.implement_change_request(cr.key, expect_version=req.version),
                      done, _("Implemented"))

    def close_change_request(self, req: Requirement, cr: ChangeRequest) -> None:
        self._cr_step(req, _("Close {cr}").format(cr=cr.key), [],
                      lambda v: lambda board: board.close_change_request(cr.key, expect_version=req.version),
                      _("{cr} closed").format(cr=cr.key), _("Close"))

    def mark_told(self, req: Requirement, cr: ChangeRequest) -> None:
        """Record that someone the assessment names was told of the change request (`Board.record_notified`)."""
        if not self._may_change():
            return
        to_tell = cr.to_notify
        if not to_tell:
            if cr.assessment is None or not cr.assessment.notify:
                self._notify(_("{cr} names nobody to tell: its assessment lists who must be told (a)").format(cr=cr.key))
            else:
                self._notify(_("Everyone {cr} names was told of it already").format(cr=cr.key))
            return
        fields = [FieldSpec("name", _("Who was told?"), "select", value=to_tell[0], required=True,
                            options=[(name, name) for name in to_tell])]

        def told(values: dict[str, Any]) -> Callable[[Board], Any]:
            name = values["name"]
            return lambda board: board.record_notified(cr.key, name, expect_version=req.version)

        self._cr_step(req, _("Mark who was told of {cr}").format(cr=cr.key), fields, told,
                      _("Told of {cr}: recorded").format(cr=cr.key), _("Told"),
                      intro=_("Still to tell: {names}").format(names=listed(to_tell)))

    # ------------------------------------------------------------------ the board
    def signoff_roles(self, current: tuple[str, ...]) -> None:
        """The board's sign-off roles (`Board.set_signoff_roles`): who must each sign a requirement's text."""
        if not self._may_change():
            return
        fields = [FieldSpec("roles", _("Sign-off roles"), value=", ".join(current), placeholder=_("customer, product"),
                            help=_("names, separated by commas; empty: one sign-off by anyone approves"))]

        def save(values: dict[str, Any]) -> Change:
            roles = names_in(values["roles"])

            def said(saved: tuple[str, ...]) -> str:
                if not saved:
                    return _("Sign-off roles cleared: one sign-off by anyone approves a requirement")
                return _("Sign-off roles: {roles}").format(roles=listed(saved))

            return Change(lambda board: board.set_signoff_roles(roles), said, undoable=False)

        self._form(_("Sign-off roles"), fields, save,
                   intro=_("A requirement is approved once each role has signed its text as it reads then; a "
                           "changed text is signed again."))

    def score_weights(self, current: Weights) -> None:
        """The weights of the team's score (`Board.set_score_weights`), by which the columns sort."""
        if not self._may_change():
            return
        fields = [FieldSpec(name, _("{factor} (0-{most})").format(factor=_(FACTOR_LABELS[name]).capitalize(),
                                                                   most=weight_text(MAX_WEIGHT)),
                            value=weight_text(getattr(current, name)), required=True)
                  for name in WEIGHT_NAMES]

        def save(values: dict[str, Any]) -> Change:
            weights: dict[str, float] = {}
            for name in WEIGHT_NAMES:
                try:
                    weights[name] = weight_value(_(FACTOR_LABELS[name]), values[name])
                except InvalidValue as exc:
                    raise InvalidValue(str(exc), {name: str(exc)}) from None
            return Change(lambda board: board.set_score_weights(weights), _("Score weights saved"), undoable=False)

        self._form(_("Score weights"), fields, save, intro=_(
            "Each factor, on a scale of 1 to 5 (unset: 3), is raised to its weight and the results are multiplied: "
            "0 leaves a factor out. Effort counts as a cost (fewer hours score more), tier A as 5, B 3, C 1. "
            "Importance 1 and urgency 1, the rest 0, is importance × urgency."))

    def wip_limit(self, state: State, current: int | None) -> None:
        """A column's WIP limit. Whether limits warn or refuse is the palette's "WIP limits: ..." (`wip_strict`)."""
        if not self._may_change():
            return
        fields = [FieldSpec("limit", _("WIP limit of {state} (empty: no limit)").format(state=state.label),
                            value="" if current is None else str(current))]

        def limit(values: dict[str, Any]) -> Change:
            text = values["limit"].strip()
            limit = int(text) if text.isdecimal() else None  # isdigit() passes "²", which int() refuses
            if text and limit is None:
                raise InvalidValue(_("{text!r} is not a whole number").format(text=text))
            return Change(lambda board: board.set_wip_limit(state, limit), "", undoable=False)

        self._form(_("WIP limit: {state}").format(state=state.label), fields, limit,
                   intro=_("A move past the limit is made with a warning, or refused when the board's limits are "
                           "strict (ctrl+p: WIP limits)."))

    def wip_strict(self, strict: bool) -> None:
        """Make the board's WIP limits refuse a move past them (`strict`), or only warn (store.wip)."""
        if not self._may_change():
            return
        said = (_("WIP limits are strict: a move past one is refused") if strict else
                _("WIP limits warn: a move past one is made, with a warning"))
        self.link.save(self.opener, Change(lambda board: board.set_wip_strict(strict), said, undoable=False))

    def filter(self, current: str, apply: Callable[[Query | None], None], blocked: Callable[[str], bool]) -> None:
        """Ask for a filter; `blocked` says which cards wait on unfinished work (the board's latest read)."""
        fields = [FieldSpec("query", _("Filter"), value=current, placeholder=_("blocked  overdue  need:latent  "
                                                                               "due:<2026-12-31"),
                            help=_("words to find, and customer:  tier:A  channel:email  tag:  owner:  "
                                   "priority:>=12  state:  need:  category:  due:<DATE  overdue  blocked  "
                                   "(empty clears)"))]

        def parse(values: dict[str, Any]) -> Query:
            try:
                return parse_query(values["query"], QueryContext(clock.today(), blocked))
            except QueryError as exc:  # the query's own validation: said under the field
                raise InvalidValue(str(exc), {"query": str(exc)}) from None

        self._form(_("Filter the board"), fields, parse, submit_label=_("Apply"), done=apply)

    def export(self) -> None:
        from reqboard.store.exchange import EXPORT_FORMATS, guess_format

        fields = [FieldSpec("path", _("Export to file"), value=str(Path.cwd() / "reqboard-export.json"),
                            required=True),
                  FieldSpec("format", _("Format"), "select", value=None, options=[(f, f) for f in EXPORT_FORMATS],
                            help=_("blank: from the file name (.json .csv .md .reqif)"))]

        def export(values: dict[str, Any]) -> Change:
            path = Path(values["path"]).expanduser()
            fmt = values["format"] or guess_format(path)
            if fmt not in EXPORT_FORMATS:
                raise InvalidValue(_("choose a format, or end the file name in .json, .csv, .md or .reqif"),
                                   {"format": _("which format?")})
            return Change(_export_call(path, fmt), _exported(fmt, path), doing=_("Exporting"), undoable=False)

        self._form(_("Export the board"), fields, export, submit_label=_("Export"))

    def import_file(self) -> None:
        if not self._may_change():
            return
        from reqboard.store.exchange import IMPORT_FORMATS, guess_format

        fields = [FieldSpec("path", _("Import from file"), value="", required=True,
                            placeholder=_("path/to/file.csv")),
                  FieldSpec("format", _("Format"), "select", value=None, options=[(f, f) for f in IMPORT_FORMATS],
                            help=_("blank: from the file name. Nothing is written before you confirm.")),
                  FieldSpec("rekey", _("A requirement whose key is a different one on this board"), "select",
                            value="refuse", required=True,
                            options=[(_("refuse it"), "refuse"), (_("add it under a new key"), "rekey")],
                            help=_("as --rekey on the command line")),
                  _mapping_field("")]

        def preview(values: dict[str, Any]) -> Lookup:
            path = Path(values["path"]).expanduser()
            fmt = values["format"] or guess_format(path)
            if fmt not in IMPORT_FORMATS:
                raise InvalidValue(_("choose a format, or end the file name in .json, .csv or .reqif"),
                                   {"format": _("which format?")})
            mapping = _mapping_of(values["mapping"], fmt)
            return Lookup(_preview_call(path, fmt, values["rekey"] == "rekey", mapping), _("Previewing the import"))

        self._form(_("Import"), fields, preview, submit_label=_("Preview"), done=self._confirm_import)

    def _confirm_import(self, previewed: Any) -> None:
        if not isinstance(previewed, Previewed):
            return  # cancelled, or imported (the form closed on the import's result)
        path, fmt, summary = previewed.path, previewed.fmt, previewed.summary
        mappable = fmt == "reqif"
        if not summary.ok and not (mappable and summary.unmapped):
            self.opener.app.push_screen(FormScreen(_("Cannot import {name}").format(name=path.name), [],
                                                   intro=summary.text(), submit_label=_("Close")))
            return
        shown = previewed.mapping_text

        def apply(values: dict[str, Any]) -> Change | Lookup:
            typed = values.get("mapping", shown)
            if not summary.ok or _mapping_lines(typed) != _mapping_lines(shown):
                # Another mapping reads another file: what is imported is only ever what was previewed.
                mapping = _mapping_of(typed, fmt)
                return Lookup(_preview_call(path, fmt, previewed.rekey, mapping), _("Previewing the import"))
            return Change(_apply_import_call(path, fmt, previewed.data, previewed.rekey, summary.revision,
                                             previewed.mapping),
                          _("Imported {name}").format(name=path.name), doing=_("Importing"), undoable=False,
                          ends_undo=True)

        intro = "\n".join([summary.text(), *unmapped_lines(summary.unmapped)])
        fields = [_mapping_field(shown, confirming=True)] if mappable else []
        if summary.ok:
            self._form(_("Import {name}?").format(name=path.name), fields, apply, intro=intro,
                       submit_label=_("Import"), done=self._confirm_import)
        else:
            self._form(_("Cannot import {name}").format(name=path.name), fields, apply, intro=intro,
                       submit_label=_("Preview"), done=self._confirm_import)


@dataclass(frozen=True)
class Previewed:
    """An import's preview, with what it was read from and how: the confirmation imports exactly this."""

    path: Path
    fmt: str
    data: Any
    rekey: bool
    mapping: dict[str, str] | None
    summary: Any

    @property
    def mapping_text(self) -> str:
        """The mapping as the form's field shows it: `NAME=field`, one a line."""
        return "\n".join(f"{name}={field}" for name, field in (self.mapping or {}).items())


def _mapping_field(value: str, *, confirming: bool = False) -> FieldSpec:
    """The field where a ReqIF file's attributes are mapped to reqboard's fields, one `NAME=field` a line."""
    from reqboard.store.exchange.mapping import MAPPABLE_FIELDS

    return FieldSpec("mapping", _("ReqIF attributes to read"), "textarea", value=value,
                     placeholder=_("Object Text=description"),
                     help=(_("one per line, NAME=field (NAME: the attribute's name or identifier; field: one of "
                             "{fields}, or - to ignore it). Change it and press the button to preview again: "
                             "nothing is imported before you see its preview") if confirming else
                           _("ReqIF only: one per line, NAME=field, as --map on the command line (field: one of "
                             "{fields}, or - to ignore it; blank: none)")).format(
                         fields=", ".join(f"`{name}`" for name in MAPPABLE_FIELDS)))  # typed as spelt: code


def _mapping_lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _mapping_of(text: str, fmt: str) -> dict[str, str] | None:
    """The mapping typed in the form's field (None when blank); an error under the field when it cannot
    be read or the file is not ReqIF."""
    lines = _mapping_lines(text)
    if not lines:
        return None
    if fmt != "reqif":
        message = _("attributes are mapped for ReqIF files only: leave this blank for {format}").format(format=fmt)
        raise InvalidValue(message, {"mapping": message})
    from reqboard.store.exchange.mapping import parse_mapping

    try:
        return parse_mapping(lines)
    except InvalidValue as exc:
        raise InvalidValue(str(exc), {"mapping": str(exc)}) from None


def unmapped_lines(unmapped: Sequence[Any]) -> list[str]:
    """A preview's list of the file's attributes no field reads: name, a sample value, how many objects
    carry it (nothing when there are none)."""
    if not unmapped:
        return []
    lines = ["", ngettext("{n} attribute is read into no field (map it below with NAME=field):",
                          "{n} attributes are read into no field (map them below with NAME=field):",
                          len(unmapped)).format(n=len(unmapped))]
    shared = Counter(u.name for u in unmapped if u.name)
    for u in unmapped:
        name = u.name if u.name and shared[u.name] == 1 else u.identifier
        lines.append("  " + _("{name}: \u201c{sample}\u201d (in {objects})").format(
            name=name, sample=u.sample, objects=ngettext("{n} object", "{n} objects", u.count).format(n=u.count)))
    return lines


class AddSession:
    """A form that adds a record to a requirement (a note, a feedback reading): the version its save
    expects, so that undo takes back exactly what it added. The form's `Rebase`: when someone saved the
    requirement meanwhile, the form catches up with that version, keeping everything typed (what it adds
    clashes with no field of the requirement), and adds to it."""

    def __init__(self, req: Requirement, fields: list[FieldSpec]) -> None:
        self.shown = req
        self.fields = fields
        self.by: list[str] = []

    def read(self, board: Board) -> Requirement:
        return board.get(self.shown.key)

    def rebase(self, values: dict[str, Any], saved: Requirement, unsettled: Collection[str]) -> Rebased:
        fields = [replace(spec, selected=tuple(values[spec.name])) if spec.kind == "checklist"
                  else replace(spec, value=values[spec.name]) for spec in self.fields]
        if saved.version != self.shown.version and saved.updated_by not in self.by:
            self.by.append(saved.updated_by)
        self.shown = saved
        return Rebased(fields, (), _("{key} was changed by {people} meanwhile").format(key=saved.key,
                                                                                       people=_names(self.by)))


class EditSession:
    """An edit form's memory of the requirement it edits: the version it was opened at and the one its
    fields are based on now (after catching up with saves made meanwhile). A save expects that version
    and its undo goes back to it (undoing to the version first opened would wipe the colleague's change).
    The form's `Rebase`: the typed changes are merged onto the saved version (`revisions.merge_edit`)."""

    def __init__(self, req: Requirement, causes: Sequence[str] = COMPLAINT_CAUSES.default) -> None:
        self.opened = req
        self.shown = req
        self.causes = tuple(causes)
        """The board's complaint causes, as the form offers them."""
        self.clash_bases: dict[str, Any] = {}
        """The value as opened of each field shown clashing: until settled it stays a clash."""
        self.by: list[str] = []
        """Who saved the versions caught up with since the form was opened, for the notice."""

    def read(self, board: Board) -> Requirement:
        """The requirement as saved now."""
        return board.get(self.opened.key)

    def save(self, values: dict[str, Any]) -> Change:
        """The form's values saved onto the version its fields are based on."""
        changes, before, key = to_changes(values), self.shown, self.opened.key
        what = _("{key} edited").format(key=key)
        if self.by:  # caught up with saves made meanwhile: say what was merged
            yours = merge_edit(before, changes, before).yours
            what = (_("{news}; your changes to {fields} were merged").format(news=self._news(before),
                                                                             fields=_field_names(yours))
                    if yours else _("{news}; nothing of yours was left to save").format(news=self._news(before)))
        return Change(lambda board: board.edit_requirement(key, changes, expect_version=before.version), what,
                      before=before)

    def rebase(self, values: dict[str, Any], saved: Requirement, unsettled: Collection[str]) -> Rebased:
        """The form's values rebased on `saved`: the typed changes kept, the fields nobody typed in as
        saved, a field both changed (or still unsettled) a clash."""
        typed = to_changes(values)
        base = self.shown.model_copy(update={name: self.clash_bases[name] for name in unsettled
                                             if name in self.clash_bases})
        merge = merge_edit(base, typed, saved)
        as_saved = {spec.name: spec for spec in requirement_fields(saved, causes=self.causes)}
        as_based = {spec.name: spec for spec in requirement_fields(base, causes=self.causes)}
        fields = requirement_fields(saved, causes=self.causes)
        for spec in fields:
            if spec.name in merge.yours:
                spec.value = values[spec.name]  # as typed, not as read back
        if saved.version != self.shown.version and saved.updated_by not in self.by:
            self.by.append(saved.updated_by)
        clashes = [FieldClash(c.field, as_based[c.field].text_of(as_based[c.field].value),
                              as_saved[c.field].text_of(as_saved[c.field].value),
                              as_saved[c.field].text_of(values[c.field]), _names(self.by),
                              theirs_value=as_saved[c.field].value)
                   for c in merge.conflicts]
        news = self._news(saved) if merge.theirs else ""
        self.shown = saved
        self.clash_bases = {c.field: c.base for c in merge.conflicts}
        return Rebased(fields, clashes, news)

    def _news(self, saved: Requirement) -> str:
        """What changed since the form was opened, in a notice's words."""
        theirs = merge_edit(self.opened, {}, saved).theirs
        return _("{key} was changed by {people} meanwhile ({fields})").format(
            key=saved.key, people=_names(self.by), fields=_field_names(theirs))


def _field_names(names: Collection[str]) -> str:
    return listed(field_label(name) for name in names)


def _names(people: list[str]) -> str:
    if len(people) > 1:
        return _("{people} and {last}").format(people=listed(people[:-1]), last=people[-1])
    return "".join(people)


def _exported(fmt: str, path: Path) -> str:
    return _("Exported {format} to {path}").format(format=fmt, path=path)


def rules_for(req: Requirement, view: BoardView) -> workflow.Rules:
    """The rules `req` moves under, as the board around it was last read: its sign-off roles, what it
    depends on that is not finished yet, its open conflicts. (The store works them out again, inside
    the move: these only decide what to ask.)"""
    links = view.links
    blockers = tuple(key for key in req.depends_on
                     if (state := links.state(key)) is not None and state not in FINISHED)
    rejected = tuple(key for key in blockers if links.state(key) is State.REJECTED)
    return workflow.Rules(signoff_roles=view.roles, blockers=blockers, open_conflicts=links.open_conflicts(req.key),
                          rejected_blockers=rejected)


def override_intro(req: Requirement, rules: workflow.Rules) -> str:
    """Why a move into in progress or done asks for a reason: what `req` waits on, and what else to do."""
    blockers = workflow.join_items(list(rules.blockers))
    if set(rules.blockers) <= set(rules.rejected_blockers):
        return _("{key} depends on {blockers}, which was rejected and will not be done: take it out of {key}'s "
                 "dependencies (e edits them), or give a reason to move it anyway: the reason is kept in its "
                 "history.").format(key=req.key, blockers=blockers)
    return _("{key} depends on {blockers}, not yet done. Finish that first, or give a reason to move it anyway: "
             "the reason is kept in its history.").format(key=req.key, blockers=blockers)


def resolve_intro(req: Requirement, view: BoardView) -> str:
    """What settling `req`'s open conflicts records, and who waits for it: a requirement in an open
    conflict cannot be signed off, so those not yet approved (and `req` itself, when its changed text
    waits for re-approval) are named; one approved already is not said to wait."""
    links = view.links
    pair = (req.key, *links.open_conflicts(req.key))
    unapproved = [key for key in pair
                  if (req.state if key == req.key else links.state(key)) in (State.COLLECTED, State.ANALYSED)]
    lines = [_("Record the decision that settles it, on both requirements. A requirement in an open conflict "
               "cannot be approved or re-approved.")]
    if unapproved:
        lines.append(ngettext("{keys} waits for this decision before it can be approved.",
                              "{keys} wait for this decision before they can be approved.",
                              len(unapproved)).format(keys=workflow.join_items(unapproved)))
    if req.key not in unapproved and workflow.reapproval_pending(req, rules_for(req, view)):
        lines.append(_("{key} waits for this decision before its changed text can be re-approved.").format(
            key=req.key))
    return "\n".join(lines)


def signoff_inputs(req: Requirement, user: str, rules: workflow.Rules) -> tuple[workflow.GuardInput, ...]:
    """What a sign-off of `req` asks (the approved guard's inputs, filled in for it and this board: the
    roles still missing, on behalf of, a comment), whatever state it is in: a changed requirement
    approved or beyond is signed again without moving."""
    asked = []
    for declared in workflow.GUARDS[State.APPROVED].inputs:
        inp = declared.shown()
        filled = inp.fill(inp, req, user, rules) if inp.fill else inp
        if filled is not None:
            asked.append(filled)
    return tuple(asked)


# ---------------------------------------------------------------------- the store calls (run by the link)
def _export_call(path: Path, fmt: str) -> Callable[[Board], str]:
    def export(board: Board) -> str:
        from reqboard.store.exchange import export_board
        from reqboard.store.outputs import check_output, write_output

        # Never onto the board, its journal, lock or backups, nor onto a device or a link: the same
        # refusal as `reqboard export -o`, said under the path.
        board_files = board.files()  # None for a server's board: no file of it to protect
        try:
            check_output(path, board_files)  # before the work of making the export
            write_output(path, export_board(board, fmt), board_files)
        except InvalidValue as exc:
            raise InvalidValue(str(exc), {"path": str(exc)}) from None
        return _exported(fmt, path)

    return export


def _preview_call(path: Path, fmt: str, rekey: bool, mapping: dict[str, str] | None) -> Callable[[Board], Any]:
    def preview(board: Board) -> Previewed:
        from reqboard.store.exchange import preview_import
        from reqboard.store.outputs import read_import_file

        data = read_import_file(path)
        return Previewed(path, fmt, data, rekey, mapping,
                         preview_import(board, data, fmt, source=str(path), rekey=rekey, mapping=mapping))

    return preview


def _apply_import_call(path: Path, fmt: str, data: Any, rekey: bool, previewed: Any,
                       mapping: dict[str, str] | None) -> Callable[[Board], Any]:
    def apply(board: Board) -> Any:
        from reqboard.store.exchange import apply_import

        # Only onto the board that was previewed: what the person confirmed is what is written.
        return apply_import(board, data, fmt, source=str(path), rekey=rekey, as_previewed=previewed,
                            mapping=mapping)

    return apply
