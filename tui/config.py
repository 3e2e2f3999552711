"""The user's settings: `config.toml` in the config directory, and remembered UI state.

    theme = "reqboard-light"
    [keys]                      # binding id = "key[,key...]"
    "card.move-next" = "ctrl+right,>"
    "app.quit" = "q"

Unknown keys are refused with a message naming them. Nothing is created at import time; the state
file (the theme chosen in the app) is written only when the user changes it.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from store.paths import config_dir
from store.storage import atomic_write


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """The settings. A plain dataclass, so that the defaults need no pydantic at start-up; a
    config file is validated by pydantic (`load_config`), which refuses unknown keys."""

    __pydantic_config__: ClassVar[dict[str, object]] = {"extra": "forbid"}

    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    poll_interval: float = 0.5
    show_rejected_count: bool = True


_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")  # as a model, as a dataclass


def config_path() -> Path:
    return config_dir() / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Read the config file (a missing file means defaults); raises ConfigError."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(Config).validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: "
            + ("unknown setting" if err["type"] in _UNKNOWN else err["msg"])
            for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None


def _state_path() -> Path:
    return config_dir() / "state.json"


def load_state() -> dict[str, object]:
    try:
        data = json.loads(_state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(**values: object) -> None:
    """Remember UI choices (the theme) across runs; failures are not worth interrupting anyone."""
    state = {**load_state(), **values}
    path = _state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(state, indent=2).encode(), 0o600)
    except OSError:
        pass
