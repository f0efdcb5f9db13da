"""Find ids written as byte ranges of a buffer among known ids, without making strings.

Millions of flow rows name their payer and payee by id. Decoding each cell and
looking it up in a dict costs seconds at that scale; here each id of up to 16
bytes is packed exactly into two integers plus its length, searched by a hash
of those and confirmed by comparing the packed integers, so a match is exact,
never a hash collision. Longer ids, and cells that may need Unicode-aware
stripping, take a slow lane through a dict.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from clientchain.loading.fast.byte_columns import PACKED, mix, odd_edge, pack, strip_spaces
from clientchain.model.org import IntArray

NOT_FOUND = -1


class IdIndex:
    """Known ids (node order) in an open-addressing hash table, probed a vector at a time.

    A lookup is one or two random reads (a sorted search would be twenty), and each
    hit is confirmed on the exactly packed bytes and the length.
    """

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        joined = "".join(ids)
        if joined.isascii():  # characters are bytes: no need to encode id by id
            buf = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
            length = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        else:
            encoded = [text.encode("utf-8") for text in ids]
            buf = np.frombuffer(b"".join(encoded), dtype=np.uint8)
            length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(ids))
        start = np.cumsum(length) - length
        short = np.flatnonzero(length <= PACKED)  # longer ids are found through the dict
        low, high = pack(buf, start[short], length[short])
        key = mix(low, high, length[short])
        size = 1 << max(4, int(2 * short.size).bit_length())  # at most half full
        self.mask = np.uint64(size - 1)  # size is a power of two: `& mask` is `% size`
        entry = _insert(key & self.mask, size)
        used = entry >= 0
        self.node = np.full(size, NOT_FOUND, dtype=np.int64)
        self.node[used] = short[entry[used]]
        self.low = np.zeros(size, dtype=np.uint64)
        self.high = np.zeros(size, dtype=np.uint64)
        self.length = np.full(size, -1, dtype=np.int64)
        self.low[used], self.high[used] = low[entry[used]], high[entry[used]]
        self.length[used] = length[short][entry[used]]

    def find(
        self, buf: np.ndarray, data: bytes, start: IntArray, end: IntArray, strip: bool = True
    ) -> IntArray:
        """The node of the id written in each buf[start:end] (with `strip`, spaces around it
        ignored as `str.strip` ignores them); NOT_FOUND where it names no known id."""
        if strip:
            start, end = strip_spaces(buf, start, end)
        length = (end - start).astype(np.int64)
        slow = length > PACKED
        if strip:
            slow |= odd_edge(buf, start, end)
        found = np.full(start.size, NOT_FOUND, dtype=np.int64)
        fast = np.flatnonzero(~slow)
        if fast.size == start.size:  # the usual case: no gathers needed
            fast = np.arange(start.size)
            low, high = pack(buf, start, length)
        else:
            low, high = pack(buf, start[fast], length[fast])
            length = length[fast]
        slot = (mix(low, high, length) & self.mask).astype(np.int64)
        # First probe for all at once, further probes for the few that collided.
        hit = (self.length[slot] == length) & (self.low[slot] == low) & (self.high[slot] == high)
        found[fast] = np.where(hit, self.node[slot], NOT_FOUND)
        # A miss at an occupied slot may sit further along the probe chain; an empty
        # slot ends the chain (nothing is ever deleted), so it is a definite miss.
        live = np.flatnonzero(~hit & (self.length[slot] >= 0))
        while live.size:
            slot[live] = (slot[live] + 1) & int(self.mask)
            at = slot[live]
            hit = (
                (self.length[at] == length[live])
                & (self.low[at] == low[live])
                & (self.high[at] == high[live])
            )
            found[fast[live[hit]]] = self.node[at[hit]]
            live = live[~hit & (self.length[at] >= 0)]
        for i in np.flatnonzero(slow).tolist():
            text = data[int(start[i]) : int(end[i])].decode("utf-8")
            found[i] = self.index.get(text.strip() if strip else text, NOT_FOUND)
        return found

    @cached_property
    def index(self) -> dict[str, int]:
        """For the few ids the table does not hold (longer than 16 bytes, odd edges)."""
        return dict(zip(self.ids, range(len(self.ids)), strict=True))


def _insert(home: np.ndarray, size: int) -> IntArray:
    """Linear probing, all keys at once: which entry sits in each slot (-1: empty)."""
    table = np.full(size, -1, dtype=np.int64)
    slot = home.astype(np.int64)
    pending = np.arange(slot.size)
    while pending.size:
        free = table[slot[pending]] < 0
        claim = pending[free]
        table[slot[claim]] = claim  # of several claims on one slot, one wins
        won = np.zeros(pending.size, dtype=bool)
        won[free] = table[slot[claim]] == claim
        pending = pending[~won]
        slot[pending] = (slot[pending] + 1) & (size - 1)
    return table
