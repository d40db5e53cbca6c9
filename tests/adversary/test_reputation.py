"""Reputation (issue 10): the Kreps-Wilson chain store built twice, with the crisis model's machinery and
as the extensive-form game of `games.chainstore`, gives the same equilibrium path and values.

The crisis build: one month is one entrant; the incumbent is the coercer, its "fight" the one rule, carried
out with probability 1 by the resolute (strong) type and decided by the strategic (weak) type; the entrant
is the target, which believes the rule is carried out with `engine.belief.believed_execution` of its belief
and moves that belief by `engine.belief` Bayes updates; the weak type's execute-or-not decision is the
strategic coercer's (`adversary.coercer._decide` on the gain of carrying out, backwards month by month), and
the likelihood the target reads for the weak type is that type's own decision, iterated from the declared
(always carry out) and the chance-only (never) starts as `adversary.coercer` iterates it: the consistent
(perfect Bayesian) reading. What it is not: the crisis planner itself (`Month`/`solve`) run on a toy scenario:
its branches are the crisis's actions, not an entrant's one-shot choice.

The strategic coercer's decision is pure (carry out, not, or half on an exact tie), so it cannot express the
weak type's mixing. The path is therefore compared where the equilibrium is pure (prior > b: every entrant
stays out, the weak type would fight every entry but the last), and in the mixing region the test checks
that the crisis iteration reports no pure equilibrium (its best responses cycle) exactly where the oracle's
backward induction (`chain_store_by_backward_induction`) mixes, and that `engine.belief`'s Bayes update of
the oracle's mix lands on the oracle's posterior (the belief grid point b**(n-1))."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.coercer import CYCLE, _decide
from brinkmanship.engine import belief
from brinkmanship.games import chainstore as cs
from brinkmanship.games.solvers.subgames import subgame_perfect_decomposition

RESOLUTE = 1.0  # the strong incumbent carries the rule out every time
STARTS = (1.0, 0.0)  # the strategic coercer's starts: declared (always carry out), chance only (never)
ITERATIONS = 8


def _after(mu: float, f: float, fought: bool) -> float:
    """The target's belief after seeing the rule carried out (a fight) or not, by Bayes' rule
    (`engine.belief.posterior_after`); an accommodation the weak type never makes still reveals it (the
    resolute type never accommodates): belief 0. A revealed weak type stays revealed."""
    if fought and mu > 0:
        return float(belief.posterior_after(mu, RESOLUTE, f, 1, 0))
    return 0.0


def crisis_chain_store(n_left: int, mu: float, a: float, b: float) -> dict:
    """Month n_left-from-the-end at belief mu, by the crisis machinery, and the months after it (recursive).

    Returns the entry chance, the weak type's fight decision, the weak type's and the entrant's values,
    the belief path and `pure` (False where the best responses of the weak type cycle)."""
    if n_left == 0:
        return {"enter": [], "fight": [], "belief": [], "weak": 0.0, "entrants": [], "pure": True}
    revealed = crisis_chain_store(n_left - 1, 0.0, a, b) if n_left > 1 else None
    later_weak = 0.0 if revealed is None else revealed["weak"]
    seen: list[float] = []
    answers = []
    for f in STARTS:  # the best-response iteration of the strategic coercer
        history = []
        for _ in range(ITERATIONS):
            fought = crisis_chain_store(n_left - 1, _after(mu, f, True), a, b)["weak"] if n_left > 1 else 0.0
            gain = (-1.0 + fought) - later_weak  # carry out (cost 1, keeps the belief) against not
            d = float(_decide(gain))
            history.append(d)
            if d == f:
                break
            f = d
        cycled = len(history) >= CYCLE and history[-1] != f
        answers.append((f, cycled))
        seen.append(f)
    f, cycled = answers[0]
    pure = not any(c for _, c in answers) and seen[0] == seen[-1]
    q = float(belief.believed_execution(mu, RESOLUTE, f))  # the target's belief that the rule is carried out
    enter = float(_decide(b - q))  # the target's gain from entering: b - (chance of a fight)
    mu_f = _after(mu, f, True)
    fight_next = crisis_chain_store(n_left - 1, mu_f, a, b)
    out_next = crisis_chain_store(n_left - 1, mu, a, b)
    weak = enter * (f * (-1.0 + fight_next["weak"]) + (1 - f) * later_weak) + (1 - enter) * (a + out_next["weak"])
    # on the path: entry leads to a fight (strong, or weak with f) or to an accommodation; no entry keeps mu
    on = fight_next if enter > 0 else out_next
    return {"enter": [enter, *on["enter"]], "fight": [f, *on["fight"]], "belief": [mu, *on["belief"]],
            "weak": weak, "entrants": [enter * (b - q), *on["entrants"]], "pure": pure and on["pure"]}


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize(("prior", "a", "b"), [(0.7, 2.0, 0.5), (0.7, 3.0, 0.4), (0.55, 1.5, 0.5)])
def test_pure_region_same_path_and_values_as_the_extensive_form(n, prior, a, b):
    """prior > b: a pure equilibrium. The crisis build, the closed form and the games solver's subgame-perfect
    equilibrium of the tree give the same path (no entry, belief = prior) and values."""
    crisis = crisis_chain_store(n, prior, a, b)
    assert crisis["pure"]
    path = cs.chain_store_path(n, prior, a, b)
    np.testing.assert_array_equal(crisis["enter"], path.entry[0])
    np.testing.assert_allclose(crisis["belief"], path.reputation[0], rtol=1e-15)
    np.testing.assert_allclose(crisis["entrants"], path.entrant_values[0], atol=1e-15)
    assert crisis["weak"] == pytest.approx(path.weak_value[0], rel=1e-15) == n * a
    g = cs.chain_store_game(n, prior, a, b)
    eq = subgame_perfect_decomposition(g).equilibria[0]
    assert eq.extra["max_sequential_regret"] <= 1e-12
    np.testing.assert_allclose(eq.payoffs[:n], crisis["entrants"], atol=1e-12)
    strong = n * a  # the strong type is never entered either
    assert eq.payoffs[n] == pytest.approx(prior * strong + (1 - prior) * crisis["weak"], rel=1e-12)
    # off the path: the weak type's decision at the prior equals the closed form's fight probability
    for n_left in range(1, n + 1):
        here = crisis_chain_store(n_left, prior, a, b)
        assert here["fight"][0] == cs.fight_probability(n_left, prior, b)
        assert here["enter"][0] == cs.entry_probability(n_left, prior, a, b)
    # the weak type revealed (belief 0): every entrant enters, the weak type never fights, worth nothing
    revealed = crisis_chain_store(n, 0.0, a, b)
    assert revealed["enter"] == [1.0] * n and revealed["fight"] == [0.0] * n and revealed["weak"] == 0.0


@pytest.mark.parametrize("n", [2, 3])
def test_crisis_iteration_reports_no_pure_equilibrium_where_the_oracle_mixes(n):
    """The Kreps-Wilson lesson is in the mixing region (a small prior deters early entrants); there the
    strategic coercer's pure decision cycles, and it does so exactly where the oracle's weak type mixes."""
    kinds = set()
    for prior, a, b in [(0.1, 2.0, 0.5), (0.3, 3.0, 0.6), (0.05, 1.5, 0.4), (0.7, 2.0, 0.5)]:
        oracle = cs.chain_store_by_backward_induction(n, prior, a, b).path
        mixes = np.any((oracle.weak_fight[0] > 0) & (oracle.weak_fight[0] < 1))
        crisis = crisis_chain_store(n, prior, a, b)
        first_mixes = 0 < cs.fight_probability(n, prior, b) < 1
        if not mixes and not first_mixes:
            assert crisis["pure"]
        if first_mixes:
            assert not crisis["pure"]
        kinds.add((bool(mixes), bool(first_mixes)))
    assert (False, False) in kinds and (True, True) in kinds  # both regions are exercised


@pytest.mark.parametrize("n", [2, 3])
def test_bayes_update_of_the_oracles_mix_lands_on_its_posterior(n):
    """engine.belief's update with the weak type's equilibrium fight probability as the likelihood (the
    consistent reading the strategic coercer uses) gives the oracle's posterior: b**(n-1) when it mixes."""
    prior, b = np.array([0.05, 0.1, 0.2, 0.3, 0.7]), 0.5
    for n_left in range(2, n + 1):
        f = cs.fight_probability(n_left, prior, b)
        moved = belief.posterior(prior, belief.evidence(True, RESOLUTE, f))
        np.testing.assert_allclose(moved, cs.posterior_after_fight(n_left, prior, b), rtol=1e-12)
        mixing = (f > 0) & (f < 1)
        np.testing.assert_allclose(moved[mixing], b ** (n_left - 1), rtol=1e-12)
