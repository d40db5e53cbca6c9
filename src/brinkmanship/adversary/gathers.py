"""The gathers of the planner's backward pass: next month's values read where each state goes.

The planner's time goes into gathers over the grid's last axis and its talks axis, each followed by a weighted
sum (`Grid.pull`, `kernel.talks_pull`; the forward propagation's scatter `Grid.push` is their adjoint), into the response after a strike (`Evaluator.branch_value`) and into
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
from scipy import sparse

from brinkmanship.engine.constants import Response

COMPILED = "brinkmanship.adversary.gathers_kernel"


def backend() -> ModuleType:
    """The compiled gathers (imported with Numba on first use), or this module where Numba is missing."""
    if COMPILED not in sys.modules and importlib.util.find_spec("numba") is None:
        return sys.modules[__name__]
    from brinkmanship.engine.fused import compiled

    return compiled(COMPILED)


def take_last(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """values (n, K, M, R) read at idx (J,) along the last axis: out[..., j] = values[..., idx[j]] (`Grid.pull`
    without an evidence split, the coercer's open branches)."""
    return np.take(values, idx, axis=-1)


def pull_pair(values: np.ndarray, first: np.ndarray, w_first: np.ndarray, second: np.ndarray,
              w_second: np.ndarray) -> np.ndarray:
    """out[..., j] = values[..., first[j]] w_first[j] + w_second[j] values[..., second[j]] (`Grid.pull`)."""
    out = np.take(values, first, axis=-1)
    out *= w_first
    out += w_second * np.take(values, second, axis=-1)
    return out


def pair_operator(first: np.ndarray, w_first: np.ndarray, second: np.ndarray, w_second: np.ndarray
                  ) -> sparse.csr_array:
    """(R, R) sparse weights from each state j (row) to first[j] and second[j] (columns): the matrix that
    `pull_pair` multiplies by and `push_pair` by the transpose of."""
    R = first.shape[0]
    src = np.arange(R)
    return sparse.csr_array((np.concatenate([w_first, w_second]), (np.concatenate([src, src]),
                            np.concatenate([first, second]))), shape=(R, R))


def push_pair(mass: np.ndarray, first: np.ndarray, w_first: np.ndarray, second: np.ndarray,
              w_second: np.ndarray) -> np.ndarray:
    """Mass (n, K, M, R) moved where each state goes, the adjoint of `pull_pair`: out[..., k] = sum over j of
    w_first[j] mass[..., j] where first[j] = k, plus w_second[j] mass[..., j] where second[j] = k, added in
    the order of j (`Grid.push`): one sparse product with two entries a row."""
    R = mass.shape[-1]
    op = pair_operator(first, w_first, second, w_second)
    flat = mass.reshape(-1, R)
    return np.ascontiguousarray((op.T @ flat.T).T).reshape(mass.shape)


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
    """total += weight * values in place (total, values (n, K, M, R); weight broadcast to them: a number per
    sample, per state of the last axis, or per grid state)."""
    total += weight * values


def scaled(start: float, weight: np.ndarray, values: np.ndarray) -> np.ndarray:
    """start + weight * values as a new array (the first term of `add_scaled`'s sums: no array of `start` written
    first and read again)."""
    return start + weight * values


def strike_split(mass: np.ndarray, hit: np.ndarray, sigma: np.ndarray, bits: np.ndarray, shares: np.ndarray,
                 counter: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A strike branch's mass (n, K, M, R) divided as the forward propagation moves it (`exact.advance`): where
    the strike misses (`hit` (R,) False) the crisis stays open; where it hits, the target absorbs, retaliates
    or escalates (`sigma` (3, n, K, M, R), or where `bits` (n, K, M, R) is not empty, the shares
    `shares[r, bits]` of kept choices), and a retaliation is countered (`counter`, broadcast to the grid) into
    war. Returns the open mass, the absorbed, the limited conflict and the war."""
    if bits.size:
        sigma = shares[:, bits]
    h = hit[None, None, None, :]
    struck = np.where(h, mass, 0.0)
    retaliated = struck * sigma[Response.RETALIATE]
    return (np.where(h, 0.0, mass), struck * sigma[Response.ABSORB], retaliated * (1 - counter),
            retaliated * counter + struck * sigma[Response.ESCALATE])


def evidence_pull(G: np.ndarray, base: np.ndarray, block: int, weights: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Next-month values G (n, K, M, R) read for each state j at base[j] + level x `block` on every evidence
    level, weighted per sample and state (`weights` (n, B, R)) and summed level by level: the first level,
    then each level in `active` (B,) (`Evaluator.at` where the evidence split differs per sample)."""
    out = weights[:, None, None, 0, :] * np.take(G, base, axis=3)
    for level in range(1, weights.shape[1]):
        if active[level]:
            out += weights[:, None, None, level, :] * np.take(G, base + level * block, axis=3)
    return out


def strike_value(G: np.ndarray, dest: np.ndarray, sigma: np.ndarray, bits: np.ndarray, shares: np.ndarray,
                 retaliate: np.ndarray, escalate: np.ndarray, cost: np.ndarray, other: np.ndarray,
                 hit: np.ndarray) -> np.ndarray:
    """The coercer's value of a strike branch (n, K, M, R): where the strike hits (`hit` (R,)), absorbing (`G` read
    at `dest` (R,)), retaliating and escalating at the target's response shares (`sigma` (3, n, K, M, R), or where
    `bits` is not empty `shares[r, bits]`), less the cost; elsewhere `other` (`CoercerMonth._strike`)."""
    if bits.size:
        sigma = shares[:, bits]
    responded = sigma[0] * np.take(G, dest, axis=3) + sigma[1] * retaliate + sigma[2] * escalate - cost
    return np.where(hit[None, None, None, :], responded, other)


def talks_push(flat: np.ndarray, lo: np.ndarray, hi: np.ndarray, w_lo: np.ndarray, w_hi: np.ndarray) -> np.ndarray:
    """The adjoint of `talks_pull`: mass flat (n, K, X) moved from each talks level k to lo[i, k] (share
    w_lo[i, k]) and hi[i, k] (w_hi), added level by level in the order of k (`kernel.talks_push`)."""
    n, K = flat.shape[:2]
    out = np.zeros_like(flat)
    rows = np.arange(n)
    for k in range(K):
        if lo.shape[0] == 1:
            out[:, lo[0, k]] += w_lo[:, k, None] * flat[:, k]
            out[:, hi[0, k]] += w_hi[:, k, None] * flat[:, k]
        else:
            out[rows, lo[:, k]] += w_lo[:, k, None] * flat[:, k]
            out[rows, hi[:, k]] += w_hi[:, k, None] * flat[:, k]
    return out


def month_choice(Q: np.ndarray, spent: np.ndarray, h_act: np.ndarray, h_spent: np.ndarray, avail: np.ndarray,
                 floor: float, commit: np.ndarray, tie_tol: float, pack: bool) -> tuple[np.ndarray, np.ndarray]:
    """A rational month's choice from its action values Q (A, n, K, M, R), changed in place: with `spent` (the
    values where the deadline falls due and is spent; size 0: none), Q mixes them in with the deadline's
    chances `h_act`, `h_spent` (broadcast to (n, K, M, R)); closed actions (`avail` False) take -inf. Returns
    the best value (n, K, M, R) and, with `pack`, the best actions as bits (`planner.best_options` as bits: ties within
    `tie_tol`; an action in `commit` (A,) only where no other is best)."""
    if spent.size:
        Q[...] = ((1 - h_act - h_spent) * Q + h_spent * spent) / np.maximum(1 - h_act, floor)
    for a in range(Q.shape[0]):
        if not np.all(avail[a]):
            Q[a] = np.where(avail[a], Q[a], -np.inf)
    best = Q.max(axis=0)
    bits = np.zeros((0, 0, 0, 0), dtype=np.uint16)
    if pack:
        top = Q >= best - tie_tol * (1.0 + np.abs(best))
        free = top[~commit].any(axis=0)
        top[commit] &= ~free
        bits = np.zeros(best.shape, dtype=np.uint16)
        for a in range(Q.shape[0]):
            bits |= top[a].astype(np.uint16) << np.uint16(a)
    return best, bits
