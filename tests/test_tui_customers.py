"""The customer side on the board: the Customers screen (its figures, add, edit, rename, a customer's
report, going to a requirement), response targets and survey settings from the palette, and the Reports
screen's customer-side panels. On a small board with fixed times, its figures worked out by hand."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select, SelectionList, Static, TextArea

from reqboard.store.board import Board
from reqboard.store.models import Channel, State, Tier
from reqboard.store.targets import Target
from reqboard.tui.app import ReqboardApp
from reqboard.tui.commands import Palette
from reqboard.tui.config import Config
from reqboard.tui.customer_reads import report_file_name
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.customers import CustomersScreen
from reqboard.tui.screens.reports import ChartPanel, ReportsScreen, TextPanel
from reqboard.tui.screens.survey_lists import SurveyListsScreen
from reqboard.tui.screens.targets import TargetsScreen

from test_reports_screen import Harness, computed
from tui_support import board_ready, error, fill, form, notifications, open_app, settle, submit, text_of, wait_until

NOW = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)
"""The moment the board was last changed (and the Reports screen looks at it)."""
SIZE = (160, 50)


def build_customer_board(path: Path) -> Board:
    """Four customers, times fixed before NOW (days ago in brackets):

    Acme Corp (record, tier A, contact Li Wei, segment retail)
      REQ-1 collected (30), done (20), feedback 4 (19): quality 4, responsiveness 3  -> lead time 10 d
      REQ-2 collected (25), done (10), feedback 2 (9): quality 2, reason late       -> lead time 15 d
      REQ-3 collected (5), due 2026-03-10 (overdue), a note by phone (2)
    Bluebird Retail (record, tier B): REQ-4 collected (3), due 2026-03-20 (in 2 days at NOW, overdue today)
    Corner Café (its record taken out: `without_record`; tier C on its requirement): REQ-5 collected (4),
      rejected (4)
    Dunmore Bank (record, tier C): no requirement

    A response target: analysed within 2 days (any channel and tier). REQ-1 and REQ-2 were analysed
    a day after collection (met); REQ-3 and REQ-4 are not analysed, 3 and 1 days past their deadline
    (breached); REQ-5 was rejected before (not counted).
    """
    moment = {"at": NOW - timedelta(days=31)}
    board = Board(path, "tester", clock=lambda: moment["at"])

    def at(days_ago: float) -> Board:
        moment["at"] = NOW - timedelta(days=days_ago)
        return board

    at(31).add_customer("Acme Corp", "A", contact="Li Wei, +86 10 5555 0101", segment="retail")
    at(31).add_customer("Bluebird Retail", "B")
    at(31).add_customer("Dunmore Bank", "C")
    at(31).set_response_target("analysed", 2)
    for title, created, done, score, scores, reasons in (
        ("Acme: invoice export", 30, 20, 4, {"quality": 4, "responsiveness": 3}, ()),
        ("Acme: single sign-on", 25, 10, 2, {"quality": 2}, ("late",)),
    ):
        key = at(created).add_requirement(title, customer="Acme Corp", tier="A", channel="email").key
        at(created - 1).move_requirement(key, "analysed", updates={"importance": 4, "urgency": 3,
                                                                   "kano": "performance"})
        at(created - 2).approve(key)
        at(created - 3).move_requirement(key, "in_progress", updates={"owner": "bob"})
        at(done).move_requirement(key, "done")
        at(done - 1).record_feedback(key, score, scores=scores, reasons=reasons)
    key = at(5).add_requirement("Acme: dark mode", customer="Acme Corp", tier="A", channel="hotline",
                                due=date(2026, 3, 10)).key
    at(2).add_note(key, "Called about the colours", channel="hotline", with_="Li Wei")
    at(3).add_requirement("Bluebird: bulk import", customer="Bluebird Retail", tier="B", channel="email",
                          due=date(2026, 3, 20))
    key = at(4).add_requirement("Corner: fax integration", customer="Corner Café", tier="C", channel="other").key
    at(4).reject(key, "nobody sends faxes")
    return board


def without_record(path: Path, name: str) -> None:
    """Take a customer's record out of the board file, as a board written by hand or by an older reqboard
    lacks it (its requirements still name it)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["customers"] = {doc: c for doc, c in data["customers"].items() if c["name"] != name}
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def customer_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("customers") / "board.json"
    build_customer_board(path).storage.close()
    without_record(path, "Corner Café")
    return path


@pytest.fixture
def customer_board(customer_template: Path, board_path: Path) -> Path:
    from tui_support import copy_board

    return copy_board(customer_template, board_path)


def store(path: Path) -> Board:
    return Board(path, "checker")


async def run_command(pilot: Pilot, typed: str, name: str) -> None:
    """Type `typed` into the command palette, wait until its first hit is `name`, run it."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, Palette), "the command palette")
    app.screen.query_one(Input).value = typed
    commands = app.screen.query_one(CommandList)
    await wait_until(pilot, lambda: commands.option_count and name in str(commands.get_option_at_index(0).prompt),
                     f"the command {name!r}")
    await pilot.press("enter")
    await settle(pilot)


async def customers_screen(pilot: Pilot) -> CustomersScreen:
    await board_ready(pilot)
    await run_command(pilot, "Customers", "Customers")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CustomersScreen) and pilot.app.screen.book,
                     "the customers")
    screen = pilot.app.screen
    assert isinstance(screen, CustomersScreen)
    return screen


def rows(screen: CustomersScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def summary(screen: CustomersScreen) -> str:
    return text_of(screen.query_one("#customer-summary", Static))


async def select_customer(pilot: Pilot, screen: CustomersScreen, name: str) -> None:
    table = screen.query_one(DataTable)
    row = next(i for i, r in enumerate(screen.rows) if r.name == name)
    table.focus()
    table.move_cursor(row=row)
    await pilot.pause()
    assert summary(screen).startswith(name)


# ---------------------------------------------------------------------- the list and the summary
async def test_the_palette_opens_the_customers_screen_with_each_customers_figures(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)

        # Name order; "Corner Café" has no record (marked *), its tier from its requirement.
        # Acme: 1 open (REQ-3), 2 delivered, 1 overdue (REQ-3), satisfaction (4 + 2) / 2 from 2,
        # last contact the note of 2 days before NOW. Overdue is counted today: REQ-4, due 2026-03-20, too.
        assert rows(screen) == [
            ["Acme Corp", "A", "1", "2", "1", "3.00 (2)", "2026-03-16"],
            ["Bluebird Retail", "B", "1", "0", "1", "—", "—"],
            ["Corner Café *", "C", "0", "0", "–", "—", "—"],
            ["Dunmore Bank", "C", "0", "0", "–", "—", "—"],
        ]
        title = text_of(screen.query_one("#customers-title", Static))
        assert "Customers · 4 · sorted by name" in title
        assert "* 1 is named on requirements only, with no record" in title

        await select_customer(pilot, screen, "Acme Corp")
        said = summary(screen)
        assert "Contact: Li Wei, +86 10 5555 0101" in said and "Segment: retail" in said
        assert "Requirements: 3 (1 open, 2 delivered, 0 rejected)" in said
        assert "1 overdue" in said
        assert "Lead time: median 12.5 d, mean 12.5 d" in said  # 10 and 15 days
        assert "Satisfaction: 3.00/5 from 2 requirements; latest 2 on REQ-2, 2026-03-09" in said
        assert "Last contact: 2026-03-16 15:30 by hotline (note) on REQ-3" in said
        listed = screen.query_one("#customer-requirements", OptionList)
        lines = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert [line.split()[0] for line in lines] == ["REQ-3", "REQ-1", "REQ-2"]  # open work first
        assert "overdue since 2026-03-10" in lines[0]

        await select_customer(pilot, screen, "Corner Café")
        assert "no customer record yet" in summary(screen)
        assert "Requirements: 1 (0 open, 0 delivered, 1 rejected)" in summary(screen)


async def test_s_sorts_the_list(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        screen.query_one(DataTable).focus()
        for _ in range(4):  # name, open work, overdue, lowest satisfaction, longest without contact
            await pilot.press("s")
        await pilot.pause()
        # Never contacted first (in name order), then the longest ago.
        assert [r[0] for r in rows(screen)] == ["Bluebird Retail", "Corner Café *", "Dunmore Bank", "Acme Corp"]
        assert "sorted by longest without contact" in text_of(screen.query_one("#customers-title", Static))
        await pilot.press("s")
        await pilot.pause()
        assert [r[0] for r in rows(screen)][0] == "Acme Corp"


async def test_enter_on_a_requirement_goes_to_it_on_the_board(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Bluebird Retail")
        await pilot.press("enter")  # on the customer: its requirements
        listed = screen.query_one("#customer-requirements", OptionList)
        assert listed.has_focus
        await pilot.press("enter")
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert board.selected is not None and board.selected.key == "REQ-4"


# ---------------------------------------------------------------------- changes
async def test_a_customer_added_on_the_screen_is_in_the_store(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await pilot.press("a")
        dialog = form(app)
        fill(pilot, "#field-name", "Evergreen Labs")
        dialog.query_one("#field-tier", Select).value = "A"
        fill(pilot, "#field-segment", "public sector")
        dialog.query_one("#field-notes", TextArea).text = "[b]not bold[/b]"
        await submit(pilot)
        assert app.screen is screen

        added = store(customer_board).customer("evergreen labs")
        assert (added.name, added.tier, added.segment, added.notes) == ("Evergreen Labs", Tier.A, "public sector",
                                                                        "[b]not bold[/b]")
        await settle(pilot)
        assert ["Evergreen Labs", "A", "0", "0", "–", "—", "—"] in rows(screen)
        assert summary(screen).startswith("Evergreen Labs")  # the new one is selected
        assert "Notes: [b]not bold[/b]" in summary(screen)  # literal: no markup
        assert "Customer Evergreen Labs added" in notifications(app)


async def test_a_name_the_board_knows_is_refused_on_the_form(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        await customers_screen(pilot)
        await pilot.press("a")
        dialog = form(app)
        fill(pilot, "#field-name", "ACME corp")
        await submit(pilot)
        assert app.screen is dialog  # open, to correct or cancel
        said = text_of(dialog.query_one("#form-error", Static))
        assert "the board knows a customer named 'Acme Corp' already" in said
        assert "Traceback" not in said
        assert len(store(customer_board).customers()) == 3


async def test_a_tier_edited_goes_to_every_requirement_of_the_customer(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Acme Corp")
        await pilot.press("e")
        dialog = form(app)
        assert dialog.query_one("#field-contact", Input).value == "Li Wei, +86 10 5555 0101"
        dialog.query_one("#field-tier", Select).value = "B"
        fill(pilot, "#field-contact", "Zhang Min")
        await submit(pilot)

        board = store(customer_board)
        acme = board.customer("Acme Corp")
        assert (acme.tier, acme.contact, acme.segment) == (Tier.B, "Zhang Min", "retail")
        assert [board.get(k).tier for k in ("REQ-1", "REQ-2", "REQ-3")] == [Tier.B] * 3
        assert board.get("REQ-4").tier is Tier.B and board.get("REQ-5").tier is Tier.C  # others' untouched
        assert "Acme Corp saved: 3 requirements took tier B" in notifications(app)
        await settle(pilot)
        assert rows(screen)[0][:2] == ["Acme Corp", "B"]


async def test_a_rename_on_the_screen_takes_the_requirements_along(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Acme Corp")
        await pilot.press("n")
        fill(pilot, "#field-name", "Acme Group")
        await submit(pilot)

        board = store(customer_board)
        assert [board.get(k).customer for k in ("REQ-1", "REQ-2", "REQ-3")] == ["Acme Group"] * 3
        assert board.get("REQ-4").customer == "Bluebird Retail"
        assert [c.name for c in board.customers()] == ["Acme Group", "Bluebird Retail", "Dunmore Bank"]
        assert "Acme Corp renamed to Acme Group: 3 requirements followed" in notifications(app)
        await settle(pilot)
        assert rows(screen)[0][:4] == ["Acme Group", "A", "1", "2"]
        assert summary(screen).startswith("Acme Group")  # the selection followed the name


async def test_a_customer_only_requirements_name_is_edited_and_renamed(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Corner Café")
        await pilot.press("e")
        dialog = form(app)
        assert dialog.query_one("#field-tier", Select).value == "C"  # as its requirement gives it
        dialog.query_one("#field-tier", Select).value = "B"
        await submit(pilot)
        board = store(customer_board)
        assert board.customer("Corner Café").tier is Tier.B and board.get("REQ-5").tier is Tier.B
        assert "Corner Café saved: 1 requirement took tier B" in notifications(app)
        await settle(pilot)
        assert ["Corner Café", "B", "0", "0", "–", "—", "—"] in rows(screen)  # a record now: no *

        await pilot.press("n")
        fill(pilot, "#field-name", "Corner Café Co.")
        await submit(pilot)
        assert store(customer_board).get("REQ-5").customer == "Corner Café Co."
        assert "Corner Café renamed to Corner Café Co.: 1 requirement followed" in notifications(app)


# ---------------------------------------------------------------------- the customer report
def test_a_report_file_name_is_safe_for_any_customer_name() -> None:
    assert report_file_name("Acme Corp") == "report-Acme-Corp.md"
    assert report_file_name("../../etc/passwd", "html") == "report-etc-passwd.html"
    assert report_file_name("北京华为 (总部)") == "report-北京华为-总部.md"
    assert report_file_name("a:b*c?\x1b[31m", "json") == "report-a-b-c-31m.json"
    assert report_file_name("  ") == "report-customer.md"


async def test_the_customer_report_holds_that_customer_only_and_is_not_overwritten_unasked(
        customer_board: Path, tmp_path: Path) -> None:
    app = open_app(customer_board)
    target = tmp_path / "acme.md"
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Acme Corp")
        await pilot.press("w")
        dialog = form(app)
        assert dialog.query_one("#field-customer", Input).value == "Acme Corp"
        assert dialog.query_one("#field-path", Input).value == ""  # (blank: report-<customer>.md here)
        fill(pilot, "#field-path", str(target))
        await submit(pilot)
        assert app.screen is screen, text_of(dialog.query_one("#form-error", Static))

        written = target.read_text(encoding="utf-8")
        for mine in ("Acme Corp", "REQ-1", "Acme: invoice export", "REQ-3", "Acme: dark mode"):
            assert mine in written
        for theirs in ("Bluebird", "REQ-4", "Corner", "REQ-5", "fax", "Dunmore"):
            assert theirs not in written
        assert any(n.startswith("Report of Acme Corp written to ") for n in notifications(app))

        await pilot.press("w")
        dialog = form(app)
        fill(pilot, "#field-customer", "Nobody Ltd")
        fill(pilot, "#field-path", str(tmp_path / "nobody.md"))
        await submit(pilot)
        assert app.screen is dialog
        assert "no customer named 'Nobody Ltd'" in text_of(dialog.query_one("#form-error", Static))
        assert not (tmp_path / "nobody.md").exists()
        await pilot.press("escape", "y")  # typed in: Esc asks, y discards
        await settle(pilot)

        target.write_text("kept", encoding="utf-8")
        await pilot.press("w")
        dialog = form(app)
        fill(pilot, "#field-path", str(target))
        await submit(pilot)
        assert app.screen is dialog  # refused, said under the path: nothing written over
        assert "exists" in error(dialog, "path")
        assert target.read_text(encoding="utf-8") == "kept"
        dialog.query_one("#field-replace", SelectionList).select("replace")
        await submit(pilot)
        assert app.screen is screen
        assert "REQ-1" in target.read_text(encoding="utf-8")


async def test_the_palette_asks_for_the_selected_cards_customers_report(customer_board: Path, tmp_path: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.select("REQ-4")
        await pilot.pause()
        await run_command(pilot, "Customer report", "Customer report...")
        dialog = form(app)
        assert dialog.query_one("#field-customer", Input).value == "Bluebird Retail"
        fill(pilot, "#field-path", str(tmp_path / "bluebird.json"))
        await submit(pilot)
        assert app.screen is board
        written = (tmp_path / "bluebird.json").read_text(encoding="utf-8")
        assert "REQ-4" in written and "Acme" not in written and "REQ-1" not in written


# ---------------------------------------------------------------------- response targets and survey lists
def target_rows(screen: TargetsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_targets_screen_sets_and_removes_a_target(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await run_command(pilot, "Response targets", "Response targets")
        screen = app.screen
        assert isinstance(screen, TargetsScreen)
        assert target_rows(screen) == [["Analysed", "2 days", "any", "any"]]

        await pilot.press("a")
        dialog = form(app)
        dialog.query_one("#field-state", Select).value = "analysed"
        fill(pilot, "#field-days", "0.5")
        dialog.query_one("#field-channel", Select).value = "complaint"
        dialog.query_one("#field-tier", Select).value = "A"
        await submit(pilot)
        assert app.screen is screen
        wanted = Target(State.ANALYSED, 0.5, channel=Channel.COMPLAINT, tier=Tier.A)
        assert store(customer_board).response_targets() == (Target(State.ANALYSED, 2.0), wanted)
        assert "Response target set: analysed within 0.5 days (complaint, tier A)" in notifications(app)
        await settle(pilot)
        assert target_rows(screen)[1] == ["Analysed", "0.5 days", "complaint", "A"]

        await pilot.press("a")
        fill(pilot, "#field-days", "many")
        await submit(pilot)
        assert "'many' is not a number" in error(form(app), "days")
        await pilot.press("escape", "y")  # typed in: Esc asks, y discards
        await settle(pilot)

        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("d")
        await submit(pilot)  # the confirmation
        assert store(customer_board).response_targets() == (wanted,)
        await settle(pilot)
        assert target_rows(screen) == [["Analysed", "0.5 days", "complaint", "A"]]


async def test_the_survey_settings_screen_edits_a_list(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await run_command(pilot, "Survey settings", "Survey settings")
        screen = app.screen
        assert isinstance(screen, SurveyListsScreen)
        listed = screen.query_one(OptionList)
        first = str(listed.get_option_at_index(0).prompt)
        assert "quality, responsiveness, communication" in first and "(the default)" in first
        listed.highlighted = 1
        await pilot.press("e")
        dialog = form(app)
        assert dialog.query_one("#field-codes", TextArea).text == "late\nnot-as-agreed\nquality\ncommunication"
        dialog.query_one("#field-codes", TextArea).text = "late\nprice\n\nLATE"
        await submit(pilot)
        assert store(customer_board).low_score_reasons() == ("late", "price")
        await settle(pilot)
        assert "late, price  (set for this board)" in str(listed.get_option_at_index(1).prompt)

        await pilot.press("e")
        form(app).query_one("#field-codes", TextArea).text = ""  # blank: the default again
        await submit(pilot)
        assert store(customer_board).low_score_reasons() == ("late", "not-as-agreed", "quality", "communication")


# ---------------------------------------------------------------------- the Reports screen
def panel_text(screen: ReportsScreen, panel_id: str) -> str:
    return text_of(screen.query_one(f"#{panel_id}", TextPanel).query_one(".lines", Static))


async def test_the_reports_screen_shows_the_customer_side(customer_template: Path, tmp_path: Path) -> None:
    from tui_support import copy_board

    board = Board(copy_board(customer_template, tmp_path / "board.json"), "tester")
    app = Harness(board)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await computed(pilot)

        month = screen.query_one("#chart-satisfaction-month", ChartPanel)
        assert not month.has_class("-empty")  # 2026-02: 4, 2026-03: 2
        dimensions = panel_text(screen, "panel-dimensions").splitlines()
        # The latest reading of each requirement: quality 4 and 2, responsiveness 3.
        assert dimensions[0].startswith("quality") and dimensions[0].endswith("3.00 (2)")
        assert dimensions[1].startswith("responsiveness") and dimensions[1].endswith("3.00 (1)")
        assert dimensions[2] == "not scored yet: communication"
        assert panel_text(screen, "panel-customers").endswith("3.00 (2)")
        assert panel_text(screen, "panel-customers").startswith("Acme Corp")
        assert panel_text(screen, "panel-low-reasons").startswith("late") and \
            panel_text(screen, "panel-low-reasons").endswith(" 1")
        targets = [line.split() for line in panel_text(screen, "panel-targets").splitlines()]
        assert targets[0] == ["met", "missed", "breached", "open"]
        assert targets[1] == ["all", "2", "0", "2", "0"]
        # Channels: REQ-1 and REQ-2 came by email (met), REQ-3 by hotline and REQ-4 by email (breached).
        assert ["email", "2", "0", "1", "0"] in targets and ["hotline", "0", "0", "1", "0"] in targets
        assert ["tier", "A", "2", "0", "1", "0"] in targets and ["tier", "B", "0", "0", "1", "0"] in targets
        breaches = panel_text(screen, "panel-breaches").splitlines()
        assert breaches[0].startswith("REQ-3 3.0 d late to be analysed Acme: dark mode · Acme Corp")
        assert breaches[1].startswith("REQ-4 1.0 d late to be analysed Bluebird: bulk import")
        assert panel_text(screen, "panel-overdue") == "REQ-3 8 days late 2026-03-10 Acme: dark mode · Acme Corp"
        assert panel_text(screen, "panel-due-soon") == ("REQ-4 in 2 days 2026-03-20 Bluebird: bulk import · "
                                                        "Bluebird Retail")


async def test_the_reports_screen_says_what_an_empty_board_lacks(tmp_path: Path) -> None:
    app = Harness(Board(tmp_path / "empty.json", "tester"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await computed(pilot)
        assert screen.has_class("-narrow")
        assert screen.query_one("#chart-satisfaction-month", ChartPanel).has_class("-empty")
        assert panel_text(screen, "panel-targets") == "no response targets set (ctrl+p: Response targets)"
        assert panel_text(screen, "panel-overdue") == "nothing overdue"
        assert panel_text(screen, "panel-due-soon") == "nothing due within 7 days"
        await pilot.press("c")
        await pilot.pause()
        heading = screen.query_one("#reports-customer-heading")
        assert heading.region.y < 24  # scrolled into view



# ---------------------------------------------------------------------- drawn without colour, in 16 colours
@pytest.mark.parametrize("setting", ["NO_COLOR", "reqboard-16"])
async def test_the_customer_side_screens_draw_without_colour_and_in_16_colours(
        customer_board: Path, setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from reqboard.tui.config import Config

    if setting == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    app = open_app(customer_board, config=Config(theme=None if setting == "NO_COLOR" else setting))
    async with app.run_test(size=(80, 24)) as pilot:
        board = await board_ready(pilot)
        for typed, name, screen_type in (("Customers", "Customers", CustomersScreen),
                                         ("Response targets", "Response targets", TargetsScreen),
                                         ("Survey settings", "Survey settings", SurveyListsScreen)):
            await run_command(pilot, typed, name)
            assert isinstance(app.screen, screen_type)
            app.screen._compositor.render_update(full=True)
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is board
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportsScreen) and app.screen.metrics is not None,
                         "the reports")
        await pilot.press("c")
        await pilot.pause()
        app.screen._compositor.render_update(full=True)
        assert "REQ-3" in panel_text(app.screen, "panel-overdue") and app.is_running


# ---------------------------------------------------------------------- snapshots
@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_customers_snapshot(snap_compare: Callable[..., bool], customer_board: Path, size: tuple[int, int]) -> None:
    async def opened(pilot: Pilot) -> None:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Acme Corp")
        await settle(pilot)

    assert snap_compare(open_app(customer_board), terminal_size=size, run_before=opened)


def test_reports_customer_side_snapshot(snap_compare: Callable[..., bool], customer_template: Path,
                                        tmp_path: Path) -> None:
    """The Reports screen scrolled to the customer side (not 80x24: see test_reports_screen's snapshot)."""
    from tui_support import copy_board

    app = Harness(Board(copy_board(customer_template, tmp_path / "board.json"), "tester"))

    async def scrolled(pilot: Pilot) -> None:
        await computed(pilot)
        await pilot.press("c")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=scrolled)


# ---------------------------------------------------------------------- on a server's board
async def test_the_customers_screen_on_a_server_board(pg_url: str, customer_template: Path, tmp_path: Path) -> None:
    from reqboard.store.pgstore import init_server
    from reqboard.store.sync.migrate import migrate_board

    init_server(pg_url)
    dest = Board(pg_url, "check")
    migrate_board(Board(customer_template, "check"), dest)
    dest.storage.close()
    app = ReqboardApp(pg_url, "tester", config=Config(), watch_interval=60)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        assert rows(screen)[0] == ["Acme Corp", "A", "1", "2", "1", "3.00 (2)", "2026-03-16"]
        await select_customer(pilot, screen, "Acme Corp")
        assert "Lead time: median 12.5 d, mean 12.5 d" in summary(screen)

        await pilot.press("e")
        form(app).query_one("#field-tier", Select).value = "C"
        await submit(pilot)
        board = Board(pg_url, "check")
        try:
            assert board.customer("Acme Corp").tier is Tier.C
            assert [board.get(k).tier for k in ("REQ-1", "REQ-2", "REQ-3")] == [Tier.C] * 3
        finally:
            board.storage.close()

        await pilot.press("w")  # a server's board has no file to protect: the report is written all the same
        fill(pilot, "#field-path", str(tmp_path / "acme.html"))
        await submit(pilot)
        written = (tmp_path / "acme.html").read_text(encoding="utf-8")
        assert "Acme: dark mode" in written and "Bluebird" not in written


async def test_the_palette_notes_a_contact_and_takes_an_interim_reading_of_the_selected_card(
        customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.select("REQ-4")
        await pilot.pause()
        await run_command(pilot, "Note a contact", "Note a contact")
        dialog = form(app)
        assert "REQ-4" in dialog.form_title and "text" in [spec.name for spec in dialog.fields]
        await pilot.press("escape")
        await settle(pilot)
        await run_command(pilot, "Interim feedback", "Interim feedback")
        dialog = form(app)
        assert "REQ-4" in dialog.form_title and "satisfaction" in [spec.name for spec in dialog.fields]


# ---------------------------------------------------------------------- what the hostile review found
async def test_an_edit_keeps_what_a_colleague_saved_meanwhile_in_the_other_fields(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Acme Corp")
        await pilot.press("e")
        store(customer_board).edit_customer("Acme Corp", notes="from a colleague", segment="banks")
        fill(pilot, "#field-contact", "Zhang Min")
        await submit(pilot)
        acme = store(customer_board).customer("Acme Corp")
        assert (acme.contact, acme.notes, acme.segment) == ("Zhang Min", "from a colleague", "banks")


async def test_u_after_a_rename_says_there_is_nothing_to_undo(customer_board: Path) -> None:
    """A rename cannot be taken back with `u`: the next `u` does not take back an older change instead."""
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.select("REQ-1")
        await pilot.press("N")
        form(app).query_one("#field-text", TextArea).load_text("Called about the export")
        await submit(pilot)
        await settle(pilot)
        assert store(customer_board).get("REQ-1").notes
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Bluebird Retail")
        await pilot.press("n")
        fill(pilot, "#field-name", "Bluebird Group")
        await submit(pilot)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo" in notifications(app)  # (the notice, word for word)
        assert store(customer_board).get("REQ-1").notes  # the note stays


async def test_a_palette_command_waits_while_a_form_is_open(customer_board: Path) -> None:
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        assert board.select("REQ-1")
        await pilot.press("N")
        dialog = form(app)
        dialog.query_one("#field-text", TextArea).load_text("half a sentence")
        await run_command(pilot, "Customers", "Customers")
        assert app.screen is dialog and dialog.query_one("#field-text", TextArea).text == "half a sentence"
        assert any("Save or close the form first" in n for n in notifications(app))


async def test_the_report_form_leaves_the_file_blank_so_it_follows_the_customer(customer_board: Path,
                                                                                 tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = open_app(customer_board)
    async with app.run_test(size=SIZE) as pilot:
        screen = await customers_screen(pilot)
        await select_customer(pilot, screen, "Acme Corp")
        await pilot.press("w")
        dialog = form(app)
        assert dialog.query_one("#field-path", Input).value == ""
        fill(pilot, "#field-customer", "Bluebird Retail")
        await submit(pilot)
        assert (tmp_path / report_file_name("Bluebird Retail")).exists()
        assert not (tmp_path / report_file_name("Acme Corp")).exists()
