"""CSV for spreadsheet users: one row per requirement, readable column names, UTF-8 with a BOM.

Export writes every requirement with the columns of `COLUMNS`, the UID last; multi-line text stays in
one quoted cell; lists (tags, links, acceptance criteria) hold one item per line (a lone tag with a
comma ends with a line break, so that it is read back as one tag: a cell typed on one line may
separate tags with commas).

Formula cells. A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return
as a formula. Export puts a `'` before any cell that starts with one of those characters *or with `'`
itself*; import removes exactly one leading `'` from every cell that has one. So export then import
gives back every value exactly, a title that really starts with `'` included (`'quoted'` is written
`''quoted'`), and no cell of ours is ever run as a formula.

Import matches a row to a requirement by its UID (the last column of an export), else by its Key (a
spreadsheet someone typed); a row with neither is a new requirement. A row whose key is on the board as
another requirement (its UID differs) is refused, or added under a new key with `rekey`; importing the
same file again changes nothing (see `plan`). A column absent from the file leaves that field alone;
an empty cell clears it. Anything wrong with the file (its encoding, its quoting, a huge cell, a row
of the wrong length, an unknown or repeated column, a bad value) is reported by row (the header is
row 1, as a spreadsheet numbers it) and column (letter and name), and nothing is imported.

The file is read as a stream of rows, and checked and planned before the board's lock is taken (see
`pipeline`): the text of a big file is never held whole beside its rows.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import islice
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..board import Board
from ..errors import validation_message
from ..memory import paused_gc
from ..models import (
    MAX_COUNT,
    MAX_KEY_DIGITS,
    Channel,
    Criterion,
    Feasibility,
    Kano,
    NeedType,
    Requirement,
    State,
    Tier,
    Uid,
    is_requirement_key,
    normalise_key,
)
from .incoming import Incoming, ReadFile, Rereading

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


def _quoted(cell: str, limit: int = 60) -> str:
    """A cell's text for a message: quoted, control characters escaped, a long one cut."""
    return repr(cell if len(cell) <= limit else cell[:limit] + "…")


def _shown_name(name: str) -> str:
    """A column's name as a message shows it: as typed, unless it holds characters a terminal hides."""
    return name if name.isprintable() and len(name) <= 60 else _quoted(name)


# ------------------------------------------------------------------ cell formats
def _text(value: Any) -> str:
    return value or ""


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _lines(value: tuple[str, ...]) -> str:
    return "\n".join(value)


def criteria_text(value: tuple[Criterion, ...]) -> str:
    """Acceptance criteria as a cell: one `[x] text` or `[ ] text` a line (ReqIF writes them so too)."""
    return "\n".join(f"[{'x' if c.done else ' '}] {c.text}" for c in value)


def _choice_text(value: Any) -> str:
    return "" if value is None else value.label


def _parse_text(cell: str) -> str:
    return cell


# The parsers of values that repeat from row to row remember their answers (they are pure functions of
# the cell's text): a file of 100,000 rows has a few dozen distinct scores, tiers and dates.
@lru_cache(maxsize=4096)
def _parse_score(cell: str) -> int | None:
    if not cell.strip():
        return None
    try:
        number = float(cell.strip())
    except ValueError:
        raise CellError(f"{_quoted(cell)} is not a whole number from 1 to 5") from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise CellError(f"{_quoted(cell)} is not a whole number from 1 to 5")
    return int(number)


@lru_cache(maxsize=4096)
def _parse_number(cell: str) -> float | None:
    if not cell.strip():
        return None
    try:
        number = float(cell.strip().replace(",", "."))
    except ValueError:
        raise CellError(f"{_quoted(cell)} is not a number") from None
    if not math.isfinite(number):
        raise CellError(f"{_quoted(cell)} is not a finite number")
    return number


def parse_version(cell: str) -> int | None:
    """A Version cell (or ReqIF value) as the version it names, None when blank; raises CellError."""
    text = cell.strip()
    if not text:
        return None
    # ASCII digits only: int() would also take "1_000", "١٢" and thousands of digits.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_COUNT)) or not 1 <= int(text) <= MAX_COUNT:
        raise CellError(f"{_quoted(cell)} is not a version number (a whole number from 1 to "
                        f"{MAX_COUNT:,}, as the export wrote it)")
    return int(text)


@cache
def _uid_rule() -> TypeAdapter[str]:
    return TypeAdapter(Uid)


def _parse_uid(cell: str) -> str | None:
    text = cell.strip()
    if not text:
        return None
    try:
        return _uid_rule().validate_python(text)
    except ValidationError as exc:  # the models' own rule, in their words
        reason = "; ".join(validation_message(exc).errors.values())
        raise CellError(f"{_quoted(cell)} is not a UID: it {reason}, as the export wrote it; clear the "
                        "cell to match the row by its key") from None


@lru_cache(maxsize=4096)
def _parse_date(cell: str) -> date | None:
    if not cell.strip():
        return None
    try:
        return date.fromisoformat(cell.strip()[:10])
    except ValueError:
        raise CellError(f"{_quoted(cell)} is not a date: write it as YYYY-MM-DD") from None


@lru_cache(maxsize=256)
def _parse_state(cell: str) -> State | None:
    if not cell.strip():
        return None
    try:
        return State.parse(cell)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _choice(kind: type[Tier | Channel | NeedType | Kano | Feasibility], default: Any = None) -> Callable[[str], Any]:
    @lru_cache(maxsize=256)
    def parse(cell: str) -> Any:
        if not cell.strip():
            return default
        try:
            return kind(cell.strip())
        except ValueError:
            names = ", ".join(m.label for m in kind)
            raise CellError(f"{_quoted(cell)} is not one of: {names}") from None

    return parse


def tags_text(value: tuple[str, ...]) -> str:
    """Tags as a cell: one tag a line; a lone tag with a comma ends with a line break, so that it is
    not read back as two (ReqIF writes them so too)."""
    return "\n".join(value) + ("\n" if len(value) == 1 and "," in value[0] else "")


@lru_cache(maxsize=4096)
def _parse_list(cell: str) -> tuple[str, ...]:
    """One item a line (as exported); a cell typed on one line may separate them with commas."""
    items = cell.splitlines() if "\n" in cell or "\r" in cell else cell.split(",")
    return tuple(item.strip() for item in items if item.strip())


def _parse_keys(cell: str) -> tuple[str, ...]:
    return tuple(parse_key(item) for item in cell.replace(",", " ").replace(";", " ").split())


def _parse_key_cell(cell: str) -> str | None:
    if not cell.strip():
        return None
    try:
        return parse_key(cell)
    except CellError as exc:
        raise CellError(f"{exc}; leave it blank to add a new requirement") from None


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


def parse_key(text: str) -> str:
    """`REQ-12`, `req-12` or `12` (a spreadsheet's number) as the key REQ-12; raises CellError for
    anything else, `REQ-²` and `REQ-12345678901234567` included (the models' rule for keys)."""
    key = normalise_key(text)
    if is_requirement_key(key):
        return key
    digits = key[4:] if key.startswith("REQ-") else ""
    if digits.isascii() and digits.isdigit() and len(digits) > MAX_KEY_DIGITS:
        raise CellError(f"{_quoted(text.strip())} is not a requirement key: a key has at most "
                        f"{MAX_KEY_DIGITS} digits")
    raise CellError(f"{_quoted(text.strip())} is not a requirement key (they look like REQ-12)")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    export: Callable[[Any], str]
    parse: Callable[[str], Any]

    def value_of(self, req: Requirement) -> str:
        return self.export(getattr(req, self.field))


COLUMNS: tuple[Column, ...] = (
    Column("Key", "key", _text, _parse_key_cell),
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
    Column("Tags", "tags", tags_text, _parse_list),
    Column("Depends on", "depends_on", _lines, _parse_keys),
    Column("Conflicts with", "conflicts_with", _lines, _parse_keys),
    Column("Acceptance criteria", "acceptance_criteria", criteria_text, _parse_criteria),
    Column("Description", "description", _text, _parse_text),
    Column("Rejection reason", "rejection_reason", _text, _parse_text),
    Column("Version", "version", str, parse_version),
    # Last, so that the columns before it keep the letters they had before exports carried it.
    Column("UID", "uid", str, _parse_uid),
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
                 "criteria": _BY_NAME["acceptance criteria"], "identifier": _BY_NAME["uid"]})


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
@dataclass(frozen=True)
class _Layout:
    """What the header says: each named column's index, column and label (`column B (Title)`)."""

    header: tuple[str, ...]
    cells: tuple[tuple[int, str, Callable[[str], Any] | None, str], ...]
    """Each named column: its index, field, parser (None for text, taken as it is) and label."""
    labels: dict[str, str]
    """Field -> label, shared by every row's record (the same for all of them)."""

    def place(self, row: int, column: int | None) -> str:
        """`row 4, column B (Title)`: where something is, as a spreadsheet shows it."""
        if column is None:
            return f"row {row}"
        name = restore(self.header[column]).strip() if column < len(self.header) else ""
        return f"row {row}, column {column_letter(column)}" + (f" ({_shown_name(name)})" if name else "")


_NO_HEADER = _Layout((), (), {})


def _text_lines(data: bytes) -> io.TextIOWrapper:
    """The file's text a line at a time, decoded as it is read (never a second copy of a big file)."""
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")


def _delimiter(data: bytes) -> str:
    """Comma, or what the first line uses instead (semicolons from a European Excel, tabs)."""
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8", errors="replace")
    if "," not in first_line:
        return ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    return ","


class _Rows:
    """The rows of a CSV file, numbered as a spreadsheet numbers them, remembering where each starts."""

    def __init__(self, data: bytes, delimiter: str) -> None:
        self.data = data
        self.delimiter = delimiter
        self.number = 0
        """The last row read (the header is row 1)."""
        self.start_line = 1
        """The line of the file where the next row starts (a row may span lines)."""

    def __iter__(self) -> Iterator[list[str]]:
        reader = csv.reader(_text_lines(self.data), delimiter=self.delimiter, strict=True)
        for row in reader:
            self.number += 1
            yield row
            self.start_line = reader.line_num + 1

    def broken_cell(self) -> int:
        """The cell of the next row (from `start_line`) where the CSV breaks: a character after a
        closing quote, a cell longer than the csv module takes, or a quote the data ends inside."""
        lines = islice(_text_lines(self.data), self.start_line - 1, None)
        return _scan_row(lines, self.delimiter, csv.field_size_limit())


def _scan_row(lines: Iterator[str], delimiter: str, limit: int) -> int:
    """Walk one row as the csv module reads it (strict, quotes doubled inside quotes) and return the
    index of the cell where it stops being CSV, or of its last cell if it does not."""
    special = re.compile(f'[{re.escape(delimiter)}"\r\n]')
    cell, length, quoted, after_quote = 0, 0, False, False
    for line in lines:
        at = 0
        while at < len(line):
            if quoted:
                end = line.find('"', at)
                if end < 0:  # the cell goes on into the next line
                    length += len(line) - at
                    break
                length += end - at
                quoted, after_quote, at = False, True, end + 1
            else:
                match = special.search(line, at)
                end = match.start() if match else len(line)
                if end > at and after_quote:
                    return cell  # text after a closing quote
                length += end - at
                if length > limit:
                    return cell
                if match is None:
                    break
                char = match.group()
                if char == '"' and after_quote:  # a doubled quote inside a quoted cell
                    quoted, after_quote, length = True, False, length + 1
                elif char == '"' and length == 0:
                    quoted = True
                elif char == '"':
                    length += 1  # a quote inside an unquoted cell is text
                elif char == delimiter:
                    cell, length, after_quote = cell + 1, 0, False
                else:
                    return cell  # the row ends here without a fault
                at = end + 1
            if length > limit:
                return cell
    return cell  # the data ends (inside a quote, if the row was broken by that)


def _csv_problem(rows: _Rows, layout: _Layout, exc: csv.Error) -> str:
    place = layout.place(rows.number + 1, rows.broken_cell())
    if "field larger than field limit" in str(exc):
        return (f"{place}: the cell is longer than {csv.field_size_limit():,} characters, more than any "
                "field of a requirement holds")
    return (f"{place}: the file is not valid CSV here ({exc}): a cell that starts with a quote must end "
            "with one, and a quote inside such a cell is written twice")


def _decode_problem(data: bytes, delimiter: str) -> str:
    """Where the first byte that is not UTF-8 is, by row and column."""
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        data[skip:].decode("utf-8")
        start = len(data) - skip  # not reached: the caller saw a decoding error
    except UnicodeDecodeError as exc:
        start = exc.start
    valid = data[: skip + start]
    rows = _Rows(valid, delimiter)
    header: list[str] = []
    last: list[str] = []
    try:
        for row in rows:
            header = row if rows.number == 1 else header
            last = row
        if valid[skip:].endswith((b"\n", b"\r")) or not valid[skip:]:
            row_number, cell = rows.number + 1, 0  # the byte starts a row
        else:  # it is in the row read last, in its last cell
            row_number, cell = rows.number, max(len(last) - 1, 0)
    except csv.Error:  # the data ends inside a quoted cell (or is broken before the byte)
        row_number, cell = rows.number + 1, rows.broken_cell()
    layout = _Layout(tuple(header), (), {})
    return (f"{layout.place(row_number, cell)}: the file is not UTF-8 text (byte {skip + start}): save it "
            "as \"CSV UTF-8\"")


def _layout(header: list[str]) -> tuple[_Layout, list[int], list[str]]:
    """The header's layout, the columns without a name, and what is wrong with the header."""
    cells: list[tuple[int, str, Callable[[str], Any] | None, str]] = []
    unnamed: list[int] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        where = f"column {column_letter(index)}"
        name = restore(raw).strip()
        if not name:
            unnamed.append(index)
            continue
        shown = _shown_name(name)
        column = _BY_NAME.get(_norm(name))
        if column is None:
            known = ", ".join(c.header for c in COLUMNS)
            problems.append(f"row 1, {where} ({shown}): unknown column; the known columns are: {known}")
        elif column.field in seen:
            problems.append(f"row 1, {where} ({shown}): the same column as {seen[column.field]}")
        else:
            seen[column.field] = f"{where} ({shown})"
            parse = None if column.parse is _parse_text else column.parse
            cells.append((index, column.field, parse, f"{where} ({shown})"))
    if not problems and "key" not in seen and "title" not in seen:
        problems.append("row 1: the header has neither a Key nor a Title column")
    labels = {name: label for _, name, _, label in cells}
    return _Layout(tuple(header), tuple(cells), labels), unnamed, problems


_Build = Callable[[int, list[str], _Layout, dict[Any, Any]], Incoming]


@dataclass
class _Header:
    """What reading a file found out about its header (and about columns without a name)."""

    layout: _Layout = _NO_HEADER
    blank: bool = True
    """The first row is empty (or there is no row at all)."""
    rows_under_blank: bool = False
    problems: list[str] = field(default_factory=list)
    unnamed_with_values: set[int] = field(default_factory=set)


def _records(rows: _Rows, build: _Build, header: _Header) -> Iterator[Incoming]:
    """The records of the rows after the header, made by `build`. What is wrong with the header is
    left in `header`; then no records are made (the rows are only looked at for unnamed columns)."""
    shared: dict[Any, Any] = {}
    unnamed: list[int] = []
    for row in rows:
        if rows.number == 1:
            header.blank = not "".join(row).strip()
            header.layout, unnamed, header.problems = _layout(row)
            continue
        if not "".join(row).strip():
            continue
        if header.blank:
            header.rows_under_blank = True
            return
        for index in unnamed:
            if index < len(row) and row[index].strip():
                header.unnamed_with_values.add(index)
        if not header.problems:
            yield build(rows.number, row, header.layout, shared)


def read_csv(data: bytes, *, identity_only: bool = False) -> tuple[list[Incoming], list[str]]:
    """Parse a CSV file into records; returns (records, problems with the file as a whole).

    Reads the file as a stream of rows. Every problem names its row and, where it has one, its column;
    with any problem with the file as a whole, no records are returned. With `identity_only` a record
    carries only what names its requirement (key, UID, version) and a fault of the row as a whole;
    `stream_csv` gives the whole records afterwards, one at a time.
    """
    delimiter = _delimiter(data)
    rows = _Rows(data, delimiter)
    header = _Header()
    try:
        with paused_gc():  # every record made is kept (see storage.paused_gc)
            records = list(_records(rows, _identity if identity_only else _record, header))
    except UnicodeDecodeError:
        return [], [_decode_problem(data, delimiter)]
    except csv.Error as exc:
        return [], [_csv_problem(rows, header.layout, exc)]
    if header.rows_under_blank:
        return [], ["row 1: the first row is empty, but it must name the columns (Key, Title, ...)"]
    if header.blank:  # no rows, or only empty ones
        return [], ["the file is empty: a CSV import needs a header row and at least one row"]
    problems = header.problems + [f"row 1, column {column_letter(i)}: the column has values but no name"
                                  for i in sorted(header.unnamed_with_values)]
    if problems:
        return [], problems
    if not records:
        return [], ["the file has a header but no rows"]
    return records, []


def stream_csv(data: bytes) -> Iterator[Incoming]:
    """The whole records of a file `read_csv` read without a problem, one at a time, in its order."""
    yield from _records(_Rows(data, _delimiter(data)), _record, _Header())


_IDENTITY = frozenset({"key", "uid", "version"})


def _identity(number: int, row: list[str], layout: _Layout, shared: dict[Any, Any]) -> Incoming:
    """The record of one row with only its key, UID and version (a bad one is left out: the whole
    record, read by `stream_csv`, reports it) and whether the row has as many cells as the header."""
    record = _ragged(number, row, layout)
    if record.problems:
        return record
    for index, name, parse, _label in layout.cells:
        if name in _IDENTITY and parse is not None:
            try:
                value = parse(restore(row[index]))
            except CellError:
                continue
            setattr(record, name, value)
    if record.key:
        record.where = f"row {number} ({record.key})"
    return record


def _ragged(number: int, row: list[str], layout: _Layout) -> Incoming:
    """A record for the row, with a problem when it has more or fewer cells than the header."""
    record = Incoming(where=f"row {number}", labels=layout.labels)
    width = len(layout.header)
    if len(row) != width:
        if len(row) < width:
            what = f"it ends before {layout.place(number, len(row)).split(', ', 1)[1]}"
        else:
            what = f"column {column_letter(width)} is past the header's last column"
        record.problems.append(("", f"it has {len(row)} cells but the header has {width} ({what})"))
    return record


_REPEATED = frozenset({"customer", "owner", "category", "tags"})
"""Fields whose values repeat from row to row: one copy of each value is kept for the whole file."""


def _record(number: int, row: list[str], layout: _Layout, shared: dict[Any, Any]) -> Incoming:
    """The record of one row; `shared` holds the one copy of each repeated value (see _REPEATED)."""
    record = _ragged(number, row, layout)
    if record.problems:
        return record
    fields = record.fields
    for index, name, parse, label in layout.cells:
        cell = row[index]
        if cell[:1] == ESCAPE:  # `restore`, inline: it runs for every cell of every row
            cell = cell[1:]
        if parse is None:
            fields[name] = shared.setdefault(cell, cell) if name in _REPEATED else cell
            continue
        try:
            value = parse(cell)
        except CellError as exc:
            record.problems.append((label, str(exc)))
            continue
        if name == "key":
            record.key = value
        elif name == "version":
            record.version = value
        elif name == "uid":
            record.uid = value
        elif name in _REPEATED:  # the tags: the tuple and its words, one copy each
            known = shared.get(value)
            if known is None:
                known = shared[value] = tuple(shared.setdefault(t, t) for t in value)
            fields[name] = known
        else:
            fields[name] = value
    if record.key:
        record.where = f"row {number} ({record.key})"
    return record


def read_csv_file(data: bytes) -> ReadFile:
    """A CSV file's records for the import pipeline: every problem with the file as a whole, or the
    records (see `read_csv`).

    Two readings of the file, never all of it at once: which requirement each row names now, and each
    whole row again as it is planned (see `pipeline`).
    """
    records, problems = read_csv(data, identity_only=True)
    reread = Rereading(names=lambda: read_csv(data, identity_only=True)[0], whole=lambda: stream_csv(data))
    return ReadFile("csv", records if not problems else [], list(problems), reread=reread)
