"""Reading a board without the models: what opening the board needs before it can draw it.

`Board` (store.board) extends this with the models and every write; the app opens a `BoardReader`
to draw the board at once and makes the `Board` from it when a card is first opened or changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .cards import Card, validated
from .domain import State, now, strip_control
from .errors import InvalidValue
from .storage import Backup, BoardFile, Signature, paused_gc

MAX_USER_LENGTH = 80
"""As long as a history event's `by` may be."""


class BoardReader:
    """A board file and the user looking at it."""

    def __init__(self, path: str | Path, user: str, *, clock: Callable[[], datetime] = now) -> None:
        self.file = BoardFile(path)
        self.user = " ".join(strip_control(user).split()) or "unknown"
        if len(self.user) > MAX_USER_LENGTH:  # every event carries it: the history must stay readable
            raise InvalidValue(
                f"the user name must be at most {MAX_USER_LENGTH} characters (it has {len(self.user)}): "
                "give a shorter --user or $REQBOARD_USER"
            )
        self.clock = clock
        self._cards: dict[str, Card] = {}
        self._cards_signature: Signature | None | object = object()

    @property
    def path(self) -> Path:
        return self.file.path

    def refresh(self) -> bool:
        """Re-read the file if another process changed it; True when it did."""
        if self.file.changed_on_disk():
            self.file.reload()
            return True
        return False

    def cards(self) -> list[Card]:
        """Every requirement as a board card (rejected ones too), in key order.

        No model is built (see store.cards), and an unchanged record keeps its card across reads.
        Raises StoreUnreadable for a record too broken to show, naming the record and the field.
        """
        tables = self.file.tables()
        signature = self.file.signature
        if self._cards_signature != signature:
            previous = self._cards
            fresh: dict[str, Card] = {}
            with paused_gc():
                for raw in tables["requirements"].values():
                    card = previous.get(raw.get("key", "")) if isinstance(raw, dict) else None
                    if card is not None and card.version == raw.get("version") and card.uid == raw.get("uid"):
                        card.record = raw  # the same record, read again: let the old copy go
                    else:
                        card = self._card(raw)
                    fresh[card.key] = card
            self._cards = dict(sorted(fresh.items(), key=lambda kv: kv[1].number))
            # A commit by another thread while these were made: stamp nothing, make them again next time.
            self._cards_signature = signature if self.file.is_current(tables) else object()
        return list(self._cards.values())

    def _card(self, raw: Any) -> Card:
        try:
            return Card.of(raw, self.path)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            # Let the model say what is wrong; a record it accepts (a default filled in) is shown.
            return Card.of(validated(raw, self.path).model_dump(mode="json"), self.path)

    def settings(self) -> dict[str, Any]:
        return dict(self.file.meta.get("settings", {}))

    def wip_limits(self) -> dict[State, int]:
        limits = self.settings().get("wip_limits", {})
        if not isinstance(limits, dict):  # a damaged setting limits nothing; `check` says so
            return {}
        return {
            State(k): v for k, v in limits.items()
            if k in State._value2member_map_ and type(v) is int and 0 < v <= 100_000
        }

    @property
    def generation(self) -> int:
        return self.file.generation

    def backups(self) -> list[Backup]:
        return self.file.backups()

    @property
    def read_only_reason(self) -> str | None:
        return self.file.read_only_reason
