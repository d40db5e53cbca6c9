"""The state of a chunk of runs and its monthly transition: the one transition model of the simulator.

Arrays are (n,) or (k, n) over the chunk's running runs. Runs that reach a conflict never change again
(a freeze or a deal is an ending a run can leave: its `status`), so the working arrays are compacted to the open runs whenever a quarter of them has closed; closed
runs' outcomes are kept by their original index. Talks progress lives on a grid of 21 levels and delivery
is counted in test-equivalents, so the rational planner's discretised state is the simulator's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from brinkmanship.engine import belief, fmath
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, Value
from brinkmanship.engine.constants import (
    DEAL_STATUSES,
    EVENT_OF_ACTION,
    N_ACTIONS,
    OUTCOMES,
    PHASE_TO_OUTCOME,
    PHASES,
    TARGET_CLASSES,
    Action,
    Event,
    Phase,
    Response,
    Rung,
    Status,
    TargetClass,
)
from brinkmanship.engine.decision import DecisionModel, Observation, StrikeInfo
from brinkmanship.engine.streams import BELIEF_STREAM, COERCER_STREAM, Streams

WARHEAD_BIN = 0.5  # warheads histogram resolution (mergeable percentiles across chunks)
WARHEAD_BINS = 1000
COMPACT_BELOW = 0.75  # compact the working arrays once fewer than this share of the runs is open
LOG_FLOOR = 1e-30  # keeps log(u) finite for a uniform draw of exactly 0

# uniform slots drawn once per run (then two per deadline: its month and whether it is executed)
I_WAR, I_NUC_SCALE, I_DETON, I_CHINA, I_RUSSIA, I_NUC_USE, I_INVADE, I_COUNTER = range(8)
K_INIT_FIXED = 8
SLOTS_PER_DEADLINE = 2
# uniform slots drawn every month (then one per rule); the "detail" slot serves the mutually exclusive
# actions' own draws: salvo size after a launch, signature after accepting a deal, a clash after a provocation.
# Slots 0-3 (one Philox block) are the draws most months need; the city, the endings' two draws (whether the
# coercer defects from a deal, whether a deal's disarmament completes) and the rules' draws only months with
# strikes, events or a deal, so the fused kernel draws those blocks only then
M_ACTION, M_DETAIL, M_RESP, M_TALKS, M_CITY, M_DEFECT, M_DISARM = range(7)
K_MONTH_FIXED = 7
# per month, over the runs open at its start: their count, summed credibility on the evidence levels and exact
BELIEF_TALLY = ("open", "on_levels", "exact")
BELIEF_SCALE = 2 ** 32  # credibility summed in fixed point, so the sums are the same bits for any chunking


def running(phase: np.ndarray) -> np.ndarray:
    """Runs not in a conflict: open, or in a freeze or a deal (endings a run can leave)."""
    return (phase <= Phase.CRISIS) | (phase >= Phase.DEAL)


def deadline_slots(j: int) -> tuple[int, int]:
    """Initial-uniform rows of deadline j: its month, and whether it is executed."""
    first = K_INIT_FIXED + SLOTS_PER_DEADLINE * j
    return first, first + 1


def sample_categorical(probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw per column of `probs` (categories along axis 0, weights need not be normalised);
    a zero-weight entry never wins.

    The draw is the first category whose running sum exceeds u x total; adding a zero leaves the running
    sum exactly unchanged, so an empty category is always stepped over.
    """
    cum = np.cumsum(probs, axis=0)
    x = u * cum[-1]
    idx = np.zeros(u.shape[0], dtype=np.int64)
    for j in range(probs.shape[0] - 1):
        idx += x >= cum[j]
    return idx


def salvo_size(c: Compiled, u: np.ndarray) -> np.ndarray:
    """Missiles launched in a month with launches, drawn from the scenario's salvo distribution."""
    k = np.minimum(np.searchsorted(c.salvo_cdf, u, side="right"), len(c.salvo_sizes) - 1)
    return c.salvo_sizes[k]


@dataclass
class MonthState:
    """The working arrays of one month of a chunk, passed from one mechanism to the next."""

    t: int
    u: np.ndarray  # (K_MONTH_FIXED + rules, n) the month's uniforms
    active: np.ndarray  # runs open at the start of the month
    posture: Value
    talks: np.ndarray  # talks progress, moved by the month's events before it is rounded to the grid
    strikes: np.ndarray  # (4, n) targets struck by class this month
    new_war: np.ndarray
    regime: np.ndarray  # the regime itself is threatened (preventive war, failing invasion)
    deadline_hit: np.ndarray
    rounds: np.ndarray  # sanctions rounds the rules added
    missiles: np.ndarray  # missiles launched
    shift: np.ndarray | float = 0.0  # evidence levels the month brings (rules carried out or not, deadlines)
    llr: np.ndarray | float = 0.0  # the same, as a continuous log-likelihood ratio
    execution: dict = field(default_factory=dict)  # a strategic coercer's real execution per rule (n,)
    action: np.ndarray | None = None  # the target's action (-1: none, a deadline month)
    is_m: np.ndarray | None = None
    is_n: np.ndarray | None = None
    is_p: np.ndarray | None = None
    deal: np.ndarray | None = None
    freeze: np.ndarray | None = None
    first_use: np.ndarray | None = None
    clash: np.ndarray | None = None
    limited: np.ndarray | None = None
    total: np.ndarray | None = None
    nuclear: np.ndarray | None = None
    war: np.ndarray | None = None

    def learn(self, llr: np.ndarray, step: np.ndarray | float) -> None:
        """Add what the target observes this month: a log-likelihood ratio, and the same in evidence levels."""
        self.llr = self.llr + llr
        self.shift = self.shift + llr / step

    @staticmethod
    def start(ch: Chunk, t: int, u: np.ndarray) -> MonthState:
        """The month's state before anything happens: open runs, talks at their grid level, nothing struck."""
        n = ch.n
        none = np.zeros(n, dtype=bool)
        return MonthState(
            t=t, u=u, active=running(ch.phase), posture=ch.c.posture(t),
            talks=ch.talks_idx * dyn.TALKS_STEP, strikes=np.zeros((len(TargetClass), n), dtype=np.int64),
            new_war=none.copy(), regime=none.copy(), deadline_hit=none, rounds=np.zeros(n, dtype=np.int64),
            missiles=np.zeros(n),
        )


class Chunk:
    """A chunk of runs advanced month by month under one decision model and one compiled strategy."""

    PER_RUN = ("phase", "status", "warheads", "tests", "talks_idx", "lists", "by_class", "deaths_mil",
               "deaths_civ", "detonations", "rung", "month_resolved", "invaded", "preventive", "quiet", "init",
               "deadline_month", "orig")

    def __init__(self, c: Compiled, model: DecisionModel, streams: Streams) -> None:
        n = streams.stop - streams.start
        self.c, self.model, self.s, self.n = c, model, streams, n
        self.orig = np.arange(n)
        self.compacted = False
        self.phase = np.full(n, Phase.CRISIS, dtype=np.int8)
        self.status = np.full(n, Status.OPEN, dtype=np.int8)
        self.warheads = np.zeros(n) + c["initial.warheads"]
        self.tests = np.zeros(n, dtype=np.int64)
        self.talks_idx = dyn.talks_round(np.zeros(n) + c["initial.talks"], np.zeros(n))
        self.lists = np.repeat(c.list_sizes[:, :, None], n, axis=2)  # (L, C, n)
        self.by_class = np.zeros((len(TargetClass), n), dtype=np.int64)
        self.deaths_mil = np.zeros(n)
        self.deaths_civ = np.zeros(n)
        self.detonations = np.zeros(n)
        self.rung = np.full(n, Rung.CRISIS, dtype=np.int8)  # every run starts in the crisis
        self.month_resolved = np.full(n, -1, dtype=np.int16)
        self.invaded = np.zeros(n, dtype=bool)
        self.preventive = np.zeros(n, dtype=bool)
        self.quiet = np.zeros(n, dtype=np.int16)
        self.init = init = streams.initial
        self.deadline_month = np.zeros((len(c.deadlines), n), dtype=np.int64)
        for j, d in enumerate(c.deadlines):
            span = d.last_month - d.first_month + 1
            self.deadline_month[j] = d.first_month + np.minimum(
                (init[deadline_slots(j)[0]] * span).astype(np.int64), span - 1)
        self.per_run = self.PER_RUN
        # a strategic coercer decides per state whether to carry out (the model's `execution_probabilities`)
        self.execution = getattr(model, "execution_probabilities", None)
        if self.execution is not None and c.deadlines:
            self._start_strategic_deadlines(streams)
        self.B = c.evidence_levels
        if c.credibility_levels:
            self._start_belief(streams)
        if c.phases:
            self._start_phases(streams)
        else:
            self.sanctions_path, self.economy_path = dyn.policy_paths(c)
        self.month_c = c  # the model with the levers in force this month (per run under phases)
        H = c.horizon
        self.outcome_counts = np.zeros((H + 1, len(OUTCOMES)), dtype=np.int64)
        self.outcome_counts[0] = np.bincount(PHASE_TO_OUTCOME[self.phase], minlength=len(OUTCOMES))
        self.warhead_hist = np.zeros((H + 1, WARHEAD_BINS), dtype=np.int64)
        self.closed_outcomes = np.zeros(len(OUTCOMES), dtype=np.int64)
        self.closed_hist = np.zeros(WARHEAD_BINS, dtype=np.int64)
        self.warhead_hist[0] = self._hist(self.warheads)
        self.transitions = np.zeros((len(PHASES), len(PHASES)), dtype=np.int64)
        self.action_counts = np.zeros((H, N_ACTIONS), dtype=np.int64)
        self.belief_tally = np.zeros((H, len(BELIEF_TALLY)), dtype=np.int64)
        self._month: MonthState | None = None
        self.final = {k: np.zeros(n, dtype=v.dtype) for k, v in self._outcome_arrays().items()}

    # -- the target's belief in the coercer's resolve (engine.belief) ------------------------------------
    BELIEF_PER_RUN = ("evidence", "llr", "belief_u")

    def _start_belief(self, streams: Streams) -> None:
        """Per-run evidence: the level the planner sees (stochastic rounding drawn from a stream of its own, so
        learned credibility leaves every other draw unchanged) and the exact log-likelihood ratio (output)."""
        n = self.n
        self.per_run = self.per_run + self.BELIEF_PER_RUN
        self.evidence = np.full(n, belief.prior_level(self.B), dtype=np.int64)
        self.llr = np.zeros(n)
        self.belief_u = streams.phase_uniforms(self.c.horizon, BELIEF_STREAM) if self.B > 1 else np.zeros((0, n))
        self.items = [it.believed for it in (*self.c.rules, *self.c.deadlines) if it.bluff]

    def _record_belief(self, t: int, active: np.ndarray) -> None:
        """Tally month t's open runs: their count, and their summed credibility (the mean over the rules and
        deadlines of the posterior that the coercer is resolute) on the evidence levels and exact."""
        idx = np.flatnonzero(active)
        if not self.items or not idx.size:
            return
        # only the numbers read here are cut to the open runs (`self.c` is kept cut to the chunk's runs by
        # `_compact`), not the whole model every month: the same values, so the same bits
        at = lambda name: self.c[name][idx] if isinstance(self.c[name], np.ndarray) else self.c[name]  # noqa: E731
        levels = np.atleast_2d(belief.level_value(self.B, at("credibility.step")))
        on_levels = levels[np.arange(levels.shape[0]) if levels.shape[0] > 1 else 0, self.evidence[idx]]
        cred = lambda llr: np.mean([belief.posterior(at(pri), llr) for pri in self.items], axis=0)  # noqa: E731
        fixed = lambda x: np.rint(x * BELIEF_SCALE).astype(np.int64).sum()  # noqa: E731  exact, in any order
        self.belief_tally[t] += (idx.size, fixed(cred(on_levels)), fixed(cred(self.llr[idx])))

    def _deadline_evidence(self, m: MonthState, j: int, fire: np.ndarray) -> None:
        """What deadline j teaches this month: acting (log h_p / h_b), or not acting while still pending."""
        c = self.c
        d = c.deadlines[j]
        if not d.bluff or not d.first_month <= m.t <= d.last_month:
            return
        hp = belief.deadline_hazard(c[d.prob], m.t, d.first_month, d.last_month)
        hb = belief.deadline_hazard(c[d.bluff], m.t, d.first_month, d.last_month)
        pending = ~self._deadline_done(j, m.t, slice(None))
        act = np.log(np.maximum(hp, belief.TINY)) - np.log(np.maximum(hb, belief.TINY))
        skip = np.log1p(-np.minimum(hp, belief.NEAR_ONE)) - np.log1p(-np.minimum(hb, belief.NEAR_ONE))
        m.learn(np.where(fire, act, np.where(pending, skip, 0.0)), c["credibility.step"])

    def _deadline_done(self, j: int, t: int, idx: np.ndarray | slice) -> np.ndarray:
        """Whether deadline j fell due before month t (acted, or spent where its `unless` held): for a committed
        coercer its drawn month and execution draw; for a strategic one the month it was spent (recorded)."""
        if self.execution is not None:
            return self.spent_month[j, idx] < t
        return (self.deadline_month[j, idx] < t) & (self.init[deadline_slots(j)[1], idx] < np.broadcast_to(
            self.c[self.c.deadlines[j].prob], self.n)[idx])

    # -- a strategic coercer ----------------------------------------------------------------------------
    STRATEGIC_PER_RUN = ("spent_month", "deadline_u")

    def _start_strategic_deadlines(self, streams: Streams) -> None:
        """A strategic coercer's deadline falls due with the month's hazard of its execution probability at the
        run's state (the planner's Markov hazard, `belief.deadline_hazard`), drawn from a stream of its own; each
        run records the month the deadline was spent (the horizon while pending)."""
        n, H, J = self.n, self.c.horizon, len(self.c.deadlines)
        self.per_run = self.per_run + self.STRATEGIC_PER_RUN
        self.spent_month = np.full((J, n), H, dtype=np.int64)
        self.deadline_u = streams.phase_uniforms(H * J, COERCER_STREAM).reshape(J, H, n)

    def _executions(self, t: int, idx: np.ndarray) -> dict[str, np.ndarray]:
        """The real execution probability of each rule and deadline (by its `probability` parameter) for the
        runs `idx` at the start of month t: the strategic coercer's decision at each run's state."""
        obs, cc = self.observe(t, idx)
        return self.execution(cc, obs)

    # -- phases -----------------------------------------------------------------------------------------
    PHASE_PER_RUN = ("phase_idx", "since_test", "posture_from", "posture_entry", "posture_now", "entry_month",
                     "level", "econ")

    def _start_phases(self, streams: Streams) -> None:
        """Per-run phase state: the phase in force, months without a test, the posture ramp under way, the
        drawn entry month of each dated phase, and the sanctions level and economy (paths differ by run)."""
        c, n = self.c, self.n
        self.per_run = self.per_run + self.PHASE_PER_RUN
        self.phase_idx = np.zeros(n, dtype=np.int64)
        self.since_test = np.zeros(n, dtype=np.int64)
        self.posture_from = np.full(n, float(c.posture_start))
        self.posture_entry = np.zeros(n, dtype=np.int64)
        self.posture_now = self.posture_from.copy()
        P = len(c.phases)
        self.entry_month = np.full((P, n), -1, dtype=np.int64)
        windows = [q for q in range(1, P) if c.phases[q].first_month >= 0]
        drawn = streams.phase_uniforms(P) if any(not c.phases[q].fixed for q in windows) else None
        for q in windows:
            ph = c.phases[q]
            span = ph.last_month - ph.first_month + 1
            self.entry_month[q] = ph.first_month if ph.fixed else ph.first_month + np.minimum(
                (drawn[q] * span).astype(np.int64), span - 1)
        self.level = np.zeros(n) + c["initial.sanctions"]
        self.econ = np.zeros(n) + c["initial.economy"]

    def phase_entering(self, t: int) -> np.ndarray:
        """(n,) whether each run enters its next phase at the start of month t: the next phase's month has
        come, or its condition holds on the state at the month's start (one phase a month, in order)."""
        c = self.c
        nxt = self.phase_idx + 1
        enter = np.zeros(self.n, dtype=bool)
        for q in range(1, len(c.phases)):  # one pass per phase, vectorised over the runs
            ph = c.phases[q]
            if ph.first_month >= 0:
                holds = t >= self.entry_month[q]
            elif ph.talks_at_least is not None:
                holds = self.talks_idx * dyn.TALKS_STEP >= c[ph.talks_at_least] - dyn.GRID_TOL
            else:
                holds = self.since_test >= ph.quiet_months
            enter |= (nxt == q) & holds
        return enter

    def _enter_phases(self, t: int) -> None:
        """Move runs into their next phase; a phase that changes posture starts a new ramp from the posture
        of last month. Sets the month's model with the levers in force for each run."""
        c = self.c
        enter = self.phase_entering(t)
        self.phase_idx = self.phase_idx + enter
        resets = np.array([ph.posture_reset for ph in c.phases])
        reset = enter & resets[self.phase_idx]
        self.posture_from = np.where(reset, self.posture_now, self.posture_from)
        self.posture_entry = np.where(reset, t, self.posture_entry)
        moved = resets[1:].any()
        self.month_c = c.in_phase(self.phase_idx, self.posture_from if moved else None,
                                  self.posture_entry if moved else 0)

    def _policy_now(self, t: int, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Economy and felt sanctions pressure of runs `idx` at month t."""
        if not self.c.phases:
            return (np.broadcast_to(self._path(self.economy_path, t, idx), idx.shape),
                    np.broadcast_to(self._path(self.sanctions_path, t, idx), idx.shape))
        enf = dyn.enforcement(self.month_c)
        enf = enf[idx] if np.ndim(enf) else enf
        return self.econ[idx], self.level[idx] * enf

    # -- bookkeeping -------------------------------------------------------------------------------
    @staticmethod
    def _hist(warheads: np.ndarray) -> np.ndarray:
        """Histogram of warheads; when all runs hold the same number (open runs with one parameter set) it is
        one bin, found without a pass over the runs."""
        if warheads.size and warheads[0] == warheads[-1] and (warheads == warheads[0]).all():
            out = np.zeros(WARHEAD_BINS, dtype=np.int64)
            out[min(int(warheads[0] / WARHEAD_BIN), WARHEAD_BINS - 1)] = warheads.size
            return out
        idx = np.minimum((warheads / WARHEAD_BIN).astype(np.int64), WARHEAD_BINS - 1)
        return np.bincount(idx, minlength=WARHEAD_BINS)

    def _path(self, path: np.ndarray, t: int, idx: np.ndarray | None) -> np.ndarray | float:
        row = path[t]  # compacted together with the runs
        if np.ndim(row) == 0:
            return float(row)
        return row if idx is None else row[idx]

    def _compact(self) -> None:
        """Store the closed runs' outcomes and drop them from the working arrays."""
        keep = running(self.phase)
        if keep.sum() > COMPACT_BELOW * keep.size:
            return
        done = ~keep
        for k, v in self._outcome_arrays(done).items():
            self.final[k][self.orig[done]] = v
        self.closed_outcomes += np.bincount(PHASE_TO_OUTCOME[self.phase[done]], minlength=len(OUTCOMES))
        self.closed_hist += self._hist(self.warheads[done])
        if self.c.has_arrays:
            self.c = self.c.chunk(keep)
        if not self.c.phases:
            if self.sanctions_path.ndim == 2:
                self.sanctions_path = self.sanctions_path[:, keep]
            if self.economy_path.ndim == 2:
                self.economy_path = self.economy_path[:, keep]
        self.month_c = self.c
        for name in self.per_run:
            setattr(self, name, getattr(self, name)[..., keep])
        self.n = int(keep.sum())
        self.compacted = True

    def observe(self, t: int, idx: np.ndarray) -> tuple[Observation, Compiled]:
        """What the target sees at month t, for the runs `idx` (and the model cut to them)."""
        c = self.month_c.chunk(idx) if self.month_c.has_arrays else self.month_c
        tests = self.tests[idx]
        left = self.lists[:, :, idx].sum(axis=1)  # only the observed runs
        done = self._deadline_done(0, t, idx) if c.deadlines else None
        economy, sanctions = self._policy_now(t, idx)
        ev = shift = None
        if self.B > 1:
            ev = self.evidence[idx]
            shift = np.broadcast_to(self._month.shift, (self.n,))[idx] if self._month is not None else None
        return Observation(
            t=t, warheads=self.warheads[idx], delivery=dyn.delivery(c, tests), tests=tests, deadline_done=done,
            economy=economy, sanctions=sanctions,
            talks=self.talks_idx[idx] * dyn.TALKS_STEP, talks_idx=self.talks_idx[idx],
            lists_left=left, struck=c.list_sizes.sum() - left.sum(axis=0), posture=c.posture(t),
            exercises=c.exercises(t),
            phase=self.phase_idx[idx] if self.c.phases else None,
            months_without_test=self.since_test[idx] if self.c.phases else None,
            status=self.status[idx],
            evidence=ev, evidence_shift=shift,
        ), c

    # -- the month ------------------------------------------------------------------------------------
    def step(self, t: int) -> None:
        """Advance every open run by one month."""
        u = self.s.month(self.orig if self.compacted else None)  # closed runs draw nothing
        if self.n:
            self._step(t, u)
        else:
            self.outcome_counts[t + 1] = self.closed_outcomes
            self.warhead_hist[t + 1] = self.closed_hist
        self._compact()

    def _step(self, t: int, u: np.ndarray) -> None:
        """One month, in the order of its mechanisms (each a method below, pinned by its own test); under
        phases, the month runs with the levers each run's phase puts in force."""
        base = self.c
        if base.phases:
            self._enter_phases(t)
            self.c = self.month_c
        try:
            m = MonthState.start(self, t, u)
            self._month = m
            if base.credibility_levels:
                self._record_belief(t, m.active)
            self._disarm(m)
            self._deadlines(m)
            self._act(m)
            self._answer_events(m)
            self._after_strikes(m)
            self._general_war(m)
            self._advance(m)
        finally:
            self.c = base
            self._month = None

    def _disarm(self, m: MonthState) -> None:
        """0. A deal being carried out completes at the start of a month with its monthly chance: the arsenal
        is given up (its warheads are gone)."""
        done = m.active & (self.status == Status.DEAL) & (m.u[M_DISARM] < dyn.disarmament_probability(self.c))
        self.status[done] = Status.DISARMED
        self.warheads[done] = 0.0

    def _deadlines(self, m: MonthState) -> None:
        """1. The coercer acts: a deadline falls due (unless a condition it names holds: a deal, a freeze,
        talks at its threshold), or the coercer defects from a deal by attacking; a month of response."""
        c, init = self.c, self.init
        in_deal = np.isin(self.status, DEAL_STATUSES)
        defect = m.active & in_deal & (m.u[M_DEFECT] < c["endings.deal_defection"])
        m.new_war |= defect
        m.regime |= defect
        m.deadline_hit = defect
        for j, d in enumerate(c.deadlines):
            if self.execution is not None:  # a strategic coercer: the hazard of its execution at the state
                due = np.zeros(self.n, dtype=bool)
                idx = np.flatnonzero(m.active & (self.spent_month[j] >= m.t))
                if d.first_month <= m.t <= d.last_month and idx.size:
                    h = belief.deadline_hazard(self._executions(m.t, idx)[d.prob], m.t, d.first_month, d.last_month)
                    due[idx] = self.deadline_u[j, m.t, idx] < h
                self.spent_month[j, due] = m.t
            else:
                due = (self.deadline_month[j] == m.t) & (init[deadline_slots(j)[1]] < c[d.prob])
            fire = m.active & due & dyn.deadline_acts(c, d, m.talks, self.status)
            m.deadline_hit = m.deadline_hit | fire
            if c.credibility_levels:
                self._deadline_evidence(m, j, fire)
            if d.response == "preventive_war":
                m.new_war |= fire
                m.regime |= fire
                self.preventive |= fire
            elif d.response == "strike":
                m.strikes[d.target_class] += d.count * fire
            else:
                m.talks = m.talks - fire * c["talks.setback_sanctions"]

    def _act(self, m: MonthState) -> None:
        """2. The target's action: drawn from the decision model, then its own consequences."""
        c, u, n = self.c, m.u, self.n
        a = np.full(n, -1, dtype=np.int64)
        idx = np.flatnonzero(m.active & ~m.deadline_hit)
        if idx.size:
            obs, cc = self.observe(m.t, idx)
            weights = getattr(self.model, "action_weights", self.model.action_probabilities)(cc, obs)
            a[idx] = sample_categorical(weights, u[M_ACTION, idx])
            self.action_counts[m.t] = np.bincount(a[idx], minlength=N_ACTIONS)
            if self.execution is not None and c.rules:  # decided at the state the target acted from
                for k, v in self.execution(cc, obs).items():
                    m.execution[k] = np.zeros(n)
                    m.execution[k][idx] = v
        m.action = a
        m.is_m, m.is_n, m.is_p = a == Action.MISSILE_TEST, a == Action.NUCLEAR_TEST, a == Action.PROVOCATION
        midx = np.flatnonzero(m.is_m)
        m.missiles[midx] = salvo_size(c, u[M_DETAIL, midx])
        self.tests = np.minimum(self.tests + m.is_m + m.is_n * dyn.nuclear_test_weight(c), dyn.MAX_TESTS)
        m.talks = (m.talks + (a == Action.NEGOTIATE) * dyn.talks_gain(c, m.posture)
                   - m.is_m * c["talks.setback_missile_test"] - m.is_n * c["talks.setback_nuclear_test"])
        m.deal = (a == Action.ACCEPT_DEAL) & (u[M_DETAIL] < dyn.deal_close_probability(c, m.posture))
        m.freeze = a == Action.FREEZE
        invade = a == Action.INVADE
        success = self.init[I_INVADE] < dyn.invasion_success(c, m.posture)
        self.invaded |= invade
        m.new_war |= invade
        m.regime |= invade & ~success
        m.first_use = a == Action.NUCLEAR_USE
        m.clash = m.is_p & (u[M_DETAIL] < c["escalation.provocation_clash"])
        m.limited = m.clash.copy()
        self.deaths_mil += m.clash * c["war.provocation_deaths"]

    def _answer_events(self, m: MonthState) -> None:
        """3. The coercer's rules answer the month's events: strikes (from a list or a class), sanctions rounds."""
        c = self.c
        happened = {Event.MISSILE_TEST: m.is_m, Event.NUCLEAR_TEST: m.is_n, Event.PROVOCATION: m.is_p}
        for i, r in enumerate(c.rules):
            fire = happened[r.event] & (m.u[K_MONTH_FIXED + i] < m.execution.get(r.prob, c[r.prob]))
            if r.bluff and c.credibility_levels:  # the target sees whether the rule was carried out
                m.learn(np.where(happened[r.event], np.where(fire, belief.evidence(True, c[r.prob], c[r.bluff]),
                                                             belief.evidence(False, c[r.prob], c[r.bluff])), 0.0),
                        c["credibility.step"])
            if r.response == "strike":
                want = (r.count * (m.missiles if r.per_missile else 1.0) * fire).astype(np.int64)
                if r.target_list >= 0:
                    sub = np.flatnonzero(want)
                    left = self.lists[r.target_list][:, sub]
                    alloc = dyn.allocate_strikes(np.minimum(want[sub], left.sum(axis=0)), left,
                                                 c.list_orders[r.target_list])
                    self.lists[r.target_list][:, sub] = left - alloc
                    m.strikes[:, sub] += alloc
                else:
                    m.strikes[r.target_class] += want
            else:
                m.rounds += fire
                m.talks = m.talks - fire * c["talks.setback_sanctions"]

    def _after_strikes(self, m: MonthState) -> None:
        """4. After strikes: absorb, retaliate in kind, or escalate to general war; strike deaths."""
        c, u, n, init = self.c, m.u, self.n, self.init
        m.total = total = m.strikes.sum(axis=0)
        hit = (total > 0) & ~m.new_war & ~m.first_use & ~m.deal & ~m.freeze & ~m.clash
        hidx = np.flatnonzero(hit)
        if hidx.size:
            obs, cc = self.observe(m.t, hidx)
            action = m.action[hidx]
            event = np.full(hidx.size, Event.DEADLINE, dtype=np.int64)
            for act, ev in EVENT_OF_ACTION.items():
                event[action == act] = ev
            info = StrikeInfo(total=total[hidx], leadership=m.strikes[TargetClass.LEADERSHIP, hidx],
                              civilian=m.strikes[TargetClass.CIVILIAN_POPULATION, hidx], event=event,
                              rounds=m.rounds[hidx])
            resp = np.zeros(n, dtype=np.int64)
            resp[hidx] = sample_categorical(self.model.response_probabilities(cc, obs, info), u[M_RESP, hidx])
            ret = hit & (resp == Response.RETALIATE)
            counter = ret & (init[I_COUNTER] < c["escalation.counter_escalation"])
            m.limited |= ret & ~counter
            m.new_war |= (hit & (resp == Response.ESCALATE)) | counter
            m.talks = m.talks - hit * c["talks.setback_strike"]
        sidx = np.flatnonzero(total)
        if sidx.size:
            cs = c.chunk(sidx) if c.has_arrays else c
            civ = m.strikes[TargetClass.CIVILIAN_POPULATION, sidx]
            city = dyn.loguniform_scale(cs, "war.civilian_deaths_per_city", u[M_CITY, sidx])
            self.deaths_mil[sidx] += (total[sidx] - civ) * cs["war.military_deaths_per_target"]
            self.deaths_civ[sidx] += civ * city
            self.by_class[:, sidx] += m.strikes[:, sidx]

    def _general_war(self, m: MonthState) -> None:
        """5. General war: nuclear use (first use, or in the war), third parties, deaths."""
        c = self.c
        m.nuclear = m.first_use.copy()
        widx = np.flatnonzero(m.new_war)
        if widx.size:
            cw = c.chunk(widx) if c.has_arrays else c
            m.nuclear[widx] |= self.init[I_NUC_USE, widx] < dyn.nuclear_use_in_war(
                cw, self.warheads[widx], dyn.delivery(cw, self.tests[widx]), m.regime[widx])
        m.war = m.new_war | m.nuclear
        if m.war.any():
            self._resolve_war(m.war, m.nuclear)

    def _advance(self, m: MonthState) -> None:
        """6. Statuses (a test breaks a freeze or a deal; a freeze or a signed deal begins), phases, the ladder,
        talks and warheads of the runs still running; the month's aggregates."""
        c, t, active = self.c, m.t, m.active
        old = self.phase.copy()
        phase = self.phase
        self.status[m.is_m | m.is_n] = Status.OPEN  # a test breaks a freeze or reneges on a deal
        self.status[m.freeze] = Status.FROZEN
        self.status[m.deal] = Status.DEAL
        conflict = m.limited | m.war | m.nuclear
        self.quiet = np.where(m.is_m | m.is_n | m.is_p, 0, self.quiet + 1).astype(np.int16)
        calm = self.quiet >= c["escalation.quiet_months"]
        ending = np.where(self.status == Status.FROZEN, Phase.FREEZE, Phase.DEAL)
        phase[active] = np.where(self.status == Status.OPEN, np.where(calm, Phase.PEACE, Phase.CRISIS), ending)[active]
        phase[m.limited] = Phase.LIMITED_CONFLICT
        phase[m.war] = Phase.MAJOR_WAR
        phase[m.nuclear] = Phase.NUCLEAR_WAR
        still = active & ~conflict  # running on next month (open, or in a freeze or a deal)
        opened = active & ~conflict & (phase <= Phase.CRISIS)
        for level, reached in ((Rung.LIMITED_STRIKES, m.limited | (m.total > 0)), (Rung.MAJOR_WAR, m.war),
                               (Rung.NUCLEAR_USE, m.nuclear)):
            hit_rung = np.flatnonzero(reached & active)
            if hit_rung.size:
                self.rung[hit_rung] = np.maximum(self.rung[hit_rung], level)
        self.month_resolved[active & (phase > Phase.CRISIS) & (phase != old)] = t + 1  # entered its ending
        self.month_resolved[opened] = -1  # a freeze or a deal broken: the run is open again
        talks = m.talks
        escalate = c.sanctions_mode == "escalate"  # a new sanctions round after each test month sets talks back
        if isinstance(escalate, np.ndarray):
            talks = talks - (m.is_m | m.is_n) * escalate * c["talks.setback_sanctions"]
        elif escalate:
            talks = talks - (m.is_m | m.is_n) * c["talks.setback_sanctions"]
        self.talks_idx = np.where(still, dyn.talks_round(talks, m.u[M_TALKS]), self.talks_idx)
        if c.credibility_levels:
            self.llr = np.where(still, self.llr + m.llr, self.llr)
            if self.B > 1:
                self.evidence = np.where(still, belief.round_draw(self.evidence, m.shift, self.B, self.belief_u[t]),
                                         self.evidence)
        # production goes on in a freeze and until a deal's disarmament completes (a disarmed run has none)
        self.warheads = self.warheads + (still & (self.status != Status.DISARMED)) * dyn.monthly_production(c)
        if c.phases:
            self.since_test = np.where(m.is_m | m.is_n, 0, self.since_test + 1)
            self.posture_now = np.broadcast_to(np.asarray(m.posture, dtype=float), (self.n,)).copy()
            self.level, self.econ = dyn.policy_step(c, self.level, self.econ, dyn.enforcement(c))

        changed = old != phase
        if changed.any():
            P = len(PHASES)
            self.transitions += np.bincount(old[changed].astype(np.int64) * P + phase[changed],
                                            minlength=P * P).reshape(P, P)
        self.outcome_counts[t + 1] = self.closed_outcomes + np.bincount(
            PHASE_TO_OUTCOME, weights=np.bincount(phase, minlength=len(PHASES)), minlength=len(OUTCOMES)
        ).astype(np.int64)
        self.warhead_hist[t + 1] = self.closed_hist + self._hist(self.warheads)

    def _resolve_war(self, war: np.ndarray, nuclear: np.ndarray) -> None:
        """Deaths and detonations for the runs `war` entering general war this month (some of them nuclear)."""
        w = np.flatnonzero(war)
        c = self.c.chunk(w) if self.c.has_arrays else self.c
        init = self.init[:, w]
        p_ch, p_ru = dyn.intervention_probability(c)
        joined = (init[I_CHINA] < p_ch) | (init[I_RUSSIA] < p_ru)
        conv = dyn.loguniform_scale(c, "war.conventional_deaths", init[I_WAR])
        conv = conv * np.where(joined, c["war.intervention_deaths_multiplier"], 1.0)
        share = c["war.civilian_share"]
        self.deaths_civ[w] += conv * share
        self.deaths_mil[w] += conv * (1.0 - share)
        mean = np.maximum(c["war.detonations_mean"], 1.0)
        det = np.ceil(-fmath.log(np.maximum(init[I_DETON], LOG_FLOOR)) * mean)
        det = np.clip(det, 1.0, np.maximum(np.floor(self.warheads[w]), 1.0)) * nuclear[w]
        per = dyn.loguniform_scale(c, "war.deaths_per_detonation", init[I_NUC_SCALE])
        self.detonations[w] += det
        self.deaths_civ[w] += det * per
        self.warheads[w] -= det

    # -- results --------------------------------------------------------------------------------------
    def _outcome_arrays(self, sel: np.ndarray | slice = slice(None)) -> dict[str, np.ndarray]:
        return {
            "final_phase": self.phase[sel].astype(np.int8),
            "final_status": self.status[sel].astype(np.int8),
            "final_tests": self.tests[sel].astype(np.int8),
            "outcome": PHASE_TO_OUTCOME[self.phase[sel]],
            "month_resolved": self.month_resolved[sel],
            "warheads": self.warheads[sel],
            "deaths_military": self.deaths_mil[sel],
            "deaths_civilian": self.deaths_civ[sel],
            "deaths": self.deaths_mil[sel] + self.deaths_civ[sel],
            "detonations": self.detonations[sel],
            **{f"strikes_{name}": self.by_class[k, sel] for k, name in enumerate(TARGET_CLASSES)},
            "highest_rung": self.rung[sel],
            "invaded": self.invaded[sel],
            "preventive_war": self.preventive[sel],
        }

    def outcomes(self) -> dict[str, np.ndarray]:
        """Per-run outcomes in the chunk's original run order."""
        for k, v in self._outcome_arrays().items():
            self.final[k][self.orig] = v
        return self.final
