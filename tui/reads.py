"""What each screen reads from the board: functions of the board that the store link runs in a thread
worker (screens hold none of these calls themselves). Each returns what its screen shows."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reqboard.store.cards import Card
from reqboard.store.domain import State
from reqboard.store.links import LinkIndex
from reqboard.store.rejections import Rejection, rejections
from reqboard.store.scoring import Weights
from reqboard.store.surveys import COMPLAINT_CAUSES, LOW_SCORE_REASONS, SURVEY_DIMENSIONS
from reqboard.store.targets import Target

from .widgets.board_view import BoardView

if TYPE_CHECKING:
    from reqboard.store.board import Board
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
    epoch: int = 0
    """The card cache's epoch these cards are of (see `CardCache.changes_since`)."""
    changed: dict[str, Card | None] | None = None
    """The cards that changed, came (a card) or went (None), by key, since the epoch the board screen
    drew last; None: look at them all."""
    counts: dict[State, int] | None = None
    """Set for a first frame's window (`board_cards(window=...)`): only the first cards of each column
    are in `cards`, and these are how many each state holds; the whole board is read next."""
    view: BoardView = field(default_factory=BoardView)
    """The links, sign-off roles and score weights the cards are drawn and sorted with."""
    strict: bool = False
    """The WIP limits refuse a move past them (a column at its limit is full)."""


def board_cards(known_generation: int | None, policy: ReadPolicy, known_epoch: int | None = None, *,
                window: int | None = None, first: bool | None = None) -> Callable[[BoardReader | Board], BoardCards | None]:
    """The board's cards, limits and generation; None when the file is still at `known_generation`
    (None: nothing read yet, the first read). With the card cache's epoch the screen drew last
    (`known_epoch`), also which cards changed since (`BoardCards.changed`). With a `window`, the first
    `window` cards of each column only, where the storage can give them cheaply (a server: see
    `BoardReader.first_cards`), for a first frame at any size. `first`: is this the board's first whole
    read (its read policy is told; by default, when nothing was read yet)?"""
    if first is None:
        first = known_generation is None

    def read(board: BoardReader | Board) -> BoardCards | None:
        if window is not None:
            found = board.first_cards(window)
            if found is not None:
                cards, counts = found
                return BoardCards(cards, board.wip_limits(), board.generation, False, board.read_only_reason,
                                  counts=counts, view=board_view(board, cards), strict=board.wip_strict())
        with policy(first):
            external = board.refresh()
            if not first and board.generation == known_generation:
                return None
            cards = board.cards()
            epoch = board.card_cache.epoch
            keys = board.card_changes_since(known_epoch) if known_epoch is not None else None
            changed = None if keys is None else {key: board.card_cache.by_key.get(key) for key in keys}
            view = board_view(board, cards)
        return BoardCards(cards, board.wip_limits(), board.generation, external, board.read_only_reason,
                          epoch, changed, view=view, strict=board.wip_strict())

    return read


def board_view(board: BoardReader | Board, cards: list[Card]) -> BoardView:
    """What the board around its cards adds to them (`BoardView`), read once per read of the board: the
    links, the sign-off roles, the score weights, the response targets and the survey lists."""
    return BoardView.of(cards, board.signoff_roles(), board.score_weights(), targets=board.response_targets(),
                        dimensions=board.survey_dimensions(), reasons=board.low_score_reasons(),
                        causes=board.complaint_causes())


def card_requirement(card: Card) -> Callable[[BoardReader | Board], Requirement]:
    """The card's whole requirement, validated (kept by the card). A server's card holds only what it
    shows: this reads the rest, so it runs in a worker like any read."""
    def read(board: BoardReader | Board) -> Requirement:
        return card.requirement

    return read


@dataclass(frozen=True)
class RequirementDetail:
    """One requirement as its detail pane shows it, with what the board around it says: its history,
    the links both ways, the board's sign-off roles and score weights, its response targets and the
    lists its forms offer (survey dimensions, reasons for a low score, complaint causes)."""

    requirement: Requirement
    history: list[Event]
    links: LinkIndex
    roles: tuple[str, ...]
    weights: Weights
    targets: tuple[Target, ...] = ()
    dimensions: tuple[str, ...] = SURVEY_DIMENSIONS.default
    reasons: tuple[str, ...] = LOW_SCORE_REASONS.default
    causes: tuple[str, ...] = COMPLAINT_CAUSES.default

    @property
    def view(self) -> BoardView:
        """The board around it as its pane and forms use it."""
        return BoardView(self.links, self.roles, self.weights, targets=self.targets, dimensions=self.dimensions,
                         reasons=self.reasons, causes=self.causes)


def requirement_with_history(key: str) -> Callable[[Board], RequirementDetail]:
    def read(board: Board) -> RequirementDetail:
        board.refresh()
        req = board.get(key)
        return RequirementDetail(req, board.history(key), board.links(), board.signoff_roles(), board.score_weights(),
                                 board.response_targets(), board.survey_dimensions(), board.low_score_reasons(),
                                 board.complaint_causes())

    return read


def change_request_with_timeline(cr_key: str) -> Callable[[Board], tuple[Requirement, ChangeRequest, list[Event]]]:
    def read(board: Board) -> tuple[Requirement, ChangeRequest, list[Event]]:
        board.refresh()
        req, cr = board.find_change_request(cr_key)
        # Its own steps, and the changes its approval made (the requirement's "changed" events, and its move
        # back to approved).
        approved = f"{cr.key} approved"
        return req, cr, [e for e in board.history(req.key)
                         if e.cr == cr.key or (e.action in ("changed", "moved") and e.reason == approved)]

    return read


def change_requests(board: Board) -> list[tuple[Requirement, ChangeRequest]]:
    board.refresh()
    return list(board.change_requests())


def rejected(board: Board) -> list[Rejection]:
    board.refresh()
    # Only the rejected records become models: the rest of a big board stays cards.
    return rejections(board, [card.requirement for card in board.cards() if card.state is State.REJECTED])


def requirement(key: str) -> Callable[[Board], Requirement]:
    def read(board: Board) -> Requirement:
        board.refresh()
        return board.get(key)

    return read
