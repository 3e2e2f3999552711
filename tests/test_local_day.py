"""The board's day is the local one: a card turns overdue at local midnight, not at UTC's."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

import pytest

from reqboard.store.board import Board
from reqboard.tui.config import Config
from reqboard.tui.widgets import card_list

from test_tui_sync import screen_text
from tui_support import board_ready, open_app

ONE_AM_IN_BEIJING = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
"""01:00 on 11 March in Beijing, still 10 March in UTC."""


class AtOneInBeijing(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # a fixed moment
        return ONE_AM_IN_BEIJING if tz is None else ONE_AM_IN_BEIJING.astimezone(tz)


@pytest.mark.parametrize(("zone", "late"), [("Asia/Shanghai", True), ("UTC", False)])
async def test_a_card_due_yesterday_locally_is_late(board_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    zone: str, late: bool) -> None:
    Board(board_path, "ann").add_requirement("Due on the 10th", customer="ACME", due=date(2026, 3, 10))
    monkeypatch.setattr(card_list, "datetime", AtOneInBeijing)
    app = open_app(board_path, config=Config(timezone=zone))
    async with app.run_test(size=(120, 30)) as pilot:
        await board_ready(pilot)
        assert ("LATE" in screen_text(app)) is late
