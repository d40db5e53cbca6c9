"""One exploration: sample, record provenance, evaluate missing chunks with a runner, commit each chunk.

Re-running the same call resumes: committed chunks are skipped and never recomputed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.design import DEFAULT_CHUNK_RUNS, Chunk, experiments_per_chunk, plan_chunks
from brinkmanship.explore.models import Model
from brinkmanship.explore.parameters import select_parameters
from brinkmanship.explore.runners import ChunkResult, ChunkTask, InProcessRunner, slice_inputs
from brinkmanship.explore.samplers import SAMPLERS, n_experiments_bound, sample
from brinkmanship.limits import check_memory

if TYPE_CHECKING:
    from brinkmanship.engine.decision import Adversary


@dataclass
class ExploreSummary:
    """What an exploration did: sizes, chunks skipped (already committed) and run, throughput."""

    db: str
    model: str
    n_experiments: int
    strategies: list[str]
    runs: int
    runner: str
    chunks_total: int
    chunks_skipped: int
    chunks_run: int
    experiments_run: int
    seconds: float
    resumed: bool
    outcome_means: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def experiments_per_second(self) -> float:
        """Experiment x strategy evaluations per second in this invocation."""
        return self.experiments_run / self.seconds if self.seconds > 0 else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        d = dict(self.__dict__)
        d["experiments_per_second"] = self.experiments_per_second
        return d


def chunk_runs(model: Model, runs: int) -> int:
    """What one experiment counts for in a chunk's experiment-runs: the model's say (a planner sample has no
    runs) or its runs."""
    weigh = getattr(model, "runs_per_experiment", None)
    return int(weigh(runs)) if weigh is not None else runs


def provenance_for(model: Model, strategies: Sequence[str], params: Sequence[Any], seed: int, sampler: str,
                   n_samples: int, n_experiments: int, runs: int, adversary: Adversary | str) -> dict[str, Any]:
    """The identity of an exploration (what a store must match to be resumed)."""
    from brinkmanship import __version__

    return {
        "package_version": __version__, "model": model.name, "scenario_hash": model.scenario_hash(),
        "strategies": list(strategies), "strategy_hashes": {s: model.strategy_hash(s) for s in strategies},
        "seed": int(seed), "sampler": sampler, "n_samples": int(n_samples), "n_experiments": int(n_experiments),
        "runs": int(runs), "adversary": str(adversary), "parameters": [p.to_dict() for p in params],
    }


def run_exploration(model: Model, n_samples: int, seed: int, db: str | Path, sampler: str = "lhs",
                    strategies: Sequence[str] | None = None, runs: int = 1, runner: Any = None,
                    chunk_size: int = DEFAULT_CHUNK_RUNS, adversary: Adversary | str = "base-rate", vary: Any = None,
                    on_plan: Callable[[int, int], None] | None = None,
                    on_chunk: Callable[[ChunkResult], None] | None = None,
                    max_memory: int | None = None) -> ExploreSummary:
    """Explore `model` over `n_samples` sampled worlds x strategies into the store `db` (resuming it).

    `vary` (glob patterns, see `select_parameters`) restricts the sampled parameters; the rest keep their values.
    A request whose estimated memory exceeds `max_memory` (default: the package limit) is refused first.
    """
    from brinkmanship.store import open_store

    if sampler not in SAMPLERS:
        raise InputError(f"unknown sampler '{sampler}'", field="--sampler", fix=f"use one of {', '.join(SAMPLERS)}")
    if runs < 1:
        raise InputError(f"--runs must be at least 1, got {runs}", field="--runs", fix="use --runs 1 or more")
    if chunk_size < 1:
        raise InputError(f"--chunk-size must be at least 1, got {chunk_size}", field="--chunk-size",
                         fix="use about 100000 experiment-runs per chunk")
    if seed < 0:
        raise InputError(f"--seed must be non-negative, got {seed}", field="--seed", fix="use --seed 0 or more")
    strategies = list(strategies) if strategies else model.strategy_names()
    if len(set(strategies)) != len(strategies):
        raise InputError("a strategy is listed twice", field="--strategies", fix="list each strategy once")
    params = select_parameters(model.parameters(), vary)
    adversary = getattr(model, "adversary", adversary)  # the model's own, when it has one
    runner = runner or InProcessRunner()
    # sizes are refused before the store exists, so a corrected command does not meet a half-made store
    check_exploration(model, params, n_samples, sampler, strategies, runs, chunk_size,
                      getattr(runner, "workers", None) or getattr(runner, "local_workers", None) or 1, max_memory)
    t0 = time.perf_counter()

    store = open_store(db, create=True)
    try:
        resumed = store.initialised
        if resumed:
            n_exp = int(store.provenance()["n_experiments"])
            expected = provenance_for(model, strategies, params, seed, sampler, n_samples, n_exp, runs, adversary)
            store.check_provenance(expected)
            inputs = store.inputs()
        else:
            inputs = sample(params, n_samples, sampler, seed)
            n_exp = len(next(iter(inputs.values())))
            expected = provenance_for(model, strategies, params, seed, sampler, n_samples, n_exp, runs, adversary)
            store.initialise(expected, params, inputs, model.outcome_names)

        weight = chunk_runs(model, runs)  # what an experiment counts for in a chunk
        all_chunks = plan_chunks(n_exp, strategies, weight, chunk_size)
        todo = plan_chunks(n_exp, strategies, weight, chunk_size, done=store.done_masks(n_exp, strategies))
        done_exp = sum(c.size for c in all_chunks) - sum(c.size for c in todo)
        if on_plan is not None:
            on_plan(n_exp * len(strategies), done_exp)

        def tasks() -> Any:
            for c in todo:
                yield ChunkTask(model, c, slice_inputs(inputs, c), runs, seed)

        n_run = 0
        with runner:
            for res in runner.map(tasks()):
                c: Chunk = res.chunk
                store.commit_chunk(c.strategy, c.start, c.stop, runs, res.outputs, res.seconds)
                n_run += c.size
                if on_chunk is not None:
                    on_chunk(res)
        remaining = plan_chunks(n_exp, strategies, weight, chunk_size, done=store.done_masks(n_exp, strategies))
        if not remaining:
            store.mark_finished()
        means = _outcome_means(store, model.outcome_names)
        return ExploreSummary(
            db=str(db), model=model.name, n_experiments=n_exp, strategies=strategies, runs=runs,
            runner=getattr(runner, "description", type(runner).__name__),
            chunks_total=len(all_chunks), chunks_skipped=len(all_chunks) - len(todo), chunks_run=len(todo),
            experiments_run=n_run, seconds=time.perf_counter() - t0, resumed=resumed, outcome_means=means,
        )
    except BaseException:
        store.discard()  # a store this call created and committed nothing to is removed, not left behind
        raise
    finally:
        store.close()


# bytes per sampled value: the unit design, its scaled copy, the stored table and the LHS strata
BYTES_PER_SAMPLED_VALUE = 32
# bytes per planned chunk (the plan, the ledger row and the runner's bookkeeping)
BYTES_PER_CHUNK = 400


def exploration_memory(model: Model, params: Sequence[Any], n_experiments: int, strategies: Sequence[str],
                       runs: int, chunk_size: int, workers: int = 1) -> float:
    """Upper estimate of the bytes an exploration needs: the sampled inputs, the chunk plan, and one chunk
    per worker (from the model's `chunk_memory(strategy, experiments, runs)` when it has one)."""
    per_chunk = min(n_experiments, experiments_per_chunk(chunk_runs(model, runs), chunk_size))
    n_chunks = -(-n_experiments // per_chunk) * len(strategies)
    need = float(n_experiments) * (BYTES_PER_SAMPLED_VALUE * max(1, len(params)) + len(strategies))
    need += float(n_chunks) * BYTES_PER_CHUNK
    chunk_memory = getattr(model, "chunk_memory", None)
    if chunk_memory is not None:
        need += workers * max(chunk_memory(s, per_chunk, runs) for s in strategies)
    else:  # a model without an estimate: its outputs per experiment
        need += workers * 8.0 * per_chunk * (runs + len(model.outcome_names))
    return need


def check_exploration(model: Model, params: Sequence[Any], n_samples: int, sampler: str,
                      strategies: Sequence[str], runs: int, chunk_size: int, workers: int = 1,
                      max_memory: int | None = None) -> None:
    """Refuse (exit 2) an exploration whose estimated memory exceeds `max_memory`, before anything starts."""
    n_exp = n_experiments_bound(params, n_samples, sampler)
    need = exploration_memory(model, params, n_exp, strategies, runs, chunk_size, workers)
    what = (f"exploring {n_exp:,} worlds x {len(strategies)} strategies x {runs:,} runs"
            f" in chunks of {chunk_size:,} experiment-runs" + (f" on {workers} workers" if workers > 1 else ""))
    check_memory(need, max_memory, what, "use fewer --samples or --runs, a smaller --chunk-size or fewer workers",
                 field="--samples")


def _outcome_means(store: Any, names: Sequence[str]) -> dict[str, dict[str, float]]:
    from brinkmanship.store.results import quote

    cols = ", ".join(f"avg({quote(n)})" for n in names)
    rows = store.con.execute(f"SELECT strategy, {cols} FROM outcomes GROUP BY strategy").fetchall()
    return {r[0]: {n: float(v) if v is not None else float("nan") for n, v in zip(names, r[1:], strict=True)}
            for r in rows}


def evaluate_in_memory(model: Model, inputs: dict[str, np.ndarray], strategies: Sequence[str], runs: int,
                       seed: int, chunk_size: int = DEFAULT_CHUNK_RUNS, runner: Any = None,
                       common_stream: bool = False) -> dict[str, dict[str, np.ndarray]]:
    """Evaluate without a store: {strategy: {outcome: array over experiments}} (for tests and sensitivity).

    `common_stream` gives every experiment the same random stream (common random numbers), so that the
    outputs are a deterministic function of the inputs, as variance-based sensitivity analysis assumes.
    """
    n = len(next(iter(inputs.values())))
    out = {s: {k: np.empty(n) for k in model.outcome_names} for s in strategies}
    chunks = plan_chunks(n, strategies, chunk_runs(model, runs), chunk_size)
    runner = runner or InProcessRunner()
    with runner:
        for res in runner.map(ChunkTask(model, c, slice_inputs(inputs, c), runs, seed, common_stream)
                              for c in chunks):
            for k, v in res.outputs.items():
                out[res.chunk.strategy][k][res.chunk.start:res.chunk.stop] = v
    return out
