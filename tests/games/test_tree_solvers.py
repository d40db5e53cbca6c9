"""Tree solvers: backward induction, sequence-form LCP, subgame decomposition, checked by pygambit."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from gamehelpers import gambit_behavior, to_gambit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from brinkmanship.games.builder import chance, game, leaf, move
from brinkmanship.games.generate import complete_tree
from brinkmanship.games.solvers.backward import subgame_perfect
from brinkmanship.games.solvers.sequence import sequence_lcp
from brinkmanship.games.solvers.subgames import subgame_perfect_decomposition, subgame_roots


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(2, 3), st.integers(1, 4), st.integers(0, 10_000))
def test_backward_induction_is_a_nash_equilibrium_for_pygambit(b: int, depth: int, seed: int) -> None:
    g = complete_tree(b, depth, seed=seed)
    eq = subgame_perfect(g).equilibria[0]
    prof = gambit_behavior(to_gambit(g), g, eq.behavior)
    assert prof.max_regret() <= 1e-9
    assert np.allclose([prof.payoffs[p] for p in prof.game.players], eq.payoffs)


def test_backward_induction_exact_equals_float() -> None:
    g = complete_tree(3, 4, seed=7)
    a = subgame_perfect(g).equilibria[0]
    b = subgame_perfect(g, exact=True).equilibria[0]
    assert [float(x) for x in b.payoffs] == a.payoffs
    assert all(isinstance(x, Fraction) for x in b.payoffs)


def test_backward_induction_on_a_large_tree_is_subgame_perfect() -> None:
    g = complete_tree(2, 16, seed=1)  # 131,071 nodes
    res = subgame_perfect(g)
    eq = res.equilibria[0]
    assert eq.max_regret <= 1e-9
    # every decision node plays a best child given the values below (one-shot deviation check)
    from brinkmanship.games.beliefs import continuation_values

    W = continuation_values(g, eq.behavior)
    dec = np.flatnonzero(g.node_player > 0)
    kids = g.child_idx[g.child_ptr[dec][:, None] + np.arange(2)[None, :]]
    mover = g.node_player[dec] - 1
    best = np.maximum(W[kids[:, 0], mover], W[kids[:, 1], mover])
    assert np.allclose(W[dec, mover], best)


def test_backward_induction_refuses_imperfect_information() -> None:
    with pytest.raises(ValueError, match="perfect information"):
        subgame_perfect(complete_tree(2, 2, info="own"))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.integers(2, 3), st.integers(2, 4), st.sampled_from(["own", "perfect"]), st.integers(0, 10_000))
def test_sequence_form_equilibrium_is_verified_by_pygambit(b: int, depth: int, info: str, seed: int) -> None:
    g = complete_tree(b, depth, info=info, seed=seed)
    res = sequence_lcp(g)
    eq = res.equilibria[0]
    prof = gambit_behavior(to_gambit(g), g, eq.behavior)
    assert prof.max_regret() <= 1e-7 * max(1.0, g.payoff_range())
    assert res.method == "sequence" and res.settings["lcp_size"] > 0


def test_sequence_form_with_chance_matches_pygambit_lcp() -> None:
    import pygambit as gbt

    g = game(
        "chance", ["A", "B"],
        chance({
            "l": (Fraction(1, 3), move("A", {"x": move("B", {"u": leaf("", 3, 1), "d": leaf("", 0, 0)}, infoset="b"),
                                              "y": move("B", {"u": leaf("", 0, 0), "d": leaf("", 1, 3)}, infoset="b")},
                                       infoset="a")),
            "r": (Fraction(2, 3), move("A", {"x": leaf("", 2, 2), "y": leaf("", -1, 4)}, infoset="a")),
        }),
    )
    ours = sequence_lcp(g, exact=True).equilibria[0]
    gg = to_gambit(g)
    theirs = gbt.nash.lcp_solve(gg, rational=True).equilibrium
    assert theirs.max_regret() == 0
    assert gambit_behavior(gg, g, np.array([float(x) for x in ours.raw])).max_regret() <= 1e-12


def test_subgame_roots_of_a_signalling_tree() -> None:
    g = game(
        "t", ["A", "B"],
        move("A", {
            "out": leaf("o", 0, 0),
            "in": move("A", {"l": move("B", {"a": leaf("", 1, 1), "b": leaf("", 0, 2)}, infoset="B"),
                             "r": move("B", {"a": leaf("", 2, 0), "b": leaf("", -1, -1)}, infoset="B")}),
        }),
    )
    roots = subgame_roots(g)
    assert roots[0] and roots[2] and not roots[3]  # B's nodes share an infoset: no subgame at either


def test_subgame_decomposition_is_subgame_perfect() -> None:
    """Entry game with a simultaneous-move subgame: the SPE enters iff the subgame value beats staying out."""
    sub = {"l": move("B", {"a": leaf("", 3, 1), "b": leaf("", 0, 0)}, infoset="B"),
           "r": move("B", {"a": leaf("", 0, 0), "b": leaf("", 1, 3)}, infoset="B")}
    g = game("entry", ["A", "B"], move("A", {"out": leaf("out", 2, 2), "in": move("A", sub, infoset="A2")}))
    res = subgame_perfect_decomposition(g)
    eq = res.equilibria[0]
    assert eq.max_regret <= 1e-9
    # the subgame's equilibrium is played in the subgame even though it may be off the path
    assert res.settings["minimal_subgames_solved"] == {"sequence form": 1}
    assert eq.extra["max_sequential_regret"] <= 1e-9


def _plan_from_behavior(g, player: int, probs_per_infoset) -> np.ndarray:
    s = g.sequences[player - 1]
    plan = np.zeros(int(s["n_seq"]))
    plan[0] = 1.0
    for k, probs in zip(g.player_infosets(player), probs_per_infoset, strict=True):
        par = plan[int(s["parent_seq"][k])]
        a0 = int(s["seq_of_action"][int(g.action_offset[k])])
        for j, pr in enumerate(probs):
            plan[a0 + j] = par * float(pr) if par > 0 else 0.0
    return plan


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(2, 3), st.integers(2, 3), st.sampled_from(["own", "perfect"]), st.integers(0, 10_000))
def test_support_enumeration_on_small_trees_equals_enummixed(b: int, depth: int, info: str, seed: int) -> None:
    """Both sides use the reduced strategic form; equilibria are compared as realisation plans."""
    import pygambit as gbt

    from brinkmanship.games.solvers.support import support_enumeration
    from brinkmanship.games.strategic import realization_plan, to_strategic

    assume(not (b == 3 and depth == 3 and info == "perfect"))  # 81 x 27: too many supports for a test
    g = complete_tree(b, depth, info=info, seed=seed, payoff_range=3)
    nfg, strats = to_strategic(g)
    ours = set()
    for eq in support_enumeration(nfg).equilibria:
        plans = [realization_plan(g, p + 1, strats[p], eq.strategies[p]) for p in range(2)]
        ours.add(tuple(np.round(np.concatenate(plans), 6) + 0.0))
    gg = to_gambit(g)
    theirs = set()
    for eq in gbt.nash.enummixed_solve(gg, rational=True).equilibria:
        beh = eq.as_behavior()
        plans = [_plan_from_behavior(g, p + 1, [[v for _, v in act] for _, act in beh[pl]])
                 for p, pl in enumerate(gg.players)]
        theirs.add(tuple(np.round(np.concatenate(plans), 6) + 0.0))
    assert ours == theirs
