"""Texts kept as byte ranges of the file they were read from, decoded when first read.

A million-role org chart holds millions of ids, titles and departments; as Python
strings they cost a second and ~200 MB at load, although most runs read few of them
(and a renderer reads them in order). The fast loader keeps each such column as a
`TextColumn` (where each text is in the file's bytes), packed once the `Org` is built
(`TextColumn.packed`: the column's texts alone, so the file's bytes are freed); `Org`
decodes a column when an attribute is first read (`LateTexts`), and a renderer can
decode slices of it (`TextColumn.decode`) without ever holding the whole column as
strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
_NEWLINE = 10
CHUNK = 65_536  # texts decoded at a time: bounds the temporary index arrays
_PACK_CHUNK = 16_384  # texts packed at a time: their index arrays fit in a core's cache


class TextColumn:
    """Per entry, a UTF-8 text at buf[start:end) (no line breaks inside), or None where
    `null` says so."""

    def __init__(
        self,
        buf: npt.NDArray[np.uint8],
        start: npt.NDArray[Any],
        end: npt.NDArray[Any],
        null: npt.NDArray[np.bool_] | None = None,
        *,
        packed: bool = False,
    ) -> None:
        self.buf, self.start, self.end = buf, start, end
        self.null = null if null is not None and null.any() else None
        # Packed: the texts lie in order in `buf`, each followed by a line break (see
        # `packed`), so entries lo..hi-1 are one slice of it.
        self.is_packed = packed

    def __len__(self) -> int:
        return int(self.start.size)

    def packed(self) -> TextColumn:
        """The same texts in a buffer of their own, in order, each followed by a line
        break: the file they were read from (mostly keys, spaces and other columns) can
        then be freed, and decoding needs no gather."""
        if self.is_packed:
            return self
        if self.null is not None and self.null.all():  # a key no entry has: no reading
            n = self.start.size
            each = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
            return TextColumn(np.full(n, _NEWLINE, np.uint8), each, each, self.null, packed=True)
        start, end = self.start.astype(np.int64), self.end.astype(np.int64)
        width = end - start + 1  # each text and its line break
        offsets = np.zeros(start.size + 1, dtype=np.int64)
        np.cumsum(width, out=offsets[1:])
        packed = np.empty(int(offsets[-1]), dtype=np.uint8)
        # (Texts are all empty when the buffer is: a byte to read for their line breaks.)
        buf = self.buf if self.buf.size else np.zeros(1, dtype=np.uint8)
        # Positions as int32 where the buffer allows: half the index traffic.
        index = np.int32 if buf.size + offsets[-1] < 2**31 else np.int64
        # Per text, where its bytes are read from, less where they go in the packed buffer.
        shift = start - offsets[:-1]
        for a in range(0, start.size, _PACK_CHUNK):  # small index arrays: they stay cached
            b = min(start.size, a + _PACK_CHUNK)
            lo, hi = int(offsets[a]), int(offsets[b])
            at: npt.NDArray[Any] = np.repeat((shift[a:b] + lo).astype(index), width[a:b])
            at += np.arange(hi - lo, dtype=index)
            # Clipped: each text's last slot read the byte after it (past the buffer's end,
            # maybe); its line break goes there.
            np.take(buf, at, out=packed[lo:hi], mode="clip")
        packed[offsets[1:] - 1] = _NEWLINE
        new_start = offsets[:-1].astype(index)
        new_end = (offsets[1:] - 1).astype(index)
        return TextColumn(packed, new_start, new_end, self.null, packed=True)

    def pick(self, rows: npt.NDArray[Any]) -> list[str | None]:
        """The texts of entries `rows` (any order, repeats allowed; None for nulls),
        gathered a chunk at a time: what a few of them need, not the whole column."""
        texts: list[str | None] = []
        for a in range(0, rows.size, CHUNK):
            at = rows[a : a + CHUNK]
            texts.extend(gather_texts(self.buf, self.start[at], self.end[at]))
        if self.null is not None:
            for i in np.flatnonzero(self.null[rows]).tolist():
                texts[i] = None
        return texts

    def decode(self, lo: int = 0, hi: int | None = None) -> list[str | None]:
        """The texts of entries lo..hi-1 (None for nulls)."""
        hi = len(self) if hi is None else min(hi, len(self))
        if self.null is not None and self.null[lo:hi].all():  # a key no entry has
            return [None] * max(0, hi - lo)
        texts: list[str | None] = []
        for a in range(lo, hi, CHUNK):
            b = min(hi, a + CHUNK)
            if self.is_packed:  # one slice, decoded and split at the line breaks
                chunk = self.buf.data[int(self.start[a]) : int(self.end[b - 1])]
                texts.extend(str(chunk, "utf-8").split("\n"))
            else:
                texts.extend(gather_texts(self.buf, self.start[a:b], self.end[a:b]))
        if self.null is not None:
            for i in np.flatnonzero(self.null[lo:hi]).tolist():
                texts[i] = None
        return texts


class LateTexts(Generic[T]):
    """A dataclass field that reads as a tuple of texts, given as one or as a
    `TextColumn` that is decoded (once) when the field is first read."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_late_{name}"

    @overload
    def __get__(self, obj: None, owner: Any = None) -> LateTexts[T]: ...
    @overload
    def __get__(self, obj: object, owner: Any = None) -> tuple[T, ...]: ...
    def __get__(self, obj: object | None, owner: Any = None) -> LateTexts[T] | tuple[T, ...]:
        if obj is None:  # no default for the dataclass (see its documentation on descriptors)
            raise AttributeError(self.slot)
        value = obj.__dict__[self.slot]
        if isinstance(value, TextColumn):
            value = obj.__dict__[self.slot] = tuple(value.decode())
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: object, value: tuple[T, ...] | TextColumn) -> None:
        obj.__dict__[self.slot] = value

    def column(self, obj: object) -> TextColumn | None:
        """The field's bytes if it has not been decoded yet (None once it is strings)."""
        value = obj.__dict__[self.slot]
        return value if isinstance(value, TextColumn) else None


class LateColumns(Mapping[str, tuple[str | None, ...]]):
    """Named columns of texts, each decoded when first looked up."""

    def __init__(self, columns: Mapping[str, TextColumn | Sequence[str | None]]) -> None:
        self._columns = dict(columns)

    def __getitem__(self, name: str) -> tuple[str | None, ...]:
        value = self._columns[name]
        texts = tuple(value.decode() if isinstance(value, TextColumn) else value)
        self._columns[name] = texts
        return texts

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


def gather_texts(
    buf: npt.NDArray[np.uint8], start: npt.NDArray[Any], end: npt.NDArray[Any]
) -> list[str]:
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


# Per count of bytes 0..8, a word's top bytes kept (the first bytes of a big-endian word).
_KEEP_TOP = np.array(
    [0] + [((1 << (8 * m)) - 1) << (64 - 8 * m) for m in range(1, 9)], dtype=np.uint64
)
_WORD = 8


def byte_sort_keys(
    buf: npt.NDArray[np.uint8], start: npt.NDArray[Any], end: npt.NDArray[Any], words: int
) -> list[npt.NDArray[Any]]:
    """np.lexsort's keys (the first compared last) ordering the byte strings
    buf[start:end) as `sorted` orders them as bytes, and so as their texts order as str
    if they are UTF-8 (its byte order is the code points' order): their first `words`
    words of 8 bytes big-endian (zero past each string's end; none is longer), then their
    length (zeros past the end tie a string with itself followed by NULs, and the
    shorter comes first)."""
    start = start.astype(np.int64)
    length = end.astype(np.int64) - start
    if buf.size < _WORD:  # too short for one word: a padded copy (tiny)
        buf = np.concatenate([buf, np.zeros(_WORD - buf.size, dtype=np.uint8)])
    view: npt.NDArray[Any] = np.ndarray(
        (buf.size - _WORD + 1,), dtype=">u8", buffer=buf, strides=(1,)
    )
    last = buf.size - _WORD
    keys: list[npt.NDArray[Any]] = [length]
    for k in reversed(range(words)):
        at = start + _WORD * k
        read = np.minimum(at, last)  # near the buffer's end: read earlier, shift up
        word = view[read].astype(np.uint64)
        word <<= np.minimum((at - read) * 8, 56).astype(np.uint64)
        word &= _KEEP_TOP[np.clip(length - _WORD * k, 0, _WORD)]
        keys.append(word)
    return keys


def distinct_texts(
    buf: npt.NDArray[np.uint8], start: npt.NDArray[Any], end: npt.NDArray[Any]
) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The distinct texts among the ranges (in byte order), and per range the index of
    its own: a column of millions of cells spelled a few thousand ways (amounts, kinds)
    becomes that many strings, found by one sort of their bytes."""
    if not start.size:
        return [], np.zeros(0, dtype=np.int64)
    words = -(-int((end - start).max()) // 8)
    keys = byte_sort_keys(buf, start, end, words)  # (equal keys: equal bytes)
    order = np.lexsort(keys)
    same = np.ones(order.size - 1, dtype=bool)  # per sorted range: like the one before
    for key in keys:
        ranked = key[order]
        same &= ranked[1:] == ranked[:-1]
    del keys, ranked
    new = np.ones(order.size, dtype=bool)
    new[1:] = ~same
    index = np.empty(order.size, dtype=np.int64)
    index[order] = np.cumsum(new) - 1
    firsts = order[new]
    return gather_texts(buf, start[firsts], end[firsts]), index
