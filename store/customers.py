"""The customer side: customer records, the communication log, the survey lists and response targets.

The practice this board serves keeps the customer in the loop: every call and mail is noted against the
requirement it is about (`add_note`), each customer has a record a key-account manager reads
(`customer_summary`), satisfaction is surveyed by the board's dimensions with reasons for a low score
(store.surveys), and each channel and tier can have a response target (store.targets).

Customers are matched by name in any case: `Requirement.customer` names one. A rename changes every
requirement of the customer in the same transaction; a change of tier gives every requirement of the
customer that tier (the tier is the customer's, the requirement carries a copy for its card and reports).
Customer records are the board's own: a sync brings over customers the other board does not know, and
leaves each board's record of a known customer as it is (as it does for settings).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from .board_core import BoardCore
from .domain import Channel, State, Tier, strip_control
from .errors import InvalidValue, NotFound, Refused, validation_message
from .i18n import _
from .labels import field_label
from .metrics import days_between, mean, median
from .models import ChangeRequest, Customer, Feedback, Note, Requirement, from_outside
from .revisions import record_diff
from .surveys import CODE_LISTS, CodeList, clean_codes, stored_codes
from .targets import RESPONSE_TARGETS, Target, check_days, stored_targets, with_target
from .transaction import Transaction

DELIVERED = (State.DONE, State.FED_BACK)
OPEN = (State.COLLECTED, State.ANALYSED, State.APPROVED, State.IN_PROGRESS)


def same_customer(a: str, b: str) -> bool:
    """Do two names name the same customer (any case, surrounding spaces aside)?"""
    return a.strip().casefold() == b.strip().casefold()


def look_of(name: str) -> str:
    """A name as it looks on a screen: full-width letters and digits as ASCII ones (NFKC), any case,
    runs of spaces as one, without the invisible format characters (bidi controls, zero-width spaces).
    Two customers whose names look alike are one customer typed twice, or someone passing as another:
    a new name may not look like another customer's."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join("".join(c for c in folded if unicodedata.category(c) != "Cf").split())


def _customer(name: str, tier: Tier | str | None = None, **fields: Any) -> Customer:
    if name.strip() and not look_of(name):
        message = _("a customer's name needs a letter or a digit that shows, not only invisible characters")
        raise InvalidValue(message, {"customer": message})
    try:
        return Customer.model_validate({"name": name, "tier": Tier.B if tier is None else tier, **fields})
    except ValidationError as exc:
        raise validation_message(exc, field_label("customer")) from None


def _not_found(name: str) -> NotFound:
    return NotFound(_("no customer named {name!r} on this board (see reqboard customer list)").format(
        name=name.strip()[:120]))


def _stored(tx: Transaction, name: str) -> Customer:
    """The customer of this name as staged: its record, else (a board written by hand or by an older
    reqboard) as its requirements name it, as `known_customers` lists it. NotFound when neither."""
    record = tx.customer_record(name.strip()) if name.strip() else None
    if record is None:
        named = _of_customer(tx, name) if name.strip() else []
        if not named:
            raise _not_found(name)
        return _customer(named[0].customer, named[0].tier)
    try:
        return Customer.model_validate(record)
    except ValidationError as exc:
        raise validation_message(exc, field_label("customer")) from None


def _look_alike(tx: Transaction, name: str, *, renaming: str = "") -> str | None:
    """The name of another customer that `name` would be taken for, as a new customer's name or as the
    new name of the customer `renaming`: its name in any case (a rename only: a new customer of a name
    only requirements give is that customer), or a name that looks like it (see `look_of`) unless the
    renamed one looks so too (ACME renamed Acme makes nothing look alike that did not before). Of the
    records' names and those only requirements give; None when there is none."""
    wanted, folded, current = look_of(name), name.strip().casefold(), renaming.strip().casefold()
    own_look = bool(current) and look_of(renaming) == wanted
    snapshot = tx.snapshot()
    names = {str(raw["name"]) for raw in snapshot.customers.values()
             if isinstance(raw, Mapping) and isinstance(raw.get("name"), str)}
    names |= {raw["customer"] for raw in snapshot.requirements.values() if isinstance(raw.get("customer"), str)}
    taken = []
    for other in names:
        key = other.strip().casefold()
        if not key or key == current:
            continue
        if (bool(current) and key == folded) or (key != folded and not own_look and look_of(other) == wanted):
            taken.append(other)
    return min(taken, default=None)


def known_spelling(tx: Transaction, name: str) -> str:
    """The name a requirement should give for customer `name`: as typed, unless the board knows no
    customer of that name in any case and another one's name looks like it (ＡＣＭＥ typed with a Chinese
    input method for ACME): then that customer's, so that no second customer is made of a look-alike."""
    if not name.strip() or tx.customer_record(name.strip()) is not None:
        return name
    return _look_alike(tx, name) or name


def _of_customer(tx: Transaction, name: str) -> list[Requirement]:
    """The requirements of this customer as staged, in key order."""
    folded = name.strip().casefold()
    found = [tx.requirement(str(raw["key"])) for raw in tx.snapshot().requirements.values()
             if isinstance(raw.get("customer"), str) and raw["customer"].strip().casefold() == folded]
    return sorted(found, key=lambda r: r.number)


class CustomerOperations(BoardCore):
    """Customers, the communication log, the survey lists and response targets: a part of `Board`."""

    # ================================================================ customers
    def customer(self, name: str) -> Customer:
        """The customer of this name (any case); raises NotFound."""
        wanted = name.strip().casefold()
        customers = self.customers()
        for customer in customers:
            if customer.name.casefold() == wanted:
                return customer
        if wanted:  # a name only requirements give (a board written by hand or by an older reqboard)
            known = known_customers(customers, self.requirements())
            for customer in known:
                if customer.name.casefold() == wanted:
                    return customer
            # As typed otherwise (full width, a tab for a space, an invisible character): the one it looks like.
            alike = [c for c in known if look_of(c.name) == look_of(name)]
            if len(alike) == 1:
                return alike[0]
        raise _not_found(name)

    def add_customer(self, name: str, tier: Tier | str = Tier.B, *, contact: str = "", segment: str = "",
                     notes: str = "") -> Customer:
        """Add a customer. Raises Refused("customer.exists") when one of the name (any case) is known,
        InvalidValue for a bad field."""
        customer = _customer(name, tier, contact=contact, segment=segment, notes=notes)
        with self.transaction() as tx:
            known = tx.customer_record(customer.name)
            alike = (str(known.get("name", customer.name)) if known is not None
                     else _look_alike(tx, customer.name))
            if alike is not None:
                raise Refused(_("the board knows a customer named {name!r} already: change it with reqboard customer "
                                "edit").format(name=alike), "customer.exists")
            tx.put_customer(customer)
            tx.record_event("board", "customer.added", field="customer", new=customer.name)
        return customer

    def edit_customer(self, name: str, *, tier: Tier | str | None = None, contact: str | None = None,
                      segment: str | None = None, notes: str | None = None) -> tuple[Customer, int]:
        """Change a customer's record; a new tier goes to every requirement of the customer. Returns the
        record and how many requirements changed. Raises NotFound, InvalidValue."""
        with self.transaction() as tx:
            current = _stored(tx, name)
            wanted = {k: v for k, v in (("tier", tier), ("contact", contact), ("segment", segment),
                                        ("notes", notes)) if v is not None}
            updated = _customer(current.name, **{**current.model_dump(exclude={"name"}), **wanted})
            # A tier given goes to each requirement, even one whose record has it already: a requirement
            # edited on its own may carry another.
            behind = [r for r in _of_customer(tx, current.name) if r.tier is not updated.tier] if tier is not None else []
            recorded = tx.customer_record(current.name) is not None
            if updated == current and not behind and recorded:
                return current, 0
            tx.put_customer(updated)
            if not recorded:  # a customer only requirements named: it has a record from now on
                tx.record_event("board", "customer.added", field="customer", new=current.name)
            for field in ("tier", "contact", "segment", "notes"):
                before, after = getattr(current, field), getattr(updated, field)
                if before != after:
                    tx.record_event("board", "customer.edited", field=f"customer.{field}",
                                    old=getattr(before, "value", before), new=getattr(after, "value", after),
                                    reason=current.name)
            for req in behind:
                new = tx.revise(req, tier=updated.tier)
                record_diff(tx, req, new, "customer.edited", "")
                tx.put_requirement(new, new=False)
            return updated, len(behind)

    def rename_customer(self, old: str, new: str) -> tuple[Customer, int]:
        """Rename a customer; every requirement of it follows. Returns the record and how many
        requirements changed. Raises NotFound, Refused("customer.exists") when the new name is another
        customer's, InvalidValue."""
        with self.transaction() as tx:
            current = _stored(tx, old)
            renamed = _customer(new, **current.model_dump(exclude={"name"}))
            if renamed.name == current.name and tx.customer_record(current.name) is not None:
                return current, 0
            other = _look_alike(tx, renamed.name, renaming=current.name)
            if other is not None:
                raise Refused(_("the board has a customer named {name!r} already: pick another name").format(
                    name=other), "customer.exists")
            tx.remove_customer(current.name)
            tx.put_customer(renamed)
            tx.record_event("board", "customer.renamed", field="customer", old=current.name, new=renamed.name)
            changed = 0
            for req in _of_customer(tx, current.name):
                if req.customer != renamed.name:
                    updated = tx.revise(req, customer=renamed.name)
                    record_diff(tx, req, updated, "customer.renamed", "")
                    tx.put_requirement(updated, new=False)
                    changed += 1
            return renamed, changed

    # ================================================================ the communication log
    def add_note(self, key: str, text: str, *, channel: Channel | str | None = None, with_: str = "",
                 at: datetime | None = None, expect_version: int | None = None) -> Requirement:
        """Note a contact with the customer about a requirement, in any state (rejected too): what was
        said, through what (default: the requirement's channel), with whom, when (default: now; up to a
        day ahead of this computer's clock). Raises InvalidValue, NotFound, Conflict."""
        with self.transaction() as tx:
            req = tx.requirement(key)
            tx.check_version(req, expect_version)
            try:
                note = Note.model_validate(
                    {"at": at or tx.now, "by": tx.user, "channel": channel or req.channel, "with": with_,
                     "text": text if look_of(strip_control(text)) else ""},  # blank or invisible: as empty, refused
                    context=from_outside(tx.now))
            except ValidationError as exc:
                raise validation_message(exc, _("note")) from None
            notes = tuple(sorted((*req.notes, note), key=lambda n: n.at))
            updated = tx.revise(req, notes=notes)
            tx.record_event(req.key, "note", field="notes", new=note.model_dump(mode="json"))
            tx.put_requirement(updated, new=False)
            return updated

    # ================================================================ the board's lists
    def set_codes(self, kind: CodeList | str, codes: Iterable[str] | None) -> tuple[str, ...]:
        """Set one of the board's lists (store.surveys); None puts the default back. Returns the list.
        Raises InvalidValue."""
        if isinstance(kind, str):
            if kind not in CODE_LISTS:
                raise InvalidValue(_("the board has no list named {name!r}; it has {names}").format(
                    name=kind[:40], names=", ".join(CODE_LISTS)))
            kind = CODE_LISTS[kind]
        cleaned = None if codes is None else clean_codes(codes, kind)
        with self.transaction() as tx:
            old = list(stored_codes({kind.setting: tx.setting(kind.setting)}, kind))
            new = list(cleaned) if cleaned is not None else list(kind.default)
            if tx.setting(kind.setting) == (None if cleaned is None else new):
                return tuple(new)
            tx.set_setting(kind.setting, None if cleaned is None else new)
            tx.record_event("board", "settings", field=kind.setting, old=old, new=new)
            return tuple(new)

    # ================================================================ response targets
    def set_response_target(self, state: State | str, days: float, *, channel: Channel | str | None = None,
                            tier: Tier | str | None = None) -> Target:
        """Set the target for reaching `state` within `days`, for a channel and a tier (None: any);
        it replaces the one of the same state, channel and tier. Raises InvalidValue."""
        target = _target(state, days, channel, tier)
        with self.transaction() as tx:
            targets = stored_targets(tx.setting(RESPONSE_TARGETS))
            old = next((t for t in targets if (t.state, t.scope) == (target.state, target.scope)), None)
            if old == target and tx.setting(RESPONSE_TARGETS) == [t.as_json() for t in targets]:
                return target  # set as it is: nothing to write
            tx.set_setting(RESPONSE_TARGETS, [t.as_json() for t in with_target(targets, target)])
            tx.record_event("board", "settings", field=RESPONSE_TARGETS,
                            old=old.as_json() if old else None, new=target.as_json())
        return target

    def remove_response_target(self, state: State | str, *, channel: Channel | str | None = None,
                               tier: Tier | str | None = None) -> Target:
        """Remove the target of this state, channel and tier; returns it. Raises NotFound, InvalidValue."""
        probe = _target(state, 1, channel, tier)
        with self.transaction() as tx:
            targets = stored_targets(tx.setting(RESPONSE_TARGETS))
            gone = next((t for t in targets if (t.state, t.scope) == (probe.state, probe.scope)), None)
            if gone is None:
                raise NotFound(_("the board has no response target for that state, channel and tier (see reqboard "
                                 "target list)"))
            kept = [t.as_json() for t in targets if t is not gone]
            tx.set_setting(RESPONSE_TARGETS, kept or None)
            tx.record_event("board", "settings", field=RESPONSE_TARGETS, old=gone.as_json(), new=None)
        return gone


def _target(state: State | str, days: float, channel: Channel | str | None, tier: Tier | str | None) -> Target:
    from .targets import TARGET_STATES

    try:
        parsed = State.parse(state) if isinstance(state, str) else state
    except ValueError as exc:
        raise InvalidValue(str(exc)) from None
    if parsed not in TARGET_STATES:
        raise InvalidValue(_("a response target names a state after collected: {states}").format(
            states=", ".join(s.value for s in TARGET_STATES)))
    try:
        ch = None if channel is None or channel == "" else Channel(channel)
    except ValueError:
        message = _("{given!r} is not a channel: use one of {choices}").format(
            given=str(channel)[:40], choices=", ".join(c.value for c in Channel))
        raise InvalidValue(message, {"channel": message}) from None
    try:
        ti = None if tier is None or tier == "" else Tier(tier)
    except ValueError:
        message = _("{given!r} is not a tier: use one of {choices}").format(
            given=str(tier)[:40], choices=", ".join(t.value for t in Tier))
        raise InvalidValue(message, {"tier": message}) from None
    return Target(parsed, check_days(days), ch, ti)


# ==================================================================== what a customer's record says


@dataclass(frozen=True)
class Contact:
    """The latest contact with a customer: a note or a feedback, on which requirement."""

    at: datetime
    key: str
    channel: Channel
    kind: str
    """`note` or `feedback`."""


@dataclass(frozen=True)
class CustomerSummary:
    """What a key-account manager wants to know of one customer."""

    customer: Customer
    count_by_state: dict[State, int]
    open: int
    delivered: int
    rejected: int
    lead_time_median: float | None
    """Days from collected to done, over its delivered requirements."""
    lead_time_mean: float | None
    satisfaction_mean: float | None
    """Over the latest reading of each of its requirements."""
    satisfaction_count: int
    satisfaction_latest: tuple[int, datetime, str] | None
    """The latest reading: score, when, on which requirement."""
    open_change_requests: tuple[tuple[str, ChangeRequest], ...]
    """(requirement key, change request), by change request key."""
    last_contact: Contact | None
    overdue: int

    @property
    def total(self) -> int:
        return self.open + self.delivered + self.rejected

    def as_json(self) -> dict[str, Any]:
        c = self.customer
        return {
            "name": c.name, "tier": c.tier.value, "contact": c.contact, "segment": c.segment, "notes": c.notes,
            "requirements": self.total, "open": self.open, "delivered": self.delivered, "rejected": self.rejected,
            "overdue": self.overdue,
            "count_by_state": {s.value: n for s, n in self.count_by_state.items()},
            "lead_time_days": {"median": self.lead_time_median, "mean": self.lead_time_mean},
            "satisfaction": {
                "mean": self.satisfaction_mean, "count": self.satisfaction_count,
                "latest": None if self.satisfaction_latest is None else {
                    "satisfaction": self.satisfaction_latest[0],
                    "at": _iso(self.satisfaction_latest[1]), "key": self.satisfaction_latest[2]},
            },
            "open_change_requests": [{"key": cr.key, "requirement": key, "status": cr.status.value,
                                      "summary": cr.summary} for key, cr in self.open_change_requests],
            "last_contact": None if self.last_contact is None else {
                "at": _iso(self.last_contact.at), "key": self.last_contact.key,
                "channel": self.last_contact.channel.value, "kind": self.last_contact.kind},
        }


def _iso(moment: datetime) -> str:
    from .domain import iso_utc

    return iso_utc(moment)


def customer_summary(customer: Customer, reqs: Sequence[Requirement], *, today: Any = None) -> CustomerSummary:
    """The summary of `customer` over `reqs` (only its own are counted: any case of its name)."""
    from . import clock

    day = today or clock.today()
    own = [r for r in reqs if same_customer(r.customer, customer.name)]
    by_state = {s: 0 for s in State}
    for r in own:
        by_state[r.state] += 1
    leads = [days_between(r.entered_at[State.COLLECTED], r.entered_at[State.DONE]) for r in own
             if State.COLLECTED in r.entered_at and State.DONE in r.entered_at and r.state is not State.REJECTED]
    latest = [(r.feedback[-1], r.key) for r in own if r.feedback]
    last: tuple[Feedback, str] | None = max(latest, key=lambda p: p[0].at) if latest else None
    contacts = [Contact(n.at, r.key, n.channel, "note") for r in own for n in r.notes]
    contacts += [Contact(f.at, r.key, f.channel, "feedback") for r in own for f in r.feedback]
    crs = sorted(((r.key, cr) for r in own for cr in r.open_change_requests), key=lambda p: int(p[1].key[3:]))
    return CustomerSummary(
        customer=customer,
        count_by_state=by_state,
        open=sum(by_state[s] for s in OPEN),
        delivered=sum(by_state[s] for s in DELIVERED),
        rejected=by_state[State.REJECTED],
        lead_time_median=median(leads),
        lead_time_mean=mean(leads),
        satisfaction_mean=mean(f.satisfaction for f, _key in latest),
        satisfaction_count=len(latest),
        satisfaction_latest=None if last is None else (last[0].satisfaction, last[0].at, last[1]),
        open_change_requests=tuple(crs),
        last_contact=max(contacts, key=lambda c: c.at) if contacts else None,
        overdue=sum(1 for r in own if r.overdue(day)),
    )


def known_customers(customers: Sequence[Customer], reqs: Iterable[Requirement]) -> list[Customer]:
    """The board's customers, and any name a requirement gives that has no record (a board written by
    hand or an older reqboard): with the tier the requirement gives, else B."""
    from .collation import sort_key

    known = {c.name.casefold(): c for c in customers}
    for r in reqs:
        if r.customer and r.customer.casefold() not in known:
            known[r.customer.casefold()] = Customer(name=r.customer, tier=r.tier or Tier.B)
    return sorted(known.values(), key=lambda c: sort_key(c.name))
