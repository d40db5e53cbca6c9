"""Evaluate many experiments (parameter samples) of one strategy in one vectorised batch.

Each experiment's runs draw from their own random block keyed by (seed, experiment id), so an
experiment's results do not depend on which other experiments share its batch, on chunking or on
workers. Strategies share those numbers (common random numbers), which sharpens regret comparisons.
With a planner adversary (rational, logit) outcome probabilities are exact (no runs, no sampling error).
"""

from __future__ import annotations

import numpy as np

from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.engine.decision import Adversary, ExactDecisionModel, get_decision_model
from brinkmanship.engine.simulate import run_chunk, stream_sizes
from brinkmanship.engine.streams import Streams
from brinkmanship.spec import Scenario, Strategy

METRICS = ("deaths_mean", "deaths_p95", "warheads_mean", "civilian_strikes_mean")
EXACT_BLOCK = 64  # samples per planner solve where the grid's size is not known (bounds memory)
# samples x grid states per exact planner solve or propagation: small grids solve thousands of samples at once,
# 7,056 states about 37, where the arrays stay in cache (measured: 32 samples 47 ms a sample, 64: 51, 128: 70);
# 56,448 states 4 (64 types propagated, CPU s: blocks of 64 types 14, 16: 7, 4: 3.9, 2: 3.6)
EXACT_CELLS = 2**18
NUCLEAR_TEST_WEIGHT = "arsenal.nuclear_test_weight"  # rounded to whole test-equivalents per planner solve
DEATHS_PERCENTILE = 95  # the deaths_p95 metric
LONE_COPIES = 2  # a lone sample is solved as this many copies (bits independent of how samples are chunked)


def evaluate_experiments(
    scenario: Scenario,
    strategy: Strategy,
    overrides: dict[str, np.ndarray],
    experiment_ids: np.ndarray,
    runs: int,
    seed: int,
    adversary: Adversary | str = "base-rate",
    kernel: str = "fused",
) -> dict[str, np.ndarray]:
    """Per-experiment outcome probabilities (summing to 1) and metrics, shape (n_experiments,) each.

    A decision model that gives exact outcome probabilities (a planner) is solved instead of sampled;
    `kernel` as in `simulate` (the fused kernel where it applies; the same numbers either way).
    """
    ids = np.asarray(experiment_ids, dtype=np.int64)
    n = ids.size
    overrides = {k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in overrides.items()}
    model = get_decision_model(adversary)
    if isinstance(model, ExactDecisionModel):
        return _exact(scenario, strategy, overrides, n, model)
    if runs <= 0:
        raise ValueError("runs per experiment must be positive")
    c = compile_model(scenario, strategy, overrides)  # one value per experiment, shared by its runs
    streams = Streams.for_blocks(seed, ids, runs, *stream_sizes(c), months=c.horizon)
    out = run_chunk(c, model, seed, 0, n * runs, streams=streams, kernel=kernel, repeat=runs).outcomes()
    result = {name: (out["outcome"] == i).reshape(n, runs).mean(axis=1) for i, name in enumerate(OUTCOMES)}
    deaths = out["deaths"].reshape(n, runs)
    result["deaths_mean"] = deaths.mean(axis=1)
    result["deaths_p95"] = np.percentile(deaths, DEATHS_PERCENTILE, axis=1)
    result["warheads_mean"] = out["warheads"].reshape(n, runs).mean(axis=1)
    result["civilian_strikes_mean"] = out["strikes_civilian_population"].reshape(n, runs).mean(axis=1)
    return result


def exact_block(states: int) -> int:
    """Samples per exact planner solve on a grid of `states` states: about `EXACT_CELLS` cells. Each sample's
    numbers are its own, so the block changes time and memory only."""
    return max(1, EXACT_CELLS // max(1, int(states)))


def _same_nuclear_weight(block: dict[str, np.ndarray], n: int) -> list[np.ndarray]:
    """Rows of a block that share one rounded nuclear test weight: the planner's grid moves a nuclear test by one
    whole number of test-equivalents for all the samples it solves together, so samples whose weights round
    differently are solved apart (a sample's result must not depend on which samples share its block)."""
    weight = block.get(NUCLEAR_TEST_WEIGHT)
    if weight is None:
        return [np.arange(n)]
    rounded = np.rint(np.broadcast_to(np.asarray(weight, dtype=np.float64), (n,)))
    return [np.flatnonzero(rounded == w) for w in np.unique(rounded)]


def _exact(scenario: Scenario, strategy: Strategy, overrides: dict[str, np.ndarray], n: int,
           model: ExactDecisionModel) -> dict[str, np.ndarray]:
    """Exact outcome probabilities under a planner adversary, solved in blocks of samples (sized by the grid,
    when the model says how large its grid is: a per-sample Python step is then shared by many samples)."""
    probs = np.zeros((n, len(OUTCOMES)))
    states = getattr(model, "grid_states", None)
    size = exact_block(states(compile_model(scenario, strategy))) if states is not None else EXACT_BLOCK
    for start in range(0, n, size):
        sl = slice(start, min(n, start + size))
        block = {k: v[sl] for k, v in overrides.items()}
        if not block:  # no uncertainty varied: one solve serves every sample
            block = {"adversary.discount": np.full(sl.stop - sl.start, scenario.adversary.discount.value)}
        for rows in _same_nuclear_weight(block, sl.stop - sl.start):
            # a lone sample is solved twice over: a one-sample solve can differ in the last bit from the same
            # sample solved among others, and a sample's bits must not depend on how the samples are chunked
            take = np.repeat(rows, LONE_COPIES) if rows.size == 1 else rows
            c = compile_model(scenario, strategy, {k: v[take] for k, v in block.items()})
            probs[sl][rows] = model.outcome_probabilities(c)[:: LONE_COPIES if rows.size == 1 else 1]
    result = {name: probs[:, i] for i, name in enumerate(OUTCOMES)}
    for m in METRICS:  # metrics need runs: not available from the exact propagation
        result[m] = np.full(n, np.nan)
    return result
