"""clientchain: who is whose client in an organisation, and how far each role is from the money.

The public API is importable from here; each name is imported on first use (PEP 562),
so `import clientchain.model` (or `clientchain --version`) does not load the loaders,
the analyses, numpy's friends or the renderers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from clientchain.version import __version__

if TYPE_CHECKING:
    from clientchain.analyses.analyze import Analysis, analyze
    from clientchain.analyses.results import RoleResult
    from clientchain.export.nx_graph import to_networkx
    from clientchain.loading.loader import load, loads
    from clientchain.model.org import Org
    from clientchain.model.problems import InputError, Position, Problem
    from clientchain.render.analysis.json_doc import json_document

# The public name -> the module that defines it.
_PUBLIC = {
    "Analysis": "clientchain.analyses.analyze",
    "RoleResult": "clientchain.analyses.results",
    "analyze": "clientchain.analyses.analyze",
    "to_networkx": "clientchain.export.nx_graph",
    "load": "clientchain.loading.loader",
    "loads": "clientchain.loading.loader",
    "Org": "clientchain.model.org",
    "InputError": "clientchain.model.problems",
    "Position": "clientchain.model.problems",
    "Problem": "clientchain.model.problems",
    "json_document": "clientchain.render.analysis.json_doc",
}

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


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'clientchain' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once found, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
