"""Export and import from the TUI: a path prompt, and the dry-run summary shown before anything is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reqboard.store.board import Board
from reqboard.tui.app import ReqboardApp
from reqboard.tui.screens.form import FormScreen

from tui_support import QUIET, settle, wait_until


async def test_export_then_import_with_preview(tmp_path: Path) -> None:
    source = tmp_path / "source.json"
    board = Board(source, "tester")
    board.add_requirement("Export [b]me[/b]", customer="Müller GmbH", tier="A")
    board.add_requirement("导出报表", customer="华为")
    out = tmp_path / "out.csv"

    app = ReqboardApp(source, "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.loaded, "the board to load")
        app.screen.action_export()
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.pause()
        app.screen.query_one("#field-path").value = str(out)
        await pilot.click("#submit")
        await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen), "the form to close")
    text = out.read_text(encoding="utf-8-sig")
    assert "Export [b]me[/b]" in text and "导出报表" in text

    target = tmp_path / "target.json"
    Board(target, "tester").add_requirement("Already here")
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    app = ReqboardApp(target, "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.loaded, "the board to load")
        app.screen.action_import_file()
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.pause()
        app.screen.query_one("#field-path").value = str(out)
        # REQ-1 here is another requirement than the file's REQ-1: add that one under a new key.
        app.screen.query_one("#field-rekey").value = "rekey"
        await pilot.click("#submit")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and "Import out.csv?" in app.screen.form_title,
                         "the preview")
        intro = app.screen.intro
        assert "REQ-1 -> REQ-3 (re-keyed)" in intro and "REQ-2" in intro
        # The preview wrote nothing.
        assert hashlib.sha256(target.read_bytes()).hexdigest() == before
        await pilot.click("#submit")
        await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen), "the form to close")
        await settle(pilot)
    titles = {r.key: r.title for r in Board(target, "tester").requirements()}
    assert titles == {"REQ-1": "Already here", "REQ-2": "导出报表", "REQ-3": "Export [b]me[/b]"}


async def test_import_of_a_missing_file_says_so(tmp_path: Path) -> None:
    app = ReqboardApp(tmp_path / "b.json", "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.loaded, "the board to load")
        app.screen.action_import_file()
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.pause()
        app.screen.query_one("#field-path").value = str(tmp_path / "nope.csv")
        await pilot.click("#submit")
        await wait_until(pilot, lambda: "cannot read" in str(app.screen.query_one("#error-path").render()),
                         "the form to say it cannot read the file")
        assert isinstance(app.screen, FormScreen)
