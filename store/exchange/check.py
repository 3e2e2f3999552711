"""The checker: every refusal of an import, as the report lists them, before anything is written.

A file with any refusal writes nothing. Records with fields (CSV, ReqIF) are refused one line each, by
row and column or element, after what is wrong with the file as a whole. A lossless file (JSON) is
refused in one line per kind, in this order: records that are no valid requirements (`import.invalid`,
found by its reader), uids that name something else on this board (`import.uid`), keys taken on this
board (`import.clash`, unless re-keying).
"""

from __future__ import annotations

from ..i18n import _, pgettext
from .incoming import ReadFile, problem_at
from .plan import Plan

SHOWN_PROBLEMS = 10
"""How many problems a one-line refusal shows (then says how many more there are)."""
_PROBLEM_LENGTH = 400


def file_refusals(read: ReadFile) -> list[str]:
    """What is refused before the board is looked at: the file's problems, and the records its reader
    could not read as a whole (a row of the wrong length)."""
    whole = [problem_at(r.where, message) for r in read.records for what, message in r.problems if not what]
    return [*read.problems, *whole]


def refusals(read: ReadFile, plan: Plan, *, rekey: bool) -> tuple[list[str], str]:
    """Every refusal of `plan` (after the file's own), in the order the report lists them, and the
    rule of the first (see ImportRefused)."""
    if read.lossless:
        if plan.uid_problems:
            return [listed(plan.uid_problems)], "import.uid"
        if plan.clashes and not rekey:
            shown = ", ".join(plan.clashes[:SHOWN_PROBLEMS])
            return [_("{n} key(s) exist on this board already ({keys}); import with --rekey to give them new "
                      "keys").format(n=len(plan.clashes), keys=shown)], "import.clash"
        return [], ""
    refused = [*file_refusals(read), *plan.refused]
    return refused, read.rule if read.problems else "import.record"


def listed(problems: list[str]) -> str:
    """Problems as one line: the first few, each cut to a readable length, and how many more."""
    shown = pgettext("list separator", "; ").join(_cut(p) for p in problems[:SHOWN_PROBLEMS])
    if len(problems) <= SHOWN_PROBLEMS:
        return shown
    return _("{problems} (and {n} more)").format(problems=shown, n=len(problems) - SHOWN_PROBLEMS)


def _cut(problem: str) -> str:
    """One problem as the error line shows it: a key of a megabyte must not make a megabyte message."""
    return problem if len(problem) <= _PROBLEM_LENGTH else problem[:_PROBLEM_LENGTH - 1] + "…"
