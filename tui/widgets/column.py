"""One state column: a header with the count and WIP limit, and the virtual list of cards."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.widgets import Static

from reqboard.store.domain import State
from reqboard.store.i18n import _

from .board_view import BoardView
from .card_list import CardList, Item


class ColumnHeader(Static):
    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $panel;
    }
    ColumnHeader.-over-limit { background: $error 30%; }
    ColumnHeader.-focused { background: $primary 40%; }
    """

    shown: Content | None = None
    """What the header says now (see StateColumn.show)."""


class StateColumn(Vertical):
    """A board column for one state."""

    DEFAULT_CSS = """
    StateColumn {
        width: 26;
        height: 1fr;
        margin: 0 1 0 0;
    }
    """

    def __init__(self, state: State) -> None:
        super().__init__(id=f"column-{state.value}", classes=f"state-{state.value.replace('_', '-')}")
        self.state = state
        self.count = 0
        self.limit: int | None = None

    def compose(self) -> ComposeResult:
        yield ColumnHeader(self.state.label, id=f"header-{self.state.value}")
        yield CardList(self.state, id=f"cards-{self.state.value}")

    # A class, not `:focus-within`: Textual restyles on focus changes only below an ancestor that
    # has a :focus-within rule of its own, so the header (a sibling of the focused list) kept its look.
    # It goes on the header alone: a class on the column would restyle the whole column on each move.
    def on_descendant_focus(self) -> None:
        self.query_one(ColumnHeader).add_class("-focused")

    def on_descendant_blur(self) -> None:
        self.query_one(ColumnHeader).remove_class("-focused")

    @property
    def cards(self) -> CardList:
        return self.query_one(CardList)

    def show(self, items: list[Item], count: int, limit: int | None, *, total: int | None = None,
             view: BoardView | None = None) -> None:
        """Show these items (drawn with `view`, the board as last read); `count` cards match the
        filter, `total` are in the state."""
        self.count, self.limit = count, limit
        header = self.query_one(ColumnHeader)
        parts: list[tuple[str, str] | str] = [(self.state.label, "bold")]
        counted = f"{count}" if total is None or total == count else _("{count} of {total}").format(count=count, total=total)
        parts.append(f"  {counted}")
        over = limit is not None and (total if total is not None else count) > limit
        if limit is not None:
            parts.append(f"/{limit}")
            if over:
                parts.append(("  " + _("over limit"), "bold"))
        text = Content.assemble(*parts)
        if text != header.shown:  # the same words are not written again (a reload changes few columns)
            header.shown = text
            header.update(text)
        header.set_class(over, "-over-limit")
        self.cards.set_items(items, view=view)


class ColumnRow(HorizontalScroll, can_focus=False):
    """The board's row of columns. It scrolls (to the focused column, by mouse), but the left and
    right keys are the board's: they move the selection to the next column, not the row by a cell.

    Never focused itself: focus belongs to the card lists, and each time the row lost focus to one
    of them Textual restyled every widget below it.
    """

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ("scroll_left", "scroll_right")
