"""Find ids written as byte ranges of a buffer among known ids (byte ranges of another),
without making strings.

Millions of flow rows name their payer and payee by id. Decoding each cell and
looking it up in a dict costs seconds at that scale; here every range is hashed
from all its bytes (8 at a time, one gather per word for a whole column), found in
an open-addressing table, and each hit confirmed by comparing the bytes themselves,
so a match is exact, never a hash collision, whatever the ids' lengths. Only cells
that `str.strip` might shorten beyond spaces (control or Unicode white space at an
edge) are decoded, stripped in Python and looked up the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clientchain.loading.fast.byte_columns import Words, may_strip, strip_spaces
from clientchain.model.org import IntArray

NOT_FOUND = -1
_WORD = 8
_ROWS = 1 << 17  # lookups at a time: bounds the rows of words held
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


class IdIndex:
    """Known ids (node order, as byte ranges of `buf`) in a hash table of node numbers,
    probed a vector at a time.

    Every id is kept as a row of words (see `_words`: its bytes 8 at a time, zero past
    its end, and the word ending where it ends), so a lookup hashes and confirms a
    candidate with words it reads once, against one row per candidate.
    """

    def __init__(self, buf: np.ndarray, start: IntArray, end: IntArray) -> None:
        self.length = (end - start).astype(np.int64)
        self.heads = _heads(self.length)  # whole words before the last, of the longest id
        columns = _words(Words(buf), start.astype(np.int64), self.length, self.heads)
        self.key = _hash(columns, self.length)
        # One id's words side by side: a candidate's are one read.
        self.rows = np.stack(columns, axis=1)
        del columns
        size = 1 << max(4, int(2 * start.size).bit_length())  # at most half full
        self.mask = size - 1  # size is a power of two: `& mask` is `% size`
        self.node, self.slot_key, (a, b) = _insert(self.key, size)
        twins = (self.length[a] == self.length[b]) & (self.rows[a] == self.rows[b]).all(axis=1)
        self._duplicates = bool(twins.any())

    @classmethod
    def of_texts(cls, ids: Sequence[str]) -> IdIndex:
        """The index of ids given as strings."""
        buf, start, end = _encoded(ids)
        return cls(buf, start, end)

    def __len__(self) -> int:
        return int(self.length.size)

    def has_duplicates(self) -> bool:
        """Some id is known twice (found while the table was built: an id meets its twin's
        hash on its way to a free slot, and their words are compared)."""
        return self._duplicates

    def find(self, buf: np.ndarray, start: IntArray, end: IntArray, strip: bool = True) -> IntArray:
        """The node of the id written in each buf[start:end] (with `strip`, white space
        around it ignored as `str.strip` ignores it); NOT_FOUND where it names no known id."""
        if strip:
            start, end = strip_spaces(buf, start, end)
            slow = np.flatnonzero(may_strip(buf, start, end))
        else:
            slow = np.zeros(0, dtype=np.int64)
        start, length = start.astype(np.int64), (end - start).astype(np.int64)
        if not slow.size:
            return self._probe(Words(buf), start, length)
        found = np.full(start.size, NOT_FOUND, dtype=np.int64)
        fast = np.ones(start.size, dtype=bool)
        fast[slow] = False
        found[fast] = self._probe(Words(buf), start[fast], length[fast])
        stripped = [
            buf[s:e].tobytes().decode("utf-8").strip()
            for s, e in zip(start[slow].tolist(), (start + length)[slow].tolist(), strict=True)
        ]
        cells, cell_start, cell_end = _encoded(stripped)
        found[slow] = self._probe(Words(cells), cell_start, cell_end - cell_start)
        return found

    def find_texts(self, texts: Sequence[str]) -> IntArray:
        """The node of each id given as a string (exactly; nothing stripped)."""
        buf, start, end = _encoded(texts)
        return self._probe(Words(buf), start, end - start)

    def _probe(self, words: Words, start: IntArray, length: IntArray) -> IntArray:
        found = np.full(start.size, NOT_FOUND, dtype=np.int64)
        for a in range(0, start.size, _ROWS):
            columns = _words(words, start[a : a + _ROWS], length[a : a + _ROWS], self.heads)
            found[a : a + _ROWS] = self._probe_rows(columns, length[a : a + _ROWS])
        return found

    def _probe_rows(self, columns: list[np.ndarray], length: IntArray) -> IntArray:
        key = _hash(columns, length)
        slot = (key & np.uint64(self.mask)).astype(np.int64)
        found = np.full(length.size, NOT_FOUND, dtype=np.int64)
        live = np.arange(length.size)
        # Linear probing: a slot with this hash is confirmed word for word; an empty slot
        # ends the chain (nothing is ever deleted), so it is a definite miss.
        while live.size:
            at = slot[live]
            node = self.node[at]
            occupied = node >= 0
            maybe = np.flatnonzero(occupied & (self.slot_key[at] == key[live]))
            hit = np.zeros(live.size, dtype=bool)
            if maybe.size:
                asked, nodes = live[maybe], node[maybe]
                theirs = self.rows[nodes]
                same = self.length[nodes] == length[asked]
                for k, column in enumerate(columns):
                    same &= theirs[:, k] == column[asked]
                found[asked[same]] = nodes[same]
                hit[maybe[same]] = True
            live = live[occupied & ~hit]
            slot[live] = (slot[live] + 1) & self.mask
        return found


def _heads(length: IntArray) -> int:
    """How many whole words the longest range has before its last word."""
    return max(0, -(-int(length.max(initial=0)) // _WORD) - 1)


def _words(words: Words, start: IntArray, length: IntArray, heads: int) -> list[np.ndarray]:
    """Per range, `heads` words from its start (0 where the range has no such word before
    its last one) and the word that ends where it ends, as columns: equal words and
    lengths are equal bytes, and no byte outside a range is in its words."""
    end = start + length
    columns = []
    # A word a range lacks is read at the range's last word (always within the buffer),
    # then zeroed.
    last = np.maximum(end - _WORD, 0)
    for k in range(heads):
        if int(length.min(initial=0)) > _WORD * (k + 1):  # every range has it
            columns.append(words.view[start + _WORD * k])
        else:
            word = words.view[np.minimum(start + _WORD * k, last)]
            columns.append(np.where(length > _WORD * (k + 1), word, np.uint64(0)))
    columns.append(words.tail(end, length))
    return columns


def _hash(columns: list[np.ndarray], length: IntArray) -> np.ndarray:
    """64 well-mixed bits per range, from its words and length."""
    h = length.astype(np.uint64) * _MIX[2]
    for column in columns:
        h ^= column
        h *= _MIX[0]
        h ^= h >> np.uint64(29)  # high bits fed back down: no difference stays at the top
    h ^= h >> np.uint64(31)
    h *= _MIX[1]
    return np.asarray(h ^ (h >> np.uint64(29)))


def _encoded(texts: Sequence[str]) -> tuple[np.ndarray, IntArray, IntArray]:
    """Texts as UTF-8 back to back: a buffer and [start, end) ranges."""
    encoded = [text.encode("utf-8") for text in texts]
    length = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    end = np.cumsum(length)
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), end - length, end


def _insert(key: np.ndarray, size: int) -> tuple[IntArray, np.ndarray, tuple[IntArray, IntArray]]:
    """Linear probing, all keys at once: which entry sits in each slot (-1: empty), each
    slot's key, and the pairs of entries whose keys met on the way (twins, maybe)."""
    mask = size - 1
    table = np.full(size, -1, dtype=np.int64)
    slot_key = np.zeros(size, dtype=np.uint64)
    slot = (key & np.uint64(mask)).astype(np.int64)
    pending = np.arange(slot.size)
    met: list[tuple[IntArray, IntArray]] = []
    while pending.size:
        at = slot[pending]
        occupant = table[at]
        free = occupant < 0
        # An entry meeting its own key in a slot may be a twin of the one there: equal ids
        # always meet (an entry walks past occupied slots only, and slots stay occupied).
        equal = np.flatnonzero(~free & (slot_key[at] == key[pending]))
        if equal.size:
            met.append((pending[equal], occupant[equal]))
        claim, where = pending[free], at[free]
        table[where] = claim  # of several claims on one slot, one wins
        won = table[where] == claim
        slot_key[where[won]] = key[claim[won]]
        # A loser stays where it is (the winner may be its twin); the others walk on.
        placed = np.zeros(pending.size, dtype=bool)
        placed[np.flatnonzero(free)[won]] = True
        walk = pending[~free]
        slot[walk] = (slot[walk] + 1) & mask
        pending = pending[~placed]
    a = np.concatenate([m[0] for m in met]) if met else np.zeros(0, dtype=np.int64)
    b = np.concatenate([m[1] for m in met]) if met else np.zeros(0, dtype=np.int64)
    return table, slot_key, (a, b)
