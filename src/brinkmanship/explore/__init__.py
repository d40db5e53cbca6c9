"""Exploration under deep uncertainty: parameters, samplers, experiment designs, runners.

Submodules are small and import only numpy/scipy; Dask is imported lazily by the Dask runner.
"""

from brinkmanship.explore.design import Chunk, plan_chunks
from brinkmanship.explore.parameters import Lever, Uncertainty, as_parameters, salib_problem
from brinkmanship.explore.samplers import SAMPLERS, sample

__all__ = [
    "SAMPLERS", "Chunk", "Lever", "Uncertainty", "as_parameters", "plan_chunks", "salib_problem", "sample",
]
