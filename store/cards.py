"""Cards: what the board shows and filters on, read straight from the stored records.

Opening a board must not build a full pydantic model of every requirement: at 10,000 records that
was most of the time to first paint (23 µs a record) and a third of the memory (6 KB a record).
A `Card` takes the few fields a column draws, sorts and filters on from the stored record, cleaned
the way the models clean them, and keeps a reference to the record; the full, validated
`Requirement` is built when someone opens, moves or edits the card (`Card.requirement`).

A record too broken to make a card from is validated on the spot, so the error names the field;
`Board.invalid_records()` validates the rest in the background.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import StoreUnreadable, validation_message
from .models import Channel, CRStatus, Kano, Requirement, State, Tier, key_number, strip_control

_STATES = State._value2member_map_
_TIERS = Tier._value2member_map_
_CHANNELS = Channel._value2member_map_
_KANO = Kano._value2member_map_
_CLOSED_CR = (CRStatus.CLOSED.value, CRStatus.REJECTED.value)


def _text(value: Any) -> str:
    """A stored text field as the models would clean it: control characters never reach a screen."""
    if not isinstance(value, str):
        raise TypeError("not text")
    return value if value.isprintable() else strip_control(value)


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.utcoffset() is None:
        raise ValueError("a time without a time zone")
    return moment


class Card:
    """One requirement as a board column sees it. Read-only by convention; made by `Card.of`."""

    __slots__ = (
        "key", "number", "uid", "version", "title", "description", "state", "customer", "tier",
        "channel", "owner", "tags", "kano", "importance", "urgency", "since", "due",
        "open_change_requests", "approval_stale", "suspect", "record", "path", "_requirement",
    )

    key: str
    number: int
    uid: str
    version: int
    title: str
    description: str
    state: State
    customer: str
    tier: Tier | None
    channel: Channel
    owner: str
    tags: tuple[str, ...]
    kano: Kano | None
    importance: int | None
    urgency: int | None
    since: datetime
    """When it entered its current state (or was last changed, for records without that time)."""
    due: date | None
    open_change_requests: int
    approval_stale: bool
    """Approved once, and the text differs from the text of its latest approval."""
    suspect: str
    record: dict[str, Any]
    """The stored record the card was read from (never changed in place by the store)."""
    path: Path | None
    """The board file, for the message about an invalid record."""

    @classmethod
    def of(cls, record: dict[str, Any], path: Path | None = None) -> Card:
        """A card from a stored record. Raises KeyError, TypeError or ValueError if it is malformed."""
        card = cls.__new__(cls)
        card.key = key = record["key"]
        card.number = key_number(key)
        card.uid = record["uid"]
        card.version = record["version"]
        card.title = _text(record["title"])
        card.description = _text(record.get("description", ""))
        card.state = _STATES[record.get("state", "collected")]  # type: ignore[assignment]
        card.customer = _text(record.get("customer", ""))
        tier = record.get("tier")
        card.tier = None if tier is None else _TIERS[tier]  # type: ignore[assignment]
        card.channel = _CHANNELS[record.get("channel", "other")]  # type: ignore[assignment]
        card.owner = _text(record.get("owner", ""))
        card.tags = tuple(_text(t) for t in record.get("tags", ()))
        kano = record.get("kano")
        card.kano = None if kano is None else _KANO[kano]  # type: ignore[assignment]
        card.importance = _score(record.get("importance"))
        card.urgency = _score(record.get("urgency"))
        card.since = _moment(record.get("state_since") or record["updated_at"])
        due = record.get("due")
        card.due = None if due is None else date.fromisoformat(due)
        card.open_change_requests = sum(
            1 for cr in record.get("change_requests", ()) if cr["status"] not in _CLOSED_CR)
        approvals = record.get("approvals")
        card.approval_stale = bool(approvals) and approvals[-1]["text_hash"] != _text_hash(record)
        card.suspect = _text(record.get("suspect", ""))
        card.record = record
        card.path = path
        card._requirement = None
        return card

    @property
    def priority(self) -> int | None:
        """Importance x urgency (1-25), or None until both are set."""
        if self.importance is None or self.urgency is None:
            return None
        return self.importance * self.urgency

    def overdue(self, today: date) -> bool:
        if self.due is None or self.state in (State.DONE, State.FED_BACK, State.REJECTED):
            return False
        return self.due < today

    @property
    def requirement(self) -> Requirement:
        """The full requirement, validated on first use. Raises StoreUnreadable if the record is invalid."""
        if self._requirement is None:
            self._requirement = validated(self.record, self.path)
        return self._requirement

    def __repr__(self) -> str:
        return f"Card({self.key} v{self.version} {self.state.value})"


def validated(record: Any, path: Path | None = None) -> Requirement:
    """The stored record as a validated Requirement; raises StoreUnreadable naming the bad field."""
    try:
        return Requirement.model_validate(record)
    except ValidationError as exc:
        key = record.get("key", "?") if isinstance(record, dict) else "?"
        where = f"{path}: " if path else ""
        raise StoreUnreadable(
            f"{where}record {key} is invalid ({validation_message(exc)}); the file was left untouched"
        ) from None


def _score(value: Any) -> int | None:
    # Only the type: a score out of range is still shown, and the background check reports it.
    if value is not None and type(value) is not int:
        raise TypeError("a score is a whole number")
    return value


def _text_hash(record: dict[str, Any]) -> str:
    """`models.text_hash` of a stored record (its text is stored clean)."""
    parts = [record["title"], record.get("description", ""),
             *(c["text"] for c in record.get("acceptance_criteria", ()))]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
