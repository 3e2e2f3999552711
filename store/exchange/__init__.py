"""Exchange formats: JSON (lossless), CSV (spreadsheets), Markdown (a document) and ReqIF (other tools).

Plain functions for the CLI and the TUI:

    export_board(board, "csv") -> bytes
    preview_import(board, data, "csv", source="reqs.csv") -> ImportSummary    (writes nothing)
    apply_import(board, data, "csv", source="reqs.csv") -> ImportSummary      (all or nothing)

`apply_import` raises ImportRefused (an InvalidValue, exit code 1) carrying the summary when anything
in the file is refused; nothing is written then. `summary.text()` is the report a person reads.
"""

from __future__ import annotations

from pathlib import Path

from ..board import Board
from ..errors import InvalidValue, Refused
from .merge import FieldChange, ImportRefused, ImportSummary, PlannedAdd, PlannedChange

EXPORT_FORMATS = ("json", "csv", "md", "reqif")
IMPORT_FORMATS = ("json", "csv", "reqif")
EXTENSIONS = {
    ".json": "json", ".csv": "csv", ".md": "md", ".markdown": "md", ".reqif": "reqif", ".xml": "reqif",
}


def guess_format(path: str | Path) -> str | None:
    """The format a file name suggests (`reqs.csv` -> csv), or None."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def export_board(board: Board, fmt: str) -> bytes:
    """The whole board in `fmt` (json, csv, md, reqif), as the bytes of a file."""
    if fmt == "json":
        from .json_io import dumps, export_json

        return dumps(export_json(board))
    if fmt == "csv":
        from .csv_io import export_csv

        return export_csv(board)
    if fmt == "md":
        from .markdown import export_markdown

        return export_markdown(board)
    if fmt == "reqif":
        from .reqif_io import export_reqif

        return export_reqif(board)
    raise InvalidValue(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def preview_import(board: Board, data: bytes, fmt: str, *, source: str = "", rekey: bool = False) -> ImportSummary:
    """What importing `data` would add, change and refuse; writes nothing, never raises for bad content."""
    try:
        return _import(board, data, fmt, source=source, rekey=rekey, dry_run=True)
    except ImportRefused as exc:
        return exc.summary


def apply_import(board: Board, data: bytes, fmt: str, *, source: str = "", rekey: bool = False) -> ImportSummary:
    """Import `data` in one transaction recorded in the history, or nothing at all.

    Raises ImportRefused (with the report) when the file or any record in it is refused.
    """
    return _import(board, data, fmt, source=source, rekey=rekey, dry_run=False)


def _import(board: Board, data: bytes, fmt: str, *, source: str, rekey: bool, dry_run: bool) -> ImportSummary:
    if fmt == "csv":
        from .csv_io import import_csv

        return import_csv(board, data, source=source, dry_run=dry_run, rekey=rekey)
    if fmt == "reqif":
        from .reqif_io import import_reqif

        return import_reqif(board, data, source=source, dry_run=dry_run, rekey=rekey)
    if fmt == "json":
        return _import_json(board, data, source=source, rekey=rekey, dry_run=dry_run)
    raise InvalidValue(f"unknown import format {fmt!r}: use one of {', '.join(IMPORT_FORMATS)}")


def _import_json(board: Board, data: bytes, *, source: str, rekey: bool, dry_run: bool) -> ImportSummary:
    """The lossless JSON import, reported in the same shape as the others (it only ever adds; a record
    already on the board as in the file is reported unchanged)."""
    from .json_io import import_json

    summary = ImportSummary(format="json", source=source, dry_run=dry_run)
    try:
        result = import_json(board, data, rekey=rekey, dry_run=dry_run)
    except (InvalidValue, Refused) as exc:
        summary.refused.append(str(exc).removeprefix("nothing imported: "))
        raise ImportRefused(summary.error_message(), summary) from None
    original = {new: old for old, new in result.rekeyed.items()}
    for key, req in zip(result.added, result.records, strict=True):
        summary.added.append(PlannedAdd(key, req.title, req.state.value, f"record {original.get(key, key)}"))
    summary.unchanged = list(result.unchanged)
    summary.rekeyed = dict(result.rekeyed)
    summary.applied = not dry_run
    return summary


__all__ = [
    "EXPORT_FORMATS", "IMPORT_FORMATS", "FieldChange", "ImportRefused", "ImportSummary", "PlannedAdd",
    "PlannedChange", "apply_import", "export_board", "guess_format", "preview_import",
]
