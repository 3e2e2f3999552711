"""Filtering requirements by a one-line query, as typed after `/` on the board.

    pdf export customer:acme tier:A channel:email tag:ui owner:bob priority:>=12

Bare words must all appear in the key, title, description, customer or tags (case-insensitive);
`field:value` terms narrow by field. Quote a value with spaces: customer:"Müller GmbH".
"""

from __future__ import annotations

import operator
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from .domain import Channel, Tier

if TYPE_CHECKING:
    from .models import Requirement

T = TypeVar("T")

FIELDS = ("customer", "tier", "channel", "tag", "owner", "priority", "state", "kano")
_COMPARE = re.compile(r"^(>=|<=|>|<|=)?\s*(\d+)$")
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq,
}


class QueryError(ValueError):
    """The query cannot be understood; the message says which term and why."""


@dataclass(frozen=True)
class Query:
    text: str = ""
    words: tuple[str, ...] = ()
    tests: tuple[Callable[[Requirement], bool], ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.words or self.tests)

    def matches(self, req: Requirement) -> bool:
        if self.words:
            haystack = req.search_text
            if not all(word in haystack for word in self.words):
                return False
        return all(test(req) for test in self.tests)

    def select(self, items: Iterable[T]) -> list[T]:
        """The items that match, in order: what `matches` says of each, with less work per item
        (a board filters every card on each change of the query)."""
        if not self.words and len(self.tests) == 1:
            test = self.tests[0]
            # A Card answers every test with the same names and values as its Requirement (duck-typed).
            return [item for item in items if test(item)]  # type: ignore[arg-type]  # a Card or a Requirement
        return [item for item in items if self.matches(item)]  # type: ignore[arg-type]  # a Card or a Requirement


def parse_query(text: str) -> Query:
    """Parse a filter query; raises QueryError naming the term it cannot use."""
    try:
        terms = shlex.split(text)
    except ValueError as exc:
        raise QueryError(f"cannot read the filter ({exc}): check the quotes") from None
    words: list[str] = []
    tests: list[Callable[[Requirement], bool]] = []
    for term in terms:
        name, sep, value = term.partition(":")
        if not sep or name.lower() not in FIELDS:
            words.append(term.casefold())
            continue
        tests.append(_field_test(name.lower(), value))
    return Query(text=text, words=tuple(words), tests=tuple(tests))


def _field_test(name: str, value: str) -> Callable[[Requirement], bool]:
    wanted = value.casefold()
    if not wanted:
        raise QueryError(f"{name}: needs a value, e.g. {name}:something")
    if name == "customer":
        return lambda r: wanted in r.customer.casefold()
    if name == "owner":
        return lambda r: wanted in r.owner.casefold()
    if name == "tag":
        return lambda r: any(t.casefold() == wanted for t in r.tags)
    if name == "tier":
        tiers = {t.strip().upper() for t in value.split(",")}
        if not tiers <= {t.value for t in Tier}:
            raise QueryError(f"tier:{value}: tiers are A, B and C (e.g. tier:A or tier:A,B)")
        return lambda r: r.tier is not None and r.tier.value in tiers
    if name == "channel":
        channel = Channel(value) if Channel._missing_(value) is not None else None
        if channel is None:
            names = ", ".join(c.value for c in Channel)
            raise QueryError(f"channel:{value}: unknown channel; use one of {names}")
        return lambda r: r.channel is channel
    if name == "state":
        return lambda r: r.state.value.startswith(wanted.replace("-", "_"))
    if name == "kano":
        return lambda r: r.kano is not None and r.kano.value.startswith(wanted.replace("-", "_"))
    match = _COMPARE.match(value.strip())
    if not match:
        raise QueryError(f"priority:{value}: use a number with an optional comparison, e.g. priority:>=12")
    op, number = _OPS[match.group(1) or ">="], int(match.group(2))
    return lambda r: r.priority is not None and op(r.priority, number)
