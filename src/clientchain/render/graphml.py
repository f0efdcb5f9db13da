"""GraphML (for Gephi, yEd, Cytoscape, igraph, `networkx.read_graphml`).

Written here, one element per line, rather than by networkx's writer: that one
takes some 20 s and 2 GB for 100,000 roles. `networkx.read_graphml` reads it
back as `to_networkx(analysis, money="net")` (edge keys aside: GraphML edge ids
must be unique, so they are e0, e1, ... and the `kind` attribute tells the
edges apart). XML 1.0 cannot carry most control characters at all, not even as
character references: each of those is written as a visible escape (`\\x1b`, as
render.visible writes it), so the file is well-formed whatever the org chart holds.
Every other character is kept exactly (XML escaping suffices), as in the JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from clientchain.exportgraph import Attributes, ExportGraph, Value
from clientchain.render.visible import escape

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;"}
    | {"\t": "&#9;"}
)
_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns'
    ' http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)


class UnrepresentableError(ValueError):
    """A text of the graph that the format cannot carry (no longer raised: such
    characters are written as escapes; kept for callers that catch it)."""


_FORMATS: dict[type, Callable[[Any], str]] = {
    bool: lambda value: "true" if value else "false",
    int: int.__repr__,
    float: float.__repr__,
    str: lambda value: value.translate(_TEXT),
}


class _Keys:
    """GraphML <key> declarations, one per (scope, attribute name), in first-seen order."""

    def __init__(self) -> None:
        self.tags: dict[tuple[str, str], str] = {}  # the opening <data> tag of each key
        self.lines: list[str] = []

    def data(self, scope: str, attrs: Attributes) -> str:
        tags, formats = self.tags, _FORMATS
        parts = []
        for name, value in attrs.items():
            tag = tags.get((scope, name))
            if tag is None:
                tag = self._declare(scope, name, value)
            parts.append(f"{tag}{formats[type(value)](value)}</data>")
        return "".join(parts)

    def _declare(self, scope: str, name: str, value: Value) -> str:
        key = f"d{len(self.tags)}"
        self.lines.append(
            f'  <key id="{key}" for="{scope}" attr.name="{name}"'
            f' attr.type="{_TYPES[type(value)]}"/>'
        )
        tag = self.tags[scope, name] = f'<data key="{key}">'
        return tag


def render_graphml(graph: ExportGraph) -> str:
    keys = _Keys()
    ids = [f'"{node.id.translate(_ATTRIBUTE)}"' for node in graph.nodes]
    body = ['  <graph id="G" edgedefault="directed">']
    if graph.attrs:
        body.append(f"    {keys.data('graph', graph.attrs)}")
    body.extend(
        f"    <node id={ids[i]}>{keys.data('node', node.attrs)}</node>"
        for i, node in enumerate(graph.nodes)
    )
    body.extend(
        f'    <edge id="e{k}" source={ids[edge.source]} target={ids[edge.target]}>'
        f"{keys.data('edge', edge.attrs)}</edge>"
        for k, edge in enumerate(graph.edges)
    )
    body.extend(("  </graph>", "</graphml>"))
    # The keys are declared as they are first met, and written before the graph.
    text = "\n".join([_HEAD, *keys.lines, *body]) + "\n"
    # Only user text can hold such a character (the markup around it has none): one
    # pass over the document escapes them wherever they are.
    return _NOT_XML.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    return escape(match.group())
