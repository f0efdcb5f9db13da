"""CC102 `no-paying-client` (warning): none of a role's money comes from a paying client.

**What it means.** Trace the money that reaches the role back, hand-over by hand-over:
none of it starts at an external client (its `traced_share` is 0). Either the role
receives no money at all, or what it receives starts at roles that receive nothing
themselves, or only goes round a closed loop. The finding stands at the role's line;
`summary.unfunded_roles` counts these roles.

**Why it matters.** A role no paying client funds has nobody to serve but the
organisation itself: its alienation is 1, the furthest a role can stand from the
results of its work. Often the flows are just missing from the files; sometimes the
role has no reason to exist.

**What to do.** Add the flows that connect the role to the money of a paying client
(whom does it work for, and do they pay for it?), or question the role.

**Data.** `role` (its id), `inflow` (the money it receives: 0, or money with no paying
origin).

Passing: marketing is paid by the seller it works for, and passes part of that on.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: marketing
    reports_to: owner
  - id: research
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: seller, to: marketing, amount: 100}
  - {from: marketing, to: research, amount: 50}
```

Failing: marketing receives nothing, so the money it hands research has no paying
client behind it either.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: marketing
    reports_to: owner
  - id: research
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: marketing, to: research, amount: 50}
```

```text finding
org.yaml:7: warning CC102 'marketing' receives no money
org.yaml:9: warning CC102 'research' receives money, but none of it traces back to a paying client
```
"""

from __future__ import annotations

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.model.findings import (
    NO_PAYING_CLIENT,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
)
from clientchain.model.org import IntArray
from clientchain.model.rounding import moneys, plain_number

RULE = NO_PAYING_CLIENT
_NOTHING = "no money"
_UNTRACED = "money, but none of it traces back to a paying client"


def find(facts: OrgFacts) -> FindingRows:
    """One finding per role whose traced share is 0, at its line (made when read)."""
    org = facts.org
    lines = org.role_lines
    unfunded = np.flatnonzero(facts.unfunded)

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = unfunded[np.asarray(rows, dtype=np.int64)]
        raw = facts.graph.inflow[roles]
        shown = moneys(raw, org.amount_decimals).tolist()
        return [
            Finding.of(
                RULE,
                ids[s],
                org.source,
                line,
                RULE.message(role=ids[s], what=_NOTHING if received == 0 else _UNTRACED),
                (("role", ids[s]), ("inflow", plain_number(inflow))),
            )
            for s, line, received, inflow in zip(
                roles.tolist(), lines[roles].tolist(), raw.tolist(), shown, strict=True
            )
        ]

    def columns(rows: IntArray) -> FindingColumns:
        roles = unfunded[rows]
        raw = facts.graph.inflow[roles]
        role = Ids(roles)
        what = Choice((_NOTHING, _UNTRACED), (raw != 0).astype(np.int64))
        facts_shown = (("role", role), ("inflow", moneys(raw, org.amount_decimals)))
        return FindingColumns(role, None, None, {"role": role, "what": what}, facts_shown)

    return FindingRows(RULE, org.source, lines[unfunded], build, columns)
