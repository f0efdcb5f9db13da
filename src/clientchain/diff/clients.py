"""Client ownership between two versions: who owns each client, who holds all its
touchpoints, whether it is fragmented, and how many roles touch it.

Clients are matched by id; a client on one side only is listed with nothing on the
other. Only clients whose ownership differs are listed, by id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.analyses.analyze import Analysis
from clientchain.analyses.clients import holder_ids


@dataclass(frozen=True, slots=True)
class Ownership:
    """One client's ownership on one side."""

    owner: str | None  # the role named as its owner
    lowest_common_boss: str | None  # the nearest role above all its touchpoints
    fragmented: bool
    touchpoints: int  # roles it pays directly or that serve it


@dataclass(frozen=True, slots=True)
class ClientChange:
    id: str
    before: Ownership | None  # None: the client is new
    after: Ownership | None  # None: the client is gone


def ownership(result: Analysis) -> dict[str, Ownership]:
    """Each client's ownership, by id, read from the clients' columns (`Analysis.clients`
    would also list every touchpoint's id: 0.3-0.5 s at a million roles, for a count)."""
    org, reach = result.org, result.clients_raw
    owner, boss = holder_ids(org, reach)
    touchpoints = np.diff(reach.ptr).tolist()
    return {
        client: Ownership(owner[j], boss[j], reach.fragmented[j], touchpoints[j])
        for j, client in enumerate(org.client_ids)
    }


def compare_clients(
    before: dict[str, Ownership], after: dict[str, Ownership]
) -> tuple[ClientChange, ...]:
    """The clients whose ownership differs (added and removed ones too), by id."""
    changed = [
        ClientChange(cid, before.get(cid), after.get(cid))
        for cid in before.keys() | after.keys()
        if before.get(cid) != after.get(cid)
    ]
    changed.sort(key=lambda c: c.id)
    return tuple(changed)
