"""What the board around a card adds to how it is drawn: its links both ways, the sign-off roles, the
score weights and the response targets, as of one read of the whole board (made in the read's worker,
`tui.reads`); with the board's survey lists, which the forms over it offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reqboard.store.cards import Card
from reqboard.store.links import LinkIndex
from reqboard.store.scoring import DEFAULT_WEIGHTS, Weights
from reqboard.store.scoring import score as score_of
from reqboard.store.surveys import COMPLAINT_CAUSES, LOW_SCORE_REASONS, SURVEY_DIMENSIONS
from reqboard.store.targets import Target

BLOCKED, IN_CONFLICT = "B", "C"
"""A card's marks (`BoardView.marks`): it waits on unfinished work (BLK); it is in a conflict no
decision settled (CON)."""


@dataclass(frozen=True)
class BoardView:
    """What the board around a card adds to it, as of one read: the links both ways (what blocks it,
    its open conflicts), the sign-off roles (whether its changed text waits for re-approval) and the
    weights of the team's score (where it sorts), the response targets (its SLA badge). Worked out in the
    read's worker, never per key. Also the board's lists a form offers as choices (store.surveys): the
    survey's dimensions, the reasons for a low score, the complaint causes."""

    links: LinkIndex = field(default_factory=LinkIndex)
    roles: tuple[str, ...] = ()
    weights: Weights = DEFAULT_WEIGHTS
    marks: Mapping[str, str] = field(default_factory=dict)
    """The keys of the cards that are blocked or in an open conflict, and which (`BLOCKED`, `IN_CONFLICT`)."""
    scores: Mapping[str, float | None] | None = None
    """Each card's score under `weights`; None while they are the default (the score is the priority)."""
    targets: tuple[Target, ...] = ()
    dimensions: tuple[str, ...] = SURVEY_DIMENSIONS.default
    reasons: tuple[str, ...] = LOW_SCORE_REASONS.default
    causes: tuple[str, ...] = COMPLAINT_CAUSES.default

    @classmethod
    def of(cls, cards: Iterable[Card], roles: tuple[str, ...], weights: Weights, *,
           targets: tuple[Target, ...] = (), dimensions: tuple[str, ...] = SURVEY_DIMENSIONS.default,
           reasons: tuple[str, ...] = LOW_SCORE_REASONS.default,
           causes: tuple[str, ...] = COMPLAINT_CAUSES.default) -> BoardView:
        """The view of a board's cards (all of them, rejected ones too: a link may name any), with the
        board's response targets and lists as read with them."""
        cards = cards if isinstance(cards, list) else list(cards)
        links = LinkIndex.of(cards)
        marks: dict[str, str] = {}
        for key in links.depends:  # only the cards with links are asked
            if links.blocked(key):
                marks[key] = BLOCKED
        for key in links.conflicts:
            if links.open_conflicts(key):
                marks[key] = marks.get(key, "") + IN_CONFLICT
        scores = None if weights.is_default else {card.key: score_of(card, weights) for card in cards}
        return cls(links, roles, weights, marks, scores, targets, dimensions, reasons, causes)

    def score(self, card: Card) -> float | None:
        """The card's score: its priority under the default weights."""
        if self.scores is None:
            return card.priority
        if card.key in self.scores:
            return self.scores[card.key]
        return score_of(card, self.weights)  # a card this view was not made with

    def blocked(self, key: str) -> bool:
        """Does `key` wait on unfinished work (the filter's `blocked`)?"""
        return BLOCKED in self.marks.get(key, "")
