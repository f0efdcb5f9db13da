"""Cells of a byte buffer, given as [start, end) ranges: trimming them, reading numbers and
hashing or comparing their bytes, a whole column at a time (see flat_csv and id_lookup).

Bytes are read 8 at a time (`Words`): a range of n bytes is covered by the words at its
start, start + 8, ... and the word that ends where it ends (which may overlap the one
before it), so no byte outside the range is ever read into a hash or a comparison and
no mask is needed but for ranges shorter than a word.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from clientchain.graph.sorting import ranges_back_to_back
from clientchain.loading.scalars import NULLS
from clientchain.model.org import FloatArray, IntArray
from clientchain.model.texts import gather_texts

__all__ = ["gather_texts"]  # (moved to model.texts) still found here by the fast readers

_SPACE, _DOT, _ZERO, _NINE = 32, 46, 48, 57
_WORD = 8
SCAN = 1 << 18  # bytes compared at a time by `positions` (a slice that stays in cache)
_WORDS_AT_ONCE = 1 << 16  # ranges read as numbers at a time by `plain_decimals`
_EXACT_INTEGER = 2**53  # float64 holds every integer below this exactly
_POWERS = np.array([float(10**k) for k in range(23)])  # exact doubles: 10**0 .. 10**22
_U = np.uint64
_BELOW = np.array([8 * (_WORD - n) for n in range(_WORD + 1)], dtype=np.uint64)  # by length
_ZEROS = _U(0x3030303030303030)  # "00000000"
_HIGH_NIBBLES = _U(0xF0F0F0F0F0F0F0F0)
# By a number's length n (1 to 8): the word's top n bytes, and '0' in the 8 - n below.
_TOP_BYTES = np.array([~((1 << (8 * (_WORD - n))) - 1) & (2**64 - 1) for n in range(9)], np.uint64)
_LOW_ZEROS = _ZEROS >> (_U(64) - _BELOW)  # (as the general way computes it, shifts and all)
# str.strip's white space beyond ASCII, as UTF-8 (all are 2 or 3 bytes, none above U+3000).
_UNICODE_SPACES = [chr(c).encode() for c in range(128, 0x3001) if chr(c).isspace()]
_SPACE_LEAD = np.zeros(256, dtype=bool)  # bytes that begin one of those
_SPACE_LEAD[[space[0] for space in _UNICODE_SPACES]] = True
# How a range's edge byte may matter to str.strip: a space, another ASCII control or
# white space character, or the start or end of a non-ASCII character.
_EDGE_SPACE, _EDGE_CONTROL, _EDGE_WIDE = 1, 2, 4
_EDGE = np.zeros(256, dtype=np.uint8)
_EDGE[:33] = _EDGE_CONTROL
_EDGE[_SPACE] = _EDGE_SPACE
_EDGE[127] = _EDGE_CONTROL
_EDGE[128:] = _EDGE_WIDE
# A quick filter before those: an edge byte that is a space or control character, or that
# may begin (first byte) or end (last byte) a non-ASCII white space; a range with neither
# is one that neither `strip_spaces` nor `may_strip` changes or flags.
_SPACE_TAIL = np.zeros(256, dtype=bool)
_SPACE_TAIL[[space[-1] for space in _UNICODE_SPACES]] = True
_ASCII_EDGE = (_EDGE & (_EDGE_SPACE | _EDGE_CONTROL)) != 0
_MAY_STRIP_FIRST = _ASCII_EDGE | _SPACE_LEAD
_MAY_STRIP_LAST = _ASCII_EDGE | _SPACE_TAIL
_ODD_EDGE = _EDGE != 0  # (odd_edge's bytes, and spaces)
_SPACE_EDGE = _EDGE == _EDGE_SPACE
_LONGEST_NULL = max(map(len, NULLS))


class Words:
    """The 8 bytes at any offset of a buffer as one little-endian word: a strided view,
    so a whole column of ranges reads its k-th word in one gather."""

    def __init__(self, buf: np.ndarray) -> None:
        if buf.size < _WORD:  # too short for one word: a padded copy (tiny)
            buf = np.concatenate([buf, np.zeros(_WORD - buf.size, dtype=np.uint8)])
        self.buf, self.size = buf, buf.size
        self.view = np.ndarray((buf.size - _WORD + 1,), dtype="<u8", buffer=buf, strides=(1,))

    def at(self, position: IntArray) -> np.ndarray:
        """The 8 bytes from each position (zero bytes beyond the buffer's end)."""
        if not position.size or int(position.max()) <= self.size - _WORD:
            return np.asarray(self.view[position])
        read = np.minimum(position, self.size - _WORD)
        shift = (np.minimum(position, self.size) - read).astype(np.uint64) * _U(8)
        return np.asarray(self.view[read] >> shift)

    def tail(self, end: IntArray, length: IntArray) -> np.ndarray:
        """The last min(8, length) bytes before each `end` as a word, first byte lowest,
        zero above them (all of a range shorter than a word)."""
        if not end.size:
            return np.zeros(0, dtype=np.uint64)
        if int(end.min()) >= _WORD:  # the usual case: the word that ends at `end`
            word = self.view[end - _WORD]
            if int(length.min()) >= _WORD:
                return np.asarray(word)
            return np.asarray(word >> _BELOW[np.minimum(length, _WORD)])
        base = np.maximum(end - _WORD, 0)
        # Bytes after the range are shifted out at the top, bytes before it at the bottom.
        above = ((_WORD - (end - base)) * 8).astype(np.uint64)
        return np.asarray((self.view[base] << above) >> _BELOW[np.minimum(length, _WORD)])


def _heads(length: IntArray) -> int:
    """How many whole words the longest range has before its last word."""
    longest = int(length.max(initial=0))
    return max(0, -(-longest // _WORD) - 1)


def same_ranges(
    words: Words, start: IntArray, other: Words, other_start: IntArray, length: IntArray
) -> np.ndarray:
    """Per pair: the `length` bytes at `start` (in words) equal those at `other_start`."""
    start, other_start = start.astype(np.int64), other_start.astype(np.int64)
    length = length.astype(np.int64)
    same = np.asarray(
        words.tail(start + length, length) == other.tail(other_start + length, length)
    )
    for k in range(_heads(length)):
        rows = np.flatnonzero(same & (length > _WORD * (k + 1)))
        if not rows.size:
            break
        offset = _WORD * k
        same[rows] = words.view[start[rows] + offset] == other.view[other_start[rows] + offset]
    return same


def null_spelled(buf: np.ndarray, start: IntArray, end: IntArray) -> np.ndarray:
    """Per range: its bytes spell YAML's null written plainly (`~`, `null`, nothing)."""
    length = end - start
    null = np.zeros(length.size, dtype=bool)
    # Only ranges as short as the longest spelling may be one: those are few, but in a
    # column of numbers (all short) they are all.
    short = np.flatnonzero(length <= _LONGEST_NULL)
    short_length = length[short]
    for spelling in NULLS:  # the same spellings as the precise reader's
        same = short[short_length == len(spelling)]
        for k, byte in enumerate(spelling.encode("ascii")):
            same = same[buf[start[same] + k] == byte]
        null[same] = True
    return null


def counts_within(buf: np.ndarray, byte: int, start: IntArray, end: IntArray) -> IntArray:
    """How many bytes `byte` each range [start, end) holds: two searches among where the
    byte is (the scanner's quotes: a quoted value holds its own two and no more)."""
    at = positions(buf, lambda part: part == byte)
    counts: IntArray = np.searchsorted(at, end) - np.searchsorted(at, start)
    return counts


def strip_spaces(buf: np.ndarray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """The ranges without the spaces at either end."""
    start, end = start.copy(), end.copy()
    if not start.size:
        return start, end
    # Indices are clamped only so that empty ranges read some valid byte; the range
    # test discards it. One pass over all ranges, then only over those still shrinking.
    top = buf.size - 1
    lead = np.flatnonzero((start < end) & (buf[np.minimum(start, top)] == _SPACE))
    if lead.size:  # (each to its first non-space, never past its end)
        start[lead] = np.minimum(walk_over(buf, start[lead]), end[lead])
    trail = np.flatnonzero((end > start) & (buf[np.maximum(end - 1, 0)] == _SPACE))
    if trail.size:  # (each back to its last non-space, never before its start)
        end[trail] = np.maximum(walk_over(buf, end[trail] - 1, step=-1) + 1, start[trail])
    return start, end


def strip_padding(buf: np.ndarray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """`strip_spaces`, on the few ranges with a space at an edge only: the ranges as the
    precise reader trims a flows CSV cell (spaces, loading/flow_table.py's CELL_PADDING;
    a tab or any other white space at an id's edge is part of the id)."""
    rows = _suspect_edges(buf, start, end, _SPACE_EDGE, _SPACE_EDGE)
    if not rows.size:
        return start, end
    return _strip_rows(buf, start, end, rows)


def strip_for_lookup(
    buf: np.ndarray, start: IntArray, end: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """`strip_spaces`, and the ranges `may_strip` flags then (their indices): both on the
    few ranges with a suspect edge byte only (one table look-up per edge for all)."""
    rows = _suspect_edges(buf, start, end, _MAY_STRIP_FIRST, _MAY_STRIP_LAST)
    if not rows.size:
        return start, end, rows
    start, end = _strip_rows(buf, start, end, rows)
    return start, end, rows[may_strip(buf, start[rows], end[rows])]


def strip_for_numbers(
    buf: np.ndarray, start: IntArray, end: IntArray
) -> tuple[IntArray, IntArray, bool]:
    """`strip_spaces`, and whether `odd_edge` flags any range then: both on the few ranges
    with a space, control or non-ASCII edge byte only."""
    rows = _suspect_edges(buf, start, end, _ODD_EDGE, _ODD_EDGE)
    if not rows.size:
        return start, end, False
    start, end = _strip_rows(buf, start, end, rows)
    return start, end, bool(odd_edge(buf, start[rows], end[rows]).any())


def _suspect_edges(
    buf: np.ndarray, start: IntArray, end: IntArray, first: np.ndarray, last: np.ndarray
) -> IntArray:
    """The non-empty ranges whose first byte is flagged in `first` or last in `last`."""
    if not start.size:
        return np.zeros(0, dtype=np.int64)
    # Clamped only if needed: an empty range at either end of buf reads a valid byte.
    head = buf[start] if int(start.max()) < buf.size else buf[np.minimum(start, buf.size - 1)]
    tail = buf[end - 1] if int(end.min()) > 0 else buf[np.maximum(end - 1, 0)]
    # (np.take on a table indexed by bytes: no conversion of the bytes to indices first)
    flagged = np.take(first, head)
    flagged |= np.take(last, tail)
    flagged &= start < end
    return np.flatnonzero(flagged)


def _strip_rows(
    buf: np.ndarray, start: IntArray, end: IntArray, rows: IntArray
) -> tuple[IntArray, IntArray]:
    """Copies of the ranges with `rows` stripped of spaces (the others have none)."""
    start, end = start.copy(), end.copy()
    start[rows], end[rows] = strip_spaces(buf, start[rows], end[rows])
    return start, end


def edge_kinds(buf: np.ndarray, start: IntArray, end: IntArray) -> np.ndarray:
    """Per range, how its first and last bytes may matter to `str.strip` (_EDGE_* bits
    of both, or-ed; 0 for an empty range)."""
    if not start.size:
        return np.zeros(0, dtype=np.uint8)
    # Clamped: an empty range at either end of buf still reads a valid byte (dropped).
    first = np.take(_EDGE, buf[np.minimum(start, buf.size - 1)])
    last = np.take(_EDGE, buf[np.maximum(end - 1, 0)])
    return np.asarray(np.where(start < end, first | last, 0).astype(np.uint8))


def odd_edge(buf: np.ndarray, start: IntArray, end: IntArray) -> np.ndarray:
    """Ranges that begin or end with a byte `str.strip` might treat as white space
    (control characters, or the start of a non-ASCII character)."""
    return np.asarray(edge_kinds(buf, start, end) & (_EDGE_CONTROL | _EDGE_WIDE) != 0)


def may_strip(buf: np.ndarray, start: IntArray, end: IntArray) -> np.ndarray:
    """Ranges (spaces already stripped) that `str.strip` might still shorten: they begin or
    end with an ASCII control character or a non-ASCII white-space character."""
    kinds = edge_kinds(buf, start, end)
    flagged = (kinds & _EDGE_CONTROL) != 0
    wide = np.flatnonzero(kinds & _EDGE_WIDE)
    if not wide.size:
        return np.asarray(flagged)
    s, e = start[wide], end[wide]
    top = buf.size - 1
    # Those white spaces start with a few lead bytes: only ranges whose first character
    # or one of the last ones starts with such a byte are compared.
    suspect = np.flatnonzero(
        _SPACE_LEAD[buf[s]]
        | _SPACE_LEAD[buf[np.maximum(e - 2, 0)]]
        | _SPACE_LEAD[buf[np.maximum(e - 3, 0)]]
    )
    ss, ee = s[suspect], e[suspect]
    found = np.zeros(suspect.size, dtype=bool)
    for space in _UNICODE_SPACES:  # 19 sequences of 2-3 bytes, on the suspects only
        n = len(space)
        head = ee - ss >= n
        tail = head.copy()
        for k, byte in enumerate(space):
            head &= buf[np.minimum(ss + k, top)] == byte
            tail &= buf[np.maximum(ee - n + k, 0)] == byte
        found |= head | tail
    flagged[wide[suspect]] |= found
    return np.asarray(flagged)


def plain_decimals(
    buf: np.ndarray, start: IntArray, end: IntArray, fractions: bool = True
) -> tuple[FloatArray, IntArray] | None:
    """Numbers written as digits with at most one decimal point (`12`, `12.50`, `.5`;
    digits only unless `fractions`), and the decimal places of each; None if any range
    holds anything else.

    Exactly `float(text)`: the digits form an integer below 2**53 and the places are
    at most 22, so integer and power of ten are exact doubles and one IEEE division
    rounds their quotient, the written number, correctly, as float() does.
    """
    # Most numbers are whole and at most 8 digits: read a word at a time; when all are,
    # that is all (no scatter into the columns).
    whole_words = _whole_words(buf, start, end)
    if whole_words is not None:
        return whole_words, np.zeros(start.size, dtype=np.int64)
    start, end = start.astype(np.int64), end.astype(np.int64)
    values = np.zeros(start.size, dtype=np.float64)
    places = np.zeros(start.size, dtype=np.int64)
    short = np.flatnonzero((end - start >= 1) & (end - start <= _WORD))
    whole = np.zeros(start.size, dtype=bool)
    if short.size:
        number, digits = _eight_digits(Words(buf), end[short], (end - start)[short])
        values[short[digits]] = number[digits]
        whole[short[digits]] = True
    rest = np.flatnonzero(~whole)
    if rest.size:
        parsed = _decimals_by_byte(buf, start[rest], end[rest], fractions)
        if parsed is None:
            return None
        values[rest], places[rest] = parsed
    return values, places


def _whole_words(buf: np.ndarray, start: IntArray, end: IntArray) -> FloatArray | None:
    """Every range read as a whole number of 1 to 8 digits, or None if one is not. A
    chunk of ranges at a time: the dozen temporaries of a word each stay in the caches
    (over a column of millions, each was tens of MB of fresh pages for the kernel to
    zero: 4M amounts took 0.3-0.5 s, not 0.07)."""
    number = np.empty(start.size, dtype=np.float64)
    words = Words(buf)
    for lo in range(0, start.size, _WORDS_AT_ONCE):
        last = end[lo : lo + _WORDS_AT_ONCE].astype(np.int64)
        length = last - start[lo : lo + _WORDS_AT_ONCE]
        if int(length.min()) < 1 or int(length.max()) > _WORD:
            return None
        value, digits = _eight_digits(words, last, length)
        if not digits.all():
            return None
        number[lo : lo + _WORDS_AT_ONCE] = value
    return number


def _eight_digits(words: Words, end: IntArray, length: IntArray) -> tuple[FloatArray, np.ndarray]:
    """Ranges of 1 to 8 bytes read as whole numbers, and which ranges are all digits."""
    # Left-aligned in a word of eight digits: leading zeros fill the low bytes (the
    # first character is the lowest byte, the most significant digit).
    if end.size and int(end.min()) >= _WORD:  # the word ending there, low bytes made '0'
        word = (words.view[end - _WORD] & _TOP_BYTES[length]) | _LOW_ZEROS[length]
    else:
        pad = ((_WORD - length) * 8).astype(np.uint64)
        word = (words.tail(end, length) << pad) | (_ZEROS >> (_U(64) - pad))
    # Every byte 0x30..0x39: its high nibble is 3, and stays 3 when 6 is added.
    nibbles = (word & _HIGH_NIBBLES) | (((word + _U(0x0606060606060606)) & _HIGH_NIBBLES) >> _U(4))
    digits = nibbles == _U(0x3333333333333333)
    word -= _ZEROS  # eight digit values, combined pairwise (simdjson's eight-digit parse)
    word = word * _U(10) + (word >> _U(8))
    low = (word & _U(0x000000FF000000FF)) * _U(100 + (1_000_000 << 32))
    high = ((word >> _U(16)) & _U(0x000000FF000000FF)) * _U(1 + (10_000 << 32))
    return ((low + high) >> _U(32)).astype(np.float64), np.asarray(digits)


def _decimals_by_byte(
    buf: np.ndarray, start: IntArray, end: IntArray, fractions: bool
) -> tuple[FloatArray, IntArray] | None:
    """`plain_decimals` a byte position at a time (any length, decimal points)."""
    length = end - start
    digits = np.zeros(start.size, dtype=np.int64)
    number = np.zeros(start.size, dtype=np.int64)
    places = np.zeros(start.size, dtype=np.int64)
    dot = np.zeros(start.size, dtype=bool)
    last = buf.size - 1
    for k in range(int(length.max(initial=0))):
        inside = k < length
        char = buf[np.minimum(start + k, last)].astype(np.int64)
        digit = inside & (char >= _ZERO) & (char <= _NINE)
        point = inside & (char == _DOT)
        if np.any(inside & ~digit & ~point) or np.any(point & (dot | (not fractions))):
            return None
        number = np.where(digit, number * 10 + (char - _ZERO), number)
        if np.any(number >= _EXACT_INTEGER):  # checked every digit: int64 never overflows
            return None
        places += digit & dot
        digits += digit
        dot |= point
    if np.any(digits == 0) or np.any(places > 22):
        return None
    return number.astype(np.float64) / _POWERS[places], places


def positions(buf: np.ndarray, where: Callable[[np.ndarray], np.ndarray]) -> IntArray:
    """Where `where(bytes)` holds in `buf`, as int32 (the fast readers refuse files of
    2 GB and more): their columns of millions of positions then take half the memory.
    Found a slice at a time: the slice's mask stays in cache (no mask of the whole file)."""
    found = [
        np.flatnonzero(where(buf[a : a + SCAN])).astype(np.int32) + np.int32(a)
        for a in range(0, buf.size, SCAN)
    ]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)


def byte_positions(buf: np.ndarray, byte: int, dtype: type = np.int64) -> IntArray:
    """Where `byte` is in `buf` (int32: half the memory, for the columns of millions of
    positions the scanner holds)."""
    found: IntArray = positions(buf, lambda part: part == byte).astype(dtype, copy=False)
    return found


def folded_breaks(buf: np.ndarray, last: IntArray, within: IntArray, after: IntArray) -> bytes:
    """`buf` with each line break `within` and the spaces about it (after `last`, before
    `after`: sorted, apart) one space, as YAML folds a value going on over lines."""
    trailing, leading = within - last - 1, after - within - 1
    keep = np.ones(buf.size, dtype=bool)
    keep[ranges_back_to_back(last + 1, trailing)] = False
    keep[ranges_back_to_back(within + 1, leading)] = False
    folded = buf[keep]
    del keep
    # Each break where it lands once the spaces before it are gone, then a space.
    folded[within - (np.cumsum(trailing + leading) - leading)] = _SPACE
    return folded.tobytes()


# Bytes a walk steps over one numpy pass at a time; a walk still going then (a run of
# a million spaces on one line took 3 s so, one pass a byte) goes on alone, a window at
# a time.
WALK_STEPS = 64


def walk_over(buf: np.ndarray, at: IntArray, step: int = 1, over: bytes = b" ") -> IntArray:
    """From each of `at`, the first position (stepping by `step`: 1 on, -1 back) whose byte
    is not one of `over`; a position off the buffer stays where it is."""
    skip = np.zeros(256, dtype=bool)
    skip[list(over)] = True
    pos = np.array(at, dtype=np.int64)
    live = np.flatnonzero((pos >= 0) & (pos < buf.size))
    live = live[skip[buf[pos[live]]]]
    steps = 0
    while live.size:
        if steps == WALK_STEPS:
            for k in live.tolist():
                pos[k] = _walk_far(buf, int(pos[k]), step, skip)
            break
        pos[live] += step
        live = live[(pos[live] >= 0) & (pos[live] < buf.size)]
        live = live[skip[buf[pos[live]]]]
        steps += 1
    return pos


def _walk_far(buf: np.ndarray, at: int, step: int, skip: np.ndarray) -> int:
    """walk_over of one position (step 1 or -1; `skip`: per byte value, whether it is
    stepped over), in windows that double: a long run in a few numpy passes."""
    width, pos = 256, at
    while 0 <= pos < buf.size:
        lo, hi = (pos, pos + width) if step > 0 else (max(0, pos - width + 1), pos + 1)
        stops = np.flatnonzero(~skip[buf[lo:hi]])
        if stops.size:
            return lo + int(stops[0] if step > 0 else stops[-1])
        pos = min(hi, buf.size) if step > 0 else lo - 1
        width *= 2
    return pos
