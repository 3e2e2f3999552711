"""The reqboard Textual app: themes, keys, the store handle and the default screen."""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.theme import Theme

from reqboard import themes
from reqboard.store.errors import Conflict, StoreError
from reqboard.store.paths import config_dir
from reqboard.store.reader import BoardReader
from reqboard.store.storage import LOCK_TIMEOUT_S
from reqboard.store.text import shown

from .background import NoticesFailedWork, background, failure_message
from .commands import ReqboardCommands
from .config import Config, ConfigError, config_path, load_config, load_state, save_state
from .screens.board import BoardScreen

if TYPE_CHECKING:
    from reqboard.store.board import Board

    from .actions import RequirementActions, UndoEntry

T = TypeVar("T")


def to_textual_theme(spec: themes.ThemeSpec) -> Theme:
    return Theme(name=spec.name, dark=spec.dark, ansi=spec.ansi, variables=dict(spec.variables),
                 **spec.colors)  # type: ignore[arg-type]  # colour names only: themes.load checks them


class ReqboardApp(NoticesFailedWork, App[int]):
    """A keyboard-first kanban of customer requirements."""

    CSS_PATH = "app.tcss"
    TITLE = "reqboard"
    COMMANDS = App.COMMANDS | {ReqboardCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    class Changed(Message):
        """The board changed: a save of ours, an undo, or another process's write."""

    def __init__(self, board_path: Path, user: str, *, config: Config | None = None, watch_interval: float | None = None) -> None:
        # The board opens with a reader, which draws it without the models (pydantic and the
        # store's rules): they are imported with the first change, or once the board is drawn.
        self.reader = BoardReader(board_path, user)
        self._board: Board | None = None
        self._board_made = threading.Lock()
        self._actions: RequirementActions | None = None
        self._store_lock = threading.Lock()
        self.undo_stack: list[UndoEntry] = []
        self.startup_warnings: list[str] = []
        if config is None:
            try:
                config, problems = load_config()
                self.startup_warnings.extend(problems)
            except ConfigError as exc:
                self.startup_warnings.append(f"{exc}; using the defaults")
                config = Config()
        self.config = config
        self.watch_interval = watch_interval if watch_interval is not None else config.poll_interval
        super().__init__()
        self._register_themes()
        if config.keys:
            self.set_keymap(config.keys)

    # ------------------------------------------------------------------ themes
    def _register_themes(self) -> None:
        specs = themes.builtin_themes()
        user_specs, errors = themes.user_themes(config_dir() / "themes")
        self.startup_warnings.extend(f"theme skipped: {e}" for e in errors)
        for spec in specs + user_specs:
            try:
                self.register_theme(to_textual_theme(spec))
            except Exception as exc:  # a colour Textual cannot parse: report once, skip it
                self.startup_warnings.append(f"theme skipped: {spec.source}: {exc}")
        wanted = self.config.theme or str(load_state().get("theme") or themes.DEFAULT_THEME)
        if self.config.theme and wanted not in self.available_themes:
            self.startup_warnings.append(f"{config_path()}: theme {wanted!r} is not installed; using "
                                         f"{themes.DEFAULT_THEME} (ctrl+p, then 'theme', lists the themes there are)")
        self.theme = wanted if wanted in self.available_themes else themes.DEFAULT_THEME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        dark = next(t for t in themes.builtin_themes() if t.name == themes.DEFAULT_THEME)
        return {name: dark.variables[name] for name in themes.APP_VARIABLES}

    def watch_theme(self, theme: str) -> None:
        if self.is_running:
            save_state(theme=theme)

    # ------------------------------------------------------------------ screens
    def get_default_screen(self) -> BoardScreen:
        return BoardScreen()

    def on_mount(self) -> None:
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10, markup=False)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A notice, its text made safe for the terminal first: notices echo keys, titles, paths and
        the store's messages, and a bidi override in any of them would disguise the rest of the line."""
        if not markup:  # markup is ours (no notice takes user text as markup): it stays as written
            message = shown(message, one_line=True)
        super().notify(message, title=shown(title, one_line=True), severity=severity, timeout=timeout,
                       markup=markup)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # ------------------------------------------------------------------ store access
    @property
    def board(self) -> Board:
        """The store: every read with the models, and every change. Made from the reader on first use
        (sharing its file and cards), which imports the models."""
        if self._board is None:
            with self._board_made:
                if self._board is None:
                    from reqboard.store.board import Board

                    self._board = Board(self.reader.path, self.reader.user, reader=self.reader)
        return self._board

    @property
    def actions(self) -> RequirementActions:
        """What the keys do to a requirement (asking for what each rule needs); made on first use."""
        if self._actions is None:
            from .actions import RequirementActions

            self._actions = RequirementActions(self)
        return self._actions

    def store_call(self, fn: Callable[[Any], T], *, reading: bool = False) -> T:
        """Run `fn(board)` holding the app's store lock (call from a thread worker, not the UI).

        `reading`: `fn` only reads cards and settings, which the reader can do before the store
        (and its models) is made.
        """
        if not self._store_lock.acquire(timeout=LOCK_TIMEOUT_S + 5):
            raise StoreError("the board is busy; try again")
        try:
            return fn(self._board or self.reader if reading else self.board)
        finally:
            self._store_lock.release()

    def run_store(self, fn: Callable[[Board], Any], entry: UndoEntry | None) -> None:
        """Run a store operation off the UI thread; report success (recording undo) or failure."""
        self._run_store(fn, entry)

    @background("Saving the change", group="store-write")
    def _run_store(self, fn: Callable[[Board], Any], entry: UndoEntry | None) -> None:
        try:
            result = self.store_call(fn)
        except Exception as exc:  # any failure is a notice and a re-read, never the end of the app
            self.call_from_thread(self.failed, exc, "Saving the change")
            return
        if entry is not None and isinstance(result, type(entry.after)):
            from .actions import UndoEntry

            self.call_from_thread(self.saved, UndoEntry(entry.before, result, entry.what))
        else:
            self.call_from_thread(self.post_message, self.Changed())

    def saved(self, entry: UndoEntry) -> None:
        self.undo_stack.append(entry)
        del self.undo_stack[:-50]
        self.notify(entry.what, markup=False, timeout=3)
        self.post_message(self.Changed())

    def failed(self, exc: Exception, doing: str) -> None:
        """Say why `doing` failed (a refusal, a conflict, or a fault) and re-read the board."""
        title = "Changed by someone else" if isinstance(exc, Conflict) else ""
        timeout = 8 if isinstance(exc, StoreError) else 15
        self.notify(failure_message(exc, doing), title=title, severity="error", timeout=timeout, markup=False)
        self.post_message(self.Changed())

    def on_reqboard_app_changed(self, message: Changed) -> None:
        for screen in self.screen_stack:
            refresh = getattr(screen, "board_changed", None)
            if refresh is not None:
                refresh()

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo", severity="warning", markup=False)
            return
        entry = self.undo_stack.pop()
        self._undo(entry)

    @background("Undoing", group="store-write")
    def _undo(self, entry: UndoEntry) -> None:
        def undo(board: Board) -> Any:
            if entry.before is None:
                return board.reject(entry.after.key, "undo: created by mistake", expect_version=entry.after.version)
            return board.replace_requirement(entry.before, expect_version=entry.after.version, reason="undo")

        try:
            self.store_call(undo)
        except Exception as exc:  # as in _run_store
            self.call_from_thread(self.failed, exc, "Undoing")
            return
        self.call_from_thread(self.notify, f"Undone: {entry.what}", markup=False, timeout=3)
        self.call_from_thread(self.post_message, self.Changed())


def run_app(path: Path, user: str, *, demo: bool = False) -> int:
    """Open the board at `path` (or a fresh demo copy) until the user quits."""
    if demo:
        from reqboard.store.demo import build_demo_board

        workdir = Path(tempfile.mkdtemp(prefix="reqboard-demo-"))
        path = workdir / "demo.json"
        build_demo_board(path)
        try:
            return ReqboardApp(path, user).run() or 0
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return ReqboardApp(path, user).run() or 0
