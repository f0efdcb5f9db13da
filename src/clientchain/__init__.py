"""clientchain: who is whose client in an organisation, and how far each role is from the money."""

from __future__ import annotations

__version__ = "0.1.0"

from clientchain.analyses.analyze import Analysis, RoleResult, analyze
from clientchain.export.nx_graph import to_networkx
from clientchain.loading.loader import load, loads
from clientchain.model.org import Org
from clientchain.model.problems import InputError, Position, Problem
from clientchain.render.analysis.json_doc import json_document

__all__ = [
    "Analysis",
    "InputError",
    "Org",
    "Position",
    "Problem",
    "RoleResult",
    "__version__",
    "analyze",
    "json_document",
    "load",
    "loads",
    "to_networkx",
]
