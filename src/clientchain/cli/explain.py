"""`clientchain explain [CODE]`: a rule's documentation, or the list of every rule."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from clientchain.cli.options import fail


def explain_command(
    code: Annotated[
        str | None,
        typer.Argument(
            metavar="[CODE]",
            help="A rule's code or name, in any case (CC101, cc101, inverted-relationship).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Explain a finding rule: what it means, why it matters, what to do, its data and
    examples. Without CODE, list every rule (code, name, level, summary).

    Exit status: 0 explained, 2 no rule has that code or name.
    """
    from clientchain.analyses.rules import RULE_MODULES, documentation, find_rule
    from clientchain.model.problems import did_you_mean
    from clientchain.model.visible import clip
    from clientchain.render.analysis.sarif import rule_url

    if code is None:
        from clientchain.render.analysis.rule_list import render_rule_list

        sys.stdout.write(render_rule_list([module.RULE for module in RULE_MODULES]))
        return
    module = find_rule(code)
    if module is None:
        known = [m.RULE.code for m in RULE_MODULES] + [m.RULE.name for m in RULE_MODULES]
        hint = did_you_mean(code.strip().upper() if code[:2].lower() == "cc" else code, known)
        fail([f"clientchain: no rule '{clip(code)}'{hint}; `clientchain explain` lists every rule"])
    sys.stdout.write(f"{documentation(module)}\n\nOnline: {rule_url(module.RULE.code)}\n")
