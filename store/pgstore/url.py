"""A server store's location: `postgresql://[user@]host[:port]/db` or `postgresql:///db?host=/socket/dir`.

The location a person gave is parsed once into libpq's connection settings; everything reqboard
prints of it (messages, a sync partner's recorded location, the board's title) is `shown`, which
never carries a password. A password belongs in `~/.pgpass` / `PGPASSFILE` or libpq's environment;
one written into the URL still works, and is never printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PosixPath
from typing import Any
from urllib.parse import quote

from ..errors import Unsupported
from ..i18n import N_, _, library_words

SCHEMES = ("postgresql", "postgres")
SECRETS = ("password", "sslpassword")
"""libpq settings that are secrets: never printed or recorded (the rest of a URL is kept)."""

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://", re.ASCII)


def is_server_location(location: str) -> bool:
    """Does `location` name a server board (a postgresql:// URL) rather than a file?"""
    found = _SCHEME.match(location)
    return found is not None and found["scheme"].lower() in SCHEMES


# What libpq says of a URL it cannot read (the common ones), as it words them.
_URL_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r'end of string reached when looking for matching "\]" in IPv6 host address in URI: .*'),
     N_("the ] that ends an IPv6 address is missing")),
    (re.compile(r"IPv6 host address may not be empty in URI: .*"), N_("the IPv6 address between [ and ] is empty")),
    (re.compile(r'invalid URI query parameter: "(?P<name>[^"]*)"'), N_("{name} is not a setting a URL can give")),
    (re.compile(r'missing key/value separator "=" in URI query parameter: "(?P<name>[^"]*)"'),
     N_("the setting {name} has no = and value")),
    (re.compile(r'extra key/value separator "=" in URI query parameter: "(?P<name>[^"]*)"'),
     N_("the setting {name} has more than one =")),
    (re.compile(r'invalid percent-encoded token: "(?P<token>[^"]*)"'), N_("{token} is not a valid percent-escape")),
    (re.compile(r'forbidden value %00 in percent-encoded value: .*'), N_("%00 is not allowed in a URL")),
)


def _url_words(reason: str) -> str:
    """libpq's reason for refusing a URL in the current language, where it is a common one (in English
    as libpq wrote it)."""
    return library_words(reason, _URL_WORDS)


@dataclass(frozen=True)
class ServerURL:
    """A parsed server location (see the module docstring)."""

    given: str
    """The location as given (it may hold a password: never print it)."""
    settings: dict[str, str]
    """libpq's connection settings of it."""

    @classmethod
    def parse(cls, location: str) -> ServerURL:
        """Parse a postgresql:// location; raises Unsupported (exit 2) naming what is wrong, without
        repeating a password."""
        if not is_server_location(location):
            raise Unsupported(_("{location} is not a postgresql:// location").format(location=redact(location)))
        try:
            from psycopg.conninfo import conninfo_to_dict
        except ImportError:
            from . import NO_PSYCOPG

            raise Unsupported(_(NO_PSYCOPG)) from None
        try:
            raw: dict[str, Any] = conninfo_to_dict(location)
        except Exception as exc:  # psycopg.ProgrammingError: the URL's syntax
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise Unsupported(_("{location}: not a PostgreSQL URL ({reason})").format(
                location=redact(location), reason=redact(_url_words(reason)))) from None
        settings = {name: str(value) for name, value in raw.items() if value is not None}
        port = settings.get("port", "")
        if port and not all(part.strip().isdigit() for part in port.split(",")):
            raise Unsupported(_("{location}: the port must be a number (it is {port!r})").format(
                location=redact(location), port=port))
        if not settings.get("dbname"):
            raise Unsupported(_("{location}: the URL names no database (postgresql://host/DATABASE)").format(
                location=redact(location)))
        return cls(location, settings)

    @property
    def database(self) -> str:
        """The database's name."""
        return self.settings["dbname"]

    @property
    def host(self) -> str:
        """The server's host or socket directory as libpq would take it (its default when none is given)."""
        return self.settings.get("host") or self.settings.get("hostaddr") or _("the local socket")

    @property
    def port(self) -> str:
        """The server's port (5432 unless given)."""
        return self.settings.get("port") or "5432"

    @property
    def shown(self) -> str:
        """The location without its password: what messages and other boards print and record. Every
        other setting is kept (a clone that syncs back reconnects with the same `sslmode`)."""
        user = self.settings.get("user")
        host = self.settings.get("host", "")
        db = quote(self.database, safe="")
        who = f"{quote(user, safe='')}@" if user else ""
        rest = [f"{name}={quote(value, safe='/')}" for name, value in self.settings.items()
                if name not in ("user", "host", "port", "dbname", *SECRETS)]
        if host.startswith("/") or not host:
            query = [f"host={quote(host, safe='/')}"] if host else []
            query += [f"port={self.settings['port']}"] if "port" in self.settings else []
            query += [f"user={quote(user, safe='')}"] if user else []
            query += rest
            return f"postgresql:///{db}" + (f"?{'&'.join(query)}" if query else "")
        port = f":{self.settings['port']}" if "port" in self.settings else ""
        address = f"[{host}]" if ":" in host else host
        return f"postgresql://{who}{address}{port}/{db}" + (f"?{'&'.join(rest)}" if rest else "")

    @property
    def endpoint(self) -> str:
        """Where the server is, for "cannot reach" messages: host and port, or the socket."""
        host = self.settings.get("host", "")
        if host.startswith("/"):
            return _("the socket in {directory} (port {port})").format(directory=host, port=self.port)
        return f"{host or 'localhost'}:{self.port}"

    def conninfo(self, **extra: str) -> str:
        """The connection string for psycopg (with the password, if the URL has one)."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo("", **{**self.settings, **extra})


_PASSWORD = re.compile(r"(?P<head>://[^/@:?#]*:)[^/@?#]*@")
_PASSWORD_SETTING = re.compile(r"(?i)(?P<head>password\s*=\s*)('[^']*'|\S+)")


def redact(text: str) -> str:
    """`text` with any password of a URL or connection string in it replaced by `***`."""
    text = _PASSWORD.sub(lambda m: f"{m['head']}***@", text)
    return _PASSWORD_SETTING.sub(lambda m: f"{m['head']}***", text)


class ServerPath(PosixPath):
    """A server board's location where the board's `path` is expected: it prints as the URL (without a
    password) and its `name` is the database's, so messages and report titles read right. It is no file:
    nothing opens it (a server storage has no files)."""

    _url: str

    def __new__(cls, url: ServerURL) -> ServerPath:
        made = super().__new__(cls, "/", url.database)
        made._url = url.shown
        return made

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"ServerPath({self._url!r})"

    def __fspath__(self) -> str:
        return self._url
