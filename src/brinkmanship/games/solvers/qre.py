"""Logit quantal response equilibrium: the principal branch traced from lambda = 0 (the centroid).

Unknowns are log-probabilities and lambda; the branch is followed by arclength predictor-corrector
continuation, so turning points in lambda are passed. Each corrector iteration solves one square system,
the Jacobian augmented by the current tangent, for two right-hand sides at once: the Newton step and the
new tangent (already oriented along the old one). The step length adapts to the corrector (distance of the
first Newton step, contraction rate, angle between successive tangents: Allgower & Georg, "Introduction to
Numerical Continuation Methods", 6.1): it grows where the branch is straight, as it becomes for large
lambda, and shrinks where it bends, so that the trace cannot jump to another branch. Points at requested
lambdas are solved to machine precision at fixed lambda (Newton), and the trace stops when the profile's
regret is below `maxregret` times the payoff range, as Gambit's `logit`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg.lapack import dgesv

from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.result import Equilibrium, SolveResult, verify_strategic

# step control (Allgower & Georg, algorithm 6.1.10): the next step is scaled so that the first corrector
# step, the corrector's contraction rate and the angle between successive tangents would each meet their
# nominal value; a step that exceeds one of them by the factor _REJECT (in step length) is retried at half
_DIST = 0.05  # first Newton step, in the relative norm |dy_i| / max(1, |y_i|)
_CONTR = 0.1
_ANGLE = 0.15  # radians
_REJECT = 2.0
_MAX_ITER = 6
_TOL = 1e-8  # accepted when the estimated remaining corrector error (relative norm) is below this
_H_MIN = 1e-12


@dataclass(frozen=True)
class QREPoint:
    """One point of the branch: lambda and the mixed profile."""

    lam: float
    profile: list[np.ndarray]


class _System:
    """H(v, lambda) = 0 for a normal-form game, v = log-probabilities of all players' strategies.

    Player i's rows are sum_j exp(v_ij) - 1 and v_ij - v_i0 - lambda (u_ij - u_i0) for j >= 1, that is
    H = T v + S e - c - lambda du with e = exp(v) and du the strategy values less each player's first."""

    def __init__(self, game: NormalFormGame) -> None:
        self.g = game
        self.pay = game.payoffs
        self.sizes = list(game.shape)
        self.offs = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.N = N = int(self.offs[-1])
        self.bimatrix = len(self.sizes) == 2
        self.T = np.zeros((N, N))
        self.S = np.zeros((N, N))
        self.c = np.zeros(N)
        for o, ni in zip(self.offs[:-1], self.sizes, strict=True):
            self.S[o, o : o + ni] = 1.0
            self.c[o] = 1.0
            self.T[o + 1 : o + ni, o + 1 : o + ni] = np.eye(ni - 1)
            self.T[o + 1 : o + ni, o] = -1.0
        if self.bimatrix:
            # two players: the strategy values are u = Q e and du = P e, P = T Q; one product of
            # G = [[T, S, -c], [0, P, 0]] with z = (v, e, 1) gives both T v + S e - c and P e
            m = self.sizes[0]
            self.Q = np.zeros((N, N))
            self.Q[:m, m:] = self.pay[0]
            self.Q[m:, :m] = self.pay[1].T
            self.P = self.T @ self.Q
            self.G = np.zeros((2 * N, 2 * N + 1))
            self.G[:N, :N] = self.T
            self.G[:N, N : 2 * N] = self.S
            self.G[:N, -1] = -self.c
            self.G[N:, N : 2 * N] = self.P
            self.z = np.ones(2 * N + 1)
            self.buf = np.empty((N, N))

    def split(self, v: np.ndarray) -> list[np.ndarray]:
        return [np.exp(v[self.offs[i] : self.offs[i + 1]]) for i in range(len(self.sizes))]

    def values(self, probs: list[np.ndarray]) -> list[np.ndarray]:
        if self.bimatrix:
            return [self.pay[0] @ probs[1], probs[0] @ self.pay[1]]
        return [self.g.strategy_values(probs, i) for i in range(len(self.sizes))]

    def cross(self, probs: list[np.ndarray], i: int, k: int) -> np.ndarray:
        """d u_i(j) / d pi_k(l): player i's payoffs contracted over everyone but i and k."""
        t = self.pay[i]
        for m in range(len(self.sizes) - 1, -1, -1):
            if m in (i, k):
                continue
            t = np.tensordot(t, probs[m], axes=([m], [0]))
        return t if i < k else t.T

    def H(self, v: np.ndarray, lam: float) -> np.ndarray:
        return self.linearise(np.append(v, lam), np.empty((self.N, self.N + 1)), np.empty(self.N))

    def J(self, v: np.ndarray, lam: float) -> np.ndarray:
        """Jacobian with respect to (v, lambda): shape (N, N + 1)."""
        Jm = np.empty((self.N, self.N + 1))
        self.linearise(np.append(v, lam), Jm, np.empty(self.N))
        return Jm

    def linearise(self, y: np.ndarray, jac: np.ndarray, res: np.ndarray) -> np.ndarray:
        """At y = (v, lambda): the Jacobian into jac[:N] (N + 1 columns) and H into res, returned."""
        N = self.N
        lam = y[N]
        Jv = jac[:N, :N]
        if self.bimatrix:  # the hot path of the trace: a handful of whole-array operations
            z = self.z
            z[:N] = y[:N]
            e = z[N : 2 * N]
            np.exp(z[:N], out=e)
            g = self.G @ z
            # d/dv (S e - lambda P e) = (S - lambda P) diag(e), built in a contiguous buffer (faster)
            buf = self.buf
            np.multiply(self.P, -lam, out=buf)
            np.add(buf, self.S, out=buf)
            np.multiply(buf, e, out=buf)
            np.add(buf, self.T, out=Jv)
            np.negative(g[N:], out=jac[:N, N])
            np.multiply(g[N:], -lam, out=res)
            res += g[:N]
            return res
        v = y[:N]
        e = np.exp(v)
        probs = self.split(v)
        np.multiply(self.S, e, out=Jv)
        Jv += self.T
        for i, o in enumerate(self.offs[:-1]):
            rows = slice(o + 1, o + self.sizes[i])
            for k, ok in enumerate(self.offs[:-1]):
                if k != i:
                    C = self.cross(probs, i, k)  # (n_i, n_k)
                    Jv[rows, ok : ok + self.sizes[k]] -= lam * ((C[1:] - C[0]) * probs[k])
        du = np.concatenate([u - u[0] for u in self.values(probs)])
        np.negative(du, out=jac[:N, N])
        res[:] = self.T @ v + self.S @ e - self.c - lam * du
        return res

    def regret(self, v: np.ndarray) -> float:
        """Largest regret of the profile exp(v)."""
        if self.bimatrix:
            e = np.exp(v)
            u = self.Q @ e
            best = np.maximum.reduceat(u, self.offs[:-1])
            return float((best - np.add.reduceat(u * e, self.offs[:-1])).max())
        return _regret(self, self.split(v))


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
    max_accel: float = 2.0,
) -> tuple[list[QREPoint], list[QREPoint]]:
    """Follow the principal branch; return (points traced, points at the requested lambdas).

    `first_step` is the first arclength step and `max_accel` the largest factor by which one step may
    exceed the previous one."""
    sys = _System(game)
    N = sys.N
    x = np.concatenate([np.full(s, -np.log(s)) for s in sys.sizes] + [[0.0]])
    scale = max(1e-12, game.payoff_range())
    targets = sorted(lambdas or [])
    ti = 0
    at: list[QREPoint] = []
    while ti < len(targets) and targets[ti] <= 0.0:
        at.append(QREPoint(targets[ti], sys.split(x[:-1])))
        ti += 1
    path = [x]

    # M = [J(y); t] (Fortran order: LAPACK factors it in place); rhs = [[H(y), 0], [0, 1]]
    M = np.empty((N + 1, N + 1), order="F")
    rhs = np.zeros((N + 1, 2), order="F")
    rhs[N, 1] = 1.0
    # the tangent at lambda = 0, where the v-block of J is invertible: the kernel of J with d lambda = 1
    res = rhs[:N, 0]
    sys.linearise(x, M, res)
    M[N] = 0.0
    M[N, N] = 1.0
    t = dgesv(M, rhs[:, 1:].copy(order="F"), overwrite_a=1)[2][:, 0]
    t /= math.sqrt(t @ t)

    h = first_step
    for _step in range(100_000):
        h_free = h
        if ti < len(targets) and t[N] > 0 and x[N] + h * t[N] > targets[ti]:
            h = (targets[ti] - x[N]) / t[N] * (1.0 + 1e-9) + 1e-12  # land just past the next target
        # predictor along the tangent, then Newton on [H(y); t.(y - y_pred)] = 0; distances are measured
        # relative to the size of each coordinate (log-probabilities of unused strategies grow like lambda)
        y = x + h * t
        w = 1.0 / np.maximum(np.abs(y), 1.0)
        dist1 = dist = contr = 0.0
        ok = False
        for k in range(_MAX_ITER):
            sys.linearise(y, M, res)
            M[N] = t
            sol, info = dgesv(M, rhs, overwrite_a=1)[2:]
            if info != 0:
                break
            dy = sol[:, 0]
            y -= dy
            dw = dy * w
            dist_old, dist = dist, math.sqrt(dw @ dw)
            if not dist < math.inf:
                break
            if k == 0:
                dist1 = dist
                if dist > _DIST * _REJECT**2:
                    break
                ok = dist <= _TOL
            else:
                contr = dist / dist_old
                if contr > _CONTR * _REJECT**2:
                    break
                ok = dist * contr**2 <= _TOL  # Newton: the next step would be about this long
            if ok:
                break
        if ok:
            tn = sol[:, 1]
            tn /= math.sqrt(tn @ tn)
            angle = math.acos(min(1.0, float(tn @ t)))
            f = max(math.sqrt(dist1 / _DIST), math.sqrt(contr / _CONTR), angle / _ANGLE)
            ok = f < _REJECT
        if not ok:
            h *= 0.5
            if h < _H_MIN:
                raise RuntimeError("QRE path tracing failed to converge")
            continue
        x_old, x, t = x, y, tn
        h = h_free if h < h_free and f <= 1.0 else h / max(f, 1.0 / max_accel)  # (a step cut for a target)
        path.append(x)
        while ti < len(targets) and (x_old[N] < targets[ti] <= x[N]):
            frac = (targets[ti] - x_old[N]) / (x[N] - x_old[N])
            v0 = x_old[:N] + frac * (x[:N] - x_old[:N])
            at.append(QREPoint(targets[ti], sys.split(_newton_fixed(sys, v0, targets[ti]))))
            ti += 1
        if ti >= len(targets) and (x[N] >= max_lambda or sys.regret(x[:N]) <= maxregret * scale):
            break
    else:
        raise RuntimeError("QRE path tracing did not reach the limit")
    return [QREPoint(float(p[N]), sys.split(p[:N])) for p in path], at


def logit_qre(
    game: NormalFormGame,
    *,
    lambdas: list[float] | None = None,
    maxregret: float = 1e-8,
    first_step: float = 0.03,
    max_accel: float = 2.0,
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
