"""The board: every operation a user or a script can perform on requirements and change requests.

Each operation is one transaction on the board file: lock, read fresh, validate, check the version
the caller expected, apply the workflow rule, write once, record the history. The TUI and the CLI both
call these methods, so whatever one can do, the other can too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from . import workflow
from .cards import validated
from .errors import InvalidValue, NotFound, Outdated, Refused, StoreUnreadable, validation_message
from .models import (
    BOARD_STATES,
    MAX_COUNT,
    Approval,
    Assessment,
    ChangeRequest,
    CRStatus,
    Criterion,
    Customer,
    Decision,
    Event,
    Feedback,
    Requirement,
    Review,
    State,
    StepRecord,
    approval_text,
    key_number,
    normalise_key,
    now,
    strip_control,
    text_hash,
)
from .reader import BoardReader
from .snapshot import ABSENT, Revision, Snapshot
from .storage import META_ID, Backup, FileChange, Signature, paused_gc
from .transaction import MAX_KEY_NUMBER, Transaction

__all__ = ["EDITABLE_FIELDS", "MAX_KEY_NUMBER", "Board", "Transaction", "diff"]

# Fields whose changes the generic diff records one event each; collections get their own events.
_DIFFED_FIELDS = tuple(
    name
    for name in Requirement.model_fields
    if name
    not in {
        "key", "uid", "version", "created_by", "created_at", "updated_by", "updated_at",
        "entered_at", "state_since", "approvals", "feedback", "change_requests", "reviews",
    }
)
EDITABLE_FIELDS = frozenset(_DIFFED_FIELDS) - {"state", "rejection_reason", "suspect"}


def _jsonable(value: Any) -> Any:
    """A field value as it goes into a history event."""
    return orjson.loads(orjson.dumps(value, default=_default)) if value is not None else None


def _default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot record {type(value).__name__} in history")


def diff(old: Requirement, new: Requirement) -> list[tuple[str, Any, Any]]:
    """(field, old, new) for each simple field that differs between two versions."""
    changes = []
    for name in _DIFFED_FIELDS:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append((name, _jsonable(before), _jsonable(after)))
    return changes


def _log_diff(tx: Transaction, old: Requirement, new: Requirement, action: str, reason: str) -> None:
    """One event per changed field; a change of state is a move."""
    for name, before, after in diff(old, new):
        tx.record_event(new.key, "moved" if name == "state" else action, field=name, old=before,
                        new=after, reason=reason)


def _check_links(tx: Transaction, key: str, changes: dict[str, Any]) -> None:
    """Raise InvalidValue for a link to itself, NotFound for a link to a requirement not on the board."""
    for field in ("depends_on", "conflicts_with"):
        for other in changes.get(field, ()):
            other = normalise_key(other)
            if other == key:
                raise InvalidValue(f"{key} cannot list itself in {field}")
            tx.requirement(other)


def _with_customer_tier(tx: Transaction, fields: dict[str, Any]) -> dict[str, Any]:
    """The fields with the known customer's tier when they name a customer and no tier."""
    name = fields.get("customer")
    if name and fields.get("tier") is None:
        tier = tx.customer_tier(str(name).strip())
        if tier is not None:
            return {**fields, "tier": tier}
    return fields


def _guard_changes(tx: Transaction, req: Requirement, target: State,
                   inputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """The field changes the target guard's inputs make (none given: none)."""
    if not inputs:
        return {}
    values = workflow.parse_inputs(workflow.inputs_of(target), inputs)
    return workflow.move_changes(req, target, values, user=tx.user, now=tx.now)


def _apply_approved_change(tx: Transaction, req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
    """What approving a change request does to its requirement and the requirements around it."""
    changes: dict[str, Any] = {}
    if cr.proposed_title is not None:
        changes["title"] = cr.proposed_title
    if cr.proposed_description is not None:
        changes["description"] = cr.proposed_description
    if cr.proposed_criteria is not None:
        changes["acceptance_criteria"] = cr.proposed_criteria
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
        note = f"{cr.key} changed {req.key}"
        flagged = tx.revise(other, suspect=note)
        tx.record_event(other.key, "suspect", field="suspect", old=other.suspect, new=note, cr=cr.key)
        tx.put_requirement(flagged, new=False)
    return changes


class Board(BoardReader):
    """A board and the user acting on it: every read with the models, and every change.

    Every change is one `transaction()`; the operations below are written on it, and so is every
    importer, so that nothing else writes a board.
    """

    def __init__(self, path: str | Path, user: str, *, clock: Callable[[], datetime] = now,
                 reader: BoardReader | None = None) -> None:
        """The board at `path`; or, given a `reader`, the same board sharing the reader's storage and
        cards (the app draws the board with a reader first, before the models are imported)."""
        if reader is None:
            super().__init__(path, user, clock=clock)
        else:
            super().__init__(reader.path, reader.user, clock=reader.clock, storage=reader.file,
                             cards=reader.card_cache)
        self._models: dict[str, Requirement] = {}
        self._models_signature: Signature | None | object = object()

    # ================================================================ the write path
    @property
    def revision(self) -> Revision:
        """The board's committed revision now: equal (==) while nobody commits a change."""
        return self.file.revision

    def snapshot(self) -> Snapshot:
        """The stored records as they are now, for planning a change (read again if another process
        committed). Raises StoreUnreadable."""
        tables = self.file.tables()
        meta = tables["meta"][META_ID]
        return Snapshot.of(tables, meta, self.file.signature or ABSENT)

    @contextmanager
    def transaction(self, expect: Revision | None = None) -> Iterator[Transaction]:
        """Lock the board, read it fresh and yield the change to make; commit it when the block ends
        normally, write nothing when it raises or calls `tx.dry_run()`.

        Raises Outdated (exit 3) when `expect` is given and the board is at another revision;
        StoreUnreadable, ReadOnly, LockTimeout, BoardChangedUnderneath as the storage does.
        """
        with self.file.change() as change:
            if expect is not None and change.revision != expect:
                raise Outdated(
                    f"{self.path} changed since it was read (another change was saved meanwhile); "
                    "nothing was written: read it again and retry")
            yield self._transaction_on(change)

    def _transaction_on(self, change: FileChange) -> Transaction:
        return Transaction(change, user=self.user, now=self.clock(), model=self._model,
                           where=str(self.path))

    # ================================================================ reading
    def _model(self, raw: Mapping[str, Any]) -> Requirement:
        """The model of a stored record: the one already made while its version and uid are unchanged."""
        cached = self._models.get(raw.get("key", ""))
        if cached is not None and cached.version == raw.get("version") and cached.uid == raw.get("uid"):
            return cached
        return validated(raw, self.path)

    def requirements(self, *, include_rejected: bool = True) -> list[Requirement]:
        """Every requirement, in key order. Models are reused across reads when unchanged."""
        tables = self.file.tables()
        signature = self.file.signature
        if self._models_signature != signature:
            fresh: dict[str, Requirement] = {}
            with paused_gc():  # thousands of models, all kept (see storage.paused_gc)
                for raw in tables["requirements"].values():
                    model = self._model(raw)
                    fresh[model.key] = model
                self._models = dict(sorted(fresh.items(), key=lambda kv: key_number(kv[0])))
            self._models_signature = signature if self.file.is_current(tables) else object()
        reqs = list(self._models.values())
        if not include_rejected:
            reqs = [r for r in reqs if r.state is not State.REJECTED]
        return reqs

    def get(self, key: str) -> Requirement:
        """The requirement with this key; raises NotFound."""
        key = normalise_key(key)
        return self._model(self._raw(key))

    def _raw(self, key: str) -> dict[str, Any]:
        try:
            number = key_number(key)
        except (ValueError, IndexError):
            raise NotFound(f"{key!r} is not a requirement key (they look like REQ-12)") from None
        raw = self.file.tables()["requirements"].get(str(number))
        if raw is None or raw.get("key") != key:
            raise NotFound(f"{key} not found in {self.path}")
        return raw

    def find_change_request(self, cr_key: str) -> tuple[Requirement, ChangeRequest]:
        """The change request with this key and the requirement it belongs to; raises NotFound."""
        return self._find_change_request(self.snapshot(), normalise_key(cr_key, "CR"))

    def _find_change_request(self, snapshot: Snapshot, cr_key: str) -> tuple[Requirement, ChangeRequest]:
        for raw in snapshot.requirements.values():
            for cr in raw.get("change_requests", ()):
                if cr.get("key") == cr_key:
                    req = self._model(raw)
                    return req, next(c for c in req.change_requests if c.key == cr_key)
        raise NotFound(f"{cr_key} not found in {self.path}")

    def customers(self) -> list[Customer]:
        """The board's customers by name; raises StoreUnreadable for a damaged customer record."""
        found = []
        for doc_id, raw in self.file.tables()["customers"].items():
            try:
                found.append(Customer.model_validate(raw))
            except ValidationError as exc:
                raise StoreUnreadable(
                    f"{self.path}: customer record {str(doc_id)[:40]!r} is damaged ({validation_message(exc)}); "
                    "see `reqboard restore --list`"
                ) from None
        return sorted(found, key=lambda c: c.name.casefold())

    def history(self, key: str | None = None) -> list[Event]:
        """The audit trail, oldest first: of one requirement (and its change requests) or of all."""
        if key is not None:
            key = normalise_key(key)
            self._raw(key)
            needle = f'"key":"{key}"'.encode()
            return [self._event_model(e) for e in self.file.journal_lines(needle) if e.get("key") == key]
        return [self._event_model(e) for e in self.file.journal_lines()]

    def _event_model(self, raw: dict[str, Any]) -> Event:
        try:
            return Event.model_validate(raw)
        except ValidationError as exc:
            raise StoreUnreadable(
                f"{self.file.journal_path}: a history event of {str(raw.get('key', '?'))[:40]} is damaged "
                f"({validation_message(exc)}); `reqboard check --repair` sets the damaged lines aside"
            ) from None

    # ================================================================ writing: plumbing
    def _mutate(self, key: str, change: Callable[[Transaction, Requirement], dict[str, Any]], *,
                expect_version: int | None = None, action: str = "edited", reason: str = "") -> Requirement:
        """One-record transaction: `change` gets the current record and returns field changes."""
        with self.transaction() as tx:
            current = tx.requirement(key)
            tx.check_version(current, expect_version)
            changes = change(tx, current)
            if not changes:
                return current
            updated = tx.revise(current, **changes)
            _log_diff(tx, current, updated, action, reason)
            tx.put_requirement(updated, new=False)
            return updated

    # ================================================================ requirements
    def add_requirement(self, title: str, **fields: Any) -> Requirement:
        """Create a requirement in `collected`; returns it with its new key.

        Raises InvalidValue for a bad field, NotFound for a link to a requirement that does not exist,
        Refused("key.exhausted") when the board has used its last key.
        A known customer's tier is used when none is given.
        """
        unknown = set(fields) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(f"unknown field(s): {', '.join(sorted(unknown))}")
        with self.transaction() as tx:
            key = tx.next_key()
            _check_links(tx, key, fields)
            fields = _with_customer_tier(tx, fields)
            try:
                req = Requirement(
                    key=key, title=title, **fields,
                    state=State.COLLECTED, entered_at={State.COLLECTED: tx.now},
                    state_since=tx.now,
                    created_by=tx.user, created_at=tx.now,
                    updated_by=tx.user, updated_at=tx.now,
                )
            except ValidationError as exc:
                raise validation_message(exc, "new requirement") from None
            tx.upsert_customer(req.customer, req.tier)
            tx.record_event(req.key, "created", field="title", new=req.title)
            tx.put_requirement(req, new=True)
            return req

    def edit_requirement(self, key: str, changes: dict[str, Any], *, expect_version: int | None = None,
                         reason: str = "") -> Requirement:
        """Change fields of a requirement. Raises NotFound, InvalidValue, Conflict (stale version)."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(f"cannot edit field(s): {', '.join(sorted(unknown))}")
        with self.transaction() as tx:
            current = tx.requirement(key)
            tx.check_version(current, expect_version)
            wanted = {k: v for k, v in changes.items() if getattr(current, k) != v}
            if "customer" in changes:
                wanted = _with_customer_tier(tx, wanted)
            if not wanted:
                return current
            _check_links(tx, current.key, wanted)
            updated = tx.revise(current, **wanted)
            tx.upsert_customer(updated.customer, updated.tier)
            _log_diff(tx, current, updated, "edited", reason)
            tx.put_requirement(updated, new=False)
            return updated

    def move_requirement(self, key: str, target: State | str, *, reason: str = "",
                         expect_version: int | None = None, updates: dict[str, Any] | None = None,
                         inputs: Mapping[str, Any] | None = None) -> Requirement:
        """Move to another state, applying `updates` first (what the target's guard needs).

        Raises Refused naming the rule when the workflow does not allow it, InvalidValue for a bad
        update, NotFound, Conflict (stale version).
        """
        target = State.parse(target) if isinstance(target, str) else target
        updates = dict(updates or {})
        unknown = set(updates) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(f"cannot set field(s) while moving: {', '.join(sorted(unknown))}")

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            wanted = {**_guard_changes(tx, req, target, inputs), **updates}
            candidate = tx.revise(req, **wanted) if wanted else req
            refusal = workflow.check_move(candidate, target, reason)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
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

    def approve(self, key: str, comment: str = "", *, expect_version: int | None = None) -> Requirement:
        """Record an approval of the current text; an analysed requirement moves to approved.

        A requirement already approved or beyond is re-approved when its text changed since.
        Raises Refused (not analysed yet, or already approved and unchanged), NotFound, Conflict.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            approval = Approval(by=tx.user, at=tx.now, comment=comment, text_hash=text_hash(req),
                                text=approval_text(req))
            changes: dict[str, Any] = {"approvals": (*req.approvals, approval)}
            if req.state is State.ANALYSED:
                candidate = req.model_copy(update=changes)
                refusal = workflow.check_move(candidate, State.APPROVED)
                if refusal:
                    raise Refused(refusal.message, refusal.rule)
                changes.update(tx.enter(req, State.APPROVED))
            elif req.state in (State.COLLECTED, State.REJECTED):
                missing = workflow.needs_for(req, State.ANALYSED)
                hint = f": it needs {', '.join(missing)} first" if missing else ""
                raise Refused(
                    f"{req.key} is {req.state.label.lower()}: it must be analysed before it can be "
                    f"approved{hint}", "approved.no_skip",
                )
            elif req.approval_current:
                raise Refused(f"{req.key} is already approved and unchanged since", "approved.same")
            # Reads "approved version 4 (comment)": which text was approved; the comment is the reason.
            tx.record_event(req.key, "approved", new=f"version {req.version}", reason=comment)
            return changes

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def record_feedback(self, key: str, satisfaction: int, comment: str = "", *, channel: str = "email",
                        expect_version: int | None = None) -> Requirement:
        """Record that the customer was told; a done requirement moves to fed back.

        Raises Refused (not done yet), InvalidValue, NotFound, Conflict.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if req.state not in (State.DONE, State.FED_BACK):
                raise Refused(
                    f"{req.key} is {req.state.label.lower()}: feedback is recorded once it is done",
                    "fed_back.after_done",
                )
            try:
                fb = Feedback.model_validate({"by": tx.user, "at": tx.now, "channel": channel,
                                              "satisfaction": satisfaction, "comment": comment})
            except ValidationError as exc:
                raise validation_message(exc, "feedback") from None
            changes: dict[str, Any] = {"feedback": (*req.feedback, fb)}
            if req.state is State.DONE:
                changes.update(tx.enter(req, State.FED_BACK))
            tx.record_event(req.key, "feedback", field="feedback", new=satisfaction, reason=comment)
            return changes

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def review(self, key: str, comment: str = "", *, expect_version: int | None = None) -> Requirement:
        """Clear the suspect flag after someone reviewed the requirement against the change.

        Raises Refused (not suspect), NotFound, Conflict.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if not req.suspect:
                raise Refused(f"{req.key} is not flagged suspect: nothing to review", "review.not_suspect")
            tx.record_event(req.key, "reviewed", field="suspect", old=req.suspect, new="", reason=comment)
            return {"suspect": "", "reviews": (*req.reviews, Review(by=tx.user, at=tx.now, comment=comment))}

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def replace_requirement(self, previous: Requirement, *, expect_version: int, reason: str = "undo") -> Requirement:
        """Put back an earlier version of a requirement (undo); refused if it changed since.

        Raises Conflict (changed since), Refused("undo.uid") for a different requirement under the key.
        """

        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            if req.uid != previous.uid:
                raise Refused(f"{req.key} is a different requirement now", "undo.uid")
            keep = {"key", "uid", "version", "created_by", "created_at", "updated_by", "updated_at"}
            return {k: getattr(previous, k) for k in Requirement.model_fields if k not in keep
                    and getattr(previous, k) != getattr(req, k)}

        return self._mutate(previous.key, change, expect_version=expect_version, action="undone", reason=reason)

    def set_wip_limit(self, state: State | str, limit: int | None) -> None:
        """Set a column's WIP limit (None removes it); raises InvalidValue."""
        state = State.parse(state) if isinstance(state, str) else state
        if state not in BOARD_STATES:
            raise InvalidValue(f"{state.value} is not a board column")
        if limit is not None and not 0 < limit <= 100_000:
            raise InvalidValue("a WIP limit is a whole number from 1 to 100000 (or none)")
        with self.transaction() as tx:
            limits = tx.setting("wip_limits", {})
            limits = dict(limits) if isinstance(limits, dict) else {}
            old = limits.get(state.value)
            if limit is None:
                limits.pop(state.value, None)
            else:
                limits[state.value] = limit
            tx.set_setting("wip_limits", limits)
            tx.record_event("board", "settings", field=f"wip_limits.{state.value}", old=old, new=limit)

    # ================================================================ change requests
    def add_change_request(self, key: str, summary: str, *, reason: str = "", new_title: str | None = None,
                           new_description: str | None = None,
                           new_criteria: Iterable[str] | None = None) -> ChangeRequest:
        """File a change request against a requirement; returns it with its new key.

        Raises Refused (a rejected requirement), InvalidValue, NotFound.
        """
        with self.transaction() as tx:
            req = tx.requirement(key)
            if req.state is State.REJECTED:
                raise Refused(f"{req.key} is rejected: reopen it before changing it", "cr.rejected_requirement")
            try:
                cr = ChangeRequest(
                    key=tx.next_cr_key(), summary=summary, reason=reason,
                    proposed_title=new_title, proposed_description=new_description,
                    proposed_criteria=tuple(Criterion(text=t) for t in new_criteria) if new_criteria else None,
                    submitted_by=tx.user, submitted_at=tx.now,
                )
            except ValidationError as exc:
                raise validation_message(exc, "change request") from None
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
            _log_diff(tx, req, updated, "changed", f"{cr.key} approved")
            tx.put_requirement(updated, new=False)
            return new_cr

    def assess_change_request(self, cr_key: str, *, schedule_days: float, cost: float, effort_hours: float,
                              risk: str = "medium", resources: str = "", affects: Iterable[str] = (),
                              expect_version: int | None = None) -> ChangeRequest:
        """Record the impact assessment of a change request (it may be assessed again before a decision).

        Raises Refused (the change request's workflow), InvalidValue, NotFound (it, or an affected key).
        """
        affects = tuple(normalise_key(k) for k in affects)
        for other in affects:
            self._raw(other)

        def build(tx: Transaction, req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
            return {"assessment": Assessment.model_validate({
                "by": tx.user, "at": tx.now, "schedule_days": schedule_days, "cost": cost,
                "effort_hours": effort_hours, "risk": risk, "resources": resources, "affects": affects})}

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

    def change_requests(self) -> Iterator[tuple[Requirement, ChangeRequest]]:
        """Every change request with its requirement, in key order."""
        for req in self.requirements():
            for cr in req.change_requests:
                yield req, cr

    # ================================================================ check and restore
    def check(self) -> tuple[list[str], list[str]]:
        """Validate the whole board: (errors, warnings), one line per problem. Errors mean the file
        needs repair (`restore` for the board, `repair` for the history journal)."""
        errors: list[str] = []
        warnings: list[str] = []
        tables = self.file.tables()
        meta = tables["meta"][META_ID]
        keys: set[str] = set()
        cr_keys: set[str] = set()
        uids: dict[str, str] = {}
        valid: list[Requirement] = []
        max_req = max_cr = 0
        for doc_id, raw in tables["requirements"].items():
            try:
                req = Requirement.model_validate(raw)
            except ValidationError as exc:
                name = raw.get("key", doc_id) if isinstance(raw, dict) else doc_id
                errors.append(f"record {str(name)[:40]}: {validation_message(exc)}")
                continue
            if str(req.number) != doc_id:
                errors.append(f"record {req.key} is stored under id {doc_id[:40]!r}")
            valid.append(req)
            keys.add(req.key)
            if req.uid in uids:
                errors.append(f"{req.key} has the same uid as {uids[req.uid]} ({req.uid})")
            uids.setdefault(req.uid, req.key)
            max_req = max(max_req, req.number)
            for cr in req.change_requests:
                if cr.key in cr_keys:
                    errors.append(f"{cr.key} appears twice")
                cr_keys.add(cr.key)
                max_cr = max(max_cr, key_number(cr.key))
        for req in valid:
            for field in ("depends_on", "conflicts_with"):
                for other in getattr(req, field):
                    if other not in keys:
                        warnings.append(f"{req.key} {field} {other}, which does not exist")
        if int(meta.get("next_requirement", 1)) <= max_req:
            errors.append(f"the key counter ({meta.get('next_requirement')}) is not above REQ-{max_req}")
        if int(meta.get("next_change_request", 1)) <= max_cr:
            errors.append(f"the change request counter ({meta.get('next_change_request')}) is not above CR-{max_cr}")
        try:
            self.customers()
        except StoreUnreadable as exc:
            errors.append(str(exc))
        errors.extend(self._check_journal(int(meta.get("journal_size", 0)), warnings))
        warnings.extend(self.file.backup_junk())
        return errors, warnings

    def _check_journal(self, committed: int, warnings: list[str]) -> list[str]:
        try:
            size = self.file.journal_size()
        except OSError as exc:
            return [f"history: {self.file.journal_path}: {exc.strerror}"]
        fix = "; `reqboard check --repair` keeps what is left"
        if size is None:
            return [f"the history journal {self.file.journal_path.name} is missing but the board "
                    f"records {committed} bytes of history{fix}"] if committed else []
        if size < committed:
            return [f"the history journal is {size} bytes but the board records {committed}{fix}"]
        if size > committed:
            warnings.append(
                f"the history journal has {size - committed} bytes from an interrupted write; "
                "they are ignored and cut at the next change")
        try:
            for line in self.file.journal_lines():
                self._event_model(line)
        except StoreUnreadable as exc:
            return [f"history: {exc}"]
        return []

    def restore(self, generation: int | None = None) -> Backup:
        """Make a kept backup the current board (as a new generation; the history keeps growing).

        A current file that cannot be read is first copied aside byte for byte.
        """
        backups = self.file.backups()
        if not backups:
            raise NotFound(f"no backups of {self.path} are kept yet")
        chosen = backups[0] if generation is None else next(
            (b for b in backups if b.generation == generation), None)
        if chosen is None:
            kept = ", ".join(str(b.generation) for b in backups)
            raise NotFound(f"no backup of generation {generation}; kept: {kept}")
        tables = self.file.read_backup(chosen)
        self._refuse_damaged_backup(tables, chosen)
        try:
            self.file.reload()
            kept_aside = None
        except StoreUnreadable:
            kept_aside = self.file.quarantine_current()
        lost = self._history_lost()
        with self.file.change(over_unreadable=kept_aside is not None, adopt_journal=True) as change:
            tx = self._transaction_on(change)
            current = self.file.tables()
            meta, old_meta = tables["meta"][META_ID], current["meta"][META_ID]
            for raw in tables["requirements"].values():
                # Versions keep rising so that a stale edit made against the newer state is refused.
                existing = current["requirements"].get(str(key_number(raw["key"])))
                version = existing.get("version") if isinstance(existing, dict) else None
                if isinstance(version, int) and not isinstance(version, bool):
                    raw["version"] = min(max(raw["version"], version) + 1, MAX_COUNT)
            # An unreadable board lost its counters: the backups and the history still know them.
            seen = self._counters_seen(backups) if kept_aside else {}
            for counter in ("next_requirement", "next_change_request", "generation"):
                meta[counter] = max(int(meta.get(counter, 0)), int(old_meta.get(counter, 0)),
                                    seen.get(counter, 0))
            meta["journal_size"] = (
                self._journal_bytes() if kept_aside else int(old_meta.get("journal_size", 0)))
            note = f" (the unreadable file was kept as {kept_aside.name})" if kept_aside else ""
            note += f"; {lost}" if lost else ""
            tx.record_event("board", "restored", field="generation", new=chosen.generation,
                        reason=f"restored generation {chosen.generation}{note}")
            self.file.stage(tables)
        self._models_signature = object()
        self.card_cache.forget()
        return chosen

    def _refuse_damaged_backup(self, tables: dict[str, Any], backup: Backup) -> None:
        """Raise StoreUnreadable unless every record and customer of a backup is one `check` accepts."""
        def damaged(what: str) -> StoreUnreadable:
            return StoreUnreadable(
                f"backup generation {backup.generation} is damaged ({what}); the board was left as it "
                "was: choose another with `reqboard restore --generation N` (see `restore --list`)")

        uids: dict[str, str] = {}
        for doc_id, raw in tables["requirements"].items():
            try:
                req = Requirement.model_validate(raw)
            except ValidationError as exc:
                raise damaged(f"record {str(raw.get('key', doc_id))[:40]}: {validation_message(exc)}") from None
            if str(req.number) != doc_id:
                raise damaged(f"record {req.key} is stored under id {doc_id[:40]!r}")
            if req.uid in uids:
                raise damaged(f"{req.key} has the same uid as {uids[req.uid]}")
            uids[req.uid] = req.key
        for doc_id, raw in tables["customers"].items():
            try:
                Customer.model_validate(raw)
            except ValidationError as exc:
                raise damaged(f"customer record {doc_id[:40]!r}: {validation_message(exc)}") from None

    def _counters_seen(self, backups: list[Backup]) -> dict[str, int]:
        """The highest key counters and generation any kept backup or history line has reached."""
        seen = {"next_requirement": 1, "next_change_request": 1, "generation": 0}
        for backup in backups:
            try:
                meta = self.file.read_backup(backup)["meta"][META_ID]
            except (StoreUnreadable, OSError):
                continue
            for counter in seen:
                value = meta.get(counter, 0)
                if isinstance(value, int):
                    seen[counter] = max(seen[counter], value)
        try:
            journal = self.file.read_journal() or b""
        except (StoreUnreadable, OSError):
            journal = b""
        for line in journal.splitlines():
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            for field, prefix, counter in (("key", "REQ-", "next_requirement"),
                                           ("cr", "CR-", "next_change_request")):
                value = event.get(field)
                digits = value[len(prefix):] if isinstance(value, str) and value.startswith(prefix) else ""
                if digits.isascii() and digits.isdigit() and len(digits) <= 9:
                    seen[counter] = max(seen[counter], int(digits) + 1)
            generation = event.get("generation")
            if type(generation) is int and 0 <= generation <= MAX_COUNT:  # a hostile line cannot wedge the board
                seen["generation"] = max(seen["generation"], generation)
        return seen

    def _journal_bytes(self) -> int:
        """The whole journal: when the board was unreadable, keep every line of history there is."""
        return self.file.journal_size() or 0

    def _history_lost(self) -> str:
        """What a restore or repair finds missing of the history journal ("" when nothing is)."""
        try:
            committed = int(self.file.meta.get("journal_size", 0))
        except StoreUnreadable:
            return ""
        size = self.file.journal_size()
        if size is None and committed:
            return f"the history journal was missing ({committed} bytes of history lost); a new one was started"
        if size is not None and size < committed:
            return f"the history journal was cut ({committed - size} bytes of history lost)"
        return ""

    def repair(self) -> list[str]:
        """Make a board whose history journal is missing, cut or damaged writable again, keeping all
        the history that can be read: damaged lines are set aside (the old journal is kept byte for
        byte next to it) and the board records the journal that is left. Returns what was done
        (empty when nothing needed repair). Raises StoreUnreadable when the board itself cannot be
        read (then `restore` is the way back).
        """
        self.file.reload()
        with self.file.change(adopt_journal=True) as change:
            tx = self._transaction_on(change)
            committed = int(self.file.tables()["meta"][META_ID].get("journal_size", 0))
            journal = self.file.read_journal()
            done: list[str] = []
            if journal is None:
                if committed:
                    done.append(f"started a new history journal: {committed} bytes of history were lost")
                    self.file.replace_journal(b"")
            else:
                committed_part = journal[:committed]
                good, bad = self._readable_lines(committed_part)
                if len(committed_part) < committed:
                    done.append(f"the history journal was cut: {committed - len(committed_part)} bytes "
                                "of history were lost")
                if bad:
                    done.append(f"set {bad} damaged history line(s) aside")
                if done:
                    aside = self.file.replace_journal(good)
                    if aside is not None:
                        done.append(f"the old journal was kept as {aside.name}")
            if done:
                tx.record_event("board", "repaired", field="journal", reason="; ".join(done))
            return done

    def _readable_lines(self, journal: bytes) -> tuple[bytes, int]:
        """The whole lines of a journal that are valid events, and how many are not."""
        good: list[bytes] = []
        bad = 0
        lines = journal.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            bad += 1  # a last line without its end was cut short
            lines.pop()
        for line in lines:
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
                Event.model_validate(raw)
            except (orjson.JSONDecodeError, ValidationError, TypeError):
                bad += 1
                continue
            good.append(line + b"\n")
        return b"".join(good), bad
