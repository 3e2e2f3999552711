"""Lines the screens share: user text as the terminal may show it, and one line per history event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content

from reqboard.store.text import shown

if TYPE_CHECKING:
    from reqboard.store.models import Event


def literal(text: str) -> Content:
    """One line of user text as the terminal may show it: literal (no markup), nothing disguised."""
    return Content(shown(text, one_line=True))


def describe_event(event: Event) -> str:
    """One history line: what changed, as a person would say it."""
    what = event.action.replace(".", " ") + (f" {event.cr}" if event.cr else "")
    if event.field and event.action not in ("created", "approved", "feedback"):
        what += f"  {event.field}: {_short(event.old)} → {_short(event.new)}"
    elif event.new not in (None, ""):
        what += f"  {_short(event.new)}"
    if event.reason:
        what += f"  ({_short(event.reason)})"
    return shown(what, one_line=True)


def history_line(event: Event) -> Content:
    """An event as the history and a change request's timeline list it: when, who, what."""
    return Content.assemble((f"{event.at:%Y-%m-%d %H:%M}  ", "dim"), (f"{shown(event.by, one_line=True):<12} ", "bold"),
                            Content(describe_event(event)))


def _short(value: Any) -> str:
    text = "–" if value in (None, "", []) else str(value).replace("\n", " ")
    return text if len(text) <= 70 else text[:69] + "…"
