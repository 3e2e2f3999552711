"""Work-in-progress limits: how many requirements a column may hold, and what happens past one.

A limit counts the requirements in a board state. By default it is advisory: a move, a reopen or a
new requirement that takes a column past its limit is made, and the CLI and the TUI warn
(`OverLimit`, read after the change). On a board whose limits are strict (the `wip_strict` setting)
the store refuses such a change instead, counting inside the change's own transaction, under the
storage's lock, so that two writers cannot both take a column's last place.

Only the column a requirement enters counts: a move out of a column over its limit is always made (it
is what brings the column back under), and a move back, a reopen, an undo or the approval of a change
request that reopens done work into a full column is refused like any other move into it. Imports and
syncs carry records as they are (the work was done elsewhere, or before): they are not refused, and the
CLI warns of a column they left over its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .domain import BOARD_STATES, State
from .errors import Refused
from .i18n import _

if TYPE_CHECKING:
    from .transaction import Transaction

WIP_LIMITS = "wip_limits"
"""The setting of the columns' limits: {state: n}."""
WIP_STRICT = "wip_strict"
"""The setting that makes every limit refuse a move past it (absent or false: the limits warn)."""
MAX_WIP_LIMIT = 100_000
STRICT_RULE = "wip.strict"
"""The rule a strict limit's refusal names (`Refused.rule`)."""


@dataclass(frozen=True)
class OverLimit:
    """A column holding more requirements than its WIP limit."""

    state: State
    count: int
    limit: int

    @property
    def message(self) -> str:
        """The warning, in the current language: "In progress is over its WIP limit: 4 of 3"."""
        return _("{column} is over its WIP limit: {count} of {limit}").format(
            column=self.state.label, count=self.count, limit=self.limit)


def stored_limits(settings: Mapping[str, Any]) -> dict[State, int]:
    """The columns' limits as `settings` keep them; a damaged entry limits nothing (`check` says so)."""
    limits = settings.get(WIP_LIMITS, {})
    if not isinstance(limits, Mapping):
        return {}
    columns = {state.value: state for state in BOARD_STATES}
    return {columns[k]: v for k, v in limits.items()
            if k in columns and type(v) is int and 0 < v <= MAX_WIP_LIMIT}


def is_strict(settings: Mapping[str, Any]) -> bool:
    """Do the board's limits refuse a move past them (rather than warn)?"""
    return settings.get(WIP_STRICT) is True


def count_in(records: Iterable[Any], state: State, *, besides: str | None = None) -> int:
    """How many of the stored `records` are in `state`, the one with key `besides` left out."""
    return sum(1 for raw in records if isinstance(raw, Mapping) and raw.get("state") == state.value
               and (besides is None or raw.get("key") != besides))


def over_limit(settings: Mapping[str, Any], records: Iterable[Any], state: State) -> OverLimit | None:
    """The column `state` past its limit in these stored records, or None (no limit, or within it)."""
    limit = stored_limits(settings).get(state)
    if limit is None:
        return None
    count = count_in(records, state)
    return OverLimit(state, count, limit) if count > limit else None


def refuse_past_limit(tx: Transaction, target: State, key: str | None = None, current: State | None = None, *,
                      committed: Callable[[State], int | None] | None = None) -> None:
    """Under strict limits, raise Refused (rule "wip.strict") when requirement `key` (None: a new one),
    now in `current`, entering `target` would take that column past its limit. Counted while `tx` holds
    the storage's lock, so a concurrent writer's move is either counted here or waits for this one: in
    the transaction's snapshot, or by `committed(state)` (the storage's own count of the committed
    records, None where it has none: a server counts by its index instead of sending every record),
    for a caller that staged no requirement in `tx` before."""
    settings = {name: tx.setting(name) for name in (WIP_LIMITS, WIP_STRICT)}
    if not is_strict(settings) or target is current:
        return
    limit = stored_limits(settings).get(target)
    if limit is None:
        return
    count = committed(target) if committed is not None else None
    if count is None:
        count = count_in(tx.snapshot().requirements.values(), target, besides=key)
    if count + 1 <= limit:
        return
    column = target.label
    if key is None:
        message = _("the new requirement was not created: {column} is full ({count} of its WIP limit of {limit}) and "
                    "this board's WIP limits are strict; move a requirement out of {column} first, or raise the limit")
    else:
        message = _("{key} stays {state}: {column} is full ({count} of its WIP limit of {limit}) and this board's "
                    "WIP limits are strict; move a requirement out of {column} first, or raise the limit")
    state = current.label.lower() if current is not None else ""
    raise Refused(message.format(key=key, state=state, column=column, count=count, limit=limit), STRICT_RULE)
