"""A history event as the panes list it (when, who, what in plain words: `store.history_words`), and a
changed field as "was → now"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from reqboard.store import clock
from reqboard.store.history_words import event_said
from reqboard.store.i18n import _
from reqboard.store.text import cell_width, pad, shown

from .lines import NAME_CELLS, literal

if TYPE_CHECKING:
    from reqboard.store.models import Event

ONE_LINE_CELLS = 90
"""The longest a was and a now together may be to share one line; longer ones stand one under the other."""


def history_row(event: Event) -> tuple[Content, Content]:
    """An event as the history and a change request's timeline list it (`widgets.hanging.HangingRows`):
    the head, when (local time) and who (padded by display cells, so that the actions line up), and what."""
    head = Content.assemble((f"{clock.shown(event.at)}  ", "dim"),
                            (pad(shown(event.by, one_line=True), NAME_CELLS) + " ", "bold"))
    return head, literal(event_said(event))


def was_now(label: str, was: str | None, now: str | None, label_cells: int) -> list[Content]:
    """One changed field as "was → now": on one line when both are short lines, else the two texts one
    under the other; a criterion added or removed says so."""
    head = (pad(label, label_cells - 1) + " ", "bold")  # a label as wide as the column still ends in a space
    if was is None:
        return [Content.assemble(head, literal(_("added: {text}").format(text=now or "")))]
    if now is None:
        return [Content.assemble(head, literal(_("removed: {text}").format(text=was)))]
    if "\n" not in was and "\n" not in now and cell_width(was) + cell_width(now) <= ONE_LINE_CELLS:
        return [Content.assemble(head, literal(_("{was} → {now}").format(was=was or "–", now=now or "–")))]
    indent = " " * label_cells
    rows = [Content.assemble(head, (_("was:"), "dim"))]
    rows.extend(Content(indent + line) for line in (shown(was).splitlines() or ["–"]))
    rows.append(Content.assemble(indent, (_("now:"), "dim")))
    rows.extend(Content(indent + line) for line in (shown(now).splitlines() or ["–"]))
    return rows
