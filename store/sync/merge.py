"""The three-way merge of two boards' requirement records, by uid: pure functions over stored records.

For each requirement (matched by uid, never by key):
  - a field changed on one side since the base is taken; changed on both to the same value is fine;
    changed on both to different values is a conflict, settled by a `Decide` or left for the caller;
  - sets merge element by element (tags, links: what one side added is added, what one side removed
    is removed) and records that accumulate are united (approvals, feedback, reviews, the time each
    state was first entered); conflict resolutions accumulate too, but one a side dropped since the
    base (its conflict was taken out) stays dropped; change requests merge by their own uid, field by
    field, except who was told of one (`notified`), which is united too;
  - a requirement on one side only is added to the other.
Keys are assigned afterwards: when two requirements (or change requests) want one key, the one
created first keeps it (created_at, then uid: the same answer on both boards) and the other gets the
next key free on both boards. Links (`depends_on`, `conflicts_with`, an assessment's `affects`) are
compared by the uid their key names on their own board, so that a renumbering never bends a link.

Nothing here reads or writes a board: `store.sync.run` feeds it the records and writes what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import orjson

from ..domain import key_number, three_way
from ..i18n import pgettext
from ..labels import field_label

Side = Literal["ours", "theirs"]
Record = Mapping[str, Any]

STAMPS = ("version", "updated_by", "updated_at")
"""Who changed a record last, when, and its version: not merged, made anew when a merge changes it."""
FIXED = ("uid", "key", "created_by", "created_at")
"""Never merged: identity (the key is assigned after the merge) and creation."""
TEXT_SETS = ("tags",)
LINK_SETS = ("depends_on", "conflicts_with")
RECORD_SETS = ("approvals", "feedback", "reviews", "notes")
"""Records that accumulate: what either side added is in, each once."""
UNDOABLE_RECORD_SETS = ("feedback", "notes")
"""Of those, the ones an undo takes back (a reading or a note recorded by mistake): merged against the base
as DROPPABLE_RECORD_SETS are, so that an undone one does not come back from the other board."""
DROPPABLE_RECORD_SETS = ("resolutions",)
"""Records that accumulate and that an edit may also drop: merged against the base, element by element."""
CR_FIXED = ("uid", "key", "submitted_by", "submitted_at")
CR_RECORD_SETS = ("notified",)
"""A change request's records that accumulate: each side may have told someone."""

_UNKNOWN = "key:"
"""A link token for a key that names no requirement on its board: kept as the key."""


@dataclass(frozen=True)
class FieldConflict:
    """A field both boards changed since the base, to different values."""

    key: str
    """The requirement's key (or the change request's, for a field of one) on our board."""
    uid: str
    field: str
    base: Any
    ours: Any
    theirs: Any

    @property
    def name(self) -> str:
        """What `--resolve` names it by: `REQ-3.title`, `CR-2.status`."""
        return f"{self.key}.{self.field}"

    @property
    def label(self) -> str:
        """The conflict as a person reads it, in the current language: `REQ-3 title`, `REQ-3 标题`."""
        return pgettext("sync conflict", "{key} {field}").format(key=self.key, field=field_label(self.field))


Decide = Callable[[FieldConflict], Side | None]
"""Settles a conflict (which side's value is kept), or leaves it (None)."""


@dataclass(frozen=True)
class Renumbering:
    """A requirement or change request that gets a new key because the other board used its key."""

    uid: str
    old: str
    new: str
    created_on: tuple[Side, ...]
    """The board(s) where it had the old key."""


@dataclass
class Merged:
    """What the merge decided: the final record of every requirement, and what it had to say."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    """uid -> the merged record, stamps not yet made (see `stamped`)."""
    conflicts: list[FieldConflict] = field(default_factory=list)
    """Conflicts no `Decide` settled: nothing may be written while there are any."""
    settled: list[tuple[FieldConflict, Side]] = field(default_factory=list)
    renumbered: list[Renumbering] = field(default_factory=list)
    key_of_uid: dict[str, str] = field(default_factory=dict)
    cr_key_of_uid: dict[str, str] = field(default_factory=dict)
    next_requirement: int = 1
    next_change_request: int = 1


# ---------------------------------------------------------------- values
def canonical(value: Any) -> bytes:
    """A value's bytes with sorted keys: equal values, equal bytes (records in a set are known by it)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def moment(text: Any) -> datetime:
    """A stored time as a datetime to compare (one that is not a time sorts last)."""
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.max


class Links:
    """Turns the keys in a record's links into tokens that mean the same on both boards, and back."""

    def __init__(self, uid_of_key: Mapping[str, str]) -> None:
        self.uid_of_key = uid_of_key

    def tokens(self, keys: Iterable[str]) -> list[str]:
        """The tokens of `keys`: the uid each names, or the key itself marked as unknown."""
        return [self.uid_of_key.get(k) or _UNKNOWN + k for k in keys]

    def normalised(self, record: Record) -> dict[str, Any]:
        """A copy of `record` whose links (and its change requests' affected keys) are tokens."""
        copy = dict(record)
        for name in LINK_SETS:
            if copy.get(name):
                copy[name] = self.tokens(copy[name])
        crs = copy.get("change_requests")
        if crs and any((cr.get("assessment") or {}).get("affects") for cr in crs):
            copy["change_requests"] = [self._cr_normalised(cr) for cr in crs]
        return copy

    def _cr_normalised(self, cr: Record) -> dict[str, Any]:
        assessment = cr.get("assessment")
        if not assessment or not assessment.get("affects"):
            return dict(cr)
        return {**cr, "assessment": {**assessment, "affects": self.tokens(assessment["affects"])}}


def keys_of(tokens: Iterable[str], key_of_uid: Mapping[str, str]) -> list[str]:
    """The keys of link tokens on the merged board."""
    return [t[len(_UNKNOWN):] if t.startswith(_UNKNOWN) else key_of_uid.get(t, t) for t in tokens]


def denormalised(record: dict[str, Any], key_of_uid: Mapping[str, str]) -> dict[str, Any]:
    """`record` with its link tokens turned back into the merged board's keys."""
    for name in LINK_SETS:
        if record.get(name):
            record[name] = keys_of(record[name], key_of_uid)
    crs = record.get("change_requests")
    if crs:
        fixed = []
        for cr in crs:
            assessment = cr.get("assessment")
            if assessment and assessment.get("affects"):
                cr = {**cr, "assessment": {**assessment, "affects": keys_of(assessment["affects"], key_of_uid)}}
            fixed.append(cr)
        record["change_requests"] = fixed
    return record


def merge_set(base: list[Any] | None, ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Element by element: what either side added is in, what either side removed (of the base) is out;
    ours' order first, then what only theirs has."""
    known = set(base or ())
    both = set(ours) & set(theirs)
    kept = [x for x in ours if x in both or x not in known]
    seen = set(kept)
    kept += [x for x in theirs if x not in seen and (x in both or x not in known)]
    return list(dict.fromkeys(kept))


def merge_records(ours: list[Record], theirs: list[Record]) -> list[Record]:
    """Records that accumulate (approvals, feedback, reviews, resolutions): the union, each once,
    oldest first. One record is known by its non-empty fields, so that an approval written before
    approvals had a `role` and the same approval saved since (`role: ""`) are one."""
    union: dict[bytes, Record] = {}
    for record in (*ours, *theirs):
        union.setdefault(_identity(record), record)
    return sorted(union.values(), key=lambda r: (moment(r.get("at")), _identity(r)))


def merge_droppable(base: list[Record] | None, ours: list[Record], theirs: list[Record]) -> list[Record]:
    """Records that accumulate but may be dropped (resolutions): what either side added is in, what
    either side dropped of the base is out (without a base: the union); oldest first."""
    if base is None:
        return merge_records(ours, theirs)
    known = {_identity(r) for r in base}
    ours_ids, theirs_ids = {_identity(r) for r in ours}, {_identity(r) for r in theirs}
    kept = [r for r in (*ours, *theirs) if (i := _identity(r)) not in known or (i in ours_ids and i in theirs_ids)]
    return merge_records(kept, [])


def _identity(record: Record) -> bytes:
    return canonical({name: value for name, value in record.items() if value not in ("", None, [], {})})


def merge_notices(ours: list[Record], theirs: list[Record]) -> list[Record]:
    """Who was told of a change request, from both sides: each person once (any case), the earliest
    telling kept."""
    told: dict[str, Record] = {}
    for notice in merge_records(ours, theirs):
        told.setdefault(str(notice.get("name", "")).casefold(), notice)
    return list(told.values())


def merge_entered(ours: Mapping[str, str], theirs: Mapping[str, str]) -> dict[str, str]:
    """When each state was first entered: the earlier of the two boards' times."""
    merged = dict(ours)
    for state, at in theirs.items():
        if state not in merged or moment(at) < moment(merged[state]):
            merged[state] = at
    return merged


# ---------------------------------------------------------------- one record
class _FieldMerge:
    """The three-way merge of the fields of one record (a requirement, or a change request)."""

    def __init__(self, key: str, uid: str, decide: Decide, out: Merged) -> None:
        self.key, self.uid, self.decide, self.out = key, uid, decide, out

    def value(self, name: str, base: Record | None, ours: Record, theirs: Record, default: Any = None) -> Any:
        o, t = ours.get(name, default), theirs.get(name, default)
        b = base.get(name, default) if base is not None else _NO_BASE
        value, conflicted = three_way(b, o, t)
        if not conflicted:
            return value
        conflict = FieldConflict(self.key, self.uid, name, None if b is _NO_BASE else b, o, t)
        side = self.decide(conflict)
        if side is None:
            self.out.conflicts.append(conflict)
            return o
        self.out.settled.append((conflict, side))
        return o if side == "ours" else t


_NO_BASE: Any = object()


def merge_requirement(base: Record | None, ours: Record, theirs: Record, key: str, decide: Decide,
                      out: Merged) -> dict[str, Any]:
    """The merged fields of one requirement on both boards (links as tokens; stamps are ours')."""
    fields = _FieldMerge(key, str(ours["uid"]), decide, out)
    merged: dict[str, Any] = dict(ours)
    names = dict.fromkeys((*ours, *theirs))
    for name in names:
        if name in FIXED or name in STAMPS:
            continue
        o, t = ours.get(name), theirs.get(name)
        if o == t:
            merged[name] = o
        elif name in TEXT_SETS or name in LINK_SETS or name == "previous_keys":
            merged[name] = merge_set(None if base is None else base.get(name) or [], o or [], t or [])
        elif name in UNDOABLE_RECORD_SETS:
            merged[name] = merge_droppable(None if base is None else base.get(name) or [], o or [], t or [])
        elif name in RECORD_SETS:
            merged[name] = merge_records(o or [], t or [])
        elif name in DROPPABLE_RECORD_SETS:
            merged[name] = merge_droppable(None if base is None else base.get(name) or [], o or [], t or [])
        elif name == "entered_at":
            merged[name] = merge_entered(o or {}, t or {})
        elif name == "change_requests":
            merged[name] = merge_change_requests(base, o or [], t or [], decide, out)
        elif name == "state_since":
            continue  # follows the state (below)
        else:
            merged[name] = fields.value(name, base, ours, theirs)
    if ours.get("state_since") != theirs.get("state_since"):
        if merged.get("state") != ours.get("state"):
            merged["state_since"] = theirs.get("state_since")
        elif merged.get("state") != theirs.get("state"):
            merged["state_since"] = ours.get("state_since")
        else:  # both in the state: since the earlier entry
            merged["state_since"] = min(ours.get("state_since"), theirs.get("state_since"),
                                        key=lambda at: moment(at) if at else datetime.max)
    return merged


def merge_change_requests(base: Record | None, ours: list[Record], theirs: list[Record], decide: Decide,
                          out: Merged) -> list[Record]:
    """A requirement's change requests, each merged by its uid field by field; new ones added."""
    base_crs = {cr["uid"]: cr for cr in (base or {}).get("change_requests", ())} if base is not None else {}
    by_uid_theirs = {cr["uid"]: cr for cr in theirs}
    merged: list[Record] = []
    for cr in ours:
        other = by_uid_theirs.pop(cr["uid"], None)
        if other is None or other == cr:
            merged.append(cr)
            continue
        fields = _FieldMerge(str(cr["key"]), str(cr["uid"]), decide, out)
        one = dict(cr)
        for name in dict.fromkeys((*cr, *other)):
            if name in CR_RECORD_SETS:
                one[name] = merge_notices(cr.get(name) or [], other.get(name) or [])
            elif name not in CR_FIXED:
                one[name] = fields.value(name, base_crs.get(cr["uid"]), cr, other)
        # A key only theirs changed since the base (a sync renumbered it there, and was cut short before
        # our board's commit) is kept, as a requirement's is: else the next sync would renumber it back.
        base_key = base_crs.get(cr["uid"], {}).get("key")
        if other["key"] != cr["key"] and cr["key"] == base_key:
            one["key"] = other["key"]
        merged.append(one)
    merged.extend(by_uid_theirs.values())
    return merged


# ---------------------------------------------------------------- keys
def assign_keys(wanted: Mapping[str, str], created: Mapping[str, tuple[bool, datetime, str]], first_free: int,
                prefix: str, taken_on: Callable[[str], tuple[Side, ...]]) -> tuple[dict[str, str], list[Renumbering], int]:
    """Give every uid its key: the key it wants, unless a uid that comes before it in `created` wants it
    too (one both boards knew, else the one created first); those get keys from `first_free` on, in
    that order. Returns the keys, the renumberings and the next free number."""
    holders: dict[str, list[str]] = {}
    for uid, key in wanted.items():
        holders.setdefault(key, []).append(uid)
    final = dict(wanted)
    moved: list[str] = []
    for uids in holders.values():
        if len(uids) > 1:
            uids.sort(key=lambda u: created[u])
            moved.extend(uids[1:])
    number = first_free
    renumbered = []
    for uid in sorted(moved, key=lambda u: created[u]):
        new = f"{prefix}-{number}"
        number += 1
        renumbered.append(Renumbering(uid, wanted[uid], new, taken_on(uid)))
        final[uid] = new
    return final, renumbered, number


def highest(keys: Iterable[str]) -> int:
    """The highest key number among `keys` (0 for none)."""
    return max((key_number(k) for k in keys), default=0)
