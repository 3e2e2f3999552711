"""CSV for spreadsheet users: one row per requirement, readable column names, UTF-8 with a BOM.

Export writes every requirement with the columns of `COLUMNS`, the UID then the Section, a complaint's Cause and
the Notes last (each added after the ones before, which keep their letters); multi-line text stays in one
quoted cell; lists (tags, links, acceptance criteria) hold one item per line (a lone tag with a comma ends
with a line break, so that it is read back as one tag: a cell typed on one line may separate tags with
commas). What an export writes is the same in every language: English headers
and enum spellings (`In progress`, `after sales`), UTF-8 with a BOM unless `encoding=` names GB18030
(what a Chinese Excel opens), GBK or UTF-8 without the BOM.

Chinese spreadsheets. Import takes each column by its Chinese names too (`CHINESE_HEADERS`: 标题, 需求描述,
客户名称, Kano 类别 ...; traditional characters read as simplified), enum values by their Chinese names
(邮件, 必备型, 进行中: the domain's `CHINESE_NAMES`), dates written year first (2026/1/5, 2026年1月5日),
and a file in GB18030/GBK or UTF-16 as well as UTF-8, detected or named (see `encodings`).

Formula cells. A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return
as a formula. Export puts a `'` before any cell that starts with one of those characters *or with `'`
itself*; import removes exactly one leading `'` from every cell that has one. So export then import
gives back every value exactly, a title that really starts with `'` included (`'quoted'` is written
`''quoted'`), and no cell of ours is ever run as a formula.

The communication log. The Notes column holds it as a person reads it, newest first, one note a line:
`2026-03-02 hotline, Li Wei: Called about the layout` (the day in UTC, the channel, who took part on the
customer's side, what was said; a note of several lines keeps them). It is for reading: import takes the
column as known and leaves it alone, whatever it holds, since a note is a record of its own (when, by
whom, through what) that a cell cannot give back; notes are added with `reqboard note`, and a JSON
export carries them whole. A complaint's Cause is a field like the others: import spells it as the
board's list of causes does, and refuses one the list does not have (see `plan`).

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
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from itertools import islice
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..board import Board
from ..collation import has_han, simplified
from ..encodings import IMPORT_ENCODINGS, detect, export_encoding, first_bad_byte, import_encoding, shown_name
from ..errors import InvalidValue, parser_words, validation_message
from ..i18n import _, listed, pgettext
from ..memory import paused_gc
from ..models import (
    MAX_COUNT,
    MAX_KEY_DIGITS,
    Channel,
    Criterion,
    Feasibility,
    Kano,
    NeedType,
    Note,
    Requirement,
    State,
    Tier,
    Uid,
    is_requirement_key,
    normalise_key,
)
from .incoming import Incoming, ReadFile, Rereading, place_in, row_place, said, said_by

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
    """A cell's text is not a valid value; the message (made by `said`, knowing its English) says what is
    expected."""

    @property
    def message(self) -> str:
        """The message as raised (`str(error)` would be a copy without its English)."""
        first = self.args[0] if self.args else ""
        return first if isinstance(first, str) else str(self)


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
    return "" if value is None else value.english  # the English spelling whatever the language: files stay one


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
        raise CellError(said(lambda: _("{cell} is not a whole number from 1 to 5"), cell=_quoted(cell))) from None
    if not number.is_integer() or not 1 <= number <= 5:
        raise CellError(said(lambda: _("{cell} is not a whole number from 1 to 5"), cell=_quoted(cell)))
    return int(number)


@lru_cache(maxsize=4096)
def _parse_number(cell: str) -> float | None:
    if not cell.strip():
        return None
    try:
        number = float(cell.strip().replace(",", "."))
    except ValueError:
        raise CellError(said(lambda: _("{cell} is not a number"), cell=_quoted(cell))) from None
    if not math.isfinite(number):
        raise CellError(said(lambda: _("{cell} is not a finite number"), cell=_quoted(cell)))
    return number


def parse_version(cell: str) -> int | None:
    """A Version cell (or ReqIF value) as the version it names, None when blank; raises CellError."""
    text = cell.strip()
    if not text:
        return None
    # ASCII digits only: int() would also take "1_000", "١٢" and thousands of digits.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_COUNT)) or not 1 <= int(text) <= MAX_COUNT:
        raise CellError(said(lambda: _("{cell} is not a version number (a whole number from 1 to {most}, as the export "
                                       "wrote it)"), cell=_quoted(cell), most=f"{MAX_COUNT:,}"))
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
    except ValidationError:
        raise CellError(said_by(lambda: _not_a_uid(cell))) from None


def _not_a_uid(cell: str) -> str:
    """Why `cell` is not a UID, in the models' own words, in the language spoken now."""
    try:
        _uid_rule().validate_python(cell.strip())
        reason = ""
    except ValidationError as exc:
        reason = "; ".join(validation_message(exc).errors.values())
    return _("{cell} is not a UID: it {reason}, as the export wrote it; clear the cell to match the row by its "
             "key").format(cell=_quoted(cell), reason=reason)


# A date with the year first, as Chinese spreadsheets write it: 2026/1/5, 2026.01.05, 2026年1月5日.
_YEAR_FIRST = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?")


@lru_cache(maxsize=4096)
def _parse_date(cell: str) -> date | None:
    text = cell.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    # A time after the date (2026/1/5 0:00, as Excel writes a date cell) is left out, as after an ISO date.
    match = _YEAR_FIRST.match(text)
    if match is not None and (match.end() == len(text) or text[match.end()] == " "):
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            pass
    raise CellError(said(lambda: _("{cell} is not a date: write it as YYYY-MM-DD"), cell=_quoted(cell))) from None


@lru_cache(maxsize=256)
def _parse_state(cell: str) -> State | None:
    if not cell.strip():
        return None
    try:
        return State.parse(cell)
    except ValueError:
        if has_han(cell) and simplified(cell) != cell:  # 進行中 is 进行中
            return _parse_state(simplified(cell))
        raise CellError(said_by(lambda: _refusal_of(State.parse, cell))) from None


def _refusal_of(parse: Callable[[str], object], cell: str) -> str:
    """What `parse(cell)`, which refuses the cell, says is wrong, in the language spoken now."""
    try:
        parse(cell)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("the cell was refused")  # pragma: no cover


def _choice(kind: type[Tier | Channel | NeedType | Kano | Feasibility], default: Any = None) -> Callable[[str], Any]:
    @lru_cache(maxsize=256)
    def parse(cell: str) -> Any:
        if not cell.strip():
            return default
        try:
            return kind(cell.strip())
        except ValueError:
            if has_han(cell) and simplified(cell) != cell:  # 郵件 is 邮件
                return parse(simplified(cell))
            names = said_by(lambda: listed(m.label for m in kind))
            raise CellError(said(lambda: _("{cell} is not one of: {names}"), cell=_quoted(cell), names=names)) from None

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
        raise CellError(said(lambda: _("{problem}; leave it blank to add a new requirement"), problem=exc.message)) from None


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
        raise CellError(said(lambda: _("{cell} is not a requirement key: a key has at most {digits} digits"),
                             cell=_quoted(text.strip()), digits=MAX_KEY_DIGITS))
    raise CellError(said(lambda: _("{cell} is not a requirement key (they look like REQ-12)"), cell=_quoted(text.strip())))


def notes_text(notes: tuple[Note, ...], limit: int | None = None) -> str:
    """The communication log as the Notes column (and ReqIF's reqboard.notes) shows it: newest first, one
    note a line, `2026-03-02 hotline, Li Wei: text` (the day in UTC). Kept under `limit` characters (by
    default what a spreadsheet cell holds): the oldest notes beyond it are counted at the end instead."""
    lines: list[str] = []
    size = 0
    for index, note in enumerate(reversed(notes)):
        head = f"{note.at.date().isoformat()} {_choice_text(note.channel)}"
        line = f"{head}, {note.with_}: {note.text}" if note.with_ else f"{head}: {note.text}"
        if size + len(line) > (limit or NOTES_CELL):
            lines.append(f"({len(notes) - index} earlier notes not shown)")
            break
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)


NOTES_CELL = 32_000
"""What the Notes cell holds at most (a spreadsheet cell holds 32,767 characters)."""


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    export: Callable[[Any], str]
    parse: Callable[[str], Any]
    read_only: bool = False
    """Written for people to read, never imported: the column is known, its cells are left alone."""

    def value_of(self, req: Requirement) -> str:
        return self.export(getattr(req, self.field))


COLUMNS: tuple[Column, ...] = (
    Column("Key", "key", _text, _parse_key_cell),
    Column("Title", "title", _text, _parse_text),
    Column("State", "state", lambda s: s.english, _parse_state),
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
    # After the UID: added with issue #20, it leaves every earlier column where it was.
    Column("Section", "section", _text, _parse_text),
    # Added with issue #16, after the Section.
    Column("Cause", "cause", _text, _parse_text),
    Column("Notes", "notes", notes_text, _parse_text, read_only=True),
)

COLUMNS_BY_FIELD = {c.field: c for c in COLUMNS}


CHINESE_HEADERS: dict[str, tuple[str, ...]] = {
    "key": ("编号", "需求编号", "需求编码", "编码"),
    "title": ("标题", "需求标题", "需求名称", "名称"),
    "state": ("状态", "需求状态"),
    "customer": ("客户", "客户名称", "客户名"),
    "tier": ("层级", "客户层级", "客户分级", "客户等级"),
    "channel": ("渠道", "来源渠道", "收集渠道", "需求渠道"),
    "need_type": ("需求类型",),
    "kano": ("Kano 类别", "Kano 分类", "卡诺类别", "卡诺分类"),
    "category": ("分类", "类别", "需求分类"),
    "importance": ("重要性", "重要程度"),
    "urgency": ("紧急程度", "紧急性", "紧迫性"),
    "business_value": ("业务价值", "价值", "商业价值"),
    "effort_estimate": ("工作量估算", "工作量", "预估工作量", "估算工作量"),
    "feasibility": ("可行性",),
    "owner": ("负责人", "责任人", "处理人"),
    "due": ("截止日期", "截止时间", "到期日期", "到期日", "期限"),
    "tags": ("标签",),
    "depends_on": ("依赖", "依赖于", "依赖需求", "前置需求"),
    "conflicts_with": ("冲突", "冲突需求", "冲突于"),
    "acceptance_criteria": ("验收标准", "验收条件"),
    "description": ("描述", "需求描述", "详细描述", "说明", "需求说明"),
    "rejection_reason": ("拒绝原因", "驳回原因"),
    "version": ("版本", "版本号"),
    "uid": ("唯一标识", "唯一标识符"),
    "section": ("章节", "所在章节"),
    "cause": ("投诉原因", "原因"),
    "notes": ("沟通记录", "沟通日志"),
}
"""The Chinese names a column is also read by, whatever the language (a Chinese spreadsheet's header);
the first is the name the zh_CN catalogue gives it (see `column_name`). An export's header stays English."""


def column_name(column: Column) -> str:
    """A column's name as a person reads it, in the current language (Title, 标题)."""
    names = {
        "key": pgettext("CSV column", "Key"),
        "title": pgettext("CSV column", "Title"),
        "state": pgettext("CSV column", "State"),
        "customer": pgettext("CSV column", "Customer"),
        "tier": pgettext("CSV column", "Tier"),
        "channel": pgettext("CSV column", "Channel"),
        "need_type": pgettext("CSV column", "Need type"),
        "kano": pgettext("CSV column", "Kano class"),
        "category": pgettext("CSV column", "Category"),
        "importance": pgettext("CSV column", "Importance"),
        "urgency": pgettext("CSV column", "Urgency"),
        "business_value": pgettext("CSV column", "Business value"),
        "effort_estimate": pgettext("CSV column", "Effort"),
        "feasibility": pgettext("CSV column", "Feasibility"),
        "owner": pgettext("CSV column", "Owner"),
        "due": pgettext("CSV column", "Due"),
        "tags": pgettext("CSV column", "Tags"),
        "depends_on": pgettext("CSV column", "Depends on"),
        "conflicts_with": pgettext("CSV column", "Conflicts with"),
        "acceptance_criteria": pgettext("CSV column", "Acceptance criteria"),
        "description": pgettext("CSV column", "Description"),
        "rejection_reason": pgettext("CSV column", "Rejection reason"),
        "version": pgettext("CSV column", "Version"),
        "uid": pgettext("CSV column", "UID"),
        "section": pgettext("CSV column", "Section"),
        "cause": pgettext("CSV column", "Cause"),
        "notes": pgettext("CSV column", "Notes"),
    }
    return names.get(column.field, column.header)


def _norm(name: str) -> str:
    """A column's name as it is looked up: full-width letters as ASCII (NFKC), case, `_` and `-` ignored."""
    return " ".join(unicodedata.normalize("NFKC", name).strip().lower().replace("_", " ").replace("-", " ").split())


_BY_NAME: dict[str, Column] = {}
for _column in COLUMNS:
    _BY_NAME[_norm(_column.header)] = _column
    _BY_NAME[_norm(_column.field)] = _column
_BY_NAME.update({"kano": _BY_NAME["kano class"], "effort estimate": _BY_NAME["effort"],
                 "value": _BY_NAME["business value"], "status": _BY_NAME["state"],
                 "criteria": _BY_NAME["acceptance criteria"], "identifier": _BY_NAME["uid"],
                 "complaint cause": _BY_NAME["cause"], "communication log": _BY_NAME["notes"]})
for _field, _names in CHINESE_HEADERS.items():
    for _name in _names:  # kept without spaces: `Kano 类别` and `Kano类别` are one name
        _BY_NAME.setdefault(_norm(_name).replace(" ", ""), COLUMNS_BY_FIELD[_field])
_PRIORITY = frozenset({"priority", "优先级"})
"""Names of a column that is no field: a requirement's priority is worked out from its importance and urgency."""


def column_named(name: str) -> Column | None:
    """The column a header cell names (`Title`, `title`, `需求标题`, `Kano类别`, `標題`), or None."""
    normal = _norm(name)
    found = _BY_NAME.get(normal)
    if found is None and not normal.isascii():
        compact = normal.replace(" ", "")
        # Traditional characters as simplified (OpenCC is loaded only for a name not found otherwise).
        found = _BY_NAME.get(compact) or _BY_NAME.get(simplified(compact))
    return found


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ------------------------------------------------------------------ export
def export_csv(board: Board, *, encoding: str | None = None) -> bytes:
    """Every requirement as CSV, CRLF line ends, the header in English whatever the language. By default
    UTF-8 with a BOM (so Excel reads it as UTF-8); `encoding="gb18030"` writes what a Chinese Excel opens
    as "CSV" (no BOM), `utf-8` UTF-8 without the BOM. Raises InvalidValue for another encoding, and for
    `gbk` when a requirement holds a character GBK cannot write (GB18030 writes every character)."""
    codec = export_encoding(encoding)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.header for c in COLUMNS])
    reqs = board.requirements()
    for req in reqs:
        writer.writerow([neutralise(c.value_of(req)) for c in COLUMNS])
    if codec == "utf-8-sig":
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    text = out.getvalue()
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        character = text[exc.start]
        key = next((r.key for r in reqs if any(character in c.value_of(r) for c in COLUMNS)), "?")
        raise InvalidValue(_("{key} holds {character!r} (U+{code:04X}), which {encoding} cannot write: export "
                             "in gb18030, which writes every character, or in UTF-8").format(
                                 key=key, character=character, code=ord(character),
                                 encoding=shown_name(codec))) from None


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
            return row_place(row)
        return place_in(row_place(row), self.column_place(column))

    def column_place(self, column: int) -> str:
        """`column B (Title)`: a column by its letter and, if the header has one, its name."""
        name = _header_name(self.header[column]) if column < len(self.header) else ""
        return column_place(column, name)


def column_place(column: int, name: str = "") -> str:
    """`column B (Title)`, or `column B` for a column without a name."""
    if name:
        return said(lambda: _("column {letter} ({name})"), letter=column_letter(column), name=_shown_name(name))
    return said(lambda: _("column {letter}"), letter=column_letter(column))


def _header_name(cell: str) -> str:
    """A header cell's name: without the `'` an export may put before it, spaces, or a byte order mark
    (a file read as UTF-8 without one naming it is UTF-8 with a BOM still starts with it)."""
    return restore(cell.lstrip("\ufeff")).strip()


_NO_HEADER = _Layout((), (), {})


def _text_lines(data: bytes, codec: str, end: int | None = None) -> io.TextIOWrapper:
    """The file's text (up to byte `end`) a line at a time, decoded as it is read (never a second copy of
    a big file)."""
    if end is None:
        return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")
    return io.TextIOWrapper(io.BufferedReader(_Prefix(data, end)), encoding=codec, newline="")


class _Prefix(io.RawIOBase):
    """The first `end` bytes of `data` as a file, without a copy of them."""

    def __init__(self, data: bytes, end: int) -> None:
        super().__init__()
        self._view = memoryview(data)[:end]
        self._at = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), len(self._view) - self._at)
        buffer[:size] = self._view[self._at:self._at + size]
        self._at += size
        return size


def _delimiter(data: bytes, codec: str) -> str:
    """Comma, or what the first line uses instead (semicolons from a European Excel, tabs from Excel's
    "Unicode text")."""
    if codec == "utf-16":
        first_line = data[:65536].decode(codec, errors="replace").split("\n", 1)[0]
    else:  # the others keep ASCII as ASCII: a delimiter's byte is never part of another character
        end = data.find(b"\n")
        first_line = (data if end < 0 else data[:end]).decode("utf-8", errors="replace")
    if "," not in first_line:
        return ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    return ","


class _Rows:
    """The rows of a CSV file, numbered as a spreadsheet numbers them, remembering where each starts."""

    def __init__(self, data: bytes, delimiter: str, codec: str, end: int | None = None) -> None:
        self.data = data
        self.delimiter = delimiter
        self.codec = codec
        self.end = end
        """Where the rows end (None: at the end of `data`)."""
        self.number = 0
        """The last row read (the header is row 1)."""
        self.start_line = 1
        """The line of the file where the next row starts (a row may span lines)."""

    def __iter__(self) -> Iterator[list[str]]:
        reader = csv.reader(_text_lines(self.data, self.codec, self.end), delimiter=self.delimiter, strict=True)
        for row in reader:
            self.number += 1
            yield row
            self.start_line = reader.line_num + 1

    def broken_cell(self) -> int:
        """The cell of the next row (from `start_line`) where the CSV breaks: a character after a
        closing quote, a cell longer than the csv module takes, or a quote the data ends inside."""
        lines = islice(_text_lines(self.data, self.codec, self.end), self.start_line - 1, None)
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
        return said(lambda: _("{place}: the cell is longer than {limit} characters, more than any field of a "
                              "requirement holds"), place=place, limit=f"{csv.field_size_limit():,}")
    return said(lambda: _("{place}: the file is not valid CSV here ({detail}): a cell that starts with a quote must "
                          "end with one, and a quote inside such a cell is written twice"),
                place=place, detail=said_by(lambda: parser_words(str(exc))))


def _decode_problem(data: bytes, delimiter: str, codec: str, *, named: bool) -> str:
    """Where the first byte that is not text in `codec` is, by row and column, and what to do: for a
    file whose encoding was detected (`named` False), the first byte that is not UTF-8."""
    start = first_bad_byte(data, codec)
    rows = _Rows(data, delimiter, codec, end=start)  # the text before the byte
    header: list[str] = []
    last: list[str] = []
    try:
        for row in rows:
            header = row if rows.number == 1 else header
            last = row
        if _starts_a_line(data, start, codec):
            row_number, cell = rows.number + 1, 0  # the byte starts a row
        else:  # it is in the row read last, in its last cell
            row_number, cell = rows.number, max(len(last) - 1, 0)
    except csv.Error:  # the data ends inside a quoted cell (or is broken before the byte)
        row_number, cell = rows.number + 1, rows.broken_cell()
    place = _Layout(tuple(header), (), {}).place(row_number, cell)
    if named:
        return said(lambda: _("{place}: the file is not {encoding} text (byte {byte}): name the encoding it was saved "
                              "in, or leave the encoding out to have it detected"),
                    place=place, encoding=shown_name(codec), byte=start)
    others = ", ".join(name for name in IMPORT_ENCODINGS if not name.startswith("utf-8"))
    return said(lambda: _("{place}: the file is not UTF-8 text (byte {byte}), nor Chinese text in GB18030: save it "
                          "as \"CSV UTF-8\", or name the encoding it is in ({encodings})"),
                place=place, byte=start, encodings=others)


def _starts_a_line(data: bytes, end: int, codec: str) -> bool:
    """Whether byte `end` starts a line: the text before it ends with a line end, or is empty (or only a
    byte order mark). Read a megabyte at a time, only the last character kept."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    last = ""
    for start in range(0, end, _CHUNK):
        text = decoder.decode(data[start:min(start + _CHUNK, end)], start + _CHUNK >= end).lstrip("\ufeff" if not last else "")
        last = text[-1:] or last
    return last in ("", "\n", "\r")


_CHUNK = 1 << 20


def _layout(header: list[str]) -> tuple[_Layout, list[int], list[str]]:
    """The header's layout, the columns without a name, and what is wrong with the header."""
    cells: list[tuple[int, str, Callable[[str], Any] | None, str]] = []
    unnamed: list[int] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(header):
        name = _header_name(raw)
        if not name:
            unnamed.append(index)
            continue
        where = column_place(index, name)
        place = place_in(row_place(1), where)
        column = column_named(name)
        if column is None:
            if _norm(name) in _PRIORITY:
                problems.append(said(lambda: _("{place}: unknown column; a requirement's priority is worked out from "
                                               "its importance and urgency: give those columns instead"), place=place))
                continue
            known = said_by(lambda: listed(column_name(c) for c in COLUMNS))
            problems.append(said(lambda: _("{place}: unknown column; the known columns are: {known}"),
                                 place=place, known=known))
        elif column.field in seen:
            problems.append(said(lambda: _("{place}: the same column as {other}"), place=place, other=seen[column.field]))
        else:
            seen[column.field] = where
            if column.read_only:  # (an export's own column, for people: its cells are never read)
                continue
            parse = None if column.parse is _parse_text else column.parse
            cells.append((index, column.field, parse, where))
    if not problems and "key" not in seen and "title" not in seen:
        problems.append(said(lambda: _("row 1: the header has neither a Key nor a Title column")))
    labels = {name: label for _index, name, _parse, label in cells}
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
            header.blank = not "".join(row).lstrip("\ufeff").strip()
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


def _codec(data: bytes, encoding: str | None) -> tuple[str | None, bool]:
    """The codec to read `data` with (None: detection found none) and whether it was named."""
    if encoding is not None:
        return import_encoding(encoding), True
    return detect(data, chinese_header=_names_a_column_in_chinese), False


def _names_a_column_in_chinese(cell: str) -> bool:
    """Whether a header cell names a column in Chinese (标题, 客户名称): a sign that a file is Chinese text
    (see `encodings.reads_as_chinese`)."""
    return has_han(cell) and column_named(_header_name(cell)) is not None


def read_csv(data: bytes, *, identity_only: bool = False,
             encoding: str | None = None) -> tuple[list[Incoming], list[str]]:
    """Parse a CSV file into records; returns (records, problems with the file as a whole).

    Reads the file as a stream of rows, in `encoding` (None: detected, see `encodings`). Every problem
    names its row and, where it has one, its column; with any problem with the file as a whole, no
    records are returned. With `identity_only` a record carries only what names its requirement (key,
    UID, version) and a fault of the row as a whole; `stream_csv` gives the whole records afterwards,
    one at a time. Raises InvalidValue for an encoding reqboard does not read.
    """
    codec, named = _codec(data, encoding)
    return _read(data, codec, named=named, identity_only=identity_only)


def _read(data: bytes, codec: str | None, *, named: bool, identity_only: bool) -> tuple[list[Incoming], list[str]]:
    if codec is None:  # neither UTF-8 nor Chinese: where it stops being UTF-8
        return [], [_decode_problem(data, _delimiter(data, "utf-8-sig"), "utf-8-sig", named=False)]
    delimiter = _delimiter(data, codec)
    rows = _Rows(data, delimiter, codec)
    header = _Header()
    try:
        with paused_gc():  # every record made is kept (see storage.paused_gc)
            records = list(_records(rows, _identity if identity_only else _record, header))
    except UnicodeError:  # a byte that is not text in the codec, or UTF-16 without its byte order mark
        return [], [_decode_problem(data, delimiter, codec, named=named)]
    except csv.Error as exc:
        return [], [_csv_problem(rows, header.layout, exc)]
    if header.rows_under_blank:
        return [], [said(lambda: _("row 1: the first row is empty, but it must name the columns (Key, Title, ...)"))]
    if header.blank:  # no rows, or only empty ones
        return [], [said(lambda: _("the file is empty: a CSV import needs a header row and at least one row"))]
    problems = header.problems + [said(lambda: _("{place}: the column has values but no name"),
                                       place=place_in(row_place(1), column_place(i)))
                                  for i in sorted(header.unnamed_with_values)]
    if problems:
        return [], problems
    if not records:
        return [], [said(lambda: _("the file has a header but no rows"))]
    return records, []


def stream_csv(data: bytes, *, encoding: str | None = None) -> Iterator[Incoming]:
    """The whole records of a file `read_csv` read without a problem, one at a time, in its order."""
    yield from _stream(data, _codec(data, encoding)[0] or "utf-8-sig")


def _stream(data: bytes, codec: str) -> Iterator[Incoming]:
    yield from _records(_Rows(data, _delimiter(data, codec), codec), _record, _Header())


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
        record.where = row_place(number, record.key)
    return record


def _ragged(number: int, row: list[str], layout: _Layout) -> Incoming:
    """A record for the row, with a problem when it has more or fewer cells than the header."""
    record = Incoming(where=row_place(number), labels=layout.labels)
    width = len(layout.header)
    if len(row) != width:
        if len(row) < width:
            message = said(lambda: _("it has {cells} cells but the header has {width} (it ends before {column})"),
                           cells=len(row), width=width, column=layout.column_place(len(row)))
        else:
            message = said(lambda: _("it has {cells} cells but the header has {width} ({column} is past the header's "
                                     "last column)"), cells=len(row), width=width, column=column_place(width))
        record.problems.append(("", message))
    return record


_REPEATED = frozenset({"customer", "owner", "category", "section", "tags"})
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
            record.problems.append((label, exc.message))
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
        record.where = row_place(number, record.key)
    return record


def read_csv_file(data: bytes, *, encoding: str | None = None) -> ReadFile:
    """A CSV file's records for the import pipeline: every problem with the file as a whole, or the
    records (see `read_csv`), read in `encoding` (None: detected once, here).

    Two readings of the file, never all of it at once: which requirement each row names now, and each
    whole row again as it is planned (see `pipeline`). Raises InvalidValue for an encoding reqboard
    does not read.
    """
    codec, named = _codec(data, encoding)
    records, problems = _read(data, codec, named=named, identity_only=True)
    reread = Rereading(names=lambda: _read(data, codec, named=named, identity_only=True)[0],
                       whole=lambda: _stream(data, codec or "utf-8-sig"))
    return ReadFile("csv", records if not problems else [], list(problems), reread=reread)
