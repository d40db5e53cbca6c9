"""Collect nodes in pre-order and assemble the array form of an extensive game (used by builder and parser)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from brinkmanship.games.extensive import ExtensiveGame


class TreeAssembler:
    """Append nodes in pre-order (children in action order); `finish()` returns the ExtensiveGame.

    Infosets are identified by (player, number); the first node naming one fixes its actions (and, for
    chance, its probabilities); later members must agree.
    """

    def __init__(self, title: str, players: Sequence[str]) -> None:
        self.title = title
        self.players = tuple(players)
        self.parent: list[int] = []
        self.player: list[int] = []
        self.infoset: list[int] = []
        self.action: list[int] = []
        self.outcome: list[int] = []
        self.labels: list[str] = []
        self._infosets: dict[tuple[int, int], int] = {}
        self.info_player: list[int] = []
        self.info_number: list[int] = []
        self.info_label: list[str] = []
        self.info_actions: list[tuple[str, ...]] = []
        self.info_probs: list[tuple[Fraction, ...] | None] = []
        self.outcome_payoffs: list[tuple[Fraction, ...]] = []
        self.outcome_labels: list[str] = []
        self._next_number: dict[int, int] = {}

    def infoset_index(
        self,
        player: int,
        number: int | None,
        label: str,
        actions: Sequence[str] | None,
        probs: Sequence[Fraction] | None = None,
    ) -> int:
        """Index of infoset (player, number), created on first sight; None = a fresh number."""
        if number is None:
            number = self._next_number.get(player, 0) + 1
        self._next_number[player] = max(self._next_number.get(player, 0), number)
        key = (player, number)
        if key in self._infosets:
            k = self._infosets[key]
            if actions is not None and tuple(actions) != self.info_actions[k]:
                raise ValueError(
                    f"information set {number} of player {player} has actions {list(actions)} here "
                    f"but {list(self.info_actions[k])} elsewhere"
                )
            if probs is not None and player == 0 and tuple(probs) != self.info_probs[k]:
                raise ValueError(f"chance information set {number} has inconsistent probabilities")
            return k
        if actions is None or len(actions) == 0:
            raise ValueError(f"information set {number} of player {player} is used before its actions are given")
        if player == 0:
            if probs is None or len(probs) != len(actions):
                raise ValueError("a chance move needs one probability per action")
            if any(p < 0 for p in probs) or sum(probs) != 1:
                total = sum(probs)
                if any(p < 0 for p in probs) or abs(float(total) - 1.0) > 1e-9:
                    raise ValueError(f"chance probabilities must be >= 0 and sum to 1 (they sum to {total})")
        k = len(self.info_player)
        self._infosets[key] = k
        self.info_player.append(player)
        self.info_number.append(number)
        self.info_label.append(label)
        self.info_actions.append(tuple(actions))
        self.info_probs.append(tuple(probs) if probs is not None else None)
        return k

    def add_outcome(self, label: str, payoffs: Sequence[Fraction]) -> int:
        """Register an outcome; returns its index."""
        if len(payoffs) != len(self.players):
            raise ValueError(f"outcome '{label}' has {len(payoffs)} payoffs for {len(self.players)} players")
        self.outcome_payoffs.append(tuple(payoffs))
        self.outcome_labels.append(label)
        return len(self.outcome_payoffs) - 1

    def add_node(self, parent: int, action: int, player: int, infoset: int, outcome: int, label: str) -> int:
        """Append the next node in pre-order; player -1 = terminal (infoset -1)."""
        if player > len(self.players):
            raise ValueError(f"player {player} does not exist (the game has {len(self.players)})")
        self.parent.append(parent)
        self.action.append(action)
        self.player.append(player)
        self.infoset.append(infoset)
        self.outcome.append(outcome)
        self.labels.append(label)
        return len(self.parent) - 1

    def finish(self, comment: str = "", source: str = "") -> ExtensiveGame:
        """Check the structure and build the arrays."""
        n = len(self.parent)
        if n == 0:
            raise ValueError("the game tree is empty")
        parent = np.asarray(self.parent, dtype=np.int64)
        player = np.asarray(self.player, dtype=np.int64)
        infoset = np.asarray(self.infoset, dtype=np.int64)
        action = np.asarray(self.action, dtype=np.int64)
        order = np.argsort(parent[1:], kind="stable") + 1
        counts = np.bincount(parent[1:], minlength=n) if n > 1 else np.zeros(n, dtype=np.int64)
        child_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=child_ptr[1:])
        nact = np.array([len(a) for a in self.info_actions], dtype=np.int64)
        dec = player >= 0
        if np.any(counts[dec] != nact[infoset[dec]]):
            bad = int(np.flatnonzero(counts[dec] != nact[infoset[dec]])[0])
            raise ValueError(f"node {int(np.flatnonzero(dec)[bad]) + 1} has a different number of children than actions")
        if np.any(counts[~dec] != 0):
            raise ValueError("a terminal node has children")
        action_offset = np.zeros(len(nact) + 1, dtype=np.int64)
        np.cumsum(nact, out=action_offset[1:])
        chance_prob = np.full(int(action_offset[-1]), np.nan)
        chance_exact: dict[int, Fraction] = {}
        for k, probs in enumerate(self.info_probs):
            if probs is not None:
                for j, p in enumerate(probs):
                    chance_prob[action_offset[k] + j] = float(p)
                    chance_exact[int(action_offset[k] + j)] = p
        outcome_exact = [tuple(p) for p in self.outcome_payoffs]
        payoffs = np.array([[float(v) for v in p] for p in outcome_exact], dtype=float).reshape(
            len(outcome_exact), len(self.players)
        )
        return ExtensiveGame(
            title=self.title,
            players=self.players,
            parent=parent,
            node_player=player,
            node_infoset=infoset,
            node_action=action,
            node_outcome=np.asarray(self.outcome, dtype=np.int64),
            child_ptr=child_ptr,
            child_idx=order.astype(np.int64),
            infoset_player=np.asarray(self.info_player, dtype=np.int64),
            infoset_number=np.asarray(self.info_number, dtype=np.int64),
            action_offset=action_offset,
            chance_prob=chance_prob,
            outcome_payoffs=payoffs,
            node_labels=list(self.labels),
            infoset_labels=list(self.info_label),
            action_labels=[a for acts in self.info_actions for a in acts],
            outcome_labels=list(self.outcome_labels),
            outcome_exact=outcome_exact,
            chance_exact=chance_exact,
            comment=comment,
            source=source,
        )
