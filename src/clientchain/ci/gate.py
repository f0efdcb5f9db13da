"""The CI gate: whether a run's findings fail it (exit 1) at the chosen level."""

from __future__ import annotations

from collections.abc import Iterable

from clientchain.model.findings import Finding, Findings, Level
from clientchain.model.policy import FailOn


def fails(findings: Iterable[Finding], fail_on: FailOn) -> bool:
    """Whether these findings fail a run (exit 1) at this threshold."""
    if fail_on is FailOn.NEVER:
        return False
    levels = {Level.ERROR} if fail_on is FailOn.ERROR else {Level.ERROR, Level.WARNING}
    if isinstance(findings, Findings):  # columns: counted per rule, no finding made
        return any(findings.level_count(level) for level in levels)
    return any(f.level in levels for f in findings)
