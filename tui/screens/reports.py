"""Reports: the board's flow and outcomes as charts, one key away from the board; below them the
customer side: satisfaction by month, dimension and customer, the reasons for low scores, response
targets met and missed, and what is overdue or due within a week.

The metrics are computed by `store.metrics` in the store link's thread worker (the history can be long)
and arrive as a message; the screen only draws. The cumulative flow, the lead times and satisfaction by
tier are drawn cell by cell (`widgets.chart`: every band with its own glyph, the legend outside the plot,
no label dropped at 80x24); the time series are Plotext plots (textual-plotext). Colours come from the
theme (`state-*` variables where the app defines them, the theme's standard colours otherwise). Titles
typed by users, shown in the priority matrix, are rendered literally; its quadrants scroll.

Plotext lays text out a character a cell, so a Plotext chart's own text (titles, ticks) is given to it
only when each character is one cell wide; wider text (Chinese) goes to the panel's border, which
Textual lays out by display cells. The customer side's breakdowns are text panels (bars of block
characters, columns padded by display cells): they read the same in Chinese, without colour and in 16
colours, and every name and title in them is literal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Static
from textual_plotext import PlotextPlot

from reqboard.store import clock
from reqboard.store.i18n import N_, _, listed, ngettext, pgettext
from reqboard.store.metrics import (
    DUE_SOON_DAYS,
    NOT_ENOUGH_DATA,
    BoardMetrics,
    DueItem,
    Quadrant,
    Rating,
    TargetCount,
    duration_histogram,
)
from reqboard.store.models import BOARD_STATES, Channel, State
from reqboard.store.surveys import LOW_SCORE, code_label
from reqboard.store.text import fit, pad, shown

from ..background import failure_message
from ..customer_reads import board_metrics
from ..link import StoreLink
from ..messages import BoardChanged, ReadFailed
from ..phrases import phrase
from ..widgets.chart import AREA_GLYPHS, Band, BarRow, BarRows, StackedArea
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
# Each state's fill in the cumulative flow, bottom band (fed back) first: the bands differ without colour.
_STATE_GLYPHS: dict[State, str] = dict(zip(reversed(BOARD_STATES), AREA_GLYPHS, strict=False))
_TIER_COLOURS = {"A": ("tier-a", "accent"), "B": ("tier-b", "primary"), "C": ("tier-c", "secondary")}
PlotColour = tuple[int, int, int] | int
LIST_ROWS = 8
"""How many lines a text panel lists before "… and N more" (its height holds them at 80x24)."""
NARROW = 114
"""Below this width the panels stand one under the other: two a row would cut the longest titles (50
cells) and crowd the charts' labels."""
BAR_CELLS = 10
"""A rating bar's cells: a half point a cell, 5 fills it."""
LABEL_CELLS = 20
"""The widest a name gets before a bar or a count (cut with "…")."""
MATRIX_ROWS = 200
"""The most requirements a quadrant lists (it scrolls) before "… and N more"."""
LEAD_TIME_BINS = 6
"""Lead-time bins asked for (at most one more is drawn): with the caption they fit a panel at 80x24."""


def _days(value: float | None) -> str:
    return "—" if value is None else _("{days} d").format(days=f"{value:.1f}")


def _per_week(value: float | None) -> str:
    return "—" if value is None else _("{count}/wk").format(count=f"{value:.1f}")


def plotext_safe(text: str) -> bool:
    """Can Plotext lay `text` out (one cell a character)? Not Chinese, whose characters are two wide."""
    return cell_len(text) == len(text)


class ChartPanel(Vertical):
    """A titled box holding one chart (a Plotext plot unless another is given), or a note when there is
    nothing to draw yet."""

    def __init__(self, title: str, *, id: str, chart: Widget | None = None) -> None:
        super().__init__(id=id, classes="panel")
        self.border_title = title
        self.chart = chart if chart is not None else PlotextPlot()
        self.chart.add_class("chart")

    def compose(self) -> ComposeResult:
        yield self.chart
        yield Static(Content(""), classes="legend", markup=False)
        yield Static(_(NOT_ENOUGH_DATA), classes="note", markup=False)

    def legend(self, entries: Sequence[Content]) -> None:
        """A legend below the chart, its entries wrapped to the width (never cut, never on the plot)."""
        legend = self.query_one(".legend", Static)
        legend.update(Content("   ").join(entries))
        legend.display = bool(entries)

    @property
    def plot(self) -> PlotextPlot:
        return self.query_one(PlotextPlot)

    def caption(self, text: str) -> None:
        """The chart's title: Plotext's, or the panel's lower border where Plotext cannot lay it out."""
        if plotext_safe(text):
            self.plot.plt.title(text)
            self.border_subtitle = ""
        else:
            self.plot.plt.title("")
            self.border_subtitle = text

    def show(self, note: str | None) -> None:
        """Show the chart, or (with a note) say why there is none."""
        self.set_class(note is not None, "-empty")
        if note is not None:
            self.query_one(".note", Static).update(Content(note))
            self.query_one(".legend", Static).display = False
        else:
            self.chart.refresh()


class TextPanel(Vertical):
    """A titled box of lines (a breakdown, a list), or a note when there is nothing to list."""

    def __init__(self, title: str, *, id: str) -> None:
        super().__init__(id=id, classes="panel text-panel")
        self.border_title = title

    def compose(self) -> ComposeResult:
        yield Static(Content(""), classes="lines", markup=False)

    def show(self, lines: Sequence[Content], note: str = "") -> None:
        """Show `lines`, or (none) the note saying why there are none."""
        self.set_class(not lines, "-empty")
        shown_lines = list(lines) if lines else [Content.styled(note or _(NOT_ENOUGH_DATA), "italic")]
        self.query_one(".lines", Static).update(Content("\n").join(shown_lines))


class QuadrantList(VerticalScroll):
    """One quadrant of the priority matrix: every requirement in it (up to MATRIX_ROWS), scrolling once
    focused (tab, or m for the first). Its importance is said on its lower border, its urgency above its
    column."""

    BINDINGS = [
        Binding("down", "scroll_down", N_("Scroll the quadrant"), key_display="↑↓", id="reports.quadrant-scroll"),
        Binding("tab", "app.focus_next", N_("Next quadrant"), id="reports.quadrant-next"),
    ]

    def __init__(self, quadrant: Quadrant) -> None:
        super().__init__(id=f"quadrant-{quadrant.value}", classes="quadrant")
        self.quadrant = quadrant
        self.border_title = quadrant.label
        high = quadrant in (Quadrant.DO_NOW, Quadrant.PLAN)
        self.border_subtitle = _("high importance") if high else _("low importance")

    def compose(self) -> ComposeResult:
        yield Static(Content(""), classes="items", markup=False)

    def show(self, lines: Sequence[Content]) -> None:
        self.query_one(".items", Static).update(Content("\n").join(lines) if lines else Content(_("none")))


class ReportsScreen(Screen[None]):
    """Charts of the board: cumulative flow, throughput, lead times, satisfaction, forecast, matrix; then
    the customer side: satisfaction by month, dimension and customer, reasons for low scores, response
    targets, overdue and due soon."""

    CSS_PATH = "reports.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Back to the board"), id="reports.close"),
        Binding("r", "refresh", N_("Recompute"), id="reports.refresh"),
        Binding("c", "customer_side", N_("Customer side"), id="reports.customer-side"),
        Binding("m", "matrix", N_("Priority matrix"), id="reports.matrix"),
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
        yield Static(Content(_("Reports · {board}").format(board=shown(self.link.path.name, one_line=True))),
                     id="reports-title")
        yield Static(Content(_("Computing…")), id="reports-headline")
        with VerticalScroll(id="reports-body"):
            with Grid(id="reports-grid"):
                yield ChartPanel(_("Cumulative flow (requirements per state, by day)"), id="chart-cfd",
                                 chart=StackedArea())
                yield ChartPanel(_("Throughput (delivered per week)"), id="chart-throughput")
                yield ChartPanel(_("Lead time distribution (collected → done)"), id="chart-lead-times",
                                 chart=BarRows())
                yield ChartPanel(_("Satisfaction by customer tier (mean of 1-5)"), id="chart-satisfaction",
                                 chart=BarRows())
                yield ChartPanel(_("Intake per week and forecast"), id="chart-forecast")
                with Vertical(id="matrix", classes="panel") as matrix:
                    matrix.border_title = _("Priority matrix (open work; 4-5 is high)")
                    with Grid(id="matrix-grid"):
                        yield Static(Content(_("low urgency")), classes="matrix-axis", markup=False)
                        yield Static(Content(_("high urgency")), classes="matrix-axis", markup=False)
                        for quadrant in _MATRIX_LAYOUT:
                            yield QuadrantList(quadrant)
            yield Static(Content(_("Customer side: satisfaction, response targets, due dates")),
                         id="reports-customer-heading")
            with Grid(id="reports-customer-grid"):
                yield ChartPanel(_("Satisfaction by month (mean of 1-5, every reading)"), id="chart-satisfaction-month")
                yield TextPanel(_("Satisfaction by survey dimension"), id="panel-dimensions")
                yield TextPanel(_("Satisfaction by customer (lowest first)"), id="panel-customers")
                yield TextPanel(_("Reasons for low scores (2 or less)"), id="panel-low-reasons")
                yield TextPanel(_("Response targets by channel and tier"), id="panel-targets")
                yield TextPanel(_("Response targets breached (most overdue first)"), id="panel-breaches")
                yield TextPanel(_("Overdue"), id="panel-overdue")
                yield TextPanel(_("Due within {days} days").format(days=DUE_SOON_DAYS), id="panel-due-soon")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#reports-body").loading = True
        self.on_resize()
        self.compute()

    def on_resize(self) -> None:
        self.set_class(0 < self.size.width < NARROW, "-narrow")

    # ------------------------------------------------------------------ computing
    def compute(self) -> None:
        """Read the board and compute its metrics off the UI thread (once more after the running one
        if it is still computing)."""
        if not self.link.read(self, board_metrics(self.since, self.clock), answer=self.Computed,
                              doing=N_("Computing the reports")):
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
            self._failed(failure_message(exc, N_("Drawing the reports")))

    def on_read_failed(self, message: ReadFailed) -> None:
        """A history the models refuse, or a fault: said on the screen, not a crash."""
        self._answered()
        self._failed(failure_message(message.error, message.doing))

    def _failed(self, error: str) -> None:
        self.query_one("#reports-body").loading = False
        self.query_one("#reports-headline", Static).update(Content(_("Cannot read the board: {error}").format(error=error)))
        self.notify(error, title=_("Reports"), severity="error", markup=False)

    def action_close(self) -> None:
        self.dismiss()

    def action_refresh(self) -> None:
        self.query_one("#reports-body").loading = True
        self.compute()

    def action_matrix(self) -> None:
        """Focus the priority matrix's first quadrant (Do now), where up and down scroll it."""
        quadrant = self.query_one(f"#quadrant-{Quadrant.DO_NOW.value}", QuadrantList)
        quadrant.focus()
        self.query_one("#reports-body", VerticalScroll).scroll_to_widget(self.query_one("#matrix"), animate=False)

    def action_customer_side(self) -> None:
        """Scroll to the customer side (below the flow charts, which fill the screen and more at 80x24)."""
        self.query_one("#reports-body", VerticalScroll).scroll_to_widget(
            self.query_one("#reports-customer-heading"), animate=False, top=True)

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
        self._draw_satisfaction_by_month(m)
        self._draw_dimensions(m)
        self._draw_customers(m)
        self._draw_low_reasons(m)
        self._draw_targets(m)
        self._draw_breaches(m)
        self._draw_due(m)

    def _headline(self, m: BoardMetrics) -> Content:
        sat, cr, fc = m.satisfaction, m.change_requests, m.forecast
        bold = "bold"
        period = _("since {day}").format(day=m.since.isoformat()) if m.since else _("all time")
        figures = [
            phrase(_("{count} open"), count=(f"{m.open_count}", bold)),
            phrase(_("lead time {median} (85%: {p85})"), median=(_days(m.lead_time.median), bold),
                   p85=_days(m.lead_time.p85)),
            phrase(_("cycle {median} (85%: {p85})"), median=(_days(m.cycle_time.median), bold),
                   p85=_days(m.cycle_time.p85)),
            phrase(_("response {median}"), median=(_days(m.response_time.median), bold)),
            phrase(_("throughput {rate}"), rate=(_per_week(m.throughput_mean), bold)),
            phrase(_("satisfaction {mean} ({count})"),
                   mean=("—" if sat.mean is None else f"{sat.mean:.2f}/5", bold), count=f"{sat.count}"),
            phrase(_("CRs {count} ({approved} approved, +{days})"), count=(f"{cr.total}", bold),
                   approved=f"{cr.approved}", days=_("{days} d").format(days=f"{cr.schedule_days:g}")),
            phrase(_("intake forecast {rate}"), rate=(_per_week(fc.next_period), bold)),
            # The time the figures are of stands alone: with its zone.
            Content(_("{period}, {time}").format(period=period, time=clock.shown(m.now, zone_abbreviation=True))),
        ]
        return Content(" · ").join(figures)

    def _panel(self, panel_id: str) -> ChartPanel:
        return self.query_one(f"#{panel_id}", ChartPanel)

    def _text_panel(self, panel_id: str) -> TextPanel:
        return self.query_one(f"#{panel_id}", TextPanel)

    def _draw_cfd(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-cfd")
        cfd = m.cumulative_flow
        if len(cfd.days) < 2:
            panel.show(_("not enough data yet: the flow needs two days of history"))
            return
        stacked = cfd.stacked()
        bands = [Band(state.label, _STATE_GLYPHS[state], Style(foreground=self._theme_colour(_STATE_COLOURS[state])),
                      stacked[state]) for state in reversed(BOARD_STATES)]
        # i18n: a strftime pattern: the day under a tick of the cumulative flow chart ("18 Mar")
        day_pattern = _("%d %b")
        chart = panel.chart
        assert isinstance(chart, StackedArea)
        chart.set_data(bands, [day.strftime(day_pattern) for day in cfd.days])
        panel.show(None)

    def _draw_throughput(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-throughput")
        weeks = m.throughput[-12:]
        if not weeks or not any(w.count for w in weeks):
            panel.show(_("not enough data yet: nothing delivered yet"))
            return
        plt = panel.plot.plt
        plt.clear_data()
        plt.bar([w.label[5:] + ("*" if not w.complete else "") for w in weeks], [w.count for w in weeks],
                color=self._colour(_STATE_COLOURS[State.DONE]), width=0.6)
        _integer_yticks(plt, max(w.count for w in weeks))
        panel.show(None)

    def _draw_lead_times(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-lead-times")
        binned = duration_histogram(m.lead_time.days, bins=LEAD_TIME_BINS)
        if not binned.bins:
            panel.show(_("not enough data yet: no requirement has been done yet"))
            return
        hours = binned.unit == "hours"
        style = Style(foreground=self._theme_colour(("primary",)))
        rows = [BarRow(label, b.count, str(b.count), style) for label, b in zip(binned.labels(), binned.bins, strict=True)]
        def duration(days: float | None) -> str:
            if days is None or not hours:
                return _days(days)
            return _("{hours} h").format(hours=f"{days * 24:.1f}")
        caption = _("median {median} · 85th percentile {p85} · {count} done").format(
            median=duration(m.lead_time.median), p85=duration(m.lead_time.p85), count=m.lead_time.count)
        chart = panel.chart
        assert isinstance(chart, BarRows)
        chart.set_data(rows, most=max(b.count for b in binned.bins), caption=Content.styled(caption, "dim"))
        panel.show(None)

    def _draw_satisfaction(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-satisfaction")
        tiers = [(t, r) for t, r in m.satisfaction.by_tier.items() if r.mean is not None]
        if not tiers:
            panel.show(_("not enough data yet: no customer feedback recorded"))
            return
        rows = [BarRow(_("tier {tier}").format(tier=shown(tier, one_line=True)), rating.mean or 0,
                       f"{rating.mean:.2f} ({rating.count})",
                       Style(foreground=self._theme_colour(_TIER_COLOURS.get(tier, ("secondary",)))))
                for tier, rating in tiers]
        caption = ngettext("overall {mean} from {count} response", "overall {mean} from {count} responses",
                           m.satisfaction.count).format(mean=f"{m.satisfaction.mean:.2f}", count=m.satisfaction.count)
        chart = panel.chart
        assert isinstance(chart, BarRows)
        chart.set_data(rows, most=5, caption=Content.styled(caption, "dim"))
        panel.show(None)

    def _draw_forecast(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-forecast")
        es, ma = m.forecast, m.forecast_moving_average
        history = es.history[-16:]
        if len(history) < 2:
            panel.show(es.note or _(NOT_ENOUGH_DATA))
            return
        offset = len(es.history) - len(history)
        plt = panel.plot.plt
        plt.clear_data()
        xs = list(range(len(history) + 1))
        # No Plotext legend: on a short chart it would hide the first weeks. The panel's legend, below, says it.
        # i18n: the forecast chart's line of the requirements that came in each week
        lines = [(_("new"), ("primary",), [float(w.count) for w in history] + [None])]
        for fc, colour, name in ((es, ("accent",), _("smoothing α{alpha}").format(alpha=f"{es.parameters['alpha']:g}")),
                                 (ma, ("secondary",), _("{weeks}-week mean").format(weeks=f"{ma.parameters['window']:g}"))):
            value = "" if fc.next_period is None else f" → {fc.next_period:.1f}"
            lines.append((name + value, colour, list(fc.fitted[offset:]) + [fc.next_period]))
        legend: list[Content] = []
        for name, colour, values in lines:
            points = [(x, y) for x, y in zip(xs, values, strict=True) if y is not None]
            if len(points) < 2:
                continue
            plt.plot([p[0] for p in points], [p[1] for p in points], marker="braille", color=self._colour(colour))
            # No space inside an entry's mark and name: the legend wraps between entries.
            legend.append(Content.assemble(("━", Style(foreground=self._theme_colour(colour))), "\u00a0", name))
        top = max(y for _name, _colour, values in lines for y in values if y is not None)
        _integer_yticks(plt, math.ceil(top))
        ticks = _spread(len(xs), 5)
        # i18n: the forecast chart's tick of the week forecast, after the weeks W10, W11...
        after = _("next")
        if not plotext_safe(after):  # the week's own name, which Plotext can lay out
            after = f"W{(history[-1].start + timedelta(days=7)).isocalendar()[1]:02d}"
        labels = [w.label[5:] for w in history] + [after]
        plt.xticks([float(t) for t in ticks], [labels[i] for i in ticks])
        panel.legend(legend)
        panel.show(None)

    def _draw_matrix(self, m: BoardMetrics) -> None:
        for quadrant in _MATRIX_LAYOUT:
            items = m.priority.quadrants[quadrant]
            box = self.query_one(f"#quadrant-{quadrant.value}", QuadrantList)
            box.border_title = f"{quadrant.label} · {len(items)}"
            lines = [Content.assemble((shown(item.key, one_line=True), "bold"), f" {shown(item.title, one_line=True)}")
                     for item in items[:MATRIX_ROWS]]
            box.show(_with_more(lines, len(items)))
        matrix = self.query_one("#matrix")
        unscored = len(m.priority.unscored)
        matrix.border_subtitle = _("{count} open not yet scored").format(count=unscored) if unscored else ""

    # ------------------------------------------------------------------ the customer side
    def _draw_satisfaction_by_month(self, m: BoardMetrics) -> None:
        panel = self._panel("chart-satisfaction-month")
        months = m.satisfaction.by_month[-12:]
        points = [(x, month.mean) for x, month in enumerate(months) if month.mean is not None]
        if len(points) < 2:
            panel.show(_("not enough data yet: the trend needs readings in two months"))
            return
        plt = panel.plot.plt
        plt.clear_data()
        plt.plot([float(x) for x, _mean in points], [mean for _x, mean in points], marker="braille",
                 color=self._colour(("accent",)))
        plt.scatter([float(x) for x, _mean in points], [mean for _x, mean in points], marker="●",
                    color=self._colour(("accent",)))
        plt.xlim(-0.5, len(months) - 0.5)
        plt.ylim(0, 5)
        plt.yticks([0, 1, 2, 3, 4, 5])
        # As many month ticks as fit, 10 cells each ("2026-03" and a gap), in the panel's width: the screen's
        # when the panels stand one under the other, else half of it (the panel may not be laid out yet).
        width = self.size.width if self.has_class("-narrow") else self.size.width // 2
        ticks = _spread(len(months), max(2, (width - 10) // 10))
        plt.xticks([float(t) for t in ticks], [months[t].month for t in ticks])
        latest = next(month for month in reversed(months) if month.mean is not None)
        panel.caption(ngettext("{month}: {mean} from {count} reading", "{month}: {mean} from {count} readings",
                               latest.count).format(month=latest.month, mean=f"{latest.mean:.2f}",
                                                    count=latest.count))
        panel.show(None)

    def _bar(self, mean: float) -> Content:
        """A rating as a bar of BAR_CELLS cells, a half point a cell: █ filled, ░ not."""
        filled = max(0, min(BAR_CELLS, round(mean * 2)))
        colour = self._theme_colour(("success",) if mean > LOW_SCORE + 1 else
                                    ("warning",) if mean > LOW_SCORE else ("error",))
        return Content.assemble(("█" * filled, Style(foreground=colour)), ("░" * (BAR_CELLS - filled), "dim"))

    def _rating_lines(self, ratings: Sequence[tuple[str, Rating]]) -> list[Content]:
        """One line a rating: its name (literal, padded by display cells), a bar, the mean and the count."""
        rated = [(name, r) for name, r in ratings if r.mean is not None]
        width = min(LABEL_CELLS, max((cell_len(name) for name, _r in rated), default=0))
        lines = [Content.assemble(pad(fit(name, width), width), " ", self._bar(r.mean or 0),
                                  (f" {r.mean:.2f}", "bold"), f" ({r.count})")
                 for name, r in rated[:LIST_ROWS]]
        return _with_more(lines, len(rated))

    def _draw_dimensions(self, m: BoardMetrics) -> None:
        ratings = [(shown(code_label(d), one_line=True), r) for d, r in m.satisfaction.by_dimension.items()]
        unscored = [name for name, r in ratings if r.mean is None]
        lines = self._rating_lines(ratings)
        if lines and unscored:
            lines.append(Content.styled(_("not scored yet: {dimensions}").format(dimensions=listed(unscored)), "dim"))
        self._text_panel("panel-dimensions").show(lines, _("not enough data yet: no reading scored a dimension"))

    def _draw_customers(self, m: BoardMetrics) -> None:
        ratings = sorted(((shown(name, one_line=True) if name else _("(no customer)"), r)
                          for name, r in m.satisfaction.by_customer.items() if r.mean is not None),
                         key=lambda item: item[1].mean or 0)
        self._text_panel("panel-customers").show(self._rating_lines(ratings),
                                                 _("not enough data yet: no customer feedback recorded"))

    def _draw_low_reasons(self, m: BoardMetrics) -> None:
        sat = m.satisfaction
        reasons = [(shown(code_label(code), one_line=True), n) for code, n in sat.low_reasons.items()]
        width = min(LABEL_CELLS, max((cell_len(name) for name, _n in reasons), default=0))
        top = max((n for _name, n in reasons), default=1)
        colour = Style(foreground=self._theme_colour(("error",)))
        lines = [Content.assemble(pad(fit(name, width), width), " ",
                                  ("█" * max(1, round(n * BAR_CELLS / top)), colour), (f" {n}", "bold"))
                 for name, n in reasons[:LIST_ROWS]]
        lines = _with_more(lines, len(reasons))
        panel = self._text_panel("panel-low-reasons")
        panel.border_subtitle = (ngettext("{count} low reading", "{count} low readings", sat.low_count).format(
            count=sat.low_count) if sat.low_count else "")
        if sat.low_count:  # low readings, none with a reason (recorded before the board asked for one)
            empty = ngettext("{count} score of 2 or less, given without a reason",
                             "{count} scores of 2 or less, given without a reason", sat.low_count).format(count=sat.low_count)
        elif sat.count:
            empty = _("no score of 2 or less")
        else:
            empty = _("not enough data yet: no customer feedback recorded")
        panel.show(lines, empty)

    def _draw_targets(self, m: BoardMetrics) -> None:
        t = m.targets
        panel = self._text_panel("panel-targets")
        panel.border_subtitle = _("{missed}: reached late · {breached}: deadline passed, not reached").format(
            missed=pgettext("target", "missed"), breached=pgettext("target", "breached"))
        if not t.targets:
            panel.show([], _("no response targets set (ctrl+p: Response targets)"))
            return
        rows: list[tuple[str, TargetCount]] = [(_("all"), t.overall)]
        rows += [(_channel_label(name), count) for name, count in t.by_channel.items()]
        rows += [(_("tier {tier}").format(tier=name) if name != "none" else _("no tier"), count)
                 for name, count in t.by_tier.items()]
        if not t.overall.met + t.overall.missed + t.overall.breached + t.overall.open:
            panel.show([], _("nothing measured yet: no requirement is under a target"))
            return
        headings = (pgettext("target", "met"), pgettext("target", "missed"), pgettext("target", "breached"),
                    pgettext("target", "open"))
        widths = [max(6, cell_len(h) + 1) for h in headings]
        width = min(LABEL_CELLS, max(cell_len(name) for name, _count in rows))
        lines = [Content.assemble(" " * width, *((pad_left(h, w), "bold") for h, w in zip(headings, widths, strict=True)))]
        for index, (name, count) in enumerate(rows):
            values = (count.met, count.missed, count.breached, count.open)
            cells: list[str | tuple[str, str]] = [(pad(fit(name, width), width), "bold" if index == 0 else "")]
            for value, w, heading in zip(values, widths, headings, strict=True):
                cells.append((pad_left(str(value), w), "bold" if heading == headings[2] and value else ""))
            lines.append(Content.assemble(*cells))
        panel.show(lines)

    def _draw_breaches(self, m: BoardMetrics) -> None:
        panel = self._text_panel("panel-breaches")
        breaches = m.targets.breaches
        panel.border_subtitle = (ngettext("{count} breached", "{count} breached", len(breaches)).format(
            count=len(breaches)) if breaches else "")
        lines = [Content.assemble((f"{b.key} ", "bold"),
                                  (_("{days} late").format(days=_days(b.days_late)) + " ", "bold"),
                                  (_("to be {state}").format(state=b.state.label.lower()) + " ", "dim"),
                                  shown(b.title, one_line=True), *_customer_part(b.customer))
                 for b in breaches[:LIST_ROWS]]
        panel.show(_with_more(lines, len(breaches)),
                   _("none breached") if m.targets.targets else _("no response targets set (ctrl+p: Response targets)"))

    def _draw_due(self, m: BoardMetrics) -> None:
        overdue = self._text_panel("panel-overdue")
        overdue.border_subtitle = str(len(m.overdue)) if m.overdue else ""
        overdue.show(_due_lines(m.overdue, late=True), _("nothing overdue"))
        soon = self._text_panel("panel-due-soon")
        soon.border_subtitle = str(len(m.due_soon)) if m.due_soon else ""
        soon.show(_due_lines(m.due_soon, late=False), _("nothing due within {days} days").format(days=DUE_SOON_DAYS))


def _channel_label(name: str) -> str:
    try:
        return Channel(name).label
    except ValueError:  # a newer reqboard's channel: as stored
        return shown(name, one_line=True)


def _customer_part(customer: str) -> list[str | tuple[str, str]]:
    return [(" · ", "dim"), (shown(customer, one_line=True), "italic")] if customer else []


def _due_lines(items: Sequence[DueItem], *, late: bool) -> list[Content]:
    """Overdue work (`late`: days past its due date) or work due soon (days left), with its due date."""
    lines = []
    for item in items[:LIST_ROWS]:
        if late:
            when = ngettext("{days} day late", "{days} days late", item.days).format(days=item.days)
        elif item.days == 0:
            when = _("due today")
        else:
            when = ngettext("in {days} day", "in {days} days", item.days).format(days=item.days)
        lines.append(Content.assemble((f"{item.key} ", "bold"), (when, "bold" if late else ""),
                                      (f" {item.due.isoformat()} ", "dim"), shown(item.title, one_line=True),
                                      *_customer_part(item.customer)))
    return _with_more(lines, len(items))


def _with_more(lines: list[Content], total: int) -> list[Content]:
    """`lines`, and "… and N more" when they are the first of `total`."""
    if total > len(lines):
        lines.append(Content.styled(_("… and {count} more").format(count=total - len(lines)), "dim"))
    return lines


def pad_left(text: str, width: int) -> str:
    """`text` right-aligned in `width` display cells."""
    return " " * max(0, width - cell_len(text)) + text


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
