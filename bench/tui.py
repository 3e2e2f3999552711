"""The TUI benchmark: first paint, key latencies and peak memory of the board, run headless.

Each measurement runs in a fresh process (`python -m bench.tui probe ...`), so imports and the first
read of the board file are counted as a user would feel them. A Textual hello world is measured the
same way in the same run, so the numbers read as ratios on any machine.

    python -m bench.tui --sizes 1000,10000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROBE_SIZE = (160, 50)


# ---------------------------------------------------------------------------- the probe (child process)
async def _wait_until(pilot: Any, condition: Any, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.002)


async def _probe_board(path: Path, started: float) -> dict[str, float]:
    # Only what `reqboard` itself imports before its first frame; the rest once the board is drawn.
    from reqboard.tui.app import ReqboardApp
    from reqboard.tui.screens.board import BoardScreen

    app = ReqboardApp(path, "bench", watch_interval=3600)
    result: dict[str, float] = {}
    # Key latency is the time from the key to the next frame written; the pilot's own waits for
    # idleness (20 ms steps) come after that and are not counted.
    screens: list[Any] = []  # the screen each frame showed
    frames = stamp_frames(app, screens.append)

    def first_frame_of(kind: type, seen: int, t0: float) -> float:
        """Milliseconds from `t0` to the first frame (after the first `seen`) that showed a `kind` screen."""
        for when, screen in zip(frames[seen:], screens[seen:], strict=True):
            if isinstance(screen, kind):
                return (when - t0) * 1000
        raise RuntimeError(f"no frame showed a {kind.__name__}")

    async with app.run_test(size=PROBE_SIZE) as pilot:
        board = app.screen
        assert isinstance(board, BoardScreen)
        result["first_paint_ms"] = await first_frame_with_cards(board, frames, started)
        await pilot.pause()
        result["settled_ms"] = (time.perf_counter() - started) * 1000
        from reqboard.store.models import State
        from reqboard.store.query import parse_query
        from reqboard.tui.screens.detail import DetailScreen
        from reqboard.tui.widgets.card_list import CardList

        cards = app.query_one(f"#cards-{State.APPROVED.value}", CardList)
        cards.focus()
        await pilot.pause()

        async def timed(name: str, action: Any, done: Any) -> None:
            samples = []
            for _ in range(5):
                seen = len(frames)
                t0 = time.perf_counter()
                await action()
                await _wait_until(pilot, done)
                await pilot.pause()
                samples.append(_frame_after(frames, seen, t0))
            result[name] = statistics.median(samples)

        async def down() -> None:
            await pilot.press("down")

        await timed("key_navigate_ms", down, lambda: True)

        async def across() -> None:  # another column: focus moves, so the key bindings change
            await pilot.press("right" if app.focused is cards else "left")

        await timed("key_column_ms", across, lambda: True)
        cards.focus()
        await pilot.pause()

        async def filter_on() -> None:
            board.set_filter(parse_query("tier:A"))

        async def filter_off() -> None:
            board.set_filter(parse_query(""))

        await timed("key_filter_ms", filter_on, lambda: True)
        await filter_off()

        async def open_detail() -> None:
            await pilot.press("enter")

        def history_shown() -> bool:
            screen = app.screen
            return isinstance(screen, DetailScreen) and screen.history is not None

        samples, history_samples = [], []
        for _ in range(5):
            seen = len(frames)
            t0 = time.perf_counter()
            await open_detail()
            await _wait_until(pilot, history_shown)
            await pilot.pause()
            # The pane opens with its fields (its first frame); the history, read from the journal
            # in a worker, is in the last frame before we looked.
            samples.append(first_frame_of(DetailScreen, seen, t0))
            history_samples.append((frames[-1] - t0) * 1000)
            await pilot.press("escape")
            await pilot.pause()
        result["key_open_detail_ms"] = statistics.median(samples)
        result["detail_history_ms"] = statistics.median(history_samples)

        # A move that needs a prompt: the key answers with the form (the write comes after it).
        async def move() -> None:
            await pilot.press("less_than_sign")

        from textual.widgets import Input

        from reqboard.tui.screens.form import FormScreen

        samples, focused_samples = [], []
        for _ in range(5):
            seen = len(frames)
            t0 = time.perf_counter()
            await move()
            await _wait_until(pilot, lambda: app.screen is not board)
            await pilot.pause()
            samples.append(first_frame_of(FormScreen, seen, t0))  # the dialog with its fields
            focused_samples.append((frames[-1] - t0) * 1000)  # then its first field shown focused
            await pilot.press("escape")
            await pilot.pause()
        result["key_move_prompt_ms"] = statistics.median(samples)
        result["move_prompt_focused_ms"] = statistics.median(focused_samples)

        # A whole move: from the key that confirms the prompt to the board redrawn from the file, with
        # the durable write in a worker in between.
        samples = []
        for _ in range(3):
            generation = board.generation
            await pilot.press("less_than_sign")
            await _wait_until(pilot, lambda: app.screen is not board)
            await pilot.pause()
            app.screen.query_one("#field-reason", Input).value = "bench"  # typing through the pilot costs 60 ms a key
            t0 = time.perf_counter()
            await pilot.press("enter")
            await _wait_until(pilot, lambda generation=generation: board.generation > generation)
            await pilot.pause()
            samples.append((frames[-1] - t0) * 1000)
            await pilot.press("l")  # the selection followed the moved card: back to the column measured
            await pilot.pause()
        result["move_saved_ms"] = statistics.median(samples)

        result["peak_rss_mb"] = peak_rss_mb()  # the board's own: the reports below read every record whole

        # Reports: the key answers with the screen (saying it is computing); the metrics of the whole
        # board, read and computed in a worker, are drawn when they are ready.
        from reqboard.tui.screens.reports import ReportsScreen

        seen = len(frames)
        t0 = time.perf_counter()
        await pilot.press("r")
        await _wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.metrics is not None,
                          timeout=600)
        await pilot.pause()
        result["key_reports_ms"] = first_frame_of(ReportsScreen, seen, t0)
        result["reports_drawn_ms"] = (frames[-1] - t0) * 1000
        await pilot.press("escape")
        await pilot.pause()
    result["reports_rss_mb"] = peak_rss_mb()
    return result


def stamp_frames(app: Any, seen: Callable[[Any], object] | None = None) -> list[float]:
    """Stamp every frame `app` writes: the list returned gets each frame's time (perf_counter), and
    `seen(screen)`, when given, is called after each with the screen the frame showed. Call it before
    the app runs."""
    frames: list[float] = []
    display = app._display

    def stamped_display(screen: Any, update: Any) -> None:
        display(screen, update)
        frames.append(time.perf_counter())
        if seen is not None:
            seen(screen)

    app._display = stamped_display  # Textual's frame hook, wrapped (a benchmark, not the app)
    return frames


async def first_frame_with_cards(board: Any, frames: list[float], started: float) -> float:
    """Milliseconds from `started` to the first frame written once `board` (a BoardScreen) has read
    its cards, as stamped by `stamp_frames`."""
    # Wait without the pilot: its pauses make every widget process a message and the screen
    # redraw, which would compete with the load it is waiting for.
    await wait_quietly(lambda: board.loaded)
    seen = len(frames)
    await wait_quietly(lambda: len(frames) > seen)
    return (frames[seen] - started) * 1000


async def wait_quietly(condition: Callable[[], object], timeout: float = 60.0) -> None:
    """Wait until `condition()` holds, looking every 10 ms; TimeoutError after `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.01)  # a finer poll would take the interpreter from the load it waits for


def _frame_after(frames: list[float], seen: int, t0: float) -> float:
    """Milliseconds from `t0` to the first frame written after it."""
    if len(frames) <= seen:
        raise RuntimeError("the key produced no frame")
    return (frames[seen] - t0) * 1000


async def _probe_hello(started: float) -> dict[str, float]:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Hello(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello, world")

    app = Hello()
    frames = stamp_frames(app)
    async with app.run_test(size=PROBE_SIZE) as pilot:
        await wait_quietly(lambda: bool(frames))
        painted = (frames[0] - started) * 1000  # its first frame shows the text
        await pilot.pause()
        settled = (time.perf_counter() - started) * 1000
    return {"first_paint_ms": painted, "settled_ms": settled, "peak_rss_mb": peak_rss_mb()}


def probe(kind: str, path: str | None, started_ns: int) -> None:
    # `started_ns` is the parent's clock just before it spawned us: interpreter start-up counts.
    started = time.perf_counter() - (time.time_ns() - started_ns) / 1e9
    if kind == "hello":
        result = asyncio.run(_probe_hello(started))
    else:
        assert path is not None
        result = asyncio.run(_probe_board(Path(path), started))
    print(json.dumps(result))


# ---------------------------------------------------------------------------- the driver
def run_probe(kind: str, path: Path | None = None) -> dict[str, float]:
    cmd = [sys.executable, "-m", "bench.tui", "probe", kind]
    if path is not None:
        cmd.append(str(path))
    cmd.append(str(time.time_ns()))
    env = {**os.environ, "REQBOARD_CONFIG_DIR": str(Path(__file__).parent / ".cache" / "config")}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"probe failed: {out.stderr.strip()[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def board_for(n: int) -> Path:
    from bench.measure import cached_board

    return cached_board(n)


def peak_rss_mb() -> float:
    """This process's own peak memory. ru_maxrss survives exec (a child reports its parent's peak);
    VmHWM belongs to the address space, which exec makes anew."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(sizes: list[int], runs: int) -> tuple[dict[str, float], dict[int, dict[str, float]]]:
    """Median of `runs` fresh-process probes: the hello world, and the board at each size.

    The runs are interleaved (hello world, then each size, then again), so that the machine getting
    busier or quieter during the benchmark moves the baseline and the boards alike.
    """
    from bench.measure import working_copy

    paths = {n: board_for(n) for n in sizes}
    hello_runs: list[dict[str, float]] = []
    samples: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    for _ in range(runs):
        hello_runs.append(run_probe("hello"))
        for n in sizes:
            with working_copy(paths[n]) as work:  # the move benchmark writes to it
                samples[n].append(run_probe("board", work))
    hello = {k: statistics.median(r[k] for r in hello_runs) for k in hello_runs[0]}
    boards = {n: {k: statistics.median(s[k] for s in samples[n]) for k in samples[n][0]} for n in sizes}
    return hello, boards


ROWS = (
    ("first paint (cards drawn)", "first_paint_ms", "ms"),
    ("  ratio to hello world", None, "x"),
    ("settled (idle after it)", "settled_ms", "ms"),
    ("key: navigate (down)", "key_navigate_ms", "ms"),
    ("key: next column (right)", "key_column_ms", "ms"),
    ("key: filter (tier:A)", "key_filter_ms", "ms"),
    ("key: open detail (enter)", "key_open_detail_ms", "ms"),
    ("  its history drawn", "detail_history_ms", "ms"),
    ("key: move (prompt drawn)", "key_move_prompt_ms", "ms"),
    ("  its first field focused", "move_prompt_focused_ms", "ms"),
    ("move saved (write + redraw)", "move_saved_ms", "ms"),
    ("key: reports (screen drawn)", "key_reports_ms", "ms"),
    ("  its numbers drawn", "reports_drawn_ms", "ms"),
    ("peak memory", "peak_rss_mb", "MB"),
    ("  with the reports read", "reports_rss_mb", "MB"),
)


def table(hello: dict[str, float], boards: dict[int, dict[str, float]]) -> str:
    sizes = sorted(boards)
    head = f"{'TUI (headless, ' + str(PROBE_SIZE[0]) + 'x' + str(PROBE_SIZE[1]) + ')':<30}" + "".join(
        f"{f'{n:,} reqs':>14}" for n in sizes)
    lines = [head, "-" * len(head)]
    for label, key, unit in ROWS:
        cells = []
        for n in sizes:
            if key is None:
                cells.append(f"{boards[n]['first_paint_ms'] / hello['first_paint_ms']:>12.2f} {unit}")
            else:
                cells.append(f"{boards[n][key]:>11.1f} {unit:<2}")
        lines.append(f"{label:<30}" + "".join(f"{c:>14}" for c in cells))
    lines.append(f"{'hello world first paint':<30}{hello['first_paint_ms']:>11.1f} ms"
                 f"   (settled {hello['settled_ms']:.0f} ms, peak {hello['peak_rss_mb']:.0f} MB)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "probe":
        kind = argv[1]
        path = argv[2] if kind == "board" else None
        probe(kind, path, int(argv[-1]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.tui", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    from bench.measure import compile_project

    compile_project()
    hello, boards = measure(sizes, args.runs)
    print(table(hello, boards))
    return 0


if __name__ == "__main__":
    sys.exit(main())
