"""clientchain: who is whose client in an organisation, and how far each role stands from the money."""

from __future__ import annotations

__version__ = "0.1.0"

from clientchain.loading import load, loads
from clientchain.model import Org
from clientchain.problems import InputError, Position, Problem

__all__ = ["InputError", "Org", "Position", "Problem", "__version__", "load", "loads"]
