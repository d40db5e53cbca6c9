"""A short plain-language summary of a comparison, generated from the numbers (neutral: no advice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from brinkmanship.engine.summary import wilson_interval as wilson
from brinkmanship.report.common import WAR_OR_WORSE


def _pct(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{100 * x:.1f}%" if x >= 0.001 or x == 0 else "<0.1%"


def _num(x: float | None) -> str:
    if x is None:
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.2f} million"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:,.3g}" if x != int(x) else f"{int(x):,}"


def war_or_worse(s: Mapping[str, Any], runs: int | None) -> tuple[float, float | None, float | None]:
    """P(major war or nuclear war) of one strategy summary, with a 95% interval when `runs` is known."""
    p = sum(float(s["outcomes"][o]["p"]) for o in WAR_OR_WORSE if o in s["outcomes"])
    if not runs:
        return p, None, None
    lo, hi = wilson(round(p * runs), runs)
    return p, float(lo), float(hi)


def _range_sentence(what: str, items: list[tuple[str, float, str]]) -> str:
    lo = min(items, key=lambda t: t[1])
    hi = max(items, key=lambda t: t[1])
    if len(items) == 1:
        return f"{what} is {hi[2]} under {hi[0]}."
    if lo[2] == hi[2]:
        return f"{what} is {hi[2]} under every strategy."
    return f"{what} ranges from {lo[2]} under {lo[0]} to {hi[2]} under {hi[0]}."


def summary_paragraphs(summary: Mapping[str, Any], audit: Mapping[str, Sequence[Any]] | None = None,
                       horizon: int | None = None, n_params: tuple[int, int] | None = None) -> list[str]:
    """Plain-text sentences, grouped in paragraphs, stating what the comparison found, with its numbers.

    `audit` maps a strategy name to its findings; `n_params` is (parameters, of which assumptions).
    """
    strats = list(summary.get("strategies", []))
    if not strats:
        return ["No simulation results were given, so there is nothing to summarise."]
    runs = summary.get("runs")
    paras: list[str] = []
    intro = (f"This report compares {len(strats)} strateg{'y' if len(strats) == 1 else 'ies'} for the scenario "
             f"'{summary.get('scenario', '?')}'")
    if horizon:
        intro += f" over {horizon} months"
    if runs:
        intro += f", with {int(runs):,} simulated runs per strategy (seed {summary.get('seed', '?')}"
        intro += f", adversary model '{summary['adversary']}')" if summary.get("adversary") else ")"
    paras.append(intro + ". Percentages are shares of simulated runs; brackets give 95% intervals.")

    def with_ci(p: float, lo: float | None, hi: float | None) -> str:
        return _pct(p) + (f" [{_pct(lo)}-{_pct(hi)}]" if lo is not None and hi is not None else "")

    deal = [(s["name"], s["outcomes"]["denuclearisation"]["p"],
             with_ci(s["outcomes"]["denuclearisation"]["p"], s["outcomes"]["denuclearisation"].get("lo"),
                     s["outcomes"]["denuclearisation"].get("hi")))
            for s in strats]
    war = []
    for s in strats:
        p, lo, hi = war_or_worse(s, runs)
        war.append((s["name"], p, with_ci(p, lo, hi)))
    nuc = [(s["name"], s["outcomes"]["nuclear_war"]["p"], _pct(s["outcomes"]["nuclear_war"]["p"])) for s in strats]
    paras.append(" ".join([
        _range_sentence("The probability of denuclearisation (a deal that holds at the horizon)", deal),
        _range_sentence("The probability of major war or nuclear war", war),
        _range_sentence("The probability of nuclear war alone", nuc),
    ]))
    metric_sentences = []
    for key, what, fmt in (("deaths_median", "Median deaths", _num), ("deaths_p95", "The 95th percentile of deaths", _num),
                           ("warheads_median", "The median number of warheads at the horizon", _num)):
        items = [(s["name"], float(s["metrics"][key]), fmt(float(s["metrics"][key])))
                 for s in strats if s.get("metrics", {}).get(key) is not None]
        if items:
            metric_sentences.append(_range_sentence(what, items))
    if metric_sentences:
        paras.append(" ".join(metric_sentences))

    if audit is not None:
        flagged = {name: fs for name, fs in audit.items() if any(f.verdict == "prohibited" for f in fs)}
        review = [name for name, fs in audit.items()
                  if any(f.verdict == "needs case-by-case review" for f in fs) and name not in flagged]
        parts = []
        if flagged:
            for name, fs in flagged.items():
                by_rule: dict[str, list[str]] = {}
                for f in fs:
                    if f.verdict == "prohibited":
                        by_rule.setdefault(f.rule, []).append(f.principle)
                desc = "; ".join(f"rule '{r}' ({', '.join(p)})" for r, p in by_rule.items())
                parts.append(f"The humanitarian-law audit finds {sum(len(p) for p in by_rule.values())} "
                             f"prohibited finding(s) in '{name}': {desc}.")
        else:
            parts.append("The humanitarian-law audit finds no prohibited element in the compared strategies.")
        if review:
            parts.append(f"Strikes or war decisions in {', '.join(repr(r) for r in review)} need case-by-case "
                         f"review (proportionality, precautions; the decision to use force is a UN Charter question).")
        parts.append("The audit is not legal advice.")
        paras.append(" ".join(parts))

    caveat = ("These are outputs of a model under stated assumptions, not forecasts: they depend on the "
              "parameters listed in the assumptions table")
    if n_params is not None:
        caveat += f" ({n_params[0]} parameters, {n_params[1]} of them assumptions with ranges rather than sourced values)"
    paras.append(caveat + ".")
    return paras
