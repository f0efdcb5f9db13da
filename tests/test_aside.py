"""A step run in a child beside the process gives what it gives in the process, whatever
happens to the child; and the analysis' inversions, found so, are the same analysis."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from clientchain import analyze, load
from clientchain.analyses import analyze as analyze_module
from clientchain.model.aside import aside
from clientchain.model.forking import can_fork
from tests.conftest import bench_generator
from tests.test_client_sweeps import forks_counted
from tests.test_in_turns import no_child_left
from tests.test_json_stream import reference

pytestmark = pytest.mark.skipif(not can_fork(), reason="the child is forked")


@dataclass(frozen=True)
class Result:
    pid: int
    numbers: np.ndarray
    ids: list[str]
    uneven: np.ndarray  # a strided view: pickled in-band, not as a raw buffer


def step(size: int = 100_000) -> Result:
    rng = np.random.default_rng(7)
    numbers = rng.random(size)
    return Result(os.getpid(), numbers, [f"r-{i}-é" for i in range(50)], numbers[::3])


def expected() -> Result:
    return step()


def same(a: Result, b: Result) -> bool:
    return (
        a.numbers.tobytes() == b.numbers.tobytes()
        and a.ids == b.ids
        and a.uneven.tobytes() == b.uneven.tobytes()
    )


def test_the_child_does_the_work_and_hands_back_its_result() -> None:
    side = aside(step, fork=True)
    try:
        got = side.result()
    finally:
        side.close()
    assert side.forked is False  # reaped once the result is in
    assert got.pid != os.getpid()  # made in the child
    assert same(got, expected())
    got.numbers[0] = -1.0  # arrays over the received bytes can be written, like any
    assert no_child_left()


def test_without_a_fork_the_work_runs_here_when_asked() -> None:
    calls: list[int] = []

    def counted() -> Result:
        calls.append(1)
        return step()

    side = aside(counted, fork=False)
    assert not calls  # not before its result is wanted
    got = side.result()
    assert got.pid == os.getpid() and same(got, expected())
    assert side.result() is got and len(calls) == 1  # once


@pytest.mark.parametrize("how", ["exit", "kill", "pickle"])
def test_a_child_that_stops_leaves_the_work_to_the_parent(how: str) -> None:
    parent = os.getpid()

    def failing_in_child() -> Result:
        if os.getpid() != parent:
            if how == "exit":
                os._exit(3)
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            unpicklable: list[str] = [lambda: None]  # type: ignore[list-item]
            return Result(0, np.zeros(1), unpicklable, np.zeros(1))
        return step()

    side = aside(failing_in_child, fork=True)
    got = side.result()
    assert got.pid == parent and same(got, expected())
    assert no_child_left()


def test_an_error_of_the_work_is_raised_in_the_parent() -> None:
    def broken() -> Result:
        raise ZeroDivisionError("in the step")

    side = aside(broken, fork=True)
    with pytest.raises(ZeroDivisionError, match="in the step"):
        side.result()
    assert no_child_left()


def _a_child_has_exited(within: float) -> bool:
    """Whether a child of this process has exited (left unreaped), within `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.01)
    return False


def test_the_child_leaves_once_its_result_is_sent_not_when_it_is_asked_for() -> None:
    # 4 MB of result, many times a pipe's buffer: unread, the child would wait on it,
    # holding every page it wrote, until the caller asks.
    side = aside(partial(step, 500_000), fork=True)
    assert side.forked
    assert _a_child_has_exited(within=30.0)
    got = side.result()
    assert got.pid != os.getpid() and same(got, step(500_000))
    assert no_child_left()


def test_closing_stops_a_child_still_at_work() -> None:
    def endless() -> Result:
        signal.pause()  # until a signal: only the kill of `close` comes
        return step()

    side = aside(endless, fork=True)
    assert side.forked
    side.close()
    assert not side.forked and no_child_left()


SHAPES = ("business", "chargeback", "budget", "matrix")


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_inversions_found_beside_are_the_same_analysis(
    tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench_generator().write(shape, 2000, tmp_path)
    org = load(tmp_path / "org.yaml")

    def document(two_cores: bool) -> bytes:
        with monkeypatch.context() as patch:
            patch.setattr(analyze_module, "ASIDE_MIN_ROLES", 0)
            patch.setattr(analyze_module, "second_core_free", lambda: two_cores)
            analysis = analyze(org)
            inv = analysis.inversions_raw
            raw = [inv.boss, inv.subordinate, inv.net, inv.impact_headcount, inv.broken_at]
            return reference(analysis) + b"".join(a.tobytes() for a in raw)

    alone = document(False)
    forks = forks_counted(monkeypatch)
    assert document(True) == alone
    assert len(forks) == 1  # the child did find them
    assert len(analyze(org).inversions_raw) > 0  # (there are inversions to find)
    assert no_child_left()
