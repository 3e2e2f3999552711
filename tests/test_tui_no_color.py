"""NO_COLOR: what colour alone told apart on a card is told apart by style too.

Under NO_COLOR Textual turns every colour into a grey of its lightness; a red badge (LATE) on the grey
card panel came out grey on grey. The app marks itself `-no-color` and the badges that say time is up
(LATE, SLA) and the suspect flag are drawn reversed in the foreground colour.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reqboard.tui.widgets.card_list import CardList

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    open_app,
    small,
    small_template,
)

BADGES = ("card--badge-overdue", "card--badge-sla", "card--badge-suspect")


@pytest.mark.parametrize("no_color", [True, False])
async def test_badges_that_say_time_is_up_are_reversed_without_colour(small: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      no_color: bool) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        cards = app.query(CardList).first()
        assert app.has_class("-no-color") is no_color
        overdue = cards.get_component_rich_style("card--badge-overdue")
        if no_color:
            assert all(cards.get_component_rich_style(name).reverse for name in BADGES)
        else:  # in colour, LATE is its own colour and not reversed (SUS is reversed in both)
            assert not overdue.reverse and cards.get_component_rich_style("card--badge-suspect").reverse
