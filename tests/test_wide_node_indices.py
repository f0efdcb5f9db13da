"""Node indices past 46,341: a pair key (payee * nodes + payer) no longer fits in 32
bits, though each index does. The money graph holds its nodes as int32 where they fit;
every figure made from pair keys (money back the other way, net, relation, inversions,
served roles' share, the export's inverted edges) must come out as at a handful of
roles, hand-computed here."""

from __future__ import annotations

import pytest

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.export.graph import MONEY, build_export_graph

FILLER = 50_000  # roles before the ones that matter: their indices square past 2**31


def _analysis() -> Analysis:
    lines = ["roles:", "  - id: top"]
    lines += [f"  - {{id: f{k}, reports_to: top}}" for k in range(FILLER)]
    lines += [
        "  - {id: lead, reports_to: top}",
        "  - {id: seller, reports_to: lead, serves: lead}",
        "  - {id: helper, reports_to: top, dotted_to: seller}",
        "clients:",
        "  - id: buyers",
        "flows:",
        "  - {from: buyers, to: seller, amount: 100}",
        "  - {from: seller, to: lead, amount: 30}",  # revenue up ...
        "  - {from: lead, to: seller, amount: 50}",  # ... a larger budget down: inverted
        "  - {from: top, to: lead, amount: 10}",
        "  - {from: helper, to: seller, amount: 5}",  # up a dotted line
    ]
    org = clientchain.loads("\n".join(lines) + "\n", source="org.yaml")
    assert org.role_count + org.client_count > 46_341  # (the point of the test)
    return clientchain.analyze(org)


@pytest.mark.slow
def test_figures_from_pair_keys_past_32_bits() -> None:
    analysis = _analysis()
    doc = clientchain.json_document(analysis)
    roles = {role["id"]: role for role in doc["roles"]}
    # seller: 100 from buyers; 50 from lead against 30 back, net 20, from its boss; 5
    # from helper, which has a dotted line to it.
    assert roles["seller"]["clients"] == [
        {"id": "buyers", "net": 100, "relation": "external"},
        {"id": "lead", "net": 20, "relation": "boss"},
        {"id": "helper", "net": 5, "relation": "subordinate"},
    ]
    # lead: 10 from top; seller's 30 is less than the 50 it gets back: no client.
    assert roles["lead"]["clients"] == [{"id": "top", "net": 10, "relation": "boss"}]
    # seller serves lead, which hands it 50 of its 155.
    assert roles["seller"]["served_roles_share"] == round(50 / 155, 12)  # (as shown)
    pairs = {(inv["boss"], inv["subordinate"]): inv for inv in doc["inversions"]}
    assert set(pairs) == {("lead", "seller"), ("top", "lead")}
    assert pairs[("lead", "seller")]["net"] == 20
    assert pairs[("top", "lead")]["net"] == 10

    exported = build_export_graph(analysis)
    names = [node.id for node in exported.nodes]
    inverted = {
        (names[edge.source], names[edge.target]): (edge.net, edge.amount_back)
        for edge in exported.edges
        if edge.kind == MONEY and edge.inverted
    }
    assert inverted == {("lead", "seller"): (20, 30), ("top", "lead"): (10, 0)}
