"""Extensive-form games as flat arrays (nodes in pre-order), with chance moves, information sets, outcomes.

Why arrays: every pass over the tree (reach probabilities, payoffs, backward induction, best responses)
runs level by level with NumPy, so a 10^6-node tree costs milliseconds, not a Python call per node.
Conventions follow Gambit: player numbers 1..n, chance is player 0, outcomes may sit on any node and a
play's payoff is the sum of the outcomes along it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

TERMINAL = -1
CHANCE = 0


@dataclass(frozen=True, eq=False)
class ExtensiveGame:
    """A finite extensive-form game. Node arrays are indexed in pre-order (root = 0).

    Infosets are numbered globally in order of first appearance; `infoset_number` keeps Gambit's
    per-player number so files round-trip. Actions of infoset I are global indices
    `action_offset[I] .. action_offset[I+1]-1`; `chance_prob` gives chance actions' probabilities.
    """

    title: str
    players: tuple[str, ...]
    parent: np.ndarray
    node_player: np.ndarray
    node_infoset: np.ndarray
    node_action: np.ndarray
    node_outcome: np.ndarray
    child_ptr: np.ndarray
    child_idx: np.ndarray
    infoset_player: np.ndarray
    infoset_number: np.ndarray
    action_offset: np.ndarray
    chance_prob: np.ndarray
    outcome_payoffs: np.ndarray
    node_labels: list[str] | None = None
    infoset_labels: list[str] | None = None
    action_labels: list[str] | None = None
    outcome_labels: list[str] | None = None
    outcome_exact: list[tuple[Fraction, ...]] | None = None
    chance_exact: dict[int, Fraction] | None = None
    comment: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    # -- sizes ------------------------------------------------------------------------------------------
    @property
    def n_players(self) -> int:
        """Number of personal players (chance excluded)."""
        return len(self.players)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.parent.shape[0])

    @property
    def n_infosets(self) -> int:
        """Number of information sets (chance ones included)."""
        return int(self.infoset_player.shape[0])

    @property
    def n_actions(self) -> int:
        """Total number of actions over all information sets."""
        return int(self.action_offset[-1])

    @cached_property
    def infoset_nactions(self) -> np.ndarray:
        """Number of actions at each infoset."""
        return np.diff(self.action_offset)

    @cached_property
    def action_infoset(self) -> np.ndarray:
        """The infoset owning each global action."""
        return np.repeat(np.arange(self.n_infosets), self.infoset_nactions)

    def action_label(self, a: int) -> str:
        """Label of global action a (default: its 1-based position)."""
        if self.action_labels is not None:
            return self.action_labels[a]
        return str(a - int(self.action_offset[self.action_infoset[a]]) + 1)

    def infoset_label(self, k: int) -> str:
        """Label of infoset k ('' when none)."""
        return self.infoset_labels[k] if self.infoset_labels is not None else ""

    def player_infosets(self, player: int) -> np.ndarray:
        """Infosets of player (1-based; 0 = chance) in the file's order."""
        return np.flatnonzero(self.infoset_player == player)

    # -- derived structure --------------------------------------------------------------------------
    @cached_property
    def levels(self) -> list[np.ndarray]:
        """Nodes grouped by depth (root level first)."""
        out = [np.array([0], dtype=np.int64)]
        while True:
            nodes = out[-1]
            pos, _ = self.child_positions(nodes)
            if pos.size == 0:
                break
            out.append(self.child_idx[pos])
        return out

    def child_positions(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions in `child_idx` of all children of `nodes` (concatenated) and each node's segment start."""
        starts = self.child_ptr[nodes]
        counts = self.child_ptr[nodes + 1] - starts
        total = int(counts.sum())
        seg = np.zeros(len(nodes), dtype=np.int64)
        if len(nodes) > 1:
            np.cumsum(counts[:-1], out=seg[1:])
        pos = np.repeat(starts - seg, counts) + np.arange(total, dtype=np.int64)
        return pos, seg

    @cached_property
    def edge_action(self) -> np.ndarray:
        """Global action index of the edge into each node (-1 at the root)."""
        out = np.full(self.n_nodes, -1, dtype=np.int64)
        nz = self.parent >= 0
        out[nz] = self.action_offset[self.node_infoset[self.parent[nz]]] + self.node_action[nz]
        return out

    @cached_property
    def cumulative_payoffs(self) -> np.ndarray:
        """Sum of outcome payoffs on the path from the root to each node (n_nodes, n_players)."""
        own = np.zeros((self.n_nodes, self.n_players))
        has = self.node_outcome >= 0
        own[has] = self.outcome_payoffs[self.node_outcome[has]]
        for lvl in self.levels[1:]:
            own[lvl] += own[self.parent[lvl]]
        return own

    @cached_property
    def terminals(self) -> np.ndarray:
        """Indices of terminal nodes."""
        return np.flatnonzero(self.node_player == TERMINAL)

    @cached_property
    def infoset_first_member(self) -> np.ndarray:
        """First node (pre-order) of each infoset."""
        dec = np.flatnonzero(self.node_infoset >= 0)
        first = np.full(self.n_infosets, -1, dtype=np.int64)
        # reversed assignment leaves the smallest index
        first[self.node_infoset[dec[::-1]]] = dec[::-1]
        return first

    @cached_property
    def infoset_size(self) -> np.ndarray:
        """Number of nodes in each infoset."""
        dec = self.node_infoset[self.node_infoset >= 0]
        return np.bincount(dec, minlength=self.n_infosets)

    @property
    def is_perfect_information(self) -> bool:
        """True when every personal infoset is a single node."""
        personal = self.infoset_player > 0
        return bool(np.all(self.infoset_size[personal] == 1))

    @cached_property
    def subtree_size(self) -> np.ndarray:
        """Number of nodes in each node's subtree (pre-order: subtree of v is v .. v+size-1)."""
        size = np.ones(self.n_nodes, dtype=np.int64)
        for lvl in reversed(self.levels[1:]):
            np.add.at(size, self.parent[lvl], size[lvl])
        return size

    # -- sequences (for best responses and the sequence form) ----------------------------------------
    @cached_property
    def sequences(self) -> list[dict[str, np.ndarray]]:
        """Per player: node -> own sequence, action -> sequence, infoset -> parent sequence, counts.

        Sequence 0 is the empty sequence; sequence 1 + k is the player's k-th action (file order)."""
        out = []
        for p in range(1, self.n_players + 1):
            mine = self.infoset_player[self.action_infoset] == p
            seq_of_action = np.full(self.n_actions, -1, dtype=np.int64)
            seq_of_action[mine] = 1 + np.arange(int(mine.sum()))
            node_seq = np.zeros(self.n_nodes, dtype=np.int64)
            own_moves = np.zeros(self.n_nodes, dtype=np.int64)
            for lvl in self.levels[1:]:
                par = self.parent[lvl]
                is_p = self.node_player[par] == p
                node_seq[lvl] = np.where(is_p, seq_of_action[self.edge_action[lvl]], node_seq[par])
                own_moves[lvl] = own_moves[par] + is_p
            infosets = self.player_infosets(p)
            members = np.flatnonzero(np.isin(self.node_infoset, infosets))
            parent_seq = np.full(self.n_infosets, -1, dtype=np.int64)
            parent_seq[self.node_infoset[members]] = node_seq[members]
            recall = bool(np.all(parent_seq[self.node_infoset[members]] == node_seq[members]))
            out.append(
                {
                    "seq_of_action": seq_of_action,
                    "node_seq": node_seq,
                    "infosets": infosets,
                    "parent_seq": parent_seq,
                    "own_depth": own_moves[self.infoset_first_member[infosets]] if infosets.size else infosets,
                    "n_seq": np.array(1 + int(mine.sum())),
                    "perfect_recall": np.array(recall),
                }
            )
        return out

    @property
    def has_perfect_recall(self) -> bool:
        """Every player's infoset members share the same own history of moves (checked on sequences)."""
        if not all(bool(s["perfect_recall"]) for s in self.sequences):
            return False
        # members must also agree on the player's own previous infoset chain; sequences imply it
        return True

    # -- behaviour profiles ---------------------------------------------------------------------------
    def uniform_behavior(self) -> np.ndarray:
        """Flat behaviour profile: uniform at personal infosets, chance probabilities at chance ones."""
        beh = 1.0 / self.infoset_nactions[self.action_infoset]
        chance = self.infoset_player[self.action_infoset] == CHANCE
        beh[chance] = self.chance_prob[chance]
        return beh

    def with_chance(self, beh: np.ndarray) -> np.ndarray:
        """Copy of a flat profile with the chance actions set to the game's chance probabilities."""
        out = np.array(beh, dtype=float, copy=True)
        chance = self.infoset_player[self.action_infoset] == CHANCE
        out[chance] = self.chance_prob[chance]
        return out

    def reach(self, beh: np.ndarray, skip_player: int | None = None) -> np.ndarray:
        """Probability of reaching each node; moves of `skip_player` count as probability one."""
        r = np.ones(self.n_nodes)
        for lvl in self.levels[1:]:
            par = self.parent[lvl]
            p = beh[self.edge_action[lvl]]
            if skip_player is not None:
                p = np.where(self.node_player[par] == skip_player, 1.0, p)
            r[lvl] = r[par] * p
        return r

    def expected_payoffs(self, beh: np.ndarray) -> np.ndarray:
        """Expected payoff of every player under a flat behaviour profile."""
        t = self.terminals
        return self.reach(beh)[t] @ self.cumulative_payoffs[t]

    def best_response_values(self, beh: np.ndarray) -> np.ndarray:
        """Each player's best attainable payoff against the others' behaviour (perfect recall assumed)."""
        t = self.terminals
        out = np.zeros(self.n_players)
        for i in range(self.n_players):
            s = self.sequences[i]
            n_seq = int(s["n_seq"])
            r = self.reach(beh, skip_player=i + 1)[t]
            val = np.bincount(s["node_seq"][t], weights=r * self.cumulative_payoffs[t, i], minlength=n_seq)
            infosets = s["infosets"]
            if infosets.size:
                depth = s["own_depth"]
                for d in range(int(depth.max()), -1, -1):
                    sel = infosets[depth == d]
                    starts = self.action_offset[sel]
                    seq_start = s["seq_of_action"][starts]
                    counts = self.infoset_nactions[sel]
                    pos = np.repeat(seq_start, counts) + _ranges(counts)
                    best = np.maximum.reduceat(val[pos], _segment_starts(counts))
                    np.add.at(val, s["parent_seq"][sel], best)
            out[i] = val[0]
        return out

    def regrets(self, beh: np.ndarray) -> np.ndarray:
        """Per player: best-response value minus the profile's value."""
        return self.best_response_values(beh) - self.expected_payoffs(beh)

    def max_regret(self, beh: np.ndarray) -> float:
        """Largest regret over players (0 at a Nash equilibrium)."""
        return float(np.max(self.regrets(beh)))

    def behavior_lists(self, beh: Sequence[Any]) -> list[list[list[Any]]]:
        """Nested output: per player, per infoset (file order), the action probabilities."""
        flat = list(beh)
        off = self.action_offset.tolist()
        out = []
        for p in range(1, self.n_players + 1):
            out.append([flat[off[k] : off[k + 1]] for k in self.player_infosets(p).tolist()])
        return out

    def payoff_range(self) -> float:
        """max - min over terminal payoffs (scale for tolerances)."""
        pay = self.cumulative_payoffs[self.terminals]
        return float(pay.max() - pay.min()) if pay.size else 0.0

    def exact_chance(self, a: int) -> Fraction:
        """Exact probability of chance action a."""
        if self.chance_exact is not None and a in self.chance_exact:
            return self.chance_exact[a]
        return Fraction(repr(float(self.chance_prob[a])))

    def exact_outcome(self, o: int) -> tuple[Fraction, ...]:
        """Exact payoffs of outcome o."""
        if self.outcome_exact is not None:
            return self.outcome_exact[o]
        return tuple(Fraction(repr(float(v))) for v in self.outcome_payoffs[o])


def _ranges(counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(c) for each c in counts."""
    total = int(counts.sum())
    starts = _segment_starts(counts)
    return np.arange(total, dtype=np.int64) - np.repeat(starts, counts)


def _segment_starts(counts: np.ndarray) -> np.ndarray:
    """Start offset of each segment in a concatenation of segments of the given lengths."""
    out = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=out[1:])
    return out
