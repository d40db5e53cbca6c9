"""A small builder API that reads like the game tree it builds.

    g = game("Deterrence", ["A", "B"],
        harsanyi({"Hard": (p, move("A", {"C": leaf("SQ", 0, 1), "D": move("B", {...})}, infoset="A")),
                  "Soft": (1 - p, move("A", {...}, infoset="A"))}))

Nodes that share an `infoset=` label (per player) form one information set; a move without one is a
singleton. `harsanyi` is Nature's move over types (one-sided incomplete information).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from brinkmanship.games.assemble import TreeAssembler
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.numbers import Number, to_fraction


@dataclass(frozen=True)
class Leaf:
    """A terminal node with an outcome (label and one payoff per player)."""

    label: str
    payoffs: tuple[Number, ...]


@dataclass(frozen=True)
class Move:
    """A decision node of `player`; `actions` maps action label -> subtree, in order."""

    player: str
    actions: Mapping[str, Tree]
    infoset: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Chance:
    """A chance node; `branches` maps action label -> (probability, subtree)."""

    branches: Mapping[str, tuple[Number, Tree]]
    label: str = ""
    infoset: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


Tree = Leaf | Move | Chance


def leaf(label: str, *payoffs: Number) -> Leaf:
    """Terminal node: `leaf("SQ", 0, 1)`."""
    return Leaf(label, tuple(payoffs))


def move(player: str, actions: Mapping[str, Tree], *, infoset: str | None = None, label: str = "") -> Move:
    """Decision node of `player` with actions in the given order."""
    if not actions:
        raise ValueError(f"a move of {player} needs at least one action")
    return Move(player, dict(actions), infoset, label)


def chance(branches: Mapping[str, tuple[Number, Tree]], *, label: str = "", infoset: str | None = None) -> Chance:
    """Chance node: `chance({"rain": (Fraction(1, 3), ...), "sun": (Fraction(2, 3), ...)})`."""
    if not branches:
        raise ValueError("a chance node needs at least one branch")
    return Chance(dict(branches), label, infoset)


def harsanyi(types: Mapping[str, tuple[Number, Tree]], *, label: str = "Nature: type") -> Chance:
    """Nature draws a player's type with the given prior (Harsanyi transformation)."""
    return chance(types, label=label)


def game(
    title: str,
    players: Sequence[str],
    root: Tree,
    *,
    source: str = "",
    comment: str = "",
) -> ExtensiveGame:
    """Assemble the tree (iteratively, in pre-order) into an ExtensiveGame."""
    asm = TreeAssembler(title, players)
    index = {name: i + 1 for i, name in enumerate(players)}
    named: dict[tuple[int, str], int] = {}
    outcomes: dict[tuple[str, tuple[Fraction, ...]], int] = {}
    stack: list[tuple[Tree, int, int]] = [(root, -1, -1)]
    while stack:
        node, parent, act = stack.pop()
        if isinstance(node, Leaf):
            pay = tuple(to_fraction(v) for v in node.payoffs)
            key = (node.label, pay)
            if key not in outcomes or not node.label:
                outcomes[key] = asm.add_outcome(node.label, pay)
            asm.add_node(parent, act, -1, -1, outcomes[key], "")
            continue
        if isinstance(node, Move):
            if node.player not in index:
                raise ValueError(f"unknown player '{node.player}' (players: {list(players)})")
            p = index[node.player]
            labels = list(node.actions)
            children = list(node.actions.values())
            probs = None
        elif isinstance(node, Chance):
            p = 0
            labels = list(node.branches)
            probs = [to_fraction(v[0]) for v in node.branches.values()]
            children = [v[1] for v in node.branches.values()]
        else:
            raise TypeError(f"not a game-tree node: {node!r}")
        ilabel = node.infoset
        number = None
        if ilabel is not None and (p, ilabel) in named:
            number = named[(p, ilabel)]
        k = asm.infoset_index(p, number, ilabel or "", labels, probs)
        if ilabel is not None:
            named[(p, ilabel)] = int(asm.info_number[k])
        me = asm.add_node(parent, act, p, k, -1, node.label)
        for j in range(len(children) - 1, -1, -1):
            stack.append((children[j], me, j))
    return asm.finish(comment=comment, source=source)
