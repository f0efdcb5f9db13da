"""`diff` with the old side analysed in a child process: the same output, the same
problems and exit codes as one side after the other, and a clear error when the child
dies. The child is forced on these small inputs by CLIENTCHAIN_DIFF_PARALLEL=1."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clientchain.analyses import analyze as analyze_module
from clientchain.cli.app import run as run_cli
from clientchain.diff import beside
from clientchain.diff.sides import PackedTexts
from clientchain.model import forking
from clientchain.model.forking import can_fork
from tests.conftest import Run
from tests.diff_orgs import copy_dealership, the_pull_request

pytestmark = pytest.mark.skipif(not can_fork(), reason="no safe fork here")

Runner = Callable[..., Run]


@pytest.fixture
def sides(tmp_path: Path) -> tuple[str, str]:
    return str(copy_dealership(tmp_path / "old")), str(the_pull_request(tmp_path / "new"))


def _both_ways(run: Runner, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Run, Run]:
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "0")
    one_after_other = run("diff", *args)
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "1")
    return one_after_other, run("diff", *args)


@pytest.mark.parametrize("output", ["table", "json", "markdown"])
def test_a_child_gives_the_same_diff_and_exit_code(
    run: Runner, monkeypatch: pytest.MonkeyPatch, sides: tuple[str, str], output: str
) -> None:
    alone, paired = _both_ways(run, monkeypatch, *sides, "--format", output, "--top", "0")
    assert paired.exit_code == alone.exit_code == 1  # the pull request adds an inversion
    assert paired.stdout == alone.stdout
    assert "inverted" in paired.stdout or "CC101" in paired.stdout
    assert paired.stderr == alone.stderr == ""


def test_problems_on_both_sides_are_all_reported_with_a_child(
    run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = tmp_path / "old.yaml"
    old.write_text("roles:\n  - {id: a, reports_to: ghost}\n", encoding="utf-8")
    new = tmp_path / "new.yaml"
    new.write_text("roles:\n  - {id: b, reports_to: nobody}\n", encoding="utf-8")
    alone, paired = _both_ways(run, monkeypatch, str(old), str(new))
    assert (paired.exit_code, paired.stdout) == (2, "")
    assert paired.stderr.splitlines() == [
        f"{new}:2:25: reports_to: unknown role 'nobody'",
        f"{old}:2:25: reports_to: unknown role 'ghost'",
        "clientchain: 2 problems in the input",
    ]
    assert alone.stderr == paired.stderr


@pytest.mark.parametrize("broken", ["old", "new"])
def test_a_problem_on_one_side_only_exits_2_with_a_child(
    run: Runner,
    monkeypatch: pytest.MonkeyPatch,
    sides: tuple[str, str],
    tmp_path: Path,
    broken: str,
) -> None:
    missing = str(tmp_path / "missing.yaml")
    args = (missing, sides[1]) if broken == "old" else (sides[0], missing)
    alone, paired = _both_ways(run, monkeypatch, *args)
    assert (paired.exit_code, paired.stdout) == (2, "")
    assert paired.stderr.splitlines() == [
        f"{missing}: file not found",
        "clientchain: 1 problem in the input",
    ]
    assert alone.stderr == paired.stderr


def test_the_old_side_from_standard_input_in_a_child(
    monkeypatch: pytest.MonkeyPatch, sides: tuple[str, str], run: Runner
) -> None:
    old, new = sides
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "1")
    from typer.testing import CliRunner

    from clientchain.cli.app import app

    text = Path(old).read_text(encoding="utf-8").replace("flows: flows.csv\n", "")
    result = CliRunner().invoke(app, ["diff", "-", new, "--format", "json"], input=text)
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "0")
    expected = CliRunner().invoke(app, ["diff", "-", new, "--format", "json"], input=text)
    assert (result.exit_code, result.stdout) == (expected.exit_code, expected.stdout)
    assert '"source": "-"' in result.stdout or '"source": "<stdin>"' in result.stdout


def test_a_child_that_dies_is_an_internal_error_exit_3(
    monkeypatch: pytest.MonkeyPatch, sides: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    parent = os.getpid()
    real = analyze_module.analyze

    def dies_in_the_child(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        return real(*args, **kwargs)

    monkeypatch.setattr(analyze_module, "analyze", dies_in_the_child)
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "1")
    monkeypatch.setattr(sys, "argv", ["clientchain", "diff", *sides])
    assert run_cli() == 3
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[0] == (
        "clientchain: internal error: SideLostError: the process analysing OLD ended"
        " without a result (killed by signal 9)"
    )


def test_a_child_whose_analysis_fails_is_an_internal_error_exit_3(
    monkeypatch: pytest.MonkeyPatch, sides: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    parent = os.getpid()
    real = analyze_module.analyze

    def fails_in_the_child(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            raise ValueError("a bug")
        return real(*args, **kwargs)

    monkeypatch.setattr(analyze_module, "analyze", fails_in_the_child)
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "1")
    monkeypatch.setattr(sys, "argv", ["clientchain", "diff", *sides])
    assert run_cli() == 3
    assert capsys.readouterr().err.splitlines()[0] == (
        "clientchain: internal error: SideLostError: the process analysing OLD failed:"
        " ValueError: a bug"
    )


@pytest.mark.parametrize(
    ("setting", "size", "expected"),
    [
        ("", beside.PARALLEL_BYTES, True),
        ("", beside.PARALLEL_BYTES - 1, False),
        ("1", 0, True),
        ("on", 0, True),
        ("0", 10**9, False),
        ("off", 10**9, False),
    ],
)
def test_a_child_only_for_big_inputs_unless_asked(
    monkeypatch: pytest.MonkeyPatch, setting: str, size: int, expected: bool
) -> None:
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, setting)
    assert beside.wanted(size) is expected


@pytest.mark.parametrize(
    "texts", [(), ("a",), ("a", "", "é\u202e"), ("line\nbreak", "b"), ("\udcff", "x")]
)
def test_packed_ids_come_back_as_written(texts: tuple[str, ...]) -> None:
    import pickle

    assert pickle.loads(pickle.dumps(PackedTexts(texts))).texts == texts


def test_each_side_counts_one_core_fewer_while_the_other_is_analysed(
    monkeypatch: pytest.MonkeyPatch, sides: tuple[str, str], tmp_path: Path
) -> None:
    """Two sides at once already fill two cores: their analyses fork no helper for a
    second core (the sweeps', the render's), which only made four processes wait on
    each other. Every analysis writes down the cores it may use."""
    said = tmp_path / "cores"
    real = analyze_module.analyze

    def counting(*args: Any, **kwargs: Any) -> Any:
        with said.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {forking.usable_cores()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(analyze_module, "analyze", counting)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setenv(beside.PARALLEL_VARIABLE, "1")
    monkeypatch.setattr(sys, "argv", ["clientchain", "diff", *sides])
    assert run_cli() == 1
    lines = [line.split() for line in said.read_text(encoding="utf-8").splitlines()]
    assert sorted(cores for _, cores in lines) == ["1", "1"]
    assert len({pid for pid, _ in lines}) == 2  # one in each process
    assert forking.usable_cores() == 2  # as before, once the diff is done


def test_sharing_cores_leaves_at_least_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert forking.usable_cores() == 3
    with forking.sharing_cores():
        assert forking.usable_cores() == 2
        with forking.sharing_cores(5):
            assert forking.usable_cores() == 1
        assert forking.usable_cores() == 2
    assert forking.usable_cores() == 3
