"""The board file on disk: a TinyDB JSON file that is never half-written, never silently overwritten.

Layout next to `board.json`:
  board.json                  TinyDB tables `meta`, `customers`, `requirements` (the commit point)
  board.json.lock             the inter-process lock taken around every read-modify-write
  board.json.history.jsonl    the append-only history journal, one event a line
  board.json.backups/         the last few generations, hard links of replaced files

A commit (a) appends the transaction's events to the journal and fsyncs it, then (b) writes the tables
to a temp file, fsyncs it, links the current file into the backups, `os.replace`s the temp file over
the board and fsyncs the directory. The meta record holds the journal's committed length, so lines a
crashed writer appended after (a) but before (b) are never read and are cut by the next commit.

The board is ordinary JSON that TinyDB itself can read, written one requirement a line:

    {"meta":{"1":{...}},"customers":{...},"requirements":{
    "1":{...},
    "2":{...}
    }}

so that it is read a line at a time (no second copy of a 15 MB file and of its parse tree in memory:
40 MB less at 10,000 requirements) and written a record at a time. A file in any other layout (an
older reqboard's, or edited by hand) is read whole, as JSON; a layout that is almost but not quite
this one is read whole too, so that JSON itself says what is wrong, and where.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

from .errors import LockTimeout, ReadOnly, StoreUnreadable

if TYPE_CHECKING:
    from filelock import FileLock

FORMAT = "reqboard"
SCHEMA_VERSION = 1
TABLES = ("meta", "customers", "requirements")
META_ID = "1"
KEEP_BACKUPS = 5
LOCK_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Signature:
    """What identifies one version of the file on disk without reading it."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Signature | None:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


def shared_dir(directory: Path) -> bool:
    """A directory with the setgid bit is shared with its group: new files are group-writable."""
    try:
        return bool(os.stat(directory).st_mode & stat.S_ISGID)
    except OSError:
        return False


def file_mode(directory: Path) -> int:
    return 0o660 if shared_dir(directory) else 0o600


def new_file_mode() -> int:
    """The mode `open()` would give a new file: 0666 less the process's umask (for exports and reports,
    which belong to the user, unlike the board's own files)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not supported (e.g. Windows): the replace itself is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, payload: bytes | Iterable[bytes], mode: int) -> None:
    """Write `payload` (bytes, or pieces of them) to `path` so that a reader sees the old bytes or
    the new, never a mix."""
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            if isinstance(payload, bytes):
                fh.write(payload)
            else:
                fh.writelines(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(directory)


def describe_json_error(path: Path, data: bytes, exc: orjson.JSONDecodeError) -> str:
    pos = getattr(exc, "pos", None)
    if pos is None:
        return f"{path} is not valid JSON ({exc})"
    line = data.count(b"\n", 0, pos) + 1
    column = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    what = "ends early (truncated?)" if pos >= len(data.rstrip()) else "is not valid JSON"
    return f"{path} {what} at line {line}, column {column} (byte {pos}): {exc.msg}"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that are all kept.

    Loading a board creates about a hundred dicts and lists per requirement; the collector would
    rescan all of them again and again while they are made (half the load time at 10,000).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_LINES_TABLE = "requirements"
_LINES_OPEN = b',"requirements":{\n'
_LINES_CLOSE = b"}}\n"
_LINES_BATCH = 256


def board_lines(tables: dict[str, Any]) -> Iterator[bytes]:
    """The board file's bytes, in pieces: the other tables on the first line, then one requirement
    a line (see the module docstring)."""
    others = {name: table for name, table in tables.items() if name != _LINES_TABLE}
    yield orjson.dumps(others)[:-1] + _LINES_OPEN
    records = tables.get(_LINES_TABLE, {})
    last = len(records) - 1
    batch: list[bytes] = []
    dumps = orjson.dumps
    for n, (doc_id, record) in enumerate(records.items()):
        batch.append(b"%s:%s%s" % (dumps(doc_id), dumps(record), b"\n" if n == last else b",\n"))
        if len(batch) == _LINES_BATCH:
            yield b"".join(batch)
            batch = []
    batch.append(_LINES_CLOSE)
    yield b"".join(batch)


def read_board_lines(fh: Any) -> dict[str, Any] | None:
    """Read a board file written by `board_lines`, a line at a time; None if it is laid out in
    any other way (the caller then reads it whole, so that a damaged file is reported as JSON)."""
    first = fh.readline()
    if not first.endswith(_LINES_OPEN) or not first.startswith(b"{"):
        return None
    loads = orjson.loads
    try:
        tables = loads(first[: -len(_LINES_OPEN)] + b"}")
        if not isinstance(tables, dict) or _LINES_TABLE in tables:
            return None
        records: dict[str, Any] = {}
        previous = b""
        for line in fh:
            last = previous.endswith(b"}\n")  # a record line without its comma ends the table
            if line == _LINES_CLOSE:
                if (previous and not last) or fh.read(1):
                    return None  # a comma before the end, or bytes after it
                tables[_LINES_TABLE] = records
                return tables
            if last:
                return None
            doc_id, colon, record = line.partition(b":")
            key = loads(doc_id) if colon else None
            if not isinstance(key, str):
                return None
            records[key] = loads(record[:-2] if line.endswith(b",\n") else record)
            previous = line
    except (orjson.JSONDecodeError, TypeError):
        return None
    return None  # ended before the closing line: truncated


def parse_board_bytes(path: Path, data: bytes) -> dict[str, Any]:
    """Parse and check the top level of a board file; raise StoreUnreadable naming what is wrong."""
    if not data.strip():
        raise StoreUnreadable(
            f"{path} is empty ({len(data)} bytes): refusing to treat it as a new board; "
            "restore a backup with `reqboard restore` or move the file away"
        )
    try:
        with paused_gc():
            tables = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StoreUnreadable(
            describe_json_error(path, data, exc)
            + "; the file was left untouched (see `reqboard restore --list`)"
        ) from None
    return check_board_tables(path, tables)


def check_board_tables(path: Path, tables: Any) -> dict[str, Any]:
    """Check the top level of a parsed board file; raise StoreUnreadable naming what is wrong."""
    if not isinstance(tables, dict):
        raise StoreUnreadable(f"{path} is JSON but not a reqboard board (top level is not an object)")
    meta = tables.get("meta", {}).get(META_ID) if isinstance(tables.get("meta"), dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise StoreUnreadable(
            f"{path} is JSON but not a reqboard board (no reqboard meta record); "
            "it was left untouched: point --store at a board file"
        )
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise StoreUnreadable(f"{path}: the meta record has no valid schema version ({schema!r})")
    for name in TABLES:
        table = tables.setdefault(name, {})
        if not isinstance(table, dict):
            raise StoreUnreadable(f"{path}: table {name!r} is not an object")
    return tables


# Migrations: schema N -> N+1, applied in memory on read; the file is rewritten on the next commit
# (the pre-migration file is kept among the backups).
MIGRATIONS: dict[int, Any] = {}


def migrate(tables: dict[str, Any]) -> dict[str, Any]:
    meta = tables["meta"][META_ID]
    while meta["schema"] < SCHEMA_VERSION:
        step = MIGRATIONS[meta["schema"]]
        tables = step(tables)
        meta = tables["meta"][META_ID]
        meta["schema"] += 1
    return tables


def new_tables() -> dict[str, Any]:
    return {
        "meta": {
            META_ID: {
                "format": FORMAT,
                "schema": SCHEMA_VERSION,
                "generation": 0,
                "next_requirement": 1,
                "next_change_request": 1,
                "journal_size": 0,
                "settings": {},
            }
        },
        "customers": {},
        "requirements": {},
    }


class AtomicJSONStorage(Storage):
    """TinyDB storage over the board file. Inside a transaction it reads once and writes once.

    TinyDB calls `read()`/`write()` on every table operation; here they work on an in-memory copy
    that `BoardFile` loads at the start of a transaction and commits at its end.
    """

    def __init__(self, path: str | Path, board: BoardFile) -> None:
        self.path = Path(path)
        self.board = board

    def read(self) -> dict[str, Any] | None:
        return self.board.tables()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.board.stage(data)

    def close(self) -> None:
        pass


class BoardFile:
    """One board on disk. Thread-safe for one writer at a time per process; safe across processes."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path).expanduser().absolute()
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_path = self.path.with_name(self.path.name + ".history.jsonl")
        self.backup_dir = self.path.with_name(self.path.name + ".backups")
        self.create = create
        self._tables: dict[str, Any] | None = None
        self._signature: Signature | None = None
        self._staged: dict[str, Any] | None = None
        self._in_tx = False
        self._events: list[dict[str, Any]] = []
        self._lock: FileLock | None = None
        self._current_unreadable = False
        self.db = TinyDB(self.path, storage=lambda p: AtomicJSONStorage(p, self))

    # ---------------------------------------------------------------- reading
    @property
    def signature(self) -> Signature | None:
        return self._signature

    def changed_on_disk(self) -> bool:
        """Has another process committed since we last read? (one stat call)"""
        return Signature.of(self.path) != self._signature

    def tables(self) -> dict[str, Any]:
        """The current tables: the staged copy inside a transaction, else a fresh-enough read."""
        if self._staged is not None:
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
                with open(self.path, "rb") as fh, paused_gc():
                    tables = read_board_lines(fh)
                    if tables is None:  # another layout, or damaged: read it whole
                        fh.seek(0)
                        data = fh.read()
            except FileNotFoundError:  # replaced between stat and open: try again
                continue
            except PermissionError:
                raise StoreUnreadable(f"{self.path}: no permission to read the board file") from None
            except IsADirectoryError:
                raise StoreUnreadable(f"{self.path} is a directory, not a board file") from None
            if Signature.of(self.path) != sig:
                continue  # a writer replaced it while we read: read the new one
            if tables is None:
                tables = parse_board_bytes(self.path, data)
            else:
                tables = check_board_tables(self.path, tables)
            self._tables, self._signature = migrate(tables), sig
            return
        raise StoreUnreadable(f"{self.path} keeps changing while being read; try again")

    def _check_parent(self) -> None:
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise StoreUnreadable(f"{parent} is not a directory")

    @property
    def meta(self) -> dict[str, Any]:
        return self.tables()["meta"][META_ID]

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    @property
    def read_only_reason(self) -> str | None:
        schema = self.meta.get("schema", SCHEMA_VERSION)
        if schema > SCHEMA_VERSION:
            return (
                f"{self.path} was written by a newer reqboard (schema {schema}, this one reads "
                f"up to {SCHEMA_VERSION}): it is open read-only; upgrade reqboard to change it"
            )
        return None

    # ---------------------------------------------------------------- writing
    def _file_lock(self) -> FileLock:
        if self._lock is None:
            # Imported with the first write: filelock's package is 15 ms of start-up, and reading
            # (opening the board, `show`, `list`) never takes the lock.
            from filelock import FileLock

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = FileLock(
                self.lock_path,
                timeout=LOCK_TIMEOUT_S,
                mode=file_mode(self.path.parent),
                thread_local=False,
            )
        return self._lock

    @contextmanager
    def transaction(self, *, over_unreadable: bool = False) -> Iterator[TinyDB]:
        """Lock, read fresh, let the caller change the tables through TinyDB, commit once.

        Raises StoreUnreadable (the file is bad: nothing is written), ReadOnly (newer schema),
        LockTimeout (another process kept the lock), and whatever the body raises (nothing written).
        `over_unreadable` is for restoring a backup: a bad current file reads as an empty board
        (the caller must have copied it aside and must stage the whole board).
        """
        if self._in_tx:
            raise RuntimeError("transactions do not nest")
        from filelock import Timeout

        lock = self._file_lock()
        try:
            lock.acquire()
        except Timeout:
            raise LockTimeout(
                f"{self.path} is locked by another process (waited {LOCK_TIMEOUT_S:.0f} s); "
                "try again in a moment"
            ) from None
        except PermissionError:
            raise StoreUnreadable(f"{self.lock_path}: no permission to lock the board") from None
        try:
            self._in_tx = True
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
            self._events = []
            self._staged = None
            try:
                yield self.db
                if self._staged is not None or self._events:
                    self._commit()
            except BaseException:
                # TinyDB edits the cached dicts in place: forget them, the disk is unchanged.
                self._tables, self._signature = None, None
                raise
        finally:
            self._staged = None
            self._events = []
            self._in_tx = False
            self._current_unreadable = False
            self.db.table("requirements").clear_cache()
            lock.release()

    def stage(self, data: dict[str, Any]) -> None:
        if not self._in_tx:
            raise RuntimeError("writes to the board happen inside BoardFile.transaction()")
        self._staged = data

    def put(self, table: str, doc_id: int, document: dict[str, Any], *, new: bool = False) -> None:
        """Store one document in a table, inside a transaction (replacing it, unless `new`).

        Cheaper than TinyDB's Table.update/insert, which rebuild the whole table twice per call.
        The table is copied, not changed in place, so a reader iterating the old one is unaffected.
        Raises ValueError when `new` and the id is taken, as TinyDB's insert does.
        """
        if not self._in_tx:
            raise RuntimeError("writes to the board happen inside BoardFile.transaction()")
        tables = self.tables()
        docs = dict(tables[table])
        if new and str(doc_id) in docs:
            raise ValueError(f"document {doc_id} already exists in table {table!r}")
        docs[str(doc_id)] = document
        tables[table] = docs
        self.stage(tables)

    def record(self, event: dict[str, Any]) -> None:
        """Queue a history event; it is written with the transaction's commit."""
        if not self._in_tx:
            raise RuntimeError("history is written inside BoardFile.transaction()")
        self._events.append(event)

    def _commit(self) -> None:
        tables = self._staged if self._staged is not None else self.tables()
        meta = tables["meta"][META_ID]
        generation = int(meta.get("generation", 0)) + 1
        meta["generation"] = generation
        meta["schema"] = SCHEMA_VERSION
        meta["journal_size"] = self._append_journal(int(meta.get("journal_size", 0)), generation)
        mode = self._mode_for_board()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._backup_current(generation - 1)
        self._remove_dead_temp_files()
        try:
            atomic_write(self.path, board_lines(tables), mode)
        except OSError as exc:
            raise StoreUnreadable(f"{self.path}: could not write the board ({exc.strerror})") from None
        self._tables, self._signature = tables, Signature.of(self.path)

    def _remove_dead_temp_files(self) -> None:
        """Temp files of writers killed before their os.replace; under the lock no live writer has one."""
        for tmp in self.path.parent.glob(f".{glob_escape(self.path.name)}.????????.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass

    def _mode_for_board(self) -> int:
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except FileNotFoundError:
            return file_mode(self.path.parent)

    def _append_journal(self, committed: int, generation: int) -> int:
        if not self._events:
            return committed
        lines = b"".join(
            orjson.dumps({**event, "generation": generation}) + b"\n" for event in self._events
        )
        try:
            fd = os.open(self.journal_path, os.O_RDWR)
        except FileNotFoundError:
            if committed:  # the board has history: a missing journal is lost history, not a new one
                raise StoreUnreadable(
                    f"{self.journal_path} is missing but the board records {committed} bytes of "
                    "history; it was not recreated"
                ) from None
            mode = file_mode(self.path.parent)
            fd = os.open(self.journal_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
            os.fchmod(fd, mode)  # the umask must not take the group's write permission away
        try:
            size = os.fstat(fd).st_size
            if size > committed:
                # Lines from a writer that died before its commit: they never happened.
                os.ftruncate(fd, committed)
            elif size < committed:
                raise StoreUnreadable(
                    f"{self.journal_path} is shorter than the board says ({size} < {committed} "
                    "bytes): the history was truncated; it was left untouched"
                )
            os.lseek(fd, committed, os.SEEK_SET)
            view = memoryview(lines)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        return committed + len(lines)

    def _backup_current(self, generation: int) -> None:
        if not self.path.exists() or self._current_unreadable:
            return  # a bad current file is no backup (restore has quarantined it)
        try:
            self.backup_dir.mkdir(mode=0o700)
        except FileExistsError:
            pass
        else:  # as for the journal: not the umask but the directory decides who may write
            mode = 0o770 if shared_dir(self.path.parent) else 0o700
            os.chmod(self.backup_dir, stat.S_IMODE(os.stat(self.backup_dir).st_mode) | mode)
        target = self.backup_dir / f"{self.path.stem}.gen-{generation:08d}.json"
        try:
            os.link(self.path, target)
        except FileExistsError:
            pass
        except OSError as exc:  # file systems without hard links (FAT on a USB stick)
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            atomic_write(target, self.path.read_bytes(), self._mode_for_board())
        self._prune_backups()

    def _prune_backups(self) -> None:
        for old in self.backups()[KEEP_BACKUPS:]:
            try:
                old.path.unlink()
            except FileNotFoundError:
                pass

    # ---------------------------------------------------------------- backups
    def backups(self) -> list[Backup]:
        """The kept generations, newest first."""
        if not self.backup_dir.is_dir():
            return []
        found = []
        for path in self.backup_dir.glob(f"{self.path.stem}.gen-*.json"):
            try:
                generation = int(path.stem.rsplit("gen-", 1)[1])
            except ValueError:
                continue
            st = path.stat()
            found.append(Backup(generation, path, st.st_mtime, st.st_size))
        return sorted(found, key=lambda b: b.generation, reverse=True)

    def quarantine_current(self) -> Path | None:
        """Copy the current (bad) file aside, byte for byte, before a restore replaces it."""
        if not self.path.exists():
            return None
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}")
        n = 1
        while target.exists():  # never replace an earlier quarantined file
            n += 1
            target = self.path.with_name(f"{self.path.name}.unreadable-{stamp}-{n}")
        atomic_write(target, self.path.read_bytes(), self._mode_for_board())
        return target

    # ---------------------------------------------------------------- journal
    def journal_lines(self, needle: bytes | None = None) -> Iterator[dict[str, Any]]:
        """Committed history events, oldest first; `needle` pre-filters lines before parsing.

        The journal is read in blocks, and with a needle only the lines that contain it are
        cut out (a C-level search), so one requirement's history costs a scan, not a parse.
        """
        for block in self._journal_blocks():
            for line in block.splitlines() if needle is None else _lines_with(block, needle):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise StoreUnreadable(
                        f"{self.journal_path}: a history line is not valid JSON"
                    ) from None

    def _journal_blocks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The committed part of the journal in blocks that end at line ends."""
        remaining = int(self.meta.get("journal_size", 0))
        if remaining == 0:
            return
        try:
            fh = open(self.journal_path, "rb")
        except FileNotFoundError:
            raise StoreUnreadable(
                f"{self.journal_path} is missing but the board records {remaining} bytes of history"
            ) from None
        with fh:
            carry = b""
            while remaining > 0:
                chunk = fh.read(min(size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                block = carry + chunk
                carry = b""
                if remaining > 0:
                    cut = block.rfind(b"\n") + 1
                    block, carry = block[:cut], block[cut:]
                if block:  # a line longer than a block keeps accumulating in `carry`
                    yield block
            if carry:
                yield carry


def _lines_with(block: bytes, needle: bytes) -> Iterator[bytes]:
    position = block.find(needle)
    while position != -1:
        start = block.rfind(b"\n", 0, position) + 1
        end = block.find(b"\n", position)
        end = len(block) if end == -1 else end
        yield block[start:end]
        position = block.find(needle, end)


@dataclass(frozen=True)
class Backup:
    generation: int
    path: Path
    mtime: float
    size: int
