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

from tests.conftest import EXAMPLES, Run

ORGS = sorted(EXAMPLES.glob("*/org.yaml"))
UPDATE = os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1"


def test_the_three_examples_are_shipped() -> None:
    assert {p.parent.name for p in ORGS} >= {"dealership", "back-office", "agency"}
    for org in ORGS:
        assert (org.parent / "README.md").is_file()


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_example_matches_its_golden_document(run: object, org: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
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
    table: Run = run("analyze", str(org))  # type: ignore[operator]
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
