"""Help: reqboard's keys in force on the screen you came from, remapped ones included, grouped by what
they work on; and the keys other panes offer only where they apply (re-approve, resolve a conflict, mark
told), with the pane they work on. Textual's own keys (focus next, page left...) are not listed: they
are how any Textual app moves about, not what reqboard does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from reqboard.store.i18n import N_, _
from reqboard.store.text import shown

from ..config import config_path
from .board import display_path
from .change_request import ChangeRequestScreen
from .detail import DetailScreen

GUIDE = N_(
    "A requirement moves collected → analysed → approved → in progress → done → fed back. "
    "Moving on asks for what the next state needs (analysis, an approval, an owner, the acceptance "
    "criteria, the customer's feedback); moving back asks why. Rejected requirements are in the archive."
)
BADGES = N_(
    "Approving asks for a sign-off in each role the board names (ctrl+p, Sign-off roles...); a text changed "
    "since (CHG) is signed again before it moves on ({reapprove} in its detail pane). BLK: it waits on a "
    "requirement it depends on that is not done; moving it on asks for a reason. CON: in conflict with another "
    "requirement until a decision settles it ({resolve} in its detail pane). LATE: past its due date. SLA: past a "
    "response target (ctrl+p, Response targets...). Columns sort by the team's score (ctrl+p, Score weights...)."
)
"""What the badges mean; {reapprove} and {resolve} are the detail pane's keys in force."""
KEYS_WIDTH = 22
"""Display cells of the keys column."""
TEXTUAL_DESCRIPTIONS = (
    N_("Bottom"), N_("Copy"), N_("Copy selected text"), N_("Cursor down"), N_("Cursor down select"),
    N_("Cursor left"), N_("Cursor left select"), N_("Cursor left word select"), N_("Cursor line end"),
    N_("Cursor line end select"), N_("Cursor line start"), N_("Cursor line start select"), N_("Cursor page down"),
    N_("Cursor page up"), N_("Cursor right"), N_("Cursor right select"), N_("Cursor right word select"),
    N_("Cursor up"), N_("Cursor up select"), N_("Cursor word left"), N_("Cursor word right"), N_("Cut"),
    N_("Cut selected text"), N_("Delete all to the left"), N_("Delete all to the right"),
    N_("Delete character left"), N_("Delete character right"), N_("Delete left to start of word"),
    N_("Delete line"), N_("Delete right to start of word"), N_("Delete to line end"), N_("Delete to line start"),
    N_("Dismiss menu"), N_("Down"), N_("End"), N_("First"), N_("Focus Next"), N_("Focus Previous"),
    N_("Go to end"), N_("Go to start"), N_("Home"), N_("Last"), N_("Move cursor left"),
    N_("Move cursor left a word"), N_("Move cursor left a word and select"), N_("Move cursor left and select"),
    N_("Move cursor right a word"), N_("Move cursor right a word and select"), N_("Move cursor right and select"),
    N_("Move cursor right or accept the completion suggestion"), N_("Page Down"), N_("Page down"), N_("Page Left"),
    N_("Page Right"), N_("Page Up"), N_("Page up"), N_("Paste"), N_("Paste text from the clipboard"),
    N_("Press button"), N_("Quit"), N_("Redo"), N_("Scroll Down"), N_("Scroll End"), N_("Scroll Home"),
    N_("Scroll Left"), N_("Scroll Right"), N_("Scroll Up"), N_("Select"), N_("Select all"), N_("Select line"),
    N_("Select line end"), N_("Select line start"), N_("Show menu"), N_("Submit"), N_("Toggle option"), N_("Top"),
    N_("Undo"), N_("Up"),
)
"""What Textual's own bindings (of the screens, inputs, lists, tables and scrolling containers reqboard
uses) are called, marked so that the catalogue translates them wherever one is shown (a key bar; the help
lists reqboard's keys only, and another key of ours, ctrl+q for quit, under our description)."""


GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Moving around"), ("board.left", "board.right", "card.up", "card.down", "card.page-up", "card.page-down",
                           "card.first", "card.last")),
    (N_("The selected requirement"), ("card.open", "card.move-next", "card.move-back", "card.edit", "card.new-cr",
                                      "card.note", "card.interim-feedback", "card.reject")),
    (N_("The board"), ("card.new", "board.filter", "board.clear-filter", "board.swimlanes", "board.undo",
                       "board.reports", "board.change-requests", "board.archive", "board.wip-limit")),
    (N_("Anywhere"), ("app.help", "app.quit")),
)
"""The help's groups of keys (heading, binding ids, in the order listed). The keys of another screen (a
detail pane, the archive) come first, under "On this screen"."""
OWN_SCREEN = N_("On this screen")

OFFERED_WHERE_THEY_APPLY: tuple[tuple[str, type[Screen[Any]], tuple[tuple[str, str], ...]], ...] = (
    (N_("In a requirement's detail pane"), DetailScreen,
     (("detail.reapprove", N_("its text changed since it was signed off")),
      ("detail.resolve", N_("it is in a conflict no decision settled yet")))),
    (N_("In a change request's pane"), ChangeRequestScreen,
     (("cr.told", N_("someone its assessment names is still to be told")),)),
)
"""Keys of other panes that are offered only when they apply (binding id, when), listed in the help
wherever it is opened: the key bar shows them only on their pane, and only then."""


def key_table(screen: Screen[Any]) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) for every reqboard binding active on `screen`, in the order they
    apply; each description in the current language. reqboard's bindings have ids; Textual's own have
    none, and are left out, unless they are another key for an action of ours (ctrl+q quits too)."""
    actives = list(screen.active_bindings.values())
    ours = {(active.node, active.binding.action): active.binding.id for active in actives if active.binding.id}
    by_action: dict[str, tuple[list[str], str, str]] = {}
    for active in actives:
        binding = active.binding
        binding_id = binding.id or ours.get((active.node, binding.action))
        if not binding_id:
            continue
        label = _(binding.description) if binding.description else binding.action
        entry = by_action.setdefault(label, ([], label, binding_id))
        display = screen.app.get_key_display(binding)
        if display not in entry[0]:
            entry[0].append(display)
    return [(" ".join(keys), label, binding_id) for keys, label, binding_id in by_action.values()]


def grouped(table: list[tuple[str, str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The rows of `key_table` under the help's headings (GROUPS), each heading in the current language:
    a screen's own keys first, then the groups that have keys, each in its order."""
    where = {binding_id: n for n, (_heading, ids) in enumerate(GROUPS) for binding_id in ids}
    own = [(keys, label) for keys, label, binding_id in table if binding_id not in where]
    groups: list[tuple[str, list[tuple[str, str]]]] = [(_(OWN_SCREEN), own)] if own else []
    for n, (heading, ids) in enumerate(GROUPS):
        order = {binding_id: i for i, binding_id in enumerate(ids)}
        rows = sorted((row for row in table if where.get(row[2]) == n), key=lambda row: order[row[2]])
        if rows:
            groups.append((_(heading), [(keys, label) for keys, label, _id in rows]))
    return groups


def pane_keys(screen: Screen[Any], pane: type[Screen[Any]], wanted: Mapping[str, str],
              keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """(keys, description) for the bindings of `pane` (a screen class) named in `wanted` (binding id:
    when it applies), with the keys `keymap` (the config file's [keys]) gives them, as Textual remaps
    them; those `screen` lists itself (in force there now) are left out."""
    shown_here = {active.binding.id for active in screen.active_bindings.values()}
    keys = bound_keys(screen.app, pane, keymap)
    described = {binding.id: _(binding.description) for binding in pane.BINDINGS if isinstance(binding, Binding)}
    return [(keys[binding_id], _("{action} (when {condition})").format(
                action=described[binding_id], condition=_(when)))
            for binding_id, when in wanted.items() if binding_id in keys and binding_id not in shown_here]


def bound_keys(app: App[Any], pane: type[Screen[Any]], keymap: Mapping[str, str]) -> dict[str, str]:
    """binding id: the keys `pane`'s binding has, as displayed ("T ^t"), once `keymap` (the config file's
    [keys]) remapped them as Textual does."""
    bindings = BindingsMap(pane.BINDINGS)
    bindings.apply_keymap(dict(keymap))
    keys: dict[str, list[str]] = {}
    for _key, binding in bindings:
        if binding.id is not None:
            display = app.get_key_display(binding)
            if display not in keys.setdefault(binding.id, []):
                keys[binding.id].append(display)
    return {binding_id: " ".join(displays) for binding_id, displays in keys.items()}


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"), id="help.close")]

    def __init__(self, under: Screen[Any], keymap: Mapping[str, str] | None = None) -> None:
        """The keys in force on `under`, remapped by `keymap` (the config file's [keys]) as the app does."""
        super().__init__()
        self.under = under
        self.keymap = keymap or {}

    def compose(self) -> ComposeResult:
        detail_keys = bound_keys(self.app, DetailScreen, self.keymap)
        badges = _(BADGES).format(reapprove=detail_keys["detail.reapprove"], resolve=detail_keys["detail.resolve"])
        rows = [Content.styled(_("reqboard keys"), "bold"), Content(""), Content(_(GUIDE)), Content(""),
                Content(badges), Content("")]
        for n, (heading, keys_here) in enumerate(grouped(key_table(self.under))):
            rows += [Content("")] if n else []
            rows += [Content.styled(heading, "bold")] + [_key_row(keys, label) for keys, label in keys_here]
        for where, pane, wanted in OFFERED_WHERE_THEY_APPLY:
            elsewhere = pane_keys(self.under, pane, dict(wanted), self.keymap)
            if elsewhere:
                rows += [Content(""), Content.styled(_(where), "bold")]
                rows += [_key_row(keys, label) for keys, label in elsewhere]
        config = shown(display_path(config_path()), one_line=True)
        rows += [Content(""), Content(_("Remap keys in {config} under [keys], by binding id.").format(config=config)),
                 Content(_("ctrl+p opens the command palette: every action, and go to a requirement by key or "
                           "title."))]
        with VerticalScroll(id="dialog"):
            yield Static(Content("\n").join(rows), id="help-text")

    def action_close(self) -> None:
        self.dismiss()


def _key_row(keys: str, label: str) -> Content:
    """One row of the key table: the keys in a column of KEYS_WIDTH cells, then what they do."""
    return Content.assemble((keys + " " * max(KEYS_WIDTH - cell_len(keys), 0), "bold"), label)
