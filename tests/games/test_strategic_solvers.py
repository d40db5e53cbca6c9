"""Strategic-form solvers against pygambit: support enumeration = enummixed (as sets), LH, pure."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from gamehelpers import flat, gambit_profile_vector, rounded_set, to_gambit
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.games.generate import random_bimatrix
from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.lemke_howson import lemke_howson
from brinkmanship.games.solvers.pure import pure_equilibria
from brinkmanship.games.solvers.result import EquilibriumCheckError, verify_strategic
from brinkmanship.games.solvers.support import support_enumeration


def _gambit_set(game: NormalFormGame) -> set[tuple[Fraction, ...]]:
    import pygambit as gbt

    gg = to_gambit(game)
    return {gambit_profile_vector(gg, eq) for eq in gbt.nash.enummixed_solve(gg, rational=True).equilibria}


@st.composite
def bimatrices(draw, max_size: int = 6, lo: int = -3, hi: int = 3):
    m = draw(st.integers(1, max_size))
    n = draw(st.integers(1, max_size))
    cells = st.integers(lo, hi)
    A = draw(st.lists(st.lists(cells, min_size=n, max_size=n), min_size=m, max_size=m))
    B = draw(st.lists(st.lists(cells, min_size=n, max_size=n), min_size=m, max_size=m))
    return NormalFormGame.bimatrix(A, B)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(bimatrices())
def test_support_enumeration_equals_enummixed_float(game: NormalFormGame) -> None:
    """Small integer payoffs make most of these games degenerate: the hard case."""
    ours = support_enumeration(game)
    assert rounded_set(flat(e.strategies) for e in ours.equilibria) == rounded_set(_gambit_set(game))
    assert len(ours.equilibria) == len(rounded_set(flat(e.strategies) for e in ours.equilibria))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(bimatrices(max_size=4))
def test_support_enumeration_exact_equals_enummixed_exactly(game: NormalFormGame) -> None:
    ours = support_enumeration(game, exact=True)
    assert {flat(e.strategies) for e in ours.equilibria} == _gambit_set(game)
    assert all(e.max_regret == 0 for e in ours.equilibria)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_8x8_finds_every_equilibrium(seed: int) -> None:
    game = random_bimatrix(8, 8, seed=seed)
    import pygambit as gbt

    gg = to_gambit(game)
    ref = {tuple(float(v) for v in gambit_profile_vector(gg, eq))
           for eq in gbt.nash.enummixed_solve(gg, rational=False).equilibria}
    ours = support_enumeration(game)
    assert rounded_set(flat(e.strategies) for e in ours.equilibria) == rounded_set(ref)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(bimatrices(max_size=5), st.data())
def test_lemke_howson_returns_an_equilibrium_of_the_enummixed_set(game: NormalFormGame, data) -> None:
    m, n = game.shape
    label = data.draw(st.integers(0, m + n - 1))
    eq = lemke_howson(game, label=label).equilibria[0]
    assert game.max_regret([np.asarray(s) for s in eq.strategies]) <= 1e-9
    exact = lemke_howson(game, label=label, exact=True).equilibria[0]
    assert exact.max_regret == 0
    assert flat(exact.strategies) in _gambit_set(game) or exact.max_regret == 0


def test_lemke_howson_all_labels_on_chicken() -> None:
    from brinkmanship.games.library.classic import chicken

    res = lemke_howson(chicken(), all_labels=True)
    found = rounded_set(flat(e.strategies) for e in res.equilibria)
    assert found <= rounded_set(_gambit_set(chicken()))
    assert res.method == "lemke-howson" and res.settings["labels"] == [0, 1, 2, 3]


def test_three_player_pure_equilibria_match_enumpure() -> None:
    import pygambit as gbt

    rng = np.random.default_rng(5)
    pay = rng.integers(0, 3, size=(3, 2, 3, 2))
    game = NormalFormGame.from_payoffs(pay.tolist())
    gg = to_gambit(game)
    ref = {gambit_profile_vector(gg, eq) for eq in gbt.nash.enumpure_solve(gg).equilibria}
    ours = pure_equilibria(game, exact=True)
    assert {flat(e.strategies) for e in ours.equilibria} == ref
    assert len(ref) > 0


def test_results_record_method_and_settings() -> None:
    res = support_enumeration(random_bimatrix(3, 3, seed=1), tol=1e-9)
    assert res.method == "support" and res.settings["tol"] == 1e-9 and res.form == "strategic"


def test_verification_rejects_non_equilibria() -> None:
    from brinkmanship.games.library.classic import prisoners_dilemma

    with pytest.raises(EquilibriumCheckError):
        verify_strategic(prisoners_dilemma(), [[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(EquilibriumCheckError):
        verify_strategic(prisoners_dilemma(), [[0.0, 0.9], [0.0, 1.0]])
