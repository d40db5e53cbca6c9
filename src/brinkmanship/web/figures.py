"""Figures of the workbench that the report has no twin for: the exact outcome fan over months."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.report.common import WAR_OR_WORSE, strategy_color
from brinkmanship.web.compute import Evaluation


def exact_fan_plotly(edited: Evaluation, packaged: Sequence[Evaluation], edited_label: str) -> Any:
    """Cumulative P(major war or worse) and P(deal) by month: the edited strategy bold, the packaged thin."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = (("P(major war or worse), cumulative", [OUTCOMES.index(o) for o in WAR_OR_WORSE]),
              ("P(in a deal), by month", [OUTCOMES.index("denuclearisation")]))
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t for t, _ in panels], horizontal_spacing=0.08)
    lines = [(edited_label, edited, "#111111", 3.5)]
    lines += [(e.strategy, e, strategy_color(i), 1.6) for i, e in enumerate(packaged)]
    for name, ev, colour, width in lines:
        for col, (_title, idx) in enumerate(panels, start=1):
            y = np.asarray(ev.timeline)[:, idx].sum(axis=1)
            fig.add_trace(go.Scatter(x=ev.months, y=y, mode="lines", name=name, legendgroup=name,
                                     showlegend=col == 1, line={"color": colour, "width": width},
                                     hovertemplate="%{x}: %{y:.3f}<extra>" + name + "</extra>"),
                          row=1, col=col)
    fig.update_yaxes(range=[0, 1])
    fig.update_layout(title={"text": "Over time (exact: no sampling band)", "x": 0.01}, height=380,
                      template="plotly_white", margin={"l": 50, "r": 20, "t": 70, "b": 40},
                      legend={"orientation": "h", "y": -0.2})
    return fig
