"""Simulator throughput: `compare` korea-2017, 5 strategies x N runs x 36 months, base-rate adversary: the fused
kernel on one core beside the ceiling kernel (benchmarks/ceiling.py: same arrays, same random numbers, no
logic), on two threads beside one, and the NumPy reference beside the ceiling. Then the default `brink compare`
target, rational with a prior of 64 types (each run draws one; the planner is solved once, before timing): the
fused kernel reading the planner's tables beside the NumPy reference, and on two threads beside one.

Usage: python benchmarks/bench_engine.py [--full]   (quick: 20,000 runs per strategy; full: 100,000)
"""

from __future__ import annotations

import os
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from table import Row, cpu_timed, interleaved, load, standalone, timed


def rows(full: bool = False) -> list[Row]:
    """Simulated run-months per second: the fused kernel on one thread (per CPU second) beside the NumPy ceiling;
    the fused kernel on two threads (wall clock) beside one thread; the NumPy reference beside the ceiling."""
    import numba
    from ceiling import ceiling_kernel

    from brinkmanship.engine import simulate
    from brinkmanship.spec import load_scenario, packaged_strategies

    runs = 100_000 if full else 20_000
    reps = 5 if full else 3
    sc = load_scenario("korea-2017")
    strategies = packaged_strategies(sc)
    simulate(sc, strategies[0], runs=2_000, seed=0)  # warm-up (loads the compiled kernel from the cache)
    work = len(strategies) * runs * sc.horizon_months
    what = f"compare korea-2017, {len(strategies)} x {runs:,} runs x {sc.horizon_months} months"

    def sim(kernel: str, threads: int, clock) -> Callable[[], float]:
        def once() -> float:
            before = numba.get_num_threads()
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            try:
                return work / clock(lambda: [simulate(sc, st, runs=runs, seed=7, kernel=kernel) for st in strategies])
            finally:
                numba.set_num_threads(before)
        return once

    def ceiling() -> float:
        return work / cpu_timed(lambda: [ceiling_kernel(sc, st, runs, seed=7) for st in strategies])

    fused1, ceil1 = interleaved(sim("fused", 1, cpu_timed), ceiling, reps)
    fused2, wall1 = interleaved(sim("fused", 2, timed), sim("fused", 1, timed), reps)
    fused2cpu, fused1cpu = interleaved(sim("fused", 2, cpu_timed), sim("fused", 1, cpu_timed), reps)
    ref, ceil2 = interleaved(sim("numpy", 1, cpu_timed), ceiling, reps)

    import brinkmanship.adversary  # noqa: F401  registers the planner
    from brinkmanship.adversary.model import PlannerModel
    from brinkmanship.adversary.planner import Decision
    from brinkmanship.adversary.types import DEFAULT_TYPE_COUNT, prior_types

    types = prior_types(sc, DEFAULT_TYPE_COUNT)
    model = PlannerModel(Decision(), types)
    overrides = types.per_run(types.draw(7, runs))
    for st in strategies:  # solve each strategy's planner (and build its kernel tables) before timing
        simulate(sc, st, runs=runs, seed=7, adversary=model, overrides=overrides, kernel="fused")

    def rational(kernel: str, threads: int, clock) -> Callable[[], float]:
        def once() -> float:
            before = numba.get_num_threads()
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            try:
                return work / clock(lambda: [simulate(sc, st, runs=runs, seed=7, adversary=model, overrides=overrides,
                                                      kernel=kernel) for st in strategies])
            finally:
                numba.set_num_threads(before)
        return once

    rat1, rat_ref = interleaved(rational("fused", 1, cpu_timed), rational("numpy", 1, cpu_timed), reps)
    rat2, rat_wall1 = interleaved(rational("fused", 2, timed), rational("fused", 1, timed), reps)
    rwhat = what.replace("compare korea-2017", f"compare korea-2017 --adversary rational ({DEFAULT_TYPE_COUNT} types)")
    return [
        Row("simulator", what + " (fused kernel, 1 thread)", "run-months/s", "higher", fused1, "NumPy ceiling kernel",
            ceil1, "ceiling",
            "ours / a NumPy kernel touching the same arrays with the same random numbers and no logic, both per "
            "CPU second of one process; issue target >= 25 M run-months/s on one core", "", load()),
        Row("simulator", what + " (fused kernel, 2 threads, wall clock)", "run-months/s", "higher", fused2,
            "the same on 1 thread", wall1, "ceiling",
            "two threads over one, wall clock (the load of the machine takes the second core away when it is "
            "busy); issue target >= 45 M run-months/s on two cores", "", load()),
        Row("simulator", what + " (fused kernel, 2 threads, per CPU second)", "run-months/s", "higher", fused2cpu,
            "the same on 1 thread", fused1cpu, "ceiling",
            "the work two threads add: 1.0 when they spin and wait for nothing (then, on two idle cores, the "
            "wall-clock gain is bounded only by the serial share outside the kernel); the load-proof view of the "
            "row above",
            "", load()),
        Row("simulator", what + " (NumPy reference)", "run-months/s", "higher", ref, "NumPy ceiling kernel", ceil2,
            "ceiling", "the readable reference (`--kernel numpy`, the same bits) beside the ceiling, per CPU second",
            "", load()),
        Row("simulator", rwhat + " (fused kernel, 1 thread)", "run-months/s", "higher", rat1,
            "NumPy reference, same target", rat_ref, "peer",
            "the kernel reading the planner's tables over the reference asking the planner each month, both per CPU "
            "second (solves excluded: done before timing)", "", load()),
        Row("simulator", rwhat + " (fused kernel, 2 threads, wall clock)", "run-months/s", "higher", rat2,
            "the same on 1 thread", rat_wall1, "ceiling",
            "two threads over one, wall clock (pessimistic when the machine is shared)", "", load()),
    ]


def main() -> int:
    return standalone(rows, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
