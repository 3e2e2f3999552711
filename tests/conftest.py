"""Every test runs isolated from the user's home: data, config and user name point into tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("REQBOARD_STORE", str(tmp_path / "board.json"))
    monkeypatch.setenv("REQBOARD_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("REQBOARD_USER", "tester")
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


@pytest.fixture
def board_path(tmp_path: Path) -> Path:
    return tmp_path / "board.json"
