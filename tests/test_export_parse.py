"""Every export parses back: networkx reads the JSON and the GraphML, graphviz renders the
DOT, the Mermaid follows the grammar it is written in; hostile ids survive all four."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import clientchain
from tests.conftest import EXAMPLES, Run

Write = Callable[[str, str], Path]
Runner = Callable[..., Run]

DEALERSHIP = EXAMPLES / "dealership" / "org.yaml"
SVG = "{http://www.w3.org/2000/svg}"

# (id, title): names that are keywords in DOT or Mermaid, escapes, markup, entity codes,
# the ids the exporters make up themselves (n0, e0), line breaks, tabs, wide characters.
HOSTILE: list[tuple[str, str | None]] = [
    ("graph", 'say "hi" <b>bold</b> & co'),
    ("end", None),
    ("subgraph", "line one\nline two"),
    ("node", None),
    ("style", "#quot; %% not a comment `tick` #35;"),
    ("default", None),
    ("back\\slash", None),
    ("tail\\", "ends in \\"),
    ('quote"in', None),
    ("ünï©ødé 名前", "Ünïcode ✓"),
    ("<b>&amp;", "x < y > z"),
    ("n0", None),
    ("e0", None),
    ("new\nline", None),
    ("tab\there", None),
    ("cr\rhere", None),
    ("a -> b [label=1]; --> x", None),
    ("%%{init: {}}%%", None),
    ("edge", None),
    ("strict", None),
    ("classDef", None),
    ("linkStyle", None),
]
CLIENTS = {"graph", "end"}
ORG_NAME = 'Hostile "org" <&> \\ name'


def _yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def _hostile_org() -> str:
    org = [f"org: {_yaml_string(ORG_NAME)}", "currency: '€ & <>'"]
    org.append("clients:")
    for cid, title in HOSTILE:
        if cid in CLIENTS:
            org.append(f"  - id: {_yaml_string(cid)}")
            if title:
                org.append(f"    title: {_yaml_string(title)}")
    org.append("roles:")
    roles = [rid for rid, _ in HOSTILE if rid not in CLIENTS]
    titles = dict(HOSTILE)
    for k, rid in enumerate(roles):
        org.append(f"  - id: {_yaml_string(rid)}")
        if k:
            org.append(f"    reports_to: {_yaml_string(roles[(k - 1) // 2])}")
        title = titles[rid]
        if title:
            org.append(f"    title: {_yaml_string(title)}")
    org.append("flows:")
    flows = [("graph", roles[-1], 100), ("end", roles[3], 7)]
    flows += [(roles[k], roles[(k - 1) // 2], 10) for k in range(1, len(roles))]
    flows.append((roles[0], roles[2], 50))  # the top sends money down: an inversion
    for payer, payee, amount in flows:
        org.append(
            f"  - {{from: {_yaml_string(payer)}, to: {_yaml_string(payee)}, amount: {amount}}}"
        )
    return "\n".join(org) + "\n"


@pytest.fixture
def hostile(write: Write) -> Path:
    return write("org.yaml", _hostile_org())


def _export(run: Runner, org: Path, fmt: str) -> str:
    result = run("export", str(org), "--to", fmt)
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout


def _expected(org: Path) -> Any:
    return clientchain.to_networkx(clientchain.analyze(clientchain.load(org, [])), money="net")


def _same_graph(got: Any, want: Any) -> None:
    assert got.graph == want.graph
    assert list(got.nodes(data=True)) == list(want.nodes(data=True))
    assert list(got.edges(data=True)) == list(want.edges(data=True))


@pytest.mark.parametrize("org_name", ["dealership", "hostile"])
def test_node_link_json_round_trips_through_networkx(
    run: Runner, hostile: Path, org_name: str
) -> None:
    org = DEALERSHIP if org_name == "dealership" else hostile
    data = json.loads(_export(run, org, "json"))
    got = nx.node_link_graph(data, edges="links")
    want = _expected(org)
    _same_graph(got, want)
    assert list(got.edges(keys=True)) == list(want.edges(keys=True))
    if org_name == "hostile":
        assert set(got.nodes) == {cid for cid, _ in HOSTILE}


@pytest.mark.parametrize("org_name", ["dealership", "hostile"])
def test_graphml_reads_back_with_networkx(
    run: Runner, hostile: Path, tmp_path: Path, org_name: str
) -> None:
    org = DEALERSHIP if org_name == "dealership" else hostile
    path = tmp_path / "out.graphml"
    path.write_text(_export(run, org, "graphml"), encoding="utf-8")
    got = nx.read_graphml(path, force_multigraph=True)
    for default in ("node_default", "edge_default"):  # what the reader adds on its own
        assert got.graph.pop(default) == {}
    _same_graph(got, _expected(org))  # edge keys aside: GraphML edge ids are e0, e1, ...
    if org_name == "hostile":
        assert set(got.nodes) == {cid for cid, _ in HOSTILE}
        assert got.nodes["graph"]["title"] == 'say "hi" <b>bold</b> & co'


def test_graphml_refuses_what_xml_cannot_carry(run: Runner, write: Write) -> None:
    org = write("org.yaml", 'roles:\n  - {id: "bell\\x07"}\n')
    result = run("export", str(org), "--to", "graphml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"clientchain: {org}: role 'bell\\x07' has the control character U+0007, which GraphML"
        " (XML 1.0) cannot carry; rename it, or export --to json or dot\n"
    )
    data = json.loads(_export(run, org, "json"))
    assert data["nodes"][0]["id"] == "bell\x07"
    assert '["bell\\x07<br>alienation 1.000<br>no paying client"]' in _export(run, org, "mermaid")


needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="graphviz's dot is not installed"
)


def _svg_texts(dot_source: str) -> tuple[list[str], set[str]]:
    """Render with graphviz; the lines of text it draws, and the node names it knows."""
    svg = subprocess.run(
        ["dot", "-Tsvg"], input=dot_source.encode(), capture_output=True, check=False
    )
    assert (svg.returncode, svg.stderr) == (0, b"")
    root = ET.fromstring(svg.stdout)  # well-formed XML, or this raises
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    layout = subprocess.run(
        ["dot", "-Tjson"], input=dot_source.encode(), capture_output=True, check=True
    )
    names = {o["name"] for o in json.loads(layout.stdout)["objects"]}
    return texts, names


@needs_dot
def test_dot_renders_with_graphviz(run: Runner) -> None:
    texts, names = _svg_texts(_export(run, DEALERSHIP, "dot"))
    assert len(names) == 12  # 3 clients and 9 roles, no more, no fewer
    assert "300,000 UAH" in texts and "inverted" in texts
    assert "alienation 1.000" in texts and "no paying client" in texts


@needs_dot
def test_dot_keeps_hostile_ids_apart_and_shows_them_as_written(run: Runner, hostile: Path) -> None:
    dot = _export(run, hostile, "dot")
    texts, names = _svg_texts(dot)
    assert len(names) == len(HOSTILE)  # no keyword swallowed, no two ids merged
    shown = set(texts)
    for cid, title in HOSTILE:
        lines = cid.replace("\t", " ").splitlines()
        assert set(lines) <= shown, cid
        if title:
            assert set(title.splitlines()) <= shown, title
    assert ORG_NAME in shown  # the legend's title
    assert {"100 € & <>", "40 € & <>", "inverted"} <= shown  # net 50 - 10 down, inverted
    assert all("\n" not in line for line in dot.splitlines())


_MERMAID_LABEL = r'"(?:[^"#<>&`%]|#\w+;|<br>)*"'
_MERMAID_GRAMMAR = [
    r"flowchart BT",
    r"  %% [^\n]*",
    r"  classDef \w+ [\w#:,.%\- ]+",
    rf"  n\d+\[{_MERMAID_LABEL}\]:::(low|medium|high)",
    rf"  n\d+\(\[{_MERMAID_LABEL}\]\):::client",
    r"  class n\d+(,n\d+)* unfunded",
    r"  n\d+ -\.-> n\d+",
    rf"  n\d+ (-->|==>)\|{_MERMAID_LABEL}\| n\d+",
    r"  linkStyle (default|\d+(,\d+)*) [\w#:,.\- ]+",
]
_ENTITIES = {"quot": '"', "35": "#", "lt": "<", "gt": ">", "amp": "&", "96": "`", "37": "%"}


def _mermaid_labels(text: str) -> tuple[dict[str, str], list[str]]:
    """Check every line against the grammar; the decoded label of each node, and every
    node an edge or a class statement names."""
    lines = text.splitlines()
    assert lines[0] == "flowchart BT"
    for line in lines:
        assert any(re.fullmatch(rule, line) for rule in _MERMAID_GRAMMAR), line
    labels = {}
    for node, label in re.findall(r'^  (n\d+)\(?\["(.*)"\]', text, flags=re.M):
        labels[node] = re.sub(r"#(\w+);", lambda m: _ENTITIES[m.group(1)], label)
    used = re.findall(r"\bn\d+\b", "\n".join(line for line in lines if "[" not in line))
    return labels, used


@pytest.mark.parametrize("org_name", ["dealership", "hostile"])
def test_mermaid_follows_its_grammar(run: Runner, hostile: Path, org_name: str) -> None:
    org = DEALERSHIP if org_name == "dealership" else hostile
    labels, used = _mermaid_labels(_export(run, org, "mermaid"))
    assert set(used) <= set(labels)  # every node referenced is defined
    assert labels.keys() == {f"n{k}" for k in range(len(labels))}
    if org_name == "hostile":
        shown = "<br>".join(labels.values())
        assert "40 € & <><br>inverted" in _export(run, org, "mermaid").replace(
            "#amp;", "&"
        ).replace("#lt;", "<").replace("#gt;", ">")
        for cid, title in HOSTILE:
            for line in [*cid.replace("\t", " ").splitlines(), *(title or "").splitlines()]:
                assert line in shown, line
