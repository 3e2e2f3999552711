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


class CardCache:
    """The board's cards, kept across reads while their records are unchanged; shared by a reader
    and the `Board` made from it, so that the cards drawn first are not made a second time."""

    def __init__(self) -> None:
        self.by_key: dict[str, Card] = {}
        self.revision: Signature | None | object = object()

    def forget(self) -> None:
        """Make every card again on the next read (after a restore replaced the records)."""
        self.revision = object()

    def cards(self, file: BoardFile) -> list[Card]:
        """Every requirement of `file` as a card, in key order (see `BoardReader.cards`)."""
        tables = file.tables()
        signature = file.signature
        if self.revision != signature:
            previous = self.by_key
            fresh: dict[str, Card] = {}
            with paused_gc():
                for raw in tables["requirements"].values():
                    card = previous.get(raw.get("key", "")) if isinstance(raw, dict) else None
                    if card is not None and card.version == raw.get("version") and card.uid == raw.get("uid"):
                        card.record = raw  # the same record, read again: let the old copy go
                    else:
                        card = _card(raw, file.path)
                    fresh[card.key] = card
            self.by_key = dict(sorted(fresh.items(), key=lambda kv: kv[1].number))
            # A commit by another thread while these were made: stamp nothing, make them again next time.
            self.revision = signature if file.is_current(tables) else object()
        return list(self.by_key.values())


def _card(raw: Any, path: Path) -> Card:
    try:
        return Card.of(raw, path)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # Let the model say what is wrong; a record it accepts (a default filled in) is shown.
        return Card.of(validated(raw, path).model_dump(mode="json"), path)


class BoardReader:
    """A board and the user looking at it: the cards and settings, without the models."""

    def __init__(self, path: str | Path, user: str, *, clock: Callable[[], datetime] = now,
                 storage: BoardFile | None = None, cards: CardCache | None = None) -> None:
        """The board at `path` (or on `storage`, already open), read as `user`; raises InvalidValue
        for a user name too long to record, StoreUnreadable for a location that names no board."""
        self.file = storage if storage is not None else BoardFile(path)
        self.user = " ".join(strip_control(user).split()) or "unknown"
        if len(self.user) > MAX_USER_LENGTH:  # every event carries it: the history must stay readable
            raise InvalidValue(
                f"the user name must be at most {MAX_USER_LENGTH} characters (it has {len(self.user)}): "
                "give a shorter --user or $REQBOARD_USER"
            )
        self.clock = clock
        self.card_cache = cards if cards is not None else CardCache()

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
        return self.card_cache.cards(self.file)

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
