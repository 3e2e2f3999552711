"""The `reqboard` command on a board on a PostgreSQL server (issue 14), through real processes against
the tests' own server (`pg_url`): `server init`, `server grant`/`revoke`, `migrate` between files and
servers, every board command working as on a file, the consultant's clone and sync, `--user` ignored
with a note, and no password ever printed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from reqboard.store.board import Board
from reqboard.store.pgstore import ServerURL
from reqboard.store.sync import clone_board

from cli_support import ReqboardProcess
from pg_server import PgServer, free_port

pytestmark = pytest.mark.slow  # (a process per command)

REPO = Path(__file__).resolve().parents[1]


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one `error:` line of a failed command (notes may come before it), no traceback."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("note: ")]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    return lines[0]


class Server:
    """A database of the tests' server and the `reqboard` command pointed at it by $REQBOARD_STORE."""

    def __init__(self, url: str, server: PgServer, run: ReqboardProcess) -> None:
        self.url, self.server, self.run = url, server, run
        self.parsed = ServerURL.parse(url)
        self.database = self.parsed.database
        self.shown = self.parsed.shown

    def __call__(self, *argv: str, code: int = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`reqboard ARGV` on this board, asserting its exit code (and, when it failed, one error line)."""
        proc = self.run(*argv, env={"REQBOARD_STORE": self.url, **(env or {})})
        assert proc.returncode == code, f"reqboard {' '.join(argv)} -> {proc.returncode}\n{proc.stdout}{proc.stderr}"
        if code:
            error_line(proc)
        else:
            assert "Traceback" not in proc.stderr, f"reqboard {' '.join(argv)}\n{proc.stderr}"
        return proc

    def out(self, *argv: str, env: dict[str, str] | None = None) -> str:
        """The output of a command that must succeed and say nothing on stderr."""
        proc = self(*argv, env=env)
        assert proc.stderr == "", proc.stderr
        return proc.stdout

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        """One statement as the superuser in this database."""
        return self.server.sql(statement, db=self.database)

    def url_as(self, login: str) -> str:
        """This database over the socket as another login."""
        return self.server.url(self.database, user=login)


@pytest.fixture
def db(pg_url: str, pg_server: PgServer, reqboard_process: ReqboardProcess) -> Server:
    """An empty database (no reqboard tables yet)."""
    return Server(pg_url, pg_server, reqboard_process)


@pytest.fixture
def team(db: Server) -> Server:
    """A database holding an empty board (`reqboard server init` run)."""
    db.out("server", "init", db.url)
    return db


def records(location: str | Path) -> dict[str, dict[str, Any]]:
    """The board's stored requirement records by key."""
    board = Board(location, "reader")
    try:
        return {str(r["key"]): dict(r) for r in board.snapshot().requirements.values()}
    finally:
        board.storage.close()


def history(location: str | Path) -> list[dict[str, Any]]:
    """The board's history events in order, without the generation (each store's own count)."""
    board = Board(location, "reader")
    try:
        return [{k: v for k, v in e.items() if k != "generation"} for e in board.storage.history()]
    finally:
        board.storage.close()


def markdown(name: str) -> str:
    """A database name as a Markdown report's title escapes it."""
    return name.replace("_", "\\_")


# ---------------------------------------------------------------------------- server init
def test_server_init_makes_the_tables_once_and_says_what_it_did(db: Server) -> None:
    assert db.out("server", "init", db.url) == f"made the reqboard tables in {db.shown} (schema 1)\n"
    assert db.sql("SELECT schema_version, generation FROM reqboard.board") == [(1, 0)]
    assert db.out("server", "init", db.url) == f"{db.shown} is already at schema 1\n"
    assert orjson.loads(db.out("server", "init", db.url, "--json")) == {
        "location": db.shown, "schema_found": 1, "schema": 1, "cards_refreshed": 0}
    assert db.out("add", "First") == "REQ-1\n"  # the board works
    # A card an older reqboard wrote (without links) is made again from its record, and that is said.
    db.sql("UPDATE reqboard.requirements SET card = card::jsonb - 'depends_on' - 'conflicts_with'")
    assert db.out("server", "init", db.url) == (
        f"{db.shown} is already at schema 1\nrefreshed the card of 1 requirement written by an older reqboard\n")


def test_server_init_refuses_a_newer_schema_and_changes_nothing(team: Server) -> None:
    team.out("add", "Kept")
    team.sql("UPDATE reqboard.board SET schema_version = 7")
    proc = team("server", "init", team.url, code=1)
    assert error_line(proc) == (f"error: {team.shown} is at schema 7, newer than this reqboard knows (1): nothing "
                                "was changed; upgrade reqboard to set it up")
    assert team.sql("SELECT schema_version, generation FROM reqboard.board") == [(7, 1)]
    # The board opens read-only: it reads, and every write is one refusal.
    assert "Kept" in team.out("list")
    assert "newer reqboard (schema 7" in error_line(team("add", "More", code=4))


def test_server_init_without_the_right_to_create_is_refused_with_exit_1(db: Server) -> None:
    db.server.create_role("cli_nobody")
    proc = db("server", "init", db.url_as("cli_nobody"), code=1)
    assert "the login cli_nobody may not make the reqboard tables there (permission denied for database" in proc.stderr
    assert "README: A team server" in proc.stderr
    assert db.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'reqboard'") == [(0,)]


def test_a_server_that_is_down_is_exit_4_naming_host_and_port(db: Server) -> None:
    port = free_port()
    url = f"postgresql://someone@127.0.0.1:{port}/{db.database}"
    for argv in (("server", "init", url), ("--store", url, "list"), ("migrate", url, "copy.json")):
        proc = db(*argv, code=4)
        assert error_line(proc).startswith(f"error: cannot reach the board server at 127.0.0.1:{port}: "), argv


def test_a_board_command_on_a_database_without_tables_says_to_run_server_init(db: Server) -> None:
    assert error_line(db("list", code=4)) == (f"error: {db.shown} holds no reqboard board: make one with "
                                              f"`reqboard server init {db.shown}`")


def test_without_psycopg_a_server_store_says_what_to_install(db: Server) -> None:
    script = ("import sys; sys.modules['psycopg'] = None; from reqboard.cli.main import main; "
              "sys.exit(main(sys.argv[1:]))")
    for argv in (["--store", db.url, "list"], ["server", "init", db.url]):
        proc = subprocess.run([sys.executable, "-c", script, *argv], cwd=REPO, capture_output=True, text=True,
                              timeout=60, check=False)
        assert proc.returncode == 2, proc.stderr
        assert error_line(proc) == ("error: postgresql:// stores need psycopg, which is not installed: "
                                    "pip install 'reqboard[postgres]'")


# ---------------------------------------------------------------------------- grant and revoke
def test_grant_lets_a_login_change_the_board_as_itself_and_read_only_lets_it_only_read(team: Server) -> None:
    proc = team("server", "grant", team.url, "cli_anna", code=1)
    assert 'there is no login "cli_anna" on the server' in proc.stderr
    assert 'CREATE ROLE "cli_anna" LOGIN; then \\password "cli_anna"' in proc.stderr
    team.server.create_role("cli_anna")
    anna = team.url_as("cli_anna")
    assert error_line(team("--store", anna, "list", code=4)).endswith(
        "ask the board's owner for access (README: A team server)")

    assert team.out("server", "grant", team.url, "cli_anna") == f"cli_anna may now change the board at {team.shown}\n"
    assert team.out("--store", anna, "add", "Anna's", "--customer", "ACME") == "REQ-1\n"
    # --user names nobody on a server: the database login is the author, and a --user given says so.
    proc = team("--store", anna, "--user", "bob", "edit", "REQ-1", "--owner", "zed")
    assert proc.stdout == "REQ-1 is now version 2\n"
    assert proc.stderr == ("note: --user is ignored on a server board: changes are made as the database login "
                           "cli_anna\n")
    assert [(e["by"], e["action"]) for e in history(team.url)] == [("cli_anna", "created"), ("cli_anna", "edited")]
    assert records(team.url)["REQ-1"]["updated_by"] == "cli_anna"
    assert team.sql("SELECT DISTINCT committed_by FROM reqboard.events") == [("cli_anna",)]

    assert team.out("server", "grant", team.url, "cli_anna", "--read-only") == (
        f"cli_anna may now read the board at {team.shown} (read-only)\n")
    assert "Anna's" in team.out("--store", anna, "list")
    for argv in (("add", "More"), ("edit", "REQ-1", "--owner", "x"), ("move", "REQ-1", "rejected", "--reason", "r"),
                 ("wip", "analysed", "3"), ("cr", "add", "REQ-1", "s")):
        refused = error_line(team("--store", anna, *argv, code=1))
        assert refused == (f"error: cli_anna may only read {ServerURL.parse(anna).shown}: it is open read-only; "
                           "ask the board's owner for write access (README: A team server)"), argv
    assert len(records(team.url)) == 1 and records(team.url)["REQ-1"]["version"] == 2

    assert orjson.loads(team.out("server", "revoke", team.url, "cli_anna", "--json")) == {
        "location": team.shown, "login": "cli_anna", "reads": False, "writes": False}
    assert "may not read the board" in error_line(team("--store", anna, "list", code=4))


def test_grant_quotes_the_login_name_and_only_the_owner_can_grant(team: Server) -> None:
    hostile = 'cli_x";DROP/**/TABLE/**/reqboard.requirements;--'  # (pg_server.url spells a space as +)
    team.server.create_role(hostile)
    assert team.out("server", "grant", team.url, hostile).startswith(hostile + " may now change the board")
    assert team.sql("SELECT to_regclass('reqboard.requirements') IS NOT NULL") == [(True,)]
    assert team.out("--store", team.url_as(hostile), "add", "Quoted") == "REQ-1\n"

    # An editor is no owner: its grant is refused (the server would only warn and grant nothing).
    team.server.create_role("cli_ed")
    team.server.create_role("cli_other")
    team.out("server", "grant", team.url, "cli_ed")
    proc = team("server", "grant", team.url_as("cli_ed"), "cli_other", code=1)
    assert 'the server took no grant from "cli_ed": only the owner of the board\'s tables' in proc.stderr
    assert "may not read the board" in error_line(team("--store", team.url_as("cli_other"), "list", code=4))


def test_grant_on_a_database_without_tables_says_to_run_server_init(db: Server) -> None:
    db.server.create_role("cli_anna")
    assert error_line(db("server", "grant", db.url, "cli_anna", code=4)) == (
        f"error: {db.shown} holds no reqboard board yet: make one with `reqboard server init {db.shown}`, then "
        "grant access to it")


# ---------------------------------------------------------------------------- every command on a server
def test_a_working_day_on_a_server_board_through_the_command_line(team: Server, tmp_path: Path) -> None:
    out = team.out
    assert out("add", "Export invoices as PDF", "--customer", "Northwind", "--tier", "A",
               "--criterion", "PDF opens in a viewer") == "REQ-1\n"
    assert out("add", "Dark mode", "--customer", "ACME") == "REQ-2\n"
    assert out("edit", "REQ-1", "--importance", "4", "--urgency", "5", "--kano", "must-be") == "REQ-1 is now version 2\n"
    assert out("move", "REQ-1", "analysed") == "REQ-1 is now analysed\n"
    assert out("approve", "REQ-1", "--comment", "agreed") == "REQ-1 approved by postgres; it is approved\n"
    assert out("move", "REQ-1", "in-progress", "--owner", "anna") == "REQ-1 is now in_progress\n"
    stale = error_line(team("edit", "REQ-1", "--title", "Stale", "--expect-version", "2", code=3))
    assert stale.startswith("error: REQ-1 changed since version 2: postgres saved version 5 at "), stale
    refused = error_line(team("move", "REQ-2", "analysed", code=1))
    assert refused.startswith("error: REQ-2 needs importance, urgency and a Kano class"), refused

    assert out("cr", "add", "REQ-1", "Landscape too", "--new-title", "Export invoices as PDF, any orientation") == "CR-1\n"
    assert out("cr", "assess", "CR-1", "--schedule-days", "2", "--cost", "800", "--effort-hours", "16") == (
        "CR-1 is now assessed\n")
    assert out("cr", "approve", "CR-1", "--rationale", "cheap") == "CR-1 is now approved\n"
    assert out("cr", "implement", "CR-1") == "CR-1 is now implemented\n"
    assert out("cr", "list").split()[:4] == ["CR-1", "implemented", "REQ-1", "Landscape"]
    assert out("edit", "REQ-1", "--check", "1").startswith("REQ-1 is now version")
    # The change request changed the approved text: it is signed again before it moves on (#15).
    assert error_line(team("move", "REQ-1", "done", code=1)).startswith("error: REQ-1 changed since it was approved")
    assert out("approve", "REQ-1", "--comment", "landscape agreed").startswith("REQ-1 approved by postgres")
    assert out("move", "REQ-1", "done") == "REQ-1 is now done\n"
    assert out("feedback", "REQ-1", "--satisfaction", "5", "--comment", "happy") == (
        "REQ-1 feedback recorded (5/5); it is fed_back\n")
    assert out("reject", "REQ-2", "--reason", "duplicate") == "REQ-2 rejected\n"
    assert out("wip", "in_progress", "3") == "WIP limit of in_progress: 3\n"
    assert "in_progress  3" in out("wip")

    listed = orjson.loads(out("list", "--json"))
    assert [(r["key"], r["state"], r["title"]) for r in listed] == [
        ("REQ-1", "fed_back", "Export invoices as PDF, any orientation"), ("REQ-2", "rejected", "Dark mode")]
    assert out("list", "--state", "rejected").splitlines()[1].split()[:2] == ["REQ-2", "rejected"]
    shown = out("show", "REQ-1")
    assert shown.startswith("REQ-1  Export invoices as PDF, any orientation\n  state        Fed back\n")
    assert "approved     by postgres at" in shown
    events = out("history", "REQ-1").splitlines()
    assert events and all(line.split()[2] == "postgres" for line in events)
    assert any("moved" in line and "in_progress -> done" in line for line in events)

    # Exchange and reports.
    exported = tmp_path / "board-export.json"
    assert out("export", "-o", str(exported)) == ""
    assert [r["key"] for r in orjson.loads(exported.read_bytes())["requirements"]] == ["REQ-1", "REQ-2"]
    assert out("import", str(exported), "--dry-run").startswith("would add 0 requirement(s), change 0, 2 unchanged")
    csv = tmp_path / "more.csv"
    csv.write_text("Title,Customer\nSSO login,Globex\n", encoding="utf-8")
    assert out("import", str(csv)).startswith("added 1 requirement(s)")
    assert records(team.url)["REQ-3"]["title"] == "SSO login"
    assert out("report").startswith(f"# Requirements report: {markdown(team.database)}\n")
    assert orjson.loads(out("report", "--format", "json"))["board"] == team.database

    # $REQBOARD_USER is ignored silently (out() asserted an empty stderr throughout); the login is the author.
    assert {r["updated_by"] for r in records(team.url).values()} == {"postgres"}

    # File upkeep is for board files: one line, exit 2, nothing else said.
    for argv in (("check",), ("check", "--repair"), ("restore",), ("restore", "--list")):
        line = error_line(team(*argv, code=2))
        assert line == (f"error: {team.shown} is kept by PostgreSQL, not in a file: check, repair, restore and "
                        "backups are for board files (back a server board up with pg_dump, or `reqboard migrate` "
                        "it into a file)"), argv


# ---------------------------------------------------------------------------- migrate
def test_migrate_file_to_server_to_file_keeps_every_record_and_the_history(team: Server, tmp_path: Path) -> None:
    start, back = tmp_path / "start.json", tmp_path / "back.json"
    board = Board(start, "ann")
    board.add_requirement("Export to PDF", customer="ACME", tier="A", tags=("export",),
                          acceptance_criteria=({"text": "opens"},))
    board.add_requirement("Login with SSO", customer="Globex", importance=3)
    board.edit_requirement("REQ-1", {"importance": 4, "urgency": 5, "kano": "must-be"})
    board.move_requirement("REQ-1", "analysed")
    board.approve("REQ-1", "fine")
    board.add_change_request("REQ-1", "Landscape too", new_title="Export to PDF, any orientation")
    board.reject("REQ-2", "duplicate")
    board.set_wip_limit("analysed", 4)
    first = board.snapshot()

    proc = team("migrate", str(start), team.url)
    assert proc.stdout == (f"migrated 2 requirements and {len(history(start))} history events from {start} "
                           f"to {team.shown}\n")
    assert proc.stderr == ""
    assert records(team.url) == records(start)
    assert history(team.url) == history(start)
    assert team.out("history", "REQ-1").count(" ann ") >= 3  # the authors as they were, not the login

    # Into a file again: the same board, and the key counters where they were.
    data = orjson.loads(team.out("migrate", team.url, str(back), "--json"))
    assert data == {"source": team.shown, "dest": str(back), "requirements": 2, "events": len(history(start))}
    assert records(back) == records(start)
    assert history(back) == history(start)
    last = Board(back, "ann").snapshot()
    assert (last.customers, last.settings, last.next_requirement, last.next_change_request) == (
        first.customers, first.settings, first.next_requirement, first.next_change_request)
    assert team.out("--store", str(back), "add", "Next") == "REQ-3\n"


def test_a_copy_cloned_from_a_file_syncs_with_the_server_the_file_migrated_to(team: Server, tmp_path: Path) -> None:
    team_file, copy = tmp_path / "team.json", tmp_path / "copy.json"
    board = Board(team_file, "ann")
    board.add_requirement("Export to PDF")
    board.add_requirement("Login with SSO")
    clone_board(board, Board(copy, "mia"))
    Board(copy, "mia").edit_requirement("REQ-1", {"owner": "mia"})
    team.out("migrate", str(team_file), team.url)
    team.out("edit", "REQ-2", "--owner", "srv")

    lines = team.out("--store", str(copy), "sync", team.url).splitlines()
    assert lines[1:] == ["pull 1 into ours: REQ-2", "push 1 to theirs: REQ-1", "history: 1 event in, 1 out"]
    assert records(team.url) == records(copy)
    assert records(team.url)["REQ-1"]["owner"] == "mia"
    assert "already in sync" in team.out("--store", str(copy), "sync")  # the server is remembered now


def test_migrate_refuses_what_is_not_an_empty_store(team: Server, tmp_path: Path) -> None:
    source = tmp_path / "source.json"
    Board(source, "ann").add_requirement("One")
    team.out("add", "Already here")
    before = records(team.url)
    refused = error_line(team("migrate", str(source), team.url, code=1))
    assert refused.startswith(f"error: {team.shown} is not empty (generation 1, 1 requirements)")
    assert records(team.url) == before

    bare = team.server.create_database()  # (no reqboard tables in it)
    try:
        bare_url = ServerURL.parse(team.server.url(bare)).shown
        assert error_line(team("migrate", str(source), team.server.url(bare), code=4)) == (
            f"error: {bare_url} holds no reqboard board: make one with `reqboard server init {bare_url}`")
    finally:
        team.server.drop_database(bare)

    link, fifo, folder = tmp_path / "link.json", tmp_path / "fifo.json", tmp_path / "folder.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    os.mkfifo(fifo)
    folder.mkdir()
    for dest, what in ((link, "a symbolic link"), (fifo, "a FIFO"), (folder, "a directory")):
        assert f"is {what}" in error_line(team("migrate", team.url, str(dest), code=4))
    assert link.is_symlink() and not (tmp_path / "elsewhere.json").exists()
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and folder.is_dir() and not any(folder.iterdir())
    missing, new = tmp_path / "missing.json", tmp_path / "new.json"
    assert error_line(team("migrate", str(missing), str(new), code=1)) == f"error: {missing}: no board there to migrate"
    assert not missing.exists() and not new.exists()


# ---------------------------------------------------------------------------- offline copies
def test_a_consultant_clones_the_server_board_works_offline_and_syncs_back(team: Server, tmp_path: Path) -> None:
    team.out("add", "Export to PDF", "--customer", "ACME")
    team.out("add", "Login with SSO", "--customer", "Globex")
    offline = tmp_path / "acme.json"
    assert team.out("clone", team.url, str(offline)) == (
        f"cloned 2 requirements from {team.shown} into {offline}; `reqboard --store {offline} sync` brings the "
        "work back\n")

    mine = {"REQBOARD_STORE": str(offline), "REQBOARD_USER": "mia"}
    assert team.out("add", "Invoices in Czech", env=mine) == "REQ-3\n"
    assert team.out("edit", "REQ-1", "--owner", "mia", env=mine) == "REQ-1 is now version 2\n"
    assert team.out("edit", "REQ-2", "--title", "Login with SAML") == "REQ-2 is now version 2\n"  # on the server

    synced = team.out("sync", env=mine)  # the server it was cloned from, remembered
    assert synced.splitlines()[0] == f"{offline} (ours) with {team.shown} (theirs)"
    on_server = records(team.url)
    assert on_server["REQ-1"]["owner"] == "mia" and on_server["REQ-3"]["title"] == "Invoices in Czech"
    assert records(offline)["REQ-2"]["title"] == "Login with SAML"
    assert records(offline) == on_server
    authors = {(e["key"], e["action"]): e["by"] for e in history(team.url)}
    assert authors[("REQ-3", "created")] == "mia" and authors[("REQ-2", "edited")] == "postgres"
    assert "already in sync" in team.out("sync", env=mine)


# ---------------------------------------------------------------------------- passwords
def test_a_password_in_a_url_works_and_is_never_printed(team: Server, tmp_path: Path) -> None:
    secret = "Pw-7f3e9-never-shown"
    team.server.create_role("cli_pw", password=secret)
    team.out("server", "grant", team.url, "cli_pw")
    with_password = team.server.tcp_url(team.database, "cli_pw", secret)
    shown = ServerURL.parse(with_password).shown
    assert secret not in shown
    note = ("note: a password in a URL shows in the process list and the shell history: keep it in ~/.pgpass "
            "(or the file $PGPASSFILE names) and leave it out of the URL")
    outputs: list[str] = []

    def run(*argv: str, code: int = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        proc = team(*argv, code=code, env=env)
        outputs.append(proc.stdout + proc.stderr)
        return proc

    proc = run("--store", with_password, "add", "Secret-free", "--json")
    assert orjson.loads(proc.stdout)["created_by"] == "cli_pw"
    assert proc.stderr == note + "\n"
    assert run("--store", with_password, "list", "--json").stdout.count('"key"') == 1
    assert orjson.loads(run("--store", with_password, "report", "--format", "json").stdout)["board"] == team.database
    assert run("--store", with_password, "report").stdout.startswith(f"# Requirements report: {markdown(team.database)}\n")
    offline = tmp_path / "offline.json"
    proc = run("clone", with_password, str(offline))
    assert proc.stdout.startswith(f"cloned 1 requirement from {shown} into {offline}")
    assert orjson.loads(run("clone", with_password, str(tmp_path / "second.json"), "--json").stdout)["source"] == shown
    run("edit", "REQ-1", "--owner", "mia", env={"REQBOARD_STORE": str(offline)})
    proc = run("--store", str(offline), "sync", with_password)
    assert f"(ours) with {shown} (theirs)" in proc.stdout
    assert records(team.url)["REQ-1"]["owner"] == "mia"
    assert run("--store", str(offline), "sync", with_password, "--json").stdout.count(shown) >= 1
    dumped = tmp_path / "dump.json"
    run("migrate", with_password, str(dumped), "--json")
    # Failures: a wrong password, a server that is down, a board command that is refused.
    wrong = team.server.tcp_url(team.database, "cli_pw", secret + "x")
    assert "password authentication failed" in error_line(run("--store", wrong, "list", code=4))
    down = f"postgresql://cli_pw:{secret}@127.0.0.1:{free_port()}/{team.database}"
    assert "cannot reach the board server at 127.0.0.1:" in error_line(run("--store", down, "list", code=4))
    assert error_line(run("--store", with_password, "show", "REQ-99", code=1)).startswith("error: ")
    assert error_line(run("--store", with_password, "check", code=2)).startswith(f"error: {shown} is kept by")
    assert error_line(run("migrate", str(offline), with_password, code=1)).startswith(f"error: {shown} is not empty")

    assert all(secret not in text for text in outputs), [text for text in outputs if secret in text]
    assert all(note in text for text in outputs if "note: a password" in text)
    # Nor is it kept anywhere a file board records the server (the clone's sync record, the history).
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_the_password_file_is_how_a_remembered_server_is_reached(team: Server, tmp_path: Path) -> None:
    secret = "Pw-in-the-file-only"
    team.server.create_role("cli_pf", password=secret)
    team.out("server", "grant", team.url, "cli_pf")
    url = team.server.tcp_url(team.database, "cli_pf")  # no password in it
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{team.server.port}:{team.database}:cli_pf:{secret}\n", encoding="utf-8")
    passfile.chmod(0o600)
    with_file = {"PGPASSFILE": str(passfile)}
    assert "password" in error_line(team("--store", url, "list", code=4))
    assert team.out("--store", url, "add", "Through the file", env=with_file) == "REQ-1\n"
    offline = tmp_path / "offline.json"
    team.out("clone", url, str(offline), env=with_file)
    team.out("--store", str(offline), "edit", "REQ-1", "--owner", "kim", env=with_file)
    assert orjson.loads(team.out("--store", str(offline), "sync", "--json", env=with_file))["pushed"] == ["REQ-1"]
    assert records(team.url)["REQ-1"]["owner"] == "kim"
