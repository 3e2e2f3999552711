"""History events in plain words, in the current language: "criterion 2 ticked", "Kano category: – → must be",
"response target added: analysed within 2 days for complaint, tier A".

The detail pane's history, a change request's timeline and the CLI's `history` say events with these words
(each in its own `Voice`); reports may too. The stored event (its field names and JSON values, and the
CLI's `history --json`) stays as it is: this only reads it. A field or value no rule here knows (a newer
reqboard's) is still said as readable text, never as a Python repr.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from . import clock
from .domain import Channel, CRStatus, Feasibility, Kano, NeedType, Risk, State, Tier
from .i18n import _, listed, ngettext, pgettext
from .labels import action_label, field_label, review_event_said, stored_note
from .scoring import FACTOR_LABELS
from .surveys import code_label
from .text import cell_width, fit

if TYPE_CHECKING:
    from .models import Event

CHOICE_FIELDS: dict[str, type[StrEnum]] = {
    "state": State, "status": CRStatus, "tier": Tier, "customer.tier": Tier, "channel": Channel,
    "need_type": NeedType, "kano": Kano, "feasibility": Feasibility, "risk": Risk,
}
"""Fields whose stored value is an enum's: said by the value's label."""
CODE_FIELDS = frozenset({"cause", "survey_dimensions", "low_score_reasons", "complaint_causes"})
"""Fields holding codes of the board's lists: said by their label (a default code translated)."""
SET_FIELDS = frozenset({"tags", "depends_on", "conflicts_with", "signoff_roles", "previous_keys",
                        "survey_dimensions", "low_score_reasons", "complaint_causes"})
"""List fields whose change is said as what was added and removed."""
TEXT_FIELDS = frozenset({"title", "description", "rejection_reason", "customer.notes", "customer.contact"})
"""Free text, often long: a change is said around where the two texts differ."""
NOTE_FIELDS = frozenset({"suspect"})
"""Fields the store writes its own English notes into ("CR-2 changed REQ-4"): said in the language."""
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)")
_IMPORT_COUNTS = re.compile(r"(\w+): (\d+) added, (\d+) changed")  # exchange/apply.py's board event


@dataclass(frozen=True)
class Voice:
    """How a history line is said where it is shown: the panes' arrow and dash, or the CLI's plain ASCII
    with its own spelling of a state (`in_progress`, the name one types)."""

    ascii: bool = False
    """`->`, `-` and (reason) instead of `→`, `–` and the language's brackets."""
    gap: str = "  "
    """Between what happened and what it changed."""
    cells: int = 70
    """The most display cells one value takes; longer values are cut with "…"."""
    reason_cells: int | None = 70
    """The most display cells of the reason (None: whole)."""
    state_said: Callable[[State], str] | None = None
    """A state as this voice names it (by default its label, in lower case)."""

    @property
    def arrow(self) -> str:
        return "->" if self.ascii else "→"

    @property
    def empty(self) -> str:
        return "-" if self.ascii else "–"

    def short(self, text: str, cells: int | None = None) -> str:
        """`text` on one line, cut to this voice's cells (or `cells`)."""
        return fit(" ".join(text.split("\n")), cells or self.cells)


PANE = Voice()
"""The detail pane's and a change request's timeline."""


def _clauses(parts: Iterable[str]) -> str:
    return pgettext("between the changes of one history event", "; ").join(parts)


def _choice(field: str, value: str, voice: Voice) -> str:
    enum = CHOICE_FIELDS.get(field)
    if enum is None:
        return value
    try:
        member = enum(value)
    except ValueError:  # a newer reqboard's value: as stored
        return value
    if isinstance(member, State):
        return voice.state_said(member) if voice.state_said else member.label.lower()
    label: str = member.label  # type: ignore[attr-defined]  # every enum of CHOICE_FIELDS has a label
    return label


def target_said(target: dict[str, Any], voice: Voice = PANE) -> str:
    """A response target as stored in a settings event: "analysed within 2 days for complaint, tier A"."""
    state = _choice("state", str(target.get("state", "")), voice)
    days = target.get("days")
    number = days if isinstance(days, int | float) else 0
    said = ngettext("{state} within {days} day", "{state} within {days} days",
                    int(number) if float(number).is_integer() else 2).format(state=state, days=f"{number:g}")
    channel = target.get("channel")
    tier = target.get("tier")
    channel_said = _choice("channel", channel, voice) if isinstance(channel, str) else None
    if channel_said and tier:
        return _("{target} for {channel}, tier {tier}").format(target=said, channel=channel_said, tier=tier)
    if channel_said:
        return _("{target} for {channel}").format(target=said, channel=channel_said)
    if tier:
        return _("{target} for tier {tier}").format(target=said, tier=tier)
    return said


def criterion_said(item: Any) -> str:
    """An acceptance criterion as the pane lists it: `[x] text` (never its stored keys)."""
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return f"[{'x' if item.get('done') else ' '}] {item['text']}"
    return value_said(None, item)


def value_said(field: str | None, value: Any, voice: Voice = PANE) -> str:
    """One stored value of `field` in plain words: a choice by its label, a code by its name, a date as a
    date, a time in local time, a list as a list, a record by its parts; nothing as a dash."""
    name = field or ""
    if name.startswith("wip_limits.") and value is None:
        return _("no limit")
    if value is None or value == "" or value == [] or value == {}:
        return voice.empty
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if name in CHOICE_FIELDS:
            return _choice(name, value, voice)
        if name in CODE_FIELDS:
            return code_label(value)
        if name in NOTE_FIELDS:
            return stored_note(value)
        if _DATETIME.fullmatch(value):
            try:
                return clock.shown(datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        if name == "acceptance_criteria":
            return listed(criterion_said(item) for item in value)
        if name == "score_weights":
            return listed(_weight_said(item) for item in value)
        return listed(value_said(name if name in CODE_FIELDS else None, item, voice) for item in value)
    if isinstance(value, dict):
        if name == "response_targets" or {"state", "days"} <= value.keys():
            return target_said(value, voice)
        if isinstance(value.get("text"), str):  # a note, a criterion
            text = value["text"]
            return criterion_said(value) if "done" in value else (text.splitlines()[0] if text.strip() else text)
        return listed(_("{name}: {value}").format(name=field_label(str(key)), value=value_said(str(key), item, voice))
                      for key, item in value.items())
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _weight_said(item: Any) -> str:
    """A score weight as stored (`value=1.5`): "business value 1.5"."""
    if isinstance(item, str) and "=" in item:
        name, _sep, number = item.partition("=")
        label = FACTOR_LABELS.get(name)
        return _("{factor} {value}").format(factor=_(label) if label else name, value=number)
    return str(item)


def criteria_said(old: Any, new: Any, voice: Voice = PANE) -> str:
    """What changed in the acceptance criteria, one clause each: "criterion 2 ticked", "criterion 3 added:
    Works offline", "criterion 1 removed: …", "criterion 2 reworded: … → …"; numbered as they stand
    now (a removed one as it stood before)."""
    before = [c for c in old if isinstance(c, dict)] if isinstance(old, list) else []
    after = [c for c in new if isinstance(c, dict)] if isinstance(new, list) else []
    texts_before = [str(c.get("text", "")) for c in before]
    texts_after = [str(c.get("text", "")) for c in after]
    cells = max(20, voice.cells // 2)
    if not before and after:
        return ngettext("{n} acceptance criterion added: {items}", "{n} acceptance criteria added: {items}",
                        len(after)).format(n=len(after), items=listed(voice.short(t, cells) for t in texts_after))
    parts: list[str] = []

    def ticks(i: int, j: int) -> None:
        if bool(before[i].get("done")) != bool(after[j].get("done")):
            parts.append((_("criterion {n} ticked") if after[j].get("done") else _("criterion {n} unticked"))
                         .format(n=j + 1))

    matcher = difflib.SequenceMatcher(a=texts_before, b=texts_after, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            for n in range(a1 - a0):
                ticks(a0 + n, b0 + n)
            continue
        paired = min(a1 - a0, b1 - b0)
        for n in range(paired):
            parts.append(_("criterion {n} reworded: {old} {arrow} {new}").format(
                n=b0 + n + 1, old=voice.short(texts_before[a0 + n], cells), arrow=voice.arrow,
                new=voice.short(texts_after[b0 + n], cells)))
            ticks(a0 + n, b0 + n)
        for n in range(a0 + paired, a1):
            parts.append(_("criterion {n} removed: {text}").format(n=n + 1, text=voice.short(texts_before[n], cells)))
        for n in range(b0 + paired, b1):
            parts.append(_("criterion {n} added: {text}").format(n=n + 1, text=voice.short(texts_after[n], cells)))
    return _clauses(parts) if parts else _("acceptance criteria unchanged")


def _set_change(field: str, old: list[Any], new: list[Any], voice: Voice) -> str | None:
    """A list field's change as what was added and what removed; None when only the order changed."""
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]

    def items(values: list[Any]) -> str:
        return voice.short(value_said(field, values, voice))

    label = field_label(field)
    if added and removed:
        return _("{field}: added {added}; removed {removed}").format(field=label, added=items(added),
                                                                     removed=items(removed))
    if added:
        return _("{field}: added {items}").format(field=label, items=items(added))
    if removed:
        return _("{field}: removed {items}").format(field=label, items=items(removed))
    return None


def _text_change(field: str, old: str, new: str, voice: Voice) -> str:
    """A text field's change: whole when both are short, else around where they differ ("description:
    “…the portal.” → “…the portal. Each invoice lists VAT…”")."""
    before, after = " ".join(old.split("\n")), " ".join(new.split("\n"))
    label = field_label(field)
    if not before or not after or cell_width(before) + cell_width(after) <= voice.cells:
        return _("{field}: {old} {arrow} {new}").format(field=label, old=voice.short(before or voice.empty),
                                                       arrow=voice.arrow, new=voice.short(after or voice.empty))
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    # A few words before the change (a few characters where words are not spaced, as in Chinese).
    space = before.rfind(" ", max(0, start - 30), max(0, start - 10))
    start = space + 1 if space >= 0 else max(0, start - 12)
    cells = max(20, voice.cells // 2)

    def part(text: str) -> str:
        middle = text[start:len(text) - end]
        said = ("…" if start else "") + fit(middle, cells) + ("…" if end and cell_width(middle) <= cells else "")
        return f"“{said}”"

    return _("{field}: {old} {arrow} {new}").format(field=label, old=part(before), arrow=voice.arrow,
                                                   new=part(after))


def change_said(field: str, old: Any, new: Any, voice: Voice = PANE) -> str:
    """One field's change in plain words: "Kano category: – → must be", "criterion 2 ticked", "tags: added
    urgent", "response target added: …"."""
    if field == "acceptance_criteria" and isinstance(old, list | None) and isinstance(new, list | None):
        return criteria_said(old, new, voice)
    if field in SET_FIELDS and isinstance(old, list | None) and isinstance(new, list | None):
        said = _set_change(field, old or [], new or [], voice)
        if said is not None:
            return said
    if field == "response_targets" and (isinstance(old, dict) or isinstance(new, dict)):
        if old is None and isinstance(new, dict):
            return _("response target added: {target}").format(target=target_said(new, voice))
        if new is None and isinstance(old, dict):
            return _("response target removed: {target}").format(target=target_said(old, voice))
        if isinstance(old, dict) and isinstance(new, dict):
            return _("response target changed: {old} {arrow} {new}").format(
                old=target_said(old, voice), arrow=voice.arrow, new=target_said(new, voice))
    if field == "score_weights" and isinstance(old, list) and isinstance(new, list):
        before = dict(str(w).partition("=")[::2] for w in old)
        after = dict(str(w).partition("=")[::2] for w in new)
        changed = [_("{factor}: {old} {arrow} {new}").format(
            factor=_(FACTOR_LABELS[name]) if name in FACTOR_LABELS else name, old=before.get(name) or voice.empty,
            arrow=voice.arrow, new=after.get(name) or voice.empty)
            for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name)]
        if changed:
            return _("score weights: {changes}").format(changes=_clauses(changed))
    if field in TEXT_FIELDS and isinstance(old, str | None) and isinstance(new, str | None):
        return _text_change(field, old or "", new or "", voice)
    return _("{field}: {old} {arrow} {new}").format(field=field_label(field), old=voice.short(value_said(field, old, voice)),
                                                   arrow=voice.arrow, new=voice.short(value_said(field, new, voice)))


def reason_said(reason: str) -> str:
    """An event's reason: the store's own notes ("CR-2 approved", "csv: 3 added, 1 changed") in the
    language, what a person typed as typed."""
    if match := _IMPORT_COUNTS.fullmatch(reason):
        return _("{format}: {added} added, {changed} changed").format(format=match[1], added=match[2],
                                                                    changed=match[3])
    return stored_note(reason)


def _detail(event: Event, voice: Voice) -> str:
    """What the event changed, after what happened ("" when the action says it all)."""
    action, field, old, new = event.action, event.field, event.old, event.new
    if action == "created":
        return voice.short(value_said(None, new, voice))
    if action == "approved":  # the version signed, in a role, for someone: the store's note
        return voice.short(stored_note(new)) if isinstance(new, str) else ""
    if action in ("feedback", "interim_feedback") and isinstance(new, int):
        return _("satisfaction {score}/5").format(score=new)
    if action.startswith("cr.") and field == "status":
        return ""  # "change request approved CR-2" says the status
    if action == "suspect" and field == "suspect":
        return voice.short(stored_note(new)) if isinstance(new, str) else ""
    if action == "reviewed" and field == "suspect":
        return (_("no longer suspect: {why}").format(why=voice.short(stored_note(old))) if isinstance(old, str) and old
                else _("no longer suspect"))
    if field == "resolutions":
        decisions = old if isinstance(old, list) else [old] if old else []
        return _("decision on a conflict dropped: {decisions}").format(
            decisions=voice.short(listed(value_said(None, d, voice) for d in decisions)))
    if action == "customer.added":
        return voice.short(value_said(None, new, voice))
    if action == "customer.renamed":
        return _("{old} {arrow} {new}").format(old=voice.short(value_said(None, old, voice)), arrow=voice.arrow,
                                              new=voice.short(value_said(None, new, voice)))
    if action == "restored" and field == "generation":
        return _("to generation {number}").format(number=value_said(None, new, voice))
    if action == "imported" and field == "source" and event.key == "board":
        return _("from {source}").format(source=voice.short(value_said(None, new, voice)))
    if action == "imported" and field == "key":
        return (_("as {key}, was {original}").format(key=new, original=old) if old
                else _("as {key}").format(key=new))
    if field and (old is not None or new is not None):
        return change_said(field, old, new, voice)
    return voice.short(value_said(None, new, voice)) if new not in (None, "") else ""


def event_said(event: Event, voice: Voice = PANE) -> str:
    """One history event as a person would say it (without when and by whom): what happened, what it
    changed, and why. Never a repr: an unknown field or value is said as readable text."""
    # A conflict resolved, a move ahead of a dependency, someone told: a sentence of its own.
    said = review_event_said(event.action, event.field, event.old, event.new, event.cr, state_said=voice.state_said)
    reason = event.reason
    if said is None:
        detail = _detail(event, voice)
        head = action_label(event.action)
        if event.action == "customer.edited" and event.key == "board" and event.reason:
            head, reason = _("customer {name} changed").format(name=event.reason), ""  # the reason names it
        if event.cr and event.cr not in detail:
            head = f"{head} {event.cr}"
        said = head + voice.gap + detail if detail else head
    if reason and reason != event.new:  # a rejection's reason is its new value too: said once
        reason = reason_said(reason)
        reason = fit(" ".join(reason.split("\n")), voice.reason_cells) if voice.reason_cells else reason
        said += "  " + (f"({reason})" if voice.ascii else _("({reason})").format(reason=reason))
    return said
