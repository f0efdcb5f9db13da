"""A very large loop's core solved by Gauss-Seidel sweeps (graph/loop_gauss_seidel.py).

A loop of internal recharges (every role pays a few others anywhere) has no sparse
factors; its core is swept instead, when a probe shows the sweeps settle, and
factorised when they would not (money turned over many times). Checked against dense
solves, exact fractions and the brute-force oracle, with the thresholds lowered so
that small loops take the path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse import linalg as splinalg

from clientchain.graph import (
    loop_core,
    loop_funnels,
    loop_gauss_seidel,
    loop_krylov,
    settling,
    sweep,
    triangular,
)
from clientchain.graph.loop_fringe import PeeledLoop
from clientchain.graph.loop_funnels import FunnelledCore
from clientchain.graph.loop_gauss_seidel import (
    FactorisedCore,
    Sweeps,
    SweptCore,
    put_column_group,
)
from clientchain.graph.loop_krylov import KrylovCore
from clientchain.graph.money import build_money_graph
from clientchain.graph.sweep import SweepPlan, plan_sweeps
from clientchain.graph.triangular import BandSolve
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs
from tests.test_loop_fringe import _both_ways_tree, _dense, _exact_solve, _random_tree
from tests.test_oracle import SLOW, decays, run_and_check
from tests.test_sweep import dense_least_solution, org_from_edges


@contextmanager
def _sweeping_every_core(funnels: bool = False) -> Iterator[None]:
    """Thresholds lowered; the cores' funnels left in them unless `funnels`
    (test_loop_funnels.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "DENSE_MAX", 1)  # every loop of two roles or more is large,
        patch.setattr(sweep, "FRINGE_MIN_ROLES", 0)  # is peeled,
        patch.setattr(loop_core, "SWEEP_MIN_ROLES", 0)  # and its core swept
        patch.setattr(loop_funnels, "MIN_SHARE", 0.0 if funnels else 2.0)
        yield


def _recharges(
    roles: int, rng: np.random.Generator, per_role: int = 1, clients: int = 2
) -> list[tuple[int, int, int]]:
    """A budget down every line of a random tree, clients paying half the roles, and
    every role charging `per_role` random others: one loop with no tree shape."""
    parent = _random_tree(roles, rng)
    edges = [(boss, v, int(rng.integers(1, 1000))) for v, boss in enumerate(parent) if boss >= 0]
    for v in range(roles // 2, roles):
        edges.append((roles + int(rng.integers(0, clients)), v, int(rng.integers(100, 5000))))
    for u in range(roles):
        for v in rng.choice(roles, size=per_role, replace=False).tolist():
            if v != u:
                edges.append((u, v, int(rng.integers(1, 300))))
    return edges


def _exact_shares(
    roles: int, clients: int, edges: list[tuple[int, int, int]]
) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    """A (roles x roles) and the clients' direct shares (roles x clients), in fractions."""
    inflow = [Fraction(0)] * roles
    for _, v, w in edges:
        inflow[v] += w
    share = [[Fraction(0)] * roles for _ in range(roles)]
    base = [[Fraction(0)] * clients for _ in range(roles)]
    for u, v, w in edges:
        if u < roles:
            share[v][u] += Fraction(w) / inflow[v]
        else:
            base[v][u - roles] += Fraction(w) / inflow[v]
    return share, base


def _core_solvers(plan: SweepPlan, alpha: float) -> list[loop_gauss_seidel.CoreSolver]:
    solvers = []
    for large in plan.large:
        peeled = large.factor(alpha)
        assert isinstance(peeled, PeeledLoop)
        solvers.append(peeled.core)
    return solvers


def solved_with_cores(
    roles: int, clients: int, edges: list[tuple[int, int, int]], alpha: float
) -> tuple[np.ndarray, list[loop_gauss_seidel.CoreSolver]]:
    """The plan's solution for the clients' own shares at `alpha`, and the loops' core
    solvers."""
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, clients, edges)))
    _, base = _dense(roles, clients, edges)
    got = plan.from_plan(plan.solve(plan.to_plan(base), [alpha] * clients))
    return got, _core_solvers(plan, alpha)


# The sweeps' lower triangle solved level by level, or row by row by SuperLU (every
# triangle of these sizes would go row by row by default: too few rows a level).
TRIANGLE_SOLVES = pytest.mark.parametrize("level_entries", [0, 10**12], ids=["levels", "rows"])


@TRIANGLE_SOLVES
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("roles", "per_role"), [(3, 1), (40, 1), (300, 2)])
def test_swept_recharge_loops_equal_a_dense_solve(
    monkeypatch: pytest.MonkeyPatch, level_entries: int, seed: int, roles: int, per_role: int
) -> None:
    monkeypatch.setattr(triangular, "LEVEL_ENTRIES", level_entries)
    rng = np.random.default_rng(seed)
    edges = _recharges(roles, rng, per_role)
    a, base = _dense(roles, 2, edges)
    with _sweeping_every_core():
        for alpha in (0.3, 1.0):
            got, solvers = solved_with_cores(roles, 2, edges, alpha)
            assert any(isinstance(s, SweptCore) for s in solvers)
            want = dense_least_solution(a, base, alpha)
            np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)


@TRIANGLE_SOLVES
def test_a_swept_core_is_exact_to_the_last_bits(
    monkeypatch: pytest.MonkeyPatch, level_entries: int
) -> None:
    """Against Gaussian elimination in fractions, role by role (a share of a share of
    ... stays exact relative to itself, not to the largest one)."""
    monkeypatch.setattr(triangular, "LEVEL_ENTRIES", level_entries)
    rng = np.random.default_rng(7)
    roles = 24
    edges = _recharges(roles, rng, per_role=2)
    graph = build_money_graph(org_from_edges(roles, 2, edges))
    share, base = _exact_shares(roles, 2, edges)
    with _sweeping_every_core():
        plan = plan_sweeps(graph)
        rhs = np.array([[float(x) for x in row] for row in base])
        for alpha in (Fraction(1, 2), Fraction(1)):
            got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)] * 2))
            assert all(isinstance(s, SweptCore) for s in _core_solvers(plan, float(alpha)))
            assert_exact(got, share, base, alpha, rel=1e-14)


def assert_exact(
    got: np.ndarray,
    share: list[list[Fraction]],
    base: list[list[Fraction]],
    alpha: Fraction,
    rel: float,
) -> None:
    """`got` (roles x clients) against Gaussian elimination in fractions of
    x = base + alpha share x, role by role (abs=0: each figure relative to itself)."""
    a = [[alpha * x for x in row] for row in share]
    for client in range(len(base[0])):
        exact = _exact_solve(a, [row[client] for row in base])
        for role, want in enumerate(exact):
            assert got[role, client] == pytest.approx(float(want), rel=rel, abs=0)


@pytest.mark.parametrize("krylov", [True, False], ids=["bicgstab", "factors"])
def test_money_turned_over_a_million_times_is_not_swept_as_it_is(
    monkeypatch: pytest.MonkeyPatch, krylov: bool
) -> None:
    """Sweeps would take about a million turns: the probes give up, and BiCGSTAB on the
    sweeps solves the core (loop_krylov), or SuperLU's factors where its probe gives up
    too. Either is exact to 12 digits: their residuals are of the system whose row sums
    are the rooms (SquareCsc.room_gap; with the core's float64 diagonal, the 10th)."""
    if not krylov:
        monkeypatch.setattr(loop_krylov, "KRYLOV_SWEEPS", 1)
    big = 10**6
    parent = [-1, 0, 0, 0, 1, 1]
    edges = [(v, p, big) for v, p in enumerate(parent) if p >= 0]
    edges += [(p, v, big + 7 * v) for v, p in enumerate(parent) if p >= 0]
    edges += [(1, 2, big), (2, 3, big), (3, 1, big)]  # a ring among reports: a core
    edges.append((6, 4, 1))  # the client (index 6) pays report 4
    share, base = _exact_shares(6, 1, edges)
    with _sweeping_every_core():
        plan = plan_sweeps(build_money_graph(org_from_edges(6, 1, edges)))
        rhs = np.array([[float(row[0])] for row in base])
        got = plan.from_plan(plan.solve(plan.to_plan(rhs), [1.0]))
        (solver,) = _core_solvers(plan, 1.0)
        assert isinstance(solver, KrylovCore if krylov else FactorisedCore)
    want = _exact_solve(share, [row[0] for row in base])
    for role in range(6):
        assert got[role, 0] == pytest.approx(float(want[role]), rel=1e-12, abs=0), role


def _swept_loop(
    seed: int, roles: int
) -> tuple[SweepPlan, sweep._Large, PeeledLoop, np.ndarray, np.ndarray]:
    """A recharge loop's plan (thresholds lowered), its loop, the loop at alpha 1 with
    a swept core, and the dense A and base to check against."""
    edges = _recharges(roles, np.random.default_rng(seed))
    a, base = _dense(roles, 2, edges)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
    (large,) = plan.large
    assert isinstance(large, sweep._Large)  # (peeled: not in a layer's pool)
    peeled = large.factor(1.0)
    assert isinstance(peeled, PeeledLoop) and isinstance(peeled.core, SweptCore)
    return plan, large, peeled, a, base


def test_columns_that_do_not_settle_in_time_fall_back_to_the_factors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _sweeping_every_core():
        plan, large, peeled, a, base = _swept_loop(3, 200)
        # No sweep allowed: the first column gives up, and every solve is factorised.
        monkeypatch.setattr(loop_gauss_seidel, "SLACK", 0)
        assert isinstance(peeled.core, SweptCore)
        stubborn = dataclasses.replace(peeled.core, probe_sweeps=0)
        large.factors[1.0] = dataclasses.replace(peeled, core=stubborn)
        got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0]))
        assert stubborn.fallback and isinstance(stubborn.fallback[0], FactorisedCore)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


def _sweeps_giving_up(monkeypatch: pytest.MonkeyPatch, at: set[int]) -> list[int]:
    """Sweeps.solve giving up (None) at its calls numbered in `at` (from 1), sweeping at
    the others; the list it returns gets each call's limit, in order. A call asked to
    solve in place that gives up leaves its rhs spoilt (as columns settled before the
    others would): whoever tries again must not reuse it."""
    real = loop_gauss_seidel.Sweeps.solve
    limits: list[int] = []

    def solve(
        self: Sweeps,
        rhs: np.ndarray,
        limit: int,
        foresee: bool = False,
        shares: np.ndarray | None = None,
        in_place: bool = False,
    ) -> object:
        limits.append(limit)
        if len(limits) in at:
            if in_place:
                rhs[...] = np.nan
            return None
        return real(self, rhs, limit, foresee, shares, in_place)

    monkeypatch.setattr(loop_gauss_seidel.Sweeps, "solve", solve)
    return limits


def test_a_fallback_half_way_solves_only_the_columns_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _sweeping_every_core():
        plan, _, peeled, a, base = _swept_loop(4, 120)
        # One column at a time; the second gives up (its group, and its second try).
        monkeypatch.setattr(loop_gauss_seidel, "CELLS", 1)
        monkeypatch.setattr(loop_gauss_seidel, "MIN_WIDTH", 1)
        calls = _sweeps_giving_up(monkeypatch, {2, 3})
        got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0]))
        assert len(calls) == 3 and isinstance(peeled.core, SweptCore) and peeled.core.fallback
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


def test_a_core_amid_a_peeled_fringe_is_swept_and_factorised_in_its_own_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The core's rows are scattered among the fringe's in the loop's slice of the block:
    its groups of columns are taken from those rows and put back there, by the sweeps
    and by the factors after a fallback half-way."""
    roles, leaves = 150, 40
    rng = np.random.default_rng(5)
    # The recharge loop's clients numbered after the leaves, which are roles too.
    edges = [(u + leaves if u >= roles else u, v, w) for u, v, w in _recharges(roles, rng)]
    for leaf in rng.permutation(np.arange(roles, roles + leaves)).tolist():
        partner = int(rng.integers(0, roles))  # a leaf's only ties: both ways with one role
        edges += [(partner, leaf, int(rng.integers(1, 500))), (leaf, partner, 300)]
    label = [*rng.permutation(roles + leaves).tolist(), roles + leaves, roles + leaves + 1]
    edges = [(label[u], label[v], w) for u, v, w in edges]  # leaves amid the loop's roles
    a, base = _dense(roles + leaves, 2, edges)
    with _sweeping_every_core():
        plan = plan_sweeps(build_money_graph(org_from_edges(roles + leaves, 2, edges)))
        (large,) = plan.large
        peeled = large.factor(1.0)
        assert isinstance(peeled, PeeledLoop) and isinstance(peeled.core, SweptCore)
        assert 0 < peeled.core_rows.size < large.members.size
        swept = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0]))
        monkeypatch.setattr(loop_gauss_seidel, "CELLS", 1)  # a column at a time,
        monkeypatch.setattr(loop_gauss_seidel, "MIN_WIDTH", 1)
        calls = _sweeps_giving_up(monkeypatch, {2, 3})  # the second giving up
        fallen = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0]))
        assert len(calls) == 3 and peeled.core.fallback
    want = dense_least_solution(a, base, 1.0)
    np.testing.assert_allclose(swept, want, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(fallen, want, rtol=1e-11, atol=1e-14)


def test_a_group_slower_than_the_probe_is_swept_again_not_factorised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _sweeping_every_core():
        plan, _, peeled, a, base = _swept_loop(4, 120)
        limits = _sweeps_giving_up(monkeypatch, {1})
        got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0]))
        assert isinstance(peeled.core, SweptCore) and not peeled.core.fallback
    assert limits == [limits[0], loop_gauss_seidel.RETRY * limits[0]]
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("seed", [6, 7, 8])
def test_a_probe_foresees_the_sweeps_a_column_of_ones_takes(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe stops at its rate, not at the last sweep: the count it foresees is the
    count a column of ones takes to settle, give or take its rounding up, and over the
    limit it is no probe at all."""
    with _sweeping_every_core():
        _, _, peeled, _, _ = _swept_loop(seed, 150)
    assert isinstance(peeled.core, SweptCore)
    sweeps = peeled.core.sweeps
    ones = np.ones((sweeps.system.size, 1))
    counted = sweeps.solve(ones, 400)
    assert counted is not None and counted[1] > settling.FORESEE  # (else nothing foreseen)
    swept: list[int] = []
    sweep_into = Sweeps.sweep_into

    def counted_sweep(*args: Any) -> None:
        swept.append(1)
        sweep_into(*args)

    monkeypatch.setattr(Sweeps, "sweep_into", counted_sweep)
    foreseen = sweeps.foreseen(ones, 400)
    assert foreseen is not None and counted[1] - 1 <= foreseen <= counted[1] + 3
    assert len(swept) == settling.FORESEE  # (the rate known from the first sweeps on)
    assert sweeps.foreseen(ones, counted[1] // 2) is None


@pytest.mark.parametrize("rows_at_a_time", [1 << 16, 7], ids=["whole", "by-7-rows"])
def test_sweeps_in_place_give_the_same_bits_in_the_rhs_itself(
    rows_at_a_time: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns that settle at different sweeps (scales a billion apart, a zero one)
    are put in the rhs as each settles, and are what a solve into a new array gives."""
    monkeypatch.setattr(loop_gauss_seidel, "ROWS_AT_A_TIME", rows_at_a_time)
    with _sweeping_every_core():
        _, _, peeled, _, _ = _swept_loop(6, 150)
    assert isinstance(peeled.core, SweptCore)
    sweeps = peeled.core.sweeps
    rng = np.random.default_rng(6)
    rhs = rng.random((sweeps.system.size, 5)) * np.array([1.0, 1e-9, 0.0, 1e3, 1.0])
    rhs[rng.random(rhs.shape) < 0.7] = 0.0
    copied = sweeps.solve(rhs.copy(), 400)
    given = np.ascontiguousarray(rhs)
    in_place = sweeps.solve(given, 400, in_place=True)
    assert copied is not None and in_place is not None
    assert in_place[0] is given
    np.testing.assert_array_equal(in_place[0], copied[0])
    assert in_place[1] == copied[1]


def test_zero_columns_stay_zero() -> None:
    rng = np.random.default_rng(5)
    roles = 50
    edges = _recharges(roles, rng)
    with _sweeping_every_core():
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        rhs = np.zeros((roles, 3))
        rhs[0, 1] = 1.0
        got = plan.solve(rhs, [1.0, 1.0, 1.0])
    assert not got[:, 0].any() and not got[:, 2].any() and got[:, 1].any()


def test_both_ways_trees_with_chords_are_still_exact_when_swept() -> None:
    rng = np.random.default_rng(11)
    roles, edges = _both_ways_tree(_random_tree(120, rng), rng, chords=30)
    a, base = _dense(roles, 2, edges)
    with _sweeping_every_core():
        plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
        for alpha in (0.5, 1.0):
            got = plan.from_plan(plan.solve(plan.to_plan(base), [alpha, alpha]))
            np.testing.assert_allclose(
                got, dense_least_solution(a, base, alpha), rtol=1e-10, atol=1e-14
            )


def test_a_large_recharge_loop_is_swept_at_the_real_thresholds() -> None:
    rng = np.random.default_rng(1)
    roles = loop_core.SWEEP_MIN_ROLES + 500
    edges = _recharges(roles, rng)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 2, edges)))
    (large,) = [loop for loop in plan.large if loop.members.size > roles // 2]
    assert large.fringe is not None and large.fringe.core.size > roles // 2
    # Most of its roles pay only the one they recharge: funnels, eliminated first.
    core = large.factor(1.0).core
    assert isinstance(core, FunnelledCore) and isinstance(core.rest, SweptCore)


def test_a_ring_of_one_role_a_level_is_swept_row_by_row() -> None:
    """Each role paying the next round a ring of more than SWEEP_MIN_ROLES roles, in
    file order: the lower triangle of the sweeps is the whole ring but one line, a level
    a role, and goes to substitution row by row (a sweep level by level took 0.26 s at
    100,000 roles), LAPACK's for a band one row deep. Against scipy's sparse LU of the
    same system, built from the flows."""
    rng = np.random.default_rng(2)
    roles, clients = loop_core.SWEEP_MIN_ROLES + 904, 2
    edges = [(u, (u + 1) % roles, int(rng.integers(100, 5000))) for u in range(roles)]
    for v in rng.choice(roles, roles // 100, replace=False).tolist():
        edges.append((roles + int(rng.integers(0, clients)), v, int(rng.integers(100, 5000))))
    payer, payee, amount = (np.array(column) for column in zip(*edges, strict=True))
    inflow = np.bincount(payee, weights=amount, minlength=roles)
    share = amount / inflow[payee]
    inside = payer < roles
    a = sparse.csc_array((share[inside], (payee[inside], payer[inside])), shape=(roles, roles))
    base = np.zeros((roles, clients))
    np.add.at(base, (payee[~inside], payer[~inside] - roles), share[~inside])
    for alpha in (0.5, 1.0):
        got, solvers = solved_with_cores(roles, clients, edges, alpha)
        (solver,) = solvers
        assert isinstance(solver, SweptCore)
        assert isinstance(solver.sweeps.lower, BandSolve)  # (one entry below each row)
        # Weighed as row by row: a second process takes half the clients of such a
        # ring from fewer roles on than a ring of its entries would need.
        entries = solver.sweeps.system.data.size + roles
        per_row = (triangular.BAND_WORK + 1) * roles
        assert solver.work() == solver.probe_sweeps * (entries + per_row)
        want = splinalg.spsolve(sparse.identity(roles, format="csc") - alpha * a, base)
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays, top=st.sampled_from([0, 2]))
def test_engine_matches_oracle_with_every_core_swept(org: OrgSpec, decay: float, top: int) -> None:
    """Sweeps where they settle; BiCGSTAB or SuperLU's factors where they do not."""
    check_under(_sweeping_every_core(), org, decay, top)


def check_under(
    setting: AbstractContextManager[None], org: OrgSpec, decay: float, top: int
) -> None:
    """The oracle's check of `org` under `setting` (thresholds lowered). Nothing is
    excused: a core whose sweeps give up is solved by BiCGSTAB or SuperLU's factors on
    the system whose row sums are its rooms (SquareCsc.room_gap), exact where money
    turns over a million times (its float64 diagonal had put figures off there)."""
    with setting:
        run_and_check(org, decay, top=top)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 300), st.integers(1, 12), st.data())
def test_a_group_of_columns_goes_back_to_its_rows(
    rows: int, width: int, data: st.DataObject
) -> None:
    """put_column_group writes x[rows, cols] = group, the rows in any order."""
    first = data.draw(st.integers(0, width - 1))
    end = data.draw(st.integers(first + 1, width))
    order = np.array(data.draw(st.permutations(range(rows))), dtype=np.int64)
    rng = np.random.default_rng(rows * 31 + width)
    x = rng.random((rows, width))
    group = rng.random((rows, end - first))
    want = x.copy()
    want[order, first:end] = group
    put_column_group(x, order, slice(first, end), group)
    assert np.array_equal(x, want)
