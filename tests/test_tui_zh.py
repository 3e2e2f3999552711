"""The board, its app shell and its screens in 简体中文: the board (title, columns, badges, lanes), the key
bar, help, the command palette (reqboard's commands and Textual's own), Reports, "Sync with...", and the
config file's problems.

Each app is made after REQBOARD_LANG=zh_CN is set (the app chooses its language when it is made). What
a person reads must hold no English word (`zh_support.english_words`) but the test's own data (the
titles and names it typed in Latin letters) and what Chinese teams write in Latin letters themselves
(key names, JSON, Kano...). Customer lanes come in pinyin order, and what is aligned or cut is measured
in display cells: the key bar and the column headers fit 80 columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input, Static

from reqboard.store import clock, i18n
from reqboard.store.board import Board
from reqboard.store.models import BOARD_STATES, State
from reqboard.tui import line_breaks
from reqboard.tui.app import ReqboardApp
from reqboard.tui.commands import Palette
from reqboard.tui.config import Config, config_path
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.help import HelpScreen
from reqboard.tui.screens.reports import ReportsScreen
from reqboard.tui.screens.sync import ConflictsScreen, SyncScreen
from reqboard.tui.widgets import card_list
from reqboard.tui.widgets.card_list import CardList, LaneHeader
from reqboard.tui.widgets.column import ColumnHeader
from reqboard.tui.widgets.key_bar import KeyBar

from test_reports_screen import Harness, build_weeks_board, computed
from test_tui_sync import conflicts, my_board, pair, plan, screen_text, team_board  # noqa: F401 (pair is a fixture)
from tui_support import (  # noqa: F401 (small_template is a fixture)
    StepClock,
    board_ready,
    copy_board,
    drawn_where,
    form,
    notifications,
    open_app,
    select_card,
    settle,
    small_template,
    text_of,
    wait_until,
)
from zh_support import english_words

BIG, SMALL = (160, 50), (80, 24)
START = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
LOOKED_AT = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)
"""When the snapshots look at the board (the card ages stop there)."""
KEY_NAMES = {"pgup", "pgdn", "super"}
"""Key names as Textual shows them (^pgup, super+c): typed as they are, in any language."""
LANES_IN_PINYIN_ORDER = ["Acme Logistics", "阿里巴巴", "北京华为", "重庆长安汽车", "上海电气", "Zeta Retail", "无客户"]
"""Every column's lanes by customer: Latin and Chinese names in one order (alibaba, beijing,
chongqing, shanghai), the cards without a customer last."""


class FrozenDatetime(datetime):
    """`datetime` whose now() is LOOKED_AT: the card ages and overdue badges stop moving."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # the fixed moment is a plain datetime, not this class
        return LOOKED_AT if tz is None else LOOKED_AT.astimezone(tz)


@pytest.fixture(autouse=True)
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app of these tests speaks Chinese (the conftest's English is set back for the next test)."""
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")


async def run_first_hit(pilot: Pilot, typed: str, name: str, what: str) -> None:
    """Type `typed` into the command palette, wait until its first hit is the command `name`, run it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, Palette), "the command palette")
    app.screen.query_one(Input).value = typed
    commands = app.screen.query_one(CommandList)
    await wait_until(pilot, lambda: commands.option_count and name in str(commands.get_option_at_index(0).prompt), what)
    await pilot.press("enter")


def build_chinese_board(path: Path, *, at: Callable[[], datetime] | None = None) -> Board:
    """A board by 李伟 whose text is mostly Chinese, with a card in every column and every badge:

    REQ-1..REQ-6 collected, one a customer (Acme Logistics, 阿里巴巴, 北京华为, 重庆长安汽车, Zeta Retail)
    and one without; REQ-7 analysed (上海电气); REQ-8 approved with an open change request and its text
    changed since (CR, changed); REQ-9 in progress, late; REQ-10 done; REQ-11 fed back.
    """
    board = Board(path, "李伟", clock=at) if at else Board(path, "李伟")
    add = board.add_requirement
    add("电子发票自动开具", customer="北京华为", tier="A", channel="email", tags=("财务",))
    add("仓库扫码枪离线模式", customer="重庆长安汽车", tier="B", channel="hotline")
    add("门户网站深色模式", channel="survey")
    add("Single sign-on with Entra ID", customer="Acme Logistics", tier="A", channel="interview")
    add("会员积分批量导入", customer="阿里巴巴", tier="C", channel="complaint")
    add("每周使用情况报告", customer="Zeta Retail", tier="B", channel="social-media")
    analysed = add("预约前短信提醒", customer="上海电气", tier="B", channel="hotline").key
    board.move_requirement(analysed, State.ANALYSED, updates={"importance": 4, "urgency": 3, "kano": "performance"})
    approved = add("客户门户单点登录", customer="北京华为", tier="A", channel="interview",
                   description="员工使用企业账号登录。").key
    board.move_requirement(approved, State.ANALYSED, updates={"importance": 5, "urgency": 4, "kano": "must-be"})
    board.approve(approved, "评审会已通过")
    board.add_change_request(approved, "同时支持微信登录", reason="一半员工使用微信")
    board.edit_requirement(approved, {"description": "员工使用企业账号或微信登录。"})
    late = add("物流延迟通知接口", customer="重庆长安汽车", channel="email", due=date(2026, 3, 10)).key
    board.move_requirement(late, State.ANALYSED, updates={"importance": 4, "urgency": 5, "kano": "performance"})
    board.approve(late, "")
    board.move_requirement(late, State.IN_PROGRESS, updates={"owner": "王芳"})
    for title, customer, score in (("发票批量打印", "阿里巴巴", None), ("月度对账单导出", "北京华为", 5)):
        key = add(title, customer=customer, tier="A", channel="email",
                  acceptance_criteria=({"text": "财务确认格式", "done": True},)).key
        board.move_requirement(key, State.ANALYSED, updates={"importance": 3, "urgency": 3, "kano": "attractive"})
        board.approve(key, "")
        board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "王芳"})
        board.move_requirement(key, State.DONE)
        if score is not None:
            board.record_feedback(key, score, "很满意", channel="email")
    return board


def data_words(path: Path) -> set[str]:
    """The Latin words of a board's own data (titles, customers, owners, the user): allowed anywhere."""
    words: set[str] = {"tester", "李伟"}
    for req in Board(path, "tester").requirements():
        for text in (req.title, req.customer or "", req.owner or "", req.description, *req.tags):
            words.update(re.findall(r"[A-Za-z]+", text))
    return words


def cut_data(text: str, words: set[str]) -> set[str]:
    """The words of `text` cut short by an ellipsis that begin one of the board's own `words` (a long
    customer name in a narrow card, "Logisti…"): data too, not untranslated English."""
    return {cut for cut in re.findall(r"([A-Za-z]+)…", text) if any(word.startswith(cut) for word in words)}


def chinese_app(path: Path, **config: Any) -> ReqboardApp:
    return ReqboardApp(path, "tester", config=Config(**config), watch_interval=60)


def lane_labels(app: Any, state: State) -> list[str]:
    items = app.screen.query_one(f"#cards-{state.value}", CardList)._items
    return [item.label for item in items if isinstance(item, LaneHeader)]


def lane_counts(app: Any, state: State) -> dict[str, tuple[int, int]]:
    """Each lane's cards in the column and on the whole board, by its label."""
    items = app.screen.query_one(f"#cards-{state.value}", CardList)._items
    return {item.label: (item.count, item.total) for item in items if isinstance(item, LaneHeader)}


def assert_chinese(text: str, allowed: Iterable[str] = ()) -> None:
    left = english_words(text, allowed)
    assert left == set(), f"English left: {sorted(left)} in\n{text}"


@pytest.fixture(scope="session")
def chinese_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("zh") / "board.json"
    build_chinese_board(path, at=StepClock(START, timedelta(hours=5)))
    return path


@pytest.fixture
def chinese_board(chinese_template: Path, board_path: Path) -> Path:
    return copy_board(chinese_template, board_path)


# ---------------------------------------------------------------------- the board
@pytest.mark.parametrize("size", [SMALL, BIG], ids=["80x24", "160x50"])
async def test_the_board_holds_no_english_and_fits_its_width(chinese_board: Path, size: tuple[int, int]) -> None:
    app = chinese_app(chinese_board)
    allowed = data_words(chinese_board)
    async with app.run_test(size=size) as pilot:
        screen = await board_ready(pilot)
        text = screen_text(app)
        title = text_of(screen.query_one("#board-title", Static))
        assert "看板上 11 个，已拒绝 0 个" in title and "用户：tester" in title
        assert "已收集" in text and "已批准" in text and "变更1" in text and "天" in text
        assert_chinese(text, allowed | cut_data(text, allowed))
        # Every column header and the key bar fit their width: nothing is wrapped out of sight.
        for header in screen.query(ColumnHeader):
            assert header.render().cell_length <= header.content_size.width, text_of(header)
        bar = screen.query_one(KeyBar)
        shown = text_of(bar)
        assert bar.render().rstrip().cell_length <= bar.content_size.width
        assert "推进" in shown and "退回" in shown and "筛选" in shown
        assert_chinese(shown)
        if size == BIG:  # every column and every key the board shows, and the palette's
            assert "逾期" in text and "已反馈" in text
            assert "报告" in shown and "帮助" in shown and "命令面板" in shown
        else:  # whole keys only, and the bar always ends with quit and help
            assert "…" not in shown and re.search(r"q\s+退出\s+\?\s+帮助$", shown.rstrip()), shown

        # Lanes by tier, then by customer: their headers and the title say so, in Chinese.
        await pilot.press("s")
        await pilot.pause()
        assert "A 类客户" in lane_labels(app, State.COLLECTED)
        assert "泳道：按层级" in text_of(screen.query_one("#board-title", Static))
        assert "泳道：按层级" in notifications(app)
        await pilot.press("s")
        await pilot.pause()
        text = screen_text(app)
        assert "泳道：按客户" in text_of(screen.query_one("#board-title", Static))
        assert lane_labels(app, State.COLLECTED)[-1] == "无客户"
        assert_chinese(text, allowed | cut_data(text, allowed))


async def test_customer_lanes_are_in_pinyin_order_with_no_customer_last(chinese_board: Path) -> None:
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        await pilot.press("s", "s")
        await pilot.pause()
        # Lanes are rows across the board: every column lists every lane in this one order, whatever
        # the cards' own order, each counted on the whole board.
        for state in BOARD_STATES:
            assert lane_labels(app, state) == LANES_IN_PINYIN_ORDER, state
        counts = {state: lane_counts(app, state) for state in BOARD_STATES}
        assert counts[State.ANALYSED]["上海电气"] == (1, 1) and counts[State.COLLECTED]["上海电气"] == (0, 1)
        assert counts[State.IN_PROGRESS]["重庆长安汽车"] == (1, 2) and counts[State.COLLECTED]["重庆长安汽车"] == (1, 2)
        assert "── 北京华为（3）" in screen_text(app)  # the header names the lane with its count on the board


async def test_an_english_board_keeps_its_lanes_and_words(chinese_board: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same board in English: the same order (pinyin sorts Chinese names among Latin ones), English words."""
    monkeypatch.setenv("REQBOARD_LANG", "en")
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        await pilot.press("s", "s")
        await pilot.pause()
        expected = LANES_IN_PINYIN_ORDER[:-1] + ["No customer"]
        for state in BOARD_STATES:
            assert lane_labels(app, state) == expected, state
        assert "lanes: by customer" in screen_text(app)


# ---------------------------------------------------------------------- help and the palette
async def test_help_lists_every_key_in_chinese(chinese_board: Path) -> None:
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        text = text_of(app.screen.query_one("#help-text", Static))
        assert "reqboard 快捷键" in text and "需求依次经过 已收集 → 已分析" in text
        assert "新建变更申请" in text and "变更申请" in text
        assert "下一个焦点" not in text  # reqboard's keys only, not Textual's own (focus next)
        # `[keys]` is the config file's table, as typed.
        assert_chinese(text, KEY_NAMES | {"keys"})
        # The descriptions start in one column (22 cells in), whatever the keys before them.
        rows = [line for line in text.splitlines() if line.startswith(("← h ", "^q q ", "⏎ "))]
        assert len(rows) == 3
        starts = [re.search(r"[\u4e00-\u9fff]", row) for row in rows]
        assert {cell_len(row[: start.start()]) for row, start in zip(rows, starts, strict=True) if start} == {22}


async def test_the_command_palette_speaks_chinese(chinese_board: Path) -> None:
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, Palette), "the command palette")
        palette = app.screen
        assert palette.query_one(Input).placeholder == "搜索命令…"
        commands = palette.query_one(CommandList)
        await wait_until(pilot, lambda: commands.option_count > 20, "the palette's commands")
        listed = "\n".join(str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count))
        for name in ("新建需求", "切换泳道", "与其他看板同步…", "报告", "主题", "退出", "快捷键", "截图"):
            assert name in listed, name
        assert_chinese(listed)

        # A requirement by its Chinese title, and by its title's pinyin initials.
        palette.query_one(Input).value = "dzfp"
        await wait_until(pilot, lambda: "电子发票自动开具" in str(commands.get_option_at_index(0).prompt),
                         "电子发票 found by its initials")
        assert "转到" in str(commands.get_option_at_index(0).prompt)

        palette.query_one(Input).value = "zzzz"
        await wait_until(pilot, lambda: commands.option_count == 1
                         and "没有匹配项" in str(commands.get_option_at_index(0).prompt), "no matches, said in Chinese")

        # "快捷键" (Textual's "Keys") opens reqboard's own help: the keys in force, in Chinese.
        palette.query_one(Input).value = "快捷键"
        await wait_until(pilot, lambda: commands.option_count and "快捷键" in str(commands.get_option_at_index(0).prompt),
                         "the keys command")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        assert isinstance(app.screen.under, BoardScreen)


async def test_a_palette_command_found_by_its_chinese_name_runs(chinese_board: Path) -> None:
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        screen = await board_ready(pilot)
        await run_first_hit(pilot, "切换泳道", "切换泳道", "the swimlanes command")
        await wait_until(pilot, lambda: screen.lanes == "tier", "lanes by tier")


async def test_the_screenshot_command_says_where_it_saved_in_chinese(chinese_board: Path, isolated_home: Path) -> None:
    (isolated_home / "Downloads").mkdir()  # where Textual saves it
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        await run_first_hit(pilot, "截图", "截图", "the screenshot command")
        await wait_until(pilot, lambda: any(n.startswith("截图已保存到 ") for n in notifications(app)),
                         "the screenshot's notice", timeout=20)
        said = next(n for n in notifications(app) if n.startswith("截图已保存到 "))
        assert Path(said.removeprefix("截图已保存到 ")).is_file()
        assert not any("Saved" in n for n in notifications(app))


# ---------------------------------------------------------------------- reports
async def test_the_reports_screen_holds_no_english(chinese_board: Path) -> None:
    app = chinese_app(chinese_board)
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.metrics is not None,
                         "the reports")
        await settle(pilot)
        text = screen_text(app)
        assert "报告 · board.json" in text and "未完成 9 个" in text and "交付周期" in text
        assert "优先级矩阵" in text and "返回看板" in text
        # The cumulative flow's legend, below its plot: each state with the glyph its band is filled with.
        assert "·· 已收集  ▚▚ 已分析" in text
        assert_chinese(text, data_words(chinese_board))


# ---------------------------------------------------------------------- sync
async def test_the_sync_screens_speak_chinese(pair: tuple[Path, Path], small_template: Path) -> None:
    team, mine = pair
    before = data_words(small_template)  # the values as they were: a conflict shows its base
    theirs, ours = team_board(team), my_board(mine)
    theirs.edit_requirement("REQ-3", {"title": "SMS reminders a day before"})
    ours.edit_requirement("REQ-3", {"title": "SMS reminders two hours before"})
    theirs.add_requirement("Team: audit log export")
    ours.add_requirement("Offline: barcode labels")
    # The data, the other board's path (shown scrolled, its first / out of sight), and `reqboard clone`,
    # the command as typed.
    allowed = before | data_words(team) | data_words(mine) | set(re.findall(r"[A-Za-z]+", str(team))) | {"clone"}
    app = open_app(mine)
    async with app.run_test(size=SMALL) as pilot:
        await board_ready(pilot)
        await run_first_hit(pilot, "同步", "与其他看板同步…", "the sync command, by its Chinese name")
        await wait_until(pilot, lambda: isinstance(app.screen, SyncScreen), "the sync screen")
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        field = screen.query_one("#sync-other", Input)
        await wait_until(pilot, lambda: field.value.endswith("team.json"), "the other board to be offered")
        assert_chinese(screen_text(app), allowed)
        shown = await plan(pilot, screen)
        assert "写入本看板（3）：REQ-3 REQ-10 REQ-11" in shown and "冲突（1）：REQ-3 的标题" in shown
        assert "重新编号：REQ-10（在本看板上创建）在两个看板上都将改为 REQ-11" in shown
        # The two boards' locations line up after their labels, by display cells.
        first, second = shown.splitlines()[:2]
        assert cell_len(first[: first.index("/")]) == cell_len(second[: second.index("/")])
        assert_chinese(shown, allowed)
        assert "为 1 处冲突作选择…" in screen_text(app)
        chooser = await conflicts(pilot)
        text = screen_text(app)
        assert text_of(chooser.query_one("#sync-title", Static)).endswith("team.json 的 1 处冲突")
        assert "待选择" in text and "基准（上次一致时）" in text
        assert_chinese(text, allowed)
        await pilot.press("t")
        await pilot.pause()
        assert "保留对方看板的值（对方）" in screen_text(app)
        assert isinstance(chooser, ConflictsScreen)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: any(n.startswith("已与 team.json 同步：") for n in notifications(app)),
                         "the sync's notice")
        said = next(n for n in notifications(app) if n.startswith("已与 team.json 同步："))
        assert "1 处冲突已按你的选择解决" in said and "，" in said
        assert_chinese(said, allowed)
        assert not isinstance(app.screen, SyncScreen)


# ---------------------------------------------------------------------- the config file
async def test_config_problems_are_said_in_the_configured_language(chinese_board: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The language comes from the config file, so the file's problems are said once it is known."""
    monkeypatch.setenv("REQBOARD_LANG", "en")
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('language = "zh_CN"\npoll_interval = 99\npol_interval = 1\n', encoding="utf-8")
    app = ReqboardApp(chinese_board, "tester", watch_interval=60)
    assert i18n.language() == i18n.CHINESE
    assert app.startup_warnings == [f"{path}：poll_interval 必须在 0.1 到 60 秒之间；将使用 0.5",
                                    f"{path}：未知设置 'pol_interval'（是否想用 poll_interval？）；已忽略"]
    async with app.run_test(size=BIG) as pilot:
        await board_ready(pilot)
        assert any("poll_interval 必须在" in n for n in notifications(app))


# ---------------------------------------------------------------------- snapshots
@pytest.fixture
def snap_board(chinese_template: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> ReqboardApp:
    """The Chinese board at ~/work/board.json, looked at LOOKED_AT, in Beijing time."""
    monkeypatch.setattr(card_list, "datetime", FrozenDatetime)
    path = isolated_home / "work" / "board.json"
    path.parent.mkdir()
    copy_board(chinese_template, path)
    return chinese_app(path, timezone="Asia/Shanghai")


def board_then(*keys: str) -> Callable[[Pilot], Any]:
    async def run_before(pilot: Pilot) -> None:
        await board_ready(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_board_snapshot_zh(snap_compare: Callable[..., bool], snap_board: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(snap_board, terminal_size=size, run_before=board_then("right", "right"))


def test_board_by_customer_snapshot_zh(snap_compare: Callable[..., bool], snap_board: ReqboardApp) -> None:
    assert snap_compare(snap_board, terminal_size=BIG, run_before=board_then("s", "s"))


@pytest.mark.parametrize("size", [BIG, (120, 40)], ids=["160x50", "120x40"])
def test_reports_snapshot_zh(snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]) -> None:
    """The Reports screen in Chinese and Beijing time. Not 80x24: there Plotext's axis labels land one cell
    apart from run to run, in Chinese as in English (see test_reports_screen's snapshot)."""
    i18n.set_language(i18n.CHINESE)
    clock.set_zone("Asia/Shanghai")
    line_breaks.install()  # as the app wraps Chinese (it installs this; the harness is not the app)
    app = Harness(build_weeks_board(tmp_path / "board.json"))

    async def drawn(pilot: Pilot) -> None:
        await computed(pilot)

    assert snap_compare(app, terminal_size=size, run_before=drawn)


# ---------------------------------------------------------------------- Chinese line breaks (tui/line_breaks.py)
OVERRIDE_INTRO = ("REQ-8 依赖于 REQ-4，而后者尚未完成。请先完成它；或者填写理由，强行移动（理由会记入历史记录）。")


def lines_of(text: str, width: int) -> list[str]:
    breaks = line_breaks.divide_line(text, width)
    return [text[start:end] for start, end in zip([0, *breaks], [*breaks, len(text)], strict=True)]


def test_chinese_breaks_between_characters_and_keeps_punctuation_with_its_character() -> None:
    # rich breaks only at spaces: "REQ-8 依赖于" alone on a line, the rest below it, folded anywhere.
    assert [line.rstrip() for line in lines_of(OVERRIDE_INTRO, 70)] == [
        "REQ-8 依赖于 REQ-4，而后者尚未完成。请先完成它；或者填写理由，强行移动", "（理由会记入历史记录）。"]
    for width in range(8, 80):  # from the widest unit, "REQ-4，" (7 cells): a narrower line folds it
        lines = lines_of(OVERRIDE_INTRO, width)
        assert "".join(lines) == OVERRIDE_INTRO
        assert all(cell_len(line.rstrip()) <= width for line in lines), (width, lines)
        assert not any(line[0] in line_breaks.CLOSING for line in lines), (width, lines)
        assert not any(line.rstrip()[-1] in line_breaks.OPENING for line in lines), (width, lines)
    assert lines_of("仍要将 REQ-8 移至“已完成”吗？", 12) == ["仍要将 REQ-8 ", "移至“已完成”", "吗？"]


def test_text_without_chinese_wraps_as_rich_wraps_it() -> None:
    text = "REQ-8 depends on REQ-4, not yet done. Finish that first, or give a reason to move it anyway " * 3
    for width in range(4, 90):
        assert line_breaks.divide_line(text, width) == line_breaks.ORIGINAL(text, width)
        assert line_breaks.divide_line(text, width, fold=False) == line_breaks.ORIGINAL(text, width, fold=False)


def test_the_wrapping_replaced_is_still_richs_own() -> None:
    """tui/line_breaks.py replaces the divide_line textual.content wraps with (rich's, under Textual 8.2.8): another
    version may wrap otherwise, and then the replacement must be looked at again."""
    import hashlib
    import inspect

    import textual

    source = inspect.getsource(line_breaks.ORIGINAL)
    assert textual.__version__ == "8.2.8"
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "edb3968cf35fdb49", source


async def test_a_form_s_chinese_intro_fills_its_lines(small_template: Path, board_path: Path) -> None:
    copy_board(small_template, board_path)
    app = open_app(board_path)
    async with app.run_test(size=SMALL) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-8")
        await pilot.press("greater_than_sign")
        drawn = drawn_where(app, form(app).query_one("#dialog-intro")).splitlines()
        assert [line.rstrip() for line in drawn] == [
            "REQ-8 依赖于 REQ-4，而后者尚未完成。请先完成它；或者填写理由，强行移动", "（理由会记入历史记录）。"]
