"""Where boards and settings live by default. Nothing is created at import time."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

APP_NAME = "reqboard"


def default_store_path() -> Path | str:
    """`$REQBOARD_STORE` (a path, or a server's postgresql:// URL as it is), else `board.json` in the
    platform's user data directory."""
    env = os.environ.get("REQBOARD_STORE")
    if env:
        return env if "://" in env else Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "board.json"


def config_dir() -> Path:
    """`$REQBOARD_CONFIG_DIR`, else the platform's user config directory."""
    env = os.environ.get("REQBOARD_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_user() -> str:
    """`$REQBOARD_USER`, else the login name.

    Raises InvalidValue when the name found is not valid UTF-8 text (bytes a misconfigured terminal or
    environment passed on): it would be written into every history event.
    """
    env = os.environ.get("REQBOARD_USER")
    if env and env.strip():
        return _text_name(env.strip(), "$REQBOARD_USER")
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
    return _text_name(name, None)


def _text_name(name: str, where: str | None) -> str:
    """`name` if it is UTF-8 text; `where` names where it came from (None: the login name)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        from .errors import InvalidValue
        from .i18n import _

        try:
            raw = name.encode("utf-8", "surrogateescape")  # the bytes as the environment had them
        except UnicodeEncodeError:
            raw = name.encode("utf-8", "backslashreplace")
        raise InvalidValue(_("{where} ({raw!r}) is not valid UTF-8 text; set $REQBOARD_USER or give --user NAME")
                           .format(where=where or _("the login name"), raw=raw)) from None
    return name
