"""Games solvers beside pygambit on the same games, timed interleaved in one run.

pygambit runs in a worker process that stays up for the whole run (so its import is not timed) and times
each solve inside itself. Both sides are timed in CPU seconds of the solving process (both are single-
threaded), which a shared machine's load disturbs far less than wall time. A solve that exceeds its timeout is reported, the worker restarted. For the
all-equilibria rows the equilibrium sets are also compared (exactly in rational arithmetic). Trees are
compared with pygambit's `lcp_solve` on several families and sizes: it does finish on trees of about a
thousand nodes (an earlier comment here said otherwise; it was wrong).
Usage: python benchmarks/bench_games.py [--full]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import select
import subprocess
import sys
import tempfile
import textwrap
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from table import Row, cpu_timed, interleaved, load, standalone

WORKER = textwrap.dedent("""
    import json, sys, time
    import pygambit as gbt
    for line in sys.stdin:
        req = json.loads(line)
        path = req["path"]
        g = gbt.read_nfg(path) if path.endswith(".nfg") else gbt.read_efg(path)
        fn = getattr(gbt.nash, req["op"])
        t = time.process_time(); r = fn(g, **req.get("kwargs", {})); t = time.process_time() - t
        found = getattr(r, "equilibria", None) or [getattr(r, "equilibrium", None)]
        eqs = []
        if req.get("profiles"):
            eqs = [[str(v) for p in g.players for _, v in eq[p]] for eq in found]
        print(json.dumps({"t": t, "n": len(found), "eqs": eqs}), flush=True)
""")


class Gambit:
    """A pygambit worker process; `solve` returns its own timing of one call, or an error."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        return self.proc

    def solve(self, op: str, path: Path, timeout: float, **kwargs: object) -> dict:
        proc = self._start()
        profiles = kwargs.pop("profiles", False)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"op": op, "path": str(path), "kwargs": kwargs, "profiles": profiles}) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            self.close()
            return {"error": f"no answer in {timeout:.0f} s"}
        line = proc.stdout.readline()
        if not line:
            err = proc.stderr.read() if proc.stderr else ""
            self.close()
            return {"error": (err.strip().splitlines() or ["worker died"])[-1][:100]}
        return json.loads(line)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def _pair(rows: list[Row], what: str, ours_fn, gambit: Gambit, op: str, path: Path, reps: int, timeout: float,
          ratio_means: str, note: str = "", **kwargs: object) -> dict:
    """Interleave ours and pygambit `reps` times; a pygambit error or timeout is noted in the row."""
    errors: list[str] = []
    last: dict = {}

    def theirs() -> float:
        nonlocal last
        if errors:
            return float("nan")
        last = gambit.solve(op, path, timeout, **kwargs)
        if "error" in last:
            errors.append(last["error"])
            return float("nan")
        return last["t"]

    a, b = interleaved(lambda: cpu_timed(ours_fn), theirs, reps)
    b = [v for v in b if v == v]
    if errors:
        note = (note + "; " if note else "") + f"pygambit: {errors[0]}"
    rows.append(Row("games", what, "CPU s", "lower", a, f"pygambit {op}", b, "peer", ratio_means, note, load()))
    print(f"  {what}: ours {rows[-1].ours_median:.4f} s, pygambit {rows[-1].ref_median:.4f} s {note}",
          file=sys.stderr, flush=True)
    return last


def _same_set(ours, theirs: list[list[str]], exact: bool) -> str:
    """'sets equal' or the difference: exact Fractions in rational mode, 6 decimals in float mode."""
    if exact:
        a = {tuple(Fraction(v) for s in e.strategies for v in s) for e in ours}
        b = {tuple(Fraction(v) for v in eq) for eq in theirs}
    else:
        a = {tuple(round(float(v), 6) + 0.0 for s in e.strategies for v in s) for e in ours}
        b = {tuple(round(float(v), 6) + 0.0 for v in eq) for eq in theirs}
    return f"equilibrium sets equal ({len(a)})" if a == b else f"SETS DIFFER: ours {len(a)}, pygambit {len(b)}"


def rows(full: bool = False) -> list[Row]:
    """The games rows of the table (quick: a few minutes; full adds the long figures)."""
    from brinkmanship.games.gambit_io import write_efg, write_nfg
    from brinkmanship.games.generate import complete_tree, random_bimatrix
    from brinkmanship.games.solvers.backward import subgame_perfect
    from brinkmanship.games.solvers.lemke_howson import lemke_howson
    from brinkmanship.games.solvers.qre import logit_qre
    from brinkmanship.games.solvers.sequence import sequence_lcp
    from brinkmanship.games.solvers.support import support_enumeration

    out: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_games_"))
    gambit = Gambit()
    reps = 5 if full else 3
    speed = "pygambit's time / ours (> 1: ours faster), same game, same process-internal timing"
    try:
        # all equilibria, exact and float (the same set as enummixed, checked)
        cases = [(8, True), (10, True), (12, False)] + ([(13, False), (14, False)] if full else [])
        for k, exact in cases:
            g = random_bimatrix(k, k, seed=k)
            path = tmp / f"r{k}.nfg"
            path.write_text(write_nfg(g))
            res = support_enumeration(g, exact=exact)
            last = _pair(out, f"all equilibria, {'rational' if exact else 'float'}, random {k}x{k}",
                         lambda g=g, exact=exact: support_enumeration(g, exact=exact), gambit, "enummixed_solve",
                         path, 1 if k >= 10 and (exact or k >= 13) else reps, 900 if full else 600, speed, rational=exact,
                         profiles=True)
            if "eqs" in last:
                out[-1].note = _same_set(res.equilibria, last["eqs"], exact) + (f"; {out[-1].note}" if out[-1].note else "")

        # one equilibrium: Lemke-Howson (pygambit's lcp_solve on a strategic game)
        g = random_bimatrix(100, 100, seed=1)
        path = tmp / "lh100.nfg"
        path.write_text(write_nfg(g))
        _pair(out, "Lemke-Howson, random 100x100", lambda: lemke_howson(g), gambit, "lcp_solve", path, reps, 600,
              speed, rational=False, stop_after=1)

        # logit QRE, principal branch to the limit
        for k in (10, 30):
            g = random_bimatrix(k, k, seed=3)
            path = tmp / f"q{k}.nfg"
            path.write_text(write_nfg(g))
            _pair(out, f"logit QRE branch to the limit, {k}x{k}", lambda g=g: logit_qre(g), gambit, "logit_solve",
                  path, reps, 600, speed)

        # trees: our sequence-form LCP (imperfect information) or backward induction (perfect information)
        # against pygambit's lcp_solve on the same tree, several families and sizes
        # pygambit's lcp_solve on a perfect-information tree grows steeply (1 s at 121 nodes, no answer in
        # minutes at 1,093): quick mode keeps those trees small, --full tries larger ones with a timeout
        trees = [(3, 6, "own"), (2, 10, "own"), (4, 5, "own"), (2, 6, "perfect"), (3, 4, "perfect"),
                 (4, 3, "perfect")] + ([(3, 8, "own"), (2, 13, "own"), (2, 8, "perfect"), (3, 6, "perfect")]
                                       if full else [])
        for b, depth, info in trees:
            tree = complete_tree(b, depth, info=info, seed=0, payoffs="normal")
            path = tmp / f"t{b}_{depth}_{info}.efg"
            path.write_text(write_efg(tree))
            if info == "own":
                ours_fn, label = (lambda t=tree: sequence_lcp(t)), "sequence-form LCP"
            else:
                ours_fn, label = (lambda t=tree: subgame_perfect(t)), "SPE backward induction"
            _pair(out, f"{label}, b={b} depth {depth} ({tree.n_nodes:,} nodes, {info} info)", ours_fn, gambit,
                  "lcp_solve", path, 1 if tree.n_nodes > 5000 else reps, 900 if full else 600,
                  speed + " (one equilibrium each; pygambit's lcp_solve on the tree, its sequence form)",
                  rational=False)
    finally:
        gambit.close()
    return out


def main() -> int:
    return standalone(rows, __doc__, "add the long figures (13x13, 14x14, large trees)")


if __name__ == "__main__":
    raise SystemExit(main())
