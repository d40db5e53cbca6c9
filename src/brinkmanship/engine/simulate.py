"""Monte Carlo simulation of the crisis, month by month, vectorised over a batch of runs.

`simulate` executes the strategy as it really is against a decision model of the target; results are
per-run outcome arrays plus monthly aggregates. Runs are processed in chunks (memory) whose random
numbers do not depend on the chunking (see `streams`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from brinkmanship.engine.chunk import (
    BELIEF_SCALE,
    K_INIT_FIXED,
    K_MONTH_FIXED,
    SLOTS_PER_DEADLINE,
    WARHEAD_BIN,
    Chunk,
)
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.engine.decision import DecisionModel, get_decision_model
from brinkmanship.engine.fused import FusedChunk
from brinkmanship.engine.streams import DEFAULT_BLOCK, Streams
from brinkmanship.errors import InputError
from brinkmanship.limits import check_memory
from brinkmanship.spec import Scenario, Strategy

DEFAULT_CHUNK = 100_000
DEFAULT_RUNS = 10_000
WARHEAD_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)  # the timeline's warheads bands

OUTCOME_FIELDS = (
    "final_phase", "final_status", "final_tests", "outcome", "month_resolved", "warheads", "deaths_military", "deaths_civilian", "deaths",
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


_TALLIES = ("outcome_counts", "warhead_hist", "action_counts", "transitions", "belief_tally")
def stream_sizes(c: Compiled) -> tuple[int, int]:
    """Uniforms drawn per run at the start, and per run each month, for this strategy."""
    return K_INIT_FIXED + SLOTS_PER_DEADLINE * len(c.deadlines), K_MONTH_FIXED + len(c.rules)


def kernel_for(c: Compiled, model: DecisionModel, kernel: str = "fused") -> tuple[str, str | None]:
    """The kernel that runs (`fused` where it implements the model, else `numpy`) and why it fell back."""
    from brinkmanship.engine import fused

    if kernel not in fused.KERNELS:
        raise InputError(f"unknown kernel '{kernel}'", field="--kernel", fix="use fused or numpy")
    if kernel == "numpy":
        return "numpy", None
    reason = fused.unsupported(c, model)
    return ("numpy", reason) if reason else ("fused", None)


def run_chunk(c: Compiled, model: DecisionModel, seed: int, start: int, stop: int,
              block: int = DEFAULT_BLOCK, key: tuple[int, ...] = (), streams: Streams | None = None,
              kernel: str = "numpy", repeat: int = 1) -> Chunk | FusedChunk:
    """Simulate runs [start, stop) of a batch (the model's per-run arrays must already be cut to them), with
    the fused kernel where asked and able (`kernel_for`), else the NumPy reference; the same bits either way.
    `repeat` > 1: the model's arrays hold one value per experiment of `repeat` consecutive runs (an
    exploration); the fused kernel reads them so, the reference gets them repeated per run."""
    if streams is None:
        streams = Streams(seed, start, stop, *stream_sizes(c), block=block, key=key)
    if kernel_for(c, model, kernel)[0] == "fused":
        from brinkmanship.engine import fused

        return fused.run(c, streams, model, repeat)
    if repeat > 1 and c.has_arrays:
        c = c.chunk(np.repeat(np.arange((stop - start) // repeat), repeat))
    ch = Chunk(c, model, streams)
    for t in range(c.horizon):
        ch.step(t)
    return ch


def simulate(
    scenario: Scenario,
    strategy: Strategy,
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    adversary: str | DecisionModel = "base-rate",
    chunk_size: int = DEFAULT_CHUNK,
    overrides: dict[str, np.ndarray | float] | None = None,
    progress: Callable[[int], None] | None = None,
    max_memory: int | None = None,
    kernel: str = "fused",
) -> SimulationResult:
    """Simulate `runs` crises under `strategy`; the same seed gives the same bits for any `chunk_size`.

    `kernel`: `fused` (the compiled loop, where it implements the model; else the NumPy reference, recorded in
    `extra["kernel_fallback"]`) or `numpy` (the reference); both give the same bits. Refuses (InputError) a request whose estimated memory exceeds `max_memory` (default: the package limit).
    """
    if runs <= 0:
        raise ValueError("runs must be positive")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    model = get_decision_model(adversary)
    full = compile_model(scenario, strategy, overrides)
    from brinkmanship.engine.budget import simulation_memory

    check_memory(simulation_memory(full, runs, chunk_size), max_memory, f"simulating {runs:,} runs",
                 "use fewer --runs or a smaller --chunk-size", field="--runs")
    check_budget = getattr(model, "check_budget", None)  # a planner's own limits (grid, branches)
    if check_budget is not None:
        check_budget(full, max_memory)
    used, fallback = kernel_for(full, model, kernel)
    # per-run outcomes go straight into preallocated arrays and the monthly tallies are summed as chunks
    # finish, so memory does not grow with the number of chunks (`chunk_size=1` costs time, not memory)
    outcomes: dict[str, np.ndarray] = {}
    tallies: dict[str, np.ndarray] = {}
    for start in range(0, runs, chunk_size):
        stop = min(runs, start + chunk_size)
        ch = run_chunk(full.chunk(slice(start, stop)), model, seed, start, stop, kernel=used)
        for k, v in ch.outcomes().items():
            if k in OUTCOME_FIELDS:
                outcomes.setdefault(k, np.empty(runs, dtype=v.dtype))[start:stop] = v
        for k in _TALLIES:
            tallies[k] = tallies[k] + getattr(ch, k) if k in tallies else getattr(ch, k).copy()
        del ch
        if progress:
            progress(stop - start)
    outcomes = {k: outcomes[k] for k in OUTCOME_FIELDS}
    hist = tallies["warhead_hist"]
    months = [_add_months_iso(scenario, t) for t in range(scenario.horizon_months + 1)]
    timeline = {
        "outcome_counts": tallies["outcome_counts"],
        "warheads_q": _hist_quantiles(hist, WARHEAD_QUANTILES),
        "action_counts": tallies["action_counts"],
        "months": months,
    }
    if full.credibility_levels:  # the open runs' mean credibility at each month's start (NaN: none open)
        open_runs, on_levels, exact = tallies["belief_tally"].T.astype(float)
        on_levels, exact = on_levels / BELIEF_SCALE, exact / BELIEF_SCALE
        with np.errstate(invalid="ignore", divide="ignore"):
            timeline["credibility"] = {"open": open_runs, "exact": exact / open_runs,  # on the planner's levels:
                                       "on_levels": on_levels / open_runs if full.evidence_levels > 1 else
                                       np.full(open_runs.shape, np.nan)}  # none without an evidence factor
    return SimulationResult(
        scenario=scenario.name, strategy=strategy.name, adversary=model.name, runs=runs, seed=seed,
        horizon=scenario.horizon_months, outcomes=outcomes, timeline=timeline,
        transitions=tallies["transitions"],
        extra={"kernel": used, **({"kernel_fallback": fallback} if fallback else {})},
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
