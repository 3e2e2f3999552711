"""Every main screen draws under NO_COLOR (Textual then draws in monochrome) and in every built-in theme."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reqboard.store.models import State
from reqboard.tui.screens.board import BoardScreen

from tui_support import (  # noqa: F401 (demo and demo_template are fixtures)
    SIZE,
    board_ready,
    cards,
    demo,
    demo_template,
    open_app,
    settle,
)


async def _draw_each_screen(app: Any, pilot: Any, board: BoardScreen) -> None:
    """Open each main screen from the board (detail, new requirement, help, reports, archive, change
    requests), draw a whole frame of it, and close it again."""
    for key in ("enter", "n", "question_mark", "r", "a", "v"):
        await pilot.press(key)
        await settle(pilot)
        assert app.screen is not board, key
        app.screen._compositor.render_update(full=True)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is board, key


async def test_every_main_screen_draws_with_no_color(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        assert app.no_color
        await _draw_each_screen(app, pilot, screen)  # through the monochrome filter
        app.screen._compositor.render_update(full=True)
        assert cards(app, State.COLLECTED).cards  # the board itself, with its cards
        assert isinstance(app.screen, BoardScreen) and app.is_running


@pytest.mark.parametrize("theme", ["reqboard-dark", "reqboard-light", "reqboard-high-contrast", "reqboard-16"])
async def test_every_main_screen_draws_in_every_builtin_theme(demo: Path, theme: str) -> None:
    from reqboard.tui.config import Config

    app = open_app(demo, config=Config(theme=theme))
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        assert app.theme == theme
        await _draw_each_screen(app, pilot, screen)
        assert app.is_running
