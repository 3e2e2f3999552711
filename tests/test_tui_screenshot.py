"""The palette's "Screenshot" saves where there is room: ~/Downloads when it exists, else here."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_customers import run_command

from reqboard.tui.app import screenshot_directory

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    notifications,
    open_app,
    small,
    small_template,
)


def test_the_screenshot_goes_to_downloads_when_there_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, here = tmp_path / "someone", tmp_path / "here"
    home.mkdir()
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(here)
    assert screenshot_directory() == here  # a server: no ~/Downloads
    (home / "Downloads").mkdir()
    assert screenshot_directory() == home / "Downloads"


async def test_the_screenshot_is_saved_on_a_machine_without_downloads(small: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    home, here = tmp_path / "someone", tmp_path / "here"
    home.mkdir()
    here.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(here)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await run_command(pilot, "Screenshot", "Screenshot")
        for _ in range(60):
            await pilot.pause(0.05)
            if list(here.glob("*.svg")) and any("Saved the screenshot" in n for n in notifications(app)):
                break
        saved = list(here.glob("*.svg"))
        assert len(saved) == 1 and saved[0].read_text(encoding="utf-8").startswith("<svg")
        assert any(str(here) in n for n in notifications(app))  # the notice says where
