"""Client sweeps over only the roles a block of clients reaches (analyses/local_sweeps.py)
give the figures the exact oracle gives. They are the route for organisations with many
clients; here they are forced on small ones, where the dense sweep would be chosen."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from fractions import Fraction

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain import analyze, loads
from clientchain.analyses import client_sweeps, local_sweeps, provenance
from clientchain.analyses.local_sweeps import LOCAL_MIN_BLOCKS
from clientchain.graph import reach
from clientchain.graph.acyclic_shares import AcyclicShares
from clientchain.graph.money import build_money_graph
from clientchain.graph.reach import Downstream, GraphCut
from clientchain.model.forking import can_fork
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs, org_specs
from tests.test_client_sweeps import redos_counted
from tests.test_in_turns import no_child_left
from tests.test_matrix_figures import check, matrix_org_specs
from tests.test_oracle import SLOW, decays, run_and_check

needs_fork = pytest.mark.skipif(not can_fork(), reason="the second core is used through fork")


@contextlib.contextmanager
def forced_local(cells: int = 4) -> Iterator[list[int]]:
    """Every client after the first swept locally, in blocks of about `cells` cells;
    yields the list of blocks swept locally (their first clients)."""
    swept: list[int] = []
    next_block = local_sweeps.LocalSweeps.next_block

    def counted(self: local_sweeps.LocalSweeps, first: int) -> local_sweeps.LocalBlock:
        block = next_block(self, first)
        if block.reached is not None:
            swept.append(first)
        return block

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provenance, "CELLS_PER_BLOCK", 1)  # dense blocks of one client
        patch.setattr(client_sweeps, "LOCAL_MIN_BLOCKS", 0)
        patch.setattr(local_sweeps, "DENSER", float("inf"))  # however many roles it reaches
        patch.setattr(local_sweeps, "BLOCK_COST", cells)  # blocks of a few clients
        patch.setattr(local_sweeps, "ROLE_COST", 0)
        patch.setattr(local_sweeps, "MIN_WIDTH", 1)
        patch.setattr(local_sweeps.LocalSweeps, "next_block", counted)
        yield swept


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(
    org=org_specs() | cyclic_org_specs(),
    decay=decays,
    top=st.sampled_from([0, 1, 2]),
    cells=st.sampled_from([1, 4, 50]),
)
def test_local_sweeps_match_the_oracle(org: OrgSpec, decay: float, top: int, cells: int) -> None:
    with forced_local(cells):
        run_and_check(org, decay, top)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(org=matrix_org_specs())
def test_local_sweeps_give_the_served_shares(org: OrgSpec) -> None:
    with forced_local():
        check(org)


def paid_tree(
    roles: int, clients: int, rng: np.random.Generator, span: int = 3, pays: int = 2
) -> list[str]:
    """An org chart's lines up to its flows' first ones: a tree of `roles` (each
    reporting to (i - 1) // span), and `clients` each paying `pays` roles of its bottom
    half."""
    lines = ["currency: EUR", "clients:", *[f"  - id: c{j}" for j in range(clients)]]
    lines += ["roles:", "  - id: r0"]
    lines += [f"  - {{id: r{i}, reports_to: r{(i - 1) // span}}}" for i in range(1, roles)]
    lines.append("flows:")
    for j in range(clients):
        for payee in rng.choice(np.arange(roles // 2, roles), size=pays, replace=False).tolist():
            lines.append(f"  - {{from: c{j}, to: r{payee}, amount: {int(rng.integers(1, 99))}}}")
    return lines


def _many_clients(roles: int, clients: int, seed: int) -> str:
    """A tree whose bottom roles are paid by many clients, money handed up the lines,
    and a loop of two roles that charge each other."""
    lines = paid_tree(roles, clients, np.random.default_rng(seed))
    lines += [f"  - {{from: r{i}, to: r{(i - 1) // 3}, amount: 5}}" for i in range(2, roles)]
    lines += ["  - {from: r1, to: r2, amount: 3}", "  - {from: r2, to: r1, amount: 4}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("top", [0, 3])
def test_many_clients_swept_locally_list_what_dense_sweeps_list(top: int) -> None:
    org = loads(_many_clients(200, 300, seed=top), source="org.yaml")
    dense = analyze(org, top_clients=top)
    with forced_local(cells=2_000) as swept:
        local = analyze(org, top_clients=top)
    assert len(swept) > 3  # several local blocks, of several clients each
    a, b = dense.provenance_raw, local.provenance_raw
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.client, b.client)
    assert np.allclose(a.share, b.share, rtol=0, atol=1e-15)
    assert np.allclose(dense.served_share_raw, local.served_share_raw, equal_nan=True)


edges = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=30)


@pytest.mark.parametrize("compiled", [True, False])
@settings(max_examples=100, deadline=None)
@given(edges=edges, sources=st.lists(st.integers(0, 11), min_size=1, max_size=4))
def test_downstream_is_every_role_the_sources_reach(
    edges: list[tuple[int, int]], sources: list[int], compiled: bool
) -> None:
    """With scipy's compiled search called directly, and through scipy.sparse.csgraph
    (where the compiled one is not found)."""
    roles = 12
    text = ["currency: EUR", "clients: [{id: c}]", "roles:"]
    text += [f"  - id: r{i}" for i in range(roles)]
    text.append("flows:")
    text += [f"  - {{from: r{u}, to: r{v}, amount: 1}}" for u, v in set(edges) if u != v]
    text.append("  - {from: c, to: r0, amount: 1}")
    graph = build_money_graph(loads("\n".join(text) + "\n", source="org.yaml"))
    reference = nx.DiGraph(edges)
    expected = set(sources)
    for s in sources:
        if s in reference:
            expected |= nx.descendants(reference, s)
    downstream = Downstream(graph)
    with pytest.MonkeyPatch.context() as patch:
        if not compiled:
            patch.setattr(reach, "breadth_first", lambda: None)
        for _ in range(2):  # the start's edges are rewritten in place: a second search alike
            assert downstream.reached(np.array(sources)).tolist() == sorted(expected)


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW)
@given(org=org_specs() | cyclic_org_specs(), data=st.data())
def test_a_cut_keeps_the_whole_graphs_shares(org: OrgSpec, data: st.DataObject) -> None:
    from tests.orgs import render_yaml

    graph = build_money_graph(loads(render_yaml(org), source="org.yaml"))
    clients = graph.nodes - graph.roles
    first = data.draw(st.integers(0, clients - 1))
    last = data.draw(st.integers(first + 1, clients))
    payees = graph.payee[(graph.payer >= graph.roles + first) & (graph.payer < graph.roles + last)]
    roles = Downstream(graph).reached(payees)
    cut, left_out = GraphCut(graph).cut(roles, first, last)
    # Every pair kept is a pair of the whole graph, with its share; with what was left
    # out, each role's shares add up to what the whole graph's do.
    node = np.r_[roles, graph.roles + np.arange(first, last)]
    whole = {
        (int(u), int(v)): Fraction(s)
        for u, v, s in zip(graph.payer, graph.payee, graph.share, strict=True)
    }
    for u, v, s in zip(cut.payer, cut.payee, cut.share, strict=True):
        assert whole[(int(node[u]), int(node[v]))] == Fraction(s)
    for i, v in enumerate(roles.tolist()):
        mine = [s for (_, w), s in whole.items() if w == v]
        kept = [Fraction(s) for s, w in zip(cut.share, cut.payee, strict=True) if w == i]
        assert abs(sum(mine) - sum(kept) - Fraction(left_out[i])) < Fraction(1, 10**12)
    assert np.all(np.diff(cut.payee * cut.nodes + cut.payer) > 0)  # sorted, as a graph is


def _some_pay_the_top(roles: int, clients: int) -> str:
    """A budget-funded body (money from each boss to each report) whose clients pay
    front-line roles, but for a run of them who pay the head: their money reaches every
    role."""
    lines = ["currency: EUR", "clients:", *[f"  - id: c{j}" for j in range(clients)]]
    lines += ["roles:", "  - id: r0"]
    lines += [f"  - {{id: r{i}, reports_to: r{(i - 1) // 3}}}" for i in range(1, roles)]
    lines.append("flows:")
    for j in range(clients):
        payee = 0 if clients // 3 <= j < clients // 2 else roles - 1 - (7 * j) % (roles // 2)
        lines.append(f"  - {{from: c{j}, to: r{payee}, amount: {j + 1}}}")
    lines += [f"  - {{from: r{(i - 1) // 3}, to: r{i}, amount: 5}}" for i in range(1, roles)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("two_cores", [True, False])
def test_clients_that_reach_everyone_fall_back_to_dense_blocks(two_cores: bool) -> None:
    """Blocks with a client paying the head reach every role: they are swept dense, never
    wider than a dense block (the forked merger's buffer holds no more), and the result
    is the dense sweeps'."""
    org = loads(_some_pay_the_top(1_000, 400), source="org.yaml")
    dense = analyze(org, top_clients=3)
    swept: list[bool] = []
    next_block = local_sweeps.LocalSweeps.next_block

    def counted(self: local_sweeps.LocalSweeps, first: int) -> local_sweeps.LocalBlock:
        block = next_block(self, first)
        swept.append(block.reached is not None)
        return block

    with pytest.MonkeyPatch.context() as patch:
        # As at a million roles: dense blocks of 16 clients, local ones of 32 at least.
        patch.setattr(provenance, "CELLS_PER_BLOCK", 16_000)
        patch.setattr(local_sweeps, "CELLS_PER_BLOCK", 16_000)
        patch.setattr(local_sweeps, "BLOCK_COST", 300)
        patch.setattr(local_sweeps, "ROLE_COST", 1)
        patch.setattr(client_sweeps, "MIN_ROLES", 0)  # the forked merger, as from 200k roles
        patch.setattr(client_sweeps, "second_core_free", lambda: two_cores)
        patch.setattr(local_sweeps.LocalSweeps, "next_block", counted)
        mixed = analyze(org, top_clients=3)
    assert True in swept and False in swept  # both routes taken
    a, b = dense.provenance_raw, mixed.provenance_raw
    assert np.array_equal(a.indptr, b.indptr) and np.array_equal(a.client, b.client)
    assert np.allclose(a.share, b.share, rtol=0, atol=1e-15)


def _crossing(roles: int, clients: int, seed: int, loops: bool = True) -> str:
    """A tree whose roles each pay up to three roles anywhere above them, clients paying
    two of the bottom half each, and two small loops (unless not `loops`): roles with
    many payers, whose shares' last bits depend on how a plan groups its sums (a local
    block's plan and a dense sweep's differ there)."""
    rng = np.random.default_rng(seed)
    lines = paid_tree(roles, clients, rng)
    for i in range(1, roles):
        for above in sorted(set(rng.integers(0, i, size=3).tolist())):
            lines.append(f"  - {{from: r{i}, to: r{above}, amount: {int(rng.integers(1, 50))}}}")
    if loops:
        lines += ["  - {from: r1, to: r2, amount: 3}", "  - {from: r2, to: r1, amount: 4}"]
        lines += ["  - {from: r3, to: r7, amount: 3}", "  - {from: r0, to: r3, amount: 1}"]
    return "\n".join(lines) + "\n"


ROLES = 300


def _raw(
    org: str, width: int, two_cores: bool, local: bool = True, **patched: object
) -> list[bytes]:
    """The provenance and served shares, bit for bit: dense blocks of `width` clients,
    then (`local`) local blocks of a few clients however many roles they reach, or only
    where they would take more than LOCAL_MIN_BLOCKS dense ones; MIN_ROLES 0: the forked
    child from any size on, when `two_cores`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provenance, "CELLS_PER_BLOCK", ROLES * width)
        if local:
            patch.setattr(client_sweeps, "LOCAL_MIN_BLOCKS", 0)
        patch.setattr(local_sweeps, "DENSER", float("inf"))
        patch.setattr(local_sweeps, "BLOCK_COST", 300)
        patch.setattr(local_sweeps, "ROLE_COST", 0)
        patch.setattr(local_sweeps, "MIN_WIDTH", 2)
        patch.setattr(client_sweeps, "MIN_ROLES", 0)
        patch.setattr(client_sweeps, "second_core_free", lambda: two_cores)
        for name, value in patched.items():
            patch.setattr(client_sweeps.BlockMerger, name, value)
        analysis = analyze(loads(org, source="org.yaml"), top_clients=3)
    prov = analysis.provenance_raw
    raw = [prov.indptr, prov.client, prov.share, analysis.served_share_raw]
    return [np.asarray(a).tobytes() for a in raw]


@needs_fork
@pytest.mark.parametrize("width", [16, 24, 41])
@pytest.mark.parametrize("loops", [True, False])
def test_local_blocks_swept_by_the_child_are_the_same_to_the_bit(width: int, loops: bool) -> None:
    """On two cores the child sweeps a first block narrower than one process' (8
    clients where blocks are a multiple of 8 wide), then every other local block while
    the parent sweeps the one before it: the local blocks start where one process'
    do, they are the same blocks, and the shares are the same bit for bit. With no
    loop, each block is swept over the whole plan's layers (acyclic_shares), in the
    child as in the parent."""
    org = _crossing(ROLES, 600, seed=5, loops=loops)
    asked: list[int] = []
    acyclic: list[bool] = []
    real_ask = client_sweeps.BlockMerger.ask_local
    real_solve = AcyclicShares.solve

    def ask_local(self: client_sweeps.BlockMerger, *args: object) -> bool:
        asked.append(1)
        return real_ask(self, *args)  # type: ignore[arg-type]

    def solve(self: AcyclicShares, *args: object) -> object:
        solved = real_solve(self, *args)  # type: ignore[arg-type]
        acyclic.append(solved is not None)
        return solved

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(AcyclicShares, "solve", solve)
        assert _raw(org, width, True, ask_local=ask_local) == _raw(org, width, False)
    assert len(asked) > 3
    assert acyclic and all(acyclic) is not loops and any(acyclic) is not loops
    assert no_child_left()


@needs_fork
def test_two_cores_take_the_dense_route_where_one_does() -> None:
    """Clients that take LOCAL_MIN_BLOCKS dense blocks after one process' first block
    (but one more after the child's narrower one) are swept dense on two cores too."""
    width = 24
    clients = (LOCAL_MIN_BLOCKS + 1) * width - 6
    assert client_sweeps.first_child_block(width, clients) < width
    org = _crossing(ROLES, clients, seed=8)
    found: list[int] = []
    next_block = local_sweeps.LocalSweeps.next_block

    def counted(self: local_sweeps.LocalSweeps, first: int) -> local_sweeps.LocalBlock:
        found.append(first)
        return next_block(self, first)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local_sweeps.LocalSweeps, "next_block", counted)
        two = _raw(org, width, True, local=False)
    assert two == _raw(org, width, False, local=False)
    assert not found
    assert no_child_left()


@needs_fork
@pytest.mark.parametrize("at_call", [1, 4])
def test_a_child_that_stops_in_a_local_block_leaves_them_to_the_parent(
    at_call: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent sweeps every client again, the local blocks from where one process'
    start: the same bits as one process."""
    org = _crossing(ROLES, 600, seed=6)
    expected = _raw(org, 24, False)
    parent, real_solve_at, calls = os.getpid(), local_sweeps.LocalSweeps.solve_at, [0]

    def solve_at(self: local_sweeps.LocalSweeps, *args: object) -> None:
        if os.getpid() != parent:
            calls[0] += 1
            if calls[0] == at_call:
                os.kill(os.getpid(), signal.SIGKILL)
        real_solve_at(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(local_sweeps.LocalSweeps, "solve_at", solve_at)
    redone = redos_counted(monkeypatch)
    assert _raw(org, 24, True) == expected
    assert redone  # the parent did it all again
    assert no_child_left()
