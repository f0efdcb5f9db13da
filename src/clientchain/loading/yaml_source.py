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

from typing import Any, Literal

import yaml

from clientchain.model.problems import InputError, Position, Problem

try:  # libyaml's parser is ~10x faster; the pure-Python one gives identical events.
    from yaml import CSafeLoader as _EventLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _EventLoader  # type: ignore[assignment]

STR_TAG = "tag:yaml.org,2002:str"
_ALLOWED_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
# A document may reuse anchors, but the expanded tree may not outgrow the text by much.
_ALIAS_EXPANSION_FACTOR = 10  # expanded values allowed per parser event, ...
_ALIAS_EXPANSION_FLOOR = 100_000  # ... plus this many

Kind = Literal["scalar", "seq", "map"]
# Scalars share these empty lists instead of allocating two lists each; collections
# get their own lists when they are opened (see `_open`).
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
    """UTF-8 text of a file (a BOM is fine); a bad byte is a problem at its line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        where = Position(file, line, column)
        raise InputError(
            [Problem(where, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}")]
        ) from None


def _position(file: str, mark: Any) -> Position:
    if mark is None:
        return Position(file)
    return Position(file, mark.line + 1, mark.column + 1)


def _yaml_error(file: str, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        text = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            text = f"{exc.context}, {exc.problem}"
        return Problem(_position(file, mark), f"invalid YAML: {text}")
    return Problem(Position(file), f"invalid YAML: {exc}")


class _Frame:
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
    problems: list[Problem] = []
    anchors: dict[str, YNode] = {}
    stack: list[_Frame] = []
    root: YNode | None = None
    documents = 0
    events = 0
    loader = _EventLoader(text)

    def attach(node: YNode, anchor: str | None) -> None:
        nonlocal root
        if anchor is not None:
            anchors[anchor] = node
        if not stack:
            root = node
            return
        frame = stack[-1]
        parent = frame.node
        parent.size += node.size
        if parent.kind == "seq":
            parent.items.append(node)
        elif frame.key is None:
            if node.kind != "scalar":
                problems.append(
                    Problem(
                        Position(file, node.line, node.column), "mapping keys must be plain text"
                    )
                )
                node = YNode("scalar", node.line, node.column, text=f"<{node.kind} key>")
            if node.text == "<<" and not node.quoted:
                problems.append(
                    Problem(
                        Position(file, node.line, node.column),
                        "merge keys ('<<') are not supported: write the keys out",
                    )
                )
            first = frame.keys.get(node.text)
            if first is not None:
                problems.append(
                    Problem(
                        Position(file, node.line, node.column),
                        f"key '{node.text}' repeated in this mapping (first at line {first});"
                        " YAML would silently keep only the last one",
                    )
                )
            else:
                frame.keys[node.text] = node.line
            frame.key = node
        else:
            parent.pairs.append((frame.key, node))
            frame.key = None

    def check_tag(tag: str | None, here: Position, allowed: set[str]) -> None:
        if tag is not None and tag != "!" and tag not in allowed:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            problems.append(
                Problem(
                    here,
                    f"tag '{shown}' is not allowed: clientchain reads plain data and never"
                    " constructs objects from tags",
                )
            )

    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            events += 1
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.append(
                        Problem(
                            Position(file, line, column), "expected one YAML document, found more"
                        )
                    )
                    break
            elif isinstance(event, yaml.ScalarEvent):
                if event.tag is not None:
                    check_tag(event.tag, Position(file, line, column), {STR_TAG})
                plain = event.style in (None, "") and event.tag is None
                node = YNode("scalar", line, column, text=event.value, quoted=not plain)
                attach(node, event.anchor)
            elif isinstance(event, yaml.AliasEvent):
                target = anchors.get(event.anchor or "")
                if target is None:  # the parser reports this itself; keep going safely
                    problems.append(
                        Problem(Position(file, line, column), f"unknown alias '*{event.anchor}'")
                    )
                    target = YNode("scalar", line, column, text="")
                attach(target, None)
            elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                if event.tag is not None:
                    check_tag(event.tag, Position(file, line, column), _ALLOWED_COLLECTION_TAGS)
                if isinstance(event, yaml.SequenceStartEvent):
                    opened = YNode("seq", line, column, items=[])
                else:
                    opened = YNode("map", line, column, pairs=[])
                stack.append(_Frame(opened, event.anchor))
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                frame = stack.pop()
                attach(frame.node, frame.anchor)
            limit = _ALIAS_EXPANSION_FLOOR + _ALIAS_EXPANSION_FACTOR * events
            if stack and stack[0].node.size > limit:
                problems.append(
                    Problem(
                        Position(file, line, column),
                        f"aliases expand this document to more than {limit:,} values;"
                        " refusing to expand it (is this a 'billion laughs' document?)",
                    )
                )
                break
    except yaml.YAMLError as exc:
        problems.append(_yaml_error(file, exc))
    finally:
        loader.dispose()
    if problems:
        raise InputError(problems)
    return root
