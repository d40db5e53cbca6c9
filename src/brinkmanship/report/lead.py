"""The report's opening: a one-sentence bottom line computed from the numbers, the lead comparison (the public
API's `compare` with its defaults: the op-ed's premise, a rational target) and how close to the edge each
strategy's answer is (the margins of `brink explain`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brinkmanship.report import figures as fg
from brinkmanship.report.blocks import Figure, ReportContext, Section, esc, table
from brinkmanship.report.common import WAR_OR_WORSE, ending, label, target_words
from brinkmanship.report.comparison import comparison_html, comparison_png

NEAR_EDGES = 3  # edges per strategy in the margins table


def _and(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _pct(p: float) -> str:
    return f"{p:.0%}" if p >= 0.01 or p == 0 else "<1%"


def _most_likely(s: Mapping[str, Any]) -> tuple[str, float]:
    outcomes = s["outcomes"]
    name = max(outcomes, key=lambda o: outcomes[o]["p"])
    return name, float(outcomes[name]["p"])


def _war(s: Mapping[str, Any]) -> float:
    return sum(float(s["outcomes"][o]["p"]) for o in WAR_OR_WORSE if o in s["outcomes"])


def nearest_edge(margins: Mapping[str, Mapping[str, Any]] | None) -> tuple[str, dict[str, Any]] | None:
    """(strategy, weight row) of the smallest margin over all strategies; None when nothing changes any."""
    rows = [(name, w) for name, m in (margins or {}).items() for w in m["weights"] if w["margin"] is not None]
    return min(rows, key=lambda r: abs(r[1]["margin"])) if rows else None


def bottom_line(summary: Mapping[str, Any], margins: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """One sentence: each strategy's most likely ending, where the risk of war is highest, and the nearest edge.

    Computed from the lead comparison (and the margins when given); neutral: it ranks nothing as advice.
    """
    strats = list(summary.get("strategies", []))
    if not strats:
        return "No comparison was given, so there is no bottom line."
    groups: dict[str, list[tuple[str, float]]] = {}
    for s in strats:
        o, p = _most_likely(s)
        groups.setdefault(o, []).append((s["name"], p))
    parts = []
    for o, members in sorted(groups.items(), key=lambda g: -len(g[1])):
        shares = sorted({_pct(p) for _, p in members})
        share = shares[0] if len(shares) == 1 else f"{shares[0]}-{shares[-1]}"
        names = _and([n for n, _ in members])
        parts.append(f"{names} most likely {'end' if len(members) > 1 else 'ends'} in {ending(o)} ({share})")
    war = max(strats, key=_war)
    risk = (f"the chance of major or nuclear war is highest under {war['name']} ({_pct(_war(war))})" if _war(war) > 0
            else "no strategy ends in major or nuclear war")
    clauses = [*parts, risk]
    if margins is not None:
        edge = nearest_edge(margins)
        if edge is None:
            clauses.append("no single weight of the target, moved within its range, changes any strategy's most "
                           "likely ending")
        else:
            name, w = edge
            clauses.append(f"for the declared (point) type the answers sit {abs(w['margin']):.2f} of a range from "
                           f"an edge: moving {w['name']} "
                           f"from {w['value']:.3g} to {w['at_value']:.3g} makes {name} most likely end in "
                           f"{ending(w['changes_to'])}")
    return f"Against {target_words(summary)}, " + "; ".join(clauses[:-1]) + "; and " + clauses[-1] + "."


def bottom_line_section(ctx: ReportContext) -> Section | None:
    """The bottom line, first thing in the report: from the lead comparison, else the main one."""
    summary = ctx.lead or ctx.summary
    if not summary or not summary.get("strategies"):
        return None
    return Section("bottom-line", "Bottom line", f'<p class="lead">{esc(bottom_line(summary, ctx.margins))}</p>')


def lead_section(ctx: ReportContext) -> Section | None:
    """The lead comparison (the public API's `compare` with its defaults): outcomes with intervals per strategy."""
    if not ctx.lead or not ctx.lead.get("strategies"):
        return None
    lead = ctx.lead
    runs = lead.get("runs")
    how = f" ({int(runs):,} runs per strategy, seed {lead.get('seed', '?')})" if runs else ""
    body = (f"<p>Against {esc(target_words(lead))}: the share of runs ending in each outcome by the horizon"
            f"{esc(how)}, with 95% intervals in brackets.")
    if ctx.summary and ctx.summary.get("strategies"):
        body += f" The comparison further down is against {esc(target_words(ctx.summary))}."
    body += "</p>"
    body += comparison_html(lead, ctx.strategies)
    decides = [[s["name"], _decides(s["what_decides"])] for s in lead["strategies"] if "what_decides" in s]
    if decides:
        body += ("<p>What decides each strategy's outcome across the target's types: the type numbers that "
                 "explain the largest share of its outcome variance alone, and which way they move it.</p>"
                 + table(["strategy", "what decides"], decides, "decides"))
    beliefs = [[s["name"], *_belief_path(s["credibility"])] for s in lead["strategies"] if "credibility" in s]
    if beliefs:
        body += ("<p>Credibility the target learns: the open runs' mean belief that the coercer is resolute "
                 "(the mean over each strategy's rules and deadlines of the posterior after what the target saw "
                 "carried out, or not).</p>"
                 + table(["strategy", "at the start", "after 6 months", "after a year", "last month with open runs"],
                         beliefs, "credibility"))
    fig = Figure("lead-comparison", f"Outcome probabilities against {target_words(lead)}, with 95% intervals.",
                 comparison_png(lead), fg.comparison_plotly(lead["strategies"]))
    return Section("lead", f"Against {target_words(lead)}", body, [fig])


def _belief_path(path: Mapping[str, Any]) -> list[str]:
    """A strategy's belief path (the compare JSON's `credibility`) at the start, 6 months, a year and the end."""
    mean = path["mean"]
    last = max((i for i, v in enumerate(mean) if v is not None), default=0)
    return [("-" if i >= len(mean) or mean[i] is None else f"{mean[i]:.2f}") for i in (0, 6, 12, last)]


def _decides(rows: list[dict[str, Any]]) -> str:
    """The type numbers that most move a strategy's outcome, and which way (the compare JSON's `what_decides`)."""
    if not rows:
        return "the same outcome for every type: no type number moves it"
    return "; ".join(f"{r['name']} {r['share']:.0%} (higher: {'more' if r['rises'] else 'less'} {label(r['moves'])})"
                     for r in rows)


def margins_section(ctx: ReportContext) -> Section | None:
    """How close to the edge each strategy's answer is: the nearest weights and the value gap at the start."""
    if not ctx.margins:
        return None
    rows = []
    settings: dict[str, Any] = {}
    for name, m in ctx.margins.items():
        settings = m.get("settings", settings)
        near = [w for w in m["weights"] if w["margin"] is not None][:NEAR_EDGES]
        edges = "; ".join(f"{w['name']} {w['margin']:+.2f} ({w['value']:.3g} to {w['at_value']:.3g}): "
                          f"{label(w['changes_to'])}" for w in near) or "none within the ranges"
        still = sum(w["margin"] is None for w in m["weights"])
        gap = m.get("value_gap")
        gap_text = ("" if gap is None else f"{gap['best']} over {gap['second']} by {gap['gap']:.3g}"
                    + ("" if gap["relative"] is None else f" ({gap['relative']:.2%})"))
        rows.append([name, label(m["most_likely"]), edges, f"{still} of {len(m['weights'])}", gap_text])
    tol = settings.get("tolerance")
    body = ("<p>For the single (point) type of the target, exact: per weight of the target (its utility weights "
            "and the credibility it believes each rule and deadline has), the smallest move, as a share of the "
            "weight's declared range (+ up, - down), that changes the strategy's most likely ending, nearest "
            "first; other weights held at their values. A small move means the answer rests on that weight. "
            + (f"Each move is found to within {tol:.3g} of the range (searched at {settings.get('points')} "
               f"point(s) per direction, then refined). " if tol is not None else "")
            + "The last column is the value gap between the target's best and second-best plan in the first "
              "month (utility units; in brackets, relative to the best plan's value).</p>"
            + table(["strategy", "most likely ending", "nearest edges (move: new ending)",
                     "weights that change nothing within their range", "best plan at the start"], rows, "margins"))
    return Section("margins", "How close to the edge", body)

