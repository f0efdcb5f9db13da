"""A loop's core whose sweeps give up, solved by BiCGSTAB with them as preconditioner
(graph/loop_krylov.py): after Gauss-Seidel and the split along the lines, before SuperLU.

Checked against dense solves and exact fractions, with the thresholds lowered so that
small loops take the path, and on cores whose sweeps give up on their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.graph import (
    loop_core,
    loop_funnels,
    loop_gauss_seidel,
    loop_krylov,
    loop_tree_split,
    sweep,
)
from clientchain.graph.loop_fringe import PeeledLoop
from clientchain.graph.loop_gauss_seidel import FactorisedCore, SweptCore
from clientchain.graph.loop_krylov import KrylovCore, accelerated
from clientchain.graph.loop_tree_split import ForestSolve
from clientchain.graph.money import build_money_graph
from clientchain.graph.sweep import plan_sweeps
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs
from tests.test_loop_fringe import _dense, _random_tree
from tests.test_loop_gauss_seidel import (
    _core_solvers,
    _exact_shares,
    assert_exact,
    check_under,
    solved_with_cores,
)
from tests.test_loop_tree_split import _lines_and_recharges
from tests.test_oracle import SLOW, decays
from tests.test_sweep import dense_least_solution, org_from_edges


@contextmanager
def _sweeps_giving_up() -> Iterator[None]:
    """Thresholds lowered, no funnels, and both plain probes giving up at once (the
    split's after its first sweep): every core of more than one role goes to BiCGSTAB."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "DENSE_MAX", 1)
        patch.setattr(sweep, "FRINGE_MIN_ROLES", 0)
        patch.setattr(loop_core, "SWEEP_MIN_ROLES", 0)
        patch.setattr(loop_funnels, "MIN_SHARE", 2.0)
        patch.setattr(loop_core, "swept", lambda *_: None)
        patch.setattr(loop_tree_split, "MAX_SWEEPS", 1)
        yield


def _preconditioner(solver: object) -> type | None:
    """The kind of M^-1 a BiCGSTAB core applies (ForestSolve: the split's)."""
    return type(solver.sweeps.lower) if isinstance(solver, KrylovCore) else None


def _circulating(roles: int, seed: int, paid_every: int) -> list[tuple[int, int, int]]:
    """Revenue up and a budget down every line of a random tree, one role in
    `paid_every` paid by one of two clients, every role recharging another anywhere for
    as much as its lines carry: money goes round hundreds of times before it leaks."""
    rng = np.random.default_rng(seed)
    parent = _random_tree(roles, rng)
    edges = []
    for v, boss in enumerate(parent):
        if boss >= 0:
            edges.append((v, boss, int(rng.integers(500, 40_000))))
            edges.append((boss, v, int(rng.integers(100, 20_000))))
    for v in range(0, roles, paid_every):
        edges.append((roles + int(rng.integers(0, 2)), v, int(rng.integers(100, 50_000))))
    for u, v in enumerate(rng.integers(0, roles, roles).tolist()):
        if v != u:
            edges.append((u, v, int(rng.integers(100, 30_000))))
    return edges


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("roles", [30, 300])
def test_split_cores_solved_by_bicgstab_equal_a_dense_solve(seed: int, roles: int) -> None:
    rng = np.random.default_rng(seed)
    edges = _lines_and_recharges(roles, rng)
    a, base = _dense(roles, 2, edges)
    with _sweeps_giving_up():
        for alpha in (0.4, 1.0):
            got, solvers = solved_with_cores(roles, 2, edges, alpha)
            assert ForestSolve in {_preconditioner(s) for s in solvers}
            want = dense_least_solution(a, base, alpha)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", range(3))
def test_cores_with_no_lines_both_ways_go_to_bicgstab_on_gauss_seidel(seed: int) -> None:
    """Budgets down and recharges: no forest to split along, Gauss-Seidel's sweeps."""
    rng = np.random.default_rng(seed)
    roles = 200
    parent = _random_tree(roles, rng)
    edges = [(p, v, int(rng.integers(100, 900))) for v, p in enumerate(parent) if p >= 0]
    edges += [(roles, v, 700) for v in range(roles // 2, roles)]
    edges += [(u, int(v), 90) for u, v in enumerate(rng.integers(0, roles, roles)) if v != u]
    a, base = _dense(roles, 1, edges)
    with _sweeps_giving_up():
        got, solvers = solved_with_cores(roles, 1, edges, 1.0)
        assert solvers and all(_preconditioner(s) not in (None, ForestSolve) for s in solvers)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-12, atol=1e-15)


def test_a_core_solved_by_bicgstab_is_exact_to_the_last_bits() -> None:
    """Against Gaussian elimination in fractions, role by role: support lines turning
    their money over thousands of times, each figure exact relative to itself."""
    rng = np.random.default_rng(5)
    roles = 26
    edges = _lines_and_recharges(roles, rng, big=10_000)
    share, base = _exact_shares(roles, 2, edges)
    with _sweeps_giving_up():
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        rhs = np.array([[float(x) for x in row] for row in base])
        for alpha in (Fraction(1, 2), Fraction(1)):
            got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)] * 2))
            assert all(isinstance(s, KrylovCore) for s in _core_solvers(plan, float(alpha)))
            assert_exact(got, share, base, alpha, rel=1e-13)


@pytest.mark.parametrize("paid_every", [10, 1000])
def test_a_core_whose_money_circulates_is_not_factorised(paid_every: int) -> None:
    """Only the thresholds lowered: both plain probes give up on their own (the split
    shrinks the error by 0.9-0.999 a sweep), BiCGSTAB on the split settles, and the
    figures equal a dense solve's. SuperLU's factors of such a core fill in (10,000
    roles: 40,000 entries became 5.7 million)."""
    roles = 1500
    edges = _circulating(roles, 1, paid_every)
    a, base = _dense(roles, 2, edges)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "DENSE_MAX", 1)
        patch.setattr(sweep, "FRINGE_MIN_ROLES", 0)
        patch.setattr(loop_core, "SWEEP_MIN_ROLES", 0)
        got, solvers = solved_with_cores(roles, 2, edges, 1.0)
    (solver,) = solvers
    assert _preconditioner(solver) is ForestSolve
    want = dense_least_solution(a, base, 1.0)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-15)
    assert np.all(got >= 0.0)


def _krylov_core(seed: int = 2, roles: int = 300) -> KrylovCore:
    edges = _lines_and_recharges(roles, np.random.default_rng(seed))
    with _sweeps_giving_up():
        _, solvers = solved_with_cores(roles, 2, edges, 1.0)
    (solver,) = solvers
    assert isinstance(solver, KrylovCore)
    return solver


def test_a_column_is_the_same_to_the_bit_whichever_columns_go_beside_it() -> None:
    """Solved alone, in a group of three, or of nine: every column's figures the same
    bits (columns never meet: a block of clients split between two processes)."""
    solver = _krylov_core()
    rows = solver.rows.size
    rng = np.random.default_rng(0)
    rhs = np.where(rng.random((rows, 9)) < 0.2, rng.random((rows, 9)), 0.0)
    together = accelerated(solver.sweeps, rhs, 10_000)
    assert together is not None
    for first, width in [(0, 1), (4, 1), (8, 1), (1, 3), (5, 3)]:
        part = accelerated(solver.sweeps, rhs[:, first : first + width], 10_000)
        assert part is not None
        np.testing.assert_array_equal(part[0], together[0][:, first : first + width])


def test_columns_of_nothing_and_columns_of_shares() -> None:
    """A column with no money paid in is 0; a column of shares settles to 4 ulps of 1
    (against a dense solve), and every entry of either is non-negative."""
    solver = _krylov_core()
    rows = solver.rows.size
    rhs = np.zeros((rows, 3))
    rhs[::7, 1] = 0.25
    rhs[::5, 2] = 1e-9
    got = accelerated(solver.sweeps, rhs, 10_000, np.array([False, True, False]))
    assert got is not None
    x = got[0]
    assert not x[:, 0].any()
    assert np.all(x >= 0.0)
    dense = solver._factors()  # (the core in its own order: put the rows back)
    want = dense.solve(rhs[np.argsort(solver.rows)])[solver.rows]
    np.testing.assert_allclose(x[:, 1], want[:, 1], rtol=0, atol=8 * 2.0**-52)
    np.testing.assert_allclose(x[:, 2], want[:, 2], rtol=1e-13)


def test_a_column_scaled_by_a_power_of_two_comes_out_scaled_by_it_to_the_bit() -> None:
    """Money that reaches a core at 1e-160 of another client's is solved as that money
    is, not broken down by its dot products underflowing to 0 (each round scales its
    columns to about 1 by a power of two, which changes no bit)."""
    solver = _krylov_core()
    rows = solver.rows.size
    rhs = np.zeros((rows, 2))
    rhs[7, 0] = 0.75  # (one role paid: its residual soon orthogonal to where it started)
    rhs[7, 1] = np.ldexp(0.75, -530)
    got = accelerated(solver.sweeps, rhs, 10_000, None, solver.gap)
    assert got is not None
    np.testing.assert_array_equal(got[0][:, 1], np.ldexp(got[0][:, 0], -530))
    dense = solver._factors()
    want = dense.solve(rhs[np.argsort(solver.rows)])[solver.rows]
    np.testing.assert_allclose(got[0][:, 0], want[:, 0], rtol=1e-12)


def test_columns_that_do_not_settle_in_time_fall_back_to_the_factors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No sweeps allowed a column group: SuperLU's factors solve the core after all."""
    roles = 300
    edges = _lines_and_recharges(roles, np.random.default_rng(2))
    a, base = _dense(roles, 2, edges)
    with _sweeps_giving_up():
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        (large,) = plan.large
        assert isinstance(large, sweep._Large)
        peeled = large.factor(1.0)
        assert isinstance(peeled, PeeledLoop) and isinstance(peeled.core, KrylovCore)
        monkeypatch.setattr(loop_gauss_seidel, "SLACK", 0)
        stubborn = dataclasses.replace(peeled.core, probe_sweeps=0)
        large.factors[1.0] = dataclasses.replace(peeled, core=stubborn)
        got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0]))
    assert stubborn.fallback and isinstance(stubborn.fallback[0], FactorisedCore)
    gap = stubborn.fallback[0].gap  # (the residuals' diagonal, in the core's order)
    assert gap is not None and stubborn.gap is not None
    np.testing.assert_array_equal(gap[stubborn.rows], stubborn.gap)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


def test_a_core_whose_bicgstab_probe_gives_up_is_factorised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(loop_krylov, "KRYLOV_SWEEPS", 1)
    roles = 300
    edges = _lines_and_recharges(roles, np.random.default_rng(1))
    a, base = _dense(roles, 2, edges)
    with _sweeps_giving_up():
        got, solvers = solved_with_cores(roles, 2, edges, 1.0)
    assert solvers and all(isinstance(s, FactorisedCore) for s in solvers)
    assert not any(isinstance(s, SweptCore) for s in solvers)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays, top=st.sampled_from([0, 2]))
def test_engine_matches_oracle_with_every_core_solved_by_bicgstab(
    org: OrgSpec, decay: float, top: int
) -> None:
    """Through the whole analysis."""
    check_under(_sweeps_giving_up(), org, decay, top)
