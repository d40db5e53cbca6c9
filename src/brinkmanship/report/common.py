"""Shared pieces of the report: names and colours (the engine's names), figures without pyplot state."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

# the engine's names, re-exported for the report's modules (one source, so they cannot drift apart)
from brinkmanship.engine.constants import OUTCOMES as OUTCOMES
from brinkmanship.engine.constants import PHASES as PHASES
from brinkmanship.engine.constants import RUNGS as RUNGS

if TYPE_CHECKING:
    from brinkmanship.spec import Strategy

STRATEGY_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f",
                   "#bcbd22", "#e377c2")
OUTCOME_COLORS = {"denuclearisation": "#2ca02c", "freeze": "#98df8a", "buildup": "#bcbd22", "limited_conflict": "#ff7f0e",
                  "major_war": "#d62728", "nuclear_war": "#7b0000"}
PHASE_COLORS = {"peace": "#9ecae1", "crisis": "#fdae6b", "limited_conflict": "#ff7f0e", "major_war": "#d62728",
                "nuclear_war": "#7b0000", "deal": "#2ca02c", "freeze": "#98df8a"}
RUNG_COLORS = ("#c6dbef", "#fdd0a2", "#fd8d3c", "#d62728", "#67000d")
WAR_OR_WORSE = ("major_war", "nuclear_war")
OUTCOME_WORDS = {"denuclearisation": "denuclearisation (a deal that holds)", "freeze": "a freeze", "buildup": "continued build-up",
                 "limited_conflict": "limited conflict", "major_war": "major war", "nuclear_war": "nuclear war"}
TARGET_WORDS = {"rational": "a rational target (the op-ed's premise)",
                "base-rate": "the calibrated base-rate target (the 2016-2017 record)"}


def label(name: str) -> str:
    """A display label for an identifier (`major_war` -> `major war`)."""
    return name.replace("_", " ")


def ending(outcome: str) -> str:
    """An outcome name in words (`buildup` -> `continued build-up`); unknown names get their label."""
    return OUTCOME_WORDS.get(outcome, label(outcome))


def target_words(summary: Mapping[str, Any]) -> str:
    """Who the comparison is against, in words, from its `adversary` (and `types`, when it has them)."""
    adv = str(summary.get("adversary", "?"))
    words = TARGET_WORDS.get(adv, f"a {adv} target")
    types = summary.get("types")
    kind, count = (types.get("kind"), types.get("count")) if isinstance(types, Mapping) else (types, None)
    if isinstance(kind, str) and kind != "point":
        words += f" as a mixture over {count} {kind} types" if count else f" as a mixture over {kind} types"
    return words


def strategy_color(i: int) -> str:
    """The colour of the i-th strategy, the same in every figure."""
    return STRATEGY_COLORS[i % len(STRATEGY_COLORS)]


def prohibited_for(name: str, strategies: Sequence[Strategy] | None = None) -> int | None:
    """Prohibited-finding count of a strategy given by name: from `strategies`, else the packaged file of that
    name; None for a user strategy that is neither (its audit cell stays empty)."""
    from brinkmanship.audit import prohibited_count
    from brinkmanship.spec import load_strategy, packaged_strategy_names

    for s in strategies or ():
        if s.name == name:
            return prohibited_count(s)
    if name in packaged_strategy_names():
        return prohibited_count(load_strategy(name))
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
