"""The choices the import and model commands offer (`--orphans`, `--by`), in a module
that imports nothing heavy: the command line declares its options with them at
start-up, before any importer (and numpy) is loaded."""

from __future__ import annotations

from enum import StrEnum


class Orphans(StrEnum):
    """What to do with rows whose manager is not in the file."""

    error = "error"
    top = "top"
    drop = "drop"


class CentreKind(StrEnum):
    """What a budget or recharge row names: a cost centre, or a department."""

    cost_centre = "cost-centre"
    department = "department"

    @property
    def noun(self) -> str:
        return "cost centre" if self is CentreKind.cost_centre else "department"

    @property
    def key(self) -> str:
        return "cost_centre" if self is CentreKind.cost_centre else "department"


class BudgetBy(StrEnum):
    """What the budgets file's rows name."""

    role = "role"
    cost_centre = "cost-centre"
    department = "department"
