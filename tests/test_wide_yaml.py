"""Org charts and YAML flows saved as UTF-16 or UTF-32 with a byte order mark (YAML
allows both; Windows PowerShell 5 writes UTF-16 with `>`, Notepad as "Unicode") read
as their UTF-8 twins do: the same figures, the same lines, by the fast reader; a
code unit that does not decode is a problem at its line and column."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from clientchain.cli import progress
from clientchain.loading import loader
from tests.conftest import Run

ORG = """\
org: Café Ünïcode
clients:
  - id: bùyers
roles:
  - id: owner
    title: Директор
  - id: séller
    reports_to: owner
  - id: 店員
    reports_to: owner
flows: {flows}
"""
FLOWS_CSV = "from,to,amount\nbùyers,séller,1000\nséller,owner,600\nowner,店員,200\n"
FLOWS_YAML = (
    "- {from: bùyers, to: séller, amount: 1000}\n"
    "- {from: séller, to: owner, amount: 600}\n"
    "- {from: owner, to: 店員, amount: 200}\n"
)
# (the byte order mark, the codec of what follows it)
WIDE = {
    "utf-16-le": (codecs.BOM_UTF16_LE, "utf-16-le"),
    "utf-16-be": (codecs.BOM_UTF16_BE, "utf-16-be"),
    "utf-32-le": (codecs.BOM_UTF32_LE, "utf-32-le"),
    "utf-32-be": (codecs.BOM_UTF32_BE, "utf-32-be"),
}


def saved(path: Path, text: str, encoding: str) -> Path:
    bom, codec = WIDE[encoding]
    path.write_bytes(bom + text.encode(codec))
    return path


def without_file_names(stdout: str) -> object:
    document = json.loads(stdout)
    for finding in document["findings"]:
        finding.pop("file")
    return document


@pytest.mark.parametrize("encoding", WIDE)
@pytest.mark.parametrize("flows", ["flows.csv", "flows.yaml"])
def test_a_wide_org_chart_reads_as_its_utf8_twin(
    tmp_path: Path,
    run: Callable[..., Run],
    monkeypatch: pytest.MonkeyPatch,
    encoding: str,
    flows: str,
) -> None:
    plain, wide = tmp_path / "plain", tmp_path / "wide"
    plain.mkdir()
    wide.mkdir()
    flows_text = FLOWS_CSV if flows.endswith(".csv") else FLOWS_YAML
    (plain / "org.yaml").write_text(ORG.format(flows=flows), encoding="utf-8")
    (plain / flows).write_text(flows_text, encoding="utf-8")
    saved(wide / "org.yaml", ORG.format(flows=flows), encoding)
    if flows.endswith(".csv"):  # a plain CSV beside it: the fast reader takes both
        (wide / flows).write_text(flows_text, encoding="utf-8")
    else:  # YAML flows as wide as the org chart
        saved(wide / flows, flows_text, encoding)
    monkeypatch.setattr(progress, "BIG_INPUT_BYTES", 0)  # a note if the fast reader declines
    expected = run("analyze", str(plain / "org.yaml"), "--format", "json")
    if flows.endswith(".csv"):  # both files are the fast reader's: the precise one fails
        monkeypatch.setattr(loader, "_load_precisely", None)
    got = run("analyze", str(wide / "org.yaml"), "--format", "json")
    assert got.exit_code == expected.exit_code == 1  # the owner pays 店員: CC101
    assert without_file_names(got.stdout) == without_file_names(expected.stdout)
    if flows.endswith(".csv"):  # no note: read by the fast reader
        assert got.stderr == expected.stderr == ""
    lines = [f["line"] for f in json.loads(got.stdout)["findings"]]
    assert lines == [f["line"] for f in json.loads(expected.stdout)["findings"]] and lines


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-32-be"])
def test_a_code_unit_that_does_not_decode_is_placed(
    tmp_path: Path, run: Callable[..., Run], encoding: str
) -> None:
    text = ORG.format(flows="flows.csv")
    bom, codec = WIDE[encoding]
    at = text.index("Директор") + 3  # a lone surrogate in the middle of the title
    units = 2 if encoding.startswith("utf-16") else 4
    broken = codecs.encode("\ud800", codec, "surrogatepass")
    data = bom + text[:at].encode(codec) + broken + text[at:].encode(codec)
    org = tmp_path / "org.yaml"
    org.write_bytes(data)
    (tmp_path / "flows.csv").write_text(FLOWS_CSV, encoding="utf-8")
    line = text[:at].count("\n") + 1
    column = at - text[:at].rfind("\n")
    result = run("validate", str(org))
    assert result.exit_code == 2
    name = encoding.upper()[:6]
    assert result.stderr.startswith(
        f"{org}:{line}:{column}: not {name} text, though it starts with a {name} byte order mark\n"
    )
    assert len(broken) == units
