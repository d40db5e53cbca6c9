"""Scenario and strategy files: validated models, safe loading, sources."""

from brinkmanship.spec.loader import (
    all_params,
    content_hash,
    load_scenario,
    load_strategy,
    packaged_scenarios,
    packaged_strategies,
    packaged_strategy_names,
    sources,
)
from brinkmanship.spec.params import Param
from brinkmanship.spec.scenario import Scenario
from brinkmanship.spec.strategy import Rule, Strategy, TargetClass, TargetEvent

__all__ = [
    "Param", "Rule", "Scenario", "Strategy", "TargetClass", "TargetEvent", "all_params", "content_hash",
    "load_scenario", "load_strategy", "packaged_scenarios", "packaged_strategies", "packaged_strategy_names",
    "sources",
]
