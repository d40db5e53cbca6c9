"""Optimality of backward induction: the planner's value is never below that of 200 fixed policies (50 on the
largest grid).

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
DETERMINISTIC, DIRICHLET = 0.5, 0.3  # shares of the policies: random deterministic, random stochastic (the rest
# perturb the planner's own policy)


class RandomPolicies:
    """policies[t] (A, count, K, M, R), generated on demand (seeded by t) so the 36 months never sit in memory."""

    def __init__(self, sol, mask_k: np.ndarray, seed: int, count: int = N_POLICIES) -> None:
        self.sol, self.mask_k, self.seed = sol, mask_k, seed
        self.shape = (N_ACTIONS, count, *sol.grid.shape)
        self.deterministic, self.dirichlet = round(DETERMINISTIC * count), round(DIRICHLET * count)

    def __len__(self) -> int:
        return self.sol.c.horizon

    def __getitem__(self, t: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, t])
        A, count, K, M, R = self.shape
        mask = np.broadcast_to(self.mask_k[:, None, :, None, None], self.shape)
        # deterministic: a random available action per state (Gumbel trick over the available ones)
        score = np.where(mask, rng.random(self.shape), -1.0)
        onehot = (score == score.max(axis=0, keepdims=True)).astype(float)
        out = onehot
        # stochastic: Dirichlet weights over the available actions
        d = slice(self.deterministic, self.deterministic + self.dirichlet)
        w = np.where(mask[:, d], rng.gamma(0.5, size=(A, self.dirichlet, K, M, R)), 0.0)
        out[:, d] = w / w.sum(axis=0)
        # perturbed optimum: the planner's policy, a random share of states replaced by the random action
        p = slice(self.deterministic + self.dirichlet, count)
        n_p = count - self.deterministic - self.dirichlet
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


# let-deterrence-fail's grid is 50x larger (its target list, the evidence levels, the statuses): its horizon is cut
# to 6 months (the deadline window opens in month 4) and it meets 50 policies, which keeps the check to a few
# seconds; the others run the full 36 months against 200.
CASES = [("let-deterrence-fail", 6, 50), ("limited-strike", None, N_POLICIES),
         ("freeze-for-freeze", None, N_POLICIES)]


@pytest.mark.parametrize(("name", "horizon", "count"), CASES, ids=[n for n, _, _ in CASES])
def test_planner_beats_random_policies(korea, strategies, name, horizon, count):
    sc = korea if horizon is None else korea.model_copy(update={"horizon_months": horizon})
    c1 = compile_model(sc, strategies[name])
    sol = solve(c1, "rational")
    disc = float(c1["adversary.discount"])
    c = compile_model(sc, strategies[name], {"adversary.discount": np.full(count, disc)})
    policies = RandomPolicies(sol, availability(c1, sol.grid.K), seed=7, count=count)
    pv = policy_value(c, policies)
    assert pv.V[0].shape == (count, *sol.grid.shape)
    scale = 1e-9 * (1 + np.abs(sol.V[0]).max())
    for t in (0, 1, c.horizon // 2, c.horizon - 1):
        gap = sol.V[t] - pv.V[t]  # (count, K, M, R)
        assert gap.min() >= -scale, f"month {t}: a fixed policy beats the planner by {-gap.min():.3g}"
    start = pv.value_at_start()
    assert start.shape == (count,)
    assert (start <= sol.value_at_start()[0] + scale).all()
    # the comparison has teeth: random policies are strictly worse, perturbed ones close but not better
    assert start[:policies.deterministic].max() < sol.value_at_start()[0] - 1e-3


@pytest.mark.parametrize("name", ["let-deterrence-fail", "limited-strike"])
def test_evaluating_the_planner_policy_gives_its_value(korea, strategies, name):
    c = compile_model(korea, strategies[name])
    sol = solve(c, "rational")
    pv = policy_value(c, [sol.policy(t) for t in range(c.horizon)])
    for t in (0, c.horizon // 2, c.horizon - 1):
        np.testing.assert_allclose(pv.V[t], sol.V[t], rtol=1e-10, atol=1e-9)
