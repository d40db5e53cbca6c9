"""CLI commands of the history area (registered on the shared app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brinkmanship.cli.app import app, console, handle_errors, parse_adversary, print_json
from brinkmanship.cli.common import DEFAULT_MAX_MEMORY, MAX_MEMORY
from brinkmanship.errors import InputError


@app.command("backtest")
@handle_errors
def backtest_cmd(
    scenario: Annotated[str, typer.Argument(help="Scenario name or YAML file (korea-2017).")] = "korea-2017",
    strategy: Annotated[str, typer.Option("--strategy", "-s", help="Strategy name or YAML file.")] = "maximum-pressure",
    adversary: Annotated[str, typer.Option(
        "--adversary", help="base-rate | logit:<lambda> | rational (with --compare-models: the logit compared).")
    ] = "base-rate",
    record: Annotated[Path | None, typer.Option(
        "--record", help="A monthly record file (YAML; format in the README). Default: the packaged "
                         "2016-2018 Korean record.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First scored month, YYYY-MM.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last scored month, YYYY-MM.")] = None,
    compare_models: Annotated[bool, typer.Option(
        "--compare-models", help="Fit every adversary model on the record up to --cut, rank them on the months "
                                 "after it.")] = False,
    cut: Annotated[str, typer.Option("--cut", help="Last month the fits may see (--compare-models).")] = "2017-12",
    runs: Annotated[int, typer.Option("--runs", "-n", help="Monte Carlo runs.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Root seed: the same seed gives the same bits.")] = 0,
    out: Annotated[Path, typer.Option("--out", help="Folder for the plot and the CSV.")] = Path(
        "brink-out/backtest"),
    calibrate: Annotated[bool, typer.Option(
        "--calibrate/--no-calibrate", help="Also refit the base rates to the record before the window (MLE).")
    ] = True,
    write_calibrated: Annotated[Path | None, typer.Option(
        "--write-calibrated", help="Write the scenario with the fitted base rates to this YAML file.")] = None,
    strategic: Annotated[bool, typer.Option(
        "--strategic", help="Also fit the logit planner's weights and precision to the record (~20-60 s).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")] = False,
    max_memory: MAX_MEMORY = DEFAULT_MAX_MEMORY,
) -> None:
    """Score a strategy's monthly forecast against an observed record (any scenario, strategy, adversary)."""
    from brinkmanship.history.backtest import backtest, default_record, write_backtest_files
    from brinkmanship.limits import parse_memory
    from brinkmanship.outfiles import prepare_out_dir, write_bytes, write_text
    from brinkmanship.spec import load_scenario, load_strategy

    memory = parse_memory(max_memory)
    prepare_out_dir(out, create=False)  # refused before any work; created when the files are written
    if write_calibrated is not None:
        prepare_out_dir(write_calibrated.parent, "--write-calibrated", create=False)
    adversary = parse_adversary(adversary)
    sc = load_scenario(scenario)
    st = load_strategy(strategy, sc)
    if record is not None:
        from brinkmanship.history.recordfile import load_record

        rec = load_record(record, sc)
    else:
        rec = default_record(sc)
    if compare_models:
        from brinkmanship.history.compare import DEFAULT_LOGIT
        from brinkmanship.history.compare import compare_models as compare

        logit = adversary.name if adversary.kind == "logit" else DEFAULT_LOGIT
        cmp = compare(sc, st, rec, cut=cut, end=end, runs=runs, seed=seed, logit=logit)
        from brinkmanship.report.history import history_png

        prepare_out_dir(out)
        write_bytes(out / "model-comparison.png", history_png(cmp))
        cmp["files"] = {"plot": str(out / "model-comparison.png")}
        if as_json:
            print_json(cmp)
        else:
            _print_comparison(cmp)
        return
    result = backtest(sc, runs=runs, seed=seed, strategy=st, adversary=adversary, record=rec, start=start, end=end,
                      max_memory=memory)
    result["files"] = write_backtest_files(result, out)
    if calibrate or write_calibrated is not None:
        import pandas as pd

        from brinkmanship.history.calibrate import calibrate as fit
        from brinkmanship.history.calibrate import calibrated_yaml, fit_base_rate
        from brinkmanship.history.compare import record_until

        before = pd.Period(result["window"][0], freq="M") - 1
        if record is None:
            cal = fit(sc)
        elif before >= rec.months[0]:
            cal = fit_base_rate(sc, record_until(rec, before))
        else:
            raise InputError("the record has no month before the scored window to calibrate on",
                             field="--calibrate", fix="use --no-calibrate, or a record that starts earlier")
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


def _print_comparison(r: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    def f(x: float | None, fmt: str) -> str:
        return "-" if x is None else format(x, fmt)

    console.print(f"[bold]Model comparison[/] {escape(r['scenario'])} / {escape(r['strategy'])}: fitted on "
                  f"{r['fit_months'][0]}..{r['fit_months'][1]}, scored on {r['held_out'][0]}..{r['held_out'][1]} "
                  f"({r['held_out_months']} months: {r['held_out_classes']}), {r['runs']} runs, seed {r['seed']}")
    table = Table(header_style="bold")
    for col in ("rank", "model", "params", "held-out log-lik", "Brier", "P(moratorium mid 2018)",
                "P(talks, talks months)", "log-lik before cut"):
        table.add_column(col, justify="left" if col in ("model", "params") else "right")
    for row in r["rows"]:
        table.add_row(str(row["rank"]), escape(row["model"]), escape(row["params"]), f"{row['log_likelihood']:.2f}",
                      f"{row['brier']:.3f}", f(row["p_moratorium_mid_2018"], ".3f"),
                      f(row["p_talks_in_talks_months"], ".3f"), f(row["log_likelihood_before_cut"], ".2f"))
    console.print(table)
    console.print("Ranked by held-out log-likelihood (higher is better). Every fit saw only the record to "
                  f"{r['cut']}; the log-likelihood before the cut covers the forecast's months up to it.")
    from brinkmanship.report.history import verdict

    console.print(escape(verdict(r)), highlight=False)
    console.print(f"  plot: {r['files']['plot']}")


def _print(r: dict) -> None:
    from rich.markup import escape
    from rich.table import Table

    console.print(f"[bold]Backtest[/] {escape(r['scenario'])} / {escape(r['strategy'])} ({escape(r['adversary'])} "
                  f"adversary), {r['runs']} runs, seed {r['seed']}: forecast from {r['start']} vs the record "
                  f"{r['window'][0]}..{r['window'][1]}")
    table = Table(header_style="bold")
    for col in ("month", "P(launch)", "P(nuc test)", "P(quiet)", "missiles mean [90%]", "observed",
                "obs missiles", "log p", "log p clim."):
        table.add_column(col, justify="right" if col != "observed" else "left")
    for m in r["months"]:
        p, o = m["predicted"], m["observed"]
        table.add_row(m["month"], f"{p['p_launch']:.2f}", f"{p['p_nuclear_test']:.3f}", f"{p['p_quiet']:.2f}",
                      f"{p['missiles_mean']:.2f} [{p['missiles_q05']:.0f}-{p['missiles_q95']:.0f}]",
                      o["class"] + (" (talks)" if o["talks_or_summit"] else ""), str(o["missiles"]),
                      f"{m['log_likelihood']:.2f}", f"{m['log_likelihood_baseline']:.2f}")
    console.print(table)
    for name, t in r["totals"].items():
        console.print(f"  {name.replace('_', ' ')}: model mean {t['mean']:.2f} (90% {t['q05']:.0f}-{t['q95']:.0f}),"
                      f" observed {t['observed']} (P(<= observed) = {t['p_at_most_observed']:.2f})")
    console.print(
        f"[bold]Scores[/]: log-likelihood {r['log_likelihood']:.2f} (climatology: {r['log_likelihood_baseline']:.2f});"
        f" Brier {r['brier']:.3f} (climatology {r['brier_baseline']:.3f}; launch month "
        f"{r['brier_by_event']['launch_month']:.3f}, nuclear-test month {r['brier_by_event']['nuclear_test_month']:.3f})")
    console.print(f"  {escape(r['definitions']['baseline'])}", highlight=False)
    ct = Table(title="Calibration: every (month, class) forecast, by probability bin", header_style="bold")
    for col in ("forecast bin", "n", "mean forecast", "observed rate"):
        ct.add_column(col, justify="right")
    for b in r["calibration_table"]:
        ct.add_row(f"{b['low']:.1f}-{b['high']:.1f}", str(b["n"]), f"{b['mean_forecast']:.3f}",
                    f"{b['observed_rate']:.3f}")
    console.print(ct)
    console.print("[bold]Months the model got most wrong[/] (log p vs the climatology's): " + "; ".join(
        f"{w['month']} {w['observed']} (P = {w['p_observed']:.3f}, log p {w['log_likelihood']:.2f} vs "
        f"{w['log_likelihood_baseline']:.2f})" for w in r["worst_months"]), highlight=False)
    line = f"  P(no war by {r['window'][1]}) = {r['p_no_war']:.3f} (observed: no war)"
    if r["p_moratorium_mid_2018"] is not None:
        seen = {True: "yes", False: "no", None: "not in the record"}[r["observed"]["moratorium_mid_2018"]]
        line += (f"; P(test moratorium by mid 2018) = {r['p_moratorium_mid_2018']:.3f} (observed: {seen}; freeze "
                 f"outcome by 2018-06: {r['p_freeze_by_2018_06']:.3f})")
    console.print(line)
    console.print("[bold]Where the model was wrong[/]:")
    for text in r["wrong"]:
        console.print(f"  - {escape(text)}", highlight=False)
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
        console.print(f"  {kind}: {path}", markup=False)
