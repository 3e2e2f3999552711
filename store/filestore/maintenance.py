"""File-only maintenance of a board: its history journal checked and repaired, its backups restored.

These exist because a board is a file on somebody's disk: a journal can be cut or lost, a file can be
damaged by hand. A server storage keeps neither journal nor backups, and declines them (see
`store.storage.Storage.maintenance`). The Board reaches them only through `BoardFile.maintenance()`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from ..domain import key_number
from ..errors import NotFound, StoreUnreadable, validation_message
from ..models import MAX_COUNT, Customer, Event, Requirement
from ..transaction import Transaction
from .backups import Backup
from .boardfile import BoardFile, FileChange
from .layout import META_ID

OpenTransaction = Callable[[FileChange], Transaction]
"""How the board makes its transaction on a change the maintenance opened (its user and clock)."""


class FileMaintenance:
    """Check, repair and restore for the board file `file` (see the module docstring)."""

    def __init__(self, file: BoardFile) -> None:
        self.file = file

    @property
    def board_path(self) -> Path:
        """The board file."""
        return self.file.path

    @property
    def journal_path(self) -> Path:
        """The history journal."""
        return self.file.journal_path

    @property
    def lock_path(self) -> Path:
        """The lock file."""
        return self.file.lock_path

    @property
    def backup_dir(self) -> Path:
        """The backups folder."""
        return self.file.backup_dir

    def backups(self) -> list[Backup]:
        """The kept generations, newest first."""
        return self.file.backups()

    def backup_junk(self) -> list[str]:
        """What sits among the backups but is not one, one line each."""
        return self.file.backup_junk()

    def event(self, raw: dict[str, Any]) -> Event:
        """A journal line as an Event; raises StoreUnreadable naming the damaged event."""
        return Event.from_journal(raw, self.file.journal_path)

    def check_history(self, warnings: list[str]) -> list[str]:
        """The errors of the history journal against the length the board records, one line each; a
        journal with uncommitted bytes adds a warning."""
        committed = int(self.file.meta.get("journal_size", 0))
        try:
            size = self.file.journal_size()
        except OSError as exc:
            return [f"history: {self.file.journal_path}: {exc.strerror}"]
        fix = "; `reqboard check --repair` keeps what is left"
        if size is None:
            return [f"the history journal {self.file.journal_path.name} is missing but the board "
                    f"records {committed} bytes of history{fix}"] if committed else []
        if size < committed:
            return [f"the history journal is {size} bytes but the board records {committed}{fix}"]
        if size > committed:
            warnings.append(
                f"the history journal has {size - committed} bytes from an interrupted write; "
                "they are ignored and cut at the next change")
        try:
            for line in self.file.journal_lines():
                self.event(line)
        except StoreUnreadable as exc:
            return [f"history: {exc}"]
        return []

    def restore(self, open_transaction: OpenTransaction, generation: int | None = None) -> Backup:
        """Make a kept backup the current board (as a new generation; the history keeps growing).

        A current file that cannot be read is first copied aside byte for byte. Raises NotFound (no
        such backup), StoreUnreadable (a damaged backup: the board is left as it was).
        """
        backups = self.file.backups()
        if not backups:
            raise NotFound(f"no backups of {self.file.path} are kept yet")
        chosen = backups[0] if generation is None else next(
            (b for b in backups if b.generation == generation), None)
        if chosen is None:
            kept = ", ".join(str(b.generation) for b in backups)
            raise NotFound(f"no backup of generation {generation}; kept: {kept}")
        tables = self.file.read_backup(chosen)
        self._refuse_damaged_backup(tables, chosen)
        try:
            self.file.reload()
            kept_aside = None
        except StoreUnreadable:
            kept_aside = self.file.quarantine_current()
        lost = self._history_lost()
        with self.file.change(over_unreadable=kept_aside is not None, adopt_journal=True) as change:
            tx = open_transaction(change)
            current = self.file.tables()
            meta, old_meta = tables["meta"][META_ID], current["meta"][META_ID]
            for raw in tables["requirements"].values():
                # Versions keep rising so that a stale edit made against the newer state is refused.
                existing = current["requirements"].get(str(key_number(raw["key"])))
                version = existing.get("version") if isinstance(existing, dict) else None
                if isinstance(version, int) and not isinstance(version, bool):
                    raw["version"] = min(max(raw["version"], version) + 1, MAX_COUNT)
            # An unreadable board lost its counters: the backups and the history still know them.
            seen = self._counters_seen(backups) if kept_aside else {}
            for counter in ("next_requirement", "next_change_request", "generation"):
                meta[counter] = max(int(meta.get(counter, 0)), int(old_meta.get(counter, 0)),
                                    seen.get(counter, 0))
            meta["journal_size"] = (
                self._journal_bytes() if kept_aside else int(old_meta.get("journal_size", 0)))
            note = f" (the unreadable file was kept as {kept_aside.name})" if kept_aside else ""
            note += f"; {lost}" if lost else ""
            tx.record_event("board", "restored", field="generation", new=chosen.generation,
                            reason=f"restored generation {chosen.generation}{note}")
            self.file.stage(tables)
        return chosen

    def _refuse_damaged_backup(self, tables: dict[str, Any], backup: Backup) -> None:
        """Raise StoreUnreadable unless every record and customer of a backup is one `check` accepts."""
        def damaged(what: str) -> StoreUnreadable:
            return StoreUnreadable(
                f"backup generation {backup.generation} is damaged ({what}); the board was left as it "
                "was: choose another with `reqboard restore --generation N` (see `restore --list`)")

        uids: dict[str, str] = {}
        for doc_id, raw in tables["requirements"].items():
            try:
                req = Requirement.model_validate(raw)
            except ValidationError as exc:
                raise damaged(f"record {str(raw.get('key', doc_id))[:40]}: {validation_message(exc)}") from None
            if str(req.number) != doc_id:
                raise damaged(f"record {req.key} is stored under id {doc_id[:40]!r}")
            if req.uid in uids:
                raise damaged(f"{req.key} has the same uid as {uids[req.uid]}")
            uids[req.uid] = req.key
        for doc_id, raw in tables["customers"].items():
            try:
                Customer.model_validate(raw)
            except ValidationError as exc:
                raise damaged(f"customer record {doc_id[:40]!r}: {validation_message(exc)}") from None

    def _counters_seen(self, backups: list[Backup]) -> dict[str, int]:
        """The highest key counters and generation any kept backup or history line has reached."""
        seen = {"next_requirement": 1, "next_change_request": 1, "generation": 0}
        for backup in backups:
            try:
                meta = self.file.read_backup(backup)["meta"][META_ID]
            except (StoreUnreadable, OSError):
                continue
            for counter in seen:
                value = meta.get(counter, 0)
                if isinstance(value, int):
                    seen[counter] = max(seen[counter], value)
        try:
            journal = self.file.read_journal() or b""
        except (StoreUnreadable, OSError):
            journal = b""
        for line in journal.splitlines():
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(event, dict):
                continue
            for field, prefix, counter in (("key", "REQ-", "next_requirement"),
                                           ("cr", "CR-", "next_change_request")):
                value = event.get(field)
                digits = value[len(prefix):] if isinstance(value, str) and value.startswith(prefix) else ""
                if digits.isascii() and digits.isdigit() and len(digits) <= 9:
                    seen[counter] = max(seen[counter], int(digits) + 1)
            generation = event.get("generation")
            if type(generation) is int and 0 <= generation <= MAX_COUNT:  # a hostile line cannot wedge the board
                seen["generation"] = max(seen["generation"], generation)
        return seen

    def _journal_bytes(self) -> int:
        """The whole journal: when the board was unreadable, keep every line of history there is."""
        return self.file.journal_size() or 0

    def _history_lost(self) -> str:
        """What a restore or repair finds missing of the history journal ("" when nothing is)."""
        try:
            committed = int(self.file.meta.get("journal_size", 0))
        except StoreUnreadable:
            return ""
        size = self.file.journal_size()
        if size is None and committed:
            return f"the history journal was missing ({committed} bytes of history lost); a new one was started"
        if size is not None and size < committed:
            return f"the history journal was cut ({committed - size} bytes of history lost)"
        return ""

    def repair(self, open_transaction: OpenTransaction) -> list[str]:
        """Make a board whose history journal is missing, cut or damaged writable again, keeping all
        the history that can be read: damaged lines are set aside (the old journal is kept byte for
        byte next to it) and the board records the journal that is left. Returns what was done
        (empty when nothing needed repair). Raises StoreUnreadable when the board itself cannot be
        read (then `restore` is the way back).
        """
        self.file.reload()
        with self.file.change(adopt_journal=True) as change:
            tx = open_transaction(change)
            committed = int(self.file.tables()["meta"][META_ID].get("journal_size", 0))
            journal = self.file.read_journal()
            done: list[str] = []
            if journal is None:
                if committed:
                    done.append(f"started a new history journal: {committed} bytes of history were lost")
                    self.file.replace_journal(b"")
            else:
                committed_part = journal[:committed]
                good, bad = self._readable_lines(committed_part)
                if len(committed_part) < committed:
                    done.append(f"the history journal was cut: {committed - len(committed_part)} bytes "
                                "of history were lost")
                if bad:
                    done.append(f"set {bad} damaged history line(s) aside")
                if done:
                    aside = self.file.replace_journal(good)
                    if aside is not None:
                        done.append(f"the old journal was kept as {aside.name}")
            if done:
                tx.record_event("board", "repaired", field="journal", reason="; ".join(done))
            return done

    def _readable_lines(self, journal: bytes) -> tuple[bytes, int]:
        """The whole lines of a journal that are valid events, and how many are not."""
        good: list[bytes] = []
        bad = 0
        lines = journal.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            bad += 1  # a last line without its end was cut short
            lines.pop()
        for line in lines:
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
                Event.model_validate(raw)
            except (orjson.JSONDecodeError, ValidationError, TypeError):
                bad += 1
                continue
            good.append(line + b"\n")
        return b"".join(good), bad
