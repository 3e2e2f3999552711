"""The customer side in the exchange formats (#16): a complaint's cause and the communication log in CSV
(Cause, Notes), Markdown (the cause, every reading with its scores and reasons, the notes) and ReqIF
(reqboard.cause, reqboard.notes); a JSON file with notes and survey readings read back whole."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.exchange import ImportRefused, apply_import, export_board, preview_import
from reqboard.store.exchange.csv_io import NOTES_CELL, notes_text
from reqboard.store.exchange.mapping import parse_mapping
from reqboard.store.models import Note
from tests.zh_support import english_words

from exchange_samples import snapshot

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def _board(path: Path) -> Board:
    """A complaint with a cause, two notes (one without a person), an interim reading with scores and
    reasons, then its delivery and a final reading; and a requirement of another customer."""
    clock = [NOW - 10 * DAY]
    board = Board(path, "Sara Jones", clock=lambda: clock[0])
    req = board.add_requirement("Invoices show the wrong VAT", customer="Northwind", tier="A", channel="complaint",
                                cause="Billing")
    clock[0] = NOW - 2 * DAY
    board.add_note(req.key, "Mailed the corrected invoices", channel="email")
    board.add_note(req.key, "Called: every invoice since March is wrong", channel="hotline", with_="Hannah Lee",
                   at=NOW - 9 * DAY)  # (noted afterwards: the log is in the order the contacts took place)
    clock[0] = NOW - 5 * DAY
    board.record_feedback(req.key, 2, "too slow", channel="hotline", interim=True,
                          scores={"quality": 3, "responsiveness": 1}, reasons=["late", "communication"])
    board.move_requirement(req.key, "analysed", updates={"importance": 4, "urgency": 5, "kano": "must_be"})
    board.approve(req.key, "")
    board.move_requirement(req.key, "in_progress", updates={"owner": "Max"})
    board.move_requirement(req.key, "done")
    clock[0] = NOW - DAY
    board.record_feedback(req.key, 4, "", channel="email", scores={"quality": 4, "communication": 5})
    board.add_requirement("Dark mode", customer="Globex", channel="email")
    return board


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- CSV
def test_csv_carries_the_cause_and_the_notes_after_the_section(board_path: Path) -> None:
    board = _board(board_path)
    data = export_board(board, "csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[-4:] == ["UID", "Section", "Cause", "Notes"]  # the earlier columns keep their letters
    complaint, other = _rows(data)
    assert complaint["Cause"] == "billing"  # spelt as the board's list has it
    assert complaint["Notes"] == ("2026-03-16 email: Mailed the corrected invoices\n"
                                  "2026-03-09 hotline, Hannah Lee: Called: every invoice since March is wrong")
    assert (other["Cause"], other["Notes"]) == ("", "")


def test_importing_the_export_again_changes_nothing(board_path: Path) -> None:
    board = _board(board_path)
    data = export_board(board, "csv")
    before = snapshot(board_path)
    summary = preview_import(board, data, "csv")
    assert summary.ok and summary.changed == [] and summary.unchanged == ["REQ-1", "REQ-2"]
    apply_import(board, data, "csv")
    assert snapshot(board_path)[0] == before[0]


def test_the_notes_column_is_read_only_and_the_cause_is_a_field(board_path: Path) -> None:
    board = _board(board_path)
    sheet = (b"Key,Cause,Notes\r\n"
             b"REQ-1,Defect,2026-03-17 hotline: a note typed into the sheet\r\n"
             b"REQ-2,,\r\n")
    summary = apply_import(board, sheet, "csv")
    assert summary.ok and [c.key for c in summary.changed] == ["REQ-1"]
    req = board.get("REQ-1")
    assert req.cause == "defect" and [n.text for n in req.notes] == [
        "Called: every invoice since March is wrong", "Mailed the corrected invoices"]
    # By its Chinese name, and a cause by the label it reads by in Chinese.
    i18n.set_language(i18n.CHINESE)
    summary = apply_import(board, "编号,投诉原因,沟通记录\r\nREQ-1,服务,随便写\r\n".encode("gb18030"), "csv")
    assert summary.ok and board.get("REQ-1").cause == "service"
    # An empty cell clears it, as any field's.
    apply_import(board, b"Key,Cause\r\nREQ-1,\r\n", "csv")
    assert board.get("REQ-1").cause == ""


def test_a_cause_the_board_does_not_list_is_refused_naming_row_and_column(board_path: Path) -> None:
    board = _board(board_path)
    summary = preview_import(board, b"Key,Title,Cause\r\nREQ-1,Invoices,weather\r\n", "csv")
    assert summary.refused == ["row 2 (REQ-1), column C (Cause): 'weather' is not a complaint cause of this board; "
                               "it has defect, delay, not as agreed, service, billing, other"]
    board.set_codes("complaint_causes", ["defect", "weather"])
    assert preview_import(board, b"Key,Title,Cause\r\nREQ-1,Invoices,Weather\r\n", "csv").ok
    i18n.set_language(i18n.CHINESE)
    board.set_codes("complaint_causes", None)
    summary = preview_import(board, b"Key,Cause\r\nREQ-1,weather\r\n", "csv")
    assert summary.refused == ["第 2 行（REQ-1），B 列（Cause）：'weather' 不是此看板的投诉原因；"
                               "可选：缺陷、延期、与约定不符、服务、计费、其他"]
    before = snapshot(board_path)
    with pytest.raises(ImportRefused):
        apply_import(board, b"Key,Cause\r\nREQ-1,weather\r\n", "csv")
    assert snapshot(board_path) == before and board.get("REQ-1").cause == "billing"


def test_a_long_log_keeps_within_what_a_cell_holds() -> None:
    notes = tuple(Note.model_validate({"at": NOW - i * DAY, "by": "ann", "channel": "email", "text": "x" * 4000})
                  for i in range(10, 0, -1))
    text = notes_text(notes)
    lines = text.split("\n")
    # Each line is "2026-03-17 email: " (18 characters) and 4000 x: seven fit in 32,000 characters with
    # their line breaks (7 x 4019 = 28,133; an eighth would make 32,151), then the count of the rest.
    assert len(lines) == 8 and lines[-1] == "(3 earlier notes not shown)" and len(text) <= NOTES_CELL
    assert lines[0] == "2026-03-17 email: " + "x" * 4000  # newest first
    assert notes_text(notes, limit=4100).split("\n") == ["2026-03-17 email: " + "x" * 4000, "(9 earlier notes not shown)"]
    assert notes_text(()) == ""


# ---------------------------------------------------------------- Markdown
def test_markdown_shows_the_cause_every_reading_and_the_log(board_path: Path) -> None:
    document = export_board(_board(board_path), "md").decode()
    assert "- **Complaint cause:** billing\n" in document
    assert ("- **Feedback:**\n"
            "  - interim reading, 2/5 on 2026-03-13: too slow (scores: quality 3/5, responsiveness 1/5; "
            "reasons: late, communication)\n"
            "  - 4/5 on 2026-03-17 (scores: quality 4/5, communication 5/5)\n") in document
    assert ("- **Communication log:**\n"
            "  - 2026-03-16, email: Mailed the corrected invoices\n"
            "  - 2026-03-09, hotline, with Hannah Lee: Called: every invoice since March is wrong\n") in document


def test_markdown_in_chinese_says_the_customer_side_in_chinese(board_path: Path) -> None:
    board = _board(board_path)
    i18n.set_language(i18n.CHINESE)
    document = export_board(board, "md").decode()
    assert "- **投诉原因：** 计费\n" in document
    assert ("- **反馈：**\n"
            "  - 中期满意度，2/5（2026-03-13）：too slow，评分：质量 3/5、响应速度 1/5；原因：延误、沟通\n"
            "  - 4/5（2026-03-17），评分：质量 4/5、沟通 5/5\n") in document
    assert ("- **沟通记录：**\n  - 2026-03-16，邮件：Mailed the corrected invoices\n"
            "  - 2026-03-09，热线，与Hannah Lee沟通：Called: every invoice since March is wrong\n") in document
    user_text = ["Invoices", "show", "the", "wrong", "VAT", "Called", "every", "invoice", "since", "March", "wrong",
                 "Mailed", "corrected", "invoices", "too", "slow", "Hannah", "Lee", "Sara", "Jones", "Northwind",
                 "Globex", "Dark", "mode", "Max"]
    assert english_words(document, allowed=[*user_text, "Kano"]) == set(), document


def test_markdown_keeps_user_text_in_notes_literal(board_path: Path) -> None:
    board = Board(board_path, "ann")
    key = board.add_requirement("Export", customer="ACME").key
    board.add_note(key, "# not a heading\n[link](x) | <b>", with_="*Li*")
    document = export_board(board, "md").decode()
    [line] = [line for line in document.splitlines() if "not a heading" in line]
    assert line.startswith("  - ") and "\\#" not in line.split(": ", 1)[0]
    assert "\\[link\\](x)" in line and "\\*Li\\*" in line and "\n# not" not in document


# ---------------------------------------------------------------- ReqIF
def test_reqif_carries_the_cause_and_the_notes_and_reads_the_cause_back(board_path: Path, tmp_path: Path) -> None:
    board = _board(board_path)
    data = export_board(board, "reqif")
    text = data.decode()
    assert 'LONG-NAME="reqboard.cause"' in text and 'LONG-NAME="reqboard.notes"' in text
    assert 'THE-VALUE="billing"' in text
    assert ('THE-VALUE="2026-03-16 email: Mailed the corrected invoices&#10;2026-03-09 hotline, Hannah Lee: Called: '
            'every invoice since March is wrong"') in text
    summary = preview_import(board, data, "reqif")
    assert summary.ok and summary.changed == [] and summary.unmapped == []
    # Into another board (a complaint still collected: a file moves a new requirement as the workflow allows).
    fresh = Board(tmp_path / "fresh.json", "ann")
    key = fresh.add_requirement("Parcels shown as not delivered", customer="ACME", channel="complaint", cause="defect").key
    fresh.add_note(key, "Called: parcels signed for yesterday", with_="Li Wei")
    other = Board(tmp_path / "other.json", "bob")
    assert apply_import(other, export_board(fresh, "reqif"), "reqif").ok
    copied = other.get("REQ-1")
    assert copied.cause == "defect" and copied.notes == ()  # the notes are for reading: not imported


def test_another_tools_cause_attribute_can_be_mapped() -> None:
    assert parse_mapping(["Root cause=cause"]) == {"Root cause": "cause"}


# ---------------------------------------------------------------- JSON
def test_a_json_file_with_notes_and_survey_readings_round_trips(board_path: Path, tmp_path: Path) -> None:
    board = _board(board_path)
    data = export_board(board, "json")
    exported = orjson.loads(data)["requirements"][0]
    assert exported["cause"] == "billing"
    assert [n["with"] for n in exported["notes"]] == ["Hannah Lee", ""]
    assert [(f["interim"], f["scores"], f["reasons"]) for f in exported["feedback"]] == [
        (True, {"quality": 3, "responsiveness": 1}, ["late", "communication"]),
        (False, {"quality": 4, "communication": 5}, [])]
    other = Board(tmp_path / "other.json", "bob")
    assert apply_import(other, data, "json").ok
    for mine, theirs in zip(board.requirements(), other.requirements(), strict=True):
        assert (theirs.notes, theirs.feedback, theirs.cause, theirs.last_contact) == (
            mine.notes, mine.feedback, mine.cause, mine.last_contact)
    assert preview_import(other, data, "json").unchanged == ["REQ-1", "REQ-2"]


@pytest.mark.parametrize("fmt", ["csv", "md", "reqif", "json"])
def test_a_customer_export_carries_its_notes_and_no_other_customers(board_path: Path, fmt: str) -> None:
    board = _board(board_path)
    board.add_note("REQ-2", "Globex asked for a dark theme", with_="Gina")
    document = export_board(board, fmt, customer="northwind")
    assert b"Mailed the corrected invoices" in document
    assert b"Globex" not in document and b"Gina" not in document and b"dark theme" not in document


def test_the_boards_own_export_comes_back_when_its_cause_left_the_list(tmp_path: Path) -> None:
    """A cause the requirement has is never refused by an import of the board's own export, though the
    list no longer has it (changed since, or a sync brought it from a board with another list)."""


    board = Board(tmp_path / "b.json", "ann")
    key = board.add_requirement("Invoice total wrong", channel="complaint", cause="billing").key
    board.set_codes("complaint_causes", ["defect", "delay"])
    for fmt in ("csv", "reqif"):
        summary = preview_import(board, export_board(board, fmt), fmt)
        assert not summary.refused, (fmt, summary.refused)
    assert board.get(key).cause == "billing"


def test_a_json_export_brings_each_customers_whole_record_into_an_empty_board(tmp_path: Path) -> None:


    board = Board(tmp_path / "b.json", "ann")
    board.add_customer("ACME", "A", contact="Li Wei, +86 138", segment="banks", notes="prefers calls")
    board.add_requirement("Export", customer="ACME")
    empty = Board(tmp_path / "e.json", "bob")
    apply_import(empty, export_board(board, "json"), "json")
    acme = empty.customer("ACME")
    assert (acme.tier.value, acme.contact, acme.segment, acme.notes) == ("A", "Li Wei, +86 138", "banks", "prefers calls")
