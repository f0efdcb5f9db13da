"""The SPEC Additions in the text outputs: JSON (both writers), table and Markdown.

A hand-built matrix organisation pins what a reader sees (the clients section, the
span bands, a dotted-line inversion marked as dotted); random orgs with dotted lines,
`serves` and client owners check that the JSON states the analysis's figures, that the
structural ones agree with a brute-force count over the written org, and that the
streamed writer is byte for byte the reference one.
"""

from __future__ import annotations

import io
import json
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from clientchain import analyze, loads
from clientchain.analyses.analyze import Analysis
from clientchain.model.policy import FailOn
from clientchain.render.analysis.json_doc import json_document, render_json
from clientchain.render.analysis.markdown import render_markdown
from clientchain.render.analysis.table import render_table
from tests.oracle import OrgSpec
from tests.orgs import org_specs, render_yaml
from tests.schema_support import OUTPUT_VALIDATOR

BANDS = ["1", "2-3", "4-7", "8-12", "13-16", "17+"]

# ceo (layer 1, span 3) <- sales <- seller; ceo <- service <- desk; ceo <- partner, with a
# dotted line to sales. The desk serves the buyers but is paid from the fleet's money;
# the buyers deal with sales and service (fragmented) and their owner, sales, does not
# reach the desk; the shop deals with the seller only (held below the top).
MATRIX = """\
org: Matrix Co
currency: EUR
clients:
  - id: buyers
    title: Households
    owner: sales
  - id: fleet
  - id: shop
roles:
  - id: ceo
  - id: sales
    reports_to: ceo
    department: sales
  - id: seller
    reports_to: sales
    department: sales
  - id: service
    reports_to: ceo
    department: service
  - id: desk
    reports_to: service
    department: service
    serves: buyers
  - id: partner
    reports_to: ceo
    department: finance
    dotted_to: sales
flows:
  - {from: buyers, to: seller, amount: 1000}
  - {from: shop, to: seller, amount: 200}
  - {from: seller, to: sales, amount: 600}
  - {from: fleet, to: ceo, amount: 400}
  - {from: ceo, to: service, amount: 300}
  - {from: service, to: desk, amount: 100}
  - {from: sales, to: partner, amount: 50}
"""


@pytest.fixture(scope="module")
def matrix() -> Analysis:
    return analyze(loads(MATRIX, source="org.yaml"))


def reference(analysis: Analysis) -> bytes:
    return orjson.dumps(json_document(analysis), option=orjson.OPT_INDENT_2) + b"\n"


def table_text(analysis: Analysis, width: int = 120) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(render_table(analysis))
    return out.getvalue()


# --- the hand-built organisation --------------------------------------------------------


def test_the_json_document_has_the_new_keys_in_the_spec_order(matrix: Analysis) -> None:
    doc = json.loads(render_json(matrix))
    assert render_json(matrix) == reference(matrix)
    assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == []
    assert list(doc) == [
        "schema_version", "org", "currency", "decay", "summary",
        "roles", "inversions", "findings", "clients",
    ]  # fmt: skip
    assert list(doc["summary"])[-4:] == [
        "layers",
        "span_bands",
        "money_by_relation",
        "client_money_owned",
    ]
    assert list(doc["roles"][0])[-6:] == [
        "span", "layer", "serves", "served_share", "served_roles_share", "dotted_to"
    ]  # fmt: skip
    assert list(doc["inversions"][0])[-1] == "line"


def test_the_json_figures_of_the_matrix_organisation(matrix: Analysis) -> None:
    doc = json.loads(render_json(matrix))
    roles = {r["id"]: r for r in doc["roles"]}
    assert {rid: (r["layer"], r["span"]) for rid, r in roles.items()} == {
        "ceo": (1, 3),
        "sales": (2, 1),
        "seller": (3, 0),
        "service": (2, 1),
        "desk": (3, 0),
        "partner": (2, 0),
    }
    assert roles["desk"]["serves"] == ["buyers"]
    assert roles["partner"]["dotted_to"] == ["sales"]
    assert roles["ceo"]["serves"] == roles["ceo"]["dotted_to"] == []
    # The desk's money is all the fleet's: none from the buyers it serves (CC105).
    assert (roles["desk"]["served_share"], roles["desk"]["served_roles_share"]) == (0.0, None)
    assert (roles["ceo"]["served_share"], roles["ceo"]["served_roles_share"]) == (None, None)
    relations = {rid: [(c["id"], c["relation"]) for c in r["clients"]] for rid, r in roles.items()}
    assert relations == {
        "ceo": [("fleet", "external")],
        "sales": [("seller", "subordinate")],
        "seller": [("buyers", "external"), ("shop", "external")],
        "service": [("ceo", "boss")],
        "desk": [("service", "boss")],
        "partner": [("sales", "boss")],  # its dotted-line boss
    }
    assert [(i["boss"], i["subordinate"], i["levels"], i["line"]) for i in doc["inversions"]] == [
        ("ceo", "service", 1, "solid"),
        ("service", "desk", 1, "solid"),
        ("sales", "partner", 1, "dotted"),
    ]
    assert roles["partner"]["chain_broken_at"] is None  # a dotted line breaks no chain
    summary = doc["summary"]
    assert summary["inversions"] == 3
    assert summary["layers"] == 3
    assert summary["span_bands"] == {"1": 2, "2-3": 1, "4-7": 0, "8-12": 0, "13-16": 0, "17+": 0}
    assert summary["money_by_relation"] == {
        "external": 1600,
        "subordinate": 600,
        "boss": 450,
        "peer": 0,
    }
    assert summary["client_money_owned"] == 0.125  # the shop's 200 of 1,600
    assert doc["clients"] == [
        {
            "id": "buyers",
            "title": "Households",
            "owner": "sales",
            "money_out": 1000,
            "touchpoints": 2,
            "departments": ["sales", "service"],
            "lowest_common_boss": "ceo",
            "fragmented": True,
        },
        {
            "id": "fleet",
            "title": None,
            "owner": None,
            "money_out": 400,
            "touchpoints": 1,
            "departments": [],
            "lowest_common_boss": "ceo",
            "fragmented": False,
        },
        {
            "id": "shop",
            "title": None,
            "owner": None,
            "money_out": 200,
            "touchpoints": 1,
            "departments": ["sales"],
            "lowest_common_boss": "seller",
            "fragmented": False,
        },
    ]


def test_client_findings_point_at_the_clients_line(matrix: Analysis) -> None:
    doc = json.loads(render_json(matrix))
    about_clients = {(f["code"], f["client"], f["role"], f["line"]) for f in doc["findings"]
                     if f["code"] in ("CC106", "CC107")}  # fmt: skip
    assert about_clients == {("CC106", "buyers", None, 4), ("CC107", "buyers", None, 4)}
    codes = [f["code"] for f in doc["findings"]]
    assert codes.count("CC101") == 3 and "CC105" in codes


def test_the_table_shows_layers_span_bands_clients_and_dotted_inversions(
    matrix: Analysis,
) -> None:
    lines = table_text(matrix).splitlines()
    assert (
        lines[1] == "│ 6 roles · 6 people · 3 paying clients · 7 flows · 3 layers" + " " * 13 + "│"
    )
    assert lines[2].startswith(
        "│ Spans of control: 1: 2 · 2-3: 1 · 4-7: 0 · 8-12: 0 · 13-16: 0 · 17+: 0 "
    )
    text = "\n".join(lines)
    assert "│ sales   │ partner     │ 1 (dotted) │   50 EUR │               1 │" in text
    assert "│ ceo     │ service     │          1 │  300 EUR │               2 │" in text
    start = lines.index(next(line for line in lines if line.startswith("Clients (file order)")))
    clients = lines[start : start + 12]
    assert clients[1:4] == CLIENT_TABLE_HEAD
    assert "Client money held by one role below the top: 12.5%" in text
    rows = [line for line in clients if line.startswith("│ ")]
    assert rows[:4] == CLIENT_ROWS


CLIENT_TABLE_HEAD = [
    "┏━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━┓",
    "┃ Client     ┃      Pays ┃ Touchpoints ┃ Departments    ┃ Owner ┃ Common boss      ┃",
    "┡━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━┩",
]
CLIENT_ROWS = [
    "│ buyers     │ 1,000 EUR │           2 │ sales, service │ sales │ ceo (fragmented) │",
    "│ Households │           │             │                │       │                  │",
    "│ fleet      │   400 EUR │           1 │                │ —     │ ceo              │",
    "│ shop       │   200 EUR │           1 │ sales          │ —     │ seller           │",
]


def test_markdown_shows_the_same_compactly(matrix: Analysis) -> None:
    lines = render_markdown(matrix, FailOn.ERROR, Path.cwd()).splitlines()
    assert "| Layers | 3 |" in lines
    assert (
        "| Spans of control (managers by direct reports)"
        " | 1: 2 · 2-3: 1 · 4-7: 0 · 8-12: 0 · 13-16: 0 · 17+: 0 |"
    ) in lines
    assert "| Client money held by one role below the top | 12.5% |" in lines
    assert "| sales | partner | 1 (dotted) | 50 EUR | 1 |" in lines
    start = lines.index("#### Clients (who deals with each paying client)")
    assert lines[start + 2 : start + 7] == [
        "| Client | Pays | Touchpoints | Departments | Owner | Common boss | Fragmented |",
        "|---|---:|---:|---|---|---|---|",
        "| buyers | 1,000 EUR | 2 | sales, service | sales | ceo | **yes** |",
        "| fleet | 400 EUR | 1 |  | — | ceo | no |",
        "| shop | 200 EUR | 1 | sales | — | seller | no |",
    ]


HOSTILE = "a|b`*_\x1b[2J[bold]\u202e<i>"


def test_hostile_client_ids_owners_and_departments_are_escaped(tmp_path: Path) -> None:
    text = textwrap.dedent(
        f"""\
        clients:
          - id: {json.dumps("c" + HOSTILE)}
            owner: {json.dumps("r" + HOSTILE)}
        roles:
          - id: {json.dumps("r" + HOSTILE)}
            department: {json.dumps("d" + HOSTILE)}
          - id: other
            reports_to: {json.dumps("r" + HOSTILE)}
            dotted_to: []
            serves: {json.dumps("c" + HOSTILE)}
        flows:
          - {{from: {json.dumps("c" + HOSTILE)}, to: {json.dumps("r" + HOSTILE)}, amount: 5}}
        """
    )
    analysis = analyze(loads(text, source="org.yaml"))
    shown = table_text(analysis, width=200)
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "ca|b`*_\\x1b[2J[bold]\\u202e<i>" in shown  # the client, as `clip` shows it
    assert "da|b`*_\\x1b[2J[bold]\\u202e<i>" in shown  # its department
    md = render_markdown(analysis, FailOn.ERROR, tmp_path)
    assert "\x1b" not in md and "\u202e" not in md
    escaped = "a\\|b\\`\\*\\_\\\\x1b\\[2J\\[bold\\]\\\\u202e\\<i\\>"
    assert f"| c{escaped} | 5 | 2 | d{escaped} | r{escaped} | r{escaped} | no |" in md
    doc = json.loads(render_json(analysis))
    assert doc["clients"][0]["id"] == "c" + HOSTILE  # JSON keeps the exact text
    assert doc["roles"][1]["serves"] == ["c" + HOSTILE]


# --- random organisations with dotted lines, serves and owners --------------------------


def _ancestors(spec: OrgSpec) -> dict[str, list[str]]:
    parent = {r.id: r.parent for r in spec.roles}
    out: dict[str, list[str]] = {}
    for rid, boss in parent.items():
        chain, up = [], boss
        while up is not None:
            chain.append(up)
            up = parent[up]
        out[rid] = chain
    return out


@st.composite
def matrix_orgs(draw: st.DrawFn) -> tuple[OrgSpec, str, dict[str, Any]]:
    """A random org (tests/orgs.py) with valid dotted lines, `serves` and client owners,
    as YAML, and what was written."""
    spec = draw(org_specs(max_roles=7))
    ids = [r.id for r in spec.roles]
    above = _ancestors(spec)
    dotted: dict[str, list[str]] = {}
    for rid in ids:
        allowed = [
            b for b in ids
            if b != rid and b not in above[rid] and rid not in above[b]
            and rid not in dotted.get(b, [])
        ]  # fmt: skip
        if allowed and draw(st.integers(0, 2)) == 0:
            dotted[rid] = draw(
                st.lists(st.sampled_from(allowed), min_size=1, max_size=2, unique=True)
            )
    serves: dict[str, list[str]] = {}
    for rid in ids:
        whom = [n for n in [*ids, *spec.clients] if n != rid]
        if whom and draw(st.integers(0, 2)) == 0:
            serves[rid] = draw(st.lists(st.sampled_from(whom), min_size=1, max_size=3, unique=True))
    owners = {c: draw(st.sampled_from(ids)) for c in spec.clients if draw(st.booleans())}
    extra: dict[str, list[str]] = {}
    for rid, bosses in dotted.items():
        extra.setdefault(rid, []).append(f"    dotted_to: {json.dumps(bosses)}")
    for rid, whom in serves.items():
        extra.setdefault(rid, []).append(f"    serves: {json.dumps(whom)}")
    lines, section = [], ""
    for line in render_yaml(spec).splitlines():
        if not line.startswith(" "):
            section = line
        lines.append(line)
        if line.startswith("  - id: ") and section in ("clients:", "roles:"):
            name = json.loads(line[len("  - id: ") :])
            if section == "roles:":
                lines += extra.get(name, [])
            elif name in owners:
                lines.append(f"    owner: {json.dumps(owners[name])}")
    written = {"dotted": dotted, "serves": serves, "owners": owners, "above": above}
    return spec, "\n".join(lines) + "\n", written


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(org=matrix_orgs(), top_clients=st.integers(0, 2), chunk=st.integers(1, 3))
def test_random_matrix_orgs(
    org: tuple[OrgSpec, str, dict[str, Any]], top_clients: int, chunk: int
) -> None:
    spec, text, written = org
    analysis = analyze(loads(text, source="org.yaml"), top_clients=top_clients)
    expected = reference(analysis)
    assert render_json(analysis, chunk) == expected  # both writers, byte for byte
    doc = json.loads(expected)
    assert [e.message for e in OUTPUT_VALIDATOR.iter_errors(doc)] == []
    _check_against_the_analysis(doc, analysis)
    _check_against_brute_force(doc, spec, written)


def _check_against_the_analysis(doc: dict[str, Any], analysis: Analysis) -> None:
    """Every new key states the field the analysis computed."""
    for role, result in zip(doc["roles"], analysis.roles, strict=True):
        assert role["span"] == result.span and role["layer"] == result.layer
        assert role["serves"] == list(result.serves)
        assert role["dotted_to"] == list(result.dotted_to)
        assert role["served_share"] == result.served_share
        assert role["served_roles_share"] == result.served_roles_share
        assert [c["relation"] for c in role["clients"]] == [c.relation for c in result.clients]
    assert [i["line"] for i in doc["inversions"]] == [i.line for i in analysis.inversions]
    s = analysis.summary
    assert doc["summary"]["layers"] == s.layers
    assert doc["summary"]["span_bands"] == s.span_bands
    assert doc["summary"]["money_by_relation"] == s.money_by_relation
    assert doc["summary"]["client_money_owned"] == s.client_money_owned
    assert [c["id"] for c in doc["clients"]] == list(analysis.org.client_ids)
    for entry, client in zip(doc["clients"], analysis.clients, strict=True):
        assert entry["owner"] == client.owner
        assert entry["money_out"] == client.money_out
        assert entry["touchpoints"] == client.touchpoints == len(client.touchpoint_roles)
        assert entry["departments"] == list(client.departments)
        assert entry["lowest_common_boss"] == client.lowest_common_boss
        assert entry["fragmented"] == client.fragmented


def _check_against_brute_force(doc: dict[str, Any], spec: OrgSpec, w: dict[str, Any]) -> None:
    """The structural figures, counted over the org as written."""
    above: dict[str, list[str]] = w["above"]
    dotted: dict[str, list[str]] = w["dotted"]
    roles = {r["id"]: r for r in doc["roles"]}
    for rid, role in roles.items():
        assert role["layer"] == len(above[rid]) + 1
        assert role["span"] == sum(r.parent == rid for r in spec.roles)
        assert role["dotted_to"] == dotted.get(rid, [])
        assert role["serves"] == w["serves"].get(rid, [])
        for link in role["clients"]:
            payer = link["id"]
            if payer in spec.clients:
                want = "external"
            elif rid in above[payer] or rid in dotted.get(payer, []):
                want = "subordinate"
            elif payer in above[rid] or payer in dotted.get(rid, []):
                want = "boss"
            else:
                want = "peer"
            assert link["relation"] == want, (rid, payer)
    for inv in doc["inversions"]:
        solid = inv["boss"] in above[inv["subordinate"]]
        assert inv["line"] == ("solid" if solid else "dotted")
        if not solid:
            assert inv["boss"] in dotted[inv["subordinate"]] and inv["levels"] == 1
    managers = [sum(r.parent == rid for r in spec.roles) for rid in roles]
    lows = [1, 2, 4, 8, 13, 17, 10**9]
    bands = {
        band: sum(lows[i] <= n < lows[i + 1] for n in managers) for i, band in enumerate(BANDS)
    }
    assert doc["summary"]["span_bands"] == bands
    assert doc["summary"]["layers"] == max((len(a) + 1 for a in above.values()), default=0)
    weights: dict[tuple[str, str], Fraction] = {}
    for src, dst, amount in spec.flows:
        weights[(src, dst)] = weights.get((src, dst), Fraction(0)) + amount
    for entry in doc["clients"]:
        cid = entry["id"]
        paid = {dst for (src, dst), amount in weights.items() if src == cid and amount > 0}
        serving = {rid for rid, whom in w["serves"].items() if cid in whom}
        touch = paid | serving
        assert entry["touchpoints"] == len(touch)
        assert entry["owner"] == w["owners"].get(cid)
        assert entry["money_out"] == sum(a for (s, _), a in weights.items() if s == cid)
        holders = [{t, *above[t]} for t in touch]
        common = set.intersection(*holders) if holders else set()
        # The nearest common holder: the one with the most ancestors.
        nearest = max(common, key=lambda rid: len(above[rid]), default=None)
        assert entry["lowest_common_boss"] == nearest
