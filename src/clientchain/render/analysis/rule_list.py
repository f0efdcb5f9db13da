"""`clientchain explain` without a code: every rule on a line of its own."""

from __future__ import annotations

from collections.abc import Sequence

from clientchain.model.findings import Rule


def render_rule_list(rules: Sequence[Rule]) -> str:
    """'CC101  inverted-relationship  error    A boss pays …': code, name and level in
    aligned columns, then the rule's summary."""
    name_width = max((len(rule.name) for rule in rules), default=0)
    return "".join(
        f"{rule.code}  {rule.name:<{name_width}}  {rule.level.value:<7}  {rule.summary}\n"
        for rule in rules
    )
