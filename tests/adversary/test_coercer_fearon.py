"""Fearon's bargaining range and Powell's commitment problem from one-period reductions of the crisis.

Fearon (the facts file): with war costs cA, cB and A's chance p of winning, every division x in
(p - cA, p + cB) is preferred by both to war.

The reduction reads the crisis's own ending values for both sides (`adversary.coercer.bargain`): a division is
the share x of the arsenal given up, valued linearly between the freeze (x = 0) and the deal (x = 1); war is the
preventive-war ending. The scenario is pinned so that war is Fearon's costly lottery over the two ends: no
nuclear use, no intervention, the target's flow is regime survival only (so a freeze is worth A * survival and a
deal A * survival * deal_security), its regime falls in war with p (1 - deal_security) (so war is the lottery p
over the two ends), and the coercer's life after a war is p x denuclearisation + (1 - p) x freeze. The one-off
war costs are then cA = war_cost_coercer / (Ac (1 - freeze)) and cB = war_cost_target / (A survival (1 -
deal_security)), with A and Ac the annuities (months to the horizon, then the perpetuity).
"""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.coercer import bargain
from brinkmanship.engine.compiled import compile_model
from brinkmanship.games.library.bargaining import bargaining_range
from brinkmanship.spec import load_scenario, load_strategy

P = np.array([0.3, 0.5, 0.7])
COSTS = np.array([0.0, 2.0, 10.0])  # one-off war costs: zero, small, larger
FREEZE, SECURITY, SURVIVAL = 0.4, 0.8, 10.0


def _annuity(d: float, remaining: int, beyond: float) -> float:
    return (1 - d ** remaining) / (1 - d) + beyond * d ** remaining / (1 - d)


@pytest.fixture(scope="module")
def reduction():
    sc = load_scenario("korea-2017")
    p, ka, kb = (g.ravel() for g in np.meshgrid(P, COSTS, COSTS, indexing="ij"))
    pins = {
        "adversary.economy": 0.0, "adversary.arsenal": 0.0, "adversary.intervention_protection": 0.0,
        "adversary.regime_survival": SURVIVAL, "adversary.deal_security": SECURITY,
        "adversary.regime_fall_war": p * (1 - SECURITY), "adversary.war_cost": kb,
        "war.nuclear_use_regime_threatened": 0.0, "coercer.freeze": FREEZE, "coercer.denuclearisation": 1.0,
        "coercer.after_war": p * 1.0 + (1 - p) * FREEZE, "coercer.war_cost": ka, "coercer.life_cost": 0.0,
    }
    c = compile_model(sc, load_strategy("engagement", sc), pins)
    H = c.horizon
    a_target = _annuity(c["adversary.discount"], H - 1, c["adversary.beyond_horizon"])
    a_coercer = _annuity(c["coercer.discount"], H - 1, c["adversary.beyond_horizon"])
    cA = ka / (a_coercer * (1 - FREEZE))
    cB = kb / (a_target * SURVIVAL * (1 - SECURITY))
    return bargain(c), p, cA, cB


def test_the_reduction_gives_fearons_interval(reduction):
    b, p, cA, cB = reduction
    lo, hi = b.deals
    for i in range(p.size):
        want = bargaining_range(float(p[i]), float(cA[i]), float(cB[i]))
        assert lo[i] == pytest.approx(float(want[0]), abs=1e-9)
        assert hi[i] == pytest.approx(float(want[1]), abs=1e-9)


def test_a_deal_both_prefer_to_war_exists_exactly_when_war_is_costly(reduction):
    b, _p, cA, cB = reduction
    x = np.linspace(0.0, 1.0, 4001)
    coercer_ok, target_ok = b.accepts(x)
    exists = (coercer_ok & target_ok).any(axis=1)
    costly = (cA + cB) > 0
    assert np.array_equal(exists, costly)
    assert costly.any() and (~costly).any()  # the grid holds both cases
    both = (cA > 0) & (cB > 0)
    assert exists[both].all()  # war costly to both: a deal exists


# -- Powell's commitment problem ----------------------------------------------------------------------------
# The coercer is the declining state: as the target's tests prove its delivery, a war is likelier to turn
# nuclear, so the coercer's war value (in units of its pie, from the same reduction) falls from w_now (no test
# yet) to w_later (delivery proven). In Powell's one-shift form with per-period war share q, flow cost d and
# fall Delta: q - d = w_now, q - Delta - d = w_later. The declining state fights now iff
# delta * Delta > (1 - delta) * (1 - q + d); the games library's Powell game, solved subgame perfect, agrees.
D_FLOW = 0.01  # Powell's flow cost d: only q - d enters the reduction
NUCLEAR = np.array([0.05, 0.2, 0.35])
DISCOUNTS = np.array([0.975, 0.98, 0.99, 0.995])


@pytest.fixture(scope="module")
def declining():
    from brinkmanship.engine import dynamics as dyn

    sc = load_scenario("korea-2017")
    nu, dc = (g.ravel() for g in np.meshgrid(NUCLEAR, DISCOUNTS, indexing="ij"))
    pins = {"coercer.after_war": 0.9, "coercer.war_cost": 2.0, "coercer.life_cost": 0.005,
            "coercer.nuclear_use_cost": 40.0, "war.nuclear_use_regime_threatened": nu, "coercer.discount": dc}
    c = compile_model(sc, load_strategy("engagement", sc), pins)
    return bargain(c, 0, 0).war_coercer, bargain(c, 0, dyn.MAX_TESTS).war_coercer, dc


def test_the_coercers_war_value_falls_as_the_target_proves_delivery(declining):
    now, later, _ = declining
    assert np.all(later < now) and np.all(later > D_FLOW) and np.all(now < 1)


def test_the_reduction_reproduces_powells_condition(declining):
    from brinkmanship.games.library.bargaining import powell, powell_prefers_war
    from brinkmanship.games.solve import solve as solve_game

    now, later, dc = declining
    fights = []
    for w0, wl, d in zip(now, later, dc, strict=True):
        q, fall = float(w0) + D_FLOW, float(w0 - wl)
        rule = powell_prefers_war(q, fall, D_FLOW, float(d))
        crisis = bool(w0 > (1 - d) + d * wl)  # fight now, or the whole pie this month and w_later ever after
        assert crisis == rule
        g = powell(q, fall, D_FLOW, float(d), steps=20)
        eq = solve_game(g, "spe").equilibria[0]
        war_d = (q - D_FLOW) / (1 - float(d))
        assert (abs(float(eq.payoffs[1]) - war_d) < 1e-9) == rule  # in the game, D gets its war value iff it fights
        fights.append(rule)
    assert any(fights) and not all(fights)  # the grid holds both cases
