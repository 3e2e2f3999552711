"""The selection follows the card a key acted on, and keys are handled in order against the screen that
is current (#18 items 1, 2 and 8): keys that arrive in one packet, text typed for a dialog that did not
open, keys typed while a dialog opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.widgets import Input, Select

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.tui.screens import board as board_screen

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    fill,
    form,
    notifications,
    open_app,
    select_card,
    settle,
    small,
    small_template,
    submit,
)

KEYS = {">": "greater_than_sign", " ": "space"}


def packet(app: App[None], text: str) -> None:
    """Keys as a terminal delivers one packet of them (SSH, a paste): all queued before any is handled."""
    for character in text:
        app.post_message(events.Key(KEYS.get(character, character), character))


async def test_the_selection_follows_a_card_through_the_board(small: Path) -> None:
    """`>` then `>` walks one card on: after each move the moved card is selected in its new column, and
    a new requirement is selected once saved."""
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press(">")
        await settle(pilot)
        dialog = form(app)
        for name, value in (("importance", "4"), ("urgency", "2"), ("kano", "attractive")):
            dialog.query_one(f"#field-{name}", Select).value = value
        await submit(pilot)
        assert app.screen is board
        assert board.selected is not None and board.selected.key == "REQ-1"
        assert board.selected.state is State.ANALYSED
        assert "REQ-1 moved to analysed" in notifications(app)

        await pilot.press("n")
        fill(pilot, "#field-title", "Export to Excel")
        await submit(pilot)
        assert board.selected is not None and board.selected.key == "REQ-10", board.selected
        assert "REQ-10 created" in notifications(app)


async def test_keys_in_one_packet_act_on_the_screen_as_each_arrives(small: Path) -> None:
    """`l>` in one packet moves the card `l` selected (REQ-3, analysed), not the one before (REQ-1); a
    dialog's key followed by text in one packet puts the text in the dialog, none of it reaching the board."""
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        packet(app, "l>")
        await settle(pilot)
        assert "REQ-3" in form(app).form_title, form(app).form_title  # (its sign-off)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is board

        await select_card(pilot, "REQ-1")
        packet(app, "xnot for now")
        await settle(pilot)
        reject = form(app)
        assert reject.form_title == "Reject REQ-1"
        assert reject.query_one("#field-reason", Input).value == "not for now"
        assert len(app.screen_stack) == 2  # no New requirement, no archive over it


async def test_letters_typed_for_a_dialog_that_did_not_open_do_nothing(small: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A move that needs nothing is made at once and said; the name typed next, meant for a dialog, opens
    no archive (`a`), no new requirement (`n`) and does not quit (`q`), and is said to be ignored; the
    same after a refused key (`>` on a fed-back card). Navigation still works, and once the hush is over a
    letter is a board key again."""
    monkeypatch.setattr(board_screen, "HUSH_S", 30.0)  # the typing below is never slower than this
    seed = Board(small, "anna")
    plain = seed.add_requirement("Printable delivery notes", customer="Atlas Insurance")
    seed.move_requirement(plain.key, State.ANALYSED, updates={"importance": 2, "urgency": 2, "kano": "indifferent"})
    seed.approve(plain.key, "")
    seed.move_requirement(plain.key, State.IN_PROGRESS, updates={"owner": "Max Weber"})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        await select_card(pilot, plain.key)
        await pilot.press(">", *"anna q")
        await settle(pilot)
        assert app.screen is board and app.is_running
        assert board.selected is not None and (board.selected.key, board.selected.state) == (plain.key, State.DONE)
        said = notifications(app)
        assert f"{plain.key} moved to done" in said
        assert said.count("Typing ignored: no dialog is open") == 1

        await select_card(pilot, "REQ-7")
        await pilot.press(">", *"new", "j")
        await settle(pilot)
        assert app.screen is board and board.selected is not None and board.selected.state is State.FED_BACK
        assert "REQ-7 is fed back: there is no next state" in notifications(app)

        board._hush_until = 0.0  # (the pause a person makes before a command)
        await pilot.press("n")
        await settle(pilot)
        assert form(app).form_title == "New requirement"
