"""The strategic coercer: equal to the committed one when carrying out is always best, the credibility of
`city-per-test` against its closed form, and the threat that leaves something to chance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from brinkmanship.adversary.coercer import equilibrium
from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import solve
from brinkmanship.audit.credibility import verdict
from brinkmanship.engine.compiled import compile_model
from brinkmanship.spec import load_scenario, load_strategy

CITY = "city-per-test"


@pytest.fixture(scope="module")
def scenario():
    # credibility as a fixed input: the strategic coercer's equilibrium belief is its own strategy, and the
    # committed model it is checked against must not learn either (learned credibility: test_credibility)
    return load_scenario("korea-2017").model_copy(update={"credibility": None})


def _unstoppable(st):
    """The strategy with deadlines that act whatever the target's status: with `unless: [deal, freeze]` the
    rational target freezes at once to shield itself, and no threat is ever tested (tests/adversary/test_endings
    covers the conditions); here the threats must decide."""
    return st.model_copy(update={"deadlines": [d.model_copy(update={"unless": []}) for d in st.deadlines]})


def _consistent(st):
    """The strategy with each threat believed exactly as declared (the committed coercer's consistent belief)."""
    rules = [r.model_copy(update={"believed": r.probability}) for r in st.rules]
    dls = [d.model_copy(update={"believed": d.probability}) for d in st.deadlines]
    return st.model_copy(update={"rules": rules, "deadlines": dls})


def test_strategic_equals_committed_when_carrying_out_is_always_best(scenario):
    st = _consistent(load_strategy("let-deterrence-fail"))
    c = compile_model(scenario, st, {"coercer.reputation_value": 1e4})  # carrying out always pays
    eq = equilibrium(c)
    committed = propagate(c, solve(c)).outcomes
    assert np.array_equal(eq.outcomes, committed)  # bit for bit
    for th in eq.threats:
        assert np.array_equal(eq.execution[th.id], eq.declared[th.id])
    assert eq.converged and not eq.several.any()


def test_a_costly_threat_is_not_carried_out_and_the_outcome_moves(scenario):
    st = _unstoppable(_consistent(load_strategy("let-deterrence-fail")))
    c = compile_model(scenario, st, {"coercer.reputation_value": 0.0, "coercer.audience_cost": 0.0})
    eq = equilibrium(c)
    assert eq.execution[CITY][0] == 0.0 and eq.execution["congressional-decision"][0] == 0.0
    committed = propagate(c, solve(c)).outcomes
    assert not np.array_equal(eq.outcomes, committed)


def _one_month(scenario):
    return scenario.model_copy(update={"horizon_months": 1})


def closed_form_threshold(scenario, st) -> float:
    """The audience cost above which a coercer carries out `city-per-test` in the last month, when the target
    absorbs the strike (checked below): the strike's own cost (its deaths at the enemy-civilian weight and the
    strike's cost) minus the reputation it buys; the rest of the crisis is the same either way."""
    co, war = scenario.coercer, scenario.war
    rule = next(r for r in st.rules if r.id == CITY)
    cost = rule.count * (co.strike_cost.value + co.life_cost.value / 1000 * co.enemy_civilian_weight.value
                         * war.civilian_deaths_per_city.value)
    return cost - co.reputation_value.value


def _verdict(scenario, st, audience: float, extra: dict | None = None) -> str:
    c = compile_model(scenario, st, {"coercer.audience_cost": audience, **(extra or {})})
    eq = equilibrium(c)
    co = scenario.coercer
    return verdict(float(eq.declared[CITY][0]), float(eq.execution[CITY][0]), co.credible_at.value,
                   co.partly_credible_at.value)


def test_city_per_test_is_not_credible_without_audience_cost(scenario):
    st = load_strategy("let-deterrence-fail")
    assert _verdict(scenario, st, 0.0) == "not credible"


def test_the_audience_cost_threshold_matches_the_closed_form(scenario):
    sc, st = _one_month(scenario), load_strategy("let-deterrence-fail")
    star = closed_form_threshold(sc, st)
    assert star > 0  # with no audience cost the threat is not carried out
    assert _verdict(sc, st, 0.0) == "not credible"
    lo, hi = 0.0, 4 * star
    assert _verdict(sc, st, hi) == "credible"
    for _ in range(30):  # move the audience cost until the verdict changes
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _verdict(sc, st, mid) == "not credible" else (lo, mid)
    assert abs(hi - star) < 1e-6


@settings(max_examples=8, deadline=None)
@given(deaths=hs.floats(3000, 100000), reputation=hs.floats(0.0, 20.0), audience=hs.floats(0.0, 20.0))
def test_city_verdict_follows_the_closed_form_over_the_ranges(deaths, reputation, audience):
    # credibility as a fixed input, as in the closed form (a full unit of reputation per execution; with a
    # learned belief the Bayes move is smaller: e.g. 3,000 dead, reputation 1, no audience cost is then not
    # credible, on main as here)
    sc = _one_month(load_scenario("korea-2017").model_copy(update={"credibility": None}))
    st = load_strategy("let-deterrence-fail")
    extra = {"war.civilian_deaths_per_city": deaths, "coercer.reputation_value": reputation}
    co = sc.coercer
    star = (co.strike_cost.value + co.life_cost.value / 1000 * co.enemy_civilian_weight.value * deaths) - reputation
    if abs(audience - star) < 1e-6:
        return  # a tie: the coercer is indifferent
    want = "credible" if audience > star else "not credible"
    assert _verdict(sc, st, audience, extra) == want


def test_a_lottery_is_carried_out_at_its_chance_whatever_the_coercer_prefers(scenario):
    st = load_strategy("let-deterrence-fail")
    c = compile_model(scenario, st, {"coercer.audience_cost": 0.0, f"rules.{CITY}.chance": 0.3})
    eq = equilibrium(c)
    assert eq.execution[CITY][0] == pytest.approx(0.3)


def test_types_are_solved_in_one_batch_and_match_one_by_one(scenario):
    st = load_strategy("limited-strike")
    values = np.array([0.5, 3.0, 12.0])
    batch = equilibrium(compile_model(scenario, st, {"coercer.reputation_value": values,
                                                     "adversary.discount": np.array([0.95, 0.97, 0.99])}))
    for i, (v, d) in enumerate(zip(values, [0.95, 0.97, 0.99], strict=True)):
        one = equilibrium(compile_model(scenario, st, {"coercer.reputation_value": v, "adversary.discount": d}))
        assert np.allclose(batch.outcomes[i], one.outcomes[0], atol=1e-12)
        assert batch.execution["bloody-nose"][i] == pytest.approx(one.execution["bloody-nose"][0])


def test_explain_answers_the_equilibrium():
    import brinkmanship as bk

    committed = bk.explain("korea-2017", "let-deterrence-fail", margins=False).to_json()
    strategic = bk.explain("korea-2017", "let-deterrence-fail", margins=False, coercer="strategic").to_json()
    assert "coercer" not in committed
    verdicts = {t["rule"]: t["verdict"] for t in strategic["coercer"]["threats"]}
    assert verdicts["city-per-test"] == "not credible"
    assert strategic["policy_by_month"] != committed["policy_by_month"]  # the target answers other beliefs


# A prior type of the rational target (type 1 of the 64-type Sobol set, in the model with the freeze relief as
# the strategy's lever) against which the coercer's best responses to `limited-strike` alternate: no pure
# equilibrium; the iteration must say so rather than pick one.
CYCLING_TYPE = {
    "adversary.discount": 0.9897606912162155, "adversary.beyond_horizon": 0.38400824926793575,
    "adversary.regime_survival": 16.288337484002113, "adversary.arsenal": 0.8475121185183525,
    "adversary.arsenal_reference": 72.63382349163294, "adversary.economy": 1.1984443245455623,
    "adversary.strike_cost": 0.5574753427878022, "adversary.test_cost": 1.3619696320965886,
    "adversary.negotiation_cost": 0.32876930106431246, "adversary.city_cost": 1.844536886550486,
    "adversary.limited_conflict_cost": 36.88554388470948, "adversary.war_cost": 89.91332677192986,
    "adversary.nuclear_war_cost_factor": 2.819251710548997, "adversary.regime_fall_war": 0.5062328277155757,
    "adversary.regime_fall_nuclear_war": 0.8395660744979978,
    "adversary.intervention_protection": 0.7631327487528325, "adversary.victory_value": 189.97220629826188,
    "adversary.deal_security": 0.8888460104353726, "adversary.deal_economy": 1.97202842310071,
    "adversary.freeze_break_cost": 2.416685177013278, "adversary.deal_renege_cost": 11.156614366918802,
    "adversary.deal_defection_believed": 0.04352146866731346,
}


def test_a_cycle_of_best_responses_is_reported(scenario):
    from brinkmanship._api.coercer import convergence
    from brinkmanship.adversary.coercer import MAX_ITERATIONS

    eq = equilibrium(compile_model(scenario, load_strategy("limited-strike"), CYCLING_TYPE))
    assert all(s.cycling[0] and not s.converged for s in eq.starts)
    assert all(s.iterations < MAX_ITERATIONS for s in eq.starts)  # stopped by the cycle, not by the cap
    assert "cycle" in convergence(eq)["note"]
