"""CC105 `paid-by-others` (warning): a role serves someone, but none of its money comes
from those it serves.

**What it means.** The role's `serves` names whom its work is for: external clients
(a complaints desk serves the buyers) or internal customers (roles). Yet none of the
money that reaches it originates at the clients it serves (`served_share` 0) and none
is paid to it directly by the roles it serves (`served_roles_share` 0); a figure that
does not apply (it serves no client, or no role) is null and left out. The finding
stands at the role's line. A role that receives no money at all is CC102's, not this.

**Why it matters.** Work done for some and paid for by others is alienation made
visible: the role answers to whoever funds it, and the people it serves have no say
in what it is worth to them.

**What to do.** Let those it serves pay for its work (a charge to the internal
customer, a share of the revenue from the clients), or correct `serves` if the role
really works for whoever pays it.

**Data.** `role` (its id), `served_share` (null when it serves no external client),
`served_roles_share` (null when it serves no role).

Passing: the complaints desk is paid by the seller, with the buyers' money.

```yaml passing
clients:
  - id: buyers
  - id: investors
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: finance
    reports_to: owner
  - id: complaints
    reports_to: owner
    serves: buyers
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: investors, to: finance, amount: 500}
  - {from: seller, to: complaints, amount: 100}
```

Failing: finance pays the complaints desk from the investors' money.

```yaml failing
clients:
  - id: buyers
  - id: investors
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: finance
    reports_to: owner
  - id: complaints
    reports_to: owner
    serves: buyers
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: investors, to: finance, amount: 500}
  - {from: finance, to: complaints, amount: 100}
```

```text finding
org.yaml:10: warning CC105 'complaints' serves 'buyers', but none of its money comes
  from them: it is paid by others
```
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from clientchain.analyses.rules.facts import OrgFacts
from clientchain.graph.distinct import sorted_distinct
from clientchain.model.findings import (
    PAID_BY_OTHERS,
    Finding,
    FindingColumns,
    FindingRows,
    Floats,
    Ids,
    Phrases,
)
from clientchain.model.org import IntArray, Links, Org
from clientchain.model.rounding import ratios

if TYPE_CHECKING:
    from clientchain.model.findings import Shown

RULE = PAID_BY_OTHERS
NAMED = 3  # the served ids a message names before it counts the rest


def paid_by_others(served_share: np.ndarray, served_roles_share: np.ndarray) -> np.ndarray:
    """Per role: at least one of the two applies, and every one that applies is 0."""
    clients, roles = ~np.isnan(served_share), ~np.isnan(served_roles_share)
    zero = (~clients | (served_share <= 0)) & (~roles | (served_roles_share <= 0))
    return np.asarray((clients | roles) & zero)


def find(facts: OrgFacts) -> FindingRows:
    """One finding per role paid by others, at its line (made when read)."""
    org = facts.org
    hits = np.flatnonzero(paid_by_others(facts.served_share, facts.served_roles_share))

    def build(rows: list[int]) -> list[Finding]:
        ids = org.role_ids  # read here: when a finding is made, not before
        roles = hits[np.asarray(rows, dtype=np.int64)]
        shown = ratios(facts.served_share[roles]).tolist()
        shown_roles = ratios(facts.served_roles_share[roles]).tolist()
        return [
            Finding.of(
                RULE,
                ids[v],
                org.source,
                line,
                RULE.message(role=ids[v], whom=_whom(org, v)),
                (
                    ("role", ids[v]),
                    ("served_share", None if math.isnan(share) else share),  # NaN: null
                    ("served_roles_share", None if math.isnan(served) else served),
                ),
            )
            for v, line, share, served in zip(
                roles.tolist(), org.role_lines[roles].tolist(), shown, shown_roles, strict=True
            )
        ]

    def columns(rows: IntArray) -> FindingColumns:
        roles = hits[rows]
        role = Ids(roles)
        shown: dict[str, Shown] = {"role": role, "whom": whom_phrases(org.serves, roles)}
        facts_shown = (
            ("role", role),
            ("served_share", Floats(ratios(facts.served_share[roles]))),
            ("served_roles_share", Floats(ratios(facts.served_roles_share[roles]))),
        )
        return FindingColumns(role, None, None, shown, facts_shown)

    return FindingRows(RULE, org.source, org.role_lines[hits], build, columns)


def _whom(org: Org, role: int) -> str:
    """'a', 'a' and 'b', 'a', 'b' and 'c', or 'a', 'b', 'c' and 2 more."""
    names = [f"'{org.node_id(n)}'" for n in dict.fromkeys(org.serves.of(role))]
    if len(names) > NAMED + 1:
        names = [*names[:NAMED], f"{len(names) - NAMED} more"]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# The words of `_whom` around each name: before it, then after it and before the next
# ("'a', 'b' and 'c'"); after the last name of a long list, "and N more" (added per N).
_OPEN, _COMMA, _AND, _CLOSE = "'", "', ", "' and ", "'"


def whom_phrases(serves: Links, roles: IntArray) -> Phrases:
    """`_whom` of each role, as pieces: every role's served nodes gathered at once, the
    repeats dropped (the first kept, as dict.fromkeys does), the names after the
    NAMED-th of a long list left out."""
    start = serves.ptr[roles]
    count = serves.ptr[roles + 1] - start
    owner = np.repeat(np.arange(roles.size), count)
    first = np.cumsum(count) - count
    node = serves.node[np.arange(owner.size) - first[owner] + start[owner]]
    order = np.lexsort((node, owner))  # stable: a repeat sorts after its first
    repeat = np.zeros(owner.size, dtype=bool)
    repeat[order[1:]] = (owner[order[1:]] == owner[order[:-1]]) & (
        node[order[1:]] == node[order[:-1]]
    )
    owner, node = owner[~repeat], node[~repeat]
    names = np.bincount(owner, minlength=roles.size)
    place = np.arange(owner.size) - (np.cumsum(names) - names)[owner]
    total = names[owner]
    kept = (total <= NAMED + 1) | (place < NAMED)
    owner, node, place, total = owner[kept], node[kept], place[kept], total[kept]
    long = total > NAMED + 1
    more = sorted_distinct(total[long] - NAMED)
    texts = (_OPEN, _COMMA, _AND, _CLOSE, *(f"' and {m} more" for m in more.tolist()))
    # Which text follows each name: a comma, "and" before the last name, the closing
    # quote after it; "and N more" after the last of a long list.
    last = np.where(long, NAMED - 1, total - 1)  # the place of the last name shown
    after = np.where(place == last, 3, np.where(~long & (place == last - 1), 2, 1))
    cut = long & (place == last)
    after[cut] = 4 + np.searchsorted(more, total[cut] - NAMED)
    piece = np.column_stack([np.full_like(node, -1), node, -1 - after]).ravel()
    ptr = np.zeros(roles.size + 1, dtype=np.int64)
    np.cumsum(3 * np.bincount(owner, minlength=roles.size), out=ptr[1:])
    return Phrases(ptr, piece, texts)
