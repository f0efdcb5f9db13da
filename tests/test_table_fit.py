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
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.overview import overview
from clientchain.model.policy import FailOn
from clientchain.model.rounding import format_amount
from clientchain.render import text_fit
from clientchain.render.analysis.sort import Sort
from clientchain.render.analysis.table import (
    BUDGET_FUNDED_LISTED,
    DEFAULT_LIMIT,
    SCREEN_ROWS,
    render_table,
)
from clientchain.render.analysis.verdict import verdict
from clientchain.render.text_fit import Column, Span, cell, fit_table, fit_words, wrap_line
from clientchain.render.words import count, levels_text
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
    # each row's first line: the ids (the titles under them are on the next line)
    assert [p for p in pairs if p[0].isdigit()][-DEFAULT_LIMIT:] == [
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


@pytest.mark.slow
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


# --- every width: nothing cut, nothing wider than the terminal ---------------------------

EXAMPLE_NAMES = sorted(p.parent.name for p in EXAMPLES.glob("*/org.yaml"))
# Every header the tables may show: a word of a header line that is not one of these
# was cut or folded.
HEADER_WORDS = {
    word
    for header in (
        "Role", "Department", "People", "Span", "Inflow", "Alienation", "Hand-overs",
        "Largest funder", "Broken chain", "Client", "Pays", "Touchpoints", "Departments",
        "Owner", "Common boss", "Boss", "Subordinate", "Levels", "Net down",
        "Impact (people)",
    )
    for word in header.split()
}  # fmt: skip
FAST_WIDTHS = (30, 44, 61, 80, 120)


@pytest.fixture(scope="module")
def examples() -> dict[str, Analysis]:
    here = Path.cwd()
    os.chdir(EXAMPLES.parent)  # findings name the file as a user types it
    try:
        return {
            name: clientchain.analyze(clientchain.load(Path(f"examples/{name}/org.yaml")))
            for name in EXAMPLE_NAMES
        }
    finally:
        os.chdir(here)


def expected_figures(analysis: Analysis) -> Counter[str]:
    """The figures of the rows the table shows by default, from the JSON document: the
    roles (all when the org fits a screen, else the most alienated), the clients, the
    inversions (a budget-funded org: the first few by impact)."""
    d = doc(analysis)
    decimals, currency = analysis.org.amount_decimals, d["currency"]
    fits = len(d["roles"]) <= SCREEN_ROWS
    cap = None if fits else DEFAULT_LIMIT
    roles = d["roles"] if fits else most_alienated(d["roles"], DEFAULT_LIMIT)
    budget = overview(analysis).budget_funded
    inversions = d["inversions"][: BUDGET_FUNDED_LISTED if budget else cap]

    def money(value: float) -> str:
        amount = format_amount(value, decimals)
        return f"{amount} {currency}" if currency else amount

    figures: Counter[str] = Counter()
    for r in roles:
        distance = r["distance"]
        figures.update(
            [
                format_amount(r["inflow"], decimals),
                f"{r['alienation']:.3f}",
                "—" if distance is None else f"{distance:.2f}",
            ]
        )
    figures.update(money(c["money_out"]) for c in d["clients"][:cap])
    for inv in inversions:
        figures.update(
            [
                money(inv["net"]),
                f"{inv['impact_headcount']:,}",
                levels_text(inv["levels"], inv["line"]),
            ]
        )
    return figures


def whole(figure: str, text: str) -> int:
    """How often `figure` stands whole in `text` (no digit, comma or point glued to it)."""
    return len(re.findall(rf"(?<![\w,.]){re.escape(figure)}(?![\w,.])", text))


def assert_fits(analysis: Analysis, width: int) -> None:
    text = shown(analysis, width)
    lines = stripped(text)
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, (width, too_wide[:3])
    assert_nothing_cut(text)
    for figure, times in expected_figures(analysis).items():
        assert whole(figure, text) >= times, (width, figure)
    headers = [line for line in lines if "┃" in line]
    words = {w for line in headers for c in line.split("┃") for w in c.split()}
    assert words <= HEADER_WORDS, (width, words - HEADER_WORDS)
    # A finding listed is listed whole: its place and code, then its message.
    flat = "".join(text.split())
    listed = 0
    for f in analysis.findings:
        if "".join(f"{f.file}:{f.line}: {f.level.value} {f.code} ".split()) in flat:
            listed += 1
            assert "".join(f.message.split()) in flat, (width, f.message)
    assert listed or not analysis.findings


@pytest.mark.parametrize("width", FAST_WIDTHS)
def test_every_table_fits_the_width_with_every_figure_whole(
    examples: dict[str, Analysis], big: Analysis, width: int
) -> None:
    for analysis in (*examples.values(), big):
        assert_fits(analysis, width)


@pytest.mark.slow
def test_every_width_from_30_to_200(examples: dict[str, Analysis], big: Analysis) -> None:
    for width in range(30, 201):
        for analysis in (*examples.values(), big):
            assert_fits(analysis, width)


def test_narrower_than_any_table_the_rows_are_stacked(dealership: Analysis) -> None:
    """At 40 columns no table keeps its figures whole: each role is a block of
    `label value` lines, in the table's order."""
    lines = stripped(shown(dealership, 40))
    start = lines.index("Roles (file order)")
    assert lines[start + 1 : start + 5] == [
        "owner · Owner",
        "  Inflow      1,200,000",
        "  Alienation  0.876 █████████░",
        "  Hand-overs  4.03",
    ]
    inversions = lines.index("Inverted relationships (boss acts as the") + 2
    assert lines[inversions : inversions + 6] == [
        "director · Dealership director",
        "  Subordinate      accountant",
        "                   Accountant",
        "  Levels           1",
        "  Net down         300,000 UAH",
        "  Impact (people)  2",
    ]


def test_a_figure_header_wraps_between_words_rather_than_being_cut(
    examples: dict[str, Analysis],
) -> None:
    text = shown(examples["matrix"], 80)
    assert "Impact (peopl" not in text
    header = [line for line in stripped(text) if "┃" in line and "Impact" in line]
    assert header and header[0].endswith("Impact ┃")


# --- which rows and columns ---------------------------------------------------------------


def test_an_org_that_fits_a_screen_shows_every_row_of_every_table(
    examples: dict[str, Analysis],
) -> None:
    store = examples["music-store"]
    d = doc(store)
    assert len(d["roles"]) <= SCREEN_ROWS and len(d["clients"]) > DEFAULT_LIMIT
    text = shown(store, 200)
    assert "more clients" not in text and "more findings" not in text
    rows = row_lines(text)
    assert [c["id"] for c in d["clients"] if c["id"] in rows] == [c["id"] for c in d["clients"]]
    # Larger than the screen: each table capped at DEFAULT_LIMIT.
    small = stripped(shown(store, 200, screen_rows=5))
    hidden = len(d["clients"]) - DEFAULT_LIMIT
    assert f"… {hidden} more clients (use --limit 0 for all)" in small


def test_an_explicit_limit_caps_a_budget_funded_orgs_inversions_and_findings(
    examples: dict[str, Analysis],
) -> None:
    treasury = examples["uk-treasury"]
    d = doc(treasury)
    text = shown(treasury, 120, limit=50)
    rows = [line for line in text.splitlines() if line.count("│") == 6]
    pairs = [tuple(c.strip() for c in row.split("│")[1:3]) for row in rows]
    expected = [(inv["boss"], inv["subordinate"]) for inv in d["inversions"][:50]]
    assert [p for p in pairs if p in set(expected)] == expected
    assert f"… {len(d['inversions']) - 50:,} more inversions (use --limit 0 for all)" in text
    assert text.count(" error CC101") == 50


def test_columns_left_out_are_named_and_levels_stay(examples: dict[str, Analysis]) -> None:
    text = shown(examples["matrix"], 80)
    joined = " ".join(stripped(text))
    assert (
        "Not shown at 80 columns: Departments, Owner (a wider terminal or --format json" in joined
    )
    dotted = [i for i in doc(examples["matrix"])["inversions"] if i["line"] == "dotted"]
    assert dotted and whole(levels_text(1, "dotted"), text) == len(dotted)


def test_the_header_counts_the_clients_that_pay(write: Any) -> None:
    org = (EXAMPLES / "dealership" / "org.yaml").read_text(encoding="utf-8")
    org = org.replace("clients:\n", "clients:\n  - id: ghost\n", 1)
    write("flows.csv", (EXAMPLES / "dealership" / "flows.csv").read_text(encoding="utf-8"))
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", org)))
    paying = [c for c in doc(analysis)["clients"] if c["money_out"] > 0]
    assert len(paying) == 3 and len(doc(analysis)["clients"]) == 4
    assert "│ 9 roles · 18 people · 3 paying clients (4 listed) · 11 flows" in shown(analysis, 120)


def test_the_largest_funder_is_named_for_what_it_is(dealership: Analysis) -> None:
    text = shown(dealership, 120)
    assert "Largest funder" in text and "mostly" not in text
    owner = doc(dealership)["roles"][0]
    assert (
        f"{owner['provenance'][0]['client']} {owner['provenance'][0]['share']:.0%}"
        in (row_lines(text)["owner"])
    )


# --- findings -----------------------------------------------------------------------------


def test_a_finding_wraps_between_words_under_its_place(dealership: Analysis) -> None:
    lines = stripped(shown(dealership, 80))
    first = lines.index(
        "examples/dealership/org.yaml:43: error CC101 'director' is a net payer of its"
    )
    assert lines[first + 1 : first + 4] == [
        "  subordinate 'accountant' (net 300,000 UAH flows down 1 level): the boss acts",
        "  as the subordinate's client",
        "examples/dealership/org.yaml:48: warning CC102 'marketing' receives no money",
    ]


def test_wrapping_keeps_each_style_on_its_characters() -> None:
    line = Text()
    line.append("a/deep/place/org.yaml:12: ", style="dim")
    line.append("error CC101", style="bold red")
    keep = len(line.plain)
    line.append(" 'boss' is a net payer of its subordinate 'clerk'", style="")
    line.stylize("underline", keep + 2, keep + 6)  # 'boss'
    wrapped = wrap_line(line, 30, keep=keep)
    assert all(cell_len(part) <= 30 for part in wrapped.plain.split("\n"))

    def styled(text: Text) -> list[tuple[str, str]]:
        """Each visible character with the styles on it."""
        out = []
        for i, char in enumerate(text.plain):
            if not char.isspace():
                on = sorted(str(s.style) for s in text.spans if s.start <= i < s.end)
                out.append((char, " ".join(on)))
        return out

    assert styled(wrapped) == styled(line)


# --- cutting ------------------------------------------------------------------------------


def test_wide_characters_are_cut_by_their_width_in_the_middle() -> None:
    word = "東京本社営業第一部長代理-0042"
    cut = fit_words(word, 12)
    assert cell_len(cut) <= 12
    assert cut.startswith("東京") and cut.endswith("0042") and "…" in cut


def test_a_wide_id_in_a_narrow_table_keeps_both_ends(write: Any) -> None:
    wide = "東京本社営業第一部長代理補佐官室長-0042"
    org = f"""
    clients: [{{id: buyers}}]
    roles:
      - id: {wide}
      - id: seller
        reports_to: {wide}
    flows:
      - {{from: buyers, to: seller, amount: 1200000}}
      - {{from: seller, to: {wide}, amount: 600000}}
    """
    analysis = clientchain.analyze(clientchain.load(write("org.yaml", org)))
    text = shown(analysis, 80)
    assert all(cell_len(line) <= 80 for line in text.splitlines())
    cut = [w for line in text.splitlines() for w in line.split() if "…" in w and "東京" in w]
    assert cut and all(w.endswith("0042") for w in cut)


def test_fitting_leaves_the_columns_alone_and_measures_each_cell_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second fit starts afresh, and however many steps apply, each user text is
    shown (`clip`) a bounded number of times, not once per step."""
    rows = 300
    ids = [f"role-number-{i:04d}-of-the-organisation" for i in range(rows)]

    def columns() -> list[Column]:
        return [
            Column(
                "Role",
                [cell(Span(i, user=True), Span(f"Title {i}", user=True)) for i in ids],
                compact=[cell(Span(i, user=True)) for i in ids],
            ),
            Column("Department", [cell(Span("Customer Service", user=True)) for _ in ids]),
            Column("Owner", [cell(Span("head-of-service", user=True)) for _ in ids]),
            Column("Amount", [cell("1,234,567") for _ in ids], "right", figure=True),
        ]

    steps = [("drop", "Owner"), ("drop", "Department"), ("compact", "Role")]
    given = columns()
    narrow = fit_table(given, 40, steps)  # type: ignore[arg-type]
    assert narrow.dropped == ("Department", "Owner")
    assert given == columns()  # nothing of the caller's changed
    calls = 0
    real = text_fit.clip  # type: ignore[attr-defined]

    def counted(text: str, *args: Any) -> str:
        nonlocal calls
        calls += 1
        return real(text, *args)

    monkeypatch.setattr(text_fit, "clip", counted)
    again = fit_table(given, 200, steps)  # type: ignore[arg-type]
    wide = fit_table(columns(), 200, steps)  # type: ignore[arg-type]
    assert again.dropped == wide.dropped == ()
    render = [Console(file=io.StringIO(), width=200, color_system=None) for _ in range(2)]
    for console, fitted in zip(render, (again, wide), strict=True):
        console.print(fitted.table)
    assert render[0].file.getvalue() == render[1].file.getvalue()  # type: ignore[attr-defined]
    spans = 4 * rows  # the user spans of one fit (the compact form is never shown at 200)
    assert calls <= 2 * 3 * spans  # two fits; each span measured, then shown
