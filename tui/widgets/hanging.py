"""Rows of a head and a text whose wrapped lines hang under the text's start, not under the head.

A history row is "when  who  what": at 80 columns "what" often takes two lines, and a Static wraps its
second line to the left edge, under the time, where the eye looks for the next event. `HangingRows`
wraps each row's text to the width beside its head and indents the lines after the first by the head's
width. Where the room beside the head is too narrow to read (under `MIN_ROOM` cells) the row wraps from
the left edge as a Static would.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

MIN_ROOM = 20
"""The fewest cells beside a head that a hanging text is wrapped into."""


class HangingRows(Widget):
    """Rows of (head, text), each text wrapped beside its head (see the module docstring)."""

    DEFAULT_CSS = """
    HangingRows { height: auto; }
    """

    def __init__(self, placeholder: Content, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: tuple[tuple[Content, Content], ...] = ()
        self._placeholder = placeholder
        self._laid: tuple[int, Content] | None = None

    def show(self, rows: Iterable[tuple[Content, Content]], placeholder: Content | None = None) -> None:
        """Show these rows (none: the placeholder, this one if given)."""
        self._rows = tuple(rows)
        if placeholder is not None:
            self._placeholder = placeholder
        self._laid = None
        self.refresh(layout=True)

    @property
    def rows(self) -> tuple[tuple[Content, Content], ...]:
        return self._rows

    def laid_out(self, width: int) -> Content:
        """The rows as lines for `width` cells."""
        if self._laid is not None and self._laid[0] == width:
            return self._laid[1]
        if not self._rows:
            content = self._placeholder
        else:
            lines: list[Content] = []
            for head, text in self._rows:
                indent = head.cell_length
                room = width - indent
                if room < MIN_ROOM or text.cell_length <= room:
                    lines.append(head + text)  # fits (or left to wrap from the edge)
                    continue
                wrapped = text.wrap(room) or [Content("")]
                lines.append(head + wrapped[0].rstrip())
                lines.extend(Content(" " * indent) + line.rstrip() for line in wrapped[1:])
            content = Content("\n").join(lines)
        self._laid = (width, content)
        return content

    def render(self) -> Content:
        return self.laid_out(self.content_size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not width:
            return 0
        return len(self.laid_out(width).wrap(width))  # (a row left to wrap from the edge takes more lines)
