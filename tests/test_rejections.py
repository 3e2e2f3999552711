"""When, by whom and from which state a requirement was rejected (store.rejections, the archive's
columns): read per requirement or in one pass over the journal, the same answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from reqboard.store.board import Board
from reqboard.store.domain import State
from reqboard.store.rejections import rejections


def test_the_last_rejection_of_each_whichever_way_the_history_is_read(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    moments = iter(datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=n) for n in range(100))
    ann = Board(path, "ann", clock=lambda: next(moments))
    first = ann.add_requirement("Fax integration", customer="Globex", channel="email").key
    second = ann.add_requirement("Dark mode", customer="Initech", channel="survey").key
    ann.add_requirement("Kept")
    for key in (first, second):
        ann.move_requirement(key, State.ANALYSED, updates={"importance": 2, "urgency": 2, "kano": "attractive"})
    ann.reject(first, "nobody sends faxes")
    ann.reject(second, "not this year")
    ann.move_requirement(second, State.COLLECTED, reason="next year came")
    bob = Board(path, "bob", clock=lambda: next(moments))
    bob.reject(second, "not this year either")  # rejected again, by bob, from collected this time

    reqs = [req for req in ann.requirements() if req.state is State.REJECTED]
    one_pass = rejections(ann, reqs, few=0)
    assert one_pass == rejections(ann, reqs, few=len(reqs))
    said = [(r.requirement.key, r.by, r.came_from, r.at == r.requirement.state_since) for r in one_pass]
    assert said == [(first, "ann", State.ANALYSED, True), (second, "bob", State.COLLECTED, True)]
