"""Spans and layers: how wide and how deep the reporting lines are (SPEC Additions).

`span` is the number of roles reporting to a role directly (solid lines; not
headcount), `layer` its place from the top (1 = a top). Managers are roles with a
span of at least 1; the span bands count them the way consultants band spans of
control.
"""

from __future__ import annotations

import numpy as np

from clientchain.model.org import NO_PARENT, IntArray

# (label, lowest span) of each band, in order; a band runs up to the next one's lowest.
SPAN_BANDS: tuple[tuple[str, int], ...] = (
    ("1", 1),
    ("2-3", 2),
    ("4-7", 4),
    ("8-12", 8),
    ("13-16", 13),
    ("17+", 17),
)


def spans(parent: IntArray) -> IntArray:
    """Per role: how many roles report to it directly."""
    span: IntArray = np.bincount(parent[parent != NO_PARENT], minlength=parent.size)
    return span.astype(np.int64)


def span_bands(span: IntArray) -> dict[str, int]:
    """Managers (span >= 1) counted per band; every band present, empty ones 0."""
    lowest = np.asarray([low for _, low in SPAN_BANDS])
    managers = span[span >= 1]
    band = np.searchsorted(lowest, managers, side="right") - 1
    counts = np.bincount(band, minlength=lowest.size).tolist()
    return {label: int(n) for (label, _), n in zip(SPAN_BANDS, counts, strict=True)}
