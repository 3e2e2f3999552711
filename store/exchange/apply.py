"""The applier: writes a checked plan through the board's public transaction, and nothing else.

Every document was made and validated by the planner; the applier stages them (`put_requirement`),
records the history (`record_event`), remembers the customers (`upsert_customer`) and leaves the key
counters past every key added (`put_requirement` raises them). What it stages is committed at the end
of the transaction, all at once, or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..memory import paused_gc
from ..models import Event, Tier
from .plan import Add, Change, Plan

if TYPE_CHECKING:
    from ..transaction import Transaction


_STAGED: dict[str, Any] = {}
"""What a planned document becomes once staged: the transaction keeps its own copy, and the plan's
goes at once rather than at the commit (two copies of every document would raise the peak memory)."""


def apply_plan(tx: Transaction, plan: Plan, *, now: datetime, fmt: str, source: str, lossless: bool) -> None:
    """Stage everything `plan` writes in `tx`, stamped with the import's moment `now`."""
    with paused_gc():  # a history event for every record, all kept until the commit
        if lossless:
            _apply_lossless(tx, plan, now)
        else:
            _apply_fields(tx, plan, now, fmt, source)


def _apply_lossless(tx: Transaction, plan: Plan, now: datetime) -> None:
    """New whole requirements with their own history, then the customers the board does not know."""
    for add in plan.outcomes:
        if not isinstance(add, Add):
            continue
        for event in add.history:  # each event keeps its own time and author
            tx.record_event(add.key, event["action"], field=event["field"], old=event["old"], new=event["new"],
                            reason=event["reason"], cr=event["cr"], at=event["at"], by=event["by"],
                            event_id=event.get("id"))
        tx.record_event(add.key, "imported", field="key", old=add.original if add.original != add.key else None,
                        new=add.key, at=now)
        tx.put_requirement(add.document, new=True)
        add.document = _STAGED
    for customer in plan.customers:  # the whole record: tier, contact, segment, notes
        tx.add_customer_record(customer.model_dump(mode="json"))


def _apply_fields(tx: Transaction, plan: Plan, now: datetime, fmt: str, source: str) -> None:
    """Added and changed requirements, a history event for each step and field, the customers seen."""
    reason = f"imported from {source}" if source else f"imported ({fmt})"
    at = Event.stamp(now)  # one text for the import's every event
    adds = [o for o in plan.outcomes if isinstance(o, Add)]
    changes = [o for o in plan.outcomes if isinstance(o, Change)]
    customers: dict[str, tuple[str, Tier | None, Tier | None]] = {}
    for add in adds:
        tx.record_event(add.key, "created", field="title", new=add.title, reason=reason, at=at)
        for old, new in add.moves:
            tx.record_event(add.key, "moved", field="state", old=old, new=new, reason=reason, at=at)
        tx.put_requirement(add.document, new=True)
        add.document = _STAGED
        _customer_seen(customers, add.customer, add.tier)
    for change in changes:
        for name, old, new in change.changes:  # as an edit records them: a change of state is a move
            tx.record_event(change.key, "moved" if name == "state" else "imported", field=name, old=old, new=new,
                            reason=reason, at=at)
        tx.put_requirement(change.document, new=False)
        change.document = _STAGED
        _customer_seen(customers, change.customer, change.tier)
    # Remembered once per customer (the first record's spelling and tier, then the last tier given):
    # the same customers as remembering every record in turn, without a pass per record.
    for name, first, last in customers.values():
        tx.upsert_customer(name, first)
        if last is not None and last != first:
            tx.upsert_customer(name, last)
    tx.record_event("board", "imported", field="source", new=source or fmt,
                    reason=f"{fmt}: {len(adds)} added, {len(changes)} changed", at=at)


def _customer_seen(customers: dict[str, tuple[str, Tier | None, Tier | None]], name: str,
                   tier: Tier | None) -> None:
    if not name:
        return
    folded = name.casefold()
    seen = customers.get(folded)
    if seen is None:
        customers[folded] = (name, tier, tier)
    elif tier is not None:
        customers[folded] = (seen[0], seen[1], tier)
