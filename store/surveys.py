"""The board's lists for the customer side: survey dimensions, reasons for a low score, complaint causes.

Each list is a board setting (`settings.survey_dimensions`, `settings.low_score_reasons`,
`settings.complaint_causes`): short codes, each once (any case). A board that never set one uses the
default below. The default codes are English words stored as such; they read in the board's language
(`code_label`) and are accepted typed either way (`code_of`), as states and channels are. A code a
team adds reads as typed.

Nothing here reads or writes a board: `store.customers` sets the lists, `Board.record_feedback` and
the edit of a requirement's `cause` check what is given against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidValue
from .i18n import N_, _, listed

MAX_CODES = 12
MAX_CODE_LENGTH = 40
LOW_SCORE = 2
"""A satisfaction of this or less needs at least one reason (`low_score_reasons`)."""


@dataclass(frozen=True)
class CodeList:
    """One of the board's lists: its setting's name, what one code is called, and its default."""

    setting: str
    noun: str
    """What one of its codes is called in a message (English, marked for the catalogue)."""
    default: tuple[str, ...]


SURVEY_DIMENSIONS = CodeList("survey_dimensions", N_("survey dimension"),
                             ("quality", "responsiveness", "communication"))
LOW_SCORE_REASONS = CodeList("low_score_reasons", N_("reason for a low score"),
                             ("late", "not-as-agreed", "quality", "communication"))
COMPLAINT_CAUSES = CodeList("complaint_causes", N_("complaint cause"),
                            ("defect", "delay", "not-as-agreed", "service", "billing", "other"))
CODE_LISTS = {c.setting: c for c in (SURVEY_DIMENSIONS, LOW_SCORE_REASONS, COMPLAINT_CAUSES)}

_LABELS = {
    "quality": N_("quality"),
    "responsiveness": N_("responsiveness"),
    "communication": N_("communication"),
    "late": N_("late"),
    "not-as-agreed": N_("not as agreed"),
    "defect": N_("defect"),
    "delay": N_("delay"),
    "service": N_("service"),
    "billing": N_("billing"),
    "other": N_("other"),
}
"""The default codes as a person reads them (English, marked for the catalogue)."""


def code_label(code: str) -> str:
    """A code as a person reads it in the current language: a default one translated, any other as
    stored."""
    label = _LABELS.get(code)
    return _(label) if label is not None else code


def stored_codes(settings: Mapping[str, Any], kind: CodeList) -> tuple[str, ...]:
    """The list a board's settings hold (the default when unset; a damaged setting gives the default
    too: `check` does not refuse a board for it)."""
    value = settings.get(kind.setting)
    if not isinstance(value, list):
        return kind.default
    codes: dict[str, str] = {}
    for c in value:
        if (isinstance(c, str) and 0 < len(c) <= MAX_CODE_LENGTH and c.isprintable() and c == " ".join(c.split())
                and "," not in c):
            codes.setdefault(c.casefold(), c)  # each once, any case, as `clean_codes` keeps them
            if len(codes) == MAX_CODES:
                break
    return tuple(codes.values()) or kind.default


def clean_codes(given: Iterable[str], kind: CodeList) -> tuple[str, ...]:
    """Codes as typed on the command line or in a form, each once (any case), spaces trimmed, commas
    parting them too. Raises InvalidValue for an unshowable, too long or too many, or none."""
    cleaned: dict[str, str] = {}
    for text in given:
        for part in str(text).split(","):
            code = " ".join(part.split())
            if not code:
                continue
            if not code.isprintable():
                raise InvalidValue(_("the {noun} {code} holds a character that cannot be shown: type it plainly").format(
                    noun=_(kind.noun), code=ascii(code)[:MAX_CODE_LENGTH * 2]))
            if len(code) > MAX_CODE_LENGTH:
                raise InvalidValue(_("a {noun} is at most {n} characters: {code!r}").format(
                    noun=_(kind.noun), n=MAX_CODE_LENGTH, code=code[:MAX_CODE_LENGTH] + "…"))
            if kind is SURVEY_DIMENSIONS and "=" in code:  # `--score DIM=N` could never name it
                raise InvalidValue(_("a survey dimension cannot hold '=': {code!r}").format(code=code))
            # A default code typed by its name in the board's language (延误) is that code (late); typed as
            # itself in another case (Quality) it is the team's own spelling, kept.
            code = next((d for d in kind.default if code.casefold() == code_label(d).casefold()
                         and code.casefold() != d.casefold()), code)
            if not any(key in cleaned for key in (code.casefold(), code_label(code).casefold())):
                cleaned[code.casefold()] = code
                cleaned.setdefault(code_label(code).casefold(), code)
            if len(set(cleaned.values())) > MAX_CODES:  # said at once: a list of a million codes is not read to its end
                raise InvalidValue(_("a board keeps at most {n} of each list").format(n=MAX_CODES))
    if not cleaned:
        raise InvalidValue(_("give at least one {noun}").format(noun=_(kind.noun)))
    return tuple(dict.fromkeys(cleaned.values()))


def code_of(given: str, codes: tuple[str, ...], kind: CodeList) -> str:
    """The board's code that `given` names: the code itself or its label, any case. Raises
    InvalidValue naming the codes there are."""
    wanted = " ".join(str(given).split()).casefold()
    for code in codes:
        if wanted in (code.casefold(), code_label(code).casefold()):
            return code
    raise InvalidValue(_("{given!r} is not a {noun} of this board; it has {codes}").format(
        given=str(given)[:MAX_CODE_LENGTH], noun=_(kind.noun), codes=listed(code_label(c) for c in codes)))


def checked_scores(given: Mapping[str, int], dimensions: tuple[str, ...]) -> dict[str, int]:
    """Dimension scores as the board names the dimensions; InvalidValue for an unknown dimension or a
    score outside 1-5."""
    scores: dict[str, int] = {}
    for name, value in given.items():
        dimension = code_of(name, dimensions, SURVEY_DIMENSIONS)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise InvalidValue(_("the score of {dimension} is a whole number from 1 to 5").format(
                dimension=code_label(dimension)))
        if dimension in scores:  # `Quality=2 quality=4`: which one the customer gave is not for us to pick
            raise InvalidValue(_("{dimension} is scored twice: give each dimension once").format(
                dimension=code_label(dimension)))
        scores[dimension] = value
    return scores


def checked_reasons(given: Iterable[str], reasons: tuple[str, ...]) -> tuple[str, ...]:
    """Reason codes as the board names them, each once; InvalidValue for an unknown one."""
    return tuple(dict.fromkeys(code_of(r, reasons, LOW_SCORE_REASONS) for r in given))
