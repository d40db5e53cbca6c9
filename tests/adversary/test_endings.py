"""Endings that are not final, against closed forms: a freeze broken by a test, a deal the coercer defects
from (and that is carried out over time), the value of a breakable freeze, and a deadline's `unless`.

Each mechanism is pinned three ways where it can be: a hand formula, the exact propagation (no sampling
error) and the simulator (within 5 standard errors).
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import ForcedAction, load_pair, quiet_levers, write_scenario, write_strategy

from brinkmanship.adversary.exact import exact_outcomes, propagate
from brinkmanship.adversary.planner import solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import (
    ACCEPT,
    HOLD,
    MISSILE,
    NUCLEAR_TEST,
    OUTCOMES,
    Status,
)
from brinkmanship.engine.decision import BaseRatePolicy, Observation
from brinkmanship.engine.simulate import simulate
from brinkmanship.spec import load_strategy

SE_LIMIT = 5.0


def within(share: float, p: float, runs: int) -> bool:
    """A simulated share within 5 standard errors of the probability p (a floor for p near 0 or 1)."""
    se = max(np.sqrt(p * (1 - p) / runs), 1.0 / runs)
    return abs(share - p) <= SE_LIMIT * se


# -- a freeze broken by a test: the base-rate target's odds --------------------------------------------------
def test_a_freeze_or_a_deal_multiplies_the_odds_of_a_test_by_its_declared_factor(korea, strategies):
    """Against holding, the odds of a missile or a nuclear test are those of the open crisis times
    exp(base_rate.freeze_break) when frozen and exp(base_rate.deal_renege) in a deal; once disarmed nothing is
    left to test. So the chance a freeze breaks in a month is the two tests' share of the frozen month."""
    c = compile_model(korea, strategies["maximum-pressure"])
    n = 4
    obs = Observation(t=0, warheads=np.full(n, 20.0), delivery=np.full(n, 0.7), tests=np.zeros(n, dtype=np.int64),
                      economy=np.ones(n), sanctions=np.full(n, 0.5), talks=np.zeros(n),
                      talks_idx=np.zeros(n, dtype=np.int64), lists_left=np.zeros((1, n), dtype=np.int64),
                      struck=np.zeros(n), posture=1.0, exercises=0.0, status=np.array(list(Status)))
    p = BaseRatePolicy().action_probabilities(c, obs)
    odds = (p[MISSILE] + p[NUCLEAR_TEST]) / p[HOLD]
    assert odds[Status.FROZEN] / odds[Status.OPEN] == pytest.approx(np.exp(c["base_rate.freeze_break"]), rel=1e-12)
    assert odds[Status.DEAL] / odds[Status.OPEN] == pytest.approx(np.exp(c["base_rate.deal_renege"]), rel=1e-12)
    assert odds[Status.DISARMED] == 0.0


# -- a deal the coercer defects from, carried out over time ------------------------------------------------
H, Q, DEFECT, MONTHS = 6, 0.3, 0.1, 4.0
DEAL_PARAMS = {"initial.talks": 1.0, "talks.deal_threshold": 0.6, "talks.close_probability": Q,
               "war.nuclear_use_in_war": 0.0, "war.nuclear_use_regime_threatened": 0.0,
               "endings.deal_defection": DEFECT, "endings.disarmament_months": MONTHS}


def deal_closed_forms() -> dict[str, float]:
    """A target that accepts whenever it is open: a deal signed in month t (chance q (1 - q)^t) lives
    n = H - 1 - t months; each month the coercer defects (a war) with chance e and, before that, the
    arsenal is given up with chance d = 1 / months. So P(war) = sum q (1-q)^t (1 - (1-e)^n), P(build-up) =
    (1-q)^H, and P(disarmed at the horizon) = sum q (1-q)^t (1-e)^n (1 - (1-d)^n)."""
    d = 1.0 / MONTHS
    t = np.arange(H)
    signed, n = Q * (1 - Q) ** t, H - 1 - t
    war = float(np.sum(signed * (1 - (1 - DEFECT) ** n)))
    return {"major_war": war, "denuclearisation": float(np.sum(signed) - war), "buildup": (1 - Q) ** H,
            "disarmed": float(np.sum(signed * (1 - DEFECT) ** n * (1 - (1 - d) ** n)))}


@pytest.fixture(scope="module")
def deal_toy(toy_dir):
    sc, st = load_pair(write_scenario(toy_dir, "deal-toy", {"horizon_months": H}, DEAL_PARAMS),
                       write_strategy(toy_dir, {"name": "offer-only", "title": "A ripe deal, nothing else",
                                                "levers": quiet_levers("coercer-led", 0.5)}))
    return sc, st, compile_model(sc, st)


def test_the_defection_hazard_in_closed_form_exactly(deal_toy):
    _, _, c = deal_toy
    want = deal_closed_forms()
    got = propagate(c, ForcedAction(ACCEPT)).as_dict()
    for name in ("major_war", "denuclearisation", "buildup"):
        assert got[name] == pytest.approx(want[name], abs=1e-12), name
    assert got["freeze"] == got["limited_conflict"] == got["nuclear_war"] == 0.0


def test_the_simulated_deal_breaks_and_disarms_as_the_closed_form_says(deal_toy):
    sc, st, _ = deal_toy
    runs = 40_000
    res = simulate(sc, st, runs=runs, seed=11, adversary=ForcedAction(ACCEPT))
    want = deal_closed_forms()
    shares = dict(zip(OUTCOMES, res.outcome_shares(), strict=True))
    for name in ("major_war", "denuclearisation", "buildup"):
        assert within(shares[name], want[name], runs), (name, shares[name], want[name])
    holding = res.outcomes["outcome"] == OUTCOMES.index("denuclearisation")  # (a war keeps the status it met)
    disarmed = holding & (res.outcomes["final_status"] == Status.DISARMED)
    assert within(float(disarmed.mean()), want["disarmed"], runs)
    assert (res.outcomes["warheads"][disarmed] == 0.0).all()  # the arsenal is given up
    assert (res.outcomes["warheads"][res.outcomes["final_status"] == Status.DEAL] > 0).all()


# -- the value of a breakable freeze -----------------------------------------------------------------------
FREEZE_PARAMS = {"adversary.discount": 0.9, "adversary.beyond_horizon": 0.0, "adversary.regime_survival": 1.0,
                 "adversary.arsenal": 3.0, "adversary.arsenal_reference": 1.0, "adversary.economy": 0.0,
                 "adversary.test_cost": 0.2, "adversary.negotiation_cost": 0.1,
                 "adversary.limited_conflict_cost": 15.0, "initial.delivery": 0.5,
                 "arsenal.delivery_gain_per_test": 0.2, "arsenal.nuclear_test_weight": 0.0,
                 "escalation.provocation_clash": 0.05}
BREAK_COSTS = np.array([0.0, 0.05, 0.1, 1.0])


def test_the_value_of_a_breakable_freeze_in_a_two_month_toy(toy_dir):
    """Two months, no threats, the arsenal worth 3 x delivery a month (delivery 0.5, a test closes 0.2 of the
    gap: 0.6), survival 1, no economy weight (a freeze brings nothing but the status quo), discount 0.9.
    Month 1 is worth its flow f(m) in any status (nothing after the horizon): f(0) = 2.5, f(1) = 2.8.
    Frozen in month 0 at m = 0: keep the freeze d f(0) = 2.25, or break it by a missile test
    d f(1) - test_cost - break_cost = 2.32 - b. So the target breaks iff b < 0.07, and the frozen state is
    worth f(0) + max(2.25, 2.32 - b)."""
    sc, st = load_pair(write_scenario(toy_dir, "freeze-toy", {"horizon_months": 2}, FREEZE_PARAMS),
                       write_strategy(toy_dir, {"name": "no-threats", "title": "Nothing but the status quo",
                                                "levers": quiet_levers()}))
    c = compile_model(sc, st, {"adversary.freeze_break_cost": BREAK_COSTS})
    sol = solve(c)
    g = sol.grid
    frozen, k0 = g.index(left=g.levels - 1, status=Status.FROZEN), 0
    v0 = sol.V[0][:, k0, 0, frozen]
    np.testing.assert_allclose(v0, 2.5 + np.maximum(2.25, 2.32 - BREAK_COSTS), rtol=1e-12)
    breaks = sol.policy(0)[MISSILE, :, k0, 0, frozen]
    np.testing.assert_array_equal(breaks, (BREAK_COSTS < 0.07).astype(float))
    np.testing.assert_allclose(sol.policy(0)[HOLD, :, k0, 0, frozen], 1.0 - breaks)


# -- a deadline's `unless` acts ------------------------------------------------------------------------------
def _with_unless(korea, strategies, toy_dir, unless: list[str], threshold: float | None = None):
    data = strategies["let-deterrence-fail"].model_dump(mode="json", exclude_none=True)
    data["name"] = "ldf-unless-" + "-".join(unless or ["none"]).replace("_", "-")
    data["deadlines"][0]["unless"] = unless
    if threshold is not None:
        data["deadlines"][0]["talks_progress_threshold"] = {"value": threshold, "range": [0.1, 0.5],
                                                             "assumption": True}
    return load_strategy(write_strategy(toy_dir, data), korea)


def test_a_strategy_whose_unless_differs_gives_a_different_result(korea, strategies, toy_dir):
    """let-deterrence-fail's deadline `unless: [deal, freeze]`, against `[deal]` (it strikes a frozen target)
    and `[deal, freeze, talks_progress]` (talks at 0.2 also stop it): the exact outcomes of a planner target
    (logit: it does not freeze at once, so the talks condition can matter) and the simulated base-rate shares
    both move."""
    base = _with_unless(korea, strategies, toy_dir, ["deal", "freeze"])
    variants = [_with_unless(korea, strategies, toy_dir, ["deal"]),
                _with_unless(korea, strategies, toy_dir, ["deal", "freeze", "talks_progress"], 0.2)]
    ref = np.array(list(exact_outcomes(korea, base, "logit:1").values()))
    sim = simulate(korea, base, runs=20_000, seed=5).outcome_shares()
    for v in variants:
        got = np.array(list(exact_outcomes(korea, v, "logit:1").values()))
        assert np.abs(got - ref).max() > 1e-6, v.name  # exact: no sampling error to exceed
        other = simulate(korea, v, runs=20_000, seed=5).outcome_shares()
        se = np.sqrt(sim * (1 - sim) / 20_000 + other * (1 - other) / 20_000)
        assert (np.abs(other - sim) > SE_LIMIT * np.maximum(se, 1e-4)).any(), v.name


def test_unless_talks_progress_agrees_between_the_planner_and_the_simulator(korea, strategies, toy_dir):
    """The talks condition read from the state: exact outcomes and simulated shares agree within 5 standard
    errors, for the base-rate target and for a planner target."""
    st = _with_unless(korea, strategies, toy_dir, ["deal", "freeze", "talks_progress"], 0.2)
    runs = 20_000
    for adversary in ("base-rate", "logit:1"):
        want = exact_outcomes(korea, st, adversary)
        shares = dict(zip(OUTCOMES, simulate(korea, st, runs=runs, seed=9, adversary=adversary).outcome_shares(),
                          strict=True))
        for name in OUTCOMES:
            assert within(shares[name], want[name], runs), (adversary, name, shares[name], want[name])


# -- a deal beyond the horizon keeps its feared defection ------------------------------------------------------
def test_a_deal_at_the_horizon_is_valued_with_the_defection_it_is_feared_to_carry(korea, strategies):
    """At the horizon a state's value is its flow as a perpetuity; in a deal the feared monthly defection e ends
    it in a war worth T, as within the horizon: V = f + e d T + (1 - e) d V (checked as that fixed point, and
    by hand at the point type: f = survival x deal_security + economy x deal_economy). Without e a deal made near
    the horizon was worth a safe perpetuity (13 / 0.03 = 433 against about 360 with the defection)."""
    from brinkmanship.adversary.grid import Grid
    from brinkmanship.adversary.kernel import Month
    from brinkmanship.adversary.planner import horizon_value
    from brinkmanship.engine import dynamics as dyn

    c = compile_model(korea, strategies["maximum-pressure"])
    g, paths = Grid.of(c), dyn.policy_paths(c)
    V = horizon_value(c, g, 1, paths)
    last = Month(c, g, c.horizon - 1, 1, True, paths)
    d, e = c["adversary.discount"], c["adversary.deal_defection_believed"]
    deal = np.flatnonzero(g.status == Status.DEAL)
    f = c["adversary.regime_survival"] * c["adversary.deal_security"] + c["adversary.economy"] * c["adversary.deal_economy"]
    assert f == pytest.approx(13.0)
    T = last.T_war_threat_grid[0, 0, :, deal]  # (deal states, M)
    want = (f + e * d * T) / (1 - (1 - e) * d)
    assert V[0, 0, :, deal] == pytest.approx(want, rel=1e-12)
    assert V[0, 0, :, deal] == pytest.approx(f + e * d * T + (1 - e) * d * V[0, 0, :, deal], rel=1e-12)
    assert np.all(V[0, 0, :, deal] < f / (1 - d) - 50)  # the defection costs the deal tens of months' flow
    open_ = np.flatnonzero(g.status == Status.OPEN)
    sq = V[0, 0, :, open_] * (1 - d)  # open states: the status quo's flow as a safe perpetuity
    assert np.allclose(sq, sq[:1])
