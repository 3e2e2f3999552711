"""The server benchmark (issue #14): a board on a PostgreSQL server beside the same board in a file.

    python -m bench --sections server             10,000 and 100,000 requirements, 5 runs
    python -m bench --sections server --quick     1,000 and 10,000 requirements, 3 runs
    python -m bench.server --quick                the same table on its own
    python -m bench.server --profile cards --size 100000      (cProfile of one operation on the server)

The boards are the cached generated boards (bench/.cache/). Each is moved onto the server once a run,
with `store.sync.migrate_board` (COPY) in a process of its own; that is a row too. The server is the
empty database $REQBOARD_BENCH_PG names (its `reqboard` schema is dropped after each size), else a
throwaway cluster started for the run (tests/pg_server.py's, on a Unix socket), with its commits made
durable as a real server makes them (fsync and synchronous_commit on; the test cluster turns them off).
Without the PostgreSQL server programs, or psycopg, the section prints one line saying it was skipped and
why, and the rest of the bench runs.

Rows, the file and the server side by side (the server's goals are issue #14's):

  first frame        the real app, headless, in a fresh process (interpreter, imports, connecting and
                     the first read counted), to its first frame with the cards, as bench/tui.py measures
                     it; beside a Textual hello world measured the same way in the same run, as a ratio
                     (goals: within 2x at 10,000, 3x at 100,000). Of it, the store's read: a new
                     `BoardReader` (opening the board, connecting) and all its cards, in this process
  one write          an edit of one field of a random requirement (`Board.edit_requirement`: validated,
                     one history event, committed durably), on a board kept open, and on a fresh `Board`
                     each time (opening it and, on a server, connecting included; closing it not)
                     (goal: under 20 ms at both sizes)
  another client's change shown
                     the app open on the board (in the probe's process); another client (a `Board` of its
                     own, on its own connection, in a thread) edits the title of a card on screen; from its
                     commit returning to the app's first frame drawn with it. Each commit waits a random
                     part of the app's poll interval first, so a board that polls is caught at every
                     phase of it (goal: within 200 ms)
  peak memory        of the app's process once the board is drawn and its start-up work (the models
                     imported, the records checked) is done, before the other client opens: VmHWM, as
                     bench/tui.py reads it (goal: under 150 MB at 10,000)
  migrate            the file board moved onto the server: its records and history; and that process's
                     peak memory

Every timed number is the median of the runs (a first frame, a redraw and a write are each medians of
several samples within a run first); peak memory is the largest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import importlib
import json
import os
import pstats
import pwd
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, LiteralString

from bench.measure import (
    CACHE,
    Options,
    Row,
    cached_board,
    compile_project,
    machine_description,
    median,
    parse_sizes,
    render_table,
    run_process,
    working_copy,
)

SIZES = (10_000, 100_000)
QUICK_SIZES = (1_000, 10_000)
FIRST_FRAME_GOALS = ((10_000, 2.0), (100_000, 3.0))
"""The server's first frame, as a multiple of a Textual hello world's."""
WRITE_GOAL_MS = 20.0
REDRAW_GOAL_MS = 200.0
MEMORY_GOAL = (10_000, 150.0)
REDRAWS = 5
"""Commits by another client timed in each probe (after one that warms that client up)."""
START_UP_WORK_S = 1.0
"""How long after the first frame the app's own start-up work is sure to have begun (the record
check starts 0.5 s after the first read)."""
REPO = Path(__file__).resolve().parent.parent
ENV_URL = "REQBOARD_BENCH_PG"
DURABLE = ("ALTER SYSTEM SET fsync = on", "ALTER SYSTEM SET synchronous_commit = on",
           "ALTER SYSTEM SET full_page_writes = on", "SELECT pg_reload_conf()")
"""Commits as a real server makes them (the test cluster turns these off to make tests cheap)."""


def sizes_for(options: Options) -> tuple[int, ...]:
    """The sizes asked for with --sizes, else 10,000 and 100,000 (--quick: 1,000 and 10,000)."""
    if options.sizes_given:
        return options.sizes
    return QUICK_SIZES if options.quick else SIZES


# ---------------------------------------------------------------------------- the server
class ServerUnavailable(Exception):
    """No PostgreSQL server can be had for the bench; the message says why, on one line."""


class BenchServer:
    """Where the server boards go: the empty database $REQBOARD_BENCH_PG names, or a throwaway cluster
    (tests/pg_server.py's `PgServer`) with a database per board."""

    def __init__(self, *, url: str | None = None, cluster: Any = None) -> None:
        """One of `url` (an empty database) or `cluster` (a started PgServer). Use `start()`."""
        self.url = url
        self.cluster = cluster
        self.description = ""
        """What the server is (its version, and where it runs), for the table."""

    @classmethod
    def start(cls, url: str | None = None) -> BenchServer:
        """The database at `url` (default: $REQBOARD_BENCH_PG), checked empty, or else a new cluster,
        started. Raises ServerUnavailable saying why there is none."""
        url = url if url is not None else os.environ.get(ENV_URL) or None
        try:
            import psycopg  # noqa: F401  # the store's server storage needs it too
        except ImportError as exc:
            raise ServerUnavailable(f"psycopg is not installed ({exc}): pip install 'reqboard[postgres]'") from None
        if url is not None:
            server = cls(url=url)
            server.check_empty()
            server.describe(f"the database ${ENV_URL} names, {_shown(url)}")
            return server
        server = cls(cluster=_start_cluster())
        try:
            server.describe(f"a throwaway cluster in {server.cluster.root}, on a Unix socket, durable commits")
        except BaseException:
            server.close()
            raise
        return server

    def check_empty(self) -> None:
        """Raise ServerUnavailable unless the given database can be reached and holds no board."""
        import psycopg

        assert self.url is not None
        try:
            with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                row = conn.execute("SELECT to_regnamespace('reqboard') IS NOT NULL").fetchone()
        except psycopg.Error as exc:
            raise ServerUnavailable(f"cannot reach ${ENV_URL} ({_shown(self.url)}): {_first_line(exc)}") from None
        if row is not None and row[0]:
            raise ServerUnavailable(f"${ENV_URL} ({_shown(self.url)}) holds a reqboard schema already: give an "
                                    "empty database (the bench drops the schema it made after each size)")

    def describe(self, where: str) -> None:
        """Name the server for the table: its PostgreSQL version and `where` it is."""
        rows = self._sql(self.url or self.cluster.url(), "SHOW server_version")
        version = str(rows[0][0]).split()[0] if rows else "?"
        self.description = f"PostgreSQL {version}: {where}"

    @contextmanager
    def database(self) -> Iterator[str]:
        """An empty database for one board, as a URL; emptied (or dropped) afterwards."""
        if self.url is not None:
            try:
                yield self.url
            finally:
                self._sql(self.url, "DROP SCHEMA IF EXISTS reqboard CASCADE")
            return
        name = self.cluster.create_database()
        try:
            yield self.cluster.url(name)
        finally:
            self.cluster.drop_database(name)

    def close(self) -> None:
        """Stop and remove the throwaway cluster (nothing to do for a given database)."""
        if self.cluster is not None:
            self.cluster.close()

    @staticmethod
    def _sql(url: str, statement: LiteralString) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description is not None else []


def cluster_module() -> Any:
    """tests/pg_server.py, which starts the test suite's throwaway PostgreSQL (imported from the tests'
    folder: one copy of how a cluster is made). Raises ServerUnavailable when it cannot be imported."""
    tests = str(REPO / "tests")
    if tests not in sys.path:
        sys.path.append(tests)
    try:
        return importlib.import_module("pg_server")
    except ImportError as exc:
        raise ServerUnavailable(f"cannot load tests/pg_server.py, which starts the server ({exc})") from None


def _start_cluster() -> Any:
    module = cluster_module()
    bindir = module.find_bindir()
    if bindir is None:
        raise ServerUnavailable(f"no PostgreSQL server programs (initdb, pg_ctl; install the postgresql package) "
                                f"and no ${ENV_URL}")
    runner = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        try:
            runner = pwd.getpwnam(module.SUPERUSER)
        except KeyError:
            raise ServerUnavailable(f"running as root and there is no `{module.SUPERUSER}` user to run "
                                    "PostgreSQL as") from None
    cluster = module.PgServer(bindir, runner)
    try:
        cluster.first_start()
        for statement in DURABLE:
            cluster.sql(statement)
    except BaseException:
        cluster.close()
        raise
    return cluster


def _shown(url: str) -> str:
    from reqboard.store.pgstore import redact

    return redact(url)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------- child processes
def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "REQBOARD_CONFIG_DIR": str(CACHE / "config")}


def _flags() -> list[str]:
    return ["-S"] if sys.flags.no_site else []


def run_probe(kind: str, location: str | None = None) -> dict[str, float]:
    """A fresh process's probe: "hello" (bench/tui.py's Textual hello world) or "board" (this module's
    probe of the app on `location`, a board file or a server URL); what it measured."""
    module = "bench.tui" if kind == "hello" else "bench.server"
    cmd = [sys.executable, *_flags(), "-m", module, "probe", kind, *([location] if location else []), str(time.time_ns())]
    out = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=900, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"the {kind} probe of {_shown(location or '')} failed: {out.stderr.strip()[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def migrate(board: Path, url: str) -> dict[str, float]:
    """Move the board file `board` onto the empty database `url` (`server init`, then `migrate_board`)
    in a process of its own: the seconds the move took, what it moved, the process's peak memory."""
    with tempfile.TemporaryDirectory(prefix="migrate-", dir=_cache()) as folder:
        result = Path(folder) / "result.json"
        process = run_process([sys.executable, *_flags(), "-m", "bench.server", "--migrate", str(board), url,
                               str(result)], _env())
        done: dict[str, float] = json.loads(result.read_text())
    return {**done, "mb": process.peak_rss_mb}


def _cache() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def migrate_here(board: Path, url: str) -> dict[str, float]:
    """`migrate`'s child: make the schema, move the board, say how long the move took."""
    from reqboard.store.board import Board
    from reqboard.store.pgstore import init_server
    from reqboard.store.sync import migrate_board

    init_server(url)
    source, dest = Board(board, "bench"), Board(url, "bench")
    started = time.perf_counter()
    requirements, events = migrate_board(source, dest)
    return {"seconds": time.perf_counter() - started, "requirements": requirements, "events": events}


# ---------------------------------------------------------------------------- the probe (child process)
async def _probe_board(location: str, started: float, redraws: int) -> dict[str, float]:
    # Only what `reqboard` itself imports before its first frame.
    from bench.tui import PROBE_SIZE, first_frame_with_cards, peak_rss_mb, stamp_frames, wait_quietly
    from reqboard.tui.app import ReqboardApp
    from reqboard.tui.screens.board import BoardScreen

    app = ReqboardApp(location, "bench")
    drawn: list[int] = []  # the generation of the cards each frame showed (-1: not the board's)

    def seen(screen: Any) -> None:
        drawn.append(screen.generation if isinstance(screen, BoardScreen) else -1)

    frames = stamp_frames(app, seen)
    result: dict[str, float] = {}
    async with app.run_test(size=PROBE_SIZE) as pilot:
        board = app.screen
        assert isinstance(board, BoardScreen)
        result["first_paint_ms"] = await first_frame_with_cards(board, frames, started)
        await pilot.pause()
        result["settled_ms"] = (time.perf_counter() - started) * 1000
        loaded = time.perf_counter()
        await wait_quietly(lambda: time.perf_counter() - loaded > START_UP_WORK_S
                           and not any(worker.is_running for worker in app.workers))
        result["peak_rss_mb"] = peak_rss_mb()
        samples = await _redraws(board, location, frames, drawn, redraws, app.watch_interval)
        result["redraw_ms"] = median(samples)
        result["redraw_max_ms"] = max(samples)
    return result


async def _redraws(board: Any, location: str, frames: list[float], drawn: list[int], count: int,
                   poll_interval: float) -> list[float]:
    """Milliseconds from another client's commit returning to the app's first frame drawn with it,
    `count` times (after one that warms that client up: its imports, its connection, its first read)."""
    from bench.tui import wait_quietly
    from reqboard.store.board import Board
    from reqboard.store.domain import BOARD_STATES

    other = await asyncio.to_thread(Board, location, "another client")
    column = next(board.by_state[state] for state in BOARD_STATES if board.by_state.get(state))
    key = column[0].key  # the top card of the first column with any: on screen

    def commit(i: int) -> float:
        other.edit_requirement(key, {"title": f"Edited by another client ({i})"})
        return time.perf_counter()

    rng = random.Random(0)
    samples = []
    for i in range(count + 1):
        await asyncio.sleep(rng.uniform(0, poll_interval))  # any phase of the app's polling
        before, seen = board.generation, len(frames)
        committed = await asyncio.to_thread(commit, i)

        def shown(before: int = before, seen: int = seen) -> bool:
            return any(generation > before for generation in drawn[seen:])

        await wait_quietly(shown)
        frame = next(when for when, generation in zip(frames[seen:], drawn[seen:], strict=False) if generation > before)
        if i:
            samples.append((frame - committed) * 1000)
    with contextlib.suppress(Exception):  # the other client lets its connections go; nothing to measure
        other.storage.close()
    return samples


def probe(location: str, started_ns: int) -> None:
    """Measure the app on `location` (see the module docstring) and print the numbers as JSON."""
    # `started_ns` is the parent's clock just before it spawned us: interpreter start-up counts.
    started = time.perf_counter() - (time.time_ns() - started_ns) / 1e9
    print(json.dumps(asyncio.run(_probe_board(location, started, REDRAWS))))


# ---------------------------------------------------------------------------- in this process
def read_times(location: str, runs: int) -> float:
    """The store's part of the first frame: opening the board at `location` and making every card, as
    the app's first read does (the collector paused); milliseconds, median of `runs` (after one that
    imports what it needs)."""
    from reqboard.store.memory import paused_gc
    from reqboard.store.reader import BoardReader

    samples = []
    for run in range(runs + 1):
        started = time.perf_counter()
        with paused_gc():
            reader = BoardReader(location, "bench")
            reader.cards()
        if run:
            samples.append((time.perf_counter() - started) * 1000)
        reader.storage.close()
        del reader
    return median(samples)


def _keys(n: int, count: int, seed: int) -> list[str]:
    rng = random.Random(f"server-{n}-{seed}")
    return [f"REQ-{rng.randint(1, n)}" for _ in range(count)]


def write_times(location: str, n: int, runs: int) -> dict[str, float]:
    """One write to the board at `location` (a file or a server URL): milliseconds, on a board kept
    open (median of 3 x max(runs, 5)) and on a fresh `Board` each time (median of `runs`)."""
    from reqboard.store.board import Board

    keys = iter(_keys(n, 3 * max(runs, 5) + runs + 1, seed=len(location)))
    counter = iter(range(10**6))

    def edit(board: Board) -> float:
        key, number = next(keys), next(counter)
        started = time.perf_counter()
        board.edit_requirement(key, {"owner": f"bench {number}"})
        return (time.perf_counter() - started) * 1000

    kept = Board(location, "bench")
    edit(kept)  # the first write imports the rules and the models, and reads the board
    open_ms = [edit(kept) for _ in range(3 * max(runs, 5))]
    kept.storage.close()
    fresh_ms = []
    for _ in range(runs):
        key, number = next(keys), next(counter)
        started = time.perf_counter()
        board = Board(location, "bench")
        board.edit_requirement(key, {"owner": f"bench fresh {number}"})
        fresh_ms.append((time.perf_counter() - started) * 1000)
        board.storage.close()
    return {"write_open_ms": median(open_ms), "write_fresh_ms": median(fresh_ms)}


# ---------------------------------------------------------------------------- one size
def measure_size(server: BenchServer, n: int, runs: int) -> dict[str, float]:
    """Every number for one board size (see the module docstring): "file_*" and "server_*" keys,
    "hello_first_paint_ms" and "migrate_*". The probes of the hello world, the file and the server
    are interleaved, so that the machine getting busier or quieter moves them alike."""
    board = cached_board(n)
    hello: list[dict[str, float]] = []
    probes: dict[str, list[dict[str, float]]] = {"file": [], "server": []}
    with server.database() as url:
        print(f"  server: moving {n:,} requirements onto the server ...", file=sys.stderr, flush=True)
        moved = migrate(board, url)
        if moved["requirements"] != n:
            raise RuntimeError(f"migrate moved {moved['requirements']} requirements of {n:,}")
        result = {"migrate_s": moved["seconds"], "migrate_mb": moved["mb"], "migrate_events": moved["events"]}
        for run in range(runs):
            print(f"  server: {n:,} requirements, probes {run + 1}/{runs} ...", file=sys.stderr, flush=True)
            hello.append(run_probe("hello"))
            with working_copy(board) as work:  # the other client writes to it
                probes["file"].append(run_probe("board", str(work)))
            probes["server"].append(run_probe("board", url))
        print(f"  server: {n:,} requirements, writes and reads ...", file=sys.stderr, flush=True)
        with working_copy(board) as work:
            writes = {"file": {**write_times(str(work), n, runs), "read_ms": read_times(str(work), runs)}}
        writes["server"] = {**write_times(url, n, runs), "read_ms": read_times(url, runs)}
    result["hello_first_paint_ms"] = median([h["first_paint_ms"] for h in hello])
    for side, samples in probes.items():
        for name in ("first_paint_ms", "settled_ms", "redraw_ms"):
            result[f"{side}_{name}"] = median([s[name] for s in samples])
        result[f"{side}_redraw_max_ms"] = max(s["redraw_max_ms"] for s in samples)
        result[f"{side}_peak_rss_mb"] = max(s["peak_rss_mb"] for s in samples)
        result[f"{side}_ratio"] = result[f"{side}_first_paint_ms"] / result["hello_first_paint_ms"]
        result.update({f"{side}_{name}": value for name, value in writes[side].items()})
    return result


ROWS: tuple[tuple[str, str, str, tuple[tuple[int, float], ...]], ...] = (
    ("first frame (cards drawn): file", "file_first_paint_ms", "ms", ()),
    ("first frame: server", "server_first_paint_ms", "ms", ()),
    ("  ratio to hello world: file", "file_ratio", "x", ()),
    ("  ratio to hello world: server", "server_ratio", "x", FIRST_FRAME_GOALS),
    ("  of it, the store's read: file", "file_read_ms", "ms", ()),
    ("  of it, the store's read: server", "server_read_ms", "ms", ()),
    ("one write, board open: file", "file_write_open_ms", "ms", ()),
    ("one write, board open: server", "server_write_open_ms", "ms", ((10_000, WRITE_GOAL_MS), (100_000, WRITE_GOAL_MS))),
    ("one write, fresh Board: file", "file_write_fresh_ms", "ms", ()),
    ("one write, fresh Board: server", "server_write_fresh_ms", "ms", ((10_000, WRITE_GOAL_MS), (100_000, WRITE_GOAL_MS))),
    ("another client's change shown: file", "file_redraw_ms", "ms", ()),
    ("another client's change shown: server", "server_redraw_ms", "ms", ((10_000, REDRAW_GOAL_MS), (100_000, REDRAW_GOAL_MS))),
    ("  slowest: file", "file_redraw_max_ms", "ms", ()),
    ("  slowest: server", "server_redraw_max_ms", "ms", ()),
    ("peak memory (the app): file", "file_peak_rss_mb", "MB", ()),
    ("peak memory (the app): server", "server_peak_rss_mb", "MB", (MEMORY_GOAL,)),
    ("migrate the file to the server", "migrate_s", "s", ()),
    ("  its peak memory", "migrate_mb", "MB", ()),
)


def table(sizes: tuple[int, ...], runs: int, results: dict[int, dict[str, float]], server: str) -> str:
    """The server table: the rows at every size, the hello world, and which server it was."""
    rows = []
    for label, key, unit, goals in ROWS:
        values = {n: results[n][key] for n in sizes}
        rows.append(Row(label, unit, values, goals[0] if goals else None, goals[1:]))
    lines = [render_table(f"Team server beside the file (median of {runs} runs; peak memory: the largest)", sizes, rows)]
    hello = ", ".join(f"{results[n]['hello_first_paint_ms']:,.0f} ms" for n in sizes)
    lines.append(f"  Textual hello world's first frame, measured beside each size: {hello}")
    lines.append("  " + ", ".join(f"{n:,}: {results[n]['migrate_events']:,.0f} history events migrated" for n in sizes))
    lines.append(f"  server: {server}")
    return "\n".join(lines)


def section(options: Options) -> str:
    """The server table for the sizes of `options` (see `sizes_for`), or one line saying why it was skipped."""
    sizes = sizes_for(options)
    try:
        server = BenchServer.start()
    except ServerUnavailable as exc:
        return f"Team server: skipped ({exc})"
    try:
        results = {n: measure_size(server, n, options.runs) for n in sizes}
        return table(sizes, options.runs, results, server.description)
    finally:
        server.close()


# ---------------------------------------------------------------------------- profiling
def profile(operation: str, n: int, top: int = 30) -> None:
    """Print where one operation on the server board of `n` requirements spends its time (cProfile):
    `cards` (the read the first frame waits for: a new BoardReader's cards), `write` (an edit on a board
    kept open), `fresh-write` (an edit through a new Board), `shown` (the read after another client's
    commit: refresh and cards)."""
    from reqboard.store.board import Board
    from reqboard.store.reader import BoardReader

    server = BenchServer.start()
    try:
        with server.database() as url:
            migrate(cached_board(n), url)
            key = _keys(n, 1, seed=0)[0]
            kept = Board(url, "bench")
            kept.edit_requirement(key, {"owner": "warm"})
            watcher = BoardReader(url, "bench")
            watcher.cards()
            kept.edit_requirement(key, {"owner": "changed"})
            actions: dict[str, Callable[[], object]] = {
                "cards": lambda: BoardReader(url, "bench").cards(),
                "write": lambda: kept.edit_requirement(key, {"owner": "profiled"}),
                "fresh-write": lambda: Board(url, "bench").edit_requirement(key, {"owner": "profiled fresh"}),
                "shown": lambda: (watcher.refresh(), watcher.cards()),
            }
            profiler = cProfile.Profile()
            profiler.runcall(actions[operation])
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(top)
            stats.sort_stats("tottime").print_stats(top // 2)
            kept.storage.close()
            watcher.storage.close()
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["probe", "board"]:
        probe(argv[2], int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.server", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 requirements, 3 runs")
    parser.add_argument("--sizes", type=parse_sizes, help="board sizes (default 10,000 and 100,000)")
    parser.add_argument("--runs", type=int, help="runs per measurement (the median is shown; default 5, --quick 3)")
    parser.add_argument("--profile", choices=["cards", "write", "fresh-write", "shown"],
                        help="profile one operation on the server instead (at --size)")
    parser.add_argument("--size", type=int, default=10_000, help="the board size --profile uses")
    parser.add_argument("--migrate", nargs=3, metavar=("BOARD", "URL", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.migrate:
        board, url, result = args.migrate
        Path(result).write_text(json.dumps(migrate_here(Path(board), url)))
        return 0
    if args.profile:
        profile(args.profile, args.size)
        return 0
    compile_project()
    options = Options(sizes=args.sizes or QUICK_SIZES, runs=max(1, args.runs or (3 if args.quick else 5)),
                      quick=args.quick, sizes_given=args.sizes is not None)
    print(f"reqboard server benchmark on {machine_description()}\n", flush=True)
    print(section(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
