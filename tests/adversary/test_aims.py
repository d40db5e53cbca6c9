"""The op-ed's aims scored by what is reached at the horizon, against hand computations.

"Avert a full arsenal with proven delivery" is met by a deal, or by a freeze or an open crisis that ends the
horizon with delivery not proven (fewer test-equivalents than `dynamics.MAX_TESTS`, after which delivery stops
improving): a freeze entered after the tests that prove delivery does not meet it. "Denuclearise" is met by
denuclearisation only. Each case is pinned in the exact propagation (the mass over tests levels at the
horizon) and in the simulator (each run's tests level at its end).
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import load_pair, quiet_levers, write_scenario, write_strategy
from scipy import stats

from brinkmanship.adversary.exact import propagate
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import FREEZE_ACT, HOLD, MISSILE, N_ACTIONS
from brinkmanship.engine.decision import BaseRatePolicy, Observation, available_actions
from brinkmanship.engine.dynamics import MAX_TESTS
from brinkmanship.engine.simulate import simulate
from brinkmanship.engine.summary import aims_met

H = 8  # months: enough to prove delivery by testing every month (MAX_TESTS = 6)
Q = 0.5  # the mixed tester's monthly chance of a missile test
SE_LIMIT = 5.0


class TesterThenFreeze(BaseRatePolicy):
    """A missile test in each of the first `k` months, then a freeze (held once frozen)."""

    def __init__(self, k: int) -> None:
        self.k, self.name = k, f"test-{k}-then-freeze"

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        n = obs.talks.shape[0]
        out = np.zeros((N_ACTIONS, n))
        if obs.t < self.k:
            out[MISSILE] = 1.0
            return out
        can = available_actions(c, obs)[FREEZE_ACT]
        out[FREEZE_ACT, can] = 1.0
        out[HOLD, ~can] = 1.0
        return out


class MixedTester(BaseRatePolicy):
    """A missile test with chance Q every month, else hold: never a freeze or a deal."""

    name = "mixed-tester"

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        out = np.zeros((N_ACTIONS, obs.talks.shape[0]))
        out[MISSILE], out[HOLD] = Q, 1 - Q
        return out


@pytest.fixture(scope="module")
def quiet(toy_dir):
    """korea-2017 cut to H months against a coercer with no rules or deadlines: nothing ends a run."""
    sc, st = load_pair(write_scenario(toy_dir, "aims-toy", {"horizon_months": H}),
                       write_strategy(toy_dir, {"name": "quiet", "title": "No rules, no deadlines",
                                                "levers": quiet_levers()}))
    return sc, st, compile_model(sc, st)


def exact_aims(sc, c, model) -> dict[str, float]:
    res = propagate(c, model)
    got = aims_met(None, sc.aims, res.as_dict(), res.unproven_dict())  # type: ignore[arg-type]
    return {k: v["p"] for k, v in got.items()}


@pytest.mark.parametrize(("k", "averted"), [(MAX_TESTS - 1, 1.0), (MAX_TESTS, 0.0)])
def test_a_freeze_after_delivery_is_proven_does_not_avert_the_arsenal(quiet, k, averted):
    """k test months then a freeze: every run ends frozen with k test-equivalents. Below MAX_TESTS delivery is
    not proven and the aim is met by all runs; at MAX_TESTS by none; the freeze never denuclearises."""
    sc, st, c = quiet
    model = TesterThenFreeze(k)
    res = propagate(c, model)
    assert res.as_dict()["freeze"] == pytest.approx(1.0, abs=1e-12)
    aims = exact_aims(sc, c, model)
    assert aims["avert_full_arsenal"] == pytest.approx(averted, abs=1e-12)
    assert aims["denuclearise"] == pytest.approx(0.0, abs=1e-12)
    sim = simulate(sc, st, runs=500, seed=3, adversary=model)
    assert np.all(sim.outcomes["final_tests"] == k)
    met = aims_met(sim, sc.aims)
    assert met["avert_full_arsenal"]["p"] == averted
    assert met["denuclearise"]["p"] == 0.0


def test_build_up_meets_the_aim_while_delivery_is_unproven_binomial(quiet):
    """Testing with chance Q each month for H months: the tests level at the horizon is Binomial(H, Q), all
    runs stay open (build-up), and the aim is met with P(Binomial(H, Q) < MAX_TESTS): 219/256 for H = 8,
    Q = 1/2. The exact mass over tests levels gives it to rounding; the simulator within 5 standard errors."""
    sc, st, c = quiet
    want = float(stats.binom.cdf(MAX_TESTS - 1, H, Q))
    assert want == pytest.approx(219 / 256, abs=1e-15)
    res = propagate(c, MixedTester())
    assert res.as_dict()["buildup"] == pytest.approx(1.0, abs=1e-12)
    assert exact_aims(sc, c, MixedTester())["avert_full_arsenal"] == pytest.approx(want, abs=1e-12)
    runs = 20_000
    sim = simulate(sc, st, runs=runs, seed=5, adversary=MixedTester())
    got = aims_met(sim, sc.aims)["avert_full_arsenal"]["p"]
    assert abs(got - want) <= SE_LIMIT * np.sqrt(want * (1 - want) / runs), (got, want)


def test_without_the_horizon_tests_level_an_exact_aim_is_a_lower_bound_and_says_so(quiet):
    sc, _, c = quiet
    res = propagate(c, TesterThenFreeze(0))
    got = aims_met(None, sc.aims, res.as_dict())  # type: ignore[arg-type]
    assert got["avert_full_arsenal"]["p"] == 0.0  # the freeze is left out without the tests level
    assert "lower bound" in got["avert_full_arsenal"]["note"]
    assert "note" not in got["denuclearise"]
