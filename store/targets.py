"""Response targets: how soon a requirement must reach a state, by the channel it came in through and
the customer's tier ("a complaint from a tier A customer is analysed within 2 days").

A target is a board setting (`settings.response_targets`, a list of `{state, days, channel, tier}`,
channel and tier null for any). For each state, the target that applies to a requirement is the most
specific one: its channel and tier, then its channel, then its tier, then the board's for any.

The clock starts when the requirement was collected (`entered_at.collected`, else its creation) and
counts calendar days (0.5 is twelve hours). The target is reached when the requirement first entered
that state or any later one of the flow (a requirement moved on at once counts as having passed it).
A target is
- `met` when reached by the deadline, `missed` when reached after it;
- `breached` when not reached and the deadline has passed: the card carries the SLA badge;
- `open` when not reached and the deadline is still ahead;
- not counted for a requirement rejected before reaching it.

Pure functions: nothing here reads a board (`Board.response_targets()` does, `store.metrics` counts).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from .domain import BOARD_STATES, Channel, State, Tier
from .errors import InvalidValue
from .i18n import _

RESPONSE_TARGETS = "response_targets"
MAX_DAYS = 3650.0
MAX_TARGETS = 200
TARGET_STATES: tuple[State, ...] = BOARD_STATES[1:]
"""The states a target can name: every column after collected (where the clock starts)."""
_ORDER = {state: index for index, state in enumerate(BOARD_STATES)}


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"
    BREACHED = "breached"
    OPEN = "open"


@dataclass(frozen=True)
class Target:
    """Reach `state` within `days` of collection, for `channel` and `tier` (None: any)."""

    state: State
    days: float
    channel: Channel | None = None
    tier: Tier | None = None

    @property
    def scope(self) -> tuple[Channel | None, Tier | None]:
        return self.channel, self.tier

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state.value, "days": self.days,
                "channel": self.channel.value if self.channel else None,
                "tier": self.tier.value if self.tier else None}

    def applies_to(self, channel: Channel, tier: Tier | None) -> bool:
        return (self.channel is None or self.channel is channel) and (self.tier is None or self.tier is tier)

    @property
    def specificity(self) -> int:
        return (2 if self.channel is not None else 0) + (1 if self.tier is not None else 0)


@dataclass(frozen=True)
class TargetCheck:
    """One target as a requirement stands against it."""

    target: Target
    deadline: datetime
    reached: datetime | None
    outcome: Outcome | None
    """None: not counted (rejected before reaching it)."""


def check_days(days: float) -> float:
    """Days as a target keeps them; InvalidValue outside (0, 3650]."""
    if isinstance(days, bool) or not isinstance(days, (int, float)) or not 0 < days <= MAX_DAYS:
        raise InvalidValue(_("a response target is a number of days above 0 and at most {most:g}, e.g. 2 or 0.5").format(
            most=MAX_DAYS))
    return float(days)


def stored_targets(value: Any) -> tuple[Target, ...]:
    """The targets a stored setting holds (an entry a person could not have set is left out: `check`
    does not refuse a board for it), in a stable order: by state, then from the most general."""
    if not isinstance(value, list):
        return ()
    found: dict[tuple[State, Channel | None, Tier | None], Target] = {}
    for entry in value:
        if not isinstance(entry, Mapping):
            continue
        try:
            state = State(str(entry.get("state")))
            days = check_days(entry.get("days"))  # type: ignore[arg-type]  # (any stored value: checked here)
            channel = None if entry.get("channel") is None else Channel(str(entry["channel"]))
            tier = None if entry.get("tier") is None else Tier(str(entry["tier"]))
        except (ValueError, InvalidValue, TypeError):
            continue
        if state in TARGET_STATES:
            found[(state, channel, tier)] = Target(state, days, channel, tier)
    return tuple(sorted(found.values(), key=_order))


def _order(t: Target) -> tuple[int, int, str, str]:
    return (_ORDER[t.state], t.specificity, t.channel.value if t.channel else "", t.tier.value if t.tier else "")


def with_target(targets: Iterable[Target], new: Target) -> tuple[Target, ...]:
    """The targets with `new` in place of the one of its state and scope."""
    kept = [t for t in targets if (t.state, t.scope) != (new.state, new.scope)]
    if len(kept) >= MAX_TARGETS:
        raise InvalidValue(_("a board keeps at most {n} response targets").format(n=MAX_TARGETS))
    return tuple(sorted((*kept, new), key=_order))


def applicable(targets: Iterable[Target], channel: Channel, tier: Tier | None) -> tuple[Target, ...]:
    """For each state, the most specific target that applies to a requirement of this channel and tier."""
    best: dict[State, Target] = {}
    for t in targets:
        if t.applies_to(channel, tier):
            held = best.get(t.state)
            if held is None or t.specificity > held.specificity:
                best[t.state] = t
    return tuple(best[s] for s in TARGET_STATES if s in best)


def reached(entered_at: Mapping[State, datetime], state: State) -> datetime | None:
    """When the requirement first reached `state` or a later state of the flow, or None."""
    order = _ORDER[state]
    moments = [at for s, at in entered_at.items() if s in _ORDER and _ORDER[s] >= order]
    return min(moments) if moments else None


def checks(targets: Iterable[Target], *, channel: Channel, tier: Tier | None, state: State,
           started: datetime, entered_at: Mapping[State, datetime], now: datetime) -> tuple[TargetCheck, ...]:
    """How a requirement stands against each target that applies to it (see the module docstring)."""
    found = []
    for t in applicable(targets, channel, tier):
        deadline = started + timedelta(days=t.days)
        at = reached(entered_at, t.state)
        outcome: Outcome | None
        if at is not None:
            outcome = Outcome.MET if at <= deadline else Outcome.MISSED
        elif state is State.REJECTED:
            outcome = None
        else:
            outcome = Outcome.BREACHED if now > deadline else Outcome.OPEN
        found.append(TargetCheck(t, deadline, at, outcome))
    return tuple(found)


def breached(found: Iterable[TargetCheck]) -> tuple[TargetCheck, ...]:
    """The targets not reached whose deadline has passed: what the SLA badge is about."""
    return tuple(c for c in found if c.outcome is Outcome.BREACHED)
