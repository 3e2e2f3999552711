"""The seam between a board and where it is kept.

`Board` and `BoardReader` hold a `Storage` and use nothing else of it: read everything (a snapshot),
read the card records, read one record, stage and commit a change set (`change()`, whose writes name
the version they replace), read the history, and notice another writer's commit (`revision`,
`refresh`). `open_storage` picks the storage from the store location: a path is the embedded file
storage (store.filestore, the default); a URL names a server storage, which this reqboard does not
have yet. File-only upkeep (check, repair, restore, backups) is reached through `maintenance()`, which
a storage without files declines with Unsupported.

The file storage's names are re-exported here for the modules that write files the same careful way
(exports, the config file) and for tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import Unsupported
from .filestore.backups import KEEP_BACKUPS, Backup
from .filestore.boardfile import BoardFile, FileChange
from .filestore.files import (
    Signature,
    atomic_write,
    board_location,
    kind_of,
    new_file_mode,
    not_regular,
    open_regular,
    read_regular,
    write_durably,
)
from .filestore.layout import (
    FORMAT,
    META_ID,
    SCHEMA_VERSION,
    board_lines,
    new_tables,
    parse_board_bytes,
    read_board_lines,
)
from .filestore.lock import LOCK_TIMEOUT_S, BoardLock
from .memory import paused_gc
from .outputs import BoardFiles
from .snapshot import ABSENT, Revision, Snapshot

if TYPE_CHECKING:  # the models it validates with are imported when it is first used
    from .filestore.maintenance import FileMaintenance

__all__ = [
    "ABSENT", "FORMAT", "KEEP_BACKUPS", "LOCK_TIMEOUT_S", "META_ID", "SCHEMA_VERSION", "Backup", "BoardFile",
    "BoardLock", "Change", "FileChange", "Revision", "Signature", "Snapshot", "Storage",
    "atomic_write", "board_lines", "board_location", "kind_of", "new_file_mode", "new_tables", "not_regular",
    "open_regular", "open_storage", "paused_gc", "parse_board_bytes", "read_board_lines", "read_regular",
    "write_durably",
]


class Change(Protocol):
    """One open change set: read fresh under the storage's lock, committed whole or not at all."""

    revision: Revision
    """The revision the change was read at."""

    def snapshot(self) -> Snapshot:
        """The staged state: as read, with the change's own writes."""
        ...

    def requirement_record(self, number: int) -> dict[str, Any] | None:
        """The staged record of requirement `number`, or None."""
        ...

    def put_requirement(self, number: int, document: dict[str, Any], *, expected_version: int | None) -> None:
        """Stage a record: new (`expected_version` None; Refused when taken) or replacing that version
        (Conflict when the stored one is another)."""
        ...

    def remove_requirement(self, number: int, *, expected_version: int) -> None:
        """Stage requirement `number` removed (a sync moving it to another key); Conflict when the
        stored one is at another version."""
        ...

    def customer_record(self, name: str) -> dict[str, Any] | None:
        """The staged customer of this name (any case), or None."""
        ...

    def put_customer(self, document: dict[str, Any]) -> None:
        """Stage a customer, replacing the one of the same name (any case)."""
        ...

    def remove_customer(self, name: str) -> None:
        """Stage the customer of this name (any case) removed (a rename); nothing when there is none."""
        ...

    def meta(self) -> dict[str, Any]:
        """The staged counters and settings."""
        ...

    def set_meta(self, **values: Any) -> None:
        """Stage new counters or settings."""
        ...

    def record(self, event: dict[str, Any]) -> None:
        """Stage a history event."""
        ...

    def discard(self) -> None:
        """Commit nothing at the end of the change."""
        ...


class Storage(Protocol):
    """Where a board is kept (see the module docstring)."""

    @property
    def location(self) -> str:
        """Where the board is, as a person reads it (a server's URL without its password)."""
        ...

    @property
    def path(self) -> Path:
        """The location where a path is expected: the board file, or a server's URL (store.pgstore.url)."""
        ...

    @property
    def instance(self) -> str | None:
        """What tells this board from any other whatever location names it (a server's database id),
        or None (a file: its path tells)."""
        ...

    @property
    def login(self) -> str | None:
        """Who every change is made by, when the storage knows it better than any flag: a server's
        database login. None: the user the board is opened with (a file)."""
        ...

    @property
    def partial_cards(self) -> bool:
        """Does `card_records` give only what cards show (`store.cards.card_fields`) rather than the
        whole records?"""
        ...

    def card_records(self) -> tuple[Mapping[str, Any], Revision | None]:
        """What the board's cards are drawn from, as `requirement_records` gives it: the whole records,
        or (`partial_cards`) only the fields cards show."""
        ...

    def first_cards(self, states: list[str], per_state: int) -> tuple[list[dict[str, Any]], dict[str, int]] | None:
        """The first `per_state` cards of each state in `states` as a column orders them, and how many
        each state holds, for a first frame drawn before the whole board is read; None when the storage
        has no cheaper way than reading the whole board (a file)."""
        ...

    def card_changes(self, since: Revision) -> set[str] | None:
        """The key numbers (as `card_records` keys them) whose card changed or went away between revision
        `since` and the cards `card_records` gave last, or None when the storage cannot say (then every
        card is looked at)."""
        ...

    def watch(self, changed: Callable[[], None]) -> bool:
        """Call `changed` (from another thread) whenever another client commits or the connection is
        lost or back; False when the storage cannot tell (then the caller looks with `refresh`)."""
        ...

    @property
    def connection_problem(self) -> str | None:
        """Why the board cannot be reached now (a server that went away; it is being reconnected), or None."""
        ...

    def close(self) -> None:
        """Let go of connections and threads (a file storage holds none between changes)."""
        ...

    @property
    def revision(self) -> Revision:
        """The committed revision now; equal (==) while nobody commits."""
        ...

    def refresh(self) -> bool:
        """Read again if another writer committed; True when one did (the change signal)."""
        ...

    def snapshot(self) -> Snapshot:
        """Read all: the stored records as committed now."""
        ...

    def requirement_records(self) -> tuple[Mapping[str, Any], Revision | None]:
        """Read the card records: every requirement record, and the revision they are of (None:
        cache nothing from them)."""
        ...

    def requirement_record(self, number: int) -> Mapping[str, Any] | None:
        """Read one record, or None."""
        ...

    def customer_records(self) -> Mapping[str, Any]:
        """Every stored customer record."""
        ...

    def change(self) -> AbstractContextManager[Change]:
        """Lock, read fresh, and stage a change set; commit it at the end of the block."""
        ...

    def history(self, key: str | None = None, *, uid: str | None = None,
                field: str | None = None) -> Iterator[dict[str, Any]]:
        """The committed history events, oldest first: all, those written under one requirement key,
        or those of one requirement by its uid (under whatever key it had); with `field`, only the
        events that changed that field (the metrics read the state changes alone)."""
        ...

    def history_mark(self) -> dict[str, Any]:
        """Where the committed history ends now: a JSON value `history_since` takes back."""
        ...

    def history_since(self, mark: Any, skip_generation: int | None = None) -> Iterator[dict[str, Any]] | None:
        """The committed events after `mark` (without those of `skip_generation` right after it), or None
        when the mark does not name a place in this history any more."""
        ...

    @property
    def read_only_reason(self) -> str | None:
        """Why the board cannot be changed, or None."""
        ...

    @property
    def generation(self) -> int:
        """How many changes were committed."""
        ...

    @property
    def settings(self) -> Mapping[str, Any]:
        """The board's settings as committed."""
        ...

    def files(self) -> BoardFiles | None:
        """The files an export must never be written onto (None where the board is no file)."""
        ...

    def maintenance(self) -> FileMaintenance:
        """File upkeep (check, repair, restore, backups); Unsupported where there are no files."""
        ...


_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):/")
"""A URL's scheme; `Path` folds `//` to `/`, so one slash is looked for."""


def open_storage(location: str | Path) -> Storage:
    """The storage for a store location: `postgresql://...` is a board on a PostgreSQL server
    (store.pgstore); a path is a board file (made on the first change).

    Raises Unsupported (exit 2) for a URL of another kind, or a server URL without psycopg installed;
    ServerUnreachable (exit 4) for a server that cannot be reached; StoreUnreadable for a path that
    names no file, or a database that holds no board.
    """
    url = _URL.match(str(location))
    if url is not None and not Path(url[0][:-1]).exists():  # a folder named `x:` is a path
        scheme = url["scheme"].lower()
        if scheme in ("postgresql", "postgres"):
            from .pgstore import ServerStorage  # psycopg is imported only for a server board

            return ServerStorage.open(str(location))
        from .i18n import _

        raise Unsupported(
            _("{scheme}:// stores are not supported: a board is a file, or a postgresql:// server").format(scheme=scheme)
        )
    return BoardFile(location)
