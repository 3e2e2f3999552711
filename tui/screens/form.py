"""A modal form built from field specs: every prompt of the app (guards, reasons, create, edit).

The form runs its `save` callable in a thread worker; a validation error from the store is shown
under the field it names, a conflict offers to reload, and the form closes only once saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static, TextArea

from reqboard.store.errors import Conflict, InvalidValue
from reqboard.store.text import shown

from ..background import NoticesFailedWork, background, failure_message
from .fields import FieldSpec

__all__ = ["FieldSpec", "FormScreen"]

class FormScreen(NoticesFailedWork, ModalScreen[Any]):
    """A dialog of fields. `save(values)` runs in a thread; its result is what the dialog returns."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
    ]

    def __init__(self, title: str, fields: Sequence[FieldSpec], *,
                 save: Callable[[dict[str, Any]], Any] | None = None,
                 reload: Callable[[], Sequence[FieldSpec]] | None = None,
                 submit_label: str = "Save", intro: str = "") -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.save = save
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

    # ------------------------------------------------------------------ actions
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
        if self.save is None:
            self.dismiss(values)
            return
        self.saving = True
        self.query_one("#submit", Button).disabled = True
        self._run_save(values)

    @background("Saving the form", group="form-save", exclusive=True)
    def _run_save(self, values: dict[str, Any]) -> None:
        assert self.save is not None
        try:
            result = self.save(values)
        except Exception as exc:  # said on the form, which stays open to correct, retry or cancel
            self.app.call_from_thread(self._failed, exc)
        else:
            self.app.call_from_thread(self.dismiss, result)

    def _failed(self, exc: Exception) -> None:
        self.saving = False
        self.query_one("#submit", Button).disabled = False
        names = {spec.name for spec in self.fields}
        under_a_field = False
        if isinstance(exc, InvalidValue):
            for loc, message in exc.errors.items():
                name = loc.split(".")[0]
                if name in names:
                    self.show_error(name, message)
                    under_a_field = True
        if not under_a_field:
            self.query_one("#form-error", Static).update(Content(failure_message(exc, self.form_title)))
        if isinstance(exc, Conflict) and self.reload is not None:
            self.query_one("#reload", Button).remove_class("-hidden")

    @on(Button.Pressed, "#reload")
    def action_reload(self) -> None:
        if self.reload is None:
            return
        self._load_fresh()

    @background("Reloading the saved version", group="form-reload", exclusive=True)
    def _load_fresh(self) -> None:
        try:
            fields = list(self.reload()) if self.reload else []
        except Exception as exc:  # as in _run_save
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._refill, fields)  # type: ignore[arg-type]  # Textual awaits an async callback

    async def _refill(self, fields: list[FieldSpec]) -> None:
        self.fields = fields
        await self.recompose()
        self.notify("Reloaded the saved version; your changes were discarded", markup=False)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, name: str, message: str) -> None:
        self.query_one(f"#error-{name}", Static).update(Content(shown(message, one_line=True)))

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            error.update("")  # type: ignore[attr-defined]
