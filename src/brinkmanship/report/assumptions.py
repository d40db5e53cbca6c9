"""The assumptions table: every number of the scenario and the strategies, its value, range and source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from brinkmanship.spec import all_params, sources
from brinkmanship.spec.params import Param
from brinkmanship.spec.scenario import Scenario
from brinkmanship.spec.strategy import Strategy

ASSUMPTION = "assumption"


def _source_text(source: str | None, assumption: bool, known: dict[str, str]) -> tuple[str, str]:
    """(source id or 'assumption', full citation or 'assumption')."""
    if source:
        return source, known.get(source, source)
    return ASSUMPTION, ASSUMPTION if assumption else "unsourced"


def _row(name: str, scope: str, p: Param, known: dict[str, str]) -> dict[str, Any]:
    sid, citation = _source_text(p.source, p.assumption, known)
    return {"parameter": name, "scope": scope, "value": p.value, "range": p.range, "source": sid,
            "citation": citation, "note": p.note or ""}


def assumptions_rows(scenario: Scenario, strategies: Sequence[Strategy] = ()) -> list[dict[str, Any]]:
    """One row per parameter: the scenario's first, then each strategy's own (levers, rules, deadlines).

    Keys: parameter, scope (`scenario` or the strategy name), value, range (low, high) or None, source
    (an id or `assumption`), citation (the full reference or `assumption`), note.
    """
    known = sources()
    rows = [_row(name, "scenario", p, known) for name, p in all_params(scenario).items()]
    sid, cit = _source_text(scenario.arsenal.salvo_source, False, known)
    salvo = ", ".join(f"{k}: {v:.2f}" for k, v in sorted(scenario.arsenal.salvo_sizes.items()))
    rows.append({"parameter": "arsenal.salvo_sizes", "scope": "scenario", "value": salvo, "range": None,
                 "source": sid, "citation": cit, "note": "missiles per launch event: share of events"})
    sid, cit = _source_text(scenario.exercise_source, False, known)
    rows.append({"parameter": "exercise_months", "scope": "scenario",
                 "value": ", ".join(map(str, scenario.exercise_months)), "range": None, "source": sid,
                 "citation": cit, "note": "calendar months with major joint exercises"})
    scenario_names = set(all_params(scenario))
    for strat in strategies:
        own = {k: v for k, v in all_params(scenario, strat).items() if k not in scenario_names}
        rows += [_row(name, strat.name, p, known) for name, p in own.items()]
        for d in strat.deadlines:
            sid, cit = _source_text(d.at.source, d.at.assumption, known)
            when = d.at.earliest.isoformat() if d.at.earliest == d.at.latest else (
                f"{d.at.earliest.isoformat()} to {d.at.latest.isoformat()}")
            rows.append({"parameter": f"deadlines.{d.id}.at", "scope": strat.name, "value": when, "range": None,
                         "source": sid, "citation": cit, "note": "date drawn uniformly by month"
                         if d.at.earliest != d.at.latest else ""})
    return rows


def assumption_counts(rows: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """(number of rows, number of rows that are assumptions rather than sourced)."""
    return len(rows), sum(r["source"] == ASSUMPTION for r in rows)
