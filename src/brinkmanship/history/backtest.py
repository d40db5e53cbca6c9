"""Backtest: the model's monthly forecast from a scenario's start against an observed monthly record.

Any scenario, strategy and adversary model (`base-rate`, `logit:<lambda>`, `rational`; a decision model
through the `DecisionModel` interface). The strategy is simulated from the scenario's start; each run's
monthly actions are recorded with the engine's own random draws (the same runs `simulate` gives for the
seed), so per-run paths, not only monthly totals, are scored:
- monthly forecasts of the observed class (`history.record`: nuclear test, launch, other provocation,
  quiet) and of missiles launched (mean and 90% interval across runs) against the record;
- the log score (log-likelihood of the observed monthly classes under the monthly forecasts), the Brier
  score, a calibration table and the months the model got most wrong, each beside a climatology baseline
  (the record's class frequencies before the scored window);
- "no war": no major or nuclear war by the end of the window; for the Korean record, "a test moratorium
  by mid 2018": no launch and no nuclear test from December 2017 to June 2018 with the crisis not at war,
  or the freeze outcome reached by the end of June 2018.
The record is the packaged 2016-2018 Korean record or a user's record file (`history.recordfile`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from brinkmanship.engine.budget import simulation_memory
from brinkmanship.engine.chunk import M_ACTION, M_DETAIL, Chunk, salvo_size, sample_categorical
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import (
    FREEZE,
    MAJOR_WAR,
    MISSILE,
    NEGOTIATE,
    NUCLEAR_TEST,
    NUCLEAR_WAR,
    PROVOCATION,
)
from brinkmanship.engine.decision import DecisionModel, Observation, StrikeInfo, get_decision_model
from brinkmanship.engine.simulate import stream_sizes
from brinkmanship.engine.streams import Streams
from brinkmanship.errors import InputError
from brinkmanship.history.events import _month
from brinkmanship.history.record import (
    CLASSES,
    MISSILE_C,
    NUCLEAR_C,
    PROVOCATION_C,
    QUIET,
    Record,
    month_step,
    monthly_record,
)
from brinkmanship.limits import check_memory
from brinkmanship.outfiles import atomic_open, prepare_out_dir
from brinkmanship.spec import Scenario, Strategy, load_scenario, load_strategy

__all__ = [
    "BACKTEST_STRATEGY",
    "WINDOW",
    "RecordedRuns",
    "backtest",
    "calibration_table",
    "climatology",
    "default_record",
    "forecast_window",
    "month_brier",
    "month_log_scores",
    "record_runs",
    "smoothed_shares",
    "write_backtest_files",
]

BACKTEST_STRATEGY = "maximum-pressure"
WINDOW = ("2017-10", "2018-12")  # the packaged record's months after korea-2017's start
RECORD_SPAN = ("2016-01", "2018-12")
MORATORIUM = ("2017-12", "2018-06")
WORST = 3  # months listed as the model's worst against the climatology


class _Recorder:
    """Wraps a decision model and records each run's drawn action, with the engine's own uniforms."""

    def __init__(self, model: DecisionModel, chunk: _RecordingChunk) -> None:
        self.model, self.chunk, self.name = model, chunk, model.name

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        p = self.model.action_probabilities(c, obs)
        ch = self.chunk
        ids = ch.last_ids
        a = sample_categorical(p, ch.u_full[M_ACTION, ids])  # the draw Chunk makes from the same numbers
        ch.actions[obs.t, ids] = a
        m = ids[a == MISSILE]
        ch.missiles[obs.t, m] = salvo_size(c, ch.u_full[M_DETAIL, m])
        return p

    def response_probabilities(self, c: Compiled, obs: Observation, strikes: StrikeInfo) -> np.ndarray:
        return self.model.response_probabilities(c, obs, strikes)


class _RecordingChunk(Chunk):
    """A chunk that keeps every run's action and missiles per month (runs in their original order)."""

    def __init__(self, c: Compiled, model: DecisionModel, streams: Streams) -> None:
        n = streams.stop - streams.start
        self.actions = np.full((c.horizon, n), -1, dtype=np.int8)
        self.missiles = np.zeros((c.horizon, n))
        self.phases = np.zeros((c.horizon + 1, n), dtype=np.int8)
        self.last_ids = np.zeros(0, dtype=np.int64)
        draw = streams.month

        def month(runs: np.ndarray | None = None) -> np.ndarray:
            self.u_full = draw()  # every run's numbers (recorded by original index)
            return self.u_full if runs is None else self.u_full[:, runs]

        streams.month = month  # type: ignore[method-assign]
        super().__init__(c, _Recorder(model, self), streams)
        self.phases[0] = self.phase

    def observe(self, t: int, idx: np.ndarray) -> tuple[Observation, Compiled]:
        self.last_ids = self.orig[idx]
        return super().observe(t, idx)

    def step(self, t: int) -> None:
        self.phases[t + 1] = self.phases[t]
        self._t = t
        super().step(t)

    def _compact(self) -> None:
        self.phases[self._t + 1, self.orig] = self.phase  # before closed runs leave the working arrays
        super()._compact()


class RecordedRuns:
    """Per-run monthly actions (H, runs; -1 once closed), missiles (H, runs) and phase at each month's end."""

    def __init__(self, chunk: _RecordingChunk) -> None:
        self.actions, self.missiles, self.phases = chunk.actions, chunk.missiles, chunk.phases
        self.action_counts = chunk.action_counts

    def classes(self) -> np.ndarray:
        """(H, runs) observed class of each run-month (closed runs are quiet)."""
        a = self.actions
        out = np.full(a.shape, QUIET, dtype=np.int64)
        out[a == MISSILE] = MISSILE_C
        out[a == NUCLEAR_TEST] = NUCLEAR_C
        out[a == PROVOCATION] = PROVOCATION_C
        return out


def record_runs(c: Compiled, model: DecisionModel, runs: int, seed: int) -> RecordedRuns:
    """Simulate `runs` runs in one chunk (the same numbers as `simulate` with this seed) and keep their paths."""
    streams = Streams(seed, 0, runs, *stream_sizes(c), key=())
    ch = _RecordingChunk(c, model, streams)
    for t in range(c.horizon):
        ch.step(t)
    return RecordedRuns(ch)


def _interval(x: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return x.mean(axis=axis), np.quantile(x, 0.05, axis=axis), np.quantile(x, 0.95, axis=axis)


def _fmt_p(p: float) -> str:
    return f"{p:.0%}" if 0.01 <= p <= 0.99 else f"{p:.3f}"


# -- scores: plain functions on arrays, vectorised over any leading axes -----------------------------------

def smoothed_shares(counts: np.ndarray, n: int | np.ndarray) -> np.ndarray:
    """Jeffreys-smoothed class shares (counts + 1/2) / (n + 2) over the last axis (4 classes): never 0."""
    return (np.asarray(counts, dtype=float) + 0.5) / (np.asarray(n, dtype=float)[..., None] + 2.0)


def climatology(classes: np.ndarray) -> np.ndarray:
    """(4,) smoothed class frequencies of a run of observed months (uniform when there are none)."""
    return smoothed_shares(np.bincount(classes, minlength=len(CLASSES)), np.asarray(len(classes)))


def month_log_scores(prob: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """log P(observed class) per month: prob (T, 4), observed (..., T) class codes -> (..., T)."""
    T = prob.shape[-2]
    return np.log(prob)[np.arange(T), observed]


def month_brier(prob: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Four-class Brier score per month, halved to lie in [0, 1]: prob (T, 4), observed (..., T) -> (..., T)."""
    onehot = np.eye(prob.shape[-1])[observed]
    return ((prob - onehot) ** 2).sum(axis=-1) / 2.0


def calibration_table(prob: np.ndarray, observed: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    """Reliability of every (month, class) forecast: per probability bin, how many, mean forecast, observed rate."""
    p = prob.reshape(-1)
    o = np.eye(prob.shape[-1])[observed].reshape(-1)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges) - 1, 0, bins - 1)
    n = np.bincount(which, minlength=bins)
    sp = np.bincount(which, weights=p, minlength=bins)
    so = np.bincount(which, weights=o, minlength=bins)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "n": int(n[b]),
             "mean_forecast": float(sp[b] / n[b]), "observed_rate": float(so[b] / n[b])}
            for b in range(bins) if n[b]]


# -- the forecast window -----------------------------------------------------------------------------------

def default_record(scenario: Scenario) -> Record:
    """The packaged record, 2016-01..2018-12 (from the event file), in the scenario's terms."""
    return monthly_record(scenario, *RECORD_SPAN)


def forecast_window(scenario: Scenario, record: Record, start: str | None = None,
                    end: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(indexes into the record, scenario steps) of the scored months: from the first month after the
    scenario's start (or `start`) to the record's end inside the horizon (or `end`), YYYY-MM."""
    steps = np.array([month_step(scenario, m) for m in record.months])
    ok = (steps >= 1) & (steps < scenario.horizon_months)
    first_ok = (scenario.start.replace(day=1) + pd.DateOffset(months=1)).strftime("%Y-%m")
    if not ok.any():
        raise InputError(f"the record ({record.months[0]}..{record.months[-1]}) has no month inside scenario "
                         f"'{scenario.name}' ({first_ok} onward, {scenario.horizon_months} months)",
                         field="--record", fix="give a record that covers the months after the scenario's start")
    lo, hi = record.months[ok][0], record.months[ok][-1]
    a = _month(start, "--from") if start is not None else lo
    b = _month(end, "--to") if end is not None else hi
    if b < a:
        raise InputError(f"--to {b} is before --from {a}", field="--to", fix="give --to on or after --from")
    if a < lo or b > hi:
        raise InputError(f"{a}..{b} is outside the months the forecast can be scored on ({lo}..{hi}: the "
                         "record's months after the scenario's start month and inside its horizon)",
                         field="--from" if a < lo else "--to", fix=f"give months between {lo} and {hi}")
    idx = np.flatnonzero((record.months >= a) & (record.months <= b))
    return idx, steps[idx]


# -- the backtest ----------------------------------------------------------------------------------------

def backtest(scenario: str | Scenario = "korea-2017", runs: int = 10_000, seed: int = 0,
             strategy: str | Strategy = BACKTEST_STRATEGY, adversary: str | DecisionModel = "base-rate",
             record: Record | None = None, start: str | None = None, end: str | None = None,
             values: dict[str, float] | None = None, max_memory: int | None = None) -> dict[str, Any]:
    """Score the model's monthly forecast from the scenario's start against an observed record.

    Any scenario, strategy and adversary model (base-rate, logit:<lambda>, rational): the simulator runs the
    strategy from the scenario's start with the engine's own random numbers, and each scored month's class
    shares across runs are the forecast. `record` defaults to the packaged 2016-2018 record; `start`/`end`
    (YYYY-MM) narrow the scored months; `values` overrides model numbers (e.g. fitted base rates).
    Refuses (exit 2) runs whose recorded paths would exceed `max_memory` (default: the package limit).
    """
    if runs < 100:
        raise InputError(f"--runs {runs} is too few for a 90% interval", field="--runs",
                         fix="use at least 100 runs (10000 is the default)")
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    st = strategy if isinstance(strategy, Strategy) else load_strategy(strategy, sc)
    rec = record if record is not None else default_record(sc)
    idx, steps = forecast_window(sc, rec, start, end)
    model = get_decision_model(adversary)
    c = compile_model(sc, st)
    if values:
        unknown = sorted(set(values) - set(c.values))
        if unknown:
            raise InputError(f"unknown model numbers {unknown}", field="values", fix="use names of the scenario's numbers")
        c = replace(c, values={**c.values, **values})
    # one chunk keeps every run's monthly path (actions, missiles, phases, classes: ~26 bytes a run-month)
    check_memory(simulation_memory(c, runs, runs) + 26.0 * runs * (c.horizon + 1), max_memory,
                 f"backtesting {runs:,} runs", "use fewer --runs", field="--runs")
    rr = record_runs(c, model, runs, seed)
    cls = rr.classes()[steps]  # (T, runs)
    T = len(steps)
    counts = np.stack([(cls == k).sum(axis=1) for k in range(len(CLASSES))], axis=1)  # (T, 4)
    prob = smoothed_shares(counts, np.asarray(runs))
    raw = counts / runs
    obs = rec.classes[idx]
    months_idx = rec.months[idx]
    ll = month_log_scores(prob, obs)
    before = rec.classes[:idx[0]]  # the record before the first scored month: the climatology's data
    freq = climatology(before)
    ll_base = np.log(freq[obs])
    brier = month_brier(raw, obs)
    brier_base = month_brier(np.broadcast_to(freq, raw.shape), obs)
    onehot = np.eye(len(CLASSES))[obs]
    brier_launch = float(np.mean((raw[:, MISSILE_C] - onehot[:, MISSILE_C]) ** 2))
    brier_nuclear = float(np.mean((raw[:, NUCLEAR_C] - onehot[:, NUCLEAR_C]) ** 2))

    missiles = rr.missiles[steps]  # (T, runs)
    m_mean, m_lo, m_hi = _interval(missiles, axis=1)
    negotiate = (rr.actions[steps] == NEGOTIATE).mean(axis=1)
    aggs = rec.aggregates.iloc[idx]
    obs_missiles = int(aggs["missiles"].sum())
    totals = {
        "launch_months": _total((cls == MISSILE_C).sum(axis=0), int((obs == MISSILE_C).sum())),
        "nuclear_test_months": _total((cls == NUCLEAR_C).sum(axis=0), int((obs == NUCLEAR_C).sum())),
        "missiles": _total(missiles.sum(axis=0), obs_missiles),
    }
    war = np.isin(rr.phases[int(steps.max()) + 1], (MAJOR_WAR, NUCLEAR_WAR))
    mor = _moratorium(sc, rr, rec)
    talks = rec.talks_or_summit[idx]
    months = []
    for i, m in enumerate(months_idx):
        months.append({
            "month": str(m), "step": int(steps[i]),
            "predicted": {
                "p_launch": float(raw[i, MISSILE_C]), "p_nuclear_test": float(raw[i, NUCLEAR_C]),
                "p_provocation": float(raw[i, PROVOCATION_C]), "p_quiet": float(raw[i, QUIET]),
                "p_negotiate": float(negotiate[i]),
                "launches_mean": float(raw[i, MISSILE_C]), "nuclear_tests_mean": float(raw[i, NUCLEAR_C]),
                "missiles_mean": float(m_mean[i]), "missiles_q05": float(m_lo[i]), "missiles_q95": float(m_hi[i]),
            },
            "observed": {
                "class": CLASSES[obs[i]], "launch_events": int(aggs["launch_events"].iloc[i]),
                "launch_month": int(obs[i] == MISSILE_C), "missiles": int(aggs["missiles"].iloc[i]),
                "nuclear_tests": int(aggs["nuclear_tests"].iloc[i]), "talks_or_summit": bool(talks[i]),
            },
            "log_likelihood": float(ll[i]), "log_likelihood_baseline": float(ll_base[i]),
            "brier": float(brier[i]),
        })
    worst = np.argsort(ll, kind="stable")[:WORST]
    base_span = f"{rec.months[0]}..{rec.months[idx[0] - 1]}" if idx[0] > 0 else "none (uniform)"
    result: dict[str, Any] = {
        "scenario": sc.name, "strategy": st.name, "adversary": model.name, "runs": runs, "seed": seed,
        "window": [str(months_idx[0]), str(months_idx[-1])], "start": sc.start.isoformat(),
        "record": {"months": [str(rec.months[0]), str(rec.months[-1])], "scored": T,
                   "class_counts": {k: int((obs == i).sum()) for i, k in enumerate(CLASSES)}},
        "values": dict(values or {}),
        "log_likelihood": float(ll.sum()), "log_likelihood_baseline": float(ll_base.sum()),
        "log_likelihood_per_month": float(ll.mean()),
        "brier": float(brier.mean()), "brier_baseline": float(brier_base.mean()),
        "brier_by_event": {"launch_month": brier_launch, "nuclear_test_month": brier_nuclear},
        "calibration_table": calibration_table(raw, obs),
        "worst_months": [{"month": str(months_idx[i]), "observed": CLASSES[obs[i]],
                          "p_observed": float(raw[i, obs[i]]), "log_likelihood": float(ll[i]),
                          "log_likelihood_baseline": float(ll_base[i])} for i in worst],
        "p_no_war": float(1.0 - war.mean()),
        "p_no_war_2018": float(1.0 - war.mean()),
        "p_moratorium_mid_2018": mor[0], "p_freeze_by_2018_06": mor[1],
        "p_talks_in_talks_months": float(negotiate[talks].mean()) if talks.any() else None,
        "observed": {"no_war_2018": True, "moratorium_mid_2018": mor[2]},
        "definitions": {
            "classes": "per month: nuclear_test > launch (ballistic) > provocation (other launch) > quiet",
            "log_likelihood": "sum over the scored months of log P(observed class) under the monthly forecast "
                              "(Jeffreys-smoothed shares of runs)",
            "brier": "mean over the scored months of the four-class Brier score, halved to lie in [0, 1]",
            "baseline": f"climatology: class frequencies of the record before the window ({base_span})",
            "worst_months": "the months with the lowest log score (the climatology's beside it)",
            "no_war": "no major or nuclear war by the end of the window (the record is of a crisis that lasted)",
            "moratorium_mid_2018": f"no launch and no nuclear test {MORATORIUM[0]}..{MORATORIUM[1]} and not "
                                   "at war, or the freeze outcome by the end of 2018-06",
            "talks_in_talks_months": "mean share of runs that negotiate in the months the record marks as talks",
        },
        "months": months,
        "totals": totals,
    }
    result["wrong"] = _where_wrong(result)
    return result


def _total(x: np.ndarray, observed: int) -> dict[str, float]:
    mean, lo, hi = _interval(x.astype(float))
    return {"mean": float(mean), "q05": float(lo), "q95": float(hi), "observed": observed,
            "p_at_most_observed": float((x <= observed).mean())}


def _moratorium(sc: Scenario, rr: RecordedRuns, rec: Record) -> tuple[float | None, float | None, bool | None]:
    """P(test moratorium by mid 2018), P(freeze by 2018-06) and whether it happened, where the forecast
    covers those months (whatever the scored window); what happened is None where the record does not."""
    s0, s1 = (month_step(sc, pd.Period(x, freq="M")) for x in MORATORIUM)
    if s0 < 1 or s1 >= rr.actions.shape[0]:
        return None, None, None
    cls = rr.classes()[s0:s1 + 1]
    quiet_span = ~np.isin(cls, (MISSILE_C, NUCLEAR_C)).any(axis=0)
    after = rr.phases[s1 + 1]
    freeze_mid = after == FREEZE
    moratorium = (quiet_span & ~np.isin(after, (MAJOR_WAR, NUCLEAR_WAR))) | freeze_mid
    span = (rec.months >= pd.Period(MORATORIUM[0], freq="M")) & (rec.months <= pd.Period(MORATORIUM[1], freq="M"))
    observed = None
    if span.sum() == s1 - s0 + 1:
        observed = bool(~np.isin(rec.classes[span], (MISSILE_C, NUCLEAR_C)).any())
    return float(moratorium.mean()), float(freeze_mid.mean()), observed


def _where_wrong(r: dict[str, Any]) -> list[str]:
    """Plain statements of where the forecast missed the record."""
    out: list[str] = []
    w0, w1 = r["window"]
    lm = r["totals"]["launch_months"]
    if lm["observed"] < lm["q05"] or lm["observed"] > lm["q95"]:
        side = "far fewer" if lm["observed"] < lm["q05"] else "far more"
        out.append(f"Launches: the model expected {lm['mean']:.1f} launch months from {w0} to {w1} (90% interval "
                   f"{lm['q05']:.0f}-{lm['q95']:.0f}); there were {lm['observed']} ({side}, outside its interval).")
    elif lm["p_at_most_observed"] < 0.25:
        out.append(f"Launches: the model expected {lm['mean']:.1f} launch months from {w0} to {w1} (90% interval "
                   f"{lm['q05']:.0f}-{lm['q95']:.0f}); there were {lm['observed']}. Inside the interval only because "
                   f"runs that end early (freeze, deal) stop testing: {_fmt_p(lm['p_at_most_observed'])} of runs "
                   "had so few.")
    mi = r["totals"]["missiles"]
    if mi["observed"] < mi["q05"] or mi["observed"] > mi["q95"]:
        out.append(f"Missiles: expected {mi['mean']:.1f} (90% interval {mi['q05']:.0f}-{mi['q95']:.0f}), "
                   f"observed {mi['observed']}.")
    quiet = [m for m in r["months"] if m["observed"]["class"] == "quiet"]
    low = [m for m in quiet if m["predicted"]["p_quiet"] < 0.5]
    if low:
        worst = min(low, key=lambda m: m["predicted"]["p_quiet"])
        out.append(f"Quiet months: {len(low)} of the {len(quiet)} quiet months got a probability of quiet below 50% "
                   f"(lowest {_fmt_p(worst['predicted']['p_quiet'])}, {worst['month']}): the model kept testing "
                   "where the target had stopped.")
    mor = r["p_moratorium_mid_2018"]
    if r["observed"]["moratorium_mid_2018"] and mor is not None and mor < 0.5:
        out.append(f"Moratorium: it gave the 2018 test moratorium a probability of {_fmt_p(mor)} (freeze outcome "
                   f"by 2018-06: {_fmt_p(r['p_freeze_by_2018_06'])}); the North declared one on 20 April 2018 "
                   "and held it.")
    talks = [m for m in r["months"] if m["observed"]["talks_or_summit"]]
    if talks and r["p_talks_in_talks_months"] < 0.5:
        out.append(f"Talks: the record has talks or summits in {len(talks)} of the scored months; the model's "
                   f"chance of negotiating in those months averaged {_fmt_p(r['p_talks_in_talks_months'])}.")
    if r["log_likelihood"] < r["log_likelihood_baseline"]:
        out.append(f"Overall: its log score ({r['log_likelihood']:.2f}) is worse than the climatology's "
                   f"({r['log_likelihood_baseline']:.2f}); no skill over base rates in this window.")
    if r["p_no_war"] < 0.5:
        out.append(f"War: it gave no war by {w1} only {_fmt_p(r['p_no_war'])}; there was none.")
    if not out:
        out.append("No miss beyond the forecast's stated uncertainty.")
    return out


def write_backtest_files(result: dict[str, Any], out: str | Path) -> dict[str, str]:
    """Write the calibration plot (PNG) and the monthly table (CSV) to `out`; return their paths."""
    import csv

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = prepare_out_dir(out)
    csv_path = folder / "backtest-months.csv"
    cols = ["month", "p_launch", "p_nuclear_test", "p_provocation", "p_quiet", "p_negotiate", "missiles_mean",
            "missiles_q05", "missiles_q95", "observed_class", "observed_launch_events", "observed_missiles",
            "observed_nuclear_tests", "observed_talks_or_summit", "log_likelihood"]
    with atomic_open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for m in result["months"]:
            p, o = m["predicted"], m["observed"]
            w.writerow([m["month"], *(f"{p[k]:.4f}" for k in cols[1:9]), o["class"], o["launch_events"],
                        o["missiles"], o["nuclear_tests"], int(o["talks_or_summit"]), f"{m['log_likelihood']:.4f}"])

    months = result["months"]
    labels = [m["month"] for m in months]
    x = np.arange(len(months))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    # reliability: forecasts of each class in each month against what happened
    pairs = [(m["predicted"][f"p_{k}"], float(m["observed"]["class"] == k.replace("launch", "missile_test")))
             for m in months for k in ("launch", "nuclear_test", "provocation", "quiet")]
    ps, os_ = np.array(pairs).T
    edges = np.linspace(0, 1, 6)
    which = np.clip(np.digitize(ps, edges) - 1, 0, len(edges) - 2)
    for b in range(len(edges) - 1):
        sel = which == b
        if sel.any():
            ax1.scatter(ps[sel].mean(), os_[sel].mean(), s=20 + 12 * sel.sum(), color="tab:blue", alpha=0.7)
            ax1.annotate(str(int(sel.sum())), (ps[sel].mean(), os_[sel].mean()), fontsize=8,
                         xytext=(4, 4), textcoords="offset points")
    ax1.plot([0, 1], [0, 1], "--", color="grey", lw=1)
    ax1.set(xlim=(0, 1), ylim=(-0.03, 1.03), xlabel="forecast probability (month x class)",
            ylabel="observed frequency", title=f"Calibration, {result['window'][0]}..{result['window'][1]} (n per bin)")
    mean = np.array([m["predicted"]["missiles_mean"] for m in months])
    lo = np.array([m["predicted"]["missiles_q05"] for m in months])
    hi = np.array([m["predicted"]["missiles_q95"] for m in months])
    ax2.fill_between(x, lo, hi, color="tab:orange", alpha=0.25, step="mid", label="model 90% interval")
    ax2.plot(x, mean, color="tab:orange", label="model mean missiles")
    ax2.plot(x, [m["predicted"]["p_launch"] for m in months], color="tab:red", ls=":", label="P(launch month)")
    ax2.scatter(x, [m["observed"]["missiles"] for m in months], color="black", zorder=3, label="observed missiles")
    ax2.set_xticks(x, labels, rotation=60, fontsize=7)
    ax2.set(ylabel="missiles / probability",
            title=f"{result['scenario']} / {result['strategy']} / {result['adversary']}: forecast vs record")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    png = folder / "backtest-calibration.png"
    with atomic_open(png, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110)
    plt.close(fig)
    return {"plot": str(png), "csv": str(csv_path)}
