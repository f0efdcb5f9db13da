"""The analysed organisation as a networkx graph, for library users and exporters.

networkx is imported here only, on request: the analysis itself never needs it.
"""

from __future__ import annotations

from typing import Any, Literal

from clientchain.analyses.analyze import Analysis
from clientchain.export.graph import ExportGraph, build_export_graph


def to_networkx(analysis: Analysis, *, money: Literal["flows", "net"] = "flows") -> Any:
    """A `networkx.MultiDiGraph`: one node per role and client, four kinds of edge.

    * `kind="reports_to"`: role -> its boss;
    * `kind="dotted_to"`: role -> each of its dotted-line (matrix) bosses;
    * `kind="serves"`: role -> each role or client its work is for;
    * `kind="money"`: with `money="flows"` (the default), one edge per payer -> payee
      with money, `amount` (summed), `net` (negative when more flows back) and
      `inverted`; with `money="net"`, the graph `clientchain export` writes: one edge
      per pair, net payer -> net payee, keyed by kind, every
      attribute a str, int, float or bool (see `clientchain.export.graph`).

    Role nodes carry every figure of the JSON document; client nodes `kind="client"`
    and their `owner` (None when none is named).
    """
    if money == "net":
        return graph_of(build_export_graph(analysis))
    import networkx as nx

    org = analysis.org
    graph = nx.MultiDiGraph(org=org.name, currency=org.currency, decay=analysis.decay)
    owners = org.client_owner.tolist()
    for j, cid in enumerate(org.client_ids):
        owner = org.role_ids[owners[j]] if owners and owners[j] >= 0 else None
        graph.add_node(
            cid,
            kind="client",
            title=org.client_titles[j],
            owner=owner,
            **dict(org.client_extra.get(j, {})),
        )
    inverted = {(i.boss, i.subordinate) for i in analysis.inversions}
    for i, role in enumerate(analysis.roles):
        # A custom key of the org chart named like a figure (`span`, `layer`) gives way
        # to the figure rather than failing the export.
        figures = {
            "kind": "role",
            "title": role.title,
            "department": role.department,
            "headcount": role.headcount,
            "inflow": role.inflow,
            "closeness": role.closeness,
            "alienation": role.alienation,
            "distance": role.distance,
            "traced_share": role.traced_share,
            "unfunded": bool(analysis.unfunded[i]),
            "span": role.span,
            "layer": role.layer,
            "dotted_to": list(role.dotted_to),
            "serves": list(role.serves),
            "served_share": role.served_share,
            "served_roles_share": role.served_roles_share,
        }
        graph.add_node(role.id, **{**dict(org.role_extra.get(i, {})), **figures})
    for role in analysis.roles:
        if role.reports_to is not None:
            graph.add_edge(role.id, role.reports_to, kind="reports_to")
        for kind, named in (("dotted_to", role.dotted_to), ("serves", role.serves)):
            for other in dict.fromkeys(named):  # named twice: one edge
                graph.add_edge(role.id, other, kind=kind)
    pairs = analysis.graph
    for source, target, amount, net in zip(
        org.node_ids(pairs.payer.tolist()),
        org.node_ids(pairs.payee.tolist()),
        pairs.amount.tolist(),
        pairs.net.tolist(),
        strict=True,
    ):
        graph.add_edge(
            source,
            target,
            kind="money",
            amount=amount,
            net=net,
            inverted=(source, target) in inverted,
        )
    return graph


def graph_of(export: ExportGraph) -> Any:
    """The export graph as a `networkx.MultiDiGraph` (edge keys: the edge kinds)."""
    import networkx as nx

    graph = nx.MultiDiGraph(**export.attrs)
    graph.add_nodes_from((node.id, node.attrs) for node in export.nodes)
    ids = [node.id for node in export.nodes]
    graph.add_edges_from(
        (ids[edge.source], ids[edge.target], edge.kind, edge.attrs) for edge in export.edges
    )
    return graph
