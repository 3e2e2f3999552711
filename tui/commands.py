"""The command palette: every board action, "Sync with..." another board, and "go to requirement" by key or title."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from reqboard.store.text import shown

from .screens.board import BoardScreen

ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("New requirement", "new", "create a requirement in collected"),
    ("Edit requirement", "edit", "edit the selected requirement"),
    ("Move to next state", "move_next", "asks for what the next state needs"),
    ("Move back", "move_back", "asks for a reason"),
    ("Open detail", "open", "the selected requirement's detail pane"),
    ("New change request", "new_cr", "file a change request against the selected requirement"),
    ("Reject requirement", "reject", "reject the selected requirement, with a reason"),
    ("Filter", "filter", "by text, customer, tier, channel, tag, owner, priority"),
    ("Clear filter", "clear_filter", "show every card"),
    ("Toggle swimlanes", "swimlanes", "group cards by tier, by customer, or not"),
    ("Undo", "undo", "undo your last change"),
    ("Archive", "archive", "rejected requirements"),
    ("Change requests", "change_requests", "every change request with its impact totals"),
    ("Reports", "reports", "flow metrics and charts"),
    ("Set WIP limit", "wip_limit", "for the focused column"),
    ("Export board", "export", "to JSON, CSV, Markdown or ReqIF"),
    ("Import file", "import_file", "JSON, CSV or ReqIF: shows what would change before writing"),
)
SYNC = ("Sync with...", "merge with a clone of this board, both ways: the plan and the conflicts first, "
                        "then the write")


def open_sync(board: BoardScreen) -> None:
    """Open "Sync with..." over the board (the screen's module, loaded now, loads the store's sync)."""
    from .screens.sync import SyncScreen

    board.app.push_screen(SyncScreen(board.link))


class ReqboardCommands(Provider):
    """Board actions and requirements, by name."""

    def _board_screen(self) -> BoardScreen | None:
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, BoardScreen):
                return screen
        return None

    async def discover(self) -> Hits:
        board = self._board_screen()
        if board is None:
            return
        for name, action, help in ACTIONS:
            yield DiscoveryHit(name, partial(self._run, action), help=help)
        yield DiscoveryHit(SYNC[0], self._sync, help=SYNC[1])

    async def search(self, query: str) -> Hits:
        board = self._board_screen()
        if board is None:
            return
        matcher = self.matcher(query)
        for name, action, help in ACTIONS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=help)
        score = matcher.match(SYNC[0])
        if score > 0:
            yield Hit(score, matcher.highlight(SYNC[0]), self._sync, help=SYNC[1])
        needle = query.strip().casefold()
        if len(needle) < 2:
            return
        hits = 0
        for req in board.cards:
            key_match = req.key.casefold() == needle or req.key.casefold().startswith(needle)
            if key_match or needle in req.title.casefold():
                text = Content.assemble(("Go to ", "dim"), (shown(req.key, one_line=True), "bold"), " ",
                                        Content(shown(req.title, one_line=True)))
                yield Hit(1.0 if key_match else 0.6, text, partial(self._goto, req.key),
                          # The palette reads a help string as markup: a customer's name is escaped.
                          help=escape(shown(f"{req.state.label} · {req.customer}", one_line=True)))
                hits += 1
                if hits >= 40:
                    return

    def _run(self, action: str) -> None:
        board = self._board_screen()
        if board is not None:
            if self.app.screen is not board:
                self.app.pop_screen()
            getattr(board, f"action_{action}")()

    def _sync(self) -> None:
        board = self._board_screen()
        if board is not None:
            if self.app.screen is not board:
                self.app.pop_screen()
            open_sync(board)

    def _goto(self, key: str) -> None:
        board = self._board_screen()
        if board is not None:
            board.go_to(key)
