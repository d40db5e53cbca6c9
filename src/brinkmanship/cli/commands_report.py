"""CLI commands of the report area (registered on the shared app): `audit` and `report`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from brinkmanship.cli.app import app, console, err_console, handle_errors, parse_adversary, print_json
from brinkmanship.cli.common import DEFAULT_MAX_MEMORY, MAX_MEMORY, TYPE_COUNT, TYPES
from brinkmanship.errors import InputError

_VERDICT_STYLE = {"prohibited": "bold red", "needs case-by-case review": "yellow", "no issue found": "green"}


@app.command("audit")
@handle_errors
def audit(
    strategy: str = typer.Argument(..., help="A packaged strategy name or a strategy YAML file."),
    scenario: str | None = typer.Option(None, "--scenario", help="Check the strategy's dates against this "
                                        "scenario and take the coercer's payoffs from it (a packaged name or a "
                                        "file; default: the packaged scenario that lists the strategy)."),
    adversary: str = typer.Option("rational", "--adversary", help="The target the credibility audit's "
                                  "equilibrium answers: rational or logit:<lambda>."),
    types: TYPES = "point",
    type_count: TYPE_COUNT = None,
    as_json: bool = typer.Option(False, "--json", help="Print {\"ihl\": [findings], \"credibility\": [verdicts]}."),
) -> None:
    """Audit a strategy: humanitarian-law principles (not legal advice) and credibility (would a coercer with
    the scenario's payoffs carry out each rule and deadline?)."""
    from rich.table import Table

    from brinkmanship._api.verbs import audit as audit_verb
    from brinkmanship._api.verbs import load_strategy
    from brinkmanship.audit import DISCLAIMER

    strat = load_strategy(strategy, scenario)
    result = audit_verb(strat, scenario, adversary=parse_adversary(adversary), types=types, type_count=type_count)
    findings = result.findings
    if as_json:
        print_json(result.to_json())
        err_console.print(DISCLAIMER, style="dim", highlight=False)
        return
    table = Table(title=f"IHL audit: {escape(strat.title)}", show_lines=True, expand=True)
    for col, ratio in (("element", 2), ("principle", 2), ("verdict", 2), ("citation", 2), ("why", 5)):
        table.add_column(col, overflow="fold", ratio=ratio)
    for f in findings:
        table.add_row(escape(f.rule), escape(f.principle), f"[{_VERDICT_STYLE[f.verdict]}]{escape(f.verdict)}[/]",
                      escape(f.citation), escape(f.why))
    console.print(table)
    n = sum(f.verdict == "prohibited" for f in findings)
    rules = sorted({f.rule for f in findings if f.verdict == "prohibited"})
    console.print(f"{n} prohibited finding(s)" + (f" in: {', '.join(rules)}" if rules else ""), highlight=False,
                  markup=False)
    console.print(DISCLAIMER, style="dim", highlight=False)
    if result.credibility:
        ctable = Table(title=f"Credibility audit: {escape(strat.title)} (scenario {result.provenance.scenario}, "
                             "strategic coercer in equilibrium)", show_lines=True, expand=True)
        for col, ratio in (("element", 2), ("declared", 2), ("equilibrium", 2), ("verdict", 2), ("why", 7)):
            ctable.add_column(col, overflow="fold", ratio=ratio, min_width=len(col))
        for c in result.credibility:
            ctable.add_row(escape(c.rule), f"{c.declared:.2f}", f"{c.equilibrium:.2f}",
                           f"[{_CREDIBILITY_STYLE[c.verdict]}]{c.verdict}[/]",
                           escape(c.why + (" " + c.chance if c.chance else "")))
        console.print(ctable)
    elif note := result.provenance.settings.get("credibility_note"):
        console.print(note, style="dim", highlight=False, markup=False)


_CREDIBILITY_STYLE = {"credible": "green", "partly credible": "yellow", "not credible": "bold red"}


@app.command("report")
@handle_errors
def report(
    scenario: str = typer.Argument(..., help="A packaged scenario name or a scenario YAML file."),
    out: Path = typer.Option(..., "--out", help="Folder for report.html, comparison.csv and the PNG figures."),
    db: Path | None = typer.Option(None, "--db", help="An exploration store (DuckDB) for the exploration "
                                   "sections."),
    runs: int = typer.Option(10_000, "--runs", min=1, help="Monte Carlo runs per strategy."),
    seed: int = typer.Option(7, "--seed", min=0, help="Root random seed."),
    adversary: str = typer.Option("base-rate", "--adversary", help="rational, base-rate or logit:<lambda>: the "
                                  "target of the report's main comparison and figures."),
    with_margins: bool = typer.Option(True, "--margins/--no-margins", help="Search each strategy's margins: per "
                                      "weight the smallest move that changes its most likely outcome (seconds)."),
    as_json: bool = typer.Option(False, "--json", help="Print the paths written and the timings as JSON."),
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
    type_count: TYPE_COUNT = None,
) -> None:
    """Simulate the scenario's strategies and write a self-contained HTML report with PNG figures.

    The report opens with a one-sentence bottom line and the comparison of the API's `compare` with its
    defaults (a rational target, the op-ed's premise), and how close each strategy's answer is to its edge;
    then the comparison, figures and audit against `--adversary`."""
    import time

    from brinkmanship._api.verbs import check_simulations
    from brinkmanship.cli.common import (
        check_lead,
        credibility_of,
        lead_and_margins,
        load_pair,
        prohibited_counts,
        run_strategies,
    )
    from brinkmanship.engine import compare
    from brinkmanship.limits import parse_memory
    from brinkmanship.outfiles import prepare_out_dir
    from brinkmanship.report import build_report, write_comparison

    memory = parse_memory(max_memory)
    adversary = parse_adversary(adversary)
    if db is not None:
        _check_store(db)
    sc, strategies = load_pair(scenario, None)
    for target in (adversary, parse_adversary("rational")):  # before the output folder is touched
        check_simulations(sc, strategies, runs, 50_000, target, memory)
    check_lead(sc, strategies, memory, with_margins, type_count)
    prepare_out_dir(out)
    t0 = time.perf_counter()
    lead, margins = lead_and_margins(sc, strategies, runs, seed, memory, quiet=as_json, with_margins=with_margins,
                                     type_count=type_count)
    if adversary.name == lead.provenance.adversary:  # the main comparison is the lead one: simulated once
        results, summary = lead.results, lead.to_json()
    else:
        results = run_strategies(sc, strategies, runs, seed, adversary, 50_000, quiet=as_json, max_memory=memory)
        summary = compare(results, prohibited_counts(strategies))
    t_sim = time.perf_counter() - t0
    t1 = time.perf_counter()
    csv_path, png_path = write_comparison(summary, out)
    html = build_report(sc, results, out, summary=summary, db=db, strategies=strategies,
                        lead=lead.to_json(), margins=margins, credibility=credibility_of(sc, strategies))
    t_report = time.perf_counter() - t1
    info = {"report": str(html), "csv": str(csv_path), "png": str(png_path),
            "size_bytes": html.stat().st_size, "simulate_s": round(t_sim, 2), "report_s": round(t_report, 2)}
    if as_json:
        print_json(info)
        return
    console.print(f"report: {html} ({info['size_bytes'] / 1e6:.1f} MB); comparison: {csv_path}", highlight=False,
                  markup=False)
    console.print(f"simulations {t_sim:.1f} s, report {t_report:.1f} s", style="dim", highlight=False)


def _check_store(db: Path) -> None:
    """Refuse a missing, corrupt or foreign store before simulating (the store API says what is wrong)."""
    if not db.exists():
        raise InputError("results store not found", file=str(db), fix="give a store written by `brink explore`")
    from brinkmanship.store import open_store

    open_store(db, read_only=True).close()
