"""A real PostgreSQL server for the tests: a throwaway cluster in a temporary directory, started once.

`launch()` finds the server's programs (`pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin),
makes a cluster with `initdb` in a new temporary directory (in memory, /dev/shm, when there is room,
else /tmp) and starts it with `pg_ctl -w`, listening on a Unix socket in that directory and on 127.0.0.1
at a free port. Durability is off (fsync, full-page writes, synchronous commit): a test cluster is
thrown away, and it makes every commit cheap. PostgreSQL refuses to run as root, so under root every
server program runs as the `postgres` system user, who owns the directory.

Authentication: the socket trusts everyone; TCP trusts every role but those made with a password
(`create_role(..., password=...)`), which must give it (SCRAM), so a test can see a wrong one refused.

If the programs are missing, the tests that need the server are skipped, except when $CI is set: CI
must never skip them silently, so there it is an error. A helper process stops the server and removes
its directory when this process ends without doing so itself (killed, or stopped by CI's timeout).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, urlencode

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "postgres"
# The group whose members must give their password over TCP (pg_hba.conf below).
PASSWORD_GROUP = "password_login"
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "max_connections": "200",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    # Little WAL kept: the cluster may live in memory.
    "max_wal_size": "128MB",
    "min_wal_size": "32MB",
    "password_encryption": "scram-sha-256",
}
HBA = f"""\
local all all trust
host all +{PASSWORD_GROUP} 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
"""
# Run as this process's user (who can always remove the directory, even from a /tmp without the sticky
# bit), it waits until its stdin closes, that is until the test process has ended, however it ended; then
# it stops a server still running (SIGQUIT: an immediate shutdown, which removes postmaster.pid) and
# removes the directory. After a clean close() there is nothing left for it to do.
WATCHDOG = """cat >/dev/null
pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null &&
    for _ in $(seq 300); do [ -e "$1/postmaster.pid" ] || break; sleep 0.1; done
rm -rf "$2"
"""


class ServerMissing(RuntimeError):
    """The PostgreSQL server programs (or, under root, the `postgres` user to run them) are not here."""


def find_bindir(*, pg_config: str | None = "pg_config", roots: Iterable[Path] = (Path("/usr/lib/postgresql"),)) -> Path | None:
    """The folder holding `initdb`, `pg_ctl` and `postgres`: `pg_config --bindir` if it holds them,
    else the newest `<root>/<version>/bin` that does; None when there is none."""
    if pg_config is not None and shutil.which(pg_config):
        proc = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        bindir = Path(proc.stdout.strip())
        if proc.returncode == 0 and _holds_server(bindir):
            return bindir
    found = [bindir for root in roots for bindir in root.glob("*/bin") if _holds_server(bindir)]
    return max(found, key=lambda bindir: _version_key(bindir.parent.name), default=None)


def _holds_server(bindir: Path) -> bool:
    return all(os.access(bindir / program, os.X_OK) for program in ("initdb", "pg_ctl", "postgres"))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def server_missing(reason: str) -> NoReturn:
    """Skip the test for `reason`; when $CI is set, raise ServerMissing instead: CI never skips them."""
    if os.environ.get("CI"):
        raise ServerMissing(f"{reason}; CI must run the PostgreSQL tests (install the `postgresql` package)")
    pytest.skip(reason)


def launch() -> PgServer:
    """A new cluster, started; skipped (an error under $CI) if this machine has no PostgreSQL server."""
    bindir = find_bindir()
    if bindir is None:
        server_missing("no PostgreSQL server programs (no initdb in `pg_config --bindir` or /usr/lib/postgresql/*/bin)")
    runner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            runner = pwd.getpwnam(SUPERUSER)
        except KeyError:
            server_missing(f"running as root and there is no `{SUPERUSER}` user to run the PostgreSQL server as")
    server = PgServer(bindir, runner)
    try:
        server.first_start()
    except BaseException:
        server.close()
        raise
    return server


def cluster_parent(memory: str = "/dev/shm", disk: str = "/tmp", room: int = 1 << 30) -> str | None:
    """Where to make the cluster: in memory when `memory` is a writable folder with `room` bytes free,
    else `disk`, else None (the system's temporary folder).

    In memory a new database costs about 30 ms, steadily; on a disk other processes were busy with it
    took 250-400 ms (measured on the development VM while another suite ran). Both paths are short:
    a Unix socket's path may not exceed 107 bytes."""
    if _writable(memory):
        space = os.statvfs(memory)
        if space.f_bavail * space.f_frsize >= room:
            return memory
    return disk if _writable(disk) else None


def _writable(folder: str) -> bool:
    return os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PgServer:
    """One throwaway PostgreSQL cluster: its URLs, fresh databases and roles, and stop/start."""

    def __init__(self, bindir: Path, runner: pwd.struct_passwd | None) -> None:
        """Make the cluster (initdb) in a new temporary directory; `runner` is the user the server runs
        as when this process is root. Nothing is started yet."""
        self.bindir = bindir
        self._runner = runner
        self.root = Path(tempfile.mkdtemp(prefix="reqboard-pg-", dir=cluster_parent()))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._lock = threading.Lock()
        self._databases = 0
        self._closed = False
        # A forked child inherits the atexit hook; only the process that made the cluster removes it.
        self._owner = os.getpid()
        if runner is not None:
            os.chown(self.root, runner.pw_uid, runner.pw_gid)
        self._watchdog = subprocess.Popen(["sh", "-c", WATCHDOG, "watchdog", str(self.data), str(self.root)], cwd="/",
                                          stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
        atexit.register(self.close)
        try:
            self._make_cluster()
        except BaseException:
            self.close()
            raise

    def _make_cluster(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "--no-sync", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-instructions")
        self._configure({**SERVER_SETTINGS, "port": str(self.port), "unix_socket_directories": str(self.root)})
        (self.data / "pg_hba.conf").write_text(HBA, encoding="utf-8")

    def _configure(self, settings: dict[str, str]) -> None:
        # A later line of postgresql.conf overrides an earlier one.
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("".join(f"{name} = '{value}'\n" for name, value in settings.items()))

    @property
    def socket_dir(self) -> Path:
        """The folder holding the server's Unix socket."""
        return self.root

    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        """`postgresql:///db?host=<socket folder>&port=N&user=U`: the database over the Unix socket."""
        query = urlencode({"host": str(self.socket_dir), "port": self.port, "user": user})
        return f"postgresql:///{quote(dbname, safe='')}?{query}"

    def tcp_url(self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> str:
        """`postgresql://U[:password]@127.0.0.1:N/db`: the database over TCP."""
        credentials = quote(user, safe="") + ("" if password is None else ":" + quote(password, safe=""))
        return f"postgresql://{credentials}@127.0.0.1:{self.port}/{quote(dbname, safe='')}"

    def sql(self, statement: str | sql.SQL | sql.Composed, params: Sequence[Any] | None = None, *,
            db: str = "postgres") -> list[tuple[Any, ...]]:
        """Run one statement as the superuser in `db` (autocommit) and return its rows ([] for none)."""
        with psycopg.connect(self.url(db), autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description is not None else []

    def create_database(self) -> str:
        """A new, empty database (copied from template0) and its name, different on every call."""
        with self._lock:
            self._databases += 1
            name = f"test_{self._databases}"
        # FILE_COPY: in memory about 25-30 ms against WAL_LOG's 40 (its checkpoint is cheap with fsync off).
        self.sql(sql.SQL("CREATE DATABASE {} TEMPLATE template0 STRATEGY FILE_COPY").format(sql.Identifier(name)))
        return name

    def drop_database(self, name: str) -> None:
        """Drop database `name`, disconnecting whoever is still in it."""
        self.sql(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def create_role(self, name: str, login: bool = True, password: str | None = None) -> str:
        """Make role `name` (or, when an earlier test made it, set it to these values) and return its name.

        With a password, the role must give it over TCP; over the socket no role needs one."""
        role = sql.Identifier(name)
        options = sql.SQL("LOGIN" if login else "NOLOGIN")
        secret = sql.SQL("PASSWORD {}").format(sql.Literal(password))
        exists = self.sql("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
        self.sql(sql.SQL("{} ROLE {} {} {}").format(sql.SQL("ALTER" if exists else "CREATE"), role, options, secret))
        if not self.sql("SELECT 1 FROM pg_roles WHERE rolname = %s", [PASSWORD_GROUP]):
            self.sql(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(PASSWORD_GROUP)))
        grant = "GRANT {} TO {}" if password is not None else "REVOKE {} FROM {}"
        self.sql(sql.SQL(grant).format(sql.Identifier(PASSWORD_GROUP), role))
        return name

    def running(self) -> bool:
        """Whether the server is up (`pg_ctl status`)."""
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def start(self) -> None:
        """Start the server (again) with the same data, socket and port; return once it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-s", "start", new_session=True)

    def first_start(self, attempts: int = 3) -> None:
        """Start the server for the first time, on another free port if the one chosen was taken meanwhile."""
        for attempt in range(attempts):
            try:
                self.start()
                return
            except RuntimeError as error:
                if "could not create any TCP/IP sockets" not in str(error) or attempt == attempts - 1:
                    raise
            self.port = free_port()
            self._configure({"port": str(self.port)})

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`pg_ctl stop -m fast`; `immediate` if that fails); the data stay for start()."""
        if not self.running():
            return
        stopped = self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "30", "-s", "stop", "-m", mode, check=False)
        if stopped.returncode != 0 and self.running():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "30", "-s", "stop", "-m", "immediate")

    def fresh_database(self) -> str:
        """create_database(), starting the server first if a test left it stopped."""
        try:
            return self.create_database()
        except psycopg.OperationalError:
            self.ensure_running()
            return self.create_database()

    def discard_database(self, name: str) -> None:
        """drop_database(), starting the server first if a test left it stopped."""
        try:
            self.drop_database(name)
        except psycopg.OperationalError:
            self.ensure_running()
            self.drop_database(name)

    def ensure_running(self) -> None:
        """Start the server if a test left it stopped."""
        if not self.running():
            self.start()

    def close(self) -> None:
        """Stop the server for good and remove its directory. Safe to call twice."""
        if self._closed or os.getpid() != self._owner:
            return
        self._closed = True
        try:
            if self.data.exists():
                self.stop()
        finally:
            # If stopping failed, do not leave a server running over a removed directory.
            self._quit_postmaster()
            shutil.rmtree(self.root, ignore_errors=True)
            # The watchdog, told the server is gone, has nothing left to do.
            if self._watchdog.stdin is not None:
                self._watchdog.stdin.close()
            self._watchdog.wait(timeout=30)
            atexit.unregister(self.close)

    def _quit_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text(encoding="utf-8").splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)  # an immediate shutdown

    def _as_runner(self) -> dict[str, Any]:
        if self._runner is None:
            return {}
        return {"user": self._runner.pw_uid, "group": self._runner.pw_gid, "extra_groups": [], "cwd": self.root}

    def _run(self, program: str, *args: str, check: bool = True, new_session: bool = False) -> subprocess.CompletedProcess[str]:
        # The log file gets the server's output; a pipe left open by the server would hang `pg_ctl start`.
        proc = subprocess.run([str(self.bindir / program), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              start_new_session=new_session, timeout=120, check=False,
                              **{"cwd": self.root, **self._as_runner()})
        if check and proc.returncode != 0:
            log = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-6:] if self.log.exists() else []
            said = " | ".join(line.strip() for line in [*proc.stderr.splitlines(), *log] if line.strip())
            raise RuntimeError(f"PostgreSQL's {program} failed (exit {proc.returncode}) in {self.root}: {said}")
        return proc
