"""The networkx graph handed to library users carries the same figures as the analysis."""

from __future__ import annotations

import clientchain

ORG = """
clients: [{id: buyers}]
roles:
  - {id: boss}
  - {id: worker, reports_to: boss, headcount: 3}
flows:
  - {from: buyers, to: worker, amount: 100}
  - {from: worker, to: boss, amount: 30}
  - {from: boss, to: worker, amount: 50}
"""


def test_graph_has_roles_clients_reporting_lines_and_money() -> None:
    analysis = clientchain.analyze(clientchain.loads(ORG))
    graph = clientchain.to_networkx(analysis)
    assert graph.nodes["buyers"]["kind"] == "client"
    worker = next(r for r in analysis.roles if r.id == "worker")
    assert graph.nodes["worker"]["alienation"] == worker.alienation
    edges = {(u, v, d["kind"]): d for u, v, d in graph.edges(data=True)}
    assert ("worker", "boss", "reports_to") in edges
    down = edges[("boss", "worker", "money")]
    assert (down["amount"], down["net"], down["inverted"]) == (50.0, 20.0, True)
    assert edges[("buyers", "worker", "money")]["net"] == 100.0
