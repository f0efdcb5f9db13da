"""A fast reader for the flat YAML that generators write; anything else is left to yaml_source.

A million-role org chart is about 100 MB of YAML, and composing it node by node
takes minutes. Generated files use a small, regular part of YAML: top-level
`key: value` lines, and lists of flat mappings (`- key: value`, then
`  key: value`) whose values are plain or simply quoted scalars. This module
reads exactly that part with a few vectorised passes over the bytes, and
answers None for anything else (anchors, tags, flow or block-scalar style,
nested values, comments after values, escapes, tabs, odd characters), so that
the caller falls back to the precise reader, which also finds and words every
problem. It never guesses: a file is read here only when every line fits.

Scalars come back as their literal text plus a `quoted` flag, exactly what the
precise reader's nodes hold, so both readers feed the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from clientchain.loading.fast.byte_columns import Words, gather_texts, same_ranges
from clientchain.loading.scalars import NULLS
from clientchain.model.org import IntArray

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")
# Control characters (libyaml refuses them, and reads CR as a line break) anywhere;
# comment marks, escapes and tabs anywhere but in a comment line.
_NOT_FLAT_EVER = bytes(range(0, 9)) + bytes(range(11, 32)) + b"\x7f"
_NOT_FLAT_OUTSIDE_COMMENTS = b"#\\\t"
# ... and where a plain value begins (indicators; quotes are handled separately).
_NOT_FLAT_FIRST = b"-?:,[]{}#&*!|>%@`"
# Line breaks and characters libyaml treats specially or refuses, beyond ASCII, as UTF-8:
# each begins with one of three bytes, found by deleting all others (a C loop).
_ODD_CODES = [*range(0x80, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF]
_ODD_UNICODE = [chr(code).encode() for code in _ODD_CODES]
_ODD_LEADS = frozenset(odd[0] for odd in _ODD_UNICODE)
_NOT_ODD_LEADS = bytes(b for b in range(256) if b not in _ODD_LEADS)
_SPACE, _NEWLINE, _DASH, _COLON, _HASH = 32, 10, 45, 58, 35
_SINGLE, _DOUBLE = 39, 34
_WORD = 8
_SCAN = 1 << 18  # bytes compared at a time when looking for one byte value
_U = np.uint64
_HIGH_BITS = _U(0x8080808080808080)
_KEEP = np.array([(1 << (8 * k)) - 1 for k in range(_WORD + 1)], dtype=np.uint64)  # low k bytes
# By a key's length (at most 64): the masks of its bytes in its first and second words.
_KEEP_FIRST = _KEEP[np.minimum(np.arange(65), _WORD)]
_KEEP_SECOND = _KEEP[np.clip(np.arange(65) - _WORD, 0, _WORD)]


_OUTSIDE_COMMENTS, _EVER = 1, 2
_ODD = np.zeros(256, dtype=np.uint8)  # how odd each byte is, in one table: one pass
_ODD[list(_NOT_FLAT_OUTSIDE_COMMENTS)] = _OUTSIDE_COMMENTS
_ODD[list(_NOT_FLAT_EVER)] = _EVER
_ORDINARY = bytes(np.flatnonzero(_ODD == 0).tolist())
_NOT_SKELETON = bytes(b for b in _ORDINARY if b not in b"\n:" and b not in _ODD_LEADS)
_FIRST = np.zeros(256, dtype=bool)
_FIRST[list(_NOT_FLAT_FIRST)] = True


@dataclass(eq=False)
class Column:
    """One key's values in a list of mappings, as byte ranges; strings only on demand."""

    count: int  # items in the list
    items: IntArray  # the items that have the key, ascending
    rows: IntArray  # where each of those is written, as an order among the list's lines
    start: IntArray  # and where its text is in the document's bytes (quotes excluded)
    end: IntArray
    written_quoted: np.ndarray  # per item that has the key
    buf: np.ndarray  # the document's bytes

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

    def nulls(self) -> np.ndarray:
        """Per item: the key is absent, or its value is YAML's null (`~`, `null`, nothing)."""
        null = np.ones(self.count, dtype=bool)
        length = self.end - self.start
        written = np.zeros(length.size, dtype=bool)
        for spelling in NULLS:  # the same spellings as the precise reader's
            same = np.flatnonzero(length == len(spelling))
            for k, byte in enumerate(spelling.encode("ascii")):
                same = same[self.buf[self.start[same] + k] == byte]
            written[same] = True
        null[self.items] = written & ~self.written_quoted
        return null


@dataclass
class FlatList:
    """A list of flat mappings: how many, the line of each, and a column per key."""

    count: int
    lines: IntArray  # 1-based line of each item
    columns: dict[str, Column] = field(default_factory=dict)


@dataclass
class FlatDocument:
    """A flat YAML document: top-level scalars (text, quoted) and lists of flat mappings."""

    data: bytes  # the document, for lookups by byte range (see Column.start)
    scalars: dict[str, tuple[str, bool]] = field(default_factory=dict)
    lists: dict[str, FlatList] = field(default_factory=dict)
    nulls: set[str] = field(default_factory=set)  # top-level keys written with no value


class NotFlatError(Exception):
    """The file uses YAML beyond the flat subset: why, and the first line that does."""

    def __init__(self, why: str, line: int = 0) -> None:
        super().__init__(why)
        self.why, self.line = why, line


def read_flat(data: bytes, text: str | None = None, *, policy_lines: bool = True) -> FlatDocument:
    """The document in `data` (UTF-8, no BOM); NotFlatError if it is not flat YAML.
    (`text`, the same decoded, is not needed: the bytes say all.) `policy_lines=False`:
    PolicyLineError if a line starts with `policy` (a block to cut out first)."""
    if not data.endswith(b"\n"):
        data += b"\n"
    if len(data) >= 2**31 - 64:
        raise NotFlatError("a file of 2 GB or more")
    return _Scanner(data, policy_lines).document()


def _odd_unicode(data: bytes) -> int | None:
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


def _need(condition: object, why: str, line: int = 0) -> None:
    if not condition:
        raise NotFlatError(why, line)


class _Scanner:
    def __init__(self, data: bytes, policy_lines: bool) -> None:
        self.data = data
        buf = self.buf = np.frombuffer(data, dtype=np.uint8)
        self.words = Words(buf)
        ends = _positions(buf, _NEWLINE)
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        line_words = self.words.at(starts)  # each line's first 8 bytes
        if not policy_lines and _some_start(line_words, b"policy"):
            raise PolicyLineError("a policy block")
        # One pass keeps only the bytes that matter to the checks: line ends, colons and
        # anything odd. Usually that leaves `:\n` per key line and a few '#' of comments.
        skeleton = data.translate(None, _NOT_SKELETON)
        residue = skeleton.translate(None, b"\n:#")
        if not _ODD_LEADS.isdisjoint(residue):
            odd = _odd_unicode(data)
            if odd is not None:
                line = data.count(b"\n", 0, odd) + 1
                raise NotFlatError("a Unicode line break or non-printable character", line)
        first = _skip_spaces(self.words, starts, line_words)
        head = buf[first]
        comment = head == _HASH
        content = (head != _NEWLINE) & ~comment
        lines = np.flatnonzero(content)  # 0-based numbers of the lines that say something
        _need(lines.size, "no keys at all")
        # Every key line holds one colon and no '#': no odd byte outside comment lines,
        # and each line's colon is the first after its key's start.
        self.one_colon = not residue and _one_colon_each(skeleton, lines)
        if not self.one_colon:
            self._check_characters(starts, comment)
        self.line = lines
        self.start, self.end = starts[lines], ends[lines]
        self.first = first[lines]
        self.indent = self.first - self.start

    def _check_characters(self, starts: IntArray, comment: np.ndarray) -> None:
        # Deleting every ordinary byte (a C loop) leaves the odd ones: usually none, or a
        # few kinds ('#' of a comment), each then found by one comparison.
        kinds = set(self.data.translate(None, _ORDINARY))
        if not kinds:
            return
        odd = np.sort(np.concatenate([np.flatnonzero(self.buf == kind) for kind in kinds]))
        # Line starts are sorted: a byte's line is the last one starting at or before it.
        line_of = np.searchsorted(starts, odd, side="right") - 1
        bad = (_ODD[self.buf[odd]] != _OUTSIDE_COMMENTS) | ~comment[line_of]
        if bad.any():
            line = int(line_of[np.argmax(bad)]) + 1
            raise NotFlatError("a tab, backslash, '#' or control character", line)

    def _every(self, ok: np.ndarray, why: str, rows: IntArray | None = None) -> None:
        """NotFlatError at the first line (of `rows`, or of all content lines) not `ok`."""
        if ok.all():
            return
        first = int(np.argmin(ok))
        row = first if rows is None else int(rows[first])
        raise NotFlatError(why, int(self.line[row]) + 1)

    def document(self) -> FlatDocument:
        buf = self.buf
        first = self.first
        dash = (buf[first] == _DASH) & (buf[first + 1] == _SPACE)
        key_start = np.where(dash, first + 2, first)
        self._every(
            ~(dash & (buf[np.minimum(key_start, buf.size - 1)] <= _SPACE)),
            "a list item not written `- key: value`",
        )
        key_end = self._key_ends(key_start)
        value_start, value_end = self._values(key_end)
        top = (self.indent == 0) & ~dash
        self._every(top[:1], "no top-level key first")
        codes, names = _key_codes(self.words, self.data, key_start, key_end)
        quoted = self._quoted(value_start, value_end)
        return self._assemble(dash, top, codes, names, value_start, value_end, quoted)

    def _key_ends(self, key_start: IntArray) -> IntArray:
        """Where each line's key ends: its one colon (a second one would be YAML syntax)."""
        if self.one_colon:
            key_end = _colons_after(self.words, self.data, key_start)
            if key_end is not None:
                self._every(key_end > key_start, "an empty key")
                return key_end
        colons = _positions(self.buf, _COLON)
        # Colons from the key's start to the line's end, counted by two searches (all
        # lines at once): exactly one, and it is the first one from the key's start.
        before_start = np.searchsorted(colons, key_start)
        self._every(
            np.searchsorted(colons, self.end) - before_start == 1,
            "not one `key: value` (no colon, or a colon in the value)",
        )
        key_end = colons[before_start]
        self._every(key_end > key_start, "an empty key")
        return key_end

    def _values(self, key_end: IntArray) -> tuple[IntArray, IntArray]:
        buf = self.buf
        after = buf[key_end + 1]
        self._every((after == _SPACE) | (after == _NEWLINE), "no space after a colon")
        value_start = _skip_spaces(self.words, key_end + 1)
        value_end = self.end.copy()
        present = value_start < value_end
        self._every(~(present & (buf[value_end - 1] == _SPACE)), "spaces after a value")
        # Lines without a value read byte 0, only to stay one vector op; `present` drops it.
        head = buf[np.where(present, value_start, 0)]
        nxt = buf[np.where(present, value_start + 1, 0)]
        lone_dash = (head == _DASH) & ((nxt == _SPACE) | (nxt == _NEWLINE))
        self._every(
            ~(present & ((_FIRST[head] & (head != _DASH)) | lone_dash)),
            "a value that starts with a YAML indicator",
        )
        return value_start, np.where(present, value_end, value_start)

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
            at = _positions(buf, mark)
            # Marks within the value, counted by two searches: two means only its own.
            inside = np.searchsorted(at, value_end[mine]) - np.searchsorted(at, value_start[mine])
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
    ) -> FlatDocument:
        empty = value_start == value_end
        # Each top-level key opens a section; items belong to the last one opened.
        section = np.cumsum(top, dtype=np.int32) - 1
        top_rows = np.flatnonzero(top)
        item_rows = np.flatnonzero(dash)
        in_item = ~top & ~dash
        # A list needs an empty top-level value above it; a key line continues an item.
        previous_top = np.r_[False, top[:-1]]
        self._every(~(in_item & previous_top), "a nested mapping")
        self._every(
            empty[top_rows[section[item_rows]]], "a list under a key with a value", item_rows
        )
        # Items of one list share their dash's indent; their keys sit two columns in.
        # A running count of dashes: a key line belongs to the last item opened above it.
        item = np.cumsum(dash, dtype=np.int32) - 1
        item_indent = self.indent[item_rows]
        same_list = section[item_rows[1:]] == section[item_rows[:-1]]
        self._every(
            ~same_list | (item_indent[1:] == item_indent[:-1]),
            "list items at different indentations",
            item_rows[1:],
        )
        self._every(
            self.indent[in_item] == item_indent[item[in_item]] + 2,
            "a key not two columns right of its item's dash",
            np.flatnonzero(in_item),
        )
        doc = FlatDocument(self.data)
        top_names = [names[c] for c in codes[top_rows].tolist()]
        _need(len(set(top_names)) == len(top_names), "a repeated top-level key")
        texts = _Texts(self.data, value_start, value_end, quoted)
        bounds = [*top_rows.tolist(), top.size]
        for s, (name, row) in enumerate(zip(top_names, top_rows.tolist(), strict=True)):
            if bounds[s + 1] > row + 1:  # lines below the key: its list's items
                rows = np.arange(row + 1, bounds[s + 1], dtype=np.int32)
                doc.lists[name] = self._list(rows, item, codes, names, texts)
            elif empty[row]:
                doc.nulls.add(name)
            else:
                doc.scalars[name] = (texts.one(row), bool(quoted[row]))
        return doc

    def _list(
        self, rows: IntArray, item: IntArray, codes: IntArray, names: list[str], texts: _Texts
    ) -> FlatList:
        """The items on `rows` (one list's lines, in order) as columns."""
        owner = item[rows] - item[rows[0]]  # items numbered from 0 within this list
        row_codes = codes[rows]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        flat = FlatList(int(owner[-1]) + 1, self.line[rows[starts]] + 1)
        # The lines of each key, in order: one stable (radix) sort of the small codes.
        order = np.argsort(row_codes.astype(np.int16), kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(row_codes, minlength=len(names)))].tolist()
        for code in np.flatnonzero(np.diff(bounds)).tolist():
            mine = order[bounds[code] : bounds[code + 1]]
            items = owner[mine]
            self._every(np.diff(items) > 0, "a key repeated in one item", rows[mine][1:])
            where = rows[mine]
            flat.columns[names[code]] = Column(
                flat.count,
                items,
                mine,
                texts.start[where],
                texts.end[where],
                texts.quoted[where],
                texts.buf,
            )
        return flat


class _Texts:
    """Value texts by row, without quotes; decoded in bulk."""

    def __init__(self, data: bytes, start: IntArray, end: IntArray, quoted: np.ndarray) -> None:
        self.data = data
        self.buf = np.frombuffer(data, dtype=np.uint8)
        self.start = np.where(quoted, start + 1, start)
        self.end = np.where(quoted, end - 1, end)
        self.quoted = quoted

    def one(self, row: int) -> str:
        return self.data[int(self.start[row]) : int(self.end[row])].decode("utf-8")


def _positions(buf: np.ndarray, byte: int) -> IntArray:
    """Where `byte` is in `buf`, as int32 (read_flat refuses files of 2 GB and more): the
    line table's dozen columns of millions of positions then take half the memory. Found
    a slice at a time: the slice's mask stays in cache (and no mask of the whole file)."""
    found = [
        np.flatnonzero(buf[a : a + _SCAN] == byte).astype(np.int32) + np.int32(a)
        for a in range(0, buf.size, _SCAN)
    ]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)


def _some_start(line_words: np.ndarray, prefix: bytes) -> bool:
    """Some line (given by its first 8 bytes) starts with `prefix` (at most 8 bytes)."""
    wanted = _U(int.from_bytes(prefix, "little"))
    return bool(np.any((line_words & _KEEP[len(prefix)]) == wanted))


def _skip_spaces(words: Words, at: IntArray, at_words: np.ndarray | None = None) -> IntArray:
    """The first position at or after each of `at` that is not a space (lines end in \\n):
    8 bytes read at once, the spaces counted from their low end."""
    word = words.at(at) if at_words is None else at_words
    spaces = _leading(word ^ _U(0x2020202020202020))
    pos = (at + spaces).astype(at.dtype)
    live = np.flatnonzero(spaces == _WORD)  # 8 spaces or more: on, a byte at a time
    while live.size:
        live = live[words.buf[pos[live]] == _SPACE]
        pos[live] += 1
    return pos


def _leading(word: np.ndarray) -> IntArray:
    """How many of each word's bytes, from its low end, are zero (8 when all are)."""
    # Bit 7 of each byte set where the byte is not zero (no carry crosses bytes).
    nonzero = (((word & _U(0x7F7F7F7F7F7F7F7F)) + _U(0x7F7F7F7F7F7F7F7F)) | word) & _HIGH_BITS
    return _lowest_flag(nonzero)


def _one_colon_each(skeleton: bytes, lines: IntArray) -> bool:
    """Each of the (content) `lines` kept exactly one byte, a colon, in `skeleton`."""
    kept = np.frombuffer(skeleton, dtype=np.uint8)
    ends = _positions(kept, _NEWLINE)
    before = np.empty_like(ends)
    before[0] = -1
    before[1:] = ends[:-1]
    line_ends = ends[lines]
    return bool(np.all((line_ends - before[lines] == 2) & (kept[line_ends - 1] == _COLON)))


def _colons_after(words: Words, data: bytes, start: IntArray) -> IntArray | None:
    """The first colon at or after each of `start`, where every line has one (None if a
    key is so long that searching is better left to the general way)."""
    found = _first_colon(words.at(start))
    far = np.flatnonzero(found == _WORD)
    found[far] = _WORD + _first_colon(words.at(start[far] + _WORD))
    far = far[found[far] == 2 * _WORD]
    if far.size > 1000:
        return None
    for row in far.tolist():  # keys of 16 characters or more (a few extra keys)
        found[row] = data.index(b":", int(start[row])) - int(start[row])
    return (start + found).astype(start.dtype)


def _first_colon(word: np.ndarray) -> IntArray:
    """Per word, the index of its first ':' byte (8: none)."""
    x = word ^ _U(0x3A3A3A3A3A3A3A3A)  # a colon becomes a zero byte
    # The classic zero-byte test: exact for the lowest zero byte (a borrow can only
    # flag bytes above it).
    zero = (x - _U(0x0101010101010101)) & ~x & _HIGH_BITS
    return _lowest_flag(zero)


def _lowest_flag(flags: np.ndarray) -> IntArray:
    """Per word whose bytes are flagged in bit 7 (0x80), the index of the lowest flagged
    byte (8 when none is): the lowest flag alone, 2**(8i + 7), times a constant whose
    byte 7 - i is i, leaves i in the top byte."""
    lowest = (flags & (~flags + _U(1))) >> _U(7)
    index = ((lowest * _U(0x0001020304050607)) >> _U(56)).astype(np.int64)
    return np.asarray(np.where(flags == 0, _WORD, index))


def _key_codes(
    words: Words, data: bytes, start: IntArray, end: IntArray
) -> tuple[IntArray, list[str]]:
    """A small integer per line naming its key, and the names; exact, not hashed.

    Lines are grouped by (length, first byte, last byte), which separates the few
    keys of a generated file; every line is then compared byte for byte with one line
    of its group (all lines at once, 8 bytes per gather), and any line that differs
    from it is sorted out in Python.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    length = (end - start).astype(np.int64)
    _need(np.all(length <= 64), "a key longer than 64 characters")
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
    codes = np.asarray(named, dtype=np.int64)[group]
    for row in np.flatnonzero(~same).tolist():
        key = data[int(start[row]) : int(end[row])].decode("ascii", "replace")
        codes[row] = _code(key, index, names)
    return codes, names


def _code(key: str, index: dict[str, int], names: list[str]) -> int:
    _need(_KEY.fullmatch(key), f"a key other than letters, digits, _ and -: {key!r}")
    code = index.get(key)
    if code is None:
        code = index[key] = len(names)
        names.append(key)
    return code
