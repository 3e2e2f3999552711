"""The typed messages of the TUI's one pattern for store calls.

A screen (or form) asks the store link (`link.py`) for a change or a read; the link runs it in a thread
worker and answers the screen that asked with one of these messages, which the screen handles in an
`on_*` method. `Saved` and `Refused` bubble on to the app, which says them in a notice and tells every
open screen that the board changed; a screen that shows a refusal itself (a form) stops it there.
A change that cannot reach a board's server is `Held` until the server answers again. On a server, the
board screen is told what the server says (`ServerSignal`) and asks whether it can be reached
(`Connection`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from reqboard.store.models import Requirement


@dataclass(eq=False)
class Saved(Message):
    """A change was written: `before` is the requirement as it was (None when the change created it),
    `after` what the change returned (the requirement as saved, mostly) and `what` its words for a
    notice ("REQ-8 moved to done"; empty: nothing to say)."""

    before: Requirement | None
    after: Any
    what: str


@dataclass(eq=False)
class Refused(Message):
    """A change was not written: the store refused it (a rule, a stale version, a value) or failed."""

    error: Exception
    doing: str
    """What was being done, in the words a notice uses: English marked with N_ ("Saving the change",
    "Undoing"), which `failure_message` translates, or text in the current language already."""


@dataclass(eq=False)
class BoardChanged(Message, bubble=False):
    """The board may have changed: a save of ours, an undo, or (`external`) another process's write.
    Every open screen gets one and re-reads what it shows."""

    external: bool = False


@dataclass(eq=False)
class ReadFailed(Message, bubble=False):
    """A read could not be done; the screen that asked keeps what it showed and says why."""

    error: Exception
    doing: str


@dataclass(eq=False)
class Held(Message):
    """A change could not reach the board's server (the connection is lost) and was not written: the
    store link holds it and makes it once the server answers again, when the requester gets `Saved` or
    `Refused` as usual. A form stays open with its values; for anything else the app says it in a notice."""

    error: Exception


@dataclass(eq=False)
class ServerSignal(Message, bubble=False):
    """The board's server spoke (posted from the storage's listening thread): another client committed,
    or the connection was lost or is back. Only for a board the storage watches (`StoreLink.watch`)."""


@dataclass(eq=False)
class Connection(Message, bubble=False):
    """What asking the board's server found (`StoreLink.reconnect`): `problem` is None when it answers
    (the held changes were made, or tried, by then), else why it cannot be reached."""

    problem: str | None
