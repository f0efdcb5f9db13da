"""CC206 `too-many-layers` (error): a role sits deeper than the policy's number of layers.

**What it means.** The policy block sets `max_layers` N: no role may stand more than N
layers from the top (a top is layer 1; the layer of each role is in the JSON document).
Each role on layer N + 1 is a finding, at its line; the roles below it are past the
limit too, and the finding on their branch covers them.

**Why it matters.** Every layer is one more hand-over between the paying clients and
the people who decide: information slows down, and the roles at the bottom stand
further from anyone who answers for the results.

**What to do.** Flatten the reporting line above the role (fewer managers between it
and the top), or raise the limit in the policy block if the organisation has decided
so.

**Data.** `role` (its id), `layer` (its layer, N + 1), `limit` (the policy's
max_layers).

Passing: three layers, and the policy allows three.

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
  - {from: seller, to: manager, amount: 700}
  - {from: manager, to: owner, amount: 400}
policy:
  max_layers: 3
```

Failing: the policy allows two layers; the seller is on the third.

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
  - {from: seller, to: manager, amount: 700}
  - {from: manager, to: owner, amount: 400}
policy:
  max_layers: 2
```

```text finding
org.yaml:7: error CC206 'seller' is on layer 3, deeper than the policy's limit of 2
  layers (max_layers)
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.wording import plural
from clientchain.model.findings import (
    TOO_MANY_LAYERS,
    Choice,
    Finding,
    FindingColumns,
    FindingRows,
    Ids,
)
from clientchain.model.org import IntArray, Org
from clientchain.model.policy import Limit

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = TOO_MANY_LAYERS


def find(org: Org, limit: Limit | None, layer: IntArray) -> FindingRows:
    """One finding per role on the first layer past the limit, at its line (made when
    read)."""
    if limit is None:
        return FindingRows(RULE, org.source, np.zeros(0, dtype=np.int64), lambda rows: [])
    most = int(limit.value)
    lines = org.role_lines
    deep = np.flatnonzero(layer == most + 1)

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = deep[np.asarray(rows, dtype=np.int64)]
        return [
            Finding.of(
                RULE,
                ids[v],
                org.source,
                line,
                RULE.message(role=ids[v], layer=most + 1, limit=most, s=plural(most)),
                (("role", ids[v]), ("layer", most + 1), ("limit", most)),
            )
            for v, line in zip(roles.tolist(), lines[roles].tolist(), strict=True)
        ]

    def columns(rows: IntArray) -> FindingColumns:
        role, n = Ids(deep[rows]), rows.size
        shown: dict[str, Shown] = {
            "role": role,
            "layer": np.full(n, most + 1, dtype=np.int64),
            "limit": np.full(n, most, dtype=np.int64),
            "s": Choice(("s", ""), np.full(n, most == 1, dtype=np.int64)),  # plural(most)
        }
        facts = (("role", role), ("layer", most + 1), ("limit", most))
        return FindingColumns(role, None, None, shown, facts)

    return FindingRows(RULE, org.source, lines[deep], build, columns)
