"""Long runs of one byte (a line padded with a million spaces, a key far from its colon)
are walked past in a few passes, not one numpy pass a byte, and to the same place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.byte_columns import WALK_STEPS, strip_spaces, walk_over
from clientchain.loading.fast.folded_values import _first_colon
from clientchain.model.org import Org
from tests.test_fastload import assert_same, both

LONG = 5 * WALK_STEPS + 300  # past the steps taken together, and past a first window


def _walked(data: bytes, at: int, step: int, over: bytes) -> int:
    """The oracle: a byte at a time."""
    pos = at
    while 0 <= pos < len(data) and data[pos] in over:
        pos += step
    return pos


# Text made of runs: some long, of spaces, colons or letters.
RUNS = st.lists(
    st.tuples(st.sampled_from([b" ", b":", b"a", b"\n"]), st.integers(1, 2 * LONG)),
    min_size=1,
    max_size=6,
).map(lambda runs: b"".join(byte * count for byte, count in runs))


@settings(max_examples=60, deadline=None)
@given(data=RUNS, picks=st.lists(st.integers(-3, 10**6), max_size=8), step=st.sampled_from([1, -1]))
def test_walk_over_goes_where_a_byte_at_a_time_goes(
    data: bytes, picks: list[int], step: int
) -> None:
    buf = np.frombuffer(data, dtype=np.uint8)
    at = np.array([p if p < 0 else p % (len(data) + 2) for p in picks], dtype=np.int64)
    for over in (b" ", b" a", bytes(b for b in range(256) if b != ord(":"))):
        walked = walk_over(buf, at, step, over)
        assert walked.tolist() == [_walked(data, int(p), step, over) for p in at]


@settings(max_examples=60, deadline=None)
@given(
    data=RUNS, cuts=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=6)
)
def test_ranges_lose_their_spaces_and_find_their_colons_as_a_byte_at_a_time(
    data: bytes, cuts: list[tuple[int, int]]
) -> None:
    size = len(data)
    pairs = [(min(a % size, b % size), max(a % size, b % size)) for a, b in cuts]
    start = np.array([a for a, _ in pairs], dtype=np.int64)
    end = np.array([b for _, b in pairs], dtype=np.int64)
    buf = np.frombuffer(data, dtype=np.uint8)
    stripped = strip_spaces(buf, start, end)
    expected = []
    for a, b in pairs:
        while a < b and data[a] == ord(" "):
            a += 1
        while b > a and data[b - 1] == ord(" "):
            b -= 1
        expected.append((a, b))
    assert list(zip(stripped[0].tolist(), stripped[1].tolist(), strict=True)) == expected
    colons = []
    for a, b in pairs:
        pos = a
        if data[pos] != ord(":"):
            pos += 1
            while pos < b and data[pos] != ord(":"):
                pos += 1
        colons.append(pos)
    assert _first_colon(buf, start, end).tolist() == colons


HEAD = "org: x\nclients:\n  - id: c\nroles:\n"
PADDED = {
    "before a value": HEAD + "  - id:{pad}a\n  - id: b\n    reports_to: a\n",
    "after a value": HEAD + "  - id: a{pad}\n  - id: b\n    reports_to: a{pad}# c\n",
    "after a dash": HEAD + "  -{pad}id: a\n  - id: b\n    reports_to: a\n",
    "a blank line": HEAD + "  - id: a\n{pad}\n  - id: b\n    reports_to: a\n",
    "a flow list": HEAD + "  - id: a\n  - id: b\n    reports_to: a\n  - id: d\n"
    "    dotted_to: [{pad}b{pad}]\n",
}


@pytest.mark.parametrize("case", list(PADDED))
def test_a_chart_padded_with_long_runs_of_spaces_reads_alike(tmp_path: Path, case: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(PADDED[case].format(pad=" " * LONG), encoding="utf-8")
    flows = tmp_path / "flows.csv"
    flows.write_text(f"from,to,amount\nc,{' ' * LONG}a{' ' * LONG},5\nc,b,{' ' * LONG}7\n")
    fast, precise = both(path, [flows])
    assert isinstance(precise, Org), precise
    assert list(precise.role_ids)[:2] == ["a", "b"]
    if fast is not None:
        assert_same(fast, precise)
