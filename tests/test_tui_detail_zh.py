"""The detail pane, the forms and prompts, the archive and the change-request panes in 简体中文.

Each test builds its app after REQBOARD_LANG=zh_CN and TZ=Asia/Shanghai are set (the app chooses the
language and the zone when it is made), on a board whose own text is Chinese, made by 李伟 and ann.
What a person reads must hold no English word (`zh_support.english_words`) but the test's own data
(ann's name) and what Chinese teams write in Latin letters themselves (Kano, PDF, key names).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList, Select, SelectionList

from reqboard.store.board import Board
from reqboard.store.history_words import event_said
from reqboard.store.i18n import _
from reqboard.store.models import State
from reqboard.store.text import shown
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
from reqboard.tui.screens.archive import ArchiveScreen
from reqboard.tui.screens.change_request import ChangeRequestScreen
from reqboard.tui.screens.change_requests import ChangeRequestsScreen
from reqboard.tui.screens.detail import DetailScreen
from reqboard.tui.screens.form import FormScreen
from reqboard.tui.widgets import card_list
from reqboard.tui.widgets.key_bar import KeyBar

from tui_support import (
    SIZE,
    StepClock,
    board_ready,
    copy_board,
    form,
    notifications,
    open_app,
    open_detail,
    select_card,
    settle,
    submit,
    text_of,
)
from zh_support import english_words

BEIJING = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
"""08:30 on a Monday in Beijing: the board's first change."""
LOOKED_AT = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)
"""When the snapshots look at the board (the card ages stop there)."""
DATA = {"ann"}
"""The Latin words of the test's own data: a user's name."""
BIG, SMALL = (160, 50), (80, 24)


def build_chinese_board(path: Path) -> None:
    """A board a Chinese team keeps, every change at a fixed time, by 李伟 and by ann:

    REQ-1 approved, edited by a change request since (CR-1, approved): its approval is out of date
    REQ-2 in progress, depends on REQ-1 (so CR-1 flagged it suspect; started ahead of it), overdue
    REQ-3 fed back, with the customer's feedback
    REQ-4 rejected
    REQ-5 collected, no analysis yet (a move asks for it)
    REQ-6 collected, analysed already (a move needs nothing)
    REQ-7 done, no feedback yet (a move asks for it)
    """
    clock = StepClock(START, timedelta(hours=3))
    li, ann = Board(path, "李伟", clock=clock), Board(path, "ann", clock=clock)

    r1 = li.add_requirement("电子发票自动开具", customer="华为", tier="A", channel="email",
                            description="财务希望每张发票单独生成 PDF，并加盖公司电子印章。", tags=("发票", "财务"),
                            acceptance_criteria=({"text": "每张发票生成一个 PDF", "done": False},))
    ann.edit_requirement(r1.key, {"business_value": 4, "feasibility": "high", "need_type": "explicit",
                                  "effort_estimate": 40})
    li.move_requirement(r1.key, State.ANALYSED, updates={"importance": 5, "urgency": 4, "kano": "must-be"})
    li.approve(r1.key, "评审会议通过")

    r2 = ann.add_requirement("仓库扫码枪离线模式", customer="北京银行", channel="hotline", depends_on=(r1.key,),
                             due=date(2025, 12, 31))
    ann.move_requirement(r2.key, State.ANALYSED, updates={"importance": 3, "urgency": 5, "kano": "performance"})
    li.approve(r2.key, "")
    # Started before REQ-1 is done (#15: a dependency holds a move back unless overridden, with a reason).
    li.move_requirement(r2.key, State.IN_PROGRESS, updates={"owner": "张敏"}, override_dependency=True,
                        reason="接口已经约定，可以先开发")

    cr = ann.add_change_request(r1.key, "同时支持增值税专用发票", reason="客户的子公司需要开具专票",
                                new_title="电子发票与增值税专用发票自动开具")
    li.assess_change_request(cr.key, schedule_days=5, cost=12000, effort_hours=40, risk="high",
                             resources="一名后端开发", affects=[r2.key])
    li.decide_change_request(cr.key, approve=True, rationale="成本可控，客户多次提出")

    r3 = ann.add_requirement("每周使用情况报告", customer="上海浦东发展银行", channel="survey",
                             acceptance_criteria=({"text": "每周一上午发送", "done": True},))
    ann.move_requirement(r3.key, State.ANALYSED, updates={"importance": 2, "urgency": 2, "category": "报表"})
    li.approve(r3.key, "")
    ann.move_requirement(r3.key, State.IN_PROGRESS, updates={"owner": "ann"})
    ann.move_requirement(r3.key, State.DONE)
    li.record_feedback(r3.key, 4, "客户很满意", channel="email")

    r4 = li.add_requirement("传真集成", customer="华为", channel="other")
    li.reject(r4.key, "已经没有人使用传真了")

    li.add_requirement("短信预约提醒", customer="招商银行", channel="interview")
    r6 = ann.add_requirement("批量导入客户", customer="招商银行", channel="complaint")
    ann.edit_requirement(r6.key, {"importance": 3, "urgency": 3, "kano": "attractive"})

    r7 = li.add_requirement("深色模式", customer="华为", channel="social-media")
    li.move_requirement(r7.key, State.ANALYSED, updates={"importance": 2, "urgency": 1, "kano": "attractive"})
    li.approve(r7.key, "")
    li.move_requirement(r7.key, State.IN_PROGRESS, updates={"owner": "李伟"})
    li.move_requirement(r7.key, State.DONE)


@pytest.fixture(scope="session")
def chinese_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("chinese") / "board.json"
    build_chinese_board(path)
    return path


@pytest.fixture
def chinese(chinese_template: Path, board_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the Chinese board, and an app that will speak Chinese in Beijing time."""
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    return copy_board(chinese_template, board_path)


# ---------------------------------------------------------------------- what a person reads
def pane_text(app: Any) -> str:
    """Every line the screen draws but the key bar's (whose words are the bindings', checked below)."""
    screen = app.screen
    bar = screen.query_one(KeyBar).region
    strips = screen._compositor.render_strips()
    return "\n".join(strip.text for y, strip in enumerate(strips) if y != bar.y)


def dialog_text(dialog: FormScreen) -> str:
    """What a form says: its title, intro, labels, help, errors and buttons, the choices of its
    selects and checklists, its placeholders."""
    parts = [text_of(widget) for widget in dialog.query("#dialog Label, #dialog Static")]
    parts += [str(button.label) for button in dialog.query(Button)]
    for select in dialog.query(Select):
        parts.append(str(select.prompt))
        parts += [str(label) for label, _value in select._options]
    for checklist in dialog.query(SelectionList):
        parts += [str(checklist.get_option_at_index(i).prompt) for i in range(checklist.option_count)]
    parts += [field.placeholder for field in dialog.query(Input)]
    return "\n".join(parts)


def assert_chinese(text: str, *, allowed: set[str] = DATA) -> None:
    assert english_words(text, allowed) == set(), text


# ---------------------------------------------------------------------- the panes
@pytest.mark.parametrize("key", ["REQ-1", "REQ-2", "REQ-3"])
async def test_the_detail_pane_is_all_chinese(chinese: Path, key: str) -> None:
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, key)
        text = pane_text(app)
        assert_chinese(text)
        assert "状态" in text and "历史记录" in text and "变更申请" in text


async def test_the_detail_pane_names_each_part_in_chinese_in_local_time(chinese: Path) -> None:
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, "REQ-1")
        req = detail.requirement
        assert req is not None
        title = text_of(detail.query_one("#detail-title"))
        assert title == "REQ-1  电子发票与增值税专用发票自动开具   [已批准]"
        fields = text_of(detail.query_one("#detail-fields")).splitlines()
        local = req.updated_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        assert f"版本            {req.version}，李伟 更新于 {local} CST" in fields
        assert "客户            华为（A 类客户）" in fields
        assert "Kano 类别       必备型" in fields
        more = text_of(detail.query_one("#detail-more"))
        approved_at = req.approvals[0].at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        assert f"{approved_at}  李伟：评审会议通过" in more
        assert "批准后的改动：" in more  # the change request changed its title since
        assert "电子发票自动开具 → 电子发票与增值税专用发票自动开具" in more  # #15: was → now, not a diff
        crs = detail.query_one("#detail-crs", OptionList)
        assert str(crs.get_option_at_index(0).prompt) == "CR-1   已批准      同时支持增值税专用发票"

        await pilot.press("escape")
        await settle(pilot)
        detail = await open_detail(pilot, "REQ-2")
        fields = text_of(detail.query_one("#detail-fields"))
        assert "可疑             CR-1 修改了 REQ-1（按 v 标记为已评审）" in fields
        assert "已逾期" in fields


async def test_history_lines_by_li_wei_and_ann_line_up_in_local_time(chinese: Path) -> None:
    """李伟 takes four cells and ann three: the action starts in the same column on every line."""
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, "REQ-1")
        lines = text_of(detail.query_one("#detail-history")).splitlines()
        events = list(reversed(detail.history or []))
        assert len(lines) == len(events) and {e.by for e in events} == {"李伟", "ann"}
        starts = set()
        for line, event in zip(lines, events, strict=True):
            assert line.startswith(event.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M  "))
            said = shown(event_said(event), one_line=True)
            assert line.endswith(said)
            starts.add(cell_len(line) - cell_len(said))
        assert starts == {31}  # the time (16), two spaces, the name in 12 cells and a space
        assert_chinese("\n".join(lines))
        history = "\n".join(lines)
        assert "状态：已收集 → 已分析" in history and "已批准  版本 3  （评审会议通过）" in history
        # The clock steps 3 hours a change from 00:30 UTC: the first event is 11:30 in Beijing, not 03:30.
        assert lines[-1].startswith("2026-03-02 11:30  李伟") and "已创建  电子发票自动开具" in lines[-1]


async def test_the_change_request_pane_list_and_archive_are_chinese(chinese: Path) -> None:
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, "REQ-1")
        crs = detail.query_one("#detail-crs", OptionList)
        crs.focus()
        crs.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangeRequestScreen)
        text = pane_text(app)
        assert_chinese(text)
        assert "进度 5 天 · 成本 12,000.00 · 工作量 40 小时 · 风险：高" in text
        assert "成本可控，客户多次提出" in text and "影响评估" in text and "时间线" in text
        await pilot.press("escape", "escape")
        await settle(pilot)

        await pilot.press("v")  # every change request
        await settle(pilot)
        assert isinstance(app.screen, ChangeRequestsScreen)
        table = app.screen.query_one(DataTable)
        headings = " ".join(str(column.label) for column in table.columns.values())
        assert_chinese(headings + "\n" + pane_text(app))
        assert "状态：全部（1/1）" in text_of(app.screen.query_one("#crs-title"))
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("a")  # the archive
        await settle(pilot)
        assert isinstance(app.screen, ArchiveScreen)
        text = pane_text(app)
        assert_chinese(text)
        assert "归档：已拒绝的需求" in text and "已经没有人使用传真了" in text
        options = app.screen.query_one(OptionList)
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")  # the rejected requirement's detail pane
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = pane_text(app)
        assert_chinese(text)
        assert "拒绝原因        已经没有人使用传真了" in text


def test_the_keys_of_these_screens_are_described_in_chinese() -> None:
    from reqboard.store import i18n

    i18n.set_language("zh_CN")
    for screen in (DetailScreen, ChangeRequestScreen, ChangeRequestsScreen, ArchiveScreen, FormScreen):
        for binding in screen.BINDINGS:
            described = _(binding.description)  # type: ignore[union-attr]  # every one is a Binding
            assert described != binding.description and english_words(described) == set(), described


# ---------------------------------------------------------------------- forms and prompts
async def test_the_new_requirement_and_edit_forms_are_chinese(chinese: Path) -> None:
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        dialog = form(app)
        await submit(pilot)  # empty: the title is asked for
        text = dialog_text(dialog)
        assert_chinese(text)
        assert "新建需求" in text and "标题为必填项" in text and "（未设置）" in text
        await pilot.press("escape")
        await settle(pilot)

        await select_card(pilot, "REQ-1")
        await pilot.press("e")
        dialog = form(app)
        dialog.query_one("#field-due", Input).value = "明天"
        await submit(pilot)
        text = dialog_text(dialog)
        assert_chinese(text)
        assert "编辑 REQ-1" in text and "截止日期 '明天' 不是有效日期（格式如 2026-12-31）" in text
        assert "必备型" in text and "邮件" in text  # the choices by their Chinese labels


async def test_the_move_reject_and_feedback_prompts_are_chinese(chinese: Path) -> None:
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        await pilot.press("greater_than_sign")  # to analysed: the analysis is asked for
        dialog = form(app)
        await submit(pilot)
        text = dialog_text(dialog)
        assert_chinese(text)
        assert "将 REQ-5 移至“已分析”" in text and "重要性（1-5）" in text
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("x")  # reject it
        dialog = form(app)
        await submit(pilot)
        text = dialog_text(dialog)
        assert_chinese(text)
        assert "拒绝 REQ-5" in text and "拒绝原因？" in text
        await pilot.press("escape")
        await settle(pilot)

        await select_card(pilot, "REQ-7")
        await pilot.press("greater_than_sign")  # to fed back: the customer's feedback is asked for
        dialog = form(app)
        await submit(pilot)
        text = dialog_text(dialog)
        assert_chinese(text)
        assert "将 REQ-7 移至“已反馈”" in text
        await pilot.press("escape")
        await settle(pilot)

        await select_card(pilot, "REQ-1")
        await pilot.press("less_than_sign")  # back to analysed: a reason
        text = dialog_text(form(app))
        assert_chinese(text)
        assert "将 REQ-1 退回“已分析”" in text


async def test_every_other_form_of_the_actions_is_chinese(chinese: Path) -> None:
    """The forms a key or the palette opens: each one submitted empty (or wrong), so that its
    errors show too."""
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        store = Board(chinese, "check")
        req1, req2 = store.get("REQ-1"), store.get("REQ-2")
        cr = store.add_change_request("REQ-2", "离线时缓存扫码记录")  # a fresh one, to assess and decide
        req2 = store.get("REQ-2")
        actions = board.actions
        opened = {
            "new change request": lambda: actions.new_change_request(req1),
            "assess": lambda: actions.assess_change_request(req2, cr),
            "approve": lambda: actions.decide_change_request(req2, cr, approve=True),
            "reject": lambda: actions.decide_change_request(req2, cr, approve=False),
            "implemented": lambda: actions.implement_change_request(req1, req1.change_requests[0]),
            "close": lambda: actions.close_change_request(req1, req1.change_requests[0]),
            "review": lambda: actions.review(req2),
            "WIP limit": lambda: actions.wip_limit(State.IN_PROGRESS, 3),
            "filter": lambda: actions.filter("", lambda query: None, lambda key: False),
            "export": actions.export,
            "import": actions.import_file,
        }
        for name, open_form in opened.items():
            open_form()
            await settle(pilot)
            dialog = form(app)
            if name == "WIP limit":
                dialog.query_one("#field-limit", Input).value = "三"
            if name not in ("filter", "export", "implemented", "close", "review"):  # these would do their work
                await submit(pilot)
            text = dialog_text(dialog)
            assert english_words(text, DATA) == set(), (name, text)
            await pilot.press("escape")
            await settle(pilot)
        assert notifications(app) == []  # nothing was refused or done


async def test_a_move_is_announced_in_chinese(chinese: Path) -> None:
    app = open_app(chinese)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-6")
        await pilot.press("greater_than_sign")  # it has its analysis: moved at once
        await settle(pilot)
        assert Board(chinese, "check").get("REQ-6").state is State.ANALYSED
        assert "REQ-6 已移至“已分析”" in notifications(app)
        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")  # fed back is the last column
        await settle(pilot)
        assert "REQ-3 的状态为“已反馈”，没有下一个状态" in notifications(app)


# ---------------------------------------------------------------------- snapshots
class FrozenDatetime(datetime):
    """`datetime` whose now() is LOOKED_AT: the card ages behind a prompt stop moving."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # the fixed moment is a plain datetime
        return LOOKED_AT if tz is None else LOOKED_AT.astimezone(tz)


@pytest.fixture
def zh_snap_app(chinese_template: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> ReqboardApp:
    monkeypatch.setattr(card_list, "datetime", FrozenDatetime)
    monkeypatch.setenv("REQBOARD_CONFIG_DIR", str(isolated_home / ".config" / "reqboard"))
    path = isolated_home / "work" / "board.json"
    path.parent.mkdir()
    copy_board(chinese_template, path)
    return ReqboardApp(path, "tester", config=Config(language="zh_CN", timezone="Asia/Shanghai"),
                       watch_interval=60)


def then(select: str, *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        await board_ready(pilot)
        await select_card(pilot, select)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_detail_snapshot_zh(snap_compare, zh_snap_app: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(zh_snap_app, terminal_size=size, run_before=then("REQ-1", "enter"))


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_move_prompt_snapshot_zh(snap_compare, zh_snap_app: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(zh_snap_app, terminal_size=size, run_before=then("REQ-5", "greater_than_sign"))
