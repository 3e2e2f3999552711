"""Two people editing one card: the edit form merges a save made meanwhile by someone else (on other
fields: silently, and says so; on the same field: side by side, the typed value kept, the person
chooses), Reload keeps what was typed, undo goes back to the version the merged save replaced. The
command line keeps its strict --expect-version (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, Input, Select, TextArea

from reqboard.store.board import Board
from reqboard.store.models import Requirement
from reqboard.tui.actions import EditSession
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.widgets.field_clash import FieldClashPanel

from cli_support import CliRunner
from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    fill,
    form,
    notifications,
    open_app,
    settle,
    small,
    small_template,
    submit,
    text_of,
)

OPENED_TITLE = "Export invoices as PDF"
"""REQ-1's title on the small board, which the form opens (the first card is selected)."""


def saved(path: Path, key: str = "REQ-1") -> Requirement:
    return Board(path, "check").get(key)


def panel_text(panel: FieldClashPanel) -> dict[str, str]:
    return {part: text_of(panel.query_one(f".clash-{part}")) for part in ("base", "theirs", "yours")}


async def test_a_save_after_someone_changed_other_fields_merges_and_says_so(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        dialog = form(app)
        fill(pilot, "#field-title", "Invoices as PDF, one per order")
        ana = Board(small, "ana").edit_requirement("REQ-1", {"owner": "Ana Lima", "urgency": 2})
        await submit(pilot)

        assert isinstance(app.screen, BoardScreen), "the merged edit is saved and the form closes"
        req = saved(small)
        assert (req.title, req.owner, req.urgency) == ("Invoices as PDF, one per order", "Ana Lima", 2)
        assert (req.version, req.updated_by) == (ana.version + 1, "tester")
        assert ("REQ-1 was changed by ana meanwhile (urgency, owner); your changes to title were merged"
                in notifications(app))
        assert not dialog.is_attached

        # Undo goes back to the version the merged save replaced: ana's, with her changes.
        await pilot.press("u")
        await settle(pilot)
        req = saved(small)
        assert (req.title, req.owner, req.urgency) == (OPENED_TITLE, "Ana Lima", 2)


async def test_a_save_that_meets_yet_another_save_merges_again(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read = EditSession.read
    reads: list[int] = []

    def read_then_bob_saves(session: EditSession, board: Board) -> Requirement:
        current = read(session, board)
        reads.append(current.version)
        if len(reads) == 1:  # between the catch-up's read and its save: the save meets a newer version again
            Board(small, "bob").edit_requirement("REQ-1", {"category": "billing"})
        return current

    monkeypatch.setattr(EditSession, "read", read_then_bob_saves)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        fill(pilot, "#field-customer", "Northwind Freight")
        Board(small, "ana").edit_requirement("REQ-1", {"owner": "Ana Lima"})
        await submit(pilot)

        assert isinstance(app.screen, BoardScreen)
        assert reads == [2, 3]
        req = saved(small)
        assert (req.customer, req.owner, req.category, req.version) == ("Northwind Freight", "Ana Lima", "billing", 4)
        assert ("REQ-1 was changed by ana and bob meanwhile (category, owner); your changes to customer were merged"
                in notifications(app))


async def test_a_field_both_changed_is_shown_side_by_side_and_mine_can_be_kept(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        dialog = form(app)
        fill(pilot, "#field-title", "Invoices as PDF (my words)")
        fill(pilot, "#field-owner", "Tess")
        Board(small, "ana").edit_requirement("REQ-1", {"title": "Invoices as PDF (ana's words)", "urgency": 1})
        await submit(pilot)

        assert form(app) is dialog, "a field both changed keeps the form open"
        assert dialog.query_one("#field-title", Input).value == "Invoices as PDF (my words)"
        assert dialog.query_one("#field-owner", Input).value == "Tess"
        assert dialog.query_one("#field-urgency", Select).value == 1, "ana's other change is in the form"
        assert panel_text(dialog.query_one("#clash-title", FieldClashPanel)) == {
            "base": OPENED_TITLE, "theirs": "Invoices as PDF (ana's words)", "yours": "Invoices as PDF (my words)"}
        assert [p.id for p in dialog.query(FieldClashPanel)] == ["clash-title"]
        assert text_of(dialog.query_one("#clash-title .clash-note")) == "Also changed meanwhile, by ana"
        assert "REQ-1 was changed by ana meanwhile (title, urgency)" in text_of(dialog.query_one("#form-error"))
        assert saved(small).title == "Invoices as PDF (ana's words)", "nothing of mine was written yet"

        await submit(pilot)  # not before choosing
        assert form(app) is dialog and saved(small).version == 2
        assert "keep yours or take theirs" in text_of(dialog.query_one("#error-title"))

        await pilot.click("#keep-title")
        await pilot.pause()
        assert not dialog.query(FieldClashPanel)
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = saved(small)
        assert (req.title, req.owner, req.urgency, req.version) == ("Invoices as PDF (my words)", "Tess", 1, 3)
        await pilot.press("u")
        await settle(pilot)
        assert saved(small).title == "Invoices as PDF (ana's words)"


async def test_a_field_both_changed_can_take_theirs_and_the_rest_of_mine_is_saved(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        dialog = form(app)
        dialog.query_one("#field-description", TextArea).text = "My description"
        fill(pilot, "#field-owner", "Tess")
        Board(small, "ana").edit_requirement("REQ-1", {"description": "Ana's description"})
        await submit(pilot)

        assert form(app) is dialog
        assert dialog.query_one("#field-description", TextArea).text == "My description"
        await pilot.click("#take-description")
        await pilot.pause()
        assert dialog.query_one("#field-description", TextArea).text == "Ana's description"
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = saved(small)
        assert (req.description, req.owner, req.updated_by) == ("Ana's description", "Tess", "tester")


async def test_reload_rebases_on_the_saved_version_and_keeps_what_was_typed(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        dialog = form(app)
        assert dialog.query_one("#reload", Button).display is False
        fill(pilot, "#field-title", "Invoices as PDF (my words)")
        fill(pilot, "#field-category", "billing")
        Board(small, "ana").edit_requirement("REQ-1", {"title": "Invoices as PDF (ana's words)"})
        await submit(pilot)
        assert dialog.query_one("#reload", Button).display is True

        # While the clash is on screen, bob saves the title again and the owner: Reload takes both in.
        Board(small, "bob").edit_requirement("REQ-1", {"title": "Invoices as PDF (bob's words)", "owner": "Bob"})
        await pilot.click("#reload")
        await settle(pilot)
        assert form(app) is dialog
        assert dialog.query_one("#field-title", Input).value == "Invoices as PDF (my words)"
        assert dialog.query_one("#field-category", Input).value == "billing"
        assert dialog.query_one("#field-owner", Input).value == "Bob"
        assert panel_text(dialog.query_one("#clash-title", FieldClashPanel)) == {
            "base": OPENED_TITLE, "theirs": "Invoices as PDF (bob's words)", "yours": "Invoices as PDF (my words)"}
        assert saved(small).version == 3

        await pilot.click("#keep-title")
        await submit(pilot)
        req = saved(small)
        assert (req.title, req.owner, req.category, req.version) == ("Invoices as PDF (my words)", "Bob", "billing", 4)


async def test_reload_with_nothing_clashing_keeps_the_typed_changes(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")
        dialog = form(app)
        fill(pilot, "#field-title", "Invoices as PDF (my words)")
        Board(small, "ana").edit_requirement("REQ-1", {"title": "Invoices as PDF (ana's words)"})
        await submit(pilot)
        await pilot.click("#take-title")
        fill(pilot, "#field-owner", "Tess")
        Board(small, "ana").edit_requirement("REQ-1", {"urgency": 5})
        await pilot.click("#reload")
        await settle(pilot)
        assert dialog.query_one("#field-owner", Input).value == "Tess"
        assert dialog.query_one("#field-urgency", Select).value == 5
        assert not dialog.query(FieldClashPanel)
        assert "REQ-1 was changed by ana meanwhile (title, urgency); your changes are kept" in notifications(app)
        assert saved(small).owner == ""


def test_the_command_line_never_merges_a_stale_edit(cli: CliRunner) -> None:
    """Unlike the board's form, --expect-version stays strict even when the fields differ (scripts rely
    on exit 3); test_cli covers the same field."""
    cli("add", "Export")
    cli("edit", "REQ-1", "--owner", "bob", "--user", "bob", "--expect-version", "1")
    err = cli.fails(3, "edit", "REQ-1", "--title", "Export as PDF", "--expect-version", "1")
    assert err.startswith("error: REQ-1 changed since version 1: bob saved version 2")
    assert cli.json("show", "1")["title"] == "Export"
