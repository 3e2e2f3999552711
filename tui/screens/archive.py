"""The archive: rejected requirements, off the board, with why they were rejected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reqboard.store.i18n import N_, _
from reqboard.store.models import Requirement, State

from ..link import StoreLink
from ..reads import rejected
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .lines import literal, stored_note


class ArchiveScreen(BoardReadingScreen):
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="archive.close"),
        Binding("o", "reopen", N_("Reopen"), id="archive.reopen"),
        # Telling the customer why it was rejected is a contact too.
        Binding("N", "note", N_("Note a contact"), id="archive.note"),
    ]

    def __init__(self, link: StoreLink) -> None:
        super().__init__(link)
        self.rejected: list[Requirement] = []

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(_("Archive: rejected requirements"), "bold"), id="archive-title")
        yield OptionList(id="archive-list")
        yield KeyBar()

    def reading(self) -> Callable[[Any], list[Requirement]]:
        return rejected

    def show(self, rejected: list[Requirement]) -> None:
        self.rejected = rejected
        options = self.query_one(OptionList)
        options.clear_options()
        for req in rejected:
            options.add_option(Option(Content.assemble((f"{req.key:<9}", "bold"), literal(req.title),
                                                       ("  — ", "dim"), literal(stored_note(req.rejection_reason))),
                                       id=req.key))
        if not rejected:
            options.add_option(Option(Content(_("(nothing rejected)")), disabled=True))

    def _highlighted(self) -> Requirement | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self.rejected:
            return None
        return self.rejected[options.highlighted]

    def action_reopen(self) -> None:
        if req := self._highlighted():
            self.actions.move_to(req, State.COLLECTED)

    def action_note(self) -> None:
        if req := self._highlighted():
            self.actions.note(req)

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        from .detail import DetailScreen

        if event.option.id:
            self.app.push_screen(DetailScreen(event.option.id, self.link))

    def action_close(self) -> None:
        self.dismiss()
