"""A modal form built from field specs: every prompt of the app (guards, reasons, create, edit).

The form collects values and does no I/O. On submit, its `submit` function (pure: it reads the
values, or raises InvalidValue naming a field) says what to do with them: a `Change`, which the store
link saves, or a `Lookup`, which it reads; anything else is the form's result at once. A refusal is
shown under the field it names (InvalidValue's errors, a pydantic ValidationError's fields), else below
the fields; a conflict offers to reload; the form closes only once saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from reqboard.store.errors import Conflict, InvalidValue, validation_message
from reqboard.store.text import shown

from ..background import failure_message
from ..link import Change
from ..messages import ReadFailed, Refused, Saved
from .fields import FieldSpec

if TYPE_CHECKING:
    from ..link import StoreLink

__all__ = ["FieldSpec", "FormScreen", "Lookup", "Reload"]


@dataclass(frozen=True)
class Lookup:
    """A read a form's submit asks for (an import's preview): its result is what the form returns."""

    call: Callable[[Any], Any]
    doing: str


@dataclass(frozen=True)
class Reload:
    """How a form shows the saved version after a conflict: `call` reads it, `fields` makes the form's
    fields from it."""

    call: Callable[[Any], Any]
    fields: Callable[[Any], Sequence[FieldSpec]]


class FormScreen(ModalScreen[Any]):
    """A dialog of fields; what it returns is the result of its change, lookup or submit function."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
    ]

    @dataclass(eq=False)
    class Looked(Message, bubble=False):
        """The result of the form's lookup."""

        result: Any

    @dataclass(eq=False)
    class Reloaded(Message, bubble=False):
        """The saved version, read again after a conflict."""

        result: Any

    def __init__(self, title: str, fields: Sequence[FieldSpec], *,
                 submit: Callable[[dict[str, Any]], Any] | None = None, link: StoreLink | None = None,
                 reload: Reload | None = None, submit_label: str = "Save", intro: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.link = link
        self.reload = reload
        self.submit_label = submit_label
        self.intro = intro
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Content(shown(self.form_title, one_line=True)), id="dialog-title")
            if self.intro:  # it may quote the requirement (a suspect flag) or a file (an import's preview)
                yield Static(Content(shown(self.intro)), id="dialog-intro")
            with VerticalScroll(id="dialog-fields"):
                for spec in self.fields:
                    label = shown(spec.label, one_line=True) + (" *" if spec.required else "")  # it may name the user
                    yield Label(Content(label), classes="field-label")
                    yield self._widget(spec)
                    if spec.help:
                        yield Static(Content(spec.help), classes="field-help")
                    yield Static("", id=f"error-{spec.name}", classes="field-error")
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.submit_label, variant="primary", id="submit")
                yield Button("Reload", id="reload", classes="-hidden")
                yield Button("Cancel", id="cancel")

    def _widget(self, spec: FieldSpec) -> Any:
        wid = f"field-{spec.name}"
        if spec.kind == "textarea":
            area = TextArea(str(spec.value or ""), id=wid, soft_wrap=True, show_line_numbers=False)
            area.styles.height = 6
            return area
        if spec.kind == "select":
            options = [(label, value) for label, value in spec.options]
            value = spec.value if any(v == spec.value for _, v in options) else Select.NULL
            # A required choice with no value starts blank (and is asked for), never on the first option.
            return Select(options, value=value, id=wid, allow_blank=not spec.required or value is Select.NULL,
                          prompt="(not set)")
        if spec.kind == "checklist":
            # Content, not str: a str prompt is parsed as markup, and these labels are user text
            # (acceptance criteria).
            return SelectionList(*[(Content(shown(label, one_line=True)), value, value in spec.selected)
                                   for label, value in spec.options], id=wid)
        return Input(str(spec.value if spec.value is not None else ""), id=wid, placeholder=spec.placeholder)

    def on_mount(self) -> None:
        first = self.query("#dialog-fields Input, #dialog-fields TextArea, #dialog-fields Select, "
                           "#dialog-fields SelectionList")
        if first:
            first.first().focus()

    # ------------------------------------------------------------------ values
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, TextArea):
                values[spec.name] = widget.text
            elif isinstance(widget, Select):
                values[spec.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, SelectionList):
                values[spec.name] = list(widget.selected)
            elif isinstance(widget, Input):
                values[spec.name] = widget.value.strip()
        return values

    def _missing_required(self, values: dict[str, Any]) -> bool:
        missing = False
        for spec in self.fields:
            if spec.required and values.get(spec.name) in (None, "", []):
                self.show_error(spec.name, f"{spec.label} is needed")
                missing = True
        return missing

    # ------------------------------------------------------------------ submitting
    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        values = self.values()
        if self._missing_required(values):
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
        self.dismiss(message.after)  # the message goes on to the app, which says it

    def on_refused(self, message: Refused) -> None:
        message.stop()  # said here, on the form, which stays open to correct, retry or cancel
        self._busy(False)
        self._failed(message.error)

    def on_read_failed(self, message: ReadFailed) -> None:
        self._busy(False)
        self._failed(message.error)

    def on_form_screen_looked(self, message: Looked) -> None:
        self._busy(False)
        self.dismiss(message.result)

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
        if isinstance(exc, Conflict) and self.reload is not None:
            self.query_one("#reload", Button).remove_class("-hidden")

    # ------------------------------------------------------------------ reloading
    @on(Button.Pressed, "#reload")
    def action_reload(self) -> None:
        if self.reload is None or self.link is None:
            return
        self.link.read(self, self.reload.call, answer=self.Reloaded, doing="Reloading the saved version")

    async def on_form_screen_reloaded(self, message: Reloaded) -> None:
        assert self.reload is not None
        self.fields = list(self.reload.fields(message.result))
        await self.recompose()
        self.notify("Reloaded the saved version; your changes were discarded", markup=False)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, name: str, message: str) -> None:
        self.query_one(f"#error-{name}", Static).update(Content(shown(message, one_line=True)))

    def clear_errors(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")
