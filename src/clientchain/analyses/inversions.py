"""Inverted relationships: a boss whose net money flows down to a subordinate acts as its client."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.graph.hierarchy import Forest, fold_to_top
from clientchain.graph.money import MoneyGraph
from clientchain.model.org import FloatArray, IntArray
from clientchain.model.rounding import headcounts, moneys

NONE = -1


@dataclass(frozen=True, eq=False)
class Inversions:
    """Every inverted (boss, subordinate) pair, ordered by impact then net, both descending."""

    boss: IntArray
    subordinate: IntArray
    levels: IntArray
    net: FloatArray
    boss_to_subordinate: FloatArray
    subordinate_to_boss: FloatArray
    impact_headcount: FloatArray  # rounded to the headcounts' own decimal places
    broken_at: IntArray  # per role: index into these inversions, NONE when the chain is whole

    def __len__(self) -> int:
        return int(self.boss.size)


def find_inversions(
    graph: MoneyGraph,
    forest: Forest,
    headcount: FloatArray,
    decimals: int,
    headcount_decimals: int,
) -> Inversions:
    """Every inverted pair; money compared at `decimals` places, the people below a break
    summed and rounded at `headcount_decimals` (so float noise never reorders them)."""
    r = graph.roles
    inner = graph.payer < r
    u, v, w = graph.payer[inner], graph.payee[inner], graph.amount[inner]
    down = forest.is_proper_ancestor(u, v)  # u pays v and u is above v
    up = forest.is_proper_ancestor(v, u)  # u pays v and v is above u
    # One row per (boss, subordinate) pair with money either way.
    boss = np.r_[u[down], v[up]]
    sub = np.r_[v[down], u[up]]
    gross_down = np.r_[w[down], np.zeros(int(up.sum()))]
    gross_up = np.r_[np.zeros(int(down.sum())), w[up]]
    key = boss * r + sub
    pairs, where = np.unique(key, return_inverse=True)
    b2s = np.bincount(where, weights=gross_down, minlength=pairs.size)
    s2b = np.bincount(where, weights=gross_up, minlength=pairs.size)
    boss, sub = np.divmod(pairs, r)
    # Compare at the input's precision: float noise must never invent an inversion.
    net = moneys(b2s - s2b, decimals)
    inverted = net > 0
    boss, sub, net = boss[inverted], sub[inverted], net[inverted]
    b2s, s2b = b2s[inverted], s2b[inverted]
    impact = headcounts(forest.subtree_sum(headcount)[sub], headcount_decimals)
    order = np.lexsort((sub, boss, -net, -impact))
    boss, sub, net, b2s, s2b, impact = (a[order] for a in (boss, sub, net, b2s, s2b, impact))
    levels = forest.depth[sub] - forest.depth[boss]
    return Inversions(boss, sub, levels, net, b2s, s2b, impact, _broken_at(forest, boss, sub, r))


def _broken_at(forest: Forest, boss: IntArray, sub: IntArray, roles: int) -> IntArray:
    """Per role: the inversion nearest the top on its path (smallest boss depth, then the
    subordinate's file order) whose subordinate is the role or one of its ancestors."""
    never = np.iinfo(np.int64).max
    key = forest.depth[boss] * roles + sub
    own = np.full(roles, never, dtype=np.int64)
    np.minimum.at(own, sub, key)
    nearest, _ = fold_to_top(forest.parent, own, np.minimum)
    which = np.full(roles, NONE, dtype=np.int64)
    found = nearest != never
    if found.any():
        lookup = np.argsort(key, kind="stable")
        which[found] = lookup[np.searchsorted(key[lookup], nearest[found])]
    return which
