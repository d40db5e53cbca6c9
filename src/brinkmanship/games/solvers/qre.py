"""Logit quantal response equilibrium: the principal branch traced from lambda = 0 (the centroid).

Unknowns are log-probabilities and lambda; the branch is followed by arclength predictor-corrector
continuation (tangent from a QR factorisation, Gauss-Newton corrector), so turning points in lambda are
passed. Points at requested lambdas are solved to machine precision at fixed lambda (Newton), and the
trace stops when the profile's regret is below `maxregret` times the payoff range, as Gambit's `logit`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import Equilibrium, SolveResult, verify_strategic


@dataclass(frozen=True)
class QREPoint:
    """One point of the branch: lambda and the mixed profile."""

    lam: float
    profile: list[np.ndarray]


class _System:
    """H(v, lambda) = 0 for a normal-form game, v = log-probabilities of all players' strategies."""

    def __init__(self, game: NormalFormGame) -> None:
        self.g = game
        self.pay = game.payoffs / max(1e-300, 1.0)
        self.sizes = list(game.shape)
        self.offs = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.N = int(self.offs[-1])

        if len(self.sizes) == 2:  # precomputed blocks for the common bimatrix case
            m, n = self.sizes
            self.Ad = self.pay[0][1:] - self.pay[0][0]
            self.Bd = self.pay[1].T[1:] - self.pay[1].T[0]
            tpl = np.zeros((self.N, self.N + 1))
            tpl[1:m, 1:m] = np.eye(m - 1)
            tpl[1:m, 0] = -1.0
            tpl[m + 1 :, m + 1 : m + n] = np.eye(n - 1)
            tpl[m + 1 :, m] = -1.0
            self.template = tpl

    def split(self, v: np.ndarray) -> list[np.ndarray]:
        return [np.exp(v[self.offs[i] : self.offs[i + 1]]) for i in range(len(self.sizes))]

    def values(self, probs: list[np.ndarray]) -> list[np.ndarray]:
        if len(self.sizes) == 2:
            return [self.pay[0] @ probs[1], probs[0] @ self.pay[1]]
        return [self.g.strategy_values(probs, i) for i in range(len(self.sizes))]

    def cross(self, probs: list[np.ndarray], i: int, k: int) -> np.ndarray:
        """d u_i(j) / d pi_k(l): player i's payoffs contracted over everyone but i and k."""
        if len(self.sizes) == 2:
            return self.pay[0] if i == 0 else self.pay[1].T
        t = self.pay[i]
        n = len(self.sizes)
        for m in range(n - 1, -1, -1):
            if m in (i, k):
                continue
            t = np.tensordot(t, probs[m], axes=([m], [0]))
        return t if i < k else t.T

    def H(self, v: np.ndarray, lam: float) -> np.ndarray:
        if len(self.sizes) == 2:
            m = self.sizes[0]
            e = np.exp(v)
            out = np.empty(self.N)
            out[0] = e[:m].sum() - 1.0
            out[1:m] = v[1:m] - v[0] - lam * (self.Ad @ e[m:])
            out[m] = e[m:].sum() - 1.0
            out[m + 1 :] = v[m + 1 :] - v[m] - lam * (self.Bd @ e[:m])
            return out
        probs = self.split(v)
        vals = self.values(probs)
        out = np.empty(self.N)
        for i, o in enumerate(self.offs[:-1]):
            vi = v[o : o + self.sizes[i]]
            out[o] = probs[i].sum() - 1.0
            out[o + 1 : o + self.sizes[i]] = vi[1:] - vi[0] - lam * (vals[i][1:] - vals[i][0])
        return out

    def J(self, v: np.ndarray, lam: float) -> np.ndarray:
        """Jacobian with respect to (v, lambda): shape (N, N + 1)."""
        if len(self.sizes) == 2:
            m = self.sizes[0]
            e = np.exp(v)
            p1, p2 = e[:m], e[m:]
            Jm = self.template.copy()
            Jm[0, :m] = p1
            Jm[m, m : self.N] = p2
            Jm[1:m, m : self.N] = -lam * self.Ad * p2
            Jm[m + 1 :, :m] = -lam * self.Bd * p1
            Jm[1:m, -1] = -(self.Ad @ p2)
            Jm[m + 1 :, -1] = -(self.Bd @ p1)
            return Jm
        probs = self.split(v)
        vals = self.values(probs)
        Jm = np.zeros((self.N, self.N + 1))
        for i, o in enumerate(self.offs[:-1]):
            ni = self.sizes[i]
            Jm[o, o : o + ni] = probs[i]
            rows = slice(o + 1, o + ni)
            Jm[rows, o + 1 : o + ni] = np.eye(ni - 1)
            Jm[rows, o] = -1.0
            for k, ok in enumerate(self.offs[:-1]):
                if k == i:
                    continue
                C = self.cross(probs, i, k)  # (n_i, n_k)
                D = (C[1:] - C[0]) * probs[k][None, :]
                Jm[rows, ok : ok + self.sizes[k]] -= lam * D
            Jm[rows, -1] = -(vals[i][1:] - vals[i][0])
        return Jm


def _newton_fixed(sys: _System, v: np.ndarray, lam: float, tol: float = 1e-13, it: int = 50) -> np.ndarray:
    for _ in range(it):
        h = sys.H(v, lam)
        if np.max(np.abs(h)) < tol * max(1.0, lam):
            break
        J = sys.J(v, lam)[:, :-1]
        v = v - np.linalg.solve(J, h)
    return v


def _regret(sys: _System, probs: list[np.ndarray]) -> float:
    vals = sys.values(probs)
    return float(max(float(v.max() - v @ p) for v, p in zip(vals, probs, strict=True)))


def trace_branch(
    game: NormalFormGame,
    *,
    lambdas: list[float] | None = None,
    max_lambda: float = 1e7,
    maxregret: float = 1e-8,
    first_step: float = 0.03,
    max_accel: float = 1.1,
) -> tuple[list[QREPoint], list[QREPoint]]:
    """Follow the principal branch; return (points traced, points at the requested lambdas)."""
    sys = _System(game)
    v = np.concatenate([np.full(s, -np.log(s)) for s in sys.sizes])
    lam = 0.0
    x = np.concatenate([v, [lam]])
    scale = max(1e-12, game.payoff_range())
    targets = sorted(lambdas or [])
    ti = 0
    at: list[QREPoint] = []
    while ti < len(targets) and targets[ti] <= 0.0:
        at.append(QREPoint(targets[ti], sys.split(v)))
        ti += 1
    pts = [QREPoint(0.0, sys.split(v))]
    h = first_step
    J = sys.J(x[:-1], x[-1])
    t = np.linalg.qr(J.T, mode="complete")[0][:, -1]
    if t[-1] < 0:
        t = -t
    rhs = np.zeros(sys.N + 1)
    rhs[-1] = 1.0
    for _step in range(100_000):
        # corrector: Newton on [H(y); t.(y - y0)] = 0, a square system (no least squares)
        while True:
            y = x + h * t
            y0 = y.copy()
            ok = False
            iters = 0
            for _ in range(8):
                iters += 1
                Hy = sys.H(y[:-1], y[-1])
                if np.max(np.abs(Hy)) < 1e-11 * max(1.0, abs(y[-1]), float(np.max(np.abs(y[:-1])))):
                    ok = True
                    break
                Jy = sys.J(y[:-1], y[-1])
                aug = np.vstack([Jy, t])
                try:
                    dy = np.linalg.solve(aug, np.concatenate([Hy, [t @ (y - y0)]]))
                except np.linalg.LinAlgError:
                    break
                y = y - dy
                if not np.all(np.isfinite(y)) or np.max(np.abs(dy)) > 10 * max(h, 1e-3):
                    break
            if ok:
                break
            h *= 0.5
            if h < 1e-12:
                raise RuntimeError("QRE path tracing failed to converge")
        x_old, x = x, y
        # new tangent from the augmented Jacobian, oriented along the old one
        Jn = sys.J(x[:-1], x[-1])
        try:
            tn = np.linalg.solve(np.vstack([Jn, t]), rhs)
            t = tn / np.linalg.norm(tn)
        except np.linalg.LinAlgError:
            tn = np.linalg.qr(Jn.T, mode="complete")[0][:, -1]
            t = tn if tn @ t >= 0 else -tn
        if iters <= 3:
            h *= max_accel
        while ti < len(targets) and (x_old[-1] < targets[ti] <= x[-1]):
            f = (targets[ti] - x_old[-1]) / (x[-1] - x_old[-1])
            v0 = x_old[:-1] + f * (x[:-1] - x_old[:-1])
            vt = _newton_fixed(sys, v0, targets[ti])
            at.append(QREPoint(targets[ti], sys.split(vt)))
            ti += 1
        probs = sys.split(x[:-1])
        pts.append(QREPoint(float(x[-1]), probs))
        if ti >= len(targets) and (x[-1] >= max_lambda or _regret(sys, probs) <= maxregret * scale):
            break
    return pts, at


def logit_qre(
    game: NormalFormGame,
    *,
    lambdas: list[float] | None = None,
    maxregret: float = 1e-8,
    first_step: float = 0.03,
    max_accel: float = 1.1,
) -> SolveResult:
    """The branch's limit (an approximate Nash equilibrium) and, if asked, the QRE at given lambdas."""
    pts, at = trace_branch(game, lambdas=lambdas, maxregret=maxregret, first_step=first_step, max_accel=max_accel)
    last = pts[-1]
    scale = max(1.0, game.payoff_range())
    limit = verify_strategic(game, [p / p.sum() for p in last.profile], tol=max(maxregret * 10, 1e-12) * scale / scale)
    eqs = [Equilibrium(limit.raw, limit.payoffs, limit.max_regret, extra={"lambda": last.lam})]
    for p in at:
        e = verify_strategic(game, [q / q.sum() for q in p.profile], nash=False)
        eqs.append(Equilibrium(e.raw, e.payoffs, e.max_regret, extra={"lambda": p.lam, "qre": True}))
    settings = {"maxregret": maxregret, "first_step": first_step, "max_accel": max_accel, "points": len(pts),
                "lambdas": list(lambdas or [])}
    return SolveResult(game.title, "qre", "strategic", settings, eqs)
