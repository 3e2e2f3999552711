"""The board: six state columns of cards, a filter, swimlanes, and live refresh: from the file (polled),
or from the server (told by its listener, with "offline, reconnecting" while it cannot be reached)."""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from reqboard.store import collation
from reqboard.store.cards import Card, validated
from reqboard.store.domain import BOARD_STATES, State
from reqboard.store.errors import ServerUnreachable, StoreError
from reqboard.store.i18n import N_, _
from reqboard.store.query import Query
from reqboard.store.text import shown

from ..background import NoticesFailedWork, background, describe_fault, failure_message
from ..keys import pass_on
from ..link import StoreLink
from ..messages import BoardChanged, Connection, ReadFailed, ServerSignal
from ..phrases import labelled
from ..reads import BoardCards, ReadPolicy, board_cards, card_requirement
from ..widgets.board_view import BoardView
from ..widgets.card_list import CARD_HEIGHT, CardList, Item, LaneGap, LaneHeader, ScrollBand
from ..widgets.column import ColumnRow, StateColumn
from ..widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from reqboard.store.models import Requirement

    from ..actions import RequirementActions

LOADING = N_("Reading the board")
RECONNECT_EVERY_S = 2.0
"""While the board's server cannot be reached, how often the board asks it again (it is also asked as
soon as the storage's listener gets through)."""
OFFLINE = N_("OFFLINE, reconnecting")
SERVER_SCHEMES = ("postgresql://", "postgres://")

MIN_COLUMN_WIDTH = 19
"""A card still reads at this width (a key with two badges, titles of 16 cells a line, a customer's name
beside tier and score); six of it and their gaps fit in 119 cells, and narrower terminals scroll."""
LANE_MODES: tuple[str | None, ...] = (None, "tier", "customer")
KEY_BAR_PRIORITY = ("card.move-next", "card.move-back", "card.open", "card.new", "card.edit", "board.filter",
                    "board.undo", "board.reports", "board.swimlanes")
"""The keys a narrow key bar keeps, after help and quit, first to last: what works a card, then the board's views."""

HUSH_S = 0.6
"""After a key that could have opened a dialog did not (a move that needed no input, a refusal), letters
typed within this long of it, or of the letter before, are text meant for a dialog: they are not board
keys. Typing runs faster than this; a key pressed as a command after reading the notice, slower."""
UNHUSHED_KEYS = frozenset({"h", "j", "k", "l", "u", "up", "down", "left", "right", "home", "end", "pageup",
                           "pagedown"})
"""Keys never hushed: those that only move the selection, and `u`, which takes back what the key before it
did (the remedy for a move that surprised)."""


FIRST_WINDOW = 60
"""How many cards of each column the first frame of a server's board reads (more than a tall terminal
shows): the whole board follows right after."""


def sort_key(card: Card) -> tuple[float, int]:
    """A column's order under the default weights: the priority, highest first, then the key."""
    return (-(card.priority or 0), card.number)


def sort_key_of(view: BoardView) -> Callable[[Card], tuple[float, int]]:
    """A column's order under the board's score weights: the score, highest first, then the key."""
    scores = view.scores
    if scores is None:
        return sort_key
    return lambda card: (-(scores.get(card.key) or 0), card.number)


def display_path(path: Path) -> str:
    """The board as the title shows it, saving width: a file as `~/...` under the home directory; a
    server's board as its database and where the server is (messages name its whole URL)."""
    location = str(path)
    if location.startswith(SERVER_SCHEMES):
        from reqboard.store.pgstore.url import ServerURL

        url = ServerURL.parse(location)
        return _("{database} on {host}:{port}").format(database=url.database, host=url.host, port=url.port)
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):  # elsewhere, or no home directory known
        return str(path)


class BoardScreen(NoticesFailedWork, Screen[None]):
    # Screen.focused repaints the whole screen when focus moves (Textual's default for a reactive): each
    # move to another column then wrote the screen over SSH. The widgets that look focused draw
    # themselves (a card list its selected card, a column its header); the key bar follows the bindings.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    BINDINGS = [
        # Descriptions are marked for the catalogue: the key bar and help translate them where shown.
        Binding("left,h", "column(-1)", N_("Column left"), show=False, id="board.left"),
        Binding("right,l", "column(1)", N_("Column right"), show=False, id="board.right"),
        Binding("greater_than_sign,shift+right", "move_next", N_("Move on"), id="card.move-next"),
        Binding("less_than_sign,shift+left", "move_back", N_("Move back"), id="card.move-back"),
        Binding("enter", "open", N_("Open"), id="card.open"),
        Binding("n", "new", N_("New"), id="card.new"),
        Binding("e", "edit", N_("Edit"), id="card.edit"),
        Binding("c", "new_cr", N_("Change req"), show=False, id="card.new-cr"),
        Binding("x", "reject", N_("Reject"), show=False, id="card.reject"),
        Binding("N", "note", N_("Note a contact"), show=False, id="card.note"),
        Binding("f", "interim_feedback", N_("Interim feedback"), show=False, id="card.interim-feedback"),
        Binding("slash", "filter", N_("Filter"), id="board.filter"),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False, id="board.clear-filter"),
        Binding("s", "swimlanes", N_("Lanes"), id="board.swimlanes"),
        Binding("u", "undo", N_("Undo"), id="board.undo"),
        Binding("a", "archive", N_("Archive"), show=False, id="board.archive"),
        Binding("v", "change_requests", N_("Change requests"), show=False, id="board.change-requests"),
        Binding("r", "reports", N_("Reports"), id="board.reports"),
        Binding("w", "wip_limit", N_("WIP limit"), show=False, id="board.wip-limit"),
    ]

    @dataclass(eq=False)
    class Loaded(Message, bubble=False):
        """The board as read (None: the file has not changed since the last read)."""

        board: BoardCards | None

    @dataclass(eq=False)
    class Picked(Message, bubble=False):
        """The selected card's whole requirement, read for a key; `then` is what the key does with it."""

        requirement: Requirement
        then: Callable[[Requirement], None]

    @dataclass(eq=False)
    class RecordInvalid(Message, bubble=False):
        """The background check found a record that breaks a rule."""

        card: Card
        error: Exception

    def __init__(self, link: StoreLink, *, poll_interval: float, read_policy: ReadPolicy) -> None:
        """`read_policy`: what a read of the whole board runs inside (the app's gc policy)."""
        super().__init__()
        self.link = link
        self.poll_interval = poll_interval
        self.read_policy = read_policy
        self.cards: list[Card] = []
        self.by_state: dict[State, list[Card]] = {}
        self.limits: dict[State, int] = {}
        self.wip_strict = False
        """The WIP limits refuse moves past them (a column at its limit says it is full)."""
        self.view = BoardView()
        """The links, sign-off roles and score weights of the latest read (the badges, the order, what a
        move asks for)."""
        self.generation = -1
        self.card_epoch = 0
        """The card cache's epoch of the cards drawn (see `CardCache.changes_since`)."""
        self.window: dict[State, int] | None = None
        """While only the first frame's cards are drawn (a server's board): how many each state holds."""
        self._whole_read = False  # the read policy is told of the first whole read only
        self.query_filter = Query()
        self.lanes: str | None = None
        self.loaded = False
        self.read_only: str | None = None
        self.watched = False
        """Does the storage tell the board of other clients' commits (a server), so that it need not poll?"""
        self.offline: str | None = None
        """Why the board's server cannot be reached (shown in the title), or None."""
        self._reconnecting: Timer | None = None
        self._whole: dict[str, Requirement] = {}
        """The whole requirements read for a server's cards by key (see `with_selection`)."""
        self._status: str | None = _("loading…")
        self._shown_count: int | None = None
        self._read_again = False
        """Our own change came while a read was running: read once more when it answers."""
        self._checked: set[tuple[str, int]] = set()
        """The (key, version) of each record the background check has validated."""
        self._reported_invalid: set[tuple[str, int]] = set()
        self._reported: str | None = None
        """The last read failure said, so that polling does not repeat it."""
        self._actions: RequirementActions | None = None
        self._follow: tuple[str, State, int] | None = None
        """A card a change of ours just moved or made (key, state, version): selected once a read shows it."""
        self._hush_until = 0.0
        """Until when (time.monotonic) typed letters are taken as text meant for a dialog (see HUSH_S)."""
        self._hush_said = False
        self._expecting = False
        """A key's dialog waits for a read (a server's card): the keys typed meanwhile are held for it."""
        self._held_keys: list[events.Key] = []

    @property
    def actions(self) -> RequirementActions:
        """What the keys do to a requirement; made on first use (its module loads the models)."""
        if self._actions is None:
            from ..actions import RequirementActions

            self._actions = RequirementActions(self.link, self)
        return self._actions

    def compose(self) -> ComposeResult:
        yield Static("", id="board-title")
        # Hidden until the first read: Textual's first frames then draw a title, not six empty
        # columns that are laid out and drawn again, twice, once the cards arrive. An inline style,
        # not a class: a class change restyles every widget below the row (30 ms).
        with ColumnRow(id="columns") as row:
            row.display = False
            band = ScrollBand()  # swimlanes are rows across the board: the columns scroll together
            for state in BOARD_STATES:
                yield StateColumn(state, band=band)
        yield KeyBar(priority=KEY_BAR_PRIORITY)

    def on_mount(self) -> None:
        self._update_title(_("loading…"))
        self.watched = self.link.watch(self)
        self.load()
        if not self.watched:
            # Only the board polls the file; a poll that finds the last read still running is skipped.
            self.set_interval(self.poll_interval, lambda: self.load(poll=True))

    def _reveal_columns(self) -> None:
        row = self.query_one(ColumnRow)
        if not row.display:
            row.display = True
            self.query_one(f"#cards-{State.COLLECTED.value}", CardList).focus()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Six columns across when they fit; otherwise as many as fit whole, which scroll by columns."""
        row = self.query_one(ColumnRow)
        row.fit(row.size.width or self.size.width, MIN_COLUMN_WIDTH)
        cards = self.focused_list
        if cards is not None:  # the selected column stays in view
            row.call_after_refresh(row.show_column, self.query_one(f"#column-{cards.state.value}", StateColumn))

    # ------------------------------------------------------------------ loading
    def on_board_changed(self, message: BoardChanged) -> None:
        self.load()

    def load(self, *, poll: bool = False) -> None:
        """Re-read the board if the file changed (ours or another process's write). A read is never
        cancelled and restarted: while one runs, a poll is skipped and a change reads once more after it."""
        whole = self.loaded and self.window is None  # the board drawn so far was all of it
        window = None if self.loaded else FIRST_WINDOW
        read = board_cards(self.generation if whole else None, self.read_policy,
                           self.card_epoch if whole else None, window=window,
                           first=not self._whole_read)
        if not self.link.read(self, read, answer=self.Loaded, doing=LOADING, cards_only=True) and not poll:
            self._read_again = True

    def _answered(self) -> None:
        if self._read_again:
            self._read_again = False
            self.load()

    # ------------------------------------------------------------------ the server
    def on_server_signal(self, message: ServerSignal) -> None:
        """The server spoke: another client committed (read the board now), or the connection was lost
        or is back, or a change was held (ask the server: once it answers, the held changes are made)."""
        problem = self.link.connection_problem
        if self.offline is None and problem is None and not self.link.held:
            self.load()
            return
        if problem is not None:
            self._show_offline(problem)
        self.link.reconnect(self)

    def on_connection(self, message: Connection) -> None:
        """What asking the server found: still unreachable, or back (every open screen reads again)."""
        if message.problem is not None:
            self._show_offline(message.problem)
            return
        if self.offline is None:
            self.load()
            return
        self.offline = None
        if self._reconnecting is not None:
            self._reconnecting.stop()
            self._reconnecting = None
        self._draw_title()
        self.notify(_("Connected to the server again"), timeout=4, markup=False)
        self.app.post_message(BoardChanged(external=True))

    def _show_offline(self, problem: str) -> None:
        """Say that the server cannot be reached: in the title while it lasts, in a notice once. What is
        on screen stays; the board keeps asking the server."""
        first = self.offline is None
        self.offline = problem
        self._draw_title()
        if first:
            self.notify(problem, severity="warning", timeout=8, markup=False)
            self._reconnecting = self.set_interval(RECONNECT_EVERY_S, lambda: self.link.reconnect(self))

    def on_read_failed(self, message: ReadFailed) -> None:
        """Not only a StoreError: a fault is a notice too, and the next poll retries (on a server, the
        next time it speaks; a lost connection is asked about, shown as offline, and read again once back)."""
        if message.doing != LOADING:  # a card's requirement, read for a key
            self.notify(failure_message(message.error, message.doing), severity="error", timeout=8, markup=False)
            self._asked(len(self.app.screen_stack))
            return
        self._answered()
        self._reveal_columns()
        if self.watched and isinstance(message.error, ServerUnreachable):
            self.link.reconnect(self)
            return
        self._update_title(_("cannot read the board"))
        said = failure_message(message.error, message.doing)
        if self._reported != said:  # the board polls: say it once, not every half second
            self._reported = said
            self.notify(said, severity="error", timeout=15, markup=False)

    def on_board_screen_loaded(self, message: Loaded) -> None:
        if message.board is not None and message.board.counts is None:
            self._whole_read = True  # (before a read asked for again below: it is not the first)
        self._answered()
        read = message.board
        if read is None:
            return
        self.cards = read.cards
        self.limits = read.limits
        self.wip_strict = read.strict
        self.generation = read.generation
        if read.read_only and read.read_only != self.read_only:
            self.notify(read.read_only, severity="warning", timeout=15, markup=False)
        self.read_only = read.read_only
        if read.external and self.loaded:
            # An open detail, change request or archive re-reads too (this screen's re-read is a no-op).
            self.app.post_message(BoardChanged(external=True))
        first = not self.loaded
        self.loaded = True
        was_window, self.window = self.window, read.counts
        reweighed = read.view.weights != self.view.weights
        self.view = read.view
        if read.changed is None or first or was_window is not None or reweighed:
            self._sort_by_state()
        else:
            self._resort(read.changed)
        self.card_epoch = read.epoch
        self.refresh_columns()
        self._find_followed()
        if self.window is not None:  # the first frame's cards only: the whole board next, off this thread,
            self.call_after_refresh(self.load)  # once that frame is drawn (its read would slow the drawing)
        self._reveal_columns()
        # After the cards are on screen: the check must not slow the first frames down.
        self.set_timer(0.5, lambda: self.check_records(self.cards))
        if first:
            self.set_timer(0.1, self._preload)  # soon: the first key should find it all made

    def _preload(self) -> None:
        """Make and import what the first key needs (the store and its models, the actions, the
        prompt, the detail pane, the reports with their charts), off the UI thread, once the board
        is drawn: start-up leaves them out to draw the board sooner."""
        self.link.prepare(self)
        self._import_screens()

    @background(N_("Preparing the screens"), group="board-preload")
    def _import_screens(self) -> None:
        from .. import actions  # noqa: F401
        from . import detail, form, reports  # noqa: F401  (reports: plotext, 90 ms on a slow machine, 0.5 MB)

    @background(N_("Preparing the filter"), group="board-filter")
    def prepare_filter(self, cards: list[Card]) -> None:
        """Work out each card's search text and pinyin initials off the UI thread while the filter is
        being typed, so that applying it does not pay for them (about a second for 10,000 Chinese
        titles). Not at start-up: pypinyin's dictionary costs some 55 MB, which only a board that is
        filtered needs."""
        from reqboard.store.query import prepare

        prepare(cards)

    @background(N_("Checking the records"), group="board-check")
    def check_records(self, cards: list[Card]) -> None:
        """Validate, off the UI thread, every record not yet checked: cards are read without the
        models' checks, so a record that breaks a rule (a score of 9) is reported here, once.
        (Not an exclusive worker: a check overlapping the next one only repeats a little work.)"""
        worker = get_current_worker()
        for n, card in enumerate(cards):
            if worker.is_cancelled:
                return
            if (card.key, card.version) in self._checked or card.partial:
                continue  # a partial card (a server's) holds only what it shows: checked when it is opened
            try:
                validated(card.record, card.path)
            except Exception as exc:  # whatever the models refuse a record with, it is that record's problem
                self.post_message(self.RecordInvalid(card, exc))
            self._checked.add((card.key, card.version))
            if n % 200 == 199:
                time.sleep(0.001)  # between chunks the UI thread gets the interpreter

    def on_board_screen_record_invalid(self, message: RecordInvalid) -> None:
        card = message.card
        if (card.key, card.version) in self._reported_invalid:
            return
        self._reported_invalid.add((card.key, card.version))
        exc = message.error
        problem = (str(exc) if isinstance(exc, StoreError)
                   else _("record {key} cannot be read ({fault})").format(key=card.key, fault=describe_fault(exc)))
        self.notify(_("{problem}. {key} is shown but cannot be opened or changed until the file is repaired "
                      "(reqboard check names every problem)").format(problem=problem, key=card.key),
                    severity="error", timeout=20, markup=False)

    # ------------------------------------------------------------------ drawing
    def _sort_by_state(self) -> None:
        """Each column's cards in display order, sorted once per load (filters keep this order)."""
        by_state: dict[State, list[Card]] = defaultdict(list)
        for card in self.cards:
            by_state[card.state].append(card)
        order = sort_key_of(self.view)
        for cards in by_state.values():
            cards.sort(key=order)
        self.by_state = by_state

    def _resort(self, changed: dict[str, Card | None]) -> None:
        """Each column's cards in display order after only `changed` changed (another client's few
        cards on a board of 100,000): the others keep their places, the changed ones are put back in
        order, without sorting every card again."""
        if not changed:
            return
        by_state: dict[State, list[Card]] = defaultdict(list)
        for state, cards in self.by_state.items():
            by_state[state] = [card for card in cards if card.key not in changed]
        order = sort_key_of(self.view)
        for card in changed.values():
            if card is not None:
                bisect.insort(by_state[card.state], card, key=order)
        self.by_state = by_state

    def refresh_columns(self) -> None:
        shown_count = 0
        visible: dict[State, list[Card]] = {}
        for state in BOARD_STATES:
            all_cards = self.by_state.get(state, [])
            visible[state] = self.query_filter.select(all_cards) if self.query_filter else all_cards
            shown_count += len(visible[state])
        items = self._with_lanes(visible)
        for state in BOARD_STATES:
            all_cards, cards = self.by_state.get(state, []), visible[state]
            column = self.query_one(f"#column-{state.value}", StateColumn)
            if self.window is not None:  # the first cards of a column: its count is the server's
                held = self.window.get(state, 0)
                column.show(items[state], len(cards) if self.query_filter else held,
                            self.limits.get(state), total=held, view=self.view, strict=self.wip_strict)
                continue
            column.show(items[state], len(cards), self.limits.get(state), total=len(all_cards), view=self.view,
                        strict=self.wip_strict)
        focused = self.focused_list
        if self.lanes is not None and focused is not None and focused.band is not None:
            # The lanes were laid out again (a card came or went, the filter changed): the selected
            # card in view, and every column scrolled as far, so that each lane stays one row.
            focused.scroll_to_selected()
            focused.band.align(focused)
        self._update_title(None, shown_count)

    def _with_lanes(self, visible: dict[State, list[Card]]) -> dict[State, list[Item]]:
        """Each column's items: its cards, or with swimlanes, the lanes as rows across the board. Every
        column holds every lane, in one order, and each lane as many lines in every column (the one with
        most of its cards sets it; the others fill with a gap), so that a lane's band is level."""
        if self.lanes is None:
            return {state: list(cards) for state, cards in visible.items()}
        by_tier = self.lanes == "tier"
        groups: dict[State, dict[str | None, list[Card]]] = {}
        for state, cards in visible.items():
            lanes: dict[str | None, list[Card]] = defaultdict(list)
            for req in cards:  # by tier or customer; None: the cards without one
                lanes[(req.tier.value if req.tier else None) if by_tier else (req.customer or None)].append(req)
            groups[state] = lanes
        names = {name for lanes in groups.values() for name in lanes}
        # The lane without a name comes last; the others in the order a reader looks for names: pinyin
        # order for Chinese ones (collation.sort_key).
        order = sorted(names, key=lambda name: (name is None, collation.sort_key(name or "")))
        items: dict[State, list[Item]] = {state: [] for state in visible}
        for name in order:
            counts = {state: len(groups[state].get(name, ())) for state in visible}
            label, total, deepest = self._lane_label(name), sum(counts.values()), max(counts.values())
            for state, column in items.items():
                column.append(LaneHeader(label, counts[state], total))
                column.extend(groups[state].get(name, ()))
                if counts[state] < deepest:
                    column.append(LaneGap((deepest - counts[state]) * CARD_HEIGHT))
        return items

    def _lane_label(self, name: str | None) -> str:
        if self.lanes == "tier":
            return _("Tier {tier}").format(tier=name) if name else _("No tier")
        return name or _("No customer")

    def _update_title(self, status: str | None, shown_count: int | None = None) -> None:
        self._status, self._shown_count = status, shown_count
        self._draw_title()

    def _draw_title(self) -> None:
        status, shown_count = self._status, self._shown_count
        # The path, the user name and the filter are user text: shown, so none can disguise the line.
        path = shown(display_path(self.link.path), one_line=True)
        parts: list[str | tuple[str, str]] = [("reqboard", "bold")]
        # What a person must not miss comes before the location, which may be long (a server's URL).
        if self.offline:
            parts.append(("  " + _(OFFLINE), "bold reverse"))
        if self.read_only:
            parts.append(("  " + _("READ-ONLY"), "bold"))
        parts.append(f"  {path}  ")
        if status:
            parts.append(status)
        else:
            if self.window is not None:
                rejected = self.window.get(State.REJECTED, 0)
                on_board = sum(self.window.values()) - rejected
            else:
                on_board = sum(1 for c in self.cards if c.state is not State.REJECTED)
                rejected = len(self.cards) - on_board
            parts.append(_("{on_board} on the board, {rejected} rejected").format(on_board=on_board, rejected=rejected))
            if self.query_filter:
                parts.append(("  " + labelled(_("filter:")), "bold"))
                parts.append(_("{filter} ({count} shown)").format(
                    filter=shown(self.query_filter.text, one_line=True), count=shown_count))
            if self.lanes:
                parts.append(("  " + labelled(_("lanes:")), "bold"))
                parts.append(_("by tier") if self.lanes == "tier" else _("by customer"))
        parts.append("  " + _("user: {user}").format(user=shown(self.link.user, one_line=True)))
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

    def with_selection(self, then: Callable[[Requirement], None]) -> None:
        """Do `then` with the selected card's full requirement; if there is none, say why (nothing
        selected, an invalid record). A server's card holds only what it shows: the rest is read off
        the UI thread first (`Picked`)."""
        card = self.selected
        if card is None:
            self.notify(_("Select a card first (arrow keys or h/j/k/l)"), severity="warning", markup=False)
            return
        if card.partial:
            known = self._read_whole(card)
            if known is not None:
                then(known)
            elif self.offline is not None:  # no use waiting for a connection: say it now
                self.notify(_("{key} cannot be opened while the server cannot be reached; a card opened before "
                              "can").format(key=card.key), severity="warning", markup=False)
            else:
                self._expecting = True  # the keys typed until its dialog opens are the dialog's
                self.link.read(self, card_requirement(card), answer=lambda req: self.Picked(req, then),
                               doing=_("Opening {key}").format(key=card.key), cards_only=True)
            return
        try:
            requirement = card.requirement
        except Exception as exc:  # a record the models refuse, however they refuse it: said, not a crash
            self.notify(failure_message(exc, _("Opening {key}").format(key=card.key)), severity="error", timeout=10,
                        markup=False)
            return
        then(requirement)

    def on_board_screen_picked(self, message: Picked) -> None:
        self._whole[message.requirement.key] = message.requirement
        depth = len(self.app.screen_stack)
        message.then(message.requirement)
        self._asked(depth)

    # ------------------------------------------------------------------ keys in order
    # Keys are handled in the order typed against the screen current when each is handled (the app
    # passes on to a dialog the keys routed to the board before it opened: `ReqboardApp.on_key`). A key
    # that could have opened a dialog and did not (a move that needed nothing, a refusal) hushes board
    # letters briefly: the name typed next is not `a` (archive), `n` (new) or `q` (quit).
    def holds(self, event: events.Key) -> bool:
        """Is this key, about to reach the board's bindings, kept from them? Held for a dialog that is
        opening (asked after a read), or ignored as text typed for a dialog that did not open."""
        if self._expecting:
            self._held_keys.append(events.Key(event.key, event.character))
            return True
        if not self._hushed(event):
            return False
        self._hush_until = time.monotonic() + HUSH_S
        if not self._hush_said:
            self._hush_said = True
            self.notify(_("Typing ignored: no dialog is open"), severity="warning", timeout=3, markup=False)
        return True

    def _hushed(self, event: events.Key) -> bool:
        character = event.character
        return (time.monotonic() < self._hush_until and character is not None and event.key not in UNHUSHED_KEYS
                and (character.isalpha() or character == " "))

    def asking(self, ask: Callable[[], None]) -> None:
        """Run a key's action that may open a dialog; if it opens none (it saved at once, or it was
        refused), letters typed right after it do nothing (see HUSH_S)."""
        depth = len(self.app.screen_stack)
        ask()
        if not self._expecting:
            self._asked(depth)

    def _asked(self, depth: int) -> None:
        """A key's action is over: a dialog opened (the keys held for it go to it) or none did."""
        self._expecting = False
        held, self._held_keys = self._held_keys, []
        opened = len(self.app.screen_stack) > depth
        if not opened:
            self._hush_until = time.monotonic() + HUSH_S
            self._hush_said = False
        for key in held:  # the keys typed while it waited: the dialog's, or the board's as it is now
            if opened:
                pass_on(self.app, key)
            elif not self._hushed(key):
                self.app.post_message(key)

    # ------------------------------------------------------------------ following a card
    def follow(self, requirement: Requirement) -> None:
        """Select this requirement once the board shows it as saved: a card moved or made by a key of
        ours is where the next key acts (`>` five times walks one card through the board)."""
        self._follow = (requirement.key, requirement.state, requirement.version)
        self._find_followed()

    def _find_followed(self) -> None:
        if self._follow is None:
            return
        key, state, version = self._follow
        if state not in BOARD_STATES:  # rejected: off the board, in the archive
            self._follow = None
            return
        for card in self.by_state.get(state, ()):
            if card.key == key:
                if card.version >= version:
                    self._follow = None
                    self.focus_column(state).select_key(key)
                return
        if any(card.key == key and card.version >= version for card in self.cards):
            self._follow = None  # saved, and moved on since (another client): nothing to follow

    def _read_whole(self, card: Card) -> Requirement | None:
        """The whole requirement read for this card before, if it is still the card's version."""
        known = self._whole.get(card.key)
        return known if known is not None and (known.version, known.uid) == (card.version, card.uid) else None

    def action_column(self, delta: int) -> None:
        cards = self.focused_list
        index = BOARD_STATES.index(cards.state) if cards else 0
        target = BOARD_STATES[max(0, min(len(BOARD_STATES) - 1, index + delta))]
        line = cards.selected_line() if cards is not None and cards.in_lanes else None
        landed = self.focus_column(target)
        if line is not None and landed is not cards:  # in lanes: the same lane, the row nearest
            landed.select_near(line)

    def focus_column(self, state: State) -> CardList:
        cards = self.query_one(f"#cards-{state.value}", CardList)
        # At once, not after the keys already queued: `l>` in one packet moves the card `l` selected.
        self.set_focus(cards)
        self.query_one(ColumnRow).show_column(self.query_one(f"#column-{state.value}", StateColumn))
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
        self.asking(lambda: self.with_selection(lambda req: self.actions.move_next(req, self.view)))

    def action_move_back(self) -> None:
        self.asking(lambda: self.with_selection(lambda req: self.actions.move_back(req, self.view)))

    def action_open(self) -> None:
        card = self.selected
        if card is None:
            self.notify(_("Select a card first (arrow keys or h/j/k/l)"), severity="warning", markup=False)
            return
        self.open_detail(card)

    def open_detail(self, card: Card) -> None:
        """Open the detail pane, showing the card's requirement at once (its worker reads it fresh)."""
        from .detail import DetailScreen

        try:
            # A server's card would read its record here, on the UI thread: the pane's own read brings it.
            requirement = self._read_whole(card) if card.partial else card.requirement
        except Exception:  # an invalid record, however the models refuse it: the pane's own read reports it
            requirement = None
        self.app.push_screen(DetailScreen(card.key, self.link, requirement, self.view))

    def go_to(self, key: str) -> None:
        """Select the card with this key, or (a rejected one, off the board) open its detail pane."""
        if not self.select(key):
            from .detail import DetailScreen

            self.app.push_screen(DetailScreen(key, self.link, view=self.view))

    def action_new(self) -> None:
        self.asking(lambda: self.actions.new(self.view))

    def action_edit(self) -> None:
        self.asking(lambda: self.with_selection(lambda req: self.actions.edit(req, self.view)))

    def action_note(self) -> None:
        """Note a contact with the customer about the selected requirement."""
        self.asking(lambda: self.with_selection(lambda req: self.actions.note(req)))

    def action_interim_feedback(self) -> None:
        """Take a satisfaction reading of the selected requirement before delivery (it stays where it is)."""
        self.asking(lambda: self.with_selection(lambda req: self.actions.feedback(req, self.view, interim=True)))

    def action_new_cr(self) -> None:
        self.asking(lambda: self.with_selection(lambda req: self.actions.new_change_request(req)))

    def action_reject(self) -> None:
        self.asking(lambda: self.with_selection(lambda req: self.actions.reject(req)))

    def action_filter(self) -> None:
        def apply(query: Query | None) -> None:
            if query is not None:
                self.set_filter(query)

        self.prepare_filter(self.cards)
        # Asked when the filter runs, of the latest read: a filter kept across reads follows the board.
        self.actions.filter(self.query_filter.text, apply, lambda key: self.view.blocked(key))

    def set_filter(self, query: Query) -> None:
        self.query_filter = query
        self.refresh_columns()

    def action_clear_filter(self) -> None:
        if self.query_filter:
            self.set_filter(Query())

    def action_swimlanes(self) -> None:
        self.lanes = LANE_MODES[(LANE_MODES.index(self.lanes) + 1) % len(LANE_MODES)]
        self.refresh_columns()
        if self.lanes is None:  # laid out anew: each column shows its selected card (lanes: see refresh_columns)
            for cards in self.query(CardList):
                cards.scroll_to_selected()
        said = {"tier": _("Swimlanes: by tier"), "customer": _("Swimlanes: by customer")}
        self.notify(said.get(self.lanes or "", _("Swimlanes: off")), timeout=2, markup=False)

    def action_undo(self) -> None:
        if not self.link.undo(self):
            self.notify(_("Nothing to undo"), severity="warning", markup=False)

    def action_archive(self) -> None:
        from .archive import ArchiveScreen

        self.app.push_screen(ArchiveScreen(self.link))

    def action_change_requests(self) -> None:
        from .change_requests import ChangeRequestsScreen

        self.app.push_screen(ChangeRequestsScreen(self.link))

    def action_reports(self) -> None:
        from .reports import ReportsScreen

        self.app.push_screen(ReportsScreen(self.link))

    def action_export(self) -> None:
        self.actions.export()

    def action_import_file(self) -> None:
        self.actions.import_file()

    def action_signoff_roles(self) -> None:
        self.actions.signoff_roles(self.view.roles)

    def action_score_weights(self) -> None:
        self.actions.score_weights(self.view.weights)

    def action_wip_limit(self) -> None:
        cards = self.focused_list
        state = cards.state if cards else State.IN_PROGRESS
        self.actions.wip_limit(state, self.limits.get(state))
