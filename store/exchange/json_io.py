"""The lossless JSON exchange format: every record in full, history included.

    {"format": "reqboard", "version": 1, "exported_at": ..., "requirements": [{..., "history": [...]}],
     "customers": [...], "settings": {...}}

`read_json` validates the whole file (every record, event and customer) before the import pipeline
looks at the board; a real import is one transaction (see `pipeline`). Records are recognised by uid
(see `plan`): one already on the board and unchanged is left alone (importing a file
twice adds nothing the second time); one on the board that differs is refused, as is a uid that two
records share. Times from the file must be plausible (1970 to a day from now), and a file may start
with a UTF-8 byte order mark.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from ..board import Board
from ..errors import InvalidValue, Refused, json_problem, validation_message
from ..i18n import _
from ..models import Customer, Event, Requirement, from_outside, iso_utc, now, strip_control
from ..text import path_text
from .check import listed
from .incoming import ImportRefused, Incoming, ReadFile, problem_at, said, with_english

if TYPE_CHECKING:
    from .scope import ScopedBoard

EXPORT_FORMAT = "reqboard"
EXPORT_VERSION = 1
_BOM = b"\xef\xbb\xbf"


def requirement_json(req: Requirement) -> dict[str, Any]:
    """A requirement as `show --json` prints it: every stored field plus the derived ones."""
    data = req.model_dump(mode="json")
    data["priority"] = req.priority
    data["changed_since_approval"] = bool(req.approvals) and not req.approval_current
    data["overdue"] = req.overdue()
    data["open_change_requests"] = len(req.open_change_requests)
    return data


def export_json_file(board: Board | ScopedBoard) -> bytes:
    """The whole board (or the part of it in a scope) as the bytes of a JSON exchange file."""
    return dumps(export_json(board))


def export_json(board: Board | ScopedBoard) -> dict[str, Any]:
    """The whole board (or the part of it in a scope: its own history only) as the JSON exchange document."""
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    reqs = board.requirements()
    key_of_uid = {req.uid: req.key for req in reqs}  # a key a sync changed: its events are under the old one
    for event in board.history():
        key = key_of_uid.get(event.uid, event.key) if event.uid else event.key
        history[key].append(event.model_dump(mode="json", exclude={"generation"}))
    records = []
    for req in reqs:
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
    unchanged: list[str] = field(default_factory=list)
    """Board keys of the file's records that are on the board already, exactly as in the file."""
    rekeyed: dict[str, str] = field(default_factory=dict)
    """File key -> new key, for requirements and change requests given new keys by `rekey`."""
    dry_run: bool = False

    def summary(self) -> str:
        if self.dry_run:
            headline = _("would add {added} requirement(s), {unchanged} unchanged")
        else:
            headline = _("added {added} requirement(s), {unchanged} unchanged")
        lines = [headline.format(added=len(self.added), unchanged=len(self.unchanged))]
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
        raise InvalidValue(_("the file is not valid JSON: {detail}").format(detail=json_problem(exc))) from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise InvalidValue(_('the file is not a reqboard export (no "format": "reqboard")'))
    version = doc.get("version")
    if type(version) is not int or version != EXPORT_VERSION:  # not `true`, not 1.0
        raise InvalidValue(_("the export is version {version}; this reqboard reads version {readable}").format(
            version=_shown(version), readable=EXPORT_VERSION))
    if not isinstance(doc.get("requirements"), list):
        raise InvalidValue(_('the export has no "requirements" list'))
    if not isinstance(doc.get("customers", []), list):
        raise InvalidValue(_('the export\'s "customers" is not a list'))
    return doc


def _validate(doc: dict[str, Any], context: dict[str, Any]
              ) -> tuple[list[Requirement], dict[str, list[Event]], list[Customer], list[str]]:
    """Every record, event and customer of the file as models, and every problem, by record and field."""
    problems: list[str] = []
    reqs: list[Requirement] = []
    history: dict[str, list[Event]] = {}
    keys: set[str] = set()
    uids: dict[str, str] = {}  # uid -> key of the first requirement in the file carrying it
    cr_owners: dict[str, str] = {}  # change request key -> key of its requirement
    cr_uids: dict[str, str] = {}  # change request uid -> change request key
    for index, raw in enumerate(doc["requirements"], start=1):
        where = _record_place(index)
        if not isinstance(raw, dict):
            problems.append(problem_at(where, _("not an object")))
            continue
        raw = dict(raw)
        events = raw.pop("history", [])
        key = _shown(raw["key"]) if "key" in raw else _("no key")
        where = _("record {number} ({key})").format(number=index, key=key)
        try:
            req = Requirement.model_validate(raw, context=context)
        except ValidationError as exc:
            problems.append(problem_at(where, str(validation_message(exc))))
            continue
        if req.key in keys:
            problems.append(problem_at(where, _("{key} appears twice in the file").format(key=req.key)))
        keys.add(req.key)
        if req.uid in uids:
            problems.append(problem_at(where, _(
                "{key} has the uid of {other} ({uid}); a uid names one requirement: give one of them another uid "
                "or leave one out").format(key=req.key, other=uids[req.uid], uid=req.uid)))
        uids.setdefault(req.uid, req.key)
        for cr in req.change_requests:
            if cr.key in cr_owners:
                problems.append(problem_at(where, _("{cr} appears twice in the file (on {key} too)").format(
                    cr=cr.key, key=cr_owners[cr.key])))
            cr_owners.setdefault(cr.key, req.key)
            if cr.uid in cr_uids:
                problems.append(problem_at(where, _(
                    "{cr} has the uid of {other} ({uid}); give one of them another uid or leave one out").format(
                        cr=cr.key, other=cr_uids[cr.uid], uid=cr.uid)))
            cr_uids.setdefault(cr.uid, cr.key)
        history[req.key] = _events(req.key, events, where, context, problems)
        reqs.append(req)
    customers = []
    for index, raw in enumerate(doc.get("customers", []), start=1):
        try:
            customers.append(Customer.model_validate(raw, context=context))
        except ValidationError as exc:
            problems.append(problem_at(_("customer {number}").format(number=index), str(validation_message(exc))))
    return reqs, history, customers, problems


def _record_place(index: int) -> str:
    """`record 2`: where a requirement is in the file, counted from 1."""
    return said(lambda: _("record {number}"), number=index)


def _events(key: str, events: Any, where: str, context: dict[str, Any], problems: list[str]) -> list[Event]:
    """A record's history from the file; each bad event is added to `problems`, by its number."""
    if not isinstance(events, list):
        problems.append(problem_at(where, _("history: must be a list of events, not {kind}").format(
            kind=type(events).__name__)))
        return []
    out = []
    for number, event in enumerate(events, start=1):
        event_place = _("history event {number}").format(number=number)
        if not isinstance(event, dict):
            problems.append(problem_at(where, problem_at(event_place, _("not an object"))))
            continue
        try:
            out.append(Event.model_validate({**event, "key": key}, context=context))
        except ValidationError as exc:
            problems.append(problem_at(where, problem_at(event_place, str(validation_message(exc)))))
    return out


def read_json(data: bytes) -> ReadFile:
    """An export's records for the import pipeline: whole requirements with their history, and the
    file's customers; or what is wrong with the file (one line: its shape, or every invalid record,
    event and customer by number and field)."""
    try:
        doc = _parse(data)
    except InvalidValue as exc:
        return ReadFile("json", problems=[with_english(str(exc), lambda: _parse_problem(data))], lossless=True,
                        rule="import.file")
    context = from_outside(now())
    reqs, history, customers, problems = _validate(doc, context)
    if problems:
        # Said again in English by the same checks (a validator says it in the language it ran in).
        return ReadFile("json", problems=[with_english(_problems_text(problems),
                                                       lambda: _problems_text(_validate(doc, context)[3]))],
                        lossless=True, rule="import.invalid")
    records = [Incoming(_record_place(index), key=req.key, uid=req.uid, version=req.version, whole=req,
                        history=tuple(history.get(req.key, ())))
               for index, req in enumerate(reqs, start=1)]
    return ReadFile("json", records, lossless=True, customers=tuple(customers))


def _parse_problem(data: bytes) -> str:
    """What is wrong with the shape of a file `_parse` refuses, in the language spoken now."""
    try:
        _parse(data)
    except InvalidValue as exc:
        return str(exc)
    raise AssertionError("the file was refused")  # pragma: no cover


def _problems_text(problems: list[str]) -> str:
    """The invalid records, events and customers of a file as one line: how many, and the first few."""
    return _("{n} problem(s): {problems}").format(n=len(problems), problems=listed(problems))


def import_json(board: Board, data: bytes, *, rekey: bool = False, dry_run: bool = False) -> ImportResult:
    """Import an export into `board`: all of it or, on any problem, nothing (see `plan` for how its
    records meet the board's).

    A record whose uid is on the board already and that is exactly as there is left alone (reported
    as unchanged), so importing one file twice adds nothing the second time.
    Raises InvalidValue (bad file, by record and field: shapes, keys, implausible times, a uid two
    records share) and Refused (keys that exist already, unless `rekey` gives the imported requirements
    new keys; a record whose uid is on the board already but that differs from it, even with `rekey`).
    """
    from .pipeline import run_import

    try:
        summary = run_import(board, read_json(data), dry_run=dry_run, rekey=rekey)
    except ImportRefused as exc:
        message = exc.summary.refused[0]
        if exc.rule == "import.file":
            raise InvalidValue(message) from None
        if exc.rule == "import.invalid":
            raise InvalidValue(_("nothing imported: {problem}").format(problem=message)) from None
        raise Refused(_("nothing imported: {problem}").format(problem=message), exc.rule) from None
    return ImportResult(added=[a.key for a in summary.added], unchanged=list(summary.unchanged),
                        rekeyed=dict(summary.rekeyed), dry_run=dry_run)
