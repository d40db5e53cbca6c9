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
ABSORB, RETALIATE, ESCALATE = (int(r) for r in Response)  # a response's row in the response probabilities


@numba.njit(**JIT)
def take_last(values, idx):  # pragma: no cover - compiled
    """gathers.take_last: values (n, K, M, R) of any strides read at idx (J,) along the last axis, row by row
    (2.4x NumPy's take along the last axis, which copies element by element)."""
    n, K, M = values.shape[:3]
    J = idx.shape[0]
    out = np.empty((n, K, M, J))
    for i in range(n):
        for k in range(K):
            for m in range(M):
                v, o = values[i, k, m], out[i, k, m]
                for j in range(J):
                    o[j] = v[idx[j]]
    return out


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
def push_pair(mass, first, w_first, second, w_second):  # pragma: no cover - compiled
    """Grid.push's scatter of mass (n, K, M, R): out[..., first[j]] += w_first[j] mass[..., j], then out[...,
    second[j]] += w_second[j] mass[..., j], for j in order (the order of the sparse product's sums)."""
    n, K, M, R = mass.shape
    out = np.empty((n, K, M, R))  # each row zeroed just before its sums (memory touched once)
    for i in range(n):
        for k in range(K):
            for m in range(M):
                out[i, k, m, :] = 0.0
                for j in range(R):
                    x = mass[i, k, m, j]
                    out[i, k, m, first[j]] += w_first[j] * x
                    out[i, k, m, second[j]] += w_second[j] * x
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
    """total += weight * values in place, for total and values (n, K, M, R) and weight broadcast to them (a
    view with zero strides: a number per sample, per state of the last axis, or per grid state): one pass, no
    temporary."""
    n, K, M, R = total.shape
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(R):
                    total[i, k, m, j] = total[i, k, m, j] + weight[i, k, m, j] * values[i, k, m, j]


@numba.njit(**JIT)
def scaled(start, weight, values):  # pragma: no cover - compiled
    """start + weight * values as a new array (n, K, M, R), weight broadcast as in `add_scaled`: the first term of
    a weighted sum written once (not an array of `start` written, then read and written again)."""
    n, K, M, R = values.shape
    out = np.empty((n, K, M, R))
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(R):
                    out[i, k, m, j] = start + weight[i, k, m, j] * values[i, k, m, j]
    return out


@numba.njit(inline="always", **JIT)
def _response_shares(kept, bits, shares, sigma, i, k, m, j):  # pragma: no cover - compiled
    """The target's shares of absorbing, retaliating and escalating at one state: read from the kept bits as
    `shares[r, bits]` where `kept`, else from the probabilities `sigma` (3, n, K, M, R)."""
    if kept:
        p = bits[i, k, m, j]
        return shares[ABSORB, p], shares[RETALIATE, p], shares[ESCALATE, p]
    return sigma[ABSORB, i, k, m, j], sigma[RETALIATE, i, k, m, j], sigma[ESCALATE, i, k, m, j]


@numba.njit(**JIT)
def strike_split(mass, hit, sigma, bits, shares, counter):  # pragma: no cover - compiled
    """gathers.strike_split in one pass: the open, absorbed, limited-conflict and war parts of a strike branch's
    mass (n, K, M, R), the responses read from `sigma` (3, n, K, M, R) or, where `bits` is not empty, as
    `shares[r, bits]`; `sigma` and `counter` (n, K, M, R) may be broadcast views."""
    n, K, M, R = mass.shape
    kept = bits.size > 0
    stay, absorbed = np.empty((n, K, M, R)), np.empty((n, K, M, R))
    limited, war = np.empty((n, K, M, R)), np.empty((n, K, M, R))
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(R):
                    x = mass[i, k, m, j]
                    s_abs, s_ret, s_esc = _response_shares(kept, bits, shares, sigma, i, k, m, j)
                    struck = x if hit[j] else 0.0
                    stay[i, k, m, j] = 0.0 if hit[j] else x
                    retaliated = struck * s_ret
                    c = counter[i, k, m, j]
                    absorbed[i, k, m, j] = struck * s_abs
                    limited[i, k, m, j] = retaliated * (1 - c)
                    war[i, k, m, j] = retaliated * c + struck * s_esc
    return stay, absorbed, limited, war


@numba.njit(**JIT)
def evidence_pull(G, base, block, weights, active):  # pragma: no cover - compiled
    """gathers.evidence_pull in one pass: for each state the weighted values of its evidence levels, the first
    level's term and then each active level's added in order (the same operations as the NumPy sum). Row by row
    of the last axis, a level at a time (the loop over a row vectorises; 2x a loop over the levels of one state)."""
    n, K, M = G.shape[:3]
    B, R = weights.shape[1], base.shape[0]
    out = np.empty((n, K, M, R))
    for i in range(n):
        for k in range(K):
            for m in range(M):
                g, o, w0 = G[i, k, m], out[i, k, m], weights[i, 0]
                for j in range(R):
                    o[j] = w0[j] * g[base[j]]
                for level in range(1, B):
                    if active[level]:
                        w, off = weights[i, level], level * block
                        for j in range(R):
                            o[j] = o[j] + w[j] * g[base[j] + off]
    return out


@numba.njit(**JIT)
def strike_value(G, dest, sigma, bits, shares, retaliate, escalate, cost, other, hit):  # pragma: no cover
    """gathers.strike_value in one pass; `sigma`, `retaliate`, `escalate`, `cost` and `other` may be broadcast
    views (zero strides)."""
    n, K, M = G.shape[:3]
    R = dest.shape[0]
    kept = bits.size > 0
    out = np.empty((n, K, M, R))
    for i in range(n):
        for k in range(K):
            for m in range(M):
                for j in range(R):
                    if not hit[j]:
                        out[i, k, m, j] = other[i, k, m, j]
                        continue
                    s_abs, s_ret, s_esc = _response_shares(kept, bits, shares, sigma, i, k, m, j)
                    out[i, k, m, j] = (s_abs * G[i, k, m, dest[j]] + s_ret * retaliate[i, k, m, j]
                                       + s_esc * escalate[i, k, m, j] - cost[i, k, m, j])
    return out


@numba.njit(**JIT)
def talks_push(flat, lo, hi, w_lo, w_hi):  # pragma: no cover - compiled
    """kernel.talks_push's scatter along the talks axis of flat (n, K, X): out[i, lo[i, k]] += w_lo[i, k]
    flat[i, k], then out[i, hi[i, k]] += w_hi[i, k] flat[i, k], for k in order; lo, hi (n or 1, K)."""
    n, K, X = flat.shape
    shared = lo.shape[0] == 1
    out = np.empty((n, K, X))  # each sample's block zeroed just before its sums (memory touched once)
    for i in range(n):
        li = 0 if shared else i
        out[i] = 0.0
        for k in range(K):
            a, b = w_lo[i, k], w_hi[i, k]
            dst_lo, dst_hi = lo[li, k], hi[li, k]
            for x in range(X):
                out[i, dst_lo, x] += a * flat[i, k, x]
            for x in range(X):
                out[i, dst_hi, x] += b * flat[i, k, x]
    return out


@numba.njit(**JIT)
def month_choice(Q, spent, h_act, h_spent, avail, floor, commit, tie_tol, pack):  # pragma: no cover - compiled
    """`gathers.month_choice` in one pass over the grid: Q (A, n, K, M, R) mixed with the spent deadline's values
    and closed actions set to -inf in place, the best value and (with `pack`) the best actions as bits.
    `h_act`, `h_spent` (n, K, M, R) and `avail` (A, n, K, M, R) may be broadcast views (zero strides).

    Row by row of the last axis, each action's row in turn: the inner loops run over contiguous memory, so they
    compile to vector instructions (3x faster than a loop over the actions of one state, which gathers across
    the action axis); each state's operations are the same, in the same order."""
    A, n, K, M, R = Q.shape
    mix = spent.size > 0
    best = np.empty((n, K, M, R))
    bits = np.zeros((n, K, M, R) if pack else (0, 0, 0, 0), dtype=np.uint16)
    lowest = np.empty(R)
    free = np.empty(R, dtype=np.bool_)
    for i in range(n):
        for k in range(K):
            for m in range(M):
                b = best[i, k, m]
                if mix:
                    ha, hs = h_act[i, k, m], h_spent[i, k, m]
                    for a in range(A):
                        q, s = Q[a, i, k, m], spent[a, i, k, m]
                        for j in range(R):
                            q[j] = (((1 - ha[j]) - hs[j]) * q[j] + hs[j] * s[j]) / max(1 - ha[j], floor)
                for a in range(A):
                    q, av = Q[a, i, k, m], avail[a, i, k, m]
                    for j in range(R):
                        if not av[j]:
                            q[j] = -np.inf
                    if a == 0:
                        for j in range(R):
                            b[j] = q[j]
                    else:  # np.maximum: the first of equals; NaN spreads
                        for j in range(R):
                            x = b[j]
                            b[j] = x if (x >= q[j] or x != x) else q[j]
                if pack:
                    _pack_row(Q, b, i, k, m, commit, tie_tol, lowest, free, bits[i, k, m])
    return best, bits


@numba.njit(inline="always", **JIT)
def _pack_row(Q, b, i, k, m, commit, tie_tol, lowest, free, word):  # pragma: no cover - compiled
    """One row's best actions as bits (`month_choice`): those within `tie_tol` of the best, an action in
    `commit` only where no other is."""
    R = b.shape[0]
    for j in range(R):
        lowest[j] = b[j] - tie_tol * (1.0 + abs(b[j]))
        free[j] = False
    for a in range(Q.shape[0]):
        if not commit[a]:
            q = Q[a, i, k, m]
            for j in range(R):
                free[j] = free[j] | (q[j] >= lowest[j])
    for a in range(Q.shape[0]):
        q = Q[a, i, k, m]
        bit = np.uint16(1 << a)
        if commit[a]:
            for j in range(R):
                if q[j] >= lowest[j] and not free[j]:
                    word[j] |= bit
        else:
            for j in range(R):
                if q[j] >= lowest[j]:
                    word[j] |= bit
