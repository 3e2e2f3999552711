"""Text as a terminal shows it: nothing a user typed can hide itself or disguise the text around it.

The store keeps what people typed (less C0/C1 controls, see `domain.strip_control`); this is what the
board and the CLI put on a screen. Bidirectional overrides and isolates (U+202A-U+202E,
U+2066-U+2069, the direction marks) can make `REQ-12 txt.exe` read as `REQ-12 exe.txt`, and
zero-width characters can make two different texts look the same, so each is shown as a visible
`<U+202E>` instead; the line and paragraph separators U+2028/U+2029 become line breaks (or spaces
in one-line text). A zero-width joiner between two emoji is kept: it is how emoji are combined.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .domain import strip_control

# Bidi formatting characters and invisible characters that can make text look like other text.
_DISGUISING = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u180e\ufeff]"
)
_SEPARATORS = re.compile("[\u2028\u2029]")
_EMOJI = re.compile("[\u2600-\u27bf\ufe0f\U0001f000-\U0001faff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\u200d":  # a joiner inside an emoji sequence is part of the picture
        text, at = match.string, match.start()
        if 0 < at < len(text) - 1 and _EMOJI.match(text, at - 1) and _EMOJI.match(text, at + 1):
            return char
    return f"<U+{ord(char):04X}>"


_INERT_IN_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{_DISGUISING.pattern[1:-1]}]")


def json_for_terminal(text: str) -> str:
    """JSON text whose characters that could drive or disguise a terminal (C1 controls, the
    characters `shown` makes visible, line separators) are written as \\u escapes: the same data
    to a parser, inert on a screen."""
    if _INERT_IN_JSON.search(text) is None:
        return text
    return _INERT_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown(text: str, *, one_line: bool = False) -> str:
    """`text` made safe to put on a terminal: controls dropped, disguising characters made visible.

    With `one_line`, line breaks and tabs become spaces (for a card title, a table cell, an error).
    Text that is printable as it is (nearly all of it) is returned unchanged without a regex pass.
    """
    if text.isprintable():
        return text
    text = strip_control(text)
    text = _SEPARATORS.sub(" " if one_line else "\n", text)
    text = _DISGUISING.sub(_visible, text)
    if one_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


def path_text(path: object) -> str:
    """A file name as text that JSON and the history can hold: bytes that are not UTF-8 (which Python
    keeps as lone surrogates) are written as `\\xe9` escapes."""
    import os

    text: str | bytes = os.fspath(path)  # type: ignore[call-overload]  # str or PathLike, as os.fspath takes
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


# ---------------------------------------------------------------------------- display width
@lru_cache(maxsize=4096)
def _char_cells(char: str) -> int:
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2  # CJK characters, full-width forms, most emoji
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
        return 0  # combining marks and zero-width characters sit on the cell before them
    return 1


def cell_width(text: str) -> int:
    """How many terminal cells `text` takes (as `rich.cells.cell_len` counts them, which the store may
    not import): 2 for each wide character (中文, full-width forms, emoji), 0 for combining and
    zero-width ones, 1 for the rest. What a person aligns is measured this way, never by `len()`."""
    if text.isascii():
        return len(text)
    return sum(_char_cells(char) for char in text)


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` cells (unchanged when it is as wide or wider): a column
    of names lines up whether they are 李伟 or Li Wei."""
    return text + " " * max(0, width - cell_width(text))


def fit(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `width` cells, ending in `ellipsis` when it was cut (a wide character is
    never split in half)."""
    if cell_width(text) <= width:
        return text
    room = width - cell_width(ellipsis)
    kept: list[str] = []
    used = 0
    for char in text:
        cells = _char_cells(char)
        if used + cells > room:
            break
        kept.append(char)
        used += cells
    return "".join(kept) + ellipsis if room >= 0 else ellipsis[:max(0, width)]
