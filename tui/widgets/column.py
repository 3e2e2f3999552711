"""One state column: a header with the count and WIP limit, and the virtual list of cards."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.widgets import Static

from reqboard.store.domain import State
from reqboard.store.i18n import _, pgettext

from .board_view import BoardView
from .card_list import CardList, Item, ScrollBand


class ColumnHeader(Static):
    DEFAULT_CSS = """
    ColumnHeader {
        height: 1;
        padding: 0 1;
        text-style: bold;
        background: $panel;
    }
    ColumnHeader.-over-limit { background: $error 30%; }
    ColumnHeader.-full { background: $warning 30%; }
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
    StateColumn:last-of-type { margin: 0; }
    """

    def __init__(self, state: State, *, band: ScrollBand | None = None) -> None:
        """`band`: the card lists this column's scrolls with while the board shows swimlanes."""
        super().__init__(id=f"column-{state.value}", classes=f"state-{state.value.replace('_', '-')}")
        self.state = state
        self.band = band
        self.count = 0
        self.limit: int | None = None

    def compose(self) -> ComposeResult:
        yield ColumnHeader(self.state.label, id=f"header-{self.state.value}")
        yield CardList(self.state, id=f"cards-{self.state.value}", band=self.band)

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
             view: BoardView | None = None, strict: bool = False) -> None:
        """Show these items (drawn with `view`, the board as last read); `count` cards match the
        filter, `total` are in the state. Under `strict` WIP limits a column at its limit says it is
        full: a move into it is refused."""
        self.count, self.limit = count, limit
        header = self.query_one(ColumnHeader)
        parts: list[tuple[str, str] | str] = [(self.state.label, "bold")]
        counted = f"{count}" if total is None or total == count else _("{count} of {total}").format(count=count, total=total)
        parts.append(f"  {counted}")
        held = total if total is not None else count
        over = limit is not None and held > limit
        full = strict and held == limit  # (its colour says so where a narrow column cuts the word)
        if limit is not None:
            parts.append(f"/{limit}")
            if over:
                parts.append(("  " + _("over limit"), "bold"))
            elif full:
                parts.append(("  " + pgettext("column", "full"), "bold"))
        text = Content.assemble(*parts)
        if text != header.shown:  # the same words are not written again (a reload changes few columns)
            header.shown = text
            header.update(text)
        header.set_class(over, "-over-limit")
        header.set_class(full, "-full")
        self.cards.set_items(items, view=view)


class ColumnRow(HorizontalScroll, can_focus=False):
    """The board's row of columns. It scrolls (to the focused column, by mouse), but the left and
    right keys are the board's: they move the selection to the next column, not the row by a cell.

    Never focused itself: focus belongs to the card lists, and each time the row lost focus to one
    of them Textual restyled every widget below it.
    """

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action not in ("scroll_left", "scroll_right")

    pitch = 27
    """Cells from one column's left edge to the next one's: its width and the gap (see `fit`)."""

    def fit(self, width: int, min_width: int) -> None:
        """Make the columns as wide as `width` (the row's) holds whole, each at least `min_width` cells:
        all of them when they fit, else as many as fit, which the row then scrolls by whole columns."""
        columns = list(self.query(StateColumn))
        # The last column has no gap after it: n columns take n * (width + 1) - 1 cells.
        in_view = max(1, min(len(columns), (width + 1) // (min_width + 1)))
        column_width = max(min_width, (width + 1) // in_view - 1)
        self.pitch = column_width + 1
        for column in columns:
            column.styles.width = column_width

    def show_column(self, column: StateColumn) -> None:
        """Scroll by whole columns so that `column` is in view, and the columns in view are whole: back
        to the left edge when it is the first column."""
        columns = list(self.query(StateColumn))
        index, pitch = columns.index(column), self.pitch
        in_view = max(1, (self.scrollable_content_region.width + 1) // pitch)
        first = round(self.scroll_x / pitch)
        if index < first:
            first = index
        elif index >= first + in_view:
            first = index - in_view + 1
        self.scroll_to(x=min(first * pitch, self.max_scroll_x), animate=False, immediate=True)
        self.name_lanes()

    def watch_scroll_x(self, old: float, new: float) -> None:
        super().watch_scroll_x(old, new)
        self.name_lanes()

    def name_lanes(self) -> None:
        """The leftmost column wholly in view names each lane (see `LaneHeader`): wherever the row is
        scrolled, the lanes' names are on screen."""
        lead = min(-(-round(self.scroll_x) // self.pitch), len(self.children) - 1)
        for index, column in enumerate(self.query(StateColumn)):
            cards = column.cards
            if cards.lead != (index == lead):
                cards.lead = index == lead
                if cards.in_lanes:
                    cards.refresh()
