"""The last few generations of a board file, kept in `<board>.backups/` as hard links of the files
each commit replaced (copies where the file system has no hard links)."""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import StoreUnreadable
from ..i18n import N_, _
from .files import kind_of, read_regular, remove_junk, shared_dir, write_durably
from .layout import parse_board_bytes

KEEP_BACKUPS = 5
"""How many generations are kept."""


@dataclass(frozen=True)
class Backup:
    """One kept generation of the board file."""

    generation: int
    path: Path
    mtime: float
    size: int


class Backups:
    """The backups folder of the board file at `board`."""

    def __init__(self, board: Path) -> None:
        self.board = board
        self.folder = board.with_name(board.name + ".backups")

    def keep(self, generation: int, mode: int) -> None:
        """Keep the current board file as generation `generation`, then drop all but the newest few.
        Call it under the board's lock. Raises StoreUnreadable when the folder is no folder, OSError."""
        folder = self._folder_fd()
        try:
            name = f"{self.board.stem}.gen-{generation:08d}.json"
            # Linked under a new name and renamed into place, all relative to the folder's descriptor:
            # whatever already has the backup's name (a planted link, a stray file) is replaced, never
            # written through, and a folder swapped for a link meanwhile is not followed.
            tmp = f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            remove_junk(tmp, folder)
            try:
                os.link(self.board, tmp, dst_dir_fd=folder, follow_symlinks=False)
            except OSError as exc:  # file systems without hard links (FAT on a USB stick)
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                    raise
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             mode, dir_fd=folder)
                with os.fdopen(fd, "wb") as fh:
                    write_durably(fh, read_regular(self.board))
            try:
                os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError as exc:
                remove_junk(tmp, folder)
                if exc.errno not in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                    raise
                # a directory sits at the backup's name: skip this backup, keep the change
        finally:
            os.close(folder)
        self._prune(generation + 1)

    def _folder_fd(self) -> int:
        """The backups folder, opened without following a link (made if missing); raises
        StoreUnreadable when something else has its name."""
        made = False
        try:
            self.folder.mkdir(mode=0o700)
            made = True
        except FileExistsError:
            pass
        try:
            fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                raise
            st = os.lstat(self.folder)
            kind = kind_of(st.st_mode, N_("not a directory"))
            raise StoreUnreadable(
                _("{folder} is {kind}, not the board's backups directory: reqboard does not write through it; "
                  "move it away and try again").format(folder=self.folder, kind=kind)
            ) from None
        if made:  # as for the journal: not the umask but the directory decides who may write
            mode = 0o770 if shared_dir(self.board.parent) else 0o700
            os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) | mode)
        return fd

    def _prune(self, current: int) -> None:
        # Under the board's lock and the journal's, a temp link in the folder is a dead writer's.
        for path, st in self._entries(hidden=True):
            if path.name.endswith(".tmp") and not stat.S_ISDIR(st.st_mode):
                remove_junk(path)
        for old in self.kept(current)[KEEP_BACKUPS:]:
            try:
                old.path.unlink()
            except FileNotFoundError:
                pass

    def _entries(self, *, hidden: bool = False) -> Iterator[tuple[Path, os.stat_result]]:
        """Everything in the backups directory named like a backup (with `hidden`: like a backup's
        temp name), with its lstat."""
        try:
            if not stat.S_ISDIR(os.lstat(self.folder).st_mode):
                return
            entries = list(os.scandir(self.folder))
        except (FileNotFoundError, NotADirectoryError):
            return
        prefix = f"{'.' if hidden else ''}{self.board.stem}.gen-"
        for entry in entries:
            if entry.name.startswith(prefix) and (hidden or entry.name.endswith(".json")):
                try:
                    yield Path(entry.path), entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue

    def kept(self, current: int | None) -> list[Backup]:
        """The kept generations, newest first: regular files only, of generations before `current`
        (None: a damaged board, whose backups are all restore has). See `junk` for the rest."""
        found = []
        for path, st in self._entries():
            if not stat.S_ISREG(st.st_mode):
                continue
            number = path.name[len(self.board.stem) + len(".gen-"): -len(".json")]
            if not (number.isascii() and number.isdigit() and len(number) <= 15):
                continue
            if current is not None and int(number) >= current:
                continue
            found.append(Backup(int(number), path, st.st_mtime, st.st_size))
        return sorted(found, key=lambda b: b.generation, reverse=True)

    def junk(self, current: int | None) -> list[str]:
        """What sits among the backups but is not one (links, directories, FIFOs, odd names)."""
        junk = []
        kept = {b.path for b in self.kept(current)}
        for path, st in self._entries():
            if path not in kept:
                kind = kind_of(st.st_mode, N_("a file"))
                if stat.S_ISREG(st.st_mode):
                    line = _("{path} is {kind} named like a backup of a generation the board has not reached; "
                             "it is not used")
                else:
                    line = _("{path} is {kind} named like a backup; it is not used")
                junk.append(line.format(path=path, kind=kind))
        try:
            st = os.lstat(self.folder)
        except FileNotFoundError:
            return junk
        if not stat.S_ISDIR(st.st_mode):
            kind = kind_of(st.st_mode, N_("not a directory"))
            junk.append(_("{folder} is {kind}, not a directory: no backups can be kept").format(
                folder=self.folder, kind=kind))
        return junk

    @staticmethod
    def read(backup: Backup) -> dict[str, Any]:
        """A kept backup's tables, read without following a link; raises StoreUnreadable."""
        return parse_board_bytes(backup.path, read_regular(backup.path))
