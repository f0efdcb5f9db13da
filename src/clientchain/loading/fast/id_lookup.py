"""Find ids written as byte ranges of a buffer among known ids (byte ranges of another),
without making strings.

Millions of flow rows name their payer and payee by id. Decoding each cell and
looking it up in a dict costs seconds at that scale; here every range is hashed
from all its bytes (8 at a time, one gather per word for a whole column), found in
an open-addressing table, and each hit confirmed by comparing the bytes themselves,
so a match is exact, never a hash collision, whatever the ids' lengths. A cell loses
the spaces around it, as the precise reader trims it, and nothing else: a tab or other
white space at its edge is part of the id it names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clientchain.loading.fast.byte_columns import Words, strip_padding
from clientchain.model.org import IntArray

NOT_FOUND = -1
_WORD = 8
_ROWS = 1 << 17  # lookups at a time: bounds the rows of words held
_RUNS_WORTH = 4  # runs of repeated ids are looked up once if they save 1/4 of the rows
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


class IdIndex:
    """Known ids (node order, as byte ranges of `buf`) in a hash table of node numbers,
    probed a vector at a time.

    Every id is kept as a row of words and its length (see `_words`: its bytes 8 at a
    time and the word ending where it ends), so a lookup hashes and confirms a candidate
    with words it reads once, against one row per candidate; a table slot holds a hash
    and its node side by side (one read per probe).
    """

    def __init__(self, buf: np.ndarray, start: IntArray, end: IntArray) -> None:
        self._first: IntArray | None = None  # see first_of_equals
        length = (end - start).astype(np.int64)
        self.heads = _heads(length)  # whole words before the last, of the longest id
        self.count = int(start.size)
        columns = _words(Words(buf), start.astype(np.int64), length, self.heads)
        size = 1 << max(4, int(2 * start.size).bit_length())  # at most half full
        self.mask = size - 1  # size is a power of two: `& mask` is `% size`
        key = _hash(columns, length)
        placed = _place_sorted(key, size)
        if placed is None:  # (some hash prefix three times: almost never)
            slots, (a, b) = _insert(key, size)
            self.wrap = self.mask  # a probe past the last slot goes on at the first
        else:
            slots, (a, b) = placed
            self.wrap = -1  # a probe ends at the last slot, empty, at the latest
        del key
        if self.heads == 0:  # ids of one word each: a slot holds its id whole (one read)
            word = columns[0]
            self._duplicates = bool(np.any((word[a] == word[b]) & (length[a] == length[b])))
            self.slots = _whole_slots(slots["node"], word, length)
            self.rows = np.zeros((0, 2), dtype=np.uint64)
            return
        self.slots = slots
        # One id's words and length side by side: a candidate's are one read.
        self.rows = np.stack([*columns, length.astype(np.uint64)], axis=1)
        del columns
        twins = (self.rows.take(a, axis=0) == self.rows.take(b, axis=0)).all(axis=1)
        self._duplicates = bool(twins.any())

    @classmethod
    def of_texts(cls, ids: Sequence[str]) -> IdIndex:
        """The index of ids given as strings."""
        buf, start, end = _encoded(ids)
        return cls(buf, start, end)

    def __len__(self) -> int:
        return self.count

    def has_duplicates(self) -> bool:
        """Some id is known twice (found while the table was built: an id meets its twin's
        hash on its way to a free slot, and their words are compared)."""
        return self._duplicates

    def find(self, buf: np.ndarray, start: IntArray, end: IntArray, strip: bool = True) -> IntArray:
        """The node of the id written in each buf[start:end] (with `strip`, the spaces
        around it ignored, as the precise reader trims a CSV cell: a tab or other white
        space at its edge is part of it); NOT_FOUND where it names no known id."""
        if strip:
            start, end = strip_padding(buf, start, end)
        return self._firsts(self._probe(Words(buf), start, end))

    def find_texts(self, texts: Sequence[str]) -> IntArray:
        """The node of each id given as a string (exactly; nothing stripped)."""
        buf, start, end = _encoded(texts)
        return self._firsts(self._probe(Words(buf), start, end))

    def first_of_equals(self, buf: np.ndarray, start: IntArray, end: IntArray) -> IntArray:
        """Per known id (given again: the ranges the index was built from), the first node
        with its bytes; from now on every look-up answers that first node, as the precise
        reader's dicts of ids answer the first of two equal ids. (A look-up otherwise
        answers whichever equal id its probe meets first.)"""
        met = self._probe(Words(buf), start.astype(np.int64), end.astype(np.int64))
        first = np.full(self.count, self.count, dtype=np.int64)
        np.minimum.at(first, met, np.arange(self.count))  # per id met: its first twin
        self._first = first
        return first[met]

    def _firsts(self, found: IntArray) -> IntArray:
        if self._first is not None:  # (see first_of_equals)
            hit = found >= 0
            found[hit] = self._first[found[hit]]
        return found

    def _probe(self, words: Words, start: IntArray, end: IntArray) -> IntArray:
        """The ranges [start, end) (any integer type, views of a table's columns) looked
        up _ROWS at a time, each slice widened to int64 on its own: millions of flow
        rows' starts and lengths as int64 would be 100 MB a column at the loader's peak."""
        found = np.full(start.size, NOT_FOUND, dtype=np.int64)
        for a in range(0, start.size, _ROWS):
            first = start[a : a + _ROWS].astype(np.int64)
            length = end[a : a + _ROWS] - first
            columns = _words(words, first, length, self.heads)
            found[a : a + _ROWS] = self._probe_runs(columns, length)
        return found

    def _probe_runs(self, columns: list[np.ndarray], length: IntArray) -> IntArray:
        """`_probe_rows`, each run of equal ids in a row looked up once: the siblings
        under one boss name that boss one after the other (most `reports_to` cells
        repeat the one above); equal words and lengths are equal ids."""
        repeat = np.empty(length.size, dtype=bool)
        if not length.size:
            return self._probe_rows(columns, length)
        repeat[0] = False
        np.equal(length[1:], length[:-1], out=repeat[1:])
        for column in columns:
            repeat[1:] &= column[1:] == column[:-1]
        heads = np.flatnonzero(~repeat)
        if heads.size > length.size - length.size // _RUNS_WORTH:  # few repeats: as is
            return self._probe_rows(columns, length)
        found = self._probe_rows([column[heads] for column in columns], length[heads])
        each: IntArray = found[np.cumsum(~repeat) - 1]  # each row: its run's head's answer
        return each

    def _probe_rows(self, columns: list[np.ndarray], length: IntArray) -> IntArray:
        key = _hash(columns, length)
        found = np.full(length.size, NOT_FOUND, dtype=np.int64)
        if not len(self):
            return found
        if self.heads == 0:
            return self._probe_whole(columns[0], length, key, found)
        columns = [*columns, length.astype(np.uint64)]  # what a hit's row holds
        slot = (key & np.uint64(self.mask)).astype(np.int64)
        # Linear probing: a slot with this hash is confirmed word for word; an empty slot
        # ends the chain (nothing is ever deleted), so it is a definite miss. The first
        # probe, for all rows at once, needs no list of the rows still looking (an empty
        # slot's node, -1, reads the last row: its answer is masked out).
        entry = self.slots[slot]
        node = entry["node"]
        theirs = self.rows.take(node, axis=0, mode="wrap")
        occupied = node >= 0
        same = occupied & (entry["key"] == key)
        for k, column in enumerate(columns):
            same &= theirs[:, k] == column
        del theirs
        found[same] = node[same]
        live = np.flatnonzero(occupied & ~same)
        slot[live] = (slot[live] + 1) & self.wrap
        while live.size:
            entry = self.slots[slot[live]]
            node = entry["node"]
            occupied = node >= 0
            maybe = np.flatnonzero(occupied & (entry["key"] == key[live]))
            hit = np.zeros(live.size, dtype=bool)
            if maybe.size:
                asked, nodes = live[maybe], node[maybe]
                theirs = self.rows.take(nodes, axis=0)
                same = theirs[:, 0] == columns[0][asked]
                for k in range(1, len(columns)):
                    same &= theirs[:, k] == columns[k][asked]
                found[asked[same]] = nodes[same]
                hit[maybe[same]] = True
            live = live[occupied & ~hit]
            slot[live] = (slot[live] + 1) & self.wrap
        return found

    def _probe_whole(
        self, word: np.ndarray, length: IntArray, key: np.ndarray, found: IntArray
    ) -> IntArray:
        """`_probe_rows` where every known id is one word, held in its slot: a slot that
        holds the asked word and length is the id (no hash to compare, no row to read)."""
        slot = (key & np.uint64(self.mask)).astype(np.int64)
        # The first probe, for all rows at once: no list of the rows still looking.
        entry = self.slots[slot]
        node = entry["node"]
        occupied = node >= 0
        hit = occupied & (entry["word"] == word) & (entry["length"] == length)
        found[hit] = node[hit]
        live = np.flatnonzero(occupied & ~hit)
        slot[live] = (slot[live] + 1) & self.wrap
        while live.size:
            entry = self.slots[slot[live]]
            node = entry["node"]
            occupied = node >= 0
            hit = occupied & (entry["word"] == word[live]) & (entry["length"] == length[live])
            found[live[hit]] = node[hit]
            live = live[occupied & ~hit]
            slot[live] = (slot[live] + 1) & self.wrap
        return found


def _heads(length: IntArray) -> int:
    """How many whole words the longest range has before its last word."""
    return max(0, -(-int(length.max(initial=0)) // _WORD) - 1)


def _words(words: Words, start: IntArray, length: IntArray, heads: int) -> list[np.ndarray]:
    """Per range, `heads` words from its start and the word that ends where it ends, as
    columns: equal words and lengths are equal bytes, and no byte outside a range is in
    its words. A word a range lacks (it has no such word before its last one) is its last
    word again if it has 8 bytes or more, else 0: a function of its bytes all the same."""
    end = start + length
    columns = []
    if int(length.min(initial=0)) >= _WORD:  # the usual long ids: no word to zero
        last = end - _WORD
        for k in range(heads):
            at = start + _WORD * k
            every = int(length.min()) > _WORD * (k + 1)  # every range has this word
            columns.append(words.view[at if every else np.minimum(at, last)])
        columns.append(words.view[last])
        return columns
    # Some range is shorter than a word: its head words read some valid word, zeroed.
    last = np.maximum(end - _WORD, 0)
    wide = length >= _WORD
    for k in range(heads):
        word = words.view[np.minimum(start + _WORD * k, last)]
        columns.append(np.where(wide, word, np.uint64(0)))
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


_SLOT = np.dtype([("key", np.uint64), ("node", np.int64)])
_WHOLE = np.dtype([("word", np.uint64), ("node", np.int32), ("length", np.int32)])


def _whole_slots(node: IntArray, word: np.ndarray, length: IntArray) -> np.ndarray:
    """The table of `node`s (-1: empty) with each id's one word and length in its slot,
    in place of its hash."""
    whole = np.zeros(node.size, dtype=_WHOLE)
    whole["node"] = node
    held = np.flatnonzero(node >= 0)
    ids = node[held]
    whole["word"][held] = word[ids]
    whole["length"][held] = length[ids]
    return whole


def _place_sorted(
    key: np.ndarray, size: int
) -> tuple[np.ndarray, tuple[IntArray, IntArray]] | None:
    """A table as `_insert` makes (the same answers), built by one sort instead of rounds
    of claims (~4x less CPU at 100k ids; fewer probe rounds, a few more rows in the
    second): keys in order of their home slot (`key & (size - 1)`) each take the first
    slot from home on past those taken before them, slot i + max over j <= i of
    (home_j - j) for the i-th.
    No probe wraps around: the table is as long as that needs, and a free slot ends it.
    The pairs of entries with equal keys (twins, maybe) come out of the same sort, which
    orders by home, then by the key's next bits, then by entry: equal keys lie side by
    side unless another key shares those bits, and then (None) `_insert` does it."""
    count = key.size
    home_bits = size.bit_length() - 1
    entry_bits = max(1, count.bit_length())
    rest_bits = 64 - home_bits - entry_bits
    if rest_bits < 16:  # (from about 8 million ids: the old insertion builds the table)
        return None
    u = np.uint64
    packed = (key & u(size - 1)) << u(64 - home_bits)
    packed |= ((key >> u(home_bits)) & u((1 << rest_bits) - 1)) << u(entry_bits)
    packed |= np.arange(count, dtype=np.uint64)
    packed.sort()
    order = (packed & u((1 << entry_bits) - 1)).astype(np.int64)
    prefix = packed >> u(entry_bits)
    del packed
    shared = np.flatnonzero(prefix[1:] == prefix[:-1])  # next to an equal prefix
    if shared.size > 1 and np.any(shared[1:] == shared[:-1] + 1):  # three in a row
        return None
    home = (prefix >> u(rest_bits)).astype(np.int64)
    del prefix
    step = np.arange(count, dtype=np.int64)
    home -= step
    at = np.maximum.accumulate(home) if count else home
    at += step
    slots = np.zeros(max(size, int(at[-1]) + 1 if count else 0) + 1, dtype=_SLOT)
    slots["node"] = -1
    slots["node"][at] = order
    slots["key"][at] = key[order]
    a, b = order[shared], order[shared + 1]
    twins = key[a] == key[b]
    return slots, (a[twins], b[twins])


def _insert(key: np.ndarray, size: int) -> tuple[np.ndarray, tuple[IntArray, IntArray]]:
    """Linear probing, all keys at once: per slot, its key and the entry there (node -1:
    empty), and the pairs of entries whose keys met on the way (twins, maybe)."""
    mask = size - 1
    slots = np.zeros(size, dtype=_SLOT)
    table, slot_key = slots["node"], slots["key"]  # (views: written in place)
    table[:] = -1
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
    return slots, (a, b)
