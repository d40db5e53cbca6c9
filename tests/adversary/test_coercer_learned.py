"""The strategic coercer with a learned belief (issues 10 and 11 connected): the reputation value reads the
Bayes move of the evidence factor per grid state, and with nothing learnable the equilibrium is today's."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.coercer import TOLERANCE, belief_swing, equilibrium, learned
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import Month
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import compile_model
from brinkmanship.spec import load_scenario, load_strategy

STRATEGY = "let-deterrence-fail"
ITEMS = ("rules.two-per-launch", "rules.city-per-test", "deadlines.congressional-decision")


@pytest.fixture(scope="module")
def korea():
    return load_scenario("korea-2017")


@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_nothing_learnable_is_todays_strategic_coercer_bit_for_bit(korea, prior):
    over = {f"{i}.believed": prior for i in ITEMS}
    with_block = compile_model(korea, load_strategy(STRATEGY, korea), over)
    fixed_sc = korea.model_copy(update={"credibility": None})
    fixed = compile_model(fixed_sc, load_strategy(STRATEGY, fixed_sc), over)
    assert with_block.credibility_levels > 0 and not learned(with_block)
    a, b = equilibrium(with_block), equilibrium(fixed)
    np.testing.assert_array_equal(a.outcomes, b.outcomes)
    np.testing.assert_array_equal(a.coercer_value, b.coercer_value)
    for th in a.threats:
        np.testing.assert_array_equal(a.execution[th.id], b.execution[th.id])
        np.testing.assert_array_equal(a.starts[0].beliefs[th.id], b.starts[0].beliefs[th.id])
        assert a.moved[th.id] == th.believed


def _month(korea, over, t=0):
    c = compile_model(korea, load_strategy(STRATEGY, korea), over)
    grid = Grid.of(c)
    return c, Month(c, grid, t, 1, False, dyn.policy_paths(c))


def test_swing_is_the_closed_form_bayes_difference(korea):
    c, mk = _month(korea, {"rules.city-per-test.believed": 0.3, "credibility.step": 1.0})
    assert mk.grid.B == korea.credibility.levels > 1
    r = next(r for r in c.rules if r.id == "city-per-test")
    p, b, prior = c[r.prob], c[r.bluff], c[r.believed]
    swing = np.broadcast_to(belief_swing(mk, r.id), (1, *mk.grid.shape))[0, 0, 0]  # (R,)
    for e in range(mk.grid.B):  # the state's belief, then one more observation, by hand
        at = mk.grid.evidence == e
        mu = prior * np.exp(e - belief.prior_level(mk.grid.B)) / (
            prior * np.exp(e - belief.prior_level(mk.grid.B)) + 1 - prior)
        by_hand = mu * p / (mu * p + (1 - mu) * b) - mu * (1 - p) / (mu * (1 - p) + (1 - mu) * (1 - b))
        np.testing.assert_allclose(swing[at], by_hand, rtol=1e-12)
        np.testing.assert_allclose(swing[at], belief.posterior_after(mu, p, b, 1, 0)
                                   - belief.posterior_after(mu, p, b, 0, 1), rtol=1e-12)
    assert swing.max() - swing.min() > 0.01  # it depends on the state


def test_deadline_swing_reads_this_months_hazards(korea):
    c, _ = _month(korea, {})
    d = c.deadlines[0]
    t = d.first_month
    _, mk = _month(korea, {}, t)
    hp = belief.deadline_hazard(c[d.prob], t, d.first_month, d.last_month)
    hb = belief.deadline_hazard(c[d.bluff], t, d.first_month, d.last_month)
    start = mk.grid.evidence == belief.prior_level(mk.grid.B)
    swing = np.broadcast_to(belief_swing(mk, d.id), (1, *mk.grid.shape))[0, 0, 0][start]
    mu = c[d.believed]
    np.testing.assert_allclose(swing, belief.posterior_after(mu, hp, hb, 1, 0)
                               - belief.posterior_after(mu, hp, hb, 0, 1), rtol=1e-12)


def test_no_evidence_factor_swing_is_one_unit(korea):
    fixed_sc = korea.model_copy(update={"credibility": None})
    c = compile_model(fixed_sc, load_strategy(STRATEGY, fixed_sc))
    mk = Month(c, Grid.of(c), 0, 1, False, dyn.policy_paths(c))
    assert belief_swing(mk, "city-per-test") == 1.0


def test_learned_iteration_moves_the_bluffing_types_likelihood(korea):
    c = compile_model(korea, load_strategy(STRATEGY, korea))
    assert learned(c)
    eq = equilibrium(c)
    for th in eq.threats:
        assert eq.moved[th.id].endswith(".bluff")
        # the prior stays the scenario's; what the iteration moved is a probability
        assert np.all((eq.starts[0].beliefs[th.id] >= 0) & (eq.starts[0].beliefs[th.id] <= 1))
    # a costly threat the strategic type never carries out: the likelihood the target reads for it is its
    # equilibrium execution (0), not the scenario's bluff
    for k in ("city-per-test", "congressional-decision"):
        assert c[f"{'rules' if k == 'city-per-test' else 'deadlines'}.{k}.bluff"] > 0
        np.testing.assert_allclose(eq.starts[0].beliefs[k], eq.execution[k], atol=TOLERANCE)
        assert eq.execution[k][0] == 0.0
