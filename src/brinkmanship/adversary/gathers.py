"""The gathers of the planner's backward pass: next month's values read where each state goes.

The planner's time goes into gathers over the grid's last axis and its talks axis, each followed by a weighted
sum (`Grid.pull`, `kernel.talks_pull`), into the response after a strike (`Evaluator.branch_value`) and into
the weighted sum of a month's branches (`Evaluator.expected`). NumPy does each as several passes over arrays of
samples x grid states; `backend` gives the same functions as Numba loops (`gathers_kernel`), one pass each
with the same operations, so the values are the same bits. The NumPy versions here are the readable reference
and run where Numba is missing.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import numpy as np

from brinkmanship.engine.constants import Response

COMPILED = "brinkmanship.adversary.gathers_kernel"


def backend() -> ModuleType:
    """The compiled gathers (imported with Numba on first use), or this module where Numba is missing."""
    if COMPILED not in sys.modules and importlib.util.find_spec("numba") is None:
        return sys.modules[__name__]
    from brinkmanship.engine.fused import compiled

    return compiled(COMPILED)


def pull_pair(values: np.ndarray, first: np.ndarray, w_first: np.ndarray, second: np.ndarray,
              w_second: np.ndarray) -> np.ndarray:
    """out[..., j] = values[..., first[j]] w_first[j] + w_second[j] values[..., second[j]] (`Grid.pull`)."""
    out = np.take(values, first, axis=-1)
    out *= w_first
    out += w_second * np.take(values, second, axis=-1)
    return out


def talks_pull(flat: np.ndarray, lo: np.ndarray, hi: np.ndarray, w_lo: np.ndarray, w_hi: np.ndarray) -> np.ndarray:
    """out[i, k] = w_lo[i, k] flat[i, lo[i, k]] + w_hi[i, k] flat[i, hi[i, k]] for flat (n, K, X), lo and hi
    (n or 1, K), w_lo and w_hi (n, K) (`kernel.talks_pull`)."""
    if lo.shape[0] == 1:  # the same lottery for every sample: plain gathers along the talks axis
        out = w_lo[:, :, None] * flat[:, lo[0]]
        out += w_hi[:, :, None] * flat[:, hi[0]]
    else:
        out = w_lo[:, :, None] * np.take_along_axis(flat, lo[:, :, None], axis=1)
        out += w_hi[:, :, None] * np.take_along_axis(flat, hi[:, :, None], axis=1)
    return out


def strike_response(absorb: np.ndarray, retaliate: np.ndarray, escalate: np.ndarray, hit: np.ndarray,
                    cost: np.ndarray, other: np.ndarray, tie_tol: float, keep: bool) -> tuple[np.ndarray, np.ndarray]:
    """A strike branch's value (n, K, M, R): the best of absorbing, retaliating and escalating less the cost where
    the strike hits (`hit` (R,)), else `other`; with `keep`, the best responses as bits (absorb 1, retaliate 2,
    escalate 4; ties within `tie_tol` of the best, as `planner.best_options` reads them)."""
    best = np.maximum(absorb, np.maximum(retaliate, escalate))
    bits = np.zeros((0, 0, 0, 0), dtype=np.uint8)
    if keep:
        floor = best - tie_tol * (1.0 + np.abs(best))
        bits = np.zeros(np.shape(floor), dtype=np.uint8)
        for r, v in zip(Response, (absorb, retaliate, escalate), strict=True):
            bits |= (v >= floor).astype(np.uint8) << np.uint8(r)
    return np.where(hit[None, None, None, :], best - cost, other), bits


def add_scaled(total: np.ndarray, weight: np.ndarray, values: np.ndarray) -> None:
    """total += weight * values in place (total, values (n, K, M, R); weight (R,))."""
    total += weight * values
