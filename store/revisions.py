"""What changed between two versions of a requirement, and the history events that record it."""

from __future__ import annotations

from typing import Any

import orjson

from .models import Requirement
from .transaction import Transaction

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


def record_diff(tx: Transaction, old: Requirement, new: Requirement, action: str, reason: str) -> None:
    """One event per changed field; a change of state is a move."""
    for name, before, after in diff(old, new):
        tx.record_event(new.key, "moved" if name == "state" else action, field=name, old=before,
                        new=after, reason=reason)
