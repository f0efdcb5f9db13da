"""GitHub Actions workflow commands: one annotation per finding, then a summary notice.

Error findings are `::error`, warning findings `::warning`, as GitHub's own checks
annotate; the closing totals are a `::notice`.

    ::error file=org.yaml,line=31,col=1,title=CC101 inverted-relationship::'director' is ...

GitHub shows only the first few annotations of each level on a pull request, so the
closing notice gives the totals that the annotations alone may not.

Every command is one line: user text can neither end it nor start another one
(`%`, CR and LF are %-encoded; every other control, bidi or line-separator character
is an escape, `\\x1b`, see model.visible), and a long id in a message is cut in
the middle.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from clientchain.analyses.analyze import Analysis
from clientchain.model.findings import CHUNK, Finding, Findings, Level
from clientchain.model.policy import ignored_by
from clientchain.model.problems import Problem
from clientchain.model.visible import clip, shorten, visible
from clientchain.render.locations import files_repo_paths, finding_files, repo_path
from clientchain.render.words import count

# Each level as GitHub's own annotation of that level (what users of other checks
# expect to see); whether a level fails the run is --fail-on's to say.
COMMAND = {Level.ERROR: "error", Level.WARNING: "warning"}


def escape_data(text: str) -> str:
    """A command's message: '%', CR and LF would end or corrupt the command; any other
    control character (an escape sequence in the job log), bidi or line-separator
    character is shown as an escape."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    """A command's property value: ':' and ',' separate properties, too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, path: str) -> str:
    properties = ",".join(
        f"{name}={escape_property(value)}"
        for name, value in (
            ("file", path),
            ("line", str(finding.line)),
            ("col", "1"),
            ("title", f"{finding.code} {finding.rule}"),
        )
    )
    message = escape_data(shorten(finding.message))
    return f"::{COMMAND[finding.level]} {properties}::{message}"


def render_problems(problems: Iterable[Problem], root: Path) -> str:
    """Input problems as error annotations, so a broken org chart in a pull request is
    marked where it breaks, not only in the job log."""
    lines = []
    for problem in problems:
        where = problem.position
        properties = [f"file={escape_property(repo_path(where.file, root))}"]
        if where.line > 0:
            properties.append(f"line={where.line}")
        if where.column > 0:
            properties.append(f"col={where.column}")
        properties.append("title=clientchain input error")
        message = escape_data(shorten(problem.message))
        lines.append(f"::error {','.join(properties)}::{message}\n")
    return "".join(lines)


def render_github(analysis: Analysis, root: Path) -> str:
    """Every reported finding as an annotation (paths relative to `root`), and a notice."""
    buffer = io.BytesIO()
    write_github(analysis, root, buffer)
    return buffer.getvalue().decode()


def write_github(analysis: Analysis, root: Path, stream: BinaryIO) -> None:
    """`render_github`'s bytes, a chunk of findings at a time (a million annotations are
    never all held)."""
    paths = files_repo_paths(finding_files(analysis.findings), root)
    # What an annotation says around its line and message is the same for every finding
    # of one level, file and rule: escaped once (a million findings name a few).
    heads: dict[tuple[Level, str, str, str], tuple[str, str]] = {}
    findings = analysis.findings
    for lo in range(0, len(findings), CHUNK):
        lines = []
        for f in findings[lo : lo + CHUNK]:
            key = (f.level, f.file, f.code, f.rule)
            around = heads.get(key)
            if around is None:
                around = heads[key] = _around(f, paths[f.file])
            lines.append(f"{around[0]}{f.line}{around[1]}{escape_data(shorten(f.message))}\n")
        stream.write("".join(lines).encode())
    stream.write(f"::notice title=clientchain::{escape_data(_totals(analysis))}\n".encode())


def _around(finding: Finding, path: str) -> tuple[str, str]:
    """`annotation(finding, path)`'s text before its line number, and after it up to the
    message (a line number is digits: escaping leaves it as it is)."""
    before, _, after = annotation(finding, path).partition(f",line={finding.line},")
    head, _, _ = after.partition("::")
    return f"{before},line=", f",{head}::"


def _totals(analysis: Analysis) -> str:
    findings = analysis.findings
    if isinstance(findings, Findings):  # (counted from the rows: no finding made)
        errors = findings.level_count(Level.ERROR)
    else:
        errors = sum(f.level is Level.ERROR for f in findings)
    warnings = len(findings) - errors
    s = analysis.summary
    org = clip(analysis.org.name or analysis.org.source)
    alienation = "n/a" if s.org_alienation is None else f"{s.org_alienation:.3f}"
    said = [
        f"{org}: {count(errors, 'error')}, {count(warnings, 'warning')}",
        f"org alienation {alienation}",
        f"{count(s.inversions, 'inverted relationship')}",
    ]
    if analysis.ignored:
        by = ignored_by(analysis.policy, analysis.ignored)
        said.append(f"{len(analysis.ignored):,} ignored by {by}")
    if analysis.baselined:
        said.append(f"{len(analysis.baselined):,} known from the baseline")
    return "; ".join(said)
