"""Forms that forgive (#18, items 4-7 and 9): Enter goes to the next field and ctrl+s saves, the keys are
on screen, an edit appends to what is there, Esc asks before it drops a change, a message goes once its
field is fixed, a stale save is said at the top, a new requirement asks little until "More…", and the
done checklist reads ticked from unticked without colour."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input, Select, TextArea

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.form import DiscardChanges
from reqboard.tui.widgets.checklist import Checklist

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    board_ready,
    error,
    fill,
    form,
    open_app,
    select_card,
    settle,
    small,
    small_template,
    text_of,
)

FIRST_CAPTURE = ["title", "customer", "tier", "channel", "description"]


def shown_whole(app: App[object], widget: Widget) -> bool:
    """Is `widget` displayed and drawn whole on the screen (not scrolled away, not cut by the screen)?"""
    return bool(widget.display and widget.region.area and app.screen.region.contains_region(widget.region))


async def test_a_new_requirement_asks_five_fields_and_enter_goes_to_the_next(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(60, 20)) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        dialog = form(app)
        for size in ((60, 20), (80, 24), (120, 40)):  # the compact form fits whole, buttons and keys too
            await pilot.resize_terminal(*size)
            await pilot.pause()
            for part in [*(f"#field-{name}" for name in FIRST_CAPTURE), "#more", "#submit", "#dialog-keys"]:
                assert shown_whole(app, dialog.query_one(part)), f"{part} at {size}"
            assert dialog.query_one("#field-title").region.height == 1  # one line a one-line field
            assert not dialog.query_one("#field-importance").region.area  # kept for "More…"
        keys = " ".join(text_of(dialog.query_one("#dialog-keys")).split())
        assert all(said in keys for said in ("tab/⏎ Next field", "^s Save", "esc Cancel", "^o More fields")), keys

        await pilot.press(*"Audit log")
        await pilot.press("enter")  # the next field, not a save
        assert app.focused is dialog.query_one("#field-customer", Input)
        assert list(dialog.query(".field-row.-current")) == [app.focused.parent]  # its label marked, only its
        await pilot.press(*"Acme", "enter")
        assert app.focused is dialog.query_one("#field-tier", Select)
        assert app.screen is dialog and len(Board(small, "check").requirements()) == 9

        await pilot.press("ctrl+o")  # More…: the rest, from the first of them
        assert app.focused is dialog.query_one("#field-cause", Select)
        assert shown_whole(app, dialog.query_one("#field-cause"))
        assert "More fields" not in text_of(dialog.query_one("#dialog-keys"))
        fill(pilot, "#field-owner", "Priya Nair")
        await pilot.press("ctrl+s")  # from a choice list: saved
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = Board(small, "check").get("REQ-10")
        assert (req.title, req.customer, req.owner) == ("Audit log", "Acme", "Priya Nair")


async def test_an_edit_appends_and_esc_asks_before_dropping_a_change(small: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    title = "Export invoices as PDF"
    Board(small, "ana").edit_requirement("REQ-1", {"customer": "Acme \u202eevil"})
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("e")
        dialog = form(app)
        field = dialog.query_one("#field-title", Input)
        assert app.focused is field and field.selection.is_empty and field.cursor_position == len(title)
        customer = dialog.query_one("#field-customer", Input).value
        assert customer == "Acme <U+202E>evil"  # drawn safe, not reversing what follows it
        await pilot.press(*" (anna)")
        assert field.value == f"{title} (anna)"  # added to the title, not typed over it

        await pilot.press("escape")  # changed: asked
        assert isinstance(app.screen, DiscardChanges)
        keys = " ".join(text_of(app.screen.query_one("#confirm-keys")).split())
        assert "y/⏎ Discard" in keys and "n/esc Keep editing" in keys, keys
        await pilot.press("n")
        assert app.screen is dialog and field.value == f"{title} (anna)"
        await pilot.press("escape", "y")
        assert isinstance(app.screen, BoardScreen)
        assert Board(small, "check").get("REQ-1").title == title

        await pilot.press("e", "escape")  # unchanged: closed at once
        assert isinstance(app.screen, BoardScreen)

        release, edit = threading.Event(), Board.edit_requirement

        def slow_edit(board: Board, *args: Any, **kwargs: Any) -> Any:
            release.wait(10)
            return edit(board, *args, **kwargs)

        monkeypatch.setattr(Board, "edit_requirement", slow_edit)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press(*" v2", "ctrl+s", "escape")  # asked while the save is under way
        assert isinstance(app.screen, DiscardChanges)
        release.set()  # saved: the form closes, and the question with it
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = Board(small, "check").get("REQ-1")
        assert (req.title, req.customer) == (f"{title} v2", "Acme \u202eevil")  # the customer as it was


async def test_a_message_goes_once_its_field_is_fixed_and_a_stale_save_is_said_at_the_top(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await board_ready(pilot)
        await pilot.press("n", "ctrl+s")
        dialog = form(app)
        assert error(dialog, "title") == "Title is needed"
        await pilot.press("A")
        assert error(dialog, "title") == ""  # fixed: the message goes
        fill(pilot, "#field-due", "soon")  # a field kept for "More…", at the form's foot
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'soon' is not a date" in error(dialog, "due")
        message = dialog.query_one("#error-due")
        assert dialog.more_shown and dialog.query_one("#dialog-fields").region.contains_region(message.region)
        await pilot.press("escape", "y")

        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")  # asks for a sign-off's comment
        dialog = form(app)
        Board(small, "ana").edit_requirement("REQ-3", {"urgency": 2})  # meanwhile
        dialog.query_one("#field-comment", Input).focus()
        await pilot.press(*"ok", "enter")  # Enter in the last field saves
        await settle(pilot)
        said = dialog.query_one("#form-error")
        assert app.screen is dialog and "ana" in text_of(said)
        assert said.region.bottom <= dialog.query_one("#dialog-fields").region.y  # above the fields
        assert all(error(dialog, name) == "" for name in ("on_behalf_of", "comment"))


async def test_the_done_checklist_draws_ticked_and_unticked_apart(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        checklist = dialog.query_one("#field-criteria", Checklist)
        keys = " ".join(text_of(dialog.query_one("#dialog-keys")).split())
        assert "space Tick" in keys and "Next field" not in keys, keys  # one field: nothing to go on to
        assert text_of(dialog.query_one(".field-help")).startswith("space ticks the highlighted one")
        checklist.focus()
        await pilot.press("space")
        lines = [checklist.render_line(y).text for y in range(2)]
        assert lines[0].startswith("[x] scans work without network"), lines
        assert lines[1].startswith("[ ] scans sync within a minute"), lines
        assert Board(small, "check").get("REQ-5").state is State.IN_PROGRESS
        assert not dialog.query(TextArea)  # the move asks nothing else
