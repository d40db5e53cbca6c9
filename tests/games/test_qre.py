"""Logit QRE branch: points at given lambdas match pygambit's logit within 1e-6."""

from __future__ import annotations

import numpy as np
from gamehelpers import to_gambit
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.games.generate import random_bimatrix
from brinkmanship.games.library.classic import chicken
from brinkmanship.games.solvers.qre import logit_qre, trace_branch

LAMBDAS = [0.25, 1.0, 2.5]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(0, 10_000))
def test_qre_points_match_pygambit(m: int, n: int, seed: int) -> None:
    import pygambit as gbt

    game = random_bimatrix(m, n, seed=seed, integers=True)
    gg = to_gambit(game)
    ref = gbt.qre.logit_solve_lambda(gg, LAMBDAS)
    _, at = trace_branch(game, lambdas=LAMBDAS)
    assert [p.lam for p in at] == LAMBDAS
    for r, p in zip(ref, at, strict=True):
        theirs = np.array([v for pl in gg.players for _, v in r.profile[pl]], dtype=float)
        assert np.max(np.abs(theirs - np.concatenate(p.profile))) <= 1e-6


def test_qre_starts_at_the_centroid_and_ends_near_a_nash_equilibrium() -> None:
    pts, _ = trace_branch(chicken())
    assert np.allclose(np.concatenate(pts[0].profile), 0.5)
    res = logit_qre(chicken())
    limit = res.equilibria[0]
    assert limit.max_regret <= 1e-7 * chicken().payoff_range() * 10
    assert res.settings["maxregret"] == 1e-8


def test_qre_limit_agrees_with_pygambit_logit_on_10x10() -> None:
    import pygambit as gbt

    game = random_bimatrix(10, 10, seed=3)
    gg = to_gambit(game)
    ref = gbt.nash.logit_solve(gg).equilibrium
    theirs = np.array([v for pl in gg.players for _, v in ref[pl]], dtype=float)
    ours = np.concatenate([np.asarray(s) for s in logit_qre(game).equilibria[0].strategies])
    assert np.max(np.abs(theirs - ours)) <= 1e-4
