"""Plain values PyYAML folds over lines in block style, joined on their key's line.

PyYAML breaks a plain value past 80 columns (its default width) at a space, the rest on
lines indented past the value's key:

    title: Deputy Director, Strategy and Planning, Office of the Permanent
      Secretary

and YAML folds each such break into a space. The flat reader reads a key a line: `joined`
gives it the same document with each such value on its key's line, and the file's line
of each line of that, so each key keeps its line. It answers None (the precise
reader's) where a line more indented than a key's is anything else: a comment or `#`, a
colon, an indicator at its start (a list's dash, a quote, a bracket), or where the value
it would go on is empty, quoted or commented, or a blank line comes between.
"""

from __future__ import annotations

import numpy as np

from clientchain.loading.fast.byte_columns import byte_positions, folded_breaks, walk_over
from clientchain.loading.fast.flow_mappings import Restyled
from clientchain.model.org import IntArray

_SPACE, _NEWLINE, _COLON, _DASH = b" \n:-"
# What a line going on a plain value may not start with (an indicator), nor the value.
_NOT_PLAIN_START = np.zeros(256, dtype=bool)
_NOT_PLAIN_START[list(b"-?:,[]{}#&*!|>%@`'\"\n")] = True
# What a line going on may not start with: a comment, a list's dash (the flat reader's
# block lists), an indicator that ends a plain value; `&`, `*`, a quote and the like go
# on one (PyYAML breaks a title before "& Co" so).
_NOT_GOING_ON = np.zeros(256, dtype=bool)
_NOT_GOING_ON[list(b"-?:,[]{}#\n")] = True
_DOUBLE = ord('"')


def joined(data: bytes) -> Restyled | None:
    """`data` (LF line breaks, ending in one) with each plain value folded over lines
    joined on its first line, and the line of `data` each line of that is; None where
    none is, or where a line more indented than the key above it is anything else."""
    buf = np.frombuffer(data, dtype=np.uint8)
    breaks = byte_positions(buf, _NEWLINE)
    starts = np.r_[0, breaks[:-1] + 1]
    first = walk_over(buf, starts)
    indent = first - starts
    head = buf[first]
    colons = np.bincount(
        np.searchsorted(breaks, byte_positions(buf, _COLON)), minlength=breaks.size
    )
    # Lines that could go on a value: something there, no colon, not a list's item.
    going_on = (colons == 0) & ~_NOT_GOING_ON[head]
    if not going_on.any():
        return None
    run_start = going_on & ~np.r_[False, going_on[:-1]]
    owner = np.flatnonzero(run_start) - 1  # the key line above each run
    if owner.size and owner[0] < 0:
        return None
    # The key above: `key: value` (a list's first key after its dash), its value plain.
    key_column = indent[owner] + np.where(head[owner] == _DASH, _after_dash(buf, first[owner]), 0)
    colon = _first_colon(buf, first[owner], breaks[owner])
    value = walk_over(buf, colon + 1)
    sound = (colon < breaks[owner]) & (buf[np.minimum(colon + 1, buf.size - 1)] == _SPACE)
    # A double-quoted value's lines are the escapes' reader's (PyYAML breaks one with a
    # backslash ending each line): left as they are.
    double = buf[value] == _DOUBLE
    sound &= ~_NOT_PLAIN_START[buf[value]] | double
    if not sound.all():
        return None
    run_of = np.cumsum(run_start) - 1  # per line: its run's number (where going on)
    lines = np.flatnonzero(going_on)
    lines = lines[~double[run_of[lines]]]
    owner = owner[~double]
    if not lines.size:
        return None
    if not np.all(indent[lines] > key_column[run_of[lines]]):
        return None
    if b"#" in data:  # a comment after a value ends it: no value with one goes on
        hashed = np.zeros(breaks.size, dtype=bool)
        hashed[np.searchsorted(breaks, byte_positions(buf, ord("#")))] = True
        if hashed[owner].any() or hashed[lines].any():
            return None
    return _join(buf, breaks, first, lines)


def _join(buf: np.ndarray, breaks: IntArray, first: IntArray, lines: IntArray) -> Restyled:
    """Each of `lines` joined onto the line above it: its break and the spaces about it
    a space."""
    above = breaks[lines - 1]
    text = folded_breaks(buf, walk_over(buf, above - 1, -1), above, first[lines])
    kept = np.ones(breaks.size, dtype=bool)
    kept[lines] = False
    return Restyled(text, (np.flatnonzero(kept) + 1).astype(np.int32))


def _after_dash(buf: np.ndarray, dash: IntArray) -> IntArray:
    """How far past each dash its item's first key starts."""
    return walk_over(buf, dash + 1) - dash


_NOT_COLON = bytes(byte for byte in range(256) if byte != _COLON)


def _first_colon(buf: np.ndarray, start: IntArray, end: IntArray) -> IntArray:
    """Each line's first colon between `start` and `end` (`end` where there is none)."""
    colon = np.array(start, dtype=np.int64)
    live = np.flatnonzero(buf[colon] != _COLON)
    if live.size:  # (on from the byte after: one past an empty range's end, as ever)
        after = colon[live] + 1
        found = np.minimum(walk_over(buf, after, over=_NOT_COLON), end[live])
        colon[live] = np.maximum(found, after)
    return colon
