"""Finding codes are stable, unique and documented; a finding's data rides along without
changing what a finding is (equality, hashing, order, key)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from clientchain.analyses.rules import findings_table
from clientchain.model.findings import (
    INVERTED_RELATIONSHIP,
    NO_PAYING_CLIENT,
    RULES,
    Finding,
    Level,
    finding_order,
)

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_codes_are_unique_and_numbered_in_order() -> None:
    codes = [rule.code for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)


def test_every_code_has_a_line_in_the_readme_table() -> None:
    for rule in RULES:
        row = (
            f'| <a id="{rule.code.lower()}"></a>{rule.code} | `{rule.name}` | {rule.level.value} |'
        )
        assert row in README, rule.code


def test_the_readme_table_is_the_registrys_table() -> None:
    """Regenerate it with `python -m clientchain.analyses.rules` after adding a rule."""
    assert "\n\n" + findings_table() + "\n" in README


@pytest.mark.slow
def test_the_table_script_prints_the_table_and_a_rules_documentation() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "clientchain.analyses.rules", *args]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    assert (run().returncode, run().stdout) == (0, findings_table())
    doc = run("cc101")
    assert doc.returncode == 0
    assert doc.stdout.startswith("CC101 `inverted-relationship` (error): ")
    assert run("CC999").returncode == 2


def test_every_template_names_its_fields() -> None:
    for rule in RULES:
        assert rule.fields, rule.code
        assert rule.message(**dict.fromkeys(rule.fields, "X")).count("X") >= len(rule.fields)


def _finding(**data: object) -> Finding:
    return Finding.of_pair(
        INVERTED_RELATIONSHIP,
        "director",
        "accountant",
        "org.yaml",
        31,
        "'director' is a net payer of its subordinate 'accountant' (...)",
        tuple(data.items()),  # type: ignore[arg-type]
    )


def test_data_is_not_compared_hashed_or_ordered() -> None:
    """The data is what the message says: findings are equal, hash and sort as before."""
    a, b = _finding(boss="director", net=50000), _finding(boss="director", net=50000.5)
    assert a == b
    assert hash(a) == hash(b)
    assert not a < b and not b < a
    assert a.key == b.key and a.fingerprint == b.fingerprint
    assert finding_order(a) == finding_order(b)
    assert a != dataclasses.replace(a, line=32)


def test_a_finding_with_data_stays_a_frozen_value() -> None:
    f = _finding(boss="director", currency=None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.data = ()  # type: ignore[misc]
    assert not hasattr(f, "__dict__")  # slots
    assert {f: 1}[f] == 1
    lowered = dataclasses.replace(f, level=Level.WARNING)
    assert lowered.data == f.data == (("boss", "director"), ("currency", None))


def test_a_finding_made_without_data_has_none() -> None:
    f = Finding.of(NO_PAYING_CLIENT, "marketing", "org.yaml", 9, "'marketing' receives no money")
    assert f.data == ()


def test_every_rules_help_link_lands_on_its_row_of_the_readme() -> None:
    from clientchain.render.analysis.sarif import RULES_DOCUMENT, rule_url

    assert RULES_DOCUMENT.endswith("/README.md")
    for rule in RULES:
        _, anchor = rule_url(rule.code).split("#")
        assert f'<a id="{anchor}"></a>{rule.code} |' in README, rule.code
