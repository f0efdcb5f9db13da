"""Every shipped example: loads, analyses, and matches its reviewed golden JSON document.

Golden files are reviewed snapshots (the numbers themselves are checked against the
brute-force oracle in test_oracle.py). After an intended change, regenerate with
`CLIENTCHAIN_UPDATE_GOLDEN=1 pytest tests/test_examples.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run, example_params

ORGS = sorted(EXAMPLES.glob("*/org.yaml"))
UPDATE = os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1"


def test_the_three_examples_are_shipped() -> None:
    assert {p.parent.name for p in ORGS} >= {"dealership", "back-office", "agency"}
    for org in ORGS:
        assert (org.parent / "README.md").is_file()


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_example_matches_its_golden_document(
    run: object, org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)  # paths in the document are as a user types them
    relative = org.relative_to(EXAMPLES.parent)
    result: Run = run("analyze", str(relative), "--format", "json")  # type: ignore[operator]
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    has_errors = any(f["level"] == "error" for f in doc["findings"])
    assert result.exit_code == (1 if has_errors else 0)
    golden = org.parent / "expected.json"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert doc == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_example_table_and_chain_render(run: object, org: Path) -> None:
    table: Run = run("analyze", str(org), "--max-rows", "0")  # type: ignore[operator]
    assert table.exit_code in (0, 1)
    assert table.stderr == ""
    doc = json.loads(run("analyze", str(org), "--format", "json").stdout)  # type: ignore[operator]
    for role in doc["roles"]:
        assert role["id"] in table.stdout
    some_role = doc["roles"][-1]["id"]
    chain: Run = run("chain", str(org), some_role)  # type: ignore[operator]
    assert chain.exit_code == 0
    assert chain.stdout.startswith(some_role)
    valid: Run = run("validate", str(org))  # type: ignore[operator]
    assert valid.exit_code == 0
    assert valid.stdout.startswith(f"{org}: ok: ")


def _independent_spec(org_path: Path) -> object:
    """The example read with plain yaml/csv (not clientchain's loader) as an oracle OrgSpec."""
    import csv
    from fractions import Fraction

    import yaml

    from tests.oracle import OrgSpec, Role

    data = yaml.safe_load(org_path.read_text(encoding="utf-8"))
    flows = data.get("flows", [])
    if isinstance(flows, str):
        path = org_path.parent / flows
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                flows = list(csv.DictReader(handle))
        else:
            flows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return OrgSpec(
        roles=tuple(
            Role(
                str(r["id"]),
                None if r.get("reports_to") is None else str(r["reports_to"]),
                Fraction(str(r.get("headcount", 1))),
                dotted=_id_list(r.get("dotted_to")),
                serves=_id_list(r.get("serves")),
            )
            for r in data["roles"]
        ),
        clients=tuple(str(c["id"]) for c in data.get("clients", [])),
        flows=tuple((str(f["from"]), str(f["to"]), Fraction(str(f["amount"]))) for f in flows),
    )


def _id_list(value: object) -> tuple[str, ...]:
    """`dotted_to` / `serves` as plain YAML gives them: absent, one id, or a list."""
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


@pytest.mark.parametrize("org", example_params(ORGS))
def test_example_golden_figures_agree_with_the_oracle(org: Path) -> None:
    from fractions import Fraction

    from tests import oracle

    doc = json.loads((org.parent / "expected.json").read_text(encoding="utf-8"))
    want = oracle.analyze(_independent_spec(org), Fraction(1, 2))  # type: ignore[arg-type]
    for role in doc["roles"]:
        exp = want.roles[role["id"]]
        for key in ("closeness", "alienation", "traced_share"):
            assert role[key] == pytest.approx(float(getattr(exp, key)), abs=1e-12), key
        assert role["inflow"] == float(exp.inflow)
        expected_distance = None if exp.distance is None else float(exp.distance)
        assert role["distance"] == pytest.approx(expected_distance, abs=1e-9)
        broken = role["chain_broken_at"]
        assert (None if broken is None else (broken["boss"], broken["subordinate"])) == (
            exp.chain_broken_at
        )
    got = [
        (i["boss"], i["subordinate"], i["levels"], i["net"], i["impact_headcount"], i["line"])
        for i in doc["inversions"]
    ]
    assert got == [
        (i.boss, i.subordinate, i.levels, float(i.net), float(i.impact_headcount), i.line)
        for i in want.inversions
    ]


def _optional(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("org", example_params(ORGS))
def test_example_golden_structure_and_clients_agree_with_the_oracles(org: Path) -> None:
    """Spans, layers, relations, served shares and every client's reach (SPEC Additions)."""
    from fractions import Fraction

    import yaml

    from tests import oracle, oracle_clients

    doc = json.loads((org.parent / "expected.json").read_text(encoding="utf-8"))
    spec = _independent_spec(org)
    want = oracle.analyze(spec, Fraction(1, 2))  # type: ignore[arg-type]
    for role in doc["roles"]:
        exp = want.roles[role["id"]]
        assert (role["span"], role["layer"]) == (exp.span, exp.layer), role["id"]
        for key in ("served_share", "served_roles_share"):
            assert role[key] == pytest.approx(_optional(getattr(exp, key)), abs=1e-12), key
        assert {c["id"]: c["relation"] for c in role["clients"]} == exp.relations
    data = yaml.safe_load(org.read_text(encoding="utf-8"))
    places = tuple(
        oracle_clients.Place(r.id, r.parent, _department(data, r.id), r.serves)
        for r in spec.roles  # type: ignore[attr-defined]
    )
    customers = tuple(
        oracle_clients.Customer(str(c["id"]), None if c.get("owner") is None else str(c["owner"]))
        for c in data.get("clients", [])
    )
    reach = oracle_clients.ClientsSpec(places, customers, spec.flows)  # type: ignore[attr-defined]
    expected = [
        {
            "id": c.id,
            "owner": c.owner,
            "money_out": float(c.money_out),
            "touchpoints": len(c.touchpoints),
            "departments": c.departments,
            "lowest_common_boss": c.lowest_common_boss,
            "fragmented": c.fragmented,
        }
        for c in oracle_clients.clients_exact(reach)
    ]
    assert (
        [{k: c[k] for k in expected[0]} for c in doc["clients"]] == expected
        if expected
        else (doc["clients"] == [])
    )
    assert doc["summary"]["client_money_owned"] == pytest.approx(
        _optional(oracle_clients.client_money_owned(reach)), abs=1e-12
    )


def _department(data: dict[str, object], rid: str) -> str | None:
    for r in data["roles"]:  # type: ignore[attr-defined]
        if str(r["id"]) == rid:
            return None if r.get("department") is None else str(r["department"])
    raise KeyError(rid)
