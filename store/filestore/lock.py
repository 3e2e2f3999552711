"""The inter-process lock around every read-modify-write of a board."""

from __future__ import annotations

import fcntl
import os
import stat
import time
from pathlib import Path

from ..errors import LockTimeout, StoreUnreadable
from ..i18n import _
from .files import open_regular

LOCK_TIMEOUT_S = 15.0
"""How long a change waits for another process's change to finish."""


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
                raise StoreUnreadable(_("{path}: no permission to lock the board").format(path=self.path)) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        _("{board} is locked by another process (waited {seconds} s); try again in a moment").format(
                            board=self.path.with_suffix(""), seconds=f"{timeout:.0f}")
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
        """Let the lock go (closing the descriptor drops the flock)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the descriptor drops the flock


def flock_within(fd: int, path: Path, timeout: float = LOCK_TIMEOUT_S) -> None:
    """Lock an open file exclusively, waiting at most `timeout` seconds; raises LockTimeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    _("{path} is locked by another process; try again in a moment").format(path=path)) from None
            time.sleep(0.005)
