"""Commitment needs a strict gain: the rational target enters a freeze or accepts a deal only when that beats,
beyond the tie tolerance, the best action that commits to nothing; other ties still split evenly.

Without the rule a freeze worth exactly what holding is worth (no relief offered, delivery proven so that
testing buys nothing) was chosen half the time every month, and the mass drifted into the freeze.
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import load_pair, quiet_levers, write_scenario, write_strategy

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import COMMITMENTS, Decision, best_options, solve, unpack_policy
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import ACCEPT, FREEZE_ACT, HOLD, N_ACTIONS, NEGOTIATE, Status

H = 12


def q_of(values: dict[int, float]) -> np.ndarray:
    """(A, 1) action values: the given ones, every other action far below."""
    Q = np.full((N_ACTIONS, 1), -100.0)
    for a, v in values.items():
        Q[a, 0] = v
    return Q


def test_best_options_give_ties_to_the_action_that_commits_to_nothing():
    tied = best_options(q_of({HOLD: 1.0, FREEZE_ACT: 1.0, ACCEPT: 1.0}), COMMITMENTS)[:, 0]
    assert tied.tolist() == [a == HOLD for a in range(N_ACTIONS)]
    gain = best_options(q_of({HOLD: 1.0, FREEZE_ACT: 1.0 + 1e-6}), COMMITMENTS)[:, 0]  # beyond the tolerance
    assert gain.tolist() == [a == FREEZE_ACT for a in range(N_ACTIONS)]
    within = best_options(q_of({HOLD: 1.0, FREEZE_ACT: 1.0 + 1e-10}), COMMITMENTS)[:, 0]  # inside it: a tie
    assert within.tolist() == [a == HOLD for a in range(N_ACTIONS)]
    both = best_options(q_of({FREEZE_ACT: 2.0, ACCEPT: 2.0, HOLD: 1.0}), COMMITMENTS)[:, 0]  # two commitments
    assert both.tolist() == [a in (FREEZE_ACT, ACCEPT) for a in range(N_ACTIONS)]
    free = best_options(q_of({HOLD: 1.0, NEGOTIATE: 1.0, FREEZE_ACT: 1.0}), COMMITMENTS)[:, 0]  # others split
    assert free.tolist() == [a in (HOLD, NEGOTIATE) for a in range(N_ACTIONS)]
    # without the commitments the old rule splits the three-way tie evenly
    assert Decision().choose(q_of({HOLD: 1.0, FREEZE_ACT: 1.0, ACCEPT: 1.0}))[[HOLD, FREEZE_ACT, ACCEPT], 0] \
        == pytest.approx([1 / 3] * 3)


def test_a_logit_target_is_unchanged():
    Q = np.random.default_rng(1).normal(size=(N_ACTIONS, 5))
    logit = Decision("logit", 2.0)
    assert np.array_equal(logit.choose(Q, None, COMMITMENTS), logit.choose(Q))


@pytest.fixture(scope="module")
def no_relief(toy_dir):
    """korea-2017 over H months against a coercer with no rules or deadlines that offers nothing for a freeze:
    a freeze is worth exactly holding once delivery is proven."""
    sc, st = load_pair(write_scenario(toy_dir, "commit-toy", {"horizon_months": H}),
                       write_strategy(toy_dir, {"name": "no-relief", "title": "Nothing for a freeze",
                                                "levers": quiet_levers()}))
    c = compile_model(sc, st)
    assert c["sanctions.freeze_relief"] == 0.0
    return sc, st, c


def test_with_no_relief_and_delivery_proven_the_rational_target_does_not_drift_into_a_freeze(no_relief):
    _, _, c = no_relief
    sol = solve(c)
    g = sol.grid
    open_states = g.status == Status.OPEN
    for t in range(H):
        ev = sol.evaluator(t)
        Q = ev.month_values().Q[:, 0, :, g.M - 1][..., open_states]  # delivery proven (the top tests level)
        hold, freeze = Q[HOLD], Q[FREEZE_ACT]
        assert freeze == pytest.approx(hold, rel=1e-9)  # a tie: the freeze earns nothing over holding
        pi = sol.policy(t)[:, 0, :, g.M - 1][..., open_states]
        assert np.all(pi[FREEZE_ACT] == 0.0), t  # ... and the tie goes to holding
    assert propagate(c, sol).as_dict()["freeze"] == 0.0


def test_the_packed_policy_of_many_samples_reads_the_same_rule(no_relief):
    """Two samples solve with the rational policy packed as bits (`gathers.month_choice`), which the exact propagation
    and the fused kernel's tables read: no freeze either."""
    sc, st, _ = no_relief
    c2 = compile_model(sc, st, {"adversary.test_cost": np.array([0.3, 0.3])})
    sol = solve(c2)
    assert sol.settings["_packed"]
    g = sol.grid
    for t in range(H):
        pi = unpack_policy(sol.settings["_packed"][t])
        assert not pi[FREEZE_ACT][:, :, g.M - 1][..., g.status == Status.OPEN].any(), t
    assert np.all(propagate(c2, sol).outcomes[:, 1] == 0.0)
