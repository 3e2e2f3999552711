"""The benchmark tooling: the generator writes exactly what the store would have written, and the
measurements report what they claim (a process's own memory, goals met or missed)."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

import bench.measure
from bench.generate import generate_board
from bench.measure import Row, render_table, run_process
from bench.store import measure_size
from reqboard.store.board import Board
from reqboard.store.models import BOARD_STATES, CRStatus, State

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
N = 400


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gen") / "board.json"
    result = generate_board(path, N, seed=3, now=NOW)
    assert result.requirements == N and result.path == path
    return path


def _journal(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.with_name(path.name + ".history.jsonl").read_bytes().splitlines()]


def test_generated_board_checks_clean(generated: Path) -> None:
    board = Board(generated, "bench")
    assert board.check() == ([], [])
    assert [r.key for r in board.requirements()] == [f"REQ-{i}" for i in range(1, N + 1)]


def test_generated_board_is_laid_out_as_the_store_writes_it(generated: Path) -> None:
    from reqboard.store.storage import board_lines, read_board_lines

    tables = orjson.loads(generated.read_bytes())
    assert generated.read_bytes() == b"".join(board_lines(tables))  # so the bench reads it as users do
    with open(generated, "rb") as fh:
        assert read_board_lines(fh) == tables


def test_meta_counters_match_the_content(generated: Path) -> None:
    tables = orjson.loads(generated.read_bytes())
    meta = tables["meta"]["1"]
    events = _journal(generated)
    cr_numbers = [int(cr["key"][3:]) for r in tables["requirements"].values() for cr in r["change_requests"]]
    assert meta["next_requirement"] == N + 1
    assert meta["next_change_request"] == max(cr_numbers) + 1
    assert meta["generation"] == events[-1]["generation"] == len({e["generation"] for e in events})
    assert meta["journal_size"] == generated.with_name(generated.name + ".history.jsonl").stat().st_size
    assert set(tables["requirements"]) == {str(i) for i in range(1, N + 1)}
    assert {c["name"] for c in tables["customers"].values()} == {r["customer"] for r in tables["requirements"].values()}


def test_history_is_in_commit_order_and_agrees_with_the_records(generated: Path) -> None:
    board = Board(generated, "bench")
    events = board.history()
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert [e.generation for e in events] == sorted(e.generation for e in events)
    assert events[-1].at < NOW
    transactions: dict[str, set[int]] = defaultdict(set)
    last: dict[str, datetime] = {}
    first_moves: dict[tuple[str, str], datetime] = {}
    for e in events:
        transactions[e.key].add(e.generation)
        last[e.key] = e.at
        if e.action == "moved":
            first_moves.setdefault((e.key, e.new), e.at)
    for req in board.requirements():
        assert req.version == len(transactions[req.key]), req.key  # one new version per transaction
        assert req.updated_at == last[req.key]
        for state, at in req.entered_at.items():
            if state is not State.COLLECTED:
                assert first_moves[(req.key, state.value)] == at
    created = [r.created_at for r in board.requirements()]
    assert created == sorted(created)  # keys follow creation time


def test_content_is_varied_like_a_real_board(generated: Path) -> None:
    reqs = Board(generated, "bench").requirements()
    states = Counter(r.state for r in reqs)
    assert all(states[s] > 0 for s in (*BOARD_STATES, State.REJECTED))
    assert {cr.status for r in reqs for cr in r.change_requests} >= {
        CRStatus.SUBMITTED, CRStatus.ASSESSED, CRStatus.APPROVED, CRStatus.CLOSED}
    assert all(r.approvals for r in reqs if r.state in (State.IN_PROGRESS, State.DONE, State.FED_BACK))
    assert all(r.feedback for r in reqs if r.state is State.FED_BACK)
    assert len({r.tier for r in reqs}) == 3 and len({r.channel for r in reqs}) >= 8
    assert any(r.depends_on for r in reqs) and any(r.overdue(NOW.date()) for r in reqs)
    assert any(not r.title.isascii() for r in reqs)


def test_the_store_keeps_working_on_a_generated_board(generated: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.json"
    copy.write_bytes(generated.read_bytes())
    journal = generated.with_name(generated.name + ".history.jsonl")
    copy.with_name("copy.json.history.jsonl").write_bytes(journal.read_bytes())
    board = Board(copy, "someone")
    before = board.get("REQ-7")
    after = board.edit_requirement("REQ-7", {"owner": "Someone Else"}, expect_version=before.version)
    fresh = Board(copy, "reader")
    assert fresh.get("REQ-7").owner == "Someone Else" and after.version == before.version + 1
    assert fresh.history("REQ-7")[-1].new == "Someone Else"
    assert fresh.generation == board.generation and fresh.check() == ([], [])
    assert fresh.add_requirement("A new one").key == f"REQ-{N + 1}"


def test_same_seed_same_bytes_other_seed_other_board(generated: Path, tmp_path: Path) -> None:
    again = generate_board(tmp_path / "again.json", N, seed=3, now=NOW).path
    other = generate_board(tmp_path / "other.json", N, seed=4, now=NOW).path
    assert again.read_bytes() == generated.read_bytes()
    assert _journal(again) == _journal(generated)
    assert other.read_bytes() != generated.read_bytes()


def test_history_per_requirement_can_be_raised(tmp_path: Path) -> None:
    result = generate_board(tmp_path / "long.json", 200, history_per_req=40, now=NOW)
    assert 34 <= result.events / 200 <= 46
    assert Board(result.path, "bench").check() == ([], [])


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        generate_board(path, 10)
    assert path.read_bytes() == b"keep me"


def test_a_process_reports_its_own_peak_memory_not_ours() -> None:
    ballast = b"x" * (300 * 2**20)  # this process now holds 300 MB more than the children will
    small = run_process([sys.executable, "-c", "pass"])
    big = run_process([sys.executable, "-c", "b = b'x' * (150 * 2**20)"])
    assert len(ballast) and small.peak_rss_mb < 100
    assert big.peak_rss_mb > small.peak_rss_mb + 120
    with pytest.raises(RuntimeError, match="boom"):
        run_process([sys.executable, "-c", "import sys; sys.exit('boom')"])


def test_table_says_which_goals_are_met() -> None:
    text = render_table("Store", (1_000, 10_000), [
        Row("durable write", "ms", {1_000: 5.0, 10_000: 200.0}, (10_000, 150)),
        Row("reqboard show", "ms", {1_000: 300.0, 10_000: 400.0}, (10_000, 1000)),
        Row("board file", "MB", {1_000: 1.4, 10_000: 14.7}),
    ])
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert lines["durable write"].endswith("MISSED") and "200.0 ms" in lines["durable write"]
    assert lines["reqboard show"].endswith("met")
    assert "14.7 MB" in lines["board file"] and "goal" in text.splitlines()[0]


def test_store_section_measures_a_cached_board(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench.measure, "CACHE", tmp_path / "cache")
    result = measure_size(60, runs=1)
    assert {"open", "get_fresh", "write", "cli_show", "cli_edit", "cli_list", "cli_list_rss"} <= set(result)
    assert all(value > 0 for value in result.values())
    assert len(list((tmp_path / "cache").glob("store-60-*.json"))) == 1  # the board is cached
    assert not list((tmp_path / "cache").glob("work-*"))  # the working copies are gone
