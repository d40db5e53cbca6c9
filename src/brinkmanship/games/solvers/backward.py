"""Subgame-perfect equilibrium of perfect-information trees by backward induction over levels.

One NumPy pass per depth level (segmented max/argmax over the children of every node of that level), so
a 10^6-node tree costs a few dozen vectorised operations, never a Python call per node. Ties are broken
towards the first action; the number of tied nodes is reported (several SPE exist when it is > 0).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from brinkmanship.games.extensive import CHANCE, TERMINAL, ExtensiveGame
from brinkmanship.games.solvers.result import DEFAULT_TOL, Equilibrium, SolveResult, verify_behavior


def backward_values(
    game: ExtensiveGame, *, tol: float = DEFAULT_TOL, exact: bool = False, leaf_values: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """Node values (n_nodes, n_players) and the flat behaviour profile chosen; plus the count of ties.

    `leaf_values` overrides the values of any nodes (rows not NaN), used to back up solved subgames."""
    if exact:
        V = np.empty((game.n_nodes, game.n_players), dtype=object)
        zero = Fraction(0)
        V[:] = zero
        for v in np.flatnonzero(game.node_outcome >= 0):
            V[v] = list(game.exact_outcome(int(game.node_outcome[v])))
        for lvl in game.levels[1:]:
            V[lvl] += V[game.parent[lvl]]
        prob = np.array([game.exact_chance(a) if game.infoset_player[game.action_infoset[a]] == CHANCE else zero
                         for a in range(game.n_actions)], dtype=object)
        beh = np.array([zero] * game.n_actions, dtype=object)
        beh[:] = prob
        eps: Any = 0
    else:
        V = game.cumulative_payoffs.copy()
        prob = np.nan_to_num(game.chance_prob, nan=0.0)
        beh = prob.copy()
        eps = tol * max(1.0, game.payoff_range())
    fixed = np.zeros(game.n_nodes, dtype=bool)
    if leaf_values is not None:
        fixed = ~np.isnan(leaf_values[:, 0])
        V[fixed] = leaf_values[fixed]
    ties = 0
    for lvl in reversed(game.levels):
        d = lvl[(game.node_player[lvl] != TERMINAL) & ~fixed[lvl]]
        if d.size == 0:
            continue
        pl = game.node_player[d]
        for is_chance in (True, False):
            nodes = d[(pl == CHANCE) == is_chance]
            if nodes.size == 0:
                continue
            pos, seg = game.child_positions(nodes)
            ch = game.child_idx[pos]
            if is_chance:
                w = prob[game.edge_action[ch]]
                V[nodes] = np.add.reduceat(V[ch] * w[:, None], seg, axis=0)
                continue
            counts = game.child_ptr[nodes + 1] - game.child_ptr[nodes]
            mover = np.repeat(game.node_player[nodes] - 1, counts)
            score = V[ch, mover]
            best = np.maximum.reduceat(score, seg)
            is_max = score >= np.repeat(best, counts) - eps
            cand = np.where(is_max, np.arange(len(ch)), len(ch))
            pick = np.minimum.reduceat(cand, seg)
            ties += int(np.count_nonzero(np.add.reduceat(is_max.astype(np.int64), seg) > 1))
            chosen = ch[pick]
            V[nodes] = V[chosen]
            beh[game.edge_action[chosen]] = Fraction(1) if exact else 1.0
    return V, beh, ties


def subgame_perfect(game: ExtensiveGame, *, tol: float = DEFAULT_TOL, exact: bool = False) -> SolveResult:
    """The SPE of a perfect-information game found by backward induction (verified before returning)."""
    if not game.is_perfect_information:
        raise ValueError("backward induction needs perfect information; use the subgame method instead")
    V, beh, ties = backward_values(game, tol=tol, exact=exact)
    eq = _verified(game, beh, V, tol, exact, ties)
    settings = {"tol": tol, "exact": exact, "tie_break": "first action", "tied_nodes": ties}
    return SolveResult(game.title, "spe", "behavior", settings, [eq])


def _verified(game: ExtensiveGame, beh: np.ndarray, V: np.ndarray, tol: float, exact: bool, ties: int) -> Equilibrium:
    fbeh = np.array([float(v) for v in beh]) if exact else beh
    eq = verify_behavior(game, fbeh, tol, extra={"tied_nodes": ties})
    if exact:
        return Equilibrium(beh, list(V[0]), eq.max_regret, exact=True, extra=eq.extra, nest=game.behavior_lists)
    return eq
