"""`python -m bench.ledger`: the measurements behind ARCHITECTURE.md's performance ledger.

Each trick is measured against its absence on the cached 10,000-requirement board, every variant in a
fresh process, the variants interleaved run by run so that a busy machine slows each alike:

    cards vs models        making every card (what the board draws) vs every validated model
    line layout            peak memory reading the board a line at a time vs the whole file at once
    paused gc              opening the board as cards with the collector paused vs running
    gc freeze              one full collection with the board's cards alive, before vs after gc.freeze()
    light staging          staging every record as an update in one transaction (a dry run)
    sync identities        a sync knowing the board's history events by exact-size copies of their
                           bytes vs by the bytes orjson returns (each keeps a buffer of about 4 KB)

    python -m bench.ledger [--size 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.measure import cached_board, machine_description, median, working_copy


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe(kind: str, board: Path) -> dict[str, float]:
    """One measurement, in this (fresh) process."""
    if kind in ("open: gc paused", "open: gc running"):
        from reqboard.store import reader
        from reqboard.store.filestore import boardfile, layout

        if kind == "open: gc running":
            for module in (boardfile, layout, reader):
                module.paused_gc = contextlib.nullcontext  # type: ignore[attr-defined]  # the trick, taken away
        started = time.perf_counter()
        reader.BoardReader(board, "bench").cards()
        return {"ms": (time.perf_counter() - started) * 1000}
    if kind in ("cards", "models"):
        from reqboard.store.board import Board

        store = Board(board, "bench")
        store.storage.snapshot()  # the file is read before the clock starts: only the making is timed
        started = time.perf_counter()
        made: Any = store.cards() if kind == "cards" else store.requirements()
        elapsed = (time.perf_counter() - started) * 1000
        return {"ms": elapsed, "peak RSS MB": _rss_mb(), "n": len(made)}
    if kind in ("read a line at a time", "read whole"):
        import orjson

        from reqboard.store.filestore.layout import read_board_lines

        tracemalloc.start()
        if kind == "read whole":
            orjson.loads(board.read_bytes())
        else:
            with board.open("rb") as fh:
                read_board_lines(fh)
        return {"peak MB": tracemalloc.get_traced_memory()[1] / 2**20}
    if kind in ("full collection: before freeze", "full collection: after freeze"):
        from reqboard.store.reader import BoardReader

        cards = BoardReader(board, "bench").cards()
        if kind.endswith("after freeze"):
            gc.freeze()
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            gc.collect()
            samples.append((time.perf_counter() - started) * 1000)
        return {"ms": median(samples), "cards": len(cards)}
    if kind == "stage every record as an update":
        from reqboard.store.board import Board

        store = Board(board, "bench")
        updates = [dict(r, version=r["version"] + 1) for r in store.snapshot().requirements.values()]
        with store.transaction() as tx:
            started = time.perf_counter()
            for document in updates:
                tx.put_requirement(document, new=False)
            elapsed = (time.perf_counter() - started) * 1000
            tx.dry_run()
        return {"ms": elapsed, "records": len(updates)}
    if kind in ("sync identities: exact-size copies", "sync identities: orjson's bytes"):
        from reqboard.store.board import Board
        from reqboard.store.sync.merge import canonical

        history = Board(board, "bench").storage.history()
        started = time.perf_counter()
        known: set[bytes] = set()
        for event in history:  # as store.sync.run knows an event that has no id
            identity = canonical({k: v for k, v in event.items() if k != "generation"})
            known.add(bytes(memoryview(identity)) if kind.endswith("copies") else identity)
        elapsed = (time.perf_counter() - started) * 1000
        return {"ms": elapsed, "peak RSS MB": _rss_mb(), "events": len(known)}
    raise SystemExit(f"unknown probe {kind!r}")


KINDS = (
    "cards", "models",
    "read a line at a time", "read whole",
    "open: gc paused", "open: gc running",
    "full collection: before freeze", "full collection: after freeze",
    "stage every record as an update",
    "sync identities: exact-size copies", "sync identities: orjson's bytes",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--probe", nargs=2, metavar=("KIND", "BOARD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.probe[0], Path(args.probe[1]))))
        return 0
    results: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    with working_copy(cached_board(args.size)) as board:
        for _ in range(args.runs):
            for kind in KINDS:
                done = subprocess.run([sys.executable, "-m", "bench.ledger", "--probe", kind, str(board)],
                                      capture_output=True, text=True, check=True)
                results[kind].append(json.loads(done.stdout))
    print(f"reqboard performance ledger on {machine_description()}")
    print(f"{args.size:,} requirements; median of {args.runs} fresh processes each\n")
    for kind, runs in results.items():
        cells = ", ".join(f"{name} {median([r[name] for r in runs]):,.1f}" for name in runs[0])
        print(f"  {kind:<36} {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
