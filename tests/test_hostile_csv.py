"""CSV import against hostile and careless files (issue 11, items 6, 15 and 16 and the CSV fuzzing).

Rows are matched by UID: a row whose key is another requirement on this board is refused (or re-keyed),
a second import of the same file changes nothing, a row changed on neither side is never refused.
Every malformed file is an ordinary refusal naming its row and column. Big files are read and planned
before the board's lock is taken; a writer that commits in between is never overwritten.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.exchange import ImportRefused, apply_import, export_board, plan, preview_import

from exchange_samples import TRICKY_TITLES, sample_board, snapshot


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_csv(records: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=header or list(records[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def copy_board(source: Path, target: Path) -> Board:
    """An offline copy of a board (what a consultant takes away): the same records, uids and versions."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    shutil.copyfile(source.with_name(source.name + ".history.jsonl"), target.with_name(target.name + ".history.jsonl"))
    return Board(target, "consultant")


@pytest.fixture
def team(board_path: Path) -> Board:
    """The team's board: REQ-1 to REQ-3."""
    board = Board(board_path, "team")
    for title in ("Export invoices as PDF", "Dark mode", "Faster search"):
        board.add_requirement(title, customer="ACME", tier="A")
    return board


@pytest.fixture
def offline(tmp_path: Path) -> Board:
    """Another board whose keys clash with the team's: REQ-1 and REQ-2, REQ-2 depending on REQ-1."""
    board = Board(tmp_path / "offline" / "board.json", "consultant")
    first = board.add_requirement("Offline: scan barcodes", customer="Globex")
    board.add_requirement("Offline: print labels", depends_on=(first.key,))
    return board


# ------------------------------------------------------------------ item 6: whose REQ-7 is it
def test_a_row_whose_key_is_another_requirement_here_is_refused(team: Board, offline: Board,
                                                                 board_path: Path) -> None:
    data = export_board(offline, "csv")
    assert rows(data)[0]["UID"] == offline.get("REQ-1").uid  # exports carry the uid
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(team, data, "csv", source="offline.csv")
    assert snapshot(board_path) == before
    lines = refused.value.summary.refused
    assert any(line.startswith("row 2 (REQ-1), column A (Key): ") and "REQ-1 in the file is not REQ-1 on this "
               "board" in line and "--rekey" in line for line in lines), lines
    assert team.get("REQ-1").title == "Export invoices as PDF"


def test_rekey_adds_such_rows_under_new_keys_with_their_links_and_a_retry_changes_nothing(
        team: Board, offline: Board, board_path: Path) -> None:
    data = export_board(offline, "csv")
    summary = apply_import(team, data, "csv", source="offline.csv", rekey=True)
    assert summary.rekeyed == {"REQ-1": "REQ-4", "REQ-2": "REQ-5"}
    assert [a.key for a in summary.added] == ["REQ-4", "REQ-5"]
    assert team.get("REQ-1").title == "Export invoices as PDF"  # the team's REQ-1 is untouched
    assert team.get("REQ-4").uid == offline.get("REQ-1").uid  # the file's REQ-1 keeps its uid
    assert team.get("REQ-5").depends_on == ("REQ-4",)  # its link follows it to its new key
    # A retry (ctrl+c came after the commit) recognises every row by uid: nothing is written.
    before = snapshot(board_path)
    again = apply_import(team, data, "csv", source="offline.csv", rekey=True)
    assert (again.added, again.changed, sorted(again.unchanged)) == ([], [], ["REQ-4", "REQ-5"])
    assert snapshot(board_path) == before
    assert any("REQ-1 in the file is REQ-4 on this board" in note for note in again.notes)


def test_a_rekeyed_row_edited_in_its_copy_changes_the_requirement_it_became(team: Board, offline: Board) -> None:
    apply_import(team, export_board(offline, "csv"), "csv", rekey=True)
    offline.edit_requirement("REQ-1", {"owner": "Carla"})
    summary = apply_import(team, export_board(offline, "csv"), "csv")  # no --rekey needed: found by uid
    assert [c.key for c in summary.changed] == ["REQ-4"]
    assert team.get("REQ-4").owner == "Carla" and team.get("REQ-1").owner == ""


def test_an_edit_made_in_an_offline_copy_is_imported_when_the_board_did_not_change(
        team: Board, board_path: Path, tmp_path: Path) -> None:
    copy = copy_board(board_path, tmp_path / "laptop" / "board.json")
    copy.edit_requirement("REQ-2", {"owner": "Dana"})
    copy.edit_requirement("REQ-2", {"importance": 4})  # the copy is two versions ahead of the board
    summary = apply_import(team, export_board(copy, "csv"), "csv")
    assert [c.key for c in summary.changed] == ["REQ-2"] and len(summary.unchanged) == 2
    assert (team.get("REQ-2").owner, team.get("REQ-2").importance) == ("Dana", 4)


def test_an_edit_to_a_requirement_the_board_changed_since_is_still_refused(
        team: Board, board_path: Path, tmp_path: Path) -> None:
    copy = copy_board(board_path, tmp_path / "laptop" / "board.json")
    copy.edit_requirement("REQ-2", {"owner": "Dana"})
    team.edit_requirement("REQ-2", {"title": "Dark mode everywhere"})
    team.edit_requirement("REQ-2", {"urgency": 2})  # the board moved past the copy's version
    with pytest.raises(ImportRefused) as refused:
        apply_import(team, export_board(copy, "csv"), "csv")
    [line] = refused.value.summary.refused
    assert line.startswith("row 3 (REQ-2), column W (Version): REQ-2 changed since this file was made")


def test_a_row_changed_on_neither_side_is_never_refused(board_path: Path) -> None:
    board = sample_board(board_path)
    table = rows(export_board(board, "csv"))
    for row in table:  # what a spreadsheet may do to an untouched file: CRLF line ends, an old version
        row.update({name: value.replace("\n", "\r\n") for name, value in row.items()})
        row["Version"] = "1"
    assert any("\r\n" in row["Rejection reason"] for row in table)
    before = snapshot(board_path)
    summary = apply_import(board, write_csv(table), "csv")
    assert (summary.refused, summary.added, summary.changed) == ([], [], [])
    assert len(summary.unchanged) == len(TRICKY_TITLES)
    assert snapshot(board_path) == before


# ------------------------------------------------------------------ item 16: the same file twice
def test_rows_with_a_uid_and_no_key_are_added_once_however_often_the_file_is_imported(
        board_path: Path, offline: Board) -> None:
    table = rows(export_board(offline, "csv"))
    for row in table:
        row["Key"] = row["Depends on"] = ""  # a tool that keeps our UIDs but not our keys
    data = write_csv(table)
    board = Board(board_path, "team")
    first = apply_import(board, data, "csv")
    assert [a.key for a in first.added] == ["REQ-1", "REQ-2"]
    before = snapshot(board_path)
    for _ in range(2):
        again = apply_import(board, data, "csv")
        assert (again.added, again.changed, sorted(again.unchanged)) == ([], [], ["REQ-1", "REQ-2"])
    assert snapshot(board_path) == before
    assert len(board.requirements()) == 2


def test_the_same_uid_twice_in_a_file_is_refused(board_path: Path, offline: Board) -> None:
    table = rows(export_board(offline, "csv"))
    table[1]["UID"] = table[0]["UID"]
    with pytest.raises(ImportRefused) as refused:
        apply_import(Board(board_path, "team"), write_csv(table), "csv")
    assert any(line.startswith("row 3 (REQ-2), column X (UID): its UID is also the UID of row 2 (REQ-1)")
               for line in refused.value.summary.refused), refused.value.summary.refused


def test_cli_import_rekey(tmp_path: Path, team: Board, offline: Board, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "offline.csv"
    path.write_bytes(export_board(offline, "csv"))
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("error: nothing imported from") and "REQ-1 in the file is not REQ-1" in "\n".join(err)
    assert main(["import", str(path), "--rekey"]) == 0
    out = capsys.readouterr().out
    assert "REQ-1 -> REQ-4 (re-keyed)" in out and "REQ-2 -> REQ-5 (re-keyed)" in out
    assert main(["import", str(path), "--rekey"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "added 0 requirement(s), changed 0, 2 unchanged"


# ------------------------------------------------------------------ item 15: the lock
@contextmanager
def watched_lock(board: Board, before_lock: Callable[[], None] | None = None) -> Iterator[dict[str, Any]]:
    """Track when `board` holds its lock, count the records planned while it does, and run
    `before_lock` (another writer) just before the import first asks for the lock."""
    state: dict[str, Any] = {"locked": False, "planned_in_lock": 0, "planned": 0, "transactions": 0}
    original_transaction = board.transaction
    original_add = plan.Planner._plan_add
    original_change = plan.Planner._plan_change

    @contextmanager
    def transaction(*args: Any, **kwargs: Any) -> Iterator[Any]:
        if state["transactions"] == 0 and before_lock is not None:
            before_lock()
        state["transactions"] += 1
        with original_transaction(*args, **kwargs) as tx:
            state["locked"] = True
            try:
                yield tx
            finally:
                state["locked"] = False

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def plan(*args: Any, **kwargs: Any) -> Any:
            state["planned"] += 1
            state["planned_in_lock"] += state["locked"]
            return original(*args, **kwargs)
        return plan

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(board, "transaction", transaction)
        patch.setattr(plan.Planner, "_plan_add", counted(original_add))
        patch.setattr(plan.Planner, "_plan_change", counted(original_change))
        yield state


def test_rows_are_checked_before_the_lock_is_taken(board_path: Path) -> None:
    board = Board(board_path, "team")
    data = write_csv([{"Title": f"Row {n}", "Importance": str(n % 5 + 1)} for n in range(50)])
    with watched_lock(board) as state:
        summary = apply_import(board, data, "csv")
    assert len(summary.added) == 50 and len(board.requirements()) == 50
    assert (state["planned"], state["planned_in_lock"], state["transactions"]) == (50, 0, 1)


def test_a_writer_that_commits_before_the_lock_is_kept_and_only_its_rows_are_planned_again(
        team: Board, board_path: Path) -> None:
    table = rows(export_board(team, "csv"))
    table[1]["Owner"] = "Dana"  # REQ-2 changes
    table.append({**{name: "" for name in table[0]}, "Title": "A new one"})  # planned as REQ-4

    def colleague() -> None:  # another process, between the import's plan and its lock
        other = Board(board_path, "colleague")
        other.add_requirement("Taken meanwhile")  # takes REQ-4
        other.edit_requirement("REQ-2", {"tags": ("ux",)})  # a field the file does not change...

    # ...but the row's version is now behind the board's
    with watched_lock(team, colleague) as state, pytest.raises(ImportRefused) as refused:
        apply_import(team, write_csv(table), "csv")
    assert any(line.startswith("row 3 (REQ-2), column W (Version): REQ-2 changed since this file was made")
               for line in refused.value.summary.refused), refused.value.summary.refused
    assert state["planned_in_lock"] == 0
    # Planned again without the lock: REQ-2 (its version moved) and the new row (its key was taken).
    assert state["planned"] == 4 + 2


def test_a_planned_key_taken_meanwhile_is_given_the_next_one(team: Board, board_path: Path) -> None:
    data = write_csv([{"Key": "REQ-1", "Title": "Export invoices as PDF", "Owner": "Bob"},
                      {"Key": "", "Title": "A new one", "Owner": ""}])

    def colleague() -> None:
        other = Board(board_path, "colleague")
        other.add_requirement("Taken meanwhile")
        other.edit_requirement("REQ-3", {"owner": "Eve"})

    with watched_lock(team, colleague) as state:
        summary = apply_import(team, data, "csv")
    assert [a.key for a in summary.added] == ["REQ-5"] and [c.key for c in summary.changed] == ["REQ-1"]
    assert team.get("REQ-4").title == "Taken meanwhile" and team.get("REQ-5").title == "A new one"
    assert (team.get("REQ-1").owner, team.get("REQ-3").owner) == ("Bob", "Eve")
    assert state["planned_in_lock"] == 0 and state["transactions"] == 2
    assert state["planned"] == 2 + 1  # REQ-1's row was planned once: its requirement did not change
    errors, _warnings = team.check()
    assert errors == []


# ------------------------------------------------------------------ item 4: malformed files
MALFORMED = {
    "not UTF-8 in row 3": (b"Title,Owner\r\nok,x\r\nGr\xf6\xdfe,y\r\n",
                           "row 3, column A (Title): the file is not UTF-8 text (byte 21)"),
    "not UTF-8 inside a quoted cell": (b'Title,Description\r\nok,"one\r\ntw\xff"\r\n',
                                       "row 2, column B (Description): the file is not UTF-8 text"),
    "a cell longer than csv takes": (b"Title,Description\r\nok,x\r\nok," + b"y" * 140_000 + b"\r\n",
                                     "row 3, column B (Description): the cell is longer than 131,072 characters"),
    "a quote left open": (b'Title,Owner,Tags\r\nok,x,y\r\n"never closed,x,y\r\nok,x,y\r\n',
                          "row 3, column A (Title): the file is not valid CSV here"),
    "text after a closing quote": (b'Title,Owner\r\nok,"Bob"by\r\n', "row 2, column B (Owner): the file is not valid CSV"),
    "a row longer than the header": (b"Title,Owner\r\nok,x,extra\r\n",
                                     "row 2: it has 3 cells but the header has 2 (column C is past the header's last column)"),
    "a row shorter than the header": (b"Title,Owner,Tags\r\nok\r\n",
                                      "row 2: it has 1 cells but the header has 3 (it ends before column B (Owner))"),
    "a column named twice": (b"Title,Owner,owner\r\nok,x,y\r\n", "row 1, column C (owner): the same column as column B (Owner)"),
    "a NUL in a column's name": (b"Title,Ow\x00ner\r\nok,x\r\n", "row 1, column B ('Ow\\x00ner'): unknown column"),
    "a NUL in a key": (b"Key,Title\r\nREQ-1\x00,x\r\n", "row 2, column A (Key): 'REQ-1\\x00' is not a requirement key"),
    "a key of 17 digits": (b"Key,Title\r\nREQ-12345678901234567,x\r\n",
                           "row 2, column A (Key): 'REQ-12345678901234567' is not a requirement key: a key has at most 9 digits"),
    "a superscript key": ("Key,Title\r\nREQ-²,x\r\n".encode(), "row 2, column A (Key): 'REQ-²' is not a requirement key"),
    "a superscript link": ("Title,Depends on\r\nx,REQ-²\r\n".encode(), "row 2, column B (Depends on): 'REQ-²' is not a requirement key"),
    "a version of 2**64": (b"Title,Version\r\nx,18446744073709551616\r\n",
                           "row 2, column B (Version): '18446744073709551616' is not a version number"),
    "a negative version": (b"Key,Title,Version\r\nREQ-1,x,-1\r\n", "row 2 (REQ-1), column C (Version): '-1' is not a version number"),
    "a UID with spaces": (b"Title,UID\r\nx,not a uid at all\r\n", "row 2, column B (UID): 'not a uid at all' is not a UID"),
    "a huge score": (b"Title,Importance\r\nx,1e400\r\n", "row 2, column B (Importance): '1e400' is not a whole number"),
    "an empty first row": (b"\r\nTitle\r\nx\r\n", "row 1: the first row is empty"),
    "nothing but a BOM": (b"\xef\xbb\xbf\r\n", "the file is empty"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_file_is_an_ordinary_refusal_naming_row_and_column(board_path: Path, name: str) -> None:
    data, expected = MALFORMED[name]
    board = sample_board(board_path)
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, data, "csv", source="bad.csv")
    assert snapshot(board_path) == before
    assert any(line.startswith(expected) for line in refused.value.summary.refused), refused.value.summary.refused
    assert preview_import(board, data, "csv").refused == refused.value.summary.refused


# ------------------------------------------------------------------ the fuzzer
_VALID = {  # each column's ordinary values, so that many files get past the header into the board
    "Key": ["", "REQ-1", "REQ-2", "REQ-3", "REQ-9"], "Title": ["A title", "支持中文界面", "'=1+1", "x"],
    "State": ["", "collected", "analysed", "rejected"], "Customer": ["", "ACME", "Globex"],
    "Tier": ["", "A", "b"], "Channel": ["", "email", "after sales"], "Importance": ["", "1", "5"],
    "Urgency": ["", "3"], "Effort": ["", "2.5", "0"], "Due": ["", "2026-12-31"], "Tags": ["", "a\nb", "a, b"],
    "Depends on": ["", "REQ-1", "REQ-2 REQ-1"], "Conflicts with": ["", "REQ-2"],
    "Acceptance criteria": ["", "[x] done\n[ ] not"], "Description": ["", "two\nlines"],
    "Rejection reason": ["", "a duplicate"], "Version": ["", "1", "2"], "Owner": ["", "Bob"],
    "UID": ["", "0123456789abcdef0123456789abcdef", "fuzz-uid-0001"],
}
_HOSTILE = ["REQ-0", "REQ-12345678901234567", "REQ-²", "٣", "007", "'=1+1", "z", "9", "-1", "1e400", "nan",
            "2026-02-30", "18446744073709551616", "not a uid", "a\x00b", "\u202etxt.exe", "line\r\nbreak", '"',
            "x" * 300, ",", ";"]


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    """Mostly well-formed files with ordinary and hostile values; some with a stray column, a ragged
    row, bytes spliced in where they do not belong."""
    others = [name for name in _VALID if name not in ("Key", "Title")]
    header = draw(st.sampled_from([["Title"], ["Key", "Title"], ["Title", "Key"], ["Key"], ["Title"], []]))
    header += draw(st.lists(st.sampled_from(others), max_size=5, unique=True))
    if draw(st.integers(0, 9)) == 0:
        header.insert(draw(st.integers(0, len(header))), draw(st.text(max_size=8)))
    header = header or ["Title"]

    def cell(name: str) -> st.SearchStrategy[str]:
        ordinary = st.sampled_from(_VALID.get(name, [""]))
        return st.one_of(ordinary, ordinary, ordinary, st.sampled_from(_HOSTILE), st.text(max_size=12))

    def row(width: int) -> st.SearchStrategy[list[str]]:
        cells = [cell(header[i]) if i < len(header) else st.text(max_size=4) for i in range(width)]
        return st.tuples(*cells).map(list)

    width = st.sampled_from([len(header)] * 8 + [max(len(header) - 1, 0), len(header) + 1])
    body = draw(st.lists(width.flatmap(row), min_size=draw(st.sampled_from([1, 1, 1, 0])), max_size=5))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])),
                        lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(header)
    writer.writerows(body)
    data = out.getvalue().encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 4)) == 0:  # damaged the way a disk, a tool or a person might
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=6)) + data[at + draw(st.integers(0, 4)):]
    return data


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(data=csv_files(), rekey=st.booleans())
def test_fuzz_any_csv_file_imports_or_is_refused_by_row_and_column(data: bytes, rekey: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.json"
        board = Board(path, "fuzz")
        board.add_requirement("REQ-1 is here", customer="ACME")
        board.add_requirement("REQ-2 is here", depends_on=("REQ-1",))
        try:
            summary = apply_import(board, data, "csv", source="fuzz.csv", rekey=rekey)
        except ImportRefused as exc:
            assert exc.summary.refused and not exc.summary.applied
            for line in exc.summary.refused:
                assert line.startswith(("row ", "the file ")), line
        else:
            assert summary.applied and not summary.refused
        errors, _warnings = Board(path, "fuzz").check()
        assert errors == []


# ------------------------------------------------------------------ the benchmark's own files
def test_the_benchmark_files_import_as_it_says(tmp_path: Path) -> None:
    from bench.imports import import_once, prepare

    inputs = prepare(20, tmp_path)
    assert len(Board(inputs.board, "x").requirements()) == 20
    result = tmp_path / "result.json"
    import_once(inputs.board, inputs.updated, result)
    done = json.loads(result.read_text())
    assert (done["changed"], done["added"]) == (20, 0) and 0 < done["lock_seconds"] <= done["seconds"]
    import_once(inputs.board, inputs.updated, result)  # the same file again: a no-op, the lock never taken
    done = json.loads(result.read_text())
    assert (done["unchanged"], done["lock_seconds"]) == (20, 0)


# ------------------------------------------------------------------ round trips that were lossy
def test_a_tag_with_a_comma_comes_back_as_one_tag(board_path: Path) -> None:
    board = Board(board_path, "team")
    board.add_requirement("One tag with a comma", tags=("billing, EU",))
    board.add_requirement("Two tags, one with a comma", tags=("a,b", "c"))
    before = snapshot(board_path)
    summary = apply_import(board, export_board(board, "csv"), "csv")
    assert (summary.changed, sorted(summary.unchanged)) == ([], ["REQ-1", "REQ-2"])
    assert snapshot(board_path) == before
    target = Board(board_path.with_name("copy.json"), "team")
    apply_import(target, export_board(board, "csv"), "csv")
    assert [r.tags for r in target.requirements()] == [("billing, EU",), ("a,b", "c")]
    # A cell someone typed on one line still separates tags with commas.
    typed = apply_import(target, write_csv([{"Key": "REQ-1", "Tags": "x, y"}]), "csv")
    assert [c.key for c in typed.changed] == ["REQ-1"] and target.get("REQ-1").tags == ("x", "y")


# ------------------------------------------------------------------ the JSON import's report (item 16)
def test_a_json_import_reports_its_records_and_a_second_import_as_unchanged(team: Board, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + export_board(team, "json")  # as a Windows editor saves it
    target = Board(tmp_path / "target" / "board.json", "bob")
    first = apply_import(target, data, "json", source="team.json")
    assert [(a.key, a.title, a.state) for a in first.added] == [
        ("REQ-1", "Export invoices as PDF", "collected"), ("REQ-2", "Dark mode", "collected"),
        ("REQ-3", "Faster search", "collected")]
    again = apply_import(target, data, "json", source="team.json")
    assert (again.added, again.unchanged) == ([], ["REQ-1", "REQ-2", "REQ-3"])
    assert again.headline() == "added 0 requirement(s), changed 0, 3 unchanged"
