"""Fake simulation results shaped exactly like the engine's contract, so the report is tested on its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from brinkmanship.engine import summarize
from brinkmanship.report.common import OUTCOMES, PHASES

STRATEGIES = ("let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement")
# final-phase mix per strategy (peace, crisis, limited, major, nuclear, deal, freeze): distinct on purpose
MIXES = {
    "let-deterrence-fail": (0.05, 0.25, 0.15, 0.2, 0.05, 0.2, 0.1),
    "maximum-pressure": (0.1, 0.5, 0.1, 0.08, 0.02, 0.1, 0.1),
    "freeze-for-freeze": (0.1, 0.3, 0.05, 0.03, 0.02, 0.2, 0.3),
    "limited-strike": (0.05, 0.4, 0.2, 0.12, 0.03, 0.1, 0.1),
    "engagement": (0.1, 0.2, 0.03, 0.02, 0.0, 0.45, 0.2),
}
POLICY = {"rows": ["warheads 10", "warheads 30", "warheads 50"], "cols": ["sanctions low", "sanctions high"],
          "action": [["missile_test", "negotiate"], ["missile_test", "freeze"], ["nuclear_test", "hold"]],
          "title": "Adversary policy (test)"}
PHASE_TO_OUTCOME = np.array([2, 2, 3, 4, 5, 0, 1])
PHASE_TO_RUNG = np.array([0, 1, 2, 3, 4, 1, 1])


@dataclass
class FakeResult:
    """The engine's result object, per the contract: outcomes, timeline, transitions."""

    strategy: str
    runs: int
    seed: int
    horizon: int
    outcomes: dict[str, np.ndarray] = field(default_factory=dict)
    timeline: dict[str, Any] = field(default_factory=dict)
    transitions: np.ndarray | None = None
    scenario: str = "korea-2017"
    adversary: str = "base-rate"


def make_fake_result(name: str, runs: int = 2000, horizon: int = 36, seed: int = 7) -> FakeResult:
    """A random but internally consistent result for one strategy."""
    rng = np.random.default_rng([seed, len(name), sum(map(ord, name))])
    mix = np.array(MIXES.get(name, MIXES["maximum-pressure"]), dtype=float)
    final = rng.choice(len(PHASES), size=runs, p=mix / mix.sum())
    outcome = PHASE_TO_OUTCOME[final]
    absorbing = np.isin(final, (2, 3, 4, 5, 6))
    month = np.where(absorbing, rng.integers(1, horizon + 1, size=runs), -1)
    warheads = np.round(rng.normal(20 + 0.6 * horizon, 6, size=runs)).clip(0)
    mil = np.where(final >= 2, rng.poisson(2000, size=runs), 0) * (final <= 4)
    civ = np.where(final == 3, rng.poisson(100_000, size=runs), 0) + np.where(
        final == 4, rng.poisson(1_000_000, size=runs), 0)
    rung = PHASE_TO_RUNG[final]
    out = {
        "final_phase": final, "outcome": outcome, "month_resolved": month, "warheads": warheads,
        "deaths_military": mil, "deaths_civilian": civ, "deaths": mil + civ,
        "detonations": np.where(final == 4, rng.integers(1, 5, size=runs), 0),
        "strikes_military": rng.poisson(0.5, size=runs), "strikes_leadership": rng.poisson(0.2, size=runs),
        "strikes_dual_use": np.zeros(runs, dtype=int),
        "strikes_civilian_population": rng.poisson(0.1 if name == "let-deterrence-fail" else 0.0, size=runs),
        "highest_rung": rung, "invaded": rng.random(runs) < 0.02, "preventive_war": rng.random(runs) < 0.05,
    }
    counts = np.zeros((horizon + 1, len(OUTCOMES)), dtype=np.int64)
    for t in range(horizon + 1):
        so_far = np.where((month >= 0) & (month <= t), outcome, 2)  # unresolved runs count as buildup
        counts[t] = np.bincount(so_far, minlength=len(OUTCOMES))
    base = 20 + 0.6 * np.arange(horizon + 1)[:, None]
    warheads_q = base + np.array([-10, -4, 0, 4, 10])[None, :] * np.sqrt(np.arange(horizon + 1) + 1)[:, None] / 4
    start = dt.date(2017, 9, 24)
    months = [dt.date(start.year + (start.month - 1 + t) // 12, (start.month - 1 + t) % 12 + 1, 24).isoformat()
              for t in range(horizon + 1)]
    trans = np.zeros((len(PHASES), len(PHASES)), dtype=np.int64)
    for f in range(len(PHASES)):
        n = int((final == f).sum())
        if f == 1:
            continue
        trans[1, f] += n  # crisis -> final phase
    trans[0, 1] = int((final == 0).sum()) // 2
    trans[1, 0] = trans[0, 1] + int((final == 0).sum())
    trans[2, 3] = int((final == 3).sum()) // 2
    return FakeResult(strategy=name, runs=runs, seed=seed, horizon=horizon, outcomes=out,
                      timeline={"outcome_counts": counts, "warheads_q": warheads_q.clip(0), "months": months},
                      transitions=trans)


def make_fake_summary(results: list[FakeResult], scenario: str = "korea-2017") -> dict[str, Any]:
    """The compare JSON built from fake results."""
    return {"scenario": scenario, "seed": 7, "runs": results[0].runs if results else 0,
            "strategies": [summarize(r) for r in results]}
