"""The customer side through the store (issue #16): the communication log, customer records with their
tier and their renames, complaint causes (satisfaction readings: tests/test_surveys.py).

Every test runs on a board file and on a server board (conftest's `board_location`), on a clock the
test sets. Each refusal is asserted by its rule id or the field it names, which the CLI and the board
show and scripts rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reqboard.store import i18n
from reqboard.store.board import Board
from reqboard.store.customers import known_customers, look_of, same_customer
from reqboard.store.errors import Conflict, InvalidValue, NotFound, Refused
from reqboard.store.models import Channel, State, Tier
from reqboard.store.sync import clone_board, sync_boards
from reqboard.store.text import shown

from board_locations import BoardLocation
from customer_side import T0, Clock, done, events, invalid, refused


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
    board.edit_requirement(one, {"tier": "A"})  # one requirement strays: the record stays B
    assert board.customer("ACME").tier is Tier.B and board.get(two).tier is Tier.B
    customer, changed = board.edit_customer("ACME", tier="B")  # given again: the stray one comes back
    assert (customer.tier, changed) == (Tier.B, 1)
    assert board.get(one).tier is Tier.B


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


def test_a_customer_only_requirements_name_gets_a_record_by_add_or_edit(board: Board) -> None:
    one = board.add_requirement("Legacy", customer="INITECH", tier="C").key
    two = board.add_requirement("Legacy too", customer="Umbrella", tier="A").key
    with board.transaction() as tx:
        tx.remove_customer("INITECH")
        tx.remove_customer("Umbrella")
    # A new record of the name in another case is that customer's: its requirements are its own.
    assert board.add_customer("Initech", "B").name == "Initech"
    assert board.get(one).customer == "INITECH" and board.customer("initech").tier is Tier.B
    customer, changed = board.edit_customer("umbrella", contact="Alice")
    assert (customer.name, customer.tier, customer.contact, changed) == ("Umbrella", Tier.A, "Alice", 0)
    assert [c.name for c in board.customers()] == ["Initech", "Umbrella"]
    assert [e.new for e in events(board, None, "customer.added")] == ["Initech", "Umbrella"]
    assert board.get(two).tier is Tier.A


def test_a_rename_in_case_only_is_taken_beside_an_older_look_alike(board: Board) -> None:
    """Look-alikes a board holds already (an import or an older reqboard may have made a customer in
    full-width letters): a rename that makes nothing newly alike is taken, one onto the other's name is not."""
    board.add_customer("ACME")
    with board.transaction() as tx:  # as an import remembers the customers its rows name
        tx.upsert_customer("ＡＣＭＥ", None)
    wide = board.add_requirement("Typed in full width", customer="ＡＣＭＥ").key  # (its own record: kept)
    assert [c.name for c in board.customers()] == ["ACME", "ＡＣＭＥ"]
    assert board.rename_customer("ACME", "Acme")[0].name == "Acme"
    for taken in ("ＡＣＭＥ", "Ａｃｍｅ"):
        refused("customer.exists", lambda taken=taken: board.rename_customer("Acme", taken))
    refused("customer.exists", lambda: board.rename_customer("ＡＣＭＥ", "acme"))
    refused("customer.exists", lambda: board.add_customer("ａｃｍｅ​"))
    assert board.get(wide).customer == "ＡＣＭＥ"
    assert [c.name for c in board.customers()] == ["Acme", "ＡＣＭＥ"]


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


def test_a_requirement_naming_a_look_alike_of_a_customer_makes_no_second_customer(board: Board) -> None:
    board.add_customer("ACME", "A")
    try:
        board.add_requirement("Typed in full width", customer="ＡＣＭＥ")
    except Refused as refusal:
        assert refusal.rule == "customer.exists"
    assert [c.name for c in board.customers()] == ["ACME"]


def test_a_rename_synced_leaves_one_customer_on_both_boards(tmp_path: Path) -> None:
    team = Board(tmp_path / "team.json", "ann")
    team.add_customer("ACME", "A")
    keys = [team.add_requirement(title, customer="ACME").key for title in ("Export", "Import")]
    offline = Board(tmp_path / "offline.json", "con")
    clone_board(team, offline)
    offline.rename_customer("ACME", "ACME Holdings")
    sync_boards(offline, team)
    for board in (offline, team):
        assert [board.get(k).customer for k in keys] == ["ACME Holdings", "ACME Holdings"]
        assert [c.name for c in board.customers()] == ["ACME Holdings"]


def test_an_empty_tier_is_refused_not_taken_for_b(board: Board) -> None:
    board.add_customer("ACME", "A")
    key = board.add_requirement("Export", customer="ACME").key
    with pytest.raises(InvalidValue):
        board.add_customer("Beta", "")
    with pytest.raises(InvalidValue):
        board.edit_customer("ACME", tier="")
    assert board.customer("ACME").tier.value == "A" and board.get(key).tier.value == "A"


def test_a_requirements_tier_leaves_the_customers_record_alone(board: Board) -> None:
    """The tier is the customer's (`customer edit --tier`): one requirement given another tier keeps the
    record, and the next requirement of the customer takes the record's."""
    board.add_customer("Acme", "A")
    board.add_requirement("one", customer="Acme")
    two = board.add_requirement("two", customer="Acme").key
    board.edit_requirement(two, {"tier": "C"})
    assert board.customer("Acme").tier.value == "A"
    assert board.add_requirement("three", customer="Acme").tier.value == "A"


def test_a_move_naming_a_look_alike_customer_takes_the_known_one(board: Board) -> None:
    board.add_customer("Acme", "A")
    key = board.add_requirement("Portal").key
    moved = board.move_requirement(key, "analysed", inputs={"customer": "ＡＣＭＥ", "importance": "3", "urgency": "3",
                                                             "kano": "must-be"})
    assert (moved.customer, moved.tier.value) == ("Acme", "A")
    assert [c.name for c in board.customers()] == ["Acme"]


def test_a_customer_is_found_by_a_name_that_looks_like_its_own(board: Board) -> None:
    board.add_customer("ＡＣＭＥ", "A")
    assert board.customer("Acme").name == "ＡＣＭＥ"
    assert board.customer("a\u200bcme").name == "ＡＣＭＥ"


def test_invisible_only_names_and_notes_are_refused(board: Board) -> None:
    with pytest.raises(InvalidValue):
        board.add_customer("\u200b")
    with pytest.raises(InvalidValue):
        board.add_requirement("Portal", customer="\u2060")
    key = board.add_requirement("Portal").key
    with pytest.raises(InvalidValue):
        board.add_note(key, "\u200b\u2060")
    assert board.customers() == [] and board.get(key).notes == ()
