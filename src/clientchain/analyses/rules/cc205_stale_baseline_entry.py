"""CC205 `stale-baseline-entry` (warning): a baseline entry matches no finding.

**What it means.** A baseline (`analyze --baseline FILE`, written by
`--write-baseline`) lists findings a team has accepted for now, so CI reports only new
ones. One of its entries, matched by code and the ids it names (never by line),
matches no finding any more: the problem it recorded is gone. The finding stands at the
entry's line in the baseline file. Findings about the policy or the baseline itself
are never written to a baseline.

**Why it matters.** A baseline should only ever shrink. A stale entry would hide the
same problem if it came back, without anyone deciding to accept it again.

**What to do.** Write the baseline again (`--write-baseline`), so it records only the
findings still there.

**Data.** `entry_code` (the code the entry records) and its subject: `entry_role`,
`entry_boss`, `entry_client` (each null when the entry does not name it).

The baseline both examples are analysed with, written when marketing received no
money:

```json baseline
{
  "schema_version": 1,
  "tool": "clientchain",
  "findings": [
    {"code": "CC102", "role": "marketing", "message": "'marketing' receives no money"}
  ]
}
```

Passing: marketing still receives no money; the baseline knows it, so nothing is
reported.

```yaml passing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: marketing
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
```

Failing: the seller pays marketing now; the entry records a problem that is gone.

```yaml failing
clients:
  - id: buyers
roles:
  - id: owner
  - id: seller
    reports_to: owner
  - id: marketing
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: owner, amount: 600}
  - {from: seller, to: marketing, amount: 100}
```

```text finding
baseline.json:5: warning CC205 baseline entry CC102 marketing matches no finding any
  more: write the baseline again
```
"""

from __future__ import annotations

from clientchain.model.findings import STALE_BASELINE_ENTRY, Finding

RULE = STALE_BASELINE_ENTRY


def find(file: str, line: int, code: str, role: str, boss: str, client: str) -> Finding:
    """The finding for the entry at `line` of baseline `file` that matched nothing; the
    entry's code and subject ids ('' when the entry does not name one)."""
    subject = " -> ".join(x for x in (boss, role) if x) or client
    return Finding.of(
        RULE,
        "",
        file,
        line,
        RULE.message(entry_code=code, subject=subject or "(the organisation)"),
        (
            ("entry_code", code),
            ("entry_role", role or None),
            ("entry_boss", boss or None),
            ("entry_client", client or None),
        ),
    )
