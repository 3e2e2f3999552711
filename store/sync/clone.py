"""`clone`: a full copy of a board (records, customers, settings, counters and the whole history) in a
new store, both boards remembering the state they agree on, so that `sync` can merge them later."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from ..domain import iso_utc, new_uid
from ..errors import InvalidValue
from ..i18n import _
from .run import readable_location, same_board

if TYPE_CHECKING:
    from ..board import Board
    from ..snapshot import Snapshot
    from ..transaction import Transaction


def clone_board(source: Board, dest: Board) -> int:
    """Copy board `source` into the new board `dest`; returns how many requirements were copied.

    Raises InvalidValue when `dest` already holds a board (a clone never writes over one) or is
    `source` itself; what a transaction raises.
    """
    readable_location(source)
    readable_location(dest)
    if os.path.lexists(dest.storage.location) or same_board(source, dest):
        raise InvalidValue(_("{location} exists: a clone makes a new board, it never writes over a file; give a new "
                             "file name").format(location=dest.storage.location))
    order = sorted((source, dest), key=lambda b: b.storage.location)
    with ExitStack() as stack:
        txs = {id(b): stack.enter_context(b.transaction()) for b in order}
        src, dst = txs[id(source)], txs[id(dest)]
        snapshot = src.snapshot()
        if dst.snapshot().requirements:
            raise InvalidValue(_("{location} already holds a board; a clone makes a new one").format(
                location=dest.storage.location))
        copy_board(snapshot, source.storage.history(), dst)
        source_id = str(src.meta_value("board_id") or "") or new_uid()
        dest_id = new_uid()
        # Both histories as read, each followed by this commit's events: the same on both from then on.
        history = {source_id: {"mark": source.storage.history_mark(), "skip": None},  # (it gets no events)
                   dest_id: {"mark": dest.storage.history_mark(), "skip": dst.snapshot().generation + 1}}
        record: dict[str, Any] = {"id": new_uid(), "seq": 1, "complete": True, "at": iso_utc(src.now), "stash": {},
                                  "history": history, "clone": True}
        src.set_meta_value("board_id", source_id)
        dst.set_meta_value("board_id", dest_id)
        src.set_sync_record(dest_id, {**record, "with": dest.storage.location})
        dst.set_sync_record(source_id, {**record, "with": source.storage.location})
        return len(snapshot.requirements)


def copy_board(snapshot: Snapshot, history: Iterable[Mapping[str, Any]], dst: Transaction) -> int:
    """Stage a board's records, customers, settings, key counters and `history` (its events as they
    were written) into the empty board of `dst`; returns how many events were copied (clone, migrate)."""
    for stored in snapshot.requirements.values():
        dst.put_stored(stored, replaces=None)
    for customer in snapshot.customers.values():
        dst.add_customer_record(customer)
    for name, value in snapshot.settings.items():
        dst.set_setting(name, value)
    dst.raise_counters(snapshot.next_requirement, snapshot.next_change_request)
    events = 0
    for event in history:
        dst.record_stored_event(event)
        events += 1
    return events


def default_other(board: Board) -> str | None:
    """The board `sync` goes to when none is named: the one this board last synced with (or was cloned
    from), or None."""
    records = [r for r in board.snapshot().sync.values() if isinstance(r, dict)]
    latest = max(records, key=lambda r: str(r.get("at", "")), default=None)
    where = latest.get("with") if isinstance(latest, dict) else None
    return where if isinstance(where, str) and where else None
