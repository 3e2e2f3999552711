"""A board's files on disk: never followed through a link, never half-written.

Every file of a board (the board, its journal, lock, backups) is opened without following a link and
refused unless it is a regular file: a member of a shared directory who plants a link there cannot
make another member's reqboard read, cut or copy the file it points at. A file is replaced whole
(temp file, fsync, `os.replace`, fsync the directory), so a reader sees the old bytes or the new.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StoreUnreadable
from ..i18n import N_, _
from ..snapshot import Revision


@dataclass(frozen=True)
class Signature(Revision):
    """What identifies one version of the file on disk without reading it (the file's revision)."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Signature | None:
        """The signature of the file at `path` now (a link is not followed), or None if there is none."""
        try:
            st = os.lstat(path)  # a link put in the board's place is a change, never followed
        except (FileNotFoundError, NotADirectoryError):
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


_KINDS = {
    stat.S_IFDIR: N_("a directory"),
    stat.S_IFIFO: N_("a FIFO (named pipe)"),
    stat.S_IFCHR: N_("a character device"),
    stat.S_IFBLK: N_("a block device"),
    stat.S_IFSOCK: N_("a socket"),
    stat.S_IFLNK: N_("a symbolic link"),
}
NOT_REGULAR = N_("not a regular file")
"""What `kind_of` calls a file of a kind it has no name for."""


def kind_of(mode: int, otherwise: str = NOT_REGULAR) -> str:
    """What a file is, in words, in the current language, from its `st_mode` ("a directory", "a FIFO
    (named pipe)", ...); `otherwise` (English, marked with N_) for a kind without a name."""
    kind = _KINDS.get(stat.S_IFMT(mode), otherwise)
    return _(kind)


def not_regular(path: Path, mode: int) -> StoreUnreadable:
    """The refusal for a board's file that is not a plain file (it is never read, written or followed)."""
    kind = kind_of(mode)
    if stat.S_ISLNK(mode):
        message = _("{path} is {kind}, not a regular file: reqboard follows no link inside a board's directory; "
                    "name the real board file instead")
    else:
        message = _("{path} is {kind}, not a regular file: it was left alone; move it away or name another file")
    return StoreUnreadable(message.format(path=path, kind=kind))


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
            _("{path} has {n} hard links: it is also another file, which reqboard will not write to; move it "
              "away (keep a copy) and try again").format(path=path, n=st.st_nlink)
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
        raise StoreUnreadable(_("{path} is a directory, not a board file: give a file name, e.g. {example}").format(
            path=path, example=given / "board.json"))
    return Path(os.path.realpath(given.absolute().parent)) / given.name


def shared_dir(directory: Path) -> bool:
    """A directory with the setgid bit is shared with its group: new files are group-writable."""
    try:
        return bool(os.stat(directory).st_mode & stat.S_ISGID)
    except OSError:
        return False


def file_mode(directory: Path) -> int:
    """The mode of a board's new files: group-writable in a shared (setgid) directory."""
    return 0o660 if shared_dir(directory) else 0o600


def new_file_mode() -> int:
    """The mode `open()` would give a new file: 0666 less the process's umask (for exports and reports,
    which belong to the user, unlike the board's own files)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_dir(directory: Path) -> None:
    """Flush a directory's entries (a replace in it) to the disk, where the system can."""
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



def remove_junk(name: str | Path, dir_fd: int | None = None) -> None:
    """Remove a stray file (a dead writer's temp file) if it is there and may be removed."""
    try:
        os.unlink(name, dir_fd=dir_fd)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        pass


def aside_path(path: Path, what: str) -> Path:
    """A new name next to `path` to keep a copy of it under (`board.json.damaged-20240102T030405`),
    never the name of an earlier copy."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}.{what}-{stamp}")
    n = 1
    while os.path.lexists(target):
        n += 1
        target = path.with_name(f"{path.name}.{what}-{stamp}-{n}")
    return target
