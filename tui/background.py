"""Background work: how the app's thread workers are declared, and what a person is told when one fails.

The store raises StoreError for everything it refuses, with a message written for the person at the
keyboard. Anything else escaping a worker (a record the models refuse in a way the store did not
foresee, a bug) would, by Textual's default, end the app and print a traceback with its local
variables, record contents included. So no worker exits the app on error: the store link's workers
(link.py) turn every failure into an answer (`Refused`, `ReadFailed`) for the screen that asked, the
board's own workers (`background`: the record check) catch what they recover from, and
`NoticesFailedWork` is the net under them all: a worker that fails anyway becomes a one-line notice,
and the board stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.worker import Worker, WorkerState

from reqboard.store.errors import StoreError, validation_message
from reqboard.store.i18n import N_, _
from reqboard.store.text import fit, shown

MESSAGE_WIDTH = 120
"""Cells of an unexpected error's own message that a notice repeats: enough to name the fault, too
few to carry a record's contents."""


def background(description: str, *, group: str, exclusive: bool = False) -> Callable[[Any], Any]:
    """`@work` for a thread worker of this app: `description` says what it does, in the words a notice
    uses if it fails (`N_("Reading the board")`: marked, and translated by the notice). Its errors never
    end the app (see the module)."""
    return work(thread=True, exit_on_error=False, description=description, group=group, exclusive=exclusive)


def describe_fault(exc: BaseException) -> str:
    """An error that is not the store's own refusal, in a few words: a record the models refuse is
    named by its fields (never by its contents), anything else by its type and its message's start."""
    from pydantic import ValidationError  # imported by whatever raised one; a failure is no hot path

    if isinstance(exc, ValidationError):
        return str(validation_message(exc))
    text = fit(shown(str(exc), one_line=True).strip(), MESSAGE_WIDTH)
    return type(exc).__name__ + (f": {text}" if text else "")


def failure_message(exc: BaseException, doing: str) -> str:
    """One line for the person at the keyboard about `exc`, raised while `doing` something: `doing` is
    English marked with N_ ("Saving the change"), translated here, or text in the current language
    already (which the catalogue leaves as it is)."""
    if isinstance(exc, StoreError):
        return shown(str(exc), one_line=True)  # written for the person at the keyboard already
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return _("{doing} failed: the board holds a record reqboard cannot read ({fault}); run `reqboard check` "
                 "to find it").format(doing=_(doing), fault=describe_fault(exc))
    return _("{doing} failed ({fault}). The board is still open; if this happens again, run `reqboard check` "
             "and report it").format(doing=_(doing), fault=describe_fault(exc))


class NoticesFailedWork:
    """Mixed into every app, screen and widget that starts workers: a worker that failed anyway (its
    own handling raised, or it had none) is reported as an error notice instead of ending the app."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            worker.node.app.notify(failure_message(worker.error, worker.description or N_("Background work")),
                                   severity="error", timeout=15, markup=False)
