"""Mermaid flowchart: paste into a Markdown file (GitHub, GitLab) or mermaid.live.

Node ids are synthetic (n0, n1, ... in node order), so no id can clash with a
Mermaid keyword; every text is a quoted label whose special characters are
Mermaid entity codes (`#quot;`, `#35;`, ...), never raw; control, bidi and
line-separator characters are escapes (`\\x1b`) and a long text is cut in the
middle (model.visible.picture_lines).
"""

from __future__ import annotations

import re

from clientchain.export.graph import DOTTED_TO, REPORTS_TO, SERVES, ExportGraph, Node
from clientchain.model.visible import HIDDEN, LIMIT, picture_lines
from clientchain.render.graph.palette import (
    BAND_FILL,
    CLIENT_FILL,
    DOTTED_COLOUR,
    INVERTED_COLOUR,
    MONEY_COLOUR,
    REPORTING_COLOUR,
    SERVES_COLOUR,
)

# Characters a quoted Mermaid label cannot hold as they are: quotes end it, `#` starts an
# entity code, `<`, `>` and `&` would be HTML, a backtick would start a Markdown string,
# `%` could start a directive.
_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "%": "#37;",
}
_TABLE = str.maketrans(_ENTITIES)


_SPECIAL = re.compile('[#"<>&`%]|' + HIDDEN.pattern)


def text(lines: list[str]) -> str:
    """A quoted Mermaid label: entity codes for special characters, <br> between lines."""
    if not any(len(line) > LIMIT or _SPECIAL.search(line) for line in lines):
        return '"' + "<br>".join(lines) + '"'
    shown = (part.translate(_TABLE) for line in lines for part in picture_lines(line))
    return '"' + "<br>".join(shown) + '"'


def _class_defs() -> list[str]:
    defs = [f"  classDef {name} fill:{fill},color:#000" for name, fill in BAND_FILL.items()]
    defs.append(f"  classDef client fill:{CLIENT_FILL},color:#000")
    dashed = "stroke-width:3px,stroke-dasharray:5 3"
    defs.append(f"  classDef unfunded stroke:{INVERTED_COLOUR},{dashed}")
    return defs


def _node(position: int, node: Node) -> str:
    label = text(list(node.lines))
    if node.kind == "client":
        return f"  n{position}([{label}]):::client"
    return f"  n{position}[{label}]:::{node.band}"


def render_mermaid(graph: ExportGraph) -> str:
    """The whole graph as one Mermaid flowchart (bosses on top, clients at the bottom)."""
    lines = [
        "flowchart BT",
        "  %% clientchain export. Fill: alienation band (low below 0.333, medium below 0.667,",
        "  %% high). Dotted grey: reports to (subordinate to boss). Blue: net money, payer to",
        "  %% payee. Thick red: inverted (the boss pays its subordinate). Stadium: a client.",
        "  %% Dashed red border: no paying client. Purple, labelled: a dotted (matrix) line.",
        "  %% Green, labelled: whom a role serves.",
        *_class_defs(),
    ]
    lines.extend(_node(i, node) for i, node in enumerate(graph.nodes))
    unfunded = [f"n{i}" for i, node in enumerate(graph.nodes) if node.unfunded]
    if unfunded:
        lines.append(f"  class {','.join(unfunded)} unfunded")
    reporting: list[str] = []
    inverted: list[str] = []
    dotted: list[str] = []
    serves: list[str] = []
    for k, edge in enumerate(graph.edges):
        ends = f"n{edge.source}", f"n{edge.target}"
        if edge.kind == REPORTS_TO:
            reporting.append(str(k))
            lines.append(f"  {ends[0]} -.-> {ends[1]}")
        elif edge.kind == DOTTED_TO:
            dotted.append(str(k))
            lines.append(f'  {ends[0]} -.->|"dotted line"| {ends[1]}')
        elif edge.kind == SERVES:
            serves.append(str(k))
            lines.append(f'  {ends[0]} -.->|"serves"| {ends[1]}')
        elif edge.inverted:
            inverted.append(str(k))
            lines.append(f"  {ends[0]} ==>|{text([edge.label, 'inverted'])}| {ends[1]}")
        else:
            lines.append(f"  {ends[0]} -->|{text([edge.label])}| {ends[1]}")
    if graph.edges:
        lines.append(f"  linkStyle default stroke:{MONEY_COLOUR},color:{MONEY_COLOUR}")
    if reporting:
        lines.append(f"  linkStyle {','.join(reporting)} stroke:{REPORTING_COLOUR}")
    if dotted:
        lines.append(
            f"  linkStyle {','.join(dotted)} stroke:{DOTTED_COLOUR},stroke-width:2px,"
            f"stroke-dasharray:2 3,color:{DOTTED_COLOUR}"
        )
    if serves:
        lines.append(
            f"  linkStyle {','.join(serves)} stroke:{SERVES_COLOUR},stroke-dasharray:6 3,"
            f"color:{SERVES_COLOUR}"
        )
    if inverted:
        lines.append(
            f"  linkStyle {','.join(inverted)} stroke:{INVERTED_COLOUR},stroke-width:3px,"
            f"color:{INVERTED_COLOUR}"
        )
    return "\n".join(lines) + "\n"
