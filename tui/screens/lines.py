"""Lines the screens share: user text as the terminal may show it, and one line per history event."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from reqboard.store import clock
from reqboard.store.domain import Channel, CRStatus, Feasibility, Kano, NeedType, Risk, State, Tier
from reqboard.store.i18n import _
from reqboard.store.labels import action_label, field_label, item_text, review_event_said, stored_note
from reqboard.store.text import pad, shown

if TYPE_CHECKING:
    from reqboard.store.models import Event

NAME_CELLS = 12
"""The cells a history line gives the name of who made the change (a longer name pushes the line on)."""
SHORT_CELLS = 70
"""The cells a value or reason takes at most in a history line."""

_CHOICE_FIELDS: dict[str, type[StrEnum]] = {
    "state": State, "status": CRStatus, "tier": Tier, "channel": Channel, "need_type": NeedType,
    "kano": Kano, "feasibility": Feasibility, "risk": Risk,
}
"""Fields whose stored value is an enum's: a history line shows the value's label."""



def literal(text: str) -> Content:
    """One line of user text as the terminal may show it: literal (no markup), nothing disguised."""
    return Content(shown(text, one_line=True))


def value_text(field: str | None, value: Any) -> Any:
    """A field's stored value as a history line shows it: a state or choice by its label, a list as
    its items (a criterion as `[x] text`), other values as stored."""
    if isinstance(value, list):  # tags, links, acceptance criteria: as the detail pane lists them
        return ", ".join(item_text(item) for item in value)
    enum = _CHOICE_FIELDS.get(field or "")
    if enum is None or not isinstance(value, str):
        return value
    try:
        member = enum(value)
    except ValueError:  # a newer reqboard's value: as stored
        return value
    label: str = member.label  # type: ignore[attr-defined]  # every enum of _CHOICE_FIELDS has a label
    return label.lower() if isinstance(member, State) else label


def describe_event(event: Event) -> str:
    """One history line: what changed, as a person would say it."""
    old, new = value_text(event.field, event.old), value_text(event.field, event.new)
    if event.action == "approved" or event.field == "suspect":  # notes the store wrote ("version 3")
        old, new = (stored_note(v) if isinstance(v, str) else v for v in (old, new))
    what = action_label(event.action) + (f" {event.cr}" if event.cr else "")
    said = review_event_said(event.action, event.field, event.old, event.new, event.cr)
    if said is not None:  # a conflict resolved, a move ahead of a dependency, someone told: a sentence
        what = said
    elif event.field and event.action not in ("created", "approved", "feedback", "interim_feedback"):
        what += "  " + _("{field}: {old} → {new}").format(field=field_label(event.field), old=_short(old),
                                                          new=_short(new))
    elif new not in (None, ""):
        what += f"  {_short(new)}"
    if event.reason:
        # The store's own reasons ("CR-2 approved", "synced A with B", "undo") translated; a person's as typed.
        reason = stored_note(event.reason)
        what += "  " + _("({reason})").format(reason=_short(reason))
    return shown(what, one_line=True)


def history_line(event: Event) -> Content:
    """An event as the history and a change request's timeline list it: when (local time), who (padded
    by display cells, so that the actions line up), what."""
    return Content.assemble((f"{clock.shown(event.at)}  ", "dim"),
                            (pad(shown(event.by, one_line=True), NAME_CELLS) + " ", "bold"),
                            Content(describe_event(event)))


def _short(value: Any) -> str:
    text = "–" if value in (None, "", []) else str(value).replace("\n", " ")
    return text if cell_len(text) <= SHORT_CELLS else set_cell_size(text, SHORT_CELLS - 1) + "…"
