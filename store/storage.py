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
import fcntl
import gc
import os
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

from .errors import BoardChangedUnderneath, Conflict, LockTimeout, ReadOnly, Refused, StoreUnreadable
from .snapshot import ABSENT, Revision, Snapshot

FORMAT = "reqboard"
SCHEMA_VERSION = 1
TABLES = ("meta", "customers", "requirements")
META_ID = "1"
KEEP_BACKUPS = 5
LOCK_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Signature(Revision):
    """What identifies one version of the file on disk without reading it (the file's revision)."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Signature | None:
        try:
            st = os.lstat(path)  # a link put in the board's place is a change, never followed
        except (FileNotFoundError, NotADirectoryError):
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
}


def kind_of(mode: int, otherwise: str = "not a regular file") -> str:
    """What a file is, in words, from its `st_mode` ("a directory", "a FIFO (named pipe)", ...)."""
    return _KINDS.get(stat.S_IFMT(mode), otherwise)


def not_regular(path: Path, mode: int) -> StoreUnreadable:
    """The refusal for a board's file that is not a plain file (it is never read, written or followed)."""
    kind = kind_of(mode)
    hint = (
        "reqboard follows no link inside a board's directory; point --store at the real board file"
        if stat.S_ISLNK(mode)
        else "it was left alone; move it away or point --store elsewhere"
    )
    return StoreUnreadable(f"{path} is {kind}, not a regular file: {hint}")


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o600, *, single_link: bool = False) -> int:
    """Open one of a board's files without following a link or blocking on a FIFO or device.

    Returns the descriptor of a regular file. Raises StoreUnreadable for a symbolic link, a FIFO, a
    device, a directory or anything else that is not a regular file (nothing is read or written then),
    and with `single_link` for a file with other hard links (the journal and the lock are never linked
    by reqboard: a hard link to them is somebody else's file, which a commit would cut);
    FileNotFoundError when it does not exist (and `flags` do not create it), PermissionError.
    """
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise not_regular(path, stat.S_IFLNK) from None
        if exc.errno in (errno.EISDIR, errno.ENXIO, errno.EOPNOTSUPP):
            raise not_regular(path, os.lstat(path).st_mode) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise not_regular(path, st.st_mode)
    if single_link and st.st_nlink > 1:
        os.close(fd)
        raise StoreUnreadable(
            f"{path} has {st.st_nlink} hard links: it is also another file, which reqboard will not "
            "write to; move it away (keep a copy) and try again"
        )
    return fd


def read_regular(path: Path) -> bytes:
    """The bytes of one of a board's files (a backup, the journal), refused as `open_regular` says."""
    with os.fdopen(open_regular(path), "rb") as fh:
        return fh.read()


def board_location(path: str | Path) -> Path:
    """Where a board is: its directory resolved once (a linked directory is followed there), and
    the file's own name in it, which is never followed (see `open_regular`).

    Raises StoreUnreadable when `path` names no file (`/`, `.`, `dir/`).
    """
    given = Path(path).expanduser()
    if not given.name or given.name in (".", "..") or str(path).endswith(os.sep):
        raise StoreUnreadable(f"{path} is a directory, not a board file: give a file name, e.g. {given / 'board.json'}")
    return Path(os.path.realpath(given.absolute().parent)) / given.name


class BoardLock:
    """The inter-process lock around every read-modify-write: `flock` on `<board>.lock`.

    The lock file is never followed if it is a link, and is checked after locking to still be the
    file at that path: a lock file removed while another process held it ("locked by another
    process", so somebody deleted it) is not a lock, and the next process locks the new one.
    """

    def __init__(self, path: Path, mode: int) -> None:
        self.path = path
        self.mode = mode
        self._fd: int | None = None

    def acquire(self, timeout: float) -> None:
        """Raises LockTimeout after `timeout` seconds, StoreUnreadable for a lock that is no file."""
        deadline = time.monotonic() + timeout
        delay = 0.001
        while True:
            try:
                fd = open_regular(self.path, os.O_RDWR | os.O_CREAT, self.mode, single_link=True)
            except PermissionError:
                raise StoreUnreadable(f"{self.path}: no permission to lock the board") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"{self.path.with_suffix('')} is locked by another process (waited {timeout:.0f} s); "
                        "try again in a moment"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
                continue
            except BaseException:
                os.close(fd)
                raise
            try:
                here = os.lstat(self.path)
            except FileNotFoundError:
                here = None
            mine = os.fstat(fd)
            if here is None or (here.st_dev, here.st_ino) != (mine.st_dev, mine.st_ino):
                os.close(fd)  # removed or replaced while we waited: lock the file that is there now
                continue
            if stat.S_IMODE(mine.st_mode) != self.mode and mine.st_uid == os.geteuid():
                try:  # the umask must not take the group's write permission away
                    os.fchmod(fd, self.mode)
                except OSError:
                    pass
            self._fd = fd
            return

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops the flock


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


def write_durably(fh: Any, payload: bytes | Iterable[bytes]) -> None:
    """Write `payload` (bytes, or pieces of them) to an open file and flush it to the disk."""
    if isinstance(payload, bytes):
        fh.write(payload)
    else:
        fh.writelines(payload)
    fh.flush()
    os.fsync(fh.fileno())


def atomic_write(path: Path, payload: bytes | Iterable[bytes], mode: int) -> None:
    """Write `payload` (bytes, or pieces of them) to `path` so that a reader sees the old bytes or
    the new, never a mix."""
    directory = path.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            write_durably(fh, payload)
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


class Unwritable(Exception):
    """A record read from a damaged board that JSON cannot write again."""


def board_lines(tables: dict[str, Any]) -> Iterator[bytes]:
    """The board file's bytes, in pieces: the other tables on the first line, then one requirement
    a line (see the module docstring)."""
    others = {name: table for name, table in tables.items() if name != _LINES_TABLE}
    try:
        first = orjson.dumps(others)
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise Unwritable(f"the customers or meta table cannot be written back ({exc})") from None
    yield first[:-1] + _LINES_OPEN
    records = tables.get(_LINES_TABLE, {})
    last = len(records) - 1
    batch: list[bytes] = []
    dumps = orjson.dumps
    for n, (doc_id, record) in enumerate(records.items()):
        try:
            line = dumps(record)
        except (TypeError, orjson.JSONEncodeError) as exc:  # too deep, an int past 64 bits
            raise Unwritable(f"requirements record {_short(doc_id)} cannot be written back ({exc})") from None
        batch.append(b"%s:%s%s" % (dumps(doc_id), line, b"\n" if n == last else b",\n"))
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
    data = data.removeprefix(b"\xef\xbb\xbf")  # saved by an editor that marks UTF-8 with a BOM
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
    check_meta(path, meta)
    for name in ("requirements", "customers"):
        for doc_id, record in tables[name].items():
            if not isinstance(record, dict):
                raise StoreUnreadable(
                    f"{path}: {name} record {_short(doc_id)} is not an object ({_short(record)}); "
                    "`reqboard restore` brings back a backup"
                )
    return tables


def check_meta(path: Path, meta: dict[str, Any]) -> None:
    """Check the meta record's counters and settings; raise StoreUnreadable naming a damaged one."""
    for counter in ("generation", "next_requirement", "next_change_request", "journal_size"):
        value = meta.get(counter, 0)
        if type(value) is not int or not 0 <= value <= MAX_COUNTER:
            raise StoreUnreadable(
                f"{path}: the meta record's {counter} is damaged ({_short(value)}); "
                "`reqboard restore` brings back a backup"
            )
    if not isinstance(meta.get("settings", {}), dict):
        raise StoreUnreadable(f"{path}: the meta record's settings are damaged; `reqboard restore` brings back a backup")


MAX_COUNTER = 2**53 - 1
"""The largest counter or size a board records (what every JSON reader reads exactly)."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


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
    """One board on disk. Thread-safe for one writer at a time per process; safe across processes.

    Every file of a board (the board, its journal, lock, backups) is opened without following a link
    and refused unless it is a regular file (see `open_regular`): a member of a shared directory who
    plants a link there cannot make another member's reqboard read, cut or copy the file it points at.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = board_location(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.journal_path = self.path.with_name(self.path.name + ".history.jsonl")
        self.backup_dir = self.path.with_name(self.path.name + ".backups")
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
        self.db = TinyDB(self.path, storage=lambda p: AtomicJSONStorage(p, self))

    # ---------------------------------------------------------------- reading
    @property
    def signature(self) -> Signature | None:
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
                raise StoreUnreadable(f"{self.path}: no permission to read the board file") from None
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
        """Why this board cannot be changed (a newer schema, a read-only file), or None."""
        schema = self.meta.get("schema", SCHEMA_VERSION)
        if schema > SCHEMA_VERSION:
            return (
                f"{self.path} was written by a newer reqboard (schema {schema}, this one reads "
                f"up to {SCHEMA_VERSION}): it is open read-only; upgrade reqboard to change it"
            )
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
            return (
                f"{self.path} is read-only (mode {stat.S_IMODE(st.st_mode):04o}): it is open read-only; "
                "make it writable (chmod u+w) to change the board"
            )
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
            raise ValueError(f"document {doc_id} already exists in table {table!r}")
        docs[str(doc_id)] = document
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
        journal, committed = self._open_journal(int(meta.get("journal_size", 0)))
        try:
            # A second lock, on a file nobody deletes to "unlock" a board: whoever writes the board
            # holds it from the journal's append to the board's replace (see _check_unchanged).
            _flock(journal, self.journal_path)
            self._check_unchanged()
            meta["generation"] = generation
            meta["schema"] = SCHEMA_VERSION
            meta["journal_size"] = self._append_journal(journal, committed, generation)
            try:
                self._backup_current(generation - 1)
            except OSError as exc:
                raise StoreUnreadable(
                    f"{self.backup_dir}: could not keep a backup ({exc.strerror}); nothing was changed"
                ) from None
            self._remove_dead_temp_files()
            self._check_unchanged()
            try:
                atomic_write(self.path, board_lines(tables), mode)
            except OSError as exc:
                raise StoreUnreadable(f"{self.path}: could not write the board ({exc.strerror})") from None
            except Unwritable as exc:
                raise StoreUnreadable(
                    f"{self.path}: {exc}; nothing was written: `reqboard check` says what is damaged, "
                    "`reqboard restore` brings back a backup"
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
                f"{self.path} was changed by another process while this change was being saved "
                f"(was {self.lock_path.name} removed while the board was locked?); nothing was "
                "written: try again"
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

    def _open_journal(self, committed: int) -> tuple[int, int]:
        """The journal's descriptor (created if the board has no history yet) and its committed length.

        A journal that is missing or shorter than the board records is lost history: refused, unless
        the transaction adopts the journal as it is (restore, repair), cut to its last whole line.
        """
        flags = os.O_RDWR
        if committed == 0 or self._adopt_journal:
            flags |= os.O_CREAT
        mode = file_mode(self.path.parent)
        try:
            fd = open_regular(self.journal_path, flags, mode, single_link=True)
        except FileNotFoundError:
            raise StoreUnreadable(
                f"{self.journal_path} is missing but the board records {committed} bytes of history; "
                "it was not recreated: `reqboard check --repair` starts a new journal (the lost history "
                "stays lost), or bring the file back"
            ) from None
        st = os.fstat(fd)
        if st.st_size == 0 and st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != mode:
            os.fchmod(fd, mode)  # a new journal: the umask must not take the group's write permission away
        if st.st_size < committed:
            if not self._adopt_journal:
                os.close(fd)
                raise StoreUnreadable(
                    f"{self.journal_path} is shorter than the board says ({st.st_size} < {committed} "
                    "bytes): the history was truncated; it was left untouched "
                    "(`reqboard check --repair` keeps the history that is left)"
                )
            committed = _last_line_end(fd, st.st_size)
        return fd, committed

    def _append_journal(self, fd: int, committed: int, generation: int) -> int:
        size = os.fstat(fd).st_size
        if size > committed:
            # Lines from a writer that died before its commit: they never happened.
            os.ftruncate(fd, committed)
        if not self._events:
            return committed
        lines = b"".join(
            orjson.dumps({**event, "generation": generation}) + b"\n" for event in self._events
        )
        if committed and os.pread(fd, 1, committed - 1) != b"\n":
            lines = b"\n" + lines  # a damaged last line: never glue new history onto it
        os.lseek(fd, committed, os.SEEK_SET)
        view = memoryview(lines)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        return committed + len(lines)

    def replace_journal(self, kept: bytes) -> Path | None:
        """Inside a transaction (repair): copy the journal aside byte for byte, then make `kept` the
        journal and the board's committed history. Returns where the old journal was kept, if any."""
        if not self._in_tx or self._staged is None:
            raise RuntimeError("the journal is replaced inside BoardFile.transaction()")
        kept_aside = None
        try:
            old = read_regular(self.journal_path)
        except FileNotFoundError:
            old = None
        if old is not None and old != kept:
            kept_aside = self._aside(self.journal_path, "damaged")
            atomic_write(kept_aside, old, file_mode(self.path.parent))
        atomic_write(self.journal_path, kept, file_mode(self.path.parent))
        self._staged["meta"][META_ID]["journal_size"] = len(kept)
        self._dirty = True
        return kept_aside

    def _backup_current(self, generation: int) -> None:
        if self._current_unreadable or Signature.of(self.path) is None:
            return  # a bad current file is no backup (restore has quarantined it)
        folder = self._backup_dir_fd()
        try:
            name = f"{self.path.stem}.gen-{generation:08d}.json"
            # Linked under a new name and renamed into place, all relative to the folder's descriptor:
            # whatever already has the backup's name (a planted link, a stray file) is replaced, never
            # written through, and a folder swapped for a link meanwhile is not followed.
            tmp = f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            _remove_junk(tmp, folder)
            try:
                os.link(self.path, tmp, dst_dir_fd=folder, follow_symlinks=False)
            except OSError as exc:  # file systems without hard links (FAT on a USB stick)
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             self._mode_for_board(), dir_fd=folder)
                with os.fdopen(fd, "wb") as fh:
                    write_durably(fh, read_regular(self.path))
            try:
                os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError as exc:
                _remove_junk(tmp, folder)
                if exc.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                    raise
                # a directory sits at the backup's name: skip this backup, keep the change
        finally:
            os.close(folder)
        self._prune_backups()

    def _backup_dir_fd(self) -> int:
        """The backups folder, opened without following a link (made if missing); raises
        StoreUnreadable when something else has its name."""
        made = False
        try:
            self.backup_dir.mkdir(mode=0o700)
            made = True
        except FileExistsError:
            pass
        try:
            fd = os.open(self.backup_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            st = os.lstat(self.backup_dir)
            kind = kind_of(st.st_mode, "not a directory")
            raise StoreUnreadable(
                f"{self.backup_dir} is {kind}, not the board's backups directory: reqboard does not "
                "write through it; move it away and try again"
            ) from None
        if made:  # as for the journal: not the umask but the directory decides who may write
            mode = 0o770 if shared_dir(self.path.parent) else 0o700
            os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) | mode)
        return fd

    def _prune_backups(self) -> None:
        # Under the board's lock and the journal's, a temp link in the folder is a dead writer's.
        for path, st in self._backup_entries(hidden=True):
            if path.name.endswith(".tmp") and not stat.S_ISDIR(st.st_mode):
                _remove_junk(path)
        for old in self.backups()[KEEP_BACKUPS:]:
            try:
                old.path.unlink()
            except FileNotFoundError:
                pass

    # ---------------------------------------------------------------- backups
    def _backup_entries(self, *, hidden: bool = False) -> Iterator[tuple[Path, os.stat_result]]:
        """Everything in the backups directory named like a backup (with `hidden`: like a backup's
        temp name), with its lstat."""
        try:
            if not stat.S_ISDIR(os.lstat(self.backup_dir).st_mode):
                return
            entries = list(os.scandir(self.backup_dir))
        except (FileNotFoundError, NotADirectoryError):
            return
        prefix = f"{'.' if hidden else ''}{self.path.stem}.gen-"
        for entry in entries:
            if entry.name.startswith(prefix) and (hidden or entry.name.endswith(".json")):
                try:
                    yield Path(entry.path), entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue

    def backups(self) -> list[Backup]:
        """The kept generations, newest first: regular files only, of generations the board has
        passed (see `backup_junk`: anything else there was put there by someone else)."""
        try:
            current: int | None = self.generation
        except StoreUnreadable:
            current = None  # a damaged board: its backups are what restore needs
        found = []
        for path, st in self._backup_entries():
            if not stat.S_ISREG(st.st_mode):
                continue
            number = path.name[len(self.path.stem) + len(".gen-"): -len(".json")]
            if not (number.isascii() and number.isdigit() and len(number) <= 15):
                continue
            if current is not None and int(number) >= current:
                continue
            found.append(Backup(int(number), path, st.st_mtime, st.st_size))
        return sorted(found, key=lambda b: b.generation, reverse=True)

    def backup_junk(self) -> list[str]:
        """What sits among the backups but is not one (links, directories, FIFOs, odd names)."""
        junk = []
        kept = {b.path for b in self.backups()}
        for path, st in self._backup_entries():
            if path not in kept:
                kind = kind_of(st.st_mode, "a file")
                why = "of a generation the board has not reached" if stat.S_ISREG(st.st_mode) else ""
                junk.append(f"{path} is {kind} named like a backup{' ' + why if why else ''}; it is not used")
        try:
            st = os.lstat(self.backup_dir)
        except FileNotFoundError:
            return junk
        if not stat.S_ISDIR(st.st_mode):
            kind = kind_of(st.st_mode, "not a directory")
            junk.append(f"{self.backup_dir} is {kind}, not a directory: no backups can be kept")
        return junk

    def read_backup(self, backup: Backup) -> dict[str, Any]:
        """A kept backup's tables, read without following a link; raises StoreUnreadable."""
        return parse_board_bytes(backup.path, read_regular(backup.path))

    def _aside(self, path: Path, what: str) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        target = path.with_name(f"{path.name}.{what}-{stamp}")
        n = 1
        while os.path.lexists(target):  # never replace an earlier copy
            n += 1
            target = path.with_name(f"{path.name}.{what}-{stamp}-{n}")
        return target

    def quarantine_current(self) -> Path | None:
        """Keep the current (bad) file aside, byte for byte, before a restore replaces it: a regular
        file is copied; a link, FIFO or device in the board's place is moved aside, never opened."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return None
        target = self._aside(self.path, "unreadable")
        if stat.S_ISREG(st.st_mode):
            atomic_write(target, read_regular(self.path), self._mode_for_board())
        else:
            os.rename(self.path, target)
        return target

    # ---------------------------------------------------------------- journal
    def journal_lines(self, needle: bytes | None = None) -> Iterator[dict[str, Any]]:
        """Committed history events, oldest first; `needle` pre-filters lines before parsing.

        The journal is read in blocks, and with a needle only the lines that contain it are
        cut out (a C-level search), so one requirement's history costs a scan, not a parse.
        Raises StoreUnreadable for a line that is not a JSON object, naming its line number.
        """
        number = 0
        for block in self._journal_blocks():
            lines = block.splitlines() if needle is None else _lines_with(block, needle)
            for line in lines:
                number += 1
                if not line.strip():
                    continue
                try:
                    event = orjson.loads(line)
                except orjson.JSONDecodeError:
                    event = None
                if not isinstance(event, dict):
                    where = f"line {number}" if needle is None else "a line"
                    raise StoreUnreadable(
                        f"{self.journal_path}: {where} of the history is not a valid event; "
                        "`reqboard check --repair` sets the damaged lines aside"
                    )
                yield event

    def journal_size(self) -> int | None:
        """The journal's size on disk, or None when it is missing; raises StoreUnreadable when it is
        no regular file (a link's or a FIFO's size says nothing about the history)."""
        try:
            st = os.lstat(self.journal_path)
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(self.journal_path, st.st_mode)
        return st.st_size

    def read_journal(self) -> bytes | None:
        """The whole journal as it is on disk (committed or not), or None when it is missing."""
        try:
            return read_regular(self.journal_path)
        except FileNotFoundError:
            return None

    def _journal_blocks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The committed part of the journal in blocks that end at line ends."""
        remaining = int(self.meta.get("journal_size", 0))
        if remaining == 0:
            return
        try:
            fd = open_regular(self.journal_path)
        except FileNotFoundError:
            raise StoreUnreadable(
                f"{self.journal_path} is missing but the board records {remaining} bytes of history; "
                "`reqboard check --repair` starts a new journal"
            ) from None
        with os.fdopen(fd, "rb") as fh:
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


def _flock(fd: int, path: Path) -> None:
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(f"{path} is locked by another process; try again in a moment") from None
            time.sleep(0.005)


def _last_line_end(fd: int, size: int) -> int:
    """The length of a file's whole lines (what is left of a cut journal that can still be read)."""
    block = 1 << 20
    while size > 0:
        start = max(size - block, 0)
        cut = os.pread(fd, size - start, start).rfind(b"\n")
        if cut != -1:
            return start + cut + 1
        size = start
    return 0


def _remove_junk(name: str | Path, dir_fd: int | None = None) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        pass


def _lines_with(block: bytes, needle: bytes) -> Iterator[bytes]:
    position = block.find(needle)
    while position != -1:
        start = block.rfind(b"\n", 0, position) + 1
        end = block.find(b"\n", position)
        end = len(block) if end == -1 else end
        yield block[start:end]
        position = block.find(needle, end)


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
        self._customer_ids: dict[str, str] | None = None
        self._next_customer_id = 1

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
                raise Refused(f"REQ-{number} exists already on {self.file.path}", "key.taken")
        else:
            found = current.get("version") if isinstance(current, dict) else None
            if found != expected_version:
                raise Conflict(
                    f"REQ-{number} is at version {found}, not {expected_version}; re-read it and retry",
                    key=f"REQ-{number}", expected=expected_version, actual=found if isinstance(found, int) else 0,
                    by=str(current.get("updated_by", "")) if isinstance(current, dict) else "",
                    at=str(current.get("updated_at", "")) if isinstance(current, dict) else "")
        self.file.put("requirements", number, document, new=expected_version is None)

    def customer_record(self, name: str) -> dict[str, Any] | None:
        """The staged customer of this name (any case), or None."""
        doc_id = self._customer_index().get(name.strip().casefold())
        return None if doc_id is None else self._tables()["customers"][doc_id]

    def put_customer(self, document: dict[str, Any]) -> None:
        """Stage a customer's document, replacing the stored one of the same name (any case)."""
        index = self._customer_index()
        name = str(document["name"]).casefold()
        doc_id = index.get(name)
        if doc_id is None:
            doc_id = str(self._next_customer_id)
            index[name] = doc_id
            self._next_customer_id += 1
        # Explicit ids: TinyDB caches its next id per Table object, which goes stale across processes.
        self.file.put("customers", int(doc_id), document)

    def _customer_index(self) -> dict[str, str]:
        if self._customer_ids is None:
            ids: dict[str, str] = {}
            for doc_id, raw in self._tables()["customers"].items():
                name = raw.get("name") if isinstance(raw, dict) else None
                if isinstance(name, str):
                    ids.setdefault(name.casefold(), doc_id)
                if doc_id.isdigit():
                    self._next_customer_id = max(self._next_customer_id, int(doc_id) + 1)
            self._customer_ids = ids
        return self._customer_ids

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


@dataclass(frozen=True)
class Backup:
    generation: int
    path: Path
    mtime: float
    size: int
