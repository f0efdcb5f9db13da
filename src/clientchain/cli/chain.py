"""`clientchain chain ORG ROLE`: where a role's money comes from, back to the paying clients."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from clientchain.analyses.defaults import DEFAULT_DECAY, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES
from clientchain.cli.config import ConfigOpt, ConfigVerboseOpt, IsolatedOpt, configured, say_config
from clientchain.cli.options import (
    DecayOpt,
    DecimalCommaOpt,
    DelimiterOpt,
    EncodingOpt,
    FlowsOpt,
    OrgArg,
    dialect_of,
    fail,
    format_option,
    load_or_fail,
    print_rich,
)
from clientchain.model.holder import value_class
from clientchain.model.visible import clip


class ChainFormat(StrEnum):
    table = "table"
    json = "json"


@value_class
class Configurable:
    """The options of chain a configuration file may set (cli.config)."""

    output: ChainFormat
    decay: float


def chain_command(
    ctx: typer.Context,
    org: OrgArg,
    role: Annotated[
        str, typer.Argument(metavar="ROLE", help="The role id to trace.", show_default=False)
    ],
    flows: FlowsOpt = None,
    delimiter: DelimiterOpt = None,
    encoding: EncodingOpt = None,
    decimal_comma: DecimalCommaOpt = False,
    output: Annotated[
        ChainFormat,
        format_option(
            "table: the tree for people; json: {role, currency, decay, inflow,"
            " closeness_traced, complete, hops: [{id, kind, pays, hand_overs, amount,"
            " fraction, share, stop, closeness}]}, hops in pre-order, `pays` the index of"
            " the hop paid."
        ),
    ] = ChainFormat.table,
    decay: DecayOpt = DEFAULT_DECAY,
    max_depth: Annotated[
        int, typer.Option("--max-depth", min=1, help="Hand-overs shown.")
    ] = DEFAULT_MAX_DEPTH,
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Payers shown in all.")
    ] = DEFAULT_MAX_NODES,
    config: ConfigOpt = None,
    isolated: IsolatedOpt = False,
    verbose: ConfigVerboseOpt = False,
) -> None:
    """Show where a role's money comes from: hand-overs back to the paying clients.

    With --decay G, each paying client's part of the role's closeness is its share
    times G for every hand-over after the first; the closing line adds them up.
    """
    from clientchain.analyses.chain import trace_chain
    from clientchain.graph.money import build_money_graph
    from clientchain.model.problems import closest

    settings = configured(ctx, org, config, isolated, Configurable(output, decay))
    output, decay = settings.values.output, settings.values.decay
    if verbose:
        say_config(settings, "chain")
    loaded = load_or_fail(org, flows, dialect_of(delimiter, encoding, decimal_comma))
    index = loaded.role_index.get(role)
    if index is None:
        close = closest(role, loaded.role_ids)
        hint = f" (did you mean '{clip(close)}'?)" if close is not None else ""
        known = " (it is a client, not a role)" if role in loaded.client_ids else ""
        fail([f"clientchain: unknown role '{clip(role)}' in {loaded.source}{known}{hint}"])
    graph = build_money_graph(loaded)
    tree = trace_chain(loaded, graph, index, max_depth=max_depth, max_nodes=max_nodes)
    if output is ChainFormat.json:
        from clientchain.render.analysis.chain_json import render_chain_json

        sys.stdout.write(render_chain_json(loaded, tree, decay))
        return
    from clientchain.render.analysis.chain_tree import render_chain  # rich: only when asked

    print_rich(render_chain(loaded, tree, decay))
