"""Sync between real processes: a sync while other processes keep editing both boards loses no
acknowledged edit, and `kill -9` of a sync at any moment (before and after every write it makes to
the disk, between the two boards' commits among them) leaves both boards checking clean, with the
next sync finishing the job."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.sync import clone_board, sync_boards

from waiting import wait_until

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
DEADLINE_S = 60

# Edits its own requirements (by uid: their keys never change, both boards knew them before) and adds
# new ones, printing one line per acknowledged change, flushed, until the stop file appears:
#   add UID TITLE | edit UID LINE
WRITER = r"""
import os, sys
from reqboard.store.board import Board
from reqboard.store.errors import Conflict

path, tag, stop, uids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
board = Board(path, tag)
i = 0
while not os.path.exists(stop):
    i += 1
    if i % 4 == 0:
        req = board.add_requirement(f"{tag} idea {i}", customer="ACME")
        print("add", req.uid, req.title, flush=True)
        continue
    uid = uids[i % len(uids)]
    key = next(r["key"] for r in board.snapshot().requirements.values() if r["uid"] == uid)
    current = board.get(key)
    line = f"{tag}-{i}"
    try:
        board.edit_requirement(key, {"description": current.description + line + "\n"},
                               expect_version=current.version)
    except Conflict:  # a sync (or nobody: there is no one else) saved it meanwhile: not acknowledged
        continue
    print("edit", uid, line, flush=True)
"""

# `reqboard ARGV` with every fsync, replace and link of the process counted (on stderr: "call N what
# path"); at call STOP it prints "stopped" and waits, BEFORE or AFTER the call, to be killed.
STOPPING = r"""
import os, sys, time

stop, when, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
real = {name: getattr(os, name) for name in ("fsync", "replace", "link")}
calls = 0


def counted(name):
    def call(*args, **kwargs):
        global calls
        calls += 1
        what = os.readlink(f"/proc/self/fd/{args[0]}") if name == "fsync" else str(args[1])
        print(f"call {calls} {name} {what}", file=sys.stderr, flush=True)
        if calls == stop and when == "before":
            print("stopped", flush=True)
            time.sleep(600)
        result = real[name](*args, **kwargs)
        if calls == stop and when == "after":
            print("stopped", flush=True)
            time.sleep(600)
        return result
    return call


for name in real:
    setattr(os, name, counted(name))
from reqboard.cli.main import main
sys.exit(main(argv))
"""


def reqboard(*argv: str, timeout: float = DEADLINE_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reqboard.cli", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=os.environ.copy())


def assert_clean(proc: subprocess.CompletedProcess[str], *codes: int) -> None:
    """Exit code one of `codes` (0 first), no traceback, and on failure one `error:` line."""
    assert proc.returncode in codes, (proc.args, proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode:
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1, proc.stderr


def records(path: Path) -> dict[str, dict[str, Any]]:
    """The board's stored requirement records by uid."""
    return {str(r["uid"]): dict(r) for r in Board(path, "reader").snapshot().requirements.values()}


def event_ids(path: Path) -> list[str]:
    return [e["id"] for e in Board(path, "reader").storage.history() if e.get("key") != "board"]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def check(path: Path) -> None:
    proc = reqboard("--store", str(path), "check")
    assert proc.returncode == 0 and "ok (" in proc.stdout, (proc.stdout, proc.stderr)


def assert_synced(team: Path, off: Path) -> None:
    """Both boards hold the same records and history events, check clean, and a further sync from either
    side is a no-op that changes no byte."""
    assert records(team) == records(off)
    ids_team, ids_off = event_ids(team), event_ids(off)
    assert len(ids_team) == len(set(ids_team)) and len(ids_off) == len(set(ids_off)), "an event twice"
    assert set(ids_team) == set(ids_off)
    keys = [r["key"] for r in records(team).values()]
    assert len(keys) == len(set(keys))
    for path in (team, off):
        assert Board(path, "checker").check()[0] == []
    before = files(team.parent)
    for ours, theirs in ((off, team), (team, off)):
        plan = sync_boards(Board(ours, "checker"), Board(theirs, "checker"))
        assert plan.changes_nothing and not plan.written, plan.as_json()
    assert files(team.parent) == before


def pair(folder: Path) -> tuple[Path, Path]:
    """team.json with six requirements, cloned into offline.json, and work on both sides since: an edit
    each, a requirement added on each (one key for two, until the sync), a change request each."""
    folder.mkdir()
    team_path, off_path = folder / "team.json", folder / "offline.json"
    team = Board(team_path, "ann")
    for title in ("Export to PDF", "Login with SSO", "Dark mode", "Audit log", "CSV import", "Search"):
        team.add_requirement(title, customer="ACME")
    off = Board(off_path, "con")
    clone_board(team, off)
    team.edit_requirement("REQ-1", {"owner": "bob", "tags": ("export",)})
    off.edit_requirement("REQ-1", {"importance": 4, "tags": ("pdf",)})
    team.add_requirement("Team's idea", customer="ACME", depends_on=("REQ-2",))
    off.add_requirement("Offline idea", customer="Globex", depends_on=("REQ-3",))
    team.add_change_request("REQ-2", "Also SAML")
    off.add_change_request("REQ-3", "Also high contrast")
    return team_path, off_path


# ============================================================================ a sync while others edit
def test_syncs_while_other_processes_edit_both_boards_lose_no_acknowledged_edit(tmp_path: Path) -> None:
    team, off = pair(tmp_path / "work")
    uids = {uid: r["key"] for uid, r in records(team).items()}
    mine = {"team": [u for u, k in uids.items() if k in ("REQ-1", "REQ-2", "REQ-3")],
            "off": [u for u, k in uids.items() if k in ("REQ-4", "REQ-5", "REQ-6")]}
    stop = tmp_path / "stop"
    journals = [Path(f"{path}.history.jsonl") for path in (team, off)]
    sizes = [j.stat().st_size for j in journals]
    writers = {name: subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(stop), *mine[name]],
                                      cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name, path in (("team", team), ("off", off))}
    outcomes = []
    try:
        wait_until(lambda: all(j.stat().st_size > n for j, n in zip(journals, sizes, strict=True)),
                   "both writers to commit", timeout=DEADLINE_S)
        for round_no in range(6):
            ours, theirs = (off, team) if round_no % 2 == 0 else (team, off)
            proc = reqboard("--store", str(ours), "sync", str(theirs))
            assert_clean(proc, 0, 3, 4)  # done, refused, or the lock held too long: never a traceback
            outcomes.append(proc.returncode)
    finally:
        stop.touch()
        done = {name: w.communicate(timeout=DEADLINE_S) for name, w in writers.items()}
    for name, writer in writers.items():
        assert writer.returncode == 0, done[name][1]
    assert 0 in outcomes, outcomes

    acks = {name: [line.split(" ", 2) for line in out.splitlines()] for name, (out, _err) in done.items()}
    assert all(len(a) > 5 for a in acks.values()), acks  # both wrote throughout

    def holds(path: Path, name: str) -> None:
        found = records(path)
        for action, uid, text in acks[name]:
            assert uid in found, f"{name}'s acknowledged {action} of {uid} is not on {path.name}"
            if action == "add":
                assert found[uid]["title"] == text
            else:
                assert found[uid]["description"].splitlines().count(text) == 1, (text, found[uid]["description"])

    holds(team, "team")
    holds(off, "off")
    final = reqboard("--store", str(off), "sync", str(team))
    assert_clean(final, 0)
    for name in ("team", "off"):
        holds(team, name)
        holds(off, name)
    assert_synced(team, off)


def test_two_syncs_the_opposite_ways_at_once_neither_deadlocks_nor_doubles_anything(tmp_path: Path) -> None:
    """Both boards are locked in one order whichever is ours: two syncs started together both finish
    (the second finds little or nothing left to do), well inside the lock's patience."""
    team, off = pair(tmp_path / "work")
    for round_no in range(3):
        Board(team, "ann").add_requirement(f"Team's round {round_no}")
        Board(off, "con").add_requirement(f"Offline round {round_no}")
        Board(off, "con").edit_requirement("REQ-5", {"owner": f"con{round_no}"})
        syncs = [subprocess.Popen([sys.executable, "-m", "reqboard.cli", "--store", str(ours), "sync", str(theirs)],
                                  cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for ours, theirs in ((off, team), (team, off))]
        for proc in syncs:
            out, err = proc.communicate(timeout=DEADLINE_S)
            assert (proc.returncode, err) == (0, ""), (out, err)
        assert_synced(team, off)
    titles = sorted(r["title"] for r in records(team).values())
    assert len(titles) == 8 + 6 and len(set(titles)) == len(titles), titles


# ============================================================================ kill -9 of a sync
def stopped_sync(folder: Path, stop: int, when: str) -> tuple[list[str], bool]:
    """Run `reqboard --store offline.json sync team.json` in `folder` counting its disk calls; kill -9
    it at call `stop` (`when`: before or after it). Returns the calls made, and whether it was
    killed (False: it finished first)."""
    proc = subprocess.Popen([sys.executable, "-c", STOPPING, str(stop), when, "--store", str(folder / "offline.json"),
                             "sync", str(folder / "team.json")], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    killed = False
    try:
        for line in proc.stdout:
            if line == "stopped\n":
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
    finally:
        if proc.poll() is None and not killed:
            proc.kill()
        _out, err = proc.communicate(timeout=DEADLINE_S)
    if killed:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 0, err
    return [line for line in err.splitlines() if line.startswith("call ")], killed


def content(recs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records without the stamps of who last saved them and when (a sync run again stamps anew)."""
    return {uid: {k: v for k, v in r.items() if k not in ("updated_at", "updated_by")} for uid, r in recs.items()}


def finish_and_compare(folder: Path, expected: dict[str, dict[str, Any]], note: str) -> None:
    """After a killed sync: both boards check clean and hold everything they held before (either as it
    was or as the sync left it); the next sync completes, and the boards end as an uninterrupted sync
    leaves them (stamps of who synced when aside)."""
    team, off = folder / "team.json", folder / "offline.json"
    for path in (team, off):
        check(path)
    proc = reqboard("--store", str(off), "sync", str(team))
    assert_clean(proc, 0)
    assert_synced(team, off)

    assert content(records(team)) == content(expected), note
    history = Board(off, "reader").history(next(r["key"] for r in records(off).values() if r["title"] == "Offline idea"))
    assert [e.action for e in history][:1] == ["created"], note
    assert [e.action for e in history].count("renumbered") == 1, note


def test_kill_9_of_a_sync_before_and_after_each_write_and_between_the_commits(tmp_path: Path) -> None:
    template = tmp_path / "template"
    pair(template)
    reference = tmp_path / "reference"
    shutil.copytree(template, reference)
    calls, killed = stopped_sync(reference, 0, "never")
    assert not killed
    expected = records(reference / "team.json")
    assert_synced(reference / "team.json", reference / "offline.json")
    # Each board's commit: its journal, a backup, the new file, the folder: the team's first (inner lock).
    # Then the team's board learns that both commits are done: a third commit, of its meta record only.
    assert [c.split()[2] for c in calls] == \
        ["fsync", "link", "replace", "fsync", "replace", "fsync"] * 2 + ["link", "replace", "fsync", "replace", "fsync"], calls
    assert calls[4].endswith("/team.json") and calls[10].endswith("/offline.json"), calls
    assert calls[15].endswith("/team.json"), calls
    moments = [(n, "before") for n in range(1, len(calls) + 1)]
    moments += [(n, "after") for n, call in enumerate(calls, 1) if call.split()[3] == str(reference)]
    # between the commits, after both, after the third
    assert moments[-3:] == [(6, "after"), (12, "after"), (17, "after")]

    for n, when in moments:
        folder = tmp_path / "round"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(template, folder)
        made, killed = stopped_sync(folder, n, when)
        assert killed, f"the sync ended before call {n}"
        note = f"killed {when} {made[-1]}"
        team_committed = n > 5 or (n, when) == (5, "after")
        assert (content(records(folder / "team.json")) == content(expected)) is team_committed, note
        assert records(folder / "offline.json") == records(template / "offline.json") or n > 11, note
        finish_and_compare(folder, expected, note)


def test_kill_9_of_a_sync_at_moments_it_reaches_by_itself(tmp_path: Path) -> None:
    """The plain command, killed when its commits are seen on the disk (polled without a pause) or after
    a random delay: the same promises hold."""
    template = tmp_path / "template"
    pair(template)
    reference = tmp_path / "reference"
    shutil.copytree(template, reference)
    assert_clean(reqboard("--store", str(reference / "offline.json"), "sync", str(reference / "team.json")), 0)
    expected = records(reference / "team.json")
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)

    def grew(path: Path) -> Callable[[], bool]:
        size = path.stat().st_size
        return lambda: path.stat().st_size > size

    def replaced(path: Path) -> Callable[[], bool]:
        inode = path.stat().st_ino
        return lambda: path.stat().st_ino != inode

    for moment in ("team journal", "team replaced", "offline journal", "delay", "delay"):
        folder = tmp_path / "round"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(template, folder)
        team, off = folder / "team.json", folder / "offline.json"
        reached = {"team journal": grew(Path(f"{team}.history.jsonl")), "team replaced": replaced(team),
                   "offline journal": grew(Path(f"{off}.history.jsonl"))}.get(moment)
        proc = subprocess.Popen([sys.executable, "-m", "reqboard.cli", "--store", str(off), "sync", str(team)],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            kill_when(proc, reached, moment, rng.uniform(0.2, 1.2))
        finally:
            proc.communicate(timeout=DEADLINE_S)
        finish_and_compare(folder, expected, f"{moment} (random seed {seed})")


def kill_when(proc: subprocess.Popen[bytes], reached: Callable[[], bool] | None, moment: str, delay: float) -> None:
    """kill -9 the sync once `reached()` (polled without a pause: the moment lasts milliseconds), or
    after `delay` seconds when there is no moment to wait for; unless it ended first."""
    if reached is not None:
        wait_until(lambda: reached() or proc.poll() is not None, f"the sync to reach '{moment}'",
                   timeout=DEADLINE_S, poll=0)
    else:
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
