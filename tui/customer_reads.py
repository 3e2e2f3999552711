"""What the customer-side screens read from the board (Customers, response targets, survey settings,
the Reports screen's metrics) and the customer report they write: functions of the board that the
store link runs in a thread worker, as `reads.py` holds the board's own."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reqboard.store.domain import State
from reqboard.store.errors import InvalidValue
from reqboard.store.i18n import _

if TYPE_CHECKING:
    from reqboard.store.board import Board
    from reqboard.store.customers import CustomerSummary
    from reqboard.store.metrics import BoardMetrics
    from reqboard.store.targets import Target

REPORT_FORMATS = ("md", "html", "json")
"""What a customer report is written as (`render_customer_report`)."""


@dataclass(frozen=True)
class CustomerItem:
    """One requirement of a customer, as the Customers screen lists it."""

    key: str
    title: str
    state: State
    due: date | None
    overdue: bool


@dataclass(frozen=True)
class CustomerRow:
    """One customer: its summary (`customer show`) and its requirements, open ones first, by key."""

    summary: CustomerSummary
    requirements: tuple[CustomerItem, ...]
    recorded: bool
    """The board has a record of it (else only requirements name it: `known_customers`)."""

    @property
    def name(self) -> str:
        return self.summary.customer.name


@dataclass(frozen=True)
class CustomerBook:
    """Every customer of the board, in name order (pinyin order for Chinese names)."""

    rows: tuple[CustomerRow, ...]
    today: date


def customer_book(today: Callable[[], date] | None = None) -> Callable[[Board], CustomerBook]:
    """The board's customers with their summaries, in one pass over the requirements (a board of 10,000
    requirements and 500 customers: each summary counts only its own)."""

    def read(board: Board) -> CustomerBook:
        from reqboard.store import clock
        from reqboard.store.customers import customer_summary, known_customers

        board.refresh()
        day = today() if today is not None else clock.today()
        reqs = board.requirements()
        records = board.customers()
        recorded = {c.name.strip().casefold() for c in records}
        own = defaultdict(list)
        for r in reqs:
            if r.customer:
                own[r.customer.strip().casefold()].append(r)
        rows = []
        for customer in known_customers(records, reqs):
            folded = customer.name.strip().casefold()
            mine = own.get(folded, [])
            items = tuple(CustomerItem(r.key, r.title, r.state, r.due, r.overdue(day)) for r in sorted(
                mine, key=lambda r: (r.state in (State.DONE, State.FED_BACK, State.REJECTED),
                                     r.state is State.REJECTED, r.number)))
            rows.append(CustomerRow(customer_summary(customer, mine, today=day), items, folded in recorded))
        return CustomerBook(tuple(rows), day)

    return read


@dataclass(frozen=True)
class SurveyLists:
    """The board's lists for the customer side (store.surveys), each as stored (codes)."""

    dimensions: tuple[str, ...]
    reasons: tuple[str, ...]
    causes: tuple[str, ...]
    customised: frozenset[str]
    """The settings the board set (the others are the defaults)."""


def survey_lists(board: Board) -> SurveyLists:
    from reqboard.store.surveys import CODE_LISTS

    board.refresh()
    settings = board.settings()
    return SurveyLists(board.survey_dimensions(), board.low_score_reasons(), board.complaint_causes(),
                       frozenset(name for name in CODE_LISTS if isinstance(settings.get(name), list)))


def response_targets(board: Board) -> tuple[Target, ...]:
    board.refresh()
    return board.response_targets()


def board_metrics(since: date | None, clock: Callable[[], datetime] | None) -> Callable[[Board], BoardMetrics]:
    """The Reports screen's metrics, with the board's survey dimensions and response targets."""

    def read(board: Board) -> BoardMetrics:
        from reqboard.store.metrics import board_metrics as compute

        return compute(board, now=clock() if clock else None, since=since)

    return read


# ==================================================================== the customer report

_UNSAFE = re.compile(r"[^\w.-]+")


def report_file_name(customer: str, fmt: str = "md") -> str:
    """`report-<customer>.<fmt>`, the name made safe for a file on any system: letters (Chinese ones too),
    digits, `.`, `-` and `_` kept, anything else (spaces, slashes, colons, controls) a single `-`."""
    safe = _UNSAFE.sub("-", customer.strip()).strip(".-_")[:80] or "customer"
    return f"report-{safe}.{fmt}"


def format_of(path: Path) -> str | None:
    """The report format a file name asks for (.md .markdown .html .htm .json), or None."""
    suffix = path.suffix.lower()
    return {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}.get(suffix)


def write_customer_report(customer: str, path: Path, fmt: str, *, replace: bool) -> Callable[[Board], Path]:
    """Write `customer`'s report (`store.reports.render_customer_report`) to `path`: never onto one of the
    board's files nor through a link (`store.outputs`), and onto an existing file only with `replace`.
    Raises InvalidValue (said under the form's `path` field), and what the report raises (NotFound)."""

    def write(board: Board) -> Path:
        from reqboard.store.outputs import check_output, write_output
        from reqboard.store.reports import customer_report, render_customer_report

        board.refresh()
        board_files = board.files()  # None for a server's board: no file of it to protect
        try:
            check_output(path, board_files)  # before the work of making the report
            if not replace and os.path.lexists(path):
                raise InvalidValue(_("{path} exists: tick \"Replace the file\" to write over it, or give another "
                                     "name").format(path=path))
        except InvalidValue as exc:  # said under the form's path field
            raise InvalidValue(str(exc), {"path": str(exc)}) from None
        payload = render_customer_report(customer_report(board, customer), fmt)
        try:
            return write_output(path, payload, board_files)
        except InvalidValue as exc:
            raise InvalidValue(str(exc), {"path": str(exc)}) from None

    return write
