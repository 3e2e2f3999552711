"""Chinese text in a notice or any widget drawn over others: no character lost at another widget's edge.

Textual's compositor cuts every line of the screen at every widget's left and right edge, the edges of
the widgets underneath included, and divides each widget's line at those cuts; a character two cells
wide that straddles a cut is replaced by two spaces (rich's `Segment.divide`). So a notice over the
board's columns lost one Chinese character wherever a column began under it ("已撤销" drawn "已撤  ").
Upstream: Textualize/textual#6357 (open for 8.2.8, the version pinned).

`install()` replaces `Compositor._render_chops` with the same painting, front to back, except that a
widget's line is divided only where the widget's own part of the screen begins or ends: the cuts
between two parts that it shows both sides of are left whole, its whole run goes into the first bucket
and the others get an empty strip (so that nothing beneath claims them). What a widget shows is
unchanged; where a widget shows across a cut, its wide characters are kept. tests/test_i18n_coverage.py
draws a Chinese notice over the board and checks every character is there, and that the method
replaced is still Textual's own (a new Textual may change or fix it: then look again).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from textual._compositor import Compositor  # the class whose private method this replaces
from textual.geometry import Region
from textual.strip import Strip

_EMPTY = Strip([], 0)


def _render_chops(self: Compositor, crop: Region,
                  is_rendered_line: Callable[[int], bool]) -> Sequence[Mapping[int, Strip]]:
    """`Compositor._render_chops` (Textual 8.2.8), dividing a widget's line only at the edges of what
    it shows (see the module docstring)."""
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    intersection = Region.intersection
    for region, clip, strips in self._get_renders(crop):
        render_region = intersection(region, clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips, strict=False):
            if not is_rendered_line(y):
                continue
            chops_line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            starts = final_cuts[:-1]
            # Painting front to back: a bucket still empty is this widget's to fill.
            free = [chops_line.get(cut) is None for cut in starts]
            kept = [cut for index, cut in enumerate(final_cuts[1:], 1)
                    if index == len(starts) or not (free[index - 1] and free[index])]
            pieces = strip.divide([cut - render_x for cut in kept])
            piece_starts = [final_cuts[0], *kept[:-1]]
            piece_of = dict(zip(piece_starts, pieces, strict=False))
            current: Strip | None = None
            for index, cut in enumerate(starts):
                if not free[index]:
                    current = None
                    continue
                piece = piece_of.get(cut)
                if piece is not None:
                    chops_line[cut] = piece
                    current = piece
                elif current is not None:  # inside a run already drawn whole from its first bucket
                    chops_line[cut] = _EMPTY
    return cast("Sequence[Mapping[int, Strip]]", chops)


ORIGINAL: Any = Compositor._render_chops
"""Textual's own method, kept so that a test can see it is still the one this was written against."""


def install() -> None:
    """Draw every screen with `_render_chops` above (once; later calls change nothing)."""
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]  # the fix described above
