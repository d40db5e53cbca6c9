"""CLI commands of the history area (registered on the shared app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli.app import app, console, handle_errors, print_json
from brinkmanship.cli.common import DEFAULT_MAX_MEMORY, MAX_MEMORY


@app.command("backtest")
@handle_errors
def backtest_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file (korea-2017).")] = "korea-2017",
    runs: Annotated[int, typer.Option("--runs", "-n", help="Monte Carlo runs.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Root seed: the same seed gives the same bits.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the plot and the CSV.")] = Path(
        "brink-out/backtest"),
    calibrate: Annotated[bool, typer.Option(
        "--calibrate/--no-calibrate", help="Also refit the base rates to 2016-2017 (MLE).")] = True,
    write_calibrated: Annotated[Path | None, typer.Option(
        "--write-calibrated", help="Write the scenario with the fitted base rates to this YAML file.")] = None,
    strategic: Annotated[bool, typer.Option(
        "--strategic", help="Also fit the logit planner's weights and precision to the record (~20-60 s).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")] = False,
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
) -> None:
    """Backtest maximum-pressure from Sep 2017 against the record of Oct 2017 - Dec 2018."""
    from brinkmanship.history.backtest import backtest, write_backtest_files
    from brinkmanship.limits import parse_memory
    from brinkmanship.outfiles import prepare_out_dir, write_text
    from brinkmanship.spec import load_scenario

    memory = parse_memory(max_memory)
    prepare_out_dir(out, create=False)  # refused before any work; created when the files are written
    if write_calibrated is not None:
        prepare_out_dir(write_calibrated.parent, "--write-calibrated", create=False)
    sc = load_scenario(scenario)
    result = backtest(sc, runs=runs, seed=seed, max_memory=memory)
    result["files"] = write_backtest_files(result, out)
    if calibrate or write_calibrated is not None:
        from brinkmanship.history.calibrate import calibrate as fit
        from brinkmanship.history.calibrate import calibrated_yaml

        cal = fit(sc)
        result["calibration"] = cal.as_dict()
        if write_calibrated is not None:
            from brinkmanship.spec.loader import scenario_dir

            path = Path(scenario)
            base = path if path.suffix in (".yaml", ".yml") else scenario_dir() / f"{sc.name}.yaml"
            prepare_out_dir(write_calibrated.parent, "--write-calibrated")
            write_text(write_calibrated, calibrated_yaml(base.read_text(encoding="utf-8"), cal, sc))
            result["files"]["calibrated_scenario"] = str(write_calibrated)
    if strategic:
        from brinkmanship.history.strategic import fit_strategic

        result["strategic"] = fit_strategic(sc).as_dict() | {"adversary": "logit planner"}
    if as_json:
        print_json(result)
        return
    _print(result)


def _print(r: dict) -> None:
    from rich.table import Table

    console.print(f"[bold]Backtest[/] {r['scenario']} / {r['strategy']} ({r['adversary']} adversary), "
                  f"{r['runs']} runs, seed {r['seed']}: forecast from {r['start']} vs the record "
                  f"{r['window'][0]}..{r['window'][1]}")
    table = Table(header_style="bold")
    for col in ("month", "P(launch)", "P(nuc test)", "P(quiet)", "missiles mean [90%]", "observed",
                "obs missiles", "log p"):
        table.add_column(col, justify="right" if col != "observed" else "left")
    for m in r["months"]:
        p, o = m["predicted"], m["observed"]
        table.add_row(m["month"], f"{p['p_launch']:.2f}", f"{p['p_nuclear_test']:.3f}", f"{p['p_quiet']:.2f}",
                      f"{p['missiles_mean']:.2f} [{p['missiles_q05']:.0f}-{p['missiles_q95']:.0f}]",
                      o["class"] + (" (talks)" if o["talks_or_summit"] else ""), str(o["missiles"]),
                      f"{m['log_likelihood']:.2f}")
    console.print(table)
    for name, t in r["totals"].items():
        console.print(f"  {name.replace('_', ' ')}: model mean {t['mean']:.2f} (90% {t['q05']:.0f}-{t['q95']:.0f}),"
                      f" observed {t['observed']} (P(<= observed) = {t['p_at_most_observed']:.2f})")
    console.print(
        f"[bold]Scores[/]: log-likelihood {r['log_likelihood']:.2f} (climatology 2016-2017: "
        f"{r['log_likelihood_baseline']:.2f}); Brier {r['brier']:.3f} (climatology {r['brier_baseline']:.3f}; "
        f"launch {r['brier_by_event']['launch_month']:.3f}, nuclear test "
        f"{r['brier_by_event']['nuclear_test_month']:.3f})")
    console.print(f"  P(no war by end 2018) = {r['p_no_war_2018']:.3f} (observed: no war); "
                  f"P(test moratorium by mid 2018) = {r['p_moratorium_mid_2018']:.3f} "
                  f"(observed: yes; freeze outcome by 2018-06: {r['p_freeze_by_2018_06']:.3f})")
    console.print("[bold]Where the model was wrong[/]:")
    for line in r["wrong"]:
        console.print(f"  - {line}", highlight=False)
    if "calibration" in r:
        cal = r["calibration"]
        console.print(f"[bold]Base rates refitted to {cal['period'][0]}..{cal['period'][1]}[/] (MLE, "
                      f"{cal['months']} months, log-likelihood {cal['log_likelihood']:.2f}; 95% "
                      f"{cal['interval_method']}):")
        for name, p in cal["parameters"].items():
            console.print(f"  {name}: {p['estimate']:.3f} +- {p['se']:.3f} [{p['low']:.3f}, {p['high']:.3f}]"
                          f" (scenario {p['scenario_value']:g})")
    if "strategic" in r:
        st = r["strategic"]
        console.print(f"[bold]Strategic estimation[/] (logit planner, {st['decisions']} observed decisions, "
                      f"log-likelihood {st['log_likelihood']:.2f} vs {st['null_log_likelihood']:.2f} for a uniform "
                      f"choice; regime_survival fixed as the scale; {st['interval_method']}):")
        for name, p in st["parameters"].items():
            console.print(f"  {name}: {p['estimate']:.3g} [{p['low']:.3g}, {p['high']:.3g}] - {p['identification']}",
                          highlight=False)
    for kind, path in r["files"].items():
        console.print(f"  {kind}: {path}")
