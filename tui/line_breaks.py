"""Chinese text wraps as Chinese is set: a line may end between any two Chinese characters, but never
just before closing punctuation (，。、；：？！）》」…) nor just after opening punctuation (（《「“).

Textual wraps a Content with rich's `divide_line`, which ends a line only at a space. A run of Chinese
has none, so it is one long "word": moved whole to the next line, it leaves the line before it short
("REQ-8 依赖于" alone, the sentence below it), and folded at the width wherever that falls, it may start
a line with "，". `install()` gives `textual.content` a `divide_line` that takes each Chinese character
as a place to break, keeps punctuation with the character it belongs to, and is rich's own for text
without any (English wraps exactly as before). tests/test_tui_zh.py checks both, and that the function
replaced is still the one this was written against (a new Textual may wrap otherwise: then look again).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import textual.content
from rich.cells import cell_len, chop_cells

OPENING = "（《〈「『【〔“‘"
"""Punctuation that stays with the character after it."""
CLOSING = "，。、；：？！）》〉」』】〕”’…％"
"""Punctuation that stays with the character before it (a line never starts with it)."""
_WIDE = ("\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
         "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6")
"""Characters a line may end after (and begin with): CJK ideographs, kana, hangul, their punctuation and
full-width forms. Opening and closing punctuation are among them, and are taken apart first."""
_PUNCTUATION = re.escape(OPENING + CLOSING)
_HAS_WIDE = re.compile(f"[{_WIDE}]")
_UNIT = re.compile(
    rf"\s*[{re.escape(OPENING)}]*"  # opening punctuation, with what follows
    rf"(?:(?![{_PUNCTUATION}])[{_WIDE}]|[^\s{_WIDE}]+)?"  # one wide character, or a word of others
    rf"[{re.escape(CLOSING)}]*\s*"  # closing punctuation, with what precedes it; the space after it
)


ORIGINAL: Callable[..., list[int]] = textual.content.divide_line
"""What `textual.content` wraps with (rich's `divide_line`, Textual 8.2.8), kept: text without wide characters
is wrapped by it, and a test can see it is still the one this module was written against."""


def _units(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, unit) for each place a line may end after: a word (with the space after it), or a
    wide character (with the punctuation that belongs to it)."""
    position = 0
    while position < len(text):
        match = _UNIT.match(text, position)
        assert match is not None and match.end() > position  # every character is in one of its classes
        yield position, match.end(), match.group()
        position = match.end()


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Where to break `text` into lines of at most `width` cells (rich's `divide_line`, by the rules
    above): the offsets of the characters that begin a line after the first."""
    if not _HAS_WIDE.search(text):
        return ORIGINAL(text, width, fold=fold)
    breaks: list[int] = []
    used = 0
    for start, _end, unit in _units(text):
        length = cell_len(unit.rstrip())
        if width - used >= length:
            used += cell_len(unit)
        elif length > width:  # longer than a line (a long word, or punctuation piled up): folded
            if fold:
                pieces = chop_cells(unit, width)
                for index, piece in enumerate(pieces):
                    if start:
                        breaks.append(start)
                    if index == len(pieces) - 1:
                        used = cell_len(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    breaks.append(start)
                used = cell_len(unit)
        elif used and start:
            breaks.append(start)
            used = cell_len(unit)
    return breaks


def install() -> None:
    """Wrap every Content with `divide_line` above (once; later calls change nothing)."""
    textual.content.divide_line = divide_line
