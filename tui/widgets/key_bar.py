"""A one-line bar of the keys a screen shows, built once rather than on every focus change.

Textual's Footer rebuilds its key widgets whenever the focused widget changes; on the board that is
every move to another column. The board's shown keys belong to the screen and the app, so they do not
change with focus: this bar is drawn on mount and again only when the keymap or its width changes.
Descriptions are translated as the bar is drawn (bindings hold them in English, marked for the
catalogue), and the bar shows as many whole keys as its width holds, measured in display cells: help
and quit always, then the others by the screen's priority, each where the screen lists it.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from reqboard.store.i18n import _

ALWAYS = frozenset({"app.help", "app.quit"})
"""Binding ids the bar shows at any width: how to learn the rest, and how to leave."""
STEPS = ("detail.resolve", "detail.reapprove", "cr.told")
"""Keys a pane shows only while they apply (the review step it waits for): next after help and quit, before
any screen's own priority."""


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

    def __init__(self, priority: tuple[str, ...] = ()) -> None:
        """`priority`: binding ids in the order they keep their place on a narrow bar (after help and
        quit); the screen's other keys come after them in the order they are listed, the palette last."""
        super().__init__()
        self.priority = priority

    def on_mount(self) -> None:
        self.show_keys()
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self._keymap_changed())

    def on_resize(self) -> None:
        self.show_keys()

    def _keymap_changed(self) -> None:
        keys = self._keys()
        if keys != getattr(self, "_shown", None):
            self.show_keys()

    def _keys(self) -> tuple[tuple[str, str, str, str, str], ...]:
        """(key, description, namespace, action, binding id) of each key shown, in the order listed."""
        shown = []
        seen: set[tuple[str, str]] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.show or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            namespace = "app" if active.node is self.app else "screen"
            description = _(binding.description) if binding.description else binding.action
            shown.append((self.app.get_key_display(binding), description, namespace, binding.action, binding.id or ""))
        return tuple(shown)

    def show_keys(self) -> None:
        self._shown = self._keys()
        entries = [(Content.assemble((f" {key} ", "bold reverse"), (f" {description}  ", "")), f"{namespace}.{action}",
                    binding_id) for key, description, namespace, action, binding_id in self._shown]
        if self.app.ENABLE_COMMAND_PALETTE:
            key = self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, ""))
            palette = _("palette")
            entries.append((Content.assemble((f" {key} ", "bold reverse"), (f" {palette}", "")), "app.command_palette",
                            ""))
        width = self.content_size.width
        # Which keys fit, whole, in the order they keep their place: help and quit, the screen's
        # priority, the rest as listed; then drawn in the order listed. A key left out leaves no gap.
        rank = {binding_id: n for n, binding_id in enumerate(STEPS + self.priority)}
        order = sorted(range(len(entries)), key=lambda n: (
            entries[n][2] not in ALWAYS, rank.get(entries[n][2], len(rank)), entries[n][1] == "app.command_palette", n))
        kept: set[int] = set()
        used = 0
        for n in order:
            cells = entries[n][0].cell_length
            last = max(kept | {n})  # the last key drawn needs no gap after it
            gap = entries[last][0].cell_length - entries[last][0].rstrip().cell_length
            if width and used + cells - gap > width:
                continue
            kept.add(n)
            used += cells
        parts = [entry.stylize(Style.from_meta({"@click": action}))
                 for n, (entry, action, _id) in enumerate(entries) if n in kept]
        self.update(Content("").join(parts))
