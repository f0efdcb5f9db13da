"""An org chart written as JSON (`{"roles": [{"id": "r1", ...}, ...]}`), for the fast path.

JSON is YAML, and what exports an org chart from another tool, or a script's `json.dump`,
writes it so: one flow mapping, which the precise reader composes node by node (100,000
roles: 5.8 s against 0.8 for the same roles in block style; a million, about a minute).
Here the document's tokens are found a slice of its bytes at a time: its marks
(`{}[],:`), its double-quoted strings and its plain words (numbers, `true`, `false`,
`null`), and their order is checked against the one shape an org chart has: a mapping of
scalars and of lists of mappings, whose values are scalars or lists of scalars (a role's
`dotted_to`, `serves`). YAML reads such a document as JSON does: a string is its text,
a word is its text (the rules after the reader decide what is a number, as for any flat
YAML). Characters' codes are written out first as yaml_escapes writes PyYAML's
(`\\u00fc` is what `json.dump` writes for every character beyond ASCII); where there are
others (`\\"`, `\\\\`, `\\/`, `\\t`), each string holding one is written out on its own,
after the document (_read). An escape YAML reads otherwise or the fast path does
not write out (`\\n`, a control character's code, half a surrogate pair alone, a backslash ending
a line) is the precise reader's, as are a trailing comma, a comment, a tab, a key and its
colon on two lines or beyond YAML's reach, a key repeated, deeper nesting and anything
else (NotFlatError). Each entry is on the line of its `{`, as the precise reader
places it; a slip in one is worded by the precise reader (a key's place is not a line's).
A flows file written as a JSON list is read here as the one list of a mapping (see
yaml_flows.flows_file).
"""

from __future__ import annotations

import json
import re

import numpy as np

from clientchain.loading.fast.byte_columns import Words, byte_positions, walk_over
from clientchain.loading.fast.flat_yaml import (
    Column,
    FlatDocument,
    FlatList,
    ListValues,
    NotFlatError,
    key_codes,
    odd_unicode,
)
from clientchain.loading.fast.id_lists import Items
from clientchain.loading.fast.yaml_escapes import (
    EscapeError,
    ends_a_line_with_a_backslash,
    unescaped,
)
from clientchain.loading.surrogate_pairs import joined_escapes
from clientchain.model.org import IntArray

_OPENS = re.compile(rb"[ \n]*\{")
_SLICE = 1 << 19  # bytes classified at a time (their masks stay in cache)
_NEWLINE, _QUOTE, _BACKSLASH, _MINUS, _CLOSE = b'\n"\\-}'
# Tokens, by their first byte.
_LBRACE, _RBRACE, _LBRACK, _RBRACK, _COMMA, _COLON, _STRING, _WORD = range(8)
_MARKS = b"{}[],:"
_TOKEN = np.full(256, 255, dtype=np.uint8)
_TOKEN[list(_MARKS)] = np.arange(6)
_TOKEN[_QUOTE] = _STRING
_DIGITS = b"0123456789"
_NUMBER_BYTES = _DIGITS + b".+-eE"  # what a number is written with
_LETTERS = bytes(
    b for b in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if b not in b"eE"
)
_TOKEN[list(_NUMBER_BYTES + _LETTERS)] = _WORD
# Bytes, by what they may be (bits of one table, for bytes.translate): a quote, a mark,
# part of a word (a number's byte or another letter), anything else (only inside a
# string), never (a control character: nowhere), a line break (never inside a string); a
# blank is none of these.
_QUOTED, _MARK, _IN_WORD, _LETTER, _OTHER, _NEVER, _BREAK = (1 << k for k in range(7))
_CLASS = np.full(256, _OTHER, dtype=np.uint8)
_CLASS[ord(" ")] = 0
_CLASS[_NEWLINE] = _BREAK
_CLASS[list(_MARKS)] = _MARK
_CLASS[list(_NUMBER_BYTES)] = _IN_WORD
_CLASS[list(_LETTERS)] = _IN_WORD | _LETTER
_CLASS[_QUOTE] = _QUOTED
_CLASS[[*range(0, 10), *range(11, 32), 127]] = _NEVER  # (a tab, a CR alone among them)
_CLASSES = _CLASS.tobytes()
_BYTES = np.uint64(0x0101010101010101)  # a one in each byte of a word
_IS_DIGIT = np.zeros(256, dtype=bool)
_IS_DIGIT[list(_DIGITS)] = True
# The words YAML and JSON both read as themselves (any other is refused), as the little-
# endian word of their bytes, by length.
_LITERALS = {4: [int.from_bytes(b"true", "little"), int.from_bytes(b"null", "little")]}
_LITERALS[5] = [int.from_bytes(b"false", "little")]
# The escapes _read writes out string by string: `\" \\ \/ \t`, and a character's code but a
# control character's (C0, DEL, C1), half a surrogate pair's alone, a Unicode line break's or a
# non-character's (a line break inside a value is beyond the fast path's texts:
# gather_texts); any other backslash is refused.
_WRITTEN_OUT = (b'\\"', b"\\/", b"\\t", b"\\u")
_CODE_NOT_WRITTEN_OUT = re.compile(
    rb"\\u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F]|202[89]|[fF][eE][fF][fF]|[fF]{3}[eEfF])"
)
_NO_PLACES = np.zeros(0, dtype=np.int64)
_KEY_REACH = 1000  # bytes from a key's quote to its colon that YAML looks over (~1024)
_LONGEST_ESCAPE = 10  # \\UHHHHHHHH: one character
_DEPTH = 4  # the document, a list of entries, an entry, a list of ids


def _grammar() -> np.ndarray:
    """Which token may follow which, by how deep they stand (1: in the document's own
    mapping, 2: in one of its lists, 3: in an entry of one, 4: in a list of ids)."""
    allowed = np.zeros((_DEPTH + 1, 8, 8), dtype=bool)
    scalars = [_STRING, _WORD]

    def allow(depth: int, before: list[int], after: list[int]) -> None:
        for token in before:
            allowed[depth, token, after] = True

    for depth in (1, 3):  # mappings: key, colon, value; entries apart by commas
        allow(depth, [_LBRACE], [_STRING, _RBRACE])
        allow(depth, [_COMMA], [_STRING])
        allow(depth, [_COLON], [*scalars, _LBRACK])
        allow(depth, [_STRING], [_COLON, _COMMA, _RBRACE])  # a key, or a value
        allow(depth, [_WORD, _RBRACK], [_COMMA, _RBRACE])
    allow(2, [_LBRACK], [_LBRACE, _RBRACK])  # lists of mappings
    allow(2, [_RBRACE], [_COMMA, _RBRACK])
    allow(2, [_COMMA], [_LBRACE])
    allow(4, [_LBRACK], [*scalars, _RBRACK])  # lists of ids
    allow(4, scalars, [_COMMA, _RBRACK])
    allow(4, [_COMMA], scalars)
    return allowed.ravel()


_ALLOWED = _grammar()


def is_json_document(data: bytes) -> bool:
    """The document is one flow mapping (its first byte but blanks is `{`): JSON's."""
    return _OPENS.match(data) is not None


def escapes_written_out(data: bytes) -> bytes | None:
    """`data` (a JSON document: UTF-8, LF line breaks) with its escapes written out as
    read_json_document writes them, where it would (None elsewhere: no escape, not a
    JSON document, or escapes it reads as they stand or leaves to the precise reader).
    What it gives is read with `written_out=True`."""
    if b"\\" not in data or not is_json_document(data) or ends_a_line_with_a_backslash(data):
        return None
    try:
        _closed(data)
        return unescaped(data, _in_strings, unbroken=True)
    except (EscapeError, NotFlatError):
        return None


def read_json_document(data: bytes, written_out: bool = False) -> FlatDocument:
    """The document in `data` (UTF-8, LF line breaks, a flow mapping: see
    is_json_document) as the flat reader gives one; NotFlatError where it is not an org
    chart in JSON's tokens. `written_out`: `data` is what escapes_written_out gave."""
    if written_out:
        return _read(data, True)
    _closed(data)
    escaped = b"\\" in data
    if escaped:
        if ends_a_line_with_a_backslash(data):  # (JSON breaks no string so; YAML: text)
            raise NotFlatError("a backslash ending a line", _line(data, data.find(b"\\\n")))
        try:
            data = unescaped(data, _in_strings, unbroken=True)
        except EscapeError:  # (a quote, a backslash escaped: string by string)
            return _read(data, escaped, _escaped_quotes(data))
    return _read(data, escaped)


def _closed(data: bytes) -> None:
    """NotFlatError unless the document is closed by its last byte but blanks (json.dump
    writes no line break after it): so no escape runs past the end, and the document is
    not copied to end in one."""
    last = len(data) - 1
    while last > 0 and data[last] in b" \n":
        last -= 1
    if data[last] != _CLOSE:
        raise NotFlatError("a document that does not end with its mapping", _line(data, last))


def _escaped_quotes(data: bytes) -> IntArray:
    """Where a quote follows an odd run of backslashes (inside a string: escaped)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    quotes = byte_positions(buf, _QUOTE).astype(np.int64)
    before = quotes - 1  # (where a run of backslashes would end)
    slashes = before - walk_over(buf, before, step=-1, over=b"\\")
    escaped: IntArray = quotes[slashes % 2 == 1]
    return escaped


def _read(data: bytes, escaped: bool, quotes_escaped: IntArray | None = None) -> FlatDocument:
    """The document in `data`: its escapes written out, or (`quotes_escaped`: these quotes
    escaped in it) read as it stands, each string with escapes of its own (`\\"`, `\\\\`,
    `\\/`: a title in quotes, a Windows path) written out on its own, after the document
    (its range points there). Escapes JSON and YAML read alike only (see _WRITTEN_OUT);
    anything else, or an escape in a key, is the precise reader's."""
    odd = odd_unicode(data)
    if odd is not None:
        raise NotFlatError("a Unicode line break or non-printable character", _line(data, odd))
    document = _Reader(data, escaped, quotes_escaped).document()
    document.unescaped = escaped
    document.restyled = True  # (an entry's line is the file's; a key's place is not a line's)
    return document


def _written_out(listed: bytes) -> bytes:
    """Strings (`"..."`, commas between them) with their escapes written out, one a line;
    NotFlatError for an escape the fast path leaves to YAML's reader (see _read).
    Escaped backslashes go first, pair by pair from the left as JSON reads them; every
    backslash left must start one of the other escapes written out."""
    rest = listed.replace(b"\\\\", b"")
    escapes = sum(rest.count(escape) for escape in _WRITTEN_OUT)
    if rest.count(b"\\") != escapes or _CODE_NOT_WRITTEN_OUT.search(joined_escapes(rest)):
        raise NotFlatError("an escape beyond a quote, a backslash, a slash, a tab or a code")
    del rest
    try:
        texts: list[str] = json.loads(b"[" + listed + b"]")
        # (UnicodeEncodeError: half a pair that looked whole with `\\` taken out)
        return "\n".join(texts).encode("utf-8")
    except ValueError:
        raise NotFlatError("a malformed escape") from None


def _in_strings(data: bytes, places: IntArray) -> bool:
    """Whether every backslash in `data`, and each of `places`, is inside a string (no
    quote escaped: yaml_escapes refuses `\\"` before it asks). A slice at a time, as the
    tokens are found: positions of every backslash took 0.6 s and 300 MB at a million
    roles whose ids json.dump escaped."""
    buf = np.frombuffer(data, dtype=np.uint8)
    quotes = 0
    for a in range(0, buf.size, _SLICE):
        part = buf[a : a + _SLICE]
        inside = _inside((part == _QUOTE).view(np.uint8), quotes).view(bool)
        if np.any((part == _BACKSLASH) & ~inside):
            return False
        here = places[(places >= a) & (places < a + part.size)] - a
        if not np.all(inside[here]):
            return False
        quotes = int(inside[-1])
    return not quotes


def _need(condition: object) -> None:
    if not condition:  # pragma: no cover - the tokens are counted as they are found
        raise NotFlatError("tokens miscounted")


def _line(data: bytes, at: int) -> int:
    return data.count(b"\n", 0, at) + 1


class _Tokens:
    """Where each token starts (`at`) and what it is (`kind`); where each string ends (its
    closing quote) and each word (the byte after it)."""

    def __init__(self, data: bytes, quotes_escaped: IntArray) -> None:
        """`quotes_escaped`: where a quote is a string's text, not its end (ascending)."""
        starts, string_ends, word_ends, letters = [], [], [], []
        quotes = 0  # quotes before the slice, mod 2
        in_word = 0  # the byte before the slice is a word's (_IN_WORD) or not
        view = memoryview(data)
        for a in range(0, len(data), _SLICE):
            kind = np.frombuffer(view[a : a + _SLICE].tobytes().translate(_CLASSES), np.uint8)
            lo, hi = np.searchsorted(quotes_escaped, [a, a + _SLICE]).tolist()
            here = quotes_escaped[lo:hi] - a
            if here.size:  # (text, as a backslash is: inside a string only)
                kind = kind.copy()
                kind[here] = _OTHER
            inside = _inside(kind & _QUOTED, quotes) * np.uint8(255)  # (all ones inside)
            outer = kind & ~inside  # each byte's class outside strings, 0 inside
            inner = kind & inside
            bad = (outer & (_OTHER | _NEVER)) | (inner & (_BREAK | _NEVER))
            if bad.any():
                at = a + int(np.argmax(bad))
                breaks = data[at] == _NEWLINE
                why = "a line break inside a string" if breaks else "a character JSON has not"
                raise NotFlatError(why, _line(data, at))
            word = outer & _IN_WORD
            before = np.empty_like(word)  # the byte before each is a word's
            before[0] = in_word
            before[1:] = word[:-1]
            starts.append(_at((word & ~before) | (inner & _QUOTED) | (outer & _MARK), a))
            string_ends.append(_at(outer & _QUOTED, a))
            word_ends.append(_at(before & ~word, a))
            letters.append(_at(outer & _LETTER, a))
            quotes, in_word = int(inside[-1]) & 1, int(word[-1])
        if quotes:
            raise NotFlatError("a string with no closing quote")
        self.at = np.concatenate(starts)
        self.kind = _TOKEN[np.frombuffer(data, dtype=np.uint8)[self.at]]
        self.string_end = np.concatenate(string_ends)
        self.word_end = np.concatenate(word_ends)
        self.letters = np.concatenate(letters)


def _inside(quote: np.ndarray, before: int) -> np.ndarray:
    """Per byte (quote: 1 for a quote, else 0): 1 inside a string or at its opening quote
    (an odd count of quotes up to it, `before` of them before these), else 0. Counted a
    word of 8 bytes at a time: a prefix XOR within each word by three shifts, then each
    word's parity carried into the next (bytes.translate and this took a million roles'
    JSON 0.3 s, against 0.6 for a table look-up and a cumulative sum)."""
    size = quote.size
    padded = np.zeros(-(-size // 8) * 8, dtype=np.uint8)
    padded[:size] = quote
    words = padded.view(np.uint64)
    for shift in (8, 16, 32):
        words ^= words << np.uint64(shift)
    parity = np.bitwise_xor.accumulate((words >> np.uint64(56)).astype(np.uint8))
    carry = np.empty_like(parity)  # the parity of the quotes before each word
    carry[0] = before
    carry[1:] = parity[:-1] ^ np.uint8(before)
    words ^= carry.astype(np.uint64) * _BYTES
    return padded[:size]


def _at(mask: np.ndarray, offset: int) -> IntArray:
    """Where `mask` is not 0, from `offset`, as int32 (a document under 2 GB)."""
    found = np.flatnonzero(mask != 0)  # (a bool mask: numpy's fast way)
    found += offset
    return found.astype(np.int32)


class _Reader:
    def __init__(
        self, data: bytes, escaped: bool = False, quotes_escaped: IntArray | None = None
    ) -> None:
        """`escaped`: `data` had escapes, written out (a character's place in the file is
        then further on than in `data`); `quotes_escaped`: or has them still, and these
        quotes are escaped (see _read)."""
        if len(data) >= 2**31 - 64:
            raise NotFlatError("a file of 2 GB or more")
        self.data, self.escaped = data, escaped
        self.buf = np.frombuffer(data, dtype=np.uint8)
        tokens = _Tokens(data, _NO_PLACES if quotes_escaped is None else quotes_escaped)
        self.at, self.kind = tokens.at, tokens.kind
        self.depth = self._checked_depth()
        self._check_order()
        # Where each string's, word's and list of ids' text ends (its closing quote, the
        # byte after it, after its `]`): a token's text is then two gathers.
        self.end = np.zeros(self.at.size, dtype=np.int32)
        self.words = np.flatnonzero(self.kind == _WORD)
        _need(self.words.size == tokens.word_end.size)
        self.end[self.words] = tokens.word_end
        self._check_words(tokens.letters)
        strings = self.kind == _STRING
        _need(np.count_nonzero(strings) == tokens.string_end.size)
        self.end[strings] = tokens.string_end
        del strings
        opens = (self.kind == _LBRACK) & (self.depth == _DEPTH)
        self.end[opens] = self.at[(self.kind == _RBRACK) & (self.depth == _DEPTH - 1)] + 1
        # Strings whose escapes are written out after the document (see _read).
        self.moved = _NO_PLACES
        self.moved_start = self.moved_end = _NO_PLACES
        if quotes_escaped is not None:
            self._write_out_escapes()
        self.id_lists: tuple[IntArray, Items] | None = None  # (made when first asked for)

    def _fail(self, why: str, token: int) -> None:
        at = int(self.at[min(token, self.at.size - 1)]) if self.at.size else 0
        raise NotFlatError(why, _line(self.data, at))

    def _checked_depth(self) -> np.ndarray:
        """How deep each token leaves the document (the one mapping opened first, closed
        last; nothing deeper than a list of ids)."""
        kind = self.kind
        if kind.size < 2 or kind[0] != _LBRACE or kind[-1] != _RBRACE:
            self._fail("not one mapping", 0)
        opens = ((kind == _LBRACE) | (kind == _LBRACK)).view(np.int8)
        closes = ((kind == _RBRACE) | (kind == _RBRACK)).view(np.int8)
        # (int8 steps of one: a depth past _DEPTH is seen before any wraps around)
        depth = np.cumsum(opens - closes, dtype=np.int8)
        inner = depth[:-1]
        wrong = (inner < 1) | (inner > _DEPTH)
        if wrong.any():
            self._fail("nesting beyond an org chart's, or a second document", int(np.argmax(wrong)))
        if depth[-1] != 0:
            self._fail("a mapping or list not closed", kind.size - 1)
        return depth

    def _check_order(self) -> None:
        """Each token may follow the one before it, and a string is a key (followed by
        a colon) exactly where a mapping's key is due."""
        kind, depth = self.kind, self.depth
        pair = (depth[:-1].astype(np.uint16) * 8 + kind[:-1]) * 8 + kind[1:]
        fine = _ALLOWED[pair]
        del pair
        if not fine.all():
            self._fail("tokens in an order an org chart's JSON has not", int(np.argmin(fine)) + 1)
        strings = np.flatnonzero(kind == _STRING)
        before, after = kind[strings - 1], kind[strings + 1]
        in_mapping = (depth[strings] == 1) | (depth[strings] == 3)
        key = in_mapping & ((before == _LBRACE) | (before == _COMMA))
        wrong = key != (after == _COLON)
        if wrong.any():
            self._fail("a value where a key is due", int(strings[np.argmax(wrong)]))

    def _check_words(self, letters: IntArray) -> None:
        """Every word is a number (a digit first, or a minus and a digit; no letter but an
        exponent's) or `true`, `false` or `null`."""
        buf, start = self.buf, self.at[self.words]
        length = self.end[self.words] - start
        second = buf[np.minimum(start + 1, buf.size - 1)]
        number = _IS_DIGIT[buf[start]] | ((buf[start] == _MINUS) & (length > 1) & _IS_DIGIT[second])
        number[np.searchsorted(start, letters, side="right") - 1] = False
        other = np.flatnonzero(~number)
        if other.size:
            head = Words(buf).at(start[other])
            size = length[other]
            literal = np.zeros(other.size, dtype=bool)
            for width, spelled in _LITERALS.items():
                masked = head & np.uint64((1 << (8 * width)) - 1)
                literal |= (size == width) & np.isin(masked, np.array(spelled, dtype=np.uint64))
            if not literal.all():
                wrong = int(self.words[other[np.argmin(literal)]])
                self._fail("a word other than a number, true, false or null", wrong)
            # (an id list's null is the precise reader's, as in flat YAML: refused there)
            among_ids = self.depth[self.words[other]] == _DEPTH
            if among_ids.any():
                self._fail(
                    "true, false or null among ids", int(self.words[other[np.argmax(among_ids)]])
                )

    def _ranges(self, tokens: IntArray) -> tuple[IntArray, IntArray, np.ndarray]:
        """Each token's text: a string's between its quotes (or written out, after the
        document), a word's, a list's from its `[` to its `]` (whose items are read
        apart); and whether it is a string."""
        quoted = self.kind[tokens] == _STRING
        start = self.at[tokens] + quoted
        end = self.end[tokens]
        if self.moved.size:
            at = np.minimum(np.searchsorted(self.moved, tokens), self.moved.size - 1)
            moved = np.flatnonzero(self.moved[at] == tokens)
            start[moved], end[moved] = self.moved_start[at[moved]], self.moved_end[at[moved]]
        return start, end, quoted

    def _write_out_escapes(self) -> None:
        """Each string holding a backslash, written out after the document (between line
        breaks); its range is there from now on. An escape in a key is refused."""
        strings = np.flatnonzero(self.kind == _STRING)
        slashes = byte_positions(self.buf, _BACKSLASH, np.int32)
        owner = strings[np.searchsorted(self.at[strings], slashes) - 1]
        moved = np.unique(owner)
        keyed = self.kind[moved + 1] == _COLON
        if keyed.any():
            self._fail("an escape in a key", int(moved[np.argmax(keyed)]))
        # Every such string with its quotes, commas between: one JSON list read at once
        # (one decode per string took 2.3 s for 300,000 of them).
        data, ends = self.data, (self.end[moved] + 1).tolist()
        raw = b",".join([data[a:b] for a, b in zip(self.at[moved].tolist(), ends, strict=True)])
        texts = _written_out(raw)
        if len(self.data) + len(texts) >= 2**31 - 64:
            raise NotFlatError("a file of 2 GB or more, its escapes written out")
        # Each text between line breaks (none holds one: `\\n` is refused).
        breaks = byte_positions(np.frombuffer(texts, dtype=np.uint8), _NEWLINE)
        at = len(self.data) + 1
        self.moved = moved
        self.moved_start = np.r_[0, breaks + 1] + at
        self.moved_end = np.r_[breaks, len(texts)] + at
        self.data = b"".join([self.data, b"\n", texts, b"\n"])  # (gather_texts reads a
        self.buf = np.frombuffer(self.data, dtype=np.uint8)  # byte after each text)

    def document(self) -> FlatDocument:
        kind, depth = self.kind, self.depth
        keys = np.flatnonzero((kind[:-1] == _STRING) & (kind[1:] == _COLON))
        if not keys.size:
            self._fail("no keys at all", 0)
        start, end, _ = self._ranges(keys)
        if np.any(start == end):
            self._fail("an empty key", int(keys[np.argmax(start == end)]))
        newlines = byte_positions(self.buf, _NEWLINE, np.int32)
        self._check_colons(keys, start, end, newlines)
        codes, names = key_codes(Words(self.buf), self.data, start, end)
        del start, end
        doc = FlatDocument(self.data)
        top = depth[keys] == 1
        top_names = [names[c] for c in codes[top].tolist()]
        if len(set(top_names)) != len(top_names):
            self._fail("a repeated top-level key", int(keys[top][0]))
        entries = np.flatnonzero((kind == _LBRACE) & (depth == 3))
        inner = keys[~top]
        # Each inner key's entry: the last opened before it (searched for per entry, not
        # per key: a cumulative count over every token took 0.6 s at a million roles).
        keys_before = np.searchsorted(inner, entries)
        entry = np.repeat(
            np.arange(entries.size, dtype=np.int32), np.diff(keys_before, append=inner.size)
        )
        del keys_before
        lists = np.flatnonzero((kind == _LBRACK) & (depth == 2))
        bounds = np.r_[np.searchsorted(entries, lists), entries.size]  # each list's entries
        entry_lines = np.searchsorted(newlines, self.at[entries]) + 1
        del newlines
        inner_codes = codes[~top]
        values = keys[top] + 2
        listed = 0
        for name, value in zip(top_names, values.tolist(), strict=True):
            if kind[value] != _LBRACK:
                s, e, quoted = self._ranges(np.array([value]))
                doc.scalars[name] = (self.data[int(s[0]) : int(e[0])].decode(), bool(quoted[0]))
                continue
            lo, hi = int(bounds[listed]), int(bounds[listed + 1])
            listed += 1
            if lo == hi:
                self._fail("an empty list", value)
            mine = slice(*np.searchsorted(entry, [lo, hi]))
            doc.lists[name] = self._list(
                entry_lines[lo:hi], inner[mine], entry[mine] - lo, inner_codes[mine], names
            )
        return doc

    def _check_colons(
        self, keys: IntArray, start: IntArray, end: IntArray, newlines: IntArray
    ) -> None:
        """Each key and its colon on one line, within YAML's reach (a key of its flow
        mapping is a simple key: one line, ~1,024 characters)."""
        colon = self.at[keys + 1]
        apart = np.flatnonzero(colon - end > 1)  # (JSON's writers: the colon right after)
        if not apart.size:
            return
        colon, end = colon[apart], end[apart]
        reach = colon - start[apart]
        if self.escaped:  # (each of the key's characters up to 10 bytes in the file: \\U...)
            reach += (_LONGEST_ESCAPE - 1) * (end - start[apart])
        wrong = reach > _KEY_REACH
        wrong |= np.searchsorted(newlines, end) != np.searchsorted(newlines, colon)
        if wrong.any():
            self._fail("a key apart from its colon", int(keys[apart[np.argmax(wrong)]]))

    def _list(
        self, lines: IntArray, keys: IntArray, entry: IntArray, codes: IntArray, names: list[str]
    ) -> FlatList:
        """A list's entries (their lines), from their keys (in order), each key's entry
        (numbered from 0) and code, as the flat reader gives one: a column per key."""
        flat = FlatList(lines.size, lines)
        order = np.argsort(codes.astype(np.int16), kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=len(names)))].tolist()
        for code in np.flatnonzero(np.diff(bounds)).tolist():
            mine = order[bounds[code] : bounds[code + 1]]
            items = entry[mine].astype(np.int32)
            if not np.all(np.diff(items) > 0):
                self._fail(
                    "a key repeated in one entry",
                    int(keys[mine][np.argmin(np.diff(items) > 0) + 1]),
                )
            value = keys[mine] + 2
            start, end, quoted = self._ranges(value)
            column = Column(
                flat.count, items, keys[mine].astype(np.int32), start, end, quoted, self.buf
            )
            column.lists = self._id_lists(value)
            flat.columns[names[code]] = column
        return flat

    def _id_lists(self, values: IntArray) -> ListValues | None:
        """Which of a column's `values` (tokens) are lists of ids, and their ids."""
        places = np.flatnonzero(self.kind[values] == _LBRACK)
        if not places.size:
            return None
        if self.id_lists is None:
            self.id_lists = self._all_id_lists()
        opens, items = self.id_lists
        return ListValues(places, items.of(np.searchsorted(opens, values[places])))

    def _all_id_lists(self) -> tuple[IntArray, Items]:
        """Where every list of ids opens (its `[`), and their ids in that order."""
        kind, depth = self.kind, self.depth
        opens = np.flatnonzero((kind == _LBRACK) & (depth == _DEPTH))
        ids = np.flatnonzero(((kind == _STRING) | (kind == _WORD)) & (depth == _DEPTH))
        start, end, quoted = self._ranges(ids)
        count = np.bincount(np.searchsorted(opens, ids) - 1, minlength=opens.size)
        ptr = np.zeros(opens.size + 1, dtype=np.int64)
        np.cumsum(count, out=ptr[1:])
        return opens, Items(ptr, start, end, quoted, quoted.copy())
