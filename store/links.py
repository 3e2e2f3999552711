"""The links between requirements as the whole board sees them: who depends on whom, who is in conflict.

A requirement stores the links it declares (`depends_on`, `conflicts_with`); what they mean needs the
other end too. A dependency blocks a requirement until what it depends on is done (or fed back); its
reverse is "needed by". A conflict is symmetric whichever side declared it, and stays open until a
decision settles it (a `Resolution`, matched by the other requirement's uid, on either side) or the
other requirement is rejected.

`LinkIndex.of` reads any items that have `key`, `uid`, `state`, `depends_on`, `conflicts_with` and
`resolved_uids`: cards (drawing the board), models, or stored records through `RecordLinks`. Building
it costs a pass over the items, work only for those with links (about 2 ms at 10,000). No pydantic.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .domain import State, key_number

FINISHED = frozenset({State.DONE, State.FED_BACK})
"""What a dependency must reach before the work that depends on it may start or finish."""

UNFINISHED = frozenset({State.COLLECTED, State.ANALYSED, State.APPROVED, State.IN_PROGRESS})
"""Board states of work not yet done: the states in which a requirement can be blocked."""


class Linked(Protocol):
    """What the index reads of a requirement (a Card, a Requirement, or `RecordLinks`)."""

    @property
    def key(self) -> str: ...
    @property
    def uid(self) -> str: ...
    @property
    def state(self) -> State: ...
    @property
    def depends_on(self) -> tuple[str, ...]: ...
    @property
    def conflicts_with(self) -> tuple[str, ...]: ...
    @property
    def resolved_uids(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class RecordLinks:
    """The links of a stored record (a dict as the storage holds it)."""

    key: str
    uid: str
    state: State
    depends_on: tuple[str, ...]
    conflicts_with: tuple[str, ...]
    resolved_uids: frozenset[str]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> RecordLinks:
        """The links of a stored record as they can be read: a damaged value (not a list of keys, a
        state that is none) links nothing here; reading the record itself says what is wrong."""
        state = raw.get("state")
        member = State._value2member_map_.get(state, State.COLLECTED) if isinstance(state, str) else State.COLLECTED
        resolutions = _listed(raw.get("resolutions"))
        return cls(str(raw.get("key", "")), str(raw.get("uid", "")), member,  # type: ignore[arg-type]  # a State member
                   _keys(raw.get("depends_on")), _keys(raw.get("conflicts_with")),
                   frozenset(uid for r in resolutions if isinstance(r, Mapping)
                             and isinstance(uid := r.get("other_uid"), str)))


def _listed(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def _keys(value: Any) -> tuple[str, ...]:
    return tuple(key for key in _listed(value) if isinstance(key, str))


def _by_number(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(keys), key=_number))


def _number(key: str) -> int:
    try:
        return key_number(key)
    except ValueError:
        return 0


@dataclass
class LinkIndex:
    """Every link on a board, both ways, with the state and uid of each requirement."""

    states: dict[str, State] = field(default_factory=dict)
    uids: dict[str, str] = field(default_factory=dict)
    depends: dict[str, tuple[str, ...]] = field(default_factory=dict)
    needed: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, set[str]] = field(default_factory=dict)
    resolved: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Iterable[Linked]) -> LinkIndex:
        """The index of `items` (every requirement of a board, rejected ones too)."""
        index = cls()
        states, uids = index.states, index.uids
        for item in items:
            key = item.key
            states[key] = item.state
            uids[key] = item.uid
            depends, conflicts = item.depends_on, item.conflicts_with
            if depends:
                index.depends[key] = tuple(depends)
                for other in depends:
                    index.needed.setdefault(other, []).append(key)
            if conflicts:
                for other in conflicts:
                    if other != key:
                        index.conflicts.setdefault(key, set()).add(other)
                        index.conflicts.setdefault(other, set()).add(key)
            resolved = item.resolved_uids
            if resolved:
                index.resolved[key] = resolved
        return index

    @classmethod
    def of_records(cls, records: Iterable[Mapping[str, Any]]) -> LinkIndex:
        """The index of stored records (a snapshot's)."""
        return cls.of(RecordLinks.of(raw) for raw in records if isinstance(raw, Mapping))

    def state(self, key: str) -> State | None:
        """The state of the requirement `key` (None: not on the board)."""
        return self.states.get(key)

    def depends_on(self, key: str) -> tuple[str, ...]:
        return self.depends.get(key, ())

    def needed_by(self, key: str) -> tuple[str, ...]:
        """The requirements that depend on `key`, in key order."""
        return _by_number(self.needed.get(key, ()))

    def conflicts_of(self, key: str) -> tuple[str, ...]:
        """The requirements in conflict with `key`, whichever side declared it, in key order."""
        return _by_number(self.conflicts.get(key, ()))

    def blockers(self, key: str) -> tuple[str, ...]:
        """What `key` depends on that is not yet done or fed back (a link to a requirement no longer
        on the board blocks nothing)."""
        return tuple(other for other in self.depends.get(key, ())
                     if (state := self.states.get(other)) is not None and state not in FINISHED)

    def blocked(self, key: str) -> bool:
        """Work not yet done that waits on an unfinished dependency: the BLK badge and the filter's
        `blocked`."""
        return self.states.get(key) in UNFINISHED and bool(self.blockers(key))

    def is_resolved(self, key: str, other: str) -> bool:
        """Was the conflict between `key` and `other` settled by a decision (recorded on either)?"""
        other_uid, uid = self.uids.get(other), self.uids.get(key)
        return (other_uid is not None and other_uid in self.resolved.get(key, ())) or (
            uid is not None and uid in self.resolved.get(other, ()))

    def open_conflicts(self, key: str) -> tuple[str, ...]:
        """The conflicts of `key` still to be settled: with a requirement on the board, not rejected,
        without a decision; none for a rejected requirement. The CON badge, and what stops approval."""
        if self.states.get(key) in (None, State.REJECTED):
            return ()
        return tuple(other for other in self.conflicts_of(key)
                     if self.states.get(other) not in (None, State.REJECTED) and not self.is_resolved(key, other))

    def cycle_path(self, start: str, goal: str) -> list[str] | None:
        """The chain of dependencies from `start` to `goal` (both included), or None."""
        parents: dict[str, str | None] = {start: None}
        todo = deque([start])
        while todo:
            key = todo.popleft()
            if key == goal:
                path = [key]
                while (parent := parents[path[-1]]) is not None:
                    path.append(parent)
                return path[::-1]
            for other in self.depends.get(key, ()):
                if other not in parents:
                    parents[other] = key
                    todo.append(other)
        return None
