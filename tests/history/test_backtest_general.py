"""The general backtest: score formulas, recovery of the true model on synthetic records, the record file,
the model comparison's no-peeking guarantee, and the CLI's exit codes."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.decision import get_decision_model
from brinkmanship.errors import InputError
from brinkmanship.history.backtest import (
    backtest,
    calibration_table,
    climatology,
    default_record,
    month_brier,
    month_log_scores,
    record_runs,
    smoothed_shares,
)
from brinkmanship.history.compare import compare_models, record_until
from brinkmanship.history.record import MISSILE_C, QUIET
from brinkmanship.history.recordfile import load_record
from brinkmanship.spec import load_scenario, load_strategy

runner = CliRunner()


@pytest.fixture(scope="module")
def korea():
    sc = load_scenario("korea-2017")
    return sc, load_strategy("maximum-pressure", sc)


# -- formulas ------------------------------------------------------------------------------------------

def test_score_formulas_pinned():
    prob = np.array([[0.5, 0.25, 0.125, 0.125], [0.1, 0.7, 0.1, 0.1]])
    obs = np.array([[0, 1], [1, 1]])  # two records of two months
    np.testing.assert_allclose(month_log_scores(prob, obs), np.log([[0.5, 0.7], [0.25, 0.7]]))
    # Brier of month 1, observed quiet: ((0.5-1)^2 + 0.25^2 + 2 * 0.125^2) / 2
    assert month_brier(prob, obs)[0, 0] == pytest.approx((0.25 + 0.0625 + 2 * 0.015625) / 2)
    assert month_brier(np.eye(4)[[2]], np.array([2]))[0] == pytest.approx(0.0)
    assert month_brier(np.eye(4)[[2]], np.array([0]))[0] == pytest.approx(1.0)
    np.testing.assert_allclose(smoothed_shares(np.array([3, 1, 0, 0]), np.asarray(4)),
                               [3.5 / 6, 1.5 / 6, 0.5 / 6, 0.5 / 6])
    np.testing.assert_allclose(climatology(np.array([], dtype=np.int64)), [0.25] * 4)
    table = calibration_table(prob, np.array([0, 1]), bins=5)
    assert sum(b["n"] for b in table) == 8
    top = [b for b in table if b["low"] >= 0.6 - 1e-9]
    assert len(top) == 1 and top[0]["n"] == 1 and top[0]["observed_rate"] == pytest.approx(1.0)


# -- recovery: the true parameters score better than perturbed ones on records drawn from the model --------

S, K = 400, 40  # synthetic records (seeds), each a panel of K crises drawn from the true model


def _forecast(c, adversary: str, runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    cls = record_runs(c, get_decision_model(adversary), runs, seed).classes()[1:]  # (T, runs)
    counts = np.stack([(cls == k).sum(axis=1) for k in range(4)], axis=1)
    return smoothed_shares(counts, np.asarray(runs)), cls


@pytest.mark.parametrize(("adversary", "perturbed"), [
    ("base-rate", {"base_rate.missile_test": 0.8}),
    ("base-rate", {"base_rate.missile_test": -0.8}),
    ("base-rate", {"base_rate.nuclear_test": 1.0}),
    ("logit:1", "logit:0.3"),
    ("logit:1", "logit:3"),
])
def test_recovery_true_parameters_win(korea, adversary, perturbed):
    sc, st = korea
    c = compile_model(sc, st)
    p_true, _ = _forecast(c, adversary, 10_000, 1)
    if isinstance(perturbed, dict):
        p_pert, _ = _forecast(replace(c, values={**c.values, **{k: c[k] + d for k, d in perturbed.items()}}),
                              adversary, 10_000, 1)
    else:
        p_pert, _ = _forecast(c, perturbed, 10_000, 1)
    _, synthetic = _forecast(c, adversary, S * K, 2)  # independent draws: another seed
    obs = synthetic.T.reshape(S, K, -1)
    ll_true = month_log_scores(p_true, obs).sum(axis=(-1, -2))
    ll_pert = month_log_scores(p_pert, obs).sum(axis=(-1, -2))
    assert (ll_true > ll_pert).mean() >= 0.95


# -- the general backtest ------------------------------------------------------------------------------

def test_backtest_any_adversary_and_window(korea):
    sc, st = korea
    r = backtest(sc, runs=500, seed=1, strategy=st, adversary="rational", start="2018-01", end="2018-06")
    assert r["adversary"] == "rational" and r["window"] == ["2018-01", "2018-06"] and len(r["months"]) == 6
    assert r["definitions"]["baseline"].endswith("(2016-01..2017-12)")
    assert r["log_likelihood"] == pytest.approx(sum(m["log_likelihood"] for m in r["months"]))
    assert r["brier"] == pytest.approx(np.mean([m["brier"] for m in r["months"]]))
    assert len(r["worst_months"]) == 3
    assert r["worst_months"][0]["log_likelihood"] == pytest.approx(min(m["log_likelihood"] for m in r["months"]))
    assert r["p_moratorium_mid_2018"] is not None  # the forecast covers it though the window starts later


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2017-09", None, "--from"),  # the scenario's start month is not a whole forecast month
    (None, "2021-01", "--to"),
    ("2018-05", "2018-02", "--to"),
    ("2018-1", None, "--from"),
])
def test_window_errors(korea, start, end, field):
    sc, st = korea
    with pytest.raises(InputError) as err:
        backtest(sc, runs=200, strategy=st, start=start, end=end)
    assert err.value.field == field


# -- the record file -----------------------------------------------------------------------------------

def test_packaged_record_file_equals_event_record(korea):
    from brinkmanship.history.events import events_path

    sc, _ = korea
    a = default_record(sc)
    b = load_record(events_path().with_name("korea-2016-2018-record.yaml"), sc)
    assert list(a.months) == list(b.months)
    np.testing.assert_array_equal(a.classes, b.classes)
    np.testing.assert_array_equal(a.talks_or_summit, b.talks_or_summit)
    np.testing.assert_array_equal(a.exercises, b.exercises)
    np.testing.assert_allclose(a.sanctions_level, b.sanctions_level, atol=5e-4)
    np.testing.assert_array_equal(a.aggregates["missiles"], b.aggregates["missiles"])


GOOD = """name: my-crisis
source: "my notes"
months:
  - {month: 2017-10, class: quiet}
  - {month: 2017-11, class: missile_test, missiles: 1}
  - {month: 2017-12, class: quiet, talks: true}
  - {month: 2018-01, class: quiet, exercises: true, sanctions: 0.8}
"""


def test_user_record_backtests(tmp_path, korea):
    sc, st = korea
    path = tmp_path / "rec.yaml"
    path.write_text(GOOD)
    rec = load_record(path, sc)
    assert list(rec.classes) == [QUIET, MISSILE_C, QUIET, QUIET]
    assert list(rec.sanctions_level) == pytest.approx([0.6, 0.6, 0.6, 0.8])  # korea-2017 starts at 0.6
    r = backtest(sc, runs=300, strategy=st, record=rec)
    assert r["window"] == ["2017-10", "2018-01"]
    assert r["definitions"]["baseline"].endswith("(none (uniform))")
    assert r["log_likelihood_baseline"] == pytest.approx(4 * np.log(0.25))


@pytest.mark.parametrize(("text", "line", "field"), [
    (GOOD.replace("class: missile_test, missiles: 1", "class: launch"), 5, "months.1.class"),
    (GOOD.replace("2017-12", "2018-02"), 6, "months.2.month"),
    (GOOD.replace("2017-12", "2017-13"), 6, "months.2.month"),
    (GOOD.replace("talks: true", "talk: true"), 6, "months.2.talk"),
    (GOOD.replace("sanctions: 0.8", "sanctions: 1.8"), 7, "months.3.sanctions"),
    (GOOD.replace("class: quiet, talks", "class: quiet, missiles: 2, talks"), 6, "months.2"),
    (GOOD.replace("name: my-crisis\n", ""), None, "name"),  # a missing key has no line
])
def test_record_file_errors_name_line_and_field(tmp_path, korea, text, line, field):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        load_record(path, korea[0])
    assert err.value.field == field
    assert err.value.line == line
    assert err.value.fix
    assert (f"{path}:{line}" if line else str(path)) in err.value.render()


# -- the model comparison ------------------------------------------------------------------------------

def test_no_peeking(korea):
    """Rewriting every month after the cut changes the held-out scores, never a fit."""
    sc, st = korea
    rec = default_record(sc)
    after = rec.months > record_until(rec, "2017-12").months[-1]
    changed = replace(rec, classes=np.where(after, MISSILE_C, rec.classes),
                      exercises=np.where(after, 1.0 - rec.exercises, rec.exercises),
                      sanctions_level=np.where(after, 0.1, rec.sanctions_level),
                      talks_or_summit=np.where(after, ~rec.talks_or_summit, rec.talks_or_summit))
    kw = {"runs": 300, "seed": 4, "lambdas": (0.3, 3.0)}
    a = compare_models(sc, st, rec, **kw)
    b = compare_models(sc, st, changed, **kw)
    fits = lambda r: {(row["model"], row["params"]): row["fit"] for row in r["rows"]}  # noqa: E731
    assert fits(a) == fits(b)
    held = lambda r: {(row["model"], row["params"]): row["log_likelihood"] for row in r["rows"]}  # noqa: E731
    assert all(held(a)[k] != pytest.approx(held(b)[k]) for k in held(a))
    assert [row["rank"] for row in a["rows"]] == list(range(1, len(a["rows"]) + 1))
    ll = [row["log_likelihood"] for row in a["rows"]]
    assert ll == sorted(ll, reverse=True)


def test_calibrated_row_is_the_packaged_calibrated_scenario(korea):
    """At the default cut the comparison's refit equals the packaged korea-2017-calibrated base rates."""
    from brinkmanship.history.calibrate import FITTED
    from brinkmanship.history.compare import fit_variants

    sc, st = korea
    train = record_until(default_record(sc), "2017-12")
    cal = next(v for v in fit_variants(sc, st, train, 200, 0, lambdas=(1.0,)) if v.params == "calibrated"
               and v.adversary == "base-rate")
    packaged = load_scenario("korea-2017-calibrated").params()
    for name in FITTED:
        assert cal.values[name] == pytest.approx(packaged[name].value, abs=2e-3)


# -- the CLI -------------------------------------------------------------------------------------------

def test_cli_compare_models(tmp_path):
    res = runner.invoke(app, ["backtest", "korea-2017", "--compare-models", "--runs", "300", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    models = {(row["model"], row["params"]) for row in data["rows"]}
    assert {("climatology", "class frequencies to the cut"), ("base-rate", "default"),
            ("base-rate", "calibrated"), ("logit:1", "default"), ("rational", "default")} <= models
    assert data["held_out"] == ["2018-01", "2018-12"] and data["fit_months"] == ["2016-01", "2017-12"]
    res = runner.invoke(app, ["backtest", "korea-2017", "--compare-models", "--runs", "300", "--cut", "2018-06",
                              "--adversary", "logit:0.5"])
    assert res.exit_code == 0, res.output
    assert "held-out log-lik" in res.output and "logit:0.5" in res.output


@pytest.mark.parametrize("args", [
    ["--compare-models", "--cut", "2018-13"],
    ["--compare-models", "--cut", "2018-12"],  # nothing after the cut
    ["--from", "2016-05"],
    ["--adversary", "logit:-1"],
    ["--strategy", "no-such-strategy"],
    ["--record", "no-such-file.yaml"],
])
def test_cli_bad_input_exits_2(tmp_path, args):
    res = runner.invoke(app, ["backtest", "korea-2017", "--runs", "200", "--no-calibrate", "--out", str(tmp_path),
                              *args])
    assert res.exit_code == 2, res.output


def test_cli_record_file_error_names_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("2017-12", "2018-02"))
    res = runner.invoke(app, ["backtest", "korea-2017", "--record", str(path), "--runs", "200", "--out",
                              str(tmp_path)])
    assert res.exit_code == 2
    assert "bad.yaml:6" in res.output and "months.2.month" in res.output


def test_cli_user_record_any_strategy(tmp_path):
    path = tmp_path / "rec.yaml"
    path.write_text(GOOD)
    res = runner.invoke(app, ["backtest", "korea-2017", "--strategy", "engagement", "--adversary", "logit:1",
                              "--record", str(path), "--runs", "300", "--no-calibrate", "--out", str(tmp_path),
                              "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["strategy"] == "engagement" and data["adversary"] == "logit:1"
    assert data["p_moratorium_mid_2018"] is not None and data["observed"]["moratorium_mid_2018"] is None
