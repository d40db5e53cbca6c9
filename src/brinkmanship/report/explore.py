"""Exploration sections (when an exploration store is given): robustness ranking, PRIM box and trade-off
curve, sensitivity bars.

A store that cannot be read is an error (the store names the file and the fix); an analysis that fails
fails the report. Only an absence of data (no complete world, nothing to discover) leaves a section out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from brinkmanship.analysis.cases import Cases
from brinkmanship.analysis.prim import prim
from brinkmanship.analysis.robustness import robustness_table
from brinkmanship.analysis.sensitivity import first_order_indices
from brinkmanship.explore.models import declared_outcomes
from brinkmanship.explore.parameters import Outcome, Uncertainty
from brinkmanship.report import figures as fg
from brinkmanship.report.blocks import Figure, ReportContext, Section, esc, table

OBJECTIVE_PREFERENCE = ("major_war", "nuclear_war", "deaths_mean", "limited_conflict")
FLAGSHIP = "let-deterrence-fail"
WORST_SHARE = 0.2  # the report's PRIM cases: the worst fifth of the explored worlds


@dataclass
class Exploration:
    """What the sections read from a store: the worlds complete for every strategy and their inputs."""

    outcomes: list[Outcome]  # declared, with their directions
    ids: np.ndarray
    strategies: list[str]
    values: dict[str, np.ndarray]  # outcome -> (n_worlds, n_strategies)
    inputs: dict[str, np.ndarray]  # parameter -> (n_worlds,)
    params: list[Uncertainty]
    provenance: dict[str, Any]

    @property
    def objective(self) -> Outcome:
        """The outcome the sections look at: the first of the preferred ones the store has."""
        by_name = {o.name: o for o in self.outcomes}
        return next((by_name[n] for n in OBJECTIVE_PREFERENCE if n in by_name), self.outcomes[0])

    @property
    def flagship(self) -> int:
        """Column of the strategy the discovery sections look at: the flagship when explored, else the first."""
        return self.strategies.index(FLAGSHIP) if FLAGSHIP in self.strategies else 0


def load_exploration(db: Path) -> Exploration:
    """Read what the sections need from the store."""
    from brinkmanship.store import open_store

    with open_store(db, read_only=True) as store:
        names = list(store.outcome_names())
        ids, strategies, values = store.outcome_matrix(names)
        inputs = store.inputs()
        params = store.parameters()
        prov = store.provenance()
    inputs = {k: np.asarray(v)[ids] for k, v in inputs.items()}
    return Exploration(declared_outcomes(names), ids, strategies, values, inputs, params, prov)


def robustness_section(data: Exploration) -> Section | None:
    """Strategies ranked by minimax regret on the main objective across the explored worlds."""
    objective = data.objective
    rows = robustness_table(data.strategies, data.values, objective)
    cells = [[r["strategy"], r["rank"], f"{r['mean']:.3g}", f"{r['p5']:.3g}", f"{r['p95']:.3g}",
              f"{r['regret_mean']:.3g}", f"{r['regret_max']:.3g}", f"{r['best_share']:.2f}"] for r in rows]
    name = objective.name
    body = (f"<p>{rows[0]['worlds']} explored worlds (parameter combinations). Objective: "
            f"<b>{esc(name)}</b> ({'higher' if objective.maximise else 'lower'} is better). Regret is the "
            f"distance to the best strategy of each world; strategies are ranked by their maximum regret "
            f"(minimax regret).</p>"
            + table(["strategy", "rank", "mean", "5th pct", "95th pct", "mean regret", "max regret",
                     "share of worlds best"], cells, "num"))
    labels, regrets = [r["strategy"] for r in rows], [r["regret_max"] for r in rows]
    fig = Figure("robustness", f"Maximum regret on {name} per strategy (lower is more robust).",
                 fg.bars_png(labels, regrets, f"Maximum regret: {name}", "regret"),
                 fg.bars_plotly(labels, regrets, f"Maximum regret: {name}", "regret"))
    return Section("robustness", "Robustness across explored worlds", body, [fig])


def prim_section(data: Exploration) -> Section | None:
    """PRIM scenario discovery: where the flagship strategy does worst on the objective, as a box of inputs."""
    if not data.inputs:
        return None
    objective = data.objective
    strategy = data.strategies[data.flagship]
    y_val = np.asarray(data.values[objective.name])[:, data.flagship]
    cases = Cases.worst(objective, y_val, WORST_SHARE)
    y = cases.mask(y_val)
    if y.sum() == 0 or y.all():  # every world alike: nothing to discover
        return None
    res = prim(data.inputs, y.astype(float), 0.8)
    res.choose()
    summ = res.summary(None, data.params)
    traj = res.trajectory()
    lim_rows = []
    for name, lim in summ["limits"].items():
        q = summ["qp"].get(name, (-1.0, -1.0))
        text = ", ".join(lim) if isinstance(lim, list) else f"{lim[0]:.3g} to {lim[1]:.3g}"
        lim_rows.append([name, text, " / ".join("-" if v < 0 else f"{v:.2g}" for v in q)])
    worst = "lowest" if objective.maximise else "highest"
    body = (f"<p>Worlds of concern: the {worst} {100 * WORST_SHARE:.0f}% of {esc(objective.name)} under "
            f"<b>{esc(strategy)}</b> ({esc(str(cases))}). PRIM (Friedman & Fisher 1999) peels the input space "
            f"to the box that concentrates them. Selected box {summ['box']}: coverage {summ['coverage']:.2f}, "
            f"density {summ['density']:.2f}, {summ['n']} worlds; in words: {esc(summ['description'])}.</p>"
            + table(["input", "range in the box", "quasi-p (lower / upper)"], lim_rows, "num"))
    cov, dens = [t["coverage"] for t in traj], [t["density"] for t in traj]
    fig = Figure("prim", "PRIM trade-off curve: coverage against density along the peeling trajectory.",
                 fg.line_png(cov, dens, "PRIM trade-off", "coverage", "density", highlight=summ["box"]),
                 fg.line_plotly(cov, dens, "PRIM trade-off", "coverage", "density", highlight=summ["box"]))
    return Section("prim", "Scenario discovery (PRIM)", body, [fig])


def sensitivity_section(data: Exploration) -> Section | None:
    """Sensitivity bars: first-order indices of the objective under the flagship strategy."""
    if not data.inputs:
        return None
    objective = data.objective.name
    y = np.asarray(data.values[objective])[:, data.flagship]
    rows = sorted(((k, first_order_indices(v, y)) for k, v in data.inputs.items()), key=lambda t: -t[1])[:20]
    body = (f"<p>Share of the variance of {esc(objective)} under <b>{esc(data.strategies[data.flagship])}</b> "
            f"explained by each input alone (first-order Sobol index, estimated from the exploration sample by "
            f"binning each input; sampler: {esc(str(data.provenance['sampler']))}). Run `brink sensitivity` "
            f"for Saltelli estimates with total-order indices.</p>")
    names, s1 = [r[0] for r in rows], [r[1] for r in rows]
    fig = Figure("sobol", f"First-order sensitivity of {objective} (top {len(rows)} inputs).",
                 fg.bars_png(names, s1, f"First-order index: {objective}", "S1"),
                 fg.bars_plotly(names, s1, f"First-order index: {objective}", "S1"))
    return Section("sensitivity", "Sensitivity", body, [fig])


def exploration_sections(ctx: ReportContext) -> list[Section] | None:
    """All exploration sections for `ctx.db` (none without a store)."""
    if ctx.db is None:
        return None
    data = load_exploration(ctx.db)
    if len(data.ids) == 0:
        return [Section("exploration", "Exploration", '<p class="note">Exploration sections left out: no '
                        'explored world has results for every strategy yet.</p>')]
    out: list[Section] = []
    for fn in (robustness_section, prim_section, sensitivity_section):
        sec = fn(data)
        if sec is not None:
            out.append(sec)
    return out or None
