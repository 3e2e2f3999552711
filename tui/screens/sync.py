"""Sync with another board ("Sync with..." in the command palette): where the other board is, the plan
(a dry run: nothing is written), each conflict side by side to choose from, then the write.

The screens collect a location and choices and do no I/O. The store calls are made here as functions
of the board (`where_to`, `plan_call`, `sync_call`) and run by the store link: the plan as a read
(answered `Planned`, or `ReadFailed`), the sync as a change (`Saved`, which the app says in a notice
and answers with a redraw of every screen, or `Refused`). A write meets the boards as they are then:
a conflict whose values are not the ones the person chose between is left unsettled, so it is shown
again instead of being written blind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalGroup, VerticalGroup, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from reqboard.store.i18n import N_, _, ngettext, pgettext
from reqboard.store.labels import field_label, item_text
from reqboard.store.sync import FieldConflict, Renumbering, SyncConflicts, SyncPlan, default_other, resolver, sync_boards
from reqboard.store.sync.merge import Side
from reqboard.store.sync.run import records_and_customers_said
from reqboard.store.text import pad, shown

from ..background import failure_message
from ..link import Change, StoreLink
from ..messages import ReadFailed, Refused, Saved
from ..phrases import labelled, phrase
from ..widgets.key_bar import KeyBar
from .board import display_path

if TYPE_CHECKING:
    from reqboard.store.board import Board

PLANNING = N_("Planning the sync")
SYNCING = N_("Syncing")
SHOWN_CELLS = 160
"""How much of a long value (a description) a conflict shows before it is cut, saying so, in display
cells: three columns of it still fit a 24-line terminal (`v` shows the whole values)."""
SHOWN_KEYS = 12
"""How many keys a line of the plan lists before it says how many more."""

Values = tuple[Any, Any, Any]
"""A conflict's base, ours and theirs: what the person chose between."""


# ---------------------------------------------------------------------- the store calls (run by the link)
def where_to(board: Board) -> str | None:
    """The board this one last synced with (or was cloned from): what the prompt offers first."""
    return default_other(board)


def plan_call(link: StoreLink, location: str) -> Callable[[Board], SyncPlan]:
    """The sync with `location` planned, nothing written; a plan with conflicts is a plan too."""

    def plan(board: Board) -> SyncPlan:
        try:
            with link.other_board(location) as other:
                return sync_boards(board, other, dry_run=True)
        except SyncConflicts as exc:
            return exc.plan

    return plan


def sync_call(link: StoreLink, location: str, picks: Mapping[str, Side],
              seen: Mapping[str, Values]) -> Callable[[Board], SyncPlan]:
    """The sync with `location`, each conflict settled as picked, but only while its values are still
    the ones seen: a conflict that changed (or is new) stays unsettled and the sync raises
    SyncConflicts, writing nothing."""
    chosen = resolver(None, picks)

    def decide(conflict: FieldConflict) -> Side | None:
        return chosen(conflict) if seen.get(conflict.name) == values_of(conflict) else None

    def sync(board: Board) -> SyncPlan:
        with link.other_board(location) as other:
            return sync_boards(board, other, decide=decide)

    return sync


def values_of(conflict: FieldConflict) -> Values:
    """What a person chose between when they settled `conflict`."""
    return (conflict.base, conflict.ours, conflict.theirs)


# ---------------------------------------------------------------------- words
def where(location: str) -> str:
    """A board's location as the screens show it: `~/...` for a file under the home directory."""
    if "://" in location:
        return shown(location, one_line=True)
    return shown(display_path(Path(location)), one_line=True)


def location_of(typed: str) -> str:
    """The location a person typed: `~` expanded for a path, a URL as it is."""
    typed = typed.strip()
    return typed if "://" in typed else str(Path(typed).expanduser())


def short_name(location: str) -> str:
    """The other board in a notice: its file name, or the URL."""
    return shown(location if "://" in location else Path(location).name, one_line=True)


SIDE_NAMES: dict[str, str] = {"ours": N_("this board"), "theirs": N_("the other board")}
"""Each side of a sync as the screens name it, marked for the catalogue."""


def _separator() -> str:
    # i18n: between the items of a list in a sentence ("3 in, 2 out"); Chinese uses a full-width comma
    return pgettext("list", ", ")


def _keys(keys: list[str]) -> str:
    listed = " ".join(keys[:SHOWN_KEYS])
    if len(keys) <= SHOWN_KEYS:
        return listed
    return _("{listed} and {count} more").format(listed=listed, count=len(keys) - SHOWN_KEYS)


def _created_on(moved: Renumbering) -> str:
    """The board or boards where a renumbered record had its old key, in words."""
    sides = set(moved.created_on)
    if sides == {"ours", "theirs"}:
        return _("this board and the other board")
    if sides:
        return _(SIDE_NAMES[moved.created_on[0]])
    return _("one board")


def renumbering_text(moved: Renumbering, *, done: bool) -> str:
    """`REQ-7 (created on this board) becomes REQ-9 on both boards`."""
    if done:
        template = _("{old} (created on {created}) is now {new} on both boards")
    else:
        template = _("{old} (created on {created}) becomes {new} on both boards")
    return template.format(old=moved.old, created=_created_on(moved), new=moved.new)


def conflict_name(conflict: FieldConflict) -> str:
    """`REQ-3 title`, `CR-2 status` (the field as a person reads it, in the current language)."""
    return conflict.label


def _padded(labels: list[str]) -> list[str]:
    """Labels padded to one width in display cells, and a space, so that what follows them lines up."""
    width = max(cell_len(label) for label in labels) + 1
    return [pad(label, width) for label in labels]


def plan_lines(plan: SyncPlan) -> list[Content]:
    """The plan as the sync screen shows it, one line (or paragraph) each; every key and path literal."""
    label = "bold"
    this_board, other_board = _padded([_("This board"), _("Other board")])
    lines = [Content.assemble((this_board, label), where(plan.ours)),
             Content.assemble((other_board, label), where(plan.theirs))]
    if plan.base == "none":
        lines.append(Content.styled(_("These boards were never cloned or synced from each other: with no state they "
                                      "agreed on, every difference is a conflict."), "bold $warning"))
    if plan.changes_nothing:
        lines.append(Content(_("Already in sync: nothing to pull, push or choose.")))
    if plan.pulled:
        lines.append(Content.assemble((labelled(_("Into this board ({count}):").format(count=len(plan.pulled))), label),
                                      _keys(plan.pulled)))
    if plan.pushed:
        lines.append(Content.assemble(
            (labelled(_("Into the other board ({count}):").format(count=len(plan.pushed))), label), _keys(plan.pushed)))
    for moved in plan.renumbered:
        lines.append(Content.assemble((labelled(_("Renumbered:")), label), renumbering_text(moved, done=False)))
    sides = {"ours": _("this board"), "theirs": _("the other board")}
    lines += [Content(shown(line, one_line=True)) for line in records_and_customers_said(plan, sides, planned=True)]
    if plan.events_pulled or plan.events_pushed:
        lines.append(Content.assemble((labelled(_("History:")), label), ngettext(
            "{pulled} event in, {pushed} out", "{pulled} events in, {pushed} out", plan.events_pulled).format(
            pulled=plan.events_pulled, pushed=plan.events_pushed)))
    if plan.conflicts:
        names = [conflict_name(c) for c in plan.conflicts]
        lines.append(Content.assemble(
            (labelled(_("Conflicts ({count}):").format(count=len(plan.conflicts))), "bold $error"),
            _("{conflicts} (changed on both boards: you choose which value stays)").format(conflicts=_listed(names))))
    return lines


def summary(plan: SyncPlan) -> str:
    """The notice once synced: `synced with team.json: 3 in, 2 out, REQ-7 is now REQ-9`."""
    name = short_name(plan.theirs)
    if not (plan.pulled or plan.pushed or plan.renumbered or plan.events_pulled or plan.events_pushed):
        return _("synced with {name}: already in sync, nothing changed").format(name=name)
    parts = [_("{count} in").format(count=len(plan.pulled)), _("{count} out").format(count=len(plan.pushed))]
    parts += [_("{old} is now {new}").format(old=moved.old, new=moved.new) for moved in plan.renumbered[:3]]
    if len(plan.renumbered) > 3:
        parts.append(_("{count} more renumbered").format(count=len(plan.renumbered) - 3))
    if plan.settled:
        parts.append(ngettext("{count} conflict settled as you chose", "{count} conflicts settled as you chose",
                              len(plan.settled)).format(count=len(plan.settled)))
    return _("synced with {name}: {what}").format(name=name, what=_separator().join(parts))


def value_text(value: Any) -> str:
    """A stored value as a person reads it: text as it is, a list an item a line, nothing as (empty)."""
    if value is None or value == "" or value == [] or value == {}:
        return _("(empty)")
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "\n".join("• " + (item if isinstance(item, str) else item_text(item) if isinstance(item, dict)
                              else _json(item)) for item in value)
    return _json(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def excerpt(value: Any) -> Content:
    """A conflicting value, literal (never markup, nothing disguised), cut visibly when long."""
    text = shown(value_text(value))
    if cell_len(text) > SHOWN_CELLS:
        kept, used = 0, 0
        for char in text:
            used += cell_len(char)
            if used > SHOWN_CELLS:
                break
            kept += 1
        cut = len(text) - kept
        more = ngettext("… ({count} more character)", "… ({count} more characters)", cut).format(count=cut)
        return Content.assemble(text[:kept], (more, "italic"))
    return Content(text)


def _listed(names: list[str], most: int = 6) -> str:
    listed = _separator().join(names[:most])
    if len(names) <= most:
        return listed
    return _("{listed} and {count} more").format(listed=listed, count=len(names) - most)


# ---------------------------------------------------------------------- the screens
class SyncScreen(Screen[None]):
    """Where the other board is, and the plan of a sync with it; the conflicts are chosen on a
    `ConflictsScreen` pushed over it, and the write starts here."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="sync.close"),
        Binding("ctrl+s", "sync", N_("Sync"), id="sync.write"),
    ]

    @dataclass(eq=False)
    class Located(Message, bubble=False):
        """Where this board last synced (None: never)."""

        location: str | None

    @dataclass(eq=False)
    class Planned(Message, bubble=False):
        """The plan of a sync with `location` (nothing written)."""

        location: str
        plan: SyncPlan

    def __init__(self, link: StoreLink) -> None:
        super().__init__()
        self.link = link
        self.plan: SyncPlan | None = None
        self.planned_for = ""
        """The location the plan shown is of (a plan is dropped when the location is edited)."""
        self.busy = False
        self.picks: dict[str, Side] = {}
        """The side chosen for each conflict, by `REQ-3.title`."""
        self.seen: dict[str, Values] = {}
        """The values each conflict had when it was shown: a pick holds only for those."""

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(_("Sync with another board"), "bold"), id="sync-title")
        with VerticalScroll(id="sync-body"):
            yield Label(Content.styled(_("The other board"), "bold"), classes="sync-label")
            yield Input(id="sync-other", placeholder=_("path/to/team.json"))
            yield Static(Content(_("A board file this one was cloned from or last synced with (`reqboard clone "
                                   "SOURCE DEST` makes such a copy). Enter shows what a sync would do; nothing is "
                                   "written until you press Sync.")), classes="sync-help")
            yield Static("", id="sync-status")
            yield Static("", id="sync-plan-text")
        with Horizontal(id="sync-buttons"):
            # i18n: the button that shows what a sync would do, writing nothing
            yield Button(pgettext("sync", "Plan"), id="sync-plan", compact=True)
            yield Button(_("Sync"), variant="primary", id="sync-write", disabled=True, compact=True)
            yield Button(_("Back"), id="sync-close", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#sync-other", Input).focus()
        self.link.read(self, where_to, answer=self.Located, doing=N_("Reading where this board syncs"))

    def on_sync_screen_located(self, message: Located) -> None:
        field = self.query_one("#sync-other", Input)
        if message.location and not field.value:
            field.value = where(message.location)
            field.cursor_position = len(field.value)
            self._status(Content(_("This board last synced with it. Enter shows the plan.")))

    # ------------------------------------------------------------------ planning
    @on(Input.Submitted, "#sync-other")
    @on(Button.Pressed, "#sync-plan")
    def action_plan(self) -> None:
        typed = self.query_one("#sync-other", Input).value.strip()
        if self.busy:
            return
        if not typed:
            self._status(Content.styled(_("Name the other board first: the path of its file."), "bold $error"))
            return
        location = location_of(typed)
        if not self.link.read(self, plan_call(self.link, location), answer=lambda plan: self.Planned(location, plan),
                              doing=PLANNING):
            return  # the last plan has not answered yet
        self._busy(True)
        self._status(Content(_("Planning the sync with {other}… (nothing is written)").format(other=where(location))))

    @on(Input.Changed, "#sync-other")
    def _location_edited(self, event: Input.Changed) -> None:
        if self.plan is not None and location_of(event.value) != self.planned_for:
            self._show(None, "")

    def on_sync_screen_planned(self, message: Planned) -> None:
        self._busy(False)
        self.picks = {}
        self.seen = {c.name: values_of(c) for c in message.plan.conflicts}
        self._show(message.plan, message.location)
        write = self.query_one("#sync-write", Button)
        if message.plan.conflicts:
            self._status(Content(_("Nothing is written yet. Choose a value for each conflict, then sync.")))
        else:
            self._status(Content(_("Nothing is written yet. Sync makes both boards hold this.")))
        write.focus()

    def on_read_failed(self, message: ReadFailed) -> None:
        """The plan (or where this board syncs) could not be read: one line, here and in a notice."""
        self._busy(False)
        said = failure_message(message.error, message.doing)
        if message.doing == PLANNING:
            self._show(None, "")
            self._status(Content.assemble((labelled(_("No plan:")), "bold $error"), said))
        self.notify(said, severity="error", timeout=10, markup=False)

    def _show(self, plan: SyncPlan | None, location: str) -> None:
        self.plan, self.planned_for = plan, location
        text = self.query_one("#sync-plan-text", Static)
        write = self.query_one("#sync-write", Button)
        if plan is None:
            text.update("")
            write.disabled, write.label = True, _("Sync")
            write.refresh(layout=True)
            return
        text.update(Content("\n").join(plan_lines(plan)))
        count = len(plan.conflicts)
        write.disabled = False
        write.label = (ngettext("Choose for {count} conflict…", "Choose for {count} conflicts…", count).format(count=count)
                       if count else _("Sync"))
        write.refresh(layout=True)  # a new label does not make an auto-width button wider by itself

    # ------------------------------------------------------------------ syncing
    @on(Button.Pressed, "#sync-write")
    def action_sync(self) -> None:
        if self.busy:
            return
        if self.plan is None:
            self.notify(_("Plan the sync first: name the other board and press Enter"), severity="warning",
                        markup=False)
            return
        if self.plan.conflicts and not all(c.name in self.picks for c in self.plan.conflicts):
            self._choose(self.plan.conflicts)
            return
        self._write()

    def _choose(self, conflicts: list[FieldConflict], note: str = "") -> None:
        def chosen(picks: dict[str, Side] | None) -> None:
            if picks is None:
                self._status(Content(_("Nothing was written: the conflicts are still to choose.")))
                return
            self.picks.update(picks)
            self._write()

        self.app.push_screen(ConflictsScreen(conflicts, self.picks, where(self.planned_for), note=note), chosen)

    def _write(self) -> None:
        location = self.planned_for
        self._busy(True)
        self._status(Content(_("Syncing with {other}…").format(other=where(location))))
        self.link.save(self, Change(sync_call(self.link, location, dict(self.picks), dict(self.seen)), summary,
                                    doing=SYNCING, undoable=False))

    def on_saved(self, message: Saved) -> None:
        """Synced: back to the board (the app says what happened and every screen reads again)."""
        self._busy(False)
        self.dismiss()

    def on_refused(self, message: Refused) -> None:
        self._busy(False)
        error = message.error
        if not isinstance(error, SyncConflicts):
            # Said by the app in a one-line notice; the plan stays, to try again.
            self._status(Content.assemble((labelled(_("Not synced:")), "bold $error"), failure_message(error, SYNCING)))
            return
        message.stop()
        plan = error.plan
        for conflict in plan.conflicts:  # changed since it was chosen, or new: to choose (again)
            if self.seen.get(conflict.name) != values_of(conflict):
                self.picks.pop(conflict.name, None)
            self.seen[conflict.name] = values_of(conflict)
        self._show(plan, self.planned_for)
        note = ngettext("The boards changed since the plan: {count} conflict to choose. Nothing was written.",
                        "The boards changed since the plan: {count} conflicts to choose. Nothing was written.",
                        len(plan.conflicts)).format(count=len(plan.conflicts))
        self._status(Content(note))
        self._choose(plan.conflicts, note)

    # ------------------------------------------------------------------ the rest
    def _busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#sync-plan", Button).disabled = busy
        self.query_one("#sync-write", Button).disabled = busy or self.plan is None

    def _status(self, content: Content) -> None:
        self.query_one("#sync-status", Static).update(content)

    @on(Button.Pressed, "#sync-close")
    def action_close(self) -> None:
        self.dismiss()


class ConflictChoice(VerticalGroup, can_focus=True):
    """One field both boards changed: its base, ours and theirs side by side, and the side it keeps.
    A click on a side keeps it."""

    # Here, not on the screen: the scrolling list around the conflicts would take up and down first.
    BINDINGS = [
        Binding("down,j", "step(1)", N_("Next"), show=False, id="sync.conflicts.next"),
        Binding("up,k", "step(-1)", N_("Previous"), show=False, id="sync.conflicts.previous"),
    ]

    @dataclass(eq=False)
    class Chosen(Message):
        """A side was chosen for the conflict `name` (`REQ-3.title`)."""

        name: str
        side: Side

    def __init__(self, conflict: FieldConflict, side: Side | None, *, index: int) -> None:
        super().__init__(id=f"conflict-{index}", classes="conflict")
        self.conflict = conflict
        self.side = side

    def compose(self) -> ComposeResult:
        yield Static("", classes="conflict-heading")
        with HorizontalGroup(classes="conflict-sides"):
            for part, value in (("base", self.conflict.base), ("ours", self.conflict.ours),
                                ("theirs", self.conflict.theirs)):
                with VerticalGroup(classes=f"conflict-side side-{part}"):
                    yield Label("", classes="side-heading")
                    yield Static(excerpt(value), classes="side-value")

    def on_mount(self) -> None:
        self._draw()

    def action_step(self, delta: int) -> None:
        """Focus the next (1) or the previous (-1) conflict."""
        siblings = [c for c in self.parent.children if isinstance(c, ConflictChoice)] if self.parent else [self]
        index = siblings.index(self) + delta
        if 0 <= index < len(siblings):
            # At once (focus() waits for the next idle): a key typed right after acts on this one.
            self.screen.set_focus(siblings[index])

    def choose(self, side: Side) -> None:
        """Keep `side`'s value (and say so to the screen)."""
        self.side = side
        self._draw()
        self.post_message(self.Chosen(self.conflict.name, side))

    def _draw(self) -> None:
        c = self.conflict
        if self.side == "ours":
            state = (_("keeps this board's value (ours)"), "bold")
        elif self.side == "theirs":
            state = (_("keeps the other board's value (theirs)"), "bold")
        else:
            state = (_("to choose: o keeps this board's, t the other board's"), "bold $warning")
        self.query_one(".conflict-heading", Static).update(
            Content.assemble((c.key, "bold"), " ", (field_label(c.field), "bold"), "  ", state))
        headings = {"base": _("Base (last agreed)"), "ours": _("This board (ours)"), "theirs": _("Other board (theirs)")}
        for part, heading in headings.items():
            column = self.query_one(f".side-{part}", VerticalGroup)
            kept = part == self.side
            column.set_class(kept, "-kept")
            column.set_class(self.side is not None and part != self.side and part != "base", "-dropped")
            column.query_one(".side-heading", Label).update(Content(("✔ " if kept else "") + heading))

    def on_click(self, event: events.Click) -> None:
        sides: tuple[Side, ...] = ("ours", "theirs")
        for node in event.widget.ancestors_with_self if event.widget else ():
            if node is self:
                return
            for side in sides:
                if node.has_class(f"side-{side}"):
                    self.choose(side)
                    return


class ConflictsScreen(Screen[dict[str, Side] | None]):
    """Each conflict of a sync side by side, to choose which value stays; returns the choices (by
    `REQ-3.title`) once every conflict has one, or None."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Back"), show=False, id="sync.conflicts.close"),
        Binding("o,left", "choose('ours')", N_("Ours"), id="sync.conflicts.ours"),
        Binding("t,right", "choose('theirs')", N_("Theirs"), id="sync.conflicts.theirs"),
        Binding("O", "choose_all('ours')", N_("All ours"), show=False, id="sync.conflicts.all-ours"),
        Binding("T", "choose_all('theirs')", N_("All theirs"), show=False, id="sync.conflicts.all-theirs"),
        Binding("v", "view", N_("View"), id="sync.conflicts.view"),
        Binding("ctrl+s", "sync", N_("Sync"), id="sync.conflicts.sync"),
    ]

    def __init__(self, conflicts: Iterable[FieldConflict], picks: Mapping[str, Side], other: str, *,
                 note: str = "") -> None:
        super().__init__()
        self.conflicts = list(conflicts)
        self.picks: dict[str, Side] = {c.name: picks[c.name] for c in self.conflicts if c.name in picks}
        self.other = other
        self.note = note

    def compose(self) -> ComposeResult:
        count = len(self.conflicts)
        yield Static(phrase(_("{conflicts} with {other}"),
                            conflicts=(ngettext("{count} conflict", "{count} conflicts", count).format(count=count), "bold"),
                            other=self.other), id="sync-title")
        intro = _("Changed on both boards since they last agreed: keep this board's value (o, ←) or the "
                  "other board's (t, →), or click it. Then Sync (ctrl+s).")
        yield Static(Content(shown(self.note) + "\n" + intro if self.note else intro), id="conflicts-intro")
        with VerticalScroll(id="conflicts"):
            for index, conflict in enumerate(self.conflicts):
                yield ConflictChoice(conflict, self.picks.get(conflict.name), index=index)
        with Horizontal(id="sync-buttons"):
            yield Button(_("All ours (O)"), id="conflicts-all-ours", compact=True)
            yield Button(_("All theirs (T)"), id="conflicts-all-theirs", compact=True)
            yield Button(_("Sync"), variant="primary", id="conflicts-sync", compact=True)
            yield Button(_("Back"), id="conflicts-close", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        choices = list(self.query(ConflictChoice).results(ConflictChoice))
        first = next((c for c in choices if c.side is None), choices[0] if choices else None)
        if first is not None:
            first.focus()

    @property
    def choices(self) -> list[ConflictChoice]:
        return list(self.query(ConflictChoice).results(ConflictChoice))

    def _focused_choice(self) -> ConflictChoice | None:
        return self.focused if isinstance(self.focused, ConflictChoice) else None

    def action_choose(self, side: Side) -> None:
        choice = self._focused_choice()
        if choice is not None:
            choice.choose(side)

    @on(Button.Pressed, "#conflicts-all-ours")
    def _all_ours(self) -> None:
        self.action_choose_all("ours")

    @on(Button.Pressed, "#conflicts-all-theirs")
    def _all_theirs(self) -> None:
        self.action_choose_all("theirs")

    def action_choose_all(self, side: Side) -> None:
        for choice in self.choices:
            choice.choose(side)

    def action_view(self) -> None:
        choice = self._focused_choice()
        if choice is not None:
            self.app.push_screen(ConflictValuesScreen(choice.conflict))

    def on_conflict_choice_chosen(self, message: ConflictChoice.Chosen) -> None:
        self.picks[message.name] = message.side

    @on(Button.Pressed, "#conflicts-sync")
    def action_sync(self) -> None:
        missing = [c for c in self.choices if c.side is None]
        if missing:
            names = _listed([conflict_name(c.conflict) for c in missing])
            self.notify(_("Choose a value for {conflicts} first (o: this board's, t: the other board's)").format(
                conflicts=names), severity="warning", markup=False)
            missing[0].focus()
            return
        self.dismiss(dict(self.picks))

    @on(Button.Pressed, "#conflicts-close")
    def action_close(self) -> None:
        self.dismiss(None)


class ConflictValuesScreen(ModalScreen[None]):
    """One conflict's three values whole (a long description), to read before choosing."""

    CSS_PATH = "sync.tcss"
    BINDINGS = [Binding("escape,v,q", "close", N_("Close"), id="sync.conflict-values.close")]

    def __init__(self, conflict: FieldConflict) -> None:
        super().__init__()
        self.conflict = conflict

    def compose(self) -> ComposeResult:
        c = self.conflict
        with VerticalScroll(id="dialog"):
            yield Static(Content.styled(conflict_name(c), "bold"), id="dialog-title")
            for heading, value in ((_("Base (last agreed)"), c.base), (_("This board (ours)"), c.ours),
                                   (_("Other board (theirs)"), c.theirs)):
                yield Label(Content.styled(heading, "bold"), classes="sync-label")
                yield Static(Content(shown(value_text(value))), classes="whole-value")
            yield Static(Content(_("escape closes")), classes="sync-help")

    def action_close(self) -> None:
        self.dismiss()
