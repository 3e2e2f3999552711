"""The domain model: field-level validation, control-character stripping, frozen records."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from reqboard.store.errors import InvalidValue, validation_message
from reqboard.store.models import (
    Approval,
    Assessment,
    ChangeRequest,
    Channel,
    Criterion,
    CRStatus,
    Customer,
    Event,
    Feedback,
    Kano,
    NeedType,
    Requirement,
    Risk,
    State,
    Tier,
    normalise_key,
    strip_control,
    text_hash,
)

T0 = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def requirement(**fields: Any) -> Requirement:
    base: dict[str, Any] = dict(
        key="REQ-1", title="Export to PDF", created_by="ann", created_at=T0, updated_by="ann", updated_at=T0
    )
    base.update(fields)
    return Requirement(**base)


def field_errors(**fields: Any) -> dict[str, str]:
    """The field -> message map the store shows a person for an invalid requirement."""
    with pytest.raises(ValidationError) as info:
        requirement(**fields)
    err = validation_message(info.value, "new requirement")
    assert isinstance(err, InvalidValue)
    assert str(err).startswith("new requirement: invalid ")
    return err.errors


# ---------------------------------------------------------------------------- ranges and enums
@pytest.mark.parametrize("field", ["importance", "urgency", "business_value"])
@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_scores_accept_one_to_five(field: str, value: int) -> None:
    assert getattr(requirement(**{field: value}), field) == value


@pytest.mark.parametrize("field", ["importance", "urgency", "business_value"])
@pytest.mark.parametrize("value", [0, 6, -1, 100, "high", 2.5])
def test_scores_outside_one_to_five_are_refused_naming_the_field(field: str, value: Any) -> None:
    errors = field_errors(**{field: value})
    assert list(errors) == [field]


def test_satisfaction_is_a_score() -> None:
    with pytest.raises(ValidationError) as info:
        Feedback(by="ann", at=T0, satisfaction=6)
    assert validation_message(info.value).errors.keys() == {"satisfaction"}
    assert Feedback(by="ann", at=T0, satisfaction=5).satisfaction == 5


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        ("kano", "must-be", Kano.MUST_BE),
        ("kano", "must be", Kano.MUST_BE),
        ("kano", "Must_Be", Kano.MUST_BE),
        ("kano", " performance ", Kano.PERFORMANCE),
        ("channel", "after-sales", Channel.AFTER_SALES),
        ("channel", "social media", Channel.SOCIAL_MEDIA),
        ("channel", "Market-Research", Channel.MARKET_RESEARCH),
        ("need_type", "LATENT", NeedType.LATENT),
        ("tier", "a", Tier.A),
        ("tier", " c ", Tier.C),
    ],
)
def test_enums_accept_dash_and_space_spellings(field: str, given: str, expected: Any) -> None:
    assert getattr(requirement(**{field: given}), field) is expected


@pytest.mark.parametrize(
    ("field", "value"),
    [("kano", "must-have"), ("channel", "pigeon"), ("need_type", "urgent"), ("tier", "D"), ("tier", "AB")],
)
def test_unknown_enum_values_are_refused_listing_the_choices(field: str, value: str) -> None:
    errors = field_errors(**{field: value})
    assert list(errors) == [field]
    choices = {"kano": "must_be", "channel": "interview", "need_type": "explicit", "tier": "'A'"}[field]
    assert choices in errors[field]


def test_state_parse_accepts_cli_spellings_and_names_the_choices_otherwise() -> None:
    assert State.parse("in-progress") is State.IN_PROGRESS
    assert State.parse("In progress") is State.IN_PROGRESS
    assert State.parse("fed-back") is State.FED_BACK
    assert State.parse(" DONE ") is State.DONE
    with pytest.raises(ValueError, match="unknown state 'finished'.*collected.*fed_back"):
        State.parse("finished")


def test_risk_and_cr_status_accept_their_values() -> None:
    assert Risk("HIGH") is Risk.HIGH
    assert CRStatus("implemented") is CRStatus.IMPLEMENTED


# ---------------------------------------------------------------------------- lengths, lines, keys
def test_title_must_be_one_line() -> None:
    errors = field_errors(title="first line\nsecond line")
    assert errors == {"title": "must be a single line (no line breaks)"}
    # CRLF is a line break too, not a control character to drop silently.
    assert field_errors(title="a\r\nb") == {"title": "must be a single line (no line breaks)"}


def test_title_is_trimmed_and_must_not_be_empty() -> None:
    assert requirement(title="  spaced  ").title == "spaced"
    for blank in ("", "   ", "\x1b\x07", "\t"):
        errors = field_errors(title=blank)
        assert list(errors) == ["title"]
        assert "empty" in errors["title"]


def test_length_limits_are_refused_in_characters() -> None:
    assert requirement(title="x" * 200).title == "x" * 200
    errors = field_errors(title="x" * 201)
    assert list(errors) == ["title"]
    assert "200 characters" in errors["title"]
    assert field_errors(customer="c" * 121).keys() == {"customer"}
    assert field_errors(description="d" * 20_001).keys() == {"description"}
    assert field_errors(tags=("t" * 41,)).keys() == {"tags.0"}


def test_description_keeps_line_breaks_and_tabs() -> None:
    text = "first\n\tindented\nlast"
    assert requirement(description=text).description == text
    assert requirement(description="a\r\nb").description == "a\nb"


@pytest.mark.parametrize("key", ["REQ-0", "REQ-01", "req-1", "REQ-", "CR-1", "REQ-1x"])
def test_requirement_keys_have_one_shape(key: str) -> None:
    assert field_errors(key=key).keys() == {"key"}


def test_normalise_key() -> None:
    assert normalise_key("req-12") == "REQ-12"
    assert normalise_key(" 12 ") == "REQ-12"
    assert normalise_key("7", "CR") == "CR-7"


def test_unknown_fields_are_refused() -> None:
    assert field_errors(colour="red").keys() == {"colour"}


def test_several_bad_fields_are_all_named() -> None:
    errors = field_errors(importance=9, urgency=0, kano="nope", title="a\nb")
    assert errors.keys() == {"importance", "urgency", "kano", "title"}


def test_tags_and_links_are_deduplicated_in_order() -> None:
    req = requirement(tags=("b", "a", "b"), depends_on=("REQ-3", "REQ-2", "REQ-3"))
    assert req.tags == ("b", "a")
    assert req.depends_on == ("REQ-3", "REQ-2")


def test_dates_are_validated() -> None:
    assert requirement(due="2026-12-31").due == date(2026, 12, 31)
    assert field_errors(due="2026-13-01").keys() == {"due"}


# ---------------------------------------------------------------------------- times
def test_naive_times_are_refused() -> None:
    errors = field_errors(created_at=datetime(2026, 11, 22, 9, 30))
    assert errors == {"created_at": "must carry a time zone (ISO 8601, e.g. 2026-11-22T09:30:00Z)"}
    assert field_errors(updated_at="2026-11-22T09:30:00").keys() == {"updated_at"}


def test_times_are_stored_and_printed_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    req = requirement(created_at=datetime(2026, 11, 22, 11, 30, tzinfo=plus_two))
    assert req.created_at == T0
    assert req.created_at.tzinfo == UTC
    dumped = req.model_dump(mode="json")
    assert dumped["created_at"] == "2026-11-22T09:30:00Z"
    fine = requirement(updated_at=T0.replace(microsecond=1234)).model_dump(mode="json")
    assert fine["updated_at"] == "2026-11-22T09:30:00.001234Z"
    assert Requirement.model_validate(dumped) == req


def test_entered_at_times_are_tz_aware() -> None:
    with pytest.raises(ValidationError):
        requirement(entered_at={"collected": datetime(2026, 1, 1)})
    req = requirement(entered_at={"collected": "2026-01-01T00:00:00+01:00"})
    assert req.entered_at == {State.COLLECTED: datetime(2025, 12, 31, 23, tzinfo=UTC)}


# ---------------------------------------------------------------------------- control characters
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),  # SGR colour: ESC removed, text inert
        ("\x1b]0;owned\x07title", "]0;ownedtitle"),  # OSC window title with BEL
        ("\x9b31mcsi", "31mcsi"),  # C1 CSI
        ("nul\x00del\x7fnel\x85", "nuldelnel"),
        ("bs\x08\x08", "bs"),
        ("keep\ttab", "keep\ttab"),
    ],
)
def test_control_characters_are_stripped_from_titles(typed: str, stored: str) -> None:
    assert requirement(title=typed).title == stored


def test_control_characters_are_stripped_from_every_text_field() -> None:
    dirty = "x\x1b[2J\x07y"
    req = requirement(
        title=dirty, description=dirty, customer=dirty, category=dirty, owner=dirty, tags=(dirty,),
        rejection_reason=dirty, suspect=dirty, created_by=dirty, updated_by=dirty,
        acceptance_criteria=(Criterion(text=dirty),),
        approvals=(Approval(by=dirty, at=T0, comment=dirty, text_hash="0" * 64),),
        feedback=(Feedback(by=dirty, at=T0, satisfaction=3, comment=dirty),),
    )
    clean = "x[2Jy"
    for text in (req.title, req.description, req.customer, req.category, req.owner, req.tags[0],
                 req.rejection_reason, req.suspect, req.created_by, req.updated_by,
                 req.acceptance_criteria[0].text, req.approvals[0].by, req.approvals[0].comment,
                 req.feedback[0].by, req.feedback[0].comment):
        assert text == clean
    cr = ChangeRequest(key="CR-1", summary=dirty, reason=dirty, proposed_description=dirty,
                       submitted_by=dirty, submitted_at=T0)
    assert (cr.summary, cr.reason, cr.proposed_description, cr.submitted_by) == (clean,) * 4
    assert Customer(name=dirty).name == clean
    event = Event(at=T0, by=dirty, key="REQ-1", action="edited", reason=dirty)
    assert (event.by, event.reason) == (clean, clean)


@given(st.text())
def test_strip_control_leaves_no_control_character_and_keeps_everything_else(text: str) -> None:
    out = strip_control(text)
    assert not CONTROL.search(out)
    assert out == "".join(ch for ch in text if not CONTROL.match(ch))
    assert out.count("\n") == text.count("\n")
    assert out.count("\t") == text.count("\t")
    assert strip_control(out) == out


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_descriptions_never_carry_terminal_controls(text: str) -> None:
    try:
        req = requirement(description=text)
    except ValidationError:
        return
    assert not CONTROL.search(req.description)
    assert "\x1b" not in req.description and "\x9b" not in req.description
    assert req.description.count("\n") == text.count("\n")
    again = Requirement.model_validate_json(req.model_dump_json())
    assert again.description == req.description


@given(st.text(min_size=1, max_size=400))
def test_a_title_is_either_refused_with_a_title_message_or_a_clean_line(text: str) -> None:
    try:
        req = requirement(title=text)
    except ValidationError as exc:
        assert validation_message(exc).errors.keys() == {"title"}
        return
    assert req.title and "\n" not in req.title and not CONTROL.search(req.title)
    assert req.title == req.title.strip()
    assert len(req.title) <= 200


# ---------------------------------------------------------------------------- frozen records
def test_models_are_frozen() -> None:
    req = requirement()
    with pytest.raises(ValidationError, match="frozen"):
        req.title = "changed"  # type: ignore[misc]  # frozen: the assignment is what is tested
    assert req.title == "Export to PDF"
    criterion = Criterion(text="works")
    with pytest.raises(ValidationError):
        criterion.done = True  # type: ignore[misc]  # frozen: the assignment is what is tested
    assert isinstance(req.tags, tuple) and isinstance(req.acceptance_criteria, tuple)


def test_a_change_is_a_new_model() -> None:
    req = requirement()
    changed = req.model_copy(update={"title": "other"})
    assert (req.title, changed.title) == ("Export to PDF", "other")


# ---------------------------------------------------------------------------- derived values
def test_priority_and_approval_currency() -> None:
    req = requirement(importance=4, urgency=5)
    assert req.priority == 20
    assert requirement(importance=4).priority is None
    approved = req.model_copy(update={"approvals": (Approval(by="b", at=T0, text_hash=text_hash(req)),)})
    assert approved.approval_current
    assert not approved.model_copy(update={"description": "more"}).approval_current


def test_assessment_validates_ranges_and_keys() -> None:
    with pytest.raises(ValidationError) as info:
        Assessment(by="a", at=T0, schedule_days=-1, cost=1, effort_hours=1, risk="extreme", affects=("x",))
    assert validation_message(info.value).errors.keys() == {"schedule_days", "risk", "affects.0"}
