"""A modal form built from field specs: every prompt of the app (guards, reasons, create, edit).

The form collects values and does no I/O. On submit, its `submit` function (pure: it reads the
values, or raises InvalidValue naming a field) says what to do with them: a `Change`, which the store
link saves, or a `Lookup`, which it reads; anything else is the form's result at once. A refusal is
shown under the field it names (InvalidValue's errors, a pydantic ValidationError's fields), else below
the fields; the form closes only once saved.

A form that edits a saved record (given a `Rebase`) catches up when someone saved the record meanwhile:
on a conflict it reads the saved version and rebases its fields on it, keeping what was typed. When
nobody else changed a field that was typed, it saves again at once; a field both changed is shown side
by side (as it was, theirs, yours) until the person keeps the typed value or takes theirs. Reload does
the same without saving: it never discards what was typed.

A save that cannot reach the board's server (the connection is lost) is held by the store link: the
form stays open with its values and says it will be saved when the server is back, and closes once it
is (a conflict met then takes the path above). Saving again replaces what was held; cancelling drops it.

Keys, shown at the dialog's foot: Enter in a one-line field goes to the next field (in the last one it
saves, so a one-field prompt saves on Enter), ctrl+s saves from anywhere, Esc cancels (asking first when
something was changed), ctrl+o opens "More…" (the fields a compact form keeps back). One line a field:
its label beside it. Text shown in a field is made safe (`shown`: a bidi override is drawn as
`<U+202E>`) and saved as it was when left unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.visual import VisualType
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.text_area import Selection

from reqboard.store.errors import Conflict, InvalidValue, validation_message
from reqboard.store.i18n import N_, _, listed
from reqboard.store.text import shown

from ..background import failure_message
from ..link import Change
from ..messages import Held, ReadFailed, Refused, Saved
from ..widgets.checklist import Checklist
from ..widgets.field_clash import FieldClash, FieldClashPanel
from .fields import FieldSpec

if TYPE_CHECKING:
    from ..link import StoreLink

__all__ = ["DiscardChanges", "FieldClash", "FieldSpec", "FormScreen", "Lookup", "Rebase", "Rebased"]

_SHOWN_CHAR = re.compile(r"<U\+([0-9A-F]{4,6})>")
"""How `shown` writes a disguising character (a bidi override) it makes visible."""

CATCH_UPS = 5
"""How many times in a row a save that meets a newer version catches up and saves again by itself
(each time someone else saved the record meanwhile) before it asks the person."""


@dataclass(frozen=True)
class Lookup:
    """A read a form's submit asks for (an import's preview): its result is what the form returns."""

    call: Callable[[Any], Any]
    doing: str


@dataclass(frozen=True)
class Rebased:
    """A form's fields rebased on the saved version: the saved values with the typed changes kept, the
    fields both changed, and what changed meanwhile in a notice's words ("REQ-3 was changed by ana
    meanwhile (owner)")."""

    fields: Sequence[FieldSpec]
    clashes: Sequence[FieldClash]
    news: str


class Rebase(Protocol):
    """How a form that edits a saved record catches up with the version saved since it was opened."""

    def read(self, board: Any) -> Any:
        """The saved version (run by the store link, in a worker)."""
        ...

    def rebase(self, values: dict[str, Any], saved: Any, unsettled: Collection[str]) -> Rebased:
        """The form's `values` rebased on `saved`; `unsettled` names the clashes shown and not settled yet
        (they stay clashes). Pure; raises InvalidValue naming a field whose value cannot be read."""
        ...


class FormMessage(Static):
    """What a form says about a field (under it) or about itself (at its top): no room taken while it
    says nothing, so that the fields stand one a line."""

    def __init__(self, *, id: str) -> None:
        super().__init__("", id=id, classes="field-error")
        self.display = False

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(content.plain if isinstance(content, Content) else content)


class FormScreen(ModalScreen[Any]):
    """A dialog of fields; what it returns is the result of its change, lookup or submit function."""

    CSS_PATH = "form.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel"),
        Binding("ctrl+s", "submit", N_("Save"), id="form.save"),
        Binding("ctrl+o", "more", N_("More fields"), id="form.more"),
    ]

    @dataclass(eq=False)
    class Looked(Message, bubble=False):
        """The result of the form's lookup."""

        result: Any

    @dataclass(eq=False)
    class Reloaded(Message, bubble=False):
        """The saved version, read again after a conflict (`save`: then save the rebased values)."""

        result: Any
        save: bool = False

    def __init__(self, title: str, fields: Sequence[FieldSpec], *,
                 submit: Callable[[dict[str, Any]], Any] | None = None, link: StoreLink | None = None,
                 rebase: Rebase | None = None, submit_label: str | None = None, intro: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.link = link
        self.rebase = rebase
        self.submit_label = _("Save") if submit_label is None else submit_label
        """The submit button's text (translated by whoever gives it)."""
        self.intro = intro
        self.saving = False
        self.clashes: dict[str, FieldClash] = {}
        """The fields both changed, shown side by side until settled: a save waits for them."""
        self.catch_ups = 0
        """The catch-ups since the person last asked to save (see CATCH_UPS)."""
        self.held = False
        """A save waits for the server (held by the store link)."""
        self.more_shown = not any(spec.more for spec in self.fields)
        """The fields kept for "More…" are shown (or there are none)."""
        self.prefilled: dict[str, tuple[str, str]] = {}
        """The text fields whose value is drawn otherwise than it is (`shown`): name -> (value, as drawn)."""
        self.errored: dict[str, Any] = {}
        """The fields with a message under them, and their value then: a change clears the message."""
        self.opened: dict[str, Any] | None = None
        """The values the form opened with: Esc asks before it drops anything else."""

    def compose(self) -> ComposeResult:
        self.prefilled = {}
        with Vertical(id="dialog"):
            yield Label(Content(shown(self.form_title, one_line=True)), id="dialog-title")
            if self.intro:  # it may quote the requirement (a suspect flag) or a file (an import's preview)
                yield Static(Content(shown(self.intro)), id="dialog-intro")
            # A message about the whole form (a stale save, a refusal naming no field): at its top, where
            # it is neither taken for one field's nor scrolled out of sight below a long form.
            yield FormMessage(id="form-error")
            with VerticalScroll(id="dialog-fields"):
                for spec in self.fields:
                    if not spec.more:
                        yield from self._field(spec)
                if not self.more_shown:
                    yield Button(_("More…"), id="more", compact=True)
                with Vertical(id="more-fields", classes="" if self.more_shown else "-hidden"):
                    for spec in self.fields:
                        if spec.more:
                            yield from self._field(spec)
            with Horizontal(id="dialog-buttons"):
                yield Button(self.submit_label, variant="primary", id="submit")
                yield Button(_("Reload"), id="reload", classes="-hidden")
                yield Button(_("Cancel"), id="cancel")
            yield Static("", id="dialog-keys")

    def _field(self, spec: FieldSpec) -> ComposeResult:
        """One field: its label beside it (a checklist's above it: its items are long), then what is
        said about it."""
        text = shown(spec.label, one_line=True) + (" *" if spec.required else "")  # it may name the user
        label = Label(Content(text), classes="field-label")
        if spec.kind == "checklist":  # what it says goes above its items (it may be long): at the left
            yield label
            if spec.help:
                yield Static(Content(spec.help), classes="field-help checklist-help")
            yield self._widget(spec)
        else:
            with Horizontal(classes="field-row"):
                yield label
                yield self._widget(spec)
        if spec.name in self.clashes:
            yield FieldClashPanel(self.clashes[spec.name], id=f"clash-{spec.name}")
        if spec.help and spec.kind != "checklist":
            yield Static(Content(spec.help), classes="field-help")
        yield FormMessage(id=f"error-{spec.name}")

    def _widget(self, spec: FieldSpec) -> Any:
        wid = f"field-{spec.name}"
        if spec.kind == "textarea":
            return TextArea(self._prefill(spec.name, str(spec.value or ""), one_line=False), id=wid,
                            soft_wrap=True, show_line_numbers=False)
        if spec.kind == "select":
            options = [(label, value) for label, value in spec.options]
            value = spec.value if any(v == spec.value for _label, v in options) else Select.NULL
            # A required choice with no value starts blank (and is asked for), never on the first option.
            return Select(options, value=value, id=wid, allow_blank=not spec.required or value is Select.NULL,
                          prompt=_("(not set)"), compact=True)
        if spec.kind == "checklist":
            # Content, not str: a str prompt is parsed as markup, and these labels are user text
            # (acceptance criteria).
            return Checklist(*[(Content(shown(label, one_line=True)), value, value in spec.selected)
                               for label, value in spec.options], id=wid)
        # No selection on focus, the cursor at the end: the first key typed adds to the text, never
        # replaces it.
        text = self._prefill(spec.name, str(spec.value if spec.value is not None else ""), one_line=True)
        return Input(text, id=wid, placeholder=spec.placeholder, compact=True, select_on_focus=False)

    def _prefill(self, name: str, text: str, *, one_line: bool) -> str:
        """`text` as a field may draw it (a bidi override made visible), remembered to be saved as it was."""
        drawn: str = shown(text, one_line=one_line)
        if drawn != text:
            self.prefilled[name] = (text, drawn)
        else:
            self.prefilled.pop(name, None)
        return drawn

    def _typed(self, name: str, text: str) -> str:
        """What a text field holds, as the store is to keep it: its value as given when unchanged, and
        the characters `shown` made visible put back where the text still shows them."""
        if name not in self.prefilled:
            return text
        given, drawn = self.prefilled[name]
        if text == drawn:
            return given

        def back(match: re.Match[str]) -> str:
            char = chr(int(match.group(1), 16))
            return char if match.group() in drawn and char in given else match.group()

        return _SHOWN_CHAR.sub(back, text)

    def on_mount(self) -> None:
        self._fields_made()
        self._focus_first_field()
        self.opened = self.values()

    def _fields_made(self) -> None:
        """Once the fields are made (again, after a catch-up): a text's cursor at its end, the keys said."""
        for area in self.query(TextArea):
            area.selection = Selection.cursor(area.document.end)
        self._show_keys()

    def _show_keys(self) -> None:
        """The dialog's keys on its last line, as they are in force (a remapped key included)."""
        def keys(action: str) -> str:
            found = [self.app.get_key_display(active.binding) for active in self.active_bindings.values()
                     if active.node is self and active.binding.action == action]
            return "/".join(dict.fromkeys(found))

        enter = self.app.get_key_display(Binding("enter", ""))
        visible = self._visible_fields()
        if len(visible) > 1:  # Tab from any field, Enter from a one-line one
            hints = [(f"{self.app.get_key_display(Binding('tab', ''))}/{enter}", _("Next field")),
                     (keys("submit"), self.submit_label)]
        elif visible and visible[0].kind == "text":  # a one-line prompt: Enter saves it
            hints = [(f"{enter}/{keys('submit')}", self.submit_label)]
        else:
            hints = [(keys("submit"), self.submit_label)]
        hints.append((keys("cancel"), _("Cancel")))
        if not self.more_shown:
            hints.append((keys("more"), _("More fields")))
        if any(spec.kind == "checklist" for spec in self.fields):
            hints.append((self.app.get_key_display(Binding("space", "")), _("Tick")))
        self.query_one("#dialog-keys", Static).update(key_hints(hints))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The row being typed in is marked (its label reversed: it reads without colour too). A class,
        not `:focus-within`, which left the row last typed in marked as well."""
        for current in self.query(".field-row.-current"):
            current.remove_class("-current")
        row = event.widget.parent
        if row is not None and row.has_class("field-row"):
            row.add_class("-current")

    def _show_more(self) -> bool:
        """Show the fields kept back for "More…"; False if they were shown already."""
        if self.more_shown:
            return False
        self.more_shown = True
        self.query_one("#more-fields").remove_class("-hidden")
        self.query_one("#more", Button).display = False
        self._show_keys()
        return True

    def _visible_fields(self) -> list[FieldSpec]:
        return [spec for spec in self.fields if self.more_shown or not spec.more]

    @on(Button.Pressed, "#more")
    def action_more(self) -> None:
        """Show the fields kept back for "More…", and go to the first of them."""
        if not self._show_more():
            return
        first = next((spec for spec in self.fields if spec.more), None)
        if first is not None:
            widget = self.query_one(f"#field-{first.name}")
            widget.focus(scroll_visible=False)
            self.call_after_refresh(lambda: widget.scroll_visible(animate=False, immediate=True))

    # ------------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                values[spec.name] = self._typed(spec.name, widget.text)
            elif isinstance(widget, Select):
                values[spec.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, SelectionList):
                values[spec.name] = list(widget.selected)
            elif isinstance(widget, Input):
                values[spec.name] = self._typed(spec.name, widget.value).strip()
        return values

    def _missing_required(self, values: dict[str, Any]) -> bool:
        missing = False
        for spec in self.fields:
            value = values.get(spec.name)
            if spec.required and (value in (None, "", []) or (isinstance(value, str) and not value.strip())):
                self.show_error(spec.name, spec.needed or _("{field} is needed").format(field=spec.label))
                missing = True
        if missing:
            self._reveal_error()
        return missing

    # ------------------------------------------------------------------ submitting
    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        """Enter goes to the next field; in the last one it saves (a one-field prompt saves on Enter)."""
        event.stop()
        names = [spec.name for spec in self._visible_fields()]
        name = (event.input.id or "").removeprefix("field-")
        at = names.index(name) if name in names else len(names) - 1
        if at >= len(names) - 1:
            self.action_submit()
        else:
            self.query_one(f"#field-{names[at + 1]}").focus()

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(SelectionList.SelectedChanged)
    def _edited(self, event: Message) -> None:
        """A field's message goes once the field is changed (fixed, or at least worked on)."""
        control = getattr(event, "control", None)
        name = (getattr(control, "id", None) or "").removeprefix("field-")
        if name in self.errored and self._value_of(name) != self.errored[name]:
            self.show_error(name, "")

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.saving:
            return
        self.catch_ups = 0
        self._submit()

    def _submit(self) -> None:
        self.clear_errors()
        values = self.values()
        if self._missing_required(values):
            return
        if self.clashes:
            for name in self.clashes:
                self.show_error(name, _("changed meanwhile too: keep yours or take theirs"))
            self._say(_("Choose for {fields} before saving").format(fields=self._clash_names()))
            self._reveal_error(focus=False)  # the choice is the panel's buttons, not the field
            return
        if self.submit is None:
            self.dismiss(values)
            return
        try:
            what = self.submit(values)
        except InvalidValue as exc:  # the values cannot be read (a date that is none): said under its field
            self._failed(exc)
            return
        if isinstance(what, Change | Lookup):
            assert self.link is not None, "a form that saves or reads is given the store link"
            self._busy(True)
            if isinstance(what, Change):
                if self.held:  # these values replace the ones waiting for the server
                    self.link.withdraw(self)
                    self.held = False
                self.link.save(self, what)
            elif not self.link.read(self, what.call, answer=self.Looked, doing=what.doing):
                self._busy(False)  # the last lookup has not answered yet: the key is ignored
            return
        self.dismiss(what)

    def _busy(self, busy: bool) -> None:
        self.saving = busy
        self.query_one("#submit", Button).disabled = busy

    def on_saved(self, message: Saved) -> None:
        self._busy(False)
        self.held = False
        self._leave(message.after)  # the message goes on to the app, which says it

    def on_held(self, message: Held) -> None:
        """The server cannot be reached: the values stay here and are saved once it answers again."""
        message.stop()  # said here, on the form
        self._busy(False)
        self.held = True
        self.query_one("#form-error", Static).update(Content(
            _("Offline: cannot reach the server. What you typed is kept and saved when the server is back "
              "(saving again saves the values as they are then; Esc drops them).")))

    def on_refused(self, message: Refused) -> None:
        message.stop()  # said here, on the form, which stays open to correct, retry or cancel
        self.held = False
        if isinstance(message.error, Conflict) and self.rebase is not None and self.catch_ups < CATCH_UPS:
            self.catch_ups += 1  # someone saved meanwhile: merge with their version, then save again
            if self._catch_up(save=True):
                return
        self._busy(False)
        self._failed(message.error)

    def on_read_failed(self, message: ReadFailed) -> None:
        self._busy(False)
        self._failed(message.error)

    def on_form_screen_looked(self, message: Looked) -> None:
        self._busy(False)
        self._leave(message.result)

    def _leave(self, result: Any) -> None:
        """Close with `result` once saved (or read), maybe while "Discard your changes?" is asked over the
        form (Esc while the save was under way, or held for the server): the question goes too."""
        if isinstance(self.app.screen, DiscardChanges) and self.app.screen_stack[-2:-1] == [self]:
            self.app.screen.dismiss(False)
        self.dismiss(result)

    def _failed(self, exc: Exception) -> None:
        from pydantic import ValidationError  # loaded already, by the store that raised

        names = {spec.name for spec in self.fields}
        errors: dict[str, str] = {}
        if isinstance(exc, InvalidValue):
            errors = exc.errors
        elif isinstance(exc, ValidationError):
            errors = validation_message(exc).errors
        under_a_field = False
        for loc, message in errors.items():
            name = loc.split(".")[0]
            if name in names:
                self.show_error(name, message)
                under_a_field = True
        if not under_a_field:
            self.query_one("#form-error", Static).update(Content(failure_message(exc, self.form_title)))
        if isinstance(exc, Conflict) and self.rebase is not None:
            self.query_one("#reload", Button).remove_class("-hidden")
        self._reveal_error()

    def _reveal_error(self, *, focus: bool = True) -> None:
        """Bring the first message shown into view, whole, with the field it is under (focused, with
        `focus`, to be corrected at once). Once the screen is refreshed: a message is laid out only then,
        and one that wraps grows a line; scrolled to before, its end stayed below the edge of the scrolled
        fields (the scroll only follows focus, and the field above it had it)."""
        first = next((error for error in self.query(".field-error").results(Static) if error.content), None)
        if first is None:
            return
        field = None
        if first.id and first.id.startswith("error-"):  # under a field (else below them all: #form-error)
            fields = self.query(f"#field-{first.id.removeprefix('error-')}")
            field = fields.first() if fields else None
        if focus and field is not None and field.focusable:
            field.focus(scroll_visible=False)

        def reveal() -> None:
            # The field first, then its message below it: each scrolls only as far as it must (at once,
            # so the second sees the first's scroll), so both are in view where there is room for both.
            if field is not None:
                field.scroll_visible(animate=False, immediate=True)
            first.scroll_visible(animate=False, immediate=True)

        # Twice: fields just shown ("More…", for a message under one of them) are laid out a refresh later.
        self.call_after_refresh(self.call_after_refresh, reveal)

    def _say(self, text: str) -> None:
        """A message below the fields (store and user text: shown literally)."""
        self.query_one("#form-error", Static).update(Content(shown(text, one_line=True)))

    # ------------------------------------------------------------------ catching up with the saved version
    @on(Button.Pressed, "#reload")
    def action_reload(self) -> None:
        if not self.saving:
            self._catch_up(save=False)

    def _catch_up(self, *, save: bool) -> bool:
        """Read the saved version, then rebase the fields on it (and save, with `save`). False when no
        read was started (no rebase, or the last one has not answered yet)."""
        if self.rebase is None or self.link is None:
            return False
        self._busy(True)
        started = self.link.read(self, self.rebase.read, answer=lambda saved: self.Reloaded(saved, save),
                                 doing=_("Reading the saved version"))
        if not started:
            self._busy(False)
        return started

    async def on_form_screen_reloaded(self, message: Reloaded) -> None:
        assert self.rebase is not None
        try:
            rebased = self.rebase.rebase(self.values(), message.result, tuple(self.clashes))
        except InvalidValue as exc:  # a typed value that cannot be read: said under its field
            self._busy(False)
            self.clear_errors()
            self._failed(exc)
            return
        self.fields = list(rebased.fields)
        self.clashes = {clash.name: clash for clash in rebased.clashes}
        await self.recompose()
        self._fields_made()
        self._busy(False)  # only now: a save while the fields are made again would read half of them
        reload = self.query_one("#reload", Button)
        if self.clashes:
            reload.remove_class("-hidden")
            self._say(_("{news}: keep yours or take theirs for {fields}, then save").format(
                news=rebased.news, fields=self._clash_names()))
            first = self.query_one(f"#keep-{next(iter(self.clashes))}", Button)
            first.focus()
            first.scroll_visible(animate=False)
            return
        reload.add_class("-hidden")
        self._focus_first_field()
        if message.save:
            self._submit()  # nothing clashes: the merged values are saved onto the version just read
        elif rebased.news:
            self.notify(_("{news}; your changes are kept").format(news=rebased.news), markup=False)
        else:
            self.notify(_("Nobody changed it since; your changes are kept"), markup=False)

    def on_field_clash_panel_chosen(self, message: FieldClashPanel.Chosen) -> None:
        """The person kept their value or took theirs: the field is settled, the panel goes."""
        message.stop()
        clash = self.clashes.pop(message.name, None)
        if clash is None:
            return
        widget = self.query_one(f"#field-{clash.name}")
        if not message.mine:
            self._set_value(widget, clash.theirs_value)
        self.query_one(f"#clash-{clash.name}", FieldClashPanel).remove()
        self.show_error(clash.name, "")
        widget.focus()
        if self.clashes:
            self._say(_("Still to choose: {fields}").format(fields=self._clash_names()))
        else:
            self._say(_("All settled: save to write it"))

    def _clash_names(self) -> str:
        labels = {spec.name: spec.label for spec in self.fields}
        return listed(labels.get(name, name) for name in self.clashes)

    @staticmethod
    def _set_value(widget: Any, value: Any) -> None:
        if isinstance(widget, TextArea):
            widget.text = str(value or "")
        elif isinstance(widget, Select):  # theirs is a saved value: one of the field's choices, or none
            widget.value = Select.NULL if value is None else value
        elif isinstance(widget, Input):
            widget.value = "" if value is None else str(value)

    def _focus_first_field(self) -> None:
        first = self.query("#dialog-fields Input, #dialog-fields TextArea, #dialog-fields Select, "
                           "#dialog-fields SelectionList")
        if first:
            first.first().focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close the form; asking first when what it holds is not what it opened with (a one-line
        prompt, a filter or a reason, closes at once: retyping it costs less than being asked)."""
        asks = len(self.fields) > 1 or any(spec.kind == "textarea" for spec in self.fields)
        if asks and self.opened is not None and self.values() != self.opened:
            self.app.push_screen(DiscardChanges(), lambda discard: self._close() if discard else None)
            return
        self._close()

    def _close(self) -> None:
        if self.held and self.link is not None:
            self.link.withdraw(self)  # never saved behind the person's back once the form is gone
        self.dismiss(None)

    def _value_of(self, name: str) -> Any:
        return self.values().get(name)

    def show_error(self, name: str, message: str) -> None:
        if message:
            self.errored[name] = self._value_of(name)
            spec = next((spec for spec in self.fields if spec.name == name), None)
            if spec is not None and spec.more:
                self._show_more()  # a message under a field kept back: the field is shown with it
        else:
            self.errored.pop(name, None)
        self.query_one(f"#error-{name}", Static).update(Content(shown(message, one_line=True)))

    def clear_errors(self) -> None:
        self.errored.clear()
        for error in self.query(".field-error").results(Static):
            error.update("")


def key_hints(hints: Iterable[tuple[str, str]]) -> Content:
    """A dialog's keys in one line: each key drawn reversed (readable without colour), then what it does."""
    return Content(" ").join(Content.assemble((f" {key} ", "bold reverse"), f" {what}") for key, what in hints if key)


class DiscardChanges(ModalScreen[bool]):
    """Asked when a changed form is cancelled: True discards what was typed, False goes back to it."""

    CSS_PATH = "form.tcss"
    BINDINGS = [
        Binding("y", "discard", N_("Discard"), id="form.discard"),
        Binding("n,escape", "keep", N_("Keep editing"), id="form.keep-editing"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(_("Discard your changes?"), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(_("Discard"), variant="error", id="discard")
                yield Button(_("Keep editing"), id="keep")
            yield Static("", id="confirm-keys")

    def on_mount(self) -> None:
        self.query_one("#discard", Button).focus()

        def keys(action: str, *more: str) -> str:
            found = [self.app.get_key_display(active.binding) for active in self.active_bindings.values()
                     if active.node is self and active.binding.action == action]
            return "/".join(dict.fromkeys([*found, *more]))

        self.query_one("#confirm-keys", Static).update(key_hints([
            (keys("discard", self.app.get_key_display(Binding("enter", ""))), _("Discard")),
            (keys("keep"), _("Keep editing"))]))

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)
