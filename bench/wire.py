"""What the board writes to the terminal: bytes at start-up and per key, under a real pseudo-terminal.

Over SSH every byte is latency: at 1 Mbit/s, 50 KB is 0.4 s. This section starts the real `reqboard`
(the installed script) on a generated board inside a pseudo-terminal of a given size (TERM
xterm-256color), and counts the bytes the app writes after each key until it has been quiet for a
while: start-up, a move of the selection within a column, to the next column, a filter applied and
cleared, the detail pane opened and closed, a move's prompt opened and a move saved, and a live
refresh of one card another user changed. Beside them, a full-screen paint of the same size (the
terminal resized away and back) for scale, and what a remote user feels on a slow link: the time
to the last byte plus the bytes at 1 and 10 Mbit/s.

    python -m bench --sections wire               10,000 requirements at 160x50 and 80x24
    python -m bench.wire --size 160x50 --reqs 1000
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.measure import Options, cached_board, reqboard_command, working_copy

QUIET_S = 0.4
"""The app is done answering a key once it wrote nothing for this long: less than the half-period of a
text cursor's blink (0.5 s), which writes a few bytes on its own while a prompt is open."""
STARTUP_QUIET_S = 2.5
SMALL = 256
SMALL_WAIT_S = 2.0
"""An answer of fewer than SMALL bytes (a focus change's few bytes) is waited on for SMALL_WAIT_S: the
first change imports the store's models, a pause of a few hundred milliseconds before a prompt is drawn."""
FIRST_BYTE_S = 8.0
"""How long to wait for the first byte of an answer (a live refresh waits for the board's poll)."""
LINKS = ((1, "1 Mbit/s"), (10, "10 Mbit/s"))
GOALS = {"navigate (j)": 2_000, "next column (l)": 4_000, "live refresh of one card": 4_000}
"""Issue #19's goals at 160x50 on 10,000 requirements (bytes); start-up: 1.2 full-screen paints."""


@dataclass(frozen=True)
class Answer:
    """What the app wrote for one action: how many bytes, and when the last arrived after the key."""

    name: str
    bytes: int
    ms: float


class Terminal:
    """The app running in a pseudo-terminal of `cols` x `rows`; reads what it writes."""

    def __init__(self, board: Path, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        master, slave = pty.openpty()
        self._size(slave, cols, rows)
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8",
               "REQBOARD_USER": "bench", "TEXTUAL_ANIMATIONS": "none"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([*reqboard_command(), "--store", str(board)], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master

    @staticmethod
    def _size(fd: int, cols: int, rows: int) -> None:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def answer(self, name: str, keys: bytes = b"", *, first_byte: float = FIRST_BYTE_S,
               quiet: float = QUIET_S) -> Answer:
        """Send `keys` (none: just wait) and count what comes back until it has been quiet for `quiet`."""
        t0 = time.perf_counter()
        if keys:
            os.write(self.master, keys)
        total, last = 0, t0
        deadline = t0 + first_byte
        while True:
            quiet_until = last + quiet
            if total and total < SMALL:
                quiet_until = max(quiet_until, t0 + SMALL_WAIT_S)
            wait = (quiet_until if total else deadline) - time.perf_counter()
            if wait <= 0:
                break
            ready, _, _ = select.select([self.master], [], [], wait)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the app ended
                break
            if not chunk:
                break
            total += len(chunk)
            last = time.perf_counter()
        return Answer(name, total, (last - t0) * 1000 if total else 0.0)

    def resize(self, cols: int, rows: int) -> None:
        self._size(self.master, cols, rows)
        os.killpg(self.proc.pid, signal.SIGWINCH)

    def close(self) -> None:
        try:
            os.write(self.master, b"\x11")  # ctrl+q
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            os.close(self.master)


@contextmanager
def running(board: Path, cols: int, rows: int) -> Iterator[Terminal]:
    terminal = Terminal(board, cols, rows)
    try:
        yield terminal
    finally:
        terminal.close()


def _edit_top_card(board: Path) -> None:
    """Another user changes the first card of the first column (what the app shows at start)."""
    from reqboard.store.board import Board
    from reqboard.store.domain import State

    other = Board(board, "someone-else")
    top = min((c for c in other.cards() if c.state is State.COLLECTED),
              key=lambda c: (-(c.priority or 0), c.number), default=None)
    if top is not None:
        other.edit_requirement(top.key, {"title": top.title + " (revised)"})


def measure(reqs: int, cols: int, rows: int) -> tuple[list[Answer], Answer]:
    """Every action's answer on a board of `reqs`, and a full-screen paint of the same size."""
    answers: list[Answer] = []
    with working_copy(cached_board(reqs)) as board, running(board, cols, rows) as term:
        # Start-up draws the first cards, then the rest of the board as it is read: no cursor blinks yet.
        answers.append(term.answer("start-up", first_byte=60.0, quiet=STARTUP_QUIET_S))
        answers.append(term.answer("navigate (j)", b"j"))
        answers.append(term.answer("navigate back (k)", b"k"))
        answers.append(term.answer("next column (l)", b"l"))
        answers.append(term.answer("previous column (h)", b"h"))
        answers.append(term.answer("filter prompt (/)", b"/"))
        term.answer("(typing the filter)", b"tier:A")
        answers.append(term.answer("filter applied (enter)", b"\r"))
        answers.append(term.answer("filter cleared (esc)", b"\x1b"))
        answers.append(term.answer("open detail (enter)", b"\r"))
        answers.append(term.answer("close detail (esc)", b"\x1b"))
        answers.append(term.answer("move prompt (>)", b">"))
        term.answer("(prompt closed)", b"\x1b")
        term.answer("(to approved)", b"ll")
        term.answer("(in progress prompt)", b">")
        answers.append(term.answer("move saved (ctrl+s)", b"\x13"))
        term.answer("(back to collected)", b"hh")
        _edit_top_card(board)
        answers.append(term.answer("live refresh of one card"))
        term.resize(cols, rows - 1)
        term.answer("(resized)")
        term.resize(cols, rows)
        full = term.answer("full-screen paint")
    return answers, full


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB" if n >= 1024 else f"{n} B"


def table(reqs: int, cols: int, rows: int, answers: list[Answer], full: Answer) -> str:
    lines = [f"Bytes written to the terminal, {reqs:,} requirements at {cols}x{rows} (TERM xterm-256color)",
             "",
             f"| {'action':<26} | {'bytes':>9} | {'x screen':>8} | {'last byte':>9} | "
             + " | ".join(f"{'felt @ ' + label:>17}" for _m, label in LINKS) + " |",
             "|" + "-" * 28 + "|" + "-" * 11 + "|" + "-" * 10 + "|" + "-" * 11 + "|"
             + "|".join("-" * 19 for _ in LINKS) + "|"]
    for a in (*answers, full):
        felt = [a.ms + a.bytes * 8 / (mbit * 1e6) * 1000 for mbit, _label in LINKS]
        ratio = a.bytes / full.bytes if full.bytes else 0.0
        lines.append(f"| {a.name:<26} | {_kb(a.bytes):>9} | {ratio:>7.2f}x | {a.ms:>6.0f} ms | "
                     + " | ".join(f"{f:>14.0f} ms" for f in felt) + " |")
    goals = [f"{name} <= {_kb(goal)}: {'met' if a.bytes <= goal else 'NOT met'} ({_kb(a.bytes)})"
             for name, goal in GOALS.items() for a in answers if a.name == name]
    start = next(a for a in answers if a.name == "start-up")
    if full.bytes:
        goals.append(f"start-up <= 1.2 full-screen paints: {'met' if start.bytes <= 1.2 * full.bytes else 'NOT met'} "
                     f"({start.bytes / full.bytes:.2f}x)")
    lines += ["", "Goals (issue #19, at 160x50 on 10,000): " + "; ".join(goals) if (cols, rows) == (160, 50) else ""]
    lines.append("'last byte': from the key to the last byte written (then quiet for "
                 f"{QUIET_S * 1000:.0f} ms); 'felt': that plus the bytes' time on the link.")
    return "\n".join(line for line in lines if line is not None)


SIZES = ((160, 50), (80, 24))


def section(options: Options) -> str:
    """The wire table at 160x50 and 80x24, on the largest board of the run up to 10,000."""
    reqs = max((n for n in options.sizes if n <= 10_000), default=10_000)
    tables = []
    for cols, rows in SIZES:
        answers, full = measure(reqs, cols, rows)
        tables.append(table(reqs, cols, rows, answers, full))
    return "\n\n".join(tables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wire", description=__doc__.splitlines()[0])
    parser.add_argument("--reqs", type=int, default=10_000)
    parser.add_argument("--size", default="160x50", help="COLSxROWS")
    args = parser.parse_args(argv)
    cols, rows = (int(x) for x in args.size.lower().split("x"))
    answers, full = measure(args.reqs, cols, rows)
    print(table(args.reqs, cols, rows, answers, full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
