"""No element of the op-ed's strategy is decorative: switching any one off moves an outcome beyond MC error."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.engine import simulate
from brinkmanship.engine.ablation import without
from brinkmanship.spec import load_scenario, load_strategy

RUNS = 20_000
SCENARIO = load_scenario("korea-2017")
LDF = load_strategy("let-deterrence-fail", SCENARIO)


@pytest.fixture(scope="module")
def base_shares():
    return simulate(SCENARIO, LDF, runs=RUNS, seed=3).outcome_shares()


def test_the_strategy_has_every_element_of_the_op_ed():
    assert LDF.elements() == [
        "third_parties.china", "third_parties.russia", "talks", "sanctions", "posture", "exercises",
        "rules.two-per-launch", "rules.city-per-test", "deadlines.congressional-decision",
    ]


@pytest.mark.parametrize("element", LDF.elements())
def test_switching_an_element_off_moves_an_outcome(base_shares, element):
    variant = without(LDF, element)
    assert variant != LDF
    shares = simulate(SCENARIO, variant, runs=RUNS, seed=3).outcome_shares()
    # 95% half-width of the difference of two independent proportions (conservative under common numbers)
    mc_error = 1.959964 * np.sqrt(base_shares * (1 - base_shares) / RUNS + shares * (1 - shares) / RUNS)
    moved = np.abs(shares - base_shares) > mc_error
    assert moved.any(), f"{element}: shares {shares} vs {base_shares}, error {mc_error}"
