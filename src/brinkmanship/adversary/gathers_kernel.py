"""The planner's gathers compiled: `adversary.gathers` as Numba loops, one pass each over the grid.

Each function does what its NumPy version in `adversary.gathers` does, with the same IEEE operations in the
same order, so both give the same bits (tests/adversary/test_gathers.py). Imported only through
`gathers.backend` (which sets Numba's cache directory first).
"""

from __future__ import annotations

import numba
import numpy as np

from brinkmanship.engine.constants import Response

JIT = {"cache": True, "nogil": True}  # njit: nopython mode; no fastmath, so no fused multiply-add
# a response's bit in the kept responses (planner.chosen_options reads bit r as response r)
ABSORB_BIT, RETALIATE_BIT, ESCALATE_BIT = (1 << int(r) for r in Response)


@numba.njit(**JIT)
def pull_pair(values, first, w_first, second, w_second):  # pragma: no cover - compiled
    """Grid.pull's two gathers on values (n, K, M, R) of any strides: out[..., j] = values[..., first[j]]
    w_first[j] + w_second[j] values[..., second[j]]."""
    n, K, M = values.shape[:3]
    J = first.shape[0]
    out = np.empty((n, K, M, J))
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(J):
                    out[i, k, m, j] = values[i, k, m, first[j]] * w_first[j] + w_second[j] * values[i, k, m, second[j]]
    return out


@numba.njit(**JIT)
def talks_pull(flat, lo, hi, w_lo, w_hi):  # pragma: no cover - compiled
    """kernel.talks_pull's two gathers along the talks axis of flat (n, K, X): out[i, k] = w_lo[i, k]
    flat[i, lo[i, k]] + w_hi[i, k] flat[i, hi[i, k]], with lo, hi (n or 1, K) and w_lo, w_hi (n, K)."""
    n, K, X = flat.shape
    shared = lo.shape[0] == 1
    out = np.empty((n, K, X))
    for i in range(n):
        li = 0 if shared else i
        for k in range(K):
            a, b = w_lo[i, k], w_hi[i, k]
            src_lo, src_hi = lo[li, k], hi[li, k]
            for x in range(X):
                out[i, k, x] = a * flat[i, src_lo, x] + b * flat[i, src_hi, x]
    return out


@numba.njit(**JIT)
def strike_response(absorb, retaliate, escalate, hit, cost, other, tie_tol, keep):  # pragma: no cover - compiled
    """A strike branch's value on the grid (n, K, M, R): where the strike hits (`hit` (R,)), the best of absorbing,
    retaliating and escalating less its cost, else `other` (the value of staying open); with `keep` also the
    best responses as bits (absorb 1, retaliate 2, escalate 4; ties within `tie_tol`, as `gathers.strike_response`).
    `retaliate`, `escalate` and `cost` may be broadcast views (zero strides)."""
    n, K, M, R = absorb.shape
    out = np.empty((n, K, M, R))
    bits = np.zeros((n, K, M, R) if keep else (0, 0, 0, 0), dtype=np.uint8)
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(R):
                    a = absorb[i, k, m, j]
                    ret = retaliate[i, k, m, j]
                    esc = escalate[i, k, m, j]
                    best = max(a, max(ret, esc))
                    if keep:
                        floor = best - tie_tol * (1.0 + abs(best))
                        bits[i, k, m, j] = ((ABSORB_BIT if a >= floor else 0) | (RETALIATE_BIT if ret >= floor else 0)
                                            | (ESCALATE_BIT if esc >= floor else 0))
                    out[i, k, m, j] = best - cost[i, k, m, j] if hit[j] else other[i, k, m, j]
    return out, bits


@numba.njit(**JIT)
def add_scaled(total, weight, values):  # pragma: no cover - compiled
    """total += weight * values in place, for total and values (n, K, M, R) and weight (R,) (a number per state
    of the last axis; a scalar weight comes as a constant row): one pass, no temporary."""
    n, K, M, R = total.shape
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(R):
                    total[i, k, m, j] = total[i, k, m, j] + weight[j] * values[i, k, m, j]
