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


def _reqif_with_an_attribute_of_its_own(path: Path) -> Path:
    """A ReqIF file whose objects have a title and text reqboard reads, and a "Priority" it does not."""

    def value(ref: str, text: str) -> str:
        return (f'<ATTRIBUTE-VALUE-STRING THE-VALUE="{text}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>{ref}'
                f'</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>')

    def definition(ident: str, name: str) -> str:
        return (f'<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="{ident}" LAST-CHANGE="2026-03-01T10:00:00Z" '
                f'LONG-NAME="{name}"><TYPE><DATATYPE-DEFINITION-STRING-REF>_dt</DATATYPE-DEFINITION-STRING-REF>'
                f'</TYPE></ATTRIBUTE-DEFINITION-STRING>')

    objects = "".join(
        f'<SPEC-OBJECT IDENTIFIER="_o{n}" LAST-CHANGE="2026-03-01T10:00:00Z"><VALUES>{value("_name", title)}'
        f'{value("_pri", priority)}</VALUES><TYPE><SPEC-OBJECT-TYPE-REF>_t</SPEC-OBJECT-TYPE-REF></TYPE></SPEC-OBJECT>'
        for n, (title, priority) in enumerate([("Pay by card", "5"), ("Refund in 14 days", "3")], 1))
    path.write_text(f'''<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<THE-HEADER><REQ-IF-HEADER IDENTIFIER="_hdr"><REQ-IF-VERSION>1.0</REQ-IF-VERSION><TITLE>Checkout</TITLE>
</REQ-IF-HEADER></THE-HEADER><CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES><DATATYPE-DEFINITION-STRING IDENTIFIER="_dt" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="String"/>
</DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="_t" LAST-CHANGE="2026-03-01T10:00:00Z" LONG-NAME="Requirement">
<SPEC-ATTRIBUTES>{definition("_name", "ReqIF.Name")}{definition("_pri", "Priority")}</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE>
</SPEC-TYPES><SPEC-OBJECTS>{objects}</SPEC-OBJECTS></REQ-IF-CONTENT></CORE-CONTENT></REQ-IF>
''', encoding="utf-8")
    return path


async def test_the_import_preview_lists_unmapped_attributes_and_maps_them_before_importing(tmp_path: Path) -> None:
    from textual.widgets import TextArea

    source = _reqif_with_an_attribute_of_its_own(tmp_path / "checkout.reqif")
    target = tmp_path / "board.json"
    Board(target, "tester")
    app = ReqboardApp(target, "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.loaded, "the board to load")
        app.screen.action_import_file()
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.pause()
        app.screen.query_one("#field-path").value = str(source)
        await pilot.click("#submit")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and "checkout.reqif?" in app.screen.form_title,
                         "the preview")
        intro = app.screen.intro
        assert "1 attribute is read into no field" in intro
        assert "Priority: \u201c5\u201d (in 2 objects)" in intro
        # Mapped, the button previews again (what is imported is only ever what was previewed) ...
        app.screen.query_one("#field-mapping", TextArea).load_text("Priority=importance\n")
        first = app.screen
        await pilot.click("#submit")
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen is not first
                         and "checkout.reqif?" in app.screen.form_title, "the second preview")
        assert "read into no field" not in app.screen.intro
        assert Board(target, "tester").requirements() == []
        # ... and then imports with the mapping.
        await pilot.click("#submit")
        await wait_until(pilot, lambda: not isinstance(app.screen, FormScreen), "the form to close")
        await settle(pilot)
    imported = {r.title: r.importance for r in Board(target, "tester").requirements()}
    assert imported == {"Pay by card": 5, "Refund in 14 days": 3}


async def test_a_mapping_that_cannot_be_read_is_said_under_its_field(tmp_path: Path) -> None:
    from textual.widgets import TextArea

    source = _reqif_with_an_attribute_of_its_own(tmp_path / "checkout.reqif")
    app = ReqboardApp(tmp_path / "board.json", "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.screen.loaded, "the board to load")
        app.screen.action_import_file()
        await wait_until(pilot, lambda: isinstance(app.screen, FormScreen), "the form")
        await pilot.pause()
        app.screen.query_one("#field-path").value = str(source)
        app.screen.query_one("#field-mapping", TextArea).load_text("Priority=importancy")
        await pilot.click("#submit")
        await wait_until(pilot, lambda: "importancy" in str(app.screen.query_one("#error-mapping").render()),
                         "the form to say which field it does not know")
        assert "Import" == app.screen.form_title


async def test_the_detail_pane_shows_the_section(tmp_path: Path) -> None:
    from reqboard.tui.screens.detail import DetailScreen

    from tui_support import board_ready, select_card, text_of

    path = tmp_path / "board.json"
    board = Board(path, "tester")
    placed = board.add_requirement("Pay by card", section="3 Interfaces / 3.2 Payment [b]x[/b]")
    loose = board.add_requirement("Refunds")
    app = ReqboardApp(path, "tester", watch_interval=QUIET)
    async with app.run_test(size=(120, 40)) as pilot:
        await board_ready(pilot)
        for req, shown in ((placed, True), (loose, False)):
            await select_card(pilot, req.key)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, DetailScreen)
            fields = text_of(app.screen.query_one("#detail-fields"))
            assert ("Section" in fields) is shown
            if shown:  # shown as typed: the markup is text
                assert "3 Interfaces / 3.2 Payment [b]x[/b]" in fields
            await pilot.press("escape")
            await settle(pilot)
