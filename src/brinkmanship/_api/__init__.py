"""The public Python API (re-exported by `brinkmanship`): verbs and the result objects they return."""

from brinkmanship._api.results import (
    Audit,
    Backtest,
    Comparison,
    Explanation,
    Provenance,
    Sensitivity,
    Solution,
)
from brinkmanship._api.verbs import (
    audit,
    backtest,
    compare,
    explain,
    explore,
    load_scenario,
    load_strategy,
    run,
    sensitivity,
    solve,
)

__all__ = [
    "Audit", "Backtest", "Comparison", "Explanation", "Provenance", "Sensitivity", "Solution", "audit", "backtest", "compare",
    "explain", "explore", "load_scenario", "load_strategy", "run", "sensitivity", "solve",
]
