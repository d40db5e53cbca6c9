"""Strategic estimation: fit the rational (logit) adversary's utility weights and precision to the record.

In the spirit of Signorino's strategic estimators (and the R package `games`): the likelihood of each
observed monthly action is the logit planner's choice probability at the observed grid state, so the
utility weights enter through the backward-induction values, not through a reduced-form index.

Data (`observed_sequence`): the scenario's months from October 2017 (step 1) under `maximum-pressure`,
one action a month: `nuclear_test`, `missile_test` (ballistic launch), `provocation` (other launch),
`freeze` (the month the test moratorium was declared, 20 April 2018: the sequence ends there, with the
record's months), `negotiate` (a month of DPRK talks, summits or Olympic diplomacy), else `hold`. The grid
state is reconstructed from the observed actions with the model's own expected moves: test-equivalents
count launches (1) and nuclear tests (`arsenal.nuclear_test_weight`); talks progress moves by the expected
talks gain of a month of negotiation or the setback of a test month, rounded to the nearest grid level.

Estimation: `regime_survival` is fixed as the scale of utility; a coarse grid over the logit precision
(one batched `solve` per precision value, all weight combinations as parameter samples) and a finer
grid around the best point. Profile likelihoods over the coarse grid give 95% intervals (deviance 3.84)
and the identification verdict: a flat profile (the whole grid inside the interval) is not identified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.planner import Decision, solve
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import (
    ACCEPT,
    ACTIONS,
    FREEZE_ACT,
    HOLD,
    INVADE,
    MISSILE,
    NEGOTIATE,
    NUCLEAR_TEST,
    NUCLEAR_USE,
    PROVOCATION,
    Status,
)
from brinkmanship.history.record import MISSILE_C, NUCLEAR_C, PROVOCATION_C, monthly_record
from brinkmanship.spec import Scenario, load_scenario, load_strategy

__all__ = [
    "DEFAULT_GRID",
    "LAMBDA",
    "Observed",
    "StrategicFit",
    "fit_strategic",
    "log_likelihoods",
    "observed_sequence",
    "simulate_histories",
    "state_path",
    "type_log_likelihoods",
]

LAMBDA = "lambda"
STRATEGY = "maximum-pressure"
CHI2_95 = 3.841458820694124
ABSORBING_ACTIONS = (ACCEPT, FREEZE_ACT, INVADE, NUCLEAR_USE)  # the record is read up to the first of these
# a synthetic history goes on through a freeze (in the frozen status, which a test breaks) and stops where
# the record could not follow it: a deal's signature (a lottery), an invasion, nuclear use
HISTORY_END_ACTIONS = (ACCEPT, INVADE, NUCLEAR_USE)

#: Coarse grid: logit precision and the weights fitted (regime_survival = 10 is the scale).
DEFAULT_GRID: dict[str, np.ndarray] = {
    LAMBDA: np.geomspace(0.05, 10.0, 10),
    "adversary.arsenal": np.linspace(0.0, 8.0, 9),
    "adversary.economy": np.linspace(0.0, 5.0, 6),
    "adversary.test_cost": np.array([0.0, 0.3, 0.75, 1.5]),
}


@dataclass(frozen=True)
class Observed:
    """Observed histories: steps (T,), actions (h, T) with -1 after the history ended."""

    steps: np.ndarray
    actions: np.ndarray
    months: tuple[str, ...] = ()

    @property
    def n_decisions(self) -> int:
        return int((self.actions >= 0).sum())


@dataclass
class StrategicFit:
    """Estimates, 95% profile intervals, identification verdicts and the profiles themselves."""

    names: tuple[str, ...]
    estimate: dict[str, float]
    interval: dict[str, tuple[float, float]]
    identified: dict[str, str]
    log_likelihood: float
    n_decisions: int
    profiles: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (grid values, profile log-likelihood)
    null_log_likelihood: float  # uniform choice over the available actions (lambda = 0)
    wald: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # name -> (se, low, high)
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary."""
        return {
            "decisions": self.n_decisions, "log_likelihood": self.log_likelihood,
            "null_log_likelihood": self.null_log_likelihood, "seconds": self.seconds,
            "interval_method": "profile likelihood over the coarse grid (deviance 3.84)",
            "parameters": {n: {"estimate": self.estimate[n], "low": self.interval[n][0],
                               "high": self.interval[n][1], "identification": self.identified[n],
                               **({"wald_se": _finite(self.wald[n][0]), "wald_low": _finite(self.wald[n][1]),
                                   "wald_high": _finite(self.wald[n][2])} if n in self.wald else {})}
                           for n in self.names},
        }


def _finite(x: float) -> float | None:
    """JSON has no infinity: a flat direction's SE or bound is None."""
    return float(x) if np.isfinite(x) else None


def _compiled(scenario: Scenario, overrides: dict[str, np.ndarray | float] | None = None) -> Compiled:
    return compile_model(scenario, load_strategy(STRATEGY, scenario), overrides)


def observed_sequence(scenario: Scenario, start: str = "2017-10", end: str = "2018-12") -> Observed:
    """The record as planner actions, one a month from `start`, ending at the first absorbing choice."""
    rec = monthly_record(scenario, start, end)
    agg = rec.aggregates
    actions: list[int] = []
    months: list[str] = []
    declared_before = False
    for i, m in enumerate(rec.months):
        cls = rec.classes[i]
        if cls == NUCLEAR_C:
            a = NUCLEAR_TEST
        elif cls == MISSILE_C:
            a = MISSILE
        elif cls == PROVOCATION_C:
            a = PROVOCATION
        elif bool(agg.loc[m, "moratorium_declared"]) and not declared_before:
            a = FREEZE_ACT
        elif rec.talks_or_summit[i]:
            a = NEGOTIATE
        else:
            a = HOLD
        actions.append(a)
        months.append(str(m))
        if a in ABSORBING_ACTIONS:
            break
        declared_before = declared_before or bool(agg.loc[m, "moratorium_declared"])
    first = rec.months[0]
    step0 = (first.year - scenario.start.year) * 12 + first.month - scenario.start.month
    steps = np.arange(step0, step0 + len(actions))
    return Observed(steps=steps, actions=np.array([actions], dtype=np.int64), months=tuple(months))


def _moves(c: Compiled) -> tuple[dict[int, float], dict[int, int]]:
    """Expected talks move (grid units) and test-equivalents added by each action (scalars of `c`)."""
    step = dyn.TALKS_STEP
    sanc = float(np.mean(c["talks.setback_sanctions"])) if c.sanctions_mode == "escalate" else 0.0
    talks = {NEGOTIATE: float(np.mean(dyn.talks_gain(c, c.posture(0)))) / step,
             MISSILE: -(float(np.mean(c["talks.setback_missile_test"])) + sanc) / step,
             NUCLEAR_TEST: -(float(np.mean(c["talks.setback_nuclear_test"])) + sanc) / step}
    tests = {MISSILE: 1, NUCLEAR_TEST: int(np.rint(np.mean(c["arsenal.nuclear_test_weight"])))}
    return talks, tests


def next_status(status: np.ndarray, actions: np.ndarray) -> np.ndarray:
    """The status after each action: a freeze begins, a test breaks it (the other actions keep it)."""
    out = np.where(actions == FREEZE_ACT, Status.FROZEN, status)
    return np.where((actions == MISSILE) | (actions == NUCLEAR_TEST), Status.OPEN, out)


def status_index(grid: Grid, status: np.ndarray) -> np.ndarray:
    """Last-axis index of the starting state (full list, prior evidence) in each status."""
    return grid.index(left=grid.levels - 1, evidence=belief.prior_level(grid.B), status=np.minimum(status, grid.S - 1))


def state_path(c: Compiled, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(h, T) talks grid index, tests index and last-axis index (the status) at the start of each month, from
    the observed actions."""
    grid = Grid.of(c)
    talks, tests = _moves(c)
    h, T = actions.shape
    k = np.zeros((h, T), dtype=np.int64)
    m = np.zeros((h, T), dtype=np.int64)
    r = np.zeros((h, T), dtype=np.int64)
    x = np.full(h, float(dyn.talks_round(np.atleast_1d(float(np.mean(c["initial.talks"]))), np.zeros(1))[0]))
    tm = np.zeros(h, dtype=np.int64)
    status = np.full(h, Status.OPEN, dtype=np.int64)
    for t in range(T):
        k[:, t] = np.clip(np.rint(x), 0, grid.K - 1)
        m[:, t] = np.minimum(tm, grid.M - 1)
        r[:, t] = status_index(grid, status)
        a = actions[:, t]
        x = np.clip(x + np.array([talks.get(int(v), 0.0) for v in a]), 0, grid.K - 1)
        tm = tm + np.array([tests.get(int(v), 0) for v in a])
        status = next_status(status, a)
    return k, m, r


def log_likelihoods(scenario: Scenario, data: Observed, lam: float,
                    weights: dict[str, np.ndarray]) -> np.ndarray:
    """(n,) log-likelihood of the observed actions for n weight vectors (arrays of equal length), one solve."""
    n = len(next(iter(weights.values()))) if weights else 1
    c = _compiled(scenario, {k: np.asarray(v, dtype=float) for k, v in weights.items()} if weights else None)
    sol = solve(c, Decision("logit", float(lam)))
    k, m, r = state_path(c, data.actions)
    ll = np.zeros(sol.n)
    for j, t in enumerate(data.steps):
        a = data.actions[:, j]
        live = np.flatnonzero(a >= 0)
        if live.size == 0:
            continue
        pol = sol.policy(int(t))  # (A, n, K, M, R)
        p = pol[a[live][:, None], np.arange(sol.n)[None, :], k[live, j][:, None], m[live, j][:, None],
                r[live, j][:, None]]
        ll += np.log(np.maximum(p, 1e-300)).sum(axis=0)
    return np.broadcast_to(ll, (n,)).copy()


def type_log_likelihoods(scenario: Scenario, values: dict[str, np.ndarray],
                         lambdas: Sequence[float] | None = None) -> np.ndarray:
    """(K,) log-likelihood of the record for K adversary types (per-type `adversary.*` values), with the logit
    precision integrated out: the mean likelihood over `lambdas` (default the coarse grid, uniform in log).

    The importance weights that turn a prior set of types into the record's posterior (one solve per lambda).
    """
    from scipy.special import logsumexp

    data = observed_sequence(scenario)
    lams = np.asarray(DEFAULT_GRID[LAMBDA] if lambdas is None else lambdas, dtype=float)
    table = np.stack([log_likelihoods(scenario, data, float(lam), values) for lam in lams])
    return logsumexp(table, axis=0) - np.log(len(lams))


def _null_ll(scenario: Scenario, data: Observed) -> float:
    return float(log_likelihoods(scenario, data, 1e-12, {})[0])  # lambda -> 0: uniform choice


def _profile(values: np.ndarray, table: np.ndarray, axis: int, best: float) -> tuple[np.ndarray, tuple, str]:
    """Profile over one grid axis; 95% interval by interpolation; identification verdict."""
    other = tuple(i for i in range(table.ndim) if i != axis)
    prof = table.max(axis=other) if other else table
    dev = 2 * (best - prof)
    inside = dev <= CHI2_95
    idx = np.flatnonzero(inside)
    if idx.size == 0:  # the best point lies between grid values: take the best grid value
        idx = np.array([int(np.argmin(dev))])
    lo_i, hi_i = idx.min(), idx.max()

    def cross(i: int, j: int) -> float:  # linear in the root deviance: exact for a quadratic profile
        ri, rj = np.sqrt(max(dev[i], 0.0)), np.sqrt(max(dev[j], 0.0))
        if not np.isfinite(rj) or rj == ri:
            return float(values[j])
        w = (np.sqrt(CHI2_95) - ri) / (rj - ri)
        return float(values[i] + w * (values[j] - values[i]))

    lo = float(values[0]) if lo_i == 0 else cross(lo_i, lo_i - 1)
    hi = float(values[-1]) if hi_i == len(values) - 1 else cross(hi_i, hi_i + 1)
    if inside.all():
        verdict = "not identified: flat profile over the whole grid"
    elif lo_i == 0 or hi_i == len(values) - 1:
        side = "below" if lo_i == 0 else "above"
        verdict = f"partly identified: bounded on one side only (open {side}, to the grid's edge)"
    else:
        verdict = "identified: bounded on both sides"
    return prof, (lo, hi), verdict


def fit_strategic(scenario: str | Scenario = "korea-2017", data: Observed | None = None,
                  grid: dict[str, Sequence[float]] | None = None, refine: bool = True) -> StrategicFit:
    """Fit the logit precision and utility weights by a batched grid search, refined near the best point."""
    import time

    t0 = time.perf_counter()
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    data = data if data is not None else observed_sequence(sc)
    g = {k: np.asarray(v, dtype=float) for k, v in (grid or DEFAULT_GRID).items()}
    lams = g.pop(LAMBDA)
    wnames = tuple(g)
    combos = np.array(list(product(*g.values()))) if wnames else np.zeros((1, 0))
    table = np.empty((len(lams), len(combos)))
    for i, lam in enumerate(lams):
        table[i] = log_likelihoods(sc, data, lam, {n: combos[:, j] for j, n in enumerate(wnames)})
    shape = (len(lams), *(len(v) for v in g.values()))
    cube = table.reshape(shape)
    i_best = np.unravel_index(int(np.argmax(cube)), shape)
    best_ll = float(cube[i_best])
    best = {LAMBDA: float(lams[i_best[0]]), **{n: float(g[n][i_best[j + 1]]) for j, n in enumerate(wnames)}}

    if refine:  # a finer grid around the best point: half a coarse step each way
        def near(values: np.ndarray, i: int, log: bool = False) -> np.ndarray:
            lo = values[max(i - 1, 0)]
            hi = values[min(i + 1, len(values) - 1)]
            if log:
                return np.unique(np.geomspace(np.sqrt(lo * values[i]), np.sqrt(hi * values[i]), 5))
            return np.unique(np.linspace((lo + values[i]) / 2, (hi + values[i]) / 2, 5))

        fine_l = near(lams, i_best[0], log=True)
        fine_w = [near(g[n], i_best[j + 1]) for j, n in enumerate(wnames)]
        fcombos = np.array(list(product(*fine_w))) if wnames else np.zeros((1, 0))
        for lam in fine_l:
            ll = log_likelihoods(sc, data, lam, {n: fcombos[:, j] for j, n in enumerate(wnames)})
            j = int(np.argmax(ll))
            if ll[j] > best_ll:
                best_ll = float(ll[j])
                best = {LAMBDA: float(lam), **{n: float(fcombos[j, q]) for q, n in enumerate(wnames)}}

    names = (LAMBDA, *wnames)
    axes = {LAMBDA: lams, **g}
    coarse_best = float(cube.max())
    wald: dict[str, tuple[float, float, float]] = {}
    if refine:
        wald, best, best_ll = _local_wald(sc, data, best, best_ll, {LAMBDA: lams, **g})
    profiles, intervals, verdicts = {}, {}, {}
    for ax, n in enumerate(names):
        values = axes[n]
        prof, interval, verdict = _profile(values, cube, ax, coarse_best)
        profiles[n] = (values, prof)
        lo, hi = interval
        intervals[n] = (min(lo, best[n]), max(hi, best[n]))
        verdicts[n] = verdict
    return StrategicFit(names=names, estimate=best, interval=intervals, identified=verdicts,
                        log_likelihood=best_ll, n_decisions=data.n_decisions, profiles=profiles,
                        null_log_likelihood=_null_ll(sc, data), seconds=time.perf_counter() - t0,
                        wald=wald, extra={"months": list(data.months),
                               "actions": [ACTIONS[a] for a in data.actions[0] if a >= 0]})


def _stencil(scenario: Scenario, data: Observed, names: tuple[str, ...], centre: np.ndarray,
             h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Quadratic fit of the log-likelihood on a 3^P stencil: gradient, Hessian (parameter units), centre ll."""
    P = len(names)
    offsets = np.array(list(product((-1.0, 0.0, 1.0), repeat=P)))
    pts = centre + offsets * h
    ll = np.empty(len(pts))
    for lam_code in (-1.0, 0.0, 1.0):
        sel = offsets[:, 0] == lam_code
        lam = float(np.exp(centre[0] + lam_code * h[0]))
        ll[sel] = log_likelihoods(scenario, data, lam, {n: pts[sel, j] for j, n in enumerate(names) if j > 0})
    iu = np.triu_indices(P)
    X = np.column_stack([np.ones(len(offsets)), offsets,
                         *(offsets[:, a] * offsets[:, b] * (0.5 if a == b else 1.0)
                           for a, b in zip(*iu, strict=True))])
    coef, *_ = np.linalg.lstsq(X, ll, rcond=None)
    Hs = np.zeros((P, P))
    for q, (a, b) in enumerate(zip(*iu, strict=True)):
        Hs[a, b] = Hs[b, a] = coef[1 + P + q]
    centre_ll = float(ll[np.all(offsets == 0, axis=1)][0])
    return coef[1:1 + P] / h, Hs / np.outer(h, h), pts[int(np.argmax(ll))], centre_ll


def _local_wald(scenario: Scenario, data: Observed, best: dict[str, float], best_ll: float,
                axes: dict[str, np.ndarray], iterations: int = 3
                ) -> tuple[dict[str, tuple[float, float, float]], dict[str, float], float]:
    """Local optimisation and Wald SEs: Newton steps on quadratics fitted to 3^P stencils (one solve per
    lambda value, weights batched), then SEs from the last quadratic's curvature.

    lambda is taken on the log scale; stencil steps are a quarter of the coarse grid's steps; a Newton
    step is kept within two stencil steps and inside the coarse grid's box. A parameter whose curvature is
    not negative, or whose estimate sits on the box's edge, gets an infinite SE (no Wald interval).
    """
    names = tuple(best)
    P = len(names)
    centre = np.array([np.log(best[n]) if n == LAMBDA else best[n] for n in names])
    h = np.empty(P)
    for j, n in enumerate(names):
        v = np.log(axes[n]) if n == LAMBDA else axes[n]
        h[j] = 0.25 * (float(np.mean(np.diff(v))) if len(v) > 1 else 1.0)
    lower = np.array([np.log(axes[n].min()) if n == LAMBDA else axes[n].min() for n in names])
    upper = np.array([np.log(axes[n].max()) if n == LAMBDA else axes[n].max() for n in names])
    for it in range(iterations):
        grad, H, best_pt, centre_ll = _stencil(scenario, data, names, centre, h)
        if centre_ll >= best_ll:
            best_ll = centre_ll
            best = {n: float(np.exp(centre[j]) if n == LAMBDA else centre[j]) for j, n in enumerate(names)}
        if it == iterations - 1:
            break
        try:
            step = np.linalg.solve(-H, grad) if np.all(np.linalg.eigvalsh(-H) > 0) else best_pt - centre
        except np.linalg.LinAlgError:
            step = best_pt - centre
        centre = np.clip(centre + np.clip(step, -2 * h, 2 * h), lower, upper)
    out: dict[str, tuple[float, float, float]] = {}
    try:
        var = np.diag(np.linalg.inv(-H))
        if np.any(np.linalg.eigvalsh(-H) <= 0):
            var = np.where(np.diag(-H) > 0, var, np.inf)
    except np.linalg.LinAlgError:
        var = np.full(P, np.inf)
    centre = np.array([np.log(best[n]) if n == LAMBDA else best[n] for n in names])
    edge = (np.abs(centre - lower) < 1e-9) | (np.abs(centre - upper) < 1e-9)
    for j, n in enumerate(names):
        se = float(np.sqrt(var[j])) if np.isfinite(var[j]) and var[j] > 0 and not edge[j] else float("inf")
        lo, hi = centre[j] - 1.96 * se, centre[j] + 1.96 * se
        if n == LAMBDA:
            lo, hi = float(np.exp(lo)), (float(np.exp(hi)) if np.isfinite(hi) else float("inf"))
        out[n] = (se, float(lo), float(hi))
    return out, best, best_ll


def simulate_histories(scenario: Scenario, lam: float, weights: dict[str, float], histories: int,
                       steps: Sequence[int], seed: int = 0) -> Observed:
    """Synthetic histories drawn from the logit planner at known parameters (for recovery tests).

    States follow the same reconstruction as the likelihood (`state_path`); a history goes on through a
    freeze (in the frozen status, until a test breaks it) and stops at a deal, an invasion or nuclear use.
    """
    c = _compiled(scenario, {k: float(v) for k, v in weights.items()})
    sol = solve(c, Decision("logit", float(lam)))
    talks, tests = _moves(c)
    rng = np.random.default_rng(seed)
    T = len(steps)
    actions = np.full((histories, T), -1, dtype=np.int64)
    x = np.zeros(histories)
    tm = np.zeros(histories, dtype=np.int64)
    alive = np.ones(histories, dtype=bool)
    status = np.full(histories, Status.OPEN, dtype=np.int64)
    for j, t in enumerate(steps):
        k = np.clip(np.rint(x), 0, sol.grid.K - 1).astype(np.int64)
        m = np.minimum(tm, sol.grid.M - 1)
        p = sol.policy(int(t))[:, 0, k, m, status_index(sol.grid, status)]  # (A, h)
        a = (rng.random(histories)[None, :] > np.cumsum(p, axis=0)).sum(axis=0).clip(0, p.shape[0] - 1)
        actions[alive, j] = a[alive]
        x = np.clip(x + np.array([talks.get(int(v), 0.0) for v in a]), 0, sol.grid.K - 1)
        tm = tm + np.array([tests.get(int(v), 0) for v in a])
        status = next_status(status, a)
        alive &= ~np.isin(a, HISTORY_END_ACTIONS)
    return Observed(steps=np.asarray(steps, dtype=np.int64), actions=actions)
