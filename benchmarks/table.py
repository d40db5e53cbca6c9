"""The benchmark table: each figure beside its peer, ceiling or target, measured in the same run.

A row holds the samples of two measurements taken interleaved (ours, theirs, ours, theirs, ...) so that
load changes on a shared machine hit both alike; the table shows medians and their ratio. Rows are
written as JSON so that a later run can print the change (`--compare`).
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Row:
    """One figure beside its reference. `kind`: peer (another tool), ceiling (what the hardware allows)
    or target (the issue's goal). Values are in `unit`; `better` says whether higher or lower is better."""

    group: str
    what: str
    unit: str
    better: str  # "higher" or "lower"
    ours: list[float]
    ref_name: str
    ref: list[float] = field(default_factory=list)
    kind: str = "peer"
    ratio_means: str = ""
    note: str = ""
    load: float = 0.0

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours) if self.ours else float("nan")

    @property
    def ref_median(self) -> float:
        return statistics.median(self.ref) if self.ref else float("nan")

    @property
    def ratio(self) -> float:
        """Ours relative to the reference, > 1 when ours is better (speed-up, share of ceiling, margin)."""
        o, r = self.ours_median, self.ref_median
        if not (o == o and r == r) or o <= 0 or r <= 0:
            return float("nan")
        return o / r if self.better == "higher" else r / o

    def to_json(self) -> dict:
        d = asdict(self)
        d.update(ours_median=self.ours_median, ref_median=self.ref_median, ratio=self.ratio)
        return d


def interleaved(ours: Callable[[], float], ref: Callable[[], float] | None, reps: int) -> tuple[list, list]:
    """Run ours, ref, ours, ref, ... `reps` times each; every call returns its own measured value."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(reps):
        a.append(ours())
        if ref is not None:
            b.append(ref())
    return a, b


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call of fn takes."""
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def cpu_timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process for one call of fn (steadier than wall time on a loaded machine)."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def peak_mb() -> float:
    """This process's own peak resident memory in MB. Linux's `VmHWM` belongs to the process image, so a child
    started after its parent grew reports its own peak; `ru_maxrss` keeps the parent's across fork and exec
    (every child of `make bench` reported the planner row's 4.5 GB). `ru_maxrss` where /proc is missing."""
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# the code a measured child process runs first, so that it can report `peak_mb` (`CHILD_PEAK`)
CHILD_PEAK = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from table import peak_mb\n"


def load() -> float:
    """One-minute load average (0 where the platform has none)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def _fmt(v: float, unit: str) -> str:
    if v != v:
        return "—"
    if unit in ("s", "CPU s"):
        return f"{v:.3f} {unit}" if v < 10 else f"{v:.1f} {unit}"
    if unit == "ms":
        return f"{v:.1f} ms"
    if v >= 1e6:
        return f"{v / 1e6:.2f} M {unit}"
    if v >= 1e4:
        return f"{v / 1e3:.1f} k {unit}"
    return f"{v:,.1f} {unit}"


def _ratio_text(row: Row) -> str:
    r = row.ratio
    if r != r:
        return "—"
    if row.kind == "ceiling":
        return f"{100 * r:.0f}% of ceiling"
    if row.kind == "target":
        return f"{r:.2f}x target" + (" (met)" if r >= 1 else " (NOT met)")
    return f"{r:.2f}x" + (" ahead" if r >= 1 else " behind")


def print_table(rows: list[Row], meta: dict) -> None:
    """The one table, with the load at the start and end of the run."""
    print(f"\nbenchmarks ({meta['mode']}), {meta['cpus']} CPUs, load average {meta['load_start']:.2f} at start, "
          f"{meta['load_end']:.2f} at end; medians of interleaved repetitions (n per column)")
    head = f"{'what':<58} {'ours':>18}  {'peer / ceiling / target':<44} {'ratio':>20}"
    print(head)
    print("-" * len(head))
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            print(f"[{group}]")
        ref = f"{r.ref_name}: {_fmt(r.ref_median, r.unit)} (n={len(r.ref)})" if r.ref else r.ref_name
        ours = f"{_fmt(r.ours_median, r.unit)} (n={len(r.ours)})"
        print(f"  {r.what:<56} {ours:>18}  {ref:<44} {_ratio_text(r):>20}")
        if r.note:
            print(f"      {r.note}")
    print("\nwhat each ratio measures:")
    for r in rows:
        if r.ratio_means:
            print(f"  {r.what}: {r.ratio_means}")
    print("absolute timings on a shared machine are noisy; the ratios, measured interleaved, are the figures to read.")


def metadata(mode: str) -> dict:
    """Machine, commit and time of the run."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"mode": mode, "cpus": os.cpu_count(), "python": platform.python_version(), "commit": commit,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_start": load()}


def write_json(path: Path, rows: list[Row], meta: dict) -> None:
    """Write the run's metadata and rows (medians, samples, ratios)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_finite({"meta": meta, "rows": [r.to_json() for r in rows]}), indent=1,
                              allow_nan=False))
    tmp.replace(path)


def _finite(x: object) -> object:
    """NaN and infinities as null (strict JSON)."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def print_compare(previous: Path, rows: list[Row]) -> None:
    """Change of each figure (ours and the ratio) against a previous run's JSON."""
    old = json.loads(previous.read_text())
    before = {(r["group"], r["what"]): r for r in old["rows"]}
    print(f"\nchange against {previous.name} ({old['meta'].get('time', '?')}, commit {old['meta'].get('commit', '?')}, "
          f"load {old['meta'].get('load_start', float('nan')):.2f}):")
    for r in rows:
        b = before.get((r.group, r.what))
        if b is None:
            print(f"  {r.what:<56} new row")
            continue
        o0, o1 = b["ours_median"] or float("nan"), r.ours_median
        change = (o1 / o0 - 1) * 100 if o0 and o0 == o0 and o1 == o1 else float("nan")
        if r.better == "lower":
            change = -change
        print(f"  {r.what:<56} ours {_fmt(o0, r.unit)} -> {_fmt(o1, r.unit)} ({abs(change):.0f}% {'better' if change >= 0 else 'worse'}), "
              f"ratio {b['ratio'] or float('nan'):.2f} -> {r.ratio:.2f}")


def standalone(rows: Callable[[bool], list[Row]], doc: str, full_help: str = "add the long figures") -> int:
    """Run one group of benchmarks as a script: `--full` for the long figures, then print its table."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--full", action="store_true", help=full_help)
    a = ap.parse_args()
    meta = metadata("full" if a.full else "quick")
    out = rows(a.full)
    meta["load_end"] = load()
    print_table(out, meta)
    return 0
