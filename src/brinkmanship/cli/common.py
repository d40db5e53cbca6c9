"""Helpers shared by CLI commands: loading by name or path, running comparisons with a progress bar, tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group
from rich.table import Table

from brinkmanship.errors import InputError

if TYPE_CHECKING:
    from brinkmanship._api.results import Comparison
    from brinkmanship.adversary.types import Types
    from brinkmanship.engine import SimulationResult
    from brinkmanship.engine.decision import Adversary
    from brinkmanship.spec import Scenario, Strategy


def load_pair(scenario: str, strategies: list[str] | None) -> tuple[Scenario, list[Strategy]]:
    """The scenario and the strategies to run: named ones (names or files) or all of the scenario's."""
    from brinkmanship.spec import load_scenario, load_strategy, packaged_strategies

    sc = load_scenario(scenario)
    if strategies:
        return sc, [load_strategy(s, sc) for s in strategies]
    return sc, packaged_strategies(sc)


def split_names(value: str | None) -> list[str] | None:
    """`a,b,c` -> ['a', 'b', 'c']; None stays None."""
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def check_runs(runs: int, chunk_size: int) -> None:
    """Reject non-positive run counts and chunk sizes with a clear message."""
    if runs <= 0:
        raise InputError(f"runs must be positive, got {runs}", field="--runs", fix="give e.g. --runs 100000")
    if chunk_size <= 0:
        raise InputError(f"chunk size must be positive, got {chunk_size}", field="--chunk-size",
                         fix="give e.g. --chunk-size 50000")


TYPES = Annotated[str | None, typer.Option(
    "--types", help="Adversary types (planner targets): prior (default: draws from the declared ranges) | "
                    "posterior (weighted by the 2016-2017 record) | point (the declared values).")]
TYPE_COUNT = Annotated[int | None, typer.Option(
    "--type-count", help="K, the number of quasi-random types (default 64).")]

COERCER = Annotated[str, typer.Option(
    "--coercer", help="committed (default: the strategy file as written) | strategic (carrying out each rule and "
                      "deadline is the coercer's decision, in equilibrium with the target's belief)")]
MAX_MEMORY = Annotated[str, typer.Option(
    "--max-memory", help="Refuse work estimated to need more memory than this (e.g. 4G, 16G, 512M).")]
DEFAULT_MAX_MEMORY = "4G"
KERNEL = Annotated[str, typer.Option(
    "--kernel", help="fused: the compiled simulator where it implements the model, else the NumPy reference "
                     "(said in the JSON) | numpy: the reference. The same numbers either way.")]


def run_strategies(sc: Scenario, strategies: list[Strategy], runs: int, seed: int, adversary: Adversary,
                   chunk_size: int, quiet: bool = False, max_memory: int | None = None,
                   types: Types | None = None) -> list[SimulationResult]:
    """Simulate each strategy with a progress bar on stderr (hidden with `quiet`), after checking the budget;
    the API's loop (a type per run when `types` are given)."""
    from brinkmanship._api.verbs import simulate_strategies
    from brinkmanship.cli.app import err_console

    return simulate_strategies(sc, strategies, runs, seed, adversary, chunk_size, progress=not quiet,
                               console=err_console, max_memory=max_memory, types=types)


def lead_and_margins(sc: Scenario, strategies: list[Strategy], runs: int, seed: int, max_memory: int | None,
                     quiet: bool = False, with_margins: bool = True, type_count: int | None = None,
                     ) -> tuple[Comparison, dict[str, Any] | None]:
    """What a report opens with: the comparison of the public API's `compare` with its defaults (the op-ed's
    premise; only runs, seed, the memory limit and the number of prior types are passed), and each strategy's
    margins for the point type of the rational target (`adversary.margins.strategy_margins`), or None without
    `with_margins`."""
    from brinkmanship._api.verbs import compare

    lead = compare(sc, strategies, runs=runs, seed=seed, progress=not quiet, max_memory=max_memory,
                   type_count=type_count)
    if not with_margins:
        return lead, None
    from brinkmanship.adversary.margins import strategy_margins

    return lead, strategy_margins(sc, strategies, "rational")


def check_lead(sc: Scenario, strategies: list[Strategy], max_memory: int | None, with_margins: bool,
               type_count: int | None) -> None:
    """Refuse (exit 2), before any output is touched, what `lead_and_margins` would refuse later: a type count
    out of range, or a margins search whose planner blocks would not fit."""
    from brinkmanship.adversary.budget import check_planner
    from brinkmanship.adversary.types import check_count
    from brinkmanship.engine.compiled import compile_model
    from brinkmanship.engine.experiments import EXACT_BLOCK

    if type_count is not None:
        check_count(type_count)
    if with_margins:
        for s in strategies:  # the search solves blocks of moved weights at once
            check_planner(compile_model(sc, s), EXACT_BLOCK, max_memory)


def prohibited_counts(strategies: list[Strategy]) -> dict[str, int]:
    """Number of IHL findings with verdict `prohibited`, per strategy."""
    from brinkmanship.audit import prohibited_count

    return {s.name: int(prohibited_count(s)) for s in strategies}


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _big(x: float | None) -> str:
    if x is None:
        return "-"
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    if x >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:.0f}"


OUTCOME_LABELS = {
    "denuclearisation": "denuclear.", "freeze": "freeze", "buildup": "build-up", "limited_conflict": "limited",
    "major_war": "major war", "nuclear_war": "nuclear",
}


def comparison_table(summary: dict[str, Any], title: str) -> Group:
    """The strategy comparison as two rich tables: outcome probabilities (with 95% intervals) and metrics."""
    outcomes = Table(title=title + "\nOutcome probabilities (± half-width of the 95% interval)",
                     title_justify="left", header_style="bold")
    outcomes.add_column("strategy", no_wrap=True)
    for label in OUTCOME_LABELS.values():
        outcomes.add_column(label, justify="right", no_wrap=True)
    metrics = Table(header_style="bold")
    metrics.add_column("strategy", no_wrap=True)
    for col in ("deaths median", "deaths p95", "warheads", "months", "city strikes", "IHL prohib."):
        metrics.add_column(col, justify="right")
    for s in summary["strategies"]:
        cells = [s["name"]]
        for key in OUTCOME_LABELS:
            o = s["outcomes"][key]
            half = (o["hi"] - o["lo"]) / 2
            cells.append(_pct(o["p"]) + (f"\n[dim]±{100 * half:.1f}[/]" if half > 0 else ""))
        outcomes.add_row(*cells)
        m = s["metrics"]
        months = m.get("months_to_resolution_median")
        metrics.add_row(
            s["name"], _big(m["deaths_median"]), _big(m["deaths_p95"]), f"{m['warheads_median']:.0f}",
            "-" if months is None else f"{months:.0f}", f"{m['civilian_strikes_mean']:.2f}",
            str(m.get("prohibited_findings", "-")),
        )
    aims = aims_table(summary)
    return Group(outcomes, metrics) if aims is None else Group(outcomes, metrics, aims)


def aims_table(summary: dict[str, Any]) -> Table | None:
    """Per strategy, the chance each of the scenario's stated aims is met (None: the scenario states none)."""
    strategies = summary["strategies"]
    if not strategies or not strategies[0].get("aims"):
        return None
    first = strategies[0]["aims"]
    table = Table(title="Aims met (probability ± half-width of the 95% interval): "
                  + "; ".join(f"{k} = {v['text']} ({aim_outcomes(v)})" for k, v in first.items()),
                  title_justify="left", header_style="bold")
    table.add_column("strategy", no_wrap=True)
    for name in first:
        table.add_column(name, justify="right", no_wrap=True)
    for s in strategies:
        cells = [s["name"]]
        for a in s["aims"].values():
            half = (a["hi"] - a["lo"]) / 2
            cells.append(_pct(a["p"]) + (f"\n[dim]±{100 * half:.1f}[/]" if half > 0 else "")
                         + ("\n[dim](lower bound)[/]" if "lower bound" in a.get("note", "") else ""))
        table.add_row(*cells)
    return table


def aim_outcomes(aim: dict[str, Any]) -> str:
    """What meets an aim, in words: its outcomes, and those that meet it only with delivery not proven."""
    parts = list(aim["outcomes"]) + [f"{o} with delivery unproven" for o in aim.get("if_delivery_unproven", [])]
    return ", ".join(parts)


def decides_line(s: dict[str, Any]) -> str:
    """One line for people: the type numbers that most move a strategy's outcome, and which way."""
    rows = s.get("what_decides")
    if rows is None:
        return ""
    if not rows:
        return "the same outcome for every type: no type number moves it"
    return "; ".join(f"{r['name']} {r['share']:.0%} (higher: {'more' if r['rises'] else 'less'} "
                     f"{OUTCOME_LABELS.get(r['moves'], r['moves'])})" for r in rows)


def types_lines(summary: dict[str, Any], exact: bool) -> list[str]:
    """What the comparison rests on: the types, the two errors, and what decides each strategy (rich markup)."""
    from rich.markup import escape

    t = summary.get("types")
    if t is None:
        return []
    lines = [f"[bold]Mixture over {t['count']} {t['kind']} types[/] of the target's weights, discount and "
             f"horizon weight (effective {t['effective_count']:g}; {escape(str(t.get('method', '')))})."]
    if exact:
        lines.append("[dim]± is the type-sampling error (95%, from the standard error across types); exact "
                     "propagation per type has no Monte Carlo error.[/]")
    else:
        worst = max(o["type_se"] for s in summary["strategies"] for o in s["outcomes"].values())
        lines.append("[dim]± is the Monte Carlo error (95% Wilson); the type-sampling error (standard error "
                     f"across types) is at most {100 * worst:.1f} points (`type_se` in --json).[/]")
    unidentified = [k for k, v in t.get("numbers", {}).items() if "not identified" in v.get("record", "")]
    if unidentified:
        lines.append("[dim]Not identified by the 2016-2017 record (posterior = prior): "
                     + escape(", ".join(unidentified)) + ".[/]")
    lines.append("[bold]What decides[/] (share of each strategy's outcome variance across types explained by "
                 "one number alone):")
    for s in summary["strategies"]:
        lines.append(f"  {escape(s['name'])}: {escape(decides_line(s))}")
    return lines


def credibility_of(sc: Scenario, strategies: list[Strategy]) -> dict[str, list[Any]] | None:
    """Each strategy's credibility verdicts (the API's audit: the point type of the rational target), or None
    when the scenario has no `coercer:` block."""
    if sc.coercer is None:
        return None
    from brinkmanship._api.verbs import audit

    return {s.name: audit(s, sc).credibility for s in strategies}

