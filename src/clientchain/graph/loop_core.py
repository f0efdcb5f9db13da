"""How the core of a very large loop is solved: its funnels eliminated (loop_funnels)
and Gauss-Seidel sweeps (loop_gauss_seidel), else sweeps split along its lines
(loop_tree_split), else SuperLU's factors.

A core of up to SWEEP_MIN_ROLES roles is factorised as it is: SuperLU copes with it.
A larger one loses its funnels first when they are many, and what is left is probed:
if its sweeps settle, they solve it. If not (its money circulates: funnels are where it
leaks, not where it turns), the whole core, funnels and all, is probed with the split
along its both-ways lines, and factorised if that does not settle either.

The split is tried first where most of the core's entries pair up (roles paying each
other both ways: revenue up and a budget down every line), and at every alpha of a core
that needed it at another (closeness' decay, after the shares at 1): Gauss-Seidel
carries money that goes round the lines one level a sweep, the split solves the lines
whole. A million roles paying each other both ways on every line and recharging one
another: Gauss-Seidel's probe gives up at alpha 1 after 0.9-1.0 s, and at a decay of
0.5 takes 35 sweeps to the split's 14.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from clientchain.graph.banded_gth import BandedGth
from clientchain.graph.distinct import member
from clientchain.graph.gth_factors import GthFactors
from clientchain.graph.loop_funnels import FunnelledCore, find_funnels
from clientchain.graph.loop_gauss_seidel import (
    CoreSolver,
    FactorisedCore,
    Prober,
    SweptCore,
    gauss_seidel,
    swept,
)
from clientchain.graph.loop_krylov import krylov_probed
from clientchain.graph.loop_tree_split import tree_split
from clientchain.graph.square_csc import SquareCsc, refined_work
from clientchain.graph.whole_loop import Checked, GthInverse, checked
from clientchain.model.holder import holder
from clientchain.model.org import BoolArray, FloatArray, IntArray

# Cores of more roles than this are swept (when they settle); smaller ones factorised.
SWEEP_MIN_ROLES = 4096
# Entries looked at to tell whether most of a core's pair up (spread evenly over them).
PAIR_SAMPLE = 4096
# What a refined core's solve costs, in refinement steps (its weight: CheckedCore.work).
REFINED_STEPS = 3


def core_solver(
    core: SquareCsc,
    room: FloatArray,
    position: IntArray,
    factorise: Callable[[SquareCsc], Any],
    lines_first: bool = False,
) -> CoreSolver:
    """How to solve K = `core` (in its own order, diagonal included; `room`: its row
    sums; `position`: each core role's place in the loop, whose order the sweeps
    follow): swept when it is large and a probe settles, else `factorise(core)`
    (SuperLU's factors). `lines_first`: the split along its lines is tried before
    Gauss-Seidel (the same core's money went round its lines at another alpha)."""
    if core.size > SWEEP_MIN_ROLES:
        lines_first = lines_first or mostly_paired(core)
        tries = (_split, _gauss_seidel) if lines_first else (_gauss_seidel, _split)
        for attempt in tries:
            solver = attempt(core, room, position, factorise)
            if solver is not None:
                return solver
        # Neither settles as it is: BiCGSTAB on them, the split's first (it carries the
        # money on the lines whole: on Gauss-Seidel's, a core paying both ways on every
        # line and recharging across did not settle within 547 sweeps; on the split's,
        # it did within 77).
        for attempt, along_lines in ((_split, True), (_gauss_seidel, False)):
            solver = attempt(
                core, room, position, factorise, partial(krylov_probed, along_lines=along_lines)
            )
            if solver is not None:
                return solver
    return _factorised(factorise, core, room)


@holder
class CheckedCore(CoreSolver):
    """A core whose factors are off (whole_loop.checked): GTH's inverse or elimination
    of it, or its factors refined from its rooms."""

    solver: Checked
    system: SquareCsc

    def solve(self, rhs: FloatArray, shares: BoolArray | None = None) -> FloatArray:
        return self.solver.solve(rhs)

    def work(self) -> int:
        if isinstance(self.solver, GthInverse | BandedGth | GthFactors):
            return self.solver.nnz
        return REFINED_STEPS * refined_work(self.solver.factors, self.system)


def _factorised(
    factorise: Callable[[SquareCsc], Any], core: SquareCsc, room: FloatArray
) -> CoreSolver:
    """The core's factors, refined a step on residuals with the room gap (FactorisedCore);
    where, solved so for the rooms, they miss all ones (a ring of 1,500 roles as a core,
    money turning over a billion times, had every traced share 0.99999998; a core of 9
    roles that money reaches only through its fringe, its rooms 1e-20, -0.0008), what
    whole_loop.checked solves it with instead (CheckedCore)."""
    gap = core.room_gap(room)
    residual = partial(core.widened_residual, gap=gap)  # (FactorisedCore's)
    solver = checked(partial(factorise, core), core, room, residual)
    if isinstance(solver, Checked):
        return CheckedCore(solver, core)
    return FactorisedCore(solver, core, gap)


def mostly_paired(core: SquareCsc) -> bool:
    """Whether most entries off the core's diagonal have their mirror (two roles paying
    each other), judged on PAIR_SAMPLE of them spread evenly over the core's entries."""
    m, size = core.size, core.indices.size
    keys = core.entry_keys()
    picked = keys[np.linspace(0, size - 1, min(size, PAIR_SAMPLE)).astype(np.int64)]
    row, column = picked % m, picked // m
    off = row != column
    mirror = row[off] * m + column[off]
    return 2 * int(np.count_nonzero(member(keys, mirror))) > int(mirror.size)


def _gauss_seidel(
    core: SquareCsc,
    room: FloatArray,
    position: IntArray,
    factorise: Callable[[SquareCsc], Any],
    prober: Prober | None = None,
) -> CoreSolver | None:
    """Gauss-Seidel sweeps of the core, its funnels eliminated first where they are many;
    None if a probe (`prober`'s, if given) does not settle."""
    found = find_funnels(core, room, position)
    if found is None:
        return _probed(core, room, position, factorise, prober)
    funnels, rest, rest_room = found  # (rest: in the loop's order already)
    inner = _probed(rest, rest_room, np.arange(rest.size), factorise, prober)
    return None if inner is None else FunnelledCore(funnels.kept_as(inner.wanted_rows()), inner)


def _probed(
    core: SquareCsc,
    room: FloatArray,
    position: IntArray,
    factorise: Callable[[SquareCsc], Any],
    prober: Prober | None,
) -> SweptCore | None:
    """The core's Gauss-Seidel sweeps as `swept` probes them, or as `prober` does."""
    if prober is None:
        return swept(core, position, factorise)
    sweeps, rows = gauss_seidel(core, position)
    return prober(sweeps, rows, factorise, room)


def _split(
    core: SquareCsc,
    room: FloatArray,
    _position: IntArray,
    factorise: Callable[[SquareCsc], Any],
    prober: Prober | None = None,
) -> CoreSolver | None:
    """Sweeps split along the core's both-ways lines (money that circulates on them)."""
    return tree_split(core, room, factorise, prober)
