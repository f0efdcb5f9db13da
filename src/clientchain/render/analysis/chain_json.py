"""`clientchain chain --format json`: the hand-over tree of one role, for tools.

One object, flat so that a chain 100,000 hand-overs deep is no deeper as JSON:

    {
      "schema_version": 1,
      "role": "accountant",          # the role traced
      "currency": "UAH",             # null when the org chart names none
      "decay": 0.5,                  # gamma: closeness kept per hand-over
      "inflow": 300000,              # the role's inflow (its money in)
      "closeness_traced": 0.25,      # sum of the hops' closeness: the role's closeness
                                     # when "complete", a lower bound when the tree is cut
      "complete": true,              # no branch cut by --max-depth, --max-nodes or a loop
      "hops": [                      # pre-order: each hop right after the hop it pays
        {"id": "accountant", "kind": "role", "pays": null, "hand_overs": 0,
         "amount": 300000, "fraction": 1, "share": 1, "stop": null, "closeness": null},
        {"id": "director", "kind": "role", "pays": 0, "hand_overs": 1, ...},
        ...
      ]
    }

A hop: `id` and `kind` (role or client) of the payer; `pays`: the index in `hops` of
the hop it pays (null for the traced role itself); `hand_overs`: how far from the
traced role; `amount`: what it pays that hop; `fraction`: of that hop's inflow;
`share`: of the traced role's inflow, along this branch; `stop`: why the branch ends
here (`client`, `no-inflow`, `cycle`, `depth`, `size`; null when it goes on);
`closeness`: for a paying client, `share * decay ** (hand_overs - 1)`, its part of
the traced role's closeness (null for a role).
"""

from __future__ import annotations

from typing import Any

import orjson

from clientchain.analyses.chain import Hop, Stop
from clientchain.model.org import Org
from clientchain.model.rounding import money, plain_number, ratio

CHAIN_SCHEMA_VERSION = 1
_CUT = frozenset({Stop.CYCLE, Stop.DEPTH, Stop.SIZE})


def chain_hops(org: Org, root: Hop, decay: float) -> list[dict[str, Any]]:
    """The hops in pre-order, each with the index of the hop it pays (iterative)."""
    hops: list[dict[str, Any]] = []
    stack: list[tuple[Hop, int | None, int]] = [(root, None, 0)]
    while stack:
        hop, pays, depth = stack.pop()
        client = hop.node >= org.role_count
        hops.append(
            {
                "id": org.node_id(hop.node),
                "kind": "client" if client else "role",
                "pays": pays,
                "hand_overs": depth,
                "amount": plain_number(money(hop.amount, org.amount_decimals)),
                "fraction": plain_number(ratio(hop.fraction)),
                "share": plain_number(ratio(hop.share)),
                "stop": hop.stop.value or None,
                "closeness": plain_number(closeness(hop, depth, decay)) if client else None,
            }
        )
        index = len(hops) - 1
        stack.extend((child, index, depth + 1) for child in reversed(hop.payers))
    return hops


def closeness(hop: Hop, hand_overs: int, decay: float) -> float:
    """A paying client's part of the traced role's closeness (SPEC: gamma^(h-1))."""
    return ratio(hop.share * decay ** (hand_overs - 1))


def chain_traced(hops: list[dict[str, Any]]) -> tuple[float, bool]:
    """The closeness the tree shows, and whether the tree is whole (nothing cut)."""
    total = sum(h["closeness"] for h in hops if h["closeness"] is not None)
    complete = not any(h["stop"] in _CUT for h in hops)
    return ratio(total), complete


def render_chain_json(org: Org, root: Hop, decay: float) -> str:
    """The document, indented, ending in a newline."""
    hops = chain_hops(org, root, decay)
    traced, complete = chain_traced(hops)
    document = {
        "schema_version": CHAIN_SCHEMA_VERSION,
        "role": org.node_id(root.node),
        "currency": org.currency,
        "decay": decay,
        "inflow": plain_number(money(root.amount, org.amount_decimals)),
        "closeness_traced": plain_number(traced),
        "complete": complete,
        "hops": hops,
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n"
