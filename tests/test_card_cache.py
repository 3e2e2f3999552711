"""Card lines are cached across filters and reloads; a theme change must still redraw them."""

from __future__ import annotations

from pathlib import Path

from reqboard.store.board import Board
from reqboard.tui.app import ReqboardApp
from reqboard.tui.widgets.card_list import CardList


def _backgrounds(cards: CardList) -> set[str]:
    strip = cards.render_line(0)
    return {str(seg.style.bgcolor) for seg in strip if seg.style is not None and seg.style.bgcolor is not None}


async def test_a_theme_change_redraws_cached_cards_and_a_filter_keeps_them(tmp_path: Path) -> None:
    Board(tmp_path / "b.json", "tester").add_requirement("Cached card", customer="ACME")
    app = ReqboardApp(tmp_path / "b.json", "tester", watch_interval=3600)
    async with app.run_test(size=(160, 30)) as pilot:
        for _ in range(200):
            if app.screen.loaded:
                break
            await pilot.pause(0.02)
        await pilot.pause()
        cards = app.query_one("#cards-collected", CardList)
        dark = _backgrounds(cards)
        # A filter that keeps the card reuses its drawn lines: none is drawn again.
        before = [cards.render_line(y).text for y in range(cards.size.height)]
        drawn: list[int] = []
        real_card_line = cards._card_line

        def counted(*args: object) -> object:
            drawn.append(1)
            return real_card_line(*args)  # type: ignore[arg-type]  # passed through as the list called it

        cards._card_line = counted  # type: ignore[method-assign]  # counting the lines drawn, on this one widget
        from reqboard.store.query import parse_query
        app.screen.set_filter(parse_query("cached"))
        await pilot.pause()
        assert [cards.render_line(y).text for y in range(cards.size.height)] == before and drawn == []
        app.theme = "reqboard-light"
        await pilot.pause()
        light = _backgrounds(cards)
        assert dark and light and dark != light
        assert drawn  # the new theme drew the card again
