"""The fused simulator: the whole month step of `engine.chunk` as one compiled loop over runs and months.

`run` prepares the model's numbers as flat arrays (`par`: per-run scalars; `mon`: the month's state-free
terms, computed here with the same NumPy expressions as the reference, so they are the same bits) and
calls `fused_kernel.simulate_runs`, a Numba loop parallel over runs that draws each run's numbers from the
same Philox counters as `engine.streams`. The NumPy `Chunk` stays the readable reference: both give the
same outcome arrays bit for bit (tests/engine/test_fused.py).

`unsupported` says which model features the kernel does not implement (a planner decision model, strategy
phases, Numba missing); the simulator then runs the NumPy reference and records why. Numba is imported
only when the kernel first runs; compiled code is cached under the user's cache directory
(`BRINK_NUMBA_CACHE`, default ~/.cache/brinkmanship/numba), so only the first run pays the compile time.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from brinkmanship.engine import belief, fmath
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.chunk import (
    BELIEF_SCALE,
    BELIEF_TALLY,
    I_COUNTER,
    I_WAR,
    K_INIT_FIXED,
    K_MONTH_FIXED,
    LOG_FLOOR,
    M_ACTION,
    M_CITY,
    M_DEFECT,
    M_DETAIL,
    M_DISARM,
    M_RESP,
    M_TALKS,
    WARHEAD_BIN,
    WARHEAD_BINS,
    Chunk,
)
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import (
    N_ACTIONS,
    OUTCOMES,
    PHASE_TO_OUTCOME,
    PHASES,
    TARGET_CLASSES,
    Phase,
    Status,
)
from brinkmanship.engine.decision import LOGIT_CLIP, BaseRatePolicy, DecisionModel, PolicyTables
from brinkmanship.engine.streams import Streams

KERNELS = ("fused", "numpy")  # `--kernel`: the compiled loop (where it applies) or the NumPy reference
BLOCKS_PER_THREAD = 4  # runs are split in this many blocks per thread (load balance; tallies per block)
KNOWN_MONTH_SLOTS = (M_ACTION, M_DETAIL, M_RESP, M_TALKS, M_CITY, M_DEFECT, M_DISARM)  # the month's fixed draws
KNOWN_SECTIONS = ("initial", "arsenal", "exercises", "economy", "sanctions", "talks", "china", "russia",
                  "escalation", "invasion", "war", "base_rate", "adversary", "coercer", "credibility", "rules",
                  "deadlines", "posture", "phases", "endings")  # sections the kernel implements (or the base-rate run never reads)
PLANNER_SECTION = "adversary."  # the planner target's numbers (types vary them per run), read only by its solve


def policy_tables(c: Compiled, model: DecisionModel) -> PolicyTables | str | None:
    """The decision model's policy as tables for the kernel (a planner's `policy_tables`), None for the base-rate
    model (the kernel computes it), or why the kernel cannot run it."""
    if type(model) is BaseRatePolicy:
        return None
    tabulate = getattr(model, "policy_tables", None)
    return _unknown_model(model) if tabulate is None else tabulate(c)


def _unknown_model(model: DecisionModel) -> str:
    return f"the '{model.name}' decision model (the kernel computes the base-rate model and reads planner tables)"


def unsupported(c: Compiled, model: DecisionModel) -> str | None:
    """Why the fused kernel cannot run this model (None: it can); the simulator then runs the NumPy one."""
    if c.phases:
        return "a strategy with phases"
    if type(model) is not BaseRatePolicy and not callable(getattr(model, "policy_tables", None)):
        return _unknown_model(model)
    if K_MONTH_FIXED != len(KNOWN_MONTH_SLOTS):
        return "a month with draws the kernel does not know (engine.chunk changed: extend engine.fused_kernel)"
    unknown = sorted({k.split(".")[0] for k in c.values} - set(KNOWN_SECTIONS))
    if unknown:
        return f"model numbers the kernel does not read ({', '.join(unknown)}): extend engine.fused_kernel"
    if importlib.util.find_spec("numba") is None:
        return "numba is not installed"
    tables = policy_tables(c, model)  # last: a planner solves (once; its model keeps the solution)
    return tables if isinstance(tables, str) else None


def cache_dir() -> Path:
    """Where Numba keeps the compiled kernel: the user's cache, never the source tree."""
    env = os.environ.get("BRINK_NUMBA_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brinkmanship" / "numba"


def kernel() -> ModuleType:
    """The compiled kernel module (imports Numba on first use, with its cache directory set)."""
    return compiled("brinkmanship.engine.fused_kernel")


def compiled(module: str) -> ModuleType:
    """A module of Numba code (the simulator's kernel, the planner's gathers), imported with Numba's cache
    directory set first, so that only the first run on a machine pays the compile time."""
    loaded = sys.modules.get(module)
    if loaded is not None:
        return loaded
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir()))
    # OpenMP threads that wait for the next parallel loop sleep instead of spinning: on a shared machine a
    # spinning thread burns the CPU the other thread needs (measured: 2 threads took 29% more CPU at a load
    # of 7, none when passive); read by the OpenMP runtime when Numba first starts its threads
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import numba

    if not numba.config.CACHE_DIR:  # Numba was imported before (it reads the variable once): tell it now
        numba.config.CACHE_DIR = os.environ["NUMBA_CACHE_DIR"]
    return importlib.import_module(module)


class FusedChunk:
    """The results of `run`, with the same attributes as a `Chunk` the simulator reads."""

    def __init__(self, outcomes: dict[str, np.ndarray], outcome_counts: np.ndarray, warhead_hist: np.ndarray,
                 action_counts: np.ndarray, transitions: np.ndarray) -> None:
        self._outcomes = outcomes
        self.outcome_counts, self.warhead_hist = outcome_counts, warhead_hist
        self.action_counts, self.transitions = action_counts, transitions
        self.belief_tally = np.zeros((action_counts.shape[0], len(BELIEF_TALLY)), dtype=np.int64)

    def outcomes(self) -> dict[str, np.ndarray]:
        """Per-run outcomes in the chunk's run order (the fields of `Chunk.outcomes`)."""
        return self._outcomes


def _param_rows(c: Compiled, w: int) -> np.ndarray:
    """(N_PAR, w) the per-run numbers the kernel reads, in `fused_kernel`'s row order."""
    k = kernel()
    b, e = "base_rate.", "escalation."
    rows: dict[int, object] = {
        k.P_WARHEADS0: c["initial.warheads"], k.P_TALKS0: c["initial.talks"],
        k.P_PRODUCTION: dyn.monthly_production(c),
        k.P_SETBACK_MISSILE: c["talks.setback_missile_test"], k.P_SETBACK_NUCLEAR: c["talks.setback_nuclear_test"],
        k.P_SETBACK_SANCTIONS: c["talks.setback_sanctions"], k.P_SETBACK_STRIKE: c["talks.setback_strike"],
        k.P_DEAL_FROM: c["talks.deal_threshold"] - dyn.GRID_TOL,
        k.P_CLASH: c[e + "provocation_clash"], k.P_CLASH_DEATHS: c["war.provocation_deaths"],
        k.P_COUNTER: c[e + "counter_escalation"], k.P_PER_STRIKE: c[e + "per_strike_logit"],
        k.P_CIVILIAN_LOGIT: c[e + "civilian_logit"], k.P_LEADERSHIP_LOGIT: c[e + "leadership_logit"],
        k.P_RETALIATE_LOGIT: c[e + "retaliate_logit"], k.P_ESCALATE_LOGIT: c[e + "escalate_logit"],
        k.P_MILITARY_PER_TARGET: c["war.military_deaths_per_target"],
        k.P_NUC_REGIME: c["war.nuclear_use_regime_threatened"], k.P_NUC_WAR: c["war.nuclear_use_in_war"],
        k.P_NUC_FLOOR: c["war.nuclear_use_without_delivery"],
        k.P_JOINED_MULTIPLIER: c["war.intervention_deaths_multiplier"], k.P_CIVILIAN_SHARE: c["war.civilian_share"],
        k.P_DETONATIONS_MEAN: np.maximum(c["war.detonations_mean"], 1.0),
        k.P_QUIET_MONTHS: c[e + "quiet_months"], k.P_DETERRENCE: c[b + "deterrence_effect"],
        k.P_TALKS_EFFECT: c[b + "talks_effect"], k.P_MATURITY: c[b + "arsenal_maturity_effect"],
        k.P_STRUCK_EFFECT: c[b + "struck_effect"], k.P_RESTRAINT: dyn.restraint(c),
        k.P_CREDIBILITY_STEP: c.values.get("credibility.step", 1.0),
        k.P_DISARM: dyn.disarmament_probability(c), k.P_DEFECTION: c["endings.deal_defection"],
        k.P_FREEZE_BREAK: c[b + "freeze_break"], k.P_DEAL_RENEGE: c[b + "deal_renege"],
    }
    rows[k.P_CHINA_JOINS], rows[k.P_RUSSIA_JOINS] = dyn.intervention_probability(c)
    for row, name in ((k.P_CITY_FACTOR, "war.civilian_deaths_per_city"), (k.P_WAR_FACTOR, "war.conventional_deaths"),
                      (k.P_DETONATION_FACTOR, "war.deaths_per_detonation")):
        lo, hi, declared = c.ranges[name]
        rows[row] = c[name] if (lo <= 0 or hi <= lo or declared <= 0) else c[name] / declared
    par = np.empty((k.N_PAR, w))
    for row in range(k.N_PAR):
        par[row] = np.broadcast_to(np.asarray(rows[row], dtype=float), (w,))
    return par


def _month_rows(c: Compiled, w: int) -> np.ndarray:
    """(N_MON, H, w) each month's state-free terms: the parts of the base-rate log-odds that do not depend on
    the run's state (written as `BaseRatePolicy.logits` groups them), talks gain, deal and invasion odds."""
    k = kernel()
    b = "base_rate."
    sanctions_path, economy_path = dyn.policy_paths(c)
    rest = dyn.restraint(c)
    mon = np.empty((k.N_MON, c.horizon, w))
    for t in range(c.horizon):
        posture = c.posture(t)
        ex = c.exercises(t) * c[b + "exercises_effect"]
        goodwill = c[b + "goodwill_effect"] * ((1.0 - posture) + c[b + "suspension_goodwill_share"]
                                               * c.exercises_suspended)
        need = c[b + "economy_effect"] * (1.0 - economy_path[t]) + c[b + "sanctions_effect"] * sanctions_path[t]
        rows = {
            k.T_MISSILE: c[b + "missile_test"] + ex - rest,
            k.T_NUCLEAR_TEST: c[b + "nuclear_test"] + c[b + "nuclear_test_exercises_share"] * ex - rest,
            k.T_PROVOCATION: c[b + "provocation"] + ex,
            k.T_NEGOTIATE: c[b + "negotiate"] + need + goodwill,
            k.T_ACCEPT: c[b + "accept_deal"] + need + goodwill,
            k.T_FREEZE: c[b + "freeze"] + need + goodwill,
            k.T_INVADE: c[b + "invade"] + c[b + "invasion_temptation"] * (
                dyn.invasion_success(c, posture) - c["invasion.success_full_posture"]),
            k.T_NUCLEAR_USE: c[b + "nuclear_use"],
            k.T_GAIN: dyn.talks_gain(c, posture),
            k.T_DEAL_CLOSES: dyn.deal_close_probability(c, posture),
            k.T_INVASION_SUCCEEDS: dyn.invasion_success(c, posture),
        }
        for row, v in rows.items():
            mon[row, t] = v
    for row, logit in ((k.T_INVADE_WEIGHT, k.T_INVADE), (k.T_PROVOCATION_WEIGHT, k.T_PROVOCATION),
                       (k.T_NUCLEAR_USE_WEIGHT, k.T_NUCLEAR_USE)):  # weights of log-odds free of the state, every
        mon[row] = fmath.exp(np.clip(mon[logit], -LOGIT_CLIP, LOGIT_CLIP))  # month at once (the same bits)
    return mon


def _structure(c: Compiled, w: int) -> dict[str, object]:
    """Rules, deadlines, target lists and salvo sizes as integer and float arrays."""
    k = kernel()
    col = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (w,))  # noqa: E731
    ms = dyn.mean_salvo(c)
    R = len(c.rules)
    rule_i = np.zeros((R, k.N_RULE_COLS), dtype=np.int64)
    for i, r in enumerate(c.rules):
        rule_i[i] = (int(r.event), r.response == "strike", r.target_class, r.count, r.per_missile, r.target_list)
    D = len(c.deadlines)
    dl_i = np.zeros((D, k.N_DL_COLS), dtype=np.int64)
    codes = {"preventive_war": k.D_WAR, "strike": k.D_STRIKE}
    for j, d in enumerate(c.deadlines):
        dl_i[j] = (d.first_month, d.last_month, codes.get(d.response, k.D_SANCTIONS), d.target_class, d.count,
                   d.talks_threshold is not None, d.unless_deal, d.unless_freeze)
    list_total = c.list_sizes.sum(axis=1)
    orders = np.zeros((len(c.list_orders) or 1, int(list_total.max()) + 1, len(TARGET_CLASSES)), dtype=np.int64)
    for i, o in enumerate(c.list_orders):
        orders[i, :o.shape[0]] = o
    lu = np.zeros((k.N_LU, k.N_LU_COLS))
    lu_on = np.zeros(k.N_LU, dtype=np.int64)
    for row, name in ((k.LU_CITY, "war.civilian_deaths_per_city"), (k.LU_WAR, "war.conventional_deaths"),
                      (k.LU_DETONATION, "war.deaths_per_detonation")):
        lo, hi, declared = c.ranges[name]
        if not (lo <= 0 or hi <= lo or declared <= 0):
            log_lo, log_hi = math.log(lo), math.log(hi)  # as dynamics.loguniform_scale computes them
            lu[row], lu_on[row] = (log_lo, log_hi - log_lo), 1
    return dict(
        rule_i=rule_i,
        rule_prob=np.array([col(c[r.prob]) for r in c.rules]).reshape(R, w),
        rule_bel=np.array([col(c[r.believed]) for r in c.rules]).reshape(R, w),
        rule_want=np.array([r.count * (ms if r.per_missile else 1.0) for r in c.rules], dtype=float),
        dl_i=dl_i,  # talks below the threshold less the grid tolerance (dynamics.deadline_acts)
        dl_threshold=np.array([col(c[d.talks_threshold] - dyn.GRID_TOL) if d.talks_threshold is not None
                               else col(0.0) for d in c.deadlines]).reshape(D, w),
        dl_prob=np.array([col(c[d.prob]) for d in c.deadlines]).reshape(D, w),
        list_sizes=np.ascontiguousarray(c.list_sizes, dtype=np.int64), list_total=list_total.astype(np.int64),
        orders=orders, salvo_sizes=np.asarray(c.salvo_sizes, dtype=float),
        salvo_cdf=np.asarray(c.salvo_cdf, dtype=float), lu=lu, lu_on=lu_on,
    )


def _learning(c: Compiled, w: int) -> dict[str, np.ndarray]:
    """The learned credibility's numbers (engine.belief, as the reference computes them): whether the target
    learns, each learned item's prior as log-odds (and whether it is a certainty), the credibility at each level,
    and the evidence of each rule (executed, not) and of each deadline's months (acting, skipped)."""
    k = kernel()
    col = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (w,))  # noqa: E731
    items = [it.believed for it in (*c.rules, *c.deadlines) if it.bluff] if c.credibility_levels else []
    B = c.evidence_levels if c.credibility_levels else 1
    logit = np.zeros((max(len(items), 1), w))
    kind = np.zeros((max(len(items), 1), w), dtype=np.int64)
    for i, pri in enumerate(items):
        prior = np.asarray(c[pri], dtype=float)
        inner = np.clip(prior, belief.TINY, belief.NEAR_ONE)
        logit[i] = col(np.log(inner) - np.log1p(-inner))
        kind[i] = np.broadcast_to(np.where(prior <= 0.0, k.PRIOR_ZERO, np.where(prior >= 1.0, k.PRIOR_ONE,
                                                                               k.PRIOR_OPEN)), (w,))
    step = c.values.get("credibility.step", 1.0)
    levels = np.broadcast_to(np.atleast_2d(belief.level_value(B, step)), (w, B))
    # the credibility at each evidence level, as the reference's tally computes it (mean over the items)
    on_levels = np.broadcast_to(np.mean([belief.posterior(np.asarray(c[pri], dtype=float)[..., None], levels)
                                         for pri in items], axis=0), (w, B)).copy() if items else np.zeros((w, B))
    rule_ev = np.zeros((len(c.rules), k.N_EV, w))
    for i, r in enumerate(c.rules):
        if items and r.bluff:
            rule_ev[i] = (col(belief.evidence(True, c[r.prob], c[r.bluff])),
                          col(belief.evidence(False, c[r.prob], c[r.bluff])), col(1.0))
    dl_ev = np.zeros((len(c.deadlines), c.horizon, k.N_EV, w))
    for j, d in enumerate(c.deadlines):
        for t in range(d.first_month, min(d.last_month, c.horizon - 1) + 1) if items and d.bluff else ():
            hp = belief.deadline_hazard(c[d.prob], t, d.first_month, d.last_month)
            hb = belief.deadline_hazard(c[d.bluff], t, d.first_month, d.last_month)
            act = np.log(np.maximum(hp, belief.TINY)) - np.log(np.maximum(hb, belief.TINY))
            skip = np.log1p(-np.minimum(hp, belief.NEAR_ONE)) - np.log1p(-np.minimum(hb, belief.NEAR_ONE))
            dl_ev[j, t] = (col(act), col(skip), col(1.0))
    return dict(bel_i=np.array([bool(items), B, BELIEF_SCALE], dtype=np.int64), item_logit=logit, item_kind=kind,
                levels_tab=on_levels, rule_ev=rule_ev, dl_ev=dl_ev)


def _delivery_table(c: Compiled, w: int) -> np.ndarray:
    """(w, MAX_TESTS + 1) delivery after each number of test-equivalents (`dynamics.delivery`, per run)."""
    return np.stack([np.broadcast_to(dyn.delivery(c, np.full(w, k, dtype=np.int64)), (w,))
                     for k in range(dyn.MAX_TESTS + 1)], axis=1).astype(float)


def _planner_args(tables: PolicyTables | None) -> tuple:
    """The kernel's planner arguments: the tables and the grid's strides (empty tables for the base-rate model)."""
    k = kernel()
    if tables is None:
        grid = np.zeros(k.N_GRID, dtype=np.int64)
        grid[k.G_LIST] = -1
        one = lambda axes, dtype=float: np.zeros((1,) * axes, dtype=dtype)  # noqa: E731
        return (False, one(k.CHOSEN_AXES, np.uint16), one(k.ABSORB_AXES), one(k.ABSORB_AXES),
                one(k.SLOT_AXES, np.int64), one(1, np.int64), one(1, np.int64), one(k.VALUE_AXES),
                one(k.VALUE_AXES), one(1, np.int64), one(1, np.int64), grid, 0.0, np.zeros(len(Status), dtype=np.int64))
    grid = np.zeros(k.N_GRID, dtype=np.int64)
    grid[[k.G_LIST, k.G_DONE_BLOCK, k.G_DEADLINE_STATES, k.G_EVIDENCE_BLOCK, k.G_EVIDENCE_LEVELS,
          k.G_STATUS_BLOCK]] = (tables.list_id, tables.done_block, tables.deadline_states, tables.evidence_block,
                                tables.evidence_levels, tables.status_block)
    tested_index = np.ascontiguousarray(tables.tested_index, dtype=np.int64)
    return (True, tables.chosen, tables.absorb, tables.absorb_tested, tables.absorb_slot, tested_index,
            np.arange(tested_index.size, dtype=np.int64), tables.retaliate, tables.escalate,
            np.ascontiguousarray(tables.run_type, dtype=np.int64), tables.left_values.astype(np.int64), grid,
            float(tables.tie_tol), np.ascontiguousarray(tables.status_level, dtype=np.int64))


def run(c: Compiled, streams: Streams, model: DecisionModel | None = None, repeat: int = 1) -> FusedChunk:
    """Simulate the runs of `streams` (the model's per-run arrays already cut to them) in the fused kernel,
    against the base-rate model or a planner's tables (`model.policy_tables`).

    `repeat` > 1: the model's arrays hold one value per experiment, shared by its `repeat` consecutive runs (an
    exploration), and so do the kernel's tables: run i reads column i // repeat (the same bits as repeating
    the values per run: the tables are element-wise in the parameters)."""
    k = kernel()
    tables = policy_tables(c, model) if model is not None else None
    if isinstance(tables, str):
        raise ValueError(f"the fused kernel cannot run this model: {tables}")
    if tables is not None:  # a planner's own numbers reach the kernel only through its tables: their per-run
        c = dataclasses.replace(c, values={key: v for key, v in c.values.items()  # copies (types) are left out,
                                           if not key.startswith(PLANNER_SECTION)})  # or every row would be per run
    import numba

    n, H = streams.stop - streams.start, c.horizon
    w = n // repeat if c.has_arrays else 1
    threads = numba.get_num_threads()
    nblocks = max(1, min(n, threads * BLOCKS_PER_THREAD))
    P = len(PHASES)
    out = dict(phase=np.empty(n, dtype=np.int8), status=np.empty(n, dtype=np.int8),
               tests=np.empty(n, dtype=np.int8), warheads=np.empty(n), mil=np.empty(n), civ=np.empty(n),
               det=np.empty(n), by_class=np.empty((len(TARGET_CLASSES), n), dtype=np.int64),
               rung=np.empty(n, dtype=np.int8), resolved=np.empty(n, dtype=np.int16),
               invaded=np.empty(n, dtype=bool), preventive=np.empty(n, dtype=bool))
    actions = np.zeros((nblocks, max(H, 1), N_ACTIONS), dtype=np.int64)
    hist = np.zeros((nblocks, H + 1, WARHEAD_BINS), dtype=np.int64)
    trans = np.zeros((nblocks, P, P), dtype=np.int64)
    outc = np.zeros((nblocks, H + 1, len(OUTCOMES)), dtype=np.int64)
    carry_hist = np.zeros_like(hist)  # runs closed in month t, counted at t + 2 (carried on by a running sum)
    carry_outc = np.zeros_like(outc)
    consts = np.array([dyn.TALKS_STEP, dyn.GRID_TOL, LOG_FLOOR, LOGIT_CLIP, WARHEAD_BIN])
    ints = np.array([dyn.TALKS_LEVELS, dyn.MAX_TESTS, WARHEAD_BINS, *range(I_WAR, I_COUNTER + 1),
                     M_ACTION, M_DETAIL, M_RESP, M_CITY, M_TALKS, K_MONTH_FIXED, K_INIT_FIXED, M_DEFECT, M_DISARM],
                    dtype=np.int64)
    st = _structure(c, w)
    lr = _learning(c, w)
    tally = np.zeros((nblocks, max(H, 1), len(BELIEF_TALLY)), dtype=np.int64)
    k.simulate_runs(
        streams.run_lo, streams.run_hi, np.uint64(streams.key[0]), np.uint64(streams.key[1]), H, streams.k_init,
        streams.k_month, _param_rows(c, w), _month_rows(c, w), _delivery_table(c, w),
        np.broadcast_to(dyn.nuclear_test_weight(c), (w,)).astype(np.int64), st["rule_i"], st["rule_prob"],
        st["rule_bel"], st["rule_want"], st["dl_i"], st["dl_threshold"], st["dl_prob"], st["list_sizes"],
        st["list_total"], st["orders"], st["salvo_sizes"], st["salvo_cdf"], st["lu"], st["lu_on"],
        c.sanctions_mode == "escalate", consts, ints, out["phase"], out["warheads"], out["mil"], out["civ"],
        out["det"], out["by_class"], out["rung"], out["resolved"], out["invaded"], out["preventive"], actions,
        hist, carry_hist, trans, PHASE_TO_OUTCOME.astype(np.int64), outc, carry_outc, lr["bel_i"],
        lr["item_logit"], lr["item_kind"], lr["levels_tab"], lr["rule_ev"], lr["dl_ev"], tally,
        *_planner_args(tables), out["status"], out["tests"], dyn.status_actions())
    outcome = PHASE_TO_OUTCOME[out["phase"]]
    outcomes = {
        "final_phase": out["phase"], "final_status": out["status"], "final_tests": out["tests"], "outcome": outcome, "month_resolved": out["resolved"],
        "warheads": out["warheads"], "deaths_military": out["mil"], "deaths_civilian": out["civ"],
        "deaths": out["mil"] + out["civ"], "detonations": out["det"],
        **{f"strikes_{name}": out["by_class"][j] for j, name in enumerate(TARGET_CLASSES)},
        "highest_rung": out["rung"], "invaded": out["invaded"], "preventive_war": out["preventive"],
    }
    counts = outc.sum(axis=0) + np.cumsum(carry_outc.sum(axis=0), axis=0)  # closed runs carried on
    counts[0] = np.bincount(np.broadcast_to(PHASE_TO_OUTCOME[Phase.CRISIS], (n,)), minlength=len(OUTCOMES))
    warhead_hist = hist.sum(axis=0) + np.cumsum(carry_hist.sum(axis=0), axis=0)
    warhead_hist[0] = Chunk._hist(np.repeat(np.broadcast_to(np.asarray(c["initial.warheads"], dtype=float), (w,)),
                                            n // w))
    fc = FusedChunk(outcomes, counts, warhead_hist, actions.sum(axis=0)[:H], trans.sum(axis=0))
    fc.belief_tally = tally.sum(axis=0)[:H]
    return fc
