"""Ids ordered from their bytes (model.texts.byte_sort_keys, Org.id_order) in the order
Python's `sorted` gives the same ids as str: direct clients that pay a role equal nets
are listed by id, and at a million roles half a million payers tie."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.loading.loader import loads
from clientchain.model import org as org_module
from clientchain.model.texts import byte_sort_keys

# Characters of one to four UTF-8 bytes, NUL and a character past U+FFFF among them, so
# that byte order and code point order could part if the keys were wrong.
LETTERS = "\x00\x01a-Z~\x7f\xe9\xff\u0100\u65e5\uffff\U0001d538"


def _buffer(texts: list[str], gap: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The texts' UTF-8 at scattered places of one buffer (the last one at its very end)."""
    parts, start, end, at = [], [], [], 0
    for text, pad in zip(texts, gap, strict=True):
        parts.append(b"#" * pad)
        at += pad
        data = text.encode("utf-8")
        parts.append(data)
        start.append(at)
        at += len(data)
        end.append(at)
    buf = np.frombuffer(b"".join(parts), dtype=np.uint8)
    return buf, np.asarray(start, dtype=np.int64), np.asarray(end, dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet=LETTERS, max_size=12), st.integers(0, 9)),
        min_size=1,
        max_size=40,
    )
)
def test_byte_keys_order_texts_as_sorted_orders_strings(cases: list[tuple[str, int]]) -> None:
    texts = [text for text, _ in cases]
    buf, start, end = _buffer(texts, [gap for _, gap in cases])
    words = -(-int((end - start).max()) // 8)
    order = np.lexsort(byte_sort_keys(buf, start, end, words)).tolist()
    assert order == sorted(range(len(texts)), key=texts.__getitem__)


def test_prefixes_nuls_and_word_boundaries() -> None:
    """Texts that differ only past a word, by a trailing NUL, or by being a prefix."""
    texts = ["a" * 8, "a" * 8 + "\x00", "a" * 7, "a" * 16, "a" * 8 + "b", "", "\x00", "a\x00b"]
    texts += [t + "\U0001d538" for t in texts]
    random.Random(7).shuffle(texts)
    buf, start, end = _buffer(texts, [0] * len(texts))  # back to back, the last at the end
    words = -(-int((end - start).max()) // 8)
    order = np.lexsort(byte_sort_keys(buf, start, end, words)).tolist()
    assert order == sorted(range(len(texts)), key=texts.__getitem__)


def _org_text(role_ids: list[str], client_ids: list[str]) -> str:
    lines = ["clients:"]
    lines += [f'  - id: "{c}"' for c in client_ids]
    lines += ["roles:"]
    lines += [f'  - id: "{r}"' for r in role_ids]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("wide", [False, True])
def test_org_orders_roles_and_clients_by_id(wide: bool) -> None:
    """Nodes of both kinds, in any order, repeated: the order `sorted` gives their ids,
    whether the ids are read as bytes (up to ID_ORDER_WORDS words) or, wider, as str."""
    rng = random.Random(wide)
    alphabet = "ab-\xe9\u65e5\U0001d538"
    lead = "\U0001d538" * 9 if wide else ""  # 36 bytes: more words than the bytes' way takes

    def some_id(i: int) -> str:  # distinct; many share a stem
        return lead + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3))) + str(i)

    roles = [some_id(i) for i in range(1_500)]
    clients = [some_id(10_000 + i) for i in range(40)]
    org = loads(_org_text(roles, clients))
    assert org.text_column("role_ids") is not None  # read by the fast loader: bytes
    widest = max(len(i.encode()) for i in roles + clients)
    assert (widest > 8 * org_module.ID_ORDER_WORDS) == wide
    nodes = np.asarray(
        [rng.randrange(org.role_count + org.client_count) for _ in range(3_000)], dtype=np.int64
    )
    names = org.node_ids(nodes.tolist())
    assert org.id_order(nodes).tolist() == sorted(range(nodes.size), key=names.__getitem__)


def test_few_nodes_are_sorted_as_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    org = loads(_org_text(["b", "a", "c"], ["z", "y"]))
    monkeypatch.setattr(org_module, "ID_ORDER_MIN", 10**9)
    nodes = np.asarray([4, 0, 2, 1, 3], dtype=np.int64)
    assert org.id_order(nodes).tolist() == [3, 1, 2, 0, 4]  # a, b, c, y, z
