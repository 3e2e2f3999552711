"""Merging imported records into a board: plan what would be added, changed and refused, then apply
the plan as one transaction, or nothing at all.

CSV and ReqIF imports parse their files into `Incoming` records and hand them here. A record names an
existing requirement (by uid, else by key) or is new. Changes go through the Board's own machinery:
the model validators, `workflow.check_move` for any change of state, a version bump and one history
event per changed field. A record that would break a rule is refused with its row/column or element,
and a file with any refused record writes nothing.

State changes are never applied silently: an existing requirement moves only if `check_move` allows
that move (one step forward with its guard satisfied, or to rejected with a reason); a new requirement
starts collected and walks forward one step at a time through the same guards, so a file cannot create
a requirement that is approved without an approval record. Anything else is refused with the rule's
message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError

from .. import workflow
from ..board import EDITABLE_FIELDS, Board, diff
from ..errors import InvalidValue, validation_message
from ..models import BOARD_STATES, Requirement, State, key_number, new_uid
from ..storage import META_ID

# Fields an import may carry besides the editable ones.
STATE_FIELDS = frozenset({"state", "rejection_reason"})


class ImportRefused(InvalidValue):
    """The file (or some of its records) cannot be imported: nothing was written (exit 1).

    `summary` holds the whole report: what would have been added and changed, and every refusal.
    """

    def __init__(self, message: str, summary: ImportSummary) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass
class Incoming:
    """One record read from a file, before it is checked against the board."""

    where: str
    """Where it is in the file, for messages: `row 4`, `SPEC-OBJECT rb-1f3a… (REQ-3)`."""
    fields: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    uid: str | None = None
    version: int | None = None
    """The version the file was exported at: a change to a requirement edited since is refused."""
    labels: dict[str, str] = field(default_factory=dict)
    """Where each field is in the record: `column F (Importance)`, `attribute reqboard.importance`."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """What the parser already found wrong: (where in the record, or "" for all of it; message)."""

    def label(self, name: str) -> str:
        """Where `name` is in the record, or "" when the file has no such column or attribute."""
        return self.labels.get(name, "")


@dataclass(frozen=True)
class Ref:
    """A link to another record of the same file (`record`), or to a requirement on the board (`uid`)."""

    identifier: str
    record: Incoming | None = None
    uid: str | None = None


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.field}: {show_value(self.old)} -> {show_value(self.new)}"


@dataclass(frozen=True)
class PlannedAdd:
    key: str
    title: str
    state: str
    where: str


@dataclass(frozen=True)
class PlannedChange:
    key: str
    where: str
    changes: tuple[FieldChange, ...]


@dataclass
class ImportSummary:
    """What an import added, changed and refused (or would, for a dry run)."""

    format: str
    source: str = ""
    dry_run: bool = False
    added: list[PlannedAdd] = field(default_factory=list)
    changed: list[PlannedChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rekeyed: dict[str, str] = field(default_factory=dict)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.refused

    def headline(self) -> str:
        verb = "would add" if self.dry_run or not self.applied else "added"
        change = "change" if self.dry_run or not self.applied else "changed"
        text = (f"{verb} {len(self.added)} requirement(s), {change} {len(self.changed)}, "
                f"{len(self.unchanged)} unchanged")
        if self.refused:
            text += f"; {len(self.refused)} refused"
        return text + (" (dry run: nothing written)" if self.dry_run else "")

    def report_lines(self) -> list[str]:
        """Added and changed records, field by field: `REQ-12 title: "old" -> "new"`."""
        lines = []
        for add in self.added:
            lines.append(f"+ {add.key} {show_value(add.title)} ({add.state}; {add.where})")
        for old, new in self.rekeyed.items():
            lines.append(f"  {old} -> {new} (re-keyed)")
        for change in self.changed:
            lines.extend(f"~ {change.key} {c}" for c in change.changes)
        lines.extend(f"note: {n}" for n in self.notes)
        return lines

    def refusal_lines(self) -> list[str]:
        return [f"refused: {r}" for r in self.refused]

    def text(self) -> str:
        return "\n".join([self.headline(), *self.report_lines(), *self.refusal_lines()])

    def error_message(self) -> str:
        shown = self.refused[0] if len(self.refused) == 1 else f"{len(self.refused)} problems"
        where = f" from {self.source}" if self.source else ""
        if self.dry_run:
            return f"the import{where} would be refused: {shown}; nothing was written"
        return f"nothing imported{where}: {shown}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "added": [{"key": a.key, "title": a.title, "state": a.state, "where": a.where} for a in self.added],
            "changed": [{"key": c.key, "where": c.where,
                         "changes": [{"field": f.field, "old": f.old, "new": f.new} for f in c.changes]}
                        for c in self.changed],
            "unchanged": self.unchanged,
            "refused": self.refused,
            "notes": self.notes,
            "rekeyed": self.rekeyed,
        }


def show_value(value: Any, limit: int = 80) -> str:
    """A field value as a dry run shows it: strings quoted, nothing as `-`, long ones cut."""
    if value is None or value == "" or value == [] or value == ():
        return "-"
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


class _Abort(Exception):
    """Leave the transaction without writing (dry run, or something was refused)."""


@dataclass
class _Add:
    record: Incoming
    req: Requirement
    moves: list[tuple[State, State]]


@dataclass
class _Change:
    record: Incoming
    current: Requirement
    updated: Requirement


def merge(board: Board, records: list[Incoming], *, fmt: str, source: str = "", dry_run: bool = False,
          summary: ImportSummary | None = None) -> ImportSummary:
    """Plan the import of `records` into `board` and, unless it is a dry run, apply it atomically.

    Returns the summary; raises ImportRefused (nothing written) when any record is refused, and
    StoreUnreadable when the board cannot be read.
    """
    summary = summary or ImportSummary(format=fmt, source=source)
    summary.dry_run = dry_run
    for record in records:
        for what, message in record.problems:
            summary.refused.append(f"{record.where}, {what}: {message}" if what else f"{record.where}: {message}")
    # A record that could not be read as a whole (a row of the wrong length) is not planned.
    records = [r for r in records if all(what for what, _ in r.problems)]
    if summary.refused and not records:  # the file as a whole is unreadable: no need to look at the board
        if dry_run:
            return summary
        raise ImportRefused(summary.error_message(), summary)
    try:
        with board.file.transaction():
            board._now = board.clock()
            adds, changes = _Planner(board, summary).plan(records)
            if summary.refused or dry_run:
                raise _Abort
            if adds or changes:  # a file that changes nothing leaves the board (and its history) alone
                _write(board, adds, changes, summary)
            summary.applied = True
    except _Abort:
        pass
    if summary.refused and not dry_run:
        raise ImportRefused(summary.error_message(), summary)
    return summary


class _Planner:
    def __init__(self, board: Board, summary: ImportSummary) -> None:
        self.board = board
        self.summary = summary
        self.existing = {r.key: r for r in board.requirements()}
        self.by_uid = {r.uid: r for r in self.existing.values()}

    def refuse(self, record: Incoming, what: str, message: str) -> None:
        place = f"{record.where}, {what}" if what else record.where
        self.summary.refused.append(f"{place}: {message}")

    def plan(self, records: list[Incoming]) -> tuple[list[_Add], list[_Change]]:
        targets = self._targets(records)
        valid_keys = set(self.existing) | {key for _, current, key in targets if current is None}
        self.record_keys = {id(record): key for record, _, key in targets}
        adds: list[_Add] = []
        changes: list[_Change] = []
        for record, current, key in targets:
            fields = dict(record.fields)
            if not self._links_ok(record, key, fields, valid_keys):
                continue
            if current is None:
                add = self._plan_add(record, key, fields)
                if add and not record.problems:  # a record with a bad value is reported as refused only
                    adds.append(add)
                    self.summary.added.append(PlannedAdd(add.req.key, add.req.title, add.req.state.value,
                                                         record.where))
            else:
                change = self._plan_change(record, current, fields)
                if record.problems:
                    continue
                if change is None:
                    self.summary.unchanged.append(current.key)
                elif change is not False:
                    changes.append(change)
                    self.summary.changed.append(PlannedChange(
                        current.key, record.where,
                        tuple(FieldChange(*c) for c in diff(change.current, change.updated))))
        return adds, changes

    def _targets(self, records: list[Incoming]) -> list[tuple[Incoming, Requirement | None, str]]:
        """Which requirement each record names (None: a new one) and its key; refuses clashes."""
        meta = self.board.file.tables()["meta"][META_ID]
        numbers = [r.number for r in self.existing.values()]
        resolved: list[tuple[Incoming, Requirement | None, str | None]] = []
        claimed: dict[str, str] = {}
        for record in records:
            current = None
            if record.uid and record.uid in self.by_uid:
                current = self.by_uid[record.uid]
                if record.key and record.key != current.key:
                    self.refuse(record, record.label("key"),
                                f"its identifier belongs to {current.key} on this board, but its key says "
                                f"{record.key}")
                    continue
            elif record.key and record.key in self.existing:
                current = self.existing[record.key]
                if record.uid and record.uid != current.uid:
                    self.refuse(record, record.label("key"),
                                f"{record.key} on this board is a different requirement (its identifier "
                                "differs): leave the key out to add this one as a new requirement")
                    continue
            key = current.key if current else record.key
            if key:
                if key in claimed:
                    self.refuse(record, record.label("key"), f"{key} appears twice in the file "
                                f"(also {claimed[key]})")
                    continue
                claimed[key] = record.where
            resolved.append((record, current, key))
        next_number = max([int(meta.get("next_requirement", 1))] + [n + 1 for n in numbers]
                          + [key_number(k) + 1 for k in claimed])
        out: list[tuple[Incoming, Requirement | None, str]] = []
        for record, current, key in resolved:
            if key is None:
                key = f"REQ-{next_number}"
                next_number += 1
            out.append((record, current, key))
        self.next_number = next_number
        return out

    def _links_ok(self, record: Incoming, key: str, fields: dict[str, Any], valid_keys: set[str]) -> bool:
        ok = True
        for name in ("depends_on", "conflicts_with"):
            if name not in fields:
                continue
            keys = []
            for other in fields[name]:
                if isinstance(other, Ref):
                    ref, other = other, self._ref_key(other)
                    if other is None:
                        self.refuse(record, record.label(name), f"it links to {ref.identifier}, which is "
                                    "neither an accepted record of this file nor on this board")
                        ok = False
                        continue
                keys.append(other)
                if other == key:
                    self.refuse(record, record.label(name), f"{key} cannot list itself")
                    ok = False
                elif other not in valid_keys:
                    self.refuse(record, record.label(name),
                                f"{other} is neither on this board nor added by this file")
                    ok = False
            fields[name] = tuple(keys)
        return ok

    def _ref_key(self, ref: Ref) -> str | None:
        if ref.record is not None:
            return self.record_keys.get(id(ref.record))
        found = self.by_uid.get(ref.uid or "")
        return found.key if found else None

    def _validation(self, record: Incoming, exc: Exception) -> None:
        err = validation_message(exc) if isinstance(exc, ValidationError) else exc
        errors = getattr(err, "errors", None) or {"": str(err)}
        for loc, msg in errors.items():
            name = loc.split(".", 1)[0]
            self.refuse(record, record.label(name) if name else "", msg)

    def _split(self, record: Incoming, fields: dict[str, Any]) -> tuple[State | None, str | None, dict[str, Any]]:
        state = fields.pop("state", None)
        reason = fields.pop("rejection_reason", None)
        unknown = set(fields) - EDITABLE_FIELDS
        for name in sorted(unknown):  # a parser bug rather than a user's mistake, but say so plainly
            self.refuse(record, record.label(name), "this field cannot be imported")
            fields.pop(name)
        return state, reason, fields

    def _plan_change(self, record: Incoming, current: Requirement, fields: dict[str, Any]) -> _Change | None | bool:
        """A planned change; None when the record changes nothing; False when it was refused."""
        state, reason, fields = self._split(record, fields)
        if "customer" in fields and fields["customer"] != current.customer and "tier" not in fields:
            fields = self.board._with_customer_tier(fields)
        wanted = {k: v for k, v in fields.items() if getattr(current, k) != v}
        try:
            updated = self.board._revise(current, **wanted)
        except (InvalidValue, ValidationError) as exc:
            self._validation(record, exc)
            return False
        if state is not None and state is not current.state:
            refusal = workflow.check_move(updated, state, reason or "")
            if refusal:
                self.refuse(record, record.label("state"),
                            f"{refusal.message} (an import changes a state only as the workflow allows; "
                            f"otherwise use `reqboard move {current.key} {state.value}`)")
                return False
            wanted.update(self.board._enter(current, state))
            if state is State.REJECTED:
                wanted["rejection_reason"] = reason or ""
            elif current.state is State.REJECTED:
                wanted["rejection_reason"] = ""
            updated = self.board._revise(current, **wanted)
        elif reason is not None and reason != current.rejection_reason:
            self.refuse(record, record.label("rejection_reason"),
                        f"a rejection reason is given only when rejecting {current.key} (State: rejected)")
            return False
        if not diff(current, updated):
            return None
        if record.version is not None and record.version != current.version:
            self.refuse(record, record.label("version"),
                        f"{current.key} changed since this file was made (version {record.version} in the "
                        f"file, {current.version} on the board, saved by {current.updated_by} at "
                        f"{current.updated_at:%Y-%m-%d %H:%M} UTC): export again and redo the edits")
            return False
        return _Change(record, current, updated)

    def _plan_add(self, record: Incoming, key: str, fields: dict[str, Any]) -> _Add | None:
        state, reason, fields = self._split(record, fields)
        title = fields.pop("title", "")
        if not title or not str(title).strip():
            self.refuse(record, record.label("title"), "a new requirement needs a title")
            return None
        fields = self.board._with_customer_tier(fields)
        now, user = self.board._now, self.board.user
        uid = record.uid if record.uid and record.uid not in self.by_uid else new_uid()
        try:
            req = Requirement(
                key=key, uid=uid, title=title, **fields, state=State.COLLECTED,
                entered_at={State.COLLECTED: now}, state_since=now,
                created_by=user, created_at=now, updated_by=user, updated_at=now,
            )
        except ValidationError as exc:
            self._validation(record, exc)
            return None
        target = state or State.COLLECTED
        if target is State.REJECTED:
            path: tuple[State, ...] = (State.REJECTED,)
        else:
            path = BOARD_STATES[1 : workflow.position(target) + 1]
        moves = []
        for step in path:
            refusal = workflow.check_move(req, step, reason or "")
            if refusal:
                self.refuse(record, record.label("state"),
                            f"a new requirement starts collected and moves on only as the workflow allows: "
                            f"{refusal.message} (import it in an earlier state, or use the JSON format "
                            "for a lossless copy)")
                return None
            entered = {**req.entered_at, step: now}
            moves.append((req.state, step))
            req = req.model_copy(update={"state": step, "entered_at": entered, "state_since": now,
                                         "rejection_reason": reason or "" if step is State.REJECTED else ""})
        if reason and target is not State.REJECTED:
            self.refuse(record, record.label("rejection_reason"),
                        "a rejection reason is given only for a rejected requirement (State: rejected)")
            return None
        return _Add(record, Requirement.model_validate(req.model_dump()), moves)


def _write(board: Board, adds: list[_Add], changes: list[_Change], summary: ImportSummary) -> None:
    reason = f"imported from {summary.source}" if summary.source else f"imported ({summary.format})"
    for add in adds:
        req = add.req
        board._event(req.key, "created", field="title", new=req.title, reason=reason)
        for old, new in add.moves:
            board._event(req.key, "moved", field="state", old=old.value, new=new.value, reason=reason)
        board._remember_customer(req)
        board._write(None, req)
    for change in changes:
        board._log_diff(change.current, change.updated, "imported", reason)
        board._remember_customer(change.updated)
        board._write(change.current, change.updated)
    if adds:
        meta = board.file.tables()["meta"][META_ID]
        highest = max(a.req.number for a in adds) + 1
        if highest > int(meta.get("next_requirement", 1)):
            board.file.db.table("meta").update({"next_requirement": highest}, doc_ids=[int(META_ID)])
    board._event("board", "imported", field="source", new=summary.source or summary.format,
                 reason=f"{summary.format}: {len(adds)} added, {len(changes)} changed")


__all__ = [
    "FieldChange", "ImportRefused", "ImportSummary", "Incoming", "PlannedAdd", "PlannedChange", "Ref",
    "merge", "show_value",
]
