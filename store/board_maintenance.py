"""Keeping a board sound: `check` finds what is wrong; `restore` and `repair` put a damaged file right.

The checks of the records are the models'; what concerns the file (its journal, its backups) is the
file storage's maintenance, which a storage without files declines (Unsupported).
"""

from __future__ import annotations

from pydantic import ValidationError

from .board_core import BoardCore
from .errors import StoreUnreadable, field_shown, validation_message
from .i18n import _
from .models import Requirement, key_number
from .storage import Backup


class BoardMaintenance(BoardCore):
    """The upkeep operations of `Board` (a part of it, kept in its own module)."""

    def check(self) -> tuple[list[str], list[str]]:
        """Validate the whole board: (errors, warnings), one line per problem. Errors mean the file
        needs repair (`restore` for the board, `repair` for the history journal)."""
        errors: list[str] = []
        warnings: list[str] = []
        records, _revision = self.storage.requirement_records()
        snapshot = self.storage.snapshot()
        keys: set[str] = set()
        cr_keys: set[str] = set()
        uids: dict[str, str] = {}
        valid: list[Requirement] = []
        max_req = max_cr = 0
        for doc_id, raw in records.items():
            try:
                req = Requirement.model_validate(raw)
            except ValidationError as exc:
                name = raw.get("key", doc_id) if isinstance(raw, dict) else doc_id
                errors.append(_("record {key}: {problem}").format(key=str(name)[:40], problem=validation_message(exc)))
                continue
            if str(req.number) != doc_id:
                errors.append(_("record {key} is stored under id {id!r}").format(key=req.key, id=doc_id[:40]))
            valid.append(req)
            keys.add(req.key)
            if req.uid in uids:
                errors.append(_("{key} has the same uid as {other} ({uid})").format(
                    key=req.key, other=uids[req.uid], uid=req.uid))
            uids.setdefault(req.uid, req.key)
            max_req = max(max_req, req.number)
            for cr in req.change_requests:
                if cr.key in cr_keys:
                    errors.append(_("{key} appears twice").format(key=cr.key))
                cr_keys.add(cr.key)
                max_cr = max(max_cr, key_number(cr.key))
        for req in valid:
            for field in ("depends_on", "conflicts_with"):
                for other in getattr(req, field):
                    if other not in keys:
                        warnings.append(_("{key} {field} {other}, which does not exist").format(
                            key=req.key, field=field_shown(field), other=other))
        if snapshot.next_requirement <= max_req:
            errors.append(_("the key counter ({n}) is not above {key}").format(
                n=snapshot.next_requirement, key=f"REQ-{max_req}"))
        if snapshot.next_change_request <= max_cr:
            errors.append(_("the change request counter ({n}) is not above {key}").format(
                n=snapshot.next_change_request, key=f"CR-{max_cr}"))
        try:
            self.customers()
        except StoreUnreadable as exc:
            errors.append(str(exc))
        upkeep = self.storage.maintenance()
        errors.extend(upkeep.check_history(warnings))
        warnings.extend(upkeep.backup_junk())
        return errors, warnings

    def restore(self, generation: int | None = None) -> Backup:
        """Make a kept backup the current board (as a new generation; the history keeps growing).

        A current file that cannot be read is first copied aside byte for byte. Raises NotFound (no
        such backup), StoreUnreadable (a damaged backup: the board is left as it was), Unsupported.
        """
        chosen = self.storage.maintenance().restore(self.open_transaction, generation)
        self._models_signature = object()
        self.card_cache.forget()
        return chosen

    def repair(self) -> list[str]:
        """Make a board whose history journal is missing, cut or damaged writable again, keeping all
        the history that can be read: damaged lines are set aside (the old journal is kept byte for
        byte next to it) and the board records the journal that is left. Returns what was done
        (empty when nothing needed repair). Raises StoreUnreadable when the board itself cannot be
        read (then `restore` is the way back), Unsupported.
        """
        return self.storage.maintenance().repair(self.open_transaction)
