"""`brink backtest`: JSON shape, finite scores, files, reproducibility, and per-run paths equal to `simulate`."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.decision import BaseRatePolicy
from brinkmanship.engine.simulate import simulate
from brinkmanship.history.backtest import backtest, record_runs
from brinkmanship.spec import load_scenario, load_strategy

runner = CliRunner()


@pytest.fixture(scope="module")
def result():
    return backtest("korea-2017", runs=2000, seed=3)


def test_backtest_json_shape(tmp_path):
    res = runner.invoke(app, ["backtest", "korea-2017", "--runs", "500", "--seed", "1", "--out", str(tmp_path),
                              "--no-calibrate", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("log_likelihood", "brier", "months", "p_no_war_2018", "p_moratorium_mid_2018", "wrong", "totals"):
        assert key in data
    assert math.isfinite(data["log_likelihood"]) and data["log_likelihood"] < 0
    assert 0.0 <= data["brier"] <= 1.0
    assert all(0.0 <= v <= 1.0 for v in data["brier_by_event"].values())
    assert data["months"][0]["month"] == "2017-10"
    assert len(data["months"]) == 15 and data["months"][-1]["month"] == "2018-12"
    for m in data["months"]:
        p, o = m["predicted"], m["observed"]
        assert p["missiles_q05"] <= p["missiles_mean"] <= p["missiles_q95"]
        assert p["p_launch"] + p["p_nuclear_test"] + p["p_provocation"] + p["p_quiet"] == pytest.approx(1.0)
        assert o["class"] in ("quiet", "missile_test", "nuclear_test", "provocation")
    observed = {m["month"]: m["observed"] for m in data["months"]}
    assert observed["2017-11"]["class"] == "missile_test" and observed["2017-11"]["missiles"] == 1
    assert sum(o["missiles"] for o in observed.values()) == 1
    assert data["observed"] == {"no_war_2018": True, "moratorium_mid_2018": True}
    assert data["wrong"] and all(isinstance(s, str) for s in data["wrong"])
    assert (tmp_path / "backtest-calibration.png").stat().st_size > 1000
    assert (tmp_path / "backtest-months.csv").read_text().count("\n") == 16


def test_backtest_prints_scores_and_calibration(tmp_path):
    out = tmp_path / "cal.yaml"
    res = runner.invoke(app, ["backtest", "korea-2017", "--runs", "300", "--out", str(tmp_path),
                              "--write-calibrated", str(out)])
    assert res.exit_code == 0, res.output
    assert "log-likelihood" in res.output and "Brier" in res.output and "Where the model was wrong" in res.output
    assert "base_rate.missile_test" in res.output
    assert load_scenario(out).name == "korea-2017-calibrated"


def test_bad_input_exits_2(tmp_path):
    res = runner.invoke(app, ["backtest", "korea-2017", "--runs", "5", "--out", str(tmp_path)])
    assert res.exit_code == 2
    res = runner.invoke(app, ["backtest", "no-such-scenario", "--out", str(tmp_path)])
    assert res.exit_code == 2


def test_scores_are_consistent(result):
    months = result["months"]
    assert result["log_likelihood"] == pytest.approx(sum(m["log_likelihood"] for m in months))
    assert 0.0 <= result["p_no_war_2018"] <= 1.0
    assert result["p_freeze_by_2018_06"] <= result["p_moratorium_mid_2018"]
    t = result["totals"]["launch_months"]
    assert t["q05"] <= t["mean"] <= t["q95"] and t["observed"] == 1
    assert backtest("korea-2017", runs=2000, seed=3)["log_likelihood"] == result["log_likelihood"]


def test_recorded_runs_are_the_simulators_runs():
    sc = load_scenario("korea-2017")
    st = load_strategy("maximum-pressure", sc)
    c = compile_model(sc.model_copy(update={"horizon_months": 16}), st)
    rr = record_runs(c, BaseRatePolicy(), 1500, 7)
    sim = simulate(sc.model_copy(update={"horizon_months": 16}), st, runs=1500, seed=7)
    counts = np.stack([np.bincount(rr.actions[t][rr.actions[t] >= 0], minlength=9) for t in range(16)])
    np.testing.assert_array_equal(counts, sim.timeline["action_counts"])
    np.testing.assert_array_equal(rr.phases[-1], sim.outcomes["final_phase"])
