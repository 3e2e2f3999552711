"""Keys handled in order against the screen that is current when each is handled.

A terminal delivers the keys of one packet (SSH, a paste: `xnot for now`) at once, and the app routes
each to the focused widget of the screen current as it arrives: all of them to the board, before the
first (`x`) has opened its dialog. Textual then checks the rest against the dialog's bindings, and they
are lost: neither typed into the dialog nor, worse, board keys. The app notes the screen each key was
routed to (`note_route`), and a key that comes back from a screen a dialog has since covered is passed
on to that dialog (`pass_on`) after the dialog has drawn and focused its first field. A key routed to a
screen that has since closed is dropped: what was typed for a dialog is never a board key.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import Screen

_ROUTED = "_reqboard_routed"
_WAITING = "_reqboard_keys_passed_on"


def note_route(event: events.Key, screen: Screen[Any]) -> None:
    """Remember the screen this key (as it arrives, before Textual routes it) is routed to."""
    setattr(event, _ROUTED, screen)


def covered(app: Any, event: events.Key) -> bool | None:
    """For a key back at the app after its screen's widgets had it: True when a dialog opened over that
    screen meanwhile (the key is the dialog's), None when that screen has closed (the key is dropped),
    False when it is still current (or the key was not noted)."""
    routed = getattr(event, _ROUTED, None)
    if routed is None or routed is app.screen:
        return False
    stack = app.screen_stack
    return True if routed in stack else None


def pass_on(app: Any, event: events.Key) -> None:
    """Type this key again, on the current screen, after the keys passed on before it, once the screen
    has been drawn (a dialog pushed a moment ago focuses its first field first)."""
    waiting: list[events.Key] | None = getattr(app, _WAITING, None)
    if waiting is None:
        waiting = []
        setattr(app, _WAITING, waiting)
    waiting.append(events.Key(event.key, event.character))
    if len(waiting) == 1:
        app.call_after_refresh(_deliver, app)


def _deliver(app: Any) -> None:
    waiting: list[events.Key] = getattr(app, _WAITING)
    keys = list(waiting)
    waiting.clear()
    for key in keys:
        app.post_message(key)
