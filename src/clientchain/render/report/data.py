"""The data the HTML report embeds: columns per role, CSR lists, linear in roles + flows.

Roles are re-numbered 0..N-1 over the roles shown (file order); above `max_roles`
the report shows the top of the organisation (the roles nearest a top, ties in
file order), so every role shown has its boss shown too. Money-graph nodes in the
payload are the shown roles, then the clients (N + j), then any role that pays a
shown role, or that a shown role or a client names (a dotted-line boss, a role it
serves, an owner, a touchpoint), but is not shown itself (N + C + k, id only).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.overview import overview
from clientchain.model.findings import Finding
from clientchain.model.org import NO_PARENT, IntArray, Links
from clientchain.model.rounding import moneys, plain_number, ratios
from clientchain.render.overview import lead_sentences
from clientchain.render.report.defaults import DEFAULT_MAX_ROLES
from clientchain.render.report.numbers import abbreviate, abbreviate_count
from clientchain.render.report.summary import summary_sentences

PAYLOAD_FORMAT = 1
# The money chain in the side panel: the `chain` command's depth, fewer payers (a panel).
CHAIN_MAX_DEPTH = 12
CHAIN_MAX_NODES = 60


def shown_roles(analysis: Analysis, max_roles: int) -> IntArray:
    """Indices of the roles the report shows, in file order."""
    r = analysis.org.role_count
    if max_roles <= 0 or r <= max_roles:
        return np.arange(r, dtype=np.int64)
    depth = analysis.forest.depth
    top = np.lexsort((np.arange(r), depth))[:max_roles]
    return np.sort(top)


def csr_rows(indptr: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The CSR pointers of a subset of rows, and where their entries are in the full arrays."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    ptr = np.r_[0, np.cumsum(lengths)].astype(np.int64)
    positions = np.repeat(starts - ptr[:-1], lengths) + np.arange(int(ptr[-1]))
    return ptr, positions.astype(np.int64)


def _lookup(table: IntArray, index: IntArray) -> IntArray:
    """table[index], and -1 where index is -1 (also when table is empty)."""
    padded: IntArray = np.r_[table, -1].astype(np.int64)
    looked_up: IntArray = padded[np.where(index < 0, table.size, index)]
    return looked_up


def _nullable(values: Any) -> list[float | None]:
    """Ratios as shown (12 decimals), None where NaN (null in the analysis)."""
    return [None if math.isnan(x) else x for x in ratios(np.asarray(values)).tolist()]


def _numbers(values: Any) -> list[int | float]:
    return [plain_number(float(x)) for x in np.asarray(values, dtype=np.float64).tolist()]


class _Nodes:
    """Money-graph node (role index, or R + client index) -> payload node number."""

    def __init__(self, analysis: Analysis, shown: IntArray) -> None:
        org = analysis.org
        self.r, self.n, self.c = org.role_count, int(shown.size), org.client_count
        self.new = np.full(self.r, -1, dtype=np.int64)
        self.new[shown] = np.arange(self.n)
        self.org = org

    def map(self, nodes: IntArray) -> tuple[IntArray, list[str]]:
        """Payload node numbers, and the ids of the roles outside the report (numbered in
        file order after the clients)."""
        out = np.empty(nodes.size, dtype=np.int64)
        client = nodes >= self.r
        out[client] = self.n + nodes[client] - self.r
        role = np.flatnonzero(~client)
        mapped = self.new[nodes[role]]
        out[role] = mapped
        outside = role[mapped < 0]
        hidden, where = np.unique(nodes[outside], return_inverse=True)
        out[outside] = self.n + self.c + where
        return out, [self.org.role_ids[h] for h in hidden.tolist()]  # np.unique: file order


def _below(analysis: Analysis) -> tuple[IntArray, IntArray]:
    """Per role: inversions strictly below it, and its direct reports (whole org)."""
    forest, inv = analysis.forest, analysis.inversions_raw
    pre = np.sort(forest.preorder[inv.subordinate])
    lo = np.searchsorted(pre, forest.preorder, side="right")
    hi = np.searchsorted(pre, forest.preorder + forest.size, side="left")
    parent = analysis.org.parent
    reports = np.bincount(parent[parent != NO_PARENT], minlength=analysis.org.role_count)
    return hi - lo, reports


def _roles(analysis: Analysis, shown: IntArray, inv_new: IntArray) -> dict[str, Any]:
    org = analysis.org
    ids = org.role_ids
    new = np.full(org.role_count, -1, dtype=np.int64)
    new[shown] = np.arange(shown.size)
    parent = org.parent[shown]
    inv_below, reports = _below(analysis)
    prov = analysis.provenance_raw
    ptr, pos = csr_rows(prov.indptr, shown)
    listed = np.add.reduceat(np.r_[prov.share[pos], 0.0], ptr[:-1]) * (np.diff(ptr) > 0)
    traced = np.minimum(analysis.traced_raw[shown], 1.0)
    broken = analysis.inversions_raw.broken_at[shown]
    distance = ratios(analysis.distance_raw[shown]).tolist()
    sl = shown.tolist()
    return {
        "id": [ids[i] for i in sl],
        "title": [org.role_titles[i] for i in sl],
        "department": [org.role_departments[i] for i in sl],
        "parent": _lookup(new, parent).tolist(),
        "line": org.role_lines[shown].tolist(),
        "headcount": _numbers(org.headcount[shown]),
        "inflow": _numbers(analysis.inflow[shown]),
        "closeness": analysis.closeness[shown].tolist(),
        "alienation": analysis.alienation[shown].tolist(),
        "distance": [None if math.isnan(d) else d for d in distance],  # NaN: nothing traced
        "traced": analysis.traced_share[shown].tolist(),
        "unfunded": analysis.unfunded[shown].astype(np.int64).tolist(),
        "broken": _lookup(inv_new, broken).tolist(),
        "inv_below": inv_below[shown].tolist(),
        "reports": reports[shown].tolist(),  # = span: direct reports (solid lines)
        "layer": analysis.layer_raw[shown].tolist(),
        "served_share": _nullable(analysis.served_share_raw[shown]),
        "served_roles_share": _nullable(analysis.served_roles_share_raw[shown]),
        "prov_ptr": ptr.tolist(),
        "prov_client": prov.client[pos].tolist(),
        "prov_share": ratios(prov.share[pos]).tolist(),
        "prov_rest": ratios(np.maximum(0.0, traced - listed)).tolist(),
    }


def _money_lists(analysis: Analysis, shown: IntArray, nodes: _Nodes) -> dict[str, Any]:
    """Direct clients (net) and every payer (gross, for the chain) of each shown role."""
    d = analysis.org.amount_decimals
    ptr, pos = csr_rows(analysis.client_indptr, shown)
    graph = analysis.graph
    keep = np.flatnonzero(nodes.new[graph.payee] >= 0)
    payee = nodes.new[graph.payee[keep]]
    # The order of `trace_chain`: by payee, largest amount first, then the payer's node.
    order = keep[np.lexsort((graph.payer[keep], -graph.amount[keep], payee))]
    pay_ptr = np.searchsorted(np.sort(payee), np.arange(shown.size + 1)).astype(np.int64)
    links = _Links(analysis, shown)
    # One numbering of the roles outside the report for every list.
    mapped, hidden = nodes.map(
        np.r_[analysis.client_payer[pos], graph.payer[order], links.nodes].astype(np.int64)
    )
    direct, payers = mapped[: pos.size], mapped[pos.size : pos.size + order.size]
    titles = analysis.org.role_titles
    index = analysis.org.role_index
    return {
        "hidden": hidden,
        "hidden_title": [titles[index[h]] for h in hidden],
        "direct": {
            "ptr": ptr.tolist(),
            "node": direct.tolist(),
            "net": _numbers(moneys(analysis.client_net[pos], d)),
        },
        "payers": {
            "ptr": pay_ptr.tolist(),
            "node": payers.tolist(),
            "amount": _numbers(moneys(graph.amount[order], d)),
        },
        **links.payload(mapped[pos.size + order.size :]),
    }


class _Links:
    """Dotted lines and `serves` of the shown roles, and each client's owner, lowest
    common boss and touchpoints, as money-graph nodes (mapped with the payers, so the
    roles outside the report have one numbering)."""

    def __init__(self, analysis: Analysis, shown: IntArray) -> None:
        org = analysis.org
        self.clients = analysis.clients
        index = org.role_index
        self.dotted_ptr, dotted = self._rows(org.dotted, shown)
        self.serves_ptr, serves = self._rows(org.serves, shown)
        owners = [index[c.owner] if c.owner is not None else -1 for c in self.clients]
        bosses = [
            index[c.lowest_common_boss] if c.lowest_common_boss is not None else -1
            for c in self.clients
        ]
        touch = [index[rid] for c in self.clients for rid in c.touchpoint_roles]
        self.touch_ptr = np.r_[0, np.cumsum([len(c.touchpoint_roles) for c in self.clients])]
        self.sizes = [dotted.size, serves.size, len(owners), len(bosses), len(touch)]
        self.owner_known = np.asarray(owners, dtype=np.int64) >= 0
        self.boss_known = np.asarray(bosses, dtype=np.int64) >= 0
        self.nodes = np.r_[
            dotted,
            serves,
            np.maximum(np.asarray(owners, dtype=np.int64), 0),
            np.maximum(np.asarray(bosses, dtype=np.int64), 0),
            np.asarray(touch, dtype=np.int64),
        ]

    @staticmethod
    def _rows(links: Links, shown: IntArray) -> tuple[IntArray, IntArray]:
        if not links:
            return np.zeros(shown.size + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
        ptr, pos = csr_rows(links.ptr, shown)
        return ptr, links.node[pos]

    def payload(self, mapped: IntArray) -> dict[str, Any]:
        dotted, serves, owners, bosses, touch = np.split(mapped, np.cumsum(self.sizes)[:-1])
        return {
            "dotted": {"ptr": self.dotted_ptr.tolist(), "node": dotted.tolist()},
            "serves": {"ptr": self.serves_ptr.tolist(), "node": serves.tolist()},
            "client_links": {
                "owner": np.where(self.owner_known, owners, -1).tolist(),
                "lowest_common_boss": np.where(self.boss_known, bosses, -1).tolist(),
                "touch_ptr": self.touch_ptr.astype(np.int64).tolist(),
                "touch": touch.tolist(),
                "departments": [list(c.departments) for c in self.clients],
                "fragmented": [int(c.fragmented) for c in self.clients],
                "money_out": [plain_number(c.money_out) for c in self.clients],
            },
        }


def _inversions(analysis: Analysis, shown_mask: np.ndarray) -> tuple[list[Any], IntArray]:
    inv, d = analysis.inversions_raw, analysis.org.amount_decimals
    keep = shown_mask[inv.subordinate]  # a shown subordinate's boss is shown too
    inv_new = np.full(len(inv), -1, dtype=np.int64)
    inv_new[keep] = np.arange(int(keep.sum()))
    new = np.cumsum(shown_mask) - 1
    rows = zip(
        new[inv.boss[keep]].tolist(),
        new[inv.subordinate[keep]].tolist(),
        inv.levels[keep].tolist(),
        _numbers(moneys(inv.net[keep], d)),
        _numbers(moneys(inv.boss_to_subordinate[keep], d)),
        _numbers(moneys(inv.subordinate_to_boss[keep], d)),
        _numbers(inv.impact_headcount[keep]),
        strict=True,
    )
    keys = ("boss", "subordinate", "levels", "net", "down", "up", "impact")
    return [dict(zip(keys, row, strict=True)) for row in rows], inv_new


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "rule": f.rule,
        "level": f.level.value,
        "message": f.message,
        "role": f.role or None,
        "boss": f.boss,
        "client": f.client,
        "file": Path(f.file).name,
        "line": f.line,
    }


def report_payload(
    analysis: Analysis, title: str | None = None, max_roles: int = DEFAULT_MAX_ROLES
) -> dict[str, Any]:
    """Everything the page shows, as plain JSON data (deterministic: no clock, no paths)."""
    org, s = analysis.org, analysis.summary
    shown = shown_roles(analysis, max_roles)
    mask = np.zeros(org.role_count, dtype=bool)
    mask[shown] = True
    inversions, inv_new = _inversions(analysis, mask)
    index = org.role_index
    # A finding about no role (a client's, the organisation's) is always shown.
    findings = [f for f in analysis.findings if f.role not in index or mask[index[f.role]]]
    source = Path(org.source).name
    return {
        "format": PAYLOAD_FORMAT,
        "title": title or org.name or source,
        "org": org.name,
        "source": source,
        "currency": org.currency,
        "decimals": org.amount_decimals,
        "decay": analysis.decay,
        "top_clients": analysis.top_clients,
        "summary": {
            "roles": s.roles,
            "headcount": s.headcount,
            "clients": s.clients,
            "flows": s.flows,
            "money_in": plain_number(s.money_in),
            "org_alienation": s.org_alienation,
            "inversions": s.inversions,
            "unfunded_roles": s.unfunded_roles,
            "findings": len(analysis.findings),
            "findings_ignored": len(analysis.ignored),
            "findings_baselined": len(analysis.baselined),
            "layers": s.layers,
            "span_bands": dict(s.span_bands),
            "client_money_owned": s.client_money_owned,
        },
        # The headline cards' figures, short (the full values are in `summary`).
        "short": {
            "money_in": abbreviate(s.money_in, org.amount_decimals),
            "roles": abbreviate_count(s.roles),
            "headcount": abbreviate_count(s.headcount, analysis.headcount_decimals),
        },
        "executive": summary_sentences(analysis),
        "shown_roles": int(shown.size),
        "total_roles": org.role_count,
        "roles": _roles(analysis, shown, inv_new),
        "clients": {"id": list(org.client_ids), "title": list(org.client_titles)},
        **_money_lists(analysis, shown, _Nodes(analysis, shown)),
        "inversions": inversions,
        "findings": [_finding(f) for f in findings],
        "findings_not_shown": len(analysis.findings) - len(findings),
        # Said once above the tree when the findings add up to one fact (render.overview).
        "lead": lead_sentences(
            overview(analysis), len(inversions), len(analysis.inversions), "under the roles shown"
        ),
        "chain": {"max_depth": CHAIN_MAX_DEPTH, "max_nodes": CHAIN_MAX_NODES},
    }
