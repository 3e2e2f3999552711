"""The board's key bar: the keys in force (remapped ones too), and clicking one runs its action."""

from __future__ import annotations

from pathlib import Path

from reqboard.store.board import Board
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
from reqboard.tui.screens.form import FormScreen
from reqboard.tui.widgets.key_bar import KeyBar

from tui_support import QUIET, board_ready


async def test_key_bar_shows_the_keys_in_force_and_a_click_runs_one(tmp_path: Path) -> None:
    Board(tmp_path / "b.json", "tester").add_requirement("One")
    app = ReqboardApp(tmp_path / "b.json", "tester", config=Config(keys={"card.new": "N"}), watch_interval=QUIET)
    async with app.run_test(size=(160, 30)) as pilot:
        await board_ready(pilot)
        bar = app.screen.query_one(KeyBar)
        text = str(bar.render())
        assert " N  New" in text and " n  New" not in text  # the remapped key, not the default
        assert "Move on" in text and "palette" in text
        await pilot.click(KeyBar, offset=(text.index(" N  New") + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, FormScreen) and app.screen.form_title == "New requirement"
