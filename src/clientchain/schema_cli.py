"""`clientchain schema NAME`: print a shipped JSON Schema (org chart or JSON output)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from clientchain.cli_support import fail
from clientchain.schemas import schema_bytes


class SchemaName(StrEnum):
    org = "org"
    output = "output"


def schema_command(
    name: Annotated[
        SchemaName,
        typer.Argument(
            metavar="org|output",
            help="org: the org chart (YAML), for editors; output: the `analyze --format json`"
            " document.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the schema to this file instead.", show_default=False
        ),
    ] = None,
) -> None:
    """Print a JSON Schema (draft 2020-12): org for org.yaml, output for the JSON output.

    For editor completion and checks, save it (`clientchain schema org > org.schema.json`)
    and start the org chart with `# yaml-language-server: $schema=org.schema.json`.
    """
    data = schema_bytes(name.value)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        fail([f"clientchain: cannot write {output}: {exc.strerror or exc}"])
