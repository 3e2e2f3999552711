"""The store's one write path: a transaction on a board.

    with board.transaction() as tx:
        req = tx.requirement("REQ-12")
        tx.check_version(req, expected)
        tx.put_requirement(tx.revise(req, owner="ana"), new=False)
        tx.record_event(req.key, "edited", field="owner", old="", new="ana")

A transaction holds the storage's lock from a fresh read to its commit: everything staged in the
block is written at its normal end, all at once, and nothing is written when the block raises or
calls `dry_run()`. It carries the one time stamp and user of the whole change. Every operation of
`Board` and every importer writes through it; nothing else writes a board.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from . import clock
from .domain import MAX_KEY_DIGITS, State, Tier, key_number, new_uid, normalise_key, strip_control
from .errors import Conflict, InvalidValue, NotFound, Refused, validation_message
from .i18n import _
from .labels import field_label
from .models import Customer, Event, Requirement
from .snapshot import Snapshot

if TYPE_CHECKING:
    from .storage import Change

MAX_KEY_NUMBER = 10**MAX_KEY_DIGITS - 1
"""The last key number a board hands out (REQ-999999999)."""


def stored_record(key: str, read: Callable[[int], Mapping[str, Any] | None],
                  where: object) -> tuple[int, Mapping[str, Any]]:
    """The key number and stored record of requirement `key`, as `read(number)` gives it; raises
    NotFound for a key that is no requirement key or names no stored requirement."""
    key = normalise_key(key)
    try:
        number = key_number(key)
    except (ValueError, IndexError):
        raise NotFound(_("{key!r} is not a requirement key (they look like REQ-12)").format(key=key)) from None
    record = read(number)
    if record is None or record.get("key") != key:
        raise NotFound(_("{key} not found in {board}").format(key=key, board=where))
    return number, record


class Transaction:
    """One change to a board, made by `Board.transaction()` (see the module docstring)."""

    def __init__(self, change: Change, *, user: str, now: datetime,
                 model: Callable[[Mapping[str, Any]], Requirement], where: str) -> None:
        self.now = now
        """The time stamp of everything this transaction does."""
        self.user = user
        """Who makes the change (every version and event it writes names them)."""
        self._change = change
        self._model = model  # the board's model of a stored record (reused while unchanged)
        self._where = where
        self._models: dict[int, Requirement] = {}  # what this transaction put, as models
        self._dry = False
        self._uidless: dict[str, list[dict[str, Any]]] = {}  # events of a key not stored yet
        self._stashes: dict[str, dict[str, Any]] | None = None  # sync bases, copied on the first write

    @property
    def is_dry_run(self) -> bool:
        """True once `dry_run()` was called: the block goes on, and nothing is committed."""
        return self._dry

    # ---------------------------------------------------------------- reading
    def snapshot(self) -> Snapshot:
        """The board as this transaction sees it: as read under the lock, with its own changes."""
        return self._change.snapshot()

    def requirement(self, key: str) -> Requirement:
        """The requirement with this key as staged; raises NotFound."""
        number, record = stored_record(key, self._change.requirement_record, self._where)
        put = self._models.get(number)
        if put is not None and put.version == record.get("version"):
            return put
        return self._model(record)

    def customer_tier(self, name: str) -> Tier | None:
        """The tier of the known customer of this name (any case), or None."""
        record = self._change.customer_record(name) if name else None
        tier = record.get("tier") if record is not None else None
        return Tier(tier) if isinstance(tier, str) and tier in Tier._value2member_map_ else None

    def check_version(self, req: Requirement, expected: int | None) -> None:
        """Raise Conflict (exit 3) when `expected` is given and `req` is at another version."""
        if expected is not None and expected != req.version:
            raise Conflict(
                _("{key} changed since version {expected}: {user} saved version {version} at {time}; re-read it "
                  "and retry").format(key=req.key, expected=expected, user=req.updated_by, version=req.version,
                                      time=clock.shown(req.updated_at, seconds=True, zone_abbreviation=True)),
                key=req.key, expected=expected, actual=req.version,
                by=req.updated_by, at=req.updated_at.isoformat(),
            )

    # ---------------------------------------------------------------- keys
    def next_key(self) -> str:
        """Reserve the next requirement key never used on this board ("REQ-n").

        Raises Refused("key.exhausted") when the board has handed out its last key.
        """
        meta = self._change.meta()
        number = int(meta.get("next_requirement", 1))
        while self._change.requirement_record(number) is not None:
            number += 1  # never reuse a key, even if the counter was edited by hand
        if number > MAX_KEY_NUMBER:
            raise Refused(
                _("the board has used every requirement key ({key} is the last one); start a new board for new "
                  "requirements").format(key=f"REQ-{MAX_KEY_NUMBER}"), "key.exhausted")
        self._change.set_meta(next_requirement=number + 1)
        return f"REQ-{number}"

    def next_cr_key(self) -> str:
        """Reserve the next change request key never used on this board ("CR-n")."""
        number = int(self._change.meta().get("next_change_request", 1))
        self._change.set_meta(next_change_request=number + 1)
        return f"CR-{number}"

    def raise_counters(self, next_requirement: int | None = None, next_change_request: int | None = None) -> None:
        """Make the key counters at least these (they are never lowered: a key is never reused)."""
        meta = self._change.meta()
        raised: dict[str, int] = {}
        for name, value in (("next_requirement", next_requirement), ("next_change_request", next_change_request)):
            if value is not None and value > int(meta.get(name, 1)):
                raised[name] = value
        if raised:
            self._change.set_meta(**raised)

    # ---------------------------------------------------------------- changes
    def revise(self, req: Requirement, **changes: Any) -> Requirement:
        """The next version of `req` with `changes`, validated and stamped with this user and time.

        Raises InvalidValue naming each bad field.
        """
        return req.revised(changes, by=self.user, at=self.now)

    def enter(self, req: Requirement, state: State) -> dict[str, Any]:
        """The field changes of `req` entering `state`: the state, when it was first entered, since when."""
        return req.entering(state, self.now)

    def put_requirement(self, req_or_document: Requirement | Mapping[str, Any], *, new: bool) -> None:
        """Stage a requirement: a model, or a stored document already validated (an importer's).

        `new`: it takes a key not on the board (else Refused "key.taken"); otherwise it replaces the
        stored version it was revised from, its own version less one (else Conflict). The key counters stay above every key
        stored, so none is handed out again.
        """
        # A plain dict first: pydantic's class check costs more than the copy (an import puts 100,000).
        model = None if isinstance(req_or_document, dict) else req_or_document
        if isinstance(model, Requirement):
            document = model.model_dump(mode="json")
        else:
            document, model = dict(req_or_document), None
        key = document.get("key")
        if not isinstance(key, str):
            raise InvalidValue(_("a requirement to store has no key"))
        number = key_number(key)
        version = document.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool):
            raise InvalidValue(_("{key}: a requirement to store has no valid version").format(key=key))
        # A new version replaces the one it was revised from: the storage refuses it if that moved on.
        expected = None if new else version - 1
        self._keep_base(number, document.get("uid"))
        self._change.put_requirement(number, document, expected_version=expected)
        self._give_uid(key, document.get("uid"))
        if model is not None:
            self._models[number] = model
        else:
            self._models.pop(number, None)
        crs = [key_number(cr["key"]) for cr in document.get("change_requests", ()) if isinstance(cr, Mapping)
               and isinstance(cr.get("key"), str)]
        if new or crs:  # a replaced record's key was counted when it was stored
            self.raise_counters(number + 1 if new else None, max(crs) + 1 if crs else None)

    def record_event(self, key: str, action: str, *, field: str | None = None, old: Any = None, new: Any = None,
                     reason: str = "", cr: str | None = None, at: datetime | str | None = None,
                     by: str | None = None, event_id: str | None = None, uid: str | None = None) -> None:
        """Stage one history event about `key` (a requirement's key, or "board"), by this user now
        unless `at`/`by` say otherwise (an imported history keeps its own).

        Every event gets an id (`event_id`, or a new one), by which a sync knows it is the same event on
        two boards, and the uid of its requirement (`uid`, or the staged record's), by which the history
        of a requirement whose key a sync changed still finds the events written under the old key.
        """
        event: dict[str, Any] = {
            "id": event_id or new_uid(),
            "at": at if isinstance(at, str) else Event.stamp(at or self.now),
            "by": by or self.user,
            "key": key,
            "action": action,
            "field": field,
            "old": old,
            "new": new,
            "reason": strip_control(reason),
        }
        if cr:
            event["cr"] = cr
        if uid is None and key != "board":
            uid = self._uid_of(key)
            if uid is None:  # a requirement put after its "created" event: the uid is filled in then
                self._uidless.setdefault(key, []).append(event)
        if uid is not None:
            event["uid"] = uid
        self._change.record(event)

    def _uid_of(self, key: str) -> str | None:
        try:
            record = self._change.requirement_record(key_number(key))
        except (ValueError, IndexError):
            return None
        uid = record.get("uid") if record is not None and record.get("key") == key else None
        return uid if isinstance(uid, str) else None

    def _give_uid(self, key: str, uid: Any) -> None:
        events = self._uidless.pop(key, None)
        if events and isinstance(uid, str):
            for event in events:
                event["uid"] = uid

    # ---------------------------------------------------------------- sync bases
    def meta_value(self, name: str) -> Any:
        """A value of the board's meta record as staged (e.g. "board_id"), or None."""
        return self._change.meta().get(name)

    def set_meta_value(self, name: str, value: Any) -> None:
        """Stage a value of the board's meta record (the board's id; not a counter or setting)."""
        if name in ("generation", "journal_size", "schema", "format", "settings", "sync"):
            raise ValueError(f"{name} is not set this way")  # i18n: not shown (a programming error)
        self._change.set_meta(**{name: value})

    def add_customer_record(self, record: Mapping[str, Any]) -> None:
        """Stage a customer as another board stores it, unless one of that name is known."""
        name = record.get("name")
        if isinstance(name, str) and name and self._change.customer_record(name) is None:
            self._change.put_customer(dict(record))

    def sync_records(self) -> dict[str, dict[str, Any]]:
        """What this board remembers of each board it syncs with, by that board's id (see store.sync)."""
        records = self._change.meta().get("sync", {})
        return records if isinstance(records, dict) else {}

    def set_sync_record(self, peer: str, record: dict[str, Any] | None) -> None:
        """Stage what this board remembers of board `peer` (None forgets it)."""
        records = {name: dict(rec) for name, rec in self.sync_records().items() if isinstance(rec, dict)}
        if record is None:
            records.pop(peer, None)
        else:
            records[peer] = record
        self._change.set_meta(sync=records)
        self._stashes = None

    def _keep_base(self, number: int, uid: Any) -> None:
        """Before requirement `number` changes, keep the version every sync base still needs.

        A board that syncs remembers the state it last agreed on with each other board as its current
        records plus, for each record changed since, the version it had then (None: it did not exist).
        So a write keeps the stored record once per sync partner, the first time it changes.
        """
        if self._stashes is None:
            records = self.sync_records()
            if not records:
                return
            copied = {name: {**rec, "stash": dict(rec.get("stash") or {})} for name, rec in records.items()
                      if isinstance(rec, dict)}
            self._change.set_meta(sync=copied)
            self._stashes = {name: rec["stash"] for name, rec in copied.items()}
        if not isinstance(uid, str):
            return
        for stash in self._stashes.values():
            if uid not in stash:
                stored = self._change.requirement_record(number)
                stash[uid] = stored if stored is not None and stored.get("uid") == uid else None

    def remove_stored(self, document: Mapping[str, Any]) -> None:
        """Stage the stored requirement `document` taken off its key (a sync moves it to another key:
        `put_stored` puts it there). Conflict when the stored one is at another version."""
        number = key_number(str(document["key"]))
        self._keep_base(number, document.get("uid"))
        self._change.remove_requirement(number, expected_version=int(document["version"]))
        self._models.pop(number, None)

    def put_stored(self, document: Mapping[str, Any], *, replaces: int | None) -> None:
        """Stage a validated stored document as it is (a sync's merged record): new when `replaces` is
        None, else replacing that stored version. Its stamps (version, updated_by/at) are the caller's."""
        document = dict(document)
        number = key_number(str(document["key"]))
        self._keep_base(number, document.get("uid"))
        self._change.put_requirement(number, document, expected_version=replaces)
        self._models.pop(number, None)
        crs = [key_number(cr["key"]) for cr in document.get("change_requests", ()) if isinstance(cr, Mapping)
               and isinstance(cr.get("key"), str)]
        self.raise_counters(number + 1, max(crs) + 1 if crs else None)

    def record_stored_event(self, event: Mapping[str, Any]) -> None:
        """Stage a history event as another board wrote it (time, author and id kept); its generation
        is this board's."""
        self._change.record({k: v for k, v in event.items() if k != "generation"})

    def set_setting(self, name: str, value: Any) -> None:
        """Stage a board setting (None removes it)."""
        settings = dict(self._change.meta().get("settings", {}))
        if value is None:
            settings.pop(name, None)
        else:
            settings[name] = value
        self._change.set_meta(settings=settings)

    def setting(self, name: str, default: Any = None) -> Any:
        """A board setting as staged, or `default`."""
        settings = self._change.meta().get("settings", {})
        return settings.get(name, default) if isinstance(settings, dict) else default

    def upsert_customer(self, name: str, tier: Tier | None, *, keep_tier: bool = False) -> None:
        """Add a customer (tier B unless given), or set a known one's tier (unless `keep_tier`, or no
        tier is given). Raises InvalidValue for a name the model refuses."""
        if not name:
            return
        stored = self._change.customer_record(name)
        if stored is not None:
            if tier is None or keep_tier or stored.get("tier") == tier.value:
                return
            self._change.put_customer({**stored, "tier": tier.value})
            return
        try:
            customer = Customer(name=name, tier=tier or Tier.B)
        except ValidationError as exc:
            raise validation_message(exc, field_label("customer")) from None
        self._change.put_customer(customer.model_dump(mode="json"))

    def customer_record(self, name: str) -> dict[str, Any] | None:
        """The staged customer of this name (any case) as stored, or None."""
        return self._change.customer_record(name) if name.strip() else None

    def put_customer(self, customer: Customer) -> None:
        """Stage a customer's record, replacing the one of the same name (any case)."""
        self._change.put_customer(customer.model_dump(mode="json"))

    def remove_customer(self, name: str) -> None:
        """Stage the customer of this name (any case) removed (a rename)."""
        self._change.remove_customer(name)

    def dry_run(self) -> None:
        """Leave without writing: the block runs to its end, then nothing is committed."""
        self._dry = True
        self._change.discard()
