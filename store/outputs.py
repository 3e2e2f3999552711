"""Writing an export or a report to a file a person named (`-o FILE`) without ever hurting a board.

`write_output` refuses, with an InvalidValue (exit 1) that names the file and says why:
  - the board file, its journal (`board.json.history.jsonl`), its lock (`board.json.lock`), anything in
    its backups folder (`board.json.backups/`) and its quarantined copies (`board.json.unreadable-*`),
    found by the folder's identity (st_dev, st_ino: the same as comparing resolved paths, and it holds
    for a folder reached through a symlink) and the name, and by the target's own (st_dev, st_ino), so
    that a hard link to one of them is caught too;
  - the files of any other reqboard board: a board (a journal or lock is beside it), a journal, lock or
    quarantined copy (its board is beside it), anything in a backups folder whose board is beside it;
  - anything that is not a regular file (a directory, a device node such as /dev/null, a FIFO, a socket);
  - a symbolic link: reqboard never writes through a link, which would put the bytes wherever the link
    points (give the file it points to instead).
A file that exists is replaced atomically and keeps its permission bits (and, where allowed, its owner
and group); a new file gets the mode `open()` would give it (0666 less the umask).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidValue, os_reason
from .filestore.files import kind_of, new_file_mode, write_durably
from .i18n import N_, _


@dataclass(frozen=True)
class BoardFiles:
    """The files of one board that nothing but the store may replace."""

    board: Path
    journal: Path
    lock: Path
    backups: Path

    @classmethod
    def of(cls, board: Path) -> BoardFiles:
        """The files next to `board`, named as `store.filestore.boardfile.BoardFile` names them (for a
        board not open here; an open board says `Board.files()`)."""
        return cls(board, board.with_name(board.name + ".history.jsonl"),
                   board.with_name(board.name + ".lock"), board.with_name(board.name + ".backups"))

    def _variants(self) -> list[BoardFiles]:
        # A board reached through a symlink has its files next to the link and next to the real file,
        # depending on who opened it: guard both.
        try:
            real = Path(os.path.realpath(self.board))
        except (OSError, ValueError):
            return [self]
        return [self] if real == self.board else [self, BoardFiles.of(real)]

    def protected_names(self) -> dict[tuple[int, int], dict[str, str]]:
        """Folder identity -> {file name -> what it is} for the board, journal and lock."""
        found: dict[tuple[int, int], dict[str, str]] = {}
        for files in self._variants():
            folder = _identity(files.board.parent)
            if folder is not None:
                names = found.setdefault(folder, {})
                names[files.board.name] = _("the board file itself ({path})").format(path=files.board)
                names[files.journal.name] = _("the board's history journal ({path})").format(path=files.journal)
                names[files.lock.name] = _("the board's lock file ({path})").format(path=files.lock)
                names[files.backups.name] = _("the board's backups folder ({path})").format(path=files.backups)
        return found

    def quarantine_prefixes(self) -> dict[tuple[int, int], tuple[str, ...]]:
        """Folder identity -> the name prefixes of the board's recovery copies in it (a quarantined
        board, a damaged journal set aside by `check --repair`)."""
        found: dict[tuple[int, int], tuple[str, ...]] = {}
        for files in self._variants():
            folder = _identity(files.board.parent)
            if folder is not None:
                found[folder] = (files.board.name + ".unreadable-", files.journal.name + ".damaged-")
        return found

    def backup_folders(self) -> dict[tuple[int, int], Path]:
        """Folder identity -> path of the board's backups folder, where it exists."""
        found: dict[tuple[int, int], Path] = {}
        for files in self._variants():
            folder = _identity(files.backups)
            if folder is not None:
                found[folder] = files.backups
        return found

    def protected_inodes(self) -> dict[tuple[int, int], str]:
        """(st_dev, st_ino) -> what it is, for every existing file of the board (links followed or not)."""
        found: dict[tuple[int, int], str] = {}
        for files in self._variants():
            for path, what in ((files.board, _("the board file ({path})")),
                               (files.journal, _("the board's history journal ({path})")),
                               (files.lock, _("the board's lock file ({path})"))):
                for follow in (True, False):
                    ident = _identity(path, follow=follow)
                    if ident is not None:
                        found.setdefault(ident, what.format(path=path))
            try:
                kept = list(os.scandir(files.backups))
            except OSError:
                kept = []
            for entry in kept:
                ident = _identity(Path(entry.path), follow=False)
                if ident is not None:
                    found.setdefault(ident, _("a backup of the board ({path})").format(path=entry.path))
        return found


def _identity(path: Path, *, follow: bool = True) -> tuple[int, int] | None:
    try:
        st = os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def check_output(target: str | Path, board: BoardFiles | None) -> None:
    """Raise InvalidValue now if `write_output(target, ...)` would refuse the target (before the work of
    making what goes into it); writes nothing. `board` None: a board kept in no file (a server's)."""
    path, dir_fd = _open_folder(target)
    try:
        _checked_target(path, dir_fd, board)
    finally:
        os.close(dir_fd)


def write_output(target: str | Path, payload: bytes | Iterable[bytes], board: BoardFiles | None) -> Path:
    """Replace `target` with `payload` atomically, unless it is one of `board`'s files or not a plain file.

    Returns the path written. Raises InvalidValue (exit 1) naming the file and the reason: one of the
    board's files (or a hard link to one), a symbolic link, a directory or other non-regular file, a
    folder that does not exist, or the write failing (no permission, disk full).
    """
    path, dir_fd = _open_folder(target)
    try:
        # Everything below is relative to the opened folder, so a symlink swapped in on the way to
        # it after these checks cannot redirect the write.
        mode, owner = _checked_target(path, dir_fd, board)
        _replace(path, dir_fd, payload, mode, owner)
    finally:
        os.close(dir_fd)
    return path


def _open_folder(target: str | Path) -> tuple[Path, int]:
    """The target as a Path and an open descriptor of the folder it would be written in."""
    if str(target) == "":
        raise InvalidValue(_("no output file was named: give -o FILE, or leave -o out to print"))
    path = Path(target)
    folder = path.parent
    try:
        return path, os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:
        raise InvalidValue(_("cannot write {path}: the folder {folder} does not exist").format(
            path=path, folder=folder)) from None
    except NotADirectoryError:
        raise InvalidValue(_("cannot write {path}: {folder} is not a folder").format(path=path, folder=folder)) from None
    except (OSError, ValueError) as exc:
        raise InvalidValue(_("cannot write {path}: {folder}: {reason}").format(
            path=path, folder=folder, reason=os_reason(exc))) from None


_SIDECARS = ((".history.jsonl", N_("the history journal of the board {board}")),
             (".lock", N_("the lock file of the board {board}")))


def _file_of_any_board(path: Path, dir_fd: int) -> str | None:
    """What `path` is if it belongs to some reqboard board, not only the one being exported (say
    `--store other.json export -o board.json`): the board itself, by the journal or lock beside it; a
    journal, lock or quarantined copy, by the board beside it; a backup, by its folder."""

    def there(name: str) -> bool:
        try:
            os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except (OSError, ValueError):
            return False
        return True

    name = path.name
    for suffix, _what in _SIDECARS:
        if there(name + suffix):
            return _("a reqboard board ({file} is beside it)").format(file=name + suffix)
    for suffix, what in _SIDECARS:
        if name.endswith(suffix) and there(name[: -len(suffix)]):
            return _(what).format(board=name[: -len(suffix)])
    base, marker, _rest = name.partition(".unreadable-")
    if marker and there(base):
        return _("a quarantined copy of the board {board} (kept for recovery)").format(board=base)
    base, marker, _rest = name.partition(".history.jsonl.damaged-")
    if marker and there(base):
        return _("the damaged history of the board {board} (kept for recovery)").format(board=base)
    folder = Path(os.path.realpath(path.parent))
    if folder.name.endswith(".backups") and (folder.parent / folder.name[: -len(".backups")]).exists():
        return _("inside the backups folder of the board {board}").format(
            board=folder.parent / folder.name[: -len(".backups")])
    return None


def _checked_target(path: Path, dir_fd: int, board: BoardFiles | None) -> tuple[int, tuple[int, int] | None]:
    """The mode (and owner) the new file keeps; raises InvalidValue if `path` must not be replaced."""
    name = path.name
    if name in ("", ".", ".."):
        raise InvalidValue(_("cannot write {path}: it is a directory; give a file name").format(path=path))
    folder = os.fstat(dir_fd)
    folder_id = (folder.st_dev, folder.st_ino)
    if board is not None:
        _refuse_own_file(board, folder_id, path)
    what = _file_of_any_board(path, dir_fd)
    if what:
        raise _refused(path, what)
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return new_file_mode(), None
    except OSError as exc:
        raise InvalidValue(_("cannot write {path}: {reason}").format(path=path, reason=os_reason(exc))) from None
    if stat.S_ISLNK(st.st_mode):
        raise InvalidValue(_("refusing to write onto {path}: it is a symbolic link, and reqboard does not write "
                             "through links; give the file it points to, or remove the link").format(path=path))
    if not stat.S_ISREG(st.st_mode):
        raise InvalidValue(_("refusing to write onto {path}: it is not a regular file ({kind}); give the name of "
                             "a file").format(path=path, kind=kind_of(st.st_mode)))
    what = board.protected_inodes().get((st.st_dev, st.st_ino)) if board is not None else None
    if what:
        raise InvalidValue(_("refusing to write onto {path}: it is a hard link to {what}; choose another file "
                             "name").format(path=path, what=what))
    return stat.S_IMODE(st.st_mode) & 0o777, (st.st_uid, st.st_gid)


def _refused(path: Path, what: str) -> InvalidValue:
    """The refusal to replace `path`, which is `what` (a board's file, said as a noun phrase)."""
    return InvalidValue(_("refusing to write onto {path}: it is {what}; choose another file name").format(
        path=path, what=what))


def _refuse_own_file(board: BoardFiles, folder_id: tuple[int, int], path: Path) -> None:
    name = path.name
    what = board.protected_names().get(folder_id, {}).get(name)
    if what:
        raise _refused(path, what)
    prefixes = board.quarantine_prefixes().get(folder_id)
    if prefixes and name.startswith(prefixes):
        raise InvalidValue(_("refusing to write onto {path}: it is a quarantined copy of the board (kept for "
                             "recovery); choose another file name").format(path=path))
    backups = board.backup_folders().get(folder_id)
    if backups is not None:
        raise InvalidValue(_("refusing to write onto {path}: it is inside the board's backups folder ({folder}); "
                             "choose another folder").format(path=path, folder=backups))


def _replace(path: Path, dir_fd: int, payload: bytes | Iterable[bytes], mode: int,
             owner: tuple[int, int] | None) -> None:
    # A short stem keeps the temp name within the file system's limit whatever the target's length.
    tmp = f".{path.name[:40]}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600, dir_fd=dir_fd)
    except OSError as exc:
        raise InvalidValue(_("cannot write {path}: {reason}").format(path=path, reason=os_reason(exc))) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if owner is not None and owner != (os.geteuid(), os.getegid()):
                try:  # keep a shared file's group (and, for root, its owner)
                    os.fchown(fh.fileno(), owner[0] if os.geteuid() == 0 else -1, owner[1])
                except OSError:
                    pass
            os.fchmod(fh.fileno(), mode)
            write_durably(fh, payload)
        os.replace(tmp, path.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as exc:
        try:
            os.unlink(tmp, dir_fd=dir_fd)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise InvalidValue(_("cannot write {path}: {reason}").format(path=path, reason=os_reason(exc))) from None
        raise
    try:
        os.fsync(dir_fd)
    except OSError:  # not every file system syncs a folder; the replace itself is still atomic
        pass


def read_import_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a file to import; a directory, FIFO or device is refused before anything is read (a
    FIFO would wait for a writer forever, /dev/zero would never end).

    Raises InvalidValue saying why, with the reason under "path" in its `errors` (for a form's field).
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError) as exc:
        reason = os_reason(exc)
        raise InvalidValue(_("cannot read {path}: {reason}").format(path=os.fspath(path), reason=reason),
                           {"path": _("cannot read: {reason}").format(reason=reason)}) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = kind_of(mode)
        raise InvalidValue(_("cannot import {path}: it is not a regular file ({kind}); give the file to import")
                           .format(path=os.fspath(path), kind=kind),
                           {"path": _("cannot import: it is not a regular file ({kind})").format(kind=kind)})
    with os.fdopen(fd, "rb") as fh:
        try:
            return fh.read()
        except OSError as exc:
            reason = os_reason(exc)
            raise InvalidValue(_("cannot read {path}: {reason}").format(path=os.fspath(path), reason=reason),
                               {"path": _("cannot read: {reason}").format(reason=reason)}) from None
