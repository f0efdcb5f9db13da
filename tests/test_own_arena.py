"""A large document rendered in one process runs on a thread of its own (for its own
malloc arena): the same bytes, its failures raised to the caller."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from clientchain import analyze, load
from clientchain.model.own_arena import in_own_arena
from clientchain.render.analysis import json_doc
from tests.conftest import bench_generator
from tests.test_json_stream import reference


def test_the_work_runs_on_another_thread_and_its_result_comes_back() -> None:
    caller = threading.get_ident()
    assert in_own_arena(lambda stop: (threading.get_ident() != caller, stop.is_set())) == (
        True,
        False,
    )


def test_a_failure_of_the_work_is_raised_to_the_caller() -> None:
    def fail(_stop: threading.Event) -> None:
        raise BrokenPipeError("stdout closed")

    with pytest.raises(BrokenPipeError, match="stdout closed"):
        in_own_arena(fail)


@pytest.mark.parametrize("shape", ["longids", "chargeback"])
def test_a_large_document_in_one_process_is_the_same_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    bench_generator().write(shape, 2000, tmp_path)
    analysis = analyze(load(tmp_path / "org.yaml"))
    expected = reference(analysis)
    monkeypatch.setattr(json_doc, "TWO_CORES_FROM", 1_000)  # 2000 roles count as large
    threads: list[int] = []

    def spied(work: Callable[[threading.Event], None]) -> None:
        threads.append(1)
        in_own_arena(work)

    monkeypatch.setattr(json_doc, "in_own_arena", spied)
    stream = io.BytesIO()
    json_doc.write_json(analysis, stream, chunk=97, two_cores=False)
    assert threads == [1]
    assert stream.getvalue() == expected
