"""The rational planner: korea-2017 / let-deterrence-fail solved for 1,000 parameter samples in one batched
call (target < 20 s on one core, < 4 GB), then the flagship `compare` with the rational adversary
(100,000 runs per strategy; target < 30 s).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import resource
import time

import numpy as np

from brinkmanship.adversary import planner_model
from brinkmanship.adversary.planner import solve
from brinkmanship.engine import simulate
from brinkmanship.engine.compiled import compile_model
from brinkmanship.spec import all_params, load_scenario, load_strategy, packaged_strategies

SAMPLES = 1_000
RUNS = 100_000


def main() -> None:
    sc = load_scenario("korea-2017")
    st = load_strategy("let-deterrence-fail", sc)
    rng = np.random.default_rng(0)
    names = ["adversary.discount", "adversary.arsenal", "adversary.war_cost",
             "deadlines.congressional-decision.believed", "rules.two-per-launch.believed"]
    params = {k: v for k, v in all_params(sc, st).items() if k in names}
    overrides = {k: rng.uniform(p.low, p.high, SAMPLES) for k, p in params.items()}
    c = compile_model(sc, st, overrides)
    t0 = time.perf_counter()
    sol = solve(c, "rational")
    dt = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"planner: {SAMPLES:,} samples of {st.name} in one call, grid {sol.grid.shape} x {c.horizon} months: "
          f"{dt:.1f} s ({1000 * dt / SAMPLES:.1f} ms/sample), peak RSS {peak:,.0f} MB (targets < 20 s, < 4 GB)")
    model = planner_model("rational")
    t0 = time.perf_counter()
    for s in packaged_strategies(sc):
        simulate(sc, s, runs=RUNS, seed=7, adversary=model)
    dt = time.perf_counter() - t0
    print(f"compare, rational adversary: 5 strategies x {RUNS:,} runs: {dt:.1f} s (target < 30 s)")


if __name__ == "__main__":
    main()
