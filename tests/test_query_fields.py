"""The filter's fields of issue #15: need:, category:, due:<DATE, and the bare tests overdue and blocked.

Cards and requirements must answer every term the same, so that the board (cards) and `reqboard list
--query` (either) keep the same requirements."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reqboard.store import clock, i18n
from reqboard.store.board import Board
from reqboard.store.cards import Card
from reqboard.store.domain import NeedType
from reqboard.store.links import LinkIndex
from reqboard.store.query import FLAGS, QueryContext, QueryError, parse_query


def _record(number: int, title: str, **fields: Any) -> dict[str, Any]:
    return {"key": f"REQ-{number}", "uid": f"uid-{number:04}", "title": title, "description": "",
            "state": "collected", "version": 1, "created_by": "ann", "created_at": "2026-11-02T08:00:00Z",
            "updated_by": "ann", "updated_at": "2026-11-02T08:00:00Z", **fields}


RECORDS = (
    _record(1, "Invoice export", state="approved", need_type="explicit", category="Billing",
            due="2026-12-10"),
    _record(2, "Blocked pipeline alerts", state="in_progress", need_type="implicit", category="Reporting / Billing",
            due="2026-12-20", depends_on=["REQ-1"]),
    _record(3, "Overdue reminders", state="done", need_type="latent", category="Notifications",
            due="2026-12-01", depends_on=["REQ-4"]),
    _record(4, "Dark mode", category="", depends_on=["REQ-1"]),
    _record(5, "Audit trail", state="analysed", need_type="latent", category="Compliance", due="2026-12-31",
            importance=3, urgency=3),
)

TODAY = date(2026, 12, 15)


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return [Card.of(dict(record)) for record in RECORDS]


@pytest.fixture(scope="module")
def context(cards: list[Card]) -> QueryContext:
    return QueryContext(today=TODAY, blocked=LinkIndex.of(cards).blocked)


def keys(text: str, cards: list[Card], context: QueryContext | None = None) -> list[str]:
    """The keys the filter keeps of the cards, checked to be those it keeps of the models, by
    `select` and by `matches` alike."""
    query = parse_query(text, context)
    found = [card.key for card in query.select(cards)]
    assert [card.key for card in cards if query.matches(card)] == found, text
    assert [card.key for card in cards if query.matches(card.requirement)] == found, text
    return found


# ---------------------------------------------------------------- need:

@pytest.mark.parametrize("text, expected", [
    ("need:explicit", ["REQ-1"]),
    ("need:implicit", ["REQ-2"]),
    ("need:latent", ["REQ-3", "REQ-5"]),
    ("need:lat", ["REQ-3", "REQ-5"]),        # the start of a need type is enough
    ("need:i", ["REQ-2"]),
    ("NEED:Latent", ["REQ-3", "REQ-5"]),     # any case
    ("need:潜在需求", ["REQ-3", "REQ-5"]),    # a Chinese name, in any language
    ("need:隐性", ["REQ-2"]),
    ("need:e tier:A", []),                   # with another term: both must hold
])
def test_need_keeps_the_need_type_it_names(text: str, expected: list[str], cards: list[Card]) -> None:
    assert keys(text, cards) == expected


def test_a_requirement_without_a_need_type_has_none_of_them(cards: list[Card]) -> None:
    every = {key for member in NeedType for key in keys(f"need:{member.value}", cards)}
    assert "REQ-4" not in every and every == {"REQ-1", "REQ-2", "REQ-3", "REQ-5"}


def test_an_unknown_need_type_is_refused_naming_the_need_types() -> None:
    with pytest.raises(QueryError) as caught:
        parse_query("need:obvious")
    assert str(caught.value) == "need:obvious: unknown need type; use one of explicit, implicit, latent"


# ---------------------------------------------------------------- category:

@pytest.mark.parametrize("text, expected", [
    ("category:billing", ["REQ-1", "REQ-2"]),   # a part of the category, any case
    ("category:BILL", ["REQ-1", "REQ-2"]),
    ("category:report", ["REQ-2"]),
    ('category:"reporting / billing"', ["REQ-2"]),
    ("category:notif", ["REQ-3"]),
    ("category:payroll", []),
])
def test_category_keeps_the_categories_that_hold_the_text(text: str, expected: list[str], cards: list[Card]) -> None:
    assert keys(text, cards) == expected


def test_category_finds_simplified_and_traditional_characters_alike() -> None:
    chinese = [Card.of(_record(1, "发票", category="報表統計")), Card.of(_record(2, "账单", category="账单管理"))]
    assert keys("category:报表", chinese) == keys("分类:報表", chinese) == ["REQ-1"]
    assert keys("类别:賬單", chinese) == ["REQ-2"]


def test_category_needs_a_value() -> None:
    with pytest.raises(QueryError, match="^category: needs a value, e.g. category:something$"):
        parse_query("category:")


# ---------------------------------------------------------------- due:

@pytest.mark.parametrize("text, expected", [
    ("due:<2026-12-20", ["REQ-1", "REQ-3"]),
    ("due:<=2026-12-20", ["REQ-1", "REQ-2", "REQ-3"]),
    ("due:>2026-12-20", ["REQ-5"]),
    ("due:>=2026-12-20", ["REQ-2", "REQ-5"]),
    ("due:=2026-12-20", ["REQ-2"]),
    ("due:2026-12-20", ["REQ-2"]),           # no comparison: on that day
    ("due:≤2026-12-10", ["REQ-1", "REQ-3"]),  # as typed with a Chinese input method
    ("due:＜2026-12-10", ["REQ-3"]),          # a full-width comparison
    ("due:<2026/12/10", ["REQ-3"]),
    ("due:<2026年12月10日", ["REQ-3"]),
    ("due:>=2026-1-1", ["REQ-1", "REQ-2", "REQ-3", "REQ-5"]),
    ("due:<2000-01-01", []),
])
def test_due_compares_the_due_date(text: str, expected: list[str], cards: list[Card]) -> None:
    assert keys(text, cards) == expected


def test_a_requirement_without_a_due_date_matches_no_comparison(cards: list[Card]) -> None:
    for text in ("due:<9999-12-31", "due:>0001-01-01", "due:>=2026-12-01"):
        assert "REQ-4" not in keys(text, cards), text


def test_due_today_is_the_context_s_day_or_the_board_s(cards: list[Card], context: QueryContext) -> None:
    assert keys("due:<today", cards, context) == ["REQ-1", "REQ-3"]
    assert keys("due:=TODAY", cards, dataclasses.replace(context, today=date(2026, 12, 20))) == ["REQ-2"]
    assert keys("截止:>=今天", cards, context) == ["REQ-2", "REQ-5"]
    everyday = parse_query("due:=today")  # no context: today where the board's clock is
    shifted = Card.of(_record(9, "x", due=clock.today().isoformat()))
    assert everyday.select([shifted]) == [shifted]


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01", "2026-02-30", "31.12.2026", "<", ">=", "<2026-12",
                                   "2026-12-31-1"])
def test_a_due_date_that_cannot_be_read_is_refused_with_an_example(value: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(f"due:{value}")
    assert str(caught.value) == (f"due:{value}: use a date like 2026-12-31 with an optional comparison, "
                                 "e.g. due:<2026-12-31 or due:>=today")


# ---------------------------------------------------------------- overdue

def test_overdue_keeps_what_is_past_its_due_date_and_still_open(cards: list[Card], context: QueryContext) -> None:
    # REQ-3 is past its due date too, but done.
    assert keys("overdue", cards, context) == ["REQ-1"]
    assert keys("overdue", cards, dataclasses.replace(context, today=date(2026, 12, 21))) == ["REQ-1", "REQ-2"]
    assert keys("overdue", cards, dataclasses.replace(context, today=date(2026, 12, 10))) == []
    assert keys("OVERDUE category:bill", cards, context) == ["REQ-1"]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_overdue_without_a_context_counts_days_in_the_board_s_zone(zone: str) -> None:
    """At any moment, one of these two zones (UTC+14, UTC-12) is on another day than UTC."""
    clock.set_zone(zone)
    local_today = datetime.now(ZoneInfo(zone)).date()
    due_today = Card.of(_record(1, "x", due=local_today.isoformat()))
    due_yesterday = Card.of(_record(2, "y", due=date.fromordinal(local_today.toordinal() - 1).isoformat()))
    assert parse_query("overdue").select([due_today, due_yesterday]) == [due_yesterday]


# ---------------------------------------------------------------- blocked

def test_blocked_keeps_unfinished_work_waiting_on_an_unfinished_dependency(
        cards: list[Card], context: QueryContext) -> None:
    # REQ-2 and REQ-4 wait on REQ-1 (approved); REQ-3 waits on REQ-4 but is done itself.
    assert keys("blocked", cards, context) == ["REQ-2", "REQ-4"]
    assert keys("blocked need:implicit", cards, context) == ["REQ-2"]
    assert keys("Blocked overdue", cards, dataclasses.replace(context, today=date(2026, 12, 21))) == ["REQ-2"]


def test_blocked_asks_the_context_by_key(cards: list[Card]) -> None:
    asked: list[str] = []

    def blocked(key: str) -> bool:
        asked.append(key)
        return key == "REQ-5"

    assert keys("blocked", cards, QueryContext(today=TODAY, blocked=blocked)) == ["REQ-5"]
    assert set(asked) == {card.key for card in cards}


def test_blocked_without_the_board_is_refused() -> None:
    for word in ("blocked", "BLOCKED", "受阻"):
        with pytest.raises(QueryError) as caught:
            parse_query(f"tier:A {word}")
        assert str(caught.value) == f"{word} needs the whole board: use it on the board or with reqboard list --query"


def test_the_bare_tests_are_not_words_looked_for(cards: list[Card], context: QueryContext) -> None:
    # REQ-2's title says "Blocked" and REQ-3's "Overdue": the words test the state of the work instead.
    assert "REQ-3" not in keys("overdue", cards, context)
    assert keys("blocked", cards, context) == ["REQ-2", "REQ-4"]
    assert keys("pipeline", cards, context) == ["REQ-2"]  # other words are still looked for
    assert parse_query("blocked overdue", context).words == ()
    assert set(FLAGS.values()) == {"overdue", "blocked"}


def test_the_context_is_a_value() -> None:
    context = QueryContext(today=TODAY, blocked=lambda key: False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.today = date(2027, 1, 1)  # type: ignore[misc]  # the point: it cannot be changed


# ---------------------------------------------------------------- a real board

NEW_TERMS = ("need:latent", "need:exp", "category:bill", "due:<2026-12-20", "due:>=2026-12-20", "overdue",
             "blocked", "blocked overdue", "need:l category:bill", "逾期 需求类型:显性", "受阻 截止:<=2026-12-31",
             "Requirement category:bill", "due:=2026-12-20 tier:A")


def test_cards_and_requirements_of_a_board_agree_on_every_new_term(board_of: Callable[..., Board]) -> None:
    board = board_of(6)
    board.edit_requirement("REQ-1", {"need_type": "explicit", "category": "Billing", "due": "2026-12-10"})
    board.edit_requirement("REQ-2", {"need_type": "latent", "category": "billing runs", "due": "2026-12-20",
                                     "depends_on": ["REQ-1"], "tier": "A"})
    board.edit_requirement("REQ-3", {"need_type": "latent", "due": "2026-12-31", "depends_on": ["REQ-2"]})
    board.edit_requirement("REQ-4", {"need_type": "implicit", "category": "Reports"})
    board.edit_requirement("REQ-6", {"due": "2026-12-01", "depends_on": ["REQ-4"]})
    cards, models = board.cards(), board.requirements()
    links = board.links()
    context = QueryContext(today=TODAY, blocked=links.blocked)
    found: dict[str, list[str]] = {}
    for text in NEW_TERMS:
        query = parse_query(text, context)
        found[text] = [c.key for c in query.select(cards)]
        assert found[text] == [r.key for r in models if query.matches(r)], text
    assert found["need:latent"] == ["REQ-2", "REQ-3"]
    assert found["category:bill"] == ["REQ-1", "REQ-2"]
    assert found["overdue"] == ["REQ-1", "REQ-6"]
    assert found["blocked"] == ["REQ-2", "REQ-3", "REQ-6"]
    assert found["blocked overdue"] == ["REQ-6"]
    assert found["due:=2026-12-20 tier:A"] == ["REQ-2"]


def test_new_terms_are_explained_in_chinese() -> None:
    i18n.set_language("zh_CN")
    with pytest.raises(QueryError, match="没有这个需求类型"):
        parse_query("need:obvious")
    with pytest.raises(QueryError, match=r"due:x：请填写日期（如 2026-12-31），可在前面加比较符，例如 due:<2026-12-31 或 due:>=今天"):
        parse_query("due:x")


# ---------------------------------------------------------------- section: (issue #20)

SECTIONED = (
    _record(1, "Card payment", section="3 Interfaces / 3.2 Payment"),
    _record(2, "Login screen", section="2 User interface"),
    _record(3, "No section"),
    _record(4, "报表", section="4 报表统计 / 4.1 月度报表"),
)


@pytest.mark.parametrize("text, expected", [
    ("section:payment", ["REQ-1"]),            # a part of the heading path, any case
    ("section:INTERFACE", ["REQ-1", "REQ-2"]),
    ('section:"3.2 payment"', ["REQ-1"]),
    ("section:3", ["REQ-1"]),
    ("章节:月度", ["REQ-4"]),                   # the Chinese name, in any language
    ("section:報表", ["REQ-4"]),                # traditional characters find simplified ones
    ("section:glossary", []),
])
def test_section_keeps_the_sections_that_hold_the_text(text: str, expected: list[str]) -> None:
    cards = [Card.of(dict(record)) for record in SECTIONED]
    assert keys(text, cards) == expected


def test_section_needs_a_value() -> None:
    with pytest.raises(QueryError, match="^section: needs a value, e.g. section:something$"):
        parse_query("section:")
