"""Lists of plain ids (`dotted_to: [finance, sales]`, or a `- id` line each), for the flat reader.

SPEC lets `dotted_to` and `serves` name several ids. A hand (or a script's f-string)
writes them in flow style, on one line; PyYAML dumps them in block style, an item a
line below the key. A matrix org of 100,000 roles written either way went to the
precise reader: about 5 s against 1.1. Here a flow list's items are found at once for
every list, from the lists' own bytes gathered back to back: plain ids between commas,
the spaces around each none of it, as YAML reads them; a block list's items are the
rest of their lines (the scanner finds those lines). Anything else in a list (quotes,
a nested list or mapping, a comment, an empty item, a null, an indicator first) is
beyond this reader, and the precise reader reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.graph.sorting import ranges_back_to_back
from clientchain.loading.fast.byte_columns import null_spelled, strip_spaces
from clientchain.model.org import IntArray

_CLOSE, _COMMA = ord("]"), ord(",")
# Bytes no plain id in a flow list holds (']' but as the list's last), and those it may
# not start with (YAML indicators: an alias, a tag, a key, ...).
_NOT_WITHIN = np.zeros(256, dtype=bool)
_NOT_WITHIN[list(b"[]{}'\"#\\")] = True
_NOT_FIRST = np.zeros(256, dtype=bool)
_NOT_FIRST[list(b"-?:!&*|>%@`")] = True
_BLOCK_NOT_FIRST = _NOT_FIRST.copy()  # (in a block list, a flow indicator or a quote too)
_BLOCK_NOT_FIRST[list(b"[]{},#'\"")] = True


class ListError(Exception):
    """A flow list beyond plain ids: why, and which list (its index among those given)."""

    def __init__(self, why: str, index: int) -> None:
        super().__init__(why)
        self.why, self.index = why, index


@dataclass(eq=False)
class Items:
    """The items of flow lists as byte ranges: list k's are [ptr[k], ptr[k + 1])."""

    ptr: IntArray
    start: IntArray
    end: IntArray

    def of(self, lists: IntArray) -> Items:
        """The items of `lists` (indices, ascending) alone, in the same layout."""
        count = self.ptr[lists + 1] - self.ptr[lists]
        at = ranges_back_to_back(self.ptr[lists], count)
        return Items(np.r_[0, np.cumsum(count)], self.start[at], self.end[at])


def split_lists(buf: np.ndarray, start: IntArray, end: IntArray) -> Items:
    """The items of the flow lists written at [start, end) in `buf` (ascending, disjoint,
    each from its `[` to its `]`). `[]` has none; ListError for anything but plain ids."""
    # Each list's bytes after its '[' (its ']' last), back to back: a ']' or ',' then
    # ends every item, and the lists' own bytes are all that is read.
    length = (end - start - 1).astype(np.int64)
    first = (start + 1).astype(np.int64)
    inner = buf[ranges_back_to_back(first, length)]
    offset = np.cumsum(length) - length  # each list's first byte in `inner`
    closing = offset + length - 1
    odd = _NOT_WITHIN[inner]
    odd[closing] = False
    if odd.any():
        raise ListError("quotes, brackets or a '#' in a flow list", _list_at(offset, odd))
    ends = np.flatnonzero((inner == _COMMA) | (inner == _CLOSE))
    last_of_list = inner[ends] == _CLOSE
    list_of = np.cumsum(last_of_list) - last_of_list  # each item's list
    starts = np.empty_like(ends)
    starts[:1] = 0
    starts[1:] = ends[:-1] + 1
    starts, ends = strip_spaces(inner, starts, ends)
    count = np.bincount(list_of, minlength=length.size)
    empty = starts == ends
    none = empty & (count[list_of] == 1)  # `[]` (or `[ ]`): a list of no items
    if (empty & ~none).any():
        raise ListError("an empty item in a flow list", int(list_of[np.argmax(empty & ~none)]))
    keep = np.flatnonzero(~none)
    starts, ends, list_of = starts[keep], ends[keep], list_of[keep]
    wrong = _NOT_FIRST[inner[starts]] | null_spelled(inner, starts, ends)
    if wrong.any():
        why = "an item of a flow list that is null or starts with a YAML indicator"
        raise ListError(why, int(list_of[np.argmax(wrong)]))
    shift = first - offset  # from `inner` back to `buf`
    ptr = np.zeros(length.size + 1, dtype=np.int64)
    np.cumsum(np.bincount(list_of, minlength=length.size), out=ptr[1:])
    return Items(ptr, starts + shift[list_of], ends + shift[list_of])


def block_items(buf: np.ndarray, start: IntArray, end: IntArray) -> tuple[IntArray, IntArray]:
    """The items of a block list, each the rest of its `- ` line ([start, end): from its
    first byte that is no space to the line's end), as plain ids: without the spaces
    after it; ListError (the index of the line) for an empty one, a null, or one that
    starts with a quote or a YAML indicator (the precise reader's)."""
    start, end = strip_spaces(buf, start, end)
    empty = start == end
    head = buf[np.where(empty, 0, start)]
    wrong = empty | _BLOCK_NOT_FIRST[head] | null_spelled(buf, start, end)
    if wrong.any():
        why = "an item of a list that is empty, null, quoted or starts with a YAML indicator"
        raise ListError(why, int(np.argmax(wrong)))
    return start, end


def _list_at(offset: IntArray, flags: np.ndarray) -> int:
    """The list that holds the first flagged byte."""
    return int(np.searchsorted(offset, np.argmax(flags), side="right")) - 1
