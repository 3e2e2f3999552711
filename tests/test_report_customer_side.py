"""The board report's customer side (issue #16): satisfaction by dimension, customer and month, the reasons
for low scores, response targets met and missed, and what is overdue or due soon, in `report --json` and
as sections of the Markdown and HTML reports. Every figure below is worked out by hand from the board the
fixture builds on a fixed clock.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.metrics import BoardMetrics, board_metrics
from reqboard.store.reports import render_html, render_markdown, report_json

from board_locations import BoardLocation
from zh_support import english_words

T0 = datetime(2026, 1, 26, 9, 0, tzinfo=UTC)  # Monday 26 January
NOW = T0 + timedelta(days=9.5)                 # Wednesday 4 February, 21:00
USER_DATA = ("Acme", "Beta", "Gamma", "Invoice", "export", "Refund", "complaint", "Dark", "mode", "Single", "sign",
             "Fax", "support", "carol", "bob", "too", "slow")


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def metrics(board_location: BoardLocation) -> BoardMetrics:
    """Targets: analysed within 2 days (any channel and tier), within 1 day for a tier A complaint.

    REQ-1 Invoice export (Acme, A, email): analysed on day 1 (met), delivered, read 5 on 31 January
      (quality 5, responsiveness 4); due 30 January, but delivered: neither overdue nor due soon.
    REQ-2 Refund complaint (Beta, A, complaint): analysed on day 3 (missed: 1 day for a tier A complaint);
      interim readings 2 on 29 January (late) and 4 on 2 February (communication 3); due 1 February:
      3 days overdue on 4 February; owner carol.
    REQ-3 Dark mode (Beta, B, complaint; collected on day 1): not analysed, deadline 29 January 09:00:
      breached, 6.5 days late at NOW; due 7 February (3 days left).
    REQ-4 Single sign-on (Acme, A, email; collected on day 8): deadline day 10, still open; due 11 February
      (7 days left: due soon, the last day counted).
    REQ-5 Fax support (Gamma): rejected before it was analysed: its target is not counted.
    """
    clock = Clock()
    board: Board = board_location.board("tester", clock=clock)

    def at(n: float) -> Board:
        clock.at = day(n)
        return board

    at(0).set_response_target("analysed", 2)
    at(0).set_response_target("analysed", 1, channel="complaint", tier="A")
    r1 = at(0).add_requirement("Invoice export", customer="Acme", tier="A", channel="email",
                               due=date(2026, 1, 30)).key
    r2 = at(0).add_requirement("Refund complaint", customer="Beta", tier="A", channel="complaint",
                               due=date(2026, 2, 1), owner="carol").key
    r3 = at(1).add_requirement("Dark mode", customer="Beta", tier="B", channel="complaint", due=date(2026, 2, 7)).key
    r5 = at(1).add_requirement("Fax support", customer="Gamma", tier="C", channel="email").key
    analysis = {"importance": 3, "urgency": 3, "kano": "performance"}
    at(1).move_requirement(r1, "analysed", updates=analysis)
    at(1.5).approve(r1)
    at(2).move_requirement(r1, "in_progress", updates={"owner": "bob"})
    at(3).move_requirement(r2, "analysed", updates=analysis)
    at(3).record_feedback(r2, 2, "too slow", interim=True, reasons=("late",))
    at(4).move_requirement(r1, "done")
    at(4).move_requirement(r5, "rejected", reason="no fax machines left")
    at(5).record_feedback(r1, 5, scores={"quality": 5, "responsiveness": 4})
    at(7).record_feedback(r2, 4, interim=True, scores={"communication": 3})
    at(8).add_requirement("Single sign-on", customer="Acme", tier="A", channel="email", due=date(2026, 2, 11))
    assert (r1, r2, r3, r5) == ("REQ-1", "REQ-2", "REQ-3", "REQ-4")  # (REQ-4 is Fax support; sign-on is REQ-5)
    return board_metrics(board, now=NOW)


def test_the_json_report_gains_satisfaction_by_dimension_customer_and_month(metrics: BoardMetrics) -> None:
    sat = report_json(metrics)["satisfaction"]

    # The latest reading of each requirement: 5 (REQ-1) and 4 (REQ-2).
    assert (sat["mean"], sat["count"]) == (4.5, 2)
    assert sat["by_customer"] == {"Acme": {"mean": 5.0, "count": 1}, "Beta": {"mean": 4.0, "count": 1}}
    assert sat["by_dimension"] == {"quality": {"mean": 5.0, "count": 1}, "responsiveness": {"mean": 4.0, "count": 1},
                                   "communication": {"mean": 3.0, "count": 1}}
    # Every reading: 2 and 5 in January, 4 in February.
    assert sat["by_month"] == [{"month": "2026-01", "mean": 3.5, "count": 2}, {"month": "2026-02", "mean": 4.0, "count": 1}]
    assert (sat["low_reasons"], sat["low_count"]) == ({"late": 1}, 1)
    # What was there before stays.
    assert sat["by_tier"] == {"A": {"mean": 4.5, "count": 2}}
    assert sat["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}


def test_the_json_report_counts_response_targets_by_channel_tier_and_state(metrics: BoardMetrics) -> None:
    targets = report_json(metrics)["targets"]

    assert {k: targets[k] for k in ("met", "missed", "breached", "open")} == {
        "met": 1, "missed": 1, "breached": 1, "open": 1}
    assert targets["by_channel"] == {"complaint": {"met": 0, "missed": 1, "breached": 1, "open": 0},
                                     "email": {"met": 1, "missed": 0, "breached": 0, "open": 1}}
    assert targets["by_tier"] == {"A": {"met": 1, "missed": 1, "breached": 0, "open": 1},
                                  "B": {"met": 0, "missed": 0, "breached": 1, "open": 0}}
    assert targets["by_state"] == {"analysed": {"met": 1, "missed": 1, "breached": 1, "open": 1}}
    assert targets["breaches"] == [{"key": "REQ-3", "title": "Dark mode", "customer": "Beta", "state": "analysed",
                                    "deadline": "2026-01-29T09:00:00Z", "days_late": 6.5}]
    assert targets["targets"] == [{"state": "analysed", "days": 2.0, "channel": None, "tier": None},
                                  {"state": "analysed", "days": 1.0, "channel": "complaint", "tier": "A"}]


def test_the_json_report_lists_what_is_overdue_and_due_within_seven_days(metrics: BoardMetrics) -> None:
    data = report_json(metrics)

    assert data["overdue"] == [{"key": "REQ-2", "title": "Refund complaint", "customer": "Beta", "owner": "carol",
                                "state": "analysed", "due": "2026-02-01", "days": 3}]
    assert data["due_soon"] == [
        {"key": "REQ-3", "title": "Dark mode", "customer": "Beta", "owner": "", "state": "collected",
         "due": "2026-02-07", "days": 3},
        {"key": "REQ-5", "title": "Single sign-on", "customer": "Acme", "owner": "", "state": "collected",
         "due": "2026-02-11", "days": 7}]
    # The contract's fields are all still there.
    for key in ("count_by_state", "lead_time_days", "cycle_time_days", "throughput_per_week", "change_requests",
                "forecast", "open_conflicts", "blocked"):
        assert key in data, key


def _section(text: str, heading: str) -> str:
    """A Markdown section: from its heading to the next heading of its level or higher."""
    level = heading.split(" ")[0]
    start = text.index(f"\n{heading}\n") + 1
    rest = text[start + len(heading):]
    ends = [m.start() for m in re.finditer(rf"\n#{{1,{len(level)}}} ", rest)]
    return text[start:start + len(heading) + (ends[0] if ends else len(rest))]


def test_the_markdown_report_has_the_new_sections(metrics: BoardMetrics) -> None:
    text = render_markdown(metrics)

    assert "| quality | 5.00 | 1 |\n| responsiveness | 4.00 | 1 |\n| communication | 3.00 | 1 |" in text
    assert "| Acme | 5.00 | 1 |\n| Beta | 4.00 | 1 |" in _section(text, "### By customer")
    assert "| 2026-01 | 3.50 | 2 |\n| 2026-02 | 4.00 | 1 |" in _section(text, "### By month")
    low = _section(text, "### Reasons for low scores")
    assert "1 reading scored 2 or less; the reasons given:" in low and "| late | 1 |" in low

    targets = _section(text, "## Response targets")
    assert "- analysed within 2 days: any channel and tier\n- analysed within 1 day: complaint, tier A" in targets
    assert "Met: 1. Missed (reached late): 1. Breached (not reached, past the deadline): 1. Open (deadline ahead): 1." \
        in targets
    assert "| complaint | 0 | 1 | 1 | 0 |\n| email | 1 | 0 | 0 | 1 |" in targets
    assert "| A | 1 | 1 | 0 | 1 |\n| B | 0 | 0 | 1 | 0 |" in targets
    assert "| REQ-3 | Dark mode | Beta | Analysed | 2026-01-29 09:00 | 6.5 |" in _section(text, "### Breaches (1)")

    due = _section(text, "## Due dates")
    assert "| REQ-2 | Refund complaint | Beta | carol | Analysed | 2026-02-01 | 3 |" in _section(due, "### Overdue (1)")
    soon = _section(due, "### Due within 7 days (2)")
    assert "| REQ-3 | Dark mode | Beta |  | Collected | 2026-02-07 | 3 |" in soon
    assert "| REQ-5 | Single sign-on | Acme |  | Collected | 2026-02-11 | 7 |" in soon


def test_the_html_report_draws_the_trend_and_lists_targets_and_due_dates(metrics: BoardMetrics) -> None:
    html = render_html(metrics)

    trend = re.search(r'<svg class="chart satisfaction-trend".*?</svg>', html, re.DOTALL)
    assert trend is not None
    # Two months, two points, on a scale from 0 to 5; each point says its month and mean.
    assert re.findall(r"<title>mean satisfaction ([\d-]+): ([\d.]+)</title>", trend.group()) == [
        ("2026-01", "3.5"), ("2026-02", "4")]
    assert '<text x="42" y="20.0" text-anchor="end" class="tick">5</text>' in trend.group()
    targets = html[html.index('<section id="targets">'):]
    targets = targets[:targets.index("</section>")]
    assert "<td>complaint</td><td class=n>0</td><td class=n>1</td><td class=n>1</td><td class=n>0</td>" in targets
    assert '<span class="key">REQ-3</span></td><td>Dark mode</td><td>Beta</td>' in targets
    due = html[html.index('<section id="due">'):]
    due = due[:due.index("</section>")]
    assert due.count('<span class="key">') == 3 and "carol" in due


def test_the_new_sections_speak_chinese(metrics: BoardMetrics) -> None:
    i18n.set_language("zh_CN")
    text = render_markdown(metrics)

    for heading in ("### 按调查维度", "### 按客户", "### 按月", "### 低分原因", "## 响应时限", "### 超时未达成（1）",
                    "## 截止日期", "### 逾期（1）", "### 7 天内到截止日期（2）"):
        assert f"\n{heading}\n" in text, heading
    assert "| 质量 | 5.00 | 1 |" in text and "| 2026 年 1 月 | 3.50 | 2 |" in text and "| 延误 | 1 |" in text
    assert "- 2 天内进入“已分析”：任何渠道与层级" in text
    new = text[text.index("\n### 按调查维度\n"):text.index("\n## Kano 类别分布\n")]
    assert english_words(new, USER_DATA) == set()
    html = render_html(metrics)
    assert "按月满意度" in html and "响应时限" in html
