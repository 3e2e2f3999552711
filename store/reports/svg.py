"""Small SVG charts, written by hand so that the HTML report needs nothing from anywhere.

Each function returns one `<svg>` element as a string, sized by its viewBox so it scales with the
page, with a <title> for screen readers. Every piece of text is escaped. No xmlns attribute: inline
SVG in HTML does not need one, and the report stays free of any URL.

Text is in the current language and set in a font stack with Chinese glyphs (`FONTS`); where the
layout depends on a text's width, the width is counted in display cells (a Chinese character is two).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from html import escape

from ..i18n import _
from ..labels import field_label
from ..metrics import NOT_ENOUGH_DATA
from ..models import BOARD_STATES, State

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40

STATE_COLOURS: dict[State, str] = {
    State.COLLECTED: "#8c98a6",
    State.ANALYSED: "#4f9bd9",
    State.APPROVED: "#a57fd8",
    State.IN_PROGRESS: "#e0a84f",
    State.DONE: "#5cb87a",
    State.FED_BACK: "#3fb3b3",
}
BAR = "#4f9bd9"
ACTUAL = "#4f9bd9"
FITTED = "#e0a84f"
AXIS = "#6b7785"
QUADRANT_FILLS = ("#e0645c22", "#4f9bd922", "#e0a84f22", "#8c98a622")
# i18n: not shown (font family names, for the browser)
FONTS = ('system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", '
         '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif')
"""The system's UI font, then the Chinese fonts of macOS, Windows and Linux: the report embeds none."""
CELL = 7
"""The width of one display cell of 11px text, in SVG units (a Chinese character takes two)."""


def cells(text: str) -> int:
    """The display width of `text` in cells: wide and full-width characters (CJK) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least `top` (1, 2, 5 x 10^k apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 9))
    return ticks


def _open(title: str, css_class: str) -> list[str]:
    return [
        f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" font-family="{escape(FONTS)}">',
        f"<title>{escape(title)}</title>",
    ]


def _y_axis(parts: list[str], ticks: list[float], scale_y: Callable[[float], float]) -> None:
    for t in ticks:
        y = scale_y(t)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="{AXIS}" stroke-opacity="0.25"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_fmt(t)}</text>')


def _x_labels(parts: list[str], labels: Sequence[str], xs: Sequence[float], every: int) -> None:
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        last = i == len(labels) - 1
        if i % every == 0 or last and (len(labels) - 1) % every > every // 2:
            anchor = "end" if last and every > 1 else "middle"
            parts.append(f'<text x="{x + (6 if anchor == "end" else 0):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="{anchor}" class="tick">{escape(label)}</text>')


def _empty(title: str, css_class: str, message: str) -> str:
    parts = _open(title, css_class)
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="empty">'
                 f"{escape(message)}</text>")
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(parts: list[str], entries: Sequence[tuple[str, str]]) -> None:
    x = LEFT
    y = HEIGHT - 8
    for label, colour in entries:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}" class="legend">{escape(label)}</text>')
        x += 22 + CELL * cells(label)


def stacked_area(title: str, labels: Sequence[str], stacked: Mapping[State, Sequence[int]], *,
                 empty: str | None = None) -> str:
    """A cumulative flow diagram: one band per state, the last state at the bottom.

    `stacked[state]` is the top line of that state's band (that state plus every later one); `empty`
    is what an empty chart says (by default: not enough data yet).
    """
    if len(labels) < 2:
        return _empty(title, "cfd", empty or _(NOT_ENOUGH_DATA))
    top = max(max(stacked[s]) for s in BOARD_STATES if s in stacked) or 1
    ticks = nice_ticks(top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - 6
    n = len(labels)

    sx, sy = _scales(n, ticks[-1], plot_w, plot_h)

    parts = _open(title, "cfd")
    _y_axis(parts, ticks, sy)
    states = [s for s in BOARD_STATES if s in stacked]
    for idx, state in enumerate(states):
        upper = stacked[state]
        lower = stacked[states[idx + 1]] if idx + 1 < len(states) else [0] * n
        points = [f"{sx(i):.1f},{sy(v):.1f}" for i, v in enumerate(upper)]
        points += [f"{sx(i):.1f},{sy(v):.1f}" for i, v in reversed(list(enumerate(lower)))]
        parts.append(f'<polygon points="{" ".join(points)}" fill="{STATE_COLOURS[state]}" '
                     f'fill-opacity="0.85"><title>{escape(state.label)}</title></polygon>')
    _x_labels(parts, labels, [sx(i) for i in range(n)], max(1, n // 6))
    _legend(parts, [(s.label, STATE_COLOURS[s]) for s in states])
    parts.append("</svg>")
    return "\n".join(parts)


def _scales(n: int, ceiling: float, plot_w: float, plot_h: float) -> tuple[Callable[[float], float],
                                                                         Callable[[float], float]]:
    """Plot coordinates: x by index over `n` points across the plot, y by value from 0 to `ceiling`."""

    def sx(i: float) -> float:
        return LEFT + plot_w * i / max(n - 1, 1)

    def sy(v: float) -> float:
        return TOP + plot_h * (1 - v / ceiling)

    return sx, sy


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], *, css_class: str,
              colour: str = BAR, empty: str | None = None, max_value: float | None = None) -> str:
    """Vertical bars, one per label, with the value above each bar (`empty`: what a chart without
    bars says, by default not enough data yet)."""
    if not labels or not any(values):
        return _empty(title, css_class, empty or _(NOT_ENOUGH_DATA))
    ticks = nice_ticks(max_value, 5) if max_value is not None else nice_ticks(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(labels)
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)

    _sx, sy = _scales(n, ticks[-1], plot_w, plot_h)
    parts = _open(title, css_class)
    _y_axis(parts, ticks, sy)
    xs = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + slot * i + (slot - bar_w) / 2
        xs.append(x + bar_w / 2)
        y = sy(value)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{TOP + plot_h - y:.1f}" '
                     f'fill="{colour}"><title>{escape(label)}: {_fmt(value)}</title></rect>')
        if n <= 16 and value:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                         f'class="value">{_fmt(value)}</text>')
    _x_labels(parts, labels, xs, max(1, math.ceil(n / 8)))
    parts.append("</svg>")
    return "\n".join(parts)


def line_chart(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None], str]], *,
               css_class: str, empty: str | None = None, max_value: float | None = None) -> str:
    """Lines over shared x labels; None breaks a line (a lone point between gaps is a dot). Each series:
    (name, values, colour). `max_value` fixes the top of the scale (5 for a satisfaction score)."""
    values = [v for _name, vs, _colour in series for v in vs if v is not None]
    if len(labels) < 2 or not values:
        return _empty(title, css_class, empty or _(NOT_ENOUGH_DATA))
    ticks = nice_ticks(max_value, 5) if max_value is not None else nice_ticks(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - 6
    n = len(labels)

    sx, sy = _scales(n, ticks[-1], plot_w, plot_h)

    parts = _open(title, css_class)
    _y_axis(parts, ticks, sy)
    for name, vs, colour in series:
        run: list[str] = []
        for i, v in enumerate(list(vs) + [None]):
            if v is None:
                if len(run) > 1:
                    parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                                 f'stroke-width="2"/>')
                run = []
                continue
            run.append(f"{sx(i):.1f},{sy(v):.1f}")
            parts.append(f'<circle cx="{sx(i):.1f}" cy="{sy(v):.1f}" r="2.5" fill="{colour}">'
                         f"<title>{escape(name)} {escape(labels[i])}: {_fmt(v)}</title></circle>")
    _x_labels(parts, labels, [sx(i) for i in range(n)], max(1, n // 6))
    _legend(parts, [(name, colour) for name, _values, colour in series])
    parts.append("</svg>")
    return "\n".join(parts)


def priority_matrix(title: str, points: Sequence[tuple[str, int, int]], *, high_from: int,
                    quadrant_labels: Sequence[str]) -> str:
    """Importance (y) against urgency (x), 1-5 each, split at `high_from` into four quadrants.

    `points`: (key, importance, urgency); requirements with the same scores are spread in a small
    grid around their spot so every key stays readable. `quadrant_labels`: top-right (high/high),
    top-left (important, not urgent), bottom-right (urgent, not important), bottom-left.
    """
    if not points:
        return _empty(title, "matrix", _("no open requirement has importance and urgency yet"))
    top = TOP + 14  # room above the plot for the names of the two upper quadrants
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - top - BOTTOM
    cell_w, cell_h = plot_w / 5, plot_h / 5

    def sx(u: float) -> float:
        return LEFT + (u - 0.5) * cell_w

    def sy(i: float) -> float:
        return top + (5.5 - i) * cell_h

    split_x, split_y = sx(high_from - 0.5), sy(high_from - 0.5)
    parts = _open(title, "matrix")
    right, bottom = LEFT + plot_w, top + plot_h
    boxes = (  # x, y, w, h of top-right, top-left, bottom-right, bottom-left
        (split_x, top, right - split_x, split_y - top),
        (LEFT, top, split_x - LEFT, split_y - top),
        (split_x, split_y, right - split_x, bottom - split_y),
        (LEFT, split_y, split_x - LEFT, bottom - split_y),
    )
    for n, ((x, y, w, h), fill, label) in enumerate(zip(boxes, QUADRANT_FILLS, quadrant_labels, strict=True)):
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{fill}" '
                     f'stroke="{AXIS}" stroke-opacity="0.4"/>')
        # Upper quadrants are named above the plot, lower ones in their bottom corner, clear of the keys.
        label_y = top - 4 if n < 2 else y + h - 4
        anchor, label_x = ("end", x + w - 4) if n % 2 == 0 else ("start", x + 4)
        parts.append(f'<text x="{label_x:.1f}" y="{label_y:.1f}" text-anchor="{anchor}" class="quadrant">'
                     f"{escape(label)}</text>")
    for v in range(1, 6):
        parts.append(f'<text x="{sx(v):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">{v}</text>')
        parts.append(f'<text x="{LEFT - 8}" y="{sy(v) + 4:.1f}" text-anchor="end" class="tick">{v}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" class="axis">'
                 f"{escape(field_label('urgency'))}</text>")
    parts.append(f'<text x="12" y="{top + plot_h / 2:.1f}" text-anchor="middle" class="axis" '
                 f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{escape(field_label("importance"))}</text>')
    spots: dict[tuple[int, int], list[str]] = {}
    for key, importance, urgency in points:
        spots.setdefault((importance, urgency), []).append(key)
    for (importance, urgency), keys in spots.items():
        shown = keys[:6]
        for n, key in enumerate(shown):
            col, row = n % 2, n // 2
            x = sx(urgency) - cell_w / 2 + 6 + col * cell_w / 2
            y = sy(importance) - cell_h / 2 + 12 + row * 12
            parts.append(f'<text x="{x:.1f}" y="{y:.1f}" class="point">{escape(key)}</text>')
        if len(keys) > len(shown):
            more = _("+{n} more").format(n=len(keys) - len(shown))
            parts.append(f'<text x="{sx(urgency):.1f}" y="{sy(importance) + cell_h / 2 - 2:.1f}" '
                         f'text-anchor="middle" class="more">{escape(more)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
