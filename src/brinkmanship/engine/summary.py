"""Summaries of simulation results: outcome shares with 95% intervals, and the metrics users compare."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from brinkmanship.engine.constants import OUTCOMES, RUNGS
from brinkmanship.engine.dynamics import MAX_TESTS
from brinkmanship.engine.simulate import SimulationResult


def wilson_interval(k: np.ndarray | int, n: int, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for k successes in n trials, vectorised over k (well behaved at 0 and n).

    The closed form of `scipy.stats.binomtest(k, n).proportion_ci(confidence, method="wilson")`, which is
    per call; a test pins the two together.
    """
    k = np.asarray(k, dtype=float)
    if n <= 0:
        return np.zeros_like(k), np.ones_like(k)
    z = float(special.ndtri(0.5 + confidence / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, p))
    hi = np.where(k >= n, 1.0, np.clip(centre + half, p, 1.0))
    return lo, hi


def _num(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else float(x)


def summarize(res: SimulationResult, exact: dict[str, float] | None = None) -> dict[str, Any]:
    """One strategy's outcome shares (p, lo, hi) and metrics, as plain JSON-ready numbers.

    With `exact` (outcome probabilities without sampling error) the intervals have zero width.
    """
    counts = np.bincount(res.outcomes["outcome"], minlength=len(OUTCOMES))
    outcomes: dict[str, dict[str, float]] = {}
    for i, name in enumerate(OUTCOMES):
        if exact is not None:
            p = float(exact[name])
            outcomes[name] = {"p": p, "lo": p, "hi": p}
        else:
            lo, hi = wilson_interval(int(counts[i]), res.runs)
            outcomes[name] = {"p": counts[i] / res.runs, "lo": float(lo), "hi": float(hi)}
    o = res.outcomes
    resolved = o["month_resolved"][o["month_resolved"] >= 0]
    civ = o["strikes_civilian_population"]
    strikes = o["strikes_military"] + o["strikes_leadership"] + o["strikes_dual_use"] + civ
    rungs = np.bincount(o["highest_rung"], minlength=len(RUNGS)) / res.runs
    metrics = {
        "deaths_median": float(np.median(o["deaths"])),
        "deaths_p95": float(np.percentile(o["deaths"], 95)),
        "deaths_mean": float(np.mean(o["deaths"])),
        "warheads_median": float(np.median(o["warheads"])),
        "warheads_mean": float(np.mean(o["warheads"])),
        "warheads_p95": float(np.percentile(o["warheads"], 95)),
        "months_to_resolution_median": _num(float(np.median(resolved))) if resolved.size else None,
        "resolved_share": float(resolved.size / res.runs),
        "strikes_mean": float(strikes.mean()),
        "civilian_strikes_mean": float(civ.mean()),
        "civilian_strikes_share": float((civ > 0).mean()),
        "nuclear_detonations_mean": float(o["detonations"].mean()),
        "invasion_share": float(o["invaded"].mean()),
        "preventive_war_share": float(o["preventive_war"].mean()),
        "highest_rung": {name: float(r) for name, r in zip(RUNGS, rungs, strict=True)},
    }
    return {"name": res.strategy, "adversary": res.adversary, "outcomes": outcomes, "metrics": metrics}


def delivery_unproven(outcomes: dict[str, np.ndarray]) -> np.ndarray:
    """(runs,) whether each run ends with delivery not proven: fewer test-equivalents than those after which
    delivery stops improving (`dynamics.MAX_TESTS`)."""
    return outcomes["final_tests"] < MAX_TESTS


def aim_share(aim: Any, P: np.ndarray, U: np.ndarray | None) -> np.ndarray:
    """The chance `aim` is met from outcome probabilities P (..., outcomes) and U (..., outcomes), the part of
    each outcome reached with delivery not proven (None: not known, then its `if_delivery_unproven` part is
    left out: a lower bound)."""
    met = P[..., [OUTCOMES.index(o) for o in aim.outcomes]].sum(axis=-1)
    if U is not None and aim.only_if_unproven:
        met = met + U[..., [OUTCOMES.index(o) for o in aim.only_if_unproven]].sum(axis=-1)
    return met


def aims_met(res: SimulationResult, aims: dict[str, Any], exact: dict[str, float] | None = None,
             unproven: dict[str, float] | None = None) -> dict[str, dict[str, Any]]:
    """The chance each aim is met, scored by what is reached: a run that ends in one of its `outcomes`, or in
    one of its `if_delivery_unproven` with delivery not proven at the end; with a 95% Wilson interval over the
    runs, or without sampling error from `exact` (outcome probabilities) and `unproven` (each outcome's
    probability with delivery not proven at the horizon). Without `unproven` an exact aim that needs it is a
    lower bound, said in its `note`."""
    out: dict[str, dict[str, Any]] = {}
    for name, aim in aims.items():
        entry: dict[str, Any] = {}
        if exact is not None:
            P = np.array([exact[o] for o in OUTCOMES])
            U = None if unproven is None else np.array([unproven[o] for o in OUTCOMES])
            p = float(aim_share(aim, P, U))
            lo = hi = p
            if U is None and aim.only_if_unproven:
                entry["note"] = ("lower bound: delivery at the horizon is not tracked here, so "
                                 f"{' and '.join(aim.only_if_unproven)} are not counted")
        else:
            o = res.outcomes["outcome"]
            met = np.isin(o, [OUTCOMES.index(x) for x in aim.outcomes])
            if aim.if_delivery_unproven:
                met |= np.isin(o, [OUTCOMES.index(x) for x in aim.if_delivery_unproven]) & delivery_unproven(
                    res.outcomes)
            k = int(met.sum())
            p = k / res.runs
            lo, hi = (float(x) for x in wilson_interval(k, res.runs))
        out[name] = {"p": p, "lo": lo, "hi": hi, "text": aim.text, "outcomes": list(aim.outcomes),
                     "if_delivery_unproven": aim.only_if_unproven, **entry}
    return out


def compare(results: list[SimulationResult], prohibited: dict[str, int] | None = None,
            exact: dict[str, dict[str, float]] | None = None, aims: dict[str, Any] | None = None,
            unproven: dict[str, dict[str, float]] | None = None) -> dict[str, Any]:
    """The `compare` JSON object: scenario, seed, runs and one summary per strategy (with the chance each of
    the scenario's `aims` is met; `unproven`: per strategy, each outcome's exact probability with delivery not
    proven at the horizon, for aims scored by it)."""
    first = results[0]
    out = {"scenario": first.scenario, "seed": first.seed, "runs": first.runs, "adversary": first.adversary,
           "strategies": []}
    for res in results:
        s = summarize(res, exact.get(res.strategy) if exact else None)
        if aims:
            s["aims"] = aims_met(res, aims, exact.get(res.strategy) if exact else None,
                                 unproven.get(res.strategy) if exact and unproven else None)
        if prohibited is not None:
            s["metrics"]["prohibited_findings"] = int(prohibited.get(res.strategy, 0))
        if "credibility" in res.timeline and np.isfinite(res.timeline["credibility"]["exact"]).any():
            s["credibility"] = credibility_path(res)
        out["strategies"].append(s)
    return out


def credibility_path(res: SimulationResult) -> dict[str, Any]:
    """The belief path of a strategy: at each month's start, the open runs' mean credibility (the mean over
    its rules and deadlines of the posterior that the coercer is resolute), exact and on the planner's
    evidence levels (null once no run is open or nothing can be learned)."""
    tl = res.timeline["credibility"]
    as_list = lambda x: [None if not np.isfinite(v) else round(float(v), 6) for v in x]  # noqa: E731
    return {"months": list(res.timeline["months"][:len(tl["exact"])]), "mean": as_list(tl["exact"]),
            "on_levels": as_list(tl["on_levels"]), "open_runs": [int(v) for v in tl["open"]]}
