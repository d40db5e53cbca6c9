"""Monte Carlo simulation of the crisis, month by month, vectorised over a batch of runs.

`simulate` executes the strategy as it really is against a decision model of the target; results are
per-run outcome arrays plus monthly aggregates. Runs are processed in chunks (memory) whose random
numbers do not depend on the chunking (see `streams`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import (
    ACCEPT,
    CIV,
    CRISIS,
    DEAL,
    ESCALATE,
    FREEZE,
    FREEZE_ACT,
    INVADE,
    LEAD,
    LIMITED,
    MAJOR_WAR,
    MISSILE,
    N_ACTIONS,
    NEGOTIATE,
    NUCLEAR_TEST,
    NUCLEAR_USE,
    NUCLEAR_WAR,
    OUTCOMES,
    PEACE,
    PHASE_TO_OUTCOME,
    PHASES,
    PROVOCATION,
    RETALIATE,
)
from brinkmanship.engine.decision import DecisionModel, Observation, StrikeInfo, get_decision_model
from brinkmanship.engine.streams import DEFAULT_BLOCK, Streams
from brinkmanship.spec import Scenario, Strategy

WARHEAD_BIN = 0.5  # warheads histogram resolution (for mergeable percentiles across chunks)
WARHEAD_BINS = 1000
DEFAULT_CHUNK = 100_000

# uniform slots drawn once per run
I_WAR, I_NUC_SCALE, I_DETON, I_CHINA, I_RUSSIA, I_NUC_USE, I_INVADE, I_COUNTER = range(8)
K_INIT_FIXED = 8
# uniform slots drawn every month; one "detail" slot serves the mutually exclusive actions' own draws
# (salvo size after a launch, signature after accepting a deal, a clash after a provocation)
M_ACTION, M_DETAIL, M_RESP, M_CITY = range(4)
M_SALVO = M_DEAL = M_CLASH = M_DETAIL
K_MONTH_FIXED = 4

OUTCOME_FIELDS = (
    "final_phase", "outcome", "month_resolved", "warheads", "deaths_military", "deaths_civilian", "deaths",
    "detonations", "strikes_military", "strikes_leadership", "strikes_dual_use", "strikes_civilian_population",
    "highest_rung", "invaded", "preventive_war",
)


@dataclass
class SimulationResult:
    """Per-run outcomes and monthly aggregates of one strategy's simulation."""

    scenario: str
    strategy: str
    adversary: str
    runs: int
    seed: int
    horizon: int
    outcomes: dict[str, np.ndarray]
    timeline: dict[str, object]
    transitions: np.ndarray
    extra: dict[str, object] = field(default_factory=dict)

    def outcome_shares(self) -> np.ndarray:
        """Share of runs ending in each of OUTCOMES (sums to 1)."""
        return np.bincount(self.outcomes["outcome"], minlength=len(OUTCOMES)) / self.runs


def stream_key(name: str) -> int:
    """A stable integer key for a name (used to separate random streams of different experiments)."""
    return zlib.crc32(name.encode())


def sample_categorical(probs: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw per column of `probs` (categories along axis 0); a zero-probability entry never wins.

    The draw is the first category whose running sum exceeds u x total; adding a zero leaves the running
    sum exactly unchanged, so an empty category is always stepped over.
    """
    cum = np.cumsum(probs, axis=0)
    x = u * cum[-1]
    idx = np.zeros(u.shape[0], dtype=np.int64)
    for j in range(probs.shape[0] - 1):
        idx += x >= cum[j]
    return idx


class _Chunk:
    """The state of a chunk of runs, advanced one month at a time (arrays are (n,) or (k, n)).

    Runs that reach an absorbing phase never change again, so the working arrays are compacted to the open
    runs whenever a quarter of them has closed; closed runs' outcomes are kept by their original index.
    """

    PER_RUN = ("phase", "warheads", "delivery", "economy", "level", "talks", "lists", "struck", "by_class",
               "deaths_mil", "deaths_civ", "detonations", "rung", "month_resolved", "invaded", "preventive",
               "quiet", "init", "deadline_month", "orig")

    def __init__(self, c: Compiled, model: DecisionModel, streams: Streams) -> None:
        n = streams.stop - streams.start
        self.c, self.model, self.s, self.n_total = c, model, streams, n
        self.n = n
        self.orig = np.arange(n)
        self.compacted = False
        self.phase = np.full(n, CRISIS, dtype=np.int8)
        self.warheads = np.full(n, 0.0) + c["initial.warheads"]
        self.delivery = np.full(n, 0.0) + c["initial.delivery"]
        self.economy = np.full(n, 0.0) + c["initial.economy"]
        self.level = np.full(n, 0.0) + c["initial.sanctions"]
        self.talks = np.full(n, 0.0) + c["initial.talks"]
        self.lists = np.repeat(c.list_sizes[:, :, None], n, axis=2)  # (L, C, n)
        self.struck = np.zeros(n)
        self.by_class = np.zeros((4, n), dtype=np.int64)
        self.deaths_mil = np.zeros(n)
        self.deaths_civ = np.zeros(n)
        self.detonations = np.zeros(n)
        self.rung = np.where(self.phase == PEACE, 0, 1).astype(np.int8)
        self.month_resolved = np.full(n, -1, dtype=np.int16)
        self.invaded = np.zeros(n, dtype=bool)
        self.preventive = np.zeros(n, dtype=bool)
        self.quiet = np.zeros(n, dtype=np.int16)
        self.init = init = streams.initial
        self.deadline_month = np.zeros((len(c.deadlines), n), dtype=np.int64)
        for j, d in enumerate(c.deadlines):
            span = d.last_month - d.first_month + 1
            self.deadline_month[j] = d.first_month + np.minimum(
                (init[K_INIT_FIXED + 2 * j] * span).astype(np.int64), span - 1)
        H = c.horizon
        self.outcome_counts = np.zeros((H + 1, len(OUTCOMES)), dtype=np.int64)
        self.outcome_counts[0] = np.bincount(PHASE_TO_OUTCOME[self.phase], minlength=len(OUTCOMES))
        self.warhead_hist = np.zeros((H + 1, WARHEAD_BINS), dtype=np.int64)
        self.closed_outcomes = np.zeros(len(OUTCOMES), dtype=np.int64)
        self.closed_hist = np.zeros(WARHEAD_BINS, dtype=np.int64)
        self._record_warheads(0)
        self.transitions = np.zeros((len(PHASES), len(PHASES)), dtype=np.int64)
        self.action_counts = np.zeros((H, N_ACTIONS), dtype=np.int64)
        self.final = {k: np.zeros(n, dtype=v.dtype) for k, v in self._outcome_arrays().items()}

    def _hist(self, warheads: np.ndarray) -> np.ndarray:
        idx = np.minimum((warheads / WARHEAD_BIN).astype(np.int64), WARHEAD_BINS - 1)
        return np.bincount(idx, minlength=WARHEAD_BINS)

    def _record_warheads(self, row: int) -> None:
        self.warhead_hist[row] = self.closed_hist + self._hist(self.warheads)

    def _compact(self) -> None:
        """Store the closed runs' outcomes and drop them from the working arrays."""
        keep = self.phase <= CRISIS
        if keep.all() or keep.sum() > 0.75 * keep.size:
            return
        done = ~keep
        for k, v in self._outcome_arrays(done).items():
            self.final[k][self.orig[done]] = v
        self.closed_outcomes += np.bincount(PHASE_TO_OUTCOME[self.phase[done]], minlength=len(OUTCOMES))
        self.closed_hist += self._hist(self.warheads[done])
        for name in self.PER_RUN:
            setattr(self, name, getattr(self, name)[..., keep])
        if self.c.has_arrays:
            self.c = self.c.chunk(keep)
        self.n = int(keep.sum())
        self.compacted = True

    def observe(self, t: int, idx: np.ndarray | None = None) -> Observation:
        """What the target sees at month t, for all runs or the runs `idx`."""
        c = self.c
        pick = (lambda x: x) if idx is None else (lambda x: x[..., idx])
        level = pick(self.level)
        cc = c if idx is None or not c.has_arrays else c.chunk(idx)
        return Observation(
            t=t, warheads=pick(self.warheads), delivery=pick(self.delivery), economy=pick(self.economy),
            sanctions=dyn.effective_sanctions(cc, level), talks=pick(self.talks),
            lists_left=pick(self.lists.sum(axis=1)), struck=pick(self.struck), posture=cc.posture(t),
            exercises=float(c.exercise_level[t]),
        ), cc

    def step(self, t: int) -> None:
        u = self.s.month()
        if self.compacted:
            u = u[:, self.orig]
        if self.n:
            self._step(t, u)
        else:
            self.outcome_counts[t + 1] = self.closed_outcomes
            self.warhead_hist[t + 1] = self.closed_hist
        self._compact()

    def _step(self, t: int, u: np.ndarray) -> None:
        c, n = self.c, self.n
        init = self.init
        active = self.phase <= CRISIS
        posture = c.posture(t)
        strikes = np.zeros((4, n), dtype=np.int64)
        new_war = np.zeros(n, dtype=bool)
        regime = np.zeros(n, dtype=bool)

        for j, d in enumerate(c.deadlines):
            fire = active & (self.deadline_month[j] == t) & (init[K_INIT_FIXED + 2 * j + 1] < c[d.prob])
            if d.talks_threshold is not None:
                fire &= self.talks < d.talks_threshold
            if d.response == "preventive_war":
                new_war |= fire
                regime |= fire
                self.preventive |= fire
            elif d.response == "strike":
                strikes[d.target_class] += d.count * fire
            else:
                self.level = np.minimum(1.0, self.level + fire * d.count * c["sanctions.resolution_step"])

        deciding = active & ~new_war
        idx = np.flatnonzero(deciding)
        a = np.full(n, -1, dtype=np.int64)
        if idx.size:
            obs, cc = self.observe(t, idx)
            probs = self.model.action_probabilities(cc, obs)
            a[idx] = sample_categorical(probs, u[M_ACTION, idx])
            self.action_counts[t] = np.bincount(a[idx], minlength=N_ACTIONS)

        is_m, is_n, is_p = a == MISSILE, a == NUCLEAR_TEST, a == PROVOCATION
        missiles = np.zeros(n)
        midx = np.flatnonzero(is_m)
        missiles[midx] = c.salvo_sizes[np.minimum(np.searchsorted(c.salvo_cdf, u[M_SALVO, midx], side="right"),
                                                  len(c.salvo_sizes) - 1)]
        room = 1.0 - self.delivery
        self.delivery = self.delivery + room * (is_m * c["arsenal.delivery_gain_per_missile_test"]
                                                + is_n * c["arsenal.delivery_gain_per_nuclear_test"])
        gain = (a == NEGOTIATE) * dyn.talks_gain(c, posture)
        loss = is_m * c["talks.setback_missile_test"] + is_n * c["talks.setback_nuclear_test"]
        self.talks = np.clip(self.talks + gain - loss, 0.0, 1.0)
        deal = (a == ACCEPT) & (u[M_DEAL] < dyn.deal_close_probability(c, posture))
        freeze = a == FREEZE_ACT
        invade = a == INVADE
        success = init[I_INVADE] < dyn.invasion_success(c, posture)
        self.invaded |= invade
        new_war |= invade
        regime |= invade & ~success
        first_use = a == NUCLEAR_USE
        limited = is_p & (u[M_CLASH] < c["escalation.provocation_clash"])
        self.deaths_mil += limited * c["war.provocation_deaths"]

        for i, r in enumerate(c.rules):
            event = (is_m, is_n, is_p)[r.event]
            fire = event & (u[K_MONTH_FIXED + i] < c[r.prob])
            if r.response == "strike":
                want = (r.count * (missiles if r.per_missile else 1.0) * fire).astype(np.int64)
                if r.target_list >= 0:
                    sub = np.flatnonzero(want)
                    left = self.lists[r.target_list][:, sub]
                    alloc = dyn.allocate_strikes(np.minimum(want[sub], left.sum(axis=0)), left)
                    self.lists[r.target_list][:, sub] = left - alloc
                    strikes[:, sub] += alloc
                else:
                    strikes[r.target_class] += want
            else:
                self.level = np.minimum(1.0, self.level + fire * r.count * c["sanctions.resolution_step"])

        total = strikes.sum(axis=0)
        hit = (total > 0) & ~new_war & ~first_use & ~deal & ~freeze
        hidx = np.flatnonzero(hit)
        if hidx.size:
            obs, cc = self.observe(t, hidx)
            info = StrikeInfo(total=total[hidx], leadership=strikes[LEAD, hidx], civilian=strikes[CIV, hidx])
            resp = np.zeros(n, dtype=np.int64)
            resp[hidx] = sample_categorical(self.model.response_probabilities(cc, obs, info), u[M_RESP, hidx])
            ret = hit & (resp == RETALIATE)
            counter = ret & (init[I_COUNTER] < c["escalation.counter_escalation"])
            limited |= ret & ~counter
            new_war |= (hit & (resp == ESCALATE)) | counter
            self.talks = np.clip(self.talks - hit * c["talks.setback_strike"], 0.0, 1.0)
        sidx = np.flatnonzero(total)
        if sidx.size:
            cs = c.chunk(sidx) if c.has_arrays else c
            city = dyn.loguniform_scale(cs, "war.civilian_deaths_per_city", u[M_CITY, sidx])
            self.deaths_mil[sidx] += (total[sidx] - strikes[CIV, sidx]) * cs["war.military_deaths_per_target"]
            self.deaths_civ[sidx] += strikes[CIV, sidx] * city
            self.by_class[:, sidx] += strikes[:, sidx]
            self.struck[sidx] += total[sidx]

        nuclear = first_use.copy()
        widx = np.flatnonzero(new_war)
        if widx.size:
            cw = c.chunk(widx) if c.has_arrays else c
            nuclear[widx] |= init[I_NUC_USE, widx] < dyn.nuclear_use_in_war(
                cw, self.warheads[widx], self.delivery[widx], regime[widx])
        war = new_war | nuclear
        if war.any():
            self._resolve_war(war, nuclear)

        old = self.phase.copy()
        phase = self.phase
        phase[deal] = DEAL
        phase[freeze] = FREEZE
        phase[limited] = LIMITED
        phase[war] = MAJOR_WAR
        phase[nuclear] = NUCLEAR_WAR
        tested = is_m | is_n | is_p
        still = active & (phase <= CRISIS)
        self.quiet = np.where(tested, 0, self.quiet + 1).astype(np.int16)
        phase[still] = np.where(self.quiet[still] >= 6, PEACE, CRISIS)
        rung = np.where(nuclear, 4, np.where(war, 3, np.where(limited | (total > 0), 2, 1)))
        self.rung = np.where(active, np.maximum(self.rung, rung), self.rung).astype(np.int8)
        resolved = active & (phase > CRISIS)
        self.month_resolved[resolved] = t + 1

        if c.sanctions_mode == "escalate":
            new_round = (is_m | is_n) & still
            step = c["sanctions.monthly_tightening"] + new_round * c["sanctions.resolution_step"]
            self.level = self.level + still * step * dyn.enforcement(c)
            self.talks = np.clip(self.talks - new_round * c["talks.setback_sanctions"], 0.0, 1.0)
        elif c.sanctions_mode == "relax":
            self.level = self.level - c["sanctions.relax_step"] * self.talks
        self.level = np.clip(self.level, 0.0, 1.0)
        eff = dyn.effective_sanctions(c, self.level)
        econ = self.economy - c["economy.sanctions_drag"] * eff + c["economy.recovery"] * (1.0 - self.economy)
        self.economy = np.where(still, np.clip(econ, 0.0, 1.0), self.economy)
        self.warheads = self.warheads + still * (c["arsenal.production_per_year"] / 12.0)

        changed = old != phase
        if changed.any():
            self.transitions += np.bincount(old[changed].astype(np.int64) * len(PHASES) + phase[changed],
                                            minlength=len(PHASES) ** 2).reshape(len(PHASES), len(PHASES))
        self.outcome_counts[t + 1] = self.closed_outcomes + np.bincount(PHASE_TO_OUTCOME[phase],
                                                                        minlength=len(OUTCOMES))
        self._record_warheads(t + 1)

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
        nuc = nuclear[w]
        mean = np.maximum(c["war.detonations_mean"], 1.0)
        det = np.ceil(-np.log(np.maximum(init[I_DETON], 1e-300)) * mean)
        det = np.clip(det, 1.0, np.maximum(np.floor(self.warheads[w]), 1.0)) * nuc
        per = dyn.loguniform_scale(c, "war.deaths_per_detonation", init[I_NUC_SCALE])
        self.detonations[w] += det
        self.deaths_civ[w] += det * per
        self.warheads[w] -= det

    def _outcome_arrays(self, sel: np.ndarray | slice = slice(None)) -> dict[str, np.ndarray]:
        return {
            "final_phase": self.phase[sel].astype(np.int8),
            "outcome": PHASE_TO_OUTCOME[self.phase[sel]],
            "month_resolved": self.month_resolved[sel],
            "warheads": self.warheads[sel],
            "deaths_military": self.deaths_mil[sel],
            "deaths_civilian": self.deaths_civ[sel],
            "deaths": self.deaths_mil[sel] + self.deaths_civ[sel],
            "detonations": self.detonations[sel],
            "strikes_military": self.by_class[0, sel],
            "strikes_leadership": self.by_class[1, sel],
            "strikes_dual_use": self.by_class[2, sel],
            "strikes_civilian_population": self.by_class[3, sel],
            "highest_rung": self.rung[sel],
            "invaded": self.invaded[sel],
            "preventive_war": self.preventive[sel],
        }

    def outcomes(self) -> dict[str, np.ndarray]:
        """Per-run outcomes in the chunk's original run order."""
        for k, v in self._outcome_arrays().items():
            self.final[k][self.orig] = v
        return self.final


def run_chunk(c: Compiled, model: DecisionModel, seed: int, start: int, stop: int,
              block: int = DEFAULT_BLOCK, key: tuple[int, ...] = ()) -> _Chunk:
    """Simulate runs [start, stop) of a batch (the model's per-run arrays must already be cut to them)."""
    k_init = K_INIT_FIXED + 2 * len(c.deadlines)
    k_month = K_MONTH_FIXED + len(c.rules)
    streams = Streams(seed, start, stop, k_init, k_month, block=block, key=key)
    ch = _Chunk(c, model, streams)
    for t in range(c.horizon):
        ch.step(t)
    return ch


def simulate(
    scenario: Scenario,
    strategy: Strategy,
    runs: int = 10_000,
    seed: int = 0,
    adversary: str | DecisionModel = "base-rate",
    chunk_size: int = DEFAULT_CHUNK,
    overrides: dict[str, np.ndarray | float] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    """Simulate `runs` crises under `strategy`; the same seed gives the same bits for any `chunk_size`."""
    if runs <= 0:
        raise ValueError("runs must be positive")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    model = get_decision_model(adversary)
    full = compile_model(scenario, strategy, overrides)
    parts: list[_Chunk] = []
    for start in range(0, runs, chunk_size):
        stop = min(runs, start + chunk_size)
        ch = run_chunk(full.chunk(slice(start, stop)), model, seed, start, stop)
        parts.append(ch)
        if progress:
            progress(stop - start)
    outcomes = {k: np.concatenate([p.outcomes()[k] for p in parts]) for k in OUTCOME_FIELDS}
    months = [_add_months_iso(scenario, t) for t in range(scenario.horizon_months + 1)]
    hist = sum(p.warhead_hist for p in parts)
    timeline = {
        "outcome_counts": sum(p.outcome_counts for p in parts),
        "warheads_q": _hist_quantiles(hist, (0.05, 0.25, 0.5, 0.75, 0.95)),
        "action_counts": sum(p.action_counts for p in parts),
        "months": months,
    }
    return SimulationResult(
        scenario=scenario.name, strategy=strategy.name, adversary=model.name, runs=runs, seed=seed,
        horizon=scenario.horizon_months, outcomes=outcomes, timeline=timeline,
        transitions=sum(p.transitions for p in parts),
    )


def _hist_quantiles(hist: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles per row of a histogram with bins of WARHEAD_BIN (lower bin edges)."""
    cum = np.cumsum(hist, axis=1)
    total = cum[:, -1:]
    out = np.empty((hist.shape[0], len(qs)))
    for j, q in enumerate(qs):
        out[:, j] = (cum < q * total).sum(axis=1) * WARHEAD_BIN
    return out


def _add_months_iso(scenario: Scenario, t: int) -> str:
    from brinkmanship.spec.scenario import add_months

    return add_months(scenario.start, t).isoformat()
