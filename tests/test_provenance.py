"""TopClients: the packed dense top-K agrees with the plain sort, ties and gaps included."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.analyses.provenance import TopClients


def _run(
    shares: np.ndarray, rank: np.ndarray, top: int, block: int, dense: bool
) -> tuple[list[int], list[int], list[float]]:
    tc = TopClients(shares.shape[0], rank, top)
    tc.dense = tc.dense and dense
    for first in range(0, shares.shape[1], block):
        tc.add(first, shares[:, first : first + block])
    p = tc.result()
    return p.indptr.tolist(), p.client.tolist(), p.share.tolist()


# How the dense merge picks a row's top K: a partition over every cell, or a sort of
# the candidates alone (SPARSE_MERGE 0: always; 10**9: never). Both must agree.


@pytest.fixture
def sparse_merge(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("clientchain.analyses.provenance.SPARSE_MERGE", request.param)
    value: int = request.param
    return value


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("top", [1, 3, 5])
@pytest.mark.parametrize("sparse_merge", [0, 10**9], ids=["sort", "partition"], indirect=True)
def test_dense_top_k_matches_sorting(seed: int, top: int, sparse_merge: int) -> None:
    rng = np.random.default_rng(seed)
    roles, clients = 200, 23
    # Few distinct values (ties), values equal after rounding, zeros and tiny shares.
    shares = rng.choice([0.0, 0.0, 1e-15, 0.25, 0.25 + 1e-14, 0.5, 1.0 / 3], (roles, clients))
    shares[rng.random((roles, clients)) < 0.3] += rng.random() * 1e-3
    rank = rng.permutation(clients).astype(np.int64)
    for block in (1, 4, clients):
        assert _run(shares, rank, top, block, True) == _run(shares, rank, top, block, False)


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_merge_by_row_chunks_changes_nothing(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(chunk)
    roles, clients = 150, 19
    shares = rng.choice([0.0, 1e-15, 0.25, 0.5, 1.0 / 3], (roles, clients))
    shares[rng.random((roles, clients)) < 0.4] += rng.random() * 1e-3
    rank = rng.permutation(clients).astype(np.int64)
    whole = _run(shares, rank, 3, 5, True)
    monkeypatch.setattr("clientchain.analyses.provenance.MERGE_ROWS", chunk)
    assert _run(shares, rank, 3, 5, True) == whole


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("sparse_merge", [0, 10**9], ids=["sort", "partition"], indirect=True)
def test_sparse_rows_noise_and_row_order_match_sorting(seed: int, sparse_merge: int) -> None:
    """Blocks where most rows have no candidate (only the touched rows are merged), wide
    and narrow blocks, negative noise, shares above 1 and a plan order of rows."""
    rng = np.random.default_rng(seed)
    roles, clients, top = 300, 70, 4
    shares = np.zeros((roles, clients))
    busy = rng.random(roles) < 0.3
    values = rng.choice(
        [1e-15, 0.125, 0.125 + 1e-13, 0.5, 1.0 / 7, 1.5, 6.0, -1e-17], (roles, clients)
    )
    shares[busy] = np.where(rng.random((int(busy.sum()), clients)) < 0.5, values[busy], 0.0)
    rank = rng.permutation(clients).astype(np.int64)
    rows = rng.permutation(roles)

    def run(block: int, dense: bool) -> tuple[list[int], list[int], list[float]]:
        tc = TopClients(roles, rank, top, rows=rows)
        tc.dense = tc.dense and dense
        for first in range(0, clients, block):
            tc.add(first, shares[:, first : first + block])
        p = tc.result()
        return p.indptr.tolist(), p.client.tolist(), p.share.tolist()

    for block in (3, 16, 40, clients):
        assert run(block, True) == run(block, False)


@pytest.mark.parametrize("clients", [7, 1_000_000])
def test_rows_then_larger_keys_packed_or_not(clients: int) -> None:
    """The merge's order (by row, larger key first) whether the packed key fits in 63
    bits (few clients) or falls back to a two-key sort (millions of clients)."""
    from clientchain.analyses.provenance import _by_row_then_larger_key

    rng = np.random.default_rng(clients)
    rows, top = 9000, 3
    row = np.sort(rng.integers(0, rows, size=5000))
    key = rng.integers(-top, 4 * 10**12 * clients, size=row.size)
    order = _by_row_then_larger_key(row, key, rows, top, clients)
    expected = sorted(range(row.size), key=lambda i: (row[i], -key[i]))
    assert order.tolist() == expected
