"""Logit QRE branch: points at given lambdas match pygambit's logit within 1e-6."""

from __future__ import annotations

import numpy as np
import pytest
from gamehelpers import to_gambit
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.games.generate import random_bimatrix
from brinkmanship.games.library.classic import chicken
from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.qre import _System, logit_qre, trace_branch

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


# games whose principal branch turns back in lambda (found by tracing random 3x3 and 4x4 integer games)
FOLDED = [(3, 12), (3, 20), (4, 6)]


@pytest.mark.parametrize(("k", "seed"), FOLDED)
def test_qre_follows_the_principal_branch_through_turning_points(k: int, seed: int) -> None:
    import pygambit as gbt

    game = random_bimatrix(k, k, seed=seed, integers=True)
    pts, _ = trace_branch(game)
    lam = np.array([p.lam for p in pts])
    assert np.any(np.diff(lam) < 0), "the branch should turn back at least once"
    # a dense grid of lambdas across the turning points: the first crossing of each is pygambit's point
    grid = sorted(set(np.round(np.linspace(0.05, min(30.0, lam.max()), 60), 6).tolist()))
    gg = to_gambit(game)
    ref = gbt.qre.logit_solve_lambda(gg, grid)
    _, at = trace_branch(game, lambdas=grid)
    for r, p in zip(ref, at, strict=True):
        theirs = np.array([v for pl in gg.players for _, v in r.profile[pl]], dtype=float)
        assert np.max(np.abs(theirs - np.concatenate(p.profile))) <= 1e-6, p.lam


@pytest.mark.parametrize("seed", [1, 3, 5])
def test_qre_trace_stays_on_the_branch_in_a_moderate_number_of_steps(seed: int) -> None:
    game = random_bimatrix(10, 10, seed=seed)
    pts, _ = trace_branch(game)
    # adaptive steps: far fewer than a fixed 1.1 growth factor needs (249 points for seed 3)
    assert len(pts) <= 160
    sysm = _System(game)
    for p in pts:
        assert all(abs(q.sum() - 1.0) <= 1e-8 for q in p.profile)
        if p.lam <= 100.0:  # beyond, log-probabilities of unused strategies underflow in the profile
            v = np.log(np.concatenate(p.profile))
            assert np.max(np.abs(sysm.H(v, p.lam))) <= 1e-6 * max(1.0, p.lam)
    lam = np.array([p.lam for p in pts])
    assert lam[0] == 0.0 and lam[-1] > 1.0


def test_qre_three_player_points_match_pygambit() -> None:
    import pygambit as gbt

    rng = np.random.default_rng(7)
    game = NormalFormGame(
        title="random 2x3x2",
        players=("1", "2", "3"),
        strategies=(("a", "b"), ("c", "d", "e"), ("f", "g")),
        payoffs=rng.integers(-5, 6, size=(3, 2, 3, 2)).astype(float),
    )
    gg = to_gambit(game)
    ref = gbt.qre.logit_solve_lambda(gg, LAMBDAS)
    _, at = trace_branch(game, lambdas=LAMBDAS)
    for r, p in zip(ref, at, strict=True):
        theirs = np.array([v for pl in gg.players for _, v in r.profile[pl]], dtype=float)
        assert np.max(np.abs(theirs - np.concatenate(p.profile))) <= 1e-6
    res = logit_qre(game)
    assert res.equilibria[0].max_regret <= 1e-7 * game.payoff_range()
