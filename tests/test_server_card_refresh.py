"""`server init` on a board an older reqboard wrote: every row's `card` is made again from its record
(links, scored fields, sign-off roles and resolutions, which older cards lack), in one commit that open
boards follow, without a new schema version (older clients keep working). On the tests' own server."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from reqboard.store import pgstore
from reqboard.store.cards import card_fields
from reqboard.store.links import LinkIndex
from reqboard.store.pgstore import SCHEMA_VERSION, init_server
from reqboard.store.reader import BoardReader

from board_locations import BoardLocation

# What a card of the reqboard before sign-off roles, links and scores held (store.cards before #15).
OLD_CARD_FIELDS = ("key", "uid", "version", "title", "description", "state", "customer", "tier", "channel", "owner",
                   "tags", "kano", "importance", "urgency", "state_since", "due", "suspect", "change_requests",
                   "approvals", "acceptance_criteria")


def _old_card(record: dict[str, Any]) -> dict[str, Any]:
    card = {name: value for name, value in card_fields(record).items() if name in OLD_CARD_FIELDS}
    if "approvals" in card:
        card["approvals"] = [{"text_hash": a["text_hash"]} for a in card["approvals"]]
    return card


def _linked_board(location: BoardLocation) -> None:
    board = location.board("ann")
    board.set_signoff_roles(["customer", "product"])
    analysis = {"importance": 4, "urgency": 3, "kano": "performance", "business_value": 5, "effort_estimate": 8}
    for title in ("Login", "Profile", "Avatar", "Keep logs", "Delete on request", "Plain one", "Plain two"):
        board.add_requirement(title, customer="ACME")
    board.edit_requirement("REQ-2", {"depends_on": ("REQ-1",), **analysis})
    board.edit_requirement("REQ-5", {"conflicts_with": ("REQ-4",)})
    board.move_requirement("REQ-2", "analysed")
    board.approve("REQ-2", role="customer", on_behalf_of="Li Wei")
    board.resolve_conflict("REQ-4", "REQ-5", "keep logs, delete the rest")


def _age_cards(location: BoardLocation) -> int:
    """Write every row's card as an older reqboard did; returns how many rows that changed."""
    changed = 0
    for number, record in location.sql("SELECT number, record FROM reqboard.requirements"):
        old = _old_card(record)
        if old != card_fields(record):
            changed += 1
        location.sql("UPDATE reqboard.requirements SET card = %s::json WHERE number = %s",
                     [orjson.dumps(old).decode(), number])
    return changed


def _url(location: BoardLocation) -> str:
    assert location.server is not None and location.database is not None
    return location.server.url(location.database)


def _cards(location: BoardLocation) -> dict[int, Any]:
    return dict(location.sql("SELECT number, card FROM reqboard.requirements"))


def _records_and_versions(location: BoardLocation) -> list[tuple[Any, ...]]:
    return location.sql("SELECT number, version, record::text FROM reqboard.requirements ORDER BY number")


def test_init_refreshes_the_cards_an_older_reqboard_wrote(server_location: BoardLocation) -> None:
    _linked_board(server_location)
    aged = _age_cards(server_location)
    assert aged == 7  # every old card lacks fields a card holds now (empty links among them)
    reader = BoardReader(server_location.at("ann"), "ann")
    assert not LinkIndex.of(reader.cards()).blocked("REQ-2")  # an old card knows no dependency: no BLK
    records = _records_and_versions(server_location)
    (generation_before,) = server_location.sql("SELECT generation FROM reqboard.board")[0]

    done = init_server(_url(server_location))
    assert (done.found, done.schema, tuple(done)) == (SCHEMA_VERSION, SCHEMA_VERSION, (SCHEMA_VERSION, SCHEMA_VERSION))
    assert done.refreshed == aged
    assert done.note == f"refreshed the cards of {aged} requirements written by an older reqboard"
    cards = _cards(server_location)
    assert all(cards[number] == card_fields(orjson.loads(record)) for number, _v, record in records)
    assert cards[2]["depends_on"] == ["REQ-1"] and cards[2]["approvals"][0]["role"] == "customer"
    # The records are as they were; one commit made the cards, and the schema is the same.
    assert _records_and_versions(server_location) == records
    assert server_location.sql("SELECT generation, schema_version FROM reqboard.board") == [
        (generation_before + 1, SCHEMA_VERSION)]
    # An open board is told of that commit and draws blocked work as blocked (its cards are made
    # again though no version changed); so does a board opened now.
    assert reader.refresh()
    assert LinkIndex.of(reader.cards()).blocked("REQ-2")
    reader.storage.close()
    fresh = BoardReader(server_location.at("ann"), "ann")
    links = LinkIndex.of(fresh.cards())
    assert links.blocked("REQ-2") and links.conflicts_of("REQ-4") == ("REQ-5",) and links.open_conflicts("REQ-4") == ()
    fresh.storage.close()

    again = init_server(_url(server_location))
    assert (again.refreshed, again.note) == (0, "every requirement's card is up to date")
    assert server_location.sql("SELECT generation FROM reqboard.board") == [(generation_before + 1,)]


def test_the_cards_are_read_in_batches(server_location: BoardLocation, monkeypatch: pytest.MonkeyPatch) -> None:
    _linked_board(server_location)
    server_location.sql("UPDATE reqboard.requirements SET card = '{}'::json")
    monkeypatch.setattr(pgstore, "REFRESH_BATCH", 2)
    done = init_server(_url(server_location))
    assert done.refreshed == 7
    assert all(card == card_fields(record) for card, record in server_location.sql(
        "SELECT card, record FROM reqboard.requirements"))


def test_a_login_that_may_only_read_learns_the_version_and_changes_nothing(server_location: BoardLocation) -> None:
    _linked_board(server_location)
    _age_cards(server_location)
    server = server_location.server
    assert server is not None and server_location.database is not None
    server.create_role("refresh_reader")
    pgstore.grant(server.url(server_location.database), "refresh_reader", read_only=True)
    before = server_location.state()
    done = init_server(server.url(server_location.database, user="refresh_reader"))
    assert tuple(done) == (SCHEMA_VERSION, SCHEMA_VERSION) and done.refreshed is None
    assert done.note == ("the cards were not checked: the login refresh_reader may not change the board (run this "
                         "as the owner of the board's tables)")
    assert server_location.state() == before


def test_a_new_board_has_nothing_to_refresh(pg_url: str) -> None:
    made = init_server(pg_url)
    assert (made.found, made.schema, made.refreshed, made.note) == (None, SCHEMA_VERSION, None, None)
