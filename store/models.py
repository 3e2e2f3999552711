"""The domain: requirements, change requests, customers, approvals, feedback and history events.

Every model is frozen: a change is a new model made by the store, never a mutation in place.
Every text field goes through `CleanText`, which strips terminal control characters so that text
typed by anyone can be shown anywhere without driving the terminal.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from . import clock

# The vocabulary lives in store.domain (no pydantic there); it is re-exported from here.
from .domain import (  # noqa: F401
    BOARD_STATES,
    MAX_KEY_DIGITS,
    STATE_LABELS,
    Channel,
    CRStatus,
    Feasibility,
    Kano,
    NeedType,
    Risk,
    State,
    Tier,
    approved_text,
    is_change_request_key,
    is_overdue,
    is_requirement_key,
    iso_utc,
    key_number,
    new_uid,
    normalise_key,
    now,
    search_text,
    strip_control,
)
from .domain import text_hash as hash_of_text
from .errors import StoreUnreadable, validation_message
from .i18n import _

MAX_COUNT = 2**53 - 1
"""The largest version or generation: the largest whole number every JSON reader holds exactly.

orjson refuses to write integers of 2**64 and more (a board holding one could not be saved again);
nothing real comes near this bound.
"""

EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
"""How far ahead of the importer's clock a time from outside may be (clocks disagree a little)."""

PLAUSIBLE_TIMES = "plausible_times"
"""The validation-context entry that makes every time be checked (see `from_outside`)."""

_UID_RE = re.compile(r"^[0-9A-Za-z_.-]{8,64}$")
_JSON_DEPTH = 32
"""How deep a history event's old/new value may nest (the store writes 3 levels at most)."""


def _clean(value: Any) -> Any:
    # isprintable() is false for every control character: most text skips the regex entirely.
    if isinstance(value, str) and not value.isprintable():
        return strip_control(value)
    return value


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError(_("must be a single line (no line breaks)"))
    return value.strip()


def from_outside(now: datetime) -> dict[str, Any]:  # noqa: F811 (the parameter: the importer's time)
    """The validation context for records that come from outside the store (an import file).

    With it every time must be plausible: from 1970-01-01 up to a day after `now`. Without it (records
    the store wrote itself) any time the model can hold is taken, so a board never becomes unreadable
    because a clock was wrong once.
    """
    return {PLAUSIBLE_TIMES: (EARLIEST_TIME, now + FUTURE_SLACK)}


def _utc(value: datetime, info: ValidationInfo) -> datetime:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(_("must carry a time zone (ISO 8601, e.g. 2026-11-22T09:30:00Z)"))
    if offset or value.tzinfo is not UTC:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC, which datetime cannot hold
            raise ValueError(_("is outside the years 1 to 9999 once turned into UTC")) from None
    window = info.context.get(PLAUSIBLE_TIMES) if isinstance(info.context, dict) else None
    if window is not None:
        earliest, latest = window
        if value < earliest:
            raise ValueError(_("is before {day}, which no record can be: check the time").format(
                day=f"{earliest:%Y-%m-%d}"))
        if value > latest:
            # The time as the file gave it (in UTC), so that it can be found there.
            raise ValueError(_("is more than a day in the future ({time}): check the time and the clock of the "
                               "computer that wrote it").format(time=iso_utc(value)))
    return value


def _iso(value: datetime) -> str:
    return iso_utc(value)


def _requirement_key(value: str) -> str:
    if not is_requirement_key(value):
        raise ValueError(_("must be a requirement key: REQ- and a number of 1 to {digits} digits without a "
                           "leading zero, like REQ-12").format(digits=MAX_KEY_DIGITS))
    return value


def _change_request_key(value: str) -> str:
    if not is_change_request_key(value):
        raise ValueError(_("must be a change request key: CR- and a number of 1 to {digits} digits without a "
                           "leading zero, like CR-7").format(digits=MAX_KEY_DIGITS))
    return value


def _event_key(value: str) -> str:
    if value != "board" and not is_requirement_key(value):
        raise ValueError(_("must be a requirement key (REQ- and 1 to {digits} digits, like REQ-12) or "
                           "\"board\"").format(digits=MAX_KEY_DIGITS))
    return value


def _uid(value: str) -> str:
    if not _UID_RE.match(value):
        raise ValueError(_("must be 8 to 64 letters, digits, dots, dashes or underscores"))
    return value


def _json_value(value: Any, depth: int = 0) -> Any:
    """A history value the journal can always write again: nested at most _JSON_DEPTH deep, integers
    that fit 64 bits, text keys, terminal control characters stripped from text."""
    if value is None or isinstance(value, (bool, float)):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError(_("holds a whole number too large to store (more than 64 bits)"))
        return value
    if isinstance(value, str):
        return _clean(value)
    if depth >= _JSON_DEPTH:
        raise ValueError(_("is nested more than {n} levels deep").format(n=_JSON_DEPTH))
    if isinstance(value, (list, tuple)):
        return [_json_value(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(_("holds an object whose keys are not all text"))
        return {_clean(k): _json_value(v, depth + 1) for k, v in value.items()}
    raise ValueError(_("holds a {type}, which is not a JSON value").format(type=type(value).__name__))


CleanText = Annotated[str, BeforeValidator(_clean)]
"""Free text: control characters stripped, line breaks kept."""

Line = Annotated[str, BeforeValidator(_clean), AfterValidator(_one_line)]
"""One line of text: control characters stripped, surrounding spaces trimmed, no line breaks."""

UTCTime = Annotated[datetime, AfterValidator(_utc), PlainSerializer(_iso, return_type=str)]
"""A moment, always stored and printed in UTC as ISO 8601."""

Score = Annotated[int, Field(ge=1, le=5)]
"""A 1-5 rating: importance, urgency, business value, satisfaction."""

RequirementKey = Annotated[str, AfterValidator(_requirement_key)]
"""`REQ-12`: 1 to MAX_KEY_DIGITS ASCII digits, no leading zero."""

ChangeRequestKey = Annotated[str, AfterValidator(_change_request_key)]
"""`CR-7`: 1 to MAX_KEY_DIGITS ASCII digits, no leading zero."""

Uid = Annotated[str, AfterValidator(_uid)]
"""A record's uid: random hex when the store makes it; also an XML identifier in a ReqIF export."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]

JsonValue = Annotated[Any, AfterValidator(_json_value)]
"""A history event's old or new value: any JSON value the journal can write back."""


class Record(BaseModel):
    """Base of every stored model: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False, defer_build=True)


class Customer(Record):
    """A customer of the board: its tier (A/B/C: the value of the customer) and what the team keeps
    about it. Its requirements name it by `Requirement.customer` (any case)."""

    name: Annotated[Line, Field(min_length=1, max_length=120)]
    tier: Tier = Tier.B
    contact: Annotated[Line, Field(max_length=200)] = ""
    """Who to talk to, and how (a name, a phone number, a mail address)."""
    segment: Annotated[Line, Field(max_length=80)] = ""
    """The market or group it belongs to (e.g. banks, retail, public sector)."""
    notes: Annotated[CleanText, Field(max_length=4000)] = ""


class Approval(Record):
    """One sign-off of a requirement's text: by whom, in which role, of which text."""

    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime
    comment: Annotated[CleanText, Field(max_length=2000)] = ""
    text_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    text: Annotated[CleanText, Field(max_length=40_000)] = ""
    """The text as approved (see `approval_text`), kept so a later change can be shown as a diff."""
    role: Annotated[Line, Field(max_length=40)] = ""
    """The role signed for (`customer`, `product`: one of the board's sign-off roles), or "" for a
    sign-off on a board that names no roles."""
    on_behalf_of: Annotated[Line, Field(max_length=80)] = ""
    """Who signed, when `by` recorded it for them (the customer's signature taken by phone)."""
    roles_asked: tuple[Annotated[Line, Field(min_length=1, max_length=40)], ...] = ()
    """The sign-off roles the board asked when this was signed (none: it named none): a role the board
    names later asks nothing more of the text signed then (see `domain.reapproval_pending`)."""

    @property
    def signer(self) -> str:
        """Who signed: the person it was recorded for, else who recorded it."""
        return self.on_behalf_of or self.by


class Resolution(Record):
    """How a conflict between two requirements was settled; both requirements keep one."""

    other: RequirementKey
    """The requirement it was in conflict with (its key when resolved)."""
    other_uid: Uid
    """That requirement's uid: what the resolution is matched by (a sync may change a key)."""
    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime
    decision: Annotated[CleanText, Field(min_length=1, max_length=2000)]
    rejected: RequirementKey | None = None
    """The requirement the decision rejected, if any."""


class Notice(Record):
    """That someone a change request affects was told of it."""

    name: Annotated[Line, Field(min_length=1, max_length=80)]
    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime


Code = Annotated[Line, Field(min_length=1, max_length=40)]
"""A name from one of the board's lists: a survey dimension, a reason for a low score, a complaint's
cause (see store.surveys)."""


class Feedback(Record):
    """A satisfaction reading: the customer's, on delivery (moves a done requirement to fed back) or
    before it (`interim`: the card stays where it is)."""

    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime
    channel: Channel = Channel.EMAIL
    satisfaction: Score
    comment: Annotated[CleanText, Field(max_length=2000)] = ""
    interim: bool = False
    """Taken before delivery: a reading that moved nothing."""
    scores: dict[Code, Score] = Field(default_factory=dict, max_length=12)
    """The survey's dimensions (the board's, e.g. quality, responsiveness), each scored 1-5."""
    reasons: tuple[Code, ...] = Field(default=(), max_length=12)
    """Why the customer is unhappy: codes from the board's list (required for a score of 2 or less)."""


class Note(Record):
    """One contact with the customer about a requirement: a call, a mail, a meeting."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True, validate_by_name=True,
                              validate_by_alias=True, serialize_by_alias=True)

    at: UTCTime
    """When the contact took place (it may be recorded later)."""
    by: Annotated[Line, Field(min_length=1, max_length=80)]
    """Who recorded it."""
    channel: Channel = Channel.OTHER
    with_: Annotated[Line, Field(max_length=120, alias="with")] = ""
    """Who on the customer's side took part (stored as `with`)."""
    text: Annotated[CleanText, Field(min_length=1, max_length=4000)]


class Criterion(Record):
    """One acceptance criterion and whether it has been checked."""

    text: Annotated[Line, Field(min_length=1, max_length=300)]
    done: bool = False


class Review(Record):
    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime
    comment: Annotated[CleanText, Field(max_length=2000)] = ""


class Assessment(Record):
    """The impact of a change request on the plan."""

    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime
    schedule_days: Annotated[float, Field(ge=0, le=10_000)]
    cost: Annotated[float, Field(ge=0, le=1e12)]
    effort_hours: Annotated[float, Field(ge=0, le=1e6)]
    resources: Annotated[CleanText, Field(max_length=500)] = ""
    risk: Risk = Risk.MEDIUM
    affects: tuple[RequirementKey, ...] = ()
    notify: tuple[Annotated[Line, Field(min_length=1, max_length=80)], ...] = ()
    """Who must be told of the change once it is decided (see `ChangeRequest.notified`)."""

    @field_validator("notify")
    @classmethod
    def _unique_names(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        # Each person once, whatever the case they were typed in (as `to_notify` and `notified` match them).
        first: dict[str, str] = {}
        for name in names:
            first.setdefault(name.casefold(), name)
        return tuple(first.values())


class Decision(Record):
    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime
    approved: bool
    rationale: Annotated[CleanText, Field(max_length=2000)] = ""


class StepRecord(Record):
    """Who took a step of a change request (implemented, closed) and when."""

    by: Annotated[Line, Field(min_length=1, max_length=80)]
    at: UTCTime


class ChangeRequest(Record):
    key: ChangeRequestKey
    uid: Uid = Field(default_factory=new_uid)
    summary: Annotated[Line, Field(min_length=1, max_length=200)]
    reason: Annotated[CleanText, Field(max_length=4000)] = ""
    status: CRStatus = CRStatus.SUBMITTED
    proposed_title: Annotated[Line, Field(min_length=1, max_length=200)] | None = None
    proposed_description: Annotated[CleanText, Field(max_length=20_000)] | None = None
    proposed_criteria: tuple[Criterion, ...] | None = None
    proposed_due: date | None = None
    proposed_owner: Annotated[Line, Field(min_length=1, max_length=80)] | None = None
    proposed_importance: Score | None = None
    proposed_urgency: Score | None = None
    submitted_by: Annotated[Line, Field(min_length=1, max_length=80)]
    submitted_at: UTCTime
    assessment: Assessment | None = None
    decision: Decision | None = None
    implemented: StepRecord | None = None
    closed: StepRecord | None = None
    notified: tuple[Notice, ...] = ()
    """Who was told of it, and by whom, when."""

    @property
    def is_open(self) -> bool:
        return self.status not in (CRStatus.CLOSED, CRStatus.REJECTED)

    @property
    def to_notify(self) -> tuple[str, ...]:
        """Who the assessment says must be told and nobody has told yet."""
        told = {n.name.casefold() for n in self.notified}
        names = self.assessment.notify if self.assessment else ()
        return tuple(name for name in names if name.casefold() not in told)


class Requirement(Record):
    key: RequirementKey
    uid: Uid = Field(default_factory=new_uid)
    title: Annotated[Line, Field(min_length=1, max_length=200)]
    description: Annotated[CleanText, Field(max_length=20_000)] = ""
    state: State = State.COLLECTED
    customer: Annotated[Line, Field(max_length=120)] = ""
    tier: Tier | None = None
    channel: Channel = Channel.OTHER
    need_type: NeedType | None = None
    kano: Kano | None = None
    category: Annotated[Line, Field(max_length=80)] = ""
    section: Annotated[Line, Field(max_length=300)] = ""
    """Where the requirement sits in its source document: its heading path ("3 Interfaces / 3.2 Payment")."""
    importance: Score | None = None
    urgency: Score | None = None
    business_value: Score | None = None
    effort_estimate: Annotated[float, Field(ge=0, le=1e6)] | None = None
    feasibility: Feasibility | None = None
    tags: tuple[Annotated[Line, Field(min_length=1, max_length=40)], ...] = ()
    owner: Annotated[Line, Field(max_length=80)] = ""
    due: date | None = None
    acceptance_criteria: tuple[Criterion, ...] = ()
    depends_on: tuple[RequirementKey, ...] = ()
    conflicts_with: tuple[RequirementKey, ...] = ()
    approvals: tuple[Approval, ...] = ()
    feedback: tuple[Feedback, ...] = ()
    change_requests: tuple[ChangeRequest, ...] = ()
    entered_at: dict[State, UTCTime] = Field(default_factory=dict)
    state_since: UTCTime | None = None
    rejection_reason: Annotated[CleanText, Field(max_length=2000)] = ""
    changed_since_approval: bool = False
    suspect: Annotated[CleanText, Field(max_length=500)] = ""
    reviews: tuple[Review, ...] = ()
    notes: tuple[Note, ...] = ()
    """The communication log: each contact with the customer about it, oldest first."""
    cause: Annotated[Line, Field(max_length=40)] = ""
    """A complaint's cause: a code from the board's list (see store.surveys), "" when none was given."""
    resolutions: tuple[Resolution, ...] = ()
    """How each of its conflicts with another requirement was settled."""
    previous_keys: tuple[RequirementKey, ...] = ()
    """Keys it had before a sync gave it another (another requirement was created under the same key
    on the board it synced with); `show` of an old key says where it went."""
    version: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 1
    created_by: Annotated[Line, Field(min_length=1, max_length=80)]
    created_at: UTCTime
    updated_by: Annotated[Line, Field(min_length=1, max_length=80)]
    updated_at: UTCTime

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(tags))

    @field_validator("depends_on", "conflicts_with")
    @classmethod
    def _unique_links(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(keys))

    @property
    def number(self) -> int:
        return key_number(self.key)

    @property
    def priority(self) -> int | None:
        """Importance x urgency (1-25), or None until both are set."""
        if self.importance is None or self.urgency is None:
            return None
        return self.importance * self.urgency

    @property
    def search_text(self) -> str:
        """What a filter's words are looked for in: key, title, description, customer, tags."""
        return search_text(self.key, self.title, self.description, self.customer, self.tags)

    @property
    def open_change_requests(self) -> tuple[ChangeRequest, ...]:
        return tuple(cr for cr in self.change_requests if cr.is_open)

    @property
    def feedback_latest(self) -> Feedback | None:
        return self.feedback[-1] if self.feedback else None

    @property
    def last_contact(self) -> datetime | None:
        """When the customer was last in touch about it: the latest note or feedback, or None."""
        moments = [n.at for n in self.notes] + [f.at for f in self.feedback]
        return max(moments) if moments else None

    @property
    def approval_current(self) -> bool:
        """True when the latest approval covers the text as it reads today."""
        return bool(self.approvals) and self.approvals[-1].text_hash == text_hash(self)

    @property
    def current_approvals(self) -> tuple[Approval, ...]:
        """The sign-offs of the text as it reads today (a change of the text voids the earlier ones)."""
        current = text_hash(self)
        return tuple(a for a in self.approvals if a.text_hash == current)

    @property
    def resolved_uids(self) -> frozenset[str]:
        """The uids of the requirements a conflict with which was resolved."""
        return frozenset(r.other_uid for r in self.resolutions)

    def overdue(self, today: date | None = None) -> bool:
        """Past its due date and still open (see `domain.is_overdue`)."""
        return is_overdue(self.due, self.state, today or clock.today())

    def revised(self, changes: dict[str, Any], *, by: str, at: datetime) -> Requirement:
        """The next version with `changes`, validated and stamped with who and when: what a transaction
        stores and what an import plans. Raises InvalidValue naming each bad field."""
        data = self.model_dump()
        data.update(changes)
        data.update(version=self.version + 1, updated_by=by, updated_at=at)
        try:
            return Requirement.model_validate(data)
        except ValidationError as exc:
            raise validation_message(exc, self.key) from None

    def entering(self, state: State, at: datetime) -> dict[str, Any]:
        """The field changes of entering `state` at `at`: the state, when it was first entered, since when."""
        entered = dict(self.entered_at)
        entered.setdefault(state, at)
        return {"state": state, "entered_at": entered, "state_since": at}


class Event(Record):
    """One line of the audit trail: who changed what on which record, and why."""

    id: Uid | None = None
    """The event's own id: the same event on two boards that synced (None in histories written before
    events had ids)."""
    at: UTCTime
    by: Annotated[Line, Field(min_length=1, max_length=80)]
    key: Annotated[str, AfterValidator(_event_key)]
    """The requirement the event is about, or "board" for the board's own (settings, restores, imports)."""
    cr: ChangeRequestKey | None = None
    action: Annotated[Line, Field(min_length=1, max_length=40)]
    field: Annotated[Line, Field(max_length=100)] | None = None
    old: JsonValue = None
    new: JsonValue = None
    reason: Annotated[CleanText, Field(max_length=4000)] = ""
    uid: Uid | None = None
    """The uid of the requirement it is about (its key may have changed since)."""
    generation: Count = 0

    @staticmethod
    def stamp(moment: datetime) -> str:
        """An event's time as the journal writes it: UTC, microseconds always, four-digit year."""
        return iso_utc(moment, always_microseconds=True)

    @classmethod
    def from_journal(cls, raw: dict[str, Any], journal: object) -> Event:
        """A history line as an Event; raises StoreUnreadable naming the journal and the damaged event."""
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise StoreUnreadable(
                _("{journal}: a history event of {key} is damaged ({problem}); `reqboard check --repair` sets "
                  "the damaged lines aside").format(journal=journal, key=str(raw.get("key", "?"))[:40],
                                                    problem=validation_message(exc))
            ) from None


def text_hash(req: Requirement) -> str:
    """A hash of the text that an approval covers: title, description and acceptance criteria."""
    return hash_of_text(req.title, req.description, (c.text for c in req.acceptance_criteria))


def approval_text(req: Requirement) -> str:
    """The approved text as a person reads it: title, description, then the criteria."""
    return approved_text(req.title, req.description, (c.text for c in req.acceptance_criteria))
