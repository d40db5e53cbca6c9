"""The crisis engine: one transition model, vectorised over a batch of runs."""

from brinkmanship.engine.constants import ACTIONS, OUTCOMES, PHASES, RUNGS
from brinkmanship.engine.decision import BaseRatePolicy, DecisionModel, Observation, StrikeInfo
from brinkmanship.engine.simulate import SimulationResult, simulate
from brinkmanship.engine.summary import compare, summarize

__all__ = [
    "ACTIONS", "OUTCOMES", "PHASES", "RUNGS", "BaseRatePolicy", "DecisionModel", "Observation", "SimulationResult",
    "StrikeInfo", "compare", "simulate", "summarize",
]
