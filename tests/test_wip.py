"""WIP limits (issue #18, item 3): a move past a column's limit warns; under strict limits the store
refuses it, counting inside the move's transaction, on a board file and on a server board (conftest's
`board_location`), so two writers racing for a column's last place cannot both get it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from reqboard.cli.main import main
from reqboard.store.board import Board
from reqboard.store.errors import Refused
from reqboard.store.models import State
from reqboard.store.wip import OverLimit

from board_locations import BoardLocation
from cli_support import CliRunner, assert_one_error_line

ANALYSABLE = {"importance": 3, "urgency": 3, "kano": "must-be"}
"""What a requirement needs to be analysed."""


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(Refused) as caught:
        call()
    assert caught.value.rule == "wip.strict"
    return str(caught.value)


def test_a_move_past_a_limit_warns_and_under_strict_limits_is_refused(
        board_of: Callable[..., Board], board_location: BoardLocation) -> None:
    board = board_of(3, **ANALYSABLE)
    board.set_wip_limit("analysed", 1)
    board.set_wip_limit("collected", 2)
    assert not board.wip_strict()
    # Advisory: the moves are made; the column says by how much it is over after each.
    board.move_requirement("REQ-1", "analysed")
    assert board.over_wip_limit(State.ANALYSED) is None
    board.move_requirement("REQ-2", "analysed")
    over = board.over_wip_limit(State.ANALYSED)
    assert over == OverLimit(State.ANALYSED, 2, 1)
    assert over.message == "Analysed is over its WIP limit: 2 of 1"
    assert board.over_wip_limit(State.IN_PROGRESS) is None  # no limit

    assert board.set_wip_strict(True) is False
    assert board.wip_strict() and board.set_wip_strict(True) is True
    before = board_location.state()
    # Into a full column: a move, a new requirement (collected holds REQ-3 and needs 2 more to be
    # full: one is added, the next refused), nothing written by the refused one.
    assert refused(lambda: board.move_requirement("REQ-3", "analysed")) == (
        "REQ-3 stays collected: Analysed is full (2 of its WIP limit of 1) and this board's WIP limits are "
        "strict; move a requirement out of Analysed first, or raise the limit")
    assert board_location.state() == before
    board.add_requirement("Fourth", customer="ACME")
    before = board_location.state()
    assert refused(lambda: board.add_requirement("Fifth", customer="ACME")).startswith(
        "the new requirement was not created: Collected is full (2 of its WIP limit of 2)")
    assert board_location.state() == before
    # Out of a column over its limit: always made; back into a full one: refused like any move into it.
    undo_to = board.get("REQ-2")
    board.set_wip_limit("collected", 3)
    moved_back = board.move_requirement("REQ-2", "collected", reason="not yet")
    assert moved_back.state is State.COLLECTED and board.over_wip_limit(State.ANALYSED) is None
    assert "REQ-1 stays analysed: Collected is full (3 of its WIP limit of 3)" in refused(
        lambda: board.move_requirement("REQ-1", "collected", reason="not yet"))
    # An undo that puts a requirement back into a full column (REQ-1 holds analysed's one place) is a
    # move into it too.
    assert refused(lambda: board.replace_requirement(undo_to, expect_version=moved_back.version)).startswith(
        "REQ-2 stays collected: Analysed is full (1 of its WIP limit of 1)")
    # Warnings again: the same move is made.
    assert board.set_wip_strict(False) is True
    assert board.move_requirement("REQ-2", "analysed").state is State.ANALYSED
    assert board.over_wip_limit(State.ANALYSED) == OverLimit(State.ANALYSED, 2, 1)
    assert [(e.field, e.old, e.new) for e in board.history() if e.field == "wip_strict"] == [
        ("wip_strict", False, True), ("wip_strict", True, False)]


def test_two_writers_racing_for_a_columns_last_place_under_strict_limits_only_one_gets_it(
        board_of: Callable[..., Board], board_location: BoardLocation) -> None:
    writers = 6
    board = board_of(writers, **ANALYSABLE)
    board.set_wip_limit("analysed", 1)
    board.set_wip_strict(True)
    boards = [board_location.board("ann") for _ in range(writers)]  # a connection (a lock file handle) each
    for each in boards:
        each.get("REQ-1")  # opened and read before the start: the moves race, not the connecting
    start = threading.Barrier(writers)
    outcomes: list[str] = []

    def move(n: int) -> None:
        start.wait(timeout=30)
        try:
            boards[n].move_requirement(f"REQ-{n + 1}", "analysed")
            outcomes.append("moved")
        except Refused as exc:
            outcomes.append(exc.rule)

    threads = [threading.Thread(target=move, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["moved"] + ["wip.strict"] * (writers - 1)
    assert [r.state for r in board.requirements()].count(State.ANALYSED) == 1


def test_the_cli_warns_on_stderr_past_a_limit_and_under_strict_limits_refuses_with_exit_1(
        cli: CliRunner, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    cli("add", "One", "--customer", "ACME", "--importance", "3", "--urgency", "3", "--kano", "must-be")
    cli("add", "Two", "--customer", "ACME", "--importance", "3", "--urgency", "3", "--kano", "must-be")
    cli("wip", "analysed", "1")
    assert cli.json("wip") == {"limits": {"collected": None, "analysed": 1, "approved": None, "in_progress": None,
                                          "done": None, "fed_back": None}, "strict": False}
    cli("move", "REQ-1", "analysed")  # (cli asserts an empty stderr: within the limit, nothing is said)
    # Past it: made (exit 0), the --json record on stdout as ever, one warning line on stderr.
    code, out, err = run("move", "REQ-2", "analysed", "--json")
    assert (code, orjson.loads(out)["state"]) == (0, "analysed")
    assert err == "warning: Analysed is over its WIP limit: 2 of 1\n"
    assert run("wip", "collected", "1") == (0, "WIP limit of collected: 1\n", "")
    assert run("add", "Three", "--customer", "ACME") == (0, "REQ-3\n", "")
    assert run("add", "Four", "--customer", "ACME")[1:] == ("REQ-4\n",
                                                          "warning: Collected is over its WIP limit: 2 of 1\n")

    # Strict: said, with the columns already past their limits; then a move into one is exit 1, unwritten.
    code, out, err = run("wip", "--strict", "on")
    assert (code, out) == (0, "WIP limits are strict: a move past one is refused\n")
    assert err.splitlines() == ["warning: Collected is over its WIP limit: 2 of 1",
                                "warning: Analysed is over its WIP limit: 2 of 1"]
    assert cli.json("wip")["strict"] is True
    assert "WIP limits are strict" in cli("wip").splitlines()[-1]
    code, out, err = run("move", "REQ-1", "collected", "--reason", "later")
    assert (code, out) == (1, "")
    assert_one_error_line(err)
    assert err.startswith("error: REQ-1 stays analysed: Collected is full (2 of its WIP limit of 1)")
    assert cli.json("show", "REQ-1")["state"] == "analysed"
    assert "the new requirement was not created" in cli.fails(1, "add", "Five")
    assert len(cli.json("list")) == 4
    assert cli.json("wip", "--strict", "off") == {"limits": {"collected": 1, "analysed": 1, "approved": None,
                                                              "in_progress": None, "done": None,
                                                              "fed_back": None}, "strict": False}
    assert cli("wip").splitlines()[-1] == "WIP limits warn: a move past one is made, with a warning"

    # An import is never refused by a limit (its records are as they were made): what it left past one
    # is said.
    cli("export", "--format", "json", "-o", str(tmp_path / "all.json"))
    other = ["--store", str(tmp_path / "other.json")]
    cli(*other, "wip", "analysed", "1")
    cli(*other, "wip", "--strict", "on")
    code, out, err = run(*other, "import", str(tmp_path / "all.json"))
    assert code == 0 and err == "warning: Analysed is over its WIP limit: 2 of 1\n"


def _delivered(board: Board, key: str) -> None:
    board.edit_requirement(key, {"acceptance_criteria": ({"text": "works", "done": True},)})
    board.move_requirement(key, "analysed")
    board.approve(key, "ok")
    board.move_requirement(key, "in_progress", updates={"owner": "anna"})
    board.move_requirement(key, "done")


def test_a_change_request_approval_that_reopens_done_work_counts_against_the_limit(
        board_of: Callable[..., Board], board_location: BoardLocation, cli: CliRunner,
        capsys: pytest.CaptureFixture[str]) -> None:
    board = board_of(3, **ANALYSABLE)
    board.move_requirement("REQ-1", "analysed")
    board.approve("REQ-1", "ok")  # approved holds REQ-1
    for key in ("REQ-2", "REQ-3"):
        _delivered(board, key)
        cr = board.add_change_request(key, "Landscape too", reason="customer asked")
        board.assess_change_request(cr.key, schedule_days=1, cost=100, effort_hours=2)
    board.set_wip_limit("approved", 1)
    board.set_wip_strict(True)
    before = board_location.state()
    # Approving CR-1 would reopen REQ-2 into the full approved column: refused, nothing written.
    assert refused(lambda: board.decide_change_request("CR-1", approve=True, rationale="worth it")).startswith(
        "REQ-2 stays done: Approved is full (1 of its WIP limit of 1)")
    assert board_location.state() == before
    assert board.get("REQ-2").state is State.DONE
    # Warning only: the approval is made and reopens it; the CLI says the column is over.
    board.set_wip_strict(False)
    board.decide_change_request("CR-1", approve=True, rationale="worth it")
    assert board.get("REQ-2").state is State.APPROVED
    capsys.readouterr()
    assert main(["cr", "approve", "CR-2", "--rationale", "worth it"]) == 0
    assert capsys.readouterr().err == "warning: Approved is over its WIP limit: 3 of 1\n"
