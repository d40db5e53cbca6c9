"""A small vectorised crisis model with the engine's interface, for tests, demos and self-checks.

It is not the crisis simulator: six outcome probabilities come from a logistic score of a few
uncertainties and a strategy's posture, and `runs` keyed Monte Carlo draws per experiment turn them
into frequencies. Use it as `toy:crisis` wherever a scenario name is expected by `brink explore`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.models import CRISIS_OUTCOMES
from brinkmanship.explore.parameters import Outcome, Uncertainty
from brinkmanship.explore.streams import keyed_uniforms

OUTCOMES: tuple[str, ...] = ("denuclearisation", "freeze", "buildup", "limited_conflict", "major_war", "nuclear_war")
METRICS: tuple[str, ...] = ("deaths_mean", "deaths_p95", "warheads_mean", "civilian_strikes_mean")



# strategy -> (pressure, engagement, strikes): how hard it pushes, how much it talks, how readily it strikes
TOY_STRATEGIES: dict[str, tuple[float, float, float]] = {
    "status-quo": (0.3, 0.2, 0.0),
    "maximum-pressure": (0.7, 0.1, 0.1),
    "engagement": (0.1, 0.9, 0.0),
    "freeze-for-freeze": (0.2, 0.7, 0.0),
    "let-deterrence-fail": (0.9, 0.0, 0.9),
}

TOY_PARAMETERS: tuple[Uncertainty, ...] = (
    Uncertainty("credibility_believed", 0.0, 1.0, source="assumption"),
    Uncertainty("regime_risk_aversion", 0.0, 1.0, source="assumption"),
    Uncertainty("china.enforcement", 0.0, 1.0, source="assumption"),
    Uncertainty("war.conventional_deaths", 1e4, 3e5, source="assumption"),
    Uncertainty("arsenal.initial_warheads", 10, 60, kind="integer", source="assumption"),
    Uncertainty("deadline_month", 0, 23, kind="integer", source="assumption", origin="2017-09-01"),
)


class ToyCrisisModel:
    """Picklable toy model: `evaluate(strategy, overrides, experiment_ids, runs, seed)` like the engine."""

    name = "toy:crisis"
    outcomes: tuple[Outcome, ...] = CRISIS_OUTCOMES
    outcome_names: tuple[str, ...] = OUTCOMES + METRICS

    def __init__(self, strategies: Sequence[str] | None = None) -> None:
        for s in strategies or ():
            self._check(s)
        self._names = list(strategies) if strategies else list(TOY_STRATEGIES)

    def parameters(self) -> list[Uncertainty]:
        """The toy's uncertainties."""
        return list(TOY_PARAMETERS)

    def strategy_names(self) -> list[str]:
        """The strategies this model evaluates (all five unless a subset was given)."""
        return list(self._names)

    def scenario_hash(self) -> str:
        """Content hash of the toy's definition."""
        blob = json.dumps([p.to_dict() for p in TOY_PARAMETERS], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def strategy_hash(self, strategy: str) -> str:
        """Content hash of one toy strategy."""
        self._check(strategy)
        return hashlib.sha256(json.dumps([strategy, TOY_STRATEGIES[strategy]]).encode()).hexdigest()[:16]

    def _check(self, strategy: str) -> None:
        if strategy not in TOY_STRATEGIES:
            raise InputError(f"unknown strategy '{strategy}'", field="--strategies",
                             fix=f"use some of: {', '.join(TOY_STRATEGIES)}")

    def evaluate(self, strategy: str, overrides: Mapping[str, np.ndarray], experiment_ids: np.ndarray,
                 runs: int, seed: int) -> dict[str, np.ndarray]:
        """Per-experiment outcome frequencies and metrics; row i depends only on (seed, id, strategy, inputs)."""
        self._check(strategy)
        pressure, engage, strikes = TOY_STRATEGIES[strategy]
        ids = np.asarray(experiment_ids, dtype=np.int64)
        n = ids.shape[0]

        def get(name: str) -> np.ndarray:
            p = next(q for q in TOY_PARAMETERS if q.name == name)
            default = (p.low + p.high) / 2.0
            return np.asarray(overrides.get(name, np.full(n, default)), dtype=np.float64)

        cred = get("credibility_believed")
        risk = get("regime_risk_aversion")
        china = get("china.enforcement")
        deaths_scale = get("war.conventional_deaths")
        warheads0 = get("arsenal.initial_warheads")
        deadline = get("deadline_month")

        # logits of the six outcomes: deterrence works when the threat is believed and the regime is risk-averse
        early = (deadline < 10).astype(np.float64)
        backfire = strikes * (1.0 - cred) * (1.0 + early)
        logits = np.stack([
            1.5 * engage + 1.2 * cred * pressure + 0.8 * china - 0.5,          # deal
            1.0 * engage + 0.6 * risk - 0.2,                                    # freeze
            0.8 - 1.0 * pressure * china + 0.4 * (1.0 - risk),                  # buildup
            -1.0 + 1.5 * strikes + 0.8 * pressure * (1.0 - risk),               # limited conflict
            -2.5 + 3.5 * backfire + 1.0 * pressure * (1.0 - risk),             # major war
            -4.0 + 2.5 * backfire * (1.0 - risk),                               # nuclear war
        ], axis=1)
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        cdf = np.cumsum(probs, axis=1)
        cdf[:, -1] = 1.0

        u = keyed_uniforms(seed, strategy, ids, 2 * runs)
        draw, sev = u[:, :runs], u[:, runs:]
        outcome = (draw[:, :, None] >= cdf[:, None, :-1]).sum(axis=2)  # (n, runs) in 0..5
        counts = np.stack([(outcome == k).sum(axis=1) for k in range(6)], axis=1).astype(np.float64)
        freq = counts / runs

        war_factor = np.array([0.0, 0.0, 0.0, 0.05, 1.0, 20.0])[outcome]
        deaths = war_factor * deaths_scale[:, None] * (0.5 + sev)
        warheads = warheads0[:, None] * np.array([0.0, 1.0, 1.6, 1.2, 0.5, 0.3])[outcome]
        civ = strikes * (outcome >= 3) * 10.0 * sev
        out = {name: freq[:, k] for k, name in enumerate(OUTCOMES)}
        out["deaths_mean"] = deaths.mean(axis=1)
        out["deaths_p95"] = np.percentile(deaths, 95, axis=1)
        out["warheads_mean"] = warheads.mean(axis=1)
        out["civilian_strikes_mean"] = civ.mean(axis=1)
        return out
