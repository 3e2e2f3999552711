"""A screen that shows what it reads from the board and follows every change to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

from reqboard.store.board import Board

from ..background import NoticesFailedWork, background, failure_message

if TYPE_CHECKING:
    from ..app import ReqboardApp


class BoardReadingScreen(NoticesFailedWork, Screen[None]):
    """Reads in a thread worker under the app's store lock, then shows the result on the UI thread.

    Subclasses give `read(board)` (in the worker) and `show(result)`; the app calls `board_changed`
    after our own writes, the board screen after other processes' writes.
    """

    @property
    def rq_app(self) -> ReqboardApp:
        return cast("ReqboardApp", self.app)

    def on_mount(self) -> None:
        self.load()

    def board_changed(self) -> None:
        self.load()

    def read(self, board: Board) -> Any:
        raise NotImplementedError

    def show(self, result: Any) -> None:
        raise NotImplementedError

    def read_failed(self, exc: Exception) -> None:
        """Say why the read failed (on the UI thread); the screen keeps what it showed."""
        self.notify(failure_message(exc, "Reading the board"), severity="error", markup=False)

    @background("Reading the board", group="screen-read", exclusive=True)
    def load(self) -> None:
        def read(board: Board) -> Any:
            board.refresh()
            return self.read(board)

        try:
            result = self.rq_app.store_call(read)
        except Exception as exc:  # a record the models refuse, or a fault: a notice, never the end of the app
            self.app.call_from_thread(self.read_failed, exc)
            return
        self.app.call_from_thread(self.show, result)
