"""The assumptions table: every parameter of the scenario (and strategies) with its value, range and source."""

from __future__ import annotations

from brinkmanship.report.assumptions import assumption_counts, assumptions_rows
from brinkmanship.spec import all_params, load_scenario, packaged_strategies, sources

SCENARIO = load_scenario("korea-2017")
STRATS = packaged_strategies(SCENARIO)


def test_every_scenario_parameter_appears_with_its_source() -> None:
    rows = {(r["parameter"], r["scope"]): r for r in assumptions_rows(SCENARIO, STRATS)}
    known = sources()
    params = all_params(SCENARIO)
    assert len(params) > 50
    for name, p in params.items():
        row = rows[(name, "scenario")]
        assert row["value"] == p.value
        assert row["range"] == p.range
        if p.source:
            assert row["source"] == p.source and row["citation"] == known[p.source]
        else:
            assert p.assumption and row["source"] == "assumption" and row["citation"] == "assumption"


def test_strategy_parameters_and_deadline_dates_appear_per_strategy() -> None:
    rows = {(r["parameter"], r["scope"]): r for r in assumptions_rows(SCENARIO, STRATS)}
    assert rows[("rules.city-per-test.probability", "let-deterrence-fail")]["source"] == "assumption"
    assert rows[("posture.target", "let-deterrence-fail")]["source"] == "soesanto2017"
    date = rows[("deadlines.congressional-decision.at", "let-deterrence-fail")]
    assert date["value"] == "2018-01-01 to 2018-12-31" and date["source"] == "soesanto2017"
    assert ("talks.offer", "engagement") in rows


def test_non_numeric_scenario_inputs_carry_their_sources() -> None:
    rows = {r["parameter"]: r for r in assumptions_rows(SCENARIO)}
    assert rows["arsenal.salvo_sizes"]["source"] == SCENARIO.arsenal.salvo_source
    assert rows["exercise_months"]["source"] == SCENARIO.exercise_source


def test_counts_split_sourced_and_assumed() -> None:
    rows = assumptions_rows(SCENARIO, STRATS)
    n, assumed = assumption_counts(rows)
    assert n == len(rows) and 0 < assumed < n
    assert assumed == sum(1 for r in rows if r["citation"] == "assumption")
