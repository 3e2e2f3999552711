"""What each screen reads from the board: functions of the board that the store link runs in a thread
worker (screens hold none of these calls themselves). Each returns what its screen shows."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from reqboard.store.cards import Card
from reqboard.store.domain import State

if TYPE_CHECKING:
    from reqboard.store.board import Board
    from reqboard.store.metrics import BoardMetrics
    from reqboard.store.models import ChangeRequest, Event, Requirement
    from reqboard.store.reader import BoardReader

ReadPolicy = Callable[[bool], AbstractContextManager[Any]]
"""What a whole-board read runs inside (the app's memory policy); told whether it is the first read."""


@dataclass(frozen=True)
class BoardCards:
    """The whole board as the board screen draws it."""

    cards: list[Card]
    limits: dict[State, int]
    generation: int
    external: bool
    """Another process changed the file since the last read."""
    read_only: str | None
    """Why the board cannot be changed (a newer schema)."""


def board_cards(known_generation: int | None, policy: ReadPolicy) -> Callable[[BoardReader | Board], BoardCards | None]:
    """The board's cards, limits and generation; None when the file is still at `known_generation`
    (None: nothing read yet, the first read)."""
    first = known_generation is None

    def read(board: BoardReader | Board) -> BoardCards | None:
        with policy(first):
            external = board.refresh()
            if not first and board.generation == known_generation:
                return None
            cards = board.cards()
        return BoardCards(cards, board.wip_limits(), board.generation, external, board.read_only_reason)

    return read


def card_requirement(card: Card) -> Callable[[BoardReader | Board], Requirement]:
    """The card's whole requirement, validated (kept by the card). A server's card holds only what it
    shows: this reads the rest, so it runs in a worker like any read."""
    def read(board: BoardReader | Board) -> Requirement:
        return card.requirement

    return read


def requirement_with_history(key: str) -> Callable[[Board], tuple[Requirement, list[Event]]]:
    def read(board: Board) -> tuple[Requirement, list[Event]]:
        board.refresh()
        return board.get(key), board.history(key)

    return read


def change_request_with_timeline(cr_key: str) -> Callable[[Board], tuple[Requirement, ChangeRequest, list[Event]]]:
    def read(board: Board) -> tuple[Requirement, ChangeRequest, list[Event]]:
        board.refresh()
        req, cr = board.find_change_request(cr_key)
        return req, cr, [e for e in board.history(req.key) if e.cr == cr.key]

    return read


def change_requests(board: Board) -> list[tuple[Requirement, ChangeRequest]]:
    board.refresh()
    return list(board.change_requests())


def rejected(board: Board) -> list[Requirement]:
    board.refresh()
    # Only the rejected records become models: the rest of a big board stays cards.
    return [card.requirement for card in board.cards() if card.state is State.REJECTED]


def requirement(key: str) -> Callable[[Board], Requirement]:
    def read(board: Board) -> Requirement:
        board.refresh()
        return board.get(key)

    return read


def metrics(since: date | None, clock: Callable[[], datetime] | None) -> Callable[[Board], BoardMetrics]:
    def read(board: Board) -> BoardMetrics:
        from reqboard.store.metrics import compute_metrics

        return compute_metrics(board.requirements(), board.history(), now=clock() if clock else None, since=since)

    return read
