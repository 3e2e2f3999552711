"""A board's cards on a server follow another client's commits by the rows it wrote: only those cards
are made again (a redraw on a board of 100,000 costs what changed, not the board), and the card cache
says which keys changed, which the board screen re-sorts alone."""

from __future__ import annotations

from typing import Any

import pytest

from reqboard.store import reader
from reqboard.store.models import State
from reqboard.store.reader import BoardReader

from board_locations import BoardLocation


def test_a_commit_makes_only_the_changed_cards_again(server_location: BoardLocation,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    writer = server_location.board("ann")
    for n in range(1, 41):
        writer.add_requirement(f"Requirement {n}", customer="ACME", importance=3, urgency=3)
    board = BoardReader(server_location.at("ann"), "ann")
    first = {card.key: card for card in board.cards()}
    epoch = board.card_cache.epoch
    made: list[str] = []
    make = reader._card

    def counting(raw: Any, path: Any) -> Any:
        made.append(raw["key"])
        return make(raw, path)

    monkeypatch.setattr(reader, "_card", counting)
    writer.edit_requirement("REQ-7", {"title": "Seventh, renamed"})
    writer.move_requirement("REQ-9", State.REJECTED, reason="not ours")
    writer.add_requirement("Forty-first", customer="ACME")
    assert board.refresh()
    cards = board.cards()
    assert sorted(made) == ["REQ-41", "REQ-7", "REQ-9"]  # the other 38 are the same objects
    assert [card.key for card in cards] == [f"REQ-{n}" for n in range(1, 42)]  # still in key order
    assert all(card is first[card.key] for card in cards if card.key not in ("REQ-7", "REQ-9", "REQ-41"))
    assert board.card_changes_since(epoch) == {"REQ-7", "REQ-9", "REQ-41"}
    assert {c.key: (c.title, c.state) for c in cards}["REQ-7"] == ("Seventh, renamed", State.COLLECTED)
    assert board.card_changes_since(board.card_cache.epoch) == frozenset()
    board.storage.close()


def test_cards_read_whole_after_a_whole_read_say_nothing_of_what_changed(server_location: BoardLocation) -> None:
    writer = server_location.board("ann")
    writer.add_requirement("One", customer="ACME")
    board = BoardReader(server_location.at("ann"), "ann")
    board.cards()
    epoch = board.card_cache.epoch
    board.cards(whole=True)  # another kind of read: every card made again
    assert board.card_changes_since(epoch) is None
    board.storage.close()
