"""A JSON run of an org chart read by the fast loader never makes its role ids strings:
the render quotes them from their bytes, and the steps that name a few roles (the
clients' holders, CC107, CC101's findings) read only those. The document is the same as
when the ids are strings already."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from clientchain.analyses.analyze import analyze
from clientchain.loading.loader import load
from clientchain.render.analysis.json_doc import write_json
from tests.conftest import bench_generator

# The matrix shape has owners with touchpoints outside their subtree (CC107) and dotted
# lines; chargeback ties inversions (CC101 findings made while ordered); longids has
# unicode ids of 20-40 bytes.
SHAPES = ["business", "matrix", "chargeback", "longids", "customers"]


def _document(org_yaml: Path, ids_as_strings: bool) -> tuple[bytes, bool]:
    org = load(org_yaml)
    assert org.text_column("role_ids") is not None  # read by the fast loader
    if ids_as_strings:
        assert org.role_ids  # (decoded: every step then reads the strings)
    out = io.BytesIO()
    write_json(analyze(org), out, two_cores=False)
    return out.getvalue(), org.text_column("role_ids") is not None


@pytest.mark.parametrize("shape", SHAPES)
def test_json_run_keeps_role_ids_as_bytes_and_writes_the_same(tmp_path: Path, shape: str) -> None:
    bench_generator().write(shape, 3000, tmp_path)
    from_bytes, still_bytes = _document(tmp_path / "org.yaml", ids_as_strings=False)
    from_strings, _ = _document(tmp_path / "org.yaml", ids_as_strings=True)
    assert still_bytes
    assert from_bytes == from_strings


def test_ids_that_json_escapes_are_written_as_orjson_writes_them(tmp_path: Path) -> None:
    """A quote, a backslash or a control character in an id: escaped, the same both ways."""
    (tmp_path / "org.yaml").write_text(
        "clients:\n  - id: buyers\nroles:\n"
        '  - id: "a\\"quote"\n'
        '  - id: "back\\\\slash"\n    reports_to: "a\\"quote"\n'
        '  - id: "tab\\there"\n    reports_to: "a\\"quote"\n'
        '  - id: plain-é\n    reports_to: "a\\"quote"\n'
        "flows:\n"
        "  - {from: buyers, to: plain-é, amount: 10}\n"
        '  - {from: plain-é, to: "a\\"quote", amount: 4}\n',
        encoding="utf-8",
    )
    org = load(tmp_path / "org.yaml")
    out = io.BytesIO()
    write_json(analyze(org), out, two_cores=False)
    text = out.getvalue().decode("utf-8")
    assert '"id": "a\\"quote"' in text
    assert '"id": "back\\\\slash"' in text
    assert '"id": "tab\\there"' in text
    assert '"id": "plain-é"' in text
