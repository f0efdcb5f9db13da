"""Flows files read on a thread while the org chart is scanned (loading/fast/tables_ahead):
the same Org, or the same hand-over to the precise reader, as reading them after the
scan, whatever the org chart's `flows:` line says and whatever is wrong with a file."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from threading import Thread, current_thread

import pytest
from hypothesis import HealthCheck, given, settings

from clientchain.loading.fast import tables_ahead
from clientchain.loading.fast.tables_ahead import guess_flows_name
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import EXAMPLES
from tests.test_fastload import (
    CASES,
    assert_same_outcome,
    fast_only,
    flat_inputs,
    write_case,
    write_inputs,
)


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> list[Thread]:
    """The threads tables_ahead starts; every input, however small, read on one (as if
    on two cores)."""
    started: list[Thread] = []

    def thread(*args: object, **kwargs: object) -> Thread:
        started.append(Thread(*args, **kwargs))  # type: ignore[arg-type]
        return started[-1]

    monkeypatch.setattr(tables_ahead, "AHEAD_BYTES", 0)
    monkeypatch.setattr(tables_ahead, "usable_cores", lambda: 2)
    monkeypatch.setattr(tables_ahead, "Thread", thread)
    return started


def _sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables_ahead, "AHEAD_BYTES", 1 << 62)


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, load: Callable[[], Org | InputError | None]
) -> tuple[Org | InputError | None, Org | InputError | None]:
    """(load() with its files read on a thread, load() with them read after the scan)."""
    ahead = load()
    _sequential(monkeypatch)
    return ahead, load()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (b"flows: flows.csv\nroles:\n", "flows.csv"),
        (b"org: x\nflows: 'money in.csv'  # the ledger\n", "money in.csv"),
        (b'roles: []\nflows: "f.csv"\r\n', "f.csv"),
        (b"flows:    data/f.csv   \n", "data/f.csv"),
        (b"# flows: old.csv\nflows: new.csv\n", "new.csv"),
        (b"flows: f\xc3\xa9.csv\n", "f\u00e9.csv"),
        (b"roles:\n  flows: x.csv\n", None),  # not a top-level key
        (b"flows:\nroles:\n", None),
        (b"flows: ~\n", None),
        (b"flows: null # none\n", None),
        (b"flowsheet: a.csv\n", None),
        (b"flows: 'it''s.csv'\n", None),  # YAML's escaped quote: left to the document
        (b'flows: "a\\tb.csv"\n', None),
        (b"flows: 'open.csv\n", None),
        (b"flows: \xff.csv\n", None),
        (b"", None),
    ],
)
def test_the_flows_name_is_guessed_only_where_plainly_written(
    text: bytes, name: str | None
) -> None:
    assert guess_flows_name(text) == name


@pytest.mark.parametrize(
    ("org", "flows", "fast_expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_case_loads_the_same_with_its_flows_read_on_a_thread(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    threads: list[Thread],
    org: str,
    flows: str,
    fast_expected: bool,
) -> None:
    text = write_case(tmp_path, org, flows)
    ahead, after = _both_ways(monkeypatch, lambda: fast_only(tmp_path / "org.yaml"))
    # One thread where the org chart names a file (the second load read it after the scan).
    assert len(threads) == (guess_flows_name(text.encode("utf-8")) is not None)
    assert_same_outcome(ahead, after)
    assert (ahead is not None) is fast_expected


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_every_example_loads_the_same(
    monkeypatch: pytest.MonkeyPatch, threads: list[Thread], example: str
) -> None:
    org = EXAMPLES / example / "org.yaml"
    ahead, after = _both_ways(monkeypatch, lambda: fast_only(org))
    assert_same_outcome(ahead, after)
    assert bool(threads) == (guess_flows_name(org.read_bytes()) is not None)


def test_a_wrong_guess_is_read_but_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: list[Thread]
) -> None:
    """The document decides which file is read: a file only guessed at is dropped."""
    (tmp_path / "org.yaml").write_text(
        "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n", encoding="utf-8"
    )
    (tmp_path / "flows.csv").write_text("from,to,amount\nbuyers,boss,10\n", encoding="utf-8")
    (tmp_path / "decoy.csv").write_text("from,to,amount\nbuyers,boss,99\n", encoding="utf-8")
    (tmp_path / "broken.csv").write_text('from,to\n"', encoding="utf-8")
    for guess in ("decoy.csv", "broken.csv", "missing.csv"):
        monkeypatch.setattr(tables_ahead, "guess_flows_name", lambda _data, g=guess: g)
        org = fast_only(tmp_path / "org.yaml")
        assert isinstance(org, Org), guess
        assert org.flow_amount.tolist() == [10.0]
    assert len(threads) == 2  # (a missing file is no regular file: not read ahead)


def test_a_file_that_cannot_be_read_hands_over_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: list[Thread]
) -> None:
    """A missing flows file, a folder in its place: the precise reader's to word, with or
    without the thread. A spreadsheet's UTF-16 file is read (by the precise CSV reader,
    the org chart by the fast one)."""
    (tmp_path / "org.yaml").write_text(
        "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n", encoding="utf-8"
    )
    flows = tmp_path / "flows.csv"
    assert fast_only(tmp_path / "org.yaml") is None  # missing
    flows.mkdir()
    assert fast_only(tmp_path / "org.yaml") is None
    flows.rmdir()
    flows.write_bytes("from,to,amount\nbuyers,boss,10\n".encode("utf-16"))
    loaded = fast_only(tmp_path / "org.yaml")
    assert isinstance(loaded, Org) and loaded.flow_amount.tolist() == [10.0]
    assert len(threads) == 1  # (only the UTF-16 file is a regular file, read ahead)


def _seller_paid_by_buyers(folder: Path, flows: str) -> None:
    """An org chart (a boss, a seller, the client buyers) naming flows.csv, and that file."""
    (folder / "org.yaml").write_text(
        "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n  - id: seller\n"
        "    reports_to: boss\n",
        encoding="utf-8",
    )
    (folder / "flows.csv").write_text(flows, encoding="utf-8")


def test_files_named_on_the_command_line_keep_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: list[Thread]
) -> None:
    _seller_paid_by_buyers(tmp_path, "from,to,amount,kind\nbuyers,seller,10,sale\n")
    (tmp_path / "more.yaml").write_text("- {from: seller, to: boss, amount: 2.5, memo: up}\n")
    (tmp_path / "more.csv").write_text("to,from,amount\nseller,boss,1\n")
    extra = [tmp_path / "more.yaml", tmp_path / "more.csv"]
    ahead, after = _both_ways(monkeypatch, lambda: fast_only(tmp_path / "org.yaml", extra))
    assert isinstance(ahead, Org)
    assert_same_outcome(ahead, after)
    assert ahead.flow_amount.tolist() == [10.0, 2.5, 1.0]
    assert ahead.flow_extra == {"kind": ("sale", None, None), "memo": (None, "up", None)}


def test_standard_input_is_read_after_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threads: list[Thread]
) -> None:
    """Standard input stays the main thread's: read once, where it always was."""
    _seller_paid_by_buyers(tmp_path, "from,to,amount\nbuyers,seller,10\n")
    piped = b"from,to,amount\nseller,boss,4\n"

    def load() -> Org | InputError | None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(piped)))
        return fast_only(tmp_path / "org.yaml", [Path("-")])

    ahead, after = _both_ways(monkeypatch, load)
    assert isinstance(ahead, Org)
    assert_same_outcome(ahead, after)
    assert ahead.flow_amount.tolist() == [10.0, 4.0]
    assert len(threads) == 1


@pytest.mark.slow
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(inputs=flat_inputs())
def test_generated_inputs_load_the_same_on_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inputs: tuple[bytes, bytes]
) -> None:
    org = write_inputs(tmp_path, inputs)
    with monkeypatch.context() as patch:
        patch.setattr(tables_ahead, "AHEAD_BYTES", 0)
        patch.setattr(tables_ahead, "usable_cores", lambda: 2)
        ahead = fast_only(org)
    _sequential(monkeypatch)
    assert_same_outcome(ahead, fast_only(org))


@pytest.mark.parametrize(
    ("least", "most", "cores", "on_thread"),
    [
        (100, 1 << 30, 2, True),
        (1 << 20, 1 << 30, 2, False),  # flows too small to gain
        (100, 300, 2, False),  # org chart and flows together too large to hold at once
        (100, 1 << 30, 1, False),  # no second core (or diff's sides have them both)
    ],
)
def test_a_thread_only_for_inputs_worth_it_with_a_core_free(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    least: int,
    most: int,
    cores: int,
    on_thread: bool,
) -> None:
    org = "flows: flows.csv\nclients:\n  - id: buyers\nroles:\n  - id: boss\n"
    (tmp_path / "org.yaml").write_text(org, encoding="utf-8")
    (tmp_path / "flows.csv").write_text("from,to,amount\n" + "buyers,boss,1\n" * 20)
    started: list[Thread] = []

    def thread(**kwargs: object) -> Thread:
        started.append(Thread(**kwargs))  # type: ignore[arg-type]
        return started[-1]

    monkeypatch.setattr(tables_ahead, "Thread", thread)
    monkeypatch.setattr(tables_ahead, "AHEAD_BYTES", least)
    monkeypatch.setattr(tables_ahead, "AHEAD_MOST", most)
    monkeypatch.setattr(tables_ahead, "usable_cores", lambda: cores)
    loaded = fast_only(tmp_path / "org.yaml")
    assert isinstance(loaded, Org)
    assert loaded.flow_amount.sum() == 20
    assert bool(started) is on_thread


def test_only_regular_files_are_read_ahead(tmp_path: Path, threads: list[Thread]) -> None:
    """A pipe (`--flows <(...)`) can be read once: should the scan give up, the precise
    reader must still find its bytes there. So it is read where it always was."""
    fifo = tmp_path / "piped.csv"
    os.mkfifo(fifo)
    (tmp_path / "flows.csv").write_text("from,to,amount\n")
    read_on: dict[Path, str] = {}

    def read(path: Path, stdin: bool) -> str:
        read_on[path] = current_thread().name  # (the pipe itself is never opened here)
        return path.name

    data = b"flows: flows.csv\nroles:\n  - id: boss\n"
    with tables_ahead.tables_ahead(read, data, tmp_path, [(fifo, False)]) as ahead:
        pass  # a scan that gives up: nothing is asked for
    assert read_on == {tmp_path / "flows.csv": "clientchain-flows"}
    with tables_ahead.tables_ahead(read, data, tmp_path, [(fifo, False)]) as ahead:
        assert ahead.tables(tmp_path / "flows.csv") == ["flows.csv", "piped.csv"]
    assert read_on[fifo] == current_thread().name
    assert len(threads) == 2
