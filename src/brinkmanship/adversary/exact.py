"""Exact outcome probabilities: forward propagation of the state distribution under a decision model.

The same month branches the planner plans on, read with the strategy's *real* probabilities, move the
probability mass over the grid; absorbing endings collect it. No sampling error: intervals have zero width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import (
    BUILDUP_O,
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
    talks_matrix,
    tested_key,
)
from brinkmanship.adversary.model import PlannerModel
from brinkmanship.adversary.planner import Evaluator, Solution, solve
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import N_ACTIONS, OUTCOMES, Response
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

    def as_dict(self, i: int = 0) -> dict[str, float]:
        return {name: float(self.outcomes[i, j]) for j, name in enumerate(OUTCOMES)}


class _Policy:
    """Action and response probabilities on the grid, from a solved planner or any decision model."""

    def __init__(self, c: Compiled, grid: Grid, n: int, model: DecisionModel | Solution,
                 paths: tuple[np.ndarray, np.ndarray]) -> None:
        self.c, self.grid, self.n, self.model, self.paths = c, grid, n, model, paths
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
        obs, cs = self.grid.observation(self.view, self.t, self.n, self.paths[1][self.t], self.paths[0][self.t])
        return self.model.action_probabilities(cs, obs).reshape(shape)

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
        per_r = lambda x: np.broadcast_to(np.asarray(x)[None, None, None, :], shape).ravel()  # noqa: E731
        total = per_r(listed + b.fixed.sum())
        info = StrikeInfo(total=total, leadership=per_r(lead), civilian=per_r(cities),
                          event=np.full(total.size, b.event))
        obs, cs = self.grid.observation(self.view, self.t, self.n, self.paths[1][self.t], self.paths[0][self.t],
                                        tests_shift=b.dm, r_index=self.grid.r_map(listed, b.done))
        return self.model.response_probabilities(cs, obs, info).reshape(len(Response), *shape)


def _move_m(mass: np.ndarray, dm: int) -> np.ndarray:
    """Mass at test level m moved to min(m + dm, M - 1)."""
    if dm == 0:
        return mass
    M = mass.shape[2]
    out = np.zeros_like(mass)
    out[:, :, dm:] = mass[:, :, :M - dm]
    out[:, :, M - 1] += mass[:, :, M - dm:].sum(axis=2)
    return out


def _move_r(mass: np.ndarray, dest: np.ndarray, split: tuple | None = None) -> np.ndarray:
    """Mass at last-axis index j moved to dest[j] (targets struck, deadline acted); with `split` (offsets to
    the lower and upper evidence level and the chance of the upper, (n or 1, R)) divided between the two."""
    n, K, M, R = mass.shape
    if split is None:
        if np.array_equal(dest, np.arange(R)):
            return mass
        S = np.zeros((R, R))
        S[np.arange(R), dest] = 1.0
        return mass @ S
    lo, hi, frac = split
    rows = frac.shape[0]
    if rows == 1:  # one product: the destination and the evidence split together
        W = np.zeros((R, R))
        np.add.at(W, (np.arange(R), dest + lo[0]), 1 - frac[0])
        np.add.at(W, (np.arange(R), dest + hi[0]), frac[0])
        return mass @ W
    S = np.zeros((rows, R, R))
    j = np.arange(R)[None, :]
    rr = np.arange(rows)[:, None]
    np.add.at(S, (rr, j, dest[None, :] + lo), 1 - frac)
    np.add.at(S, (rr, j, dest[None, :] + hi), frac)
    if rows == 1:
        return mass @ S[0]
    return np.matmul(mass.reshape(n, K * M, R), S).reshape(n, K, M, R)


def advance(month: Month, policy: _Policy, mass: np.ndarray,
            taken: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One month of the forward distribution: (mass over open grid states next month, mass absorbed (n, 6)).

    With `taken` (n, A), the chance of each action this month is added to it.
    """
    grid = month.grid
    n = mass.shape[0]
    K, M, R = grid.shape
    absorbed = np.zeros((n, len(OUTCOMES)))
    buffers: dict[Key, np.ndarray] = {}

    def send(m: np.ndarray, key: Key, dm: int, dest: np.ndarray, b: Open | Strike) -> None:
        shift = month.evidence_shift(b)
        split = None if shift is None else grid.evidence_split(shift)
        buffers[key] = buffers.get(key, 0.0) + _move_r(_move_m(m, dm), dest, split)

    def war(m: np.ndarray) -> None:
        pn = mcol(month.pn_free)
        absorbed[:, NUCLEAR_O] += (m * pn).sum(axis=(1, 2, 3))
        absorbed[:, WAR_O] += (m * (1 - pn)).sum(axis=(1, 2, 3))

    def handle(b: Open | Strike | End, m: np.ndarray) -> None:
        m = m * col(b.weight)
        if isinstance(b, Open):
            send(m, b.key, b.dm, grid.r_map(0, b.done, tested_key(b.key)), b)
        elif isinstance(b, End):
            for o, p in b.outcomes.items():
                p = mcol(np.atleast_2d(p)) if np.ndim(p) else p
                absorbed[:, o] += (m * p).sum(axis=(1, 2, 3))
        else:
            listed, _, _ = month.strikes_at(b)
            hit = ((listed + b.fixed.sum()) > 0)[None, None, None, :]
            tested = tested_key(b.key_open)
            send(np.where(hit, 0.0, m), b.key_open, b.dm, grid.r_map(0, b.done, tested), b)
            sigma = policy.responses(month, b)
            struck = np.where(hit, m, 0.0)
            send(struck * sigma[Response.ABSORB], b.key_absorb, b.dm, grid.r_map(listed, b.done, tested), b)
            counter = col(month.counter)
            retaliated = struck * sigma[Response.RETALIATE]
            absorbed[:, LIMITED_O] += (retaliated * (1 - counter)).sum(axis=(1, 2, 3))
            war(_move_m(retaliated * counter + struck * sigma[Response.ESCALATE], b.dm))

    h = month.hazard_grid
    for b in month.deadline_branches():
        handle(b, mass * h)
    pi = policy.actions()
    acting = mass * (1 - h)
    for a in range(N_ACTIONS):
        pa = pi.get(a) if isinstance(pi, dict) else pi[a]  # an action no state takes is left out
        if pa is None or not np.any(pa):
            continue
        moving = acting * pa
        if not moving.any():  # taken only where no mass is: it moves nothing
            continue
        if taken is not None:
            taken[:, a] += moving.sum(axis=(1, 2, 3))
        for b in month.action_branches(a):
            handle(b, moving)
    new = np.zeros_like(mass)
    for key, m in buffers.items():
        P = talks_matrix(month.shift_of(key), K, n)
        new += np.matmul(np.transpose(P, (0, 2, 1)), m.reshape(n, K, M * R)).reshape(n, K, M, R)
    return new, absorbed


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
    timeline[0, :, BUILDUP_O] = 1.0
    actions = np.zeros((c.horizon, n, N_ACTIONS))
    credibility = np.full((c.horizon, n), np.nan)
    for t in range(c.horizon):
        credibility[t] = mean_credibility(c, grid, mass, t)
        mass = grid.enter_mass(mass, grid.phase_entry(c, t, n))  # phases that begin this month
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
        timeline[t + 1] = absorbed
        timeline[t + 1, :, BUILDUP_O] = mass.sum(axis=(1, 2, 3))
    out = absorbed.copy()
    out[:, BUILDUP_O] = mass.sum(axis=(1, 2, 3))
    name = model.decision.name if isinstance(model, Solution) else model.name
    return ExactResult(outcomes=out, timeline=timeline, adversary=name, actions=actions,
                       credibility=credibility if c.credibility_levels else None)


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


def exact_outcomes(scenario: Scenario, strategy: Strategy, adversary: Adversary | str = "rational",
                   overrides: dict | None = None) -> dict[str, float]:
    """Outcome probabilities of one strategy with no sampling error (the JSON `outcomes` p values)."""
    c = compile_model(scenario, strategy, overrides)
    model = get_decision_model(adversary)
    if isinstance(model, PlannerModel):
        return propagate(c, solve(c, model.decision)).as_dict()
    return propagate(c, model).as_dict()
