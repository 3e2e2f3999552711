"""Theme files: TOML, one per theme, mapping to Textual's Theme fields plus app variables.

    name = "reqboard-dark"
    dark = true
    [colors]            # Theme fields: primary, secondary, accent, background, surface, panel, ...
    primary = "#4f9bd9"
    [variables]         # app variables: state colours, badge colours
    state-collected = "#7f8c9a"

This package never imports textual: the TUI turns these dicts into `textual.theme.Theme`. Its
messages (what is wrong with a theme file) are in the language spoken (`reqboard.store.i18n`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from reqboard.store.i18n import ENGLISH, N_, _, language

THEME_FIELDS = frozenset({
    "primary", "secondary", "warning", "error", "success", "accent", "foreground",
    "background", "surface", "panel", "boost",
})
APP_VARIABLES = (
    "state-collected", "state-analysed", "state-approved", "state-in-progress", "state-done",
    "state-fed-back", "state-rejected", "badge-cr", "badge-suspect", "badge-overdue", "badge-changed",
    "badge-blocked", "badge-conflict", "badge-sla",
    "tier-a", "tier-b", "tier-c", "card-selected-background",
)
DEFAULT_THEME = "reqboard-dark"


@dataclass(frozen=True)
class ThemeSpec:
    name: str
    dark: bool
    colors: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    ansi: bool = False
    source: str = ""


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file and the problem."""


# What Python's TOML reader says of a file it cannot read, as it words it (the common ones).
_TOML_WORDS = {
    "Expected '=' after a key in a key/value pair": N_("Expected '=' after a key in a key/value pair"),
    "Expected ']' at the end of a table declaration": N_("Expected ']' at the end of a table declaration"),
    "Expected ']]' at the end of an array declaration": N_("Expected ']]' at the end of an array declaration"),
    "Invalid statement": N_("Invalid statement"),
    "Invalid value": N_("Invalid value"),
    "Invalid date or datetime": N_("Invalid date or datetime"),
    "Invalid initial character for a key part": N_("Invalid initial character for a key part"),
    "Unclosed array": N_("Unclosed array"),
    "Unclosed inline table": N_("Unclosed inline table"),
    "Unterminated string": N_("Unterminated string"),
    "Cannot overwrite a value": N_("Cannot overwrite a value"),
}
_TOML_AT = re.compile(r"(?P<what>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)", re.DOTALL)
_TOML_AT_END = " (at end of document)"


def toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    """What is wrong with a TOML file and where, as tomllib says it, in the current language (in
    English as tomllib wrote it)."""
    text = str(exc)
    if language() == ENGLISH:
        return text
    if match := _TOML_AT.fullmatch(text):
        return _("{problem} (at line {line}, column {column})").format(
            problem=_toml_words(match["what"]), line=match["line"], column=match["column"])
    if text.endswith(_TOML_AT_END):
        return _("{problem} (at the end of the file)").format(problem=_toml_words(text[:-len(_TOML_AT_END)]))
    return _toml_words(text)


def _toml_words(text: str) -> str:
    known = _TOML_WORDS.get(text)
    return _(known) if known is not None else text


def parse_theme(text: str, source: str) -> ThemeSpec:
    """Read one theme file's text; raises ThemeFileError naming the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(_("{source}: not valid TOML ({problem})").format(source=source,
                                                                               problem=toml_problem(exc))) from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(_('{source}: needs a name = "..."').format(source=source))
    unknown = set(data) - {"name", "dark", "ansi", "colors", "variables"}
    if unknown:
        raise ThemeFileError(_("{source}: unknown key(s) {keys}").format(source=source, keys=", ".join(sorted(unknown))))
    colors = data.get("colors", {})
    if not isinstance(colors, dict) or "primary" not in colors:
        raise ThemeFileError(_("{source}: [colors] needs at least primary").format(source=source))
    bad = set(colors) - THEME_FIELDS
    if bad:
        raise ThemeFileError(_("{source}: unknown colour(s) {colours}; use {fields}").format(
            source=source, colours=", ".join(sorted(bad)), fields=", ".join(sorted(THEME_FIELDS))))
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeFileError(_("{source}: [variables] must be a table").format(source=source))
    for table in (colors, variables):
        for key, value in table.items():
            if not isinstance(value, str):
                raise ThemeFileError(_("{source}: {key} must be a colour string").format(source=source, key=key))
    return ThemeSpec(name=name.strip(), dark=bool(data.get("dark", True)), colors=dict(colors),
                     variables=dict(variables), ansi=bool(data.get("ansi", False)), source=source)


def builtin_themes() -> list[ThemeSpec]:
    """The themes shipped with reqboard."""
    specs = []
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            specs.append(parse_theme(entry.read_text(encoding="utf-8"), _("builtin {file}").format(file=entry.name)))
    return specs


def user_themes(directory: Path) -> tuple[list[ThemeSpec], list[str]]:
    """Themes from `directory/*.toml` and the errors of those that could not be used."""
    specs: list[ThemeSpec] = []
    errors: list[str] = []
    if not directory.is_dir():
        return specs, errors
    for path in sorted(directory.glob("*.toml")):
        try:
            specs.append(parse_theme(path.read_text(encoding="utf-8"), str(path)))
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(_("{path}: cannot read ({problem})").format(path=path, problem=exc))
        except ThemeFileError as exc:
            errors.append(str(exc))
    return specs, errors
