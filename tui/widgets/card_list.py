"""A column's cards, drawn virtually: only the lines on screen are rendered, and each is cached.

Thousands of cards cost a list of offsets, not a widget tree. User text goes into Segments as plain
text, so markup or escape sequences in a title are shown as typed and do nothing, and through
`store.text.shown`, so a bidi override or a zero-width character in it is shown as `<U+202E>`
instead of disguising the text around it.

A card is four lines: its key and badges, two of title, its customer with tier and score. A column wide
enough (`WIDE_CARD`, a wide terminal) also says there how many days ago the customer was last in touch
about it; at the usual widths the customer's name needs those cells, and the detail pane says it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reqboard.store import clock
from reqboard.store.cards import Card
from reqboard.store.domain import State
from reqboard.store.i18n import N_, _
from reqboard.store.targets import Outcome
from reqboard.store.text import shown

from .board_view import BLOCKED, IN_CONFLICT, BoardView

CARD_HEIGHT = 5
"""Four lines of card and one of gap."""
WIDE_CARD = 34
"""The inner width (cells) from which a card's last line has room for the last contact: the customer's
name still keeps some 16 cells beside it, tier and score."""
CLOCK_TICK_S = 60.0
"""How often a column looks at the clock between reads of the board: a response target's deadline or a
new day passes while nothing on the board changes."""
SCROLLBAR_WIDTH = 1
BLANK = Style()
"""The style of empty cells: a style, not None, which Textual's NO_COLOR filter cannot take."""


@dataclass(frozen=True)
class LaneHeader:
    """The first line of a swimlane's band: every column draws it on the same row. The column the
    band's title is read in (`CardList.lead`, the leftmost one in view) names the lane and counts its
    cards on the whole board (`total`); the others continue its rule."""

    label: str
    count: int
    """The lane's cards in this column."""
    total: int = 0
    """The lane's cards in every column (those the filter shows)."""
    height: int = 1


@dataclass(frozen=True)
class LaneGap:
    """The empty rest of a lane in a column that holds fewer of its cards than another: it keeps the
    next lane on the same row in every column."""

    height: int


Item = Card | LaneHeader | LaneGap


def fit(text: str, width: int) -> str:
    """Cut `text` to `width` cells (ellipsis when cut) and pad it to exactly `width`."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def wrap(text: str, width: int, lines: int) -> list[str]:
    """Wrap to at most `lines` lines of `width` cells, breaking at spaces where it can."""
    words = text.split()
    rows: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if cell_len(candidate) <= width:
            current = candidate
            continue
        if current:
            rows.append(current)
        current = word
        while cell_len(current) > width:  # a word (or CJK run) longer than the line
            cut, used = 0, 0
            for i, ch in enumerate(current):
                if used + cell_len(ch) > width:
                    cut = i
                    break
                used += cell_len(ch)
            rows.append(current[:cut])
            current = current[cut:]
    if current:
        rows.append(current)
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = fit(rows[-1] + " …", width).rstrip() if cell_len(rows[-1]) + 2 <= width else fit(rows[-1] + "…", width).rstrip()
    return rows + [""] * (lines - len(rows))


def age_days(card: Card, now: datetime) -> int:
    return max(0, (now - card.since).days)


class ScrollBand:
    """The card lists that scroll up and down together while the board shows swimlanes: their lanes
    are rows across the board, and a row must stay one row however any column is scrolled."""

    def __init__(self) -> None:
        self.lists: list[CardList] = []
        self.moving = False
        """A list is passing its scroll on (the others' own watchers then pass nothing back)."""

    def align(self, to: CardList) -> None:
        """Scroll every list in lanes to where `to` is (after the lanes were laid out again)."""
        self.moving = True
        try:
            for other in self.lists:
                if other is not to and other.in_lanes:
                    other.scroll_y = to.scroll_y
        finally:
            self.moving = False


class CardList(ScrollView, can_focus=True):
    """The virtual list of cards of one state column."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", N_("Up"), show=False, id="card.up"),
        Binding("down,j", "cursor(1)", N_("Down"), show=False, id="card.down"),
        Binding("pageup", "page(-1)", N_("Page up"), show=False, id="card.page-up"),
        Binding("pagedown", "page(1)", N_("Page down"), show=False, id="card.page-down"),
        Binding("home", "first", N_("First"), show=False, id="card.first"),
        Binding("end", "last", N_("Last"), show=False, id="card.last"),
    ]

    COMPONENT_CLASSES = {
        "card", "card--selected", "card--key", "card--title", "card--customer", "card--priority",
        "card--badge-cr", "card--badge-suspect", "card--badge-overdue", "card--badge-changed",
        "card--badge-blocked", "card--badge-conflict", "card--badge-sla", "card--age", "card--contact", "card--edge",
        "card--tier-a", "card--tier-b", "card--tier-c", "lane", "empty",
    }

    DEFAULT_CSS = """
    CardList {
        background: $surface;
        /* No scrollbar widgets: the list draws its own bar in its last cell (see render_line). */
        overflow-x: hidden;
        overflow-y: hidden;
    }
    CardList > .card { background: $panel; color: $foreground; }
    CardList > .card--selected { background: $card-selected-background; text-style: bold; }
    CardList > .card--key { color: $primary; text-style: bold; }
    CardList > .card--title { }
    CardList > .card--customer { color: $foreground-muted; }
    CardList > .card--priority { color: $accent; text-style: bold; }
    CardList > .card--badge-cr { color: $badge-cr; text-style: bold; }
    CardList > .card--badge-suspect { color: $badge-suspect; text-style: bold reverse; }
    CardList > .card--badge-overdue { color: $badge-overdue; text-style: bold; }
    CardList > .card--badge-changed { color: $badge-changed; text-style: bold; }
    CardList > .card--badge-blocked { color: $badge-blocked; text-style: bold; }
    CardList > .card--badge-conflict { color: $badge-conflict; text-style: bold; }
    /* A response target breached: the warning colour, which stays light on a panel made grey (NO_COLOR). */
    CardList > .card--badge-sla { color: $badge-sla; text-style: bold; }
    /* NO_COLOR turns every colour into a grey of its lightness: a red badge on the grey panel would be
       grey on grey. There, badges are the foreground colour, and LATE and SLA (which say time is up)
       are shown reversed, as SUS is. */
    .-no-color CardList > .card--badge-cr, .-no-color CardList > .card--badge-changed,
    .-no-color CardList > .card--badge-blocked, .-no-color CardList > .card--badge-conflict { color: $foreground; }
    .-no-color CardList > .card--badge-overdue, .-no-color CardList > .card--badge-sla,
    .-no-color CardList > .card--badge-suspect { color: $foreground; text-style: bold reverse; }
    CardList > .card--age { color: $foreground-muted; }
    CardList > .card--contact { color: $foreground-muted; }
    CardList > .card--edge { color: $primary; }
    CardList > .card--tier-a { color: $tier-a; text-style: bold; }
    CardList > .card--tier-b { color: $tier-b; }
    CardList > .card--tier-c { color: $tier-c; }
    CardList > .lane { color: $secondary; text-style: bold; }
    CardList > .empty { color: $foreground-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)
    """The selected card's row; `watch_cursor` draws the cards whose look changed (not the whole list)."""

    class Highlighted(Message):
        """The selection moved to another card."""

        def __init__(self, card_list: CardList, card: Card | None) -> None:
            super().__init__()
            self.card_list = card_list
            self.card = card

    class Opened(Message):
        """A card was double-clicked."""

        def __init__(self, card_list: CardList, card: Card) -> None:
            super().__init__()
            self.card_list = card_list
            self.card = card

    def __init__(self, state: State, *, id: str | None = None, band: ScrollBand | None = None) -> None:
        """`band`: the lists this one scrolls with while it shows swimlanes."""
        super().__init__(id=id)
        self.state = state
        self.band = band
        if band is not None:
            band.lists.append(self)
        self.lead = False
        """Is this the leftmost column in view, the one that names each lane (see `LaneHeader`)?"""
        self._items: list[Item] = []
        self._offsets: list[int] = [0]
        self._card_rows: list[int] = []  # item index of each card, in cursor order
        self._card_tops: list[int] | None = None  # the line each card starts on (made when first asked)
        self._lane_tops: list[int] = []  # the line each lane's header is on (none without lanes)
        self._lane_tops_set: frozenset[int] = frozenset()
        self._line_width: int | None = None  # the cells of a line's content (see render_line)
        self._thumb_at: tuple[tuple[float, int, int], range] = ((-1.0, 0, 0), range(0))
        self._bars: tuple[str, Segment, Segment] = ("", Segment(" "), Segment(" "))
        self._cache: LRUCache[tuple[str, int, int, int, bool, date, str, str, int, bool], Strip] = LRUCache(1024)
        self._deadlines: dict[str, tuple[int, datetime | None]] = {}
        """By card key, the version and the earliest deadline of a response target it has not reached
        (None: none pending), under the board's targets as last read, for the cards drawn: whether one is
        breached is then a comparison with the time."""
        self._styles: dict[tuple[str, bool], dict[str, Style]] = {}
        self._now = datetime.now(UTC)
        self._today = clock.local_day(self._now)  # the day cards are overdue by: the local one
        self.view = BoardView()
        """What the board around the cards adds (links, sign-off roles, score weights, response targets), as
        last read."""
        self._board_key = hash((self.view.roles, self.view.weights, self.view.targets))

    # ------------------------------------------------------------------ data
    @property
    def cards(self) -> list[Card]:
        items = cast("list[Card]", self._items)  # the card rows index only cards, never a lane header
        return [items[i] for i in self._card_rows]

    @property
    def selected(self) -> Card | None:
        if not self._card_rows:
            return None
        item = self._items[self._card_rows[min(self.cursor, len(self._card_rows) - 1)]]
        return item if isinstance(item, Card) else None

    def set_items(self, items: list[Item], *, keep: str | None = None, view: BoardView | None = None) -> None:
        """Show these items (drawn with `view`, the board as last read, if given); keep the card with
        key `keep` selected if it is still here."""
        previous = keep if keep is not None else (self.selected.key if self.selected else None)
        before = (self._items, self._offsets, self.cursor, self._board_key, self._today)
        self._items = items
        if view is not None and view is not self.view:
            if view.targets != self.view.targets:
                self._deadlines.clear()
            self.view = view
            self._board_key = hash((view.roles, view.weights, view.targets))
        lane_tops: list[int] = []
        card_tops: list[int] | None = None
        if not items or not isinstance(items[0], LaneHeader):
            # Cards alone (swimlanes start with their header): every item is a card of the same
            # height, so the offsets are a range, built in C (a loop was 10 ms a filter at 50,000).
            rows = list(range(len(items)))
            offsets = list(range(0, (len(items) + 1) * CARD_HEIGHT, CARD_HEIGHT))
        else:
            offsets, rows, card_tops = [0], [], []
            for index, item in enumerate(items):
                if isinstance(item, Card):
                    rows.append(index)
                    card_tops.append(offsets[-1])  # where each card starts, for h and l (select_near)
                    offsets.append(offsets[-1] + CARD_HEIGHT)
                else:
                    if isinstance(item, LaneHeader):
                        lane_tops.append(offsets[-1])
                    offsets.append(offsets[-1] + item.height)
        self._offsets, self._card_rows, self._lane_tops, self._card_tops = offsets, rows, lane_tops, card_tops
        self._lane_tops_set = frozenset(lane_tops)
        # No cache clear: a card's lines do not depend on where it sits, and its key carries its
        # version, the day (for its age), its marks, whether a response target is breached and the
        # board's roles, weights and targets (what other cards and the settings add), so lines drawn
        # before a filter or a reload stay valid.
        self._now = datetime.now(UTC)
        self._today = clock.local_day(self._now)  # the day cards are overdue by: the local one
        # Width 0: cards never scroll sideways, and a resize then changes nothing to lay out again.
        self.virtual_size = Size(0, max(offsets[-1], 1))
        index = 0
        if previous is not None:
            cards = cast("list[Card]", items)  # the rows index only cards, never a lane header
            found = next((n for n, i in enumerate(rows) if cards[i].key == previous), None)
            index = min(self.cursor, max(len(rows) - 1, 0)) if found is None else found
        self.set_reactive(CardList.cursor, index)
        self._refresh_changed(*before)
        self.post_message(self.Highlighted(self, self.selected))

    def _refresh_changed(self, items: list[Item], offsets: list[int], cursor: int, board_key: int, today: date) -> None:
        """Draw again what a new list of items changed: where the list kept its layout (the same rows,
        the board's settings and the day), only the items now in another card's place and the selection,
        so that a colleague's change to one card writes that card, not the column (bench: wire)."""
        if (offsets != self._offsets or board_key != self._board_key or today != self._today
                or len(items) != len(self._items)):
            self.refresh()
            return
        top, bottom = int(self.scroll_y), int(self.scroll_y) + self.size.height
        for index, (old, new) in enumerate(zip(items, self._items, strict=True)):
            if old is new or (not isinstance(old, Card) and old == new):
                continue  # (a card unchanged is the same object: the board's card cache keeps it)
            start, end = offsets[index], offsets[index + 1]
            if start < bottom and end > top:
                self.refresh(Region(0, start - top, self.size.width, end - start))
        if cursor != self.cursor:
            self._refresh_card(cursor)
            self._refresh_card(self.cursor)

    def select_key(self, key: str) -> bool:
        items = cast("list[Card]", self._items)  # the card rows index only cards, never a lane header
        for n, i in enumerate(self._card_rows):
            if items[i].key == key:
                self.cursor = n
                return True
        return False

    # ------------------------------------------------------------------ cursor
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._card_rows) - 1)) if self._card_rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        # Two cards change their look: only they are drawn again, unless the list scrolled (then all of
        # it moved, and Textual draws it again anyway). Over SSH every cell is latency (bench: wire).
        before = self.scroll_y
        self._scroll_to_cursor()
        if self.scroll_y == before:
            self._refresh_card(old)
            self._refresh_card(new)
        else:
            self.refresh()
        self.post_message(self.Highlighted(self, self.selected))

    def _refresh_card(self, index: int) -> None:
        """Draw the card of row `index` again (nothing when there is no such row)."""
        if 0 <= index < len(self._card_rows):
            top = self._offsets[self._card_rows[index]] - int(self.scroll_y)
            self.refresh(Region(0, top, self.size.width, CARD_HEIGHT))

    def _scroll_to_cursor(self) -> None:
        if not self._card_rows:
            return
        index = self._card_rows[self.cursor]
        top, height = self._offsets[index], CARD_HEIGHT
        if self._lane_tops and top:  # the line above it too: the top line is the lane's header (render_line)
            top, height = top - 1, height + 1
        self.scroll_to_region(Region(0, top, 1, height), animate=False, force=True)

    def scroll_to_selected(self) -> None:
        """Bring the selected card into view (if it is not), and the lists scrolling with this one."""
        self._scroll_to_cursor()

    # ------------------------------------------------------------------ lanes
    @property
    def in_lanes(self) -> bool:
        return bool(self._lane_tops)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        band = self.band
        if band is None or band.moving or not self._lane_tops:
            return
        # A lane is a row across the board: the other columns scroll with this one.
        band.moving = True
        try:
            for other in band.lists:
                if other is not self and other._lane_tops:
                    other.scroll_y = new
        finally:
            band.moving = False

    def selected_line(self) -> int | None:
        """The line of the list the selected card starts on (None: no card)."""
        if not self._card_rows:
            return None
        return self._offsets[self._card_rows[self.cursor]]

    def select_near(self, line: int) -> None:
        """Select the card nearest to `line` (where another column's selected card starts), in the same
        lane when this column has cards in it: moving between columns keeps the lane and the row."""
        if not self._card_rows:
            return
        if self._card_tops is None:
            self._card_tops = [self._offsets[index] for index in self._card_rows]
        tops = self._card_tops
        low, high = 0, len(tops)
        if self._lane_tops:
            lane = bisect_right(self._lane_tops, line) - 1
            start = self._lane_tops[lane] if lane >= 0 else 0
            end = self._lane_tops[lane + 1] if lane + 1 < len(self._lane_tops) else self._offsets[-1]
            first, last = bisect_left(tops, start), bisect_left(tops, end)
            if first < last:  # cards of that lane here: only they are candidates
                low, high = first, last
        at = min(max(bisect_left(tops, line, low, high), low), high - 1)
        if at > low and line - tops[at - 1] <= tops[at] - line:
            at -= 1
        self.cursor = at

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Cards never scroll sideways: left/right belong to the board (next column), and help says so.
        if action in ("scroll_left", "scroll_right", "page_left", "page_right"):
            return False
        return True

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.size.height // CARD_HEIGHT)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._card_rows) - 1

    # Focus changes only how the selected card looks. Textual's own handlers (Widget._on_focus and
    # _on_blur, and Widget.focus) draw the whole widget again: a column of cards per key over SSH. These
    # do what they do (has_focus, the parent told) and draw only the selected card; Textual is pinned.
    def focus(self, scroll_visible: bool = True) -> CardList:
        def set_focus(widget: CardList) -> None:
            try:
                widget.screen.set_focus(self, scroll_visible=scroll_visible)
            except NoScreen:
                pass

        self.app.call_later(set_focus, self)
        return self

    def on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))
        self._refresh_selected()
        self.post_message(self.Highlighted(self, self.selected))

    def on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))
        self._refresh_selected()

    def _refresh_selected(self) -> None:
        """Focus changes only how the selected card looks: redraw that card, not the column."""
        if not self._card_rows:
            self.refresh()
            return
        top = self._offsets[self._card_rows[self.cursor]] - int(self.scroll_y)
        self.refresh(Region(0, top, self.size.width, CARD_HEIGHT))

    def on_resize(self) -> None:
        self._cache.clear()
        self._line_width = None

    def on_mount(self) -> None:
        self.set_interval(CLOCK_TICK_S, self.tick)

    def tick(self) -> None:
        """Take the time again: a card whose response target's deadline passed since shows SLA, and a new
        day ages every card (lines whose look did not change come from the cache)."""
        now = datetime.now(UTC)
        today = clock.local_day(now)
        changed = today != self._today or any(d is not None and self._now < d <= now for _v, d in self._deadlines.values())
        self._now, self._today = now, today
        if changed:
            self.refresh()

    # ------------------------------------------------------------------ mouse
    def _card_at(self, y: int) -> int | None:
        line = y + int(self.scroll_y)
        if line >= self._offsets[-1]:
            return None
        index = bisect_right(self._offsets, line) - 1
        if not isinstance(self._items[index], Card):
            return None
        return self._card_rows.index(index)

    def on_click(self, event: events.Click) -> None:
        card = self._card_at(event.y)
        if card is None:
            return
        self.focus()
        self.cursor = card
        if event.chain >= 2 and self.selected is not None:
            self.post_message(self.Opened(self, self.selected))

    # ------------------------------------------------------------------ scrolling
    # The bar is drawn in the last cell of each line: six ScrollBar widgets, one a column, made
    # Textual cut and compose six more regions on every line of every frame (50 ms of the first
    # frame at 10,000 requirements). The mouse wheel scrolls as before.
    @property
    def allow_vertical_scroll(self) -> bool:
        return not self._check_disabled() and self.max_scroll_y > 0

    def _thumb(self, scrolled: float) -> range:
        """The lines of the widget where the scrollbar's thumb is (none when everything fits)."""
        height, total = self.size.height, self._offsets[-1]
        key = (scrolled, height, total)
        if self._thumb_at[0] == key:  # asked for each line of a frame: worked out once
            return self._thumb_at[1]
        if total <= height or height <= 0:
            thumb = range(0)
        else:
            size = max(1, height * height // total)
            top = round(scrolled / max(1, total - height) * (height - size))
            thumb = range(top, top + size)
        self._thumb_at = (key, thumb)
        return thumb

    def _bar(self, thumb: bool) -> Segment:
        """The scrollbar's cell of a line, its segments made once per theme (not for every line)."""
        theme = self.app.theme
        if self._bars[0] != theme:
            styles = self.styles
            self._bars = (theme, Segment(" ", Style(bgcolor=styles.scrollbar_background.rich_color)),
                          Segment(" ", Style(bgcolor=styles.scrollbar_color.rich_color)))
        return self._bars[2] if thumb else self._bars[1]

    # ------------------------------------------------------------------ drawing
    def render_line(self, y: int) -> Strip:
        # The width and the scroll are read once a line: each read of them costs Textual a computation,
        # and a scroll of the board with lanes draws every line of six columns.
        if self._line_width is None:
            self._line_width = max(self.scrollable_content_region.width - SCROLLBAR_WIDTH, 1)
        width, scrolled = self._line_width, self.scroll_y
        line = y + int(scrolled)
        if y == 0 and self._lane_tops and line not in self._lane_tops_set:
            # Scrolled into a lane: its header stays on the top line, so that the lane is named in view.
            line = self._lane_tops[max(bisect_right(self._lane_tops, line) - 1, 0)]
        if line in self._lane_tops_set:
            # A lane's header runs over the scrollbar's cell: the band reads as one line across the board.
            item = self._items[bisect_right(self._offsets, line) - 1]
            if isinstance(item, LaneHeader):
                return self._lane_line(item, width + SCROLLBAR_WIDTH)
        content = self._content_line(y, line, width)
        return Strip([*content, self._bar(y in self._thumb(scrolled))], content.cell_length + SCROLLBAR_WIDTH)

    def _content_line(self, y: int, line: int, width: int) -> Strip:
        if not self._items:
            if y == 1:
                return Strip([Segment(fit("  " + _("(none)"), width), self.get_component_rich_style("empty"))])
            return Strip.blank(width, BLANK)
        if line >= self._offsets[-1]:
            return Strip.blank(width, BLANK)
        index = bisect_right(self._offsets, line) - 1
        item = self._items[index]
        row = line - self._offsets[index]
        if isinstance(item, LaneHeader):
            return self._lane_line(item, width)
        if isinstance(item, LaneGap):
            return Strip.blank(width, BLANK)
        # Only the focused column shows its selection: one highlighted card on the board.
        selected = self.has_focus and self._card_rows and self._card_rows[self.cursor] == index
        # Everything a line depends on: focus restyles the widget but changes none of these, so
        # moving between columns redraws from the cache; a new theme is a new key. Its marks come
        # from other cards (a blocker done, a conflict settled) and the context from the settings;
        # a response target is breached once its deadline passes, which no version records.
        breached = self.breached(item)
        key = (item.key, item.version, row, width, bool(selected), self._today, self.app.theme,
               self.view.marks.get(item.key, ""), self._board_key, breached)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._card_line(item, row, width, bool(selected), breached)
            self._cache[key] = strip
        return strip

    def _lane_line(self, lane: LaneHeader, width: int) -> Strip:
        """A lane's header: its name and its cards on the board in the column that names lanes, and in
        the others its rule, which runs on across the board."""
        style = self.get_component_rich_style("lane")
        if not self.lead:
            return Strip([Segment("─" * width, style)])
        name = shown(lane.label, one_line=True)
        # i18n: a swimlane's header: its name (a customer, a tier) and how many cards the board shows in it
        said = _("{lane} ({count})")
        room = width - 4 - cell_len(said.format(lane="", count=lane.total))  # "── " before, a space after
        if cell_len(name) > room:  # a name too long for the column is cut (with an ellipsis), not its count
            name = fit(name, max(room, 2)).rstrip()
        label = "── " + said.format(lane=name, count=lane.total) + " "
        # The rule runs to the edge (on a very narrow column, the label is cut).
        text = label + "─" * (width - cell_len(label)) if cell_len(label) <= width else fit(label, width)
        return Strip([Segment(text, style)])

    def _card_styles(self, selected: bool) -> dict[str, Style]:
        """The card's base style and each part's style on it, worked out once per theme (drawing
        asked Textual for them ten times a line)."""
        key = (self.app.theme, selected)
        styles = self._styles.get(key)
        if styles is None:
            base = self.get_component_rich_style("card")
            if selected:
                base += self.get_component_rich_style("card--selected")
            styles = {name: base + self.get_component_rich_style(name, partial=True)
                      for name in self.COMPONENT_CLASSES if name.startswith("card--")}
            styles["card"] = base
            self._styles[key] = styles
        return styles

    def breached(self, card: Card) -> bool:
        """Is one of its response targets breached (the SLA badge), as of the time last taken (a read, or
        the clock's tick)? Its targets' checks are worked out once per version of the card (`_deadlines`),
        and only for the cards drawn."""
        targets = self.view.targets
        if not targets:
            return False
        known = self._deadlines.get(card.key)
        if known is not None and known[0] == card.version:
            deadline = known[1]
        else:
            pending = [check.deadline for check in card.target_checks(targets, self._now)
                       if check.outcome in (Outcome.OPEN, Outcome.BREACHED)]
            deadline = min(pending) if pending else None
            self._deadlines[card.key] = (card.version, deadline)
        return deadline is not None and self._now > deadline

    def _card_line(self, req: Card, row: int, width: int, selected: bool, breached: bool = False) -> Strip:
        if row == CARD_HEIGHT - 1:
            return Strip.blank(width, BLANK)
        part = self._card_styles(selected)
        style = part["card"]
        edge = Segment("▌" if selected else "▏", part["card--edge"])
        inner = max(width - 2, 1)
        segments: list[Segment] = [edge]
        if row == 0:
            key = shown(req.key, one_line=True)
            badges = self._badges(req, breached)
            badge_width = sum(cell_len(text) + 1 for text, _cls in badges)
            while badge_width + cell_len(key) > inner and len(badges) > 1:
                # Too many badges for the key to show whole: the age goes first (the others say more),
                # then the last of the others.
                badges.pop()
                badge_width = sum(cell_len(text) + 1 for text, _cls in badges)
            key_width = max(inner - badge_width, 1)
            segments.append(Segment(fit(key, key_width), part["card--key"]))
            for text, cls in badges:
                segments.append(Segment(" ", style))
                segments.append(Segment(text, part[cls]))
        elif row in (1, 2):
            segments.append(Segment(wrap(shown(req.title, one_line=True), inner, 2)[row - 1], part["card--title"]))
        else:
            score = self.view.score(req)
            # Importance x urgency as P; the team's own score, when the board weighs more, as S (the
            # filter's `priority:` is importance x urgency whatever the weights).
            letter = "P" if self.view.weights.is_default else "S"
            priority = f"{letter}{score:g}" if score is not None else ""
            tier_value = req.tier.value if req.tier else ""
            tier = f" {tier_value}" if tier_value else ""
            contact = f" {self._contact(req)}" if inner >= WIDE_CARD and req.last_contact is not None else ""
            customer_width = max(inner - cell_len(priority) - cell_len(tier) - cell_len(contact) - 1, 1)
            segments.append(Segment(fit(shown(req.customer, one_line=True) or "—", customer_width),
                                    part["card--customer"]))
            if tier:
                segments.append(Segment(tier, part[f"card--tier-{tier_value.lower()}"]))
            if contact:
                segments.append(Segment(contact, part["card--contact"]))
            segments.append(Segment(" " + priority, part["card--priority"]))
        strip = Strip(segments)
        return strip.adjust_cell_length(width - 1, style).extend_cell_length(width, Style())

    def _contact(self, req: Card) -> str:
        """How long ago the customer was last in touch about it, in local calendar days (short)."""
        at = req.last_contact
        days = max(0, (self._today - clock.local_day(at)).days) if at is not None else 0
        # i18n: a wide card's last line: days since the last note or feedback (short: it shares the line)
        return _("contact {days}d ago").format(days=days)

    def _badges(self, req: Card, breached: bool = False) -> list[tuple[str, str]]:
        """The badges of a card's first line, the age last: short codes, and short in every language
        (two Chinese characters are four cells of a line the key shares)."""
        badges: list[tuple[str, str]] = []
        open_crs = req.open_change_requests
        if open_crs:
            # i18n: badge: how many open change requests a card has (short: it shares a line with the key)
            badges.append((_("CR{count}").format(count=open_crs), "card--badge-cr"))
        if req.needs_reapproval(self.view.roles):
            # i18n: badge: the approved text changed since the approval (short)
            badges.append((_("CHG"), "card--badge-changed"))
        marks = self.view.marks.get(req.key)
        if marks:
            if BLOCKED in marks:
                # i18n: badge: it waits on a requirement it depends on that is not done yet (short)
                badges.append((_("BLK"), "card--badge-blocked"))
            if IN_CONFLICT in marks:
                # i18n: badge: in conflict with another requirement, no decision yet (short)
                badges.append((_("CON"), "card--badge-conflict"))
        if req.suspect:
            # i18n: badge: a requirement this one depends on changed: suspect (short)
            badges.append((_("SUS"), "card--badge-suspect"))
        if breached:
            # i18n: badge: a response target (reach a state within so many days) has passed unmet (short)
            badges.append((_("SLA"), "card--badge-sla"))
        if req.overdue(self._today):
            # i18n: badge: past its due date (short)
            badges.append((_("LATE"), "card--badge-overdue"))
        # i18n: badge: days since the card entered its state (short)
        badges.append((_("{days}d").format(days=age_days(req, self._now)), "card--age"))
        return badges
