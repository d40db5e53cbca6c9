"""All Nash equilibria of a two-player game by enumerating supports as vertices of the best-response polytopes.

Each vertex of P = {x >= 0, B'x <= 1} and Q = {y >= 0, A'y <= 1} is the solution of one square system:
a set of tight payoff rows (the opponent's best responses) and the same number of free coordinates (the
support). A pair of vertices is an equilibrium when together they carry every label (Shapley's labelling).
Unlike plain support enumeration this is exact for degenerate games: it returns every extreme equilibrium,
the same set as Gambit's `enummixed`, and never drops one because a support pair is not square.

How the vertices are found, in both arithmetics:
- iterated strict dominance first removes strategies no equilibrium uses;
- a nondegenerate polytope (the generic case) is walked by pivoting: breadth-first over its vertex
  graph from the origin, one batched tableau computation per level, so the work grows with the number
  of vertices, not with the number of candidate supports. In rational arithmetic the tableaux are kept
  fraction-free (integers over a common determinant) and ratio ties are settled exactly;
- a degenerate polytope (a zero basic value or a ratio tie, typical of small integer payoffs) is
  enumerated instead: every square system (tight rows R, support F) that survives conditional
  dominance (a row beaten by another on every coordinate of F is never tight there) is solved in bounded
  batches. In rational arithmetic a floating-point filter (solution, residual and an error bound from
  the computed inverse) discards only systems that are certainly infeasible, and every other system is
  solved in integers by fraction-free (Bareiss-Montante) elimination, so the answer is exact.
Limits are memory (index tables, batches, vertex count) and work, not a fixed count of systems.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import DEFAULT_TOL, SolveResult, verify_strategic

MAX_SYSTEMS = 2_000_000_000  # candidate systems (work bound; a 16x16 game has 6e8 before pruning)
MAX_MEMORY = 2 * 1024**3  # bytes for the support index tables and one batch
MAX_VERTICES = 2_000_000  # vertices of one best-response polytope (memory)
BATCH = 1 << 20  # matrix entries per batched solve (8 MB of float64 per array)
_EPS = np.finfo(float).eps


def _combos(n: int, k: int) -> np.ndarray:
    """All k-subsets of range(n) as an int array (rows in lexicographic order)."""
    if k == 0:
        return np.zeros((1, 0), dtype=np.int64)
    return np.array(list(itertools.combinations(range(n), k)), dtype=np.int64).reshape(-1, k)


def _masks(idx: np.ndarray) -> np.ndarray:
    """Bit masks of index rows (one int64 per row)."""
    if not idx.shape[1]:
        return np.zeros(len(idx), np.int64)
    return np.bitwise_or.reduce(np.left_shift(np.int64(1), idx), axis=1)


def memory_estimate(m: int, n: int) -> int:
    """Peak bytes of the enumeration of an m x n game: the largest support index tables and one batch."""
    s = min(m, n) // 2 + 1
    tables = 8 * s * (math.comb(m, s) + math.comb(n, s)) * 2
    return tables + 12 * 8 * BATCH


def _systems(M: np.ndarray, greater: np.ndarray | None):
    """Yield (rows R, coordinates F) index batches of square systems M[R, F] worth solving.

    `greater[a, b]` is the bit mask of coordinates where row a beats row b: row b is dominated given a
    support F when some row beats it on all of F, and then it is never tight at a point supported in F."""
    r, d = M.shape
    for s in range(1, min(r, d) + 1):
        rows = _combos(r, s)
        cols = _combos(d, s)
        rmask = _masks(rows) if greater is not None else None
        step = max(1, BATCH // max(1, len(rows) * s * s))
        for c0 in range(0, len(cols), step):
            if greater is None:  # too many strategies for bit masks: no conditional pruning
                fi, ri = np.divmod(np.arange(len(cols[c0 : c0 + step]) * len(rows)), len(rows))
            else:
                f = _masks(cols[c0 : c0 + step])
                dom = np.any((greater[None, :, :] & f[:, None, None]) == f[:, None, None], axis=1)  # (nF, r)
                dmask = _masks_of(dom)
                fi, ri = np.nonzero((rmask[None, :] & dmask[:, None]) == 0)
            for p0 in range(0, len(fi), max(1, BATCH // (s * s))):
                sl = slice(p0, p0 + max(1, BATCH // (s * s)))
                yield rows[ri[sl]], cols[c0 + fi[sl]]


def _masks_of(flags: np.ndarray) -> np.ndarray:
    """Bit masks of boolean flags along the last axis."""
    return np.bitwise_or.reduce(np.where(flags, np.left_shift(np.int64(1), np.arange(flags.shape[-1])), 0), axis=-1)


def _greater(M: np.ndarray) -> np.ndarray | None:
    """Bit mask over coordinates where row a is strictly larger than row b (exact for object arrays);
    None when there are too many rows or coordinates for 63-bit masks."""
    if max(M.shape) > 62:
        return None
    return _masks_of(np.asarray(M[:, None, :] > M[None, :, :], dtype=bool))  # (a, b)


def _solve_batch(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve sub z = 1 for a batch; returns (solutions of the regular systems, their indices)."""
    s = sub.shape[1]
    try:  # fast path: no exactly singular system in the batch
        sol = np.linalg.solve(sub, np.ones((len(sub), s, 1)))[:, :, 0]
        ok = np.all(np.isfinite(sol), axis=1)
        return sol[ok], np.flatnonzero(ok)
    except np.linalg.LinAlgError:  # degenerate game: drop singular systems first
        norms = np.prod(np.linalg.norm(sub, axis=2), axis=1)
        ok = np.abs(np.linalg.det(sub)) > 1e-11 * norms
        idx = np.flatnonzero(ok)
        if not len(idx):
            return np.zeros((0, s)), idx
        return np.linalg.solve(sub[ok], np.ones((len(idx), s, 1)))[:, :, 0], idx


def _vertices_float(M: np.ndarray, tol: float, max_systems: int = MAX_SYSTEMS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-zero vertices of {z >= 0, M z <= 1} (M > 0, shape r x d).

    Returns (points (v, d), coordinate-zero labels (v, d) bool, tight-row labels (v, r) bool).
    Walks the vertex graph by pivoting when the polytope is nondegenerate; otherwise enumerates."""
    z = _vertices_pivot(M, tol)
    if z is None:
        _check_size(*M.shape, max_systems)
        z = _vertices_enumerated(M, tol)
    slack = 1.0 - z @ M.T
    return z, z <= tol, np.abs(slack) <= tol


def _vertices_pivot(M: np.ndarray, tol: float) -> np.ndarray | None:
    """Every non-zero vertex of {z >= 0, M z <= 1} by breadth-first search over the vertex graph.

    Each level of the search is one batch: the tableaux of all frontier bases from one batched solve,
    the ratio tests of every entering variable at once, and new bases found by set difference of bit
    masks. Returns None (the caller enumerates instead) when a basic value is zero or a ratio test ties,
    i.e. the polytope is degenerate; in a nondegenerate polytope each vertex has one basis and every
    edge is one pivot, so the search reaches every vertex of the connected graph."""
    r, d = M.shape
    nv = r + d
    if nv > 62:
        return None
    full = np.hstack([M, np.eye(r)])  # variables z_0..z_{d-1}, then slacks
    bits = np.left_shift(np.int64(1), np.arange(nv))
    frontier = np.arange(d, nv)[None, :]  # the origin: every slack basic
    seen = _masks(frontier)
    pts = []
    step = max(1, BATCH // (r * nv))
    while len(frontier):
        children = []
        for f0 in range(0, len(frontier), step):
            basis = frontier[f0 : f0 + step]
            Bm = np.transpose(full[:, basis], (1, 0, 2))  # (F, r, r): columns of the basic variables
            try:
                T = np.linalg.solve(Bm, np.broadcast_to(np.hstack([full, np.ones((r, 1))]), (len(basis), r, nv + 1)))
            except np.linalg.LinAlgError:
                return None
            rhs = T[:, :, -1]
            if not np.all(np.isfinite(T)) or np.any(rhs <= tol):
                return None
            z = np.zeros((len(basis), nv))
            np.put_along_axis(z, basis, rhs, axis=1)
            pts.append(z[:, :d])
            col = T[:, :, :nv]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(col > tol, rhs[:, :, None] / col, np.inf)  # (F, r, nv)
            isbasic = np.zeros((len(basis), nv), dtype=bool)
            np.put_along_axis(isbasic, basis, True, axis=1)
            two = np.partition(ratio, 1, axis=1)[:, :2, :] if r > 1 else np.concatenate([ratio, ratio + np.inf], 1)
            enter = ~isbasic
            if np.any(~np.isfinite(two[:, 0, :])[enter]):
                return None  # an unbounded edge: numerical trouble
            if np.any((two[:, 1, :] - two[:, 0, :] <= 1e-9 * np.maximum(1.0, two[:, 0, :]))[enter]):
                return None  # a tie: degenerate neighbour
            leave = np.argmin(ratio, axis=1)  # (F, nv): row of the leaving variable
            fi, e = np.nonzero(enter)
            out = basis[fi, leave[fi, e]]
            children.append(_masks(basis)[fi] - bits[out] + bits[e])
        new = np.setdiff1d(np.concatenate(children), seen)
        seen = np.union1d(seen, new)
        _check_vertices(len(seen))
        frontier = np.flatnonzero((new[:, None] & bits[None, :]) != 0).reshape(len(new), r) % nv
    z = np.concatenate(pts)
    return z[np.any(z > 0, axis=1)]


def _vertices_enumerated(M: np.ndarray, tol: float) -> np.ndarray:
    """Non-zero vertices of {z >= 0, M z <= 1} by solving every support system that survives pruning."""
    d = M.shape[1]
    pts = []
    greater = _greater(M)
    for R, F in _systems(M, greater):
        sol, idx = _solve_batch(M[R[:, :, None], F[:, None, :]])
        feas = np.all(sol >= -tol, axis=1)
        if not np.any(feas):
            continue
        z = np.zeros((int(feas.sum()), d))
        np.put_along_axis(z, F[idx[feas]], np.maximum(sol[feas], 0.0), axis=1)
        z = z[np.all(z @ M.T <= 1.0 + tol, axis=1)]
        if len(z):
            pts.append(z)
    if not pts:
        return np.zeros((0, d))
    z = np.concatenate(pts)
    _, first = np.unique(np.round(z, 9), axis=0, return_index=True)
    return z[np.sort(first)]


def _uncertain(M: np.ndarray, R: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Floating-point filter: indices of systems M[R, F] z = 1 that are NOT certainly infeasible.

    With X the computed inverse and rho = |I - X M|, the true solution lies within
    |X| (|residual| + rounding) / (1 - rho) of the computed one; a system is discarded only when a
    coordinate or a slack is negative by more than that bound (times a safety factor of 8)."""
    d = M.shape[1]
    s = R.shape[1]
    sub = M[R[:, :, None], F[:, None, :]]
    n = len(sub)
    keep = np.ones(n, dtype=bool)
    try:
        X = np.linalg.inv(sub)
    except np.linalg.LinAlgError:
        X = np.full_like(sub, np.nan)
        det = np.abs(np.linalg.det(sub))
        ok = det > 1e-13 * np.prod(np.abs(sub).sum(axis=2), axis=1)
        if np.any(ok):
            X[ok] = np.linalg.inv(sub[ok])
    z = X.sum(axis=2)
    rho = np.abs(np.eye(s) - X @ sub).sum(axis=2).max(axis=1)
    nX = np.abs(X).sum(axis=2).max(axis=1)
    nM = np.abs(sub).sum(axis=2).max(axis=1)
    zmax = np.abs(z).max(axis=1)
    res = np.abs(1.0 - (sub @ z[:, :, None])[:, :, 0]).max(axis=1)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        err = 8.0 * nX * (res + 4 * s * _EPS * nM * zmax) / (1.0 - rho)
        good = np.isfinite(err) & np.isfinite(zmax) & (rho < 0.5)
        keep[good & (z.min(axis=1) < -err)] = False
        zf = np.zeros((n, d))
        np.put_along_axis(zf, F, np.where(np.isfinite(z), z, 0.0), axis=1)
        slack = 1.0 - zf @ M.T
        bound = np.abs(M).sum(axis=1).max() * (err + 4 * d * _EPS * zmax) + 4 * d * _EPS * zmax
        keep[good & (slack.min(axis=1) < -bound)] = False
    return np.flatnonzero(keep)


def _bareiss(a: list[list[int]]) -> tuple[list[int], int] | None:
    """Solve a[:, :n] z = a[:, n] over the integers (Montante's fraction-free Gauss-Jordan elimination).

    Returns (det * z, det) with every division exact, or None when the matrix is singular."""
    n = len(a)
    prev = 1
    for k in range(n):
        if a[k][k] == 0:
            p = next((i for i in range(k + 1, n) if a[i][k] != 0), None)
            if p is None:
                return None
            a[k], a[p] = a[p], a[k]
        rowk = a[k]
        piv = rowk[k]
        for i in range(n):
            if i != k:
                ai = a[i]
                f = ai[k]
                a[i] = [(piv * v - f * w) // prev for v, w in zip(ai, rowk, strict=True)]
        prev = piv
    return [a[i][n] for i in range(n)], prev


def _vertices_exact(Mi: np.ndarray, max_systems: int = MAX_SYSTEMS) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray]:
    """Exact non-zero vertices of {z >= 0, M z <= 1} for a positive integer matrix (object array, r x d).

    Returns (vertices as integer tuples (numerators..., common denominator), zero labels (v, d),
    tight-row labels (v, r)). Pivots when the polytope is nondegenerate; otherwise enumerates."""
    found = _vertices_exact_pivot(Mi)
    if found is not None:
        return found
    _check_size(*Mi.shape, max_systems)
    return _vertices_exact_enumerated(Mi)


def _vertices_exact_pivot(Mi: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray] | None:
    """The breadth-first vertex search of `_vertices_pivot` in integer arithmetic.

    Each tableau is kept fraction-free (integer entries over a common positive determinant) and pivoted
    for a whole frontier at once on object arrays; ratio tests compare float images and settle near-ties
    exactly by cross-multiplication. Returns None on degeneracy (a zero basic value or an exact tie)."""
    r, d = Mi.shape
    nv = r + d
    if nv > 62:
        return None
    bits = np.left_shift(np.int64(1), np.arange(nv))
    T0 = np.empty((1, r, nv + 1), dtype=object)
    T0[0, :, :d] = Mi
    T0[0, :, d:nv] = np.eye(r, dtype=np.int64).astype(object)
    T0[0, :, nv] = 1
    basis = np.arange(d, nv)[None, :]
    T, D = T0, np.array([1], dtype=object)
    seen = _masks(basis)
    keys: list[tuple[int, ...]] = []
    zeros = [np.zeros((0, d), dtype=bool)]
    tights = [np.zeros((0, r), dtype=bool)]
    while len(basis):
        rhs = T[:, :, nv]
        if np.any(rhs == 0):
            return None
        isbasic = np.zeros((len(basis), nv + 1), dtype=bool)
        np.put_along_axis(isbasic, basis, True, axis=1)
        num = np.zeros((len(basis), nv + 1), dtype=object)
        np.put_along_axis(num, basis, rhs, axis=1)
        num[:, nv] = D
        num = num[:, np.r_[0:d, nv]]
        num //= np.gcd.reduce(num, axis=1)[:, None]
        nonzero = isbasic[:, :d].any(axis=1)
        keys.extend(map(tuple, num[nonzero].tolist()))
        zeros.append(~isbasic[nonzero, :d])
        tights.append(~isbasic[nonzero, d:nv])
        enter = ~isbasic[:, :nv]
        col = T[:, :, :nv].astype(float)
        rf = rhs.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(col > 0, rf[:, :, None] / col, np.inf)  # (F, r, nv)
        order = np.argsort(ratio, axis=1, kind="stable")
        first = np.take_along_axis(ratio, order[:, :1], axis=1)[:, 0]
        if np.any(~np.isfinite(first)[enter]):
            return None
        leave = order[:, 0, :]
        if r > 1:
            second = np.take_along_axis(ratio, order[:, 1:2], axis=1)[:, 0]
            close = enter & (second - first <= 1e-9 * first)
            for f, e in zip(*np.nonzero(close), strict=True):  # rare: settle the minimum exactly
                near = np.flatnonzero(ratio[f, :, e] <= first[f, e] * (1 + 1e-9))
                exact = sorted((Fraction(int(rhs[f, i]), int(T[f, i, e])), i) for i in near)
                if exact[0][0] == exact[1][0]:
                    return None  # exact tie: degenerate neighbour
                leave[f, e] = exact[0][1]
        fi, e = np.nonzero(enter)
        child = _masks(basis)[fi] - bits[basis[fi, leave[fi, e]]] + bits[e]
        uniq, at = np.unique(child, return_index=True)
        fresh = ~np.isin(uniq, seen)
        seen = np.union1d(seen, uniq[fresh])
        _check_vertices(len(seen))
        f, e, p = fi[at[fresh]], e[at[fresh]], leave[fi[at[fresh]], e[at[fresh]]]
        k = np.arange(len(f))
        Tp = T[f]
        piv = Tp[k, p, e]
        colv = Tp[k, :, e]
        rowp = Tp[k, p, :]
        T = (piv[:, None, None] * Tp - colv[:, :, None] * rowp[:, None, :]) // D[f][:, None, None]
        T[k, p, :] = rowp
        D = piv
        basis = basis[f].copy()
        basis[k, p] = e
    return keys, np.concatenate(zeros), np.concatenate(tights)


def _vertices_exact_enumerated(Mi: np.ndarray) -> tuple[list[tuple[int, ...]], np.ndarray, np.ndarray]:
    """Exact vertices by solving, in integers, every support system the floating-point filter keeps."""
    r, d = Mi.shape
    rows_int = [[int(v) for v in row] for row in Mi]
    Mf = np.array([[float(v) for v in row] for row in rows_int])
    Mf /= Mf.max()
    greater = _greater(Mi)
    seen: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
    for R, F in _systems(Mf, greater):
        for k in _uncertain(Mf, R, F):
            Rk, Fk = R[k].tolist(), F[k].tolist()
            out = _bareiss([[rows_int[i][j] for j in Fk] + [1] for i in Rk])
            if out is None:
                continue
            num, det = out
            if det < 0:
                num, det = [-v for v in num], -det
            if any(v < 0 for v in num):
                continue
            act = [sum(rows_int[i][j] * v for j, v in zip(Fk, num, strict=True)) for i in range(r)]
            if any(v > det for v in act):
                continue
            g = math.gcd(det, *num)
            z = [0] * d
            for j, v in zip(Fk, num, strict=True):
                z[j] = v // g
            key = (*z, det // g)
            if key not in seen:
                seen[key] = (np.array([v == 0 for v in z]), np.array([v == det for v in act]))
    keys = list(seen)
    zero = np.array([seen[k][0] for k in keys], dtype=bool).reshape(len(keys), d)
    tight = np.array([seen[k][1] for k in keys], dtype=bool).reshape(len(keys), r)
    return keys, zero, tight


def undominated(game: NormalFormGame, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """Strategies that survive iterated strict dominance by pure strategies (indices for each player).

    No Nash equilibrium plays a strictly dominated strategy, and the equilibria of the reduced game are
    those of the whole game, so both solvers enumerate the reduced game only."""
    pay = game.exact_payoffs() if exact else game.payoffs
    A, B = pay[0], pay[1]
    rows, cols = np.arange(A.shape[0]), np.arange(A.shape[1])
    while True:
        a = A[np.ix_(rows, cols)]
        b = B[np.ix_(rows, cols)]
        dom_r = np.any(np.all(np.asarray(a[:, None, :] > a[None, :, :], dtype=bool), axis=2), axis=0)
        dom_c = np.any(np.all(np.asarray(b[:, :, None] > b[:, None, :], dtype=bool), axis=0), axis=0)
        if not (np.any(dom_r) or np.any(dom_c)):
            return rows, cols
        rows, cols = rows[~dom_r], cols[~dom_c]


def _integer_matrix(M: np.ndarray) -> np.ndarray:
    """Positive integer matrix (object array) proportional to M - min(M) + 1 (Fractions in, exact)."""
    lo = min(M.ravel())
    shifted = [[Fraction(v) - lo + 1 for v in row] for row in M]
    den = math.lcm(*(v.denominator for row in shifted for v in row))
    return np.array([[v.numerator * (den // v.denominator) for v in row] for row in shifted], dtype=object)


def support_enumeration(
    game: NormalFormGame, *, tol: float = DEFAULT_TOL, exact: bool = False, max_systems: int = MAX_SYSTEMS
) -> SolveResult:
    """Every extreme Nash equilibrium of a two-player game (the set Gambit's `enummixed` returns)."""
    if game.n_players != 2:
        raise ValueError("support enumeration needs a two-player game")
    rows, cols = undominated(game, exact)
    m, n = len(rows), len(cols)
    settings = {"tol": tol, "exact": exact, "algorithm": "vertex enumeration of best-response polytopes",
                "pruning": "iterated strict dominance, conditional dominance",
                "dominated_removed": [game.shape[0] - m, game.shape[1] - n]}
    M, N = game.shape
    if exact:
        pay = game.exact_payoffs()
        A = _integer_matrix(pay[0][np.ix_(rows, cols)])
        B = _integer_matrix(pay[1][np.ix_(rows, cols)])
        VP, xzero, xrow = _vertices_exact(B.T, max_systems)  # x in R^m: coordinate labels 0..m-1, rows m+j
        VQ, yzero, yrow = _vertices_exact(A, max_systems)  # y in R^n: row labels i, coordinate labels m+j
        LP = np.concatenate([xzero, xrow], axis=1)
        LQ = np.concatenate([yrow, yzero], axis=1)
        missing = (~LP).astype(np.int64) @ (~LQ).astype(np.int64).T
        eqs = []
        for a, b in np.argwhere(missing == 0):
            x = _embed(VP[a], rows, M)
            y = _embed(VQ[b], cols, N)
            eqs.append(verify_strategic(game, [x, y], tol))
        return SolveResult(game.title, "support", "strategic", settings, _sorted(eqs))
    A = game.payoffs[0][np.ix_(rows, cols)]
    B = game.payoffs[1][np.ix_(rows, cols)]
    scale = max(1.0, float(max(np.ptp(A), np.ptp(B))))
    A = (A - A.min()) / scale + 1.0
    B = (B - B.min()) / scale + 1.0
    vtol = 1e-9
    xp, xzero, xrow = _vertices_float(B.T, vtol, max_systems)
    pairs = _partners(A, xp, xzero, xrow, vtol, max_systems)
    eqs = []
    for x, y in pairs:
        x = x / x.sum()
        y = y / y.sum()
        x[x < 1e-12] = 0.0
        y[y < 1e-12] = 0.0
        xf, yf = np.zeros(M), np.zeros(N)
        xf[rows] = x / x.sum()
        yf[cols] = y / y.sum()
        eqs.append(verify_strategic(game, [xf, yf], tol))
    return SolveResult(game.title, "support", "strategic", settings, _sorted(_dedupe(eqs)))


def _check_vertices(count: int) -> None:
    """Refuse a polytope with more vertices than fit in memory (about 1 KB each with their labels)."""
    if count > MAX_VERTICES:
        raise ValueError(f"the best-response polytope has more than {MAX_VERTICES:,} vertices; "
                         "use lemke-howson for one equilibrium")


def _check_size(m: int, n: int, max_systems: int) -> None:
    """Refuse a game whose enumeration would not fit in memory or would take more than `max_systems` work."""
    need = memory_estimate(m, n)
    if need > MAX_MEMORY:
        raise ValueError(
            f"a {m}x{n} game needs about {need / 2**30:.1f} GiB for support enumeration "
            f"(limit {MAX_MEMORY / 2**30:.0f} GiB); use lemke-howson or, for a tree, the sequence method"
        )
    systems = math.comb(m + n, min(m, n))
    if systems > max_systems:
        raise ValueError(
            f"a {m}x{n} game (after removing dominated strategies) has {systems:,} candidate supports "
            f"(limit {max_systems:,}); use lemke-howson or, for a tree, the sequence method"
        )


def _embed(vertex: tuple[int, ...], idx: np.ndarray, size: int) -> list[Fraction]:
    """A vertex (numerators..., denominator) of the reduced game as a full mixed strategy (Fractions)."""
    num = vertex[:-1]
    total = sum(num)
    out = [Fraction(0)] * size
    for k, v in zip(idx.tolist(), num, strict=True):
        out[k] = Fraction(v, total)
    return out


def _partners(
    A: np.ndarray, xp: np.ndarray, xzero: np.ndarray, xrow: np.ndarray, vtol: float, max_systems: int
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
        yq, yzero, yrow = _vertices_float(A, vtol, max_systems)
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
