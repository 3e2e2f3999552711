"""The demo's start-up: `reqboard --demo` to its first frame with cards, beside a real board of its size.

Each measurement runs in a fresh process (`python -m bench.demo probe ...`), from interpreter start to
the first frame that shows cards (headless, 160x50), doing what `run_demo` does before the app starts:

- "demo, cached": today's board is in the cache (every run of the day after the first);
- "demo, built": an empty cache (the first run of a day, or of a language): the board is built;
- "real board": a board file with the same content, opened as `reqboard --store FILE` opens it.

    python -m bench.demo --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.measure import Options
from bench.tui import PROBE_SIZE, first_frame_with_cards, stamp_frames

KINDS = ("real board", "demo, cached", "demo, built")


# ---------------------------------------------------------------------------- the probe (child process)
async def _first_paint(kind: str, path: str, started: float) -> float:
    from reqboard.tui.app import ReqboardApp

    board_path = Path(path)
    if kind != "board":  # what run_demo does before its app starts
        from reqboard.store import clock, i18n
        from reqboard.store.demo_copy import fresh_copy, remove_stale_copies

        remove_stale_copies()
        board_path = fresh_copy(chinese=i18n.is_chinese(), zone=clock.zone(), user="bench").board
    app = ReqboardApp(board_path, "bench", watch_interval=3600)
    frames = stamp_frames(app)
    async with app.run_test(size=PROBE_SIZE):
        painted = await first_frame_with_cards(app.screen, frames, started)
    if kind != "board":
        shutil.rmtree(board_path.parent, ignore_errors=True)
    return painted


def probe(kind: str, path: str, started_ns: int) -> None:
    started = time.perf_counter() - (time.time_ns() - started_ns) / 1e9
    print(json.dumps({"first_paint_ms": asyncio.run(_first_paint(kind, path, started))}))


# ---------------------------------------------------------------------------- the driver
def _run(kind: str, path: Path, cache: Path) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "REQBOARD_LANG": "en",
           "REQBOARD_CONFIG_DIR": str(Path(__file__).parent / ".cache" / "config")}
    cmd = [sys.executable, "-m", "bench.demo", "probe", kind, str(path), str(time.time_ns())]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"probe failed: {out.stderr.strip()[-2000:]}")
    return float(json.loads(out.stdout.strip().splitlines()[-1])["first_paint_ms"])


def measure(runs: int) -> dict[str, float]:
    """Median first paint (ms) of each kind, the runs interleaved."""
    samples: dict[str, list[float]] = {k: [] for k in KINDS}
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as scratch:
        root = Path(scratch)
        warm = root / "warm-cache"
        _run("demo", root / "unused", warm)  # fills the cache (a build)
        cached = next((warm / "reqboard").glob("demo-*.board"))  # (the cache's own format: store.demo_copy)
        header, _newline, body = cached.read_bytes().partition(b"\n")
        size = json.loads(header)["board_size"]
        board, journal = body[:size], body[size:]
        for n in range(runs):
            real = root / f"real-{n}"
            real.mkdir()
            (real / "demo.json").write_bytes(board)
            (real / "demo.json.history.jsonl").write_bytes(journal)
            samples["real board"].append(_run("board", real / "demo.json", warm))
            samples["demo, cached"].append(_run("demo", root / "unused", warm))
            samples["demo, built"].append(_run("demo", root / "unused", root / f"cold-{n}"))
    return {k: statistics.median(v) for k, v in samples.items()}


def table(results: dict[str, float], runs: int) -> str:
    head = f"{'demo start-up (headless, ' + str(PROBE_SIZE[0]) + 'x' + str(PROBE_SIZE[1]) + ')':<40}{'first paint':>14}"
    lines = [head, "-" * len(head)]
    for kind in KINDS:
        lines.append(f"{kind:<40}{results[kind]:>11.0f} ms")
    lines.append(f"(median of {runs} runs, each a fresh process)")
    return "\n".join(lines)


def section(options: Options) -> str:
    """`python -m bench`'s demo section (the sizes do not apply: the demo has its one size)."""
    return table(measure(options.runs), options.runs)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "probe":
        probe(argv[1], argv[2], int(argv[3]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from bench.measure import compile_project, machine_description

    compile_project()
    print(machine_description())
    print(table(measure(args.runs), args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
