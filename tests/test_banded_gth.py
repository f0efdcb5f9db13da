"""GTH's elimination in a band (banded_gth): exact against fractions however much money
goes round, and what solves a large loop whose rounded system SuperLU finds singular."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from clientchain.graph import banded_gth as banded_module
from clientchain.graph import sweep as sweep_module
from clientchain.graph import whole_loop
from clientchain.graph.banded_gth import BandedGth, banded_gth
from clientchain.graph.loop_core import CheckedCore
from clientchain.graph.money import build_money_graph
from clientchain.graph.square_csc import SquareCsc
from clientchain.graph.sweep import plan_sweeps
from tests.test_sweep import _ring, org_from_edges


def _local_system(
    seed: int, reach: int = 5, deepest: int = 18
) -> tuple[SquareCsc, np.ndarray, list[dict[int, Fraction]], list[Fraction]]:
    """A loop of 20-60 roles in a shuffled numbering: each pays the next round, some pay
    a role up to `reach` on, amounts up to 10^17 a step; a few rows leak (by parts down
    to 10^-`deepest`), the rest not at all. Its system K (entries off the diagonal: what a row
    takes from a column, negated; on it, the room and what the row takes, rounded), the
    rooms, and K exactly: per row what it takes (fractions of the floats as given) and
    its room."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(20, 61))
    taken: list[dict[int, Fraction]] = [{} for _ in range(size)]
    for v in range(size):
        for ahead in [1, *rng.integers(2, reach + 1, size=int(rng.integers(0, 3))).tolist()]:
            amount = float(rng.integers(1, 100)) * 10.0 ** int(rng.integers(0, 16))
            row = taken[(v + ahead) % size]
            row[v] = row.get(v, Fraction(0)) + Fraction(amount)
    room = np.zeros(size)
    for v in rng.choice(size, size=int(rng.integers(1, 4)), replace=False).tolist():
        room[v] = float(rng.random()) * 10.0 ** -int(rng.integers(0, deepest + 1))
    # The numbering shuffled: the band is reverse Cuthill-McKee's to find.
    shuffle = rng.permutation(size)
    rows, columns, values = [], [], []
    moved: list[dict[int, Fraction]] = [{} for _ in range(size)]
    for i in range(size):
        moved[shuffle[i]] = {int(shuffle[j]): value for j, value in taken[i].items()}
    for i, row in enumerate(moved):
        rows += [i] * (len(row) + 1)
        columns += [*row, i]
        values += [-float(value) for value in row.values()]
        values.append(float(room[np.flatnonzero(shuffle == i)[0]]) + sum(map(float, row.values())))
    rooms = np.zeros(size)
    rooms[shuffle] = room
    system = SquareCsc.from_entries(size, np.array(rows), np.array(columns), np.array(values))
    return system, rooms, moved, [Fraction(float(r)) for r in rooms]


def _exact_solution(
    taken: list[dict[int, Fraction]], room: list[Fraction], rhs: list[Fraction]
) -> list[Fraction]:
    """K x = rhs in fractions, K's diagonal the room plus what the row takes."""
    size = len(room)
    k = [[Fraction(0)] * size + [rhs[i]] for i in range(size)]
    for i, row in enumerate(taken):
        k[i][i] = room[i] + sum(row.values(), Fraction(0))
        for j, value in row.items():
            k[i][j] -= value
    for p in range(size):
        pivot = next(r for r in range(p, size) if k[r][p] != 0)
        k[p], k[pivot] = k[pivot], k[p]
        for r in range(size):
            if r != p and k[r][p] != 0:
                factor = k[r][p] / k[p][p]
                k[r] = [a - factor * b for a, b in zip(k[r], k[p], strict=True)]
    return [k[i][size] / k[i][i] for i in range(size)]


@pytest.mark.parametrize("seed", range(6))
def test_banded_gth_is_exact_against_fractions_however_much_goes_round(seed: int) -> None:
    system, room, taken, exact_room = _local_system(seed)
    solver = banded_gth(system, room)
    assert isinstance(solver, BandedGth)
    rng = np.random.default_rng(100 + seed)
    rhs = rng.random((system.size, 2)) * (rng.random((system.size, 2)) < 0.3)
    rhs[0] = 1.0  # (every column fed somewhere)
    got = solver.solve(rhs)
    for column in range(2):
        want = _exact_solution(taken, exact_room, [Fraction(float(v)) for v in rhs[:, column]])
        for i, value in enumerate(want):
            assert got[i, column] == pytest.approx(float(value), rel=1e-12, abs=0), (i, column)
    # Solved for its rooms, the system gives all ones: what whole_loop.checked asks.
    np.testing.assert_allclose(solver.solve(room), 1.0, rtol=1e-13, atol=0)


def test_banded_gth_leaves_what_it_cannot_solve_to_its_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    system, room, _, _ = _local_system(0)
    # A part of the loop that leaks nowhere: a pivot of 0, no solution to give.
    assert banded_gth(system, np.zeros(system.size)) is None
    # An entry off the diagonal > 0 is no money taken: not GTH's to solve.
    paying = SquareCsc(system.size, system.indptr, system.indices, np.abs(system.data))
    assert banded_gth(paying, room) is None
    monkeypatch.setattr(banded_module, "BAND_WORK", 0)
    assert banded_gth(system, room) is None


def _traced_ring(roles: int, client_pays: float) -> tuple[np.ndarray, object]:
    """The ring of test_sweep._ring (10^15 a step, chords) fed client_pays by its one
    client: each role's traced share, and the loop's plan part."""
    edges = [(u, v, a) for u, v, a in _ring(roles, 10**15) if u < roles]
    plan = plan_sweeps(
        build_money_graph(org_from_edges(roles, 1, [*edges, (roles, 0, client_pays)]))  # type: ignore[list-item]
    )
    direct = np.zeros((roles, 1))
    direct[0, 0] = client_pays / (10**15 + client_pays)
    traced = plan.from_plan(plan.solve(plan.to_plan(direct), [1.0]))
    (loop,) = plan.large
    return traced, getattr(loop, "parts", [loop])[0]


def test_a_peeled_ring_whose_rounded_system_is_singular_traces_every_role_to_its_client() -> None:
    """6,000 roles handing on 10^15 a step, fed 10^-4 by one client: money goes round
    10^19 times, I - A rounds to singular and SuperLU stopped the run ("Factor is
    exactly singular"), too large for GTH's inverse. Eliminated in its band (a fraction
    of what dense would cost), every role's money is all that client's: a traced share
    of exactly 1."""
    roles = 6000
    assert roles > max(whole_loop.GTH_MAX, sweep_module.FRINGE_MIN_ROLES)
    traced, part = _traced_ring(roles, 1e-4)
    core = part.factors[1.0].core  # type: ignore[attr-defined]
    assert isinstance(core, CheckedCore) and isinstance(core.solver, BandedGth)
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)


def test_a_ring_solved_whole_whose_rounded_system_is_singular_is_eliminated_in_its_band(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same at 2,000 roles, solved whole (fewer than FRINGE_MIN_ROLES), GTH's dense
    inverse allowed no more than GTH_MAX roles: eliminated in its band, exactly 1."""
    monkeypatch.setattr(whole_loop, "GTH_LAST", whole_loop.GTH_MAX)
    traced, part = _traced_ring(2000, 1e-4)
    assert part.fringe is None  # type: ignore[attr-defined]
    assert isinstance(part.factors[1.0], BandedGth)  # type: ignore[attr-defined]
    np.testing.assert_allclose(traced[:, 0], 1.0, rtol=0, atol=1e-13)
