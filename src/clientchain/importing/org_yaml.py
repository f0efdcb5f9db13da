"""An imported org chart as plain, readable org.yaml: byte-identical for the same input.

The layout is the flat one clientchain's fast reader reads (top-level keys,
lists of `- key: value` mappings), so a million imported roles load quickly,
and each role's keys come in one fixed order: id, title, reports_to,
department, headcount (only when not 1), dotted_to, cost_centre, pay, name.
Nothing depends on the machine or the clock: the header names the export by
its file name only, and carries no date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from clientchain.importing.imported import ImportedOrg, ImportedRoles
from clientchain.importing.yaml_scalars import yaml_comment, yaml_scalar

ITEM = "  - "
KEY = "    "


def org_yaml(org: ImportedOrg) -> str:
    """The org chart's text."""
    out = [f"# {yaml_comment(line)}\n" if line else "#\n" for line in org.comments]
    if org.name is not None:
        out.append(f"org: {yaml_scalar(org.name)}\n")
    if org.currency is not None:
        out.append(f"currency: {yaml_scalar(org.currency)}\n")
    if org.flows is not None:
        out.append(f"flows: {yaml_scalar(org.flows)}\n")
    if org.clients:
        out.append("clients:\n")
        for client in org.clients:
            out.append(f"{ITEM}id: {yaml_scalar(client.id)}\n")
            if client.title:
                out.append(f"{KEY}title: {yaml_scalar(client.title)}\n")
    out.append("roles:\n" if len(org.roles) else "roles: []\n")
    out.append(_roles(org.roles))
    return "".join(out)


def _roles(roles: ImportedRoles) -> str:
    """Every role's lines, built a column at a time (a million roles: a few seconds)."""
    columns = [[f"{ITEM}id: {yaml_scalar(rid)}\n" for rid in roles.ids]]
    for key, values in (
        ("title", roles.titles),
        ("reports_to", roles.reports_to),
        ("department", roles.departments),
    ):
        if values is not None:
            columns.append(_column(key, values, yaml_scalar))
    if roles.headcounts is not None:  # a number, written as one
        columns.append(_column("headcount", roles.headcounts, str))
    for key, values in (("dotted_to", roles.dotted_to), ("cost_centre", roles.cost_centres)):
        if values is not None:
            columns.append(_column(key, values, yaml_scalar))
    if roles.pays is not None:
        columns.append(_column("pay", roles.pays, str))
    if roles.names is not None:
        columns.append(_column("name", roles.names, yaml_scalar))
    return "".join(map("".join, zip(*columns, strict=True)))


def _column(key: str, values: Sequence[str | None], write: Callable[[str], str]) -> list[str]:
    """The `    key: value` line of each role ("" where it has none). Each distinct value
    is written once and its line shared: bosses, departments and titles repeat."""
    prefix = f"{KEY}{key}: "
    lines = {value: f"{prefix}{write(value)}\n" for value in dict.fromkeys(values) if value}
    lines[""] = ""
    get = lines.get
    return [get(value, "") if value is not None else "" for value in values]
