"""Links through a spreadsheet: an import keeps the board's links sound (no dependency cycle; a conflict
dropped on one side only is pointed out) and moves a state only as the board's dependency, conflict and
sign-off rules allow."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.exchange import ImportRefused, apply_import, export_board, preview_import

from exchange_samples import snapshot


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_csv(records: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@pytest.fixture
def board(board_path: Path) -> Board:
    """REQ-3 depends on REQ-2, which depends on REQ-1; REQ-4 and REQ-5 are in conflict."""
    board = Board(board_path, "alice")
    for title in ("Login", "Profile page", "Avatar upload", "Keep every log", "Delete on request"):
        board.add_requirement(title, customer="ACME")
    board.edit_requirement("REQ-2", {"depends_on": ("REQ-1",)})
    board.edit_requirement("REQ-3", {"depends_on": ("REQ-2",)})
    board.edit_requirement("REQ-5", {"conflicts_with": ("REQ-4",)})
    return board


def _row(table: list[dict[str, str]], key: str) -> dict[str, str]:
    return next(row for row in table if row["Key"] == key)


def test_a_dependency_that_closes_a_cycle_is_refused_naming_the_chain(board: Board, board_path: Path) -> None:
    table = rows(export_board(board, "csv"))
    _row(table, "REQ-1")["Depends on"] = "REQ-3"
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, write_csv(table), "csv")
    assert snapshot(board_path) == before
    [message] = refused.value.summary.refused
    assert message.startswith("row 2 (REQ-1), column R (Depends on): REQ-1 cannot depend on REQ-3: REQ-3 already "
                              "depends on REQ-1 (REQ-3 → REQ-2 → REQ-1)")


def test_a_cycle_made_by_two_rows_of_the_file_is_refused_too(board: Board) -> None:
    table = rows(export_board(board, "csv"))
    _row(table, "REQ-4")["Depends on"] = "REQ-5"
    _row(table, "REQ-5")["Depends on"] = "REQ-4"
    summary = preview_import(board, write_csv(table), "csv")
    assert [line.split(":")[0] for line in summary.refused] == [
        "row 5 (REQ-4), column R (Depends on)", "row 6 (REQ-5), column R (Depends on)"]


def test_links_that_close_no_cycle_are_imported(board: Board) -> None:
    table = rows(export_board(board, "csv"))
    _row(table, "REQ-4")["Depends on"] = "REQ-1\nREQ-3"
    table.append({**{name: "" for name in table[0]}, "Title": "Badge", "Depends on": "REQ-4"})
    apply_import(board, write_csv(table), "csv")
    assert board.get("REQ-4").depends_on == ("REQ-1", "REQ-3")
    assert board.get("REQ-6").depends_on == ("REQ-4",)
    assert board.links().needed_by("REQ-4") == ("REQ-6",)


def test_a_conflict_dropped_on_one_side_only_stays_and_a_note_says_so(board: Board) -> None:
    table = rows(export_board(board, "csv"))
    assert _row(table, "REQ-4")["Conflicts with"] == "REQ-5"  # the board lists it on both sides
    _row(table, "REQ-4")["Conflicts with"] = ""
    summary = apply_import(board, write_csv(table), "csv")
    assert summary.notes == ["row 5 (REQ-4), column S (Conflicts with): REQ-5 still lists REQ-4 as a conflict, so "
                             "the conflict stays: drop it from REQ-5 too"]
    assert board.links().conflicts_of("REQ-4") == ("REQ-5",)
    # Dropped from both rows, it is gone, and nothing is said.
    table = rows(export_board(board, "csv"))
    _row(table, "REQ-5")["Conflicts with"] = ""
    assert apply_import(board, write_csv(table), "csv").notes == []
    assert board.links().conflicts_of("REQ-4") == ()


def test_an_import_moves_a_state_only_as_the_boards_rules_allow(board: Board, board_path: Path) -> None:
    """A spreadsheet cannot start work before what it depends on is done, nor approve a requirement its
    sign-off roles have not all signed: the import is refused naming the rule (a move on the board can
    override a dependency, with a reason it records)."""
    analysis = {"importance": 3, "urgency": 3, "kano": "performance"}
    board.move_requirement("REQ-2", "analysed", updates=analysis)
    board.approve("REQ-2")
    board.move_requirement("REQ-3", "analysed", updates=analysis)
    board.set_signoff_roles(["customer", "product"])
    board.approve("REQ-3", role="customer")
    table = rows(export_board(board, "csv"))
    _row(table, "REQ-2").update({"State": "in_progress", "Owner": "bob"})
    before = snapshot(board_path)
    with pytest.raises(ImportRefused) as refused:
        apply_import(board, write_csv(table), "csv")
    assert snapshot(board_path) == before
    [message] = refused.value.summary.refused
    assert "REQ-2 depends on REQ-1, not yet done" in message and "--override-dependency" in message, message

    table = rows(export_board(board, "csv"))
    _row(table, "REQ-3")["State"] = "approved"
    with pytest.raises(ImportRefused) as unsigned:
        apply_import(board, write_csv(table), "csv")
    assert "a sign-off by product" in unsigned.value.summary.refused[0]
    board.approve("REQ-3", role="product")
    assert board.get("REQ-3").state.value == "approved"
