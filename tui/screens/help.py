"""Help: the keys in force on the screen you came from, remapped ones included."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from reqboard.store.i18n import N_, _
from reqboard.store.text import shown

from ..config import config_path
from .board import display_path

GUIDE = N_(
    "A requirement moves collected → analysed → approved → in progress → done → fed back. "
    "Moving on asks for what the next state needs (analysis, an approval, an owner, the acceptance "
    "criteria, the customer's feedback); moving back asks why. Rejected requirements are in the archive."
)
KEYS_WIDTH = 22
"""Display cells of the keys column."""


def key_table(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen`, in the order they apply; each
    description in the current language."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        label = _(binding.description) if binding.description else binding.action
        entry = by_action.setdefault(label, ([], label))
        display = screen.app.get_key_display(binding)
        if display not in entry[0]:
            entry[0].append(display)
    return [(" ".join(keys), label) for keys, label in by_action.values()]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"), id="help.close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        rows = [Content.styled(_("reqboard keys"), "bold"), Content(""), Content(_(GUIDE)), Content("")]
        for keys, label in key_table(self.under):
            padding = " " * max(KEYS_WIDTH - cell_len(keys), 0)
            rows.append(Content.assemble((keys + padding, "bold"), label))
        config = shown(display_path(config_path()), one_line=True)
        rows += [Content(""), Content(_("Remap keys in {config} under [keys], by binding id.").format(config=config)),
                 Content(_("ctrl+p opens the command palette: every action, and go to a requirement by key or "
                           "title."))]
        with VerticalScroll(id="dialog"):
            yield Static(Content("\n").join(rows), id="help-text")

    def action_close(self) -> None:
        self.dismiss()
