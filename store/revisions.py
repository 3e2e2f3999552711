"""What changed between two versions of a requirement, the history events that record it, and how an
edit typed on an older version merges onto the saved one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from .domain import three_way
from .errors import InvalidValue
from .i18n import _
from .models import Requirement
from .transaction import Transaction

# Fields whose changes the generic diff records one event each; collections get their own events.
_DIFFED_FIELDS = tuple(
    name
    for name in Requirement.model_fields
    if name
    not in {
        "key", "uid", "version", "created_by", "created_at", "updated_by", "updated_at",
        "entered_at", "state_since", "approvals", "feedback", "change_requests", "reviews", "resolutions", "notes",
    }
)
EDITABLE_FIELDS = frozenset(_DIFFED_FIELDS) - {"state", "rejection_reason", "suspect", "previous_keys"}


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


def record_diff(tx: Transaction, old: Requirement, new: Requirement, action: str, reason: str) -> None:
    """One event per changed field; a change of state is a move."""
    for name, before, after in diff(old, new):
        tx.record_event(new.key, "moved" if name == "state" else action, field=name, old=before,
                        new=after, reason=reason)


@dataclass(frozen=True)
class FieldConflict:
    """A field both sides changed to different values: as the edit was opened (`base`), as saved since
    (`theirs`) and as typed (`yours`), each a model value."""

    field: str
    base: Any
    theirs: Any
    yours: Any


@dataclass(frozen=True)
class EditMerge:
    """An edit typed on an older version of a requirement, merged onto the saved one."""

    changes: dict[str, Any]
    """The typed changes to make to the saved version: every field typed that nobody else changed
    (a field both changed to the same value needs no change). The fields left out keep their saved value."""
    conflicts: tuple[FieldConflict, ...]
    """The fields both changed to different values, in the requirement's field order."""
    yours: tuple[str, ...]
    """The fields the edit changed, against the version it was opened at."""
    theirs: tuple[str, ...]
    """The fields changed by the saves made since (state included), against that version."""

    @property
    def clean(self) -> bool:
        """True when nothing conflicts: `changes` can be saved onto the saved version as they are."""
        return not self.conflicts


def merge_edit(opened: Requirement, typed: Mapping[str, Any], current: Requirement) -> EditMerge:
    """Merge an edit typed on `opened` onto `current`, the same requirement as saved since.

    `typed` holds field values as `Board.edit_requirement` takes them; a field equal to its value in
    `opened` (once validated) is no change. A field only the edit changed is taken; a field only the
    other saves changed keeps their value; a field both changed to different values is a conflict.
    Raises InvalidValue for a field that cannot be edited or a typed value that is not valid, naming it.
    """
    unknown = set(typed) - EDITABLE_FIELDS
    if unknown:
        raise InvalidValue(_("cannot edit field(s): {fields}").format(fields=", ".join(sorted(unknown))))
    if opened.uid != current.uid:
        raise InvalidValue(_("{key} is another requirement than the one the edit was opened on").format(key=current.key))
    # Validated as the store would save them: "3" and 3, a dict and a criterion compare as equal.
    wanted = opened.revised(dict(typed), by=opened.updated_by, at=opened.updated_at)
    changes: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    yours: list[str] = []
    for name in _DIFFED_FIELDS:
        base, theirs, mine = getattr(opened, name), getattr(current, name), getattr(wanted, name)
        if name not in typed or mine == base:
            continue
        yours.append(name)
        value, conflicted = three_way(base, mine, theirs)
        if conflicted:
            conflicts.append(FieldConflict(name, base, theirs, mine))
        elif value != theirs:
            changes[name] = value
    theirs_changed = tuple(name for name in _DIFFED_FIELDS if getattr(opened, name) != getattr(current, name))
    return EditMerge(changes, tuple(conflicts), tuple(yours), theirs_changed)
