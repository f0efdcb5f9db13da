"""When a loop's sweeps settle a column (graph/settling.py): each column on its own
figures, to 4 ulps of itself, or of 1 in a column of shares.

Checked against Gaussian elimination in fractions and against the same columns swept
alone, bit for bit, with the thresholds lowered so that small loops are swept.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from clientchain.graph.loop_gauss_seidel import Sweeps, SweptCore, swept
from clientchain.graph.money import build_money_graph
from clientchain.graph.settling import TOLERANCE, corrections
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.sweep import plan_sweeps
from tests.test_loop_fringe import _exact_solve
from tests.test_loop_gauss_seidel import (
    _core_solvers,
    _exact_shares,
    _recharges,
    _sweeping_every_core,
    _swept_loop,
)
from tests.test_sweep import org_from_edges


def _sweeps(seed: int, roles: int = 200) -> Sweeps:
    """The sweeps of a recharge loop's core (thresholds lowered)."""
    with _sweeping_every_core():
        _, _, peeled, _, _ = _swept_loop(seed, roles)
    core = peeled.core
    assert isinstance(core, SweptCore)
    return core.sweeps


def _columns(size: int, rng: np.random.Generator) -> np.ndarray:
    """Right-hand sides whose solutions span many magnitudes: a few roles paid, the
    rest reached through the loop only, one column fifty times smaller than the rest."""
    rhs = np.zeros((size, 4))
    for j in range(4):
        paid = rng.choice(size, size=3, replace=False)
        rhs[paid, j] = rng.random(3)
    rhs[:, 1] /= 50
    return rhs


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shares", [[False] * 4, [True] * 4, [False, False, True, True]])
def test_a_column_is_the_same_to_the_bit_whatever_is_swept_beside_it(
    seed: int, shares: list[bool]
) -> None:
    """A block of clients swept whole by one process or in halves by two, and a sweep's
    own columns beside its first clients or not: each column settles on its own."""
    sweeps = _sweeps(seed)
    rhs = _columns(sweeps.system.size, np.random.default_rng(seed))
    mask = np.array(shares)
    together = sweeps.solve(rhs, 500, shares=mask)
    assert together is not None
    for j in range(rhs.shape[1]):
        alone = sweeps.solve(rhs[:, j : j + 1], 500, shares=mask[j : j + 1])
        assert alone is not None
        assert np.array_equal(alone[0][:, 0].view(np.int64), together[0][:, j].view(np.int64))
    halves = [sweeps.solve(rhs[:, s], 500, shares=mask[s]) for s in (slice(0, 2), slice(2, 4))]
    assert all(h is not None for h in halves)
    joined = np.hstack([h[0] for h in halves if h is not None])
    assert np.array_equal(joined.view(np.int64), together[0].view(np.int64))


@pytest.mark.parametrize("seed", range(3))
def test_shares_are_exact_to_4_ulps_of_1_and_the_rest_to_4_of_themselves(seed: int) -> None:
    """Against Gaussian elimination in fractions, role by role: a column of shares to
    within a few ulps of 1 (its entries are at most 1), any other column to within a few
    ulps of each entry, however small."""
    rng = np.random.default_rng(seed)
    roles = 30
    # A third client paying one role a token amount: its shares are small everywhere.
    edges = [*_recharges(roles, rng, per_role=2), (roles + 2, int(rng.integers(roles)), 1)]
    share, base = _exact_shares(roles, 3, edges)
    rhs = np.array([[float(x) for x in row] for row in base])
    exact = np.array(
        [[float(x) for x in _exact_solve(share, [row[c] for row in base])] for c in range(3)]
    ).T
    assert exact.min() < 1e-5 * exact.max()  # (shares of many magnitudes)
    with _sweeping_every_core():
        graph = build_money_graph(org_from_edges(roles, 3, edges))
        plan = plan_sweeps(graph)
        as_shares = plan.from_plan(plan.solve(plan.to_plan(rhs), [1.0] * 3, shares=True))
        assert all(isinstance(s, SweptCore) for s in _core_solvers(plan, 1.0))
        plan = plan_sweeps(graph)
        relative = plan.from_plan(plan.solve(plan.to_plan(rhs), [1.0] * 3))
    np.testing.assert_allclose(as_shares, exact, rtol=0, atol=4 * TOLERANCE)
    np.testing.assert_allclose(relative, exact, rtol=4 * TOLERANCE, atol=0)


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 700), st.integers(1, 9)),
        elements=st.floats(-1e3, 1e3) | st.just(0.0),
    ),
    st.data(),
)
def test_each_column_is_judged_on_its_largest_correction(
    correction: np.ndarray, data: st.DataObject
) -> None:
    """Per column: the largest |correction| (shares), or |correction / x| with 0 / 0 left
    out and a correction to a zero infinite; columns side by side or one at a time."""
    columns = correction.shape[1]
    x = data.draw(hnp.arrays(np.float64, correction.shape, elements=st.floats(-1, 1)))
    shares = np.array(data.draw(st.lists(st.booleans(), min_size=columns, max_size=columns)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.abs(correction / x)
    want = [
        max([abs(c) for c in correction[:, j]], default=0.0)
        if shares[j]
        else max([r for r in ratio[:, j] if not np.isnan(r)], default=0.0)
        for j in range(columns)
    ]
    got = corrections(correction.copy(), x, shares)
    assert got.tolist() == want


def _ring(roles: int, hop: float) -> Sweeps:
    """Sweeps of a ring that hands `hop` of each role's money to the one before it (the
    rest of each role's money comes from outside), in the order that moves it one role
    a sweep: role i takes from role i + 1, the last from the first."""
    i = np.arange(roles)
    rows = np.concatenate([i, i])
    cols = np.concatenate([i, (i + 1) % roles])
    core = SquareCsc.from_entries(roles, rows, cols, np.r_[np.ones(roles), np.full(roles, -hop)])
    solver = swept(core, i, lambda _: pytest.fail("the probe settles"))
    assert solver is not None
    return solver.sweeps


@pytest.mark.parametrize("shares", [True, False])
def test_a_column_settles_only_once_its_money_has_reached_every_role(shares: bool) -> None:
    """A client paying the last role of a ring where each hop passes on a thousandth:
    after a few sweeps the corrections are far below rounding, but the roles the money
    has not reached yet would still read 0 (no share at all, a finding's condition). In
    a loop's core money paid anywhere reaches every role, so the sweeps go on."""
    got, want = _ring_paid_at_its_end(40, 1e-3, shares)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def _ring_paid_at_its_end(roles: int, hop: float, shares: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ring's shares of a client paying its last role, swept, and in closed form:
    x[last] = 1 / (1 - hop^roles), each role before it `hop` of the next."""
    rhs = np.zeros((roles, 1))
    rhs[-1] = 1.0
    solved = _ring(roles, hop).solve(rhs, 500, shares=np.array([shares]))
    assert solved is not None
    want = (1.0 / (1.0 - hop**roles)) * hop ** np.arange(roles - 1, -1, -1, dtype=np.float64)
    return solved[0][:, 0], want


@pytest.mark.parametrize("scale", [1e-11, 1e-15, 1e-200])
def test_a_column_of_tiny_shares_settles_without_the_factors(scale: float) -> None:
    """A client paying a token amount into a large organisation: its shares are all
    far below 1e-12, so its corrections are below the point where steps go to extended
    precision from the first sweep. It settles by its own rate (none is measured in
    extended precision), within 4 ulps of 1 of the same column solved relative to
    itself, and looking ahead at its rate raises no float warning."""
    sweeps = _sweeps(1, 300)
    rhs = np.zeros((sweeps.system.size, 1))
    rhs[[3, 7, 11], 0] = scale
    as_shares = sweeps.solve(rhs, 500, foresee=True, shares=np.array([True]))
    relative = sweeps.solve(rhs, 500, foresee=True, shares=np.array([False]))
    assert as_shares is not None and relative is not None
    assert np.all(as_shares[0] > 0)
    np.testing.assert_allclose(as_shares[0], relative[0], rtol=0, atol=4 * TOLERANCE)


@pytest.mark.parametrize("shares", [True, False])
def test_money_below_the_smallest_float_leaves_a_settled_zero(shares: bool) -> None:
    """A ring of 120 roles handing on a thousandth a hop: the roles more than 107 hops
    from the paid one get less than float64 holds (exactly 0 in float64 too). Once a
    sweep reaches no role more, none will: the column settles with those zeros, where
    waiting for them would hand the loop to the factors."""
    got, want = _ring_paid_at_its_end(120, 1e-3, shares)
    assert np.array_equal(got == 0, want == 0)
    assert np.count_nonzero(want == 0) == 12
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


def test_shares_below_the_normal_floats_settle_without_a_warning() -> None:
    """Denormal shares (a payment of 1e-310 of a role's money): settled as shares, with
    no overflow warning from the rate's look ahead. (Relative to themselves they cannot
    settle: a denormal has fewer than 52 bits.)"""
    sweeps = _sweeps(1, 300)
    rhs = np.zeros((sweeps.system.size, 1))
    rhs[[3, 7, 11], 0] = 1e-310
    solved = sweeps.solve(rhs, 500, foresee=True, shares=np.array([True]))
    assert solved is not None
    assert np.all(solved[0] >= 0) and np.all(solved[0] <= 1e-300)


@pytest.mark.parametrize("rows", [0, 1, 31, 32, 1000, 1001])
@pytest.mark.parametrize("columns", [1, 3, 8, 300])
def test_reductions_down_columns_equal_numpys(rows: int, columns: int) -> None:
    """Rows side by side (LANES) and the rows left over: each column's largest value
    (nan left out, 0 for none) and whether any of it is set, as numpy's reductions."""
    from clientchain.graph.settling import column_any, column_largest

    rng = np.random.default_rng(rows * 1000 + columns)
    values = rng.random((rows, columns)) * (rng.random((rows, columns)) < 0.01)
    values[rng.random((rows, columns)) < 0.01] = np.nan
    np.testing.assert_array_equal(
        column_largest(values), np.fmax.reduce(values, axis=0, initial=0.0)
    )
    flags = values > 0.5
    np.testing.assert_array_equal(column_any(flags), np.any(flags, axis=0))
