"""The README's commands and library examples run as written (a stale example fails here)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _section(title: str) -> str:
    """The README's text from heading `title` up to the next heading of its level."""
    heading = re.search(rf"^(#+) {re.escape(title)}\n", README, re.M)
    assert heading, f"no section {title!r} in the README"
    level = len(heading.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(README, heading.end())
    return README[heading.end() : end.start() if end else len(README)]


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def _bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_the_picture_commands_and_the_round_trip_run(workdir: Path) -> None:
    section = _section("Pictures")
    scripts = _blocks(section, "bash")
    assert scripts, "the Pictures section shows its commands"
    for script in scripts:
        lines = script.splitlines()
        if shutil.which("dot") is None:  # graphviz is optional; the export itself is not
            lines = [line.replace("| dot -Tsvg > org.svg", "> org.dot") for line in lines]
        result = _bash("\n".join(lines), workdir)
        assert result.returncode == 0, result.stderr
    assert (workdir / "report.html").stat().st_size > 0
    for name in ("org.mmd", "org.graphml", "org.json"):
        assert (workdir / name).stat().st_size > 0, name
    (code,) = _blocks(_section("Graph exports"), "python")
    namespace: dict[str, object] = {}
    cwd = Path.cwd()
    os.chdir(workdir)
    try:
        exec(compile(code, "README.md", "exec"), namespace)  # our own README's code
    finally:
        os.chdir(cwd)
    import networkx as nx

    graph, same = namespace["graph"], namespace["same"]
    assert nx.utils.graphs_equal(graph, same)


def test_the_library_example_runs(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = _blocks(_section("Library"), "python")
    monkeypatch.chdir(workdir)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README's code
    import yaml

    roles = yaml.safe_load((workdir / "examples/dealership/org.yaml").read_text())["roles"]
    assert namespace["doc"]["summary"]["roles"] == len(roles)  # type: ignore[index]


def _walk_through(title: str, workdir: Path) -> tuple[list[int], list[str]]:
    """Run the one bash block of the README section `title` line by line in one shell
    (from the repository's root, as a user would) and return each line's exit status
    and output (stdout)."""
    (script,) = _blocks(_section(title), "bash")
    marked = "".join(f'{line}; echo "== $?"\n' for line in script.splitlines())
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(  # no -e: an analysis with error findings exits 1
        ["bash", "-c", marked], cwd=workdir, env=env, capture_output=True, text=True, check=False
    )
    statuses: list[int] = []
    outputs: list[str] = []
    current: list[str] = []
    for line in result.stdout.splitlines():
        if line.startswith("== "):
            statuses.append(int(line[3:]))
            outputs.append("\n".join(current))
            current = []
        else:
            current.append(line)
    assert len(statuses) == len(script.splitlines()), result.stderr
    return statuses, outputs


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_the_music_store_walk_through_runs_as_written(workdir: Path) -> None:
    from decimal import Decimal

    statuses, outputs = _walk_through("Worked example: a music store", workdir)
    # cd, two imports, an analysis with warnings only, two recipes, an analysis that
    # finds the inverted relationships (exit 1), the report.
    assert statuses == [0, 0, 0, 0, 0, 0, 1, 0]
    shipped, written = ROOT / "examples/music-store", workdir / "examples/music-store"
    for name in ("org.yaml", "sales.csv", "rollup.csv", "it-budget.csv"):
        # the shipped files are what the commands write, byte for byte
        assert (written / name).read_bytes() == (shipped / name).read_bytes(), name
    assert "No money passes between roles" in outputs[3]
    assert "Music store" in (written / "report.html").read_text(encoding="utf-8")
    # The figures, against the raw data joined here by hand: invoice totals per agent.
    data = shipped / "data"
    agent = {c["CustomerId"]: c["SupportRepId"] for c in _csv_rows(data / "customers.csv")}
    revenue: dict[str, Decimal] = {}
    for invoice in _csv_rows(data / "invoices.csv"):
        rep = agent[invoice["CustomerId"]]
        revenue[rep] = revenue.get(rep, Decimal(0)) + Decimal(invoice["Total"])
    env_root = workdir / "examples/music-store"
    doc = json.loads(
        _bash(
            "clientchain analyze org.yaml --flows rollup.csv --flows it-budget.csv"
            " --format json || true",
            env_root,
        ).stdout
    )
    inflow = {role["id"]: Decimal(str(role["inflow"])) for role in doc["roles"]}
    for rep, total in revenue.items():
        assert inflow[rep] == total
    total = sum(revenue.values(), Decimal(0))
    assert inflow["1"] == inflow["2"] == total  # rolled up to the Sales and General Manager
    assert [(i["boss"], i["subordinate"]) for i in doc["inversions"]] == [
        ("1", "6"),
        ("6", "7"),
        ("6", "8"),
    ]


@pytest.mark.slow
def test_the_organogram_walk_through_runs_as_written(workdir: Path) -> None:
    from decimal import Decimal, InvalidOperation

    statuses, outputs = _walk_through("Worked example: a government department", workdir)
    assert statuses == [0, 0, 0, 1, 0]  # cd, import, budgets, analysis (400 errors), report
    shipped, written = ROOT / "examples/uk-treasury", workdir / "examples/uk-treasury"
    for name in ("org.yaml", "budgets.csv"):
        assert (written / name).read_bytes() == (shipped / name).read_bytes(), name
    assert "in 400 of 400 reporting lines (100%)" in " ".join(outputs[3].split())
    # Independently: the March 2014 rows, their FTE, and what the budgets hand down.
    rows = [r for r in _csv_rows(shipped / "data/hmt_full.csv") if r["Back to Index"] == "Mar-14"]
    cost = Decimal(0)
    for row in rows:
        fte = Decimal(row["FTE"])
        try:
            cost += Decimal(row["Actual Pay Ceiling (£)"]) * fte
        except InvalidOperation:  # N/A: the stand-in cost per FTE
            cost += 30000 * fte
    doc = json.loads(_bash("clientchain analyze org.yaml --format json || true", written).stdout)
    assert doc["summary"]["roles"] == len(rows)
    assert Decimal(str(doc["summary"]["headcount"])) == sum(Decimal(r["FTE"]) for r in rows)
    assert Decimal(str(doc["summary"]["money_in"])) == cost
    assert doc["summary"]["inversions"] == len(rows) - 1


# What a README command line may be when the test does not run it: installing (the
# package, or completion into the user's shell), the test suite itself, CI and the
# benchmarks (each run elsewhere: by .ci/run, or by hand).
_NOT_RUN_HERE = re.compile(
    r"^(pipx? install|clientchain --install-completion|pytest|bash \.ci/run|python bench/"
    r"|ruff |mypy|lint-imports)"
)


def _command_lines(block: str) -> list[str]:
    """The block's lines, a `\\`-continued command joined into one."""
    lines: list[str] = []
    pending = ""
    for raw in block.splitlines():
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        lines.append(pending + raw)
        pending = ""
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _stage(workdir: Path) -> None:
    """What the README's commands assume is there besides the examples: an org chart of
    one's own (`org.yaml`), an old and a new version of one (`old/`, `new/`, the new one
    with a reorganisation), and a git repository with an `origin/main`."""
    dealership = workdir / "examples/dealership"
    for target in (workdir, workdir / "old", workdir / "new"):
        target.mkdir(exist_ok=True)
        for name in ("org.yaml", "flows.csv"):
            shutil.copy(dealership / name, target / name)
    new = workdir / "new/org.yaml"
    new.write_text(
        new.read_text(encoding="utf-8").replace(
            "    reports_to: director\n    department: marketing",
            "    reports_to: sales-manager\n    department: marketing",
        ),
        encoding="utf-8",
    )
    git = "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main"
    script = f"{git} init -q && {git} add -A && {git} commit -qm base"
    assert (
        _bash(f"{script} && git update-ref refs/remotes/origin/main HEAD", workdir).returncode == 0
    )


@pytest.mark.slow
def test_every_command_the_readme_shows_runs(workdir: Path) -> None:
    """Every shell command in the README runs from the repository's root as written and
    ends in 0 or 1 (findings), never 2 (bad input or usage) or 3."""
    _stage(workdir)
    ran = without_tool = 0
    for block in _blocks(README, "bash"):
        lines = []
        for line in _command_lines(block):
            command = re.sub(r"^pip install [^&]*&& ", "", line.strip())
            if _NOT_RUN_HERE.match(command):
                continue
            if ("| jq" in command and shutil.which("jq") is None) or (
                "| dot " in command and shutil.which("dot") is None
            ):
                without_tool += 1  # shown, but the tool it pipes into is not here
                continue
            lines.append(command)
        if not lines:
            continue
        # Each line's status is checked on its own: `cd` carries over, findings do not stop.
        script = "".join(
            f"{line}\nstatus=$?; if [ $status -gt 1 ]; then echo 'line {n} exited '$status >&2;"
            " exit 1; fi\n"
            for n, line in enumerate(lines, 1)
        )
        result = _run_lines(script, workdir)
        assert result.returncode == 0, (lines, result.stderr[-3000:])
        ran += len(lines)
    # The README shows this many at least: a broken extraction fails here (a machine
    # without jq or graphviz skips their lines, and still counts them as found).
    assert ran + without_tool >= 30


def _run_lines(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(  # no -e: an analysis with error findings exits 1
        ["bash", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_dealership_table_in_the_readme_is_what_80_columns_print() -> None:
    """'What the numbers mean' shows the table as a user's 80-column terminal prints it."""
    (shown,) = _blocks(_section("What the numbers mean"), "text")
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [BIN / "clientchain", "analyze", "examples/dealership/org.yaml", "--isolated"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1  # the inverted relationship is an error finding
    printed = "\n".join(line.rstrip() for line in result.stdout.splitlines())
    assert shown == printed + "\n"
