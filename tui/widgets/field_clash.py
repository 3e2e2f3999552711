"""A field two people changed to different values, shown side by side (as it was, theirs, yours) with
a choice between keeping yours and taking theirs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, VerticalGroup
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Label, Static

from reqboard.store.i18n import _
from reqboard.store.text import fit, shown

SHOWN_CELLS = 240
"""How much of a long value (a description) the panel shows, in display cells: enough to tell the
versions apart."""


@dataclass(frozen=True)
class FieldClash:
    """One field both changed: its three values as a form shows them, and who saved since (one or more
    people, in words)."""

    name: str
    base: str
    theirs: str
    yours: str
    by: str
    theirs_value: Any
    """What the field takes when theirs is chosen (a form field's value)."""


def _excerpt(text: str) -> Content:
    text = fit(text, SHOWN_CELLS)
    return Content(shown(text) if text else _("(empty)"))


class FieldClashPanel(VerticalGroup):
    """The three values of a clashing field in three columns, and the two ways to settle it."""

    DEFAULT_CSS = """
    FieldClashPanel { border-left: thick $warning; padding-left: 1; margin-top: 1; }
    FieldClashPanel .clash-note { color: $warning; text-style: bold; }
    FieldClashPanel .clash-columns { height: auto; }
    FieldClashPanel .clash-column { width: 1fr; height: auto; padding-right: 1; }
    FieldClashPanel .clash-heading { color: $foreground-muted; text-style: bold; }
    FieldClashPanel .clash-value { max-height: 6; }
    FieldClashPanel .clash-choices { height: auto; margin-top: 1; }
    FieldClashPanel .clash-choices Button { margin-right: 1; }
    """

    @dataclass(eq=False)
    class Chosen(Message):
        """The person settled the clash of field `name`: `mine` keeps the typed value, else theirs."""

        name: str
        mine: bool

    def __init__(self, clash: FieldClash, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clash = clash

    def compose(self) -> ComposeResult:
        clash = self.clash
        yield Static(Content(shown(_("Also changed meanwhile, by {people}").format(people=clash.by), one_line=True)),
                     classes="clash-note")
        with HorizontalGroup(classes="clash-columns"):
            for heading, text, part in ((_("Was"), clash.base, "base"), (_("Theirs"), clash.theirs, "theirs"),
                                        (_("Yours"), clash.yours, "yours")):
                with VerticalGroup(classes="clash-column"):
                    yield Label(Content(shown(heading, one_line=True)), classes="clash-heading")
                    yield Static(_excerpt(text), classes=f"clash-value clash-{part}")
        with HorizontalGroup(classes="clash-choices"):
            yield Button(_("Keep mine"), id=f"keep-{clash.name}", classes="clash-keep", compact=True)
            yield Button(_("Take theirs"), id=f"take-{clash.name}", classes="clash-take", compact=True)

    @on(Button.Pressed, ".clash-keep")
    def _keep(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Chosen(self.clash.name, mine=True))

    @on(Button.Pressed, ".clash-take")
    def _take(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Chosen(self.clash.name, mine=False))
