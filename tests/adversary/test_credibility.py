"""Credibility as a learned belief (issue 10 point 2): Bayes' rule, a prior that cannot learn, one model.

- the formulas of `engine.belief` against hand computations;
- a degenerate prior (0 or 1) gives bit for bit the model with credibility fixed at what that prior
  implies (p for a resolute coercer, the bluff for a bluffing one): planner values, exact outcomes and
  simulated runs;
- Bayes' rule: after k executions and m non-executions the simulated belief is the closed form;
- with learning on, the exact propagation and the simulator (stochastic rounding drawn from the run's
  stream) agree within 5 standard errors.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from adversary_helpers import TestAndAbsorb

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.planner import solve
from brinkmanship.engine import belief
from brinkmanship.engine.chunk import K_MONTH_FIXED, Chunk
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import MISSILE, OUTCOMES
from brinkmanship.engine.simulate import simulate, stream_sizes
from brinkmanship.engine.streams import Streams
from brinkmanship.spec import load_strategy

STRATEGY = "let-deterrence-fail"  # two rules and a deadline, each with a prior strictly between 0 and 1
ITEMS = ("rules.two-per-launch", "rules.city-per-test", "deadlines.congressional-decision")
TESTING = {"adversary.arsenal": 8.0, "adversary.test_cost": 0.0}  # a target that tests, so rules trigger


# -- the formulas ---------------------------------------------------------------------------------------
def test_posterior_by_hand():
    # prior 0.5, one execution with p = 0.9, b = 0.1: odds 1 x 9 -> 0.9
    assert belief.posterior(0.5, belief.evidence(True, 0.9, 0.1)) == pytest.approx(0.9, abs=1e-12)
    # prior 0.2, one non-execution: odds 0.25 x (0.1 / 0.9) = 1/36 -> 1/37
    assert belief.posterior(0.2, belief.evidence(False, 0.9, 0.1)) == pytest.approx(1 / 37, abs=1e-12)
    assert belief.posterior(1.0, -50.0) == 1.0 and belief.posterior(0.0, 50.0) == 0.0  # certainty stays
    assert belief.believed_execution(0.25, 0.8, 0.04) == pytest.approx(0.25 * 0.8 + 0.75 * 0.04)
    assert belief.posterior_after(0.3, 0.9, 0.05, 2, 1) == pytest.approx(
        0.3 * 0.81 * 0.1 / (0.3 * 0.81 * 0.1 + 0.7 * 0.0025 * 0.95), abs=1e-12)


def test_deadline_quiet_months_telescope():
    # months without action multiply to (1 - p k / span) for each type: the one-line closed form
    p, b, first, last = 0.5, 0.05, 3, 14
    total = sum(belief.evidence(False, belief.deadline_hazard(p, t, first, last),
                                belief.deadline_hazard(b, t, first, last)) for t in range(first, first + 7))
    assert total == pytest.approx(belief.skipped_deadline_evidence(p, b, first + 7, first, last), abs=1e-12)
    assert total == pytest.approx(np.log((1 - p * 7 / 12) / (1 - b * 7 / 12)), abs=1e-12)


def test_stochastic_rounding_keeps_the_mean():
    lo, hi, frac = belief.round_split(np.array([2, 2, 0, 4]), np.array([0.3, -1.25, -0.5, 0.7]), 5)
    np.testing.assert_array_equal(lo, [2, 0, 0, 4])
    np.testing.assert_array_equal(hi, [3, 1, 1, 4])
    np.testing.assert_allclose(frac, [0.3, 0.75, 0.0, 0.0])  # clipped at both ends
    u = np.random.default_rng(1).random(200_000)
    drawn = belief.round_draw(np.full(u.size, 2), 0.3, 5, u)
    assert abs(drawn.mean() - 2.3) < 0.005


def test_evidence_factor_is_outermost_and_collapses(korea, strategies):
    c = compile_model(korea, strategies[STRATEGY])
    g = Grid.of(c)
    assert g.B == korea.credibility.levels and g.R == g.B * g.evidence_block
    np.testing.assert_array_equal(g.evidence, np.repeat(np.arange(g.B), g.evidence_block))
    assert g.evidence_block == g.S * g.status_block  # outside the status factor
    assert g.index(evidence=g.evidence, status=g.status, left=g.level_of(g.left), done=g.done).tolist() == list(
        range(g.R))
    assert g.evidence[g.start_index] == (g.B - 1) // 2
    for prior in (0.0, 1.0):  # nothing to learn: the factor has size 1
        sure = compile_model(korea, strategies[STRATEGY], {f"{i}.believed": prior for i in ITEMS})
        assert Grid.of(sure).B == 1
    assert Grid.of(compile_model(korea, strategies["maximum-pressure"])).B == 1  # no rules
    assert Grid.of(compile_model(korea, strategies["limited-strike"])).B == 1  # a deadline alone: no factor
    # rules the target is sure of still tell the types apart, so a deadline's uncertain prior keeps the factor
    sure_rules = compile_model(korea, strategies[STRATEGY], {f"{i}.believed": 1.0 for i in ITEMS[:2]})
    assert Grid.of(sure_rules).B == korea.credibility.levels


# -- a degenerate prior is the model with fixed credibility -------------------------------------------
@pytest.mark.parametrize("prior", [0.0, 1.0])
def test_degenerate_prior_is_fixed_credibility_bit_for_bit(korea, strategies, prior):
    strategy = strategies[STRATEGY]
    learned = compile_model(korea, strategy, {**TESTING, **{f"{i}.believed": prior for i in ITEMS}})
    fixed_sc = korea.model_copy(update={"credibility": None})  # credibility as a fixed input
    implied = {f"{i}.believed": learned[f"{i}.probability"] if prior == 1.0 else learned[f"{i}.bluff"]
               for i in ITEMS}
    fixed = compile_model(fixed_sc, load_strategy(STRATEGY, fixed_sc), {**TESTING, **implied})
    assert fixed.credibility_levels == 0 and learned.credibility_levels > 0
    a, b = solve(learned), solve(fixed)
    for t in range(learned.horizon + 1):
        np.testing.assert_array_equal(a.V[t], b.V[t])
    ea, eb = propagate(learned, a), propagate(fixed, b)
    np.testing.assert_array_equal(ea.outcomes, eb.outcomes)
    np.testing.assert_array_equal(ea.timeline, eb.timeline)
    kw = {"runs": 3000, "seed": 7, "adversary": "rational"}
    sa = simulate(korea, strategy, overrides={**TESTING, **{f"{i}.believed": prior for i in ITEMS}}, **kw)
    sb = simulate(fixed_sc, load_strategy(STRATEGY, fixed_sc), overrides={**TESTING, **implied}, **kw)
    for k in sa.outcomes:
        np.testing.assert_array_equal(sa.outcomes[k], sb.outcomes[k])


# -- Bayes' rule in the simulator ------------------------------------------------------------------------

def test_simulated_belief_is_bayes_closed_form(korea, strategies):
    """After k executions and m non-executions of a rule the run's posterior is the binomial closed form;
    k is counted from the run's own uniforms, drawn again apart from the simulator."""
    p, b, prior = 0.6, 0.1, 0.35
    over = {"rules.two-per-launch.probability": p, "rules.two-per-launch.bluff": b,
            "rules.two-per-launch.believed": prior, "rules.city-per-test.believed": 0.0}
    strategy = _with_bluff(strategies[STRATEGY].model_copy(update={"deadlines": []}))
    runs, H = 4000, 8
    c = replace(compile_model(korea, strategy, over), horizon=H)
    ch = Chunk(c, TestAndAbsorb(), Streams(11, 0, runs, *stream_sizes(c)))
    again = Streams(11, 0, runs, *stream_sizes(c))
    k = np.zeros(runs, dtype=np.int64)
    for t in range(H):
        ch.step(t)
        k += again.month()[K_MONTH_FIXED + 0] < p  # rule 0 answers every month's test
    assert not ch.compacted and (ch.action_counts[:, MISSILE] == runs).all()  # every run tested every month
    m = H - k
    want = belief.posterior_after(prior, p, b, k, m)
    np.testing.assert_allclose(belief.posterior(prior, ch.llr), want, rtol=0, atol=1e-12)
    assert len(np.unique(k)) > 3  # the runs' histories differ


def _with_bluff(strategy):
    """The strategy with a per-rule `bluff` on its first rule (so the override above has a parameter)."""
    rules = list(strategy.rules)
    first = rules[0].model_copy(update={"bluff": rules[0].probability.model_copy(update={"value": 0.1})})
    return strategy.model_copy(update={"rules": [first, *rules[1:]]})


# -- one model: exact and simulated agree with learning on ------------------------------------------------
@pytest.mark.parametrize("step", [1.5, 2.5])  # 2.5: the rules' evidence falls between levels (rounding acts)
def test_exact_and_simulated_agree_with_learning(korea, strategies, step):
    strategy = strategies[STRATEGY]
    over = {**TESTING, "credibility.step": step}
    c = compile_model(korea, strategy, over)
    assert Grid.of(c).B > 1
    sol = solve(c)
    exact = propagate(c, sol)
    assert np.nanmax(exact.credibility[:, 0]) - np.nanmin(exact.credibility[:, 0]) > 0.15  # belief moves
    runs = 20_000
    res = simulate(korea, strategy, runs=runs, seed=2017, adversary="rational", overrides=over)
    counts = np.bincount(res.outcomes["outcome"], minlength=len(OUTCOMES))
    p = exact.outcomes[0]
    se = np.sqrt(np.maximum(p * (1 - p), 1e-4) / runs)
    assert (np.abs(counts / runs - p) <= 5 * se).all(), (counts / runs, p)
    tally = res.timeline["credibility"]
    open_t = tally["open"] > 1000
    cred = tally["on_levels"][open_t]
    se_c = np.sqrt(0.25 / tally["open"][open_t])
    assert (np.abs(cred - exact.credibility[open_t, 0]) <= 5 * se_c).all()


def test_learned_runs_do_not_depend_on_the_chunking(korea, strategies):
    """The rounding uniforms come from the run's own stream: chunk size changes nothing."""
    kw = {"runs": 3000, "seed": 5, "adversary": "rational", "overrides": {**TESTING, "credibility.step": 2.5}}
    a = simulate(korea, strategies[STRATEGY], chunk_size=700, **kw)
    b = simulate(korea, strategies[STRATEGY], chunk_size=3000, **kw)
    for k in a.outcomes:
        np.testing.assert_array_equal(a.outcomes[k], b.outcomes[k])
    np.testing.assert_array_equal(a.timeline["credibility"]["exact"], b.timeline["credibility"]["exact"])


# -- the credibility sweep: where a strategy's rank changes --------------------------------------------
def test_crossings_by_hand():
    from brinkmanship._api.credibility import crossings

    grid = np.array([0.0, 0.5, 1.0])
    score = np.array([[0.2, 0.4, 0.9],   # a: behind b until their lines cross at 0.5 + 0.5 x 0.1 / 0.4 = 0.625
                      [0.5, 0.5, 0.6],   # b
                      [0.2, 0.2, 0.2]])  # c: tied with a at 0, behind from then on
    got = crossings(grid, score, 0, ["a", "b", "c"])
    assert got == [{"at": 0.0, "other": "c", "above": "ahead"}, {"at": 0.625, "other": "b", "above": "ahead"}]
    assert crossings(grid, score, 1, ["a", "b", "c"]) == [{"at": 0.625, "other": "a", "above": "behind"}]


def test_sweep_in_compare_json(korea, strategies):
    from brinkmanship._api.credibility import credibility_sweep
    from brinkmanship.engine.decision import Adversary

    sts = [strategies[STRATEGY], strategies["maximum-pressure"]]
    out = credibility_sweep(korea, sts, Adversary.parse("rational"), 3)
    assert out["prior_credibility"] == [0.0, 0.5, 1.0]
    flat = out["strategies"]["maximum-pressure"]["settled"]
    assert flat[0] == flat[1] == flat[2]  # no rules or deadlines: the prior changes nothing
    for row in out["strategies"].values():
        assert len(row["rank"]) == 3 and all(1 <= r <= 2 for r in row["rank"])
