"""The loops of a layer too small to peel, pooled (graph/loop_pool.py): each solved by
its own factors where they stay sparse, all swept at once where they fill in.

Checked against dense solves and exact fractions, against each loop solved on its own
(the bits of the factors' path must not move), and for the choice itself: made once,
at alpha 1, whichever alpha a sweep asks for first.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clientchain.graph import loop_gauss_seidel, loop_pool, sweep
from clientchain.graph.loop_gauss_seidel import SweptCore
from clientchain.graph.loop_pool import LoopPool
from clientchain.graph.money import build_money_graph
from clientchain.graph.sweep import SweepPlan, plan_sweeps
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs
from tests.test_loop_fringe import _dense
from tests.test_loop_gauss_seidel import _exact_shares, assert_exact
from tests.test_oracle import SLOW, decays, run_and_check
from tests.test_sweep import dense_least_solution, org_from_edges

Edges = list[tuple[int, int, int]]


def _loops(
    loops: int, size: int, seed: int, recharge: tuple[int, int] = (10, 100), slow: int = 0
) -> Edges:
    """`loops` loops of `size` roles side by side, each a ring with two recharges a role
    to random roles of its own loop (amounts in `recharge`; in the last `slow` loops as
    large as the clients' payments), every role paid by one of two clients: every loop
    in the first layer, one pool."""
    rng = np.random.default_rng(seed)
    clients_at = loops * size
    edges = []
    for k in range(loops):
        first = k * size
        amounts = (2000, 9000) if k >= loops - slow else recharge
        for u in range(first, first + size):
            edges.append((clients_at + int(rng.integers(0, 2)), u, int(rng.integers(1000, 5000))))
            edges.append((u, first + (u - first + 1) % size, int(rng.integers(*amounts))))
            for v in rng.choice(size, 2, replace=False).tolist():
                if first + v != u:
                    edges.append((u, first + v, int(rng.integers(*amounts))))
    return edges


def _rings(loops: int, size: int, seed: int) -> Edges:
    """Rings only (each role pays the next): factors as sparse as the loops."""
    rng = np.random.default_rng(seed)
    edges = []
    for k in range(loops):
        first = k * size
        for u in range(first, first + size):
            edges.append((loops * size, u, int(rng.integers(100, 500))))
            edges.append((u, first + (u - first + 1) % size, int(rng.integers(100, 500))))
    return edges


def _pool(plan: SweepPlan) -> LoopPool:
    (pool,) = plan.large
    assert isinstance(pool, LoopPool)
    return pool


def _plan(roles: int, clients: int, edges: Edges) -> SweepPlan:
    return plan_sweeps(build_money_graph(org_from_edges(roles, clients, edges)))


def test_random_loops_of_a_layer_are_swept_as_one_and_match_a_dense_solve() -> None:
    """Three loops of 300 roles recharging one another at random: their factors fill in
    (about 28 times their entries), the union settles in a few sweeps, and the pool is
    swept, at alpha 1 and at a decay, with no factors kept; exact against a dense solve."""
    roles, edges = 900, _loops(3, 300, seed=1)
    a, base = _dense(roles, 2, edges)
    plan = _plan(roles, 2, edges)
    pool = _pool(plan)
    assert len(pool.parts) == 3
    for alpha in (1.0, 0.5):
        got = plan.from_plan(plan.solve(plan.to_plan(base), [alpha] * 2, shares=True))
        np.testing.assert_allclose(got, dense_least_solution(a, base, alpha), rtol=1e-12)
        assert isinstance(pool.factors[alpha], SweptCore)
    assert not any(part.factors for part in pool.parts)


def test_loops_whose_money_goes_round_too_often_keep_their_factors() -> None:
    """The same loops with recharges as large as the clients' payments: the sweeps would
    take more than the factors' fill can pay for, the probe gives up at that many, and
    each loop keeps its own factors; exact against a dense solve."""
    roles, edges = 900, _loops(3, 300, seed=1, recharge=(2000, 9000))
    a, base = _dense(roles, 2, edges)
    plan = _plan(roles, 2, edges)
    got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0], shares=True))
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11)
    pool = _pool(plan)
    assert pool.factors[1.0] is None and all(1.0 in part.factors for part in pool.parts)


def _factored_at(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, int]]:
    """Each loop's own factors as they are made, in order: their alpha and the loop's
    first member (a plan position)."""
    made: list[tuple[float, int]] = []
    real = sweep._Large.factor

    def factor(self: sweep._Large, alpha: float) -> object:
        if alpha not in self.factors:
            made.append((alpha, int(self.members[0])))
        return real(self, alpha)

    monkeypatch.setattr(sweep._Large, "factor", factor)
    return made


def _alphas(made: list[tuple[float, int]]) -> list[float]:
    return [alpha for alpha, _ in made]


def test_at_a_decay_solved_once_the_loops_kept_on_factors_are_swept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loops that keep their factors at alpha 1 (their money goes round too often for
    the sweeps to pay there) are swept at a decay solved once for one column, where
    their money leaks at every hand-over: no factors are made for it; exact against a
    dense solve at both alphas."""
    roles, edges = 900, _loops(3, 300, seed=1, recharge=(2000, 9000))
    a, base = _dense(roles, 2, edges)
    plan = _plan(roles, 2, edges)
    made = _factored_at(monkeypatch)
    at_one = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0], shares=True))
    np.testing.assert_allclose(at_one, dense_least_solution(a, base, 1.0), rtol=1e-11)
    assert _alphas(made) == [1.0, 1.0, 1.0]  # each loop's own factors, at alpha 1 only
    column = plan.to_plan(base[:, :1])
    got = plan.from_plan(plan.solve(column, [0.5], once=frozenset({0.5})))
    np.testing.assert_allclose(got, dense_least_solution(a, base[:, :1], 0.5), rtol=1e-12)
    assert _alphas(made) == [1.0, 1.0, 1.0]
    assert all(0.5 not in part.factors for part in _pool(plan).parts)


def test_at_a_decay_whose_sweeps_would_cost_more_the_factors_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loops whose recharges are a hundred times the clients' payments, at a decay so
    close to 1 that their sweeps do not settle within what the factors cost: each
    loop's own factors solve it after all (exact)."""
    roles, edges = 900, _loops(3, 300, seed=1, recharge=(200_000, 900_000))
    a, base = _dense(roles, 2, edges)
    plan = _plan(roles, 2, edges)
    made = _factored_at(monkeypatch)
    plan.solve(plan.to_plan(base), [1.0, 1.0], shares=True)
    decay = 1.0 - 1e-9
    column = plan.to_plan(base[:, :1])
    got = plan.from_plan(plan.solve(column, [decay], once=frozenset({decay})))
    np.testing.assert_allclose(got, dense_least_solution(a, base[:, :1], decay), rtol=1e-10)
    assert _alphas(made) == [1.0, 1.0, 1.0, decay, decay, decay]


def test_a_pool_sweeps_the_loops_that_settle_and_factorises_the_others() -> None:
    """Two loops whose money leaks fast and one where it goes round: the union's sweeps
    settle the two within what their fill pays for, not the third; the two are swept
    together, the third solved by its own factors (made once weighed); exact against a
    dense solve at both alphas."""
    roles, edges = 900, _loops(3, 300, seed=1, slow=1)
    a, base = _dense(roles, 2, edges)
    plan = _plan(roles, 2, edges)
    pool = _pool(plan)
    for alpha in (1.0, 0.5):
        got = plan.from_plan(plan.solve(plan.to_plan(base), [alpha] * 2, shares=True))
        np.testing.assert_allclose(got, dense_least_solution(a, base, alpha), rtol=1e-11)
        assert isinstance(pool.factors[alpha], SweptCore)
    loop_of = [int(plan.order[part.members[0]]) // 300 for part in pool.parts]
    factorised = [bool(part.factors) for part in pool.parts]
    assert sorted(zip(loop_of, factorised, strict=True)) == [(0, False), (1, False), (2, True)]


def test_sparse_factors_are_kept_without_a_probe_and_give_each_loops_own_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rings: the largest loop's factors are as sparse as it is, so no sweep is probed
    (a probe here fails the test) and every loop is solved by its own factors, to the
    bits of that loop's solve on its own."""

    def no_probe(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("probed")

    monkeypatch.setattr(loop_gauss_seidel, "swept", no_probe)
    monkeypatch.setattr(loop_gauss_seidel, "gauss_seidel", no_probe)
    roles, edges = 600, _rings(4, 150, seed=2)
    plan = _plan(roles, 1, edges)
    pool = _pool(plan)
    base = np.random.default_rng(3).random((roles, 3))
    for alpha in (1.0, 0.5):
        got = plan.solve(base, [alpha] * 3)
        for part in pool.parts:
            assert isinstance(part, sweep._Large)
            alone = sweep._Large(part.members, part.matrix, part.leak)
            mine = alone.solve(alpha, base[part.members])
            assert np.array_equal(got[part.members].view(np.int64), mine.view(np.int64))
    plan.prepare([0.5, 1.0])
    plan.keep_only({1.0})  # (the decay's factors go: every loop's)
    assert set(pool.factors) == {1.0} and all(set(p.factors) == {1.0} for p in pool.parts)


def test_the_choice_is_weighed_at_alpha_one_whichever_alpha_comes_first() -> None:
    """One process sweeps the decay first, two prepare alpha 1 before the fork: the pool
    is weighed at 1 either way. These loops' sweeps would pay at a decay of 0.5 (11) but
    not at 1 (15, more than their factors' fill pays for): both orders keep the factors
    at both alphas, and give the same bits."""
    roles, edges = 900, _loops(3, 300, seed=4, recharge=(200, 800))
    base = np.random.default_rng(5).random((roles, 2))
    results = []
    for order in ([0.5, 1.0], [1.0, 0.5]):
        plan = _plan(roles, 2, edges)
        solved = {}
        for alpha in order:
            solved[alpha] = plan.solve(base, [alpha] * 2)
            assert _pool(plan).factors[alpha] is None
        results.append(solved)
    for alpha in (0.5, 1.0):
        assert np.array_equal(results[0][alpha].view(np.int64), results[1][alpha].view(np.int64))


def test_a_swept_pool_of_small_loops_is_exact_to_the_last_bits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Against Gaussian elimination in fractions, role by role: three loops of eight, made
    large (no dense batch) and swept whatever their fill (sweeps priced at nothing)."""
    monkeypatch.setattr(sweep, "DENSE_MAX", 1)
    monkeypatch.setattr(loop_pool, "SWEEP_COST", 1e-9)
    roles, edges = 24, _loops(3, 8, seed=6, recharge=(100, 900))
    share, base = _exact_shares(roles, 2, edges)
    rhs = np.array([[float(x) for x in row] for row in base])
    plan = _plan(roles, 2, edges)
    for alpha in (Fraction(1, 2), Fraction(1)):
        got = plan.from_plan(plan.solve(plan.to_plan(rhs), [float(alpha)] * 2))
        assert isinstance(_pool(plan).factors[float(alpha)], SweptCore)
        assert_exact(got, share, base, alpha, rel=1e-14)


def _layered(first: Edges, second: Edges, roles: tuple[int, int]) -> Edges:
    """Two sets of loops (each as _loops or _rings makes them, roles then clients), the
    second's roles after the first's and each of its loops paid by the first's role 0:
    two layers, a pool each (the second's after the first's)."""
    before, after = roles

    def moved(edges: Edges, shift: int, own: int) -> Edges:
        def node(v: int) -> int:
            return v + shift if v < own else before + after + v - own

        return [(node(u), node(v), amount) for u, v, amount in edges]

    fed = sorted({v for _, v, _ in second if v < after})
    feeding = [(0, before + v, 500) for v in fed[:: max(1, len(fed) // 3)]]
    return moved(first, 0, before) + moved(second, before, after) + feeding


def test_a_pool_like_an_earlier_one_is_priced_by_its_fill_and_makes_no_factors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two layers of random loops of 300 roles, every weighing's factors taken as costly:
    the second pool is priced by the fill of the first's largest loop, makes no factors
    at all, and chooses as it does weighed by factors of its own (all its loops swept);
    exact against a dense solve."""
    edges = _layered(_loops(3, 300, seed=1), _loops(3, 300, seed=2), (900, 900))
    a, base = _dense(1800, 2, edges)
    chosen = {}
    for costly in (float("inf"), 0.0):
        monkeypatch.setattr(loop_pool, "COSTLY_FACTORS", costly)
        plan = _plan(1800, 2, edges)
        first, second = plan.large
        assert isinstance(first, LoopPool) and isinstance(second, LoopPool)
        assert first.fills is second.fills
        made = _factored_at(monkeypatch)
        got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0], shares=True))
        np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-12)
        chosen[costly] = [pool._sweeps().tolist() for pool in (first, second)]
        own = set(second.members.tolist())
        assert len(made) == (1 if costly == 0.0 else 2)  # the first pool's largest only
        assert (made[-1][1] in own) == (costly != 0.0)
        monkeypatch.undo()
    assert chosen[0.0] == chosen[float("inf")] == [[True] * 3, [True] * 3]


def test_a_pool_of_unlike_loops_makes_factors_of_its_own_to_weigh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Random loops in the first layer, rings (half the entries a role, factors as
    sparse as they are) in the second: the rings are not priced by the random loops'
    fill; their pool makes its largest loop's factors, finds them sparse, and keeps
    every ring on its own factors; exact against a dense solve."""
    monkeypatch.setattr(loop_pool, "COSTLY_FACTORS", 0.0)
    edges = _layered(_loops(3, 300, seed=1), _rings(3, 300, seed=2), (900, 900))
    a, base = _dense(1800, 2, edges)
    plan = _plan(1800, 2, edges)
    rings = plan.large[1]
    assert isinstance(rings, LoopPool)
    got = plan.from_plan(plan.solve(plan.to_plan(base), [1.0, 1.0], shares=True))
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-12)
    assert len(rings.fills.known) == 2  # the random loops' fill, then the rings'
    assert rings.factors[1.0] is None and all(1.0 in part.factors for part in rings.parts)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays, top=st.sampled_from([0, 2]))
def test_engine_matches_oracle_with_every_pool_swept(org: OrgSpec, decay: float, top: int) -> None:
    """Every loop of two roles or more pooled and swept where a probe settles (sweeps
    priced at nothing); excused only where a pool kept its factors after all (SuperLU's
    path, tested on its own)."""
    chosen: list[np.ndarray] = []
    real = LoopPool._weigh

    def recorded(pool: LoopPool) -> np.ndarray:
        swept = real(pool)
        chosen.append(swept)
        return swept

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sweep, "DENSE_MAX", 1)
        patch.setattr(loop_pool, "SWEEP_COST", 1e-9)
        patch.setattr(LoopPool, "_weigh", recorded)
        try:
            run_and_check(org, decay, top=top)
        except AssertionError:
            assume(all(swept.all() for swept in chosen))
            raise
