"""Snapshots of the screens people look at, at 80x24 and 160x50.

What makes them the same on every run and machine:
- the board is built with a fixed clock (every time shown in the detail and history is fixed);
- the card ages ("12d") and the overdue badge count from the clock of the card list, frozen here at
  FIXED_NOW (the only place the TUI reads the wall clock);
- the board file and the config directory live in the test's home directory, so the title shows
  `~/work/board.json` and help `~/.config/reqboard/config.toml`;
- the user, theme and keys come from the isolated environment of conftest.py.
Update with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs before committing.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList

from reqboard.store.board import Board
from reqboard.tui.app import ReqboardApp
from reqboard.tui.config import Config
from reqboard.tui.widgets import card_list

from tui_support import FIXED_NOW, StepClock, board_ready, build_small_board, copy_board, select_card, settle

BIG = (160, 50)
SMALL = (80, 24)


class FrozenDatetime(datetime):
    """`datetime` whose now() is FIXED_NOW: the card ages and overdue badges stop moving."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]  # the fixed moment is a plain datetime, not this class
        return FIXED_NOW if tz is None else FIXED_NOW.astimezone(tz)


@pytest.fixture(scope="session")
def fixed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small board, built as of a month before FIXED_NOW, with a change request assessed."""
    path = tmp_path_factory.mktemp("fixed") / "board.json"
    clock = StepClock(FIXED_NOW - timedelta(days=30))
    board = build_small_board(path, clock=clock)
    board.assess_change_request("CR-1", schedule_days=5, cost=1200, effort_hours=16, risk="high",
                                resources="one developer", affects=["REQ-3"])
    cr2 = board.add_change_request("REQ-6", "Send it on Fridays too", reason="the shop opens on Saturdays")
    board.assess_change_request(cr2.key, schedule_days=2, cost=300, effort_hours=4)
    board.decide_change_request(cr2.key, approve=True, rationale="cheap, and they asked twice")
    Board(path, "Sara Jones", clock=clock).edit_requirement(
        "REQ-5", {"description": "Scanners lose the network in the cold store; scans must not be lost."})
    return path


@pytest.fixture
def snap_app(fixed_template: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> ReqboardApp:
    monkeypatch.setattr(card_list, "datetime", FrozenDatetime)
    monkeypatch.setenv("REQBOARD_CONFIG_DIR", str(isolated_home / ".config" / "reqboard"))  # help: ~/.config/...
    path = isolated_home / "work" / "board.json"
    path.parent.mkdir()
    copy_board(fixed_template, path)
    return ReqboardApp(path, "tester", config=Config(), watch_interval=60)


def then(*keys: str, select: str | None = None,
         after: Callable[[Pilot], Awaitable[None]] | None = None) -> Callable[[Pilot], Awaitable[None]]:
    """A run_before: wait for the board, select a card, press keys, and let every load finish."""

    async def run_before(pilot: Pilot) -> None:
        await board_ready(pilot)
        if select:
            await select_card(pilot, select)
        await pilot.press(*keys)
        await settle(pilot)
        if after:
            await after(pilot)
            await settle(pilot)

    return run_before


async def _open_first_cr(pilot: Pilot) -> None:
    crs = pilot.app.screen.query_one("#detail-crs", OptionList)
    crs.focus()
    crs.highlighted = 0
    await pilot.press("enter")


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_board(snap_compare, snap_app: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=then(select="REQ-5"))


def test_board_swimlanes_by_tier(snap_compare, snap_app: ReqboardApp) -> None:
    assert snap_compare(snap_app, terminal_size=BIG, run_before=then("s", select="REQ-8"))


def test_board_80x24_scrolled_to_the_last_column(snap_compare, snap_app: ReqboardApp) -> None:
    assert snap_compare(snap_app, terminal_size=SMALL, run_before=then(select="REQ-7"))


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_detail(snap_compare, snap_app: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=then("enter", select="REQ-4"))


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_new_requirement_form(snap_compare, snap_app: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=then("n"))


def test_move_form_with_errors_80x24(snap_compare, snap_app: ReqboardApp) -> None:
    """The analysis a move to analysed asks for, submitted empty: each missing field says so."""
    assert snap_compare(snap_app, terminal_size=SMALL, run_before=then("greater_than_sign", "ctrl+s", select="REQ-2"))


@pytest.mark.parametrize("size", [BIG, SMALL], ids=["160x50", "80x24"])
def test_help(snap_compare, snap_app: ReqboardApp, size: tuple[int, int]) -> None:
    assert snap_compare(snap_app, terminal_size=size, run_before=then("question_mark"))


def test_change_request_pane(snap_compare, snap_app: ReqboardApp) -> None:
    assert snap_compare(snap_app, terminal_size=BIG, run_before=then("enter", select="REQ-4", after=_open_first_cr))


def test_change_request_view(snap_compare, snap_app: ReqboardApp) -> None:
    async def focus_table(pilot: Pilot) -> None:
        pilot.app.screen.query_one(DataTable).focus()

    assert snap_compare(snap_app, terminal_size=BIG, run_before=then("v", after=focus_table))


def test_the_fixed_board_is_built_the_same_every_time(tmp_path: Path) -> None:
    """The snapshots' premise: with the fixed clock, two builds differ only in their random uids."""

    def build(name: str) -> list[dict]:
        board = build_small_board(tmp_path / name, clock=StepClock(FIXED_NOW - timedelta(days=30)))
        return [r.model_dump(mode="json", exclude={"uid", "change_requests"}) for r in board.requirements()]

    first, second = build("one.json"), build("two.json")
    assert first == second
    assert first[3]["created_at"].startswith("2026-02-")


SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def stale_snapshots(snapshots: Path = SNAPSHOTS) -> list[str]:
    """The stored pictures no collected test takes (`<module>/<test id>.svg` with no such test)."""
    modules = sorted(folder.name for folder in snapshots.iterdir() if folder.is_dir())
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider",
                           *(f"tests/{module}.py" for module in modules)],
                          cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    tests = {tuple(line.removeprefix("tests/").split(".py::", 1))
             for line in proc.stdout.splitlines() if ".py::" in line}
    return sorted(f"{module}/{picture.stem}" for module in modules for picture in (snapshots / module).glob("*.svg")
                  if (module, picture.stem) not in tests)


def test_every_stored_snapshot_belongs_to_a_test(tmp_path: Path) -> None:
    """Under pytest-xdist the snapshot plugin does not look for pictures no test takes any more (syrupy
    skips its unused check when the run is split across workers): a renamed test or a dropped
    parameter would leave its picture behind, never compared again. This looks instead."""
    assert stale_snapshots() == []
    # It would see one: a copy of the stored pictures with one no test takes.
    copy = tmp_path / "__snapshots__"
    for folder in SNAPSHOTS.iterdir():
        if folder.is_dir():
            (copy / folder.name).mkdir(parents=True)
    (copy / "test_snapshots" / "test_board[120x40].svg").write_text("<svg/>")
    assert stale_snapshots(copy) == ["test_snapshots/test_board[120x40]"]
