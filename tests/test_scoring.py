"""The team's priority score (issue #15, item 5): weights, the score of a card or a requirement, the setting."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.cards import Card
from reqboard.store.demo import build_demo_board
from reqboard.store.domain import Feasibility, Tier
from reqboard.store.errors import InvalidValue
from reqboard.store.reader import BoardReader
from reqboard.store.scoring import (
    DEFAULT_WEIGHTS,
    FACTOR_LABELS,
    SCORE_WEIGHTS,
    WEIGHT_NAMES,
    Weights,
    effort_factor,
    explain,
    factor_label,
    score,
    weights_of,
)
from tests.zh_support import english_words


@pytest.fixture(scope="module")
def demo_board(tmp_path_factory: pytest.TempPathFactory) -> Board:
    path = tmp_path_factory.mktemp("scoring") / "demo.json"
    build_demo_board(path)
    return Board(path, "tester")


def item(importance: int | None = 3, urgency: int | None = 3, *, value: int | None = None,
         effort: float | None = None, feasibility: Feasibility | None = None, tier: Tier | None = None) -> Any:
    """Something with what a score is made of, as a Card and a Requirement both have it."""
    return SimpleNamespace(importance=importance, urgency=urgency, business_value=value, effort_estimate=effort,
                           feasibility=feasibility, tier=tier)


# ---------------------------------------------------------------- the default is importance x urgency

def test_the_default_weights_are_importance_times_urgency() -> None:
    assert Weights() == DEFAULT_WEIGHTS
    assert (DEFAULT_WEIGHTS.importance, DEFAULT_WEIGHTS.urgency) == (1, 1)
    assert DEFAULT_WEIGHTS.value == DEFAULT_WEIGHTS.effort == DEFAULT_WEIGHTS.feasibility == DEFAULT_WEIGHTS.tier == 0
    for importance in range(1, 6):
        for urgency in range(1, 6):
            thing = item(importance, urgency, value=1, effort=1000, feasibility=Feasibility.LOW, tier=Tier.C)
            assert score(thing) == importance * urgency


def test_the_default_score_of_every_demo_card_and_requirement_is_its_priority(demo_board: Board) -> None:
    cards, models = demo_board.cards(), demo_board.requirements()
    weights = demo_board.score_weights()
    assert weights == DEFAULT_WEIGHTS  # the demo sets no weights
    scored = 0
    for card, req in zip(cards, models, strict=True):
        assert score(card, weights) == card.priority == req.priority == score(req, weights), card.key
        scored += card.priority is not None
    assert scored > 20  # the demo has requirements with and without a priority
    # So a column sorted by score keeps the order it had by priority.
    def by_score(c: Card) -> tuple[float, int]:
        return (-(score(c, weights) or 0), c.number)

    def by_priority(c: Card) -> tuple[int, int]:
        return (-(c.priority or 0), c.number)

    assert sorted(cards, key=by_score) == sorted(cards, key=by_priority)


@pytest.mark.parametrize("weights", [DEFAULT_WEIGHTS, Weights(value=3, effort=2, feasibility=1, tier=1),
                                     Weights(importance=0, urgency=0, tier=5)])
def test_no_score_until_importance_and_urgency_are_set(weights: Weights) -> None:
    assert score(item(None, 4, value=5), weights) is None
    assert score(item(4, None, value=5), weights) is None
    assert score(item(None, None), weights) is None
    assert explain(item(None, 4), weights) == []


# ---------------------------------------------------------------- the factors

@pytest.mark.parametrize("hours, factor", [
    (None, 3), (0, 5), (8, 5), (8.5, 4), (24, 4), (24.1, 3), (80, 3), (81, 2), (240, 2), (240.5, 1), (10_000, 1),
])
def test_effort_is_a_cost(hours: float | None, factor: int) -> None:
    assert effort_factor(hours) == factor


def test_each_factor_on_its_scale_as_explained() -> None:
    weights = Weights(importance=1, urgency=1, value=1, effort=1, feasibility=1, tier=1)
    thing = item(5, 2, value=4, effort=30, feasibility=Feasibility.HIGH, tier=Tier.C)
    assert explain(thing, weights) == [("importance", 5, 1), ("urgency", 2, 1), ("value", 4, 1), ("effort", 3, 1),
                                       ("feasibility", 5, 1), ("tier", 1, 1)]
    assert score(thing, weights) == 5 * 2 * 4 * 3 * 5 * 1
    unset = item(5, 2)  # value, effort, feasibility and tier not set: the middle of each scale
    assert [factor for _name, factor, _weight in explain(unset, weights)] == [5, 2, 3, 3, 3, 3]
    assert [f for _n, f, _w in explain(item(feasibility=Feasibility.MEDIUM, tier=Tier.B), weights)][4:] == [3, 3]
    assert [f for _n, f, _w in explain(item(feasibility=Feasibility.LOW, tier=Tier.A), weights)][4:] == [1, 5]
    assert [f for _n, f, _w in explain(item(feasibility=Feasibility.UNKNOWN), weights)][4] == 3


def test_explain_names_only_the_factors_that_count_and_makes_the_score() -> None:
    weights = Weights(importance=2, urgency=0.5, value=0, effort=1.5, feasibility=0, tier=3)
    thing = item(4, 3, value=5, effort=100, feasibility=Feasibility.LOW, tier=Tier.A)
    explained = explain(thing, weights)
    assert [name for name, _f, _w in explained] == ["importance", "urgency", "effort", "tier"]
    assert set(FACTOR_LABELS) == set(WEIGHT_NAMES)
    assert [factor_label(name) for name, _f, _w in explained] == ["importance", "urgency", "effort", "customer tier"]
    i18n.set_language("zh_CN")
    assert [factor_label(name) for name, _f, _w in explained] == ["重要性", "紧急程度", "工作量", "客户层级"]
    made = math.prod(factor ** weight for _name, factor, weight in explained)
    assert score(thing, weights) == round(made, 2) == round(4**2 * 3**0.5 * 2**1.5 * 5**3, 2)


def test_a_score_has_two_decimals() -> None:
    value = score(item(2, 3), Weights(importance=0.5))
    assert value == round(2**0.5 * 3, 2) == 4.24


def test_a_score_out_of_range_in_a_hand_edited_record_stays_a_number() -> None:
    """A card shows a record before the model checks it: a negative score must not make a complex one."""
    value = score(item(-2, 3, value=0), Weights(importance=0.5, value=1.5))
    assert isinstance(value, float) and value == round(1 * 3 * 1, 2)


# Each factor, raised: (the item with the factor low, the item with it high).
RAISED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "importance": ({"importance": 2}, {"importance": 4}),
    "urgency": ({"urgency": 1}, {"urgency": 5}),
    "value": ({"value": 1}, {"value": 5}),
    "effort": ({"effort": 300.0}, {"effort": 4.0}),  # cheaper is worth more
    "feasibility": ({"feasibility": Feasibility.LOW}, {"feasibility": Feasibility.HIGH}),
    "tier": ({"tier": Tier.C}, {"tier": Tier.A}),
}


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(WEIGHT_NAMES),
       others=st.fixed_dictionaries({n: st.floats(0, 10) for n in WEIGHT_NAMES}),
       weight=st.floats(0.1, 10),
       base=st.fixed_dictionaries({"importance": st.integers(1, 5), "urgency": st.integers(1, 5),
                                   "value": st.none() | st.integers(1, 5),
                                   "effort": st.none() | st.floats(0, 1000),
                                   "feasibility": st.none() | st.sampled_from(list(Feasibility)),
                                   "tier": st.none() | st.sampled_from(list(Tier))}))
def test_a_weight_moves_the_order_the_way_its_factor_says(name: str, others: dict[str, float], weight: float,
                                                          base: dict[str, Any]) -> None:
    low_fields, high_fields = RAISED[name]
    low, high = item(**{**base, **low_fields}), item(**{**base, **high_fields})
    weighted = Weights(**{**others, name: weight})
    unweighted = Weights(**{**others, name: 0})
    low_score, high_score = score(low, weighted), score(high, weighted)
    assert low_score is not None and high_score is not None
    assert high_score >= low_score  # never the wrong way round
    # Weighted, the better one is ahead by the factor's ratio to the weight's power (to rounding).
    ratio = (_factor(high, name) / _factor(low, name)) ** weight
    if low_score > 0.05:
        assert high_score / low_score == pytest.approx(ratio, rel=0.02, abs=0.02)
    # Not weighted, the factor does not count.
    assert score(low, unweighted) == score(high, unweighted)


def _factor(thing: Any, name: str) -> float:
    return next(factor for n, factor, _w in explain(thing, Weights(**{n: 1.0 for n in WEIGHT_NAMES})) if n == name)


def test_raising_a_weight_moves_an_item_strong_in_that_factor_ahead() -> None:
    urgent_cheap = item(2, 5, effort=4)       # 10 by default
    important_costly = item(4, 3, effort=500)  # 12 by default
    assert (score(important_costly), score(urgent_cheap)) == (12, 10)
    cost_counts = Weights(effort=1)  # 4 hours score 5, 500 hours 1
    assert (score(important_costly, cost_counts), score(urgent_cheap, cost_counts)) == (12, 50)


# ---------------------------------------------------------------- the stored setting

@pytest.mark.parametrize("stored", [
    None, {}, [], "importance=2", 3, {"imp": 2}, {"value": "2"}, {"value": True}, {"value": -1}, {"value": 10.5},
    {"value": float("nan")}, {"value": 2, "speed": 1},
])
def test_a_missing_or_damaged_setting_is_the_default(stored: Any) -> None:
    assert weights_of(stored) == DEFAULT_WEIGHTS


def test_a_stored_setting_names_the_weights_that_differ() -> None:
    assert weights_of({"value": 2, "effort": 0.5}) == Weights(value=2, effort=0.5)
    assert weights_of({"importance": 0, "tier": 10}) == Weights(importance=0, tier=10)
    assert Weights(value=2, effort=0.5).stored() == {"value": 2, "effort": 0.5}
    assert DEFAULT_WEIGHTS.stored() == {}


def test_weights_round_trip_through_the_board_setting(board_of: Callable[..., Board]) -> None:
    board = board_of(1)
    assert board.score_weights() == DEFAULT_WEIGHTS
    assert board.set_score_weights({"value": 2, "Effort": "1.5"}) == Weights(value=2, effort=1.5)
    assert board.settings()[SCORE_WEIGHTS] == {"value": 2.0, "effort": 1.5}  # only what differs
    assert board.set_score_weights({"tier": 1}) == Weights(value=2, effort=1.5, tier=1)  # the others stay
    reader = BoardReader(board.path, "bo")  # another process's view, without the models
    assert reader.score_weights() == Weights(value=2, effort=1.5, tier=1)
    events = [e for e in board.history() if e.action == "settings" and e.field == SCORE_WEIGHTS]
    assert [(e.old, e.new) for e in events] == [
        (["importance=1", "urgency=1", "value=0", "effort=0", "feasibility=0", "tier=0"],
         ["importance=1", "urgency=1", "value=2", "effort=1.5", "feasibility=0", "tier=0"]),
        (["importance=1", "urgency=1", "value=2", "effort=1.5", "feasibility=0", "tier=0"],
         ["importance=1", "urgency=1", "value=2", "effort=1.5", "feasibility=0", "tier=1"]),
    ]
    assert events[-1].by == "ann" and events[-1].key == "board"
    generation = board.generation
    assert board.set_score_weights({"tier": 1.0}) == Weights(value=2, effort=1.5, tier=1)  # no change: no write
    assert board.generation == generation
    assert board.set_score_weights({"value": 0, "effort": 0, "tier": 0}) == DEFAULT_WEIGHTS
    assert SCORE_WEIGHTS not in board.settings()  # all default: the setting is gone


def test_weights_may_be_named_in_chinese(board_of: Callable[..., Board]) -> None:
    board = board_of(1)
    assert board.set_score_weights({"价值": 2, "工作量": 1, "可行性": 0.5, "客户层级": 3, "重要性": 2, "紧急程度": 1}) == \
        Weights(importance=2, urgency=1, value=2, effort=1, feasibility=0.5, tier=3)


@pytest.mark.parametrize("changes, message", [
    ({"speed": 1}, "there is no score weight 'speed': the weights are importance, urgency, value, effort, "
                   "feasibility, tier"),
    ({"value": 11}, "the score weight value must be a number from 0 to 10 (it is 11)"),
    ({"value": -0.5}, "the score weight value must be a number from 0 to 10 (it is -0.5)"),
    ({"tier": "high"}, "the score weight tier must be a number from 0 to 10 (it is 'high')"),
    ({"tier": float("inf")}, "the score weight tier must be a number from 0 to 10 (it is inf)"),
    ({"urgency": True}, "the score weight urgency must be a number from 0 to 10 (it is True)"),
    ({"value": 2, "Tier": None}, "the score weight Tier must be a number from 0 to 10 (it is None)"),
])
def test_a_bad_weight_is_refused_and_nothing_changes(board_of: Callable[..., Board], changes: dict[str, Any],
                                                    message: str) -> None:
    board = board_of(1)
    board.set_score_weights({"effort": 1})
    generation = board.generation
    with pytest.raises(InvalidValue) as caught:
        board.set_score_weights(changes)
    assert str(caught.value) == message
    assert board.score_weights() == Weights(effort=1) and board.generation == generation


def test_a_bad_weight_is_refused_in_chinese(board_of: Callable[..., Board]) -> None:
    board = board_of(1)
    i18n.set_language("zh_CN")
    with pytest.raises(InvalidValue) as caught:
        board.set_score_weights({"速度": 1})
    said = str(caught.value)
    assert said.startswith("没有名为 '速度' 的评分权重") and "价值（value）、工作量（effort）" in said
    assert english_words(said, allowed=WEIGHT_NAMES) == set()
    with pytest.raises(InvalidValue, match=r"^评分权重 价值 必须是 0 到 10 之间的数字（当前为 12）$"):
        board.set_score_weights({"价值": 12})


def test_a_damaged_setting_is_written_anew_by_the_next_change(board_of: Callable[..., Board]) -> None:
    board = board_of(1)
    with board.transaction() as tx:
        tx.set_setting(SCORE_WEIGHTS, {"value": "lots"})
    assert board.score_weights() == DEFAULT_WEIGHTS
    assert board.set_score_weights({"value": 1}) == Weights(value=1)
    assert board.settings()[SCORE_WEIGHTS] == {"value": 1.0}


# ---------------------------------------------------------------- cards and models

@settings(max_examples=25, deadline=None)
@given(weights=st.builds(Weights, **{n: st.floats(0, 10) for n in WEIGHT_NAMES}))
def test_cards_and_requirements_score_the_same(demo_board: Board, weights: Weights) -> None:
    for card, req in zip(demo_board.cards(), demo_board.requirements(), strict=True):
        assert score(card, weights) == score(req, weights), card.key
        assert explain(card, weights) == explain(req, weights), card.key


def test_weighted_columns_sort_by_the_team_s_score(demo_board: Board) -> None:
    """The weights change the order (else the setting would be for nothing), and a card with more of
    the weighted factor comes first among those equal by importance x urgency."""
    cards = [c for c in demo_board.cards() if c.priority is not None]
    weights = replace(DEFAULT_WEIGHTS, value=2, tier=1)

    def order(w: Weights) -> list[str]:
        return [c.key for c in sorted(cards, key=lambda c: (-(score(c, w) or 0), c.number))]

    assert order(weights) != order(DEFAULT_WEIGHTS)
    for a in cards:
        for b in cards:
            if a.priority == b.priority and a.tier == b.tier and (a.business_value or 3) > (b.business_value or 3):
                assert order(weights).index(a.key) < order(weights).index(b.key)


# ---------------------------------------------------------------- no models to read the weights

_PROBE = r"""
import json, sys
from reqboard.store.reader import BoardReader
from reqboard.store.scoring import score
reader = BoardReader(sys.argv[1], "probe")
weights = reader.score_weights()
scores = [score(card, weights) for card in reader.cards()]
print(json.dumps({"weights": weights.stored(), "scores": scores, "pydantic": "pydantic" in sys.modules}))
"""


def test_the_first_frame_reads_the_weights_and_scores_without_pydantic(tmp_path: Path) -> None:
    board = Board(tmp_path / "board.json", "ann")
    board.add_requirement("Scored", importance=4, urgency=2, business_value=5)
    board.set_score_weights({"value": 1})
    done = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path / "board.json")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"weights": {"value": 1.0}, "scores": [40.0], "pydantic": False}
