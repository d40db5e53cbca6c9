"""Games benchmarks, ours and pygambit side by side in one run (pygambit in subprocesses with timeouts).

Usage: python benchmarks/bench_games.py   (about 2-3 minutes)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PYGAMBIT_TIMEOUT = 40.0


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _pygambit(code: str, timeout: float = PYGAMBIT_TIMEOUT) -> dict:
    """Run pygambit code in a fresh process; it prints one JSON object. Timeouts are reported, not fatal."""
    try:
        res = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if res.returncode != 0:
        return {"error": (res.stderr.strip().splitlines() or ["failed"])[-1][:80]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def _row(rows: list, task: str, ours: str, theirs: str, note: str = "") -> None:
    rows.append((task, ours, theirs, note))
    print(f"  {task:<44} ours {ours:<22} pygambit {theirs:<26} {note}", flush=True)


def main() -> int:
    from brinkmanship.games.gambit_io import write_efg, write_nfg
    from brinkmanship.games.generate import complete_tree, random_bimatrix
    from brinkmanship.games.solvers.backward import subgame_perfect
    from brinkmanship.games.solvers.qre import logit_qre
    from brinkmanship.games.solvers.sequence import sequence_lcp
    from brinkmanship.games.solvers.support import support_enumeration

    rows: list = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_games_"))
    print("games benchmarks (best of 3 for ours; pygambit timed inside its own process)")

    # 1. all equilibria of random games
    for k in (8, 10):
        g = random_bimatrix(k, k, seed=k)
        path = tmp / f"r{k}.nfg"
        path.write_text(write_nfg(g))
        t, res = _timed(lambda g=g: support_enumeration(g))
        ref = _pygambit(f"""
            import json, time, pygambit as gbt
            g = gbt.read_nfg({str(path)!r})
            t = time.perf_counter(); r = gbt.nash.enummixed_solve(g, rational=False); t = time.perf_counter() - t
            print(json.dumps({{"t": t, "n": len(set(str(e) for e in r.equilibria))}}))
        """)
        theirs = ref.get("error") or f"{ref['t']:.3f} s ({ref['n']} eq, float)"
        _row(rows, f"all equilibria, random {k}x{k}", f"{t:.3f} s ({len(res.equilibria)} eq)", theirs)

    # 2. backward induction on a 10^6-node tree
    big = complete_tree(2, 19, seed=1)
    big.levels  # noqa: B018  (building the level index is part of setup)
    t, res = _timed(lambda: subgame_perfect(big), repeat=2)
    big_path = tmp / "big.efg"
    t_write = time.perf_counter()
    big_path.write_text(write_efg(big))
    t_write = time.perf_counter() - t_write
    small = complete_tree(2, 10, seed=1)
    small_path = tmp / "small.efg"
    small_path.write_text(write_efg(small))
    t_small, _ = _timed(lambda: subgame_perfect(small))
    ref_small = _pygambit(f"""
        import json, time, pygambit as gbt
        g = gbt.read_efg({str(small_path)!r})
        t = time.perf_counter(); r = gbt.nash.lcp_solve(g, rational=False); t = time.perf_counter() - t
        print(json.dumps({{"t": t}}))
    """, timeout=20)
    ref_big = _pygambit(f"""
        import json, time, pygambit as gbt
        t = time.perf_counter(); g = gbt.read_efg({str(big_path)!r}); t = time.perf_counter() - t
        print(json.dumps({{"t_read": t}}))
    """, timeout=40)
    _row(rows, f"SPE backward induction, {big.n_nodes:,} nodes", f"{t:.3f} s",
         ref_big.get("error") or f"read only: {ref_big['t_read']:.1f} s",
         "pygambit 17 has no SPE solver")
    _row(rows, f"same, {small.n_nodes:,}-node tree vs pygambit lcp", f"{t_small:.4f} s",
         ref_small.get("error") or f"lcp_solve {ref_small['t']:.2f} s", "nearest pygambit equivalent (one NE)")

    # 3. logit QRE on 10x10
    g = random_bimatrix(10, 10, seed=3)
    path = tmp / "q10.nfg"
    path.write_text(write_nfg(g))
    t, res = _timed(lambda: logit_qre(g))
    ref = _pygambit(f"""
        import json, time, pygambit as gbt
        g = gbt.read_nfg({str(path)!r})
        t = time.perf_counter(); r = gbt.nash.logit_solve(g); t = time.perf_counter() - t
        print(json.dumps({{"t": t}}))
    """)
    _row(rows, "logit QRE branch to the limit, 10x10", f"{t:.3f} s ({res.settings['points']} pts)",
         ref.get("error") or f"{ref['t']:.3f} s")

    # 4. sequence form (ours only; pygambit's lcp does not finish on ~1,000-node trees in minutes)
    for depth in (6, 8):
        tree = complete_tree(3, depth, info="own", seed=0)
        code = f"""
            import json, time
            from brinkmanship.games.generate import complete_tree
            from brinkmanship.games.solvers.sequence import sequence_lcp
            g = complete_tree(3, {depth}, info="own", seed=0, payoffs="normal")
            t = time.perf_counter(); r = sequence_lcp(g); t = time.perf_counter() - t
            print(json.dumps({{"t": t, "size": r.settings["lcp_size"], "pivots": r.settings["pivots"],
                               "attempt": r.settings["lcp_attempt"], "regret": r.equilibria[0].max_regret}}))
        """
        ref = _pygambit(code, timeout=60)
        ours = ref.get("error") or f"{ref['t']:.2f} s"
        note = "" if "error" in ref else f"LCP {ref['size']}, {ref['pivots']} pivots, {ref['attempt']}"
        _row(rows, f"sequence-form LCP, {tree.n_nodes:,}-node tree", ours, "not run", note)
    del sequence_lcp, t_write
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
