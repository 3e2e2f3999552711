"""`migrate`: move a whole board to another store (a file to a server, a server to a file, or any two),
history included, as it is: the same records, versions and uids, the same events with their ids,
times and authors, the same customers, settings, key counters, board id and sync records. So a
migrated board is the same board somewhere else: offline copies cloned from it still sync with it.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

from ..errors import InvalidValue
from ..i18n import _
from .clone import copy_board
from .run import readable_location, same_board

if TYPE_CHECKING:
    from ..board import Board


def migrate_board(source: Board, dest: Board) -> tuple[int, int]:
    """Copy board `source` whole into the empty board `dest`, in one commit of `dest`; returns how many
    requirements and history events were copied.

    Raises InvalidValue when `dest` is `source`, or is not empty (it holds requirements, customers or a
    history: a migrate never merges into a board, `sync` does); what a transaction raises.
    """
    readable_location(source)
    readable_location(dest)
    if same_board(source, dest):
        raise InvalidValue(_("{location} is the board being migrated; give another store").format(
            location=dest.storage.location))
    order = sorted((source, dest), key=lambda b: b.storage.location)
    with ExitStack() as stack:
        txs = {id(b): stack.enter_context(b.transaction()) for b in order}
        src, dst = txs[id(source)], txs[id(dest)]
        held = dst.snapshot()
        if held.requirements or held.customers or held.generation:
            # (one plural form on purpose: scripts and tests read "1 requirements" in this English line)
            raise InvalidValue(
                _("{location} is not empty (generation {generation}, {n} requirements): a migrate moves a board into "
                  "an empty store; give a new file or an empty database").format(
                      location=dest.storage.location, generation=held.generation, n=len(held.requirements)))
        snapshot = src.snapshot()
        events = copy_board(snapshot, source.storage.history(), dst)
        board_id = src.meta_value("board_id")
        if board_id:
            dst.set_meta_value("board_id", board_id)
        for peer, record in snapshot.sync.items():
            if isinstance(record, dict):
                dst.set_sync_record(peer, dict(record))
        return len(snapshot.requirements), events
