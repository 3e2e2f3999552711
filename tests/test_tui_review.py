"""Review rigour on the board (issue #15), driven through Pilot: sign-off by role from `>`, re-approval of a
changed text from the detail pane, the BLK and CON badges (and their going when the other card changes),
the override of a dependency with a reason, conflicts settled from the detail pane, the links both ways,
who must be told of a change request, the settings from the palette, the team's score, the filter's
`blocked`; and the same screens in 简体中文.

The small board (tests/tui_support.py): REQ-3 analysed, REQ-4 approved with CR-1 open, REQ-8 in progress
and depending on REQ-4 (started ahead of it, so blocked), REQ-1 and REQ-2 collected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Select

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.tui.config import Config
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.change_request import ChangeRequestScreen
from reqboard.tui.screens.detail import approved_parts
from reqboard.tui.widgets.key_bar import KeyBar

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    POLL,
    SIZE,
    board_ready,
    card_keys,
    cards,
    copy_board,
    drawn,
    drawn_where,
    error,
    field_ids,
    fill,
    form,
    notifications,
    open_app,
    open_detail,
    same_words,
    select_card,
    settle,
    small,
    small_template,
    submit,
    text_of,
    wait_until,
)
from zh_support import english_words


def first_line(app: Any, state: State, key: str) -> str:
    """A card's top line (its key and badges) as drawn."""
    return next(line for line in drawn(cards(app, state)).splitlines() if line[1:].startswith(key + " "))


def bottom_line(app: Any, state: State, key: str) -> str:
    """A card's last line (customer, tier, score) as drawn."""
    lines = drawn(cards(app, state)).splitlines()
    top = next(n for n, line in enumerate(lines) if line[1:].startswith(key + " "))
    return lines[top + 3]


def key_bar(app: Any) -> str:
    return text_of(app.screen.query_one(KeyBar))


async def palette(pilot: Pilot, text: str) -> None:
    """Run the palette command named `text`."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "the command palette")
    screen = pilot.app.screen
    screen.query_one(Input).value = text
    hits = screen.query_one("CommandList", OptionList)
    await wait_until(pilot, lambda: any(text.casefold() in str(hits.get_option_at_index(i).prompt).casefold()
                                        for i in range(hits.option_count)), f"a palette hit for {text}")
    await pilot.press("enter")
    await settle(pilot)


def options(dialog: Any, name: str) -> list[Any]:
    return [value for _label, value in dialog.query_one(f"#field-{name}", Select)._options if value is not Select.NULL]


# ---------------------------------------------------------------------- sign-off by role
async def test_moving_on_signs_off_in_a_role_still_missing_until_every_role_signed(small: Path) -> None:
    Board(small, "anna").set_signoff_roles(["customer", "product"])
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert dialog.form_title == "Sign off REQ-3"
        assert field_ids(dialog) == ["role", "on_behalf_of", "comment"]
        assert options(dialog, "role") == ["customer", "product"]
        assert "a sign-off by customer and product" in text_of(dialog.query_one("#dialog-intro"))
        dialog.query_one("#field-role", Select).value = "customer"
        fill(pilot, "#field-on_behalf_of", "Dana Whitfield")
        fill(pilot, "#field-comment", "agreed on the phone")
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "REQ-3 signed off by customer; still missing: product" in notifications(app)
        req = Board(small, "check").get("REQ-3")
        assert req.state is State.ANALYSED
        signed = req.approvals[-1]
        assert (signed.role, signed.on_behalf_of, signed.by, signed.comment) == (
            "customer", "Dana Whitfield", "tester", "agreed on the phone")

        # The detail pane says who signed and who is still missing.
        detail = await open_detail(pilot, "REQ-3")
        more = text_of(detail.query_one("#detail-more"))
        assert "Dana Whitfield (recorded by tester) as customer: agreed on the phone" in more
        assert "Still to sign its text as it reads now: product" in more
        await pilot.press("escape")
        await settle(pilot)

        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert options(dialog, "role") == ["product"]  # only the role still missing is offered
        await submit(pilot)
        assert "REQ-3 moved to approved" in notifications(app)
        assert Board(small, "check").get("REQ-3").state is State.APPROVED
        assert "REQ-3" in card_keys(app, State.APPROVED)


async def test_without_roles_one_sign_off_approves_and_asks_no_role(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert field_ids(dialog) == ["on_behalf_of", "comment"]
        await submit(pilot)
        assert "REQ-3 moved to approved" in notifications(app)
        req = Board(small, "check").get("REQ-3")
        assert req.state is State.APPROVED and req.approvals[-1].by == "tester"


# ---------------------------------------------------------------------- re-approval of a changed text
async def test_a_changed_requirement_is_re_approved_from_the_detail_pane(small: Path) -> None:
    Board(small, "alice").edit_requirement("REQ-4", {"title": "Single sign-on with Entra ID and Google",
                                                     "description": "Staff sign in with Microsoft\nor Google."})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "CHG" in first_line(app, State.APPROVED, "REQ-4")
        detail = await open_detail(pilot, "REQ-4")
        more = text_of(detail.query_one("#detail-more"))
        assert "Single sign-on with Entra ID → Single sign-on with Entra ID and Google" in more
        assert "was:" in more and "Staff sign in with their Microsoft account." in more and "or Google." in more
        assert "Re-approve" in key_bar(app)

        # Moving it on is held back: it asks for the re-approval instead.
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert dialog.form_title == "Re-approve REQ-4"
        await pilot.press("escape")

        await pilot.press("a")
        dialog = form(app)
        assert dialog.form_title == "Re-approve REQ-4"
        fill(pilot, "#field-comment", "Google is fine too")
        await submit(pilot)
        assert app.screen is detail
        assert "REQ-4 re-approved" in notifications(app)
        req = Board(small, "check").get("REQ-4")
        assert req.approval_current and req.approvals[-1].comment == "Google is fine too"
        await settle(pilot)
        assert "Changed since its approval" not in text_of(detail.query_one("#detail-more"))
        assert "Re-approve" not in key_bar(app)
        await pilot.press("a")  # not offered any more: the key does nothing
        assert app.screen is detail
        await pilot.press("escape")
        await settle(pilot)
        assert "CHG" not in first_line(app, State.APPROVED, "REQ-4")


async def test_re_approval_by_role_keeps_the_card_changed_until_every_role_signed(small: Path) -> None:
    anna = Board(small, "anna")
    anna.set_signoff_roles(["customer", "product"])
    anna.edit_requirement("REQ-4", {"title": "Single sign-on with Entra ID and Google"})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "CHG" in first_line(app, State.APPROVED, "REQ-4")
        await open_detail(pilot, "REQ-4")
        await pilot.press("a")
        dialog = form(app)
        assert options(dialog, "role") == ["customer", "product"]
        dialog.query_one("#field-role", Select).value = "product"
        await submit(pilot)
        assert "REQ-4 signed off by product; still missing: customer" in notifications(app)
        await settle(pilot)
        assert "Re-approve" in key_bar(app)  # the customer has still to sign the new text
        await pilot.press("escape")
        await settle(pilot)
        assert "CHG" in first_line(app, State.APPROVED, "REQ-4")


async def test_chg_follows_the_board_s_roles_though_the_card_did_not_change(small: Path) -> None:
    anna = Board(small, "anna")
    anna.set_signoff_roles(["customer", "product"])
    anna.edit_requirement("REQ-4", {"title": "Single sign-on with Entra ID and Google"})
    anna.approve("REQ-4", "fine", role="customer")
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "CHG" in first_line(app, State.APPROVED, "REQ-4")  # the product has not signed the new text
        version = Board(small, "check").get("REQ-4").version
        Board(small, "alice").set_signoff_roles(["customer"])
        await wait_until(pilot, lambda: "CHG" not in first_line(app, State.APPROVED, "REQ-4"),
                         "CHG to go once the customer's sign-off is all the board asks")
        assert Board(small, "check").get("REQ-4").version == version


def test_the_approved_text_is_read_back_field_by_field() -> None:
    assert approved_parts("") is None
    assert approved_parts("Title\n\n") == ("Title", "", [])
    assert approved_parts("Title\n\nline one\n\nline two") == ("Title", "line one\n\nline two", [])
    assert approved_parts("Title\n\n\n\nAcceptance criteria:\n- a\n- b") == ("Title", "", ["a", "b"])
    assert approved_parts("Title\n\nSome text\n\nAcceptance criteria:\n- a") == ("Title", "Some text", ["a"])


# ---------------------------------------------------------------------- dependencies: BLK and the override
async def test_blk_goes_when_the_blocker_is_done_though_the_blocked_card_did_not_change(small: Path) -> None:
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "BLK" in first_line(app, State.IN_PROGRESS, "REQ-8")
        assert "BLK" not in first_line(app, State.IN_PROGRESS, "REQ-5")
        version = Board(small, "check").get("REQ-8").version
        other = Board(small, "alice")
        other.move_requirement("REQ-4", State.IN_PROGRESS, updates={"owner": "Ana"})
        other.move_requirement("REQ-4", State.DONE)
        await wait_until(pilot, lambda: "REQ-4" in card_keys(app, State.DONE), "REQ-4 to be done on the board")
        await settle(pilot)
        assert Board(small, "check").get("REQ-8").version == version  # REQ-8 itself did not change
        assert "BLK" not in first_line(app, State.IN_PROGRESS, "REQ-8")


async def test_a_blocked_move_asks_for_a_reason_to_override_and_records_it(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-8")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert dialog.form_title == "Move REQ-8 to done anyway?"
        assert "REQ-8 depends on REQ-4, not yet done" in text_of(dialog.query_one("#dialog-intro"))
        assert field_ids(dialog) == ["reason"]
        await submit(pilot)
        assert error(dialog, "reason") == "A reason is needed to move it before REQ-4 is done"  # not "Why ...? is needed"
        assert Board(small, "check").get("REQ-8").state is State.IN_PROGRESS
        fill(pilot, "#field-reason", "the customer tests against a stub")
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert "REQ-8 moved to done" in notifications(app)
        board = Board(small, "check")
        assert board.get("REQ-8").state is State.DONE
        overridden = [e for e in board.history("REQ-8") if e.action == "dependency_overridden"]
        assert [(e.old, e.new, e.reason, e.by) for e in overridden][-1] == (
            ["REQ-4"], "done", "the customer tests against a stub", "tester")
        assert "BLK" not in first_line(app, State.DONE, "REQ-8")  # done work is blocked no more
        detail = await open_detail(pilot, "REQ-8")
        await settle(pilot)
        history = text_of(detail.query_one("#detail-history"))
        assert "moved to done before REQ-4 was done  (the customer tests against a stub)" in history, history


async def test_moving_back_into_done_while_blocked_keeps_the_reason_as_the_override(small: Path) -> None:
    Board(small, "anna").edit_requirement("REQ-7", {"depends_on": ["REQ-3"]})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-7")
        await pilot.press("less_than_sign")
        dialog = form(app)
        assert dialog.form_title == "Move back REQ-7 to done"
        assert "REQ-7 depends on REQ-3, not yet done" in text_of(dialog.query_one("#dialog-intro"))
        fill(pilot, "#field-reason", "the customer found a bug")
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        board = Board(small, "check")
        assert board.get("REQ-7").state is State.DONE
        last = [e for e in board.history("REQ-7") if e.action == "dependency_overridden"][-1]
        assert (last.old, last.new, last.reason) == (["REQ-3"], "done", "the customer found a bug")


async def test_the_override_form_asks_the_guard_inputs_too(small: Path) -> None:
    Board(small, "anna").edit_requirement("REQ-3", {"depends_on": ["REQ-2"]})
    Board(small, "anna").approve("REQ-3", "fine")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "BLK" in first_line(app, State.APPROVED, "REQ-3")
        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert field_ids(dialog) == ["reason", "owner"]
        fill(pilot, "#field-reason", "REQ-2 is cosmetic")
        fill(pilot, "#field-owner", "Priya Nair")
        await submit(pilot)
        req = Board(small, "check").get("REQ-3")
        assert (req.state, req.owner) == (State.IN_PROGRESS, "Priya Nair")


async def test_the_detail_pane_shows_links_both_ways(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        detail = await open_detail(pilot, "REQ-8")
        fields = text_of(detail.query_one("#detail-fields"))
        assert "Depends on      REQ-4 (approved)" in fields
        assert "Blocked by      REQ-4" in fields
        await pilot.press("escape")
        await settle(pilot)
        detail = await open_detail(pilot, "REQ-4")
        assert "Needed by       REQ-8 (in progress)" in text_of(detail.query_one("#detail-fields"))


# ---------------------------------------------------------------------- conflicts: CON and resolving
async def test_con_on_both_sides_until_resolved_from_the_detail_pane(small: Path) -> None:
    Board(small, "anna").edit_requirement("REQ-3", {"conflicts_with": ["REQ-1"]})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "CON" in first_line(app, State.ANALYSED, "REQ-3")
        assert "CON" in first_line(app, State.COLLECTED, "REQ-1")  # whichever side declared it

        # Approval waits for a decision: `>` says so instead of asking for a sign-off.
        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")
        assert isinstance(app.screen, BoardScreen)
        assert any("REQ-3 is in conflict with REQ-1: resolve that first" in m for m in notifications(app))

        detail = await open_detail(pilot, "REQ-1")
        assert "Conflicts with  REQ-3 (analysed): open, no decision yet (r resolves it)" in text_of(
            detail.query_one("#detail-fields"))
        assert "Resolve conflict" in key_bar(app)
        await pilot.press("r")
        dialog = form(app)
        assert dialog.form_title == "Resolve a conflict of REQ-1"
        assert options(dialog, "other") == ["REQ-3"]
        await submit(pilot)
        assert "is needed" in error(dialog, "decision")
        fill(pilot, "#field-decision", "reminders first, exports next quarter")
        await submit(pilot)
        assert app.screen is detail
        assert "The conflict between REQ-1 and REQ-3 is resolved" in notifications(app)
        await settle(pilot)
        fields = text_of(detail.query_one("#detail-fields"))
        assert "REQ-3 (analysed): resolved by tester on" in fields
        assert "reminders first, exports next quarter" in fields
        assert "Resolve conflict" not in key_bar(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "CON" not in first_line(app, State.ANALYSED, "REQ-3")
        assert "CON" not in first_line(app, State.COLLECTED, "REQ-1")
        board = Board(small, "check")
        assert [r.decision for r in board.get("REQ-3").resolutions] == ["reminders first, exports next quarter"]


async def test_resolving_can_reject_one_of_the_two(small: Path) -> None:
    Board(small, "anna").edit_requirement("REQ-3", {"conflicts_with": ["REQ-2"]})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await open_detail(pilot, "REQ-3")
        await pilot.press("r")
        dialog = form(app)
        fill(pilot, "#field-decision", "dark mode is out of scope")
        dialog.query_one("#field-reject", Select).value = "REQ-2"
        await submit(pilot)
        board = Board(small, "check")
        assert board.get("REQ-2").state is State.REJECTED
        assert board.get("REQ-2").rejection_reason == "dark mode is out of scope"
        fields = text_of(app.screen.query_one("#detail-fields"))
        assert "REQ-2 (rejected): resolved by tester on" in fields and "REQ-2 rejected" in fields


async def resolve_form_intro(pilot: Pilot, key: str) -> str:
    await open_detail(pilot, key)
    await pilot.press("r")
    return text_of(form(pilot.app).query_one("#dialog-intro"))


async def test_the_resolve_form_names_who_waits_for_the_decision(small: Path) -> None:
    anna = Board(small, "anna")
    anna.edit_requirement("REQ-4", {"conflicts_with": ["REQ-3", "REQ-5"]})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        # REQ-4 is approved and REQ-3 analysed: only REQ-3 waits (the old text said neither could be approved).
        intro = await resolve_form_intro(pilot, "REQ-4")
        assert intro == ("Record the decision that settles it, on both requirements. A requirement in an open "
                         "conflict cannot be approved or re-approved.\n"
                         "REQ-3 waits for this decision before it can be approved.")
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        # REQ-5 is in progress, approved long since: from its side nobody waits.
        intro = await resolve_form_intro(pilot, "REQ-5")
        assert "waits" not in intro and "neither" not in intro, intro


async def test_the_resolve_form_says_a_changed_text_waits_for_re_approval(small: Path) -> None:
    anna = Board(small, "anna")
    anna.edit_requirement("REQ-4", {"title": "Single sign-on with Entra ID and Google"})
    anna.edit_requirement("REQ-4", {"conflicts_with": ["REQ-5"]})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "CHG" in first_line(app, State.APPROVED, "REQ-4")
        intro = await resolve_form_intro(pilot, "REQ-4")
        assert intro.endswith("\nREQ-4 waits for this decision before its changed text can be re-approved."), intro


async def test_con_goes_when_the_other_card_is_rejected_elsewhere(small: Path) -> None:
    Board(small, "anna").edit_requirement("REQ-3", {"conflicts_with": ["REQ-1"]})
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "CON" in first_line(app, State.ANALYSED, "REQ-3")
        version = Board(small, "check").get("REQ-3").version
        Board(small, "alice").reject("REQ-1", "the customer withdrew it")
        await wait_until(pilot, lambda: "REQ-1" not in card_keys(app, State.COLLECTED), "REQ-1 to leave the board")
        await settle(pilot)
        assert Board(small, "check").get("REQ-3").version == version
        assert "CON" not in first_line(app, State.ANALYSED, "REQ-3")


# ---------------------------------------------------------------------- change requests reach the plan
async def open_cr_pane(pilot: Pilot, key: str) -> ChangeRequestScreen:
    await open_detail(pilot, key)
    crs = pilot.app.screen.query_one("#detail-crs", OptionList)
    crs.focus()
    crs.highlighted = 0
    await pilot.press("enter")
    await settle(pilot)
    pane = pilot.app.screen
    assert isinstance(pane, ChangeRequestScreen)
    return pane


async def test_the_cr_pane_lists_who_must_be_told_and_marks_them_told(small: Path) -> None:
    anna = Board(small, "anna")
    anna.edit_requirement("REQ-4", {"due": "2026-04-01", "effort_estimate": 16})
    anna.assess_change_request("CR-1", schedule_days=4.5, cost=800, effort_hours=24, notify=["Li Wei", "sales team"])
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        pane = await open_cr_pane(pilot, "REQ-4")
        shown = text_of(pane.query_one("#cr-fields"))
        assert "If approved, the plan changes" in shown
        assert "2026-04-01 → 2026-04-06" in shown  # 4.5 days, rounded up
        assert "16 → 40" in shown
        assert "Who must be told" in shown and "Still to tell: Li Wei, sales team" in shown
        assert "Mark told" in key_bar(app)

        await pilot.press("t")
        dialog = form(app)
        assert options(dialog, "name") == ["Li Wei", "sales team"]
        dialog.query_one("#field-name", Select).value = "sales team"
        await submit(pilot)
        assert app.screen is pane
        await settle(pilot)
        shown = text_of(pane.query_one("#cr-fields"))
        assert "sales team: told by tester" in shown and "Still to tell: Li Wei" in shown
        cr = Board(small, "check").find_change_request("CR-1")[1]
        assert [(n.name, n.by) for n in cr.notified] == [("sales team", "tester")]

        await pilot.press("t")
        await submit(pilot)  # Li Wei, the one left
        await settle(pilot)
        assert "Everyone was told." in text_of(pane.query_one("#cr-fields"))
        assert "Mark told" not in key_bar(app)


async def test_a_new_change_request_proposes_a_plan_and_the_assessment_names_who_to_tell(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-3")
        await pilot.press("c")
        dialog = form(app)
        fill(pilot, "#field-summary", "Send them 48 hours ahead")
        fill(pilot, "#field-new_due", "next week")
        await submit(pilot)
        assert "not a date like 2026-12-31" in error(dialog, "new_due")
        fill(pilot, "#field-new_due", "2026-05-31")
        fill(pilot, "#field-new_owner", "Max Weber")
        dialog.query_one("#field-new_urgency", Select).value = 5
        await submit(pilot)
        cr = Board(small, "check").get("REQ-3").change_requests[-1]
        assert (str(cr.proposed_due), cr.proposed_owner, cr.proposed_urgency, cr.proposed_importance) == (
            "2026-05-31", "Max Weber", 5, None)
        pane = await open_cr_pane(pilot, "REQ-3")
        shown = text_of(pane.query_one("#cr-fields"))
        assert "New due date  2026-05-31" in shown and "New owner     Max Weber" in shown
        await pilot.press("a")
        dialog = form(app)
        for name, value in (("schedule_days", "2"), ("cost", "0"), ("effort_hours", "3"),
                            ("notify", "Harbor Health, front desk")):
            fill(pilot, f"#field-{name}", value)
        await submit(pilot)
        assessed = Board(small, "check").get("REQ-3").change_requests[-1].assessment
        assert assessed.notify == ("Harbor Health", "front desk")


async def test_the_change_requests_list_shows_who_is_still_to_be_told(small: Path) -> None:
    anna = Board(small, "anna")
    anna.assess_change_request("CR-1", schedule_days=1, cost=0, effort_hours=2, notify=["Li Wei", "sales team"])
    anna.decide_change_request("CR-1", approve=True, rationale="agreed")
    cr2 = anna.add_change_request("REQ-6", "Send it on Fridays too")
    anna.assess_change_request(cr2.key, schedule_days=1, cost=0, effort_hours=1,
                               notify=["Corner Café accounts department", "Northwind purchasing", "Max"])
    anna.add_change_request("REQ-1", "A4 paper")  # not assessed: nobody named yet
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("v")
        await settle(pilot)
        table = app.screen.query_one(DataTable)

        def to_tell() -> dict[str, str]:
            return {str(row[0]): str(row[2]) for row in (table.get_row_at(i) for i in range(table.row_count))}

        assert str(table.ordered_columns[2].label) == "To tell"  # beside the status, in view at 80 columns
        assert to_tell() == {"CR-1": "2: Li Wei, sales team", "CR-2": "3: Corner Café accounts…",
                             "CR-3": "–"}  # the count, then as many names as fit in 24 cells
        anna.record_notified("CR-1", "sales team")
        await wait_until(pilot, lambda: to_tell()["CR-1"] == "1: Li Wei", "CR-1 to have one left to tell")
        anna.record_notified("CR-1", "Li Wei")
        await wait_until(pilot, lambda: to_tell()["CR-1"] == "all told", "everyone told of CR-1")


# ---------------------------------------------------------------------- settings, score and filter
async def test_sign_off_roles_are_set_from_the_palette(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await palette(pilot, "Sign-off roles")
        dialog = form(app)
        fill(pilot, "#field-roles", "customer, product")
        await submit(pilot)
        assert Board(small, "check").signoff_roles() == ("customer", "product")
        assert "Sign-off roles: customer, product" in notifications(app)
        await palette(pilot, "Sign-off roles")
        dialog = form(app)
        assert dialog.query_one("#field-roles", Input).value == "customer, product"
        fill(pilot, "#field-roles", "")
        await submit(pilot)
        assert Board(small, "check").signoff_roles() == ()


async def test_score_weights_from_the_palette_reorder_the_columns(small: Path) -> None:
    Board(small, "anna").edit_requirement("REQ-5", {"business_value": 5})
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-8", "REQ-5"]  # 4x4 above 3x5
        assert bottom_line(app, State.IN_PROGRESS, "REQ-8").rstrip().endswith("P16")
        await palette(pilot, "Score weights")
        dialog = form(app)
        assert field_ids(dialog) == ["importance", "urgency", "value", "effort", "feasibility", "tier"]
        fill(pilot, "#field-value", "eleven")
        await submit(pilot)
        assert "0 to 10" in error(dialog, "value")
        fill(pilot, "#field-value", "1")
        await submit(pilot)
        assert Board(small, "check").score_weights().value == 1
        await settle(pilot)
        # REQ-5: 3 x 5 x value 5 = 75; REQ-8: 4 x 4 x value unset (3) = 48.
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-5", "REQ-8"]
        # The team's score is S, not the priority (P, importance x urgency, which `priority:` filters by).
        assert bottom_line(app, State.IN_PROGRESS, "REQ-5").rstrip().endswith("S75")
        detail = await open_detail(pilot, "REQ-5")
        fields = text_of(detail.query_one("#detail-fields"))
        assert "Priority        15  (importance 3 × urgency 5)" in fields, fields
        assert "Score           75  (the team's score: importance 3 × urgency 5 × business value 5)" in fields


async def test_the_filter_blocked_follows_the_board(small: Path) -> None:
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("slash")
        dialog = form(app)
        assert "blocked" in text_of(dialog.query_one(".field-help")) and "due:<DATE" in text_of(
            dialog.query_one(".field-help"))
        fill(pilot, "#field-query", "blocked")
        await submit(pilot)
        shown = [key for state in (State.COLLECTED, State.ANALYSED, State.APPROVED, State.IN_PROGRESS)
                 for key in card_keys(app, state)]
        assert shown == ["REQ-8"]
        other = Board(small, "alice")
        other.move_requirement("REQ-4", State.IN_PROGRESS, updates={"owner": "Ana"})
        other.move_requirement("REQ-4", State.DONE)
        await wait_until(pilot, lambda: card_keys(app, State.IN_PROGRESS) == [], "REQ-8 to be blocked no more")


# ---------------------------------------------------------------------- help
def help_sections(app: Any) -> dict[str, list[str]]:
    """The help's key rows by the heading above them ("" for the keys of the screen it was opened on)."""
    # Blocks: the title, the guide, the badges, the keys of the screen, a block per other pane, the notes.
    blocks = [block.splitlines() for block in text_of(app.screen.query_one("#help-text")).split("\n\n")]
    sections = {"": blocks[3]} | {block[0]: block[1:] for block in blocks[4:-1]}
    return {heading: [" ".join(row.split()) for row in rows] for heading, rows in sections.items()}


async def test_help_lists_the_review_keys_with_the_pane_they_work_on(small: Path) -> None:
    app = open_app(small, config=Config(keys={"detail.resolve": "R", "cr.told": "T,ctrl+t"}))
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        sections = help_sections(app)
        assert sections["In a requirement's detail pane"] == [
            "a Re-approve (when its text changed since it was signed off)",
            "R Resolve conflict (when it is in a conflict no decision settled yet)"]  # remapped
        assert sections["In a change request's pane"] == [
            "T ^t Mark told (when someone its assessment names is still to be told)"]
        # The paragraph on the badges names the keys in force too.
        assert "(a in its detail pane)" in text_of(app.screen.query_one("#help-text"))
        assert "(R in its detail pane)" in text_of(app.screen.query_one("#help-text"))
        await pilot.press("escape")

        # On a detail pane where R is in force, it is listed with that pane's keys, not again below.
        Board(small, "anna").edit_requirement("REQ-3", {"conflicts_with": ["REQ-1"]})
        await settle(pilot)
        await open_detail(pilot, "REQ-1")
        await pilot.press("question_mark")
        sections = help_sections(app)
        assert "R Resolve conflict" in sections[""] and "e Edit" in sections[""]
        assert sections["In a requirement's detail pane"] == [
            "a Re-approve (when its text changed since it was signed off)"]


async def test_at_80_columns_the_key_bar_offers_the_review_step_that_applies(small: Path) -> None:
    anna = Board(small, "anna")
    anna.set_signoff_roles(["customer"])
    anna.edit_requirement("REQ-4", {"title": "Single sign-on with Entra ID and Google"})  # CHG: re-approve
    anna.edit_requirement("REQ-4", {"conflicts_with": ["REQ-5"]})  # and a conflict, settled first
    anna.assess_change_request("CR-1", schedule_days=1, cost=0, effort_hours=2, notify=["Li Wei"])
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await board_ready(pilot)
        await open_detail(pilot, "REQ-4")
        assert "r  Resolve conflict" in key_bar(app)  # the step that comes first, whole
        await pilot.press("escape")
        await settle(pilot)
        await open_cr_pane(pilot, "REQ-4")
        assert "t  Mark told" in key_bar(app)  # before the steps that do not apply yet


# ---------------------------------------------------------------------- forms read whole
@pytest.mark.parametrize("size", [(120, 35), (80, 24), (60, 20)], ids=lambda size: "x".join(map(str, size)))
async def test_an_error_under_a_field_shows_whole(small: Path, size: tuple[int, int]) -> None:
    # The last field's error wraps onto a second line, below the edge of the scrolled fields: it is
    # brought into view, both lines of it.
    app = open_app(small)
    async with app.run_test(size=size) as pilot:
        await board_ready(pilot)
        await palette(pilot, "Score weights")
        dialog = form(app)
        fill(pilot, "#field-tier", "11")
        dialog.query_one("#field-tier").focus()
        await pilot.press("enter")
        await settle(pilot)
        said = error(dialog, "tier")
        assert said == "the score weight customer tier must be a number from 0 to 10 (it is '11')"
        assert same_words(drawn_where(app, dialog.query_one("#error-tier")), said)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=lambda size: "x".join(map(str, size)))
async def test_the_first_field_in_error_is_brought_into_view_and_focused(small: Path, size: tuple[int, int]) -> None:
    app = open_app(small)
    async with app.run_test(size=size) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        dialog = form(app)
        dialog.query_one("#field-tags").focus()  # far below the title, which scrolls out of view
        await pilot.pause()
        await submit(pilot)
        assert error(dialog, "title") == "Title is needed"
        assert same_words(drawn_where(app, dialog.query_one("#error-title")), "Title is needed")
        assert dialog.focused is dialog.query_one("#field-title")
        assert dialog.query_one("#dialog-fields").region.contains_region(dialog.query_one("#field-title").region)


# ---------------------------------------------------------------------- 简体中文
@pytest.fixture
def small_zh(small_template: Path, board_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REQBOARD_LANG", "zh_CN")
    return copy_board(small_template, board_path)


# The small board's own data (English names and titles) is allowed; the app's words must be Chinese.
DATA = {"anna", "tester", "single", "sign", "with", "entra", "and", "google", "delivery", "delay", "webhook",
        "sms", "reminders", "before", "appointments", "export", "invoices", "pdf", "sales", "team", "wei",
        "customer", "product", "dana", "whitfield", "atlas", "insurance", "harbor", "health", "clinics",
        "northwind", "logistics", "the", "webhook's", "payload", "agreed", "already", "tom", "baker",
        "also", "support", "accounts", "half", "their", "staff", "use", "gmail", "microsoft", "account",
        "dark", "mode", "for", "web", "portal", "priya", "nair", "offline", "warehouse", "scanners", "steering",
        "meeting", "accounting", "wants", "one", "invoice", "company", "letterhead", "billing", "per"}


def dialog_words(dialog: Any) -> str:
    parts = [text_of(widget) for widget in dialog.query("#dialog Label, #dialog Static")]
    for select in dialog.query(Select):
        parts += [str(label) for label, _value in select._options]
    parts += [field.placeholder for field in dialog.query(Input)]
    return "\n".join(parts)


async def test_the_review_screens_speak_chinese(small_zh: Path) -> None:
    anna = Board(small_zh, "anna")
    anna.set_signoff_roles(["customer", "product"])
    anna.edit_requirement("REQ-3", {"conflicts_with": ["REQ-1"]})
    anna.edit_requirement("REQ-4", {"title": "Single sign-on with Entra ID and Google"})
    anna.assess_change_request("CR-1", schedule_days=1, cost=0, effort_hours=2, notify=["Li Wei", "sales team"])
    app = open_app(small_zh)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert "受阻" in first_line(app, State.IN_PROGRESS, "REQ-8")
        assert "冲突" in first_line(app, State.ANALYSED, "REQ-3")
        assert "已改" in first_line(app, State.APPROVED, "REQ-4")

        detail = await open_detail(pilot, "REQ-4")
        text = "\n".join(text_of(detail.query_one(f"#{part}")) for part in ("detail-fields", "detail-more"))
        assert english_words(text + key_bar(app), DATA) == set(), text
        await pilot.press("a")
        assert english_words(dialog_words(form(app)), DATA) == set()
        # The roles as the team named them (data), not translated as if they were the app's words (客户).
        assert [str(label) for label, value in form(app).query_one("#field-role", Select)._options
                if value is not Select.NULL] == ["customer", "product"]
        await pilot.press("escape")

        crs = detail.query_one("#detail-crs", OptionList)
        crs.focus()
        crs.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        pane = app.screen
        assert isinstance(pane, ChangeRequestScreen)
        text = text_of(pane.query_one("#cr-fields"))
        assert english_words(text + key_bar(app), DATA) == set(), text
        assert "尚待通知：Li Wei、sales team（按 t 登记已通知）" in text  # full-width punctuation holds its own space
        await pilot.press("t")
        assert english_words(dialog_words(form(app)), DATA) == set()
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)

        detail = await open_detail(pilot, "REQ-1")
        text = text_of(detail.query_one("#detail-fields"))
        assert english_words(text + key_bar(app), DATA) == set(), text
        await pilot.press("r")
        assert english_words(dialog_words(form(app)), DATA) == set()
        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)

        await select_card(pilot, "REQ-8")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        await submit(pilot)
        assert error(dialog, "reason") == "需要填写原因，才能在 REQ-4 完成前移动它"
        assert english_words(dialog_words(dialog), DATA) == set()
        await pilot.press("escape")

        await pilot.press("question_mark")
        sections = help_sections(app)
        assert sections["需求详情面板中"] == ["a 重新批准（其内容在签核后有改动时）", "r 解决冲突（存在尚未决定的冲突时）"]
        assert english_words("\n".join(sections["变更申请面板中"]), DATA) == set()
        await pilot.press("escape")

        for command in ("签核角色", "评分权重"):
            await palette(pilot, command)
            assert english_words(dialog_words(form(app)), DATA) == set()
            await pilot.press("escape")
