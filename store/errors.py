"""What the store raises. Each error carries the CLI exit code of DESIGN.md section 3."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .i18n import ENGLISH, N_, _, language, listed, pgettext


class StoreError(Exception):
    """Base of everything the store refuses; `str(err)` is a message for the person at the keyboard."""

    exit_code = 1


class Refused(StoreError):
    """A workflow rule refused the operation (exit 1)."""

    def __init__(self, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule


class NotFound(StoreError):
    """No record with that key (exit 1)."""


class InvalidValue(StoreError):
    """A value failed validation (exit 1); `errors` maps field names to messages."""

    def __init__(self, message: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {}


class Conflict(StoreError):
    """The record changed since the version the caller read (exit 3): re-read and retry."""

    exit_code = 3

    def __init__(self, message: str, *, key: str, expected: int, actual: int, by: str, at: str) -> None:
        super().__init__(message)
        self.key, self.expected, self.actual, self.by, self.at = key, expected, actual, by, at


class BoardChangedUnderneath(StoreError):
    """Another process wrote the board without holding its lock while this change was being saved
    (exit 3, like a stale version): nothing was written; read again and retry."""

    exit_code = 3


class Outdated(StoreError):
    """The board changed since the revision the caller planned against (exit 3): nothing was
    written; read the board again and plan again."""

    exit_code = 3


class Unsupported(StoreError):
    """The store at this location cannot do that (exit 2): a location reqboard cannot open yet, or
    file maintenance asked of a storage that keeps no files."""

    exit_code = 2


class StoreUnreadable(StoreError):
    """The board file cannot be read or written safely (exit 4); its bytes are left untouched."""

    exit_code = 4


class LockTimeout(StoreUnreadable):
    """Another process held the board's lock for too long (exit 4)."""


class ServerUnreachable(StoreUnreadable):
    """The board's server cannot be reached, or the connection to it was lost (exit 4): nothing of the
    change in hand was saved."""


class CommitUncertain(ServerUnreachable):
    """The connection was lost while the server committed a change (exit 4): it may or may not be saved,
    so it must not be repeated blindly (read the board again first)."""


class ReadOnly(StoreUnreadable):
    """The board was written by a newer reqboard and is open read-only (exit 4)."""


def validation_message(exc: Exception, what: str = "") -> InvalidValue:
    """Turn a pydantic ValidationError into an InvalidValue naming each bad field, in the current
    language (`what` names the record, already translated: `_("feedback")`, a key)."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return InvalidValue(str(exc))
    errors: dict[str, str] = {}
    shown: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(part) for part in err["loc"]) or "value"
        msg = _text_length_message(err) or _translated(err) or err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if loc not in errors:
            errors[loc] = msg
            shown[loc] = _field_path(err["loc"]) if err["loc"] else _("value")
    detail = pgettext("list separator", "; ").join(
        _("{field}: {message}").format(field=shown[loc], message=msg) for loc, msg in errors.items())
    if what:
        return InvalidValue(_("{what}: invalid {detail}").format(what=what, detail=detail), errors)
    return InvalidValue(_("invalid {detail}").format(detail=detail), errors)


# Names of the fields of the records inside a requirement or an event, which store.labels (the
# requirement's own fields) does not name; as a person reads them in an error.
_NESTED_FIELDS = {
    "by": N_("by"),
    "at": N_("at"),
    "comment": N_("comment"),
    "text": N_("text"),
    "done": N_("met"),
    "text_hash": N_("text hash"),
    "satisfaction": N_("satisfaction"),
    "schedule_days": N_("schedule (days)"),
    "cost": N_("cost"),
    "effort_hours": N_("effort (hours)"),
    "resources": N_("resources"),
    "risk": N_("risk"),
    "affects": N_("affected requirements"),
    "approved": N_("approved or not"),
    "rationale": N_("rationale"),
    "name": N_("name"),
    "proposed_title": N_("proposed title"),
    "proposed_description": N_("proposed description"),
    "proposed_criteria": N_("proposed acceptance criteria"),
    "submitted_by": N_("submitted by"),
    "submitted_at": N_("submitted at"),
    "implemented": N_("implemented (who and when)"),
    "closed": N_("closed (who and when)"),
    "entered_at": N_("entered at"),
    "state_since": N_("in this state since"),
    "created_by": N_("created by"),
    "created_at": N_("created at"),
    "updated_by": N_("updated by"),
    "updated_at": N_("updated at"),
    "previous_keys": N_("previous keys"),
    "id": N_("id"),
    "cr": N_("change request"),
    "action": N_("action"),
    "field": N_("field"),
    "old": N_("old value"),
    "new": N_("new value"),
}


def field_shown(name: str) -> str:
    """A field's name as an error names it: in English the stored name as it always was
    (`business_value`, which scripts and people search for), in another language its label."""
    if language() == ENGLISH:
        return name
    from .labels import FIELD_LABELS, field_label

    if name in FIELD_LABELS or name.startswith("wip_limits."):
        return field_label(name)
    nested = _NESTED_FIELDS.get(name)
    return _(nested) if nested is not None else name


def _field_path(loc: tuple[int | str, ...]) -> str:
    """`approvals.0.by` as a person reads it: each field by `field_shown`, an item by its number."""
    if language() == ENGLISH:
        return ".".join(str(part) for part in loc)
    parts = [field_shown(part) if isinstance(part, str) else str(part + 1) if isinstance(part, int) else str(part)
             for part in loc]
    return " / ".join(parts)


def _text_length_message(err: Mapping[str, Any]) -> str | None:
    """Pydantic counts a string's length in "items"; a person counts characters."""
    if not isinstance(err.get("input"), str):
        return None
    ctx = err.get("ctx") or {}
    if err["type"] == "too_short":
        if ctx.get("min_length") == 1:
            return _("must not be empty")
        return _("must be at least {n} characters").format(n=ctx.get("min_length"))
    if err["type"] == "too_long":
        return _("must be at most {n} characters (it has {actual})").format(
            n=ctx.get("max_length"), actual=ctx.get("actual_length"))
    return None


# What each kind of pydantic error says in another language. In English pydantic's own message is
# shown as it always was; these msgids say the same thing for the translator, with the fields of the
# error's context that the translation may use.
_PYDANTIC_MESSAGES = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "model_type": N_("Input should be a valid dictionary (an object)"),
    "model_attributes_type": N_("Input should be a valid dictionary (an object)"),
    "dict_type": N_("Input should be a valid dictionary (an object)"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "finite_number": N_("Input should be a finite number"),
    "too_short": N_("Input should have at least {min_length} items, not {actual_length}"),
    "too_long": N_("Input should have at most {max_length} items, not {actual_length}"),
    "string_type": N_("Input should be a valid string"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "enum": N_("Input should be {expected}"),
    "literal_error": N_("Input should be {expected}"),
    "list_type": N_("Input should be a valid list"),
    "tuple_type": N_("Input should be a valid list"),
    "set_type": N_("Input should be a valid list"),
    "frozen_set_type": N_("Input should be a valid list"),
    "iterable_type": N_("Input should be a valid list"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean (true or false)"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_parsing_size": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD, {error}"),
    "date_from_datetime_parsing": N_("Input should be a valid date or datetime, {error}"),
    "date_from_datetime_inexact": N_("Input should be a date without a time of day"),
    "datetime_type": N_("Input should be a valid datetime"),
    "datetime_parsing": N_("Input should be a valid datetime, {error}"),
    "datetime_from_date_parsing": N_("Input should be a valid datetime or date, {error}"),
    "datetime_object_invalid": N_("Input should be a valid datetime"),
    "none_required": N_("Input should be None"),
    "invalid_key": N_("Keys should be strings"),
    "recursion_loop": N_("Recursion error - cyclic reference detected"),
}

# Why a date or time did not parse (pydantic's `{error}` of the parsing errors above).
_TIME_PARSING = {
    "input is too short": N_("input is too short"),
    "input is too long": N_("input is too long"),
    "invalid character in year": N_("invalid character in year"),
    "invalid character in month": N_("invalid character in month"),
    "invalid character in day": N_("invalid character in day"),
    "invalid character in hour": N_("invalid character in hour"),
    "invalid character in minute": N_("invalid character in minute"),
    "invalid character in second": N_("invalid character in second"),
    "invalid date separator, expected `-`": N_("invalid date separator, expected `-`"),
    "invalid time separator, expected `:`": N_("invalid time separator, expected `:`"),
    "invalid timezone sign": N_("invalid timezone sign"),
    "month value is outside expected range of 1-12": N_("month value is outside expected range of 1-12"),
    "day value is outside expected range": N_("day value is outside expected range"),
    "hour value is outside expected range of 0-23": N_("hour value is outside expected range of 0-23"),
    "minute value is outside expected range of 0-59": N_("minute value is outside expected range of 0-59"),
    "second value is outside expected range of 0-59": N_("second value is outside expected range of 0-59"),
    "unexpected extra characters at the end of the input": N_("unexpected extra characters at the end of the input"),
    "input contains invalid characters": N_("input contains invalid characters"),
}


def _translated(err: Mapping[str, Any]) -> str | None:
    """Pydantic's message in the current language, or None where pydantic's English is the message
    (English, or an error type nobody translated)."""
    template = _PYDANTIC_MESSAGES.get(err["type"])
    if template is None:
        return None
    text = _(template)
    if text == template:
        return None
    ctx = {name: _context_value(name, value) for name, value in (err.get("ctx") or {}).items()}
    try:
        return text.format(**ctx)
    except (KeyError, IndexError, ValueError):  # a context pydantic did not give: its own English then
        return None


def _context_value(name: str, value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)  # pydantic writes 1e12 as 1000000000000
    if name == "error" and isinstance(value, str):
        known = _TIME_PARSING.get(value)
        return _(known) if known is not None else value
    if name == "expected" and isinstance(value, str) and " or " in value:
        # "'low', 'medium' or 'high'": the choices as the language lists them, each by its name in it
        head, _sep, last = value.rpartition(" or ")
        items = [_choice_named(item) for item in [*head.split(", "), last]]
        return _("{choices} or {last}").format(
            choices=listed(items[:-1]), last=items[-1])
    return value


def _choice_named(item: str) -> str:
    """A state's or a choice's stored value as pydantic quotes it (`'email'`) by its name in the
    current language (`“邮件”`, which the CLI, the filter and CSV accept too); anything else as it is."""
    from .domain import CHOICE_LABELS, STATE_LABELS

    if len(item) > 2 and item[0] == item[-1] == "'":
        for member in (*STATE_LABELS, *CHOICE_LABELS):
            if member.value == item[1:-1]:
                return _("“{name}”").format(name=member.label)  # type: ignore[attr-defined]  # every one has a label
    return item


# What the JSON parser (orjson) and the csv module say of a file they cannot read, as they word it.
_PARSER_WORDS = {
    "unexpected end of data": N_("unexpected end of data"),
    "trailing comma is not allowed": N_("trailing comma is not allowed"),
    "unexpected character, expected ',' or ']'": N_("unexpected character, expected ',' or ']'"),
    "unexpected character, expected ',' or '}'": N_("unexpected character, expected ',' or '}'"),
    "unexpected character, expected ':' after key": N_("unexpected character, expected ':' after key"),
    "unexpected character, expected a JSON value": N_("unexpected character, expected a JSON value"),
    "unexpected character, expected a string key": N_("unexpected character, expected a string key"),
    "unexpected content after document": N_("unexpected content after document"),
    "unexpected control character in string": N_("unexpected control character in string"),
    "invalid escape in string": N_("invalid escaped sequence in string"),
    "invalid escaped sequence in string": N_("invalid escaped sequence in string"),
    "invalid high surrogate in string": N_("invalid high surrogate in string"),
    "invalid low surrogate in string": N_("invalid low surrogate in string"),
    "invalid literal, expected 'true'": N_("invalid literal, expected 'true'"),
    "invalid literal, expected 'false'": N_("invalid literal, expected 'false'"),
    "invalid literal, expected 'null'": N_("invalid literal, expected 'null'"),
    "no digit after decimal point": N_("no digit after decimal point"),
    "no digit after exponent sign": N_("no digit after exponent sign"),
    "no digit after sign": N_("no digit after sign"),
    "number is infinity when parsed as double": N_("number is infinity when parsed as double"),
    "number with leading zero is not allowed": N_("number with leading zero is not allowed"),
    "invalid UTF-8 encoding in string": N_("invalid UTF-8 encoding in string"),
    "invalid utf-8 encoding in string": N_("invalid UTF-8 encoding in string"),
    "str is not valid UTF-8: surrogates not allowed": N_("str is not valid UTF-8: surrogates not allowed"),
    "Input is a zero-length, empty document": N_("Input is a zero-length, empty document"),
    "input data is empty": N_("Input is a zero-length, empty document"),
    "line contains NUL": N_("line contains NUL"),
    "new-line character seen in unquoted field - do you need to open the file with newline=''?":
        N_("new-line character seen in unquoted field"),
}


def parser_words(message: str) -> str:
    """What orjson or the csv module said of a file (`unexpected end of data`), in the current
    language; a message neither is known to write, as it is (and in English every one as written)."""
    if language() == ENGLISH:
        return message
    known = _PARSER_WORDS.get(message)
    if known is not None:
        return _(known)
    expected, after = _expected_after(message)
    if expected:
        return _("'{expected}' expected after '{after}'").format(expected=expected, after=after)
    return message


def _expected_after(message: str) -> tuple[str, str]:
    """The two characters of the csv module's `',' expected after '"'` (a delimiter it wanted)."""
    match = _EXPECTED_AFTER.fullmatch(message)
    return (match[1], match[2]) if match else ("", "")


_EXPECTED_AFTER = re.compile(r"'(.)' expected after '(.)'", re.DOTALL)


def json_problem(exc: Any) -> str:
    """An orjson.JSONDecodeError as `str(exc)` says it (`unexpected end of data: line 1 column 2
    (char 1)`), in the current language."""
    msg, line, column, pos = (getattr(exc, name, None) for name in ("msg", "lineno", "colno", "pos"))
    if not isinstance(msg, str) or line is None or column is None or pos is None:
        return str(exc)
    return _("{reason}: line {line} column {column} (char {char})").format(
        reason=parser_words(msg), line=line, column=column, char=pos)


# Why the system refused a file operation (an OSError's errno), as a person reads it; strerror is English.
_OS_REASONS = {
    "ENOENT": N_("No such file or directory"),
    "EACCES": N_("Permission denied"),
    "EPERM": N_("Operation not permitted"),
    "EISDIR": N_("Is a directory"),
    "ENOTDIR": N_("Not a directory"),
    "EEXIST": N_("File exists"),
    "ENOTEMPTY": N_("Directory not empty"),
    "ENOSPC": N_("No space left on device"),
    "EDQUOT": N_("Disk quota exceeded"),
    "EROFS": N_("Read-only file system"),
    "ELOOP": N_("Too many levels of symbolic links"),
    "ENAMETOOLONG": N_("File name too long"),
    "EXDEV": N_("Invalid cross-device link"),
    "EBUSY": N_("Device or resource busy"),
    "ETXTBSY": N_("Text file busy"),
    "EMFILE": N_("Too many open files"),
    "EIO": N_("Input/output error"),
    "EINVAL": N_("Invalid argument"),
    "EFBIG": N_("File too large"),
}


def os_reason(exc: BaseException) -> str:
    """Why a file could not be read or written, in the current language: an OSError by its errno (its
    strerror where the errno is not one of ours; in English the strerror always), text that is not UTF-8
    by the byte; else `str(exc)`."""
    import errno

    if language() == ENGLISH:
        return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        known = _OS_REASONS.get(errno.errorcode.get(exc.errno, ""))
        if known is not None:
            return _(known)
        return exc.strerror or str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return _("not UTF-8 text: byte 0x{byte:02X} at offset {position}").format(
            byte=exc.object[exc.start], position=exc.start)
    return str(exc)
