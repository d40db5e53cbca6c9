"""Exploration throughput: our chunked, vectorised pipeline vs EMA Workbench's per-experiment interface.

Runs `korea-2017` with 5 strategies through `run_exploration` (in-process and 2 worker processes) and the
same model through `ema_workbench.perform_experiments` with a Python callable that wraps one experiment.
Falls back to the built-in toy model when the crisis engine is not available (and says so).
Usage: python benchmarks/bench_explore.py [--samples N] [--ema-experiments N] [--runs R]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import tempfile
import time
from pathlib import Path

import numpy as np


def _model(scenario: str, adversary: str):
    from brinkmanship.errors import InputError
    from brinkmanship.explore.models import resolve_model

    try:
        return resolve_model(scenario, adversary), scenario
    except InputError as exc:
        print(f"note: {exc.message}; benchmarking the toy model instead")
        return resolve_model("toy:crisis"), "toy:crisis"


def failing_parameters(model, vary: str | None) -> list[str]:
    """Parameters the model cannot vary per experiment (found by splitting the set in halves), to leave fixed."""
    from brinkmanship.explore.parameters import select_parameters
    from brinkmanship.explore.samplers import sample

    params = select_parameters(model.parameters(), vary)
    inputs = sample(params, 4, "lhs", 0)

    def ok(names: list[str], strategy: str) -> bool:
        try:
            model.evaluate(strategy, {n: inputs[n] for n in names}, np.arange(4), 2, 0)
            return True
        except Exception:
            return False

    def culprits(names: list[str], strategy: str) -> list[str]:
        if ok(names, strategy):
            return []
        if len(names) == 1:
            return names
        half = len(names) // 2
        found = culprits(names[:half], strategy) + culprits(names[half:], strategy)
        return found or names  # fails only in combination: leave the whole group fixed

    bad: set[str] = set()
    for strategy in model.strategy_names()[:5]:
        bad.update(culprits([p.name for p in params if p.name not in bad], strategy))
    return sorted(bad)


def bench_pipeline(model, samples: int, runs: int, workers: int | None, vary: str | None) -> tuple[float, int]:
    """Experiments (world x strategy) per second through run_exploration into a fresh DuckDB store."""
    from brinkmanship.explore.pipeline import run_exploration
    from brinkmanship.explore.runners import make_runner

    strategies = model.strategy_names()[:5]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        s = run_exploration(model, samples, 1, Path(tmp) / "bench.duckdb", strategies=strategies, runs=runs,
                            runner=make_runner(workers=workers), vary=vary)
        dt = time.perf_counter() - t0
    return s.experiments_run / dt, s.experiments_run


def bench_ema(model, n_experiments: int, runs: int, budget_s: float, vary: str | None) -> tuple[float, int, bool]:
    """Experiments per second through EMA Workbench with a callable wrapping one experiment."""
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    from ema_workbench import (
        CategoricalParameter,
        IntegerParameter,
        Model,
        Policy,
        RealParameter,
        ScalarOutcome,
        perform_experiments,
    )

    logging.getLogger("EMA").setLevel(logging.WARNING)
    strategies = model.strategy_names()[:5]
    from brinkmanship.explore.parameters import select_parameters

    params = select_parameters(model.parameters(), vary)
    counter = iter(range(10**12))

    def one_experiment(strategy: str = strategies[0], **kwargs: object) -> dict[str, float]:
        overrides = {k: np.asarray([v]) for k, v in kwargs.items()}
        out = model.evaluate(strategy, overrides, np.asarray([next(counter)]), runs, 1)
        return {k: float(v[0]) for k, v in out.items()}

    ema_model = Model("brink", function=one_experiment)
    unc = []
    for p in params:
        if p.kind == "real":
            unc.append(RealParameter(p.name, p.low, p.high))
        elif p.kind == "integer":
            unc.append(IntegerParameter(p.name, int(p.low), int(p.high)))
        else:
            unc.append(CategoricalParameter(p.name, list(p.categories)))
    ema_model.uncertainties = unc
    ema_model.levers = [CategoricalParameter("strategy", strategies)]
    ema_model.outcomes = [ScalarOutcome(k) for k in model.outcome_names]
    policies = [Policy(s, strategy=s) for s in strategies]

    def timed(n: int) -> float:
        t0 = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):  # EMA's progress bar
            perform_experiments(ema_model, scenarios=max(1, n // len(policies)), policies=policies)
        return time.perf_counter() - t0

    pilot = 10 * len(policies)
    dt = timed(pilot)
    rate = pilot / dt
    extrapolated = n_experiments / rate > budget_s
    n = n_experiments if not extrapolated else max(pilot, int(rate * budget_s) // len(policies) * len(policies))
    dt = timed(n)
    return n / dt, n, extrapolated


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="korea-2017")
    ap.add_argument("--samples", type=int, default=2000, help="worlds for our pipeline (x 5 strategies)")
    ap.add_argument("--ema-experiments", type=int, default=2000)
    ap.add_argument("--ema-budget", type=float, default=90.0, help="seconds allowed for the EMA run")
    ap.add_argument("--runs", type=int, default=50, help="Monte Carlo runs per experiment (brink explore default)")
    ap.add_argument("--adversary", default="base-rate")
    ap.add_argument("--vary", default=None, help="parameters to sample (globs, as `brink explore --vary`)")
    a = ap.parse_args()

    model, name = _model(a.scenario, a.adversary)
    bad = failing_parameters(model, a.vary)
    if bad:
        print(f"note: the model fails when these vary per experiment; they stay at their values: {', '.join(bad)}")
        a.vary = ",".join(([a.vary] if a.vary else []) + [f"-{b}" for b in bad])
    n_str = len(model.strategy_names()[:5])
    from brinkmanship.explore.parameters import select_parameters

    n_par = len(select_parameters(model.parameters(), a.vary))
    print(f"model {name}, {n_str} strategies, {n_par} uncertainties, {a.runs} runs/experiment, {a.adversary}")
    rows = []
    for label, workers in (("ours, in-process", None), ("ours, --workers 2", 2)):
        rate, n = bench_pipeline(model, a.samples, a.runs, workers, a.vary)
        rows.append((label, n, rate))
        print(f"{label:<22} {n:>8,} experiments  {rate:>10,.0f} experiments/s", flush=True)
    best = max(r[2] for r in rows)
    print(f"projected: 100,000 worlds x 5 strategies in {5e5 / best / 60:.1f} min (target < 10 min on 2 cores)")
    try:
        rate, n, extrapolated = bench_ema(model, a.ema_experiments, a.runs, a.ema_budget, a.vary)
    except ImportError:
        print("EMA Workbench not installed: side-by-side skipped (pip install ema-workbench)")
        return
    note = f" (ran {n:,} of {a.ema_experiments:,} to stay in budget; rate extrapolated)" if extrapolated else ""
    print(f"{'EMA perform_experiments':<22} {n:>8,} experiments  {rate:>10,.0f} experiments/s{note}")
    print(f"speed-up: {rows[0][2] / rate:,.0f}x in-process, {best / rate:,.0f}x best (target >= 50x)")


if __name__ == "__main__":
    main()
