"""The reqboard Textual app: themes, keys, the store link and the default screen."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from reqboard import themes
from reqboard.store import clock, i18n
from reqboard.store.errors import Conflict, StoreError
from reqboard.store.i18n import N_, _, ngettext
from reqboard.store.memory import paused_gc
from reqboard.store.paths import config_dir
from reqboard.store.reader import BoardReader
from reqboard.store.text import shown

from . import line_breaks, wide_chars
from .background import NoticesFailedWork, failure_message
from .commands import Palette, ReqboardCommands
from .config import Config, apply_settings, config_path, configure, load_state, save_state
from .keys import covered, note_route, pass_on
from .link import StoreLink
from .messages import BoardChanged, Held, Refused, Saved
from .screens.board import BoardScreen


@contextmanager
def board_read_policy(first: bool) -> Iterator[None]:
    """The app's memory policy around a read of the whole board (in the reading thread): the board
    screen's first load and every re-read.

    The collector is paused while the records and cards are made (store.memory.paused_gc): they are all
    kept, and it would rescan them again and again as they are made. After the first read, what is
    alive is frozen: those records live as long as the app, so they (and the app's widgets) leave the
    collector's scans before the full collection that so many new objects set off (a quarter of a
    second at 50,000, on whichever thread allocates next). Only once: a later freeze would also keep
    forever any closed screen that the collector had not yet freed.
    """
    with paused_gc():
        yield
        if first:
            gc.freeze()


def to_textual_theme(spec: themes.ThemeSpec) -> Theme:
    return Theme(name=spec.name, dark=spec.dark, ansi=spec.ansi, variables=dict(spec.variables),
                 **spec.colors)  # type: ignore[arg-type]  # colour names only: themes.load checks them


class ReqboardApp(NoticesFailedWork, App[int]):
    """A keyboard-first kanban of customer requirements."""

    CSS_PATH = "app.tcss"
    TITLE = "reqboard"
    COMMANDS = App.COMMANDS | {ReqboardCommands}
    BINDINGS = [
        Binding("q", "quit", N_("Quit"), id="app.quit"),
        Binding("question_mark", "help", N_("Help"), id="app.help"),
    ]

    def __init__(self, board_path: Path | str, user: str, *, config: Config | None = None, watch_interval: float | None = None) -> None:
        # The board opens with a reader, which draws it without the models (pydantic and the
        # store's rules): they are imported with the first change, or once the board is drawn.
        self.link = StoreLink(BoardReader(board_path, user))
        self.startup_warnings: list[str] = []
        # The language and time zone are set first: everything below speaks the language chosen.
        if config is None:
            config, problems = configure()
            self.startup_warnings.extend(problems)
        else:
            apply_settings(config)
        self.config = config
        self.watch_interval = watch_interval if watch_interval is not None else config.poll_interval
        self._quit_warned = False
        wide_chars.install()  # a Chinese notice over the board keeps every character (see the module)
        line_breaks.install()  # Chinese text wraps between its characters, not only at spaces (see the module)
        super().__init__()
        if self.no_color:  # NO_COLOR: what colour alone told apart is told apart by style (see CardList)
            self.add_class("-no-color")
        self._register_themes()
        if config.keys:
            self.set_keymap(config.keys)

    # ------------------------------------------------------------------ themes
    def _register_themes(self) -> None:
        specs = themes.builtin_themes()
        user_specs, errors = themes.user_themes(config_dir() / "themes")
        self.startup_warnings.extend(_("theme skipped: {problem}").format(problem=e) for e in errors)
        for spec in specs + user_specs:
            try:
                self.register_theme(to_textual_theme(spec))
            except Exception as exc:  # a colour Textual cannot parse: report once, skip it
                self.startup_warnings.append(_("theme skipped: {source}: {problem}").format(
                    source=spec.source, problem=exc))
        wanted = self.config.theme or str(load_state().get("theme") or themes.DEFAULT_THEME)
        if self.config.theme and wanted not in self.available_themes:
            self.startup_warnings.append(_(
                "{path}: theme {theme!r} is not installed; using {default} (ctrl+p, then 'theme', lists the "
                "themes there are)").format(path=config_path(), theme=wanted, default=themes.DEFAULT_THEME))
        self.theme = wanted if wanted in self.available_themes else themes.DEFAULT_THEME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        dark = next(t for t in themes.builtin_themes() if t.name == themes.DEFAULT_THEME)
        return {name: dark.variables[name] for name in themes.APP_VARIABLES}

    def watch_theme(self, theme: str) -> None:
        if self.is_running:
            save_state(theme=theme)

    # ------------------------------------------------------------------ screens
    def get_default_screen(self) -> BoardScreen:
        return BoardScreen(self.link, poll_interval=self.watch_interval, read_policy=board_read_policy)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            note_route(event, self.screen)
        await super().on_event(event)

    def on_key(self, event: events.Key) -> None:
        """A key back from the focused widget, before Textual checks the bindings: one routed to a screen a
        dialog has covered since goes to the dialog (keys.py), one routed to a closed screen is dropped,
        and the board may hold it (a dialog is opening, or no dialog opened: `BoardScreen.holds`)."""
        was_covered = covered(self, event)
        if was_covered is not False:
            event.prevent_default()
            if was_covered:
                pass_on(self, event)
            return
        screen = self.screen
        if isinstance(screen, BoardScreen) and screen.holds(event):
            event.prevent_default()

    def on_mount(self) -> None:
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10, markup=False)

    def on_unmount(self) -> None:
        self.link.close()  # a server's connections and listening thread

    async def action_quit(self) -> None:
        """Quit; with changes still waiting for the server, only when asked twice (they would be lost)."""
        held = self.link.held
        if held and not self._quit_warned:
            self._quit_warned = True
            self.notify(ngettext("{count} change waits for the server and would be lost: quit again to quit anyway",
                                 "{count} changes wait for the server and would be lost: quit again to quit anyway",
                                 held).format(count=held),
                        severity="warning", timeout=8, markup=False)
            return
        self.exit()

    def action_help_quit(self) -> None:
        """ctrl+c, which no longer quits: say which key does (Textual's own words, in the app's language)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(_("Press {key} to quit").format(key=self.get_key_display(active.binding) or key),
                            title=_("Do you want to quit?"), markup=False)
                return

    # ------------------------------------------------------------------ the command palette
    def action_command_palette(self) -> None:
        """The command palette, its prompt in the app's language."""
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):  # (is_open, typed for App[object])
            self.push_screen(Palette(id="--command-palette", placeholder=_("Search for commands…")))

    def search_themes(self) -> None:
        """The palette of themes (the "Theme" command), its prompt in the app's language."""
        from textual.theme import ThemeProvider

        self.push_screen(Palette(providers=[ThemeProvider], placeholder=_("Search for themes…")))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own palette commands in the app's words and language; "Keys" opens reqboard's help
        (the keys in force, remapped ones included, described in the app's language)."""
        yield SystemCommand(_("Theme"), _("Change the current theme"), self.action_change_theme)
        yield SystemCommand(_("Quit"), _("Quit the application as soon as possible"), self.action_quit)
        yield SystemCommand(_("Keys"), _("Show the keys in force on this screen and what each does"), self.action_help)
        if screen.maximized is not None:
            yield SystemCommand(_("Minimize"), _("Minimize the widget and restore to normal size"),
                                screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(_("Maximize"), _("Maximize the focused widget"), screen.action_maximize)
        yield SystemCommand(_("Screenshot"), _("Save an SVG 'screenshot' of the current screen"),
                            lambda: self.set_timer(0.1, lambda: self.deliver_screenshot(path=str(screenshot_directory()))))

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        """The "Screenshot" command's notice in the app's language (instead of Textual's own)."""
        if event.name == "screenshot":
            event.prevent_default()
            said = (_("Saved the screenshot") if event.path is None
                    else _("Saved the screenshot to {path}").format(path=event.path))
            self.notify(said, title=_("Screenshot"), markup=False)

    @on(events.DeliveryFailed)
    def _screenshot_failed(self, event: events.DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()
            self.notify(_("Could not save the screenshot"), title=_("Screenshot"), severity="error", markup=False)

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
            self.push_screen(HelpScreen(self.screen, self.config.keys))

    # ------------------------------------------------------------------ what the store link answered
    def on_saved(self, message: Saved) -> None:
        """A change was saved (the screen that asked has seen it): say so, and every screen re-reads."""
        if message.what:
            self.notify(message.what, markup=False, timeout=3)
        self._follow(message)
        self._tell_screens()

    def _follow(self, message: Saved) -> None:
        """A requirement made, or moved to another state, is selected on the board: the next key acts on
        the card the last one acted on."""
        from reqboard.store.models import Requirement  # loaded with the store that just saved

        after, before = message.after, message.before
        if not isinstance(after, Requirement) or (before is not None and before.state is after.state):
            return
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                screen.follow(after)

    def on_refused(self, message: Refused) -> None:
        """A change the screen that asked does not show itself: say why (a refusal, a conflict, or a
        fault) and re-read the board."""
        exc = message.error
        title = _("Changed by someone else") if isinstance(exc, Conflict) else ""
        timeout = 8 if isinstance(exc, StoreError) else 15
        self.notify(failure_message(exc, message.doing), title=title, severity="error", timeout=timeout,
                    markup=False)
        self._tell_screens()

    def on_held(self, message: Held) -> None:
        """A change that could not reach the server, asked for by a screen that does not show it itself
        (a form does): say that it waits."""
        self._quit_warned = False
        self.notify(_("Offline: the change is kept, and saved when the server is back"), severity="warning",
                    timeout=6, markup=False)

    def on_board_changed(self, message: BoardChanged) -> None:
        """Another process changed the board (the board screen, which polls the file, saw it)."""
        self._tell_screens(external=message.external)

    def _tell_screens(self, *, external: bool = False) -> None:
        for screen in self.screen_stack:
            screen.post_message(BoardChanged(external=external))


def screenshot_directory() -> Path:
    """Where the palette's "Screenshot" saves: the Downloads folder when there is one, else the current
    directory (a server has no ~/Downloads, and Textual's default then failed)."""
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.cwd()


def run_app(path: Path | str, user: str, *, demo: bool = False) -> int:
    """Open the board at `path` (or a fresh demo copy) until the user quits."""
    if demo:
        return run_demo(user)
    return ReqboardApp(path, user).run() or 0


def run_demo(user: str) -> int:
    """Open a fresh copy of the demo board (today's, from the cache when it has it: store.demo_copy)
    until the user quits, then remove it; copies that killed runs left behind are removed first."""
    from reqboard.store.demo_copy import fresh_copy, remove_stale_copies

    remove_stale_copies()
    # The language and zone the command line chose: a Chinese team's board for a Chinese reader.
    def building() -> None:  # before the app: the terminal is still the shell's
        print(_("Building today's sample board: a few seconds, once a day…"), file=sys.stderr, flush=True)

    copy = fresh_copy(chinese=i18n.is_chinese(), zone=clock.zone(), user=user, building=building)
    try:
        app = ReqboardApp(copy.board, user)
        with copy.removed_on_signals(app.exit):
            return app.run() or 0
    finally:
        copy.remove()
