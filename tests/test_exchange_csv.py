"""CSV export and import: spreadsheet-safe cells, round trips, updates by key, refusals by row/column."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.exchange import ImportRefused, apply_import, export_board, preview_import
from reqboard.store.exchange.csv_io import COLUMNS, FORMULA_START, neutralise, restore

from exchange_samples import TRICKY_TITLES, content, sample_board, snapshot


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_csv(records: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = header or list(records[0])
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def without_version(data: bytes) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != "Version"} for row in rows(data)]


# ------------------------------------------------------------------ export
def test_export_is_utf8_with_bom_readable_header_and_crlf(board_path: Path) -> None:
    data = export_board(sample_board(board_path), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.split(",")[:4] == ["Key", "Title", "State", "Customer"]
    assert "Acceptance criteria" in header and "Depends on" in header
    assert len(rows(data)) == len(TRICKY_TITLES)


def test_multiline_text_commas_quotes_and_scripts_are_kept_in_one_cell(board_path: Path) -> None:
    board = sample_board(board_path)
    by_key = {row["Key"]: row for row in rows(export_board(board, "csv"))}
    first = board.get("REQ-1")
    assert by_key["REQ-1"]["Description"] == first.description  # starts with "L": not prefixed
    assert "\n" in by_key["REQ-1"]["Description"] and '"two"' in by_key["REQ-1"]["Description"]
    assert by_key["REQ-2"]["Title"] == "支持中文界面"
    assert by_key["REQ-3"]["Title"] == "Größenänderung der Fenster, \"schnell\""
    assert by_key["REQ-1"]["Acceptance criteria"] == "[x] exports open in Excel\n[ ] no formulas run"
    assert by_key["REQ-1"]["Tags"] == "ui\nexport"
    assert by_key["REQ-2"]["Depends on"] == "REQ-1"
    assert by_key["REQ-3"]["State"] == "Rejected"


def test_formula_cells_are_neutralised_on_export(board_path: Path) -> None:
    board = sample_board(board_path)
    board.edit_requirement("REQ-4", {"description": "\tstarts with a tab"})
    data = export_board(board, "csv")
    cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_START)], "a cell a spreadsheet would run"
    titles = {row["Key"]: row["Title"] for row in rows(data)}
    assert titles["REQ-1"] == "'" + TRICKY_TITLES[0]
    assert titles["REQ-4"] == "'+49 hotline number must be shown"
    assert titles["REQ-5"] == "'-5 % discount for tier A"
    assert titles["REQ-6"] == "'@mention the owner on change"
    assert titles["REQ-7"] == "''quoted' title that starts with an apostrophe"
    assert titles["REQ-8"] == "'''two apostrophes"
    assert {row["Key"]: row["Description"] for row in rows(data)}["REQ-4"] == "'\tstarts with a tab"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'", "'=1", "''", "plain", ""])
def test_neutralise_then_restore_gives_the_text_back(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_START)
    assert restore(cell) == text


@given(st.text())
def test_neutralise_is_safe_and_reversible_for_any_text(text: str) -> None:
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_START)
    assert restore(cell) == text


# ------------------------------------------------------------------ round trips
def test_round_trip_into_a_new_board_gives_the_same_file(tmp_path: Path, board_path: Path) -> None:
    source = sample_board(board_path)
    exported = export_board(source, "csv")
    target = Board(tmp_path / "new.json", "bob")
    summary = apply_import(target, exported, "csv", source="board.csv")
    assert summary.applied and len(summary.added) == len(TRICKY_TITLES)
    again = export_board(target, "csv")
    # Everything but the revision counter, which counts the edits made on each board.
    assert without_version(again) == without_version(exported)
    assert [content(r) for r in target.requirements()] == [content(r) for r in source.requirements()]


def test_reimporting_an_unchanged_export_changes_nothing(board_path: Path) -> None:
    board = sample_board(board_path)
    before = snapshot(board_path)
    summary = apply_import(board, export_board(board, "csv"), "csv")
    assert summary.changed == [] and summary.added == []
    assert len(summary.unchanged) == len(TRICKY_TITLES)
    assert snapshot(board_path) == before


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_text.filter(lambda t: t.strip()), description=st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=200),
    tags=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=","),
                          min_size=1, max_size=10).filter(lambda t: t.strip()), max_size=3))
def test_any_text_survives_a_round_trip(title: str, description: str, tags: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Board(Path(tmp) / "a.json", "alice")
        req = source.add_requirement(title, description=description, tags=tuple(tags))
        target = Board(Path(tmp) / "b.json", "bob")
        apply_import(target, export_board(source, "csv"), "csv")
        copy = target.get(req.key)
        assert (copy.title, copy.description, copy.tags) == (req.title, req.description, req.tags)


# ------------------------------------------------------------------ updates
def test_an_edited_row_updates_field_by_field_with_version_and_history(board_path: Path) -> None:
    board = sample_board(board_path)
    table = rows(export_board(board, "csv"))
    table[1]["Title"] = "支持中文和日文界面"
    table[1]["Owner"] = "Carla"
    table[1]["Importance"] = "5"
    data = write_csv(table)
    before = board.get("REQ-2")

    preview = preview_import(board, data, "csv", source="edited.csv")
    lines = preview.report_lines()
    assert '~ REQ-2 title: "支持中文界面" -> "支持中文和日文界面"' in lines
    assert '~ REQ-2 owner: - -> "Carla"' in lines
    assert "~ REQ-2 importance: 4 -> 5" in lines
    assert board.get("REQ-2").version == before.version  # a dry run writes nothing

    summary = apply_import(board, data, "csv", source="edited.csv")
    after = board.get("REQ-2")
    assert (after.title, after.owner, after.importance) == ("支持中文和日文界面", "Carla", 5)
    assert after.version == before.version + 1
    events = [e for e in board.history("REQ-2") if e.action == "imported"]
    assert {(e.field, e.old, e.new) for e in events} == {
        ("title", "支持中文界面", "支持中文和日文界面"), ("owner", "", "Carla"), ("importance", 4, 5)}
    assert all(e.reason == "imported from edited.csv" for e in events)
    assert [c.key for c in summary.changed] == ["REQ-2"]
    assert board.get("REQ-1").version == 1


def test_columns_absent_from_the_file_are_left_alone_and_blank_keys_add(board_path: Path) -> None:
    board = sample_board(board_path)
    data = write_csv([{"Key": "REQ-1", "Owner": "Dana"}, {"Key": "", "Owner": "Eve"}], ["Key", "Owner"])
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, data, "csv")
    assert refused.value.summary.refused == ["row 3: a new requirement needs a title"]
    data = write_csv([{"Key": "REQ-1", "Owner": "Dana", "Title": TRICKY_TITLES[0]},
                      {"Key": "", "Owner": "Eve", "Title": "Brand new"}], ["Key", "Title", "Owner"])
    summary = apply_import(board, data, "csv")
    assert board.get("REQ-1").owner == "Dana"
    assert board.get("REQ-1").description.startswith("Line one")  # no Description column: untouched
    new_key = f"REQ-{len(TRICKY_TITLES) + 1}"
    assert [a.key for a in summary.added] == [new_key]
    assert board.get(new_key).title == "Brand new" and board.get(new_key).owner == "Eve"
    assert board.add_requirement("after").key == f"REQ-{len(TRICKY_TITLES) + 2}"  # the counter moved on


def test_a_stale_row_is_refused(board_path: Path) -> None:
    board = sample_board(board_path)
    table = rows(export_board(board, "csv"))
    board.edit_requirement("REQ-2", {"owner": "someone else"})
    table[1]["Title"] = "edited in the spreadsheet"
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, write_csv(table), "csv")
    assert snapshot(board_path) == before
    [message] = refused.value.summary.refused
    assert message.startswith("row 3 (REQ-2), column W (Version): REQ-2 changed since this file was made")


# ------------------------------------------------------------------ states
def test_a_state_change_is_applied_when_the_workflow_allows_it(board_path: Path) -> None:
    board = sample_board(board_path)
    table = rows(export_board(board, "csv"))
    row = next(r for r in table if r["Key"] == "REQ-4")
    row.update({"State": "analysed", "Importance": "3", "Urgency": "2", "Kano class": "must-be"})
    apply_import(board, write_csv(table), "csv")
    req = board.get("REQ-4")
    assert req.state.value == "analysed" and req.importance == 3
    moved = [e for e in board.history("REQ-4") if e.action == "moved"]
    assert [(e.old, e.new) for e in moved] == [("collected", "analysed")]


@pytest.mark.parametrize(("key", "state", "expected"), [
    ("REQ-4", "analysed", "REQ-4 needs importance, urgency and a Kano class or category before it can be analysed"),
    ("REQ-4", "approved", "REQ-4 cannot skip from collected to approved"),
    ("REQ-2", "approved", "REQ-2 needs an approval before it can be approved"),
    ("REQ-2", "collected", "REQ-2 needs a reason to move back from analysed to collected"),
    ("REQ-4", "rejected", "REQ-4 needs a reason to be rejected"),
])
def test_a_state_change_the_workflow_refuses_is_reported_and_nothing_written(
        board_path: Path, key: str, state: str, expected: str) -> None:
    board = sample_board(board_path)
    table = rows(export_board(board, "csv"))
    next(r for r in table if r["Key"] == key)["State"] = state
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, write_csv(table), "csv")
    assert snapshot(board_path) == before
    [message] = refused.value.summary.refused
    assert message.startswith(f"row {int(key[4:]) + 1} ({key}), column C (State): {expected}")


def test_a_new_row_cannot_be_created_past_the_workflow(board_path: Path) -> None:
    board = Board(board_path, "alice")
    data = write_csv([{"Key": "", "Title": "Already approved?", "State": "approved", "Customer": "X",
                       "Importance": "3", "Urgency": "3", "Kano class": "performance"}])
    summary = preview_import(board, data, "csv")
    [message] = summary.refused
    assert message.startswith("row 2, column C (State): a new requirement starts collected")
    assert "needs an approval" in message
    assert not board_path.exists()


# ------------------------------------------------------------------ bad files
BAD_FILES = {
    "unknown column": (b"Key,Title,Colour\r\nREQ-1,x,red\r\n", "row 1, column C (Colour): unknown column"),
    "bad score": (b"Key,Title,Importance\r\n,New,7\r\n", "row 2, column C (Importance): '7' is not a whole number from 1 to 5"),
    "bad key": (b"Key,Title\r\nABC-1,x\r\n", "row 2, column A (Key): 'ABC-1' is not a requirement key"),
    "bad date": (b"Key,Title,Due\r\n,x,31/12/2026\r\n", "row 2, column C (Due): '31/12/2026' is not a date: write it as YYYY-MM-DD"),
    "bad state": (b"Key,Title,State\r\n,x,finished\r\n", "row 2, column C (State): unknown state 'finished'"),
    "bad choice": (b"Key,Title,Kano class\r\n,x,great\r\n", "row 2, column C (Kano class): 'great' is not one of"),
    "short row": (b"Key,Title,Owner\r\n,x\r\n", "row 2: it has 2 cells but the header has 3"),
    "unknown link": (b"Key,Title,Depends on\r\n,x,REQ-99\r\n", "row 2, column C (Depends on): REQ-99 is neither on this board"),
    "duplicate key": (b"Key,Title\r\nREQ-1,a\r\nREQ-1,b\r\n", "row 3 (REQ-1), column A (Key): REQ-1 appears twice in the file (also row 2"),
    "too long": (b"Key,Title\r\n,%s\r\n" % (b"x" * 201), "row 2, column B (Title): must be at most 200 characters"),
    "not utf-8": ("Key,Title\r\n,Gr\xf6\xdfe\r\n".encode("latin-1"), "the file is not UTF-8 text"),
    "empty": (b"", "the file is empty"),
    "broken quotes": (b'Key,Title\r\n,"unclosed\r\n', "the file is not valid CSV"),
    "duplicate column": (b"Key,Title,title\r\n,a,b\r\n", "row 1, column C (title): the same column as column B (Title)"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_writes_nothing_and_names_row_and_column(board_path: Path, name: str) -> None:
    data, expected = BAD_FILES[name]
    board = sample_board(board_path)
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, data + b"", "csv", source="bad.csv")
    assert snapshot(board_path) == before
    assert any(expected in line for line in refused.value.summary.refused), refused.value.summary.refused
    assert str(refused.value).startswith("nothing imported from bad.csv")


def test_one_bad_row_stops_the_good_ones_too(board_path: Path) -> None:
    board = sample_board(board_path)
    data = write_csv([{"Key": "", "Title": "good one", "Importance": ""},
                      {"Key": "", "Title": "bad one", "Importance": "9"},
                      {"Key": "REQ-1", "Title": "renamed", "Importance": ""}])
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, data, "csv")
    assert refused.value.summary.refused == ["row 3, column C (Importance): '9' is not a whole number from 1 to 5"]
    assert [a.title for a in refused.value.summary.added] == ["good one"]  # what would have been added
    assert snapshot(board_path) == before
    assert board.get("REQ-1").title == TRICKY_TITLES[0]


def test_semicolon_separated_files_from_european_excel_are_read(board_path: Path) -> None:
    board = Board(board_path, "alice")
    data = "\ufeffKey;Title;Importance\r\n;Preis in €;3\r\n".encode()
    summary = apply_import(board, data, "csv")
    assert [a.title for a in summary.added] == ["Preis in €"]
    assert board.get("REQ-1").importance == 3


def test_every_column_is_documented_by_a_header() -> None:
    headers = [c.header for c in COLUMNS]
    assert len(headers) == len(set(headers)) and all(h[0].isupper() for h in headers)


# ------------------------------------------------------------------ command line
def test_cli_export_guesses_csv_from_the_extension(tmp_path: Path, board_path: Path) -> None:
    sample_board(board_path)
    out = tmp_path / "reqs.csv"
    assert main(["export", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfKey,Title")


def test_cli_dry_run_prints_changes_and_writes_nothing(tmp_path: Path, board_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    board = sample_board(board_path)
    table = rows(export_board(board, "csv"))
    table[0]["Owner"] = "Zoë"
    path = tmp_path / "edit.csv"
    path.write_bytes(write_csv(table))
    before = snapshot(board_path)
    assert main(["import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("would add 0 requirement(s), change 1,")
    assert '~ REQ-1 owner: "Bob" -> "Zoë"' in out
    assert snapshot(board_path) == before
    assert main(["import", str(path)]) == 0
    assert board.get("REQ-1").owner == "Zoë"


def test_cli_refused_import_exits_1_with_one_error_line_and_the_report(tmp_path: Path, board_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    sample_board(board_path)
    path = tmp_path / "bad.csv"
    path.write_bytes(b"Key,Title,Importance,Colour\r\n,x,9,red\r\n")
    before = snapshot(board_path)
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: nothing imported from ") and err[0].count("\n") == 0
    assert any("row 1, column D (Colour): unknown column" in line for line in err[1:])
    assert snapshot(board_path) == before
    assert main(["import", str(tmp_path / "reqs.txt")]) == 2  # cannot tell the format


def test_the_section_column_comes_last_and_round_trips(tmp_path: Path, board_path: Path) -> None:
    """Issue #20: a Section column after the UID (every earlier column keeps its letter), read back
    by its English or Chinese name."""
    board = sample_board(board_path)
    board.edit_requirement("REQ-1", {"section": "3 Interfaces / 3.2 Payment"})
    data = export_board(board, "csv")
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[-4:-2] == ["UID", "Section"]  # (then Cause and the read-only Notes)
    assert rows(data)[0]["Section"] == "3 Interfaces / 3.2 Payment"
    fresh = Board(tmp_path / "fresh.json", "bob")
    apply_import(fresh, data, "csv")
    assert fresh.get("REQ-1").section == "3 Interfaces / 3.2 Payment"
    assert fresh.get("REQ-2").section == ""
    chinese = write_csv([{"编号": "REQ-1", "章节": "4 报表"}])
    apply_import(fresh, chinese, "csv")
    assert fresh.get("REQ-1").section == "4 报表"
