"""A one-line bar of the keys a screen shows, built once rather than on every focus change.

Textual's Footer rebuilds its key widgets whenever the focused widget changes; on the board that is
every move to another column. The board's shown keys belong to the screen and the app, so they do not
change with focus: this bar is drawn on mount and again only when the keymap changes.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.style import Style
from textual.widgets import Static


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
    }
    """

    def on_mount(self) -> None:
        self.show_keys()
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self._keymap_changed())

    def _keymap_changed(self) -> None:
        keys = self._keys()
        if keys != getattr(self, "_shown", None):
            self.show_keys()

    def _keys(self) -> tuple[tuple[str, str, str, str], ...]:
        shown = []
        seen: set[tuple[str, str]] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            namespace = "app" if active.node is self.app else "screen"
            shown.append((self.app.get_key_display(binding), binding.description, namespace, binding.action))
        return tuple(shown)

    def show_keys(self) -> None:
        self._shown = self._keys()
        parts: list[Content] = []
        for key, description, namespace, action in self._shown:
            click = Style.from_meta({"@click": f"{namespace}.{action}"})
            parts.append(Content.assemble((f" {key} ", "bold reverse"), (f" {description}  ", ""))
                         .stylize(click))
        if self.app.ENABLE_COMMAND_PALETTE:
            click = Style.from_meta({"@click": "app.command_palette"})
            key = self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, ""))
            parts.append(Content.assemble((f" {key} ", "bold reverse"), (" palette", "")).stylize(click))
        self.update(Content("").join(parts))
