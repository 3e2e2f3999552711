"""The board file on disk: a TinyDB JSON file that is never half-written, never silently overwritten.

Layout next to `board.json`:
  board.json                  TinyDB tables `meta`, `customers`, `requirements` (the commit point)
  board.json.lock             the inter-process lock taken around every read-modify-write
  board.json.history.jsonl    the append-only history journal, one event a line (store.filestore.journal)
  board.json.backups/         the last few generations, hard links of replaced files (store.filestore.backups)

A commit (a) appends the transaction's events to the journal and fsyncs it, then (b) writes the tables
to a temp file, fsyncs it, links the current file into the backups, `os.replace`s the temp file over
the board and fsyncs the directory. The meta record holds the journal's committed length, so lines a
crashed writer appended after (a) but before (b) are never read and are cut by the next commit.
The file's layout is store.filestore.layout's.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage as TinyDBStorage

from ..errors import BoardChangedUnderneath, Conflict, ReadOnly, Refused, StoreUnreadable, os_reason
from ..i18n import _
from ..memory import paused_gc
from ..outputs import BoardFiles
from ..snapshot import ABSENT, Revision, Snapshot
from .backups import Backup, Backups
from .files import (
    Signature,
    aside_path,
    atomic_write,
    board_location,
    file_mode,
    not_regular,
    open_regular,
    read_regular,
)
from .journal import Journal
from .layout import (
    META_ID,
    SCHEMA_VERSION,
    Unwritable,
    board_lines,
    check_board_tables,
    check_meta,
    new_tables,
    parse_board_bytes,
    read_board_lines,
)
from .lock import LOCK_TIMEOUT_S, BoardLock, flock_within
from .migrations import migrate

if TYPE_CHECKING:
    from .maintenance import FileMaintenance


class AtomicJSONStorage(TinyDBStorage):
    """TinyDB storage over the board file. Inside a transaction it reads once and writes once.

    TinyDB calls `read()`/`write()` on every table operation; here they work on an in-memory copy
    that `BoardFile` loads at the start of a transaction and commits at its end.
    """

    def __init__(self, path: str | Path, board: BoardFile) -> None:
        self.path = Path(path)
        self.board = board

    def read(self) -> dict[str, Any] | None:
        """The board's tables, as TinyDB reads them."""
        return self.board.tables()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Stage what TinyDB writes (inside a transaction; committed at its end)."""
        self.board.stage(data)

    def close(self) -> None:
        """Nothing to close: the board file is opened for each read and write."""


class BoardFile:
    """One board on disk. Thread-safe for one writer at a time per process; safe across processes.

    Every file of a board (the board, its journal, lock, backups) is opened without following a link
    and refused unless it is a regular file (see `open_regular`): a member of a shared directory who
    plants a link there cannot make another member's reqboard read, cut or copy the file it points at.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = board_location(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_path = self.path.with_name(self.path.name + ".history.jsonl")
        self.journal = Journal(self.journal_path)
        self.kept_backups = Backups(self.path)
        self.backup_dir = self.kept_backups.folder
        self.create = create
        self._tables: dict[str, Any] | None = None
        self._signature: Signature | None = None
        self._staged: dict[str, Any] | None = None
        self._dirty = False
        self._copied: set[str] = set()
        self._tx_thread: int | None = None
        self._read_signature: Signature | None = None
        self._adopt_journal = False
        self._in_tx = False
        self._events: list[dict[str, Any]] = []
        self._lock: BoardLock | None = None
        self._current_unreadable = False
        self._customer_index: CustomerIndex | None = None
        self.db = TinyDB(self.path, storage=lambda p: AtomicJSONStorage(p, self))

    # ---------------------------------------------------------------- reading
    @property
    def signature(self) -> Signature | None:
        """The signature of the file as last read or committed (None: no file yet)."""
        return self._signature

    def is_current(self, tables: dict[str, Any]) -> bool:
        """Are these the tables of the last read or commit (no commit since they were handed out)?"""
        return tables is self._tables

    def changed_on_disk(self) -> bool:
        """Has another process committed since we last read? (one stat call)"""
        return Signature.of(self.path) != self._signature

    def tables(self) -> dict[str, Any]:
        """The current tables: the staged copy to the transaction's own thread, else a fresh-enough
        read (another thread reading during a transaction sees the last commit, never half of one)."""
        if self._staged is not None and self._tx_thread == threading.get_ident():
            return self._staged
        if self._tables is None or (not self._in_tx and self.changed_on_disk()):
            self.reload()
        assert self._tables is not None
        return self._tables

    def reload(self) -> None:
        """Read the file again. A missing file is an empty new board; a bad one raises."""
        for _attempt in range(5):
            sig = Signature.of(self.path)
            if sig is None:
                self._check_parent()
                self._tables, self._signature = new_tables(), None
                return
            try:
                fd = open_regular(self.path)
            except FileNotFoundError:  # replaced between stat and open: try again
                continue
            except PermissionError:
                raise StoreUnreadable(_("{path}: no permission to read the board file").format(path=self.path)) from None
            with os.fdopen(fd, "rb") as fh, paused_gc():
                tables = read_board_lines(fh)
                if tables is None:  # another layout, or damaged: read it whole
                    fh.seek(0)
                    data = fh.read()
            if Signature.of(self.path) != sig:
                continue  # a writer replaced it while we read: read the new one
            if tables is None:
                tables = parse_board_bytes(self.path, data)
            else:
                tables = check_board_tables(self.path, tables)
            self._tables, self._signature = migrate(tables), sig
            return
        raise StoreUnreadable(_("{path} keeps changing while being read; try again").format(path=self.path))

    def _check_parent(self) -> None:
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise StoreUnreadable(_("{path} is not a directory").format(path=parent))

    @property
    def meta(self) -> dict[str, Any]:
        """The meta record (counters, settings) as read; raises StoreUnreadable."""
        meta: dict[str, Any] = self.tables()["meta"][META_ID]
        return meta

    @property
    def settings(self) -> Mapping[str, Any]:
        """The board's settings as committed (a damaged setting reads as none)."""
        settings = self.meta.get("settings", {})
        return settings if isinstance(settings, dict) else {}

    @property
    def generation(self) -> int:
        """How many commits the board has had."""
        return int(self.meta.get("generation", 0))

    @property
    def read_only_reason(self) -> str | None:
        """Why this board cannot be changed (a newer schema, a read-only file), or None."""
        schema = self.meta.get("schema", SCHEMA_VERSION)
        if schema > SCHEMA_VERSION:
            return _("{path} was written by a newer reqboard (schema {schema}, this one reads up to {known}): it is "
                     "open read-only; upgrade reqboard to change it").format(path=self.path, schema=schema,
                                                                             known=SCHEMA_VERSION)
        return self._file_read_only()

    def _file_read_only(self) -> str | None:
        try:
            st = os.lstat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        # Mode bits first: root may write anything, but a board somebody made read-only stays so.
        if stat.S_ISREG(st.st_mode) and (
            not st.st_mode & 0o222 or not os.access(self.path, os.W_OK, follow_symlinks=False)
        ):
            return _("{path} is read-only (mode {mode}): it is open read-only; make it writable (chmod u+w) to "
                     "change the board").format(path=self.path, mode=f"{stat.S_IMODE(st.st_mode):04o}")
        return None

    # ---------------------------------------------------------------- writing
    def _file_lock(self) -> BoardLock:
        if self._lock is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = BoardLock(self.lock_path, file_mode(self.path.parent))
        return self._lock

    @contextmanager
    def transaction(self, *, over_unreadable: bool = False, adopt_journal: bool = False) -> Iterator[TinyDB]:
        """Lock, read fresh, let the caller change the tables through TinyDB, commit once.

        Raises StoreUnreadable (the file is bad: nothing is written), ReadOnly (newer schema, or a
        read-only file), LockTimeout (another process kept the lock), BoardChangedUnderneath (another
        process wrote the board without the lock: nothing is written), and whatever the body raises
        (nothing written).
        `over_unreadable` is for restoring a backup: a bad current file reads as an empty board
        (the caller must have copied it aside and must stage the whole board).
        `adopt_journal` is for restore and repair: a missing or cut history journal is taken as it is
        (cut to its last whole line) instead of refused.
        """
        if self._in_tx:
            raise RuntimeError("transactions do not nest")
        try:  # refused before the lock file is made: `--store /dev/null add` leaves no /dev/null.lock
            st = os.lstat(self.path)
        except (FileNotFoundError, NotADirectoryError):
            pass
        else:
            if not stat.S_ISREG(st.st_mode):
                raise not_regular(self.path, st.st_mode)
        lock = self._file_lock()
        lock.acquire(LOCK_TIMEOUT_S)
        try:
            self._in_tx = True
            self._tx_thread = threading.get_ident()
            self._adopt_journal = adopt_journal
            if self._tables is None or self.changed_on_disk():
                try:
                    self.reload()
                except StoreUnreadable:
                    if not over_unreadable:
                        raise
                    self._tables, self._signature = new_tables(), Signature.of(self.path)
                    self._current_unreadable = True
            reason = self.read_only_reason
            if reason:
                raise ReadOnly(reason)
            self._read_signature = self._signature
            self._events = []
            self._staged = self._fresh_stage()
            self._dirty = False
            self._copied = set()
            try:
                yield self.db
                if self._dirty or self._events:
                    self._commit()
            except BaseException:
                # TinyDB edits the cached dicts in place: forget them, the disk is unchanged.
                self._tables, self._signature = None, None
                raise
        finally:
            self._staged = None
            self._events = []
            self._in_tx = False
            self._tx_thread = None
            self._adopt_journal = False
            self._current_unreadable = False
            self.db.table("requirements").clear_cache()
            lock.release()

    @property
    def revision(self) -> Revision:
        """The revision committed on disk now (one stat call): equal while nobody commits."""
        return Signature.of(self.path) or ABSENT

    @contextmanager
    def change(self, *, over_unreadable: bool = False, adopt_journal: bool = False) -> Iterator[FileChange]:
        """One change set, staged under the lock on a fresh read and committed at the end of the block
        (unless discarded). Raises what `transaction` raises."""
        with self.transaction(over_unreadable=over_unreadable, adopt_journal=adopt_journal):
            staged = FileChange(self, self._read_signature or ABSENT)
            yield staged
            if staged.discarded:
                self._dirty, self._events = False, []

    def _fresh_stage(self) -> dict[str, Any]:
        """The tables a transaction changes: its own top level and meta record, the rest shared
        until `put` copies a table (once per transaction, not once per record)."""
        assert self._tables is not None
        staged = dict(self._tables)
        staged["meta"] = {doc_id: dict(doc) for doc_id, doc in self._tables["meta"].items()}
        return staged

    def stage(self, data: dict[str, Any]) -> None:
        """Stage a whole board's tables (restore); raises RuntimeError outside a transaction."""
        if not self._in_tx:
            raise RuntimeError("writes to the board happen inside BoardFile.transaction()")
        self._staged = data
        self._dirty = True

    def put(self, table: str, doc_id: int, document: dict[str, Any], *, new: bool = False) -> None:
        """Store one document in a table, inside a transaction (replacing it, unless `new`).

        Cheaper than TinyDB's Table.update/insert, which rebuild the whole table twice per call: the
        table is copied on its first change in a transaction (so another thread reading the last
        commit is unaffected) and changed in place after that.
        Raises ValueError when `new` and the id is taken, as TinyDB's insert does.
        """
        if not self._in_tx or self._staged is None:
            raise RuntimeError("writes to the board happen inside BoardFile.transaction()")
        tables = self._staged
        if table not in self._copied:
            tables[table] = dict(tables[table])
            self._copied.add(table)
        docs = tables[table]
        if new and str(doc_id) in docs:
            raise ValueError(f"document {doc_id} already exists in table {table!r}")  # i18n: not shown (a store bug)
        docs[str(doc_id)] = document
        self._dirty = True

    def remove(self, table: str, doc_id: int) -> None:
        """Remove one document from a table, inside a transaction (copied on its first change, as `put`)."""
        if not self._in_tx or self._staged is None:
            raise RuntimeError("writes to the board happen inside BoardFile.transaction()")
        if table not in self._copied:
            self._staged[table] = dict(self._staged[table])
            self._copied.add(table)
        self._staged[table].pop(str(doc_id), None)
        self._dirty = True

    def record(self, event: dict[str, Any]) -> None:
        """Queue a history event; it is written with the transaction's commit."""
        if not self._in_tx:
            raise RuntimeError("history is written inside BoardFile.transaction()")
        self._events.append(event)

    def _commit(self) -> None:
        tables = self._staged
        assert tables is not None
        meta = tables["meta"][META_ID]
        check_meta(self.path, meta)  # never write counters that reading would refuse (records are the models')
        generation = int(meta.get("generation", 0)) + 1
        mode = self._mode_for_board()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        journal, committed = self.journal.open_for_commit(
            int(meta.get("journal_size", 0)), file_mode(self.path.parent), adopt=self._adopt_journal)
        try:
            # A second lock, on a file nobody deletes to "unlock" a board: whoever writes the board
            # holds it from the journal's append to the board's replace (see _check_unchanged).
            flock_within(journal, self.journal_path)
            self._check_unchanged()
            meta["generation"] = generation
            meta["schema"] = SCHEMA_VERSION
            meta["journal_size"] = self.journal.append(journal, committed, self._events, generation)
            try:
                if not self._current_unreadable and Signature.of(self.path) is not None:
                    # (a bad current file is no backup: restore has kept it aside)
                    self.kept_backups.keep(generation - 1, self._mode_for_board())
            except OSError as exc:
                raise StoreUnreadable(
                    _("{path}: could not keep a backup ({error}); nothing was changed").format(
                        path=self.backup_dir, error=os_reason(exc))
                ) from None
            self._remove_dead_temp_files()
            self._check_unchanged()
            try:
                atomic_write(self.path, board_lines(tables), mode)
            except OSError as exc:
                raise StoreUnreadable(_("{path}: could not write the board ({error})").format(
                    path=self.path, error=os_reason(exc))) from None
            except Unwritable as exc:
                raise StoreUnreadable(
                    _("{path}: {problem}; nothing was written: `reqboard check` says what is damaged, "
                      "`reqboard restore` brings back a backup").format(path=self.path, problem=exc)
                ) from None
        finally:
            os.close(journal)
        self._tables, self._signature = tables, Signature.of(self.path)

    def _check_unchanged(self) -> None:
        """Refuse to replace a board another process wrote since this transaction read it.

        Under the lock that cannot happen, unless the lock file was removed while a writer held it
        (people do, after "locked by another process"); then this writer's commit must not replace
        the other's acknowledged change.
        """
        if Signature.of(self.path) != self._read_signature:
            raise BoardChangedUnderneath(
                _("{path} was changed by another process while this change was being saved (was {lock} removed "
                  "while the board was locked?); nothing was written: try again").format(
                      path=self.path, lock=self.lock_path.name)
            )

    def _remove_dead_temp_files(self) -> None:
        """Temp files of writers killed before their os.replace; under the lock no live writer has one."""
        for tmp in self.path.parent.glob(f".{glob_escape(self.path.name)}.????????.tmp"):
            try:
                if stat.S_ISREG(os.lstat(tmp).st_mode):
                    tmp.unlink()
            except OSError:
                pass

    def _mode_for_board(self) -> int:
        try:
            return stat.S_IMODE(os.lstat(self.path).st_mode)
        except FileNotFoundError:
            return file_mode(self.path.parent)


    # ---------------------------------------------------------------- the storage protocol
    login = None
    """A file knows no login: changes are by the user the board is opened with."""
    instance = None
    """A file is told from another by its path."""
    partial_cards = False
    """Cards are drawn from the whole records (they are in memory anyway)."""
    connection_problem = None
    """A file needs no connection."""

    @property
    def location(self) -> str:
        """Where the board is, as a person reads it."""
        return str(self.path)

    def card_records(self) -> tuple[Mapping[str, Any], Revision | None]:
        """What cards are drawn from: the whole records (see `requirement_records`)."""
        return self.requirement_records()

    def first_cards(self, states: list[str], per_state: int) -> tuple[list[dict[str, Any]], dict[str, int]] | None:
        """A file is read whole anyway: no cheaper first frame."""
        return None

    def card_changes(self, since: Revision) -> set[str] | None:
        """A file is read whole: which records changed is not known."""
        return None

    def watch(self, changed: Callable[[], None]) -> bool:
        """A file cannot tell when another process writes it: the caller looks (`refresh`)."""
        return False

    def close(self) -> None:
        """Nothing to let go of: the file is opened for each read and change."""

    def refresh(self) -> bool:
        """Read the file again if another process committed since; True when it did."""
        if self.changed_on_disk():
            self.reload()
            return True
        return False

    def snapshot(self) -> Snapshot:
        """The stored records as committed now (read again if another process committed)."""
        tables = self.tables()
        return Snapshot.of(tables, tables["meta"][META_ID], self._signature or ABSENT)

    def requirement_records(self) -> tuple[Mapping[str, Any], Revision | None]:
        """The stored requirement records by document id, and the revision they are of: None when
        another thread committed while they were handed out (then nothing may be cached from them)."""
        tables = self.tables()
        records = tables["requirements"]
        return records, (self._signature or ABSENT) if self.is_current(tables) else None

    def requirement_record(self, number: int) -> Mapping[str, Any] | None:
        """The stored record of requirement `number`, or None."""
        record = self.tables()["requirements"].get(str(number))
        return record if isinstance(record, dict) else None

    def customer_records(self) -> Mapping[str, Any]:
        """The stored customer records by document id."""
        customers: Mapping[str, Any] = self.tables()["customers"]
        return customers

    def history(self, key: str | None = None, *, uid: str | None = None,
                field: str | None = None) -> Iterator[dict[str, Any]]:
        """The committed history events (of one requirement key, with its change requests, or of one
        requirement uid under any key; with `field`, only those that changed that field), oldest first.

        The journal's lines are compact JSON: one requirement's lines are found by searching for its key
        or uid as bytes before a line is parsed (and checked again once it is). The whole board's events
        of one field are taken from every line parsed, so that a damaged line is still reported rather
        than passed over (a move lost to damage would change the metrics without a word)."""
        wanted: dict[str, str] = {}
        if uid is not None:
            wanted["uid"] = uid
        elif key is not None:
            wanted["key"] = key
        needle = orjson.dumps(wanted)[1:-1] if wanted else None
        if field is not None:
            wanted["field"] = field
        if not wanted:
            return self.journal_lines()
        return (e for e in self.journal_lines(needle) if all(e.get(n) == v for n, v in wanted.items()))

    def history_mark(self) -> dict[str, Any]:
        """Where the committed history ends now (see `history_since`)."""
        return self.journal.mark(int(self.meta.get("journal_size", 0)))

    def history_since(self, mark: Any, skip_generation: int | None = None) -> Iterator[dict[str, Any]] | None:
        """The committed events after `mark`, leaving out those of generation `skip_generation` right
        after it; None when the mark does not hold for this history (it was replaced or cut)."""
        committed = int(self.meta.get("journal_size", 0))
        if not self.journal.holds(mark, committed, first_generation=skip_generation):
            return None
        return self.journal.lines(committed, start=mark["journal"], skip_generation=skip_generation)

    def customer_index(self, table: dict[str, Any]) -> CustomerIndex:
        """The index of a customers table, made once per version of it (an import of 100,000 rows
        asks for it 100,000 times, and every change of a requirement with a customer once)."""
        index = self._customer_index
        if index is None or not index.is_of(table):
            index = self._customer_index = CustomerIndex(table)
        return index

    def files(self) -> BoardFiles:
        """The board's own files, which an export or a report must never be written onto."""
        return BoardFiles(self.path, self.journal_path, self.lock_path, self.backup_dir)

    def maintenance(self) -> FileMaintenance:
        """Check, repair and restore of this file (see store.filestore.maintenance)."""
        from .maintenance import FileMaintenance

        return FileMaintenance(self)

    # ---------------------------------------------------------------- journal and backups
    def journal_lines(self, needle: bytes | None = None) -> Iterator[dict[str, Any]]:
        """Committed history events, oldest first (see `Journal.lines`); raises StoreUnreadable."""
        return self.journal.lines(int(self.meta.get("journal_size", 0)), needle)

    def journal_size(self) -> int | None:
        """The journal's size on disk, or None when it is missing (see `Journal.size`)."""
        return self.journal.size()

    def read_journal(self) -> bytes | None:
        """The whole journal as it is on disk (committed or not), or None when it is missing."""
        return self.journal.read()

    def replace_journal(self, kept: bytes) -> Path | None:
        """Inside a transaction (repair): copy the journal aside byte for byte, then make `kept` the
        journal and the board's committed history. Returns where the old journal was kept, if any."""
        if not self._in_tx or self._staged is None:
            raise RuntimeError("the journal is replaced inside BoardFile.transaction()")
        kept_aside = self.journal.replace(kept, file_mode(self.path.parent))
        self._staged["meta"][META_ID]["journal_size"] = len(kept)
        self._dirty = True
        return kept_aside

    def backups(self) -> list[Backup]:
        """The kept generations, newest first: regular files only, of generations the board has
        passed (see `backup_junk`: anything else there was put there by someone else)."""
        return self.kept_backups.kept(self._generation_or_none())

    def backup_junk(self) -> list[str]:
        """What sits among the backups but is not one (links, directories, FIFOs, odd names)."""
        return self.kept_backups.junk(self._generation_or_none())

    def _generation_or_none(self) -> int | None:
        try:
            return self.generation
        except StoreUnreadable:
            return None  # a damaged board: its backups are what restore needs

    def read_backup(self, backup: Backup) -> dict[str, Any]:
        """A kept backup's tables, read without following a link; raises StoreUnreadable."""
        return self.kept_backups.read(backup)

    def quarantine_current(self) -> Path | None:
        """Keep the current (bad) file aside, byte for byte, before a restore replaces it: a regular
        file is copied; a link, FIFO or device in the board's place is moved aside, never opened."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return None
        target = aside_path(self.path, "unreadable")
        if stat.S_ISREG(st.st_mode):
            atomic_write(target, read_regular(self.path), self._mode_for_board())
        else:
            os.rename(self.path, target)
        return target


class CustomerIndex:
    """The customers table by casefolded name, and the next free document id."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.table, self.size = table, len(table)
        self.ids: dict[str, str] = {}
        self.next_id = 1
        for doc_id, raw in table.items():
            name = raw.get("name") if isinstance(raw, dict) else None
            if isinstance(name, str):
                self.ids.setdefault(name.casefold(), doc_id)
            if doc_id.isdigit():
                self.next_id = max(self.next_id, int(doc_id) + 1)

    def is_of(self, table: dict[str, Any]) -> bool:
        """Is this the index of `table` as it is now?"""
        return self.table is table and self.size == len(table)

    def added(self, name: str, doc_id: str, table: dict[str, Any]) -> None:
        """Note a customer staged under `doc_id` in `table` (the staged copy of the table)."""
        self.ids[name] = doc_id
        self.next_id = int(doc_id) + 1
        self.table, self.size = table, len(table)


class FileChange:
    """The change set of one `BoardFile.change()`: what a transaction reads and stages.

    Writes go to the staged tables at once (a later read in the same change sees them) and reach
    the disk at the commit, all or nothing.
    """

    def __init__(self, file: BoardFile, revision: Revision) -> None:
        self.file = file
        self.revision = revision
        """The revision the change was read at."""
        self.discarded = False

    def _tables(self) -> dict[str, Any]:
        return self.file.tables()

    def snapshot(self) -> Snapshot:
        """The staged state, as read at the start and changed since."""
        tables = self._tables()
        return Snapshot.of(tables, tables["meta"][META_ID], self.revision)

    def requirement_record(self, number: int) -> dict[str, Any] | None:
        """The staged document of requirement `number`, or None."""
        record = self._tables()["requirements"].get(str(number))
        return record if isinstance(record, dict) else None

    def put_requirement(self, number: int, document: dict[str, Any], *, expected_version: int | None) -> None:
        """Stage a requirement's document: a new one (`expected_version` None) or the next version of
        the stored one. Raises Refused when a new key is taken, Conflict when the stored version is
        not the one expected."""
        current = self._tables()["requirements"].get(str(number))
        if expected_version is None:
            if current is not None:
                raise Refused(_("{key} exists already on {board}").format(key=f"REQ-{number}", board=self.file.path),
                              "key.taken")
        else:
            found = current.get("version") if isinstance(current, dict) else None
            if found != expected_version:
                raise Conflict(
                    _("{key} is at version {found}, not {expected}; re-read it and retry").format(
                        key=f"REQ-{number}", found=found, expected=expected_version),
                    key=f"REQ-{number}", expected=expected_version, actual=found if isinstance(found, int) else 0,
                    by=str(current.get("updated_by", "")) if isinstance(current, dict) else "",
                    at=str(current.get("updated_at", "")) if isinstance(current, dict) else "")
        self.file.put("requirements", number, document, new=expected_version is None)

    def remove_requirement(self, number: int, *, expected_version: int) -> None:
        """Stage requirement `number` removed (a sync moves it to another key); Conflict when the
        stored version is not the one expected."""
        current = self._tables()["requirements"].get(str(number))
        found = current.get("version") if isinstance(current, dict) else None
        if found != expected_version:
            raise Conflict(_("{key} is at version {found}, not {expected}; re-read it and retry").format(
                               key=f"REQ-{number}", found=found, expected=expected_version),
                           key=f"REQ-{number}", expected=expected_version,
                           actual=found if isinstance(found, int) else 0, by="", at="")
        self.file.remove("requirements", number)

    def customer_record(self, name: str) -> dict[str, Any] | None:
        """The staged customer of this name (any case), or None."""
        table = self._tables()["customers"]
        doc_id = self.file.customer_index(table).ids.get(name.strip().casefold())
        return None if doc_id is None else table[doc_id]

    def put_customer(self, document: dict[str, Any]) -> None:
        """Stage a customer's document, replacing the stored one of the same name (any case)."""
        index = self.file.customer_index(self._tables()["customers"])
        name = str(document["name"]).casefold()
        doc_id = index.ids.get(name)
        new = doc_id is None
        if doc_id is None:
            doc_id = str(index.next_id)
        # Explicit ids: TinyDB caches its next id per Table object, which goes stale across processes.
        self.file.put("customers", int(doc_id), document)
        if new:
            index.added(name, doc_id, self._tables()["customers"])

    def remove_customer(self, name: str) -> None:
        """Stage the customer of this name (any case) removed (a rename); nothing when there is none."""
        index = self.file.customer_index(self._tables()["customers"])
        doc_id = index.ids.get(name.strip().casefold())
        if doc_id is not None:
            self.file.remove("customers", int(doc_id))  # the index is made again: the table changed size

    def meta(self) -> dict[str, Any]:
        """The staged meta record (counters, settings): read it, change it with `set_meta`."""
        meta: dict[str, Any] = self._tables()["meta"][META_ID]
        return meta

    def set_meta(self, **values: Any) -> None:
        """Stage new values of meta fields (counters, settings)."""
        self.file.put("meta", int(META_ID), {**self.meta(), **values})

    def record(self, event: dict[str, Any]) -> None:
        """Stage a history event (written to the journal with the commit)."""
        self.file.record(event)

    def discard(self) -> None:
        """Leave without writing: the block runs to its end, and nothing is committed."""
        self.discarded = True

