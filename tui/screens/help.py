"""Help: the keys in force on the screen you came from, remapped ones included."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from reqboard.store.text import shown

from ..config import config_path
from .board import display_path

GUIDE = (
    "A requirement moves collected → analysed → approved → in progress → done → fed back. "
    "Moving on asks for what the next state needs (analysis, an approval, an owner, the acceptance "
    "criteria, the customer's feedback); moving back asks why. Rejected requirements are in the archive."
)


def key_table(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) for every binding active on `screen`, in the order they apply."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        label = binding.description or binding.action
        entry = by_action.setdefault(label, ([], label))
        display = screen.app.get_key_display(binding)
        if display not in entry[0]:
            entry[0].append(display)
    return [(" ".join(keys), label) for keys, label in by_action.values()]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        rows = [Content.styled("reqboard keys", "bold"), Content(""), Content(GUIDE), Content("")]
        for keys, label in key_table(self.under):
            rows.append(Content.assemble((f"{keys:<22}", "bold"), label))
        config = shown(display_path(config_path()), one_line=True)
        rows += [Content(""), Content(f"Remap keys in {config} under [keys], by binding id."),
                 Content("ctrl+p opens the command palette: every action, and go to a requirement by key or title.")]
        with VerticalScroll(id="dialog"):
            yield Static(Content("\n").join(rows), id="help-text")

    def action_close(self) -> None:
        self.dismiss()
