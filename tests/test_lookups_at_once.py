"""The payers of a large flows table looked up on a second thread while this one looks up
the payees (loading/fast/loader.py, `_find_both`): the same Org, or the same hand-over
to the precise reader, as the two look-ups one after the other."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from clientchain.loading.fast import loader
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import EXAMPLES, bench_generator
from tests.test_fastload import (
    CASES,
    assert_same_outcome,
    fast_only,
    flat_inputs,
    write_case,
    write_inputs,
)


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The look-ups handed to a second thread (the name of the thread each ran on)."""
    names: list[str] = []
    real_submit = ThreadPoolExecutor.submit

    def submit(pool: ThreadPoolExecutor, *args: object, **kwargs: object) -> object:
        names.append(pool._thread_name_prefix or "")
        return real_submit(pool, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ThreadPoolExecutor, "submit", submit)
    yield names


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, path: Path
) -> tuple[Org | InputError | None, Org | InputError | None]:
    """(the load with the look-ups at once, on two cores; the load with one after the other)."""
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_BOTH_AT_ONCE_ROWS", 0)
        patch.setattr(loader, "usable_cores", lambda: 2)
        at_once = fast_only(path)
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_BOTH_AT_ONCE_ROWS", 1 << 62)
        return at_once, fast_only(path)


@pytest.mark.parametrize(
    ("org", "flows", "fast_expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_case_loads_the_same_with_its_payers_found_on_a_thread(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    submitted: list[str],
    org: str,
    flows: str,
    fast_expected: bool,
) -> None:
    write_case(tmp_path, org, flows)
    at_once, one_by_one = _both_ways(monkeypatch, tmp_path / "org.yaml")
    assert_same_outcome(at_once, one_by_one)
    assert (at_once is not None) is fast_expected


@pytest.mark.parametrize("shape", ["business", "longids", "matrix"])
def test_a_generated_org_loads_the_same_and_its_payers_are_found_on_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, submitted: list[str], shape: str
) -> None:
    bench_generator().write(shape, 3000, tmp_path)
    at_once, one_by_one = _both_ways(monkeypatch, tmp_path / "org.yaml")
    assert at_once is not None  # the fast path's own load, not a hand-over
    assert_same_outcome(at_once, one_by_one)
    assert submitted == ["clientchain-payers"]  # the first load's payers, on the thread


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_every_example_loads_the_same(monkeypatch: pytest.MonkeyPatch, example: str) -> None:
    assert_same_outcome(*_both_ways(monkeypatch, EXAMPLES / example / "org.yaml"))


@pytest.mark.slow
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(inputs=flat_inputs())
def test_generated_inputs_load_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inputs: tuple[bytes, bytes]
) -> None:
    assert_same_outcome(*_both_ways(monkeypatch, write_inputs(tmp_path, inputs)))


@pytest.mark.parametrize(
    ("rows", "cores", "on_thread"), [(0, 2, True), (0, 1, False), (1 << 62, 2, False)]
)
def test_a_thread_only_for_tables_worth_it_with_a_core_free(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    submitted: list[str],
    rows: int,
    cores: int,
    on_thread: bool,
) -> None:
    bench_generator().write("business", 500, tmp_path)
    monkeypatch.setattr(loader, "_BOTH_AT_ONCE_ROWS", rows)
    monkeypatch.setattr(loader, "usable_cores", lambda: cores)
    assert fast_only(tmp_path / "org.yaml") is not None
    assert bool(submitted) is on_thread


# Each spoils a generated flows file in one way; the last row is the one spoiled.
_SPOILED = {
    "crlf": lambda rows: [row + b"\r" for row in rows],
    "payer not utf-8": lambda rows: [*rows[:-1], b"\xff" + rows[-1]],
    "payee not utf-8": lambda rows: [*rows[:-1], rows[-1].replace(b",r", b",\xfer", 1)],
    "unknown payer": lambda rows: [*rows[:-1], b"nobody" + rows[-1][rows[-1].index(b",") :]],
    "padded cells": lambda rows: [row.replace(b",", b" , ") for row in rows],
    "non-ascii kind": lambda rows: [*rows[:-1], rows[-1] + b"\xc3\xa9"],
}


@pytest.mark.parametrize("spoil", sorted(_SPOILED))
def test_a_spoiled_flows_file_is_taken_or_handed_over_as_one_after_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, submitted: list[str], spoil: str
) -> None:
    bench_generator().write("business", 400, tmp_path)
    header, *rows = (tmp_path / "flows.csv").read_bytes().rstrip(b"\n").split(b"\n")
    spoiled = [header, *_SPOILED[spoil](rows)]
    (tmp_path / "flows.csv").write_bytes(b"\n".join(spoiled) + b"\n")
    assert_same_outcome(*_both_ways(monkeypatch, tmp_path / "org.yaml"))
    assert submitted == ["clientchain-payers"]  # the thread ran, whatever it found
