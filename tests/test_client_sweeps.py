"""The client sweeps solved and merged on two cores give the analysis of one core, byte
for byte, whatever happens to the second process."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from clientchain import analyze, load
from clientchain.analyses import client_sweeps
from clientchain.analyses.provenance import ClientBlocks, TopClients
from clientchain.graph.loop_gauss_seidel import Sweeps
from clientchain.graph.sweep import SweepPlan
from clientchain.model.forking import can_fork
from tests.conftest import arena_users, bench_generator
from tests.test_in_turns import no_child_left
from tests.test_json_stream import reference
from tests.test_loop_gauss_seidel import _sweeping_every_core

SHAPES = ("business", "matrix", "chargeback", "hub")
ROLES = 3000


def merged(shares: np.ndarray, rank: np.ndarray, top: int, turns: int) -> list[list[float]]:
    """TopClients' result after merging 5-client blocks, each block in `turns` turns."""
    tc = TopClients(shares.shape[0], rank, top)
    for first in range(0, shares.shape[1], 5):
        for k in range(turns):
            tc.add(first, shares[:, first : first + 5], turn=(k, turns))
    p = tc.result()
    return [p.indptr.tolist(), p.client.tolist(), p.share.tolist()]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("turns", [2, 3])
def test_merging_in_turns_is_merging_at_once(
    monkeypatch: pytest.MonkeyPatch, seed: int, turns: int
) -> None:
    monkeypatch.setattr("clientchain.analyses.provenance.MERGE_ROWS", 7)  # many chunks
    rng = np.random.default_rng(seed)
    shares = rng.choice([0.0, 0.0, 1e-15, 0.25, 0.5, 1.0 / 3], (100, 23))
    shares[rng.random(shares.shape) < 0.2] = rng.random()
    rank = rng.permutation(23)
    assert merged(shares, rank, 4, turns) == merged(shares, rank, 4, 1)


def test_only_the_dense_slots_merge_in_turns() -> None:
    tc = TopClients(10, np.arange(3), 0)  # K = 0: every client, no dense slots
    with pytest.raises(ValueError, match="turns"):
        tc.add(0, np.ones((10, 3)), turn=(1, 2))


def document(org: Path, two_cores: bool, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The JSON document, then the unrounded shares bit for bit (the document rounds
    them to 12 decimals: a last-bit difference would hide there)."""
    with monkeypatch.context() as patch:
        patch.setattr(client_sweeps, "second_core_free", lambda: two_cores)
        analysis = analyze(load(org), top_clients=50)
        prov = analysis.provenance_raw
        raw = [prov.indptr, prov.client, prov.share, analysis.served_share_raw]
        return reference(analysis) + b"".join(np.asarray(a).tobytes() for a in raw)


def blocks_of(clients: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of `clients` clients, merged 64 rows at a time (turns for both processes),
    and the second core from any size on."""
    monkeypatch.setattr("clientchain.analyses.provenance.CELLS_PER_BLOCK", ROLES * clients)
    monkeypatch.setattr("clientchain.analyses.provenance.MERGE_ROWS", 64)
    monkeypatch.setattr(client_sweeps, "MIN_ROLES", 0)


@pytest.fixture
def many_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 clients: too narrow to split, many merges."""
    blocks_of(7, monkeypatch)


@pytest.fixture
def split_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 12 clients (30 at 3000 roles, 60 for the hub shape): each block after
    the first is split, 8 clients swept by the parent, 4 by the child, but a last block
    of 6 (too narrow to split)."""
    blocks_of(12, monkeypatch)


def forks_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counting_fork)
    return forks


needs_fork = pytest.mark.skipif(not can_fork(), reason="the second core is used through fork")


@pytest.mark.slow
@needs_fork
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("clients", [7, 12, 16, 20, 24])
def test_every_shape_is_the_same_analysis_on_two_cores(
    tmp_path: Path, shape: str, clients: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks_of(clients, monkeypatch)
    bench_generator().write(shape, ROLES, tmp_path)
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    forks = forks_counted(monkeypatch)
    splits = halves_counted(monkeypatch)
    redone = redos_counted(monkeypatch)
    assert document(org, True, monkeypatch) == expected
    assert len(forks) == 1  # the second core did take part
    assert (sum(splits) > 0) == (clients > 8)  # and swept half of each wide block
    assert not redone  # (not by the parent, after the child had stopped)
    assert no_child_left()


def redos_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Merges forgotten to be made again in one process (the child stopped)."""
    redos: list[int] = []
    real_clear = TopClients.clear

    def counting_clear(self: TopClients) -> None:
        redos.append(1)
        real_clear(self)

    monkeypatch.setattr(TopClients, "clear", counting_clear)
    return redos


def halves_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Clients given to the child to sweep, per block (0: the block was not split)."""
    counts: list[int] = []
    real_halves = client_sweeps.halves

    def counting_halves(first: int, last: int) -> int:
        mid = real_halves(first, last)
        counts.append(last - mid)
        return mid

    monkeypatch.setattr(client_sweeps, "halves", counting_halves)
    return counts


@pytest.mark.parametrize(
    ("first", "last", "mid"),
    [
        (0, 16, 8),
        (16, 32, 24),
        (0, 12, 8),
        (0, 9, 8),
        (0, 8, 8),
        (0, 4, 4),
        (0, 24, 16),
        (3, 35, 19),
    ],
)
def test_blocks_split_at_a_multiple_of_the_blas_group(first: int, last: int, mid: int) -> None:
    assert client_sweeps.halves(first, last) == mid


def child_stops(
    parent: int, at_call: int, stop: Callable[[TopClients], None]
) -> Callable[..., None]:
    """TopClients.add that, in the child, stops at its `at_call`-th call."""
    real_add = TopClients.add
    calls = [0]

    def add(self: TopClients, *args: object, **kwargs: object) -> None:
        if os.getpid() != parent:
            calls[0] += 1
            if calls[0] == at_call:
                stop(self)
        real_add(self, *args, **kwargs)  # type: ignore[arg-type]

    return add


def raises(top: TopClients) -> None:
    raise MemoryError("the child ran out")


def is_killed(top: TopClients) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def is_killed_halfway_through_a_write(top: TopClients) -> None:
    """Some of its rows written (nonsense), the rest not: then killed."""
    top.key[1::7] = 1
    top.kept[1::7] = 0.5
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.slow
@needs_fork
@pytest.mark.parametrize("stop", [raises, is_killed, is_killed_halfway_through_a_write])
@pytest.mark.parametrize("at_call", [1, 3])
def test_a_child_that_stops_leaves_the_merges_to_the_parent(
    tmp_path: Path,
    many_blocks: None,
    monkeypatch: pytest.MonkeyPatch,
    stop: Callable[[TopClients], None],
    at_call: int,
) -> None:
    bench_generator().write("matrix", ROLES, tmp_path)  # roles that serve clients too
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    monkeypatch.setattr(TopClients, "add", child_stops(os.getpid(), at_call, stop))
    assert document(org, True, monkeypatch) == expected
    assert no_child_left()


@pytest.mark.slow
@needs_fork
@pytest.mark.parametrize("stop", [raises, is_killed])
@pytest.mark.parametrize("at_call", [1, 2])
def test_a_child_that_stops_sweeping_leaves_the_sweeps_to_the_parent(
    tmp_path: Path,
    split_blocks: None,
    monkeypatch: pytest.MonkeyPatch,
    stop: Callable[[TopClients], None],
    at_call: int,
) -> None:
    bench_generator().write("hub", ROLES, tmp_path)  # 60 clients: four split blocks
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    parent, real_solve, calls = os.getpid(), SweepPlan.solve, [0]

    def solve(self: SweepPlan, *args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            calls[0] += 1
            if calls[0] == at_call:
                stop(TopClients(1, np.arange(1), 1))
        return real_solve(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SweepPlan, "solve", solve)
    redone = redos_counted(monkeypatch)
    assert document(org, True, monkeypatch) == expected
    assert redone  # the parent did it all again
    assert no_child_left()


def test_no_fork_to_be_had_is_one_core(
    tmp_path: Path, many_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench_generator().write("chargeback", ROLES, tmp_path)
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert document(org, True, monkeypatch) == expected


@needs_fork
def test_a_parent_that_fails_leaves_no_child_behind(
    tmp_path: Path, many_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench_generator().write("business", ROLES, tmp_path)
    loaded = load(tmp_path / "org.yaml")
    forks = forks_counted(monkeypatch)
    real_solve = SweepPlan.solve
    solves = [0]

    def failing_solve(self: SweepPlan, *args: object, **kwargs: object) -> object:
        solves[0] += 1
        if solves[0] == 3:  # a block after the child started
            raise KeyboardInterrupt
        return real_solve(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SweepPlan, "solve", failing_solve)
    monkeypatch.setattr(client_sweeps, "second_core_free", lambda: True)
    with pytest.raises(KeyboardInterrupt):
        analyze(loaded)
    assert len(forks) == 1
    assert no_child_left()


@needs_fork
def test_once_forked_both_processes_sweep_on_a_thread_of_their_own(
    tmp_path: Path, many_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the fork each process' temporaries come and go in an arena of its own (see
    own_arena), not in the heap the two share: every process that works says so."""
    bench_generator().write("business", ROLES, tmp_path)
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    users = arena_users(monkeypatch, client_sweeps, tmp_path / "said")
    assert document(org, True, monkeypatch) == expected
    pids = users()
    assert len(pids) == 2 and str(os.getpid()) in pids and len(set(pids)) == 2
    assert no_child_left()


@needs_fork
def test_the_child_sweeps_the_first_block_beside_the_parents_own_columns(
    tmp_path: Path, split_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first block of clients is not in the parent's first sweep: the child sweeps
    all of it (not half) while the parent sweeps closeness, traced share and hand-overs,
    and the result is still one core's."""
    bench_generator().write("chargeback", ROLES, tmp_path)  # loops: factors to share
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    said = tmp_path / "bases"
    real_base = ClientBlocks.base

    def noted_base(
        self: ClientBlocks, first: int, last: int, *args: object, **kw: object
    ) -> object:
        with said.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {first} {last}\n")
        return real_base(self, first, last, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ClientBlocks, "base", noted_base)
    assert document(org, True, monkeypatch) == expected
    bases = [line.split() for line in said.read_text(encoding="utf-8").splitlines()]
    parent = str(os.getpid())
    first_block = [(pid == parent, int(last)) for pid, first, last in bases if first == "0"]
    assert first_block == [(False, 12)]  # all of it, in the child alone
    assert no_child_left()


@needs_fork
def test_a_wide_first_block_goes_to_the_child_in_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All 60 clients fit one block: the child sweeps the first few of them beside the
    parent's own columns (first_child_block), and the two split the rest."""
    blocks_of(60, monkeypatch)
    bench_generator().write("hub", ROLES, tmp_path)
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    head = client_sweeps.first_child_block(60, 60)
    assert head < 60
    rest = 60 - client_sweeps.halves(head, 60)  # the child's
    splits = halves_counted(monkeypatch)
    assert document(org, True, monkeypatch) == expected
    assert splits == [rest]  # the rest: one block, split
    assert no_child_left()


@pytest.mark.slow
@needs_fork
@pytest.mark.parametrize(("shape", "forked"), [("recharge", True), ("chain", True), ("hub", False)])
def test_below_min_roles_only_heavy_loops_take_the_second_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str, forked: bool
) -> None:
    """Under MIN_ROLES a child is forked where the columns' loop solves or deep runs of
    layers weigh enough (FORK_WORK 0 here: any large loop, any substituted run), never
    for an org without either (hub: no loop beyond a few roles, a shallow tree); either
    way the analysis is one core's."""
    monkeypatch.setattr(client_sweeps, "FORK_WORK", 0)
    bench_generator().write(shape, ROLES, tmp_path)
    org = tmp_path / "org.yaml"
    expected = document(org, False, monkeypatch)
    forks = forks_counted(monkeypatch)
    assert document(org, True, monkeypatch) == expected
    assert len(forks) == int(forked)
    assert no_child_left()


def test_a_small_org_stays_on_one_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The defaults: 3,000 roles of loops are not worth a fork."""
    bench_generator().write("recharge", ROLES, tmp_path)
    forks = forks_counted(monkeypatch)
    document(tmp_path / "org.yaml", True, monkeypatch)
    assert forks == []


@needs_fork
@pytest.mark.parametrize("shape", ["recharge", "tangle"])
def test_swept_loops_are_the_same_analysis_on_two_cores(
    tmp_path: Path, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One loop of the whole organisation, its core swept: alone, the first block of
    clients rides with the sweep's own three columns; on two cores the child sweeps it,
    and later blocks in halves. Each column settles on its own (graph/settling.py),
    so every share comes out the same to the bit."""
    blocks_of(12, monkeypatch)
    bench_generator().write(shape, ROLES, tmp_path)
    org = tmp_path / "org.yaml"
    with _sweeping_every_core(funnels=shape == "recharge"):
        swept = _swept_cores(monkeypatch)
        expected = document(org, False, monkeypatch)
        assert swept  # (the loop's core was swept, not factorised)
        forks = forks_counted(monkeypatch)
        assert document(org, True, monkeypatch) == expected
    assert len(forks) == 1
    assert no_child_left()


def _swept_cores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Columns swept by a loop core's sweeps, one entry per solve."""
    calls: list[int] = []
    real = Sweeps.solve

    def counting(self: Sweeps, rhs: np.ndarray, *args: object, **kwargs: object) -> object:
        calls.append(rhs.shape[1])
        return real(self, rhs, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Sweeps, "solve", counting)
    return calls
