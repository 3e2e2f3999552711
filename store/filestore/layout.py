"""The board file's layout: ordinary JSON that TinyDB itself can read, one requirement a line.

    {"meta":{"1":{...}},"customers":{...},"requirements":{
    "1":{...},
    "2":{...}
    }}

so that it is read a line at a time (no second copy of a 15 MB file and of its parse tree in memory:
40 MB less at 10,000 requirements) and written a record at a time. A file in any other layout (an
older reqboard's, or edited by hand) is read whole, as JSON; a layout that is almost but not quite
this one is read whole too, so that JSON itself says what is wrong, and where.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import StoreUnreadable, parser_words
from ..i18n import _, ngettext
from ..memory import paused_gc

FORMAT = "reqboard"
SCHEMA_VERSION = 1
TABLES = ("meta", "customers", "requirements")
META_ID = "1"


def describe_json_error(path: Path, data: bytes, exc: orjson.JSONDecodeError) -> str:
    """Where a board file stops being JSON, as a person reads it (line, column, byte), and that it was
    left untouched. The parser's own words (`exc.msg`) in the current language where they are known."""
    pos = getattr(exc, "pos", None)
    if pos is None:
        return _("{path} is not valid JSON ({error}); the file was left untouched (see `reqboard restore --list`)"
                 ).format(path=path, error=exc)
    doc = getattr(exc, "doc", None)
    if isinstance(doc, str) and doc and pos <= len(doc):
        # orjson counts characters of the text it decoded: a board holding Chinese text has fewer of
        # them than bytes. The column is counted in characters (as an editor does), the byte in bytes.
        line = doc.count("\n", 0, pos) + 1
        column = pos - (doc.rfind("\n", 0, pos) + 1) + 1
        at_end = pos >= len(doc.rstrip())
        pos = len(doc[:pos].encode("utf-8", "surrogatepass"))
    else:  # (text that is not UTF-8 was never decoded: the parser says so, at its start)
        line = data.count(b"\n", 0, pos) + 1
        column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
        at_end = pos >= len(data.rstrip())
    if at_end:
        message = _("{path} ends early (truncated?) at line {line}, column {column} (byte {byte}): {error}; "
                    "the file was left untouched (see `reqboard restore --list`)")
    else:
        message = _("{path} is not valid JSON at line {line}, column {column} (byte {byte}): {error}; "
                    "the file was left untouched (see `reqboard restore --list`)")
    return message.format(path=path, line=line, column=column, byte=pos, error=parser_words(exc.msg))



_LINES_TABLE = "requirements"
_LINES_OPEN = b',"requirements":{\n'
_LINES_CLOSE = b"}}\n"
_LINES_BATCH = 256


class Unwritable(Exception):
    """A record read from a damaged board that JSON cannot write again."""


def board_lines(tables: dict[str, Any]) -> Iterator[bytes]:
    """The board file's bytes, in pieces: the other tables on the first line, then one requirement
    a line (see the module docstring)."""
    others = {name: table for name, table in tables.items() if name != _LINES_TABLE}
    try:
        first = orjson.dumps(others)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise Unwritable(_("the customers or meta table cannot be written back ({error})").format(error=exc)) from None
    yield first[:-1] + _LINES_OPEN
    records = tables.get(_LINES_TABLE, {})
    last = len(records) - 1
    batch: list[bytes] = []
    dumps = orjson.dumps
    for n, (doc_id, record) in enumerate(records.items()):
        try:
            line = dumps(record)
        except (TypeError, orjson.JSONEncodeError) as exc:  # too deep, an int past 64 bits
            raise Unwritable(_("requirements record {id} cannot be written back ({error})").format(
                id=short(doc_id), error=exc)) from None
        batch.append(b"%s:%s%s" % (dumps(doc_id), line, b"\n" if n == last else b",\n"))
        if len(batch) == _LINES_BATCH:
            yield b"".join(batch)
            batch = []
    batch.append(_LINES_CLOSE)
    yield b"".join(batch)


def read_board_lines(fh: Any) -> dict[str, Any] | None:
    """Read a board file written by `board_lines`, a line at a time; None if it is laid out in
    any other way (the caller then reads it whole, so that a damaged file is reported as JSON)."""
    first = fh.readline()
    if not first.endswith(_LINES_OPEN) or not first.startswith(b"{"):
        return None
    loads = orjson.loads
    try:
        tables = loads(first[: -len(_LINES_OPEN)] + b"}")
        if not isinstance(tables, dict) or _LINES_TABLE in tables:
            return None
        records: dict[str, Any] = {}
        previous = b""
        for line in fh:
            last = previous.endswith(b"}\n")  # a record line without its comma ends the table
            if line == _LINES_CLOSE:
                if (previous and not last) or fh.read(1):
                    return None  # a comma before the end, or bytes after it
                tables[_LINES_TABLE] = records
                return tables
            if last:
                return None
            doc_id, colon, record = line.partition(b":")
            key = loads(doc_id) if colon else None
            if not isinstance(key, str):
                return None
            records[key] = loads(record[:-2] if line.endswith(b",\n") else record)
            previous = line
    except (orjson.JSONDecodeError, TypeError):
        return None
    return None  # ended before the closing line: truncated


def parse_board_bytes(path: Path, data: bytes) -> dict[str, Any]:
    """Parse and check the top level of a board file; raise StoreUnreadable naming what is wrong."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # saved by an editor that marks UTF-8 with a BOM
    if not data.strip():
        raise StoreUnreadable(
            ngettext("{path} is empty ({n} byte): refusing to treat it as a new board; restore a backup with "
                     "`reqboard restore` or move the file away",
                     "{path} is empty ({n} bytes): refusing to treat it as a new board; restore a backup with "
                     "`reqboard restore` or move the file away", len(data)).format(path=path, n=len(data))
        )
    try:
        with paused_gc():
            tables = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StoreUnreadable(describe_json_error(path, data, exc)) from None
    return check_board_tables(path, tables)


def check_board_tables(path: Path, tables: Any) -> dict[str, Any]:
    """Check the top level of a parsed board file; raise StoreUnreadable naming what is wrong."""
    if not isinstance(tables, dict):
        raise StoreUnreadable(_("{path} is JSON but not a reqboard board (top level is not an object)").format(
            path=path))
    meta = tables.get("meta", {}).get(META_ID) if isinstance(tables.get("meta"), dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise StoreUnreadable(
            _("{path} is JSON but not a reqboard board (no reqboard meta record); it was left untouched: point "
              "--store at a board file").format(path=path)
        )
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise StoreUnreadable(_("{path}: the meta record has no valid schema version ({schema!r})").format(
            path=path, schema=schema))
    for name in TABLES:
        table = tables.setdefault(name, {})
        if not isinstance(table, dict):
            raise StoreUnreadable(_("{path}: table {name!r} is not an object").format(path=path, name=name))
    check_meta(path, meta)
    for name in ("requirements", "customers"):
        for doc_id, record in tables[name].items():
            if not isinstance(record, dict):
                raise StoreUnreadable(
                    _("{path}: {table} record {id} is not an object ({record}); `reqboard restore` brings back "
                      "a backup").format(path=path, table=name, id=short(doc_id), record=short(record))
                )
    return tables


def check_meta(path: Path, meta: dict[str, Any]) -> None:
    """Check the meta record's counters and settings; raise StoreUnreadable naming a damaged one."""
    if "generation" not in meta:  # every board reqboard writes has one: its backups are told by it
        raise StoreUnreadable(_("{path}: the meta record has lost its generation counter; `reqboard restore` "
                                "brings back a backup").format(path=path))
    for counter in ("generation", "next_requirement", "next_change_request", "journal_size"):
        value = meta.get(counter, 0)
        if type(value) is not int or not 0 <= value <= MAX_COUNTER:
            raise StoreUnreadable(
                _("{path}: the meta record's {counter} is damaged ({value}); `reqboard restore` brings back a "
                  "backup").format(path=path, counter=counter, value=short(value))
            )
    if not isinstance(meta.get("settings", {}), dict):
        raise StoreUnreadable(_("{path}: the meta record's settings are damaged; `reqboard restore` brings back a "
                                "backup").format(path=path))


MAX_COUNTER = 2**53 - 1
"""The largest counter or size a board records (what every JSON reader reads exactly)."""


def short(value: Any) -> str:
    """A value as a message shows it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def new_tables() -> dict[str, Any]:
    """The tables of a board never written: no records, every counter at its start."""
    return {
        "meta": {
            META_ID: {
                "format": FORMAT,
                "schema": SCHEMA_VERSION,
                "generation": 0,
                "next_requirement": 1,
                "next_change_request": 1,
                "journal_size": 0,
                "settings": {},
            }
        },
        "customers": {},
        "requirements": {},
    }
