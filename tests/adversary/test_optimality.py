"""Optimality of backward induction: the planner's value is never below that of 200 fixed policies.

The 200 policies are batched as 200 parameter samples of one compiled model (the same parameters repeated,
`adversary.discount` given as an array) and evaluated with `policy_value`. They are: 100 deterministic
policies picking a uniformly random available action in every (month, state); 60 stochastic policies with
random (Dirichlet) probabilities over the available actions; 40 perturbations of the planner's own policy
with 5-50% of the states switched to a random available action (the hard competitors: near-optimal).
Availability (a deal needs talks at the threshold) is computed here, independently of the planner.
Responses to strikes are chosen by the planner in both (policy_value keeps them), so the planner must win
in every state and every month, not only at the start.
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import availability

from brinkmanship.adversary.planner import policy_value, solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import N_ACTIONS

N_POLICIES = 200
N_DETERMINISTIC, N_DIRICHLET = 100, 60


class RandomPolicies:
    """policies[t] (A, 200, K, M, R), generated on demand (seeded by t) so the 36 months never sit in memory."""

    def __init__(self, sol, mask_k: np.ndarray, seed: int) -> None:
        self.sol, self.mask_k, self.seed = sol, mask_k, seed
        self.shape = (N_ACTIONS, N_POLICIES, *sol.grid.shape)

    def __len__(self) -> int:
        return self.sol.c.horizon

    def __getitem__(self, t: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, t])
        A, _, K, M, R = self.shape
        mask = np.broadcast_to(self.mask_k[:, None, :, None, None], self.shape)
        # deterministic: a random available action per state (Gumbel trick over the available ones)
        score = np.where(mask, rng.random(self.shape), -1.0)
        onehot = (score == score.max(axis=0, keepdims=True)).astype(float)
        out = onehot
        # stochastic: Dirichlet weights over the available actions
        d = slice(N_DETERMINISTIC, N_DETERMINISTIC + N_DIRICHLET)
        w = np.where(mask[:, d], rng.gamma(0.5, size=(A, N_DIRICHLET, K, M, R)), 0.0)
        out[:, d] = w / w.sum(axis=0)
        # perturbed optimum: the planner's policy, a random share of states replaced by the random action
        p = slice(N_DETERMINISTIC + N_DIRICHLET, N_POLICIES)
        n_p = N_POLICIES - N_DETERMINISTIC - N_DIRICHLET
        share = np.linspace(0.05, 0.5, n_p)[None, :, None, None, None]
        switch = rng.random((1, n_p, K, M, R)) < share
        out[:, p] = np.where(switch, onehot[:, p], self.sol.policy(t))
        if t in (0, len(self) - 1):
            self.check(out, mask)
        return out

    @staticmethod
    def check(out: np.ndarray, mask: np.ndarray) -> None:
        assert np.abs(out.sum(axis=0) - 1).max() < 1e-12
        assert not out[~mask].any()


# let-deterrence-fail's grid is 8x larger (its target list): its horizon is cut to 9 months (the deadline
# window opens in month 4), which keeps the check to a few seconds; the others run the full 36 months.
CASES = [("let-deterrence-fail", 9), ("limited-strike", None), ("freeze-for-freeze", None)]


@pytest.mark.parametrize(("name", "horizon"), CASES, ids=[n for n, _ in CASES])
def test_planner_beats_200_random_policies(korea, strategies, name, horizon):
    sc = korea if horizon is None else korea.model_copy(update={"horizon_months": horizon})
    c1 = compile_model(sc, strategies[name])
    sol = solve(c1, "rational")
    disc = float(c1["adversary.discount"])
    c = compile_model(sc, strategies[name], {"adversary.discount": np.full(N_POLICIES, disc)})
    pv = policy_value(c, RandomPolicies(sol, availability(c1, sol.grid.K), seed=7))
    assert pv.V[0].shape == (N_POLICIES, *sol.grid.shape)
    scale = 1e-9 * (1 + np.abs(sol.V[0]).max())
    for t in (0, 1, c.horizon // 2, c.horizon - 1):
        gap = sol.V[t] - pv.V[t]  # (200, K, M, R)
        assert gap.min() >= -scale, f"month {t}: a fixed policy beats the planner by {-gap.min():.3g}"
    start = pv.value_at_start()
    assert start.shape == (N_POLICIES,)
    assert (start <= sol.value_at_start()[0] + scale).all()
    # the comparison has teeth: random policies are strictly worse, perturbed ones close but not better
    assert start[:N_DETERMINISTIC].max() < sol.value_at_start()[0] - 1e-3


@pytest.mark.parametrize("name", ["let-deterrence-fail", "limited-strike"])
def test_evaluating_the_planner_policy_gives_its_value(korea, strategies, name):
    c = compile_model(korea, strategies[name])
    sol = solve(c, "rational")
    pv = policy_value(c, [sol.policy(t) for t in range(c.horizon)])
    for t in (0, c.horizon // 2, c.horizon - 1):
        np.testing.assert_allclose(pv.V[t], sol.V[t], rtol=1e-10, atol=1e-9)
