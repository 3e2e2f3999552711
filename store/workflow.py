"""The lifecycle rules: which moves are allowed and, when one is not, why and what to do.

Rules are data (the order of states, the guard of each state) plus small pure functions. Nothing here
touches the disk; the store asks `check_move` before it writes.

One home per rule: each guard declares the inputs a move into its state takes (`GuardInput`) and how
their values become field changes (`Guard.apply`). The TUI's move prompt comes from `prompt_for`, the
options of `reqboard move` from `inputs_of`, and the store turns the values into changes with
`move_changes`; none of them keeps its own copy of what a state needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .domain import (
    ANY_SIGNOFF,
    BOARD_STATES,
    CHINESE_NAMES,
    CHOICE_LABELS,
    PAST_APPROVAL,
    Channel,
    CRStatus,
    Kano,
    State,
    missing_signoffs,
)
from .domain import reapproval_pending as pending
from .errors import InvalidValue, validation_message
from .i18n import ENGLISH, N_, _, language, listed, ngettext

if TYPE_CHECKING:
    from .models import ChangeRequest, Requirement

# The models (and pydantic) are imported only by the functions that make records: the command line
# builds `reqboard move`'s options from this module, and opening the board must not wait for pydantic.


@dataclass(frozen=True)
class Refusal:
    """Why a move was refused: the rule that refused it and what would satisfy it."""

    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Rules:
    """What the board around a requirement adds to its rules: the sign-offs the board requires and
    the links that hold it back (worked out by the store from the whole board, see store.links)."""

    signoff_roles: tuple[str, ...] = ()
    """The roles that must each sign a requirement's text before it is approved (none: one sign-off)."""
    blockers: tuple[str, ...] = ()
    """What it depends on that is not yet done or fed back."""
    open_conflicts: tuple[str, ...] = ()
    """The requirements it is in conflict with, not rejected, and no decision taken."""
    rejected_blockers: tuple[str, ...] = ()
    """The blockers that were rejected (they will never be done: the refusal says to drop the link)."""


NO_RULES = Rules()


InputKind = Literal["text", "score", "choice", "checklist"]


@dataclass(frozen=True)
class GuardInput:
    """One value a move into a state takes: what a person is asked, and what a script passes.

    `name` is the key in a move's inputs and the option `reqboard move --<name>` (underscores as
    dashes). A score is a whole number 1-5, a choice one of `choices`' values, a checklist a subset of
    them; `choices` are (value, label) pairs. `required` and `default` are for a prompt: the rule
    itself is the guard's, which refuses the move when what it needs is still missing.

    In `GUARDS` the label and a choice's label are English, marked for the catalogue; `inputs_of` and
    `prompt_for` give them in the current language (`shown`), which is what a person is asked.
    """

    name: str
    kind: InputKind
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True
    default: Any = None
    # How a prompt fills this input in for one requirement and user (None from it: not asked, the
    # requirement has it); without one the input is asked as declared.
    fill: Callable[[GuardInput, Requirement, str, Rules], GuardInput | None] | None = field(
        default=None, compare=False, repr=False)

    @property
    def option(self) -> str:
        """The command-line option that gives this input: `--satisfaction`, `--need-type`."""
        return "--" + self.name.replace("_", "-")

    def shown(self) -> GuardInput:
        """This input as a person reads it now: its label and its choices' labels in the current
        language (a score's numbers as they are)."""
        choices = self.choices if self.kind != "choice" else tuple((value, _(label)) for value, label in self.choices)
        return replace(self, label=_(self.label), choices=choices)


# What a guard's `apply` gets: the requirement, the parsed values, the user and the time of the move.
Apply = Callable[["Requirement", Mapping[str, Any], str, datetime], dict[str, Any]]


def set_fields(req: Requirement, values: Mapping[str, Any], user: str, now: datetime) -> dict[str, Any]:
    """The plain part of a guard's `apply`: each value sets the requirement field of its name.

    Blank values are skipped (a prompt's empty field leaves the requirement as it is). Raises
    InvalidValue for a value that names no field of a requirement.
    """
    from .models import Requirement

    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in Requirement.model_fields:
            raise InvalidValue(_("a move cannot set {name!r}: a requirement has no such field").format(name=name),
                               {name: _("unknown")})
        if value is not None and value != "":
            changes[name] = value
    return changes


@dataclass(frozen=True)
class Guard:
    """What must be true of a requirement to enter a state, and the inputs a move there takes."""

    rule: str
    needs: tuple[str, ...]
    missing: Callable[[Requirement, Rules], list[str]]
    """What `req` lacks to pass under the board's rules, as a person reads it in the current language."""
    fix: str | Callable[[Requirement, Rules], str]
    """What to do: text marked with N_() (translated when shown; `{key}` names the requirement) or a
    function of the requirement and the rules."""
    inputs: tuple[GuardInput, ...] = ()
    apply: Apply = set_fields

    def fix_for(self, req: Requirement, rules: Rules = NO_RULES) -> str:
        """What to do so that `req` passes this guard."""
        return self.fix(req, rules) if callable(self.fix) else _(self.fix).format(key=req.key)


def _collected_missing(req: Requirement, rules: Rules) -> list[str]:
    return [] if req.title.strip() else [_("a title")]


# What analysis needs: (what is missing, whether the requirement has it, the option that sets it).
_ANALYSIS: tuple[tuple[str, Callable[[Requirement], bool], str], ...] = (
    (N_("a customer (who asked)"), lambda req: bool(req.customer), "--customer NAME"),
    (N_("importance"), lambda req: req.importance is not None, "--importance N"),
    (N_("urgency"), lambda req: req.urgency is not None, "--urgency N"),
    (N_("a Kano class or category"), lambda req: req.kano is not None or bool(req.category), "--kano CLASS"),
)


def _analysed_missing(req: Requirement, rules: Rules) -> list[str]:
    return [_(need) for need, has, _option in _ANALYSIS if not has(req)]


def _analysed_fix(req: Requirement, rules: Rules) -> str:
    options = " ".join(option for _need, has, option in _ANALYSIS if not has(req))
    return _("reqboard edit {key} {options}").format(key=req.key, options=options)


def signoffs_missing(req: Requirement, rules: Rules = NO_RULES) -> tuple[str, ...]:
    """The board's sign-off roles nobody signed `req`'s text as it reads now for (`ANY_SIGNOFF` alone:
    the board names no roles and nobody signed it); empty when it is signed off."""
    from .models import text_hash

    return missing_signoffs(((a.text_hash, a.role) for a in req.approvals), text_hash(req), rules.signoff_roles)


def reapproval_pending(req: Requirement, rules: Rules = NO_RULES) -> bool:
    """Was `req` signed off and changed since, without every sign-off of its new text yet (CHG)?"""
    from .models import text_hash

    return pending(((a.text_hash, a.role, a.roles_asked) for a in req.approvals), text_hash(req), rules.signoff_roles)


def signoffs_wanted(req: Requirement, rules: Rules = NO_RULES) -> tuple[str, ...]:
    """The sign-offs `req` waits for now, as `show`, its JSON and the detail pane list them: for an
    analysed requirement, the roles the board names that have not signed its text (`ANY_SIGNOFF` alone:
    it names none and nobody signed); for one approved or beyond whose text changed, the roles still to
    sign the new text (those asked at its latest sign-off that the board still names; the board's roles
    while nobody signed it); otherwise none (a role named later asks nothing of a text signed before)."""
    if req.state is State.ANALYSED:
        return signoffs_missing(req, rules)
    if req.state.value not in PAST_APPROVAL or not reapproval_pending(req, rules):
        return ()
    current = req.current_approvals
    if not current:
        return signoffs_missing(req, rules)
    named = {role.casefold() for role in rules.signoff_roles}
    asked = tuple(role for role in current[-1].roles_asked if role.casefold() in named)
    return signoffs_missing(req, Rules(signoff_roles=asked))


def _approved_missing(req: Requirement, rules: Rules) -> list[str]:
    missing = signoffs_missing(req, rules)
    if not missing:
        return []
    if missing != (ANY_SIGNOFF,):
        return [_("a sign-off by {roles}").format(roles=join_items(list(missing)))]
    if not req.approvals:
        return [_("an approval")]
    return [_("an approval of its current text (it changed since it was approved)")]


def _approved_fix(req: Requirement, rules: Rules) -> str:
    missing = signoffs_wanted(req, rules) or signoffs_missing(req, rules)
    if missing and missing != (ANY_SIGNOFF,):
        return _("reqboard approve {key} --role {role}").format(key=req.key, role=missing[0])
    return _("reqboard approve {key} --comment TEXT").format(key=req.key)


def _in_progress_missing(req: Requirement, rules: Rules) -> list[str]:
    return [] if req.owner else [_("an owner")]


def _done_missing(req: Requirement, rules: Rules) -> list[str]:
    open_criteria = [c.text for c in req.acceptance_criteria if not c.done]
    if open_criteria:
        return [_("all acceptance criteria checked ({n} open)").format(n=len(open_criteria))]
    return []


def _fed_back_missing(req: Requirement, rules: Rules) -> list[str]:
    # An interim reading, taken before delivery, is not the customer told of it.
    return [] if any(not f.interim for f in req.feedback) else [
        _("a feedback record (when the customer was told, satisfaction)")]


# ---------------------------------------------------------------------------- what a move asks for
def _choices_of(enum: Any) -> tuple[tuple[str, str], ...]:
    """The (value, English label) of each member; `GuardInput.shown` translates the labels (the
    language is chosen after this module is imported)."""
    return tuple((member.value, CHOICE_LABELS[member]) for member in enum)


SCORE_CHOICES = tuple((str(n), str(n)) for n in range(1, 6))


def _unless_set(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput | None:
    """Asked only when the requirement lacks it."""
    return None if getattr(req, inp.name) else inp


def _from_requirement(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput:
    """Starts from the requirement's own value."""
    value = getattr(req, inp.name)
    return replace(inp, default=getattr(value, "value", value))


def _kano_unless_categorised(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput:
    """A category stands in for a Kano class (see `_ANALYSIS`), so with one the class is optional."""
    return replace(_from_requirement(inp, req, user, rules), required=not req.category)


def _approving_as(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput:
    return replace(inp, label=_("{label} (approving as {user})").format(label=inp.label, user=user))


def _role_to_sign(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput | None:
    """On a board that names sign-off roles: a choice of the roles still to sign the current text (the
    first one offered); asked on no other board."""
    if not rules.signoff_roles:
        return None
    missing = tuple(role for role in signoffs_wanted(req, rules) or signoffs_missing(req, rules)
                    if role != ANY_SIGNOFF) or rules.signoff_roles
    return replace(inp, kind="choice", choices=tuple((role, role) for role in missing), default=missing[0],
                   required=True)


def _owner_or_user(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput:
    return replace(inp, default=req.owner or user)


def _criteria_of(inp: GuardInput, req: Requirement, user: str, rules: Rules) -> GuardInput:
    """The requirement's criteria, numbered from 1 as `reqboard show` prints them; the met ones ticked."""
    numbered = list(enumerate(req.acceptance_criteria, 1))
    return replace(inp, choices=tuple((str(n), c.text) for n, c in numbered),
                   default=tuple(str(n) for n, c in numbered if c.done))


def _record_approval(req: Requirement, values: Mapping[str, Any], user: str, now: datetime) -> dict[str, Any]:
    """An approval, by the user, of the text as the move leaves it (as `reqboard approve` records one)."""
    from pydantic import ValidationError

    from .models import Approval, approval_text, text_hash

    rest = dict(values)
    signed = {name: rest.pop(name) for name in ("comment", "role", "on_behalf_of") if name in rest}
    if not signed:
        return set_fields(req, rest, user, now)
    changes = set_fields(req, rest, user, now)
    approved = req.model_copy(update=changes) if changes else req
    try:
        approval = Approval(by=user, at=now, comment=signed.get("comment") or "", text_hash=text_hash(approved),
                            text=approval_text(approved), role=" ".join((signed.get("role") or "").split()),
                            on_behalf_of=" ".join((signed.get("on_behalf_of") or "").split()))
    except ValidationError as exc:
        raise validation_message(exc, _("approval")) from None
    return {**changes, "approvals": (*req.approvals, approval)}


def _check_criteria(req: Requirement, values: Mapping[str, Any], user: str, now: datetime) -> dict[str, Any]:
    """The criteria named are met, the others not (as the prompt's checklist shows them)."""
    rest = dict(values)
    if "criteria" not in rest:
        return set_fields(req, rest, user, now)
    met: set[int] = set()
    count = len(req.acceptance_criteria)
    for number in rest.pop("criteria"):
        text = str(number).strip()
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= count):
            message = _("{key} has {count} acceptance criteria (numbered from 1 as `reqboard show {key}` "
                        "prints them); there is no number {given!r}").format(key=req.key, count=count,
                                                                             given=text[:20])
            raise InvalidValue(message, {"criteria": message})
        met.add(int(text))
    criteria = tuple(c.model_copy(update={"done": n in met}) for n, c in enumerate(req.acceptance_criteria, 1))
    return {**set_fields(req, rest, user, now), "acceptance_criteria": criteria}


def reason_codes(text: str) -> tuple[str, ...]:
    """The reason codes a prompt's or the command line's text gives, parted by commas (a Chinese comma
    or list mark too), each once. The board's list checks them; InvalidValue (field `reasons`) for more
    than a reading holds or one too long to be a code."""
    from .surveys import MAX_CODE_LENGTH, MAX_CODES

    codes = tuple(dict.fromkeys(r.strip() for r in re.split("[,，、]", text) if r.strip()))
    if len(codes) > MAX_CODES or any(len(c) > MAX_CODE_LENGTH for c in codes):
        message = _("give at most {n} reasons, each at most {length} characters").format(
            n=MAX_CODES, length=MAX_CODE_LENGTH)
        raise InvalidValue(message, {"reasons": message})
    return codes


def _record_feedback(req: Requirement, values: Mapping[str, Any], user: str, now: datetime) -> dict[str, Any]:
    """A feedback record, by the user (as `reqboard feedback` records one)."""
    from pydantic import ValidationError

    from .models import Feedback

    rest = dict(values)
    asked = {name: rest.pop(name) for name in ("satisfaction", "channel", "comment", "reasons") if name in rest}
    changes = set_fields(req, rest, user, now)
    if not asked:
        return changes
    if asked.get("satisfaction") is None:
        message = _("{key}: feedback needs the customer's satisfaction (1-5)").format(key=req.key)
        raise InvalidValue(message, {"satisfaction": message})
    try:
        reasons = reason_codes(str(asked.get("reasons") or ""))
        feedback = Feedback(by=user, at=now, channel=asked.get("channel") or Channel.EMAIL,
                            satisfaction=asked["satisfaction"], comment=asked.get("comment") or "", reasons=reasons)
    except ValidationError as exc:
        raise validation_message(exc, _("feedback")) from None
    return {**changes, "feedback": (*req.feedback, feedback)}


GUARDS: dict[State, Guard] = {
    State.COLLECTED: Guard("collected.title", ("title",), _collected_missing, N_("give it a title")),
    State.ANALYSED: Guard(
        "analysed.analysis",
        ("customer", "importance", "urgency", "kano"),
        _analysed_missing,
        _analysed_fix,
        inputs=(
            GuardInput("customer", "text", N_("Customer (who asked)"), fill=_unless_set),
            GuardInput("importance", "score", N_("Importance (1-5)"), SCORE_CHOICES, fill=_from_requirement),
            GuardInput("urgency", "score", N_("Urgency (1-5)"), SCORE_CHOICES, fill=_from_requirement),
            GuardInput("kano", "choice", N_("Kano class"), _choices_of(Kano), fill=_kano_unless_categorised),
        ),
    ),
    State.APPROVED: Guard(
        "approved.approval", ("approval",), _approved_missing, _approved_fix,
        inputs=(GuardInput("role", "text", N_("Signing as (role)"), required=False, default="",
                           fill=_role_to_sign),
                GuardInput("on_behalf_of", "text", N_("On behalf of (who signed, if not you)"), required=False,
                           default=""),
                GuardInput("comment", "text", N_("Approval comment"), required=False, default="",
                           fill=_approving_as)),
        apply=_record_approval,
    ),
    State.IN_PROGRESS: Guard(
        "in_progress.owner", ("owner",), _in_progress_missing, N_("reqboard edit {key} --owner NAME"),
        inputs=(GuardInput("owner", "text", N_("Owner"), fill=_owner_or_user),),
    ),
    State.DONE: Guard(
        "done.acceptance", ("criteria",), _done_missing,
        N_("mark each met criterion with reqboard edit {key} --check N"),
        inputs=(GuardInput("criteria", "checklist", N_("Acceptance criteria met"), required=False,
                           fill=_criteria_of),),
        apply=_check_criteria,
    ),
    State.FED_BACK: Guard(
        "fed_back.feedback",
        ("feedback",),
        _fed_back_missing,
        N_("reqboard feedback {key} --satisfaction N --comment TEXT"),
        inputs=(
            GuardInput("satisfaction", "score", N_("Customer satisfaction (1-5)"), SCORE_CHOICES),
            GuardInput("channel", "choice", N_("Told the customer through"), _choices_of(Channel),
                       default=Channel.EMAIL.value, fill=_from_requirement),
            GuardInput("comment", "text", N_("Comment"), required=False, default=""),
            GuardInput("reasons", "text", N_("Reasons for a score of 2 or less (comma-separated)"), required=False,
                       default=""),
        ),
        apply=_record_feedback,
    ),
}


def inputs_of(target: State) -> tuple[GuardInput, ...]:
    """The inputs a move into `target` takes, as declared (no requirement), labelled in the current
    language: what the CLI offers."""
    guard = GUARDS.get(target)
    return tuple(inp.shown() for inp in guard.inputs) if guard else ()


def prompt_for(req: Requirement, target: State, user: str, rules: Rules = NO_RULES) -> tuple[GuardInput, ...]:
    """What to ask `user` before `req` moves forward to `target`: the guard's inputs filled in for this
    requirement and board (choices, defaults, only what it lacks), labelled in the current language;
    () when the move needs nothing."""
    guard = GUARDS.get(target)
    if guard is None or is_backward(req.state, target) or not guard.missing(req, rules):
        return ()
    asked = []
    for declared in guard.inputs:
        inp = declared.shown()
        filled = inp.fill(inp, req, user, rules) if inp.fill else inp
        if filled is not None:
            asked.append(filled)
    return tuple(asked)


def parse_inputs(inputs: Sequence[GuardInput], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values from what a prompt or the command line gave (strings, or values already typed).

    A score becomes an int, a choice its value, a checklist a tuple of its values, a text a str. An
    input left out or None is not given; a blank score or choice is not given either, a blank text is
    "" (an approval comment may be empty). Whether the move then has what it needs is the guard's to
    say. Raises InvalidValue(message, errors={name: message}) naming the input's label, for a value of
    the wrong kind or out of range and for a name no input has.
    """
    declared = {inp.name: inp for inp in inputs}
    unknown = [name for name in raw if name not in declared]
    if unknown:
        names = ", ".join(sorted(unknown))
        offered = ", ".join(declared) or _("none")
        raise InvalidValue(_("this move takes no {names} (it takes: {offered})").format(names=names, offered=offered),
                           dict.fromkeys(unknown, _("not an input of this move")))
    values: dict[str, Any] = {}
    for name, given in raw.items():
        inp = declared[name]
        if given is None:
            continue
        value = _PARSERS[inp.kind](inp, given)
        if value is not None:
            values[name] = value
    return values


def _invalid(inp: GuardInput, message: str) -> InvalidValue:
    text = _("{label}: {problem}").format(label=inp.label, problem=message)
    return InvalidValue(text, {inp.name: text})


def _parse_text(inp: GuardInput, given: Any) -> str:
    if not isinstance(given, str):
        raise _invalid(inp, _("expected text, not {type}").format(type=type(given).__name__))
    return given


def _parse_score(inp: GuardInput, given: Any) -> int | None:
    if isinstance(given, str):
        text = given.strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= 3):
            raise _invalid(inp, _("{given!r} is not a whole number from 1 to 5").format(given=text[:20]))
        given = int(text)
    if type(given) is not int or not 1 <= given <= 5:
        raise _invalid(inp, _("{given!r} is not a whole number from 1 to 5").format(given=str(given)[:20]))
    return given


def _choice_value(inp: GuardInput, given: Any) -> str:
    """The value of the choice `given` names: its value or label (English or translated), any case,
    dashes or spaces for underscores, or one of its Chinese names (必备, 邮件)."""
    text = str(given).strip()
    if not inp.choices:
        return text
    wanted = text.casefold().replace("-", "_").replace(" ", "_")
    for value, label in inp.choices:
        if wanted in (value.casefold().replace(" ", "_"), label.casefold().replace("-", "_").replace(" ", "_")):
            return value
    values = {value for value, _label in inp.choices}
    for member, names in CHINESE_NAMES.items():
        if member.value in values and text in names:
            return member.value
    # The choices as they are typed in English (`must-be`); in another language by their labels (必备型),
    # which are taken too. A checklist's items are named by their numbers in any language.
    by_label = inp.kind == "choice" and language() != ENGLISH
    one_of = listed(label if by_label else value.replace("_", "-")
                                                   for value, label in inp.choices)
    raise _invalid(inp, _("{given!r} is not one of {choices}").format(given=text[:40], choices=one_of))


def _parse_choice(inp: GuardInput, given: Any) -> str | None:
    if not isinstance(given, str):
        given = getattr(given, "value", given)  # an enum member of the choice list
        if not isinstance(given, (str, int)) or isinstance(given, bool):
            raise _invalid(inp, _("expected one of its choices, not {type}").format(type=type(given).__name__))
    if not str(given).strip():
        return None
    return _choice_value(inp, given)


def _parse_checklist(inp: GuardInput, given: Any) -> tuple[str, ...]:
    items = [given] if isinstance(given, (str, int)) else given
    if isinstance(items, bool) or not isinstance(items, (list, tuple, set, frozenset)):
        raise _invalid(inp, _("expected a list of its items, not {type}").format(type=type(given).__name__))
    chosen: dict[str, None] = {}
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise _invalid(inp, _("expected an item, not {type}").format(type=type(item).__name__))
        text = str(item).strip()
        if not text:
            raise _invalid(inp, _("an item is blank"))
        chosen[_choice_value(inp, text)] = None
    return tuple(chosen)


_PARSERS: dict[InputKind, Callable[[GuardInput, Any], Any]] = {
    "text": _parse_text,
    "score": _parse_score,
    "choice": _parse_choice,
    "checklist": _parse_checklist,
}


def move_changes(req: Requirement, target: State, values: Mapping[str, Any], *, user: str,
                 now: datetime) -> dict[str, Any]:
    """The field changes that the parsed `values` of a move of `req` to `target` make: the fields they
    set (owner, the analysis fields), an Approval, a Feedback, the criteria checked. Empty when no
    values are given. Does not check the move itself (see `check_move`); raises InvalidValue for a
    value that cannot be recorded (a criterion number the requirement does not have, a text too long).
    """
    guard = GUARDS.get(target)
    if not values:
        return {}
    if guard is None:
        raise InvalidValue(_("a move to {state} takes no inputs").format(state=target.label.lower()),
                           dict.fromkeys(values, _("not an input of this move")))
    return guard.apply(req, values, user, now)


def position(state: State) -> int:
    """The column index of a board state; `rejected` sorts after the board."""
    return BOARD_STATES.index(state) if state in BOARD_STATES else len(BOARD_STATES)


def next_state(state: State) -> State | None:
    """The column after `state`, where moving on takes it; None after the last and for `rejected`."""
    if state not in BOARD_STATES or state is BOARD_STATES[-1]:
        return None
    return BOARD_STATES[position(state) + 1]


def previous_state(state: State) -> State | None:
    """The column before `state`; None for the first and for `rejected` (which reopens to collected)."""
    if state not in BOARD_STATES or state is BOARD_STATES[0]:
        return None
    return BOARD_STATES[position(state) - 1]


def is_backward(current: State, target: State) -> bool:
    """Moving back: to an earlier column, or out of the archive (reopening a rejected one)."""
    if current is State.REJECTED:
        return target is not State.REJECTED
    return target in BOARD_STATES and position(target) < position(current)


def needs_for(req: Requirement, target: State, rules: Rules = NO_RULES) -> list[str]:
    """What `req` still lacks to enter `target` by its guard (empty when it has it all)."""
    guard = GUARDS.get(target)
    return guard.missing(req, rules) if guard else []


def check_move(req: Requirement, target: State, reason: str = "", rules: Rules = NO_RULES, *,
               override_dependency: bool = False) -> Refusal | None:
    """Decide whether `req` may move to `target` under the board's `rules`; None means yes, else a
    Refusal saying why. `override_dependency` lets work start or finish before what it depends on (with
    a reason, which the store records)."""
    key, current = req.key, req.state
    # States by their label, lower-cased in English ("in progress"); Chinese has no case.
    now_in, to = current.label.lower(), target.label.lower()
    if target is current:
        return Refusal("move.same", _("{key} is already {state}").format(key=key, state=to))
    if target is State.REJECTED:
        if current in (State.DONE, State.FED_BACK):
            return Refusal(
                "rejected.before_done",
                _("{key} is {state}: only requirements not yet done can be rejected (file a change request "
                  "instead)").format(key=key, state=now_in),
            )
        if not reason.strip():
            return Refusal("rejected.reason", _("{key} needs a reason to be rejected: add --reason TEXT").format(key=key))
        return None
    if current is State.REJECTED:
        if target is not State.COLLECTED:
            return Refusal(
                "rejected.reopen",
                _("{key} is rejected: it can only be reopened to collected (with a reason)").format(key=key),
            )
        if not reason.strip():
            return Refusal("move.back_reason", _("{key} needs a reason to be reopened: add --reason TEXT").format(key=key))
        return None
    if is_backward(current, target):
        if not reason.strip():
            return Refusal(
                "move.back_reason",
                _("{key} needs a reason to move back from {state} to {target}: add --reason TEXT").format(
                    key=key, state=now_in, target=to),
            )
        # Back into in progress or done is work on it again: it waits for what it depends on too.
        return _dependency_refusal(key, target, reason, rules, override_dependency)
    expected = next_state(current)
    if target is not expected:
        return Refusal("move.no_skip", _("{key} cannot skip from {state} to {target}: move it to {next} first").format(
            key=key, state=now_in, target=to, next=expected.label.lower() if expected else _("nothing")))
    if current.value in PAST_APPROVAL and reapproval_pending(req, rules):
        unsigned = signoffs_wanted(req, rules)
        needed = (_("a sign-off of its new text by {roles}").format(roles=join_items(list(unsigned)))
                  if unsigned and unsigned != (ANY_SIGNOFF,) else _("an approval of its new text"))
        return Refusal(
            "approved.reapproval",
            _("{key} changed since it was approved and needs {missing} before it can be {state}: {fix}").format(
                key=key, missing=needed, state=to, fix=_approved_fix(req, rules)),
        )
    refusal = _dependency_refusal(key, target, reason, rules, override_dependency)
    if refusal:
        return refusal
    if target is State.APPROVED and rules.open_conflicts:
        return Refusal("approved.conflict", conflict_message(key, rules.open_conflicts))
    missing = needs_for(req, target, rules)
    if missing:
        guard = GUARDS[target]
        return Refusal(
            guard.rule,
            _("{key} needs {missing} before it can be {state}: {fix}").format(
                key=key, missing=join_items(missing), state=to, fix=guard.fix_for(req, rules)),
        )
    return None


def _dependency_refusal(key: str, target: State, reason: str, rules: Rules,
                        override_dependency: bool) -> Refusal | None:
    """Why `key` may not be in progress or done yet: what it depends on is unfinished (None: it may,
    or the move is overridden with a reason)."""
    if target not in (State.IN_PROGRESS, State.DONE) or not rules.blockers:
        return None
    to, n = target.label.lower(), len(rules.blockers)
    blockers = join_items(list(rules.blockers))
    if not override_dependency:
        if set(rules.blockers) <= set(rules.rejected_blockers):
            message = ngettext(
                "{key} depends on {blockers}, which was rejected and will not be done: take it out of {key}'s "
                "dependencies (reqboard edit {key} --depends-on KEY replaces the list), or move anyway with "
                "--override-dependency --reason TEXT",
                "{key} depends on {blockers}, which were rejected and will not be done: take them out of "
                "{key}'s dependencies (reqboard edit {key} --depends-on KEY replaces the list), or move anyway "
                "with --override-dependency --reason TEXT", n)
        else:
            message = ngettext(
                "{key} depends on {blockers}, not yet done: finish it first, or move anyway with "
                "--override-dependency --reason TEXT",
                "{key} depends on {blockers}, not yet done: finish them first, or move anyway with "
                "--override-dependency --reason TEXT", n)
        return Refusal("dependency.open", message.format(key=key, blockers=blockers))
    if not reason.strip():
        message = ngettext("{key} needs a reason to be {state} before {blockers} is done: add --reason TEXT",
                           "{key} needs a reason to be {state} before {blockers} are done: add --reason TEXT", n)
        return Refusal("dependency.override_reason", message.format(key=key, state=to, blockers=blockers))
    return None


def conflict_message(key: str, conflicts: Sequence[str]) -> str:
    """Why `key` cannot be approved while in conflict with `conflicts`, and how to settle it."""
    return _("{key} is in conflict with {others}: settle it first with reqboard resolve {key} {other} "
             "--decision TEXT (and --reject KEY to reject one of them)").format(
        key=key, others=join_items(list(conflicts)), other=conflicts[0])


def join_items(items: list[str]) -> str:
    """`a, b and c` in the current language (`a、b和c`)."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=listed(items[:-1]), last=items[-1])


# Change requests: submitted -> assessed -> approved | rejected -> implemented -> closed.
CR_NEXT: dict[CRStatus, tuple[CRStatus, ...]] = {
    CRStatus.SUBMITTED: (CRStatus.ASSESSED, CRStatus.REJECTED),
    CRStatus.ASSESSED: (CRStatus.APPROVED, CRStatus.REJECTED, CRStatus.ASSESSED),
    CRStatus.APPROVED: (CRStatus.IMPLEMENTED,),
    CRStatus.REJECTED: (),
    CRStatus.IMPLEMENTED: (CRStatus.CLOSED,),
    CRStatus.CLOSED: (),
}

_CR_FIX = {
    CRStatus.ASSESSED: "reqboard cr assess {key} --schedule-days N --cost X --effort-hours H",
    CRStatus.APPROVED: "reqboard cr approve {key} --rationale TEXT",
    CRStatus.REJECTED: "reqboard cr reject {key} --rationale TEXT",
    CRStatus.IMPLEMENTED: "reqboard cr implement {key}",
    CRStatus.CLOSED: "reqboard cr close {key}",
}


def check_cr_step(cr: ChangeRequest, target: CRStatus, rationale: str = "") -> Refusal | None:
    """Decide whether change request `cr` may take the step to `target`."""
    key, current = cr.key, cr.status
    if current in (CRStatus.CLOSED, CRStatus.REJECTED):
        return Refusal(
            "cr.final",
            _("{key} is {status} and cannot be reopened: file a new change request instead").format(
                key=key, status=current.label),
        )
    if target not in CR_NEXT[current]:
        allowed = CR_NEXT[current]
        hint = _CR_FIX[allowed[0]].format(key=key) if allowed else ""
        if target is CRStatus.APPROVED:
            message = _("{key} is {status} and cannot be {target} (it needs an impact assessment first): "
                        "next is {hint}")
        else:
            message = _("{key} is {status} and cannot be {target}: next is {hint}")
        return Refusal("cr.order", message.format(key=key, status=current.label, target=target.label, hint=hint))
    if target in (CRStatus.APPROVED, CRStatus.REJECTED) and not rationale.strip():
        return Refusal(
            "cr.rationale",
            _("{key} needs a rationale to be {status}: add --rationale TEXT").format(key=key, status=target.label),
        )
    return None
