"""The Reports screen's hand-drawn charts read anywhere (issue 18, items 15 and 16): the cumulative flow is
a filled stack with its legend outside the plot and a glyph per state (told apart under NO_COLOR); at
80x24 no label is dropped; the priority matrix's quadrants scroll; a young board's lead times are binned
in whole hours."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Static

from reqboard.store.board import Board
from reqboard.store.metrics import compute_metrics, duration_histogram
from reqboard.store.models import BOARD_STATES
from reqboard.tui.screens.reports import ChartPanel, QuadrantList
from reqboard.tui.widgets.chart import BarRows, StackedArea

from test_reports_screen import NOW, Harness, build_weeks_board, computed


def test_durations_are_binned_in_whole_hours_or_whole_days() -> None:
    minutes = [m / (24 * 60) for m in (10, 50, 130, 400)]  # up to 6 h 40 min, in days
    young = duration_histogram(minutes, bins=6)
    assert young.unit == "hours"
    assert [(b.low, b.high, b.count) for b in young.bins] == [(0, 2, 2), (2, 4, 1), (4, 6, 0), (6, 8, 1)]
    old = duration_histogram([0.2, 3.5, 11.9], bins=6)
    assert old.unit == "days"
    assert [(b.low, b.high) for b in old.bins] == [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10), (10, 12)]
    assert all(float(b.low).is_integer() for b in duration_histogram([0.01, 2.0001], bins=8).bins)


async def test_at_80x24_under_no_color_every_label_and_band_reads(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    board = build_weeks_board(tmp_path / "board.json")
    expected = compute_metrics(board.requirements(), board.history(), now=NOW)
    app = Harness(board)

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await computed(pilot)
        assert app.no_color

        # Cumulative flow: the plot's cells hold band glyphs only; the legend is below it, each state with
        # the glyph its band is filled with, one glyph per state.
        cfd = screen.query_one("#chart-cfd", ChartPanel).chart
        assert isinstance(cfd, StackedArea)
        lines = cfd.render().plain.split("\n")
        x, y, width, height = cfd.plot_region
        glyphs = {band.name: band.glyph for band in cfd.bands}
        assert len(set(glyphs.values())) == len(BOARD_STATES) == len(glyphs)
        plot_cells = {char for line in lines[y:y + height] for char in line[x:x + width]}
        assert plot_cells <= set(glyphs.values()) | {" "}
        assert len(plot_cells - {" "}) >= 3  # the bands are filled, several of them seen
        legend = "\n".join(lines[y + height + 2:])
        for state in BOARD_STATES:
            assert f"{glyphs[state.label] * 2} {state.label}" in legend
            assert all(state.label not in line for line in lines[:y + height])

        # Lead times: every bin (whole days here), the median; satisfaction: every tier with its mean.
        lead = screen.query_one("#chart-lead-times", ChartPanel).chart
        assert isinstance(lead, BarRows)
        lead_text = lead.render().plain
        bins = duration_histogram(expected.lead_time.days, bins=6)
        assert bins.unit == "days" and len(bins.bins) >= 4
        for b in bins.bins:
            assert f"{b.low:g}-{b.high:g} d " in lead_text
        assert f"median {expected.lead_time.median:.1f} d" in lead_text
        assert lead.content_region.height >= lead_text.count("\n") + 1  # nothing below the panel's edge
        sat = screen.query_one("#chart-satisfaction", ChartPanel).chart
        assert isinstance(sat, BarRows)
        sat_text = sat.render().plain
        for tier, rating in expected.satisfaction.by_tier.items():
            if rating.mean is not None:
                assert f"tier {tier}" in sat_text and f"{rating.mean:.2f} ({rating.count})" in sat_text
        assert "tier B" in sat_text and "3.00 (1)" in sat_text
        assert all(len(line) <= sat.content_region.width for line in sat_text.split("\n"))
        # No panel's title is cut: each fits its top border.
        for panel in screen.query(".panel"):
            title = str(panel.border_title)
            assert cell_len(title) + 4 <= panel.size.width, title
        # The forecast's legend: below its plot, wrapped, not on the border where it was cut.
        forecast = screen.query_one("#chart-forecast", ChartPanel)
        legend_text = str(forecast.query_one(".legend", Static).render())
        assert "new" in legend_text and "smoothing α0.3" in legend_text and "4-week mean" in legend_text
        assert forecast.query_one(".legend").size.height >= 1 and not forecast.border_subtitle


def build_young_board(path: Path) -> Board:
    """Ten hours of work: 14 requirements of high importance and urgency (Do now), created 10 hours ago;
    three done 1, 3 and 7 hours after."""
    clock = {"at": NOW - timedelta(hours=10)}
    board = Board(path, "tester", clock=lambda: clock["at"])
    for n in range(1, 15):
        clock["at"] = NOW - timedelta(hours=10)
        key = board.add_requirement(f"Urgent thing {n}", customer="Acme", tier="A", channel="email").key
        board.move_requirement(key, "analysed", updates={"importance": 5, "urgency": 5, "kano": "performance"})
        if n <= 3:
            board.approve(key)
            board.move_requirement(key, "in_progress", updates={"owner": "bob"})
            clock["at"] += timedelta(hours=(1, 3, 7)[n - 1])
            board.move_requirement(key, "done")
    return board


async def test_a_young_board_bins_in_hours_and_a_quadrant_scrolls_to_all_its_work(tmp_path: Path) -> None:
    app = Harness(build_young_board(tmp_path / "board.json"))

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await computed(pilot)

        lead = screen.query_one("#chart-lead-times", ChartPanel).chart
        assert isinstance(lead, BarRows)
        text = lead.render().plain
        assert "0-2 h " in text and "6-8 h " in text and "median 3.0 h" in text
        assert "0.0" not in text.replace("3.0 h", "")  # no fractional edges

        quadrant = screen.query_one("#quadrant-do_now", QuadrantList)
        items = str(quadrant.query_one(".items", Static).render()).split("\n")
        assert sorted(line.split()[0] for line in items) == sorted(f"REQ-{n}" for n in range(4, 15))  # 11 open
        last = items[-1]

        def visible() -> list[str]:
            top = round(quadrant.scroll_y)
            return items[top:top + quadrant.scrollable_content_region.height]

        assert 0 < len(visible()) < 11 and last not in visible()
        await pilot.press("m")  # the key bar's Priority matrix: the first quadrant has the focus
        assert quadrant.has_focus
        for _step in range(10):
            await pilot.press("down")
        await pilot.pause()
        assert visible()[-1] == last
        assert "↑↓" in str(screen.query_one("KeyBar", Static).render())  # its keys are shown
        await pilot.press("tab")
        assert app.focused is screen.query_one("#quadrant-reconsider")  # the next quadrant in reading order
