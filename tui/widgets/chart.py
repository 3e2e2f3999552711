"""Charts drawn cell by cell, for the Reports screen: a stacked area (cumulative flow) and rows of
horizontal bars (a histogram, means by tier).

Drawn here rather than by Plotext because these charts must read anywhere: every band of the stacked
area is filled with its own glyph (█ ▓ ▒ ░ ...) as well as its colour, so the series stay apart without
colour (NO_COLOR, 16 colours, colour-blind eyes); the legend stands below the plot, never on it; and every
label is laid out by display cells, wrapped or given its own row rather than dropped when space is short.
The layout depends only on the widget's size, so the same data always draws the same cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

from reqboard.store.text import fit

AREA_GLYPHS = ("█", "▓", "▒", "░", "▚", "·", "╳", "≡")
"""Fills for the bands of a stacked area, bottom band first: dense to light, then patterns."""
EIGHTHS = " ▏▎▍▌▋▊▉█"
"""A bar's last cell: its fraction of a cell in eighths."""


@dataclass(frozen=True)
class Band:
    """One series of a stacked area: its name, fill glyph, style, and its top (cumulative) per point."""

    name: str
    glyph: str
    style: Style
    tops: Sequence[float]


@dataclass(frozen=True)
class BarRow:
    """One bar: its label (left of the bar), its value, the text after it and its style."""

    label: str
    value: float
    text: str
    style: Style


def nice_ticks(top: float, most: int) -> list[int]:
    """Whole-number ticks from 0 past `top`, a round step apart (1, 2, 5, 10, 20, ...), at most `most`."""
    step = 1
    while math.ceil(top / step) + 1 > max(2, most):
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return list(range(0, max(step, math.ceil(top / step) * step) + step, step))


def wrap_entries(entries: Sequence[Content], width: int, gap: int = 2) -> list[Content]:
    """`entries` laid out left to right in lines of at most `width` cells, `gap` cells apart; an entry
    wider than a line is wrapped on its own lines (never cut)."""
    lines: list[Content] = []
    line = Content("")
    for entry in entries:
        if line.cell_length and line.cell_length + gap + entry.cell_length <= width:
            line = line + " " * gap + entry
            continue
        if line.cell_length:
            lines.append(line)
        pieces = entry.wrap(max(1, width)) if entry.cell_length > width else [entry]
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line.cell_length:
        lines.append(line)
    return lines


class StackedArea(Widget):
    """A stacked area chart: each band filled from the band below it up to its own top, a column a point
    (or a run of points, the last shown, when there are more points than columns); y ticks on the left,
    x labels below, then the legend (each band's glyph and name), wrapped to the width."""

    DEFAULT_CSS = """
    StackedArea {
        height: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bands: tuple[Band, ...] = ()
        self.x_labels: tuple[str, ...] = ()
        self.plot_region: tuple[int, int, int, int] = (0, 0, 0, 0)
        """Where the last drawing put the plot, in content cells: x, y, width, height."""

    def set_data(self, bands: Sequence[Band], x_labels: Sequence[str]) -> None:
        """Bands bottom first (each top at least the one below it), and a label for each point."""
        self.bands = tuple(bands)
        self.x_labels = tuple(x_labels)
        self.refresh()

    def legend(self, width: int) -> list[Content]:
        """The legend's lines: each band's glyph (twice, so a pattern reads as one) and its name."""
        entries = [Content.assemble((band.glyph * 2, band.style), " ", band.name) for band in reversed(self.bands)]
        return wrap_entries(entries, width)

    def render(self) -> Content:
        width, height = self.content_region.width, self.content_region.height
        if not self.bands or not self.x_labels or width < 8 or height < 4:
            return Content("")
        legend = self.legend(width)
        plot_height = height - len(legend) - 2  # the x axis and its labels
        if plot_height < 2:  # no room for a plot: the legend alone would mislead
            legend, plot_height = [], height - 2
        top = max((max(band.tops, default=0) for band in self.bands), default=0)
        ticks = nice_ticks(top, plot_height // 2 + 1)
        scale = ticks[-1] / plot_height  # the value a row stands for
        tick_width = max(cell_len(str(t)) for t in ticks)
        plot_width = width - tick_width - 1
        if plot_width < 2:
            return Content("")
        self.plot_region = (tick_width + 1, 0, plot_width, plot_height)
        points = len(self.x_labels)
        # The point each column shows: the last of the run of points it stands for.
        columns = [min(points - 1, max(0, (c + 1) * points // plot_width - 1)) if points > plot_width
                   else c * points // plot_width for c in range(plot_width)]
        tick_rows = {min(plot_height - 1, max(0, math.ceil(t / scale) - 1)): t for t in ticks if t}
        lines: list[Content] = []
        for row in range(plot_height):
            level = plot_height - 1 - row  # 0 is the bottom row
            middle = (level + 0.5) * scale
            tick = tick_rows.get(level)
            axis = Content.assemble(str(tick).rjust(tick_width) if tick is not None else " " * tick_width,
                                    ("┤" if tick is not None else "│", "dim"))
            cells: list[tuple[str, Style] | str] = []
            for point in columns:
                band = next((b for b in self.bands if b.tops[point] >= middle), None)
                cells.append((band.glyph, band.style) if band is not None else " ")
            lines.append(axis + Content.assemble(*cells))
        lines.extend(self._x_axis(columns, tick_width, plot_width))
        lines.extend(legend)
        return Content("\n").join(lines)

    def _x_axis(self, columns: Sequence[int], indent: int, plot_width: int) -> list[Content]:
        """The axis line with a tick under each labelled column, and the labels, none cut or overlapping."""
        label_width = max(cell_len(label) for label in self.x_labels)
        room = max(1, min(len(set(columns)), (plot_width + 2) // (label_width + 2)))
        if room == 1:
            chosen = [len(columns) - 1]
        else:  # first and last columns included, the rest evenly between
            chosen = sorted({round(i * (plot_width - 1) / (room - 1)) for i in range(room)})
        axis = ["─"] * plot_width
        labels = [" "] * (plot_width + indent + 1)
        end = -1
        for column in chosen:
            label = fit(self.x_labels[columns[column]], plot_width)
            cells = cell_len(label)
            start = min(max(0, column - cells // 2), plot_width - cells) + indent + 1
            if start <= end:  # would touch the label before it
                continue
            axis[column] = "┬"
            labels[start:start + cells] = [label] + [""] * (cells - 1)
            end = start + cells
        return [Content.assemble("0".rjust(indent), ("└" + "".join(axis), "dim")), Content("".join(labels).rstrip())]


class BarRows(Widget):
    """Horizontal bars, one a row: the label, the bar (scaled to `most`, in eighths of a cell) and its
    text. Above them, a caption wrapped to the width. Labels are never cut: a long one takes the bar's
    row to itself and the bar goes on the next."""

    DEFAULT_CSS = """
    BarRows {
        height: 1fr;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: tuple[BarRow, ...] = ()
        self.most = 1.0
        self.caption: Content = Content("")
        self.heading: Content = Content("")

    def set_data(self, rows: Sequence[BarRow], *, most: float, caption: Content | str = "",
                 heading: Content | str = "") -> None:
        """`rows` scaled so that `most` fills the bar; `heading` names the label column (its unit)."""
        self.rows = tuple(rows)
        self.most = most if most > 0 else 1.0
        self.caption = Content(caption) if isinstance(caption, str) else caption
        self.heading = Content(heading) if isinstance(heading, str) else heading
        self.refresh()

    def render(self) -> Content:
        width = self.content_region.width
        if not self.rows or width < 4:
            return Content("")
        lines = self.caption.wrap(width) if self.caption.cell_length else []
        lines += self.heading.wrap(width) if self.heading.cell_length else []
        label_width = max(cell_len(row.label) for row in self.rows)
        text_width = max(cell_len(row.text) for row in self.rows)
        # The bar needs a few cells; labels too wide for that stand on their own line above it.
        own_line = width - label_width - text_width - 2 < 4
        bar_width = max(1, width - text_width - 1 - (0 if own_line else label_width + 1))
        for row in self.rows:
            bar = self._bar(row, bar_width)
            text = Content.styled(row.text, "bold")
            if own_line:
                lines.extend(Content(row.label).wrap(width))
                lines.append(bar + " " + text)
            else:
                lines.append(Content.assemble(row.label + " " * (label_width - cell_len(row.label) + 1),
                                              bar, " ", text))
        return Content("\n").join(lines)

    def _bar(self, row: BarRow, width: int) -> Content:
        eighths = max(0, min(width * 8, round(row.value / self.most * width * 8)))
        if row.value > 0:
            eighths = max(1, eighths)  # a count of one is seen
        full, part = divmod(eighths, 8)
        bar = "█" * full + (EIGHTHS[part] if part else "")
        return Content.assemble((bar, row.style), " " * (width - cell_len(bar)))
