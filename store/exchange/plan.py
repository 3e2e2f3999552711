"""The planner: which requirement each incoming record names, and what importing it would write.

One planner for every format. It reads the board through a `Snapshot` (never its lock) and decides,
record by record, what the import adds, changes, leaves alone or refuses; `check` turns the refusals
into the report and `apply` writes the plan through one transaction.

Which requirement a record names:
- a record with a uid that is on the board is that requirement, whatever key the file gives it (a
  file from another copy of the board, or one this board re-keyed on an earlier import);
- a record whose key is on the board with another uid is another requirement: it is refused
  ("REQ-7 in the file is not REQ-7 on this board"), or with `rekey` added under a new key;
- a record without a uid is matched by its key (a spreadsheet someone typed); without either it is new.
So importing the same file twice changes nothing the second time: every record with a uid finds the
requirement the first import made or changed, and a record identical to it is reported unchanged.

Records with fields (CSV, ReqIF) change the requirement they name through the models' validators and
`workflow.check_move` for any change of state: a version bump and one history event per changed field.
`check_move` is asked with the board's rules, as a move is: its sign-off roles, the states on the board
of what a requirement depends on (an import cannot override a dependency: `reqboard move
--override-dependency` can), its open conflicts. Links are the board's too: a dependency that would
close a cycle is refused, as an edit's is, and a note says when a record drops a conflict that the
other requirement still lists (a conflict is one link, whichever side lists it: see store.links).
A change to a requirement whose version on the board is newer than the file's is refused (it was
changed since the file was made); a record identical to the requirement is never refused. An existing
requirement moves only as `check_move` allows (one step forward with its guard satisfied, or to
rejected with a reason); a new one starts collected and walks forward one step at a time through the
same guards, so a file cannot create a requirement that is approved without an approval record.

Lossless records (JSON) are whole requirements: one recognised by its uid must be exactly the board's
(else it is refused: importing it would make a copy), a new one is added as it is (states, times,
change requests and history), and clashing keys of requirements and change requests are refused or,
with `rekey`, given the next free keys after every key in the file and on the board.

Planning again after another writer committed (see `pipeline`) checks again only the records whose
requirement, key, links or customer tier changed; the others keep their planned documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from .. import clock, workflow
from ..cards import validated
from ..domain import SIGNOFF_ROLES, stored_roles
from ..errors import InvalidValue, validation_message
from ..i18n import ENGLISH, _, english, language, listed
from ..links import FINISHED, LinkIndex
from ..memory import paused_gc
from ..models import (
    BOARD_STATES,
    MAX_KEY_DIGITS,
    ChangeRequest,
    Customer,
    Requirement,
    State,
    Tier,
    is_change_request_key,
    key_number,
    new_uid,
    strip_control,
)
from ..revisions import EDITABLE_FIELDS, diff
from ..snapshot import Revision, Snapshot
from ..surveys import COMPLAINT_CAUSES, MAX_CODE_LENGTH, code_label, code_of, stored_codes
from .incoming import (
    KEY_NUMBER_LIMIT,
    FieldChange,
    ImportSummary,
    Incoming,
    PlannedAdd,
    PlannedChange,
    ReadFile,
    Ref,
    Said,
    place_in,
    problem_at,
    said,
    said_by,
)


@dataclass(slots=True)
class Add:
    """A requirement the import adds: the document to store and what the history and summary say."""

    where: str
    key: str
    title: str
    state: State
    document: dict[str, Any]
    moves: tuple[tuple[str, str], ...]
    customer: str
    tier: Tier | None
    original: str | None = None
    """A lossless record's key in the file (its history and the `imported` event say where it came from)."""
    history: tuple[dict[str, Any], ...] = ()
    """A lossless record's events from the file, with the keys they have on this board."""
    model: Requirement | None = None
    """A lossless record's requirement as stored (the JSON import reports it)."""


@dataclass(slots=True)
class Change:
    """A requirement the import changes: the new document and each changed field (field, old, new)."""

    where: str
    key: str
    document: dict[str, Any]
    changes: list[tuple[str, Any, Any]]
    customer: str
    tier: Tier | None


@dataclass(slots=True)
class Same:
    """A record identical to the requirement it names."""

    key: str


Outcome = Add | Change | Same


@dataclass(slots=True)
class _Planned:
    """One record's plan and what it was made from (`basis`): the same basis gives the same plan."""

    basis: tuple[Any, ...]
    outcome: Outcome | None
    refused: tuple[str, ...]


@dataclass
class Plan:
    """Everything an import would write, against the board at `revision`."""

    revision: Revision
    outcomes: list[Outcome] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Refusals of records, by place (for records with fields)."""
    notes: list[str] = field(default_factory=list)
    rekeyed: dict[str, str] = field(default_factory=dict)
    uid_problems: list[str] = field(default_factory=list)
    """Lossless records: a uid that names something else here, a key past the last one."""
    clashes: list[str] = field(default_factory=list)
    """Lossless records: keys (of requirements, then change requests) that are taken on this board."""
    customers: list[Customer] = field(default_factory=list)
    """Lossless files: the customers this board does not know yet."""

    @property
    def writes(self) -> bool:
        return bool(self.customers) or any(not isinstance(o, Same) for o in self.outcomes)

    def fill(self, summary: ImportSummary) -> None:
        """Put what this plan adds, changes and leaves alone into `summary` (replacing an earlier plan's)."""
        with paused_gc():  # a line of the report for every record, all kept
            summary.added = [PlannedAdd(o.key, o.title, _STATE_VALUE[o.state], o.where)
                             for o in self.outcomes if isinstance(o, Add)]
            summary.changed = [PlannedChange(o.key, o.where, tuple(FieldChange(*c) for c in o.changes))
                               for o in self.outcomes if isinstance(o, Change)]
        summary.unchanged = [o.key for o in self.outcomes if isinstance(o, Same)]
        summary.rekeyed = dict(self.rekeyed)


@dataclass(slots=True)
class _Target:
    """The requirement a record names on the board (`stored`: None for a new one) and its key there
    (None until a new key is given)."""

    index: int
    """Its place among the records."""
    record: Incoming
    stored: Mapping[str, Any] | None
    key: str | None


@dataclass(slots=True)
class _Keyed:
    """A record (the `index`th), the stored requirement it names (None: a new one), its key here."""

    index: int
    record: Incoming
    stored: Mapping[str, Any] | None
    key: str


class _Board:
    """The board as one plan sees it: its records by key and by uid, its customers, its counters."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.records = snapshot.requirements
        self.by_uid: dict[str, Mapping[str, Any]] = {}
        highest = 0
        for number, raw in self.records.items():
            self.by_uid[raw.get("uid", "")] = raw
            highest = max(highest, number)
        self.next_number = max(snapshot.next_requirement, highest + 1)
        self._change_requests: tuple[dict[str, str], dict[str, str]] | None = None
        self._links: LinkIndex | None = None

    def rules_for(self, req: Requirement, target: State) -> workflow.Rules:
        """The board's rules for moving `req` (as the file makes it) to `target`: its sign-off roles,
        what the requirements it depends on are on the board now, its open conflicts there."""
        if self._links is None:
            self._links = LinkIndex.of_records(self.records.values())
        links = self._links
        blockers = tuple(k for k in req.depends_on if (state := links.state(k)) is not None and state not in FINISHED)
        conflicts = links.open_conflicts(req.key) if target is State.APPROVED else ()
        return workflow.Rules(signoff_roles=stored_roles(self.snapshot.settings.get(SIGNOFF_ROLES)),
                              blockers=blockers, open_conflicts=conflicts)

    def by_key(self, key: str) -> Mapping[str, Any] | None:
        """The stored record with this key, or None (stored under its number, as the board keeps it)."""
        raw = self.records.get(key_number(key))
        return raw if raw is not None and raw.get("key") == key else None

    def tier(self, name: str) -> Any:
        """The stored tier of a known customer (any case), or None."""
        stored = self.snapshot.customers.get(name.strip())
        return stored.get("tier") if stored is not None else None

    def change_requests(self) -> tuple[dict[str, str], dict[str, str]]:
        """Change request key -> key of its requirement, and change request uid -> key, on the board."""
        if self._change_requests is None:
            owners: dict[str, str] = {}
            by_uid: dict[str, str] = {}
            for raw in self.records.values():
                for cr in raw.get("change_requests", ()):
                    owners[cr.get("key")] = raw["key"]
                    by_uid[cr.get("uid")] = cr.get("key")
            self._change_requests = owners, by_uid
        return self._change_requests


def readable(records: Iterable[Incoming]) -> list[Incoming]:
    """The records that can be planned: not one the reader could not read as a whole (a row of the
    wrong length), which is reported only."""
    return [r for r in records if all(what for what, _message in r.problems)]


def _readable_one_by_one(records: Iterable[Incoming]) -> Iterator[Incoming]:
    """`readable`, one record at a time."""
    return (r for r in records if not r.problems or all(what for what, _message in r.problems))


_MISSING = object()
_TIMES = ("created_at", "updated_at", "state_since")
_STATE_VALUE = {state: state.value for state in State}  # an enum's .value is a slow property
_TIME_FIELDS: set[str] = {*_TIMES, "entered_at"}  # a set, as model_dump's `exclude` takes


def _same_as_stored(fields: dict[str, Any], stored: Mapping[str, Any]) -> bool:
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


class Planner:
    """Plans an import record by record; planning again reuses every record's plan whose basis held."""

    def __init__(self, read: ReadFile, *, user: str, now: datetime, path: Any, rekey: bool) -> None:
        self.read = read
        self.records = readable(read.records)
        """What names each record's requirement (the whole records, unless `read.reread` gives them)."""
        self.user = user
        self.now = now
        """One moment for the whole import, as one transaction has."""
        self.path = path
        self.rekey = rekey
        self._stamp: str | None = None
        """`now` as the model writes it (see `_document`)."""
        self.planned: dict[int, _Planned] = {}
        """Each record's plan, by its place in `records`."""
        self.targets: list[_Keyed] = []
        self.record_keys: dict[int, str] = {}

    def let_go(self) -> None:
        """Drop the records that can be read again (see Rereading), keeping every record's plan."""
        if self.read.reread is not None:
            self.records = []

    def forget(self) -> None:
        """Drop every record's plan once it is written (before the commit, which needs the memory)."""
        self.planned.clear()

    def plan(self, snapshot: Snapshot) -> Plan:
        """Plan every record against the board as `snapshot` shows it."""
        if self.read.reread is not None and not self.records:
            self.records = readable(self.read.reread.names())
        with paused_gc():  # every document made is kept: the collector would rescan them all, again and again
            return self._plan(_Board(snapshot))

    def _plan(self, board: _Board) -> Plan:
        self._rules_of = board.rules_for
        plan = Plan(revision=board.snapshot.revision)
        targets = self._targets(board, plan)
        self.targets = targets  # for ReqIF relations between records (see `_ref_key`)
        if self.read.lossless:
            self._plan_lossless(board, plan, targets)
            self.targets, self.record_keys = [], {}
            return plan
        # A key as the file gives it -> the key of that requirement here (found by uid, or re-keyed).
        file_keys = {t.record.key: t.key for t in targets if t.record.key and t.record.key != t.key}
        new_keys = {t.key for t in targets if t.stored is None}
        by_index = {t.index: t for t in targets}
        linking: dict[str, Incoming] = {}  # the records whose links change, by key
        reread = self.read.reread
        whole = self.records if reread is None else _readable_one_by_one(reread.whole())
        for index, record in enumerate(whole):
            if record.problems:
                plan.refused.extend(problem_at(place_in(record.where, what), message) for what, message in record.problems)
            target = by_index.get(index)
            if target is None:  # refused as it was matched with the board
                continue
            key = target.key
            # Planning changes the fields: a record read for this plan alone is changed as it is.
            fields = record.fields if reread is not None else dict(record.fields)
            refused: list[str] = []
            links = self._links(record, key, fields, file_keys, new_keys, board, refused)
            tier = self._known_tier(fields, target.stored, board)
            if tier is not None:
                fields["tier"] = tier
            causes = self._cause(record, fields, board, refused, target.stored)
            stored = target.stored
            basis = (key, stored.get("uid") if stored else None, stored.get("version") if stored else None,
                     links, tier, causes)
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
                if _links_change(planned.outcome):
                    linking[key] = record
        if linking:
            self._check_links_across(board, plan, linking)
        self.targets, self.record_keys = [], {}
        return plan

    @staticmethod
    def _check_links_across(board: _Board, plan: Plan, linking: dict[str, Incoming]) -> None:
        """The links of the board with every planned record in it: refuse a dependency that closes a cycle
        (work that waits on itself never starts); note a conflict a record drops that the other still lists."""
        documents = {key_number(o.key): o.document for o in plan.outcomes if isinstance(o, Add | Change)}
        index = LinkIndex.of_records({**board.records, **documents}.values())
        for outcome in plan.outcomes:
            record = linking.get(outcome.key)
            if record is None or isinstance(outcome, Same):
                continue
            key, stored = outcome.key, board.by_key(outcome.key) if isinstance(outcome, Change) else None
            before = set(stored.get("depends_on") or ()) if stored is not None else set()
            for other in outcome.document.get("depends_on") or ():
                chain = index.cycle_path(other, key) if other not in before else None
                if chain is not None:
                    _refuse(plan.refused, record, record.label("depends_on"), said(
                        lambda: _("{key} cannot depend on {other}: {other} already depends on {key} ({chain}), and "
                                  "work that waits on itself never starts"),
                        key=key, other=other, chain=" → ".join(chain)))
            dropped = set(stored.get("conflicts_with") or ()) if stored is not None else set()
            dropped -= set(outcome.document.get("conflicts_with") or ())
            for other in sorted(dropped, key=_number_of):
                listing = documents.get(_number_of(other)) or board.by_key(other)
                if listing is not None and key in (listing.get("conflicts_with") or ()):
                    plan.notes.append(problem_at(place_in(record.where, record.label("conflicts_with")), said(
                        lambda: _("{other} still lists {key} as a conflict, so the conflict stays: drop it from "
                                  "{other} too"), key=key, other=other)))

    # ---------------------------------------------------------------- which requirement a record names
    def _targets(self, board: _Board, plan: Plan) -> list[_Keyed]:
        """Which requirement each record names and the key it has on this board; refuses clashes."""
        in_file: dict[str, str] = {}  # a key as the file gives it -> where
        uids: dict[str, str] = {}
        claimed: dict[str, str] = {}  # a key on this board -> where
        targets: list[_Target] = []
        for index, record in enumerate(self.records):
            if record.key:
                if record.key in in_file:
                    _refuse(plan.refused, record, record.label("key"),
                            said(lambda: _("{key} appears twice in the file (also {where})"),
                                 key=record.key, where=in_file[record.key]))
                    continue
                in_file[record.key] = record.where
            if record.uid:
                if record.uid in uids:
                    _refuse(plan.refused, record, record.label("uid"),
                            said(lambda: _("its UID is also the UID of {where}: one UID names one requirement"),
                                 where=uids[record.uid]))
                    continue
                uids[record.uid] = record.where
            target = self._target(index, record, board, plan)
            if target is None:
                continue
            if target.key:
                if target.key in claimed:
                    _refuse(plan.refused, record, record.label("key"),
                            said(lambda: _("it names {key} on this board, as {where} does: import each requirement "
                                           "from one record"), key=target.key, where=claimed[target.key]))
                    continue
                claimed[target.key] = record.where
            targets.append(target)
        numbers = [board.next_number] + [key_number(k) + 1 for k in claimed]
        if self.read.lossless:  # re-keyed records are numbered after every key in the file, too
            numbers += [key_number(k) + 1 for k in in_file]
        next_number = max(numbers)
        keyed: list[_Keyed] = []
        for target in targets:
            key = target.key
            if key is None:
                if self.read.lossless and not self.rekey:  # a clash: refused, but planned for the report
                    keyed.append(_Keyed(target.index, target.record, None, target.record.key or ""))
                    continue
                if next_number > KEY_NUMBER_LIMIT:
                    if self.read.lossless:
                        plan.uid_problems.append(said(lambda: _("{key} cannot be given a new key: keys stop at "
                                                                "{digits} digits"),
                                                      key=target.record.key, digits=MAX_KEY_DIGITS))
                    else:
                        _refuse(plan.refused, target.record, "",
                                said(lambda: _("the board has no key left to give it (keys end at {last})"),
                                     last=f"REQ-{KEY_NUMBER_LIMIT}"))
                    continue
                key = f"REQ-{next_number}"
                next_number += 1
                if target.record.key:
                    plan.rekeyed[target.record.key] = key
            keyed.append(_Keyed(target.index, target.record, target.stored, key))
        return keyed

    def _target(self, index: int, record: Incoming, board: _Board, plan: Plan) -> _Target | None:
        """The requirement `record` names (see the module docstring), or None when it was refused."""
        if record.uid:
            stored = board.by_uid.get(record.uid)
            if stored is not None:
                key = stored.get("key")
                if record.key and record.key != key and not self.read.lossless:
                    plan.notes.append(problem_at(record.where, said(lambda: _(
                        "{key} in the file is {board_key} on this board (the same requirement, found by its "
                        "UID)"), key=record.key, board_key=key)))
                return _Target(index, record, stored, key)
        if not record.key:
            return _Target(index, record, None, None)
        stored = board.by_key(record.key)
        if stored is None:
            return _Target(index, record, None, record.key)
        if record.uid and stored.get("uid") != record.uid:
            if self.read.lossless:
                plan.clashes.append(record.key)
                return _Target(index, record, None, None)
            if self.rekey:
                return _Target(index, record, None, None)
            _refuse(plan.refused, record, record.label("key"),
                    said(lambda: _("{key} on this board is a different requirement: {key} in the file is not {key} on "
                                   "this board (their UIDs differ; the file may come from another copy of the board); "
                                   "import with --rekey to add it under a new key"), key=record.key))
            return None
        return _Target(index, record, stored, record.key)

    # ---------------------------------------------------------------- lossless records
    def _plan_lossless(self, board: _Board, plan: Plan, targets: list[_Keyed]) -> None:
        """Whole requirements: recognised ones must be the board's, new ones are added as they are."""
        board_crs, cr_by_uid = board.change_requests()
        key_map = {t.record.key: t.key for t in targets if t.record.key}
        cr_map: dict[str, str] = {}
        new: list[_Keyed] = []
        for target in targets:
            req = target.record.whole
            assert req is not None  # a lossless file's records are whole
            if target.stored is not None:
                cr_map |= {cr.key: cr_by_uid[cr.uid] for cr in req.change_requests if cr.uid in cr_by_uid}
                continue
            new.append(target)
            for cr in req.change_requests:
                if cr.uid in cr_by_uid:
                    plan.uid_problems.append(said(
                        lambda: _("{cr} (on {key}) has the uid of {board_cr} on this board (on {board_key}); a uid "
                                  "names one change request"),
                        cr=cr.key, key=req.key, board_cr=cr_by_uid[cr.uid], board_key=board_crs[cr_by_uid[cr.uid]]))
        # Change requests of new records whose keys are taken: refused, or (rekey) given the next free keys.
        in_file = [cr for t in self.records if t.whole is not None for cr in t.whole.change_requests]
        next_cr = max([board.snapshot.next_change_request] + [key_number(cr.key) + 1 for cr in in_file])
        cr_clashes = [cr.key for t in new if t.record.whole is not None
                      for cr in t.record.whole.change_requests if cr.key in board_crs]
        for cr_key in cr_clashes if self.rekey else ():
            while f"CR-{next_cr}" in board_crs:
                next_cr += 1
            new_key = f"CR-{next_cr}"
            next_cr += 1
            if not is_change_request_key(new_key):
                plan.uid_problems.append(said(lambda: _("{key} cannot be given a new key: keys stop at {digits} "
                                                        "digits"), key=cr_key, digits=MAX_KEY_DIGITS))
            plan.rekeyed[cr_key] = new_key
            cr_map[cr_key] = new_key
        plan.clashes.sort(key=key_number)
        plan.clashes += sorted(cr_clashes, key=key_number)
        for target in targets:
            req = target.record.whole
            assert req is not None
            stored = target.stored
            if stored is not None:
                if _translated(req, key_map, cr_map) == validated(stored, self.path):
                    plan.outcomes.append(Same(target.key))
                elif target.key == req.key:
                    plan.uid_problems.append(said(
                        lambda: _("{key} is on this board already and differs from the file's (same uid); importing "
                                  "it again would make a copy: leave it out of the file"), key=req.key))
                else:
                    plan.uid_problems.append(said(
                        lambda: _("{key} in the file is {board_key} on this board (same uid) and differs from it; "
                                  "importing it would make a copy: leave it out of the file"),
                        key=req.key, board_key=target.key))
                continue
            added = _translated(req, key_map, cr_map)
            history = tuple({**event.model_dump(mode="json", exclude={"generation"}),
                             "cr": cr_map.get(event.cr, event.cr) if event.cr else None}
                            for event in target.record.history)
            plan.outcomes.append(Add(
                said(lambda: _("record {key}"), key=req.key), added.key, added.title, added.state,
                added.model_dump(mode="json"), (),
                "", None, original=req.key, history=history, model=added))
        known: set[str] = set()
        for customer in self.read.customers:
            folded = customer.name.casefold()
            if folded in known or customer.name in board.snapshot.customers:
                continue  # the board's own record of a customer wins over the file's
            known.add(folded)
            plan.customers.append(customer)

    # ---------------------------------------------------------------- records with fields
    def _links(self, record: Incoming, key: str, fields: dict[str, Any], file_keys: dict[str, str],
               new_keys: set[str], board: _Board, refused: list[str]) -> tuple[tuple[str, ...], ...]:
        """Turn the record's links into keys of this board (in `fields`); refuse links to nothing."""
        resolved: list[tuple[str, ...]] = []
        for name in ("depends_on", "conflicts_with"):
            if name not in fields:
                resolved.append(())
                continue
            keys = []
            for other in fields[name]:
                if isinstance(other, Ref):
                    ref, other = other, self._ref_key(other, board)
                    if other is None:
                        _refuse(refused, record, record.label(name),
                                said(lambda: _("it links to {identifier}, which is neither an accepted record of this "
                                               "file nor on this board"), identifier=ref.identifier))
                        continue
                else:  # a key as the file gives it: the requirement of that record, if the file has it
                    other = file_keys.get(other, other)
                keys.append(other)
                if other == key:
                    _refuse(refused, record, record.label(name), said(lambda: _("{key} cannot list itself"), key=key))
                elif other not in new_keys and board.by_key(other) is None:
                    _refuse(refused, record, record.label(name),
                            said(lambda: _("{key} is neither on this board nor added by this file"), key=other))
            fields[name] = tuple(keys)
            resolved.append(fields[name])
        return tuple(resolved)

    def _ref_key(self, ref: Ref, board: _Board) -> str | None:
        """The key on this board of the record or requirement a ReqIF relation points at, or None."""
        if ref.record is not None:
            if not self.record_keys:
                self.record_keys = {id(t.record): t.key for t in self.targets}
            return self.record_keys.get(id(ref.record))
        found = board.by_uid.get(ref.uid or "")
        return found.get("key") if found else None

    @staticmethod
    def _known_tier(fields: dict[str, Any], stored: Mapping[str, Any] | None, board: _Board) -> Any:
        """The tier of a known customer, for a record that names the customer but gives no tier."""
        name = fields.get("customer")
        if not name:
            return None
        if stored is None:
            wanted = fields.get("tier") is None
        else:  # a change keeps the tier unless it changes the customer (and the file has no Tier)
            wanted = "tier" not in fields and name != stored.get("customer")
        return board.tier(str(name)) if wanted else None

    @staticmethod
    def _cause(record: Incoming, fields: dict[str, Any], board: _Board, refused: list[str],
               stored: Mapping[str, Any] | None) -> tuple[str, ...] | None:
        """A complaint's cause as the board's list spells it (a cause or its label, any case), as an edit
        takes it; refused when the list does not have it. A cause the requirement has already is never
        refused (the list may have changed since, or a sync brought it from a board with another list):
        the board's own export comes back. Returns the list it was checked against (None: no cause
        given or none changed), which a plan made again after the board changed compares."""
        cause = fields.get("cause")
        if not cause or (stored is not None and cause == stored.get("cause")):
            return None
        causes = stored_codes(board.snapshot.settings, COMPLAINT_CAUSES)
        try:
            fields["cause"] = code_of(str(cause), causes, COMPLAINT_CAUSES)
        except InvalidValue:
            _refuse(refused, record, record.label("cause"), said(
                lambda: _("{cause!r} is not a complaint cause of this board; it has {causes}"),
                cause=str(cause)[:MAX_CODE_LENGTH], causes=said_by(lambda: listed(code_label(c) for c in causes))))
        return causes

    def _validation(self, record: Incoming, exc: Exception, refused: list[str], again: Callable[[], object]) -> None:
        """Refuse `record` for each field the models refused (`exc`, raised by `again()`); in another
        language than English, `again()` is run once more in English for the English of each refusal
        (a validator's message is made in the language spoken when it ran)."""
        errors = _field_errors(exc)
        in_english = errors
        if language() != ENGLISH:
            with english():
                try:
                    again()
                except (InvalidValue, ValidationError) as english_exc:
                    in_english = _field_errors(english_exc)
        for loc, msg in errors.items():
            name = loc.split(".", 1)[0]
            english_msg = in_english.get(loc, msg)
            _refuse(refused, record, record.label(name) if name else "",
                    Said(msg, english_msg) if english_msg != msg else msg)

    def _split(self, record: Incoming, fields: dict[str, Any],
               refused: list[str]) -> tuple[State | None, str | None, dict[str, Any]]:
        state = fields.pop("state", None)
        reason = fields.pop("rejection_reason", None)
        unknown = set(fields) - EDITABLE_FIELDS
        for name in sorted(unknown):  # a parser bug rather than a user's mistake, but say so plainly
            _refuse(refused, record, record.label(name), said(lambda: _("this field cannot be imported")))
            fields.pop(name)
        return state, reason, fields

    def _revise(self, req: Requirement, changes: dict[str, Any]) -> Requirement:
        """The next version of `req`, as a transaction makes it, with the import's own user and moment
        (the plan is made before any transaction exists)."""
        return req.revised(changes, by=self.user, at=self.now)

    def _enter(self, req: Requirement, state: State) -> dict[str, Any]:
        """The field changes of entering a state, as a transaction makes them, at the import's moment."""
        return req.entering(state, self.now)

    def _plan_change(self, record: Incoming, stored: Mapping[str, Any], key: str, fields: dict[str, Any],
                     refused: list[str]) -> Outcome | None:
        """The change `record` makes to the stored requirement; None when it was refused."""
        if _same_as_stored(fields, stored):
            return Same(key)
        current = validated(stored, self.path)
        state, reason, fields = self._split(record, fields, refused)
        if refused:
            return None
        wanted = {k: v for k, v in fields.items() if getattr(current, k) != v}
        try:
            updated = self._revise(current, wanted)
        except (InvalidValue, ValidationError) as exc:
            self._validation(record, exc, refused, lambda: self._revise(current, wanted))
            return None
        if state is not None and state is not current.state:
            # The board's rules, as a move's (see the module docstring).
            rules = self._rules_of(updated, state)
            refusal = workflow.check_move(updated, state, reason or "", rules)
            if refusal:
                _refuse(refused, record, record.label("state"),
                        said(lambda: _("{refusal} (an import changes a state only as the workflow allows; otherwise "
                                       "use `reqboard move {key} {state}`)"),
                             refusal=_refusal_said(refusal, updated, state, reason, rules), key=current.key,
                             state=state.value))
                return None
            wanted.update(self._enter(current, state))
            if state is State.REJECTED:
                wanted["rejection_reason"] = reason or ""
            elif current.state is State.REJECTED:
                wanted["rejection_reason"] = ""
            updated = self._revise(current, wanted)
        elif reason is not None and strip_control(reason) != current.rejection_reason:
            # (strip_control: text as the models keep it; a spreadsheet may have turned line ends into CRLF)
            _refuse(refused, record, record.label("rejection_reason"),
                    said(lambda: _("a rejection reason is given only when rejecting {key} (State: rejected)"),
                         key=current.key))
            return None
        changes = diff(current, updated)
        if not changes:
            return Same(key)
        if record.version is not None and current.version > record.version:
            _refuse(refused, record, record.label("version"),
                    said(lambda: _("{key} changed since this file was made (version {file_version} in the file, "
                                   "{version} on the board, saved by {user} at {time}): export again and redo the "
                                   "edits"),
                         key=current.key, file_version=record.version, version=current.version, user=current.updated_by,
                         time=clock.shown(current.updated_at, zone_abbreviation=True)))
            return None
        return Change(record.where, key, updated.model_dump(mode="json"), changes, updated.customer, updated.tier)

    def _plan_add(self, record: Incoming, key: str, fields: dict[str, Any], refused: list[str]) -> Outcome | None:
        """The requirement `record` adds under `key`; None when it was refused."""
        state, reason, fields = self._split(record, fields, refused)
        title = fields.pop("title", "")
        if not title or not str(title).strip():
            _refuse(refused, record, record.label("title"), said(lambda: _("a new requirement needs a title")))
            return None
        now, user = self.now, self.user
        # A record from another copy of the board keeps its uid and version there, so that the copies'
        # versions stay comparable when the record comes back changed.
        version = record.version if record.uid and record.version else 1
        values = dict(key=key, uid=record.uid or new_uid(), title=title, **fields, state=State.COLLECTED,
                      entered_at={State.COLLECTED: now}, state_since=now, version=version,
                      created_by=user, created_at=now, updated_by=user, updated_at=now)
        try:
            req = Requirement(**values)
        except ValidationError as exc:
            self._validation(record, exc, refused, lambda: Requirement(**values))
            return None
        target = state or State.COLLECTED
        if target is State.COLLECTED:  # most rows of most files
            path: tuple[State, ...] = ()
        elif target is State.REJECTED:
            path = (State.REJECTED,)
        else:
            path = BOARD_STATES[1 : workflow.position(target) + 1]
        moves = []
        for step in path:  # (the board's rules, as for a change above)
            rules = self._rules_of(req, step)
            refusal = workflow.check_move(req, step, reason or "", rules)
            if refusal:
                _refuse(refused, record, record.label("state"),
                        said(lambda: _("a new requirement starts collected and moves on only as the workflow allows: "
                                       "{refusal} (import it in an earlier state, or use the JSON format for a lossless "
                                       "copy)"), refusal=_refusal_said(refusal, req, step, reason, rules)))
                return None
            entered = {**req.entered_at, step: now}
            moves.append((req.state.value, step.value))
            req = req.model_copy(update={"state": step, "entered_at": entered, "state_since": now,
                                         "rejection_reason": reason or "" if step is State.REJECTED else ""})
        if reason and target is not State.REJECTED:
            _refuse(refused, record, record.label("rejection_reason"),
                    said(lambda: _("a rejection reason is given only for a rejected requirement (State: rejected)")))
            return None
        if moves:  # model_copy does not validate: the requirement as stored is validated once
            req = Requirement.model_validate(req.model_dump())
        return Add(record.where, key, req.title, req.state, self._document(req), tuple(moves),
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


def _links_change(outcome: Outcome) -> bool:
    """Does this outcome add a requirement with links, or change its links?"""
    if isinstance(outcome, Add):
        return bool(outcome.document.get("depends_on") or outcome.document.get("conflicts_with"))
    return isinstance(outcome, Change) and any(name in ("depends_on", "conflicts_with") for name, _old, _new in
                                               outcome.changes)


def _number_of(key: str) -> int:
    try:
        return key_number(key)
    except ValueError:
        return 0


def _refuse(refused: list[str], record: Incoming, what: str, message: str) -> None:
    refused.append(problem_at(place_in(record.where, what), message))


def _field_errors(exc: Exception) -> dict[str, str]:
    """Each field the models refused (by its path, `title`; "" for the record as a whole) and why."""
    err = validation_message(exc) if isinstance(exc, ValidationError) else exc
    return getattr(err, "errors", None) or {"": str(err)}


def _refusal_said(refusal: workflow.Refusal, req: Requirement, state: State, reason: str | None,
                  rules: workflow.Rules) -> str:
    """Why the workflow refused moving `req` to `state` (`refusal`), with its English (see `said`): the
    workflow asked again inside `i18n.english()`."""
    if language() == ENGLISH:
        return refusal.message
    with english():
        again = workflow.check_move(req, state, reason or "", rules)
    return Said(refusal.message, again.message if again is not None else refusal.message)


def _translated(req: Requirement, key_map: dict[str, str], cr_map: dict[str, str]) -> Requirement:
    """`req` with the keys it carries (its own, links, change requests, affected) as on the board."""
    if not key_map and not cr_map:
        return req

    def key(k: str) -> str:
        return key_map.get(k, k)

    crs = tuple(_translated_cr(cr, key, cr_map) for cr in req.change_requests)
    return req.model_copy(update={
        "key": key(req.key),
        "depends_on": tuple(dict.fromkeys(map(key, req.depends_on))),
        "conflicts_with": tuple(dict.fromkeys(map(key, req.conflicts_with))),
        "change_requests": crs,
    })


def _translated_cr(cr: ChangeRequest, key: Any, cr_map: dict[str, str]) -> ChangeRequest:
    update: dict[str, Any] = {"key": cr_map.get(cr.key, cr.key)}
    if cr.assessment is not None and cr.assessment.affects:
        update["assessment"] = cr.assessment.model_copy(update={"affects": tuple(map(key, cr.assessment.affects))})
    return cr.model_copy(update=update)


__all__ = ["Add", "Change", "Outcome", "Plan", "Planner", "Same", "readable"]
