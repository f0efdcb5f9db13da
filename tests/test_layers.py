"""The layering a newcomer relies on: the model is light, the package root is lazy, and
the public API is what `clientchain.__all__` says."""

from __future__ import annotations

import subprocess
import sys

import pytest

import clientchain

HEAVY = ["yaml", "rich", "typer", "click", "scipy", "networkx", "orjson"]


def imported_after(statement: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after `statement`."""
    listing = "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    code = f"import sys\n{statement}\n{listing}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import clientchain",
        "import clientchain.model.org, clientchain.model.findings, clientchain.model.policy",
        "import clientchain.model.problems, clientchain.model.visible, clientchain.model.rounding",
        "import clientchain.graph.sweep, clientchain.analyses.analyze",
    ],
)
def test_the_model_graph_and_analyses_load_no_heavy_library(statement: str) -> None:
    assert imported_after(statement) & set(HEAVY) == set()


def test_the_public_api_is_importable_from_the_root() -> None:
    for name in clientchain.__all__:
        assert getattr(clientchain, name) is not None, name
    with pytest.raises(AttributeError):
        _ = clientchain.no_such_name
    assert set(dir(clientchain)) >= set(clientchain.__all__)
