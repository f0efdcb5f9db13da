"""Which columns of a sweep go together: consecutive ones of the same alpha."""

from __future__ import annotations

from collections.abc import Sequence


def alpha_runs(alphas: Sequence[float], skip: int = -1) -> list[tuple[float, slice]]:
    """Consecutive columns with the same alpha, as slices; column `skip` left out."""
    keys: list[float | None] = [None if i == skip else a for i, a in enumerate(alphas)]
    runs: list[tuple[float, slice]] = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            alpha = keys[start]
            if alpha is not None:
                runs.append((alpha, slice(start, i)))
            start = i
    return runs
