"""`make bench`: every benchmark in one table, each figure beside its peer, ceiling or target.

Each group (simulator, planner, exploration, games) measures ours and its reference interleaved in the same
run (ours, reference, ours, reference, ...) and reports medians and their ratio, with the machine's load
average. The table is also written as JSON; `--compare PREVIOUS.json` prints the change against an earlier
run. Quick by default (about 10 minutes on 2 cores: most of it the 256-type exact comparison and the strategic
coercer's equilibrium on 16 types); `--full` adds the long figures and the coercer's 256 types.
Usage: python benchmarks/run.py [--full] [--out bench-out/bench.json] [--compare PREVIOUS.json] [GROUP ...]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import importlib
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from table import Row, load, metadata, print_compare, print_table, write_json

GROUPS = {"engine": "bench_engine", "planner": "bench_planner", "types": "bench_types", "explore": "bench_explore",
          "games": "bench_games", "coercer": "bench_coercer"}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("groups", nargs="*", help=f"only these groups ({', '.join(GROUPS)})")
    ap.add_argument("--full", action="store_true", help="the long figures too (about half an hour)")
    ap.add_argument("--out", type=Path, default=Path("bench-out/bench.json"))
    ap.add_argument("--compare", type=Path, default=None, help="a previous run's JSON to compare with")
    a = ap.parse_args(argv)
    unknown = [g for g in a.groups if g not in GROUPS]
    if unknown:
        ap.error(f"unknown group(s) {', '.join(unknown)}; use {', '.join(GROUPS)}")
    if a.compare is not None and not a.compare.is_file():
        ap.error(f"--compare: no such file {a.compare}")
    meta = metadata("full" if a.full else "quick")
    rows: list[Row] = []
    failed = []
    for group, module in GROUPS.items():
        if a.groups and group not in a.groups:
            continue
        print(f"running {group} ...", flush=True)
        try:
            rows += importlib.import_module(module).rows(a.full)
        except Exception:  # a broken group is reported and fails the run, the others still print
            failed.append(group)
            traceback.print_exc()
    meta["load_end"] = load()
    meta["failed"] = failed
    print_table(rows, meta)
    write_json(a.out, rows, meta)
    print(f"written {a.out}")
    if a.compare is not None:
        print_compare(a.compare, rows)
    if failed:
        print(f"FAILED groups: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
