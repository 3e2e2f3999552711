"""Where boards and settings live by default. Nothing is created at import time."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import platformdirs

APP_NAME = "reqboard"


def default_store_path() -> Path:
    """`$REQBOARD_STORE`, else `board.json` in the platform's user data directory."""
    env = os.environ.get("REQBOARD_STORE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "board.json"


def config_dir() -> Path:
    """`$REQBOARD_CONFIG_DIR`, else the platform's user config directory."""
    env = os.environ.get("REQBOARD_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def default_user() -> str:
    """`$REQBOARD_USER`, else the login name."""
    env = os.environ.get("REQBOARD_USER")
    if env and env.strip():
        return env.strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
