"""How each direct client stands to the role it pays (SPEC Additions, "Relation").

`external`: a paying client. `subordinate`: a role below (a solid descendant, or a role
with a dotted line to it): the healthy direction. `boss`: a role above (a solid
ancestor, or one of its own dotted-line bosses): the inversion. `peer`: any other role,
an internal customer.
"""

from __future__ import annotations

import numpy as np

from clientchain.graph.distinct import member, sorted_distinct
from clientchain.graph.hierarchy import Forest
from clientchain.model.org import IntArray, Links

RELATIONS: tuple[str, ...] = ("external", "subordinate", "boss", "peer")
EXTERNAL, SUBORDINATE, BOSS, PEER = range(len(RELATIONS))


def relations(
    forest: Forest, dotted: Links, roles: int, payee: IntArray, payer: IntArray
) -> IntArray:
    """Per (payee role, payer node) link: its index into RELATIONS."""
    relation = np.full(payee.size, PEER, dtype=np.int8)
    inner = np.flatnonzero(payer < roles)
    relation[payer >= roles] = EXTERNAL
    if not inner.size:
        return relation
    v, u = payee[inner], payer[inner].astype(np.int64)  # (keys below pass 2**31)
    below, above = forest.ancestry(v, u)
    if dotted:
        line_role, line_boss = dotted.pairs()
        lines = sorted_distinct(line_role * roles + line_boss)  # sorted: binary searches below
        below |= member(lines, u * roles + v)  # u has a dotted line to v
        above |= member(lines, v * roles + u)  # u is one of v's dotted-line bosses
    relation[inner[below]] = SUBORDINATE
    relation[inner[above]] = BOSS
    return relation
