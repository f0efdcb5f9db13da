"""What the organisation's own rules (CC1xx) look at: the org chart and the figures that
`analyze` computed before any policy applies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientchain.analyses.inversions import Inversions
from clientchain.graph.money import MoneyGraph
from clientchain.model.org import Org


@dataclass(frozen=True, slots=True, eq=False)
class OrgFacts:
    org: Org
    graph: MoneyGraph
    inversions: Inversions
    unfunded: np.ndarray  # per role: True when none of its money traces to a paying client
