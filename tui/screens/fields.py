"""What a form asks for, one field at a time (no widgets here: the prompts are built at start-up,
the form's widgets are imported when the first form opens)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reqboard.store.i18n import _

Kind = Literal["text", "textarea", "select", "checklist"]


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: Kind = "text"
    value: Any = None
    options: Sequence[tuple[str, Any]] = ()
    required: bool = False
    placeholder: str = ""
    help: str = ""
    selected: Sequence[Any] = field(default_factory=tuple)
    needed: str = ""
    """What the form says under a required field left empty; empty: "{label} is needed", which reads
    only with a label that names a thing (a question asks for its own sentence)."""
    more: bool = False
    """Asked only once the person opens the form's "More…": not needed for a first capture."""

    def text_of(self, value: Any) -> str:
        """`value` as this field shows it to a person: a choice's label ("(not set)" for none), else
        its text."""
        if self.kind == "select":
            return next((str(label) for label, option in self.options if option == value), _("(not set)"))
        if self.kind == "checklist":
            chosen = set(value or ())
            return ", ".join(str(label) for label, option in self.options if option in chosen)
        return "" if value is None else str(value)
