"""The one Wilson interval (engine.summary.wilson_interval), pinned against scipy's per-call version."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from brinkmanship.engine.summary import wilson_interval


@pytest.mark.parametrize("n", [1, 7, 100, 100_000])
def test_matches_scipy_binomtest_wilson(n):
    ks = np.unique(np.linspace(0, n, 13).round().astype(int))
    lo, hi = wilson_interval(ks, n)
    for k, a, b in zip(ks, lo, hi, strict=True):
        ci = binomtest(int(k), n).proportion_ci(confidence_level=0.95, method="wilson")
        assert a == pytest.approx(ci.low, abs=1e-12) and b == pytest.approx(ci.high, abs=1e-12)


def test_other_confidence_levels_match_scipy():
    lo, hi = wilson_interval(3, 40, confidence=0.8)
    ci = binomtest(3, 40).proportion_ci(confidence_level=0.8, method="wilson")
    assert float(lo) == pytest.approx(ci.low, abs=1e-12) and float(hi) == pytest.approx(ci.high, abs=1e-12)


def test_hand_value_and_edges():
    # k = 5, n = 10, z = 1.959964: centre 0.5, half = z sqrt(0.025 + z^2/400) / (1 + z^2/10) = 0.263407
    lo, hi = wilson_interval(5, 10)
    assert float(lo) == pytest.approx(0.236593, abs=1e-6) and float(hi) == pytest.approx(0.763407, abs=1e-6)
    lo, hi = wilson_interval(np.array([0, 10]), 10)
    assert lo[0] == 0.0 and hi[1] == 1.0 and lo[0] <= 0.0 < hi[0] and lo[1] < 1.0
    lo, hi = wilson_interval(np.array([0, 3]), 0)
    assert (lo == 0).all() and (hi == 1).all()
