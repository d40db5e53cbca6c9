"""The exploration browser of `brink serve --store`: robustness ranking, PRIM boxes, sensitivity bars.

The store named at start is read once, read-only, into memory; requests never touch files. PRIM runs per
(objective, strategy) are cached (a handful at most); every request value is checked against the store's
own names before use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from brinkmanship.errors import InputError

FLAGSHIP = "let-deterrence-fail"
PREFERENCE = ("major_war", "nuclear_war", "deaths_mean", "limited_conflict")
CONCERN_QUANTILE = 0.8


@dataclass
class Explorer:
    """An exploration store's results in memory, and the figures and tables the browser shows."""

    strategies: list[str]
    outcomes: dict[str, np.ndarray]  # outcome -> (worlds, strategies)
    inputs: dict[str, np.ndarray]
    provenance: dict[str, Any]
    _prim: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, path: Path) -> Explorer:
        """Read the store once (read-only); a missing or unreadable store is an input error."""
        from brinkmanship.store import open_store

        if not Path(path).is_file():
            raise InputError("store not found", file=str(path), field="--store",
                             fix="give the .duckdb file written by `brink explore`")
        with open_store(path, read_only=True) as store:
            names = store.outcome_names()
            ids, strategies, outcomes = store.outcome_matrix(names)
            inputs = store.inputs()
            prov = store.provenance()
        inputs = {k: np.asarray(v)[ids] for k, v in inputs.items()} if len(ids) else {}
        outcomes = {k: v for k, v in outcomes.items() if not np.isnan(v).all()}
        if len(ids) == 0 or not outcomes:
            raise InputError("no explored world has results for every strategy", file=str(path), field="--store",
                             fix="finish the exploration (re-run the same `brink explore` command)")
        return cls(strategies, outcomes, inputs, prov)

    @property
    def objectives(self) -> list[str]:
        return list(self.outcomes)

    def default_objective(self) -> str:
        return next((o for o in PREFERENCE if o in self.outcomes), self.objectives[0])

    def default_strategy(self) -> str:
        return FLAGSHIP if FLAGSHIP in self.strategies else self.strategies[0]

    def _check(self, objective: Any, strategy: Any) -> tuple[str, int]:
        if objective not in self.outcomes:
            raise InputError(f"unknown outcome '{objective}'", field="objective",
                             fix=f"use one of: {', '.join(self.objectives)}")
        if strategy not in self.strategies:
            raise InputError(f"unknown strategy '{strategy}'", field="strategy",
                             fix=f"use one of: {', '.join(self.strategies)}")
        return str(objective), self.strategies.index(strategy)

    def robustness(self, objective: Any) -> list[dict[str, Any]]:
        from brinkmanship.analysis.robustness import resolve_outcome, robustness_table
        from brinkmanship.explore.models import declared_outcomes

        objective, _ = self._check(objective, self.strategies[0])
        outcome = resolve_outcome(objective, declared_outcomes(list(self.outcomes)))  # with its direction
        return robustness_table(self.strategies, self.outcomes, outcome)

    def prim(self, objective: Any, strategy: Any) -> Any:
        """PRIM on the worlds where `strategy` does worst on `objective` (above its 80th percentile)."""
        from brinkmanship.analysis.prim import prim

        objective, j = self._check(objective, strategy)
        key = (objective, str(strategy))
        with self._lock:
            if key not in self._prim:
                y_val = self.outcomes[objective][:, j]
                cut = float(np.quantile(y_val, CONCERN_QUANTILE))
                y = y_val > cut if cut < y_val.max() else y_val >= cut
                if not self.inputs or y.sum() == 0 or y.all():
                    self._prim[key] = None
                else:
                    res = prim(self.inputs, y.astype(float), CONCERN_QUANTILE)
                    res.choose()
                    self._prim[key] = (res, cut)
            return self._prim[key]

    def sensitivity(self, objective: Any, strategy: Any) -> list[tuple[str, float, float, float]]:
        objective, j = self._check(objective, strategy)
        if not self.inputs:
            return []
        from brinkmanship.analysis.sensitivity import first_order_with_ci

        return first_order_with_ci(self.inputs, self.outcomes[objective][:, j])[:20]

    # ---- the page --------------------------------------------------------------------------------------

    def layout(self) -> Any:
        from dash import dcc, html

        pick = lambda i, opts, v: dcc.Dropdown(id=i, options=[{"label": o, "value": o} for o in opts],  # noqa: E731
                                               value=v, clearable=False, style={"width": "260px"})
        return html.Div([
            html.Div([html.Label("objective"), pick("ex-objective", self.objectives, self.default_objective()),
                      html.Label("strategy (PRIM, sensitivity)"),
                      pick("ex-strategy", self.strategies, self.default_strategy())],
                     style={"display": "flex", "gap": "0.6rem", "alignItems": "center", "margin": "0.6rem 0"}),
            html.Div(id="ex-message", role="alert", style={"color": "#b00020"}),
            html.H3("Robustness ranking (minimax regret)"),
            html.Div(id="ex-robustness"),
            dcc.Graph(id="ex-robustness-bars", config={"displaylogo": False}),
            html.H3("Scenario discovery (PRIM): click a box on the peeling trajectory"),
            html.Div([dcc.Graph(id="ex-prim", config={"displaylogo": False}, style={"flex": "0 0 460px"}),
                      html.Div(id="ex-box", style={"flex": "1 1 auto"})], style={"display": "flex", "gap": "1rem"}),
            html.H3("Sensitivity (first-order indices, 95% bootstrap intervals)"),
            dcc.Graph(id="ex-sensitivity", config={"displaylogo": False}),
        ])

    def register(self, app: Any) -> None:
        """The browser's callbacks."""
        import dash
        from dash import Input, Output

        from brinkmanship.report import figures as fg
        from brinkmanship.web.app import _table

        @app.callback(Output("ex-robustness", "children"), Output("ex-robustness-bars", "figure"),
                      Output("ex-message", "children"), Input("ex-objective", "value"))
        def robustness(objective: Any) -> tuple:
            try:
                rows = self.robustness(objective)
            except InputError as exc:
                return dash.no_update, dash.no_update, f"error: {exc.render()}"
            cells = [[r["strategy"], r["rank"], f"{r['mean']:.3g}", f"{r['regret_mean']:.3g}",
                      f"{r['regret_max']:.3g}", f"{r['best_share']:.2f}"] for r in rows]
            table = _table(["strategy", "rank", "mean", "mean regret", "max regret", "share of worlds best"], cells)
            bars = fg.bars_plotly([r["strategy"] for r in rows], [r["regret_max"] for r in rows],
                                  f"Maximum regret: {objective} ({rows[0]['worlds']} worlds)", "regret")
            return table, bars, ""

        @app.callback(Output("ex-prim", "figure"), Output("ex-box", "children"), Output("ex-sensitivity", "figure"),
                      Input("ex-objective", "value"), Input("ex-strategy", "value"), Input("ex-prim", "clickData"))
        def discovery(objective: Any, strategy: Any, click: Any) -> tuple:
            from dash import html

            try:
                found = self.prim(objective, strategy)
                sens = self.sensitivity(objective, strategy)
            except InputError as exc:
                return dash.no_update, f"error: {exc.render()}", dash.no_update
            sfig = fg.bars_plotly([r[0] for r in sens], [r[1] for r in sens], f"First-order index: {objective}",
                                  "S1")
            sfig.update_traces(error_x={"type": "data", "symmetric": False, "array": [r[3] - r[1] for r in sens],
                                        "arrayminus": [r[1] - r[2] for r in sens]})
            if found is None:
                return fg.line_plotly([], [], "PRIM trade-off", "coverage", "density"), \
                    html.P("No worlds of concern to separate (the objective does not vary)."), sfig
            res, cut = found
            box = res.selected
            if dash.ctx.triggered_id == "ex-prim" and isinstance(click, dict):
                pts = click.get("points") or [{}]
                cand = pts[0].get("pointIndex", pts[0].get("pointNumber"))
                if isinstance(cand, int) and 0 <= cand < len(res):
                    box = cand
            traj = res.trajectory()
            pfig = fg.line_plotly([t["coverage"] for t in traj], [t["density"] for t in traj], "PRIM trade-off",
                                  "coverage", "density", highlight=box)
            summ = res.summary(box)
            rows = [[name, ", ".join(lim) if isinstance(lim, list) else f"{lim[0]:.3g} to {lim[1]:.3g}",
                     " / ".join("-" if v < 0 else f"{v:.2g}" for v in summ["qp"].get(name, (-1.0, -1.0)))]
                    for name, lim in summ["limits"].items()]
            text = html.Div([
                html.P(f"Worlds of concern: {objective} under {strategy} above {cut:.3g} (its "
                       f"{CONCERN_QUANTILE:.0%} quantile)."),
                html.P(f"Box {box}: coverage {summ['coverage']:.2f}, density {summ['density']:.2f}, "
                       f"{summ['n']} worlds. In words: {summ['description']}.", id="ex-box-words"),
                _table(["input", "range in the box", "quasi-p (lower / upper)"], rows),
            ])
            return pfig, text, sfig
