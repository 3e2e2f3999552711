"""The board: every operation a user or a script can perform on requirements and change requests.

Each operation is one transaction on the board file: lock, read fresh, validate, check the version
the caller expected, apply the workflow rule, write once, record the history. The TUI and the CLI both
call these methods, so whatever one can do, the other can too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from . import workflow
from .board_maintenance import BoardMaintenance
from .change_requests import ChangeRequestOperations
from .customers import CustomerOperations, known_spelling, look_of
from .domain import PAST_APPROVAL
from .errors import InvalidValue, NotFound, Refused, validation_message
from .i18n import _, listed
from .models import (
    BOARD_STATES,
    Feedback,
    Requirement,
    Review,
    State,
    strip_control,
)
from .review import (
    ReviewOperations,
    board_rules,
    check_links,
    conflict_resolutions,
    mirror_conflicts,
    role_of,
    signed_note,
    signoff_changes,
    unresolve_partners,
)
from .revisions import EDITABLE_FIELDS, diff, record_diff
from .scoring import ScoringOperations
from .surveys import (
    COMPLAINT_CAUSES,
    LOW_SCORE,
    LOW_SCORE_REASONS,
    SURVEY_DIMENSIONS,
    checked_reasons,
    checked_scores,
    code_label,
    code_of,
    stored_codes,
)
from .transaction import MAX_KEY_NUMBER, Transaction
from .wip import MAX_WIP_LIMIT, WIP_LIMITS, WIP_STRICT, refuse_past_limit

__all__ = ["EDITABLE_FIELDS", "MAX_KEY_NUMBER", "Board", "Transaction", "diff"]

def _with_customer_tier(tx: Transaction, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with the known customer's tier when they name a customer and no tier."""
    name = fields.get("customer")
    if isinstance(name, str) and name.strip() and not look_of(name):
        message = _("a customer's name needs a letter or a digit that shows, not only invisible characters")
        raise InvalidValue(message, {"customer": message})
    if isinstance(name, str) and name:
        spelled = known_spelling(tx, name)
        if spelled != name:
            fields = {**fields, "customer": spelled}
            name = spelled
    if name and fields.get("tier") is None:
        tier = tx.customer_tier(str(name).strip())
        if tier is not None:
            return {**fields, "tier": tier}
    return fields


def _with_cause(tx: Transaction, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with a complaint's cause spelled as the board's list has it; InvalidValue for a cause
    the list does not have."""
    cause = fields.get("cause")
    if not cause:
        return fields
    causes = stored_codes({COMPLAINT_CAUSES.setting: tx.setting(COMPLAINT_CAUSES.setting)}, COMPLAINT_CAUSES)
    try:
        return {**fields, "cause": code_of(str(cause), causes, COMPLAINT_CAUSES)}
    except InvalidValue as exc:
        raise InvalidValue(str(exc), {"cause": str(exc)}) from None


def _survey_reading(tx: Transaction, reading: Mapping[str, Any], *, interim: bool) -> Feedback:
    """A satisfaction reading checked against the board's survey: dimensions and reasons named as its
    lists name them, a reason given for a score of 2 or less. Raises InvalidValue naming the field."""
    settings = {name: tx.setting(name) for name in (SURVEY_DIMENSIONS.setting, LOW_SCORE_REASONS.setting)}
    try:
        scores = checked_scores(reading.get("scores") or {}, stored_codes(settings, SURVEY_DIMENSIONS))
    except InvalidValue as exc:
        raise InvalidValue(str(exc), {"scores": str(exc)}) from None
    allowed = stored_codes(settings, LOW_SCORE_REASONS)
    try:
        reasons = checked_reasons(reading.get("reasons") or (), allowed)
    except InvalidValue as exc:
        raise InvalidValue(str(exc), {"reasons": str(exc)}) from None
    satisfaction = reading.get("satisfaction")
    # (a satisfaction out of 1-5 is the model's to refuse, below, as every score is)
    if isinstance(satisfaction, int) and 1 <= satisfaction <= LOW_SCORE and not reasons:
        message = _("a satisfaction of {n} needs a reason: one or more of {codes}").format(
            n=satisfaction, codes=listed(code_label(c) for c in allowed))
        raise InvalidValue(message, {"reasons": message})
    try:
        return Feedback.model_validate({**reading, "scores": scores, "reasons": reasons, "interim": interim})
    except ValidationError as exc:
        raise validation_message(exc, _("feedback")) from None


def _guard_changes(tx: Transaction, req: Requirement, target: State,
                   inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The field changes the target guard's inputs make (none given: none)."""
    if not inputs:
        return {}
    values = workflow.parse_inputs(workflow.inputs_of(target), inputs)
    return workflow.move_changes(req, target, values, user=tx.user, now=tx.now)


def _record_guard_records(tx: Transaction, old: Requirement, new: Requirement) -> None:
    """The history of an approval or a feedback a move's inputs made, as `approve` and
    `record_feedback` record theirs (the diff leaves these collections to their own events)."""
    for approval in new.approvals[len(old.approvals):]:
        tx.record_event(old.key, "approved", new=signed_note(old.version, approval.role, approval.on_behalf_of),
                        reason=approval.comment)
    for feedback in new.feedback[len(old.feedback):]:
        tx.record_event(old.key, "feedback", field="feedback", new=feedback.satisfaction, reason=feedback.comment)


class Board(ReviewOperations, ChangeRequestOperations, ScoringOperations, CustomerOperations, BoardMaintenance):
    """A board and the user acting on it: every read with the models, and every change.

    Every change is one `transaction()`; the operations below are written on it, and so is every
    importer, so that nothing else writes a board.
    """

    # ================================================================ requirements
    def add_requirement(self, title: str, **fields: Any) -> Requirement:
        """Create a requirement in `collected`; returns it with its new key.

        Raises InvalidValue for a bad field, NotFound for a link to a requirement that does not exist,
        Refused("key.exhausted") when the board has used its last key, Refused("wip.strict") when
        collected is full under strict WIP limits (store.wip).
        A known customer's tier is used when none is given.
        """
        unknown = set(fields) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(_("unknown field(s): {fields}").format(fields=", ".join(sorted(unknown))))
        with self.transaction() as tx:
            refuse_past_limit(tx, State.COLLECTED, committed=self._committed_count)
            key = tx.next_key()
            check_links(tx, key, fields)
            fields = _with_cause(tx, _with_customer_tier(tx, fields))
            try:
                req = Requirement(
                    key=key, title=title, **fields,
                    state=State.COLLECTED, entered_at={State.COLLECTED: tx.now},
                    state_since=tx.now,
                    created_by=tx.user, created_at=tx.now,
                    updated_by=tx.user, updated_at=tx.now,
                )
            except ValidationError as exc:
                raise validation_message(exc, _("new requirement")) from None
            # A new customer takes the requirement's tier; a known one keeps its own (`customer edit` sets it).
            tx.upsert_customer(req.customer, req.tier, keep_tier=True)
            tx.record_event(req.key, "created", field="title", new=req.title)
            tx.put_requirement(req, new=True)
            if req.conflicts_with:
                mirror_conflicts(tx, req.model_copy(update={"conflicts_with": ()}), req)
            return req

    def edit_requirement(self, key: str, changes: dict[str, Any], *, expect_version: int | None = None,
                         reason: str = "") -> Requirement:
        """Change fields of a requirement. Raises NotFound, InvalidValue, Conflict (stale version)."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(_("cannot edit field(s): {fields}").format(fields=", ".join(sorted(unknown))))
        with self.transaction() as tx:
            current = tx.requirement(key)
            tx.check_version(current, expect_version)
            wanted = {k: v for k, v in changes.items() if getattr(current, k) != v}
            if "customer" in changes:
                wanted = _with_customer_tier(tx, wanted)
            wanted = _with_cause(tx, wanted)
            if not wanted:
                return current
            check_links(tx, current.key, wanted)
            settled: dict[str, Any] = {}
            if "conflicts_with" in wanted:  # a conflict taken out takes its resolution with it
                gone = set(current.conflicts_with) - set(wanted["conflicts_with"])
                uids = set()
                for other in gone:
                    try:
                        uids.add(tx.requirement(other).uid)
                    except NotFound:
                        continue  # no longer on the board: no conflict to reopen
                settled = conflict_resolutions(tx, current, uids, reason)
            updated = tx.revise(current, **wanted, **settled)
            tx.upsert_customer(updated.customer, updated.tier, keep_tier=True)
            record_diff(tx, current, updated, "edited", reason)
            tx.put_requirement(updated, new=False)
            mirror_conflicts(tx, current, updated)
            return updated

    def move_requirement(self, key: str, target: State | str, *, reason: str = "",
                         expect_version: int | None = None, updates: dict[str, Any] | None = None,
                         inputs: Mapping[str, Any] | None = None, override_dependency: bool = False) -> Requirement:
        """Move to another state, applying `updates` first (what the target's guard needs).

        The board's rules apply (see store.review): a move to in progress or done waits for what the
        requirement depends on, unless `override_dependency` (with a `reason`, recorded in its history);
        a requirement in conflict is not approved; one approved or beyond whose text changed is
        re-approved before it moves on. A move of an analysed requirement to approved with a sign-off
        in `inputs` is `approve` (it moves once every sign-off role has signed).

        Raises Refused naming the rule when the workflow does not allow it, InvalidValue for a bad
        update, NotFound, Conflict (stale version).
        """
        target = State.parse(target) if isinstance(target, str) else target
        signoff = {name: inputs[name] for name in ("comment", "role", "on_behalf_of")
                   if inputs and isinstance(inputs.get(name), str)}
        # A move to approved with sign-off inputs is a sign-off, as `approve` makes it (an analysed
        # requirement may stay analysed while roles are missing); decided on the record as the
        # transaction reads it.
        signing = target is State.APPROVED and bool(signoff) and set(signoff) == set(inputs or ())
        if not reason.strip() and inputs and isinstance(inputs.get("comment"), str):
            reason = inputs["comment"]  # an approval's or a feedback's comment says why, as approve's does
        updates = dict(updates or {})
        unknown = set(updates) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(_("cannot set field(s) while moving: {fields}").format(fields=", ".join(sorted(unknown))))

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if signing and req.state is not State.ANALYSED and req.state.value in PAST_APPROVAL:
                raise Refused(_("{key} is {state}: a move to approved signs off only an analysed requirement; "
                                "move it with --reason alone, and sign with reqboard approve {key}").format(
                    key=req.key, state=req.state.label.lower()), "approved.signoff_on_move")
            if signing and req.state is State.ANALYSED:
                signed = req.model_copy(update=updates) if updates else req
                return {**updates, **signoff_changes(tx, signed, signoff.get("comment", ""),
                                                     role=signoff.get("role", ""),
                                                     on_behalf_of=signoff.get("on_behalf_of", ""))}
            rules = board_rules(tx, req, conflicts=target is State.APPROVED)
            values = dict(inputs or {})
            if target is State.APPROVED and "role" in values and isinstance(values["role"], str):
                values["role"] = role_of(values["role"], rules.signoff_roles, req.key)
            wanted = {**_guard_changes(tx, req, target, values), **updates}
            if wanted.get("customer") and wanted["customer"] != req.customer:  # as an edit names a customer
                wanted = _with_customer_tier(tx, wanted)
                tx.upsert_customer(str(wanted["customer"]), wanted.get("tier"), keep_tier=True)
            if len(wanted.get("feedback", req.feedback)) > len(req.feedback):  # a reading, as `feedback` takes it
                *kept, reading = wanted["feedback"]
                wanted["feedback"] = (*kept, _survey_reading(tx, reading.model_dump(), interim=False))
            candidate = tx.revise(req, **wanted) if wanted else req
            refusal = workflow.check_move(candidate, target, reason, rules, override_dependency=override_dependency)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
            _record_guard_records(tx, req, candidate)
            if override_dependency and rules.blockers and target in (State.IN_PROGRESS, State.DONE):
                tx.record_event(req.key, "dependency_overridden", field="depends_on", old=list(rules.blockers),
                                new=target.value, reason=reason)
            extra: dict[str, Any] = {}
            if target is State.REJECTED:
                extra["rejection_reason"] = strip_control(reason)
            elif req.state is State.REJECTED:
                extra["rejection_reason"] = ""
            return {**wanted, **tx.enter(req, target), **extra}

        return self._mutate(key, change, expect_version=expect_version, reason=reason)

    def reject(self, key: str, reason: str, *, expect_version: int | None = None) -> Requirement:
        """Move a requirement off the board with a reason; raises Refused, NotFound, Conflict."""
        return self.move_requirement(key, State.REJECTED, reason=reason, expect_version=expect_version)

    def record_feedback(self, key: str, satisfaction: int, comment: str = "", *, channel: str | None = "email",
                        interim: bool = False, scores: Mapping[str, int] | None = None,
                        reasons: Iterable[str] = (), expect_version: int | None = None) -> Requirement:
        """Record the customer's satisfaction (1-5): told of the delivery, a done requirement moves to fed
        back; an `interim` reading is taken in any state and moves nothing. `scores` rate the board's
        survey dimensions (1-5 each), `reasons` are codes of the board's list, at least one required
        when the satisfaction is 2 or less. `channel` None: the requirement's own.

        Raises Refused (not done yet, unless interim), InvalidValue (a score, an unknown dimension or
        reason, a low score without a reason), NotFound, Conflict.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if not interim and req.state not in (State.DONE, State.FED_BACK):
                raise Refused(
                    _("{key} is {state}: feedback is recorded once it is done (an interim reading, with --interim, "
                      "is taken at any time)").format(key=req.key, state=req.state.label.lower()),
                    "fed_back.after_done",
                )
            fb = _survey_reading(tx, {"by": tx.user, "at": tx.now, "channel": channel or req.channel,
                                      "satisfaction": satisfaction, "comment": comment, "scores": scores or {},
                                      "reasons": tuple(reasons)}, interim=interim)
            changes: dict[str, Any] = {"feedback": (*req.feedback, fb)}
            if req.state is State.DONE and not interim:
                # As a move to fed back: a text changed since its approval is signed again first.
                refusal = workflow.check_move(req.model_copy(update=changes), State.FED_BACK,
                                              rules=board_rules(tx, req))
                if refusal:
                    raise Refused(refusal.message, refusal.rule)
                changes.update(tx.enter(req, State.FED_BACK))
            tx.record_event(req.key, "interim_feedback" if interim else "feedback", field="feedback", new=satisfaction,
                            reason=comment)
            return changes

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def review(self, key: str, comment: str = "", *, expect_version: int | None = None) -> Requirement:
        """Clear the suspect flag after someone reviewed the requirement against the change.

        Raises Refused (not suspect), NotFound, Conflict.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if not req.suspect:
                raise Refused(_("{key} is not flagged suspect: nothing to review").format(key=req.key),
                              "review.not_suspect")
            tx.record_event(req.key, "reviewed", field="suspect", old=req.suspect, new="", reason=comment)
            return {"suspect": "", "reviews": (*req.reviews, Review(by=tx.user, at=tx.now, comment=comment))}

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def replace_requirement(self, previous: Requirement, *, expect_version: int, reason: str = "undo") -> Requirement:
        """Put back an earlier version of a requirement (undo); refused if it changed since.

        Raises Conflict (changed since), Refused("undo.uid") for a different requirement under the key.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if req.uid != previous.uid:
                raise Refused(_("{key} is a different requirement now").format(key=req.key), "undo.uid")
            keep = {"key", "uid", "version", "created_by", "created_at", "updated_by", "updated_at"}
            changes = {k: getattr(previous, k) for k in Requirement.model_fields if k not in keep
                       and getattr(previous, k) != getattr(req, k)}
            # The links stay what they mean on the whole board: a dependency put back must not close a
            # cycle made since, and the other side of a conflict or of its resolution follows.
            restored_links = set(previous.depends_on) - set(req.depends_on)
            if restored_links:
                check_links(tx, req.key, {"depends_on": tuple(sorted(restored_links))})
            if "conflicts_with" in changes:
                mirror_conflicts(tx, req, req.model_copy(update={"conflicts_with": previous.conflicts_with}))
            if "resolutions" in changes:
                unresolve_partners(tx, req, previous.resolutions)
            return changes

        return self._mutate(previous.key, change, expect_version=expect_version, action="undone", reason=reason)

    def _mutate(self, key: str, change: Callable[[Transaction, Requirement], dict[str, Any]], *,
                expect_version: int | None = None, action: str = "edited", reason: str = "") -> Requirement:
        """Every one-record change (a move, a sign-off that approves, feedback, an undo), refused under
        strict WIP limits when it takes its requirement into a full column (store.wip)."""

        def within_limits(tx: Transaction, req: Requirement) -> dict[str, Any]:
            changes = change(tx, req)
            entering = changes.get("state") if changes else None
            if entering is not None:  # (`change` moves no other requirement: the committed count holds)
                refuse_past_limit(tx, State(entering), req.key, req.state, committed=self._committed_count)
            return changes

        return super()._mutate(key, within_limits, expect_version=expect_version, action=action, reason=reason)

    def set_wip_limit(self, state: State | str, limit: int | None) -> None:
        """Set a column's WIP limit (None removes it); raises InvalidValue."""
        state = State.parse(state) if isinstance(state, str) else state
        if state not in BOARD_STATES:
            raise InvalidValue(_("{state} is not a board column").format(state=state.label.lower()))
        if limit is not None and not 0 < limit <= MAX_WIP_LIMIT:
            raise InvalidValue(_("a WIP limit is a whole number from 1 to 100000 (or none)"))
        with self.transaction() as tx:
            limits = tx.setting(WIP_LIMITS, {})
            limits = dict(limits) if isinstance(limits, dict) else {}
            old = limits.get(state.value)
            if limit is None:
                limits.pop(state.value, None)
            else:
                limits[state.value] = limit
            tx.set_setting(WIP_LIMITS, limits)
            tx.record_event("board", "settings", field=f"{WIP_LIMITS}.{state.value}", old=old, new=limit)

    def set_wip_strict(self, strict: bool) -> bool:
        """Make the WIP limits refuse a move past them (`strict`) or only warn (the default); returns
        whether they were strict before. Nothing is written when it is already so."""
        with self.transaction() as tx:
            was = tx.setting(WIP_STRICT) is True
            if was == strict:
                tx.dry_run()
                return was
            tx.set_setting(WIP_STRICT, True if strict else None)
            tx.record_event("board", "settings", field=WIP_STRICT, old=was, new=strict)
            return was
