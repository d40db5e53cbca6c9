"""Exploration sections (when an exploration store is given): robustness ranking, PRIM box and trade-off
curve, sensitivity bars.

They depend on `brinkmanship.store` and `brinkmanship.analysis`; every step is defensive: when the API or
the data is missing, the section is replaced by a short note instead of failing the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from brinkmanship.report import figures as fg
from brinkmanship.report.sections import Figure, ReportContext, Section, esc, table

OBJECTIVE_PREFERENCE = ("major_war", "nuclear_war", "deaths_mean", "limited_conflict")
FLAGSHIP = "let-deterrence-fail"


def _note_section(msg: str) -> Section:
    return Section("exploration", "Exploration", f'<p class="note">{esc(msg)}</p>')


def _load(db: Any) -> dict[str, Any]:
    """Read what the sections need from the store: strategies, outcome matrix, inputs, parameters, provenance."""
    from brinkmanship.store import open_store

    with open_store(db, read_only=True) as store:
        names = list(store.outcome_names())
        ids, strategies, outcomes = store.outcome_matrix(names)
        inputs = store.inputs()
        try:
            params = store.parameters()
        except Exception:
            params = []
        prov = store.provenance()
    inputs = {k: np.asarray(v)[ids] if len(v) > ids.max(initial=-1) else np.asarray(v) for k, v in inputs.items()}
    return {"names": names, "ids": ids, "strategies": strategies, "outcomes": outcomes, "inputs": inputs,
            "params": params, "provenance": prov}


def _flagship(strategies: list[str]) -> int:
    """Column of the strategy the discovery sections look at: the flagship when explored, else the first."""
    return strategies.index(FLAGSHIP) if FLAGSHIP in strategies else 0


def _objective(names: list[str]) -> str:
    for n in OBJECTIVE_PREFERENCE:
        if n in names:
            return n
    return names[0]


def robustness_section(data: dict[str, Any]) -> Section | None:
    """Strategies ranked by minimax regret on the main objective across the explored worlds."""
    from brinkmanship.analysis.robustness import robustness_table

    objective = _objective(data["names"])
    rows = robustness_table(data["strategies"], data["outcomes"], objective)
    cells = [[r["strategy"], r["rank"], f"{r['mean']:.3g}", f"{r.get('p5', float('nan')):.3g}",
              f"{r.get('p95', float('nan')):.3g}", f"{r['regret_mean']:.3g}", f"{r['regret_max']:.3g}",
              f"{r['best_share']:.2f}"] for r in rows]
    body = (f"<p>{rows[0]['worlds'] if rows else 0} explored worlds (parameter combinations). Objective: "
            f"<b>{esc(objective)}</b> ({'higher' if rows and rows[0]['direction'] == 'max' else 'lower'} is "
            f"better). Regret is the distance to the best strategy of each world; strategies are ranked by "
            f"their maximum regret (minimax regret).</p>"
            + table(["strategy", "rank", "mean", "5th pct", "95th pct", "mean regret", "max regret",
                     "share of worlds best"], cells, "num"))
    fig = Figure("robustness", f"Maximum regret on {objective} per strategy (lower is more robust).",
                 fg.bars_png([r["strategy"] for r in rows], [r["regret_max"] for r in rows],
                            f"Maximum regret: {objective}", "regret"),
                 fg.bars_plotly([r["strategy"] for r in rows], [r["regret_max"] for r in rows],
                               f"Maximum regret: {objective}", "regret"))
    return Section("robustness", "Robustness across explored worlds", body, [fig])


def prim_section(data: dict[str, Any]) -> Section | None:
    """PRIM scenario discovery: where the flagship strategy does worst on the objective, as a box of inputs."""
    from brinkmanship.analysis.prim import prim

    if not data["inputs"]:
        return None
    objective = _objective(data["names"])
    j = _flagship(data["strategies"])
    strategy = data["strategies"][j]
    y_val = np.asarray(data["outcomes"][objective])[:, j]
    cut = float(np.quantile(y_val, 0.8))
    y = y_val > cut if cut < y_val.max() else y_val >= cut
    if y.sum() == 0 or y.all():
        return None
    res = prim(data["inputs"], y.astype(float), 0.8)
    res.choose()
    summ = res.summary(None, data["params"])
    traj = res.trajectory()
    lim_rows = []
    for name, lim in summ["limits"].items():
        q = summ["qp"].get(name, (-1.0, -1.0))
        text = ", ".join(lim) if isinstance(lim, list) else f"{lim[0]:.3g} to {lim[1]:.3g}"
        lim_rows.append([name, text, " / ".join("-" if v < 0 else f"{v:.2g}" for v in q)])
    body = (f"<p>Worlds of concern: {esc(objective)} under <b>{esc(strategy)}</b> above its 80th percentile "
            f"({cut:.3g}). PRIM (Friedman & Fisher 1999) peels the input space to the box that concentrates "
            f"them. Selected box {summ['box']}: coverage {summ['coverage']:.2f}, density {summ['density']:.2f}, "
            f"{summ['n']} worlds; in words: {esc(summ['description'])}.</p>"
            + table(["input", "range in the box", "quasi-p (lower / upper)"], lim_rows, "num"))
    fig = Figure("prim", "PRIM trade-off curve: coverage against density along the peeling trajectory.",
                 fg.line_png([t["coverage"] for t in traj], [t["density"] for t in traj],
                             "PRIM trade-off", "coverage", "density", highlight=summ["box"]),
                 fg.line_plotly([t["coverage"] for t in traj], [t["density"] for t in traj],
                                "PRIM trade-off", "coverage", "density", highlight=summ["box"]))
    return Section("prim", "Scenario discovery (PRIM)", body, [fig])


def first_order_indices(x: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """First-order sensitivity Var(E[y|x]) / Var(y), estimated from any sample by quantile binning of x."""
    y = np.asarray(y, dtype=float)
    var = y.var()
    if var <= 0:
        return 0.0
    xs = np.asarray(x)
    if xs.dtype.kind not in "fiu":
        _, codes = np.unique(xs.astype(str), return_inverse=True)
    else:
        edges = np.unique(np.quantile(xs.astype(float), np.linspace(0, 1, bins + 1)))
        codes = np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, max(len(edges) - 2, 0))
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=y) / np.maximum(counts, 1)
    between = float(np.sum(counts * (means - y.mean()) ** 2) / y.size)
    return max(0.0, min(1.0, between / var))


def sensitivity_section(data: dict[str, Any]) -> Section | None:
    """Sensitivity bars: first-order indices of the objective under the flagship strategy."""
    if not data["inputs"]:
        return None
    objective = _objective(data["names"])
    j = _flagship(data["strategies"])
    y = np.asarray(data["outcomes"][objective])[:, j]
    rows = sorted(((k, first_order_indices(v, y)) for k, v in data["inputs"].items()), key=lambda t: -t[1])
    rows = rows[:20]
    body = (f"<p>Share of the variance of {esc(objective)} under <b>{esc(data['strategies'][j])}</b> explained "
            f"by each input alone (first-order Sobol index, estimated from the exploration sample by binning "
            f"each input; sampler: {esc(str(data['provenance'].get('sampler', '?')))}). Run `brink sensitivity` "
            f"for Saltelli estimates with total-order indices.</p>")
    fig = Figure("sobol", f"First-order sensitivity of {objective} (top {len(rows)} inputs).",
                 fg.bars_png([r[0] for r in rows], [r[1] for r in rows], f"First-order index: {objective}", "S1"),
                 fg.bars_plotly([r[0] for r in rows], [r[1] for r in rows], f"First-order index: {objective}",
                               "S1"))
    return Section("sensitivity", "Sensitivity", body, [fig])


def exploration_sections(ctx: ReportContext) -> list[Section] | None:
    """All exploration sections for `ctx.db`, each skipped with a note when its API or data is missing."""
    if ctx.db is None:
        return None
    try:
        data = _load(ctx.db)
    except ImportError as exc:
        return [_note_section(f"Exploration sections skipped: the store API is not available ({exc}).")]
    except Exception as exc:
        return [_note_section(f"Exploration sections skipped: the store could not be read "
                              f"({type(exc).__name__}: {exc}).")]
    if len(data["ids"]) == 0:
        return [_note_section("Exploration sections skipped: no explored world has results for every strategy.")]
    out: list[Section] = []
    for fn in (robustness_section, prim_section, sensitivity_section):
        try:
            sec = fn(data)
        except ImportError as exc:
            sec = Section(fn.__name__.removesuffix("_section"), fn.__name__.removesuffix("_section").title(),
                          f'<p class="note">Skipped: the analysis API is not available ({esc(str(exc))}).</p>')
        except Exception as exc:
            sec = Section(fn.__name__.removesuffix("_section"), fn.__name__.removesuffix("_section").title(),
                          f'<p class="note">Skipped: {esc(type(exc).__name__)}: {esc(str(exc))}.</p>')
        if sec is not None:
            out.append(sec)
    return out or None
