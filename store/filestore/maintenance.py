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
from ..errors import NotFound, StoreUnreadable, os_reason, validation_message
from ..i18n import N_, _, ngettext
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
            return [_("history: {path}: {error}").format(path=self.file.journal_path, error=os_reason(exc))]
        if size is None:
            return [ngettext("the history journal {name} is missing but the board records {n} byte of history; "
                             "`reqboard check --repair` keeps what is left",
                             "the history journal {name} is missing but the board records {n} bytes of history; "
                             "`reqboard check --repair` keeps what is left", committed).format(
                                 name=self.file.journal_path.name, n=committed)] if committed else []
        if size < committed:
            return [ngettext("the history journal is {size} byte but the board records {committed}; "
                             "`reqboard check --repair` keeps what is left",
                             "the history journal is {size} bytes but the board records {committed}; "
                             "`reqboard check --repair` keeps what is left", size).format(
                                 size=size, committed=committed)]
        if size > committed:
            warnings.append(
                ngettext("the history journal has {n} byte from an interrupted write; it is ignored and cut at "
                         "the next change",
                         "the history journal has {n} bytes from an interrupted write; they are ignored and cut "
                         "at the next change", size - committed).format(n=size - committed))
        try:
            for line in self.file.journal_lines():
                self.event(line)
        except StoreUnreadable as exc:
            return [_("history: {problem}").format(problem=exc)]
        return []

    def restore(self, open_transaction: OpenTransaction, generation: int | None = None) -> Backup:
        """Make a kept backup the current board (as a new generation; the history keeps growing).

        A current file that cannot be read is first copied aside byte for byte. Raises NotFound (no
        such backup), StoreUnreadable (a damaged backup: the board is left as it was).
        """
        backups = self.file.backups()
        if not backups:
            raise NotFound(_("no backups of {path} are kept yet").format(path=self.file.path))
        chosen = backups[0] if generation is None else next(
            (b for b in backups if b.generation == generation), None)
        if chosen is None:
            kept = ", ".join(str(b.generation) for b in backups)
            raise NotFound(_("no backup of generation {generation}; kept: {kept}").format(
                generation=generation, kept=kept))
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
            # (the history stores the reason as written, in English: it is the board's record, not a message)
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
                _("backup generation {generation} is damaged ({problem}); the board was left as it was: choose "
                  "another with `reqboard restore --generation N` (see `restore --list`)").format(
                      generation=backup.generation, problem=what))

        uids: dict[str, str] = {}
        for doc_id, raw in tables["requirements"].items():
            try:
                req = Requirement.model_validate(raw)
            except ValidationError as exc:
                raise damaged(_("record {key}: {problem}").format(
                    key=str(raw.get("key", doc_id))[:40], problem=validation_message(exc))) from None
            if str(req.number) != doc_id:
                raise damaged(_("record {key} is stored under id {id!r}").format(key=req.key, id=doc_id[:40]))
            if req.uid in uids:
                raise damaged(_("{key} has the same uid as {other}").format(key=req.key, other=uids[req.uid]))
            uids[req.uid] = req.key
        for doc_id, raw in tables["customers"].items():
            try:
                Customer.model_validate(raw)
            except ValidationError as exc:
                raise damaged(_("customer record {id!r}: {problem}").format(
                    id=doc_id[:40], problem=validation_message(exc))) from None

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
        """What a restore finds missing of the history journal ("" when nothing is), in English: it goes
        into the history's reason for the restore, which is stored as written."""
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
            # Each thing done twice: in English for the history (stored as written), and as the person reads it.
            done: list[tuple[str, str]] = []

            def did(english: str, shown: str, **fields: Any) -> None:
                done.append((english.format(**fields), shown.format(**fields)))

            if journal is None:
                if committed:
                    message = N_("started a new history journal: {n} bytes of history were lost")
                    did(message, _(message), n=committed)
                    self.file.replace_journal(b"")
            else:
                committed_part = journal[:committed]
                good, bad = self._readable_lines(committed_part)
                if len(committed_part) < committed:
                    message = N_("the history journal was cut: {n} bytes of history were lost")
                    did(message, _(message), n=committed - len(committed_part))
                if bad:
                    message = N_("set {n} damaged history line(s) aside")
                    did(message, _(message), n=bad)
                if done:
                    aside = self.file.replace_journal(good)
                    if aside is not None:
                        message = N_("the old journal was kept as {name}")
                        did(message, _(message), name=aside.name)
            if done:
                tx.record_event("board", "repaired", field="journal", reason="; ".join(e for e, _s in done))
            return [shown for _e, shown in done]

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
