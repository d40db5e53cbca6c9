"""The model numbers moved from code into the scenario: declared in both packaged scenarios as ranged
assumptions, listed by `brink show`, varied by exploration, and read per run by the engine."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.experiments import evaluate_experiments
from brinkmanship.explore.models import resolve_model
from brinkmanship.spec import load_scenario
from brinkmanship.spec.strategy import ExercisesMode

MOVED = {  # dotted name -> (value that keeps the former results, range)
    "war.nuclear_use_without_delivery": (0.5, (0.25, 0.75)),  # was 0.5 + 0.5 x delivery
    "adversary.nuclear_war_cost_factor": (2.0, (1.0, 4.0)),  # was -2 x war_cost
    "base_rate.nuclear_test_exercises_share": (0.5, (0.0, 1.0)),  # was 0.5 x exercises for nuclear tests
    "base_rate.suspension_goodwill_share": (0.5, (0.0, 1.0)),  # was 0.5 x suspended in goodwill
    "escalation.quiet_months": (6.0, (3.0, 12.0)),  # was 6 quiet months to peace
    "exercises.scaled_down_intensity": (0.5, (0.25, 0.75)),  # was 0.5 for scaled-down exercises
}


@pytest.mark.parametrize("scenario", ["korea-2017", "korea-2017-calibrated"])
def test_moved_numbers_are_ranged_assumptions_in_both_scenarios(scenario):
    params = load_scenario(scenario).params()
    for name, (value, rng) in MOVED.items():
        p = params[name]
        assert (p.value, p.range, p.assumption, p.uncertain) == (value, rng, True, True), name
        assert p.note, name


def test_brink_show_lists_them():
    result = CliRunner().invoke(app, ["show", "korea-2017", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)["scenario"]["parameters"]}
    for name, (value, rng) in MOVED.items():
        assert rows[name]["value"] == value and rows[name]["range"] == list(rng) and rows[name]["assumption"]


def test_exploration_varies_them():
    names = {p.name: p for p in resolve_model("korea-2017").parameters()}
    for name, (_, (lo, hi)) in MOVED.items():
        assert (names[name].low, names[name].high) == (lo, hi), name


def test_the_engine_reads_them_per_run(korea, strategies):
    """Two experiments at the ends of every moved range run in one batch (base-rate), and the planner solves
    a batch over the nuclear war cost; the ends give different outcomes where the number acts."""
    st = strategies["let-deterrence-fail"]
    lows = {k: lo for k, (_, (lo, _)) in MOVED.items()}
    highs = {k: hi for k, (_, (_, hi)) in MOVED.items()}
    overrides = {k: np.array([lows[k], highs[k]]) for k in MOVED}
    out = evaluate_experiments(korea, st, overrides, np.array([0, 0]), 400, 1)
    assert not np.isclose(out["denuclearisation"][0], out["denuclearisation"][1])  # same draws, different numbers
    exact = evaluate_experiments(korea, strategies["limited-strike"],
                                 {"adversary.nuclear_war_cost_factor": np.array([1.0, 4.0]),
                                  "war.nuclear_use_without_delivery": np.array([0.25, 0.75])},
                                 np.arange(2), 1, 0, adversary="rational")
    assert np.isfinite(exact["denuclearisation"]).all()


def test_scaled_down_exercises_read_their_intensity(korea, strategies):
    """Normal 1, suspended 0, scaled down the scenario's intensity (per run under exploration); 0 outside
    exercise months (March, April, August)."""
    st = strategies["maximum-pressure"]
    lv = st.levers
    scaled = st.model_copy(update={"levers": lv.model_copy(update={"exercises": lv.exercises.model_copy(
        update={"mode": ExercisesMode.scaled_down})})})
    c = compile_model(korea, scaled, {"exercises.scaled_down_intensity": np.array([0.25, 0.75])})
    march = next(t for t in range(c.horizon) if korea.calendar_month(t) == 3)
    np.testing.assert_allclose(c.exercises(march), [0.25, 0.75])
    assert c.exercises(0) == 0.0  # September
    assert compile_model(korea, st).exercises(march) == 1.0
    assert compile_model(korea, strategies["engagement"]).exercises(march) == 0.0
