"""Where a finding is, as CI tools name places: paths relative to the repository root."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from clientchain.model.findings import Finding, Findings


def repo_path(file: str, root: Path) -> str:
    """`file` (as the user gave it) relative to `root`, with forward slashes.

    CI annotations, SARIF and Code Quality reports attach findings to files by their
    path from the checkout's root; a file outside `root` keeps its absolute path.
    """
    absolute = _absolute(Path(file))
    try:
        relative = absolute.relative_to(_absolute(root))
    except ValueError:
        return absolute.as_posix()
    return PurePosixPath(*relative.parts).as_posix()


def repo_paths(findings: Iterable[Finding], root: Path) -> dict[str, str]:
    """`repo_path` of each file the findings name, worked out once per file (a million
    findings name one or two files)."""
    return files_repo_paths({f.file for f in findings}, root)


def finding_files(findings: Sequence[Finding]) -> set[str]:
    """The files the findings name: read from the rows where they are rows (a million
    findings, none made for it)."""
    if isinstance(findings, Findings):
        return {part.file for part in findings.parts if len(part)}
    return {f.file for f in findings}


def files_repo_paths(files: Iterable[str], root: Path) -> dict[str, str]:
    """`repo_path` of each of these files."""
    return {file: repo_path(file, root) for file in set(files)}


def _absolute(path: Path) -> Path:
    """Absolute and without '..', but symlinks kept: the names the user sees."""
    return Path(os.path.normpath(path.absolute()))
