"""Dotted lines, `serves`, client owners, spans and layers in `diff`, the HTML report and
the graph exports (SPEC Additions).

One small matrix organisation, before and after a reorganisation. Every expected value
below is worked out by hand from the org chart (the comments say how), never copied
from the program's output.

Before: ceo (layer 1) has sales-head, service-head and finance (layer 2); seller under
sales-head, desk under service-head, partner under finance (layer 3). The finance
business partner has a dotted line to sales-head, who pays it 50 (an inversion along
the dotted line); service-head pays desk 100 (a solid inversion). The complaints desk
serves the buyers. Buyers (owner: sales-head) pay seller; tenants pay service-head.

After: desk reports to seller (layer 4), partner's dotted line goes to service-head,
who now pays it 70 as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import clientchain
from clientchain.render.report.data import report_payload
from tests.conftest import Run

Runner = Callable[..., Run]
Write = Callable[[str, str], Path]

BEFORE = """\
org: Matrix Co
currency: EUR
clients:
  - id: buyers
    title: Retail buyers
    owner: sales-head
  - id: tenants
roles:
  - id: ceo
  - id: sales-head
    reports_to: ceo
    department: sales
  - id: seller
    reports_to: sales-head
    department: sales
  - id: service-head
    reports_to: ceo
    department: service
  - id: desk
    title: Complaints desk
    reports_to: service-head
    department: service
    serves: buyers
  - id: finance
    reports_to: ceo
    department: finance
  - id: partner
    title: Finance business partner
    reports_to: finance
    department: finance
    dotted_to: sales-head
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: seller, to: sales-head, amount: 300}
  - {from: sales-head, to: partner, amount: 50}
  - {from: service-head, to: desk, amount: 100}
  - {from: tenants, to: service-head, amount: 400}
"""

AFTER = (
    BEFORE.replace(
        "    title: Complaints desk\n    reports_to: service-head\n",
        "    title: Complaints desk\n    reports_to: seller\n",
    )
    .replace("    dotted_to: sales-head\n", "    dotted_to: service-head\n")
    .replace(
        "  - {from: tenants, to: service-head, amount: 400}\n",
        "  - {from: tenants, to: service-head, amount: 400}\n"
        "  - {from: service-head, to: partner, amount: 70}\n",
    )
)


@pytest.fixture
def sides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    for name, text in (("before", BEFORE), ("after", AFTER)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "org.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")
    return "before/org.yaml", "after/org.yaml"


def _section(markdown: str, heading: str) -> list[str]:
    """The lines of one `#### heading` section, up to the next heading (blank lines out)."""
    lines = markdown.splitlines()
    start = lines.index(f"#### {heading}") + 1
    end = next((k for k in range(start, len(lines)) if lines[k].startswith("#")), len(lines))
    return [line for line in lines[start:end] if line]


# --- diff -----------------------------------------------------------------------------


def test_markdown_diff_shows_dotted_inversions_client_ownership_spans_and_layers(
    run: Runner, sides: tuple[str, str]
) -> None:
    result = run("diff", *sides, "--format", "markdown")
    assert result.stderr == ""
    out = result.stdout
    # Added: service-head now pays its dotted-line report partner 70. Removed: the solid
    # budget service-head -> desk (desk moved away) and sales-head -> partner (the
    # dotted line moved away); largest net first.
    assert _section(out, "Inversions added (1, 1 along a dotted line)") == [
        "| Boss | Subordinate | Line | Levels | Net down | Impact (people) |",
        "|---|---|---|---:|---:|---:|",
        "| service-head | partner | dotted line | 1 | 70 EUR | 1 |",
    ]
    assert _section(out, "Inversions removed (2, 1 along a dotted line)") == [
        "| Boss | Subordinate | Line | Levels | Net down | Impact (people) |",
        "|---|---|---|---:|---:|---:|",
        "| service-head | desk | solid line | 1 | 100 EUR | 1 |",
        "| sales-head | partner | dotted line | 1 | 50 EUR | 1 |",
    ]
    # Buyers' touchpoints: seller (paid) and desk (serves). Before they meet only at the
    # ceo (a top: fragmented across sales and service); after, desk is under seller.
    assert _section(out, "Client ownership changed (1)") == [
        "| Client | Owner | Lowest common boss | Fragmented | Touchpoints |",
        "|---|---|---|---|---:|",
        "| buyers | sales-head | ceo → seller | yes → no | 2 |",
    ]
    assert _section(out, "Roles whose span changed most (2)") == [
        "| Role | Before | After | Change |",
        "|---|---:|---:|---:|",
        "| seller | 0 | 1 | +1 |",
        "| service-head | 1 | 0 | -1 |",
    ]
    assert _section(out, "Roles whose layer changed most (1)") == [
        "| Role | Before | After | Change |",
        "|---|---:|---:|---:|",
        "| desk | 3 | 4 | +1 |",
    ]
    # Spans 3 (ceo), 1, 1, 1 before; 3, 1 (sales-head), 1 (seller), 1 (finance) after.
    # Client money owned: tenants' 400 of 1,400 before (held by service-head), all after.
    for row in (
        "| layers | 3 | 4 | +1 |",
        "| managers with span 1 | 3 | 3 | 0 |",
        "| managers with span 2-3 | 1 | 1 | 0 |",
        "| client money owned | 0.286 | 1.000 | +0.714 |",
    ):
        assert row in out.splitlines()
    assert "client ownership: 1 changed; spans: 2 changed; layers: 1 changed" in out


def test_table_diff_lists_the_same_changes(run: Runner, sides: tuple[str, str]) -> None:
    out = run("diff", *sides).stdout
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()]
    assert ["service-head", "partner", "dotted line", "1", "70 EUR", "1"] in cells
    assert ["buyers", "sales-head", "ceo → seller", "yes → no", "2"] in cells
    assert ["desk", "3", "4", "+1"] in cells
    assert ["layers", "3", "4", "+1"] in cells
    assert "Inversions removed (2, 1 along a dotted line)" in out


def test_json_diff_adds_keys_for_clients_spans_layers_and_lines(
    run: Runner, sides: tuple[str, str]
) -> None:
    doc = json.loads(run("diff", *sides, "--format", "json").stdout)
    assert doc["schema_version"] == 1
    assert [(i["boss"], i["subordinate"], i["line"]) for i in doc["inversions"]["added"]] == [
        ("service-head", "partner", "dotted")
    ]
    assert [(i["boss"], i["line"]) for i in doc["inversions"]["removed"]] == [
        ("service-head", "solid"),
        ("sales-head", "dotted"),
    ]
    assert doc["clients"] == {
        "ownership_changed": [
            {
                "id": "buyers",
                "before": {
                    "owner": "sales-head",
                    "lowest_common_boss": "ceo",
                    "fragmented": True,
                    "touchpoints": 2,
                },
                "after": {
                    "owner": "sales-head",
                    "lowest_common_boss": "seller",
                    "fragmented": False,
                    "touchpoints": 2,
                },
            }
        ]
    }
    roles = doc["roles"]
    assert roles["span_changed"] == [
        {"id": "seller", "before": 0, "after": 1, "change": 1},
        {"id": "service-head", "before": 1, "after": 0, "change": -1},
    ]
    assert (roles["span_changed_total"], roles["layer_changed_total"]) == (2, 1)
    assert roles["layer_changed"] == [{"id": "desk", "before": 3, "after": 4, "change": 1}]
    summary = doc["summary"]
    assert summary["layers"] == {"before": 3, "after": 4, "change": 1}
    assert summary["span_bands"]["1"] == {"before": 3, "after": 3, "change": 0}
    assert summary["span_bands"]["17+"] == {"before": 0, "after": 0, "change": 0}
    assert list(summary["span_bands"]) == ["1", "2-3", "4-7", "8-12", "13-16", "17+"]
    owned = summary["client_money_owned"]
    assert owned["before"] == pytest.approx(400 / 1400, abs=1e-12)
    assert (owned["after"], owned["change"]) == (1, pytest.approx(1 - 400 / 1400, abs=1e-12))


def test_the_span_and_layer_lists_are_bounded_by_top(run: Runner, write: Write) -> None:
    """A new layer on top moves every role one layer down: --top bounds the list."""
    roles = "".join(f"  - {{id: r{k}, reports_to: root}}\n" for k in range(30))
    before = write("before.yaml", "roles:\n  - {id: root}\n" + roles)
    after = write(
        "after.yaml", "roles:\n  - {id: new-top}\n  - {id: root, reports_to: new-top}\n" + roles
    )
    doc = json.loads(run("diff", str(before), str(after), "--format", "json", "--top", "5").stdout)
    assert doc["roles"]["layer_changed_total"] == 31
    # Every change is +1: ties by id.
    assert [c["id"] for c in doc["roles"]["layer_changed"]] == ["r0", "r1", "r10", "r11", "r12"]
    md = run("diff", str(before), str(after), "--format", "markdown", "--top", "5").stdout
    assert "#### Roles whose layer changed most (top 5 of 31)" in md


# --- graph exports ----------------------------------------------------------------------


@pytest.fixture
def matrix(write: Write) -> Path:
    return write("org.yaml", BEFORE)


def _export(run: Runner, org: Path, fmt: str) -> str:
    result = run("export", str(org), "--to", fmt)
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout


def test_dot_draws_dotted_lines_and_serves_as_their_own_dashed_edges(
    run: Runner, matrix: Path
) -> None:
    lines = _export(run, matrix, "dot").splitlines()
    assert (
        '  "partner" -> "sales-head" [style=dotted, penwidth=2, color="#7b3fa0", '
        'fontcolor="#7b3fa0", arrowhead=onormal, constraint=false, label="dotted line", '
        'kind="dotted_to"]'
    ) in lines
    assert (
        '  "desk" -> "buyers" [style=dashed, penwidth=1.5, color="#2e7d4f", '
        'fontcolor="#2e7d4f", arrowhead=vee, constraint=false, label="serves", kind="serves"]'
    ) in lines
    assert sum('kind="dotted_to"' in line for line in lines) == 1
    assert sum('kind="serves"' in line for line in lines) == 1
    assert sum('kind="reports_to"' in line for line in lines) == 6  # every role but ceo


def test_mermaid_draws_dotted_lines_and_serves_dashed_and_labelled(
    run: Runner, matrix: Path
) -> None:
    lines = _export(run, matrix, "mermaid").splitlines()
    # Nodes: n0 buyers, n1 tenants, then the roles in file order (n2 ceo ... n8 partner).
    # Edges: six reporting lines (0-5), the dotted line (6), serves (7), then money.
    assert '  n8 -.->|"dotted line"| n3' in lines
    assert '  n6 -.->|"serves"| n0' in lines
    assert (
        "  linkStyle 6 stroke:#7b3fa0,stroke-width:2px,stroke-dasharray:2 3,color:#7b3fa0" in lines
    )
    assert "  linkStyle 7 stroke:#2e7d4f,stroke-dasharray:6 3,color:#2e7d4f" in lines


def test_graphml_and_node_link_carry_the_new_edge_kinds_and_round_trip(
    run: Runner, matrix: Path, tmp_path: Path
) -> None:
    want = clientchain.to_networkx(clientchain.analyze(clientchain.load(matrix, [])), money="net")
    structure = sorted(
        (u, v, k) for u, v, k in want.edges(keys=True) if k in ("dotted_to", "serves")
    )
    assert structure == [("desk", "buyers", "serves"), ("partner", "sales-head", "dotted_to")]
    assert want.edges["partner", "sales-head", "dotted_to"] == {"kind": "dotted_to"}
    got = nx.node_link_graph(json.loads(_export(run, matrix, "json")), edges="links")
    assert list(got.edges(keys=True, data=True)) == list(want.edges(keys=True, data=True))
    assert list(got.nodes(data=True)) == list(want.nodes(data=True))
    path = tmp_path / "out.graphml"
    path.write_text(_export(run, matrix, "graphml"), encoding="utf-8")
    read = nx.read_graphml(path)
    kinds = sorted(d["kind"] for _, _, d in read.edges(data=True))
    assert kinds.count("dotted_to") == 1 and kinds.count("serves") == 1
    assert kinds.count("reports_to") == 6


def test_networkx_flows_graph_has_the_new_edges_and_figures(matrix: Path) -> None:
    graph = clientchain.to_networkx(clientchain.analyze(clientchain.load(matrix, [])))
    assert graph.has_edge("partner", "sales-head", key=None)
    kinds = {(u, v): d["kind"] for u, v, d in graph.edges(data=True) if d["kind"] != "money"}
    assert kinds[("partner", "sales-head")] == "dotted_to"
    assert kinds[("desk", "buyers")] == "serves"
    # ceo: three direct reports, layer 1; desk: layer 3, serves the buyers.
    assert (graph.nodes["ceo"]["span"], graph.nodes["ceo"]["layer"]) == (3, 1)
    assert graph.nodes["desk"]["serves"] == ["buyers"]
    assert graph.nodes["partner"]["dotted_to"] == ["sales-head"]
    assert graph.nodes["buyers"]["owner"] == "sales-head"
    assert graph.nodes["tenants"]["owner"] is None


# --- the report -------------------------------------------------------------------------


def test_report_payload_carries_links_clients_spans_and_layers(matrix: Path) -> None:
    payload = report_payload(clientchain.analyze(clientchain.load(matrix, [])))
    # Roles 0..6 in file order: ceo, sales-head, seller, service-head, desk, finance,
    # partner; clients are nodes 7 (buyers) and 8 (tenants).
    assert payload["dotted"] == {"ptr": [0, 0, 0, 0, 0, 0, 0, 1], "node": [1]}
    assert payload["serves"] == {"ptr": [0, 0, 0, 0, 0, 1, 1, 1], "node": [7]}
    assert payload["roles"]["layer"] == [1, 2, 3, 2, 3, 2, 3]
    assert payload["roles"]["reports"] == [3, 1, 0, 1, 0, 1, 0]
    links = payload["client_links"]
    assert links["owner"] == [1, -1]
    assert links["lowest_common_boss"] == [0, 3]
    assert (links["touch_ptr"], links["touch"]) == ([0, 2, 3], [2, 4, 3])
    assert links["departments"] == [["sales", "service"], ["service"]]
    assert (links["fragmented"], links["money_out"]) == ([1, 0], [1000, 400])
    summary = payload["summary"]
    assert (summary["layers"], summary["span_bands"]["1"], summary["span_bands"]["2-3"]) == (
        3,
        3,
        1,
    )
    # desk serves only clients (served_roles_share null) and none of its money comes from
    # the buyers: service-head's budget is the tenants' money.
    assert payload["roles"]["served_share"][4] == 0
    assert payload["roles"]["served_roles_share"][4] is None


def test_report_payload_names_hidden_roles_once(write: Write) -> None:
    """A dotted-line boss outside a capped report is numbered like the other hidden roles."""
    org = write("org.yaml", BEFORE)
    payload = report_payload(clientchain.analyze(clientchain.load(org, [])), max_roles=4)
    # Shown: the four nearest the top (ceo, sales-head, service-head, finance).
    assert payload["roles"]["id"] == ["ceo", "sales-head", "service-head", "finance"]
    hidden = payload["hidden"]
    links = payload["client_links"]
    n, c = 4, 2
    touch = [hidden[t - n - c] if t >= n + c else payload["roles"]["id"][t] for t in links["touch"]]
    assert touch == ["seller", "desk", "service-head"]
    assert len(hidden) == len(set(hidden))


# --- the report in a browser ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from tests.test_report_browser import CHROMIUM_ARGS, chromium_path

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found: install Debian's chromium package")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.slow
def test_browser_shows_dashed_dotted_lines_and_each_clients_touchpoints(
    browser: Any, run: Runner, matrix: Path, tmp_path: Path
) -> None:
    from tests.test_report_browser import open_report

    page_file = tmp_path / "report.html"
    assert run("report", str(matrix), "-o", str(page_file)).exit_code == 0
    opened = open_report(browser, page_file)
    page = opened.page
    try:
        assert opened.problems == []
        badge = page.locator('#tree .row[data-role="partner"] .badge.dotted')
        assert badge.inner_text() == "\u2508 dotted line to sales-head"
        assert badge.evaluate("b => getComputedStyle(b).borderTopStyle") == "dashed"
        assert page.locator("#tree .badge.dotted").count() == 1
        # The panel: span, layer, dotted line and serves.
        opened.row_name("desk").click()
        panel = page.locator("#panel").inner_text()
        assert "Span\n0 direct reports" in panel and "Layer\n3 of 3" in panel
        assert "Serves\nRetail buyers buyers client" in panel  # title first, then the id
        opened.row_name("sales-head").click()
        assert (
            "Dotted-line reports\nFinance business partner partner"
            in page.locator("#panel").inner_text()
        )
        # The clients view: one row per client, fragmented marked; a click marks the
        # touchpoints (seller and desk) and the owner in the tree.
        rows = page.locator("#clients-table tbody tr")
        assert rows.count() == 2
        assert "\u26a0 fragmented" in rows.nth(0).inner_text()
        rows.nth(0).locator("td").first.click()
        marked = opened.js(
            "() => [...document.querySelectorAll('#tree .row.touchpoint')].map(r => r.dataset.role)"
        )
        assert marked == ["seller", "desk"]
        owner = opened.js(
            "() => [...document.querySelectorAll('#tree .row.client-owner')]"
            ".map(r => r.dataset.role)"
        )
        assert owner == ["sales-head"]
        rows.nth(1).locator("td").first.click()
        marked = opened.js(
            "() => [...document.querySelectorAll('#tree .row.touchpoint')].map(r => r.dataset.role)"
        )
        assert marked == ["service-head"]
        rows.nth(1).locator("td").first.click()  # again: nothing marked
        assert opened.js("() => document.querySelectorAll('#tree .row.touchpoint').length") == 0
        # The span-band chart: six bars, the counts of the bands.
        bars = opened.js(
            "() => [...document.querySelectorAll('#span-chart .span-bar')]"
            ".map(b => [b.dataset.band, Number(b.dataset.count)])"
        )
        assert bars == [["1", 3], ["2-3", 1], ["4-7", 0], ["8-12", 0], ["13-16", 0], ["17+", 0]]
        assert re.search(r"3 layers", page.locator("#structure").inner_text())
        assert opened.problems == []
    finally:
        page.close()
