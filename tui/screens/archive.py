"""The archive: rejected requirements, off the board: when each was rejected, by whom, from which state, for
which customer and why; sorted by any of these (`s` cycles the order, a click on a heading picks it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Resize
from textual.style import Style
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reqboard.store import clock
from reqboard.store.domain import BOARD_STATES
from reqboard.store.i18n import N_, _, pgettext
from reqboard.store.models import Requirement, State
from reqboard.store.text import cell_width, fit, pad, shown

from ..link import StoreLink
from ..phrases import phrase
from ..reads import Rejection, rejected
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .lines import stored_note

SORTS: tuple[tuple[str, str], ...] = (
    ("when", N_("newest rejected")),
    ("key", N_("key")),
    ("customer", N_("customer")),
    ("from", N_("state it left")),
    ("by", N_("who rejected it")),
)
"""The archive's orders, cycled with `s`: (id, what the title says, marked for the catalogue)."""
GAP = "  "
BY_CELLS, CUSTOMER_CELLS, TITLE_CELLS = 14, 18, 24
"""The widest the person and customer columns get; the least room the title keeps on the first line (with
less, it goes to the second line, before the reason)."""
EDGE = 4
"""Cells of the list's width that its padding and scroll bar take."""


def headings() -> dict[str, str]:
    """The columns' headings by the order each sorts (the title's has none: it sorts by key)."""
    return {"key": pgettext("archive column", "Key"), "when": pgettext("archive column", "Rejected"),
            "from": pgettext("archive column", "From"), "by": pgettext("archive column", "By"),
            "customer": pgettext("archive column", "Customer"), "title": pgettext("archive column", "Title")}


def sorted_rejections(entries: list[Rejection], by: str) -> list[Rejection]:
    """The rejected requirements in the order `by` names; ties newest rejected first."""
    newest = sorted(entries, key=lambda e: e.at, reverse=True)
    if by == "key":
        return sorted(newest, key=lambda e: _key_number(e.requirement))
    if by == "customer":  # those without a customer last
        return sorted(newest, key=lambda e: (not e.requirement.customer, e.requirement.customer.casefold()))
    if by == "from":  # in the board's order; where the history does not say, last
        return sorted(newest, key=lambda e: BOARD_STATES.index(e.came_from) if e.came_from in BOARD_STATES
                      else len(BOARD_STATES))
    if by == "by":
        return sorted(newest, key=lambda e: e.by.casefold())
    return newest


def _key_number(req: Requirement) -> int:
    digits = req.key.rpartition("-")[2]
    return int(digits) if digits.isdigit() else 0


def _day(moment: datetime) -> str:
    return clock.local_day(moment).isoformat()


def _state(state: State | None) -> str:
    return state.label.lower() if state is not None else "–"


class ArchiveScreen(BoardReadingScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="archive.close"),
        Binding("o", "reopen", N_("Reopen"), id="archive.reopen"),
        # Telling the customer why it was rejected is a contact too.
        Binding("N", "note", N_("Note a contact"), id="archive.note"),
        Binding("s", "sort", N_("Sort"), id="archive.sort"),
    ]

    def __init__(self, link: StoreLink) -> None:
        super().__init__(link)
        self.rejections: list[Rejection] = []
        """As read, in the order shown."""
        self.sort = SORTS[0][0]
        self._drawn_width = 0

    @property
    def rejected(self) -> list[Requirement]:
        """The rejected requirements, in the order shown."""
        return [entry.requirement for entry in self.rejections]

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(_("Archive: rejected requirements"), "bold"), id="archive-title")
        yield Static("", id="archive-headings")
        yield OptionList(id="archive-list")
        yield KeyBar()

    def reading(self) -> Callable[[Any], list[Rejection]]:
        return rejected

    def show(self, rejections: list[Rejection]) -> None:
        chosen = self._highlighted()
        self.rejections = sorted_rejections(rejections, self.sort)
        self._draw(chosen)

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._drawn_width and self.rejections:
            self._draw(self._highlighted())

    def _draw(self, chosen: Requirement | None) -> None:
        """The title, the headings and the rows, at the screen's width; `chosen` stays highlighted."""
        options = self.query_one(OptionList)
        width = self.size.width
        self._drawn_width = width
        sort_label = next(_(label) for id_, label in SORTS if id_ == self.sort)
        self.query_one("#archive-title", Static).update(Content.assemble(
            (_("Archive: rejected requirements"), "bold"), "  ·  ",
            phrase(_("{count} · sorted by {order} (s)"), count=(str(len(self.rejections)), "bold"), order=sort_label)))
        columns = self._columns(width)
        self.query_one("#archive-headings", Static).update(self._headings(columns))
        options.clear_options()
        for entry in self.rejections:
            options.add_option(Option(self._row(entry, columns, width), id=entry.requirement.key))
        if not self.rejections:
            options.add_option(Option(Content(_("(nothing rejected)")), disabled=True))
            return
        keys = [entry.requirement.key for entry in self.rejections]
        options.highlighted = keys.index(chosen.key) if chosen is not None and chosen.key in keys else 0

    def _columns(self, width: int) -> dict[str, int]:
        """Each column's cells at this width; the title's is 0 when it goes to the second line."""
        names = headings()
        rows = self.rejections

        def widest(name: str, values: list[str], most: int | None = None) -> int:
            cells = max([cell_width(names[name]), *(cell_width(shown(v, one_line=True)) for v in values)])
            return min(cells, most) if most else cells

        columns = {
            "key": widest("key", [e.requirement.key for e in rows]),
            "when": widest("when", ["0000-00-00"]),
            "from": widest("from", [_state(e.came_from) for e in rows]),
            "by": widest("by", [e.by for e in rows], BY_CELLS),
            "customer": widest("customer", [e.requirement.customer for e in rows], CUSTOMER_CELLS),
        }
        room = width - EDGE - sum(columns.values()) - len(GAP) * len(columns)
        columns["title"] = room if room >= TITLE_CELLS else 0
        return columns

    def _headings(self, columns: dict[str, int]) -> Content:
        """The columns' headings, the sorted one marked; a click on one sorts by it."""
        names = headings()
        parts: list[Content] = [Content(" ")]  # as the list's rows are padded
        for name, cells in columns.items():
            if not cells:
                continue
            label = names[name] + ((" ▼" if name == "when" else " ▲") if name == self.sort else "")  # newest first
            order = "key" if name == "title" else name
            parts.append(Content.styled(pad(fit(label, cells), cells) + GAP, "bold")
                         .stylize(Style.from_meta({"@click": f"screen.sort_by('{order}')"})))
        return Content("").join(parts)

    def _row(self, entry: Rejection, columns: dict[str, int], width: int) -> Content:
        """Two lines: the columns (and the title where there is room); then, under the title, the reason
        (after the title where the title did not fit on the first)."""
        req = entry.requirement
        cells = {
            "key": (req.key, "bold"), "when": (_day(entry.at), ""), "from": (_state(entry.came_from), ""),
            "by": (shown(entry.by, one_line=True), ""), "customer": (shown(req.customer or "–", one_line=True), ""),
            "title": (shown(req.title, one_line=True), ""),
        }
        first = Content("").join(Content.styled(pad(fit(cells[name][0], size), size) + GAP, cells[name][1])
                                 for name, size in columns.items() if size)
        reason = shown(stored_note(req.rejection_reason), one_line=True)
        indent = " " * (columns["key"] + len(GAP))
        room = max(10, width - EDGE - len(indent))
        if columns["title"]:
            second = Content.assemble(indent, (fit(_("— {reason}").format(reason=reason), room), "dim"))
        else:
            title = shown(req.title, one_line=True)
            second = Content.assemble(indent, fit(title, room))
            left = room - cell_width(fit(title, room))
            if left > 4:
                second = Content.assemble(second, (fit(" " + _("— {reason}").format(reason=reason), left), "dim"))
        return Content("\n").join([first.rstrip(), second])

    def _highlighted(self) -> Requirement | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.rejections or options.highlighted >= len(self.rejections):
            return None
        return self.rejections[options.highlighted].requirement

    def action_sort(self) -> None:
        ids = [id_ for id_, _label in SORTS]
        self.sort_by(ids[(ids.index(self.sort) + 1) % len(ids)])

    def action_sort_by(self, order: str) -> None:
        self.sort_by(order)

    def sort_by(self, order: str) -> None:
        """Show the list in `order` (one of SORTS), keeping the requirement highlighted."""
        if order not in dict(SORTS):
            return
        chosen = self._highlighted()
        self.sort = order
        self.rejections = sorted_rejections(self.rejections, order)
        self._draw(chosen)

    def action_reopen(self) -> None:
        if req := self._highlighted():
            self.actions.move_to(req, State.COLLECTED)

    def action_note(self) -> None:
        if req := self._highlighted():
            self.actions.note(req)

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        from .detail import DetailScreen

        if event.option.id:
            self.app.push_screen(DetailScreen(event.option.id, self.link))

    def action_close(self) -> None:
        self.dismiss()
