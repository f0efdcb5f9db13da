"""GitLab Code Quality: a JSON array of issues, shown on the merge request.

Fingerprints come from the finding's key (code and the ids involved) and the file,
never the line: GitLab compares them between the merge request and its target, so
a finding keeps its identity when the org chart around it is edited.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson

from clientchain.analyses.analyze import Analysis
from clientchain.model.findings import Finding, Level
from clientchain.render.locations import repo_paths

# Code Quality severities: info, minor, major, critical, blocker.
SEVERITY = {Level.ERROR: "major", Level.WARNING: "minor"}


def fingerprint(finding: Finding, path: str) -> str:
    """Stable across runs and line moves; distinct for the same role in two org charts."""
    return hashlib.sha256(f"{path}\x1f{finding.fingerprint}".encode()).hexdigest()


def render_gitlab(analysis: Analysis, root: Path) -> str:
    """The Code Quality report of the reported findings, paths relative to `root`."""
    paths = repo_paths(analysis.findings, root)
    issues: list[dict[str, Any]] = []
    for f in analysis.findings:
        path = paths[f.file]
        issues.append(
            {
                "type": "issue",
                "check_name": f.code,
                "description": f"{f.code} {f.rule}: {f.message}",
                "severity": SEVERITY[f.level],
                "fingerprint": fingerprint(f, path),
                "location": {"path": path, "lines": {"begin": f.line}},
            }
        )
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2).decode() + "\n"
