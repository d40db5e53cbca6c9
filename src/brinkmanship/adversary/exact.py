"""Exact outcome probabilities: forward propagation of the state distribution under a decision model.

The same month branches the planner plans on, read with the strategy's *real* probabilities, move the
probability mass over the grid; conflicts collect it, and the mass still on the grid at the horizon ends by
its status (open: build-up; frozen: freeze; in a deal or disarmed: denuclearisation). No sampling error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from brinkmanship.adversary.gathers import backend
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import (
    LIMITED_O,
    NUCLEAR_O,
    WAR_O,
    End,
    Key,
    Month,
    Open,
    Strike,
    col,
    mcol,
    phase_months,
    talks_push,
    tested_key,
)
from brinkmanship.adversary.model import PlannerModel
from brinkmanship.adversary.planner import Evaluator, Solution, option_shares, solve
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import N_ACTIONS, OUTCOME_OF_STATUS, OUTCOMES, Response
from brinkmanship.engine.decision import Adversary, DecisionModel, StrikeInfo, get_decision_model
from brinkmanship.spec import Scenario, Strategy


@dataclass
class ExactResult:
    """Outcome probabilities (n, 6) and their path over months (H+1, n, 6), for n parameter samples."""

    outcomes: np.ndarray
    timeline: np.ndarray
    adversary: str
    actions: np.ndarray | None = None  # (H, n, A) chance of taking each action in each month
    credibility: np.ndarray | None = None  # (H, n) mean believed credibility of the open runs at each month's start
    unproven: np.ndarray | None = None  # (n, 6) each outcome's mass at the horizon with delivery not proven

    def as_dict(self, i: int = 0) -> dict[str, float]:
        return {name: float(self.outcomes[i, j]) for j, name in enumerate(OUTCOMES)}

    def unproven_dict(self, i: int = 0) -> dict[str, float]:
        """Sample i's probability of each outcome reached with delivery not proven at the horizon (aims)."""
        assert self.unproven is not None
        return {name: float(self.unproven[i, j]) for j, name in enumerate(OUTCOMES)}


class _Policy:
    """Action and response probabilities on the grid, from a solved planner or any decision model."""

    def __init__(self, c: Compiled, grid: Grid, n: int, model: DecisionModel | Solution,
                 paths: tuple[np.ndarray, np.ndarray], support: np.ndarray | None = None) -> None:
        self.c, self.grid, self.n, self.model, self.paths = c, grid, n, model, paths
        self.support = support  # flat (n, K, M, R) cells a decision model is asked at (None: all; 0 elsewhere)
        self._ev: Evaluator | None = None

    def start(self, t: int, phase: int | None = None) -> None:
        """Month t (in `phase`, with a phase factor in the grid)."""
        self.t, self.phase = t, phase
        self.view = self.c.at_month(t) if phase is None else self.c.phase_view(phase)
        self._ev = None

    def evaluator(self) -> Evaluator:
        """The solution's believed month (built only when a response was not kept by backward induction)."""
        if self._ev is None:
            self._ev = self.model.evaluator(self.t, self.phase)
        return self._ev

    def actions(self) -> np.ndarray | dict[int, np.ndarray]:
        """(A, n, K, M, R) action probabilities at this month, or {action: (n, K, M, R)} for the actions some
        state takes (a packed rational policy)."""
        shape = (N_ACTIONS, self.n, *self.grid.shape)
        if isinstance(self.model, Solution):  # the solution's kept policy (also what `explain` reads)
            return self.model.chosen_actions(self.t)
        obs, cs = self.grid.observation(self.view, self.t, self.n, self.paths[1][self.t], self.paths[0][self.t],
                                        cells=self.support)
        return self._scatter(self.model.action_probabilities(cs, obs), shape)

    def _scatter(self, probs: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """(options, runs) probabilities at the observed cells as (options, n, K, M, R); 0 off the support."""
        if self.support is None:
            return probs.reshape(shape)
        out = np.zeros((shape[0], int(np.prod(shape[1:]))))
        out[:, self.support] = probs
        return out.reshape(shape)

    def response_bits(self, b: Strike) -> np.ndarray | None:
        """(n, K, M, R) backward induction's response after the strike `b` as bits (`Solution.kept_response_bits`),
        or None where it was not kept (`responses` then gives the probabilities)."""
        if isinstance(self.model, Solution):
            return self.model.kept_response_bits(self.t, self.phase, b)
        return None

    def responses(self, month: Month, b: Strike) -> np.ndarray:
        """(3, n, K, M, R) probabilities of absorbing, retaliating, escalating after the strike `b`."""
        if isinstance(self.model, Solution):
            kept = self.model.kept_response(self.t, self.phase, b)  # backward induction's choice, reused
            if kept is not None:
                return kept
            values, _, _ = self.evaluator().response_values(b)
            return self.model.decision.choose(values)
        listed, lead, cities = month.strikes_at(b)
        shape = (self.n, *self.grid.shape)
        r = (np.arange(int(np.prod(shape))) if self.support is None else self.support) % self.grid.R
        total = (listed + b.fixed.sum())[r]
        info = StrikeInfo(total=total, leadership=lead[r], civilian=cities[r], event=np.full(total.size, b.event))
        obs, cs = self.grid.observation(self.view, self.t, self.n, self.paths[1][self.t], self.paths[0][self.t],
                                        tests_shift=b.dm, r_index=self.grid.r_map(listed, b.done,
                                                                                  to_status=b.to_status),
                                        cells=self.support)
        return self._scatter(self.model.response_probabilities(cs, obs, info), (len(Response), *shape))


def _move_m(mass: np.ndarray, dm: int) -> np.ndarray:
    """Mass at test level m moved to min(m + dm, M - 1)."""
    if dm == 0:
        return mass
    M = mass.shape[2]
    out = np.zeros_like(mass)
    out[:, :, dm:] = mass[:, :, :M - dm]
    out[:, :, M - 1] += mass[:, :, M - dm:].sum(axis=2)
    return out


def _move_r(grid: Grid, mass: np.ndarray, dest: np.ndarray, split: tuple | None = None,
            shift: np.ndarray | None = None) -> np.ndarray:
    """Mass at last-axis index j moved to dest[j] (targets struck, deadline acted); with the evidence `shift`
    (its `split`: offsets to the lower and upper evidence level and the chance of the upper, (n or 1, R))
    divided between the two. One sparse product where the split is the same for every sample."""
    n, K, M, R = mass.shape
    if split is None and np.array_equal(dest, np.arange(R)):
        return mass
    out = grid.push(mass, dest, shift)
    if out is not None:
        return out
    lo, hi, frac = split
    rows = frac.shape[0]
    S = np.zeros((rows, R, R))
    j = np.arange(R)[None, :]
    rr = np.arange(rows)[:, None]
    np.add.at(S, (rr, j, dest[None, :] + lo), 1 - frac)
    np.add.at(S, (rr, j, dest[None, :] + hi), frac)
    return np.matmul(mass.reshape(n, K * M, R), S).reshape(n, K, M, R)


def advance(month: Month, policy: _Policy, mass: np.ndarray,
            taken: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One month of the forward distribution: (mass over running grid states next month, mass absorbed (n, 6)).

    The coercer may defect from a deal, the deadline may act or be spent, else the target acts (the mass
    whose deadline is spent moves to the spent states). With `taken` (n, A), the chance of each action this
    month is added to it.
    """
    grid = month.grid
    n = mass.shape[0]
    absorbed = np.zeros((n, len(OUTCOMES)))
    buffers: dict[tuple[Key, bool], np.ndarray] = {}
    spent = [False]  # whether the branches being handled move mass whose deadline fell due and did not act

    def send(m: np.ndarray, key: Key, dm: int, dest: np.ndarray, b: Open | Strike) -> None:
        shift = month.evidence_shift(b)
        split = None if shift is None else grid.evidence_split(shift)
        k = (key, spent[0])
        moved = _move_r(grid, _move_m(m, dm), dest, split, shift)
        if k in buffers:
            buffers[k] += moved
        else:  # the first mass sent to `key` (a copy where no move was made: `m` may be read again)
            buffers[k] = moved.copy() if moved is m else moved

    def war(m: np.ndarray, dest: np.ndarray) -> None:
        pn = month.pn_free_grid[..., dest]  # read in the status after the branch, as the planner does
        absorbed[:, NUCLEAR_O] += (m * pn).sum(axis=(1, 2, 3))
        absorbed[:, WAR_O] += (m * (1 - pn)).sum(axis=(1, 2, 3))

    def handle(b: Open | Strike | End, m: np.ndarray) -> None:
        m = m * col(b.weight)
        if isinstance(b, Open):
            send(m, b.key, b.dm, grid.r_map(0, b.done, tested_key(b.key), b.to_status), b)
        elif isinstance(b, End):
            for o, p in b.outcomes.items():
                p = mcol(np.atleast_2d(p)) if np.ndim(p) else p
                absorbed[:, o] += (m * p).sum(axis=(1, 2, 3))
        else:
            listed, _, _ = month.strikes_at(b)
            hit = (listed + b.fixed.sum()) > 0
            tested = tested_key(b.key_open)
            counter = np.broadcast_to(np.asarray(col(month.counter), dtype=float), m.shape)
            bits = policy.response_bits(b)
            if bits is not None:  # the kept choice read as shares (`planner.option_shares`) in the same pass
                bits = np.broadcast_to(bits, m.shape)
                sigma = np.zeros((len(Response), 0, 0, 0, 0))
                shares = option_shares(len(Response))
            else:
                sigma = np.broadcast_to(policy.responses(month, b), (len(Response), *m.shape))
                bits, shares = np.zeros((0, 0, 0, 0), dtype=np.uint8), np.zeros((len(Response), 0))
            stay, absorb, limited, at_war = backend().strike_split(m, hit, sigma, bits, shares, counter)
            send(stay, b.key_open, b.dm, grid.r_map(0, b.done, tested, b.to_status), b)
            send(absorb, b.key_absorb, b.dm, grid.r_map(listed, b.done, tested, b.to_status), b)
            absorbed[:, LIMITED_O] += limited.sum(axis=(1, 2, 3))
            war(_move_m(at_war, b.dm), grid.r_map(listed, b.done, tested, b.to_status))

    hd = month.defection_grid
    for b in month.defection_branches():
        handle(b, mass * hd)
    rest = mass * (1 - hd)
    h_act, h_spent = month.deadline_split()
    for b in month.deadline_branches():
        handle(b, rest * h_act)
    pi = policy.actions()
    parts = [(False, rest * (1 - h_act - h_spent))]
    if np.any(h_spent):
        parts.append((True, rest * h_spent))
    for a in range(N_ACTIONS):
        pa = pi.get(a) if isinstance(pi, dict) else pi[a]  # an action no state takes is left out
        if pa is None or not np.any(pa):
            continue
        for was_spent, acting in parts:
            moving = acting * pa
            if not moving.any():  # taken only where no mass is: it moves nothing
                continue
            spent[0] = was_spent
            if taken is not None:
                taken[:, a] += moving.sum(axis=(1, 2, 3))
            for b in month.action_branches(a):
                handle(b, moving)
    new = np.zeros_like(mass)
    for (key, was_spent), m in buffers.items():
        moved = talks_push(m, month.shift_of(key))
        new += _move_r(grid, moved, grid.spent) if was_spent else moved
    return new, absorbed


def running_outcomes(grid: Grid, mass: np.ndarray) -> np.ndarray:
    """(n, 6) the mass still on the grid by the outcome its status stands for (build-up, freeze, or
    denuclearisation)."""
    out = np.zeros((mass.shape[0], len(OUTCOMES)))
    by_r = mass.sum(axis=(1, 2))
    for s, o in OUTCOME_OF_STATUS.items():
        if s < grid.S:
            out[:, o] += by_r[:, grid.status == s].sum(axis=1)
    return out


def start_mass(c: Compiled, grid: Grid, n: int) -> np.ndarray:
    """(n, K, M, R) point mass on the starting state."""
    mass = np.zeros((n, *grid.shape))
    k0 = np.broadcast_to(dyn.talks_round(np.atleast_1d(np.asarray(c["initial.talks"], dtype=float)),
                                         np.zeros(1)), (n,))
    mass[np.arange(n), k0, 0, grid.start_index] = 1.0
    return mass


def samples_of(c: Compiled, model: DecisionModel | Solution) -> int:
    """How many parameter samples a compiled model carries."""
    if isinstance(model, Solution):
        return model.n
    return max((np.size(v) for v in c.values.values() if isinstance(v, np.ndarray)), default=1)


def propagate(c: Compiled, model: DecisionModel | Solution,
              execution: Callable[[int], dict[str, np.ndarray | float]] | None = None) -> ExactResult:
    """Forward distribution of outcomes for every parameter sample of `c` under the decision model.

    `execution(t)`, for a strategic coercer, gives month t's real execution probabilities (`Month._prob`)."""
    grid = Grid.of(c)
    n = samples_of(c, model)
    paths = dyn.policy_paths(c)
    policy = _Policy(c, grid, n, model, paths)
    mass = start_mass(c, grid, n)
    absorbed = np.zeros((n, len(OUTCOMES)))
    timeline = np.zeros((c.horizon + 1, n, len(OUTCOMES)))
    timeline[0] = running_outcomes(grid, mass)
    actions = np.zeros((c.horizon, n, N_ACTIONS))
    disarm = col(dyn.disarmament_probability(c))
    credibility = np.full((c.horizon, n), np.nan)
    for t in range(c.horizon):
        credibility[t] = mean_credibility(c, grid, mass, t)
        mass = grid.enter_mass(mass, grid.phase_entry(c, t, n))  # phases that begin this month
        mass = grid.disarm_mass(mass, disarm)  # deals whose disarmament completes
        parts = phase_months(c, grid, t, n, False, paths, execution(t) if execution else None)
        if len(parts) == 1:
            policy.start(t)
            mass, newly = advance(parts[0][1], policy, mass, actions[t])
        else:  # each phase's states move under the levers of that phase
            moved, newly = np.zeros_like(mass), np.zeros((n, len(OUTCOMES)))
            for p, (mask, month) in enumerate(parts):
                policy.start(t, p)
                part, ab = advance(month, policy, np.where(mask, mass, 0.0), actions[t])
                moved += part
                newly += ab
            mass = moved
        absorbed += newly
        timeline[t + 1] = absorbed + running_outcomes(grid, mass)
    out = absorbed + running_outcomes(grid, mass)
    name = model.decision.name if isinstance(model, Solution) else model.name
    return ExactResult(outcomes=out, timeline=timeline, adversary=name, actions=actions,
                       credibility=credibility if c.credibility_levels else None,
                       unproven=running_outcomes(grid, mass[:, :, :dyn.MAX_TESTS]))


def mean_credibility(c: Compiled, grid: Grid, mass: np.ndarray, t: int) -> np.ndarray:
    """(n,) the open runs' mean credibility at month t's start: over the rules and deadlines that can be
    learned, the mean posterior that the coercer is resolute (NaN once no run is open, or nothing is learned).
    With the evidence factor it is read on the levels; without, a deadline's posterior after its quiet months."""
    items = [it for it in (*c.rules, *c.deadlines) if it.bluff]
    n = mass.shape[0]
    if not c.credibility_levels or not items:
        return np.full(n, np.nan)
    per_level = np.zeros((n, grid.B))
    np.add.at(per_level.T, grid.evidence, mass.sum(axis=(1, 2)).T)  # (n, B) open mass per evidence level
    if grid.B > 1:
        L = np.atleast_2d(belief.level_value(grid.B, c["credibility.step"]))  # (n or 1, B)
        parts = [np.reshape(belief.posterior(np.reshape(c[it.believed], (-1, 1)), L), (-1, grid.B))
                 for it in items]
    else:
        parts = []
        for it in items:
            L = 0.0
            if it in c.deadlines:
                L = belief.skipped_deadline_evidence(c[it.prob], c[it.bluff], t, it.first_month, it.last_month)
            parts.append(np.reshape(belief.posterior(c[it.believed], L), (-1, 1)))
    cred = np.mean(np.broadcast_arrays(*parts), axis=0)  # (n or 1, B)
    total = per_level.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (per_level * cred).sum(axis=1) / total, np.nan)


def exact_result(scenario: Scenario, strategy: Strategy, adversary: Adversary | str = "rational",
                 overrides: dict | None = None) -> ExactResult:
    """One strategy's exact propagation (outcomes, their path, and the part reached with delivery unproven)."""
    c = compile_model(scenario, strategy, overrides)
    model = get_decision_model(adversary)
    if isinstance(model, PlannerModel):
        return propagate(c, solve(c, model.decision))
    return propagate(c, model)


def exact_outcomes(scenario: Scenario, strategy: Strategy, adversary: Adversary | str = "rational",
                   overrides: dict | None = None) -> dict[str, float]:
    """Outcome probabilities of one strategy with no sampling error (the JSON `outcomes` p values)."""
    return exact_result(scenario, strategy, adversary, overrides).as_dict()
