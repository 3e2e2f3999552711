"""What a form asks for, one field at a time (no widgets here: the prompts are built at start-up,
the form's widgets are imported when the first form opens)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

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
