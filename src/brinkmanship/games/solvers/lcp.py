"""Lemke's algorithm for the linear complementarity problem w = q + M z >= 0, z >= 0, w.z = 0.

Lexicographic ratio tests (over the initial basis' columns) make the path unique in degenerate problems;
float or exact (Fraction) arithmetic.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np


class RayTerminationError(RuntimeError):
    """Lemke's path ended on a ray: no solution was found from this covering vector."""


def lemke(
    M: np.ndarray,
    q: np.ndarray,
    d: np.ndarray | None = None,
    *,
    exact: bool = False,
    max_pivots: int = 200_000,
    perturb: float = 1e-7,
    refresh: int = 25,
) -> tuple[np.ndarray, int]:
    """Solve the LCP (M, q) with covering vector d (default all ones); returns (z, pivots)."""
    n = len(q)
    if exact:
        one, zero = Fraction(1), Fraction(0)
        T = np.full((n, 2 * n + 2), zero, dtype=object)
        for i in range(n):
            T[i, i] = one
        T[:, n : 2 * n] = -M
        T[:, 2 * n] = -(d if d is not None else np.array([one] * n, dtype=object))
        T[:, -1] = q
    else:
        T = np.zeros((n, 2 * n + 2))
        T[:, :n] = np.eye(n)
        T[:, n : 2 * n] = -np.asarray(M, dtype=float)
        T[:, 2 * n] = -(np.asarray(d, dtype=float) if d is not None else np.ones(n))
        # a tiny generic perturbation of q makes every float basis nondegenerate; the final basis is
        # then re-evaluated with the true q (B^-1 q), which is the solution of the unperturbed LCP
        q_true = np.asarray(q, dtype=float)
        scale = max(1.0, float(np.abs(q_true).max()))
        T[:, -1] = q_true + perturb * scale * np.random.default_rng(12345).uniform(0.5, 1.0, n)
    basis = np.arange(n)  # variable ids: w_i = i, z_i = n + i, z0 = 2n
    T0 = None if exact else T.copy()
    if all(T[i, -1] >= 0 for i in range(n)):
        return (np.array([Fraction(0)] * n, dtype=object) if exact else np.zeros(n)), 0
    z0 = 2 * n
    # first pivot: z0 enters at the row with the most negative q / d (lexicographic ties)
    rows = list(range(n))
    r = _lexmin(T, rows, z0, n, exact, first=True)
    _pivot(T, r, z0)
    leaving = int(basis[r])
    basis[r] = z0
    seen: set[bytes] = set()
    for pivots in range(1, max_pivots):
        if not exact:  # rounding can break the lexicographic rule: detect a revisited basis at once
            key = np.sort(basis).tobytes()
            if key in seen:
                raise RuntimeError(f"cycling detected after {pivots} pivots")
            seen.add(key)
        entering = leaving + n if leaving < n else leaving - n
        col = T[:, entering]
        thr = 0 if exact else 1e-9 * max(1.0, float(np.max(np.abs(col))))
        cand = [i for i in range(n) if col[i] > thr]
        if not cand:
            raise RayTerminationError(f"ray termination after {pivots} pivots")
        r = _lexmin(T, cand, entering, n, exact)
        _pivot(T, r, entering)
        leaving = int(basis[r])
        basis[r] = entering
        if T0 is not None and pivots % refresh == 0:
            _refresh(T, T0, basis)
        if leaving == z0:
            z = np.array([Fraction(0)] * n, dtype=object) if exact else np.zeros(n)
            rhs = T[:, -1] if exact else T[:, :n] @ q_true
            for i, b in enumerate(basis):
                if n <= b < 2 * n:
                    z[b - n] = rhs[i]
            if not exact:
                if np.min(rhs, initial=0.0) < -1e-7:
                    raise RayTerminationError("the perturbed basis is infeasible for the true LCP")
                z = np.maximum(z, 0.0)
            return z, pivots
    raise RuntimeError("Lemke's algorithm exceeded the pivot limit")


def _refresh(T: np.ndarray, T0: np.ndarray, basis: np.ndarray) -> None:
    """Recompute the tableau from the original one and the basis (kills accumulated rounding), and
    make rounding-level right-hand sides exactly zero so that ties go to the lexicographic rule."""
    B = T0[:, basis]
    T[:, :] = np.linalg.solve(B, T0)
    rhs = T[:, -1]
    rhs[np.abs(rhs) < 1e-11] = 0.0


def _pivot(T: np.ndarray, r: int, c: int) -> None:
    T[r, :] = T[r, :] / T[r, c]
    f = T[:, c].copy()
    f[r] = 0
    if T.dtype == object:
        nz = np.flatnonzero(f != 0)
        if nz.size:
            T[nz, :] -= np.outer(f[nz], T[r, :])
        return
    T -= np.outer(f, T[r, :])


def _lexmin(T: np.ndarray, rows: list[int], col: int, n: int, exact: bool, first: bool = False) -> int:
    """Row minimising (rhs, B^-1 columns) / pivot entry lexicographically.

    For the first pivot the z0 column holds -d, so the entry is negated (most negative q_i / d_i)."""
    cand = list(rows)
    piv = [(-T[i, col] if first else T[i, col]) for i in cand]
    for j in [-1, *range(n)]:
        vals = [T[i, j] / p for i, p in zip(cand, piv, strict=True)]
        lo = min(vals)
        if exact:
            keep = [k for k, v in enumerate(vals) if v == lo]
        else:
            tol = 1e-10 * max(1.0, abs(float(lo)))
            keep = [k for k, v in enumerate(vals) if v - lo <= tol]
        cand = [cand[k] for k in keep]
        piv = [piv[k] for k in keep]
        if len(cand) == 1:
            break
    return cand[0]
