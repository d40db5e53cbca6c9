"""The strategic (normal) form of an extensive game, reduced as Gambit's is.

A pure strategy picks one action per information set; in the reduced form, choices at information sets
that the player's own earlier moves already exclude are left out ('*'), and strategies that differ only
there are merged.
"""

from __future__ import annotations

import itertools

import numpy as np

from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.normal import NormalFormGame

MAX_CELLS = 2_000_000

Strategy = tuple[int | None, ...]


def pure_strategies(game: ExtensiveGame, player: int, *, reduced: bool = True) -> list[Strategy]:
    """Pure strategies of `player` (1-based): one action position per infoset (None = excluded)."""
    infosets = game.player_infosets(player)
    s = game.sequences[player - 1]
    seq_owner = {}
    for pos, k in enumerate(infosets):
        a0 = int(game.action_offset[k])
        for j in range(int(game.infoset_nactions[k])):
            seq_owner[int(s["seq_of_action"][a0 + j])] = (pos, j)
    parent = [int(s["parent_seq"][k]) for k in infosets]
    out: list[Strategy] = []
    seen = set()
    for combo in itertools.product(*[range(int(game.infoset_nactions[k])) for k in infosets]):
        if not reduced:
            out.append(tuple(combo))
            continue
        relevant = []
        for pos in range(len(infosets)):  # parents come first in file order (pre-order)
            ps = parent[pos]
            if ps == 0:
                relevant.append(True)
            else:
                ppos, pj = seq_owner[ps]
                relevant.append(relevant[ppos] and combo[ppos] == pj)
        key = tuple(a if r else None for a, r in zip(combo, relevant, strict=True))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def realization_plan(game: ExtensiveGame, player: int, strategies: list[Strategy], mix: list[float]) -> np.ndarray:
    """Sequence-form realisation plan of a mixed (reduced) strategy: probability of each own sequence."""
    s = game.sequences[player - 1]
    infosets = game.player_infosets(player)
    plan = np.zeros(int(s["n_seq"]))
    plan[0] = 1.0
    for strat, w in zip(strategies, mix, strict=True):
        for pos, k in enumerate(infosets):
            a = strat[pos]
            if a is not None:
                plan[int(s["seq_of_action"][int(game.action_offset[k]) + a])] += float(w)
    return plan


def to_strategic(game: ExtensiveGame, *, reduced: bool = True) -> tuple[NormalFormGame, list[list[Strategy]]]:
    """The (reduced) strategic form and each player's list of pure strategies."""
    for p in range(1, game.n_players + 1):  # enumeration walks every unreduced combination: bound it first
        combos = 1
        for k in game.player_infosets(p):
            combos *= int(game.infoset_nactions[k])
            if combos > MAX_CELLS:
                raise ValueError(f"player {p} has more than {MAX_CELLS:,} pure strategies (the limit); "
                                 "use a tree method (spe or sequence)")
    strats = [pure_strategies(game, p, reduced=reduced) for p in range(1, game.n_players + 1)]
    shape = tuple(len(s) for s in strats)
    cells = int(np.prod(shape))
    if cells > MAX_CELLS:
        raise ValueError(f"the strategic form has {cells} cells (limit {MAX_CELLS}); use a tree method")
    pay = np.zeros((game.n_players, *shape))
    t = game.terminals
    for cell in itertools.product(*[range(s) for s in shape]):
        beh = game.with_chance(np.zeros(game.n_actions))
        for p, j in enumerate(cell):
            for k, a in zip(game.player_infosets(p + 1), strats[p][j], strict=True):
                beh[game.action_offset[k] + (a or 0)] = 1.0
        pay[(slice(None), *cell)] = game.reach(beh)[t] @ game.cumulative_payoffs[t]
    names = []
    for p in range(game.n_players):
        infos = game.player_infosets(p + 1)
        sep = "." if len(infos) > 1 else ""
        names.append(tuple(
            sep.join("*" if a is None else game.action_label(int(game.action_offset[k]) + a)
                     for k, a in zip(infos, s, strict=True)) or "-"
            for s in strats[p]
        ))
    nfg = NormalFormGame(
        title=game.title, players=game.players, strategies=tuple(names), payoffs=pay, source=game.source
    )
    return nfg, strats
