"""Who holds each external client: its touchpoints, their lowest common boss, its owner.

SPEC Additions, "Client touchpoints and ownership". A client's touchpoints are the
roles it pays directly plus the roles that serve it; their lowest common boss is the
nearest role (solid lines) above or equal to all of them. Everything is computed for
all clients at once, in flat arrays: the lowest common boss of a set is the lowest
common ancestor of its first and last touchpoint in preorder, and that one is a range
minimum over depths in preorder (no walk up the hierarchy, no per-pair work).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from clientchain.analyses.exact_sum import exact_sum
from clientchain.graph.distinct import flagged, run_starts, sorted_distinct
from clientchain.graph.hierarchy import Forest
from clientchain.graph.money import MoneyGraph
from clientchain.model.holder import holder
from clientchain.model.org import NO_OWNER, NO_PARENT, FloatArray, IntArray, Org
from clientchain.model.rounding import moneys, ratio
from clientchain.model.texts import distinct_texts

NO_ROLE = -1
_BLOCK = 64  # range-minimum block: scans within a block, a sparse table across blocks
_CHUNK = 65_536  # touchpoints whose keys are made at a time
# (client, department) pairs found by counting in a table of up to this many cells (or
# so many a touchpoint), beyond by sorting the touchpoints' keys.
_TABLE_CELLS = 1 << 22
_TABLE_PER_TOUCHPOINT = 4
_TOUCH_CHUNK = 1 << 20  # touchpoints placed against their owner's subtree at a time


@dataclass(frozen=True, slots=True)
class ClientResult:
    """One external client's reach into the organisation, as shown to users."""

    id: str
    title: str | None
    owner: str | None
    money_out: float
    touchpoints: int
    touchpoint_roles: tuple[str, ...]  # file order
    departments: tuple[str, ...]  # distinct, sorted
    lowest_common_boss: str | None
    fragmented: bool
    line: int


@holder
class ClientReach:
    """Every client's touchpoints and holders as flat arrays (client j: `role[ptr[j]:ptr[j+1]]`)."""

    ptr: IntArray  # client_count + 1 entries
    role: IntArray  # touchpoints, each client's in file order
    inside: np.ndarray  # per touchpoint: within the owner's solid subtree (True without owner)
    paid: FloatArray  # per client: the money it pays in total (not rounded)
    boss: IntArray  # per client: lowest common boss, NO_ROLE when none (no touchpoints, or trees)
    unheld: np.ndarray  # per client: no role below a top holds all its touchpoints
    owner: IntArray  # per client: owner role, NO_OWNER when none
    owned: np.ndarray  # per client: all touchpoints in the subtree of its holder, not a top
    org: Org  # whose departments `departments` reads

    @cached_property
    def departments(self) -> tuple[tuple[str, ...], ...]:
        """Per client: its touchpoints' departments, distinct and sorted."""
        # Each touchpoint's department numbered, then the distinct (client, number) pairs
        # of all clients found at once: counted in a table of clients x numbers where that
        # is small (a few departments), else sorted.
        roles, clients = self.org.role_count, self.ptr.size - 1
        touched = np.flatnonzero(flagged(self.role, roles))  # (no sort of every touchpoint)
        names, numbered = _department_numbers(self.org, touched)
        per_role = np.zeros(roles, dtype=np.int64)
        per_role[touched] = numbered
        del numbered
        # One key per touchpoint, made in place (millions where roles have several
        # clients each).
        kinds = max(len(names), 1)
        pairs = np.repeat(np.arange(clients, dtype=np.int64) * kinds, np.diff(self.ptr))
        for a in range(0, pairs.size, _CHUNK):
            pairs[a : a + _CHUNK] += per_role[self.role[a : a + _CHUNK]]
        del per_role
        if clients * kinds <= max(_TABLE_CELLS, _TABLE_PER_TOUCHPOINT * pairs.size):
            pairs = np.flatnonzero(np.bincount(pairs, minlength=clients * kinds))
        else:
            pairs.sort()
            pairs = pairs[run_starts(pairs)]
        found: list[list[str]] = [[] for _ in range(clients)]
        for j, n in zip((pairs // kinds).tolist(), (pairs % kinds).tolist(), strict=True):
            if (text := names[n]) is not None:  # a role without a department
                found[j].append(text)
        return tuple(tuple(sorted(texts)) for texts in found)

    @cached_property
    def fragmented(self) -> list[bool]:
        """Per client: two departments or more, and no role below a top holds them all."""
        return [
            unheld and len(names) >= 2
            for unheld, names in zip(self.unheld.tolist(), self.departments, strict=True)
        ]

    def outside(self, client: int) -> list[int]:
        """The touchpoints outside the owner's solid subtree, in file order."""
        lo, hi = int(self.ptr[client]), int(self.ptr[client + 1])
        return self.role[lo:hi][~self.inside[lo:hi]].tolist()  # type: ignore[no-any-return]


def _department_numbers(org: Org, rows: IntArray) -> tuple[list[str | None], IntArray]:
    """The distinct departments of `rows` (None: none given) and the number of each
    row's. A column still in bytes is numbered by one sort of its bytes, never made a
    string a row (a million roles spelled eight ways: 0.29 s as strings, 0.09 s so)."""
    column = org.text_column("role_departments")
    if column is None:  # strings already
        numbers: dict[str | None, int] = {}  # each text's number, where first met
        met = org.texts_at("role_departments", rows)
        numbered = np.fromiter((numbers.setdefault(t, len(numbers)) for t in met), np.int64)
        return list(numbers), numbered
    if column.null is None:
        texts, numbered = distinct_texts(column.buf, column.start[rows], column.end[rows])
        return list(texts), numbered
    given = ~column.null[rows]
    texts, index = distinct_texts(column.buf, column.start[rows[given]], column.end[rows[given]])
    numbered = np.full(rows.size, len(texts), dtype=np.int64)  # the nulls: after the texts
    numbered[given] = index
    return [*texts, None], numbered


def client_reach(org: Org, graph: MoneyGraph, forest: Forest) -> ClientReach:
    """Touchpoints, lowest common boss, owner reach and money of every client at once."""
    r, c = org.role_count, org.client_count
    by_client = (graph.payer >= r) & (graph.amount > 0)
    paid = np.bincount(
        graph.payer[by_client] - r, weights=graph.amount[by_client], minlength=c
    ).astype(np.float64)
    ptr, role = _touchpoints(org, graph, by_client)
    del by_client
    boss = _lowest_common_bosses(forest, ptr, role)
    owner = org.client_owner if org.client_owner.size else np.full(c, NO_OWNER, dtype=np.int64)
    inside, all_inside = _inside_owners(forest, owner, ptr, role)
    # The holder R: the owner when given, else the lowest common boss; never a top.
    holder = np.where(owner != NO_OWNER, owner, boss)
    below_top = np.zeros(c, dtype=bool)
    held = holder != NO_ROLE
    below_top[held] = forest.parent[holder[held]] != NO_PARENT
    unheld = np.ones(c, dtype=bool)  # the lowest common boss is a top, or there is none
    has_boss = boss != NO_ROLE
    unheld[has_boss] = forest.parent[boss[has_boss]] == NO_PARENT
    return ClientReach(
        ptr,
        role,
        inside,
        paid,
        boss,
        unheld,
        owner,
        below_top & all_inside,
        org,
    )


def _inside_owners(
    forest: Forest, owner: IntArray, ptr: IntArray, role: IntArray
) -> tuple[np.ndarray, np.ndarray]:
    """Per touchpoint: inside its client's owner's solid subtree (a preorder range; a
    client without an owner: True); per client: all its touchpoints inside. A chunk of
    touchpoints at a time: a role paid by several clients makes millions of them, and
    this runs at the end of an analysis, under its peak."""
    inside = np.ones(role.size, dtype=bool)
    all_inside = np.ones(owner.size, dtype=bool)
    if not np.any(owner != NO_OWNER):
        return inside, all_inside
    for lo in range(0, role.size, _TOUCH_CHUNK):
        hi = min(lo + _TOUCH_CHUNK, role.size)
        client = np.searchsorted(ptr, np.arange(lo, hi), side="right") - 1
        held_by = owner[client]
        has_owner = held_by != NO_OWNER
        held_by[~has_owner] = 0  # (only keeps the gathers in range)
        start, at = forest.preorder[held_by], forest.preorder[role[lo:hi]]
        here = ~has_owner | ((start <= at) & (at < start + forest.size[held_by]))
        inside[lo:hi] = here
        all_inside[client[~here]] = False
    return inside, all_inside


def _touchpoints(org: Org, graph: MoneyGraph, by_client: np.ndarray) -> tuple[IntArray, IntArray]:
    """Each client's touchpoints in file order, as compressed rows over the clients
    (`by_client`: the money pairs a client pays into)."""
    r, c = org.role_count, org.client_count
    # Money pairs are distinct and sorted by role: a stable sort by client (a radix sort
    # on small integers) leaves every client's roles in file order. The keys are made in
    # place: there is a pair for every client a role has (millions where roles have several).
    keys = graph.payer[by_client].astype(np.int64, copy=False)
    keys -= r
    narrow = np.int16 if c <= np.iinfo(np.int16).max else np.int64
    order = np.argsort(keys.astype(narrow), kind="stable")
    keys *= r
    keys += graph.payee[by_client]
    keys = keys[order]  # by client, then role
    del order
    serving, served = org.serves.pairs()
    for_client = served >= r
    if for_client.any():
        extra = np.sort((served[for_client] - r) * r + serving[for_client])
        keys = np.insert(keys, np.searchsorted(keys, extra), extra)
        keys = keys[run_starts(keys)]  # once each: paid by the client and serving it
    role = keys % max(r, 1)
    keys //= max(r, 1)  # each touchpoint's client
    return np.searchsorted(keys, np.arange(c + 1)).astype(np.int64), role


def client_results(org: Org, reach: ClientReach) -> tuple[ClientResult, ...]:
    """Every client's figures, in file order."""
    ids = org.role_ids
    money_out = moneys(reach.paid, org.amount_decimals).tolist()
    owner, boss = holder_ids(org, reach)
    lines, roles, ptr = org.client_lines.tolist(), reach.role.tolist(), reach.ptr.tolist()
    return tuple(
        ClientResult(
            id=org.client_ids[j],
            title=org.client_titles[j],
            owner=owner[j],
            money_out=money_out[j],
            touchpoints=ptr[j + 1] - ptr[j],
            touchpoint_roles=tuple(map(ids.__getitem__, roles[ptr[j] : ptr[j + 1]])),
            departments=reach.departments[j],
            lowest_common_boss=boss[j],
            fragmented=reach.fragmented[j],
            line=lines[j],
        )
        for j in range(org.client_count)
    )


def holder_ids(org: Org, reach: ClientReach) -> tuple[list[str | None], list[str | None]]:
    """Per client: its owner's id and its lowest common boss's id (None where none):
    only those ids are read (`Org.node_ids`), not a million roles' as strings."""
    owner, boss = reach.owner.tolist(), reach.boss.tolist()
    held = [o for o in owner if o != NO_OWNER] + [b for b in boss if b != NO_ROLE]
    named = iter(org.node_ids(held))
    return (
        [next(named) if o != NO_OWNER else None for o in owner],
        [next(named) if b != NO_ROLE else None for b in boss],
    )


def client_money_owned(org: Org, reach: ClientReach) -> float | None:
    """The share of money_in paid by clients held by one role below a top (their owner,
    else their lowest common boss); None when no client pays anything."""
    money_in = exact_sum(org.flow_amount[org.flow_payer >= org.role_count])
    if money_in == 0:
        return None
    return ratio(exact_sum(reach.paid[reach.owned]) / money_in)


def _lowest_common_bosses(forest: Forest, ptr: IntArray, role: IntArray) -> IntArray:
    """Per client, the lowest common ancestor of its touchpoints (NO_ROLE when it has none
    or they lie in different trees).

    The LCA of a set is the LCA of its first and last member in preorder, a < b; that one
    is the parent of the shallowest role at preorder positions a+1..b (positions in one
    tree only hold its subtree; across trees that range holds a top: no parent, none).
    """
    clients = ptr.size - 1
    boss = np.full(clients, NO_ROLE, dtype=np.int64)
    some = np.flatnonzero(np.diff(ptr) > 0)
    if not some.size:
        return boss
    at = forest.preorder[role]
    first = np.minimum.reduceat(at, ptr[some])
    last = np.maximum.reduceat(at, ptr[some])
    n = forest.parent.size
    by_position = np.empty(n, dtype=np.int64)
    by_position[forest.preorder] = np.arange(n)
    one = first == last
    boss[some[one]] = by_position[first[one]]
    apart = ~one
    if apart.any():
        shallowest = _RangeMin(forest.depth[by_position]).argmin(first[apart] + 1, last[apart])
        boss[some[apart]] = forest.parent[by_position[shallowest]]
    return boss


class _RangeMin:
    """Position of the minimum of `values[lo..hi]` (inclusive) for many ranges at once:
    O(n) to build (minima within blocks both ways, a sparse table over block minima),
    a few vector operations per batch of queries. Ties go to the first position."""

    def __init__(self, values: IntArray) -> None:
        n = values.size
        self.n = n
        # One key per position: the value first, the position to break ties.
        key = values.astype(np.int64) * n + np.arange(n)
        padded = np.full(-(-n // _BLOCK) * _BLOCK, np.iinfo(np.int64).max, dtype=np.int64)
        padded[:n] = key
        blocks = padded.reshape(-1, _BLOCK)
        self.key = padded
        self.prefix = np.minimum.accumulate(blocks, axis=1).ravel()  # block start .. p
        self.suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()  # p .. end
        table = [blocks.min(axis=1)]
        while 2 ** len(table) <= table[0].size:
            half = 2 ** (len(table) - 1)
            table.append(np.minimum(table[-1][:-half], table[-1][half:]))
        self.table = table  # table[k][i]: min over blocks i .. i + 2**k - 1

    def argmin(self, lo: IntArray, hi: IntArray) -> IntArray:
        best = np.full(lo.size, np.iinfo(np.int64).max, dtype=np.int64)
        lo_block, hi_block = lo // _BLOCK, hi // _BLOCK
        same = lo_block == hi_block
        # Within one block: scan its up to _BLOCK positions, all queries side by side.
        s_lo, s_hi = lo[same], hi[same]
        if s_lo.size:
            inner = best[same]
            for step in range(_BLOCK):
                inner = np.minimum(inner, self.key[np.minimum(s_lo + step, s_hi)])
            best[same] = inner
        split = ~same
        if split.any():
            a, b = lo_block[split], hi_block[split]
            edges = np.minimum(self.suffix[lo[split]], self.prefix[hi[split]])
            between = b - a - 1  # whole blocks strictly between the two ends
            wide = np.flatnonzero(between > 0)
            if wide.size:
                level = np.floor(np.log2(between[wide])).astype(np.int64)
                for k in sorted_distinct(level).tolist():
                    pick = wide[level == k]
                    part = np.minimum(self.table[k][a[pick] + 1], self.table[k][b[pick] - 2**k])
                    edges[pick] = np.minimum(edges[pick], part)
            best[split] = edges
        return best % self.n
