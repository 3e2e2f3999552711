"""The text encodings of spreadsheet files: which ones reqboard reads and writes, and which one a file is in.

Excel saves "CSV UTF-8" with a byte order mark; on a Chinese Windows its plain "CSV" is in the system's
code page, GBK (GB18030 is its superset and covers all of Unicode); its "Unicode text" is UTF-16 with
a byte order mark. So a CSV file whose encoding nobody names is read as:

1. UTF-8 or UTF-16 when it starts with that byte order mark;
2. UTF-8 when all of it is UTF-8 (plain ASCII is);
3. GB18030 (which reads GBK and GB2312 files too) when all of it decodes so *and* reads as such text:
   most of its other characters are the common Chinese characters and punctuation of GB2312 (or ones
   GB18030 writes in four bytes, as `ä`). A Latin-1 file (`Größe`) often decodes as GB18030 too, but
   into rare characters, and is refused rather than imported as nonsense;
4. else it is refused, naming where it stops being UTF-8 (see `csv_io`), and the person names the
   encoding (`--encoding big5`).

Names are codec names in any spelling Python knows (`UTF8`, `GBK`, `cp936`), narrowed to the ones listed
here. Checking a whole file decodes keeps no copy of its text (see `decodes`).
"""

from __future__ import annotations

import codecs

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
"""How much of a file is looked at to tell Chinese text from text in another encoding."""
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
    punctuation, full-width forms and numbers (rows A1-A3), its accented Latin letters (row A8: é, ü)
    and its 3,755 common characters (rows B0-D7), nearly every character of Chinese business text; or
    one GB18030 writes in four bytes (ä, ß, emoji), which takes a digit after each of two bytes past
    ASCII. A Latin-1 `öß` becomes a rare character of row F6 instead, and Big5 text mostly kana, Greek,
    Cyrillic (rows A4-A7), rare characters or ones whose second byte is ASCII."""
    code = character.encode("gb18030")
    if len(code) == 4:
        return True
    return len(code) == 2 and code[1] >= 0xA1 and (0xA1 <= code[0] <= 0xA3 or code[0] == 0xA8 or 0xB0 <= code[0] <= 0xD7)


def reads_as_chinese(data: bytes) -> bool:
    """Whether text that decodes as GB18030 is GB18030 text: at least half of the characters past ASCII at
    its start are ones such text holds (see `_likely`)."""
    sample = [c for c in data[:_SAMPLE].decode("gb18030", "ignore") if c > "\x7f"][:_SAMPLED_CHARACTERS]
    return bool(sample) and 2 * sum(map(_likely, sample)) >= len(sample)


def detect(data: bytes) -> str | None:
    """The codec a CSV file nobody named an encoding for is read with (see the module's docstring), or
    None when it is neither UTF-8 nor Chinese text in GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data.isascii() or decodes(data, "utf-8"):
        return "utf-8-sig"
    if decodes(data, "gb18030") and reads_as_chinese(data):
        return "gb18030"
    return None


def first_bad_byte(data: bytes, codec: str) -> int:
    """Where the first byte that is not text in `codec` is (the file's length when there is none)."""
    skip = len(codecs.BOM_UTF8) if codec in ("utf-8", "utf-8-sig") and data.startswith(codecs.BOM_UTF8) else 0
    try:
        data[skip:].decode("utf-8" if codec == "utf-8-sig" else codec)
    except UnicodeDecodeError as exc:
        return skip + exc.start
    return len(data)


def shown_name(codec: str) -> str:
    """A codec as a message names it: UTF-8, GB18030, GBK, UTF-16."""
    return "UTF-8" if codec in ("utf-8", "utf-8-sig") else codec.upper()


__all__ = ["DEFAULT_EXPORT", "EXPORT_ENCODINGS", "IMPORT_ENCODINGS", "decodes", "detect", "export_encoding",
           "first_bad_byte", "import_encoding", "reads_as_chinese", "shown_name"]
