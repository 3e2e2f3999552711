"""Reading a board without the models: what opening the board needs before it can draw it.

`Board` (store.board) extends this with the models and every write; the app opens a `BoardReader`
to draw the board at once and makes the `Board` from it when a card is first opened or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .cards import Card, validated
from .domain import BOARD_STATES, SIGNOFF_ROLES, State, now, stored_roles, strip_control
from .errors import InvalidValue
from .i18n import _
from .memory import paused_gc
from .outputs import BoardFiles
from .scoring import SCORE_WEIGHTS, Weights, weights_of
from .snapshot import Revision
from .storage import Backup, Storage, open_storage
from .surveys import COMPLAINT_CAUSES, LOW_SCORE_REASONS, SURVEY_DIMENSIONS, stored_codes
from .targets import RESPONSE_TARGETS, Target, stored_targets
from .wip import OverLimit, is_strict, over_limit, stored_limits

MAX_USER_LENGTH = 80
"""As long as a history event's `by` may be."""


class CardCache:
    """The board's cards, kept across reads while their records are unchanged; shared by a reader
    and the `Board` made from it, so that the cards drawn first are not made a second time.

    Each read that changed the cards is an epoch; `changes_since(epoch)` says which keys changed since
    a reader's last look (when the storage could say: a server names the rows it read again), so a
    board of 100,000 is redrawn for the few cards another client changed, not re-sorted whole."""

    LOG = 32
    """How many epochs of changes are remembered."""

    def __init__(self) -> None:
        self.by_key: dict[str, Card] = {}
        self.revision: Revision | object = object()
        self.partial = False
        """Were the cards made from the fields cards show, not the whole records (a server's)?"""
        self.epoch = 0
        """Counts the reads that changed the cards."""
        self._log: list[tuple[int, frozenset[str] | None]] = []

    def forget(self) -> None:
        """Make every card again on the next read (after a restore replaced the records)."""
        self.revision = object()

    def changes_since(self, epoch: int) -> frozenset[str] | None:
        """The keys whose card changed, came or went since `epoch` (empty: none), or None when that is not
        known (the cards were all made again, or too long ago)."""
        if epoch == self.epoch:
            return frozenset()
        if not self._log or self._log[0][0] > epoch + 1:
            return None
        changed: set[str] = set()
        for at, keys in self._log:
            if at > epoch:
                if keys is None:
                    return None
                changed |= keys
        return frozenset(changed)

    def cards(self, storage: Storage, path: Path, *, whole: bool = False) -> list[Card]:
        """Every requirement of `storage` as a card, in key order (see `BoardReader.cards`)."""
        partial = storage.partial_cards and not whole
        records, revision = storage.card_records() if partial else storage.requirement_records()
        if revision is None or self.revision != revision or (self.partial and not partial):
            known = self.revision if partial == self.partial and isinstance(self.revision, Revision) else None
            numbers = storage.card_changes(known) if known is not None and revision is not None else None
            loader = storage.requirement_record if partial else None
            if numbers is not None and len(numbers) <= len(records) // 4:
                changed: frozenset[str] | None = self._update(records, numbers, path, loader)
            else:
                self._make_all(records, path, loader, partial)
                changed = None
            # A commit by another thread while these were made: stamp nothing, make them again next time.
            self.revision = object() if revision is None else revision
            self.partial = partial
            self.epoch += 1
            self._log = [*self._log[-(self.LOG - 1):], (self.epoch, changed)]
        return list(self.by_key.values())

    def _make_all(self, records: Mapping[str, Any], path: Path, loader: Any, partial: bool) -> None:
        previous = self.by_key
        fresh: dict[str, Card] = {}
        with paused_gc():
            for raw in records.values():
                card = previous.get(raw.get("key", "")) if isinstance(raw, dict) else None
                # A server's card projection can be made again without a new version (`server init`
                # refreshes the projections an older reqboard wrote): a partial card is kept only while
                # its projection reads the same.
                if (card is not None and card.version == raw.get("version") and card.uid == raw.get("uid")
                        and (partial or not card.partial) and (not partial or card.record == raw)):
                    card.record = raw  # the same record, read again: let the old copy go
                else:
                    card = _card(raw, path)
                    card.loader = loader
                fresh[card.key] = card
        self.by_key = dict(sorted(fresh.items(), key=lambda kv: kv[1].number))

    def _update(self, records: Mapping[str, Any], numbers: set[str], path: Path, loader: Any) -> frozenset[str]:
        """Make again only the cards of key `numbers` (the others' records are unchanged)."""
        by_key = dict(self.by_key)
        last = next(reversed(by_key.values())).number if by_key else 0
        in_order = True
        changed: set[str] = set()
        for number in numbers:
            key = f"REQ-{number}"
            raw = records.get(number)
            changed.add(key)
            if raw is None:
                by_key.pop(key, None)
                continue
            card = _card(raw, path)
            card.loader = loader
            if key not in by_key and card.number < last:
                in_order = False
            by_key[card.key] = card
            last = max(last, card.number)
        self.by_key = by_key if in_order else dict(sorted(by_key.items(), key=lambda kv: kv[1].number))
        return frozenset(changed)


def _card(raw: Any, path: Path) -> Card:
    try:
        return Card.of(raw, path)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # Let the model say what is wrong; a record it accepts (a default filled in) is shown.
        return Card.of(validated(raw, path).model_dump(mode="json"), path)


class BoardReader:
    """A board and the user looking at it: the cards and settings, without the models."""

    def __init__(self, path: str | Path, user: str, *, clock: Callable[[], datetime] = now,
                 storage: Storage | None = None, cards: CardCache | None = None) -> None:
        """The board at `path` (or on `storage`, already open), read as `user`. Raises InvalidValue
        for a user name too long to record, StoreUnreadable for a path that names no file,
        Unsupported for a location reqboard cannot open (a URL of another kind, or psycopg missing).

        On a server the user is the database login, whatever `user` says (see `Storage.login`)."""
        self.storage: Storage = storage if storage is not None else open_storage(path)
        login = self.storage.login
        self.user = login if login is not None else " ".join(strip_control(user).split()) or "unknown"
        if login is None and len(self.user) > MAX_USER_LENGTH:  # every event carries it: the history must stay readable
            raise InvalidValue(
                _("the user name must be at most {n} characters (it has {actual}): give a shorter --user or "
                  "$REQBOARD_USER").format(n=MAX_USER_LENGTH, actual=len(self.user))
            )
        self.clock = clock
        self.card_cache = cards if cards is not None else CardCache()
        self.path = self.storage.path
        """The board file, or the server board's URL (named in messages; a model made per record names it)."""

    def refresh(self) -> bool:
        """Read the board again if another process changed it; True when it did."""
        return self.storage.refresh()

    def first_cards(self, per_state: int) -> tuple[list[Card], dict[State, int]] | None:
        """The first `per_state` cards of each board column in the column's order (priority, then key)
        and how many requirements each state holds, when the storage can give them without reading the
        whole board (a server); None otherwise. For a first frame: the whole board is read after it."""
        found = self.storage.first_cards([state.value for state in BOARD_STATES], per_state)
        if found is None:
            return None
        records, counts = found
        loader = self.storage.requirement_record if self.storage.partial_cards else None
        cards = []
        for raw in records:
            card = _card(raw, self.path)
            card.loader = loader
            cards.append(card)
        return cards, {State(state): n for state, n in counts.items() if state in State._value2member_map_}

    def card_changes_since(self, epoch: int) -> frozenset[str] | None:
        """The keys whose card changed since the cards of `epoch` (see `CardCache.changes_since`)."""
        return self.card_cache.changes_since(epoch)

    def cards(self, *, whole: bool = False) -> list[Card]:
        """Every requirement as a board card (rejected ones too), in key order.

        No model is built (see store.cards), and an unchanged record keeps its card across reads.
        A server sends only what cards show (`Card.partial`) unless `whole` asks for each card's whole
        record (to list every requirement in full).
        Raises StoreUnreadable for a record too broken to show, naming the record and the field.
        """
        return self.card_cache.cards(self.storage, self.path, whole=whole)

    def settings(self) -> dict[str, Any]:
        """The board's settings (a copy)."""
        return dict(self.storage.settings)

    def signoff_roles(self) -> tuple[str, ...]:
        """The roles that must each sign a requirement's text before it is approved (none: one sign-off
        of anyone suffices; see store.review)."""
        return stored_roles(self.settings().get(SIGNOFF_ROLES))

    def wip_limits(self) -> dict[State, int]:
        """The columns' WIP limits; a damaged setting limits nothing (`check` says so)."""
        return stored_limits(self.settings())

    def wip_strict(self) -> bool:
        """Do the WIP limits refuse a move past them, rather than warn (store.wip)?"""
        return is_strict(self.settings())

    def over_wip_limit(self, state: State) -> OverLimit | None:
        """Column `state` past its WIP limit as the board is now, or None: the warning after a change
        that took a requirement into it (store.wip)."""
        settings = self.settings()
        limit = stored_limits(settings).get(state)
        if limit is None:
            return None  # (no limit: nothing is counted)
        counted = self.storage.first_cards([state.value], 0)  # a server counts by its index
        if counted is None:
            return over_limit(settings, self.storage.card_records()[0].values(), state)
        count = counted[1].get(state.value, 0)
        return OverLimit(state, count, limit) if count > limit else None

    def survey_dimensions(self) -> tuple[str, ...]:
        """The dimensions a satisfaction survey scores (store.surveys)."""
        return stored_codes(self.settings(), SURVEY_DIMENSIONS)

    def low_score_reasons(self) -> tuple[str, ...]:
        """The reasons a low satisfaction score is given with (store.surveys)."""
        return stored_codes(self.settings(), LOW_SCORE_REASONS)

    def complaint_causes(self) -> tuple[str, ...]:
        """The causes a complaint is given (store.surveys)."""
        return stored_codes(self.settings(), COMPLAINT_CAUSES)

    def response_targets(self) -> tuple[Target, ...]:
        """The board's response targets (store.targets); a damaged entry sets none."""
        return stored_targets(self.settings().get(RESPONSE_TARGETS))

    def score_weights(self) -> Weights:
        """The weights of the team's priority score (`store.scoring`); a damaged setting gives the
        default, importance x urgency (see `scoring.weights_of`)."""
        return weights_of(self.settings().get(SCORE_WEIGHTS))

    @property
    def generation(self) -> int:
        """How many changes were committed to the board."""
        return self.storage.generation

    def files(self) -> BoardFiles | None:
        """The board's own files, which an export or a report must never replace (None: no files)."""
        return self.storage.files()

    def backups(self) -> list[Backup]:
        """The kept backups, newest first; raises Unsupported for a storage that keeps none."""
        return self.storage.maintenance().backups()

    @property
    def read_only_reason(self) -> str | None:
        """Why the board cannot be changed (a newer schema, a read-only file), or None."""
        return self.storage.read_only_reason
