"""A fast reader for the flat YAML that generators write; anything else is left to yaml_source.

A million-role org chart is about 100 MB of YAML, and composing it node by node
takes minutes. Generated files use a small, regular part of YAML: top-level
`key: value` lines, and lists of flat mappings (`- key: value`, then
`  key: value`) whose values are plain or simply quoted scalars. This module
reads exactly that part with a few vectorised passes over the bytes (comments
after values included, `reports_to: cfo  # interim`), and lists of such ids, on
one line (`dotted_to: [finance, sales]`) or a `- id` line each below their key
(as PyYAML dumps them; see id_lists.py), and answers None for anything else
(anchors, tags, other flow or block-scalar style, nested values, escapes, tabs, odd
characters), so that the caller falls back to the precise reader, which also finds
and words every problem. It never guesses: a file is read here only when every
line fits.

One kind of escape is read, because generators write it: the escapes PyYAML writes
for every character beyond ASCII, and its double-quoted values broken over lines. A
file of 100,000 roles with such ids took the precise reader 5 s against 0.9 written
plainly; where they are all there is (yaml_escapes.py), the same document with those
written out, on the same lines, is read here.

Scalars come back as their literal text plus a `quoted` flag, exactly what the
precise reader's nodes hold, so both readers feed the same rules.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import cached_property

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.sorting import ranges_back_to_back
from clientchain.loading.fast.byte_columns import (
    Words,
    byte_positions,
    counts_within,
    gather_texts,
    null_spelled,
    same_ranges,
    walk_over,
)
from clientchain.loading.fast.flow_mappings import FlowError, block_style
from clientchain.loading.fast.folded_values import joined
from clientchain.loading.fast.id_lists import Items, ListError, block_items, split_lists
from clientchain.loading.fast.yaml_escapes import EscapeError, unescaped
from clientchain.model.holder import holder, value_class
from clientchain.model.org import IntArray
from clientchain.model.texts import TextColumn

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
# Control characters (libyaml refuses them, and reads CR as a line break) anywhere;
# escapes and tabs anywhere but in a comment ('#' itself: see _cut_comments).
_NOT_FLAT_EVER = bytes(range(0, 9)) + bytes(range(11, 32)) + b"\x7f"
_NOT_FLAT_OUTSIDE_COMMENTS = b"\\\t"
# ... and where a plain value begins (indicators; quotes are handled separately).
_NOT_FLAT_FIRST = b"-?:,[]{}#&*!|>%@`"
# Line breaks and characters libyaml treats specially or refuses, beyond ASCII, as UTF-8:
# each begins with one of three bytes, found by deleting all others (a C loop).
_ODD_CODES = [*range(0x80, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF]
_ODD_UNICODE = [chr(code).encode() for code in _ODD_CODES]
_ODD_LEADS = frozenset(odd[0] for odd in _ODD_UNICODE)
_NOT_ODD_LEADS = bytes(b for b in range(256) if b not in _ODD_LEADS)
_LEADS = bytes(sorted(_ODD_LEADS))
_LEADS_AND_BACKSLASH = _LEADS + b"\\"
_SPACE, _NEWLINE, _DASH, _COLON, _HASH = 32, 10, 45, 58, 35
_SINGLE, _DOUBLE = 39, 34
_OPEN, _CLOSE = 91, 93
_BACKSLASH = 92
_RANGES = 1 << 16  # value ranges whose backslashes are counted at a time
_WORD = 8
_U = np.uint64
_HIGH_BITS = _U(0x8080808080808080)
_KEEP = np.array([(1 << (8 * k)) - 1 for k in range(_WORD + 1)], dtype=np.uint64)  # low k bytes
# By a key's length (at most 64): the masks of its bytes in its first and second words.
_KEEP_FIRST = _KEEP[np.minimum(np.arange(65), _WORD)]
_KEEP_SECOND = _KEEP[np.clip(np.arange(65) - _WORD, 0, _WORD)]
_MIX_LOW, _MIX_HIGH = _U(0x9E3779B97F4A7C15), _U(0xC2B2AE3D27D4EB4F)  # odd: bits spread up
_ROWS = 1 << 17  # keys hashed and compared at a time (their temporaries stay small)
_NO_KEY = "a line of no key"
_MARKER_SEARCH = 1 << 12  # bytes at either end where a document marker is looked for


_OUTSIDE_COMMENTS, _EVER = 1, 2
_ODD = np.zeros(256, dtype=np.uint8)  # how odd each byte is, in one table: one pass
_ODD[list(_NOT_FLAT_OUTSIDE_COMMENTS)] = _OUTSIDE_COMMENTS
_ODD[list(_NOT_FLAT_EVER)] = _EVER
_ORDINARY = bytes(np.flatnonzero(_ODD == 0).tolist())
_NOT_SKELETON = bytes(b for b in _ORDINARY if b not in b"\n:#" and b not in _ODD_LEADS)
_FIRST = np.zeros(256, dtype=bool)
_FIRST[list(_NOT_FLAT_FIRST)] = True


@holder(frozen=False)
class Column:
    """One key's values in a list of mappings, as byte ranges; strings only on demand."""

    count: int  # items in the list
    items: IntArray  # the items that have the key, ascending
    rows: IntArray  # where each of those is written, as an order among the list's lines
    start: IntArray  # and where its text is in the document's bytes (quotes excluded)
    end: IntArray
    written_quoted: np.ndarray  # per item that has the key
    buf: np.ndarray  # the document's bytes
    lists: ListValues | None = None  # the values written as lists of ids, if any

    @cached_property
    def quoted(self) -> np.ndarray:
        """Per item: its value is written in quotes (so it is never null or a number)."""
        quoted = np.zeros(self.count, dtype=bool)
        quoted[self.items] = self.written_quoted
        return quoted

    @cached_property
    def texts(self) -> list[str | None]:
        """Per item: its value's text, None where the key is absent."""
        values = gather_texts(self.buf, self.start, self.end)
        if self.items.size == self.count:  # every item has the key
            return list(values)
        spread = np.full(self.count, None, dtype=object)
        spread[self.items] = values
        texts: list[str | None] = spread.tolist()
        return texts

    def text_column(self, nulls: bool = True) -> TextColumn:
        """Per item: its value's bytes, None where the key is absent and, with `nulls`,
        where its value is YAML's null (else a null's spelling is its text, as a
        metadata value's is to the precise reader)."""
        start = np.zeros(self.count, dtype=np.int64)
        end = np.zeros(self.count, dtype=np.int64)
        start[self.items], end[self.items] = self.start, self.end
        if nulls:
            return TextColumn(self.buf, start, end, self.nulls())
        absent = np.ones(self.count, dtype=bool)
        absent[self.items] = False
        return TextColumn(self.buf, start, end, absent)

    def items_listed(self) -> Column:
        """The column with each value written as a list of ids (`[a, b]`, or a line
        each below its key) given as its items, one value each, in order (an item with
        two has two; with `[]`, none); the others as they are."""
        lists = self.lists
        if lists is None:
            return self
        each = np.ones(self.items.size, dtype=np.int64)  # values per written value
        each[lists.values] = np.diff(lists.items.ptr)
        start, end = np.repeat(self.start, each), np.repeat(self.end, each)
        quoted = np.repeat(self.written_quoted, each)
        # Where each list's items land: its first one where the list's value would.
        first = np.cumsum(each) - each
        at = ranges_back_to_back(first[lists.values], each[lists.values])
        start[at], end[at], quoted[at] = lists.items.start, lists.items.end, lists.items.quoted
        items, rows = np.repeat(self.items, each), np.repeat(self.rows, each)
        return Column(self.count, items, rows, start, end, quoted, self.buf)

    def nulls(self) -> np.ndarray:
        """Per item: the key is absent, or its value is YAML's null (`~`, `null`, nothing)."""
        null = np.ones(self.count, dtype=bool)
        null[self.items] = self.null_values()
        return null

    def null_values(self) -> np.ndarray:
        """Per value written (in the column's order): it is YAML's null."""
        null: np.ndarray = null_spelled(self.buf, self.start, self.end) & ~self.written_quoted
        return null


@holder(frozen=False)
class ListValues:
    """A column's values written as lists of ids (flow or block): where (places in the
    column, ascending), and their items (list k's: those of values[k])."""

    values: IntArray
    items: Items


@value_class(frozen=False)
class FlatList:
    """A list of flat mappings: how many, the line of each, and a column per key."""

    count: int
    lines: IntArray  # 1-based line of each item
    columns: dict[str, Column] = field(default_factory=dict)


@value_class(frozen=False)
class FlatDocument:
    """A flat YAML document: top-level scalars (text, quoted) and lists of flat mappings."""

    data: bytes  # the document, for lookups by byte range (see Column.start)
    scalars: dict[str, tuple[str, bool]] = field(default_factory=dict)
    lists: dict[str, FlatList] = field(default_factory=dict)
    nulls: set[str] = field(default_factory=set)  # top-level keys written with no value
    # Read with its escapes written as their characters: byte offsets are the unescaped
    # text's (its lines are the file's; a column after an escape is not).
    unescaped: bool = False
    # Read with its items written as flow mappings in block style (flow_mappings.py), or
    # its folded values joined (folded_values.py): byte offsets are the text read's (each
    # item's line is the file's).
    restyled: bool = False


class NotFlatError(Exception):
    """The file uses YAML beyond the flat subset: why, and the first line that does."""

    def __init__(self, why: str, line: int = 0) -> None:
        super().__init__(why)
        self.why, self.line = why, line


def read_flat(
    data: bytes, text: str | None = None, *, policy_lines: bool = True, markers: bool = True
) -> FlatDocument:
    """The document in `data` (UTF-8, no BOM); NotFlatError if it is not flat YAML.
    (`text`, the same decoded, is not needed: the bytes say all.) `policy_lines=False`:
    PolicyLineError if a line starts with `policy` (a block to cut out first), found by a
    search at memory speed before any pass over the lines. `markers=False`: the caller
    has left the document's markers as empty lines (one_document) before cutting
    something out, which must not bring another to an end."""
    data = with_lf(data)
    if not policy_lines and (data.startswith(b"policy") or b"\npolicy" in data):
        raise PolicyLineError("a policy block")
    if not data.endswith(b"\n"):
        data += b"\n"
    if markers:
        data = one_document(data)
    try:
        restyled = block_style(data)
    except FlowError as exc:
        raise NotFlatError(exc.why, exc.line) from None
    lines = None if restyled is None else restyled.lines  # per line read: the file's
    flat = data if restyled is None else restyled.data
    del restyled
    try:
        try:
            document = _read(flat)
        except NotFlatError as exc:
            folded = joined(flat) if exc.why == _NO_KEY else None
            if folded is None:
                raise
            lines = folded.lines if lines is None else lines[folded.lines - 1]
            flat = folded.data
            del folded
            document = _read(flat)
    except NotFlatError as exc:
        if lines is None or not 0 < exc.line <= lines.size:
            raise
        raise NotFlatError(exc.why, int(lines[exc.line - 1])) from None
    if lines is not None:
        for listed in document.lists.values():  # each item on the file's line of its dash
            listed.lines = lines[listed.lines - 1]
        document.restyled = True
    return document


def _read(data: bytes) -> FlatDocument:
    """The document in `data` (LF line breaks, ending in one)."""
    if len(data) >= 2**31 - 64:
        raise NotFlatError("a file of 2 GB or more")
    if b"\\" in data:  # escapes, perhaps; else (or a backslash in a comment) read as is
        try:
            document = _Scanner(unescaped(data, _in_double_quotes)).document()
        except (EscapeError, NotFlatError):
            pass
        else:
            document.unescaped = True
            return document
    return _Scanner(data).document()


def one_document(data: bytes) -> bytes:
    """`data` (LF line breaks) with the marker of its document's start (`---`
    before its first key, as `yaml.dump(explicit_start=True)` and many hands write it)
    and of its end (`...` after its last) left as empty lines: the same document, each
    line where it was. A marker anywhere else, or with anything after it on its line but
    a comment, is the precise reader's (a second document, a scalar after `---`)."""
    first = _content_lines(data, forward=True)
    if first and _is_marker(first[0][1], b"---") and not _is_marker(first[1][1], b"---"):
        start = first[0][0]  # (a second `---` is a second document: not left to one here)
        data = data[:start] + data[start + len(first[0][1]) :]
    last = _content_lines(data, forward=False)
    if last and _is_marker(last[0][1], b"...") and not _is_marker(last[1][1], b"..."):
        start = last[0][0]
        data = data[:start] + data[start + len(last[0][1]) :]
    return data


def _content_lines(data: bytes, forward: bool) -> list[tuple[int, bytes]]:
    """The first two lines (or last two, backwards) that are not blank or a comment, with
    where each starts, looked for within _MARKER_SEARCH bytes of that end (b"" where
    there is no second); none where the first is not found there."""
    found: list[tuple[int, bytes]] = []
    if forward:
        start = 0
        while start < min(len(data), _MARKER_SEARCH) and len(found) < 2:
            end = data.find(b"\n", start)
            end = len(data) if end < 0 else end
            if not _says_nothing(data[start:end]):
                found.append((start, data[start:end]))
            start = end + 1
    else:
        end = len(data) - 1 if data.endswith(b"\n") else len(data)
        while end > max(0, len(data) - _MARKER_SEARCH) and len(found) < 2:
            start = data.rfind(b"\n", 0, end) + 1
            if not _says_nothing(data[start:end]):
                found.append((start, data[start:end]))
            end = start - 1
    return [] if not found else [*found, (0, b"")][:2]


def _is_marker(line: bytes, marker: bytes) -> bool:
    """`line` is `marker`, then spaces, or spaces and a comment."""
    rest = line[3:].lstrip(b" ")
    return line.startswith(marker) and (not rest or (rest[:1] == b"#" and line[3:4] == b" "))


def _says_nothing(line: bytes) -> bool:
    """`line` is blank or a comment."""
    content = line.lstrip(b" ")
    return not content or content.startswith(b"#")


def with_lf(data: bytes) -> bytes:
    """`data` with Windows' line breaks (CR LF: an editor's there, or git's checkout)
    written as LF, where every CR is one's: YAML reads CR LF as one line break, so the
    same lines, each with its columns. A CR alone (a line break to libyaml, not to these
    lines) leaves `data` as it is, for the precise reader."""
    if b"\r" in data and data.count(b"\r") == data.count(b"\r\n"):
        return data.replace(b"\r\n", b"\n")
    return data


def _in_double_quotes(data: bytes, places: IntArray) -> bool:
    """Whether every backslash in `data`, and each of `places`, lies in a double-quoted
    value (NotFlatError where `data` is not flat but for its backslashes)."""
    # (A backslash ending the document took its last line break: no line of it is whole.)
    _need(data.endswith(b"\n"), "a backslash ending the document")
    return _Scanner(data, backslashes=True).escapes_in_double_quotes(places)


def odd_unicode(data: bytes) -> int | None:
    """Where the first of those characters is in `data` (valid UTF-8), if anywhere."""
    kinds = set(data.translate(None, _NOT_ODD_LEADS))
    if not kinds:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    lead = np.sort(np.concatenate([np.flatnonzero(buf == kind) for kind in kinds]))
    odd = np.zeros(lead.size, dtype=bool)
    for sequence in _ODD_UNICODE:
        same = lead + len(sequence) <= buf.size
        for k, byte in enumerate(sequence):
            same &= buf[np.minimum(lead + k, buf.size - 1)] == byte
        odd |= same
    return int(lead[np.argmax(odd)]) if odd.any() else None


class PolicyLineError(NotFlatError):
    """A line starts with `policy` (asked for by `read_flat(policy_lines=False)`)."""


def _backslashes_within(buf: np.ndarray, first: IntArray, end: IntArray) -> int:
    """How many backslashes lie in the ranges [first, end) (sorted, disjoint), counted
    _RANGES ranges at a time (a flag a byte of their span, not of the whole file)."""
    count = 0
    for lo in range(0, first.size, _RANGES):
        a, b = first[lo : lo + _RANGES], end[lo : lo + _RANGES]
        some = a < b  # (np.add.reduceat reads an empty range as its first element)
        a, b = a[some], b[some]
        if not a.size:
            continue
        base = int(a[0])
        flags = buf[base : int(b[-1]) + 1] == _BACKSLASH  # (one more: the last edge)
        edges = np.empty(2 * a.size, dtype=np.int64)
        edges[0::2], edges[1::2] = a - base, b - base
        count += int(np.add.reduceat(flags, edges, dtype=np.int64)[0::2].sum())
    return count


def _need(condition: object, why: str, line: int = 0) -> None:
    if not condition:
        raise NotFlatError(why, line)


class _Scanner:
    def __init__(self, data: bytes, backslashes: bool = False) -> None:
        """`backslashes`: let them be, outside comments too (see `escapes_in_double_quotes`)."""
        self.data = data
        self.backslashes = backslashes
        buf = self.buf = np.frombuffer(data, dtype=np.uint8)
        self.words = Words(buf)
        ends = byte_positions(buf, _NEWLINE, np.int32)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        line_words = self.words.at(starts)  # each line's first 8 bytes
        # One pass keeps only the bytes that matter to the checks: line ends, colons and
        # anything odd. Usually that leaves `:\n` per key line and a few '#' of comments.
        skeleton = data.translate(None, _NOT_SKELETON)
        residue = skeleton.translate(None, b"\n:#")
        if not _ODD_LEADS.isdisjoint(residue):
            odd = odd_unicode(data)
            if odd is not None:
                line = data.count(b"\n", 0, odd) + 1
                raise NotFlatError("a Unicode line break or non-printable character", line)
        first = _skip_spaces(self.words, starts, line_words)
        head = buf[first]
        comment = head == _HASH
        content = (head != _NEWLINE) & ~comment
        lines = np.flatnonzero(content)  # 0-based numbers of the lines that say something
        _need(lines.size, "no keys at all")
        # Usually the lines that say something are one run (a comment or blank line above
        # them at most): slices of the line tables then, not copies.
        lo, hi = int(lines[0]), int(lines[-1]) + 1
        pick = slice(lo, hi) if hi - lo == lines.size else lines
        # Every key line holds one colon and no '#': no odd byte outside comment lines,
        # and each line's colon is the first after its key's start.
        self.one_colon = not residue and _one_colon_each(skeleton, pick)
        self.block_lists: _Lists | None = None  # (lines of `- id` below a key: see there)
        if not self.one_colon:
            # (Bytes that lead a character beyond ASCII are kept to find odd ones, done.)
            kept = skeleton.translate(None, _LEADS_AND_BACKSLASH if backslashes else _LEADS)
            bare = _bare_lines(kept, lines)
            if bare.size:
                lines, self.block_lists = self._block_lists(lines, bare, starts, ends, first)
                lo, hi = int(lines[0]), int(lines[-1]) + 1
                pick = slice(lo, hi) if hi - lo == lines.size else lines
                self.one_colon = not residue and _one_colon_each(skeleton, pick)
        self.key_words: _KeyWords | None = None  # (read by `_key_ends`, if it can)
        self.key_column: IntArray = np.zeros(0, dtype=np.int64)  # per line (see `_keys`)
        # Lines with a colon in their value, and every colon (see `_colons_in_values`).
        self.colons_in_values: tuple[IntArray, IntArray] | None = None
        if not self.one_colon:
            if b"#" in skeleton:  # a line's content ends where a comment after it starts
                ends = self._cut_comments(starts, ends, content)
            self._check_characters(starts, comment, ends)
        self.line = lines
        self.start, self.end = starts[pick], ends[pick]
        self.first = first[pick]
        self.indent = self.first - self.start

    def _block_lists(
        self, lines: IntArray, bare: IntArray, starts: IntArray, ends: IntArray, first: IntArray
    ) -> tuple[IntArray, _Lists]:
        """The lines that say something but a list's items (`bare`: lines of no colon),
        and those lists: a run of `- id` lines below a key of no value is its list
        (`dotted_to:` then `  - finance`, as PyYAML writes one), at one indentation, at
        or right of the key's own, an item a plain or simply quoted id (id_lists.block_items)."""
        buf = self.buf
        at = first[bare]
        _lines_ok(bare, (buf[at] == _DASH) & (buf[at + 1] == _SPACE), _NO_KEY)
        place = np.searchsorted(lines, bare)  # among the lines that say something
        opens = np.r_[True, place[1:] != place[:-1] + 1]  # a run's first line
        run = np.cumsum(opens) - 1
        owner_place = place[opens] - 1
        _lines_ok(bare[opens], owner_place >= 0, "a list item of no key")
        owner = lines[owner_place]
        dashed = buf[first[owner]] == _DASH  # (`- dotted_to:`: its key past the dash)
        _lines_ok(owner, dashed | (first[owner] > starts[owner]), "a list at the top level")
        key = np.where(dashed, _skip_spaces(self.words, first[owner] + 1), first[owner])
        column = key - starts[owner]
        indent = at - starts[bare]
        aligned = (indent == indent[opens][run]) & (indent >= column[run])
        _lines_ok(bare, aligned, "list items at different indentations")
        try:
            items = block_items(buf, _skip_spaces(self.words, at + 2), ends[bare])
        except ListError as exc:
            raise NotFlatError(exc.why, int(bare[exc.at]) + 1) from None
        keyed = np.ones(lines.size, dtype=bool)
        keyed[place] = False
        lines = lines[keyed]
        rows = np.searchsorted(lines, owner)
        return lines, _Lists(rows, items.in_lists(np.bincount(run, minlength=owner.size)))

    def _cut_comments(self, starts: IntArray, ends: IntArray, content: np.ndarray) -> IntArray:
        """Line ends, each line with a '#' in it ending where a comment after its value
        starts, as YAML reads it (`reports_to: cfo  # interim`); a '#' in a value (`C#`,
        or between quotes) is the value's. NotFlatError for a '#' before a line's colon."""
        hashes = byte_positions(self.buf, _HASH, np.int32)
        line_of = np.searchsorted(starts, hashes, side="right") - 1
        rows = sorted_distinct(line_of[content[line_of]])
        if not rows.size:
            return ends
        ends = ends.copy()
        for row in rows.tolist():
            start = int(starts[row])
            ends[row] = start + _content_length(self.data[start : int(ends[row])], row + 1)
        return ends

    def _check_characters(self, starts: IntArray, comment: np.ndarray, ends: IntArray) -> None:
        # Deleting every ordinary byte (a C loop) leaves the odd ones: usually none, or a
        # few kinds, each then found by one comparison.
        kinds = set(self.data.translate(None, _ORDINARY))
        if self.backslashes:
            kinds.discard(_BACKSLASH)
        if not kinds:
            return
        odd = np.sort(np.concatenate([np.flatnonzero(self.buf == kind) for kind in kinds]))
        # Line starts are sorted: a byte's line is the last one starting at or before it.
        line_of = np.searchsorted(starts, odd, side="right") - 1
        # Outside comments: a comment line, or past a line's content (see _cut_comments).
        outside = comment[line_of] | (odd >= ends[line_of])
        bad = (_ODD[self.buf[odd]] != _OUTSIDE_COMMENTS) | ~outside
        if bad.any():
            line = int(line_of[np.argmax(bad)]) + 1
            raise NotFlatError("a tab, backslash or control character", line)

    def _every(self, ok: np.ndarray, why: str, rows: IntArray | None = None) -> None:
        """NotFlatError at the first line (of `rows`, or of all content lines) not `ok`."""
        if ok.all():
            return
        first = int(np.argmin(ok))
        row = first if rows is None else int(rows[first])
        raise NotFlatError(why, int(self.line[row]) + 1)

    def document(self) -> FlatDocument:
        dash, key_start, key_end = self._keys()
        value_start, value_end = self._values(key_end)
        top = (self.indent == 0) & ~dash
        self._every(top[:1], "no top-level key first")
        codes, names = key_codes(self.words, self.data, key_start, key_end, self.key_words)
        self.key_words = None  # (a word per line: not kept)
        quoted = self._quoted(value_start, value_end)
        self._colons_in_values(value_start, value_end, quoted)
        lists = self._lists(value_start, value_end)
        return self._assemble(dash, top, codes, names, value_start, value_end, quoted, lists)

    def _lists(self, value_start: IntArray, value_end: IntArray) -> _Lists | None:
        """Every list of ids: on its key's line, or its items' lines below it."""
        lists = self._flow_lists(value_start, value_end)
        block = self.block_lists
        if block is None:
            return lists
        empty = value_start[block.rows] == value_end[block.rows]
        self._every(empty, "a value and a list below it", block.rows)
        return block if lists is None else lists.joined(block)

    def escapes_in_double_quotes(self, joins: IntArray) -> bool:
        """Whether every backslash, and every place in `joins` (sorted), lies in a
        double-quoted value or id of a list, between its quotes (and this document is
        flat otherwise: NotFlatError if not). Values never overlap: those inside them,
        counted value by value, are all there are."""
        _, _, key_end = self._keys()
        value_start, value_end = self._values(key_end)
        quoted = self._quoted(value_start, value_end)
        double = np.flatnonzero(quoted & (self.buf[value_start] == _DOUBLE))
        first, end = value_start[double] + 1, value_end[double] - 1  # between the quotes
        lists = self._lists(value_start, value_end)
        if lists is not None:  # and the ids of lists in double quotes
            double = np.flatnonzero(lists.items.double)
            first = np.r_[first, lists.items.start[double]]
            end = np.r_[end, lists.items.end[double]]
            order = np.argsort(first, kind="stable")
            first, end = first[order], end[order]
        inside = np.searchsorted(joins, end) - np.searchsorted(joins, first)
        if int(inside.sum()) != joins.size:
            return False
        return _backslashes_within(self.buf, first, end) == self.data.count(b"\\")

    def _keys(self) -> tuple[np.ndarray, IntArray, IntArray]:
        """Per line: whether it is a list item (`- `), where its key starts and ends. An
        item's key may stand further from its dash (`-   id: r1`, PyYAML's `indent=4`):
        the item's other keys then stand in its column (see `_assemble`)."""
        buf = self.buf
        first = self.first
        dash = (buf[first] == _DASH) & (buf[first + 1] == _SPACE)
        key_start = np.where(dash, first + 2, first)
        wide = np.flatnonzero(dash & (buf[key_start] == _SPACE))
        if wide.size:  # (lines end in \n: each stops within its line)
            key_start[wide] = walk_over(buf, key_start[wide])
        self.key_column = key_start - self.start
        self._every(
            ~(dash & (buf[np.minimum(key_start, buf.size - 1)] <= _SPACE)),
            "a list item not written `- key: value`",
        )
        return dash, key_start, self._key_ends(key_start)

    def _key_ends(self, key_start: IntArray) -> IntArray:
        """Where each line's key ends: its first colon (no key holds one; any more are
        its value's: see `_colons_in_values`)."""
        if self.one_colon:
            found = _colons_after(self.words, self.data, key_start)
            if found is not None:
                key_end, self.key_words = found
                self._every(key_end > key_start, "an empty key")
                return key_end
        colons = byte_positions(self.buf, _COLON, np.int32)
        # Colons from the key's start to the line's end, counted by two searches (all
        # lines at once): the key ends at the first (no key holds one); the lines with
        # more hold them in their values, which `_colons_in_values` checks.
        before_start = np.searchsorted(colons, key_start)
        count = np.searchsorted(colons, self.end) - before_start
        self._every(count > 0, "not `key: value` (no colon)")
        key_end = colons[before_start]
        self._every(key_end > key_start, "an empty key")
        more = np.flatnonzero(count > 1)
        if more.size:
            self.colons_in_values = (more, colons)
        return key_end

    def _colons_in_values(
        self, value_start: IntArray, value_end: IntArray, quoted: np.ndarray
    ) -> None:
        """A colon in a value is its own in quotes, or in a plain value where no space
        or line break follows it (`9:30`, `http://x`); one a space follows, or that ends
        the value, would start a mapping there (YAML refuses it), and one in a list of
        ids is left to the precise reader."""
        if self.colons_in_values is None:
            return
        rows, colons = self.colons_in_values
        rows = rows[~quoted[rows]]
        start, end = value_start[rows], value_end[rows]
        listed = self.buf[np.minimum(start, self.buf.size - 1)] == _OPEN
        self._every(
            ~listed | (start == end), "a colon in a flow list (a mapping in it, or an id)", rows
        )
        first = np.searchsorted(colons, start)
        count = np.searchsorted(colons, end) - first
        at = colons[ranges_back_to_back(first, count)].astype(np.int64)
        ends = np.repeat(end, count)
        after = self.buf[at + 1]
        fine = (at + 1 < ends) & (after != _SPACE) & (after != _NEWLINE)
        self._every(
            fine, "a colon and a space (or an end) in a plain value", np.repeat(rows, count)
        )

    def _values(self, key_end: IntArray) -> tuple[IntArray, IntArray]:
        buf = self.buf
        at = key_end + 1
        after = buf[at]
        self._every((after == _SPACE) | (after == _NEWLINE), "no space after a colon")
        # Values follow one space, as a rule: past it, a byte at a time for any more.
        value_start = at + (after == _SPACE)
        more = np.flatnonzero(buf[value_start] == _SPACE)
        if more.size:  # (lines end in \n: each stops within its line)
            value_start[more] = walk_over(buf, value_start[more])
        # Spaces after a value are none of it (a plain value ends at its last non-space,
        # a quoted one at its quote: a hand's stray space): back over them, as over those
        # before it.
        value_end = self.end.copy()
        back = np.flatnonzero((value_start < value_end) & (buf[value_end - 1] == _SPACE))
        if back.size:  # (to the value's last non-space: never before where it starts)
            last = walk_over(buf, value_end[back] - 1, step=-1)
            value_end[back] = np.maximum(last + 1, value_start[back])
        present = value_start < value_end
        # Lines without a value read byte 0, only to stay one vector op; `present` drops it.
        head = buf[np.where(present, value_start, 0)]
        nxt = buf[np.where(present, value_start + 1, 0)]
        lone_dash = (head == _DASH) & ((nxt == _SPACE) | (nxt == _NEWLINE))
        # (np.take: a table indexed by bytes, without converting them to indices first)
        # A '[' starts a flow list, which `_flow_lists` reads or refuses.
        indicator = np.take(_FIRST, head) & (head != _DASH) & (head != _OPEN)
        why = "a value that starts with a YAML indicator"
        self._every(~(present & (indicator | lone_dash)), why)
        return value_start, np.where(present, value_end, value_start)

    def _flow_lists(self, value_start: IntArray, value_end: IntArray) -> _Lists | None:
        """The values written as flow lists on their line, and their items (plain ids)."""
        present = value_start < value_end
        rows = np.flatnonzero(present & (self.buf[np.where(present, value_start, 0)] == _OPEN))
        if not rows.size:
            return None
        start, end = value_start[rows], value_end[rows]
        self._every(self.buf[end - 1] == _CLOSE, "a flow list not closed on its line", rows)
        try:
            return _Lists(rows, split_lists(self.buf, start, end, self.backslashes))
        except ListError as exc:
            raise NotFlatError(exc.why, int(self.line[rows[exc.at]]) + 1) from None

    def _quoted(self, value_start: IntArray, value_end: IntArray) -> np.ndarray:
        """Values written in quotes: whole-value, no quote of the same kind inside."""
        buf = self.buf
        present = value_start < value_end
        head = buf[np.where(present, value_start, 0)]
        quoted = present & ((head == _SINGLE) | (head == _DOUBLE))
        if not quoted.any():
            return np.asarray(quoted)
        for mark in (_SINGLE, _DOUBLE):
            mine = quoted & (head == mark)
            if not mine.any():
                continue
            # Marks within the value: two means only its own.
            inside = counts_within(buf, mark, value_start[mine], value_end[mine])
            whole = (inside == 2) & (buf[value_end[mine] - 1] == mark)
            whole &= value_end[mine] - value_start[mine] >= 2
            self._every(whole, "quotes inside or after a quoted value", np.flatnonzero(mine))
        return np.asarray(quoted)

    def _assemble(
        self,
        dash: np.ndarray,
        top: np.ndarray,
        codes: IntArray,
        names: list[str],
        value_start: IntArray,
        value_end: IntArray,
        quoted: np.ndarray,
        lists: _Lists | None = None,
    ) -> FlatDocument:
        empty = value_start == value_end
        # Each top-level key opens a section; items belong to the last one opened.
        section = np.cumsum(top, dtype=np.int32) - 1
        top_rows = np.flatnonzero(top)
        if lists is not None:  # (a list of mappings below a key is read; one on its line not)
            self._every(~top[lists.rows], "a list at the top level", lists.rows)
        item_rows = np.flatnonzero(dash)
        in_item = ~top & ~dash
        # A list needs an empty top-level value above it; a key line continues an item.
        previous_top = np.r_[False, top[:-1]]
        self._every(~(in_item & previous_top), "a nested mapping")
        self._every(
            empty[top_rows[section[item_rows]]], "a list under a key with a value", item_rows
        )
        # Items of one list share their dash's indent; their keys stand in the column of
        # their first key (two right of the dash, or further: `-   id:`, see `_keys`).
        # A running count of dashes: a key line belongs to the last item opened above it.
        item = np.cumsum(dash, dtype=np.int32) - 1
        item_indent = self.indent[item_rows]
        same_list = section[item_rows[1:]] == section[item_rows[:-1]]
        self._every(
            ~same_list | (item_indent[1:] == item_indent[:-1]),
            "list items at different indentations",
            item_rows[1:],
        )
        in_column = self.indent[in_item] == self.key_column[item_rows][item[in_item]]
        if not in_column.all():  # (the rows are found only then: they are most lines)
            why = "a key not in the column of its item's first key"
            self._every(in_column, why, np.flatnonzero(in_item))
        del section, in_item, in_column  # (a line's worth each: not held while lists are made)
        doc = FlatDocument(self.data)
        top_names = [names[c] for c in codes[top_rows].tolist()]
        _need(len(set(top_names)) == len(top_names), "a repeated top-level key")
        texts = _Texts(self.data, value_start, value_end, quoted, lists)
        bounds = [*top_rows.tolist(), top.size]
        for s, (name, row) in enumerate(zip(top_names, top_rows.tolist(), strict=True)):
            if bounds[s + 1] > row + 1:  # lines below the key: its list's items
                doc.lists[name] = self._list(row + 1, bounds[s + 1], item, codes, names, texts)
            elif empty[row]:
                doc.nulls.add(name)
            else:
                doc.scalars[name] = (texts.one(row), bool(quoted[row]))
        return doc

    def _list(
        self, lo: int, hi: int, item: IntArray, codes: IntArray, names: list[str], texts: _Texts
    ) -> FlatList:
        """The items on rows lo..hi-1 (one list's lines, in order) as columns."""
        owner = item[lo:hi] - item[lo]  # items numbered from 0 within this list
        row_codes = codes[lo:hi]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        flat = FlatList(int(owner[-1]) + 1, self.line[starts + lo] + 1)
        # The lines of each key, in order: one stable (radix) sort of the small codes;
        # int32 (lines of a file under 2 GB), as the columns keep slices of it.
        order = np.argsort(row_codes.astype(np.int16), kind="stable").astype(np.int32)
        bounds = np.r_[0, np.cumsum(_counts(row_codes, len(names)))].tolist()
        for code in np.flatnonzero(np.diff(bounds)).tolist():
            mine = order[bounds[code] : bounds[code + 1]]
            items = owner[mine]
            where = mine + lo
            self._every(np.diff(items) > 0, "a key repeated in one item", where[1:])
            start, end, quoted = texts.ranges(where)
            flat.columns[names[code]] = Column(
                flat.count, items, mine, start, end, quoted, texts.buf, texts.lists(where)
            )
        return flat


class _Texts:
    """Value texts by row, without quotes (a quoted value's range is one byte in from
    either end: made per column, not for every row at once)."""

    def __init__(
        self,
        data: bytes,
        start: IntArray,
        end: IntArray,
        quoted: np.ndarray,
        listed: _Lists | None = None,
    ) -> None:
        self.data = data
        self.buf = np.frombuffer(data, dtype=np.uint8)
        self.quoted_start, self.quoted_end, self.quoted = start, end, quoted
        self.listed = listed

    def lists(self, rows: IntArray) -> ListValues | None:
        """Which of the `rows` (ascending) hold a list of ids, and its items (None: none)."""
        if self.listed is None:
            return None
        listed = self.listed.rows
        k = np.minimum(np.searchsorted(listed, rows), listed.size - 1)
        values = np.flatnonzero(listed[k] == rows)
        if not values.size:
            return None
        return ListValues(values, self.listed.items.of(k[values]))

    def ranges(self, rows: IntArray) -> tuple[IntArray, IntArray, np.ndarray]:
        """The rows' [start, end) ranges without quotes, and whether each is quoted."""
        quoted = self.quoted[rows]
        start = self.quoted_start[rows]
        start += quoted
        end = self.quoted_end[rows]
        end -= quoted
        return start, end, quoted

    def one(self, row: int) -> str:
        start, end = int(self.quoted_start[row]), int(self.quoted_end[row])
        quotes = int(self.quoted[row])
        return self.data[start + quotes : end - quotes].decode("utf-8")


@holder(frozen=False)
class _Lists:
    """The rows whose value is a list of ids (ascending), and its items (list k: rows[k])."""

    rows: IntArray
    items: Items

    def joined(self, other: _Lists) -> _Lists:
        """These lists and `other`'s (on other rows), in row order."""
        rows = np.r_[self.rows, other.rows]
        order = np.argsort(rows, kind="stable")
        return _Lists(rows[order], self.items.then(other.items).of(order))


def _lines_ok(lines: IntArray, ok: np.ndarray, why: str) -> None:
    """NotFlatError at the first of `lines` (0-based numbers) not `ok`."""
    if not ok.all():
        raise NotFlatError(why, int(lines[np.argmin(ok)]) + 1)


def _bare_lines(skeleton: bytes, lines: IntArray) -> IntArray:
    """Those of the (content) `lines` that kept no byte in `skeleton`: no colon, '#' or
    odd byte (a list's `- id`, or a line that is not YAML this reader reads)."""
    kept = byte_positions(np.frombuffer(skeleton, dtype=np.uint8), _NEWLINE, np.int32)
    bytes_kept = np.diff(kept, prepend=-1) - 1
    bare: IntArray = lines[bytes_kept[lines] == 0]
    return bare


def _counts(codes: IntArray, size: int) -> IntArray:
    """How many of `codes` (0..size-1) are each code: bincount a slice at a time, as it
    makes a 64-bit copy of what it counts."""
    counts = np.zeros(size, dtype=np.int64)
    for a in range(0, codes.size, _ROWS):
        counts += np.bincount(codes[a : a + _ROWS], minlength=size)
    return counts


def _content_length(line: bytes, number: int) -> int:
    """How much of a `key: value` line (with a '#' in it) is its content: all of it, or
    up to a comment after the value (` #`, outside the value's quotes), without the spaces
    before it. NotFlatError for a '#' in the key (never in a key the reader takes)."""
    colon = line.find(b":")
    _need(b"#" not in line[: max(colon, 0)] and colon >= 0, "a '#' before a key's colon", number)
    value = colon + 1
    while line[value : value + 1] == b" ":
        value += 1
    search = value - 1  # (` #` right after the colon: a comment, and no value)
    if line[value : value + 1] in (b"'", b'"'):  # a quoted value: '#' inside is its own
        close = line.find(line[value : value + 1], value + 1)
        if close < 0:
            return len(line)  # (the quotes' check says what is wrong)
        search = close + 1
    cut = line.find(b" #", search)
    if cut < 0:
        return len(line)
    while cut > colon + 1 and line[cut - 1] == 32:
        cut -= 1
    return cut


def _skip_spaces(words: Words, at: IntArray, at_words: np.ndarray | None = None) -> IntArray:
    """The first position at or after each of `at` that is not a space (lines end in \\n):
    8 bytes read at once, the spaces counted from their low end."""
    word = words.at(at) if at_words is None else at_words
    spaces = _leading(word ^ _U(0x2020202020202020))
    pos = spaces.astype(at.dtype)
    pos += at
    live = np.flatnonzero(spaces == _WORD)  # 8 spaces or more: on, as walk_over goes
    if live.size:
        pos[live] = walk_over(words.buf, pos[live])
    return pos


def _leading(word: np.ndarray) -> IntArray:
    """How many of each word's bytes, from its low end, are zero (8 when all are).
    (Words by the million: each step is done in place, on one temporary.)"""
    # Bit 7 of each byte set where the byte is not zero (no carry crosses bytes).
    nonzero = word & _U(0x7F7F7F7F7F7F7F7F)
    nonzero += _U(0x7F7F7F7F7F7F7F7F)
    nonzero |= word
    nonzero &= _HIGH_BITS
    return _lowest_flag(nonzero)


def _one_colon_each(skeleton: bytes, lines: IntArray | slice) -> bool:
    """Each of the (content) `lines` (numbers, or a run of them) kept exactly one byte, a
    colon, in `skeleton`."""
    kept = np.frombuffer(skeleton, dtype=np.uint8)
    ends = byte_positions(kept, _NEWLINE, np.int32)
    before = np.empty_like(ends)
    before[0] = -1
    before[1:] = ends[:-1]
    line_ends = ends[lines]
    return bool(np.all((line_ends - before[lines] == 2) & (kept[line_ends - 1] == _COLON)))


@value_class(frozen=False)
class _KeyWords:
    """The words read at each key's start (`low`) and, for the keys of 8 bytes or more
    (`far`), the next ones (`high`): what `key_codes` reads too."""

    low: np.ndarray
    far: IntArray
    high: np.ndarray


def _colons_after(words: Words, data: bytes, start: IntArray) -> tuple[IntArray, _KeyWords] | None:
    """The first colon at or after each of `start`, where every line has one, and the
    words read to find it (None if a key is so long that searching is better left to
    the general way)."""
    low = words.at(start)
    found = _first_colon(low)
    far = np.flatnonzero(found == _WORD)
    high = words.at(start[far] + _WORD)
    found[far] = _WORD + _first_colon(high)
    beyond = far[found[far] == 2 * _WORD]
    if beyond.size > 1000:
        return None
    for row in beyond.tolist():  # keys of 16 characters or more (a few extra keys)
        found[row] = data.index(b":", int(start[row])) - int(start[row])
    return (start + found).astype(start.dtype), _KeyWords(low, far, high)


def _first_colon(word: np.ndarray) -> IntArray:
    """Per word, the index of its first ':' byte (8: none)."""
    x = word ^ _U(0x3A3A3A3A3A3A3A3A)  # a colon becomes a zero byte
    # The classic zero-byte test: exact for the lowest zero byte (a borrow can only
    # flag bytes above it). In place, on two temporaries.
    zero = x - _U(0x0101010101010101)
    np.invert(x, out=x)
    zero &= x
    del x
    zero &= _HIGH_BITS
    return _lowest_flag(zero)


def _lowest_flag(flags: np.ndarray) -> IntArray:
    """Per word whose bytes are flagged in bit 7 (0x80), the index of the lowest flagged
    byte (8 when none is): the lowest flag alone, 2**(8i + 7), times a constant whose
    byte 7 - i is i, leaves i in the top byte. (In place, on one temporary.)"""
    none = flags == 0
    lowest = np.invert(flags)
    lowest += _U(1)
    lowest &= flags
    lowest >>= _U(7)
    lowest *= _U(0x0001020304050607)
    lowest >>= _U(56)
    index: IntArray = lowest.view(np.int64)  # (0 to 7: the same numbers)
    index[none] = _WORD
    return index


def key_codes(
    words: Words, data: bytes, start: IntArray, end: IntArray, read: _KeyWords | None = None
) -> tuple[IntArray, list[str]]:
    """A small integer per line naming its key, and the names; exact, not hashed.

    Lines are grouped by (length, first byte, last byte), which separates the few
    keys of a generated file; every line is then compared byte for byte with one line
    of its group (all lines at once, 8 bytes per gather), and any line that differs
    from it is sorted out in Python.
    """
    span = end - start
    _need(np.all(span <= 64), "a key longer than 64 characters")
    if int(span.max()) <= 2 * _WORD:  # (keys are not empty: 1 to 16 bytes, as uint8)
        short = _short_key_codes(words, data, start, end, span.astype(np.uint8), read)
        if short is not None:
            return short
    length = span.astype(np.int64)
    del span
    buf = np.frombuffer(data, dtype=np.uint8)
    # One small integer per (length, first byte, last byte), fields apart (bytes < 256,
    # length <= 64): bincount finds the groups, and a table renumbers them 0, 1, ...
    signature = (length << 16) | (buf[start].astype(np.int64) << 8) | buf[end - 1]
    seen = np.flatnonzero(np.bincount(signature))
    table = np.zeros(int(signature.max()) + 1, dtype=np.int64)
    table[seen] = np.arange(seen.size)
    group = table[signature]
    example = np.zeros(seen.size, dtype=np.int64)
    example[group] = np.arange(group.size)  # some line of each group
    first = start.astype(np.int64)
    like = example[group]  # per line, the line of its group it is compared with
    if int(length.max()) <= 2 * _WORD:  # the usual keys: two words each, masked
        low = words.at(first) & _KEEP_FIRST[length]
        same = low == low[like]
        if int(length.max()) > _WORD:
            high = words.at(first + _WORD) & _KEEP_SECOND[length]
            same &= high == high[like]
    else:
        same = same_ranges(words, first, words, first[like], length)
    names: list[str] = []
    index: dict[str, int] = {}
    named = [
        _code(data[a:b].decode("ascii", "replace"), index, names)
        for a, b in zip(start[example].tolist(), end[example].tolist(), strict=True)
    ]
    codes = np.asarray(named, dtype=np.int32)[group]
    for row in np.flatnonzero(~same).tolist():
        key = data[int(start[row]) : int(end[row])].decode("ascii", "replace")
        codes[row] = _code(key, index, names)
    return codes, names


def _short_key_codes(
    words: Words,
    data: bytes,
    start: IntArray,
    end: IntArray,
    length: IntArray,
    read: _KeyWords | None,
) -> tuple[IntArray, list[str]] | None:
    """`key_codes` of keys of at most 16 bytes, without its (length, first byte, last
    byte) table: a key is its two words (masked to its length) and its length, grouped
    by a 16-bit hash of those; every line is compared with one line of its group, and
    the lines that differ (another key in the same bucket, rarely) are grouped again
    with another hash, until none is left. The keys are then numbered (and checked) in
    the order `key_codes` numbers them when no two share a (length, first byte, last
    byte); None when two do (that way numbers them otherwise)."""
    if read is None:
        low = words.at(start) & _KEEP_FIRST[length]
        high = words.at(start + _WORD) & _KEEP_SECOND[length]
    else:  # the words the colons were found in: keys below 8 bytes have no second one
        low = read.low  # (masked in place: not read again)
        low &= _KEEP_FIRST[length]
        high = np.zeros_like(low)
        high[read.far] = read.high & _KEEP_SECOND[length[read.far]]
    found = np.zeros(length.size, dtype=np.int32)  # per line, its key's place in `keys`
    keys: list[bytes] = []
    # The lines still to place, and their words and lengths (all lines at first).
    rows: IntArray | None = None
    lo, hi, size = low, high, length
    salt = 0
    while size.size:
        bucket = _bucket(lo, hi, size, salt)
        example = np.zeros(1 << 16, dtype=np.int32)
        example[bucket] = np.arange(size.size, dtype=np.int32)  # some line of each bucket
        same = _like_example(lo, hi, size, bucket, example)
        used = np.flatnonzero(np.bincount(bucket, minlength=1 << 16))
        place = np.zeros(1 << 16, dtype=np.int32)
        place[used] = np.arange(len(keys), len(keys) + used.size)
        lines = example[used] if rows is None else rows[example[used]]
        keys.extend(data[int(start[i]) : int(end[i])] for i in lines.tolist())
        if rows is None:
            found[same] = place[bucket[same]]
            rows = np.flatnonzero(~same)
        else:
            found[rows[same]] = place[bucket[same]]
            rows = rows[~same]
        del bucket
        lo, hi, size = low[rows], high[rows], length[rows]
        salt += 1
    signature = [(len(key), key[0], key[-1]) for key in keys]
    if len(set(signature)) < len(keys):
        return None
    names: list[str] = []
    index: dict[str, int] = {}
    code = np.zeros(len(keys), dtype=np.int32)
    for k in sorted(range(len(keys)), key=signature.__getitem__):
        code[k] = _code(keys[k].decode("ascii", "replace"), index, names)
    return code[found], names


def _bucket(low: np.ndarray, high: np.ndarray, size: np.ndarray, salt: int) -> np.ndarray:
    """A 16-bit hash of each key's words and length, as uint16 (a slice of keys at a
    time: keys are many, and a whole column of 64-bit temporaries would be the load's
    peak)."""
    bucket = np.empty(low.size, dtype=np.uint16)
    for a in range(0, low.size, _ROWS):
        part = slice(a, a + _ROWS)
        mixed = low[part] ^ _U(salt)
        mixed *= _MIX_LOW
        other = high[part] + size[part]
        other *= _MIX_HIGH
        mixed ^= other
        mixed >>= _U(48)
        bucket[part] = mixed
    return bucket


def _like_example(
    low: np.ndarray, high: np.ndarray, size: np.ndarray, bucket: np.ndarray, example: IntArray
) -> np.ndarray:
    """Per key, whether it is the same key as the example of its bucket (words and
    length), a slice of keys at a time."""
    same = np.empty(low.size, dtype=bool)
    for a in range(0, low.size, _ROWS):
        part = slice(a, a + _ROWS)
        like = example[bucket[part]]
        mine = same[part]
        np.equal(low[like], low[part], out=mine)
        mine &= high[like] == high[part]
        mine &= size[like] == size[part]
    return same


def _code(key: str, index: dict[str, int], names: list[str]) -> int:
    _need(_KEY.fullmatch(key), f"a key other than letters, digits, _ and -: {key!r}")
    code = index.get(key)
    if code is None:
        code = index[key] = len(names)
        names.append(key)
    return code
