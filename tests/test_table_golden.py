"""`clientchain analyze ORG --format table`, the format people read, against reviewed
golden files (tests/golden/table/EXAMPLE-WIDTH.txt).

Each example runs in its own process as a user's pipe or CI log runs it: no terminal, so
no colour and the width COLUMNS says (120, and 80 for a narrow window). After an intended
change, regenerate with `CLIENTCHAIN_UPDATE_GOLDEN=1 pytest tests/test_table_golden.py`
and read the diff: the golden files are what a person sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, check_golden

ROOT = EXAMPLES.parent
GOLDEN = Path(__file__).parent / "golden" / "table"
ORGS = sorted(p.relative_to(ROOT) for p in EXAMPLES.glob("*/org.yaml"))
WIDTHS = [120, pytest.param(80, marks=pytest.mark.slow)]
# What changes rich's output besides COLUMNS: colour or a terminal forced on, a size
# from elsewhere.
RICH_ENVIRONMENT = {
    "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "LINES",
    "JUPYTER_COLUMNS", "JUPYTER_LINES", "COLORTERM", "TERM",
}  # fmt: skip


def _table(org: Path, width: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in RICH_ENVIRONMENT}
    env.update(COLUMNS=str(width), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "clientchain", "analyze", str(org), "--format", "table"],
        cwd=ROOT,  # paths in the findings are as a user types them
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.parent.name)
def test_the_table_matches_its_golden_file(org: Path, width: int) -> None:
    done = _table(org, width)
    assert done.stderr == ""
    reviewed = json.loads((ROOT / org.parent / "expected.json").read_text(encoding="utf-8"))
    has_errors = any(f["level"] == "error" for f in reviewed["findings"])
    assert done.returncode == (1 if has_errors else 0)
    assert "\x1b" not in done.stdout  # no terminal: no colour, no cursor movement
    assert max(len(line) for line in done.stdout.splitlines()) <= width
    check_golden(GOLDEN / f"{org.parent.name}-{width}.txt", done.stdout)
