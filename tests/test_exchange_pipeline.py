"""One import pipeline (read, plan, check, apply) behind every format, and the format registry.

The exchange writes only through the board's public transaction: no module of it touches a private
member of another object (`board._now`, `board.file.put`, ...). A format is registered once, and
export, import, the file-name guess and the CLI all know it from there.

The pipeline's tests that write a board run on a board file and on a server board (conftest's
`board_location`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reqboard.cli.main import main
from reqboard.store import exchange
from reqboard.store.board import Board
from reqboard.store.errors import Outdated
from reqboard.store.exchange import (
    ExchangeFormat,
    ImportRefused,
    apply_import,
    export_board,
    guess_format,
    preview_import,
    register,
)
from reqboard.store.exchange.incoming import Incoming, ReadFile
from reqboard.store.exchange.json_io import dumps, export_json

from board_locations import BoardLocation
from exchange_samples import sample_board

EXCHANGE = Path(exchange.__file__).parent
# lxml's element class is named _Element in its public API (isinstance checks need it).
ALLOWED_PRIVATE = {("etree", "_Element")}
# What only the storage and Board itself reach: the file behind a board and its TinyDB.
STORAGE_ATTRIBUTES = {"file", "db"}


def private_uses(source: str, filename: str = "<source>") -> list[str]:
    """Every place `source` reaches into another object's privates or the board's storage."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else ""
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if private and owner not in ("self", "cls") and (owner, node.attr) not in ALLOWED_PRIVATE:
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
            elif node.attr in STORAGE_ATTRIBUTES:
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.ImportFrom):
            found.extend(f"{filename}:{node.lineno}: from {node.module} import {alias.name}"
                         for alias in node.names if alias.name.startswith("_") and alias.name not in ("__future__", "_"))
    return found


def test_no_exchange_module_touches_the_privates_of_the_board_or_its_storage() -> None:
    modules = sorted(EXCHANGE.glob("*.py"))
    assert {"pipeline.py", "plan.py", "check.py", "apply.py", "csv_io.py", "json_io.py"} <= {m.name for m in modules}
    offenders = [use for module in modules for use in private_uses(module.read_text(encoding="utf-8"), module.name)]
    assert offenders == []


@pytest.mark.parametrize("source", [
    "def f(board):\n    board._now = board.clock()\n",
    "def f(board, req):\n    board._write(None, req)\n",
    "def f(board, doc):\n    board.file.put('requirements', 1, doc)\n",
    "def f(board):\n    return board.file.db.table('meta')\n",
    "def f(tx):\n    tx._change.record({})\n",
    "from ..board import _CustomerIndex\n",
])
def test_the_privacy_check_would_notice(source: str) -> None:
    """The check above can fail: each way the importers used to write is caught."""
    assert private_uses(source) != []


# ============================================================================ the registry
def write_lines(board: Board) -> bytes:
    """A toy format: one title a line."""
    return "".join(f"{req.title}\n" for req in board.requirements()).encode()


def read_lines(data: bytes) -> ReadFile:
    lines = data.decode().splitlines()
    if not lines:
        return ReadFile("lines", problems=["the file is empty"])
    return ReadFile("lines", [Incoming(f"line {n}", fields={"title": text}, labels={"title": "the line"})
                              for n, text in enumerate(lines, start=1)])


@pytest.fixture
def lines_format(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The toy format registered for one test (the registry as it was afterwards)."""
    monkeypatch.setattr(exchange, "FORMATS", dict(exchange.FORMATS))
    monkeypatch.setattr(exchange, "EXPORT_FORMATS", exchange.EXPORT_FORMATS)
    monkeypatch.setattr(exchange, "IMPORT_FORMATS", exchange.IMPORT_FORMATS)
    register(ExchangeFormat("lines", (".lines", ".txt"), __name__, writer="write_lines", reader="read_lines"))
    yield


def test_the_built_in_formats_come_from_the_registry() -> None:
    assert exchange.EXPORT_FORMATS == ("json", "csv", "md", "reqif")
    assert exchange.IMPORT_FORMATS == ("json", "csv", "reqif")
    assert [guess_format(name) for name in ("a.json", "B.CSV", "c.md", "d.markdown", "e.reqif", "f.xml", "g.pdf")] \
        == ["json", "csv", "md", "md", "reqif", "reqif", None]


def test_a_registered_format_is_exported_imported_and_guessed(lines_format: None, board_location: BoardLocation) -> None:
    board = board_location.board("ann")
    board.add_requirement("First")
    assert "lines" in exchange.EXPORT_FORMATS and "lines" in exchange.IMPORT_FORMATS
    assert guess_format("notes.TXT") == "lines"
    assert export_board(board, "lines") == b"First\n"
    before = board_location.state()
    preview = preview_import(board, b"Second\nThird\n", "lines", source="new.lines")
    assert [a.title for a in preview.added] == ["Second", "Third"] and board_location.state() == before
    summary = apply_import(board, b"Second\nThird\n", "lines", source="new.lines")
    assert [(a.key, a.title) for a in summary.added] == [("REQ-2", "Second"), ("REQ-3", "Third")]
    # Through the one pipeline: the same history as any import, and one refusal report.
    assert [(e.action, e.reason) for e in board.history("REQ-2")] == [("created", "imported from new.lines")]
    assert board.history()[-1].action == "imported" and board.history()[-1].new == "new.lines"
    with pytest.raises(ImportRefused, match="nothing imported from empty.lines: the file is empty"):
        apply_import(board, b"", "lines", source="empty.lines")


def test_the_cli_imports_and_exports_a_registered_format(lines_format: None, tmp_path: Path,
                                                        board_location: BoardLocation,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "todo.lines"
    source.write_text("Call ACME\nShip it\n")
    assert main(["import", str(source)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "added 2 requirement(s), changed 0, 0 unchanged"
    out = tmp_path / "board.lines"
    assert main(["export", "-o", str(out)]) == 0
    assert out.read_text() == "Call ACME\nShip it\n"


@pytest.mark.parametrize("fmt", ["pdf", "md"])
def test_an_unknown_import_format_is_refused_naming_the_known_ones(fmt: str, board_path: Path) -> None:
    with pytest.raises(exchange.InvalidValue, match="unknown import format .*: use one of json, csv, reqif"):
        apply_import(Board(board_path, "ann"), b"", fmt)


# ============================================================================ one pipeline
@contextmanager
def colleague_before_the_lock(board: Board, colleague: Callable[[], None]) -> Iterator[list[str]]:
    """Run `colleague` (another writer) just before the import's first transaction; list what each
    transaction of the import was asked to expect."""
    original = board.transaction
    asked: list[str] = []

    @contextmanager
    def transaction(*args: Any, **kwargs: Any) -> Iterator[Any]:
        if not asked:
            colleague()
        asked.append("revision" if kwargs.get("expect") is not None else "none")
        with original(*args, **kwargs) as tx:
            yield tx

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(board, "transaction", transaction)
        yield asked


def test_a_json_import_plans_again_when_the_board_changed_before_its_lock(tmp_path: Path,
                                                                         board_location: BoardLocation) -> None:
    data = dumps(export_json(sample_board(tmp_path / "a" / "board.json")))
    board = board_location.board("carl")

    def colleague() -> None:  # takes REQ-1 after the import planned to add the file's REQ-1
        board_location.board("colleague").add_requirement("Mine, meanwhile")

    with colleague_before_the_lock(board, colleague) as asked, pytest.raises(ImportRefused) as refused:
        apply_import(board, data, "json")
    assert asked == ["revision"]  # the plan's revision was outdated: planned again, and refused then
    assert refused.value.summary.refused == [
        "1 key(s) exist on this board already (REQ-1); import with --rekey to give them new keys"]
    assert [r.title for r in board_location.board("x").requirements()] == ["Mine, meanwhile"]
    with colleague_before_the_lock(board, lambda: None) as asked:
        summary = apply_import(board, data, "json", rekey=True)
    assert asked == ["revision"] and summary.rekeyed["REQ-1"] == "REQ-10"


@pytest.mark.parametrize("fmt", ["json", "csv", "reqif"])
def test_a_preview_needs_no_transaction(fmt: str, tmp_path: Path, board_location: BoardLocation,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data = export_board(sample_board(tmp_path / "source.json"), fmt)
    board = board_location.board("ann")
    board.add_requirement("already here")

    def no_transaction(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a preview opened a transaction")

    monkeypatch.setattr(board, "transaction", no_transaction)
    summary = preview_import(board, data, fmt, rekey=True)
    assert summary.dry_run and not summary.refused and len(summary.added) == 9


@pytest.mark.parametrize("fmt", ["json", "csv", "reqif"])
def test_every_reader_only_reads(fmt: str, tmp_path: Path) -> None:
    board = sample_board(tmp_path / "board.json")
    read = exchange.FORMATS[fmt].read(export_board(board, fmt))
    assert read.format == fmt and read.problems == []
    records = read.records if read.reread is None else list(read.reread.whole())
    assert sorted(r.key or "" for r in records) == sorted(r.key for r in board.requirements())


@pytest.mark.parametrize("fmt", ["json", "csv", "reqif"])
def test_an_import_confirmed_from_its_preview_is_written_only_onto_the_board_previewed(
        fmt: str, tmp_path: Path, board_location: BoardLocation) -> None:
    """The TUI shows a preview and asks to confirm: if someone saved meanwhile, the confirmed import
    is refused (Outdated) rather than planned again into something the person never saw."""
    data = export_board(sample_board(tmp_path / "source.json"), fmt)
    board = board_location.board("ann")
    board.add_requirement("already here")
    summary = preview_import(board, data, fmt, rekey=True)
    assert summary.revision == board.revision and len(summary.added) == 9
    board_location.board("colleague").add_requirement("saved meanwhile")
    before = board_location.state()
    with pytest.raises(Outdated, match="changed since the import was previewed"):
        apply_import(board, data, fmt, rekey=True, as_previewed=summary.revision)
    assert board_location.state() == before
    summary = preview_import(board, data, fmt, rekey=True)
    applied = apply_import(board, data, fmt, rekey=True, as_previewed=summary.revision)
    assert applied.applied and len(board_location.board("x").requirements()) == 11
