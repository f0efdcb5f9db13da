"""Finding codes are stable, unique and documented."""

from __future__ import annotations

from pathlib import Path

from clientchain.model.findings import RULES

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_codes_are_unique_and_numbered_in_order() -> None:
    codes = [rule.code for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)


def test_every_code_has_a_line_in_the_readme_table() -> None:
    for rule in RULES:
        assert f"| {rule.code} | `{rule.name}` | {rule.level.value} |" in README, rule.code
