"""Satisfaction surveys through the store (issue #16): readings on delivery and interim ones, scores by
the board's dimensions, reasons for a low score, the board's lists; and the pure functions that read
and check those lists (store.surveys).

The board's tests run on a board file and on a server board (conftest's `board_location`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.errors import Conflict, InvalidValue
from reqboard.store.models import Channel, State
from reqboard.store.surveys import (
    COMPLAINT_CAUSES,
    LOW_SCORE_REASONS,
    SURVEY_DIMENSIONS,
    checked_reasons,
    checked_scores,
    clean_codes,
    code_label,
    code_of,
    stored_codes,
)

from board_locations import BoardLocation
from customer_side import T0, Clock, analysed, done, events, in_progress, invalid, refused


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def people(board_location: BoardLocation, clock: Clock) -> Callable[[str], Board]:
    """`people("bob")`: the one board, opened by that person, all on the test's clock."""
    return lambda user: board_location.board(user, clock=clock)


@pytest.fixture
def board(people: Callable[[str], Board]) -> Board:
    return people("lead")


# ============================================================================ satisfaction readings


def test_an_interim_reading_never_moves_the_card(board: Board, clock: Clock) -> None:
    fresh = board.add_requirement("Collected", customer="ACME").key
    middle = in_progress(board, "Under way")
    delivered = done(board, "Delivered")
    gone = board.add_requirement("Rejected", customer="ACME").key
    board.reject(gone, "no budget")
    clock.at = T0 + timedelta(days=1)
    for key in (fresh, middle, delivered, gone):
        state = board.get(key).state
        after = board.record_feedback(key, 3, "so far so good", interim=True)
        assert after.state is state
        assert [(f.satisfaction, f.interim, f.comment, f.at) for f in after.feedback] == [
            (3, True, "so far so good", clock.at)]
        [event] = events(board, key, "interim_feedback")
        assert (event.field, event.new, event.reason) == ("feedback", 3, "so far so good")
        assert events(board, key, "feedback") == []


def test_feedback_before_done_is_refused_and_done_moves_to_fed_back(board: Board) -> None:
    for key in (board.add_requirement("Collected", customer="ACME").key, analysed(board, "Analysed"),
                in_progress(board, "Under way")):
        state = board.get(key).state
        message = refused("fed_back.after_done", lambda key=key: board.record_feedback(key, 4))
        assert "--interim" in str(message)
        assert board.get(key).state is state and board.get(key).feedback == ()
    key = done(board)
    told = board.record_feedback(key, 5, "lovely")
    assert told.state is State.FED_BACK and told.feedback[-1].interim is False
    again = board.record_feedback(key, 4, "second thoughts")
    assert again.state is State.FED_BACK and [f.satisfaction for f in again.feedback] == [5, 4]
    assert [(e.new, e.reason) for e in events(board, key, "feedback")] == [(5, "lovely"), (4, "second thoughts")]


def test_the_reading_goes_out_by_mail_unless_told_or_by_the_requirements_channel(board: Board) -> None:
    key = board.add_requirement("Through the hotline", customer="ACME", channel="hotline").key
    assert board.record_feedback(key, 4, interim=True).feedback[-1].channel is Channel.EMAIL
    assert board.record_feedback(key, 4, interim=True, channel=None).feedback[-1].channel is Channel.HOTLINE
    assert board.record_feedback(key, 4, interim=True, channel="survey").feedback[-1].channel is Channel.SURVEY


def test_scores_by_dimension_are_stored_as_the_board_names_them(board: Board) -> None:
    key = board.add_requirement("Scored", customer="ACME").key
    reading = board.record_feedback(key, 4, interim=True, scores={"QUALITY": 5, " Responsiveness ": 3}).feedback[-1]
    assert reading.scores == {"quality": 5, "responsiveness": 3}
    invalid("scores", lambda: board.record_feedback(key, 4, interim=True, scores={"price": 3}))
    for bad in (0, 6, -1, 2.5, True, "4"):
        invalid("scores", lambda bad=bad: board.record_feedback(key, 4, interim=True, scores={"quality": bad}))
    # One dimension twice (in two cases) is refused: which score the customer gave is not ours to pick.
    invalid("scores", lambda: board.record_feedback(key, 4, interim=True, scores={"Quality": 2, "quality": 5}))
    assert len(board.get(key).feedback) == 1


def test_dimensions_and_reasons_by_their_chinese_label(board: Board) -> None:
    key = board.add_requirement("In Chinese", customer="ACME").key
    i18n.set_language(i18n.CHINESE)
    reading = board.record_feedback(key, 2, interim=True, scores={"质量": 2, "沟通": 4},
                                    reasons=["延误", "与约定不符"]).feedback[-1]
    assert reading.scores == {"quality": 2, "communication": 4}
    assert reading.reasons == ("late", "not-as-agreed")
    assert board.record_feedback(key, 1, interim=True, reasons=["Late"]).feedback[-1].reasons == ("late",)


def test_a_low_score_needs_a_known_reason(board: Board) -> None:
    key = board.add_requirement("Unhappy", customer="ACME").key
    for low in (1, 2):
        message = invalid("reasons", lambda low=low: board.record_feedback(key, low, interim=True))
        assert str(message) == (f"a satisfaction of {low} needs a reason: one or more of late, not as agreed, "
                                "quality, communication")
    invalid("reasons", lambda: board.record_feedback(key, 1, interim=True, reasons=["weather"]))
    invalid("reasons", lambda: board.record_feedback(key, 5, interim=True, reasons=["weather"]))
    assert board.get(key).feedback == ()
    taken = board.record_feedback(key, 2, interim=True, reasons=["LATE", "not as agreed", "late"]).feedback[-1]
    assert taken.reasons == ("late", "not-as-agreed")  # each once, as the list spells it
    assert board.record_feedback(key, 3, interim=True).feedback[-1].reasons == ()


@pytest.mark.parametrize("score", [0, 6])
def test_a_satisfaction_outside_1_to_5_is_refused(board: Board, score: int) -> None:
    key = board.add_requirement("Out of range", customer="ACME").key
    with pytest.raises(InvalidValue):
        board.record_feedback(key, score, interim=True, reasons=["late"])
    with pytest.raises(InvalidValue):
        board.record_feedback(key, score, interim=True)
    assert board.get(key).feedback == ()


def test_a_satisfaction_of_0_is_refused_as_out_of_range_not_for_a_missing_reason(board: Board) -> None:
    key = board.add_requirement("Zero", customer="ACME").key
    error = invalid("satisfaction", lambda: board.record_feedback(key, 0, interim=True))
    assert "reason" not in str(error)


def test_moving_to_fed_back_takes_the_reading_with_its_reasons(board: Board) -> None:
    key = done(board, channel="hotline")
    invalid("reasons", lambda: board.move_requirement(key, State.FED_BACK, inputs={"satisfaction": 2}))
    invalid("reasons", lambda: board.move_requirement(key, State.FED_BACK,
                                                      inputs={"satisfaction": 1, "reasons": "weather"}))
    assert board.get(key).state is State.DONE and board.get(key).feedback == ()
    moved = board.move_requirement(key, State.FED_BACK, inputs={
        "satisfaction": 1, "reasons": " Late ,quality", "comment": "slow", "channel": "hotline"})
    reading = moved.feedback[-1]
    assert moved.state is State.FED_BACK
    assert (reading.satisfaction, reading.reasons, reading.comment, reading.channel, reading.interim) == (
        1, ("late", "quality"), "slow", Channel.HOTLINE, False)
    assert [(e.new, e.reason) for e in events(board, key, "feedback")] == [(1, "slow")]
    # Told through nothing named: by mail, as `feedback` (the board's prompt offers the requirement's channel).
    other = done(board, "Happy one", channel="hotline")
    reading = board.move_requirement(other, State.FED_BACK, inputs={"satisfaction": 4}).feedback[-1]
    assert (reading.reasons, reading.channel) == ((), Channel.EMAIL)


def test_feedback_on_a_stale_version_is_a_conflict(board: Board) -> None:
    key = done(board)
    seen = board.get(key).version
    board.add_note(key, "A call meanwhile")
    with pytest.raises(Conflict) as info:
        board.record_feedback(key, 5, expect_version=seen)
    assert info.value.exit_code == 3
    assert board.get(key).state is State.DONE and board.get(key).feedback == ()


def test_the_survey_lists_are_board_settings_with_their_history(board: Board) -> None:
    assert board.survey_dimensions() == SURVEY_DIMENSIONS.default
    assert board.low_score_reasons() == LOW_SCORE_REASONS.default
    assert board.complaint_causes() == COMPLAINT_CAUSES.default
    assert board.set_codes("survey_dimensions", [" Speed ", "price,Speed", "support  desk"]) == (
        "Speed", "price", "support desk")
    assert board.survey_dimensions() == ("Speed", "price", "support desk")
    assert board.set_codes(LOW_SCORE_REASONS, ["too slow"]) == ("too slow",)
    key = board.add_requirement("Surveyed", customer="ACME").key
    reading = board.record_feedback(key, 2, interim=True, scores={"SPEED": 2, "Support Desk": 4},
                                    reasons=["Too Slow"]).feedback[-1]
    assert reading.scores == {"Speed": 2, "support desk": 4} and reading.reasons == ("too slow",)
    invalid("scores", lambda: board.record_feedback(key, 4, interim=True, scores={"quality": 4}))
    invalid("reasons", lambda: board.record_feedback(key, 1, interim=True, reasons=["late"]))
    # None puts the default back; setting the same list again records nothing.
    assert board.set_codes(SURVEY_DIMENSIONS, None) == SURVEY_DIMENSIONS.default
    assert board.set_codes(SURVEY_DIMENSIONS, None) == SURVEY_DIMENSIONS.default
    assert board.survey_dimensions() == SURVEY_DIMENSIONS.default
    changes = [(e.field, e.old, e.new) for e in events(board, None, "settings")]
    assert changes == [
        ("survey_dimensions", list(SURVEY_DIMENSIONS.default), ["Speed", "price", "support desk"]),
        ("low_score_reasons", list(LOW_SCORE_REASONS.default), ["too slow"]),
        ("survey_dimensions", ["Speed", "price", "support desk"], list(SURVEY_DIMENSIONS.default)),
    ]


def test_a_survey_list_refuses_what_cannot_be_a_code(board: Board) -> None:
    for bad in ([], [" ", ","], ["x" * 41], [f"d{n}" for n in range(13)], ["ok", "bi\u202edi"], ["tab\x07"]):
        with pytest.raises(InvalidValue):
            board.set_codes("survey_dimensions", bad)
    with pytest.raises(InvalidValue) as info:
        board.set_codes("favourite_colours", ["red"])
    assert "survey_dimensions" in str(info.value)
    assert board.survey_dimensions() == SURVEY_DIMENSIONS.default
    assert board.set_codes("survey_dimensions", [f"d{n}" for n in range(12)])[-1] == "d11"


def test_a_damaged_survey_list_reads_as_what_can_be_used(board: Board) -> None:
    with board.transaction() as tx:
        tx.set_setting("survey_dimensions", ["Speed", "speed", " padded ", "a,b", 7, "", "x" * 41, "ok\x07",
                                             "Price"])
        tx.set_setting("low_score_reasons", "late")
        tx.set_setting("complaint_causes", [None])
    assert board.survey_dimensions() == ("Speed", "Price")
    assert board.low_score_reasons() == LOW_SCORE_REASONS.default
    assert board.complaint_causes() == COMPLAINT_CAUSES.default
    key = board.add_requirement("On a damaged list", customer="ACME").key
    assert board.record_feedback(key, 2, interim=True, scores={"price": 3},
                                 reasons=["late"]).feedback[-1].scores == {"Price": 3}


# ============================================================================ the lists, without a board


def test_codes_as_typed_are_trimmed_split_at_commas_and_kept_once() -> None:
    assert clean_codes([" late ", "Late,too   slow", "", "LATE"], LOW_SCORE_REASONS) == ("late", "too slow")
    assert clean_codes(["质量", "售后服务"], SURVEY_DIMENSIONS) == ("质量", "售后服务")
    for bad in ([], [" , "], ["x" * 41], [f"c{n}" for n in range(13)], ["zero​width"], ["bell"]):
        with pytest.raises(InvalidValue):
            clean_codes(bad, COMPLAINT_CAUSES)


def test_a_code_is_named_by_itself_or_its_label_in_any_case() -> None:
    codes = LOW_SCORE_REASONS.default
    assert [code_of(given, codes, LOW_SCORE_REASONS) for given in ("LATE", "Not As Agreed", " not-as-agreed ")] == [
        "late", "not-as-agreed", "not-as-agreed"]
    with pytest.raises(InvalidValue) as info:
        code_of("weather", codes, LOW_SCORE_REASONS)
    assert str(info.value) == ("'weather' is not a reason for a low score of this board; it has late, not as agreed, "
                               "quality, communication")
    i18n.set_language(i18n.CHINESE)
    assert code_label("not-as-agreed") == "与约定不符" and code_label("our own code") == "our own code"
    assert code_of("与约定不符", codes, LOW_SCORE_REASONS) == "not-as-agreed"
    assert code_of("Late", codes, LOW_SCORE_REASONS) == "late"  # the code, as scripts type it, in Chinese too


def test_scores_and_reasons_are_checked_against_the_lists() -> None:
    dims = ("Speed", "price")
    assert checked_scores({"speed": 1, "PRICE": 5}, dims) == {"Speed": 1, "price": 5}
    assert checked_scores({}, dims) == {}
    for bad in ({"quality": 3}, {"speed": 0}, {"speed": 6}, {"speed": 4.0}, {"speed": False}, {"speed": 3, "SPEED": 3}):
        with pytest.raises(InvalidValue):
            checked_scores(bad, dims)  # type: ignore[arg-type]  # (what a script might pass)
    assert checked_reasons(["LATE", "late", "Quality"], LOW_SCORE_REASONS.default) == ("late", "quality")
    with pytest.raises(InvalidValue):
        checked_reasons(["late", "weather"], LOW_SCORE_REASONS.default)


def test_a_stored_list_keeps_what_a_person_could_have_set() -> None:
    setting = SURVEY_DIMENSIONS.setting
    assert stored_codes({}, SURVEY_DIMENSIONS) == SURVEY_DIMENSIONS.default
    assert stored_codes({setting: "quality"}, SURVEY_DIMENSIONS) == SURVEY_DIMENSIONS.default
    assert stored_codes({setting: []}, SURVEY_DIMENSIONS) == SURVEY_DIMENSIONS.default
    assert stored_codes({setting: ["", " x", "a  b", "a,b", "‮evil", 3]}, SURVEY_DIMENSIONS) == \
        SURVEY_DIMENSIONS.default
    assert stored_codes({setting: ["Speed", "SPEED", "price"]}, SURVEY_DIMENSIONS) == ("Speed", "price")
    many = [f"d{n}" for n in range(40)]
    assert stored_codes({setting: many}, SURVEY_DIMENSIONS) == tuple(many[:12])


def test_a_move_with_too_many_or_too_long_reasons_is_refused_on_the_reasons_field(board: Board) -> None:
    key = done(board, channel="hotline")
    invalid("reasons", lambda: board.move_requirement(key, State.FED_BACK, inputs={
        "satisfaction": 1, "reasons": ",".join(f"r{n}" for n in range(13))}))
    invalid("reasons", lambda: board.move_requirement(key, State.FED_BACK, inputs={
        "satisfaction": 1, "reasons": "x" * 41}))
    assert board.get(key).feedback == ()


def test_a_default_code_typed_by_its_chinese_name_is_that_code_and_a_respelling_is_kept() -> None:
    from reqboard.store import i18n
    from reqboard.store.surveys import LOW_SCORE_REASONS, SURVEY_DIMENSIONS, clean_codes

    i18n.set_language(i18n.CHINESE)
    try:
        assert clean_codes(["延误", "late", "price"], LOW_SCORE_REASONS) == ("late", "price")
    finally:
        i18n.set_language(i18n.ENGLISH)
    assert clean_codes(["Quality", "Communication"], SURVEY_DIMENSIONS) == ("Quality", "Communication")
    with pytest.raises(InvalidValue):
        clean_codes(["value=money"], SURVEY_DIMENSIONS)
