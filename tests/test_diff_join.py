"""Roles of two versions joined by id: hashed from their bytes, as a dictionary would."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.diff.roles import _old_index
from clientchain.diff.sides import PackedTexts


def _by_dictionary(old: list[str], new: list[str]) -> list[int]:
    index = {rid: i for i, rid in enumerate(old)}
    return [index.get(rid, -1) for rid in new]


def _sides(old: list[str], new: list[str]) -> list[tuple[PackedTexts, PackedTexts]]:
    """The two sides as made in this process, as received from another, and one of each."""
    here = PackedTexts(tuple(old)), PackedTexts(tuple(new))
    sent = tuple(pickle.loads(pickle.dumps(side)) for side in here)
    return [here, (sent[0], sent[1]), (here[0], sent[1]), (sent[0], here[1])]


# Ids as org charts write them: ascii, accents, right-to-left marks, a lone surrogate
# (as a precise read can hold), white space at an edge (kept: ids are compared as
# written), empty, one word long (8 bytes) and longer.
_IDS = st.text(
    alphabet=st.sampled_from(["a", "b", " ", "é", "ü", "\u202e", "\udcff", "字", "\t"]),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(
    old=st.lists(_IDS, unique=True, max_size=40),
    new=st.lists(_IDS, unique=True, max_size=40),
)
def test_join_finds_each_new_id_where_a_dictionary_does(old: list[str], new: list[str]) -> None:
    new = new + old[::3]  # some on both sides, in another order
    new = list(dict.fromkeys(new))
    for old_side, new_side in _sides(old, new):
        assert _old_index(old_side, new_side).tolist() == _by_dictionary(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ((), ()),
        (("a",), ()),
        ((), ("a",)),
        (("",), ("", "a")),
        (("a" * 8, "a" * 16, "a" * 7), ("a" * 16, "a" * 9, "a" * 8, "a" * 7)),
        (("line\nbreak", "z"), ("z", "line\nbreak", "line")),  # one by one: no lines
    ],
)
def test_join_edges(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    for old_side, new_side in _sides(list(old), list(new)):
        assert _old_index(old_side, new_side).tolist() == _by_dictionary(list(old), list(new))


def test_join_of_many_generated_ids() -> None:
    """Long ids of every length from 1 to 40 bytes, a few hundred thousand a side, a
    third of them on one side only."""
    rng = np.random.default_rng(3)
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzéü-"))
    lengths = rng.integers(1, 41, size=300_000)
    letters = alphabet[rng.integers(0, alphabet.size, size=int(lengths.sum()))]
    joined = "".join(letters.tolist())
    ends = np.cumsum(lengths).tolist()
    written = (joined[e - n : e] for e, n in zip(ends, lengths.tolist(), strict=True))
    ids = list(dict.fromkeys(written))
    old = ids[: 2 * len(ids) // 3]
    new = ids[len(ids) // 3 :][::-1]
    for old_side, new_side in _sides(old, new)[:2]:
        assert _old_index(old_side, new_side).tolist() == _by_dictionary(old, new)
