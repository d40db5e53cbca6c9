"""The report's "What history says" section: the observed record against each model's monthly forecast
bands, and the models ranked by held-out log-likelihood (`history.compare.compare_models`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from brinkmanship.report.blocks import Figure, ReportContext, Section, esc, table
from brinkmanship.report.common import new_figure, png_bytes

#: the four monthly classes of the record, bottom to top in the bands, with their colours
BANDS: tuple[tuple[str, str, str], ...] = (
    ("p_launch", "missile_test", "#d62728"),
    ("p_nuclear_test", "nuclear_test", "#7f0000"),
    ("p_provocation", "provocation", "#ff7f0e"),
    ("p_quiet", "quiet", "#9ecae1"),
)


def _models(cmp: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, backtest result) per model, in ranking order (the climatology has no monthly forecast)."""
    out = []
    for row in cmp["rows"]:
        label = f"{row['model']} ({row['params']})"
        if label in cmp["results"]:
            out.append((label, cmp["results"][label]))
    return out


def band_arrays(result: dict[str, Any]) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Months, (4, T) stacked class probabilities (order of `BANDS`), observed classes, talks flags."""
    months = [m["month"] for m in result["months"]]
    probs = np.array([[m["predicted"][key] for m in result["months"]] for key, _, _ in BANDS])
    observed = [m["observed"]["class"] for m in result["months"]]
    talks = np.array([m["observed"]["talks_or_summit"] for m in result["months"]])
    return months, probs, observed, talks


def history_png(cmp: dict[str, Any]) -> bytes:
    """Small multiples: per model, the forecast's class probabilities stacked by month, the observed class
    as a dot at the height of the band it fell in, talks months shaded, the cut as a dashed line."""
    models = _models(cmp)
    fig, axes = new_figure(12, 2.0 * len(models) + 0.6, len(models), 1, sharex=True)
    for ax, (label, r) in zip(axes[:, 0], models, strict=True):
        months, probs, observed, talks = band_arrays(r)
        x = np.arange(len(months))
        ax.stackplot(x, probs, colors=[c for _, _, c in BANDS], alpha=0.75, step=None,
                     labels=[name for _, name, _ in BANDS])
        tops = np.cumsum(probs, axis=0)
        names = [name for _, name, _ in BANDS]
        for i, cls in enumerate(observed):
            k = names.index(cls)
            mid = tops[k, i] - probs[k, i] / 2
            ax.scatter(x[i], mid, color="black", s=22, zorder=3, label="observed" if i == 0 else None)
        for j, i in enumerate(np.flatnonzero(talks)):
            ax.axvspan(i - 0.5, i + 0.5, color="#2ca02c", alpha=0.15, lw=0, label="talks or summit" if j == 0 else None)
        cut = [i for i, m in enumerate(months) if m > cmp["cut"]]
        if cut:
            ax.axvline(cut[0] - 0.5, color="black", ls="--", lw=1)
        row = next(rw for rw in cmp["rows"] if f"{rw['model']} ({rw['params']})" == label)
        ax.set_title(f"{label}: held-out log-likelihood {row['log_likelihood']:.2f}", fontsize=9, loc="left")
        ax.set_ylim(0, 1)
        ax.set_ylabel("P(class)", fontsize=8)
        ax.set_xticks(x, months, rotation=60, fontsize=7)
    axes[0, 0].legend(fontsize=7, loc="upper left", ncol=6)
    return png_bytes(fig)


def history_plotly(cmp: dict[str, Any]) -> Any:
    """The same small multiples in plotly (hover for each month's probabilities)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    models = _models(cmp)
    fig = make_subplots(rows=len(models), cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        subplot_titles=[label for label, _ in models])
    for row_i, (_label, r) in enumerate(models, start=1):
        months, probs, observed, talks = band_arrays(r)
        for k, (_, name, color) in enumerate(BANDS):
            fig.add_trace(go.Scatter(x=months, y=probs[k], mode="lines", stackgroup=f"m{row_i}", name=name,
                                     line={"width": 0.5, "color": color}, legendgroup=name, showlegend=row_i == 1,
                                     hovertemplate="%{x}: %{y:.3f}<extra>" + name + "</extra>"),
                          row=row_i, col=1)
        fig.add_trace(go.Scatter(x=months, y=[1.02] * len(months), mode="markers", name="observed",
                                 marker={"color": ["#2ca02c" if t else "black" for t in talks], "size": 7},
                                 text=[f"{o}{' (talks)' if t else ''}" for o, t in zip(observed, talks, strict=True)],
                                 hovertemplate="%{x}: observed %{text}<extra></extra>", legendgroup="observed",
                                 showlegend=row_i == 1), row=row_i, col=1)
        fig.update_yaxes(range=[0, 1.06], row=row_i, col=1)
    fig.update_layout(height=220 * len(models) + 120, template="plotly_white", legend={"orientation": "h"},
                      title={"text": "Observed record against each model's monthly forecast", "x": 0.01})
    return fig


def verdict(cmp: dict[str, Any]) -> str:
    """One plain paragraph: which model the held-out record supports most, and what none of them predicts."""
    best = cmp["rows"][0]
    parts = [f"Ranked by held-out log-likelihood on {cmp['held_out'][0]}..{cmp['held_out'][1]}, the record "
             f"supports {best['model']} ({best['params']}) most (log-likelihood {best['log_likelihood']:.2f})."]
    prior = [r["log_likelihood_before_cut"] for r in cmp["rows"] if r["log_likelihood_before_cut"] is not None]
    if len(prior) > 1 and best["log_likelihood_before_cut"] is not None and best["log_likelihood_before_cut"] <= min(prior):
        parts.append(f"But it scored worst of all on the months before the cut ({best['log_likelihood_before_cut']:.2f}): "
                     "its forecast is near-certain and was wrong there, so its lead rests on the held-out months alone.")
    clim = next((r for r in cmp["rows"] if r["model"] == "climatology"), None)
    if clim is not None:
        worse = [f"{r['model']} ({r['params']})" for r in cmp["rows"] if r["log_likelihood"] < clim["log_likelihood"]]
        parts.append("Every model beats the climatology." if not worse else
                     f"No better than the climatology: {', '.join(worse)}.")
    talks = [r["p_talks_in_talks_months"] for r in cmp["rows"] if r["p_talks_in_talks_months"] is not None]
    if talks and max(talks) < 0.5:
        parts.append(f"None predicts the talks: in the {len(cmp['observed_talks_months'])} held-out months with "
                     f"talks or summits, the highest chance of negotiating any model gives is {max(talks):.0%}.")
    return " ".join(parts)


def history_section(ctx: ReportContext) -> Section | None:
    """What history says: models ranked on the months after the cut, and their forecasts against the record."""
    cmp = getattr(ctx, "history", None)
    if not cmp:
        return None

    def f(x: float | None, fmt: str) -> str:
        return "n/a" if x is None else format(x, fmt)

    rows = [[r["rank"], r["model"], r["params"], f(r["log_likelihood"], ".2f"), f(r["brier"], ".3f"),
             f(r["p_moratorium_mid_2018"], ".3f"), f(r["p_talks_in_talks_months"], ".3f"),
             f(r["log_likelihood_before_cut"], ".2f")] for r in cmp["rows"]]
    body = (f"<p>Each adversary model forecasts {esc(cmp['strategy'])} month by month from the scenario's start. "
            f"Every fit saw only the record to {esc(cmp['cut'])} ({esc(cmp['fit_months'][0])}.."
            f"{esc(cmp['fit_months'][1])}); the scores are on the {cmp['held_out_months']} months after it "
            f"({esc(cmp['held_out'][0])}..{esc(cmp['held_out'][1])}), {cmp['runs']:,} runs, seed {cmp['seed']}. "
            "The calibrated base rates are refitted by maximum likelihood to the record up to the cut; the "
            "calibrated logit precision is the grid value whose forecast fits the months between the scenario's "
            "start and the cut best.</p>"
            + table(["rank", "model", "parameters", "held-out log-likelihood", "Brier", "P(moratorium by mid 2018)",
                     "P(talks in the talks months)", "log-likelihood before the cut"], rows, "history")
            + f"<p>{esc(verdict(cmp))}</p>")
    fig = Figure("history", "Each model's forecast by month: stacked probabilities of a launch, a nuclear test, "
                 "another provocation and a quiet month; dots mark what happened, green shading the months of "
                 "talks or summits, the dashed line the cut.", history_png(cmp), history_plotly(cmp))
    return Section("history", "What history says", body, [fig])
