r"""A two-step toy crisis whose optimal policy and value are computed by hand.

The toy is korea-2017 cut to two months (t = 0, 1), with a coercer that has no rules and one deadline:
preventive war in month 1 (October 2017), executed with real probability p = 0.9 but *believed* with
probability b = 0.5. Utility: regime survival 1 per open month, arsenal 0, economy 0; beyond_horizon 0;
discount d = 0.9; war_cost W = 10; limited_conflict_cost L = 4; test_cost 0.2; negotiation_cost 0.1;
regime_fall_war = regime_fall_nuclear_war = 1, intervention_protection 0, victory_value 0, deal_security 0.5;
no nuclear use in war (both probabilities 0); an invasion never succeeds; provocation_clash c = 0.05;
talks.close_probability 0.2 with full posture (no withdrawal), so a ripe deal closes with q = 0.2. A freeze
and a deal are states a run can leave: a month frozen is worth the open flow (no economy weight, so the
freeze's relief is nothing), a month in a deal deal_security = 0.5; the target fears (believes) the coercer
defects from a deal with e = 0.02 a month, and a defection is a war (-W: the regime falls). The deadline,
`unless: [deal, freeze]`, is spent without acting where the target is frozen or in a deal.

Notation: V_t(s) = flow + h_t * (deadline value) + (1 - h_t) * max_a Q_t(s, a); an ending entered at the end of
month t is worth d * T with T = (one-off) + annuity * flow, where annuity = months left after t
(H - t - 1 = 1 at t = 0, 0 at t = 1, beyond_horizon 0). V_2 = 0.

Month t = 1 (annuity 0, hazard h_1 = b = 0.5 where the deadline is not spent):
    Q_1 (open): hold 0, freeze d*0 = 0, accept (ripe talks) q*d*0 + (1-q)*d*V_2 = 0, negotiate -0.1, tests -0.2,
    provocation c*d*(-L) = -0.18, invade d*(-W) = -9, nuclear use d*(-2W) = -18.
    => ties: {hold, freeze} (and accept where talks >= 0.6); entering a freeze or accepting a deal needs a
       strict gain over the best action that commits to nothing, so the target holds (probability 1).
    deadline value: d * T_war = 0.9 * (-10) = -9.
    V_1(open) = 1 + 0.5 * (-9) + 0.5 * 0 = -3.5 (nothing else in the state matters any more);
    V_1(frozen) = 1 + 0 = 1 (the deadline is spent, the freeze kept);
    V_1(deal) = V_1(disarmed) = 0.5 + e * d * (-W) + (1 - e) * 0 = 0.5 - 0.18 = 0.32.

Month t = 0 (annuity 1, no deadline: h_0 = 0):
    hold         d * V_1                           = -3.15
    negotiate    d * V_1 - 0.1                     = -3.25
    missile test d * V_1 - 0.2                     = -3.35   (no rule answers it)
    nuclear test d * V_1 - 0.2                     = -3.35
    provocation  c*d*(-L + 1) + (1-c)*d*V_1
                 = 0.045*(-3) + 0.855*(-3.5)       = -3.1275 (a clash pre-empts the believed war: beats hold)
    freeze       d * (1 * 1)                       =  0.9    <- unique optimum
    accept       (ripe talks only) q*d*V_1(deal) + (1-q)*d*V_1 = 0.18*0.32 - 2.52 = -2.4624
    invade       d * (-W + 1*(1 - 1))              = -9
    nuclear use  d * (-2W + 1*(1 - 1))             = -18
    => V_0 = 1 + 0.9 = 1.9 in every state; the policy is "freeze" with probability 1.

Had the target believed the real p = 0.9: V_1 = 1 - 0.9*9 = -7.1 (the planner must use b, not p).
Always holding is worth V_0 = 1 + d*V_1 = -2.15, and under it the crisis ends in major war with the *real*
probability p = 0.9 (no nuclear use), otherwise in buildup 0.1.
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import ForcedAction, load_pair, quiet_levers, write_scenario, write_strategy

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import policy_value, solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import (
    ACCEPT,
    FREEZE_ACT,
    HOLD,
    INVADE,
    MISSILE,
    N_ACTIONS,
    NEGOTIATE,
    NUCLEAR_TEST,
    NUCLEAR_USE,
    OUTCOMES,
    PROVOCATION,
    Status,
)
from brinkmanship.engine.simulate import simulate

TOY_PARAMS = {
    "adversary.discount": 0.9, "adversary.beyond_horizon": 0.0, "adversary.regime_survival": 1.0,
    "adversary.arsenal": 0.0, "adversary.economy": 0.0, "adversary.strike_cost": 0.0,
    "adversary.test_cost": 0.2, "adversary.negotiation_cost": 0.1, "adversary.city_cost": 0.0,
    "adversary.limited_conflict_cost": 4.0, "adversary.war_cost": 10.0, "adversary.regime_fall_war": 1.0,
    "adversary.regime_fall_nuclear_war": 1.0, "adversary.intervention_protection": 0.0,
    "adversary.victory_value": 0.0, "adversary.deal_security": 0.5, "adversary.deal_economy": 1.0,
    "adversary.deal_defection_believed": 0.02, "adversary.freeze_break_cost": 1.0, "adversary.deal_renege_cost": 1.0,
    "war.nuclear_use_in_war": 0.0, "war.nuclear_use_regime_threatened": 0.0,
    "invasion.success_full_posture": 0.0, "invasion.success_no_posture": 0.0,
    "escalation.provocation_clash": 0.05, "talks.close_probability": 0.2, "talks.deal_threshold": 0.6,
}

TOY_STRATEGY = {
    "name": "toy-deadline",
    "title": "Toy: preventive war in month 1 unless a deal or a freeze",
    "levers": quiet_levers(),
    "deadlines": [{
        "id": "war-in-october",
        "at": {"earliest": "2017-10-01", "latest": "2017-10-31", "assumption": True},
        "unless": ["deal", "freeze"],
        "do": "preventive_war",
        "probability": {"value": 0.9, "range": [0.9, 0.9], "assumption": True},
        "believed": {"value": 0.5, "range": [0.5, 0.5], "assumption": True},
    }],
}

D, B, P = 0.9, 0.5, 0.9
V1 = 1 + B * D * (-10)  # -3.5
Q0 = {
    HOLD: D * V1, NEGOTIATE: D * V1 - 0.1, MISSILE: D * V1 - 0.2, NUCLEAR_TEST: D * V1 - 0.2,
    PROVOCATION: 0.05 * D * (-4 + 1) + 0.95 * D * V1, FREEZE_ACT: D * 1.0, INVADE: D * (-10.0),
    NUCLEAR_USE: D * (-20.0),
}
E = 0.02
V1_DEAL = 0.5 + E * D * (-10.0)  # 0.32
Q0_ACCEPT = 0.2 * D * V1_DEAL + 0.8 * D * V1
Q1 = {HOLD: 0.0, NEGOTIATE: -0.1, MISSILE: -0.2, NUCLEAR_TEST: -0.2, PROVOCATION: 0.05 * D * (-4.0),
      FREEZE_ACT: 0.0, INVADE: D * (-10.0), NUCLEAR_USE: D * (-20.0)}


@pytest.fixture(scope="module")
def toy(toy_dir):
    sc, st = load_pair(write_scenario(toy_dir, "toy-two-step", {"horizon_months": 2}, TOY_PARAMS),
                       write_strategy(toy_dir, TOY_STRATEGY))
    c = compile_model(sc, st)
    assert c.horizon == 2 and [(d.first_month, d.last_month) for d in c.deadlines] == [(1, 1)]
    return sc, st, c, solve(c, "rational")


def test_hand_numbers_are_what_the_docstring_says():
    assert V1 == pytest.approx(-3.5)
    assert Q0[PROVOCATION] == pytest.approx(-3.1275)
    assert Q0_ACCEPT == pytest.approx(-2.4624)
    assert max(Q0.values()) == Q0[FREEZE_ACT] == pytest.approx(0.9)


def _at(grid, status):
    """Last-axis indices in `status` with the deadline not yet spent."""
    return (grid.status == status) & (grid.done == 0)


def test_values_match_the_hand_computation(toy):
    _, _, _, sol = toy
    g = sol.grid
    assert sol.V[2] == pytest.approx(np.zeros_like(sol.V[2]), abs=1e-12)
    for status, v in ((Status.OPEN, -3.5), (Status.FROZEN, 1.0), (Status.DEAL, V1_DEAL), (Status.DISARMED, V1_DEAL)):
        got = sol.V[1][..., _at(g, status)]
        assert got == pytest.approx(np.full_like(got, v), abs=1e-9), status
    got = sol.V[0][..., _at(g, Status.OPEN)]
    assert got == pytest.approx(np.full_like(got, 1.9), abs=1e-9)
    assert sol.value_at_start() == pytest.approx([1.9], abs=1e-9)


def test_action_values_match_the_hand_computation(toy):
    _, _, _, sol = toy
    K = sol.grid.K
    for t, table in ((0, Q0), (1, Q1)):
        Q = sol.evaluator(t).month_values().Q[..., _at(sol.grid, Status.OPEN)]  # (A, n, K, M, R open)
        for a, q in table.items():
            assert Q[a, 0] == pytest.approx(np.full(Q.shape[2:], q), abs=1e-9), (t, a)
        ripe = np.arange(K) >= 12
        accept = Q[ACCEPT, 0][ripe]
        assert accept == pytest.approx(np.full(accept.shape, Q0_ACCEPT if t == 0 else 0.0), abs=1e-9)


def test_optimal_policy_is_freeze_then_hold(toy):
    """Month 0: the freeze is a strict gain, taken. Month 1: hold, freeze (and a ripe deal) tie; a commitment
    needs a strict gain, so the tie goes to holding, not split three ways."""
    _, _, _, sol = toy
    pi0 = sol.policy(0)[:, 0][..., _at(sol.grid, Status.OPEN)]
    assert pi0[FREEZE_ACT] == pytest.approx(np.ones(pi0.shape[1:]), abs=1e-12)
    assert pi0.sum(axis=0) == pytest.approx(np.ones(pi0.shape[1:]))
    pi1 = sol.policy(1)[:, 0][..., _at(sol.grid, Status.OPEN)]
    for k in range(sol.grid.K):
        for a in range(N_ACTIONS):
            want = 1.0 if a == HOLD else 0.0
            assert pi1[a, k] == pytest.approx(np.full(pi1.shape[2:], want), abs=1e-12), (k, a)


def test_always_hold_is_worth_less_and_meets_the_real_deadline(toy):
    _, _, c, sol = toy
    shape = sol.policy(0).shape
    hold = np.zeros(shape)
    hold[HOLD] = 1.0
    pv = policy_value(c, [hold, hold])
    assert pv.value_at_start() == pytest.approx([1 + D * V1], abs=1e-9)  # -2.15
    assert pv.value_at_start()[0] < sol.value_at_start()[0]

    # under the real strategy (p = 0.9, not the believed 0.5) always holding ends in war with probability p
    ex = propagate(c, ForcedAction(HOLD)).as_dict()
    assert ex["major_war"] == pytest.approx(P, abs=1e-12)  # the real probability, not the believed one
    assert ex["buildup"] == pytest.approx(1 - P, abs=1e-12)
    assert ex["nuclear_war"] == pytest.approx(0.0, abs=1e-12)


def test_exact_and_simulated_toy_outcomes_are_all_freeze(toy):
    sc, st, c, sol = toy
    ex = propagate(c, sol).as_dict()
    assert ex["freeze"] == pytest.approx(1.0, abs=1e-12)
    res = simulate(sc, st, runs=2000, seed=3, adversary="rational")
    shares = dict(zip(OUTCOMES, res.outcome_shares(), strict=True))
    assert shares["freeze"] == 1.0
    assert (res.outcomes["month_resolved"] == 1).all()
