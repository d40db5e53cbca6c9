"""Exploration under deep uncertainty: parameters, samplers, experiment designs, runners.

Importing the package is cheap (workers unpickle tasks through it); names load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Chunk": "design", "plan_chunks": "design", "Lever": "parameters", "Uncertainty": "parameters",
    "as_parameters": "parameters", "salib_problem": "parameters", "SAMPLERS": "samplers", "sample": "samplers",
    "run_exploration": "pipeline", "make_runner": "runners", "resolve_model": "models",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"brinkmanship.explore.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
