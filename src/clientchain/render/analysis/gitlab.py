"""GitLab Code Quality: a JSON array of issues, shown on the merge request.

Fingerprints come from the finding's key (code and the ids involved) and the file,
never the line: GitLab compares them between the merge request and its target, so
a finding keeps its identity when the org chart around it is edited.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any, BinaryIO

from clientchain.analyses.analyze import Analysis
from clientchain.model.findings import CHUNK, Finding, Level
from clientchain.render.analysis.json_stream import list_end, write_list_items
from clientchain.render.locations import files_repo_paths, finding_files

# Code Quality severities: info, minor, major, critical, blocker.
SEVERITY = {Level.ERROR: "major", Level.WARNING: "minor"}


def fingerprint(finding: Finding, path: str) -> str:
    """Stable across runs and line moves; distinct for the same role in two org charts."""
    return hashlib.sha256(f"{path}\x1f{finding.fingerprint}".encode()).hexdigest()


def render_gitlab(analysis: Analysis, root: Path) -> str:
    """The Code Quality report of the reported findings, paths relative to `root`."""
    buffer = io.BytesIO()
    write_gitlab(analysis, root, buffer)
    return buffer.getvalue().decode()


def write_gitlab(analysis: Analysis, root: Path, stream: BinaryIO) -> None:
    """`render_gitlab`'s bytes, a chunk of issues at a time (a million findings' issues
    are never all held): orjson's indented dump of the list, written in pieces."""
    paths = files_repo_paths(finding_files(analysis.findings), root)
    findings = analysis.findings
    chunks = (
        [_issue(f, paths[f.file]) for f in findings[lo : lo + CHUNK]]
        for lo in range(0, len(findings), CHUNK)
    )
    stream.write(b"[")
    written = write_list_items(stream, chunks, 1)
    stream.write(list_end(1, written) + b"\n")


def _issue(f: Finding, path: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "check_name": f.code,
        "description": f"{f.code} {f.rule}: {f.message}",
        "severity": SEVERITY[f.level],
        "fingerprint": fingerprint(f, path),
        "location": {"path": path, "lines": {"begin": f.line}},
    }
