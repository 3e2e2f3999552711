"""The domain's vocabulary without pydantic: states, the choice lists, keys, and clean text.

Kept apart from the models so that drawing the board (store.cards) does not import pydantic, which
costs a tenth of the board's start-up; `store.models` re-exports every name here.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any

# C0 controls except tab (\x09) and newline (\x0a), DEL, and the C1 block.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """Remove C0/C1 control characters (keeping newline and tab); CRLF becomes LF first."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def now() -> datetime:
    return datetime.now(timezone.utc)


def new_uid() -> str:
    return uuid.uuid4().hex


class State(StrEnum):
    COLLECTED = "collected"
    ANALYSED = "analysed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FED_BACK = "fed_back"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> State:
        """Accept the CLI spellings: `in_progress`, `in-progress`, `In progress`."""
        name = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(name)
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown state {text!r}: use one of {names}") from None


STATE_LABELS = {
    State.COLLECTED: "Collected",
    State.ANALYSED: "Analysed",
    State.APPROVED: "Approved",
    State.IN_PROGRESS: "In progress",
    State.DONE: "Done",
    State.FED_BACK: "Fed back",
    State.REJECTED: "Rejected",
}

BOARD_STATES: tuple[State, ...] = (
    State.COLLECTED,
    State.ANALYSED,
    State.APPROVED,
    State.IN_PROGRESS,
    State.DONE,
    State.FED_BACK,
)
"""The six board columns, in lifecycle order; `rejected` is off the board."""


class _Choice(StrEnum):
    """An enum whose values can be given with dashes or spaces (`must-be`, `after sales`)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            norm = value.strip().lower().replace("-", "_").replace(" ", "_")
            for member in cls:
                if member.value == norm:
                    return member
        return None

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Tier(_Choice):
    A = "A"
    B = "B"
    C = "C"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str) and value.strip().upper() in ("A", "B", "C"):
            return cls(value.strip().upper())
        return None


class Channel(_Choice):
    INTERVIEW = "interview"
    SURVEY = "survey"
    HOTLINE = "hotline"
    EMAIL = "email"
    AFTER_SALES = "after_sales"
    SOCIAL_MEDIA = "social_media"
    MARKET_RESEARCH = "market_research"
    COMPLAINT = "complaint"
    OTHER = "other"


class NeedType(_Choice):
    EXPLICIT = "explicit"
    IMPLICIT = "implicit"
    LATENT = "latent"


class Kano(_Choice):
    MUST_BE = "must_be"
    PERFORMANCE = "performance"
    ATTRACTIVE = "attractive"
    INDIFFERENT = "indifferent"
    REVERSE = "reverse"


class Feasibility(_Choice):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


class Risk(_Choice):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CRStatus(_Choice):
    SUBMITTED = "submitted"
    ASSESSED = "assessed"
    APPROVED = "approved"
    REJECTED = "rejected"
    IMPLEMENTED = "implemented"
    CLOSED = "closed"


def search_text(key: str, title: str, description: str, customer: str, tags: tuple[str, ...]) -> str:
    """The casefolded text a filter's words are looked for in (the same for cards and models)."""
    return " ".join((key, title, description, customer, *tags)).casefold()


def key_number(key: str) -> int:
    """The number in `REQ-12` or `CR-7`."""
    return int(key.rsplit("-", 1)[1])


def normalise_key(text: str, prefix: str = "REQ") -> str:
    """`req-12`, `12` and `REQ-12` all name REQ-12."""
    text = text.strip().upper()
    if text.isdigit():
        text = f"{prefix}-{int(text)}"
    return text
