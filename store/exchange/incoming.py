"""What every import speaks: the records a format's reader makes of a file, and the report an import gives.

A reader (`json_io.read_json`, `csv_io.read_csv_file`, `reqif_io.read_reqif_file`) turns a file into a
`ReadFile`: its `Incoming` records and what is wrong with the file as a whole. The pipeline
(`pipeline.run_import`) plans them against the board (`plan`), checks the plan (`check`) and applies it
(`apply`); what it did, or would do, is an `ImportSummary`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..errors import InvalidValue
from ..i18n import ENGLISH, N_, _, english, language
from ..labels import field_label
from ..models import MAX_KEY_DIGITS, Customer, Event, Requirement, State

KEY_NUMBER_LIMIT = 10**MAX_KEY_DIGITS - 1
"""The highest key number a board can give (REQ-999999999): an import that would need a higher one is
refused rather than making a key that no model takes."""


class Said(str):
    """A message in the language spoken when it was made, that knows its English too: a person reads
    the one, `import --json` prints the other whatever the language (made by `said`). Formatted into
    a message `said` makes, it gives that message's English its own English."""

    english: str

    def __new__(cls, text: str, english_text: str) -> Said:
        made = super().__new__(cls, text)
        made.english = english_text
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # (str's takes one: ours two)
        return str.__str__(self), self.english

    def __str__(self) -> str:
        return self.english if language() == ENGLISH else str.__str__(self)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def said(message: Callable[[], str], /, **fields: Any) -> str:
    """`message().format(**fields)`: a message (`lambda: _("{key} cannot list itself")`) in the language
    spoken now. In any language but English, a `Said` that also holds the same message made inside
    `i18n.english()`, where the fields that are messages (`Said`, `RowPlace`) give their English too."""
    text = message().format(**fields)
    if language() == ENGLISH:
        return text
    with english():
        return Said(text, message().format(**fields))


def said_by(render: Callable[[], str]) -> str:
    """`render()`, text made of messages (a list of names, a library's words in ours), like `said`: in any
    language but English, a `Said` holding what `render()` makes inside `i18n.english()` too."""
    return with_english(render(), render)


def with_english(text: str, render: Callable[[], str]) -> str:
    """`text`, made in the language spoken now; in any language but English, a `Said` holding what
    `render()` (the code that made `text`) makes inside `i18n.english()` as its English."""
    if language() == ENGLISH:
        return text
    with english():
        return Said(text, render())


_ROW = N_("row {row}")
_ROW_WITH_KEY = N_("row {row} ({key})")


class RowPlace(str):
    """Where a spreadsheet's record is: `row 4`, or `row 4 (REQ-3)` when the row names its key. The text
    itself is the English (what `import --json` prints); formatted into a message, or made a `str`, it is
    said in the language spoken then (第 4 行). No bigger than a string: one is kept for every row of a file."""

    __slots__ = ()

    def __new__(cls, row: int, key: str | None = None) -> RowPlace:
        return super().__new__(cls, _ROW_WITH_KEY.format(row=row, key=key) if key else _ROW.format(row=row))

    def __getnewargs__(self) -> tuple[int, str | None]:  # type: ignore[override]  # (str's takes a str)
        row, key = self._parts()
        return int(row), key

    def _parts(self) -> tuple[str, str | None]:
        row, _sep, key = str.__str__(self).removeprefix("row ").partition(" (")
        return row, key.removesuffix(")") or None

    @property
    def english(self) -> str:
        return str.__str__(self)

    def __str__(self) -> str:
        if language() == ENGLISH:
            return str.__str__(self)
        row, key = self._parts()
        return _(_ROW_WITH_KEY).format(row=row, key=key) if key else _(_ROW).format(row=row)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def in_english(text: str) -> str:
    """`text` as `import --json` prints it: a message's English (see `said`), other text as it is."""
    return text.english if isinstance(text, Said | RowPlace) else text


def row_place(row: int, key: str | None = None) -> str:
    """Where a spreadsheet's record is: `row 4`, or `row 4 (REQ-3)` when the row names its key (a key
    as the models take it); in the language spoken where it is shown (see `RowPlace`)."""
    return RowPlace(row, key)


def place_in(where: str, what: str) -> str:
    """A place inside a record: `row 4, column B (Title)`; the record's place alone when `what` is ""."""
    return said(lambda: _("{record}, {part}"), record=where, part=what) if what else where


def problem_at(place: str, problem: str) -> str:
    """A problem as the report lists it: `row 4, column B (Title): must be at most 200 characters`."""
    return said(lambda: _("{place}: {problem}"), place=place, problem=problem)


class ImportRefused(InvalidValue):
    """The file (or some of its records) cannot be imported: nothing was written (exit 1).

    `summary` holds the whole report: what would have been added and changed, and every refusal;
    `rule` names the kind of the first refusal (`import.record`, `import.file`, `import.invalid`,
    `import.uid`, `import.clash`).
    """

    def __init__(self, message: str, summary: ImportSummary, rule: str = "import.record") -> None:
        super().__init__(message)
        self.summary = summary
        self.rule = rule


@dataclass(slots=True)  # slots: a file of 100,000 rows makes 100,000 of them
class Incoming:
    """One record read from a file, before it is checked against the board."""

    where: str
    """Where it is in the file, for messages: `row 4`, `SPEC-OBJECT rb-1f3a… (REQ-3)`, `record 2`."""
    fields: dict[str, Any] = field(default_factory=dict)
    key: str | None = None
    uid: str | None = None
    version: int | None = None
    """The version the file was exported at: a change to a requirement edited since is refused."""
    labels: dict[str, str] = field(default_factory=dict)
    """Where each field is in the record: `column F (Importance)`, `attribute reqboard.importance`."""
    problems: list[tuple[str, str]] = field(default_factory=list)
    """What the parser already found wrong: (where in the record, or "" for all of it; message, made by
    `said` so that `--json` prints its English)."""
    whole: Requirement | None = None
    """A lossless record (JSON): the requirement exactly as stored elsewhere; `fields` stay empty."""
    history: tuple[Event, ...] = ()
    """A lossless record's history, copied to the board with it."""

    def label(self, name: str) -> str:
        """Where `name` is in the record, or "" when the file has no such column or attribute."""
        return self.labels.get(name, "")


@dataclass(frozen=True)
class Ref:
    """A link to another record of the same file (`record`), or to a requirement on the board (`uid`)."""

    identifier: str
    record: Incoming | None = None
    uid: str | None = None


@dataclass(frozen=True)
class Rereading:
    """How to read a big file's records again rather than hold them all (see `pipeline.run_import`)."""

    names: Callable[[], list[Incoming]]
    """The records with only what names their requirements: key, uid, version, where and labels, and
    any fault of a record as a whole."""
    whole: Callable[[], Iterable[Incoming]]
    """The whole records, in the same order, one at a time."""


@dataclass(frozen=True)
class Unmapped:
    """An attribute a ReqIF file has values for that was neither recognised nor mapped (see `--map`)."""

    name: str
    """Its definition's LONG-NAME (its IDENTIFIER when it has none)."""
    identifier: str
    sample: str
    """One of its values: one line, at most 80 characters."""
    count: int
    """How many objects carry a value of it."""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "identifier": self.identifier, "sample": self.sample, "count": self.count}


@dataclass
class ReadFile:
    """What a format's reader made of a file: its records, and what is wrong with it as a whole."""

    format: str
    records: list[Incoming] = field(default_factory=list)
    """Every record (or, with `reread`, what names each record's requirement)."""
    problems: list[str] = field(default_factory=list)
    """What is wrong with the file as a whole, or with records found while reading, by place."""
    notes: list[str] = field(default_factory=list)
    """What the reader ignored or skipped (not a refusal)."""
    reread: Rereading | None = None
    """For big files: how to read the records again rather than hold them."""
    lossless: bool = False
    """The records are whole requirements (JSON): one recognised by its uid must be identical to the
    board's, new ones keep their states, times and history, and refusals are reported one line per
    kind (see `check`)."""
    customers: tuple[Customer, ...] = ()
    """A lossless file's customers, added when the board does not know them."""
    unmapped: list[Unmapped] = field(default_factory=list)
    """The attributes (ReqIF) the reader neither recognised nor was told to map."""
    rule: str = "import.file"
    """The kind of the file's problems (`import.file`; `import.invalid`: records that are no valid
    requirements)."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return _("{field}: {old} -> {new}").format(field=field_label(self.field), old=show_value(self.old),
                                                   new=show_value(self.new))


@dataclass(frozen=True, slots=True)
class PlannedAdd:
    key: str
    title: str
    state: str
    where: str


@dataclass(frozen=True, slots=True)
class PlannedChange:
    key: str
    where: str
    changes: tuple[FieldChange, ...]


@dataclass
class ImportSummary:
    """What an import added, changed and refused (or would, for a dry run)."""

    format: str
    source: str = ""
    dry_run: bool = False
    added: list[PlannedAdd] = field(default_factory=list)
    changed: list[PlannedChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Every refusal, as a person reads it (`as_dict` prints its English: see `said`)."""
    notes: list[str] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    """The attributes of a ReqIF file that were neither recognised nor mapped (see `--map`)."""
    rekeyed: dict[str, str] = field(default_factory=dict)
    applied: bool = False
    revision: Any = None
    """The board revision the import was planned against (a preview's: see `apply_import(as_previewed=)`)."""

    @property
    def ok(self) -> bool:
        return not self.refused

    def headline(self) -> str:
        added, changed, unchanged = len(self.added), len(self.changed), len(self.unchanged)
        if self.dry_run or not self.applied:
            text = _("would add {added} requirement(s), change {changed}, {unchanged} unchanged")
        else:
            text = _("added {added} requirement(s), changed {changed}, {unchanged} unchanged")
        text = text.format(added=added, changed=changed, unchanged=unchanged)
        if self.refused:
            text = _("{summary}; {refused} refused").format(summary=text, refused=len(self.refused))
        if self.dry_run:
            text = _("{summary} (dry run: nothing written)").format(summary=text)
        return text

    def report_lines(self) -> list[str]:
        """Added and changed records, field by field: `REQ-12 title: "old" -> "new"`."""
        lines = []
        for add in self.added:
            lines.append(_("+ {key} {title} ({state}; {where})").format(
                key=add.key, title=show_value(add.title), state=_state_shown(add.state), where=add.where))
        for old, new in self.rekeyed.items():
            lines.append(_("  {old} -> {new} (re-keyed)").format(old=old, new=new))
        for change in self.changed:
            lines.extend(f"~ {change.key} {c}" for c in change.changes)
        lines.extend(f"note: {n}" for n in self.notes)  # `note:` stays as scripts read it
        return lines

    def refusal_lines(self) -> list[str]:
        return [_("refused: {problem}").format(problem=r) for r in self.refused]

    def text(self) -> str:
        return "\n".join([self.headline(), *self.report_lines(), *self.refusal_lines()])

    def error_message(self) -> str:
        if len(self.refused) == 1:
            shown = self.refused[0]
        else:
            shown = _("{n} problems").format(n=len(self.refused))
        if self.dry_run:
            if self.source:
                return _("the import from {source} would be refused: {problem}; nothing was written").format(
                    source=self.source, problem=shown)
            return _("the import would be refused: {problem}; nothing was written").format(problem=shown)
        if self.source:
            return _("nothing imported from {source}: {problem}").format(source=self.source, problem=shown)
        return _("nothing imported: {problem}").format(problem=shown)

    def as_dict(self) -> dict[str, Any]:
        """The summary as `import --json` prints it: the same in every language (places, refusals and
        notes in English, as `said` made them; titles and values as the file gives them)."""
        return {
            "format": self.format,
            "source": self.source,
            "dry_run": self.dry_run,
            "applied": self.applied,
            "added": [{"key": a.key, "title": a.title, "state": a.state, "where": in_english(a.where)}
                      for a in self.added],
            "changed": [{"key": c.key, "where": in_english(c.where),
                         "changes": [{"field": f.field, "old": f.old, "new": f.new} for f in c.changes]}
                        for c in self.changed],
            "unchanged": self.unchanged,
            "refused": [in_english(r) for r in self.refused],
            "notes": [in_english(n) for n in self.notes],
            "unmapped": [u.as_dict() for u in self.unmapped],
            "rekeyed": self.rekeyed,
        }


def _state_shown(value: str) -> str:
    """A state's value (`in_progress`) as the report shows it: its label (In progress, 进行中)."""
    try:
        return State(value).label
    except ValueError:
        return value


def show_value(value: Any, limit: int = 80) -> str:
    """A field value as a dry run shows it: strings quoted, nothing as `-`, long ones cut."""
    if value is None or value == "" or value == [] or value == ():
        return "-"
    text = orjson.dumps(value, default=str).decode()
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


__all__ = [
    "KEY_NUMBER_LIMIT", "FieldChange", "ImportRefused", "ImportSummary", "Incoming", "PlannedAdd",
    "PlannedChange", "ReadFile", "Ref", "Rereading", "RowPlace", "Said", "Unmapped", "in_english", "place_in",
    "problem_at", "row_place", "said", "said_by", "show_value", "with_english",
]
