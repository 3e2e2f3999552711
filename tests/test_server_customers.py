"""The customer side on a PostgreSQL board (#16), on the tests' own server: a customer's rename (its
record's row deleted and made again under the new name, every requirement's row following, in one
commit), a rename and an edit of one of its requirements from two connections at once (one waits for
the other: nothing is lost; a stale --expect-version is a conflict), and the cards a server board draws
from its `card` projections: the times a response target and the days since the last contact need, on
boards written now and on boards an older reqboard wrote (which `server init` refreshes)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import psycopg
import pytest

from reqboard.store.board import Board
from reqboard.store.cards import card_fields
from reqboard.store.errors import Conflict, Refused
from reqboard.store.models import State
from reqboard.store.pgstore import init_server
from reqboard.store.reader import BoardReader
from reqboard.store.targets import Outcome, breached, checks

from board_locations import BoardLocation
from waiting import wait_until

pytestmark = pytest.mark.slow

NOW = datetime.now(UTC).replace(microsecond=0)


def _url(location: BoardLocation, user: str | None = None) -> str:
    assert location.server is not None and location.database is not None
    return location.server.url(location.database) if user is None else location.at(user)


def _customers(location: BoardLocation) -> list[tuple[str, str]]:
    """The customers' rows: (name_key, the record's name)."""
    return [(key, record["name"]) for key, record in
            location.sql("SELECT name_key, record FROM reqboard.customers ORDER BY name_key")]


def _acme(location: BoardLocation) -> Board:
    board = location.board("ann")
    board.add_customer("ACME", "A", contact="Li Wei, +86 21 5555 0101", segment="logistics")
    for title in ("Export to PDF", "Login with SSO"):
        board.add_requirement(title, customer="acme")
    board.add_requirement("Dark mode", customer="Globex")
    return board


# ---------------------------------------------------------------- a rename
def test_a_rename_moves_the_customers_row_and_every_requirement_in_one_commit(server_location: BoardLocation) -> None:
    board = _acme(server_location)
    reader = BoardReader(_url(server_location, "bob"), "bob")
    assert {c.key: c.customer for c in reader.cards()}["REQ-1"] == "acme"
    (generation,) = server_location.sql("SELECT generation FROM reqboard.board")[0]

    renamed, changed = board.rename_customer("Acme", "ACME Corporation")
    assert (renamed.name, renamed.tier.value, renamed.contact, changed) == (
        "ACME Corporation", "A", "Li Wei, +86 21 5555 0101", 2)
    assert _customers(server_location) == [("acme corporation", "ACME Corporation"), ("globex", "Globex")]
    rows = server_location.sql("SELECT key, customer, version, record->>'customer' FROM reqboard.requirements "
                               "ORDER BY number")
    assert rows == [("REQ-1", "ACME Corporation", 2, "ACME Corporation"),
                    ("REQ-2", "ACME Corporation", 2, "ACME Corporation"), ("REQ-3", "Globex", 1, "Globex")]
    assert server_location.sql("SELECT generation FROM reqboard.board") == [(generation + 1,)]  # one commit
    # Another connection's open board follows, cards and records.
    assert reader.refresh()
    assert {c.key: c.customer for c in reader.cards()} == {"REQ-1": "ACME Corporation", "REQ-2": "ACME Corporation",
                                                          "REQ-3": "Globex"}
    assert [c.name for c in Board(_url(server_location, "bob"), "bob", reader=reader).customers()] == [
        "ACME Corporation", "Globex"]
    reader.storage.close()
    events = [(e.key, e.action, e.old, e.new) for e in board.history() if e.action == "customer.renamed"]
    assert events == [("board", "customer.renamed", "ACME", "ACME Corporation"),
                      ("REQ-1", "customer.renamed", "acme", "ACME Corporation"),
                      ("REQ-2", "customer.renamed", "acme", "ACME Corporation")]


def test_a_rename_in_case_only_keeps_one_row(server_location: BoardLocation) -> None:
    board = _acme(server_location)
    assert board.rename_customer("ACME", "Acme")[1] == 2
    assert _customers(server_location) == [("acme", "Acme"), ("globex", "Globex")]
    assert board.customer("ACME").contact == "Li Wei, +86 21 5555 0101"


def test_a_rename_onto_another_customer_is_refused_and_writes_nothing(server_location: BoardLocation) -> None:
    board = _acme(server_location)
    before = server_location.state()
    with pytest.raises(Refused) as refused:
        board.rename_customer("ACME", "globex")
    assert refused.value.rule == "customer.exists"
    assert server_location.state() == before


# ---------------------------------------------------------------- two connections at once
def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except Exception as exc:  # handed to the test, which asserts on it
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _waiting_for_the_board(location: BoardLocation) -> int:
    """How many sessions of the board's database wait for a lock."""
    rows = location.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                        [location.database])
    return int(rows[0][0])


def test_a_rename_and_an_edit_of_its_requirement_at_once_lose_nothing(server_location: BoardLocation) -> None:
    ann = _acme(server_location)
    bob = server_location.board("bob")
    # A third client holds the board (as a long change would): both changes wait for it, then go one at a time.
    with psycopg.connect(_url(server_location)) as holder:
        holder.execute("SELECT 1 FROM reqboard.board WHERE id = 1 FOR UPDATE")
        renaming, renamed = _in_thread(lambda: ann.rename_customer("ACME", "ACME Corporation"))
        editing, edited = _in_thread(lambda: bob.edit_requirement("REQ-1", {"title": "Export to PDF and Word",
                                                                            "owner": "bob"}))
        wait_until(lambda: _waiting_for_the_board(server_location) == 2, "both changes to wait for the board")
        assert renaming.is_alive() and editing.is_alive()
        holder.rollback()
    renaming.join(timeout=30)
    editing.join(timeout=30)
    assert "error" not in renamed and "error" not in edited, (renamed, edited)
    req = Board(_url(server_location, "carol"), "carol").get("REQ-1")
    # Whichever went first, the other built on it: the rename and the edit are both there.
    assert (req.customer, req.title, req.owner, req.version) == ("ACME Corporation", "Export to PDF and Word", "bob", 3)
    assert {e.action for e in ann.history("REQ-1")} >= {"customer.renamed", "edited"}


def test_an_edit_that_expected_the_version_before_the_rename_is_a_conflict(server_location: BoardLocation) -> None:
    ann = _acme(server_location)
    bob = server_location.board("bob")
    read = bob.get("REQ-2")
    ann.rename_customer("ACME", "ACME Corporation")
    before = server_location.state()
    with pytest.raises(Conflict) as conflict:
        bob.edit_requirement("REQ-2", {"customer": "ACME"}, expect_version=read.version)
    assert conflict.value.exit_code == 3 and (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert server_location.state() == before
    assert bob.get("REQ-2").customer == "ACME Corporation"


# ---------------------------------------------------------------- cards: targets and the last contact
def _complaints(location: BoardLocation) -> Board:
    """A tier A complaint collected five days ago and never analysed (its 2-day target breached), one
    analysed at once (met), with notes and readings; the board's response targets."""
    moment = [NOW - timedelta(days=5)]
    board = location.board("ann", clock=lambda: moment[0])
    board.set_response_target(State.ANALYSED, 2, channel="complaint", tier="A")
    board.set_response_target(State.DONE, 30, channel="complaint")
    board.add_requirement("Invoices show the wrong VAT", customer="ACME", tier="A", channel="complaint",
                          cause="billing")
    board.add_requirement("Parcels shown as not delivered", customer="ACME", tier="A", channel="complaint")
    moment[0] = NOW - timedelta(days=4, hours=20)
    board.move_requirement("REQ-2", "analysed", updates={"importance": 5, "urgency": 5, "kano": "must_be"})
    moment[0] = NOW - timedelta(days=3)
    board.add_note("REQ-1", "Called: every invoice since March is wrong", channel="hotline", with_="Li Wei")
    moment[0] = NOW - timedelta(days=1)
    board.record_feedback("REQ-2", 4, "quick answer", interim=True, scores={"responsiveness": 5})
    board.add_note("REQ-2", "Mailed the fix plan", channel="email", at=NOW - timedelta(days=2))
    return board


def _cards_agree_with_requirements(reader: BoardReader, board: Board) -> None:
    targets = board.response_targets()
    for card in reader.cards():
        req = board.get(card.key)
        assert card.last_contact == req.last_contact
        assert card.target_checks(targets, NOW) == checks(
            targets, channel=req.channel, tier=req.tier, state=req.state,
            started=req.entered_at.get(State.COLLECTED) or req.created_at, entered_at=req.entered_at, now=NOW)


def test_server_cards_carry_what_targets_and_the_last_contact_need(server_location: BoardLocation) -> None:
    board = _complaints(server_location)
    projections = dict(server_location.sql("SELECT key, card FROM reqboard.requirements"))
    assert set(projections["REQ-1"]) >= {"created_at", "entered_at", "notes"}
    assert set(projections["REQ-2"]) >= {"created_at", "entered_at", "notes", "feedback"}
    assert projections["REQ-1"]["notes"] == [{"at": board.get("REQ-1").notes[0].model_dump(mode="json")["at"]}]
    reader = BoardReader(_url(server_location, "bob"), "bob")
    cards = {c.key: c for c in reader.cards()}
    targets = board.response_targets()
    one, two = cards["REQ-1"].target_checks(targets, NOW), cards["REQ-2"].target_checks(targets, NOW)
    assert [(c.target.state, c.outcome) for c in one] == [(State.ANALYSED, Outcome.BREACHED), (State.DONE, Outcome.OPEN)]
    assert [(c.target.state, c.outcome) for c in two] == [(State.ANALYSED, Outcome.MET), (State.DONE, Outcome.OPEN)]
    assert [c.key for c in cards.values() if breached(c.target_checks(targets, NOW))] == ["REQ-1"]
    assert cards["REQ-1"].last_contact == NOW - timedelta(days=3)
    assert cards["REQ-2"].last_contact == NOW - timedelta(days=1)  # the reading, later than the note
    _cards_agree_with_requirements(reader, board)
    reader.storage.close()


def _age_cards(location: BoardLocation) -> int:
    """Write each row's card as the reqboard before #16 did (no creation and entry times, no notes or
    readings); returns how many rows that changed."""
    changed = 0
    for number, record in location.sql("SELECT number, record FROM reqboard.requirements"):
        card = card_fields(record)
        old = {name: value for name, value in card.items() if name not in ("created_at", "entered_at", "notes",
                                                                           "feedback")}
        changed += old != card
        location.sql("UPDATE reqboard.requirements SET card = %s::json WHERE number = %s",
                     [orjson.dumps(old).decode(), number])
    return changed


def test_cards_an_older_reqboard_wrote_still_draw_and_server_init_refreshes_them(server_location: BoardLocation) -> None:
    board = _complaints(server_location)
    assert _age_cards(server_location) == 2
    reader = BoardReader(_url(server_location, "bob"), "bob")
    cards = {c.key: c for c in reader.cards()}
    targets = board.response_targets()
    # Drawn as before: no SLA badge and no last contact is known from such a card, and nothing breaks.
    assert [(c.key, c.title, c.target_checks(targets, NOW), c.last_contact) for c in cards.values()] == [
        ("REQ-1", "Invoices show the wrong VAT", (), None), ("REQ-2", "Parcels shown as not delivered", (), None)]
    assert cards["REQ-1"].requirement.notes  # the record itself is whole

    done = init_server(_url(server_location))
    assert done.refreshed == 2 and done.note == "refreshed the cards of 2 requirements written by an older reqboard"
    assert all(card == card_fields(record) for card, record in
               server_location.sql("SELECT card, record FROM reqboard.requirements"))
    assert reader.refresh()  # the open board follows the refresh's commit
    assert [c.key for c in reader.cards() if breached(c.target_checks(targets, NOW))] == ["REQ-1"]
    _cards_agree_with_requirements(reader, board)
    reader.storage.close()
    assert init_server(_url(server_location)).refreshed == 0
