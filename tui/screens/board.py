"""The board: six state columns of cards, a filter, swimlanes, and live refresh from the file."""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from reqboard.store.cards import Card, validated
from reqboard.store.domain import BOARD_STATES, State
from reqboard.store.errors import InvalidValue, StoreError
from reqboard.store.query import Query
from reqboard.store.storage import paused_gc
from reqboard.store.text import shown

from ..background import NoticesFailedWork, background, describe_fault, failure_message
from ..widgets.card_list import CardList, Item, LaneHeader
from ..widgets.column import ColumnRow, StateColumn
from ..widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from reqboard.store.models import Requirement

    from ..app import ReqboardApp

MIN_COLUMN_WIDTH = 24
"""Narrower columns scroll instead; six of this width (and their gaps) fit in 155 cells."""
LANE_MODES: tuple[str | None, ...] = (None, "tier", "customer")


def sort_key(card: Card) -> tuple[int, int]:
    return (-(card.priority or 0), card.number)


def display_path(path: Path) -> str:
    """The board file as the title shows it: `~/...` under the home directory, saving width."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):  # elsewhere, or no home directory known
        return str(path)


class BoardScreen(NoticesFailedWork, Screen[None]):
    BINDINGS = [
        Binding("left,h", "column(-1)", "Column left", show=False, id="board.left"),
        Binding("right,l", "column(1)", "Column right", show=False, id="board.right"),
        Binding("greater_than_sign,shift+right", "move_next", "Move on", id="card.move-next"),
        Binding("less_than_sign,shift+left", "move_back", "Move back", id="card.move-back"),
        Binding("enter", "open", "Open", id="card.open"),
        Binding("n", "new", "New", id="card.new"),
        Binding("e", "edit", "Edit", id="card.edit"),
        Binding("c", "new_cr", "Change req", show=False, id="card.new-cr"),
        Binding("x", "reject", "Reject", show=False, id="card.reject"),
        Binding("slash", "filter", "Filter", id="board.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear-filter"),
        Binding("s", "swimlanes", "Lanes", id="board.swimlanes"),
        Binding("u", "undo", "Undo", id="board.undo"),
        Binding("a", "archive", "Archive", show=False, id="board.archive"),
        Binding("v", "change_requests", "Change requests", show=False, id="board.change-requests"),
        Binding("r", "reports", "Reports", id="board.reports"),
        Binding("w", "wip_limit", "WIP limit", show=False, id="board.wip-limit"),
    ]

    class Loaded(Message):
        def __init__(self, cards: list[Card], limits: dict[State, int], generation: int,
                     external: bool = False, read_only: str | None = None) -> None:
            super().__init__()
            self.cards = cards
            self.limits = limits
            self.generation = generation
            self.read_only = read_only
            """Why the board cannot be changed (a newer schema), read in the worker, not the UI."""
            self.external = external
            """Another process changed the file (our own writes reach the other screens as app.Changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[Card] = []
        self.by_state: dict[State, list[Card]] = {}
        self.limits: dict[State, int] = {}
        self.generation = -1
        self.query_filter = Query()
        self.lanes: str | None = None
        self.loaded = False
        self.read_only: str | None = None
        self._checked: set[tuple[str, int]] = set()
        """The (key, version) of each record the background check has validated."""
        self._reported_invalid: set[tuple[str, int]] = set()
        self._reported: str | None = None
        """The last read failure said, so that polling does not repeat it."""

    @property
    def rq_app(self) -> ReqboardApp:
        return cast("ReqboardApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="board-title")
        # Hidden until the first read: Textual's first frames then draw a title, not six empty
        # columns that are laid out and drawn again, twice, once the cards arrive. An inline style,
        # not a class: a class change restyles every widget below the row (30 ms).
        with ColumnRow(id="columns") as row:
            row.display = False
            for state in BOARD_STATES:
                yield StateColumn(state)
        yield KeyBar()

    def on_mount(self) -> None:
        self._update_title("loading…")
        self.load()
        self.set_interval(self.rq_app.watch_interval, self.load)

    def _reveal_columns(self) -> None:
        row = self.query_one(ColumnRow)
        if not row.display:
            row.display = True
            self.query_one(f"#cards-{State.COLLECTED.value}", CardList).focus()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Six columns across when they fit; otherwise columns keep a readable width and scroll."""
        width = self.query_one("#columns").size.width or self.size.width
        column_width = max(MIN_COLUMN_WIDTH, (width - 1) // len(BOARD_STATES) - 1)
        for column in self.query(StateColumn):
            column.styles.width = column_width

    # ------------------------------------------------------------------ loading
    def board_changed(self) -> None:
        self.load()

    @background("Reading the board", group="board-load", exclusive=True)
    def load(self) -> None:
        """Re-read the board when the file changed (ours or another process's write)."""
        def read(board: Any) -> BoardScreen.Loaded | None:
            with paused_gc():  # the read and the cards together (see storage.paused_gc)
                external = board.refresh()
                if board.generation == self.generation and self.loaded:
                    return None
                cards = board.cards()
                if not self.loaded:
                    # The first read's records live as long as the app: take them (and the app's
                    # widgets) out of the collector's scans before the full collection that so many
                    # new objects set off scans them all (a quarter of a second at 50,000, on
                    # whichever thread allocates next). Only once: a later freeze would also keep
                    # forever any closed screen that the collector had not yet freed.
                    gc.freeze()
            return self.Loaded(cards, board.wip_limits(), board.generation, external,
                               board.read_only_reason)

        try:
            message = self.rq_app.store_call(read, reading=True)
        except Exception as exc:  # not only StoreError: a fault is a notice too, and the next poll retries
            self.app.call_from_thread(self._load_failed, exc)
            return
        if message is not None:
            self.post_message(message)

    def _load_failed(self, exc: Exception) -> None:
        self._reveal_columns()
        self._update_title("cannot read the board")
        message = failure_message(exc, "Reading the board")
        if self._reported != message:  # the board polls: say it once, not every half second
            self._reported = message
            self.notify(message, severity="error", timeout=15, markup=False)

    def on_board_screen_loaded(self, message: Loaded) -> None:
        self.cards = message.cards
        self.limits = message.limits
        self.generation = message.generation
        if message.read_only and message.read_only != self.read_only:
            self.notify(message.read_only, severity="warning", timeout=15, markup=False)
        self.read_only = message.read_only
        if message.external and self.loaded:
            self._tell_screens_above()
        first = not self.loaded
        self.loaded = True
        self._sort_by_state()
        self.refresh_columns()
        self._reveal_columns()
        # After the cards are on screen: the check must not slow the first frames down.
        self.set_timer(0.5, lambda: self.check_records(self.cards))
        if first:
            self.set_timer(0.1, self._preload)  # soon: the first key should find it all made

    @background("Preparing the store", group="board-preload")
    def _preload(self) -> None:
        """Import and make what the first key needs (the store and its models, the actions, the
        prompt, the detail pane), off the UI thread, once the board is drawn: start-up leaves them
        out to draw the board sooner."""
        from .. import actions  # noqa: F401
        from . import detail, form  # noqa: F401

        self.rq_app.board  # noqa: B018 (the store and its models: made now, not by the first key)

    @background("Checking the records", group="board-check")
    def check_records(self, cards: list[Card]) -> None:
        """Validate, off the UI thread, every record not yet checked: cards are read without the
        models' checks, so a record that breaks a rule (a score of 9) is reported here, once.
        (Not an exclusive worker: a check overlapping the next one only repeats a little work.)"""
        worker = get_current_worker()
        for n, card in enumerate(cards):
            if worker.is_cancelled:
                return
            if (card.key, card.version) in self._checked:
                continue
            try:
                validated(card.record, card.path)
            except Exception as exc:  # whatever the models refuse a record with, it is that record's problem
                self.app.call_from_thread(self._record_invalid, card, exc)
            self._checked.add((card.key, card.version))
            if n % 200 == 199:
                time.sleep(0.001)  # between chunks the UI thread gets the interpreter

    def _record_invalid(self, card: Card, exc: Exception) -> None:
        if (card.key, card.version) in self._reported_invalid:
            return
        self._reported_invalid.add((card.key, card.version))
        problem = (str(exc) if isinstance(exc, StoreError)
                   else f"record {card.key} cannot be read ({describe_fault(exc)})")
        self.notify(f"{problem}. {card.key} is shown but cannot be opened or changed until the file is "
                    "repaired (reqboard check names every problem)", severity="error", timeout=20,
                    markup=False)

    def _tell_screens_above(self) -> None:
        """Only the board polls the file: an open detail, change request or archive re-reads too,
        through the app's own "the board changed" message (this screen's re-read is then a no-op)."""
        self.app.post_message(self.rq_app.Changed())

    # ------------------------------------------------------------------ drawing
    def _sort_by_state(self) -> None:
        """Each column's cards in display order, sorted once per load (filters keep this order)."""
        by_state: dict[State, list[Card]] = defaultdict(list)
        for card in self.cards:
            by_state[card.state].append(card)
        for cards in by_state.values():
            cards.sort(key=sort_key)
        self.by_state = by_state

    def refresh_columns(self) -> None:
        shown_count = 0
        for state in BOARD_STATES:
            all_cards = self.by_state.get(state, [])
            cards = self.query_filter.select(all_cards) if self.query_filter else all_cards
            shown_count += len(cards)
            column = self.query_one(f"#column-{state.value}", StateColumn)
            column.show(self._with_lanes(cards), len(cards), self.limits.get(state), total=len(all_cards))
        self._update_title(None, shown_count)

    def _with_lanes(self, cards: list[Card]) -> list[Item]:
        if self.lanes is None:
            return list(cards)
        groups: dict[str, list[Card]] = defaultdict(list)
        for req in cards:
            if self.lanes == "tier":
                groups[f"Tier {req.tier.value}" if req.tier else "No tier"].append(req)
            else:
                groups[req.customer or "No customer"].append(req)
        order = sorted(groups, key=lambda name: (name.startswith("No "), name.casefold()))
        items: list[Item] = []
        for name in order:
            items.append(LaneHeader(name, len(groups[name])))
            items.extend(groups[name])
        return items

    def _update_title(self, status: str | None, shown_count: int | None = None) -> None:
        board = self.rq_app.reader  # the path and the user: no need to wait for the store's models
        # The path, the user name and the filter are user text: shown, so none can disguise the line.
        path = shown(display_path(board.path), one_line=True)
        parts: list[str | tuple[str, str]] = [("reqboard", "bold"), f"  {path}  "]
        if status:
            parts.append(status)
        else:
            on_board = sum(1 for c in self.cards if c.state is not State.REJECTED)
            rejected = len(self.cards) - on_board
            parts.append(f"{on_board} on the board, {rejected} rejected")
            if self.query_filter:
                parts.append(("  filter: ", "bold"))
                parts.append(f"{shown(self.query_filter.text, one_line=True)} ({shown_count} shown)")
            if self.lanes:
                parts.append(("  lanes: ", "bold"))
                parts.append(f"by {self.lanes}")
        parts.append(f"  user: {shown(board.user, one_line=True)}")
        if self.read_only:
            parts.append(("  READ-ONLY", "bold"))
        self.query_one("#board-title", Static).update(Content.assemble(*parts))

    # ------------------------------------------------------------------ selection
    @property
    def focused_list(self) -> CardList | None:
        focused = self.focused
        return focused if isinstance(focused, CardList) else None

    @property
    def selected(self) -> Card | None:
        cards = self.focused_list
        return cards.selected if cards else None

    def _need_selection(self) -> Requirement | None:
        """The selected card's full requirement, or None (saying why: nothing selected, an invalid record)."""
        card = self.selected
        if card is None:
            self.notify("Select a card first (arrow keys or h/j/k/l)", severity="warning", markup=False)
            return None
        try:
            return card.requirement
        except Exception as exc:  # a record the models refuse, however they refuse it: said, not a crash
            self.notify(failure_message(exc, f"Opening {card.key}"), severity="error", timeout=10, markup=False)
            return None

    def action_column(self, delta: int) -> None:
        cards = self.focused_list
        index = BOARD_STATES.index(cards.state) if cards else 0
        target = BOARD_STATES[max(0, min(len(BOARD_STATES) - 1, index + delta))]
        self.focus_column(target)

    def focus_column(self, state: State) -> CardList:
        cards = self.query_one(f"#cards-{state.value}", CardList)
        cards.focus()
        self.query_one(f"#column-{state.value}", StateColumn).scroll_visible(animate=False)
        return cards

    def select(self, key: str) -> bool:
        """Focus the card with this key (for "go to requirement"); False if it is not shown."""
        for card in self.cards:
            if card.key == key:
                if card.state is State.REJECTED:
                    return False
                return self.focus_column(card.state).select_key(key)
        return False

    @on(CardList.Opened)
    def _opened(self, event: CardList.Opened) -> None:
        self.open_detail(event.card)

    # ------------------------------------------------------------------ actions
    def action_move_next(self) -> None:
        if req := self._need_selection():
            self.rq_app.actions.move_next(req)

    def action_move_back(self) -> None:
        if req := self._need_selection():
            self.rq_app.actions.move_back(req)

    def action_open(self) -> None:
        card = self.selected
        if card is None:
            self._need_selection()
            return
        self.open_detail(card)

    def open_detail(self, card: Card) -> None:
        """Open the detail pane, showing the card's requirement at once (its worker reads it fresh)."""
        from .detail import DetailScreen

        try:
            requirement = card.requirement
        except Exception:  # an invalid record, however the models refuse it: the pane's own read reports it
            requirement = None
        self.app.push_screen(DetailScreen(card.key, requirement))

    def action_new(self) -> None:
        self.rq_app.actions.new()

    def action_edit(self) -> None:
        if req := self._need_selection():
            self.rq_app.actions.edit(req)

    def action_new_cr(self) -> None:
        if req := self._need_selection():
            self.rq_app.actions.new_change_request(req)

    def action_reject(self) -> None:
        if req := self._need_selection():
            self.rq_app.actions.reject(req)

    def action_filter(self) -> None:
        def apply(query: Query | None) -> None:
            if query is not None:
                self.set_filter(query)

        self.rq_app.actions.filter(self.query_filter.text, apply)

    def set_filter(self, query: Query) -> None:
        self.query_filter = query
        self.refresh_columns()

    def action_clear_filter(self) -> None:
        if self.query_filter:
            self.set_filter(Query())

    def action_swimlanes(self) -> None:
        self.lanes = LANE_MODES[(LANE_MODES.index(self.lanes) + 1) % len(LANE_MODES)]
        self.refresh_columns()
        self.notify(f"Swimlanes: {'by ' + self.lanes if self.lanes else 'off'}", timeout=2, markup=False)

    def action_undo(self) -> None:
        self.rq_app.action_undo()

    def action_archive(self) -> None:
        from .archive import ArchiveScreen

        self.app.push_screen(ArchiveScreen())

    def action_change_requests(self) -> None:
        from .change_requests import ChangeRequestsScreen

        self.app.push_screen(ChangeRequestsScreen())

    def action_reports(self) -> None:
        try:
            from .reports import ReportsScreen
        except ImportError:
            self.notify("Reports are not available in this build", severity="warning", markup=False)
            return
        self.app.push_screen(ReportsScreen(self.rq_app.board))

    def action_export(self) -> None:
        self.rq_app.actions.export()

    def action_import_file(self) -> None:
        self.rq_app.actions.import_file()

    def action_wip_limit(self) -> None:
        from .form import FieldSpec, FormScreen

        cards = self.focused_list
        state = cards.state if cards else State.IN_PROGRESS
        current = self.limits.get(state)
        fields = [FieldSpec("limit", f"WIP limit of {state.label} (empty: no limit)",
                            value="" if current is None else str(current))]

        def save(values: dict[str, Any]) -> int | None:
            text = values["limit"].strip()
            limit = int(text) if text.isdecimal() else None  # isdigit() passes "²", which int() refuses
            if text and limit is None:
                raise InvalidValue(f"{text!r} is not a whole number")
            self.rq_app.store_call(lambda board: board.set_wip_limit(state, limit))
            return limit

        def done(result: Any) -> None:
            self.board_changed()

        self.app.push_screen(FormScreen(f"WIP limit: {state.label}", fields, save=save), done)
