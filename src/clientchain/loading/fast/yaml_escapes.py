"""The escapes a generator writes in flat YAML, written out as the characters they are.

PyYAML, unless told to allow Unicode, writes every character beyond ASCII as an escape
in double quotes (`id: "m\\xFCller"`, `\\u0440`, `\\U0001F600`), and breaks a
double-quoted value past 80 columns: a backslash at the line's end, the value going on
after the next line's indentation (a space right after the break escaped, `\\ `; a
no-break space is `\\_`). The flat reader takes no backslash outside comments;
`unescaped` gives it the same document with those escapes written as their characters
and each broken value joined on its first line, followed by a blank line for each line
it took more, so that every line is where it was. It refuses (EscapeError) a backslash
that is anything else, or stands outside a double-quoted value (`in_double_quotes` says
so: the flat reader's), or an escape of a character that is none (half a surrogate
pair alone, past U+10FFFF; a whole pair is its character, as JSON reads it: see
surrogate_pairs) or that cannot stand in a value as it is (a quote, a backslash, a
control character: the flat reader, which reads the result, refuses those and the line
breaks libyaml knows, as anywhere).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import numpy as np

from clientchain.loading.surrogate_pairs import joined_escapes
from clientchain.model.org import IntArray

_BACKSLASH, _NEWLINE = 92, 10
_LONGEST_ESCAPE = 10  # \UHHHHHHHH
_DOCUMENT_MARKS = np.array([ord("-"), ord(".")], dtype=np.uint8)
# A double-quoted value broken over lines: a backslash ending a line, then the next
# line's indentation (none of it the value's).
_BROKEN = re.compile(rb"\\\n *")
# A backslash ending a line: looked for by the regex engine, which took half the time of
# `in` over 252 MB of escaped JSON, a backslash every 26 bytes (0.09 s against 0.19).
_BACKSLASH_ENDING_A_LINE = re.compile(rb"\\\n")
# Per byte after a backslash: how many hex digits its escape has (-1: not an escape read
# here; 0: a space or a no-break space, escaped), and the character of those two.
_DIGITS = np.full(256, -1, dtype=np.int64)
_DIGITS[[ord("x"), ord("u"), ord("U"), ord(" "), ord("_")]] = [2, 4, 8, 0, 0]
_SPACES = np.zeros(256, dtype=np.int64)
_SPACES[[ord(" "), ord("_")]] = [0x20, 0xA0]
_HEX = np.full(256, -1, dtype=np.int64)  # per byte: its value as a hex digit, or -1
for _text, _first in ((b"0123456789", 0), (b"abcdef", 10), (b"ABCDEF", 10)):
    _HEX[list(_text)] = np.arange(_first, _first + len(_text))
# A backslash that starts none of those.
_NOT_READ = re.compile(rb"\\[^xuU _]")
# An escape of a character a value cannot hold as it is (a quote, a backslash, a tab, a
# line break), in any of the three spellings of its code.
_KEPT = re.compile(rb"\\(?:x|u00|U000000)(?:22|5[cC]|09|0[aA])")
# Any escape but a character's code, or one of those: none, usually (one search then,
# where the three separate ones and counts of each kept character took 0.19 s a 16 MB
# slice of a million roles' escaped JSON).
_OTHER_THAN_CODES = re.compile(rb"\\[^xuU]|" + _KEPT.pattern)
_SLICE = 1 << 24  # bytes of lines decoded at a time, about


class EscapeError(Exception):
    """A backslash that is not one of the escapes written out here (see the module)."""


def unescaped(
    data: bytes, in_double_quotes: Callable[[bytes, IntArray], bool], unbroken: bool = False
) -> bytes:
    """`data` (flat YAML ending in a line break) with its broken values joined and its
    escapes written as their characters; EscapeError where that would not be the same
    document. `in_double_quotes(joined, places)`: whether every backslash of `joined`,
    and each of `places` in it, lies inside a double-quoted value. `unbroken`: the
    caller knows no line ends with a backslash (a JSON document's: not looked for again)."""
    broken = not unbroken and ends_a_line_with_a_backslash(data)
    joined, joins = _joined(data) if broken else (data, np.zeros(0, dtype=np.int64))
    decoded = _decoded(joined)  # (first: a backslash that starts no escape is refused there,
    # before the scan that places every backslash: a path in a comment, `C:\\exports`)
    if not in_double_quotes(joined, joins):
        raise EscapeError("a backslash outside double quotes")
    return decoded


def ends_a_line_with_a_backslash(data: bytes) -> bool:
    """Whether a line of `data` ends with a backslash."""
    return _BACKSLASH_ENDING_A_LINE.search(data) is not None


def _joined(data: bytes) -> tuple[bytes, IntArray]:
    """`data` with each value broken over lines joined on its first line, followed by as
    many blank lines as it took more, and where each join is in what is returned."""
    _check_breaks(data)
    pieces = _BROKEN.split(data)
    joins = np.zeros(len(pieces) - 1, dtype=np.int64)
    owed, at = 0, len(pieces[0])
    for k in range(1, len(pieces)):
        joins[k - 1] = at
        owed += 1
        piece = pieces[k]
        end = piece.find(b"\n")
        if end >= 0:  # the value's last line: the line breaks it took go after it
            pieces[k] = piece[:end] + b"\n" * owed + piece[end:]
            owed = 0
        at += len(pieces[k])
    return b"".join(pieces), joins


def _check_breaks(data: bytes) -> None:
    """EscapeError for a backslash ending a line that is not a break of its value: one
    an escape before it takes in (`\\\\`: a backslash; `\\x4\\`: an escape that
    goes on after the break, which YAML refuses), or one whose next line starts a
    document (`---`, `...` in its first column)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero((buf[:-1] == _BACKSLASH) & (buf[1:] == _NEWLINE))
    taken = np.zeros(ends.size, dtype=bool)
    for back in range(1, _LONGEST_ESCAPE):  # a backslash this far before it, if any
        at = ends - back
        escape = (at >= 0) & (buf[np.maximum(at, 0)] == _BACKSLASH)
        length = 2 + np.maximum(_DIGITS[buf[np.maximum(at, 0) + 1]], 0)
        taken |= escape & (at + length > ends)
    after = np.minimum(ends[:, None] + 2 + np.arange(3), buf.size - 1)
    marks = buf[after]
    document = (marks == marks[:, :1]).all(axis=1) & np.isin(marks[:, 0], _DOCUMENT_MARKS)
    if taken.any() or document.any():
        raise EscapeError("a backslash ending a line that breaks no value")


def _decoded(text: bytes) -> bytes:
    """`text` with every backslash's escape written as its character's UTF-8 bytes, a
    slice of lines at a time (what a million roles' escapes take stays small), into one
    buffer: no escape is shorter than its character's UTF-8, so the text's length is
    room enough, and the buffer's bytes are what is returned (BytesIO.getvalue copies
    nothing once the buffer is cut to its end). The slices joined at the end held the
    text written out twice: a million roles' escaped JSON, 230 MB of it, beside the
    file's 252."""
    written = io.BytesIO()
    if text:
        written.seek(len(text) - 1)
        written.write(b"\0")  # (the room, made once)
        written.seek(0)
    start = 0
    while start < len(text):
        end = text.find(b"\n", start + _SLICE)
        end = len(text) if end < 0 else end + 1
        part = text[start:end]
        if b"\\" in part:
            part = _by_codec(part) if part.isascii() else _by_arrays(part)
        written.write(part)
        start = end
    written.truncate()
    return written.getvalue()


def _by_codec(part: bytes) -> bytes:
    """`_decoded` of ASCII text (what PyYAML writes unless told to allow Unicode), by
    Python's own decoder of these escapes, which also refuses a malformed one. Each
    backslash starts an escape read here, and none gives a quote, a backslash, a tab or
    a line break (an escape of one is looked for first)."""
    if _OTHER_THAN_CODES.search(part) is not None:  # (usually none: nothing to replace)
        if _NOT_READ.search(part):
            raise EscapeError("an escape other than a character's code or a space")
        if _KEPT.search(part):
            raise EscapeError("an escape of a character kept escaped")
        # (Python's own escapes but the two spaces)
        part = part.replace(b"\\ ", b" ").replace(b"\\_", b"\xa0")
    try:  # (a byte beyond ASCII is read as Latin-1)
        text = part.decode("unicode_escape")
        return text.encode("utf-8")
    except UnicodeDecodeError:
        raise EscapeError("a malformed escape") from None
    except UnicodeEncodeError:  # (a surrogate: half a pair, or both as JSON escapes one)
        pass
    # Adjacent halves are a pair's two escapes (a character's code: `\\u` or `\\U0000`):
    # UTF-16 joins them, and refuses a half alone.
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le").encode("utf-8")
    except UnicodeError:
        raise EscapeError("an escape of no character") from None


def _by_arrays(text: bytes) -> bytes:
    """`_decoded` of any text, in numpy: the escapes' bytes dropped, the characters'
    put where each escape began."""
    buf = np.frombuffer(text, dtype=np.uint8)
    at = np.flatnonzero(buf == _BACKSLASH)
    if not at.size:
        return text
    last = buf.size - 1  # (a line break: no escape runs past it)
    kind = buf[np.minimum(at + 1, last)]
    digits = _DIGITS[kind]
    if np.any(digits < 0):
        raise EscapeError("an escape other than a character's code or a space")
    code = np.where(digits == 0, _SPACES[kind], 0)
    for k in range(int(digits.max())):
        more = digits > k
        value = _HEX[buf[np.minimum(at + 2 + k, last)]]
        if np.any(more & (value < 0)):
            raise EscapeError("an escape without its hex digits")
        code = np.where(more, code * 16 + value, code)
    surrogate = (code >= 0xD800) & (code < 0xE000)
    if np.any(surrogate):  # (pairs, as JSON escapes a character beyond the BMP?)
        paired = joined_escapes(text)
        if paired != text:
            return _by_arrays(paired)
    if np.any(surrogate | (code > 0x10FFFF) | (code < 0x20) | (code == 0x22) | (code == 0x5C)):
        raise EscapeError("an escape of no character, or of one kept escaped")
    length = 2 + digits  # the escape's bytes
    width = 1 + (code >= 0x80) + (code >= 0x800) + (code >= 0x10000)  # its character's
    # Which bytes are inside an escape (escapes never overlap: a hex digit or a space
    # is no backslash), and how many bytes outside come before each escape.
    mark = np.zeros(buf.size + 1, dtype=np.int8)
    mark[at] = 1
    mark[at + length] -= 1
    inside = np.cumsum(mark[:-1], dtype=np.int8).view(bool)
    before = at - (np.cumsum(length) - length)
    return bytes(np.insert(buf[~inside], np.repeat(before, width), _utf8(code, width)))


def _utf8(code: IntArray, width: IntArray) -> np.ndarray:
    """The UTF-8 bytes of characters `code` (`width` bytes each), one after another."""
    cells = np.zeros((code.size, 4), dtype=np.int64)
    lead = np.array([0, 0, 0xC0, 0xE0, 0xF0])[width]  # (a single byte is its code)
    for k in range(4):
        # Byte k of a character w bytes wide holds its bits from 6 (w - 1 - k) up: six of
        # them under 0x80, or in the first byte all the rest, under its lead.
        part = code >> (6 * np.maximum(width - 1 - k, 0))
        cells[:, k] = lead | part if k == 0 else 0x80 | (part & 0x3F)
    wanted = np.arange(4) < width[:, None]
    return cells[wanted].astype(np.uint8)
