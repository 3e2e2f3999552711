"""The board's reading with the models and its one write path: what every operation stands on.

`Board` (store.board) adds the operations on requirements, `ChangeRequestOperations` those on change
requests and `BoardMaintenance` the upkeep; each is written on `transaction()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .cards import validated
from .collation import sort_key
from .errors import NotFound, Outdated, StoreUnreadable, validation_message
from .i18n import _
from .memory import paused_gc
from .models import ChangeRequest, Customer, Event, Requirement, State, key_number, normalise_key, now
from .reader import BoardReader
from .revisions import record_diff
from .snapshot import Revision, Snapshot
from .storage import Change
from .transaction import Transaction, stored_record


class BoardCore(BoardReader):
    """A board and the user acting on it: the models, and `transaction()`, the one way to change it."""

    def __init__(self, path: str | Path, user: str, *, clock: Callable[[], datetime] = now,
                 reader: BoardReader | None = None) -> None:
        """The board at `path`; or, given a `reader`, the same board sharing the reader's storage and
        cards (the app draws the board with a reader first, before the models are imported)."""
        if reader is None:
            super().__init__(path, user, clock=clock)
        else:
            super().__init__(reader.path, reader.user, clock=reader.clock, storage=reader.storage,
                             cards=reader.card_cache)
        self._models: dict[str, Requirement] = {}
        self._models_signature: Revision | object = object()

    # ================================================================ the write path
    @property
    def revision(self) -> Revision:
        """The board's committed revision now: equal (==) while nobody commits a change."""
        return self.storage.revision

    def snapshot(self) -> Snapshot:
        """The stored records as they are now, for planning a change (read again if another process
        committed). Raises StoreUnreadable."""
        return self.storage.snapshot()

    @contextmanager
    def transaction(self, expect: Revision | None = None) -> Iterator[Transaction]:
        """Lock the board, read it fresh and yield the change to make; commit it when the block ends
        normally, write nothing when it raises or calls `tx.dry_run()`.

        Raises Outdated (exit 3) when `expect` is given and the board is at another revision;
        StoreUnreadable, ReadOnly, LockTimeout, BoardChangedUnderneath as the storage does.
        """
        with self.storage.change() as change:
            if expect is not None and change.revision != expect:
                raise Outdated(
                    _("{board} changed since it was read (another change was saved meanwhile); nothing was "
                      "written: read it again and retry").format(board=self.path))
            yield self.open_transaction(change)

    def open_transaction(self, change: Change) -> Transaction:
        """A transaction of this board's user and clock on a change already open (the storage's
        maintenance opens its own, e.g. to restore a backup)."""
        return Transaction(change, user=self.user, now=self.clock(), model=self._model,
                           where=self.storage.location)

    # ================================================================ reading
    def _model(self, raw: Mapping[str, Any]) -> Requirement:
        """The model of a stored record: the one already made while its version and uid are unchanged."""
        cached = self._models.get(raw.get("key", ""))
        if cached is not None and cached.version == raw.get("version") and cached.uid == raw.get("uid"):
            return cached
        return validated(raw, self.path)

    def requirements(self, *, include_rejected: bool = True) -> list[Requirement]:
        """Every requirement, in key order. Models are reused across reads when unchanged."""
        records, revision = self.storage.requirement_records()
        if revision is None or self._models_signature != revision:
            fresh: dict[str, Requirement] = {}
            with paused_gc():  # thousands of models, all kept (see store.memory)
                for raw in records.values():
                    model = self._model(raw)
                    fresh[model.key] = model
                self._models = dict(sorted(fresh.items(), key=lambda kv: key_number(kv[0])))
            # A commit by another thread while these were made: stamp nothing, make them again next time.
            self._models_signature = object() if revision is None else revision
        reqs = list(self._models.values())
        if not include_rejected:
            reqs = [r for r in reqs if r.state is not State.REJECTED]
        return reqs

    def get(self, key: str) -> Requirement:
        """The requirement with this key; raises NotFound."""
        return self._model(self._raw(key))

    def formerly(self, key: str) -> list[Requirement]:
        """The requirements that had `key` before a sync gave them another (see Requirement.previous_keys)."""
        key = normalise_key(key)
        return [self._model(raw) for raw in self.snapshot().requirements.values()
                if key in (raw.get("previous_keys") or ())]

    def sync_records(self) -> Mapping[str, Any]:
        """What the board remembers of each board it syncs with (see store.sync)."""
        return self.snapshot().sync

    def _raw(self, key: str) -> Mapping[str, Any]:
        return stored_record(key, self.storage.requirement_record, self.path)[1]

    def find_change_request(self, cr_key: str) -> tuple[Requirement, ChangeRequest]:
        """The change request with this key and the requirement it belongs to; raises NotFound."""
        return self._find_change_request(self.snapshot(), normalise_key(cr_key, "CR"))

    def _find_change_request(self, snapshot: Snapshot, cr_key: str) -> tuple[Requirement, ChangeRequest]:
        for raw in snapshot.requirements.values():
            for cr in raw.get("change_requests", ()):
                if cr.get("key") == cr_key:
                    req = self._model(raw)
                    return req, next(c for c in req.change_requests if c.key == cr_key)
        raise NotFound(_("{key} not found in {board}").format(key=cr_key, board=self.path))

    def customers(self) -> list[Customer]:
        """The board's customers by name, as a person looks for them (Chinese names in pinyin order,
        see store.collation); raises StoreUnreadable for a damaged customer record."""
        found = []
        for doc_id, raw in self.storage.customer_records().items():
            try:
                found.append(Customer.model_validate(raw))
            except ValidationError as exc:
                raise StoreUnreadable(
                    _("{board}: customer record {record!r} is damaged ({problem}); see `reqboard restore --list`")
                    .format(board=self.path, record=str(doc_id)[:40], problem=validation_message(exc))
                ) from None
        return sorted(found, key=lambda c: sort_key(c.name))

    def history(self, key: str | None = None, *, field: str | None = None) -> list[Event]:
        """The audit trail, oldest first: of one requirement (and its change requests) or of all; with
        `field`, only the events that changed that field (`state`: the moves, all the metrics need,
        read without validating the rest of a long history)."""
        files = self.storage.files()
        journal = files.journal if files is not None else self.storage.location
        if key is None:
            return [Event.from_journal(e, journal) for e in self.storage.history(field=field)]
        key = normalise_key(key)
        raw = self._raw(key)
        uid = raw.get("uid")
        if raw.get("previous_keys"):  # renumbered by a sync: its events are under more than one key
            lines = self.storage.history(uid=str(uid), field=field)
        else:  # (another requirement that had this key before a sync renumbered it has its own uid)
            lines = (e for e in self.storage.history(key, field=field) if e.get("uid", uid) == uid)
        events = [Event.from_journal(e, journal) for e in lines]
        events.sort(key=lambda e: e.at)  # a sync appends the other board's events after this board's
        return events

    # ================================================================ writing: plumbing
    def _committed_count(self, state: State) -> int | None:
        """How many committed requirements are in `state`, where the storage counts them itself (a
        server, by its state index, as the first frame's counts are read); None for a file, whose
        records are at hand in the transaction anyway. Asked while a transaction holds the board's
        lock, it sees every change committed before."""
        found = self.storage.first_cards([state.value], 0)
        return None if found is None else found[1].get(state.value, 0)

    def _mutate(self, key: str, change: Callable[[Transaction, Requirement], dict[str, Any]], *,
                expect_version: int | None = None, action: str = "edited", reason: str = "") -> Requirement:
        """One-record transaction: `change` gets the current record and returns field changes."""
        with self.transaction() as tx:
            current = tx.requirement(key)
            tx.check_version(current, expect_version)
            changes = change(tx, current)
            if not changes:
                return current
            updated = tx.revise(current, **changes)
            record_diff(tx, current, updated, action, reason)
            tx.put_requirement(updated, new=False)
            return updated
