"""Filtering requirements by a one-line query, as typed after `/` on the board or given to
`reqboard list --query` (one parser, so that a script and the board keep the same requirements).

    pdf export customer:acme tier:A channel:email tag:ui owner:bob priority:>=12
    need:latent category:billing section:payment due:<2026-12-31 overdue blocked
    发票 客户:华为 层级:A 渠道:邮件 状态:进行中 卡诺:必备 优先级：>=12 需求类型:潜在 截止:<2026-12-31 逾期 受阻

Bare words must all appear in the key, title, description, customer or tags (case-insensitive);
`field:value` terms narrow by field. Quote a value with spaces: customer:"Müller GmbH". `need:` takes the
start of a need type (explicit, implicit, latent); `category:` a part of the category; `section:` a part of
the section (the heading path in the source document); `due:` a date (2026-12-31, also 2026/12/31 or
2026年12月31日, or `today`) after an optional comparison (`<`, `<=`, `>`, `>=`, `=`; none means on that day), and
keeps only requirements with a due date. Two bare words are tests, not words to look for: `overdue` (past its
due date and still open) and `blocked` (waiting on a dependency that is not done: it needs the whole board,
which the caller gives as a `QueryContext`; without one, `blocked` is refused). The context also says what day
it is; without one, today is the day in the board's time zone (`clock.today()`).

Chinese is typed as Chinese users type it: every field has a Chinese name (`CHINESE_FIELDS`), the
colon may be full-width (`客户：华为`), terms may be parted by a full-width space and quoted with
“…”, fixed values take their Chinese names (进行中, 邮件, 必备, A类), and a list of tiers may be
parted by `，` or `、`. A word in traditional characters finds the simplified ones and the other way
round (發票 finds 发票), and a word of Latin letters also finds the pinyin initials of a card's title
and customer (`bj` finds 北京银行), as does `customer:` and `owner:`. Initials are worked out once per
text, and only for text with Han characters (a board without any never loads pypinyin); `prepare`
works them out ahead, in a worker, so that the first such filter costs no more than the next.
"""

from __future__ import annotations

import operator
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from . import clock
from .collation import initials, simplified
from .domain import CHINESE_NAMES, CHOICE_LABELS, STATE_LABELS, Channel, Kano, NeedType, State, Tier, is_overdue
from .i18n import N_, _, is_chinese

if TYPE_CHECKING:
    from .cards import Card
    from .models import Requirement

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)

FIELDS = ("customer", "tier", "channel", "tag", "owner", "priority", "state", "kano", "need", "category", "section", "due")
"""The fields a `name:value` term narrows by, by their English names."""

CHINESE_FIELDS: dict[str, str] = {
    "客户": "customer",
    "层级": "tier",
    "客户层级": "tier",
    "渠道": "channel",
    "标签": "tag",
    "负责人": "owner",
    "优先级": "priority",
    "状态": "state",
    "卡诺": "kano",
    "kano类别": "kano",
    "需求类型": "need",
    "类型": "need",
    "分类": "category",
    "类别": "category",
    "章节": "section",
    "截止": "due",
    "截止日期": "due",
}
"""The Chinese names of the fields (any language may use them), and the field each one means."""

FLAGS: dict[str, str] = {"overdue": "overdue", "blocked": "blocked", "逾期": "overdue", "受阻": "blocked"}
"""The bare words that are tests rather than words to look for (any case, either language), and the
test each one means."""

_COMPARE = re.compile(r"^(>=|<=|>|<|=)?\s*(\d+)$")
_OPS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq,
}
_DATE_COMPARE = re.compile(r"^(>=|<=|>|<|=)?\s*(.+)$", re.DOTALL)
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_TODAY = frozenset({"today", "今天", "今日"})
_DATE_OPS: dict[str, Callable[[date, date], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq,
}
_COLON = re.compile("[:：]")
_LIST = re.compile("[,，、]")
# What a Chinese input method types for a space and for double quotes, as shlex knows them.
_TYPED = str.maketrans({"\u3000": " ", "“": '"', "”": '"'})
_SHLEX_REASONS = {
    "No closing quotation": N_("No closing quotation"),
    "No escaped character": N_("No escaped character"),
}
"""What shlex says of a query it cannot split, marked for the catalogue."""


class QueryError(ValueError):
    """The query cannot be understood; the message says which term and why."""


@dataclass(frozen=True)
class QueryContext:
    """What a filter needs to know beyond each requirement: the day it is (for `overdue` and
    `due:today`) and which requirements are blocked, by key (`store.links.LinkIndex.blocked` of the
    board the filter runs on)."""

    today: date
    blocked: Callable[[str], bool]


@dataclass(frozen=True)
class Query:
    text: str = ""
    words: tuple[str, ...] = ()
    tests: tuple[Callable[[Requirement], bool], ...] = field(default=(), compare=False)
    spelled: frozenset[str] = field(default=frozenset(), compare=False)
    """The words that may also be pinyin initials (Latin letters only)."""
    simpler: Mapping[str, str] = field(default_factory=dict, compare=False)
    """A word's simplified form where it differs from the word as typed: either is looked for (OpenCC
    writes a lone 乾 as 干 but keeps 乾 in 乾隆, so the typed form must match too)."""

    def __bool__(self) -> bool:
        return bool(self.words or self.tests)

    def matches(self, req: Requirement) -> bool:
        return self._has_words(req) and all(test(req) for test in self.tests)

    def _has_words(self, req: Requirement) -> bool:
        if self.words:
            haystack = req.search_text
            for word in self.words:
                # isascii() is a flag CPython keeps: an all-Latin card is never asked for initials.
                if word not in haystack and not (word in self.spelled and not haystack.isascii()
                                                 and _spelled(word, req)):
                    simple = self.simpler.get(word)
                    if simple is None or simple not in haystack:
                        return False
        return True

    def select(self, items: Iterable[T]) -> list[T]:
        """The items that match, in order: what `matches` says of each, with less work per item
        (a board filters every card on each change of the query): each test in turn keeps what
        passes it, so that the next one asks fewer items, and the words are looked for last."""
        kept = items if isinstance(items, list) else list(items)
        for test in self.tests:
            # A Card answers every test with the same names and values as its Requirement (duck-typed).
            kept = [item for item in kept if test(item)]  # type: ignore[arg-type]  # a Card or a Requirement
        if self.words:
            kept = [item for item in kept if self._has_words(item)]  # type: ignore[arg-type]  # a Card or a Requirement
        return kept if kept is not items else list(kept)


def parse_query(text: str, context: QueryContext | None = None) -> Query:
    """Parse a filter query; `context` gives the day and the board's blocked requirements (see
    `QueryContext`; without one, today is `clock.today()` and `blocked` cannot be used).
    Raises QueryError naming the term it cannot use."""
    try:
        terms = shlex.split(text.translate(_TYPED))
    except ValueError as exc:
        reason = _SHLEX_REASONS.get(str(exc))
        raise QueryError(_("cannot read the filter ({reason}): check the quotes").format(
            reason=_(reason) if reason else str(exc))) from None
    words: list[str] = []
    tests: list[Callable[[Requirement], bool]] = []
    for term in terms:
        colon = _COLON.search(term)
        if colon is None:
            flag = FLAGS.get(unicodedata.normalize("NFKC", term).casefold())
            if flag is not None:
                tests.append(_flag_test(flag, term, context))
                continue
        name = unicodedata.normalize("NFKC", term[:colon.start()]).lower() if colon else ""
        known = name if name in FIELDS else CHINESE_FIELDS.get(name)
        if colon is None or known is None:
            words.append(term.casefold())
            continue
        tests.append(_field_test(known, name, term[colon.end():], context))
    spelled = frozenset(word for word in words if word.isascii() and word.isalpha())
    simpler = {word: simple for word in words if (simple := simplified(word)) != word}
    return Query(text=text, words=tuple(words), tests=tuple(tests), spelled=spelled, simpler=simpler)


def _today(context: QueryContext | None) -> date:
    return context.today if context is not None else clock.today()


def _flag_test(flag: str, word: str, context: QueryContext | None) -> Callable[[Requirement], bool]:
    """The test a bare `overdue` or `blocked` (or 逾期, 受阻) stands for; `word` as typed."""
    if flag == "overdue":
        today = _today(context)
        return lambda r: is_overdue(r.due, r.state, today)
    if context is None:
        raise QueryError(_("{word} needs the whole board: use it on the board or with reqboard list --query").format(
            word=word))
    blocked = context.blocked
    return lambda r: blocked(r.key)


def _field_test(known: str, name: str, value: str,
                context: QueryContext | None = None) -> Callable[[Requirement], bool]:
    """The test of one `name:value` term; `known` is the field's English name, `name` as typed."""
    typed_value = value.casefold()
    wanted = simplified(typed_value)
    if not wanted:
        raise QueryError(_("{name}: needs a value, e.g. {name}:something").format(name=name))
    if known in ("customer", "owner", "category", "section"):
        by_initials = wanted.isascii() and wanted.isalpha()
        forms = (typed_value,) if wanted == typed_value else (typed_value, wanted)  # (see Query.simpler)

        def found(text: str) -> bool:
            folded = _folded(text)
            return any(form in folded for form in forms) or (by_initials and wanted in _initials(text))

        if known == "customer":
            return lambda r: found(r.customer)
        if known == "category":
            return lambda r: found(r.category)
        if known == "section":
            return lambda r: found(r.section)
        return lambda r: found(r.owner)
    if known == "tag":
        return lambda r: any(_folded_tag(t) in (wanted, typed_value) for t in r.tags)
    if known == "tier":
        try:
            tiers = {Tier(t) for t in _LIST.split(unicodedata.normalize("NFKC", value))}
        except ValueError:
            raise QueryError(_("{name}:{value}: tiers are A, B and C (e.g. {name}:A or {name}:A,B)").format(
                name=name, value=value)) from None
        return lambda r: r.tier in tiers
    if known == "channel":
        try:
            channel = Channel(value.strip())
        except ValueError:
            names = "、".join(CHINESE_NAMES[c][0] for c in Channel) if is_chinese() else ", ".join(c.value for c in Channel)
            raise QueryError(_("{name}:{value}: unknown channel; use one of {names}").format(
                name=name, value=value, names=names)) from None
        return lambda r: r.channel is channel
    if known == "state":
        states = _starting_with(State, wanted)
        return lambda r: r.state in states
    if known == "kano":
        kanos = _starting_with(Kano, wanted)
        return lambda r: r.kano in kanos
    if known == "need":
        needs = _starting_with(NeedType, wanted.strip())
        if not needs:
            names = ("、".join(CHINESE_NAMES[n][0] for n in NeedType) if is_chinese()
                     else ", ".join(n.value for n in NeedType))
            raise QueryError(_("{name}:{value}: unknown need type; use one of {names}").format(
                name=name, value=value, names=names))
        return lambda r: r.need_type in needs
    if known == "due":
        return _due_test(name, value, context)
    typed = unicodedata.normalize("NFKC", value).replace("≥", ">=").replace("≤", "<=").strip()
    match = _COMPARE.match(typed)
    if not match:
        raise QueryError(_("{name}:{value}: use a number with an optional comparison, e.g. {name}:>=12").format(
            name=name, value=value))
    op, number = _OPS[match.group(1) or ">="], int(match.group(2))
    return lambda r: r.priority is not None and op(r.priority, number)


def _due_test(name: str, value: str, context: QueryContext | None) -> Callable[[Requirement], bool]:
    """The test of `due:<2026-12-31` and the like: a requirement without a due date never matches."""
    typed = unicodedata.normalize("NFKC", value).replace("≥", ">=").replace("≤", "<=").strip()
    match = _DATE_COMPARE.match(typed)
    day = _day(match.group(2).strip(), context) if match else None
    if match is None or day is None:
        raise QueryError(_("{name}:{value}: use a date like 2026-12-31 with an optional comparison, "
                           "e.g. {name}:<2026-12-31 or {name}:>=today").format(name=name, value=value))
    op = _DATE_OPS[match.group(1) or "="]
    return lambda r: r.due is not None and op(r.due, day)


def _day(text: str, context: QueryContext | None) -> date | None:
    """The day `text` names: a date (2026-12-31, 2026/12/31, 2026年12月31日) or today; None if none."""
    if text.casefold() in _TODAY:
        return _today(context)
    match = _DATE.match(text)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:  # 2026-02-30
        return None


def _starting_with(kind: type[E], wanted: str) -> frozenset[E]:
    """The values of `kind` that `wanted` begins: in_progress by `in`, `in-progress` or `in progress`,
    进行中 by 进行 (any of its Chinese names), or by its label in the language spoken."""
    spelled = wanted.replace("-", "_").replace(" ", "_")
    return frozenset(
        member for member in kind
        if member.value.startswith(spelled)
        or any(name.startswith(wanted) for name in CHINESE_NAMES.get(member, ()))
        or _label(member).casefold().startswith(wanted)
    )


def _label(member: StrEnum) -> str:
    """A state's or choice's label in the language spoken."""
    if isinstance(member, State):
        return _(STATE_LABELS[member])
    return _(CHOICE_LABELS[member])


@lru_cache(maxsize=65536)
def _folded(text: str) -> str:
    """A customer's or owner's name as its filter looks in it: casefolded, and simplified after it
    when it holds traditional characters. Kept by the text: names repeat across cards."""
    folded = text.casefold()
    simple = simplified(folded)
    return folded if simple == folded else f"{folded}\n{simple}"


@lru_cache(maxsize=4096)
def _folded_tag(tag: str) -> str:
    return simplified(tag.casefold())


_initials = initials
"""The pinyin initials of a title's or name's Han characters ("" for text without any: pypinyin is not
loaded for it), kept by the text (collation's cache holds 131,072), so that each title is read once and
the palette's go-to finds them worked out too."""


def _spelled(word: str, req: Requirement) -> bool:
    """Does `word` (Latin letters) spell pinyin initials in the title or the customer (or a Card's)?"""
    return word in _initials(req.customer) or word in _initials(req.title)


def prepare(cards: Iterable[Card]) -> None:
    """Work out ahead what filtering needs of each card: its search text and the pinyin initials of
    its title and customer. The first filter by a Latin word otherwise pays for the initials of every
    Chinese title at once (about 0.1 ms a title: over a second at 10,000); a board calls this in a
    worker once its cards are read. Costs next to nothing for a board without Han text (pypinyin and
    OpenCC are not loaded); safe in a thread (caches are filled, never changed)."""
    for card in cards:
        card.search_text  # noqa: B018  # kept by the card once worked out
        _initials(card.customer)
        _initials(card.title)
