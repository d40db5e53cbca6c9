"""The strategic coercer: the equilibrium of the five packaged strategies of korea-2017 against 256 prior
types of the rational target (target: < 120 s on one core). Measured in a fresh single-threaded process, so
its peak RSS is its own.

Usage: python benchmarks/bench_coercer.py
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

from table import Row, load, standalone

TYPES = 256
TARGET_S = 120.0

CHILD = """
import json, resource, time
from brinkmanship._api.coercer import solve_equilibrium
from brinkmanship._api.typed import resolve_types
from brinkmanship._api.verbs import load_scenario, load_strategy, parse_adversary
sc = load_scenario("korea-2017")
adv = parse_adversary("rational")
types = resolve_types(sc, adv, "prior", {types})
t0, c0 = time.perf_counter(), time.process_time()
its = {{}}
for name in sc.strategies:
    eq = solve_equilibrium(sc, load_strategy(name, sc), adv, types)
    its[name] = [s.iterations for s in eq.starts]
print(json.dumps({{"cpu": time.process_time() - c0, "wall": time.perf_counter() - t0, "iterations": its,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(types: int = TYPES) -> dict:
    """CPU seconds, wall seconds, iterations and peak RSS (MB) of the five equilibria in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CHILD.format(types=types)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows(full: bool = False) -> list[Row]:
    """The strategic coercer's figure beside its target."""
    m = measure()
    return [Row("coercer", f"equilibrium, 5 packaged strategies x {TYPES} prior types (2 starts each)", "s",
                "lower", [m["cpu"]], "target 120 s", [TARGET_S], "target",
                "target / ours (> 1: target met), CPU seconds on one core",
                f"wall {m['wall']:.1f} s; peak RSS {m['peak_mb']:,.0f} MB; iterations per start {m['iterations']}",
                load())]


def main() -> int:
    return standalone(rows, __doc__)


if __name__ == "__main__":
    raise SystemExit(main())
