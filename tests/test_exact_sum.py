"""exact_sum: math.fsum of a column fed in chunks is the same float as over one list."""

from __future__ import annotations

import math

import numpy as np
import pytest

from clientchain.analyses import exact_sum as module
from clientchain.analyses.exact_sum import exact_sum


@pytest.mark.parametrize("size", [0, 1, 6, 7, 8, 50])
@pytest.mark.parametrize("seed", range(3))
def test_chunks_give_the_sum_of_one_list(
    size: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(module, "_CHUNK", 7)  # sizes above straddle chunk boundaries
    rng = np.random.default_rng(seed)
    # Magnitudes far apart: a plain left-to-right sum would lose the small ones.
    values = rng.standard_normal(size) * 10.0 ** rng.integers(-8, 16, size)
    got = exact_sum(values)
    assert np.float64(got).view(np.int64) == np.float64(math.fsum(values.tolist())).view(np.int64)


def test_a_strided_view_is_summed_as_its_values() -> None:
    values = np.arange(20, dtype=np.float64) / 3.0
    assert exact_sum(values[::3]) == math.fsum(values[::3].tolist())
