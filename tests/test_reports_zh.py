"""The metrics cut days and weeks in the local zone, and the reports speak the current language.

The issue's fixture: a team in Beijing (UTC+8) finishes a requirement at 07:30 on Monday 12 January
2026, which is 23:30 UTC on Sunday the 11th. In Beijing it counts in that Monday's week and on that
Monday in the cumulative flow; in UTC, on the Sunday, in the week before.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reqboard.store import clock, i18n
from reqboard.store.board import Board
from reqboard.store.metrics import BoardMetrics, board_metrics
from reqboard.store.models import State
from reqboard.store.reports import render_html, render_markdown, report_json, svg

from zh_support import english_words

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)           # Monday 5 January, 17:00 in Beijing
DONE_AT = datetime(2026, 1, 11, 23, 30, tzinfo=UTC)   # Monday 12 January, 07:30 in Beijing
NOW = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)        # Wednesday 14 January, 20:00 in Beijing
SUNDAY, MONDAY = date(2026, 1, 11), date(2026, 1, 12)
USER_DATA = ("Rates", "Acme")  # what the board's records hold in Latin letters (and the zone's name)


@pytest.fixture
def board(board_path: Path) -> Board:
    """REQ-1 delivered at DONE_AT (a day later: feedback 4, a change request approved that sends it back
    to approved); REQ-2 to REQ-4 open, from
    three channels, one of them with importance and urgency; REQ-5 rejected."""
    moment = {"at": T0}
    board = Board(board_path, "tester", clock=lambda: moment["at"])

    def at(when: datetime) -> Board:
        moment["at"] = when
        return board

    key = at(T0).add_requirement("导出电子发票", customer="华为", tier="A", channel="email").key
    at(T0 + timedelta(days=1)).move_requirement(key, "analysed", updates={"importance": 5, "urgency": 5,
                                                                           "kano": "must_be"})
    at(T0 + timedelta(days=2)).approve(key)
    at(T0 + timedelta(days=3)).move_requirement(key, "in_progress", updates={"owner": "李伟"})
    at(DONE_AT).move_requirement(key, "done")
    at(DONE_AT + timedelta(days=1)).record_feedback(key, 4)
    cr = at(DONE_AT + timedelta(days=1)).add_change_request(key, "加上公司标志").key
    at(DONE_AT + timedelta(days=1)).assess_change_request(cr, schedule_days=2, cost=300, effort_hours=8)
    at(DONE_AT + timedelta(days=1)).decide_change_request(cr, approve=True, rationale="成本低")
    second = at(T0).add_requirement("单点登录", customer="北京银行", tier="B", channel="hotline").key
    at(T0 + timedelta(days=1)).move_requirement(second, "analysed", updates={"importance": 4, "urgency": 2,
                                                                              "kano": "performance"})
    at(T0 + timedelta(days=1)).add_requirement("Rates <b>|</b>", customer="Acme", channel="interview")
    at(T0 + timedelta(days=2)).add_requirement("深色模式", customer="重庆", channel="interview")
    rejected = at(T0 + timedelta(days=2)).add_requirement("不做的需求", customer="华为").key
    at(T0 + timedelta(days=3)).move_requirement(rejected, "rejected", reason="超出范围")
    return board


def _metrics(board: Board, zone: str) -> BoardMetrics:
    clock.set_zone(zone)
    return board_metrics(board, now=NOW)


# ============================================================================ days and weeks in the zone


def test_work_done_before_eight_on_a_beijing_monday_counts_in_that_mondays_week(board: Board) -> None:
    beijing = _metrics(board, "Asia/Shanghai")
    assert [(w.start, w.count) for w in beijing.throughput] == [(date(2026, 1, 5), 0), (MONDAY, 1)]
    assert beijing.cumulative_flow.on(SUNDAY)[State.DONE] == 0
    assert beijing.cumulative_flow.on(MONDAY)[State.DONE] == 1

    utc = _metrics(board, "UTC")
    assert [(w.start, w.count) for w in utc.throughput] == [(date(2026, 1, 5), 1), (MONDAY, 0)]
    assert utc.cumulative_flow.on(SUNDAY)[State.DONE] == 1


def test_since_is_a_local_day(board: Board) -> None:
    clock.set_zone("Asia/Shanghai")
    assert board_metrics(board, now=NOW, since=MONDAY).lead_time.count == 1  # done on Monday, locally
    clock.set_zone("UTC")
    assert board_metrics(board, now=NOW, since=MONDAY).lead_time.count == 0  # done on Sunday


def test_today_is_the_zones_today(board: Board) -> None:
    late_sunday_utc = datetime(2026, 1, 18, 17, 0, tzinfo=UTC)  # Monday 19 January, 01:00 in Beijing
    clock.set_zone("Asia/Shanghai")
    beijing = board_metrics(board, now=late_sunday_utc)
    assert beijing.cumulative_flow.days[-1] == date(2026, 1, 19)
    assert beijing.throughput[-1].start == date(2026, 1, 19) and not beijing.throughput[-1].complete
    clock.set_zone("UTC")
    assert board_metrics(board, now=late_sunday_utc).cumulative_flow.days[-1] == date(2026, 1, 18)


def test_the_json_report_cuts_weeks_in_the_zone_and_keeps_its_spellings(board: Board) -> None:
    data = report_json(_metrics(board, "Asia/Shanghai"), board="board.json")
    assert [(w["start"], w["count"]) for w in data["throughput_per_week"]] == [("2026-01-05", 0), ("2026-01-12", 1)]
    assert data["period"]["until"] == "2026-01-14"
    assert data["generated_at"] == "2026-01-14T12:00:00Z"  # a moment for scripts: UTC
    assert data["cumulative_flow"]["days"][-1] == "2026-01-14"
    assert data["throughput_per_week"][1]["week"] == "2026-W03"


def test_the_json_report_is_the_same_in_every_language(board: Board) -> None:
    clock.set_zone("Asia/Shanghai")
    english = json.dumps(report_json(board_metrics(board, now=NOW), board="board.json"), ensure_ascii=False)
    i18n.set_language("zh_CN")
    chinese = json.dumps(report_json(board_metrics(board, now=NOW), board="board.json"), ensure_ascii=False)
    assert chinese == english
    data = json.loads(chinese)
    assert data["forecast"]["method"] == "exponential smoothing"
    assert data["forecast"]["note"].startswith("not enough data yet: exponential smoothing needs 2 complete weeks")
    assert set(data["count_by_state"]) == {s.value for s in State}


# ============================================================================ the reports in Chinese


class _Text(HTMLParser):
    """What a reader of the page sees: text outside <style>, and tooltips (title attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        self.parts += [value or "" for name, value in attrs if name == "title"]

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


def test_the_markdown_report_is_in_chinese(board: Board) -> None:
    m = _metrics(board, "Asia/Shanghai")
    i18n.set_language("zh_CN")

    text = render_markdown(m, board="board.json")

    for heading in ("# 需求报告：board.json", "## 概要", "## 流动指标", "### 吞吐量（最近 8 周）", "### 最早的未完成工作",
                    "## 满意度", "## Kano 类别分布", "## 变更申请", "## 新增需求预测", "## 优先级矩阵"):
        assert f"\n{heading}\n" in f"\n{text}", heading
    assert "生成于 2026-01-14 20:00 CST" in text  # local time, with the zone
    assert "| 2026 年第 3 周（截至目前） | 2026-01-12 | 1 |" in text
    assert "| 当前需求数 | 2 | 1 | 1 | 0 | 0 | 0 | 1 | 5 |" in text
    assert "数据不足：指数平滑需要 2 个完整周的新增需求，目前只有 1 个" in text
    assert english_words(text, USER_DATA) == set()


def test_the_html_report_is_in_chinese_with_a_cjk_font(board: Board) -> None:
    m = _metrics(board, "Asia/Shanghai")
    i18n.set_language("zh_CN")

    html = render_html(m, board="board.json")

    assert '<html lang="zh-CN">' in html
    style = html[html.index("<style>"):html.index("</style>")]
    assert '"Noto Sans CJK SC"' in style and '"Microsoft YaHei"' in style and '"PingFang SC"' in style
    assert all("Noto Sans CJK SC" in tag for tag in re.findall(r"<svg [^>]*>", html))
    text = _visible(html)
    assert "<title>需求报告：board.json</title>" in html
    for heading in ("流动指标", "满意度", "新增需求预测", "优先级矩阵", "最早的未完成工作", "变更申请", "累积流图"):
        assert f">{heading}<" in html, heading
    assert "生成于 2026-01-14 20:00 CST" in text
    assert "按 Asia/Shanghai 时区划分" in text
    assert english_words(text, (*USER_DATA, "Asia")) == set()


def test_the_html_report_says_english_in_english(board: Board) -> None:
    html = render_html(_metrics(board, "UTC"), board="board.json")
    assert '<html lang="en">' in html
    assert "Generated 2026-01-14 12:00 UTC" in html and "days and weeks in UTC" in html


def _table_after(text: str, header_start: str) -> list[str]:
    """The first cells of the Markdown table whose header starts with `header_start`."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[first + 2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip())
    return rows


def test_channels_are_listed_in_the_readers_order(board_path: Path) -> None:
    board = Board(board_path, "tester")
    for channel in ("email", "hotline", "interview"):
        key = board.add_requirement(f"经由 {channel}", customer="华为", channel=channel).key
        board.move_requirement(key, "analysed", updates={"importance": 3, "urgency": 3, "kano": "attractive"})
        board.approve(key)
        board.move_requirement(key, "in_progress", updates={"owner": "bob"})
        board.move_requirement(key, "done")
        board.record_feedback(key, 4)
    m = board_metrics(board)

    assert _table_after(render_markdown(m), "| Channel") == ["email", "hotline", "interview"]
    i18n.set_language("zh_CN")
    # Pinyin: fangtan, rexian, youjian (by code point, 热线 would come first).
    assert _table_after(render_markdown(m), "| 渠道") == ["访谈", "热线", "邮件"]


def test_legend_entries_are_spaced_by_display_width() -> None:
    """Each legend label gets room for its glyphs: a Chinese character is two cells wide, not one."""
    i18n.set_language("zh_CN")
    labels = [s.label for s in (State.COLLECTED, State.ANALYSED, State.APPROVED)]
    stacked = {s: [3, 2] for s in (State.COLLECTED, State.ANALYSED, State.APPROVED)}

    chart = svg.stacked_area("累积流图", ["01-05", "01-06"], stacked)

    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" class="legend">', chart)]
    assert len(xs) == 3 and svg.cells("已收集") == 6 and svg.cells("Done") == 4
    for label, x, following in zip(labels, xs, xs[1:], strict=False):
        # An 11px font draws a Chinese character about 11px wide; the swatch of the next entry takes 14.
        assert following - x - 14 >= 11 * len(label), (label, x, following)


def test_open_conflicts_and_blocked_work_are_reported_in_chinese(board: Board) -> None:
    board.edit_requirement("REQ-4", {"depends_on": ("REQ-2",)})
    board.edit_requirement("REQ-3", {"conflicts_with": ("REQ-4",)})
    m = _metrics(board, "Asia/Shanghai")
    english = report_json(m, board="board.json")
    i18n.set_language("zh_CN")
    assert report_json(m, board="board.json") == english
    assert (english["open_conflicts"], english["blocked"]) == ([{"keys": ["REQ-3", "REQ-4"]}],
                                                               [{"key": "REQ-4", "blocked_by": ["REQ-2"]}])

    text = render_markdown(m, board="board.json")
    links = text[text.index("\n## 依赖与冲突\n"):text.index("\n## 满意度\n")]
    assert "\n### 未解决的冲突（1）\n" in links and "\n### 受阻的需求（1）\n" in links
    assert "- REQ-3 Rates \\<b\\>\\|\\</b\\>（已收集）与 REQ-4 深色模式（已收集）冲突\n" in links
    assert "- REQ-4 深色模式（已收集），等待 REQ-2 单点登录（已分析）\n" in links
    assert "reqboard resolve KEY OTHER --decision TEXT" in links
    assert english_words(links, USER_DATA) == set()

    html = render_html(m, board="board.json")
    section = html[html.index('<section id="links">'):]
    section = _visible(section[:section.index("</section>")])
    assert "依赖与冲突" in section and "未解决的冲突（1）" in section and "受阻的需求（1）" in section
    assert "REQ-4 深色模式（已收集），等待 REQ-2 单点登录（已分析）" in section.replace("\n", "")
    assert english_words(section, USER_DATA) == set()
