"""One import pipeline for every format: read, plan, check, apply.

    read = FORMATS["csv"].read(data)          # the format's reader: bytes -> records (ReadFile)
    summary = run_import(board, read, source="reqs.csv")

The plan is made from `board.snapshot()`, without the board's lock: every record is checked and turned
into the document it will store before anything waits on the lock. The plan is then applied in one
`board.transaction(expect=plan.revision)`: if another writer committed in between, the transaction is
refused as Outdated, and the import plans again against the board as it is now (only the records that
other writer affected are checked again) and retries; the last time it plans under the lock, so that
a busy board cannot starve it. A file with any refusal writes nothing; a dry run writes nothing either.

Big files (`ReadFile.reread`): the records first name only their requirements, the whole records are
read one at a time each time the import is planned, and let go between plans: a file's rows are never
all held beside the requirements they become.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Outdated
from ..i18n import N_, _
from .apply import apply_plan
from .check import file_refusals, refusals
from .incoming import ImportRefused, ImportSummary, ReadFile
from .plan import Plan, Planner

if TYPE_CHECKING:
    from ..board import Board
    from ..snapshot import Revision
    from ..transaction import Transaction

_ATTEMPTS = 3
"""How often an import plans again without the lock when other writers keep committing before it
takes the lock; the last time it plans again under the lock, so that it is not starved."""


def run_import(board: Board, read: ReadFile, *, source: str = "", dry_run: bool = False,
               rekey: bool = False, as_previewed: Revision | None = None) -> ImportSummary:
    """Plan the import of `read` into `board` and, unless it is a dry run, apply it atomically.

    `rekey` adds a record whose key is on the board as another requirement under a new key.
    `as_previewed`: the revision a person saw the preview of; the import is applied only to that board,
    never planned again against another (what they confirmed is what is written).
    Returns the summary; raises ImportRefused (nothing written; for a dry run too, carrying what the
    import would have done) when anything is refused, Outdated when the board changed since the preview,
    and StoreUnreadable when the board cannot be read.
    """
    summary = ImportSummary(format=read.format, source=source, dry_run=dry_run, notes=list(read.notes),
                            unmapped=list(read.unmapped))
    planner = Planner(read, user=board.user, now=board.clock(), path=board.path, rekey=rekey)
    unreadable = file_refusals(read)
    if unreadable and (read.lossless or not planner.records):  # no need to look at the board
        summary.refused = unreadable
        raise ImportRefused(summary.error_message(), summary, read.rule)
    plan = _checked(planner.plan(board.snapshot()), read, summary, rekey=rekey)
    summary.revision = plan.revision
    if dry_run:
        return summary
    if as_previewed is not None:
        return _apply_as_previewed(board, plan, planner, read, summary, as_previewed)
    if read.reread is not None:
        read.records.clear()
    planner.let_go()
    for attempt in range(1, _ATTEMPTS + 1):
        if not plan.writes:  # a file that changes nothing leaves the board (and its history) alone
            summary.applied = True
            return summary
        try:
            if attempt < _ATTEMPTS:
                with board.transaction(expect=plan.revision) as tx:
                    _apply(tx, plan, planner, read, summary)
            else:
                with board.transaction() as tx:
                    snapshot = tx.snapshot()
                    if snapshot.revision != plan.revision:  # still busy: plan again, under the lock this time
                        plan = _checked(planner.plan(snapshot), read, summary, rekey=rekey)
                    _apply(tx, plan, planner, read, summary)
        except Outdated:
            # Another writer committed after the plan was made: plan again against the board as it is now.
            plan = _checked(planner.plan(board.snapshot()), read, summary, rekey=rekey)
            planner.let_go()
            continue
        summary.applied = True
        return summary
    raise AssertionError("the last attempt plans under the lock")  # pragma: no cover


def _apply_as_previewed(board: Board, plan: Plan, planner: Planner, read: ReadFile, summary: ImportSummary,
                        previewed: Revision) -> ImportSummary:
    if plan.revision != previewed:
        raise Outdated(_(_CHANGED_SINCE_PREVIEW))
    try:
        with board.transaction(expect=previewed) as tx:
            _apply(tx, plan, planner, read, summary)
    except Outdated:
        raise Outdated(_(_CHANGED_SINCE_PREVIEW)) from None
    summary.applied = True
    return summary


_CHANGED_SINCE_PREVIEW = N_("the board changed since the import was previewed (someone saved meanwhile): nothing "
                             "was imported; preview it again")


def _apply(tx: Transaction, plan: Plan, planner: Planner, read: ReadFile, summary: ImportSummary) -> None:
    if plan.writes:
        apply_plan(tx, plan, now=planner.now, fmt=read.format, source=summary.source, lossless=read.lossless)
    else:
        tx.dry_run()  # planned again under the lock: the file now changes nothing
    planner.forget()  # the plan is staged: its memory is the commit's now
    plan.outcomes.clear()


def _checked(plan: Plan, read: ReadFile, summary: ImportSummary, *, rekey: bool) -> Plan:
    """`plan` in `summary` (what it adds, changes, leaves alone; every refusal); raises ImportRefused
    when anything is refused (for a dry run too: the summary says what it would have done)."""
    refused, rule = refusals(read, plan, rekey=rekey)
    summary.refused = refused
    summary.notes = [*read.notes, *plan.notes]
    if not (refused and read.lossless):  # a refused lossless file reports its refusals alone
        plan.fill(summary)
    if refused:
        raise ImportRefused(summary.error_message(), summary, rule)
    return plan


__all__ = ["run_import"]
