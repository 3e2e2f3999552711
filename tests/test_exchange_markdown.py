"""Markdown export: the board as a document grouped by state; user text cannot break its structure."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.exchange import export_board
from reqboard.store.exchange import markdown as export_markdown
from reqboard.store.models import BOARD_STATES, Requirement, State
from reqboard.store.reports import markdown as report_markdown
from reqboard.store.reports.markdown import escape_block, escape_inline
from reqboard.store.text import shown

from exchange_samples import TRICKY_TITLES, sample_board

md = MarkdownIt("commonmark")
gfm = MarkdownIt("commonmark").enable("table")  # tables, as a wiki renders a report


def rendered(text: str) -> str:
    return md.render(text)


def headings(document: str, level: int) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", h))
            for h in re.findall(rf"<h{level}>(.*?)</h{level}>", rendered(document))]


def test_the_document_is_grouped_by_state_in_lifecycle_order(board_path: Path) -> None:
    document = export_board(sample_board(board_path), "md").decode()
    assert headings(document, 1) == ["Requirements"]
    assert headings(document, 2) == ["Collected (7)", "Analysed (1)", "Approved (0)", "In progress (0)",
                                     "Done (0)", "Fed back (0)", "Rejected (1)"]
    sections = re.split(r"^## ", document, flags=re.M)
    analysed = next(s for s in sections if s.startswith("Analysed"))
    rejected = next(s for s in sections if s.startswith("Rejected"))
    assert "### REQ-2 " in analysed and "### REQ-3 " in rejected and "### REQ-1 " not in analysed
    assert "| Collected | 7 |" in document


def test_every_title_is_shown_as_typed_and_makes_no_markup(board_path: Path) -> None:
    board = sample_board(board_path)
    document = export_board(board, "md").decode()
    shown = headings(document, 3)
    assert shown == [f"{r.key} {r.title}" for r in sorted(board.requirements(), key=_document_order)]
    page = rendered(document)
    inner = re.findall(r"<h3>(.*?)</h3>", page)
    assert inner and not [h for h in inner if "<" in h]  # no element inside a heading: no markup came through
    assert "<a " not in page and "<code>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page  # the title's HTML is text, not markup


def _document_order(req: Requirement) -> tuple[int, int]:
    order = [*BOARD_STATES, State.REJECTED]
    return order.index(req.state), req.number


def test_descriptions_keep_their_lines_and_cannot_start_blocks(board_path: Path) -> None:
    board = Board(board_path, "alice")
    board.add_requirement("Markup in the text", description=(
        "# not a heading\n- not a list\n1. not numbered\n> not a quote\n    not code\n```\nnot fenced\n"
        "| a | b |\n|---|---|\n\nsecond paragraph <script>alert(1)</script>"))
    page = rendered(export_board(board, "md").decode())
    for tag in ("<h1>Markup", "<ul>", "<ol>", "<blockquote>", "<pre>", "<code>", "<table>", "<script>"):
        assert tag not in page, tag
    assert "# not a heading<br />" in page and "- not a list<br />" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<p>") >= 2  # the blank line still separates paragraphs


def test_fields_lists_and_criteria_are_shown(board_path: Path) -> None:
    document = export_board(sample_board(board_path), "md").decode()
    assert "- **Customer:** ACME Corp (tier A) via email" in document
    assert "  - [x] exports open in Excel" in document and "  - [ ] no formulas run" in document
    assert "- **Depends on:** REQ-1" in document
    assert "**Rejected because:** Duplicate of REQ-1;\\\nsee the meeting notes" in document
    assert "用户希望界面支持简体中文。" in document and "„sofort“" in document


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80))
def test_any_one_line_text_renders_as_itself(text: str) -> None:
    text = " ".join(text.split())  # what a one-line field holds: no line breaks, no outer spaces
    if not text:
        return
    page = rendered(f"### REQ-1 {escape_inline(text)}\n")
    assert page.startswith("<h3>") and page.count("<h3>") == 1
    inner = re.fullmatch(r"<h3>(.*)</h3>\n", page, flags=re.S)
    assert inner is not None and "<" not in inner.group(1)  # no element inside: no markup came through
    # As typed, but for characters that disguise text, which show as <U+202E> (as on a terminal).
    assert html.unescape(inner.group(1)) == f"REQ-1 {shown(text, one_line=True)}"


@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
                .map(lambda t: " ".join(t.split())).filter(bool), min_size=1, max_size=4))
def test_any_lines_render_as_one_paragraph_with_line_breaks(lines: list[str]) -> None:
    page = rendered(escape_block("\n".join(lines)) + "\n")
    assert page.count("<p>") == 1 and page.count("<br />") == len(lines) - 1
    body = re.fullmatch(r"<p>(.*)</p>\n", page, flags=re.S)
    assert body is not None
    parts = [html.unescape(p) for p in re.split(r"<br />\n", body.group(1))]
    assert "<" not in "".join(re.split(r"<br />\n", body.group(1)))
    assert parts == [shown(line, one_line=True) for line in lines]


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_the_cli_writes_the_document(tmp_path: Path, board_path: Path, title: str) -> None:
    Board(board_path, "alice").add_requirement(title)
    out = tmp_path / "board.md"
    assert main(["export", "-o", str(out)]) == 0
    assert headings(out.read_text(encoding="utf-8"), 3) == [f"REQ-1 {title}"]


# ============================================================================ the one escaper
def test_the_export_and_the_report_escape_with_one_escaper() -> None:
    assert export_markdown.escape_inline is report_markdown.escape_inline
    assert export_markdown.escape_block is report_markdown.escape_block
    assert not hasattr(report_markdown, "md_text")


@pytest.mark.parametrize("text", ["[@click=app.quit]x", "[/bold]", "**strong** _em_ `code`", "<b>bold</b>",
                                  "&amp; entity", "~~struck~~", "# heading", "- item", "1. item", "> quote",
                                  "=== underline", "[link](http://x)", "![image](x.png)"])
def test_markup_in_user_text_does_nothing(text: str) -> None:
    page = rendered(f"- {escape_inline(text)}\n")
    item = re.fullmatch(r"<ul>\n<li>(.*)</li>\n</ul>\n", page, flags=re.S)
    assert item is not None and "<" not in item.group(1), page  # one list item, no element inside it
    assert html.unescape(item.group(1)) == text


def test_pipes_in_user_text_stay_inside_their_table_cell() -> None:
    title = "a | b || c |"
    page = gfm.render(f"| Key | Title |\n|---|---|\n| REQ-1 | {escape_inline(title)} |\n")
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert [html.unescape(c) for c in cells] == ["REQ-1", title]


@pytest.mark.parametrize("text", ["one\ntwo", "one\r\n# two", "one\u2028- two", "one\u2029two", "tab\there"])
def test_line_breaks_in_one_line_text_start_nothing(text: str) -> None:
    page = gfm.render(f"| Key | Title |\n|---|---|\n| REQ-1 | {escape_inline(text)} |\n")
    assert page.count("<tr>") == 2 and "<h1>" not in page and "<li>" not in page, page
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert len(cells) == 2 and "\n" not in cells[1]


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f", "\u200b"])
def test_bidi_and_invisible_characters_show_instead_of_reordering_the_document(char: str) -> None:
    title = f"REQ-12 {char}txt.exe"
    for escaped in (escape_inline(title), escape_block(f"first line\n{title}")):
        page = rendered(escaped + "\n")
        assert char not in page  # nothing left to reorder or hide the text after it
        assert f"<U+{ord(char):04X}>" in html.unescape(page)


def test_the_report_shows_a_disguised_title_and_keeps_its_table(board_path: Path) -> None:
    from reqboard.store.metrics import board_metrics

    board = Board(board_path, "alice")
    board.add_requirement("Rates | \u202etxt.exe # [x](y)")
    page = gfm.render(report_markdown.render_markdown(board_metrics(board)))
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S) if "REQ-1" in r]
    assert rows and all(r.count("<td") == 5 for r in rows)  # the aging table: five cells, the pipe is text
    assert "\u202e" not in page and "&lt;U+202E&gt;" in page
