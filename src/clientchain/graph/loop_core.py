"""How the core of a very large loop is solved: its funnels eliminated (loop_funnels)
and Gauss-Seidel sweeps (loop_gauss_seidel), else sweeps split along its lines
(loop_tree_split), else SuperLU's factors.

A core of up to SWEEP_MIN_ROLES roles is factorised as it is: SuperLU copes with it.
A larger one loses its funnels first when they are many, and what is left is probed:
if its sweeps settle, they solve it. If not (its money circulates: funnels are where it
leaks, not where it turns), the whole core, funnels and all, is probed with the split
along its both-ways lines, and factorised if that does not settle either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from clientchain.graph.loop_funnels import FunnelledCore, find_funnels
from clientchain.graph.loop_gauss_seidel import CoreSolver, FactorisedCore, swept
from clientchain.graph.loop_tree_split import tree_split
from clientchain.graph.square_csc import SquareCsc
from clientchain.model.org import FloatArray, IntArray

# Cores of more roles than this are swept (when they settle); smaller ones factorised.
SWEEP_MIN_ROLES = 4096


def core_solver(
    core: SquareCsc,
    room: FloatArray,
    position: IntArray,
    factorise: Callable[[SquareCsc], Any],
) -> CoreSolver:
    """How to solve K = `core` (in its own order, diagonal included; `room`: its row
    sums; `position`: each core role's place in the loop, whose order the sweeps
    follow): swept when it is large and a probe settles, else `factorise(core)`
    (SuperLU's factors)."""
    if core.size > SWEEP_MIN_ROLES:
        solver: CoreSolver | None = None
        found = find_funnels(core, room, position)
        if found is None:
            solver = swept(core, position, factorise)
        else:
            funnels, rest = found  # (rest: in the loop's order already)
            inner = swept(rest, np.arange(rest.size), factorise)
            if inner is not None:
                solver = FunnelledCore(funnels.kept_as(inner.wanted_rows()), inner)
        if solver is None:  # money that circulates along lines: the forest split
            solver = tree_split(core, room, factorise)
        if solver is not None:
            return solver
    return FactorisedCore(factorise(core), core)
