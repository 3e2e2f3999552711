"""Every change request on the board, with its status, who is still to be told of it, and the totals of
its impact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from reqboard.store.i18n import N_, _, listed, pgettext
from reqboard.store.models import ChangeRequest, CRStatus, Requirement
from reqboard.store.text import fit, pad, shown

from ..link import StoreLink
from ..reads import change_requests
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen

STATUS_FILTERS: tuple[CRStatus | None, ...] = (None, *CRStatus)
COLUMNS = (N_("CR"), N_("Status"), N_("To tell"), N_("Requirement"), N_("Summary"), N_("Days"), N_("Cost"),
           N_("Hours"), N_("Risk"))
"""The table's headings, marked for the catalogue. Who is still to be told comes early: in view at 80
columns, beside the status it follows (an approved change that has not reached everyone)."""
TO_TELL_CELLS = 24
"""The widest the "to tell" column gets: the count, then as many names as fit (the pane lists them all)."""


def to_tell(cr: ChangeRequest) -> str:
    """Who is still to be told of `cr`, short: "2: Li Wei, sales team", cut to TO_TELL_CELLS; "all told"
    once everyone its assessment names was; "–" when it names nobody (or is not assessed yet)."""
    if cr.assessment is None or not cr.assessment.notify:
        return "–"
    names = cr.to_notify
    if not names:
        return _("all told")
    return fit(shown(_("{count}: {names}").format(count=len(names), names=listed(names)), one_line=True),
               TO_TELL_CELLS)


class ChangeRequestsScreen(BoardReadingScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="crs.close"),
        Binding("f", "cycle_status", N_("Status filter"), id="crs.filter"),
    ]

    def __init__(self, link: StoreLink) -> None:
        super().__init__(link)
        self.status: CRStatus | None = None
        self.rows: list[tuple[Requirement, ChangeRequest]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="crs-title")
        yield DataTable(id="crs-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="crs-totals")
        yield KeyBar()

    def on_mount(self) -> None:  # runs before BoardReadingScreen.on_mount starts the read
        table = self.query_one(DataTable)
        table.add_columns(*(_(heading) for heading in COLUMNS))

    def reading(self) -> Callable[[Any], list[tuple[Requirement, ChangeRequest]]]:
        return change_requests

    def show(self, rows: list[tuple[Requirement, ChangeRequest]]) -> None:
        self.rows = rows
        chosen = [(r, c) for r, c in rows if self.status is None or c.status is self.status]
        table = self.query_one(DataTable)
        table.clear()
        days = cost = hours = 0.0
        for req, cr in chosen:
            a = cr.assessment
            if a:
                days, cost, hours = days + a.schedule_days, cost + a.cost, hours + a.effort_hours
            # Rich Texts (literal, like Content): DataTable parses a str cell as markup, and measures a
            # Text (a Content cell measured 1 wide and the summary was cut to the width of its header).
            table.add_row(Text(cr.key), cr.status.label, Text(to_tell(cr)), Text(req.key),
                          Text(shown(cr.summary, one_line=True)), f"{a.schedule_days:g}" if a else "–",
                          f"{a.cost:,.0f}" if a else "–", f"{a.effort_hours:g}" if a else "–",
                          a.risk.label if a else "–", key=cr.key)
        which = self.status.label if self.status else pgettext("every status", "all")
        self.query_one("#crs-title", Static).update(Content.assemble(
            (_("Change requests"), "bold"), "  ", _("status: {status}  ({shown} of {total})  f: filter").format(
                status=which, shown=len(chosen), total=len(rows))))
        self.query_one("#crs-totals", Static).update(Content.assemble(
            (pad(_("Total impact"), 14), "bold"),
            _("{days} days · cost {cost} · {hours} hours").format(days=f"{days:g}", cost=f"{cost:,.2f}",
                                                                 hours=f"{hours:g}")))

    def action_cycle_status(self) -> None:
        self.status = STATUS_FILTERS[(STATUS_FILTERS.index(self.status) + 1) % len(STATUS_FILTERS)]
        self.show(self.rows)

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        from .change_request import ChangeRequestScreen

        if event.row_key.value:
            self.app.push_screen(ChangeRequestScreen(event.row_key.value, self.link))

    def action_close(self) -> None:
        self.dismiss()
