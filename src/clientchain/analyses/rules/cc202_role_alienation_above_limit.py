"""CC202 `role-alienation-above-limit` (error): a role is further from the paying clients
than the policy allows.

**What it means.** The policy block sets `max_role_alienation` (or the command line's
`--max-role-alienation` does), and this role's alienation is above it: too little of
its money comes from paying clients, or it comes through too many hand-overs. The
finding stands at the role's line.

**Why it matters.** The further a role stands from the people who pay, the less its
work is shaped by them and the more by whoever passes the money on.

**What to do.** Give the role a shorter path to a paying client (let it be paid by the
roles or clients it serves), or ignore it in the policy block with a reason.

**Data.** `role` (its id), `alienation` (the role's, as shown), `limit` (the
policy's).

Passing: the seller pays the owner directly, one hand-over from the buyers.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: manager
    reports_to: owner
  - id: seller
    reports_to: manager
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: manager, amount: 600}
  - {from: seller, to: owner, amount: 300}
policy:
  max_role_alienation: 0.6
```

Failing: the owner's money passes through the manager first.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: manager
    reports_to: owner
  - id: seller
    reports_to: manager
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: manager, amount: 600}
  - {from: manager, to: owner, amount: 300}
policy:
  max_role_alienation: 0.6
```

```text finding
org.yaml:4: error CC202 'owner' has alienation 0.75, above the policy's limit 0.6
  (max_role_alienation)
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.wording import ratio_text
from clientchain.model.findings import (
    ROLE_ALIENATION_ABOVE_LIMIT,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Floats,
    Ids,
)
from clientchain.model.org import FloatArray, IntArray, Org
from clientchain.model.policy import Limit

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = ROLE_ALIENATION_ABOVE_LIMIT


def find(org: Org, limit: Limit | None, alienation: FloatArray) -> FindingRows:
    """One finding per role whose alienation (as shown) is above the limit (made when
    read)."""
    if limit is None:
        return FindingRows(RULE, org.source, np.zeros(0, dtype=np.int64), lambda rows: [])
    lines = org.role_lines
    shown = ratio_text(limit.value)
    over = np.flatnonzero(alienation > limit.value)

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = over[np.asarray(rows, dtype=np.int64)]
        return [
            Finding.of(
                RULE,
                ids[i],
                org.source,
                line,
                RULE.message(role=ids[i], alienation=ratio_text(a), limit=shown),
                (("role", ids[i]), ("alienation", a), ("limit", limit.value)),
            )
            for i, a, line in zip(
                roles.tolist(), alienation[roles].tolist(), lines[roles].tolist(), strict=True
            )
        ]

    def columns(rows: IntArray) -> FindingColumns:
        roles = over[rows]
        role, values = Ids(roles), alienation[roles]
        texts: dict[str, Shown] = {
            "role": role,
            "alienation": list(map(ratio_text, values.tolist())),
            "limit": Choice((shown,), np.zeros(roles.size, dtype=np.int64)),
        }
        facts = (("role", role), ("alienation", Floats(values)), ("limit", limit.value))
        return FindingColumns(role, None, None, texts, facts)

    return FindingRows(RULE, org.source, lines[over], build, columns)
