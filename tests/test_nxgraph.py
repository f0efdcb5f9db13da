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


def test_net_graph_is_the_exported_graph_one_money_edge_per_pair() -> None:
    graph = clientchain.to_networkx(clientchain.analyze(clientchain.loads(ORG)), money="net")
    assert graph.is_multigraph() and graph.is_directed()
    assert list(graph.nodes) == ["buyers", "boss", "worker"]  # clients, then roles
    assert sorted(graph.edges(keys=True)) == [
        ("boss", "worker", "money"),  # 50 down, 30 up: one edge, net 20 down
        ("buyers", "worker", "money"),
        ("worker", "boss", "reports_to"),
    ]
    down = graph.edges["boss", "worker", "money"]
    assert (down["net"], down["amount"], down["amount_back"]) == (20.0, 50.0, 30.0)
    assert (down["inverted"], down["levels"], down["label"]) == (True, 1, "20")
    # GraphML-safe: every value a str, int, float or bool, never None.
    values = [
        *graph.graph.values(),
        *(v for _, data in graph.nodes(data=True) for v in data.values()),
        *(v for _, _, data in graph.edges(data=True) for v in data.values()),
    ]
    assert {type(v) for v in values} <= {str, int, float, bool}
    assert "title" not in graph.nodes["boss"]  # absent, not None


def test_flows_graph_keeps_one_edge_per_direction() -> None:
    graph = clientchain.to_networkx(clientchain.analyze(clientchain.loads(ORG)))
    money = [(u, v, d["net"]) for u, v, d in graph.edges(data=True) if d["kind"] == "money"]
    assert sorted(money) == [
        ("boss", "worker", 20.0),
        ("buyers", "worker", 100.0),
        ("worker", "boss", -20.0),
    ]
