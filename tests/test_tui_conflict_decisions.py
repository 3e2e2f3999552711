"""The detail pane lists every decision taken on a conflict: two copies of a board that each settled
the same conflict and synced keep both, and the pane shows both (not just the first)."""

from __future__ import annotations

from pathlib import Path

from test_tui_review import open_detail

from reqboard.store.board import Board
from reqboard.store.sync import clone_board, sync_boards

from tui_support import SIZE, board_ready, open_app, text_of


async def test_both_decisions_on_one_conflict_are_shown(tmp_path: Path) -> None:
    team = Board(tmp_path / "team.json", "alice")
    team.add_requirement("PDF export")
    team.add_requirement("Word export", conflicts_with=("REQ-1",))
    laptop = Board(tmp_path / "laptop.json", "carol")
    clone_board(team, laptop)
    team.resolve_conflict("REQ-1", "REQ-2", "team: keep PDF")
    laptop.resolve_conflict("REQ-1", "REQ-2", "laptop: keep Word")
    assert not sync_boards(laptop, team).conflicts
    app = open_app(tmp_path / "team.json")
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        detail = await open_detail(pilot, "REQ-1")
        fields = text_of(detail.query_one("#detail-fields"))
    assert "team: keep PDF" in fields and "laptop: keep Word" in fields, fields
