"""`Board.history(field=...)`: the events that changed one field, read without the rest (the metrics read
only the moves), on a file and on a server: the same events as filtering the whole history, in order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import StoreUnreadable
from reqboard.store.metrics import board_metrics, compute_metrics
from reqboard.store.models import State
from reqboard.store.rejections import rejections

from board_locations import BoardLocation


def _busy(board: Board) -> list[str]:
    # Text that looks like the searched-for bytes must not be taken for them, nor hide a real move (in a
    # string it is escaped; a value that is an object holds the very bytes: see the event below).
    decoy = '"field":"state" and "key":"REQ-1"'
    keys = [board.add_requirement(f"Requirement {n}", description=decoy, customer="ACME", kano="performance",
                                  importance=3, urgency=2).key
            for n in range(4)]
    board.edit_requirement(keys[0], {"title": decoy, "importance": 4})
    board.move_requirement(keys[0], State.ANALYSED)
    board.move_requirement(keys[1], State.ANALYSED)
    board.move_requirement(keys[1], State.COLLECTED, reason=decoy)
    board.edit_requirement(keys[2], {"owner": "state"})
    board.move_requirement(keys[3], State.REJECTED, reason="out of scope")
    with board.transaction() as tx:  # an event whose value is an object naming another key and "state"
        tx.record_event(keys[2], "edited", field="notes", new={"field": "state", "key": keys[0], "uid": "x"})
    return keys


def test_one_fields_events_are_those_of_the_whole_history(board_location: BoardLocation) -> None:
    board = board_location.board("ann")
    keys = _busy(board)
    everything = board.history()
    moves = board.history(field="state")
    assert moves == [e for e in everything if e.field == "state"]
    assert [(e.key, e.new) for e in moves] == [
        (keys[0], "analysed"), (keys[1], "analysed"), (keys[1], "collected"), (keys[3], "rejected")]
    assert board.history(keys[1], field="state") == [e for e in board.history(keys[1]) if e.field == "state"]
    assert board.history(keys[2], field="state") == []
    assert [e.new for e in board.history(keys[2], field="owner")] == ["state"]
    assert board.history(field="no such field") == []


def test_the_metrics_read_from_the_moves_alone_are_those_of_the_whole_history(board_location: BoardLocation) -> None:
    board = board_location.board("ann")
    _busy(board)
    measured = board_metrics(board, since=date(2020, 1, 1))
    whole = compute_metrics(board.requirements(), board.history(), now=measured.now, since=date(2020, 1, 1),
                            dimensions=board.survey_dimensions(), targets=board.response_targets())
    assert measured == whole
    assert sorted(key for key, _ in measured.time_in_state[State.ANALYSED].items) == ["REQ-1", "REQ-2"]


def test_rejections_read_from_the_moves_are_who_rejected_and_from_where(board_location: BoardLocation) -> None:
    board = board_location.board("ann")
    _busy(board)
    for n in range(6):
        key = board.add_requirement(f"Dropped {n}").key
        board.move_requirement(key, State.REJECTED, reason="duplicate")
    rejected = [r for r in board.requirements() if r.state is State.REJECTED]
    found = rejections(board, rejected, few=0)  # one pass over the board's moves, not each one's history
    assert len(found) == 7
    assert all(r.by == "ann" and r.came_from is State.COLLECTED for r in found)  # None: not found in the history


def test_a_damaged_line_is_reported_by_the_metrics_not_passed_over(board_path: Path) -> None:
    board = Board(board_path, "ann")
    _busy(board)
    journal = board.storage.journal_path
    lines = journal.read_bytes().split(b"\n")
    move = next(n for n, line in enumerate(lines) if b'"new":"analysed"' in line)
    lines[move] = lines[move].replace(b'"field":"state"', b'"field":"st\x00te"', 1)  # same length, not JSON
    journal.write_bytes(b"\n".join(lines))
    with pytest.raises(StoreUnreadable, match="not a valid event"):
        board_metrics(Board(board_path, "ann"))
