"""The TUI against hostile settings, failing background work and disguising text (issue 11: items 8,
9, 17 and the TUI side of 2): a bad setting falls back alone, a worker's failure is a one-line notice
on a board that stays usable, and user text reaches the terminal with bidi overrides made visible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Select, SelectionList, Static

from reqboard.store.board import Board
from reqboard.store.models import State
from reqboard.tui.app import ReqboardApp
from reqboard.tui.background import failure_message
from reqboard.tui.config import Config, load_config
from reqboard.tui.screens.board import BoardScreen
from reqboard.tui.screens.detail import DetailScreen
from reqboard.tui.screens.reports import ReportsScreen

from tui_support import (  # noqa: F401 (small and small_template are fixtures)
    POLL,
    SIZE,
    board_ready,
    cards,
    drawn,
    error,
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
    wait_until,
)

RLO = "\u202e"
"""RIGHT-TO-LEFT OVERRIDE: `REQ-1 txt.exe` typed with it before `exe.txt` reads as `REQ-1 txt.exe`."""
LINE_SEPARATOR = "\u2028"
HIDDEN = (RLO, LINE_SEPARATOR, "\u200b")


def write_config(text: str) -> Path:
    """`config.toml` in the test's config directory ($REQBOARD_CONFIG_DIR, set by conftest)."""
    path = Path(os.environ["REQBOARD_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def screen_text(app: Any) -> str:
    """Every character the current screen puts on the terminal, line by line."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def assert_nothing_hidden(text: str) -> None:
    for char in HIDDEN:
        assert char not in text, f"U+{ord(char):04X} reached the terminal"


async def assert_board_answers_keys(pilot: Pilot) -> None:
    """The board is on screen and still acts on a key (s: swimlanes by tier)."""
    app = pilot.app
    if not isinstance(app.screen, BoardScreen):
        await pilot.press("escape")
        await settle(pilot)
    screen = app.screen
    assert isinstance(screen, BoardScreen) and app.is_running
    before = screen.lanes
    await pilot.press("s")
    await settle(pilot)
    assert screen.lanes != before


# ---------------------------------------------------------------------- item 8: settings and their ranges
POLL_REFUSED = ["-1", "0", "0.05", "1e-9", "60.5", "1e308", "nan", "inf", "-inf", "true", '"1"', "[1]"]


@pytest.mark.parametrize("value", POLL_REFUSED)
def test_a_poll_interval_out_of_range_is_reported_and_only_it_falls_back(value: str) -> None:
    path = write_config(f'theme = "reqboard-light"\npoll_interval = {value}\n[keys]\n"card.new" = "N"\n')
    config, problems = load_config()
    assert problems == [f"{path}: poll_interval must be between 0.1 and 60 seconds; using 0.5"]
    assert config.poll_interval == 0.5
    # The other settings of the same file still apply.
    assert config.theme == "reqboard-light" and config.keys == {"card.new": "N"}


@pytest.mark.parametrize("value, expected", [("0.1", 0.1), ("60", 60.0), ("2", 2.0), ("0.25", 0.25)])
def test_a_poll_interval_within_range_is_used(value: str, expected: float) -> None:
    write_config(f"poll_interval = {value}\n")
    config, problems = load_config()
    assert problems == [] and config.poll_interval == expected and isinstance(config.poll_interval, float)


@pytest.mark.parametrize("value", ['""', "3", f'"{"x" * 101}"', f'"dark{RLO}"', "false"])
def test_a_theme_that_is_not_a_name_is_reported_and_the_default_used(value: str) -> None:
    path = write_config(f"theme = {value}\npoll_interval = 2\n")
    config, problems = load_config()
    assert problems == [f"{path}: theme must be the name of a theme (up to 100 printable characters); "
                        "using the default theme"]
    assert config.theme is None and config.poll_interval == 2.0


@pytest.mark.parametrize("value", ["true", "false", '"yes"'])
def test_the_dead_show_rejected_count_setting_is_an_unknown_setting(value: str) -> None:
    """It was never read by anything: a file that still has it is told so, as for any unknown key."""
    path = write_config(f"show_rejected_count = {value}\npoll_interval = 2\n")
    config, problems = load_config()
    assert problems == [f"{path}: unknown setting 'show_rejected_count'; ignored"]
    assert config == Config(poll_interval=2.0)


def test_each_unusable_key_binding_is_reported_and_the_others_still_apply() -> None:
    path = write_config('[keys]\n"card.new" = "N"\n"card.edit" = ""\n"app.quit" = 3\n'
                        '"board.filter" = "a,,b"\n"board.undo" = "ctrl +z"\n"card.open" = " enter , o "\n'
                        f'"board.archive" = "{RLO}a"\n')
    config, problems = load_config()
    assert config.keys == {"card.new": "N", "card.open": " enter , o "}
    said = "\n".join(problems)
    for binding in ("card.edit", "app.quit", "board.filter", "board.undo", "board.archive"):
        assert f"{path}: keys.{binding} " in said
        assert said.count(f"keys.{binding} ") == 1
    assert all(p.endswith("that binding keeps its default keys") for p in problems)


def test_a_keys_value_that_is_not_a_table_is_reported() -> None:
    path = write_config('keys = "N"\npoll_interval = 3\n')
    config, problems = load_config()
    assert config.keys == {} and config.poll_interval == 3.0
    assert problems == [f'{path}: keys must be a table of binding id = "key[,key...]"; '
                        "every binding keeps its default keys"]


def test_an_unknown_setting_is_named_with_a_suggestion_and_the_rest_applies() -> None:
    path = write_config(f'pol_interval = 2\n"x{RLO}y" = 1\ntheme = "reqboard-light"\n')
    config, problems = load_config()
    assert config == Config(theme="reqboard-light")
    assert problems == [f"{path}: unknown setting 'pol_interval' (did you mean poll_interval?); ignored",
                        f"{path}: unknown setting 'x<U+202E>y'; ignored"]


def test_a_file_that_is_not_toml_still_refuses_as_a_whole() -> None:
    from reqboard.tui.config import ConfigError

    write_config("poll_interval = = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config()


WEDGE_PROBE = r"""
import asyncio, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tui_support import board_ready, cards, notifications
from reqboard.tui.app import ReqboardApp

async def main(path):
    app = ReqboardApp(Path(path), "tester")
    async with app.run_test(size=(120, 30)) as pilot:
        await board_ready(pilot)
        seen = {"interval": app.watch_interval, "cards": len(cards(app, "collected").cards),
                "notices": notifications(app)}
        await pilot.press("q")
        await pilot.pause()
        seen["running"] = app.is_running
    print(json.dumps(seen))

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.parametrize("value", ["-1", "nan"])
def test_the_app_with_a_hostile_poll_interval_draws_says_so_once_and_quits_on_q(small: Path, value: str) -> None:
    """The wedge of item 8: a blank screen at full CPU that ignored q and ctrl+c. The board now polls
    at the default, draws its cards, reports the setting once and quits on q. In a child process with
    a time limit, so that a wedge fails the test instead of hanging the suite."""
    path = write_config(f"poll_interval = {value}\n")
    try:
        proc = subprocess.run([sys.executable, "-c", WEDGE_PROBE, str(small), str(Path(__file__).parent)],
                              capture_output=True, text=True, timeout=60, cwd=Path(__file__).parents[1])
    except subprocess.TimeoutExpired:
        pytest.fail(f"poll_interval = {value} wedged the app: no board and no quit within 60 s")
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["interval"] == 0.5 and seen["cards"] == 2 and seen["running"] is False
    assert [n for n in seen["notices"] if "poll_interval" in n] == [
        f"{path}: poll_interval must be between 0.1 and 60 seconds; using 0.5"]


async def test_a_theme_that_is_not_installed_is_reported(small: Path) -> None:
    path = write_config('theme = "no-such-theme"\n')
    app = ReqboardApp(small, "tester")
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        assert app.theme == "reqboard-dark"
        said = [n for n in notifications(app) if "no-such-theme" in n]
        assert len(said) == 1 and said[0].startswith(f"{path}: theme 'no-such-theme' is not installed")
        assert "using reqboard-dark" in said[0]


# ---------------------------------------------------------------------- item 9: failing background work
def test_a_failure_message_is_one_line_without_the_record() -> None:
    secret = {"title": "Merger with Initech", "description": "confidential " * 40}
    message = failure_message(KeyError(repr(secret)), "Reading the board")
    assert "\n" not in message and len(message) < 300
    assert message.startswith("Reading the board failed (KeyError: ") and "reqboard check" in message
    assert "confidential " * 10 not in message and "…)" in message  # cut, not dumped


def test_a_record_the_models_refuse_is_named_by_its_field_not_its_contents() -> None:
    from pydantic import ValidationError

    from reqboard.store.models import Event

    try:
        Event.model_validate({"at": "2026-01-01T00:00:00Z", "by": "x" * 81, "key": "board", "action": "a"})
    except ValidationError as exc:
        message = failure_message(exc, "Computing the reports")
    assert message.startswith("Computing the reports failed: the board holds a record reqboard cannot read (invalid by")
    assert "x" * 81 not in message and "input_value" not in message and "\n" not in message


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyError("title"), OverflowError("int too large")])
async def test_a_failing_read_in_the_detail_pane_is_a_notice_and_the_board_goes_on(
        small: Path, monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    def history(self: Board, key: str | None = None, *, field: str | None = None) -> list[Any]:
        raise error

    monkeypatch.setattr(Board, "history", history)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen) and app.is_running
        said = [n for n in notifications(app) if type(error).__name__ in n]
        assert len(said) == 1 and said[0].startswith(f"Reading REQ-1 failed ({type(error).__name__}")
        assert "\n" not in said[0] and "Traceback" not in said[0]
        await assert_board_answers_keys(pilot)


async def test_a_failing_reports_read_is_said_on_the_screen(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def history(self: Board, key: str | None = None, *, field: str | None = None) -> list[Any]:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(Board, "history", history)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportsScreen) and app.is_running
        headline = text_of(screen.query_one("#reports-headline", Static))
        assert headline == ("Cannot read the board: Computing the reports failed (OverflowError: date value out of "
                            "range). The board is still open; if this happens again, run `reqboard check` and report it")
        assert not screen.query_one("#reports-body").loading
        await assert_board_answers_keys(pilot)


async def test_a_failing_save_is_said_on_the_form_which_can_be_used_again(
        small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_edit = Board.edit_requirement

    def edit(self: Board, key: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(key)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return real_edit(self, key, *args, **kwargs)

    monkeypatch.setattr(Board, "edit_requirement", edit)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("e")
        await settle(pilot)
        dialog = form(app)
        fill(pilot, "#field-title", "PDF invoices")
        await submit(pilot)
        assert app.screen is dialog and app.is_running
        assert text_of(dialog.query_one("#form-error")).startswith(
            "Edit REQ-1 failed (RuntimeError: disk on fire). The board is still open")
        assert not dialog.query_one("#submit", Button).disabled
        await submit(pilot)  # the same form saves once the fault is gone
        assert app.screen is not dialog
        assert Board(small, "check").get("REQ-1").title == "PDF invoices"
        await assert_board_answers_keys(pilot)


async def test_a_failing_undo_is_a_notice(small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("e")
        await settle(pilot)
        fill(pilot, "#field-title", "PDF invoices")
        await submit(pilot)

        real_replace = Board.replace_requirement

        def replace(self: Board, *args: Any, **kwargs: Any) -> Any:
            raise KeyError("version")

        monkeypatch.setattr(Board, "replace_requirement", replace)
        await pilot.press("u")
        await settle(pilot)
        assert app.is_running
        assert "Undoing failed (KeyError: 'version'). The board is still open; if this happens again, " \
               "run `reqboard check` and report it" in notifications(app)
        # The failed undo kept its entry: once the fault is gone, `u` takes the edit back.
        assert [entry.what for entry in app.link.undo_entries] == ["REQ-1 edited"]
        monkeypatch.setattr(Board, "replace_requirement", real_replace)
        await pilot.press("u")
        await settle(pilot)
        assert "Undone: REQ-1 edited" in notifications(app)
        assert Board(small, "check").get("REQ-1").title == "Export invoices as PDF"
        assert app.link.undo_entries == ()
        await assert_board_answers_keys(pilot)


async def test_a_board_that_fails_to_load_says_so_once_and_recovers(
        small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reqboard.store.reader import BoardReader

    real_cards = BoardReader.cards
    broken = {"yes": True}

    failures: list[int] = []

    def cards_or_fault(self: BoardReader) -> Any:
        if broken["yes"]:
            failures.append(1)
            raise TypeError("unhashable type: 'dict'")
        return real_cards(self)

    monkeypatch.setattr(BoardReader, "cards", cards_or_fault)
    app = open_app(small, watch_interval=POLL)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_until(pilot, lambda: notifications(app), "the failure to be said")
        tries = len(failures)
        await wait_until(pilot, lambda: len(failures) >= tries + 5, "five more polls to fail the same way")
        await settle(pilot)
        assert app.is_running and not screen.loaded
        assert notifications(app) == ["Reading the board failed (TypeError: unhashable type: 'dict'). The board is "
                                      "still open; if this happens again, run `reqboard check` and report it"]
        assert "cannot read the board" in text_of(screen.query_one("#board-title"))
        broken["yes"] = False
        await wait_until(pilot, lambda: screen.loaded, "the next poll to read the board")
        assert cards(app, State.COLLECTED).cards


async def test_a_worker_whose_own_handling_fails_is_caught_by_the_net(
        small: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`show` runs on the UI thread, in the handler of the read's answer; an error there would, by
    Textual's default, end the app. The reading screen's net makes it a notice."""
    def show(self: DetailScreen, result: Any) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(DetailScreen, "show", show)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, DetailScreen)
        assert ("Reading the board failed (ZeroDivisionError: division by zero). The board is still open; "
                "if this happens again, run `reqboard check` and report it") in notifications(app)
        await assert_board_answers_keys(pilot)


def plant_long_key(path: Path) -> str:
    """Give REQ-1 of a board file the key REQ-12345678901234567, by hand and in the store's layout
    (record id = key number, a key counter above it, and its history line in the journal), as a
    CSV or ReqIF import used to. Returns the key."""
    key = "REQ-12345678901234567"
    data = json.loads(path.read_text(encoding="utf-8"))
    meta = next(iter(data["meta"].values()))
    record = data["requirements"].pop("1")
    record["key"] = key
    data["requirements"][key.removeprefix("REQ-")] = record
    meta["next_requirement"] = int(key.removeprefix("REQ-")) + 1
    journal = path.with_name(path.name + ".history.jsonl")
    with journal.open("ab") as fh:
        fh.write(json.dumps({"at": "2026-03-01T10:00:00Z", "by": "anna", "key": key, "action": "created",
                             "field": "title", "old": None, "new": record["title"], "reason": "imported",
                             "generation": meta["generation"]}).encode() + b"\n")
    meta["journal_size"] = journal.stat().st_size
    path.write_text(json.dumps(data), encoding="utf-8")
    return key


async def test_reports_on_a_board_with_a_seventeen_digit_key_do_not_crash(small: Path) -> None:
    """Issue 11, item 2: such a key wedged the board, and `r` ended the TUI with a traceback."""
    plant_long_key(small)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        # Whether the store reads the record or refuses the board, the board screen settles.
        await wait_until(pilot, lambda: screen.loaded or notifications(app), "the board to load or say why not")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        reports = app.screen
        assert isinstance(reports, ReportsScreen) and app.is_running
        await wait_until(pilot, lambda: not reports.query_one("#reports-body").loading, "the reports to finish")
        headline = text_of(reports.query_one("#reports-headline", Static))
        assert reports.metrics is not None or headline.startswith("Cannot read the board: ")
        for notice in [*notifications(app), headline]:
            assert "\n" not in notice and "Traceback" not in notice and "input_value" not in notice
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen is not screen  # help: the board still answers its keys


# ---------------------------------------------------------------------- item 17: text that disguises itself
TITLE = f"Invoice {RLO}fdp.exe{LINE_SEPARATOR}second line"


@pytest.fixture
def disguised(small: Path) -> Path:
    """The small board with REQ-1's title, customer and criteria carrying an override and a separator."""
    board = Board(small, "anna")
    board.edit_requirement("REQ-1", {
        "title": TITLE, "customer": f"North{RLO}wind",
        "description": f"first{LINE_SEPARATOR}second {RLO}x",
        "acceptance_criteria": ({"text": f"[b]crit[/b] {RLO}one", "done": False},),
    })
    board.edit_requirement("REQ-5", {"acceptance_criteria": ({"text": f"[b]crit[/b] {RLO}one", "done": False},)})
    board.approve("REQ-5", "the new criterion too")  # #15: a changed text is signed again before it moves on
    return small


async def test_a_card_shows_a_bidi_override_as_text(disguised: Path) -> None:
    app = open_app(disguised)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        column = drawn(cards(app, State.COLLECTED))
        assert "▌Invoice" in column and "▌<U+202E>fdp.exe" in column and "North<U+202E>wind" in column
        assert_nothing_hidden(column)
        text = screen_text(app)
        assert "<U+202E>" in text
        assert_nothing_hidden(text)
        # Lanes by customer draw the customer's name in the lane header, made visible too.
        await pilot.press("s", "s")
        await settle(pilot)
        column = drawn(cards(app, State.COLLECTED))
        assert "── North<U+202E>wind (1" in column
        assert_nothing_hidden(screen_text(app))


async def test_the_detail_pane_shows_a_bidi_override_as_text(disguised: Path) -> None:
    app = open_app(disguised)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-1")
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        assert text_of(detail.query_one("#detail-title")) == "REQ-1  Invoice <U+202E>fdp.exe second line   [Collected]"
        fields = text_of(detail.query_one("#detail-fields"))
        assert "first\nsecond <U+202E>x" in fields  # a paragraph separator in a description is a line break
        assert "[ ] [b]crit[/b] <U+202E>one" in fields
        history = text_of(detail.query_one("#detail-history"))
        assert "<U+202E>fdp.exe second line" in history
        text = screen_text(app)
        assert "<U+202E>" in text
        assert_nothing_hidden(text)


async def test_the_done_checklist_shows_a_criterion_literally(disguised: Path) -> None:
    """Its labels were read as markup ([b]...[/b] vanished) and sent raw to the terminal."""
    app = open_app(disguised)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await select_card(pilot, "REQ-5")
        await pilot.press("greater_than_sign")
        await settle(pilot)
        checklist = form(app).query_one(SelectionList)
        assert str(checklist.get_option_at_index(0).prompt) == "[b]crit[/b] <U+202E>one"
        assert_nothing_hidden(screen_text(app))


async def test_the_palette_shows_a_title_and_customer_literally(disguised: Path) -> None:
    app = open_app(disguised)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
        app.screen.query_one(Input).value = "invoice"
        hits = app.screen.query_one("CommandList", OptionList)

        def hit_text() -> str:
            return "\n".join(str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count))

        await wait_until(pilot, lambda: "REQ-1" in hit_text(), "a palette hit for REQ-1")
        assert "Invoice <U+202E>fdp.exe second line" in hit_text()
        assert "Collected · North<U+202E>wind" in hit_text()
        assert_nothing_hidden(screen_text(app))


async def test_the_title_bar_and_notices_show_a_bidi_override_as_text(disguised: Path) -> None:
    app = open_app(disguised)
    async with app.run_test(size=SIZE) as pilot:
        screen = await board_ready(pilot)
        await pilot.press("slash")
        await settle(pilot)
        fill(pilot, "#field-query", f"fdp{RLO}")
        await submit(pilot)
        assert "filter: fdp<U+202E> (" in text_of(screen.query_one("#board-title"))
        app.notify(f"{RLO}txt.exe{LINE_SEPARATOR}", title=f"a{RLO}", markup=False)
        await pilot.pause()
        assert notifications(app)[-1] == "<U+202E>txt.exe "
        assert list(app._notifications)[-1].title == "a<U+202E>"
        assert_nothing_hidden(screen_text(app))


# ---------------------------------------------------------------------- exports and imports from the board
async def _export_to(pilot: Pilot, target: Path) -> None:
    pilot.app.screen.action_export()
    await settle(pilot)
    fill(pilot, "#field-path", str(target))
    await submit(pilot)


async def test_an_export_onto_the_board_file_is_refused_and_the_board_kept(small: Path) -> None:
    """Item 5 from the board: its export form replaced whatever it was given, the board itself too."""
    before = small.read_bytes()
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        await _export_to(pilot, small)
        dialog = form(app)
        assert error(dialog, "path").startswith(f"refusing to write onto {small}")
        assert small.read_bytes() == before
        fill(pilot, "#field-path", str(small.with_name("out.json")))
        await submit(pilot)
        assert not isinstance(app.screen, type(dialog))
        assert json.loads(small.with_name("out.json").read_text(encoding="utf-8"))["format"] == "reqboard"


@pytest.mark.parametrize("kind", ["a FIFO (named pipe)", "a character device"])
async def test_an_import_from_a_fifo_or_device_is_refused_without_reading(small: Path, tmp_path: Path, kind: str) -> None:
    """Item 10 from the board: the import form read a FIFO (waiting for a writer forever) or a device
    (/dev/zero never ends) on its worker. /dev/null reads as an empty file: the old form took it."""
    if kind == "a character device":
        source = Path(os.devnull)
    else:
        source = tmp_path / "rows.csv"
        os.mkfifo(source)
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        app.screen.action_import_file()
        await settle(pilot)
        fill(pilot, "#field-path", str(source))
        form(app).query_one("#field-format", Select).value = "csv"  # /dev/null names no format
        await submit(pilot)
        assert error(form(app), "path") == f"cannot import: it is not a regular file ({kind})"


async def test_an_import_of_another_boards_key_is_refused_or_added_under_a_new_key(
        small: Path, tmp_path: Path) -> None:
    """Item 6 from the board: a row whose key is a different requirement here is refused by default and,
    as with --rekey, can be added under a new key."""
    other = tmp_path / "other" / "board.json"
    other.parent.mkdir()
    Board(other, "consultant").add_requirement("Offline copy's REQ-1")
    from reqboard.store.exchange import export_board

    rows = tmp_path / "rows.csv"
    rows.write_bytes(export_board(Board(other, "consultant"), "csv"))
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        for rekey in ("refuse", "rekey"):
            app.screen.action_import_file()
            await settle(pilot)
            fill(pilot, "#field-path", str(rows))
            form(app).query_one("#field-rekey", Select).value = rekey
            await submit(pilot)
            dialog = form(app)
            if rekey == "refuse":
                assert dialog.form_title == "Cannot import rows.csv"
                assert "REQ-1 in the file is not REQ-1 on this board" in dialog.intro
            else:
                assert dialog.form_title == "Import rows.csv?"
            await submit(pilot)
    titles = {r.key: r.title for r in Board(small, "check").requirements()}
    assert titles["REQ-1"] == "Export invoices as PDF"
    assert titles["REQ-10"] == "Offline copy's REQ-1"


async def test_an_undo_refused_for_good_lets_the_older_changes_be_undone(small: Path) -> None:
    """Someone else changed the requirement since: undoing our edit is refused (it would wipe theirs),
    and that entry goes, so `u` goes on to the change before it instead of failing on it forever."""
    first_title = Board(small, "check").get("REQ-1").title
    app = open_app(small)
    async with app.run_test(size=SIZE) as pilot:
        await board_ready(pilot)
        for key, title in (("REQ-1", "First, edited"), ("REQ-2", "Second, edited")):
            await select_card(pilot, key)
            await pilot.press("e")
            await settle(pilot)
            fill(pilot, "#field-title", title)
            await submit(pilot)
        assert [entry.what for entry in app.link.undo_entries] == ["REQ-1 edited", "REQ-2 edited"]
        Board(small, "bob").edit_requirement("REQ-2", {"owner": "bob"})
        await pilot.press("u")
        await settle(pilot)
        assert any(n.startswith("Undo not applied: bob changed REQ-2 since") for n in notifications(app)), notifications(app)
        assert [entry.what for entry in app.link.undo_entries] == ["REQ-1 edited"]
        await pilot.press("u")
        await settle(pilot)
        assert "Undone: REQ-1 edited" in notifications(app)
        after = Board(small, "check")
        assert after.get("REQ-1").title == first_title
        assert (after.get("REQ-2").title, after.get("REQ-2").owner) == ("Second, edited", "bob")
