"""Helpers for the rational adversary's acceptance tests: toy scenarios written as YAML, forced policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import ACCEPT, HOLD, MISSILE, N_ACTIONS, Response
from brinkmanship.engine.decision import BaseRatePolicy, Observation, available_actions
from brinkmanship.spec import load_scenario, load_strategy
from brinkmanship.spec.loader import scenario_dir


def fixed(v: float) -> dict[str, Any]:
    """A parameter pinned to `v` (an assumption with a degenerate range, so it validates)."""
    return {"value": float(v), "range": [float(v), float(v)], "assumption": True}


def quiet_levers(channel: str = "none", offer: float = 0.0) -> dict[str, Any]:
    """Levers that change nothing over a toy crisis: China and Russia engaged, a fixed offer through `channel`,
    sanctions frozen, full posture, normal exercises."""
    return {
        "third_parties": {"china": "engage", "russia": "engage"},
        "talks": {"channel": channel, "offer": fixed(offer)},
        "sanctions": {"mode": "freeze"},
        "posture": {"target": fixed(1.0), "ramp_months": 0},
        "exercises": {"mode": "normal"},
    }


def write_scenario(folder: Path, name: str, top: dict[str, Any] | None = None,
                   params: dict[str, float] | None = None) -> Path:
    """korea-2017 with top-level keys replaced and dotted parameters pinned, written as a YAML file."""
    data = yaml.safe_load((scenario_dir() / "korea-2017.yaml").read_text(encoding="utf-8"))
    data["name"] = name
    data.pop("credibility", None)  # credibility as a fixed input, unless `top` brings the block
    data.update(top or {})
    for dotted, v in (params or {}).items():
        section, key = dotted.split(".")
        assert key in data[section], dotted
        data[section][key] = fixed(v)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_strategy(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load_pair(scenario_path: Path, strategy_path: Path):
    sc = load_scenario(scenario_path)
    return sc, load_strategy(strategy_path, sc)


class ForcedAction(BaseRatePolicy):
    """Plays action `a` with probability 1 wherever it is available (else holds); base-rate responses."""

    def __init__(self, a: int) -> None:
        self.a = a
        self.name = f"forced-{a}"

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        mask = available_actions(c, obs)
        out = np.zeros((N_ACTIONS, obs.talks.shape[0]))
        ok = mask[self.a]
        out[self.a, ok] = 1.0
        out[HOLD, ~ok] = 1.0
        return out


class TestAndAbsorb(ForcedAction):
    """Tests a missile every month it can and absorbs every strike: each month triggers the rules."""

    __test__ = False  # a policy, not a test class

    def __init__(self) -> None:
        super().__init__(MISSILE)

    def response_probabilities(self, c, obs, strikes):
        out = np.zeros((len(Response), strikes.total.shape[0]))
        out[Response.ABSORB] = 1.0
        return out


def availability(c: Compiled, K: int) -> np.ndarray:
    """(A, K) actions open at each talks level, computed independently of the planner (talks ripe for a deal;
    the packaged arsenal always holds a warhead, so nuclear use stays open)."""
    from brinkmanship.engine.dynamics import TALKS_STEP

    mask = np.ones((N_ACTIONS, K), dtype=bool)
    mask[ACCEPT] = np.arange(K) * TALKS_STEP >= float(np.min(c["talks.deal_threshold"])) - 1e-9
    return mask
