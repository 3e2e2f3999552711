"""Response targets: how soon a requirement must reach a state, by channel and customer tier (a
complaint from a tier A customer analysed within 2 days). Listed, set and removed here; the store
(`store.targets`) says which target applies to a requirement and when it is breached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from reqboard.store.domain import Channel, Tier
from reqboard.store.i18n import N_, _, ngettext, pgettext
from reqboard.store.targets import TARGET_STATES, Target

from ..customer_reads import response_targets
from ..link import Change, StoreLink
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .fields import FieldSpec
from .prompts import number

COLUMNS = (N_("Reach"), N_("Within"), N_("Channel"), N_("Tier"))


def any_text() -> str:
    # i18n: a response target's channel or tier when it applies to every one
    return pgettext("target scope", "any")


def days_text(days: float) -> str:
    """"2 days", "1 day", "0.5 days" (a fraction takes the plural, as 2 does)."""
    return ngettext("{days} day", "{days} days", 1 if days == 1 else 2).format(days=f"{days:g}")


def target_text(target: Target) -> str:
    """A target in a sentence: "analysed within 2 days (complaint, tier A)", "(any channel, any tier)"."""
    return _("{state} within {days} ({channel}, {tier})").format(
        state=target.state.label.lower(), days=days_text(target.days),
        channel=target.channel.label if target.channel else _("any channel"),
        tier=_("tier {tier}").format(tier=target.tier.value) if target.tier else _("any tier"))


class TargetsScreen(BoardReadingScreen):
    """The board's response targets."""

    CSS_PATH = "customers.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="targets.close"),
        Binding("a", "set", N_("Set target"), id="targets.set"),
        Binding("d,delete", "remove", N_("Remove"), id="targets.remove"),
    ]

    def __init__(self, link: StoreLink) -> None:
        super().__init__(link)
        self.targets: tuple[Target, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("", id="targets-title")
        yield DataTable(id="targets-table", cursor_type="row", zebra_stripes=True)
        yield Static(Content(_("The clock starts when a requirement is collected. The most specific target applies: "
                               "its channel and tier, then its channel, then its tier, then any.")),
                     id="targets-help")
        yield KeyBar()

    def on_mount(self) -> None:  # runs before BoardReadingScreen.on_mount starts the read
        self.query_one(DataTable).add_columns(*(_(heading) for heading in COLUMNS))

    def reading(self) -> Callable[[Any], tuple[Target, ...]]:
        return response_targets

    def show(self, targets: tuple[Target, ...]) -> None:
        self.targets = targets
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for t in targets:
            table.add_row(t.state.label, Text(days_text(t.days), justify="right"),
                          t.channel.label if t.channel else any_text(), t.tier.value if t.tier else any_text())
        if targets:
            table.move_cursor(row=min(keep, len(targets) - 1), animate=False)
        said = (ngettext("{count} target", "{count} targets", len(targets)).format(count=len(targets)) if targets
                else _("none yet: press a to set one"))
        self.query_one("#targets-title", Static).update(Content.assemble(
            (_("Response targets"), "bold"), "  ", said))

    @property
    def selected(self) -> Target | None:
        table = self.query_one(DataTable)
        if not self.targets or not 0 <= table.cursor_row < len(self.targets):
            return None
        return self.targets[table.cursor_row]

    def _may_change(self) -> bool:
        reason = self.link.read_only_reason
        if reason:
            self.notify(reason, title=_("Read-only"), severity="warning", timeout=6, markup=False)
        return not reason

    def action_set(self) -> None:
        """Set a target (the selected one's values to start from): one of the same state, channel and
        tier is replaced."""
        if not self._may_change():
            return
        from .form import FormScreen

        start = self.selected
        fields = [
            FieldSpec("state", _("Reach the state"), "select", required=True,
                      value=start.state.value if start else None,
                      options=[(s.label, s.value) for s in TARGET_STATES]),
            FieldSpec("days", _("Within (days after it was collected)"), required=True,
                      value=f"{start.days:g}" if start else "", placeholder=_("e.g. 2 or 0.5")),
            FieldSpec("channel", _("For the channel"), "select",
                      value=start.channel.value if start and start.channel else None,
                      options=[(c.label, c.value) for c in Channel], help=_("blank: any channel")),
            FieldSpec("tier", _("For the customer tier"), "select",
                      value=start.tier.value if start and start.tier else None,
                      options=[(t.value, t.value) for t in Tier], help=_("blank: any tier")),
        ]

        def save(values: dict[str, Any]) -> Change:
            days = number(values["days"], "days", _("Within"))
            state, channel, tier = values["state"], values["channel"], values["tier"]
            return Change(lambda board: board.set_response_target(state, days, channel=channel, tier=tier),
                          lambda target: _("Response target set: {target}").format(target=target_text(target)),
                          doing=N_("Setting the response target"), undoable=False)

        self.app.push_screen(FormScreen(_("Set a response target"), fields, submit=save, link=self.link,
                                        intro=_("A target of the same state, channel and tier is replaced.")))

    def action_remove(self) -> None:
        target = self.selected
        if target is None:
            self.notify(_("No target is selected"), severity="warning", markup=False)
            return
        if not self._may_change():
            return
        from .form import FormScreen

        def remove(values: dict[str, Any]) -> Change:
            return Change(lambda board: board.remove_response_target(target.state, channel=target.channel,
                                                                    tier=target.tier),
                          lambda gone: _("Response target removed: {target}").format(target=target_text(gone)),
                          doing=N_("Removing the response target"), undoable=False)

        self.app.push_screen(FormScreen(_("Remove this response target?"), [], submit=remove, link=self.link,
                                        intro=target_text(target), submit_label=_("Remove")))

    def action_close(self) -> None:
        self.dismiss()
