"""The analysis table fits the width it is printed at: no figure cut, no word broken,
the lower-priority columns giving way first; a large org shows its most alienated roles
first, capped, with a closing verdict.

Rendered in-process on a rich Console of a fixed width, as a pipe shows it (no colour).
Figures are checked against the JSON document (every figure the table shows for a row
is there whole) or the oracle; golden files keep the whole picture for review
(`CLIENTCHAIN_UPDATE_GOLDEN=1`).
"""

from __future__ import annotations

import io
import os
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.model.policy import FailOn
from clientchain.model.rounding import format_amount
from clientchain.render.analysis.sort import Sort
from clientchain.render.analysis.table import DEFAULT_LIMIT, render_table
from clientchain.render.analysis.verdict import verdict
from clientchain.render.words import count
from tests import oracle
from tests.big_org import write_big_org
from tests.conftest import EXAMPLES, check_golden
from tests.orgs import render_yaml

GOLDEN = Path(__file__).parent / "golden" / "table"
WIDTHS = (80, 120)


@pytest.fixture(scope="module")
def dealership() -> Analysis:
    here = Path.cwd()
    os.chdir(EXAMPLES.parent)  # findings name the file as a user types it
    try:
        return clientchain.analyze(clientchain.load(Path("examples/dealership/org.yaml")))
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    folder = tmp_path_factory.mktemp("big")
    org = write_big_org(folder)
    here = Path.cwd()
    os.chdir(folder)  # findings name the file as a user types it: org.yaml
    try:
        return clientchain.analyze(clientchain.load(Path(org.name)))
    finally:
        os.chdir(here)


def shown(analysis: Analysis, width: int, **options: Any) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=width, color_system=None, highlight=False, markup=False, emoji=False
    )
    console.print(render_table(analysis, **options))
    return out.getvalue()


def stripped(text: str) -> list[str]:
    """The lines as a person reads them (a table's title is padded to the table's width)."""
    return [line.rstrip() for line in text.splitlines()]


def doc(analysis: Analysis) -> dict[str, Any]:
    return clientchain.json_document(analysis)


def most_alienated(roles: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """The JSON's roles, most alienated first, file order among equals."""
    return sorted(roles, key=lambda r: -r["alienation"])[:k]


def row_lines(text: str) -> dict[str, str]:
    """Each table row's first line, by the id in its first cell."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = line.split("│")
        if len(cells) > 2 and cells[1].strip():
            rows.setdefault(cells[1].strip(), line)
    return rows


def assert_figures_whole(text: str, roles: list[dict[str, Any]], decimals: int) -> None:
    """Every figure the JSON has for these roles is on the role's row, whole."""
    rows = row_lines(text)
    for role in roles:
        line = rows[role["id"]]
        figures = re.findall(r"[\d,.]+|—", line)
        assert format_amount(role["inflow"], decimals) in figures, (role["id"], line)
        assert f"{role['alienation']:.3f}" in figures, (role["id"], line)
        distance = role["distance"]
        assert ("—" if distance is None else f"{distance:.2f}") in figures, (role["id"], line)


def assert_nothing_cut(text: str) -> None:
    """No figure runs into an ellipsis: a cut shows as ' …' after a whole word."""
    assert not re.search(r"\d…|…\d", text)


def assert_words_whole(text: str, texts: list[str]) -> None:
    """Each word of these titles and departments appears whole in some cell line."""
    words = {w for line in text.splitlines() for cell in line.split("│") for w in cell.split()}
    for phrase in texts:
        for word in phrase.split():
            assert word in words, word


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dealership_fits_with_every_figure_whole(dealership: Analysis, width: int) -> None:
    text = shown(dealership, width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert_nothing_cut(text)
    d = doc(dealership)
    assert_figures_whole(text, d["roles"], dealership.org.amount_decimals)
    titles = [r["title"] for r in d["roles"] if r["title"]]
    assert_words_whole(text, titles)
    for client in d["clients"]:
        assert f"{format_amount(client['money_out'], 0)} UAH" in text
    check_golden(GOLDEN / f"dealership-fit-{width}.txt", text)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_big_org_shows_its_most_alienated_roles_first(big: Analysis, width: int) -> None:
    text = shown(big, width)
    lines = stripped(text)
    assert max(len(line) for line in lines) <= width
    assert_nothing_cut(text)
    d = doc(big)
    top = most_alienated(d["roles"], DEFAULT_LIMIT)
    assert f"Roles (most alienated first, {DEFAULT_LIMIT} of 2,000)" in lines
    ids = [i for i in row_lines(text) if i in {r["id"] for r in d["roles"]}]
    assert ids[:DEFAULT_LIMIT] == [r["id"] for r in top]
    assert_figures_whole(text, top, big.org.amount_decimals)
    assert_words_whole(text, [r["title"] for r in top])
    hidden = len(d["roles"]) - DEFAULT_LIMIT
    assert f"… {hidden:,} more roles (use --limit 0 for all)" in lines
    # Inversions: the first ones by impact (the JSON's order), capped the same way.
    more = len(d["inversions"]) - DEFAULT_LIMIT
    assert f"… {more:,} more inversions (use --limit 0 for all)" in lines
    # One line per finding, the location and the code whole.
    findings = [line for line in lines if re.match(r"org\.yaml:\d+: (error|warning) CC\d{3}", line)]
    assert len(findings) == DEFAULT_LIMIT
    assert lines[-1] == verdict(big)
    check_golden(GOLDEN / f"big-org-{width}.txt", text)


def test_the_inversions_listed_are_those_with_most_people_affected(big: Analysis) -> None:
    text = shown(big, 200)
    d = doc(big)
    listed = d["inversions"][:DEFAULT_LIMIT]
    rows = [line for line in text.splitlines() if line.count("│") == 6]
    pairs = [tuple(cell.strip() for cell in row.split("│")[1:3]) for row in rows]
    assert [p for p in pairs if p[0] != "Boss"][-DEFAULT_LIMIT:] == [
        (inv["boss"], inv["subordinate"]) for inv in listed
    ]
    impacts = [inv["impact_headcount"] for inv in d["inversions"]]
    assert impacts == sorted(impacts, reverse=True)


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        (Sort.inflow, lambda r: -r["inflow"]),
        (Sort.impact, lambda r: -r["alienation"] * r["headcount"]),
        (Sort.file, lambda r: 0),
    ],
)
def test_sort_orders_the_roles(big: Analysis, sort: Sort, key: Any) -> None:
    text = shown(big, 200, sort=sort, limit=7)
    d = doc(big)
    expected = [r["id"] for r in sorted(d["roles"], key=key)[:7]]
    ids = [i for i in row_lines(text) if i in set(expected) | {r["id"] for r in d["roles"]}]
    assert ids[:7] == expected
    assert "… 1,993 more roles (use --limit 0 for all)" in stripped(text)


def test_limit_0_shows_every_role_and_inversion(big: Analysis) -> None:
    text = shown(big, 200, limit=0)
    assert "Roles (most alienated first)" in stripped(text)
    assert "more roles" not in text and "more inversions" not in text
    d = doc(big)
    errors = sum(f["level"] == "error" for f in d["findings"])
    assert text.count(" error CC") == errors


def test_an_org_that_fits_a_screen_keeps_file_order(dealership: Analysis) -> None:
    text = shown(dealership, 120)
    ids = [i for i in row_lines(text) if i in {r["id"] for r in doc(dealership)["roles"]}]
    assert ids == [r["id"] for r in doc(dealership)["roles"]]
    assert "Roles (file order)" in stripped(text)
    # A screen of 5 rows is smaller than the org: most alienated first, capped.
    small = shown(dealership, 120, screen_rows=5)
    assert "Roles (most alienated first)" in stripped(small)


def test_the_old_max_rows_keyword_still_caps(dealership: Analysis) -> None:
    text = shown(dealership, 120, max_rows=3)
    assert "… 6 more roles (use --limit 0 for all)" in stripped(text)


@pytest.mark.parametrize(
    ("fail_on", "exit_zero", "expected"),
    [
        (FailOn.ERROR, False, "exit 1 (fails at error)"),
        (FailOn.WARNING, False, "exit 1 (fails at warning)"),
        (FailOn.NEVER, False, "exit 0 (never fails (--fail-on never))"),
        (FailOn.ERROR, True, "exit 0 (--exit-zero; fails at error)"),
    ],
)
def test_the_verdict_counts_the_findings(
    dealership: Analysis, fail_on: FailOn, exit_zero: bool, expected: str
) -> None:
    levels = [f["level"] for f in doc(dealership)["findings"]]
    errors, warnings = levels.count("error"), levels.count("warning")
    said = f"{count(errors, 'error')}, {count(warnings, 'warning')} in 9 roles: {expected}"
    assert verdict(dealership, fail_on, exit_zero=exit_zero) == said
    assert said == f"1 error, 1 warning in 9 roles: {expected}"  # plurals right
    text = shown(dealership, 120, fail_on=fail_on, exit_zero=exit_zero)
    assert stripped(text)[-1] == said


def test_no_findings_and_one_of_each_in_words(write: Any) -> None:
    spec = oracle.OrgSpec((oracle.Role("r0"),), ("c0",), (("c0", "r0", 10),))
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", render_yaml(spec))))
    text = shown(analysis, 80)
    assert "│ 1 role · 1 person · 1 paying client · 1 flow · 1 layer" in text
    assert stripped(text)[-1] == "No findings in 1 role: exit 0 (fails at error)"


def test_hand_overs_are_the_oracles_distance(write: Any) -> None:
    """Client → a → b → c, and a loop back from c to b: distances the oracle computes."""
    roles = (oracle.Role("a"), oracle.Role("b", "a"), oracle.Role("c", "b"))
    flows = (
        ("client", "a", 90),
        ("client", "c", 10),
        ("a", "b", 60),
        ("b", "c", 30),
        ("c", "b", 5),
    )
    spec = oracle.OrgSpec(roles, ("client",), flows)
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", render_yaml(spec))))
    expected = oracle.analyze(spec).roles
    rows = row_lines(shown(analysis, 200))
    for rid in ("a", "b", "c"):
        distance = expected[rid].distance
        assert distance is not None
        figure = f"{float(Fraction(distance)):.2f}"
        assert f" {figure} " in rows[rid], (rid, rows[rid])


def test_a_long_id_is_cut_in_the_middle_not_folded(write: Any) -> None:
    long_id = "regional-operations-and-customer-experience-director-emea"
    text = f"""
    clients: [{{id: buyers}}]
    roles:
      - id: {long_id}
        title: Director
      - id: seller
        reports_to: {long_id}
    flows:
      - {{from: buyers, to: seller, amount: 1200000}}
      - {{from: seller, to: {long_id}, amount: 600000}}
    """
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", text)))
    out = shown(analysis, 60)
    assert max(len(line) for line in out.splitlines()) <= 60
    assert "1,200,000" in out and "600,000" in out
    cut = [w for line in out.splitlines() for w in line.split() if "…" in w and "regional" in w]
    assert cut and all(w.endswith("emea") or w.endswith("…") for w in cut)


def test_a_deep_path_keeps_the_place_and_code_of_each_finding_whole(tmp_path: Path) -> None:
    """On a narrow terminal, a finding in a deeply nested org chart still says where and
    which rule: its message goes under the place instead of the code being cut away."""
    deep = tmp_path.joinpath(*(f"level-{n}-of-the-org-design-repository" for n in range(4)))
    deep.mkdir(parents=True)
    (deep / "org.yaml").write_text(
        "clients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: idle\n    reports_to: boss\n"
        "flows:\n  - {from: buyers, to: boss, amount: 10}\n",
        encoding="utf-8",
    )
    analysis = clientchain.analyze(clientchain.load(deep / "org.yaml"))
    console = Console(file=io.StringIO(), width=80, color_system=None, soft_wrap=False)
    console.print(render_table(analysis))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    place = f"{deep / 'org.yaml'}:5: warning CC102"
    assert "".join(place.split()) in "".join(text.split())  # whole, wherever it wraps
    assert "\n  'idle' receives no money" in text
