"""The import benchmark: CSV files of many rows imported into a board, each import in a fresh process.

    python -m bench.imports                   1,000, 10,000 and 100,000 rows, 3 runs
    python -m bench.imports --quick           1,000 and 10,000 rows, 3 runs
    python -m bench.imports --sizes 100000 --runs 1
    python -m bench --sections imports        the same table as a section of the whole bench

Three imports per size, each the way `reqboard import` does it (`store.exchange.apply_import` on a
`Board`), in a process of its own so that its peak memory is its own:

  add        N typed rows (a spreadsheet: no Key, no UID) into an empty board
  re-import  the board's own export back into it: N rows recognised by UID, all unchanged (what a
             retry after ctrl+c does; nothing is written)
  update     that export with every row's Owner changed: N changes, one version and history event each

Reported per import: the seconds `apply_import` took, the seconds the board's lock was held (from
asking for it to releasing it, the commit included), and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from bench.measure import (
    CACHE,
    Options,
    Row,
    compile_project,
    machine_description,
    median,
    parse_sizes,
    render_table,
    run_process,
)

GOAL_ROWS = 100_000
GOAL_SECONDS = 20.0
GOAL_MB = 400.0
SCENARIOS = ("add", "reimport", "update")
_TITLES = ("Export invoices as PDF", "Filter orders by region", "Rechnungen per E-Mail senden",
           "支持批量导入客户资料", "Show stock levels on the dashboard", "Archive closed support tickets")
_CHANNELS = ("email", "hotline", "interview", "survey", "after sales", "complaint")


# ---------------------------------------------------------------------------- the files
def typed_csv(rows: int) -> bytes:
    """A spreadsheet someone typed: no Key or UID column, the columns people fill in, varied text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Title", "Customer", "Tier", "Channel", "Importance", "Urgency", "Tags", "Description"])
    for n in range(rows):
        writer.writerow([
            f"{_TITLES[n % len(_TITLES)]} ({n + 1})", f"Customer {n % 997}", "ABC"[n % 3],
            _CHANNELS[n % len(_CHANNELS)], str(n % 5 + 1), str((n * 7) % 5 + 1), "import\nbench",
            f"Row {n + 1} of the benchmark file.\nA second line, with a comma and \"quotes\".",
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def with_owners_changed(export: bytes) -> bytes:
    """The export with every row's Owner changed (the rest of each row as exported)."""
    text = export.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    column = table[0].index("Owner")
    for n, row in enumerate(table[1:]):
        row[column] = f"Owner {n % 50}"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(table)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class Inputs:
    """The files of one size: the typed CSV, a board made from it, its export and the edited export."""

    typed: Path
    board: Path
    export: Path
    updated: Path


def prepare(rows: int, directory: Path) -> Inputs:
    """Make the files of one size (in this process; the timed imports run in their own)."""
    from reqboard.store.board import Board
    from reqboard.store.exchange import apply_import, export_board

    typed = directory / f"typed-{rows}.csv"
    typed.write_bytes(typed_csv(rows))
    board_dir = directory / f"board-{rows}"
    board_dir.mkdir()
    board = Board(board_dir / "board.json", "bench")
    apply_import(board, typed.read_bytes(), "csv", source=typed.name)
    export = directory / f"export-{rows}.csv"
    export.write_bytes(export_board(board, "csv"))
    updated = directory / f"updated-{rows}.csv"
    updated.write_bytes(with_owners_changed(export.read_bytes()))
    return Inputs(typed, board_dir / "board.json", export, updated)


# ---------------------------------------------------------------------------- one import (the child)
@contextmanager
def lock_timer(board: Any, held: list[float]) -> Iterator[None]:
    """Record how long each transaction of `board` holds its lock (from asking for it to release)."""
    original = board.transaction

    @contextmanager
    def transaction(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.perf_counter()
        try:
            with original(*args, **kwargs) as tx:
                yield tx
        finally:
            held.append(time.perf_counter() - started)

    with mock.patch.object(board, "transaction", transaction):
        yield


def import_once(board_path: Path, csv_path: Path, result_path: Path) -> None:
    """Import one file into one board and write what it took (seconds, lock, counts) as JSON."""
    from reqboard.store.board import Board
    from reqboard.store.exchange import apply_import

    data = csv_path.read_bytes()
    board = Board(board_path, "bench")
    held: list[float] = []
    with lock_timer(board, held):
        started = time.perf_counter()
        summary = apply_import(board, data, "csv", source=csv_path.name)
        seconds = time.perf_counter() - started
    result_path.write_text(json.dumps({
        "seconds": seconds, "lock_seconds": sum(held), "added": len(summary.added),
        "changed": len(summary.changed), "unchanged": len(summary.unchanged),
    }))


# ---------------------------------------------------------------------------- the table
def run_import(scenario: str, inputs: Inputs, rows: int, work: Path) -> dict[str, float]:
    """One import in a fresh process; checks that it did what the scenario says."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    board = work / "board.json"
    if scenario != "add":
        for source in inputs.board.parent.iterdir():
            if source.is_file():
                shutil.copyfile(source, work / source.name)
    csv_path = {"add": inputs.typed, "reimport": inputs.export, "update": inputs.updated}[scenario]
    result = work / "result.json"
    flags = ["-S"] if sys.flags.no_site else []
    process = run_process([sys.executable, *flags, "-m", "bench.imports", "--child", str(board), str(csv_path),
                           str(result)], {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    done = json.loads(result.read_text())
    expected = {"add": ("added", rows), "reimport": ("unchanged", rows), "update": ("changed", rows)}[scenario]
    if done[expected[0]] != expected[1]:
        raise RuntimeError(f"{scenario} of {rows:,} rows: {done} (expected {expected[0]} = {expected[1]})")
    return {"seconds": done["seconds"], "lock": done["lock_seconds"], "mb": process.peak_rss_mb}


def measure(sizes: tuple[int, ...], runs: int) -> dict[int, dict[str, float]]:
    """Every number for every size: medians of `runs` (seconds), the largest peak memory (MB)."""
    results: dict[int, dict[str, float]] = {}
    CACHE.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="imports-", dir=CACHE))
    try:
        for rows in sizes:
            print(f"  imports: {rows:,} rows ...", file=sys.stderr, flush=True)
            inputs = prepare(rows, directory)
            result: dict[str, float] = {"file_mb": inputs.export.stat().st_size / 1e6}
            for scenario in SCENARIOS:
                samples = [run_import(scenario, inputs, rows, directory / "work") for _ in range(runs)]
                result[f"{scenario}_s"] = median([s["seconds"] for s in samples])
                result[f"{scenario}_lock_s"] = median([s["lock"] for s in samples])
                result[f"{scenario}_mb"] = max(s["mb"] for s in samples)
            results[rows] = result
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return results


ROWS: tuple[tuple[str, str, str, tuple[int, float] | None], ...] = (
    ("add N typed rows to an empty board", "add_s", "s", (GOAL_ROWS, GOAL_SECONDS)),
    ("  lock held", "add_lock_s", "s", None),
    ("  peak memory", "add_mb", "MB", (GOAL_ROWS, GOAL_MB)),
    ("re-import the export (all unchanged)", "reimport_s", "s", None),
    ("  lock held", "reimport_lock_s", "s", None),
    ("  peak memory", "reimport_mb", "MB", None),
    ("update N rows (Owner changed)", "update_s", "s", None),
    ("  lock held", "update_lock_s", "s", None),
    ("  peak memory", "update_mb", "MB", None),
    ("the export (CSV file)", "file_mb", "MB", None),
)


def section(options: Options) -> str:
    """The import table for every size asked for (a size is a number of rows)."""
    results = measure(options.sizes, options.runs)
    rows = [Row(label, unit, {n: results[n][key] for n in options.sizes}, goal) for label, key, unit, goal in ROWS]
    title = f"CSV import (median of {options.runs} runs; peak memory: the largest)"
    return render_table(title, options.sizes, rows, unit_name="rows")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 rows")
    parser.add_argument("--sizes", type=parse_sizes, help="numbers of rows, e.g. 10000,100000")
    parser.add_argument("--runs", type=int, default=3, help="runs per import (the median is shown)")
    parser.add_argument("--child", nargs=3, metavar=("BOARD", "CSV", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import_once(*(Path(p) for p in args.child))
        return 0
    compile_project()
    sizes = args.sizes or ((1_000, 10_000) if args.quick else (1_000, 10_000, GOAL_ROWS))
    options = Options(sizes=sizes, runs=max(1, args.runs), quick=args.quick)
    print(f"reqboard import benchmark on {machine_description()}\n", flush=True)
    print(section(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
