"""Inverted relationships: a boss whose net money flows down to a subordinate acts as its client.

The boss is a solid-line ancestor (any number of levels up) or a dotted-line boss (one
level: SPEC Additions). Dotted inversions count like the others but never break a chain:
`reports_to` alone defines the hierarchy.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.distinct import sorted_distinct
from clientchain.graph.hierarchy import Forest, fold_to_top
from clientchain.graph.money import MoneyGraph, RolePairs
from clientchain.graph.sorting import grouped_order
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, IntArray, Links
from clientchain.model.rounding import headcounts, moneys

NONE = -1


@holder
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
    dotted: np.ndarray  # per inversion: along a dotted line (else a solid one)

    def __len__(self) -> int:
        return int(self.boss.size)


def find_inversions(
    graph: MoneyGraph,
    pairs: RolePairs,
    forest: Forest,
    headcount: FloatArray,
    decimals: int,
    headcount_decimals: int,
    dotted: Links | None = None,
) -> Inversions:
    """Every inverted pair, solid and along the `dotted` lines; money compared at
    `decimals` places, the people below a break summed and rounded at
    `headcount_decimals` (so float noise never reorders them). `pairs`: the graph's
    role_pairs."""
    r = graph.roles
    # Only a pair whose boss pays its subordinate can be inverted, and it is one pair of
    # the graph with that money flowing back beside it: no two rows to match up.
    u, v = graph.payer[pairs.at], graph.payee[pairs.at]
    down, _ = forest.ancestry(u, v)  # u pays v and u is above v
    boss, sub = u[down].astype(np.int64), v[down].astype(np.int64)
    b2s, s2b = graph.amount[pairs.at[down]], pairs.back[down]
    del u, v, down
    # In file order (boss, then subordinate): the graph's pairs go by subordinate, then
    # boss, so one stable counting pass by boss.
    by_boss, _ = grouped_order(boss, r)
    boss, sub, b2s, s2b = (a[by_boss] for a in (boss, sub, b2s, s2b))
    line_boss, line_sub, line_down, line_up = _dotted_pairs(graph, dotted)
    is_dotted = np.r_[np.zeros(boss.size, dtype=bool), np.ones(line_boss.size, dtype=bool)]
    boss, sub = np.r_[boss, line_boss], np.r_[sub, line_sub]
    b2s, s2b = np.r_[b2s, line_down], np.r_[s2b, line_up]
    # Compare at the input's precision: float noise must never invent an inversion.
    net = moneys(b2s - s2b, decimals)
    inverted = net > 0
    boss, sub, net, is_dotted = boss[inverted], sub[inverted], net[inverted], is_dotted[inverted]
    b2s, s2b = b2s[inverted], s2b[inverted]
    impact = headcounts(forest.subtree_sum(headcount)[sub], headcount_decimals)
    # Ties by file order (boss, then subordinate); a pair is solid or dotted, never both.
    # Solid pairs are in that order already, so without dotted ones the stable sort needs
    # only the two figures (half the passes at a million).
    if is_dotted.any():
        order = np.lexsort((sub, boss, -net, -impact))
    else:
        order = np.lexsort((-net, -impact))
    boss, sub, net, b2s, s2b, impact, is_dotted = (
        a[order] for a in (boss, sub, net, b2s, s2b, impact, is_dotted)
    )
    levels = np.where(is_dotted, 1, forest.depth[sub] - forest.depth[boss])
    broken = _broken_at(forest, boss, sub, r, ~is_dotted)
    return Inversions(boss, sub, levels, net, b2s, s2b, impact, broken, is_dotted)


def _dotted_pairs(
    graph: MoneyGraph, dotted: Links | None
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """(boss, subordinate, w(boss->sub), w(sub->boss)) for each distinct dotted line with
    money either way."""
    empty = np.zeros(0, dtype=np.int64)
    if not dotted:
        return empty, empty, np.zeros(0), np.zeros(0)
    sub, boss = dotted.pairs()
    n = graph.nodes
    # A line written twice is one relationship, counted once.
    pairs = sorted_distinct(boss * n + sub)
    boss, sub = np.divmod(pairs, n)
    down = graph.at_pairs(boss, sub, graph.amount)
    up = graph.at_pairs(sub, boss, graph.amount)
    money = (down > 0) | (up > 0)
    return boss[money], sub[money], down[money], up[money]


def _broken_at(
    forest: Forest, boss: IntArray, sub: IntArray, roles: int, solid: np.ndarray
) -> IntArray:
    """Per role: the solid inversion nearest the top on its path (smallest boss depth,
    then the subordinate's file order) whose subordinate is the role or one of its
    ancestors."""
    never = np.iinfo(np.int64).max
    # Dotted inversions never break a chain: their key is one no role can reach.
    key = np.where(solid, forest.depth[boss] * roles + sub, never)
    own = np.full(roles, never, dtype=np.int64)
    np.minimum.at(own, sub[solid], key[solid])
    nearest, _ = fold_to_top(forest.parent, own, np.minimum)
    # Solid keys are distinct ((boss depth, subordinate) names the pair), and a key names
    # its subordinate: the inversion found is the one that set own[] at that role.
    holder = np.full(roles, NONE, dtype=np.int64)
    index = np.flatnonzero(solid)
    setter = index[key[index] == own[sub[index]]]
    holder[sub[setter]] = setter
    which = np.full(roles, NONE, dtype=np.int64)
    found = nearest != never
    which[found] = holder[nearest[found] % roles]
    return which
