"""`clientchain export`: the combined graph as DOT, Mermaid, GraphML or node-link JSON."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clientchain.analysis import DEFAULT_DECAY
from clientchain.cli_support import (
    DecayOpt,
    FlowsOpt,
    OrgArg,
    count,
    fail,
    load_or_fail,
    refuse_inputs,
)
from clientchain.exportgraph import ExportGraph

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


def _renderer(fmt: GraphFormat) -> Callable[[ExportGraph], str]:
    if fmt is GraphFormat.dot:
        from clientchain.render.dot import render_dot

        return render_dot
    if fmt is GraphFormat.mermaid:
        from clientchain.render.mermaid import render_mermaid

        return render_mermaid
    if fmt is GraphFormat.graphml:
        from clientchain.render.graphml import render_graphml

        return render_graphml
    from clientchain.render.node_link import render_node_link

    return render_node_link


def export_command(
    org: OrgArg,
    flows: FlowsOpt = None,
    to: Annotated[
        GraphFormat | None,
        typer.Option(
            "--to",
            help="dot (Graphviz), mermaid, graphml or json (networkx node-link)"
            " [default: from the -o suffix]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write to this file instead of stdout.", show_default=False
        ),
    ] = None,
    decay: DecayOpt = DEFAULT_DECAY,
) -> None:
    """Export the org chart and its money as one graph: roles, clients, reporting lines
    and net money, coloured by alienation, inverted relationships in bold red.

    Exit status: 0 written (findings do not change it), 2 bad input or usage.
    """
    fmt = to or (_BY_SUFFIX.get(output.suffix.lower()) if output else None)
    if fmt is None:
        fail(
            [
                "clientchain: export needs --to dot|mermaid|graphml|json (or -o FILE ending"
                " in .dot, .gv, .mmd, .graphml or .json)"
            ]
        )
    loaded = load_or_fail(org, flows)
    if output is not None:
        refuse_inputs(output, loaded)
    from clientchain.analysis import analyze
    from clientchain.exportgraph import build_export_graph
    from clientchain.render.graphml import UnrepresentableError

    graph = build_export_graph(analyze(loaded, decay))
    if fmt is GraphFormat.mermaid and len(graph.nodes) > MERMAID_NODE_LIMIT:
        sys.stderr.write(
            f"clientchain: note: {count(len(graph.nodes), 'node')}: Mermaid renderers are slow"
            f" or give up above about {MERMAID_NODE_LIMIT:,}; --to dot (with sfdp) or graphml"
            " suit a graph this size\n"
        )
    try:
        text = _renderer(fmt)(graph)
    except UnrepresentableError as exc:
        fail([f"clientchain: {org}: {exc}"])
    data = text.encode("utf-8")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail([f"clientchain: cannot write {output}: {exc.strerror or exc}"])
    sys.stderr.write(
        f"clientchain: wrote {count(len(graph.nodes), 'node')} and"
        f" {count(len(graph.edges), 'edge')} to {output}\n"
    )
