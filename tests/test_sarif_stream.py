"""The SARIF log streamed a chunk of results at a time is the log dumped whole: orjson's
indented dump of the same document, byte for byte, however the results fall into
chunks (reported, ignored and baselined findings, empty lists among them)."""

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
from clientchain.model.policy import Ignore, Limit, Policy
from clientchain.render.analysis import sarif
from tests.oracle import OrgSpec
from tests.orgs import org_specs, render_yaml
from tests.test_matrix_figures import matrix_org_specs


def _whole(analysis: Analysis, root: Path) -> bytes:
    """The log as one document: every result in one list, dumped at once."""
    uris = {f: quote(p, safe="/") for f, p in sarif._repo_paths(analysis, root).items()}
    log = sarif._log(analysis)
    log["runs"][0]["results"] = [r for chunk in sarif._result_chunks(analysis, uris) for r in chunk]
    return orjson.dumps(log, option=orjson.OPT_INDENT_2) + b"\n"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    org=org_specs(max_roles=10) | matrix_org_specs(max_roles=8),
    chunk=st.sampled_from([1, 2, 3, 8192]),
    ignore_first=st.booleans(),
    baseline_some=st.booleans(),
)
def test_a_streamed_log_is_the_log_dumped_whole(
    org: OrgSpec, chunk: int, ignore_first: bool, baseline_some: bool
) -> None:
    analysis = analyze(loads(render_yaml(org), source="org.yaml"))
    first = next(iter(analysis.findings), None)
    ignore: tuple[Ignore, ...] = ()
    if ignore_first and first is not None:
        subject = {"client": first.client} if first.client else {"role": first.role or None}
        ignore = (Ignore(first.code, "accepted", 3, **subject),)
    analysis = analyze(
        analysis.org, policy=Policy(max_levels_inverted=Limit(1.0, 1), ignore=ignore)
    )
    if baseline_some:
        entries = [
            Entry(f.code, f.role, f.boss or "", f.client or "", 5 + i)
            for i, f in enumerate(analysis.findings)
            if i % 2 == 0
        ]
        analysis = with_baseline(analysis, Baseline("b.json", tuple(entries)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sarif, "CHUNK", chunk)
        out = io.BytesIO()
        sarif.write_sarif(analysis, Path.cwd(), out)
        assert out.getvalue() == _whole(analysis, Path.cwd())
    assert sarif.render_sarif(analysis, Path.cwd()).encode() == out.getvalue()
