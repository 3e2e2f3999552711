"""A priority the team chooses: a score from weighted factors, by which the board's columns sort.

Each factor is put on a 1-5 scale where more is more worth doing: importance, urgency, business value,
effort as a cost (few hours score 5, many 1), feasibility (high 5, medium 3, low 1) and the customer's
tier (A 5, B 3, C 1). A factor that is not set counts as the middle of the scale, 3, so that filling
it in moves a requirement up or down from where it stood. The score is the product of the factors,
each raised to its weight (0-10; 0 leaves a factor out):

    score = importance^wi * urgency^wu * value^wv * effort^we * feasibility^wf * tier^wt

The default weights (importance 1, urgency 1, the others 0) give importance x urgency exactly, the
priority the board sorted by before weights existed, so that nothing moves until the team asks. Like
that priority, a requirement has no score until its importance and urgency are set.

The weights are a board setting, `score_weights`, holding only the weights that differ from the
default. This module is read when the board's first frame is drawn (`BoardReader.score_weights`):
it imports neither the models nor pydantic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Protocol

from .domain import Feasibility, Tier
from .errors import InvalidValue
from .i18n import N_, _, is_chinese, listed

if TYPE_CHECKING:
    from .board_core import BoardCore as _Base
else:
    _Base = object

SCORE_WEIGHTS = "score_weights"
"""The board setting: the weights that differ from the default, by name."""

MAX_WEIGHT = 10.0

EFFORT_HOURS = ((8.0, 5), (24.0, 4), (80.0, 3), (240.0, 2))
"""Effort as a cost on the 1-5 scale: at most 8 hours scores 5, at most 24 hours 4, ... more than 240
hours 1."""

_FEASIBILITY = {Feasibility.HIGH: 5, Feasibility.MEDIUM: 3, Feasibility.LOW: 1, Feasibility.UNKNOWN: 3}
_TIER = {Tier.A: 5, Tier.B: 3, Tier.C: 1}
UNSET = 3
"""What a factor that is not set counts as: the middle of the scale."""

FACTOR_LABELS: dict[str, str] = {
    "importance": N_("importance"),
    "urgency": N_("urgency"),
    "value": N_("business value"),
    "effort": N_("effort"),
    "feasibility": N_("feasibility"),
    "tier": N_("customer tier"),
}
"""Each weight's (and factor's) name as a person reads it, marked for the catalogue (see `factor_label`)."""


def factor_label(name: str) -> str:
    """A weight's (or factor's) name as a person reads it, in the current language: "business value"."""
    return _(FACTOR_LABELS[name])


CHINESE_WEIGHTS: dict[str, str] = {
    "重要性": "importance",
    "紧急程度": "urgency",
    "价值": "value",
    "业务价值": "value",
    "工作量": "effort",
    "可行性": "feasibility",
    "层级": "tier",
    "客户层级": "tier",
}
"""The Chinese names a weight may also be given by (any language), and the weight each one means."""


class Scored(Protocol):
    """What a score is worked out from: a `Card` and a `Requirement` both have it."""

    @property
    def importance(self) -> int | None: ...
    @property
    def urgency(self) -> int | None: ...
    @property
    def business_value(self) -> int | None: ...
    @property
    def effort_estimate(self) -> float | None: ...
    @property
    def feasibility(self) -> Feasibility | None: ...
    @property
    def tier(self) -> Tier | None: ...


@dataclass(frozen=True)
class Weights:
    """How much each factor counts, 0-10 (0: not at all). The default is importance x urgency."""

    importance: float = 1.0
    urgency: float = 1.0
    value: float = 0.0
    effort: float = 0.0
    feasibility: float = 0.0
    tier: float = 0.0

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_WEIGHTS

    def stored(self) -> dict[str, float]:
        """The setting's value: the weights that differ from the default (none: the default)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != f.default}

    def spelled(self) -> list[str]:
        """Every weight as `name=N` (`importance=1`, `value=1.5`): how a history event records them,
        and how the CLI takes them."""
        return [f"{f.name}={_number(getattr(self, f.name))}" for f in fields(self)]


DEFAULT_WEIGHTS = Weights()
WEIGHT_NAMES = tuple(f.name for f in fields(Weights))
"""The weights by name, in the order a score is explained."""


def _number(value: float) -> str:
    """A weight as typed: 1, not 1.0; 1.5 as is."""
    return str(int(value)) if value == int(value) else f"{value:g}"


def effort_factor(hours: float | None) -> int:
    """Effort as a cost on the 1-5 scale (see `EFFORT_HOURS`); not estimated: 3."""
    if hours is None:
        return UNSET
    for most, factor in EFFORT_HOURS:
        if hours <= most:
            return factor
    return 1


def _scale(value: int | None) -> int:
    """A 1-5 score as a factor: unset counts as 3; out of range (a hand-edited record, which the
    board's check reports) is held to the scale, so that a weight never raises a negative number."""
    if value is None:
        return UNSET
    return 1 if value < 1 else 5 if value > 5 else value


def factors(item: Scored) -> dict[str, int] | None:
    """Each factor of `item` on its 1-5 scale, by weight name; None until importance and urgency are set."""
    if item.importance is None or item.urgency is None:
        return None
    feasibility = item.feasibility
    tier = item.tier
    return {
        "importance": _scale(item.importance),
        "urgency": _scale(item.urgency),
        "value": _scale(item.business_value),
        "effort": effort_factor(item.effort_estimate),
        "feasibility": UNSET if feasibility is None else _FEASIBILITY[feasibility],
        "tier": UNSET if tier is None else _TIER[tier],
    }


def score(item: Scored, weights: Weights = DEFAULT_WEIGHTS) -> float | None:
    """The score of a Card or a Requirement under `weights`, to 2 decimals; None until its importance
    and urgency are set (as its priority). The default weights give importance x urgency exactly."""
    importance, urgency = item.importance, item.urgency
    if importance is None or urgency is None:
        return None
    if weights is DEFAULT_WEIGHTS or weights == DEFAULT_WEIGHTS:  # the common case: no powers to work out
        return float(importance * urgency)
    # Spelled out rather than through `factors`: a column of 10,000 is sorted by this.
    result = 1.0
    if weight := weights.importance:
        result *= _scale(importance) ** weight
    if weight := weights.urgency:
        result *= _scale(urgency) ** weight
    if weight := weights.value:
        result *= _scale(item.business_value) ** weight
    if weight := weights.effort:
        result *= effort_factor(item.effort_estimate) ** weight
    if weight := weights.feasibility:
        feasibility = item.feasibility
        result *= (UNSET if feasibility is None else _FEASIBILITY[feasibility]) ** weight
    if weight := weights.tier:
        tier = item.tier
        result *= (UNSET if tier is None else _TIER[tier]) ** weight
    return round(result, 2)


def explain(item: Scored, weights: Weights) -> list[tuple[str, float, float]]:
    """How the score of `item` is made: (weight name, factor on its 1-5 scale, weight) for each factor
    that counts (a weight above 0), in `WEIGHT_NAMES` order; the name reads as `factor_label(name)`.
    Empty while the item has no score (importance or urgency unset)."""
    found = factors(item)
    if found is None:
        return []
    return [(name, float(found[name]), getattr(weights, name)) for name in WEIGHT_NAMES if getattr(weights, name)]


def weights_of(stored: Any) -> Weights:
    """The weights a stored `score_weights` setting names (none: the default). A damaged setting
    (not a table, an unknown name, a weight that is not a number from 0 to 10: a hand-edited file, or
    a newer reqboard's weight) gives the default, so that the board sorts as it did without weights;
    setting any weight writes the setting anew."""
    if not stored or not isinstance(stored, Mapping):
        return DEFAULT_WEIGHTS
    values: dict[str, float] = {}
    for name, value in stored.items():
        if name not in WEIGHT_NAMES or isinstance(value, bool) or not isinstance(value, (int, float)):
            return DEFAULT_WEIGHTS
        if not 0 <= value <= MAX_WEIGHT:  # NaN fails this too
            return DEFAULT_WEIGHTS
        values[name] = float(value)
    return replace(DEFAULT_WEIGHTS, **values)


def weight_name(given: str) -> str:
    """The weight `given` names: its name in any case, or a Chinese name (`CHINESE_WEIGHTS`).
    Raises InvalidValue naming the weights there are."""
    name = " ".join(str(given).split())
    if name.casefold() in WEIGHT_NAMES:
        return name.casefold()
    known = CHINESE_WEIGHTS.get(name)
    if known is not None:
        return known
    names = listed(_chinese_name(n) if is_chinese() else n for n in WEIGHT_NAMES)
    raise InvalidValue(_("there is no score weight {name!r}: the weights are {names}").format(
        name=name, names=names))


def _chinese_name(name: str) -> str:
    return next(chinese for chinese, english in CHINESE_WEIGHTS.items() if english == name) + f"（{name}）"


def weight_value(name: str, value: Any) -> float:
    """A weight's value as given (a number, or its text, `1.5`): raises InvalidValue, naming the weight
    (`name`, as the person gave it), unless it is a number from 0 to 10."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not 0 <= number <= MAX_WEIGHT:
        raise InvalidValue(_("the score weight {name} must be a number from 0 to {most} (it is {value!r})").format(
            name=name, most=_number(MAX_WEIGHT), value=value))
    return number


def weight_changes(changes: Mapping[str, Any]) -> dict[str, float]:
    """`changes` (weight name -> number, as given) by weight name, checked: raises InvalidValue for an
    unknown name or a value that is not a number from 0 to 10."""
    values: dict[str, float] = {}
    for given, value in changes.items():
        values[weight_name(given)] = weight_value(" ".join(str(given).split()), value)
    return values


class ScoringOperations(_Base):
    """The board's score weights: a part of `Board`. (Reading them, `score_weights()`, is the
    reader's, `BoardReader`: the board's first frame sorts by them before the models are loaded.)"""

    def set_score_weights(self, changes: Mapping[str, float]) -> Weights:
        """Change some of the board's score weights (name -> 0-10; the others stay) and return all of
        them as stored. Giving every weight its default value removes the setting. One transaction;
        a change is recorded as a "settings" event of field `score_weights`.
        Raises InvalidValue for an unknown weight (naming the weights there are) or a value out of range."""
        values = weight_changes(changes)
        with self.transaction() as tx:
            stored = tx.setting(SCORE_WEIGHTS)
            old = weights_of(stored)
            new = replace(old, **values)
            if new == old and stored == (new.stored() or None):  # (a damaged setting is written anew)
                return new
            tx.set_setting(SCORE_WEIGHTS, new.stored() or None)
            tx.record_event("board", "settings", field=SCORE_WEIGHTS, old=old.spelled(), new=new.spelled())
        return new

