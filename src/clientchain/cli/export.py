"""`clientchain export`: the combined graph as DOT, Mermaid, GraphML or node-link JSON."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from clientchain.analyses.defaults import DEFAULT_DECAY
from clientchain.cli.options import (
    DecayOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    ForceOpt,
    OrgArg,
    count,
    dialect_of,
    fail,
    load_or_fail,
    output_option,
)
from clientchain.cli.output_file import (
    STDOUT,
    Kind,
    input_paths,
    open_output_or_fail,
    write_or_fail,
)
from clientchain.model.visible import visible

if TYPE_CHECKING:  # the analyses and numpy: imported when a graph is made
    from clientchain.export.graph import ExportGraph

# Mermaid renderers (GitHub, mermaid.live) slow down and give up well before this.
MERMAID_NODE_LIMIT = 2_000


class GraphFormat(StrEnum):
    dot = "dot"
    mermaid = "mermaid"
    graphml = "graphml"
    json = "json"


_BY_SUFFIX = {
    ".dot": GraphFormat.dot,
    ".gv": GraphFormat.dot,
    ".mmd": GraphFormat.mermaid,
    ".mermaid": GraphFormat.mermaid,
    ".graphml": GraphFormat.graphml,
    ".json": GraphFormat.json,
}


# Each renderer imports its module only when chosen.
def _dot(graph: ExportGraph) -> str:
    from clientchain.render.graph.dot import render_dot

    return render_dot(graph)


def _mermaid(graph: ExportGraph) -> str:
    from clientchain.render.graph.mermaid import render_mermaid

    return render_mermaid(graph)


def _graphml(graph: ExportGraph) -> str:
    from clientchain.render.graph.graphml import render_graphml

    return render_graphml(graph)


def _node_link(graph: ExportGraph) -> str:
    from clientchain.render.graph.node_link import render_node_link

    return render_node_link(graph)


RENDERERS: dict[GraphFormat, Callable[[ExportGraph], str]] = {
    GraphFormat.dot: _dot,
    GraphFormat.mermaid: _mermaid,
    GraphFormat.graphml: _graphml,
    GraphFormat.json: _node_link,
}


def export_command(
    org: OrgArg,
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    to: Annotated[
        GraphFormat | None,
        typer.Option(
            "--to",
            case_sensitive=False,
            help="dot (Graphviz), mermaid, graphml or json (networkx node-link)"
            " [default: from the -o suffix]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None, output_option("Write to this file instead of stdout ('-' for stdout).")
    ] = None,
    decay: DecayOpt = DEFAULT_DECAY,
    force: ForceOpt = False,
) -> None:
    """Export the org chart and its money as one graph: roles, clients, reporting lines
    and net money, coloured by alienation, inverted relationships in bold red.

    Exit status: 0 written (findings do not change it), 2 bad input or usage.
    """
    dialect = dialect_of(delimiter, encoding, decimal_comma)
    suffix = Path(output).suffix.lower() if output and output != STDOUT else ""
    fmt = to or _BY_SUFFIX.get(suffix)
    if fmt is None:
        fail(
            [
                "clientchain: export needs --to dot|mermaid|graphml|json (or -o FILE ending"
                " in .dot, .gv, .mmd, .graphml or .json)"
            ]
        )
    loaded = load_or_fail(org, flows, dialect)
    target = open_output_or_fail(
        STDOUT if output is None else output,
        option="-o",
        kind=Kind.EXPORT,
        force=force,
        inputs=input_paths(loaded),
    )
    from clientchain.analyses.analyze import analyze
    from clientchain.export.graph import build_export_graph
    from clientchain.render.graph.graphml import UnrepresentableError

    graph = build_export_graph(analyze(loaded, decay))
    if fmt is GraphFormat.mermaid and len(graph.nodes) > MERMAID_NODE_LIMIT:
        sys.stderr.write(
            f"clientchain: note: {count(len(graph.nodes), 'node')}: Mermaid renderers are slow"
            f" or give up above about {MERMAID_NODE_LIMIT:,}; --to dot (with sfdp) or graphml"
            " suit a graph this size\n"
        )
    try:
        text = RENDERERS[fmt](graph)
    except UnrepresentableError as exc:
        fail([f"clientchain: {org}: {exc}"])
    write_or_fail(target, text)
    if target.is_stdout:
        return
    sys.stderr.write(
        f"clientchain: wrote {count(len(graph.nodes), 'node')} and"
        f" {count(len(graph.edges), 'edge')} to {visible(target.shown)}\n"
    )
