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

The strategic coercer's decision at a state is pure (carry out, not, or half on an exact tie). The path is
compared where the equilibrium is pure (prior > b: every entrant stays out, the weak type would fight every
entry but the last). In the mixing region the crisis iteration reports no pure equilibrium (its best
responses cycle) exactly where the oracle's backward induction (`chain_store_by_backward_induction`) mixes;
the strategic coercer's search for the mix (`adversary.coercer.bisect_mixing`) then finds the weak type's
fight probability, the posterior b**(n-1) it leads to, the next entrant's mix (1/a out, by
`indifference_mix`) and the values at the node, as the closed form and the oracle give them."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.coercer import CYCLE, _decide, bisect_mixing, indifference_mix
from brinkmanship.engine import belief
from brinkmanship.games import chainstore as cs
from brinkmanship.games.solvers.subgames import subgame_perfect_decomposition

RESOLUTE = 1.0  # the strong incumbent carries the rule out every time
STARTS = (1.0, 0.0)  # the strategic coercer's starts: declared (always carry out), chance only (never)
ITERATIONS = 8
SEARCH_TOL = 1e-9  # the search's bracket here: a later period's mix decides an earlier entrant's choice at its
# threshold (q = b there), so the nested searches run finer than the crisis's MIX_TOLERANCE
OUTSIDE = 1e-6  # how far outside the final bracket the gains of the two answers the target mixes are read


def _after(mu: float, f: float, fought: bool) -> float:
    """The target's belief after seeing the rule carried out (a fight) or not, by Bayes' rule
    (`engine.belief.posterior_after`); an accommodation the weak type never makes still reveals it (the
    resolute type never accommodates): belief 0. A revealed weak type stays revealed."""
    if fought and mu > 0:
        return float(belief.posterior_after(mu, RESOLUTE, f, 1, 0))
    return 0.0


def crisis_mixing(n_left: int, mu: float, a: float, b: float) -> dict:
    """Where the weak type's pure best responses cycle, its mix by the strategic coercer's search
    (`bisect_mixing` on the fight probability f the target reads, from the cycle's bracket [0, 1]: never
    fighting is answered by fighting, always fighting by not), and the target's mix that keeps it indifferent
    one period later (`indifference_mix` of the gains at the bracket's ends)."""
    later_weak = crisis_chain_store(n_left - 1, 0.0, a, b)["weak"]

    def respond(f: np.ndarray, rows: object) -> dict[str, np.ndarray]:
        gain = np.array([-1.0 + crisis_chain_store(n_left - 1, _after(mu, x, True), a, b)["weak"] - later_weak
                         for x in f])  # carry out (cost 1, keeps the belief) against not (reveals the type)
        return {"response": _decide(gain), "gain": gain}

    lo, hi = np.zeros(1), np.ones(1)
    at_lo, at_hi = respond(lo, None), respond(hi, None)
    f_lo, f_hi, _, _ = bisect_mixing(respond, lo, hi, at_lo, at_hi, SEARCH_TOL)
    # the gains just outside the bracket: inside it the next entrant sits on its threshold (q = b) and the
    # rational target's tie rule answers, not either of the two answers the mix is made of
    near = respond(np.array([f_lo[0] - OUTSIDE, f_hi[0] + OUTSIDE]), None)["gain"]
    return {"f": (f_lo[0] + f_hi[0]) / 2, "bracket": (f_lo[0], f_hi[0]), "later_weak": later_weak,
            "stay_out": indifference_mix(near[:1], near[1:], at_lo["gain"] - at_hi["gain"])[0]}


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
    if not pure:  # the weak type mixes: indifferent, so carrying out is worth what not doing so is
        f = crisis_mixing(n_left, mu, a, b)["f"]
    q = float(belief.believed_execution(mu, RESOLUTE, f))  # the target's belief that the rule is carried out
    enter = float(_decide(b - q))  # the target's gain from entering: b - (chance of a fight)
    mu_f = _after(mu, f, True)
    fight_next = crisis_chain_store(n_left - 1, mu_f, a, b)
    out_next = crisis_chain_store(n_left - 1, mu, a, b)
    fought = later_weak if not pure else -1.0 + fight_next["weak"]
    weak = enter * (f * fought + (1 - f) * later_weak) + (1 - enter) * (a + out_next["weak"])
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


MIXING = [(0.1, 2.0, 0.5), (0.3, 3.0, 0.6), (0.05, 1.5, 0.4), (0.2, 2.5, 0.7)]


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize(("prior", "a", "b"), MIXING)
def test_crisis_search_finds_the_weak_types_mix_and_the_values_there(n, prior, a, b):
    """In the mixing region the strategic coercer's search (the crisis pieces: `_decide` on the gain of
    carrying out, `engine.belief` updates, `bisect_mixing`) finds Kreps-Wilson's fight probability, its
    posterior b**(n-1), the next entrant's mix 1/a out (the target's mix that keeps the coercer indifferent),
    and the values at the node: the weak type's (indifferent: what accommodating is worth) and the entrant's."""
    f_star = float(cs.fight_probability(n, prior, b))
    assert 0 < f_star < 1  # the oracle mixes here
    mix = crisis_mixing(n, prior, a, b)
    lo, hi = mix["bracket"]
    assert hi - lo <= SEARCH_TOL and abs(mix["f"] - f_star) <= 1e-7
    # Bayes' rule on the mix: the posterior after a fight is the next threshold, within the bracket's image
    post = [_after(prior, x, True) for x in (hi, lo)]
    assert post[0] - 1e-7 <= float(cs.posterior_after_fight(n, prior, b)) <= post[1] + 1e-7
    np.testing.assert_allclose(cs.posterior_after_fight(n, prior, b), b ** (n - 1), rtol=1e-12)
    # the target's mix one period later: out with 1/a, the oracle's entry probability at the threshold
    assert mix["stay_out"] == pytest.approx(1 - float(cs.entry_probability(n - 1, b ** (n - 1), a, b)), rel=1e-12)
    assert mix["stay_out"] == pytest.approx(1 / a, rel=1e-12)
    # values at the node: the entrant's (enters when prior < b**n and gets b - P(fight)) and the weak type's
    # (indifferent where it mixes: worth what accommodating is, 0; a per entrant kept out before)
    crisis = crisis_chain_store(n, prior, a, b)
    assert not crisis["pure"] and crisis["enter"][0] == float(cs.entry_probability(n, prior, a, b))
    assert crisis["entrants"][0] == pytest.approx(float(cs.entrant_value(n, prior, b)), abs=1e-7)
    assert crisis["weak"] == pytest.approx(float(cs.weak_value(n, prior, a, b)), abs=1e-12)
    assert mix["later_weak"] == 0.0
    oracle = cs.chain_store_by_backward_induction(n, prior, a, b).path
    if crisis["enter"][0] > 0:  # entered: the oracle's path mixes there too (else its fight share is NaN)
        assert oracle.weak_fight[0, 0] == pytest.approx(f_star, rel=1e-9)
    assert crisis["fight"][0] == pytest.approx(f_star, abs=1e-7)
