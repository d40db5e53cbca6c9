"""Support enumeration: the benchmark games against pygambit in both arithmetics, and the fast paths
(vertex search by pivoting, pruning, fraction-free elimination) against the plain enumeration."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from gamehelpers import flat, gambit_profile_vector, rounded_set, to_gambit
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.games.generate import random_bimatrix
from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers import support as se


def _gambit(game: NormalFormGame, rational: bool) -> list[tuple[Fraction, ...]]:
    import pygambit as gbt

    gg = to_gambit(game)
    return [gambit_profile_vector(gg, eq) for eq in gbt.nash.enummixed_solve(gg, rational=rational).equilibria]


def test_benchmark_game_rational_8x8_equals_enummixed_exactly() -> None:
    """The bench's rational 8x8 game (seed 8): the same set of exact profiles as pygambit's rational run."""
    game = random_bimatrix(8, 8, seed=8)
    ours = se.support_enumeration(game, exact=True)
    ref = _gambit(game, rational=True)
    assert {flat(e.strategies) for e in ours.equilibria} == set(ref)
    assert len(ours.equilibria) == len(set(ref))
    assert all(e.exact and e.max_regret == 0 for e in ours.equilibria)


def test_benchmark_game_rational_10x10_equals_enummixed() -> None:
    """The bench's rational 10x10 game (seed 10) against pygambit's float set (its rational run takes a
    minute; the bench compares the exact sets) and against our own float run."""
    game = random_bimatrix(10, 10, seed=10)
    ours = se.support_enumeration(game, exact=True)
    assert all(e.exact and e.max_regret == 0 for e in ours.equilibria)
    found = rounded_set(flat(e.strategies) for e in ours.equilibria)
    assert found == rounded_set(_gambit(game, rational=False))
    assert found == rounded_set(flat(e.strategies) for e in se.support_enumeration(game).equilibria)


@pytest.mark.parametrize("k", [10, 12])
def test_benchmark_games_float_equal_enummixed(k: int) -> None:
    game = random_bimatrix(k, k, seed=k)
    ours = se.support_enumeration(game)
    ref = _gambit(game, rational=False)
    assert rounded_set(flat(e.strategies) for e in ours.equilibria) == rounded_set(ref)
    assert len(ours.equilibria) == len(rounded_set(ref))


@pytest.mark.parametrize(("m", "n", "seed", "integers"), [(6, 7, 1, False), (9, 8, 3, False), (7, 7, 5, True),
                                                          (8, 9, 2, True), (5, 6, 4, True)])
def test_vertex_search_equals_enumeration(m: int, n: int, seed: int, integers: bool) -> None:
    """Pivoting finds the same vertices (and labels) as solving every system; on a degenerate polytope it
    declines and the enumeration answers."""
    game = random_bimatrix(m, n, seed=seed, integers=integers)
    B = game.payoffs[1]
    M = ((B - B.min()) / np.ptp(B) + 1.0).T
    walked = se._vertices_pivot(M, 1e-9)
    listed = se._vertices_enumerated(M, 1e-9)
    if walked is not None:
        assert len(walked) == len(listed)
        np.testing.assert_allclose(np.unique(np.round(walked, 8), axis=0), np.unique(np.round(listed, 8), axis=0))
    Mi = se._integer_matrix(game.exact_payoffs()[1]).T
    exact_walk = se._vertices_exact_pivot(Mi)
    exact_list = se._vertices_exact_enumerated(Mi)
    if exact_walk is not None:
        a = {k: (tuple(z), tuple(t)) for k, z, t in zip(*exact_walk, strict=True)}
        b = {k: (tuple(z), tuple(t)) for k, z, t in zip(*exact_list, strict=True)}
        assert a == b
    if not integers:
        assert walked is not None and exact_walk is not None  # generic payoffs: the fast path is taken


def test_degenerate_game_takes_the_enumeration_path() -> None:
    game = NormalFormGame.bimatrix([[1, 1], [1, 1]], [[1, 1], [1, 1]])
    M = se._integer_matrix(game.exact_payoffs()[1]).T
    assert se._vertices_exact_pivot(M) is None
    assert {flat(e.strategies) for e in se.support_enumeration(game, exact=True).equilibria} == set(
        _gambit(game, rational=True))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(1, 6).flatmap(lambda s: st.lists(st.lists(st.integers(-50, 50), min_size=s, max_size=s),
                                                     min_size=s, max_size=s)))
def test_fraction_free_elimination_solves_exactly(rows: list[list[int]]) -> None:
    s = len(rows)
    out = se._bareiss([[*r, 1] for r in rows])
    A = np.array(rows, dtype=object)
    if out is None:
        assert round(np.linalg.det(np.array(rows, dtype=float))) == 0
        return
    num, det = out
    assert det != 0 and abs(det) == abs(round(np.linalg.det(np.array(rows, dtype=float))))
    z = [Fraction(v, det) for v in num]
    assert [sum(A[i, j] * z[j] for j in range(s)) for i in range(s)] == [1] * s


def test_strictly_dominated_strategies_are_removed_first() -> None:
    # row 3 is dominated by row 1; then column 2 is dominated by column 1
    game = NormalFormGame.bimatrix([[3, 1], [0, 2], [2, 0]], [[2, 1], [1, 3], [3, 1]])
    rows, cols = se.undominated(game, exact=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    res = se.support_enumeration(game, exact=True)
    assert res.settings["dominated_removed"] == [1, 0]
    assert {flat(e.strategies) for e in res.equilibria} == set(_gambit(game, rational=True))


def test_limits_are_memory_and_work_not_a_system_count() -> None:
    """14 x 14 is solved (pygambit solves it); a 40 x 40 game is refused with a clear message."""
    se._check_size(14, 14, se.MAX_SYSTEMS)
    with pytest.raises(ValueError, match="GiB"):
        se._check_size(40, 40, 10**30)
    with pytest.raises(ValueError, match="candidate supports"):
        se._check_size(20, 20, se.MAX_SYSTEMS)


def test_more_strategies_than_bit_masks_still_solved() -> None:
    game = random_bimatrix(70, 2, seed=1)
    ours = se.support_enumeration(game)
    assert rounded_set(flat(e.strategies) for e in ours.equilibria) == rounded_set(_gambit(game, rational=False))
