"""The language reqboard speaks: English (the source text) or 简体中文 (zh_CN), through gettext.

Every string a person reads is written in English in the code and wrapped where it is shown:

    from reqboard.store.i18n import _, ngettext
    raise Refused(_("{key} is already approved").format(key=req.key))
    ngettext("{n} requirement", "{n} requirements", n).format(n=n)

Text built at import time (class attributes, module constants, Binding descriptions) is marked with
`N_()` so that the extractor finds it, and translated with `_()` where it is shown: the language is
chosen after import (`set_language`, from the config file or the environment).

What scripts parse never goes through here: the `error:` prefix, `--json` keys and values, state and
enum spellings in files, exit codes. Where the same message is both read by a person and printed for a
script (an import's refusals), the script's copy is made by the same code inside `english()`.

The catalogue is `store/locale/zh_CN/LC_MESSAGES/reqboard.po`, compiled to the `.mo` beside it and
shipped in the package; `.ci/catalogue` extracts, merges and compiles it with Babel, and
tests/test_i18n.py fails when a string is missing from it or has no translation.
"""

from __future__ import annotations

import gettext
import os
import re
import struct
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

DOMAIN = "reqboard"
LOCALE_DIR = Path(__file__).with_name("locale")
ENGLISH = "en"
CHINESE = "zh_CN"
LANGUAGES = (ENGLISH, CHINESE)
"""The languages reqboard speaks, as the config file and REQBOARD_LANG name them."""

LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "简体中文"}
"""Each language in its own words (how a language menu names it)."""

_ENVIRONMENT = ("REQBOARD_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
"""Where the language comes from when the config file does not say, first set first."""

_language = ENGLISH
_translations: gettext.NullTranslations = gettext.NullTranslations()
_ENGLISH_TRANSLATIONS = gettext.NullTranslations()
_in_english: ContextVar[bool] = ContextVar("reqboard_in_english", default=False)
"""True inside `english()`: this thread (or task) speaks English whatever the language chosen."""


def _current() -> gettext.NullTranslations:
    return _ENGLISH_TRANSLATIONS if _in_english.get() else _translations


def _(message: str) -> str:
    """`message` in the current language (itself in English, or where the catalogue lacks it)."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the current language (Chinese has one form)."""
    return _current().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, where the same English word needs different translations
    in different places (`pgettext("state", "done")` is 已完成, a button's "Done" is 完成)."""
    return _current().pgettext(context, message)


@contextmanager
def english() -> Iterator[None]:
    """Speak English inside the block, in this thread (or asyncio task) only, whatever the language
    chosen: for the text of what scripts read (`import --json`), made by the same code as what a
    person reads. Other threads (the TUI's) go on in their language; the block may nest."""
    token = _in_english.set(True)
    try:
        yield
    finally:
        _in_english.reset(token)


def listed(items: Iterable[str]) -> str:
    """Items as a list in a sentence, in the current language: "a, b, c"; 甲、乙、丙."""
    return pgettext("list separator", ", ").join(items)


def library_words(text: str, words: Iterable[tuple[re.Pattern[str], str]]) -> str:
    """What a library said in English (libpq, libxml2), in the current language where it is one of
    `words`: (a pattern the whole text matches, its message marked with N_, whose {fields} are the
    pattern's named groups). Any other text, and every text in English, as the library wrote it."""
    if language() == ENGLISH:
        return text
    for pattern, message in words:
        if match := pattern.fullmatch(text):
            return _(message).format(**match.groupdict())
    return text


def N_(message: str) -> str:
    """Marks text for the catalogue without translating it: for text made at import time, which is
    translated with `_()` where it is shown."""
    return message


def language_code(name: str | None) -> str | None:
    """The language a locale or language name means (`zh_CN.UTF-8`, `zh-Hans`, `zh`, `en_GB`, `C`),
    or None when it names none (empty). Every Chinese locale reads the simplified catalogue; any other
    language is English, the only other one there is."""
    if name is None:
        return None
    name = name.strip()
    if not name:
        return None
    base = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    if base == "zh" or base.startswith("zh_"):
        return CHINESE
    return ENGLISH


def resolve_language(setting: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: the config file's `language`, else REQBOARD_LANG, else LC_ALL /
    LC_MESSAGES / LANG (as POSIX orders them); English where nothing says otherwise."""
    chosen = language_code(setting)
    if chosen is not None:
        return chosen
    env = os.environ if environ is None else environ
    for variable in _ENVIRONMENT:
        chosen = language_code(env.get(variable))
        if chosen is not None:
            return chosen
    return ENGLISH


def set_language(code: str) -> str:
    """Speak `code` (one of LANGUAGES, or a locale name) from now on; returns the language chosen.
    A catalogue that cannot be read leaves English, which is always complete."""
    global _language, _translations
    chosen = language_code(code) or ENGLISH
    if chosen == _language:
        return chosen  # (the command line and then the app both choose: the catalogue is read once)
    translations: gettext.NullTranslations = gettext.NullTranslations()
    if chosen != ENGLISH:
        try:
            with (LOCALE_DIR / chosen / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
                translations = gettext.GNUTranslations(file)
        except (OSError, ValueError, struct.error, UnicodeDecodeError):  # a damaged install: English, not a crash
            chosen = ENGLISH
    _language, _translations = chosen, translations
    return chosen


def language() -> str:
    """The language spoken now (one of LANGUAGES): English inside `english()`."""
    return ENGLISH if _in_english.get() else _language


def is_chinese() -> bool:
    return language() == CHINESE


def language_tag() -> str:
    """The current language as HTML's `lang` and HTTP name it (BCP 47): `en`, `zh-CN`."""
    return language().replace("_", "-")
