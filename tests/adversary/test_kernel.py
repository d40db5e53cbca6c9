"""The planner's month (`adversary.kernel`) pinned by hand: talks shifts, arsenal, ending values, costs, the
deadline's hazard, every action's branches, the talks lottery and the annuity.

korea-2017 with a packaged strategy; every number a value reads is set in the test, so the expected values in
the docstrings do not depend on the scenario file.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import (
    LIMITED_O,
    NUCLEAR_O,
    WAR_O,
    End,
    Month,
    Open,
    Strike,
    annuity_from,
    col,
    mcol,
    status_quo_flow,
    talks_matrix,
)
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, CompiledDeadline, compile_model
from brinkmanship.engine.constants import Action, Event, Status, TalksMove, TargetClass
from brinkmanship.spec import load_strategy

VALUES = {
    "initial.warheads": 20.0, "arsenal.production_per_year": 9.0, "initial.delivery": 0.7,
    "arsenal.delivery_gain_per_test": 0.1, "arsenal.nuclear_test_weight": 2.0,
    "talks.setback_sanctions": 0.08, "talks.setback_missile_test": 0.03, "talks.setback_nuclear_test": 0.15,
    "talks.setback_strike": 0.2, "talks.close_probability": 0.2, "talks.withdrawal_pressure": 0.5,
    "talks.deal_threshold": 0.6,
    "war.nuclear_use_in_war": 0.3, "war.nuclear_use_regime_threatened": 0.5,
    "war.nuclear_use_without_delivery": 0.5, "china.intervention_forgotten": 0.3,
    "russia.intervention_forgotten": 0.05, "invasion.success_full_posture": 0.02,
    "invasion.success_no_posture": 0.3, "escalation.provocation_clash": 0.05,
    "escalation.counter_escalation": 0.25,
    "adversary.discount": 0.9, "adversary.beyond_horizon": 0.0, "adversary.regime_survival": 10.0,
    "adversary.arsenal": 3.0, "adversary.arsenal_reference": 60.0, "adversary.economy": 2.0,
    "adversary.war_cost": 40.0, "adversary.nuclear_war_cost_factor": 2.0, "adversary.regime_fall_war": 0.6,
    "adversary.regime_fall_nuclear_war": 0.95, "adversary.intervention_protection": 0.5,
    "adversary.victory_value": 100.0, "adversary.deal_security": 0.9, "adversary.deal_economy": 2.0,
    "adversary.limited_conflict_cost": 15.0, "adversary.strike_cost": 0.3, "adversary.city_cost": 5.0,
    "adversary.test_cost": 0.3, "adversary.negotiation_cost": 0.1,
    "adversary.freeze_break_cost": 2.0, "adversary.deal_renege_cost": 5.0, "sanctions.freeze_relief": 0.1,
    "rules.two-per-launch.probability": 0.9, "rules.two-per-launch.believed": 0.5,
    "rules.city-per-test.probability": 0.9, "rules.city-per-test.believed": 0.4,
    "posture.target": 1.0,
}


@pytest.fixture(scope="module")
def ldf(korea, strategies) -> Compiled:
    """let-deterrence-fail at full posture (so posture is 1 every month) with the numbers above."""
    fixed = korea.model_copy(update={"credibility": None})  # credibility as a fixed input (test_credibility)
    c = compile_model(fixed, load_strategy("let-deterrence-fail", fixed))
    return replace(c, posture_start=1.0, values={**c.values, **VALUES})


def month(c: Compiled, t: int, believed: bool = True, **fields) -> Month:
    c = replace(c, **fields)
    return Month(c, Grid.of(c), t, 1, believed, dyn.policy_paths(c))


def test_col_and_mcol_shapes():
    """Per-sample (n,) -> (n, 1, 1, 1); scalars pass; per-sample per-tests (n, M) -> (n, 1, M, 1)."""
    assert np.shape(col(np.arange(3.0))) == (3, 1, 1, 1) and col(2.0) == 2.0
    assert mcol(np.ones((2, 7))).shape == (2, 1, 7, 1) and mcol(np.ones(7)).shape == (1, 1, 7, 1)


def test_annuity_from():
    """d 0.9, 2 months: (1 - 0.81) / 0.1 = 1.9; plus beyond 1 x 0.81 / 0.1 = 8.1: 10. A discount of 1 is
    capped just below 1: about 2 months."""
    assert annuity_from(0.9, 2, 0.0) == pytest.approx(1.9)
    assert annuity_from(0.9, 2, 1.0) == pytest.approx(10.0)
    assert annuity_from(1.0, 2, 0.0) == pytest.approx(2.0, rel=1e-6)


def test_talks_matrix_is_the_rounding_lottery():
    """K 4, shift 1.5: 0 -> 1.5 (1 and 2, half each), 1 -> 2.5 (2, 3), 2 -> 3.5 clamped to 3, 3 -> 3.
    Shift -0.25: 0 stays, 1 -> 0.75 (0 a quarter, 1 three quarters)."""
    P = talks_matrix(1.5, 4, 1)[0]
    np.testing.assert_allclose(P, [[0, .5, .5, 0], [0, 0, .5, .5], [0, 0, 0, 1], [0, 0, 0, 1]])
    Q = talks_matrix(-0.25, 4, 1)[0]
    np.testing.assert_allclose(Q[:2], [[1, 0, 0, 0], [.25, .75, 0, 0]])
    assert talks_matrix(np.array([0.0, 1.0]), 4, 2).shape == (2, 4, 4)


def test_status_quo_flow(ldf):
    """Month 6: 20 + 9 x 6 / 12 = 24.5 warheads, 24.5 / 60 of a full arsenal; economy 0.9:
    10 + 3 x 0.408333 x 0.7 + 2 x 0.9 = 12.6575; delivery 0.8: 10 + 0.98 + 1.8 = 12.78."""
    np.testing.assert_allclose(status_quo_flow(ldf, 6, 0.9, np.array([[0.7, 0.8]])), [[12.6575, 12.78]])


@pytest.mark.parametrize("mode, missile, nuclear", [("escalate", -2.2, -4.6), ("freeze", -0.6, -3.0)])
def test_talks_shifts_in_grid_units(ldf, mode, missile, nuclear):
    """Step 0.05: a missile test 0.03 / 0.05 = 0.6 back, a nuclear test 3; under escalating sanctions each
    also brings a round of 0.08 / 0.05 = 1.6. A strike 4 back, a round 1.6. Key (missile, 1 strike, 2 rounds)
    under escalation: -2.2 - 4 - 3.2 = -9.4. Negotiation: the month's talks gain / 0.05."""
    mk = month(ldf, 0, sanctions_mode=mode)
    assert mk.base_shift[TalksMove.NONE] == 0.0
    assert mk.base_shift[TalksMove.MISSILE_SETBACK] == pytest.approx(missile)
    assert mk.base_shift[TalksMove.NUCLEAR_SETBACK] == pytest.approx(nuclear)
    assert mk.base_shift[TalksMove.GAIN] == pytest.approx(dyn.talks_gain(mk.c, 1.0) / 0.05)
    assert (mk.strike_shift, mk.sanctions_shift) == (pytest.approx(-4.0), pytest.approx(-1.6))
    assert mk.shift_of((TalksMove.MISSILE_SETBACK, 1, 2)) == pytest.approx(missile - 4.0 - 3.2)


def test_arsenal_delivery_and_nuclear_use(ldf):
    """Month 4: 23 warheads. Delivery by tests 0, 1, 2, 6: 0.7, 0.73, 0.757, 1 - 0.3 x 0.9^6 = 0.8405677.
    Nuclear use in war at 0 tests: 0.3 x 0.85 = 0.255, regime threatened 0.5 x 0.85 = 0.425."""
    mk = month(ldf, 4)
    assert mk.warheads == pytest.approx(23.0)
    np.testing.assert_allclose(mk.delivery[0, [0, 1, 2, 6]], [0.7, 0.73, 0.757, 0.8405677], rtol=1e-12)
    assert mk.delivery.shape == (1, 7)
    assert (mk.pn_free[0, 0], mk.pn_threat[0, 0]) == (pytest.approx(0.255), pytest.approx(0.425))


def test_ending_values(ldf):
    """Second-to-last month (annuity 1, beyond 0). Intervention 1 - 0.7 x 0.95 = 0.335; fall in war
    0.6 x (1 - 0.5 x 0.335) = 0.4995. Nuclear war -2 x 40 + 10 x 0.05 = -79.5; conventional
    -40 + 10 x 0.5005 = -34.995. Deal 10 x 0.9 + 2 x 2 = 13. Free war at 0 tests
    0.745 x (-34.995) + 0.255 x (-79.5) = -46.343775; threatened 0.575 x (-34.995) + 0.425 x (-79.5)
    = -53.909625. Invasion (success 0.02 at full posture; victory 100 - 40 + 10 = 70):
    0.02 x (0.745 x 70 - 0.255 x 79.5) + 0.98 x (-53.909625) = -52.1938825. Limited conflict -15 plus the
    status quo flow. A month's flow by status: open, the status quo; frozen, the status quo plus the freeze's
    share 0.1 of the deal's economic gain, 2 x 0.1 x (2 - economy); in a deal or disarmed, 13. Where the
    arsenal is given up a war is conventional: -34.995."""
    mk = month(ldf, ldf.horizon - 2)
    flow = mk.flow[0, 0]
    assert mk.T_nuclear[0, 0] == pytest.approx(-79.5)
    by_status = {int(s): mk.flow_grid[0, 0, 0, mk.grid.index(status=s)] for s in Status}
    assert by_status == {Status.OPEN: pytest.approx(flow), Status.FROZEN: pytest.approx(
        flow + 2 * 0.1 * (2 - float(mk.economy))), Status.DEAL: pytest.approx(13.0),
        Status.DISARMED: pytest.approx(13.0)}
    disarmed = mk.grid.index(status=Status.DISARMED)
    assert mk.T_war_free_grid[0, 0, 0, disarmed] == pytest.approx(-34.995)
    assert mk.T_war_threat_grid[0, 0, 0, disarmed] == pytest.approx(-34.995)
    assert mk.pn_threat_grid[0, 0, 0, disarmed] == 0.0 and mk.pn_threat_grid[0, 0, 0, 0] == pytest.approx(0.425)
    assert mk.T_war_free[0, 0] == pytest.approx(-46.343775)
    assert mk.T_war_threat[0, 0] == pytest.approx(-53.909625)
    assert mk.T_invade[0, 0] == pytest.approx(-52.1938825)
    assert mk.T_limited[0, 0] == pytest.approx(flow - 15.0)
    assert mk.flow.shape == mk.T_nuclear.shape == (1, 7)


def test_costs(ldf):
    """Tests cost 0.3 each, 2 more when they break a freeze, 5 more when they renege on a deal; a month of
    talks 0.1; per listed target 0.3, per city 5."""
    mk = month(ldf, 0)
    assert mk.action_cost[Action.NEGOTIATE] == 0.1
    for a in (Action.MISSILE_TEST, Action.NUCLEAR_TEST):
        cost = mk.action_cost[a][0, 0, 0]
        assert [cost[mk.grid.index(status=s)] for s in Status] == pytest.approx([0.3, 2.3, 5.3, 0.3])
    assert (mk.strike_cost, mk.city_cost) == (0.3, 5.0)
    assert (mk.close, mk.success, mk.clash, mk.counter, mk.delta) == (
        pytest.approx(0.2), pytest.approx(0.02), 0.05, 0.25, 0.9)


def test_deadline_hazard_believed_and_real(ldf):
    """Window months 3-5 (span 3), believed 0.6: hazard 0.2 at month 3, 0.2 / 0.8 = 0.25 at 4, 0.2 / 0.6 at 5,
    0 outside. With the real 0.9: 0.3 at month 3, 0.3 / 0.7 at 4."""
    d = CompiledDeadline("x", 3, 5, "preventive_war", -1, 0, True, True, None, "dl.p", "dl.b")
    c = replace(ldf, deadlines=(d,), values={**ldf.values, "dl.p": 0.9, "dl.b": 0.6})
    got = [month(c, t).hazard for t in (2, 3, 4, 5, 6)]
    assert got == [0.0, pytest.approx(0.2), pytest.approx(0.25), pytest.approx(1 / 3), 0.0]
    assert month(c, 3, believed=False).hazard == pytest.approx(0.3)
    assert month(c, 4, believed=False).hazard == pytest.approx(0.3 / 0.7)
    assert month(ldf, 3, deadlines=()).hazard == 0.0


def test_deadline_branches(ldf):
    """Preventive war: one ending at the threatened war's value (nuclear with 0.425 at 0 tests). Strike: three
    military targets off any list, then the response; talks untouched until absorbed (one strike setback).
    Sanctions: talks one round back; the deadline has acted."""
    war = CompiledDeadline("w", 0, 9, "preventive_war", -1, 0, True, True, None, "dl.p", "dl.b")
    strike = replace(war, response="strike", target_class=TargetClass.MILITARY, count=3)
    sanctions = replace(war, response="sanctions")
    c = replace(ldf, values={**ldf.values, "dl.p": 0.9, "dl.b": 0.6})
    [end] = month(c, 0, deadlines=(war,)).deadline_branches()
    mk = month(c, 0, deadlines=(war,))
    armed, disarmed = 0, mk.grid.index(status=Status.DISARMED)
    assert isinstance(end, End) and end.outcomes[NUCLEAR_O][0, 0, 0, armed] == pytest.approx(0.425)
    assert end.outcomes[NUCLEAR_O][0, 0, 0, disarmed] == 0.0  # the arsenal given up: a war cannot turn nuclear
    assert end.weight == 1.0
    np.testing.assert_allclose(end.value[0, 0, :, armed], mk.T_war_threat[0])
    np.testing.assert_allclose(end.value[0, 0, :, disarmed], mk.T_conventional[0])
    assert end.outcomes[WAR_O][0, 0, 0, armed] == pytest.approx(0.575)
    [s] = month(c, 0, deadlines=(strike,)).deadline_branches()
    assert isinstance(s, Strike) and s.done and s.event == Event.DEADLINE and s.listed == 0
    assert s.weight == 1.0 and s.dm == 0
    assert s.fixed.tolist() == [3, 0, 0, 0]
    assert (s.key_open, s.key_absorb) == ((TalksMove.NONE, 0, 0), (TalksMove.NONE, 1, 0))
    [o] = month(c, 0, deadlines=(sanctions,)).deadline_branches()
    assert isinstance(o, Open) and o.done and o.key == (TalksMove.NONE, 0, 1) and o.weight == 1.0
    assert month(c, 0, deadlines=()).deadline_branches() == []


def test_action_branches_of_each_action(ldf):
    """Believed rules: two listed targets per missile (0.5), a city per nuclear test (0.4). Missile test:
    per salvo size (shares 3, 1, 2, 2, 1 / 9) fired (0.5, 2 x size listed) or not; nuclear test: a city with
    0.4, tests + 2; provocation: a clash (0.05) is a limited conflict; accept: a deal with 0.2; freeze,
    invasion, nuclear use end the crisis; hold and negotiate stay open."""
    mk = month(ldf, 0)
    shares = np.array([3, 1, 2, 2, 1]) / 9
    missile = mk.action_branches(Action.MISSILE_TEST)
    assert sum(float(b.weight) for b in missile) == pytest.approx(1.0)
    struck = [b for b in missile if isinstance(b, Strike)]
    assert [b.listed for b in struck] == [2, 4, 6, 8, 10]
    np.testing.assert_allclose([b.weight for b in struck], shares * 0.5)
    assert all(b.dm == 1 and b.event == Event.MISSILE_TEST and b.key_absorb == (TalksMove.MISSILE_SETBACK, 1, 0)
               for b in struck)
    assert all(b.key == (TalksMove.MISSILE_SETBACK, 0, 0) for b in missile if isinstance(b, Open))
    calm, city = mk.action_branches(Action.NUCLEAR_TEST)
    assert (calm.weight, city.weight) == (pytest.approx(0.6), pytest.approx(0.4))
    assert city.fixed.tolist() == [0, 0, 0, 1] and city.dm == 2 and calm.dm == 2
    assert city.event == Event.NUCLEAR_TEST and calm.key == (TalksMove.NUCLEAR_SETBACK, 0, 0)
    clash, quiet = mk.action_branches(Action.PROVOCATION)
    assert clash.weight == 0.05 and clash.outcomes == {LIMITED_O: 1.0} and quiet.weight == pytest.approx(0.95)
    assert clash.value is mk.T_limited and quiet.dm == 0 and quiet.key == (TalksMove.NONE, 0, 0)
    deal, no_deal = mk.action_branches(Action.ACCEPT_DEAL)
    assert deal.weight == pytest.approx(0.2) and deal.to_status == Status.DEAL and isinstance(deal, Open)
    assert no_deal.weight == pytest.approx(0.8) and no_deal.key == (TalksMove.NONE, 0, 0) and no_deal.to_status is None
    [freeze] = mk.action_branches(Action.FREEZE)
    assert isinstance(freeze, Open) and freeze.to_status == Status.FROZEN and freeze.weight == 1.0
    assert all(b.to_status == Status.OPEN for b in mk.action_branches(Action.MISSILE_TEST))
    [invade] = mk.action_branches(Action.INVADE)
    assert invade.outcomes[NUCLEAR_O][0, 0] == pytest.approx(0.02 * 0.255 + 0.98 * 0.425)
    assert invade.outcomes[WAR_O][0, 0] == pytest.approx(1 - 0.02 * 0.255 - 0.98 * 0.425)
    assert invade.weight == 1.0 and invade.value is mk.T_invade
    [nuke] = mk.action_branches(Action.NUCLEAR_USE)
    assert nuke.outcomes == {NUCLEAR_O: 1.0} and nuke.value is mk.T_nuclear and nuke.weight == 1.0
    assert [b.weight for b in mk.action_branches(Action.HOLD) + mk.action_branches(Action.NEGOTIATE)] == [1.0, 1.0]
    assert [b.key for b in mk.action_branches(Action.HOLD)] == [(TalksMove.NONE, 0, 0)]
    assert [b.key for b in mk.action_branches(Action.NEGOTIATE)] == [(TalksMove.GAIN, 0, 0)]
    with pytest.raises(ValueError):
        mk.action_branches(99)


def test_available_actions_and_strikes_at(ldf):
    """A deal needs talks 0.6 (level 12 on); nuclear use a warhead. A strike of 6 listed targets takes 4
    military and 2 leadership from a full list (Sainte-Lague), at most what is left."""
    mk = month(ldf, 0)
    mask = mk.available()
    assert mask[Action.ACCEPT_DEAL, 0, :, 0, 0].tolist() == [False] * 12 + [True] * 9
    assert mask[Action.NUCLEAR_USE][..., mk.grid.status != Status.DISARMED].all()
    assert not mask[Action.NUCLEAR_USE][..., mk.grid.status == Status.DISARMED].any()
    assert not month(replace(ldf, values={**ldf.values, "initial.warheads": 0.5}), 0).available()[
        Action.NUCLEAR_USE].any()
    s = Strike(1.0, (TalksMove.NONE, 0, 0), (TalksMove.NONE, 1, 0), 1, 6, np.array([0, 0, 0, 1]),
               Event.MISSILE_TEST)
    listed, lead, cities = mk.strikes_at(s)
    full = mk.grid.start_index
    assert (listed[full], lead[full], cities[full]) == (6, 2, 1)
    assert listed[0] == 0 and lead[0] == 0  # an empty list


def test_event_branches_with_a_sanctions_rule_before_a_strike_rule(ldf):
    """Nuclear test answered by a sanctions round (believed 0.5) listed before the city rule (0.4): four
    branches, weights 0.5 x 0.6, 0.5 x 0.4 (city), 0.5 x 0.6 (a round), 0.5 x 0.4 (a round and a city)."""
    from brinkmanship.engine.compiled import CompiledRule

    rnd = CompiledRule("r", Event.NUCLEAR_TEST, "sanctions", -1, 1, False, -1, "p.r", "b.r")
    c = replace(ldf, rules=(rnd, *ldf.rules), values={**ldf.values, "p.r": 0.9, "b.r": 0.5})
    branches = month(c, 0).action_branches(Action.NUCLEAR_TEST)
    np.testing.assert_allclose([b.weight for b in branches], [0.3, 0.2, 0.3, 0.2])
    assert [type(b) for b in branches] == [Open, Strike, Open, Strike]
    assert [b.key[2] if isinstance(b, Open) else b.key_absorb[2] for b in branches] == [0, 0, 1, 1]
    assert branches[3].fixed.tolist() == [0, 0, 0, 1] and branches[3].key_open == (TalksMove.NUCLEAR_SETBACK, 0, 1)
    real = month(c, 0, believed=False).action_branches(Action.NUCLEAR_TEST)
    np.testing.assert_allclose([b.weight for b in real], [0.1 * 0.1, 0.1 * 0.9, 0.9 * 0.1, 0.9 * 0.9])


def test_a_batch_month_equals_its_samples_one_by_one(ldf):
    """Two parameter samples in one month give each sample's own values (shapes (n, M))."""
    two = {"adversary.war_cost": np.array([40.0, 20.0]), "initial.delivery": np.array([0.7, 0.5]),
           "adversary.regime_survival": np.array([10.0, 6.0]), "adversary.discount": np.array([0.9, 0.95]),
           "talks.close_probability": np.array([0.2, 0.4]), "adversary.nuclear_war_cost_factor": np.array([2.0, 3.0]),
           "war.nuclear_use_without_delivery": np.array([0.5, 0.25]),
           "adversary.economy": np.array([2.0, 1.0]), "adversary.regime_fall_war": np.array([0.6, 0.4]),
           "adversary.intervention_protection": np.array([0.5, 0.2]),
           "adversary.regime_fall_nuclear_war": np.array([0.95, 0.8]), "adversary.deal_security": np.array([0.9, 0.6]),
           "adversary.deal_economy": np.array([2.0, 1.5]), "adversary.limited_conflict_cost": np.array([15.0, 5.0]),
           "adversary.victory_value": np.array([100.0, 30.0]), "adversary.arsenal_reference": np.array([60.0, 20.0]),
           "adversary.arsenal": np.array([3.0, 1.0]), "adversary.beyond_horizon": np.array([0.0, 0.5]),
           "initial.warheads": np.array([20.0, 10.0]), "arsenal.production_per_year": np.array([9.0, 6.0]),
           "invasion.success_no_posture": np.array([0.3, 0.5]), "china.intervention_forgotten": np.array([0.3, 0.1]),
           "arsenal.delivery_gain_per_test": np.array([0.1, 0.05])}
    c2 = replace(ldf, values={**ldf.values, **two})
    batch = Month(c2, Grid.of(c2), 5, 2, True, dyn.policy_paths(c2))
    for i in range(2):
        ci = replace(ldf, values={**ldf.values, **{k: float(v[i]) for k, v in two.items()}})
        one = Month(ci, Grid.of(ci), 5, 1, True, dyn.policy_paths(ci))
        for name in ("flow", "delivery", "pn_free", "pn_threat", "flow_grid", "T_war_free_grid", "T_limited", "T_nuclear",
                     "T_war_free", "T_war_threat", "T_invade"):
            np.testing.assert_allclose(getattr(batch, name)[i], getattr(one, name)[0], rtol=1e-12, err_msg=name)
        assert np.ravel(batch.delta_col)[i] == one.delta_col


def test_arsenal_value_saturates_at_the_reference(ldf):
    """Reference 20 warheads: 24.5 at month 6 count as a full arsenal: 10 + 3 x 1 x 0.7 + 2 x 0.9 = 13.9."""
    c = replace(ldf, values={**ldf.values, "adversary.arsenal_reference": 20.0})
    np.testing.assert_allclose(status_quo_flow(c, 6, 0.9, np.array([[0.7]])), [[13.9]])


def test_hazard_grid_only_where_the_deadline_has_not_acted(ldf):
    """A recurring (strike) deadline: the last axis holds not acted / acted within each status; the hazard
    applies to the not-acted half only. Per-sample deal thresholds (0.6, 0.3) give each sample its own ripe levels (12 on, 6 on)."""
    d = CompiledDeadline("x", 0, 2, "strike", TargetClass.MILITARY, 3, True, True, None, "dl.p", "dl.b")
    c = replace(ldf, deadlines=(d,), values={**ldf.values, "dl.p": 0.9, "dl.b": 0.6})
    mk = month(c, 0)
    h = np.broadcast_to(mk.hazard_grid, (1, 1, 1, mk.grid.R))[0, 0, 0]
    levels = mk.grid.levels
    np.testing.assert_allclose(h, ([0.2] * levels + [0.0] * levels) * len(Status))
    assert month(ldf, 0, deadlines=()).hazard_grid == 0.0
    c2 = replace(ldf, values={**ldf.values, "talks.deal_threshold": np.array([0.6, 0.3])})
    mask = Month(c2, Grid.of(c2), 0, 2, True, dyn.policy_paths(c2)).available()
    assert mask.shape[1] == 2
    assert mask[Action.ACCEPT_DEAL, 0, :, 0, 0].sum() == 9 and mask[Action.ACCEPT_DEAL, 1, :, 0, 0].sum() == 15
