"""Find ids written as byte ranges of a buffer among known ids, without making strings.

Millions of flow rows name their payer and payee by id. Decoding each cell and
looking it up in a dict costs seconds at that scale; here each id of up to 16
bytes is packed exactly into two integers plus its length, searched by a hash
of those and confirmed by comparing the packed integers, so a match is exact,
never a hash collision. Longer ids, and cells that may need Unicode-aware
stripping, take a slow lane through a dict.
"""

from __future__ import annotations

import numpy as np

from clientchain.model import IntArray

PACKED = 16  # bytes packed exactly: two uint64 words
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))
NOT_FOUND = -1


def _pack(buf: np.ndarray, start: IntArray, length: IntArray) -> tuple[np.ndarray, np.ndarray]:
    """The first 16 bytes of each range as two little-endian words (zero beyond its end)."""
    words = [np.zeros(start.size, dtype=np.uint64), np.zeros(start.size, dtype=np.uint64)]
    last = buf.size - 1
    for k in range(min(PACKED, int(length.max(initial=0)))):
        byte = buf[np.minimum(start + k, last)].astype(np.uint64)
        byte[length <= k] = 0
        words[k // 8] |= byte << np.uint64(8 * (k % 8))
    return words[0], words[1]


def _hash(low: np.ndarray, high: np.ndarray, length: IntArray) -> np.ndarray:
    return low * _MIX[0] ^ high * _MIX[1] ^ length.astype(np.uint64) * _MIX[2]


class IdIndex:
    """Known ids (node order) ready to be found by byte range."""

    def __init__(self, ids: list[str]) -> None:
        self.index = dict(zip(ids, range(len(ids)), strict=True))
        encoded = [text.encode("utf-8") for text in ids]
        length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(ids))
        start = np.cumsum(length) - length
        buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        short = np.flatnonzero(length <= PACKED)  # longer ids are found through the dict
        low, high = _pack(buf, start[short], length[short])
        key = _hash(low, high, length[short])
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.node = short[order]
        self.low, self.high, self.length = low[order], high[order], length[short][order]

    def find(self, buf: np.ndarray, data: bytes, start: IntArray, end: IntArray) -> IntArray:
        """The node of the id written in each buf[start:end], spaces around it ignored as
        `str.strip` ignores them; NOT_FOUND where it names no known id."""
        start, end = _strip_spaces(buf, start, end)
        length = end - start
        slow = (length > PACKED) | _odd_edge(buf, start, end)
        found = np.full(start.size, NOT_FOUND, dtype=np.int64)
        fast = np.flatnonzero(~slow)
        if fast.size and self.key.size:
            low, high = _pack(buf, start[fast], length[fast])
            key = _hash(low, high, length[fast])
            at = np.minimum(np.searchsorted(self.key, key), self.key.size - 1)
            same = (
                (self.key[at] == key)
                & (self.low[at] == low)
                & (self.high[at] == high)
                & (self.length[at] == length[fast])
            )
            found[fast[same]] = self.node[at[same]]
        for i in np.flatnonzero(slow).tolist():
            text = data[int(start[i]) : int(end[i])].decode("utf-8").strip()
            found[i] = self.index.get(text, NOT_FOUND)
        return found


def _strip_spaces(buf: np.ndarray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    start, end = start.copy(), end.copy()
    while True:
        lead = np.flatnonzero((start < end) & (buf[np.minimum(start, end - 1)] == 32))
        if not lead.size:
            break
        start[lead] += 1
    while True:
        trail = np.flatnonzero((end > start) & (buf[np.maximum(end - 1, start)] == 32))
        if not trail.size:
            break
        end[trail] -= 1
    return start, end


def _odd_edge(buf: np.ndarray, start: IntArray, end: IntArray) -> np.ndarray:
    """Ranges that begin or end with a byte `str.strip` might treat as white space
    (control characters, or the start of a non-ASCII character)."""
    empty = start >= end
    first = buf[np.minimum(start, buf.size - 1)]
    last = buf[np.maximum(end - 1, 0)]
    return np.asarray(~empty & ((first < 33) | (first > 126) | (last < 33) | (last > 126)))
