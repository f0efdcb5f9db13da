"""The one closing line of an analysis, like ruff's "Found 3 errors.": what was found,
in how many roles, and the exit status it gives."""

from __future__ import annotations

from clientchain.analyses.analyze import Analysis
from clientchain.ci.gate import fails
from clientchain.model.findings import Level
from clientchain.model.policy import FailOn
from clientchain.render.words import count


def verdict(analysis: Analysis, fail_on: FailOn = FailOn.ERROR, *, exit_zero: bool = False) -> str:
    """'1 error, 1 warning in 9 roles: exit 1 (fails at error)'.

    `exit_zero` (`--exit-zero`): the findings are said, the exit is 0."""
    errors = sum(f.level is Level.ERROR for f in analysis.findings)
    warnings = len(analysis.findings) - errors
    roles = count(analysis.org.role_count, "role")
    found = (
        f"{count(errors, 'error')}, {count(warnings, 'warning')}"
        if errors or warnings
        else "No findings"
    )
    failing = fails(analysis.findings, fail_on)
    if fail_on is FailOn.NEVER:
        gate = "never fails (--fail-on never)"
    else:
        gate = f"fails at {fail_on.value}"
    if failing and exit_zero:
        status = f"exit 0 (--exit-zero; {gate})"
    else:
        status = f"exit {1 if failing else 0} ({gate})"
    return f"{found} in {roles}: {status}"
