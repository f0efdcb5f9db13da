"""The orders the roles table can take (`--sort`). Imports nothing but `enum`: the
command line reads it at start-up."""

from __future__ import annotations

from enum import StrEnum


class Sort(StrEnum):
    """How the roles table is ordered.

    alienation: most alienated first; inflow: most money in first; impact: most
    alienated people first (alienation times headcount: the role's part of the org's
    alienation); file: as the org chart lists them. Equal values keep file order."""

    alienation = "alienation"
    inflow = "inflow"
    impact = "impact"
    file = "file"
