"""Random games for tests and benchmarks, built directly as arrays (a 10^6-node tree in well under a second)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from brinkmanship.games.extensive import TERMINAL, ExtensiveGame
from brinkmanship.games.normal import NormalFormGame


def random_bimatrix(m: int, n: int, seed: int = 0, *, integers: bool = False) -> NormalFormGame:
    """A random m x n two-player game (standard normal payoffs, or integers in [-9, 9])."""
    rng = np.random.default_rng(seed)
    if integers:
        A = rng.integers(-9, 10, size=(m, n))
        B = rng.integers(-9, 10, size=(m, n))
        return NormalFormGame.bimatrix(A.tolist(), B.tolist(), title=f"random {m}x{n} (seed {seed})")
    pay = rng.normal(size=(2, m, n)).round(6)
    return NormalFormGame(
        title=f"random {m}x{n} (seed {seed})",
        players=("1", "2"),
        strategies=(tuple(str(i + 1) for i in range(m)), tuple(str(j + 1) for j in range(n))),
        payoffs=pay,
    )


def complete_tree(
    branching: int,
    depth: int,
    *,
    n_players: int = 2,
    info: Literal["perfect", "own"] = "perfect",
    seed: int = 0,
    payoff_range: int = 100,
    payoffs: Literal["integer", "normal"] = "integer",
) -> ExtensiveGame:
    """A complete `branching`-ary tree of `depth` moves; players move in turn (depth d: player d % n + 1).

    info="perfect": every node is its own information set. info="own": a player observes only its own
    earlier moves (perfect recall, much imperfect information), which keeps the sequence form small.
    Leaves carry random integer payoffs in [-payoff_range, payoff_range], or standard normal ones
    (payoffs="normal": no ties, which keeps pivoting methods nondegenerate)."""
    b, D = branching, depth
    rng = np.random.default_rng(seed)
    # subtree size of a node at depth d
    size = np.array([(b ** (D - d + 1) - 1) // (b - 1) for d in range(D + 1)], dtype=np.int64)
    n = int(size[0])
    parent = np.full(n, -1, dtype=np.int64)
    depth_of = np.zeros(n, dtype=np.int64)
    action = np.full(n, -1, dtype=np.int64)
    own_hist = np.zeros((n, n_players), dtype=np.int64)  # base-b code of each player's own moves so far
    level = np.array([0], dtype=np.int64)
    child_ptr_counts = np.zeros(n, dtype=np.int64)
    for d in range(D):
        kids = (level[:, None] + 1 + np.arange(b)[None, :] * size[d + 1]).ravel()
        acts = np.tile(np.arange(b), len(level))
        par = np.repeat(level, b)
        parent[kids] = par
        action[kids] = acts
        depth_of[kids] = d + 1
        mover = d % n_players
        own_hist[kids] = own_hist[par]
        own_hist[kids, mover] = own_hist[par, mover] * b + acts
        child_ptr_counts[level] = b
        level = kids
    child_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(child_ptr_counts, out=child_ptr[1:])
    child_idx = np.argsort(parent[1:], kind="stable").astype(np.int64) + 1
    decision = depth_of < D
    node_player = np.where(decision, depth_of % n_players + 1, TERMINAL)
    dec_nodes = np.flatnonzero(decision)
    if info == "perfect":
        key = dec_nodes
    else:
        mover = depth_of[dec_nodes] % n_players
        code = own_hist[dec_nodes, mover]
        key = depth_of[dec_nodes] * (b ** (D + 1)) + code
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    node_infoset = np.full(n, -1, dtype=np.int64)
    node_infoset[dec_nodes] = rank[inverse]
    n_inf = len(order)
    infoset_player = node_player[dec_nodes[first[order]]]
    infoset_number = np.zeros(n_inf, dtype=np.int64)
    for p in range(1, n_players + 1):
        mine = infoset_player == p
        infoset_number[mine] = np.arange(1, int(mine.sum()) + 1)
    action_offset = np.arange(n_inf + 1, dtype=np.int64) * b
    leaves = np.flatnonzero(~decision)
    node_outcome = np.full(n, -1, dtype=np.int64)
    node_outcome[leaves] = np.arange(len(leaves))
    if payoffs == "normal":
        pay = rng.normal(size=(len(leaves), n_players)).round(9)
    else:
        pay = rng.integers(-payoff_range, payoff_range + 1, size=(len(leaves), n_players)).astype(float)
    return ExtensiveGame(
        title=f"complete tree b={b} depth={D} ({info} information, seed {seed})",
        players=tuple(str(i + 1) for i in range(n_players)),
        parent=parent,
        node_player=node_player,
        node_infoset=node_infoset,
        node_action=action,
        node_outcome=node_outcome,
        child_ptr=child_ptr,
        child_idx=child_idx,
        infoset_player=infoset_player,
        infoset_number=infoset_number,
        action_offset=action_offset,
        chance_prob=np.full(n_inf * b, np.nan),
        outcome_payoffs=pay,
    )
