"""One entry point: pick and run a solver for a game (`brink solve` uses it)."""

from __future__ import annotations

from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import DEFAULT_TOL, SolveResult

METHODS = ("pure", "support", "lemke-howson", "sequence", "spe", "qre")


def default_method(game: ExtensiveGame | NormalFormGame) -> str:
    """support for 2-player strategic games, pure for n-player; spe for trees."""
    if isinstance(game, NormalFormGame):
        return "support" if game.n_players == 2 else "pure"
    return "spe"


def solve(
    game: ExtensiveGame | NormalFormGame,
    method: str | None = None,
    *,
    exact: bool = False,
    tol: float = DEFAULT_TOL,
) -> SolveResult:
    """Solve `game` by `method` (default by game type). Strategic methods on a tree use its strategic form."""
    method = method or default_method(game)
    if method not in METHODS:
        raise ValueError(f"unknown method '{method}' (use one of {', '.join(METHODS)})")
    if isinstance(game, ExtensiveGame):
        if method == "spe":
            if game.is_perfect_information:
                from brinkmanship.games.solvers.backward import subgame_perfect

                return subgame_perfect(game, tol=tol, exact=exact)
            from brinkmanship.games.solvers.subgames import subgame_perfect_decomposition

            return subgame_perfect_decomposition(game, tol=tol)
        if method == "sequence":
            from brinkmanship.games.solvers.sequence import sequence_lcp

            return sequence_lcp(game, tol=tol, exact=exact)
        from brinkmanship.games.strategic import to_strategic

        game = to_strategic(game)[0]
    elif method in ("spe", "sequence"):
        raise ValueError(f"method '{method}' needs an extensive-form game (.efg)")
    if method == "pure":
        from brinkmanship.games.solvers.pure import pure_equilibria

        return pure_equilibria(game, tol=tol, exact=exact)
    if method == "support":
        from brinkmanship.games.solvers.support import support_enumeration

        return support_enumeration(game, tol=tol, exact=exact)
    if method == "lemke-howson":
        from brinkmanship.games.solvers.lemke_howson import lemke_howson

        return lemke_howson(game, tol=tol, exact=exact)
    from brinkmanship.games.solvers.qre import logit_qre

    return logit_qre(game)
