"""The builder API: trees read like the game, infosets by label, Harsanyi types; invalid trees rejected."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from brinkmanship.games.builder import chance, game, harsanyi, leaf, move


def test_builder_structure_and_infosets() -> None:
    g = game(
        "signal", ["S", "R"],
        harsanyi({
            "strong": (Fraction(2, 3), move("S", {"beer": move("R", {"duel": leaf("", 1, 0), "not": leaf("", 3, 1)}, infoset="after beer"),
                                                   "quiche": move("R", {"duel": leaf("", 0, 0), "not": leaf("", 2, 1)}, infoset="after quiche")},
                                            infoset="S strong")),
            "weak": (Fraction(1, 3), move("S", {"beer": move("R", {"duel": leaf("", 0, 1), "not": leaf("", 2, 0)}, infoset="after beer"),
                                                 "quiche": move("R", {"duel": leaf("", 1, 1), "not": leaf("", 3, 0)}, infoset="after quiche")},
                                          infoset="S weak")),
        }),
    )
    assert g.n_nodes == 1 + 2 + 4 + 8
    assert g.n_infosets == 1 + 2 + 2  # chance, S strong, S weak, R after beer, R after quiche
    assert list(g.infoset_size[g.player_infosets(2)]) == [2, 2]
    assert not g.is_perfect_information and g.has_perfect_recall
    assert g.exact_chance(0) == Fraction(2, 3)
    beh = g.uniform_behavior()
    np.testing.assert_allclose(g.expected_payoffs(beh), [1.5 * 2 / 3 + 1.5 / 3, 0.5])


@pytest.mark.parametrize(
    ("make", "needle"),
    [
        (lambda: game("x", ["A"], move("B", {"a": leaf("", 1)})), "unknown player"),
        (lambda: game("x", ["A"], chance({"a": (Fraction(1, 2), leaf("", 1)), "b": (Fraction(1, 3), leaf("", 0))})), "sum to 1"),
        (lambda: game("x", ["A", "B"], move("A", {"l": move("B", {"x": leaf("", 0, 0)}, infoset="b"),
                                                   "r": move("B", {"y": leaf("", 0, 0)}, infoset="b")})), "actions"),
        (lambda: game("x", ["A", "B"], leaf("", 1)), "1 payoffs for 2 players"),
    ],
)
def test_builder_rejects_invalid_trees(make, needle: str) -> None:
    with pytest.raises(ValueError, match=needle):
        make()
