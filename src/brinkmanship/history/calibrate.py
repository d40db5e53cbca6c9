"""Maximum-likelihood calibration of the base-rate adversary to the monthly record of 2016-2017.

Each month of the record is one observed action class (see `history.record`: nuclear-test month, launch
month, other provocation, quiet). Its probability is the base-rate policy's (`engine.decision.BaseRatePolicy`)
at that month's observed state, conditional on the crisis going on (no deal, freeze, invasion or nuclear use:
the record is a crisis that lasted). The fitted parameters are the missile-test, nuclear-test and
provocation log-odds and the exercises effect; standard errors come from the observed information (a
central-difference Hessian of the negative log-likelihood) and 95% intervals from the profile likelihood.
The other parameters keep their scenario values; the strategy in force is `maximum-pressure` (China and
Russia pressed to enforce, exercises kept, no talks), the closest to US policy in 2016-2017.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy import optimize

from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import HOLD, MISSILE, NEGOTIATE, NUCLEAR_TEST, PROVOCATION
from brinkmanship.engine.decision import BaseRatePolicy, Observation
from brinkmanship.history.record import CLASSES, Record, monthly_record
from brinkmanship.outfiles import write_text
from brinkmanship.spec import Scenario, load_scenario, load_strategy

__all__ = [
    "CALIBRATION_NOTE",
    "FITTED",
    "CalibrationFit",
    "calibrate",
    "calibrated_yaml",
    "class_probabilities",
    "fit_base_rate",
    "write_calibrated_scenario",
]

FITTED: tuple[str, ...] = ("base_rate.missile_test", "base_rate.nuclear_test", "base_rate.provocation",
                           "base_rate.exercises_effect")
CALIBRATION_NOTE = "fitted by brink backtest to 2016-2017, MLE"
CALIBRATION_STRATEGY = "maximum-pressure"
Z95 = 1.959963984540054
CHI2_95 = 3.841458820694124


@dataclass
class CalibrationFit:
    """The fit: estimates, standard errors, 95% intervals (profile likelihood), log-likelihood and data."""

    names: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    interval: np.ndarray  # (P, 2) 95% profile-likelihood interval (Wald where the profile was not run)
    log_likelihood: float
    months: int
    counts: dict[str, int]
    start_values: np.ndarray
    period: tuple[str, str]
    converged: bool
    interval_method: str = "profile likelihood"
    extra: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready summary: one entry per parameter with estimate, SE and interval."""
        return {
            "period": list(self.period), "months": self.months, "class_counts": self.counts,
            "log_likelihood": self.log_likelihood, "converged": self.converged,
            "interval_method": self.interval_method,
            "parameters": {
                n: {"estimate": float(e), "se": float(s), "low": float(lo), "high": float(hi),
                    "scenario_value": float(v0)}
                for n, e, s, (lo, hi), v0 in zip(self.names, self.estimate, self.se, self.interval,
                                                 self.start_values, strict=True)
            },
        }


def _compiled(scenario: Scenario) -> Compiled:
    return compile_model(scenario, load_strategy(CALIBRATION_STRATEGY, scenario))


def class_probabilities(c: Compiled, record: Record, names: tuple[str, ...], theta: np.ndarray) -> np.ndarray:
    """(S, T, 4) probabilities of each class (`record.CLASSES`) per month for S parameter vectors `theta`.

    Conditional on the crisis going on: the four classes' probabilities are renormalised to sum to 1.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    S, T = theta.shape[0], len(record.classes)
    n = S * T
    vals = dict(c.values)
    for j, name in enumerate(names):
        vals[name] = np.repeat(theta[:, j], T)
    cc = replace(c, values=vals)
    zeros = np.zeros(n)
    obs = Observation(
        t=0, warheads=np.full(n, float(c["initial.warheads"])),
        delivery=np.broadcast_to(dyn.delivery(c, np.zeros(n, dtype=np.int64)), (n,)),
        tests=np.zeros(n, dtype=np.int64), economy=np.full(n, float(c["initial.economy"])),
        sanctions=np.tile(record.sanctions_level * dyn.enforcement(c), S), talks=zeros,
        talks_idx=np.zeros(n, dtype=np.int64), lists_left=np.zeros((len(c.list_sizes), n), dtype=np.int64),
        struck=zeros, posture=c.posture(0),
        exercises=np.tile(record.exercises, S),  # type: ignore[arg-type]  # per-month levels, broadcast
    )
    p = BaseRatePolicy().action_probabilities(cc, obs)
    out = np.stack([p[HOLD] + p[NEGOTIATE], p[MISSILE], p[NUCLEAR_TEST], p[PROVOCATION]], axis=-1)
    out = out / out.sum(axis=-1, keepdims=True)
    return out.reshape(S, T, len(CLASSES))


def _nll_batch(c: Compiled, record: Record, names: tuple[str, ...], theta: np.ndarray) -> np.ndarray:
    p = class_probabilities(c, record, names, theta)
    T = len(record.classes)
    picked = p[:, np.arange(T), record.classes]
    return -np.log(np.maximum(picked, 1e-300)).sum(axis=1)


def _hessian(f, x: np.ndarray, h: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of a scalar function."""
    P = x.size
    H = np.empty((P, P))
    for i in range(P):
        for j in range(i, P):
            ei, ej = np.eye(P)[i] * h, np.eye(P)[j] * h
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
            H[i, j] = H[j, i] = v
    return H


def _profile_interval(f, x_hat: np.ndarray, f_hat: float, j: int, se: float) -> tuple[float, float]:
    """95% profile-likelihood interval of parameter j (others re-optimised), by root finding."""
    others = [k for k in range(x_hat.size) if k != j]
    cache: dict[float, np.ndarray] = {}

    def prof(v: float) -> float:
        start = cache.get(v, x_hat[others])

        def g(y: np.ndarray) -> float:
            x = x_hat.copy()
            x[j], x[others] = v, y
            return f(x)

        r = optimize.minimize(g, start, method="BFGS")
        cache[v] = r.x
        return 2 * (r.fun - f_hat) - CHI2_95

    step = se if np.isfinite(se) and se > 0 else 1.0
    out = []
    for sign in (-1.0, 1.0):
        lo, hi = 0.0, step
        while prof(x_hat[j] + sign * hi) < 0 and hi < 50 * step:
            lo, hi = hi, 2 * hi
        if prof(x_hat[j] + sign * hi) < 0:
            out.append(x_hat[j] + sign * hi)  # flat: report the search edge
            continue
        root = optimize.brentq(lambda d, sign=sign: prof(x_hat[j] + sign * d), lo, hi, xtol=1e-3)
        out.append(x_hat[j] + sign * root)
    return float(out[0]), float(out[1])


def fit_base_rate(scenario: Scenario, record: Record, names: tuple[str, ...] = FITTED,
                  profile: bool = True) -> CalibrationFit:
    """Maximum-likelihood fit of `names` to the record's classes; SEs and 95% intervals."""
    c = _compiled(scenario)
    x0 = np.array([float(c[n]) for n in names])

    def f(x: np.ndarray) -> float:
        return float(_nll_batch(c, record, names, x[None, :])[0])

    res = optimize.minimize(f, x0, method="BFGS")
    x_hat = res.x
    f_hat = float(res.fun)
    H = _hessian(f, x_hat)
    try:
        cov = np.linalg.inv(H)
        se = np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))
    except np.linalg.LinAlgError:
        se = np.full(x_hat.size, np.nan)
    wald = np.stack([x_hat - Z95 * se, x_hat + Z95 * se], axis=1)
    if profile:
        interval = np.array([_profile_interval(f, x_hat, f_hat, j, se[j]) for j in range(x_hat.size)])
        method = "profile likelihood"
    else:
        interval, method = wald, "Wald (estimate +- 1.96 SE)"
    return CalibrationFit(
        names=tuple(names), estimate=x_hat, se=se, interval=interval, log_likelihood=-f_hat,
        months=len(record.classes), counts=record.counts, start_values=x0,
        period=(str(record.months[0]), str(record.months[-1])),
        converged=bool(res.success or np.linalg.norm(res.jac) < 1e-3), interval_method=method,
        extra={"wald": wald},
    )


def calibrate(scenario: str | Scenario = "korea-2017", start: str = "2016-01", end: str = "2017-12",
              profile: bool = True) -> CalibrationFit:
    """Fit the base-rate adversary of `scenario` to the packaged record from `start` to `end`."""
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    return fit_base_rate(sc, monthly_record(sc, start, end), profile=profile)


# -- the calibrated scenario file -------------------------------------------------------------------------

def _entry(name: str, value: float, low: float, high: float, se: float, source: str | None,
           was: float, indent: int) -> str:
    src = f" source: {source}," if source else ""
    note = (f"{CALIBRATION_NOTE}: {value:.3f} +- {se:.3f} (SE, observed information); "
            f"95% profile-likelihood interval [{low:.3f}, {high:.3f}]; korea-2017 had {was:g}")
    pad = " " * (indent + len(name) + 3)
    return (f"{' ' * indent}{name}: {{value: {value:.3f}, range: [{low:.3f}, {high:.3f}], assumption: true,{src}\n"
            f'{pad}note: "{note}"}}')


def calibrated_yaml(base_text: str, fit: CalibrationFit, base: Scenario) -> str:
    """The scenario file `base_text` with the fitted base-rate values written in, name `<base>-calibrated`."""
    text = re.sub(r"^name: .*$", f"name: {base.name}-calibrated", base_text, count=1, flags=re.M)
    text = re.sub(r"^title: (.*)$", r"title: \1 (base rates fitted to 2016-2017)", text, count=1, flags=re.M)
    start = text.index("\nbase_rate:\n") + 1
    nxt = re.search(r"^\S", text[start + len("base_rate:\n"):], flags=re.M)
    end = start + len("base_rate:\n") + (nxt.start() if nxt else len(text) - start - len("base_rate:\n"))
    block = text[start:end]
    params = base.params()
    for name, value, se, (low, high) in zip(fit.names, fit.estimate, fit.se, fit.interval, strict=True):
        section, key = name.split(".", 1)
        if section != "base_rate":
            raise ValueError(f"only base_rate parameters are written; got {name}")
        old = params[name]
        lo, hi = min(round(low, 3), round(value, 3)), max(round(high, 3), round(value, 3))
        new = _entry(key, value, lo, hi, se, old.source, old.value, 2)
        pattern = re.compile(rf"^  {re.escape(key)}: \{{.*?\}}[ \t]*$", flags=re.M | re.S)
        block, count = pattern.subn(lambda _m, new=new: new, block, count=1)
        if count != 1:
            raise ValueError(f"base_rate.{key} not found in the scenario file")
    header = (f"# {base.name}-calibrated: {base.name} with the base-rate adversary's "
              f"{', '.join(n.split('.', 1)[1] for n in fit.names)} fitted by maximum likelihood to the\n"
              f"# monthly record {fit.period[0]}..{fit.period[1]} ({fit.months} months; classes {fit.counts}),"
              f" log-likelihood {fit.log_likelihood:.2f}.\n"
              "# Written by brinkmanship.history.calibrate (`python -m brinkmanship.history.calibrate`); "
              "`brink backtest` refits it.\n")
    return header + text[:start] + block + text[end:]


def write_calibrated_scenario(path: str | Path, fit: CalibrationFit | None = None,
                              base: str = "korea-2017") -> Path:
    """Fit (unless given) and write the calibrated variant of the packaged scenario `base` to `path`."""
    from brinkmanship.spec.loader import scenario_dir

    sc = load_scenario(base)
    fit = fit if fit is not None else calibrate(sc)
    text = (scenario_dir() / f"{base}.yaml").read_text(encoding="utf-8")
    out = Path(path)
    write_text(out, calibrated_yaml(text, fit, sc))
    return out


if __name__ == "__main__":  # regenerate the packaged variant
    from brinkmanship.spec.loader import scenario_dir

    target = scenario_dir() / "korea-2017-calibrated.yaml"
    f = calibrate()
    write_calibrated_scenario(target, f)
    print(f"wrote {target}")
    for row in f.as_dict()["parameters"].items():  # type: ignore[union-attr]
        print(row)
