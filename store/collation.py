"""Chinese names in the order and the spellings Chinese readers look for them.

- `sort_key`: names in pinyin order (北京 beside Beijing, 重庆 under c), Latin names by their letters,
  casefolded; what lists of customers and the board's customer lanes sort by.
- `initials`: the pinyin initials of the Han characters in a text (北京华为 -> "bjhw"), so that the filter
  finds 北京 by `bj`.
- `simplified`: traditional characters as simplified ones (發票 -> 发票), so that the filter matches the
  one form by the other.

pypinyin (0.1 s to import) and OpenCC are loaded the first time a text holds a Han character: a board
in English never pays for them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _han() -> re.Pattern[str]:
    # Compiled on first need (2 ms: start-up does not pay it).
    return re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def has_han(text: str) -> bool:
    """True if `text` holds a Chinese (Han) character (ASCII text is answered without a look)."""
    return not text.isascii() and _han().search(text) is not None


@lru_cache(maxsize=1)
def _pinyin() -> Any:
    import pypinyin

    return pypinyin


@lru_cache(maxsize=8192)
def sort_key(text: str) -> tuple[str, str, str]:
    """The key to sort names by: each Han character read as its pinyin (tones break ties, then the
    characters themselves), everything else casefolded."""
    if not has_han(text):
        folded = text.casefold()
        return folded, "", text
    pypinyin = _pinyin()
    syllables = pypinyin.lazy_pinyin(text, style=pypinyin.Style.NORMAL)
    tones = pypinyin.lazy_pinyin(text, style=pypinyin.Style.TONE3, neutral_tone_with_five=True)
    return "".join(syllables).casefold(), "".join(tones).casefold(), text


@lru_cache(maxsize=1 << 17)
def initials(text: str) -> str:
    """The pinyin initial of each Han character in `text`, in order ("" when there is none):
    北京华为 -> "bjhw"; Latin letters and digits are not included (they match as themselves)."""
    if not has_han(text):
        return ""
    pypinyin = _pinyin()
    letters = pypinyin.lazy_pinyin(text, style=pypinyin.Style.FIRST_LETTER, errors=lambda chunk: [" "] * len(chunk))
    # Initials of runs of Han characters, kept apart by a space where other text stood between them.
    return " ".join("".join(letters).split()).casefold()


@lru_cache(maxsize=1)
def _to_simplified() -> Any:
    try:
        import opencc
    except ImportError:  # the filter then matches each form by itself only
        return None
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """`text` with traditional Chinese characters written as simplified ones (發票 -> 发票); other text,
    and text without Han characters, unchanged."""
    if not has_han(text):
        return text
    converter = _to_simplified()
    return text if converter is None else str(converter.convert(text))
