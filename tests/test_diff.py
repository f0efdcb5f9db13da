"""`clientchain diff`: what a reorganisation changes, as a reviewer and a CI job see it.

The golden files are reviewed snapshots of the three formats (regenerate with
`CLIENTCHAIN_UPDATE_GOLDEN=1 pytest tests/test_diff.py` and read the diff); the figures in
them are checked separately against `analyze` run on each side on its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.diff_orgs import (
    MOVE_ACCOUNTANT,
    SWAP_MARKETING_FOR_TRAINER,
    copy_dealership,
    reorganised,
    shuffle_roles,
    the_pull_request,
)

Runner = Callable[..., Run]
GOLDEN = Path(__file__).resolve().parent / "golden" / "diff"
UPDATE = os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1"
SUFFIX = {"table": "txt", "json": "json", "markdown": "md"}


@pytest.fixture
def sides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The shipped dealership (before) and the reorganised copy (after), as relative
    paths from the current directory, so that the output names them the same every run."""
    copy_dealership(tmp_path / "before")
    the_pull_request(tmp_path / "after")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "140")
    return "before/org.yaml", "after/org.yaml"


def _doc(result: Run) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.mark.parametrize("output", ["table", "json", "markdown"])
def test_each_format_matches_its_golden_file(
    run: Runner, sides: tuple[str, str], output: str
) -> None:
    result = run("diff", *sides, "--format", output)
    assert result.exit_code == 1  # the trainer's budget is a new inversion: an error
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    golden = GOLDEN / f"dealership.{SUFFIX[output]}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_markdown_headline_is_the_line_a_reviewer_reads_first(
    run: Runner, sides: tuple[str, str]
) -> None:
    doc = _doc(run("diff", *sides, "--format", "json"))
    lines = run("diff", *sides, "--format", "markdown").stdout.splitlines()
    before, after = doc["org_alienation"]["before"], doc["org_alienation"]["after"]
    shown = round(round(after, 3) - round(before, 3), 3)
    assert lines[0].startswith("### ❌ clientchain diff: Northside Motors: adds 1 error")
    assert lines[2] == f"org alienation {before:.3f} -> {after:.3f} ({shown:+.3f})"


def _analyze(run: Runner, org: str) -> dict[str, Any]:
    result = run("analyze", org, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return _doc(result)


def _finding_key(f: dict[str, Any]) -> tuple[str, ...]:
    return (f["code"], f["role"] or "", f.get("boss") or "", f.get("client") or "")


def test_figures_agree_with_analyze_run_on_each_side(run: Runner, sides: tuple[str, str]) -> None:
    old, new = (_analyze(run, side) for side in sides)
    doc = _doc(run("diff", *sides, "--format", "json", "--top", "0"))

    a, b = old["summary"]["org_alienation"], new["summary"]["org_alienation"]
    assert doc["org_alienation"]["before"] == a
    assert doc["org_alienation"]["after"] == b
    assert doc["org_alienation"]["change"] == pytest.approx(b - a, abs=1e-12)
    for key in ("roles", "headcount", "flows", "money_in", "inversions", "unfunded_roles"):
        figures = doc["summary"][key]
        assert (figures["before"], figures["after"]) == (old["summary"][key], new["summary"][key])

    pairs = {
        side: {(i["boss"], i["subordinate"]): i for i in d["inversions"]}
        for side, d in (("old", old), ("new", new))
    }
    added = [pairs["new"][k] for k in pairs["new"].keys() - pairs["old"].keys()]
    removed = [pairs["old"][k] for k in pairs["old"].keys() - pairs["new"].keys()]
    assert (
        doc["inversions"]["added"]
        == added
        == [
            {
                "boss": "service-manager",
                "subordinate": "trainer",
                "levels": 1,
                "net": 50000,
                "boss_to_subordinate": 50000,
                "subordinate_to_boss": 0,
                "impact_headcount": 1,
                "line": "solid",
            }
        ]
    )
    assert doc["inversions"]["removed"] == removed
    assert [(i["boss"], i["subordinate"]) for i in removed] == [("director", "accountant")]

    found = {
        side: {_finding_key(f): f for f in d["findings"]}
        for side, d in (("old", old), ("new", new))
    }
    for part, here, there in (("added", "new", "old"), ("resolved", "old", "new")):
        expected = sorted(k for k in found[here] if k not in found[there])
        listed = [_finding_key(f) for f in doc["findings"][part]]
        assert listed == expected
        for f in doc["findings"][part]:  # each at its own side's place
            place = found[here][_finding_key(f)]
            assert (f["file"], f["line"], f["message"]) == (
                place["file"],
                place["line"],
                place["message"],
            )
    assert [k[0] for k in map(_finding_key, doc["findings"]["resolved"])] == ["CC101", "CC102"]

    roles = {side: {r["id"]: r for r in d["roles"]} for side, d in (("old", old), ("new", new))}
    assert [r["id"] for r in doc["roles"]["added"]] == sorted(
        roles["new"].keys() - roles["old"].keys()
    )
    assert [r["id"] for r in doc["roles"]["removed"]] == sorted(
        roles["old"].keys() - roles["new"].keys()
    )
    for entry in doc["roles"]["added"]:
        assert entry["alienation"] == roles["new"][entry["id"]]["alienation"]
    both = sorted(roles["old"].keys() & roles["new"].keys())
    moved = [
        {"id": i, "before": roles["old"][i]["reports_to"], "after": roles["new"][i]["reports_to"]}
        for i in both
        if roles["old"][i]["reports_to"] != roles["new"][i]["reports_to"]
    ]
    assert (
        doc["roles"]["moved"]
        == moved
        == [{"id": "accountant", "before": "director", "after": "owner"}]
    )
    changes = [
        (i, roles["new"][i]["alienation"] - roles["old"][i]["alienation"])
        for i in both
        if roles["new"][i]["alienation"] != roles["old"][i]["alienation"]
    ]
    changes.sort(key=lambda c: (-abs(c[1]), c[0]))
    listed = doc["roles"]["alienation_changed"]
    assert [c["id"] for c in listed] == [i for i, _ in changes]
    assert [c["change"] for c in listed] == pytest.approx([d for _, d in changes], abs=1e-12)
    assert doc["roles"]["alienation_changed_total"] == len(changes) > 3
    top = _doc(run("diff", *sides, "--format", "json", "--top", "3"))["roles"]
    assert top["alienation_changed"] == listed[:3]
    assert top["alienation_changed_total"] == len(changes)


def test_identical_versions_change_nothing_and_exit_0(run: Runner, sides: tuple[str, str]) -> None:
    before = sides[0]
    doc = _doc(run("diff", before, before, "--format", "json"))
    assert doc["org_alienation"]["change"] == 0
    for part in ("inversions", "findings", "roles"):
        assert all(v == [] for v in doc[part].values() if isinstance(v, list)), part
    assert doc["roles"]["alienation_changed_total"] == 0
    table = run("diff", before, before)
    assert (table.exit_code, table.stderr) == (0, "")  # the dealership's own error is not new
    assert "No changes." in table.stdout
    assert "(no change)" in table.stdout
    markdown = run("diff", before, before, "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("### ✅ clientchain diff: Northside Motors: adds 0 errors")
    assert "####" not in markdown.stdout  # no change tables at all


def _without_lines(doc: dict[str, Any]) -> dict[str, Any]:
    for found in doc["findings"].values():
        for f in found:
            del f["line"]
    return doc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_role_order_does_not_change_the_diff(
    run: Runner, sides: tuple[str, str], seed: int
) -> None:
    old, new = sides
    expected = _without_lines(_doc(run("diff", old, new, "--format", "json", "--top", "0")))
    shuffle_roles(Path(new), seed)
    shuffled = _without_lines(_doc(run("diff", old, new, "--format", "json", "--top", "0")))
    assert shuffled == expected
    shuffle_roles(Path(old), seed + 10)
    both = _without_lines(_doc(run("diff", old, new, "--format", "json", "--top", "0")))
    assert both == expected


def test_a_change_that_only_resolves_exits_0(run: Runner, tmp_path: Path) -> None:
    old = copy_dealership(tmp_path / "before")
    new = reorganised(tmp_path / "after", MOVE_ACCOUNTANT, flows="")
    result = run("diff", str(old), str(new), "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    doc = _doc(result)
    assert [(i["boss"], i["subordinate"]) for i in doc["inversions"]["removed"]] == [
        ("director", "accountant")
    ]
    assert doc["findings"]["added"] == []


def test_exit_codes_follow_fail_on_and_exit_zero(run: Runner, tmp_path: Path) -> None:
    old = copy_dealership(tmp_path / "before")
    # The trainer gets no money: a new warning (CC102), no new error.
    unfunded = reorganised(tmp_path / "after", SWAP_MARKETING_FOR_TRAINER, flows="")
    new = the_pull_request(tmp_path / "pr")
    cases = [
        ((str(old), str(unfunded)), 0),
        ((str(old), str(unfunded), "--fail-on", "warning"), 1),
        ((str(old), str(new)), 1),
        ((str(old), str(new), "--exit-zero"), 0),
        ((str(old), str(new), "--fail-on", "never"), 0),
    ]
    for args, code in cases:
        result = run("diff", *args, "--format", "json")
        assert (result.exit_code, result.stderr) == (code, ""), args
        assert _doc(result)["schema_version"] == 1
    # The new version's own policy sets the default threshold.
    text = unfunded.read_text(encoding="utf-8").replace(
        "roles:\n", "policy:\n  fail_on: warning\nroles:\n", 1
    )
    unfunded.write_text(text, encoding="utf-8")
    assert run("diff", str(old), str(unfunded)).exit_code == 1
    assert run("diff", str(old), str(unfunded), "--fail-on", "error").exit_code == 0


def test_bad_input_on_either_side_exit_2_every_problem_on_stderr(
    run: Runner, tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    broken = write("broken.yaml", "roles:\n  - {id: a, reports_to: nobody}\n")
    result = run("diff", str(tmp_path / "missing.yaml"), str(broken), "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{broken}:2:25: reports_to: unknown role 'nobody'",
        f"{tmp_path / 'missing.yaml'}: file not found",
        "clientchain: 2 problems in the input",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["only.yaml"], "clientchain: diff needs two org charts, OLD and NEW (or --rev REV ORG)"),
        (["--rev", "HEAD", "a.yaml", "b.yaml"], "clientchain: diff --rev HEAD takes one org chart"),
    ],
)
def test_wrong_number_of_org_charts_is_a_usage_error(
    run: Runner, args: list[str], message: str
) -> None:
    result = run("diff", *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(message)


def test_bad_options_exit_2(run: Runner, sides: tuple[str, str]) -> None:
    for args in (["--decay", "1.5"], ["--top", "-1"], ["--format", "xml"], ["--fail-on", "x"]):
        result = run("diff", *sides, *args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert args[0] in result.stderr
