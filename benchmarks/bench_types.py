"""Adversary types: `compare korea-2017 --exact` over 256 types x 5 strategies (target: < 60 s on one core,
peak memory < 4 GB), and the Monte Carlo compare with a type per run, 100,000 runs per strategy (target:
< 60 s on one core). Each is measured in a fresh process, so its peak RSS is its own.

Usage: python benchmarks/bench_types.py
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from table import CHILD_PEAK, Row, load, standalone

EXACT_TYPES, EXACT_RUNS = 256, 2_000  # the exact mixture; a few runs only for the sampled metrics
MC_RUNS = 100_000
TARGET_S = 60.0
MEMORY_TARGET_MB = 4096
# the planner's memory limit for the measured solve: above the target, so that a figure over it is measured (and
# set against the target) rather than refused by the budget check (today its upper estimate for
# let-deterrence-fail at 256 types, 3.76 GiB, is within the default 4 GiB; measured peak 3.7 GB)
MEASURE_LIMIT = "16G"

CHILD = """
import json, time
import brinkmanship as bk
t0, c0 = time.perf_counter(), time.process_time()
bk.compare("korea-2017", runs={runs}, seed=0, exact={exact}, type_count={types}, progress=False,
           max_memory={memory!r})
print(json.dumps({{"cpu": time.process_time() - c0, "wall": time.perf_counter() - t0,
                  "peak_mb": peak_mb()}}))
"""


def measure(runs: int, exact: bool, types: int, memory: str | None = None) -> dict:
    """CPU seconds, wall seconds and peak RSS (MB) of one `compare` in a fresh single-threaded process."""
    out = subprocess.run([sys.executable, "-c", CHILD_PEAK + CHILD.format(runs=runs, exact=exact, types=types, memory=memory)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows(full: bool = False) -> list[Row]:
    """The two figures of the types issue, each beside its target."""
    from brinkmanship.adversary.types import DEFAULT_TYPE_COUNT

    exact = measure(EXACT_RUNS, True, EXACT_TYPES, MEASURE_LIMIT)
    mc = measure(MC_RUNS, False, DEFAULT_TYPE_COUNT)
    return [
        Row("types", f"compare --exact, {EXACT_TYPES} types x 5 strategies (+ {EXACT_RUNS:,} runs for metrics)",
            "s", "lower", [exact["cpu"]], "target 60 s", [TARGET_S], "target",
            "target / ours (> 1: target met), CPU seconds on one core",
            f"wall {exact['wall']:.1f} s; peak RSS {exact['peak_mb']:,.0f} MB (target < {MEMORY_TARGET_MB:,} MB)",
            load()),
        Row("types", f"compare, a type per run ({DEFAULT_TYPE_COUNT} types), 5 x {MC_RUNS:,} runs", "s", "lower",
            [mc["cpu"]], "target 60 s", [TARGET_S], "target",
            "target / ours (> 1: target met), CPU seconds on one core",
            f"wall {mc['wall']:.1f} s; peak RSS {mc['peak_mb']:,.0f} MB", load()),
    ]


def main() -> int:
    return standalone(rows, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
