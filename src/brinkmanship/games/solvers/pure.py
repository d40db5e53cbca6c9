"""Pure-strategy Nash equilibria of n-player strategic games, vectorised over all profiles."""

from __future__ import annotations

import numpy as np

from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import DEFAULT_TOL, SolveResult, verify_strategic


def pure_equilibria(game: NormalFormGame, *, tol: float = DEFAULT_TOL, exact: bool = False) -> SolveResult:
    """All pure equilibria: cells where every player's payoff is maximal along that player's axis."""
    if exact:
        pay = game.exact_payoffs()
        ok = np.ones(game.shape, dtype=bool)
        for i in range(game.n_players):
            best = np.max(pay[i], axis=i, keepdims=True)
            ok &= pay[i] == best
    else:
        pay = game.payoffs
        eps = tol * max(1.0, game.payoff_range())
        ok = np.ones(game.shape, dtype=bool)
        for i in range(game.n_players):
            ok &= pay[i] >= np.max(pay[i], axis=i, keepdims=True) - eps
    eqs = []
    for cell in np.argwhere(ok):
        profile = []
        for i, k in enumerate(cell):
            v = np.zeros(game.shape[i], dtype=object if exact else float)
            if exact:
                from fractions import Fraction

                v[:] = Fraction(0)
                v[k] = Fraction(1)
            else:
                v[k] = 1.0
            profile.append(list(v))
        eqs.append(verify_strategic(game, profile, tol))
    return SolveResult(game.title, "pure", "strategic", {"tol": tol, "exact": exact}, eqs)
