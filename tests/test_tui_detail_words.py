"""#18 items 12 and 13 on the screen: the detail pane's history in plain words and its change requests a key
away, a change request's changes as "was → now", the archive's columns and orders."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.tui.screens.archive import ArchiveScreen
from reqboard.tui.screens.change_request import ChangeRequestScreen
from reqboard.tui.screens.detail import DetailScreen

from tui_support import (  # noqa: F401 (small, small_template are fixtures)
    POLL,
    SIZE,
    board_ready,
    open_app,
    open_detail,
    settle,
    small,
    small_template,
    text_of,
    wait_until,
)

REPRS = ("{'", "[{", "'done'", "True", "False", "None", "must_be", "@@")


async def test_history_in_words_and_enter_opens_a_change_request(small: Path) -> None:
    anna = Board(small, "anna")
    anna.edit_requirement("REQ-4", {"acceptance_criteria": [{"text": "signs in with Entra ID", "done": False}],
                                    "tags": ["sso", "security"], "effort_estimate": 16})
    anna.edit_requirement("REQ-4", {"acceptance_criteria": [{"text": "signs in with Entra ID", "done": True}]})
    anna.add_change_request("REQ-5", "Queue scans for a day")
    anna.add_change_request("REQ-5", "Sync over Bluetooth")
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, "REQ-4")
        history = text_of(detail.query_one("#detail-history"))
        assert "edited  criterion 1 ticked" in history
        assert "edited  1 acceptance criterion added: signs in with Entra ID" in history
        assert "edited  tags: added sso, security" in history and "effort estimate: – → 16" in history
        assert "Kano category: – → must be" in history
        assert not [mark for mark in REPRS if mark in history], history

        # One change request: Enter opens it, as the heading says.
        assert "(⏎ opens it)" in text_of(detail.query_one("#detail-crs-heading"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangeRequestScreen) and app.screen.cr_key == "CR-1"
        await pilot.press("escape")
        await settle(pilot)

        # Two: Enter goes to their list, the arrows pick one, Enter opens it.
        await pilot.press("escape")
        detail = await open_detail(pilot, "REQ-5")
        assert "↑↓ picks one" in text_of(detail.query_one("#detail-crs-heading"))
        await pilot.press("enter")
        assert app.screen is detail and app.focused is detail.query_one("#detail-crs", OptionList)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ChangeRequestScreen) and app.screen.cr_key == "CR-3"


async def test_a_change_request_reads_was_now_before_and_after_its_approval(small: Path) -> None:
    app = open_app(small, watch_interval=POLL)  # sees the approval made below
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, "REQ-4")
        await pilot.press("enter")
        await settle(pilot)
        pane = app.screen
        assert isinstance(pane, ChangeRequestScreen)
        shown = text_of(pane.query_one("#cr-fields"))
        assert "If approved, the plan changes" in shown
        assert "Title         Single sign-on with Entra ID → Single sign-on with Entra ID and Google" in shown

        anna = Board(small, "anna")
        anna.edit_requirement("REQ-4", {"due": "2026-04-01"})
        anna.move_requirement("REQ-4", State.IN_PROGRESS, updates={"owner": "Max Weber"})
        anna.move_requirement("REQ-4", State.DONE)
        anna.assess_change_request("CR-1", schedule_days=2, cost=0, effort_hours=8)
        anna.decide_change_request("CR-1", approve=True, rationale="half their staff")
        await wait_until(pilot, lambda: "What its approval changed" in text_of(pane.query_one("#cr-fields")),
                         "the approval read")
        shown = text_of(pane.query_one("#cr-fields"))
        assert "If approved" not in shown and "What its approval changed" in shown
        assert "Title         Single sign-on with Entra ID → Single sign-on with Entra ID and Google" in shown
        assert "Due date      2026-04-01 → 2026-04-03" in shown and "Effort (hours) – → 8" in shown
        assert "State         done → approved" in shown  # a done requirement goes back to approved
        assert "@@" not in shown
        timeline = text_of(pane.query_one("#cr-history"))
        assert "change request approved CR-1  (half their staff)" in timeline and "status:" not in timeline


async def test_the_archive_shows_when_who_whence_and_sorts(small: Path) -> None:
    Board(small, "bob").reject("REQ-1", "they build it themselves")  # collected, Northwind
    Board(small, "carol").reject("REQ-3", "duplicate of REQ-5")  # analysed, Harbor Health
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("a")
        await settle(pilot)
        archive = app.screen
        assert isinstance(archive, ArchiveScreen)
        headings = text_of(archive.query_one("#archive-headings")).split()
        assert headings[:7] == ["Key", "Rejected", "▼", "From", "By", "Customer", "Title"]
        options = archive.query_one("#archive-list", OptionList)

        def rows() -> list[str]:
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        today = Board(small, "check").get("REQ-3").state_since
        assert today is not None
        first = rows()[0].splitlines()
        assert first[0].split()[:5] == ["REQ-3", today.date().isoformat(), "analysed", "carol", "Harbor"]
        assert first[1].strip() == "— duplicate of REQ-5"
        assert [row[:5] for row in rows()] == ["REQ-3", "REQ-1", "REQ-9"]  # newest rejected first
        assert "sorted by newest rejected" in text_of(archive.query_one("#archive-title"))

        options.highlighted = 1  # REQ-1 stays highlighted whatever the order
        await pilot.press("s")
        assert [row[:5] for row in rows()] == ["REQ-1", "REQ-3", "REQ-9"]
        assert "sorted by key" in text_of(archive.query_one("#archive-title"))
        assert options.highlighted == 0
        await pilot.press("s")  # by customer
        assert [row[:5] for row in rows()] == ["REQ-9", "REQ-3", "REQ-1"]  # Bäckerei, Harbor, Northwind
        heading = text_of(archive.query_one("#archive-headings"))
        await pilot.click("#archive-headings", offset=(heading.index("From") + 1, 0))  # a heading sorts by it
        assert [row[:5] for row in rows()] == ["REQ-1", "REQ-9", "REQ-3"]  # collected (newest first), analysed
        assert "From ▲" in text_of(archive.query_one("#archive-headings"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.key == "REQ-1"
        assert Board(small, "check").get("REQ-1").state is State.REJECTED


async def test_a_long_history_line_wraps_under_its_own_text_at_80_columns(small: Path) -> None:
    reason = "the customer's finance team asked to see the rollout plan again before anything is delivered"
    Board(small, "anna").move_requirement("REQ-4", State.ANALYSED, reason=reason)
    app = open_app(small)
    async with app.run_test(size=(80, 24)) as pilot:
        detail = await open_detail(pilot, "REQ-4")
        history = detail.query_one("#detail-history")
        head, said = next(row for row in history.rows if "finance team" in row[1].plain)
        lines = text_of(history).splitlines()
        first = next(n for n, line in enumerate(lines) if line.startswith(head.plain))
        assert said.plain.startswith(lines[first][len(head.plain):].rstrip())
        follow = lines[first + 1:first + 3]
        # The rest of the text hangs under its start, not under the time.
        assert follow and all(line.startswith(" " * head.cell_length) and line.strip() for line in follow), lines
        assert " ".join(" ".join(lines[first:first + 3])[len(head.plain):].split()).startswith(
            " ".join(said.plain.split())[:150])
