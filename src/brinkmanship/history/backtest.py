"""Backtest: the model's forecast from September 2017 against what happened, October 2017 to December 2018.

`maximum-pressure` (the strategy closest to real US policy in 2017) is simulated from the scenario's start
with the base-rate adversary. Each run's monthly actions are recorded with the engine's own random draws
(the same runs `simulate` gives for the seed), so per-run paths, not only monthly totals, are scored:
- monthly forecasts of the observed class (`history.record`: nuclear test, launch, other provocation,
  quiet) and of missiles launched (mean and 90% interval across runs) against the record;
- the log score (log-likelihood of the observed monthly classes under the monthly forecasts) and Brier
  scores, beside a climatology baseline (class frequencies of 2016-2017);
- "no war by end of 2018": no major or nuclear war by the end of December 2018;
- "a test moratorium by mid 2018": no launch and no nuclear test from December 2017 to June 2018 with the
  crisis not at war, or the freeze outcome reached by the end of June 2018.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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
from brinkmanship.engine.decision import BaseRatePolicy, DecisionModel, Observation, StrikeInfo
from brinkmanship.engine.simulate import simulation_memory, stream_sizes
from brinkmanship.engine.streams import Streams
from brinkmanship.errors import InputError
from brinkmanship.history.record import CLASSES, MISSILE_C, NUCLEAR_C, PROVOCATION_C, QUIET, monthly_record
from brinkmanship.limits import check_memory
from brinkmanship.outfiles import atomic_open, prepare_out_dir
from brinkmanship.spec import Scenario, load_scenario, load_strategy

__all__ = ["BACKTEST_STRATEGY", "WINDOW", "RecordedRuns", "backtest", "record_runs", "write_backtest_files"]

BACKTEST_STRATEGY = "maximum-pressure"
WINDOW = ("2017-10", "2018-12")
MORATORIUM = ("2017-12", "2018-06")
CALIBRATION_PERIOD = ("2016-01", "2017-12")


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

        def month() -> np.ndarray:
            self.u_full = draw()
            return self.u_full

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


def backtest(scenario: str | Scenario = "korea-2017", runs: int = 10_000, seed: int = 0,
             strategy: str = BACKTEST_STRATEGY, max_memory: int | None = None) -> dict[str, Any]:
    """Score the model's forecast from the scenario's start against the record of Oct 2017 - Dec 2018.

    Refuses (exit 2) runs whose recorded paths would exceed `max_memory` (default: the package limit).
    """
    if runs < 100:
        raise InputError(f"--runs {runs} is too few for a 90% interval", field="--runs",
                         fix="use at least 100 runs (10000 is the default)")
    sc = load_scenario(scenario) if not isinstance(scenario, Scenario) else scenario
    st = load_strategy(strategy, sc)
    rec = monthly_record(sc, *WINDOW)
    steps = np.array([(m.year - sc.start.year) * 12 + m.month - sc.start.month for m in rec.months])
    if steps.min() < 0:
        raise InputError(f"scenario '{sc.name}' starts after {WINDOW[0]}", field="scenario",
                         fix="backtest a scenario that starts by September 2017")
    H = int(steps.max()) + 1
    short = sc.model_copy(update={"horizon_months": max(H, 1)})
    c = compile_model(short, st)
    # one chunk keeps every run's monthly path (actions, missiles, phases, classes: ~26 bytes a run-month)
    check_memory(simulation_memory(c, runs, runs) + 26.0 * runs * (c.horizon + 1), max_memory,
                 f"backtesting {runs:,} runs", "use fewer --runs", field="--runs")
    rr = record_runs(c, BaseRatePolicy(), runs, seed)
    cls = rr.classes()[steps]  # (T, runs)
    T = len(steps)
    counts = np.stack([(cls == k).sum(axis=1) for k in range(len(CLASSES))], axis=1)  # (T, 4)
    prob = (counts + 0.5) / (runs + 2.0)  # Jeffreys-smoothed so a never-simulated class is not log(0)
    obs = rec.classes
    ll = np.log(prob[np.arange(T), obs])

    # climatology baseline: class frequencies of the calibration period
    base_rec = monthly_record(sc, *CALIBRATION_PERIOD)
    freq = (np.bincount(base_rec.classes, minlength=len(CLASSES)) + 0.5) / (len(base_rec.classes) + 2.0)
    ll_base = np.log(freq[obs])

    onehot = np.eye(len(CLASSES))[obs]
    launch_p, nuc_p = prob[:, MISSILE_C], prob[:, NUCLEAR_C]
    raw = counts / runs
    brier_launch = float(np.mean((raw[:, MISSILE_C] - onehot[:, MISSILE_C]) ** 2))
    brier_nuclear = float(np.mean((raw[:, NUCLEAR_C] - onehot[:, NUCLEAR_C]) ** 2))
    brier_class = float(np.mean(((raw - onehot) ** 2).sum(axis=1)) / 2.0)
    b_launch = float(np.mean((freq[MISSILE_C] - onehot[:, MISSILE_C]) ** 2))
    b_nuclear = float(np.mean((freq[NUCLEAR_C] - onehot[:, NUCLEAR_C]) ** 2))

    missiles = rr.missiles[steps]  # (T, runs)
    m_mean, m_lo, m_hi = _interval(missiles, axis=1)
    negotiate = (rr.actions[steps] == NEGOTIATE).mean(axis=1)
    launch_months = (cls == MISSILE_C).sum(axis=0)
    nuclear_months = (cls == NUCLEAR_C).sum(axis=0)
    total_missiles = missiles.sum(axis=0)
    obs_launch = int((obs == MISSILE_C).sum())
    obs_nuclear = int((obs == NUCLEAR_C).sum())
    obs_missiles = int(rec.aggregates["missiles"].sum())

    # no war by the end of 2018; moratorium by mid 2018
    end_2018 = int(steps.max()) + 1  # phase after the last window month
    war = np.isin(rr.phases[end_2018], (MAJOR_WAR, NUCLEAR_WAR))
    m0, m1 = (list(rec.months).index(pd.Period(x, freq="M")) for x in MORATORIUM)
    quiet_span = ~np.isin(cls[m0:m1 + 1], (MISSILE_C, NUCLEAR_C)).any(axis=0)
    at_war_mid = np.isin(rr.phases[int(steps[m1]) + 1], (MAJOR_WAR, NUCLEAR_WAR))
    freeze_mid = rr.phases[int(steps[m1]) + 1] == FREEZE
    moratorium = (quiet_span & ~at_war_mid) | freeze_mid
    obs_moratorium = bool(~np.isin(obs[m0:m1 + 1], (MISSILE_C, NUCLEAR_C)).any())

    months = []
    for i, m in enumerate(rec.months):
        agg = rec.aggregates.loc[m]
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
                "class": CLASSES[obs[i]], "launch_events": int(agg["launch_events"]),
                "launch_month": int(obs[i] == MISSILE_C), "missiles": int(agg["missiles"]),
                "nuclear_tests": int(agg["nuclear_tests"]), "talks_or_summit": bool(rec.talks_or_summit[i]),
            },
            "log_likelihood": float(ll[i]), "log_likelihood_baseline": float(ll_base[i]),
        })

    def tot(x: np.ndarray, observed: int) -> dict[str, float]:
        mean, lo, hi = _interval(x.astype(float))
        return {"mean": float(mean), "q05": float(lo), "q95": float(hi), "observed": observed,
                "p_at_most_observed": float((x <= observed).mean())}

    totals = {
        "launch_months": tot(launch_months, obs_launch),
        "nuclear_test_months": tot(nuclear_months, obs_nuclear),
        "missiles": tot(total_missiles, obs_missiles),
    }
    result: dict[str, Any] = {
        "scenario": sc.name, "strategy": st.name, "adversary": "base-rate", "runs": runs, "seed": seed,
        "window": list(WINDOW), "start": sc.start.isoformat(),
        "log_likelihood": float(ll.sum()), "log_likelihood_baseline": float(ll_base.sum()),
        "log_likelihood_per_month": float(ll.mean()),
        "brier": float((brier_launch + brier_nuclear) / 2.0),
        "brier_baseline": float((b_launch + b_nuclear) / 2.0),
        "brier_by_event": {"launch_month": brier_launch, "nuclear_test_month": brier_nuclear,
                           "class_normalised": brier_class},
        "p_no_war_2018": float(1.0 - war.mean()),
        "p_moratorium_mid_2018": float(moratorium.mean()),
        "p_freeze_by_2018_06": float(freeze_mid.mean()),
        "observed": {"no_war_2018": True, "moratorium_mid_2018": obs_moratorium},
        "definitions": {
            "classes": "per month: nuclear_test > launch (ballistic) > provocation (other launch) > quiet",
            "log_likelihood": "sum over months of log P(observed class) under the monthly forecast "
                              "(Jeffreys-smoothed shares of runs)",
            "brier": "mean of the Brier scores of 'launch month' and 'nuclear-test month' forecasts",
            "baseline": f"class frequencies of {CALIBRATION_PERIOD[0]}..{CALIBRATION_PERIOD[1]}",
            "no_war_2018": "no major or nuclear war by the end of 2018-12",
            "moratorium_mid_2018": f"no launch and no nuclear test {MORATORIUM[0]}..{MORATORIUM[1]} and not "
                                   "at war, or the freeze outcome by the end of 2018-06",
        },
        "months": months,
        "totals": totals,
    }
    result["wrong"] = _where_wrong(result, launch_p, nuc_p)
    return result


def _where_wrong(r: dict[str, Any], launch_p: np.ndarray, nuc_p: np.ndarray) -> list[str]:
    """Plain statements of where the forecast missed the record."""
    out: list[str] = []
    lm = r["totals"]["launch_months"]
    if lm["observed"] < lm["q05"] or lm["observed"] > lm["q95"]:
        side = "far fewer" if lm["observed"] < lm["q05"] else "far more"
        out.append(f"Launches: the model expected {lm['mean']:.1f} launch months from {r['window'][0]} to "
                   f"{r['window'][1]} (90% interval {lm['q05']:.0f}-{lm['q95']:.0f}); there were "
                   f"{lm['observed']} ({side}, outside its interval).")
    elif lm["p_at_most_observed"] < 0.25:
        out.append(f"Launches: the model expected {lm['mean']:.1f} launch months from {r['window'][0]} to "
                   f"{r['window'][1]} (90% interval {lm['q05']:.0f}-{lm['q95']:.0f}); there were "
                   f"{lm['observed']}. Inside the interval only because runs that end early (freeze, deal) "
                   f"stop testing: {_fmt_p(lm['p_at_most_observed'])} of runs had so few.")
    mi = r["totals"]["missiles"]
    if mi["observed"] < mi["q05"] or mi["observed"] > mi["q95"]:
        out.append(f"Missiles: expected {mi['mean']:.1f} (90% interval {mi['q05']:.0f}-{mi['q95']:.0f}), "
                   f"observed {mi['observed']}.")
    quiet_streak = [m for m in r["months"] if m["observed"]["class"] == "quiet"]
    low = [m for m in quiet_streak if m["predicted"]["p_quiet"] < 0.5]
    if low:
        out.append(f"Quiet months: {len(low)} of the {len(quiet_streak)} quiet months got a probability of quiet "
                   f"below 50% (lowest {_fmt_p(min(m['predicted']['p_quiet'] for m in low))}, "
                   f"{min(low, key=lambda m: m['predicted']['p_quiet'])['month']}): the model kept testing "
                   "where the North had stopped.")
    if r["observed"]["moratorium_mid_2018"] and r["p_moratorium_mid_2018"] < 0.5:
        out.append(f"Moratorium: it gave the 2018 test moratorium a probability of {_fmt_p(r['p_moratorium_mid_2018'])}"
                   f" (freeze outcome by 2018-06: {_fmt_p(r['p_freeze_by_2018_06'])}); the North declared one "
                   "on 20 April 2018 and held it. The base-rate adversary's odds of a freeze or talks rise only "
                   "slowly with sanctions and a falling economy; nothing in it answers the 2018 diplomacy.")
    talks_months = [m for m in r["months"] if m["observed"]["talks_or_summit"]]
    if talks_months:
        mean_neg = float(np.mean([m["predicted"]["p_negotiate"] for m in talks_months]))
        if mean_neg < 0.5:
            out.append(f"Talks: the North was in talks or summits in {len(talks_months)} months of 2018; the model's "
                       f"chance of negotiating in those months averaged {_fmt_p(mean_neg)}.")
    if r["log_likelihood"] < r["log_likelihood_baseline"]:
        out.append(f"Overall: its log score ({r['log_likelihood']:.2f}) is worse than the 2016-2017 climatology's "
                   f"({r['log_likelihood_baseline']:.2f}); the model has no skill over base rates in this window.")
    if r["p_no_war_2018"] < 0.5:
        out.append(f"War: it gave no war by end 2018 only {_fmt_p(r['p_no_war_2018'])}; there was none.")
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
            ylabel="observed frequency", title="Calibration, Oct 2017 - Dec 2018 (n per bin)")
    mean = np.array([m["predicted"]["missiles_mean"] for m in months])
    lo = np.array([m["predicted"]["missiles_q05"] for m in months])
    hi = np.array([m["predicted"]["missiles_q95"] for m in months])
    ax2.fill_between(x, lo, hi, color="tab:orange", alpha=0.25, step="mid", label="model 90% interval")
    ax2.plot(x, mean, color="tab:orange", label="model mean missiles")
    ax2.plot(x, [m["predicted"]["p_launch"] for m in months], color="tab:red", ls=":", label="P(launch month)")
    ax2.scatter(x, [m["observed"]["missiles"] for m in months], color="black", zorder=3, label="observed missiles")
    ax2.set_xticks(x, labels, rotation=60, fontsize=7)
    ax2.set(ylabel="missiles / probability",
            title=f"{result['scenario']} / {result['strategy']}: forecast vs record")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    png = folder / "backtest-calibration.png"
    with atomic_open(png, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110)
    plt.close(fig)
    return {"plot": str(png), "csv": str(csv_path)}
