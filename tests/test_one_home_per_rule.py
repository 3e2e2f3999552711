"""One home per rule: what a move needs is declared once, by the guard in store/workflow.py.

Each test adds an input to a guard's declaration, in that one place only, and finds it everywhere a
person or a script meets the move: as an option of `reqboard move` whose value reaches the rule's
`apply` and the store, and as a field of the TUI's move prompt. A command line or a prompt with its own
copy of the rule would not know the new input, and fails here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from reqboard.cli.main import main
from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.models import Requirement, State
from reqboard.tui.screens.board import BoardScreen

from cli_support import CliRunner
from tui_support import (  # noqa: F401 (small and small_template are fixtures)
    SIZE,
    board_ready,
    form,
    open_app,
    select_card,
    settle,
    small,
    small_template,
    text_of,
)

DUE = workflow.GuardInput("due", "text", "Due date (YYYY-MM-DD)", required=False)


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Moving to in progress also asks for a due date: one more input in the guard's declaration, and
    nothing else changed. Returns the values the guard's `apply` receives, one dict a move."""
    seen: list[dict[str, Any]] = []
    guard = workflow.GUARDS[State.IN_PROGRESS]

    def apply(req: Requirement, values: Mapping[str, Any], user: str, now: datetime) -> dict[str, Any]:
        seen.append(dict(values))
        return guard.apply(req, values, user, now)

    monkeypatch.setitem(workflow.GUARDS, State.IN_PROGRESS, replace(guard, inputs=(*guard.inputs, DUE), apply=apply))
    return seen


def test_a_new_guard_input_is_an_option_of_reqboard_move(applied: list[dict[str, Any]], cli: CliRunner,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["move", "--help"])
    assert "--due TEXT" in capsys.readouterr().out
    key = cli("add", "Export", "--customer", "ACME", "--importance", "4", "--urgency", "3", "--kano", "must-be").strip()
    cli("move", key, "analysed")
    cli("approve", key)
    assert cli("move", key, "in_progress", "--owner", "bob", "--due", "2027-01-31") == f"{key} is now in_progress\n"
    assert applied == [{"owner": "bob", "due": "2027-01-31"}]
    shown = cli.json("show", key)
    assert (shown["state"], shown["owner"], shown["due"]) == ("in_progress", "bob", "2027-01-31")
    assert "--due is for a move to in_progress, not to done" in cli.fails(2, "move", key, "done", "--due", "2027-02-01")


async def test_a_new_guard_input_is_a_field_of_the_move_prompt(applied: list[dict[str, Any]], small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")  # approved, no owner yet
        await pilot.press("greater_than_sign")
        dialog = form(app)
        shown = [text_of(widget) for widget in dialog.query(Static)]
        assert any("Due date (YYYY-MM-DD)" in text for text in shown), shown
        dialog.query_one("#field-owner", Input).value = "Priya Nair"
        dialog.query_one("#field-due", Input).value = "2027-01-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
    assert [values.get("due") for values in applied] == ["2027-01-31"]
    req = Board(small, "check").get("REQ-4")
    assert (req.state, req.owner, req.due) == (State.IN_PROGRESS, "Priya Nair", date(2027, 1, 31))
