"""GraphML (for Gephi, yEd, Cytoscape, igraph, `networkx.read_graphml`).

Written here, one element per line, rather than by networkx's writer: that one
takes some 20 s and 2 GB for 100,000 roles. `networkx.read_graphml` reads it
back as `to_networkx(analysis, money="net")` (edge keys aside: GraphML edge ids
must be unique, so they are e0, e1, ... and the `kind` attribute tells the
edges apart). XML 1.0 cannot carry most control characters at all, not even as
character references; such a text is refused, naming its node, rather than written
as a file no reader accepts or changed into another id (which could be another
role's). Every other character is kept exactly (XML escaping suffices), as in JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from clientchain.export.graph import Attributes, ExportGraph, Value
from clientchain.model.visible import clip

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
    """A text of the graph that the format cannot carry."""


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
    if _NOT_XML.search(text):
        _refuse(graph)
    return text


def _refuse(graph: ExportGraph) -> None:
    """Name the first text that XML 1.0 cannot carry (the id shown escaped and cut)."""
    places = [("the org chart", list(graph.attrs.values()))]
    places += [(f"{n.kind} '{clip(n.id)}'", [n.id, *n.attrs.values()]) for n in graph.nodes]
    for where, values in places:
        for value in values:
            found = _NOT_XML.search(value) if isinstance(value, str) else None
            if found:
                raise UnrepresentableError(
                    f"{where} has the control character U+{ord(found.group()):04X}, which "
                    "GraphML (XML 1.0) cannot carry; rename it, or export --to json or dot"
                )
    raise UnrepresentableError("the graph has a character that GraphML (XML 1.0) cannot carry")
