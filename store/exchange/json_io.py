"""The lossless JSON exchange format: every record in full, history included.

    {"format": "reqboard", "version": 1, "exported_at": ..., "requirements": [{..., "history": [...]}],
     "customers": [...], "settings": {...}}

Import validates the whole file before it writes anything; a real import is one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError
from tinydb.table import Document

from ..board import Board
from ..errors import InvalidValue, Refused, validation_message
from ..models import Customer, Event, Requirement, key_number, new_uid, now
from ..storage import META_ID

EXPORT_FORMAT = "reqboard"
EXPORT_VERSION = 1


def requirement_json(req: Requirement) -> dict[str, Any]:
    """A requirement as `show --json` prints it: every stored field plus the derived ones."""
    data = req.model_dump(mode="json")
    data["priority"] = req.priority
    data["changed_since_approval"] = bool(req.approvals) and not req.approval_current
    data["overdue"] = req.overdue()
    data["open_change_requests"] = len(req.open_change_requests)
    return data


def export_json(board: Board) -> dict[str, Any]:
    """The whole board as the JSON exchange document."""
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in board.history():
        history[event.key].append(event.model_dump(mode="json", exclude={"generation"}))
    records = []
    for req in board.requirements():
        data = req.model_dump(mode="json")
        data["history"] = history.get(req.key, [])
        records.append(data)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": str(board.path),
        "settings": board.settings(),
        "customers": [c.model_dump(mode="json") for c in board.customers()],
        "requirements": records,
        "board_history": history.get("board", []),
    }


def dumps(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    rekeyed: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        lines = [f"{verb} {len(self.added)} requirement(s)"]
        for old, new in self.rekeyed.items():
            lines.append(f"  {old} -> {new}")
        return "\n".join(lines)


def _parse(data: bytes) -> dict[str, Any]:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidValue(f"the file is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise InvalidValue('the file is not a reqboard export (no "format": "reqboard")')
    if doc.get("version") != EXPORT_VERSION:
        raise InvalidValue(
            f"the export is version {doc.get('version')!r}; this reqboard reads version {EXPORT_VERSION}"
        )
    if not isinstance(doc.get("requirements"), list):
        raise InvalidValue('the export has no "requirements" list')
    return doc


def _validate(doc: dict[str, Any]) -> tuple[list[Requirement], dict[str, list[Event]], list[Customer]]:
    problems: list[str] = []
    reqs: list[Requirement] = []
    history: dict[str, list[Event]] = {}
    seen: set[str] = set()
    for index, raw in enumerate(doc["requirements"], start=1):
        where = f"record {index}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not an object")
            continue
        raw = dict(raw)
        events = raw.pop("history", [])
        where = f"record {index} ({raw.get('key', 'no key')})"
        try:
            req = Requirement.model_validate(raw)
        except ValidationError as exc:
            problems.append(f"{where}: {validation_message(exc)}")
            continue
        if req.key in seen:
            problems.append(f"{where}: {req.key} appears twice in the file")
        seen.add(req.key)
        try:
            history[req.key] = [Event.model_validate({**e, "key": req.key}) for e in events]
        except (ValidationError, TypeError) as exc:
            problems.append(f"{where}: history: {validation_message(exc) if isinstance(exc, ValidationError) else exc}")
        reqs.append(req)
    customers = []
    for index, raw in enumerate(doc.get("customers", []), start=1):
        try:
            customers.append(Customer.model_validate(raw))
        except ValidationError as exc:
            problems.append(f"customer {index}: {validation_message(exc)}")
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise InvalidValue(f"nothing imported: {len(problems)} problem(s): {shown}{more}")
    return reqs, history, customers


def import_json(board: Board, data: bytes, *, rekey: bool = False, dry_run: bool = False) -> ImportResult:
    """Import an export into `board`: all of it or, on any problem, nothing.

    Raises InvalidValue (bad file, by record and field) and Refused (keys that exist already,
    unless `rekey` gives the imported requirements new keys).
    """
    doc = _parse(data)
    reqs, history, customers = _validate(doc)
    result = ImportResult(dry_run=dry_run)
    try:
        _import(board, reqs, history, customers, rekey=rekey, dry_run=dry_run, result=result)
    except _DryRun:
        pass
    return result


def _import(board: Board, reqs: list[Requirement], history: dict[str, list[Event]], customers: list[Customer],
            *, rekey: bool, dry_run: bool, result: ImportResult) -> None:
    with board.file.transaction():
        board._now = board.clock()
        tables = board.file.tables()
        existing = {raw["key"] for raw in tables["requirements"].values()}
        existing_uids = {raw.get("uid") for raw in tables["requirements"].values()}
        existing_crs = {cr["key"] for raw in tables["requirements"].values() for cr in raw.get("change_requests", ())}
        clashes = sorted((r.key for r in reqs if r.key in existing or r.uid in existing_uids), key=key_number)
        cr_clashes = sorted(cr.key for r in reqs for cr in r.change_requests if cr.key in existing_crs)
        if (clashes or cr_clashes) and not rekey:
            listed = ", ".join((clashes + cr_clashes)[:10])
            raise Refused(
                f"nothing imported: {len(clashes) + len(cr_clashes)} key(s) exist on this board already "
                f"({listed}); import with --rekey to give them new keys", "import.clash")
        meta = tables["meta"][META_ID]
        next_req = max([int(meta.get("next_requirement", 1))] + [r.number + 1 for r in reqs])
        next_cr = max([int(meta.get("next_change_request", 1))]
                      + [key_number(cr.key) + 1 for r in reqs for cr in r.change_requests])
        if rekey and (clashes or cr_clashes):
            reqs, next_req, next_cr = _rekey(reqs, existing, existing_crs, next_req, next_cr, result,
                                             existing_uids=existing_uids)
            history = {result.rekeyed.get(k, k): v for k, v in history.items()}
        result.added = [r.key for r in reqs]
        if dry_run:
            raise _DryRun
        for req in reqs:
            old_key = next((o for o, n in result.rekeyed.items() if n == req.key), req.key)
            for event in history.get(req.key, []):
                board.file.record({**event.model_dump(mode="json", exclude={"generation"}), "key": req.key,
                                   "cr": result.rekeyed.get(event.cr, event.cr) if event.cr else None})
            board._event(req.key, "imported", field="key", old=old_key if old_key != req.key else None,
                         new=req.key)
            board._write(None, req)
        for customer in customers:
            if not any(c.get("name", "").casefold() == customer.name.casefold() for c in tables["customers"].values()):
                next_id = max((int(i) for i in tables["customers"]), default=0) + 1
                board.file.db.table("customers").insert(Document(customer.model_dump(mode="json"), doc_id=next_id))
        board.file.db.table("meta").update(
            {"next_requirement": next_req, "next_change_request": next_cr}, doc_ids=[int(META_ID)])


class _DryRun(Exception):
    """Raised inside the transaction to leave without writing."""


def _rekey(reqs: list[Requirement], existing: set[str], existing_crs: set[str], next_req: int, next_cr: int,
           result: ImportResult, *, existing_uids: set[str | None]) -> tuple[list[Requirement], int, int]:
    mapping: dict[str, str] = {}
    for req in reqs:
        if req.key in existing or req.key in mapping.values():
            while f"REQ-{next_req}" in existing:
                next_req += 1
            mapping[req.key] = f"REQ-{next_req}"
            next_req += 1
    cr_map: dict[str, str] = {}
    for req in reqs:
        for cr in req.change_requests:
            if cr.key in existing_crs:
                cr_map[cr.key] = f"CR-{next_cr}"
                next_cr += 1
    out = []
    for req in reqs:
        crs = tuple(cr.model_copy(update={"key": cr_map.get(cr.key, cr.key)}) for cr in req.change_requests)
        out.append(req.model_copy(update={
            "key": mapping.get(req.key, req.key),
            # A uid names one record on a board: a copy under a new key, or of a record here, gets its own.
            "uid": new_uid() if req.key in mapping or req.uid in existing_uids else req.uid,
            "depends_on": tuple(mapping.get(k, k) for k in req.depends_on),
            "conflicts_with": tuple(mapping.get(k, k) for k in req.conflicts_with),
            "change_requests": crs,
        }))
    result.rekeyed = mapping | cr_map
    return out, next_req, next_cr
