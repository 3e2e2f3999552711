"""The filter in Chinese: Chinese field names and values, pinyin initials, traditional and simplified
characters alike, errors in Chinese, and no pypinyin for a board without Chinese text."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reqboard.store import i18n
from reqboard.store import query as query_module
from reqboard.store.cards import Card
from reqboard.store.domain import CHINESE_NAMES, Channel, Kano, NeedType, State, Tier
from reqboard.store.query import CHINESE_FIELDS, FIELDS, QueryContext, QueryError, parse_query, prepare
from tests.zh_support import english_words


def _record(number: int, title: str, **fields: Any) -> dict[str, Any]:
    return {"key": f"REQ-{number}", "uid": f"uid-{number:04}", "title": title, "description": "",
            "state": "collected", "version": 1, "created_by": "ann", "created_at": "2026-11-02T08:00:00Z",
            "updated_by": "ann", "updated_at": "2026-11-02T08:00:00Z", **fields}


RECORDS = (
    _record(1, "北京银行电子发票导出", state="in_progress", customer="北京银行", tier="A", channel="email",
            owner="张敏", tags=["发票"], kano="must_be", importance=5, urgency=4, need_type="explicit",
            category="账单管理", due="2026-12-15", section="3 接口 / 3.2 支付"),
    _record(2, "發票列印（繁體）", customer="華為技術", tier="B", channel="hotline",
            owner="李伟", tags=["報表"], kano="performance", importance=2, urgency=3, need_type="latent",
            category="報表列印", due="2027-01-20"),
    _record(3, "Export invoices as PDF", state="done", customer="Acme", tier="C", channel="after_sales",
            owner="bob", tags=["ui"], kano="attractive", importance=1, urgency=1, need_type="implicit",
            category="Billing", due="2026-11-30"),
    _record(4, "重庆仓库温度超标提醒", state="fed_back", customer="重庆冷链物流", channel="complaint",
            description="冷库温度超标时通知值班人员。"),
)


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    return [Card.of(dict(record)) for record in RECORDS]


def keys(text: str, cards: list[Card], context: QueryContext | None = None) -> list[str]:
    """The keys the filter `text` keeps, from the cards and (the same, checked) from the models."""
    query = parse_query(text, context)
    found = [card.key for card in query.select(cards)]
    assert [card.key for card in cards if query.matches(card.requirement)] == found, text
    return found


# One example a Chinese field name, with a Chinese value, and the same term in English.
EXAMPLES = {
    "客户": ("客户:华为", "customer:華為", ["REQ-2"]),
    "层级": ("层级:A类", "tier:A", ["REQ-1"]),
    "客户层级": ("客户层级：A、B", "tier:A,B", ["REQ-1", "REQ-2"]),
    "渠道": ("渠道:售后服务", "channel:after_sales", ["REQ-3"]),
    "标签": ("标签:报表", "tag:報表", ["REQ-2"]),
    "负责人": ("负责人:张敏", "owner:张敏", ["REQ-1"]),
    "优先级": ("优先级：≥６", "priority:>=6", ["REQ-1", "REQ-2"]),
    "状态": ("状态:进行中", "state:in_progress", ["REQ-1"]),
    "卡诺": ("卡诺:必备型", "kano:must_be", ["REQ-1"]),
    "kano类别": ("Kano类别:魅力", "kano:attractive", ["REQ-3"]),
    "需求类型": ("需求类型:潜在", "need:latent", ["REQ-2"]),
    "类型": ("类型：显性需求", "need:exp", ["REQ-1"]),
    "分类": ("分类:报表", "category:報表", ["REQ-2"]),
    "类别": ("类别:zdgl", "category:账单", ["REQ-1"]),      # the pinyin initials of 账单管理
    "截止": ("截止:<2026年12月31日", "due:<2026-12-31", ["REQ-1", "REQ-3"]),
    "截止日期": ("截止日期：≥2027/1/1", "due:>=2027-01-01", ["REQ-2"]),
    "章节": ("章节:支付", "section:支付", ["REQ-1"]),
}


def test_every_field_has_a_chinese_name_and_every_chinese_name_an_example() -> None:
    assert set(CHINESE_FIELDS.values()) == set(FIELDS)
    assert set(EXAMPLES) == set(CHINESE_FIELDS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_chinese_field_name_with_a_chinese_value_selects_what_the_english_term_does(
        name: str, cards: list[Card]) -> None:
    chinese, english, expected = EXAMPLES[name]
    assert keys(chinese, cards) == keys(english, cards) == expected


def test_the_colon_may_be_full_width_and_terms_parted_by_a_full_width_space(cards: list[Card]) -> None:
    assert keys("客户：北京　层级：A", cards) == ["REQ-1"]
    assert keys("状态：已收集", cards) == keys("状态:已收集", cards) == ["REQ-2"]
    assert keys("客户:“华为 技术”", cards) == []  # quoted with the input method's quotes: one value
    assert keys("客户:“華為技術”", cards) == ["REQ-2"]


@pytest.mark.parametrize("member", list(State))
def test_every_chinese_name_of_a_state_filters_by_it(member: State) -> None:
    for name in CHINESE_NAMES[member]:
        assert _matched(f"状态:{name}", "state", State) == {member}, name


@pytest.mark.parametrize("kind, field", [(Kano, "kano"), (Channel, "channel"), (Tier, "tier")])
def test_every_chinese_name_of_a_kano_category_channel_and_tier_filters_by_it(kind: type, field: str) -> None:
    for member in kind:
        for name in CHINESE_NAMES[member]:
            assert _matched(f"{field}:{name}", field, kind) == {member}, name


def _matched(text: str, field: str, kind: Any) -> set[Any]:
    """The values of `kind` a one-term filter keeps, asked of a card with each value."""
    test = parse_query(text).tests[0]
    return {member for member in kind if test(Card.of(_record(9, "x", **{field: member.value})))}


def test_a_state_or_kano_category_is_found_by_the_start_of_a_name(cards: list[Card]) -> None:
    assert keys("状态:进行", cards) == ["REQ-1"]
    assert keys("状态:已", cards) == ["REQ-2", "REQ-3", "REQ-4"]  # 已收集 已完成 已反馈, not 进行中
    assert keys("卡诺:期望", cards) == ["REQ-2"]
    assert keys("state:in", cards) == ["REQ-1"]  # as before
    assert keys('state:"fed back"', cards) == ["REQ-4"]


def test_latin_letters_find_the_pinyin_initials_of_a_title_and_a_customer(cards: list[Card]) -> None:
    assert keys("bj", cards) == ["REQ-1"]            # 北京银行
    assert keys("bjyh", cards) == ["REQ-1"]          # 银行 is yin hang, not yin xing
    assert keys("hw", cards) == ["REQ-2"]            # 華為技術, traditional
    assert keys("cq", cards) == ["REQ-4"]            # 重庆 is chong qing, not zhong
    assert keys("ckwdcb", cards) == ["REQ-4"]        # 仓库温度超标
    assert keys("pdf", cards) == ["REQ-3"]           # Latin text still matches as itself
    assert keys("bj pdf", cards) == []               # every word must match
    assert keys("客户:bj", cards) == ["REQ-1"]
    assert keys("负责人:zm", cards) == ["REQ-1"]
    assert keys("bj2", cards) == []                  # initials are letters only


def test_prepared_cards_are_filtered_by_initials_without_working_them_out_again() -> None:
    # Titles of their own, so that no other test has worked out their initials yet.
    fresh = [Card.of(_record(n, f"预热{n}号北京分公司报表", customer=f"第{n}客户")) for n in range(1, 40)]
    before = query_module._initials.cache_info().misses
    prepare(fresh)
    prepared = query_module._initials.cache_info().misses
    assert prepared - before == 2 * len(fresh)  # each title and customer once
    assert len(keys("yr bjfgs", fresh)) == len(fresh) and keys("kh", fresh) == keys("yr", fresh)
    assert keys("xyz", fresh) == []
    assert query_module._initials.cache_info().misses == prepared


def test_traditional_and_simplified_characters_find_each_other(cards: list[Card]) -> None:
    assert keys("发票", cards) == ["REQ-1", "REQ-2"]  # 发票 and 發票
    assert keys("發票", cards) == ["REQ-1", "REQ-2"]
    assert keys("华为", cards) == ["REQ-2"]
    assert keys("報表", cards) == keys("报表", cards) == ["REQ-2"]  # a tag
    assert keys("温度超标", cards) == ["REQ-4"]      # the description too
    assert keys("溫度超標", cards) == ["REQ-4"]


def test_a_character_opencc_writes_otherwise_alone_is_found_as_typed() -> None:
    """OpenCC writes a lone 乾 as 干 but keeps it in 乾隆 and 乾坤: the typed form is looked for too."""
    archive = [Card.of(_record(9, "乾隆时期档案数字化", customer="乾坤科技", tags=["乾隆"]))]
    for text in ("乾", "乾隆", "客户:乾", "客户:乾坤", "标签:乾隆"):
        assert keys(text, archive) == ["REQ-9"], text


@pytest.mark.parametrize("text, said", [
    ("层级:D", "层级:D：层级只有 A、B、C（例如 层级:A 或 层级:A,B）"),
    ("客户:", "客户：冒号后缺少要筛选的值"),
    ("优先级:高", "优先级:高：请填写数字"),
    ('客户:"华为', "无法读取筛选条件（引号没有闭合）"),
    ("渠道:传真", "渠道:传真：没有这个渠道"),
    ("需求类型:明确", "需求类型:明确：没有这个需求类型，请使用以下之一：显性需求、隐性需求、潜在需求"),
    ("截止:明天", "截止:明天：请填写日期（如 2026-12-31）"),
    ("截止:2026-02-30", "截止:2026-02-30：请填写日期"),
    ("受阻", "“受阻”要根据整个看板判断"),
])
def test_a_query_that_cannot_be_used_is_explained_in_chinese(text: str, said: str) -> None:
    i18n.set_language("zh_CN")
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    message = str(caught.value)
    assert said in message
    assert english_words(message) == set()


@pytest.mark.parametrize("member", list(NeedType))
def test_every_chinese_name_of_a_need_type_filters_by_it(member: NeedType) -> None:
    for name in CHINESE_NAMES[member]:
        for field in ("need", "需求类型", "类型"):
            assert _matched(f"{field}:{name}", "need_type", NeedType) == {member}, (field, name)


def test_overdue_and_blocked_have_chinese_words(cards: list[Card]) -> None:
    context = QueryContext(today=date(2026, 12, 20), blocked=lambda key: key == "REQ-2")
    assert keys("逾期", cards, context) == keys("overdue", cards, context) == ["REQ-1"]  # REQ-3 is done
    assert keys("受阻", cards, context) == keys("blocked", cards, context) == ["REQ-2"]
    assert keys("逾期 客户:北京", cards, context) == ["REQ-1"]
    assert keys("受阻 逾期", cards, context) == []


def test_an_unknown_channel_lists_the_channels_by_their_chinese_names() -> None:
    i18n.set_language("zh_CN")
    with pytest.raises(QueryError) as caught:
        parse_query("渠道:传真")
    assert all(CHINESE_NAMES[channel][0] in str(caught.value) for channel in Channel)
    i18n.set_language(i18n.ENGLISH)
    with pytest.raises(QueryError, match="unknown channel; use one of interview, survey, hotline"):
        parse_query("channel:fax")


def test_the_english_messages_are_as_they_were() -> None:
    expected = {
        "tier:D": "tier:D: tiers are A, B and C (e.g. tier:A or tier:A,B)",
        "customer:": "customer: needs a value, e.g. customer:something",
        "priority:abc": "priority:abc: use a number with an optional comparison, e.g. priority:>=12",
        '"abc': "cannot read the filter (No closing quotation): check the quotes",
    }
    for text, message in expected.items():
        with pytest.raises(QueryError) as caught:
            parse_query(text)
        assert str(caught.value) == message


# Filters every card and requirement of a board, then says which modules got loaded.
_PROBE = r"""
import json, sys
from reqboard.store.board import Board
from reqboard.store.query import parse_query

board = Board(sys.argv[1], "probe")
cards, models = board.cards(), board.requirements()
found = []
for text in ("bj", "pdf", "customer:bj", "owner:zm", "tag:ui", "state:done", "kano:must", "export bj"):
    query = parse_query(text)
    found.append([c.key for c in query.select(cards)] + [r.key for r in models if query.matches(r)])
print(json.dumps({"found": found, "pypinyin": "pypinyin" in sys.modules, "opencc": "opencc" in sys.modules}))
"""


def _probe(path: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_a_board_without_chinese_text_never_loads_pypinyin_or_opencc(tmp_path: Path) -> None:
    from reqboard.store.board import Board

    board = Board(tmp_path / "latin.json", "ann")
    board.add_requirement("Export invoices as PDF", customer="Müller GmbH", owner="bob", tags=("ui",))
    board.add_requirement("Bulk edit of orders", customer="Bluebird Retail")
    result = _probe(tmp_path / "latin.json")
    assert result["found"][1] == ["REQ-1", "REQ-1"]  # the probe filtered cards and models
    assert (result["pypinyin"], result["opencc"]) == (False, False)
    # The probe would notice: one Chinese customer, and the same filters load both.
    board.add_requirement("票据打印", customer="北京银行")
    result = _probe(tmp_path / "latin.json")
    assert result["found"][0] == ["REQ-3", "REQ-3"]
    assert (result["pypinyin"], result["opencc"]) == (True, True)
