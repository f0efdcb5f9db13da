"""Column-at-a-time reading of byte ranges agrees with Python's own str.strip, float() and dict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.byte_columns import (
    plain_decimals,
    strip_spaces,
)
from clientchain.loading.fast.id_lookup import NOT_FOUND, IdIndex
from clientchain.loading.flow_table import CELL_PADDING
from clientchain.loading.scalars import decimals_of
from clientchain.model.texts import distinct_texts


def ranges(cells: list[bytes]) -> tuple[np.ndarray, bytes, np.ndarray, np.ndarray]:
    """The cells laid end to end, separated by commas, as a buffer and [start, end) ranges."""
    data = b",".join(cells) + b"\n"
    length = np.array([len(c) for c in cells], dtype=np.int64)
    start = np.cumsum(length + 1) - (length + 1)
    return np.frombuffer(data, dtype=np.uint8), data, start, start + length


DECIMAL = st.from_regex(r"[0-9]{1,17}(\.[0-9]{0,6})?|\.[0-9]{1,6}", fullmatch=True)


@pytest.mark.slow
@settings(max_examples=300)
@given(st.lists(DECIMAL, min_size=1, max_size=20), st.lists(st.sampled_from(["", " ", "  "])))
def test_plain_decimals_are_exactly_float_of_the_text(texts: list[str], pads: list[str]) -> None:
    pad = [pads[i % len(pads)] if pads else "" for i in range(len(texts))]
    cells = [(p + t + p).encode() for p, t in zip(pad, texts, strict=True)]
    buf, _, start, end = ranges(cells)
    parsed = plain_decimals(buf, *strip_spaces(buf, start, end))
    big = [t for t in texts if int(t.replace(".", "") or "0") >= 2**53]
    if big:  # beyond exact integers: left to the general path
        assert parsed is None
        return
    assert parsed is not None
    values, places = parsed
    assert values.tolist() == [float(t) for t in texts]  # bit for bit
    assert places.tolist() == [decimals_of(t) if "." in t else 0 for t in texts]


WHOLE = st.from_regex(r"[0-9]{1,8}", fullmatch=True)


@pytest.mark.slow
@settings(max_examples=200)
@given(
    st.lists(WHOLE, min_size=1, max_size=40),
    st.none() | st.sampled_from(["12.5", "123456789", "-1", "", "1e3"]),
    st.integers(0, 39),
)
def test_whole_numbers_read_a_chunk_at_a_time_are_float_of_the_text(
    texts: list[str], odd: str | None, at: int
) -> None:
    """Short whole numbers are read a few thousand at a time (here 3): one that is not
    (a fraction, 9 digits, a sign, an empty cell) in any chunk sends the whole column
    the general way, which reads it exactly or refuses it."""
    if odd is not None:
        texts = [*texts[: at % (len(texts) + 1)], odd, *texts[at % (len(texts) + 1) :]]
    buf, _, start, end = ranges([t.encode() for t in texts])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("clientchain.loading.fast.byte_columns._WORDS_AT_ONCE", 3)
        parsed = plain_decimals(buf, start.astype(np.int32), end.astype(np.int32))
    if odd in {"-1", "", "1e3"}:
        assert parsed is None
        return
    assert parsed is not None
    assert parsed[0].tolist() == [float(t) for t in texts]  # bit for bit
    assert parsed[1].tolist() == [1 if t == "12.5" else 0 for t in texts]


def test_leading_zeros_and_the_largest_exact_integer() -> None:
    texts = ["0000000000000000000001.50", str(2**53 - 1), "900719925474099.1"]
    buf, _, start, end = ranges([t.encode() for t in texts])
    parsed = plain_decimals(buf, start, end)
    assert parsed is not None
    assert parsed[0].tolist() == [float(t) for t in texts]
    for beyond in [str(2**53), "9007199254740991.5"]:  # digits past 2**53: the general path
        buf, _, start, end = ranges([beyond.encode()])
        assert plain_decimals(buf, start, end) is None


def test_anything_but_plain_decimals_is_left_to_the_general_path() -> None:
    for odd in ["-1", "+1", "1e3", "1.2.3", ".", "", "1,5", "inf", "nan", "0x10", "1_000", "٣"]:
        buf, _, start, end = ranges([b"12", odd.encode()])
        assert plain_decimals(buf, start, end) is None, odd


IDS = st.text(
    alphabet=st.sampled_from(list("ab0_-é. \U0001d538\xa0\u3000\u2003\x1f°")),
    min_size=1,
    max_size=44,
)


@pytest.mark.slow
@settings(max_examples=300)
@given(st.lists(IDS, min_size=1, max_size=30, unique=True), st.data())
def test_ids_are_found_exactly_as_a_dict_finds_them(ids: list[str], data: st.DataObject) -> None:
    known = [i for i in ids if i.strip() == i and i]
    if not known:
        return
    index = IdIndex.of_texts(known)
    asked = data.draw(st.lists(st.one_of(st.sampled_from(ids), IDS), max_size=40))
    padded = [data.draw(st.sampled_from(["", " ", "  "])) + a for a in asked]
    buf, _, start, end = ranges([p.encode() for p in padded])
    stripped = index.find(buf, start, end)
    exact = index.find(buf, start, end, strip=False)
    lookup = {k: n for n, k in enumerate(known)}
    # Trimmed as the precise reader trims a flows CSV cell: spaces only.
    assert stripped.tolist() == [lookup.get(p.strip(CELL_PADDING), NOT_FOUND) for p in padded]
    assert exact.tolist() == [lookup.get(p, NOT_FOUND) for p in padded]


def test_short_whole_numbers_read_a_word_at_a_time_equal_float_of_the_text() -> None:
    texts = ["0", "7", "42", "00000001", "99999999", "12345678", "1234567", "10", "123.5", "9" * 9]
    buf, _, start, end = ranges([t.encode() for t in texts])
    parsed = plain_decimals(buf, start, end)
    assert parsed is not None
    assert parsed[0].tolist() == [float(t) for t in texts]
    for odd in ["1a", "12 4", "/", ":", "1\x00"]:  # bytes beside the digits in ASCII
        buf, _, start, end = ranges([b"5", odd.encode()])
        assert plain_decimals(buf, start, end) is None, odd


@pytest.mark.parametrize("width", [1, 7, 8, 9, 15, 16, 17, 40])
def test_a_repeated_id_is_found_whatever_its_length(width: int) -> None:
    ids = [f"{i:0{width}d}é" for i in range(300)]  # differing anywhere in a word
    assert not IdIndex.of_texts(ids).has_duplicates()
    assert IdIndex.of_texts([*ids, ids[217]]).has_duplicates()
    index = IdIndex.of_texts(ids)
    assert index.find_texts([ids[5], ids[299], ids[5] + "x", ids[5][:-1]]).tolist() == [
        5,
        299,
        NOT_FOUND,
        NOT_FOUND,
    ]


@given(
    cells=st.lists(
        st.text(alphabet="a1$,.é\x00 ", max_size=20).filter(lambda t: "," not in t),
        max_size=40,
    )
)
def test_distinct_texts_are_each_cell_s_text_once_in_byte_order(cells: list[str]) -> None:
    """A column's cells spelled a few ways: each spelling once (long ones, NULs, texts
    that are another's prefix), and every cell pointing at its own."""
    buf, _, start, end = ranges([cell.encode() for cell in cells])
    spellings, index = distinct_texts(buf, start, end)
    assert [spellings[i] for i in index.tolist()] == cells
    assert spellings == sorted(set(cells), key=str.encode)
