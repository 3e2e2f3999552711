"""The lifecycle rules: which moves are allowed and, when one is not, why and what to do.

Rules are data (the order of states, the guard of each state) plus small pure functions. Nothing here
touches the disk; the store asks `check_move` before it writes, the TUI asks `needs_for` to know what
to prompt for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .models import BOARD_STATES, ChangeRequest, CRStatus, Requirement, State


@dataclass(frozen=True)
class Refusal:
    """Why a move was refused: the rule that refused it and what would satisfy it."""

    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Guard:
    """What must be true of a requirement to enter a state."""

    rule: str
    needs: tuple[str, ...]
    missing: Callable[[Requirement], list[str]]
    fix: str | Callable[[Requirement], str]

    def fix_for(self, req: Requirement) -> str:
        """What to do so that `req` passes this guard."""
        return self.fix(req) if callable(self.fix) else self.fix.format(key=req.key)


def _collected_missing(req: Requirement) -> list[str]:
    return [] if req.title.strip() else ["a title"]


# What analysis needs: (what is missing, whether the requirement has it, the option that sets it).
_ANALYSIS: tuple[tuple[str, Callable[[Requirement], bool], str], ...] = (
    ("a customer (who asked)", lambda req: bool(req.customer), "--customer NAME"),
    ("importance", lambda req: req.importance is not None, "--importance N"),
    ("urgency", lambda req: req.urgency is not None, "--urgency N"),
    ("a Kano class or category", lambda req: req.kano is not None or bool(req.category), "--kano CLASS"),
)


def _analysed_missing(req: Requirement) -> list[str]:
    return [need for need, has, _option in _ANALYSIS if not has(req)]


def _analysed_fix(req: Requirement) -> str:
    options = " ".join(option for _need, has, option in _ANALYSIS if not has(req))
    return f"reqboard edit {req.key} {options}"


def _approved_missing(req: Requirement) -> list[str]:
    if not req.approvals:
        return ["an approval"]
    if not req.approval_current:
        return ["an approval of its current text (it changed since it was approved)"]
    return []


def _in_progress_missing(req: Requirement) -> list[str]:
    return [] if req.owner else ["an owner"]


def _done_missing(req: Requirement) -> list[str]:
    open_criteria = [c.text for c in req.acceptance_criteria if not c.done]
    if open_criteria:
        return [f"all acceptance criteria checked ({len(open_criteria)} open)"]
    return []


def _fed_back_missing(req: Requirement) -> list[str]:
    return [] if req.feedback else ["a feedback record (when the customer was told, satisfaction)"]


GUARDS: dict[State, Guard] = {
    State.COLLECTED: Guard("collected.title", ("title",), _collected_missing, "give it a title"),
    State.ANALYSED: Guard(
        "analysed.analysis",
        ("customer", "importance", "urgency", "kano"),
        _analysed_missing,
        _analysed_fix,
    ),
    State.APPROVED: Guard(
        "approved.approval", ("approval",), _approved_missing, "reqboard approve {key} --comment TEXT"
    ),
    State.IN_PROGRESS: Guard(
        "in_progress.owner", ("owner",), _in_progress_missing, "reqboard edit {key} --owner NAME"
    ),
    State.DONE: Guard(
        "done.acceptance", ("criteria",), _done_missing,
        "mark each met criterion with reqboard edit {key} --check N"
    ),
    State.FED_BACK: Guard(
        "fed_back.feedback",
        ("feedback",),
        _fed_back_missing,
        "reqboard feedback {key} --satisfaction N --comment TEXT",
    ),
}


def position(state: State) -> int:
    """The column index of a board state; `rejected` sorts after the board."""
    return BOARD_STATES.index(state) if state in BOARD_STATES else len(BOARD_STATES)


def next_state(state: State) -> State | None:
    if state not in BOARD_STATES or state is BOARD_STATES[-1]:
        return None
    return BOARD_STATES[position(state) + 1]


def previous_state(state: State) -> State | None:
    if state not in BOARD_STATES or state is BOARD_STATES[0]:
        return None
    return BOARD_STATES[position(state) - 1]


def is_backward(current: State, target: State) -> bool:
    """Moving back: to an earlier column, or out of the archive (reopening a rejected one)."""
    if current is State.REJECTED:
        return target is not State.REJECTED
    return target in BOARD_STATES and position(target) < position(current)


def needs_for(req: Requirement, target: State) -> list[str]:
    """What `req` still lacks to enter `target` by its guard (empty when it has it all)."""
    guard = GUARDS.get(target)
    return guard.missing(req) if guard else []


def check_move(req: Requirement, target: State, reason: str = "") -> Refusal | None:
    """Decide whether `req` may move to `target`; None means yes, else a Refusal saying why."""
    key, current = req.key, req.state
    if target is current:
        return Refusal("move.same", f"{key} is already {target.label.lower()}")
    if target is State.REJECTED:
        if current in (State.DONE, State.FED_BACK):
            return Refusal(
                "rejected.before_done",
                f"{key} is {current.label.lower()}: only requirements not yet done can be "
                "rejected (file a change request instead)",
            )
        if not reason.strip():
            return Refusal(
                "rejected.reason", f"{key} needs a reason to be rejected: add --reason TEXT"
            )
        return None
    if current is State.REJECTED:
        if target is not State.COLLECTED:
            return Refusal(
                "rejected.reopen",
                f"{key} is rejected: it can only be reopened to collected (with a reason)",
            )
        if not reason.strip():
            return Refusal(
                "move.back_reason", f"{key} needs a reason to be reopened: add --reason TEXT"
            )
        return None
    if is_backward(current, target):
        if not reason.strip():
            return Refusal(
                "move.back_reason",
                f"{key} needs a reason to move back from {current.label.lower()} to "
                f"{target.label.lower()}: add --reason TEXT",
            )
        return None
    expected = next_state(current)
    if target is not expected:
        return Refusal(
            "move.no_skip",
            f"{key} cannot skip from {current.label.lower()} to {target.label.lower()}: "
            f"move it to {expected.label.lower() if expected else 'nothing'} first",
        )
    missing = needs_for(req, target)
    if missing:
        guard = GUARDS[target]
        return Refusal(
            guard.rule,
            f"{key} needs {_join(missing)} before it can be {target.label.lower()}: "
            + guard.fix_for(req),
        )
    return None


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


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
            f"{key} is {current.label} and cannot be reopened: file a new change request instead",
        )
    if target not in CR_NEXT[current]:
        allowed = CR_NEXT[current]
        hint = _CR_FIX[allowed[0]].format(key=key) if allowed else ""
        needs = " (it needs an impact assessment first)" if target is CRStatus.APPROVED else ""
        return Refusal(
            "cr.order",
            f"{key} is {current.label} and cannot be {target.label}{needs}: next is {hint}",
        )
    if target in (CRStatus.APPROVED, CRStatus.REJECTED) and not rationale.strip():
        return Refusal(
            "cr.rationale",
            f"{key} needs a rationale to be {target.label}: add --rationale TEXT",
        )
    return None
