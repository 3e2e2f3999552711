"""The domain's vocabulary without pydantic: states, the choice lists, keys, and clean text.

Kept apart from the models so that drawing the board (store.cards) does not import pydantic, which
costs a tenth of the board's start-up; `store.models` re-exports every name here.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from .collation import has_han, simplified  # light: OpenCC and pypinyin are loaded only for Han text
from .i18n import N_, _, is_chinese

# C0 controls except tab (\x09) and newline (\x0a), DEL, and the C1 block.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """Remove C0/C1 control characters (keeping newline and tab); CRLF becomes LF first."""
    return _CONTROL.sub("", text.replace("\r\n", "\n"))


def now() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)


def iso_utc(moment: datetime, *, always_microseconds: bool = False) -> str:
    """A moment as ISO 8601 in UTC with a `Z`, the year always in four digits.

    strftime writes year 1 as `1-01-01`, which no reader takes back; isoformat pads it. Microseconds
    are written when there are any, or always with `always_microseconds` (as the journal writes them).
    """
    if moment.tzinfo is not None and moment.utcoffset():
        moment = moment.astimezone(UTC)
    text = moment.isoformat(timespec="microseconds" if always_microseconds or moment.microsecond else "seconds")
    return (text[:-6] if moment.tzinfo is not None else text) + "Z"


def new_uid() -> str:
    """A new random uid for a requirement (for merges across boards)."""
    return uuid.uuid4().hex


def missing_signoffs(approvals: Iterable[tuple[str, str]], current_hash: str,
                     roles: Iterable[str]) -> tuple[str, ...]:
    """The sign-offs the text as it reads now (`current_hash`) still lacks, from its approvals' (text
    hash, role) pairs: each of the board's `roles` nobody signed this text for (compared without
    case); with no roles, `ANY_SIGNOFF` until somebody signed it at all. Empty: signed off."""
    signed = {role.casefold() for text, role in approvals if text == current_hash}
    wanted = tuple(roles)
    if not wanted:
        return () if signed else (ANY_SIGNOFF,)
    return tuple(role for role in wanted if role.casefold() not in signed)


def reapproval_pending(approvals: Iterable[tuple[str, str, Iterable[str]]], current_hash: str,
                       roles: Iterable[str]) -> bool:
    """Was the text signed off and changed since, without every sign-off of the new text yet? (The CHG
    badge; a requirement approved or beyond cannot move on until it is re-approved.) `approvals` are
    (text hash, role, the roles the board asked when it was signed), oldest first.

    A text never changed since its first sign-off is not re-approved but approved (half signed is no
    CHG). A changed text is judged by the roles the board asked at its latest sign-off, of those it still
    names: a role named since asks nothing more of a text signed before, on every requirement alike,
    and a sign-off made before the board named any roles stands for its text."""
    signed = list(approvals)
    if not signed:
        return False
    current = [(role, tuple(asked)) for text, role, asked in signed if text == current_hash]
    if not current:
        return True
    if len(current) == len(signed):  # never changed since its first sign-off: an approval under way
        return False
    named = {role.casefold() for role in roles}
    asked = [role for role in current[-1][1] if role.casefold() in named]
    if not asked:
        return False
    return bool(missing_signoffs(((current_hash, role) for role, _asked in current), current_hash, asked))


SIGNOFF_ROLES = "signoff_roles"
"""The board setting that names the roles each of which signs a requirement's text."""
MAX_ROLE_LENGTH = 40


def stored_roles(value: Any) -> tuple[str, ...]:
    """The sign-off roles a stored setting names (a damaged setting names none: `check` says so)."""
    if not isinstance(value, list):
        return ()
    return tuple(role for role in value if isinstance(role, str) and 0 < len(role) <= MAX_ROLE_LENGTH)


ANY_SIGNOFF = ""
"""What `missing_signoffs` names when a board requires no roles and nobody signed: one sign-off."""

PAST_APPROVAL = frozenset({"approved", "in_progress", "done", "fed_back"})
"""The states (by value) of a requirement that was signed off: from these, a changed text must be
re-approved before it moves on."""


class State(StrEnum):
    COLLECTED = "collected"
    ANALYSED = "analysed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FED_BACK = "fed_back"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The state as a person reads it, in the current language ("In progress", 进行中)."""
        return _(STATE_LABELS[self])

    @property
    def english(self) -> str:
        """The English label whatever the language (for files a script reads)."""
        return STATE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> State:
        """Accept the CLI spellings: `in_progress`, `in-progress`, `In progress`, and the Chinese
        names (进行中, 实施中)."""
        name = text.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(name)
        except ValueError:
            pass
        member = _chinese_member(cls, text)
        if isinstance(member, State):
            return member
        if is_chinese():  # the names a Chinese reader types, with the English ones scripts use
            names = "、".join(f"{CHINESE_NAMES[s][0]}（{s.value}）" for s in cls)
        else:
            names = ", ".join(s.value for s in cls)
        raise ValueError(_("unknown state {given!r}: use one of {names}").format(given=text, names=names)) from None


STATE_LABELS = {
    State.COLLECTED: N_("Collected"),
    State.ANALYSED: N_("Analysed"),
    State.APPROVED: N_("Approved"),
    State.IN_PROGRESS: N_("In progress"),
    State.DONE: N_("Done"),
    State.FED_BACK: N_("Fed back"),
    State.REJECTED: N_("Rejected"),
}
"""English labels, marked for the catalogue; `State.label` translates them."""

BOARD_STATES: tuple[State, ...] = (
    State.COLLECTED,
    State.ANALYSED,
    State.APPROVED,
    State.IN_PROGRESS,
    State.DONE,
    State.FED_BACK,
)
"""The six board columns, in lifecycle order; `rejected` is off the board."""


class _Choice(StrEnum):
    """An enum whose values can be given with dashes or spaces (`must-be`, `after sales`)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            norm = value.strip().lower().replace("-", "_").replace(" ", "_")
            for member in cls:
                if member.value == norm:
                    return member
            return _chinese_member(cls, value)
        return None

    @property
    def label(self) -> str:
        """The value as a person reads it, in the current language ("after sales", 售后服务)."""
        return _(CHOICE_LABELS[self])

    @property
    def english(self) -> str:
        """The English label whatever the language: "after sales"."""
        return self.value.replace("_", " ")


class Tier(_Choice):
    A = "A"
    B = "B"
    C = "C"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str) and value.strip().upper() in ("A", "B", "C"):
            return cls(value.strip().upper())
        if isinstance(value, str):
            return _chinese_member(cls, value)
        return None

    @property
    def label(self) -> str:
        return self.value


class Channel(_Choice):
    INTERVIEW = "interview"
    SURVEY = "survey"
    HOTLINE = "hotline"
    EMAIL = "email"
    AFTER_SALES = "after_sales"
    SOCIAL_MEDIA = "social_media"
    MARKET_RESEARCH = "market_research"
    COMPLAINT = "complaint"
    OTHER = "other"


class NeedType(_Choice):
    EXPLICIT = "explicit"
    IMPLICIT = "implicit"
    LATENT = "latent"


class Kano(_Choice):
    MUST_BE = "must_be"
    PERFORMANCE = "performance"
    ATTRACTIVE = "attractive"
    INDIFFERENT = "indifferent"
    REVERSE = "reverse"


class Feasibility(_Choice):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


class Risk(_Choice):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CRStatus(_Choice):
    SUBMITTED = "submitted"
    ASSESSED = "assessed"
    APPROVED = "approved"
    REJECTED = "rejected"
    IMPLEMENTED = "implemented"
    CLOSED = "closed"


CHOICE_LABELS: dict[StrEnum, str] = {
    Channel.INTERVIEW: N_("interview"),
    Channel.SURVEY: N_("survey"),
    Channel.HOTLINE: N_("hotline"),
    Channel.EMAIL: N_("email"),
    Channel.AFTER_SALES: N_("after sales"),
    Channel.SOCIAL_MEDIA: N_("social media"),
    Channel.MARKET_RESEARCH: N_("market research"),
    Channel.COMPLAINT: N_("complaint"),
    Channel.OTHER: N_("other"),
    NeedType.EXPLICIT: N_("explicit"),
    NeedType.IMPLICIT: N_("implicit"),
    NeedType.LATENT: N_("latent"),
    Kano.MUST_BE: N_("must be"),
    Kano.PERFORMANCE: N_("performance"),
    Kano.ATTRACTIVE: N_("attractive"),
    Kano.INDIFFERENT: N_("indifferent"),
    Kano.REVERSE: N_("reverse"),
    Feasibility.HIGH: N_("high"),
    Feasibility.MEDIUM: N_("medium"),
    Feasibility.LOW: N_("low"),
    Feasibility.UNKNOWN: N_("unknown"),
    CRStatus.SUBMITTED: N_("submitted"),
    CRStatus.ASSESSED: N_("assessed"),
    CRStatus.APPROVED: N_("approved"),
    CRStatus.REJECTED: N_("rejected"),
    CRStatus.IMPLEMENTED: N_("implemented"),
    CRStatus.CLOSED: N_("closed"),
}
"""English labels of the choices, marked for the catalogue (Risk shares Feasibility's words)."""
CHOICE_LABELS.update({Risk.LOW: N_("low"), Risk.MEDIUM: N_("medium"), Risk.HIGH: N_("high")})

CHINESE_NAMES: dict[StrEnum, tuple[str, ...]] = {
    State.COLLECTED: ("已收集", "收集", "需求收集"),
    State.ANALYSED: ("已分析", "分析", "需求分析"),
    State.APPROVED: ("已批准", "批准", "已审批", "评审通过"),
    State.IN_PROGRESS: ("进行中", "实施中", "开发中", "处理中"),
    State.DONE: ("已完成", "完成", "已交付"),
    State.FED_BACK: ("已反馈", "反馈"),
    State.REJECTED: ("已拒绝", "拒绝", "驳回"),
    Tier.A: ("A类", "A级"),
    Tier.B: ("B类", "B级"),
    Tier.C: ("C类", "C级"),
    Channel.INTERVIEW: ("访谈", "客户访谈"),
    Channel.SURVEY: ("问卷调查", "问卷", "调查"),
    Channel.HOTLINE: ("热线", "客服热线", "电话"),
    Channel.EMAIL: ("邮件", "电子邮件"),
    Channel.AFTER_SALES: ("售后服务", "售后"),
    Channel.SOCIAL_MEDIA: ("社交媒体",),
    Channel.MARKET_RESEARCH: ("市场调研", "市场调查"),
    Channel.COMPLAINT: ("投诉", "客户投诉"),
    Channel.OTHER: ("其他",),
    NeedType.EXPLICIT: ("显性需求", "显性"),
    NeedType.IMPLICIT: ("隐性需求", "隐性"),
    NeedType.LATENT: ("潜在需求", "潜在"),
    Kano.MUST_BE: ("必备型", "必备", "基本型"),
    Kano.PERFORMANCE: ("期望型", "期望", "一维型"),
    Kano.ATTRACTIVE: ("魅力型", "魅力", "兴奋型"),
    Kano.INDIFFERENT: ("无差异型", "无差异"),
    Kano.REVERSE: ("反向型", "反向"),
    Feasibility.HIGH: ("高",),
    Feasibility.MEDIUM: ("中",),
    Feasibility.LOW: ("低",),
    Feasibility.UNKNOWN: ("未知",),
    Risk.LOW: ("低",),
    Risk.MEDIUM: ("中",),
    Risk.HIGH: ("高",),
    CRStatus.SUBMITTED: ("已提交", "提交"),
    CRStatus.ASSESSED: ("已评估", "评估"),
    CRStatus.APPROVED: ("已批准", "批准"),
    CRStatus.REJECTED: ("已拒绝", "拒绝", "驳回"),
    CRStatus.IMPLEMENTED: ("已实施", "实施"),
    CRStatus.CLOSED: ("已关闭", "关闭"),
}
"""The Chinese names every enum value is also accepted by, wherever a value is typed or imported (the
CLI, the filter, CSV), whatever the language; the first is how the zh_CN catalogue shows it."""


def _chinese_member(cls: type[StrEnum], text: str) -> Any:
    name = text.strip()
    for member in cls:
        if name in CHINESE_NAMES.get(member, ()):
            return member
    return None


def choice_names(member: StrEnum) -> tuple[str, ...]:
    """Every spelling `member` is accepted by: its value, its English label, its Chinese names."""
    english = member.value.replace("_", " ")
    return tuple(dict.fromkeys((member.value, english, *CHINESE_NAMES.get(member, ()))))


CLOSED_STATES = frozenset({State.DONE, State.FED_BACK, State.REJECTED})
"""The states whose due date no longer matters (see `is_overdue`)."""


def three_way(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """The three-way rule for one value both sides may have changed since `base`: a change on one side
    is taken; the same change on both is fine; different changes conflict. Returns the merged value
    (ours on a conflict) and whether it is a conflict. A sync and the edit form's catch-up both use it."""
    if ours == theirs or base == theirs:
        return ours, False
    if base == ours:
        return theirs, False
    return ours, True


def is_overdue(due: date | None, state: State, today: date) -> bool:
    """Past its due date and not yet done, fed back or rejected. Cards and models both ask this."""
    return due is not None and state not in CLOSED_STATES and due < today


def _clean_line(text: str) -> str:
    return (text if text.isprintable() else strip_control(text)).strip()


def text_hash(title: str, description: str, criteria: Iterable[str]) -> str:
    """A hash of the text an approval covers: title, description and acceptance criteria.

    The texts are cleaned as the models clean them (which changes nothing in a record the store
    wrote), so the hash of a raw stored record, as a card takes it, is the hash of its model.
    """
    parts = [_clean_line(title), description if description.isprintable() else strip_control(description),
             *(_clean_line(c) for c in criteria)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


CRITERIA_HEADING = N_("Acceptance criteria:")
"""The line before the criteria in an approved text: stored in English (the approval's record), shown
translated (`_(CRITERIA_HEADING)`) where the text is shown."""


def approved_text(title: str, description: str, criteria: Iterable[str]) -> str:
    """The text an approval covers as a person reads it: title, description, then the criteria."""
    listed = "".join(f"\n- {c}" for c in criteria)
    return f"{title}\n\n{description}" + (f"\n\n{CRITERIA_HEADING}{listed}" if listed else "")


def search_text(key: str, title: str, description: str, customer: str, tags: tuple[str, ...]) -> str:
    """The casefolded text a filter's words are looked for in (the same for cards and models). Text
    with traditional Chinese characters is followed by its simplified form, so that a filter word
    (simplified by the query) finds either form. ASCII text is returned as it was, at no extra cost."""
    text = " ".join((key, title, description, customer, *tags)).casefold()
    if not text.isascii() and has_han(text):
        simple = simplified(text)
        if simple != text:
            return f"{text}\n{simple}"
    return text


MAX_KEY_DIGITS = 9
"""A key's number has 1 to 9 ASCII digits and no leading zero: REQ-1 to REQ-999999999, CR-1 to CR-999999999.

One limit for every way a key comes in (typed, imported, stored), so that every key fits every field,
index and file format that holds one; keys are never reused, so this is the number of records a board
can ever hold.
"""

_KEY_NUMBER = rf"[1-9][0-9]{{0,{MAX_KEY_DIGITS - 1}}}"
REQUIREMENT_KEY_PATTERN = rf"^REQ-{_KEY_NUMBER}$"
CHANGE_REQUEST_KEY_PATTERN = rf"^CR-{_KEY_NUMBER}$"
# [0-9], not \d: int() reads Arabic-Indic and other decimal digits, which are no part of a key.
_KEY = re.compile(rf"(?:REQ|CR)-({_KEY_NUMBER})")
_REQUIREMENT_KEY = re.compile(REQUIREMENT_KEY_PATTERN[1:-1])
_CHANGE_REQUEST_KEY = re.compile(CHANGE_REQUEST_KEY_PATTERN[1:-1])
def key_shape() -> str:
    """What a key looks like, in the current language (for messages that refuse one)."""
    return _("REQ- or CR- and a number of 1 to {digits} digits without a leading zero, like REQ-12").format(
        digits=MAX_KEY_DIGITS)


def is_requirement_key(text: object) -> bool:
    """True for `REQ-12` (1 to MAX_KEY_DIGITS ASCII digits, no leading zero), False for anything else."""
    return isinstance(text, str) and _REQUIREMENT_KEY.fullmatch(text) is not None


def is_change_request_key(text: object) -> bool:
    """True for `CR-7` (1 to MAX_KEY_DIGITS ASCII digits, no leading zero), False for anything else."""
    return isinstance(text, str) and _CHANGE_REQUEST_KEY.fullmatch(text) is not None


_key_match = _KEY.fullmatch  # bound once: every card drawn asks for its number


def key_number(key: str) -> int:
    """The number in `REQ-12` or `CR-7`. Raises ValueError for anything that is not such a key."""
    match = _key_match(key) if key.__class__ is str else None
    if match is None:
        shown = key[:40] + "…" if isinstance(key, str) and len(key) > 40 else key
        raise ValueError(_("{given!r} is not a key: a key is {shape}").format(given=shown, shape=key_shape()))
    return int(match[1])


def normalise_key(text: str, prefix: str = "REQ") -> str:
    """`req-12`, `12` and `REQ-12` all name REQ-12 (`7` names CR-7 with prefix "CR").

    Any other text comes back trimmed and upper-cased, for `key_number` or the models to refuse;
    this never raises, so a caller reports a bad key its own way.
    """
    text = text.strip().upper()
    if text.isascii() and text.isdigit():
        # Not int(text): that takes no more than 4,300 digits; the leading zeros go the same way.
        text = f"{prefix}-{text.lstrip('0') or '0'}"
    return text
