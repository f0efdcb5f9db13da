"""The CI formats (sarif, github, gitlab, markdown): golden files, and each one parsed back.

Every format is built from the same findings as the JSON document, so each test reads
the format with its own parser (the official SARIF schema, the workflow-command
grammar, a Markdown parser) and compares what it finds with `--format json`.

Golden files are reviewed snapshots; regenerate them after an intended change with
`CLIENTCHAIN_UPDATE_GOLDEN=1 pytest tests/test_formats.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown_it import MarkdownIt

from clientchain.model.findings import RULES
from clientchain.render.analysis.markdown import MAX_FINDINGS, MAX_INVERSIONS, TOP_ROLES
from tests.conftest import EXAMPLES, Run

ROOT = EXAMPLES.parent
GOLDEN = Path(__file__).parent / "golden" / "formats"
UPDATE = os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1"
SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
ORGS = sorted(p.relative_to(ROOT) for p in EXAMPLES.glob("*/org.yaml"))
SUFFIX = {"sarif": "sarif", "github": "github.txt", "gitlab": "gitlab.json", "markdown": "md"}
ANNOTATION = {"error": "error", "warning": "warning"}  # GitHub's own levels (issue 17)
WORKFLOW_COMMAND = re.compile(r"::(error|warning|notice) ([^:]*)::(.*)")

Runner = Callable[..., Run]


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI runs from the checkout's root; paths in the reports are relative to it."""
    monkeypatch.chdir(ROOT)


def _json(run: Runner, *args: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run("analyze", *args, "--format", "json").stdout)
    return document


def _dealership_copy(tmp_path: Path, policy: str = "", above: str = "") -> Path:
    """The dealership in tmp_path, with a policy block and lines added above its roles."""
    shutil.copy(EXAMPLES / "dealership" / "flows.csv", tmp_path / "flows.csv")
    head, roles = (
        (EXAMPLES / "dealership" / "org.yaml").read_text(encoding="utf-8").split("roles:\n", 1)
    )
    org = tmp_path / "org.yaml"
    org.write_text(head + policy + above + "roles:\n" + roles, encoding="utf-8")
    return org


# --- golden files -------------------------------------------------------------------------


# The machine formats of the organogram's 400 findings would pin nothing the smaller
# examples do not, in 700 KB of golden files; its table and Markdown (the summary
# sentence, the shortened lists) are pinned.
BULKY = {("uk-treasury", fmt) for fmt in ("sarif", "github", "gitlab")}


@pytest.mark.parametrize(
    ("org", "fmt"),
    [
        pytest.param(org, fmt, id=f"{org.parent.name}-{fmt}")
        for org in ORGS
        for fmt in sorted(SUFFIX)
        if (org.parent.name, fmt) not in BULKY
    ],
)
def test_each_format_matches_its_golden_file(run: Runner, org: Path, fmt: str) -> None:
    result = run("analyze", str(org), "--format", fmt)
    document = _json(run, str(org))
    assert result.stderr == ""
    has_errors = any(f["level"] == "error" for f in document["findings"])
    assert result.exit_code == (1 if has_errors else 0)  # the format never changes the exit
    golden = GOLDEN / f"{org.parent.name}.{SUFFIX[fmt]}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_shuffled_flows_give_the_same_bytes(run: Runner, tmp_path: Path, fmt: str) -> None:
    org = _dealership_copy(tmp_path)
    before = run("analyze", str(org), "--format", fmt).stdout
    header, *rows = (tmp_path / "flows.csv").read_text(encoding="utf-8").splitlines()
    random.Random(7).shuffle(rows)
    (tmp_path / "flows.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert run("analyze", str(org), "--format", fmt).stdout == before


# --- SARIF --------------------------------------------------------------------------------


def _sarif(run: Runner, *args: str) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(run("analyze", *args, "--format", "sarif").stdout)
    jsonschema.validate(log, SARIF_SCHEMA)  # the official OASIS schema
    return log


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_sarif_is_valid_and_holds_every_finding(run: Runner, org: Path) -> None:
    log = _sarif(run, str(org))
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "clientchain"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in RULES]
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in rules)
    # Each rule links to its row of the README's findings table (anchored by its code).
    readme = "https://github.com/clientchain/clientchain/blob/main/README.md"
    assert [r["helpUri"] for r in rules] == [f"{readme}#{rule.code.lower()}" for rule in RULES]
    seen = []
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        seen.append(
            (
                result["ruleId"],
                result["level"],
                physical["artifactLocation"]["uri"],
                region["startLine"],
                result["message"]["text"],
            )
        )
    findings = _json(run, str(org))["findings"]
    assert seen == [(f["code"], f["level"], f["file"], f["line"], f["message"]) for f in findings]
    assert all(not uri.startswith("/") for _, _, uri, _, _ in seen)  # relative to the repo


def test_sarif_paths_are_relative_to_the_repository_root_and_uri_encoded(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "org charts" / "über"
    folder.mkdir(parents=True)
    org = _dealership_copy(folder)
    monkeypatch.chdir(tmp_path)
    log = _sarif(run, str(org))  # an absolute path, under the directory CI runs in
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == {"org%20charts/%C3%BCber/org.yaml"}


def test_sarif_keeps_ignored_and_baselined_findings_as_suppressed(
    run: Runner, tmp_path: Path
) -> None:
    policy = (
        "policy:\n  ignore:\n    - code: CC101\n      boss: director\n"
        "      subordinate: accountant\n      reason: interim budget (ORG-142)\n"
    )
    org = _dealership_copy(tmp_path, policy)
    baseline = tmp_path / "baseline.json"
    assert run("analyze", str(org), "--write-baseline", str(baseline)).exit_code == 0
    results = _sarif(run, str(org), "--baseline", str(baseline))["runs"][0]["results"]
    suppressed = {r["ruleId"]: r["suppressions"] for r in results if "suppressions" in r}
    assert suppressed == {
        "CC101": [{"kind": "inSource", "justification": "interim budget (ORG-142)"}],
        "CC102": [{"kind": "external", "justification": "known from the baseline"}],
    }
    assert [r for r in results if "suppressions" not in r] == []


def test_sarif_fingerprints_follow_the_finding_not_its_line(run: Runner, tmp_path: Path) -> None:
    def fingerprints(org: Path) -> dict[str, tuple[str, int]]:
        results = _sarif(run, str(org))["runs"][0]["results"]
        return {
            r["properties"]["role"]: (
                r["partialFingerprints"]["clientchain/v1"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        }

    before = fingerprints(_dealership_copy(tmp_path))
    moved = tmp_path / "moved"
    moved.mkdir()
    after = fingerprints(_dealership_copy(moved, above="# three\n# more\n# lines\n"))
    assert set(before) == set(after) == {"accountant", "marketing"}
    for role, (fingerprint, line) in before.items():
        assert after[role] == (fingerprint, line + 3)
    assert len({fp for fp, _ in before.values()}) == len(before)


# --- GitHub workflow commands -------------------------------------------------------------


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _commands(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """Parse workflow commands as the runner does: properties split at ',' then '='."""
    parsed = []
    for line in stdout.splitlines():
        match = WORKFLOW_COMMAND.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        command, props, data = match.groups()
        properties = dict(p.split("=", 1) for p in props.split(",")) if props else {}
        parsed.append((command, {k: _unescape(v) for k, v in properties.items()}, _unescape(data)))
    return parsed


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_github_annotations_are_the_findings(run: Runner, org: Path) -> None:
    *annotations, notice = _commands(run("analyze", str(org), "--format", "github").stdout)
    findings = _json(run, str(org))["findings"]
    assert [(c, p["file"], int(p["line"]), p["title"], data) for c, p, data in annotations] == [
        (ANNOTATION[f["level"]], f["file"], f["line"], f"{f['code']} {f['rule']}", f["message"])
        for f in findings
    ]
    assert all(p["col"] == "1" for _, p, _ in annotations)
    command, properties, text = notice
    errors = sum(f["level"] == "error" for f in findings)
    assert (command, properties["title"]) == ("notice", "clientchain")
    assert f"{errors} error" in text


def test_github_commands_escape_what_would_break_them(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a,b:c%d"
    folder.mkdir()
    org = folder / "org.yaml"
    hostile = "50%\\r\\nx::y,z"  # YAML double-quoted escapes: 50%, CR, LF, then :: and ,
    org.write_text(
        f'roles:\n  - id: "{hostile}"\n    headcount: 1\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    stdout = run("analyze", str(org), "--format", "github").stdout
    lines = stdout.splitlines()
    assert len(lines) == 2  # one warning finding (no paying client), the totals: no line broke
    (command, properties, data), _ = _commands(stdout)
    assert command == "warning"
    assert properties["file"] == "a,b:c%d/org.yaml"
    assert data == "'50%\r\nx::y,z' receives no money"


# --- GitLab Code Quality ------------------------------------------------------------------


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_gitlab_report_has_what_gitlab_requires(run: Runner, org: Path) -> None:
    issues = json.loads(run("analyze", str(org), "--format", "gitlab").stdout)
    findings = _json(run, str(org))["findings"]
    assert isinstance(issues, list) and len(issues) == len(findings)
    severity = {"error": "major", "warning": "minor"}
    for issue, finding in zip(issues, findings, strict=True):
        assert issue["check_name"] == finding["code"]
        assert finding["message"] in issue["description"]
        assert issue["severity"] == severity[finding["level"]]
        assert issue["location"] == {"path": finding["file"], "lines": {"begin": finding["line"]}}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_survive_line_moves_and_tell_files_apart(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()

    def fingerprints(org: Path) -> list[str]:
        issues = json.loads(run("analyze", str(org), "--format", "gitlab").stdout)
        return [i["fingerprint"] for i in issues]

    first = fingerprints(_dealership_copy(tmp_path / "a").relative_to(tmp_path))
    again = fingerprints(_dealership_copy(tmp_path / "a", above="# moved\n").relative_to(tmp_path))
    other_file = fingerprints(_dealership_copy(tmp_path / "b").relative_to(tmp_path))
    assert first == again
    assert not set(first) & set(other_file)
    assert fingerprints(_dealership_copy(tmp_path / "c").resolve()) == fingerprints(
        Path("c/org.yaml")  # an absolute or a relative path names the same file
    )


# --- Markdown -----------------------------------------------------------------------------


def _tables(markdown: str) -> list[list[list[str]]]:
    """The tables a GitHub-flavoured Markdown parser sees: rows of cell texts."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables: list[list[list[str]]] = []
    in_cell = False
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = token.type.endswith("_open")
        elif token.type == "inline" and in_cell:
            tables[-1][-1].append(token.content)
    return tables


def _cell_text(cell: str) -> str:
    return re.sub(r"\\(.)", r"\1", cell)


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_markdown_tables_parse_and_hold_the_figures(run: Runner, org: Path) -> None:
    markdown = run("analyze", str(org), "--format", "markdown").stdout
    document = _json(run, str(org))
    tables = _tables(markdown)
    for table in tables:
        assert len({len(row) for row in table}) == 1  # every row as wide as the header
    by_head = {tuple(table[0]): table[1:] for table in tables}
    roles = by_head[
        ("Role", "Department", "People", "Alienation", "Largest funder", "Broken chain")
    ]
    expected = sorted(
        range(len(document["roles"])), key=lambda i: (-document["roles"][i]["alienation"], i)
    )[:TOP_ROLES]
    assert [_cell_text(row[0]) for row in roles] == [document["roles"][i]["id"] for i in expected]
    assert [float(row[3]) for row in roles] == [
        round(document["roles"][i]["alienation"], 3) for i in expected
    ]
    inversions = by_head.get(("Boss", "Subordinate", "Levels", "Net down", "Impact (people)"), [])
    assert [(_cell_text(r[0]), _cell_text(r[1])) for r in inversions] == [
        (i["boss"], i["subordinate"]) for i in document["inversions"][:MAX_INVERSIONS]
    ]
    found = by_head.get(("Level", "Rule", "Where", "Message"), [])
    assert [_cell_text(row[3]) for row in found] == [
        f["message"] for f in document["findings"][:MAX_FINDINGS]
    ]
    alienation = document["summary"]["org_alienation"]
    assert f"**{alienation:.3f}**" in markdown


def test_markdown_headline_follows_fail_on(run: Runner) -> None:
    org = str(ORGS[ORGS.index(Path("examples/dealership/org.yaml"))])
    failing = run("analyze", org, "--format", "markdown").stdout.splitlines()[0]
    passing = run("analyze", org, "--format", "markdown", "--fail-on", "never").stdout
    assert failing.startswith("### ❌ ") and "fails at --fail-on error" in failing
    assert passing.splitlines()[0].startswith("### ✅ ")


def test_markdown_escapes_user_text(run: Runner, tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(
        'org: "A|B <script>alert(1)</script>"\n'
        'roles:\n  - id: "x|y"\n  - id: "<img src=x onerror=alert(1)>"\n    reports_to: "x|y"\n',
        encoding="utf-8",
    )
    markdown = run("analyze", str(org), "--format", "markdown").stdout
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert "<script" not in html and "<img" not in html
    tables = _tables(markdown)
    assert all(len({len(row) for row in table}) == 1 for table in tables)
    role_cells = {_cell_text(row[0]) for table in tables for row in table[1:]}
    assert {"x|y", "<img src=x onerror=alert(1)>"} <= role_cells


def test_markdown_caps_long_lists(run: Runner, tmp_path: Path) -> None:
    count = MAX_FINDINGS + 7
    roles = "".join(f"  - id: r{i}\n" for i in range(count))  # no money: one warning each
    org = tmp_path / "org.yaml"
    org.write_text("roles:\n" + roles, encoding="utf-8")
    markdown = run("analyze", str(org), "--format", "markdown").stdout
    found = {tuple(t[0]): t[1:] for t in _tables(markdown)}[("Level", "Rule", "Where", "Message")]
    assert len(found) == MAX_FINDINGS
    assert "… and 7 more findings" in markdown
    assert f"top {TOP_ROLES} of {count}" in markdown


def test_github_marks_input_problems_where_they_are(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken org chart in a pull request is annotated at the broken line, exit 2."""
    org = tmp_path / "org.yaml"
    org.write_text("roles:\n  - id: a\n    reports_to: b\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("analyze", "org.yaml", "--format", "github")
    assert result.exit_code == 2
    ((command, properties, message),) = _commands(result.stdout)
    assert (command, properties["file"], properties["line"], properties["col"]) == (
        "error",
        "org.yaml",
        "3",
        "17",
    )
    assert message == "reports_to: unknown role 'b'"
    assert result.stderr.startswith("org.yaml:3:17: reports_to: unknown role 'b'\n")
