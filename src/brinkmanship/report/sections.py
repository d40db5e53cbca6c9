"""The report's sections: each a function of the report context that returns a `Section`, or None when its
data is absent (so a section appears as soon as its data exists)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import brinkmanship
from brinkmanship.report import figures as fg
from brinkmanship.report.blocks import Figure, ReportContext, Section, esc, table
from brinkmanship.report.blocks import fmt as _fmt
from brinkmanship.report.common import PHASES, RUNGS, label, target_words

# ---- sections ----------------------------------------------------------------------------------------------

def summary_section(ctx: ReportContext) -> Section | None:
    """A generated plain-language summary with the numbers in it."""
    if not ctx.summaries:
        return None
    from brinkmanship.report.assumptions import assumption_counts, assumptions_rows
    from brinkmanship.report.narrative import summary_paragraphs

    n_params = None
    if ctx.scenario is not None:
        n_params = assumption_counts(assumptions_rows(ctx.scenario, ctx.strategies))
    horizon = ctx.scenario.horizon_months if ctx.scenario is not None else None
    paras = summary_paragraphs(ctx.summary or {}, ctx.audit or None, horizon, n_params)
    return Section("summary", "Summary", "".join(f"<p>{esc(p)}</p>" for p in paras))


def comparison_section(ctx: ReportContext) -> Section | None:
    """Outcome probabilities with intervals, deaths, warheads and the audit column, per strategy."""
    strats = ctx.summaries
    if not strats:
        return None
    from brinkmanship.report.comparison import comparison_html, comparison_png

    body = ("<p>Share of runs ending in each outcome by the horizon, with 95% intervals in brackets; deaths and "
            "warheads over all runs. The last column counts the strategy's <em>prohibited</em> findings in the "
            "humanitarian-law audit (see below).</p>" + comparison_html(ctx.summary or {}, ctx.strategies))
    fig = Figure("comparison", "Outcome probabilities by strategy with 95% intervals.",
                 comparison_png(ctx.summary or {}), fg.comparison_plotly(strats))
    title = "Strategy comparison"
    if ctx.lead and ctx.summary:  # a lead comparison opens the report: say whom this one is against
        title += f": against {target_words(ctx.summary)}"
    return Section("comparison", title, body, [fig])


def audit_section(ctx: ReportContext) -> Section | None:
    """The humanitarian-law findings per strategy, with the disclaimer."""
    if not ctx.audit:
        return None
    from brinkmanship.audit import DISCLAIMER

    parts = [f'<p class="disclaimer">{esc(DISCLAIMER)}</p>']
    for name, findings in ctx.audit.items():
        shown = [f for f in findings if f.verdict != "no issue found"]
        n_bad = sum(f.verdict == "prohibited" for f in findings)
        parts.append(f"<h3>{esc(name)}: {n_bad} prohibited finding(s)</h3>")
        if not shown:
            parts.append("<p>No issue found: the strategy has no strike, war or other rule that engages the "
                         "audited principles.</p>")
            continue
        rows = [[esc(f.rule), esc(f.principle),
                 f'<span class="{"bad" if f.verdict == "prohibited" else "warn"}">{esc(f.verdict)}</span>',
                 esc(f.citation), esc(f.why)] for f in shown]
        parts.append(table(["element", "principle", "verdict", "citation", "why"], rows, "audit",
                           raw_cols=range(5)))
    return Section("audit", "Humanitarian-law audit", "".join(parts))


def credibility_section(ctx: ReportContext) -> Section | None:
    """The credibility audit per strategy: would a coercer with the scenario's payoffs carry out each threat?"""
    if not ctx.credibility:
        return None
    parts = ["<p>The equilibrium of a strategic coercer (the scenario's <code>coercer:</code> payoffs) against the "
             "rational target: the probability each rule and deadline is carried out when triggered, against the "
             "declared one, and the payoff that decides it.</p>"]
    style = {"credible": "", "partly credible": "warn", "not credible": "bad"}
    for name, found in ctx.credibility.items():
        if not found:
            continue
        parts.append(f"<h3>{esc(name)}</h3>")
        rows = [[esc(f.rule), f"{f.declared:.2f}", f"{f.equilibrium:.2f}",
                 f'<span class="{style[f.verdict]}">{esc(f.verdict)}</span>',
                 esc(f.why + (" " + f.chance if f.chance else ""))] for f in found]
        parts.append(table(["element", "declared", "equilibrium", "verdict", "why"], rows, "audit",
                           raw_cols=range(5)))
    if len(parts) == 1:
        return None
    return Section("credibility", "Credibility audit", "".join(parts))


def fan_section(ctx: ReportContext) -> Section | None:
    """Fan charts over time: cumulative P(major war or worse), P(deal), warheads with percentile bands."""
    results = [r for r in ctx.results if all(k in r.timeline for k in ("outcome_counts", "warheads_q", "months"))]
    if not results:
        return None
    fig = Figure("fan", "Cumulative probabilities by month (bands: 95% intervals) and warheads (median, "
                 "25-75 and 5-95 percentile bands).", fg.fan_png(results), fg.fan_plotly(results))
    body = ("<p>For each month, the share of runs that have reached major war or nuclear war, or a deal, so far "
            "(both are absorbing, so the curves only rise), and the distribution of the target's warheads.</p>")
    return Section("time", "Over time", body, [fig])


def sankey_section(ctx: ReportContext) -> Section | None:
    """How crises end: a Sankey of phase transitions per strategy."""
    results = [r for r in ctx.results
               if r.transitions is not None and np.asarray(r.transitions).shape == (len(PHASES), len(PHASES))]
    if not results:
        return None
    fig = Figure("sankey", "Phase changes over all runs and months: phase before (left) to phase after (right).",
                 fg.sankey_png(results), fg.sankey_plotly(results))
    rows = []
    for r in results:
        final = np.asarray(r.outcomes.get("final_phase", []))
        if final.size:
            shares = np.bincount(final.astype(int), minlength=len(PHASES)) / final.size
            rows.append([r.strategy, *[f"{s:.3f}" for s in shares]])
    after = ""
    if rows:
        after = "<p>Final phase at the horizon (share of runs):</p>" + table(
            ["strategy", *[label(p) for p in PHASES]], rows, "num")
    body = ("<p>Every change of phase in every run, summed over runs and months: the width of a band is the "
            "number of changes from one phase (left) to another (right). A wide band from crisis to deal means "
            "many runs reached a deal directly from the crisis.</p>")
    return Section("flows", "How crises end", body, [fig], after)


LADDER_DOC = (
    ("sub-crisis", "Routine rivalry or talks without military confrontation (Kahn's 'subcrisis maneuvering')."),
    ("crisis", "Tests, threats, sanctions steps and force movements short of the use of force (Kahn's "
               "'traditional' and 'intense' crises)."),
    ("limited conventional strikes", "Limited use of force: strikes on listed targets, clashes after a "
                                     "provocation; below general war (Kahn's 'bizarre crises' and limited military action)."),
    ("major conventional war", "General conventional war on the peninsula, below the nuclear threshold (Kahn's "
                               "'no nuclear use' threshold still holds)."),
    ("nuclear use", "Any nuclear detonation in war (Kahn's nuclear threshold crossed; his many nuclear rungs are "
                    "merged into one)."),
)


def ladder_section(ctx: ReportContext) -> Section | None:
    """Share of runs by highest escalation rung per strategy, with the ladder documented."""
    results = [r for r in ctx.results if "highest_rung" in r.outcomes]
    if not results:
        return None
    doc = table(["rung", "name", "meaning"], [[i, n, d] for i, (n, d) in enumerate(LADDER_DOC)], "ladder")
    body = ("<p>Each run is placed on the highest rung it reached, on a five-rung ladder adapting the thresholds "
            "of Herman Kahn's escalation ladder (<em>On Escalation</em>, 1965):</p>" + doc)
    rows = [[r.strategy, *[f"{s:.3f}" for s in fg.rung_shares(r)]] for r in results]
    after = table(["strategy", *[f"{i} {n}" for i, n in enumerate(RUNGS)]], rows, "num")
    fig = Figure("ladder", "Share of runs by the highest escalation rung reached.", fg.ladder_png(results),
                 fg.ladder_plotly(results))
    return Section("ladder", "Escalation ladder", body, [fig], after)


def policy_section(ctx: ReportContext, policy: dict[str, Any] | None = None) -> Section | None:
    """The rational adversary's policy as a map: its action in each state cell (rows x cols)."""
    policy = policy if policy is not None else ctx.policy
    if not policy:
        return None
    title = str(policy.get("title", "The adversary's best response"))
    rows, cols, _code, names = fg.policy_grid(policy)
    body = (f"<p>{esc(str(policy.get('description', '')))} Each cell shows the action the modelled adversary "
            f"chooses in that state ({len(rows)} x {len(cols)} cells; actions: "
            f"{esc(', '.join(label(n) for n in names))}).</p>")
    fig = Figure("policy", title, fg.policy_png(policy, title), fg.policy_plotly(policy, title))
    return Section("policy", "The adversary's policy", body, [fig])


def assumptions_section(ctx: ReportContext) -> Section | None:
    """Every parameter of the scenario and strategies: value, range and source citation or 'assumption'."""
    if ctx.scenario is None:
        return None
    from brinkmanship.report.assumptions import assumption_counts, assumptions_rows

    rows = assumptions_rows(ctx.scenario, ctx.strategies)
    n, n_assumed = assumption_counts(rows)
    cells = []
    for r in rows:
        rng = "" if r["range"] is None else f"{_fmt(r['range'][0])} to {_fmt(r['range'][1])}"
        src = "assumption" if r["source"] == "assumption" else r["citation"]
        cells.append([r["parameter"], r["scope"], _fmt(r["value"]), rng, src, r["note"]])
    body = (f"<p>{n} parameters; {n - n_assumed} carry a published source and {n_assumed} are assumptions, "
            f"each with the range that explorations vary.</p>"
            + table(["parameter", "applies to", "value", "range", "source", "note"], cells, "assumptions"))
    return Section("assumptions", "Assumptions", body)


def provenance_section(ctx: ReportContext) -> Section | None:
    """What was run: scenario, strategies and their content hashes, seed, runs, adversary, package version."""
    if ctx.scenario is None and not ctx.summary:
        return None
    from brinkmanship.spec import content_hash

    rows = [["package version", brinkmanship.__version__]]
    if ctx.scenario is not None:
        rows.append(["scenario", f"{ctx.scenario.name} ({content_hash(ctx.scenario)})"])
    for s in ctx.strategies:
        rows.append([f"strategy {s.name}", f"{s.title} ({content_hash(s)})"])
    for key in ("seed", "runs", "adversary"):
        if ctx.summary and key in ctx.summary:
            rows.append([key, ctx.summary[key]])
    if ctx.db is not None:
        rows.append(["exploration store", Path(ctx.db).name])
    notes = "".join(f"<p class='note'>{esc(n)}</p>" for n in ctx.notes)
    return Section("provenance", "Provenance", table(["item", "value"], rows, "prov") + notes)
