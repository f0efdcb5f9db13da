"""What `diff` reads of a side, from the analysis' columns, is what the objects it lists
say: the findings' keys (and levels) are those of the findings themselves, in the same
order, with policies that split, add and excuse findings; each client's ownership is
what `Analysis.clients` says of it. On every bench shape and example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from clientchain.analyses.analyze import Analysis, analyze
from clientchain.diff.clients import Ownership, ownership
from clientchain.diff.sides import _keys, side_columns
from clientchain.loading.loader import load
from clientchain.model.findings import Findings, Level
from tests.conftest import bench_generator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.glob("examples/*/org.yaml"))
SHAPES = ("business", "hub", "chargeback", "budget", "longids", "matrix")


def _made(analysis: Analysis) -> tuple[list[tuple[str, ...]], list[bool]]:
    """The oracle: every finding made, its own key and level."""
    made = list(analysis.findings)
    return [f.key for f in made], [f.level is Level.ERROR for f in made]


def _same_keys(analysis: Analysis) -> int:
    """Assert the keys agree; how many findings came from subject columns."""
    keys, errors = _keys(analysis.findings, analysis.org)
    expected_keys, expected_errors = _made(analysis)
    assert keys == expected_keys
    assert errors.tolist() == expected_errors
    assert side_columns(analysis).finding_keys == expected_keys
    findings = analysis.findings
    if not isinstance(findings, Findings):
        return 0
    return sum(len(p) for p in findings.parts if p.columns is not None)


def _with_policy(org_yaml: Path, analysis: Analysis) -> Path:
    """The same org chart with a policy: shallow inversions tolerated (CC101 split in
    two), limits that add findings of their own, and the first inversion excused."""
    policy = [
        "policy:",
        "  max_levels_inverted: 1",
        "  max_org_alienation: 0.01",
        "  max_role_alienation: 0.5",
        "  max_layers: 2",
        "  min_span: 2",
        "  max_span: 3",
    ]
    inversions = analysis.inversions
    if inversions:
        first = inversions[0]
        policy += [
            "  ignore:",
            f"    - {{code: CC101, boss: '{first.boss}', subordinate: '{first.subordinate}',"
            " reason: interim}",
            "    - {code: CC102, role: nobody-at-all, reason: stale}",
        ]
    text = org_yaml.read_text(encoding="utf-8")
    if "\npolicy:" in text:
        return org_yaml  # the example has its own policy
    copy = org_yaml.with_name("with-policy.yaml")
    copy.write_text(text + "\n" + "\n".join(policy) + "\n", encoding="utf-8")
    return copy


@pytest.mark.parametrize("shape", SHAPES)
def test_keys_from_columns_are_the_findings_keys(tmp_path: Path, shape: str) -> None:
    bench_generator().write(shape, 1500, tmp_path)
    analysis = analyze(load(tmp_path / "org.yaml"))
    assert _same_keys(analysis) > 0  # (the columns were read, not the findings)
    with_policy = _with_policy(tmp_path / "org.yaml", analysis)
    assert with_policy != tmp_path / "org.yaml"
    gated = analyze(load(with_policy))
    assert len(gated.ignored) > 0 or not analysis.inversions
    _same_keys(gated)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_keys_of_the_examples_are_the_findings_keys(example: Path) -> None:
    _same_keys(analyze(load(example)))


def test_findings_made_one_by_one_keep_their_own_keys() -> None:
    """A tuple of findings (a caller's, or a policy applied one at a time) is read as is."""
    analysis = analyze(load(EXAMPLES[0]))
    made = tuple(analysis.findings)
    keys, errors = _keys(made, analysis.org)
    assert keys == [f.key for f in made]
    assert errors.tolist() == [f.level is Level.ERROR for f in made]
    assert np.asarray(errors).dtype == bool


def _listed_ownership(analysis: Analysis) -> dict[str, Ownership]:
    """The oracle: each client as `Analysis.clients` lists it."""
    return {
        c.id: Ownership(c.owner, c.lowest_common_boss, c.fragmented, c.touchpoints)
        for c in analysis.clients
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_ownership_from_columns_is_what_the_clients_say(tmp_path: Path, shape: str) -> None:
    bench_generator().write(shape, 1500, tmp_path)
    analysis = analyze(load(tmp_path / "org.yaml"))
    found = ownership(analysis)
    assert found == _listed_ownership(analysis)
    assert all(type(o.fragmented) is bool and type(o.touchpoints) is int for o in found.values())
    if shape == "matrix":  # owners named, holders found
        assert any(o.owner is not None for o in found.values())
    assert any(o.lowest_common_boss is not None for o in found.values())


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.parent.name)
def test_ownership_of_the_examples_is_what_the_clients_say(example: Path) -> None:
    analysis = analyze(load(example))
    assert ownership(analysis) == _listed_ownership(analysis)
