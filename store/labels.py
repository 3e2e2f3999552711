"""What a field and a history event are called where a person reads them, in the current language.

The stored names (`business_value`, `cr.approved`) stay what they are in files, JSON and the journal;
the CLI's history, the detail pane's history and the reports show these labels instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .i18n import N_, _, listed, pgettext

if TYPE_CHECKING:
    from .domain import State

FIELD_LABELS = {
    "key": N_("key"),
    "uid": N_("uid"),
    "title": N_("title"),
    "description": N_("description"),
    "state": N_("state"),
    "customer": N_("customer"),
    "tier": N_("tier"),
    "channel": N_("channel"),
    "need_type": N_("need type"),
    "kano": N_("Kano category"),
    "category": N_("category"),
    "section": N_("section"),
    "importance": N_("importance"),
    "urgency": N_("urgency"),
    "priority": N_("priority"),
    "business_value": N_("business value"),
    "effort_estimate": N_("effort estimate"),
    "feasibility": N_("feasibility"),
    "tags": N_("tags"),
    "owner": N_("owner"),
    "due": N_("due date"),
    "acceptance_criteria": N_("acceptance criteria"),
    "depends_on": N_("depends on"),
    "conflicts_with": N_("conflicts with"),
    "approvals": N_("approvals"),
    "feedback": N_("feedback"),
    "change_requests": N_("change requests"),
    "rejection_reason": N_("rejection reason"),
    "changed_since_approval": N_("changed since approval"),
    "suspect": N_("suspect"),
    "reviews": N_("reviews"),
    "notes": N_("notes"),
    "cause": N_("complaint cause"),
    "customer.tier": N_("customer tier"),
    "customer.contact": N_("customer contact"),
    "customer.segment": N_("customer segment"),
    "customer.notes": N_("customer notes"),
    "survey_dimensions": N_("survey dimensions"),
    "low_score_reasons": N_("reasons for a low score"),
    "complaint_causes": N_("complaint causes"),
    "response_targets": N_("response targets"),
    "resolutions": N_("conflict resolutions"),
    "signoff_roles": N_("sign-off roles"),
    "score_weights": N_("score weights"),
    "notified": N_("told"),
    "proposed_due": N_("proposed due date"),
    "proposed_owner": N_("proposed owner"),
    "proposed_importance": N_("proposed importance"),
    "proposed_urgency": N_("proposed urgency"),
    "version": N_("version"),
    "status": N_("status"),
    "summary": N_("summary"),
    "reason": N_("reason"),
    "source": N_("source"),
    "generation": N_("generation"),
    "journal": N_("journal"),
    "assessment": N_("assessment"),
    "decision": N_("decision"),
}
"""Field names as a person reads them (English), marked for the catalogue."""

ACTION_LABELS = {
    "created": N_("created"),
    "edited": N_("edited"),
    "changed": N_("changed by a change request"),
    "moved": N_("moved"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "feedback": N_("feedback"),
    "interim_feedback": N_("interim feedback"),
    "note": N_("contact noted"),
    "customer.added": N_("customer added"),
    "customer.edited": N_("customer changed"),
    "customer.renamed": N_("customer renamed"),
    "reviewed": N_("reviewed"),
    "suspect": N_("marked suspect"),
    "resolved": N_("conflict resolved"),
    "dependency_overridden": N_("moved before what it depends on is done"),
    "settings": N_("settings changed"),
    "imported": N_("imported"),
    "restored": N_("restored"),
    "repaired": N_("repaired"),
    "undone": N_("undone"),
    "archived": N_("archived"),
    "renumbered": N_("renumbered"),
    "synced": N_("synced"),
    "cr.submitted": N_("change request submitted"),
    "cr.assessed": N_("change request assessed"),
    "cr.approved": N_("change request approved"),
    "cr.rejected": N_("change request rejected"),
    "cr.implemented": N_("change request implemented"),
    "cr.closed": N_("change request closed"),
    "cr.notified": N_("told of a change request"),
}
"""History actions as a person reads them (English), marked for the catalogue."""


def field_label(name: str) -> str:
    """A field's name as a person reads it, in the current language; `wip_limits.done` reads as the
    WIP limit of that state; an unknown name is shown as stored (a newer reqboard's field)."""
    if name.startswith("wip_limits."):
        from .domain import State

        try:
            state = State(name.removeprefix("wip_limits."))
        except ValueError:
            return name
        return _("WIP limit of {state}").format(state=state.label)
    label = FIELD_LABELS.get(name)
    return _(label) if label is not None else name.replace("_", " ")


def action_label(action: str) -> str:
    """A history action as a person reads it, in the current language (unknown ones as stored)."""
    label = ACTION_LABELS.get(action)
    return _(label) if label is not None else action.replace(".", " ").replace("_", " ")


def item_text(item: Any) -> str:
    """An item of a stored list as a person reads it: an acceptance criterion as `[x] text` (never its
    stored keys), anything else as text."""
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return f"[{'x' if item.get('done') else ' '}] {item['text']}"
    return str(item)


_VERSION_NOTE = re.compile(r"version (\d+)")
_SIGNED_NOTE = re.compile(r"version (\d+)(?: as (.+?))?(?: for (.+))?", re.DOTALL)
_CHANGED_BY_NOTE = re.compile(r"([A-Z][A-Z0-9]*-\d+) changed ([A-Z][A-Z0-9]*-\d+)")
_APPROVED_NOTE = re.compile(r"([A-Z][A-Z0-9]*-\d+) approved")
_MIRRORED_NOTE = re.compile(r"(REQ-\d+) conflicts_with")  # review.mirror_conflicts: the other side's edit
_UNDONE_ON_NOTE = re.compile(r"(REQ-\d+) undone")  # review.unresolve_partners: an undo on the other side
# The reasons the store writes into history events (sync/run.py, exchange/apply.py, board.py), as written.
_SYNCED_NOTE = re.compile(r"synced (.+) with (.+)", re.DOTALL)
_RENUMBERED_NOTE = re.compile(r"(\S+) was created on both (.+) and (.+) for different requirements; the key stays "
                              r"with the one created first", re.DOTALL)
_IMPORTED_FROM_NOTE = re.compile(r"imported from (.+)", re.DOTALL)
_IMPORTED_NOTE = re.compile(r"imported \((\w+)\)")
_UNDO_NOTE = "undo"
UNDONE_CREATION_NOTE = N_("undo: created by mistake")
"""The rejection reason an undone creation stores (in English, as every note the board keeps)."""
DEFAULT_RATIONALE = "approved"
"""What an approved change request's decision stores when no rationale is given."""


def stored_note(text: str) -> str:
    """A note the store writes into a record or its history in English ("version 3", "CR-2 changed
    REQ-4", "CR-2 approved", "synced A with B", "imported from F", "undo": data, kept as written), in
    the current language; any other text (what a person typed) as it is."""
    if match := _VERSION_NOTE.fullmatch(text):
        return _("version {number}").format(number=match[1])
    if match := _SIGNED_NOTE.fullmatch(text):  # an approval's: "version 4 as customer for Li Wei"
        number, role, name = match[1], match[2], match[3]
        if role and name:
            return _("version {number} as {role} for {name}").format(number=number, role=role, name=name)
        if role:
            return _("version {number} as {role}").format(number=number, role=role)
        return _("version {number} for {name}").format(number=number, name=name)
    if match := _CHANGED_BY_NOTE.fullmatch(text):
        return _("{cr} changed {key}").format(cr=match[1], key=match[2])
    if match := _APPROVED_NOTE.fullmatch(text):
        return _("{cr} approved").format(cr=match[1])
    if match := _MIRRORED_NOTE.fullmatch(text):
        return _("as {key} lists the conflict").format(key=match[1])
    if match := _UNDONE_ON_NOTE.fullmatch(text):
        return _("undone on {key}").format(key=match[1])
    if match := _RENUMBERED_NOTE.fullmatch(text):
        return _("{key} was created on both {board} and {other} for different requirements; the key stays with "
                 "the one created first").format(key=match[1], board=match[2], other=match[3])
    if match := _SYNCED_NOTE.fullmatch(text):
        return _("synced {board} with {other}").format(board=match[1], other=match[2])
    if match := _IMPORTED_FROM_NOTE.fullmatch(text):
        return _("imported from {source}").format(source=match[1])
    if match := _IMPORTED_NOTE.fullmatch(text):
        return _("imported ({format})").format(format=match[1])
    if text == _UNDO_NOTE:
        return pgettext("a history event's reason", "undo")
    if text == UNDONE_CREATION_NOTE:
        return _(UNDONE_CREATION_NOTE)
    if text == DEFAULT_RATIONALE:
        return pgettext("a change request's rationale", "approved")
    return text


def review_event_said(action: str, field: str | None, old: Any, new: Any, cr: str | None, *,
                      state_said: Callable[[State], str] | None = None) -> str | None:
    """A history event of the review rules as a sentence, in the current language (a conflict resolved,
    a move made before what it depends on was done, someone told of a change request); None for any
    other event. The CLI's history and the board's say them alike, each naming a state its own way
    (`state_said`; by default its label)."""
    from .domain import State

    if action == "resolved" and field == "conflicts_with" and isinstance(new, str):
        return _("conflict with {other} resolved").format(other=new)
    if action == "dependency_overridden" and isinstance(old, list):
        said = state_said or (lambda state: state.label.lower())
        target = said(State(new)) if isinstance(new, str) and new in State._value2member_map_ else str(new)
        return _("moved to {state} before {keys} was done").format(state=target, keys=listed(map(str, old)))
    if action == "note" and isinstance(new, dict) and isinstance(new.get("text"), str):
        first = new["text"].splitlines()[0] if new["text"].strip() else ""
        who = new.get("with")
        if isinstance(who, str) and who:
            return _("contact with {name} noted: {text}").format(name=who, text=first[:120])
        return _("contact noted: {text}").format(text=first[:120])
    if action == "cr.notified" and isinstance(new, str):
        return _("told {name} of {cr}").format(name=new, cr=cr or "-")
    return None
