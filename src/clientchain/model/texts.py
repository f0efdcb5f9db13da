"""Texts kept as byte ranges of the file they were read from, decoded when first read.

A million-role org chart holds millions of ids, titles and departments; as Python
strings they cost a second and ~200 MB at load, although most runs read few of them
(and a renderer reads them in order). The fast loader keeps each such column as a
`TextColumn` (where each text is in the file's bytes); `Org` decodes a column when an
attribute is first read (`LateTexts`), and a renderer can decode slices of it
(`TextColumn.decode`) without ever holding the whole column as strings.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
_NEWLINE = 10
CHUNK = 65_536  # texts decoded at a time: bounds the temporary index arrays


class TextColumn:
    """Per entry, a UTF-8 text at buf[start:end) (no line breaks inside), or None where
    `null` says so."""

    def __init__(
        self,
        buf: npt.NDArray[np.uint8],
        start: npt.NDArray[Any],
        end: npt.NDArray[Any],
        null: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        self.buf, self.start, self.end = buf, start, end
        self.null = null if null is not None and null.any() else None

    def __len__(self) -> int:
        return int(self.start.size)

    def decode(self, lo: int = 0, hi: int | None = None) -> list[str | None]:
        """The texts of entries lo..hi-1 (None for nulls)."""
        hi = len(self) if hi is None else min(hi, len(self))
        texts: list[str | None] = []
        for a in range(lo, hi, CHUNK):
            b = min(hi, a + CHUNK)
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
