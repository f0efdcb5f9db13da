"""MoneyGraph.reverse_amount and net: w(v->u) and w(u->v) - w(v->u) per pair u->v,
against a dictionary of the pairs."""

from __future__ import annotations

import numpy as np
import pytest

from clientchain.graph import money
from clientchain.graph.money import MoneyGraph


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("index", [np.int64, np.int32], ids=["int64", "int32"])
@pytest.mark.parametrize("slice_size", [1 << 20, 7], ids=["whole", "in-slices"])
def test_reverse_amount_matches_a_dictionary(
    seed: int, index: type, slice_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any order of pairs, node columns as the graph keeps them (int32 where they fit),
    the reverse searches in one go or a few pairs at a time."""
    monkeypatch.setattr(money, "_SEARCHED_AT_ONCE", slice_size)
    rng = np.random.default_rng(seed)
    roles, clients = 40, 6
    nodes = roles + clients
    pairs = {
        (int(u), int(v)): float(rng.integers(1, 1000)) / 8
        for u, v in zip(rng.integers(0, nodes, 400), rng.integers(0, roles, 400), strict=True)
        if u != v
    }
    ordered = sorted(pairs, key=lambda uv: (uv[1], uv[0]))  # by payee, then payer
    payer: np.ndarray = np.array([u for u, _ in ordered], dtype=index)
    payee: np.ndarray = np.array([v for _, v in ordered], dtype=index)
    amount = np.array([pairs[uv] for uv in ordered])
    inflow = np.bincount(payee, weights=amount, minlength=roles)
    graph = MoneyGraph(roles, nodes, payer, payee, amount, inflow)
    want = [pairs.get((v, u), 0.0) for u, v in ordered]
    assert graph.reverse_amount().tolist() == want
    net = [pairs[(u, v)] - pairs.get((v, u), 0.0) for u, v in ordered]
    assert graph.net.tolist() == net


def test_no_pairs() -> None:
    empty = np.zeros(0, dtype=np.int64)
    graph = MoneyGraph(3, 4, empty, empty, np.zeros(0), np.zeros(3))
    assert graph.reverse_amount().size == 0


def test_forgotten_sweep_columns_come_back_the_same() -> None:
    payer = np.array([2, 0, 2], dtype=np.int64)  # node 2 is the client
    payee = np.array([0, 1, 1], dtype=np.int64)
    amount = np.array([4.0, 1.0, 3.0])
    graph = MoneyGraph(2, 3, payer, payee, amount, np.bincount(payee, weights=amount))
    before = graph.share.copy(), graph.client_share.copy(), graph.paid_by_client.copy()
    graph.forget_sweep_columns()
    assert "share" not in graph.__dict__  # not held any more
    after = graph.share, graph.client_share, graph.paid_by_client
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
