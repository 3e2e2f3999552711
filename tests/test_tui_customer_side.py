"""The customer side on the board (issue #16), driven through Pilot: the notes of each contact in the detail
pane (newest first, literal), a contact noted by keys and undone, the SLA badge of a breached response
target (and its lines in the detail pane), the last contact on a wide card, interim feedback that leaves
the card where it is, the feedback form's survey (a low score refused without a reason, under the
field, then recorded with one), and a complaint's cause set in the edit form.

The small board (tests/tui_support.py): REQ-1 collected (email), REQ-2 collected (survey), REQ-3 analysed
(hotline), REQ-5 in progress, REQ-6 done, REQ-7 fed back (a complaint), REQ-8 in progress (email).
The card list's and the detail pane's clock are frozen at FIXED_NOW where a test counts days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, Select, SelectionList, TextArea

from reqboard.store.board import Board
from reqboard.store.errors import InvalidValue
from reqboard.store.models import State
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
from reqboard.tui.screens import detail as detail_module
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.detail import DetailScreen
from reqboard.tui.widgets import card_list

from board_locations import BoardLocation
from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    FIXED_NOW,
    QUIET,
    SIZE,
    StepClock,
    board_ready,
    build_small_board,
    card_keys,
    cards,
    drawn,
    error,
    field_ids,
    fill,
    form,
    notifications,
    open_app,
    open_detail,
    select_card,
    settle,
    small,
    small_template,
    submit,
    text_of,
)


class FrozenDatetime(datetime):
    """`datetime` whose now() is FIXED_NOW (2026-03-18 15:30 UTC)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # the fixed moment is a plain datetime, not this class
        return FIXED_NOW if tz is None else FIXED_NOW.astimezone(tz)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The card list and the detail pane see FIXED_NOW as the time."""
    monkeypatch.setattr(card_list, "datetime", FrozenDatetime)
    monkeypatch.setattr(detail_module, "datetime", FrozenDatetime)
    yield


@pytest.fixture
def dated(tmp_path: Path) -> Path:
    """The small board built as of a month before FIXED_NOW (each step of its clock seven hours)."""
    path = tmp_path / "dated" / "board.json"
    path.parent.mkdir()
    build_small_board(path, clock=StepClock(FIXED_NOW - timedelta(days=30)))
    return path


def first_line(app: Any, state: State, key: str) -> str:
    """A card's top line (its key and badges) as drawn."""
    return next(line for line in drawn(cards(app, state)).splitlines() if line[1:].startswith(key + " "))


def last_line(app: Any, state: State, key: str) -> str:
    """A card's last line (customer, tier, score) as drawn."""
    lines = drawn(cards(app, state)).splitlines()
    top = next(n for n, line in enumerate(lines) if line[1:].startswith(key + " "))
    return lines[top + 3]


def more(detail: DetailScreen) -> str:
    return text_of(detail.query_one("#detail-more"))


def fields_text(detail: DetailScreen) -> str:
    return text_of(detail.query_one("#detail-fields"))


# ---------------------------------------------------------------------- notes in the detail pane
async def test_the_detail_pane_lists_the_notes_newest_first_literally_with_the_last_contact(
        small: Path, frozen: None) -> None:
    board = Board(small, "anna")
    board.add_note("REQ-1", "Called about the [bold]letterhead[/bold]\nthey send a sample", channel="hotline",
                   with_="Li Wei", at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    board.add_note("REQ-1", "Mail with the draft", at=datetime(2026, 3, 15, 14, 30, tzinfo=UTC))
    Board(small, "bob").add_note("REQ-1", "Met at the fair", channel="other", with_="Ana Ruiz",
                                 at=datetime(2026, 3, 12, 11, 0, tzinfo=UTC))
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, "REQ-1")
        lines = more(detail).splitlines()
        start = lines.index("Notes")
        assert lines[start + 1:start + 8] == [
            "2026-03-15 14:30  email, noted by anna",  # newest first; the requirement's channel by default
            "  Mail with the draft",
            "2026-03-12 11:00  other with Ana Ruiz, noted by bob",
            "  Met at the fair",
            "2026-03-10 09:00  hotline with Li Wei, noted by anna",
            "  Called about the [bold]letterhead[/bold]",  # markup in a note is its text, shown as typed
            "  they send a sample",
        ]
        # The latest contact, 2026-03-15, three local days before the frozen 2026-03-18.
        assert "Last contact    3 days ago  (2026-03-15)" in fields_text(detail)


async def test_a_requirement_never_in_touch_says_so_and_a_note_of_today_is_today(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, "REQ-2")
        assert "Last contact    none noted yet (N notes one)" in fields_text(detail)
        assert "Notes" not in more(detail).splitlines()


# ---------------------------------------------------------------------- noting a contact by keys, and undo
async def test_a_contact_noted_by_keys_is_saved_with_the_requirements_channel_and_undone_by_u(
        board_location: BoardLocation) -> None:
    setup = board_location.board("tester")
    setup.add_requirement("SMS reminders", customer="Harbor Health", channel="hotline")
    app = ReqboardApp(board_location.at("tester"), "tester", config=Config(), watch_interval=QUIET)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("N")
        dialog = form(app)
        assert dialog.form_title == "Note a contact about REQ-1"
        assert field_ids(dialog) == ["text", "channel", "with", "at"]
        assert dialog.query_one("#field-channel", Select).value == "hotline"  # the requirement's own
        await submit(pilot)
        assert error(dialog, "text") == "Say what was said"  # nothing saved without it
        assert board_location.board("check").get("REQ-1").notes == ()

        dialog.query_one("#field-text", TextArea).focus()
        await pilot.press(*"They agree", "enter", *"to the dates")
        fill(pilot, "#field-with", "Dr Chen")
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "Contact noted on REQ-1" in notifications(app)
        notes = board_location.board("check").get("REQ-1").notes
        assert [(n.text, n.channel.value, n.with_, n.by) for n in notes] == [
            ("They agree\nto the dates", "hotline", "Dr Chen", "tester")]

        await pilot.press("u")
        await settle(pilot)
        assert "Undone: Contact noted on REQ-1" in notifications(app)
        assert board_location.board("check").get("REQ-1").notes == ()


async def test_the_time_of_a_contact_is_a_date_or_a_date_and_time_and_a_bad_one_is_refused_under_it(
        small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "REQ-3")
        await pilot.press("N")
        dialog = form(app)
        dialog.query_one("#field-text", TextArea).text = "Phoned back"
        fill(pilot, "#field-at", "last tuesday")
        await submit(pilot)
        assert error(dialog, "at") == "'last tuesday' is not a date or a time like 2026-03-18 or 2026-03-18 14:30"
        fill(pilot, "#field-at", "2099-01-01 10:00")  # the store refuses a time more than a day ahead
        await submit(pilot)
        assert "more than a day in the future" in error(dialog, "at")
        fill(pilot, "#field-at", "2026-03-17 10:15")  # local time: the tests run in UTC
        await submit(pilot)
        assert isinstance(app.screen, DetailScreen)
        note = Board(small, "check").get("REQ-3").notes[-1]
        assert (note.text, note.at) == ("Phoned back", datetime(2026, 3, 17, 10, 15, tzinfo=UTC))
        await settle(pilot)
        assert "2026-03-17 10:15  hotline, noted by tester" in more(app.screen)


# ---------------------------------------------------------------------- response targets
async def test_the_sla_badge_is_on_a_card_past_its_response_target_and_on_no_other(dated: Path, frozen: None) -> None:
    board = Board(dated, "anna")
    board.set_response_target("analysed", 2, channel="email")  # REQ-1 (collected a month ago), REQ-8
    board.set_response_target("analysed", 60, channel="survey")  # REQ-2: open, due after FIXED_NOW
    req1, req8 = board.get("REQ-1"), board.get("REQ-8")
    app = open_app(dated)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "SLA" in first_line(app, State.COLLECTED, "REQ-1")
        assert "SLA" not in first_line(app, State.COLLECTED, "REQ-2")
        assert "SLA" not in first_line(app, State.IN_PROGRESS, "REQ-8")  # it reached analysed
        for state in (State.ANALYSED, State.APPROVED, State.IN_PROGRESS, State.DONE, State.FED_BACK):
            assert card_keys(app, state) and "SLA" not in drawn(cards(app, state))  # no target applies to them

        detail = await open_detail(pilot, "REQ-1")
        due = (req1.entered_at[State.COLLECTED] + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")  # UTC is local
        assert f"Response target analysed within 2 days: BREACHED, deadline {due}" in fields_text(detail)
        await pilot.press("escape")
        await settle(pilot)

        detail = await open_detail(pilot, "REQ-8")
        reached = req8.entered_at[State.ANALYSED]
        outcome = "met" if reached <= req8.entered_at[State.COLLECTED] + timedelta(days=2) else "missed"
        assert f"analysed within 2 days: {outcome}, reached {reached:%Y-%m-%d %H:%M}" in fields_text(detail)
        await pilot.press("escape")
        await settle(pilot)

        # Analysed now: the target is reached (late), and the badge goes.
        Board(dated, "anna").move_requirement("REQ-1", State.ANALYSED,
                                              updates={"importance": 3, "urgency": 3, "kano": "performance"})
        app.screen.load()
        await settle(pilot)
        assert "SLA" not in first_line(app, State.ANALYSED, "REQ-1")


async def test_a_deadline_passing_while_the_board_is_open_shows_the_badge_without_a_read(
        dated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    board = Board(dated, "anna")
    deadline = board.get("REQ-1").entered_at[State.COLLECTED] + timedelta(days=2)
    board.set_response_target("analysed", 2, channel="email")

    class Clock(datetime):
        now_is = deadline - timedelta(minutes=1)

        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # a plain datetime
            return cls.now_is if tz is None else cls.now_is.astimezone(tz)

    monkeypatch.setattr(card_list, "datetime", Clock)
    app = open_app(dated)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        assert "SLA" not in first_line(app, State.COLLECTED, "REQ-1")
        generation = screen.generation
        Clock.now_is = deadline + timedelta(minutes=1)
        cards(app, State.COLLECTED).tick()  # what its timer does each minute
        await pilot.pause()
        assert "SLA" in first_line(app, State.COLLECTED, "REQ-1")
        assert screen.generation == generation  # nothing was read again


# ---------------------------------------------------------------------- the last contact on a wide card
async def test_a_wide_card_says_how_long_ago_the_customer_was_in_touch_and_a_usual_one_does_not(
        small: Path, frozen: None) -> None:
    Board(small, "anna").add_note("REQ-1", "Sent the invoice layout", at=datetime(2026, 3, 15, 9, 0, tzinfo=UTC))
    app = open_app(small)
    async with app.run_test(size=(250, 40)) as pilot:
        await board_ready(pilot)
        assert last_line(app, State.COLLECTED, "REQ-1").rstrip().endswith("Northwind Logistics A contact 3d ago")
        assert "contact" not in last_line(app, State.COLLECTED, "REQ-2")  # never in touch: nothing to say
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "contact" not in last_line(app, State.COLLECTED, "REQ-1")  # 160 columns: the name needs it


# ---------------------------------------------------------------------- feedback
async def test_interim_feedback_is_recorded_with_the_survey_and_the_card_stays_in_its_column(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        await pilot.press("f")
        dialog = form(app)
        assert dialog.form_title == "Interim feedback on REQ-5"
        assert field_ids(dialog) == ["satisfaction", "channel", "comment", "score_0", "score_1", "score_2", "reasons"]
        assert dialog.query_one("#field-channel", Select).value == "after_sales"  # the requirement's channel
        assert [str(option.prompt) for option in dialog.query_one("#field-reasons", SelectionList).options] == [
            "late", "not as agreed", "quality", "communication"]
        dialog.query_one("#field-satisfaction", Select).value = "4"
        dialog.query_one("#field-score_1", Select).value = "5"  # responsiveness
        fill(pilot, "#field-comment", "the pilot scanners work")
        await submit(pilot)
        assert "Interim feedback recorded on REQ-5" in notifications(app)
        req = Board(small, "check").get("REQ-5")
        assert req.state is State.IN_PROGRESS and "REQ-5" in card_keys(app, State.IN_PROGRESS)
        reading = req.feedback[-1]
        assert (reading.interim, reading.satisfaction, reading.scores, reading.reasons, reading.comment) == (
            True, 4, {"responsiveness": 5}, (), "the pilot scanners work")

        detail = await open_detail(pilot, "REQ-5")
        today = datetime.now(UTC).date().isoformat()
        assert more(detail).splitlines()[-2:] == [
            f"{today}  4/5 via after sales, by tester (interim): the pilot scanners work",
            "  scores: responsiveness 5"]


async def test_a_low_score_without_a_reason_is_refused_under_reasons_then_recorded_with_one(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-6")  # done: moving on records the delivery's feedback
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert dialog.form_title == "Move REQ-6 to fed back"
        assert "needed for a satisfaction of 2 or less" in [text_of(h) for h in dialog.query(".field-help")]
        dialog.query_one("#field-satisfaction", Select).value = "2"
        dialog.query_one("#field-score_0", Select).value = "1"  # quality
        await submit(pilot)
        assert app.screen is dialog
        assert error(dialog, "reasons") == (
            "a satisfaction of 2 needs a reason: one or more of late, not as agreed, quality, communication")
        assert Board(small, "check").get("REQ-6").state is State.DONE

        dialog.query_one("#field-reasons", SelectionList).select("quality")
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "REQ-6 moved to fed back" in notifications(app)
        req = Board(small, "check").get("REQ-6")
        reading = req.feedback[-1]
        assert req.state is State.FED_BACK and "REQ-6" in card_keys(app, State.FED_BACK)
        assert (reading.interim, reading.satisfaction, reading.scores, reading.reasons) == (
            False, 2, {"quality": 1}, ("quality",))


# ---------------------------------------------------------------------- a complaint's cause
async def test_a_complaints_cause_is_chosen_from_the_boards_list_in_the_edit_form(small: Path) -> None:
    Board(small, "anna").set_codes("complaint_causes", ["defect", "delay", "rude-driver"])
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-7")
        await pilot.press("e")
        dialog = form(app)
        names = field_ids(dialog)
        assert names.index("cause") == names.index("channel") + 1
        cause = dialog.query_one("#field-cause", Select)
        assert [value for _label, value in cause._options if value is not Select.NULL] == [
            "defect", "delay", "rude-driver"]
        assert cause.value is Select.NULL
        cause.value = "rude-driver"
        await submit(pilot)
        assert Board(small, "check").get("REQ-7").cause == "rude-driver"

        detail = await open_detail(pilot, "REQ-7")
        assert "Complaint cause rude-driver" in fields_text(detail)
        await pilot.press("e")
        dialog = form(app)
        dialog.query_one("#field-cause", Select).clear()
        await submit(pilot)
        assert Board(small, "check").get("REQ-7").cause == ""


async def test_a_note_saved_after_someone_changed_the_requirement_is_added_to_their_version_and_undo_keeps_it(
        small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-3")
        await pilot.press("N")
        dialog = form(app)
        dialog.query_one("#field-text", TextArea).text = "Asked for a second reminder"
        Board(small, "bob").edit_requirement("REQ-3", {"owner": "Bob Stone"})  # while the form is open
        await submit(pilot)
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = Board(small, "check").get("REQ-3")
        assert (req.owner, [n.text for n in req.notes]) == ("Bob Stone", ["Asked for a second reminder"])

        await pilot.press("u")  # takes back the note only: bob's change stays
        await settle(pilot)
        req = Board(small, "check").get("REQ-3")
        assert (req.owner, req.notes) == ("Bob Stone", ())


def test_when_a_contact_took_place_reads_a_date_a_local_time_or_a_time_with_its_zone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from reqboard.store import clock
    from reqboard.tui.screens.prompts import parse_moment

    clock.set_zone("Asia/Shanghai")  # (conftest puts UTC back after the test)
    monkeypatch.setattr(clock, "today", lambda: datetime(2026, 3, 18).date())
    assert parse_moment("", "at") is None  # blank: now
    assert parse_moment("2026-03-18", "at") is None  # today: now
    assert parse_moment("2026-03-16", "at") == datetime(2026, 3, 16, 4, 0, tzinfo=UTC)  # midday in Shanghai
    assert parse_moment("2026-03-16 09:30", "at") == datetime(2026, 3, 16, 1, 30, tzinfo=UTC)
    assert parse_moment("2026-03-16T09:30:00+02:00", "at") == datetime(2026, 3, 16, 7, 30, tzinfo=UTC)
    with pytest.raises(InvalidValue) as refused:
        parse_moment("16/03/2026", "at")
    assert refused.value.errors == {
        "at": "'16/03/2026' is not a date or a time like 2026-03-18 or 2026-03-18 14:30"}


async def test_a_contact_is_noted_on_a_rejected_requirement_from_the_archive(small: Path) -> None:
    """Telling the customer why it was rejected is a contact: `N` in the archive notes it."""
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("a")
        await settle(pilot)
        options = app.screen.query_one("#archive-list", OptionList)
        options.focus()
        options.highlighted = options.get_option_index("REQ-9")
        await pilot.press("N")
        form(app).query_one("#field-text", TextArea).load_text("Told them why: nobody sends faxes")
        await submit(pilot)
        notes = Board(small, "check").get("REQ-9").notes
        assert [n.text for n in notes] == ["Told them why: nobody sends faxes"]
