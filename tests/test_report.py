"""`clientchain report`: the embedded data, the page's safety rules, and the command line.

The page itself is exercised in a real browser by test_report_browser.py. The data
golden (tests/golden/report/) is regenerated only with `CLIENTCHAIN_UPDATE_GOLDEN=1`.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import json
import os
import pty
import random
import re
import subprocess
import sys
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import clientchain
from clientchain.analyses.analyze import Analysis
from clientchain.analyses.chain import trace_chain
from clientchain.render.report.data import report_payload
from clientchain.render.report.html import embed_json, render_html
from clientchain.render.report.numbers import abbreviate
from clientchain.render.report.summary import figures, plain, summary_sentences
from tests import oracle
from tests.big_org import write_big_org
from tests.conftest import EXAMPLES, Run, example_params

ORGS = sorted(EXAMPLES.glob("*/org.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "report"
UPDATE = os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1"
HOSTILE = [
    "</script><script>alert(1)</script>",
    '"onmouseover=alert(2) x="',
    "<!-- & \u2028 \u2029 -->",
    "Ünïcødé 中文",
]


def _analysis(org: Path, **options: Any) -> Analysis:
    return clientchain.analyze(clientchain.load(org, flows=[]), **options)


def _spec(loaded: clientchain.Org) -> oracle.OrgSpec:
    """The org as the oracle reads it: plain ids, parents, headcounts and flow rows."""
    ids = loaded.role_ids
    roles = tuple(
        oracle.Role(
            ids[i],
            ids[p] if p >= 0 else None,
            Fraction(repr(h)),
            dotted=tuple(ids[b] for b in loaded.dotted.of(i)),
            serves=tuple(loaded.node_id(n) for n in loaded.serves.of(i)),
        )
        for i, (p, h) in enumerate(
            zip(loaded.parent.tolist(), loaded.headcount.tolist(), strict=True)
        )
    )
    flows = tuple(
        (loaded.node_id(a), loaded.node_id(b), Fraction(repr(m)))  # the amount as written
        for a, b, m in zip(
            loaded.flow_payer.tolist(),
            loaded.flow_payee.tolist(),
            loaded.flow_amount.tolist(),
            strict=True,
        )
    )
    return oracle.OrgSpec(roles, tuple(loaded.client_ids), flows)


def _roles(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload's role columns as one dict per role."""
    columns = {k: v for k, v in payload["roles"].items() if not k.startswith("prov_")}
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


# --- the embedded data ---------------------------------------------------------------


@pytest.mark.parametrize("org", example_params(ORGS))
def test_every_role_is_embedded_with_the_oracles_figures(org: Path) -> None:
    analysis = _analysis(org)
    payload = report_payload(analysis)
    want = oracle.analyze(_spec(analysis.org), Fraction(1, 2))
    roles = _roles(payload)
    assert [r["id"] for r in roles] == list(want.roles)  # every role, file order
    assert payload["shown_roles"] == payload["total_roles"] == len(want.roles)
    ids = payload["roles"]["id"]
    for k, role in enumerate(roles):
        exp = want.roles[role["id"]]
        assert role["alienation"] == pytest.approx(float(exp.alienation), abs=1e-12)
        assert role["closeness"] == pytest.approx(float(exp.closeness), abs=1e-12)
        assert role["traced"] == pytest.approx(float(exp.traced_share), abs=1e-12)
        assert role["inflow"] == float(exp.inflow)  # the exact sum, as the nearest float
        assert Fraction(repr(role["headcount"])) == exp.headcount
        assert (ids[role["parent"]] if role["parent"] >= 0 else None) == exp.parent
        assert role["unfunded"] == int(exp.traced_share == 0)
        if exp.distance is None:
            assert role["distance"] is None
        else:
            assert role["distance"] == pytest.approx(float(exp.distance), abs=1e-9)
        lo, hi = payload["roles"]["prov_ptr"][k : k + 2]
        shares = {
            payload["clients"]["id"][c]: s
            for c, s in zip(
                payload["roles"]["prov_client"][lo:hi],
                payload["roles"]["prov_share"][lo:hi],
                strict=True,
            )
        }
        top = oracle.top_provenance(exp.shares, payload["top_clients"])
        assert list(shares) == [c for c, _ in top]
        for client, share in top:
            assert shares[client] == pytest.approx(float(share), abs=1e-12)
    summary = payload["summary"]
    for key in ("roles", "headcount", "clients", "flows", "inversions", "unfunded_roles"):
        exact = want.summary[key]  # a count, or an exact sum shown as its nearest float
        assert summary[key] == (float(exact) if isinstance(exact, Fraction) else exact), key
    assert summary["money_in"] == float(want.summary["money_in"])  # type: ignore[arg-type]
    assert summary["org_alienation"] == pytest.approx(
        float(want.summary["org_alienation"]),  # type: ignore[arg-type]
        abs=1e-12,
    )
    pairs = [(ids[i["boss"]], ids[i["subordinate"]], i["net"]) for i in payload["inversions"]]
    assert pairs == [(i.boss, i.subordinate, float(i.net)) for i in want.inversions]


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_payers_are_listed_in_the_order_the_chain_command_walks_them(org: Path) -> None:
    analysis = _analysis(org)
    payload = report_payload(analysis)
    names = [*payload["roles"]["id"], *payload["clients"]["id"], *payload["hidden"]]
    ptr, node = payload["payers"]["ptr"], payload["payers"]["node"]
    for v in range(analysis.org.role_count):
        first_hand_overs = trace_chain(analysis.org, analysis.graph, v, max_depth=1)
        expected = [analysis.org.node_id(h.node) for h in first_hand_overs.payers]
        assert [names[n] for n in node[ptr[v] : ptr[v + 1]]] == expected


def test_inversions_below_each_role_are_counted_by_walking_up() -> None:
    analysis = _analysis(EXAMPLES / "back-office" / "org.yaml")
    payload = report_payload(analysis)
    parent = payload["roles"]["parent"]
    below = [0] * len(parent)
    for inv in payload["inversions"]:
        up = parent[inv["subordinate"]]
        while up >= 0:
            below[up] += 1
            up = parent[up]
    assert payload["roles"]["inv_below"] == below
    assert max(below) > 0


def test_the_dealership_payload_matches_its_reviewed_golden() -> None:
    payload = report_payload(_analysis(EXAMPLES / "dealership" / "org.yaml"))
    text = json.dumps(payload, indent=1, ensure_ascii=False) + "\n"
    golden = GOLDEN / "dealership.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_a_big_organisation_shows_its_top_and_says_so() -> None:
    analysis = _analysis(EXAMPLES / "dealership" / "org.yaml")
    payload = report_payload(analysis, max_roles=4)
    assert (payload["shown_roles"], payload["total_roles"]) == (4, 9)
    ids = payload["roles"]["id"]
    # The roles nearest the top, ties in file order; every boss of a shown role is shown.
    assert ids == ["owner", "director", "sales-manager", "service-manager"]
    assert all(p < len(ids) for p in payload["roles"]["parent"])
    assert payload["summary"]["roles"] == 9  # headline figures are the whole org's
    assert payload["inversions"] == []  # the accountant is below the cut
    assert payload["findings"] == []
    assert payload["findings_not_shown"] == 2
    assert payload["roles"]["inv_below"][ids.index("director")] == 1
    assert payload["roles"]["reports"][ids.index("sales-manager")] == 2
    # Payers outside the report are named, not dropped.
    assert payload["hidden"] == ["seller", "fleet-manager", "mechanic"]
    everyone = report_payload(analysis, max_roles=0)
    assert everyone["shown_roles"] == 9


@pytest.mark.parametrize(
    "text",
    [
        "roles: []\n",
        "clients: [{id: buyers}]\nroles: [{id: a}, {id: b, reports_to: a}]\n"
        "flows: [{from: buyers, to: b, amount: 10}, {from: b, to: a, amount: 4}]\n",
    ],
    ids=["no-roles", "no-inversions"],
)
def test_small_organisations_without_inversions(
    write: Callable[[str, str], Path], text: str
) -> None:
    analysis = _analysis(write("org.yaml", text))
    payload = report_payload(analysis, max_roles=1)
    assert payload["inversions"] == []
    assert payload["roles"]["broken"] == [-1] * payload["shown_roles"]
    assert payload["roles"]["parent"] == [-1] * payload["shown_roles"]
    assert payload["hidden"] == (["b"] if analysis.org.role_count else [])
    assert "<!DOCTYPE html>" in render_html(analysis)


def test_the_same_input_in_another_row_order_gives_the_same_page(tmp_path: Path) -> None:
    org = (EXAMPLES / "dealership" / "org.yaml").read_text(encoding="utf-8")
    rows = (EXAMPLES / "dealership" / "flows.csv").read_text(encoding="utf-8").splitlines()
    pages = set()
    for seed in range(3):
        body = rows[1:]
        random.Random(seed).shuffle(body)
        folder = tmp_path / f"s{seed}"
        folder.mkdir()
        (folder / "flows.csv").write_text("\n".join([rows[0], *body]) + "\n", encoding="utf-8")
        path = folder / "org.yaml"
        path.write_text(org, encoding="utf-8")
        pages.add(render_html(_analysis(path)))
    assert len(pages) == 1


# --- the page's safety rules -------------------------------------------------------


def test_embedded_json_cannot_end_its_script_element() -> None:
    data = {"ids": HOSTILE, HOSTILE[0]: HOSTILE[2]}
    text = embed_json(data)
    for dangerous in ("<", ">", "&", "\u2028", "\u2029"):
        assert dangerous not in text
    assert json.loads(text) == data


def _hostile_org(write: Callable[[str, str], Path]) -> Path:
    return write(
        "org.yaml",
        f"""
        org: {json.dumps(HOSTILE[0])}
        currency: {json.dumps("<b>€</b>")}
        clients:
          - id: {json.dumps(HOSTILE[0])}
            title: {json.dumps(HOSTILE[1])}
        roles:
          - id: {json.dumps(HOSTILE[1])}
            title: {json.dumps(HOSTILE[0])}
          - id: {json.dumps(HOSTILE[2])}
            title: {json.dumps(HOSTILE[3])}
            reports_to: {json.dumps(HOSTILE[1])}
        flows:
          - {{from: {json.dumps(HOSTILE[0])}, to: {json.dumps(HOSTILE[2])}, amount: 100}}
          - {{from: {json.dumps(HOSTILE[1])}, to: {json.dumps(HOSTILE[2])}, amount: 40}}
        """,
    )


def test_user_text_reaches_the_page_only_escaped(write: Callable[[str, str], Path]) -> None:
    page = render_html(_analysis(_hostile_org(write)))
    assert page.count("<script") == 2  # the data and the page's own script, nothing else
    markup = page.replace(embed_json_section(page), "")
    for text in HOSTILE[:3]:
        assert text not in markup
    # The title is the only user text in the markup: escaped, in <title> and <h1>.
    assert markup.count(html.escape(HOSTILE[0])) == 2
    data = json.loads(embed_json_section(page))
    assert data["roles"]["id"] == [HOSTILE[1], HOSTILE[2]]
    assert data["title"] == HOSTILE[0]


def embed_json_section(page: str) -> str:
    match = re.search(r'<script type="application/json" id="clientchain-data">(.*?)</script>', page)
    assert match is not None
    return match.group(1)


def test_the_page_allows_no_network_and_only_its_own_style_and_script() -> None:
    page = render_html(_analysis(EXAMPLES / "dealership" / "org.yaml"))
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    rules = dict(rule.strip().split(" ", 1) for rule in csp.group(1).split(";"))
    assert rules["default-src"] == "'none'"
    assert "connect-src" not in rules
    assert "unsafe-inline" not in csp.group(1)
    for tag, rule in (("style", "style-src"), ("script", "script-src")):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", page, re.S)
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert rules[rule] == f"'sha256-{digest}'"
    outside_data = page.replace(embed_json_section(page), "")
    assert not re.search(r"\b(src|href|url)\s*[=(]", outside_data)
    assert "http://" not in outside_data and "https://" not in outside_data
    assert "innerHTML" not in outside_data and "insertAdjacentHTML" not in outside_data


# --- the command line ---------------------------------------------------------------


def test_report_writes_the_file_and_says_where(run: Callable[..., Run], tmp_path: Path) -> None:
    org = EXAMPLES / "dealership" / "org.yaml"
    before = org.read_bytes()
    target = tmp_path / "report.html"
    result = run("report", str(org), "-o", str(target), "--title", "Leadership offsite")
    assert result.exit_code == 0  # the report is written, whatever it finds
    assert result.stdout == ""
    assert result.stderr == f"clientchain: wrote {target} (9 roles, 1 inversion)\n"
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Leadership offsite</title>" in page
    assert json.loads(embed_json_section(page))["title"] == "Leadership offsite"
    assert org.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary left


def test_report_to_stdout_with_a_dash_or_into_a_pipe(run: Callable[..., Run]) -> None:
    org = str(EXAMPLES / "dealership" / "org.yaml")
    dash = run("report", org, "-o", "-")
    piped = run("report", org)
    for result in (dash, piped):
        assert result.exit_code == 0
        assert result.stdout.startswith("<!DOCTYPE html>")
        assert result.stderr == "clientchain: wrote the report (9 roles, 1 inversion) to stdout\n"
    assert dash.stdout == piped.stdout


def test_report_refuses_to_print_html_on_a_terminal(tmp_path: Path) -> None:
    primary, replica = pty.openpty()
    org = str(EXAMPLES / "dealership" / "org.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "clientchain", "report", org],
        stdout=replica,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        check=False,
        text=True,
    )
    os.close(replica)
    os.close(primary)
    assert proc.returncode == 2
    assert (
        proc.stderr == "clientchain: name the HTML file with -o report.html (or -o - for stdout)\n"
    )


@pytest.mark.parametrize("victim", ["org.yaml", "flows.csv"])
def test_report_never_overwrites_an_input(
    run: Callable[..., Run], write: Callable[[str, str], Path], victim: str
) -> None:
    write("flows.csv", "from,to,amount\nbuyers,seller,100\n")
    org = write(
        "org.yaml",
        """
        flows: flows.csv
        clients: [{id: buyers}]
        roles: [{id: seller}]
        """,
    )
    before = {p.name: p.read_bytes() for p in org.parent.iterdir()}
    target = org.parent / victim
    result = run("report", str(org), "-o", str(target))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"clientchain: -o {target}: that is an input file (")
    assert result.stderr.endswith("); name a new file\n") and result.stderr.count("\n") == 1
    assert {p.name: p.read_bytes() for p in org.parent.iterdir()} == before


def test_report_into_a_missing_folder_is_a_usage_error(
    run: Callable[..., Run], tmp_path: Path
) -> None:
    target = tmp_path / "nowhere" / "r.html"
    result = run("report", str(EXAMPLES / "dealership" / "org.yaml"), "-o", str(target))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"clientchain: -o {target}: the folder {target.parent} does not exist\n"
    )


def test_report_of_bad_input_names_the_place_and_writes_nothing(
    run: Callable[..., Run], write: Callable[[str, str], Path], tmp_path: Path
) -> None:
    org = write("org.yaml", "roles:\n  - id: a\n    reports_to: ghost\n")
    result = run("report", str(org), "-o", str(tmp_path / "r.html"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.match(rf"{re.escape(str(org))}:3:\d+: .*ghost", result.stderr)
    assert not (tmp_path / "r.html").exists()


def test_report_options_are_checked(run: Callable[..., Run], tmp_path: Path) -> None:
    org = str(EXAMPLES / "dealership" / "org.yaml")
    bad = run("report", org, "-o", str(tmp_path / "r.html"), "--decay", "1.5")
    assert bad.exit_code == 2
    assert "--decay" in bad.stderr and "between 0 and 1" in bad.stderr
    assert bad.stdout == ""
    capped = run("report", org, "-o", str(tmp_path / "r.html"), "--max-roles", "4")
    assert capped.exit_code == 0
    assert capped.stderr == (
        f"clientchain: wrote {tmp_path / 'r.html'} (the top 4 of 9 roles, 1 inversion)\n"
    )
    data = json.loads(embed_json_section((tmp_path / "r.html").read_text(encoding="utf-8")))
    assert data["shown_roles"] == 4
    decayed = run("report", org, "-o", "-", "--decay", "0.9", "--top-clients", "1")
    data = json.loads(embed_json_section(decayed.stdout))
    assert data["decay"] == 0.9
    assert np.diff(data["roles"]["prov_ptr"]).max() == 1


# --- the executive summary and the short figures -------------------------------------
# Every count is recomputed here from the JSON document (`analyze --format json`), in
# plain Python: never read back from the report's own sentences.


@pytest.mark.parametrize(
    ("value", "short"),
    [
        (0, "0"),
        (950, "950"),
        (999.6, "1K"),
        (950_000, "950K"),
        (999_999, "1M"),
        (13_800_000, "13.8M"),
        (504_929_000, "505M"),
        (1_234_567_890, "1.23B"),
    ],
)
def test_headline_figures_are_abbreviated_to_three_digits(value: float, short: str) -> None:
    assert abbreviate(value) == short


def test_every_abbreviation_is_within_half_a_unit_of_its_third_digit() -> None:
    units = {"K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
    rng = random.Random(17)
    for _ in range(2000):
        value = round(10 ** rng.uniform(0, 14))
        short = abbreviate(value)
        number, unit = (short[:-1], units[short[-1]]) if short[-1] in units else (short, 1)
        shown = Fraction(number.replace(",", "")) * unit
        digits = len(number.replace(".", "").replace(",", "").lstrip("0"))
        assert digits <= 4 and len(short) <= 6, short  # "1,000" only below a thousand
        # three significant digits: off by at most half of the third digit's place
        assert abs(shown - value) <= Fraction(10) ** (len(str(value)) - 3) / 2, (value, short)


def _figures_from_json(document: dict[str, Any]) -> dict[str, Any]:
    """summary.py's counts, as its docstring defines them, from the JSON document."""
    roles = document["roles"]
    heads = {r["id"]: Fraction(repr(r["headcount"])) for r in roles}
    people = sum(heads.values(), Fraction(0))

    def boss_funded(role: dict[str, Any]) -> bool:
        received = sum(Fraction(repr(c["net"])) for c in role["clients"])
        from_bosses = sum(
            Fraction(repr(c["net"])) for c in role["clients"] if c["relation"] == "boss"
        )
        return 2 * from_bosses > received

    unfunded = [r for r in roles if r["traced_share"] == 0]
    fragmented = [c for c in document["clients"] if c["fragmented"]]
    largest_unfunded = max(unfunded, key=lambda r: heads[r["id"]], default=None)  # first of ties
    most = heads[largest_unfunded["id"]] if largest_unfunded else None
    return {
        "roles": len(roles),
        "people": people,
        "paying_clients": sum(1 for c in document["clients"] if c["money_out"] > 0),
        "clients": len(document["clients"]),
        "money_in": document["summary"]["money_in"],
        "people_paid_directly": sum(
            (
                heads[r["id"]]
                for r in roles
                if any(c["relation"] == "external" for c in r["clients"])
            ),
            Fraction(0),
        ),
        "boss_funded_roles": sum(1 for r in roles if boss_funded(r)),
        "inversions": len(document["inversions"]),
        "largest_break": (
            (document["inversions"][0]["boss"], document["inversions"][0]["subordinate"])
            if document["inversions"]
            else None
        ),
        "people_broken": sum(
            (heads[r["id"]] for r in roles if r["chain_broken_at"] is not None), Fraction(0)
        ),
        "unfunded_roles": len(unfunded),
        "unfunded_people": sum((heads[r["id"]] for r in unfunded), Fraction(0)),
        "largest_unfunded": largest_unfunded["id"] if largest_unfunded else None,
        "largest_unfunded_ties": sum(1 for r in unfunded if heads[r["id"]] == most),
        "fragmented_clients": len(fragmented),
        "largest_fragmented": (
            max(fragmented, key=lambda c: c["money_out"])["id"] if fragmented else None
        ),
    }


def _figures_as_ids(analysis: Analysis) -> dict[str, Any]:
    f = figures(analysis)
    org, inv = analysis.org, analysis.inversions_raw
    got = dataclasses.asdict(f)
    del got["org_alienation"]
    for key in ("people", "people_paid_directly", "people_broken", "unfunded_people"):
        got[key] = Fraction(repr(got[key]))
    got["largest_break"] = (
        (org.role_ids[int(inv.boss[0])], org.role_ids[int(inv.subordinate[0])])
        if f.largest_break is not None
        else None
    )
    got["largest_unfunded"] = (
        org.role_ids[f.largest_unfunded] if f.largest_unfunded is not None else None
    )
    got["largest_fragmented"] = (
        org.client_ids[f.largest_fragmented] if f.largest_fragmented is not None else None
    )
    return got


def _big_org(tmp_path: Path) -> Path:
    return write_big_org(tmp_path / "big")


@pytest.mark.parametrize("org", [*example_params(ORGS), pytest.param(None, id="2000-roles")])
def test_the_summary_counts_what_the_json_document_says(org: Path | None, tmp_path: Path) -> None:
    analysis = _analysis(org or _big_org(tmp_path))
    document = json.loads(json.dumps(clientchain.json_document(analysis)))
    assert _figures_as_ids(analysis) == _figures_from_json(document)


def test_the_2000_role_summary_names_the_largest_break_and_counts_the_people(
    tmp_path: Path,
) -> None:
    analysis = _analysis(_big_org(tmp_path))
    document = clientchain.json_document(analysis)
    want = _figures_from_json(document)
    text = [plain(s) for s in summary_sentences(analysis)]
    first = document["inversions"][0]
    title = {r["id"]: r["title"] for r in document["roles"]}
    boss, sub = first["boss"], first["subordinate"]
    assert text[2] == (
        f"{want['boss_funded_roles']:,} of {want['roles']:,} roles are paid mostly through a"
        f" boss's budget; the largest break is {title[boss]} ({boss}) \u2192 {title[sub]}"
        f" ({sub}), affecting {first['impact_headcount']:,} people."
    )
    broken, people = int(want["people_broken"]), int(want["people"])  # whole headcounts
    assert text[3] == (
        f"In all, {want['inversions']} inverted relationships (a boss paying a subordinate"
        f" net) break the chain to the clients for {broken:,} of {people:,} people"
        f" ({round(100 * broken / people)}%)."
    )


def test_the_dealership_summary_reads_as_reviewed() -> None:
    analysis = _analysis(EXAMPLES / "dealership" / "org.yaml")
    assert [plain(s) for s in summary_sentences(analysis)] == [
        "9 roles and 18 people; 3 paying clients bring in 13.8M UAH in all.",
        "11 of 18 people (61%) work in roles that clients pay directly; org alienation is"
        " 0.305, fairly close to the clients who pay (0: everyone is paid directly by a"
        " client; 1: none of the money traces back to one).",
        "1 of 9 roles is paid mostly through a boss's budget; the largest break is Dealership"
        " director (director) \u2192 Accountant (accountant), affecting 2 people.",
        "In all, 1 inverted relationship (a boss paying a subordinate net) breaks the chain"
        " to the clients for 2 of 18 people (11%).",
        "1 role, with 1 person, has no paying client (none of its money traces back to"
        " one): Marketing specialist (marketing).",
        "None of the 3 clients is fragmented across departments.",
        "Look first at the largest break, Dealership director (director) \u2192 Accountant"
        " (accountant); then at Marketing specialist (marketing), which has no paying client.",
    ]
    amount = summary_sentences(analysis)[0][1]
    assert amount == {"short": "13.8M UAH", "full": "13,800,000 UAH"}  # the full on hover


def _sentences(write: Callable[[str, str], Path], chart: str) -> list[str]:
    return [plain(s) for s in summary_sentences(_analysis(write("org.yaml", chart)))]


def test_a_break_with_no_role_paid_mostly_by_its_boss_says_so(
    write: Callable[[str, str], Path],
) -> None:
    # b earns 1000 from the buyers and gets 10 net from its boss a: an inversion, but b
    # is not paid mostly through a's budget.
    text = _sentences(
        write,
        "clients: [{id: buyers}]\nroles: [{id: a, title: Boss}, {id: b, reports_to: a,"
        " title: Seller, headcount: 3}]\nflows: [{from: buyers, to: b, amount: 1000},"
        " {from: a, to: b, amount: 10}]\n",
    )
    assert text[2] == (
        "No role is paid mostly through a boss's budget, though the money of a reporting"
        " line flows down; the largest break is Boss (a) \u2192 Seller (b), affecting 3 people."
    )
    assert not any(s.startswith("0 of ") for s in text)


def test_fractional_people_read_as_the_org_chart_counts_them(
    write: Callable[[str, str], Path],
) -> None:
    # 1 of 200.25 people is paid directly (under 0.5%); 199.25 are cut off (over 99.5%).
    text = _sentences(
        write,
        "clients: [{id: buyers}]\nroles: [{id: a, headcount: 1.00},"
        " {id: b, reports_to: a, headcount: 199.25}]\nflows: [{from: buyers, to: a,"
        " amount: 100}, {from: a, to: b, amount: 90}]\n",
    )
    assert text[0].startswith("2 roles and 200.25 people; ")
    assert text[1].startswith("1 of 200.25 people (<1%) works in roles that clients pay directly")
    assert text[3] == (
        "In all, 1 inverted relationship (a boss paying a subordinate net) breaks the chain"
        " to the clients for 199.25 of 200.25 people (>99%)."
    )


@pytest.mark.parametrize(
    ("heads", "said", "first"),
    [
        (
            (1, 1, 1),
            "3 roles, each with 1 person, have no paying client (none of their money traces"
            " back to one); the first is x (x).",
            "a role with no paying client, x (x)",
        ),
        (
            (2, 1, 2),
            "3 roles, with 5 people, have no paying client (none of their money traces back"
            " to one); one of the largest, with 2 people, is x (x).",
            "a role with no paying client, x (x)",
        ),
        (
            (1, 4, 2),
            "3 roles, with 7 people, have no paying client (none of their money traces back"
            " to one); the largest, with 4 people, is y (y).",
            "the largest role with no paying client, y (y)",
        ),
    ],
)
def test_the_largest_role_with_no_paying_client_is_named_only_when_it_is(
    write: Callable[[str, str], Path], heads: tuple[int, int, int], said: str, first: str
) -> None:
    x, y, z = heads
    text = _sentences(
        write,
        f"clients: [{{id: buyers}}]\nroles: [{{id: boss, title: Boss}}, {{id: x, title: x,"
        f" reports_to: boss, headcount: {x}}}, {{id: y, title: y, reports_to: boss, headcount:"
        f" {y}}}, {{id: z, title: z, reports_to: boss, headcount: {z}}}]\n"
        "flows: [{from: buyers, to: boss, amount: 5}]\n",
    )
    assert said in text
    assert text[-1] == f"Look first at {first}."


def test_a_summary_of_an_org_without_breaks_says_so(write: Callable[[str, str], Path]) -> None:
    org = write(
        "org.yaml",
        "clients: [{id: buyers}]\nroles: [{id: a, title: Boss}, {id: b, reports_to: a}]\n"
        "flows: [{from: buyers, to: b, amount: 950000}, {from: b, to: a, amount: 4}]\n",
    )
    text = [plain(s) for s in summary_sentences(_analysis(org))]
    assert text == [
        "2 roles and 2 people; 1 paying client brings in 950K in all.",
        "1 of 2 people (50%) works in roles that clients pay directly; org alienation is"
        " 0.250, fairly close to the clients who pay (0: everyone is paid directly by a"
        " client; 1: none of the money traces back to one).",
        "No boss pays a subordinate net: the money in every reporting line flows up, or"
        " none flows.",
        "Every role has money that traces back to a paying client.",
        "The client is not fragmented across departments.",
        "Nothing needs attention first: no inverted relationship, no role without a paying"
        " client, no fragmented client.",
    ]
    payload = report_payload(_analysis(org))
    assert payload["short"] == {"money_in": "950K", "roles": "2", "headcount": "2"}
