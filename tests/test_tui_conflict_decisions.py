"""The detail pane lists every decision taken on a conflict: two copies of a board that each settled
the same conflict and synced keep both, and the pane shows both (not just the first)."""

from __future__ import annotations

from pathlib import Path

from test_cli_review import decided_on_two_copies

from tui_support import SIZE, board_ready, open_app, open_detail, text_of


async def test_both_decisions_on_one_conflict_are_shown(tmp_path: Path) -> None:
    app = open_app(decided_on_two_copies(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        detail = await open_detail(pilot, "REQ-1")
        fields = text_of(detail.query_one("#detail-fields"))
    assert "team: keep PDF" in fields and "laptop: keep Word" in fields, fields
