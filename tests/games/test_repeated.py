"""Iterated games: deterministic matches agree turn by turn with the axelrod library; tournaments, Moran."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from brinkmanship.games import repeated as rp

DETERMINISTIC = {
    "TitForTat": rp.tit_for_tat,
    "TwoTitsForTat": rp.two_tits_for_tat,
    "TitFor2Tats": rp.tit_for_two_tats,
    "Grudger": rp.grim_trigger,
    "Defector": rp.defector,
    "Cooperator": rp.cooperator,
    "Alternator": rp.alternator,
    "WinStayLoseShift": rp.win_stay_lose_shift,
    "SuspiciousTitForTat": rp.suspicious_tit_for_tat,
    "Bully": rp.bully,
    "AntiTitForTat": rp.anti_tit_for_tat,
    "CyclerCCD": rp.cycler_ccd,
    "ContriteTitForTat": rp.contrite_tit_for_tat,
}


@pytest.mark.xdist_group("axelrod")
def test_deterministic_matches_agree_with_axelrod_turn_by_turn() -> None:
    import axelrod as axl

    names = list(DETERMINISTIC)
    ours = [DETERMINISTIC[n]() for n in names]
    pairs = np.array(list(itertools.product(range(len(names)), repeat=2)))
    turns = 25
    a, b = rp.play_matches(ours, pairs, turns, seed=None)
    for m, (i, j) in enumerate(pairs):
        match = axl.Match((getattr(axl, names[i])(), getattr(axl, names[j])()), turns=turns)
        ref = match.play()
        ref_a = [0 if x == axl.Action.C else 1 for x, _ in ref]
        ref_b = [0 if y == axl.Action.C else 1 for _, y in ref]
        assert a[m].tolist() == ref_a, (names[i], names[j])
        assert b[m].tolist() == ref_b, (names[i], names[j])
        sa, sb = rp.scores(a[m : m + 1], b[m : m + 1])
        assert (sa[0], sb[0]) == tuple(match.final_score())


def test_noise_breaks_tft_cooperation_but_contrite_recovers() -> None:
    tft, ctft = rp.tit_for_tat(), rp.contrite_tit_for_tat()
    pairs = np.array([[0, 0]] * 400 + [[1, 1]] * 400)
    a, b = rp.play_matches([tft, ctft], pairs, 100, noise=0.02, seed=3)
    coop = 1 - (a + b) / 2
    assert coop[400:].mean() > coop[:400].mean() + 0.1


def test_generous_tft_forgives_at_its_rate() -> None:
    g = rp.generous_tit_for_tat(0.25)
    a, _b = rp.play_matches([g, rp.defector()], np.array([[0, 1]] * 2000), 50, seed=1)
    assert abs((a[:, 1:] == 0).mean() - 0.25) < 0.02


def test_tournament_ranks_defector_last_among_nice_rules_without_noise() -> None:
    strategies = [rp.tit_for_tat(), rp.grim_trigger(), rp.cooperator(), rp.defector(), rp.two_tits_for_tat()]
    res = rp.tournament(strategies, turns=100, repetitions=2)
    M = res.payoff_matrix
    assert M[0, 0] == pytest.approx(3.0) and M[3, 2] == pytest.approx(5.0) and M[2, 3] == pytest.approx(0.0)
    assert res.ranking[-1] in ("Cooperator", "Defector")


def test_moran_defectors_take_over_cooperators() -> None:
    res = rp.tournament([rp.cooperator(), rp.defector()], turns=10, repetitions=1)
    fixed = rp.moran_process(res.payoff_matrix, [5, 5], replicates=500, seed=2)
    assert (fixed >= 0).all()
    assert (fixed == 1).mean() > 0.8
