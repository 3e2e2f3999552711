"""What every benchmark section shares: options, the machine, cached boards, timing and tables."""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

CACHE = Path(__file__).parent / ".cache"


@dataclass(frozen=True)
class Options:
    """What `python -m bench` was asked for; every section reads the same options."""

    sizes: tuple[int, ...]
    runs: int
    quick: bool
    sizes_given: bool = False
    """The sizes were asked for (--sizes), not the default: a section with sizes of its own (server)
    then uses them."""


# ---------------------------------------------------------------------------- the machine
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def machine_description() -> str:
    """One line naming the machine and the versions, so numbers can be compared across runs."""
    return (f"{cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"Textual {_version('textual')}, pydantic {_version('pydantic')}, TinyDB {_version('tinydb')}, "
            f"orjson {_version('orjson')}; {platform.system()} {platform.release()}")


def compile_project() -> None:
    """Compile reqboard's modules to bytecode once, as installing a package does.

    An editable install leaves them as source, and with PYTHONDONTWRITEBYTECODE set (as on some
    machines) every process would compile them again: a cost no installed copy pays, while the
    hello world's Textual is compiled. (compileall writes the files whatever that variable says.)
    """
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("cli", "store", "tui", "themes", "bench"):
        compileall.compile_dir(root / package, quiet=1)


# ---------------------------------------------------------------------------- boards
def cached_board(n: int, *, seed: int = 0) -> Path:
    """A generated board of `n` requirements, made once and kept under bench/.cache/."""
    from bench.generate import GENERATOR_VERSION, generate_board
    from reqboard.store.storage import SCHEMA_VERSION

    path = CACHE / f"store-{n}-seed{seed}-gen{GENERATOR_VERSION}-schema{SCHEMA_VERSION}.json"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="generate-", dir=CACHE))
        try:
            result = generate_board(staging / path.name, n, seed=seed)
            print(f"  (generated {n:,} requirements, {result.events:,} history events "
                  f"in {result.seconds:.1f} s; cached as {path.relative_to(CACHE.parent.parent)})",
                  file=sys.stderr)
            journal = staging / (path.name + ".history.jsonl")
            os.replace(journal, path.with_name(journal.name))
            os.replace(staging / path.name, path)  # the board last: its presence means complete
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return path


@contextmanager
def working_copy(board: Path) -> Iterator[Path]:
    """A throw-away copy of a board and its journal, for benchmarks that write."""
    CACHE.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="work-", dir=CACHE))
    try:
        copy = directory / "board.json"
        shutil.copyfile(board, copy)
        journal = board.with_name(board.name + ".history.jsonl")
        if journal.exists():
            shutil.copyfile(journal, copy.with_name(copy.name + ".history.jsonl"))
        yield copy
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def file_mb(path: Path) -> float:
    try:
        return path.stat().st_size / 1e6
    except FileNotFoundError:
        return 0.0


def parse_sizes(text: str) -> tuple[int, ...]:
    """`1000,10_000` -> (1000, 10000): the sizes a benchmark is asked for on its command line."""
    import argparse

    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers like 1000,10000") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("give at least one size of 1 or more")
    return sizes


# ---------------------------------------------------------------------------- timing
def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def timed(action: Callable[[], object], runs: int, *, before: Callable[[], object] | None = None) -> list[float]:
    """Seconds taken by `action`, `runs` times; `before` runs untimed ahead of each."""
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_rss_mb: float


# Linux keeps a process's peak RSS across execve, and a forked child starts with its parent's: a child
# of this (big) benchmark process would report our memory, not its own. A small launcher process
# starts the command instead and reports the command's wall time and peak memory.
_LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_process(cmd: Sequence[str], env: dict[str, str] | None = None) -> ProcessRun:
    """Run a whole process (its output discarded); its wall time and its own peak resident memory.

    Raises RuntimeError with the process's stderr when it fails.
    """
    with tempfile.TemporaryFile() as err:
        out = subprocess.run([sys.executable, "-I", "-S", "-c", _LAUNCHER, *cmd], stdout=subprocess.PIPE,
                             stderr=err, env=env, check=False)
        try:
            seconds, maxrss, code = out.stdout.split()
        except ValueError:
            code = b"launcher failed"
        if out.returncode != 0 or code != b"0":
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed ({code.decode()}): {err.read().decode()[-2000:]}")
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS.
    return ProcessRun(float(seconds), int(maxrss) / (1024 * 1024 if sys.platform == "darwin" else 1024))


def reqboard_command() -> list[str]:
    """The installed `reqboard` script next to this interpreter, else `python -m reqboard.cli`.

    Under `python -S` (to compare a checkout with the installed one), the CLI runs the same way.
    """
    script = Path(sys.executable).with_name("reqboard")
    if script.exists() and not sys.flags.no_site:
        return [str(script)]
    return [sys.executable, *(["-S"] if sys.flags.no_site else []), "-m", "reqboard.cli"]


# ---------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Row:
    label: str
    unit: str  # "ms", "s", "MB", "us"
    values: dict[int, float]  # size -> value
    goal: tuple[int, float] | None = None  # (size, limit in `unit`): met when the value is below
    more_goals: tuple[tuple[int, float], ...] = ()  # goals at other sizes, said after `goal`

    @property
    def goals(self) -> tuple[tuple[int, float], ...]:
        """Every (size, limit) of the row."""
        return ((self.goal,) if self.goal is not None else ()) + self.more_goals


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("ms", "us") and value >= 10_000:
        return f"{value / 1000:,.2f} {'s' if unit == 'ms' else 'ms'}"
    decimals = 2 if value < 10 else 1 if value < 1000 else 0
    return f"{value:,.{decimals}f} {unit}"


def render_table(title: str, sizes: Sequence[int], rows: Sequence[Row], *, unit_name: str = "reqs") -> str:
    """A plain-text table: one column per size (`10,000 reqs`, or `10,000 rows` with `unit_name`), and
    the goal (met or missed) where there is one."""
    label_width = max(len(title), *(len(r.label) for r in rows)) + 2
    widths = [max(14, len(f"{n:,} {unit_name}") + 2) for n in sizes]
    head = f"{title:<{label_width}}" + "".join(f"{f'{n:,} {unit_name}':>{w}}" for n, w in zip(sizes, widths, strict=True)) + "   goal"
    lines = [head, "-" * len(head)]
    for row in rows:
        cells = "".join(f"{_cell(row.values.get(n), row.unit):>{w}}" for n, w in zip(sizes, widths, strict=True))
        said = []
        for size, limit in row.goals:
            value = row.values.get(size)
            verdict = "" if value is None else ("  met" if value < limit else "  MISSED")
            said.append(f"< {_cell(limit, row.unit)} at {size:,}{verdict}")
        goal = f"   {';  '.join(said)}" if said else ""
        lines.append(f"{row.label:<{label_width}}{cells}{goal}")
    return "\n".join(lines)
