"""Graphviz DOT: `clientchain export ORG --to dot | dot -Tsvg > org.svg`.

Bosses on top (rankdir=BT with edges subordinate -> boss), clients at the
bottom, money rising. Every id and text is a quoted DOT string; labels are
plain escString labels (no HTML-like labels carry user text except the
legend's title, which is XML-escaped). Control, bidi and line-separator
characters are escapes (`\\x1b`, model.visible) in names and labels alike, so
a statement stays on one line; a label shows a long text cut in the middle.
"""

from __future__ import annotations

import html
import re

from clientchain.export.graph import (
    DOTTED_TO,
    LOW_BELOW,
    MEDIUM_BELOW,
    REPORTS_TO,
    SERVES,
    Edge,
    ExportGraph,
    Node,
    Value,
)
from clientchain.model.visible import HIDDEN, LIMIT, escape, picture_lines
from clientchain.render.graph.palette import (
    BAND_FILL,
    CLIENT_FILL,
    DOTTED_COLOUR,
    INVERTED_COLOUR,
    MONEY_COLOUR,
    REPORTING_COLOUR,
    SERVES_COLOUR,
)

_FONT = '"Helvetica,Arial,sans-serif"'


_SPECIAL = re.compile('[\\\\"]|' + HIDDEN.pattern)
_QUOTED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}


def _quoted_char(match: re.Match[str]) -> str:
    char = match.group()
    return _QUOTED.get(char) or escape(char)


def quoted(text: str) -> str:
    """A DOT quoted string that reads back as one distinct name per text: backslashes
    doubled (DOT keeps them so), quotes escaped, line breaks and other invisible
    characters written as escapes, so a statement stays on one line."""
    return '"' + _SPECIAL.sub(_quoted_char, text) + '"'


_LABEL_SPECIAL = re.compile('[\\\\"&]|' + HIDDEN.pattern)


def label(lines: list[str]) -> str:
    """An escString label: lines joined by \\n; a backslash in the text shows as itself,
    and so does `&` (graphviz reads entities such as `&amp;` even in plain labels). Each
    line as model.visible.picture_lines shows it: escapes, a long one cut."""
    if not any(len(line) > LIMIT or _LABEL_SPECIAL.search(line) for line in lines):
        return '"' + "\\n".join(lines) + '"'
    text = "\\n".join(
        shown.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")
        for line in lines
        for shown in picture_lines(line)
    )
    return f'"{text}"'


def _value(value: Value) -> str:
    if value is True:
        return '"true"'
    if value is False:
        return '"false"'
    if isinstance(value, str):
        return quoted(value)
    return f'"{value!r}"'


def _data(attrs: dict[str, Value]) -> str:
    """The export's own attributes (graphviz keeps unknown ones): the figures travel too."""
    return ", ".join([f"{key}={_value(value)}" for key, value in attrs.items() if key != "label"])


def _node(node: Node) -> str:
    fill = CLIENT_FILL if node.kind == "client" else BAND_FILL[node.band]
    if node.kind == "client":
        look = f'shape=ellipse, style=filled, fillcolor="{fill}"'
    elif node.unfunded:
        look = (
            f'shape=box, style="rounded,filled,dashed", fillcolor="{fill}", '
            f'color="{INVERTED_COLOUR}", penwidth=2'
        )
    else:
        look = f'shape=box, style="rounded,filled", fillcolor="{fill}"'
    return f"  {quoted(node.id)} [{look}, label={label(list(node.lines))}, {_data(node.attrs)}]"


_REPORTING = f'[style=dashed, color="{REPORTING_COLOUR}", arrowhead=onormal, kind="reports_to"]'
# Dotted lines and `serves` do not lay the chart out (only reports_to ranks the roles),
# and each says what it is in words too: colour is never the only cue.
_STRUCTURE = {
    REPORTS_TO: _REPORTING,
    DOTTED_TO: (
        f'[style=dotted, penwidth=2, color="{DOTTED_COLOUR}", fontcolor="{DOTTED_COLOUR}", '
        'arrowhead=onormal, constraint=false, label="dotted line", kind="dotted_to"]'
    ),
    SERVES: (
        f'[style=dashed, penwidth=1.5, color="{SERVES_COLOUR}", fontcolor="{SERVES_COLOUR}", '
        'arrowhead=vee, constraint=false, label="serves", kind="serves"]'
    ),
}
_MONEY = f'color="{MONEY_COLOUR}", fontcolor="{MONEY_COLOUR}"'
_INVERTED = (
    f'style=bold, penwidth=2.5, color="{INVERTED_COLOUR}", fontcolor="{INVERTED_COLOUR}", '
    "constraint=false"
)


def _edge(graph: ExportGraph, names: list[str], edge: Edge) -> str:
    """Edges carry kind, net and inverted; GraphML and JSON have the gross amounts too."""
    ends = f"  {names[edge.source]} -> {names[edge.target]}"
    structure = _STRUCTURE.get(edge.kind)
    if structure is not None:
        return f"{ends} {structure}"
    data = f'kind="money", net="{edge.net!r}"'
    if edge.inverted:
        look = f"label={label([edge.label, 'inverted'])}, {_INVERTED}"
        return f'{ends} [{look}, {data}, inverted="true", levels="{edge.levels}"]'
    look = f"label={label([edge.label])}, {_MONEY}"
    if graph.nodes[edge.source].kind == "role":
        # Money between roles does not move them: the reporting lines lay the chart out.
        look += ", constraint=false"
    return f'{ends} [{look}, {data}, inverted="false"]'


def _matrix_legend(graph: ExportGraph) -> str:
    """The legend's line for dotted lines and `serves`, only when the graph has them."""
    kinds = {edge.kind for edge in graph.edges if edge.kind in (DOTTED_TO, SERVES)}
    said = []
    if DOTTED_TO in kinds:
        said.append(
            f'<font color="{DOTTED_COLOUR}">dotted purple</font>: dotted line (matrix boss)'
        )
    if SERVES in kinds:
        said.append(
            f'<font color="{SERVES_COLOUR}">dashed green</font>: serves (whom the work is for)'
        )
    return " · ".join(said) + '<br align="left"/>' if said else ""


def _legend(graph: ExportGraph) -> str:
    """The graph's label: a small HTML-like table with the bands and the edge styles."""
    name = graph.attrs.get("org")
    title = ""
    if isinstance(name, str):
        shown = "<br/>".join(html.escape(line) for line in picture_lines(name))
        title = f'<tr><td colspan="3" border="0"><b>{shown}</b></td></tr>'
    low, high = f"{LOW_BELOW:.3f}", f"{MEDIUM_BELOW:.3f}"
    return (
        '<<table border="0" cellborder="1" cellspacing="2" cellpadding="4">'
        f"{title}"
        f'<tr><td bgcolor="{BAND_FILL["low"]}">alienation &lt; {low}</td>'
        f'<td bgcolor="{BAND_FILL["medium"]}">{low} to {high}</td>'
        f'<td bgcolor="{BAND_FILL["high"]}">{high} and above</td></tr>'
        '<tr><td colspan="3" border="0" align="left">'
        f'<font color="{REPORTING_COLOUR}">dashed grey</font>: reports to (subordinate to boss)'
        f' · <font color="{MONEY_COLOUR}">blue</font>: net money, payer to payee<br align="left"/>'
        f'<font color="{INVERTED_COLOUR}"><b>bold red</b></font>: inverted, the boss pays'
        " its subordinate · ellipse: client · dashed red border: no paying client"
        '<br align="left"/>'
        f"{_matrix_legend(graph)}"
        "</td></tr></table>>"
    )


def render_dot(graph: ExportGraph) -> str:
    """The whole graph as one DOT document (clients, roles, reporting lines, money)."""
    name = graph.attrs.get("org")
    lines = [
        f"digraph {quoted(name if isinstance(name, str) else 'clientchain')} {{",
        f"  graph [rankdir=BT, labelloc=b, fontname={_FONT}, fontsize=10, label={_legend(graph)}]",
        f"  node [fontname={_FONT}, fontsize=10]",
        f"  edge [fontname={_FONT}, fontsize=9]",
    ]
    lines.extend(_node(node) for node in graph.nodes)
    names = [quoted(node.id) for node in graph.nodes]
    lines.extend(_edge(graph, names, edge) for edge in graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"
