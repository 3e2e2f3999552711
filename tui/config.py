"""The user's settings: `config.toml` in the config directory, and remembered UI state.

    theme = "reqboard-light"
    poll_interval = 0.5           # seconds between looks at the board file (0.1 - 60)
    language = "zh_CN"            # or "en"; unset: REQBOARD_LANG, else LC_ALL / LC_MESSAGES / LANG
    timezone = "Asia/Shanghai"    # IANA name; unset: the system's zone
    [keys]                        # binding id = "key[,key...]"
    "card.move-next" = "ctrl+right,>"
    "app.quit" = "q"

Each setting is checked on its own: a value out of its range (or of the wrong kind) and an unknown
setting are reported by name, and only that setting falls back to its default; the others still
apply. Nothing is created at import time; the state file (the theme chosen in the app) is written
only when the user changes it.
"""

from __future__ import annotations

import difflib
import json
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from reqboard.store import clock, i18n
from reqboard.store.errors import os_reason
from reqboard.store.i18n import N_, _
from reqboard.store.paths import config_dir
from reqboard.store.storage import atomic_write
from reqboard.store.text import shown
from reqboard.themes import toml_problem


class ConfigError(ValueError):
    """The config file as a whole cannot be used (unreadable, not TOML); the message names the file."""


@dataclass(frozen=True)
class Config:
    """The settings. A plain dataclass, so that the defaults need no pydantic at start-up."""

    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    poll_interval: float = 0.5
    language: str | None = None
    timezone: str | None = None


POLL_INTERVAL_RANGE = (0.1, 60.0)
"""Seconds. Below it the board re-reads its file so often that the UI never gets the interpreter
(a blank screen that ignores q); above it another process's change takes minutes to show."""
MAX_THEME_NAME = 100
MAX_KEY_NAME = 40


def _poll_interval_ok(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):  # a bool is an int, not a number here
        return False
    low, high = POLL_INTERVAL_RANGE
    # `math.isfinite` first: nan compares false with everything, inf passes `>= low`.
    return math.isfinite(value) and low <= value <= high


def _theme_ok(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_THEME_NAME and value.isprintable()


def _language_ok(value: object) -> bool:
    """English or Chinese, as a language or locale name (`zh_CN`, `zh-Hans`, `zh_CN.UTF-8`, `en_GB`)."""
    if not isinstance(value, str) or len(value) > MAX_THEME_NAME or not value.isprintable():
        return False
    base = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    return base in ("en", "zh") or base.startswith(("en_", "zh_"))


def _timezone_ok(value: object) -> bool:
    if not isinstance(value, str) or not value.isprintable() or len(value) > MAX_THEME_NAME:
        return False
    try:
        clock.zone_named(value)
    except clock.UnknownZone:
        return False
    return True


_RULES: dict[str, tuple[Callable[[object], bool], str]] = {
    "theme": (_theme_ok, N_("{path}: theme must be the name of a theme (up to {most} printable characters); "
                            "using the default theme")),
    "poll_interval": (_poll_interval_ok, N_("{path}: poll_interval must be between {low} and {high} seconds; "
                                            "using {default}")),
    "language": (_language_ok, N_("{path}: language must name a language: {english} or {chinese}; using the language of "
                                  "the environment")),
    "timezone": (_timezone_ok, N_("{path}: timezone must be an IANA time zone name such as \"Asia/Shanghai\" or "
                                  "\"Europe/Berlin\"; using the system's time zone")),
}
"""Every setting but the keys table: what a valid value is, and what to say about an invalid one (and
the default used instead), marked for the catalogue: `_problem` translates it."""


def key_problem(keys: object) -> str | None:
    """Why a `[keys]` value cannot be used (None if it can): one or more key names, comma-separated."""
    if not isinstance(keys, str):
        return _('must be text such as "ctrl+right,>"')
    names = [name.strip() for name in keys.split(",")]  # as Textual reads them
    if not all(names):
        return _('must name one or more keys separated by commas, such as "ctrl+right,>"')
    if any(len(name) > MAX_KEY_NAME or not name.isprintable() or " " in name for name in names):
        return _('must name keys of up to {most} printable characters, without spaces (the space bar is '
                 '"space")').format(most=MAX_KEY_NAME)
    return None


def config_path() -> Path:
    return config_dir() / "config.toml"


def _problem(path: Path, name: str) -> str:
    """What is wrong with setting `name` and what is used instead, in the current language."""
    low, high = POLL_INTERVAL_RANGE
    return _(_RULES[name][1]).format(
        path=path, most=MAX_THEME_NAME, low=f"{low:g}", high=f"{high:g}", default=f"{Config().poll_interval:g}",
        english=repr(i18n.ENGLISH), chinese=repr(i18n.CHINESE))


def load_config(path: Path | None = None) -> tuple[Config, list[str]]:
    """Read the config file: the settings, and one message for each setting that could not be used
    (its default is used instead). A missing file means defaults. Raises ConfigError when the file as
    a whole cannot be read."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(), []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(_("{path}: cannot read ({problem})").format(path=path, problem=os_reason(exc))) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{path}: not valid TOML ({problem})").format(path=path, problem=toml_problem(exc))) from None
    known = [f.name for f in fields(Config)]
    values: dict[str, object] = {}
    problems: list[str] = []
    for name, value in data.items():
        said = shown(name, one_line=True)  # a setting's name is echoed: it is what the user typed
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            if close:
                problems.append(_("{path}: unknown setting {name!r} (did you mean {suggestion}?); ignored").format(
                    path=path, name=said, suggestion=close[0]))
            else:
                problems.append(_("{path}: unknown setting {name!r}; ignored").format(path=path, name=said))
        elif name == "keys":
            values[name] = _keys(path, value, problems)
        elif _RULES[name][0](value):
            values[name] = value
        else:
            problems.append(_problem(path, name))
    if isinstance(interval := values.get("poll_interval"), int):
        values["poll_interval"] = float(interval)  # `poll_interval = 2` in the file
    return Config(**values), problems  # type: ignore[arg-type]  # each value was checked against its field above


def apply_settings(config: Config) -> None:
    """Speak the configured language and keep time in the configured zone (each falling back to the
    environment's when unset): called once at start, before anything is shown."""
    i18n.set_language(i18n.resolve_language(config.language))
    clock.set_zone(config.timezone)  # checked by load_config: a zone this machine knows


def configure() -> tuple[Config, list[str]]:
    """The app's start: read the config file, speak its language and keep its time zone, and return
    the settings with what could not be used, said in that language (the file is read again for the
    words only when there is something to say). A file that cannot be read at all leaves the defaults."""
    try:
        config, problems = load_config()
    except ConfigError:
        config, problems = Config(), [""]
    apply_settings(config)
    if not problems:
        return config, []
    try:
        return config, load_config()[1]
    except ConfigError as exc:
        return config, [_("{problem}; using the defaults").format(problem=exc)]


def apply_config_quietly() -> None:
    """`apply_settings` from the config file for the command line, which reports no config problems
    (the board does): a setting that cannot be used is left at the environment's."""
    try:
        config, _problems = load_config()
    except ConfigError:
        config = Config()
    apply_settings(config)


def _keys(path: Path, table: object, problems: list[str]) -> dict[str, str]:
    """The usable entries of the `[keys]` table; each unusable one is reported and left at its default."""
    if not isinstance(table, dict):
        problems.append(_('{path}: keys must be a table of binding id = "key[,key...]"; every binding keeps its '
                          'default keys').format(path=path))
        return {}
    keys: dict[str, str] = {}
    for binding_id, value in table.items():
        problem = key_problem(value)
        if problem is None:
            keys[binding_id] = value
        else:
            said = shown(binding_id, one_line=True)
            problems.append(_("{path}: keys.{binding} {problem}; that binding keeps its default keys").format(
                path=path, binding=said, problem=problem))
    return keys


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
