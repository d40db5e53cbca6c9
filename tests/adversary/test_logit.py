"""Bounded rationality: logit with a very large precision is the rational planner; precision 0 is uniform.

The limit of logit splits every tie evenly; the rational target does so too except that entering a freeze or
accepting a deal needs a strict gain (`planner.COMMITMENTS`), so where such a tie is reached the limit is the
rational planner without that rule (`even_split`), and the rational target keeps its status there.
"""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary import planner
from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import Decision, solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import N_ACTIONS
from brinkmanship.engine.decision import available_actions

NAMES = ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"]
GAP = 1e-3  # a state is "without ties" when the best action beats the second by more than this
BIG_LAMBDA = 1e6  # exp(-1e6 * 1e-3) = exp(-1000): the logit puts nothing off the argmax there


class Uniform:
    """Every available action and every response equally likely (an independent lambda = 0 adversary)."""

    name = "uniform"

    def action_probabilities(self, c, obs):
        mask = available_actions(c, obs).astype(float)
        return mask / mask.sum(axis=0)

    def response_probabilities(self, c, obs, strikes):
        return np.full((3, strikes.total.shape[0]), 1.0 / 3.0)


def even_split(c):
    """The rational planner with every tie split evenly, commitments too: the limit of logit as lambda grows."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(planner, "COMMITMENTS", ())
        return solve(c, "rational")  # one sample: every month's policy is kept by the solve, under the patch


@pytest.fixture(scope="module")
def solved(korea, strategies):
    out = {}
    for name in NAMES:
        c = compile_model(korea, strategies[name])
        out[name] = (c, solve(c, "rational"), solve(c, f"logit:{BIG_LAMBDA:g}"), solve(c, "logit:0"))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_large_lambda_policy_equals_rational_where_there_is_no_tie(solved, name):
    c, rational, logit, _ = solved[name]
    untied_total = 0
    for t in (0, 3, 4, 10, 20, c.horizon - 1):
        mv = rational.evaluator(t).month_values()
        Q = np.where(mv.mask, mv.Q, -np.inf)
        top2 = np.sort(Q, axis=0)[-2:]
        untied = (top2[1] - top2[0]) > GAP
        untied_total += untied.sum()
        pr, pl = rational.policy(t), logit.policy(t)
        assert np.abs(pr - pl)[:, untied].max() < 1e-9, f"month {t}"
        # and the planner's values agree: the logit mean differs from the max only by near-ties
        np.testing.assert_allclose(logit.V[t], rational.V[t], rtol=0, atol=1e-4)
    assert untied_total > 0.5 * 6 * rational.grid.size  # most states are untied: the check is not empty


@pytest.mark.parametrize("name", NAMES)
def test_large_lambda_exact_outcomes_equal_rational(solved, name):
    c, rational, logit, _ = solved[name]
    er, el = propagate(c, even_split(c)), propagate(c, logit)
    np.testing.assert_allclose(el.outcomes, er.outcomes, atol=1e-6)
    np.testing.assert_allclose(el.timeline, er.timeline, atol=1e-6)
    strict = propagate(c, rational).outcomes  # the rational target: no more freezes than the even split
    assert strict[0, 1] <= er.outcomes[0, 1] + 1e-12


@pytest.mark.parametrize("name", ["let-deterrence-fail", "limited-strike"])
def test_logit_approaches_rational_as_lambda_grows(korea, strategies, solved, name):
    c, _, _, _ = solved[name]
    er = propagate(c, even_split(c)).outcomes
    dist = [np.abs(propagate(c, solve(c, f"logit:{lam:g}")).outcomes - er).sum() for lam in (0.1, 1e4)]
    assert dist[-1] < 1e-6
    assert dist[0] >= dist[-1]


@pytest.mark.parametrize("name", NAMES)
def test_lambda_zero_is_uniform_over_available_actions(solved, name):
    c, _, _, zero = solved[name]
    for t in (0, 4, c.horizon - 1):
        pol = zero.policy(t)
        mask = np.broadcast_to(zero.month(t).available(), pol.shape)
        # independently: a deal needs talks at the threshold, every other action is open (warheads >= 1) when
        # the crisis is open; frozen: no second freeze; in a deal: hold, test (renege), provoke, invade, use;
        # disarmed: hold or provoke
        k_ripe = np.arange(zero.grid.K) * 0.05 >= float(c["talks.deal_threshold"]) - 1e-9
        by_status = {0: range(9), 1: (0, 1, 2, 3, 4, 5, 7, 8), 2: (0, 1, 2, 3, 7, 8), 3: (0, 3)}
        st = zero.grid.status
        want = np.zeros((N_ACTIONS, zero.grid.K, zero.grid.R), dtype=bool)
        for s, acts in by_status.items():
            for a in acts:
                want[a][:, st == s] = True
        want[5] &= k_ripe[:, None]
        assert (mask == want[:, None, :, None, :]).all()
        uniform = mask / mask.sum(axis=0)
        np.testing.assert_allclose(pol, uniform, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_lambda_zero_outcomes_equal_an_independent_uniform_adversary(solved, name):
    """The planner path (values ignored at lambda 0, responses uniform too) against a plain decision model."""
    c, _, _, zero = solved[name]
    np.testing.assert_allclose(propagate(c, zero).outcomes, propagate(c, Uniform()).outcomes, atol=1e-12)


def test_decision_choose_limits():
    Q = np.array([[1.0, 0.0], [0.5, 0.0], [0.2, 5.0]])
    mask = np.array([[True, True], [True, True], [True, False]])
    np.testing.assert_allclose(Decision("logit", 0.0).choose(Q, mask), [[1 / 3, 0.5], [1 / 3, 0.5], [1 / 3, 0]])
    np.testing.assert_allclose(Decision("logit", 1e9).choose(Q, mask), Decision().choose(Q, mask), atol=1e-300)
    np.testing.assert_allclose(Decision().choose(Q, mask), [[1, 0.5], [0, 0.5], [0, 0]])
    assert Decision.parse("logit:0") == Decision("logit", 0.0)
    assert Decision.parse("rational") == Decision()
