"""`python -m bench`: every benchmark section, one table each, with the machine named.

    python -m bench --quick                  1,000 and 10,000 requirements, 3 runs (under two minutes)
    python -m bench                          1,000, 10,000 and 50,000 requirements, 5 runs
    python -m bench --sizes 1000,10000 --sections store
    python -m bench.imports --quick          CSV imports alone (1,000, 10,000 and, without --quick, 100,000 rows)
    python -m bench.sync --quick             clone and sync alone (a twentieth of the board changed on each side)
    python -m bench --sections server        the board on PostgreSQL beside the file, at 10,000 and 100,000
                                             (--quick: 1,000 and 10,000); skipped, saying why, without PostgreSQL
    python -m bench --sections wire          bytes written to the terminal at start-up and per key (160x50, 80x24)
    python -m bench --sections demo          `reqboard --demo` to its first paint (cached, built) beside a real board

A section is a function `(Options) -> str` returning its table; add one to SECTIONS to plug it in.
Each section runs in a fresh process. Generated boards are cached under bench/.cache/ (the first
run takes longer).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

from bench import store
from bench.measure import Options, compile_project, machine_description, parse_sizes


def tui_section(options: Options) -> str:
    """The board's first paint and key latencies, from bench/tui.py."""
    from bench import tui

    own_section = getattr(tui, "section", None)
    if own_section is not None:
        table: str = own_section(options)
        return table
    hello, boards = tui.measure(list(options.sizes), options.runs)
    return tui.table(hello, boards)


def imports_section(options: Options) -> str:
    """CSV imports of as many rows as the sizes say, from bench/imports.py."""
    from bench import imports

    return imports.section(options)


def sync_section(options: Options) -> str:
    """A board cloned, both copies changed apart, then synced back, from bench/sync.py."""
    from bench import sync

    return sync.section(options)


def wire_section(options: Options) -> str:
    """Bytes written to the terminal at start-up and per key, under a pseudo-terminal, from bench/wire.py."""
    from bench import wire

    return wire.section(options)


def server_section(options: Options) -> str:
    """The board on a PostgreSQL server beside the same board in a file, from bench/server.py."""
    from bench import server

    return server.section(options)


def demo_section(options: Options) -> str:
    """The demo's start-up, cached and built, beside a real board of its size, from bench/demo.py."""
    from bench import demo

    return demo.section(options)


SECTIONS: dict[str, Callable[[Options], str]] = {
    "store": store.section,
    "tui": tui_section,
    "imports": imports_section,
    "sync": sync_section,
    "server": server_section,
    "wire": wire_section,
    "demo": demo_section,
}
ON_REQUEST = ("demo",)
"""Sections run only when named in --sections (the demo's builds take a minute of their own)."""


def run_isolated(name: str, options: Options) -> str:
    """Run one section in a fresh process and return its table.

    On Linux a child process starts with its parent's peak memory on record: a section run after
    another that loaded big boards would report that memory for every process it starts.
    """
    flags = ["-S"] if sys.flags.no_site else []
    # The sizes only when asked for: a section with sizes of its own (server) keeps them otherwise.
    sizes = ["--sizes", ",".join(map(str, options.sizes))] if options.sizes_given else []
    cmd = [sys.executable, *flags, "-m", "bench", "--only", name, "--runs", str(options.runs), *sizes,
           *(["--quick"] if options.quick else [])]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        return f"{name}: the section failed (exit {done.returncode}; see the messages above)"
    return done.stdout.rstrip("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 requirements, 3 runs")
    parser.add_argument("--sizes", type=parse_sizes, help="board sizes, e.g. 1000,10000")
    parser.add_argument("--runs", type=int, help="runs per measurement (the median is shown)")
    default = ",".join(name for name in SECTIONS if name not in ON_REQUEST)
    parser.add_argument("--sections", default=default,
                        help=f"which sections, comma-separated (default: {default}; also: {','.join(ON_REQUEST)})")
    parser.add_argument("--only", choices=list(SECTIONS), help=argparse.SUPPRESS)  # one section, in-process
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}: choose from {', '.join(SECTIONS)}")
    options = Options(
        sizes=args.sizes or ((1_000, 10_000) if args.quick else (1_000, 10_000, 50_000)),
        runs=max(1, args.runs or (3 if args.quick else 5)),
        quick=args.quick,
        sizes_given=args.sizes is not None,
    )
    if args.only:
        print(SECTIONS[args.only](options))
        return 0
    started = time.perf_counter()
    compile_project()
    print(f"reqboard benchmarks on {machine_description()}", flush=True)
    for name in names:
        print()
        print(run_isolated(name, options), flush=True)
    print(f"\n(total {time.perf_counter() - started:.0f} s; reproduce with: python -m bench"
          f"{' --quick' if options.quick else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
