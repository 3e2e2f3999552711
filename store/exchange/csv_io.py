"""CSV for spreadsheet users: one row per requirement, readable column names, UTF-8 with a BOM.

Export writes every requirement with the columns of `COLUMNS`; multi-line text stays in one quoted
cell; lists (tags, links, acceptance criteria) hold one item per line.

Formula cells. A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return
as a formula. Export puts a `'` before any cell that starts with one of those characters *or with `'`
itself*; import removes exactly one leading `'` from every cell that has one. So export then import
gives back every value exactly, a title that really starts with `'` included (`'quoted'` is written
`''quoted'`), and no cell of ours is ever run as a formula.

Import matches rows to requirements by the Key column (blank: a new requirement). A column absent from
the file leaves that field alone; an empty cell clears it. Unknown columns, bad values and bad rows are
reported by row (the header is row 1, as a spreadsheet numbers it) and column (letter and name).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..board import Board
from ..models import (
    Channel,
    Criterion,
    Feasibility,
    Kano,
    NeedType,
    Requirement,
    State,
    Tier,
    normalise_key,
)
from .merge import ImportSummary, Incoming, merge

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutralise(cell: str) -> str:
    """The cell as exported: prefixed with `'` when a spreadsheet would run it (or it starts with `'`)."""
    if cell.startswith(FORMULA_START) or cell.startswith(ESCAPE):
        return ESCAPE + cell
    return cell


def restore(cell: str) -> str:
    """The inverse of `neutralise`: one leading `'` removed."""
    return cell[1:] if cell.startswith(ESCAPE) else cell


class CellError(ValueError):
    """A cell's text is not a valid value; the message says what is expected."""


# ------------------------------------------------------------------ cell formats
def _text(value: Any) -> str:
    return value or ""


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _lines(value: tuple[str, ...]) -> str:
    return "\n".join(value)


def _criteria_text(value: tuple[Criterion, ...]) -> str:
    return "\n".join(f"[{'x' if c.done else ' '}] {c.text}" for c in value)


def _choice_text(value: Any) -> str:
    return "" if value is None else value.label


def _parse_text(cell: str) -> str:
    return cell


def _parse_score(cell: str) -> int | None:
    if not cell.strip():
        return None
    try:
        number = float(cell.strip())
    except ValueError:
        raise CellError(f"{cell!r} is not a whole number from 1 to 5") from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise CellError(f"{cell!r} is not a whole number from 1 to 5")
    return int(number)


def _parse_number(cell: str) -> float | None:
    if not cell.strip():
        return None
    try:
        number = float(cell.strip().replace(",", "."))
    except ValueError:
        raise CellError(f"{cell!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CellError(f"{cell!r} is not a finite number")
    return number


def _parse_version(cell: str) -> int | None:
    if not cell.strip():
        return None
    try:
        return int(cell.strip())
    except ValueError:
        raise CellError(f"{cell!r} is not a version number") from None


def _parse_date(cell: str) -> date | None:
    if not cell.strip():
        return None
    try:
        return date.fromisoformat(cell.strip()[:10])
    except ValueError:
        raise CellError(f"{cell!r} is not a date: write it as YYYY-MM-DD") from None


def _parse_state(cell: str) -> State | None:
    if not cell.strip():
        return None
    try:
        return State.parse(cell)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _choice(kind: type, default: Any = None) -> Callable[[str], Any]:
    def parse(cell: str) -> Any:
        if not cell.strip():
            return default
        try:
            return kind(cell.strip())
        except ValueError:
            names = ", ".join(m.label for m in kind)
            raise CellError(f"{cell!r} is not one of: {names}") from None

    return parse


def _parse_list(cell: str) -> tuple[str, ...]:
    items = cell.replace(",", "\n").splitlines()
    return tuple(item.strip() for item in items if item.strip())


def _parse_keys(cell: str) -> tuple[str, ...]:
    keys = []
    for item in cell.replace(",", " ").replace(";", " ").split():
        key = normalise_key(item)
        if not _is_key(key):
            raise CellError(f"{item!r} is not a requirement key (they look like REQ-12)")
        keys.append(key)
    return tuple(keys)


def _parse_criteria(cell: str) -> tuple[dict[str, Any], ...]:
    criteria = []
    for line in cell.splitlines():
        text = line.strip()
        if not text:
            continue
        done = False
        if text[:3].lower() in ("[x]", "[ ]"):
            done, text = text[1].lower() == "x", text[3:].strip()
        criteria.append({"text": text, "done": done})
    return tuple(criteria)


def _is_key(text: str) -> bool:
    head, _, number = text.partition("-")
    return head == "REQ" and number.isdigit() and not number.startswith("0")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    export: Callable[[Any], str]
    parse: Callable[[str], Any]

    def value_of(self, req: Requirement) -> str:
        return self.export(getattr(req, self.field))


COLUMNS: tuple[Column, ...] = (
    Column("Key", "key", _text, _parse_text),
    Column("Title", "title", _text, _parse_text),
    Column("State", "state", lambda s: s.label, _parse_state),
    Column("Customer", "customer", _text, _parse_text),
    Column("Tier", "tier", _choice_text, _choice(Tier)),
    Column("Channel", "channel", _choice_text, _choice(Channel, Channel.OTHER)),
    Column("Need type", "need_type", _choice_text, _choice(NeedType)),
    Column("Kano class", "kano", _choice_text, _choice(Kano)),
    Column("Category", "category", _text, _parse_text),
    Column("Importance", "importance", _number_text, _parse_score),
    Column("Urgency", "urgency", _number_text, _parse_score),
    Column("Business value", "business_value", _number_text, _parse_score),
    Column("Effort", "effort_estimate", _number_text, _parse_number),
    Column("Feasibility", "feasibility", _choice_text, _choice(Feasibility)),
    Column("Owner", "owner", _text, _parse_text),
    Column("Due", "due", lambda d: d.isoformat() if d else "", _parse_date),
    Column("Tags", "tags", _lines, _parse_list),
    Column("Depends on", "depends_on", _lines, _parse_keys),
    Column("Conflicts with", "conflicts_with", _lines, _parse_keys),
    Column("Acceptance criteria", "acceptance_criteria", _criteria_text, _parse_criteria),
    Column("Description", "description", _text, _parse_text),
    Column("Rejection reason", "rejection_reason", _text, _parse_text),
    Column("Version", "version", str, _parse_version),
)

COLUMNS_BY_FIELD = {c.field: c for c in COLUMNS}


def _norm(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


_BY_NAME: dict[str, Column] = {}
for _column in COLUMNS:
    _BY_NAME[_norm(_column.header)] = _column
    _BY_NAME[_norm(_column.field)] = _column
_BY_NAME.update({"kano": _BY_NAME["kano class"], "effort estimate": _BY_NAME["effort"],
                 "value": _BY_NAME["business value"], "status": _BY_NAME["state"],
                 "criteria": _BY_NAME["acceptance criteria"]})


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ------------------------------------------------------------------ export
def export_csv(board: Board) -> bytes:
    """Every requirement as CSV: UTF-8 with a BOM (so Excel reads it as UTF-8), CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.header for c in COLUMNS])
    for req in board.requirements():
        writer.writerow([neutralise(c.value_of(req)) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ------------------------------------------------------------------ import
def read_csv(data: bytes) -> tuple[list[Incoming], list[str]]:
    """Parse a CSV file into records; returns (records, problems with the file as a whole)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"the file is not UTF-8 text (byte {exc.start}): save it as \"CSV UTF-8\""]
    if not text.strip():
        return [], ["the file is empty: a CSV import needs a header row and at least one row"]
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return [], [f"the file is not valid CSV: {exc}"]
    header, body = rows[0], rows[1:]
    columns: list[Column | None] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for index, name in enumerate(header):
        where = f"column {column_letter(index)}"
        name = restore(name).strip()
        if not name:
            if any(index < len(r) and r[index].strip() for r in body):
                problems.append(f"row 1, {where}: the column has values but no name")
            columns.append(None)
            continue
        column = _BY_NAME.get(_norm(name))
        if column is None:
            known = ", ".join(c.header for c in COLUMNS)
            problems.append(f"row 1, {where} ({name}): unknown column; the known columns are: {known}")
        elif column.field in seen:
            problems.append(f"row 1, {where} ({name}): the same column as {seen[column.field]}")
        else:
            seen[column.field] = f"{where} ({name})"
        columns.append(column)
    if not problems and "key" not in seen and "title" not in seen:
        problems.append("row 1: the header has neither a Key nor a Title column")
    if problems:
        return [], problems
    records = []
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        records.append(_record(number, row, header, columns))
    if not records:
        problems.append("the file has a header but no rows")
    return records, problems


def _record(number: int, row: list[str], header: list[str], columns: list[Column | None]) -> Incoming:
    record = Incoming(where=f"row {number}")
    if len(row) != len(header):
        record.problems.append(("", f"it has {len(row)} cells but the header has {len(header)}"))
        return record
    for index, (cell, column) in enumerate(zip(row, columns)):
        if column is None:
            continue
        label = f"column {column_letter(index)} ({restore(header[index]).strip()})"
        record.labels[column.field] = label
        try:
            value = column.parse(restore(cell))
        except CellError as exc:
            record.problems.append((label, str(exc)))
            continue
        if column.field == "key":
            if value.strip():
                key = normalise_key(value)
                if _is_key(key):
                    record.key = key
                else:
                    record.problems.append((label, f"{value!r} is not a requirement key (they look like "
                                                   "REQ-12); leave it blank to add a new requirement"))
        elif column.field == "version":
            record.version = value
        else:
            record.fields[column.field] = value
    if record.key:
        record.where = f"row {number} ({record.key})"
    return record


def import_csv(board: Board, data: bytes, *, source: str = "", dry_run: bool = False) -> ImportSummary:
    """Import a CSV file: every row or, if any row or cell is refused, nothing.

    Returns the summary (for a dry run, what would happen); raises ImportRefused with the report.
    """
    records, problems = read_csv(data)
    summary = ImportSummary(format="csv", source=source, refused=list(problems))
    return merge(board, records if not problems else [], fmt="csv", source=source, dry_run=dry_run,
                 summary=summary)
