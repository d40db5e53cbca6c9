"""Published results reproduced on the library games (Zagare & Kilgour, Fearon, Powell) and sanity of the rest."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from gamehelpers import flat
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.games import library
from brinkmanship.games.library.bargaining import bargaining_range, fearon, powell, powell_prefers_war
from brinkmanship.games.library.brinkmanship import IHL_NOTE, oped_commitment
from brinkmanship.games.library.zagare import aeg, radg, radg_threshold
from brinkmanship.games.solve import solve
from brinkmanship.games.solvers.support import support_enumeration
from brinkmanship.games.strategic import to_strategic


def _action(g, eq, player: int, infoset_label: str) -> str:
    for k, probs in zip(g.player_infosets(player), eq.strategies[player - 1], strict=True):
        if g.infoset_label(k) == infoset_label:
            j = int(np.argmax(probs))
            assert probs[j] == pytest.approx(1.0)
            return g.action_label(int(g.action_offset[k]) + j)
    raise KeyError(infoset_label)


@pytest.mark.parametrize("pB", [Fraction(1, 10), Fraction(3, 10), Fraction(2, 5), Fraction(4, 5)])
@pytest.mark.parametrize(("aSQ", "aDC", "aDD"), [(0, 1, -2), (0, 3, -1), (1, 2, -10)])
def test_radg_hard_resists_soft_concedes_and_threshold(pB, aSQ, aDC, aDD) -> None:
    g = radg(pB, aSQ=aSQ, aDC=aDC, aDD=aDD)
    eq = solve(g, "spe").equilibria[0]
    assert _action(g, eq, 2, "B Hard") == "D"
    assert _action(g, eq, 2, "B Soft") == "C"
    challenges = _action(g, eq, 1, "A") == "D"
    assert challenges == (pB < radg_threshold(aSQ, aDC, aDD))


@pytest.mark.parametrize("pB", [Fraction(1, 5), Fraction(1, 2)])
def test_radg_every_bayesian_equilibrium_with_a_challenge_has_hard_resist_soft_concede(pB) -> None:
    """All Nash equilibria of the strategic form (Bayesian equilibria): whenever A challenges with
    positive probability, Hard B resists and Soft B concedes."""
    g = radg(pB)
    nfg, strats = to_strategic(g)
    res = support_enumeration(nfg, exact=True)
    assert res.equilibria
    k_hard = next(i for i, k in enumerate(g.player_infosets(2)) if g.infoset_label(k) == "B Hard")
    for eq in res.equilibria:
        x, y = eq.strategies
        if x[1] > 0:  # A plays D with positive probability
            for prob, s in zip(y, strats[1], strict=True):
                if prob > 0:
                    assert s[k_hard] == 1 and s[1 - k_hard] == 0
        assert (x[1] == 1) == (pB < radg_threshold()) or x[1] in (0, 1)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.data())
def test_aeg_complete_information_yields_only_sq_or_dc(data) -> None:
    """Kilgour & Zagare 2007: under complete information limited conflict never occurs.

    Preferences sampled from the whole region the theorem assumes: the Challenger prefers DC to SQ and
    SQ to every conflict it does not win (DD, DE, EE); the Defender prefers conceding at once (DC) to
    losing after a fight (ED). Everything else (each side's resolve) is free."""
    vals = data.draw(st.permutations(list(range(1, 7))))
    ch = dict(zip(["DC", "ED", "SQ", "DD", "DE", "EE"], sorted(vals, reverse=True), strict=True))
    order = data.draw(st.permutations(["DD", "DE", "EE"]))
    low = dict(zip(order, [3, 2, 1], strict=True))
    ch.update(low)
    d_vals = data.draw(st.permutations(list(range(1, 7))))
    defender = dict(zip(["SQ", "DC", "ED", "DD", "DE", "EE"], d_vals, strict=True))
    if defender["DC"] < defender["ED"]:
        defender["DC"], defender["ED"] = defender["ED"], defender["DC"]
    g = aeg(ch, defender)
    eq = solve(g, "spe").equilibria[0]
    t = g.terminals
    reach = g.reach(g.with_chance(eq.behavior))[t]
    outcome = g.outcome_labels[int(g.node_outcome[t[int(np.argmax(reach))]])]
    assert outcome in ("SQ", "DC")


@pytest.mark.parametrize(("p", "cA", "cB"), [("1/2", "1/10", "1/10"), ("3/10", "1/5", "1/20"), ("7/10", "1/20", "1/4")])
def test_fearon_bargaining_range_and_spe_offer(p, cA, cB) -> None:
    lo, hi = bargaining_range(p, cA, cB)
    p_, cA_, cB_ = Fraction(p), Fraction(cA), Fraction(cB)
    assert (lo, hi) == (p_ - cA_, p_ + cB_)
    for x in np.linspace(0, 1, 41):
        x = Fraction(str(round(float(x), 6)))
        both_prefer = x > p_ - cA_ and (1 - x) > 1 - p_ - cB_
        assert both_prefer == (lo < x < hi)
    g = fearon(p, cA, cB, steps=20)
    eq = solve(g, "spe", exact=True).equilibria[0]
    offer = Fraction(eq.payoffs[0])
    assert offer == max(Fraction(k, 20) for k in range(21) if Fraction(k, 20) <= hi)
    assert eq.payoffs[0] + eq.payoffs[1] == 1  # no war on the path


@pytest.mark.parametrize(
    ("q", "Delta", "d", "delta"),
    [("1/2", "3/10", "1/20", "9/10"), ("1/2", "1/50", "1/20", "1/2"), ("3/5", "1/10", "1/10", "4/5"), ("2/5", "1/5", "1/20", "1/5")],
)
def test_powell_preventive_war_condition(q, Delta, d, delta) -> None:
    g = powell(q, Delta, d, delta, steps=20)
    eq = solve(g, "spe", exact=True).equilibria[0]
    war_payoff_D = (Fraction(q) - Fraction(d)) / (1 - Fraction(delta))
    fights = eq.payoffs[1] == war_payoff_D and all(
        _fights_after(g, eq, k) for k in range(21)
    )
    assert fights == powell_prefers_war(q, Delta, d, delta)


def _fights_after(g, eq, k: int) -> bool:
    infos = g.player_infosets(2)
    probs = eq.strategies[1][k]
    return g.action_label(int(g.action_offset[infos[k]]) + int(np.argmax(probs))) == "fight"


def test_oped_game_carries_its_ihl_flag_and_solves() -> None:
    g = oped_commitment()
    assert "civilians" in g.comment and g.meta["ihl"] == IHL_NOTE
    res = solve(g)
    assert res.equilibria[0].max_regret <= 1e-9


def test_oped_credibility_changes_the_target_choice() -> None:
    """With a certain retaliation rule a test is punished; with none it is tolerated (assumed payoffs)."""
    for k, expect in ((1, "Talks"), (0, "Tests")):
        g = oped_commitment(credibility=k)
        eq = solve(g, "spe").equilibria[0]
        k_commit = g.player_infosets(2)[1]
        j = int(np.argmax(eq.strategies[1][1]))
        assert g.action_label(int(g.action_offset[k_commit]) + j) == expect


def test_brinkmanship_solves_with_beliefs() -> None:
    g = library.get("brinkmanship")
    res = solve(g)
    eq = res.equilibria[0]
    assert eq.max_regret <= 1e-9
    assert "beliefs" in eq.extra
    for rows in eq.extra["beliefs"]:
        for b in rows:
            assert sum(b) == pytest.approx(1.0)


@pytest.mark.parametrize("name", library.names())
def test_every_library_game_has_a_source_and_a_verified_equilibrium(name: str) -> None:
    g = library.get(name)
    assert g.source
    res = solve(g)
    assert res.equilibria and all(e.max_regret <= 1e-8 for e in res.equilibria)


def test_chicken_has_three_equilibria() -> None:
    res = solve(library.get("chicken"), exact=True)
    assert {flat(e.strategies) for e in res.equilibria} == {
        (1, 0, 0, 1), (0, 1, 1, 0), (Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(1, 2))
    }
