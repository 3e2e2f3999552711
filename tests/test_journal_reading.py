"""Reading the history journal in blocks: nothing lost or split at block boundaries, orphans ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.filestore.journal import Journal


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
