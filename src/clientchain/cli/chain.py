"""`clientchain chain ORG ROLE`: where a role's money comes from, back to the paying clients."""

from __future__ import annotations

from typing import Annotated

import typer

from clientchain.analyses.chain import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, trace_chain
from clientchain.cli.options import (
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    OrgArg,
    dialect_of,
    fail,
    load_or_fail,
    print_rich,
)
from clientchain.graph.money import build_money_graph
from clientchain.model.problems import closest
from clientchain.model.visible import clip


def chain_command(
    org: OrgArg,
    role: Annotated[
        str, typer.Argument(metavar="ROLE", help="The role id to trace.", show_default=False)
    ],
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    max_depth: Annotated[
        int, typer.Option("--max-depth", min=1, help="Hand-overs shown.")
    ] = DEFAULT_MAX_DEPTH,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Payers shown in all.")
    ] = DEFAULT_MAX_NODES,
) -> None:
    """Show where a role's money comes from: hand-overs back to the paying clients."""
    loaded = load_or_fail(org, flows, dialect_of(delimiter, encoding, decimal_comma))
    index = loaded.role_index.get(role)
    if index is None:
        close = closest(role, loaded.role_ids)
        hint = f" (did you mean '{clip(close)}'?)" if close is not None else ""
        known = " (it is a client, not a role)" if role in loaded.client_ids else ""
        fail([f"clientchain: unknown role '{clip(role)}' in {org}{known}{hint}"])
    graph = build_money_graph(loaded)
    tree = trace_chain(loaded, graph, index, max_depth=max_depth, max_nodes=max_nodes)
    from clientchain.render.analysis.chain_tree import render_chain  # rich: only when asked

    print_rich(render_chain(loaded, tree))
