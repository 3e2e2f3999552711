"""Change requests: filed against a requirement, assessed, decided, implemented, closed.

Approving one changes its requirement (the proposed text applied, a done requirement reopened) and
flags the requirements that depend on it suspect. Each step is one transaction on the board.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from . import clock, workflow
from .board_core import BoardCore
from .domain import CRStatus, State, key_number, normalise_key
from .errors import InvalidValue, NotFound, Refused, validation_message
from .i18n import _, listed
from .models import Assessment, ChangeRequest, Criterion, Decision, Notice, Requirement, StepRecord
from .revisions import record_diff
from .transaction import Transaction
from .wip import refuse_past_limit


class ChangeRequestOperations(BoardCore):
    """The change request operations of `Board` (a part of it, kept in its own module)."""

    def add_change_request(self, key: str, summary: str, *, reason: str = "", new_title: str | None = None,
                           new_description: str | None = None, new_criteria: Iterable[str] | None = None,
                           new_due: date | str | None = None, new_owner: str | None = None,
                           new_importance: int | None = None, new_urgency: int | None = None) -> ChangeRequest:
        """File a change request against a requirement; returns it with its new key. Besides the text it
        may propose a new due date, owner, importance and urgency: approving it applies them.

        Raises Refused (a rejected requirement), InvalidValue, NotFound.
        """
        with self.transaction() as tx:
            req = tx.requirement(key)
            if req.state is State.REJECTED:
                raise Refused(_("{key} is rejected: reopen it before changing it").format(key=req.key),
                              "cr.rejected_requirement")
            try:
                cr = ChangeRequest.model_validate({  # a due date may come as text (YYYY-MM-DD)
                    "key": tx.next_cr_key(), "summary": summary, "reason": reason,
                    "proposed_title": new_title, "proposed_description": new_description,
                    "proposed_criteria": tuple(Criterion(text=t) for t in new_criteria) if new_criteria else None,
                    "proposed_due": new_due, "proposed_owner": new_owner, "proposed_importance": new_importance,
                    "proposed_urgency": new_urgency, "submitted_by": tx.user, "submitted_at": tx.now,
                })
            except ValidationError as exc:
                raise validation_message(exc, _("change request")) from None
            updated = tx.revise(req, change_requests=(*req.change_requests, cr))
            tx.record_event(req.key, "cr.submitted", cr=cr.key, field="status", new=cr.status.value,
                            reason=summary)
            tx.put_requirement(updated, new=False)
            return cr

    def _cr_step(self, cr_key: str, target: CRStatus,
                 build: Callable[[Transaction, Requirement, ChangeRequest], dict[str, Any]],
                 *, rationale: str = "", expect_version: int | None = None) -> ChangeRequest:
        with self.transaction() as tx:
            req, cr = self._find_change_request(tx.snapshot(), normalise_key(cr_key, "CR"))
            tx.check_version(req, expect_version)
            refusal = workflow.check_cr_step(cr, target, rationale)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
            if target is CRStatus.APPROVED and req.state in (State.DONE, State.FED_BACK):
                # Approving reopens delivered work into approved: refused like a move back into a full
                # column under strict WIP limits (store.wip).
                refuse_past_limit(tx, State.APPROVED, req.key, req.state, committed=self._committed_count)
            try:
                new_cr = cr.model_copy(update={"status": target, **build(tx, req, cr)})
                new_cr = ChangeRequest.model_validate(new_cr.model_dump())
            except ValidationError as exc:
                raise validation_message(exc, cr.key) from None
            crs = tuple(new_cr if c.key == cr.key else c for c in req.change_requests)
            changes: dict[str, Any] = {"change_requests": crs}
            tx.record_event(req.key, f"cr.{target.value}", cr=cr.key, field="status", old=cr.status.value,
                            new=target.value, reason=rationale)
            if target is CRStatus.APPROVED:
                changes.update(_apply_approved_change(tx, req, new_cr))
            updated = tx.revise(req, **changes)
            record_diff(tx, req, updated, "changed", f"{cr.key} approved")
            tx.put_requirement(updated, new=False)
            return new_cr

    def assess_change_request(self, cr_key: str, *, schedule_days: float, cost: float, effort_hours: float,
                              risk: str = "medium", resources: str = "", affects: Iterable[str] = (),
                              notify: Iterable[str] = (), expect_version: int | None = None) -> ChangeRequest:
        """Record the impact assessment of a change request (it may be assessed again before a decision):
        what it costs, whom it affects, and `notify`, who must be told once it is decided.

        Raises Refused (the change request's workflow), InvalidValue, NotFound (it, or an affected key).
        """
        affects = tuple(normalise_key(k) for k in affects)

        def build(tx: Transaction, req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
            for other in affects:
                tx.requirement(other)  # NotFound, as the board is under the lock
            return {"assessment": Assessment.model_validate({
                "by": tx.user, "at": tx.now, "schedule_days": schedule_days, "cost": cost,
                "effort_hours": effort_hours, "risk": risk, "resources": resources, "affects": affects,
                "notify": tuple(notify)})}

        return self._cr_step(cr_key, CRStatus.ASSESSED, build, expect_version=expect_version)

    def decide_change_request(self, cr_key: str, *, approve: bool, rationale: str,
                              expect_version: int | None = None) -> ChangeRequest:
        """Approve (apply its text, reopen, flag dependents suspect) or reject a change request.

        Raises Refused (the change request's workflow), NotFound, Conflict.
        """
        target = CRStatus.APPROVED if approve else CRStatus.REJECTED

        def build(tx: Transaction, req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
            return {"decision": Decision(by=tx.user, at=tx.now, approved=approve, rationale=rationale)}

        return self._cr_step(cr_key, target, build, rationale=rationale, expect_version=expect_version)

    def implement_change_request(self, cr_key: str, *, expect_version: int | None = None) -> ChangeRequest:
        """Mark an approved change request implemented; raises Refused, NotFound, Conflict."""
        return self._cr_step(cr_key, CRStatus.IMPLEMENTED,
                             lambda tx, req, cr: {"implemented": StepRecord(by=tx.user, at=tx.now)},
                             expect_version=expect_version)

    def close_change_request(self, cr_key: str, *, expect_version: int | None = None) -> ChangeRequest:
        """Close an implemented change request; raises Refused, NotFound, Conflict."""
        return self._cr_step(cr_key, CRStatus.CLOSED,
                             lambda tx, req, cr: {"closed": StepRecord(by=tx.user, at=tx.now)},
                             expect_version=expect_version)

    def record_notified(self, cr_key: str, name: str, *, expect_version: int | None = None) -> ChangeRequest:
        """Record that `name`, one of the people the assessment says must be told, was told of the change
        request (by this user, now). Raises Refused (not assessed yet, nobody of that name to tell, or
        told already), InvalidValue, NotFound, Conflict."""
        wanted = " ".join(name.split())
        with self.transaction() as tx:
            req, cr = self._find_change_request(tx.snapshot(), normalise_key(cr_key, "CR"))
            tx.check_version(req, expect_version)
            names = cr.assessment.notify if cr.assessment else ()
            if not names:
                raise Refused(_("{key} names nobody to tell: its assessment lists them with --notify NAME").format(
                    key=cr.key), "cr.notify_none")
            match = next((n for n in names if n.casefold() == wanted.casefold()), None)
            if match is None:
                raise Refused(_("{name!r} is not among those {key} must be told of ({names})").format(
                    name=wanted[:80], key=cr.key, names=listed(names)), "cr.notify_unknown")
            told = next((n for n in cr.notified if n.name.casefold() == match.casefold()), None)
            if told is not None:
                raise Refused(_("{name} was told of {key} already, by {user} {time}").format(
                    name=match, key=cr.key, user=told.by, time=clock.shown(told.at, zone_abbreviation=True)),
                    "cr.notified_already")
            new_cr = cr.model_copy(update={"notified": (*cr.notified, Notice(name=match, by=tx.user, at=tx.now))})
            crs = tuple(new_cr if c.key == cr.key else c for c in req.change_requests)
            tx.record_event(req.key, "cr.notified", cr=cr.key, field="notified", new=match)
            tx.put_requirement(tx.revise(req, change_requests=crs), new=False)
            return new_cr

    def change_requests(self) -> Iterator[tuple[Requirement, ChangeRequest]]:
        """Every change request with its requirement, in key order."""
        for req in self.requirements():
            for cr in req.change_requests:
                yield req, cr


def plan_changes(req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
    """What approving `cr` changes in `req`'s plan and text: the proposed title, description, criteria,
    owner, importance and urgency; the proposed due date, or else the due date moved by the assessed
    schedule days (rounded up to whole days); the assessed effort added to the estimate."""
    changes: dict[str, Any] = {}
    for name, proposed in (("title", cr.proposed_title), ("description", cr.proposed_description),
                           ("acceptance_criteria", cr.proposed_criteria), ("owner", cr.proposed_owner),
                           ("importance", cr.proposed_importance), ("urgency", cr.proposed_urgency),
                           ("due", cr.proposed_due)):
        if proposed is not None:
            changes[name] = proposed
    assessment = cr.assessment
    if assessment is not None:
        if cr.proposed_due is None and req.due is not None and assessment.schedule_days:
            try:
                changes["due"] = req.due + timedelta(days=math.ceil(assessment.schedule_days))
            except OverflowError:
                message = _("{cr} would move the due date of {key} ({due}) by {days} days, past the year 9999: "
                            "propose a due date with the change request instead").format(
                    cr=cr.key, key=req.key, due=req.due.isoformat(), days=math.ceil(assessment.schedule_days))
                raise InvalidValue(message, {"due": message}) from None
        if assessment.effort_hours:
            changes["effort_estimate"] = round((req.effort_estimate or 0) + assessment.effort_hours, 2)
    return changes


def _apply_approved_change(tx: Transaction, req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
    """What approving a change request does to its requirement and the requirements around it."""
    changes = plan_changes(req, cr)
    if req.state in (State.DONE, State.FED_BACK):
        changes.update(tx.enter(req, State.APPROVED))
    affected = set(cr.assessment.affects if cr.assessment else ())
    for raw in tx.snapshot().requirements.values():
        if req.key in raw.get("depends_on", ()) and raw.get("state") != State.REJECTED.value:
            affected.add(raw["key"])
    affected.discard(req.key)
    for other_key in sorted(affected, key=key_number):
        try:
            other = tx.requirement(other_key)
        except NotFound:
            continue
        note = f"{cr.key} changed {req.key}"  # stored (the suspect flag's text): not translated
        flagged = tx.revise(other, suspect=note)
        tx.record_event(other.key, "suspect", field="suspect", old=other.suspect, new=note, cr=cr.key)
        tx.put_requirement(flagged, new=False)
    return changes
