"""Exchange formats: JSON (lossless), CSV (spreadsheets), Markdown (a document) and ReqIF (other tools).

Plain functions for the CLI and the TUI:

    export_board(board, "csv") -> bytes
    preview_import(board, data, "csv", source="reqs.csv") -> ImportSummary    (writes nothing)
    apply_import(board, data, "csv", source="reqs.csv") -> ImportSummary      (all or nothing)

`apply_import` raises ImportRefused (an InvalidValue, exit code 1) carrying the summary when anything
in the file is refused; nothing is written then. `summary.text()` is the report a person reads.

Each format is registered once (`register`): its name, the file extensions that suggest it, and the
functions of its module that write a board (export) and read a file into records (import). A reader
only reads: every import then goes through one pipeline (`pipeline.run_import`: plan, check, apply).
A format's module is imported when the format is first used (ReqIF's loads lxml).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import InvalidValue
from .incoming import FieldChange, ImportRefused, ImportSummary, PlannedAdd, PlannedChange, ReadFile

if TYPE_CHECKING:
    from ..board import Board


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

    def _function(self, name: str) -> Callable[..., object]:
        return cast(Callable[..., object], getattr(importlib.import_module(self.module, __name__), name))

    def export(self, board: Board) -> bytes:
        """The whole board as the bytes of a file in this format."""
        if self.writer is None:
            raise InvalidValue(f"{self.name} is not an export format: use one of {', '.join(EXPORT_FORMATS)}")
        return cast(bytes, self._function(self.writer)(board))

    def read(self, data: bytes) -> ReadFile:
        """A file's records and what is wrong with it (the reader never looks at a board)."""
        if self.reader is None:
            raise InvalidValue(f"{self.name} is not an import format: use one of {', '.join(IMPORT_FORMATS)}")
        return cast(ReadFile, self._function(self.reader)(data))


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
register(ExchangeFormat("csv", (".csv",), ".csv_io", writer="export_csv", reader="read_csv_file"))
register(ExchangeFormat("md", (".md", ".markdown"), ".markdown", writer="export_markdown"))
register(ExchangeFormat("reqif", (".reqif", ".xml"), ".reqif_io", writer="export_reqif", reader="read_reqif_file"))


def guess_format(path: str | Path) -> str | None:
    """The format a file name suggests (`reqs.csv` -> csv), or None."""
    suffix = Path(path).suffix.lower()
    return next((f.name for f in FORMATS.values() if suffix in f.extensions), None)


def export_board(board: Board, fmt: str) -> bytes:
    """The whole board in `fmt` (json, csv, md, reqif), as the bytes of a file."""
    found = FORMATS.get(fmt)
    if found is None or found.writer is None:
        raise InvalidValue(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    return found.export(board)


def _read(data: bytes, fmt: str) -> ReadFile:
    found = FORMATS.get(fmt)
    if found is None or found.reader is None:
        raise InvalidValue(f"unknown import format {fmt!r}: use one of {', '.join(IMPORT_FORMATS)}")
    return found.read(data)


def preview_import(board: Board, data: bytes, fmt: str, *, source: str = "", rekey: bool = False) -> ImportSummary:
    """What importing `data` would add, change and refuse; writes nothing, never raises for bad content."""
    from .pipeline import run_import

    try:
        return run_import(board, _read(data, fmt), source=source, dry_run=True, rekey=rekey)
    except ImportRefused as exc:
        return exc.summary


def apply_import(board: Board, data: bytes, fmt: str, *, source: str = "", rekey: bool = False,
                 as_previewed: Any = None) -> ImportSummary:
    """Import `data` in one transaction recorded in the history, or nothing at all.

    `as_previewed`: a preview's `summary.revision`; the import is written only if the board is still
    as it was previewed (else Outdated, exit 3), so what a person confirmed is what is written.
    Raises ImportRefused (with the report) when the file or any record in it is refused.
    """
    from .pipeline import run_import

    return run_import(board, _read(data, fmt), source=source, rekey=rekey, as_previewed=as_previewed)


__all__ = [
    "EXPORT_FORMATS", "FORMATS", "IMPORT_FORMATS", "ExchangeFormat", "FieldChange", "ImportRefused",
    "ImportSummary", "PlannedAdd", "PlannedChange", "apply_import", "export_board", "guess_format",
    "preview_import", "register",
]
