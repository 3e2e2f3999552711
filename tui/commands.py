"""The command palette: every board action, "Sync with..." another board, the customer side's screens
(Customers, a customer's report, response targets, survey settings), and "go to requirement" by key or
title; and the palette itself, in the app's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.widgets.option_list import Option

from reqboard.store import collation
from reqboard.store.i18n import N_, _
from reqboard.store.text import shown

from .phrases import labelled
from .screens.board import BoardScreen

# The names and help are marked here and translated when the palette asks (the language is chosen
# after import); the palette matches what a person types against the translated name.
ACTIONS: tuple[tuple[str, str, str], ...] = (
    (N_("New requirement"), "new", N_("create a requirement in collected")),
    (N_("Edit requirement"), "edit", N_("edit the selected requirement")),
    (N_("Move to next state"), "move_next", N_("asks for what the next state needs")),
    (N_("Move back"), "move_back", N_("asks for a reason")),
    (N_("Open detail"), "open", N_("the selected requirement's detail pane")),
    (N_("Note a contact"), "note", N_("a call, mail or meeting with the customer about the selected requirement")),
    (N_("Interim feedback"), "interim_feedback", N_("a satisfaction reading of the selected requirement before "
                                                    "delivery; it stays where it is")),
    (N_("New change request"), "new_cr", N_("file a change request against the selected requirement")),
    (N_("Reject requirement"), "reject", N_("reject the selected requirement, with a reason")),
    (N_("Filter"), "filter", N_("by text, customer, tier, channel, tag, owner, priority, need, due date; "
                                "blocked or overdue work")),
    (N_("Clear filter"), "clear_filter", N_("show every card")),
    (N_("Toggle swimlanes"), "swimlanes", N_("group cards by tier, by customer, or not")),
    (N_("Undo"), "undo", N_("undo your last change")),
    (N_("Archive"), "archive", N_("rejected requirements")),
    (N_("Change requests"), "change_requests", N_("every change request with its impact totals")),
    (N_("Reports"), "reports", N_("flow metrics and charts")),
    (N_("Set WIP limit"), "wip_limit", N_("for the focused column")),
    (N_("Sign-off roles..."), "signoff_roles", N_("who must each sign a requirement's text before it is approved")),
    (N_("Score weights..."), "score_weights", N_("how importance, urgency, value, effort, feasibility and tier make "
                                                 "the score the columns sort by")),
    (N_("Export board"), "export", N_("to JSON, CSV, Markdown or ReqIF")),
    (N_("Import file"), "import_file", N_("JSON, CSV or ReqIF: shows what would change before writing")),
)
WIP_STRICTNESS: tuple[tuple[str, bool, str], ...] = (
    (N_("WIP limits: refuse moves past them"), True,
     N_("strict: a move, reopen or new requirement that would take a column past its WIP limit is refused")),
    (N_("WIP limits: warn only"), False,
     N_("a move past a column's WIP limit is made, with a warning (the default)")),
)
"""Whether the board's WIP limits refuse or warn (`RequirementActions.wip_strict`); each column's
limit is its own command ("Set WIP limit", key w)."""
SYNC = (N_("Sync with..."), N_("merge with a clone of this board, both ways: the plan and the conflicts first, "
                               "then the write"))
SCREENS: tuple[tuple[str, str, str], ...] = (
    (N_("Customers"), "customers", N_("every customer with its figures; add, edit, rename, report")),
    (N_("Customer report..."), "customer_report", N_("one customer's progress report to a file: their requirements "
                                                     "only")),
    (N_("Response targets"), "targets", N_("how soon a state must be reached, by channel and tier")),
    (N_("Survey settings"), "survey_lists", N_("survey dimensions, reasons for a low score, complaint causes")),
)
"""The customer side's screens and forms, opened over the board by the functions below (`open_<name>`)."""


class Palette(CommandPalette):
    """Textual's command palette, saying "no matches" in the app's language.

    A copy of `CommandPalette._start_no_matches_countdown` (Textual is pinned exactly) with the words
    translated: Textual has no setting for them.
    """

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(_("No matches found"), style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:  # discovering (nothing typed): no commands to show is nothing to point out
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def open_sync(board: BoardScreen) -> None:
    """Open "Sync with..." over the board (the screen's module, loaded now, loads the store's sync)."""
    from .screens.sync import SyncScreen

    board.app.push_screen(SyncScreen(board.link))


def open_customers(board: BoardScreen) -> None:
    """Open the Customers screen; a requirement chosen there is gone to on the board."""
    from .screens.customers import CustomersScreen

    selected = board.selected
    board.app.push_screen(CustomersScreen(board.link, selected=selected.customer if selected else None),
                          lambda key: board.go_to(key) if key else None)


def open_customer_report(board: BoardScreen) -> None:
    """Ask for a customer's report, the selected card's customer first."""
    from .screens.customers import ask_customer_report

    selected = board.selected
    ask_customer_report(board, board.link, selected.customer if selected else "")


def open_targets(board: BoardScreen) -> None:
    from .screens.targets import TargetsScreen

    board.app.push_screen(TargetsScreen(board.link))


def open_survey_lists(board: BoardScreen) -> None:
    from .screens.survey_lists import SurveyListsScreen

    board.app.push_screen(SurveyListsScreen(board.link))


OPENERS: dict[str, Callable[[BoardScreen], None]] = {
    "sync": open_sync, "customers": open_customers, "customer_report": open_customer_report,
    "targets": open_targets, "survey_lists": open_survey_lists,
}


class ReqboardCommands(Provider):
    """Board actions and requirements, by name."""

    def _board_screen(self) -> BoardScreen | None:
        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, BoardScreen):
                return screen
        return None

    async def discover(self) -> Hits:
        board = self._board_screen()
        if board is None:
            return
        for name, action, help in ACTIONS:
            yield DiscoveryHit(_(name), partial(self._run, action), help=_(help))
        for name, strict, help in WIP_STRICTNESS:
            yield DiscoveryHit(_(name), partial(self._set_strict, strict), help=_(help))
        yield DiscoveryHit(_(SYNC[0]), partial(self._open, "sync"), help=_(SYNC[1]))
        for name, screen, help in SCREENS:
            yield DiscoveryHit(_(name), partial(self._open, screen), help=_(help))

    async def search(self, query: str) -> Hits:
        board = self._board_screen()
        if board is None:
            return
        matcher = self.matcher(query)
        for english, action, help in ACTIONS:
            name = _(english)
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), help=_(help))
        for english, strict, help in WIP_STRICTNESS:
            name = _(english)
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._set_strict, strict), help=_(help))
        for english, screen, help in ((SYNC[0], "sync", SYNC[1]), *SCREENS):
            name = _(english)
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._open, screen), help=_(help))
        needle = query.strip().casefold()
        if len(needle) < 2:
            return
        hits = 0
        spelled = needle.isascii() and needle.isalpha()  # what may be pinyin initials: Latin letters only
        for req in board.cards:
            key_match = req.key.casefold() == needle or req.key.casefold().startswith(needle)
            # A Chinese title is found by its pinyin initials too (`bj` finds 北京), as the filter finds it
            # (kept by the title once worked out; the filter prompt works them out ahead, in a worker).
            if (key_match or needle in req.title.casefold()
                    or (spelled and not req.title.isascii() and needle in collation.initials(req.title))):
                text = Content.assemble((labelled(_("Go to")), "dim"), (shown(req.key, one_line=True), "bold"),
                                        " ", Content(shown(req.title, one_line=True)))
                yield Hit(1.0 if key_match else 0.6, text, partial(self._goto, req.key),
                          # The palette reads a help string as markup: a customer's name is escaped.
                          help=escape(shown(f"{req.state.label} · {req.customer}", one_line=True)))
                hits += 1
                if hits >= 40:
                    return

    def _over_a_form(self) -> bool:
        """Is a form open (what was typed in it would be lost)? Then the command waits: it says so."""
        from .screens.form import FormScreen

        if isinstance(self.app.screen, FormScreen):
            self.app.notify(_("Save or close the form first (esc): what is typed in it would be lost"),
                            severity="warning", markup=False)
            return True
        return False

    def _run(self, action: str) -> None:
        board = self._board_screen()
        if board is not None and not self._over_a_form():
            if self.app.screen is not board:
                self.app.pop_screen()
            getattr(board, f"action_{action}")()

    def _set_strict(self, strict: bool) -> None:
        board = self._board_screen()
        if board is not None and not self._over_a_form():
            if self.app.screen is not board:
                self.app.pop_screen()
            board.actions.wip_strict(strict)

    def _open(self, screen: str) -> None:
        board = self._board_screen()
        if board is not None and not self._over_a_form():
            if self.app.screen is not board:
                self.app.pop_screen()
            OPENERS[screen](board)

    def _goto(self, key: str) -> None:
        board = self._board_screen()
        if board is not None:
            board.go_to(key)
