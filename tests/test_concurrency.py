"""Several real processes adding and editing one board at once: no key twice, no update lost,
a stale edit refused and retried, readers never see a half-written file."""

from __future__ import annotations

import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import Conflict
from reqboard.store.storage import parse_board_bytes

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SPAWN = mp.get_context("spawn")
WORKERS = 3
ADDS = 8
DEADLINE_S = 90


# ---------------------------------------------------------------------------- worker processes
def add_and_count(path: str, user: str, adds: int, start: Any, results: Any) -> None:
    """Add `adds` requirements and bump REQ-1's counter as often, with read / expect-version / retry.

    Each add happens between reading REQ-1 and writing it back, so the others get to commit in that
    window and stale edits do occur.
    """
    board = Board(path, user)
    keys: list[str] = []
    conflicts = 0
    start.wait(timeout=DEADLINE_S)
    for i in range(adds):
        while True:
            current = board.get("REQ-1")
            if len(keys) == i:
                keys.append(board.add_requirement(f"{user} #{i}", customer=f"{user} customer {i}").key)
            try:
                board.edit_requirement(
                    "REQ-1",
                    {"effort_estimate": (current.effort_estimate or 0) + 1,
                     "description": current.description + f"{user}-{i}\n"},
                    expect_version=current.version,
                )
                break
            except Conflict as exc:
                assert exc.expected == current.version and exc.actual > current.version
                conflicts += 1
    results.put((user, keys, conflicts))


def edit_after_everyone_read(path: str, user: str, start: Any, results: Any) -> None:
    """Read REQ-1, wait until every worker has read it too, then edit against that version."""
    board = Board(path, user)
    seen = board.get("REQ-1")
    start.wait(timeout=DEADLINE_S)
    try:
        board.edit_requirement("REQ-1", {"owner": user}, expect_version=seen.version)
        outcome: tuple[Any, ...] = ("saved",)
    except Conflict as exc:
        outcome = ("conflict", exc.by, exc.expected, exc.actual, str(exc))
        retry = board.get("REQ-1")
        board.edit_requirement("REQ-1", {"owner": user}, expect_version=retry.version)
    results.put((user, outcome))


def _collect(results: Any, count: int, procs: list[Any]) -> list[Any]:
    out = []
    deadline = time.monotonic() + DEADLINE_S
    while len(out) < count:
        try:
            out.append(results.get(timeout=0.5))
        except Exception:  # queue.Empty: check that nobody died instead of hanging
            dead = [p for p in procs if p.exitcode not in (None, 0)]
            assert not dead, f"worker failed with exit code {dead[0].exitcode}"
            assert time.monotonic() < deadline, "workers did not finish in time"
    for p in procs:
        p.join(timeout=DEADLINE_S)
        assert p.exitcode == 0
    return out


# ---------------------------------------------------------------------------- tests
def test_processes_adding_and_editing_at_once_lose_nothing(board_path: Path) -> None:
    Board(board_path, "setup").add_requirement("Shared counter")
    start, results = SPAWN.Barrier(WORKERS), SPAWN.Queue()
    users = [f"user{n}" for n in range(WORKERS)]
    procs = [SPAWN.Process(target=add_and_count, args=(str(board_path), u, ADDS, start, results))
             for u in users]
    for p in procs:
        p.start()
    # Meanwhile, read the file as any other process would: it is always a whole board.
    reads, deadline = 0, time.monotonic() + DEADLINE_S
    while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
        try:
            data = board_path.read_bytes()
        except FileNotFoundError:
            continue
        parse_board_bytes(board_path, data)
        reads += 1
    outcomes = _collect(results, WORKERS, procs)
    assert reads > 0

    keys = [key for _user, ks, _c in outcomes for key in ks]
    assert len(keys) == len(set(keys)) == WORKERS * ADDS
    assert set(keys) == {f"REQ-{n}" for n in range(2, WORKERS * ADDS + 2)}

    board = Board(board_path, "checker")
    counter = board.get("REQ-1")
    assert counter.effort_estimate == WORKERS * ADDS
    assert sorted(counter.description.splitlines()) == sorted(f"{u}-{i}" for u in users for i in range(ADDS))
    assert counter.version == 1 + WORKERS * ADDS
    titles = {r.key: r.title for r in board.requirements()}
    for user, ks, _conflicts in outcomes:
        assert [titles[k] for k in ks] == [f"{user} #{i}" for i in range(ADDS)]
    assert board.generation == 1 + 2 * WORKERS * ADDS
    assert sorted(c.name for c in board.customers()) == sorted(
        f"{u} customer {i}" for u in users for i in range(ADDS))
    history = board.history("REQ-1")
    bumps = [e for e in history if e.field == "effort_estimate"]
    assert [e.new for e in bumps] == [float(n) for n in range(1, WORKERS * ADDS + 1)]
    assert board.check() == ([], [])


def test_a_stale_edit_from_another_process_is_refused_then_retried(board_path: Path) -> None:
    Board(board_path, "setup").add_requirement("Contested")
    start, results = SPAWN.Barrier(2), SPAWN.Queue()
    procs = [SPAWN.Process(target=edit_after_everyone_read, args=(str(board_path), u, start, results))
             for u in ("ann", "bob")]
    for p in procs:
        p.start()
    outcomes = dict(_collect(results, 2, procs))

    saved = [u for u, o in outcomes.items() if o[0] == "saved"]
    refused = [u for u, o in outcomes.items() if o[0] == "conflict"]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    _, by, expected, actual, message = outcomes[refused[0]]
    assert (by, expected, actual) == (saved[0], 1, 2)
    assert f"{saved[0]} saved version 2" in message
    final = Board(board_path, "checker").get("REQ-1")
    assert (final.owner, final.version, final.updated_by) == (refused[0], 3, refused[0])
    owners = [e.new for e in Board(board_path, "checker").history("REQ-1") if e.field == "owner"]
    assert owners == [saved[0], refused[0]]


def test_cli_processes_adding_at_once_get_distinct_keys(board_path: Path) -> None:
    env = {**os.environ, "REQBOARD_STORE": str(board_path)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "reqboard.cli", "add", f"From process {n}", "--user", f"p{n}"],
                         cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(6)
    ]
    keys = []
    for proc in procs:
        out, err = proc.communicate(timeout=DEADLINE_S)
        assert proc.returncode == 0, err
        keys.append(out.strip())
    assert sorted(keys, key=lambda k: int(k.split("-")[1])) == [f"REQ-{n}" for n in range(1, 7)]
    board = Board(board_path, "checker")
    by_key = {r.key: (r.title, r.created_by) for r in board.requirements()}
    for n, key in enumerate(keys):
        assert by_key[key] == (f"From process {n}", f"p{n}")
    assert board.check() == ([], [])
