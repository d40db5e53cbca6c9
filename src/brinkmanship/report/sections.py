"""The report's sections: each a function of the report context that returns a `Section`, or None when its
data is absent (so a section appears as soon as its data exists)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from brinkmanship.report import figures as fg
from brinkmanship.report.common import OUTCOMES, PHASES, RUNGS, label

esc = html.escape


@dataclass
class Figure:
    """One figure of the report: a static PNG (always) and an interactive plotly version (optional)."""

    slug: str
    caption: str
    png: bytes
    plotly: Any | None = None


@dataclass
class Section:
    """A titled block of the report: HTML before the figures, the figures, HTML after them."""

    id: str
    title: str
    body: str = ""
    figures: list[Figure] = field(default_factory=list)
    after: str = ""


@dataclass
class ReportContext:
    """Everything a section may draw on; any part may be missing."""

    scenario: Any
    results: list[Any]
    summary: dict[str, Any] | None
    strategies: list[Any]
    audit: dict[str, list[Any]]
    out_dir: Path
    db: Path | None = None
    policy: dict[str, Any] | None = None
    history: dict[str, Any] | None = None  # a model comparison against the record (`history.compare`)
    notes: list[str] = field(default_factory=list)

    @property
    def summaries(self) -> list[dict[str, Any]]:
        """The per-strategy summaries (empty when there is no summary)."""
        return list((self.summary or {}).get("strategies", []))

    def has(self, *keys: str) -> list[Any]:
        """The results that carry every one of the given attributes (non-empty), in order."""
        out = []
        for r in self.results:
            if all(getattr(r, k, None) is not None for k in keys):
                out.append(r)
        return out


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "", raw_cols: Sequence[int] = ()) -> str:
    """An HTML table; cells are escaped except in `raw_cols` (already-safe HTML)."""
    head = "".join(f"<th>{esc(str(h))}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            text = "" if v is None else (v if i in raw_cols else esc(str(v)))
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "n/a"
    if isinstance(x, float | np.floating | int | np.integer) and not isinstance(x, bool):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"
    return str(x)


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
    horizon = getattr(ctx.scenario, "horizon_months", None)
    paras = summary_paragraphs(ctx.summary or {}, ctx.audit or None, horizon, n_params)
    return Section("summary", "Summary", "".join(f"<p>{esc(p)}</p>" for p in paras))


def comparison_section(ctx: ReportContext) -> Section | None:
    """Outcome probabilities with intervals, deaths, warheads and the audit column, per strategy."""
    strats = ctx.summaries
    if not strats:
        return None
    from brinkmanship.report.common import prohibited_for
    from brinkmanship.report.comparison import comparison_png

    headers = ["strategy", *[label(o) for o in OUTCOMES], "deaths (median)", "deaths (95th pct)",
               "warheads (median)", "months to resolution (median)", "IHL audit: prohibited findings"]
    rows = []
    for s in strats:
        m = s.get("metrics", {})
        cells: list[Any] = [esc(s["name"])]
        for o in OUTCOMES:
            c = s["outcomes"][o]
            cells.append(f'{c["p"]:.3f}<br><span class="ci">[{c["lo"]:.3f}, {c["hi"]:.3f}]</span>')
        cells += [esc(_fmt(m.get("deaths_median"))), esc(_fmt(m.get("deaths_p95"))),
                  esc(_fmt(m.get("warheads_median"))), esc(_fmt(m.get("months_to_resolution_median")))]
        n = m.get("prohibited_findings")
        if n is None:
            n = prohibited_for(s["name"], ctx.strategies)
        cells.append(f'<span class="bad">{n}</span>' if n else esc(_fmt(n)))
        rows.append(cells)
    body = ("<p>Share of runs ending in each outcome by the horizon, with 95% intervals in brackets; deaths and "
            "warheads over all runs. The last column counts the strategy's <em>prohibited</em> findings in the "
            "humanitarian-law audit (see below).</p>"
            + table(headers, rows, "num", raw_cols=range(len(headers))))
    fig = Figure("comparison", "Outcome probabilities by strategy with 95% intervals.",
                 comparison_png(ctx.summary or {}), fg.comparison_plotly(strats))
    return Section("comparison", "Strategy comparison", body, [fig])


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


def fan_section(ctx: ReportContext) -> Section | None:
    """Fan charts over time: cumulative P(major war or worse), P(deal), warheads with percentile bands."""
    results = [r for r in ctx.has("timeline", "runs")
               if all(k in r.timeline for k in ("outcome_counts", "warheads_q", "months"))]
    if not results:
        return None
    fig = Figure("fan", "Cumulative probabilities by month (bands: 95% intervals) and warheads (median, "
                 "25-75 and 5-95 percentile bands).", fg.fan_png(results), fg.fan_plotly(results))
    body = ("<p>For each month, the share of runs that have reached major war or nuclear war, or a deal, so far "
            "(both are absorbing, so the curves only rise), and the distribution of the target's warheads.</p>")
    return Section("time", "Over time", body, [fig])


def sankey_section(ctx: ReportContext) -> Section | None:
    """How crises end: a Sankey of phase transitions per strategy."""
    results = ctx.has("transitions")
    results = [r for r in results if np.asarray(r.transitions).shape == (len(PHASES), len(PHASES))]
    if not results:
        return None
    fig = Figure("sankey", "Phase changes over all runs and months: phase before (left) to phase after (right).",
                 fg.sankey_png(results), fg.sankey_plotly(results))
    rows = []
    for r in results:
        final = np.asarray(r.outcomes.get("final_phase", [])) if getattr(r, "outcomes", None) else np.array([])
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
    results = [r for r in ctx.has("outcomes") if "highest_rung" in r.outcomes]
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
    import brinkmanship
    from brinkmanship.spec import content_hash

    rows = [["package version", getattr(brinkmanship, "__version__", "?")]]
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


SectionFn = Callable[[ReportContext], "Section | list[Section] | None"]


def default_sections() -> list[SectionFn]:
    """The report's sections in reading order (exploration sections come from `report.explore`)."""
    from brinkmanship.report.explore import exploration_sections
    from brinkmanship.report.history import history_section

    return [summary_section, comparison_section, audit_section, fan_section, sankey_section, ladder_section,
            policy_section, history_section, exploration_sections, assumptions_section, provenance_section]
