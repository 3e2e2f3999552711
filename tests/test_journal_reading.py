"""Reading the history journal in blocks: nothing lost or split at block boundaries, orphans ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.filestore.journal import Journal

from cli_support import CliRunner


@pytest.fixture
def busy_board(tmp_path: Path) -> Board:
    board = Board(tmp_path / "board.json", "tester")
    for n in range(12):
        req = board.add_requirement(f"Requirement {n} with a title long enough to span blocks")
        board.edit_requirement(req.key, {"owner": f"owner-{n}", "importance": 1 + n % 5})
    return board


@pytest.mark.parametrize("size", [7, 64, 333, 1 << 20])
def test_blocks_cover_exactly_the_committed_journal(busy_board: Board, size: int) -> None:
    committed = int(busy_board.storage.meta["journal_size"])
    blocks = list(busy_board.storage.journal.blocks(committed, size))
    joined = b"".join(blocks)
    assert joined == busy_board.storage.journal_path.read_bytes()[:committed]
    assert all(block.endswith(b"\n") for block in blocks)


def test_one_requirements_history_is_found_whatever_the_block_size(busy_board: Board,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    whole = [(e.key, e.action, e.field) for e in busy_board.history("REQ-1")]
    assert [a for _, a, _ in whole].count("created") == 1 and len(whole) == 3  # created, owner, importance
    original = Journal.blocks
    monkeypatch.setattr(Journal, "blocks", lambda self, committed, size=0, start=0: original(self, committed, 50, start=start))
    assert [(e.key, e.action, e.field) for e in busy_board.history("REQ-1")] == whole
    assert {e.key for e in busy_board.history("REQ-10")} == {"REQ-10"}  # REQ-1's needle is not REQ-10's


def test_lines_past_the_committed_size_are_not_read(busy_board: Board) -> None:
    before = len(busy_board.history())
    with open(busy_board.storage.journal_path, "ab") as fh:
        fh.write(b'{"at":"2026-01-01T00:00:00Z","by":"ghost","key":"REQ-1","action":"edited"}\n')
    assert len(busy_board.history()) == before
    assert all(e.by != "ghost" for e in busy_board.history("REQ-1"))


def test_a_restore_keeps_the_line_a_damaged_journal_size_falls_inside(busy_board: Board, cli: CliRunner) -> None:
    """A board whose recorded history length lands inside a line (a flipped byte: a commit always ends
    on a line end) is brought back by `restore` with every line of its history, and passes `check`."""
    path = busy_board.storage.path
    events = len(busy_board.storage.journal_path.read_bytes().splitlines())
    committed = int(busy_board.storage.meta["journal_size"])
    raw = path.read_bytes()
    assert raw.count(b'"journal_size":%d' % committed) == 1
    path.write_bytes(raw.replace(b'"journal_size":%d' % committed, b'"journal_size":%d' % (committed - 40)))
    cli("restore", "--store", str(path))
    assert ": ok (" in cli("check", "--store", str(path))
    lines = busy_board.storage.journal_path.read_bytes().splitlines()
    assert len(lines) == events + 1 and b'"action":"restored"' in lines[-1]
