"""History events in plain words (store.history_words): every kind of event the store records, said as a
person would say it, in the panes' voice and the CLI's; never a Python repr."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reqboard.store.board import Board
from reqboard.store.history_words import Voice, event_said
from reqboard.store.models import Event

CLI = Voice(ascii=True, gap=" ", cells=60, reason_cells=None, state_said=lambda state: state.value)


def said(action: str, field: str | None = None, old: Any = None, new: Any = None, *, reason: str = "",
         cr: str | None = None, key: str = "REQ-4", voice: Voice | None = None) -> str:
    event = Event.model_validate({"at": "2026-03-02T10:00:00Z", "by": "ann", "key": key, "action": action,
                                  "field": field, "old": old, "new": new, "reason": reason, "cr": cr})
    return event_said(event, voice) if voice else event_said(event)


def crit(text: str, done: bool = False) -> dict[str, Any]:
    return {"text": text, "done": done}


CASES = [
    # A requirement's own fields.
    (("created", "title", None, "Export invoices as PDF"), "created  Export invoices as PDF"),
    (("edited", "kano", None, "must_be"), "edited  Kano category: – → must be"),
    (("edited", "kano", "must_be", "performance"), "edited  Kano category: must be → performance"),
    (("edited", "need_type", "latent", None), "edited  need type: latent → –"),
    (("edited", "feasibility", None, "high"), "edited  feasibility: – → high"),
    (("edited", "importance", 2, 5), "edited  importance: 2 → 5"),
    (("edited", "effort_estimate", 16.0, 48.5), "edited  effort estimate: 16 → 48.5"),
    (("edited", "due", None, "2026-09-01"), "edited  due date: – → 2026-09-01"),
    (("edited", "owner", "", "张敏"), "edited  owner: – → 张敏"),
    (("edited", "tier", "A", None), "edited  tier: A → –"),
    (("edited", "channel", "email", "after_sales"), "edited  channel: email → after sales"),
    (("edited", "cause", "", "billing"), "edited  complaint cause: – → billing"),
    (("edited", "changed_since_approval", False, True), "edited  changed since approval: no → yes"),
    (("edited", "tags", ["pdf"], ["pdf", "invoicing", "q3"]), "edited  tags: added invoicing, q3"),
    (("edited", "tags", ["pdf", "old"], ["pdf", "new"]), "edited  tags: added new; removed old"),
    (("edited", "depends_on", ["REQ-2"], []), "edited  depends on: removed REQ-2"),
    (("edited", "conflicts_with", [], ["REQ-17"]), "edited  conflicts with: added REQ-17"),
    (("edited", "description", "Send invoices from the portal.",
      "Send invoices from the portal. Each invoice lists the VAT by rate, as the tax office asks."),
     "edited  description: “…the portal.” → “…the portal. Each invoice lists the…”"),
    (("edited", "description", "财务每月需要把运单数据导出为Excel进行对账。",
      "财务每月需要把运单数据导出为Excel进行对账。\n另附一张按司机汇总的工作表。"),
     "edited  description: “…出为Excel进行对账。” → “…出为Excel进行对账。 另附一张按司机…”"),
    (("edited", "description", "Short.", "Shorter."), "edited  description: Short. → Shorter."),
    # Acceptance criteria, one clause a change.
    (("edited", "acceptance_criteria", [], [crit("Opens in Excel"), crit("Has the date")]),
     "edited  2 acceptance criteria added: Opens in Excel, Has the date"),
    (("edited", "acceptance_criteria", [crit("A"), crit("B")], [crit("A"), crit("B", True)]),
     "edited  criterion 2 ticked"),
    (("edited", "acceptance_criteria", [crit("A", True)], [crit("A")]), "edited  criterion 1 unticked"),
    (("edited", "acceptance_criteria", [crit("A"), crit("B")], [crit("A"), crit("B"), crit("Works offline")]),
     "edited  criterion 3 added: Works offline"),
    (("edited", "acceptance_criteria", [crit("A"), crit("B"), crit("C")], [crit("A"), crit("C")]),
     "edited  criterion 2 removed: B"),
    (("edited", "acceptance_criteria", [crit("A"), crit("Old words")], [crit("A", True), crit("New words")]),
     "edited  criterion 1 ticked; criterion 2 reworded: Old words → New words"),
    # Moves, sign-offs, feedback, contacts, reviews and links.
    (("moved", "state", "collected", "analysed"), "moved  state: collected → analysed"),
    (("approved", None, None, "version 4 as customer for Li Wei", "by phone"),
     "approved  version 4 as customer for Li Wei  (by phone)"),
    (("feedback", "feedback", None, 4, "works"), "feedback  satisfaction 4/5  (works)"),
    (("interim_feedback", "feedback", None, 2), "interim feedback  satisfaction 2/5"),
    (("note", "notes", None, {"at": "2026-03-01T10:00:00Z", "by": "ann", "channel": "email", "with": "Li Wei",
                              "text": "Sent the draft\nand the plan"}),
     "contact with Li Wei noted: Sent the draft"),
    (("suspect", "suspect", "", "CR-4 changed REQ-20", "", "CR-4"), "marked suspect  CR-4 changed REQ-20"),
    (("reviewed", "suspect", "CR-4 changed REQ-20", "", "still right"),
     "reviewed  no longer suspect: CR-4 changed REQ-20  (still right)"),
    (("edited", "suspect", "CR-4 changed REQ-20", ""), "edited  suspect: CR-4 changed REQ-20 → –"),
    (("resolved", "conflicts_with", None, "REQ-32", "Entra ID wins"), "conflict with REQ-32 resolved  (Entra ID wins)"),
    (("edited", "resolutions", ["Entra ID wins"], None, "REQ-32 conflicts_with"),
     "edited  decision on a conflict dropped: Entra ID wins  (as REQ-32 lists the conflict)"),
    (("dependency_overridden", "depends_on", ["REQ-19"], "in_progress", "the stub will do"),
     "moved to in progress before REQ-19 was done  (the stub will do)"),
    (("edited", "rejection_reason", "", "Out of scope", "Out of scope"), "edited  rejection reason: – → Out of scope"),
    (("undone", "tier", "C", None, "undo"), "undone  tier: C → –  (undo)"),
    # Change requests.
    (("cr.submitted", "status", None, "submitted", "Add the VAT", "CR-1"), "change request submitted CR-1  (Add the VAT)"),
    (("cr.assessed", "status", "submitted", "assessed", "", "CR-1"), "change request assessed CR-1"),
    (("cr.rejected", "status", "assessed", "rejected", "not now", "CR-2"), "change request rejected CR-2  (not now)"),
    (("cr.notified", "notified", None, "Max Weber", "", "CR-8"), "told Max Weber of CR-8"),
    (("changed", "due", "2026-12-31", "2027-01-02", "CR-4 approved"),
     "changed by a change request  due date: 2026-12-31 → 2027-01-02  (CR-4 approved)"),
    # Sync and import.
    (("imported", "key", "REQ-3", "REQ-7"), "imported  as REQ-7, was REQ-3"),
    (("imported", "owner", "", "Max", "imported from plan.csv"), "imported  owner: – → Max  (imported from plan.csv)"),
    (("synced", None, None, None, "synced a.json with b.json"), "synced  (synced a.json with b.json)"),
    (("renumbered", "key", "REQ-3", "REQ-9"), "renumbered  key: REQ-3 → REQ-9"),
]

BOARD_CASES = [
    (("settings", "wip_limits.done", None, 3), "settings changed  WIP limit of Done: no limit → 3"),
    (("settings", "signoff_roles", [], ["customer", "product"]), "settings changed  sign-off roles: added customer, product"),
    (("settings", "score_weights", ["importance=1", "value=1"], ["importance=1", "value=1.5"]),
     "settings changed  score weights: business value: 1 → 1.5"),
    (("settings", "response_targets", None, {"state": "analysed", "days": 2.0, "channel": "complaint", "tier": "A"}),
     "settings changed  response target added: analysed within 2 days for complaint, tier A"),
    (("settings", "response_targets", {"state": "done", "days": 1, "channel": None, "tier": None}, None),
     "settings changed  response target removed: done within 1 day"),
    (("settings", "survey_dimensions", ["quality", "speed"], ["quality"]), "settings changed  survey dimensions: removed speed"),
    (("customer.added", "customer", None, "Northwind"), "customer added  Northwind"),
    (("customer.edited", "customer.segment", "insurance", "banks", "Atlas"), "customer Atlas changed  customer segment: insurance → banks"),
    (("customer.renamed", "customer", "Bluebird Stores", "Bluebird Retail"), "customer renamed  Bluebird Stores → Bluebird Retail"),
    (("imported", "source", None, "plan.csv", "csv: 3 added, 1 changed"), "imported  from plan.csv  (csv: 3 added, 1 changed)"),
    (("restored", "generation", None, 12), "restored  to generation 12"),
    (("repaired", "journal", None, None, "2 damaged lines set aside"), "repaired  (2 damaged lines set aside)"),
    # A newer reqboard's event: readable, never a repr.
    (("archived", "retention", None, {"days": 30, "keep_notes": True}), "archived  retention: – → days: 30, keep notes: yes"),
]


@pytest.mark.parametrize(("given", "expected"), CASES + BOARD_CASES, ids=lambda v: v[0] if isinstance(v, tuple) else "")
def test_every_event_kind_in_plain_words(given: tuple[Any, ...], expected: str) -> None:
    action, field, old, new, *rest = given
    reason = rest[0] if rest else ""
    cr = rest[1] if len(rest) > 1 else None
    key = "board" if (given, expected) in BOARD_CASES else "REQ-4"
    assert said(action, field, old, new, reason=reason, cr=cr, key=key) == expected
    assert not any(mark in expected for mark in ("{'", "['", "None", "True", "_"))  # the test's own guard


def test_the_cli_voice_is_ascii_names_states_as_typed_and_keeps_the_reason_whole() -> None:
    reason = "the customer asked for it again " * 4
    assert said("moved", "state", "approved", "in_progress", reason=reason, voice=CLI) == (
        f"moved state: approved -> in_progress  ({reason})")
    assert said("edited", "kano", None, "must_be", voice=CLI) == "edited Kano category: - -> must be"
    assert said("edited", "acceptance_criteria", [crit("A"), crit("Old")], [crit("A"), crit("New")], voice=CLI) == (
        "edited criterion 2 reworded: Old -> New")


def test_the_store_records_criteria_and_targets_as_said(tmp_path: Path) -> None:
    """The events a real board writes, said: not only the shapes this test imagines."""
    board = Board(tmp_path / "board.json", "ann")
    key = board.add_requirement("Export", acceptance_criteria=[crit("Opens in Excel"), crit("Has the date")]).key
    board.edit_requirement(key, {"acceptance_criteria": [{"text": "Opens in Excel", "done": True},
                                                         {"text": "Has the date", "done": False},
                                                         {"text": "Works offline", "done": False}]})
    board.set_response_target("analysed", 2, channel="complaint", tier="A")
    lines = [event_said(e) for e in board.history(key)]
    assert lines[-1] == "edited  criterion 1 ticked; criterion 3 added: Works offline"
    assert event_said(board.history()[-1]) == (
        "settings changed  response target added: analysed within 2 days for complaint, tier A")


def test_chinese_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from reqboard.store import i18n

    i18n.set_language("zh_CN")
    try:
        assert said("edited", "acceptance_criteria", [crit("A"), crit("B")], [crit("A", True), crit("B"), crit("C")]) == (
            "已编辑  验收标准 1 已勾选；新增验收标准 3：C")
        assert said("feedback", "feedback", None, 4) == "反馈  满意度 4/5"
    finally:
        i18n.set_language("en")
