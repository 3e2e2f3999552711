"""The multi-process hammer: 8 processes mixing add, edit, move, approve and change requests on one
board through the real CLI for a bounded time, each logging what reqboard acknowledged (exit 0 and the
record it printed with --json). Afterwards nothing acknowledged may be missing or silently overwritten:

- `reqboard check` passes;
- every acknowledged add exists, under a key nobody else was given, with one "created" event;
- every acknowledged field value is there unless a later acknowledged change to that field (a higher
  version of the record) superseded it, and no two different records were acknowledged as one version;
- every acknowledged change request exists and has reached at least the status acknowledged, and the
  requirement carries the text of the change request approved last.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board

from fuzz_support import Outcome, contract_breaches

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
WORKERS = 8
SHARED = 4  # requirements every worker fights over
HAMMER_S = 3.0  # how long the workers keep going once started (each of the two runs)
DELETERS = 2  # workers that delete the lock file before each of their commands, in that variant
MIN_OPS = 12  # per worker, however slow the machine: the checks below always have something to check
MAX_OPS = 80  # per worker, so a fast machine is bounded too
DEADLINE_S = 90

# One worker: argv = board, worker number, seed, log file. Runs the CLI in-process (what the `reqboard`
# entry point runs) in a loop and logs every outcome as a JSON line. It says "ready" once imported and
# starts when it reads how long to run: all workers start together, however slow their start-up.
WORKER = r"""
import functools, json, os, random, sys, time
from reqboard.cli import main as cli_main
from fuzz_support import run_cli
import reqboard.store.board, reqboard.store.exchange.json_io  # what the first command would import, before the start

# The parser is built once: building it is most of a command's time, and the board is under test here.
cli_main.build_parser = functools.lru_cache(maxsize=1)(cli_main.build_parser)

board, me, seed, log_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
deletes_lock = sys.argv[5] == "yes"
print("ready", flush=True)
stop = time.monotonic() + float(sys.stdin.readline())
rng = random.Random(seed * 100 + me)
keys = [f"REQ-{n}" for n in range(1, SHARED + 1)]
crs = ["CR-1"]
log = open(log_path, "w", buffering=1)

def cli(*argv):
    outcome = run_cli(*argv, "--store", board, "--user", f"w{me}", "--json")
    log.write(json.dumps({"argv": list(argv), "code": outcome.code, "out": outcome.out, "err": outcome.err}) + "\n")
    return outcome

def json_of(outcome):
    return json.loads(outcome.out) if outcome.code == 0 else None

for i in range(MAX_OPS):
    if i >= MIN_OPS and time.monotonic() > stop:
        break
    if deletes_lock:  # "locked by another process"? someone deletes the lock file, before every command
        try:
            os.unlink(board + ".lock")
        except FileNotFoundError:
            pass
    key, tag = rng.choice(keys), f"w{me}-{i}"
    op = "add" if i == 0 else rng.choices(["add", "title", "owner", "analysis", "stale", "move", "approve", "cr add", "cr assess",
                      "cr approve"], [12, 12, 8, 10, 10, 16, 8, 8, 8, 8])[0]
    if op == "add":
        added = json_of(cli("add", f"title {tag}", "--customer", f"customer {me}"))
        if added:
            keys.append(added["key"])
    elif op == "title":
        cli("edit", key, "--title", f"title {tag}")
    elif op == "owner":
        cli("edit", key, "--owner", f"owner {tag}")
    elif op == "analysis":
        # The category is new every time, so that every acknowledged command is exactly one commit.
        cli("edit", key, "--importance", str(rng.randint(1, 5)), "--urgency", str(rng.randint(1, 5)),
            "--kano", "performance", "--customer", f"customer {me}", "--category", f"category {tag}")
    elif op == "stale":  # read, then edit against that version: a conflict when someone got in between
        seen = json_of(cli("show", key))
        if seen:
            cli("edit", key, "--owner", f"owner {tag}", "--expect-version", str(seen["version"]))
    elif op == "move":
        seen = json_of(cli("show", key))
        state = seen["state"] if seen else None
        if state == "collected":
            cli("move", key, "analysed")
        elif state == "approved":
            cli("move", key, "in_progress", "--owner", f"owner {tag}")
        elif state == "in_progress":
            cli("move", key, "done")
    elif op == "approve":
        cli("approve", key, "--comment", f"approved {tag}")
    elif op == "cr add":
        filed = json_of(cli("cr", "add", key, f"change {tag}", "--new-description", f"description {tag}"))
        if filed:
            crs.append(filed["key"])
    elif op == "cr assess":
        cli("cr", "assess", rng.choice(crs), "--schedule-days", "1", "--cost", "10", "--effort-hours", "2")
    else:
        cli("cr", "approve", rng.choice(crs), "--rationale", f"approved {tag}")
log.close()
""".replace("SHARED", str(SHARED)).replace("MIN_OPS", str(MIN_OPS)).replace("MAX_OPS", str(MAX_OPS))

CR_RANK = {"submitted": 0, "assessed": 1, "approved": 2, "rejected": 2, "implemented": 3, "closed": 4}
# The requirement fields an acknowledged command sets, by the option that sets them.
FIELD_OPTIONS = {"--title": "title", "--owner": "owner", "--importance": "importance", "--urgency": "urgency"}


def reqboard_command() -> list[str]:
    """The installed `reqboard` entry point next to this interpreter, else the module."""
    entry = Path(sys.executable).with_name("reqboard")
    return [str(entry)] if entry.exists() else [sys.executable, "-m", "reqboard.cli"]


def seed_board(path: Path) -> int:
    """The shared requirements, one ready to be approved, and CR-1 on the first; returns the generation."""
    board = Board(path, "seed")
    for n in range(1, SHARED + 1):
        board.add_requirement(f"shared {n}", customer="ACME")
    board.edit_requirement("REQ-2", {"importance": 3, "urgency": 3, "kano": "performance"})
    board.move_requirement("REQ-2", "analysed")
    board.add_change_request("REQ-1", "first change", new_description="description from CR-1")
    return board.generation


def run_hammer(path: Path, seed: int, logs: Path, *, lock_deleter: bool) -> list[Outcome]:
    """Start the workers together, wait for them all, and return every outcome they logged.

    With `lock_deleter`, the first DELETERS workers delete the lock file before each of their commands,
    as people do after "locked by another process": the board must still lose nothing it acknowledged.
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO)])}
    procs = []
    for me in range(WORKERS):
        log = logs / f"worker-{me}.jsonl"
        procs.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path), str(me), str(seed), str(log),
             "yes" if lock_deleter and me < DELETERS else "no"],
            cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True))
    failures = []
    try:
        for proc in procs:
            assert proc.stdout is not None
            ready = proc.stdout.readline()
            assert ready == "ready\n", f"a worker did not start: {ready}{proc.stdout.read()}"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(f"{HAMMER_S}\n")
            proc.stdin.flush()
        for me, proc in enumerate(procs):
            out, _ = proc.communicate(timeout=DEADLINE_S)
            if proc.returncode != 0:
                failures.append(f"worker {me} exited {proc.returncode}: {out[-2000:]}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not failures, "\n".join(failures)
    outcomes = []
    for me in range(WORKERS):
        for line in (logs / f"worker-{me}.jsonl").read_text().splitlines():
            entry = json.loads(line)
            outcomes.append(Outcome(tuple(entry["argv"]), entry["code"], entry["out"], entry["err"]))
    return outcomes


@pytest.mark.parametrize("lock_deleter", [False, True], ids=["lock-kept", "lock-deleted-now-and-then"])
def test_eight_processes_hammering_one_board_lose_nothing_acknowledged(tmp_path: Path, lock_deleter: bool) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    note = f"(random seed {seed}; worker logs in {tmp_path / 'logs'})"
    path = tmp_path / "board.json"
    seeded = seed_board(path)
    logs = tmp_path / "logs"
    logs.mkdir()
    outcomes = run_hammer(path, seed, logs, lock_deleter=lock_deleter)

    # Every outcome keeps the contract; under contention that means done, refused or conflict.
    broken = [f"{problem}: {o}" for o in outcomes for problem in contract_breaches(o)]
    broken += [f"exit {o.code} under contention: {o}" for o in outcomes if o.code not in (0, 1, 3)]
    assert not broken, "\n".join(broken[:10]) + f"\n{note}"
    acks = [(o.argv, json.loads(o.out)) for o in outcomes if o.code == 0 and o.argv[0] != "show"]
    assert sum(argv[0] == "add" for argv, _record in acks) >= WORKERS, f"a worker's first add failed {note}"

    check = subprocess.run([*reqboard_command(), "check", "--store", str(path)], check=False, cwd=REPO,
                           capture_output=True, text=True, timeout=DEADLINE_S)
    assert check.returncode == 0, f"{check.stdout}{check.stderr} {note}"

    board = Board(path, "checker")
    final = {r.key: r.model_dump(mode="json") for r in board.requirements()}
    # Every acknowledged command changed something (see WORKER), so each was one commit, and a commit
    # that another one overwrote shows as a generation missing.
    assert board.generation == seeded + len(acks), (
        f"{len(acks)} changes were acknowledged but the board went from generation {seeded} to "
        f"{board.generation}: {seeded + len(acks) - board.generation} commit(s) lost {note}")

    # Keys: each acknowledged add got its own key, and nothing but what was acknowledged was added.
    added = [(argv[1], record) for argv, record in acks if argv[0] == "add"]
    added_keys = [record["key"] for _title, record in added]
    assert len(added_keys) == len(set(added_keys)), f"a key was handed out twice {note}"
    assert set(final) == {f"REQ-{n}" for n in range(1, SHARED + 1)} | set(added_keys), note
    created = [e.key for e in board.history() if e.action == "created"]
    assert sorted(created) == sorted(final), f"not one 'created' event per key {note}"

    # Requirement acks: one record per (key, version); each field as the highest version setting it left it.
    by_version: dict[tuple[str, int], dict[str, Any]] = {}
    setters: dict[tuple[str, str], list[tuple[int, Any, tuple[str, ...]]]] = defaultdict(list)
    for argv, record in acks:
        if argv[0] == "cr":
            continue
        key, version = record["key"], record["version"]
        seen = by_version.setdefault((key, version), record)
        assert seen == record, f"two different records acknowledged as {key} version {version} {note}"
        assert final[key]["version"] >= version, f"{key} went back below acknowledged version {version} {note}"
        fields = {field for option, field in FIELD_OPTIONS.items() if option in argv}
        if argv[0] == "add":
            fields.add("title")
        for field in fields:
            setters[(key, field)].append((version, record[field], argv))
    for (key, field), sets in setters.items():
        version, value, argv = max(sets, key=lambda s: s[0])
        assert final[key][field] == value, (
            f"{key}.{field} is {final[key][field]!r}, but `reqboard {' '.join(argv)}` was acknowledged as "
            f"version {version} with {value!r} and nothing acknowledged changed it later {note}")

    # Change requests: each acknowledged one exists, at least as far on as acknowledged.
    filed = [(argv[2], record["key"]) for argv, record in acks if argv[:2] == ("cr", "add")]
    cr_keys = [cr for _req, cr in filed]
    assert len(cr_keys) == len(set(cr_keys)), f"a change request key was handed out twice {note}"
    on_board = {cr["key"]: (key, cr) for key, record in final.items() for cr in record["change_requests"]}
    for req_key, cr_key in filed:
        assert on_board.get(cr_key, (None,))[0] == req_key, f"acknowledged {cr_key} on {req_key} lost {note}"
    latest_approval: dict[str, tuple[str, str]] = {}
    for argv, record in acks:
        if argv[0] != "cr" or argv[1] == "add":
            continue
        req_key, stored = on_board[record["key"]]
        assert CR_RANK[stored["status"]] >= CR_RANK[record["status"]], (
            f"{record['key']} is {stored['status']} after `{' '.join(argv)}` was acknowledged {note}")
        if record["status"] == "approved":
            at = record["decision"]["at"]
            if req_key not in latest_approval or at > latest_approval[req_key][0]:
                latest_approval[req_key] = (at, record["proposed_description"])
    for req_key, (_at, description) in latest_approval.items():
        assert final[req_key]["description"] == description, (
            f"{req_key} does not carry the text of the change request approved last {note}")
