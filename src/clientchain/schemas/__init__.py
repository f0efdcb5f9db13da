"""The JSON Schemas shipped with clientchain, read from the package (no heavy imports).

`org`: the org chart, for editors (yaml-language-server) and CI checks. `output`: the
document of `analyze --format json`. The files are the source: tests check them against
the loader and against real output, so they never fall behind the code.
"""

from __future__ import annotations

from importlib.resources import files

SCHEMA_FILES: dict[str, str] = {
    "org": "org.schema.json",
    "output": "output.schema.json",
}


def schema_bytes(name: str) -> bytes:
    """The schema file `name` (a key of SCHEMA_FILES) exactly as shipped."""
    return files(__name__).joinpath(SCHEMA_FILES[name]).read_bytes()
