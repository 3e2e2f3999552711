"""`reqboard clone` and `reqboard sync` through real processes: the contract of issue 13 as a script sees
it (output, `--json`, exit codes, one `error:` line) and what is on both boards afterwards."""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import orjson
import pytest

from reqboard.store.board import Board

from cli_support import ReqboardProcess, assert_one_error_line

pytestmark = pytest.mark.slow  # (a process per command)


class Boards:
    """The team's board and a consultant's clone of it, in a folder of their own, driven by real
    `reqboard` processes (paths absolute: the process runs in the repository)."""

    def __init__(self, folder: Path, run: ReqboardProcess) -> None:
        self.folder, self.run = folder, run
        self.team, self.off = folder / "team.json", folder / "offline.json"

    def __call__(self, *argv: str, code: int = 0) -> Any:
        """`reqboard ARGV`, asserting its exit code; returns the finished process."""
        proc = self.run(*argv)
        assert proc.returncode == code, f"reqboard {' '.join(argv)} -> {proc.returncode}\n{proc.stdout}{proc.stderr}"
        assert "Traceback" not in proc.stderr
        return proc

    def on(self, board: Path, *argv: str, code: int = 0) -> Any:
        return self(*("--store", str(board)), *argv, code=code)

    def board(self, path: Path, user: str = "ann") -> Board:
        return Board(path, user)

    def files(self) -> dict[str, bytes]:
        """Every file in the folder (boards, journals, backups, locks) and its bytes."""
        found: dict[str, bytes] = {}
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found[str(path.relative_to(self.folder))] = path.read_bytes()
        return found

    def records(self, path: Path) -> dict[str, dict[str, Any]]:
        """The board's stored requirement records by key."""
        return {str(r["key"]): dict(r) for r in Board(path, "reader").snapshot().requirements.values()}

    def events(self, path: Path) -> dict[str, dict[str, Any]]:
        """The board's history events by id (without the generation, which is each board's own)."""
        return {e["id"]: {k: v for k, v in e.items() if k != "generation"}
                for e in Board(path, "reader").storage.history() if e.get("key") != "board"}


@pytest.fixture
def boards(tmp_path: Path, reqboard_process: ReqboardProcess) -> Boards:
    """team.json with three requirements, cloned by `reqboard clone` into offline.json."""
    made = Boards(tmp_path / "work", reqboard_process)
    made.folder.mkdir()
    team = made.board(made.team)
    team.add_requirement("Export to PDF", customer="ACME", tags=("export",))
    team.add_requirement("Login with SSO", customer="Globex")
    team.add_requirement("Dark mode", customer="ACME", importance=3)
    cloned = made("clone", str(made.team), str(made.off))
    assert cloned.stdout.startswith(f"cloned 3 requirements from {made.team} into {made.off}")
    return made


def conflict_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert lines and re.fullmatch(r"error: \d+ conflicts?: nothing was written; .*", lines[0]), stderr
    return lines[1:]


# ============================================================================ clone, then sync both ways
def test_clone_copies_the_board_whole_and_sync_carries_work_both_ways(boards: Boards) -> None:
    assert boards.records(boards.off) == boards.records(boards.team)
    assert boards.events(boards.off) == boards.events(boards.team)

    boards.board(boards.off, "con").edit_requirement("REQ-1", {"title": "Export to PDF and Word"})
    boards.board(boards.team).edit_requirement("REQ-2", {"owner": "bob"})
    # ours is --store, theirs the board it was cloned from
    out = boards.on(boards.off, "sync").stdout
    assert f"{boards.off} (ours) with {boards.team} (theirs)" in out
    assert "pull 1 into ours: REQ-2" in out and "push 1 to theirs: REQ-1" in out
    assert boards.records(boards.off) == boards.records(boards.team)
    assert boards.records(boards.team)["REQ-1"]["title"] == "Export to PDF and Word"
    assert boards.records(boards.off)["REQ-2"]["owner"] == "bob"

    # the other way, naming the other board, and then with it remembered
    boards.board(boards.team).edit_requirement("REQ-3", {"urgency": 5})
    out = boards.on(boards.team, "sync", str(boards.off)).stdout
    assert "push 1 to theirs: REQ-3" in out
    boards.board(boards.off, "con").edit_requirement("REQ-3", {"owner": "con"})
    out = boards.on(boards.team, "sync").stdout
    assert f"{boards.team} (ours) with {boards.off} (theirs)" in out and "pull 1 into ours: REQ-3" in out
    assert boards.records(boards.off) == boards.records(boards.team)
    assert boards.events(boards.off) == boards.events(boards.team)
    assert (boards.records(boards.team)["REQ-3"]["urgency"], boards.records(boards.team)["REQ-3"]["owner"]) == (5, "con")
    for path in (boards.team, boards.off):
        assert "ok (" in boards.on(path, "check").stdout


def test_a_second_sync_says_already_in_sync_and_changes_no_byte(boards: Boards) -> None:
    boards.board(boards.off, "con").add_requirement("Offline idea")
    boards.on(boards.off, "sync")
    before = boards.files()
    for board in (boards.off, boards.team):
        out = boards.on(board, "sync").stdout
        assert "already in sync: nothing to do" in out
        assert boards.files() == before
    shown = orjson.loads(boards.on(boards.off, "sync", "--json").stdout)
    assert (shown["pulled"], shown["pushed"], shown["renumbered"], shown["conflicts"]) == ([], [], [], [])
    assert boards.files() == before


# ============================================================================ the plan: --dry-run, --json
def diverged(boards: Boards) -> None:
    """Work on both sides: a pull, a push, a key created on both, and a title changed on both."""
    team, off = boards.board(boards.team), boards.board(boards.off, "con")
    team.edit_requirement("REQ-2", {"owner": "bob"})
    off.edit_requirement("REQ-3", {"description": "as discussed offline"})
    team.add_requirement("Team's fourth")
    off.add_requirement("Offline fourth")
    team.edit_requirement("REQ-1", {"title": "Export to PDF (team)"})
    off.edit_requirement("REQ-1", {"title": "Export to PDF (offline)"})


def test_dry_run_prints_the_whole_plan_and_writes_nothing(boards: Boards) -> None:
    diverged(boards)
    before = boards.files()
    proc = boards.on(boards.off, "sync", "--dry-run", code=3)
    assert boards.files() == before
    out = proc.stdout
    assert out.startswith(f"plan: {boards.off} (ours) with {boards.team} (theirs)\n")
    assert "would pull 4 into ours: REQ-1 REQ-2 REQ-4 REQ-5" in out
    # (the team's REQ-4 goes out too: a version past the offline REQ-4 it replaces there, see test_sync.py)
    assert "would push 4 to theirs: REQ-1 REQ-3 REQ-4 REQ-5" in out
    assert f"REQ-4 (created on {boards.off}) would become REQ-5" in out
    assert "1 conflict (listed below)" in out and out.endswith("nothing was written (dry run)\n")
    assert conflict_lines(proc.stderr) == ['REQ-1 title: base "Export to PDF" ours "Export to PDF (offline)" '
                                           'theirs "Export to PDF (team)"']

    # settled, the dry run plans the same and still writes nothing; exit 0
    out = boards.on(boards.off, "sync", "--dry-run", "--prefer", "ours").stdout
    assert 'REQ-1 title: kept ours ("Export to PDF (offline)")' in out and "would become REQ-5" in out
    assert boards.files() == before


def test_json_has_the_contract_keys(boards: Boards) -> None:
    diverged(boards)
    before = boards.files()
    proc = boards.on(boards.off, "sync", "--json", "--dry-run", code=3)
    plan = orjson.loads(proc.stdout)
    assert {"pulled", "pushed", "renumbered", "conflicts"} <= set(plan)
    assert (plan["pulled"], plan["pushed"]) == (["REQ-1", "REQ-2", "REQ-4", "REQ-5"], ["REQ-1", "REQ-3", "REQ-4", "REQ-5"])
    offline_fourth = boards.records(boards.off)["REQ-4"]["uid"]
    assert plan["renumbered"] == [{"uid": offline_fourth, "from": "REQ-4", "to": "REQ-5"}]
    uid = boards.records(boards.off)["REQ-1"]["uid"]
    assert plan["conflicts"] == [{"key": "REQ-1", "uid": uid, "field": "title", "base": "Export to PDF",
                                  "ours": "Export to PDF (offline)", "theirs": "Export to PDF (team)"}]
    assert boards.files() == before
    assert conflict_lines(proc.stderr)  # (the error goes to stderr, never into the JSON)

    written = orjson.loads(boards.on(boards.off, "sync", "--json", "--resolve", "REQ-1.title=theirs").stdout)
    assert {"pulled", "pushed", "renumbered", "conflicts"} <= set(written)
    assert written["conflicts"] == [] and written["renumbered"] == plan["renumbered"]
    assert boards.records(boards.off) == boards.records(boards.team)


# ============================================================================ conflicts
def test_conflicts_exit_3_one_line_each_and_nothing_is_written_until_settled(boards: Boards) -> None:
    team, off = boards.board(boards.team), boards.board(boards.off, "con")
    team.edit_requirement("REQ-1", {"title": "Export (team)", "importance": 2})
    off.edit_requirement("REQ-1", {"title": 'Export "offline"', "importance": 5})
    team.edit_requirement("REQ-3", {"owner": "bob"})
    off.edit_requirement("REQ-3", {"owner": "con"})
    off.edit_requirement("REQ-2", {"urgency": 4})  # no conflict: only one side changed it
    before = boards.files()

    proc = boards.on(boards.off, "sync", code=3)
    # stdout: what the sync would have done; stderr: that it did nothing, and why
    assert proc.stdout.startswith(f"plan: {boards.off} (ours) with {boards.team} (theirs)\n")
    assert "would pull 2 into ours: REQ-1 REQ-3" in proc.stdout and "dry run" not in proc.stdout
    assert proc.stderr.startswith("error: 3 conflicts: nothing was written")
    assert sorted(conflict_lines(proc.stderr)) == [
        'REQ-1 importance: base null ours 5 theirs 2',
        'REQ-1 title: base "Export to PDF" ours "Export \\"offline\\"" theirs "Export (team)"',
        'REQ-3 owner: base "" ours "con" theirs "bob"',
    ]
    assert boards.files() == before

    # settling some of them is not enough
    proc = boards.on(boards.off, "sync", "--resolve", "REQ-1.title=theirs", "--resolve", "REQ-3.owner=ours", code=3)
    assert proc.stderr.startswith("error: 1 conflict: ")
    assert conflict_lines(proc.stderr) == ["REQ-1 importance: base null ours 5 theirs 2"]
    assert boards.files() == before

    # --resolve wins over --prefer; each field as chosen, on both boards
    out = boards.on(boards.off, "sync", "--prefer", "ours", "--resolve", "req-1.title=theirs").stdout
    assert 'REQ-1 title: kept theirs ("Export (team)")' in out and "REQ-1 importance: kept ours (5)" in out
    assert boards.records(boards.off) == boards.records(boards.team)
    one, three = boards.records(boards.team)["REQ-1"], boards.records(boards.team)["REQ-3"]
    assert (one["title"], one["importance"], three["owner"]) == ("Export (team)", 5, "con")
    assert boards.records(boards.team)["REQ-2"]["urgency"] == 4


def test_prefer_theirs_takes_the_other_boards_values(boards: Boards) -> None:
    boards.board(boards.team).move_requirement("REQ-2", "rejected", reason="out of scope")
    boards.board(boards.off, "con").edit_requirement("REQ-2", {"importance": 4, "urgency": 4, "kano": "must-be"})
    boards.board(boards.off, "con").move_requirement("REQ-2", "analysed")
    boards.on(boards.off, "sync", code=3)
    boards.on(boards.off, "sync", "--prefer", "theirs")
    two = boards.records(boards.off)["REQ-2"]
    assert (two["state"], two["rejection_reason"], two["importance"]) == ("rejected", "out of scope", 4)
    assert boards.records(boards.off) == boards.records(boards.team)


# ============================================================================ one key, two requirements
def test_a_key_created_on_both_boards_is_renumbered_on_the_one_created_second(boards: Boards) -> None:
    boards.board(boards.team).add_requirement("Team's fourth")
    boards.board(boards.off, "con").add_requirement("Offline fourth")
    out = boards.on(boards.off, "sync").stdout
    assert f"REQ-4 (created on {boards.off}) is now REQ-5" in out

    team, off = boards.records(boards.team), boards.records(boards.off)
    assert team == off
    assert {k: r["title"] for k, r in off.items()} == {
        "REQ-1": "Export to PDF", "REQ-2": "Login with SSO", "REQ-3": "Dark mode", "REQ-4": "Team's fourth",
        "REQ-5": "Offline fourth"}
    assert off["REQ-5"]["previous_keys"] == ["REQ-4"]

    # on the board where it was renamed: its history starts with its creation, then the renumbering
    history = orjson.loads(boards.on(boards.off, "history", "REQ-5", "--json").stdout)
    assert [(e["action"], e.get("new")) for e in history][:2] == [("created", "Offline fourth"), ("renumbered", "REQ-5")]
    assert not any(e["action"] == "created" and e["new"] == "Team's fourth" for e in history)
    # and the old key still finds it: REQ-4 is the team's, with a note where the offline one went
    shown = boards.on(boards.off, "show", "REQ-4")
    assert shown.stdout.startswith("REQ-4  Team's fourth")
    assert "REQ-4 was also the key of REQ-5 (Offline fourth)" in shown.stderr

    # new work under the new keys goes on syncing
    boards.board(boards.team).edit_requirement("REQ-5", {"owner": "bob"})
    assert "pull 1 into ours: REQ-5" in boards.on(boards.off, "sync").stdout
    assert boards.records(boards.off)["REQ-5"]["owner"] == "bob"


# ============================================================================ refusals
def test_sync_with_no_other_board_and_no_clone_history_is_a_usage_error(tmp_path: Path,
                                                                        reqboard_process: ReqboardProcess) -> None:
    alone = tmp_path / "alone.json"
    Board(alone, "ann").add_requirement("Export")
    proc = reqboard_process("--store", str(alone), "sync")
    assert proc.returncode == 2
    assert_one_error_line(proc.stderr)
    assert "never cloned or synced" in proc.stderr and "name the other board" in proc.stderr


def test_sync_of_a_board_with_itself_is_refused(boards: Boards) -> None:
    before = boards.files()
    for other in (str(boards.team), f"{boards.folder}/./team.json"):
        proc = boards.on(boards.team, "sync", other, code=1)
        assert_one_error_line(proc.stderr)
        assert "are the same board" in proc.stderr
    assert boards.files() == before


def test_sync_with_a_plain_copy_is_refused(boards: Boards) -> None:
    copy = boards.folder / "copy.json"
    shutil.copy(boards.off, copy)
    shutil.copy(f"{boards.off}.history.jsonl", f"{copy}.history.jsonl")
    boards.board(copy, "con").edit_requirement("REQ-1", {"owner": "con"})
    before = boards.files()
    proc = boards.on(boards.off, "sync", str(copy), code=1)
    assert_one_error_line(proc.stderr)
    assert "copies of one board" in proc.stderr and "reqboard clone" in proc.stderr
    assert boards.files() == before


def test_clone_never_writes_over_a_file(boards: Boards) -> None:
    taken = boards.folder / "notes.json"
    taken.write_text("my notes\n")
    before = boards.files()
    for dest in (taken, boards.off, boards.team):
        proc = boards("clone", str(boards.team), str(dest), code=1)
        assert_one_error_line(proc.stderr)
        assert f"{dest} exists" in proc.stderr
    assert boards.files() == before


def test_clone_of_a_board_that_is_not_there_is_refused_and_makes_nothing(boards: Boards) -> None:
    before = boards.files()
    proc = boards("clone", str(boards.folder / "missing.json"), str(boards.folder / "new.json"), code=1)
    assert_one_error_line(proc.stderr)
    assert "no board there to clone" in proc.stderr
    assert boards.files() == before
    assert not any(p.name.startswith("new.json") for p in boards.folder.iterdir())

    proc = boards.on(boards.team, "sync", str(boards.folder / "missing.json"), code=1)
    assert_one_error_line(proc.stderr)
    assert "no board there to sync with" in proc.stderr
    assert not any(p.name.startswith("missing.json") for p in boards.folder.iterdir())


@pytest.mark.parametrize("kind", ["symlink to a board", "dangling symlink", "fifo", "directory"])
def test_hostile_paths_as_dest_or_other_get_one_error_line(boards: Boards, kind: str) -> None:
    odd = boards.folder / "odd.json"
    if kind == "symlink to a board":
        odd.symlink_to(boards.off)
    elif kind == "dangling symlink":
        odd.symlink_to(boards.folder / "nowhere.json")
    elif kind == "fifo":
        os.mkfifo(odd)
    else:
        odd.mkdir()
    boards.board(boards.off, "con").edit_requirement("REQ-1", {"owner": "con"})
    before = boards.files()

    for argv in (["clone", str(boards.team), str(odd)], ["--store", str(boards.team), "sync", str(odd)],
                 ["clone", str(odd), str(boards.folder / "new.json")]):
        proc = boards.run(*argv)
        assert proc.returncode in (1, 4), (argv, proc)  # refused, or not a board file that can be read
        assert_one_error_line(proc.stderr)

    assert boards.files() == before
    mode = odd.lstat().st_mode
    assert {"symlink to a board": stat.S_ISLNK, "dangling symlink": stat.S_ISLNK, "fifo": stat.S_ISFIFO,
            "directory": stat.S_ISDIR}[kind](mode)
    assert not (boards.folder / "new.json").exists()


def test_a_resolve_that_names_no_conflict_is_noted(tmp_path: Path, reqboard_process: ReqboardProcess) -> None:
    team, off = tmp_path / "team.json", tmp_path / "off.json"
    assert reqboard_process("--store", str(team), "add", "One").returncode == 0
    assert reqboard_process("clone", str(team), str(off)).returncode == 0
    assert reqboard_process("--store", str(off), "edit", "REQ-1", "--owner", "mia").returncode == 0
    done = reqboard_process("--store", str(off), "sync", "--resolve", "req-9.title=ours")
    assert done.returncode == 0
    assert "note: --resolve req-9.title names no conflict of this sync" in done.stderr


def test_an_empty_other_is_a_usage_error_not_the_remembered_board(tmp_path: Path,
                                                                   reqboard_process: ReqboardProcess) -> None:
    team, off = tmp_path / "team.json", tmp_path / "off.json"
    assert reqboard_process("--store", str(team), "add", "One").returncode == 0
    assert reqboard_process("clone", str(team), str(off)).returncode == 0
    before = team.read_bytes(), off.read_bytes()
    done = reqboard_process("--store", str(off), "sync", "")
    assert done.returncode == 2 and done.stderr.startswith("error: sync was given an empty path")
    assert (team.read_bytes(), off.read_bytes()) == before
