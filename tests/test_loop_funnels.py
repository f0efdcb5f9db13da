"""Roles of a large loop's core that pay only one other role in it (funnels),
eliminated before the sweeps (graph/loop_funnels.py).

Checked against dense solves, the dense Schur complement, exact fractions and the
brute-force oracle, with the thresholds lowered so that small loops take the path.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.graph import fringe, loop_core, loop_funnels
from clientchain.graph.loop_funnels import FunnelledCore, find_funnels
from clientchain.graph.loop_gauss_seidel import FactorisedCore
from clientchain.graph.square_csc import SquareCsc
from tests.oracle import OrgSpec
from tests.orgs import cyclic_org_specs
from tests.test_loop_fringe import _dense, _random_tree
from tests.test_loop_gauss_seidel import (
    _exact_shares,
    _recharges,
    _sweeping_every_core,
    assert_exact,
    check_under,
    solved_with_cores,
)
from tests.test_oracle import SLOW, decays
from tests.test_sweep import dense_least_solution


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("roles", [30, 80, 600])
def test_funnelled_recharge_loops_equal_a_dense_solve(seed: int, roles: int) -> None:
    rng = np.random.default_rng(seed)
    edges = _recharges(roles, rng)
    a, base = _dense(roles, 2, edges)
    with _sweeping_every_core(funnels=True):
        for alpha in (0.3, 1.0):
            got, solvers = solved_with_cores(roles, 2, edges, alpha)
            assert any(isinstance(s, FunnelledCore) for s in solvers)
            want = dense_least_solution(a, base, alpha)
            np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_funnelled_columns_a_few_at_a_time_are_the_same_bits(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The funnels' forest takes a block's columns in groups (CELLS): one column at a
    time, each column's figures are the bits it has with the whole block at once."""
    rng = np.random.default_rng(seed)
    roles, clients = 300, 5
    edges = _recharges(roles, rng, clients=clients)
    with _sweeping_every_core(funnels=True):
        whole, solvers = solved_with_cores(roles, clients, edges, 1.0)
        assert any(isinstance(s, FunnelledCore) for s in solvers)
        monkeypatch.setattr(loop_funnels, "CELLS", 1)
        one_at_a_time, _ = solved_with_cores(roles, clients, edges, 1.0)
    np.testing.assert_array_equal(one_at_a_time, whole)


def _handing_back(roles: int, rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """A budget down every line (a million to each role without reports), clients
    paying every role 500, every boss recharging a random role 1, and every role without
    reports handing its boss back its million: funnels whose money almost all goes back
    where it came from."""
    parent = _random_tree(roles, rng)
    bosses = {p for p in parent if p >= 0}
    edges = [(roles + int(rng.integers(0, 2)), v, 500) for v in range(roles)]
    for v, boss in enumerate(parent):
        if boss >= 0 and v in bosses:
            edges.append((boss, v, int(rng.integers(1, 1000))))
        elif boss >= 0:
            edges += [(boss, v, 10**6), (v, boss, 10**6)]
    for u in bosses:
        edges += [(u, int(v), 1) for v in rng.choice(roles, 1) if v != u]
    return edges


@pytest.mark.parametrize("handing_back", [False, True])
def test_a_funnelled_core_is_exact_to_the_last_bits(handing_back: bool) -> None:
    """Against Gaussian elimination in fractions, role by role; where funnels hand
    their money back to a payer, what comes back is room, never a subtraction."""
    rng = np.random.default_rng(3)
    roles = 30
    edges = _handing_back(roles, rng) if handing_back else _recharges(roles, rng)
    share, base = _exact_shares(roles, 2, edges)
    with _sweeping_every_core(funnels=True):
        for alpha in (Fraction(1, 2), Fraction(1)):
            got, solvers = solved_with_cores(roles, 2, edges, float(alpha))
            assert any(isinstance(s, FunnelledCore) for s in solvers)
            assert_exact(got, share, base, alpha, rel=1e-14)


def _core_of(matrix: np.ndarray) -> tuple[SquareCsc, np.ndarray]:
    """K = I - A as a SquareCsc (A: a loop's shares, rows summing to below 1) and its
    room (row sums, from the leak)."""
    size = matrix.shape[0]
    rows, cols = np.nonzero(matrix)
    leak = 1.0 - matrix.sum(axis=1)
    at = np.arange(size)
    core = SquareCsc.from_entries(
        size,
        np.concatenate([at, rows]),
        np.concatenate([at, cols]),
        np.r_[np.ones(size), -matrix[rows, cols]],
    )
    return core, leak


def test_what_is_left_is_the_schur_complement() -> None:
    """K' on the kept roles equals K_kk - K_kf K_ff^-1 K_fk computed densely, for a
    loop with chains of funnels, funnels paying back their payers, and duplicates."""
    rng = np.random.default_rng(8)
    size = 60
    a = np.zeros((size, size))
    for u in range(size):  # every role pays the next; a third pay two more
        payees = [(u + 1) % size]
        if u % 3 == 0:
            payees += [int(v) for v in rng.choice(size, 2, replace=False) if v != u]
        for v in payees:
            a[v, u] += rng.uniform(0.1, 1.0)
    a *= rng.uniform(0.5, 0.99, size)[:, None] / a.sum(axis=1, keepdims=True)
    core, room = _core_of(a)
    found = find_funnels(core, room, np.arange(size))
    assert found is not None
    funnels, rest, rest_room = found
    kept, funnel = funnels.kept, funnels.order[: funnels.count]
    out_degree = np.count_nonzero(a, axis=0)
    assert funnel.size > size // 3 and np.all(out_degree[funnel] == 1)
    k = np.eye(size) - a
    schur = k[np.ix_(kept, kept)] - k[np.ix_(kept, funnel)] @ np.linalg.solve(
        k[np.ix_(funnel, funnel)], k[np.ix_(funnel, kept)]
    )
    dense_rest = np.zeros((rest.size, rest.size))
    np.add.at(dense_rest, (rest.indices, rest.entry_columns()), rest.data)
    np.testing.assert_allclose(dense_rest, schur, rtol=1e-13, atol=1e-15)
    # The kept roles' rooms: K' row by row summed (what BiCGSTAB's residuals use).
    np.testing.assert_allclose(rest_room, schur.sum(axis=1), rtol=1e-12, atol=1e-15)


def test_money_coming_back_is_room_not_a_subtraction() -> None:
    """Role 0 gets almost all its money from funnel 2, which gets almost all of its from
    role 0 and hands it all back: K'[0, 0] = 1 - A[0, 2] A[2, 0] is a few billionths,
    written from the leaks (exact to an ulp), where the subtraction would keep 7 digits."""
    a = [
        [Fraction(0), Fraction(5, 10**10), Fraction(1) - Fraction(10, 10**10)],
        [Fraction(1, 2), Fraction(0), Fraction(0)],
        [Fraction(1) - Fraction(2, 10**9), Fraction(1, 10**9), Fraction(0)],
    ]
    a = [[Fraction(float(x)) for x in row] for row in a]  # (what floats hold, exactly)
    leak = [1 - sum(row) for row in a]
    assert min(leak) > 0
    matrix = np.array([[float(x) for x in row] for row in a])
    core, _ = _core_of(matrix)
    found = find_funnels(core, np.array([float(x) for x in leak]), np.arange(3))
    assert found is not None
    funnels, rest, _ = found
    assert funnels.order[: funnels.count].tolist() == [2]
    exact = 1 - a[0][2] * a[2][0]  # K'[0, 0]
    dense = np.zeros((2, 2))
    np.add.at(dense, (rest.indices, rest.entry_columns()), rest.data)
    assert dense[0, 0] == pytest.approx(float(exact), rel=1e-15, abs=0)
    assert float(exact) < 1e-8


def _chained(chain: int) -> tuple[int, list[tuple[int, int, int]]]:
    """A ring of 10 roles that pay one another both ways, and a chain of `chain` roles
    from ring role 0 back to ring role 5, each paying only the next: funnels, one level
    of the forest each. A client pays every third role."""
    ring = 10
    roles = ring + chain
    edges = [(i, (i + 1) % ring, 50 + i) for i in range(ring)]
    edges += [((i + 1) % ring, i, 30 + i) for i in range(ring)]
    path = [0, *range(ring, roles), 5]
    edges += [(u, v, 100) for u, v in itertools.pairwise(path)]
    edges += [(roles, v, 7 + v % 5) for v in range(0, roles, 3)]
    return roles, edges


def test_a_chain_of_funnels_longer_than_its_rounds_pay_for_stays_in_the_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    roles, edges = _chained(200)
    a, base = _dense(roles, 1, edges)
    monkeypatch.setattr(fringe, "FREE_ROUNDS", 5)
    monkeypatch.setattr(fringe, "ROLES_PER_ROUND", 2)
    with _sweeping_every_core(funnels=True):
        got, solvers = solved_with_cores(roles, 1, edges, 1.0)
    (solver,) = solvers
    assert isinstance(solver, FunnelledCore)
    assert solver.funnels.count == 5  # (a round of one role after 5: not paid for)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


def test_a_ring_of_funnels_is_kept() -> None:
    """Every role pays only the next: each waits for another, none is eliminated."""
    roles = 300
    edges = [(v, (v + 1) % roles, 100) for v in range(roles)]
    edges += [(roles, v, 5) for v in range(0, roles, 7)]
    a, base = _dense(roles, 1, edges)
    with _sweeping_every_core(funnels=True):
        got, solvers = solved_with_cores(roles, 1, edges, 1.0)
    assert not any(isinstance(s, FunnelledCore) for s in solvers)
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


def test_when_the_kept_roles_do_not_settle_the_whole_core_is_factorised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    roles, edges = _chained(40)
    a, base = _dense(roles, 1, edges)
    sizes: list[int] = []
    monkeypatch.setattr(loop_core, "swept", lambda core, *_: sizes.append(core.size))
    monkeypatch.setattr(loop_core, "krylov_probed", lambda *_, **__: None)  # (nor BiCGSTAB)
    with _sweeping_every_core(funnels=True):
        got, solvers = solved_with_cores(roles, 1, edges, 1.0)
    (solver,) = solvers
    assert isinstance(solver, FactorisedCore)
    assert sizes and solver.system.size > max(sizes)  # the core, not what its funnels left
    np.testing.assert_allclose(got, dense_least_solution(a, base, 1.0), rtol=1e-11, atol=1e-14)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(org=cyclic_org_specs(), decay=decays, top=st.sampled_from([0, 2]))
def test_engine_matches_oracle_with_funnels_eliminated(
    org: OrgSpec, decay: float, top: int
) -> None:
    """Where the cores' funnels go first (a core whose sweeps do not settle goes to
    BiCGSTAB, then to SuperLU's factors: test_loop_krylov)."""
    check_under(_sweeping_every_core(funnels=True), org, decay, top)
