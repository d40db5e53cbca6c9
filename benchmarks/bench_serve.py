"""`brink serve`: latency from a slider change to updated numbers (the workbench callback, in process through
Dash's own request handler), point-type exact comparison of the edited strategy (targets: median < 0.5 s,
p95 < 1 s); and where one exact solve of a strategy spends its time. On a shared machine the wall times grow
with the load; the CPU time of a request is what it takes on an idle core (one thread, BLAS single-threaded).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import json
import statistics
import time
import uuid

import numpy as np

from brinkmanship.spec import load_scenario, load_strategy
from brinkmanship.web.app import create_app
from brinkmanship.web.fields import walk

CHANGES = 30
POSTURE = json.dumps(["levers", "posture", "target"])


def payload(app, strategy, scenario_specs, sid: str, posture: float, adversary: str) -> dict:
    """The request the page sends when the posture slider moves (built from the app's own callback map)."""
    key = next(k for k in app.callback_map if "wb-result.data" in k)
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in key.strip(".").split("...")]
    st_specs = walk(strategy)
    st_ids = [{"type": "field", "model": "strategy", "path": s.key} for s in st_specs]
    sc_ids = [{"type": "field", "model": "scenario", "path": s.key} for s in scenario_specs]
    st_vals = [posture if s.key == POSTURE else (s.value if s.kind != "choice" or s.value is not None else "")
               for s in st_specs]
    return {
        "output": key, "outputs": outputs,
        "inputs": [[{"id": i, "property": "value", "value": v} for i, v in zip(st_ids, st_vals, strict=True)],
                   [{"id": i, "property": "value", "value": s.value}
                    for i, s in zip(sc_ids, scenario_specs, strict=True)],
                   {"id": "wb-adversary", "property": "value", "value": adversary}],
        "changedPropIds": [json.dumps({"model": "strategy", "path": POSTURE, "type": "field"},
                                      separators=(",", ":")) + ".value"],
        "state": [[{"id": i, "property": "id", "value": i} for i in st_ids],
                  [{"id": i, "property": "id", "value": i} for i in sc_ids],
                  {"id": "wb-base", "property": "data", "value": strategy.model_dump(mode="json")},
                  {"id": "wb-session", "property": "data", "value": sid}],
    }


def figures_payload(app, result: dict) -> dict:
    """The request that follows the numbers: the figures drawn from the cached evaluations."""
    key = next(k for k in app.callback_map if "wb-bars.figure" in k)
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs, "inputs": [{"id": "wb-result", "property": "data", "value": result}],
            "changedPropIds": ["wb-result.data"], "state": []}


def solve_profile(sc, st) -> dict[str, float]:
    from brinkmanship.adversary.exact import propagate
    from brinkmanship.adversary.explain import describe
    from brinkmanship.adversary.planner import solve
    from brinkmanship.audit import audit_strategy
    from brinkmanship.engine.compiled import compile_model

    t = [time.perf_counter()]
    c = compile_model(sc, st)
    t.append(time.perf_counter())
    sol = solve(c, "rational")
    t.append(time.perf_counter())
    res = propagate(c, sol)
    t.append(time.perf_counter())
    describe(sc, st, c, sol, res)
    t.append(time.perf_counter())
    audit_strategy(st)
    t.append(time.perf_counter())
    return dict(zip(("compile", "solve", "propagate", "explain", "audit"), np.diff(t), strict=True))


def main() -> None:
    from brinkmanship.web.workbench import scenario_specs

    sc = load_scenario("korea-2017")
    st = load_strategy("let-deterrence-fail", sc)
    app = create_app("korea-2017", warm=False)
    t0 = time.perf_counter()
    app.workbench.warm()
    print(f"start: the 5 packaged strategies solved exactly in {time.perf_counter() - t0:.2f} s (once, cached)")
    prof = [solve_profile(sc, st) for _ in range(3)]
    print("one exact solve of let-deterrence-fail (median of 3): "
          + ", ".join(f"{k} {1000 * statistics.median(p[k] for p in prof):.0f} ms" for k in prof[0]))
    client = app.server.test_client()
    specs = scenario_specs(sc)
    for adversary in ("rational", "base-rate"):
        sid = uuid.uuid4().hex
        if adversary != "rational":  # the packaged strategies against this target, solved once (cached)
            client.post("/_dash-update-component", json=payload(app, st, specs, sid, 0.05, adversary))
        values = np.linspace(0.0, 0.15, CHANGES + 1)[1:]  # each change a new strategy: a cold solve, no cache hit
        lat, cpu, figs = [], [], []
        for v in values:
            body = payload(app, st, specs, sid, round(float(v), 6), adversary)
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.post("/_dash-update-component", json=body)
            lat.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert r.status_code == 200, r.data[:300]
            result = r.get_json()["response"]["wb-result"]["data"]
            t0 = time.perf_counter()
            f = client.post("/_dash-update-component", json=figures_payload(app, result))
            figs.append(time.perf_counter() - t0)
            assert f.status_code == 200 and "wb-bars" in f.get_json()["response"], f.data[:300]
        warm = []
        for v in values[:10]:
            body = payload(app, st, specs, sid, round(float(v), 6), adversary)
            t0 = time.perf_counter()
            client.post("/_dash-update-component", json=body)
            warm.append(time.perf_counter() - t0)
        lat_ms = np.array(lat) * 1000
        print(f"{adversary} target: slider change -> updated numbers, {CHANGES} new posture values (one exact "
              f"solve each): median {np.median(lat_ms):.0f} ms, p95 {np.percentile(lat_ms, 95):.0f} ms, max "
              f"{lat_ms.max():.0f} ms wall (targets: median < 500 ms, p95 < 1000 ms); CPU time of the request "
              f"(its wall time on an idle core): median {1000 * np.median(cpu):.0f} ms, p95 "
              f"{1000 * np.percentile(cpu, 95):.0f} ms; the same values again (cached "
              f"by content hash): median {1000 * np.median(warm):.0f} ms; then the figures: median "
              f"{1000 * np.median(figs):.0f} ms, p95 {1000 * np.percentile(figs, 95):.0f} ms")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
