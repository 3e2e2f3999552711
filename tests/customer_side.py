"""What the store tests of the customer side (issue #16) share: a clock the test sets, requirements
taken through the flow, and how a refusal is asserted (by its rule id, or the field a form marks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, Refused
from reqboard.store.models import State

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANALYSIS = {"customer": "ACME", "importance": 4, "urgency": 3, "kano": "performance"}


class Clock:
    """The time the board reads: T0 until a test moves it."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


def analysed(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = board.add_requirement(title, **{**ANALYSIS, **fields}).key
    board.move_requirement(key, State.ANALYSED)
    return key


def in_progress(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = analysed(board, title, **fields)
    board.approve(key, "fine")
    board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"})
    return key


def done(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = in_progress(board, title, **fields)
    board.move_requirement(key, State.DONE)
    return key


def refused(rule: str, call: Callable[[], Any]) -> Refused:
    with pytest.raises(Refused) as info:
        call()
    assert info.value.rule == rule, str(info.value)
    assert info.value.exit_code == 1
    return info.value


def invalid(field: str, call: Callable[[], Any]) -> InvalidValue:
    """`call` is refused as invalid, naming `field` (what the form marks)."""
    with pytest.raises(InvalidValue) as info:
        call()
    assert field in info.value.errors, (str(info.value), info.value.errors)
    assert info.value.exit_code == 1
    return info.value


def events(board: Board, key: str | None, action: str) -> list[Any]:
    return [e for e in board.history(key) if e.action == action and (key is not None or e.key == "board")]
