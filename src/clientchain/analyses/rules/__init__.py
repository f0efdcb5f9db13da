"""The rules, one module per rule: its docstring is the rule's documentation (what it
means, why it matters, what to do, the data its findings carry, a passing and a failing
example org chart), and its functions make the rule's findings.

The `Rule` values themselves (code, name, level, summary, help, message template) stay
in `clientchain.model.findings`: the policy reader and `Finding.key` need them, and the
model may not import the analyses. `RULE_MODULES` lists every rule's module in the
model's `RULES` order (a test holds the two together); `ORG_FINDERS` are the finders of
the organisation's own rules (CC1xx), which `analyze` runs in this order. The policy's
rules (CC2xx) work on findings already made: `policy_findings` and `ci.baseline` call
them.

`python -m clientchain.analyses.rules` prints the README's findings table;
`python -m clientchain.analyses.rules CC101` prints a rule's documentation.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Protocol

from clientchain.analyses.rules import (
    cc101_inverted_relationship,
    cc102_no_paying_client,
    cc103_client_pays_nobody,
    cc104_vacancy_with_reports,
    cc105_paid_by_others,
    cc106_fragmented_client,
    cc107_owner_out_of_reach,
    cc201_org_alienation_above_limit,
    cc202_role_alienation_above_limit,
    cc203_inversion_too_deep,
    cc204_unused_ignore,
    cc205_stale_baseline_entry,
    cc206_too_many_layers,
    cc207_span_below_limit,
    cc208_span_above_limit,
)
from clientchain.analyses.rules.facts import OrgFacts
from clientchain.model.findings import FindingRows, Rule


class RuleModule(Protocol):
    """What every rule module has: its rule (and its docstring, the documentation)."""

    RULE: Rule


RULE_MODULES: tuple[RuleModule, ...] = (
    cc101_inverted_relationship,
    cc102_no_paying_client,
    cc103_client_pays_nobody,
    cc104_vacancy_with_reports,
    cc105_paid_by_others,
    cc106_fragmented_client,
    cc107_owner_out_of_reach,
    cc201_org_alienation_above_limit,
    cc202_role_alienation_above_limit,
    cc203_inversion_too_deep,
    cc204_unused_ignore,
    cc205_stale_baseline_entry,
    cc206_too_many_layers,
    cc207_span_below_limit,
    cc208_span_above_limit,
)

ORG_FINDERS: tuple[Callable[[OrgFacts], FindingRows], ...] = (
    cc101_inverted_relationship.find,
    cc102_no_paying_client.find,
    cc103_client_pays_nobody.find,
    cc104_vacancy_with_reports.find,
    cc105_paid_by_others.find,
    cc106_fragmented_client.find,
    cc107_owner_out_of_reach.find,
)


def documentation(module: RuleModule) -> str:
    """The rule's documentation: its module's docstring, dedented."""
    return inspect.cleandoc(module.__doc__ or "")


def find_rule(word: str) -> RuleModule | None:
    """The rule named by its code or its name, in any case (`cc101`,
    `Inverted-Relationship`); None when no rule has that code or name."""
    wanted = word.strip().lower()
    for module in RULE_MODULES:
        if wanted in (module.RULE.code.lower(), module.RULE.name.lower()):
            return module
    return None


def findings_table() -> str:
    """The README's findings table (Markdown), one row per rule in registry order, each
    anchored by its code in lower case (`#cc101`: where SARIF's helpUri points)."""
    rows = ["| code | rule | level | meaning |", "|---|---|---|---|"]
    for module in RULE_MODULES:
        rule = module.RULE
        anchor = f'<a id="{rule.code.lower()}"></a>'
        rows.append(
            f"| {anchor}{rule.code} | `{rule.name}` | {rule.level.value} | {rule.summary} |"
        )
    return "\n".join(rows) + "\n"


__all__ = [
    "ORG_FINDERS",
    "RULE_MODULES",
    "OrgFacts",
    "RuleModule",
    "documentation",
    "find_rule",
    "findings_table",
]
