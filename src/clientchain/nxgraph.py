"""The analysed organisation as a networkx graph, for library users and exporters.

networkx is imported here only, on request: the analysis itself never needs it.
"""

from __future__ import annotations

from typing import Any

from clientchain.analysis import Analysis


def to_networkx(analysis: Analysis) -> Any:
    """A `networkx.MultiDiGraph`: one node per role and client, two kinds of edge.

    * `kind="reports_to"`: role -> its boss;
    * `kind="money"`: payer -> payee with `amount` (summed), `net` and `inverted`.

    Role nodes carry every figure of the JSON document; client nodes `kind="client"`.
    """
    import networkx as nx

    org = analysis.org
    graph = nx.MultiDiGraph(org=org.name, currency=org.currency, decay=analysis.decay)
    for j, cid in enumerate(org.client_ids):
        graph.add_node(
            cid, kind="client", title=org.client_titles[j], **dict(org.client_extra.get(j, {}))
        )
    inverted = {(i.boss, i.subordinate) for i in analysis.inversions}
    for i, role in enumerate(analysis.roles):
        graph.add_node(
            role.id,
            kind="role",
            title=role.title,
            department=role.department,
            headcount=role.headcount,
            inflow=role.inflow,
            closeness=role.closeness,
            alienation=role.alienation,
            distance=role.distance,
            traced_share=role.traced_share,
            unfunded=bool(analysis.unfunded[i]),
            **dict(org.role_extra.get(i, {})),
        )
    for role in analysis.roles:
        if role.reports_to is not None:
            graph.add_edge(role.id, role.reports_to, kind="reports_to")
    money = analysis.graph
    for payer, payee, amount, net in zip(
        money.payer.tolist(),
        money.payee.tolist(),
        money.amount.tolist(),
        money.net.tolist(),
        strict=True,
    ):
        source, target = org.node_id(payer), org.node_id(payee)
        graph.add_edge(
            source,
            target,
            kind="money",
            amount=amount,
            net=net,
            inverted=(source, target) in inverted,
        )
    return graph
