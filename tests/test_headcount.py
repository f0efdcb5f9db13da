"""Headcount is a finite number >= 0 (full-time equivalents, SPEC Additions): read the same
by both loaders, summed without float noise, whole values written as integers everywhere.

The figures are checked against the exact oracle (tests/oracle.py adds Fractions: 0.1 +
0.2 is 3/10 there), never against numbers copied from clientchain's own output.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientchain
from clientchain.render.analysis.json_doc import render_json
from clientchain.render.report.data import report_payload
from tests import oracle
from tests.conftest import Run
from tests.oracle import OrgSpec, Role
from tests.orgs import engine_document, org_specs, render_yaml
from tests.test_fastload import assert_same, both
from tests.test_oracle import check_document

Runner = Callable[..., Run]
Write = Callable[[str, str], Path]


def _fte(text: str) -> Fraction:
    return Fraction(Decimal(text))


def _check_against_oracle(org: OrgSpec, decay: float) -> None:
    text = render_yaml(org)
    check_document(engine_document(text, decay=decay), org, text, decay, 0)


# --- the figures, against the oracle ---------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=org_specs(fractional_headcounts=True), decay=st.sampled_from([0.5, 0.3]))
def test_fractional_headcounts_match_the_oracle(org: OrgSpec, decay: float) -> None:
    """Every role's headcount, every impact_headcount, summary.headcount and the org's
    alienation (headcount-weighted) agree with exact sums of the written decimals."""
    _check_against_oracle(org, decay)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=org_specs(fractional_headcounts=True, max_roles=12), decay=st.just(0.5))
def test_fractional_headcounts_match_the_oracle_at_length(org: OrgSpec, decay: float) -> None:
    _check_against_oracle(org, decay)


NOISY = OrgSpec(  # 0.1 + 0.2 below the owner: a float sum would say 0.30000000000000004
    roles=(
        Role("owner", None, 0),
        Role("mgr", "owner", _fte("0.1")),
        Role("clerk", "mgr", _fte("0.2")),
        Role("seller", None, _fte("2.5")),
    ),
    clients=("buyers",),
    flows=(("buyers", "seller", 100), ("owner", "mgr", 10), ("seller", "owner", 40)),
)


def test_a_sum_of_tenths_is_written_without_float_noise() -> None:
    text = render_yaml(NOISY)
    _check_against_oracle(NOISY, 0.5)
    want = oracle.analyze(NOISY)
    assert want.inversions[0].impact_headcount == Fraction(3, 10)  # the oracle is exact
    analysis = clientchain.analyze(clientchain.loads(text))
    body = render_json(analysis).decode()
    assert '"impact_headcount": 0.3,\n' in body
    assert '"headcount": 2.8,' in body  # summary: 0 + 0.1 + 0.2 + 2.5
    assert "0.30000000000000004" not in body and "2.8000000000000003" not in body


def test_hand_computed_org_alienation_weights_by_fractional_headcount() -> None:
    """Half a post paid directly by the buyers (alienation 0) and one and a half posts
    that nobody pays (alienation 1): (0.5 * 0 + 1.5 * 1) / 2 = 0.75."""
    doc = engine_document(
        "clients: [{id: buyers}]\n"
        "roles:\n  - {id: desk, headcount: 0.5}\n  - {id: back, headcount: 1.5}\n"
        "flows: [{from: buyers, to: desk, amount: 100}]\n"
    )
    assert doc["summary"]["org_alienation"] == 0.75
    assert doc["summary"]["headcount"] == 2
    assert type(doc["summary"]["headcount"]) is int


# --- the JSON shape ---------------------------------------------------------------------


def test_whole_headcounts_are_integers_however_written(write: Write, run: Runner) -> None:
    path = write(
        "org.yaml",
        """
        clients: [{id: buyers}]
        roles:
          - {id: boss, headcount: 2.0}
          - {id: seller, reports_to: boss, headcount: 3.}
          - {id: half, reports_to: boss, headcount: .5}
          - {id: vacant, reports_to: boss, headcount: 0.0}
        flows:
          - {from: buyers, to: seller, amount: 10}
          - {from: boss, to: half, amount: 1}
        """,
    )
    result = run("analyze", str(path), "--format", "json")
    doc = json.loads(result.stdout)
    heads = [(r["id"], r["headcount"]) for r in doc["roles"]]
    assert heads == [("boss", 2), ("seller", 3), ("half", 0.5), ("vacant", 0)]
    assert [type(h) for _, h in heads] == [int, int, float, int]
    assert (doc["summary"]["headcount"], type(doc["summary"]["headcount"])) == (5.5, float)
    (inversion,) = doc["inversions"]
    assert (inversion["impact_headcount"], type(inversion["impact_headcount"])) == (0.5, float)
    assert '"headcount": 2,' in result.stdout and '"headcount": 2.0' not in result.stdout
    assert '"headcount": 0.5,' in result.stdout


def test_the_output_schema_accepts_fractional_headcounts() -> None:
    from tests.schema_support import OUTPUT_VALIDATOR

    doc = engine_document(render_yaml(NOISY))
    assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == []


# --- the loaders -----------------------------------------------------------------------

SPELLINGS = [  # (written, the value): plain decimals read from the bytes, others as spelled
    ("0.5", 0.5),
    (".5", 0.5),
    ("2.", 2.0),
    ("007.50", 7.5),
    ("0.1", 0.1),
    ("1000000000", 1e9),
    ("0.123456789012345", 0.123456789012345),
    ("0.30000000000000004", 0.30000000000000004),  # 17 digits: past 2**53
    ("1e-1", 0.1),  # an exponent
    ("+2.5", 2.5),  # a sign
    ("-0", 0.0),
    ("0.12345678901234567890", 0.12345678901234568),  # too many digits for the bytes
]


@pytest.mark.parametrize(("written", "value"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_both_loaders_read_a_fractional_headcount_alike(
    tmp_path: Path, written: str, value: float
) -> None:
    (tmp_path / "org.yaml").write_text(
        f"flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n"
        f"    headcount: {written}\n  - id: seller\n    reports_to: boss\n    headcount: 1\n",
        encoding="utf-8",
    )
    (tmp_path / "flows.csv").write_text("from,to,amount\nbuyers,seller,5\n", encoding="utf-8")
    taken, precise = both(tmp_path / "org.yaml")
    assert isinstance(precise, clientchain.Org)
    assert precise.headcount.dtype.name == "float64"
    assert precise.headcount.tolist() == [value, 1.0]
    assert str(precise.headcount[0]) != "-0.0"
    assert taken is not None
    assert_same(taken, precise)


def test_a_generated_chart_of_fractional_headcounts_takes_the_fast_path(tmp_path: Path) -> None:
    ftes = ["0.1", "0.25", "1", "0.5", "2.5", "0", "12.75", "0.2"]
    lines = ["flows: flows.csv", "clients:", "  - id: buyers", "roles:"]
    for i in range(400):
        lines.append(f"  - id: r{i}")
        if i:
            lines.append(f"    reports_to: r{(i - 1) // 3}")
        lines.append(f"    headcount: {ftes[i % len(ftes)]}")
    (tmp_path / "org.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["from,to,amount", "buyers,r399,100", *(f"r0,r{i},1" for i in range(1, 50))]
    (tmp_path / "flows.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    taken, precise = both(tmp_path / "org.yaml")
    assert taken is not None
    assert_same(taken, precise)


BAD = [
    ("-1", "found '-1'"),
    ("-0.5", "found '-0.5'"),
    (".nan", "found '.nan'"),
    (".inf", "found '.inf'"),
    ("-.inf", "found '-.inf'"),
    ("true", "found 'true'"),
    ("'2.5'", "found '2.5' in quotes"),
    ('"3"', "found '3' in quotes"),
    ("2,5", "found '2,5'"),
    ("1_000", "found '1_000'"),
    ("[1]", "found a list"),
    ("{fte: 1}", "found a mapping"),
]


@pytest.mark.parametrize(("written", "found"), BAD, ids=[b[0] for b in BAD])
def test_a_headcount_that_is_not_a_finite_number_at_least_0_is_refused(
    run: Runner, write: Write, written: str, found: str
) -> None:
    path = write("org.yaml", f"roles:\n  - id: boss\n    headcount: {written}\n")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{path}:3:16: headcount must be a finite number >= 0 (0 = vacant), {found}\n"
        f"clientchain: 1 problem in {path}\n"
    )


@pytest.mark.parametrize("written", ["1000000000.5", "1e10", "99999999999999999999999"])
def test_a_headcount_beyond_the_largest_supported_is_refused(write: Write, written: str) -> None:
    path = write("org.yaml", f"roles:\n  - id: boss\n    headcount: {written}\n")
    with pytest.raises(clientchain.InputError) as caught:
        clientchain.load(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3:16: headcount {written} is larger than the largest supported (10^9)"
    ]


# --- what people read --------------------------------------------------------------------


def test_table_and_markdown_write_fractions_as_written_and_sums_without_noise(
    run: Runner, write: Write
) -> None:
    path = write("org.yaml", render_yaml(NOISY))
    table = run("analyze", str(path), "--format", "table").stdout
    assert "4 roles · 2.8 people · 1 paying client ·" in table
    impact = [line for line in table.splitlines() if "│ owner │ mgr" in line]
    assert len(impact) == 1 and impact[0].rstrip("│ ").endswith("0.3")
    markdown = run("analyze", str(path), "--format", "markdown").stdout
    assert "| Roles · people · paying clients | 4 · 2.8 · 1 |" in markdown
    assert "| owner | mgr | 1 | 10 UAH | 0.3 |" in markdown


def test_diff_states_a_headcount_change_without_noise(run: Runner, write: Write) -> None:
    before = write("before.yaml", render_yaml(NOISY))
    fewer = OrgSpec(
        tuple(
            Role(r.id, r.parent, _fte("0.1") if r.id == "clerk" else r.headcount)
            for r in NOISY.roles
        ),
        NOISY.clients,
        NOISY.flows,
    )
    after = write("after.yaml", render_yaml(fewer))
    doc = json.loads(run("diff", str(before), str(after), "--format", "json").stdout)
    assert doc["summary"]["headcount"] == {"before": 2.8, "after": 2.7, "change": -0.1}
    (changed,) = doc["inversions"]["changed"]
    assert (changed["before"]["impact_headcount"], changed["after"]["impact_headcount"]) == (
        0.3,
        0.2,
    )
    table = run("diff", str(before), str(after)).stdout
    (people,) = [line for line in table.splitlines() if "people (headcount)" in line]
    assert [cell.strip() for cell in people.split("│")[2:5]] == ["2.8", "2.7", "-0.1"]


def test_exports_declare_one_type_for_the_headcount_column(run: Runner, write: Write) -> None:
    fractional = write("fte.yaml", render_yaml(NOISY))
    graphml = run("export", str(fractional), "--to", "graphml").stdout
    assert 'attr.name="headcount" attr.type="double"' in graphml
    whole = write("whole.yaml", "roles:\n  - {id: a, headcount: 2}\n  - {id: b}\n")
    graphml = run("export", str(whole), "--to", "graphml").stdout
    assert 'attr.name="headcount" attr.type="long"' in graphml
    mermaid = run("export", str(fractional), "--to", "mermaid").stdout
    assert "2.5 people" in mermaid


def test_the_html_report_gets_headcounts_as_plain_numbers() -> None:
    payload: dict[str, Any] = report_payload(
        clientchain.analyze(clientchain.loads(render_yaml(NOISY)))
    )
    assert payload["roles"]["headcount"] == [0, 0.1, 0.2, 2.5]
    assert payload["summary"]["headcount"] == 2.8
    assert [inv["impact"] for inv in payload["inversions"]] == [0.3]


def test_the_org_schema_takes_fractional_headcounts_and_refuses_negative_ones() -> None:
    from tests.schema_support import ORG_VALIDATOR, editor_view

    ok = textwrap.dedent("roles:\n  - {id: a, headcount: 0.5}\n")
    assert ORG_VALIDATOR.is_valid(editor_view(ok))
    assert not ORG_VALIDATOR.is_valid(editor_view(ok.replace("0.5", "-0.5")))
