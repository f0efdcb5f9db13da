"""SuperLU's factors with their pivots from the rooms (room_pivots): exact against
fractions where money goes round 10^15 times, and what solves a loop recharging across
itself too large for GTH's dense elimination."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from clientchain.graph import banded_gth as banded_module
from clientchain.graph import sweep as sweep_module
from clientchain.graph import whole_loop
from clientchain.graph.room_pivots import room_pivoted
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.triangular_factors import TriangularFactors
from clientchain.graph.whole_loop import RoomRefined
from tests.test_banded_gth import _exact_solution, _local_system
from tests.test_gth_factors import traced_web


@pytest.mark.parametrize("seed", [0, 1, 3])
def test_factors_pivoted_from_the_rooms_refine_to_the_exact_solution(seed: int) -> None:
    """Loops whose roles pay anyone in them, amounts up to 10^17 a step, rooms down to a
    part in 10^3, money going round up to 10^16 times: the factors with pivots from the
    rooms, refined on residuals from the rooms, give what fractions give."""
    system, room, taken, exact_room = _local_system(seed, reach=60, deepest=3)
    pivoted = room_pivoted(system, room)
    assert isinstance(pivoted, TriangularFactors)
    refined = RoomRefined.of(pivoted, system, room)
    rng = np.random.default_rng(300 + seed)
    rhs = rng.random((system.size, 2)) * (rng.random((system.size, 2)) < 0.3)
    rhs[0] = 1.0
    got = refined.solve(rhs)
    for column in range(2):
        want = _exact_solution(taken, exact_room, [Fraction(float(v)) for v in rhs[:, column]])
        for i, value in enumerate(want):
            assert got[i, column] == pytest.approx(float(value), rel=1e-12, abs=0), (i, column)


def test_factors_pivoted_from_the_rooms_decline_what_they_cannot_solve() -> None:
    system, room, _, _ = _local_system(2, reach=60)
    assert room_pivoted(system, np.zeros(system.size)) is None  # (leaking nowhere)
    paying = SquareCsc(system.size, system.indptr, system.indices, np.abs(system.data))
    assert room_pivoted(paying, room) is None


@pytest.mark.parametrize("client_pays", [1.0, 1e-4], ids=["1e15", "1e19"])
@pytest.mark.parametrize("peeled", [False, True], ids=["whole", "peeled"])
def test_a_loop_too_large_for_dense_gth_traces_one_by_its_pivots_from_the_rooms(
    peeled: bool, client_pays: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 1,500-role loop of test_gth_factors (each role paying the next and one more
    anywhere, 10^15 a step, fed 1), GTH_LAST lowered below it and its band declined as
    at 10,000 roles, where every traced share came out 0.0052 (SuperLU's last pivots
    lose every digit, refinement cannot make it up). With pivots from the rooms and
    refined, exactly 1; fed 10^-4, money going round 10^19 times, refinement can no
    longer tell (its steps do not settle), and the pivots from the rooms are taken all
    the same: exactly 1."""
    monkeypatch.setattr(whole_loop, "GTH_LAST", whole_loop.GTH_MAX)
    monkeypatch.setattr(banded_module, "BAND_WORK", 0)  # (its band: half the loop)
    if peeled:
        monkeypatch.setattr(sweep_module, "FRINGE_MIN_ROLES", 100)
    traced, solver = traced_web(client_pays)
    assert isinstance(solver, RoomRefined) and isinstance(solver.factors, TriangularFactors)
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)


def test_within_dense_reach_a_loop_is_eliminated_dense_not_by_pivots_from_the_rooms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The 1,500-role loop fed 10^-4 (10^19 round), its band declined: within GTH_LAST
    it is eliminated dense (exact by construction), not by the pivots from the rooms
    (whose multipliers keep SuperLU's pivots: a review found clients' shares 1e-5 off
    on loops of weakly linked groups of 1,100 roles, refinement none the wiser)."""
    from clientchain.graph.gth_factors import GthFactors

    monkeypatch.setattr(banded_module, "BAND_WORK", 0)
    traced, solver = traced_web(1e-4)
    assert isinstance(solver, GthFactors)
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)
