"""`clientchain export`: what each format shows, golden files, determinism, the CLI contract."""

from __future__ import annotations

import json
import os
import random
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from clientchain.cli import export as export_cli
from clientchain.model.rounding import format_amount
from tests.conftest import EXAMPLES, Run

Write = Callable[[str, str], Path]
Runner = Callable[..., Run]

GOLDEN = Path(__file__).resolve().parent / "golden" / "export"
DEALERSHIP = EXAMPLES / "dealership" / "org.yaml"
FORMATS = {"dot": "dot", "mermaid": "mmd", "graphml": "graphml", "json": "json"}

# buyers pay the worker; the worker passes some up; the boss sends a budget down (an
# inversion: net 20 flows boss -> worker); a and b swap equal sums; idle receives nothing.
SMALL = """
org: Small
currency: EUR
clients: [{id: buyers, title: Buyers}]
roles:
  - {id: boss, title: Boss}
  - {id: worker, reports_to: boss, headcount: 3}
  - {id: a, reports_to: boss}
  - {id: b, reports_to: boss}
  - {id: idle, reports_to: boss, headcount: 0}
flows:
  - {from: buyers, to: worker, amount: 100}
  - {from: worker, to: boss, amount: 30}
  - {from: boss, to: worker, amount: 50.5}
  - {from: a, to: b, amount: 10}
  - {from: b, to: a, amount: 10}
"""


def _small(write: Write) -> Path:
    return write("org.yaml", SMALL)


def _export(run: Runner, org: Path, fmt: str, *more: str) -> str:
    result = run("export", str(org), "--to", fmt, *more)
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_dealership(run: Runner, fmt: str) -> None:
    """Regenerate with CLIENTCHAIN_UPDATE_GOLDEN=1 (and read the diff before committing)."""
    out = _export(run, DEALERSHIP, fmt)
    golden = GOLDEN / f"dealership.{FORMATS[fmt]}"
    if os.environ.get("CLIENTCHAIN_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["json", "graphml"])
def test_dealership_figures_match_the_reviewed_analysis(run: Runner, fmt: str) -> None:
    """The examples' expected.json is checked against the brute-force oracle elsewhere."""
    expected = json.loads((DEALERSHIP.parent / "expected.json").read_text(encoding="utf-8"))
    out = _export(run, DEALERSHIP, fmt)
    for role in expected["roles"]:
        if fmt == "json":
            node = next(n for n in json.loads(out)["nodes"] if n["id"] == role["id"])
            assert (node["alienation"], node["inflow"]) == (role["alienation"], role["inflow"])
        else:
            assert f'<node id="{role["id"]}">' in out and f">{role['alienation']!r}<" in out
    inversion = expected["inversions"][0]
    assert inversion["net"] == 300000  # the one the pictures draw in bold red
    assert f"{format_amount(inversion['net'], 0)} UAH" in out


def test_money_edges_are_net_per_pair_and_inversions_stand_out(run: Runner, write: Write) -> None:
    doc = json.loads(_export(run, _small(write), "json"))
    money = {(e["source"], e["target"]): e for e in doc["links"] if e["kind"] == "money"}
    # One edge per pair, from the net payer: worker -> boss (30) is folded into boss -> worker.
    assert set(money) == {("buyers", "worker"), ("boss", "worker"), ("a", "b")}
    down = money["boss", "worker"]
    assert (down["net"], down["amount"], down["amount_back"]) == (20.5, 50.5, 30.0)
    assert (down["inverted"], down["levels"], down["label"]) == (True, 1, "20.5 EUR")
    # Money that cancels out is still drawn, once, from the role listed first.
    assert (money["a", "b"]["net"], money["a", "b"]["inverted"]) == (0.0, False)
    assert money["buyers", "worker"]["label"] == "100.0 EUR"  # the input's one decimal
    assert money["buyers", "worker"]["label"] == f"{format_amount(100, 1)} EUR"
    reporting = [(e["source"], e["target"]) for e in doc["links"] if e["kind"] == "reports_to"]
    assert reporting == [("worker", "boss"), ("a", "boss"), ("b", "boss"), ("idle", "boss")]


def _hand_alienation() -> dict[str, Fraction]:
    """By hand, decay 1/2: c(w) = (100 + 50.5 * (1/2) c(boss)) / 150.5 and
    c(boss) = (1/2) c(w), so c(w) = 100 / (150.5 - 50.5 / 4)."""
    worker = Fraction(100) / (Fraction(301, 2) - Fraction(101, 8))
    return {"worker": 1 - worker, "boss": 1 - worker / 2, "a": Fraction(1), "idle": Fraction(1)}


def test_every_node_shows_its_alienation_in_numbers_not_only_colour(
    run: Runner, write: Write
) -> None:
    org = _small(write)
    expected = _hand_alienation()
    doc = json.loads(_export(run, org, "json"))
    nodes = {n["id"]: n for n in doc["nodes"]}
    for rid, value in expected.items():
        assert nodes[rid]["alienation"] == pytest.approx(float(value), abs=1e-12)
    assert (nodes["buyers"]["kind"], nodes["buyers"]["alienation"]) == ("client", 0.0)
    assert [nodes[r]["band"] for r in ("worker", "boss", "idle")] == ["low", "medium", "high"]
    assert (nodes["idle"]["unfunded"], nodes["worker"]["unfunded"]) == (True, False)
    assert "distance" not in nodes["idle"]  # never traced: absent, not null
    dot = _export(run, org, "dot")
    mermaid = _export(run, org, "mermaid")
    for rid in ("worker", "boss"):
        shown = f"alienation {float(expected[rid]):.3f}"
        assert shown in dot and shown in mermaid
    assert "alienation 0.275 · 3 people" in dot  # 1 - 100 / 137.875 = 0.2747...
    assert "idle\\nalienation 1.000 · vacant\\nno paying client" in dot
    assert 'n5["idle<br>alienation 1.000 · vacant<br>no paying client"]:::high' in mermaid


def test_dot_styles_reporting_lines_money_and_inversions_apart(run: Runner, write: Write) -> None:
    dot = _export(run, _small(write), "dot")
    lines = dot.splitlines()
    assert lines[0] == 'digraph "Small" {'
    reporting = next(line for line in lines if line.startswith('  "worker" -> "boss"'))
    assert "style=dashed" in reporting and 'kind="reports_to"' in reporting
    inverted = next(line for line in lines if line.startswith('  "boss" -> "worker"'))
    assert 'label="20.5 EUR\\ninverted"' in inverted
    assert "style=bold" in inverted and 'color="#d62728"' in inverted
    assert 'inverted="true"' in inverted and 'levels="1"' in inverted
    client = next(line for line in lines if line.startswith('  "buyers" ['))
    assert "shape=ellipse" in client
    idle = next(line for line in lines if line.startswith('  "idle" ['))
    assert "dashed" in idle and 'unfunded="true"' in idle
    assert "alienation &lt; 0.333" in lines[1]  # the legend


def test_mermaid_styles_by_class_and_link_style(run: Runner, write: Write) -> None:
    lines = _export(run, _small(write), "mermaid").splitlines()
    assert lines[0] == "flowchart BT"
    assert '  n0(["Buyers<br>buyers"]):::client' in lines
    assert "  n2 -.-> n1" in lines  # worker reports to boss
    edges = [line for line in lines if re.match(r"  n\d+ [-=.]+>", line)]
    inverted = edges.index('  n1 ==>|"20.5 EUR<br>inverted"| n2')
    assert f"  linkStyle {inverted} stroke:#d62728,stroke-width:3px,color:#d62728" in lines
    assert "  class n3,n4,n5 unfunded" in lines  # a and b only swap money; idle has none
    for name in ("low", "medium", "high", "client", "unfunded"):
        assert any(line.startswith(f"  classDef {name} ") for line in lines)


def _flows_csv(rows: list[str]) -> str:
    return "from,to,amount\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_flow_order_does_not_change_a_byte(run: Runner, write: Write, fmt: str) -> None:
    roles = "\n".join(f"  - {{id: r{i}, reports_to: r{i // 3}}}" for i in range(1, 40))
    org = write("org.yaml", f"clients: [{{id: c1}}, {{id: c2}}]\nroles:\n  - {{id: r0}}\n{roles}\n")
    rows = [f"c{1 + i % 2},r{i},{10 + i}.25" for i in range(1, 40)]
    rows += [f"r{i},r{i // 3},{i}" for i in range(1, 40)]  # revenue up
    rows += [f"r{i // 3},r{i},0.5" for i in range(1, 40)]  # budgets down
    rows += [f"r{i},r{(i * 7 + 1) % 40},3" for i in range(40)]  # more rows for some pairs
    rng = random.Random(7)
    outputs = set()
    for attempt in range(3):
        rng.shuffle(rows)
        half = len(rows) // 2
        first = write(f"a{attempt}.csv", _flows_csv(rows[:half]))
        second = write(f"b{attempt}.csv", _flows_csv(rows[half:]))
        files = [first, second] if attempt % 2 else [second, first]
        flags = [arg for path in files for arg in ("--flows", str(path))]
        outputs.add(_export(run, org, fmt, *flags))
    assert len(outputs) == 1
    assert "inverted" in outputs.pop()  # the budgets down are inversions: a rich picture


def test_writes_to_a_file_and_says_so_on_stderr(run: Runner, write: Write, tmp_path: Path) -> None:
    org = _small(write)
    target = tmp_path / "out.dot"
    result = run("export", str(org), "-o", str(target))  # the format from the suffix
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"clientchain: wrote 6 nodes and 7 edges to {target}\n"
    assert target.read_text(encoding="utf-8") == _export(run, org, "dot")


@pytest.mark.parametrize("victim", ["org.yaml", "flows.csv"])
def test_never_overwrites_an_input(run: Runner, write: Write, victim: str) -> None:
    org = write("org.yaml", "flows: flows.csv\nclients: [{id: c}]\nroles: [{id: r}]\n")
    write("flows.csv", "from,to,amount\nc,r,5\n")
    before = (org.parent / victim).read_bytes()
    result = run("export", str(org), "--to", "json", "-o", str(org.parent / victim))
    assert (result.exit_code, result.stdout) == (2, "")
    assert "that is an input file" in result.stderr and victim in result.stderr
    assert (org.parent / victim).read_bytes() == before


def test_no_format_given_is_a_usage_error(run: Runner, write: Write) -> None:
    result = run("export", str(_small(write)))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("clientchain: export needs --to dot|mermaid|graphml|json")


def test_bad_input_exits_2_with_the_place(run: Runner, write: Write) -> None:
    org = write("org.yaml", "roles:\n  - {id: a, reports_to: nobody}\n")
    result = run("export", str(org), "--to", "dot")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"{org}:2:")


def test_findings_do_not_change_the_exit_code(run: Runner) -> None:
    # The dealership has an inverted relationship (analyze exits 1); a picture of it is fine.
    assert run("export", str(DEALERSHIP), "--to", "mermaid").exit_code == 0


def test_big_graphs_get_a_note_about_mermaid_on_stderr_only(
    run: Runner, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_cli, "MERMAID_NODE_LIMIT", 5)
    result = run("export", str(_small(write)), "--to", "mermaid")
    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart BT\n")
    assert result.stderr.startswith("clientchain: note: 6 nodes: Mermaid renderers are slow")
    assert run("export", str(_small(write)), "--to", "dot").stderr == ""


def test_decay_changes_the_figures(run: Runner, write: Write) -> None:
    # By hand, decay 0.9: c(w) = 100 / (150.5 - 50.5 * 0.81) = 0.91245..., alienation 0.0875...
    mermaid = _export(run, _small(write), "mermaid", "--decay", "0.9")
    assert '["worker<br>alienation 0.088 · 3 people"]:::low' in mermaid
    assert run("export", str(_small(write)), "--to", "dot", "--decay", "1").exit_code == 2
