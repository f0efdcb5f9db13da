"""The fast loader's id table: built by one sort (keys in order of their home slot), it is
a linear-probing table every known id is found in, and it reports twins as the slow
claim-by-claim build does; runs of one id asked in a row are answered as each alone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.loading.fast import id_lookup
from clientchain.loading.fast.id_lookup import NOT_FOUND, IdIndex

IDS = st.lists(
    st.text(st.characters(exclude_characters="\n", codec="utf-8"), max_size=45), max_size=60
)


def _oracle(known: list[str], asked: list[str]) -> list[int]:
    first: dict[str, int] = {}
    for node, text in enumerate(known):
        first.setdefault(text, node)
    return [first.get(text, NOT_FOUND) for text in asked]


@settings(max_examples=200, deadline=None)
@given(IDS, IDS, st.lists(st.integers(0, 5), max_size=60))
def test_every_known_id_is_found_and_twins_are_reported(
    known: list[str], extra: list[str], repeats: list[int]
) -> None:
    index = IdIndex.of_texts(known)
    assert index.has_duplicates() == (len(set(known)) < len(known))
    # Asked in runs (siblings naming one boss), known and unknown ids mixed.
    pool = known + extra
    asked = [text for text, times in zip(pool, repeats, strict=False) for _ in range(times)]
    if not index.has_duplicates():
        assert index.find_texts(asked).tolist() == _oracle(known, asked)
        assert index.find_texts(pool).tolist() == _oracle(known, pool)


def _check_table(keys: np.ndarray, size: int) -> None:
    placed = id_lookup._place_sorted(keys, size)
    home = (keys & np.uint64(size - 1)).astype(np.int64)
    if placed is None:  # some prefix of home and next bits three times (forced below)
        return
    slots, (a, b) = placed
    node = slots["node"]
    assert node[-1] == -1  # a free slot ends every probe
    where = np.full(keys.size, -1)
    where[node[node >= 0]] = np.flatnonzero(node >= 0)
    assert sorted(node[node >= 0].tolist()) == list(range(keys.size))
    for entry in range(keys.size):
        assert where[entry] >= home[entry]
        assert np.all(node[home[entry] : where[entry]] >= 0)  # reachable from home
        assert slots["key"][where[entry]] == keys[entry]
    twins = {(i, j) for i, j in itertools.combinations(range(keys.size), 2) if keys[i] == keys[j]}
    assert {tuple(sorted(pair)) for pair in zip(a.tolist(), b.tolist(), strict=True)} == twins


@pytest.mark.parametrize("seed", range(20))
def test_the_sorted_build_is_a_linear_probing_table(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(0, 300))
    size = 1 << max(4, (2 * count).bit_length())
    keys = rng.integers(0, 2**63, count, dtype=np.uint64) * np.uint64(2 + seed % 3)
    twins = rng.integers(0, count, count // 10) if count else np.zeros(0, np.int64)
    keys[twins] = keys[(twins + 1) % max(1, count)]  # equal keys: twins, maybe
    keys[: count // 4] &= np.uint64(size * 8 - 1)  # crowded homes, few other bits
    _check_table(keys, size)


def test_a_prefix_met_three_times_leaves_the_table_to_the_claims() -> None:
    keys = np.array([5, 5, 5, 9], dtype=np.uint64)
    assert id_lookup._place_sorted(keys, 16) is None
    index_keys = ["a", "a", "a", "b"]  # and the index still finds and reports twins
    assert IdIndex.of_texts(index_keys).has_duplicates()


def test_ids_are_found_in_a_table_built_by_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim-by-claim table (which wraps around) answers as the sorted one."""
    known = [f"økonomi-{i}" * (1 + i % 4) for i in range(200)] + [f"r{i}" for i in range(50)]
    asked = [*known[::-1], "nobody", "", *[known[3]] * 5]
    sorted_answer = IdIndex.of_texts(known).find_texts(asked)
    monkeypatch.setattr(id_lookup, "_place_sorted", lambda key, size: None)
    claimed = IdIndex.of_texts(known)
    assert claimed.find_texts(asked).tolist() == sorted_answer.tolist()
    assert sorted_answer.tolist() == _oracle(known, asked)
