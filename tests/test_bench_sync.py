"""The sync benchmark at a tiny size: its two boards are changed as it says, the sync it times does
what the workload promises (clashes settled, keys renumbered, nothing left to do after), and its table
names the goals. Not a timed test: the goals live in the benchmark's table."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.measure
from bench.__main__ import main as bench_main
from bench.sync import Workload, changes_for, measure_size, prepare, run_operation, same_requirements, workload
from reqboard.store.board import Board

N = 80


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bench's board cache in this test's folder (the tiny board is generated there)."""
    monkeypatch.setattr(bench.measure, "CACHE", tmp_path / "cache")
    monkeypatch.setattr("bench.sync.CACHE", tmp_path / "cache")
    return tmp_path / "cache"


def test_the_workload_is_a_twentieth_of_the_board_on_each_side_on_different_requirements() -> None:
    plan = workload(10_000, changes_for(10_000))
    assert plan.changes == 500
    for side in ("ours", "theirs"):
        made = len(plan.edits[side]) + len(plan.moves[side]) + len(plan.both) + len(plan.clashes) + plan.new[side]
        assert made == 500, side
    picked = [*plan.edits["ours"], *plan.edits["theirs"], *plan.moves["ours"], *plan.moves["theirs"],
              *plan.both, *plan.clashes]
    assert len(picked) == len(set(picked))  # only `both` and `clashes` are touched by both sides
    assert len(plan.clashes) == 10 and plan.new == {"ours": 10, "theirs": 6} and plan.renumbered == 6
    assert plan == workload(10_000, 500)  # the same requirements every run
    with pytest.raises(ValueError, match="need"):
        workload(100, 100)


def _changed(before: Board, after: Board) -> dict[str, tuple[int, str]]:
    """Key -> (versions added, state) of each requirement `after` changed or added since `before`."""
    old = {r.key: r for r in before.requirements()}
    return {r.key: (r.version - old[r.key].version if r.key in old else r.version, r.state.value)
            for r in after.requirements() if r.key not in old or r.version != old[r.key].version}


def test_each_side_makes_its_changes_and_the_sync_settles_exactly_the_clashes(cache: Path, tmp_path: Path) -> None:
    pair = prepare(N, tmp_path / "pair")
    plan: Workload = pair.plan
    source = Board(bench.measure.cached_board(N), "reader")
    team, consultant = Board(pair.team, "reader"), Board(pair.consultant, "reader")
    for board, side in ((consultant, "ours"), (team, "theirs")):
        changed = _changed(source, board)
        assert len(changed) == plan.changes, side  # every change is a new version of one requirement
        assert all(added == 1 for added, _ in changed.values()), side
        moved = [f"REQ-{n}" for n in plan.moves[side]]
        old_states = {r.key: r.state.value for r in source.requirements()}
        assert all(changed[k][1] != old_states[k] for k in moved), side
    clash = f"REQ-{plan.clashes[0]}"
    theirs_title = team.get(clash).title
    assert theirs_title != consultant.get(clash).title != source.get(clash).title

    done = run_operation("sync", pair.consultant, pair.team)
    assert done["written"] and done["conflicts"] == 0
    assert done["settled"] == len(plan.clashes) and done["renumbered"] == plan.renumbered
    assert Board(pair.consultant, "reader").get(clash).title == theirs_title  # --prefer theirs
    assert same_requirements(pair.consultant, pair.team)
    again = run_operation("sync", pair.consultant, pair.team)
    assert not again["written"] and again["pulled"] == again["pushed"] == again["events_pulled"] == 0


def test_the_section_measures_clone_sync_and_a_second_sync_in_their_own_processes(cache: Path) -> None:
    result = measure_size(N, runs=1)
    for name in ("sync", "again", "clone"):
        assert result[f"{name}_seconds"] > 0 and result[f"{name}_mb"] > 10, name
        assert result[f"{name}_process_seconds"] > result[f"{name}_seconds"], name  # start-up included
    assert result["changes"] == changes_for(N) and result["renumbered"] >= 1 and result["settled"] >= 1
    assert list(cache.glob("store-80-*.json")) and not list(cache.glob("sync-*"))  # the work folders are gone


def test_python_m_bench_runs_the_sync_section_and_names_the_goals(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["--only", "sync", "--sizes", str(N), "--runs", "1"]) == 0
    out = capsys.readouterr().out
    lines = {line.split("  ")[0].strip(): line for line in out.splitlines()}
    assert "< 3.00 s at 10,000" in lines["sync (sync_boards)"]
    assert "< 300.0 MB at 10,000" in out and "clone (clone_board)" in lines
    assert f"{N}: {changes_for(N)} changes a side" in out
