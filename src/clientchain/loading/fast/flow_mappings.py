"""List items written as flow mappings (`- {id: r1, reports_to: r0}`), written out as
the block lines they mean for the flat reader.

PyYAML writes every mapping of scalars so when dumping with `default_flow_style=None`
(its default before 5.1), breaking an item past 80 columns between its entries or inside
a plain value; scripts write a role a line so, and hand-written flows often are. The
precise reader took 5.6 s over 100,000 roles so written, against 1.1 s for the same roles
in block style. The flat reader reads one key a line: `block_style` gives it the same
document with each such item written as its block lines (`- id: r1`, then `reports_to:
r0` in the column of its first key), and the file's line for each line it writes, so an
item and each of its keys keep theirs. A value is written as it stands: a plain one
(folded over lines: joined by a space, as YAML folds it), one in single quotes (folded
so too), one in double quotes (broken as PyYAML breaks one, a backslash ending each
line, for the escapes' reader), or a list of ids on one line. Anything else in an item
(a nested brace, `?` or `#` outside quotes, an empty entry or key, a space before a
colon, a line of it blank or not right of its dash, a line after it right of its dash)
is refused (FlowError): the precise reader reads it.

Items with no list, comment, brace or `?` in them, and quotes only about whole values,
usually all of them, are written a run of consecutive lines at a time (a fold of their
breaks, bytes.replace of `, `, the braces dropped); the others entry by entry.
"""

from __future__ import annotations

import re

import numpy as np

from clientchain.loading.fast.byte_columns import byte_positions, folded_breaks, walk_over
from clientchain.model.holder import holder
from clientchain.model.org import IntArray

_SPACE, _NEWLINE, _DASH, _OPEN, _CLOSE, _COMMA, _COLON = b" \n-{},:"
# In an item, these send it to the entry-by-entry reading (lists of ids, a comment, a
# nested brace, '?': refused there unless in quotes), quotes unless paired (see
# _quotes_paired).
_ONE_BY_ONE = np.zeros(256, dtype=bool)
_ONE_BY_ONE[list(b"'\"[]#{?")] = True
# What no line of an item may start with past its first (an indicator: a plain value goes
# on over lines only as text).
_NOT_GOING_ON = np.zeros(256, dtype=bool)
_NOT_GOING_ON[list(b"?:,[]{#'\"")] = True  # (a closing brace may; `-`, `&` and the like
# go on a plain value, as PyYAML breaks "a - b"; a key's start is checked as such)
_NOT_GOING_ON[_NEWLINE] = True  # (nor a blank line: a line break in the value)
_NOT_ONE_BY_ONE = bytes(np.flatnonzero(~_ONE_BY_ONE).tolist())
_QUOTES = frozenset(b"'\"")
_NOT_QUOTES = bytes(b for b in range(256) if b not in _QUOTES)
_ENDS_VALUE = np.zeros(256, dtype=bool)  # (right after a key's colon: an empty value,
_ENDS_VALUE[list(b",}")] = True  # where PyYAML's two readers part ways: `{a:, b: 1}`)
_REPLACED_WIDTHS = 2  # indentations after a break folded by bytes.replace, one pass each
_SPACE_OR_BREAK = np.zeros(256, dtype=bool)
_SPACE_OR_BREAK[list(b" \n")] = True
_SAYS_NOTHING = np.zeros(256, dtype=bool)  # a line's first byte past its spaces
_SAYS_NOTHING[list(b"\n#")] = True
_KEY_START = np.zeros(256, dtype=bool)  # (a plain key's first byte: see flat_yaml._KEY)
_KEY_START[list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")] = True
_NOT_BEFORE_COMMA = np.zeros(256, dtype=bool)  # (an empty entry, or an empty value)
_NOT_BEFORE_COMMA[list(b"{,:")] = True

# Entry by entry (an item with quotes, a list of ids or a comment after it).
_SPACES = re.compile(rb"[ \n]*")
_KEY = re.compile(
    rb"""([A-Za-z_][A-Za-z0-9_-]*)|"([A-Za-z_][A-Za-z0-9_-]*)"|'([A-Za-z_][A-Za-z0-9_-]*)'"""
)
_INDICATOR = re.compile(rb":(?=[ \n])")
# (over lines as PyYAML breaks one: a backslash ending each, the escapes' reader joins them)
_DOUBLE = re.compile(rb'"(?:[^"\\\n]|\\[^\n]|\\\n)*"')
_SINGLE = re.compile(rb"'(?:[^'\n]|''|\n(?= *[^ \n]))*'")  # (folded over lines, as plain)
_LIST = re.compile(rb"\[[^\[\]{}#?\n]*\]")
# A plain value: no flow indicator, `#`, `?` or colon in it; over lines, each going on
# with text.
_PLAIN = re.compile(
    rb"""[^ \n,\[\]{}#?:'"][^\n,\[\]{}#?:]*(?:\n *[^ \n,\[\]{}#?:][^\n,\[\]{}#?:]*)*"""
)
_FOLD = re.compile(rb" *\n *")
_END = re.compile(rb"(?: +#[^\n]*)? *\n")


class FlowError(Exception):
    """An item written as a flow mapping that is not read here: why, and its line."""

    def __init__(self, why: str, line: int) -> None:
        super().__init__(why)
        self.why, self.line = why, line


@holder(frozen=False)
class Restyled:
    """The document with its flow-mapping items in block style."""

    data: bytes
    lines: IntArray  # per line of `data` (0-based): the file's line it stands for (1-based)


def block_style(data: bytes) -> Restyled | None:
    """`data` (LF line breaks, ending in one) with each list item written as a flow
    mapping written as its block lines; None when no item is written so."""
    if b"{" not in data:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    breaks = byte_positions(buf, _NEWLINE)
    opens, dashes, line_starts = _item_opens(buf, breaks)
    if not opens.size:
        return None
    # (int32: a million roles' commas and colons in half the memory)
    marks = _Marks(
        byte_positions(buf, _COMMA, np.int32), byte_positions(buf, _COLON, np.int32), breaks
    )
    items = _Items(data, buf, breaks, (opens, dashes, line_starts), marks)
    pieces: list[bytes] = []
    lines: list[IntArray] = []  # per piece, the file's line (1-based) of each line of it
    done = done_lines = 0  # bytes and lines of data written so far
    for first, last in items.runs():
        start, first_line = int(items.line_start[first]), int(items.line[first])
        pieces.append(data[done:start])
        lines.append(np.arange(done_lines, first_line) + 1)
        if items.fast[first]:
            end = int(items.line_end[last]) + 1
            column, dash = int(items.key_column[first]), int(items.dash_column[first])
            braces = np.r_[items.open[first : last + 1], items.close[first : last + 1]] - start
            run = memoryview(data)[start:end]
            text, numbers = _run(
                run, braces, _within_run(marks, start, end), first_line, column, dash
            )
        else:
            text, numbers, end = _one_by_one(data, items, first)
        pieces.append(text)
        lines.append(numbers)
        done, done_lines = end, int(np.searchsorted(breaks, end - 1)) + 1
    pieces.append(data[done:])
    lines.append(np.arange(done_lines, breaks.size) + 1)
    restyled = b"".join(pieces)
    del pieces
    line_of = np.concatenate(lines).astype(np.int32)  # (a million roles' five million)
    if line_of.size != restyled.count(b"\n"):  # (never: each written line has its line)
        raise FlowError("items written as flow mappings", int(items.line[0]) + 1)
    return Restyled(restyled, line_of)


def _item_opens(buf: np.ndarray, breaks: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The braces that open a list item (a line's first byte past its spaces is a dash,
    then spaces, then the brace), their dashes, and where their lines start."""
    opens = byte_positions(buf, _OPEN)
    dash = walk_over(buf, opens - 1, -1)
    spaced = dash < opens - 1
    dash = np.maximum(dash, 0)
    before = walk_over(buf, dash - 1, -1)
    line_start = _line_start(breaks, opens)
    item = spaced & (buf[dash] == _DASH) & (before == line_start - 1)
    return opens[item], dash[item], line_start[item]


class _Items:
    """Every item written as a flow mapping: where it is, and whether it is read a run of
    lines at a time (`fast`: no list, comment, brace or `?` in it, its quotes only about
    whole values) or entry by entry."""

    def __init__(
        self,
        data: bytes,
        buf: np.ndarray,
        breaks: IntArray,
        where: tuple[IntArray, IntArray, IntArray],  # _item_opens'
        marks: _Marks,
    ) -> None:
        opens, dashes, self.line_start = where
        self.buf, self.breaks, self.open = buf, breaks, opens
        self.line = np.searchsorted(breaks, opens)  # 0-based
        self.dash_column = dashes - self.line_start
        self.key_column = opens - self.line_start  # the brace's column, where its keys go
        closes = byte_positions(buf, _CLOSE)
        if not closes.size:
            raise FlowError("an item of no closing brace", int(self.line[0]) + 1)
        at = np.searchsorted(closes, opens)
        following = np.r_[opens[1:], buf.size]
        found = at < closes.size
        close = np.where(found, closes[np.minimum(at, closes.size - 1)], buf.size)
        unclosed = ~found | (close > following)
        if unclosed.any():
            raise FlowError("an item of no closing brace", int(self.line[np.argmax(unclosed)]) + 1)
        # (For an item read entry by entry, a brace in quotes may stand for its close here:
        # that reading finds its own.)
        self.close = close
        self.line_end = breaks[np.searchsorted(breaks, close)]  # (the close's line break)
        fast = buf[walk_over(buf, close + 1, 1)] == _NEWLINE  # (a comment after: entry by entry)
        for special in set(data.translate(None, _NOT_ONE_BY_ONE)):
            if special not in _QUOTES:  # (a list, a comment, a brace: entry by entry)
                fast &= ~_within(byte_positions(buf, special), opens, close)
        if _QUOTES.intersection(data.translate(None, _NOT_QUOTES)):
            fast &= _quotes_paired(buf, opens, close, marks)
        self.fast = fast
        # What comes after an item stands no further right than its dash: a line further
        # right would go on the item once written in block style (YAML refuses it). (An
        # item read entry by entry is checked there, from its own close.)
        indent = _next_content_indent(buf, breaks, self.line_end + 1)
        beyond = fast & (indent > self.dash_column)
        if beyond.any():
            raise FlowError("a line after an item written as a flow mapping", self._line(beyond))

    def _line(self, which: np.ndarray) -> int:
        return int(self.line[np.argmax(which)]) + 1

    def runs(self) -> list[tuple[int, int]]:
        """The items as runs: fast items on consecutive lines with their keys in one
        column, and each other item alone (first and last item of each)."""
        n = self.open.size
        close_line = np.searchsorted(self.breaks, self.close)
        joins = np.zeros(n, dtype=bool)
        joins[1:] = (
            self.fast[1:]
            & self.fast[:-1]
            & (self.line[1:] == close_line[:-1] + 1)
            & (self.key_column[1:] == self.key_column[:-1])
        )
        starts = np.flatnonzero(~joins)
        ends = np.r_[starts[1:] - 1, n - 1]
        return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _run(
    run: memoryview,
    braces: IntArray,
    marks: _Marks,
    first_line: int,
    key_column: int,
    dash_column: int,
) -> tuple[bytes, IntArray]:
    """Fast items on consecutive lines from `first_line` (0-based), written as block
    lines, and the file's line (1-based) of each of those; `braces`: where in the run
    each item opens, then where each closes; `marks`: the run's."""
    count = braces.size // 2
    buf = np.frombuffer(run, dtype=np.uint8)
    breaks, commas, colons = (np.asarray(spots, dtype=np.int64) for spots in marks.parts())
    del marks
    key_at = walk_over(buf, commas + 1, 1, b" \n")  # each comma's next key
    key_line = np.searchsorted(breaks, key_at)  # (of the run's lines)
    before = walk_over(buf, commas - 1, -1)
    # An entry a comma: as many key indicators (a colon, then a space or a break) as
    # entries in each item (`{b}` has none: an id to a block list below a key).
    opens = braces[:count]
    indicators = colons[_SPACE_OR_BREAK[buf[colons + 1]]]
    entries = np.bincount(np.searchsorted(opens, commas, side="right") - 1, minlength=count) + 1
    keyed = np.bincount(np.searchsorted(opens, indicators, side="right") - 1, minlength=count)
    refused = (
        bool(np.any(entries != keyed))
        or not bool(np.all(_KEY_START[buf[key_at]]))
        or not bool(np.all(_KEY_START[buf[walk_over(buf, opens + 1, 1, b" \n")]]))
        or bool(np.any(_NOT_BEFORE_COMMA[buf[before]]))
        or bool(np.any(buf[colons - 1] == _SPACE))
        or bool(np.any(_ENDS_VALUE[buf[colons + 1]]))
    )
    if refused:
        raise FlowError("an entry of an item written as a flow mapping", first_line + 1)
    # One space between a comma and its key once folded: ", " is replaced as it stands.
    simple = bool(np.all(before == commas - 1)) and bool(
        np.all((key_at == commas + 2) | (key_line != np.searchsorted(breaks, commas)))
    )
    del before, colons, indicators, entries, keyed
    kept = np.ones(breaks.size, dtype=np.int64)  # per line of the run: not going on an item
    folds = None
    if breaks.size > count:  # an item goes on over lines: each break there folds
        last = walk_over(buf, breaks - 1, -1)
        inner = buf[np.maximum(last, 0)] != _CLOSE  # (an item's last break follows it)
        within, last = breaks[inner], last[inner]
        after = walk_over(buf, within + 1, 1)
        bad = (after - within - 1 <= dash_column) | _NOT_GOING_ON[buf[after]]
        if bad.any():
            line = first_line + int(np.flatnonzero(inner)[np.argmax(bad)]) + 2
            raise FlowError("a line of an item written as a flow mapping", line)
        kept[1:] = ~inner[:-1]
        folds = (last, within, after)
    # The lines written: a line of the run's own each, then one a key after a comma, on
    # the line of the key.
    each = np.bincount(key_line, minlength=breaks.size) + kept
    numbers = np.repeat(np.arange(breaks.size) + first_line + 1, each)
    closes = braces[count:]
    spaced = np.any(buf[opens + 1] <= _SPACE) or np.any(buf[closes - 1] <= _SPACE)  # (or a break)
    del commas, key_at, key_line, each, kept, breaks  # (before the text's copies)
    text = bytes(run) if folds is None else _folded(run, buf, *folds)
    del buf
    lines = b"\n" + b" " * key_column
    text = text.replace(b", ", lines) if simple else re.sub(rb" *, *", lines, text)
    if spaced:
        return re.sub(rb"\{ *| *\}", b"", text), numbers
    return text.translate(None, b"{}"), numbers


def _folded(
    run: memoryview, buf: np.ndarray, last: IntArray, within: IntArray, after: IntArray
) -> bytes:
    """The run (`buf`, its bytes) with each break `within` and the spaces about it (after
    `last`, before `after`) one space (byte_columns.folded_breaks, or quicker where
    PyYAML wrote the breaks)."""
    trailing, leading = within - last - 1, after - within - 1
    widths = np.unique(leading)
    if not trailing.any() and widths.size <= _REPLACED_WIDTHS:
        # As PyYAML breaks: no space before a break, one or two indentations after it.
        # Every other break in the run is followed by an item's dash, left of them all.
        text = bytes(run)
        for width in widths[::-1].tolist():  # (widest first: a narrower one is its start)
            text = text.replace(b"\n" + b" " * width, b" ")
        return text
    return folded_breaks(buf, last, within, after)


def _within_run(marks: _Marks, start: int, end: int) -> _Marks:
    """The marks in data[start:end], counted from `start`."""
    parts = []
    for spots in (marks.commas, marks.colons, marks.breaks):
        lo, hi = np.searchsorted(spots, [start, end])
        parts.append(spots[lo:hi] - start)
    return _Marks(*parts)


def _one_by_one(data: bytes, items: _Items, k: int) -> tuple[bytes, IntArray, int]:
    """Item k read entry by entry: its block lines, the line (1-based) of each key after
    its first, and where its line ends (past its break)."""
    line = int(items.line[k]) + 1
    at = int(items.open[k]) + 1
    start = int(items.line_start[k])
    entries: list[bytes] = []
    places: list[int] = []  # where each line written starts: a key, or a line it goes on
    while True:
        at = _SPACES.match(data, at).end()  # type: ignore[union-attr]
        key = _KEY.match(data, at)
        if key is None:
            raise FlowError("a key of an item written as a flow mapping", line)
        places.append(at)
        colon = _INDICATOR.match(data, key.end())
        if colon is None:
            raise FlowError("an entry of an item written as a flow mapping", line)
        at = _SPACES.match(data, colon.end()).end()  # type: ignore[union-attr]
        value = _value(data, at)
        if value is None:
            raise FlowError("a value of an item written as a flow mapping", line)
        written = data[value.start() : value.end()]
        if data[at : at + 1] not in (b"'", b'"', b"["):
            written = written.rstrip(b" ")
        if data[at : at + 1] == b'"':  # its lines as they are, each on the file's line
            places += [value.start() + m.end() for m in re.finditer(rb"\n", written)]
        elif b"\n" in written:
            written = _FOLD.sub(b" ", written)
        entries.append((key.group(1) or key.group(2) or key.group(3)) + b": " + written)
        at = _SPACES.match(data, value.end()).end()  # type: ignore[union-attr]
        if data[at : at + 1] == b",":
            at += 1
            continue
        if data[at : at + 1] != b"}":
            raise FlowError("an entry of an item written as a flow mapping", line)
        end = _END.match(data, at + 1)
        if end is None or (k + 1 < items.open.size and end.end() > int(items.open[k + 1])):
            raise FlowError("what follows an item written as a flow mapping", line)
        after = np.array([end.end()], dtype=np.int64)
        if _next_content_indent(items.buf, items.breaks, after)[0] > items.dash_column[k]:
            raise FlowError("a line after an item written as a flow mapping", line)
        break
    dash_column = int(items.dash_column[k])
    items.close[k] = at  # (a brace in quotes may have stood for its close)
    for going_on in re.finditer(rb"\n( *)([^ ])", data[int(items.open[k]) : at]):
        if len(going_on.group(1)) <= dash_column or going_on.group(2) == b"\n":
            raise FlowError("a line of an item written as a flow mapping", line)
    head = data[start : int(items.open[k])]
    text = head + (b"\n" + b" " * int(items.key_column[k])).join(entries) + b"\n"
    written_at = np.array(places, dtype=np.int64)
    written_at[0] = items.open[k]  # (the item's first line is its dash's)
    return text, np.searchsorted(items.breaks, written_at) + 1, end.end()


def _value(data: bytes, at: int) -> re.Match[bytes] | None:
    first = data[at : at + 1]
    pattern = {b'"': _DOUBLE, b"'": _SINGLE, b"[": _LIST}.get(first, _PLAIN)
    return pattern.match(data, at)


@holder(frozen=False)
class _Marks:
    """Where the file's commas, colons and line breaks are (sorted)."""

    commas: IntArray
    colons: IntArray
    breaks: IntArray

    def parts(self) -> tuple[IntArray, IntArray, IntArray]:
        return self.breaks, self.commas, self.colons


def _quotes_paired(buf: np.ndarray, opens: IntArray, closes: IntArray, marks: _Marks) -> np.ndarray:
    """Per item: each quote in it opens a value (after its key's colon) or closes one
    (before a comma or the closing brace), by turns, in pairs of one kind, with no comma,
    colon or line break between: a value in quotes the fast reading leaves as it stands.
    (A quote inside a plain value, a doubled or escaped one, a comma or colon in quotes: the
    item is read entry by entry.)"""
    quotes = np.sort(np.concatenate([byte_positions(buf, byte) for byte in _QUOTES]))
    item = np.searchsorted(opens, quotes, side="right") - 1
    inside = item >= 0
    inside[inside] = quotes[inside] < closes[item[inside]]
    quotes, item = quotes[inside], item[inside]
    opener = buf[walk_over(buf, quotes - 1, -1)] == _COLON
    closer = _ENDS_VALUE[buf[walk_over(buf, quotes + 1, 1)]]
    counts = np.bincount(item, minlength=opens.size)
    rank = np.arange(quotes.size) - (np.cumsum(counts) - counts)[item]
    sound = np.where(rank % 2 == 0, opener & ~closer, closer & ~opener)
    paired = counts[item] % 2 == 0  # (an item with an odd count is refused below)
    first, second = paired & (rank % 2 == 0), paired & (rank % 2 == 1)
    pair_open, pair_close = quotes[first], quotes[second]
    between = buf[pair_open] != buf[pair_close]
    for spots in (marks.commas, marks.colons, marks.breaks):
        between |= np.searchsorted(spots, pair_open) != np.searchsorted(spots, pair_close)
    sound[second] &= ~between
    bad = counts % 2 == 1
    bad[item[~sound]] = True
    paired_well: np.ndarray = ~bad
    return paired_well


def _next_content_indent(buf: np.ndarray, breaks: IntArray, starts: IntArray) -> IntArray:
    """From each of `starts` (a line's start, or the end), the indentation of the first
    line that is not blank or a comment (-1: none)."""
    start = np.array(starts, dtype=np.int64)
    first = walk_over(buf, start, 1)
    live = np.flatnonzero(first < buf.size)
    live = live[_SAYS_NOTHING[buf[first[live]]]]
    while live.size:
        start[live] = breaks[np.searchsorted(breaks, first[live])] + 1
        first[live] = walk_over(buf, start[live], 1)
        live = live[first[live] < buf.size]
        live = live[_SAYS_NOTHING[buf[first[live]]]]
    return np.where(first < buf.size, first - start, -1)


def _line_start(breaks: IntArray, at: IntArray) -> IntArray:
    """Where the line of each of `at` starts."""
    line = np.searchsorted(breaks, at)
    return np.where(line > 0, breaks[np.maximum(line - 1, 0)] + 1, 0)


def _within(spots: IntArray, opens: IntArray, closes: IntArray) -> np.ndarray:
    """Per item [open, close]: whether one of `spots` lies strictly inside."""
    item = np.searchsorted(opens, spots, side="right") - 1
    ok = item >= 0
    ok[ok] = (spots[ok] < closes[item[ok]]) & (spots[ok] > opens[item[ok]])
    hit = np.zeros(opens.size, dtype=bool)
    hit[item[ok]] = True
    return hit
