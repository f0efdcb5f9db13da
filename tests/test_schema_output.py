"""The output schema describes real `analyze --format json` documents, exactly: every
document validates, every key that appears is described, every key and null the schema
names occurs, so the schema never falls behind the code (nor ahead of it).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import given, settings
from typer.testing import CliRunner

import clientchain
from clientchain.cli.app import app
from clientchain.render.analysis.json_doc import render_json
from tests.conftest import EXAMPLES
from tests.orgs import org_specs, render_yaml
from tests.schema_support import (
    OUTPUT,
    OUTPUT_VALIDATOR,
    resolve,
)

EXAMPLE_ORGS = sorted(EXAMPLES.glob("*/org.yaml"))

POLICY_ORG = """\
clients:
  - id: buyers
  - id: idle
roles:
  - id: owner
    title: Owner
    department: management
  - id: director
    reports_to: owner
  - id: accountant
    reports_to: director
  - id: clerk
    reports_to: accountant
  - id: seller
    reports_to: owner
  - id: lonely
    reports_to: owner
flows:
  - {from: buyers, to: seller, amount: 100}
  - {from: seller, to: owner, amount: 60}
  - {from: owner, to: director, amount: 50}
  - {from: director, to: accountant, amount: 30.5}
  - {from: owner, to: clerk, amount: 5}
policy:
  max_org_alienation: 0.1
  max_role_alienation: 0.5
  max_levels_inverted: 1
  ignore:
    - {code: CC101, boss: owner, subordinate: director, reason: interim}
    - {code: CC102, role: nobody, reason: stale}
    - {code: CC103, client: nobody, reason: stale}
"""

# SPEC Additions: dotted lines, serves, owners and structure limits (CC105-CC107,
# CC206-CC208); the walk-ins deal with two trees (no lowest common boss).
MATRIX_ORG = """\
clients:
  - id: buyers
    title: Households
    owner: sales
  - id: walk-ins
roles:
  - id: ceo
  - id: sales
    reports_to: ceo
    department: sales
  - id: seller
    reports_to: sales
    department: sales
  - id: service
    reports_to: ceo
    department: service
  - id: desk
    reports_to: service
    department: service
    serves: [buyers]
  - id: partner
    reports_to: ceo
    dotted_to: sales
    serves: seller
  - id: branch
    department: retail
  - id: clerk
    reports_to: branch
    department: retail
    serves: walk-ins
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: walk-ins, to: seller, amount: 100}
  - {from: seller, to: sales, amount: 600}
  - {from: ceo, to: service, amount: 300}
  - {from: service, to: desk, amount: 100}
  - {from: sales, to: partner, amount: 50}
  - {from: sales, to: clerk, amount: 20}
policy:
  max_layers: 2
  min_span: 2
  max_span: 2
"""

# No name, no currency, nobody employed: the nulls of the document.
EMPTY_ORG = "roles:\n  - id: ghost\n    headcount: 0\n"
# A vacancy with a report (CC104): the one finding the other documents do not have.
VACANCY_ORG = "roles:\n  - id: boss\n    headcount: 0\n  - id: worker\n    reports_to: boss\n"


def _analyze(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["analyze", *args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    assert result.stderr == ""
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Real `analyze --format json` documents: every example and each feature of the output."""
    runner = CliRunner()
    here = tmp_path_factory.mktemp("schema-docs")
    docs = {org.parent.name: _analyze(runner, str(org)) for org in EXAMPLE_ORGS}
    dealership = str(EXAMPLES / "dealership" / "org.yaml")
    docs["top-clients 1"] = _analyze(runner, dealership, "--top-clients", "1")
    docs["top-clients 0"] = _analyze(runner, dealership, "--top-clients", "0")
    policy = here / "policy.yaml"
    policy.write_text(POLICY_ORG, "utf-8")
    docs["policy"] = _analyze(runner, str(policy))
    empty = here / "empty.yaml"
    empty.write_text(EMPTY_ORG, "utf-8")
    docs["empty"] = _analyze(runner, str(empty))
    vacancy = here / "vacancy.yaml"
    vacancy.write_text(VACANCY_ORG, "utf-8")
    docs["vacancy"] = _analyze(runner, str(vacancy))
    matrix = here / "matrix.yaml"
    matrix.write_text(MATRIX_ORG, "utf-8")
    docs["matrix"] = _analyze(runner, str(matrix))
    baseline = here / "baseline.json"
    wrote = runner.invoke(app, ["analyze", str(policy), "--write-baseline", str(baseline)])
    assert wrote.exit_code == 0, wrote.stderr
    docs["baselined"] = _analyze(runner, str(policy), "--baseline", str(baseline))
    changed = here / "changed.yaml"
    changed.write_text(POLICY_ORG.replace("  - {from: owner, to: clerk, amount: 5}\n", ""), "utf-8")
    docs["stale baseline"] = _analyze(runner, str(changed), "--baseline", str(baseline))
    return docs


def test_the_corpus_exercises_what_it_is_meant_to(documents: dict[str, dict[str, Any]]) -> None:
    codes = {f["code"] for doc in documents.values() for f in doc["findings"]}
    assert {
        "CC101",
        "CC102",
        "CC103",
        "CC104",
        "CC105",
        "CC106",
        "CC107",
        "CC201",
        "CC202",
        "CC203",
        "CC204",
        "CC205",
        "CC206",
        "CC207",
        "CC208",
    } <= codes
    assert documents["policy"]["summary"]["findings_ignored"] == 1
    assert documents["baselined"]["summary"]["findings_baselined"] > 0
    # findings about the policy itself are never baselined
    assert {f["code"] for f in documents["baselined"]["findings"]} == {"CC204"}


def test_every_output_document_validates(documents: dict[str, dict[str, Any]]) -> None:
    for name, doc in documents.items():
        assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == [], name


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    resolved = resolve(OUTPUT, schema)
    out = [resolved]
    for key in ("anyOf", "oneOf"):
        out += [resolve(OUTPUT, branch) for branch in resolved.get(key, [])]
    return out


@dataclasses.dataclass
class Seen:
    keys: set[str] = dataclasses.field(default_factory=set)  # key paths that appear
    nulls: set[str] = dataclasses.field(default_factory=set)  # ... that appear as null
    lacking: set[str] = dataclasses.field(default_factory=set)  # ... absent from an object
    undescribed: set[str] = dataclasses.field(default_factory=set)


def _walk(value: Any, schema: dict[str, Any], path: str, seen: Seen) -> None:
    branches = _branches(schema)
    if isinstance(value, dict):
        props = {k: v for b in branches for k, v in b.get("properties", {}).items()}
        seen.lacking |= {f"{path}.{k}" for k in props if k not in value}
        for key, item in value.items():
            where = f"{path}.{key}"
            seen.keys.add(where)
            if item is None:
                seen.nulls.add(where)
            if key not in props:
                seen.undescribed.add(where)
                continue
            _walk(item, props[key], where, seen)
    elif isinstance(value, list):
        items = [b["items"] for b in branches if "items" in b]
        for item in value:
            _walk(item, items[0], path + "[]", seen)


def _schema_paths(schema: dict[str, Any], path: str, out: dict[str, dict[str, Any]]) -> None:
    for branch in _branches(schema):
        for key, prop in branch.get("properties", {}).items():
            where = f"{path}.{key}"
            out[where] = prop
            _schema_paths(prop, where, out)
        if "items" in branch:
            _schema_paths(branch["items"], path + "[]", out)


def _nullable(prop: dict[str, Any]) -> bool:
    return any(b.get("type") == "null" or "null" in (b.get("type") or []) for b in _branches(prop))


def test_the_schema_describes_every_key_the_output_has(
    documents: dict[str, dict[str, Any]],
) -> None:
    """So the schema never falls behind the code: a key added to the output must be added
    to the schema (additional keys are allowed there, so validation alone would not tell)."""
    seen = Seen()
    for doc in documents.values():
        _walk(doc, OUTPUT, "", seen)
    assert seen.undescribed == set()


def test_every_key_of_the_schema_and_every_null_it_allows_occur_in_real_output(
    documents: dict[str, dict[str, Any]],
) -> None:
    """And the other way round: the schema promises nothing the corpus does not show."""
    seen = Seen()
    for doc in documents.values():
        _walk(doc, OUTPUT, "", seen)
    paths: dict[str, dict[str, Any]] = {}
    _schema_paths(OUTPUT, "", paths)
    assert set(paths) - seen.keys == set()
    assert {p for p, prop in paths.items() if _nullable(prop)} == seen.nulls
    optional = {".findings[].client", ".findings[].boss"}
    assert optional <= seen.lacking
    # A finding's data has the keys of its code (the schema's ccNNNData, tied to the code
    # by if/then): keys of other codes are absent.
    by_code = {p for p in paths if p.startswith(".findings[].data.")}
    assert seen.lacking - optional - by_code == set()  # every other key is always there


def test_required_keys_are_every_key_but_the_optional_finding_ones() -> None:
    paths: dict[str, dict[str, Any]] = {"": OUTPUT}
    _schema_paths(OUTPUT, "", paths)
    for where, prop in paths.items():
        for branch in _branches(prop):
            if "properties" in branch:
                optional = {"client", "boss"} if where == ".findings[]" else set()
                assert set(branch["required"]) == set(branch["properties"]) - optional, where


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(org_specs())
def test_the_output_of_random_orgs_validates(spec: Any) -> None:
    org = clientchain.loads(render_yaml(spec), source="org.yaml")
    for top in (0, 1):
        analysis = clientchain.analyze(org, decay=0.5, top_clients=top)
        doc = json.loads(render_json(analysis))
        assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == []
        assert OUTPUT_VALIDATOR.is_valid(clientchain.json_document(analysis))
