"""A one-line bar of the keys a screen shows, built once rather than on every focus change.

Textual's Footer rebuilds its key widgets whenever the focused widget changes; on the board that is
every move to another column. The board's shown keys belong to the screen and the app, so they do not
change with focus: this bar is drawn on mount and again only when the keymap or its width changes.
Descriptions are translated as the bar is drawn (bindings hold them in English, marked for the
catalogue), and the bar shows as many whole keys as its width holds, measured in display cells.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from reqboard.store.i18n import _


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

    def on_resize(self) -> None:
        self.show_keys()

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
            description = _(binding.description) if binding.description else binding.action
            shown.append((self.app.get_key_display(binding), description, namespace, binding.action))
        return tuple(shown)

    def show_keys(self) -> None:
        self._shown = self._keys()
        entries = [(Content.assemble((f" {key} ", "bold reverse"), (f" {description}  ", "")), f"{namespace}.{action}")
                   for key, description, namespace, action in self._shown]
        if self.app.ENABLE_COMMAND_PALETTE:
            key = self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, ""))
            palette = _("palette")
            entries.append((Content.assemble((f" {key} ", "bold reverse"), (f" {palette}", "")), "app.command_palette"))
        width = self.content_size.width
        parts: list[Content] = []
        used = 0
        for entry, action in entries:
            # Whole keys only: a key whose description would be cut is left out, with those after it.
            if width and used + entry.rstrip().cell_length > width:
                break
            used += entry.cell_length
            parts.append(entry.stylize(Style.from_meta({"@click": action})))
        self.update(Content("").join(parts))
