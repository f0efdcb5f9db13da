"""What the organisation's own rules (CC1xx) look at: the org chart and the figures that
`analyze` computed before any policy applies."""

from __future__ import annotations

import numpy as np

from clientchain.analyses.clients import ClientReach
from clientchain.analyses.inversions import Inversions
from clientchain.graph.money import MoneyGraph
from clientchain.model.holder import holder
from clientchain.model.org import FloatArray, Org


@holder(slots=True)
class OrgFacts:
    """The organisation and what `analyze` found in it, for the rules to read."""

    org: Org
    graph: MoneyGraph
    inversions: Inversions
    unfunded: np.ndarray  # per role: True when none of its money traces to a paying client
    # per role (SPEC Additions): NaN where null (serves none of that kind, or receives nothing)
    served_share: FloatArray
    served_roles_share: FloatArray
    clients: ClientReach  # every client's touchpoints and holders (CC106, CC107)
