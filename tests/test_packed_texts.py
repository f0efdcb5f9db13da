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


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=30), st.data())
def test_picked_rows_read_the_same_texts_packed_or_not(
    values: list[str | None], data: st.DataObject
) -> None:
    rows = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=40))  # repeats too
    at = np.array(rows, dtype=np.int64)
    column = column_of(values, b", ")
    expected = [values[i] for i in rows]
    assert column.pick(at) == column.packed().pick(at) == expected


def test_an_analysis_leaves_the_id_and_department_columns_in_bytes(tmp_path: Path) -> None:
    """Direct clients tied on their net (ordered by id) and a client's departments (held
    below the top: no CC106 finding, whose making would read the ids) read only the ids
    and departments they need: the columns stay bytes, for the renderer to read in
    order, and the document is that of an org whose columns are strings from the start."""
    from clientchain.analyses.analyze import analyze
    from clientchain.loading.loader import _load_precisely
    from clientchain.render.analysis.json_doc import json_document

    (tmp_path / "org.yaml").write_text(
        "flows: flows.csv\nclients:\n  - id: c1\n"
        "roles:\n  - id: top\n    department: board\n  - id: mgr\n    reports_to: top\n"
        "  - id: zed\n    reports_to: mgr\n    department: sales\n"
        "  - id: amy\n    reports_to: mgr\n    department: service\n"
        "  - id: bob\n    reports_to: zed\n",
        encoding="utf-8",
    )
    (tmp_path / "flows.csv").write_text(
        "from,to,amount\nc1,zed,10\nc1,amy,10\nzed,bob,5\namy,bob,5\nc1,bob,1\n"
    )
    org = fast_load((tmp_path / "org.yaml").read_bytes(), None, "org.yaml", [], tmp_path)
    assert org is not None
    result = analyze(org)
    assert org.text_column("role_ids") is not None
    assert org.text_column("role_departments") is not None
    assert result.clients_raw.departments == (("sales", "service"),)  # bob has none
    assert org.node_ids([2, 5, 3]) == ["zed", "c1", "amy"]
    assert org.text_column("role_ids") is not None  # (node_ids did not decode it either)
    text = (tmp_path / "org.yaml").read_text(encoding="utf-8")
    strings = _load_precisely(text, "org.yaml", [], tmp_path)
    assert strings.text_column("role_ids") is None  # (the precise reader's strings)
    assert json_document(result) == json_document(analyze(strings))
