""""Sync with..." in the board app (issue 13): the other board asked for (offered: the one this board
was cloned from), the plan shown before anything is written (pulled, pushed, renumbered, history,
conflicts), each conflict side by side to choose from with the keys or the mouse, then the write, the
board redrawn and a notice of what happened. User text in a conflict is shown literally; the boards
changing meanwhile shows the new conflicts instead of writing blind; errors are one-line notices."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.store.sync import clone_board
from reqboard.tui.link import Change
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.sync import ConflictChoice, ConflictsScreen, SyncScreen

from tui_support import (  # noqa: F401 (small_template is a fixture)
    FIXED_NOW,
    StepClock,
    board_ready,
    card_keys,
    copy_board,
    notifications,
    open_app,
    settle,
    small_template,
    text_of,
    wait_until,
)

SIZE = (80, 24)
HOSTILE = "[@click=app.quit]x [/bold] \u202eexe.txt"


@pytest.fixture
def pair(small_template: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The team's board (the small board) and a clone of it, `mine.json`, that the app opens."""
    team = copy_board(small_template, tmp_path / "team.json")
    mine = tmp_path / "mine.json"
    clone_board(Board(team, "ana"), Board(mine, "tester"))
    return team, mine


def team_board(path: Path) -> Board:
    """The team's side, a day before the offline side (whose requirement created later is renumbered)."""
    return Board(path, "ana", clock=StepClock(FIXED_NOW, timedelta(minutes=1)))


def my_board(path: Path) -> Board:
    return Board(path, "tester", clock=StepClock(FIXED_NOW + timedelta(days=1), timedelta(minutes=1)))


def titles(path: Path) -> dict[str, str]:
    return {r.key: r.title for r in Board(path, "tester").requirements()}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def screen_text(app: Any) -> str:
    """Every character the current screen puts on the terminal, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def palette(pilot: Pilot, text: str) -> None:
    """Run the palette's command named `text`."""
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette), "the command palette")
    pilot.app.screen.query_one(Input).value = text
    hits = pilot.app.screen.query_one("CommandList", OptionList)
    await wait_until(pilot, lambda: any(text in str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)),
                     f"a palette hit for {text}")
    await pilot.press("enter")


async def sync_screen(pilot: Pilot, *, prefilled: str | None = "team.json") -> SyncScreen:
    """Open "Sync with..." from the palette; wait for the offered location (`prefilled`: its end)."""
    await palette(pilot, "Sync with...")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SyncScreen), "the sync screen")
    screen = pilot.app.screen
    assert isinstance(screen, SyncScreen)
    if prefilled:
        field = screen.query_one("#sync-other", Input)
        await wait_until(pilot, lambda: field.value.endswith(prefilled), "the other board to be offered")
    await settle(pilot)
    return screen


async def plan(pilot: Pilot, screen: SyncScreen, location: str | None = None) -> str:
    """Plan the sync (Enter in the location) and return the plan as shown."""
    field = screen.query_one("#sync-other", Input)
    if location is not None:
        field.value = location
    field.focus()
    await pilot.press("enter")
    await settle(pilot)
    return text_of(screen.query_one("#sync-plan-text"))


async def conflicts(pilot: Pilot) -> ConflictsScreen:
    """From the plan, ctrl+s opens the conflicts to choose."""
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConflictsScreen), "the conflicts screen")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ConflictsScreen)
    return screen


def choice(screen: ConflictsScreen, name: str) -> ConflictChoice:
    return next(c for c in screen.choices if c.conflict.name == name)


async def back_on_the_board(pilot: Pilot) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, BoardScreen), "the board again", timeout=30)
    await settle(pilot)


# ---------------------------------------------------------------------- the whole way
async def test_sync_from_the_palette_shows_the_plan_then_writes_both_boards_and_redraws(pair: tuple[Path, Path]) -> None:
    team, mine = pair
    ours, theirs = my_board(mine), team_board(team)
    theirs.add_requirement("Team: audit log export")  # REQ-10 on the team's board, created first
    theirs.edit_requirement("REQ-1", {"title": "Export invoices as PDF/A"})
    ours.add_requirement("Offline: barcode labels")  # REQ-10 here too: it becomes REQ-11
    ours.edit_requirement("REQ-2", {"title": "Dark mode everywhere"})
    before = digest(team), digest(mine)

    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        screen = await sync_screen(pilot)
        shown = await plan(pilot, screen)
        assert "Renumbered: REQ-10 (created on this board) becomes REQ-11 on both boards" in shown
        assert "Into this board (3): REQ-1 REQ-10 REQ-11" in shown
        # (the team's REQ-10 goes back too: a version past the REQ-10 it replaces on this board)
        assert "Into the other board (3): REQ-2 REQ-10 REQ-11" in shown
        assert "History: " in shown and "Conflicts" not in shown
        assert (digest(team), digest(mine)) == before, "the plan wrote something"

        await pilot.press("ctrl+s")
        await back_on_the_board(pilot)
        assert app.screen is board
        assert "synced with team.json: 3 in, 3 out, REQ-10 is now REQ-11" in notifications(app)
        assert {"REQ-10", "REQ-11"} <= set(card_keys(app, State.COLLECTED))  # redrawn from the file

    expected = titles(mine)
    assert titles(team) == expected
    assert expected["REQ-1"] == "Export invoices as PDF/A" and expected["REQ-2"] == "Dark mode everywhere"
    assert expected["REQ-10"] == "Team: audit log export" and expected["REQ-11"] == "Offline: barcode labels"


async def test_each_conflict_is_chosen_apart_by_key_and_by_click(pair: tuple[Path, Path]) -> None:
    team, mine = pair
    ours, theirs = my_board(mine), team_board(team)
    theirs.edit_requirement("REQ-3", {"title": "SMS reminders a day before"})
    theirs.edit_requirement("REQ-1", {"description": "Team: one PDF per month"})
    ours.edit_requirement("REQ-3", {"title": "SMS reminders two hours before"})
    ours.edit_requirement("REQ-1", {"description": "Mine: one PDF per invoice, signed"})
    before = digest(team), digest(mine)

    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        screen = await sync_screen(pilot)
        shown = await plan(pilot, screen)
        assert "Conflicts (2): REQ-1 description, REQ-3 title" in shown
        chooser = await conflicts(pilot)
        description, title = choice(chooser, "REQ-1.description"), choice(chooser, "REQ-3.title")
        sides = {(c.conflict.field, part): text_of(c.query_one(f".side-{part} .side-value"))
                 for c in (description, title) for part in ("base", "ours", "theirs")}
        assert sides == {  # side by side, as the boards hold them
            ("description", "base"): "Accounting wants one PDF per invoice, with the company letterhead.",
            ("description", "ours"): "Mine: one PDF per invoice, signed",
            ("description", "theirs"): "Team: one PDF per month",
            ("title", "base"): "SMS reminders before appointments",
            ("title", "ours"): "SMS reminders two hours before",
            ("title", "theirs"): "SMS reminders a day before",
        }

        # ctrl+s before every conflict has a side: it says so and writes nothing.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is chooser and any("Choose a value for" in n for n in notifications(app))

        # The keys: the first conflict is focused; o keeps ours. The mouse: a click on theirs takes it.
        assert chooser.focused is description
        await pilot.press("o")
        await pilot.click(f"#{title.id} .side-theirs")
        await settle(pilot)
        assert (description.side, title.side) == ("ours", "theirs")
        assert "✔ Other board (theirs)" in text_of(title.query_one(".side-theirs .side-heading"))
        assert (digest(team), digest(mine)) == before, "choosing wrote something"

        await pilot.press("ctrl+s")
        await back_on_the_board(pilot)
        assert any(n.startswith("synced with team.json") and "2 conflicts settled as you chose" in n
                   for n in notifications(app))

    for path in (mine, team):
        board = Board(path, "tester")
        assert board.get("REQ-3").title == "SMS reminders a day before"
        assert board.get("REQ-1").description == "Mine: one PDF per invoice, signed"


async def test_all_theirs_by_click_and_moving_between_conflicts_with_the_arrows(pair: tuple[Path, Path]) -> None:
    team, mine = pair
    ours, theirs = my_board(mine), team_board(team)
    for key in ("REQ-1", "REQ-2", "REQ-3"):
        theirs.edit_requirement(key, {"title": f"{key} as the team has it"})
        ours.edit_requirement(key, {"title": f"{key} as I have it"})

    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await plan(pilot, await sync_screen(pilot))
        chooser = await conflicts(pilot)
        await pilot.click("#conflicts-all-theirs")
        chooser.choices[0].focus()
        await pilot.pause()
        await pilot.press("down", "down", "o")  # then the third keeps ours
        await settle(pilot)
        assert [c.side for c in chooser.choices] == ["theirs", "theirs", "ours"]
        assert chooser.focused is chooser.choices[2]
        await pilot.press("ctrl+s")
        await back_on_the_board(pilot)

    assert titles(team) == titles(mine)
    assert [titles(mine)[k] for k in ("REQ-1", "REQ-2", "REQ-3")] == [
        "REQ-1 as the team has it", "REQ-2 as the team has it", "REQ-3 as I have it"]


async def test_a_hostile_title_in_a_conflict_is_shown_literally_and_does_nothing(pair: tuple[Path, Path]) -> None:
    team, mine = pair
    team_board(team).edit_requirement("REQ-3", {"title": HOSTILE})
    my_board(mine).edit_requirement("REQ-3", {"title": "Plain title"})

    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        shown = await plan(pilot, await sync_screen(pilot))
        assert "REQ-3 title" in shown
        chooser = await conflicts(pilot)
        value = choice(chooser, "REQ-3.title").query_one(".side-theirs .side-value")
        assert text_of(value) == "[@click=app.quit]x [/bold] <U+202E>exe.txt"
        text = screen_text(app)  # as the terminal gets it (wrapped in its column)
        assert "[@click=app.quit]x" in text and "[/bold]" in text and "<U+202E>exe.txt" in text
        assert "\u202e" not in text
        # A click on the text chooses that side; its "action" does not run.
        await pilot.click(f"#{choice(chooser, 'REQ-3.title').id} .side-theirs .side-value", offset=(2, 0))
        await settle(pilot)
        assert app.is_running and choice(chooser, "REQ-3.title").side == "theirs"
        await pilot.press("O")  # all ours after all
        await pilot.press("ctrl+s")
        await back_on_the_board(pilot)

    assert Board(team, "tester").get("REQ-3").title == "Plain title"


async def test_undo_of_a_requirement_a_sync_renumbered_never_rejects_the_one_that_took_its_key(
        pair: tuple[Path, Path]) -> None:
    """Created here as REQ-10, renumbered REQ-11 by the sync, the team's REQ-10 now under that key:
    `u` (undo the creation) must not reject the team's requirement."""
    team, mine = pair
    team_board(team).add_requirement("Team: audit log export")
    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        board = await board_ready(pilot)
        board.link.save(board, Change(lambda b: b.add_requirement("Offline: barcode labels"), "created"))
        await settle(pilot)
        assert Board(mine, "tester").get("REQ-10").title == "Offline: barcode labels"
        await plan(pilot, await sync_screen(pilot))
        await pilot.press("ctrl+s")
        await back_on_the_board(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert any("REQ-10 is another requirement now" in n for n in notifications(app))

    for path in (mine, team):
        saved = Board(path, "tester")
        assert saved.get("REQ-10").state is State.COLLECTED and saved.get("REQ-10").title == "Team: audit log export"
        assert saved.get("REQ-11").title == "Offline: barcode labels"


# ---------------------------------------------------------------------- the boards change meanwhile
async def test_a_conflict_that_changed_after_it_was_chosen_is_shown_again_and_nothing_is_written(
        pair: tuple[Path, Path]) -> None:
    team, mine = pair
    theirs = team_board(team)
    theirs.edit_requirement("REQ-3", {"title": "Team, first"})
    my_board(mine).edit_requirement("REQ-3", {"title": "Mine"})

    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        sync = await sync_screen(pilot)
        await plan(pilot, sync)
        chooser = await conflicts(pilot)
        await pilot.press("t")  # theirs: "Team, first"
        theirs.edit_requirement("REQ-3", {"title": "Team, second thoughts"})  # while the screen is open
        before = digest(team), digest(mine)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictsScreen) and app.screen is not chooser,
                         "the conflict shown again")
        await settle(pilot)
        assert (digest(team), digest(mine)) == before, "a value nobody chose was written"
        again = app.screen
        assert isinstance(again, ConflictsScreen)
        title = choice(again, "REQ-3.title")
        assert title.side is None and title.conflict.theirs == "Team, second thoughts"
        assert "The boards changed since the plan" in screen_text(app)
        await pilot.press("t", "ctrl+s")
        await back_on_the_board(pilot)

    assert Board(mine, "tester").get("REQ-3").title == Board(team, "tester").get("REQ-3").title == "Team, second thoughts"


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(("where", "said"), [
    ("nowhere.json", "nowhere.json: no board there"),
    ("junk.json", "junk.json"),
    ("mysql://db/team", "mysql:// stores are not supported"),
    ("postgresql://db.invalid/team", "cannot reach the board server at db.invalid:5432"),
])
async def test_a_board_that_cannot_be_synced_with_is_a_one_line_notice(pair: tuple[Path, Path], tmp_path: Path,
                                                                       where: str, said: str) -> None:
    _team, mine = pair
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    location = where if "://" in where else str(tmp_path / where)
    app = open_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        screen = await sync_screen(pilot)
        await plan(pilot, screen, location)
        assert app.screen is screen and screen.plan is None
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and said in errors[0].message and "\n" not in errors[0].message
        assert "Traceback" not in errors[0].message
        assert screen.query_one("#sync-write").disabled  # nothing to sync
    assert not (tmp_path / "nowhere.json").exists(), "a sync with no board made one"


async def test_a_board_never_synced_offers_nothing_and_asks_for_the_other_board(tmp_path: Path) -> None:
    lone = tmp_path / "lone.json"
    Board(lone, "tester").add_requirement("Alone")
    app = open_app(lone)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        screen = await sync_screen(pilot, prefilled=None)
        assert screen.query_one("#sync-other", Input).value == ""
        await pilot.press("enter")
        await settle(pilot)
        assert "Name the other board first" in text_of(screen.query_one("#sync-status"))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)


# ---------------------------------------------------------------------- snapshots (80x24)
@pytest.fixture
def snap_mine(small_template: Path, isolated_home: Path) -> Path:
    """A clone under the test's home (the screens show `~/work/...`), both sides changed: a key both
    used, a long description and a hostile title changed on both."""
    work = isolated_home / "work"
    work.mkdir()
    team = copy_board(small_template, work / "team.json")
    mine = work / "mine.json"
    clone_board(Board(team, "ana"), Board(mine, "tester"))
    theirs, ours = team_board(team), my_board(mine)
    theirs.add_requirement("Team: audit log export")
    theirs.edit_requirement("REQ-1", {"description": "One PDF per invoice, on the new letterhead, " * 8})
    theirs.edit_requirement("REQ-3", {"title": HOSTILE})
    ours.add_requirement("Offline: barcode labels")
    ours.edit_requirement("REQ-1", {"description": "One PDF a month"})
    ours.edit_requirement("REQ-3", {"title": "SMS reminders two hours before"})
    return mine


def snapped(mine: Path, *keys: str) -> tuple[Any, Any]:
    """The app on `mine`, and a run_before that plans the sync and then presses `keys`."""
    app = open_app(mine)

    async def run_before(pilot: Pilot) -> None:
        await board_ready(pilot)
        await plan(pilot, await sync_screen(pilot))
        if keys:
            await pilot.press(*keys)
        await settle(pilot)

    return app, run_before


def test_the_plan_80x24(snap_compare: Any, snap_mine: Path) -> None:
    app, run_before = snapped(snap_mine)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_conflicts_80x24(snap_compare: Any, snap_mine: Path) -> None:
    app, run_before = snapped(snap_mine, "ctrl+s", "t")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
