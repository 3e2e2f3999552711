"""The board: every operation a user or a script can perform on requirements and change requests.

Each operation is one transaction on the board file: lock, read fresh, validate, check the version
the caller expected, apply the workflow rule, write once, record the history. The TUI and the CLI both
call these methods, so whatever one can do, the other can too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from . import workflow
from .cards import validated
from .errors import Conflict, InvalidValue, NotFound, Refused, StoreUnreadable, validation_message
from .models import (
    BOARD_STATES,
    MAX_COUNT,
    MAX_KEY_DIGITS,
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
    Tier,
    approval_text,
    key_number,
    normalise_key,
    now,
    strip_control,
    text_hash,
)
from .reader import BoardReader
from .storage import META_ID, Backup, Signature, paused_gc

MAX_KEY_NUMBER = 10**MAX_KEY_DIGITS - 1

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


class _CustomerIndex:
    """The customers table by casefolded name, and the next free document id."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.table, self.size = table, len(table)
        self.ids: dict[str, str] = {}
        self.next_id = 1
        for doc_id, raw in table.items():
            name = raw.get("name") if isinstance(raw, dict) else None
            if isinstance(name, str):
                self.ids.setdefault(name.casefold(), doc_id)
            if doc_id.isdigit():
                self.next_id = max(self.next_id, int(doc_id) + 1)

    def added(self, name: str, doc_id: str, table: dict[str, Any]) -> None:
        self.ids[name] = doc_id
        self.next_id = int(doc_id) + 1
        self.table, self.size = table, len(table)


class Board(BoardReader):
    """A board file and the user acting on it: every read and write, with the models."""

    def __init__(self, path: str | Path, user: str, *, clock: Callable[[], datetime] = now,
                 reader: BoardReader | None = None) -> None:
        """The board at `path`; or, given a `reader`, the same board taking over its file and cards."""
        if reader is None:
            super().__init__(path, user, clock=clock)
        else:  # the reader hands over its file and cards (it keeps no copy of them)
            self.__dict__.update(vars(reader))
            reader._cards, reader._cards_signature = {}, object()
        self._models: dict[str, Requirement] = {}
        self._models_signature: Signature | None | object = object()
        self._customers_by_name: _CustomerIndex | None = None

    # ================================================================ reading
    def _model(self, raw: dict[str, Any]) -> Requirement:
        return validated(raw, self.path)

    def requirements(self, *, include_rejected: bool = True) -> list[Requirement]:
        """Every requirement, in key order. Models are reused across reads when unchanged."""
        tables = self.file.tables()
        signature = self.file.signature
        if self._models_signature != signature:
            fresh: dict[str, Requirement] = {}
            with paused_gc():  # thousands of models, all kept (see storage.paused_gc)
                for raw in tables["requirements"].values():
                    cached = self._models.get(raw.get("key", ""))
                    if (
                        cached is not None
                        and cached.version == raw.get("version")
                        and cached.uid == raw.get("uid")
                    ):
                        fresh[cached.key] = cached
                    else:
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
        raw = self._raw(key)
        cached = self._models.get(key)
        if cached is not None and cached.version == raw.get("version") and cached.uid == raw.get("uid"):
            return cached
        return self._model(raw)

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
        cr_key = normalise_key(cr_key, "CR")
        for raw in self.file.tables()["requirements"].values():
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
    def _event(self, key: str, action: str, *, field: str | None = None, old: Any = None,
               new: Any = None, reason: str = "", cr: str | None = None, at: datetime | None = None) -> None:
        event = {
            "at": Event.stamp(at or self._now),
            "by": self.user,
            "key": key,
            "action": action,
            "field": field,
            "old": old,
            "new": new,
            "reason": strip_control(reason),
        }
        if cr:
            event["cr"] = cr
        self.file.record(event)

    def _write(self, old: Requirement | None, new: Requirement) -> Requirement:
        """Validate and store one record (inside a transaction); returns the stored model."""
        self.file.put("requirements", new.number, new.model_dump(mode="json"), new=old is None)
        return new

    def _check_version(self, req: Requirement, expect_version: int | None) -> None:
        if expect_version is not None and expect_version != req.version:
            raise Conflict(
                f"{req.key} changed since version {expect_version}: {req.updated_by} saved version "
                f"{req.version} at {req.updated_at:%Y-%m-%d %H:%M:%S} UTC; re-read it and retry",
                key=req.key, expected=expect_version, actual=req.version,
                by=req.updated_by, at=req.updated_at.isoformat(),
            )

    def _revise(self, req: Requirement, **changes: Any) -> Requirement:
        """A new version of `req` with `changes`, validated, stamped with who and when."""
        data = req.model_dump()
        data.update(changes)
        data.update(version=req.version + 1, updated_by=self.user, updated_at=self._now)
        try:
            return Requirement.model_validate(data)
        except ValidationError as exc:
            raise validation_message(exc, req.key) from None

    def _enter(self, req: Requirement, target: State) -> dict[str, Any]:
        """The field changes of entering a state: the state, its time, first-entry times."""
        entered = dict(req.entered_at)
        entered.setdefault(target, self._now)
        return {"state": target, "entered_at": entered, "state_since": self._now}

    def _mutate(self, key: str, change: Callable[[Requirement], dict[str, Any]], *,
                expect_version: int | None = None, action: str = "edited", reason: str = "") -> Requirement:
        """One-record transaction: `change` gets the current record and returns field changes."""
        with self.file.transaction():
            self._now = self.clock()
            current = self.get(key)
            self._check_version(current, expect_version)
            changes = change(current)
            if not changes:
                return current
            updated = self._revise(current, **changes)
            self._log_diff(current, updated, action, reason)
            return self._write(current, updated)

    def _log_diff(self, old: Requirement, new: Requirement, action: str, reason: str) -> None:
        for name, before, after in diff(old, new):
            self._event(new.key, "moved" if name == "state" else action, field=name, old=before,
                        new=after, reason=reason)

    # ================================================================ requirements
    def add_requirement(self, title: str, **fields: Any) -> Requirement:
        """Create a requirement in `collected`; returns it with its new key.

        Raises InvalidValue for a bad field, NotFound for a link to a requirement that does not exist.
        A known customer's tier is used when none is given.
        """
        unknown = set(fields) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(f"unknown field(s): {', '.join(sorted(unknown))}")
        with self.file.transaction():
            self._now = self.clock()
            meta = self.file.tables()["meta"][META_ID]
            number = int(meta.get("next_requirement", 1))
            while str(number) in self.file.tables()["requirements"]:
                number += 1  # never reuse a key, even if the counter was edited by hand
            if number > MAX_KEY_NUMBER:
                raise Refused(
                    f"the board has used every requirement key (REQ-{MAX_KEY_NUMBER} is the last one); "
                    "start a new board for new requirements", "key.exhausted")
            self._check_links(f"REQ-{number}", fields)
            fields = self._with_customer_tier(fields)
            try:
                req = Requirement(
                    key=f"REQ-{number}", title=title, **fields,
                    state=State.COLLECTED, entered_at={State.COLLECTED: self._now},
                    state_since=self._now,
                    created_by=self.user, created_at=self._now,
                    updated_by=self.user, updated_at=self._now,
                )
            except ValidationError as exc:
                raise validation_message(exc, "new requirement") from None
            self._remember_customer(req)
            self.file.db.table("meta").update({"next_requirement": number + 1}, doc_ids=[int(META_ID)])
            self._event(req.key, "created", field="title", new=req.title)
            return self._write(None, req)

    def _customer_index(self) -> _CustomerIndex:
        """Casefolded customer name -> document id, made once per version of the customers table
        (an import of 100,000 rows asks for it 100,000 times)."""
        table = self.file.tables()["customers"]
        cached = self._customers_by_name
        if cached is None or cached.table is not table or cached.size != len(table):
            cached = _CustomerIndex(table)
            self._customers_by_name = cached
        return cached

    def _with_customer_tier(self, fields: dict[str, Any]) -> dict[str, Any]:
        name = fields.get("customer")
        if name and fields.get("tier") is None:
            doc_id = self._customer_index().ids.get(str(name).strip().casefold())
            if doc_id is not None:
                return {**fields, "tier": self.file.tables()["customers"][doc_id].get("tier")}
        return fields

    def _remember_customer(self, req: Requirement) -> None:
        if not req.customer:
            return
        index = self._customer_index()
        doc_id = index.ids.get(req.customer.casefold())
        if doc_id is not None:
            doc = self.file.tables()["customers"][doc_id]
            if req.tier is not None and doc.get("tier") != req.tier.value:
                self.file.put("customers", int(doc_id), {**doc, "tier": req.tier.value})
            return
        # Explicit ids: TinyDB caches its next id per Table object, which goes stale across processes.
        doc_id = str(index.next_id)
        self.file.put("customers", index.next_id,
                      Customer(name=req.customer, tier=req.tier or Tier.B).model_dump(mode="json"), new=True)
        index.added(req.customer.casefold(), doc_id, self.file.tables()["customers"])

    def edit_requirement(self, key: str, changes: dict[str, Any], *, expect_version: int | None = None,
                         reason: str = "") -> Requirement:
        """Change fields of a requirement. Raises NotFound, InvalidValue, Conflict (stale version)."""
        unknown = set(changes) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(f"cannot edit field(s): {', '.join(sorted(unknown))}")

        def change(req: Requirement) -> dict[str, Any]:
            return {k: v for k, v in changes.items() if getattr(req, k) != v}

        with self.file.transaction():
            self._now = self.clock()
            current = self.get(key)
            self._check_version(current, expect_version)
            wanted = self._with_customer_tier(change(current)) if "customer" in changes else change(current)
            if not wanted:
                return current
            self._check_links(current.key, wanted)
            updated = self._revise(current, **wanted)
            self._remember_customer(updated)
            self._log_diff(current, updated, "edited", reason)
            return self._write(current, updated)

    def _check_links(self, key: str, changes: dict[str, Any]) -> None:
        for field in ("depends_on", "conflicts_with"):
            for other in changes.get(field, ()):
                other = normalise_key(other)
                if other == key:
                    raise InvalidValue(f"{key} cannot list itself in {field}")
                self._raw(other)

    def move_requirement(self, key: str, target: State | str, *, reason: str = "",
                         expect_version: int | None = None, updates: dict[str, Any] | None = None) -> Requirement:
        """Move to another state, applying `updates` first (what the target's guard needs).

        Raises Refused naming the rule when the workflow does not allow it.
        """
        target = State.parse(target) if isinstance(target, str) else target
        updates = dict(updates or {})
        unknown = set(updates) - EDITABLE_FIELDS
        if unknown:
            raise InvalidValue(f"cannot set field(s) while moving: {', '.join(sorted(unknown))}")

        def change(req: Requirement) -> dict[str, Any]:
            candidate = self._revise(req, **updates) if updates else req
            refusal = workflow.check_move(candidate, target, reason)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
            extra: dict[str, Any] = {}
            if target is State.REJECTED:
                extra["rejection_reason"] = strip_control(reason)
            elif req.state is State.REJECTED:
                extra["rejection_reason"] = ""
            return {**updates, **self._enter(req, target), **extra}

        return self._mutate(key, change, expect_version=expect_version, reason=reason)

    def reject(self, key: str, reason: str, *, expect_version: int | None = None) -> Requirement:
        return self.move_requirement(key, State.REJECTED, reason=reason, expect_version=expect_version)

    def approve(self, key: str, comment: str = "", *, expect_version: int | None = None) -> Requirement:
        """Record an approval of the current text; an analysed requirement moves to approved.

        A requirement already approved or beyond is re-approved when its text changed since.
        """

        def change(req: Requirement) -> dict[str, Any]:
            approval = Approval(by=self.user, at=self._now, comment=comment, text_hash=text_hash(req),
                                text=approval_text(req))
            changes: dict[str, Any] = {"approvals": (*req.approvals, approval)}
            if req.state is State.ANALYSED:
                candidate = req.model_copy(update=changes)
                refusal = workflow.check_move(candidate, State.APPROVED)
                if refusal:
                    raise Refused(refusal.message, refusal.rule)
                changes.update(self._enter(req, State.APPROVED))
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
            self._event(req.key, "approved", new=f"version {req.version}", reason=comment)
            return changes

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def record_feedback(self, key: str, satisfaction: int, comment: str = "", *, channel: str = "email",
                        expect_version: int | None = None) -> Requirement:
        """Record that the customer was told; a done requirement moves to fed back."""

        def change(req: Requirement) -> dict[str, Any]:
            if req.state not in (State.DONE, State.FED_BACK):
                raise Refused(
                    f"{req.key} is {req.state.label.lower()}: feedback is recorded once it is done",
                    "fed_back.after_done",
                )
            try:
                fb = Feedback(by=self.user, at=self._now, channel=channel,  # type: ignore[arg-type]  # validated as text
                              satisfaction=satisfaction, comment=comment)
            except ValidationError as exc:
                raise validation_message(exc, "feedback") from None
            changes: dict[str, Any] = {"feedback": (*req.feedback, fb)}
            if req.state is State.DONE:
                changes.update(self._enter(req, State.FED_BACK))
            self._event(req.key, "feedback", field="feedback", new=satisfaction, reason=comment)
            return changes

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def review(self, key: str, comment: str = "", *, expect_version: int | None = None) -> Requirement:
        """Clear the suspect flag after someone reviewed the requirement against the change."""

        def change(req: Requirement) -> dict[str, Any]:
            if not req.suspect:
                raise Refused(f"{req.key} is not flagged suspect: nothing to review", "review.not_suspect")
            self._event(req.key, "reviewed", field="suspect", old=req.suspect, new="", reason=comment)
            return {"suspect": "", "reviews": (*req.reviews, Review(by=self.user, at=self._now, comment=comment))}

        return self._mutate(key, change, expect_version=expect_version, reason=comment)

    def replace_requirement(self, previous: Requirement, *, expect_version: int, reason: str = "undo") -> Requirement:
        """Put back an earlier version of a requirement (undo); refused if it changed since."""

        def change(req: Requirement) -> dict[str, Any]:
            if req.uid != previous.uid:
                raise Refused(f"{req.key} is a different requirement now", "undo.uid")
            keep = {"key", "uid", "version", "created_by", "created_at", "updated_by", "updated_at"}
            return {k: getattr(previous, k) for k in Requirement.model_fields if k not in keep
                    and getattr(previous, k) != getattr(req, k)}

        return self._mutate(previous.key, change, expect_version=expect_version, action="undone", reason=reason)

    def set_wip_limit(self, state: State | str, limit: int | None) -> None:
        state = State.parse(state) if isinstance(state, str) else state
        if state not in BOARD_STATES:
            raise InvalidValue(f"{state.value} is not a board column")
        if limit is not None and not 0 < limit <= 100_000:
            raise InvalidValue("a WIP limit is a whole number from 1 to 100000 (or none)")
        with self.file.transaction():
            self._now = self.clock()
            meta = self.file.tables()["meta"][META_ID]
            settings = dict(meta.get("settings", {}))
            limits = dict(settings.get("wip_limits", {}))
            old = limits.get(state.value)
            if limit is None:
                limits.pop(state.value, None)
            else:
                limits[state.value] = limit
            settings["wip_limits"] = limits
            self.file.db.table("meta").update({"settings": settings}, doc_ids=[int(META_ID)])
            self._event("board", "settings", field=f"wip_limits.{state.value}", old=old, new=limit)

    # ================================================================ change requests
    def add_change_request(self, key: str, summary: str, *, reason: str = "", new_title: str | None = None,
                           new_description: str | None = None,
                           new_criteria: Iterable[str] | None = None) -> ChangeRequest:
        """File a change request against a requirement; returns it with its new key."""
        with self.file.transaction():
            self._now = self.clock()
            req = self.get(key)
            if req.state is State.REJECTED:
                raise Refused(f"{req.key} is rejected: reopen it before changing it", "cr.rejected_requirement")
            meta = self.file.tables()["meta"][META_ID]
            number = int(meta.get("next_change_request", 1))
            try:
                cr = ChangeRequest(
                    key=f"CR-{number}", summary=summary, reason=reason,
                    proposed_title=new_title, proposed_description=new_description,
                    proposed_criteria=tuple(Criterion(text=t) for t in new_criteria) if new_criteria else None,
                    submitted_by=self.user, submitted_at=self._now,
                )
            except ValidationError as exc:
                raise validation_message(exc, "change request") from None
            self.file.db.table("meta").update({"next_change_request": number + 1}, doc_ids=[int(META_ID)])
            updated = self._revise(req, change_requests=(*req.change_requests, cr))
            self._event(req.key, "cr.submitted", cr=cr.key, field="status", new=cr.status.value,
                        reason=summary)
            self._write(req, updated)
            return cr

    def _cr_step(self, cr_key: str, target: CRStatus, build: Callable[[Requirement, ChangeRequest], dict[str, Any]],
                 *, rationale: str = "", expect_version: int | None = None) -> ChangeRequest:
        with self.file.transaction():
            self._now = self.clock()
            req, cr = self.find_change_request(cr_key)
            self._check_version(req, expect_version)
            refusal = workflow.check_cr_step(cr, target, rationale)
            if refusal:
                raise Refused(refusal.message, refusal.rule)
            try:
                new_cr = cr.model_copy(update={"status": target, **build(req, cr)})
                new_cr = ChangeRequest.model_validate(new_cr.model_dump())
            except ValidationError as exc:
                raise validation_message(exc, cr.key) from None
            crs = tuple(new_cr if c.key == cr.key else c for c in req.change_requests)
            changes: dict[str, Any] = {"change_requests": crs}
            self._event(req.key, f"cr.{target.value}", cr=cr.key, field="status", old=cr.status.value,
                        new=target.value, reason=rationale)
            if target is CRStatus.APPROVED:
                changes.update(self._apply_approved_change(req, new_cr))
            updated = self._revise(req, **changes)
            self._log_diff(req, updated, "changed", f"{cr.key} approved")
            self._write(req, updated)
            return new_cr

    def _apply_approved_change(self, req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
        """What approving a change request does to its requirement and the requirements around it."""
        changes: dict[str, Any] = {}
        if cr.proposed_title is not None:
            changes["title"] = cr.proposed_title
        if cr.proposed_description is not None:
            changes["description"] = cr.proposed_description
        if cr.proposed_criteria is not None:
            changes["acceptance_criteria"] = cr.proposed_criteria
        if req.state in (State.DONE, State.FED_BACK):
            changes.update(self._enter(req, State.APPROVED))
        affected = set(cr.assessment.affects if cr.assessment else ())
        for raw in self.file.tables()["requirements"].values():
            if req.key in raw.get("depends_on", ()) and raw.get("state") != State.REJECTED.value:
                affected.add(raw["key"])
        affected.discard(req.key)
        for other_key in sorted(affected, key=key_number):
            try:
                other = self.get(other_key)
            except NotFound:
                continue
            note = f"{cr.key} changed {req.key}"
            flagged = self._revise(other, suspect=note)
            self._event(other.key, "suspect", field="suspect", old=other.suspect, new=note, cr=cr.key)
            self._write(other, flagged)
        return changes

    def assess_change_request(self, cr_key: str, *, schedule_days: float, cost: float, effort_hours: float,
                              risk: str = "medium", resources: str = "", affects: Iterable[str] = (),
                              expect_version: int | None = None) -> ChangeRequest:
        """Record the impact assessment of a change request (it may be assessed again before a decision)."""
        affects = tuple(normalise_key(k) for k in affects)
        for other in affects:
            self._raw(other)

        def build(req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
            return {"assessment": Assessment(
                by=self.user, at=self._now, schedule_days=schedule_days, cost=cost,
                effort_hours=effort_hours, risk=risk,  # type: ignore[arg-type]  # validated as text
                resources=resources, affects=affects)}

        return self._cr_step(cr_key, CRStatus.ASSESSED, build, expect_version=expect_version)

    def decide_change_request(self, cr_key: str, *, approve: bool, rationale: str,
                              expect_version: int | None = None) -> ChangeRequest:
        """Approve (apply its text, reopen, flag dependents suspect) or reject a change request."""
        target = CRStatus.APPROVED if approve else CRStatus.REJECTED

        def build(req: Requirement, cr: ChangeRequest) -> dict[str, Any]:
            return {"decision": Decision(by=self.user, at=self._now, approved=approve, rationale=rationale)}

        return self._cr_step(cr_key, target, build, rationale=rationale, expect_version=expect_version)

    def implement_change_request(self, cr_key: str, *, expect_version: int | None = None) -> ChangeRequest:
        return self._cr_step(cr_key, CRStatus.IMPLEMENTED,
                             lambda req, cr: {"implemented": StepRecord(by=self.user, at=self._now)},
                             expect_version=expect_version)

    def close_change_request(self, cr_key: str, *, expect_version: int | None = None) -> ChangeRequest:
        return self._cr_step(cr_key, CRStatus.CLOSED,
                             lambda req, cr: {"closed": StepRecord(by=self.user, at=self._now)},
                             expect_version=expect_version)

    def change_requests(self) -> Iterator[tuple[Requirement, ChangeRequest]]:
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
        with self.file.transaction(over_unreadable=kept_aside is not None, adopt_journal=True):
            self._now = self.clock()
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
            self._event("board", "restored", field="generation", new=chosen.generation,
                        reason=f"restored generation {chosen.generation}{note}")
            self.file.stage(tables)
        self._models_signature = self._cards_signature = object()
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
        with self.file.transaction(adopt_journal=True):
            self._now = self.clock()
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
                self._event("board", "repaired", field="journal", reason="; ".join(done))
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
