"""The report's figures, each twice: a static matplotlib PNG and an interactive plotly figure.

Every builder takes plain data (the summary dict, result objects, arrays) and returns PNG bytes or a
plotly `Figure`; nothing here writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from brinkmanship.engine.summary import wilson_interval as wilson
from brinkmanship.report.common import (
    OUTCOME_COLORS,
    OUTCOMES,
    PHASE_COLORS,
    PHASES,
    RUNG_COLORS,
    RUNGS,
    WAR_OR_WORSE,
    label,
    new_figure,
    png_bytes,
    strategy_color,
)

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def _layout(fig: Any, title: str, height: int) -> Any:
    fig.update_layout(title={"text": title, "x": 0.01}, height=height, template="plotly_white",
                      margin={"l": 60, "r": 20, "t": 60, "b": 50},
                      font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"})
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# ---- strategy comparison ---------------------------------------------------------------------------------

def comparison_plotly(strategies: Sequence[dict[str, Any]]) -> Any:
    """Grouped bars of outcome probabilities per strategy with 95% interval error bars."""
    go = _go()
    fig = go.Figure()
    for i, s in enumerate(strategies):
        p = [s["outcomes"][o]["p"] for o in OUTCOMES]
        lo = [s["outcomes"][o]["lo"] for o in OUTCOMES]
        hi = [s["outcomes"][o]["hi"] for o in OUTCOMES]
        fig.add_trace(go.Bar(
            name=s["name"], x=[label(o) for o in OUTCOMES], y=p, marker_color=strategy_color(i),
            error_y={"type": "data", "symmetric": False, "array": [h - v for h, v in zip(hi, p, strict=True)],
                     "arrayminus": [v - lo_ for v, lo_ in zip(p, lo, strict=True)], "thickness": 1},
            customdata=np.column_stack([lo, hi]),
            hovertemplate="%{x}: %{y:.3f} [%{customdata[0]:.3f}, %{customdata[1]:.3f}]<extra>"
                          + s["name"] + "</extra>",
        ))
    fig.update_layout(barmode="group", yaxis={"title": "probability at the horizon", "range": [0, 1]},
                      legend={"orientation": "h", "y": -0.15})
    return _layout(fig, "Outcome probabilities by strategy (error bars: 95% intervals)", 460)


# ---- fan charts ------------------------------------------------------------------------------------------

def fan_series(res: Any) -> dict[str, Any]:
    """Monthly series of one result: P(major war or worse), P(in a deal) with 95% bands, warhead percentiles."""
    tl = res.timeline
    counts = np.asarray(tl["outcome_counts"], dtype=float)
    n = int(res.runs)
    war_k = sum(counts[:, OUTCOMES.index(o)] for o in WAR_OR_WORSE)
    deal_k = counts[:, OUTCOMES.index("denuclearisation")]
    war_lo, war_hi = wilson(war_k, n)
    deal_lo, deal_hi = wilson(deal_k, n)
    return {
        "months": list(tl["months"]),
        "war": war_k / n, "war_lo": war_lo, "war_hi": war_hi,
        "deal": deal_k / n, "deal_lo": deal_lo, "deal_hi": deal_hi,
        "warheads_q": np.asarray(tl["warheads_q"], dtype=float),
    }


_FAN_PANELS = (("war", "P(major war or worse), cumulative"), ("deal", "P(in a deal), by month"),
               ("warheads", "Warheads (median; bands 25-75 and 5-95 percentiles)"))


def fan_png(results: Sequence[Any]) -> bytes:
    """Three panels over time, one line per strategy with its band."""
    fig, axes = new_figure(13, 4.2, 1, 3)
    months: list[str] = []
    for i, res in enumerate(results):
        s = fan_series(res)
        months = months or list(s["months"])
        x = np.arange(len(s["months"]))  # month index; labelled with dates below (faster than date axes)
        c = strategy_color(i)
        for ax, key in zip(axes[0, :2], ("war", "deal"), strict=True):
            ax.plot(x, s[key], color=c, lw=1.6, label=res.strategy)
            ax.fill_between(x, s[f"{key}_lo"], s[f"{key}_hi"], color=c, alpha=0.2, lw=0)
        q = s["warheads_q"]
        ax = axes[0, 2]
        ax.plot(x, q[:, 2], color=c, lw=1.6, label=res.strategy)
        ax.fill_between(x, q[:, 1], q[:, 3], color=c, alpha=0.2, lw=0)
        ax.fill_between(x, q[:, 0], q[:, 4], color=c, alpha=0.08, lw=0)
    ticks = [t for t in range(len(months)) if t % 6 == 0]
    for ax, (_key, title) in zip(axes[0], _FAN_PANELS, strict=True):
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.set_xticks(ticks, [months[t][:7] for t in ticks], rotation=30, fontsize=8)
    axes[0, 0].set_ylim(0, 1)
    axes[0, 1].set_ylim(0, 1)
    axes[0, 0].legend(fontsize=7)
    return png_bytes(fig)


def fan_plotly(results: Sequence[Any]) -> Any:
    """The fan charts as three linked plotly panels (hover for values, click the legend to filter)."""
    go = _go()
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=3, subplot_titles=[t for _, t in _FAN_PANELS], horizontal_spacing=0.06)
    for i, res in enumerate(results):
        s = fan_series(res)
        x = s["months"]
        c = strategy_color(i)
        band = _rgba(c, 0.18)
        group = res.strategy
        panels = [(1, s["war"], s["war_lo"], s["war_hi"]), (2, s["deal"], s["deal_lo"], s["deal_hi"]),
                  (3, s["warheads_q"][:, 2], s["warheads_q"][:, 1], s["warheads_q"][:, 3])]
        for col, mid, lo, hi in panels:
            fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line={"width": 0}, legendgroup=group,
                                     showlegend=False, hoverinfo="skip"), row=1, col=col)
            fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                                     fillcolor=band, legendgroup=group, showlegend=False, hoverinfo="skip"),
                          row=1, col=col)
            fig.add_trace(go.Scatter(x=x, y=mid, mode="lines", line={"color": c, "width": 2}, name=group,
                                     legendgroup=group, showlegend=col == 1,
                                     hovertemplate="%{x}: %{y:.3g}<extra>" + group + "</extra>"),
                          row=1, col=col)
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _layout(fig, "Over time: cumulative probabilities (bands: 95% intervals) and warheads", 440)


# ---- how crises end (phase transitions) ------------------------------------------------------------------

def _flows(matrix: np.ndarray) -> list[tuple[int, int, int]]:
    m = np.asarray(matrix)
    return [(i, j, int(m[i, j])) for i in range(m.shape[0]) for j in range(m.shape[1]) if i != j and m[i, j] > 0]


def sankey_plotly(results: Sequence[Any]) -> Any:
    """One Sankey per strategy: phase before -> phase after, link width = number of phase changes."""
    go = _go()
    fig = go.Figure()
    n = len(results)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    annotations = []
    k = len(PHASES)
    for idx, res in enumerate(results):
        r, c = divmod(idx, cols)
        x0, x1 = c / cols + 0.02, (c + 1) / cols - 0.02
        y1 = 1 - r / rows - 0.06 / rows
        y0 = 1 - (r + 1) / rows + 0.04 / rows
        flows = _flows(res.transitions)
        fig.add_trace(go.Sankey(
            domain={"x": [x0, x1], "y": [y0, y1]}, arrangement="snap", valueformat=",d",
            node={"label": [label(p) for p in PHASES] + [label(p) for p in PHASES],
                  "color": [PHASE_COLORS[p] for p in PHASES] * 2, "pad": 8, "thickness": 12,
                  "x": [0.01] * k + [0.99] * k},
            link={"source": [i for i, _, _ in flows], "target": [k + j for _, j, _ in flows],
                  "value": [v for _, _, v in flows],
                  "color": [_rgba(PHASE_COLORS[PHASES[j]], 0.45) for _, j, _ in flows]},
            name=res.strategy,
        ))
        annotations.append({"text": f"<b>{res.strategy}</b>", "x": (x0 + x1) / 2, "y": y1 + 0.035 / rows,
                            "xref": "paper", "yref": "paper", "showarrow": False, "font": {"size": 12}})
    fig.update_layout(annotations=annotations)
    return _layout(fig, "How crises end: phase changes over all runs and months (left: from, right: to)",
                   320 * rows + 60)


def _stack(sizes: np.ndarray, scale: float, gap: float) -> np.ndarray:
    """Top edge of each node when nodes of the given sizes are stacked from the top with gaps."""
    tops = np.zeros(len(sizes))
    y = 1.0
    for i, s in enumerate(sizes):
        tops[i] = y
        if s > 0:
            y -= s * scale + gap
    return tops


def sankey_png(results: Sequence[Any]) -> bytes:
    """Static flow diagram: phases before (left) joined to phases after (right) by bands sized by count."""
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path as MPath

    n = len(results)
    cols = 2 if n > 1 else 1
    rows = (n + cols - 1) // cols
    fig, axes = new_figure(6.2 * cols, 3.8 * rows, rows, cols)
    for idx in range(rows * cols):
        ax = axes[idx // cols, idx % cols]
        ax.set_axis_off()
        if idx >= n:
            continue
        res = results[idx]
        m = np.asarray(res.transitions, dtype=float).copy()
        np.fill_diagonal(m, 0)
        total = m.sum()
        ax.set_title(res.strategy, fontsize=10)
        ax.set_xlim(-0.35, 1.35)
        ax.set_ylim(0, 1)
        if total <= 0:
            ax.text(0.5, 0.5, "no phase changes", ha="center", va="center")
            continue
        gap = 0.02
        scale = (1 - gap * len(PHASES)) / total

        out_tops, in_tops = _stack(m.sum(1), scale, gap), _stack(m.sum(0), scale, gap)
        out_cur, in_cur = out_tops.copy(), in_tops.copy()
        for i in range(len(PHASES)):
            for j in range(len(PHASES)):
                if m[i, j] <= 0:
                    continue
                h = m[i, j] * scale
                ya, yb = out_cur[i], in_cur[j]
                out_cur[i] -= h
                in_cur[j] -= h
                verts = [(0.05, ya), (0.5, ya), (0.5, yb), (0.95, yb), (0.95, yb - h), (0.5, yb - h),
                         (0.5, ya - h), (0.05, ya - h), (0.05, ya)]
                codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4,
                         MPath.CURVE4, MPath.CURVE4, MPath.CLOSEPOLY]
                ax.add_patch(PathPatch(MPath(verts, codes), facecolor=PHASE_COLORS[PHASES[j]], alpha=0.5, lw=0))
        for side, tops, sizes in ((0, out_tops, m.sum(1)), (1, in_tops, m.sum(0))):
            for i, p in enumerate(PHASES):
                if sizes[i] <= 0:
                    continue
                h = sizes[i] * scale
                x = 0.0 if side == 0 else 0.95
                ax.add_patch(Rectangle((x, tops[i] - h), 0.05, h, color=PHASE_COLORS[p]))
                ax.text(-0.02 if side == 0 else 1.02, tops[i] - h / 2, f"{label(p)} ({int(sizes[i]):,})",
                        ha="right" if side == 0 else "left", va="center", fontsize=7)
    fig.suptitle("How crises end: phase changes (left: from, right: to)", fontsize=11)
    return png_bytes(fig)


# ---- escalation ladder -----------------------------------------------------------------------------------

def rung_shares(res: Any) -> np.ndarray:
    """Share of runs whose highest rung is each of the five rungs."""
    rung = np.asarray(res.outcomes["highest_rung"]).astype(int)
    counts = np.bincount(np.clip(rung, 0, len(RUNGS) - 1), minlength=len(RUNGS))
    return counts / max(len(rung), 1)


def ladder_png(results: Sequence[Any]) -> bytes:
    """Stacked horizontal bars: share of runs by highest rung, one bar per strategy."""
    fig, axes = new_figure(10, 0.6 * len(results) + 1.8)
    ax = axes[0, 0]
    names = [r.strategy for r in results][::-1]
    shares = np.array([rung_shares(r) for r in results])[::-1]
    left = np.zeros(len(results))
    for k, rung in enumerate(RUNGS):
        ax.barh(names, shares[:, k], left=left, color=RUNG_COLORS[k], label=f"{k} {rung}", edgecolor="white")
        left += shares[:, k]
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    ax.set_title("Highest escalation rung reached per run")
    ax.legend(fontsize=7, ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.25))
    return png_bytes(fig)


def ladder_plotly(results: Sequence[Any]) -> Any:
    """The escalation ladder as stacked horizontal bars (hover: share of runs)."""
    go = _go()
    fig = go.Figure()
    names = [r.strategy for r in results]
    shares = np.array([rung_shares(r) for r in results])
    for k, rung in enumerate(RUNGS):
        fig.add_trace(go.Bar(y=names, x=shares[:, k], orientation="h", name=f"{k} {rung}",
                             marker_color=RUNG_COLORS[k],
                             hovertemplate="%{y}: %{x:.1%}<extra>" + f"{k} {rung}" + "</extra>"))
    fig.update_layout(barmode="stack", xaxis={"range": [0, 1], "tickformat": ".0%", "title": "share of runs"},
                      yaxis={"autorange": "reversed"},
                      legend={"orientation": "h", "y": -0.25, "traceorder": "normal"})
    return _layout(fig, "Highest escalation rung reached per run", 120 + 50 * len(results))


# ---- the adversary's policy map --------------------------------------------------------------------------

def policy_grid(policy: dict[str, Any]) -> tuple[list[str], list[str], np.ndarray, list[str]]:
    """Validate a policy map and code its actions: rows, cols, integer grid, action names in code order."""
    rows = [str(r) for r in policy["rows"]]
    cols = [str(c) for c in policy["cols"]]
    action = np.asarray(policy["action"], dtype=object)
    if action.shape != (len(rows), len(cols)):
        raise ValueError(f"policy action grid has shape {action.shape}, expected ({len(rows)}, {len(cols)})")
    names = sorted({str(a) for a in action.ravel()})
    code = np.vectorize(lambda a: names.index(str(a)), otypes=[int])(action) if action.size else action
    return rows, cols, np.asarray(code, dtype=int), names


_ACTION_PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#9d755d",
                   "#bab0ac")


def policy_png(policy: dict[str, Any], title: str = "Adversary policy") -> bytes:
    """The adversary's best action in each state cell as a categorical heat map."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    rows, cols, code, names = policy_grid(policy)
    fig, axes = new_figure(max(6, 0.35 * len(cols) + 3), max(3, 0.3 * len(rows) + 2))
    ax = axes[0, 0]
    cmap = ListedColormap([_ACTION_PALETTE[i % len(_ACTION_PALETTE)] for i in range(len(names))])
    ax.imshow(code, cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5, aspect="auto", origin="lower")
    ax.set_xticks(range(len(cols)), cols, rotation=45, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    ax.set_xlabel(str(policy.get("col_label", "")))
    ax.set_ylabel(str(policy.get("row_label", "")))
    ax.set_title(title)
    ax.legend(handles=[Patch(color=cmap(i), label=label(n)) for i, n in enumerate(names)], fontsize=7,
              loc="upper left", bbox_to_anchor=(1.01, 1))
    return png_bytes(fig)


def policy_plotly(policy: dict[str, Any], title: str = "Adversary policy") -> Any:
    """The policy map as a plotly heat map with a discrete colour per action."""
    go = _go()
    rows, cols, code, names = policy_grid(policy)
    k = max(len(names), 1)
    scale = []
    for i in range(k):
        c = _ACTION_PALETTE[i % len(_ACTION_PALETTE)]
        scale += [[i / k, c], [(i + 1) / k, c]]
    text = np.asarray([[label(names[v]) for v in row] for row in code], dtype=object)
    fig = go.Figure(go.Heatmap(
        z=code, x=cols, y=rows, text=text, zmin=-0.5, zmax=k - 0.5, colorscale=scale,
        hovertemplate="%{y} / %{x}: %{text}<extra></extra>",
        colorbar={"tickvals": list(range(k)), "ticktext": [label(n) for n in names], "title": "action"},
    ))
    fig.update_layout(xaxis={"title": str(policy.get("col_label", ""))},
                      yaxis={"title": str(policy.get("row_label", ""))})
    return _layout(fig, title, max(360, 22 * len(rows) + 160))


# ---- generic bars (exploration sections) -----------------------------------------------------------------

def bars_png(labels_: Sequence[str], values: Sequence[float], title: str, xlabel: str,
             errors: Sequence[float] | None = None) -> bytes:
    """Horizontal bars (robustness scores, Sobol indices)."""
    fig, axes = new_figure(8, 0.35 * len(labels_) + 1.5)
    ax = axes[0, 0]
    ax.barh(list(labels_)[::-1], list(values)[::-1], xerr=None if errors is None else list(errors)[::-1],
            color="#4c78a8")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return png_bytes(fig)


def bars_plotly(labels_: Sequence[str], values: Sequence[float], title: str, xlabel: str,
                errors: Sequence[float] | None = None) -> Any:
    """Horizontal bars, interactive."""
    go = _go()
    fig = go.Figure(go.Bar(y=list(labels_), x=list(values), orientation="h", marker_color="#4c78a8",
                           error_x=None if errors is None else {"type": "data", "array": list(errors)}))
    fig.update_layout(xaxis={"title": xlabel}, yaxis={"autorange": "reversed"})
    return _layout(fig, title, 120 + 28 * len(labels_))


def line_png(x: Sequence[float], y: Sequence[float], title: str, xlabel: str, ylabel: str,
             highlight: int | None = None) -> bytes:
    """A line with markers (the PRIM trade-off curve); `highlight` circles one point (the chosen box)."""
    fig, axes = new_figure(6, 4)
    ax = axes[0, 0]
    ax.plot(list(x), list(y), "o-", color="#4c78a8", ms=3)
    if highlight is not None:
        ax.plot([x[highlight]], [y[highlight]], "o", ms=10, mfc="none", mec="#d62728", mew=2, label="chosen box")
        ax.legend(fontsize=8)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    return png_bytes(fig)


def line_plotly(x: Sequence[float], y: Sequence[float], title: str, xlabel: str, ylabel: str,
                highlight: int | None = None) -> Any:
    """A line with markers, interactive; `highlight` circles one point (the chosen box)."""
    go = _go()
    fig = go.Figure(go.Scatter(x=list(x), y=list(y), mode="lines+markers", marker_color="#4c78a8",
                               name="trajectory"))
    if highlight is not None:
        fig.add_trace(go.Scatter(x=[x[highlight]], y=[y[highlight]], mode="markers", name="chosen box",
                                 marker={"size": 14, "color": "rgba(0,0,0,0)",
                                         "line": {"color": "#d62728", "width": 2}}))
    fig.update_layout(xaxis={"title": xlabel, "range": [0, 1.02]}, yaxis={"title": ylabel, "range": [0, 1.02]})
    return _layout(fig, title, 380)


__all__ = [
    "OUTCOME_COLORS", "PLOTLY_CONFIG", "bars_plotly", "bars_png", "comparison_plotly", "fan_plotly", "fan_png",
    "fan_series", "ladder_plotly", "ladder_png", "line_plotly", "line_png", "policy_grid", "policy_plotly",
    "policy_png", "rung_shares", "sankey_plotly", "sankey_png",
]
