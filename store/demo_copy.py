"""The demo's working copies: a fresh, private copy of today's sample board for each `reqboard --demo`.

Building the sample board (store.demo) replays six months of work through the real operations and
takes seconds, so it is built once a day and kept in the user's cache directory
(`$XDG_CACHE_HOME/reqboard`, else `~/.cache/reqboard`); each run copies it into a new folder of its own
under the temporary directory (`reqboard-demo-*`), which the user may change freely and which is
removed when the run ends. The demo stays what it was: its dates end yesterday (the cache is keyed by
the day, as well as the language, the zone, the user and the code that built it), and a Chinese reader
gets the Chinese team's board.

The cache is trusted no further than it checks out: a file that is not ours, not a regular file, a
link, or that fails its checksum or key is ignored and the board built again. Its folder is 0700,
its file 0600, written whole (`atomic_write`); a folder or file that is a link is never followed.

A run killed with its terminal (SIGHUP, SIGKILL) cannot remove its copy: each copy records the
process that owns it, and the next run removes the copies of this user whose process is gone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from types import FrameType
from typing import Any

from .errors import StoreUnreadable
from .filestore.files import atomic_write, open_regular
from .paths import APP_NAME

PREFIX = "reqboard-demo-"
"""The name of every demo copy's folder starts so (in the temporary directory)."""
OWNER_FILE = "owner"
"""In a copy's folder: the id of the process using it, and when that process started."""
BOARD_NAME = "demo.json"
JOURNAL_SUFFIX = ".history.jsonl"
CACHE_FORMAT = "reqboard-demo-cache"
CACHE_VERSION = 1
KEEP_CACHE_DAYS = 2
"""Cached boards of other days are removed once this old (a day's board is of no use the next day)."""


@dataclass(frozen=True)
class DemoCopy:
    """One run's copy of the demo board: its folder (the run's alone) and the board file in it."""

    folder: Path
    board: Path

    def remove(self) -> None:
        """Remove the copy and its folder (a link in the folder's place is not followed). Twice if need
        be: a save under way may add a file while the folder is being emptied."""
        for _attempt in range(2):
            shutil.rmtree(self.folder, ignore_errors=True)
            if not os.path.lexists(self.folder):
                return

    @contextmanager
    def removed_on_signals(self, stop: Callable[[], object]) -> Iterator[None]:
        """While the run lasts: a hang-up (the terminal closed) removes the copy and ends the process as
        the signal would have; SIGTERM asks the run to `stop` (the app exits and the copy is removed as
        usual; a second SIGTERM ends the process at once, the copy removed first)."""

        def hang_up(signum: int, frame: FrameType | None) -> None:
            self.remove()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        def terminate(signum: int, frame: FrameType | None) -> None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not running yet (or any more): nothing to stop gently
                hang_up(signum, frame)
                return
            signal.signal(signum, hang_up)
            loop.call_soon_threadsafe(stop)  # on the app's loop, not inside whatever the signal interrupted

        if not hasattr(signal, "SIGHUP"):  # (Windows: no hang-up to catch)
            yield
            return
        previous = {signal.SIGHUP: signal.signal(signal.SIGHUP, hang_up),
                    signal.SIGTERM: signal.signal(signal.SIGTERM, terminate)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


# ---------------------------------------------------------------------------- a run's copy
def fresh_copy(*, chinese: bool, zone: tzinfo, user: str, now: datetime | None = None,
               where: Path | None = None, building: Callable[[], object] | None = None) -> DemoCopy:
    """A new copy of the demo board for one run, in a new folder (0700) under `where` (the temporary
    directory), owned by this process: today's cached board when there is a good one, else one built
    now (and cached for the next run), `building` called first (it takes seconds: say so). `chinese`,
    `zone` and `now` are as for `build_demo_board`."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=where))
    try:
        _record_owner(folder)
        copy = DemoCopy(folder, folder / BOARD_NAME)
        key = cache_key(chinese=chinese, zone=zone, user=user, now=now)
        cache = _cache_folder()
        cached = _read_cache(cache, key) if cache is not None else None
        if cached is not None:
            board, journal = cached
            _write_new(copy.board.with_name(BOARD_NAME + JOURNAL_SUFFIX), journal)
            _write_new(copy.board, board)
        else:
            from . import demo

            if building is not None:
                building()
            demo.build_demo_board(copy.board, user=user, now=now, chinese=chinese, zone=zone)
            if cache is not None:
                _write_cache(cache, key, copy.board)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return copy


def _write_new(path: Path, payload: bytes) -> None:
    """A new file of the copy (0600); an existing name, or a link in its place, is refused."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(payload)


# ---------------------------------------------------------------------------- the owner of a copy
def _started(pid: int) -> str:
    """When process `pid` started (clock ticks since boot, from /proc), or "" where that cannot be told:
    with the pid, it tells the process apart from a later one given the same pid."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return fields[19].decode()
    except (OSError, IndexError, UnicodeDecodeError):
        return ""


def _record_owner(folder: Path) -> None:
    pid = os.getpid()
    tmp = folder / f".{OWNER_FILE}.tmp"
    _write_new(tmp, f"{pid} {_started(pid)}\n".encode())
    os.replace(tmp, folder / OWNER_FILE)  # whole: a sweep never reads half of it


def _owner_alive(text: str) -> bool:
    """Is the process an owner file names still running? (Anything unreadable counts as alive: a copy
    is only removed when its owner is known to be gone.)"""
    parts = text.split()
    try:
        pid = int(parts[0])
    except (IndexError, ValueError):
        return True
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists (another user's process has the pid now)
        return True
    recorded = parts[1] if len(parts) > 1 else ""
    now = _started(pid)
    return not (recorded and now and recorded != now)  # the pid was given to another process since


def remove_stale_copies(where: Path | None = None) -> list[Path]:
    """Remove the demo copies in `where` (the temporary directory) that belong to this user and whose
    process is gone (a run killed with its terminal); return them. A copy of a live run, another user's,
    a link, or a folder whose owner is not recorded is left alone."""
    base = Path(where) if where is not None else Path(tempfile.gettempdir())
    removed: list[Path] = []
    try:
        names = [n for n in os.listdir(base) if n.startswith(PREFIX)]
    except OSError:
        return removed
    me = os.geteuid()
    for name in names:
        folder = base / name
        try:
            st = os.lstat(folder)
            if not stat.S_ISDIR(st.st_mode) or st.st_uid != me:
                continue
            fd = open_regular(folder / OWNER_FILE)  # a link or FIFO in its place is refused, never read
            with os.fdopen(fd, "rb") as fh:
                if os.fstat(fh.fileno()).st_uid != me:
                    continue
                owner = fh.read(200).decode("ascii", "replace")
        except (OSError, StoreUnreadable):  # gone meanwhile, or a link or FIFO in the owner file's place
            continue
        if not _owner_alive(owner):
            shutil.rmtree(folder, ignore_errors=True)
            if not os.path.lexists(folder):
                removed.append(folder)
    return removed


# ---------------------------------------------------------------------------- the cache
def cache_dir() -> Path:
    """The user's cache directory for reqboard: `$XDG_CACHE_HOME/reqboard`, else `~/.cache/reqboard`
    (the platform's user cache directory elsewhere)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def cache_key(*, chinese: bool, zone: tzinfo, user: str, now: datetime | None = None) -> dict[str, Any]:
    """What a cached board was built for: a board is used only for the same language, zone, user,
    code and day."""
    moment = (now or datetime.now(UTC)).astimezone(zone)
    return {"language": "zh" if chinese else "en", "zone": _zone_id(zone, moment), "user": user,
            "version": _package_version(), "code": _demo_code_stamp(), "day": moment.date().isoformat()}


def _zone_id(zone: tzinfo, moment: datetime) -> str:
    name = getattr(zone, "key", None) or str(zone)
    offset = zone.utcoffset(moment)
    return f"{name} {offset}"


def _package_version() -> str:
    """reqboard's installed version, from its metadata folder's name (`reqboard-1.2.0.dist-info`):
    importlib.metadata would cost the demo's start-up a tenth of a second."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(APP_NAME + "-") and name.endswith((".dist-info", ".egg-info")):
                return name[len(APP_NAME) + 1:].rsplit(".", 1)[0]
    return "unknown"


def _demo_code_stamp() -> str:
    """The sample board's script as installed (size and time): a changed script, in a checkout between
    two releases, builds another board."""
    try:
        st = os.stat(Path(__file__).with_name("demo.py"))
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}"


def _cache_file(cache: Path, key: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:24]
    return cache / f"demo-{digest}.board"


def _cache_folder() -> Path | None:
    """The cache directory, made (0700) if need be; None (no cache: the board is built each time) when
    it is a link, not a directory, not this user's, or open to others."""
    folder = cache_dir()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077:
        return None
    return folder


def _read_cache(cache: Path, key: dict[str, Any]) -> tuple[bytes, bytes] | None:
    """The board and journal bytes of the cached board built for `key`, or None when there is none or
    it does not check out (see the module)."""
    path = _cache_file(cache, key)
    try:
        fd = open_regular(path)
    except (OSError, StoreUnreadable):  # missing, a link, a FIFO, unreadable: built again
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if st.st_uid != os.geteuid() or st.st_mode & 0o077:
            return None
        data = fh.read()
    header, _newline, body = data.partition(b"\n")
    try:
        meta = json.loads(header)
        board_size, journal_size = int(meta["board_size"]), int(meta["journal_size"])
        if (meta.get("format") != CACHE_FORMAT or meta.get("version") != CACHE_VERSION or meta.get("key") != key
                or board_size + journal_size != len(body) or hashlib.sha256(body).hexdigest() != meta.get("sha256")):
            return None
        board, journal = body[:board_size], body[board_size:]
        stored = json.loads(board)["meta"]["1"]
        if stored.get("format") != "reqboard" or stored.get("journal_size") != len(journal):
            return None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return board, journal


def _write_cache(cache: Path, key: dict[str, Any], board: Path) -> None:
    """Keep the board just built (and its journal) for the next runs of the day; old days' boards go.
    A cache that cannot be written is no fault: the next run builds the board again."""
    try:
        board_bytes = board.read_bytes()
        journal_bytes = board.with_name(board.name + JOURNAL_SUFFIX).read_bytes()
        body = board_bytes + journal_bytes
        header = json.dumps({"format": CACHE_FORMAT, "version": CACHE_VERSION, "key": key,
                             "board_size": len(board_bytes), "journal_size": len(journal_bytes),
                             "sha256": hashlib.sha256(body).hexdigest()}, sort_keys=True)
        target = _cache_file(cache, key)
        atomic_write(target, [header.encode(), b"\n", body], 0o600)
        _prune(cache, keep=target)
    except OSError:
        pass


def _prune(cache: Path, keep: Path) -> None:
    limit = datetime.now(UTC).timestamp() - KEEP_CACHE_DAYS * 86400
    for entry in os.scandir(cache):
        if entry.name.startswith("demo-") and entry.name.endswith(".board") and entry.path != str(keep):
            try:
                if entry.stat(follow_symlinks=False).st_mtime < limit:
                    os.unlink(entry.path)
            except OSError:
                pass

