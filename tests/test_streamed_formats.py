"""The CI formats streamed a chunk of findings at a time are the documents made whole:
the SARIF log orjson's indented dump of the same log, the GitLab report the dump of
every issue, the GitHub annotations one line per finding and the notice, byte for
byte, however the findings fall into chunks (reported, ignored and baselined ones,
empty lists among them)."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientchain import analyze, loads
from clientchain.analyses.analyze import Analysis
from clientchain.ci.baseline import Baseline, with_baseline
from clientchain.ci.baseline_entries import Entry
from clientchain.model.findings import Level
from clientchain.model.policy import Ignore, Limit, Policy
from clientchain.render.analysis import github, gitlab, sarif
from clientchain.render.locations import repo_paths
from tests.orgs import org_specs, render_yaml
from tests.test_matrix_figures import matrix_org_specs


def _sarif_whole(analysis: Analysis, root: Path) -> bytes:
    """The log as one document: every result in one list, dumped at once."""
    uris = {f: quote(p, safe="/") for f, p in sarif._repo_paths(analysis, root).items()}
    log = sarif._log(analysis)
    log["runs"][0]["results"] = [r for chunk in sarif._result_chunks(analysis, uris) for r in chunk]
    return orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n"


@st.composite
def analyses(draw: st.DrawFn) -> Analysis:
    """An analysis under a policy (CC101 split, maybe its first finding ignored), maybe
    with a baseline that knows every other finding."""
    org = draw(org_specs(max_roles=10) | matrix_org_specs(max_roles=8))
    analysis = analyze(loads(render_yaml(org), source="org.yaml"))
    first = next(iter(analysis.findings), None)
    ignore: tuple[Ignore, ...] = ()
    if draw(st.booleans()) and first is not None:
        subject = {"client": first.client} if first.client else {"role": first.role or None}
        ignore = (Ignore(first.code, "accepted", 3, **subject),)
    policy = Policy(max_levels_inverted=Limit(1.0, 1), ignore=ignore)
    analysis = analyze(analysis.org, policy=policy)
    if draw(st.booleans()):
        entries = [
            Entry(f.code, f.role, f.boss or "", f.client or "", 5 + i)
            for i, f in enumerate(analysis.findings)
            if i % 2 == 0
        ]
        analysis = with_baseline(analysis, Baseline("b.json", tuple(entries)))
    return analysis


def _github_whole(analysis: Analysis, root: Path) -> bytes:
    paths = repo_paths(analysis.findings, root)
    lines = [github.annotation(f, paths[f.file]) + "\n" for f in analysis.findings]
    notice = f"::notice title=clientchain::{github.escape_data(github._totals(analysis))}\n"
    return "".join([*lines, notice]).encode()


def _gitlab_whole(analysis: Analysis, root: Path) -> bytes:
    paths = repo_paths(analysis.findings, root)
    issues = [gitlab._issue(f, paths[f.file]) for f in analysis.findings]
    return orjson.dumps(issues, option=orjson.OPT_INDENT_2) + b"\n"


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(analysis=analyses(), chunk=st.sampled_from([1, 2, 3, 8192]))
def test_streamed_formats_are_the_documents_made_whole(analysis: Analysis, chunk: int) -> None:
    root = Path.cwd()
    whole = {
        sarif.write_sarif: _sarif_whole(analysis, root),
        github.write_github: _github_whole(analysis, root),
        gitlab.write_gitlab: _gitlab_whole(analysis, root),
    }
    with pytest.MonkeyPatch.context() as patch:
        for module in (sarif, github, gitlab):
            patch.setattr(module, "CHUNK", chunk)
        for write, expected in whole.items():
            out = io.BytesIO()
            write(analysis, root, out)
            assert out.getvalue() == expected, write.__name__
    errors = sum(f.level is Level.ERROR for f in analysis.findings)  # the notice's count
    assert f"{errors} error" in github.render_github(analysis, root).splitlines()[-1]
