"""The TUI's one way to the store.

Screens and forms collect values and never do I/O: they describe what to do (a `Change`, or a read
from `reads.py`) and hand it to the `StoreLink`, which runs it in a thread worker under one lock and
answers the screen that asked with a typed message (`messages.py`): `Saved` or `Refused` for a change,
the read's own message or `ReadFailed` for a read. The link also keeps the undo entries of the
changes this session made.

On a board kept by a server, the link also holds what cannot reach it: a change that meets a lost
connection is `Held` (nothing of it was written) and made once the server answers again
(`reconnect`), its requester then answered as usual. The board screen has the link `watch` the
server: it is told (`ServerSignal`) when another client commits and when the connection is lost or back.

The board opens with a reader, which draws it without the models (pydantic and the store's rules);
the `Board` is made from it on first need, off the UI thread (`prepare`), or by the first change.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump

from reqboard.store import errors as store_errors
from reqboard.store.errors import CommitUncertain, ServerUnreachable, StoreError
from reqboard.store.i18n import N_, _, listed
from reqboard.store.labels import UNDONE_CREATION_NOTE
from reqboard.store.reader import BoardReader
from reqboard.store.storage import LOCK_TIMEOUT_S

from .messages import Connection, Held, ReadFailed, Refused, Saved, ServerSignal

if TYPE_CHECKING:
    from textual.app import App

    from reqboard.store.board import Board
    from reqboard.store.models import Event, Requirement

T = TypeVar("T")
UNDO_DEPTH = 50
"""How many of this session's changes `u` can take back, newest first."""
CLOSE_WAIT_S = 2.0
"""How long closing waits for the storage calls under way to end before it lets go of the storage anyway."""


@dataclass(frozen=True)
class Change:
    """A change a screen asks for: `call(board)` runs in a thread worker, under the link's lock."""

    call: Callable[[Board], Any]
    what: str | Callable[[Any], str]
    """The notice once saved, and the name of its undo entry (in the current language); a function
    makes it from the result."""
    doing: str = N_("Saving the change")
    """What failed, in a notice's words, if it fails: English marked with N_ (`failure_message`
    translates it), or text in the current language."""
    before: Requirement | None = None
    """The requirement as the screen showed it; None when the change creates one."""
    undoable: bool = True
    """Whether `u` can take it back (when it returns the requirement it changed)."""
    ends_undo: bool = False
    """It changes requirements in a way `u` cannot take back (a customer renamed, an import): saved, it
    ends the undo list, so that `u` next says there is nothing to undo instead of taking back an older
    change of its own accord."""


_FOR_GOOD = (store_errors.Conflict, store_errors.Refused, store_errors.NotFound, store_errors.InvalidValue)
"""Refusals an undo meets again however often it is tried."""


@dataclass(frozen=True)
class _Undoing:
    """An undo under way: its entry, and where it stood in the undo list."""

    entry: UndoEntry
    index: int


@dataclass(frozen=True)
class UndoEntry:
    """A change this session made: `before` is None when the change created the requirement."""

    before: Requirement | None
    after: Requirement
    what: str


@dataclass(frozen=True)
class _Held:
    """A change that could not reach the server, waiting to be made: who asked, and what."""

    requester: MessagePump
    change: Change
    undoing: _Undoing | None


class StoreLink:
    """The board as the TUI reaches it: one lock around every store call, each call in a thread
    worker, each answer a message to the screen that asked."""

    def __init__(self, reader: BoardReader, *, board: Board | None = None) -> None:
        self.reader = reader
        self._board = board
        self._board_made = threading.Lock()
        self._store_lock = threading.Lock()
        self._flags = threading.Lock()
        """Guards the state below (the UI thread and the workers both touch it)."""
        self._idle = threading.Condition(self._flags)
        """Notified when a call of the storage ends (`close` waits for the last)."""
        self._calls = 0
        """The storage calls under way (see `_using_storage`)."""
        self._reading: set[tuple[MessagePump, str]] = set()
        """The reads in flight, by who asked and what for: one at a time of each."""
        self._undo: list[UndoEntry] = []
        self._held: list[_Held] = []
        """Changes that met a lost connection, oldest first (see `reconnect`)."""
        self._watcher: MessagePump | None = None
        self._watching = False
        self._reconnecting = False
        self._reconnect_again = False
        self._closed = False

    @property
    def path(self) -> Path:
        return self.reader.path

    @property
    def user(self) -> str:
        return self.reader.user

    @property
    def read_only_reason(self) -> str | None:
        """Why the board cannot be changed (a newer schema, a read-only file, a login that may only
        read), or None. Known without asking the server."""
        return self.reader.read_only_reason

    @property
    def connection_problem(self) -> str | None:
        """Why the board's server cannot be reached now, in the storage's words, or None (always None
        for a file). No I/O: what the storage last saw."""
        return self.reader.storage.connection_problem

    @property
    def held(self) -> int:
        """How many changes wait for the server to answer again."""
        with self._flags:
            return len(self._held)

    @property
    def board_made(self) -> Board | None:
        """The store if it has been made (None while the board is drawn from the reader alone)."""
        return self._board

    @property
    def board(self) -> Board:
        """The store: every read with the models, and every change. Made from the reader on first use
        (sharing its file and cards), which imports the models: call it from a worker, not the UI."""
        if self._board is None:
            with self._board_made:
                if self._board is None:
                    from reqboard.store.board import Board

                    self._board = Board(self.reader.path, self.reader.user, reader=self.reader)
        return self._board

    @contextmanager
    def other_board(self, location: str) -> Iterator[Board]:
        """Another board, opened as this link's user for the block and closed after it (a server's
        connections): the other side of a sync. Use it inside a store call (in a worker: it imports
        the models). Raises what opening a store raises (Unsupported for a URL reqboard cannot open)."""
        from reqboard.store.board import Board

        other = Board(location, self.user)
        try:
            yield other
        finally:
            other.storage.close()

    @property
    def undo_entries(self) -> tuple[UndoEntry, ...]:
        """The changes `u` can take back, oldest first."""
        with self._flags:
            return tuple(self._undo)

    # ------------------------------------------------------------------ what screens ask for
    def save(self, requester: MessagePump, change: Change) -> None:
        """Make `change` off the UI thread; `requester` gets `Saved` or `Refused` (the app gets it if
        the requester has closed meanwhile), or `Held` when the board's server cannot be reached: the
        change is then made once it answers again (`reconnect`), and `requester` answered then."""
        self._start(requester, change, None)

    def withdraw(self, requester: MessagePump) -> bool:
        """Forget the held changes `requester` asked for (a form closed, or saving other values): they
        will not be made. False when it had none."""
        with self._flags:
            kept = [held for held in self._held if held.requester is not requester]
            withdrawn = len(kept) != len(self._held)
            self._held = kept
        return withdrawn

    def undo(self, requester: MessagePump) -> bool:
        """Take back the newest change of this session, as a change of its own (`Saved` or `Refused` to
        `requester`); a failed undo keeps its entry when trying again may work (see `_keep_for_later`).
        False, doing nothing, if there is nothing to undo."""
        with self._flags:
            if not self._undo:
                return False
            entry = self._undo.pop()
            undoing = _Undoing(entry, len(self._undo))
        change = Change(undo_call(entry), _("Undone: {what}").format(what=entry.what), doing=N_("Undoing"),
                        before=entry.after, undoable=False)
        self._start(requester, change, undoing)
        return True

    def _start(self, requester: MessagePump, change: Change, undoing: _Undoing | None) -> None:
        problem = self.connection_problem
        if problem is not None:  # known to be unreachable: held at once, not after waiting for a connection
            self._hold(requester.app, requester, change, undoing, ServerUnreachable(problem))
            return
        self._save_worker(requester.app, self, requester, change, undoing)

    def read(self, requester: MessagePump, fn: Callable[[Any], T], *, answer: Callable[[T], Message],
             doing: str, cards_only: bool = False) -> bool:
        """Run `fn(board)` off the UI thread and post `answer(result)` (or `ReadFailed`) to `requester`.

        `cards_only`: `fn` reads only cards and settings, which the reader can do before the store (and
        its models) is made. Returns False, starting nothing, while the same requester's read for the
        same `doing` is still running: reads are never cancelled and restarted, the requester asks
        again once its answer has come if it still needs to.
        """
        kind = (requester, doing)
        with self._flags:
            if kind in self._reading:
                return False
            self._reading.add(kind)
        self._read_worker(requester.app, self, requester, fn, answer, doing, cards_only)
        return True

    def prepare(self, requester: MessagePump) -> None:
        """Make the store (and import its models) off the UI thread now, before a key needs it."""
        self._prepare_worker(requester.app, self)

    def watch(self, watcher: MessagePump) -> bool:
        """Have `watcher` told (`ServerSignal`, posted from the storage's listening thread) whenever
        the board's server says another client committed or the connection was lost or is back, and
        whenever a change is held. False, starting nothing, when the storage cannot tell (a file): then
        `watcher` looks for itself. Once per link; `close` ends it."""
        with self._flags:
            if self._watcher is not None:
                return self._watching
            self._watcher = watcher

        def spoke() -> None:  # in the storage's listening thread: post_message is thread-safe
            watcher.post_message(ServerSignal())

        self._watching = self.reader.storage.watch(spoke)
        return self._watching

    def reconnect(self, requester: MessagePump) -> None:
        """Ask the board's server whether it answers (off the UI thread) and, if it does, make the held
        changes, oldest first, each answered to whoever asked for it; then `requester` gets
        `Connection`. One at a time: asked again meanwhile, it asks the server once more when done."""
        with self._flags:
            if self._closed:
                return
            if self._reconnecting:
                self._reconnect_again = True
                return
            self._reconnecting = True
        self._reconnect_worker(requester.app, self, requester)

    def close(self) -> None:
        """Let go of the board's connections and threads (a server's pool and listener): the app is done.
        Held changes are not made."""
        with self._flags:
            self._closed = True
            self._held = []
            # A call under way would reach a closed storage (a server's would open a new pool for it).
            self._idle.wait_for(lambda: self._calls == 0, timeout=CLOSE_WAIT_S)
        self.reader.storage.close()

    # ------------------------------------------------------------------ in the workers
    def _call(self, fn: Callable[[Any], T], *, cards_only: bool = False) -> T:
        if not self._store_lock.acquire(timeout=LOCK_TIMEOUT_S + 5):
            raise StoreError(_("the board is busy; try again"))
        try:
            with self._using_storage():
                return fn(self._board or self.reader if cards_only else self.board)
        finally:
            self._store_lock.release()

    @contextmanager
    def _using_storage(self) -> Iterator[None]:
        """Around every call that reaches the storage: none starts once the link is closed, and closing
        waits for those under way."""
        with self._flags:
            if self._closed:
                raise StoreError(_("the board was closed"))
            self._calls += 1
        try:
            yield
        finally:
            with self._flags:
                self._calls -= 1
                self._idle.notify_all()

    def _remember(self, entry: UndoEntry) -> None:
        with self._flags:
            self._undo.append(entry)
            del self._undo[:-UNDO_DEPTH]

    def _undone(self, restored: Requirement, result: Requirement) -> None:
        """An undo put back `restored` as version `result`: the change before it on the same requirement,
        whose outcome `restored` was, is now taken back from `result` (the next `u` on that card expects
        the version the undo wrote, not the one it replaced)."""
        with self._flags:
            for index in range(len(self._undo) - 1, -1, -1):
                entry = self._undo[index]
                if entry.after.uid == restored.uid and entry.after.version == restored.version:
                    self._undo[index] = replace(entry, after=result)
                    return

    def _keep_for_later(self, undoing: _Undoing, error: Exception) -> None:
        """A failed undo keeps its entry, where it was, when trying again may work (a fault, a busy or
        unreadable board); not when the store refused it for good (someone changed the requirement
        since, it is gone, a rule forbids it), or it would stay on top and block every older undo."""
        if isinstance(error, _FOR_GOOD):
            return
        with self._flags:
            self._undo.insert(min(undoing.index, len(self._undo)), undoing.entry)
            del self._undo[:-UNDO_DEPTH]

    def _hold(self, app: App[Any], requester: MessagePump, change: Change, undoing: _Undoing | None,
              error: ServerUnreachable, *, tell_watcher: bool = True) -> None:
        with self._flags:
            self._held.append(_Held(requester, change, undoing))
            watcher = self._watcher
        _answer(app, requester, Held(error))
        if tell_watcher and watcher is not None:  # it asks the server (`reconnect`), which makes it
            watcher.post_message(ServerSignal())

    def _make_change(self, app: App[Any], requester: MessagePump, change: Change, undoing: _Undoing | None,
                     *, resumed: bool = False) -> None:
        try:
            result = self._call(change.call)
        except CommitUncertain as exc:  # maybe saved: repeating it could make it twice; the user reads first
            if undoing is not None:
                self._keep_for_later(undoing, exc)
            _answer(app, requester, Refused(exc, change.doing))
            return
        except ServerUnreachable as exc:  # nothing of it was written: it waits for the server
            # A held change that fails again waits for the next reconnect, not a loop of its own.
            self._hold(app, requester, change, undoing, exc, tell_watcher=not resumed)
            return
        except Exception as exc:  # any failure is an answer (a notice, a form's error), never the end of the app
            if undoing is not None:
                self._keep_for_later(undoing, exc)
            _answer(app, requester, Refused(exc, change.doing))
            return
        what = change.what(result) if callable(change.what) else change.what
        from reqboard.store.models import Requirement  # loaded with the store that just saved

        if change.undoable and isinstance(result, Requirement):
            self._remember(UndoEntry(change.before, result, what))
        elif change.ends_undo:
            with self._flags:
                self._undo.clear()
        elif undoing is not None and isinstance(result, Requirement) and undoing.entry.before is not None:
            self._undone(undoing.entry.before, result)
        _answer(app, requester, Saved(change.before, result, what))

    def _make_read(self, requester: MessagePump, fn: Callable[[Any], T], answer: Callable[[T], Message],
                   doing: str, cards_only: bool) -> None:
        message: Message
        try:
            message = answer(self._call(fn, cards_only=cards_only))
        except Exception as exc:  # not only StoreError: a fault is said by the requester too
            message = ReadFailed(exc, doing)
        finally:
            # Free before the answer is posted: the requester may ask again as it handles it.
            with self._flags:
                self._reading.discard((requester, doing))
        requester.post_message(message)

    def _reconnect(self, app: App[Any], requester: MessagePump) -> None:
        try:
            while True:
                problem = self._ask_server()
                if self._done():  # the app is done: nothing more is asked of the server
                    return
                if problem is None:
                    with self._flags:
                        held, self._held = self._held, []
                    for item in held:
                        if self._done():
                            return
                        self._make_change(app, item.requester, item.change, item.undoing, resumed=True)
                    problem = self.connection_problem
                with self._flags:
                    if not self._reconnect_again:
                        self._reconnecting = False
                        break
                    self._reconnect_again = False
        except BaseException:
            with self._flags:
                self._reconnecting = self._reconnect_again = False
            raise
        requester.post_message(Connection(problem))

    def _done(self) -> bool:
        """Has the link been closed? (A reconnect under way then stops.)"""
        with self._flags:
            if self._closed:
                self._reconnecting = False
            return self._closed

    def _ask_server(self) -> str | None:
        """One small question to the server (its revision), so the storage sees whether it answers;
        then why it cannot be reached, or None. Not under the store lock: it touches only the storage's
        connections, and may wait seconds for one that nothing else should wait behind."""
        storage = self.reader.storage
        try:
            with self._using_storage():
                storage.revision  # noqa: B018 (asked for its round trip)
        except ServerUnreachable as exc:
            return storage.connection_problem or str(exc)
        except StoreError:
            pass  # the server answered, with a refusal: it can be reached
        return storage.connection_problem

    # The workers run on the app (not on the screen that asked), so closing a screen never cancels
    # a save half-way through telling about it; their errors never end the app (background.py).
    @staticmethod
    @work(thread=True, exit_on_error=False, group="store-write", description=N_("Saving the change"))
    def _save_worker(node: DOMNode, link: StoreLink, requester: MessagePump, change: Change,
                     undoing: _Undoing | None) -> None:
        link._make_change(node.app, requester, change, undoing)

    @staticmethod
    @work(thread=True, exit_on_error=False, group="store-read", description=N_("Reading the board"))
    def _read_worker(node: DOMNode, link: StoreLink, requester: MessagePump, fn: Callable[[Any], Any],
                     answer: Callable[[Any], Message], doing: str, cards_only: bool) -> None:
        link._make_read(requester, fn, answer, doing, cards_only)

    @staticmethod
    @work(thread=True, exit_on_error=False, group="store-connection", description=N_("Reconnecting to the server"))
    def _reconnect_worker(node: DOMNode, link: StoreLink, requester: MessagePump) -> None:
        link._reconnect(node.app, requester)

    @staticmethod
    @work(thread=True, exit_on_error=False, group="store-prepare", description=N_("Preparing the store"))
    def _prepare_worker(node: DOMNode, link: StoreLink) -> None:
        with link._using_storage():
            link.board  # noqa: B018 (made now, not by the first key)


def _answer(app: App[Any], requester: MessagePump, message: Message) -> None:
    """Post `message` to `requester`, or to the app when the requester has closed meanwhile."""
    if not requester.post_message(message):
        app.post_message(message)


def undo_call(entry: UndoEntry) -> Callable[[Board], Any]:
    """The store call that takes `entry` back (run in a worker like any change): the requirement put back
    as it was, or a creation rejected; `UndoNotApplied` when someone changed the requirement since."""

    def undo(board: Board) -> Any:
        try:
            if entry.before is None:
                # The key may name another requirement now (a sync renumbered ours and gave its key to one
                # created on the other board, at the same version 1): never reject that one.
                if board.get(entry.after.key).uid != entry.after.uid:
                    raise store_errors.Refused(_("{key} is another requirement now (a sync gave yours a new key): "
                                                 "nothing was undone").format(key=entry.after.key), "undo.uid")
                # Stored in English like every note the board keeps, and shown in the reader's language.
                return board.reject(entry.after.key, UNDONE_CREATION_NOTE, expect_version=entry.after.version)
            return board.replace_requirement(entry.before, expect_version=entry.after.version, reason="undo")
        except store_errors.Conflict as exc:  # read here, in the worker: who changed it is a read of the history
            raise undo_not_applied(board, exc) from None

    return undo


class UndoNotApplied(store_errors.Conflict):
    """An undo refused because the requirement changed after the change it would take back: its message
    says who changed it, how, and that nothing was undone ("re-read it and retry" means nothing here)."""


def undo_not_applied(board: Board, conflict: store_errors.Conflict) -> UndoNotApplied:
    """The refusal of an undo that met `conflict`, naming who changed the requirement since: the person of
    its latest history event (and what that event did), else the record's last editor."""
    person, what = conflict.by, ""
    try:
        events = board.history(conflict.key)
    except StoreError:  # the history cannot be read: the record's editor still says who
        events = []
    if events:
        last = events[-1]
        # One change writes all its events at one moment (a move with the fields it needed): said as one.
        person, what = last.by, change_words([e for e in events if e.at == last.at and e.by == last.by])
    if person and what:
        message = _("Undo not applied: {person} changed {key} since ({what}).").format(
            person=person, key=conflict.key, what=what)
    elif person:
        message = _("Undo not applied: {person} changed {key} since.").format(person=person, key=conflict.key)
    else:
        message = _("Undo not applied: {key} was changed since.").format(key=conflict.key)
    return UndoNotApplied(message, key=conflict.key, expected=conflict.expected, actual=conflict.actual,
                          by=person, at=conflict.at)


def change_words(events: list[Event]) -> str:
    """What one change (its history events) did to a requirement, in a few words: "moved it to done",
    "changed its owner, due date", "change request approved CR-2"."""
    from reqboard.store.domain import State
    from reqboard.store.labels import action_label, field_label

    for event in events:
        if event.action == "moved" and event.field == "state" and event.new in State._value2member_map_:
            return _("moved it to {state}").format(state=State(event.new).label.lower())
    fields = [e.field for e in events if e.action in ("edited", "changed") and e.field]
    if fields and len(fields) == len(events):
        return _("changed its {fields}").format(fields=listed(field_label(f) for f in dict.fromkeys(fields)))
    event = events[-1]
    if event.cr:
        return _("{action} {key}").format(action=action_label(event.action), key=event.cr)
    return action_label(event.action)
