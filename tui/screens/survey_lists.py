"""Survey settings: the board's lists for the customer side (store.surveys): the dimensions a
satisfaction survey scores, the reasons a low score is given with, and the causes a complaint is
filed under. Shown and edited here; a list left blank goes back to its default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reqboard.store.i18n import N_, _, listed
from reqboard.store.labels import field_label
from reqboard.store.surveys import COMPLAINT_CAUSES, LOW_SCORE_REASONS, MAX_CODES, SURVEY_DIMENSIONS, CodeList, code_label
from reqboard.store.text import shown

from ..customer_reads import SurveyLists, survey_lists
from ..link import Change, StoreLink
from ..widgets.key_bar import KeyBar
from .base import BoardReadingScreen
from .fields import FieldSpec

LISTS: tuple[tuple[CodeList, str, str], ...] = (
    (SURVEY_DIMENSIONS, N_("Survey dimensions"), N_("what a satisfaction survey scores, 1-5 each")),
    (LOW_SCORE_REASONS, N_("Reasons for a low score"), N_("one is needed with a satisfaction of 2 or less")),
    (COMPLAINT_CAUSES, N_("Complaint causes"), N_("what a complaint is filed under")),
)
"""Each list, its name and what it is for (marked for the catalogue)."""


def codes_shown(codes: tuple[str, ...]) -> str:
    """A list's codes as a person reads them (a default code in the current language)."""
    return listed(shown(code_label(code), one_line=True) for code in codes)


class SurveyListsScreen(BoardReadingScreen):
    """The board's survey dimensions, reasons for a low score and complaint causes."""

    CSS_PATH = "customers.tcss"
    BINDINGS = [
        Binding("escape", "close", N_("Back"), id="surveys.close"),
        Binding("e", "edit", N_("Edit"), id="surveys.edit"),
    ]

    def __init__(self, link: StoreLink) -> None:
        super().__init__(link)
        self.lists: SurveyLists | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(_("Survey settings"), "bold"), id="surveys-title")
        yield OptionList(id="surveys-list")
        yield Static(Content(_("enter or e: edit the list selected. Codes are kept as typed; a default code reads "
                               "in the board's language.")), id="surveys-help")
        yield KeyBar()

    def reading(self) -> Callable[[Any], SurveyLists]:
        return survey_lists

    def codes(self, kind: CodeList) -> tuple[str, ...]:
        assert self.lists is not None
        return {SURVEY_DIMENSIONS.setting: self.lists.dimensions, LOW_SCORE_REASONS.setting: self.lists.reasons,
                COMPLAINT_CAUSES.setting: self.lists.causes}[kind.setting]

    def show(self, lists: SurveyLists) -> None:
        self.lists = lists
        options = self.query_one(OptionList)
        keep = options.highlighted
        options.clear_options()
        for kind, title, meaning in LISTS:
            state = _("(set for this board)") if kind.setting in lists.customised else _("(the default)")
            options.add_option(Option(Content("\n").join([
                Content.assemble((_(title), "bold"), ("  " + _(meaning), "dim")),
                Content.assemble("  ", codes_shown(self.codes(kind)), ("  " + state, "dim")),
            ]), id=kind.setting))
        options.highlighted = keep if keep is not None else 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        options = self.query_one(OptionList)
        if self.lists is None or options.highlighted is None:
            return
        reason = self.link.read_only_reason
        if reason:
            self.notify(reason, title=_("Read-only"), severity="warning", timeout=6, markup=False)
            return
        kind, title, _meaning = LISTS[options.highlighted]
        from .form import FormScreen

        fields = [FieldSpec("codes", _(title), "textarea",
                            value="\n".join(self.codes(kind)),
                            help=_("one a line (or separated by commas), at most {n}; blank: the default, {codes}").format(
                                n=MAX_CODES, codes=codes_shown(kind.default)))]

        def save(values: dict[str, Any]) -> Change:
            lines = [line for line in values["codes"].splitlines() if line.strip()]
            codes = lines or None
            return Change(lambda board: board.set_codes(kind.setting, codes),
                          lambda saved: _("{list} saved: {codes}").format(list=_(title), codes=codes_shown(saved)),
                          doing=N_("Saving the list"), undoable=False)

        self.app.push_screen(FormScreen(_("Edit the {list}").format(list=field_label(kind.setting)), fields,
                                        submit=save, link=self.link))

    def action_close(self) -> None:
        self.dismiss()
