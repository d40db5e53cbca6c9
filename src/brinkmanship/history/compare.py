"""An honest model comparison: fit on the record up to a cut month, score every model on the months after it.

Each candidate is an adversary model with a parameter set:
- `climatology`: the record's class frequencies up to the cut (the baseline every model must beat);
- `base-rate`, default: the scenario's numbers as written;
- `base-rate`, calibrated: the missile-test, nuclear-test and provocation intercepts and the exercises
  effect refitted by maximum likelihood (`history.calibrate.fit_base_rate`) to the record up to the cut;
- `logit:<lambda>`, default: the logit planner at the given precision;
- `logit`, calibrated: the precision from a grid that maximises the forecast's log-likelihood of the
  record months between the scenario's start and the cut (none when there are no such months);
- `rational`. The planner does not read the base rates, so the calibrated base rates change only the
  base-rate model.
No fit sees a month after the cut: `fit_variants` is given the record cut at the cut month. Every forecast
then runs from the scenario's start and is scored (log-likelihood, Brier) on the months after the cut;
the ranking is by held-out log-likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from brinkmanship.errors import InputError
from brinkmanship.history.backtest import (
    BACKTEST_STRATEGY,
    backtest,
    climatology,
    default_record,
    forecast_window,
    month_brier,
    month_log_scores,
)
from brinkmanship.history.calibrate import fit_base_rate
from brinkmanship.history.events import _month
from brinkmanship.history.record import Record
from brinkmanship.spec import Scenario, Strategy, load_scenario, load_strategy

__all__ = ["DEFAULT_CUT", "DEFAULT_LOGIT", "LAMBDA_GRID", "Variant", "compare_models", "fit_variants",
           "held_out_scores", "record_until"]

DEFAULT_CUT = "2017-12"  # the end of the calibration period: the months after it are 2018, the détente
DEFAULT_LOGIT = "logit:1"
LAMBDA_GRID: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0)


@dataclass(frozen=True)
class Variant:
    """One candidate: an adversary model, the name of its parameter set, the numbers that set changes."""

    adversary: str
    params: str
    values: dict[str, float] = field(default_factory=dict)
    fit: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """`model (params)`, e.g. `base-rate (calibrated)`."""
        return f"{self.adversary} ({self.params})"


def record_until(record: Record, cut: str | pd.Period) -> Record:
    """The record's months up to and including `cut` (what a fit may see)."""
    keep = record.months <= pd.Period(cut, freq="M")
    if not keep.any():
        raise InputError(f"the cut {cut} is before the record's first month {record.months[0]}", field="--cut",
                         fix=f"give a cut month from {record.months[0]} on")
    return replace(record, months=record.months[keep], classes=record.classes[keep],
                   exercises=record.exercises[keep], sanctions_level=record.sanctions_level[keep],
                   talks_or_summit=record.talks_or_summit[keep], aggregates=record.aggregates.loc[keep])


def fit_variants(sc: Scenario, st: Strategy, train: Record, runs: int, seed: int,
                 logit: str = DEFAULT_LOGIT, lambdas: tuple[float, ...] = LAMBDA_GRID) -> list[Variant]:
    """The candidates, each fitted on `train` only (the record up to the cut)."""
    fit = fit_base_rate(sc, train, profile=False)
    cal = {n: float(v) for n, v in zip(fit.names, fit.estimate, strict=True)}
    out = [Variant("base-rate", "default"),
           Variant("base-rate", "calibrated", cal, {"method": "MLE on the record to the cut",
                                                    "period": list(fit.period), "log_likelihood": fit.log_likelihood,
                                                    "estimates": cal}),
           Variant(logit, "default")]
    in_window = _train_window(sc, train)
    if in_window is not None:
        lls = np.array([backtest(sc, runs, seed, st, f"logit:{lam:g}", record=train, start=in_window[0],
                                 end=in_window[1])["log_likelihood"] for lam in lambdas])
        best = float(lambdas[int(np.argmax(lls))])
        out.append(Variant(f"logit:{best:g}", "calibrated", {}, {
            "method": "precision with the best forecast log-likelihood of the months "
                      f"{in_window[0]}..{in_window[1]}", "grid": list(lambdas), "log_likelihoods": lls.tolist()}))
    out.append(Variant("rational", "default"))
    return out


def held_out_scores(result: dict[str, Any], cut: pd.Period) -> dict[str, float | None]:
    """Split a backtest's monthly scores at the cut: held-out log-likelihood and Brier, the log-likelihood
    of the months before the cut, and the mean P(negotiate) in the held-out months with talks."""
    after = [m for m in result["months"] if pd.Period(m["month"], freq="M") > cut]
    before = [m for m in result["months"] if pd.Period(m["month"], freq="M") <= cut]
    talks = [m["predicted"]["p_negotiate"] for m in after if m["observed"]["talks_or_summit"]]
    return {"log_likelihood": float(sum(m["log_likelihood"] for m in after)),
            "brier": float(np.mean([m["brier"] for m in after])),
            "log_likelihood_before_cut": float(sum(m["log_likelihood"] for m in before)) if before else None,
            "p_talks_in_talks_months": float(np.mean(talks)) if talks else None}


def _train_window(sc: Scenario, train: Record) -> tuple[str, str] | None:
    """The scored months a forecast from the scenario's start has before the cut, or None."""
    try:
        idx, _ = forecast_window(sc, train)
    except InputError:
        return None
    return str(train.months[idx[0]]), str(train.months[idx[-1]])


def compare_models(scenario: str | Scenario = "korea-2017", strategy: str | Strategy = BACKTEST_STRATEGY,
                   record: Record | None = None, cut: str = DEFAULT_CUT, end: str | None = None,
                   runs: int = 10_000, seed: int = 0, logit: str = DEFAULT_LOGIT,
                   lambdas: tuple[float, ...] = LAMBDA_GRID) -> dict[str, Any]:
    """Fit every candidate on the record up to `cut`, score it on the months after, rank by held-out
    log-likelihood. Returns the ranked rows and, per candidate, its backtest over the whole forecast window
    (scored months before the cut included, for the figures; they do not enter the ranking)."""
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    st = strategy if isinstance(strategy, Strategy) else load_strategy(strategy, sc)
    rec = record if record is not None else default_record(sc)
    cut_m = _month(cut, "--cut")
    first = str(cut_m + 1)
    idx, _ = forecast_window(sc, rec, first, end)  # checks the held-out months exist
    train = record_until(rec, cut_m)
    variants = fit_variants(sc, st, train, runs, seed, logit, lambdas)
    held = rec.classes[idx]
    freq = climatology(train.classes)
    base_prob = np.broadcast_to(freq, (len(idx), freq.size))
    rows: list[dict[str, Any]] = [{
        "model": "climatology", "params": "class frequencies to the cut",
        "log_likelihood": float(month_log_scores(base_prob, held).sum()),
        "brier": float(month_brier(base_prob, held).mean()),
        "log_likelihood_before_cut": None, "p_moratorium_mid_2018": None, "p_talks_in_talks_months": None,
        "fit": {"frequencies": freq.tolist()},
    }]
    results: dict[str, dict[str, Any]] = {}
    for v in variants:
        r = backtest(sc, runs, seed, st, v.adversary, record=rec, end=end, values=v.values)
        results[v.label] = r
        rows.append({"model": v.adversary, "params": v.params, **held_out_scores(r, cut_m),
                     "p_moratorium_mid_2018": r["p_moratorium_mid_2018"], "fit": v.fit})
    rows.sort(key=lambda row: -row["log_likelihood"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    months = rec.months[idx]
    return {
        "scenario": sc.name, "strategy": st.name, "runs": runs, "seed": seed, "cut": str(cut_m),
        "fit_months": [str(train.months[0]), str(train.months[-1])],
        "held_out": [str(months[0]), str(months[-1])], "held_out_months": len(idx),
        "held_out_classes": {k: int(n) for k, n in zip(("quiet", "missile_test", "nuclear_test", "provocation"),
                                                        np.bincount(held, minlength=4), strict=True)},
        "observed_talks_months": [str(m) for m in months[rec.talks_or_summit[idx]]],
        "rows": rows, "results": results,
        "method": {"fit": "every fit sees only the record to the cut; the forecasts run from the scenario's "
                          "start; scores are on the months after the cut",
                   "rank": "held-out log-likelihood, higher is better", "logit_grid": list(lambdas)},
    }

