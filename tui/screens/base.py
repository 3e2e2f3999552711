"""A screen that shows what it reads from the board and follows every change to it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen

from reqboard.store.i18n import N_

from ..background import failure_message
from ..link import StoreLink
from ..messages import BoardChanged, ReadFailed

if TYPE_CHECKING:
    from ..actions import RequirementActions

READING = N_("Reading the board")


class BoardReadingScreen(Screen[None]):
    """Asks the store link for its read on mount and on every `BoardChanged`, and shows the answer.

    Subclasses give `reading()` (the read, from `reads.py`, which the link runs in a thread worker)
    and `show(result)` (on the UI thread).
    """

    @dataclass(eq=False)
    class Loaded(Message, bubble=False):
        """What the screen's read returned."""

        result: Any

    def __init__(self, link: StoreLink) -> None:
        super().__init__()
        self.link = link
        self._read_again = False
        """A change came while the last read was running: read once more when it answers."""
        self._actions: RequirementActions | None = None

    @property
    def actions(self) -> RequirementActions:
        """What the keys of this screen do to a requirement (forms pushed over it)."""
        if self._actions is None:
            from ..actions import RequirementActions

            self._actions = RequirementActions(self.link, self)
        return self._actions

    def on_mount(self) -> None:
        self.load()

    def on_board_changed(self, message: BoardChanged) -> None:
        self.load()

    def load(self) -> None:
        if not self.link.read(self, self.reading(), answer=self.Loaded, doing=READING):
            self._read_again = True

    def reading(self) -> Callable[[Any], Any]:
        raise NotImplementedError

    def show(self, result: Any) -> None:
        raise NotImplementedError

    def read_failed(self, exc: Exception) -> None:
        """Say why the read failed; the screen keeps what it showed."""
        self.notify(failure_message(exc, READING), severity="error", markup=False)

    def on_board_reading_screen_loaded(self, message: Loaded) -> None:
        self._answered()
        try:
            self.show(message.result)
        except Exception as exc:  # drawing what was read failed (a record no one foresaw): a notice, not the end
            self.notify(failure_message(exc, READING), severity="error", timeout=15, markup=False)

    def on_read_failed(self, message: ReadFailed) -> None:
        self._answered()
        self.read_failed(message.error)

    def _answered(self) -> None:
        if self._read_again:
            self._read_again = False
            self.load()
