"""Response targets (issue #16): how soon a requirement must reach a state, by channel and tier.

The settings are tested through the board, on a board file and on a server board (conftest's
`board_location`); the outcomes through the board's requirements on a clock the test sets, and the
rules that need no board (which target applies, when a state counts as reached) on the pure functions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue, NotFound
from reqboard.store.models import Channel, Requirement, State, Tier
from reqboard.store.targets import (
    RESPONSE_TARGETS,
    Outcome,
    Target,
    TargetCheck,
    applicable,
    breached,
    checks,
    reached,
    stored_targets,
)

from board_locations import BoardLocation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(board_location: BoardLocation, clock: Clock) -> Board:
    return board_location.board("lead", clock=clock)


def settings_events(board: Board) -> list[tuple[Any, Any]]:
    return [(e.old, e.new) for e in board.history() if e.action == "settings" and e.field == RESPONSE_TARGETS]


def standing(req: Requirement, targets: tuple[Target, ...], now: datetime) -> tuple[TargetCheck, ...]:
    """How `req` stands against `targets` at `now`, as the metrics and the cards work it out."""
    return checks(targets, channel=req.channel, tier=req.tier, state=req.state,
                  started=req.entered_at.get(State.COLLECTED) or req.created_at, entered_at=req.entered_at, now=now)


# ============================================================================ the board's targets


def test_a_target_is_set_replaced_and_removed_with_its_history(board: Board) -> None:
    assert board.response_targets() == ()
    first = board.set_response_target("analysed", 2, channel="complaint", tier="a")
    assert first == Target(State.ANALYSED, 2.0, Channel.COMPLAINT, Tier.A)
    board.set_response_target("In progress", 0.5)
    assert board.response_targets() == (first, Target(State.IN_PROGRESS, 0.5))
    # The same state, channel and tier again replaces it.
    again = board.set_response_target(State.ANALYSED, 1, channel=Channel.COMPLAINT, tier=Tier.A)
    assert board.response_targets() == (again, Target(State.IN_PROGRESS, 0.5))
    generation = board.generation
    assert board.set_response_target("analysed", 1.0, channel="complaint", tier="A") == again
    assert board.generation == generation  # the same again writes nothing
    assert board.remove_response_target("analysed", channel="complaint", tier="A") == again
    assert board.remove_response_target("in_progress") == Target(State.IN_PROGRESS, 0.5)
    assert board.response_targets() == ()
    assert board.settings().get(RESPONSE_TARGETS) is None  # the last one gone: no setting left behind
    complaint_a = {"state": "analysed", "days": 2.0, "channel": "complaint", "tier": "A"}
    assert settings_events(board) == [
        (None, complaint_a),
        (None, {"state": "in_progress", "days": 0.5, "channel": None, "tier": None}),
        (complaint_a, {**complaint_a, "days": 1.0}),
        ({**complaint_a, "days": 1.0}, None),
        ({"state": "in_progress", "days": 0.5, "channel": None, "tier": None}, None),
    ]


def test_targets_of_one_state_in_other_scopes_are_kept_apart(board: Board) -> None:
    board.set_response_target("analysed", 10)
    board.set_response_target("analysed", 5, tier="A")
    board.set_response_target("analysed", 3, channel="complaint")
    board.set_response_target("analysed", 1, channel="complaint", tier="A")
    board.set_response_target("approved", 20)
    assert [(t.state.value, t.days, t.channel, t.tier) for t in board.response_targets()] == [
        ("analysed", 10.0, None, None), ("analysed", 5.0, None, Tier.A), ("analysed", 3.0, Channel.COMPLAINT, None),
        ("analysed", 1.0, Channel.COMPLAINT, Tier.A), ("approved", 20.0, None, None)]
    with pytest.raises(NotFound):
        board.remove_response_target("analysed", channel="email")
    with pytest.raises(NotFound):
        board.remove_response_target("done")
    assert len(board.response_targets()) == 5


@pytest.mark.parametrize("days", [0, -1, 3650.001, float("nan"), float("inf"), True, "2"])
def test_a_target_outside_0_to_3650_days_is_refused(board: Board, days: Any) -> None:
    with pytest.raises(InvalidValue):
        board.set_response_target("analysed", days)
    assert board.response_targets() == () and settings_events(board) == []


def test_the_bounds_of_a_target_are_taken(board: Board) -> None:
    assert board.set_response_target("analysed", 3650).days == 3650.0
    assert board.set_response_target("approved", 0.001).days == 0.001


@pytest.mark.parametrize("state", ["collected", "rejected", "nowhere", ""])
def test_a_target_names_a_state_after_collected(board: Board, state: str) -> None:
    with pytest.raises(InvalidValue):
        board.set_response_target(state, 2)
    with pytest.raises(InvalidValue):
        board.remove_response_target(state)
    assert board.response_targets() == ()


def test_an_unknown_channel_or_tier_is_refused(board: Board) -> None:
    with pytest.raises(InvalidValue):
        board.set_response_target("analysed", 2, channel="pigeon")
    with pytest.raises(InvalidValue):
        board.set_response_target("analysed", 2, tier="D")
    assert board.response_targets() == ()
    # An empty channel or tier is any, as None is.
    assert board.set_response_target("analysed", 2, channel="", tier="") == Target(State.ANALYSED, 2.0)


def test_a_damaged_setting_is_ignored_not_fatal(board: Board) -> None:
    with board.transaction() as tx:
        tx.set_setting(RESPONSE_TARGETS, "two days")
    assert board.response_targets() == ()
    key = board.add_requirement("Still readable", customer="ACME").key
    assert board.get(key).state is State.COLLECTED and len(board.cards()) == 1
    good = {"state": "analysed", "days": 2, "channel": "complaint", "tier": "A"}
    with board.transaction() as tx:
        tx.set_setting(RESPONSE_TARGETS, [
            good, "junk", None, [], {"state": "analysed"}, {"state": "collected", "days": 1},
            {"state": "rejected", "days": 1}, {"state": "approved", "days": 0}, {"state": "approved", "days": True},
            {"state": "approved", "days": 1e9}, {"state": "done", "days": 1, "channel": "pigeon"},
            {"state": "done", "days": 1, "tier": "Z"}, {"state": "fed_back", "days": "3"},
            {"state": {"x": 1}, "days": 1}, {"state": "in_progress", "days": 4, "channel": None, "tier": None}])
    assert board.response_targets() == (Target(State.ANALYSED, 2.0, Channel.COMPLAINT, Tier.A),
                                         Target(State.IN_PROGRESS, 4.0))
    # Setting one on a damaged list keeps what can be read of it.
    board.set_response_target("done", 9)
    assert [t.state for t in board.response_targets()] == [State.ANALYSED, State.IN_PROGRESS, State.DONE]


def test_a_damaged_setting_reads_as_none_in_the_pure_function() -> None:
    assert stored_targets(None) == () and stored_targets({"state": "analysed", "days": 2}) == ()
    # The same scope twice: the later entry wins, as a set would have left it.
    twice = stored_targets([{"state": "analysed", "days": 2}, {"state": "analysed", "days": 3}])
    assert twice == (Target(State.ANALYSED, 3.0),)


# ============================================================================ which target applies


def test_the_most_specific_target_wins() -> None:
    targets = (Target(State.ANALYSED, 10), Target(State.ANALYSED, 5, tier=Tier.A),
               Target(State.ANALYSED, 3, Channel.COMPLAINT), Target(State.ANALYSED, 1, Channel.COMPLAINT, Tier.A),
               Target(State.APPROVED, 20, tier=Tier.B))
    days = {(channel, tier): [(t.state, t.days) for t in applicable(targets, channel, tier)]
            for channel in (Channel.COMPLAINT, Channel.EMAIL) for tier in (Tier.A, Tier.B, None)}
    assert days == {
        (Channel.COMPLAINT, Tier.A): [(State.ANALYSED, 1)],          # channel and tier
        (Channel.COMPLAINT, Tier.B): [(State.ANALYSED, 3), (State.APPROVED, 20)],  # channel
        (Channel.COMPLAINT, None): [(State.ANALYSED, 3)],
        (Channel.EMAIL, Tier.A): [(State.ANALYSED, 5)],              # tier
        (Channel.EMAIL, Tier.B): [(State.ANALYSED, 10), (State.APPROVED, 20)],  # any
        (Channel.EMAIL, None): [(State.ANALYSED, 10)],
    }
    # The order the targets are given in does not matter.
    assert applicable(tuple(reversed(targets)), Channel.COMPLAINT, Tier.A) == applicable(targets, Channel.COMPLAINT,
                                                                                         Tier.A)


def test_a_state_is_reached_by_entering_it_or_a_later_one() -> None:
    entered = {State.COLLECTED: day(0), State.APPROVED: day(3), State.IN_PROGRESS: day(2), State.REJECTED: day(1)}
    assert reached(entered, State.ANALYSED) == day(2)   # the first of approved and later (in progress first)
    assert reached(entered, State.APPROVED) == day(2)
    assert reached(entered, State.DONE) is None         # rejected is no later state of the flow
    assert reached({}, State.ANALYSED) is None


def test_an_imported_requirement_that_skipped_a_state_reached_it() -> None:
    [check] = checks((Target(State.ANALYSED, 2),), channel=Channel.EMAIL, tier=None, state=State.APPROVED,
                     started=day(0), entered_at={State.COLLECTED: day(0), State.APPROVED: day(1.5)}, now=day(9))
    assert (check.reached, check.outcome, check.deadline) == (day(1.5), Outcome.MET, day(2))


# ============================================================================ outcomes on the board


def test_met_missed_breached_open_and_not_counted(board: Board, clock: Clock) -> None:
    board.set_response_target("analysed", 2)
    analysis = {"importance": 3, "urgency": 3, "kano": "performance"}

    def add(at: float, title: str) -> str:
        clock.at = day(at)
        return board.add_requirement(title, customer="ACME").key

    def to(at: float, key: str, state: str, **kwargs: Any) -> None:
        clock.at = day(at)
        board.move_requirement(key, state, **kwargs)

    met, late, edge, breach, still, due_now, gone, gone_late, reached_then_gone = (
        add(0, "Met"), add(0, "Missed"), add(0, "Met on the dot"), add(0, "Breached"), add(4, "Open"),
        add(3, "Deadline is now"), add(0, "Rejected first"), add(0, "Rejected after the deadline"),
        add(0, "Analysed then rejected"))
    to(1, met, "analysed", updates=analysis)
    to(3, late, "analysed", updates=analysis)
    to(2, edge, "analysed", updates=analysis)
    to(1, gone, "rejected", reason="duplicate")
    to(4, gone_late, "rejected", reason="no budget")
    to(1, reached_then_gone, "analysed", updates=analysis)
    to(1.5, reached_then_gone, "rejected", reason="withdrawn")
    targets = board.response_targets()
    now = day(5)
    outcomes = {board.get(k).title: [c.outcome for c in standing(board.get(k), targets, now)]
                for k in (met, late, edge, breach, still, due_now, gone, gone_late, reached_then_gone)}
    assert outcomes == {
        "Met": [Outcome.MET], "Missed": [Outcome.MISSED], "Met on the dot": [Outcome.MET],
        "Breached": [Outcome.BREACHED], "Open": [Outcome.OPEN], "Deadline is now": [Outcome.OPEN],
        "Rejected first": [None], "Rejected after the deadline": [None], "Analysed then rejected": [Outcome.MET],
    }
    [check] = standing(board.get(breach), targets, now)
    assert (check.deadline, check.reached) == (day(2), None)
    assert breached(standing(board.get(breach), targets, now)) == (check,)
    assert breached(standing(board.get(late), targets, now)) == ()
    # A microsecond later the deadline of the one due now has passed.
    [after] = standing(board.get(due_now), targets, now + timedelta(microseconds=1))
    assert after.outcome is Outcome.BREACHED
    # Reopened, a rejected one counts again, from when it was first collected.
    to(6, gone, "collected", reason="after all")
    assert [c.outcome for c in standing(board.get(gone), targets, day(6))] == [Outcome.BREACHED]


def test_a_requirement_moved_on_has_passed_every_state_before(board: Board, clock: Clock) -> None:
    board.set_response_target("analysed", 1)
    board.set_response_target("approved", 3)
    board.set_response_target("done", 10)
    key = board.add_requirement("Fast", customer="ACME").key
    clock.at = day(0.5)
    board.move_requirement(key, "analysed", updates={"importance": 3, "urgency": 3, "kano": "performance"})
    clock.at = day(4)
    board.approve(key, "ok")
    clock.at = day(4.5)
    board.move_requirement(key, "in_progress", updates={"owner": "anna"})
    clock.at = day(5)
    board.move_requirement(key, "analysed", reason="rethink")  # back: the first entries stand
    found = [(c.target.state, c.reached, c.outcome) for c in standing(board.get(key), board.response_targets(), day(12))]
    assert found == [(State.ANALYSED, day(0.5), Outcome.MET), (State.APPROVED, day(4), Outcome.MISSED),
                     (State.DONE, None, Outcome.BREACHED)]


def test_the_card_stands_as_the_requirement_does(board: Board, clock: Clock) -> None:
    board.set_response_target("analysed", 2, channel="complaint", tier="A")
    board.set_response_target("analysed", 4)
    a = board.add_requirement("Angry key account", customer="ACME", tier="A", channel="complaint").key
    b = board.add_requirement("Calm", customer="Globex", tier="B", channel="complaint").key
    targets = board.response_targets()
    for now in (day(1), day(3), day(5)):
        cards = {c.key: c for c in board.cards()}
        for key in (a, b):
            assert cards[key].target_checks(targets, now) == standing(board.get(key), targets, now)
    assert [c.outcome for c in cards[a].target_checks(targets, day(3))] == [Outcome.BREACHED]
    assert [c.outcome for c in cards[b].target_checks(targets, day(3))] == [Outcome.OPEN]


def test_the_clock_starts_at_collection(board: Board, clock: Clock) -> None:
    clock.at = day(1)
    key = board.add_requirement("Started on day 1", customer="ACME").key
    [check] = standing(board.get(key), (Target(State.ANALYSED, 0.5),), day(1.25))
    assert (check.deadline, check.outcome) == (day(1.5), Outcome.OPEN)


def test_an_unknown_channel_or_tier_is_refused_saying_which_there_are(board: Board) -> None:
    with pytest.raises(InvalidValue) as channel:
        board.set_response_target("analysed", 2, channel="pigeon")
    assert "hotline" in str(channel.value) and set(channel.value.errors) == {"channel"}
    with pytest.raises(InvalidValue) as tier:
        board.set_response_target("analysed", 2, tier="Z")
    assert "A, B, C" in str(tier.value) and set(tier.value.errors) == {"tier"}
    assert board.response_targets() == ()
