"""The graph that `clientchain export` draws, built once from the analysis arrays.

Nodes: the clients, then the roles, each in file order. Edges: the reporting
lines (subordinate -> boss) in role file order; the dotted lines (role -> its
dotted-line boss) and then the `serves` links (role -> the role or client it
serves), each in role file order and then as written; then one money edge per pair
of nodes with money between them, from the net payer to the net payee, sorted by
(payer, payee) in node order. A pair whose money cancels out exactly is drawn
once, net 0, from the node listed first. Every attribute is a str, int, float
or bool (never None: an absent title or department is an absent attribute), so
GraphML can carry the graph as it is.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.inversions import Inversions
from clientchain.model.org import IntArray, Links, Org
from clientchain.model.rounding import amount_texts, headcount_text, moneys, ratios

Value = str | int | float | bool
Attributes = dict[str, Value]

# The terminal table's bands (render/table.py): below a third, below two thirds, above.
LOW_BELOW, MEDIUM_BELOW = 1 / 3, 2 / 3
REPORTS_TO, MONEY = "reports_to", "money"
# SPEC Additions: a matrix (dotted-line) boss, and whom a role's work is for.
DOTTED_TO, SERVES = "dotted_to", "serves"
# Edges with nothing but their kind: the organisation's structure, not its money.
STRUCTURE = (REPORTS_TO, DOTTED_TO, SERVES)


def band(alienation: float) -> str:
    if alienation < LOW_BELOW:
        return "low"
    return "medium" if alienation < MEDIUM_BELOW else "high"


@dataclass(frozen=True, slots=True)
class Node:
    """A client or a role; what a format needs (lines, attrs) is built on demand."""

    id: str
    kind: str  # "client" or "role"
    title: str | None
    alienation: float  # 0 for a client: it is its own paying client (k = 1 in the contract)
    closeness: float
    unfunded: bool = False
    department: str | None = None
    # One type for the whole column (GraphML declares one per attribute): whole numbers
    # as ints, unless some role's headcount is fractional; then every one is a float.
    headcount: int | float = 0
    inflow: float = 0.0
    distance: float | None = None
    traced_share: float = 0.0
    paid: float = 0.0  # a client: the money it pays in all

    @property
    def band(self) -> str:
        return band(self.alienation)

    @property
    def lines(self) -> tuple[str, ...]:
        """What a picture shows. Colour is never the only cue: the alienation number is
        always written out."""
        title, rid = self.title, self.id
        head = (title, rid) if title and title != rid else (rid,)
        if self.kind == "client":
            return head
        heads = self.headcount
        shown = headcount_text(heads)
        people = "" if heads == 1 else " · vacant" if heads == 0 else f" · {shown} people"
        figures = f"alienation {self.alienation:.3f}{people}"
        return (*head, figures, "no paying client") if self.unfunded else (*head, figures)

    @property
    def attrs(self) -> Attributes:
        attrs: Attributes = {"kind": self.kind, "label": self.title or self.id}
        if self.title is not None:
            attrs["title"] = self.title
        if self.kind == "client":
            attrs["alienation"] = self.alienation
            attrs["closeness"] = self.closeness
            attrs["paid"] = self.paid
            return attrs
        if self.department is not None:
            attrs["department"] = self.department
        attrs["headcount"] = self.headcount
        attrs["inflow"] = self.inflow
        attrs["closeness"] = self.closeness
        attrs["alienation"] = self.alienation
        if self.distance is not None:
            attrs["distance"] = self.distance
        attrs["traced_share"] = self.traced_share
        attrs["unfunded"] = self.unfunded
        attrs["band"] = self.band
        return attrs


@dataclass(frozen=True, slots=True)
class Edge:
    source: int  # position in ExportGraph.nodes
    target: int
    kind: str  # REPORTS_TO, DOTTED_TO, SERVES or MONEY
    label: str = ""  # money: the net amount as the table writes it, with the currency
    net: float = 0.0  # money: source -> target minus target -> source
    amount: float = 0.0  # money: gross source -> target
    amount_back: float = 0.0  # money: gross target -> source
    levels: int = 0  # an inverted relationship: levels between boss and subordinate; else 0

    @property
    def inverted(self) -> bool:
        return self.levels > 0

    @property
    def attrs(self) -> Attributes:
        """Built on demand: DOT and Mermaid never need them for a million edges."""
        if self.kind in STRUCTURE:
            return {"kind": self.kind}
        attrs: Attributes = {"kind": MONEY, "label": self.label, "net": self.net}
        attrs.update(amount=self.amount, amount_back=self.amount_back, inverted=self.inverted)
        if self.levels:
            attrs["levels"] = self.levels
        return attrs


@dataclass(frozen=True, slots=True)
class ExportGraph:
    attrs: Attributes  # org, currency (when given) and decay
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def build_export_graph(analysis: Analysis) -> ExportGraph:
    org = analysis.org
    graph: Attributes = {"decay": analysis.decay}
    if org.name is not None:
        graph["org"] = org.name
    if org.currency is not None:
        graph["currency"] = org.currency
    nodes = (*_client_nodes(analysis), *_role_nodes(analysis))
    edges = (
        *_reporting_edges(analysis),
        *_link_edges(analysis, analysis.org.dotted, DOTTED_TO),
        *_link_edges(analysis, analysis.org.serves, SERVES),
        *_money_edges(analysis),
    )
    return ExportGraph(graph, nodes, edges)


def _client_nodes(analysis: Analysis) -> list[Node]:
    org, money = analysis.org, analysis.graph
    r = org.role_count
    by_client = money.payer >= r
    paid = np.bincount(
        money.payer[by_client] - r, weights=money.amount[by_client], minlength=org.client_count
    )
    paid_list = moneys(paid, org.amount_decimals).tolist()
    return [
        Node(cid, "client", title, 0.0, 1.0, paid=out)
        for cid, title, out in zip(org.client_ids, org.client_titles, paid_list, strict=True)
    ]


def _role_nodes(analysis: Analysis) -> list[Node]:
    org = analysis.org
    distance = [None if math.isnan(d) else d for d in ratios(analysis.distance_raw).tolist()]
    columns = zip(
        org.role_ids,
        org.role_titles,
        analysis.alienation.tolist(),
        analysis.closeness.tolist(),
        analysis.unfunded.tolist(),
        org.role_departments,
        _headcounts(org),
        analysis.inflow.tolist(),
        distance,
        analysis.traced_share.tolist(),
        strict=True,
    )
    return [
        Node(rid, "role", title, alien, close, unfunded, dept, heads, inflow, dist, traced)
        for rid, title, alien, close, unfunded, dept, heads, inflow, dist, traced in columns
    ]


def _headcounts(org: Org) -> list[int] | list[float]:
    """Each role's headcount, all as ints when all are whole (see `Node.headcount`)."""
    if np.array_equal(np.floor(org.headcount), org.headcount):
        whole: list[int] = org.headcount.astype(np.int64).tolist()
        return whole
    fractional: list[float] = org.headcount.tolist()
    return fractional


def _reporting_edges(analysis: Analysis) -> list[Edge]:
    org = analysis.org
    c = org.client_count
    return [
        Edge(c + i, c + boss, REPORTS_TO) for i, boss in enumerate(org.parent.tolist()) if boss >= 0
    ]


def _link_edges(analysis: Analysis, links: Links, kind: str) -> list[Edge]:
    """One edge per (role, node) a role names, as written; a node named twice by one
    role is one edge (networkx keys the edges between two nodes by their kind)."""
    org = analysis.org
    r, c = org.role_count, org.client_count
    roles, nodes = links.pairs()
    # Node index (roles, then clients) -> position in the export (clients, then roles).
    target = np.where(nodes < r, nodes + c, nodes - r)
    seen: set[tuple[int, int]] = set()
    edges = []
    for role, to in zip((roles + c).tolist(), target.tolist(), strict=True):
        if (role, to) not in seen:
            seen.add((role, to))
            edges.append(Edge(role, to, kind))
    return edges


def _money_edges(analysis: Analysis) -> list[Edge]:
    org, money, inv = analysis.org, analysis.graph, analysis.inversions_raw
    r, c, d = org.role_count, org.client_count, org.amount_decimals
    n = money.nodes
    pairs = money.role_pairs()  # (one search for the nets and the amounts back)
    net = moneys(money.nets(pairs), d, in_place=True)
    # Node index (roles, then clients) -> position in the export (clients, then roles).
    source = np.where(money.payer < r, money.payer + c, money.payer - r)
    target = money.payee + c
    keep = (net > 0) | ((net == 0) & (source < target))
    order = np.lexsort((target[keep], source[keep]))
    rows = np.flatnonzero(keep)[order]
    pair = money.payer[rows].astype(np.int64) * n + money.payee[rows]
    levels = _inversion_levels(inv, n, pair)
    amount = moneys(money.amount[rows], d).tolist()
    back = moneys(money.reverse_amount(pairs)[rows], d).tolist()
    unit = f" {org.currency}" if org.currency else ""
    shown = net[rows]
    # = format_amount of each: the nets are rounded already (moneys), and one call per
    # edge would be most of the export's time.
    labels = amount_texts(shown, d, unit)
    columns = zip(
        source[rows].tolist(),
        target[rows].tolist(),
        shown.tolist(),
        labels,
        amount,
        back,
        levels.tolist(),
        strict=True,
    )
    return [
        Edge(s, t, MONEY, label, value, gross, gross_back, level)
        for s, t, value, label, gross, gross_back, level in columns
    ]


def _inversion_levels(inv: Inversions, nodes: int, pair: IntArray) -> IntArray:
    """Per money pair (payer * nodes + payee): the levels of its inversion, 0 if none."""
    if not len(inv):
        return np.zeros(pair.size, dtype=np.int64)
    inverted = inv.boss * nodes + inv.subordinate
    order = np.argsort(inverted)
    at = np.minimum(np.searchsorted(inverted[order], pair), len(inv) - 1)
    found = inverted[order][at] == pair
    return np.where(found, inv.levels[order][at], 0)


# Characters shown as escapes in pictures: C0/C1 controls and Unicode line separators
# (line breaks are split off first).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape_invisible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_lines(text: str) -> list[str]:
    """Text as a picture shows it: one entry per line, invisible characters as escapes."""
    lines = text.replace("\t", " ").splitlines() or [""]
    return [_INVISIBLE.sub(_escape_invisible, line) for line in lines]
