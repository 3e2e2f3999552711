"""The text encodings of spreadsheet files: which ones reqboard reads and writes, and which one a file is in.

Excel saves "CSV UTF-8" with a byte order mark; on a Chinese Windows its plain "CSV" is in the system's
code page, GBK (GB18030 is its superset and covers all of Unicode); its "Unicode text" is UTF-16 with
a byte order mark. So a CSV file whose encoding nobody names is read as:

1. UTF-8 or UTF-16 when it starts with that byte order mark;
2. UTF-8 when all of it is UTF-8 (plain ASCII is);
3. GB18030 (which reads GBK and GB2312 files too) when all of it decodes so *and* reads as Chinese text
   (`reads_as_chinese`, from its first byte past ASCII on: a file whose first rows are English is
   judged by its Chinese ones);
4. else it is refused, naming where it stops being UTF-8 (see `csv_io`), and the person names the
   encoding (`--encoding big5`).

Reading as Chinese text. Most of its characters past ASCII are ones Chinese text holds (`_likely`): the
common characters and punctuation of GB2312, or traditional forms of them amid other Chinese characters
(a GB18030 export of a board in traditional characters). Other text misread as GB18030 seldom becomes
that: a Latin-1 `Größe` becomes rare characters of row F6, Big5 text kana, bopomofo and rare characters.
But the Korean and Japanese code pages share GB2312's layout, and what Korean Excel saves (CP949, which
reads EUC-KR) or an EUC-JP file decodes as GB18030 into its common characters. So a file that reads as
Korean (CP949 into Hangul syllables: `_korean`) or Japanese (EUC-JP or Shift-JIS into kana: `_japanese`)
is refused, unless its header names a column in Chinese (`标题`, `客户名称`: a signal no Korean or
Japanese file gives); and one that decodes in those code pages at all (a short Chinese file often does)
needs a higher share of such characters. A file too short to tell (one cell of 北京, which CP949 reads as
two Hangul syllables) is refused rather than guessed: `--encoding gb18030` reads it. What may still be
read as Chinese: a Japanese file all in kanji (EUC-JP's kanji are GB2312's characters) and, seldom, a
Big5 file of a cell or two.

Names are codec names in any spelling Python knows (`UTF8`, `GBK`, `cp936`), narrowed to the ones listed
here. Checking a whole file decodes keeps no copy of its text (see `decodes`, `first_bad_byte`).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable

from .errors import InvalidValue
from .i18n import _

IMPORT_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "utf-16")
"""What a CSV file may be read as, when named (`utf-8` reads a file with or without a byte order mark)."""
EXPORT_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030", "gbk")
"""What a CSV export may be written in: `utf-8-sig` (the default: UTF-8 with a byte order mark, which Excel
reads as UTF-8), `utf-8` (without the mark), `gb18030` (what a Chinese Excel opens as "CSV") and `gbk`."""
DEFAULT_EXPORT = "utf-8-sig"

_CHUNK = 1 << 20
_SAMPLE = 1 << 16
"""How much of a file, from its first byte past ASCII, is looked at to tell Chinese text from text in
another encoding."""
_SAMPLED_CHARACTERS = 4000


def _codec(name: str) -> str | None:
    try:
        info = codecs.lookup(name.strip())
    except (LookupError, TypeError, ValueError):
        return None
    return info.name


def import_encoding(name: str) -> str:
    """The codec to read a CSV file named to be in `name` with; raises InvalidValue for a name that is no
    encoding reqboard reads."""
    codec = _codec(name)
    if codec not in IMPORT_ENCODINGS:
        raise InvalidValue(_("{name!r} is not an encoding reqboard reads CSV files in: use one of {names}, or "
                             "leave it out to have the encoding detected").format(
                                 name=name, names=", ".join(IMPORT_ENCODINGS)))
    return "utf-8-sig" if codec == "utf-8" else codec  # a byte order mark is no part of the first column's name


def export_encoding(name: str | None) -> str:
    """The codec a CSV export is written with (None: the default); raises InvalidValue for any other name."""
    if name is None:
        return DEFAULT_EXPORT
    codec = _codec(name)
    if codec not in EXPORT_ENCODINGS:
        raise InvalidValue(_("{name!r} is not an encoding reqboard writes CSV files in: use one of {names}").format(
            name=name, names=", ".join(EXPORT_ENCODINGS)))
    return codec


def decodes(data: bytes, codec: str) -> bool:
    """True when all of `data` is text in `codec` (decoded a megabyte at a time, the text let go)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start:start + _CHUNK])
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def _likely(character: str) -> bool:
    """A character GB18030 text holds and other text misread as GB18030 seldom becomes: GB2312's
    punctuation, full-width forms and numbers (rows A1-A3), its accented Latin letters (row A8 up to
    bopomofo: é, ü) and its 3,755 common characters (rows B0-D7), nearly every character of Chinese
    business text; or one GB18030 writes in four bytes (ä, ß, emoji), which takes a digit after each of
    two bytes past ASCII. A Latin-1 `öß` becomes a rare character of row F6 instead, and Big5 text mostly
    kana, Greek, Cyrillic, bopomofo (rows A4-A8), rare characters or ones whose second byte is ASCII."""
    code = character.encode("gb18030")
    if len(code) == 4:
        return True
    if len(code) != 2 or code[1] < 0xA1:
        return False
    return 0xA1 <= code[0] <= 0xA3 or (code[0] == 0xA8 and code[1] < 0xC0) or 0xB0 <= code[0] <= 0xD7


def _reading(sample: bytes, codec: str) -> str | None:
    """`sample` (the start of a file, maybe cut inside a character) as text in `codec`, or None when it
    is not text in it."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(sample, False)
    except UnicodeDecodeError:
        return None


def _sample(data: bytes) -> bytes:
    """What a file is judged by: `_SAMPLE` bytes from its first byte past ASCII (which starts a character:
    no character of these code pages has an ASCII byte first), however many ASCII rows come before."""
    first = _PAST_ASCII.search(data)
    return b"" if first is None else data[first.start():first.start() + _SAMPLE]


_PAST_ASCII = re.compile(rb"[\x80-\xff]")


def _letters(text: str) -> list[str]:
    return [c for c in text if c > "\x7f" and unicodedata.category(c).startswith("L")]


def _is_kana(character: str) -> bool:
    return "\u3040" <= character <= "\u30ff"  # hiragana and katakana (Chinese text has none)


_HANGUL_SPACED = re.compile("[\uac00-\ud7a3] [\uac00-\ud7a3]")


def _korean(sample: bytes) -> bool:
    """Whether the bytes are Korean text in CP949 (or EUC-KR): nearly all of its letters are the 2,350
    Hangul syllables of KS X 1001, which Korean text is written in (rows B0-C8, where GB2312 has Chinese
    characters); or most are, and words are spaced as Korean spaces them (Hanja among Hangul). Chinese
    text read so has Hanja (GB2312's rows C9-D7) or syllables of CP949's extension (traditional forms)."""
    text = _reading(sample, "cp949")
    if text is None:
        return False
    letters = _letters(text)
    if not letters:
        return False
    common = 0
    for letter in letters:
        if "\uac00" <= letter <= "\ud7a3":
            code = letter.encode("cp949")
            common += code[0] >= 0xB0 and code[1] >= 0xA1
    return common >= 0.9 * len(letters) or (2 * common >= len(letters) and len(_HANGUL_SPACED.findall(text)) >= 2)


def _japanese(sample: bytes) -> bool:
    """Whether the bytes are Japanese text in EUC-JP or Shift-JIS: one letter in ten or more is kana."""
    for codec in ("euc_jp", "cp932"):
        text = _reading(sample, codec)
        if text is not None:
            letters = _letters(text)
            if letters and 10 * sum(map(_is_kana, letters)) >= len(letters):
                return True
    return False


def _ambiguous(sample: bytes) -> bool:
    """Whether the bytes are text in a Korean or Japanese code page as well (as short Chinese texts are)."""
    return any(_reading(sample, codec) is not None for codec in ("cp949", "euc_jp", "cp932"))


def _chinese_share(text: str) -> float:
    """The share of the characters past ASCII (the first `_SAMPLED_CHARACTERS`) that Chinese text holds:
    `_likely` ones, and traditional forms of likely ones in a run of characters past ASCII (a Latin-1
    letter misread becomes one character between ASCII letters)."""
    chars: list[str] = []
    in_run: list[bool] = []
    for at, character in enumerate(text):
        if character > "\x7f":
            chars.append(character)
            in_run.append((at > 0 and text[at - 1] > "\x7f") or (at + 1 < len(text) and text[at + 1] > "\x7f"))
            if len(chars) == _SAMPLED_CHARACTERS:
                break
    if not chars:
        return 0.0
    likely = [_likely(c) for c in chars]
    if sum(likely) < _AMBIGUOUS_SHARE * len(chars) and any(in_run):  # (enough for any file without them)
        from .collation import simplified  # OpenCC: loaded only for a file of rarer characters

        as_simplified = simplified("".join(chars))
        if len(as_simplified) == len(chars):  # one for one, as OpenCC's character table converts
            likely = [yes or (run and plain != c and _likely(plain))
                      for yes, run, c, plain in zip(likely, in_run, chars, as_simplified, strict=True)]
    return sum(likely) / len(chars)


def reads_as_chinese(data: bytes, *, chinese_header: Callable[[str], bool] | None = None) -> bool:
    """Whether text that decodes as GB18030 is Chinese text in GB18030 (see the module's docstring),
    judged from its first byte past ASCII on. `chinese_header(cell)`: whether a cell of the first line
    names a column in Chinese (the CSV reader's column names)."""
    sample = _sample(data)
    text = _reading(sample, "gb18030")
    if not text:
        return False
    past_ascii = [c for c in text if c > "\x7f"][:_SAMPLED_CHARACTERS]
    if 10 * sum(map(_is_kana, past_ascii)) > len(past_ascii):  # EUC-JP, or Big5's 文 (A4E5: ゅ)
        return False
    share = _chinese_share(text)
    if chinese_header is not None and _names_columns(data, chinese_header):
        return 2 * share >= 1
    if _korean(sample) or _japanese(sample):
        return False
    return share >= (_AMBIGUOUS_SHARE if _ambiguous(sample) else 0.5)


_AMBIGUOUS_SHARE = 0.8
"""The share of Chinese characters a file that is Korean or Japanese text as well needs."""


def _names_columns(data: bytes, chinese_header: Callable[[str], bool]) -> bool:
    """Whether a cell of the file's first line, read as GB18030, names a column in Chinese."""
    end = data.find(b"\n", 0, _SAMPLE)
    line = _reading(data[:end if end >= 0 else _SAMPLE], "gb18030")
    if not line or line.isascii():
        return False
    cells = re.split("[,;\t]", line.lstrip("\ufeff"))
    return any(chinese_header(cell.strip().strip('"').strip()) for cell in cells)


def detect(data: bytes, *, chinese_header: Callable[[str], bool] | None = None) -> str | None:
    """The codec a CSV file nobody named an encoding for is read with (see the module's docstring), or
    None when it is neither UTF-8 nor Chinese text in GB18030. `chinese_header`: see `reads_as_chinese`."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.isascii() or decodes(data, "utf-8"):
        return "utf-8-sig"
    if decodes(data, "gb18030") and reads_as_chinese(data, chinese_header=chinese_header):
        return "gb18030"
    return None


def first_bad_byte(data: bytes, codec: str) -> int:
    """Where the first byte that is not text in `codec` is (the file's length when there is none);
    decoded a megabyte at a time, the text let go."""
    skip = len(codecs.BOM_UTF8) if codec in ("utf-8", "utf-8-sig") and data.startswith(codecs.BOM_UTF8) else 0
    codec = "utf-8" if codec == "utf-8-sig" else codec
    decoder = codecs.getincrementaldecoder(codec)()
    for start in range(skip, len(data), _CHUNK):
        # The bytes of a character cut at the last chunk's end are the decoder's, and so part of this one.
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(data[start:start + _CHUNK])
        except UnicodeDecodeError:
            return _first_bad_in(data, start - pending, min(start + _CHUNK, len(data)), codec)
        except UnicodeError:  # UTF-16 without its byte order mark: not text in it from the start
            return skip
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError:  # the file ends inside a character
        return len(data) - pending
    return len(data)


def _first_bad_in(data: bytes, start: int, end: int, codec: str) -> int:
    """The first bad byte of `data[start:end]`, which starts a character and holds one that is bad."""
    try:
        codecs.getincrementaldecoder(codec)().decode(data[start:end], False)
    except UnicodeDecodeError as exc:
        return start + exc.start
    except UnicodeError:  # pragma: no cover  (UTF-16 without its byte order mark: found at the start)
        return start
    return end  # pragma: no cover  (the chunk failed: so does the same text from where its character began)


def shown_name(codec: str) -> str:
    """A codec as a message names it: UTF-8, GB18030, GBK, UTF-16."""
    return "UTF-8" if codec in ("utf-8", "utf-8-sig") else codec.upper()


__all__ = ["DEFAULT_EXPORT", "EXPORT_ENCODINGS", "IMPORT_ENCODINGS", "decodes", "detect", "export_encoding",
           "first_bad_byte", "import_encoding", "reads_as_chinese", "shown_name"]
