"""Subgame-perfect equilibrium of general trees by subgame decomposition.

A node roots a subgame when every information set that meets its subtree lies inside it. Working from
the deepest roots up, each minimal subgame (its subgames below replaced by their values) is solved:
single decision or chance nodes by the vectorised backward step, larger two-player ones by the sequence
form, others through their strategic form (pure equilibria). The values are backed up, and the pieces
form a subgame-perfect profile, returned with beliefs (see `beliefs.py`).
"""

from __future__ import annotations

import numpy as np

from brinkmanship.games.assemble import TreeAssembler
from brinkmanship.games.extensive import CHANCE, TERMINAL, ExtensiveGame
from brinkmanship.games.numbers import decimal_fraction
from brinkmanship.games.solvers.result import DEFAULT_TOL, SolveResult, verify_behavior


def subgame_roots(game: ExtensiveGame) -> np.ndarray:
    """Boolean mask of nodes that root a subgame (terminals included)."""
    n = game.n_nodes
    idx = np.arange(n)
    personal = (game.node_infoset >= 0) & (game.node_player > 0)
    lo = np.full(game.n_infosets, n, dtype=np.int64)
    hi = np.full(game.n_infosets, -1, dtype=np.int64)
    np.minimum.at(lo, game.node_infoset[personal], idx[personal])
    np.maximum.at(hi, game.node_infoset[personal], idx[personal])
    mn = np.where(personal, lo[np.maximum(game.node_infoset, 0)], n)
    mx = np.where(personal, hi[np.maximum(game.node_infoset, 0)], -1)
    for lvl in reversed(game.levels[1:]):
        np.minimum.at(mn, game.parent[lvl], mn[lvl])
        np.maximum.at(mx, game.parent[lvl], mx[lvl])
    return (mn >= idx) & (mx < idx + game.subtree_size)


def _induced(game: ExtensiveGame, root: int, is_root: np.ndarray, values: np.ndarray) -> tuple[ExtensiveGame, list[int]]:
    """The minimal subgame at `root`: lower subgame roots become leaves carrying their values.

    Returns the game and, for each of its actions, the original global action index."""
    asm = TreeAssembler(f"{game.title} [subgame at node {root + 1}]", game.players)
    action_map: list[int] = []
    info_map: dict[int, int] = {}
    stack = [(root, -1, -1)]
    while stack:
        v, par, act = stack.pop()
        if v != root and (is_root[v] or game.node_player[v] == TERMINAL):
            o = asm.add_outcome("", [decimal_fraction(float(x)) for x in values[v]])
            asm.add_node(par, act, TERMINAL, -1, o, "")
            continue
        k = int(game.node_infoset[v])
        pl = int(game.node_player[v])
        a0, a1 = int(game.action_offset[k]), int(game.action_offset[k + 1])
        labels = [f"{a - a0 + 1}" for a in range(a0, a1)]
        probs = [game.exact_chance(a) for a in range(a0, a1)] if pl == CHANCE else None
        if k not in info_map:
            info_map[k] = asm.infoset_index(pl, None, "", labels, probs)
            action_map.extend(range(a0, a1))
        me = asm.add_node(par, act, pl, info_map[k], -1, "")
        kids = game.child_idx[game.child_ptr[v] : game.child_ptr[v + 1]]
        for j in range(len(kids) - 1, -1, -1):
            stack.append((int(kids[j]), me, j))
    sub = asm.finish()
    # TreeAssembler numbers infosets by first appearance, the order in which action_map was filled
    return sub, action_map


def _solve_minimal(sub: ExtensiveGame, tol: float) -> tuple[np.ndarray, str]:
    """One equilibrium of a minimal subgame (flat behaviour) and the method used."""
    if sub.is_perfect_information:
        from brinkmanship.games.solvers.backward import backward_values

        _, beh, _ = backward_values(sub, tol=tol)
        return beh, "backward induction"
    if sub.n_players == 2:
        from brinkmanship.games.solvers.sequence import sequence_lcp

        return sequence_lcp(sub, tol=tol).equilibria[0].behavior, "sequence form"
    from brinkmanship.games.solvers.pure import pure_equilibria
    from brinkmanship.games.strategic import to_strategic

    nfg, strats = to_strategic(sub)
    res = pure_equilibria(nfg, tol=tol)
    if not res.equilibria:
        raise ValueError("a subgame of a game with more than two players has no pure equilibrium")
    beh = sub.with_chance(np.zeros(sub.n_actions))
    for p, prof in enumerate(res.equilibria[0].strategies):
        s = strats[p][int(np.argmax(prof))]
        for k, a in zip(sub.player_infosets(p + 1), s, strict=True):
            beh[sub.action_offset[k] + (a or 0)] = 1.0
    return beh, "strategic form (pure)"


def subgame_perfect_decomposition(game: ExtensiveGame, *, tol: float = DEFAULT_TOL) -> SolveResult:
    """A subgame-perfect equilibrium of a game with imperfect information (perfect recall)."""
    is_root = subgame_roots(game)
    is_root |= game.node_player == TERMINAL
    # nodes whose minimal subgame is a single decision/chance node: all children are roots
    child_is_root = is_root[game.child_idx]
    counts = np.diff(game.child_ptr)
    all_kids = np.ones(game.n_nodes, dtype=bool)
    dec = np.flatnonzero(counts > 0)
    all_kids[dec] = np.logical_and.reduceat(child_is_root, game.child_ptr[dec])
    simple = is_root & all_kids & ((game.node_player == CHANCE) | (game.infoset_size[np.maximum(game.node_infoset, 0)] == 1))
    complex_roots = np.flatnonzero(is_root & ~simple & (game.node_player != TERMINAL))
    values = np.full((game.n_nodes, game.n_players), np.nan)
    beh = game.with_chance(np.zeros(game.n_actions))
    methods: dict[str, int] = {}
    # process complex roots deepest first; simple nodes between them by the vectorised backward step
    done = np.zeros(game.n_nodes, dtype=bool)
    for r in sorted(complex_roots.tolist(), reverse=True):
        lo, hi = r, r + int(game.subtree_size[r])
        _backup_simple(game, simple, values, beh, done, lo, hi, tol)
        sub, amap = _induced(game, r, is_root, _values_for(game, values, lo, hi))
        sbeh, how = _solve_minimal(sub, tol)
        beh[np.asarray(amap, dtype=np.int64)] = sbeh[: len(amap)]
        values[r] = sub.expected_payoffs(sub.with_chance(sbeh))
        done[r] = True
        methods[how] = methods.get(how, 0) + 1
    _backup_simple(game, simple, values, beh, done, 0, game.n_nodes, tol)
    eq = verify_behavior(game, beh, tol)
    from brinkmanship.games.beliefs import assess

    a = assess(game, eq.behavior, tol=tol)
    eq.extra.update({"beliefs": a.beliefs_lists(), "max_sequential_regret": a.max_regret})
    settings = {"tol": tol, "subgames": int(is_root.sum() - (game.node_player == TERMINAL).sum()),
                "minimal_subgames_solved": methods, "tie_break": "first action"}
    return SolveResult(game.title, "spe", "behavior", settings, [eq])


def _values_for(game: ExtensiveGame, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Values of nodes in [lo, hi): solved subgames keep theirs; terminals take cumulative payoffs."""
    out = values.copy()
    term = np.flatnonzero(game.node_player == TERMINAL)
    term = term[(term >= lo) & (term < hi)]
    out[term] = game.cumulative_payoffs[term]
    return out


def _backup_simple(
    game: ExtensiveGame, simple: np.ndarray, values: np.ndarray, beh: np.ndarray, done: np.ndarray, lo: int, hi: int,
    tol: float,
) -> None:
    """Backward step over the not-yet-done simple nodes in [lo, hi), deepest level first."""
    term = np.flatnonzero(game.node_player == TERMINAL)
    term = term[(term >= lo) & (term < hi)]
    values[term] = game.cumulative_payoffs[term]
    done[term] = True
    eps = tol * max(1.0, game.payoff_range())
    for lvl in reversed(game.levels):
        nodes = lvl[(lvl >= lo) & (lvl < hi)]
        nodes = nodes[simple[nodes] & ~done[nodes]]
        if nodes.size == 0:
            continue
        pos, seg = game.child_positions(nodes)
        ch = game.child_idx[pos]
        counts = game.child_ptr[nodes + 1] - game.child_ptr[nodes]
        is_ch = np.repeat(game.node_player[nodes] == CHANCE, counts)
        w = np.where(is_ch, np.nan_to_num(game.chance_prob[game.edge_action[ch]]), 0.0)
        mover = np.repeat(np.maximum(game.node_player[nodes], 1) - 1, counts)
        score = np.where(is_ch, -np.inf, values[ch, mover])
        best = np.maximum.reduceat(score, seg)
        is_max = (score >= np.repeat(best, counts) - eps) & ~is_ch
        cand = np.where(is_max, np.arange(len(ch)), len(ch))
        pick = np.minimum.reduceat(cand, seg)
        chance_nodes = game.node_player[nodes] == CHANCE
        exp = np.add.reduceat(values[ch] * w[:, None], seg, axis=0)
        personal = ~chance_nodes
        values[nodes[chance_nodes]] = exp[chance_nodes]
        chosen = ch[pick[personal]]
        values[nodes[personal]] = values[chosen]
        beh[game.edge_action[chosen]] = 1.0
        done[nodes] = True
