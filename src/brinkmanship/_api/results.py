"""Result objects of the Python API: each records how it was made and offers the same four views.

`to_json()` is the CLI's `--json` object (built by the same functions), `to_frame()` a tidy pandas
DataFrame, `plot()` the report's interactive figure (plotly), and `_repr_html_()` a compact notebook view.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Provenance:
    """How a result was made: the method, its inputs and settings, and the package version."""

    method: str
    scenario: str | None = None
    strategies: tuple[str, ...] = ()
    adversary: str | None = None
    seed: int | None = None
    runs: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    version: str = ""

    def __post_init__(self) -> None:
        if not self.version:
            from brinkmanship import __version__

            object.__setattr__(self, "version", __version__)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        d = asdict(self)
        d["strategies"] = list(self.strategies)
        return d

    def describe(self) -> str:
        """One line for people: what was run, against whom, how many runs, which seed."""
        parts = [self.method]
        if self.scenario:
            parts.append(f"scenario {self.scenario}")
        if self.strategies:
            parts.append("strategies " + ", ".join(self.strategies))
        if self.adversary:
            parts.append(f"adversary {self.adversary}")
        if self.runs is not None:
            parts.append(f"{self.runs:,} runs")
        if self.seed is not None:
            parts.append(f"seed {self.seed}")
        parts.append(f"brinkmanship {self.version}")
        return "; ".join(parts)


class _Result:
    """Shared behaviour: provenance, a notebook view built from `to_frame()`, and a plain `repr`."""

    title = "result"
    provenance: Provenance

    def to_json(self) -> Any:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _html_frame(self) -> pd.DataFrame:
        return self.to_frame()

    def _repr_html_(self) -> str:
        frame = self._html_frame()
        body = frame.to_html(max_rows=40, float_format=lambda x: f"{x:.4g}", border=0)
        return (f"<div><strong>{html.escape(self.title)}</strong>"
                f"<p style='color:#666'>{html.escape(self.provenance.describe())}</p>{body}</div>")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.provenance.describe()}>"


class _JSONResult(_Result):
    """A result that wraps the JSON object its command prints (`to_json` returns it as is)."""

    def __init__(self, data: dict[str, Any], provenance: Provenance) -> None:
        self._data = data
        self.provenance = provenance

    def to_json(self) -> dict[str, Any]:
        """The object the matching `brink ... --json` command prints."""
        return self._data


class Comparison(_Result):
    """Outcome probabilities (with 95% intervals) and metrics of one or more strategies.

    `results` keeps the per-run simulation results (`engine.SimulationResult`) for deeper analysis.
    """

    title = "Strategy comparison"

    def __init__(self, summary: dict[str, Any], results: list[Any], provenance: Provenance) -> None:
        self._summary = summary
        self.results = results
        self.provenance = provenance

    def to_json(self) -> dict[str, Any]:
        """The `brink compare --json` object."""
        return self._summary

    def to_frame(self, kind: str = "outcomes") -> pd.DataFrame:
        """Tidy table: `kind="outcomes"` gives strategy, outcome, p, lo, hi; `"aims"` gives strategy, aim, p,
        lo, hi (the chance each of the scenario's stated aims is met); `"metrics"` gives strategy, metric, value
        (nested metrics such as shares by rung become `highest_rung.<rung>`)."""
        import pandas as pd

        if kind == "aims":
            rows = [{"strategy": s["name"], "aim": a, "p": c["p"], "lo": c["lo"], "hi": c["hi"]}
                    for s in self._summary["strategies"] for a, c in s.get("aims", {}).items()]
            return pd.DataFrame(rows, columns=["strategy", "aim", "p", "lo", "hi"])
        if kind == "outcomes":
            rows = [{"strategy": s["name"], "outcome": o, "p": c["p"], "lo": c["lo"], "hi": c["hi"]}
                    for s in self._summary["strategies"] for o, c in s["outcomes"].items()]
            return pd.DataFrame(rows, columns=["strategy", "outcome", "p", "lo", "hi"])
        if kind == "metrics":
            rows = []
            for s in self._summary["strategies"]:
                for name, v in s["metrics"].items():
                    items = v.items() if isinstance(v, dict) else [(None, v)]
                    for sub, x in items:
                        rows.append({"strategy": s["name"], "metric": name if sub is None else f"{name}.{sub}",
                                     "value": float("nan") if x is None else float(x)})
            return pd.DataFrame(rows, columns=["strategy", "metric", "value"])
        raise ValueError(f"kind must be 'outcomes', 'aims' or 'metrics', got {kind!r}")

    def _html_frame(self) -> pd.DataFrame:
        return self.to_frame().pivot(index="strategy", columns="outcome", values="p").loc[
            [s["name"] for s in self._summary["strategies"]], list(self._summary["strategies"][0]["outcomes"])]

    def plot(self) -> Any:
        """The report's comparison figure: grouped bars of outcome probabilities with 95% intervals."""
        from brinkmanship.report.figures import comparison_plotly

        return comparison_plotly(self._summary["strategies"])


class Explanation(_JSONResult):
    """The planner's best response to a strategy: a summary in words, month by month, and a policy map."""

    title = "Best response"

    @property
    def summary(self) -> str:
        """The best response in a few sentences."""
        return str(self._data["summary"])

    @property
    def margins(self) -> pd.DataFrame | None:
        """Per weight, the smallest move (share of its declared range; negative: down) that changes the most
        likely outcome, nearest first (NaN: none within the range); None when computed without margins."""
        import pandas as pd

        m = self._data.get("margins")
        if m is None:
            return None
        cols = ["name", "value", "down", "down_to", "up", "up_to", "margin", "tolerance", "changes_to"]
        return pd.DataFrame([{k: w[k] for k in cols} for w in m["weights"]], columns=cols).astype(
            {"down": float, "up": float, "margin": float, "tolerance": float})

    @property
    def value_gap(self) -> dict[str, Any]:
        """The target's best and second-best plan at the start and the gap between their values."""
        return dict(self._data["value_gap"])

    def to_frame(self) -> pd.DataFrame:
        """Tidy table of what the target does: month, date, action, share of all runs (exact)."""
        import pandas as pd

        rows = [{"month": r["month"], "date": r["date"], "action": a, "share": p}
                for r in self._data["policy_by_month"] for a, p in r["actions_taken"].items()]
        return pd.DataFrame(rows, columns=["month", "date", "action", "share"])

    def _html_frame(self) -> pd.DataFrame:
        return self.to_frame().pivot(index="date", columns="action", values="share").fillna(0.0)

    def plot(self) -> Any:
        """The report's policy map: the target's best action by talks progress and targets left."""
        from brinkmanship.report.figures import policy_plotly

        policy = {**self._data["policy_map"], "row_label": "talks progress", "col_label": "targets left"}
        return policy_plotly(policy, f"{self._data['adversary']} target's policy against "
                                     f"{self._data['strategy']} ({self._data['policy_map']['date']})")

    def _repr_html_(self) -> str:
        return super()._repr_html_().replace("</p>", f"</p><p>{html.escape(self.summary)}</p>", 1)


class Audit(_Result):
    """Humanitarian-law findings of a strategy (not legal advice)."""

    title = "Humanitarian-law audit (not legal advice)"

    def __init__(self, findings: list[Any], provenance: Provenance, credibility: list[Any] | None = None) -> None:
        self.findings = findings
        self.provenance = provenance
        self.credibility = credibility or []

    @property
    def prohibited(self) -> int:
        """Number of findings with verdict `prohibited`."""
        return sum(f.verdict == "prohibited" for f in self.findings)

    def to_json(self) -> dict[str, list[dict[str, Any]]]:
        """The `brink audit --json` object: the humanitarian-law findings and the credibility verdicts."""
        return {"ihl": [f.model_dump() for f in self.findings],
                "credibility": [f.model_dump() for f in self.credibility]}

    def to_frame(self) -> pd.DataFrame:
        """One row per humanitarian-law finding: rule, principle, verdict, citation, why."""
        import pandas as pd

        return pd.DataFrame(self.to_json()["ihl"], columns=["rule", "principle", "verdict", "citation", "why"])

    def credibility_frame(self) -> pd.DataFrame:
        """One row per rule and deadline: declared and equilibrium probability, verdict, why."""
        import pandas as pd

        return pd.DataFrame(self.to_json()["credibility"],
                            columns=["rule", "kind", "declared", "equilibrium", "verdict", "why", "chance"])

    def plot(self) -> Any:
        """Bars: number of findings per verdict."""
        from brinkmanship.audit import VERDICTS
        from brinkmanship.report.figures import bars_plotly

        counts = [sum(f.verdict == v for f in self.findings) for v in VERDICTS]  # the IHL verdicts
        return bars_plotly(list(VERDICTS), counts, f"Audit of {self.provenance.strategies[0]}", "findings")


class Sensitivity(_JSONResult):
    """Sensitivity indices of one outcome of one strategy over the scenario's uncertain parameters."""

    title = "Sensitivity analysis"

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: S1, S1_conf, ST, ST_conf (Sobol) or mu_star, mu_star_conf, mu, sigma (Morris)."""
        import pandas as pd

        return pd.DataFrame(self._data["indices"])

    def plot(self) -> Any:
        """Bars of the total-order index (Sobol) or of mu* (Morris) per parameter."""
        from brinkmanship.report.figures import bars_plotly

        key = "ST" if self._data["method"] == "sobol" else "mu_star"
        f = self.to_frame().sort_values(key)
        return bars_plotly(f["name"].tolist(), f[key].tolist(),
                           f"{self._data['method']} sensitivity of {self._data['outcome']} under "
                           f"{self._data['strategy']}", key)


class Backtest(_JSONResult):
    """The model's forecast from the scenario's start scored against the observed monthly record."""

    title = "Backtest against the record"

    def to_frame(self) -> pd.DataFrame:
        """One row per month: predicted probabilities and missiles, what was observed, log-likelihood."""
        import pandas as pd

        rows = []
        for m in self._data["months"]:
            row: dict[str, Any] = {"month": m["month"]}
            row.update(m["predicted"])
            row.update({f"observed_{k}": v for k, v in m["observed"].items()})
            row["log_likelihood"] = m["log_likelihood"]
            rows.append(row)
        return pd.DataFrame(rows)

    def plot(self) -> Any:
        """Forecast missiles per month (mean and 90% interval) against the observed missiles."""
        import plotly.graph_objects as go

        f = self.to_frame()
        fig = go.Figure([
            go.Scatter(x=f["month"], y=f["missiles_q95"], line={"width": 0}, showlegend=False),
            go.Scatter(x=f["month"], y=f["missiles_q05"], fill="tonexty", line={"width": 0},
                       name="model 90% interval"),
            go.Scatter(x=f["month"], y=f["missiles_mean"], name="model mean"),
            go.Scatter(x=f["month"], y=f["observed_missiles"], mode="markers", name="observed"),
        ])
        fig.update_layout(title=f"{self._data['scenario']} / {self._data['strategy']}: forecast vs record",
                          yaxis_title="missiles", template="plotly_white")
        return fig


class Solution(_Result):
    """Equilibria of a game with the solver's method and settings (Gambit style)."""

    title = "Equilibria"

    def __init__(self, result: Any, game: Any, name: str) -> None:
        self.result = result
        self.game = game
        self.name = name
        self.provenance = Provenance(method=result.method, settings={"game": name, **result.settings})

    @property
    def equilibria(self) -> list[Any]:
        """The verified equilibria (`games.solvers.result.Equilibrium`)."""
        return list(self.result.equilibria)

    def to_json(self) -> dict[str, Any]:
        """The `brink solve --json` object."""
        out = self.result.to_json()
        out["game"] = self.game.title or self.name
        return out

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: equilibrium, player, choice (strategy or infoset:action), probability; payoffs
        of each equilibrium in `payoff`."""
        import pandas as pd

        from brinkmanship.games.normal import NormalFormGame

        rows = []
        for i, eq in enumerate(self.result.equilibria):
            for p, strat in enumerate(eq.as_floats()):
                player = self.game.players[p]
                if self.result.form == "strategic":
                    names = (list(self.game.strategies[p]) if isinstance(self.game, NormalFormGame)
                             else [str(j + 1) for j in range(len(strat))])
                    choices = zip(names, strat, strict=True)
                else:
                    choices = ((f"{k + 1}:{j + 1}", x) for k, probs in enumerate(strat)
                               for j, x in enumerate(probs))
                for choice, x in choices:
                    rows.append({"equilibrium": i, "player": player, "choice": choice, "probability": x,
                                 "payoff": float(eq.payoffs[p])})
        return pd.DataFrame(rows, columns=["equilibrium", "player", "choice", "probability", "payoff"])

    def plot(self) -> Any:
        """Bars of each equilibrium's choice probabilities (one bar group per equilibrium)."""
        import plotly.express as px

        f = self.to_frame()
        f["label"] = f["player"].astype(str) + ": " + f["choice"].astype(str)
        return px.bar(f, x="label", y="probability", color=f["equilibrium"].astype(str), barmode="group",
                      title=f"{self.to_json()['game']}: {self.result.method} equilibria",
                      template="plotly_white")
