"""`analyze`: every figure the contract defines, computed once over flat arrays."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from functools import cached_property, partial
from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.client_sweeps import sweep_all
from clientchain.analyses.clients import (
    ClientReach,
    ClientResult,
    client_money_owned,
    client_reach,
    client_results,
)
from clientchain.analyses.defaults import DEFAULT_DECAY, DEFAULT_TOP_CLIENTS
from clientchain.analyses.exact_sum import exact_sum, exact_sums
from clientchain.analyses.inversions import NONE, Inversions, find_inversions
from clientchain.analyses.policy_findings import apply_policy
from clientchain.analyses.policy_rows import apply_policy_to_rows
from clientchain.analyses.provenance import ClientBlocks, Provenance, TopClients
from clientchain.analyses.relations import RELATIONS, relations
from clientchain.analyses.rules import ORG_FINDERS, OrgFacts
from clientchain.analyses.served import ServedClients, served_roles_share
from clientchain.analyses.structure import span_bands, spans
from clientchain.graph.distinct import distinct_below
from clientchain.graph.hierarchy import Forest, build_forest
from clientchain.graph.money import MoneyGraph, RolePairs, build_money_graph
from clientchain.graph.sorting import descending_within, pair_order, run_bounds
from clientchain.graph.sweep import plan_sweeps
from clientchain.model.aside import aside
from clientchain.model.findings import Finding, Findings, Level
from clientchain.model.forking import second_core_free
from clientchain.model.heap import release_freed_memory
from clientchain.model.holder import holder, value_class
from clientchain.model.org import FloatArray, IntArray, Links, Org
from clientchain.model.policy import NO_POLICY, Policy
from clientchain.model.rounding import (
    decimals_needed,
    headcounts,
    money,
    moneys,
    plain_number,
    plain_numbers,
    ratio,
    ratios,
)

if TYPE_CHECKING:
    from clientchain.analyses.results import Inversion, RoleResult

SOLID, DOTTED = "solid", "dotted"  # Inversion.line
# From this many roles the inversions are found in a child beside the direct clients:
# below, the fork and the copying of the result cost more than the second core saves.
ASIDE_MIN_ROLES = 200_000
_ORDERED_AT_ONCE = 1 << 20  # direct-client pairs sorted by net at a time (whole payees)


@value_class(slots=True)
class Summary:
    """The headline figures of an analysis."""

    roles: int
    headcount: int | float  # rounded as `Analysis.headcount_decimals` says
    clients: int
    flows: int
    money_in: float
    org_alienation: float | None
    inversions: int
    unfunded_roles: int
    layers: int  # the deepest layer (0 without roles)
    span_bands: dict[str, int]  # managers per band: always the six bands of structure.py
    money_by_relation: dict[str, float]  # net money received, per relation (all four)
    client_money_owned: float | None = None


@holder
class Analysis:
    """The result of `analyze`: flat arrays for speed, typed views for people."""

    org: Org
    decay: float
    top_clients: int
    graph: MoneyGraph
    forest: Forest
    closeness_raw: FloatArray
    traced_raw: FloatArray
    distance_raw: FloatArray  # NaN where nothing is traced
    provenance_raw: Provenance
    client_indptr: IntArray  # direct clients per role, CSR over client_payer / client_net
    client_payer: IntArray  # node index
    client_net: FloatArray
    inversions_raw: Inversions
    served_share_raw: FloatArray  # NaN where null (serves no client, or receives nothing)
    served_roles_share_raw: FloatArray  # NaN where null (serves no role, or receives nothing)
    clients_raw: ClientReach  # every client's touchpoints, lowest common boss and owner
    # What is reported, after the policy and any baseline: a `Findings` (columns, each
    # finding made when read) from `analyze` and its policy, a tuple once a baseline has
    # picked from it.
    findings: Sequence[Finding]
    policy: Policy = NO_POLICY
    ignored: tuple[Finding, ...] = ()  # excused by the policy's ignore entries
    baselined: Sequence[Finding] = ()  # known from a baseline (see baseline.py): rows or a tuple

    @cached_property
    def closeness(self) -> FloatArray:
        return ratios(self.closeness_raw)

    @cached_property
    def alienation(self) -> FloatArray:
        return ratios(1.0 - self.closeness_raw)

    @cached_property
    def traced_share(self) -> FloatArray:
        return ratios(np.minimum(self.traced_raw, 1.0))

    @cached_property
    def inflow(self) -> FloatArray:
        return moneys(self.graph.inflow, self.org.amount_decimals)

    @cached_property
    def span_raw(self) -> IntArray:
        """Per role: roles reporting to it directly."""
        return spans(self.org.parent)

    @cached_property
    def layer_raw(self) -> IntArray:
        """Per role: 1 for a top, its boss's layer + 1 below."""
        layer: IntArray = self.forest.depth + 1
        return layer

    @cached_property
    def client_relation_raw(self) -> IntArray:
        """Per direct-client link (as client_payer): its index into RELATIONS."""
        payee = np.repeat(np.arange(self.org.role_count), np.diff(self.client_indptr))
        return relations(
            self.forest, self.org.dotted, self.org.role_count, payee, self.client_payer
        )

    def _money_by_relation(self) -> dict[str, float]:
        d, relation = self.org.amount_decimals, self.client_relation_raw
        sums = exact_sums(moneys(self.client_net, d), relation, len(RELATIONS))
        return {name: money(total, d) for name, total in zip(RELATIONS, sums, strict=True)}

    @cached_property
    def headcount_decimals(self) -> int:
        """The decimal places a sum of headcounts is shown at (0 when all are whole)."""
        return decimals_needed(self.org.headcount)

    @cached_property
    def unfunded(self) -> np.ndarray:
        """No money from any paying client reaches the role (exactly: not even a trace)."""
        return np.asarray(self.traced_raw <= 0)

    @property
    def has_errors(self) -> bool:
        if isinstance(self.findings, Findings):
            return self.findings.level_count(Level.ERROR) > 0
        return any(f.level is Level.ERROR for f in self.findings)

    @cached_property
    def summary(self) -> Summary:
        org = self.org
        # Whole headcounts add up exactly in floats; fractional ones are summed exactly too.
        decimals = self.headcount_decimals
        total = float(org.headcount.sum()) if not decimals else exact_sum(org.headcount)
        weighted = exact_sum(org.headcount * (1.0 - self.closeness_raw))
        paid = org.flow_payer >= org.role_count
        shown = headcounts(np.asarray([total]), decimals)[0]
        return Summary(
            roles=org.role_count,
            headcount=plain_number(float(shown)),
            clients=org.client_count,
            flows=org.flow_count,
            money_in=money(exact_sum(org.flow_amount[paid]), org.amount_decimals),
            org_alienation=ratio(weighted / total) if total else None,
            inversions=len(self.inversions_raw),
            unfunded_roles=int(self.unfunded.sum()),
            layers=int(self.layer_raw.max(initial=0)),
            span_bands=span_bands(self.span_raw),
            money_by_relation=self._money_by_relation(),
            client_money_owned=client_money_owned(self.org, self.clients_raw),
        )

    @cached_property
    def clients(self) -> tuple[ClientResult, ...]:
        """Every external client's touchpoints and holders, in file order."""
        return client_results(self.org, self.clients_raw)

    def role(self, index: int) -> RoleResult:
        """The figures of role `index` (file order)."""
        return self.roles_between(index, index + 1)[0]

    @cached_property
    def roles(self) -> tuple[RoleResult, ...]:
        """Every role's figures, in file order."""
        return self.roles_between(0, self.org.role_count)

    def roles_between(self, lo: int, hi: int) -> tuple[RoleResult, ...]:
        """Roles lo..hi-1, built column by column from slices (no per-role numpy indexing)."""
        from clientchain.analyses.results import Break, ClientLink, RoleResult, Share

        org, prov, inv = self.org, self.provenance_raw, self.inversions_raw
        d, ids = org.amount_decimals, org.role_ids
        parent = org.parent[lo:hi].tolist()
        headcount = plain_numbers(org.headcount[lo:hi])
        inflow = self.inflow[lo:hi].tolist()
        closeness, alienation = self.closeness[lo:hi].tolist(), self.alienation[lo:hi].tolist()
        traced = self.traced_share[lo:hi].tolist()
        distance = ratios(self.distance_raw[lo:hi]).tolist()
        c_ptr = self.client_indptr[lo : hi + 1]
        c0, c1 = int(c_ptr[0]), int(c_ptr[-1])
        client_ptr = (c_ptr - c0).tolist()
        client_id = org.node_ids(self.client_payer[c0:c1].tolist())
        client_net = moneys(self.client_net[c0:c1], d).tolist()
        relation = [RELATIONS[k] for k in self.client_relation_raw[c0:c1].tolist()]
        p_ptr = prov.indptr[lo : hi + 1]
        p0, p1 = int(p_ptr[0]), int(p_ptr[-1])
        prov_ptr = (p_ptr - p0).tolist()
        prov_id = [org.client_ids[c] for c in prov.client[p0:p1].tolist()]
        prov_share = ratios(prov.share[p0:p1]).tolist()
        listed = np.zeros(hi - lo)
        np.add.at(listed, np.repeat(np.arange(hi - lo), np.diff(p_ptr)), prov.share[p0:p1])
        rest = ratios(np.maximum(0.0, np.minimum(1.0, self.traced_raw[lo:hi]) - listed)).tolist()
        broken = inv.broken_at[lo:hi].tolist()
        boss, sub = inv.boss, inv.subordinate
        span, layer = self.span_raw[lo:hi].tolist(), self.layer_raw[lo:hi].tolist()
        served = _nullable(ratios(self.served_share_raw[lo:hi]).tolist())
        served_roles = _nullable(ratios(self.served_roles_share_raw[lo:hi]).tolist())
        serves = _named(org, org.serves, lo, hi)
        dotted_to = _named(org, org.dotted, lo, hi)
        return tuple(
            RoleResult(
                id=ids[lo + i],
                title=org.role_titles[lo + i],
                reports_to=ids[parent[i]] if parent[i] >= 0 else None,
                department=org.role_departments[lo + i],
                headcount=headcount[i],
                inflow=inflow[i],
                closeness=closeness[i],
                alienation=alienation[i],
                distance=None if distance[i] != distance[i] else distance[i],  # NaN: untraced
                traced_share=traced[i],
                clients=tuple(
                    ClientLink(client_id[k], client_net[k], relation[k])
                    for k in range(client_ptr[i], client_ptr[i + 1])
                ),
                provenance=tuple(
                    Share(prov_id[k], prov_share[k]) for k in range(prov_ptr[i], prov_ptr[i + 1])
                ),
                provenance_rest=rest[i],
                chain_broken_at=None
                if broken[i] == NONE
                else Break(ids[int(boss[broken[i]])], ids[int(sub[broken[i]])]),
                span=span[i],
                layer=layer[i],
                serves=serves[i],
                served_share=served[i],
                served_roles_share=served_roles[i],
                dotted_to=dotted_to[i],
            )
            for i in range(hi - lo)
        )

    @cached_property
    def inversions(self) -> tuple[Inversion, ...]:
        from clientchain.analyses.results import Inversion

        inv, ids, d = self.inversions_raw, self.org.role_ids, self.org.amount_decimals
        # Whole columns at once: one rounding pass, not three numpy calls per inversion.
        rows = zip(
            inv.boss.tolist(),
            inv.subordinate.tolist(),
            inv.levels.tolist(),
            moneys(inv.net, d).tolist(),
            moneys(inv.boss_to_subordinate, d).tolist(),
            moneys(inv.subordinate_to_boss, d).tolist(),
            plain_numbers(inv.impact_headcount),
            inv.dotted.tolist(),
            strict=True,
        )
        return tuple(
            Inversion(ids[b], ids[s], levels, net, down, up, impact, DOTTED if dotted else SOLID)
            for b, s, levels, net, down, up, impact, dotted in rows
        )


def _nullable(values: list[float]) -> list[float | None]:
    """NaN (not applicable) as None."""
    return [None if math.isnan(v) else v for v in values]


def _named(org: Org, links: Links, lo: int, hi: int) -> list[tuple[str, ...]]:
    """Roles lo..hi-1: the ids each names in `links`, as written (one slice, no per-role
    numpy indexing)."""
    if not links:
        return [()] * (hi - lo)
    ptr = links.ptr[lo : hi + 1]
    first = int(ptr[0])
    names = org.node_ids(links.node[first : int(ptr[-1])].tolist())
    bounds = (ptr - first).tolist()
    return [tuple(names[bounds[i] : bounds[i + 1]]) for i in range(hi - lo)]


def _direct_clients(
    org: Org, graph: MoneyGraph, pairs: RolePairs
) -> tuple[IntArray, IntArray, FloatArray]:
    """Per role: payers whose net money flows to it (clients always), largest net first,
    equal nets by id (`pairs`: this graph's role_pairs)."""
    r = graph.roles
    net = graph.nets(pairs)
    net = moneys(net, org.amount_decimals, in_place=True)
    keep = net > 0
    payee, payer, net = graph.payee[keep], graph.payer[keep], net[keep]
    del keep
    _order_by_net(r, payee, payer, net)
    _order_ties_by_id(org, payee, payer, net)
    indptr = run_bounds(payee, r)
    return indptr, payer, net


def _order_by_net(roles: int, payee: IntArray, payer: IntArray, net: FloatArray) -> None:
    """Pairs sorted by payee put in np.lexsort((-net, payee)) order, in place: only the
    payees whose nets are not already in descending order are sorted (the rest is where
    the stable sort leaves it), and only their pairs move (no copy of all three columns:
    100 MB at a million roles)."""
    rising = (payee[1:] == payee[:-1]) & (net[1:] > net[:-1])
    if not rising.any():
        return
    unsorted = np.zeros(roles, dtype=bool)
    unsorted[payee[1:][rising]] = True
    del rising
    sub = np.flatnonzero(unsorted[payee])
    # Each payee's pairs stay among its own places: its payers and nets move, not it.
    if 2 * sub.size > payee.size:  # most pairs (many payers a role): all, in place
        del sub
        # A slice of whole payees at a time: the sort's key and order stay a slice long.
        lo = 0
        while lo < payee.size:
            hi = min(lo + _ORDERED_AT_ONCE, payee.size)
            if hi < payee.size:  # at a payee's start: that one's, or the next after lo's
                at = payee[hi] if payee[hi] != payee[lo] else payee[lo] + 1
                hi = int(np.searchsorted(payee, at))
            order = descending_within(payee[lo:hi], net[lo:hi], roles)
            payer[lo:hi] = payer[lo:hi][order]
            net[lo:hi] = net[lo:hi][order]
            lo = hi
        return
    order = sub[descending_within(payee[sub], net[sub], roles)]
    payer[sub], net[sub] = payer[order], net[order]


def _order_ties_by_id(org: Org, payee: IntArray, payer: IntArray, net: FloatArray) -> None:
    """Within each run of equal (payee, net), put the payers in id order (in place)."""
    same = (payee[1:] == payee[:-1]) & (net[1:] == net[:-1])
    if not same.any():
        return
    tied = np.flatnonzero(np.r_[same, False] | np.r_[False, same])
    run = np.cumsum(np.r_[True, ~same[tied[:-1]]])  # tied elements of one run are adjacent
    # Rank only the payers that tie, by id (as str).
    nodes, where = distinct_below(payer[tied], org.role_count + org.client_count)
    by_name = np.empty(nodes.size, dtype=np.int64)
    by_name[org.id_order(nodes)] = np.arange(nodes.size)
    payer[tied] = payer[tied][pair_order(run, by_name[where], max(int(run[-1]) + 1, nodes.size))]


def analyze(
    org: Org,
    decay: float = DEFAULT_DECAY,
    top_clients: int = DEFAULT_TOP_CLIENTS,
    policy: Policy | None = None,
) -> Analysis:
    """Clients, provenance, closeness, alienation, distance, inversions and findings.

    The findings follow `policy` (default: the org chart's own `policy:` block).
    """
    if not 0.0 < decay < 1.0:
        raise ValueError(f"decay must be between 0 and 1 (exclusive), got {decay}")
    if top_clients < 0:
        raise ValueError(f"top_clients must be >= 0, got {top_clients}")
    graph = build_money_graph(org)
    forest = build_forest(org.parent)
    plan = plan_sweeps(graph)
    r = org.role_count
    direct_share = plan.to_plan(graph.client_share)
    client_rank = np.empty(org.client_count, dtype=np.int64)
    client_rank[np.argsort(np.array(org.client_ids, dtype=object), kind="stable")] = np.arange(
        org.client_count
    )
    # Shares stay in plan order (no 128 MB reorder per block): TopClients maps the rows.
    top = TopClients(r, client_rank, top_clients, rows=plan.position)
    served = ServedClients(org.serves, graph, rows=plan.position)
    blocks = ClientBlocks(graph, plan)
    # The sweeps read the pairs' shares from the plan and the blocks now: the graph's
    # cached columns (30-40 MB at a million roles) do not sit under their peak.
    graph.forget_sweep_columns()
    # And the heap's free pages go back (what the blocks' and the top-K's set-up freed:
    # 200 MB at a million roles paid by five clients each), before the sweeps' blocks,
    # which are too large to fit the holes, come on top of them.
    release_freed_memory()
    closeness, traced, handovers = sweep_all(graph, plan, blocks, decay, direct_share, top, served)
    prov = top.result()
    served_share = served.result()
    # The plan and the running top-K (about 230 MB at a million roles) are not needed
    # any more: dropped here, the later steps do not stack their peaks on them.
    del plan, top, served, blocks
    release_freed_memory()  # their pages too: the later steps' arrays do not fit the holes
    # Each pair between roles with its money back: the inversions and the direct clients
    # both start from them, the child from the pages this process filled.
    pairs = graph.role_pairs()
    # The inversions on the second core while this process finds the direct clients and
    # the clients' reach (after the release: the child shares no page the heap let go).
    inverted = aside(
        partial(
            find_inversions,
            graph,
            pairs,
            forest,
            org.headcount,
            org.amount_decimals,
            decimals_needed(org.headcount),
            org.dotted,
        ),
        fork=r >= ASIDE_MIN_ROLES and second_core_free(),
    )
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            distance = np.where(traced > 0, handovers / traced, np.nan)
        served_roles = served_roles_share(org.serves, graph)
        reach = client_reach(org, graph, forest)
        # Last: the largest peak of the three (the nets and their sorts: 190 MB at a
        # million roles paid by several clients each) comes once the child is most
        # likely gone.
        indptr, payer, net = _direct_clients(org, graph, pairs)
        del pairs
        release_freed_memory()  # its temporaries
        inversions = inverted.result()
    finally:
        inverted.close()
    graph.forget_sweep_columns()  # the last step to read them is done
    findings = _findings(
        OrgFacts(org, graph, inversions, traced <= 0, served_share, served_roles, reach)
    )
    result = Analysis(
        org,
        decay,
        top_clients,
        graph,
        forest,
        closeness,
        traced,
        distance,
        prov,
        indptr,
        payer,
        net,
        inversions,
        served_share,
        served_roles,
        reach,
        findings,
    )
    return _with_policy(result, org.policy if policy is None else policy)


def _with_policy(result: Analysis, policy: Policy) -> Analysis:
    if policy == NO_POLICY:
        return result
    if isinstance(result.findings, Findings):  # kept as rows: the policy keeps them so
        gated = apply_policy_to_rows(
            result.findings,
            policy,
            result.org,
            result.alienation,
            result.summary.org_alienation,
            result.span_raw,
            result.layer_raw,
        )
        if gated is not None:
            return dataclasses.replace(
                result, findings=gated.reported, policy=policy, ignored=gated.ignored
            )
    inv, ids = result.inversions_raw, result.org.role_ids
    levels = {
        (ids[b], ids[s]): n
        for b, s, n in zip(
            inv.boss.tolist(), inv.subordinate.tolist(), inv.levels.tolist(), strict=True
        )
    }
    gated = apply_policy(
        result.findings,
        policy,
        result.org,
        result.alienation,
        result.summary.org_alienation,
        levels,
        result.span_raw,
        result.layer_raw,
    )
    return dataclasses.replace(
        result, findings=gated.reported, policy=policy, ignored=gated.ignored
    )


def _findings(facts: OrgFacts) -> Findings:
    """The organisation's own findings (CC1xx): every finder of the registry, as columns
    in finding order (each made into a `Finding` only when read)."""
    return Findings([find(facts) for find in ORG_FINDERS])
