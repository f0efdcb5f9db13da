"""The corpus in tests/bad/: one small broken input per problem, each with its exact stderr.

Each case is a folder with org.yaml (and whatever files it names), an optional
`args` file (extra command-line arguments, one per line) and `expected.txt`,
the exact standard error. Every case must exit 2, print nothing on stdout,
show no traceback and leave its files byte for byte as they were.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

BAD = Path(__file__).resolve().parent / "bad"
CASES = sorted(p for p in BAD.iterdir() if (p / "expected.txt").is_file())


def test_the_corpus_covers_the_documented_problems() -> None:
    assert len(CASES) >= 35


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_bad_input_is_diagnosed_exactly(
    run: object, case: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case)
    args = (case / "args").read_text(encoding="utf-8").split() if (case / "args").exists() else []
    before = {p: p.read_bytes() for p in case.rglob("*") if p.is_file()}
    result: Run = run("analyze", "org.yaml", *args)  # type: ignore[operator]
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr == (case / "expected.txt").read_text(encoding="utf-8")
    assert {p: p.read_bytes() for p in case.rglob("*") if p.is_file()} == before
