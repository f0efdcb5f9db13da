"""Safe YAML reading that keeps positions, refuses what would lose data, and never recurses.

We compose our own node tree from the parser's event stream instead of calling
`yaml.safe_load`, because the contract needs things a loader throws away:

* every value keeps its line and column, for `FILE:LINE:COL` messages;
* scalars stay text (`no`, `0755`, `2024-01-01` are ids, not a bool, an octal or a
  date); callers decide what is a number, and a quoted number is not one;
* a key repeated in one mapping is an error, not "last one wins";
* tags are never used to construct anything: any tag but `!!str`, `!!seq` and
  `!!map` is an error;
* aliases may not expand past a bound (no "billion laughs");
* nesting depth is limited only by memory, not by Python's recursion limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from typing import Any, Literal

import yaml

from clientchain.loading import surrogate_pairs
from clientchain.loading.spreadsheet import byte_order_mark, decode_table
from clientchain.model.problems import InputError, Position, Problem

try:  # libyaml's parser is ~10x faster; the pure-Python one gives identical events
    # (but for a '?' in a flow list's plain scalar, which it ends: libyaml reads on).
    from yaml import CSafeLoader as _EventLoader

    _LIBYAML = True  # (a character libyaml refuses is at a byte of the UTF-8)
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

    _LIBYAML = False  # (the pure-Python reader counts characters)
# Where YAML breaks a line (as libyaml's marks count lines): CR LF, CR, LF, NEL, LS, PS.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_SCALAR_TAGS = frozenset({STR_TAG})
_ALLOWED_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
# A document may reuse anchors, but the expanded tree may not outgrow the text by much.
_ALIAS_EXPANSION_FACTOR = 10  # expanded values allowed per parser event, ...
_ALIAS_EXPANSION_FLOOR = 100_000  # ... plus this many
# What libyaml says of an escape of no character (half a surrogate pair, past U+10FFFF),
# and what we say.
_NO_CHARACTER = "found invalid Unicode character escape code"
_HALF_A_PAIR = (
    "an escape of no character in a quoted value: half a surrogate pair without the other"
    " half, or a code past U+10FFFF"
)
# The halves of surrogate pairs PyYAML's pure-Python parser gives for their escapes (it
# refuses none): joined in each value where libyaml is not there (see _Composer).
_HALVES = re.compile("[\ud800-\udfff]")

Kind = Literal["scalar", "seq", "map"]
# Scalars share these empty lists instead of allocating two lists each; collections
# get their own lists when they are opened (see `_Composer.open_collection`).
_NO_ITEMS: list[YNode] = []
_NO_PAIRS: list[tuple[YNode, YNode]] = []


class YNode:
    """One YAML value with its position. Scalars keep their exact text."""

    __slots__ = ("column", "items", "kind", "line", "pairs", "quoted", "size", "text")

    def __init__(
        self,
        kind: Kind,
        line: int,
        column: int,
        text: str = "",
        quoted: bool = False,
        items: list[YNode] | None = None,
        pairs: list[tuple[YNode, YNode]] | None = None,
    ) -> None:
        self.kind = kind
        self.line = line
        self.column = column
        self.text = text
        self.quoted = quoted  # written in quotes (or tagged !!str): never a number
        self.items = _NO_ITEMS if items is None else items  # sequence items
        self.pairs = _NO_PAIRS if pairs is None else pairs  # mapping entries
        self.size = 1  # values in this subtree with aliases expanded

    def get(self, key: str) -> YNode | None:
        """The value of `key` in a mapping node, or None."""
        for k, v in self.pairs:
            if k.text == key:
                return v
        return None

    @property
    def describe(self) -> str:
        """How to name this value's kind in a message."""
        return {"scalar": "a scalar", "seq": "a list", "map": "a mapping"}[self.kind]


def decode(data: bytes, file: str) -> str:
    """The text of a YAML file: UTF-8 (a BOM is fine), or UTF-16 or UTF-32 with the byte
    order mark YAML asks of them (Windows PowerShell 5 writes UTF-16 with `>`, Notepad
    as "Unicode"); a bad byte is a problem at its line and column."""
    marked = byte_order_mark(data)
    if marked is not None and marked[1] != "utf-8":  # as a CSV file with that mark is read
        return decode_table(data, file)
    mark = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    data = data[mark:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Lines and columns as YAML counts them (in characters), as every other message
        # about the file does: the text up to the bad byte is valid. The offset is the
        # file's own, its byte order mark counted.
        where = _following(file, data[: exc.start].decode("utf-8"))
        byte, offset = data[exc.start], mark + exc.start
        raise InputError(
            [Problem(where, f"not UTF-8 text: byte 0x{byte:02x} at offset {offset}")]
        ) from None


def _at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column of `text` ('' past its end)."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column : start + column + 1]


def _position(file: str, mark: Any) -> Position:
    if mark is None:
        return Position(file)
    return Position(file, mark.line + 1, mark.column + 1)


def _yaml_error(file: str, exc: yaml.YAMLError, source: str = "") -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        text = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            text = f"{exc.context}, {exc.problem}"
        if exc.problem == _NO_CHARACTER:  # (libyaml's words name no reason)
            text = _HALF_A_PAIR
        if mark is not None and _at(source, mark.line, mark.column) == "\t":
            # libyaml names a tab that starts a line "a character that cannot start any token"
            text = "a tab: YAML indents with spaces, never tabs"
        return Problem(_position(file, mark), f"invalid YAML: {text}")
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, int):
        # A character libyaml refuses (a control character, even in a comment): it names
        # an offset into the text's UTF-8, "in <unicode string>", not a line.
        code, reason = exc.character, exc.reason
        return Problem(
            _offset(file, source, exc.position),
            f"invalid YAML: character U+{code:04X}: {reason}",
        )
    return Problem(Position(file), f"invalid YAML: {exc}")


def _offset(file: str, source: str, offset: int) -> Position:
    """The line and column (in characters) of a reader's offset into `source`: a byte of
    its UTF-8 for libyaml, a character for the pure-Python reader."""
    if _LIBYAML:
        data = source.encode("utf-8")
        if not 0 <= offset < len(data):
            return Position(file)
        before = data[:offset].decode("utf-8", errors="replace")
    elif 0 <= offset < len(source):
        before = source[:offset]
    else:
        return Position(file)
    return _following(file, before)


def _following(file: str, before: str) -> Position:
    """The line and column of the character that follows `before` (the text up to it),
    lines broken where YAML breaks them."""
    lines, start = 1, 0
    for found in _LINE_BREAK.finditer(before):  # (one at a time: no list of them all)
        lines, start = lines + 1, found.end()
    return Position(file, lines, len(before) - start + 1)


class _Frame:
    """A sequence or mapping still open: its node, its anchor and, for a mapping, the
    key waiting for its value and the keys seen so far (text -> line)."""

    __slots__ = ("anchor", "key", "keys", "node")

    def __init__(self, node: YNode, anchor: str | None) -> None:
        self.node = node
        self.anchor = anchor
        self.key: YNode | None = None
        self.keys: dict[str, int] = {}


def compose(text: str, file: str) -> YNode | None:
    """The single document in `text` as a YNode tree (None for an empty document).

    Raises InputError with every structural problem found (duplicate keys, tags,
    aliases) or with the parser's first syntax error.
    """
    composer = _Composer(file)
    composer.run(text)
    if composer.no_character and surrogate_pairs.has_pair(text):  # (see surrogate_pairs)
        held = surrogate_pairs.placeheld(text)
        if held is not None:
            composer = _Composer(file, held)
            composer.run(held.text)
            outside = held.outside(composer.quoted, composer.reached)
            if outside:  # (pairs written as text: read again with those as they are)
                held = surrogate_pairs.placeheld(text, but=outside)
                if held is not None:
                    composer = _Composer(file, held)
                    composer.run(held.text)
    if composer.problems:
        raise InputError(composer.problems)
    return composer.root


class _FatalError(Exception):
    """A problem after which reading stops (the problem is already recorded)."""


def _end(event: Any) -> int:
    """Where an event (the last a parser handed over, or None) ends in its text."""
    mark = None if event is None else event.end_mark
    return 0 if mark is None else int(mark.index)


class _Composer:
    """Builds one document's tree from the parser's events, one method per event kind.

    Iterative: the collections still open are a list (`stack`), so deep nesting costs
    memory, not Python frames. Stream starts and ends and document ends need nothing.
    """

    __slots__ = (
        "anchors",
        "documents",
        "file",
        "held",
        "no_character",
        "problems",
        "quoted",
        "reached",
        "root",
        "stack",
    )

    def __init__(self, file: str, held: surrogate_pairs.PlaceHeld | None = None) -> None:
        """`held`: the text read is its text (surrogate pairs moved)."""
        self.file = file
        self.held = held
        self.no_character = False  # the parser stopped at an escape of no character
        self.quoted: list[tuple[int, int]] = []  # double-quoted values holding a moved pair
        self.reached = 0  # where the last event read ends; the text's end once all are
        self.problems: list[Problem] = []
        self.anchors: dict[str, YNode] = {}
        self.stack: list[_Frame] = []
        self.root: YNode | None = None
        self.documents = 0

    def run(self, text: str) -> None:
        """Read every event of `text`, stopping at the parser's first error or a fatal problem."""
        scalar = self.scalar
        if self.held is not None:
            scalar = self.scalar_placeheld
        elif not _LIBYAML:  # pragma: no cover - depends on how PyYAML was built
            scalar = self.scalar_halves_joined
        handlers: dict[type[yaml.Event], Callable[[Any, int, int], None]] = {
            yaml.DocumentStartEvent: self.document_start,
            yaml.ScalarEvent: scalar,
            yaml.AliasEvent: self.alias,
            yaml.SequenceStartEvent: self.sequence_start,
            yaml.MappingStartEvent: self.mapping_start,
            yaml.SequenceEndEvent: self.collection_end,
            yaml.MappingEndEvent: self.collection_end,
        }
        stack = self.stack
        events = 0
        try:  # (the pure-Python reader checks every character here, at once)
            parser = _EventLoader(text)
        except yaml.YAMLError as exc:
            self.problems.append(_yaml_error(self.file, exc, text))
            return
        event: Any = None
        try:
            for event in iter(parser.get_event, None):
                events += 1
                mark = event.start_mark
                line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
                handle = handlers.get(type(event))
                if handle is not None:
                    handle(event, line, column)
                # The bound is at least the floor: below it there is nothing to work out.
                if stack and stack[0].node.size > _ALIAS_EXPANSION_FLOOR:
                    self.check_expansion(events, line, column)
            self.reached = len(text)
        except _FatalError:
            self.reached = _end(event)
        except yaml.YAMLError as exc:
            self.reached = _end(event)
            self.no_character = getattr(exc, "problem", None) == _NO_CHARACTER
            self.problems.append(_yaml_error(self.file, exc, text))
        except ValueError:  # pragma: no cover - the pure-Python scanner's chr() past U+10FFFF
            self.problems.append(Problem(Position(self.file), f"invalid YAML: {_HALF_A_PAIR}"))
        finally:
            parser.dispose()

    def document_start(self, event: yaml.DocumentStartEvent, line: int, column: int) -> None:
        self.documents += 1
        if self.documents > 1:
            self.problem(line, column, "expected one YAML document, found more")
            raise _FatalError

    def scalar(self, event: yaml.ScalarEvent, line: int, column: int) -> None:
        if event.tag is not None:
            self.check_tag(event.tag, line, column, _ALLOWED_SCALAR_TAGS)
        plain = event.style in (None, "") and event.tag is None
        node = YNode("scalar", line, column, text=event.value, quoted=not plain)
        self.attach(node, event.anchor)

    def scalar_placeheld(self, event: yaml.ScalarEvent, line: int, column: int) -> None:
        """`scalar`, a double-quoted value's moved pairs joined (surrogate_pairs), and
        where it is in the text kept if it held any."""
        held = self.held
        if event.style == '"' and held is not None and held.held.search(event.value):
            start, end = event.start_mark, event.end_mark
            if start is not None and end is not None:
                self.quoted.append((start.index, end.index))
            try:
                event.value = held.joined(event.value)
            except ValueError:
                self.problem(line, column, f"invalid YAML: {_HALF_A_PAIR}")
        self.scalar(event, line, column)

    def scalar_halves_joined(  # pragma: no cover - a PyYAML built without libyaml
        self, event: yaml.ScalarEvent, line: int, column: int
    ) -> None:
        """`scalar`, the halves of each surrogate pair in its value joined (UTF-16 reads
        them as JSON does); half a pair alone is a problem at the value."""
        if _HALVES.search(event.value) is not None:
            try:
                joined = event.value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                self.problem(line, column, f"invalid YAML: {_HALF_A_PAIR}")
                joined = _HALVES.sub("\ufffd", event.value)
            event.value = joined
        self.scalar(event, line, column)

    def alias(self, event: yaml.AliasEvent, line: int, column: int) -> None:
        target = self.anchors.get(event.anchor or "")
        if target is None:  # the parser reports this itself; keep going safely
            self.problem(line, column, f"unknown alias '*{event.anchor}'")
            target = YNode("scalar", line, column, text="")
        self.attach(target, None)

    def sequence_start(self, event: yaml.SequenceStartEvent, line: int, column: int) -> None:
        self.open_collection(YNode("seq", line, column, items=[]), event, line, column)

    def mapping_start(self, event: yaml.MappingStartEvent, line: int, column: int) -> None:
        self.open_collection(YNode("map", line, column, pairs=[]), event, line, column)

    def open_collection(
        self, node: YNode, event: yaml.CollectionStartEvent, line: int, column: int
    ) -> None:
        if event.tag is not None:
            self.check_tag(event.tag, line, column, _ALLOWED_COLLECTION_TAGS)
        self.stack.append(_Frame(node, event.anchor))

    def collection_end(self, event: yaml.CollectionEndEvent, line: int, column: int) -> None:
        frame = self.stack.pop()
        self.attach(frame.node, frame.anchor)

    def attach(self, node: YNode, anchor: str | None) -> None:
        """Put a finished value into the collection open on top (or make it the root)."""
        if anchor is not None:
            self.anchors[anchor] = node
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent = frame.node
        parent.size += node.size
        if parent.kind == "seq":
            parent.items.append(node)
        elif frame.key is None:
            frame.key = self.checked_key(node, frame)
        else:
            parent.pairs.append((frame.key, node))
            frame.key = None

    def checked_key(self, node: YNode, frame: _Frame) -> YNode:
        """`node` as the next key of the mapping in `frame`: its problems recorded, and a
        collection replaced by a placeholder scalar so the mapping keeps its shape."""
        if node.kind != "scalar":
            self.problem(node.line, node.column, "mapping keys must be plain text")
            node = YNode("scalar", node.line, node.column, text=f"<{node.kind} key>")
        if node.text == "<<" and not node.quoted:
            self.problem(
                node.line, node.column, "merge keys ('<<') are not supported: write the keys out"
            )
        first = frame.keys.get(node.text)
        if first is not None:
            self.problem(
                node.line,
                node.column,
                f"key '{node.text}' repeated in this mapping (first at line {first});"
                " YAML would silently keep only the last one",
            )
        else:
            frame.keys[node.text] = node.line
        return node

    def check_tag(self, tag: str, line: int, column: int, allowed: Set[str]) -> None:
        if tag != "!" and tag not in allowed:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                line,
                column,
                f"tag '{shown}' is not allowed: clientchain reads plain data and never"
                " constructs objects from tags",
            )

    def check_expansion(self, events: int, line: int, column: int) -> None:
        """Stop when aliases have grown the tree past its bound for `events` events read."""
        limit = _ALIAS_EXPANSION_FLOOR + _ALIAS_EXPANSION_FACTOR * events
        if self.stack and self.stack[0].node.size > limit:
            self.problem(
                line,
                column,
                f"aliases expand this document to more than {limit:,} values;"
                " refusing to expand it (is this a 'billion laughs' document?)",
            )
            raise _FatalError

    def problem(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(Position(self.file, line, column), message))
