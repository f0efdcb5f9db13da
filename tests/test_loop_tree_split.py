"""A large core whose lines carry money both ways, swept with its tree solved exactly
(graph/loop_tree_split.py): where Gauss-Seidel gives up, before SuperLU.

Checked against dense solves, exact fractions and the brute-force oracle, with the
thresholds lowered so that small loops take the path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.graph import fringe as fringe_module
from clientchain.graph import layered_product as layered_product_module
from clientchain.graph import loop_core, loop_funnels, loop_krylov, loop_tree_split, sweep
from clientchain.graph.loop_gauss_seidel import CoreSolver, FactorisedCore, SweptCore, swept
from clientchain.graph.loop_tree_split import ForestSolve
from clientchain.graph.money import build_money_graph
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.sweep import plan_sweeps
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs
from tests.test_loop_fringe import _dense, _random_tree, tails_after
from tests.test_loop_gauss_seidel import (
    _core_solvers,
    _exact_shares,
    assert_exact,
    check_under,
    solved_with_cores,
)
from tests.test_oracle import SLOW, decays
from tests.test_sweep import dense_least_solution, org_from_edges


@contextmanager
def _splitting_every_core(gauss_seidel: bool = False) -> Iterator[None]:
    """Thresholds lowered, no funnels; Gauss-Seidel giving up at once unless asked for."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "DENSE_MAX", 1)
        patch.setattr(sweep, "FRINGE_MIN_ROLES", 0)
        patch.setattr(loop_core, "SWEEP_MIN_ROLES", 0)
        patch.setattr(loop_funnels, "MIN_SHARE", 2.0)
        if not gauss_seidel:
            patch.setattr(loop_core, "swept", lambda *_: None)
        yield


def _lines_and_recharges(
    roles: int, rng: np.random.Generator, big: int = 1, clients: int = 2, recharges: int = 1
) -> list[tuple[int, int, int]]:
    """Revenue up and a budget down every line of a random tree (each role reporting to
        any before it: about 2 ln(roles) levels, as shallow as organisations are; `big` times
        larger in the first half of the roles, which no client pays: support teams),
        clients paying the second half, and every role recharging `recharges` roles anywhere
    (amounts in the range `recharged`)."""
    parent = [-1] + [int(rng.integers(0, v)) for v in range(1, roles)]
    edges: list[tuple[int, int, int]] = []
    for v, boss in enumerate(parent):
        if boss >= 0:
            scale = big if v < roles // 2 else 1
            edges.append((v, boss, scale * int(rng.integers(500, 4000))))
            edges.append((boss, v, scale * int(rng.integers(100, 2000))))
    for v in range(roles // 2, roles):
        edges.append((roles + int(rng.integers(0, clients)), v, int(rng.integers(1000, 5000))))
    for u in range(roles):
        for v in rng.integers(0, roles, recharges).tolist():
            if v != u:
                edges.append((u, v, int(rng.integers(50, 500))))
    return edges


def _forest(solver: CoreSolver) -> ForestSolve | None:
    """The forest a split core's sweeps solve with, if it is one."""
    if isinstance(solver, SweptCore) and isinstance(solver.sweeps.lower, ForestSolve):
        return solver.sweeps.lower
    return None


def _split(solvers: list[CoreSolver]) -> bool:
    return any(
        isinstance(s, SweptCore) and isinstance(s.sweeps.lower, ForestSolve) for s in solvers
    )


@pytest.mark.parametrize("rounds", [64, 1])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("roles", [20, 90, 500])
def test_split_cores_equal_a_dense_solve(seed: int, roles: int, rounds: int) -> None:
    """The forest peeled in rounds, or in one round and a tail (fringe_tail)."""
    rng = np.random.default_rng(seed)
    edges = _lines_and_recharges(roles, rng)
    a, base = _dense(roles, 2, edges)
    with _splitting_every_core(), tails_after(rounds):
        for alpha in (0.4, 1.0):
            got, solvers = solved_with_cores(roles, 2, edges, alpha)
            assert _split(solvers)
            if rounds == 1 and roles > 20:
                forests = [forest for s in solvers if (forest := _forest(s)) is not None]
                assert any(forest.tail is not None for forest in forests)
            want = dense_least_solution(a, base, alpha)
            np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("rounds", [64, 1])
def test_a_split_core_is_exact_where_money_goes_round_support_lines(rounds: int) -> None:
    """Support teams' lines turn their money over thousands of times: against Gaussian
    elimination in fractions, role by role (the forest in rounds, or with a tail)."""
    rng = np.random.default_rng(5)
    roles = 26
    edges = _lines_and_recharges(roles, rng, big=10_000)
    graph = build_money_graph(org_from_edges(roles, 2, edges))
    share, base = _exact_shares(roles, 2, edges)
    with _splitting_every_core(), tails_after(rounds):
        plan = plan_sweeps(graph)
        rhs = np.array([[float(x) for x in row] for row in base])
        for alpha in (Fraction(1, 2), Fraction(1)):
            got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)] * 2))
            assert _split(_core_solvers(plan, float(alpha)))
            assert_exact(got, share, base, alpha, rel=1e-13)


def test_gauss_seidel_giving_up_is_where_the_split_is_tried() -> None:
    """Money turned over thousands of times on support lines: the sweeps give up, the
    split does not (against fractions: a dense solve in floats is off by more here)."""
    rng = np.random.default_rng(2)
    roles = 40
    edges = _lines_and_recharges(roles, rng, big=10_000)
    share, base = _exact_shares(roles, 2, edges)
    with _splitting_every_core(gauss_seidel=True):
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        rhs = np.array([[float(x) for x in row] for row in base])
        got = plan.from_plan(plan.solve(plan.to_plan(rhs), [1.0, 1.0]))
        assert _split(_core_solvers(plan, 1.0))
    assert_exact(got, share, base, Fraction(1), rel=1e-12)


def _probes_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each core Gauss-Seidel probes from now on."""
    probes: list[int] = []

    def counted(core: SquareCsc, *args: Any) -> SweptCore | None:
        probes.append(core.size)
        return swept(core, *args)

    monkeypatch.setattr(loop_core, "swept", counted)
    return probes


def test_a_core_whose_entries_mostly_pair_up_goes_straight_to_the_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lines both ways (two of every three entries off the diagonal pair up): the split
    is tried first, at every alpha, with no Gauss-Seidel probe; exact."""
    rng = np.random.default_rng(2)
    roles = 40
    edges = _lines_and_recharges(roles, rng, big=10_000)
    share, base = _exact_shares(roles, 2, edges)
    probes = _probes_counted(monkeypatch)
    rhs = np.array([[float(x) for x in row] for row in base])
    with _splitting_every_core(gauss_seidel=True):
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        for alpha in (Fraction(1, 2), Fraction(1)):
            got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)] * 2))
            solvers = _core_solvers(plan, float(alpha))
            assert solvers and all(s.along_lines for s in solvers)
            assert_exact(got, share, base, alpha, rel=1e-12)
    assert probes == []


@pytest.mark.parametrize("paired", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("seed", range(3))
def test_mostly_paired_counts_the_entries_whose_mirror_is_there(seed: int, paired: float) -> None:
    """Against a set of the entries (every entry is looked at below PAIR_SAMPLE)."""
    rng = np.random.default_rng(seed)
    size = 300
    one_way = {(int(r), int(c)) for r, c in rng.integers(0, size, (900, 2)) if r != c}
    both = [(r, c) for r, c in one_way if rng.random() < paired]
    entries = sorted(one_way | {(c, r) for r, c in both} | {(v, v) for v in range(size)})
    rows, cols = (np.array(side) for side in zip(*entries, strict=True))
    core = SquareCsc.from_entries(size, rows, cols, np.ones(rows.size))
    off = [(r, c) for r, c in entries if r != c]
    share = sum((c, r) in set(entries) for r, c in off) / len(off)
    assert loop_core.mostly_paired(core) == (share > 0.5)


def test_a_core_split_at_one_alpha_is_split_first_at_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three recharges a role, none answered by one back: most entries do not pair up,
    so Gauss-Seidel goes first, and gives up on the shares (alpha 1), which the split
    settles; at a decay the same core then goes straight to the split, and is exact. A
    plan asked for the decay alone tries Gauss-Seidel first, as always."""
    rng = np.random.default_rng(2)
    roles = 40
    edges = _lines_and_recharges(roles, rng, big=10_000, recharges=0)
    recharged: set[tuple[int, int]] = set()
    for u in range(roles):
        for v in rng.integers(0, roles, 3).tolist():
            if v != u and (v, u) not in recharged:  # (a pair would join the lines)
                recharged.add((u, v))
                edges.append((u, v, int(rng.integers(50, 500))))
    share, base = _exact_shares(roles, 2, edges)
    probes = _probes_counted(monkeypatch)
    rhs = np.array([[float(x) for x in row] for row in base])
    with _splitting_every_core(gauss_seidel=True):
        alone = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        alone.prepare([0.5])
        assert len(probes) == 1  # at the decay alone: Gauss-Seidel first
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        plan.prepare([1.0])
        assert len(probes) == 2 and _split(_core_solvers(plan, 1.0))
        plan.prepare([0.5])
        assert len(probes) == 2  # no Gauss-Seidel probe for the decay
        solvers = _core_solvers(plan, 0.5)
        assert solvers and all(s.along_lines for s in solvers)
        got = plan.from_plan(plan.solve(plan.to_plan(rhs), [0.5, 0.5]))
    assert_exact(got, share, base, Fraction(1, 2), rel=1e-12)


def test_a_core_with_no_lines_both_ways_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    """Budgets down and recharges: no pair pays both ways, so no forest: factorised
    (BiCGSTAB's probe on the sweeps given up too: test_loop_krylov)."""
    monkeypatch.setattr(loop_krylov, "KRYLOV_SWEEPS", 1)
    rng = np.random.default_rng(3)
    roles = 200
    parent = _random_tree(roles, rng)
    edges = [(p, v, int(rng.integers(100, 900))) for v, p in enumerate(parent) if p >= 0]
    edges += [(roles, v, 700) for v in range(roles // 2, roles)]
    edges += [(u, (u * 7 + 3) % roles, 90) for u in range(roles) if (u * 7 + 3) % roles != u]
    a, base = _dense(roles, 1, edges)
    with _splitting_every_core():
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 1, edges)))
        got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0]))
        solvers = _core_solvers(plan, 1.0)
    assert solvers and all(isinstance(s, FactorisedCore) for s in solvers)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays, top=st.sampled_from([0, 2]))
def test_engine_matches_oracle_with_every_core_split(org: OrgSpec, decay: float, top: int) -> None:
    """The split where it settles; BiCGSTAB or SuperLU's factors where it does not."""
    check_under(_splitting_every_core(), org, decay, top)


@pytest.mark.parametrize("kind", ["gauss-seidel", "split"])
def test_the_fallback_factorises_the_very_core_that_was_swept(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A swept core does not hold its system in the core's own order beside the sweeps'
    copy: should a column not settle, the core is made again from the sweeps' system,
    every entry where it was, the same bits."""
    made: list[tuple[SquareCsc, SweptCore | None]] = []
    for name in ("swept", "tree_split"):
        real = getattr(loop_core, name)

        def recorded(core: SquareCsc, *args: object, real: Any = real) -> SweptCore | None:
            solver: SweptCore | None = real(core, *args)
            made.append((core, solver))
            return solver

        monkeypatch.setattr(loop_core, name, recorded)
    rng = np.random.default_rng(3)
    if kind == "split":
        edges = _lines_and_recharges(120, rng)
    else:  # budgets down and recharges: Gauss-Seidel settles
        edges = [(boss, v, 500) for v, boss in enumerate(_random_tree(120, rng)) if boss >= 0]
        edges += [(120 + v % 2, v, 900) for v in range(60, 120)]
        edges += [(v, int(w), 200) for v, w in enumerate(rng.integers(0, 120, 120)) if w != v]
    with _splitting_every_core(gauss_seidel=kind != "split"):
        solved_with_cores(120, 2, edges, 1.0)
    swept = [(core, solver) for core, solver in made if solver is not None]
    assert swept and (kind == "split") == any(_forest(s) is not None for _, s in swept)
    for core, solver in swept:
        again = solver._factors().system
        for part in ("indptr", "indices", "data"):
            np.testing.assert_array_equal(getattr(again, part), getattr(core, part))


@pytest.mark.parametrize("piece", [4, 8192])
@pytest.mark.parametrize("seed", range(3))
def test_each_round_hands_on_to_its_partners_in_the_order_of_their_rows(
    seed: int, piece: int
) -> None:
    """Rows are numbered so a sweep's passes over the forest go through memory in order:
    within a round, partners' rows never go back (and lie after the round's)."""
    rng = np.random.default_rng(seed)
    edges = _lines_and_recharges(400, rng, recharges=2)
    with _splitting_every_core(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(fringe_module, "PIECE", piece)
        _, solvers = solved_with_cores(400, 2, edges, 1.0)
    forests = [forest for s in solvers if (forest := _forest(s)) is not None]
    assert forests
    for forest in forests:
        assert len(forest.bounds) > 2
        for first, end in pairwise(forest.bounds):
            partner = forest.partner[first:end]
            assert np.all(np.diff(partner) >= 0)
            assert partner.min() >= end


def _rows_as_peeled(_waves: list[int], _partner: np.ndarray, size: int) -> np.ndarray:
    return np.arange(size)


@pytest.mark.parametrize("sparse_layer", [16, 10**9])
@pytest.mark.parametrize("piece", [4, 8192])
@pytest.mark.parametrize("seed", range(3))
def test_rows_in_their_partners_order_give_the_figures_of_the_peeling_order(
    seed: int, piece: int, sparse_layer: int
) -> None:
    """The renumbering changes where rows are, not a bit of any figure: against the same
    core swept with its rows as peeled (recharges three a role, so rows sum several of
    N's terms; `sparse_layer`: N's later layers by numpy's gathers, or none so)."""
    rng = np.random.default_rng(seed)
    roles = 300
    edges = _lines_and_recharges(roles, rng, recharges=3)
    with _splitting_every_core(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(fringe_module, "PIECE", piece)
        patch.setattr(layered_product_module, "SPARSE_LAYER", sparse_layer)
        for alpha in (0.5, 1.0):
            ordered, solvers = solved_with_cores(roles, 2, edges, alpha)
            assert _split(solvers)
            with pytest.MonkeyPatch.context() as as_peeled:
                as_peeled.setattr(loop_tree_split, "_partners_in_order", _rows_as_peeled)
                peeled, _ = solved_with_cores(roles, 2, edges, alpha)
            assert np.array_equal(ordered, peeled)
