"""Lists of ids (`dotted_to: [finance, sales]`, or a `- id` line each), for the flat reader.

SPEC lets `dotted_to` and `serves` name several ids. A hand (or a script's f-string)
writes them in flow style, on one line; PyYAML dumps them in block style, an item a
line below the key. A matrix org of 100,000 roles written either way went to the
precise reader: about 5 s against 1.1. Here a flow list's items are found at once for
every list, from the lists' own bytes gathered back to back: plain ids between commas,
the spaces around each none of it, as YAML reads them; a block list's items are the
rest of their lines (the scanner finds those lines). An id may be quoted, as PyYAML
quotes one that would read as a number, a boolean or null (`- '0755'`), with no quote
of its kind inside. Anything else in a list (a nested list or mapping, a comment, an
empty item, a null, an indicator first) is beyond this reader, and the precise reader
reads it.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.sorting import ranges_back_to_back
from clientchain.loading.fast.byte_columns import counts_within, null_spelled, strip_spaces
from clientchain.model.holder import holder
from clientchain.model.org import IntArray

_CLOSE, _COMMA, _SINGLE, _DOUBLE, _BACKSLASH = (ord(c) for c in "],'\"\\")
# Bytes no item of a flow list holds (']' but as the list's last; a backslash but in
# double quotes, read as an escape), and those a plain id may not start with (YAML
# indicators: an alias, a tag, a key, ...; in a block list, a flow indicator too).
_NOT_WITHIN = np.zeros(256, dtype=bool)
_NOT_WITHIN[list(b"[]{}#?\\")] = True  # ('?' ends an id there for PyYAML's own reader)
_NOT_FIRST = np.zeros(256, dtype=bool)
_NOT_FIRST[list(b"-?:!&*|>%@`")] = True
_BLOCK_NOT_FIRST = _NOT_FIRST.copy()
_BLOCK_NOT_FIRST[list(b"[]{},#")] = True


class ListError(Exception):
    """A list beyond plain or simply quoted ids: why, and where (`at`: the index of the
    list among those given to split_lists, or of the line given to block_items)."""

    def __init__(self, why: str, at: int) -> None:
        super().__init__(why)
        self.why, self.at = why, at


@holder(frozen=False)
class Items:
    """The items of lists as byte ranges (a quoted one's between its quotes): list k's
    are [ptr[k], ptr[k + 1])."""

    ptr: IntArray
    start: IntArray
    end: IntArray
    quoted: np.ndarray  # per item: written in quotes
    double: np.ndarray  # ... in double quotes

    def of(self, lists: IntArray) -> Items:
        """The items of `lists` (indices) alone, in that order, in the same layout."""
        count = self.ptr[lists + 1] - self.ptr[lists]
        at = ranges_back_to_back(self.ptr[lists], count)
        ptr = np.r_[0, np.cumsum(count)]
        return Items(ptr, self.start[at], self.end[at], self.quoted[at], self.double[at])

    def in_lists(self, count: IntArray) -> Items:
        """These items, `count[k]` of them in list k in turn."""
        ptr = np.zeros(count.size + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        return Items(ptr, self.start, self.end, self.quoted, self.double)

    def then(self, other: Items) -> Items:
        """These lists, then `other`'s."""
        return Items(
            np.r_[self.ptr, self.ptr[-1] + other.ptr[1:]],
            np.r_[self.start, other.start],
            np.r_[self.end, other.end],
            np.r_[self.quoted, other.quoted],
            np.r_[self.double, other.double],
        )


def split_lists(
    buf: np.ndarray, start: IntArray, end: IntArray, backslashes: bool = False
) -> Items:
    """The items of the flow lists written at [start, end) in `buf` (ascending, disjoint,
    each from its `[` to its `]`). `[]` has none; ListError for anything but plain or
    simply quoted ids (`backslashes`: let a double-quoted one hold them)."""
    # Each list's bytes after its '[' (its ']' last), back to back: a ']' or ',' then
    # ends every item, and the lists' own bytes are all that is read.
    length = (end - start - 1).astype(np.int64)
    first = (start + 1).astype(np.int64)
    inner = buf[ranges_back_to_back(first, length)]
    offset = np.cumsum(length) - length  # each list's first byte in `inner`
    odd = _NOT_WITHIN[inner]
    odd[offset + length - 1] = False  # (its closing bracket)
    if backslashes:
        odd[inner == _BACKSLASH] = False  # (each checked to lie in double quotes)
    if odd.any():
        raise ListError("brackets, braces or a '#' in a flow list", _list_at(offset, odd))
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
    try:
        items = _ids(inner, starts, ends, _NOT_FIRST)
    except ListError as exc:
        raise ListError(exc.why, int(list_of[exc.at])) from None
    shift = (first - offset)[list_of]  # from `inner` back to `buf`
    items.start += shift
    items.end += shift
    return items.in_lists(np.bincount(list_of, minlength=length.size))


def block_items(buf: np.ndarray, start: IntArray, end: IntArray) -> Items:
    """The items of block lists, one each line: the rest of its `- ` line ([start, end):
    from its first byte that is no space to the line's end), without the spaces after
    it; in one list (ptr: the caller's to set). ListError (the index of the line) for an
    empty one, a null, or one quoted otherwise than simply or that starts with a YAML
    indicator (the precise reader's)."""
    start, end = strip_spaces(buf, start, end)
    length = end - start
    if not np.all(length):
        raise ListError("an empty item in a list", int(np.argmin(length)))
    # Gathered back to back, as a flow list's: their bytes alone are read.
    inner = buf[ranges_back_to_back(start, length)]
    ends = np.cumsum(length)
    items = _ids(inner, ends - length, ends, _BLOCK_NOT_FIRST)
    shift = start - (ends - length)
    items.start += shift
    items.end += shift
    return items


def _ids(inner: np.ndarray, start: IntArray, end: IntArray, not_first: np.ndarray) -> Items:
    """Items (non-empty ranges of `inner`) read as ids: a plain one as it is, one in
    quotes (with no quote of their kind inside: `'it''s'` and escapes beyond PyYAML's are
    the precise reader's) between them. ListError (the item) for a null, an indicator
    first, or quotes not so."""
    head, last = inner[start], inner[end - 1]
    quoted = ((head == _SINGLE) | (head == _DOUBLE)) & (last == head) & (end - start > 2)
    plain = (head != _SINGLE) & (head != _DOUBLE)
    wrong = ~quoted & ~plain  # (an opening quote not closed at the item's end)
    wrong |= plain & (not_first[head] | null_spelled(inner, start, end))
    if quoted.any():  # exactly its own two quotes of its kind
        for mark in (_SINGLE, _DOUBLE):
            mine = np.flatnonzero(quoted & (head == mark))
            if mine.size:
                wrong[mine[counts_within(inner, mark, start[mine], end[mine]) != 2]] = True
    backslash = np.flatnonzero(inner == _BACKSLASH)
    if backslash.size:  # only in double quotes
        holder = np.searchsorted(start, backslash, side="right") - 1
        wrong[holder[~(quoted & (head == _DOUBLE))[holder]]] = True
    if wrong.any():
        why = "a list's item null, quoted but not simply, or with a YAML indicator first"
        raise ListError(why, int(np.argmax(wrong)))
    double = quoted & (head == _DOUBLE)
    return Items(np.r_[0, start.size], start + quoted, end - quoted, quoted, double)


def _list_at(offset: IntArray, flags: np.ndarray) -> int:
    """The list that holds the first flagged byte."""
    return int(np.searchsorted(offset, np.argmax(flags), side="right")) - 1
