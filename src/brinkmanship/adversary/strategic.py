"""The strategic coercer's equilibrium as the simulator plays it: one model for the planner and the runs.

Each simulated run is one play of the equilibrium (`adversary.coercer.Equilibrium`): its type's target answers
the equilibrium beliefs (each threat's prior `believed` as declared, the strategic type's likelihood `bluff`
at its equilibrium value, or the `believed` itself when nothing is learnable), the coercer carries out each
rule and deadline with its decision at the run's grid state and month (the backward induction's, against that
target), and the target moves its evidence by Bayes' rule on what it sees, with the declared resolute and the
equilibrium bluffing likelihoods. The exact forward pass reads the same branches, so the simulator's
frequencies are the planner's transition. A type whose coercer mixes (`Equilibrium.mixed`) is played as two
*play types*, the pure answers at the ends of the mixing belief's bracket, weighted as the equilibrium mixes
them (a public randomisation drawn once per run).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from brinkmanship.adversary.coercer import (
    Equilibrium,
    Sweep,
    coercer_sweep,
    decode,
    executions,
    forward,
    threats_of,
)
from brinkmanship.adversary.exact import ExactResult, propagate
from brinkmanship.adversary.model import PlannerModel
from brinkmanship.adversary.planner import Decision, Solution
from brinkmanship.adversary.types import Types
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.decision import Observation, PolicyTables

PLAY = "strategic play"  # the kind of the play types (never `point`: the model always reads its rows)


def play_types(eq: Equilibrium, types: Types | None) -> Types:
    """The equilibrium's play types: each target type with the parameters the iteration moved at their
    equilibrium values, a type that mixes split into its two pure answers (weights w x weight, w x (1 - weight)):
    the types in order (a mixing one at its bracket's low end), then the high ends of the mixing types."""
    n = eq.outcomes.shape[0]
    weights = np.full(n, 1.0 / n) if types is None or types.is_point else types.weights
    keys, nan = list(eq.beliefs), np.full(n, np.nan)
    lo, hi, w = ({k: part.get(k, nan) for k in keys} for part in (eq.mix_lo, eq.mix_hi, eq.mix_weight))
    mixing = np.array([np.isfinite(w[k]) & (hi[k] > lo[k]) for k in keys]).reshape(len(keys), n)
    split = mixing.any(axis=0)
    which = np.argmax(mixing, axis=0) if keys else np.zeros(n, dtype=np.int64)  # the threat a type mixes over
    at = np.arange(n)
    weight = np.where(split, np.array([w[k] for k in keys]).reshape(len(keys), n)[which, at], 1.0) if keys \
        else np.ones(n)
    rows = np.concatenate([at, at[split]])
    values = {} if types is None or types.is_point else {k: v[rows] for k, v in types.values.items()}
    for j, k in enumerate(keys):
        mixed = split & (which == j)
        low = np.where(mixed, lo[k], eq.beliefs[k])
        values[eq.moved[k]] = np.concatenate([low, np.where(mixed, hi[k], eq.beliefs[k])[split]])
    share = np.concatenate([weights * weight, weights[split] * (1 - weight[split])])
    return Types(PLAY, values, share / share.sum(), settings={"type_of_play": rows})


class StrategicModel(PlannerModel):
    """The rational target against the strategic coercer, for the simulator: the planner over the play types,
    and `execution_probabilities`, the coercer's decisions at each run's state (the engine's hook: with it the
    simulator draws the rules and deadlines against them instead of the declared probability)."""

    def __init__(self, decision: Decision, play: Types, learned: bool) -> None:
        super().__init__(decision, play, tabulate=False)  # the coercer's sweep and the reference read the values
        self.learned = learned

    def solution(self, c: Compiled) -> Solution:
        """The target's solve over the play types, as the equilibrium solved it (nothing learnable: the fixed
        belief, `credibility_levels` 0)."""
        return super().solution(c if self.learned else replace(c, credibility_levels=0))

    def sweep(self, c: Compiled) -> Sweep:
        """The coercer's backward induction against the solved target (once per solve)."""
        sol = self.solution(c)
        if "_coercer" not in sol.settings:
            sol.settings["_coercer"] = coercer_sweep(sol.c, sol, threats_of(sol.c))
        return sol.settings["_coercer"]

    def execution_probabilities(self, c: Compiled, obs: Observation) -> dict[str, np.ndarray]:
        """Each rule's and deadline's real execution probability (by its `probability` parameter) at the observed
        runs' states at the start of month `obs.t`: the lottery's chance, else the declared probability once the
        coercer decides to carry out (its decision 1, 0, or 1/2 on a tie)."""
        sweep = self.sweep(c)
        sol = self.solution(c)
        k, m, j = self._index(sol, obs)
        tau = self._type(c)
        out = {}
        for th in threats_of(sol.c):
            d = sweep.decided[obs.t].get(th.id)
            if d is None:
                continue
            d = decode(np.broadcast_to(d, (sol.n, *sol.grid.shape))[tau, k, m, j])
            p, chance = np.asarray(c[th.prob], dtype=float), np.asarray(c[th.chance], dtype=float)
            out[th.prob] = np.broadcast_to(chance + (1 - chance) * p * d, np.shape(k))
        return out

    def outcome_probabilities(self, c: Compiled) -> np.ndarray:
        """(play types, outcomes) exact outcome probabilities of each play type (the forward pass under the
        coercer's decisions): their mixture with the play types' weights is the equilibrium's."""
        sol = self.solution(c)
        return forward(sol.c, sol, threats_of(sol.c), self.sweep(c)).outcomes

    def execution_by_level(self, c: Compiled) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per threat, (play types, B) the coercer's execution probability on the path at each evidence level of
        the target's belief (NaN where it is never triggered) and the expected triggers there: how far the
        equilibrium is from one where the target's likelihood depends on its belief (it reads one number)."""
        sol = self.solution(c)
        threats = threats_of(sol.c)
        path = forward(sol.c, sol, threats, self.sweep(c))
        out = {}
        for th in threats:
            p, chance = (np.reshape(np.asarray(sol.c[x], dtype=float), (-1, 1)) for x in (th.prob, th.chance))
            out[th.id] = (chance + (1 - chance) * p * path.by_level[th.id], path.triggered_by_level[th.id])
        return out

    def exact(self, c: Compiled) -> ExactResult:
        """The exact propagation of each play type under the coercer's decisions (`exact.propagate` with the
        month's real execution probabilities): outcomes, their path and the believed credibility's path."""
        sol = self.solution(c)
        sweep, threats = self.sweep(c), threats_of(sol.c)
        return propagate(sol.c, sol, lambda t: executions(sol.c, threats, sweep.at(t)))

    def policy_tables(self, c: Compiled) -> PolicyTables | str:
        """The fused kernel draws a committed coercer's rules: a strategic one runs the NumPy reference."""
        return "a strategic coercer (its decision per grid state is read by the NumPy reference only)"


def strategic_model(eq: Equilibrium, types: Types | None, decision: Decision) -> StrategicModel:
    """The simulator's model of equilibrium `eq` (solved for `types`, None or point: the declared type)."""
    return StrategicModel(decision, play_types(eq, types), eq.learned)
