"""The Customers screen: every customer of the board with its figures, and for the one selected what a
key-account manager wants to know (as `reqboard customer show`) with its requirements, each a key away
from the board. From here a customer is added, changed or renamed, and its progress report written.

The figures are read in one pass over the board (`customer_reads.customer_book`), in the store link's
worker; the forms describe each change as a `Change` for the link to make. Names, contacts and notes
are user text: shown literally, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from reqboard.store import clock
from reqboard.store.domain import State, Tier
from reqboard.store.errors import InvalidValue
from reqboard.store.i18n import N_, _, ngettext, pgettext
from reqboard.store.text import fit, pad, shown

from ..background import failure_message
from ..customer_reads import (
    REPORT_FORMATS,
    CustomerBook,
    CustomerItem,
    CustomerRow,
    customer_book,
    format_of,
    report_file_name,
    write_customer_report,
)
from ..link import Change, StoreLink
from ..messages import BoardChanged, ReadFailed
from ..phrases import labelled, phrase
from ..widgets.key_bar import KeyBar
from .fields import FieldSpec

if TYPE_CHECKING:
    from reqboard.store.models import Customer

READING = N_("Reading the customers")
NAME_CELLS = 20
"""The widest the list's name column gets (the pane shows a longer name whole)."""
NOTES_CELLS = 400
"""The most of a customer's notes the pane shows (on one line, wrapped)."""
NARROW = 140
"""Below this width the list and the selected customer's pane are stacked, not side by side."""

SORTS: tuple[tuple[str, str], ...] = (
    ("name", N_("name")),
    ("open", N_("open work")),
    ("overdue", N_("overdue")),
    ("satisfaction", N_("lowest satisfaction")),
    ("contact", N_("longest without contact")),
)
"""The list's orders, cycled with `s`: (id, what the title says, marked for the catalogue)."""


def column_headings() -> tuple[str, ...]:
    """The list's headings, short enough for 80 columns: done is delivered (done or fed back), late is
    overdue (the card's LATE badge)."""
    return (_("Customer"), _("Tier"), pgettext("customers column", "Open"), pgettext("customers column", "Done"),
            pgettext("customers column", "Late"), _("Satisfaction"), pgettext("customers column", "Last contact"))


def _sorted(rows: tuple[CustomerRow, ...], by: str) -> list[CustomerRow]:
    """The rows in the order `by` names; ties keep name order (the book's)."""
    if by == "open":
        return sorted(rows, key=lambda r: -r.summary.open)
    if by == "overdue":
        return sorted(rows, key=lambda r: -r.summary.overdue)
    if by == "satisfaction":  # the least satisfied first; customers never asked last
        return sorted(rows, key=lambda r: (r.summary.satisfaction_mean is None, r.summary.satisfaction_mean or 0))
    if by == "contact":  # never contacted first, then the longest ago
        return sorted(rows, key=lambda r: (r.summary.last_contact is not None,
                                           r.summary.last_contact.at if r.summary.last_contact else datetime.min))
    return list(rows)


def _day(moment: datetime) -> str:
    return clock.local_day(moment).isoformat()


def _days(value: float | None) -> str:
    return "—" if value is None else _("{days} d").format(days=f"{value:.1f}")


def _number(value: int) -> Text:
    return Text(str(value), justify="right")


class CustomersScreen(Screen[str | None]):
    """The board's customers; dismissed with a requirement's key to go to it on the board."""

    CSS_PATH = "customers.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="customers.close"),
        Binding("s", "sort", N_("Sort"), id="customers.sort"),
        Binding("a", "add", N_("Add"), id="customers.add"),
        Binding("e", "edit", N_("Edit"), id="customers.edit"),
        Binding("n", "rename", N_("Rename"), id="customers.rename"),
        Binding("w", "report", N_("Report"), id="customers.report"),
    ]

    @dataclass(eq=False)
    class Loaded(Message, bubble=False):
        """The customers as read."""

        book: CustomerBook

    def __init__(self, link: StoreLink, *, selected: str | None = None) -> None:
        super().__init__()
        self.link = link
        self.book: CustomerBook | None = None
        self.rows: list[CustomerRow] = []
        self.sort = SORTS[0][0]
        self.selected_name = selected
        """The customer selected, by name (kept across reads and sorts, and after a rename)."""
        self._read_again = False

    def compose(self) -> ComposeResult:
        yield Static("", id="customers-title")
        with Container(id="customers-body"):
            yield DataTable(id="customers-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="customer-pane"):
                # Scrolls (tab to it, then the arrows) where the summary is longer than its room (80x24).
                with VerticalScroll(id="customer-summary-box"):
                    yield Static(Content(_("Reading the customers…")), id="customer-summary")
                yield OptionList(id="customer-requirements")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*column_headings())
        self.query_one("#customer-requirements", OptionList).border_title = _("Requirements (enter: go to it)")
        self._fit(self.size.width)
        self.load()

    def on_resize(self) -> None:
        self._fit(self.size.width)

    def _fit(self, width: int) -> None:
        self.set_class(0 < width < NARROW, "-narrow")

    # ------------------------------------------------------------------ reading
    def load(self) -> None:
        if not self.link.read(self, customer_book(), answer=self.Loaded, doing=READING):
            self._read_again = True

    def _answered(self) -> None:
        if self._read_again:
            self._read_again = False
            self.load()

    def on_board_changed(self, message: BoardChanged) -> None:
        self.load()

    def on_customers_screen_loaded(self, message: Loaded) -> None:
        self._answered()
        self.book = message.book
        try:
            self.show()
        except Exception as exc:  # drawing what was read failed (a record no one foresaw): a notice, not the end
            self.notify(failure_message(exc, READING), severity="error", timeout=15, markup=False)

    def on_read_failed(self, message: ReadFailed) -> None:
        self._answered()
        said = failure_message(message.error, message.doing)
        self.query_one("#customer-summary", Static).update(Content(_("Cannot read the board: {error}").format(
            error=said)))
        self.notify(said, severity="error", markup=False)

    # ------------------------------------------------------------------ drawing
    def show(self) -> None:
        book = self.book
        if book is None:
            return
        self.rows = _sorted(book.rows, self.sort)
        table = self.query_one(DataTable)
        table.clear()
        for row in self.rows:
            s = row.summary
            name = fit(shown(row.name, one_line=True), NAME_CELLS)
            table.add_row(
                Text(name if row.recorded else f"{name} *"), s.customer.tier.value, _number(s.open),
                _number(s.delivered), _number(s.overdue) if s.overdue else Text("–", justify="right"),
                Text("—" if s.satisfaction_mean is None else f"{s.satisfaction_mean:.2f} ({s.satisfaction_count})",
                     justify="right"),
                "—" if s.last_contact is None else _day(s.last_contact.at))
        sort_label = next(_(label) for id_, label in SORTS if id_ == self.sort)
        title = phrase(_("Customers · {count} · sorted by {order} (s)"), count=(f"{len(self.rows)}", "bold"),
                       order=sort_label)
        unrecorded = sum(1 for row in self.rows if not row.recorded)
        if unrecorded:
            title = Content.assemble(title, "  ·  ", ngettext(
                "* {count} is named on requirements only, with no record",
                "* {count} are named on requirements only, with no record", unrecorded).format(count=unrecorded))
        self.query_one("#customers-title", Static).update(title)
        if not self.rows:
            self.query_one("#customer-summary", Static).update(Content(
                _("No customers yet: press a to add one, or name one on a requirement")))
            self.query_one("#customer-requirements", OptionList).clear_options()
            return
        index = next((i for i, row in enumerate(self.rows)
                      if self.selected_name is not None and row.name.casefold() == self.selected_name.casefold()), 0)
        table.move_cursor(row=index, animate=False)
        self.call_after_refresh(table.move_cursor, row=index, animate=False, scroll=True)  # once laid out
        self._show_customer(self.rows[index])

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.rows):
            row = self.rows[event.cursor_row]
            self.selected_name = row.name
            self._show_customer(row)

    @on(DataTable.RowSelected)
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        """Enter on a customer: its requirements, to pick one."""
        options = self.query_one("#customer-requirements", OptionList)
        if options.option_count:
            if options.highlighted is None:
                options.highlighted = 0
            options.focus()

    def _show_customer(self, row: CustomerRow) -> None:
        self.query_one("#customer-summary", Static).update(summary_text(row))
        options = self.query_one("#customer-requirements", OptionList)
        options.clear_options()
        day = self.book.today if self.book else clock.today()
        options.add_options([Option(requirement_line(item, day), id=item.key) for item in row.requirements])
        if not row.requirements:
            options.add_option(Option(Content(_("(no requirements)")), disabled=True))

    @on(OptionList.OptionSelected, "#customer-requirements")
    def _go_to(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)

    # ------------------------------------------------------------------ keys
    @property
    def selected(self) -> CustomerRow | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_close(self) -> None:
        self.dismiss(None)

    def action_sort(self) -> None:
        ids = [id_ for id_, _label in SORTS]
        self.sort = ids[(ids.index(self.sort) + 1) % len(ids)]
        self.show()

    def _may_change(self) -> bool:
        reason = self.link.read_only_reason
        if reason:
            self.notify(reason, title=_("Read-only"), severity="warning", timeout=6, markup=False)
        return not reason

    def _chosen(self) -> CustomerRow | None:
        row = self.selected
        if row is None:
            self.notify(_("No customer is selected"), severity="warning", markup=False)
        return row

    def action_add(self) -> None:
        if self._may_change():
            ask_new_customer(self, self.link, done=self._select)

    def action_edit(self) -> None:
        row = self._chosen()
        if row is None or not self._may_change():
            return
        # (A customer only requirements name is edited as well: the store makes its record.)
        ask_edit_customer(self, self.link, row.summary.customer, done=self._select)

    def action_rename(self) -> None:
        row = self._chosen()
        if row is None or not self._may_change():
            return
        ask_rename_customer(self, self.link, row.name, done=self._select)

    def action_report(self) -> None:
        row = self.selected
        ask_customer_report(self, self.link, row.name if row else "")

    def _select(self, name: str | None) -> None:
        if name:
            self.selected_name = name


# ==================================================================== what the pane shows


def summary_text(row: CustomerRow) -> Content:
    """What a key-account manager wants to know of one customer (as `reqboard customer show`)."""
    s = row.summary
    c = s.customer
    bold = "bold"
    lines = [Content.assemble((shown(c.name, one_line=True), bold), "  ",
                              (_("tier {tier}").format(tier=c.tier.value), bold))]
    if not row.recorded:
        lines.append(Content.styled(_("no customer record yet: only requirements name it"), "italic"))
    for label, value in ((_("Contact:"), c.contact), (_("Segment:"), c.segment)):
        if value:
            lines.append(Content.assemble((labelled(label), "dim"), shown(value, one_line=True)))
    lines.append(phrase(_("Requirements: {total} ({open} open, {delivered} delivered, {rejected} rejected)"),
                        total=(f"{s.total}", bold), open=f"{s.open}", delivered=f"{s.delivered}",
                        rejected=f"{s.rejected}"))
    if s.overdue:
        lines.append(phrase(ngettext("{count} overdue", "{count} overdue", s.overdue), count=(f"{s.overdue}", bold)))
    lines.append(phrase(_("Lead time: median {median}, mean {mean}"), median=(_days(s.lead_time_median), bold),
                        mean=_days(s.lead_time_mean)))
    latest = s.satisfaction_latest
    if s.satisfaction_mean is None or latest is None:
        lines.append(Content(_("Satisfaction: no reading yet")))
    else:
        score, at, key = latest
        lines.append(phrase(ngettext("Satisfaction: {mean} from {count} requirement; latest {score} on {key}, {day}",
                                     "Satisfaction: {mean} from {count} requirements; latest {score} on {key}, {day}",
                                     s.satisfaction_count),
                            mean=(f"{s.satisfaction_mean:.2f}/5", bold), count=f"{s.satisfaction_count}",
                            score=(f"{score}", bold), key=key, day=_day(at)))
    contact = s.last_contact
    if contact is None:
        lines.append(Content(_("Last contact: none noted")))
    else:
        kind = _("note") if contact.kind == "note" else _("feedback")
        lines.append(phrase(_("Last contact: {when} by {channel} ({kind}) on {key}"),
                            when=(clock.shown(contact.at), bold), channel=contact.channel.label, kind=kind,
                            key=contact.key))
    if s.open_change_requests:
        lines.append(Content.styled(_("Open change requests:"), bold))
        for key, cr in s.open_change_requests:
            lines.append(Content.assemble(f"  {cr.key} ", (_("on {key}").format(key=key), "dim"),
                                          f" · {cr.status.label} · ", shown(cr.summary, one_line=True)))
    if c.notes:  # (the edit form holds them whole)
        lines.append(Content.assemble((labelled(_("Notes:")), "dim"), fit(shown(c.notes, one_line=True), NOTES_CELLS)))
    return Content("\n").join(lines)


def requirement_line(item: CustomerItem, today: Any = None) -> Content:
    """One requirement of the customer: key, state, title, and its due date when it has one."""
    parts: list[str | tuple[str, str] | Content] = [
        (f"{item.key:<8} ", "bold"), (pad(fit(item.state.label, 12), 12) + " ", "dim"), shown(item.title, one_line=True)]
    if item.due is not None and item.state not in (State.DONE, State.FED_BACK, State.REJECTED):
        due = (_("  overdue since {day}") if item.overdue else _("  due {day}")).format(day=item.due.isoformat())
        parts.append((due, "bold reverse" if item.overdue else "dim"))
    return Content.assemble(*parts)


# ==================================================================== the forms (one home: the palette opens them too)

_TIERS = [(tier.value, tier.value) for tier in Tier]


def _push_form(opener: Screen[Any], link: StoreLink, title: str, fields: list[FieldSpec],
               submit: Callable[[dict[str, Any]], Any], done: Callable[[Any], None] | None, *,
               submit_label: str | None = None, intro: str = "") -> None:
    from .form import FormScreen

    opener.app.push_screen(FormScreen(title, fields, submit=submit, link=link, submit_label=submit_label,
                                      intro=intro), done)


def _named(done: Callable[[str | None], None] | None, name_of: Callable[[Any], str | None]) -> Callable[[Any], None]:
    """A form's result (what its change returned) as the customer's name, for `done`."""
    def then(result: Any) -> None:
        if done is not None and result is not None:
            done(name_of(result))

    return then


def ask_new_customer(opener: Screen[Any], link: StoreLink, *, name: str = "", tier: Tier | None = None,
                     done: Callable[[str | None], None] | None = None) -> None:
    """The form that adds a customer (`Board.add_customer`); `done` gets its name once added."""
    fields = [
        FieldSpec("name", _("Name"), value=name, required=True),
        FieldSpec("tier", _("Tier"), "select", value=(tier or Tier.B).value, options=_TIERS, required=True,
                  help=_("A is the most valuable; its requirements carry it")),
        FieldSpec("contact", _("Contact"), value="", placeholder=_("who to talk to, and how")),
        FieldSpec("segment", _("Segment"), value="", placeholder=_("e.g. banks, retail, public sector")),
        FieldSpec("notes", _("Notes"), "textarea", value=""),
    ]

    def add(values: dict[str, Any]) -> Change:
        given = dict(values)
        return Change(lambda board: board.add_customer(given["name"], given["tier"], contact=given["contact"],
                                                       segment=given["segment"], notes=given["notes"]),
                      lambda customer: _("Customer {name} added").format(name=customer.name),
                      doing=N_("Adding the customer"), undoable=False)

    _push_form(opener, link, _("New customer"), fields, add, _named(done, lambda c: c.name), submit_label=_("Add"))


def ask_edit_customer(opener: Screen[Any], link: StoreLink, customer: Customer, *,
                      done: Callable[[str | None], None] | None = None) -> None:
    """The form that changes a customer's record (`Board.edit_customer`); a new tier goes to every
    requirement of the customer, and the notice says how many took it."""
    fields = [
        FieldSpec("tier", _("Tier"), "select", value=customer.tier.value, options=_TIERS, required=True,
                  help=_("every requirement of the customer takes the tier")),
        FieldSpec("contact", _("Contact"), value=customer.contact),
        FieldSpec("segment", _("Segment"), value=customer.segment),
        FieldSpec("notes", _("Notes"), "textarea", value=customer.notes),
    ]
    name = customer.name

    def said(result: tuple[Customer, int]) -> str:
        saved, changed = result
        if changed:
            return ngettext("{name} saved: {count} requirement took tier {tier}",
                            "{name} saved: {count} requirements took tier {tier}", changed).format(
                name=saved.name, count=changed, tier=saved.tier.value)
        return _("{name} saved").format(name=saved.name)

    opened = {"tier": customer.tier.value, "contact": customer.contact, "segment": customer.segment,
              "notes": customer.notes}

    def edit(values: dict[str, Any]) -> Change:
        # Only what was changed in the form: what a colleague saved meanwhile in the other fields stays.
        given = {k: v for k, v in values.items() if k in opened and v != opened[k]}
        return Change(lambda board: board.edit_customer(name, **given), said, doing=N_("Saving the customer"),
                      undoable=False, ends_undo=True)

    _push_form(opener, link, _("Edit customer {name}").format(name=name), fields, edit,
               _named(done, lambda result: result[0].name))


def ask_rename_customer(opener: Screen[Any], link: StoreLink, name: str, *,
                        done: Callable[[str | None], None] | None = None) -> None:
    """The form that renames a customer (`Board.rename_customer`): every requirement of it follows."""
    fields = [FieldSpec("name", _("New name"), value=name, required=True)]

    def said(result: tuple[Customer, int]) -> str:
        renamed, changed = result
        return ngettext("{old} renamed to {new}: {count} requirement followed",
                        "{old} renamed to {new}: {count} requirements followed", changed).format(
            old=name, new=renamed.name, count=changed)

    def rename(values: dict[str, Any]) -> Change:
        new = values["name"]
        return Change(lambda board: board.rename_customer(name, new), said, doing=N_("Renaming the customer"),
                      undoable=False, ends_undo=True)

    _push_form(opener, link, _("Rename customer {name}").format(name=name), fields, rename,
               _named(done, lambda result: result[0].name), submit_label=_("Rename"),
               intro=_("Every requirement of {name} follows the new name.").format(name=name))


def ask_customer_report(opener: Screen[Any], link: StoreLink, customer: str = "") -> None:
    """The form that writes one customer's progress report to a file (md, html or json): the customer
    (default: the one selected), the file (default: report-<customer>.md here), and whether an existing
    file may be replaced (never without asking)."""
    fields = [
        FieldSpec("customer", _("Customer"), value=customer, required=True),
        # Blank, not filled in: a name made from the customer would go stale when the customer is changed.
        FieldSpec("path", _("Write to file"), value="",
                  help=_("blank: report-<customer>.md in the current folder")),
        FieldSpec("format", _("Format"), "select", value=None, options=[(f, f) for f in REPORT_FORMATS],
                  help=_("blank: from the file name (.md .html .json)")),
        FieldSpec("replace", _("If the file exists"), "checklist", options=[(_("Replace the file"), "replace")]),
    ]

    def write(values: dict[str, Any]) -> Change:
        name = values["customer"]
        fmt = values["format"]
        typed = values["path"]
        path = Path(typed).expanduser() if typed else Path.cwd() / report_file_name(name, fmt or "md")
        named = format_of(path)
        if fmt and named in REPORT_FORMATS and named != fmt:
            message = _("the file name ends in .{named} and the format is {format}: make them agree").format(
                named=named, format=fmt)
            raise InvalidValue(message, {"format": message})
        fmt = fmt or named
        if fmt not in REPORT_FORMATS:
            raise InvalidValue(_("choose a format, or end the file name in .md, .html or .json"),
                               {"format": _("which format?")})
        return Change(write_customer_report(name, path, fmt, replace="replace" in values["replace"]),
                      lambda written: _("Report of {customer} written to {path}").format(customer=name, path=written),
                      doing=N_("Writing the customer report"), undoable=False)

    _push_form(opener, link, _("Customer report"), fields, write, None, submit_label=_("Write"),
               intro=_("The report holds this customer's requirements only."))

