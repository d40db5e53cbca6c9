"""One source of truth: the planner's one-month transition probabilities are the simulator's frequencies.

For a sample of states (month, talks level, test-equivalents, targets left, whether the deadline has acted,
status: open, frozen, in a deal, disarmed) and every action, forced with probability 1, the exact branches of a month (`advance` on a point mass, real
credibility) are compared with the empirical next-state frequencies of the simulator's own month
(`Chunk._step`) started from the same states (with learned credibility, spread over the evidence levels,
whose stochastic rounding the simulator draws from its own stream). Next states are the planner's grid cells plus the absorbing
outcomes. The comparison is a chi-square goodness-of-fit per (state, action), cells with fewer than 5
expected runs pooled, at p > 1e-6 (a few hundred tests: a false alarm has odds ~1e-4 for a fixed seed);
besides, a next state the planner gives probability 0 must never occur in the simulator.
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import ForcedAction
from scipy import stats

from brinkmanship.adversary import planner_model
from brinkmanship.adversary.exact import _Policy, advance
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import Month
from brinkmanship.adversary.planner import solve
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.chunk import K_INIT_FIXED, K_MONTH_FIXED, Chunk, running
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import (
    ACTIONS,
    CRISIS,
    MISSILE,
    N_ACTIONS,
    NUCLEAR_TEST,
    OUTCOMES,
    PHASE_OF_STATUS,
    PHASE_TO_OUTCOME,
    Status,
)
from brinkmanship.engine.streams import Streams

RUNS_PER_STATE = 4000
SOURCE_BLOCK = 16  # source cells propagated together (memory: 16 grids per array)
P_MIN = 1e-6

# (strategy, months, talks levels, test-equivalents, targets left on the list)
SAMPLES = {
    # deadline (preventive war) in months 4..15; list of 30 (20 military, 10 leadership)
    "let-deterrence-fail": ((0, 5, 15), (0, 7, 12, 20), (0, 3, 6), (30, 10, 2, 0)),
    # deadline (strike on 3 military targets) in months 4..6, no list: the deadline's own done flag
    "limited-strike": ((0, 4, 6, 9), (0, 7, 12, 20), (0, 3, 6), (0,)),
}


def _states(grid: Grid, ks, ms, lefts):
    """(talks, tests, targets left, status) states; targets left restricted to the values the list can reach;
    every state open, and a few in each other status (a freeze, a deal, disarmed)."""
    reach = set(grid.left.tolist())
    out = [(k, m, left, Status.OPEN) for k in ks for m in ms for left in lefts if left in reach]
    return out + [(k, m, left, s) for s in (Status.FROZEN, Status.DEAL, Status.DISARMED)
                  for k in ks[1::2] for m in ms[:2] for left in lefts[:2] if left in reach]


def simulate_one_month(c, grid, model, t, states, seed):
    """Start RUNS_PER_STATE runs in each state at month t, run the simulator's month once.

    Returns the source cell (k, m, r index) of each kept run and its next cell (a grid index or
    grid.size + outcome)."""
    S = len(states)
    n = S * RUNS_PER_STATE
    streams = Streams(seed, 0, n, K_INIT_FIXED + 2 * len(c.deadlines), K_MONTH_FIXED + len(c.rules))
    ch = Chunk(c, model, streams)
    which = np.repeat(np.arange(S), RUNS_PER_STATE)
    k, m, left, status = (np.array([s[i] for s in states])[which] for i in range(4))
    ch.talks_idx = k.copy()
    ch.tests = m.copy()
    ch.status = status.astype(np.int8)
    ch.phase = np.array([PHASE_OF_STATUS.get(Status(x), CRISIS) for x in ch.status], dtype=np.int8)
    ch.warheads = np.where(status == Status.DISARMED, 0.0,
                           c["initial.warheads"] + c["arsenal.production_per_year"] * t / 12.0)
    if grid.list_id >= 0:
        by_class = grid.left_by_class()  # the planner's proportional depletion, as the simulator's
        ch.lists[grid.list_id] = by_class[:, grid.level_of(left)]
    done0 = np.zeros(n, dtype=bool)
    acted = np.zeros(n, dtype=bool)
    if c.deadlines:
        executed = ch.init[K_INIT_FIXED + 1] < c[c.deadlines[0].prob]
        done0 = (ch.deadline_month[0] < t) & executed
        acted = (ch.deadline_month[0] <= t) & executed
    keep = ~done0 if grid.D == 1 else np.ones(n, dtype=bool)  # a preventive war that struck has ended the run
    ev0 = which % grid.B  # with learned credibility, each state at one evidence level (the states cover them all)
    if grid.B > 1:
        ch.evidence = ev0.copy()
    u = ch.s.month()
    ch._step(t, u)  # one month, without compaction, so arrays keep the run order
    src = np.ravel_multi_index((k, np.minimum(m, grid.M - 1), grid.index(
        left=grid.level_of(left), done=(done0 & (grid.D == 2)).astype(np.int64), status=status, evidence=ev0)),
        grid.shape)
    left_next = ch.lists[grid.list_id].sum(axis=0) if grid.list_id >= 0 else np.zeros(n, dtype=np.int64)
    done_next = acted if grid.D == 2 else np.zeros(n, dtype=bool)
    ev_next = ch.evidence if grid.B > 1 else ev0
    cell = np.ravel_multi_index((ch.talks_idx, np.minimum(ch.tests, grid.M - 1), grid.index(
        left=level_of(grid, left_next), done=done_next.astype(np.int64), status=ch.status.astype(np.int64),
        evidence=ev_next)), grid.shape)
    closed = ~running(ch.phase)
    nxt = np.where(closed, grid.size + PHASE_TO_OUTCOME[ch.phase].astype(np.int64), cell)
    return src[keep], nxt[keep]


def level_of(grid: Grid, left: np.ndarray) -> np.ndarray:
    """Last-axis level of each targets-left value; a value the planner's grid does not hold fails loudly."""
    lv = grid.level_of(left)
    ok = (lv < grid.levels) & (grid.left[np.minimum(lv, grid.levels - 1)] == left)
    assert ok.all(), f"simulator reached targets-left values outside the planner's grid: {np.unique(left[~ok])}"
    return lv


def exact_one_month(c, grid, policy_for, t, sources):
    """(len(sources), grid.size + 6) next-cell probabilities from a point mass on each source cell (the decision
    model is asked only where mass is: the source, and the disarmed state a deal may reach at the month's start)."""
    paths = dyn.policy_paths(c)
    out = []
    for first in range(0, len(sources), SOURCE_BLOCK):  # blocks of sources: arrays of a few grids at a time
        block = sources[first:first + SOURCE_BLOCK]
        n = len(block)
        mass = np.zeros((n, grid.size))
        mass[np.arange(n), block] = 1.0
        start = grid.disarm_mass(mass.reshape(n, *grid.shape), dyn.disarmament_probability(c))  # the month's start
        policy = policy_for(n, paths, np.flatnonzero(start))
        policy.start(t)
        new, absorbed = advance(Month(c, grid, t, n, False, paths), policy, start)
        out.append(np.concatenate([new.reshape(n, -1), absorbed], axis=1))
    return np.concatenate(out)


def check_fit(counts: np.ndarray, probs: np.ndarray, label: str) -> float:
    """Chi-square goodness of fit of counts to probs (cells < 5 expected pooled); impossible cells empty."""
    N = counts.sum()
    assert probs.sum() == pytest.approx(1.0, abs=1e-9), label
    assert (probs > -1e-12).all(), label
    impossible = probs < 1e-12
    assert counts[impossible].sum() == 0, (
        f"{label}: simulator reached cells the planner calls impossible: "
        f"{np.flatnonzero(impossible & (counts > 0))[:10]}")
    exp = N * probs
    big = exp >= 5
    obs_cells = list(counts[big]) + ([counts[~big & ~impossible].sum()] if (~big & ~impossible).any() else [])
    exp_cells = list(exp[big]) + ([exp[~big & ~impossible].sum()] if (~big & ~impossible).any() else [])
    obs_cells, exp_cells = np.array(obs_cells, float), np.array(exp_cells, float)
    if len(obs_cells) <= 1:
        return 1.0
    stat = ((obs_cells - exp_cells) ** 2 / exp_cells).sum()
    p = stats.chi2.sf(stat, len(obs_cells) - 1)
    worst = np.argmax(np.abs(obs_cells - exp_cells) / np.sqrt(exp_cells))
    assert p > P_MIN, (f"{label}: chi2={stat:.1f} on {len(obs_cells) - 1} dof, p={p:.2e}; worst cell "
                       f"observed {obs_cells[worst]:.0f} vs expected {exp_cells[worst]:.1f}")
    return p


def compare(c, grid, sim_model, policy_for, t, states, seed, label):
    src, nxt = simulate_one_month(c, grid, sim_model, t, states, seed)
    sources = np.unique(src)
    P = exact_one_month(c, grid, policy_for, t, sources)
    checked = 0
    for i, s in enumerate(sources):
        sel = src == s
        if sel.sum() < 200:  # too few runs in a rare (state, deadline acted) group to say anything
            continue
        counts = np.bincount(nxt[sel], minlength=grid.size + len(OUTCOMES))
        check_fit(counts, P[i], f"{label} t={t} source={np.unravel_index(s, grid.shape)}")
        checked += 1
    return checked


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("action", range(N_ACTIONS), ids=ACTIONS)
def test_forced_action_transitions_match_the_simulator(korea, strategies, name, action):
    c = compile_model(korea, strategies[name])
    grid = Grid.of(c)
    months, ks, ms, lefts = SAMPLES[name]
    model = ForcedAction(action)
    checked = 0
    for t in months:
        states = _states(grid, ks, ms, lefts)
        checked += compare(c, grid, model, lambda n, paths, cells: _Policy(c, grid, n, model, paths, cells), t, states,
                           seed=1000 * action + t, label=f"{name} {ACTIONS[action]}")
    assert checked >= len(months) * len(_states(grid, ks, ms, lefts))


class _PlannerResponses(ForcedAction):
    """Forced action; responses to strikes from the rational/logit planner (as the simulator runs it)."""

    def __init__(self, a: int, spec: str) -> None:
        super().__init__(a)
        self.planner = planner_model(spec)

    def response_probabilities(self, c, obs, strikes):
        return self.planner.response_probabilities(c, obs, strikes)


class _MixedPolicy:
    """Forced action on the grid; responses read from the solved planner (as `propagate` does)."""

    def __init__(self, forced: _Policy, solved: _Policy) -> None:
        self.forced, self.solved = forced, solved

    def start(self, t: int) -> None:
        self.forced.start(t)
        self.solved.start(t)

    def actions(self):
        return self.forced.actions()

    def responses(self, month, b):
        return self.solved.responses(month, b)

    def response_bits(self, b):
        return self.solved.response_bits(b)


@pytest.mark.parametrize("spec", ["rational", "logit:0.3"])
@pytest.mark.parametrize("name", list(SAMPLES))
def test_planner_responses_to_strikes_match_the_simulator(korea, strategies, name, spec):
    """After a missile test or a nuclear test (the strikes the rules answer with) and in the deadline months,
    the simulator's planner responses (PlannerModel) and the exact ones (the Solution) move runs alike."""
    c = compile_model(korea, strategies[name])
    grid = Grid.of(c)
    sol = solve(c, spec)
    months, ks, ms, lefts = SAMPLES[name]
    for action in (MISSILE, NUCLEAR_TEST):
        model = _PlannerResponses(action, spec)

        def policy_for(n, paths, cells, model=model):
            return _MixedPolicy(_Policy(c, grid, n, model, paths, cells), _Policy(c, grid, 1, sol, paths))

        for t in months:
            compare(c, grid, model, policy_for, t, _states(grid, ks, ms, lefts), seed=77 + 10 * action + t,
                    label=f"{name} {spec} {ACTIONS[action]}")


class _StateAwareResponses(ForcedAction):
    """Forced action; responses that read the observed state after the strike (targets struck so far, whether
    the deadline has acted), as any decision model may (the planner's own `PlannerModel` does)."""

    def response_probabilities(self, c, obs, strikes):
        done = np.zeros(obs.talks.shape[0]) if obs.deadline_done is None else obs.deadline_done.astype(float)
        L = np.zeros((3, obs.talks.shape[0]))
        L[1] = -1.5 + 0.15 * obs.struck + 1.5 * done
        L[2] = -3.0 + 0.1 * obs.struck
        e = np.exp(L)
        return e / e.sum(axis=0)


STATE_AWARE = [("let-deterrence-fail", MISSILE, (0, 5))]  # missile tests answered by strikes from the list


@pytest.mark.parametrize(("name", "action", "months"), STATE_AWARE, ids=[n for n, _, _ in STATE_AWARE])
def test_state_aware_responses_see_the_post_strike_state(korea, strategies, name, action, months):
    c = compile_model(korea, strategies[name])
    grid = Grid.of(c)
    _, ks, ms, lefts = SAMPLES[name]
    model = _StateAwareResponses(action)
    for t in months:
        compare(c, grid, model, lambda n, paths, cells: _Policy(c, grid, n, model, paths, cells), t,
                _states(grid, ks, ms, lefts), seed=500 + t, label=f"{name} state-aware responses")


def test_state_aware_responses_to_the_deadline_strike(korea, strategies):
    """The deadline's flag as the responding target sees it: not yet set in the month the deadline strikes,
    in the simulator and in the exact propagation alike."""
    c = compile_model(korea, strategies["limited-strike"])
    grid = Grid.of(c)
    _, ks, ms, lefts = SAMPLES["limited-strike"]
    model = _StateAwareResponses(0)
    for t in (4, 5, 6):
        compare(c, grid, model, lambda n, paths, cells: _Policy(c, grid, n, model, paths, cells), t,
                _states(grid, ks, ms, lefts), seed=600 + t, label="limited-strike state-aware responses")
