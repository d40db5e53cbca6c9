"""All Nash equilibria of a two-player game by enumerating supports as vertices of the best-response polytopes.

Each vertex of P = {x >= 0, B'x <= 1} and Q = {y >= 0, A'y <= 1} is the solution of one square system:
a set of tight payoff rows (the opponent's best responses) and the same number of free coordinates (the
support). All such systems of one size are solved in one batched `numpy.linalg.solve`. A pair of vertices
is an equilibrium when together they carry every label (Shapley's labelling). Unlike plain support
enumeration this is exact for degenerate games: it returns every extreme equilibrium, the same set as
Gambit's `enummixed`, and never drops one because a support pair is not square.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import DEFAULT_TOL, SolveResult, verify_strategic

MAX_SYSTEMS = 20_000_000


def _combos(n: int, k: int) -> np.ndarray:
    """All k-subsets of range(n) as an int array (rows in lexicographic order)."""
    if k == 0:
        return np.zeros((1, 0), dtype=np.int64)
    return np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(-1, k)


def _vertices_float(M: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero vertices of {z >= 0, M z <= 1} (M > 0, shape r x d).

    Returns (points (v, d), coordinate-zero labels (v, d) bool, tight-row labels (v, r) bool)."""
    r, d = M.shape
    pts = []
    for s in range(1, min(r, d) + 1):
        rows = _combos(r, s)
        cols = _combos(d, s)
        # chunk over row subsets to bound memory
        chunk = max(1, 400_000 // max(1, len(cols) * s * s))
        for c0 in range(0, len(rows), chunk):
            R = rows[c0 : c0 + chunk]
            sub = M[R[:, None, :, None], cols[None, :, None, :]]  # (nR, nF, s, s)
            sub = sub.reshape(-1, s, s)
            try:  # fast path: no exactly singular system in the chunk
                sol = np.linalg.solve(sub, np.ones((len(sub), s, 1)))[:, :, 0]
                ok = np.all(np.isfinite(sol), axis=1)
                sol = sol[ok]
            except np.linalg.LinAlgError:  # degenerate game: drop singular systems first
                norms = np.prod(np.linalg.norm(sub, axis=2), axis=1)
                ok = np.abs(np.linalg.det(sub)) > 1e-11 * norms
                if not np.any(ok):
                    continue
                sol = np.linalg.solve(sub[ok], np.ones((int(ok.sum()), s, 1)))[:, :, 0]
            feas = np.all(sol >= -tol, axis=1)
            if not np.any(feas):
                continue
            idx = np.flatnonzero(ok)[feas]
            fcols = cols[idx % len(cols)]
            z = np.zeros((len(idx), d))
            np.put_along_axis(z, fcols, np.maximum(sol[feas], 0.0), axis=1)
            pts.append(z)
    if not pts:
        return np.zeros((0, d)), np.zeros((0, d), bool), np.zeros((0, r), bool)
    z = np.concatenate(pts)
    slack = 1.0 - z @ M.T
    keep = np.all(slack >= -tol, axis=1)
    z = z[keep]
    key = np.round(z, 9)
    _, first = np.unique(key, axis=0, return_index=True)
    z = z[np.sort(first)]
    slack = 1.0 - z @ M.T
    return z, z <= tol, np.abs(slack) <= tol


def _solve_exact(M: list[list[Fraction]]) -> list[Fraction] | None:
    """Solve M z = 1 exactly by Gaussian elimination; None if singular."""
    n = len(M)
    a = [[*row[:], Fraction(1)] for row in M]
    for c in range(n):
        piv = next((i for i in range(c, n) if a[i][c] != 0), None)
        if piv is None:
            return None
        a[c], a[piv] = a[piv], a[c]
        inv = 1 / a[c][c]
        a[c] = [v * inv for v in a[c]]
        for i in range(n):
            if i != c and a[i][c] != 0:
                f = a[i][c]
                a[i] = [vi - f * vc for vi, vc in zip(a[i], a[c], strict=True)]
    return [a[i][n] for i in range(n)]


def _vertices_exact(M: np.ndarray) -> list[tuple[tuple[Fraction, ...], frozenset[int], frozenset[int]]]:
    """Exact non-zero vertices of {z >= 0, M z <= 1} with their coordinate and row labels."""
    r, d = M.shape
    seen: dict[tuple[Fraction, ...], tuple[frozenset[int], frozenset[int]]] = {}
    for s in range(1, min(r, d) + 1):
        for R in itertools.combinations(range(r), s):
            for F in itertools.combinations(range(d), s):
                sol = _solve_exact([[M[i, j] for j in F] for i in R])
                if sol is None or any(v < 0 for v in sol):
                    continue
                z = [Fraction(0)] * d
                for j, v in zip(F, sol, strict=True):
                    z[j] = v
                tz = tuple(z)
                if tz in seen:
                    continue
                rows = [sum((M[i, j] * z[j] for j in range(d)), Fraction(0)) for i in range(r)]
                if any(v > 1 for v in rows):
                    continue
                seen[tz] = (
                    frozenset(j for j in range(d) if z[j] == 0),
                    frozenset(i for i in range(r) if rows[i] == 1),
                )
    return [(z, a, b) for z, (a, b) in seen.items()]


def support_enumeration(game: NormalFormGame, *, tol: float = DEFAULT_TOL, exact: bool = False) -> SolveResult:
    """Every extreme Nash equilibrium of a two-player game (the set Gambit's `enummixed` returns)."""
    if game.n_players != 2:
        raise ValueError("support enumeration needs a two-player game")
    m, n = game.shape
    if math.comb(m + n, min(m, n)) > MAX_SYSTEMS:
        raise ValueError(
            f"a {m}x{n} game has {math.comb(m + n, min(m, n)):,} candidate supports (limit {MAX_SYSTEMS:,}); "
            "use lemke-howson or, for a tree, the sequence method"
        )
    settings = {"tol": tol, "exact": exact, "algorithm": "vertex enumeration of best-response polytopes"}
    if exact:
        pay = game.exact_payoffs()
        A = pay[0] - min(pay[0].ravel()) + 1
        B = pay[1] - min(pay[1].ravel()) + 1
        VP = _vertices_exact(B.T)  # x in R^m: coordinate labels 0..m-1, row labels m+j
        VQ = _vertices_exact(A)  # y in R^n: row labels i, coordinate labels m+j
        eqs = []
        for x, xz, xr in VP:
            lx = set(xz) | {m + j for j in xr}
            for y, yz, yr in VQ:
                ly = set(yr) | {m + j for j in yz}
                if len(lx | ly) == m + n:
                    sx, sy = sum(x), sum(y)
                    eqs.append(verify_strategic(game, [[v / sx for v in x], [v / sy for v in y]], tol))
        return SolveResult(game.title, "support", "strategic", settings, _sorted(eqs))
    A = game.payoffs[0]
    B = game.payoffs[1]
    scale = max(1.0, float(max(np.ptp(A), np.ptp(B))))
    A = (A - A.min()) / scale + 1.0
    B = (B - B.min()) / scale + 1.0
    vtol = 1e-9
    xp, xzero, xrow = _vertices_float(B.T, vtol)
    pairs = _partners(A, xp, xzero, xrow, vtol)
    eqs = []
    for x, y in pairs:
        x = x / x.sum()
        y = y / y.sum()
        x[x < 1e-12] = 0.0
        y[y < 1e-12] = 0.0
        eqs.append(verify_strategic(game, [x / x.sum(), y / y.sum()], tol))
    return SolveResult(game.title, "support", "strategic", settings, _sorted(_dedupe(eqs)))


def _partners(
    A: np.ndarray, xp: np.ndarray, xzero: np.ndarray, xrow: np.ndarray, vtol: float
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Q-vertices completing each P-vertex's labels.

    For a vertex x the partner must make rows supp(x) of A y tight and vanish off the columns tight in
    B'x. When that system is square and regular (always, in a nondegenerate game) it has one solution,
    found in one batched solve; otherwise Q's vertices are enumerated once and matched by labels."""
    _m, n = A.shape
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    supp = ~xzero
    ssize = supp.sum(axis=1)
    tsize = xrow.sum(axis=1)
    square = ssize == tsize
    fallback = ~square
    for s in np.unique(ssize[square]):
        idx = np.flatnonzero(square & (ssize == s))
        R = np.argsort(~supp[idx], axis=1, kind="stable")[:, :s]
        C = np.argsort(~xrow[idx], axis=1, kind="stable")[:, :s]
        sub = A[R[:, :, None], C[:, None, :]]
        det = np.linalg.det(sub)
        ok = np.abs(det) > 1e-11 * np.prod(np.linalg.norm(sub, axis=2), axis=1)
        fallback[idx[~ok]] = True
        if not np.any(ok):
            continue
        sol = np.linalg.solve(sub[ok], np.ones((int(ok.sum()), s, 1)))[:, :, 0]
        y = np.zeros((int(ok.sum()), n))
        np.put_along_axis(y, C[ok], sol, axis=1)
        good = np.all(y >= -vtol, axis=1) & np.all(y @ A.T <= 1 + vtol, axis=1)
        for a, yy in zip(idx[ok][good], y[good], strict=True):
            pairs.append((xp[a], np.maximum(yy, 0.0)))
    if np.any(fallback):
        yq, yzero, yrow = _vertices_float(A, vtol)
        LP = np.concatenate([xzero[fallback], xrow[fallback]], axis=1)
        LQ = np.concatenate([yrow, yzero], axis=1)
        missing = (~LP).astype(np.int64) @ (~LQ).astype(np.int64).T
        fx = np.flatnonzero(fallback)
        for a, b in np.argwhere(missing == 0):
            pairs.append((xp[fx[a]], yq[b]))
    return pairs


def _dedupe(eqs: list) -> list:
    out: list = []
    for e in eqs:
        v = np.concatenate([np.asarray(s, float) for s in e.strategies])
        if all(np.max(np.abs(v - np.concatenate([np.asarray(s, float) for s in f.strategies]))) > 1e-7 for f in out):
            out.append(e)
    return out


def _sorted(eqs: list) -> list:
    """Deterministic order: by the profile's probability vector, lexicographically descending."""
    return sorted(eqs, key=lambda e: [-float(v) for s in e.strategies for v in s])
