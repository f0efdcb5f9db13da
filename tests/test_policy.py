"""The policy block, exit control and baselines: what a CI check on an org-design repo relies on."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientchain
from clientchain.ci import baseline
from clientchain.ci.baseline import read_baseline
from clientchain.ci.baseline_format import baseline_text
from clientchain.loading.loader import _fast_load, _load_precisely
from clientchain.loading.yaml_source import compose, decode
from clientchain.model.findings import Finding, Level
from clientchain.model.problems import InputError
from tests.conftest import EXAMPLES, Run
from tests.oracle import analyze as oracle_analyze
from tests.orgs import org_specs, render_yaml

DEALERSHIP = EXAMPLES / "dealership"

# The dealership's figures, computed independently by the oracle from the same flows
# (see _dealership_oracle): only identities and comparisons are asserted below.


def _dealership(tmp_path: Path, policy: str = "", above_roles: str = "") -> Path:
    """A copy of the dealership with a policy block (and lines inserted above the roles)."""
    shutil.copy(DEALERSHIP / "flows.csv", tmp_path / "flows.csv")
    text = (DEALERSHIP / "org.yaml").read_text(encoding="utf-8")
    head, roles = text.split("roles:\n", 1)
    path = tmp_path / "org.yaml"
    path.write_text(head + policy + above_roles + "roles:\n" + roles, encoding="utf-8")
    return path


def _document(run: Callable[..., Run], *args: str) -> tuple[int, dict[str, Any]]:
    result = run("analyze", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def _codes(doc: dict[str, Any]) -> list[str]:
    return [f["code"] for f in doc["findings"]]


def _dealership_oracle() -> tuple[dict[str, Fraction], Fraction]:
    """Exact alienation per role and org-wide, from the oracle (not from clientchain)."""
    import csv

    import yaml

    org = yaml.safe_load((DEALERSHIP / "org.yaml").read_text(encoding="utf-8"))
    with (DEALERSHIP / "flows.csv").open(encoding="utf-8") as f:
        flows = tuple((r["from"], r["to"], int(r["amount"])) for r in csv.DictReader(f))
    from tests.oracle import OrgSpec, Role

    spec = OrgSpec(
        tuple(Role(r["id"], r.get("reports_to"), r.get("headcount", 1)) for r in org["roles"]),
        tuple(c["id"] for c in org["clients"]),
        flows,
    )
    result = oracle_analyze(spec)
    org_alienation = result.summary["org_alienation"]
    assert isinstance(org_alienation, Fraction)
    return {rid: r.alienation for rid, r in result.roles.items()}, org_alienation


# --- limits -----------------------------------------------------------------------


def test_role_limit_flags_exactly_the_roles_above_it(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    alienation, _ = _dealership_oracle()
    limit = 0.6
    org = _dealership(tmp_path, "policy:\n  max_role_alienation: 0.6\n")
    code, doc = _document(run, str(org))
    flagged = {f["role"] for f in doc["findings"] if f["code"] == "CC202"}
    assert flagged == {rid for rid, a in alienation.items() if a > limit}
    assert flagged  # the dealership has roles above 0.6: the test can fail
    assert code == 1


def test_org_limit_is_placed_at_its_line_in_the_policy(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    _, org_alienation = _dealership_oracle()
    below = float(org_alienation) - 0.01
    org = _dealership(tmp_path, f"policy:\n  fail_on: error\n  max_org_alienation: {below}\n")
    code, doc = _document(run, str(org))
    assert code == 1
    (finding,) = [f for f in doc["findings"] if f["code"] == "CC201"]
    lines = org.read_text(encoding="utf-8").splitlines()
    assert lines[finding["line"] - 1].strip().startswith("max_org_alienation:")
    assert finding["role"] is None and finding["level"] == "error"
    above = float(org_alienation) + 0.01
    org = _dealership(tmp_path, f"policy:\n  max_org_alienation: {above}\n")
    _, doc = _document(run, str(org))
    assert "CC201" not in _codes(doc)


def test_levels_limit_tolerates_shallow_inversions_and_fails_deep_ones(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    # The dealership's one inversion (director -> accountant) spans 1 level.
    tolerant = _dealership(tmp_path, "policy:\n  max_levels_inverted: 1\n")
    code, doc = _document(run, str(tolerant))
    (inv,) = doc["inversions"]
    cc101 = [f for f in doc["findings"] if f["code"] == "CC101"]
    assert [(f["boss"], f["role"], f["level"]) for f in cc101] == [
        (inv["boss"], inv["subordinate"], "warning")
    ]
    assert code == 0  # no error left
    strict = _dealership(tmp_path, "policy:\n  max_levels_inverted: 0\n")
    code, doc = _document(run, str(strict))
    assert [f["code"] for f in doc["findings"] if f["role"] == "accountant"] == ["CC203"]
    assert code == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org_specs(), st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]), st.integers(0, 3))
def test_policy_findings_match_the_oracle(spec: Any, limit: float, depth: int) -> None:
    """On random orgs: CC202 exactly where the exact alienation exceeds the limit, CC203
    exactly for inversions deeper than max_levels_inverted, CC101 for the rest."""
    expected = oracle_analyze(spec)
    margin = Fraction(1, 10**9)  # a role within rounding of the limit could go either way
    if any(abs(r.alienation - Fraction(limit)) < margin for r in expected.roles.values()):
        return
    text = render_yaml(spec).replace(
        "roles:\n",
        f"policy:\n  max_role_alienation: {limit}\n  max_levels_inverted: {depth}\nroles:\n",
        1,
    )
    result = clientchain.analyze(clientchain.loads(text))
    by_code: dict[str, set[tuple[str | None, str]]] = {}
    for f in result.findings:
        by_code.setdefault(f.code, set()).add((f.boss, f.role))
    assert by_code.get("CC202", set()) == {
        (None, rid) for rid, r in expected.roles.items() if r.alienation > Fraction(limit)
    }
    assert by_code.get("CC203", set()) == {
        (i.boss, i.subordinate) for i in expected.inversions if i.levels > depth
    }
    assert by_code.get("CC101", set()) == {
        (i.boss, i.subordinate) for i in expected.inversions if i.levels <= depth
    }
    assert all(f.level.value == "warning" for f in result.findings if f.code == "CC101")


# --- ignore entries -----------------------------------------------------------------


IGNORE_INVERSION = """policy:
  ignore:
    - code: CC101
      boss: director
      subordinate: accountant
      reason: interim budget until the finance team bills its services
"""


def test_an_ignored_inversion_is_not_reported_and_no_longer_fails(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    code, doc = _document(run, str(_dealership(tmp_path, IGNORE_INVERSION)))
    assert "CC101" not in _codes(doc)
    assert doc["summary"]["findings_ignored"] == 1
    assert doc["summary"]["inversions"] == 1  # the figures stay: only the finding is excused
    assert code == 0
    table = run("analyze", str(_dealership(tmp_path, IGNORE_INVERSION)))
    assert "1 finding ignored by the policy" in table.stdout


def test_an_ignore_that_matches_nothing_is_reported_at_its_line(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    policy = IGNORE_INVERSION.replace("boss: director", "boss: owner")
    org = _dealership(tmp_path, policy)
    code, doc = _document(run, str(org))
    (unused,) = [f for f in doc["findings"] if f["code"] == "CC204"]
    assert org.read_text().splitlines()[unused["line"] - 1].strip() == "- code: CC101"
    assert "owner -> accountant" in unused["message"]
    assert "CC101" in _codes(doc) and code == 1  # the real inversion is still there


BAD_POLICIES = [  # (the block, what its problem says)
    ("policy:\n  max_org_alienaton: 0.3\n", "unknown key 'max_org_alienaton' in policy"),
    ("policy:\n  max_role_alienation: 1.5\n", "max_role_alienation must be a number"),
    ("policy:\n  max_role_alienation: '0.5'\n", "max_role_alienation must be a number"),
    ("policy:\n  max_levels_inverted: 1.5\n", "max_levels_inverted must be a whole number"),
    ("policy:\n  fail_on: sometimes\n", "fail_on must be one of error, warning, never"),
    ("policy:\n  ignore:\n    - {code: CC102, role: marketing}\n", "needs a 'reason'"),
    ("policy:\n  ignore:\n    - {code: CC102, role: x, reason: ''}\n", "must be non-empty"),
    ("policy:\n  ignore:\n    - {code: CC999, role: x, reason: r}\n", "not a finding code"),
    ("policy:\n  ignore:\n    - {code: CC204, reason: r}\n", "about the policy itself"),
    ("policy:\n  ignore:\n    - {code: CC101, boss: x, reason: r}\n", "names 'boss' and"),
    ("policy:\n  ignore:\n    - {code: CC103, role: x, reason: r}\n", "names a 'client'"),
    ("policy:\n  ignore:\n    - {code: CC102, role: x, reson: r}\n", "did you mean 'reason'"),
    ("policy: strict\n", "policy must be a mapping"),
]


@pytest.mark.parametrize(("policy", "message"), BAD_POLICIES)
def test_a_bad_policy_is_an_input_error_at_its_place(
    run: Callable[..., Run], tmp_path: Path, policy: str, message: str
) -> None:
    org = _dealership(tmp_path, policy)
    result = run("validate", str(org))
    assert result.exit_code == 2
    assert message in result.stderr
    first = result.stderr.splitlines()[0]
    line = int(first.split(":")[1])
    start = org.read_text(encoding="utf-8").splitlines().index(policy.splitlines()[0]) + 1
    assert start <= line < start + policy.count("\n")  # inside the policy block
    assert "Traceback" not in result.stderr


# --- the fast loader reads the same policy ---------------------------------------------


@pytest.mark.parametrize(
    "policy",
    [
        IGNORE_INVERSION,
        "policy:\n  # limits agreed with the board\n\n  max_org_alienation: 0.5\n"
        "  fail_on: warning\n",
        "policy: {max_levels_inverted: 2, fail_on: never}\n",
        "policy:\n  ignore:\n  - {code: CC201, reason: 'whole org, on purpose'}\n",
    ],
)
def test_fast_and_precise_loaders_read_the_same_policy(tmp_path: Path, policy: str) -> None:
    org = _dealership(tmp_path, policy)
    text = org.read_text(encoding="utf-8")
    fast = _fast_load(text.encode(), text, str(org), [], tmp_path)
    precise = _load_precisely(text, str(org), [], tmp_path)
    assert fast is not None  # the flat rest of the file still takes the fast path
    assert fast.policy == precise.policy
    assert fast.policy != clientchain.load(DEALERSHIP / "org.yaml").policy
    assert fast.role_ids == precise.role_ids
    assert (fast.role_lines == precise.role_lines).all()


@pytest.mark.parametrize(("policy", "message"), BAD_POLICIES)
def test_the_fast_loader_words_a_bad_policy_with_the_rest_as_the_precise_one(
    tmp_path: Path, policy: str, message: str
) -> None:
    """A bad policy in a big org chart with a slip in it: the fast path words both, as
    the precise one does (no wait of a minute at a million roles)."""
    org = _dealership(tmp_path, policy)
    text = org.read_text(encoding="utf-8").replace("reports_to: owner", "reports_to: ownr", 1)
    org.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as fast:
        _fast_load(text.encode(), text, str(org), [], tmp_path)
    with pytest.raises(InputError) as precise:
        _load_precisely(text, str(org), [], tmp_path)
    assert fast.value.problems == precise.value.problems
    assert any(message in problem.message for problem in fast.value.problems)
    assert any("'ownr'" in problem.message for problem in fast.value.problems)


def test_a_policy_block_that_is_not_yaml_is_left_to_the_precise_reader(tmp_path: Path) -> None:
    org = _dealership(tmp_path, "policy:\n  max_span: [3\n  fail_on: never\n")
    text = org.read_text(encoding="utf-8")
    assert _fast_load(text.encode(), text, str(org), [], tmp_path) is None
    with pytest.raises(InputError) as precise:
        _load_precisely(text, str(org), [], tmp_path)
    assert len(precise.value.problems) == 1  # the syntax error, alone


# --- exit control ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "policy", "expected"),
    [
        ((), "", 1),  # the dealership has an error finding (its inversion)
        (("--fail-on", "never"), "", 0),
        (("--exit-zero",), "", 0),
        ((), "policy:\n  fail_on: never\n", 0),
        (("--fail-on", "error"), "policy:\n  fail_on: never\n", 1),  # the option wins
        (("--fail-on", "warning"), IGNORE_INVERSION, 1),  # CC102 marketing is a warning
        (("--fail-on", "error"), IGNORE_INVERSION, 0),
        (("--max-org-alienation", "1"), IGNORE_INVERSION, 0),
        (("--max-org-alienation", "0.01"), IGNORE_INVERSION, 1),
        (("--max-org-alienation", "0.01", "--exit-zero"), IGNORE_INVERSION, 0),
    ],
)
def test_exit_codes(
    run: Callable[..., Run], tmp_path: Path, args: tuple[str, ...], policy: str, expected: int
) -> None:
    result = run("analyze", str(_dealership(tmp_path, policy)), "--format", "json", *args)
    assert result.exit_code == expected, result.stderr
    json.loads(result.stdout)


def test_exit_zero_still_fails_on_bad_input(run: Callable[..., Run], write: Any) -> None:
    bad = write("org.yaml", "roles:\n  - id: a\n    reports_to: nobody\n")
    assert run("analyze", str(bad), "--exit-zero").exit_code == 2


def test_a_limit_outside_0_1_on_the_command_line_is_a_usage_error(
    run: Callable[..., Run],
) -> None:
    result = run("analyze", str(DEALERSHIP / "org.yaml"), "--max-role-alienation", "2")
    assert result.exit_code == 2
    assert "must be a number from 0 to 1" in result.stderr


# --- baselines ------------------------------------------------------------------------


def test_baseline_round_trip_then_only_new_findings(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    org = _dealership(tmp_path)
    base = tmp_path / "baseline.json"
    before = json.loads(run("analyze", str(org), "--format", "json").stdout)
    wrote = run("analyze", str(org), "--write-baseline", str(base))
    assert wrote.exit_code == 0
    assert f"wrote {len(before['findings'])} findings to {base}" in wrote.stderr
    saved = json.loads(base.read_text(encoding="utf-8"))
    assert {(e["code"], e.get("role"), e.get("boss")) for e in saved["findings"]} == {
        (f["code"], f["role"], f.get("boss")) for f in before["findings"]
    }
    assert all("line" not in e for e in saved["findings"])  # keyed by ids, never lines

    code, doc = _document(run, str(org), "--baseline", str(base))
    assert (code, doc["findings"], doc["summary"]["findings_baselined"]) == (
        0,
        [],
        len(before["findings"]),
    )
    # Lines move (a comment block above the roles): still known.
    moved = _dealership(tmp_path, above_roles="# reviewed 2026-11\n" * 5)
    code, doc = _document(run, str(moved), "--baseline", str(base))
    assert (code, doc["findings"]) == (0, [])
    # A new inversion appears: reported and failing; the known ones stay quiet.
    flows = tmp_path / "flows.csv"
    flows.write_text(
        flows.read_text(encoding="utf-8") + "owner,sales-manager,5000000,budget\n",
        encoding="utf-8",
    )
    code, doc = _document(run, str(org), "--baseline", str(base))
    assert [(f["code"], f["boss"], f["role"]) for f in doc["findings"]] == [
        ("CC101", "owner", "sales-manager")
    ]
    assert code == 1


def test_a_baseline_entry_that_no_longer_matches_is_reported(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    org = _dealership(tmp_path)
    base = tmp_path / "baseline.json"
    run("analyze", str(org), "--write-baseline", str(base))
    # The director stops funding the accountant: the inversion is gone.
    flows = tmp_path / "flows.csv"
    kept = [row for row in flows.read_text().splitlines() if not row.startswith("director,acc")]
    flows.write_text("\n".join(kept) + "\n", encoding="utf-8")
    code, doc = _document(run, str(org), "--baseline", str(base))
    # The accountant now has no paying client (CC102, new) and the inversion is stale.
    assert sorted(_codes(doc)) == ["CC102", "CC205"]
    (stale,) = [f for f in doc["findings"] if f["code"] == "CC205"]
    assert stale["file"] == str(base)
    entry = base.read_text(encoding="utf-8").splitlines()[stale["line"] - 1]
    assert '"code": "CC101"' in entry and '"boss": "director"' in entry
    assert code == 0  # warnings: the baseline should shrink, nothing got worse
    assert run("analyze", str(org), "--baseline", str(base), "--fail-on", "warning").exit_code


def test_writing_a_baseline_twice_gives_the_same_file(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    org = _dealership(tmp_path)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run("analyze", str(org), "--write-baseline", str(first))
    run("analyze", str(org), "--baseline", str(first), "--write-baseline", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_write_baseline_never_overwrites_an_input(run: Callable[..., Run], tmp_path: Path) -> None:
    org = _dealership(tmp_path)
    flows = tmp_path / "flows.csv"
    before = (org.read_bytes(), flows.read_bytes())
    for target in (org, flows):
        result = run("analyze", str(org), "--write-baseline", str(target))
        assert result.exit_code == 2
        assert "that is an input file" in result.stderr
    assert (org.read_bytes(), flows.read_bytes()) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the baseline: file not found"),
        ('{"findings": [', "baseline.json:2:1: invalid"),
        ('{"findings": {}}', "not a clientchain baseline"),
        ('{"findings": [{"role": "x"}]}', "a baseline entry needs a 'code'"),
        ('{"schema_version": 9, "findings": []}', "schema_version 9 is not supported"),
        ('{"findings": [], "findings": []}', "baseline.json:1:"),
    ],
)
def test_a_bad_baseline_is_an_input_error(
    run: Callable[..., Run], tmp_path: Path, content: str | None, message: str
) -> None:
    base = tmp_path / "baseline.json"
    if content is not None:
        base.write_text(content, encoding="utf-8")
    result = run("analyze", str(DEALERSHIP / "org.yaml"), "--baseline", str(base))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


# A written baseline is read as plain JSON; any other spelling by the precise reader.
_AWKWARD = ['a"b', "c\\d", "é😀", "tab\there", "line\nbreak", "\u2028", "\x7f", "x: y", '{"k": 1}']


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["CC101", "CC102", "CC106"]),
            st.sampled_from(["", *_AWKWARD]),
            st.sampled_from(["", "boss", *_AWKWARD]),
            st.sampled_from(["", *_AWKWARD]),
            st.text(max_size=12),
        ),
        max_size=6,
    )
)
def test_a_written_baseline_reads_as_the_precise_reader_reads_it(
    tmp_path_factory: pytest.TempPathFactory,
    entries: list[tuple[str, str, str, str, str]],
) -> None:
    findings = [
        Finding("org.yaml", 1, code, role, message, Level.ERROR, "r", client or None, boss or None)
        for code, role, boss, client, message in entries
    ]
    text, _ = baseline_text(findings)
    data = text.encode("utf-8")
    path = tmp_path_factory.mktemp("b") / "b.json"
    path.write_bytes(data)
    try:
        precise = baseline._entries(compose(decode(data, "b.json"), "b.json"), "b.json", [])
    except InputError:  # a character the precise reader refuses: so does the fast one
        assert baseline._written_entries(data) is None
        return
    assert baseline._written_entries(data) in (precise, None)
    assert list(read_baseline(path).entries) == precise
    odd = {chr(c) for c in [*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF]}
    if not odd & set(text):  # (json.dumps escapes the other control characters)
        assert baseline._written_entries(data) == precise  # the plain case: read fast


@pytest.mark.parametrize(
    ("entry", "readable"),
    [
        ('{"code": "CC101", "role": "x", "role": "y"}', False),  # a repeated key: refused
        ('{"code": "CC101", "role": "x", "code": "CC102"}', False),
        ('{"code":"CC101","role":"x"}', True),  # other spacing: the precise reader's
        ('{"code": "CC101", "role": 5}', True),  # a number: the precise reader's text
        ('{"role": "x", "code": "CC101"}', True),  # keys in another order: the same
    ],
)
def test_a_hand_spelled_baseline_is_read_by_the_precise_reader(
    tmp_path: Path, entry: str, readable: bool
) -> None:
    """However an entry is spelled, it reads as the precise reader reads it (a repeated
    key stays an error: no spelling quietly excuses another finding)."""
    head = '{\n  "schema_version": 1,\n  "tool": "clientchain",\n  "findings": [\n'
    path = tmp_path / "b.json"
    path.write_text(head + "    " + entry + "\n  ]\n}\n", encoding="utf-8")
    data = path.read_bytes()
    fast = baseline._written_entries(data)
    if not readable:
        assert fast is None
        with pytest.raises(InputError):
            read_baseline(path)
        return
    precise = baseline._entries(compose(decode(data, str(path)), str(path)), str(path), [])
    assert list(read_baseline(path).entries) == precise
    assert fast is None or fast == precise
