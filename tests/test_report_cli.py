"""`reqboard report`: JSON, Markdown and HTML on a small known board and on an empty one."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reqboard.cli.main import main
from reqboard.store.board import Board

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TRICKY = "Rates <b>|</b> & [@click=app.quit]x *now*"


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def known_board(board_path: Path) -> Board:
    """Two delivered requirements (lead 4 and 8 days, cycle 1 and 3), one open with a title full of
    markup, feedback 5 and 3, one approved change request (3 days, cost 250: it sends REQ-1 back to
    approved) and one rejected."""
    clock = {"at": T0}
    board = Board(board_path, "tester", clock=lambda: clock["at"])

    def at(n: float) -> Board:
        clock["at"] = day(n)
        return board

    a = at(0).add_requirement("Export invoices", customer="Acme", tier="A", channel="email").key
    b = at(0).add_requirement("Single sign-on", customer="Beta", tier="B", channel="hotline").key
    at(1).add_requirement(TRICKY, customer="Acme", tier="A")
    analysis = {"importance": 5, "urgency": 4, "kano": "performance"}
    for key, (started, done) in ((a, (3, 4)), (b, (5, 8))):
        at(1).move_requirement(key, "analysed", updates=analysis)
        at(2).approve(key)
        at(started).move_requirement(key, "in_progress", updates={"owner": "bob"})
        at(done).move_requirement(key, "done")
    at(9).record_feedback(a, 5)
    at(9).record_feedback(b, 3)
    cr1 = at(10).add_change_request(a, "Add a logo").key
    cr2 = at(10).add_change_request(b, "Gold plating").key
    at(10).assess_change_request(cr1, schedule_days=3, cost=250, effort_hours=12)
    at(10).decide_change_request(cr1, approve=True, rationale="cheap")
    at(10).decide_change_request(cr2, approve=False, rationale="no")
    return board


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_design_keys_with_the_known_numbers(known_board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--json")

    assert code == 0, err
    data = json.loads(out)
    assert {s: n for s, n in data["count_by_state"].items() if n} == {"collected": 1, "approved": 1, "fed_back": 1}
    assert data["lead_time_days"]["median"] == 6.0 and data["lead_time_days"]["p85"] == 8.0
    assert data["cycle_time_days"]["median"] == 2.0 and data["cycle_time_days"]["p85"] == 3.0
    assert isinstance(data["throughput_per_week"], list)
    assert sum(w["count"] for w in data["throughput_per_week"]) == 2
    assert data["satisfaction"]["mean"] == 4.0 and data["satisfaction"]["count"] == 2
    assert {k: data["change_requests"][k] for k in ("total", "approved", "rejected", "schedule_days", "cost")} == {
        "total": 2, "approved": 1, "rejected": 1, "schedule_days": 3.0, "cost": 250.0}
    assert data["forecast"]["method"] == "exponential smoothing"
    assert "next_period" in data["forecast"]
    # Open work only: REQ-2 is delivered, REQ-1 is open again after its change request.
    assert data["priority_matrix"]["do_now"] == [
        {"key": "REQ-1", "title": "Export invoices", "importance": 5, "urgency": 4, "state": "approved"}]
    assert data["priority_matrix"]["unscored"] == ["REQ-3"]


def test_format_json_is_the_same_as_the_json_flag(known_board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    _, flag, _ = run(capsys, "--json")
    _, option, _ = run(capsys, "--format", "json")
    strip = lambda d: {k: v for k, v in d.items() if k not in ("generated_at", "aging", "time_in_state_days")}  # noqa: E731
    assert strip(json.loads(flag)) == strip(json.loads(option))


def test_markdown_has_the_sections_and_escapes_titles(known_board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "md")

    assert code == 0, err
    for heading in ("# Requirements report: board.json", "## Summary", "## Flow", "### Throughput",
                    "### Oldest open work", "## Satisfaction", "## Kano mix", "## Change requests",
                    "## Intake forecast", "## Priority matrix"):
        assert f"\n{heading}" in "\n" + out, heading
    assert "| Lead time (collected → done) | 6.0 | 8.0 | 2 |" in out
    assert "Mean **4.00** / 5 from 2 responses" in out
    assert "add 3 days to the schedule, cost 250" in out
    assert "| Requirements now | 1 | 0 | 1 | 0 | 0 | 1 | 0 | 3 |" in out
    assert r"| REQ-3 | Rates \<b\>\|\</b\> \& \[@click=app.quit\]x \*now\* ⚠ | Collected |" in out


def test_default_format_is_markdown(known_board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys)[1].startswith("# Requirements report")


class _Document(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.decl: list[str] = []
        self.text: list[str] = []
        self.attrs: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [v or "" for _, v in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Document:
    doc = _Document()
    doc.feed(html)
    doc.close()
    return doc


def test_html_is_one_document_with_svg_charts_and_no_urls(known_board: Board, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()

    code, out, err = run(capsys, "--format", "html", "-o", str(target))

    assert (code, out) == (0, "")
    html = target.read_text(encoding="utf-8")
    doc = _parse(html)
    assert doc.decl == ["DOCTYPE html"]
    assert doc.tags[:3] == ["html", "head", "meta"] and doc.tags.count("body") == 1
    assert doc.tags.count("svg") >= 6  # cfd, throughput, lead times, satisfaction x2, forecast, matrix
    assert "http://" not in html and "https://" not in html
    assert not {"script", "link", "img", "iframe", "object"} & set(doc.tags)
    assert not any(a.startswith(("//", "data:")) for a in doc.attrs)
    # User text arrives as typed, never as markup.
    assert TRICKY in "".join(doc.text)
    assert "<b>|</b>" not in html
    titles = [t for t in doc.text if "Cumulative flow" in t]
    assert titles, "the cumulative flow chart has a caption"


def test_since_limits_the_period(known_board: Board, capsys: pytest.CaptureFixture[str]) -> None:
    # Deliveries on Jan 9 (lead 4) and Jan 13 (lead 8); feedback Jan 14; change requests Jan 15.
    code, out, _ = run(capsys, "--json", "--since", "2026-01-10")
    data = json.loads(out)
    assert code == 0 and data["period"]["since"] == "2026-01-10"
    assert data["lead_time_days"] == {"median": 8.0, "p85": 8.0, "mean": 8.0, "count": 1}

    code, out, _ = run(capsys, "--json", "--since", "2026-01-14")
    data = json.loads(out)
    assert data["lead_time_days"]["count"] == 0 and data["lead_time_days"]["median"] is None
    assert data["satisfaction"]["count"] == 2
    assert data["change_requests"]["total"] == 2
    assert data["cumulative_flow"]["days"][0] == "2026-01-14"
    assert data["count_by_state"]["fed_back"] == 1  # a snapshot of now, not limited

    code, out, _ = run(capsys, "--json", "--since", "2026-01-16")
    data = json.loads(out)
    assert (data["satisfaction"]["count"], data["change_requests"]["total"]) == (0, 0)


def test_an_empty_board_reports_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 0
    assert data["lead_time_days"]["median"] is None and data["satisfaction"]["mean"] is None
    assert data["forecast"]["next_period"] is None and "not enough data yet" in data["forecast"]["note"]

    code, md, err = run(capsys, "--format", "md")
    assert code == 0, err
    assert "not enough data yet" in md and "## Priority matrix" in md

    code, html, err = run(capsys, "--format", "html")
    assert code == 0, err
    assert _parse(html).tags.count("svg") >= 6 and "not enough data yet" in html


@pytest.mark.parametrize("args", [["--json", "--format", "html"], ["--since", "2026-02-30"], ["--format", "pdf"]])
def test_usage_errors_exit_2_with_one_error_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("error:") and err.count("\n") == 1


def test_metrics_and_reports_do_not_import_textual() -> None:
    code = ("import sys, reqboard.store.metrics, reqboard.store.reports; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext')); "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_report_lists_open_conflicts_and_blocked_work(board_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #15 through the command line: `report` lists the conflicts no decision settled yet and the
    work that waits on an unfinished dependency, and forgets a conflict once `resolve` settles it."""
    for argv in (["add", "Base API"], ["add", "Export", "--depends-on", "REQ-1"],
                 ["add", "No export", "--conflicts-with", "REQ-2"]):
        assert main(argv) == 0
    capsys.readouterr()
    data = json.loads(run(capsys, "--json")[1])
    assert data["open_conflicts"] == [{"keys": ["REQ-2", "REQ-3"]}]
    assert data["blocked"] == [{"key": "REQ-2", "blocked_by": ["REQ-1"]}]
    assert "Open conflicts (1)" in run(capsys, "--format", "md")[1]

    assert main(["resolve", "REQ-3", "REQ-2", "--decision", "export wins", "--reject", "REQ-3"]) == 0
    capsys.readouterr()
    data = json.loads(run(capsys, "--json")[1])
    assert data["open_conflicts"] == [] and data["blocked"] == [{"key": "REQ-2", "blocked_by": ["REQ-1"]}]


def _lead_time_chart(html: str) -> str:
    start = html.index('class="chart lead-times"')
    return html[start:html.index("</svg>", start)]


def test_html_lead_times_are_binned_in_whole_days_or_on_a_young_board_in_hours(
        known_board: Board, board_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, html, err = run(capsys, "--format", "html")
    assert code == 0, err
    chart = _lead_time_chart(html)
    assert "Lead times in days" in chart and ">8-9 d<" in chart and " h<" not in chart  # leads 4 and 8 days
    assert "median 6.0, 85th percentile 8.0" in html

    # Done within hours: bins of whole hours, not slivers of a day ("0-0.2").
    young = board_path.with_name("young.json")
    clock = {"at": T0}
    board = Board(young, "tester", clock=lambda: clock["at"])
    for n, hours in enumerate((2, 5, 9)):
        key = board.add_requirement(f"Quick {n}", customer="Acme").key
        clock["at"] = T0 + timedelta(minutes=10)
        board.move_requirement(key, "analysed", updates={"importance": 3, "urgency": 3, "kano": "performance"})
        board.approve(key)
        board.move_requirement(key, "in_progress", updates={"owner": "bob"})
        clock["at"] = T0 + timedelta(hours=hours)
        board.move_requirement(key, "done")
        clock["at"] = T0
    code, html, err = run(capsys, "--store", str(young), "--format", "html")
    assert code == 0, err
    chart = _lead_time_chart(html)
    assert "Lead times in hours" in chart and ">0-1 h<" in chart and ">8-9 h<" in chart, chart
    assert "Hours from collected to done; median 5.0 h, 85th percentile 9.0 h" in html
