"""The shape of the imported hierarchy: cycles, what hangs below a row, dotted lines.

All of it iterative and near-linear: an export may be a million rows deep in a
chain. Cycles and ancestor tests come from `graph.hierarchy`, the same code
that `clientchain validate` and the analyses use, so the import refuses
exactly the shapes the loader would.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from clientchain.graph.hierarchy import build_forest, cycles
from clientchain.model.org import NO_PARENT


def parent_array(target: Sequence[int]) -> np.ndarray:
    """Row targets (TOP, UNRESOLVED or a row) as a parent array: anything but a row is
    a top."""
    parent = np.asarray(target, dtype=np.int64)
    parent[parent < 0] = NO_PARENT
    return parent


def reporting_cycles(parent: np.ndarray) -> list[list[int]]:
    """Every cycle, each from its first row in file order."""
    return cycles(parent)


def below(parent: np.ndarray, roots: Sequence[int]) -> list[int]:
    """Every row in the subtrees of `roots` (the roots excluded), by a walk over a
    child table (no recursion)."""
    order = np.argsort(parent, kind="stable")
    sorted_parents = parent[order]
    starts = np.searchsorted(sorted_parents, np.arange(parent.size + 1))
    found: list[int] = []
    stack = list(roots)
    while stack:
        row = stack.pop()
        children = order[starts[row] : starts[row + 1]].tolist()
        found.extend(children)
        stack.extend(children)
    return found


def dotted_conflicts(parent: np.ndarray, dotted: Sequence[int]) -> list[tuple[int, str]]:
    """(row, kind) for each dotted line the contract refuses: to the row itself
    ("self"), to a row above it in reports_to ("above"), below it ("below"), or a pair
    of rows dotted to each other ("mutual", at the first of the two). `parent` must be
    acyclic."""
    rows = [i for i, d in enumerate(dotted) if d >= 0]
    if not rows:
        return []
    conflicts: list[tuple[int, str]] = []
    forest = build_forest(parent)
    subs = np.asarray(rows, dtype=np.int64)
    bosses = np.asarray([dotted[i] for i in rows], dtype=np.int64)
    above = forest.is_proper_ancestor(bosses, subs)
    under = forest.is_proper_ancestor(subs, bosses)
    for k, row in enumerate(rows):
        boss = dotted[row]
        if boss == row:
            conflicts.append((row, "self"))
        elif above[k]:
            conflicts.append((row, "above"))
        elif under[k]:
            conflicts.append((row, "below"))
        elif dotted[boss] == row and row < boss:
            conflicts.append((row, "mutual"))
    return conflicts
