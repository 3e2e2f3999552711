"""Exchange formats: JSON (lossless), CSV (spreadsheets), Markdown (a document) and ReqIF (other tools).

Plain functions for the CLI and the TUI:

    export_board(board, "csv") -> bytes                     (encoding="gb18030": what a Chinese Excel opens)
    export_board(board, "json", customer="Acme", query="tag:ui")   (that customer's requirements only: `scope`)
    preview_import(board, data, "csv", source="reqs.csv") -> ImportSummary    (writes nothing)
    apply_import(board, data, "csv", source="reqs.csv") -> ImportSummary      (all or nothing)

A CSV file's encoding is detected (UTF-8 with or without a BOM, UTF-16 with a BOM, GB18030/GBK; a
Korean or Japanese file is refused rather than misread as Chinese) unless `encoding=` names it (see
`encodings`); the other formats say their own encoding, and refuse one given.

`apply_import` raises ImportRefused (an InvalidValue, exit code 1) carrying the summary when anything
in the file is refused; nothing is written then. `summary.text()` is the report a person reads, in
the language spoken; `summary.as_dict()` what `import --json` prints, the same in every language.

Each format is registered once (`register`): its name, the file extensions that suggest it, and the
functions of its module that write a board (export) and read a file into records (import). A reader
only reads: every import then goes through one pipeline (`pipeline.run_import`: plan, check, apply).
A format's module is imported when the format is first used (ReqIF's loads lxml).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..encodings import EXPORT_ENCODINGS, IMPORT_ENCODINGS
from ..errors import InvalidValue
from ..i18n import _
from .incoming import FieldChange, ImportRefused, ImportSummary, PlannedAdd, PlannedChange, ReadFile, Unmapped
from .mapping import MAPPABLE_FIELDS, parse_mapping

if TYPE_CHECKING:
    from ..board import Board
    from ..query import Query
    from .scope import ScopedBoard


@dataclass(frozen=True)
class ExchangeFormat:
    """One file format: its name, the extensions that suggest it, and where its writer and reader are."""

    name: str
    extensions: tuple[str, ...]
    """File name endings, lower case with the dot (`.csv`)."""
    module: str
    """The module that holds the writer and the reader: `.csv_io` (one of this package) or a full name."""
    writer: str | None = None
    """Its function `(board) -> bytes`: the whole board as a file; None when the format is import-only."""
    reader: str | None = None
    """Its function `(bytes) -> ReadFile`: a file's records; None when the format is export-only."""
    encodings: bool = False
    """Its writer and reader take `encoding=` (a text format spreadsheets write in many: CSV); the
    others' files say their own encoding, and an encoding given for them is refused."""
    mappable: bool = False
    """Its reader takes `mapping=` (attribute name -> field, see `mapping.parse_mapping`): ReqIF; a
    mapping given for another format is refused."""

    def _function(self, name: str) -> Callable[..., object]:
        return cast(Callable[..., object], getattr(importlib.import_module(self.module, __name__), name))

    def _encoding(self, encoding: str | None) -> dict[str, str]:
        if encoding is None:
            return {}
        if not self.encodings:
            raise InvalidValue(_("an encoding can be chosen for CSV files only, not for {format}: JSON, Markdown "
                                 "and ReqIF files are UTF-8 (a ReqIF file may also be UTF-16 and says so)").format(
                                     format=self.name))
        return {"encoding": encoding}

    def export(self, board: Board | ScopedBoard, *, encoding: str | None = None) -> bytes:
        """The board (or the part of it a `ScopedBoard` holds) as the bytes of a file in this format (in
        `encoding`, for a format that takes one)."""
        if self.writer is None:
            raise InvalidValue(_("{format} is not an export format: use one of {formats}").format(
                format=self.name, formats=", ".join(EXPORT_FORMATS)))
        return cast(bytes, self._function(self.writer)(board, **self._encoding(encoding)))

    def read(self, data: bytes, *, encoding: str | None = None, mapping: Mapping[str, str] | None = None) -> ReadFile:
        """A file's records and what is wrong with it (the reader never looks at a board).

        `mapping` (ReqIF only): attribute name -> field (see `mapping.parse_mapping`). Raises InvalidValue
        for a format that is not imported, an encoding or a mapping it does not take."""
        if self.reader is None:
            raise InvalidValue(_("{format} is not an import format: use one of {formats}").format(
                format=self.name, formats=", ".join(IMPORT_FORMATS)))
        options: dict[str, Any] = self._encoding(encoding)
        if mapping:
            if not self.mappable:
                raise InvalidValue(_("--map is for ReqIF files only, not for {format}: a CSV file's columns are "
                                     "read by their names, a JSON file is reqboard's own").format(format=self.name))
            options["mapping"] = dict(mapping)
        return cast(ReadFile, self._function(self.reader)(data, **options))


FORMATS: dict[str, ExchangeFormat] = {}
"""Every registered format by name, in the order they were registered."""


def register(fmt: ExchangeFormat) -> None:
    """Add a format (or replace the one of that name): export, import and `guess_format` know it."""
    FORMATS[fmt.name] = fmt
    global EXPORT_FORMATS, IMPORT_FORMATS
    EXPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.writer)
    IMPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.reader)


EXPORT_FORMATS: tuple[str, ...] = ()
IMPORT_FORMATS: tuple[str, ...] = ()

register(ExchangeFormat("json", (".json",), ".json_io", writer="export_json_file", reader="read_json"))
register(ExchangeFormat("csv", (".csv",), ".csv_io", writer="export_csv", reader="read_csv_file", encodings=True))
register(ExchangeFormat("md", (".md", ".markdown"), ".markdown", writer="export_markdown"))
register(ExchangeFormat("reqif", (".reqif", ".xml"), ".reqif_io", writer="export_reqif", reader="read_reqif_file",
                        mappable=True))


def guess_format(path: str | Path) -> str | None:
    """The format a file name suggests (`reqs.csv` -> csv), or None."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.extensions), None)


def export_board(board: Board, fmt: str, *, encoding: str | None = None, customer: str | None = None,
                 query: str | Query | None = None) -> bytes:
    """The whole board in `fmt` (json, csv, md, reqif), as the bytes of a file; with `customer` (a name,
    any case) and/or `query` (the board's filter language, as `list --query` reads it), only the
    requirements of that customer that the filter keeps, and nothing of the others (see `scope`). A
    scoped JSON export is a whole export of its own: `reqboard import` reads it into an empty board.

    `encoding` (CSV only): None for UTF-8 with a BOM (what Excel reads as UTF-8), `gb18030` for what a
    Chinese Excel opens, `utf-8` without the BOM, `gbk`. Raises InvalidValue for an unknown format or
    encoding, and for an encoding given for another format; NotFound for a customer the board does not
    know; QueryError (a ValueError) for a filter it cannot read.
    """
    found = FORMATS.get(fmt)
    if found is None or found.writer is None:
        raise InvalidValue(_("unknown export format {format!r}: use one of {formats}").format(
            format=fmt, formats=", ".join(EXPORT_FORMATS)))
    if customer is None and query is None:
        return found.export(board, encoding=encoding)
    from .scope import ScopedBoard, scope_of

    return found.export(ScopedBoard(board, scope_of(board, customer=customer, query=query)), encoding=encoding)


def _read(data: bytes, fmt: str, encoding: str | None, mapping: Mapping[str, str] | None = None) -> ReadFile:
    found = FORMATS.get(fmt)
    if found is None or found.reader is None:
        raise InvalidValue(_("unknown import format {format!r}: use one of {formats}").format(
            format=fmt, formats=", ".join(IMPORT_FORMATS)))
    return found.read(data, encoding=encoding, mapping=mapping)


def preview_import(board: Board, data: bytes, fmt: str, *, source: str = "", rekey: bool = False,
                   encoding: str | None = None, mapping: Mapping[str, str] | None = None) -> ImportSummary:
    """What importing `data` would add, change and refuse; writes nothing, never raises for bad content.

    `encoding` (CSV only): the file's encoding (utf-8, gb18030, gbk ...); None detects it. Raises
    InvalidValue for an unknown format or encoding, or an encoding given for another format.
    `mapping` (ReqIF only): which attribute fills which field (see `mapping.parse_mapping`); the
    summary's `unmapped` lists the attributes the file has that are neither recognised nor mapped.
    """
    from .pipeline import run_import

    read = _read(data, fmt, encoding, mapping)
    try:
        return run_import(board, read, source=source, dry_run=True, rekey=rekey)
    except ImportRefused as exc:
        return exc.summary


def apply_import(board: Board, data: bytes, fmt: str, *, source: str = "", rekey: bool = False,
                 as_previewed: Any = None, encoding: str | None = None,
                 mapping: Mapping[str, str] | None = None) -> ImportSummary:
    """Import `data` in one transaction recorded in the history, or nothing at all.

    `as_previewed`: a preview's `summary.revision`; the import is written only if the board is still
    as it was previewed (else Outdated, exit 3), so what a person confirmed is what is written.
    `encoding` (CSV only): the file's encoding; None detects it (see `preview_import`).
    `mapping` (ReqIF only): which attribute fills which field (see `preview_import`).
    Raises ImportRefused (with the report) when the file or any record in it is refused.
    """
    from .pipeline import run_import

    return run_import(board, _read(data, fmt, encoding, mapping), source=source, rekey=rekey, as_previewed=as_previewed)


__all__ = [
    "EXPORT_ENCODINGS", "EXPORT_FORMATS", "FORMATS", "IMPORT_ENCODINGS", "IMPORT_FORMATS", "ExchangeFormat", "FieldChange", "ImportRefused",
    "ImportSummary", "MAPPABLE_FIELDS", "PlannedAdd", "PlannedChange", "Unmapped", "apply_import", "export_board", "guess_format",
    "parse_mapping", "preview_import", "register",
]
