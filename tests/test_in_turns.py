"""The JSON document rendered on two cores is the document rendered on one, byte for
byte, whatever happens to the second process."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from clientchain import analyze, load
from clientchain.model import forking
from clientchain.model.forking import can_fork
from clientchain.render.analysis import in_turns
from clientchain.render.analysis.in_turns import Item, write_items
from clientchain.render.analysis.json_doc import write_json
from tests.conftest import arena_users, bench_generator
from tests.test_json_stream import reference

pytestmark = pytest.mark.skipif(not can_fork(), reason="two cores are used through fork")

SHAPES = ("business", "matrix", "chargeback", "budget", "longids")


def jobs(count: int, size: int = 5000) -> list[Item]:
    """Texts between jobs, each job a different text (its index, repeated)."""
    items: list[Item] = [b"["]
    for k in range(count):
        items.append(lambda k=k: str(k).encode() * size)  # type: ignore[misc]
        items.append(b",")
    return items


def written(items: list[Item], two_cores: bool) -> bytes:
    stream = io.BytesIO()
    write_items(items, stream, two_cores)
    return stream.getvalue()


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_is_the_same_document_on_two_cores(tmp_path: Path, shape: str) -> None:
    bench_generator().write(shape, 3000, tmp_path)
    analysis = analyze(load(tmp_path / "org.yaml"))
    expected = reference(analysis)
    for chunk in (37, 1000):  # many jobs, and a few (fewer than MIN_JOBS: one process)
        stream = io.BytesIO()
        write_json(analysis, stream, chunk, two_cores=True)
        assert stream.getvalue() == expected, (shape, chunk)
    assert no_child_left()


def test_texts_come_out_in_order_with_big_texts_through_the_pipe() -> None:
    items = jobs(40, size=300_000)  # ~1-2 MB a text: more than the pipe holds
    assert written(items, True) == written(items, False)
    assert no_child_left()


def fails_in_the_child(parent: int, after: int) -> Callable[[], bytes]:
    def job() -> bytes:
        if os.getpid() != parent:
            raise MemoryError("the child ran out")
        return b"<%d>" % after

    return job


def test_a_child_that_fails_leaves_its_jobs_to_the_parent() -> None:
    items = jobs(20)
    items[21] = fails_in_the_child(os.getpid(), 10)  # the 11th job: the child's 5th
    expected = written(items, False)
    assert b"<10>" in expected
    assert written(items, True) == expected
    assert no_child_left()


def test_a_child_killed_halfway_through_a_text_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parent = os.getpid()
    real_send = forking.write_fully

    def send_half_then_die(fd: int, data: bytes) -> None:
        if os.getpid() != parent and len(data) == 2_000_000:
            real_send(fd, data[: len(data) // 2])
            os._exit(9)
        real_send(fd, data)

    items = jobs(12)
    items[7] = lambda: b"x" * 2_000_000  # the 4th job: the child's 2nd
    expected = written(items, False)
    monkeypatch.setattr(in_turns, "write_fully", send_half_then_die)
    assert written(items, True) == expected
    assert no_child_left()


def test_a_parent_that_cannot_write_stops_the_child() -> None:
    class Closed(io.BytesIO):
        def write(self, data: bytes) -> int:  # type: ignore[override]
            if self.tell() > 20_000:
                raise BrokenPipeError("the reader went away")
            return super().write(data)

    with pytest.raises(BrokenPipeError):
        write_items(jobs(30), Closed(), True)
    assert no_child_left()


def test_one_core_or_few_jobs_never_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    items = jobs(in_turns.MIN_JOBS - 1)
    assert written(items, True) == written(items, False)
    assert written(jobs(30), False) == b"".join(
        item if isinstance(item, bytes) else item() for item in jobs(30)
    )


def test_both_processes_render_on_a_thread_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each process' texts come and go in an arena of its own (see own_arena), not in the
    heap the two share since the fork: every process that renders says so in a file."""
    users = arena_users(monkeypatch, in_turns, tmp_path / "said")
    items = jobs(20)
    assert written(items, True) == written(items, False)
    assert no_child_left()
    pids = users()
    assert len(pids) == 2 and str(os.getpid()) in pids and len(set(pids)) == 2
