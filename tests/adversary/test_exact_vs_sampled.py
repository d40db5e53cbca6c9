"""Exact outcome probabilities against Monte Carlo on the packaged scenario, for every packaged strategy.

Tolerance: each simulated share's 95% Wilson interval (z = 1.96), widened about its centre by a factor 2
(so about +-3.9 standard errors), must contain the exact probability. With 5 strategies x 3 adversaries x 6
outcomes = 90 checks, a correct model fails one of them with odds below 1% for a fresh seed (the seeds here
are fixed, so the test is deterministic); a bias of 0.015 in a share of 0.5 (20,000 runs) is caught.
"""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.exact import exact_outcomes, propagate
from brinkmanship.adversary.planner import solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.engine.decision import BaseRatePolicy
from brinkmanship.engine.simulate import simulate

NAMES = ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"]
ADVERSARIES = ["base-rate", "rational", "logit:1"]
RUNS = 20_000
Z = 1.96
WIDEN = 2.0


def wilson(count: np.ndarray, n: int, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """Centre and half-width of the Wilson score interval for count successes out of n."""
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre, half


def test_wilson_interval_reference_values():
    c, h = wilson(np.array([0, 50, 100]), 100)
    np.testing.assert_allclose(c - h, [0.0, 0.4038, 0.9630], atol=1e-4)
    np.testing.assert_allclose(c + h, [0.0370, 0.5962, 1.0], atol=1e-4)


@pytest.mark.parametrize("adversary", ADVERSARIES)
@pytest.mark.parametrize("name", NAMES)
def test_simulated_shares_cover_the_exact_probabilities(korea, strategies, name, adversary):
    c = compile_model(korea, strategies[name])
    model = BaseRatePolicy() if adversary == "base-rate" else solve(c, adversary)
    exact = propagate(c, model)
    p = exact.outcomes[0]
    res = simulate(korea, strategies[name], runs=RUNS, seed=2017, adversary=adversary)
    counts = np.bincount(res.outcomes["outcome"], minlength=len(OUTCOMES))
    centre, half = wilson(counts, RUNS)
    lo, hi = centre - WIDEN * half, centre + WIDEN * half
    bad = (p < lo - 1e-12) | (p > hi + 1e-12)
    assert not bad.any(), "\n".join(
        f"{OUTCOMES[j]}: exact {p[j]:.5f}, simulated {counts[j] / RUNS:.5f}, interval [{lo[j]:.5f}, {hi[j]:.5f}]"
        for j in np.flatnonzero(bad))
    # the month-by-month path agrees too (outcome shares at the end of every sixth month)
    sim_t = res.timeline["outcome_counts"] / RUNS
    for t in range(6, c.horizon + 1, 6):
        se = np.sqrt(exact.timeline[t, 0] * (1 - exact.timeline[t, 0]) / RUNS)
        assert (np.abs(sim_t[t] - exact.timeline[t, 0]) <= 4.5 * se + 5 / RUNS).all(), f"month {t}"


def test_exact_outcomes_entry_point_matches_propagate(korea, strategies):
    s = strategies["let-deterrence-fail"]
    c = compile_model(korea, s)
    for adv in ("base-rate", "rational"):
        model = BaseRatePolicy() if adv == "base-rate" else solve(c, adv)
        want = propagate(c, model).as_dict()
        got = exact_outcomes(korea, s, adv)
        assert got.keys() == want.keys()
        assert all(abs(got[k] - want[k]) < 1e-12 for k in got)
