"""What each form asks: the fields of a requirement, and the inputs a move's guard declares."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from reqboard.store import clock
from reqboard.store.errors import InvalidValue
from reqboard.store.i18n import _
from reqboard.store.labels import field_label
from reqboard.store.models import Channel, Feasibility, Kano, NeedType, Requirement, Tier
from reqboard.store.surveys import COMPLAINT_CAUSES, code_label
from reqboard.store.workflow import GuardInput

from .fields import FieldSpec

_SEPARATORS = re.compile("[,;，；、]")

SCORES = [(f"{n}", n) for n in range(1, 6)]
SCORE_CHOICES = tuple((str(n), str(n)) for n in range(1, 6))
"""A score input's choices, (value, label), when its guard names none."""


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.label, member.value) for member in enum]


FIRST_CAPTURE = ("title", "customer", "tier", "channel", "description")
"""The fields a new requirement's form shows at first: what a first capture needs; the rest wait
behind its "More…"."""


def requirement_fields(req: Requirement | None, user: str = "", *,
                       causes: Sequence[str] = COMPLAINT_CAUSES.default,
                       compact: bool | None = None) -> list[FieldSpec]:
    """Every editable field of a requirement, filled from `req` (or empty for a new one); a complaint's
    cause is one of `causes` (the board's list), or the one it has. A `compact` form (by default a new
    requirement's) shows the FIRST_CAPTURE fields and keeps the others for "More…"."""

    def v(name: str) -> Any:
        value = getattr(req, name) if req is not None else None
        return getattr(value, "value", value)

    criteria = "\n".join(f"[{'x' if c.done else ' '}] {c.text}" for c in req.acceptance_criteria) if req else ""
    fields = [
        FieldSpec("title", _("Title"), value=v("title") or "", required=True),
        FieldSpec("customer", _("Customer (who asked)"), value=v("customer") or ""),
        FieldSpec("tier", _("Customer tier"), "select", value=v("tier"), options=_choices(Tier)),
        FieldSpec("channel", _("Channel"), "select", value=v("channel") or Channel.OTHER.value,
                  options=_choices(Channel), required=True),
        # Always asked, one line of choices: a requirement that came in another way may turn out a complaint.
        FieldSpec("cause", _("Complaint cause"), "select", value=v("cause") or None,
                  options=code_choices((*causes, *([req.cause] if req and req.cause and req.cause not in causes
                                                   else [])))),
        FieldSpec("description", _("Description"), "textarea", value=v("description") or ""),
        FieldSpec("importance", _("Importance (1-5)"), "select", value=v("importance"), options=SCORES),
        FieldSpec("urgency", _("Urgency (1-5)"), "select", value=v("urgency"), options=SCORES),
        FieldSpec("business_value", _("Business value (1-5)"), "select", value=v("business_value"), options=SCORES),
        FieldSpec("kano", _("Kano class"), "select", value=v("kano"), options=_choices(Kano)),
        FieldSpec("need_type", _("Need type"), "select", value=v("need_type"), options=_choices(NeedType)),
        FieldSpec("category", _("Category"), value=v("category") or ""),
        FieldSpec("section", _("Section"), value=v("section") or "",
                  placeholder=_("3 Interfaces / 3.2 Payment"),
                  help=_("its place in the source document (heading path)")),
        FieldSpec("effort_estimate", _("Effort estimate (hours)"),
                  value="" if v("effort_estimate") is None else f"{v('effort_estimate'):g}"),
        FieldSpec("feasibility", _("Feasibility"), "select", value=v("feasibility"), options=_choices(Feasibility)),
        FieldSpec("owner", _("Owner"), value=v("owner") or ""),
        FieldSpec("due", _("Due date"), value=req.due.isoformat() if req and req.due else "",
                  placeholder=_("YYYY-MM-DD")),
        FieldSpec("tags", _("Tags"), value=", ".join(req.tags) if req else "", placeholder=_("comma, separated")),
        FieldSpec("depends_on", _("Depends on"), value=", ".join(req.depends_on) if req else "",
                  placeholder="REQ-3, REQ-7"),
        FieldSpec("conflicts_with", _("Conflicts with"), value=", ".join(req.conflicts_with) if req else ""),
        FieldSpec("acceptance_criteria", _("Acceptance criteria"), "textarea", value=criteria,
                  help=_("one per line; start a line with [x] when it is met")),
    ]
    if req is None if compact is None else compact:
        for spec in fields:
            spec.more = spec.name not in FIRST_CAPTURE
    return fields


def to_changes(values: dict[str, Any]) -> dict[str, Any]:
    """Turn form values into requirement fields; raises InvalidValue naming a field it cannot read."""
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("tags", "depends_on", "conflicts_with"):
            parts = [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
            changes[name] = tuple(p.upper() if name != "tags" else p for p in parts)
        elif name == "acceptance_criteria":
            changes[name] = tuple(_criterion(line) for line in str(value).splitlines() if line.strip())
        elif name == "due":
            changes[name] = _date(value)
        elif name == "effort_estimate":
            changes[name] = _number(value, name, field_label(name))
        elif name == "title":
            changes[name] = value
        elif name == "cause":
            changes[name] = value or ""  # none chosen: no cause (a text field, never null)
        elif isinstance(value, str) and name not in ("customer", "owner", "category", "section", "description"):
            changes[name] = value or None
        else:
            changes[name] = value
    return changes


def _criterion(line: str) -> dict[str, Any]:
    text = line.strip()
    lowered = text[:3].lower()
    if lowered in ("[x]", "[ ]"):
        return {"text": text[3:].strip(), "done": lowered == "[x]"}
    return {"text": text, "done": False}


def _field_error(name: str, message: str) -> InvalidValue:
    """An error the form shows under the field `name`."""
    return InvalidValue(message, {name: message})


def _date(value: Any) -> date | None:
    return parse_date(value, "due")


def parse_date(value: Any, name: str) -> date | None:
    """A date as typed (blank: none); InvalidValue under the field `name` if it is none."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _field_error(name, _("due date {value!r} is not a date like 2026-12-31").format(value=value)) from None


def code_choices(codes: Sequence[str]) -> list[tuple[str, str]]:
    """(label, code) choices of one of the board's lists: a default code in the current language, a
    team's own as typed."""
    return [(code_label(code), code) for code in codes]


def parse_moment(value: Any, name: str) -> datetime | None:
    """When something happened, as typed (blank: None, meaning now): a date and time (`2026-03-18 14:30`,
    ISO 8601, local time unless it names its zone) or a date alone (today: now; another day: its
    midday, local). InvalidValue under the field `name` for anything else."""
    text = " ".join(str(value or "").split())
    if not text:
        return None
    try:
        if len(text) <= 10:
            day = date.fromisoformat(text)
            if day == clock.today():
                return None
            return datetime.combine(day, time(12), tzinfo=clock.zone())
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _field_error(name, _("{value!r} is not a date or a time like 2026-03-18 or 2026-03-18 14:30").format(
            value=text[:40])) from None
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=clock.zone())


def names_in(text: str) -> list[str]:
    """The names (or keys) typed in one field, separated by commas (or `;`, `，`, `、`), each trimmed."""
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


def weight_text(value: float) -> str:
    """A score weight as a person types it: 1, not 1.0; 1.5 as it is."""
    return str(int(value)) if value == int(value) else f"{value:g}"


def _number(value: Any, name: str, label: str) -> float | None:
    if value in (None, ""):
        return None
    return number(value, name, label)


def number(value: Any, name: str, label: str = "") -> float:
    """`value` (what was typed) as a number; InvalidValue under the field `name` (saying which field,
    `label`, if given) if it is none."""
    try:
        return float(value)
    except ValueError:  # float()'s one way of saying the text is no number
        message = (_("{field} {value!r} is not a number").format(field=label, value=value) if label
                   else _("{value!r} is not a number").format(value=value))
        raise _field_error(name, message) from None


def reason_fields(label: str | None = None, needed: str = "") -> list[FieldSpec]:
    """A reason, asked with `label` ("Reason" if None); `needed` says so when it is left empty (a label
    that asks a question needs it: "Why? is needed" does not read)."""
    return [FieldSpec("reason", _("Reason") if label is None else label, required=True, needed=needed)]


def input_fields(inputs: Sequence[GuardInput]) -> list[FieldSpec]:
    """The form's fields for a move's guard inputs (`workflow.prompt_for`): one mapping from each kind
    of input to a kind of field, and nothing about any one state. The values come back as the form
    holds them (text, a choice's value, the checked values), which `workflow.parse_inputs` reads.
    The inputs are as a person reads them (`prompt_for`, `GuardInput.shown`): their labels and declared
    choices translated already, and choices filled in from the board (sign-off roles) as the team named
    them: translated again, a role called "customer" was offered as 客户."""
    fields = []
    for inp in inputs:
        choices = inp.choices or (SCORE_CHOICES if inp.kind == "score" else ())
        label = inp.label
        if inp.kind == "checklist":  # its items are the requirement's own text (its acceptance criteria)
            fields.append(FieldSpec(inp.name, label, "checklist", options=[(text, value) for value, text in choices],
                                    required=inp.required, selected=tuple(str(value) for value in inp.default or ()),
                                    help=_("space ticks the highlighted one: [x] ticked, [ ] not yet")))
        elif inp.kind in ("score", "choice"):
            options = [(text, value) for value, text in choices]
            fields.append(FieldSpec(inp.name, label, "select", options=options, required=inp.required,
                                    value=None if inp.default is None else str(inp.default)))
        else:
            fields.append(FieldSpec(inp.name, label, value="" if inp.default is None else str(inp.default),
                                    required=inp.required))
    return fields
