"""A progress report for one customer (`report --customer`, issue #16 item 3): written for the customer,
holding nothing of any other customer, on the ten-customer board of tests/ten_customers.py."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, NotFound
from reqboard.store.exchange import apply_import, export_board
from reqboard.store.metrics import board_metrics
from reqboard.store.reports import CustomerReport, customer_report, render_customer_report, render_markdown

import ten_customers as ten
from board_locations import BoardLocation
from zh_support import english_words


@pytest.fixture
def case(board_location: BoardLocation) -> ten.TenCustomers:
    return ten.build(board_location)


def _report(case: ten.TenCustomers, name: str = ten.OURS, since: date | None = None) -> CustomerReport:
    return customer_report(case.board, name, since=since, now=ten.NOW)


class _Visible(HTMLParser):
    """The text a reader of the page sees (tooltips included), without the stylesheet."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if not self._style:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def test_the_report_of_one_customer_holds_nothing_of_the_nine_others(case: ten.TenCustomers) -> None:
    bad = ten.forbidden(case)
    assert len(bad.keys) > 30 and len(bad.texts) > 60 and bad.counts  # the check has something to find
    report = _report(case, since=ten.T0.date())
    for fmt in ("md", "html", "json"):
        text = render_customer_report(report, fmt).decode("utf-8")
        counted = visible(text) if fmt == "html" else text  # (not the stylesheet's and the charts' coordinates)
        assert ten.leaks(text, bad, counted=counted) == [], fmt
        # ... while it does hold Aurora's own work, and what was said to them about the others, redacted.
        assert all(ten.key_pattern(key).search(text) for key in case.own), fmt
        assert "Colour-fast dye batch records" in text and "Halcyon" not in text
    # The check finds what a report of the whole board holds: their names, titles, keys and its counts.
    whole = ten.leaks(render_markdown(board_metrics(case.board, now=ten.NOW)), bad)
    assert {"Borealis Freight", "REQ-1", "Pallet scan at dock doors", "count 33"} <= set(whole)


def test_the_leak_check_reads_keys_and_counts_as_whole_tokens() -> None:
    bad = ten.Forbidden(frozenset({"REQ-1", "CR-3"}), frozenset({"Borealis Freight"}), frozenset({33}))
    assert ten.leaks("REQ-12, REQ-10 and CR-31; 2026-03-33? no: 09:33, 3.33, v133", bad) == []
    assert ten.leaks("REQ-1 waits", bad) == ["REQ-1"]
    assert ten.leaks("cr-3 and (CR-3)", bad) == ["CR-3"]
    assert ten.leaks("like borealis freight's", bad) == ["Borealis Freight"]
    assert ten.leaks("33 requirements", bad) == ["count 33"]


def test_the_json_report_counts_their_requirements_only(case: ten.TenCustomers) -> None:
    data = json.loads(render_customer_report(_report(case), "json"))

    assert (data["kind"], data["customer"], data["since"], data["today"]) == ("customer", ten.OURS, None, "2026-04-01")
    assert data["totals"] == {
        "requirements": 5, "open": 4, "delivered": 0, "rejected": 1, "overdue": 1, "due_soon": 1,
        "count_by_state": {"collected": 2, "analysed": 1, "approved": 1, "in_progress": 0, "done": 0, "fed_back": 0,
                           "rejected": 1},
        "lead_time_days": {"median": 8.0, "mean": 8.0, "count": 1}}
    sat = data["satisfaction"]
    # The latest reading of REQ-2 (2) and REQ-12 (4, interim); communication was scored 3 and 5.
    assert (sat["mean"], sat["count"]) == (3.0, 2)
    assert sat["by_dimension"] == {"quality": {"mean": 2.0, "count": 1}, "responsiveness": {"mean": 4.0, "count": 1},
                                   "communication": {"mean": 4.0, "count": 2}}
    assert sat["by_month"] == [{"month": "2026-03", "mean": 3.0, "count": 2},
                               {"month": "2026-04", "mean": None, "count": 0}]
    assert (sat["low_reasons"], sat["low_count"]) == ({"late": 1, "quality": 1}, 1)
    assert data["contacts"] == {"count": 2, "last": "2026-03-15T09:00:00Z"}
    assert "tier" not in json.dumps(data) and "owner" not in json.dumps(data) and "cost" not in json.dumps(data)

    items = {r["key"]: r for r in data["requirements"]}
    assert list(items) == list(case.own)
    first = items["REQ-2"]
    assert (first["state"], first["due"], first["days_left"], first["delivered_at"]) == (
        "approved", "2026-04-20", 19, "2026-03-10T09:00:00Z")
    assert first["change_requests"] == [{
        "key": "CR-10", "summary": "Add a batch photo", "reason": "to check the colour", "status": "approved",
        "submitted_at": "2026-03-12T09:00:00Z", "decided_at": "2026-03-13T09:00:00Z", "approved": True,
        "rationale": "cheap, and it answers the complaint", "proposed_due": "2026-04-20", "schedule_days": 3.0}]
    assert first["feedback"] == [{
        "at": "2026-03-11T09:00:00Z", "satisfaction": 2, "interim": False,
        "comment": "Dyes ran on the first batch, unlike …'s … rollout",
        "scores": {"quality": 2, "responsiveness": 4, "communication": 3}, "reasons": ["quality", "late"],
        "followed_by": {"change_requests": ["CR-10"], "notes": ["2026-03-13T09:00:00Z"]}}]
    assert (items["REQ-12"]["overdue"], items["REQ-12"]["days_late"]) == (True, 12)
    assert (items["REQ-12"]["waits_on"], items["REQ-12"]["waits_on_other_work"]) == ([], True)
    assert (items["REQ-31"]["conflicts_with"], items["REQ-31"]["conflict_with_other_work"]) == ([], True)
    assert (items["REQ-32"]["conflicts_with"], items["REQ-32"]["conflict_with_other_work"]) == ([], False)  # settled
    assert items["REQ-22"]["rejection_reason"] == "…'s … label format wins"
    assert [r["changes"] for r in data["requirements"]] == [[]] * 5  # no `since`: no changes listed


def test_since_lists_what_changed_that_day_and_after_as_the_customer_reads_it(case: ten.TenCustomers) -> None:
    report = _report(case, since=ten.day(13).date())  # 15 March
    data = json.loads(render_customer_report(report, "json"))
    changes = {r["key"]: [(c["at"][:10], c["action"], c["field"]) for c in r["changes"]] for r in data["requirements"]}
    # REQ-12's due date was set on the 14th: before the period. Its suspect flag (Cobalt's change request)
    # and the links to other work are not the customer's to read.
    assert changes["REQ-12"] == [("2026-03-15", "interim_feedback", "feedback"), ("2026-03-15", "note", "notes"),
                                 ("2026-03-21", "resolved", "conflicts_with")]
    assert changes["REQ-22"] == [("2026-03-17", "moved", "state")]
    assert changes["REQ-31"] == []
    assert changes["REQ-32"] == [("2026-03-21", "resolved", "conflicts_with"), ("2026-03-23", "moved", "state")]

    text = render_customer_report(report, "md").decode()
    loom = text[text.index("### REQ-12 Loom downtime alerts"):text.index("### REQ-22")]
    assert "- **Where it stands:** received, not yet analysed" in loom
    assert "- **Due:** 2026-03-20, 12 days overdue" in loom
    assert "- **Waits on:** other work" in loom
    assert ("**What changed since 2026-03-15**\n\n- 2026-03-15: your interim reading recorded: 4/5\n"
            "- 2026-03-15: contact noted: Mail: waiting for … of … before we can start\n"
            "- 2026-03-21: conflict with REQ-32 resolved\n") in loom
    shift = text[text.index("### REQ-31"):text.index("### REQ-32")]
    assert "- **Waits for a decision:** it conflicts with other work" in shift
    assert "**What changed since 2026-03-15**\n\n_nothing changed_" in shift


def test_approved_changes_say_their_effect_on_the_dates_and_feedback_says_what_followed(case: ten.TenCustomers) -> None:
    text = render_customer_report(_report(case), "md").decode()
    dye = text[text.index("### REQ-2 Colour-fast dye batch records"):text.index("### REQ-12")]

    assert "- **Where it stands:** approved, not started yet" in dye
    assert "- **Delivered:** 2026-03-10" in dye
    assert ("- CR-10 Add a batch photo: approved on 2026-03-13: cheap, and it answers the complaint. Effect on the "
            "dates: the due date becomes 2026-04-20, it adds 3 days to the schedule") in dye
    assert ("- 2026-03-11: 2/5; quality 2, responsiveness 4, communication 3; reasons: quality, late; "
            "“Dyes ran on the first batch, unlike …'s … rollout”\n"
            "  - change request CR-10 filed on 2026-03-12: Add a batch photo\n"
            "  - contact on 2026-03-13 by hotline with Li Wei: Told Li Wei the photo comes with the next batch; … "
            "wants the same") in dye
    assert "bob" not in text and "Account notes" not in text  # the owner, the team's notes on the customer
    assert "## Summary\n\n- 5 requirements: 4 open, 0 delivered, 1 not going ahead\n- Overdue: 1; due within 7 days: 1\n" \
        "- Your satisfaction: 3.00 / 5 from 2 readings\n" in text
    labels = text[text.index("### REQ-22"):text.index("### REQ-31")]
    assert "- **Why it is not going ahead:** …'s … label format wins" in labels


def test_the_html_report_is_one_page_with_the_satisfaction_trend(case: ten.TenCustomers) -> None:
    html = render_customer_report(_report(case, since=ten.T0.date()), "html").decode()

    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html and "<script" not in html
    assert "<title>Progress report for Aurora Textiles</title>" in html
    assert re.search(r'<svg class="chart satisfaction-trend"', html)
    assert "<dt>Where it stands</dt><dd>approved, not started yet</dd>" in html
    assert '<dt>Waits on</dt><dd>other work</dd>' in html
    assert '<dt>Due</dt><dd>2026-04-03, in 2 days</dd>' in html


def test_the_customer_is_found_in_any_case_and_an_unknown_one_is_refused(case: ten.TenCustomers) -> None:
    assert _report(case, "  aurora TEXTILES ").customer == ten.OURS
    with pytest.raises(NotFound, match="no customer named 'Nobody Ltd'"):
        _report(case, "Nobody Ltd")
    with pytest.raises(InvalidValue, match="unknown report format 'pdf'"):
        render_customer_report(_report(case), "pdf")


def test_the_report_speaks_chinese(case: ten.TenCustomers) -> None:
    i18n.set_language("zh_CN")
    report = _report(case, since=ten.T0.date())
    text = render_customer_report(report, "md").decode()

    assert text.startswith("# Aurora Textiles 进度报告\n")
    for heading in ("## 概要", "## 您的需求", "## 您的满意度", "### 按调查维度", "### 按月", "### 低分原因"):
        assert f"\n{heading}\n" in text, heading
    assert "- **当前进展：** 已收到，尚未分析" in text and "- **截止日期：** 2026-03-20，已逾期 12 天" in text
    assert "- **等待：** 其他工作" in text
    # What the customer and the team typed stays as typed; everything else is Chinese.
    typed = {word for item in report.items for text_ in (
        item.requirement.title, item.requirement.rejection_reason, *(n.text for n in item.requirement.notes),
        *(n.with_ for n in item.requirement.notes), *(f.comment for f in item.requirement.feedback),
        *(c.summary for c in item.requirement.change_requests),
        *(c.decision.rationale for c in item.requirement.change_requests if c.decision))
        for word in re.findall(r"[A-Za-z]+", text_)}
    assert english_words(text, {*typed, "Aurora", "Textiles"}) == set()
    assert english_words(json.dumps(json.loads(render_customer_report(report, "json")))) != set()  # JSON: as stored
    assert json.loads(render_customer_report(report, "json")) == json.loads(
        render_customer_report(_report(case, since=ten.T0.date()), "json"))


def test_what_was_typed_reads_as_typed_in_every_format(board_path: Path) -> None:
    board = Board(board_path, "ann")
    name = "<b>Evil</b> | *Co* [x](y)"
    key = board.add_requirement("# not a heading <script>alert(1)</script>", customer=name).key
    board.add_note(key, "<img src=x onerror=alert(1)> | `code`", with_="<i>Li</i>")

    report = customer_report(board, name)
    md = render_customer_report(report, "md").decode()
    html = render_customer_report(report, "html").decode()

    assert re.search(r"(?<!\\)[<`\[]", md) is None  # every one of them escaped
    assert "# Progress report for \\<b\\>Evil\\</b\\> \\| \\*Co\\* \\[x\\](y)\n" in md
    assert "### REQ-1 \\# not a heading \\<script\\>alert(1)\\</script\\>" in md
    assert "<script" not in html and "<img" not in html and "<b>Evil" not in html and "<i>Li" not in html
    assert "&lt;b&gt;Evil&lt;/b&gt; | *Co* [x](y)" in html
    data = json.loads(render_customer_report(report, "json"))
    assert data["customer"] == name and data["requirements"][0]["notes"][0]["with"] == "<i>Li</i>"


def test_a_customer_named_only_by_its_requirements_has_a_report(board_path: Path, tmp_path: Path) -> None:
    """A board written by hand (or imported without its customer list) names a customer no record knows."""
    source = Board(tmp_path / "source.json", "ann")
    source.add_requirement("Hand work", customer="Hand Co")
    source.add_requirement("Other work", customer="Other Co")
    doc = json.loads(export_board(source, "json"))
    doc["customers"] = []
    board = Board(board_path, "ann")
    apply_import(board, json.dumps(doc).encode(), "json")
    assert board.customers() == []

    data = json.loads(render_customer_report(customer_report(board, "hand co"), "json"))

    assert data["customer"] == "Hand Co" and [r["key"] for r in data["requirements"]] == ["REQ-1"]
