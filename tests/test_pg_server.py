"""The PostgreSQL server the tests start (tests/pg_server.py, the `pg_server` and `pg_url` fixtures):
it runs as an unprivileged user, gives each test an empty database of its own, answers over the socket
and over TCP, stops and starts again with its data, and leaves nothing behind however its process ends."""

from __future__ import annotations

import os
import pwd
import signal
import stat
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from pg_server import PgServer, ServerMissing, cluster_parent, find_bindir, launch
from waiting import wait_until

TESTS = Path(__file__).resolve().parent
USER_RELATIONS = """SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"""
# Databases handed to the runs of test_each_test_gets_an_empty_database_of_its_own so far.
SEEN_DATABASES: set[str] = set()


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie waiting to be reaped."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    return fields[0] != "Z"


def postmaster_pid(data: Path) -> int:
    return int((data / "postmaster.pid").read_text().splitlines()[0])


def process_uid(pid: int) -> int:
    """The real user id of process `pid`."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for process {pid}")


def database_of(url: str) -> str:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    assert isinstance(name, str)
    return name


def make_programs(bindir: Path, *names: str) -> None:
    bindir.mkdir(parents=True)
    for name in names:
        (bindir / name).write_text("#!/bin/sh\n")
        (bindir / name).chmod(0o755)


def test_the_newest_installed_server_is_found_when_pg_config_names_none(tmp_path: Path) -> None:
    root = tmp_path / "postgresql"
    for version in ("9.6", "10", "15"):
        make_programs(root / version / "bin", "initdb", "pg_ctl", "postgres")
    make_programs(root / "16" / "bin", "pg_ctl", "psql")  # a client only: no server to start
    assert find_bindir(pg_config=None, roots=[root]) == root / "15" / "bin"
    assert find_bindir(pg_config=None, roots=[tmp_path / "nowhere"]) is None


def test_pg_config_s_bindir_is_preferred_when_it_holds_the_server(tmp_path: Path) -> None:
    root = tmp_path / "postgresql"
    make_programs(root / "15" / "bin", "initdb", "pg_ctl", "postgres")
    chosen = tmp_path / "custom" / "bin"
    make_programs(chosen, "initdb", "pg_ctl", "postgres")
    pg_config = tmp_path / "pg_config"
    pg_config.write_text(f"#!/bin/sh\necho {chosen}\n")
    pg_config.chmod(0o755)
    assert find_bindir(pg_config=str(pg_config), roots=[root]) == chosen
    # A bindir without initdb (a client-only install) is passed over.
    (chosen / "initdb").unlink()
    assert find_bindir(pg_config=str(pg_config), roots=[root]) == root / "15" / "bin"


def test_the_cluster_is_made_in_memory_only_when_there_is_room(tmp_path: Path) -> None:
    memory, disk = tmp_path / "shm", tmp_path / "tmp"
    memory.mkdir()
    disk.mkdir()
    assert cluster_parent(str(memory), str(disk), room=1) == str(memory)
    assert cluster_parent(str(memory), str(disk), room=1 << 60) == str(disk)
    assert cluster_parent(str(tmp_path / "none"), str(disk), room=1) == str(disk)
    assert cluster_parent(str(tmp_path / "none"), str(tmp_path / "none"), room=1) is None


def test_a_machine_without_the_server_skips_the_tests_except_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pg_server.find_bindir", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server programs"):
        launch()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(ServerMissing, match="CI must run the PostgreSQL tests"):
        launch()


def test_the_server_runs_as_an_unprivileged_user(pg_server: PgServer, pg_url: str) -> None:
    owner = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT current_setting('data_directory'), pg_backend_pid()").fetchone()
        assert row is not None
        # While the connection is open: its backend process ends with it (and then has no /proc entry).
        assert process_uid(row[1]) == owner
    data_directory = Path(row[0])
    assert data_directory == pg_server.data
    assert os.stat(data_directory).st_uid == owner != 0
    assert process_uid(postmaster_pid(pg_server.data)) == owner
    # The socket's folder is the server's own, not shared with anyone else's.
    assert stat.S_IMODE(os.stat(pg_server.socket_dir).st_mode) & 0o022 == 0


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_an_empty_database_of_its_own(pg_url: str, run: int) -> None:
    with psycopg.connect(pg_url) as conn:
        name = conn.execute("SELECT current_database()").fetchone()
        assert conn.execute(USER_RELATIONS).fetchone() == (0,)
        # Left behind on purpose: the other run must not see it, whichever runs first.
        conn.execute(f"CREATE TABLE left_by_run_{run} (id int)")
    assert name is not None
    assert name[0] not in SEEN_DATABASES
    SEEN_DATABASES.add(name[0])


def test_two_new_databases_are_distinct_and_empty(pg_server: PgServer, pg_url: str) -> None:
    other_url = pg_server.url(pg_server.create_database())
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE requirement (key text PRIMARY KEY)")
        conn.execute("INSERT INTO requirement VALUES ('REQ-1')")
        ours = conn.execute("SELECT current_database()").fetchone()
    with psycopg.connect(other_url) as conn:
        theirs = conn.execute("SELECT current_database()").fetchone()
        assert conn.execute(USER_RELATIONS).fetchone() == (0,)
    assert ours != theirs


def test_a_stopped_server_refuses_connections_and_starts_again_with_its_data(pg_server: PgServer, pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE requirement (key text PRIMARY KEY)")
        conn.execute("INSERT INTO requirement VALUES ('REQ-1')")
    session = psycopg.connect(pg_url, autocommit=True)
    try:
        pg_server.stop()
        assert not pg_server.running()
        for url in (pg_url, pg_server.tcp_url(database_of(pg_url))):
            with pytest.raises(psycopg.OperationalError):
                psycopg.connect(url, connect_timeout=5)
        pg_server.start()
        assert pg_server.running()
        # A connection made before the restart is broken; a new one finds the data.
        with pytest.raises(psycopg.OperationalError):
            session.execute("SELECT 1")
        with psycopg.connect(pg_url) as conn:
            assert conn.execute("SELECT key FROM requirement").fetchall() == [("REQ-1",)]
    finally:
        session.close()
        pg_server.ensure_running()


def test_a_server_a_test_left_stopped_is_started_again_for_the_next_test(pg_server: PgServer) -> None:
    # What pg_url does around each test.
    try:
        pg_server.stop()
        name = pg_server.fresh_database()
        assert pg_server.running()
        with psycopg.connect(pg_server.url(name)) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
        pg_server.stop()
        pg_server.discard_database(name)
        assert pg_server.running()
        assert pg_server.sql("SELECT count(*) FROM pg_database WHERE datname = %s", [name]) == [(0,)]
    finally:
        pg_server.ensure_running()


def test_the_tcp_url_reaches_the_same_database_over_tcp(pg_server: PgServer, pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        row = conn.execute("SELECT current_database(), inet_server_addr()").fetchone()
        conn.execute("CREATE TABLE requirement (key text)")
    assert row is not None
    name, address = row
    assert address is None  # the socket
    tcp_url = pg_server.tcp_url(name)
    assert tcp_url == f"postgresql://postgres@127.0.0.1:{pg_server.port}/{name}"
    with psycopg.connect(tcp_url) as conn:
        row = conn.execute("SELECT host(inet_server_addr()), inet_server_port(), to_regclass('requirement') IS NOT NULL").fetchone()
    assert row == ("127.0.0.1", pg_server.port, True)


def test_roles_log_in_as_made_and_a_password_is_checked_over_tcp(pg_server: PgServer, pg_url: str) -> None:
    name = database_of(pg_url)
    pg_server.create_role("clerk")
    pg_server.create_role("auditor", password="s3cret")
    pg_server.create_role("archive", login=False)
    with psycopg.connect(pg_server.url(name, user="clerk")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("clerk",)
    with psycopg.connect(pg_server.tcp_url(name, user="clerk")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("clerk",)
    with psycopg.connect(pg_server.tcp_url(name, user="auditor", password="s3cret")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("auditor",)
    for refused in (pg_server.tcp_url(name, user="auditor", password="wrong"), pg_server.tcp_url(name, user="auditor"),
                    pg_server.url(name, user="archive")):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(refused, connect_timeout=5)
    # Made again (as another test may), a role takes the new values: no password needed any more.
    pg_server.create_role("auditor")
    with psycopg.connect(pg_server.tcp_url(name, user="auditor")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("auditor",)


def test_close_stops_the_server_and_removes_its_directory() -> None:
    server = launch()
    pid = postmaster_pid(server.data)
    assert alive(pid)
    server.close()
    assert not server.root.exists()
    wait_until(lambda: not alive(pid), "the closed server's postmaster to exit")
    server.close()  # a second close (atexit's) does nothing


LAUNCH_AND_WAIT = """
import sys
sys.path.insert(0, sys.argv[1])
from pg_server import launch
server = launch()
print(server.root, server.data, flush=True)
sys.stdin.read()
"""


def test_a_killed_test_process_leaves_no_server_or_directory_behind() -> None:
    # SIGKILL: no teardown, no atexit (what CI's hard timeout does): the watchdog must clean up.
    proc = subprocess.Popen([sys.executable, "-c", LAUNCH_AND_WAIT, str(TESTS)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        root, data = map(Path, proc.stdout.readline().split())
        pid = postmaster_pid(data)
        assert alive(pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    wait_until(lambda: not alive(pid), "the postmaster of a killed test process to be stopped", timeout=30)
    wait_until(lambda: not root.exists(), "the directory of a killed test process's server to be removed", timeout=30)
