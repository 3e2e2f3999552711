"""The store benchmark: open, read, durable write, and the CLI as whole processes.

    python -m bench --sections store --sizes 1000,10000
    python -m bench.store --profile write --size 10000     (cProfile of one operation)

In-process numbers use `store.Board` the way the TUI does; the CLI numbers are whole `reqboard`
processes (interpreter start-up and imports included), as a script or a person at a shell feels them.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import random
import sys
from collections.abc import Callable

from bench.measure import (
    Options,
    Row,
    cached_board,
    file_mb,
    median,
    render_table,
    reqboard_command,
    run_process,
    timed,
    working_copy,
)

GOAL_SIZE = 10_000
WRITE_GOAL_MS = 150
SHOW_GOAL_MS = 1000


def _keys(n: int, count: int) -> list[str]:
    rng = random.Random(n)
    return [f"REQ-{rng.randint(1, n)}" for _ in range(count)]


def measure_size(n: int, runs: int) -> dict[str, float]:
    """Every store number for one board size, medians of `runs` (milliseconds, MB)."""
    from reqboard.store.board import Board

    board_path = cached_board(n)
    journal = board_path.with_name(board_path.name + ".history.jsonl")
    result = {"board_mb": file_mb(board_path), "journal_mb": file_mb(journal)}
    keys = _keys(n, max(runs, 5) * 2)
    with working_copy(board_path) as work:
        def open_all() -> None:
            Board(work, "bench").requirements()

        gc.collect()
        result["open"] = median(timed(open_all, runs)) * 1000

        fresh_keys = iter(keys)
        result["get_fresh"] = median(timed(lambda: Board(work, "bench").get(next(fresh_keys)), runs)) * 1000

        board = Board(work, "bench")
        board.get(keys[0])  # the file is read: what follows is the cost of one more read
        get_keys = iter(keys * 20)
        result["get_open"] = median(timed(lambda: board.get(next(get_keys)), runs * 20)) * 1000

        write_keys = iter(keys)
        counter = iter(range(10**6))
        result["write"] = median(timed(
            lambda: board.edit_requirement(next(write_keys), {"owner": f"bench {next(counter)}"}),
            max(runs, 5))) * 1000

        cli = reqboard_command()
        env = {**os.environ, "REQBOARD_USER": "bench", "REQBOARD_STORE": str(work)}
        for name, make in (
            ("show", lambda i: [*cli, "show", keys[i]]),
            ("edit", lambda i: [*cli, "edit", keys[i], "--owner", f"cli {i}"]),
            ("list", lambda i: [*cli, "list", "--json"]),
        ):
            process_runs = [run_process(make(i), env) for i in range(runs)]
            result[f"cli_{name}"] = median([r.seconds for r in process_runs]) * 1000
            result[f"cli_{name}_rss"] = max(r.peak_rss_mb for r in process_runs)
    return result


ROWS: tuple[tuple[str, str, str, tuple[int, float] | None], ...] = (
    ("open (Board + requirements())", "open", "ms", None),
    ("read one, fresh (Board + get)", "get_fresh", "ms", None),
    ("read one, board open (get)", "get_open", "ms", None),
    ("durable write (edit one field)", "write", "ms", (GOAL_SIZE, WRITE_GOAL_MS)),
    ("reqboard show KEY", "cli_show", "ms", (GOAL_SIZE, SHOW_GOAL_MS)),
    ("reqboard edit KEY --owner O", "cli_edit", "ms", None),
    ("reqboard list --json", "cli_list", "ms", None),
    ("peak memory: reqboard show", "cli_show_rss", "MB", None),
    ("peak memory: reqboard edit", "cli_edit_rss", "MB", None),
    ("peak memory: reqboard list --json", "cli_list_rss", "MB", None),
    ("board file", "board_mb", "MB", None),
    ("history journal", "journal_mb", "MB", None),
)


def section(options: Options) -> str:
    """The store table for every size asked for."""
    results: dict[int, dict[str, float]] = {}
    for n in options.sizes:
        print(f"  store: {n:,} requirements ...", file=sys.stderr, flush=True)
        results[n] = measure_size(n, options.runs)
    rows = [Row(label, unit, {n: results[n][key] for n in options.sizes}, goal) for label, key, unit, goal in ROWS]
    title = f"Store (median of {options.runs} runs; peak memory: the largest)"
    return render_table(title, options.sizes, rows)


# ---------------------------------------------------------------------------- profiling
def profile(operation: str, n: int, top: int = 25) -> None:
    """Print where one store operation spends its time (cProfile, cumulative)."""
    from reqboard.store.board import Board

    board_path = cached_board(n)
    with working_copy(board_path) as work:
        board = Board(work, "bench")
        key = _keys(n, 1)[0]
        board.get(key)
        actions: dict[str, Callable[[], object]] = {
            "open": lambda: Board(work, "bench").requirements(),
            "get": lambda: Board(work, "bench").get(key),
            "write": lambda: board.edit_requirement(key, {"owner": "profiled"}),
            "add": lambda: board.add_requirement("Profiled requirement", customer="Bench Ltd", tier="B"),
        }
        profiler = cProfile.Profile()
        profiler.runcall(actions[operation])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=["open", "get", "write", "add"], required=True)
    parser.add_argument("--size", type=int, default=GOAL_SIZE)
    args = parser.parse_args(argv)
    profile(args.profile, args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
