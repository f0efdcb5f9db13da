"""Packed text columns (the fast loader's ids, titles, departments and flow metadata, in
buffers of their own) read exactly the texts of the file's byte ranges they came from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.loader import fast_load
from clientchain.model import texts
from clientchain.model.texts import TextColumn

# Texts as a file holds them: no line breaks inside; any other character, wide ones too.
TEXT = st.text(st.characters(exclude_characters="\n", codec="utf-8"), max_size=12)


def column_of(values: list[str | None], filler: bytes) -> TextColumn:
    """`values` as ranges of one buffer, `filler` between them (as keys and spaces are in a
    file); None: a null entry, an empty range at 0 (as the fast loader writes it)."""
    data = bytearray(filler)
    start, end = [], []
    for value in values:
        encoded = (value or "").encode("utf-8")
        start.append(len(data) if value is not None else 0)
        data += encoded
        end.append(len(data) if value is not None else 0)
        data += filler
    null = np.array([value is None for value in values], dtype=bool)
    buf = np.frombuffer(bytes(data), dtype=np.uint8)
    return TextColumn(buf, np.array(start, np.int64), np.array(end, np.int64), null)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), TEXT), max_size=40),
    st.sampled_from([b",", b"\n", b": x\n  - id: "]),  # (a file is never empty)
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_packed_columns_decode_the_same_texts(
    values: list[str | None], filler: bytes, lo: int, hi: int
) -> None:
    column = column_of(values, filler)
    packed = column.packed()
    assert packed.is_packed and len(packed) == len(column)
    assert packed.decode() == column.decode() == values
    assert packed.decode(lo, hi) == column.decode(lo, hi) == values[lo:hi]
    assert packed.packed() is packed


def test_packed_columns_hold_only_their_texts_and_decode_across_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(texts, "CHUNK", 3)  # several chunks, packing and decoding
    monkeypatch.setattr(texts, "_PACK_CHUNK", 2)
    values: list[str | None] = ["r1", None, "", "Île-de-France", "営業部", "x" * 30, None, "r2"]
    column = column_of(values, b"\n    department: ignored\n")
    packed = column.packed()
    assert (
        packed.buf.tobytes() == "r1\n\n\nÎle-de-France\n営業部\n".encode() + b"x" * 30 + b"\n\nr2\n"
    )
    assert packed.decode() == values
    assert packed.decode(2, 7) == values[2:7]


def test_a_column_no_entry_has_decodes_as_nulls() -> None:
    column = column_of([None] * 5, b"  ")
    assert column.packed().decode() == [None] * 5
    assert column.packed().decode(1, 3) == [None, None]


def test_the_fast_loader_keeps_none_of_the_files_bytes(tmp_path: Path) -> None:
    """Its text columns and flow metadata are packed: the org chart's and the flows file's
    bytes (and every cell's range) are freed once the Org is built."""
    (tmp_path / "org.yaml").write_text(
        "org: Packed\nflows: flows.csv\nclients:\n  - id: c1\n    title: Client one\n"
        "roles:\n  - id: r0\n    title: Boss\n    department: sales\n"
        "  - id: r1\n    reports_to: r0\n",
        encoding="utf-8",
    )
    (tmp_path / "flows.csv").write_text("from,to,amount,kind\nc1,r0,10,sale\nr0,r1,4,pay\n")
    data = (tmp_path / "org.yaml").read_bytes()
    org = fast_load(data, None, "org.yaml", [], tmp_path)
    assert org is not None
    for name in ("role_ids", "role_titles", "role_departments", "client_ids", "client_titles"):
        column = org.text_column(name)
        assert column is not None and column.is_packed, name
    assert org.role_titles == ("Boss", None) and org.role_departments == ("sales", None)
    assert all(c.is_packed for c in vars(org.flow_extra)["_columns"].values())
    assert org.flow_extra["kind"] == ("sale", "pay")
