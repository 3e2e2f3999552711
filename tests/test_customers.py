"""The customer side through the store (issue #16): the communication log, satisfaction readings with
the board's survey, customer records with their tier and their renames, complaint causes.

Every test runs on a board file and on a server board (conftest's `board_location`), on a clock the
test sets. Each refusal is asserted by its rule id or the field it names, which the CLI and the board
show and scripts rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.customers import known_customers, look_of, same_customer
from reqboard.store.errors import Conflict, InvalidValue, NotFound, Refused
from reqboard.store.models import Channel, State, Tier
from reqboard.store.surveys import COMPLAINT_CAUSES, LOW_SCORE_REASONS, SURVEY_DIMENSIONS
from reqboard.store.text import shown

from board_locations import BoardLocation

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANALYSIS = {"customer": "ACME", "importance": 4, "urgency": 3, "kano": "performance"}


class Clock:
    """The time the board reads: T0 until a test moves it."""

    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


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


def analysed(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = board.add_requirement(title, **{**ANALYSIS, **fields}).key
    board.move_requirement(key, State.ANALYSED)
    return key


def in_progress(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = analysed(board, title, **fields)
    board.approve(key, "fine")
    board.move_requirement(key, State.IN_PROGRESS, updates={"owner": "anna"})
    return key


def done(board: Board, title: str = "Export to PDF", **fields: Any) -> str:
    key = in_progress(board, title, **fields)
    board.move_requirement(key, State.DONE)
    return key


def refused(rule: str, call: Callable[[], Any]) -> Refused:
    with pytest.raises(Refused) as info:
        call()
    assert info.value.rule == rule, str(info.value)
    assert info.value.exit_code == 1
    return info.value


def invalid(field: str, call: Callable[[], Any]) -> InvalidValue:
    """`call` is refused as invalid, naming `field` (what the form marks)."""
    with pytest.raises(InvalidValue) as info:
        call()
    assert field in info.value.errors, (str(info.value), info.value.errors)
    assert info.value.exit_code == 1
    return info.value


def events(board: Board, key: str | None, action: str) -> list[Any]:
    return [e for e in board.history(key) if e.action == action and (key is not None or e.key == "board")]


# ============================================================================ the communication log


def test_a_note_is_taken_in_any_state_rejected_too(board: Board) -> None:
    fresh = board.add_requirement("Collected only", customer="ACME").key
    gone = board.add_requirement("Turned down", customer="ACME").key
    board.reject(gone, "out of scope")
    delivered = done(board)
    for key in (fresh, gone, delivered):
        before = board.get(key)
        after = board.add_note(key, f"Called about {key}")
        assert after.state is before.state and after.version == before.version + 1
        assert [n.text for n in after.notes] == [f"Called about {key}"]
    assert board.get(gone).state is State.REJECTED and board.get(gone).notes[0].by == "lead"


def test_a_note_goes_through_the_requirements_channel_unless_told(board: Board, clock: Clock) -> None:
    key = board.add_requirement("Hotline ask", customer="ACME", channel="hotline").key
    clock.at = T0 + timedelta(hours=1)
    first = board.add_note(key, "Rang back", with_="Li Wei").notes[-1]
    assert (first.channel, first.with_, first.by, first.at) == (Channel.HOTLINE, "Li Wei", "lead", clock.at)
    assert first.model_dump(mode="json") == {"at": "2026-03-02T10:00:00Z", "by": "lead", "channel": "hotline",
                                            "with": "Li Wei", "text": "Rang back"}
    assert board.add_note(key, "Sent the minutes", channel="email").notes[-1].channel is Channel.EMAIL
    assert board.add_note(key, "Met them", channel="Interview").notes[-1].channel is Channel.INTERVIEW
    invalid("channel", lambda: board.add_note(key, "By pigeon", channel="pigeon"))


def test_a_note_of_the_past_is_kept_in_its_place_oldest_first(board: Board, clock: Clock) -> None:
    key = board.add_requirement("Dated notes", customer="ACME").key
    clock.at = T0 + timedelta(days=10)
    board.add_note(key, "Today's call")
    board.add_note(key, "Last week's mail, noted late", at=T0 + timedelta(days=3))
    board.add_note(key, "The first meeting", at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    # A time in another zone is the same moment, kept in UTC.
    board.add_note(key, "Beijing morning", at=datetime.fromisoformat("2026-03-06T09:00:00+08:00"))
    notes = board.get(key).notes
    assert [n.text for n in notes] == ["The first meeting", "Last week's mail, noted late", "Beijing morning",
                                       "Today's call"]
    assert notes[2].at == datetime(2026, 3, 6, 1, 0, tzinfo=UTC)
    assert board.get(key).last_contact == T0 + timedelta(days=10)


def test_a_note_more_than_a_day_ahead_or_before_1970_or_without_a_zone_is_refused(board: Board) -> None:
    key = board.add_requirement("Clock checks", customer="ACME").key
    assert board.add_note(key, "A day ahead: clocks differ", at=T0 + timedelta(days=1)).notes[-1].at == \
        T0 + timedelta(days=1)
    version = board.get(key).version
    invalid("at", lambda: board.add_note(key, "Too far", at=T0 + timedelta(days=1, seconds=1)))
    invalid("at", lambda: board.add_note(key, "Too early", at=datetime(1969, 12, 31, 23, 59, tzinfo=UTC)))
    invalid("at", lambda: board.add_note(key, "Which zone?", at=datetime(2026, 3, 1, 9, 0)))
    assert board.get(key).version == version and len(board.get(key).notes) == 1


def test_a_note_needs_text_and_keeps_it_literal(board: Board) -> None:
    key = board.add_requirement("Text checks", customer="ACME").key
    for blank in ("", "   ", "\n\t\n", "\x1b\x07 "):
        invalid("text", lambda blank=blank: board.add_note(key, blank))
    invalid("text", lambda: board.add_note(key, "x" * 4001))
    invalid("with", lambda: board.add_note(key, "Who?", with_="a\nb"))
    assert board.get(key).notes == ()
    # Terminal controls are dropped; line breaks, markup and bidi controls are kept as typed, and a
    # bidi control is shown visibly (store.text), so it cannot turn the text around on a screen.
    noted = board.add_note(key, "Call\x1b[31m back\x07\r\nat [b]9[/b] \u202eexe.txt", with_="\x1b]0;Li\x07 Wei")
    note = noted.notes[-1]
    assert note.text == "Call[31m back\nat [b]9[/b] \u202eexe.txt"
    assert note.with_ == "]0;Li Wei"
    assert shown(note.text) == "Call[31m back\nat [b]9[/b] <U+202E>exe.txt"
    assert board.add_note(key, "x" * 4000).notes[-1].text == "x" * 4000


def test_a_note_on_a_stale_version_is_a_conflict_and_writes_nothing(board: Board) -> None:
    key = board.add_requirement("Versioned", customer="ACME").key
    seen = board.get(key).version
    board.edit_requirement(key, {"description": "changed meanwhile"})
    with pytest.raises(Conflict) as info:
        board.add_note(key, "On what I read", expect_version=seen)
    assert info.value.exit_code == 3 and info.value.key == key
    assert board.get(key).notes == () and events(board, key, "note") == []
    assert board.add_note(key, "On what is there", expect_version=seen + 1).version == seen + 2
    with pytest.raises(NotFound):
        board.add_note("REQ-99", "Nobody")


def test_a_note_is_in_the_history_and_is_the_last_contact(board: Board, clock: Clock) -> None:
    key = board.add_requirement("Histories", customer="ACME").key
    assert board.get(key).last_contact is None
    clock.at = T0 + timedelta(hours=2)
    board.add_note(key, "First line\nsecond line", with_="Li Wei", channel="hotline")
    [event] = events(board, key, "note")
    assert (event.key, event.field, event.by, event.old) == (key, "notes", "lead", None)
    assert event.new == {"at": "2026-03-02T11:00:00Z", "by": "lead", "channel": "hotline", "with": "Li Wei",
                         "text": "First line\nsecond line"}
    # An interim reading later is the last contact; a note dated before it is not.
    clock.at = T0 + timedelta(hours=5)
    board.record_feedback(key, 4, interim=True)
    board.add_note(key, "Remembered: a mail on Sunday", at=T0 - timedelta(days=1))
    assert board.get(key).last_contact == T0 + timedelta(hours=5)
    assert [e.action for e in board.history(key)] == ["created", "note", "interim_feedback", "note"]


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


@pytest.mark.xfail(strict=True, reason="store/board.py _survey_reading asks a satisfaction of 0 for a reason "
                                       "before checking it is 1-5: the message and the field are wrong")
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
    moved = board.move_requirement(key, State.FED_BACK,
                                   inputs={"satisfaction": 1, "reasons": " Late ,quality", "comment": "slow"})
    reading = moved.feedback[-1]
    assert moved.state is State.FED_BACK
    assert (reading.satisfaction, reading.reasons, reading.comment, reading.channel, reading.interim) == (
        1, ("late", "quality"), "slow", Channel.HOTLINE, False)
    assert [(e.new, e.reason) for e in events(board, key, "feedback")] == [(1, "slow")]
    other = done(board, "Happy one")
    assert board.move_requirement(other, State.FED_BACK, inputs={"satisfaction": 4}).feedback[-1].reasons == ()


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


# ============================================================================ customers


def test_a_customer_is_added_with_tier_b_unless_told(board: Board) -> None:
    plain = board.add_customer("  Globex  ")
    assert (plain.name, plain.tier, plain.contact, plain.segment, plain.notes) == ("Globex", Tier.B, "", "", "")
    full = board.add_customer("北京华为", "a", contact="Li Wei, +86 10 1234", segment="telecom",
                              notes="Key account.\nQuarterly review in March.")
    assert (full.tier, full.contact, full.segment, full.notes) == (
        Tier.A, "Li Wei, +86 10 1234", "telecom", "Key account.\nQuarterly review in March.")
    assert [c.name for c in board.customers()] == ["北京华为", "Globex"]  # pinyin order: beijing < globex
    assert board.customer("GLOBEX") == plain and board.customer(" 北京华为 ") == full
    assert [(e.field, e.new) for e in events(board, None, "customer.added")] == [
        ("customer", "Globex"), ("customer", "北京华为")]
    # The tier is the customer's: a new requirement of it gets it.
    assert board.add_requirement("Roaming", customer="北京华为").tier is Tier.A


def test_a_customer_known_in_any_case_or_width_is_refused_again(board: Board) -> None:
    board.add_customer("ACME Corp", "A")
    for again in ("acme corp", " ACME CORP ", "ＡＣＭＥ Ｃｏｒｐ", "ACME\u200b Corp", "Acme  corp", "ACME\u202e Corp"):
        error = refused("customer.exists", lambda again=again: board.add_customer(again))
        assert "'ACME Corp'" in str(error)
    assert [c.name for c in board.customers()] == ["ACME Corp"]
    assert board.customer("acme corp").tier is Tier.A


def test_a_customer_name_is_checked(board: Board) -> None:
    for bad in ("", "   ", "\x1b\x07", "two\nlines", "x" * 121):
        invalid("name", lambda bad=bad: board.add_customer(bad))
    invalid("tier", lambda: board.add_customer("Tiered", "D"))
    invalid("contact", lambda: board.add_customer("Contact", contact="x" * 201))
    assert board.customers() == []
    assert board.add_customer("\x1b[31mRed\x1b[0m Ltd").name == "[31mRed[0m Ltd"
    assert board.add_customer("x" * 120).name == "x" * 120
    with pytest.raises(NotFound):
        board.customer("")
    with pytest.raises(NotFound):
        board.customer("   ")


def test_editing_a_customers_tier_gives_it_to_each_of_its_requirements(board: Board) -> None:
    board.add_customer("ACME", "B")
    mine = [board.add_requirement(f"Mine {n}", customer=name).key for n, name in enumerate(("ACME", "acme", "Acme "))]
    theirs = board.add_requirement("Theirs", customer="Globex", tier="B").key
    versions = {k: board.get(k).version for k in (*mine, theirs)}
    customer, changed = board.edit_customer("acme", tier="A", contact="Li Wei")
    assert (customer.name, customer.tier, customer.contact, changed) == ("ACME", Tier.A, "Li Wei", 3)
    assert [board.get(k).tier for k in mine] == [Tier.A, Tier.A, Tier.A]
    assert board.get(theirs).tier is Tier.B and board.get(theirs).version == versions[theirs]
    edited = [(e.field, e.old, e.new, e.reason) for e in events(board, None, "customer.edited")]
    assert edited == [("customer.tier", "B", "A", "ACME"), ("customer.contact", "", "Li Wei", "ACME")]
    for key in mine:
        assert [(e.field, e.old, e.new) for e in events(board, key, "customer.edited")] == [("tier", "B", "A")]
        assert board.get(key).version == versions[key] + 1
    # Contact, segment and notes are the record's only.
    customer, changed = board.edit_customer("ACME", segment="retail", notes="Pays late")
    assert (customer.segment, customer.notes, changed) == ("retail", "Pays late", 0)
    assert all(board.get(k).version == versions[k] + 1 for k in mine)
    # Nothing new: nothing written.
    generation = board.generation
    assert board.edit_customer("ACME", tier="A", segment="retail") == (customer, 0)
    assert board.generation == generation


def test_a_tier_given_again_reaches_a_requirement_that_strayed(board: Board) -> None:
    board.add_customer("ACME", "B")
    one = board.add_requirement("One", customer="ACME").key
    two = board.add_requirement("Two", customer="ACME").key
    board.edit_requirement(one, {"tier": "A"})  # the record follows the requirement: ACME is A now
    assert board.customer("ACME").tier is Tier.A and board.get(two).tier is Tier.B
    customer, changed = board.edit_customer("ACME", tier="A")
    assert (customer.tier, changed) == (Tier.A, 1)
    assert board.get(two).tier is Tier.A


def test_editing_an_unknown_customer_or_with_a_bad_value_is_refused(board: Board) -> None:
    board.add_customer("ACME")
    for name in ("Globex", "", "  "):
        with pytest.raises(NotFound):
            board.edit_customer(name, tier="A")
    invalid("tier", lambda: board.edit_customer("ACME", tier="Z"))
    invalid("segment", lambda: board.edit_customer("ACME", segment="x" * 81))
    assert board.customer("ACME").tier is Tier.B and events(board, None, "customer.edited") == []


def test_a_rename_takes_every_requirement_of_the_customer_along(board: Board) -> None:
    board.add_customer("ACME", "A", contact="Li Wei")
    mine = [board.add_requirement(f"Mine {n}", customer=name).key for n, name in enumerate(("ACME", "acme"))]
    theirs = board.add_requirement("Theirs", customer="Globex").key
    customer, changed = board.rename_customer("Acme", "ACME Holdings")
    assert (customer.name, customer.tier, customer.contact, changed) == ("ACME Holdings", Tier.A, "Li Wei", 2)
    assert [board.get(k).customer for k in mine] == ["ACME Holdings", "ACME Holdings"]
    assert board.get(theirs).customer == "Globex"
    assert [c.name for c in board.customers()] == ["ACME Holdings", "Globex"]
    with pytest.raises(NotFound):
        board.customer("ACME")
    assert [(e.field, e.old, e.new) for e in events(board, None, "customer.renamed")] == [
        ("customer", "ACME", "ACME Holdings")]
    assert [(e.field, e.old, e.new) for e in events(board, mine[1], "customer.renamed")] == [
        ("customer", "acme", "ACME Holdings")]
    # A new requirement of the new name gets its tier.
    assert board.add_requirement("After", customer="acme holdings").tier is Tier.A


def test_a_rename_in_another_case_or_width_only(board: Board) -> None:
    board.add_customer("acme")
    keys = [board.add_requirement(f"R{n}", customer="acme").key for n in range(2)]
    customer, changed = board.rename_customer("ACME", "Acme")
    assert (customer.name, changed) == ("Acme", 2)
    assert [c.name for c in board.customers()] == ["Acme"]
    assert [board.get(k).customer for k in keys] == ["Acme", "Acme"]
    customer, changed = board.rename_customer("acme", "ＡＣＭＥ")  # width only: its own name still
    assert (customer.name, changed) == ("ＡＣＭＥ", 2)
    assert [c.name for c in board.customers()] == ["ＡＣＭＥ"]
    # The same name again writes nothing.
    generation = board.generation
    assert board.rename_customer("ＡＣＭＥ", " ＡＣＭＥ ") == (customer, 0)
    assert board.generation == generation


def test_a_rename_onto_another_customer_or_of_an_unknown_one_is_refused(board: Board) -> None:
    board.add_customer("ACME")
    board.add_customer("Globex")
    key = board.add_requirement("Mine", customer="ACME").key
    for taken in ("Globex", "GLOBEX", "Ｇｌｏｂｅｘ", "Glo\u200bbex"):
        error = refused("customer.exists", lambda taken=taken: board.rename_customer("ACME", taken))
        assert "'Globex'" in str(error)
    for missing in ("Initech", "", "  "):
        with pytest.raises(NotFound):
            board.rename_customer(missing, "Anything")
    invalid("name", lambda: board.rename_customer("ACME", " "))
    invalid("name", lambda: board.rename_customer("ACME", "x" * 121))
    assert [c.name for c in board.customers()] == ["ACME", "Globex"]
    assert board.get(key).customer == "ACME" and events(board, None, "customer.renamed") == []


def test_a_customer_only_requirements_name_can_be_shown_edited_and_renamed(board: Board) -> None:
    """A board written by hand or by an older reqboard: requirements name a customer without a record."""
    key = board.add_requirement("Legacy", customer="Initech", tier="C").key
    with board.transaction() as tx:
        tx.remove_customer("Initech")
    assert board.customers() == []
    assert [c.name for c in known_customers(board.customers(), board.requirements())] == ["Initech"]
    assert board.customer("initech").tier is Tier.C
    # Another customer may not take a name like it, nor be renamed onto it.
    board.add_customer("ACME")
    refused("customer.exists", lambda: board.add_customer("ＩＮＩＴＥＣＨ"))
    refused("customer.exists", lambda: board.rename_customer("ACME", "initech"))
    customer, changed = board.rename_customer("Initech", "Initech Ltd")
    assert (customer.name, customer.tier, changed) == ("Initech Ltd", Tier.C, 1)
    assert board.get(key).customer == "Initech Ltd"
    assert [c.name for c in board.customers()] == ["ACME", "Initech Ltd"]


def test_a_rename_on_a_fresh_board_object_shows_one_customer(people: Callable[[str], Board]) -> None:
    lead = people("lead")
    lead.add_customer("ACME", "A")
    key = lead.add_requirement("Mine", customer="ACME").key
    lead.rename_customer("ACME", "Acme")           # case only
    lead.rename_customer("acme", "Acme Holdings")  # a new name
    fresh = people("bob")
    assert [(c.name, c.tier) for c in fresh.customers()] == [("Acme Holdings", Tier.A)]
    assert fresh.get(key).customer == "Acme Holdings"
    with pytest.raises(NotFound):
        fresh.customer("ACME")
    # The old name is free again.
    assert fresh.add_customer("ACME").tier is Tier.B
    assert [c.name for c in people("carol").customers()] == ["ACME", "Acme Holdings"]


def test_names_are_one_customer_in_any_case_and_look_alike_in_any_width() -> None:
    assert same_customer(" ACME ", "acme") and not same_customer("ACME", "ＡＣＭＥ")
    assert look_of("ＡＣＭＥ\u3000Ｃｏｒｐ") == look_of("acme  corp") == "acme corp"
    assert look_of("AC\u200bME\u202e") == "acme"
    assert look_of("北京华为") != look_of("北京華為")  # another script is another name


# ============================================================================ complaint causes


def test_a_complaint_cause_is_spelled_as_the_boards_list_has_it(board: Board) -> None:
    key = board.add_requirement("Broken export", customer="ACME", channel="complaint", cause="DEFECT").key
    assert board.get(key).cause == "defect"
    assert board.edit_requirement(key, {"cause": "not as agreed"}).cause == "not-as-agreed"
    assert board.edit_requirement(key, {"cause": ""}).cause == ""
    invalid("cause", lambda: board.add_requirement("Rain", customer="ACME", cause="weather"))
    invalid("cause", lambda: board.edit_requirement(key, {"cause": "weather"}))
    i18n.set_language(i18n.CHINESE)
    assert board.edit_requirement(key, {"cause": "延期"}).cause == "delay"
    i18n.set_language(i18n.ENGLISH)
    board.set_codes("complaint_causes", ["Late delivery", "Rude staff"])
    assert board.edit_requirement(key, {"cause": "late DELIVERY"}).cause == "Late delivery"
    invalid("cause", lambda: board.edit_requirement(key, {"cause": "defect"}))
    assert len(board.requirements()) == 1
