"""A screen that shows what it reads from the board and follows every change to it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.screen import Screen

from store.board import Board
from store.errors import StoreError

if TYPE_CHECKING:
    from ..app import ReqboardApp


class BoardReadingScreen(Screen[None]):
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

    def read_failed(self, exc: StoreError) -> None:
        self.notify(str(exc), severity="error", markup=False)

    @work(thread=True, exclusive=True, group="screen-read")
    def load(self) -> None:
        def read(board: Board) -> Any:
            board.refresh()
            return self.read(board)

        try:
            result = self.rq_app.store_call(read)
        except StoreError as exc:
            self.app.call_from_thread(self.read_failed, exc)
            return
        self.app.call_from_thread(self.show, result)
