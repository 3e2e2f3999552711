"""Issue #18 item 17: `reqboard --demo` opens a cached copy of today's demo board (built once a day per
language, zone and user), a fresh private copy per run; a corrupt, foreign or linked cache is never
trusted; copies that killed runs left behind are removed by the next run, never a live run's."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from reqboard.store import demo, demo_copy
from reqboard.store.board import Board
from reqboard.store.demo_copy import OWNER_FILE, PREFIX, DemoCopy, fresh_copy, remove_stale_copies
from reqboard.store.reader import BoardReader

DAY = datetime(2026, 3, 18, 15, 30, tzinfo=UTC)
SHANGHAI_EVENING = datetime(2026, 3, 18, 20, 0, tzinfo=UTC)  # already the 19th in Shanghai


class CountingBuilder:
    """Stands in for `build_demo_board`: a one-requirement board, titled by what it was built for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def __call__(self, path: Path, *, user: str, now: datetime | None, chinese: bool, zone: tzinfo) -> Board:
        day = (now or datetime.now(UTC)).astimezone(zone).date().isoformat()
        self.calls.append((day, chinese))
        board = Board(path, user)
        board.add_requirement(f"Sample for {day}" + (" (zh)" if chinese else ""), channel="email")
        return board


@pytest.fixture
def builder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CountingBuilder:
    made = CountingBuilder()
    monkeypatch.setattr(demo, "build_demo_board", made)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "runs").mkdir()
    return made


def copy_for(tmp_path: Path, now: datetime = DAY, *, chinese: bool = False, zone: tzinfo = UTC) -> DemoCopy:
    return fresh_copy(chinese=chinese, zone=zone, user="tester", now=now, where=tmp_path / "runs")


def titles(copy: DemoCopy) -> list[str]:
    return [card.title for card in BoardReader(copy.board, "tester").cards()]


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "reqboard").glob("demo-*.board"))


def test_the_second_run_of_a_day_copies_the_cache_and_each_run_has_its_own_copy(builder: CountingBuilder,
                                                                                 tmp_path: Path) -> None:
    first = copy_for(tmp_path)
    second = copy_for(tmp_path)
    assert builder.calls == [("2026-03-18", False)]  # built once, then copied
    assert first.folder != second.folder and titles(second) == ["Sample for 2026-03-18"]
    # Private: a change to one copy is in no other copy, nor in the cache.
    Board(second.board, "tester").add_requirement("Mine", channel="email")
    assert titles(first) == ["Sample for 2026-03-18"]
    assert titles(copy_for(tmp_path)) == ["Sample for 2026-03-18"] and len(builder.calls) == 1
    # Owned by this process, private to the user: the folder 0700, the files and the cache 0600.
    assert (second.folder / OWNER_FILE).read_text().split()[0] == str(os.getpid())
    assert stat.S_IMODE(second.folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(second.board.stat().st_mode) == 0o600
    [cached] = cache_files(tmp_path)
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600 and stat.S_IMODE(cached.parent.stat().st_mode) == 0o700
    second.remove()
    assert not second.folder.exists() and first.board.exists()


def test_another_day_language_or_zone_builds_again(builder: CountingBuilder, tmp_path: Path) -> None:
    copy_for(tmp_path)
    assert titles(copy_for(tmp_path, DAY + timedelta(days=1))) == ["Sample for 2026-03-19"]  # never yesterday's
    assert titles(copy_for(tmp_path, chinese=True)) == ["Sample for 2026-03-18 (zh)"]
    from zoneinfo import ZoneInfo

    assert titles(copy_for(tmp_path, SHANGHAI_EVENING, zone=ZoneInfo("Asia/Shanghai"))) == ["Sample for 2026-03-19"]
    copy_for(tmp_path, DAY + timedelta(hours=3))  # later the same day: the cache
    assert builder.calls == [("2026-03-18", False), ("2026-03-19", False), ("2026-03-18", True),
                             ("2026-03-19", False)]


def test_a_corrupt_or_foreign_cache_is_built_again(builder: CountingBuilder, tmp_path: Path) -> None:
    copy_for(tmp_path)
    [cached] = cache_files(tmp_path)
    good = cached.read_bytes()
    header, _newline, body = good.partition(b"\n")
    spoiled = {
        "a flipped byte": header + b"\n" + body[:40] + bytes([body[40] ^ 1]) + body[41:],
        "cut short": good[: len(good) // 2],
        "garbage": b"\x00\xff not a cache\n" * 3,
        "another day's key": header.replace(b"2026-03-18", b"2026-03-17") + b"\n" + body,
    }
    for n, (what, data) in enumerate(spoiled.items(), start=2):
        cached.write_bytes(data)
        assert titles(copy_for(tmp_path)) == ["Sample for 2026-03-18"], what
        assert len(builder.calls) == n, what  # not trusted: built again
        copy_for(tmp_path)
        assert len(builder.calls) == n, what  # and the cache written good again


def test_a_linked_cache_folder_or_file_is_not_followed(builder: CountingBuilder, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = tmp_path / "cache" / "reqboard"
    cache.parent.mkdir()
    cache.symlink_to(elsewhere)
    copy_for(tmp_path)
    copy_for(tmp_path)
    assert len(builder.calls) == 2 and list(elsewhere.iterdir()) == []  # no cache: built each time, nothing written
    cache.unlink()
    copy_for(tmp_path)  # a cache of its own now
    [cached] = cache_files(tmp_path)
    planted = elsewhere / "planted"
    planted_bytes = cached.read_bytes()
    planted.write_bytes(planted_bytes)  # a good cache file, but reached through a link
    cached.unlink()
    cached.symlink_to(planted)
    copy_for(tmp_path)
    assert len(builder.calls) == 4
    assert not cached.is_symlink() and planted.read_bytes() == planted_bytes  # replaced, not written through
    cached.unlink()
    os.mkfifo(cached)  # a FIFO in its place would block a reader forever: skipped
    assert titles(copy_for(tmp_path)) == ["Sample for 2026-03-18"] and len(builder.calls) == 5


def test_copies_left_by_dead_runs_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)

    def copy_folder(name: str, owner: str | None) -> Path:
        folder = tmp_path / (PREFIX + name)
        folder.mkdir(mode=0o700)
        (folder / "demo.json").write_text("{}")
        if owner is not None:
            (folder / OWNER_FILE).write_text(owner)
        return folder

    dead = copy_folder("dead", f"{dead_pid} 1\n")
    live = copy_folder("live", f"{os.getpid()} {demo_copy._started(os.getpid())}\n")
    reused = copy_folder("reused", f"{os.getpid()} 1\n")  # our pid, but a process that started at another time
    unknown = copy_folder("unknown", None)  # no owner recorded (an older reqboard's): left alone
    other = tmp_path / "not-a-demo"
    other.mkdir()
    (other / OWNER_FILE).write_text(f"{dead_pid} 1\n")
    link = tmp_path / (PREFIX + "link")
    link.symlink_to(other.name)  # a stale copy's name, but a link: never followed
    linked_owner = copy_folder("linked-owner", None)
    (linked_owner / OWNER_FILE).symlink_to(dead / OWNER_FILE)  # an owner file that is a link is never read

    removed = remove_stale_copies(tmp_path)
    assert sorted(removed) == sorted([dead, reused])
    assert not dead.exists() and not reused.exists()
    assert live.is_dir() and unknown.is_dir() and linked_owner.is_dir()
    assert link.is_symlink() and (other / OWNER_FILE).is_file()
    if os.geteuid() == 0:  # another user's copy, even of a dead process, is theirs
        theirs = copy_folder("theirs", f"{dead_pid} 1\n")
        os.chown(theirs, 4242, 4242)
        assert remove_stale_copies(tmp_path) == [] and theirs.is_dir()


CHILD = """
import os, signal, sys
from pathlib import Path
from reqboard.store import demo, demo_copy
from reqboard.store.board import Board
from reqboard.tui import app as app_module

def build(path, *, user, now, chinese, zone):
    Board(path, user).add_requirement("Sample", channel="email")

demo.build_demo_board = build
made = demo_copy.fresh_copy
def fresh_copy(**kwargs):
    copy = made(**kwargs)
    print(copy.folder, flush=True)
    return copy
demo_copy.fresh_copy = fresh_copy

class Probe(app_module.ReqboardApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # (relative paths are the subclass's)

    def on_mount(self):
        super().on_mount()
        print("running", flush=True)
    def run(self, **kwargs):
        return super().run(headless=True)

app_module.ReqboardApp = Probe
sys.exit(app_module.run_demo("tester"))
"""


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGHUP, -signal.SIGHUP), (signal.SIGTERM, 0)])
def test_a_hang_up_or_terminate_removes_the_copy(tmp_path: Path, signum: int, exit_code: int) -> None:
    """The terminal closed (SIGHUP): the copy is removed and the process ends as the signal says;
    SIGTERM: the app exits as if asked, and the copy is removed."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path)}
    script = tmp_path / "child.py"  # (a file: Textual reads the source of the app's classes)
    script.write_text(textwrap.dedent(CHILD))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None
        folder = Path(child.stdout.readline().strip())
        assert folder.parent == tmp_path and (folder / "demo.json").is_file()
        assert child.stdout.readline().strip() == "running"
        child.send_signal(signum)
        assert child.wait(timeout=30) == exit_code
    finally:
        if child.poll() is None:
            child.kill()
    assert not folder.exists()



def test_a_build_is_announced_and_a_copy_of_the_cache_is_not(builder: CountingBuilder, tmp_path: Path) -> None:
    said: list[str] = []
    fresh_copy(chinese=False, zone=UTC, user="tester", now=DAY, where=tmp_path / "runs",
               building=lambda: said.append("building"))
    assert said == ["building"] and len(builder.calls) == 1  # said before the seconds of the build
    fresh_copy(chinese=False, zone=UTC, user="tester", now=DAY, where=tmp_path / "runs",
               building=lambda: said.append("building"))
    assert said == ["building"] and len(builder.calls) == 1  # copied from the cache: nothing to say
