"""Simulator throughput: `compare` korea-2017, 5 strategies x N runs x 36 months, base-rate adversary, one
core, beside the ceiling kernel (benchmarks/ceiling.py: same arrays, same random numbers, no logic).

Usage: python benchmarks/bench_engine.py [--full]   (quick: 20,000 runs per strategy; full: 100,000)
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from table import Row, cpu_timed, interleaved, load, standalone


def rows(full: bool = False) -> list[Row]:
    """One row: simulated run-months per second, ours and the ceiling's, interleaved."""
    from ceiling import ceiling_kernel

    from brinkmanship.engine import simulate
    from brinkmanship.spec import load_scenario, packaged_strategies

    runs = 100_000 if full else 20_000
    sc = load_scenario("korea-2017")
    strategies = packaged_strategies(sc)
    simulate(sc, strategies[0], runs=2_000, seed=0)  # warm-up
    work = len(strategies) * runs * sc.horizon_months

    def ours() -> float:
        return work / cpu_timed(lambda: [simulate(sc, st, runs=runs, seed=7) for st in strategies])

    def ceiling() -> float:
        return work / cpu_timed(lambda: [ceiling_kernel(sc, st, runs, seed=7) for st in strategies])

    a, b = interleaved(ours, ceiling, 5 if full else 3)
    return [Row("simulator", f"compare korea-2017, {len(strategies)} x {runs:,} runs x {sc.horizon_months} months",
                "run-months/s", "higher", a, "NumPy ceiling kernel", b, "ceiling",
                "ours / a NumPy kernel touching the same arrays with the same random numbers and no logic "
                "(share of the ceiling), both per CPU second of one process; issue target >= 25 M run-months/s "
                "on one core",
                "", load())]


def main() -> int:
    return standalone(rows, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
