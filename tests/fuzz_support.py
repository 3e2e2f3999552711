"""Shared by the board-file fuzzers and the hammer: a small real board made through the store, ways to
damage its files the way a crash, a disk or a careless colleague would, and the CLI run in-process
with everything it printed and its exit code."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import sys
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reqboard.store.board import Board

BOARD_NAME = "board.json"
JOURNAL_NAME = BOARD_NAME + ".history.jsonl"
BACKUPS_NAME = BOARD_NAME + ".backups"


# ---------------------------------------------------------------------------- the board to damage
def fixed_clock(start: datetime = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)) -> Callable[[], datetime]:
    """A clock that ticks one second a call, so every template board has the same bytes but its uids."""
    ticks = iter(range(1_000_000))

    def clock() -> datetime:
        return start + timedelta(seconds=next(ticks))

    return clock


def make_small_board(directory: Path) -> Path:
    """A real board with requirements in several states, a customer, links and a change request.

    Made through `store.board.Board`, so that the file, the journal and the backups are exactly what
    reqboard writes. Returns the board file's path.
    """
    path = directory / BOARD_NAME
    board = Board(path, "maker", clock=fixed_clock())
    first = board.add_requirement("Export invoices as PDF", customer="ACME", tier="A", channel="email",
                                  description="Monthly invoices\nin one file", tags=("billing",))
    second = board.add_requirement("Dark mode", customer="Globex")
    board.add_requirement("Faster search", depends_on=(first.key,))
    board.edit_requirement(first.key, {"importance": 4, "urgency": 3, "kano": "performance",
                                       "need_type": "explicit", "owner": "dana"})
    board.move_requirement(first.key, "analysed")
    board.approve(first.key, "looks right")
    board.move_requirement(first.key, "in_progress")
    cr = board.add_change_request(first.key, "Also CSV", reason="customer call",
                                  new_description="Monthly invoices\nas PDF and CSV")
    board.assess_change_request(cr.key, schedule_days=2, cost=300, effort_hours=16, risk="low")
    board.edit_requirement(second.key, {"importance": 2, "urgency": 2, "kano": "attractive",
                                        "need_type": "latent"})
    board.move_requirement(second.key, "analysed")
    return path


def copy_board(template: Path, directory: Path) -> Path:
    """Copy a board file with its journal and backups into `directory`; returns the new board path."""
    for name in (BOARD_NAME, JOURNAL_NAME):
        if (template.parent / name).exists():
            shutil.copy2(template.parent / name, directory / name)
    backups = template.parent / BACKUPS_NAME
    if backups.is_dir():
        shutil.copytree(backups, directory / BACKUPS_NAME)
    return directory / BOARD_NAME


def newest_backup(board: Path) -> Path:
    """The kept generation `reqboard restore` takes by default (the highest number)."""
    return max((board.parent / BACKUPS_NAME).glob(f"{board.stem}.gen-*.json"))


def claims_newer_schema(board: Path) -> bool:
    """Does the (damaged) file read as a board of a newer reqboard? Then refusing to touch it is right."""
    try:
        schema = json.loads(board.read_bytes())["meta"]["1"]["schema"]
    except (ValueError, TypeError, KeyError, IndexError, RecursionError):  # damaged beyond reading
        return False
    return isinstance(schema, int) and not isinstance(schema, bool) and schema > 1


def sha256(path: Path) -> str | None:
    """The file's digest, or None when there is no file (or something that cannot be read as one)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# ---------------------------------------------------------------------------- values that hurt
@dataclass(frozen=True)
class Deep:
    """A list nested `depth` levels deep, written as text (json.dumps would hit the recursion limit)."""

    depth: int


HOSTILE_VALUES: tuple[Any, ...] = (
    None, 0, -1, 2**31, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**64), 10**30, 1e308, -0.5, True, False,
    "", " ", "x" * 100_000, "REQ-12345678901234567", "REQ-0", "REQ-²", "REQ-1", "CR-99999999999999999999",
    "0001-01-01T00:00:00Z", "1-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-13-45T99:99:99Z",
    "2025-03-01T09:00:00", "collected", "rejected", "bogus", "\u202e\u200b\x1b[31m\x00",
    "\ud800", [], [None], [[]], ["REQ-1", "REQ-1"], {}, {"": None}, {"key": "REQ-1"},
    Deep(40), Deep(300), Deep(600), Deep(5000),
)


def dumps_hostile(value: Any) -> str:
    """Compact JSON of a value that may hold ints beyond 64 bits, lone surrogates and `Deep` nests."""
    deep: dict[str, str] = {}

    def fallback(obj: Any) -> Any:
        if isinstance(obj, Deep):
            marker = f"\x01deep{len(deep)}\x01"
            deep[json.dumps(marker)] = "[" * obj.depth + "]" * obj.depth
            return marker
        raise TypeError(f"cannot write {type(obj).__name__}")

    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=fallback)
    for marker, nest in deep.items():
        text = text.replace(marker, nest)
    return text


def encode(text: str) -> bytes:
    # A lone surrogate cannot be UTF-8: write it the way a broken tool would, as its raw code units.
    return text.encode("utf-8", "surrogatepass")


def board_layout(tables: dict[str, Any], *, one_line: bool) -> bytes:
    """A board file's bytes in reqboard's one-requirement-a-line layout, or as one line of JSON."""
    records = tables.get("requirements") if isinstance(tables, dict) else None
    if one_line or not isinstance(records, dict):
        return encode(dumps_hostile(tables)) + b"\n"
    others = {name: table for name, table in tables.items() if name != "requirements"}
    lines = [dumps_hostile(others)[:-1] + ',"requirements":{']
    items = list(records.items())
    for n, (doc_id, record) in enumerate(items):
        lines.append(f"{dumps_hostile(doc_id)}:{dumps_hostile(record)}" + ("" if n == len(items) - 1 else ","))
    lines.append("}}")
    return encode("\n".join(lines)) + b"\n"


def paths_in(value: Any, prefix: tuple[Any, ...] = (), depth: int = 4) -> Iterator[tuple[Any, ...]]:
    """Every place in a parsed JSON value (dict keys and list indexes), outermost first, up to `depth`."""
    yield prefix
    if depth == 0:
        return
    if isinstance(value, dict):
        for key in value:
            yield from paths_in(value[key], (*prefix, key), depth - 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths_in(item, (*prefix, index), depth - 1)


def choose_place(root: Any, place: int | tuple[Any, ...]) -> tuple[Any, ...]:
    """A path given as such, or the `place`-th of every path in `root` (wrapping around)."""
    if isinstance(place, tuple):
        return place
    places = list(paths_in(root))
    return places[place % len(places)]


def put_at(root: Any, path: Sequence[Any], value: Any) -> Any:
    """`root` with the value at `path` replaced (the root itself when the path is empty)."""
    if not path:
        return value
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return root


# ---------------------------------------------------------------------------- damage
class Mutation(ABC):
    """One way to damage a file's bytes; `apply` is deterministic, `repr` says what it did."""

    @abstractmethod
    def apply(self, data: bytes) -> bytes:
        """The damaged bytes."""


@dataclass(frozen=True)
class FlipByte(Mutation):
    at: int
    mask: int

    def apply(self, data: bytes) -> bytes:
        if not data:
            return data
        i = self.at % len(data)
        return data[:i] + bytes([data[i] ^ (self.mask or 1)]) + data[i + 1:]


@dataclass(frozen=True)
class Truncate(Mutation):
    at: int

    def apply(self, data: bytes) -> bytes:
        return data[: self.at % (len(data) + 1)]


@dataclass(frozen=True)
class Insert(Mutation):
    at: int
    chunk: bytes

    def apply(self, data: bytes) -> bytes:
        i = self.at % (len(data) + 1)
        return data[:i] + self.chunk + data[i:]


@dataclass(frozen=True)
class Delete(Mutation):
    at: int
    length: int

    def apply(self, data: bytes) -> bytes:
        i = self.at % (len(data) + 1)
        return data[:i] + data[i + self.length:]


@dataclass(frozen=True)
class SwapLines(Mutation):
    first: int
    second: int

    def apply(self, data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        if len(lines) < 2:
            return data
        i, j = self.first % len(lines), self.second % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return b"".join(lines)


@dataclass(frozen=True)
class DuplicateLine(Mutation):
    line: int

    def apply(self, data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        if not lines:
            return data
        i = self.line % len(lines)
        return b"".join(lines[: i + 1] + lines[i:])


@dataclass(frozen=True)
class ReplaceInBoard(Mutation):
    """Put a JSON-valid but wrong-shaped value somewhere in the board's tables, and write it back.

    `place` is a path (("requirements", "1", "key")) or a number choosing one of every path in turn.
    """

    place: int | tuple[Any, ...]
    value: Any
    one_line: bool = False

    def apply(self, data: bytes) -> bytes:
        tables = json.loads(data)
        return board_layout(put_at(tables, choose_place(tables, self.place), self.value), one_line=self.one_line)


@dataclass(frozen=True)
class RenameRecord(Mutation):
    """Store a requirement under another id (or a hostile one), as a hand edit or a bad import might."""

    record: int
    new_id: str

    def apply(self, data: bytes) -> bytes:
        tables = json.loads(data)
        records = tables["requirements"]
        ids = list(records)
        old = ids[self.record % len(ids)]
        records[self.new_id] = records.pop(old)
        return board_layout(tables, one_line=False)


@dataclass(frozen=True)
class Rekey(Mutation):
    """Give a requirement another number consistently (id, key, counter), as an import of a file that
    carried that key would: the board is valid in every other way."""

    record: int
    number: int

    def apply(self, data: bytes) -> bytes:
        tables = json.loads(data)
        records = tables["requirements"]
        old = list(records)[self.record % len(records)]
        moved = records.pop(old)
        moved["key"] = f"REQ-{self.number}"
        records[str(self.number)] = moved
        meta = tables["meta"]["1"]
        meta["next_requirement"] = max(int(meta["next_requirement"]), self.number + 1)
        return board_layout(tables, one_line=False)


@dataclass(frozen=True)
class ReplaceInJournal(Mutation):
    """Put a hostile value somewhere in one history line (the rest of the journal as it was)."""

    line: int
    place: int | tuple[Any, ...]
    value: Any

    def apply(self, data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        i = self.line % len(lines)
        event = json.loads(lines[i])
        lines[i] = encode(dumps_hostile(put_at(event, choose_place(event, self.place), self.value))) + b"\n"
        return b"".join(lines)


def damage_board(path: Path, mutation: Mutation) -> None:
    path.write_bytes(mutation.apply(path.read_bytes()))


def damage_journal(board: Path, mutation: Mutation, *, keep_size_consistent: bool) -> None:
    """Damage the journal; with `keep_size_consistent` the board's recorded journal size follows, as
    someone who knows the format would make it (otherwise the size check alone catches most damage)."""
    journal = board.with_name(JOURNAL_NAME)
    old = journal.read_bytes()
    new = mutation.apply(old)
    journal.write_bytes(new)
    if keep_size_consistent:
        text = board.read_bytes()
        board.write_bytes(text.replace(b'"journal_size":%d' % len(old), b'"journal_size":%d' % len(new), 1))


# ---------------------------------------------------------------------------- the CLI, in-process
INTERNAL_ERROR = re.compile(r"^error: unexpected [A-Za-z_.]+|please report this", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    argv: tuple[str, ...]
    code: int
    out: str
    err: str
    raised_at: str = ""
    """Where an error the CLI reported was raised (innermost line of reqboard's own code), if one was."""

    def __str__(self) -> str:
        where = f"\nraised at: {self.raised_at}" if self.raised_at else ""
        return (f"reqboard {' '.join(self.argv)} -> exit {self.code}\nstdout: {self.out[:800]}\n"
                f"stderr: {self.err[:800]}{where}")


def where_raised(exc: BaseException) -> str:
    """The innermost frame of reqboard's own code (store/, tui/) in an exception's traceback."""
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        parts = Path(frame.filename).parts
        if "store" in parts or "tui" in parts:
            found = f"{'/'.join(parts[-2:])}:{frame.lineno} in {frame.name}"
    return found


def run_cli(*argv: str) -> Outcome:
    """Run `reqboard ARGV` in this process (as the entry point does) and capture what it printed.

    Standard output is a text stream over bytes, as a terminal's is: `export` writes to its buffer.
    The CLI's one-line error printer is watched (not changed) to learn where a reported error came from.
    """
    from reqboard.cli import main as cli

    raised: list[str] = []
    report_error = getattr(cli, "_error", None)

    def watched_error(message: object) -> None:
        handling = sys.exc_info()[1]  # _error is called inside main's `except` clauses
        if handling is not None:
            raised.append(where_raised(handling))
        if report_error is not None:
            report_error(message)

    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="backslashreplace")
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace")
    with redirect_stdout(out), redirect_stderr(err):
        if report_error is not None:
            cli._error = watched_error  # type: ignore[attr-defined]  # test-only watch, restored below
        try:
            code = cli.main(list(argv))
        except SystemExit as exc:  # argparse's --help and --version
            code = exc.code if isinstance(exc.code, int) else 2
        finally:
            if report_error is not None:
                cli._error = report_error  # type: ignore[attr-defined]  # the watch above, undone
        out.flush()
        err.flush()
    return Outcome(tuple(argv), code, out_bytes.getvalue().decode("utf-8", "backslashreplace"),
                   err_bytes.getvalue().decode("utf-8", "backslashreplace"), raised[-1] if raised else "")


def contract_breaches(outcome: Outcome) -> list[str]:
    """What in one command's outcome breaks DESIGN.md section 3, whatever the input was."""
    problems = []
    if outcome.code not in range(5):
        problems.append(f"exit code {outcome.code} is not one of 0-4")
    if "Traceback" in outcome.err or "Traceback" in outcome.out:
        problems.append("a traceback reached the user")
    # The CLI's catch-all ("unexpected KeyError: ... (please report this)"), not JSON's own wording
    # of a parse error ("unexpected character"), which is a proper refusal.
    if INTERNAL_ERROR.search(outcome.err):
        problems.append("an internal error was reported as 'unexpected'")
    return problems

