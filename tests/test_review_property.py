"""Dependencies as a property (issue #15): over random dependency graphs and random sequences of moves,
with and without an override,

- no requirement reaches in progress or done while something it depends on is unfinished, unless that
  very move recorded a "dependency_overridden" event naming the blockers (and a refusal by
  "dependency.open" happens exactly when the move would have broken that);
- a link that would close a cycle is refused when it is made, every other link is taken, and the
  dependency graph stays acyclic.

The expectations are worked out here from the board's states before each step, independently of
store/links.py and store/review.py. Deterministic (derandomized, no example database) and quick.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reqboard.store.board import Board
from reqboard.store.errors import Refused
from reqboard.store.models import State
from reqboard.store.workflow import next_state, previous_state

FINISHED = {State.DONE, State.FED_BACK}
# Mostly on to the next column (that is where dependencies act), sometimes back, rejected or reopened.
WAYS = ("next",) * 6 + ("back", "back", "back", "reject")

link = st.tuples(st.just("link"), st.integers(0, 5), st.integers(0, 5))
move = st.tuples(st.just("move"), st.integers(0, 5), st.sampled_from(WAYS), st.booleans(), st.booleans())
steps = st.lists(st.one_of(link, move, move, move), min_size=5, max_size=40)


def _clock() -> Any:
    now = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return tick


def _reaches(depends: dict[str, set[str]], start: str, goal: str) -> bool:
    """Does `start` depend on `goal`, directly or through a chain?"""
    seen, todo = set(), [start]
    while todo:
        key = todo.pop()
        if key == goal:
            return True
        if key not in seen:
            seen.add(key)
            todo.extend(depends[key])
    return False


def _acyclic(depends: dict[str, set[str]]) -> bool:
    return not any(_reaches(depends, other, key) for key in depends for other in depends[key])


def _attempt(board: Board, key: str, target: State, override: bool, reason: str) -> None:
    """Move `key` to `target` as a person would, giving what the target's guard asks for."""
    if target is State.APPROVED:
        board.move_requirement(key, target, reason=reason, inputs={"comment": "ok"},
                               override_dependency=override)
    elif target is State.FED_BACK:
        board.move_requirement(key, target, reason=reason, inputs={"satisfaction": 4},
                               override_dependency=override)
    else:
        board.move_requirement(key, target, reason=reason, override_dependency=override)


def _target(state: State, way: str) -> State:
    if state is State.REJECTED:
        return State.COLLECTED
    if way == "reject":
        return State.REJECTED
    if way == "back":
        return previous_state(state) or State.REJECTED
    return next_state(state) or State.IN_PROGRESS  # fed back: back to work


def _overrides(board: Board, key: str) -> list[Any]:
    return [e for e in board.history(key) if e.action == "dependency_overridden"]


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(2, 5), plan=steps)
# Always tried: finished work moved back into progress while what it depends on was reopened meanwhile.
@example(size=2, plan=[("link", 1, 0), *[("move", key, "next", False, False) for key in (0, 0, 1, 1)],
                       ("move", 0, "back", False, True), ("move", 1, "back", False, True),
                       ("move", 1, "back", True, True), ("move", 1, "next", False, True)])
def test_no_work_passes_an_unfinished_dependency_without_a_recorded_override(size: int, plan: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        board = Board(Path(folder) / "board.json", "ann", clock=_clock())
        keys = [board.add_requirement(f"Requirement {n}", customer="ACME", importance=3, urgency=3,
                                      kano="performance", owner="bob").key for n in range(size)]
        for key in keys:  # approved: one move from work that waits
            board.move_requirement(key, State.ANALYSED)
            board.approve(key)
        depends: dict[str, set[str]] = {key: set() for key in keys}
        for step in plan:
            if step[0] == "link":
                key, other = keys[step[1] % size], keys[step[2] % size]
                if key == other or other in depends[key]:
                    continue
                closes_cycle = _reaches(depends, other, key)
                try:
                    board.edit_requirement(key, {"depends_on": (*board.get(key).depends_on, other)})
                except Refused as refusal:
                    assert refusal.rule == "dependency.cycle" and closes_cycle, (key, other, str(refusal))
                    continue
                assert not closes_cycle, f"{key} -> {other} closed a cycle"
                depends[key].add(other)
                continue
            _kind, index, way, override, with_reason = step
            key = keys[index % size]
            states = {req.key: req.state for req in board.requirements()}
            target = _target(states[key], way)
            blockers = sorted(other for other in depends[key] if states[other] not in FINISHED)
            before = len(_overrides(board, key))
            try:
                _attempt(board, key, target, override, "because" if with_reason else "")
            except Refused as refusal:
                if refusal.rule == "dependency.open":
                    assert blockers and not override and target in (State.IN_PROGRESS, State.DONE), str(refusal)
                assert len(_overrides(board, key)) == before  # a refused move records nothing
                continue
            now = board.get(key).state
            recorded = _overrides(board, key)[before:]
            if now in (State.IN_PROGRESS, State.DONE) and now is not states[key] and blockers:
                assert override, f"{key} reached {now.value} before {blockers} finished, without an override"
                assert [(e.old, e.new) for e in recorded] == [(blockers, now.value)]
            else:
                assert recorded == [], f"an override of {key} was recorded for a move that needed none"
        stored = {req.key: set(req.depends_on) for req in board.requirements()}
        assert stored == depends and _acyclic(stored)
