"""`clientchain schema NAME`: print a shipped JSON Schema (org chart or JSON output)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from clientchain.cli.options import ForceOpt, output_option
from clientchain.cli.output_file import STDOUT, Kind, open_output_or_fail, write_or_fail
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
        str | None, output_option("Write the schema to this file instead ('-' for stdout).")
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Print a JSON Schema (draft 2020-12): org for org.yaml, output for the JSON output.

    For editor completion and checks, save it (`clientchain schema org > org.schema.json`)
    and start the org chart with `# yaml-language-server: $schema=org.schema.json`.
    """
    target = open_output_or_fail(
        STDOUT if output is None else output, option="-o", kind=Kind.SCHEMA, force=force
    )
    write_or_fail(target, schema_bytes(name.value))
