"""Throughput of `compare`: 5 strategies x 100,000 runs x 36 months, base-rate adversary, one core.

Prints simulated run-months per second (target: at least 5 million on one core).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time

from brinkmanship.engine import simulate
from brinkmanship.spec import load_scenario, packaged_strategies

RUNS = 100_000
REPEATS = 3


def main() -> None:
    sc = load_scenario("korea-2017")
    strategies = packaged_strategies(sc)
    simulate(sc, strategies[0], runs=2_000, seed=0)  # warm-up
    best = float("inf")
    per: dict[str, float] = {}
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for st in strategies:
            t = time.perf_counter()
            simulate(sc, st, runs=RUNS, seed=7)
            per[st.name] = min(per.get(st.name, float("inf")), time.perf_counter() - t)
        best = min(best, time.perf_counter() - t0)
    run_months = len(strategies) * RUNS * sc.horizon_months
    print(f"compare korea-2017: {len(strategies)} strategies x {RUNS:,} runs x {sc.horizon_months} months")
    for name, sec in per.items():
        print(f"  {name:<22} {sec:6.2f} s  {RUNS * sc.horizon_months / sec / 1e6:6.2f} M run-months/s")
    print(f"  total (best of {REPEATS})        {best:6.2f} s  {run_months / best / 1e6:6.2f} M run-months/s "
          f"(target >= 5)")


if __name__ == "__main__":
    main()
