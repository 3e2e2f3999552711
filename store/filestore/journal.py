"""The history journal next to a board file: append-only JSON Lines, one event a line.

A commit appends the transaction's events and fsyncs them before the board is replaced; the board's
meta record holds the journal's committed length, so lines a crashed writer appended after its
append but before its replace are never read, and are cut by the next commit. Each line carries
the generation of the board it belongs to.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import StoreUnreadable
from ..i18n import _, ngettext
from .files import aside_path, atomic_write, not_regular, open_regular, read_regular

BLOCK = 1 << 20
"""How much of the journal is read at a time."""
_TAIL = 512
"""How many bytes before a mark its hash covers."""


class Journal:
    """The journal of one board (`<board>.history.jsonl`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    # ---------------------------------------------------------------- reading
    def lines(self, committed: int, needle: bytes | None = None, *, start: int = 0,
              skip_generation: int | None = None) -> Iterator[dict[str, Any]]:
        """Committed history events, oldest first; `needle` pre-filters lines before parsing.

        `start` is a line start to read from; `skip_generation` leaves out, unparsed, the lines of
        that generation right at `start` (a sync's own commit, which both boards hold).

        The journal is read in blocks, and with a needle only the lines that contain it are
        cut out (a C-level search), so one requirement's history costs a scan, not a parse.
        Raises StoreUnreadable for a line that is not a JSON object, naming its line number, and
        for a journal that is missing though the board records history.
        """
        number = 0
        skip = None if skip_generation is None else b'"generation":%d}' % skip_generation
        for block in self.blocks(committed, start=start):
            lines = block.splitlines() if needle is None else lines_with(block, needle)
            if skip is not None:
                lines = list(lines)
                kept = 0
                while kept < len(lines) and lines[kept].endswith(skip):
                    kept += 1
                if kept < len(lines):
                    skip = None
                lines = lines[kept:]
            for line in lines:
                number += 1
                if not line.strip():
                    continue
                try:
                    event = orjson.loads(line)
                except orjson.JSONDecodeError:
                    event = None
                if not isinstance(event, dict):
                    if needle is None:
                        message = _("{path}: line {line} of the history is not a valid event; "
                                    "`reqboard check --repair` sets the damaged lines aside")
                    else:
                        message = _("{path}: a line of the history is not a valid event; "
                                    "`reqboard check --repair` sets the damaged lines aside")
                    raise StoreUnreadable(message.format(path=self.path, line=number))
                yield event

    def blocks(self, committed: int, size: int = BLOCK, *, start: int = 0) -> Iterator[bytes]:
        """The first `committed` bytes of the journal (from `start` on) in blocks that end at line ends;
        raises StoreUnreadable when the journal is missing."""
        remaining = committed - start
        if remaining <= 0:
            return
        try:
            fd = open_regular(self.path)
        except FileNotFoundError:
            raise StoreUnreadable(
                ngettext("{path} is missing but the board records {n} byte of history; "
                         "`reqboard check --repair` starts a new journal",
                         "{path} is missing but the board records {n} bytes of history; "
                         "`reqboard check --repair` starts a new journal", remaining).format(path=self.path, n=remaining)
            ) from None
        with os.fdopen(fd, "rb") as fh:
            fh.seek(start)
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

    def mark(self, committed: int) -> dict[str, Any]:
        """Where the committed history ends now, as `since` reads it back: its length and a hash of
        its last bytes (so a journal replaced meanwhile is noticed)."""
        try:
            tail = self._tail(committed)
        except FileNotFoundError:  # (reading the history says what is wrong)
            tail = "missing"
        return {"journal": committed, "tail": tail}

    def holds(self, mark: Any, committed: int, *, first_generation: int | None = None) -> bool:
        """True when `mark` (from `mark`) still names a line end of this committed history (and the line
        after it, if any, is of `first_generation`, when given)."""
        if not isinstance(mark, dict):
            return False
        at = mark.get("journal")
        if type(at) is not int or not 0 <= at <= committed:
            return False
        try:
            if mark.get("tail") != self._tail(at):
                return False
            if first_generation is None or at == committed:
                return True
            fd = open_regular(self.path)
            try:
                head = os.pread(fd, min(committed - at, BLOCK), at)
            finally:
                os.close(fd)
        except (OSError, StoreUnreadable):
            return False
        line = head.split(b"\n", 1)[0]
        return line.endswith(b'"generation":%d}' % first_generation)

    def _tail(self, end: int) -> str:
        if end == 0:
            return ""
        length = min(end, _TAIL)
        fd = open_regular(self.path)
        try:
            data = os.pread(fd, length, end - length)
        finally:
            os.close(fd)
        return hashlib.sha256(data).hexdigest() if data.endswith(b"\n") else "not a line end"

    def size(self) -> int | None:
        """The journal's size on disk, or None when it is missing; raises StoreUnreadable when it is
        no regular file (a link's or a FIFO's size says nothing about the history)."""
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(st.st_mode):
            raise not_regular(self.path, st.st_mode)
        return st.st_size

    def read(self) -> bytes | None:
        """The whole journal as it is on disk (committed or not), or None when it is missing."""
        try:
            return read_regular(self.path)
        except FileNotFoundError:
            return None

    # ---------------------------------------------------------------- writing (under the board's lock)
    def open_for_commit(self, committed: int, mode: int, *, adopt: bool) -> tuple[int, int]:
        """The journal's descriptor (created if the board has no history yet) and its committed length.

        A journal that is missing or shorter than the board records is lost history: StoreUnreadable,
        unless `adopt` (restore, repair) takes it as it is, cut to its last whole line.
        """
        flags = os.O_RDWR
        if committed == 0 or adopt:
            flags |= os.O_CREAT
        try:
            fd = open_regular(self.path, flags, mode, single_link=True)
        except FileNotFoundError:
            raise StoreUnreadable(
                ngettext("{path} is missing but the board records {n} byte of history; it was not recreated: "
                         "`reqboard check --repair` starts a new journal (the lost history stays lost), or bring "
                         "the file back",
                         "{path} is missing but the board records {n} bytes of history; it was not recreated: "
                         "`reqboard check --repair` starts a new journal (the lost history stays lost), or bring "
                         "the file back", committed).format(path=self.path, n=committed)
            ) from None
        st = os.fstat(fd)
        if st.st_size == 0 and st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != mode:
            os.fchmod(fd, mode)  # a new journal: the umask must not take the group's write permission away
        if st.st_size < committed:
            if not adopt:
                os.close(fd)
                raise StoreUnreadable(
                    _("{path} is shorter than the board says ({size} < {committed} bytes): the history was "
                      "truncated; it was left untouched (`reqboard check --repair` keeps the history that is left)"
                      ).format(path=self.path, size=st.st_size, committed=committed)
                )
            committed = last_line_end(fd, st.st_size)
        elif adopt and committed and os.pread(fd, 1, committed - 1) != b"\n":
            # A recorded length inside a line (a damaged board: a commit always ends on a line end).
            # The line it cuts was begun inside the committed history, so it was written whole: keep it
            # rather than cut it and the lines after it.
            committed = next_line_end(fd, committed, st.st_size)
        return fd, committed

    @staticmethod
    def append(fd: int, committed: int, events: Iterable[dict[str, Any]], generation: int) -> int:
        """Cut what follows the committed length, append the events tagged with `generation`, fsync;
        returns the new committed length."""
        size = os.fstat(fd).st_size
        if size > committed:
            # Lines from a writer that died before its commit: they never happened.
            os.ftruncate(fd, committed)
        lines = b"".join(orjson.dumps({**event, "generation": generation}) + b"\n" for event in events)
        if not lines:
            return committed
        if committed and os.pread(fd, 1, committed - 1) != b"\n":
            lines = b"\n" + lines  # a damaged last line: never glue new history onto it
        os.lseek(fd, committed, os.SEEK_SET)
        view = memoryview(lines)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        return committed + len(lines)

    def replace(self, kept: bytes, mode: int) -> Path | None:
        """Copy the journal aside byte for byte (unless it is `kept` already), then make `kept` the
        journal. Returns where the old journal was kept, if anywhere. Call it under the board's lock."""
        kept_aside = None
        old = self.read()
        if old is not None and old != kept:
            kept_aside = aside_path(self.path, "damaged")
            atomic_write(kept_aside, old, mode)
        atomic_write(self.path, kept, mode)
        return kept_aside


def last_line_end(fd: int, size: int) -> int:
    """The length of a file's whole lines (what is left of a cut journal that can still be read)."""
    block = BLOCK
    while size > 0:
        start = max(size - block, 0)
        cut = os.pread(fd, size - start, start).rfind(b"\n")
        if cut != -1:
            return start + cut + 1
        size = start
    return 0


def next_line_end(fd: int, position: int, size: int) -> int:
    """Where the line `position` falls in ends (after its newline); the last whole line's end when
    the file's last line has no newline."""
    start = position
    while start < size:
        block = os.pread(fd, min(BLOCK, size - start), start)
        cut = block.find(b"\n")
        if cut != -1:
            return start + cut + 1
        start += len(block)
    return last_line_end(fd, position)


def lines_with(block: bytes, needle: bytes) -> Iterator[bytes]:
    """The lines of `block` that contain `needle`."""
    position = block.find(needle)
    while position != -1:
        start = block.rfind(b"\n", 0, position) + 1
        end = block.find(b"\n", position)
        end = len(block) if end == -1 else end
        yield block[start:end]
        position = block.find(needle, end)
