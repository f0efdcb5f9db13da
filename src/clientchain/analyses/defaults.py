"""The analyses' default settings, in a module that imports nothing: the command line
shows them in `--help` without loading numpy and the analyses."""

from __future__ import annotations

DEFAULT_DECAY = 0.5  # how much closeness each hand-over keeps
DEFAULT_TOP_CLIENTS = 5  # clients listed per role in provenance
DEFAULT_MAX_DEPTH = 12  # `chain`: hand-overs shown
DEFAULT_MAX_NODES = 400  # `chain`: payers shown in all
