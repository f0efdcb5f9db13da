"""`clientchain import people|flows`: HR exports and ledgers in, org.yaml and flows.csv out."""

from __future__ import annotations

import typer

from clientchain.cli.import_flows import import_flows_command
from clientchain.cli.import_people import import_people_command
from clientchain.cli.options import HELP_OPTIONS

import_app = typer.Typer(
    name="import",
    help="Turn an HR export into an org chart, or a ledger into a flows file.",
    no_args_is_help=True,
    add_completion=False,
    context_settings=HELP_OPTIONS,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
import_app.command("people")(import_people_command)
import_app.command("flows")(import_flows_command)
