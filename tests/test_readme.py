"""The README's commands and library examples run as written (a stale example fails here)."""

from __future__ import annotations

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
