"""CC107 names the first touchpoints outside the owner's reach and counts the rest: only
the ids it shows are read (a large client has thousands outside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientchain import analyze, load
from clientchain.analyses.rules.wording import NAMES_SHOWN


def org_with_touchpoints_outside(tmp_path: Path, outside: int) -> Path:
    """A client owned by `acct`, paying `acct` and `outside` roles under another boss."""
    roles = ["  - id: ceo", "  - id: acct\n    reports_to: ceo", "  - id: ops\n    reports_to: ceo"]
    roles += [f"  - id: w{k:02d}\n    reports_to: ops" for k in range(outside)]
    (tmp_path / "org.yaml").write_text(
        "flows: flows.csv\nclients:\n  - id: big\n    owner: acct\nroles:\n"
        + "\n".join(roles)
        + "\n",
        encoding="utf-8",
    )
    rows = ["big,acct,100"] + [f"big,w{k:02d},{10 + k}" for k in range(outside)]
    (tmp_path / "flows.csv").write_text(
        "from,to,amount\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return tmp_path / "org.yaml"


@pytest.mark.parametrize("outside", [1, NAMES_SHOWN, NAMES_SHOWN + 1, 37])
def test_the_first_touchpoints_outside_are_named_and_the_rest_counted(
    tmp_path: Path, outside: int
) -> None:
    analysis = analyze(load(org_with_touchpoints_outside(tmp_path, outside)))
    [finding] = [f for f in analysis.findings if f.code == "CC107"]
    names = [f"w{k:02d}" for k in range(outside)]  # file order
    shown = ", ".join(f"'{n}'" for n in names[:NAMES_SHOWN])
    listed = shown if outside <= NAMES_SHOWN else f"{shown} and {outside - NAMES_SHOWN} more"
    assert listed in finding.message
    assert f"'w{NAMES_SHOWN:02d}'" not in finding.message  # (the eleventh is counted only)
    assert dict(finding.data)["outside_count"] == outside
