"""A board written by a newer reqboard opens read-only in the TUI: shown, said once, never written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson

from reqboard.store.board import Board
from reqboard.tui.app import ReqboardApp

from tui_support import QUIET, settle, wait_until


async def test_newer_schema_opens_read_only_and_refuses_changes(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    Board(path, "tester").add_requirement("Written by the future", customer="ACME")
    tables = orjson.loads(path.read_bytes())
    tables["meta"]["1"]["schema"] = 99
    path.write_bytes(orjson.dumps(tables))
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    app = ReqboardApp(path, "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        board = app.screen
        await wait_until(pilot, lambda: board.loaded, "the board to load")
        await settle(pilot)
        assert "READ-ONLY" in str(app.query_one("#board-title").render())
        notices = [n.message for n in app._notifications if "newer reqboard" in n.message]
        assert len(notices) == 1
        await pilot.press("x")  # reject: refused at the key, with the reason, before a form asks anything
        await settle(pilot)
        assert app.screen is board
        assert len([n for n in app._notifications if "newer reqboard" in n.message]) == 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
