"""CLI commands of the simulator: scenarios, show, run, compare, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from brinkmanship._api.verbs import check_simulations
from brinkmanship.cli.app import app, console, handle_errors, parse_adversary, print_json, to_json
from brinkmanship.cli.common import (
    COERCER,
    DEFAULT_MAX_MEMORY,
    KERNEL,
    MAX_MEMORY,
    TYPE_COUNT,
    TYPES,
    check_lead,
    check_runs,
    comparison_table,
    credibility_of,
    lead_and_margins,
    load_pair,
    prohibited_counts,
    run_strategies,
    split_names,
    types_lines,
)

RUNS = Annotated[int, typer.Option("--runs", "-n", help="Monte Carlo runs per strategy.")]
SEED = Annotated[int, typer.Option("--seed", help="Root seed: the same seed gives the same bits.")]
CHUNK = Annotated[int, typer.Option("--chunk-size", help="Runs per vectorised batch (memory, never numbers).")]
ADV = Annotated[str, typer.Option("--adversary", help="rational (default) | base-rate | logit:<lambda>")]
JSON = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
DEFAULT_ADVERSARY = "rational"


@app.command("scenarios")
@handle_errors
def scenarios_cmd(as_json: JSON = False) -> None:
    """List the packaged scenarios and strategies, one line each."""
    from brinkmanship.spec import load_scenario, load_strategy, packaged_scenarios, packaged_strategy_names

    rows = []
    for name in packaged_scenarios():
        sc = load_scenario(name)
        rows.append({"kind": "scenario", "name": sc.name, "title": sc.title,
                     "detail": f"{sc.start.isoformat()}, {sc.horizon_months} months"})
    for name in packaged_strategy_names():
        st = load_strategy(name)
        rows.append({"kind": "strategy", "name": st.name, "title": st.title,
                     "detail": f"{len(st.rules)} rules, {len(st.deadlines)} deadlines"})
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for col in ("kind", "name", "title", "detail"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["kind"], r["name"], r["title"], r["detail"])
    console.print(table)


@app.command("show")
@handle_errors
def show_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    strategy: Annotated[str | None, typer.Option("--strategy", "-s", help="Strategy name or YAML file.")] = None,
    sources_only: Annotated[bool, typer.Option("--sources", help="List the sources and their ids.")] = False,
    as_json: JSON = False,
) -> None:
    """Show a scenario (or a strategy in it): levers, rules, deadlines, every number with its source."""
    from brinkmanship.cli.show import render_show

    render_show(scenario, strategy, sources_only, as_json)


@app.command("run")
@handle_errors
def run_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="Strategy name or YAML file.")],
    runs: RUNS = 100_000,
    seed: SEED = 0,
    chunk_size: CHUNK = 50_000,
    adversary: ADV = DEFAULT_ADVERSARY,
    exact: Annotated[bool, typer.Option("--exact", help="Exact outcome probabilities (planner models).")] = False,
    types: TYPES = None,
    type_count: TYPE_COUNT = None,
    as_json: JSON = False,
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
    coercer: COERCER = "committed",
    kernel: KERNEL = "fused",
) -> None:
    """Simulate one strategy and print its outcome distribution."""
    _compare(scenario, [strategy], runs, seed, chunk_size, adversary, exact, as_json, max_memory, types,
             type_count, coercer=coercer, kernel=kernel)


@app.command("compare")
@handle_errors
def compare_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    strategies: Annotated[str | None, typer.Option("--strategies", help="Comma-separated names or files.")] = None,
    runs: RUNS = 100_000,
    seed: SEED = 0,
    chunk_size: CHUNK = 50_000,
    adversary: ADV = DEFAULT_ADVERSARY,
    exact: Annotated[bool, typer.Option("--exact", help="Exact outcome probabilities (planner models).")] = False,
    types: TYPES = None,
    type_count: TYPE_COUNT = None,
    as_json: JSON = False,
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
    credibility_sweep: Annotated[int | None, typer.Option(
        "--credibility-sweep", min=2, max=101,
        help="Also rank the strategies at N common prior credibilities in [0, 1] (exact, point type) and "
             "report where each one's rank changes.")] = None,
    coercer: COERCER = "committed",
    kernel: KERNEL = "fused",
) -> None:
    """Simulate every strategy of the scenario side by side; against a planner target, the mixture over
    its types (`--types`), with what decides each strategy's outcome. `--coercer strategic`: the equilibrium
    of a coercer that decides at each trigger whether to carry out its threats (exact outcomes)."""
    _compare(scenario, split_names(strategies), runs, seed, chunk_size, adversary, exact, as_json, max_memory,
             types, type_count, credibility_sweep=credibility_sweep, coercer=coercer, kernel=kernel)


def _compare(scenario: str, strategies: list[str] | None, runs: int, seed: int, chunk_size: int,
             adversary_text: str, exact: bool, as_json: bool, max_memory: str = DEFAULT_MAX_MEMORY,
             types: str | None = None, type_count: int | None = None, credibility_sweep: int | None = None,
             coercer: str = "committed", kernel: str = "fused") -> dict:
    from brinkmanship._api.verbs import compare
    from brinkmanship.limits import parse_memory

    check_runs(runs, chunk_size)
    memory = parse_memory(max_memory)
    adversary = parse_adversary(adversary_text)
    sc, sts = load_pair(scenario, strategies)
    comparison = compare(sc, sts, runs=runs, seed=seed, adversary=adversary, exact=exact, chunk_size=chunk_size,
                         progress=not as_json, max_memory=memory, types=types, type_count=type_count,
                         credibility_sweep=credibility_sweep, coercer=coercer, kernel=kernel)
    summary, results = comparison.to_json(), comparison.results
    exact = exact or coercer == "strategic"
    if as_json:
        print_json(summary)
    else:
        t = summary.get("types")
        target = (f"a {results[0].adversary} target of {t['count']} {t['kind']} types" if t else
                  f"adversary {results[0].adversary}")
        how = "exact" if exact else f"{runs:,} runs per strategy, seed {seed}"
        console.print(comparison_table(summary, f"{escape(sc.title)}: {target}, {how}"))
        for line in types_lines(summary, exact):
            console.print(line, soft_wrap=True, highlight=False)
        for line in credibility_lines(summary):
            console.print(line, soft_wrap=True, highlight=False)
        intervals = "" if t else "Intervals: 95% Wilson. "
        console.print(f"[dim]{intervals}Deaths: all causes over the horizon (sampled runs). "
                      "IHL prohib.: findings of `brink audit` with verdict prohibited (not legal advice).[/]")
        for line in coercer_lines(summary):
            console.print(line, soft_wrap=True, highlight=False, markup=False)
    return summary


@app.command("demo")
@handle_errors
def demo_cmd(
    out: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("brink-out"),
    runs: RUNS = 100_000,
    seed: SEED = 7,
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
    with_margins: Annotated[bool, typer.Option("--margins/--no-margins", help="Search each strategy's margins: per "
                                               "weight the smallest move that changes its most likely outcome "
                                               "(about a third of the demo's time).")] = True,
    type_count: TYPE_COUNT = None,
) -> None:
    """The flagship analysis: the five 2017 strategies against a rational target (the op-ed's premise, through
    the API's `compare` with its defaults), with a one-sentence bottom line and how close each answer is to
    its edge, and against the historical base-rate target; writes tables (CSV, PNG) and the HTML report."""
    import time

    from brinkmanship.adversary.explain import explain
    from brinkmanship.engine import compare
    from brinkmanship.limits import parse_memory
    from brinkmanship.outfiles import prepare_out_dir, write_text
    from brinkmanship.report import build_report, write_comparison
    from brinkmanship.report.common import target_words
    from brinkmanship.report.lead import bottom_line

    check_runs(runs, 50_000)
    memory = parse_memory(max_memory)
    sc, sts = load_pair("korea-2017", None)
    rational_target, base_rate_target = parse_adversary("rational"), parse_adversary("base-rate")
    for target in (rational_target, base_rate_target):  # refuse before the output folder is touched
        check_simulations(sc, sts, runs, 50_000, target, memory)
    check_lead(sc, sts, memory, with_margins, type_count)
    prohibited = prohibited_counts(sts)
    prepare_out_dir(out)
    t0 = time.perf_counter()
    lead, margins = lead_and_margins(sc, sts, runs, seed, memory,  # the API's compare with its defaults
                                     with_margins=with_margins, type_count=type_count)
    summary_r = lead.to_json()
    console.print(comparison_table(summary_r, f"{sc.title}: {target_words(summary_r)}, "
                                              f"{runs:,} runs per strategy, seed {seed}"))
    for line in types_lines(summary_r, exact=False):
        console.print(line, soft_wrap=True, highlight=False)
    console.print(f"[bold]Bottom line:[/] {escape(bottom_line(summary_r, margins))}", soft_wrap=True)
    base = run_strategies(sc, sts, runs, seed, base_rate_target, 50_000, max_memory=memory)
    summary_b = compare(base, prohibited)
    console.print(comparison_table(summary_b, f"{sc.title}: base-rate target (calibrated stochastic policy), "
                                              f"{runs:,} runs per strategy, seed {seed}"))
    t_sim = time.perf_counter() - t0
    t1 = time.perf_counter()
    write_comparison(summary_r, out / "rational")
    csv_path, png_path = write_comparison(summary_b, out)
    ldf = next(s for s in sts if s.name == "let-deterrence-fail")
    why = explain(sc, ldf, rational_target, with_margins=False)
    console.print(f"[bold]Rational target vs let-deterrence-fail:[/] {escape(why['summary'])}", soft_wrap=True)
    policy = {**why["policy_map"], "title": "Rational target's policy against let-deterrence-fail",
              "description": why["summary"], "row_label": "talks progress", "col_label": "targets left"}
    from brinkmanship.history.compare import compare_models
    from brinkmanship.report.history import verdict

    history = compare_models(sc, runs=min(runs, 10_000), seed=seed)  # what the 2016-2018 record says
    console.print(f"[bold]What history says:[/] {verdict(history)}", soft_wrap=True, highlight=False)
    html = build_report(sc, base, out, summary=summary_b, strategies=sts, policy=policy, history=history,
                        lead=summary_r, margins=margins, credibility=credibility_of(sc, sts))
    print_json_path = out / "compare.json"
    write_text(print_json_path, to_json({"rational": summary_r, "base-rate": summary_b, "margins": margins},
                                        indent=2))
    console.print(f"simulated and searched in {t_sim:.1f}s; tables and report written in "
                  f"{time.perf_counter() - t1:.1f}s")
    console.print(f"wrote {csv_path}, {png_path}, {out / 'rational' / 'comparison.csv'}, {print_json_path}, "
                  f"{html}", markup=False)


@app.command("explain")
@handle_errors
def explain_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="Strategy name or YAML file.")],
    adversary: ADV = "rational",
    with_margins: Annotated[bool, typer.Option("--margins/--no-margins", help="Search, per weight, the smallest "
                                               "move that changes the most likely outcome (seconds).")] = True,
    as_json: JSON = False,
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
    coercer: COERCER = "committed",
) -> None:
    """The target's best response to a strategy, in words and as a compact policy table, and how close to the
    edge its choice is: per weight of the target, the smallest move (share of its range) that changes the most
    likely outcome, and the value gap between its best and second-best plan at the start. `--coercer
    strategic`: the best response to the coercer's equilibrium, with the equilibrium's verdicts."""
    from rich.table import Table

    from brinkmanship.adversary.explain import explain
    from brinkmanship.spec import load_scenario, load_strategy

    parsed = parse_adversary(adversary)
    if parsed.kind == "base-rate":
        from brinkmanship.errors import InputError

        raise InputError("explain describes a planner's best response", field="--adversary",
                         fix="use rational or logit:<lambda>")
    from brinkmanship.adversary.budget import check_planner
    from brinkmanship.engine.compiled import compile_model
    from brinkmanship.limits import parse_memory

    memory = parse_memory(max_memory)
    sc = load_scenario(scenario)
    st = load_strategy(strategy, sc)
    c = compile_model(sc, st)
    check_planner(c, 1, memory, cached_policies=True)
    if with_margins:
        from brinkmanship.engine.experiments import EXACT_BLOCK

        check_planner(c, EXACT_BLOCK, memory)  # the margins solve blocks of moved weights at once
    if coercer == "committed":
        out = explain(sc, st, parsed, with_margins=with_margins)
    else:
        from brinkmanship._api.verbs import explain as explain_verb

        out = explain_verb(sc, st, parsed, margins=with_margins, coercer=coercer).to_json()
    if as_json:
        print_json(out)
        return
    console.print(f"[bold]{escape(out['strategy'])}[/] vs a {escape(out['adversary'])} target "
                  f"({out['method']}, grid {out['settings']['grid']})")
    console.print(out["summary"], soft_wrap=True, markup=False)
    months = Table(title="What it does, month by month (chance of each action; exact)", title_justify="left",
                   header_style="bold")
    months.add_column("month")
    months.add_column("at the starting state")
    months.add_column("actions taken (share of all runs)")
    for row in out["policy_by_month"]:
        if row["month"] % 3 and row["month"] != len(out["policy_by_month"]) - 1:
            continue
        taken = ", ".join(f"{a} {p:.0%}" for a, p in sorted(row["actions_taken"].items(), key=lambda x: -x[1])
                          if p >= 0.005)
        months.add_row(escape(row["date"]), escape(row["at_start_state"]), escape(taken or "-"))
    console.print(months)
    pm = out["policy_map"]
    grid = Table(title=f"Policy map in {pm['date']} (no tests yet): talks progress x targets left",
                 title_justify="left", header_style="bold")
    grid.add_column("")
    for col_name in pm["cols"]:
        grid.add_column(escape(str(col_name)))
    for label, row in zip(pm["rows"], pm["action"], strict=True):
        grid.add_row(escape(str(label)), *(escape(str(c)) for c in row))
    console.print(grid)
    _print_margins(out)
    if "coercer" in out:
        for line in coercer_lines({"coercer": {"strategies": {st.name: out["coercer"]}}}):
            console.print(line, soft_wrap=True, highlight=False, markup=False)


def _print_margins(out: dict) -> None:
    """The value gap at the start and, with margins, one row per weight: its value, range and nearest edge."""
    from rich.table import Table

    gap = out["value_gap"]
    rel = "" if gap["relative"] is None else f" ({gap['relative']:.2%} of its value)"
    console.print(f"At the start: {gap['best']} ({gap['best_value']:.4g}) beats {gap['second']} "
                  f"({gap['second_value']:.4g}) by {gap['gap']:.3g} utility units{rel}.", markup=False,
                  highlight=False)
    m = out.get("margins")
    if m is None:
        return
    s = m["settings"]
    table = Table(title=f"How close to the edge: the smallest move of each weight (share of its declared range) "
                        f"that changes the most likely ending ({m['most_likely']})", title_justify="left",
                  header_style="bold")
    table.add_column("weight", overflow="fold")
    for name in ("value", "range", "down: new ending", "up: new ending"):
        table.add_column(name)
    for w in m["weights"]:
        def move(x: float | None, to: str | None) -> str:
            return "none within the range" if x is None else f"{x:+.3f}: {to}"
        table.add_row(escape(w["name"]), f"{w['value']:.4g}", f"{w['range'][0]:.4g} to {w['range'][1]:.4g}",
                      escape(move(w["down"], w["down_to"])), escape(move(w["up"], w["up_to"])))
    console.print(table)
    console.print(f"Each move is found to within {s['tolerance']:.3g} of the range or less (coarse grid of "
                  f"{s['points']} moves per direction, {s['steps']} refinements).", markup=False,
                  highlight=False, soft_wrap=True)


def credibility_lines(summary: dict) -> list[str]:
    """The belief paths (mean credibility at the start, after a year, at the end) and the sweep's crossings."""
    lines = []
    for s in summary["strategies"]:
        path = [v for v in s.get("credibility", {}).get("mean", []) if v is not None]
        if path:
            year = path[min(12, len(path) - 1)]
            lines.append(f"Credibility ({s['name']}): {path[0]:.2f} at the start, {year:.2f} after a year, "
                         f"{path[-1]:.2f} in the last month with open runs (mean over the open runs).")
    sweep = summary.get("credibility_sweep")
    if sweep:
        for name, row in sweep["strategies"].items():
            cross = ", ".join(f"{c['at']:.2f} ({c['above']} of {c['other']} above)" for c in row["crossings"])
            lines.append(f"Ranking by {sweep['ranked_by']} over the prior credibility ({name}): "
                         + (f"changes at {cross}" if cross else "never changes"))
    return lines


def coercer_lines(summary: dict) -> list[str]:
    """The strategic coercer's equilibrium under the comparison table: per strategy each threat's declared and
    equilibrium probability with its verdict, and how the iteration converged."""
    block = summary.get("coercer")
    if not block:
        return []
    out = ["Strategic coercer (equilibrium): the probability each threat is carried out when triggered."]
    for name, s in block["strategies"].items():
        conv = s["convergence"]
        its = ", ".join(f"{x['start']}: {x['iterations']} it., residual {x['residual']:.1e}" for x in conv["starts"])
        out.append(f"{name}: coercer value {s['coercer_value']:.3g}; {its}; {conv['note']}")
        for t in s["threats"]:
            mixed = f" (the coercer mixes, {t['mixed']:.0%} of types)" if t.get("mixed") else ""
            out.append(f"  {t['rule']}: declared {t['declared']:.2f}, equilibrium {t['equilibrium']:.2f}, "
                       f"{t['verdict']}{mixed}")
    return out

