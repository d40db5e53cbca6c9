"""Zagare & Kilgour's deterrence threshold reproduced by a one-shot reduction of the crisis model.

The Rudimentary Asymmetric Deterrence Game (Perfect Deterrence, 2000): A keeps the status quo (SQ) or challenges
(D); B then concedes (DC) or resists (DD); B is Hard (resists) with probability pB, else Soft (concedes). With
aDD < aSQ < aDC, in every Bayesian equilibrium A challenges iff pB < (aDC - aSQ) / (aDC - aDD).

The reduction is the crisis model's own machinery on a compiled one-month scenario and strategy: the target is
A; a missile test is the challenge; the coercer's one threat ("a test is answered by a strike") is B resisting,
carried out with the credibility the target believes, pB. Nuclear tests add no test-equivalents (weight 0),
the economy weight is 0 and no deal is ripe, so the target's only tempting challenge is the missile test.
A freeze (a state the target can leave, worth the open flow when the economy weight is 0) is keeping the
status quo: it ties holding, and the rational target splits the tie. Then, with A = beyond_horizon / (1 - d) and f(m) = regime_survival + arsenal * min(w_1 / reference, 1) * delivery(m)
the open month's flow after m test-equivalents (w_1 warheads a month on):
    aSQ = d A f(0),   aDC = d A f(1) - test_cost,   aDD = aDC - strike_cost   (a struck target absorbs),
so the threshold is (d A arsenal min(w_1/ref, 1) (1 - delivery_0) gain - test_cost) / strike_cost.
On a grid of pB x strike cost x test cost x arsenal weight, one batched planner solve chooses to test exactly
where pB is below that threshold, and the game solvers of `games/` pick the same move for A.
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import load_pair, quiet_levers, write_scenario, write_strategy

from brinkmanship.adversary.planner import solve
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import FREEZE_ACT, HOLD, MISSILE
from brinkmanship.games.library.zagare import radg, radg_threshold
from brinkmanship.games.solve import solve as solve_game

PINNED = {
    "adversary.economy": 0.0, "adversary.victory_value": 0.0, "adversary.negotiation_cost": 0.1,
    "adversary.limited_conflict_cost": 15.0, "arsenal.nuclear_test_weight": 0.0,
}
THREAT = {
    "name": "zk-one-threat",
    "title": "One month, one threat: a missile test is answered by a strike",
    "levers": quiet_levers(),
    "rules": [{
        "id": "strike-if-test", "on": "missile_test", "do": "strike", "target_class": "military", "count": 1,
        "per": "event",
        "probability": {"value": 0.5, "range": [0.0, 1.0], "assumption": True},
        "believed": {"value": 0.5, "range": [0.0, 1.0], "assumption": True},
    }],
}
P_B = np.linspace(0.025, 0.975, 20)
STRIKE_COSTS = (1.5, 2.5)
TEST_COSTS = (0.1, 0.3)
ARSENAL = (3.0, 5.0)


@pytest.fixture(scope="module")
def reduction(toy_dir):
    sc, st = load_pair(write_scenario(toy_dir, "zk-one-month", {"horizon_months": 1}, PINNED),
                       write_strategy(toy_dir, THREAT))
    grid = np.array(np.meshgrid(P_B, STRIKE_COSTS, TEST_COSTS, ARSENAL, indexing="ij")).reshape(4, -1)
    names = ("rules.strike-if-test.believed", "adversary.strike_cost", "adversary.test_cost", "adversary.arsenal")
    c = compile_model(sc, st, dict(zip(names, grid, strict=True)))
    sol = solve(c)  # every grid point in one batched solve
    assert c.horizon == 1 and sol.n == grid.shape[1]
    return c, sol, grid


def _closed_form(c, strike_cost, test_cost, arsenal):
    d, beyond = c["adversary.discount"], c["adversary.beyond_horizon"]
    annuity = beyond / (1 - d)
    scale = min(dyn.warheads_at(c, 1) / c["adversary.arsenal_reference"], 1.0)
    d0, gain = c["initial.delivery"], c["arsenal.delivery_gain_per_test"]
    f0 = c["adversary.regime_survival"] + arsenal * scale * d0
    f1 = c["adversary.regime_survival"] + arsenal * scale * (1 - (1 - d0) * (1 - gain))
    a_sq, a_dc = d * annuity * f0, d * annuity * f1 - test_cost
    return a_sq, a_dc, a_dc - strike_cost


def test_the_payoffs_of_the_three_outcomes_are_the_planners_pure_type_values(reduction):
    """aSQ, aDC, aDD in closed form equal the planner's action values at pB = 0 and 1 (linear in between)."""
    c, sol, (pb, sc_, tc, ar) = reduction
    k0, m0, r0 = sol.initial_state()
    Q = sol.evaluator(0).month_values().Q[:, :, int(k0[0]), m0, r0]  # (A, n)
    a_sq, a_dc, a_dd = _closed_form(c, sc_, tc, ar)
    assert Q[HOLD] == pytest.approx(a_sq, rel=1e-12)
    assert Q[MISSILE] == pytest.approx(pb * a_dd + (1 - pb) * a_dc, rel=1e-12)
    assert np.all((a_dd < a_sq) & (a_sq < a_dc))  # the game's premise holds on the whole grid
    assert Q[FREEZE_ACT] == pytest.approx(a_sq, rel=1e-12)  # a freeze keeps the status quo
    others = np.delete(Q, [HOLD, MISSILE, FREEZE_ACT], axis=0)
    assert np.all(others < np.maximum(Q[HOLD], Q[MISSILE]))  # nothing else tempts the target


def test_the_target_challenges_iff_credibility_is_below_the_zagare_kilgour_threshold(reduction):
    c, sol, (pb, sc_, tc, ar) = reduction
    k0, m0, r0 = sol.initial_state()
    policy = sol.policy(0)[:, :, int(k0[0]), m0, r0]  # (A, n) the target's first move
    a_sq, a_dc, a_dd = _closed_form(c, sc_, tc, ar)
    threshold = (a_dc - a_sq) / (a_dc - a_dd)
    assert 0 < threshold.min() < threshold.max() < 1  # the grid spans deterred and undeterred cases
    challenges = policy[MISSILE] == 1.0
    holds = policy[HOLD] + policy[FREEZE_ACT] == 1.0  # the status quo, held or frozen
    assert np.all(challenges | holds)  # a pure choice at every point (none falls on the threshold)
    assert np.array_equal(challenges, pb < threshold)
    assert challenges.any() and holds.any()


@pytest.mark.parametrize("point", [0, 7, 13, 19, 22, 38, 45, 61, 77])
def test_the_game_solvers_pick_the_same_move_for_a(reduction, point):
    """The RADG built from the model's payoffs and solved by `games/` (subgame perfect) agrees."""
    c, sol, (pb, sc_, tc, ar) = reduction
    a_sq, a_dc, a_dd = (float(x) for x in _closed_form(c, sc_[point], tc[point], ar[point]))
    g = radg(float(pb[point]), aSQ=a_sq, aDC=a_dc, aDD=a_dd)
    eq = solve_game(g, "spe").equilibria[0]
    k = next(k for k in g.player_infosets(1) if g.infoset_label(k) == "A")
    a_moves = eq.strategies[0][list(g.player_infosets(1)).index(k)]
    game_challenges = g.action_label(int(g.action_offset[k]) + int(np.argmax(a_moves))) == "D"
    assert game_challenges == (pb[point] < float(radg_threshold(a_sq, a_dc, a_dd)))
    k0, m0, r0 = sol.initial_state()
    assert game_challenges == (sol.policy(0)[MISSILE, point, int(k0[0]), m0, r0] == 1.0)
