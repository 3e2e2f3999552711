"""What the store raises. Each error carries the CLI exit code of DESIGN.md section 3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class StoreError(Exception):
    """Base of everything the store refuses; `str(err)` is a message for the person at the keyboard."""

    exit_code = 1


class Refused(StoreError):
    """A workflow rule refused the operation (exit 1)."""

    def __init__(self, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule


class NotFound(StoreError):
    """No record with that key (exit 1)."""


class InvalidValue(StoreError):
    """A value failed validation (exit 1); `errors` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class Conflict(StoreError):
    """The record changed since the version the caller read (exit 3): re-read and retry."""

    exit_code = 3

    def __init__(self, message: str, *, key: str, expected: int, actual: int, by: str, at: str) -> None:
        super().__init__(message)
        self.key, self.expected, self.actual, self.by, self.at = key, expected, actual, by, at


class BoardChangedUnderneath(StoreError):
    """Another process wrote the board without holding its lock while this change was being saved
    (exit 3, like a stale version): nothing was written; read again and retry."""

    exit_code = 3


class Outdated(StoreError):
    """The board changed since the revision the caller planned against (exit 3): nothing was
    written; read the board again and plan again."""

    exit_code = 3


class Unsupported(StoreError):
    """The store at this location cannot do that (exit 2): a location reqboard cannot open yet, or
    file maintenance asked of a storage that keeps no files."""

    exit_code = 2


class StoreUnreadable(StoreError):
    """The board file cannot be read or written safely (exit 4); its bytes are left untouched."""

    exit_code = 4


class LockTimeout(StoreUnreadable):
    """Another process held the board's lock for too long (exit 4)."""


class ServerUnreachable(StoreUnreadable):
    """The board's server cannot be reached, or the connection to it was lost (exit 4): nothing of the
    change in hand was saved."""


class CommitUncertain(ServerUnreachable):
    """The connection was lost while the server committed a change (exit 4): it may or may not be saved,
    so it must not be repeated blindly (read the board again first)."""


class ReadOnly(StoreUnreadable):
    """The board was written by a newer reqboard and is open read-only (exit 4)."""


def validation_message(exc: Exception, what: str = "") -> InvalidValue:
    """Turn a pydantic ValidationError into an InvalidValue naming each bad field."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return InvalidValue(str(exc))
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "value"
        msg = _text_length_message(err) or err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        errors.setdefault(loc, msg)
    detail = "; ".join(f"{field}: {msg}" for field, msg in errors.items())
    prefix = f"{what}: " if what else ""
    return InvalidValue(f"{prefix}invalid {detail}", errors)


def _text_length_message(err: Mapping[str, Any]) -> str | None:
    """Pydantic counts a string's length in "items"; a person counts characters."""
    if not isinstance(err.get("input"), str):
        return None
    ctx = err.get("ctx") or {}
    if err["type"] == "too_short":
        if ctx.get("min_length") == 1:
            return "must not be empty"
        return f"must be at least {ctx.get('min_length')} characters"
    if err["type"] == "too_long":
        return f"must be at most {ctx.get('max_length')} characters (it has {ctx.get('actual_length')})"
    return None
