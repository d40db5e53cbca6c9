"""Repeated retaliation rules: an iterated Prisoner's Dilemma engine vectorised over many matches.

Every strategy is a small automaton: a probability of cooperating in each state and a transition table
indexed by (state, my intended move, my actual move, opponent's actual move). Noise (misperception /
implementation error) flips an intended move with probability `noise`. Thousands of matches advance
together, one NumPy step per turn. Tournaments (round robin) and a Moran process sit on top.
Moves: 0 = C (cooperate / hold), 1 = D (defect / strike).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

C, D = 0, 1
AXELROD_PAYOFFS = (3, 0, 5, 1)  # R, S, T, P


@dataclass(frozen=True)
class Automaton:
    """A retaliation rule as a finite automaton; `trans[s, intended, actual, opponent]` is the next state."""

    name: str
    p_coop: tuple[float, ...]
    trans: np.ndarray
    start: int = 0

    @property
    def deterministic(self) -> bool:
        """True when every state plays a pure move."""
        return all(p in (0.0, 1.0) for p in self.p_coop)


def _table(n: int, rule) -> np.ndarray:
    """Build trans[s, mi, ma, o] from rule(s, mi, ma, o) -> next state."""
    t = np.zeros((n, 2, 2, 2), dtype=np.int64)
    for s in range(n):
        for mi in (C, D):
            for ma in (C, D):
                for o in (C, D):
                    t[s, mi, ma, o] = rule(s, mi, ma, o)
    return t


def cooperator() -> Automaton:
    """Always cooperates."""
    return Automaton("Cooperator", (1.0,), _table(1, lambda s, mi, ma, o: 0))


def defector() -> Automaton:
    """Always defects."""
    return Automaton("Defector", (0.0,), _table(1, lambda s, mi, ma, o: 0))


def tit_for_tat() -> Automaton:
    """Cooperate first, then copy the opponent's last move."""
    return Automaton("TitForTat", (1.0, 0.0), _table(2, lambda s, mi, ma, o: o))


def suspicious_tit_for_tat() -> Automaton:
    """Tit-for-tat that opens with a defection."""
    return Automaton("SuspiciousTitForTat", (1.0, 0.0), _table(2, lambda s, mi, ma, o: o), start=1)


def two_tits_for_tat() -> Automaton:
    """Answer each defection with two (the op-ed's 'two strikes per launch' shape): D if the opponent
    defected in either of the last two turns. States count turns since its last defection (0, 1, 2+)."""
    return Automaton("TwoTitsForTat", (0.0, 0.0, 1.0), _table(3, lambda s, mi, ma, o: 0 if o == D else min(s + 1, 2)), start=2)


def tit_for_two_tats() -> Automaton:
    """Defect only after two consecutive defections."""
    return Automaton("TitFor2Tats", (1.0, 1.0, 0.0), _table(3, lambda s, mi, ma, o: 0 if o == C else min(s + 1, 2)))


def grim_trigger() -> Automaton:
    """Cooperate until the opponent defects once, then defect forever (axelrod's Grudger)."""
    return Automaton("Grudger", (1.0, 0.0), _table(2, lambda s, mi, ma, o: 1 if (s == 1 or o == D) else 0))


def alternator() -> Automaton:
    """C, D, C, D, ... (alternates its own actual last move)."""
    return Automaton("Alternator", (1.0, 0.0), _table(2, lambda s, mi, ma, o: 1 - ma))


def win_stay_lose_shift() -> Automaton:
    """Pavlov: cooperate iff both played the same move last turn."""
    return Automaton("WinStayLoseShift", (1.0, 0.0), _table(2, lambda s, mi, ma, o: 0 if ma == o else 1))


def bully() -> Automaton:
    """Reverse tit-for-tat opening with D: cooperate only after the opponent defected."""
    return Automaton("Bully", (1.0, 0.0), _table(2, lambda s, mi, ma, o: 0 if o == D else 1), start=1)


def anti_tit_for_tat() -> Automaton:
    """Opposite of the opponent's last move; opens with C."""
    return Automaton("AntiTitForTat", (1.0, 0.0), _table(2, lambda s, mi, ma, o: 1 if o == C else 0))


def cycler_ccd() -> Automaton:
    """Repeats C, C, D."""
    return Automaton("CyclerCCD", (1.0, 1.0, 0.0), _table(3, lambda s, mi, ma, o: (s + 1) % 3))


def generous_tit_for_tat(generosity: float = 1 / 3) -> Automaton:
    """Tit-for-tat that forgives a defection with probability `generosity` (Nowak & Sigmund 1992)."""
    return Automaton(f"GenerousTFT({generosity:.3g})", (1.0, float(generosity)), _table(2, lambda s, mi, ma, o: o))


def contrite_tit_for_tat() -> Automaton:
    """Tit-for-tat that, after its own unintended defection, cooperates and accepts one retaliation
    (Boyd 1989; Wu & Axelrod 1995). States: 0 cooperate, 1 retaliate, 2 contrite."""

    def rule(s: int, mi: int, ma: int, o: int) -> int:
        if mi == C and ma == D:
            return 2
        if s == 2 and o == D:
            return 0
        return o

    return Automaton("ContriteTitForTat", (1.0, 0.0, 1.0), _table(3, rule))


def classic_strategies() -> list[Automaton]:
    """The deterministic rules checked against axelrod, plus the stochastic variants."""
    return [
        tit_for_tat(), two_tits_for_tat(), tit_for_two_tats(), grim_trigger(), defector(), cooperator(),
        alternator(), win_stay_lose_shift(), suspicious_tit_for_tat(), bully(), anti_tit_for_tat(), cycler_ccd(),
        generous_tit_for_tat(), contrite_tit_for_tat(),
    ]


def _stack(strategies: Sequence[Automaton]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    smax = max(len(a.p_coop) for a in strategies)
    P = np.zeros((len(strategies), smax))
    T = np.zeros((len(strategies), smax, 2, 2, 2), dtype=np.int64)
    start = np.array([a.start for a in strategies], dtype=np.int64)
    for k, a in enumerate(strategies):
        n = len(a.p_coop)
        P[k, :n] = a.p_coop
        T[k, :n] = a.trans
    return P, T, start


def play_matches(
    strategies: Sequence[Automaton],
    pairs: np.ndarray,
    turns: int,
    *,
    noise: float = 0.0,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Play every (i, j) row of `pairs` for `turns` turns at once; returns actions of each side (M, turns)."""
    P, T, start = _stack(strategies)
    pairs = np.asarray(pairs, dtype=np.int64)
    ia, ib = pairs[:, 0], pairs[:, 1]
    M = len(pairs)
    rng = np.random.default_rng(seed)
    sa, sb = start[ia].copy(), start[ib].copy()
    acts_a = np.zeros((M, turns), dtype=np.int8)
    acts_b = np.zeros((M, turns), dtype=np.int8)
    for t in range(turns):
        pa, pb = P[ia, sa], P[ib, sb]
        ua, ub = rng.random(M), rng.random(M)
        int_a = (ua >= pa).astype(np.int64)
        int_b = (ub >= pb).astype(np.int64)
        if noise > 0:
            act_a = int_a ^ (rng.random(M) < noise)
            act_b = int_b ^ (rng.random(M) < noise)
        else:
            act_a, act_b = int_a, int_b
        acts_a[:, t] = act_a
        acts_b[:, t] = act_b
        sa, sb = T[ia, sa, int_a, act_a, act_b], T[ib, sb, int_b, act_b, act_a]
    return acts_a, acts_b


def scores(acts_a: np.ndarray, acts_b: np.ndarray, payoffs: tuple[float, float, float, float] = AXELROD_PAYOFFS) -> tuple[np.ndarray, np.ndarray]:
    """Total payoff of each side in each match (R, S, T, P convention)."""
    R, S, Tt, P = payoffs
    table = np.array([[R, S], [Tt, P]], dtype=float)
    return table[acts_a, acts_b].sum(axis=1), table[acts_b, acts_a].sum(axis=1)


@dataclass(frozen=True)
class TournamentResult:
    """Mean payoff per turn of row strategy against column strategy, and the ranking by mean score."""

    names: list[str]
    payoff_matrix: np.ndarray
    ranking: list[str]


def tournament(
    strategies: Sequence[Automaton], *, turns: int = 200, repetitions: int = 10, noise: float = 0.0, seed: int = 0,
    self_play: bool = True,
) -> TournamentResult:
    """Round robin: every pair (and self-play) `repetitions` times, all matches in one vectorised run."""
    K = len(strategies)
    ii, jj = np.triu_indices(K, 0 if self_play else 1)
    pairs = np.repeat(np.stack([ii, jj], axis=1), repetitions, axis=0)
    a, b = play_matches(strategies, pairs, turns, noise=noise, seed=seed)
    sa, sb = scores(a, b)
    tot = np.zeros((K, K))
    cnt = np.zeros((K, K))
    np.add.at(tot, (pairs[:, 0], pairs[:, 1]), sa / turns)
    np.add.at(cnt, (pairs[:, 0], pairs[:, 1]), 1)
    off = pairs[:, 0] != pairs[:, 1]
    np.add.at(tot, (pairs[off, 1], pairs[off, 0]), sb[off] / turns)
    np.add.at(cnt, (pairs[off, 1], pairs[off, 0]), 1)
    mat = np.divide(tot, cnt, out=np.zeros_like(tot), where=cnt > 0)
    if self_play:
        mean = mat.mean(axis=1)
    else:
        mean = mat.sum(axis=1) / max(1, K - 1)
    names = [s.name for s in strategies]
    return TournamentResult(names, mat, [names[k] for k in np.argsort(-mean, kind="stable")])


def moran_process(
    payoff_matrix: np.ndarray,
    initial_counts: Sequence[int],
    *,
    replicates: int = 1000,
    max_steps: int = 100_000,
    seed: int = 0,
) -> np.ndarray:
    """Frequency-dependent Moran process (birth proportional to fitness, death uniform), many
    replicate populations at once. Fitness of type i = mean payoff against the others in the population.
    Returns the fixating type of each replicate (-1 if not fixed within `max_steps`)."""
    Pm = np.asarray(payoff_matrix, dtype=float)
    counts = np.tile(np.asarray(initial_counts, dtype=np.int64), (replicates, 1))
    N = int(counts[0].sum())
    K = Pm.shape[0]
    rng = np.random.default_rng(seed)
    shift = max(0.0, -float(Pm.min())) + 1e-9
    for _ in range(max_steps):
        active = (counts == N).sum(axis=1) == 0
        if not np.any(active):
            break
        c = counts[active].astype(float)
        fit = (c @ Pm.T - np.diag(Pm)[None, :]) / max(1, N - 1) + shift
        w = c * fit
        w /= w.sum(axis=1, keepdims=True)
        birth = (rng.random((len(c), 1)) > np.cumsum(w, axis=1)).sum(axis=1)
        dw = c / N
        death = (rng.random((len(c), 1)) > np.cumsum(dw, axis=1)).sum(axis=1)
        birth = np.minimum(birth, K - 1)
        death = np.minimum(death, K - 1)
        idx = np.flatnonzero(active)
        np.add.at(counts, (idx, birth), 1)
        np.add.at(counts, (idx, death), -1)
    fixed = (counts == N)
    return np.where(fixed.any(axis=1), fixed.argmax(axis=1), -1)
