"""The exact propagation reuses the backward pass's choices (policy and responses after strikes, kept as
bits) instead of rebuilding each month's values, and gets the same bits as recomputing them."""

from __future__ import annotations

import numpy as np

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import Solution, chosen_options, pack_policy, solve, unpack_policy
from brinkmanship.engine.compiled import compile_model
from brinkmanship.spec import load_strategy

N = 4


def _compiled(korea, name):
    st = load_strategy(name, korea)
    rng = np.random.default_rng(3)
    overrides = {"adversary.discount": rng.uniform(0.9, 0.99, N), "adversary.war_cost": rng.uniform(20, 60, N),
                 "credibility.step": rng.uniform(1.0, 2.0, N)}
    return compile_model(korea, st, overrides)


def test_forward_pass_builds_no_month_values_and_matches_recomputing_them(korea, monkeypatch):
    c = _compiled(korea, "let-deterrence-fail")
    sol = solve(c, "rational")
    assert sol.settings["_responses"] and sol.settings["_packed"]  # kept by backward induction

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the forward pass rebuilt a month's values")

    with monkeypatch.context() as m:
        m.setattr(Solution, "evaluator", no_rebuild)
        reused = propagate(c, sol)
    # without the kept responses and policies the forward pass rebuilds them from the values: same bits
    rebuilt = Solution(c=c, grid=sol.grid, decision=sol.decision, n=sol.n, V=sol.V,
                       settings={**sol.settings, "_responses": {}, "_packed": {}, "_policies": {}})
    again = propagate(c, rebuilt)
    assert np.array_equal(reused.outcomes, again.outcomes)
    assert np.array_equal(reused.actions, again.actions)
    assert np.allclose(reused.outcomes.sum(axis=1), 1.0)


def test_packed_choices_unpack_to_the_policy_they_came_from():
    rng = np.random.default_rng(0)
    top = rng.random((9, 3, 5)) < 0.3
    top[rng.integers(0, 9, (3, 5)), np.arange(3)[:, None], np.arange(5)[None, :]] = True  # each state chooses
    policy = top / top.sum(axis=0)
    bits = pack_policy(policy)
    assert np.array_equal(unpack_policy(bits), policy)
    shares = chosen_options(bits)
    assert sorted(shares) == [a for a in range(9) if top[a].any()]
    single = pack_policy(np.eye(9)[:, rng.integers(0, 9, 15)].reshape(9, 3, 5))  # no ties: the compare path
    assert np.array_equal(unpack_policy(single).sum(axis=0), np.ones((3, 5)))
