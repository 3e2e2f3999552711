"""The lossless JSON exchange format: every record in full, history included.

    {"format": "reqboard", "version": 1, "exported_at": ..., "requirements": [{..., "history": [...]}],
     "customers": [...], "settings": {...}}

Import validates the whole file before it writes anything; a real import is one transaction.
Records are recognised by uid: one already on the board and unchanged is left alone (importing a file
twice adds nothing the second time); one on the board that differs is refused, as is a uid that two
records share. Times from the file must be plausible (1970 to a day from now), and a file may start
with a UTF-8 byte order mark.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import ValidationError

from ..board import Board
from ..cards import validated
from ..errors import InvalidValue, Refused, validation_message
from ..models import (
    MAX_KEY_DIGITS,
    ChangeRequest,
    Customer,
    Event,
    Requirement,
    from_outside,
    is_change_request_key,
    is_requirement_key,
    iso_utc,
    key_number,
    now,
    strip_control,
)
from ..storage import META_ID
from ..text import path_text

EXPORT_FORMAT = "reqboard"
EXPORT_VERSION = 1
_BOM = b"\xef\xbb\xbf"
_SHOWN_PROBLEMS = 10
_PROBLEM_LENGTH = 400


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
        "exported_at": iso_utc(now().replace(microsecond=0)),
        "source": path_text(board.path),
        "settings": board.settings(),
        "customers": [c.model_dump(mode="json") for c in board.customers()],
        "requirements": records,
        "board_history": history.get("board", []),
    }


def dumps(document: dict[str, Any]) -> bytes:
    """The exchange document as the bytes of a file: indented JSON, a newline at the end."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


@dataclass
class ImportResult:
    """What an import added (or would add), left alone as already there, and re-keyed."""

    added: list[str] = field(default_factory=list)
    """The keys the new requirements have on the board, in file order."""
    records: list[Requirement] = field(default_factory=list)
    """The new requirements as they are (or would be) stored, in the order of `added`."""
    unchanged: list[str] = field(default_factory=list)
    """Board keys of the file's records that are on the board already, exactly as in the file."""
    rekeyed: dict[str, str] = field(default_factory=dict)
    """File key -> new key, for requirements and change requests given new keys by `rekey`."""
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        lines = [f"{verb} {len(self.added)} requirement(s), {len(self.unchanged)} unchanged"]
        for old, new in self.rekeyed.items():
            lines.append(f"  {old} -> {new}")
        return "\n".join(lines)


def _shown(value: Any) -> str:
    """A value from the file as a message quotes it: control characters out, at most 40 characters."""
    text = strip_control(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _parse(data: bytes) -> dict[str, Any]:
    # Notepad, Excel and PowerShell write "UTF-8" with a byte order mark, which orjson refuses.
    data = data.removeprefix(_BOM)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InvalidValue(f"the file is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise InvalidValue('the file is not a reqboard export (no "format": "reqboard")')
    version = doc.get("version")
    if type(version) is not int or version != EXPORT_VERSION:  # not `true`, not 1.0
        raise InvalidValue(
            f"the export is version {_shown(version)}; this reqboard reads version {EXPORT_VERSION}"
        )
    if not isinstance(doc.get("requirements"), list):
        raise InvalidValue('the export has no "requirements" list')
    if not isinstance(doc.get("customers", []), list):
        raise InvalidValue('the export\'s "customers" is not a list')
    return doc


def _validate(doc: dict[str, Any], context: dict[str, Any]
              ) -> tuple[list[Requirement], dict[str, list[Event]], list[Customer]]:
    """Every record, event and customer of the file as models, or InvalidValue naming each problem."""
    problems: list[str] = []
    reqs: list[Requirement] = []
    history: dict[str, list[Event]] = {}
    keys: set[str] = set()
    uids: dict[str, str] = {}  # uid -> key of the first requirement in the file carrying it
    cr_owners: dict[str, str] = {}  # change request key -> key of its requirement
    cr_uids: dict[str, str] = {}  # change request uid -> change request key
    for index, raw in enumerate(doc["requirements"], start=1):
        where = f"record {index}"
        if not isinstance(raw, dict):
            problems.append(f"{where}: not an object")
            continue
        raw = dict(raw)
        events = raw.pop("history", [])
        where = f"record {index} ({_shown(raw.get('key', 'no key'))})"
        try:
            req = Requirement.model_validate(raw, context=context)
        except ValidationError as exc:
            problems.append(f"{where}: {validation_message(exc)}")
            continue
        if req.key in keys:
            problems.append(f"{where}: {req.key} appears twice in the file")
        keys.add(req.key)
        if req.uid in uids:
            problems.append(f"{where}: {req.key} has the uid of {uids[req.uid]} ({req.uid}); a uid names "
                            "one requirement: give one of them another uid or leave one out")
        uids.setdefault(req.uid, req.key)
        for cr in req.change_requests:
            if cr.key in cr_owners:
                problems.append(f"{where}: {cr.key} appears twice in the file (on {cr_owners[cr.key]} too)")
            cr_owners.setdefault(cr.key, req.key)
            if cr.uid in cr_uids:
                problems.append(f"{where}: {cr.key} has the uid of {cr_uids[cr.uid]} ({cr.uid}); give one of "
                                "them another uid or leave one out")
            cr_uids.setdefault(cr.uid, cr.key)
        history[req.key] = _events(req.key, events, where, context, problems)
        reqs.append(req)
    customers = []
    for index, raw in enumerate(doc.get("customers", []), start=1):
        try:
            customers.append(Customer.model_validate(raw, context=context))
        except ValidationError as exc:
            problems.append(f"customer {index}: {validation_message(exc)}")
    if problems:
        shown = "; ".join(_cut(p) for p in problems[:_SHOWN_PROBLEMS])
        more = f" (and {len(problems) - _SHOWN_PROBLEMS} more)" if len(problems) > _SHOWN_PROBLEMS else ""
        raise InvalidValue(f"nothing imported: {len(problems)} problem(s): {shown}{more}")
    return reqs, history, customers


def _events(key: str, events: Any, where: str, context: dict[str, Any], problems: list[str]) -> list[Event]:
    """A record's history from the file; each bad event is added to `problems`, by its number."""
    if not isinstance(events, list):
        problems.append(f"{where}: history: must be a list of events, not {type(events).__name__}")
        return []
    out = []
    for number, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            problems.append(f"{where}: history event {number}: not an object")
            continue
        try:
            out.append(Event.model_validate({**event, "key": key}, context=context))
        except ValidationError as exc:
            problems.append(f"{where}: history event {number}: {validation_message(exc)}")
    return out


def _cut(problem: str) -> str:
    """One problem as the error line shows it: a key of a megabyte must not make a megabyte message."""
    return problem if len(problem) <= _PROBLEM_LENGTH else problem[:_PROBLEM_LENGTH - 1] + "…"


def import_json(board: Board, data: bytes, *, rekey: bool = False, dry_run: bool = False) -> ImportResult:
    """Import an export into `board`: all of it or, on any problem, nothing.

    A record whose uid is on the board already and that is exactly as there is left alone (reported
    as unchanged), so importing one file twice adds nothing the second time.
    Raises InvalidValue (bad file, by record and field: shapes, keys, implausible times, a uid two
    records share) and Refused (keys that exist already, unless `rekey` gives the imported requirements
    new keys; a record whose uid is on the board already but that differs from it, even with `rekey`).
    """
    doc = _parse(data)
    reqs, history, customers = _validate(doc, from_outside(now()))
    result = ImportResult(dry_run=dry_run)
    try:
        _import(board, reqs, history, customers, rekey=rekey, dry_run=dry_run, result=result)
    except _DryRun:
        pass
    return result


@dataclass
class _Plan:
    """How the file's records meet the board: which are there already, which are new, which keys move."""

    new: list[Requirement] = field(default_factory=list)
    key_map: dict[str, str] = field(default_factory=dict)
    """File key -> board key: records recognised by uid, and (with rekey) new records given new keys."""
    cr_map: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)


def _plan(board: Board, tables: dict[str, Any], reqs: list[Requirement], *, rekey: bool,
          next_req: int, next_cr: int) -> tuple[_Plan, dict[str, str], int, int]:
    """Match the file's records with the board's by uid; give clashing new records keys (with rekey)."""
    plan = _Plan()
    stored = tables["requirements"].values()
    board_keys = {raw.get("key") for raw in stored}
    by_uid = {raw.get("uid"): raw for raw in stored}
    board_crs: dict[str, str] = {}  # change request key -> key of its requirement, on the board
    cr_by_uid: dict[str, str] = {}  # change request uid -> change request key, on the board
    for raw in stored:
        for cr in raw.get("change_requests", ()):
            board_crs[cr.get("key")] = raw.get("key")
            cr_by_uid[cr.get("uid")] = cr.get("key")
    recognised: list[tuple[Requirement, dict[str, Any]]] = []
    for req in reqs:
        raw = by_uid.get(req.uid)
        if raw is None:
            plan.new.append(req)
            continue
        recognised.append((req, raw))
        plan.key_map[req.key] = raw["key"]
        for cr in req.change_requests:
            if cr.uid in cr_by_uid:
                plan.cr_map[cr.key] = cr_by_uid[cr.uid]
    for req in plan.new:
        for cr in req.change_requests:
            if cr.uid in cr_by_uid:
                plan.problems.append(
                    f"{cr.key} (on {req.key}) has the uid of {cr_by_uid[cr.uid]} on this board "
                    f"(on {board_crs[cr_by_uid[cr.uid]]}); a uid names one change request")
    # New records whose keys are taken: refused, or (rekey) given the next free keys.
    rekeyed: dict[str, str] = {}
    for req in plan.new:
        if req.key in board_keys:
            plan.clashes.append(req.key)
            if rekey:
                while f"REQ-{next_req}" in board_keys:
                    next_req += 1
                rekeyed[req.key] = f"REQ-{next_req}"
                next_req += 1
    cr_clashes = [cr.key for req in plan.new for cr in req.change_requests if cr.key in board_crs]
    for cr_key in cr_clashes if rekey else ():
        while f"CR-{next_cr}" in board_crs:
            next_cr += 1
        rekeyed[cr_key] = f"CR-{next_cr}"
        next_cr += 1
    for old, new in rekeyed.items():
        if not (is_requirement_key(new) or is_change_request_key(new)):
            plan.problems.append(f"{old} cannot be given a new key: keys stop at {MAX_KEY_DIGITS} digits")
    plan.clashes.sort(key=key_number)
    plan.clashes += sorted(cr_clashes, key=key_number)
    plan.key_map |= {old: new for old, new in rekeyed.items() if old.startswith("REQ-")}
    plan.cr_map |= {old: new for old, new in rekeyed.items() if old.startswith("CR-")}
    for req, raw in recognised:
        if _translated(req, plan.key_map, plan.cr_map) == validated(raw, board.path):
            plan.unchanged.append(raw["key"])
        elif raw["key"] == req.key:
            plan.problems.append(f"{req.key} is on this board already and differs from the file's (same uid); "
                                 "importing it again would make a copy: leave it out of the file")
        else:
            plan.problems.append(f"{req.key} in the file is {raw['key']} on this board (same uid) and differs "
                                 f"from it; importing it would make a copy: leave it out of the file")
    return plan, rekeyed, next_req, next_cr


def _translated(req: Requirement, key_map: dict[str, str], cr_map: dict[str, str]) -> Requirement:
    """`req` with the keys it carries (its own, links, change requests, affected) as on the board."""
    if not key_map and not cr_map:
        return req

    def key(k: str) -> str:
        return key_map.get(k, k)

    crs = tuple(_translated_cr(cr, key, cr_map) for cr in req.change_requests)
    return req.model_copy(update={
        "key": key(req.key),
        "depends_on": tuple(dict.fromkeys(map(key, req.depends_on))),
        "conflicts_with": tuple(dict.fromkeys(map(key, req.conflicts_with))),
        "change_requests": crs,
    })


def _translated_cr(cr: ChangeRequest, key: Any, cr_map: dict[str, str]) -> ChangeRequest:
    update: dict[str, Any] = {"key": cr_map.get(cr.key, cr.key)}
    if cr.assessment is not None and cr.assessment.affects:
        update["assessment"] = cr.assessment.model_copy(update={"affects": tuple(map(key, cr.assessment.affects))})
    return cr.model_copy(update=update)


def _import(board: Board, reqs: list[Requirement], history: dict[str, list[Event]], customers: list[Customer],
            *, rekey: bool, dry_run: bool, result: ImportResult) -> None:
    with board.file.transaction():
        board._now = board.clock()
        tables = board.file.tables()
        meta = tables["meta"][META_ID]
        counters = (int(meta.get("next_requirement", 1)), int(meta.get("next_change_request", 1)))
        # Re-keyed records are numbered after every key in the file as well as on the board.
        next_req = max([counters[0]] + [r.number + 1 for r in reqs])
        next_cr = max([counters[1]] + [key_number(cr.key) + 1 for r in reqs for cr in r.change_requests])
        plan, rekeyed, next_req, next_cr = _plan(board, tables, reqs, rekey=rekey,
                                                 next_req=next_req, next_cr=next_cr)
        if plan.problems:
            shown = "; ".join(_cut(p) for p in plan.problems[:_SHOWN_PROBLEMS])
            more = (f" (and {len(plan.problems) - _SHOWN_PROBLEMS} more)"
                    if len(plan.problems) > _SHOWN_PROBLEMS else "")
            raise Refused(f"nothing imported: {shown}{more}", "import.uid")
        if plan.clashes and not rekey:
            listed = ", ".join(plan.clashes[:10])
            raise Refused(
                f"nothing imported: {len(plan.clashes)} key(s) exist on this board already "
                f"({listed}); import with --rekey to give them new keys", "import.clash")
        added = [(req, _translated(req, plan.key_map, plan.cr_map)) for req in plan.new]
        result.added = [new.key for _, new in added]
        result.records = [new for _, new in added]
        result.unchanged = plan.unchanged
        result.rekeyed = rekeyed
        if dry_run:
            raise _DryRun
        for req, new in added:
            for event in history.get(req.key, []):
                board.file.record({**event.model_dump(mode="json", exclude={"generation"}), "key": new.key,
                                   "cr": plan.cr_map.get(event.cr, event.cr) if event.cr else None})
            board._event(new.key, "imported", field="key", old=req.key if req.key != new.key else None,
                         new=new.key)
            board._write(None, new)
        _add_customers(board, tables, customers)
        # The counters pass every key added, so none is handed out again; untouched when nothing was added.
        next_req = max([counters[0]] + [r.number + 1 for r in result.records])
        next_cr = max([counters[1]] + [key_number(cr.key) + 1 for r in result.records for cr in r.change_requests])
        if (next_req, next_cr) != counters:
            board.file.db.table("meta").update(
                {"next_requirement": next_req, "next_change_request": next_cr}, doc_ids=[int(META_ID)])


def _add_customers(board: Board, tables: dict[str, Any], customers: list[Customer]) -> None:
    """The file's customers that the board does not know yet (by name, ignoring case)."""
    known = set()
    for stored in tables["customers"].values():
        name = stored.get("name") if isinstance(stored, dict) else None
        if isinstance(name, str):
            known.add(name.casefold())
    next_id = max((int(i) for i in tables["customers"] if i.isdigit()), default=0) + 1
    for customer in customers:
        if customer.name.casefold() in known:
            continue  # the board's own record of a customer wins over the file's
        known.add(customer.name.casefold())
        board.file.put("customers", next_id, customer.model_dump(mode="json"), new=True)
        next_id += 1


class _DryRun(Exception):
    """Raised inside the transaction to leave without writing."""
