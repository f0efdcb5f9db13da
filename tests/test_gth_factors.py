"""GTH's dense elimination in blocks (gth_factors): exact against fractions however much
money goes round, and what solves a large loop whose recharges cross it too widely for
a band where SuperLU's factors are off."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from clientchain.graph import gth_factors as factors_module
from clientchain.graph import sweep as sweep_module
from clientchain.graph.gth_factors import GthFactors, gth_factors
from clientchain.graph.loop_core import CheckedCore
from clientchain.graph.money import build_money_graph
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.sweep import plan_sweeps
from tests.test_banded_gth import _exact_solution, _local_system
from tests.test_sweep import org_from_edges


@pytest.mark.parametrize("panel", [3, 128])
@pytest.mark.parametrize("seed", range(2))
def test_gth_factors_are_exact_against_fractions_however_much_goes_round(
    seed: int, panel: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loops whose roles pay anyone in them (no band), amounts up to 10^17 a step, a few
    rooms down to a part in 10^18: panels of 3 roles (many, and a last one cut short)
    and of 128 (the whole loop one panel)."""
    monkeypatch.setattr(factors_module, "PANEL", panel)
    monkeypatch.setattr(factors_module, "ROWS", 7)
    system, room, taken, exact_room = _local_system(seed, reach=60)
    solver = gth_factors(system, room)
    assert isinstance(solver, GthFactors)
    rng = np.random.default_rng(200 + seed)
    rhs = rng.random((system.size, 2)) * (rng.random((system.size, 2)) < 0.3)
    rhs[0] = 1.0
    given = rhs.copy()
    got = solver.solve(rhs)
    np.testing.assert_array_equal(rhs, given)  # (its input left as it was)
    for column in range(2):
        want = _exact_solution(taken, exact_room, [Fraction(float(v)) for v in rhs[:, column]])
        for i, value in enumerate(want):
            assert got[i, column] == pytest.approx(float(value), rel=1e-12, abs=0), (i, column)
    np.testing.assert_allclose(solver.solve(room), 1.0, rtol=1e-13, atol=0)


def test_gth_factors_leave_what_they_cannot_solve_to_their_caller() -> None:
    system, room, _, _ = _local_system(1, reach=60)
    assert gth_factors(system, np.zeros(system.size)) is None  # (leaking nowhere)
    paying = SquareCsc(system.size, system.indptr, system.indices, np.abs(system.data))
    assert gth_factors(paying, room) is None


def _web(
    roles: int, amount: int, seed: int, client_pays: float = 1.0
) -> list[tuple[int, int, float]]:
    """Each role paying the next round and one more anywhere `amount` (a share of it),
    `client_pays` from the one client (number `roles`) to role 0."""
    rng = np.random.default_rng(seed)
    edges: list[tuple[int, int, float]] = [(v, (v + 1) % roles, amount) for v in range(roles)]
    for v in range(roles):
        other = int(rng.integers(roles))
        if other not in (v, (v + 1) % roles):
            edges.append((v, other, amount * float(rng.integers(1, 10)) / 10))
    return [*edges, (roles, 0, client_pays)]


def traced_web(client_pays: float = 1.0, roles: int = 1500) -> tuple[np.ndarray, Any]:
    """The traced shares of the web of `_web` (10^15 a step, seed 3), and what solves
    its loop at alpha 1 (a peeled loop's core's solver, where it is peeled)."""
    edges = _web(roles, 10**15, 3, client_pays)
    plan = plan_sweeps(build_money_graph(org_from_edges(roles, 1, edges)))  # type: ignore[arg-type]
    direct = np.zeros((roles, 1))
    direct[0, 0] = client_pays / sum(amount for _, payee, amount in edges if payee == 0)
    traced = plan.from_plan(plan.solve(plan.to_plan(direct), [1.0]))
    (loop,) = plan.large
    solver = getattr(loop, "parts", [loop])[0].factors[1.0]
    if hasattr(solver, "core"):
        assert isinstance(solver.core, CheckedCore)
        solver = solver.core.solver
    return traced, solver


@pytest.mark.parametrize("peeled", [False, True], ids=["whole", "peeled"])
def test_a_loop_recharging_across_itself_turning_over_1e15_times_traces_one(
    peeled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """1,500 roles paying the next and one more anywhere, 10^15 a step, fed 1 by one
    client: every role's money is all that client's. SuperLU's factors miss all ones by
    far more than refinement can make up, and the band of such a loop is as wide as the
    loop: at 6,000 roles every traced share came out 0.0079. Solved whole (more than
    GTH_MAX roles), and as a peeled loop's core: eliminated dense, exactly 1."""
    if peeled:
        monkeypatch.setattr(sweep_module, "FRINGE_MIN_ROLES", 100)
    traced, solver = traced_web()
    assert isinstance(solver, GthFactors)
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)
