"""One Nash equilibrium of a two-player game by Lemke-Howson complementary pivoting.

Lexicographic minimum-ratio tests keep the path unique in degenerate games (no cycling). Rational
arithmetic is available (`exact=True`); the float path pivots on whole NumPy rows (one rank-1 update).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import DEFAULT_TOL, SolveResult, verify_strategic


class _Tableau:
    """Rows: basic variable = rhs - sum(T * nonbasic); kept as a full Gauss-Jordan tableau."""

    def __init__(self, M: np.ndarray, slack_labels: list[int], var_labels: list[int], exact: bool) -> None:
        rows, _cols = M.shape
        dtype = object if exact else float
        one = Fraction(1) if exact else 1.0
        zero = Fraction(0) if exact else 0.0
        n_lab = len(slack_labels) + len(var_labels)
        T = np.full((rows, n_lab + 1), zero, dtype=dtype)
        for r, lab in enumerate(slack_labels):
            T[r, lab] = one
        for c, lab in enumerate(var_labels):
            T[:, lab] = M[:, c]
        T[:, -1] = one
        self.T = T
        self.basis = list(slack_labels)
        self.slack_labels = slack_labels
        self.exact = exact

    def pivot_in(self, label: int) -> int:
        """Bring variable `label` into the basis (lexicographic ratio test); return the leaving label."""
        T = self.T
        col = T[:, label]
        cand = [r for r in range(T.shape[0]) if col[r] > (0 if self.exact else 1e-12)]
        if not cand:
            raise RuntimeError("Lemke-Howson: unbounded ray (should not happen on a positive game)")
        keys = [self.slack_labels]  # lexicographic tie-break over the initial basis columns
        best = cand
        ratio = [T[r, -1] / col[r] for r in best]
        best = _argmins(best, ratio, self.exact)
        j = 0
        while len(best) > 1 and j < len(keys[0]):
            lab = keys[0][j]
            ratio = [T[r, lab] / col[r] for r in best]
            best = _argmins(best, ratio, self.exact)
            j += 1
        r = best[0]
        piv = T[r, label]
        T[r, :] = T[r, :] / piv
        factors = T[:, label].copy()
        factors[r] = 0
        T -= np.outer(factors, T[r, :])
        leaving = self.basis[r]
        self.basis[r] = label
        return leaving

    def values(self) -> dict[int, object]:
        """Basic variables' values by label."""
        return {lab: self.T[r, -1] for r, lab in enumerate(self.basis)}


def _argmins(rows: list[int], vals: list, exact: bool) -> list[int]:
    lo = min(vals)
    if exact:
        return [r for r, v in zip(rows, vals, strict=True) if v == lo]
    tol = 1e-10 * max(1.0, abs(float(lo)))
    return [r for r, v in zip(rows, vals, strict=True) if v - lo <= tol]


def lemke_howson_path(game: NormalFormGame, label: int = 0, *, exact: bool = False) -> tuple[list, list]:
    """Follow the Lemke-Howson path that drops `label` (0..m+n-1); returns (x, y)."""
    m, n = game.shape
    if exact:
        pay = game.exact_payoffs()
        A = pay[0] - min(pay[0].ravel()) + 1
        B = pay[1] - min(pay[1].ravel()) + 1
    else:
        A = game.payoffs[0] - game.payoffs[0].min() + 1.0
        B = game.payoffs[1] - game.payoffs[1].min() + 1.0
    # Q: r_i + (A y)_i = 1 ; labels: r_i -> i, y_j -> m+j
    tq = _Tableau(A, list(range(m)), [m + j for j in range(n)], exact)
    # P: s_j + (B^T x)_j = 1 ; labels: x_i -> i, s_j -> m+j
    tp = _Tableau(B.T.copy(), [m + j for j in range(n)], list(range(m)), exact)
    entering = label
    system = tp if label < m else tq
    for _ in range(100_000):
        leaving = system.pivot_in(entering)
        if leaving == label:
            break
        entering = leaving
        system = tq if system is tp else tp
    else:  # pragma: no cover - lexicographic pivoting cannot cycle
        raise RuntimeError("Lemke-Howson did not terminate")
    xv, yv = tp.values(), tq.values()
    zero = Fraction(0) if exact else 0.0
    x = [xv.get(i, zero) for i in range(m)]
    y = [yv.get(m + j, zero) for j in range(n)]
    sx, sy = sum(x), sum(y)
    return [v / sx for v in x], [v / sy for v in y]


def lemke_howson(
    game: NormalFormGame,
    *,
    label: int = 0,
    all_labels: bool = False,
    tol: float = DEFAULT_TOL,
    exact: bool = False,
) -> SolveResult:
    """One equilibrium (from the dropped `label`), or the distinct ones reached from every label."""
    if game.n_players != 2:
        raise ValueError("Lemke-Howson needs a two-player game")
    m, n = game.shape
    labels = range(m + n) if all_labels else [label]
    eqs = []
    seen: list[np.ndarray] = []
    for lab in labels:
        x, y = lemke_howson_path(game, lab, exact=exact)
        if not exact:
            x = list(np.clip(np.asarray(x, dtype=float), 0.0, None))
            y = list(np.clip(np.asarray(y, dtype=float), 0.0, None))
            x = list(np.asarray(x) / sum(x))
            y = list(np.asarray(y) / sum(y))
        key = np.array([float(v) for v in (*x, *y)])
        if any(np.max(np.abs(key - s)) < 1e-9 for s in seen):
            continue
        seen.append(key)
        eqs.append(verify_strategic(game, [x, y], tol))
    settings = {"tol": tol, "exact": exact, "labels": list(labels)}
    return SolveResult(game.title, "lemke-howson", "strategic", settings, eqs)
