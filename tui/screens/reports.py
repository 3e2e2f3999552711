"""Reports: the board's flow and outcomes as charts, one key away from the board.

The metrics are computed by `store.metrics` in the store link's thread worker (the history can be long)
and arrive as a message; the screen only draws. Charts are Plotext plots (textual-plotext); their colours come from
the theme (`state-*` variables where the app defines them, the theme's standard colours otherwise).
Titles typed by users, shown in the priority matrix, are rendered literally.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.style import Style
from textual.widgets import Static
from textual_plotext import PlotextPlot

from reqboard.store.metrics import (
    NOT_ENOUGH_DATA,
    BoardMetrics,
    Quadrant,
    histogram,
)
from reqboard.store.models import BOARD_STATES, State
from reqboard.store.text import shown

from ..background import failure_message
from ..link import StoreLink
from ..messages import BoardChanged, ReadFailed
from ..reads import metrics
from ..widgets.key_bar import KeyBar

# Where the matrix puts each quadrant: urgency grows to the right, importance upwards.
_MATRIX_LAYOUT = (Quadrant.PLAN, Quadrant.DO_NOW, Quadrant.RECONSIDER, Quadrant.QUICK_WINS)
# Theme variables for each state's colour, then a standard theme colour to fall back on.
_STATE_COLOURS: dict[State, tuple[str, str]] = {
    State.COLLECTED: ("state-collected", "foreground-muted"),
    State.ANALYSED: ("state-analysed", "primary"),
    State.APPROVED: ("state-approved", "secondary"),
    State.IN_PROGRESS: ("state-in-progress", "warning"),
    State.DONE: ("state-done", "success"),
    State.FED_BACK: ("state-fed-back", "success-darken-3"),
}
_TIER_COLOURS = {"A": ("tier-a", "accent"), "B": ("tier-b", "primary"), "C": ("tier-c", "secondary")}
PlotColour = tuple[int, int, int] | int


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} d"


class ChartPanel(Vertical):
    """A titled box holding one chart, or a note when there is nothing to draw yet."""

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="panel")
        self.border_title = title

    def compose(self) -> ComposeResult:
        yield PlotextPlot()
        yield Static(NOT_ENOUGH_DATA, classes="note", markup=False)

    @property
    def plot(self) -> PlotextPlot:
        return self.query_one(PlotextPlot)

    def show(self, note: str | None) -> None:
        """Show the chart, or (with a note) say why there is none."""
        self.set_class(note is not None, "-empty")
        if note is not None:
            self.query_one(".note", Static).update(Content(note))
        else:
            self.plot.refresh()


class ReportsScreen(Screen[None]):
    """Charts of the board: cumulative flow, throughput, lead times, satisfaction, forecast, matrix."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back to the board", id="reports.close"),
        Binding("r", "refresh", "Recompute", id="reports.refresh"),
    ]

    @dataclass(eq=False)
    class Computed(Message, bubble=False):
        """The metrics are ready."""

        metrics: BoardMetrics

    def __init__(self, link: StoreLink, *, since: date | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.link = link
        self.since = since
        self.clock = clock
        self.metrics: BoardMetrics | None = None
        self._compute_again = False

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Reports · {shown(self.link.path.name, one_line=True)}"), id="reports-title")
        yield Static(Content("Computing…"), id="reports-headline")
        with VerticalScroll(id="reports-body"):
            with Grid(id="reports-grid"):
                yield ChartPanel("Cumulative flow (requirements per state, by day)", id="chart-cfd")
                yield ChartPanel("Throughput (delivered per week)", id="chart-throughput")
                yield ChartPanel("Lead time distribution (days, collected → done)", id="chart-lead-times")
                yield ChartPanel("Satisfaction by customer tier (mean of 1-5)", id="chart-satisfaction")
                yield ChartPanel("Intake per week and forecast", id="chart-forecast")
                with Vertical(id="matrix", classes="panel") as matrix:
                    matrix.border_title = "Priority matrix (open work; 4-5 is high)"
                    with Grid(id="matrix-grid"):
                        for quadrant in _MATRIX_LAYOUT:
                            quadrant_box = Static(Content(""), id=f"quadrant-{quadrant.value}",
                                                  classes="quadrant", markup=False)
                            quadrant_box.border_title = quadrant.label
                            quadrant_box.border_subtitle = quadrant.meaning
                            yield quadrant_box
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#reports-body").loading = True
        self.compute()

    # ------------------------------------------------------------------ computing
    def compute(self) -> None:
        """Read the board and compute its metrics off the UI thread (once more after the running one
        if it is still computing)."""
        if not self.link.read(self, metrics(self.since, self.clock), answer=self.Computed,
                              doing="Computing the reports"):
            self._compute_again = True

    def _answered(self) -> None:
        if self._compute_again:
            self._compute_again = False
            self.compute()

    def on_board_changed(self, message: BoardChanged) -> None:
        self.compute()

    def on_reports_screen_computed(self, message: Computed) -> None:
        self._answered()
        self.metrics = message.metrics
        self.query_one("#reports-body").loading = False
        try:
            self._draw(message.metrics)
        except Exception as exc:  # the charts are another library's code fed with the board's numbers
            self._failed(failure_message(exc, "Drawing the reports"))

    def on_read_failed(self, message: ReadFailed) -> None:
        """A history the models refuse, or a fault: said on the screen, not a crash."""
        self._answered()
        self._failed(failure_message(message.error, message.doing))

    def _failed(self, error: str) -> None:
        self.query_one("#reports-body").loading = False
        self.query_one("#reports-headline", Static).update(Content(f"Cannot read the board: {error}"))
        self.notify(error, title="Reports", severity="error", markup=False)

    def action_close(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self.query_one("#reports-body").loading = True
        self.compute()

    # ------------------------------------------------------------------ drawing
    def _theme_colour(self, names: Sequence[str]) -> Color:
        """The first theme variable of `names` that holds a colour (else the foreground)."""
        variables = self.app.theme_variables
        for name in names:
            value = variables.get(name)
            if not value:
                continue
            try:
                return Color.parse(value)
            except ColorParseError:
                continue
        return Color.parse(variables.get("foreground", "white"))

    def _colour(self, names: Sequence[str]) -> PlotColour:
        """A theme colour as Plotext takes it: an ANSI number in a 16-colour theme, else RGB."""
        colour = self._theme_colour(names)
        if colour.ansi is not None and colour.ansi >= 0:
            return colour.ansi
        return colour.rgb

    def _draw(self, m: BoardMetrics) -> None:
        self.query_one("#reports-headline", Static).update(self._headline(m))
        self._draw_cfd(m)
        self._draw_throughput(m)
        self._draw_lead_times(m)
        self._draw_satisfaction(m)
        self._draw_forecast(m)
        self._draw_matrix(m)

    def _headline(self, m: BoardMetrics) -> Content:
        sat, cr, fc = m.satisfaction, m.change_requests, m.forecast
        period = f"since {m.since.isoformat()}" if m.since else "all time"
        parts: list[str | tuple[str, str]] = [
            (f"{m.open_count}", "bold"), " open · lead time ", (_days(m.lead_time.median), "bold"),
            f" (85%: {_days(m.lead_time.p85)}) · cycle ", (_days(m.cycle_time.median), "bold"),
            f" (85%: {_days(m.cycle_time.p85)}) · response ", (_days(m.response_time.median), "bold"),
            " · throughput ",
            ("—" if m.throughput_mean is None else f"{m.throughput_mean:.1f}/wk", "bold"),
            " · satisfaction ", ("—" if sat.mean is None else f"{sat.mean:.2f}/5", "bold"), f" ({sat.count})",
            " · CRs ", (str(cr.total), "bold"), f" ({cr.approved} approved, +{cr.schedule_days:g} d)",
            " · intake forecast ",
            ("—" if fc.next_period is None else f"{fc.next_period:.1f}/wk", "bold"),
            f" · {period}, {m.now:%Y-%m-%d %H:%M} UTC",
        ]
        return Content.assemble(*parts)

    def _panel(self, panel_id: str) -> ChartPanel:
        return self.query_one(f"#{panel_id}", ChartPanel)

    def _draw_cfd(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-cfd")
        cfd = m.cumulative_flow
        if len(cfd.days) < 2:
            panel.show(f"{NOT_ENOUGH_DATA}: the flow needs two days of history")
            return
        plt = panel.plot.plt
        plt.clear_data()
        xs = list(range(len(cfd.days)))
        stacked = cfd.stacked()
        # Top band first: each later state is drawn over the one above it, so the bands stack.
        for state in BOARD_STATES:
            # Whole-cell blocks: a cell shows one colour, so finer markers would leave gaps between bands.
            plt.plot(xs, list(stacked[state]), fillx=True, marker="sd",
                     color=self._colour(_STATE_COLOURS[state]), label=state.label)
        ticks = _spread(len(xs), 5)
        plt.xticks([float(t) for t in ticks], [cfd.days[i].strftime("%d %b") for i in ticks])
        _integer_yticks(plt, max(stacked[BOARD_STATES[0]]))
        panel.show(None)

    def _draw_throughput(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-throughput")
        weeks = m.throughput[-12:]
        if not weeks or not any(w.count for w in weeks):
            panel.show(f"{NOT_ENOUGH_DATA}: nothing delivered yet")
            return
        plt = panel.plot.plt
        plt.clear_data()
        plt.bar([w.label[5:] + ("*" if not w.complete else "") for w in weeks], [w.count for w in weeks],
                color=self._colour(_STATE_COLOURS[State.DONE]), width=0.6)
        _integer_yticks(plt, max(w.count for w in weeks))
        panel.show(None)

    def _draw_lead_times(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-lead-times")
        bins = histogram(m.lead_time.days, bins=8)
        if not bins:
            panel.show(f"{NOT_ENOUGH_DATA}: no requirement has been done yet")
            return
        plt = panel.plot.plt
        plt.clear_data()
        plt.bar([b.label for b in bins], [b.count for b in bins], color=self._colour(("primary",)), width=0.7)
        _integer_yticks(plt, max(b.count for b in bins))
        plt.title(f"median {_days(m.lead_time.median)} · 85th percentile {_days(m.lead_time.p85)} "
                  f"· {m.lead_time.count} done")
        panel.show(None)

    def _draw_satisfaction(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-satisfaction")
        tiers = [(t, r) for t, r in m.satisfaction.by_tier.items() if r.mean is not None]
        if not tiers:
            panel.show(f"{NOT_ENOUGH_DATA}: no customer feedback recorded")
            return
        plt = panel.plot.plt
        plt.clear_data()
        # One call per tier at its own x, so that each tier keeps its colour.
        for x, (tier, rating) in enumerate(tiers, 1):
            plt.bar([x], [rating.mean], width=0.5, color=self._colour(_TIER_COLOURS.get(tier, ("secondary",))))
        plt.xticks(list(range(1, len(tiers) + 1)), [f"{t}: {r.mean:.2f} ({r.count})" for t, r in tiers])
        plt.xlim(0.5, len(tiers) + 0.5)
        plt.ylim(0, 5)
        plt.yticks([0, 1, 2, 3, 4, 5])
        plt.title(f"overall {m.satisfaction.mean:.2f} from {m.satisfaction.count} responses")
        panel.show(None)

    def _draw_forecast(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-forecast")
        es, ma = m.forecast, m.forecast_moving_average
        history = es.history[-16:]
        if len(history) < 2:
            panel.show(es.note or NOT_ENOUGH_DATA)
            return
        offset = len(es.history) - len(history)
        plt = panel.plot.plt
        plt.clear_data()
        xs = list(range(len(history) + 1))
        # No Plotext legend: on a short chart it would hide the first weeks. The panel's subtitle says it.
        lines = [("new", ("primary",), [float(w.count) for w in history] + [None])]
        for fc, colour, name in ((es, ("accent",), f"smoothing α{es.parameters['alpha']:g}"),
                                 (ma, ("secondary",), f"{ma.parameters['window']:g}-week mean")):
            value = "" if fc.next_period is None else f" → {fc.next_period:.1f}"
            lines.append((name + value, colour, list(fc.fitted[offset:]) + [fc.next_period]))
        legend: list[str | tuple[str, Style]] = []
        for name, colour, values in lines:
            points = [(x, y) for x, y in zip(xs, values, strict=True) if y is not None]
            if len(points) < 2:
                continue
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille", color=self._colour(colour))
            legend += [("━ ", Style(foreground=self._theme_colour(colour))), name, "  "]
        top = max(y for _, _, values in lines for y in values if y is not None)
        _integer_yticks(plt, math.ceil(top))
        ticks = _spread(len(xs), 5)
        labels = [w.label[5:] for w in history] + ["next"]
        plt.xticks([float(t) for t in ticks], [labels[i] for i in ticks])
        panel.border_subtitle = Content.assemble(*legend).rstrip()
        panel.show(None)

    def _draw_matrix(self, m: BoardMetrics) -> None:
        for quadrant in _MATRIX_LAYOUT:
            items = m.priority.quadrants[quadrant]
            box = self.query_one(f"#quadrant-{quadrant.value}", Static)
            box.border_title = f"{quadrant.label} · {len(items)}"
            lines = [Content.assemble((shown(item.key, one_line=True), "bold"), f" {shown(item.title, one_line=True)}")
                     for item in items[:8]]
            if len(items) > 8:
                lines.append(Content(f"… and {len(items) - 8} more"))
            box.update(Content("\n").join(lines) if lines else Content("none"))
        matrix = self.query_one("#matrix")
        unscored = len(m.priority.unscored)
        matrix.border_subtitle = f"{unscored} open not yet scored" if unscored else ""


def _spread(n: int, count: int) -> list[int]:
    """Up to `count` evenly spread indexes of n points, first and last included."""
    if n <= count:
        return list(range(n))
    return sorted({round(i * (n - 1) / (count - 1)) for i in range(count)})


def _integer_yticks(plt: Any, top: int) -> None:  # Any: Plotext has no types
    """Whole-number y ticks from 0 past `top`, a round step apart (1, 2, 5, 10, 20, 50, ...)."""
    step = 1
    while top / step > 5:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    ticks = list(range(0, top + step, step))
    plt.yticks(ticks)
    plt.ylim(0, ticks[-1])
