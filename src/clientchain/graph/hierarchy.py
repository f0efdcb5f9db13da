"""The reports_to forest as flat arrays: depth, cycles, subtree sums, ancestor tests.

Everything is vectorised and iterative. Paths to the top are folded by pointer
doubling (log2(depth) passes over the arrays), so a 100,000-level chain costs
17 passes, not 100,000 stack frames.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from clientchain.model.holder import holder
from clientchain.model.org import NO_PARENT, IntArray


def fold_to_top(
    parent: IntArray, values: IntArray, op: Callable[[IntArray, IntArray], IntArray]
) -> tuple[IntArray, IntArray]:
    """Fold `values` along each role's path to its top with an associative `op`.

    Returns (folded, unfinished): folded[v] = op over v, parent(v), ..., top; unfinished
    marks roles whose path never reaches a top (they are on or below a cycle).
    """
    acc = values.copy()
    jump = parent.copy()
    # After k passes each jump covers 2**k steps; past n steps only cycles are left.
    passes = max(1, int(parent.size).bit_length() + 1)
    active = np.flatnonzero(jump != NO_PARENT)
    for _ in range(passes):
        if active.size == 0:
            break
        ahead = jump[active]
        acc[active] = op(acc[active], acc[ahead])
        jump[active] = jump[ahead]
        active = active[jump[active] != NO_PARENT]
    return acc, jump != NO_PARENT


def cycles(parent: IntArray) -> list[list[int]]:
    """Every reporting cycle, each listed once, starting at its first role in file order."""
    n = parent.size
    _, unfinished = fold_to_top(parent, np.zeros(n, dtype=np.int64), np.add)
    if not unfinished.any():
        return []
    # Walk n steps from the affected roles: whatever they land on lies on a cycle.
    land = np.flatnonzero(unfinished)
    hop = parent.copy()
    steps = 1
    while steps < n:
        # NO_PARENT is clamped to 0 only to keep the gather in range; `where` drops it.
        hop = np.where(hop != NO_PARENT, hop[np.maximum(hop, 0)], NO_PARENT)
        steps *= 2
    seen: set[int] = set()
    found: list[list[int]] = []
    for start in sorted({int(x) for x in hop[land]}):
        if start in seen:
            continue
        loop = [start]
        node = int(parent[start])
        while node != start:
            loop.append(node)
            node = int(parent[node])
        seen.update(loop)
        first = loop.index(min(loop))
        found.append(loop[first:] + loop[:first])
    return sorted(found)


@holder
class Forest:
    """Derived facts about an acyclic reports_to forest."""

    parent: IntArray
    depth: IntArray  # 0 for a top
    size: IntArray  # roles in the subtree, itself included
    preorder: IntArray  # position in a depth-first walk; a subtree is a contiguous range

    def is_proper_ancestor(self, boss: IntArray, sub: IntArray) -> IntArray:
        """Element-wise: is boss[i] strictly above sub[i] in the hierarchy?"""
        start, place = self.preorder[boss], self.preorder[sub]
        return np.asarray((start < place) & (place < start + self.size[boss]))

    def ancestry(self, a: IntArray, b: IntArray) -> tuple[np.ndarray, np.ndarray]:
        """Element-wise (a[i] strictly above b[i], b[i] strictly above a[i]): both ways
        from one gather of each role's place and size (4 gathers, not 6, of millions)."""
        place_a, place_b = self.preorder[a], self.preorder[b]
        above = place_a < place_b
        above &= place_b < place_a + self.size[a]
        below = place_b < place_a
        below &= place_a < place_b + self.size[b]
        return above, below

    def subtree_sum(self, values: np.ndarray) -> np.ndarray:
        """values summed over each role's whole subtree, itself included (in their own
        dtype: counts as integers, headcounts as floats)."""
        return _subtree_sums(self.parent, self.depth, values)


def _subtree_sums(parent: IntArray, depth: IntArray, values: np.ndarray) -> np.ndarray:
    total = np.array(values, copy=True)
    order = np.argsort(depth, kind="stable")
    levels = int(depth.max(initial=0)) + 1
    if levels > 64 and levels * 8 > parent.size:
        # Deep and narrow (long chains): one pass in plain Python beats a vector op a level.
        sums, up = total.tolist(), parent.tolist()
        for v in reversed(order.tolist()):
            if up[v] >= 0:
                sums[up[v]] += sums[v]
        return np.asarray(sums, dtype=total.dtype)
    bounds = np.searchsorted(depth[order], np.arange(levels + 1))  # each level one slice
    for level in range(levels - 1, 0, -1):  # deepest level first; level 0 has no parent
        members = order[bounds[level] : bounds[level + 1]]
        # add.at, not +=: siblings share a parent, and += would keep only one of them.
        np.add.at(total, parent[members], total[members])
    return total


def build_forest(parent: IntArray) -> Forest:
    """Depth, subtree sizes and preorder positions of an acyclic forest."""
    n = parent.size
    has_parent = (parent != NO_PARENT).astype(np.int64)
    depth, _ = fold_to_top(parent, has_parent, np.add)
    size = _subtree_sums(parent, depth, np.ones(n, dtype=np.int64))
    # A role's preorder position = its parent's + 1 + the sizes of its earlier siblings.
    siblings = np.argsort(parent, kind="stable")  # grouped by parent, file order within
    sizes_in_order = size[siblings]
    running = np.cumsum(sizes_in_order) - sizes_in_order
    group_start = np.r_[True, parent[siblings][1:] != parent[siblings][:-1]]
    # Each group's start carried forward: every sibling finds its group's first, no loop.
    first_of_group = np.maximum.accumulate(np.where(group_start, np.arange(n), 0))
    earlier = running - running[first_of_group]  # the running sum restarted per parent
    offset = np.empty(n, dtype=np.int64)
    offset[siblings] = earlier + has_parent[siblings]
    preorder, _ = fold_to_top(parent, offset, np.add)
    return Forest(parent=parent, depth=depth, size=size, preorder=preorder)
