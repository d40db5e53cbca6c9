"""Assessments for games of incomplete information: behaviour strategies plus beliefs, and their check.

Beliefs follow Bayes' rule wherever an information set is reached; at unreached ones they are the limit
of a slightly trembled profile (every action played with probability eps), as in a sequential equilibrium.
Sequential rationality is checked at every information set: the regret of the prescribed action mix
against the best action, given the beliefs and the continuation play.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brinkmanship.games.extensive import CHANCE, TERMINAL, ExtensiveGame


@dataclass(frozen=True)
class Assessment:
    """Beliefs over nodes (flat, by node), per-infoset sequential regrets, and the largest of them."""

    game: ExtensiveGame
    beliefs: np.ndarray
    infoset_regrets: np.ndarray
    max_regret: float

    def beliefs_lists(self) -> list[list[list[float]]]:
        """Per player, per infoset (file order): the belief on each member node (pre-order)."""
        g = self.game
        out = []
        for p in range(1, g.n_players + 1):
            rows = []
            for k in g.player_infosets(p):
                rows.append([float(self.beliefs[v]) for v in np.flatnonzero(g.node_infoset == k)])
            out.append(rows)
        return out


def continuation_values(game: ExtensiveGame, beh: np.ndarray) -> np.ndarray:
    """Expected payoffs (n_nodes, n_players) from each node on, under the profile."""
    W = game.cumulative_payoffs.copy()
    for lvl in reversed(game.levels):
        nodes = lvl[game.node_player[lvl] != TERMINAL]
        if nodes.size == 0:
            continue
        pos, seg = game.child_positions(nodes)
        ch = game.child_idx[pos]
        W[nodes] = np.add.reduceat(W[ch] * beh[game.edge_action[ch]][:, None], seg, axis=0)
    return W


def node_beliefs(game: ExtensiveGame, beh: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Belief on each decision node within its infoset (Bayes; trembles where unreached)."""
    dec = np.flatnonzero(game.node_infoset >= 0)
    k = game.node_infoset[dec]
    out = np.zeros(game.n_nodes)
    trembled = game.with_chance((1 - eps) * beh + eps / game.infoset_nactions[game.action_infoset])
    for prof in (trembled, beh):  # exact Bayes overrides trembles where the set is reached
        r = game.reach(prof)[dec]
        tot = np.bincount(k, weights=r, minlength=game.n_infosets)
        ok = tot[k] > 0
        out[dec[ok]] = r[ok] / tot[k][ok]
    return out


def assess(game: ExtensiveGame, beh: np.ndarray, *, tol: float = 1e-8) -> Assessment:
    """Beliefs and sequential-rationality regrets of a behaviour profile."""
    beh = game.with_chance(beh)
    mu = node_beliefs(game, beh)
    W = continuation_values(game, beh)
    personal = np.flatnonzero((game.node_infoset >= 0) & (game.node_player > 0))
    pos, _ = game.child_positions(personal)
    ch = game.child_idx[pos]
    par = game.parent[ch]
    Q = np.zeros(game.n_actions)
    np.add.at(Q, game.edge_action[ch], mu[par] * W[ch, game.node_player[par] - 1])
    regrets = np.zeros(game.n_infosets)
    pers_inf = np.flatnonzero(game.infoset_player != CHANCE)
    for k in pers_inf:  # per infoset; small games (the deterrence models) only
        a0, a1 = int(game.action_offset[k]), int(game.action_offset[k + 1])
        regrets[k] = Q[a0:a1].max() - float(beh[a0:a1] @ Q[a0:a1])
    del tol
    return Assessment(game, mu, regrets, float(regrets.max(initial=0.0)))
