"""Shared helpers for the games tests: pygambit conversions and game comparison."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np

from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.gambit_io import write_efg, write_nfg
from brinkmanship.games.normal import NormalFormGame


def to_gambit(game: ExtensiveGame | NormalFormGame):
    """The same game inside pygambit (through our writer)."""
    import pygambit as gbt

    if isinstance(game, ExtensiveGame):
        return gbt.read_efg(io.StringIO(write_efg(game)))
    return gbt.read_nfg(io.StringIO(write_nfg(game)))


def gambit_profile_vector(gg, eq) -> tuple[Fraction, ...]:
    """A pygambit mixed-strategy profile as one flat tuple of Fractions, players in order."""
    return tuple(Fraction(str(v)) for p in gg.players for _, v in eq[p])


def rounded_set(vectors, digits: int = 6) -> set[tuple[float, ...]]:
    """Profiles as a set of rounded tuples (pygambit may repeat an equilibrium)."""
    return {tuple(round(float(v), digits) + 0.0 for v in vec) for vec in vectors}


def flat(strategies) -> tuple:
    """Nested strategies flattened to one tuple."""
    out = []
    for s in strategies:
        out.extend(s)
    return tuple(out)


def gambit_behavior(gg, game: ExtensiveGame, beh: np.ndarray):
    """Load our flat behaviour profile into a pygambit MixedBehaviorProfileDouble."""
    import pygambit as gbt

    prof = gg.mixed_behavior_profile(rational=False)
    first = game.infoset_first_member
    for k in np.flatnonzero(game.infoset_player > 0):
        v = int(first[k])
        path = []
        while game.parent[v] >= 0:
            path.append(game.action_label(int(game.edge_action[v])))
            v = int(game.parent[v])
        a0, a1 = int(game.action_offset[k]), int(game.action_offset[k + 1])
        dist = {game.action_label(a): float(beh[a]) for a in range(a0, a1)}
        if sum(dist.values()) <= 0:
            dist = {key: 1.0 for key in dist}
        prof[gbt.H.path(*reversed(path))] = dist
    return prof


def same_extensive(a: ExtensiveGame, b: ExtensiveGame) -> None:
    """Assert two trees are the same game: structure, labels, chance probabilities, payoffs (exact)."""
    assert a.title == b.title and a.players == b.players
    for f in ("parent", "node_player", "node_action", "infoset_player", "action_offset"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    # infosets may be renumbered; compare the partition of nodes
    np.testing.assert_array_equal(a.node_infoset, b.node_infoset)
    assert [a.action_label(i) for i in range(a.n_actions)] == [b.action_label(i) for i in range(b.n_actions)]
    for v in range(a.n_nodes):
        oa, ob = int(a.node_outcome[v]), int(b.node_outcome[v])
        pa = a.exact_outcome(oa) if oa >= 0 else None
        pb = b.exact_outcome(ob) if ob >= 0 else None
        assert pa == pb, f"node {v}: {pa} != {pb}"
    chance = np.flatnonzero(a.infoset_player[a.action_infoset] == 0)
    assert [a.exact_chance(int(x)) for x in chance] == [b.exact_chance(int(x)) for x in chance]


def same_normal(a: NormalFormGame, b: NormalFormGame) -> None:
    """Assert two strategic games are equal (players, strategies, exact payoffs)."""
    assert a.title == b.title and a.players == b.players and a.strategies == b.strategies
    assert (a.exact_payoffs() == b.exact_payoffs()).all()
