"""Real processes on one server board at once (issue #14): eight clients adding, editing and moving lose
nothing and never share a key, stale --expect-version edits are refused with exit 3; clients killed
with SIGKILL in the middle of a write leave nothing half-written; a server restarted between and during
commands is exit 4 in one line while it is down and fine after. The file storage's counterparts are
tests/test_concurrency.py and tests/test_crash.py."""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import Conflict, ServerUnreachable
from reqboard.store.exchange.json_io import dumps, export_json
from reqboard.store.models import State

from board_locations import BoardLocation
from cli_support import assert_one_error_line
from pg_server import PgServer
from test_crash import WRITER
from waiting import wait_until

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SPAWN = mp.get_context("spawn")
WORKERS = 8
ROUNDS_EACH = 5
DEADLINE_S = 120


# ---------------------------------------------------------------------------- worker processes
def add_edit_and_move(url: str, user: str, rounds: int, start: Any, results: Any) -> None:
    """Each round: add a requirement, bump the shared counter REQ-1 (read, --expect-version, retry on a
    conflict), move the new requirement to analysed and edit it. Reports what was acknowledged."""
    board = Board(url, "anyone")  # the login acts, whatever name is given
    keys: list[str] = []
    versions: dict[str, int] = {}
    conflicts = 0
    start.wait(timeout=DEADLINE_S)
    for i in range(rounds):
        key = board.add_requirement(f"{user} #{i}", customer=f"{user} customer {i}").key
        keys.append(key)
        while True:
            current = board.get("REQ-1")
            try:
                board.edit_requirement(
                    "REQ-1", {"effort_estimate": (current.effort_estimate or 0) + 1,
                              "description": current.description + f"{user}-{i}\n"},
                    expect_version=current.version)
                break
            except Conflict as exc:
                assert exc.exit_code == 3 and exc.expected == current.version and exc.actual > current.version
                conflicts += 1
        board.move_requirement(key, State.ANALYSED, updates={"importance": 1 + i % 5, "urgency": 3,
                                                             "kano": "performance"})
        versions[key] = board.edit_requirement(key, {"description": f"by {user}"}).version
    board.storage.close()
    results.put((user, board.user, keys, versions, conflicts))


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


def reqboard(*argv: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "reqboard.cli", *argv], cwd=REPO, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# ---------------------------------------------------------------------------- eight at once
def test_eight_processes_adding_editing_and_moving_at_once_lose_nothing(server_location: BoardLocation) -> None:
    server_location.board("lead").add_requirement("Shared counter")
    users = [f"worker{n}" for n in range(WORKERS)]
    urls = [server_location.at(user) for user in users]
    start, results = SPAWN.Barrier(WORKERS), SPAWN.Queue()
    procs = [SPAWN.Process(target=add_edit_and_move, args=(url, user, ROUNDS_EACH, start, results))
             for url, user in zip(urls, users, strict=True)]
    for p in procs:
        p.start()
    outcomes = _collect(results, WORKERS, procs)

    keys = [key for _user, _login, ks, _v, _c in outcomes for key in ks]
    assert len(keys) == len(set(keys)) == WORKERS * ROUNDS_EACH
    assert set(keys) == {f"REQ-{n}" for n in range(2, WORKERS * ROUNDS_EACH + 2)}
    board = server_location.board("checker")
    by_key = {r.key: r for r in board.requirements()}
    for user, login, ks, versions, _conflicts in outcomes:
        assert login == user
        for i, key in enumerate(ks):
            req = by_key[key]
            assert (req.title, req.state, req.importance, req.description) == (
                f"{user} #{i}", State.ANALYSED, 1 + i % 5, f"by {user}")
            assert (req.version, req.created_by, req.updated_by) == (versions[key], user, user) == (3, user, user)
    counter = by_key["REQ-1"]
    assert counter.effort_estimate == WORKERS * ROUNDS_EACH
    assert sorted(counter.description.splitlines()) == sorted(f"{u}-{i}" for u in users for i in range(ROUNDS_EACH))
    assert counter.version == 1 + WORKERS * ROUNDS_EACH
    bumps = [e for e in board.history("REQ-1") if e.field == "effort_estimate"]
    assert [e.new for e in bumps] == [float(n) for n in range(1, WORKERS * ROUNDS_EACH + 1)]
    assert sorted(e.by for e in bumps) == sorted(u for u in users for _ in range(ROUNDS_EACH))
    # Every change is one commit: the lead's, then four a round for each worker.
    assert board.generation == 1 + 4 * WORKERS * ROUNDS_EACH
    assert sorted(c.name for c in board.customers()) == sorted(
        f"{u} customer {i}" for u in users for i in range(ROUNDS_EACH))
    server_location.assert_clean(board)
    # The server's own record of who wrote each event agrees with the events.
    assert server_location.sql("SELECT count(*) FROM reqboard.events WHERE committed_by <> event->>'by'") == [(0,)]


def test_stale_expect_version_edits_from_eight_processes_are_refused_with_exit_3(
        server_location: BoardLocation) -> None:
    server_location.board("lead").add_requirement("Contested")
    users = [f"editor{n}" for n in range(WORKERS)]
    procs = [reqboard("edit", "REQ-1", "--owner", user, "--expect-version", "1", env=server_location.env(user))
             for user in users]
    outcomes = {user: (proc.wait(timeout=DEADLINE_S), *proc.communicate()) for user, proc in zip(users, procs, strict=True)}
    saved = [user for user, (code, _out, _err) in outcomes.items() if code == 0]
    assert len(saved) == 1, outcomes
    [winner] = saved
    for user, (code, out, err) in outcomes.items():
        if user == winner:
            assert (out, err) == ("REQ-1 is now version 2\n", "")
            continue
        assert code == 3 and out == "", (user, code, err)
        assert_one_error_line(err)
        assert err.startswith(f"error: REQ-1 changed since version 1: {winner} saved version 2 at "), err
    final = server_location.board("checker").get("REQ-1")
    assert (final.owner, final.version, final.updated_by) == (winner, 2, winner)


# ---------------------------------------------------------------------------- kill -9
# WRITER (test_crash's): commits in a loop, one line per acknowledged commit, until killed.

# Holds one transaction open with a change staged, says so, and waits to be killed.
HOLDER = r"""
import sys
from reqboard.store.board import Board

board = Board(sys.argv[1], "holder")
with board.transaction() as tx:
    req = tx.requirement("REQ-1")
    tx.put_requirement(tx.revise(req, title="Half-written"), new=False)
    tx.record_event("REQ-1", "edited", field="title", old=req.title, new="Half-written")
    key = tx.next_key()
    print("inside", key, flush=True)
    sys.stdin.readline()
"""

# A transaction that has written (or locked the board's row for a change) has a transaction id; a read has none.
IN_TRANSACTION = """SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND usename = %s
                    AND backend_type = 'client backend' AND backend_xid IS NOT NULL"""


def in_transaction(where: BoardLocation, login: str) -> bool:
    """Is `login` inside a change (a writing transaction) on the board's database right now?"""
    return where.sql(IN_TRANSACTION, [where.database, login])[0][0] > 0


def kill_writer(where: BoardLocation, tag: str, acks_wanted: int, inside: bool) -> list[list[str]]:
    """Start a writer, read `acks_wanted` acknowledgements, then SIGKILL it: at once, or (`inside`) as
    soon as the server shows it inside a transaction (polled, with a deadline)."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, where.at("writer"), tag], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    acks: list[list[str]] = []
    deadline = time.monotonic() + DEADLINE_S
    try:
        assert proc.stdout is not None
        while len(acks) < acks_wanted:
            line = proc.stdout.readline()
            if not line:
                pytest.fail(f"writer stopped early: {proc.wait()} {proc.stderr.read() if proc.stderr else ''}")
            acks.append(line.split())
            assert time.monotonic() < deadline, "writer too slow"
        if inside:
            wait_until(lambda: in_transaction(where, "writer"), "the writer to be inside a transaction",
                       timeout=max(deadline - time.monotonic(), 0.0), poll=0)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=DEADLINE_S)
        rest, _ = proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    acks.extend(line.split() for line in rest.splitlines() if line.strip())  # printed after our last read
    return acks


def history_matches_records(board: Board) -> None:
    """Every requirement's history, replayed, gives its stored title and state; every event names a
    requirement that exists; no key was created twice."""
    requirements = {r.uid: r for r in board.requirements()}
    events = board.history()
    created = [e.key for e in events if e.action == "created"]
    assert len(created) == len(set(created)) == len(requirements)
    for uid, req in requirements.items():
        mine = [e for e in events if e.uid == uid]
        title = next(e.new for e in mine if e.action == "created")
        for e in mine:
            if e.field == "title" and e.action != "created":
                title = e.new
        moves = [e.new for e in mine if e.action == "moved"]
        assert (title, moves[-1] if moves else "collected") == (req.title, req.state.value), req.key
    assert {e.uid for e in events if e.key != "board"} <= set(requirements)


def test_kill_9_of_writers_mid_commit_leaves_nothing_half_written(server_location: BoardLocation) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    seed_note = f"random seed {seed}"  # shown on failure, to replay the ack counts
    added: dict[str, str] = {}
    lines: dict[str, list[str]] = {}
    rejected: set[str] = set()
    for round_no in range(6):
        acks = kill_writer(server_location, f"r{round_no}", rng.randint(2, 25), inside=round_no % 2 == 1)
        for ack in acks:
            if ack[0] == "add":
                assert ack[1] not in added, f"{ack[1]} handed out twice ({seed_note})"
                added[ack[1]] = ack[2]
            elif ack[0] == "edit":
                lines.setdefault(ack[1], []).append(ack[2])
            else:
                rejected.add(ack[1])
        # The server rolled the killed client's transaction back: nobody holds the board.
        wait_until(lambda: not in_transaction(server_location, "writer"), "the killed writer's transaction to end",
                   timeout=30)
        board = server_location.board("checker")
        found = {r.key: r for r in board.requirements()}
        for key, title in added.items():
            assert key in found and found[key].title == title, f"acknowledged {key} lost ({seed_note})"
        for key, written in lines.items():
            assert found[key].description.splitlines()[: len(written)] == written
        for key in rejected:
            assert found[key].state is State.REJECTED
        # Anything beyond what was acknowledged is the one commit in flight: whole or absent.
        assert len(found) - len(added) in (0, 1)
        history_matches_records(board)
        server_location.assert_clean(board)
    # The next writer commits at once, and no key is handed out twice.
    board = server_location.board("checker")
    started = time.monotonic()
    key = board.add_requirement("after the kills").key
    assert time.monotonic() - started < 5
    assert key not in added and int(key.split("-")[1]) > max(int(k.split("-")[1]) for k in added)


def test_a_client_killed_inside_a_long_transaction_leaves_nothing_and_no_lock(server_location: BoardLocation) -> None:
    server_location.board("lead").add_requirement("Kept as it is")
    before = server_location.state()
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, server_location.at("holder")], cwd=REPO,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split() == ["inside", "REQ-2"], proc.stderr.read() if proc.stderr else ""
        assert in_transaction(server_location, "holder")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=DEADLINE_S)
        proc.communicate()
    wait_until(lambda: not in_transaction(server_location, "holder"), "the killed client's transaction to end",
               timeout=30)
    assert server_location.state() == before
    board = server_location.board("lead")
    started = time.monotonic()
    assert board.add_requirement("Next").key == "REQ-2"  # the key the killed client had reserved was never given
    assert time.monotonic() - started < 5  # no lock left behind to wait out
    assert board.get("REQ-1").title == "Kept as it is"
    history_matches_records(board)


def big_import(tmp_path: Path, count: int) -> Path:
    """An export of `count` requirements, to import in one transaction."""
    source = Board(tmp_path / "big-source.json", "sam")
    with source.transaction() as tx:
        for n in range(1, count + 1):
            key = tx.next_key()
            tx.put_requirement({"key": key, "uid": f"{n:032x}", "title": f"Imported {n}", "state": "collected",
                                "version": 1, "customer": "ACME", "created_by": "sam",
                                "created_at": tx.now.isoformat(), "updated_by": "sam",
                                "updated_at": tx.now.isoformat()}, new=True)
            tx.record_event(key, "created", field="title", new=f"Imported {n}")
    path = tmp_path / "big.json"
    path.write_bytes(dumps(export_json(source)))
    return path


def test_a_big_import_killed_mid_transaction_leaves_nothing(server_location: BoardLocation, tmp_path: Path) -> None:
    server_location.board("lead").add_requirement("Already here")
    before = server_location.state()
    big = big_import(tmp_path, 3000)
    proc = reqboard("import", str(big), "--rekey", env=server_location.env("importer"))
    try:
        wait_until(lambda: in_transaction(server_location, "importer") or proc.poll() is not None,
                   "the import to be inside its transaction", timeout=DEADLINE_S, poll=0)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=DEADLINE_S)
    assert proc.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    wait_until(lambda: not in_transaction(server_location, "importer"), "the killed import's transaction to end",
               timeout=30)
    assert server_location.state() == before
    # Imported again to the end, it is all there, history and all.
    done = reqboard("import", str(big), "--rekey", env=server_location.env("importer"))
    out, err = done.communicate(timeout=DEADLINE_S)
    assert done.returncode == 0, err
    assert out.startswith("added 3000 requirement(s)")
    board = server_location.board("checker")
    assert len(board.requirements()) == 3001
    server_location.assert_clean(board)


# ---------------------------------------------------------------------------- the server restarted
def down_message(where: BoardLocation, err: str) -> None:
    """The one line a command prints while the server is down, naming where it is."""
    assert_one_error_line(err)
    assert where.server is not None
    assert f"the socket in {where.server.socket_dir} (port {where.server.port})" in err, err


def test_a_server_restarted_between_commands(server_location: BoardLocation, pg_server: PgServer,
                                             reqboard_process: Any) -> None:
    env = server_location.env("ann")
    assert reqboard_process("add", "Before", env=env).stdout == "REQ-1\n"
    pg_server.stop()
    try:
        for argv in (["list"], ["add", "While down"], ["show", "REQ-1"], ["history", "REQ-1"]):
            proc = reqboard_process(*argv, env=env)
            assert (proc.returncode, proc.stdout) == (4, ""), (argv, proc.stderr)
            down_message(server_location, proc.stderr)
        with pytest.raises(ServerUnreachable) as caught:
            Board(server_location.at("ann"), "ann")
        assert caught.value.exit_code == 4
    finally:
        pg_server.start()
    assert reqboard_process("add", "After", env=env).stdout == "REQ-2\n"
    board = server_location.board("ann")
    assert [r.title for r in board.requirements()] == ["Before", "After"]
    history_matches_records(board)


def test_an_open_board_writes_again_once_the_server_is_back(server_location: BoardLocation,
                                                           pg_server: PgServer) -> None:
    """A board kept open (the TUI's, a script's) across a restart: refused while the server is down,
    saving again as soon as it is back."""
    held = server_location.board("ann")
    held.add_requirement("Before")
    assert [c.title for c in held.cards()] == ["Before"]
    pg_server.stop()
    try:
        with pytest.raises(ServerUnreachable):
            held.add_requirement("While down")
    finally:
        pg_server.start()
    assert held.add_requirement("After").key == "REQ-2"
    assert [r.title for r in held.requirements()] == ["Before", "After"]
    assert [c.title for c in held.cards()] == ["Before", "After"]


# A command run as a process of its own, psycopg's pool logging what it logs when its connections break
# (here on purpose, as the board is opened: its timing in a real restart is the server's).
LOGGING_COMMAND = r"""
import logging, sys
from reqboard.cli.main import main
from reqboard.store.board import Board

real_open = Board.__init__

def logging_open(self, *args, **kwargs):
    real_open(self, *args, **kwargs)
    logging.getLogger("psycopg.pool").warning("discarding closed connection: <psycopg.Connection [BAD]>")

Board.__init__ = logging_open
sys.exit(main(sys.argv[1:]))
"""


def test_a_library_warning_during_a_command_never_reaches_stderr(server_location: BoardLocation) -> None:
    """psycopg_pool logs a warning for each connection a server restart broke: a command's stderr stays
    its one error line (or nothing), never the library's log. (A process of its own: under pytest the
    root logger has handlers, and Python's last-resort handler, which writes to stderr, never acts.)"""
    env = {**os.environ, **server_location.env("ann")}
    proc = subprocess.run([sys.executable, "-c", LOGGING_COMMAND, "add", "Export"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=DEADLINE_S)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "REQ-1\n", "")


def test_a_server_stopped_during_a_command_is_exit_4_and_saves_nothing_of_it(
        server_location: BoardLocation, pg_server: PgServer, tmp_path: Path) -> None:
    server_location.board("lead").add_requirement("Already here")
    before = server_location.state()
    big = big_import(tmp_path, 3000)
    proc = reqboard("import", str(big), "--rekey", env=server_location.env("importer"))
    try:
        wait_until(lambda: in_transaction(server_location, "importer") or proc.poll() is not None,
                   "the import to be inside its transaction", timeout=DEADLINE_S, poll=0)
        pg_server.stop()
        out, err = proc.communicate(timeout=DEADLINE_S)
    finally:
        if proc.poll() is None:
            proc.kill()
        pg_server.start()
    assert (proc.returncode, out) == (4, ""), err
    assert_one_error_line(err)
    assert "lost the connection" in err and "nothing" in err, err
    assert server_location.state() == before
    again = reqboard("import", str(big), "--rekey", env=server_location.env("importer"))
    out, err = again.communicate(timeout=DEADLINE_S)
    assert again.returncode == 0 and out.startswith("added 3000 requirement(s)"), err
    assert len(server_location.board("checker").requirements()) == 3001
