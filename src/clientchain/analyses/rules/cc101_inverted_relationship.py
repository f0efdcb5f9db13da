"""CC101 `inverted-relationship` (error): a boss is a net payer of a subordinate.

**What it means.** Between a role and someone below it in the reporting line, the
net money flows down: the boss pays the subordinate more than the subordinate brings
up. The boss has become the subordinate's client, so the subordinate works to please
the boss who funds it, not the people whose money pays for its work. A dotted-line
(matrix) boss counts too, one level up: the message then says "dotted-line
subordinate", and the inversion's `line` in the JSON document is `dotted` (it never
sets `chain_broken_at`: only `reports_to` makes the hierarchy). The finding
stands at the subordinate's line and names both roles, how many levels apart they
are, and the net amount.

**Why it matters.** Everyone below the subordinate inherits the broken chain
(`chain_broken_at` in the JSON document, `impact_headcount` of the inversion): they
serve the budget holder, and the paying clients drop out of sight.

**What to do.** Let the subordinate be paid by the roles it serves (an internal
customer paying for a service) or record the flows that carry revenue up. If the
inversion is intended for now, ignore it in the policy block with a reason; the
policy's `max_levels_inverted` tolerates shallow inversions as warnings (CC203 for the
deeper ones).

**Data.** `boss`, `subordinate` (ids), `net` (the net amount flowing down), `currency`
(the org chart's, or null), `levels` (1: a direct report).

Passing: the accountant is paid by the seller it serves, a peer.

```yaml passing
currency: EUR
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: accountant
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: seller, to: accountant, amount: 200}
```

Failing: the owner hands the accountant a budget.

```yaml failing
currency: EUR
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: accountant
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: owner, to: accountant, amount: 200}
```

```text finding
org.yaml:8: error CC101 'owner' is a net payer of its subordinate 'accountant' (net 200 EUR
  flows down 1 level): the boss acts as the subordinate's client
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.analyses.rules.wording import plural
from clientchain.model.findings import (
    INVERTED_RELATIONSHIP,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
    Money,
)
from clientchain.model.org import IntArray
from clientchain.model.rounding import moneys, plain_number, rounded_money_text

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = INVERTED_RELATIONSHIP
_DOTTED = "dotted-line "


def find(facts: OrgFacts) -> FindingRows:
    """One finding per inverted pair, at the subordinate's line (made when read)."""
    org, inv = facts.org, facts.inversions
    d, currency = org.amount_decimals, org.currency

    def build(rows: list[int]) -> list[Finding]:
        at = np.asarray(rows, dtype=np.int64)
        # Only the ids these findings name are read (ties among a million findings are
        # made while they are ordered: a million roles' ids as strings would be 0.2 s).
        pairs = np.r_[inv.boss[at], inv.subordinate[at]].tolist()
        ids = dict(zip(pairs, org.node_ids(pairs), strict=True))
        # moneys() over the column rounds each amount exactly as format_amount's money() does.
        nets = moneys(inv.net[at], d).tolist()
        found = zip(
            inv.boss[at].tolist(),
            inv.subordinate[at].tolist(),
            inv.levels[at].tolist(),
            nets,
            org.role_lines[inv.subordinate[at]].tolist(),
            inv.dotted[at].tolist(),
            strict=True,
        )
        return [
            Finding.of_pair(
                RULE,
                ids[b],
                ids[s],
                org.source,
                line,
                RULE.message(
                    boss=ids[b],
                    dotted=_DOTTED if dotted else "",
                    subordinate=ids[s],
                    net=rounded_money_text(net, d, currency),
                    levels=levels,
                    s=plural(levels),
                ),
                (
                    ("boss", ids[b]),
                    ("subordinate", ids[s]),
                    ("net", plain_number(net)),
                    ("currency", currency),
                    ("levels", levels),
                ),
            )
            for b, s, levels, net, line, dotted in found
        ]

    def columns(rows: IntArray) -> FindingColumns:
        boss, subordinate = Ids(inv.boss[rows]), Ids(inv.subordinate[rows])
        levels = inv.levels[rows].astype(np.int64)
        nets = moneys(inv.net[rows], d)
        shown: dict[str, Shown] = {
            "boss": boss,
            "dotted": Choice(("", _DOTTED), inv.dotted[rows].astype(np.int64)),
            "subordinate": subordinate,
            "net": Money(nets, d, currency),
            "levels": levels,
            "s": Choice(("s", ""), (levels == 1).astype(np.int64)),  # plural(levels)
        }
        facts = (
            ("boss", boss),
            ("subordinate", subordinate),
            ("net", nets),
            ("currency", currency),
            ("levels", levels),
        )
        return FindingColumns(subordinate, boss, None, shown, facts)

    return FindingRows(RULE, org.source, org.role_lines[inv.subordinate], build, columns)
