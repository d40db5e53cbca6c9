"""Base-rate calibration: the class rule, recovery of known parameters, and the packaged calibrated scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brinkmanship.history.calibrate import (
    CALIBRATION_NOTE,
    FITTED,
    _compiled,
    calibrate,
    class_probabilities,
    fit_base_rate,
)
from brinkmanship.history.record import CLASSES, Record, monthly_record
from brinkmanship.spec import load_scenario


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("korea-2017")


@pytest.fixture(scope="module")
def record(scenario):
    return monthly_record(scenario, "2016-01", "2017-12")


def test_class_rule_on_the_record(record):
    assert record.counts == {"quiet": 5, "missile_test": 14, "nuclear_test": 3, "provocation": 2}
    by_month = dict(zip(map(str, record.months), (CLASSES[k] for k in record.classes), strict=True))
    assert by_month["2016-01"] == "nuclear_test"
    assert by_month["2017-09"] == "nuclear_test"  # a launch in the same month does not change the class
    assert by_month["2016-02"] == "provocation"  # satellite launch
    assert by_month["2017-06"] == "provocation"  # cruise missiles only
    assert by_month["2017-11"] == "missile_test"
    assert by_month["2017-10"] == "quiet"


def test_sanctions_level_is_anchored_at_the_scenario_start(scenario, record):
    level = dict(zip(map(str, record.months), record.sanctions_level, strict=True))
    step = scenario.sanctions.resolution_step.value
    assert level["2017-10"] == pytest.approx(scenario.initial.sanctions.value)  # after 2375
    assert level["2017-09"] == pytest.approx(scenario.initial.sanctions.value - step)  # 2375 came mid-month
    assert level["2016-01"] == pytest.approx(scenario.initial.sanctions.value - 4 * step)  # 2270 2321 2371 2375
    assert level["2017-07"] == level["2017-06"]  # 2356 (designations only) does not count


def _synthetic(scenario, truth: np.ndarray, reps: int, seed: int) -> Record:
    """A long synthetic record: the 2016-2017 states repeated `reps` times, classes drawn at `truth`."""
    base = monthly_record(scenario, "2016-01", "2017-12")
    ex = np.tile(base.exercises, reps)
    level = np.tile(base.sanctions_level, reps)
    months = pd.period_range("2000-01", periods=ex.size, freq="M")
    shell = Record(months=months, classes=np.zeros(ex.size, dtype=np.int64), exercises=ex,
                   sanctions_level=level, talks_or_summit=np.zeros(ex.size, dtype=bool), aggregates=pd.DataFrame())
    p = class_probabilities(_compiled(scenario), shell, FITTED, truth)[0]
    rng = np.random.default_rng(seed)
    cls = (rng.random(ex.size)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    return Record(months=months, classes=cls, exercises=ex, sanctions_level=level,
                  talks_or_summit=shell.talks_or_summit, aggregates=pd.DataFrame())


def test_recovery_of_known_base_rates(scenario):
    """Data generated from known parameters are fitted back inside their 95% intervals (coverage)."""
    truth = np.array([1.5, -0.5, 0.0, 0.8])
    covered = np.zeros(truth.size)
    estimates = []
    reps = 12
    for seed in range(reps):
        fit = fit_base_rate(scenario, _synthetic(scenario, truth, reps=8, seed=seed), profile=False)
        assert fit.converged
        covered += (fit.interval[:, 0] <= truth) & (truth <= fit.interval[:, 1])
        estimates.append(fit.estimate)
    assert (covered >= reps - 3).all(), covered  # nominal 95%: at most 3 misses in 12 by chance
    est = np.array(estimates)
    se_mean = est.std(axis=0, ddof=1) / np.sqrt(reps)
    assert (np.abs(est.mean(axis=0) - truth) < 3.5 * se_mean + 0.1).all(), (est.mean(axis=0), truth)


def test_profile_intervals_cover_truth(scenario):
    truth = np.array([2.0, 0.5, -0.5, -0.5])
    covered = np.zeros(truth.size)
    for seed in (101, 102, 103):
        fit = fit_base_rate(scenario, _synthetic(scenario, truth, reps=10, seed=seed), profile=True)
        lo, hi = fit.interval.T
        assert ((lo < fit.estimate) & (fit.estimate < hi)).all()
        covered += (lo <= truth) & (truth <= hi)
        # on a long record the profile and Wald intervals nearly agree
        np.testing.assert_allclose(fit.interval, fit.extra["wald"], atol=0.35)
    assert (covered >= 2).all(), covered


def test_fit_moves_the_likelihood(scenario, record):
    fit = calibrate(scenario, profile=False)
    c = _compiled(scenario)
    p0 = class_probabilities(c, record, FITTED, fit.start_values)[0]
    ll0 = float(np.log(p0[np.arange(len(record.classes)), record.classes]).sum())
    assert fit.log_likelihood > ll0
    assert np.all(np.isfinite(fit.se)) and np.all(fit.se > 0)


def test_calibrated_scenario_loads_and_matches_the_fit(scenario):
    cal = load_scenario("korea-2017-calibrated")
    assert cal.name == "korea-2017-calibrated"
    fit = calibrate(scenario, profile=True)
    params = cal.params()
    for name, est, (lo, hi) in zip(fit.names, fit.estimate, fit.interval, strict=True):
        p = params[name]
        assert p.low <= p.value <= p.high
        assert p.assumption and p.note and CALIBRATION_NOTE in p.note
        assert p.value == pytest.approx(est, abs=2e-3), f"{name}: regenerate with python -m brinkmanship.history.calibrate"
        assert (p.low, p.high) == pytest.approx((lo, hi), abs=2e-3)
    # everything else is the base scenario's
    base = scenario.params()
    for name, p in params.items():
        if name not in fit.names:
            assert p == base[name], name
