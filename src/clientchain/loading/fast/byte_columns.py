"""Cells of a byte buffer, given as [start, end) ranges: trimming them and reading numbers,
a whole column at a time (see flat_csv and id_lookup)."""

from __future__ import annotations

import numpy as np

from clientchain.model.org import FloatArray, IntArray

_NEWLINE, _SPACE, _DOT, _ZERO, _NINE = 10, 32, 46, 48, 57
_EXACT_INTEGER = 2**53  # float64 holds every integer below this exactly
PACKED = 16  # bytes packed exactly: two uint64 words
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
_POWERS = np.array([float(10**k) for k in range(23)])  # exact doubles: 10**0 .. 10**22


def strip_spaces(buf: np.ndarray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """The ranges without the spaces at either end."""
    start, end = start.copy(), end.copy()
    # Indices are clamped only so that empty ranges read some valid byte; the range
    # test discards it.
    while True:
        lead = np.flatnonzero((start < end) & (buf[np.minimum(start, end - 1)] == _SPACE))
        if not lead.size:
            break
        start[lead] += 1
    while True:
        trail = np.flatnonzero((end > start) & (buf[np.maximum(end - 1, start)] == _SPACE))
        if not trail.size:
            break
        end[trail] -= 1
    return start, end


def odd_edge(buf: np.ndarray, start: IntArray, end: IntArray) -> np.ndarray:
    """Ranges that begin or end with a byte `str.strip` might treat as white space
    (control characters, or the start of a non-ASCII character)."""
    empty = start >= end
    # Clamped: an empty range at either end of buf still reads a valid byte (`empty` drops it).
    first = buf[np.minimum(start, buf.size - 1)]
    last = buf[np.maximum(end - 1, 0)]
    return np.asarray(~empty & ((first < 33) | (first > 126) | (last < 33) | (last > 126)))


def pack(buf: np.ndarray, start: IntArray, length: IntArray) -> tuple[np.ndarray, np.ndarray]:
    """The first 16 bytes of each range as two little-endian words (zero beyond its end)."""
    words = [np.zeros(start.size, dtype=np.uint64), np.zeros(start.size, dtype=np.uint64)]
    last = buf.size - 1
    for k in range(min(PACKED, int(length.max(initial=0)))):
        byte = buf[np.minimum(start + k, last)].astype(np.uint64)
        byte[length <= k] = 0  # the next cell's bytes: zeroed, the words are this range's only
        words[k // 8] |= byte << np.uint64(8 * (k % 8))
    return words[0], words[1]


def mix(low: np.ndarray, high: np.ndarray, length: IntArray) -> np.ndarray:
    """64 well-mixed bits (the top ones pick the slot): a multiply mixes upwards only."""
    h = low * _MIX[0] ^ high * _MIX[1] ^ length.astype(np.uint64) * _MIX[2]
    h ^= h >> np.uint64(31)
    h *= _MIX[1]
    return np.asarray(h ^ (h >> np.uint64(29)))


def distinct_texts(buf: np.ndarray, start: IntArray, end: IntArray) -> list[str]:
    """`gather_texts`, for columns of few distinct values ("sale", "budget", ...): each
    distinct text is decoded once and shared, found by its exactly packed bytes."""
    length = (end - start).astype(np.int64)
    if not length.size or length.max() > PACKED:
        return gather_texts(buf, start, end)
    low, high = pack(buf, start, length)
    _, first, which = np.unique(mix(low, high, length), return_index=True, return_inverse=True)
    # Every value against the one decoded for its hash: any difference is a collision.
    exact = (low[first][which] == low) & (high[first][which] == high)
    # Many distinct values (over a quarter): little to share, decoded the plain way.
    if first.size > length.size // 4 or not np.all(exact & (length[first][which] == length)):
        return gather_texts(buf, start, end)  # many distinct values (or a hash collision)
    texts = np.array(gather_texts(buf, start[first], end[first]), dtype=object)
    shared: list[str] = texts[which].tolist()
    return shared


def gather_texts(buf: np.ndarray, start: IntArray, end: IntArray) -> list[str]:
    """The ranges' texts (UTF-8, no line breaks inside), gathered with one index: they
    travel as one newline-separated string, decoded and split once."""
    if not start.size:
        return []
    start, end = start.astype(np.int64), end.astype(np.int64)
    width = end - start + 1  # each text and a separator
    offsets = np.cumsum(width) - width
    # The positions of all ranges back to back: +1 within a range, a jump between them.
    steps = np.ones(int(offsets[-1] + width[-1]), dtype=np.int64)
    steps[0] = start[0]
    steps[offsets[1:]] = start[1:] - end[:-1]
    gathered = buf[np.cumsum(steps)]
    gathered[offsets + width - 1] = _NEWLINE
    texts: list[str] = gathered[:-1].tobytes().decode("utf-8").split("\n")
    return texts


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
    length = (end - start).astype(np.int64)
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
