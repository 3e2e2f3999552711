"""Hostile keys, times, numbers and uids (issue 11, items 2, 3, 7, 11, 16, 18): the models and the JSON
import refuse them the ordinary way (a field-level message, exit 1), and whatever they accept the
store can write and read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reqboard.cli.main import main as cli
from reqboard.store.board import Board
from reqboard.store.cards import Card
from reqboard.store.errors import InvalidValue, Refused, validation_message
from reqboard.store.exchange.json_io import dumps, export_json, import_json
from reqboard.store.models import (
    MAX_COUNT,
    MAX_KEY_DIGITS,
    ChangeRequest,
    Event,
    Requirement,
    from_outside,
    is_requirement_key,
    key_number,
    normalise_key,
    now,
)

from exchange_samples import snapshot

REPO = Path(__file__).resolve().parent.parent
UTC = UTC
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

# Keys the old pattern `REQ-[1-9][0-9]*` took and that wedged a board, and keys no int() should read.
LONG_KEYS = ["REQ-1234567890", "REQ-12345678901234567", "REQ-18446744073709551616", "REQ-" + "9" * 400]
NOT_KEYS = ["REQ-²", "REQ-١٢", "REQ-1_000", "REQ- 12", "REQ-12\n", "REQ-0", "REQ-012", "req-12", "REQ-"]


def minimal(**fields: Any) -> dict[str, Any]:
    """A requirement record with only the required fields, as a JSON export carries it."""
    return {"key": "REQ-1", "title": "fine", "created_by": "ann", "created_at": "2026-01-01T00:00:00Z",
            "updated_by": "ann", "updated_at": "2026-01-01T00:00:00Z", **fields}


def document(*records: dict[str, Any], **extra: Any) -> bytes:
    """An export document holding `records` (written by the json module, which nests and counts without
    limits, unlike orjson)."""
    return json.dumps({"format": "reqboard", "version": 1, "requirements": list(records), **extra}).encode()


def field_errors(model: type[Any], data: dict[str, Any], context: dict[str, Any] | None = None) -> set[str]:
    """The fields the model refuses in `data` (empty when it accepts it)."""
    try:
        model.model_validate(data, context=context)
    except ValidationError as exc:
        return set(validation_message(exc).errors)
    return set()


class Clock:
    """A clock that ticks a second per reading, so every event has its own time."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1, microseconds=1234)
        return self.now


def linked_board(path: Path) -> Board:
    """Two requirements, one depending on the other, a change request assessed as affecting the other."""
    board = Board(path, "ann", clock=Clock())
    first = board.add_requirement("Export to PDF", customer="ACME").key
    second = board.add_requirement("Dark mode", customer="Globex", depends_on=(first,)).key
    cr = board.add_change_request(first, "Also ODT").key
    board.assess_change_request(cr, schedule_days=1, cost=10, effort_hours=2, affects=(second,))
    return board


# ============================================================================ item 2: keys
@pytest.mark.parametrize("key", LONG_KEYS + NOT_KEYS)
def test_requirement_keys_have_at_most_nine_ascii_digits(key: str) -> None:
    assert field_errors(Requirement, minimal(key=key)) == {"key"}
    assert field_errors(Requirement, minimal(depends_on=[key])) == {"depends_on.0"}
    cr_key = key.replace("REQ", "CR", 1).replace("req", "cr", 1)
    assert field_errors(ChangeRequest, {"key": cr_key, "summary": "s", "submitted_by": "a",
                                        "submitted_at": T0}) == {"key"}
    with pytest.raises(ValueError, match="is not a key"):
        key_number(key)


def test_the_largest_key_is_accepted_by_every_model_and_event() -> None:
    largest = "REQ-" + "9" * MAX_KEY_DIGITS
    req = Requirement.model_validate(minimal(key=largest, depends_on=[largest]))
    cr = ChangeRequest(key="CR-" + "9" * MAX_KEY_DIGITS, summary="s", submitted_by="a", submitted_at=T0)
    event = Event(at=T0, by="ann", key=largest, cr=cr.key, action="edited")
    assert (req.number, key_number(cr.key), event.key) == (999_999_999, 999_999_999, largest)


@settings(max_examples=60, deadline=None)
@given(st.text(st.sampled_from("0123456789²٣_ -"), min_size=0, max_size=25))
def test_a_key_the_requirement_takes_is_a_key_every_event_takes(number: str) -> None:
    """The old Event.key (at most 20 characters) refused keys the requirement took: the history of such
    a record could not be read again."""
    key = f"REQ-{number}"
    taken = not field_errors(Requirement, minimal(key=key))
    assert taken == (not field_errors(Event, {"at": T0, "by": "a", "key": key, "action": "x"}))
    assert taken == is_requirement_key(key)
    assert taken == (number.isascii() and number.isdigit() and not number.startswith("0")
                     and len(number) <= MAX_KEY_DIGITS)


def test_normalise_key_reads_only_ascii_digits_and_never_raises() -> None:
    assert normalise_key(" 007 ") == "REQ-7"
    assert normalise_key("7", "CR") == "CR-7"
    assert normalise_key("²") == "²"  # for key_number to refuse: int("²") is no key
    assert normalise_key("١٢") == "١٢"
    long = normalise_key("1" * 5000)  # int() would refuse more than 4,300 digits with its own error
    with pytest.raises(ValueError, match="is not a key"):
        key_number(long)
    with pytest.raises(ValueError, match="is not a key"):
        key_number(12)  # type: ignore[arg-type]  # a number where a key was stored by hand


@pytest.mark.parametrize("key", ["REQ-²", "²", "١٢", "REQ-18446744073709551616", "1" * 5000, "0"])
def test_the_cli_refuses_a_hostile_key_as_not_found(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["add", "one"]) == 0
    capsys.readouterr()
    assert cli(["show", key]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "unexpected" not in err and "not a requirement key" in err


def test_a_card_refuses_a_stored_key_that_is_too_long() -> None:
    record = Requirement.model_validate(minimal()).model_dump(mode="json") | {"key": LONG_KEYS[1]}
    with pytest.raises(ValueError, match="is not a key"):
        Card.of(record)


def test_json_import_refuses_a_long_key_and_the_board_stays_whole(board_path: Path) -> None:
    board = Board(board_path, "ann")
    with pytest.raises(InvalidValue, match=r"record 1 \(REQ-12345678901234567\): invalid key"):
        import_json(board, document(minimal(key=LONG_KEYS[1])))
    assert board.check()[0] == []


# ============================================================================ item 2: numbers orjson cannot write
@pytest.mark.parametrize("version", [2**64 - 1, 2**64, MAX_COUNT + 1, 0, 1.5, "many"])
def test_json_import_refuses_a_version_no_store_can_hold(version: Any, board_path: Path) -> None:
    board = Board(board_path, "ann")
    before = snapshot(board_path)
    with pytest.raises(InvalidValue, match=r"record 1 \(REQ-1\): invalid version"):
        import_json(board, document(minimal(version=version)))
    assert snapshot(board_path) == before


def test_a_record_at_the_largest_version_refuses_one_more_edit_cleanly(board_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    board = Board(board_path, "ann")
    import_json(board, document(minimal(version=MAX_COUNT)))
    capsys.readouterr()
    assert cli(["edit", "REQ-1", "--title", "again"]) == 1
    err = capsys.readouterr().err
    assert "invalid version" in err and "unexpected" not in err
    assert Board(board_path, "ann").get("REQ-1").version == MAX_COUNT
    assert Board(board_path, "ann").check()[0] == []


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 10**30])
def test_an_event_value_orjson_cannot_write_is_refused(value: int) -> None:
    assert field_errors(Event, {"at": T0, "by": "a", "key": "REQ-1", "action": "x", "new": value}) == {"new"}
    assert field_errors(Event, {"at": T0, "by": "a", "key": "REQ-1", "action": "x", "generation": value}) \
        == {"generation"}


def test_an_event_value_at_the_limits_is_written_and_read_back() -> None:
    nested: Any = "deep"
    for _ in range(31):
        nested = [nested]
    event = Event(at=T0, by="a", key="REQ-1", action="x", old=2**63 - 1, new={"k": nested}, generation=MAX_COUNT)
    assert Event.model_validate(orjson.loads(orjson.dumps(event.model_dump(mode="json")))) == event


def test_event_values_are_cleaned_of_terminal_controls() -> None:
    event = Event(at=T0, by="a", key="REQ-1", action="edited", field="title", old="a\x1b[2Jb",
                  new={"t\x07": ["c\x9bd"]})
    assert (event.old, event.new) == ("a[2Jb", {"t": ["cd"]})


# ============================================================================ item 3: times
_any_time = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999),
                         timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(_any_time)
def test_every_time_the_model_takes_is_written_so_it_reads_back(moment: datetime) -> None:
    """strftime wrote year 1 as `1-01-01`, which neither pydantic nor the card reader take back."""
    req = Requirement.model_validate(minimal(created_at=moment, updated_at=moment, state_since=moment))
    stored = req.model_dump(mode="json")
    assert stored["created_at"][:4].isdigit() and stored["created_at"].endswith("Z")
    assert Requirement.model_validate(orjson.loads(orjson.dumps(stored))) == req
    assert Card.of(stored).since == moment
    line = {"at": Event.stamp(moment), "by": "a", "key": "REQ-1", "action": "x"}
    assert Event.model_validate(orjson.loads(orjson.dumps(line))).at == moment


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_time_that_leaves_the_calendar_in_utc_is_refused(text: str) -> None:
    """Turning these into UTC overflowed: "unexpected OverflowError" instead of a refusal."""
    assert field_errors(Requirement, minimal(created_at=text)) == {"created_at"}


def test_a_board_whose_clock_says_year_one_can_still_read_itself(board_path: Path) -> None:
    """The journal's times came from a strftime in Board._event: year 1 made the history unreadable."""
    board = Board(board_path, "ann", clock=lambda: datetime(1, 1, 1, 0, 0, 0, 5, tzinfo=UTC))
    board.add_requirement("from long ago")
    again = Board(board_path, "ann")
    assert again.get("REQ-1").created_at.year == 1
    assert [e.at.year for e in again.history("REQ-1")] == [1]
    assert again.check()[0] == []


@pytest.mark.parametrize(("where", "change"), [
    ("created_at", lambda r: r.update(created_at="0001-01-01T00:00:00Z")),
    ("created_at", lambda r: r.update(created_at="1969-12-31T23:59:59Z")),
    ("updated_at", lambda r: r.update(updated_at=(now() + timedelta(days=2)).isoformat())),
    ("entered_at.collected", lambda r: r.update(entered_at={"collected": "1900-01-01T00:00:00Z"})),
    ("history event 1: invalid at", lambda r: r.update(history=[
        {"at": "0001-01-01T00:00:00.000000Z", "by": "a", "action": "edited"}])),
])
def test_json_import_refuses_implausible_times(where: str, change: Callable[[dict[str, Any]], None],
                                                board_path: Path) -> None:
    record = minimal()
    change(record)
    board = Board(board_path, "ann")
    with pytest.raises(InvalidValue, match="record 1") as info:
        import_json(board, document(record))
    assert where in str(info.value)
    assert board.requirements() == []


def test_a_time_a_few_hours_ahead_is_taken_and_the_store_keeps_any_time_it_wrote(board_path: Path) -> None:
    """Clocks disagree a little; and a board written once with a wrong clock must stay readable."""
    soon = (now() + timedelta(hours=12)).isoformat()
    assert import_json(Board(board_path, "ann"), document(minimal(updated_at=soon))).added == ["REQ-1"]
    old = minimal(created_at="1969-07-20T20:17:00Z")
    assert field_errors(Requirement, old) == set()
    assert field_errors(Requirement, old, from_outside(now())) == {"created_at"}


# ============================================================================ item 7: duplicate uids
def test_json_import_refuses_two_records_with_one_uid_naming_both(board_path: Path) -> None:
    uid = "a" * 32
    board = Board(board_path, "ann")
    with pytest.raises(InvalidValue) as info:
        import_json(board, document(minimal(uid=uid), minimal(key="REQ-2", uid=uid)))
    assert "REQ-2 has the uid of REQ-1" in str(info.value)
    assert board.requirements() == []


def test_json_import_refuses_change_requests_that_share_a_key_or_uid(board_path: Path) -> None:
    def cr(key: str, uid: str) -> dict[str, Any]:
        return {"key": key, "uid": uid, "summary": "s", "submitted_by": "a", "submitted_at": "2026-01-01T00:00:00Z"}

    same_key = document(minimal(change_requests=[cr("CR-1", "c" * 32)]),
                        minimal(key="REQ-2", change_requests=[cr("CR-1", "d" * 32)]))
    same_uid = document(minimal(change_requests=[cr("CR-1", "c" * 32), cr("CR-2", "c" * 32)]))
    board = Board(board_path, "ann")
    with pytest.raises(InvalidValue, match=r"CR-1 appears twice in the file \(on REQ-1 too\)"):
        import_json(board, same_key)
    with pytest.raises(InvalidValue, match="CR-2 has the uid of CR-1"):
        import_json(board, same_uid)


@pytest.mark.parametrize("rekey", [False, True])
def test_a_uid_on_the_board_under_another_key_is_refused_naming_both(rekey: bool, tmp_path: Path) -> None:
    """--rekey used to copy the record under a new key and a new uid: two records, one requirement."""
    source = linked_board(tmp_path / "a" / "board.json")
    doc = export_json(source)
    target = Board(tmp_path / "b" / "board.json", "carl")
    import_json(target, dumps(doc))
    doc["requirements"][0] |= {"key": "REQ-7", "title": "Export to PDF and ODT", "change_requests": []}
    before = snapshot(target.path)
    with pytest.raises(Refused) as info:
        import_json(target, dumps(doc), rekey=rekey)
    assert "REQ-7 in the file is REQ-1 on this board (same uid)" in str(info.value)
    assert snapshot(target.path) == before
    assert len(target.requirements()) == 2


@pytest.mark.parametrize("uid", ["short", "x" * 65, "has space" * 2, "<a href=x>ab</a>", "ü" * 10])
def test_a_uid_is_letters_digits_dots_dashes_underscores(uid: str) -> None:
    assert field_errors(Requirement, minimal(uid=uid)) == {"uid"}


# ============================================================================ item 18: byte order mark
def test_a_json_file_with_a_byte_order_mark_imports(board_path: Path) -> None:
    result = import_json(Board(board_path, "ann"), b"\xef\xbb\xbf" + document(minimal()))
    assert result.added == ["REQ-1"] and Board(board_path, "ann").get("REQ-1").title == "fine"


# ============================================================================ item 11: shapes
def _deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


MALFORMED: dict[str, tuple[bytes, str]] = {
    "deep-history-value": (document(minimal(history=[{"at": "2026-01-01T00:00:00Z", "by": "a", "action": "x",
                                                       "new": _deep(500)}])),
                           "record 1 (REQ-1): history event 1: invalid new: is nested more than 32"),
    "customers-a-number": (document(minimal(), customers=5), '"customers" is not a list'),
    "customers-a-string": (document(minimal(), customers="ACME"), '"customers" is not a list'),
    "customer-null": (document(minimal(), customers=[None]), "customer 1"),
    "history-null": (document(minimal(history=None)), "record 1 (REQ-1): history: must be a list"),
    "history-an-object": (document(minimal(history={"at": "x"})), "history: must be a list"),
    "history-of-strings": (document(minimal(history=["created"])), "history event 1: not an object"),
    "history-event-key-null": (document(minimal(history=[{"at": "2026-01-01T00:00:00Z", "by": "a",
                                                          "action": "x", "cr": "CR-99999999999"}])),
                               "history event 1: invalid cr"),
    "record-null": (document(None), "record 1: not an object"),  # type: ignore[arg-type]  # a null record, on purpose
    "key-null": (document(minimal(key=None)), "record 1 (None): invalid key"),
    "key-an-object": (document(minimal(key={"a": 1})), "record 1 ({'a': 1}): invalid key"),
    "tags-a-string": (document(minimal(tags="ab")), "invalid tags"),
    "entered-at-a-list": (document(minimal(entered_at=[])), "invalid entered_at"),
    "crs-an-object": (document(minimal(change_requests={"CR-1": {}})), "invalid change_requests"),
    "approvals-of-null": (document(minimal(approvals=[None])), "invalid approvals.0"),
    "version-true": (orjson.dumps({"format": "reqboard", "version": True, "requirements": []}),
                     "the export is version True"),
    "version-a-float": (orjson.dumps({"format": "reqboard", "version": 1.0, "requirements": []}),
                        "the export is version 1.0"),
    "effort-huge": (document(minimal(effort_estimate=1e300)), "invalid effort_estimate"),
    "huge-key-text": (document(minimal(key="REQ-" + "9" * 100_000)), "record 1 (REQ-99999"),
}


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_malformed_json_file_is_an_ordinary_refusal(kind: str, tmp_path: Path, board_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    data, phrase = MALFORMED[kind]
    with pytest.raises(InvalidValue) as info:
        import_json(Board(board_path, "ann"), data)
    assert phrase in str(info.value)
    assert len(str(info.value)) < 2000  # a megabyte key does not make a megabyte message
    source = tmp_path / "in.json"
    source.write_bytes(data)
    capsys.readouterr()
    assert cli(["import", str(source)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "unexpected" not in err and "Traceback" not in err


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.sampled_from([2**64 - 1, 2**63, -(2**63) - 1])
    | st.floats(allow_nan=False) | st.text(max_size=8) | st.sampled_from(
        ["REQ-1", "REQ-2", "CR-1", "2026-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "collected", "a" * 32]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON document that a fuzzer may replace."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


_GONE = object()
"""A replacement that takes the value out (a key of an object dropped, an item of a list removed)."""


def _replaced(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    inner = _replaced(doc[path[0]], path[1:], new)
    if inner is _GONE:
        del copy[path[0]]
    else:
        copy[path[0]] = inner
    return copy


def _value_at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _like(value: Any) -> st.SearchStrategy[Any]:
    """Values of the same kind as `value`: most such changes are still a valid file, so the fuzzer
    also walks the paths that import and write."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(-3, 2**64)
    if isinstance(value, str):
        return st.text(max_size=12) | st.just(value + value) | st.just(value.upper())
    if isinstance(value, list):
        return st.just([]) | st.just(value + value)
    return st.just(_GONE)


@st.composite
def _changes(draw: st.DrawFn) -> list[tuple[tuple[Any, ...], Any]]:
    changes = []
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_FUZZ_PATHS))
        changes.append((path, draw(_json | _like(_value_at(_FUZZ_BASE, path)) | st.just(_GONE))))
    return changes


_FUZZ_BASE = orjson.loads(document(
    minimal(key="REQ-5", uid="a" * 32, depends_on=["REQ-6"], tags=["t"],
            entered_at={"collected": "2026-01-01T00:00:00Z"},
            change_requests=[{"key": "CR-1", "uid": "c" * 32, "summary": "s", "submitted_by": "a",
                              "submitted_at": "2026-01-01T00:00:00Z",
                              "assessment": {"by": "a", "at": "2026-01-01T00:00:00Z", "schedule_days": 1,
                                             "cost": 2, "effort_hours": 3, "affects": ["REQ-6"]}}],
            history=[{"at": "2026-01-01T00:00:00.000000Z", "by": "a", "action": "edited", "field": "title",
                      "old": "x", "new": ["y"], "cr": "CR-1"}]),
    minimal(key="REQ-6", uid="b" * 32, version=3),
    customers=[{"name": "ACME", "tier": "A"}],
))
_FUZZ_PATHS = _paths(_FUZZ_BASE)


def test_the_fuzzed_document_imports_as_it_is(board_path: Path) -> None:
    """The fuzzer spoils a good document: unspoilt, it imports beside the board's own REQ-1."""
    board = Board(board_path, "ann")
    board.add_requirement("already here")
    assert import_json(board, orjson.dumps(_FUZZ_BASE)).added == ["REQ-5", "REQ-6"]


@settings(max_examples=90, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_changes(), st.booleans(), st.booleans())
def test_fuzzed_json_imports_are_refused_or_imported_whole(changes: list[tuple[tuple[Any, ...], Any]],
                                                           bom: bool, twice: bool) -> None:
    doc: Any = _FUZZ_BASE
    for place, value in changes:
        try:
            doc = _replaced(doc, place, value) if place else doc
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change took this place away
    data = (b"\xef\xbb\xbf" if bom else b"") + json.dumps(doc).encode()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "board.json"
        board = Board(path, "ann")
        board.add_requirement("already here")
        try:
            result = import_json(board, data)
        except (InvalidValue, Refused):
            assert [r.title for r in Board(path, "ann").requirements()] == ["already here"]
            return
        fresh = Board(path, "ann")
        assert fresh.check()[0] == []
        assert len(fresh.requirements(include_rejected=True)) == 1 + len(result.added)
        assert orjson.loads(dumps(export_json(fresh)))["format"] == "reqboard"
        for key in result.added:
            fresh.history(key)
        # A record or change request without a uid is given a new one: only a file with them all is known again.
        if twice and all("uid" in r and all("uid" in cr for cr in r.get("change_requests", ()))
                         for r in doc["requirements"]):
            before = snapshot(path)
            again = import_json(fresh, data)
            assert (again.added, sorted(again.unchanged)) == ([], sorted(result.added))
            assert snapshot(path) == before


# ============================================================================ item 16: importing twice
def test_importing_the_same_file_twice_adds_nothing_and_writes_nothing(tmp_path: Path) -> None:
    data = dumps(export_json(linked_board(tmp_path / "a" / "board.json")))
    target = Board(tmp_path / "b" / "board.json", "carl")
    assert import_json(target, data).added == ["REQ-1", "REQ-2"]
    before = snapshot(target.path)
    again = import_json(target, data)
    assert (again.added, again.unchanged, again.rekeyed) == ([], ["REQ-1", "REQ-2"], {})
    assert snapshot(target.path) == before
    assert import_json(target, data, dry_run=True).unchanged == ["REQ-1", "REQ-2"]


def test_importing_twice_with_rekey_copies_nothing_the_second_time(tmp_path: Path) -> None:
    source = linked_board(tmp_path / "a" / "board.json")
    data = dumps(export_json(source))
    target = Board(tmp_path / "b" / "board.json", "carl")
    target.add_requirement("mine")
    target.add_requirement("mine too")
    target.add_change_request("REQ-1", "mine as well")
    first = import_json(target, data, rekey=True)
    assert first.rekeyed == {"REQ-1": "REQ-3", "REQ-2": "REQ-4", "CR-1": "CR-2"}
    moved = target.get("REQ-3")
    assert moved.uid == source.get("REQ-1").uid  # the uid goes with the record: the next import knows it
    # Links and the change request's assessment follow the new keys.
    assert target.get("REQ-4").depends_on == ("REQ-3",)
    assert moved.change_requests[0].key == "CR-2"
    assert moved.change_requests[0].assessment is not None
    assert moved.change_requests[0].assessment.affects == ("REQ-4",)
    before = snapshot(target.path)
    again = import_json(target, data, rekey=True)
    assert (again.added, again.unchanged) == ([], ["REQ-3", "REQ-4"])
    assert snapshot(target.path) == before
    assert [r.key for r in target.requirements()] == ["REQ-1", "REQ-2", "REQ-3", "REQ-4"]
    assert target.check()[0] == []


def test_a_record_changed_on_the_board_since_the_file_was_made_is_refused(tmp_path: Path) -> None:
    data = dumps(export_json(linked_board(tmp_path / "a" / "board.json")))
    target = Board(tmp_path / "b" / "board.json", "carl")
    import_json(target, data)
    target.edit_requirement("REQ-2", {"owner": "dan"})
    before = snapshot(target.path)
    for rekey in (False, True):
        with pytest.raises(Refused, match="REQ-2 is on this board already and differs"):
            import_json(target, data, rekey=rekey)
    assert snapshot(target.path) == before


def test_two_new_customers_from_one_file_are_both_kept(board_path: Path) -> None:
    data = document(minimal(key="REQ-5"), customers=[{"name": "ACME", "tier": "A"}, {"name": "Globex"},
                                          {"name": "acme", "tier": "C"}])
    board = Board(board_path, "ann")
    board.add_requirement("mine", customer="Initech")
    import_json(board, data)
    assert [(c.name, c.tier.value) for c in Board(board_path, "ann").customers()] == [
        ("ACME", "A"), ("Globex", "B"), ("Initech", "B")]


def test_the_real_command_imports_a_file_twice_and_refuses_a_bad_one(tmp_path: Path) -> None:
    """`reqboard import f.json` end to end, in a process of its own, with --store in a temporary folder."""
    source = tmp_path / "f.json"
    source.write_bytes(b"\xef\xbb\xbf" + dumps(export_json(linked_board(tmp_path / "a" / "board.json"))))
    store = tmp_path / "b" / "board.json"

    def reqboard(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "reqboard.cli", "--store", str(store), *argv], cwd=REPO,
                              capture_output=True, text=True, timeout=60, env={**os.environ, "REQBOARD_USER": "carl"})

    first = reqboard("import", str(source))
    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    second = reqboard("import", str(source))
    assert (second.returncode, second.stderr) == (0, ""), second.stderr
    assert second.stdout.startswith("added 0 requirement(s)")
    bad = tmp_path / "bad.json"
    bad.write_bytes(document(minimal(key="REQ-3", version=2**64 - 1, uid="e" * 32)))
    refused = reqboard("import", str(bad))
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")
    assert "invalid version" in refused.stderr and "unexpected" not in refused.stderr
    board = Board(store, "carl")
    assert [r.key for r in board.requirements()] == ["REQ-1", "REQ-2"] and board.check()[0] == []
