"""Shared pieces of the report: names and colours, binomial intervals, a summary when none is given."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

# The engine's names (kept here too so the report builds and is tested without the engine).
PHASES: tuple[str, ...] = ("peace", "crisis", "limited_conflict", "major_war", "nuclear_war", "deal", "freeze")
OUTCOMES: tuple[str, ...] = ("deal", "freeze", "buildup", "limited_conflict", "major_war", "nuclear_war")
RUNGS: tuple[str, ...] = ("sub-crisis", "crisis", "limited conventional strikes", "major conventional war",
                          "nuclear use")

try:  # prefer the engine's constants when it is installed, so the names cannot drift apart
    from brinkmanship.engine.constants import OUTCOMES as _O
    from brinkmanship.engine.constants import PHASES as _P
    from brinkmanship.engine.constants import RUNGS as _R

    PHASES, OUTCOMES, RUNGS = tuple(_P), tuple(_O), tuple(_R)
except Exception:  # pragma: no cover - the engine is optional (or mid-change) for the report
    pass

STRATEGY_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f",
                   "#bcbd22", "#e377c2")
OUTCOME_COLORS = {"deal": "#2ca02c", "freeze": "#98df8a", "buildup": "#bcbd22", "limited_conflict": "#ff7f0e",
                  "major_war": "#d62728", "nuclear_war": "#7b0000"}
PHASE_COLORS = {"peace": "#9ecae1", "crisis": "#fdae6b", "limited_conflict": "#ff7f0e", "major_war": "#d62728",
                "nuclear_war": "#7b0000", "deal": "#2ca02c", "freeze": "#98df8a"}
RUNG_COLORS = ("#c6dbef", "#fdd0a2", "#fd8d3c", "#d62728", "#67000d")
WAR_OR_WORSE = ("major_war", "nuclear_war")


def label(name: str) -> str:
    """A display label for an identifier (`major_war` -> `major war`)."""
    return name.replace("_", " ")


def strategy_color(i: int) -> str:
    """The colour of the i-th strategy, the same in every figure."""
    return STRATEGY_COLORS[i % len(STRATEGY_COLORS)]


def wilson(k: np.ndarray | float, n: int, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95% interval for k successes out of n (vectorised over k)."""
    k = np.asarray(k, dtype=float)
    if n <= 0:
        return np.zeros_like(k), np.ones_like(k)
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1))
    hi = np.where(k >= n, 1.0, np.clip(centre + half, 0, 1))
    return np.minimum(lo, p), np.maximum(hi, p)


def summarize_result(res: Any) -> dict[str, Any]:
    """The engine's `summarize(res)`, or an equivalent computed here when the engine is unavailable."""
    try:
        from brinkmanship.engine import summarize

        return summarize(res)
    except ImportError:
        pass
    o = res.outcomes
    n = int(res.runs)
    outcome = np.asarray(o["outcome"])
    outs = {}
    for i, name in enumerate(OUTCOMES):
        k = int((outcome == i).sum())
        lo, hi = wilson(k, n)
        outs[name] = {"p": k / n, "lo": float(lo), "hi": float(hi)}
    deaths = np.asarray(o["deaths"], dtype=float)
    warheads = np.asarray(o["warheads"], dtype=float)
    month = np.asarray(o["month_resolved"])
    strikes = sum(np.asarray(o[f"strikes_{c}"], dtype=float)
                  for c in ("military", "leadership", "dual_use", "civilian_population"))
    resolved = month[month >= 0]
    return {
        "name": res.strategy,
        "outcomes": outs,
        "metrics": {
            "deaths_median": float(np.median(deaths)),
            "deaths_p95": float(np.quantile(deaths, 0.95)),
            "warheads_median": float(np.median(warheads)),
            "warheads_mean": float(warheads.mean()),
            "months_to_resolution_median": float(np.median(resolved)) if resolved.size else None,
            "civilian_strikes_mean": float(np.mean(o["strikes_civilian_population"])),
            "strikes_mean": float(np.mean(strikes)),
            "prohibited_findings": prohibited_for(res.strategy),
        },
    }


def prohibited_for(name: str, strategies: Sequence[Any] | None = None) -> int | None:
    """Prohibited-finding count of a strategy given by name (from `strategies` or the packaged files)."""
    from brinkmanship.audit import prohibited_count

    for s in strategies or ():
        if getattr(s, "name", None) == name:
            return prohibited_count(s)
    try:
        from brinkmanship.spec import load_strategy

        return prohibited_count(load_strategy(name))
    except Exception:  # a user strategy the report cannot find: leave the column empty
        return None


def png_bytes(fig: Any, dpi: int = 110) -> bytes:
    """Render a matplotlib `Figure` (Agg canvas, no pyplot state) to PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")  # constrained layout: no second "tight" pass
    return buf.getvalue()


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kw: Any) -> tuple[Any, Any]:
    """A matplotlib Figure with an Agg canvas and its axes (never touches pyplot's global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes
