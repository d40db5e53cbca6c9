"""Kreps-Wilson chain store: the tree, the closed-form sequential equilibrium and backward induction agree."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from brinkmanship.games import chainstore as cs
from brinkmanship.games.beliefs import assess
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.solvers.sequence import sequence_lcp
from brinkmanship.games.solvers.subgames import subgame_perfect_decomposition

F = Fraction
# (prior, a, b): deterred from the start, mixing on the path, prior at a threshold (1/4 = (1/2)**2)
GRID = [(p, a, b) for p, a, b in itertools.product((0.05, 0.1, 0.3, 0.7), (1.5, 3.0), (0.4, 0.6))] + [(0.25, 2.0, 0.5)]


def test_tree_structure() -> None:
    g = cs.chain_store_game(3, F(1, 10), 2, F(1, 2))
    assert g.players == ("Entrant 1", "Entrant 2", "Entrant 3", "Incumbent")
    assert g.has_perfect_recall
    assert [g.exact_chance(i) for i in range(2)] == [F(1, 10), F(9, 10)]
    for k in np.flatnonzero(g.infoset_player > 0):
        role, history = g.infoset_label(int(k)).split(":")
        period = int(role[1:])
        assert len(history) == period - 1
        if role[0] == "E":  # sees the history, not the type: both types' nodes unless it accommodated
            assert g.infoset_player[k] == period
            assert g.infoset_size[k] == (1 if cs.ACCOMMODATE in history else 2)
        else:
            assert g.infoset_player[k] == 4 and g.infoset_size[k] == 1
    assert sum(1 for k in range(g.n_infosets) if g.infoset_label(k).startswith("E3:")) == 9
    # payoffs summed over the play: weak type, E1 fought, E2 accommodated, E3 out: b-1, b, 0; -1 + 0 + a
    labels = [g.outcome_labels[g.node_outcome[t]] for t in g.terminals]
    assert labels.count("FAO") == 1 and labels.count("FFF") == 2  # the second only for the strong type
    assert list(g.cumulative_payoffs[g.terminals[labels.index("FAO")]]) == [-0.5, 0.5, 0.0, 1.0]
    assert list(g.cumulative_payoffs[g.terminals[0]]) == [0.0, 0.0, 0.0, 6.0]  # strong, all out: 3a
    with pytest.raises(ValueError, match="b = 1"):
        cs.chain_store_game(2, F(1, 10), 2, 1)
    with pytest.raises(ValueError, match="a = 1"):
        cs.chain_store_game(2, F(1, 10), 1, F(1, 2))
    with pytest.raises(ValueError, match="at least one entrant"):
        cs.chain_store_game(0, F(1, 10), 2, F(1, 2))


def test_closed_form_by_hand() -> None:
    """N = 2, prior 1/10, a = 2, b = 1/2 (worked out by hand from Fudenberg & Tirole 9.2).

    Period 1: 1/10 < b**2 = 1/4, so E1 enters; the weak type fights with 1/9 (posterior 1/2 = b), so a fight
    comes with probability 1/5 and E1 gets 1/2 - 1/5 = 3/10. Period 2: after a fight E2 is indifferent and
    enters with 1 - 1/a = 1/2 (gets 0); after accommodation it enters and gets 1/2: 4/5 * 1/2 = 2/5. Entry in
    period 2: 1/5 * 1/2 + 4/5 = 9/10; the strong type is the only fighter there: (1/10 * 1/2) / (9/10)."""
    assert cs.fight_probability(2, F(1, 10), F(1, 2)) == F(1, 9)
    assert cs.posterior_after_fight(2, F(1, 10), F(1, 2)) == F(1, 2)
    assert cs.posterior_after_fight(1, F(1, 10), F(1, 2)) == 1  # the weak type never fights last
    assert cs.posterior_after_fight(3, F(1, 2), F(1, 2)) == F(1, 2)  # above b**2: both fight
    assert cs.entry_probability(1, F(1, 2), F(2), F(1, 2)) == F(1, 2)
    assert cs.entry_probability(4, F(1, 10), F(2), F(1, 2)) == 0  # 1/10 > 1/16
    assert cs.weak_value(4, F(1, 10), F(2), F(1, 2)) == 2  # one period deterred, then entry
    assert cs.weak_value(2, F(1, 4), F(2), F(1, 2)) == 1  # at the threshold: 1/a * a
    assert cs.entrant_value(2, F(1, 10), F(1, 2)) == F(3, 10)
    obj = lambda x: np.array([F(x)], dtype=object)  # noqa: E731
    path = cs.chain_store_path(2, obj(F(1, 10)), obj(2), obj(F(1, 2)))
    assert list(path.entrant_values[0]) == [F(3, 10), F(2, 5)]
    assert (path.weak_value[0], path.strong_value[0], path.incumbent_value[0]) == (0, 1, F(1, 10))
    np.testing.assert_allclose(path.entry[0], [1, 0.9], rtol=1e-15)
    np.testing.assert_allclose(path.fight[0], [0.2, (0.1 * 0.5) / 0.9], rtol=1e-15)
    np.testing.assert_allclose(path.weak_fight[0], [1 / 9, 0.0], atol=1e-16)
    np.testing.assert_allclose(path.reputation[0], [0.1, 0.1 / (0.1 + 0.9 / 9)], rtol=1e-15)


def _tree_path(g: ExtensiveGame, beh: np.ndarray) -> dict[str, np.ndarray]:
    """The equilibrium path read off the tree by reach probabilities (independent of `propagate`)."""
    beh = g.with_chance(beh)
    reach = g.reach(beh)
    n = g.n_players - 1
    strong = np.zeros(g.n_nodes, dtype=bool)
    for lvl in g.levels[1:]:
        strong[lvl] = np.where(g.parent[lvl] == 0, g.node_action[lvl] == 0, strong[g.parent[lvl]])
    acc = {k: np.zeros(n) for k in ("entry", "fights", "weak_entry", "weak_fights", "strong_intact", "intact")}
    for v in np.flatnonzero((g.node_infoset >= 0) & (g.node_player > 0)):
        k = int(g.node_infoset[v])
        role, history = g.infoset_label(k).split(":")
        t = int(role[1:]) - 1
        first = beh[int(g.action_offset[k])]
        if role[0] == "E":
            acc["entry"][t] += reach[v] * (1 - first)
            acc["fights"][t] += reach[v] * (1 - first) * strong[v]
            if cs.ACCOMMODATE not in history:
                acc["intact"][t] += reach[v]
                acc["strong_intact"][t] += reach[v] * strong[v]
        else:
            acc["weak_entry"][t] += reach[v]
            acc["weak_fights"][t] += reach[v] * first
            acc["fights"][t] += reach[v] * first
    ratio = lambda x, y: np.where(y > 0, x / np.where(y > 0, y, 1), np.nan)  # noqa: E731
    return {"entry": acc["entry"], "fight": ratio(acc["fights"], acc["entry"]),
            "weak_fight": ratio(acc["weak_fights"], acc["weak_entry"]),
            "reputation": ratio(acc["strong_intact"], acc["intact"]), "values": g.expected_payoffs(beh)}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_closed_form_is_a_sequential_equilibrium_of_the_tree(n: int) -> None:
    """No profitable deviation at any information set, beliefs by Bayes' rule, same path and values."""
    for prior, a, b in GRID:
        g = cs.chain_store_game(n, prior, a, b)
        beh = cs.closed_form_behavior(g, prior, a, b)
        assert np.all(beh >= 0) and g.max_regret(g.with_chance(beh)) <= 1e-12  # Nash
        seq = assess(g, beh)
        reach = g.reach(g.with_chance(beh))
        reached = np.zeros(g.n_infosets, dtype=bool)
        dec = np.flatnonzero(g.node_infoset >= 0)
        np.logical_or.at(reached, g.node_infoset[dec], reach[dec] > 0)
        assert seq.infoset_regrets[reached].max() <= 1e-12
        assert seq.max_regret <= 1e-5  # unreached sets: beliefs from trembles of size 1e-6
        for k in np.flatnonzero(g.infoset_player.astype(bool) & (g.infoset_size == 2)):
            history = g.infoset_label(int(k)).split(":")[1]
            strong_node = np.flatnonzero(g.node_infoset == k)[0]  # pre-order: the strong branch first
            belief = cs.public_belief(n, history, prior, b)
            assert seq.beliefs[strong_node] == pytest.approx(belief, abs=1e-12 if reached[k] else 1e-5)
        tree = _tree_path(g, beh)
        path = cs.chain_store_path(n, prior, a, b)
        for key in ("entry", "fight", "weak_fight", "reputation"):
            np.testing.assert_allclose(tree[key], getattr(path, key)[0], atol=1e-12, err_msg=key)
        np.testing.assert_allclose(tree["values"][:n], path.entrant_values[0], atol=1e-12)
        assert tree["values"][n] == pytest.approx(path.incumbent_value[0], abs=1e-12)


@pytest.mark.parametrize(("prior", "a", "b"), [(F(1, 10), F(2), F(1, 2)), (F(7, 10), F(3), F(2, 5)),
                                               (F(3, 10), F(3, 2), F(3, 5)), (F(1, 2), F(2), F(1, 2))])
def test_one_entrant_sequence_form_exact_and_subgame_solver(prior: Fraction, a: Fraction, b: Fraction) -> None:
    """N = 1 is a two-player game: the exact sequence-form LCP and the subgame decomposition both return
    the closed form (at prior = b the entrant is indifferent and any mix is an equilibrium: there the
    solver's profile is checked to be sequential with the weak type accommodating)."""
    g = cs.chain_store_game(1, prior, a, b)
    closed = cs.closed_form_behavior(g, prior, a, b)
    exact = sequence_lcp(g, exact=True).equilibria[0]
    spe = subgame_perfect_decomposition(g).equilibria[0]
    assert assess(g, np.array([float(x) for x in exact.raw])).max_regret == 0
    if prior != b:
        assert list(exact.raw) == list(closed)
        np.testing.assert_array_equal(spe.behavior, np.array([float(x) for x in closed]))
    else:
        assert list(exact.raw[-2:]) == [0, 1] and spe.behavior[-1] == 1  # the weak type accommodates
    obj = lambda x: np.array([x], dtype=object)  # noqa: E731
    path = cs.chain_store_path(1, obj(prior), obj(a), obj(b))
    if prior != b:
        assert exact.payoffs == pytest.approx([float(path.entrant_values[0, 0]), float(path.incumbent_value[0])])


@pytest.mark.parametrize("n", [2, 3])
def test_subgame_solver_where_the_prior_deters_everyone(n: int) -> None:
    """prior > b: no entry on the path, a pure equilibrium; the subgame decomposition finds the closed form."""
    for prior, a, b in [(0.7, 2.0, 0.5), (0.7, 3.0, 0.4)]:
        g = cs.chain_store_game(n, prior, a, b)
        eq = subgame_perfect_decomposition(g).equilibria[0]
        np.testing.assert_array_equal(eq.behavior, cs.closed_form_behavior(g, prior, a, b))
        assert eq.extra["max_sequential_regret"] <= 1e-12
        assert eq.payoffs[-1] == pytest.approx(cs.chain_store_path(n, prior, a, b).incumbent_value[0])


def test_subgame_solver_finds_a_nash_equilibrium_that_is_not_sequential_when_play_mixes() -> None:
    """Why the closed form is selected by the sequential check: with a small prior the game has no proper
    subgame before the type is revealed, and the decomposition's pure Nash equilibrium of that part fails
    sequential rationality, while the closed form passes it (test above)."""
    g = cs.chain_store_game(2, 0.1, 2.0, 0.5)
    eq = subgame_perfect_decomposition(g).equilibria[0]
    assert eq.max_regret <= 1e-8
    assert eq.extra["max_sequential_regret"] > 0.1
    assert assess(g, cs.closed_form_behavior(g, 0.1, 2.0, 0.5)).max_regret <= 1e-12


def test_small_prior_deters_challenges_in_the_early_periods() -> None:
    """Kreps-Wilson: prior 1/10, b = 1/2 deters every entrant with more than 3 left (b**n < 1/10 for n >= 4),
    whatever N; only the last three periods see entry, and the weak type collects a per deterred period."""
    for n in range(1, 13):
        path = cs.chain_store_path(n, 0.1, 2.0, 0.5)
        deterred = max(0, n - 3)
        assert np.all(path.entry[0, :deterred] == 0)
        assert np.all(path.entry[0, deterred:] > 0.5)
        assert path.weak_value[0] == pytest.approx(2.0 * deterred, rel=1e-14)
        assert cs.weak_value(n, 0.1, 2.0, 0.5) == 2.0 * deterred
    tree = _tree_path(cs.chain_store_game(4, 0.1, 2.0, 0.5), cs.closed_form_behavior(
        cs.chain_store_game(4, 0.1, 2.0, 0.5), 0.1, 2.0, 0.5))
    assert tree["entry"][0] == 0 and tree["entry"][1] == 1
    # near complete information (a tiny prior): Selten's paradox, entry almost surely in every period and
    # nothing for the weak type
    tiny = cs.chain_store_path(4, 1e-6, 2.0, 0.5)
    assert tiny.entry[0, 0] == 1 and np.all(tiny.entry > 0.99) and tiny.weak_value[0] == 0


def test_backward_induction_over_reputation_matches_closed_form() -> None:
    """One vectorised solve over every parameter set of the grid and N = 1 .. 8: policies on the grid,
    value functions and the path equal the closed form."""
    prior, a, b = (np.array(x) for x in zip(*GRID, strict=True))
    for n in range(1, 9):
        sol = cs.chain_store_by_backward_induction(n, prior, a, b)
        path = cs.chain_store_path(n, prior, a, b)
        for key in ("entry", "fight", "weak_fight", "reputation", "entrant_values", "weak_value",
                    "strong_value", "incumbent_value"):
            np.testing.assert_allclose(getattr(sol.path, key), getattr(path, key), atol=1e-12, err_msg=key)
        for k in range(n):
            n_left = n - k
            np.testing.assert_allclose(sol.enter[k], cs.entry_probability(n_left, sol.grid, a[:, None], b[:, None]),
                                       atol=1e-12)
            np.testing.assert_allclose(sol.fight[k][:, :-1], cs.fight_probability(n_left, sol.grid, b[:, None])[:, :-1],
                                       atol=1e-12)  # (belief 1: no weak type to mix)
            np.testing.assert_allclose(sol.weak_values[k], cs.weak_value(n_left, sol.grid, a[:, None], b[:, None]),
                                       atol=1e-12)
    one = cs.chain_store_by_backward_induction(5, prior[3:4], a[3:4], b[3:4])
    batch = cs.chain_store_by_backward_induction(5, prior, a, b)
    np.testing.assert_array_equal(one.path.entry[0], batch.path.entry[3])  # batching changes nothing


def test_backward_induction_grid_must_hold_the_thresholds_to_be_exact() -> None:
    """A uniform grid of 1001 points holds 1/2, 1/4, 1/8: exact for b = 1/2, prior 1/20; 101 points miss 1/8."""
    path = cs.chain_store_path(6, 0.05, 2.0, 0.5)
    fine = np.sort(np.append(np.linspace(0, 1, 1001), 0.05))
    coarse = np.sort(np.append(np.linspace(0, 1, 101), 0.05))
    np.testing.assert_allclose(cs.chain_store_by_backward_induction(6, 0.05, 2.0, 0.5, fine).path.entry, path.entry,
                               atol=1e-12)
    assert np.abs(cs.chain_store_by_backward_induction(6, 0.05, 2.0, 0.5, coarse).path.entry - path.entry).max() > 0.1
    with pytest.raises(ValueError, match="hold the prior"):
        cs.chain_store_by_backward_induction(3, 0.1, 2.0, 0.5, np.linspace(0, 1, 11)[[0, 2, 5, 10]])


@pytest.mark.parametrize("n", [2, 3, 4])
def test_closed_form_values_on_the_tree_in_rational_arithmetic(n: int) -> None:
    """The closed form in Fractions, played on the tree with exact reach probabilities and payoffs, gives
    exactly the closed-form path values (entrants and incumbent) and makes every reached weak decision an
    exact indifference or a strict preference for the action it takes."""
    prior, a, b = F(1, 10), F(2), F(1, 2)
    g = cs.chain_store_game(n, prior, a, b)
    beh = cs.closed_form_behavior(g, prior, a, b)
    reach = np.array([F(1)] * g.n_nodes, dtype=object)
    for lvl in g.levels[1:]:
        reach[lvl] = reach[g.parent[lvl]] * beh[g.edge_action[lvl]]
    values = [F(0)] * g.n_players
    for t in g.terminals:
        for i, v in enumerate(g.exact_outcome(int(g.node_outcome[t]))):
            values[i] += reach[t] * v
    obj = lambda x: np.array([x], dtype=object)  # noqa: E731
    path = cs.chain_store_path(n, obj(prior), obj(a), obj(b))
    assert values[:n] == list(path.entrant_values[0])
    assert values[n] == path.incumbent_value[0]
    for k in np.flatnonzero(g.infoset_player == n + 1):  # the weak type after entry: fight vs accommodate
        v = int(np.flatnonzero(g.node_infoset == k)[0])
        if reach[v] == 0:
            continue
        _, history = g.infoset_label(int(k)).split(":")
        n_left = n - len(history)
        p = cs.public_belief(n, history, prior, b)
        fight = -1 + cs.weak_value(n_left - 1, cs.posterior_after_fight(n_left, p, b), a, b)
        accommodate = cs.weak_value(n_left - 1, 0 * p, a, b)
        f = beh[int(g.action_offset[k])]
        assert (f == 1 and fight >= accommodate) or (f == 0 and fight <= accommodate) or fight == accommodate
