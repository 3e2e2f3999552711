"""Merging imported records into a board: plan what would be added, changed and refused, then apply
the plan as one transaction, or nothing at all.

CSV and ReqIF imports parse their files into `Incoming` records and hand them here. Changes go through
the Board's own machinery: the model validators, `workflow.check_move` for any change of state, a
version bump and one history event per changed field. A record that would break a rule is refused
with its row/column or element, and a file with any refused record writes nothing.

Which requirement a record names:
- a record with a uid that is on the board is that requirement, whatever key the file gives it (a
  file from another copy of the board, or one this board re-keyed on an earlier import);
- a record whose key is on the board with another uid is another requirement: it is refused
  ("REQ-7 in the file is not REQ-7 on this board"), or with `rekey` added under a new key;
- a record without a uid is matched by its key (a spreadsheet someone typed); without either it is new.
So importing the same file twice changes nothing the second time: every record with a uid finds the
requirement the first import made or changed, and a record identical to it is reported unchanged.

A record that changes a requirement is refused when the requirement's version on the board is newer
than the version the file carries: it was changed since the file was made. A record identical to the
requirement is never refused, whatever its version says.

State changes are never applied silently: an existing requirement moves only if `check_move` allows
that move (one step forward with its guard satisfied, or to rejected with a reason); a new requirement
starts collected and walks forward one step at a time through the same guards, so a file cannot create
a requirement that is approved without an approval record. Anything else is refused with the rule's
message.

Big files: every record is checked and turned into the document that will be stored before the
board's lock is taken; under the lock the import only checks that the board is still the one it
planned against (the file's signature) and writes. If another writer committed in between, the plan
is made again against the new board, and only the records whose requirement, key, links or customer
tier changed are checked again (the others keep their planned documents).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from .. import workflow
from ..board import EDITABLE_FIELDS, Board, diff
from ..cards import validated
from ..errors import InvalidValue, validation_message
from ..models import (
    BOARD_STATES,
    MAX_KEY_DIGITS,
    Requirement,
    State,
    Tier,
    key_number,
    new_uid,
    strip_control,
)
from ..storage import META_ID, Signature, paused_gc

KEY_NUMBER_LIMIT = 10**MAX_KEY_DIGITS - 1
"""The highest key number a board can give (REQ-999999999): an import that would need a higher one is
refused rather than making a key that no model takes."""

# Fields an import may carry besides the editable ones.
STATE_FIELDS = frozenset({"state", "rejection_reason"})


class ImportRefused(InvalidValue):
    """The file (or some of its records) cannot be imported: nothing was written (exit 1).

    `summary` holds the whole report: what would have been added and changed, and every refusal.
    """

    def __init__(self, message: str, summary: ImportSummary) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(slots=True)  # slots: a file of 100,000 rows makes 100,000 of them
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


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.field}: {show_value(self.old)} -> {show_value(self.new)}"


@dataclass(frozen=True, slots=True)
class PlannedAdd:
    key: str
    title: str
    state: str
    where: str


@dataclass(frozen=True, slots=True)
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
    """Leave the transaction without writing: the plan made again under the lock refused something."""


@dataclass(slots=True)
class _Add:
    """A requirement the import adds: the document to store and what the history and summary say."""

    where: str
    key: str
    title: str
    state: State
    document: dict[str, Any]
    moves: tuple[tuple[str, str], ...]
    customer: str
    tier: Tier | None


@dataclass(slots=True)
class _Change:
    """A requirement the import changes: the new document and each changed field (field, old, new)."""

    where: str
    key: str
    document: dict[str, Any]
    changes: list[tuple[str, Any, Any]]
    customer: str
    tier: Tier | None


@dataclass(slots=True)
class _Same:
    """A record identical to the requirement it names."""

    key: str


_Outcome = _Add | _Change | _Same


@dataclass(slots=True)
class _Planned:
    """One record's plan and what it was made from (`basis`): the same basis gives the same plan."""

    basis: tuple[Any, ...]
    outcome: _Outcome | None
    refused: tuple[str, ...]


@dataclass
class _Plan:
    """Everything an import would write, against the board as it was when `signature` was read."""

    signature: Signature | None
    outcomes: list[_Outcome] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rekeyed: dict[str, str] = field(default_factory=dict)

    def fill(self, summary: ImportSummary, earlier: ImportSummary) -> None:
        """Put this plan into `summary` (replacing an earlier plan's), after what the reader of the
        file reported (`earlier`: its refusals and notes)."""
        with paused_gc():  # a line of the report for every record, all kept
            summary.added = [PlannedAdd(o.key, o.title, _STATE_VALUE[o.state], o.where)
                             for o in self.outcomes if isinstance(o, _Add)]
            summary.changed = [PlannedChange(o.key, o.where, tuple(FieldChange(*c) for c in o.changes))
                               for o in self.outcomes if isinstance(o, _Change)]
        summary.unchanged = [o.key for o in self.outcomes if isinstance(o, _Same)]
        summary.refused = [*earlier.refused, *self.refused]
        summary.notes = [*earlier.notes, *self.notes]
        summary.rekeyed = dict(self.rekeyed)

    @property
    def writes(self) -> bool:
        return any(not isinstance(o, _Same) for o in self.outcomes)


@dataclass(slots=True)
class _Target:
    """The requirement a record names on the board (`stored`: None for a new one) and its key there
    (None until a new key is given)."""

    index: int
    """Its place among the records."""
    record: Incoming
    stored: dict[str, Any] | None
    key: str | None


@dataclass(slots=True)
class _Keyed:
    """A record (the `index`th), the stored requirement it names (None: a new one), its key here."""

    index: int
    record: Incoming
    stored: dict[str, Any] | None
    key: str


@dataclass(frozen=True)
class Rereading:
    """How to read a big file's records again rather than hold them all (see `merge`)."""

    names: Callable[[], list[Incoming]]
    """The records with only what names their requirements: key, uid, version, where and labels, and
    any fault of a record as a whole."""
    whole: Callable[[], Iterable[Incoming]]
    """The whole records, in the same order, one at a time."""


_ATTEMPTS = 3
"""How often an import plans again without the lock when other writers keep committing before it
takes the lock; the last time it plans again under the lock, so that it is not starved."""


def merge(board: Board, records: list[Incoming], *, fmt: str, source: str = "", dry_run: bool = False,
          summary: ImportSummary | None = None, rekey: bool = False,
          reread: Rereading | None = None) -> ImportSummary:
    """Plan the import of `records` into `board` and, unless it is a dry run, apply it atomically.

    The plan is made without the board's lock (see the module docstring); the lock is held only to
    check that the board is the one planned against and to write. When another writer committed in
    between, the import plans again (only the records it affected are checked again) and retries.
    `rekey` adds a record whose key is on the board as another requirement under a new key.
    `reread` is for big files: then `records` need only name their requirements (see Rereading), the
    whole records are read one at a time each time the import is planned, and `records` are let go
    once planned and read again only to plan again: a file's rows are never all held beside the
    requirements they become.
    Returns the summary; raises ImportRefused (nothing written) when any record is refused, and
    StoreUnreadable when the board cannot be read.
    """
    summary = summary or ImportSummary(format=fmt, source=source)
    summary.dry_run = dry_run
    for record in records:  # a fault of a value is reported as the whole record is planned
        summary.refused.extend(f"{record.where}: {message}" for what, message in record.problems if not what)
    earlier = ImportSummary(format=fmt, refused=list(summary.refused), notes=list(summary.notes))
    planner = _Planner(board, _readable(records), rekey=rekey, reread=reread)
    if summary.refused and not planner.records:  # the file as a whole is unreadable: no need to look at the board
        if dry_run:
            return summary
        raise ImportRefused(summary.error_message(), summary)
    plan = planner.plan()
    plan.fill(summary, earlier)
    if dry_run:
        return summary
    if summary.refused:
        raise ImportRefused(summary.error_message(), summary)
    if reread is not None:
        records.clear()
    planner.let_go()
    for attempt in range(1, _ATTEMPTS + 1):
        if not plan.writes:  # a file that changes nothing leaves the board (and its history) alone
            summary.applied = True
            return summary
        try:
            with board.file.transaction():
                if board.file.signature != plan.signature and attempt == _ATTEMPTS:
                    plan = planner.plan()  # the board keeps changing: plan again, under the lock this time
                    plan.fill(summary, earlier)
                    if summary.refused:
                        raise _Abort
                if board.file.signature == plan.signature:
                    if plan.writes:
                        _write(board, plan, planner.now, summary)
                    written = True
                    planner.forget()
                    plan.outcomes.clear()
                else:
                    written = False
        except _Abort:
            raise ImportRefused(summary.error_message(), summary) from None
        if written:
            summary.applied = True
            return summary
        # Another writer committed after the plan was made: plan again against the board as it is now.
        plan = planner.plan()
        plan.fill(summary, earlier)
        if summary.refused:
            raise ImportRefused(summary.error_message(), summary)
        planner.let_go()
    raise AssertionError("the last attempt plans under the lock")  # pragma: no cover


def _readable(records: Iterable[Incoming]) -> list[Incoming]:
    """The records that can be planned: not one the reader could not read as a whole (a row of the
    wrong length), which is reported only."""
    return [r for r in records if all(what for what, _ in r.problems)]


def _readable_one_by_one(records: Iterable[Incoming]) -> Iterator[Incoming]:
    """`_readable`, one record at a time."""
    return (r for r in records if not r.problems or all(what for what, _ in r.problems))


class _Snapshot:
    """The board as one plan sees it: its records by key and by uid, its customers' tiers, its counter."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.records: dict[str, dict[str, Any]] = tables["requirements"]
        self.by_uid: dict[str, dict[str, Any]] = {}
        highest = 0
        for doc_id, raw in self.records.items():
            self.by_uid[raw.get("uid", "")] = raw
            if doc_id.isdecimal():
                highest = max(highest, int(doc_id))
        meta = tables["meta"][META_ID]
        self.next_number = max(int(meta.get("next_requirement", 1)), highest + 1)
        self.tiers: dict[str, Any] = {
            str(c.get("name", "")).casefold(): c.get("tier") for c in tables["customers"].values()}

    def by_key(self, key: str) -> dict[str, Any] | None:
        """The stored record with this key, or None (stored under its number, as the board keeps it)."""
        raw = self.records.get(str(key_number(key)))
        return raw if raw is not None and raw.get("key") == key else None


_MISSING = object()
_TIMES = ("created_at", "updated_at", "state_since")
_STATE_VALUE = {state: state.value for state in State}  # an enum's .value is a slow property
_TIME_FIELDS: set[str] = {*_TIMES, "entered_at"}  # a set, as model_dump's `exclude` takes


def _same_as_stored(fields: dict[str, Any], stored: dict[str, Any]) -> bool:
    """True when every field equals the stored (JSON) value exactly; False whenever unsure (then the
    models decide, which also see through spellings the validators normalise). Tells the rows of a
    file imported before from the requirements they made without building a model for each."""
    for name, value in fields.items():
        stored_value = stored.get(name, _MISSING)
        if value == stored_value:  # text, numbers, None; a choice is a str enum, equal to its value
            continue
        if isinstance(value, tuple):  # tags, links, criteria (dicts): a list in the file
            if list(value) != stored_value:
                return False
        elif isinstance(value, date):
            if value.isoformat() != stored_value:
                return False
        else:
            return False
    return True


class _Planner:
    """Plans an import record by record; planning again reuses every record's plan whose basis held."""

    def __init__(self, board: Board, records: list[Incoming], *, rekey: bool,
                 reread: Rereading | None = None) -> None:
        self.board = board
        self.records = records
        """What names each record's requirement (the whole records, unless `reread` gives them)."""
        self.rekey = rekey
        self.reread = reread
        self.now: datetime = board.clock()  # one moment for the whole import, as one transaction has
        self._stamp: str | None = None
        """`now` as the model writes it (see `_document`)."""
        self.planned: dict[int, _Planned] = {}
        """Each record's plan, by its place in `records`."""
        self.targets: list[_Keyed] = []
        self.record_keys: dict[int, str] = {}

    def let_go(self) -> None:
        """Drop the records that can be read again (see Rereading), keeping every record's plan."""
        if self.reread is not None:
            self.records = []

    def plan(self) -> _Plan:
        """Plan every record against the board as it is now (without its lock, or under it)."""
        if self.reread is not None and not self.records:
            self.records = _readable(self.reread.names())
        with paused_gc():  # every document made is kept: the collector would rescan them all, again and again
            return self._plan()

    def _plan(self) -> _Plan:
        tables = self.board.file.tables()
        plan = _Plan(signature=self.board.file.signature)
        snap = _Snapshot(tables)
        self.board._now = self.now
        targets = self._targets(snap, plan)
        self.targets = targets  # for ReqIF relations between records (see `_ref_key`)
        # A key as the file gives it -> the key of that requirement here (found by uid, or re-keyed).
        file_keys = {t.record.key: t.key for t in targets if t.record.key and t.record.key != t.key}
        new_keys = {t.key for t in targets if t.stored is None}
        by_index = {t.index: t for t in targets}
        whole = self.records if self.reread is None else _readable_one_by_one(self.reread.whole())
        for index, record in enumerate(whole):
            if record.problems:
                plan.refused.extend(f"{record.where}, {what}: {message}" for what, message in record.problems)
            target = by_index.get(index)
            if target is None:  # refused as it was matched with the board
                continue
            key = target.key
            # Planning changes the fields: a record read for this plan alone is changed as it is.
            fields = record.fields if self.reread is not None else dict(record.fields)
            refused: list[str] = []
            links = self._links(record, key, fields, file_keys, new_keys, snap, refused)
            tier = self._known_tier(fields, target.stored, snap)
            if tier is not None:
                fields["tier"] = tier
            stored = target.stored
            basis = (key, stored.get("uid") if stored else None, stored.get("version") if stored else None,
                     links, tier)
            planned = self.planned.get(target.index)
            if planned is None or planned.basis != basis:
                outcome = None
                if not refused:
                    if stored is None:
                        outcome = self._plan_add(record, key, fields, refused)
                    else:
                        outcome = self._plan_change(record, stored, key, fields, refused)
                planned = _Planned(basis, outcome, tuple(refused))  # (): one empty tuple for all
                self.planned[target.index] = planned
            plan.refused.extend(planned.refused)
            # A record with a bad value is reported as refused only (it was planned for its other faults).
            if planned.outcome is not None and not record.problems and not planned.refused:
                plan.outcomes.append(planned.outcome)
        self.targets, self.record_keys = [], {}
        return plan

    def forget(self) -> None:
        """Drop every record's plan once it is written (before the commit, which needs the memory)."""
        self.planned.clear()

    def _targets(self, snap: _Snapshot, plan: _Plan) -> list[_Keyed]:
        """Which requirement each record names and the key it has on this board; refuses clashes."""
        in_file: dict[str, str] = {}  # a key as the file gives it -> where
        uids: dict[str, str] = {}
        claimed: dict[str, str] = {}  # a key on this board -> where
        targets: list[_Target] = []
        for index, record in enumerate(self.records):
            if record.key:
                if record.key in in_file:
                    _refuse(plan.refused, record, record.label("key"),
                            f"{record.key} appears twice in the file (also {in_file[record.key]})")
                    continue
                in_file[record.key] = record.where
            if record.uid:
                if record.uid in uids:
                    _refuse(plan.refused, record, record.label("uid"),
                            f"its UID is also the UID of {uids[record.uid]}: one UID names one requirement")
                    continue
                uids[record.uid] = record.where
            target = self._target(index, record, snap, plan)
            if target is None:
                continue
            if target.key:
                if target.key in claimed:
                    _refuse(plan.refused, record, record.label("key"),
                            f"it names {target.key} on this board, as {claimed[target.key]} does: "
                            "import each requirement from one record")
                    continue
                claimed[target.key] = record.where
            targets.append(target)
        next_number = max([snap.next_number] + [key_number(k) + 1 for k in claimed])
        keyed: list[_Keyed] = []
        for target in targets:
            key = target.key
            if key is None:
                if next_number > KEY_NUMBER_LIMIT:
                    _refuse(plan.refused, target.record, "",
                            f"the board has no key left to give it (keys end at REQ-{KEY_NUMBER_LIMIT})")
                    continue
                key = f"REQ-{next_number}"
                next_number += 1
                if target.record.key:
                    plan.rekeyed[target.record.key] = key
            keyed.append(_Keyed(target.index, target.record, target.stored, key))
        return keyed

    def _target(self, index: int, record: Incoming, snap: _Snapshot, plan: _Plan) -> _Target | None:
        """The requirement `record` names (see the module docstring), or None when it was refused."""
        if record.uid:
            stored = snap.by_uid.get(record.uid)
            if stored is not None:
                key = stored.get("key")
                if record.key and record.key != key:
                    plan.notes.append(f"{record.where}: {record.key} in the file is {key} on this board "
                                      "(the same requirement, found by its UID)")
                return _Target(index, record, stored, key)
        if not record.key:
            return _Target(index, record, None, None)
        stored = snap.by_key(record.key)
        if stored is None:
            return _Target(index, record, None, record.key)
        if record.uid and stored.get("uid") != record.uid:
            if self.rekey:
                return _Target(index, record, None, None)
            _refuse(plan.refused, record, record.label("key"),
                    f"{record.key} on this board is a different requirement: {record.key} in the file is not "
                    f"{record.key} on this board (their UIDs differ; the file may come from another copy of "
                    "the board); import with --rekey to add it under a new key")
            return None
        return _Target(index, record, stored, record.key)

    def _links(self, record: Incoming, key: str, fields: dict[str, Any], file_keys: dict[str, str],
               new_keys: set[str], snap: _Snapshot, refused: list[str]) -> tuple[tuple[str, ...], ...]:
        """Turn the record's links into keys of this board (in `fields`); refuse links to nothing."""
        resolved: list[tuple[str, ...]] = []
        for name in ("depends_on", "conflicts_with"):
            if name not in fields:
                resolved.append(())
                continue
            keys = []
            for other in fields[name]:
                if isinstance(other, Ref):
                    ref, other = other, self._ref_key(other, snap)
                    if other is None:
                        _refuse(refused, record, record.label(name), f"it links to {ref.identifier}, which is "
                                "neither an accepted record of this file nor on this board")
                        continue
                else:  # a key as the file gives it: the requirement of that record, if the file has it
                    other = file_keys.get(other, other)
                keys.append(other)
                if other == key:
                    _refuse(refused, record, record.label(name), f"{key} cannot list itself")
                elif other not in new_keys and snap.by_key(other) is None:
                    _refuse(refused, record, record.label(name),
                            f"{other} is neither on this board nor added by this file")
            fields[name] = tuple(keys)
            resolved.append(fields[name])
        return tuple(resolved)

    def _ref_key(self, ref: Ref, snap: _Snapshot) -> str | None:
        """The key on this board of the record or requirement a ReqIF relation points at, or None."""
        if ref.record is not None:
            if not self.record_keys:
                self.record_keys = {id(t.record): t.key for t in self.targets}
            return self.record_keys.get(id(ref.record))
        found = snap.by_uid.get(ref.uid or "")
        return found.get("key") if found else None

    @staticmethod
    def _known_tier(fields: dict[str, Any], stored: dict[str, Any] | None, snap: _Snapshot) -> Any:
        """The tier of a known customer, for a record that names the customer but gives no tier."""
        name = fields.get("customer")
        if not name:
            return None
        if stored is None:
            wanted = fields.get("tier") is None
        else:  # a change keeps the tier unless it changes the customer (and the file has no Tier)
            wanted = "tier" not in fields and name != stored.get("customer")
        return snap.tiers.get(str(name).strip().casefold()) if wanted else None

    def _validation(self, record: Incoming, exc: Exception, refused: list[str]) -> None:
        err = validation_message(exc) if isinstance(exc, ValidationError) else exc
        errors = getattr(err, "errors", None) or {"": str(err)}
        for loc, msg in errors.items():
            name = loc.split(".", 1)[0]
            _refuse(refused, record, record.label(name) if name else "", msg)

    def _split(self, record: Incoming, fields: dict[str, Any],
               refused: list[str]) -> tuple[State | None, str | None, dict[str, Any]]:
        state = fields.pop("state", None)
        reason = fields.pop("rejection_reason", None)
        unknown = set(fields) - EDITABLE_FIELDS
        for name in sorted(unknown):  # a parser bug rather than a user's mistake, but say so plainly
            _refuse(refused, record, record.label(name), "this field cannot be imported")
            fields.pop(name)
        return state, reason, fields

    def _plan_change(self, record: Incoming, stored: dict[str, Any], key: str, fields: dict[str, Any],
                     refused: list[str]) -> _Outcome | None:
        """The change `record` makes to the stored requirement; None when it was refused."""
        if _same_as_stored(fields, stored):
            return _Same(key)
        current = validated(stored, self.board.path)
        state, reason, fields = self._split(record, fields, refused)
        if refused:
            return None
        wanted = {k: v for k, v in fields.items() if getattr(current, k) != v}
        try:
            updated = self.board._revise(current, **wanted)
        except (InvalidValue, ValidationError) as exc:
            self._validation(record, exc, refused)
            return None
        if state is not None and state is not current.state:
            refusal = workflow.check_move(updated, state, reason or "")
            if refusal:
                _refuse(refused, record, record.label("state"),
                        f"{refusal.message} (an import changes a state only as the workflow allows; "
                        f"otherwise use `reqboard move {current.key} {state.value}`)")
                return None
            wanted.update(self.board._enter(current, state))
            if state is State.REJECTED:
                wanted["rejection_reason"] = reason or ""
            elif current.state is State.REJECTED:
                wanted["rejection_reason"] = ""
            updated = self.board._revise(current, **wanted)
        elif reason is not None and _clean(reason) != current.rejection_reason:
            _refuse(refused, record, record.label("rejection_reason"),
                    f"a rejection reason is given only when rejecting {current.key} (State: rejected)")
            return None
        changes = diff(current, updated)
        if not changes:
            return _Same(key)
        if record.version is not None and current.version > record.version:
            _refuse(refused, record, record.label("version"),
                    f"{current.key} changed since this file was made (version {record.version} in the "
                    f"file, {current.version} on the board, saved by {current.updated_by} at "
                    f"{current.updated_at:%Y-%m-%d %H:%M} UTC): export again and redo the edits")
            return None
        return _Change(record.where, key, updated.model_dump(mode="json"), changes, updated.customer, updated.tier)

    def _plan_add(self, record: Incoming, key: str, fields: dict[str, Any], refused: list[str]) -> _Outcome | None:
        """The requirement `record` adds under `key`; None when it was refused."""
        state, reason, fields = self._split(record, fields, refused)
        title = fields.pop("title", "")
        if not title or not str(title).strip():
            _refuse(refused, record, record.label("title"), "a new requirement needs a title")
            return None
        now, user = self.now, self.board.user
        # A record from another copy of the board keeps its uid and version there, so that the copies'
        # versions stay comparable when the record comes back changed.
        version = record.version if record.uid and record.version else 1
        try:
            req = Requirement(
                key=key, uid=record.uid or new_uid(), title=title, **fields, state=State.COLLECTED,
                entered_at={State.COLLECTED: now}, state_since=now, version=version,
                created_by=user, created_at=now, updated_by=user, updated_at=now,
            )
        except ValidationError as exc:
            self._validation(record, exc, refused)
            return None
        target = state or State.COLLECTED
        if target is State.COLLECTED:  # most rows of most files
            path: tuple[State, ...] = ()
        elif target is State.REJECTED:
            path = (State.REJECTED,)
        else:
            path = BOARD_STATES[1 : workflow.position(target) + 1]
        moves = []
        for step in path:
            refusal = workflow.check_move(req, step, reason or "")
            if refusal:
                _refuse(refused, record, record.label("state"),
                        f"a new requirement starts collected and moves on only as the workflow allows: "
                        f"{refusal.message} (import it in an earlier state, or use the JSON format "
                        "for a lossless copy)")
                return None
            entered = {**req.entered_at, step: now}
            moves.append((req.state.value, step.value))
            req = req.model_copy(update={"state": step, "entered_at": entered, "state_since": now,
                                         "rejection_reason": reason or "" if step is State.REJECTED else ""})
        if reason and target is not State.REJECTED:
            _refuse(refused, record, record.label("rejection_reason"),
                    "a rejection reason is given only for a rejected requirement (State: rejected)")
            return None
        if moves:  # model_copy does not validate: the requirement as stored is validated once
            req = Requirement.model_validate(req.model_dump())
        return _Add(record.where, key, req.title, req.state, self._document(req), tuple(moves),
                    req.customer, req.tier)

    def _document(self, req: Requirement) -> dict[str, Any]:
        """`req.model_dump(mode="json")`, the stored form of a new requirement.

        Every time in a new requirement is the import's moment; the model writes that moment once (for
        the first requirement) and the others reuse its text: writing times is half the cost of
        dumping a requirement, and a file of 100,000 rows would write 400,000 of them.
        """
        now = self.now
        if (self._stamp is None or req.created_at != now or req.updated_at != now or req.state_since != now
                or any(moment != now for moment in req.entered_at.values())):
            document = req.model_dump(mode="json")
            if self._stamp is None and req.created_at == now:
                self._stamp = document["created_at"]
            return document
        stamp = self._stamp
        document = req.model_dump(mode="json", exclude=_TIME_FIELDS)
        for name in _TIMES:  # (after the other fields: the order of a record's fields means nothing)
            document[name] = stamp
        document["entered_at"] = {_STATE_VALUE[state]: stamp for state in req.entered_at}
        return document


def _refuse(refused: list[str], record: Incoming, what: str, message: str) -> None:
    place = f"{record.where}, {what}" if what else record.where
    refused.append(f"{place}: {message}")


def _clean(text: str) -> str:
    """Text as the models keep it (a spreadsheet may have turned line ends into CRLF)."""
    return strip_control(text)


def _write(board: Board, plan: _Plan, now: datetime, summary: ImportSummary) -> None:
    """Store the planned documents and their history (inside the board's transaction)."""
    with paused_gc():  # a history event for every record, all kept until the commit
        _write_events(board, plan, now, summary)


def _write_events(board: Board, plan: _Plan, now: datetime, summary: ImportSummary) -> None:
    reason = f"imported from {summary.source}" if summary.source else f"imported ({summary.format})"
    board._now = now
    adds = [o for o in plan.outcomes if isinstance(o, _Add)]
    changes = [o for o in plan.outcomes if isinstance(o, _Change)]
    customers: dict[str, tuple[str, Tier | None, Tier | None]] = {}
    for add in adds:
        board._event(add.key, "created", field="title", new=add.title, reason=reason)
        for old, new in add.moves:
            board._event(add.key, "moved", field="state", old=old, new=new, reason=reason)
        board.file.put("requirements", key_number(add.key), add.document, new=True)
        _customer_seen(customers, add.customer, add.tier)
    for change in changes:
        for name, old, new in change.changes:  # as Board._log_diff records an edit: a state is a move
            board._event(change.key, "moved" if name == "state" else "imported", field=name, old=old,
                         new=new, reason=reason)
        board.file.put("requirements", key_number(change.key), change.document)
        _customer_seen(customers, change.customer, change.tier)
    # Remembered once per customer (the first record's spelling and tier, then the last tier given):
    # the same customers table as remembering every record in turn, without a pass per record.
    # Board._remember_customer reads a requirement's customer and tier: a copy of one unvalidated
    # template carries them (model_construct fills every default, a millisecond a call).
    template = Requirement.model_construct()
    for name, first, last in customers.values():
        board._remember_customer(template.model_copy(update={"customer": name, "tier": first}))
        if last is not None and last != first:
            board._remember_customer(template.model_copy(update={"customer": name, "tier": last}))
    if adds:
        meta = board.file.tables()["meta"][META_ID]
        highest = max(key_number(a.key) for a in adds) + 1
        if highest > int(meta.get("next_requirement", 1)):
            board.file.db.table("meta").update({"next_requirement": highest}, doc_ids=[int(META_ID)])
    board._event("board", "imported", field="source", new=summary.source or summary.format,
                 reason=f"{summary.format}: {len(adds)} added, {len(changes)} changed")


def _customer_seen(customers: dict[str, tuple[str, Tier | None, Tier | None]], name: str,
                   tier: Tier | None) -> None:
    if not name:
        return
    folded = name.casefold()
    seen = customers.get(folded)
    if seen is None:
        customers[folded] = (name, tier, tier)
    elif tier is not None:
        customers[folded] = (seen[0], seen[1], tier)


__all__ = [
    "KEY_NUMBER_LIMIT",
    "FieldChange",
    "ImportRefused",
    "ImportSummary",
    "Incoming",
    "PlannedAdd",
    "PlannedChange",
    "Ref",
    "Rereading",
    "merge",
    "show_value",
]
