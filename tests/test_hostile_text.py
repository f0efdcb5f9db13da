"""Hostile text in every field of an org chart, through every command and format.

Org charts are written by other people and read in terminals and CI logs. Whatever a
field holds (markup brackets, escape sequences, C0/C1 controls, bidi overrides, very
long text), every command exits 0, 1 or 2; nothing that reaches a terminal, a CI log or a
rendered page carries a raw control character; and the machine formats keep the exact
text.
"""

from __future__ import annotations

import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clientchain.cli.app import app

# Code points that must never reach a terminal raw (one oracle set for both test files).
from tests.test_terminal_text import FORBIDDEN

pytestmark = pytest.mark.slow  # every field through every command, each example

FRAGMENTS = [
    "[/x]",
    "[bold red]",
    "[link=https://example.invalid/login]Open HR portal[/link]",
    "[/]",
    "\\",
    "\x1b[2J",
    "\x1b[31m",
    "\x1b]8;;https://example.invalid\x07click\x1b]8;;\x07",
    "\x1b]0;title\x1b\\",
    "\x9b2J",
    "\x07",
    "\x08",
    "\r",
    "\n",
    "\t",
    "\x7f",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ufeff",
    "::error::",
    "%0A",
    "|",
    "<script>alert(1)</script>",
    "`",
    "*_",
    '"',
    "'",
    "#",
    "{{x}}",
    "日本語",
    "é",
]
CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"] + [chr(c) for c in range(0x80, 0xA0)]


def hostile_text(min_size: int = 0) -> st.SearchStrategy[str]:
    piece = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(CONTROLS),
        st.text(alphabet="abc-_ ", min_size=1, max_size=4),
    )
    return st.lists(piece, min_size=min_size, max_size=6).map("".join)


def csv_id(text: str) -> str:
    # A flows CSV trims the spaces typed around a cell (README): an id the CSV names
    # has none at its edges. Everything else is fair game.
    return text.strip(" ")


def unique_ids(count: int) -> st.SearchStrategy[list[str]]:
    # Ids must be non-empty and distinct; a plain suffix keeps them so whatever the rest.
    return st.lists(hostile_text(), min_size=count, max_size=count).map(
        lambda texts: [csv_id(f"{text}#{i}") for i, text in enumerate(texts)]
    )


@dataclass(frozen=True)
class Fields:
    org: str
    currency: str
    client: str
    client_title: str
    roles: list[str]
    titles: list[str]
    departments: list[str]
    kind: str


fields = st.builds(
    Fields,
    org=hostile_text(),
    currency=hostile_text(),
    client=hostile_text(1).map(lambda t: csv_id("client:" + t)),
    client_title=hostile_text(),
    roles=unique_ids(4),
    titles=st.lists(hostile_text(), min_size=4, max_size=4),
    departments=st.lists(hostile_text(), min_size=4, max_size=4),
    kind=hostile_text(),
)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's) for any text."""
    return json.dumps(text, ensure_ascii=True)


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_org(folder: Path, f: Fields, *, boss_of_last: int = 1) -> Path:
    """Owner <- manager <- two staff; the owner pays the last staff member (an inversion)."""
    folder.mkdir(parents=True, exist_ok=True)
    owner, manager, seller, clerk = f.roles
    bosses = [None, owner, manager, f.roles[boss_of_last]]
    lines = [
        f"org: {q(f.org)}",
        f"currency: {q(f.currency)}",
        "flows: flows.csv",
        "clients:",
        f"  - id: {q(f.client)}",
        f"    title: {q(f.client_title)}",
        f"    owner: {q(manager)}",
        "roles:",
    ]
    # SPEC Additions: both staff serve the client (touchpoints in two departments); in
    # the old org the clerk has a dotted line to the seller, who pays it (a dotted
    # inversion); in the new one the seller is its boss, so the line goes.
    extra = {seller: [f"    serves: {q(f.client)}"], clerk: [f"    serves: [{q(f.client)}]"]}
    if boss_of_last == 1:
        extra[clerk].append(f"    dotted_to: {q(seller)}")
    for role, title, department, boss in zip(f.roles, f.titles, f.departments, bosses, strict=True):
        lines += [f"  - id: {q(role)}", f"    title: {q(title)}"]
        lines += [f"    department: {q(department)}", *extra.get(role, [])]
        if boss is not None:
            lines.append(f"    reports_to: {q(boss)}")
    (folder / "org.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = [
        (f.client, seller, "1000"),
        (seller, manager, "600"),
        (manager, owner, "400"),
        (owner, clerk, "150"),
        (seller, clerk, "50"),
    ]
    flows = "from,to,amount,kind\n" + "".join(
        f"{csv_cell(a)},{csv_cell(b)},{amount},{csv_cell(f.kind)}\n" for a, b, amount in rows
    )
    (folder / "flows.csv").write_text(flows, encoding="utf-8", newline="")
    return folder / "org.yaml"


@dataclass(frozen=True)
class Output:
    command: str
    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str) -> Output:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Output(" ".join(args[:3]), result.exit_code, result.stdout, result.stderr)


def raw_controls(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text if c in FORBIDDEN})


def terminal_runs(org: Path, new: Path, role: str, out: Path) -> Iterator[Output]:
    """Every command and format whose output a person reads: terminal, CI log, PR page."""
    for fmt in ("table", "github", "markdown"):
        yield invoke("analyze", str(org), "--format", fmt)
    yield invoke("validate", str(org), str(new))
    if "\x00" not in role:  # a command-line argument cannot hold NUL
        yield invoke("chain", str(org), role)
    for fmt in ("table", "markdown"):
        yield invoke("diff", str(org), str(new), "--format", fmt)
    for to in ("dot", "mermaid"):
        yield invoke("export", str(org), "--to", to)
    yield invoke("report", str(org), "-o", str(out))


def check_exact_text(doc: dict[str, object], f: Fields) -> None:
    """The JSON document keeps every field's text exactly."""
    assert doc["org"] == f.org
    assert doc["currency"] == f.currency
    roles = doc["roles"]
    assert isinstance(roles, list)
    assert [r["id"] for r in roles] == f.roles
    assert [r["title"] for r in roles] == f.titles
    assert [r["department"] for r in roles] == f.departments
    assert [r["serves"] for r in roles] == [[], [], [f.client], [f.client]]
    clients = doc["clients"]
    assert isinstance(clients, list)
    assert [(c["id"], c["owner"]) for c in clients] == [(f.client, f.roles[1])]


def run_everything(tmp: Path, f: Fields) -> None:
    org = write_org(tmp / "old", f)
    new = write_org(tmp / "new", f, boss_of_last=2)
    report = tmp / "report.html"
    for output in terminal_runs(org, new, f.roles[2], report):
        assert output.exit_code in (0, 1, 2), (output.command, output.stderr[-2000:])
        assert raw_controls(output.stdout) == [], (output.command, "stdout")
        assert raw_controls(output.stderr) == [], (output.command, "stderr")
    assert output.exit_code == 0 and report.exists()
    assert raw_controls(report.read_text(encoding="utf-8")) == []

    analysed = invoke("analyze", str(org), "--format", "json")
    assert analysed.exit_code == 1, analysed.stderr  # the owner pays the clerk: CC101
    check_exact_text(json.loads(analysed.stdout), f)
    for fmt in ("sarif", "gitlab"):
        result = invoke("analyze", str(org), "--format", fmt)
        assert result.exit_code == 1, (fmt, result.stderr)
        json.loads(result.stdout)
    exported = invoke("export", str(org), "--to", "json")
    assert exported.exit_code == 0
    nodes = {node["id"] for node in json.loads(exported.stdout)["nodes"]}
    assert set(f.roles) | {f.client} <= nodes
    graphml = invoke("export", str(org), "--to", "graphml")
    if graphml.exit_code == 0:
        ET.fromstring(graphml.stdout.encode("utf-8"))  # well-formed XML 1.0
    else:  # a control XML 1.0 cannot carry: refused, said visibly, never renamed
        assert graphml.exit_code == 2 and "GraphML (XML 1.0) cannot carry" in graphml.stderr
        assert raw_controls(graphml.stderr) == []
    diffed = invoke("diff", str(org), str(new), "--format", "json")
    assert diffed.exit_code in (0, 1), diffed.stderr
    json.loads(diffed.stdout)


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(f=fields)
def test_hostile_text_in_every_field_through_every_command(tmp_path: Path, f: Fields) -> None:
    # Hypothesis runs many examples in one tmp_path: each gets a fresh folder.
    run_everything(Path(tempfile.mkdtemp(dir=tmp_path)), f)


MAKERS: dict[str, Callable[[int], str]] = {
    "escapes": lambda i: f"\x1b[2J\x1b]8;;https://example.invalid\x07{i}[/x][link=x]",
    "every control": lambda i: "".join(CONTROLS) + str(i),
    "bidi": lambda i: f"\u202eevil\u2066{i}\u2069\u200f\u2028",
    "long": lambda i: f"{i}" + "x" * 200_000,
}


def test_each_kind_of_hostile_text_in_every_field(tmp_path: Path) -> None:
    for name, make in MAKERS.items():
        f = Fields(
            org=make(0),
            currency=make(1),
            client=make(2),
            client_title=make(3),
            roles=[make(4), make(5), make(6), make(7)],
            titles=[make(8), make(9), make(10), make(11)],
            departments=[make(12), make(13), make(14), make(15)],
            kind=make(16),
        )
        run_everything(tmp_path / name.replace(" ", "-"), f)


def test_unknown_hostile_id_is_reported_visibly(tmp_path: Path) -> None:
    """A message quoting an id that names nothing shows the escape, never the byte."""
    org = tmp_path / "org.yaml"
    org.write_text(
        'roles:\n  - id: owner\n  - id: seller\n    reports_to: "\\e[2J\\e]8;;x\\aboss"\n',
        encoding="utf-8",
    )
    result = invoke("validate", str(org))
    assert result.exit_code == 2
    assert raw_controls(result.stderr) == []
    assert "\\x1b[2J" in result.stderr


# --- what was typed: click quotes it in its usage errors ---------------------------------

TYPED = "\x1b[2J\x1b]8;;https://example.invalid\x07\u202eevil\u2028"


def leaf_commands() -> list[list[str]]:
    """Every command a user can run, as the words that name it (`import people`)."""
    import typer.main

    leaves: list[list[str]] = []
    groups: list[tuple[list[str], Any]] = [([], typer.main.get_command(app))]
    while groups:
        words, group = groups.pop()
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                groups.append(([*words, name], command))
            else:
                leaves.append([*words, name])
    return sorted(leaves)


def check_inert_usage_error(output: Output, *, shown: str = "\\x1b[2J") -> None:
    assert output.exit_code == 2, output.stderr
    assert raw_controls(output.stdout + output.stderr) == []
    assert "Error:" in output.stderr and shown in output.stderr


@pytest.mark.parametrize("command", leaf_commands(), ids=" ".join)
def test_an_unknown_option_is_quoted_inert_by_every_command(command: list[str]) -> None:
    check_inert_usage_error(invoke(*command, f"--{TYPED}"))
    # click quotes a short option by its first character, as it is.
    check_inert_usage_error(invoke(*command, f"-\u202e{TYPED}"), shown="-\\u202e")


@pytest.mark.parametrize(
    "args",
    [
        [TYPED],  # an unknown command
        ["import", TYPED],  # an unknown subcommand
        ["analyze", "org.yaml", "--format", TYPED],  # a value not among the choices
        ["chain", "org.yaml", "seller", "--decay", TYPED],  # not a number
    ],
    ids=["command", "subcommand", "choice", "number"],
)
def test_a_bad_word_on_the_command_line_is_quoted_inert(args: list[str]) -> None:
    check_inert_usage_error(invoke(*args))


def test_a_role_id_that_looks_like_an_option_is_quoted_inert_and_reachable(
    tmp_path: Path,
) -> None:
    """An id starting with a dash is taken for an option, as in every command line; the
    error shows it inert, and `--` passes it as the role."""
    role = f"-\u202e{TYPED}"
    org = tmp_path / "org.yaml"
    org.write_text(
        f"clients: [{{id: buyers}}]\nroles:\n  - id: owner\n  - id: {q(role)}\n"
        "    reports_to: owner\nflows:\n  - {from: buyers, to: "
        f"{q(role)}, amount: 10}}\n",
        encoding="utf-8",
    )
    check_inert_usage_error(invoke("chain", str(org), role), shown="-\\u202e")
    chained = invoke("chain", str(org), "--", role)
    assert chained.exit_code == 0, chained.stderr
    assert raw_controls(chained.stdout + chained.stderr) == []
    assert "\\u202eevil" in chained.stdout


def test_the_installed_command_quotes_a_typed_word_inert() -> None:
    """Through the console entry point (run, then main's exit), not only the test runner."""
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from clientchain.cli.app import main; main()",
            "analyze",
            f"--{TYPED}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert raw_controls(done.stdout + done.stderr) == []
    assert "No such option: --\\x1b[2J" in done.stderr
