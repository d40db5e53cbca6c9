"""Property tests (hypothesis) on invariants that are theorems of the model.

* Value monotone in the horizon: with non-negative rewards (every cost zero, beyond_horizon 0) one more month
  can only add value, for the rational planner, in every state and every month (induction on the Bellman
  equation: every ending's annuity gains a non-negative term, the terminal value 0 is a lower bound).
  (Not for logit: a softmax-weighted mean is not monotone in the action values.)
* Policies are probability distributions over the available actions; responses over three responses.
* Exact outcome probabilities are probabilities: in [0, 1], summing to one, every month; absorbed mass
  never decreases.
* Solving a batch of parameter samples in one call gives what solving each sample alone gives.
* Exact and sampled outcome shares agree: 20,000 simulated runs under the same decision model, every share
  within 4.5 standard errors of the exact probability plus 5 runs' worth (shares near 0).
"""

from __future__ import annotations

import numpy as np
from adversary_helpers import availability
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.kernel import Strike
from brinkmanship.adversary.planner import solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.decision import BaseRatePolicy
from brinkmanship.engine.simulate import simulate

NAMES = ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"]
ZERO_COSTS = {f"adversary.{k}": 0.0 for k in ("strike_cost", "test_cost", "negotiation_cost", "city_cost",
                                              "limited_conflict_cost", "war_cost")}
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

names = st.sampled_from(NAMES)
decisions = st.one_of(st.just("rational"), st.floats(0.0, 50.0).map(lambda x: f"logit:{x:.3g}"))


@st.composite
def beliefs(draw, strategy):
    """Overrides of the strategy's believed and real probabilities (the misperception parameters)."""
    out = {}
    for r in strategy.rules:
        out[f"rules.{r.id}.believed"] = draw(st.floats(0.0, 1.0))
        out[f"rules.{r.id}.probability"] = draw(st.floats(0.0, 1.0))
    for d in strategy.deadlines:
        out[f"deadlines.{d.id}.believed"] = draw(st.floats(0.0, 1.0))
        out[f"deadlines.{d.id}.probability"] = draw(st.floats(0.0, 1.0))
    return out


@FAST
@given(name=names, H=st.integers(1, 9), discount=st.floats(0.8, 0.999), survival=st.floats(0.0, 20.0),
       arsenal=st.floats(0.0, 8.0), economy=st.floats(0.0, 5.0), victory=st.floats(0.0, 300.0), data=st.data())
def test_value_is_monotone_in_the_horizon(korea, strategies, name, H, discount, survival, arsenal, economy,
                                          victory, data):
    strategy = strategies[name]
    over = {**ZERO_COSTS, "adversary.beyond_horizon": 0.0, "adversary.discount": discount,
            "adversary.regime_survival": survival, "adversary.arsenal": arsenal, "adversary.economy": economy,
            "adversary.victory_value": victory, **data.draw(beliefs(strategy))}
    short = solve(compile_model(korea.model_copy(update={"horizon_months": H}), strategy, over))
    long = solve(compile_model(korea.model_copy(update={"horizon_months": H + 1}), strategy, over))
    scale = 1e-9 * (1.0 + np.abs(long.V[0]).max())
    for t in range(H + 1):
        assert (long.V[t] >= short.V[t] - scale).all(), f"month {t}: {(short.V[t] - long.V[t]).max():.3g}"
    assert (long.V[0] >= -scale).all()  # non-negative rewards


@FAST
@given(name=names, decision=decisions, discount=st.floats(0.85, 0.995), t_frac=st.floats(0.0, 1.0),
       data=st.data())
def test_policies_are_distributions_over_available_actions(korea, strategies, name, decision, discount, t_frac,
                                                          data):
    strategy = strategies[name]
    n = 3
    over = {"adversary.discount": np.linspace(discount, 0.999, n),
            "adversary.regime_survival": np.array([10.0, 2.0, 20.0]), **data.draw(beliefs(strategy))}
    c = compile_model(korea, strategy, over)
    sol = solve(c, decision)
    assert sol.n == n
    t = min(int(t_frac * c.horizon), c.horizon - 1)
    pol = sol.policy(t)
    assert pol.shape == (9, n, *sol.grid.shape)
    assert (pol >= 0).all() and (pol <= 1 + 1e-12).all()
    assert np.abs(pol.sum(axis=0) - 1).max() < 1e-9
    open_ = availability(c, sol.grid.K)[:, None, :, None, None]
    assert not pol[np.broadcast_to(~open_, pol.shape)].any(), "probability on an unavailable action"
    ev = sol.evaluator(t)
    for b in sol.month(t).action_branches(1):  # a missile test's branches: strikes when a rule fires
        if isinstance(b, Strike):
            values, _, _ = ev.response_values(b)
            sigma = sol.decision.choose(values)
            assert (sigma >= 0).all() and np.abs(sigma.sum(axis=0) - 1).max() < 1e-9


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, decision=st.one_of(st.just("base-rate"), decisions), data=st.data())
def test_exact_outcomes_are_probabilities(korea, strategies, name, decision, data):
    strategy = strategies[name]
    c = compile_model(korea, strategy, data.draw(beliefs(strategy)))
    ex = propagate(c, BaseRatePolicy() if decision == "base-rate" else solve(c, decision))
    assert ex.outcomes.shape == (1, 6)
    assert (ex.outcomes >= -1e-12).all() and (ex.outcomes <= 1 + 1e-12).all()
    assert abs(ex.outcomes.sum() - 1) < 1e-9
    assert np.abs(ex.timeline.sum(axis=2) - 1).max() < 1e-9
    conflicts = [3, 4, 5]  # a freeze or a deal can break; a conflict never ends
    assert (np.diff(ex.timeline[:, 0, conflicts], axis=0) >= -1e-12).all()  # absorbed mass only grows
    np.testing.assert_allclose(ex.timeline[-1], ex.outcomes, atol=1e-12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, decision=decisions, d1=st.floats(0.85, 0.995), d2=st.floats(0.85, 0.995),
       w=st.floats(0.0, 8.0))
def test_a_batch_solves_like_its_samples_one_by_one(korea, strategies, name, decision, d1, d2, w):
    strategy = strategies[name]
    batch = solve(compile_model(korea, strategy, {"adversary.discount": np.array([d1, d2]),
                                                  "adversary.arsenal": np.array([w, 8.0 - w])}), decision)
    for i, (d, a) in enumerate(((d1, w), (d2, 8.0 - w))):
        one = solve(compile_model(korea, strategy, {"adversary.discount": d, "adversary.arsenal": a}), decision)
        for t in (0, 5, korea.horizon_months - 1):
            np.testing.assert_allclose(batch.V[t][i], one.V[t][0], rtol=1e-10, atol=1e-9)
        np.testing.assert_allclose(batch.policy(4)[:, i], one.policy(4)[:, 0], atol=1e-9)


RUNS = 20_000


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names, decision=st.one_of(st.just("base-rate"), st.just("rational"),
                                      st.floats(0.05, 5.0).map(lambda x: f"logit:{x:.3g}")),
       seed=st.integers(0, 2**31 - 1), data=st.data())
def test_exact_and_sampled_outcome_shares_agree(korea, strategies, name, decision, seed, data):
    strategy = strategies[name]
    over = data.draw(beliefs(strategy))
    c = compile_model(korea, strategy, over)
    p = propagate(c, BaseRatePolicy() if decision == "base-rate" else solve(c, decision)).outcomes[0]
    res = simulate(korea, strategy, runs=RUNS, seed=seed, adversary=decision, overrides=over)
    share = res.outcome_shares()
    tol = 4.5 * np.sqrt(p * (1 - p) / RUNS) + 5.0 / RUNS
    assert (np.abs(share - p) <= tol).all(), (
        f"{name} {decision}: simulated {np.round(share, 4)} vs exact {np.round(p, 4)}; tolerance {np.round(tol, 4)}")
