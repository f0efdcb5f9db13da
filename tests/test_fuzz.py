"""Mutated org charts and flow files never crash clientchain: exit 0, 1 or 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from clientchain.cli.app import app
from tests.conftest import EXAMPLES

SEED_ORG = (EXAMPLES / "dealership" / "org.yaml").read_bytes()
SEED_FLOWS = (EXAMPLES / "dealership" / "flows.csv").read_bytes()
INLINE_ORG = (EXAMPLES / "back-office" / "org.yaml").read_bytes()

pytestmark = pytest.mark.slow  # 1,000 examples each, ~40 s a test

TOKENS = [
    b"!!python/object/apply:os.system ['true'] ",
    b"!custom ",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"\t",
    b":",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b"'",
    b'"',
    b"#",
    b"\n",
    b"\r\n",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"~",
    b"null",
    b"-1",
    b"2.5",
    b"1e999",
    b".nan",
    b"yes",
    b"0755",
    b"---\n",
    b"...\n",
    b"?",
    b"|",
    b">",
    b"%YAML 1.1\n",
    b",",
    b'""',
    b"reports_to: owner",
    b"headcount: ",
    b"amount: ",
    b"id: ",
    b"\xe2\x80\xa8",
    b" " * 40,
]


@st.composite
def mutations(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["delete", "insert", "token", "swap", "bytes", "dup"]))
        at = draw(st.integers(0, len(data)))
        if kind == "delete" and data:
            end = min(len(data), at + draw(st.integers(1, 40)))
            del data[at:end]
        elif kind == "insert":
            data[at:at] = draw(st.text(max_size=8)).encode("utf-8")
        elif kind == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "swap":
            lines = bytes(data).split(b"\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            data = bytearray(b"\n".join(lines))
        elif kind == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=6))
        elif kind == "dup" and data:
            end = min(len(data), at + draw(st.integers(1, 80)))
            data[at:at] = data[at:end]
    return bytes(data)


def check(tmp: Path, org: bytes, flows: bytes | None, *args: str) -> None:
    (tmp / "org.yaml").write_bytes(org)
    if flows is not None:
        (tmp / "flows.csv").write_bytes(flows)
    runner = CliRunner()
    for command in (["analyze", str(tmp / "org.yaml"), *args], ["validate", str(tmp / "org.yaml")]):
        result = runner.invoke(app, command, catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
        event(f"{command[0]} exit {result.exit_code}")
        assert "Traceback" not in result.stderr
        if result.exit_code == 2:
            assert result.stdout == ""


FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(org=mutations(SEED_ORG), flows=mutations(SEED_FLOWS), as_json=st.booleans())
def test_mutated_org_and_csv_flows_never_crash(
    tmp_path: Path, org: bytes, flows: bytes, as_json: bool
) -> None:
    check(tmp_path, org, flows, *(["--format", "json"] if as_json else []))


@FUZZ
@given(org=mutations(INLINE_ORG))
def test_mutated_org_with_inline_flows_never_crashes(tmp_path: Path, org: bytes) -> None:
    check(tmp_path, org, None, "--format", "json")
