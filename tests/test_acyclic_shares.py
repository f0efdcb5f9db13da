"""A block of clients whose roles hold no money loop is swept over the whole plan's layers
(graph/acyclic_shares.py): its shares are the exact ones, each the same bits in whichever
block it is swept, and a block with a loop among its roles is left to a plan of its own."""

from __future__ import annotations

from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain import loads
from clientchain.graph.acyclic_shares import FEW_LAYERS, AcyclicShares
from clientchain.graph.money import MoneyGraph, build_money_graph
from clientchain.graph.reach import Downstream, GraphCut
from clientchain.graph.sweep import SweepPlan, plan_sweeps
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs, org_specs, render_yaml
from tests.test_local_sweeps import paid_tree
from tests.test_oracle import SLOW


def _solver(graph: MoneyGraph) -> tuple[AcyclicShares, SweepPlan]:
    plan = plan_sweeps(graph)
    return AcyclicShares(graph, plan, GraphCut(graph)), plan


def _reached(graph: MoneyGraph, first: int, last: int) -> np.ndarray:
    paid = (graph.payer >= graph.roles + first) & (graph.payer < graph.roles + last)
    return Downstream(graph).reached(graph.payee[paid])


def _exact_shares(
    graph: MoneyGraph, roles: list[int], first: int, last: int
) -> dict[tuple[int, int], Fraction]:
    """(role, client) -> its share, in fractions, role by role in money's order: a role's
    clients' direct shares plus each payer's shares times what the payer hands it."""
    inside = set(roles)
    money = nx.DiGraph()
    money.add_nodes_from(roles)
    pays: dict[int, list[tuple[int, Fraction]]] = {v: [] for v in roles}
    for u, v, amount in zip(graph.payer.tolist(), graph.payee.tolist(), graph.amount, strict=True):
        if v in inside and (u in inside or first <= u - graph.roles < last):
            pays[v].append((u, Fraction(amount) / Fraction(graph.inflow[v])))
            if u in inside:
                money.add_edge(u, v)
    share: dict[tuple[int, int], Fraction] = {}
    for v in nx.topological_sort(money):
        for u, fraction in pays[v]:
            for c in range(first, last):
                if u >= graph.roles:
                    part = fraction if u - graph.roles == c else Fraction(0)
                else:
                    part = fraction * share[(u, c)]
                share[(v, c)] = share.get((v, c), Fraction(0)) + part
    return share


def _has_loop(graph: MoneyGraph, roles: np.ndarray) -> bool:
    inner = graph.payer < graph.roles
    money = nx.DiGraph(zip(graph.payer[inner].tolist(), graph.payee[inner].tolist(), strict=True))
    return not nx.is_directed_acyclic_graph(money.subgraph(roles.tolist()))


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(org=org_specs() | cyclic_org_specs(), data=st.data())
def test_a_blocks_shares_are_exact_or_left_to_its_own_plan(
    org: OrgSpec, data: st.DataObject
) -> None:
    graph = build_money_graph(loads(render_yaml(org), source="org.yaml"))
    clients = graph.nodes - graph.roles
    first = data.draw(st.integers(0, clients - 1))
    last = data.draw(st.integers(first + 1, clients))
    reached = _reached(graph, first, last)
    solver, plan = _solver(graph)
    solved = solver.solve(reached, first, last)
    if solved is None:  # (a loop, or more layers than a product each is worth)
        assert _has_loop(graph, reached) or reached.size > FEW_LAYERS
        return
    assert not _has_loop(graph, reached)
    shares, position = solved
    assert sorted(plan.order[position].tolist()) == reached.tolist()
    assert np.all(np.diff(position) > 0)  # rows in plan order
    exact = _exact_shares(graph, reached.tolist(), first, last)
    for row, role in enumerate(plan.order[position].tolist()):
        for c in range(first, last):
            expected = exact.get((role, c), Fraction(0))
            assert abs(Fraction(shares[row, c - first]) - expected) <= Fraction(1, 10**14)


def _sales_network(roles: int, clients: int, seed: int) -> str:
    """A tree of `roles` (each reporting to (i - 1) // 5: wide spans, so a boss has many
    payers), revenue up every line, each client paying three roles of its bottom half."""
    rng = np.random.default_rng(seed)
    lines = paid_tree(roles, clients, rng, span=5, pays=3)
    lines += [
        f"  - {{from: r{i}, to: r{(i - 1) // 5}, amount: {int(rng.integers(1, 50))}}}"
        for i in range(1, roles)
    ]
    return "\n".join(lines) + "\n"


def _left_to_right(graph: MoneyGraph, plan: SweepPlan, first: int, last: int) -> np.ndarray:
    """Every role's shares (plan order x clients), a role at a time in plan order: its
    direct share, then each payer's term added in the graph's order of its payers, zeros
    too, as a dense sweep over an acyclic graph adds them."""
    x = np.zeros((graph.roles, last - first))
    pays: dict[int, list[tuple[int, float]]] = {p: [] for p in range(graph.roles)}
    for u, v, s in zip(graph.payer.tolist(), graph.payee.tolist(), graph.share, strict=True):
        pays[int(plan.position[v])].append((u, float(s)))
    for p in range(graph.roles):
        for u, s in pays[p]:  # (pairs sorted by payee, then payer)
            c = u - graph.roles
            if u < graph.roles:
                x[p] += s * x[plan.position[u]]
            elif first <= c < last:
                x[p, c - first] = s
    return x


@pytest.mark.parametrize("width", [1, 7, 40])
def test_a_share_is_the_same_bits_in_whichever_block_it_is_swept(width: int) -> None:
    """Those of a dense sweep adding every payer's term left to right, into `out`."""
    graph = build_money_graph(loads(_sales_network(300, 120, seed=width), source="org.yaml"))
    solver, plan = _solver(graph)
    every = _left_to_right(graph, plan, 0, 120)
    for first in range(0, 120, width):
        last = min(first + width, 120)
        reached = _reached(graph, first, last)
        out = np.full(reached.size * (last - first), np.nan)  # every cell written
        solved = solver.solve(reached, first, last, out)
        assert solved is not None and np.shares_memory(solved[0], out)
        shares, position = solved
        assert np.array_equal(shares, every[position, first:last])
        unreached = np.setdiff1d(np.arange(graph.roles), position)
        assert not every[unreached, first:last].any()


def test_a_deep_line_is_left_to_the_plans_thin_runs() -> None:
    """A line of 500 roles paying up, its clients at the bottom: a layer a role."""
    lines = ["currency: EUR", "clients: [{id: a}, {id: b}]", "roles:", "  - id: r0"]
    lines += [f"  - {{id: r{i}, reports_to: r{i - 1}}}" for i in range(1, 500)]
    lines += ["flows:", "  - {from: a, to: r499, amount: 3}", "  - {from: b, to: r498, amount: 4}"]
    lines += [f"  - {{from: r{i}, to: r{i - 1}, amount: 2}}" for i in range(1, 500)]
    graph = build_money_graph(loads("\n".join(lines) + "\n", source="org.yaml"))
    solver, _ = _solver(graph)
    assert solver.solve(_reached(graph, 0, 2), 0, 2) is None


def test_clients_that_pay_no_role_reach_none() -> None:
    text = "currency: EUR\nclients: [{id: a}, {id: b}]\nroles: [{id: r}]\n"
    text += "flows: [{from: a, to: r, amount: 2}]\n"
    graph = build_money_graph(loads(text, source="org.yaml"))
    solver, _ = _solver(graph)
    reached = _reached(graph, 1, 2)
    assert reached.size == 0
    solved = solver.solve(reached, 1, 2, np.zeros(0))
    assert solved is not None and solved[0].shape == (0, 1) and solved[1].size == 0
