"""When each rejected requirement was rejected, by whom and from which state: what the archive lists,
read from the history (the requirement itself keeps only when it entered the state)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .domain import State

if TYPE_CHECKING:
    from .board import Board
    from .models import Event, Requirement

FEW = 12
"""Up to this many rejected requirements, each one's history is read on its own (a quick search of the
journal each); more, and the journal is read once for all of them."""


@dataclass(frozen=True)
class Rejection:
    """A rejected requirement with when it was rejected, by whom, from which state."""

    requirement: Requirement
    at: datetime
    by: str
    came_from: State | None
    """The state it was in when rejected (None where its history does not say)."""

    @classmethod
    def unrecorded(cls, req: Requirement) -> Rejection:
        """Where the history has no move into rejected (an imported or damaged one): when it entered
        the state, and who changed it last."""
        return cls(req, req.state_since or req.entered_at.get(State.REJECTED) or req.updated_at, req.updated_by, None)


def _state(value: Any) -> State | None:
    member = State._value2member_map_.get(value) if isinstance(value, str) else None
    return member if isinstance(member, State) else None


def _is_rejection(event: Mapping[str, Any]) -> bool:
    return event.get("field") == "state" and event.get("new") == State.REJECTED.value


def rejection_of(req: Requirement, history: Iterable[Event]) -> Rejection:
    """`req`'s last move into rejected in its `history` (oldest first)."""
    last = None
    for event in history:
        if event.field == "state" and event.new == State.REJECTED.value:
            last = event
    if last is None:
        return Rejection.unrecorded(req)
    return Rejection(req, last.at, last.by, _state(last.old))


def rejections(board: Board, reqs: list[Requirement], *, few: int = FEW) -> list[Rejection]:
    """When, by whom and from which state each of `reqs` (rejected requirements of `board`) was rejected,
    in their order. Raises StoreUnreadable for a damaged journal."""
    if len(reqs) <= few:
        return [rejection_of(req, board.history(req.key)) for req in reqs]
    by_uid = {req.uid: req for req in reqs}
    by_key = {key: req for req in reqs for key in (req.key, *req.previous_keys)}
    last: dict[str, Mapping[str, Any]] = {}
    for event in board.storage.history(field="state"):  # raw: only the moves into rejected are looked at closer
        if not _is_rejection(event):
            continue
        uid = event.get("uid")
        req = by_uid.get(uid) if isinstance(uid, str) else by_key.get(str(event.get("key")))
        if req is not None:
            last[req.uid] = event  # oldest first: the last one found is the last rejection
    found = []
    for req in reqs:
        move = last.get(req.uid)
        at = move.get("at") if move else None
        try:
            when = datetime.fromisoformat(at.replace("Z", "+00:00")) if isinstance(at, str) else None
        except ValueError:
            when = None
        if move is None or when is None:
            found.append(Rejection.unrecorded(req))
        else:
            found.append(Rejection(req, when, str(move.get("by") or req.updated_by), _state(move.get("old"))))
    return found
