"""Two processes deciding one change request at once: one wins, the other is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reqboard.store.board import Board
from reqboard.store.models import CRStatus


def _cli(store: Path, user: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "REQBOARD_STORE": str(store), "REQBOARD_USER": user}
    return subprocess.Popen([sys.executable, "-m", "reqboard.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _assessed_cr(store: Path) -> tuple[str, int]:
    board = Board(store, "lead")
    req = board.add_requirement("Export to PDF", customer="ACME")
    cr = board.add_change_request(req.key, "Landscape too", new_title="Export to PDF, landscape too")
    board.assess_change_request(cr.key, schedule_days=2, cost=500, effort_hours=12)
    return cr.key, board.get(req.key).version


def test_concurrent_decisions_with_the_version_read_one_wins_one_conflicts(tmp_path: Path) -> None:
    store = tmp_path / "board.json"
    cr_key, version = _assessed_cr(store)
    shown = json.loads(subprocess.run(
        [sys.executable, "-m", "reqboard.cli", "cr", "show", cr_key, "--json"], check=True, text=True, capture_output=True,
        env={**os.environ, "REQBOARD_STORE": str(store)}).stdout)
    assert shown["requirement_version"] == version

    approve = _cli(store, "alice", "cr", "approve", cr_key, "--rationale", "worth it", "--expect-version", str(version))
    reject = _cli(store, "bob", "cr", "reject", cr_key, "--rationale", "too costly", "--expect-version", str(version))
    results = {"alice": (approve.wait(timeout=60), approve.stderr.read()),
               "bob": (reject.wait(timeout=60), reject.stderr.read())}
    codes = sorted(code for code, _ in results.values())
    assert codes == [0, 3], results
    winner = next(user for user, (code, _) in results.items() if code == 0)
    loser_error = next(err for code, err in results.values() if code == 3)
    assert loser_error.startswith("error:") and winner in loser_error  # names who changed it

    _, cr = Board(store, "x").find_change_request(cr_key)
    assert cr.status is (CRStatus.APPROVED if winner == "alice" else CRStatus.REJECTED)
    assert cr.decision is not None and cr.decision.by == winner


def test_a_second_decision_without_a_version_is_refused_by_the_rule(tmp_path: Path) -> None:
    store = tmp_path / "board.json"
    cr_key, _ = _assessed_cr(store)
    first = _cli(store, "alice", "cr", "approve", cr_key, "--rationale", "yes")
    assert first.wait(timeout=60) == 0
    second = _cli(store, "bob", "cr", "reject", cr_key, "--rationale", "no")
    assert second.wait(timeout=60) == 1
    assert "cannot be" in second.stderr.read()
    _, cr = Board(store, "x").find_change_request(cr_key)
    assert cr.status is CRStatus.APPROVED and cr.decision.by == "alice"
