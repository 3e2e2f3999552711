"""The store's core in Chinese: refusals, conflicts and validation errors name the record in Chinese;
the guards' prompts are asked in Chinese and take Chinese names; customers come in pinyin order;
times in messages are local, and so is the day a due date passes. English is unchanged (the other
store tests assert it)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from reqboard.store import clock, i18n, workflow
from reqboard.store.board import Board
from reqboard.store.errors import Conflict, InvalidValue, NotFound, Refused, validation_message
from reqboard.store.models import (
    BOARD_STATES,
    Approval,
    ChangeRequest,
    Criterion,
    CRStatus,
    Feedback,
    Kano,
    Requirement,
    State,
    text_hash,
)
from reqboard.store.outputs import write_output
from reqboard.store.text import cell_width, fit, pad

from zh_support import english_words

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
HAN = re.compile(r"[\u4e00-\u9fff]")
# What a message may name as it must be typed: commands, options and the values of a choice.
TYPED = {"approve", "edit", "feedback", "show", "check", "cr", "assess", "implement", "close", "reject",
         "NAME", "CLASS", "TEXT"}


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language(i18n.CHINESE)
    yield
    i18n.set_language(i18n.ENGLISH)


@pytest.fixture
def board(tmp_path: Path) -> Board:
    return Board(tmp_path / "board.json", "李伟")


def chinese_text(text: str) -> bool:
    """Chinese, with no English left in it but what is typed as it is (keys, options, commands)."""
    return HAN.search(text) is not None and english_words(text, TYPED) == set()


def bare(state: State, key: str = "REQ-7") -> Requirement:
    return Requirement(
        key=key, title="导出 PDF", state=state,
        acceptance_criteria=(Criterion(text="能用 Acrobat 打开"), Criterion(text="A4 纸", done=True)),
        created_by="ann", created_at=T0, updated_by="ann", updated_at=T0,
    )


def complete(state: State, key: str = "REQ-7") -> Requirement:
    req = bare(state, key).model_copy(update={
        "customer": "华为", "importance": 4, "urgency": 3, "kano": Kano.PERFORMANCE, "owner": "王芳",
        "acceptance_criteria": (Criterion(text="能用 Acrobat 打开", done=True),),
        "feedback": (Feedback(by="ann", at=T0, satisfaction=4),),
    })
    req = Requirement.model_validate(req.model_dump())
    return req.model_copy(update={"approvals": (Approval(by="carol", at=T0, text_hash=text_hash(req)),)})


# ---------------------------------------------------------------------------- refusals
def test_a_refused_move_says_why_in_chinese_naming_the_record(chinese: None, board: Board) -> None:
    key = board.add_requirement("电子发票自动开具").key
    with pytest.raises(Refused) as skipped:
        board.move_requirement(key, State.APPROVED)
    assert str(skipped.value) == f"{key} 不能从“已收集”直接跳到“已批准”：请先移到“已分析”"
    assert skipped.value.rule == "move.no_skip"  # the rule's name stays what scripts know
    with pytest.raises(Refused) as unanalysed:
        board.move_requirement(key, "已分析")  # a state by its Chinese name
    message = str(unanalysed.value)
    assert message.startswith(f"{key} 无法进入“已分析”状态，还缺少：客户（提出方）、重要性、紧急程度、Kano 类别或分类；")
    assert message.endswith(f"；请运行 reqboard edit {key} --customer NAME --importance N --urgency N --kano CLASS")
    assert chinese_text(message), message


def test_a_refused_approval_and_edit_say_it_in_chinese(chinese: None, board: Board) -> None:
    key = board.add_requirement("电子发票自动开具").key
    with pytest.raises(Refused) as early:
        board.approve(key, "同意")
    assert str(early.value).startswith(f"{key} 处于“已收集”状态：需先完成需求分析才能批准；还缺少：客户（提出方）")
    with pytest.raises(Refused) as feedback:
        board.record_feedback(key, 4)
    assert str(feedback.value) == f"{key} 处于“已收集”状态：需求完成后才能记录反馈（中期满意度读数用 --interim，可随时记录）"
    with pytest.raises(InvalidValue) as itself:
        board.edit_requirement(key, {"depends_on": (key,)})
    assert str(itself.value) == f"{key} 不能在“依赖”中列出自己"
    with pytest.raises(Conflict) as stale:
        board.edit_requirement(key, {"owner": "王芳"}, expect_version=0)
    assert str(stale.value).startswith(f"{key} 在版本 0 之后已被修改：李伟 于 ")
    with pytest.raises(NotFound) as missing:
        board.get("REQ-99")
    assert str(missing.value) == f"在 {board.path} 中找不到 REQ-99"


def test_a_validation_error_is_said_in_chinese_with_the_fields_labels(chinese: None, board: Board) -> None:
    key = board.add_requirement("电子发票自动开具").key
    with pytest.raises(InvalidValue) as bad:
        board.edit_requirement(key, {"importance": 9, "title": "  ", "due": "2026-13-01"})
    assert str(bad.value) == (f"{key}：输入无效——标题：不能为空；重要性：应小于或等于 5；"
                              "截止日期：应为有效的日期或日期时间（月份超出 1-12 的范围）")
    # The field -> message map a form shows under each field: keyed by the stored names.
    assert bad.value.errors["importance"] == "应小于或等于 5"
    with pytest.raises(InvalidValue) as choice:
        board.add_requirement("新需求", channel="信鸽")
    assert str(choice.value).startswith("新需求：输入无效——渠道：应为 “访谈”、“问卷调查”")
    assert str(choice.value).endswith("“投诉” 或 “其他”")
    with pytest.raises(InvalidValue) as long_title:
        board.add_requirement("长" * 201)
    assert str(long_title.value) == "新需求：输入无效——标题：最多 200 个字符（现有 201 个）"


def test_a_nested_fields_error_names_each_part_in_chinese(chinese: None) -> None:
    with pytest.raises(Exception) as raised:
        Requirement.model_validate({**bare(State.COLLECTED).model_dump(), "approvals": [{"by": "", "at": "x"}]})
    message = str(validation_message(raised.value))
    assert "批准记录 / 1 / 记录人：不能为空" in message
    assert "批准记录 / 1 / 时间：应为有效的日期时间或日期（输入太短）" in message
    assert "批准记录 / 1 / 文本哈希：必须填写" in message
    assert chinese_text(message), message


def test_english_is_as_it_was(board: Board) -> None:
    key = board.add_requirement("Invoice").key
    with pytest.raises(InvalidValue) as bad:
        board.edit_requirement(key, {"importance": 9, "business_value": 0})
    assert str(bad.value) == (f"{key}: invalid importance: Input should be less than or equal to 5; "
                              "business_value: Input should be greater than or equal to 1")
    with pytest.raises(Refused) as refused:
        board.move_requirement(key, State.ANALYSED)
    assert str(refused.value) == (f"{key} needs a customer (who asked), importance, urgency and a Kano class or "
                                  f"category before it can be analysed: reqboard edit {key} --customer NAME "
                                  "--importance N --urgency N --kano CLASS")
    with pytest.raises(Conflict, match=r"saved version 1 at 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC; re-read it"):
        board.edit_requirement(key, {"owner": "ann"}, expect_version=0)


# ---------------------------------------------------------------------------- every guard, every move
def test_every_move_refusal_and_guard_prompt_reads_in_chinese(chinese: None) -> None:
    """Walks every (from, to) move of a requirement that has nothing and of one that has everything:
    each refusal and each prompt formats (no missing field) and reads as Chinese."""
    states = (*BOARD_STATES, State.REJECTED)
    seen = 0
    for current, target, make, reason in itertools.product(states, states, (bare, complete), ("", "客户撤回")):
        req = make(current)
        refusal = workflow.check_move(req, target, reason)
        if refusal is not None:
            assert chinese_text(refusal.message), (current, target, refusal.message)
            seen += 1
        for inp in workflow.prompt_for(req, target, "李伟"):
            assert chinese_text(inp.label), inp
            if inp.kind == "choice":
                assert all(HAN.search(label) for _value, label in inp.choices), inp.choices
    assert seen > 40
    for target in BOARD_STATES:
        for inp in workflow.inputs_of(target):
            assert chinese_text(inp.label), inp
        for need in workflow.needs_for(bare(State.COLLECTED).model_copy(update={"title": " "}), target):
            assert chinese_text(need), need


def test_every_change_request_refusal_reads_in_chinese(chinese: None) -> None:
    refused = 0
    for current, target, rationale in itertools.product(CRStatus, CRStatus, ("", "成本太高")):
        cr = ChangeRequest(key="CR-3", summary="改为 A3 纸", status=current, submitted_by="ann", submitted_at=T0)
        refusal = workflow.check_cr_step(cr, target, rationale)
        if refusal is not None:
            assert chinese_text(refusal.message), (current, target, refusal.message)
            assert "CR-3" in refusal.message
            refused += 1
    assert refused > 40


def test_a_guards_inputs_take_chinese_names_and_say_what_is_wrong_in_chinese(chinese: None, board: Board) -> None:
    key = board.add_requirement("电子发票自动开具").key
    moved = board.move_requirement(key, State.ANALYSED, inputs={"customer": "华为", "importance": "4",
                                                                 "urgency": "3", "kano": "必备"})
    assert moved.kano is Kano.MUST_BE and moved.state is State.ANALYSED
    inputs = workflow.inputs_of(State.FED_BACK)
    assert workflow.parse_inputs(inputs, {"channel": "邮件", "satisfaction": "5"}) == {"channel": "email",
                                                                                       "satisfaction": 5}
    assert workflow.parse_inputs(inputs, {"channel": "售后服务"}) == {"channel": "after_sales"}
    with pytest.raises(InvalidValue) as wrong:
        workflow.parse_inputs(inputs, {"channel": "信鸽"})
    assert str(wrong.value) == ("告知客户的渠道：'信鸽' 不是以下选项之一：访谈、问卷调查、热线、邮件、售后服务、"
                                "社交媒体、市场调研、投诉、其他")
    with pytest.raises(InvalidValue) as score:
        workflow.parse_inputs(inputs, {"satisfaction": "六"})
    assert str(score.value) == "客户满意度（1-5）：'六' 不是 1 到 5 之间的整数"
    approving = workflow.prompt_for(board.get(key), State.APPROVED, "李伟")
    # Issue #15: a sign-off may be recorded for someone else (and, on a board with roles, asks the role).
    assert [inp.label for inp in approving] == ["代签对象（签核人不是您本人时填写）", "批准意见（以 李伟 的身份批准）"]
    board.set_signoff_roles(["客户", "产品"])
    by_role = workflow.prompt_for(board.get(key), State.APPROVED, "李伟", workflow.Rules(signoff_roles=("客户", "产品")))
    assert (by_role[0].label, by_role[0].choices) == ("签核角色", (("客户", "客户"), ("产品", "产品")))
    with pytest.raises(Refused) as unsigned:
        board.move_requirement(key, State.APPROVED)
    assert str(unsigned.value).endswith("还缺少：客户、产品 的签核；请运行 reqboard approve " + key + " --role 客户")


def test_the_labels_follow_the_language_chosen_after_import() -> None:
    """GUARDS is built at import, in English; what a person is asked follows the language of the moment."""
    kano = workflow.inputs_of(State.ANALYSED)[3]
    assert (kano.label, kano.choices[0]) == ("Kano class", ("must_be", "must be"))
    i18n.set_language(i18n.CHINESE)
    try:
        kano = workflow.inputs_of(State.ANALYSED)[3]
        assert (kano.label, kano.choices[0]) == ("Kano 类别", ("must_be", "必备型"))
        assert workflow.GUARDS[State.ANALYSED].inputs[3].label == "Kano class"  # the declaration stays
    finally:
        i18n.set_language(i18n.ENGLISH)


# ---------------------------------------------------------------------------- order, time, width
def test_customers_come_in_pinyin_order(board: Board) -> None:
    for name in ("重庆长安", "Zeta", "阿里巴巴", "北京华为", "acme", "Beijing Auto", "华为"):
        board.add_requirement("需求", customer=name)
    assert [c.name for c in board.customers()] == ["acme", "阿里巴巴", "Beijing Auto", "北京华为", "重庆长安",
                                                   "华为", "Zeta"]


def test_a_conflict_shows_the_time_in_the_local_zone(chinese: None, tmp_path: Path) -> None:
    clock.set_zone("Asia/Shanghai")
    board = Board(tmp_path / "board.json", "李伟", clock=lambda: datetime(2026, 12, 1, 23, 30, 5, tzinfo=UTC))
    key = board.add_requirement("需求").key
    with pytest.raises(Conflict) as stale:
        board.edit_requirement(key, {"owner": "王芳"}, expect_version=0)
    assert "李伟 于 2026-12-02 07:30:05 CST 保存了版本 1" in str(stale.value)
    assert stale.value.at == "2026-12-01T23:30:05+00:00"  # what a script reads stays UTC


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_requirement_is_overdue_from_the_local_day_after_its_due_date(zone: str) -> None:
    """UTC+14 and UTC-11 are a day apart from UTC for half of every day each: a requirement due on the
    local yesterday is overdue, one due today is not, whatever the day is in UTC."""
    clock.set_zone(zone)
    today = clock.today()
    assert bare(State.IN_PROGRESS).model_copy(update={"due": today - timedelta(days=1)}).overdue()
    assert not bare(State.IN_PROGRESS).model_copy(update={"due": today}).overdue()
    assert not bare(State.DONE).model_copy(update={"due": date(2000, 1, 1)}).overdue()


def test_widths_are_display_cells() -> None:
    assert cell_width("李伟") == 4 and cell_width("Li Wei") == 6 and cell_width("e\u0301") == 1
    assert pad("李伟", 6) + "|" == "李伟  |" and pad("Li Wei", 6) + "|" == "Li Wei|"
    assert fit("电子发票自动开具", 7) == "电子发…" and cell_width(fit("电子发票自动开具", 8)) <= 8
    assert fit("short", 10) == "short" and fit("abcdef", 4) == "abc…"


def test_an_output_refusal_is_said_in_chinese(chinese: None, board: Board) -> None:
    board.add_requirement("需求")
    with pytest.raises(InvalidValue) as refused:
        write_output(board.path, b"x", board.files())
    assert str(refused.value) == f"拒绝写入 {board.path}：它是看板文件本身（{board.path}）；请换一个文件名"
    with pytest.raises(InvalidValue) as no_folder:
        write_output(board.path.parent / "无" / "报告.csv", b"x", board.files())
    assert "文件夹" in str(no_folder.value) and "不存在" in str(no_folder.value)
