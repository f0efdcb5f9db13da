"""The flows' metadata columns (`kind`, `note`): kept by `load()`, left out by the command
line (no command reads them), and checked as UTF-8 either way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from clientchain.cli.options import dialect_of
from clientchain.loading.fast.loader import fast_load
from clientchain.loading.loader import _load_precisely, load
from clientchain.loading.spreadsheet import DEFAULT, Dialect
from clientchain.model.org import Org
from clientchain.model.problems import InputError
from tests.conftest import Run

ORG = """flows: flows.csv
clients:
  - id: buyers
roles:
  - id: boss
  - id: seller
    reports_to: boss
"""
LEAVE_OUT = Dialect(metadata=False)


def _write(tmp_path: Path, flows: bytes) -> Path:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "flows.csv").write_bytes(flows)
    (tmp_path / "more.yaml").write_text("- {from: seller, to: boss, amount: 2.5, memo: up}\n")
    return tmp_path / "org.yaml"


def _precise(path: Path, dialect: Dialect) -> Org:
    text = path.read_text(encoding="utf-8")
    return _load_precisely(text, str(path), [path.parent / "more.yaml"], path.parent, dialect)


def _same_flows(a: Org, b: Org) -> None:
    for name in ("flow_payer", "flow_payee", "flow_amount"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.flow_files == b.flow_files and a.amount_decimals == b.amount_decimals


@pytest.mark.parametrize("kind", ["sale", "réçu"])  # an ASCII file, and one that is not
def test_the_metadata_is_kept_by_default_and_left_out_on_request(tmp_path: Path, kind: str) -> None:
    path = _write(tmp_path, f"from,to,amount,kind\nbuyers,seller,10,{kind}\n".encode())
    more = [tmp_path / "more.yaml"]
    kept, left = load(path, more), load(path, more, LEAVE_OUT)
    assert kept.flow_extra == {"kind": (kind, None), "memo": (None, "up")}
    assert dict(left.flow_extra) == {}
    _same_flows(kept, left)
    # The precise reader does the same.
    assert _precise(path, DEFAULT).flow_extra == kept.flow_extra
    precise = _precise(path, LEAVE_OUT)
    assert dict(precise.flow_extra) == {}
    _same_flows(precise, left)


def test_leaving_the_metadata_out_is_still_the_plain_reading() -> None:
    assert LEAVE_OUT.is_default
    assert not Dialect(delimiter=";", metadata=False).is_default
    assert dialect_of(None, None, False) == LEAVE_OUT  # what every command reads with


@pytest.mark.parametrize("dialect", [DEFAULT, LEAVE_OUT])
def test_a_metadata_cell_that_is_not_utf8_is_an_error_either_way(
    tmp_path: Path, dialect: Dialect
) -> None:
    path = _write(tmp_path, b"from,to,amount,kind\nbuyers,seller,10,sale\nbuyers,seller,5,\xff\n")
    with pytest.raises(InputError) as caught:
        load(path, [], dialect)
    assert [str(p.position) for p in caught.value.problems] == [f"{tmp_path / 'flows.csv'}:3:17"]


def test_the_command_line_says_where_a_metadata_cell_is_not_utf8(
    tmp_path: Path, run: Callable[..., Run]
) -> None:
    path = _write(tmp_path, b"from,to,amount,kind\nbuyers,seller,10,sale\nbuyers,seller,5,\xff\n")
    result = run("analyze", str(path), "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "flows.csv:3:17: not UTF-8 text (byte 0xff)" in result.stderr


@pytest.mark.parametrize("kind", [b"sale", "réçu".encode(), b"\xff"])
def test_the_fast_reader_leaves_metadata_out_and_checks_it(tmp_path: Path, kind: bytes) -> None:
    """Left out, the metadata still costs the fast reader nothing but its UTF-8 check:
    it reads a non-ASCII file itself, and steps aside (for the precise reader to say
    where) only for a cell that is not UTF-8."""
    path = _write(tmp_path, b"from,to,amount,kind\nbuyers,seller,10," + kind + b"\n")
    org = fast_load(path.read_bytes(), None, str(path), [], tmp_path, metadata=False)
    if kind == b"\xff":
        assert org is None
    else:
        assert org is not None and dict(org.flow_extra) == {}
        assert org.flow_amount.tolist() == [10.0]
