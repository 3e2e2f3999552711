"""The board, driven through Pilot: columns, moves with their guard prompts, forms, filter, lanes,
undo, detail, live refresh from other processes, help, palette, literal text, mouse, 80x24 (stale edits:
test_tui_edit_merge.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Button, Input, OptionList, Select, SelectionList

from reqboard.store import workflow
from reqboard.store.board import Board
from reqboard.store.models import BOARD_STATES, State
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.detail import DetailScreen
from reqboard.tui.screens.help import HelpScreen
from reqboard.tui.widgets.column import StateColumn

from tui_support import (  # noqa: F401 (demo, demo_template, small, small_template are fixtures)
    POLL,
    QUIET,
    SIZE,
    board_ready,
    card_keys,
    cards,
    demo,
    demo_template,
    drawn,
    drawn_lines,
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
    type_into,
    wait_until,
)


# ---------------------------------------------------------------------- the board
async def test_board_shows_six_columns_with_their_counts(demo: Path) -> None:
    counts = Counter(r.state for r in Board(demo, "check").requirements())
    app = open_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        columns = list(screen.query(StateColumn))
        assert [c.id for c in columns] == [f"column-{s.value}" for s in BOARD_STATES]
        for state, column in zip(BOARD_STATES, columns, strict=True):
            assert text_of(column.query_one(f"#header-{state.value}")) == f"{state.label}  {counts[state]}"
            assert len(cards(app, state).cards) == counts[state] > 0
            # At 160 columns all six fit side by side.
            assert column.region.width > 20 and column.region.right <= SIZE[0]
        on_board = sum(counts[s] for s in BOARD_STATES)
        assert f"{on_board} on the board, {counts[State.REJECTED]} rejected" in text_of(screen.query_one("#board-title"))
        assert "user: tester" in text_of(screen.query_one("#board-title"))
        # Cards are sorted by priority, highest first, and the first one is drawn at the top.
        collected = cards(app, State.COLLECTED)
        priorities = [r.priority or 0 for r in collected.cards]
        assert priorities == sorted(priorities, reverse=True)
        assert collected.cards[0].key in drawn(collected).splitlines()[0]


async def test_arrows_and_hjkl_move_the_selection(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        assert screen.focused is cards(app, State.COLLECTED)
        assert screen.selected.key == "REQ-1"
        await pilot.press("j")
        assert screen.selected.key == "REQ-2"
        await pilot.press("down")  # the last card: the selection stays
        assert screen.selected.key == "REQ-2"
        await pilot.press("k")
        assert screen.selected.key == "REQ-1"
        await pilot.press("l")
        assert screen.focused is cards(app, State.ANALYSED) and screen.selected.key == "REQ-3"
        await pilot.press("right", "right")
        # In progress: REQ-8 (priority 16) above REQ-5 (priority 15).
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-8", "REQ-5"]
        assert screen.selected.key == "REQ-8"
        await pilot.press("down")
        assert screen.selected.key == "REQ-5"
        await pilot.press("l", "l", "l")  # past the last column: stays on fed back
        assert screen.focused is cards(app, State.FED_BACK) and screen.selected.key == "REQ-7"
        await pilot.press("h", "left")
        assert screen.focused is cards(app, State.IN_PROGRESS) and screen.selected.key == "REQ-5"
        # The focused column's header stands out; the others look alike.
        backgrounds = {s: screen.query_one(f"#header-{s.value}").styles.background for s in BOARD_STATES}
        plain = backgrounds[State.COLLECTED]
        assert backgrounds[State.IN_PROGRESS] != plain
        assert all(backgrounds[s] == plain for s in BOARD_STATES if s is not State.IN_PROGRESS)
        # The selected card is marked with a thick edge on each of its lines.
        lines = drawn(cards(app, State.IN_PROGRESS)).splitlines()
        assert lines[5].startswith("▌REQ-5") and lines[0].startswith("▏REQ-8")


# ---------------------------------------------------------------------- moving on, with each guard
async def test_moving_to_analysed_asks_for_the_analysis_and_the_missing_customer(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-2")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert field_ids(dialog) == ["customer", "importance", "urgency", "kano"]
        intro = text_of(dialog.query_one("#dialog-intro"))
        assert "REQ-2 needs a customer (who asked), importance, urgency" in intro
        await submit(pilot)  # nothing filled in: each required field says so, nothing is saved
        assert error(dialog, "customer") == "Customer (who asked) is needed"
        assert "is needed" in error(dialog, "importance") and "is needed" in error(dialog, "urgency")
        assert Board(small, "check").get("REQ-2").state is State.COLLECTED

        fill(pilot, "#field-customer", "Stadtwerke")
        dialog.query_one("#field-importance", Select).value = "4"
        dialog.query_one("#field-urgency", Select).value = "2"
        dialog.query_one("#field-kano", Select).value = "attractive"
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = Board(small, "check").get("REQ-2")
        assert (req.state, req.customer, req.importance, req.urgency, req.kano.value) == (
            State.ANALYSED, "Stadtwerke", 4, 2, "attractive")
        assert req.updated_by == "tester"
        await settle(pilot)
        assert "REQ-2" in card_keys(app, State.ANALYSED) and "REQ-2" not in card_keys(app, State.COLLECTED)
        assert "REQ-2 moved to analysed" in notifications(app)


async def test_the_move_prompt_asks_exactly_what_the_guard_declares(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One home per rule: an input added to a guard's declaration (and nowhere else) is a field of the
    prompt, and its value reaches the store; the prompt's labels are prompt_for's, in its order."""
    guard = workflow.GUARDS[State.ANALYSED]
    extra = workflow.GuardInput("business_value", "score", "Business value (1-5)", required=False)
    monkeypatch.setitem(workflow.GUARDS, State.ANALYSED, replace(guard, inputs=(*guard.inputs, extra)))
    declared = workflow.prompt_for(Board(small, "check").get("REQ-2"), State.ANALYSED, "tester")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-2")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        labels = [text_of(label) for label in dialog.query(".field-label")]
        assert labels == [inp.label + (" *" if inp.required else "") for inp in declared]
        assert labels[-1] == "Business value (1-5)" and field_ids(dialog)[-1] == "business_value"
        fill(pilot, "#field-customer", "Stadtwerke")
        for name, value in (("importance", "4"), ("urgency", "2"), ("kano", "attractive"), ("business_value", "5")):
            dialog.query_one(f"#field-{name}", Select).value = value
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
    req = Board(small, "check").get("REQ-2")
    assert (req.state, req.importance, req.business_value) == (State.ANALYSED, 4, 5)


async def test_moving_to_analysed_does_not_ask_for_a_customer_it_has(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("shift+right")
        assert field_ids(form(app)) == ["importance", "urgency", "kano"]


async def test_moving_to_approved_asks_for_a_comment_and_records_the_approval(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-3")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert field_ids(dialog) == ["on_behalf_of", "comment"]  # #15: a sign-off may be for someone else
        assert "approving as tester" in text_of(dialog.query(".field-label").last())
        await type_into(pilot, "#field-comment", "ok for Q3")
        await pilot.press("enter")  # Enter in the last field saves the form
        await settle(pilot)
        req = Board(small, "check").get("REQ-3")
        assert req.state is State.APPROVED
        assert [(a.by, a.comment) for a in req.approvals] == [("tester", "ok for Q3")]
        assert req.approval_current
        assert any(e.action == "approved" and e.reason == "ok for Q3" for e in Board(small, "c").history("REQ-3"))
        assert "REQ-3" in card_keys(app, State.APPROVED)


async def test_moving_to_in_progress_asks_for_an_owner(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        assert field_ids(dialog) == ["owner"]
        assert dialog.query_one("#field-owner", Input).value == "tester"  # you, unless you say otherwise
        fill(pilot, "#field-owner", "Priya Nair")
        await submit(pilot)
        req = Board(small, "check").get("REQ-4")
        assert (req.state, req.owner) == (State.IN_PROGRESS, "Priya Nair")
        assert card_keys(app, State.IN_PROGRESS)[0] == "REQ-4"  # priority 20 goes on top


async def test_moving_to_done_asks_for_the_acceptance_criteria(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        before = Board(small, "check").get("REQ-5")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        checklist = dialog.query_one("#field-criteria", SelectionList)
        assert [str(checklist.get_option_at_index(i).prompt) for i in range(checklist.option_count)] == [
            "scans work without network", "scans sync within a minute"]
        assert checklist.selected == []
        checklist.focus()
        await pilot.press("space")  # tick the first criterion only
        assert checklist.selected == ["1"]  # criteria are numbered from 1, as `reqboard show` prints them
        await submit(pilot)
        # One criterion still open: the store refuses, the form says why and stays open.
        assert form(app) is dialog
        assert "REQ-5 needs all acceptance criteria checked (1 open)" in text_of(dialog.query_one("#form-error"))
        assert Board(small, "check").get("REQ-5") == before

        checklist.focus()  # the click on the button took the focus
        await pilot.press("down", "space")
        assert sorted(checklist.selected) == ["1", "2"]
        await submit(pilot)
        req = Board(small, "check").get("REQ-5")
        assert req.state is State.DONE
        assert [c.done for c in req.acceptance_criteria] == [True, True]
        assert "REQ-5" in card_keys(app, State.DONE)


def without_its_dependency(path: Path) -> None:
    """REQ-8 no longer waits on REQ-4 (#15: a dependency not yet done asks for an override), so that
    moving it to done needs nothing."""
    Board(path, "anna").edit_requirement("REQ-8", {"depends_on": []})


async def test_moving_to_done_without_criteria_needs_no_prompt(small: Path) -> None:
    without_its_dependency(small)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-8")
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert Board(small, "check").get("REQ-8").state is State.DONE
        assert "REQ-8" in card_keys(app, State.DONE)


async def test_moving_to_fed_back_asks_for_satisfaction_channel_and_comment(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-6")
        await pilot.press("greater_than_sign")
        dialog = form(app)
        # one score per survey dimension (the board's default three), then the reasons for a low score
        assert field_ids(dialog) == ["satisfaction", "channel", "comment", "score_0", "score_1", "score_2", "reasons"]
        # the customer is told through the channel the requirement came in through, unless changed
        assert dialog.query_one("#field-channel", Select).value == Board(small, "c").get("REQ-6").channel.value
        await submit(pilot)
        assert "is needed" in error(dialog, "satisfaction")
        dialog.query_one("#field-satisfaction", Select).value = "5"
        dialog.query_one("#field-channel", Select).value = "hotline"
        fill(pilot, "#field-comment", "they love it")
        await submit(pilot)
        req = Board(small, "check").get("REQ-6")
        assert req.state is State.FED_BACK
        fb = req.feedback[-1]
        assert (fb.satisfaction, fb.channel.value, fb.comment, fb.by) == (5, "hotline", "they love it", "tester")
        assert any(e.action == "feedback" and e.reason == "they love it" for e in Board(small, "c").history("REQ-6"))


async def test_moving_back_asks_for_a_reason(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("less_than_sign")
        dialog = form(app)
        assert field_ids(dialog) == ["reason"]
        assert "Move back REQ-4 to analysed" in text_of(dialog.query_one("#dialog-title"))
        await submit(pilot)
        assert error(dialog, "reason") == "A reason is needed to move it back"  # not "Why? is needed"
        assert Board(small, "check").get("REQ-4").state is State.APPROVED
        fill(pilot, "#field-reason", "scope unclear")
        await submit(pilot)
        assert Board(small, "check").get("REQ-4").state is State.ANALYSED
        moved = [e for e in Board(small, "check").history("REQ-4") if e.field == "state"][-1]
        assert (moved.old, moved.new, moved.reason, moved.by) == ("approved", "analysed", "scope unclear", "tester")
        assert "REQ-4" in card_keys(app, State.ANALYSED)


async def test_a_move_with_nowhere_to_go_is_shown_not_raised(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-7")
        await pilot.press("greater_than_sign")
        await select_card(pilot, "REQ-1")
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert "REQ-7 is fed back: there is no next state" in notifications(app)
        assert "REQ-1 is collected: there is no earlier state" in notifications(app)
        assert isinstance(app.screen, BoardScreen) and app.is_running


async def test_a_move_the_store_refuses_is_shown_as_a_notification(small: Path) -> None:
    without_its_dependency(small)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-8")
        # Someone else changes REQ-8 before we move it: our copy is stale, the store refuses.
        Board(small, "alice").edit_requirement("REQ-8", {"owner": "Sara Jones"})
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, BoardScreen)
        shown = notifications(app)
        assert any("REQ-8 changed since version" in m and "alice" in m for m in shown), shown
        req = Board(small, "check").get("REQ-8")
        assert (req.state, req.owner) == (State.IN_PROGRESS, "Sara Jones")
        assert app.link.undo_entries == ()


# ---------------------------------------------------------------------- create and edit
async def test_new_requirement_form_creates_a_card(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        dialog = form(app)
        assert dialog.form_title == "New requirement"
        assert app.screen.focused is dialog.query_one("#field-title")
        await pilot.press(*"Audit log", "tab")  # typed, then on to the next field
        fill(pilot, "#field-customer", "Atlas Insurance")
        assert app.screen.focused is dialog.query_one("#field-customer")
        dialog.query_one("#field-importance", Select).value = 3
        await submit(pilot)
        assert isinstance(app.screen, BoardScreen)
        req = Board(small, "check").get("REQ-10")
        assert (req.title, req.customer, req.importance, req.state, req.created_by) == (
            "Audit log", "Atlas Insurance", 3, State.COLLECTED, "tester")
        assert req.tier is not None and req.tier.value == "A"  # a known customer's tier
        await settle(pilot)
        assert "REQ-10" in card_keys(app, State.COLLECTED)
        assert "Audit log" in drawn(cards(app, State.COLLECTED))
        assert "REQ-10 created" in notifications(app)  # the notice names the new key


async def test_new_requirement_form_shows_field_errors_and_saves_nothing(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        dialog = form(app)
        await submit(pilot)
        assert error(dialog, "title") == "Title is needed"

        dialog.query_one("#field-title", Input).value = "x" * 201
        await submit(pilot)
        assert error(dialog, "title") == "must be at most 200 characters (it has 201)"
        assert error(dialog, "due") == ""

        dialog.query_one("#field-title", Input).value = "Audit log"
        dialog.query_one("#field-due", Input).value = "2026-02-30"
        await submit(pilot)
        assert "2026-02-30" in error(dialog, "due") and "date" in error(dialog, "due")
        assert error(dialog, "title") == ""

        dialog.query_one("#field-due", Input).value = "2026-12-31"
        dialog.query_one("#field-effort_estimate", Input).value = "lots"
        await submit(pilot)
        assert "lots" in error(dialog, "effort_estimate")

        dialog.query_one("#field-effort_estimate", Input).value = ""
        dialog.query_one("#field-depends_on", Input).value = "REQ-99"
        await submit(pilot)
        assert "REQ-99" in text_of(dialog.query_one("#form-error")) + error(dialog, "depends_on")

        assert form(app) is dialog
        assert [r.key for r in Board(small, "check").requirements()] == [f"REQ-{n}" for n in range(1, 10)]


async def test_edit_form_changes_the_requirement(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("e")  # REQ-1 is selected
        dialog = form(app)
        assert dialog.form_title == "Edit REQ-1"
        assert dialog.query_one("#field-title", Input).value == "Export invoices as PDF"
        assert dialog.query_one("#field-tags", Input).value == "billing"
        assert dialog.query_one("#field-tier", Select).value == "A"
        fill(pilot, "#field-title", "Export invoices as PDF/A")
        dialog.query_one("#field-importance", Select).value = 5
        dialog.query_one("#field-urgency", Select).value = 2
        await submit(pilot)
        req = Board(small, "check").get("REQ-1")
        assert (req.title, req.priority, req.version, req.tags) == ("Export invoices as PDF/A", 10, 2, ("billing",))
        await settle(pilot)
        assert "P10" in drawn(cards(app, State.COLLECTED)) and "PDF/A" in drawn(cards(app, State.COLLECTED))


async def test_edit_form_shows_field_errors_and_leaves_the_store_unchanged(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        before = Board(small, "check").get("REQ-1")
        await pilot.press("e")
        dialog = form(app)
        dialog.query_one("#field-due", Input).value = "next week"
        await submit(pilot)
        assert "next week" in error(dialog, "due")
        dialog.query_one("#field-due", Input).value = ""
        dialog.query_one("#field-customer", Input).value = "C" * 121
        await submit(pilot)
        assert error(dialog, "customer") == "must be at most 120 characters (it has 121)"
        dialog.query_one("#field-customer", Input).value = "Northwind Logistics"
        dialog.query_one("#field-tags", Input).value = "billing, " + "t" * 41
        await submit(pilot)
        assert "at most 40 characters" in error(dialog, "tags")
        assert Board(small, "check").get("REQ-1") == before
        await pilot.press("escape", "y")  # changed: Esc asks, y discards
        assert isinstance(app.screen, BoardScreen)
        assert Board(small, "check").get("REQ-1") == before


# ---------------------------------------------------------------------- filter, lanes, undo
async def test_filter_by_customer_tier_and_text_then_clear(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)

        async def apply(query: str) -> None:
            await pilot.press("slash")
            fill(pilot, "#field-query", query)
            await pilot.press("enter")
            await settle(pilot)

        await apply("customer:northwind")
        assert card_keys(app, State.COLLECTED) == ["REQ-1"]
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-5"]
        assert card_keys(app, State.APPROVED) == []
        assert text_of(screen.query_one("#header-collected")) == "Collected  1 of 2"
        assert "filter: customer:northwind (2 shown)" in text_of(screen.query_one("#board-title"))
        assert "(none)" in drawn(cards(app, State.APPROVED))

        await apply("tier:A")
        # Northwind and Atlas are tier A customers; REQ-5 and REQ-8 took their tier from them.
        assert sorted(k for s in BOARD_STATES for k in card_keys(app, s)) == ["REQ-1", "REQ-4", "REQ-5", "REQ-8"]

        await apply("invoices")
        assert [k for s in BOARD_STATES for k in card_keys(app, s)] == ["REQ-1"]

        await apply('customer:"Atlas Insurance" webhook')
        assert [k for s in BOARD_STATES for k in card_keys(app, s)] == ["REQ-8"]

        await pilot.press("escape")
        assert card_keys(app, State.COLLECTED) == ["REQ-1", "REQ-2"]
        assert text_of(screen.query_one("#header-collected")) == "Collected  2"
        assert "filter:" not in text_of(screen.query_one("#board-title"))


async def test_a_filter_that_cannot_be_read_says_why_under_the_field(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("slash")
        fill(pilot, "#field-query", "tier:Z")
        await pilot.press("enter")
        await settle(pilot)
        assert "tiers are A, B and C" in error(form(app), "query")
        await pilot.press("escape")
        assert card_keys(app, State.COLLECTED) == ["REQ-1", "REQ-2"]


def _lane_rows(app: ReqboardApp, state: State) -> list[int]:
    """The rows of a card list that draw a lane's rule (named or not)."""
    return [y for y, line in enumerate(drawn_lines(cards(app, state))) if line.startswith("──")]


async def test_swimlanes_group_cards_by_tier_then_customer_then_off(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await pilot.press("s")
        collected = drawn(cards(app, State.COLLECTED))
        # Every lane is named with its count on the whole board, in one order, empty ones too.
        assert collected.splitlines()[0] == "── Tier A (4) ".ljust(cards(app, State.COLLECTED).size.width, "─")
        order = ["Tier A (4)", "REQ-1", "Tier B (2)", "Tier C (1)", "No tier (1)", "REQ-2"]
        assert [collected.index(part) for part in order] == sorted(collected.index(part) for part in order)
        assert "lanes: by tier" in text_of(screen.query_one("#board-title"))
        # Lanes are rows across the board: every column draws each lane's rule on the same row.
        rows = _lane_rows(app, State.COLLECTED)
        assert len(rows) == 4
        for state in BOARD_STATES:
            assert _lane_rows(app, state) == rows, state
        analysed = drawn_lines(cards(app, State.ANALYSED))
        req3 = next(y for y, line in enumerate(analysed) if "REQ-3" in line)  # tier B
        assert rows[1] < req3 < rows[2]
        await pilot.press("s")
        lines = drawn_lines(cards(app, State.COLLECTED))
        headers = [line.strip() for line in lines if line.startswith("──")]
        assert [h.split(" (")[0].strip("─ ") for h in headers][:3] == ["Atlas Insurance", "Bluebird Retail", "Corner Café Co."]
        assert headers[0].startswith("── Atlas Insurance (2)")  # REQ-4 and REQ-8, in other columns
        assert any(h.startswith("── Northwind Logist") and h.endswith("… (2)") for h in headers)  # cut, count kept
        assert headers[-1].startswith("── No customer (1)")
        rows = _lane_rows(app, State.COLLECTED)
        assert _lane_rows(app, State.IN_PROGRESS) == rows
        progress = drawn_lines(cards(app, State.IN_PROGRESS))
        req8 = next(y for y, line in enumerate(progress) if "REQ-8" in line)
        assert rows[0] < req8 < rows[1]  # in the Atlas Insurance lane, across the board
        # The selection moves over cards only, never onto a lane header.
        await pilot.press("j")
        assert screen.selected.key == "REQ-2"
        await pilot.press("s")
        assert "──" not in drawn(cards(app, State.COLLECTED))
        assert "lanes:" not in text_of(screen.query_one("#board-title"))


async def test_undo_a_move(small: Path) -> None:
    without_its_dependency(small)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-8")
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert Board(small, "check").get("REQ-8").state is State.DONE
        await pilot.press("u")
        await settle(pilot)
        req = Board(small, "check").get("REQ-8")
        assert req.state is State.IN_PROGRESS and req.version == 7
        last = Board(small, "check").history("REQ-8")[-1]
        assert (last.field, last.old, last.new, last.reason, last.by) == ("state", "done", "in_progress", "undo", "tester")
        assert "REQ-8" in card_keys(app, State.IN_PROGRESS) and "REQ-8" not in card_keys(app, State.DONE)
        assert "Undone: REQ-8 moved to done" in notifications(app)
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo" in notifications(app)


async def test_undo_a_guarded_move(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("greater_than_sign")
        fill(pilot, "#field-owner", "Priya Nair")
        await submit(pilot)
        assert Board(small, "check").get("REQ-4").state is State.IN_PROGRESS
        await pilot.press("u")
        await settle(pilot)
        req = Board(small, "check").get("REQ-4")
        assert (req.state, req.owner) == (State.APPROVED, "")
        assert "REQ-4" in card_keys(app, State.APPROVED)


async def test_undo_a_create(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await pilot.press("n")
        fill(pilot, "#field-title", "Typo board")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "REQ-10" in card_keys(app, State.COLLECTED)
        await pilot.press("u")
        await settle(pilot)
        req = Board(small, "check").get("REQ-10")
        assert req.state is State.REJECTED and "undo" in req.rejection_reason
        assert "REQ-10" not in card_keys(app, State.COLLECTED)
        assert "8 on the board, 2 rejected" in text_of(screen.query_one("#board-title"))


# ---------------------------------------------------------------------- detail
async def test_detail_pane_shows_fields_history_and_change_requests(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert text_of(detail.query_one("#detail-title")) == "REQ-4  Single sign-on with Entra ID   [Approved]"
        fields = text_of(detail.query_one("#detail-fields"))
        for expected in ("Atlas Insurance  (tier A)", "interview", "20  (importance 5 × urgency 4)",
                         "must be", "Staff sign in with their Microsoft account.", "updated by anna"):
            assert expected in fields, expected
        crs = detail.query_one("#detail-crs")
        assert crs.option_count == 1
        assert "CR-1" in str(crs.get_option_at_index(0).prompt)
        assert "Also support Google accounts" in str(crs.get_option_at_index(0).prompt)
        more = text_of(detail.query_one("#detail-more"))
        assert "Approvals" in more and "anna: agreed in the steering meeting" in more
        history = text_of(detail.query_one("#detail-history")).splitlines()
        assert len(history) == len(Board(small, "check").history("REQ-4"))
        assert "change request submitted CR-1" in history[0]  # newest first
        assert "moved  state: collected → analysed" in "\n".join(history)
        assert "created  Single sign-on with Entra ID" in history[-1]
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen) and app.screen.selected.key == "REQ-4"



async def test_the_detail_pane_shows_its_fields_before_the_history_is_read(small: Path) -> None:
    import threading

    release = threading.Event()
    app = open_app(small)
    real_history = app.link.board.history

    def slow_history(key: str | None = None) -> list:
        release.wait(10)  # the journal read, held back until the pane has been looked at
        return real_history(key)

    app.link.board.history = slow_history  # type: ignore[method-assign]  # a slow journal, for this app alone
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert "Atlas Insurance  (tier A)" in text_of(detail.query_one("#detail-fields"))
        assert text_of(detail.query_one("#detail-history")) == "loading…" and detail.history is None
        release.set()
        await settle(pilot)
        assert "created  Single sign-on with Entra ID" in text_of(detail.query_one("#detail-history"))


async def test_a_closed_pane_is_freed_though_the_board_was_read_again_meanwhile(small: Path) -> None:
    import gc
    import weakref

    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("enter")
        await settle(pilot)
        pane = weakref.ref(app.screen)
        assert isinstance(pane(), DetailScreen)
        await pilot.press("escape")
        await settle(pilot)
        generation = screen.generation
        Board(small, "alice").edit_requirement("REQ-2", {"owner": "alice"})  # another process's save
        await wait_until(pilot, lambda: screen.generation > generation, "the board to be read again")

        def freed() -> bool:
            gc.collect()
            return pane() is None

        # Only the first read freezes what is alive into memory for good (app.board_read_policy): the
        # pane, closed before this read, is freed once Textual has let go of it (its last tasks and
        # workers end a few frames after it closes, later still on a busy machine).
        await wait_until(pilot, freed, "the closed pane to be freed")


# ---------------------------------------------------------------------- other processes
async def test_a_change_by_another_board_appears_and_the_selection_stays(small: Path) -> None:
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-8", "REQ-5"]
        other = Board(small, "alice")
        other.edit_requirement("REQ-5", {"title": "Offline mode for every scanner"})
        other.edit_requirement("REQ-8", {"urgency": 1})  # REQ-8 drops below REQ-5
        other.add_requirement("Fresh from the hotline", customer="Bluebird Retail")
        await wait_until(pilot, lambda: "Offline mode for every" in drawn(cards(app, State.IN_PROGRESS)),
                         "the other board's edit to appear")
        await wait_until(pilot, lambda: "REQ-10" in card_keys(app, State.COLLECTED), "the new card")
        assert card_keys(app, State.IN_PROGRESS) == ["REQ-5", "REQ-8"]
        assert screen.focused is cards(app, State.IN_PROGRESS)
        assert screen.selected.key == "REQ-5" and cards(app, State.IN_PROGRESS).cursor == 0
        assert "9 on the board" in text_of(screen.query_one("#board-title"))


async def test_a_change_by_the_command_line_appears(small: Path) -> None:
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-2")
        result = subprocess.run(
            [sys.executable, "-m", "reqboard.cli", "edit", "REQ-1", "--title", "Invoices as PDF, from a script",
             "--store", str(small), "--user", "bob"],
            capture_output=True, text=True, timeout=60, env={**os.environ},
        )
        assert result.returncode == 0, result.stderr
        await wait_until(pilot, lambda: "Invoices as PDF, from" in drawn(cards(app, State.COLLECTED)),
                         "the command line's edit to appear")
        assert screen.selected.key == "REQ-2"
        assert Board(small, "check").get("REQ-1").updated_by == "bob"


# ---------------------------------------------------------------------- help, keys, palette
async def test_help_lists_the_keys_in_force(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {line.split("  ")[-1].strip(): line for line in text_of(app.screen.query_one("#help-text")).splitlines()}
        assert rows["New"].startswith("n ")
        assert rows["Move on"].startswith(">")
        assert rows["Filter"].startswith("/")
        assert rows["Undo"].startswith("u ")
        assert rows["Help"].startswith("?")
        assert rows["Column left"].split()[:2] == ["←", "h"] and rows["Column right"].split()[:2] == ["→", "l"]
        assert "Scroll Left" not in rows and "Scroll Right" not in rows  # arrows change columns
        await pilot.press("escape")
        assert isinstance(app.screen, BoardScreen)


async def _assert_new_is_remapped_to_capital_n(app: ReqboardApp, small: Path) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("question_mark")
        rows = {line.split("  ")[-1].strip(): line for line in text_of(app.screen.query_one("#help-text")).splitlines()}
        assert rows["New"].split()[0] == "N"
        await pilot.press("escape")
        await pilot.press("n")
        assert isinstance(app.screen, BoardScreen)  # the old key no longer opens the form
        await pilot.press("N")
        assert form(app).form_title == "New requirement"


async def test_a_remapped_key_works_and_shows_in_help(small: Path) -> None:
    await _assert_new_is_remapped_to_capital_n(open_app(small, config=Config(keys={"card.new": "N"})), small)


async def test_keys_are_remapped_from_the_config_file(small: Path, tmp_path: Path) -> None:
    config_dir = Path(os.environ["REQBOARD_CONFIG_DIR"])
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text('[keys]\n"card.new" = "N"\n', encoding="utf-8")
    app = ReqboardApp(small, "tester", watch_interval=QUIET)
    assert app.config.keys == {"card.new": "N"}
    await _assert_new_is_remapped_to_capital_n(app, small)


async def _palette(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "the command palette")
    palette = pilot.app.screen
    palette.query_one(Input).value = text
    hits = palette.query_one("CommandList", OptionList)
    await wait_until(pilot, lambda: any(text.casefold() in str(hits.get_option_at_index(i).prompt).casefold()
                                        for i in range(hits.option_count)),
                     f"a palette hit for {text}")
    await pilot.press("enter")
    await settle(pilot)


async def test_palette_goes_to_a_requirement_by_key(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await _palette(pilot, "REQ-7")
        assert app.screen is screen
        assert screen.focused is cards(app, State.FED_BACK) and screen.selected.key == "REQ-7"


async def test_palette_opens_a_rejected_requirement_in_the_detail_pane(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await _palette(pilot, "REQ-9")
        assert isinstance(app.screen, DetailScreen) and app.screen.key == "REQ-9"
        await settle(pilot)
        assert "nobody sends faxes any more" in text_of(app.screen.query_one("#detail-fields"))


async def test_palette_runs_board_actions(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await _palette(pilot, "Toggle swimlanes")
        assert screen.lanes == "tier"
        assert "── Tier A (4)" in drawn(cards(app, State.COLLECTED))  # counted on the whole board


# ---------------------------------------------------------------------- literal text
MARKUP_TITLES = ("Show [bold]urgent[/bold] orders", "[@click=app.quit]x")


async def test_markup_in_user_text_is_shown_literally_and_does_nothing(small: Path) -> None:
    board = Board(small, "mallory")
    for title in MARKUP_TITLES:
        board.add_requirement(title, customer="[red]Evil[/red] Corp", description="[link=http://x]y[/link]")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        collected = drawn(cards(app, State.COLLECTED))
        assert "[bold]urgent[/bold]" in collected
        assert "[@click=app.quit]x" in collected
        assert "[red]Evil[/red] Corp" in collected
        # Clicking the card's title line selects it; the text's "action" does not run.
        index = card_keys(app, State.COLLECTED).index("REQ-11")
        await pilot.click("#cards-collected", offset=(3, index * 5 + 1))
        await settle(pilot)
        assert app.is_running and app.screen.selected.key == "REQ-11"
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert text_of(detail.query_one("#detail-title")).startswith("REQ-11  [@click=app.quit]x")
        fields = text_of(detail.query_one("#detail-fields"))
        assert "[red]Evil[/red] Corp" in fields and "[link=http://x]y[/link]" in fields
        await pilot.click("#detail-title", offset=(9, 0))
        await settle(pilot)
        assert app.is_running and app.screen is detail


async def test_markup_typed_into_the_form_is_stored_and_shown_as_typed(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        form(app).query_one("#field-title", Input).value = "[/bold] broken [b]markup"
        await submit(pilot)
        assert Board(small, "check").get("REQ-10").title == "[/bold] broken [b]markup"
        await settle(pilot)
        lines = drawn(cards(app, State.COLLECTED)).splitlines()
        # The new card is the selected one (▌): wrapped over two lines, as typed.
        assert "▌[/bold] broken" in [line.rstrip() for line in lines]
        assert "▌[b]markup" in [line.rstrip() for line in lines]


async def test_demo_titles_with_markup_are_literal(demo: Path) -> None:
    app = open_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        marked = {r.key: r for r in Board(demo, "check").requirements() if "[" in r.title}
        expected = {"Show [bold]urgent[/bold] orders first on the dashboard": "[bold]urgent[/bold]",
                    "Support links like [@click=app.quit]x in order notes": "[@click=app.quit]x"}
        assert {r.title for r in marked.values()} == set(expected)
        assert all(req.state in BOARD_STATES for req in marked.values())
        for req in marked.values():
            await select_card(pilot, req.key)  # scrolls it into view
            assert expected[req.title] in drawn(cards(app, req.state))
        assert app.is_running


# ---------------------------------------------------------------------- mouse
async def test_click_selects_a_card_and_double_click_opens_it(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await pilot.click("#cards-in_progress", offset=(4, 5 + 1))  # the second card: REQ-5
        await settle(pilot)
        assert screen.focused is cards(app, State.IN_PROGRESS) and screen.selected.key == "REQ-5"
        await pilot.click("#cards-in_progress", offset=(4, 30))  # below the last card: nothing changes
        assert screen.selected.key == "REQ-5"
        await pilot.double_click("#cards-approved", offset=(4, 2))
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.key == "REQ-4"



def _thumb_rows(widget) -> list[int]:
    """The lines whose last cell (the column's scrollbar) has the thumb's colour."""
    thumb = widget.styles.scrollbar_color.rich_color
    return [y for y in range(widget.size.height) if list(widget.render_line(y))[-1].style.bgcolor == thumb]


async def test_a_long_column_draws_its_scrollbar_and_scrolls_with_keys_and_the_wheel(tmp_path: Path) -> None:
    board = Board(tmp_path / "long.json", "tester")
    for n in range(40):
        board.add_requirement(f"Card {n + 1}")
    board.add_requirement("Alone")
    board.move_requirement("REQ-41", "rejected", reason="not needed")
    app = open_app(tmp_path / "long.json")
    async with app.run_test(size=(160, 30)) as pilot:
        await board_ready(pilot)
        column = cards(app, State.COLLECTED)
        thumb = _thumb_rows(column)
        assert thumb and thumb[0] == 0 and len(thumb) < column.size.height  # 40 cards: a short thumb at the top
        assert _thumb_rows(cards(app, State.ANALYSED)) == []  # an empty column: the track alone
        await pilot.press("end")
        await pilot.pause()
        assert column.scroll_y == column.max_scroll_y > 0
        assert _thumb_rows(column)[-1] == column.size.height - 1
        await pilot.press("home")
        await pilot.pause()
        assert column.scroll_y == 0
        from textual.events import MouseScrollDown

        for _ in range(20):
            column.post_message(MouseScrollDown(column, 4, 4, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert column.scroll_y > 0  # the wheel scrolls a column though Textual draws no scrollbar there
        assert _thumb_rows(column) != thumb

# ---------------------------------------------------------------------- 80x24
async def test_80x24_scrolls_columns_to_keep_the_focused_one_visible(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await board_ready(pilot)
        row = screen.query_one("#columns")
        columns = list(screen.query(StateColumn))

        def whole() -> list[str]:
            return [c.id or "" for c in columns if 0 <= c.region.x and c.region.right <= 80]

        assert {c.region.width for c in columns} == {19}  # cards 19 wide: four whole columns in 80 cells
        assert len(whole()) == 4 and row.max_scroll_x > 0  # six do not fit
        for _ in range(5):
            await pilot.press("right")  # the arrow moves to the next column, it does not scroll the row
            await pilot.pause()
            column = screen.query_one(f"#column-{cards(app, screen.focused.state).state.value}", StateColumn)
            assert column.id in whole() and len(whole()) == 4, column.id
        assert screen.selected.key == "REQ-7"
        assert "REQ-7" in drawn(cards(app, State.FED_BACK))
        await pilot.press("left", "h", "left", "h", "left")
        await pilot.pause()
        assert row.scroll_x == 0 and screen.selected.key == "REQ-1"


async def test_80x24_form_fits_and_its_buttons_are_reachable(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        await board_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        dialog = form(app)
        button = dialog.query_one("#submit", Button)
        assert button.region.height > 0 and button.region.bottom <= 24
        dialog.query_one("#field-title", Input).value = "Small screens"
        await pilot.click("#submit")
        await settle(pilot)
        assert Board(small, "check").get("REQ-10").title == "Small screens"


async def test_an_open_detail_pane_follows_a_change_by_another_process(small: Path) -> None:
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-4")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        Board(small, "alice").edit_requirement("REQ-4", {"owner": "Alice Liddell"})
        await wait_until(pilot, lambda: "Alice Liddell" in text_of(detail.query_one("#detail-fields")),
                         "the detail pane to show the other process's edit")
        assert "updated by alice" in text_of(detail.query_one("#detail-fields"))


# ---------------------------------------------------------------------- WIP limits, reject, archive
async def test_a_wip_limit_is_set_per_column_and_a_column_over_it_says_so(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        await pilot.press("w")
        dialog = form(app)
        assert dialog.form_title == "WIP limit: In progress"
        fill(pilot, "#field-limit", "lots")
        await submit(pilot)
        assert "'lots' is not a whole number" in text_of(dialog.query_one("#form-error"))
        fill(pilot, "#field-limit", "1")
        await submit(pilot)
        assert Board(small, "check").wip_limits() == {State.IN_PROGRESS: 1}
        header = screen.query_one("#header-in_progress")
        assert text_of(header) == "In progress  2/1  over limit"
        await pilot.press("w")
        fill(pilot, "#field-limit", "")
        await submit(pilot)
        assert Board(small, "check").wip_limits() == {}
        assert text_of(header) == "In progress  2"


async def test_reject_then_reopen_from_the_archive(small: Path) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await select_card(pilot, "REQ-3")
        await pilot.press("x")
        dialog = form(app)
        await submit(pilot)
        assert error(dialog, "reason") == "A reason is needed to reject it"
        fill(pilot, "#field-reason", "duplicate of REQ-1")
        await submit(pilot)
        req = Board(small, "check").get("REQ-3")
        assert (req.state, req.rejection_reason) == (State.REJECTED, "duplicate of REQ-1")
        assert card_keys(app, State.ANALYSED) == []
        assert "7 on the board, 2 rejected" in text_of(screen.query_one("#board-title"))

        await pilot.press("a")
        await settle(pilot)
        archive = app.screen
        options = archive.query_one("#archive-list")
        listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any(line.startswith("REQ-3") and "duplicate of REQ-1" in line for line in listed)
        assert any(line.startswith("REQ-9") and "nobody sends faxes any more" in line for line in listed)
        options.focus()
        options.highlighted = options.get_option_index("REQ-3")
        await pilot.press("o")
        dialog = form(app)
        assert "Reopen REQ-3 to collected" in text_of(dialog.query_one("#dialog-title"))
        fill(pilot, "#field-reason", "not a duplicate after all")
        await submit(pilot)
        assert app.screen is archive
        req = Board(small, "check").get("REQ-3")
        assert (req.state, req.rejection_reason) == (State.COLLECTED, "")
        assert [str(options.get_option_at_index(i).prompt)[:5] for i in range(options.option_count)] == ["REQ-9"]
        await pilot.press("escape")
        await settle(pilot)
        assert "REQ-3" in card_keys(app, State.COLLECTED)


async def test_a_record_that_breaks_a_rule_is_reported_and_cannot_be_changed(small: Path) -> None:
    import orjson

    tables = orjson.loads(small.read_bytes())
    tables["requirements"]["2"]["importance"] = 9  # a card can show it; the model refuses it
    small.write_bytes(orjson.dumps(tables))
    before = small.read_bytes()
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        assert "REQ-2" in card_keys(app, State.COLLECTED)  # the rest of the board is usable
        await wait_until(pilot, lambda: any("REQ-2 is invalid" in n for n in notifications(app)),
                         "the background check to report REQ-2")
        [report] = [n for n in notifications(app) if "REQ-2 is invalid" in n]
        assert "importance" in report and "reqboard check" in report
        await select_card(pilot, "REQ-2")
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert app.screen is screen  # no prompt for a record that cannot be read
        assert sum("REQ-2 is invalid" in n for n in notifications(app)) == 2
    assert small.read_bytes() == before
