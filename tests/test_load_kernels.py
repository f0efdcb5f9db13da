"""The loader's quicker kernels agree with the plainer ones they stand in for, and a flows
CSV whose bytes are not UTF-8 anywhere is still the precise path's, wherever the bytes are."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientchain.loading.fast.byte_columns import (
    may_strip,
    odd_edge,
    strip_for_lookup,
    strip_for_numbers,
    strip_spaces,
)
from clientchain.loading.fast.flat_csv import read_flat_csv
from clientchain.loading.fast.flat_yaml import read_flat
from clientchain.loading.fast.id_lookup import NOT_FOUND, IdIndex
from clientchain.loading.fast.loader import fast_load
from clientchain.loading.loader import load
from clientchain.model.problems import InputError

flat_yaml = importlib.import_module("clientchain.loading.fast.flat_yaml")

# Characters at a cell's edges that stripping treats differently: spaces, controls,
# Unicode white space, other non-ASCII (leads and tails of those), plain ones.
EDGES = st.sampled_from(
    [" ", "\x1f", "\xa0", "\u3000", "\u2003", "\u0085", "é", "営", "\u2028", "a", "0", "\u0100"]
)
CELLS = st.lists(st.text(EDGES, max_size=4).map(str.encode), min_size=1, max_size=30)


def ranges(cells: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    data = b",".join(cells) + b"\n"
    length = np.array([len(c) for c in cells], dtype=np.int64)
    start = np.cumsum(length + 1) - (length + 1)
    return np.frombuffer(data, dtype=np.uint8), start, start + length


@settings(max_examples=150)
@given(CELLS)
def test_stripping_for_a_lookup_is_strip_spaces_then_may_strip(cells: list[bytes]) -> None:
    buf, start, end = ranges(cells)
    s, e = strip_spaces(buf, start, end)
    got_s, got_e, slow = strip_for_lookup(buf, start, end)
    assert np.array_equal(got_s, s) and np.array_equal(got_e, e)
    assert np.array_equal(slow, np.flatnonzero(may_strip(buf, s, e)))


@settings(max_examples=150)
@given(CELLS)
def test_stripping_for_numbers_is_strip_spaces_then_odd_edge(cells: list[bytes]) -> None:
    buf, start, end = ranges(cells)
    s, e = strip_spaces(buf, start, end)
    got_s, got_e, odd = strip_for_numbers(buf, start, end)
    assert np.array_equal(got_s, s) and np.array_equal(got_e, e)
    assert odd == bool(odd_edge(buf, s, e).any())


KEYS = st.text(st.sampled_from("abxyz_-0"), min_size=1, max_size=16).map(lambda k: "k" + k[:15])


@pytest.mark.slow
@settings(max_examples=100)
@given(st.lists(st.lists(KEYS, min_size=1, max_size=4, unique=True), min_size=1, max_size=30))
def test_short_key_codes_number_keys_as_the_general_way(items: list[list[str]]) -> None:
    """Keys of up to 16 bytes are numbered by a hash of their words (read while finding
    the colons, or again), in the general way's order (or left to it): the same codes
    and names."""
    lines = ["top:"]
    for keys in items:
        lines += [("  - " if j == 0 else "    ") + f"{key}: v" for j, key in enumerate(keys)]
    real = flat_yaml.key_codes
    calls = []

    def spy(words, data, start, end, read=None):  # type: ignore[no-untyped-def]
        got = real(words, data, start, end, read)
        calls.append(((words, data, start, end), got))
        return got

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flat_yaml, "key_codes", spy)
        read_flat(("\n".join(lines) + "\n").encode())
    assert calls
    for args, (codes, names) in calls:
        again, again_names = real(*args)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(flat_yaml, "_short_key_codes", lambda *_: None)
            general, general_names = real(*args)
        assert names == again_names == general_names
        assert np.array_equal(codes, general) and np.array_equal(again, general)


ORG = """\
org: t
flows: flows.csv
clients:
  - id: buyers
roles:
  - id: boss
  - id: émile
    reports_to: boss
"""


@pytest.mark.parametrize(
    "flows",
    [
        b"from,to,amount,kind\nbuyers,boss,10,sale\xff\n",  # a metadata cell
        b"from,to,amount,kind\nbuyers,\xc3mile,10,sale\n",  # an id cell
        b"from,to,amount,kind\nbuyers,boss, 1\xa0,sale\n",  # an amount cell
        b"from,to,amount,k\xffind\nbuyers,boss,10,sale\n",  # the header
        b'from,to,amount,kind\nbuyers,boss,"10",s\xe9le\n',  # beyond the fast path too
    ],
)
def test_a_flows_csv_that_is_not_utf8_is_the_precise_paths(tmp_path: Path, flows: bytes) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(flows)
    data = (tmp_path / "org.yaml").read_bytes()
    assert fast_load(data, None, str(tmp_path / "org.yaml"), [], tmp_path) is None
    with pytest.raises(InputError):
        load(tmp_path / "org.yaml")


def test_a_utf8_flows_csv_still_takes_the_fast_path(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "flows.csv").write_text(
        "from,to,amount,kind\nbuyers,émile,10,vente\nboss,émile,2.5,reçu\n", encoding="utf-8"
    )
    data = (tmp_path / "org.yaml").read_bytes()
    org = fast_load(data, None, str(tmp_path / "org.yaml"), [], tmp_path)
    assert org is not None
    assert org.flow_extra["kind"] == ("vente", "reçu")
    assert org.flow_payee.tolist() == [1, 1]


def test_word_scans_find_what_a_byte_by_byte_scan_finds() -> None:
    """The first colon and the count of leading spaces in 8-byte words, against a scan of
    their bytes, on random words rich in both (and all-space and colon-free ones)."""
    rng = np.random.default_rng(18)
    raw = rng.choice(np.frombuffer(b"  ::ab\x00\xff", dtype=np.uint8), size=(20_000, 8))
    raw[:8] = 32
    raw[8:16] = ord("a")
    words = raw.copy().view("<u8").ravel()
    spaces = flat_yaml._leading(words ^ np.uint64(0x2020202020202020))
    colons = flat_yaml._first_colon(words)
    for row, cells in enumerate(raw.tolist()):
        leading = next((i for i, byte in enumerate(cells) if byte != 32), 8)
        colon = next((i for i, byte in enumerate(cells) if byte == ord(":")), 8)
        assert (spaces[row], colons[row]) == (leading, colon), cells


def test_ids_are_found_whether_or_not_a_batch_holds_ids_shorter_than_a_word() -> None:
    """An id's words are read one way when every range of a batch has 8 bytes or more and
    another when some has fewer, and ids of one word each are held whole in the table: the
    known ids and the asked ones meet either way."""
    long_ids = [f"{name}-{i}" * (1 + i % 5) for i, name in enumerate(["økonomi", "営業部"] * 30)]
    short_ids = [f"r{i}" for i in range(30)]
    for known in (long_ids, long_ids + short_ids, short_ids, [*short_ids, "12345678"]):
        index = IdIndex.of_texts(known)
        for asked in (long_ids, long_ids + short_ids, short_ids + long_ids[::-1], ["", "r1\x00"]):
            want = [known.index(a) if a in known else NOT_FOUND for a in asked]
            assert index.find_texts(asked).tolist() == want


@pytest.mark.parametrize(
    ("cells", "bare"),
    [
        (b"a,b,1\nc,d,2\n", True),
        (b"a,b,1\r\nc,d,2\r\n", True),
        (b"a, b,1\nc,d,2\n", False),  # a space to strip
        (b"a,b\x7f,1\nc,d,2\n", False),  # DEL, a control character
        (b"a,b,1\n\xc2\xa0c,d,2\n", False),  # beyond ASCII (here white space)
        (b"a,b,1\nc,d,\t2\n", False),
    ],
)
def test_a_csv_is_bare_only_when_no_cell_has_an_edge_to_strip(cells: bytes, bare: bool) -> None:
    table = read_flat_csv(b"from,to,amount\n" + cells, "flows.csv")
    assert table is not None
    assert table.bare is bare


def test_values_after_several_spaces_or_none_read_as_written() -> None:
    document = read_flat(b"org:    t\nroles:\n  - id:  boss\n    title:\n  - id: emile\n")
    assert document.scalars["org"] == ("t", False)
    roles = document.lists["roles"]
    assert roles.columns["id"].texts == ["boss", "emile"]
    assert roles.columns["title"].nulls().tolist() == [True, True]


@pytest.mark.parametrize(
    "text",
    [
        b"from,to,amount\na,b,1\ncc,dd,22\n",
        b"from,to,amount\r\na,b,1\r\ncc,dd,22\r\n",
        b"from,to,amount\r\na,b,1\ncc,dd,22\r\ne,f,3\n",  # line ends of both kinds
        b"from,to,amount\n,,\n x , y ,4\n",  # empty cells, spaces kept as written
        b"from,to,amount\nonly,one,5",  # no line end after the last row
    ],
)
def test_flat_csv_cells_are_the_rows_split_at_commas(text: bytes) -> None:
    """A cell's start is one past the cell before it (a row's first: past the last
    row's line end, \\r\\n or \\n), so every column reads as the rows split at commas."""
    table = read_flat_csv(text, "flows.csv")
    assert table is not None
    rows = [line.removesuffix("\r").split(",") for line in text.decode().splitlines()[1:]]
    for column in range(3):
        assert table.texts(column) == [row[column] for row in rows]
        assert table.column(column).packed().decode() == [row[column] for row in rows]
