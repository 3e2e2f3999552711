"""Offline copies that come home: `clone` a board, work apart, `sync` back with a three-way merge.

`store.sync.merge` is the merge itself (pure, on stored records); `store.sync.run` reads both boards
under their locks, plans and writes both sides; `store.sync.clone` makes the copy; `store.sync.migrate`
moves a whole board to another store (a file to a server and back).
"""

from __future__ import annotations

from .clone import clone_board, default_other
from .merge import FieldConflict, Renumbering
from .migrate import migrate_board
from .run import SyncConflicts, SyncPlan, resolution_name, resolver, sync_boards

__all__ = ["FieldConflict", "Renumbering", "SyncConflicts", "SyncPlan", "clone_board", "default_other",
           "migrate_board", "resolution_name", "resolver", "sync_boards"]
