"""Samplers as plain functions: unit-cube designs (LHS, scrambled Sobol, Monte Carlo) and full factorial.

Every sampler is seeded and deterministic; values are scaled per parameter (real, integer, categorical).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.parameters import Uncertainty

_SAMPLER_TAG = 0x5A4D504C  # separates the sampler's stream from the experiments' streams


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), _SAMPLER_TAG]))


def unit_lhs(n: int, d: int, seed: int) -> np.ndarray:
    """Latin hypercube of n points in [0, 1)^d: one point in each of n equal strata per dimension
    (`scipy.stats.qmc.LatinHypercube`, scrambled within strata)."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d, scramble=True, rng=_rng(seed)).random(n)


def unit_sobol(n: int, d: int, seed: int) -> np.ndarray:
    """First n points of a scrambled Sobol sequence in [0, 1)^d (balanced when n is a power of two)."""
    from scipy.stats import qmc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "balance properties ... n = 2^m": we say so in the docs
        return qmc.Sobol(d, scramble=True, rng=_rng(seed)).random(n)


def unit_mc(n: int, d: int, seed: int) -> np.ndarray:
    """Plain Monte Carlo: n independent uniform points in [0, 1)^d."""
    return _rng(seed).random((n, d))


UNIT_SAMPLERS: dict[str, Callable[[int, int, int], np.ndarray]] = {
    "lhs": unit_lhs, "sobol": unit_sobol, "mc": unit_mc,
}
SAMPLERS: tuple[str, ...] = ("lhs", "sobol", "mc", "factorial")


def factorial(params: Sequence[Uncertainty], levels: int) -> dict[str, np.ndarray]:
    """Full factorial design: `levels` values per real range (all values when fewer), every combination."""
    grids = [p.grid(levels) for p in params]
    total = int(np.prod([len(g) for g in grids], dtype=np.float64)) if grids else 0
    if total > 50_000_000:
        raise InputError(f"full factorial with {levels} levels gives {total:,} experiments",
                         field="--samples", fix="use fewer levels or a sampler such as lhs")
    idx = np.array(list(itertools.product(*[range(len(g)) for g in grids])), dtype=np.int64)
    idx = idx.reshape(-1, len(grids))
    return {p.name: g[idx[:, j]] for j, (p, g) in enumerate(zip(params, grids, strict=True))}


def sample(params: Sequence[Uncertainty], n: int, sampler: str = "lhs", seed: int = 0) -> dict[str, np.ndarray]:
    """Sample `n` experiments (for `factorial`, n = levels per dimension) as one array per parameter."""
    if sampler not in SAMPLERS:
        raise InputError(f"unknown sampler '{sampler}'", field="--sampler", fix=f"use one of {', '.join(SAMPLERS)}")
    if n < 1:
        raise InputError(f"sample count must be at least 1, got {n}", field="--samples", fix="use --samples 1 or more")
    if not params:
        raise InputError("nothing to sample: no uncertain parameters", field="uncertainties",
                         fix="declare ranges for the parameters to explore")
    if sampler == "factorial":
        return factorial(params, n)
    u = UNIT_SAMPLERS[sampler](n, len(params), seed)
    return {p.name: p.scale(u[:, j]) for j, p in enumerate(params)}


def n_experiments_bound(params: Sequence[Uncertainty], n: int, sampler: str) -> int:
    """Upper bound on the experiments of a design, computed without building it (exact except factorial,
    whose integer and categorical grids may merge levels)."""
    if sampler != "factorial":
        return n
    total = 1
    for p in params:
        total *= n if p.kind == "real" else min(n, p.n_levels or 1)
    return total


def n_experiments(params: Sequence[Uncertainty], n: int, sampler: str) -> int:
    """Number of experiments a design will contain."""
    if sampler != "factorial":
        return n
    return int(np.prod([len(p.grid(n)) for p in params]))
