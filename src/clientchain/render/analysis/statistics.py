"""`analyze --statistics`: how many findings each rule made (ruff --statistics)."""

from __future__ import annotations

from collections import Counter

from clientchain.analyses.analyze import Analysis
from clientchain.model.findings import RULE_BY_CODE


def render_statistics(analysis: Analysis) -> str:
    """One line per rule that found something, most findings first (rules in their
    canonical order among equals): the count, the code, the rule's name and its level.
    Empty when nothing was found."""
    counted = Counter(f.code for f in analysis.findings)
    if not counted:
        return ""
    order = {code: i for i, code in enumerate(RULE_BY_CODE)}
    rows = sorted(counted.items(), key=lambda item: (-item[1], order[item[0]]))
    width = max(len(f"{n:,}") for _, n in rows)
    name_width = max(len(RULE_BY_CODE[code].name) for code, _ in rows)
    return "".join(
        f"{n:>{width},}  {code}  {RULE_BY_CODE[code].name:<{name_width}}"
        f"  {RULE_BY_CODE[code].level.value}\n"
        for code, n in rows
    )
