"""The sync benchmark: a board cloned, both copies changed apart, then synced back (`reqboard sync`).

    python -m bench.sync --quick              1,000 and 10,000 requirements, 3 runs
    python -m bench.sync                      1,000, 10,000 and 50,000 requirements, 3 runs
    python -m bench --sections sync           the same table as a section of the whole bench
    python -m bench.sync --profile sync --size 10000      (cProfile of the sync, in this process)

The team's board is the cached generated board (bench/.cache/); the consultant's is its clone. Then
each side makes a twentieth of the board's size in changes (500 at 10,000), in transactions of 50
the way the store's own operations make them (validated, revised, one history event per field):

  edits     most of them, of every kind of field (title, description, owner, tags, scores, due date,
            category, effort, links), each side on its own requirements
  moves     a fifth: on to the next column where its rule allows it, else back with a reason, or
            rejected, or reopened
  both      a few requirements both sides edit, in different fields (merged without a conflict)
  clashes   a few requirements both sides edit in the same field, differently: conflicts, settled
            by --prefer theirs (the team's value is kept)
  new       a few requirements added on each side (the team adds fewer): each the team adds takes a
            key the consultant also took, so that many are renumbered

Then, each in a fresh process of its own (so that its peak memory is its own):

  clone          `clone_board` of the team's board into a new file (records and the whole history)
  sync           `sync_boards(consultant, team, decide=resolver("theirs"))`: both boards written
  second sync    the same right after: it finds nothing to do and writes nothing

The seconds are the call's own (the board files are read inside it, under their locks); the whole
process adds the interpreter and the imports.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
)

if TYPE_CHECKING:
    from reqboard.store.board import Board
    from reqboard.store.models import Requirement
    from reqboard.store.transaction import Transaction

GOAL_SIZE = 10_000
GOAL_SECONDS = 3.0
GOAL_MB = 300.0
TEAM, CONSULTANT = "Team Lead", "Offline Consultant"
PER_TRANSACTION = 50
PREFER: Literal["ours", "theirs"] = "theirs"
"""How the bench settles the clashes (the team's value is kept), as `sync --prefer theirs` does."""

_OWNERS = ("Ana Lima", "Ben Okafor", "Chen Jing", "Dora Novak", "Emil Berg")
_TAGS = ("offline", "synced", "mobile", "billing", "export", "urgent-fix")
_CATEGORIES = ("Reporting", "Billing", "Mobile", "Integrations")


def changes_for(n: int) -> int:
    """How many changes each side makes on a board of `n` requirements (500 at 10,000)."""
    return max(4, n // 20)


@dataclass(frozen=True)
class Workload:
    """What each side changes between the clone and the sync: the requirement numbers of each kind."""

    changes: int
    edits: dict[str, list[int]]
    """"ours" (the consultant) and "theirs" (the team): requirements edited in one field."""
    moves: dict[str, list[int]]
    both: list[int]
    """Edited by both sides, in different fields."""
    clashes: list[int]
    """Edited by both sides in the same field, differently."""
    new: dict[str, int]
    """How many requirements each side adds."""

    @property
    def renumbered(self) -> int:
        """How many added requirements want a key the other side also took."""
        return min(self.new.values())


def workload(n: int, changes: int, seed: int = 0) -> Workload:
    """Pick which requirements of a board of `n` each side changes (`changes` a side), and how."""
    rng = random.Random(f"sync-{n}-{changes}-{seed}")
    clashes = max(1, changes // 50)
    both = max(1, changes // 25)
    new_ours = max(1, changes // 50)
    new_theirs = max(1, new_ours * 3 // 5)
    moves = changes // 5
    edits = {"ours": changes - clashes - both - moves - new_ours, "theirs": changes - clashes - both - moves - new_theirs}
    needed = clashes + both + 2 * moves + edits["ours"] + edits["theirs"]
    if needed > n:
        raise ValueError(f"{changes} changes a side need {needed} requirements: the board has {n}")
    picked = rng.sample(range(1, n + 1), needed)
    taken = iter(picked)

    def take(count: int) -> list[int]:
        return [next(taken) for _ in range(count)]

    return Workload(changes=changes, clashes=take(clashes), both=take(both),
                    moves={"ours": take(moves), "theirs": take(moves)},
                    edits={"ours": take(edits["ours"]), "theirs": take(edits["theirs"])},
                    new={"ours": new_ours, "theirs": new_theirs})


# ---------------------------------------------------------------------------- the changes
def _edit_value(field: str, req: Requirement, rng: random.Random, side: str, number: int) -> Any:
    """A new value of `field` for `req`, as a person would type it (None: the field cannot change)."""
    if field == "title":
        return f"{req.title[:150]} ({'offline' if side == 'ours' else 'team'} wording {rng.randint(1, 999)})"
    if field == "description":
        return f"{req.description[:19_000]}\nNoted {'offline' if side == 'ours' else 'by the team'}: check the edge cases."
    if field == "owner":
        return rng.choice([o for o in _OWNERS if o != req.owner])
    if field == "tags":
        extra = rng.choice([t for t in _TAGS if t not in req.tags] or ["more"])
        return (*req.tags[1:], extra) if req.tags and rng.random() < 0.4 else (*req.tags, extra)
    if field in ("importance", "urgency", "business_value"):
        return rng.choice([s for s in range(1, 6) if s != getattr(req, field)])
    if field == "due":
        return date(2027, 1, 4) + timedelta(days=rng.randint(0, 180))
    if field == "category":
        return rng.choice([c for c in _CATEGORIES if c != req.category])
    if field == "effort_estimate":
        return float(rng.choice((8, 16, 24, 40, 80)) + (req.effort_estimate or 0))
    if field == "depends_on":  # a link to an older requirement (None: there is none to link to)
        older = [f"REQ-{k}" for k in range(max(1, number - 50), number) if f"REQ-{k}" not in req.depends_on]
        return (*req.depends_on, rng.choice(older)) if older else None
    raise ValueError(field)


EDITED_FIELDS = ("title", "description", "owner", "tags", "importance", "urgency", "business_value", "due",
                 "category", "effort_estimate", "depends_on")


def _move(tx: Transaction, req: Requirement) -> dict[str, Any]:
    """The changes of moving `req` one step: on where the rule allows it, else back with a reason,
    else rejected (a requirement still collected) or reopened (a rejected one), as `move` does."""
    from reqboard.store import workflow
    from reqboard.store.models import State

    reason = "Moved while offline"
    target = workflow.next_state(req.state)
    if target is None or workflow.check_move(req, target) is not None:
        target = workflow.previous_state(req.state) or (State.COLLECTED if req.state is State.REJECTED
                                                         else State.REJECTED)
    if workflow.check_move(req, target, reason) is not None:
        raise RuntimeError(f"{req.key}: the bench picked a move to {target.value} the rules refuse")
    changes = tx.enter(req, target)
    if target is State.REJECTED:
        changes["rejection_reason"] = reason
    elif req.state is State.REJECTED:
        changes["rejection_reason"] = ""
    return changes


def _change(tx: Transaction, key: str, make: Callable[[Transaction, Requirement], dict[str, Any]]) -> None:
    """One requirement changed in `tx` as the store's operations change one: revised, a history event
    per changed field, staged as the next version."""
    from reqboard.store.revisions import record_diff

    current = tx.requirement(key)
    updated = tx.revise(current, **make(tx, current))
    record_diff(tx, current, updated, "edited", "")
    tx.put_requirement(updated, new=False)


def apply_side(board: Board, plan: Workload, side: str, seed: int = 0) -> int:
    """Make one side's changes on `board`, `PER_TRANSACTION` a transaction; returns how many."""
    rng = random.Random(f"{side}-{seed}")
    work: list[tuple[int, Callable[[Transaction, Requirement], dict[str, Any]]]] = []

    def edit(field: str, number: int) -> Callable[[Transaction, Requirement], dict[str, Any]]:
        def change(tx: Transaction, req: Requirement) -> dict[str, Any]:
            value = _edit_value(field, req, rng, side, number)
            return {field: value} if value is not None else {"owner": _edit_value("owner", req, rng, side, number)}

        return change

    for i, number in enumerate(plan.edits[side]):
        work.append((number, edit(EDITED_FIELDS[(i + (side == "theirs")) % len(EDITED_FIELDS)], number)))
    work += [(number, _move) for number in plan.moves[side]]
    work += [(number, edit("owner" if side == "ours" else "tags", number)) for number in plan.both]
    work += [(number, edit("title", number)) for number in plan.clashes]
    rng.shuffle(work)
    for start in range(0, len(work), PER_TRANSACTION):
        with board.transaction() as tx:
            for number, make in work[start:start + PER_TRANSACTION]:
                _change(tx, f"REQ-{number}", make)
    for i in range(plan.new[side]):
        board.add_requirement(f"New {'offline' if side == 'ours' else 'team'} requirement {i + 1}",
                              customer="Bench Ltd", tags=["sync-bench"])
    return len(work) + plan.new[side]


# ---------------------------------------------------------------------------- the boards
@dataclass(frozen=True)
class Pair:
    """The team's board and the consultant's clone of it, both changed since the clone."""

    team: Path
    consultant: Path
    plan: Workload


def _board_files(path: Path) -> list[Path]:
    return [p for p in (path, path.with_name(path.name + ".history.jsonl")) if p.exists()]


def _copy_board(source: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    for file in _board_files(source):
        shutil.copyfile(file, dest.with_name(dest.name + file.name[len(source.name):]))
    return dest


def prepare(n: int, directory: Path, changes: int | None = None) -> Pair:
    """Clone the cached board of `n` requirements and change both copies apart (in this process; the
    timed work runs in processes of its own)."""
    from reqboard.store.board import Board
    from reqboard.store.sync import clone_board

    plan = workload(n, changes if changes is not None else changes_for(n))
    team = _copy_board(cached_board(n), directory / "team" / "board.json")
    consultant = directory / "consultant" / "board.json"
    consultant.parent.mkdir(parents=True)
    clone_board(Board(team, TEAM), Board(consultant, CONSULTANT))
    apply_side(Board(consultant, CONSULTANT), plan, "ours")
    apply_side(Board(team, TEAM), plan, "theirs")
    return Pair(team, consultant, plan)


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A folder under bench/.cache/ for one measurement, removed afterwards."""
    CACHE.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=prefix, dir=CACHE))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# ---------------------------------------------------------------------------- one operation (the child)
def run_operation(operation: str, ours: Path, theirs: Path) -> dict[str, Any]:
    """Clone `theirs` into `ours`, or sync `ours` with `theirs`; what it took and what it did."""
    from reqboard.store.board import Board
    from reqboard.store.sync import clone_board, resolver, sync_boards

    if operation == "clone":
        source, dest = Board(theirs, CONSULTANT), Board(ours, CONSULTANT)
        started = time.perf_counter()
        count = clone_board(source, dest)
        return {"seconds": time.perf_counter() - started, "cloned": count}
    mine, other = Board(ours, CONSULTANT), Board(theirs, CONSULTANT)
    started = time.perf_counter()
    plan = sync_boards(mine, other, decide=resolver(PREFER))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "written": plan.written, "pulled": len(plan.pulled), "pushed": len(plan.pushed),
            "renumbered": len(plan.renumbered), "conflicts": len(plan.conflicts), "settled": len(plan.settled),
            "events_pulled": plan.events_pulled, "events_pushed": plan.events_pushed}


def _child(operation: str, ours: Path, theirs: Path, result: Path) -> dict[str, Any]:
    """`operation` in a fresh process: what it reported, and the process's wall time and peak memory."""
    flags = ["-S"] if sys.flags.no_site else []
    process = run_process([sys.executable, *flags, "-m", "bench.sync", "--child", operation, str(ours), str(theirs),
                           str(result)], {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    done: dict[str, Any] = json.loads(result.read_text())
    result.unlink()
    return {**done, "process_seconds": process.seconds, "mb": process.peak_rss_mb}


def _expect(what: str, done: dict[str, Any], **wanted: Any) -> None:
    wrong = {name: done.get(name) for name, value in wanted.items() if done.get(name) != value}
    if wrong:
        raise RuntimeError(f"{what}: {wrong} (expected {wanted})")


def same_requirements(one: Path, two: Path) -> bool:
    """True when both boards hold the same requirement records (keys, fields, versions)."""
    from reqboard.store.board import Board

    return dict(Board(one, "bench").snapshot().requirements) == dict(Board(two, "bench").snapshot().requirements)


def measure_size(n: int, runs: int, changes: int | None = None) -> dict[str, float]:
    """Every sync number for one board size: medians of `runs` (seconds), the largest peak memory (MB).

    Raises RuntimeError when a sync does not do what the workload says (a conflict left, the wrong
    number renumbered or settled, a second sync with something to do, the boards not the same after).
    """
    samples: dict[str, list[float]] = {}

    def keep(name: str, done: dict[str, Any]) -> None:
        for unit in ("seconds", "process_seconds", "mb"):
            samples.setdefault(f"{name}_{unit}", []).append(float(done[unit]))

    with scratch("sync-") as directory:
        pair = prepare(n, directory / "prepared", changes)
        plan = pair.plan
        for run in range(runs):
            work = directory / f"run-{run}"
            team = _copy_board(pair.team, work / "team" / "board.json")
            consultant = _copy_board(pair.consultant, work / "consultant" / "board.json")
            done = _child("sync", consultant, team, work / "result.json")
            _expect(f"sync of {n:,}", done, written=True, conflicts=0, settled=len(plan.clashes),
                    renumbered=plan.renumbered)
            keep("sync", done)
            again = _child("sync", consultant, team, work / "result.json")
            _expect(f"second sync of {n:,}", again, written=False, pulled=0, pushed=0, renumbered=0,
                    events_pulled=0, events_pushed=0)
            keep("again", again)
            if run == 0 and not same_requirements(consultant, team):
                raise RuntimeError(f"sync of {n:,}: the two boards differ afterwards")
            source = _copy_board(cached_board(n), work / "source" / "board.json")
            cloned = _child("clone", work / "clone" / "board.json", source, work / "result.json")
            _expect(f"clone of {n:,}", cloned, cloned=n)
            keep("clone", cloned)
            shutil.rmtree(work)
    result = {name: (max(values) if name.endswith("_mb") else median(values)) for name, values in samples.items()}
    result.update(changes=float(plan.changes), pulled=float(done["pulled"]), pushed=float(done["pushed"]),
                  renumbered=float(done["renumbered"]), settled=float(done["settled"]),
                  events=float(done["events_pulled"] + done["events_pushed"]))
    return result


ROWS: tuple[tuple[str, str, str, tuple[int, float] | None], ...] = (
    ("sync (sync_boards)", "sync_seconds", "s", (GOAL_SIZE, GOAL_SECONDS)),
    ("  whole process", "sync_process_seconds", "s", None),
    ("  peak memory", "sync_mb", "MB", (GOAL_SIZE, GOAL_MB)),
    ("second sync (nothing to do)", "again_seconds", "s", None),
    ("  peak memory", "again_mb", "MB", None),
    ("clone (clone_board)", "clone_seconds", "s", None),
    ("  peak memory", "clone_mb", "MB", None),
)


def table(options: Options, results: dict[int, dict[str, float]]) -> str:
    """The sync table, and a line per size saying what the sync did."""
    rows = [Row(label, unit, {n: results[n][key] for n in options.sizes}, goal) for label, key, unit, goal in ROWS]
    title = f"Sync, n/20 changes a side (median of {options.runs} runs; peak memory: the largest)"
    lines = [render_table(title, options.sizes, rows)]
    for n in options.sizes:
        r = results[n]
        lines.append(f"  {n:,}: {r['changes']:,.0f} changes a side; pulled {r['pulled']:,.0f}, pushed "
                     f"{r['pushed']:,.0f}, renumbered {r['renumbered']:,.0f}, settled {r['settled']:,.0f} "
                     f"conflicts (--prefer {PREFER}), carried {r['events']:,.0f} history events")
    return "\n".join(lines)


def section(options: Options) -> str:
    """The sync table for every size asked for."""
    results: dict[int, dict[str, float]] = {}
    for n in options.sizes:
        print(f"  sync: {n:,} requirements ...", file=sys.stderr, flush=True)
        results[n] = measure_size(n, options.runs)
    return table(options, results)


# ---------------------------------------------------------------------------- profiling
def profile(n: int, top: int = 30) -> None:
    """Print where one sync of a prepared pair spends its time (cProfile, cumulative and own time)."""
    with scratch("sync-profile-") as directory:
        pair = prepare(n, directory)
        profiler = cProfile.Profile()
        done = profiler.runcall(run_operation, "sync", pair.consultant, pair.team)
        print(f"sync of {n:,} requirements, {pair.plan.changes} changes a side: {done}")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 requirements")
    parser.add_argument("--sizes", type=parse_sizes, help="board sizes, e.g. 1000,10000")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--profile", choices=["sync"], help="profile one sync instead (at --size)")
    parser.add_argument("--size", type=int, default=GOAL_SIZE, help="the board size --profile uses")
    parser.add_argument("--child", nargs=4, metavar=("OPERATION", "OURS", "THEIRS", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        operation, ours, theirs, result = args.child
        Path(result).write_text(json.dumps(run_operation(operation, Path(ours), Path(theirs))))
        return 0
    if args.profile:
        profile(args.size)
        return 0
    compile_project()
    sizes = args.sizes or ((1_000, 10_000) if args.quick else (1_000, 10_000, 50_000))
    options = Options(sizes=sizes, runs=max(1, args.runs), quick=args.quick)
    print(f"reqboard sync benchmark on {machine_description()}\n", flush=True)
    print(section(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
