"""CLI commands of the explore area: `explore`, `robustness`, `discover`, `sensitivity` (registered on the shared app).

Heavy imports happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from brinkmanship.cli.app import app, console, handle_errors, parse_adversary, print_json
from brinkmanship.cli.app import json_safe as _clean
from brinkmanship.cli.common import DEFAULT_MAX_MEMORY, KERNEL, MAX_MEMORY
from brinkmanship.errors import InputError


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [s.strip() for s in value.split(",") if s.strip()]
    if not items:
        raise InputError("no strategy named", field="--strategies", fix="give names separated by commas")
    return items


@app.command("explore")
@handle_errors
def explore_cmd(
    scenario: str = typer.Argument(..., help="scenario name or file (toy:crisis for the built-in toy model)"),
    samples: int = typer.Option(1000, "--samples", "-n", help="sampled worlds (levels per dimension for factorial)"),
    seed: int = typer.Option(0, "--seed", help="seed of the sampler and of every experiment's random stream"),
    db: Path = typer.Option(Path("results.duckdb"), "--db", help="DuckDB results store (resumed if it exists)"),
    sampler: str = typer.Option("lhs", "--sampler", help="lhs | sobol | mc | factorial"),
    strategies: str | None = typer.Option(None, "--strategies", help="comma-separated strategy names (default: all)"),
    runs: int = typer.Option(50, "--runs", help="Monte Carlo runs per experiment"),
    adversary: str = typer.Option("base-rate", "--adversary", help="rational | base-rate | logit:<lambda>"),
    workers: int | None = typer.Option(None, "--workers", help="run chunks in N local processes"),
    dask_local: int | None = typer.Option(None, "--dask-local", help="start a Dask LocalCluster of N workers"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="existing Dask scheduler, tcp://host:port"),
    chunk_size: int = typer.Option(100_000, "--chunk-size", help="experiment-runs per chunk (one task)"),
    vary: str | None = typer.Option(None, "--vary", help="parameters to sample: globs, e.g. 'war.*,-war.civilian_share'"),
    json_out: bool = typer.Option(False, "--json", help="machine output"),
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
    kernel: KERNEL = "fused",
) -> None:
    """Explore a scenario over sampled uncertain worlds x strategies into a resumable DuckDB store."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from brinkmanship.cli.app import err_console
    from brinkmanship.explore.models import resolve_model
    from brinkmanship.explore.pipeline import run_exploration
    from brinkmanship.explore.runners import make_runner
    from brinkmanship.limits import parse_memory

    memory = parse_memory(max_memory)
    adversary = parse_adversary(adversary)
    names = _split(strategies)
    model = resolve_model(scenario, adversary, names, kernel=kernel)
    runner = make_runner(workers=workers, dask_local=dask_local, scheduler=scheduler)
    progress = Progress(TextColumn("[bold]exploring"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("experiments x strategies"), TimeRemainingColumn(),
                        console=err_console, disable=json_out, transient=False)
    task: Any = None

    def on_plan(total: int, done: int) -> None:
        nonlocal task
        task = progress.add_task("explore", total=total, completed=done)

    def on_chunk(res: Any) -> None:
        progress.advance(task, res.chunk.size)

    with progress:
        summary = run_exploration(model, samples, seed, db, sampler=sampler, strategies=model.strategy_names(),
                                  runs=runs, runner=runner, chunk_size=chunk_size, adversary=adversary, vary=vary,
                                  on_plan=on_plan, on_chunk=on_chunk, max_memory=memory)
    if json_out:
        print_json(_clean(summary.to_dict()))
        return
    from rich.table import Table

    state = "resumed" if summary.resumed else "new"
    console.print(f"{escape(str(summary.db))} ({state}): {summary.n_experiments:,} worlds x {len(summary.strategies)} strategies, "
                  f"{summary.runs} runs each; {summary.chunks_run} chunk(s) run, {summary.chunks_skipped} already "
                  f"committed; {summary.runner}; {summary.experiments_run:,} experiments in {summary.seconds:.1f} s"
                  + (f" ({summary.experiments_per_second:,.0f}/s)" if summary.experiments_run else ""))
    cols = ["denuclearisation", "freeze", "buildup", "limited_conflict", "major_war", "nuclear_war", "deaths_mean", "warheads_mean"]
    table = Table(title="mean over sampled worlds")
    table.add_column("strategy", no_wrap=True)
    for c in cols:
        table.add_column(c.replace("_mean", "").replace("_conflict", "").replace("_war", " war"), justify="right")
    for s in summary.strategies:
        m = summary.outcome_means.get(s, {})
        table.add_row(escape(s), *[(f"{m[c]:,.0f}" if c.endswith("_mean") else f"{m[c]:.3f}") if c in m else "-"
                           for c in cols])
    console.print(table)


@app.command("robustness")
@handle_errors
def robustness_cmd(
    db: Path = typer.Option(..., "--db", help="results store written by `brink explore`"),
    objective: str = typer.Option("major_war", "--objective", help="outcome for regret"),
    threshold: list[str] = typer.Option([], "--threshold", help="satisficing condition, e.g. 'major_war<0.05 and warheads<30'"),
    maximize: bool | None = typer.Option(None, "--maximize/--minimize", help="direction (default: the outcome's declared one)"),
    json_out: bool = typer.Option(False, "--json", help="machine output"),
) -> None:
    """Rank strategies by regret across sampled worlds and by the share of worlds meeting the thresholds."""
    from brinkmanship.analysis.robustness import parse_thresholds, resolve_outcome, robustness_table
    from brinkmanship.explore.models import declared_outcomes
    from brinkmanship.store import open_store

    conditions = parse_thresholds(threshold)
    with open_store(db, read_only=True) as store:
        available = declared_outcomes(store.outcome_names())
        goal = resolve_outcome(objective, available).directed(maximize)
        conditions = [type(c)(resolve_outcome(c.outcome, available).name, c.op, c.value) for c in conditions]
        needed = sorted({goal.name, *(c.outcome for c in conditions)})
        _ids, strategies, outcomes = store.outcome_matrix(needed)
    objective = goal.name
    rows = robustness_table(strategies, outcomes, goal, conditions)
    if json_out:
        print_json(_clean({"db": str(db), "objective": objective, "conditions": [str(c) for c in conditions],
                    "worlds": rows[0]["worlds"] if rows else 0, "strategies": rows}))
        return
    from rich.table import Table

    table = Table(title=f"robustness on {escape(objective)} ({rows[0]['direction']}imise) over {rows[0]['worlds']:,} worlds")
    cols = ["rank", "strategy", "mean", "p95", "regret_mean", "regret_max", "best_share"]
    if conditions:
        cols.append("satisficing")
    for c in cols:
        table.add_column(c.replace("regret_", "regret ").replace("_", " "),
                         justify="left" if c == "strategy" else "right", no_wrap=c == "strategy")
    for r in rows:
        table.add_row(*[escape(str(r[c])) if c in ("rank", "strategy") else f"{r[c]:.3g}" for c in cols])
    console.print(table)
    if conditions:
        console.print("satisficing: share of worlds with " + " and ".join(str(c) for c in conditions), markup=False)


@app.command("discover")
@handle_errors
def discover_cmd(
    db: Path = typer.Option(..., "--db", help="results store written by `brink explore`"),
    strategy: str = typer.Option(..., "--strategy", help="strategy whose failures to explain"),
    outcome: str = typer.Option("major_war", "--outcome", help="outcome defining a case of interest"),
    threshold: float = typer.Option(0.5, "--threshold", help="a world is a case when outcome >= threshold"),
    below: bool = typer.Option(False, "--below", help="cases are outcome <= threshold instead"),
    min_density: float = typer.Option(0.8, "--min-density", help="density a box must reach (PRIM threshold)"),
    box: int | None = typer.Option(None, "--box", help="pick this box of the trade-off curve explicitly"),
    peel_alpha: float = typer.Option(0.05, "--peel-alpha"),
    paste_alpha: float = typer.Option(0.05, "--paste-alpha"),
    mass_min: float = typer.Option(0.05, "--mass-min"),
    json_out: bool = typer.Option(False, "--json", help="machine output"),
) -> None:
    """PRIM scenario discovery: the worlds (boxes of uncertain inputs) where a strategy's outcome is a case."""
    import numpy as np

    from brinkmanship.analysis.cases import Cases
    from brinkmanship.analysis.prim import Prim
    from brinkmanship.analysis.robustness import resolve_outcome
    from brinkmanship.explore.models import declared_outcomes
    from brinkmanship.store import open_store

    for name, v in (("--min-density", min_density), ("--peel-alpha", peel_alpha), ("--paste-alpha", paste_alpha),
                    ("--mass-min", mass_min)):
        if not 0 < v < 1:
            raise InputError(f"{v} is not strictly between 0 and 1", field=name, fix="use a fraction such as 0.05")
    with open_store(db, read_only=True) as store:
        if strategy not in store.strategies():
            raise InputError(f"strategy '{strategy}' is not in this store", file=str(db), field="--strategy",
                             fix=f"use one of: {', '.join(store.strategies())}")
        outcome = resolve_outcome(outcome, declared_outcomes(store.outcome_names())).name
        params = store.parameters()
        x = store.experiments_frame()
        out = store.outcomes_frame(strategy)
    if out.empty:
        raise InputError(f"no results yet for '{strategy}'", file=str(db), fix="finish the exploration first")
    x = x.loc[out["experiment_id"].to_numpy()]
    cases = Cases(outcome, threshold, below)
    y = cases.select(out[outcome].to_numpy())
    n_cases = int(y.sum())
    kinds = {p.name: p.kind for p in params}
    res = Prim(x, y.astype(np.int64), min_density, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
               mass_min=mass_min, kinds=kinds).find_box()
    assert res is not None
    chosen = res.select(box).selected if box is not None else res.choose(min_density=min_density)
    summary = res.summary(chosen, params)
    case = str(cases)
    if json_out:
        print_json(_clean({"db": str(db), "strategy": strategy, "case": case, "cases": n_cases, "worlds": len(y),
                           "chosen": summary, "trajectory": res.trajectory()}))
        return
    from rich.table import Table

    console.print(f"{strategy}: {n_cases:,} of {len(y):,} worlds have {case} (base density {n_cases / len(y):.3f})", markup=False)
    table = Table(title="peeling trajectory (coverage/density trade-off)")
    for c in ("box", "coverage", "density", "mass", "res_dim"):
        table.add_column(c, justify="right")
    ids = sorted(set(np.linspace(0, len(res) - 1, min(len(res), 15)).round().astype(int).tolist()) | {chosen})
    for i in ids:
        t = res.trajectory()[i]
        mark = "*" if i == chosen else ""
        table.add_row(f"{mark}{i}", f"{t['coverage']:.3f}", f"{t['density']:.3f}", f"{t['mass']:.3f}", str(t["res_dim"]))
    console.print(table)
    console.print(f"box {chosen}: coverage {summary['coverage']:.3f}, density {summary['density']:.3f}")
    console.print(f"[bold]{escape(summary['description'])}[/]")
    for name, (plo, phi) in summary["qp"].items():
        q = ", ".join(f"{side} p={p:.2g}" for side, p in (("lower", plo), ("upper", phi)) if p >= 0)
        console.print(f"  {name}: {summary['limits'][name]} ({q})", highlight=False, markup=False)


@app.command("sensitivity")
@handle_errors
def sensitivity_cmd(
    scenario: str = typer.Argument(..., help="scenario name or file (toy:crisis for the built-in toy model)"),
    strategy: str = typer.Option(..., "--strategy", help="strategy to analyse"),
    outcome: str = typer.Option("major_war", "--outcome", help="model output to decompose"),
    method: str = typer.Option("sobol", "--method", help="sobol | morris"),
    n: int = typer.Option(1024, "--n", help="Sobol base samples (power of two) or Morris trajectories"),
    seed: int = typer.Option(0, "--seed"),
    runs: int = typer.Option(50, "--runs", help="Monte Carlo runs per experiment"),
    adversary: str = typer.Option("base-rate", "--adversary", help="rational | base-rate | logit:<lambda>"),
    vary: str | None = typer.Option(None, "--vary", help="parameters to vary: globs, e.g. 'war.*,-war.civilian_share'"),
    json_out: bool = typer.Option(False, "--json", help="machine output"),
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
) -> None:
    """Sobol first/total-order indices or Morris screening of one outcome over the scenario's uncertainties."""
    from brinkmanship._api.verbs import sensitivity
    from brinkmanship.limits import parse_memory

    adversary = parse_adversary(adversary)
    res = sensitivity(scenario, strategy, outcome, method=method, n=n, seed=seed, runs=runs, adversary=adversary,
                      vary=vary, progress=not json_out, max_memory=parse_memory(max_memory))
    data = res.to_json()
    strategy, outcome, rows = data["strategy"], data["outcome"], data["indices"]
    if json_out:
        print_json(_clean(data))
        return
    from rich.table import Table

    table = Table(title=f"{method} sensitivity of {escape(outcome)} under {escape(strategy)} "
                        f"({data['evaluations']:,} evaluations)")
    keys = ["S1", "S1_conf", "ST", "ST_conf"] if method == "sobol" else ["mu_star", "mu_star_conf", "mu", "sigma"]
    table.add_column("parameter")
    for k in keys:
        table.add_column(k, justify="right")
    for r in rows:
        table.add_row(escape(r["name"]), *[f"{r[k]:.3f}" for k in keys])
    console.print(table)
