"""CC103 `client-pays-nobody` (warning): a listed client pays no role.

**What it means.** The org chart lists an external client under `clients`, but no
flow starts at it. The finding names the client and stands at its entry's line.

**Why it matters.** Either a flow is missing (and every figure that depends on the
money of that client, from provenance to alienation, is understated), or the entry
is stale: a market the organisation no longer serves is still on the map.

**What to do.** Add the flows from this client, or remove it from `clients`.

**Data.** `client` (its id).

Passing: both clients pay the seller.

```yaml passing
clients:
  - id: buyers
  - id: fleets
roles:
  - id: owner
  - id: seller
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: fleets, to: seller, amount: 400}
  - {from: seller, to: owner, amount: 600}
```

Failing: `fleets` is listed, but no money comes from it.

```yaml failing
clients:
  - id: buyers
  - id: fleets
roles:
  - id: owner
  - id: seller
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
```

```text finding
org.yaml:3: warning CC103 client 'fleets' pays no role: add its flows or remove it
```
"""

from __future__ import annotations

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.model.findings import CLIENT_PAYS_NOBODY, Finding, FindingRows

RULE = CLIENT_PAYS_NOBODY


def find(facts: OrgFacts) -> FindingRows:
    """A finding per client at most: made at once."""
    return FindingRows.of(RULE, facts.org.source, _found(facts))


def _found(facts: OrgFacts) -> list[Finding]:
    """One finding per client that pays nobody, at its entry's line."""
    org = facts.org
    paying = np.zeros(org.client_count, dtype=bool)
    paying[org.flow_payer[org.flow_payer >= org.role_count] - org.role_count] = True
    return [
        Finding.of_client(
            RULE,
            org.client_ids[c],
            org.source,
            int(org.client_lines[c]),
            RULE.message(client=org.client_ids[c]),
            (("client", org.client_ids[c]),),
        )
        for c in np.flatnonzero(~paying).tolist()
    ]
