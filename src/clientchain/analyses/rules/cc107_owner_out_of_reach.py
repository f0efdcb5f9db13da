"""CC107 `owner-out-of-reach` (warning): a client's owner does not hold all its touchpoints.

**What it means.** The client names an `owner`, the role that answers for the
relationship, but some of its touchpoints (the roles it pays directly and the roles
whose `serves` names it) lie outside the owner's solid subtree (the owner and everyone
below it through `reports_to`). The finding stands at the client's entry and lists
those roles.

**Why it matters.** An owner who cannot reach the roles that serve the client owns the
relationship on paper only: the complaints desk, billing or delivery answer to someone
else, and the client meets a different organisation at each of them.

**What to do.** Move those roles under the owner, or give the client an owner whose
part of the organisation holds them all.

**Data.** `client` (its id), `owner` (the owner's id), `outside_count` (how many
touchpoints lie outside the owner's subtree), `touchpoints` (how many it has).

Passing: billing reports to the account director who owns the buyers.

```yaml passing
clients:
  - id: buyers
    owner: account-director
roles:
  - id: ceo
  - id: account-director
    reports_to: ceo
  - id: seller
    reports_to: account-director
  - id: billing
    reports_to: account-director
flows:
  - {from: buyers, to: seller, amount: 800}
  - {from: buyers, to: billing, amount: 200}
  - {from: seller, to: account-director, amount: 500}
  - {from: billing, to: account-director, amount: 100}
  - {from: account-director, to: ceo, amount: 300}
```

Failing: billing reports to the chief executive, out of the owner's reach.

```yaml failing
clients:
  - id: buyers
    owner: account-director
roles:
  - id: ceo
  - id: account-director
    reports_to: ceo
  - id: seller
    reports_to: account-director
  - id: billing
    reports_to: ceo
flows:
  - {from: buyers, to: seller, amount: 800}
  - {from: buyers, to: billing, amount: 200}
  - {from: seller, to: account-director, amount: 500}
  - {from: billing, to: ceo, amount: 100}
  - {from: account-director, to: ceo, amount: 300}
```

```text finding
org.yaml:2: warning CC107 client 'buyers' is owned by 'account-director', but 1 of its 2
  touchpoints lies outside the owner's reach: 'billing'
```
"""

from __future__ import annotations

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.analyses.rules.wording import NAMES_SHOWN, plural, quoted_names
from clientchain.model.findings import OWNER_OUT_OF_REACH, Finding, FindingRows
from clientchain.model.org import NO_OWNER

RULE = OWNER_OUT_OF_REACH


def find(facts: OrgFacts) -> FindingRows:
    """A finding per client at most: made at once."""
    return FindingRows.of(RULE, facts.org.source, _found(facts))


def _found(facts: OrgFacts) -> list[Finding]:
    """One finding per owned client with touchpoints outside its owner's subtree."""
    org, reach = facts.org, facts.clients
    lines = org.client_lines
    found = []
    for j, owner in enumerate(reach.owner.tolist()):
        outside = reach.outside(j) if owner != NO_OWNER else []
        if not outside:
            continue
        # Only the ids the finding shows are read: not a million roles' as strings, nor
        # the thousands of touchpoints a client has outside (0.3 s at a million roles).
        owner_id, *outside_ids = org.node_ids([owner, *outside[:NAMES_SHOWN]])
        client, touchpoints = org.client_ids[j], int(reach.ptr[j + 1] - reach.ptr[j])
        found.append(
            Finding.of_client(
                RULE,
                client,
                org.source,
                int(lines[j]),
                RULE.message(
                    client=client,
                    owner=owner_id,
                    outside_count=len(outside),
                    touchpoints=touchpoints,
                    s=plural(touchpoints),
                    verb_s="s" if len(outside) == 1 else "",
                    outside=quoted_names(outside_ids, total=len(outside)),
                ),
                (
                    ("client", client),
                    ("owner", owner_id),
                    ("outside_count", len(outside)),
                    ("touchpoints", touchpoints),
                ),
            )
        )
    return found
