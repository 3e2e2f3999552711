"""Lines the screens share: user text as the terminal may show it (a history event's words are
`store.history_words`, laid out by `history_view`)."""

from __future__ import annotations

from textual.content import Content

from reqboard.store.labels import stored_note
from reqboard.store.text import shown

__all__ = ["NAME_CELLS", "literal", "stored_note"]

NAME_CELLS = 12
"""The cells a history line gives the name of who made the change (a longer name pushes the line on)."""


def literal(text: str) -> Content:
    """One line of user text as the terminal may show it: literal (no markup), nothing disguised."""
    return Content(shown(text, one_line=True))
