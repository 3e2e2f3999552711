"""A list of items to tick (a move's acceptance criteria): each drawn `[x]` or `[ ]`, so that ticked and
unticked read apart without colour (NO_COLOR, 16 colours, colour-blind eyes); Textual's SelectionList
draws both as a coloured `▐X▌`."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

TICKED = "[x]"
UNTICKED = "[ ]"


class Checklist(SelectionList[Any]):
    """A SelectionList whose boxes are `[x]` / `[ ]` (as wide as Textual's, so clicks land the same)."""

    DEFAULT_CSS = """
    Checklist { height: auto; max-height: 8; border: none; padding: 0; }
    Checklist:focus { border: none; }
    """

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)  # the prompt alone: the box is drawn here, not by SelectionList
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = selection.value in self._selected
        base = next(iter(line)).style or self.rich_style
        box = base + Style(bold=ticked, meta={"option": index})
        return Strip([Segment(TICKED if ticked else UNTICKED, box), Segment(" ", base), *line])
