"""Change requests in the TUI: filing one with `c`, its pane and the modal of each step, what an approval
does to the requirement and its dependents (SUS badges, review with `v`), and the change-request view.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, OptionList, Select

from reqboard.store.board import Board
from reqboard.store.models import CRStatus, State
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.change_request import ChangeRequestScreen
from reqboard.tui.screens.change_requests import ChangeRequestsScreen
from reqboard.tui.screens.detail import DetailScreen

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    SIZE,
    board_ready,
    cards,
    drawn,
    error,
    field_ids,
    fill,
    form,
    notifications,
    open_app,
    select_card,
    settle,
    small,
    small_template,
    submit,
    text_of,
)


def card_first_line(app, state: State, key: str) -> str:
    """The top line of a card (its key and badges) as drawn."""
    return next(line for line in drawn(cards(app, state)).splitlines() if line[1:].startswith(key + " "))


async def open_cr_pane(pilot, key: str) -> ChangeRequestScreen:
    """From the board: the requirement's detail pane, then its first change request."""
    await select_card(pilot, key)
    await pilot.press("enter")
    await settle(pilot)
    detail = pilot.app.screen
    assert isinstance(detail, DetailScreen)
    crs = detail.query_one("#detail-crs", OptionList)
    crs.focus()
    crs.highlighted = 0
    await pilot.press("enter")
    await settle(pilot)
    pane = pilot.app.screen
    assert isinstance(pane, ChangeRequestScreen)
    return pane


async def test_c_files_a_change_request_and_the_card_shows_it(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-6")
        assert "CR" not in card_first_line(app, State.DONE, "REQ-6")
        await pilot.press("c")
        dialog = form(app)
        assert dialog.form_title == "New change request for REQ-6"
        assert field_ids(dialog) == ["summary", "reason", "new_title", "new_description", "new_due", "new_owner",
                                     "new_importance", "new_urgency"]  # #15: a change may propose a new plan
        await submit(pilot)
        assert error(dialog, "summary") == "A summary of the change is needed"
        fill(pilot, "#field-summary", "Send it on Fridays too")
        dialog.query_one("#field-new_description").text = "Sent every Monday and Friday."
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = Board(small, "check").get("REQ-6")
        cr = req.change_requests[-1]
        assert (cr.key, cr.status, cr.summary, cr.proposed_description, cr.proposed_title, cr.submitted_by) == (
            "CR-2", CRStatus.SUBMITTED, "Send it on Fridays too", "Sent every Monday and Friday.", None, "tester")
        assert "CR-2 filed against REQ-6" in notifications(app)
        await settle(pilot)
        assert " CR1 " in card_first_line(app, State.DONE, "REQ-6")


async def test_the_pane_assesses_then_approves_and_the_approval_changes_the_requirement(small: Path) -> None:
    anna = Board(small, "anna")
    anna.move_requirement("REQ-4", State.IN_PROGRESS, updates={"owner": "Max Weber"})
    anna.move_requirement("REQ-4", State.DONE)
    anna.approve("REQ-3", "fine")
    anna.set_wip_limit("approved", 1)  # full (REQ-3): the approval's reopening takes it past its limit
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        pane = await open_cr_pane(pilot, "REQ-4")
        shown = text_of(pane.query_one("#cr-fields"))
        assert "REQ-4 Single sign-on with Entra ID" in shown
        assert "New title     Single sign-on with Entra ID and Google" in shown
        assert "(not assessed yet: press a)" in shown
        assert "CR-1  Also support Google accounts   [submitted]" == text_of(pane.query_one("#cr-title"))

        # Approval before an assessment: the rule refuses it inside the modal.
        await pilot.press("o")
        dialog = form(app)
        fill(pilot, "#field-rationale", "too early")
        await submit(pilot)
        assert "CR-1 is submitted and cannot be approved (it needs an impact assessment first)" in text_of(
            dialog.query_one("#form-error"))
        await pilot.press("escape")
        assert app.screen is pane

        await pilot.press("a")
        dialog = form(app)
        assert field_ids(dialog) == ["schedule_days", "cost", "effort_hours", "risk", "resources", "affects",
                                     "notify"]  # #15: who must be told
        fill(pilot, "#field-schedule_days", "5")
        fill(pilot, "#field-cost", "1200")
        fill(pilot, "#field-effort_hours", "16")
        dialog.query_one("#field-risk", Select).value = "high"
        fill(pilot, "#field-affects", "REQ-3")
        await submit(pilot)
        assert app.screen is pane
        a = Board(small, "check").find_change_request("CR-1")[1].assessment
        assert (a.schedule_days, a.cost, a.effort_hours, a.risk.value, a.affects, a.by) == (
            5, 1200, 16, "high", ("REQ-3",), "tester")
        shown = text_of(pane.query_one("#cr-fields"))
        assert "schedule 5 days · cost 1,200.00 · effort 16 h · risk high" in shown
        assert "affects: REQ-3" in shown

        await pilot.press("o")
        dialog = form(app)
        assert "Approving applies the proposed text" in text_of(dialog.query_one("#dialog-intro"))
        await submit(pilot)
        assert "is needed" in error(dialog, "rationale")
        fill(pilot, "#field-rationale", "Google accounts are half their staff")
        await submit(pilot)
        assert app.screen is pane

        store = Board(small, "check")
        req, cr = store.find_change_request("CR-1")
        assert cr.status is CRStatus.APPROVED
        assert (cr.decision.by, cr.decision.rationale) == ("tester", "Google accounts are half their staff")
        assert req.title == "Single sign-on with Entra ID and Google"
        assert req.state is State.APPROVED  # it was done: back to approved
        assert "Approved is over its WIP limit: 2 of 1" in notifications(app)
        assert not req.approval_current  # changed since its approval
        assert store.get("REQ-8").suspect == "CR-1 changed REQ-4"  # depends on REQ-4
        assert store.get("REQ-3").suspect == "CR-1 changed REQ-4"  # listed as affected
        assert "approved by tester" in text_of(pane.query_one("#cr-fields"))
        timeline = text_of(pane.query_one("#cr-history"))
        assert all(f"change request {step} CR-1" in timeline for step in ("submitted", "assessed", "approved"))

        await pilot.press("escape")
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        await settle(pilot)
        assert "[Approved]" in text_of(detail.query_one("#detail-title"))
        more = text_of(detail.query_one("#detail-more"))
        assert "Changed since its approval:" in more
        # #15: "was → now" per field instead of a unified diff.
        assert "Single sign-on with Entra ID → Single sign-on with Entra ID and Google" in more
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "REQ-4" in [r.key for r in cards(app, State.APPROVED).cards]
        assert "CHG" in card_first_line(app, State.APPROVED, "REQ-4")
        assert "SUS" in card_first_line(app, State.IN_PROGRESS, "REQ-8")
        assert "SUS" in card_first_line(app, State.APPROVED, "REQ-3")  # (signed off above)
        assert "SUS" not in card_first_line(app, State.IN_PROGRESS, "REQ-5")


async def test_review_clears_the_suspect_flag(small: Path) -> None:
    anna = Board(small, "anna")
    anna.assess_change_request("CR-1", schedule_days=1, cost=100, effort_hours=4)
    anna.decide_change_request("CR-1", approve=True, rationale="fine")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "SUS" in card_first_line(app, State.IN_PROGRESS, "REQ-8")
        await select_card(pilot, "REQ-8")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert "SUSPECT" in text_of(detail.query_one("#detail-fields"))
        assert "CR-1 changed REQ-4" in text_of(detail.query_one("#detail-fields"))
        await pilot.press("v")
        dialog = form(app)
        assert dialog.form_title == "Review REQ-8"
        fill(pilot, "#field-comment", "webhook still fits")
        await submit(pilot)
        assert app.screen is detail
        req = Board(small, "check").get("REQ-8")
        assert req.suspect == "" and [(r.by, r.comment) for r in req.reviews] == [("tester", "webhook still fits")]
        assert "SUSPECT" not in text_of(detail.query_one("#detail-fields"))
        assert "webhook still fits" in text_of(detail.query_one("#detail-more"))
        await pilot.press("v")  # nothing left to review
        assert "REQ-8 is not flagged suspect" in notifications(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "SUS" not in card_first_line(app, State.IN_PROGRESS, "REQ-8")


async def test_rejecting_needs_a_rationale_and_a_rejected_request_stays_rejected(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        pane = await open_cr_pane(pilot, "REQ-4")
        await pilot.press("r")
        dialog = form(app)
        await submit(pilot)
        assert "is needed" in error(dialog, "rationale")
        fill(pilot, "#field-rationale", "out of scope this year")
        await submit(pilot)
        assert app.screen is pane
        cr = Board(small, "check").find_change_request("CR-1")[1]
        assert cr.status is CRStatus.REJECTED and cr.decision.rationale == "out of scope this year"
        assert "rejected by tester" in text_of(pane.query_one("#cr-fields"))
        assert "[rejected]" in text_of(pane.query_one("#cr-title"))

        await pilot.press("a")
        dialog = form(app)
        fill(pilot, "#field-schedule_days", "1")
        fill(pilot, "#field-cost", "1")
        fill(pilot, "#field-effort_hours", "1")
        await submit(pilot)
        assert "CR-1 is rejected and cannot be reopened: file a new change request instead" in text_of(
            dialog.query_one("#form-error"))
        assert Board(small, "check").find_change_request("CR-1")[1].status is CRStatus.REJECTED


async def test_an_assessment_that_is_not_a_number_is_refused(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await open_cr_pane(pilot, "REQ-4")
        await pilot.press("a")
        dialog = form(app)
        fill(pilot, "#field-schedule_days", "a week")
        fill(pilot, "#field-cost", "100")
        fill(pilot, "#field-effort_hours", "8")
        await submit(pilot)
        assert "a week" in error(dialog, "schedule_days")
        assert Board(small, "check").find_change_request("CR-1")[1].assessment is None


async def test_implement_and_close_from_the_change_request_view(small: Path) -> None:
    anna = Board(small, "anna")
    anna.assess_change_request("CR-1", schedule_days=1, cost=100, effort_hours=4)
    anna.decide_change_request("CR-1", approve=True, rationale="fine")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, ChangeRequestsScreen)
        app.screen.query_one(DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        pane = app.screen
        assert isinstance(pane, ChangeRequestScreen) and pane.cr_key == "CR-1"
        await pilot.press("d")  # closing before it is implemented is refused
        await submit(pilot)
        assert "CR-1 is approved and cannot be closed" in text_of(form(app).query_one("#form-error"))
        await pilot.press("escape")
        await pilot.press("i")
        await submit(pilot)
        assert Board(small, "check").find_change_request("CR-1")[1].status is CRStatus.IMPLEMENTED
        await pilot.press("d")
        await submit(pilot)
        cr = Board(small, "check").find_change_request("CR-1")[1]
        assert cr.status is CRStatus.CLOSED and cr.closed.by == "tester" and cr.implemented.by == "tester"
        shown = text_of(pane.query_one("#cr-fields"))
        assert "Implemented by tester" in shown and "Closed by tester" in shown
        await pilot.press("escape")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, ChangeRequestsScreen)
        assert [str(c) for c in view.query_one(DataTable).get_row_at(0)[:2]] == ["CR-1", "closed"]
        await pilot.press("escape")
        await settle(pilot)
        assert "CR" not in card_first_line(app, State.APPROVED, "REQ-4").replace("REQ", "")


async def test_the_change_request_view_totals_the_impact_and_filters_by_status(small: Path) -> None:
    anna = Board(small, "anna")
    anna.assess_change_request("CR-1", schedule_days=5, cost=1200, effort_hours=16, risk="high")
    cr2 = anna.add_change_request("REQ-6", "Send it on Fridays too")
    anna.assess_change_request(cr2.key, schedule_days=2, cost=300.5, effort_hours=4)
    anna.decide_change_request(cr2.key, approve=True, rationale="cheap")
    anna.add_change_request("REQ-1", "A4 and [b]Letter[/b] paper")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("v")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, ChangeRequestsScreen)
        table = view.query_one(DataTable)

        def rows() -> list[list[str]]:
            return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]

        assert rows() == [  # in the order of their requirements; nobody is named to tell (#15's third column)
            ["CR-3", "submitted", "–", "REQ-1", "A4 and [b]Letter[/b] paper", "–", "–", "–", "–"],
            ["CR-1", "assessed", "–", "REQ-4", "Also support Google accounts", "5", "1,200", "16", "high"],
            ["CR-2", "approved", "–", "REQ-6", "Send it on Fridays too", "2", "300", "4", "medium"],
        ]
        assert "status: all  (3 of 3)" in text_of(view.query_one("#crs-title"))
        drawn_rows = [table.render_line(y).text for y in range(table.size.height)]
        assert any("Also support Google accounts" in line for line in drawn_rows)  # not cut to "Summary"
        assert any("A4 and [b]Letter[/b] paper" in line for line in drawn_rows)  # literal
        assert text_of(view.query_one("#crs-totals")) == "Total impact  7 days · cost 1,500.50 · 20 hours"

        await pilot.press("f")
        assert [r[0] for r in rows()] == ["CR-3"]
        assert "status: submitted  (1 of 3)" in text_of(view.query_one("#crs-title"))
        assert text_of(view.query_one("#crs-totals")) == "Total impact  0 days · cost 0.00 · 0 hours"
        await pilot.press("f")
        assert [r[0] for r in rows()] == ["CR-1"]
        assert text_of(view.query_one("#crs-totals")) == "Total impact  5 days · cost 1,200.00 · 16 hours"
        await pilot.press("f")
        assert [r[0] for r in rows()] == ["CR-2"]
        for _ in range(4):  # rejected, implemented, closed: none; then all again
            await pilot.press("f")
        assert [r[0] for r in rows()] == ["CR-3", "CR-1", "CR-2"]
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def test_a_decision_on_what_someone_else_changed_meanwhile_is_refused(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        pane = await open_cr_pane(pilot, "REQ-4")
        assert "(not assessed yet: press a)" in text_of(pane.query_one("#cr-fields"))
        # While we look at the submitted request, alice assesses it as far more costly.
        Board(small, "alice").assess_change_request("CR-1", schedule_days=60, cost=90000, effort_hours=900)
        await pilot.press("o")
        dialog = form(app)
        fill(pilot, "#field-rationale", "cheap enough")
        await submit(pilot)
        message = text_of(dialog.query_one("#form-error"))
        assert "REQ-4 changed since version" in message and "alice" in message
        assert Board(small, "check").find_change_request("CR-1")[1].status is CRStatus.ASSESSED
        await pilot.press("escape")
        assert app.screen is pane
