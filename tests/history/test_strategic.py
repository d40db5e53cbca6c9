"""Strategic estimation of the logit planner: the observed sequence, batching, recovery, identification."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.grid import Grid
from brinkmanship.engine.constants import ACTIONS, FREEZE_ACT, HOLD, MISSILE, Status
from brinkmanship.history.strategic import (
    LAMBDA,
    Observed,
    _compiled,
    fit_strategic,
    log_likelihoods,
    observed_sequence,
    simulate_histories,
    state_path,
)
from brinkmanship.spec import load_scenario


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("korea-2017")


def test_observed_sequence_ends_at_the_moratorium(scenario):
    data = observed_sequence(scenario)
    assert data.months == ("2017-10", "2017-11", "2017-12", "2018-01", "2018-02", "2018-03", "2018-04")
    assert [ACTIONS[a] for a in data.actions[0]] == [
        "hold", "missile_test", "hold", "negotiate", "negotiate", "negotiate", "freeze"]
    assert list(data.steps) == [1, 2, 3, 4, 5, 6, 7]


def test_state_path_follows_the_actions(scenario):
    c = _compiled(scenario)
    data = observed_sequence(scenario)
    k, m, r = state_path(c, data.actions)
    assert list(m[0]) == [0, 0, 1, 1, 1, 1, 1]  # the November launch adds one test-equivalent
    assert k[0, 0] == 0 and k[0, -1] >= k[0, 3]  # negotiation moves talks up, never down
    grid = Grid.of(c)
    assert np.all(grid.status[r[0]] == Status.OPEN)  # the freeze is the last action: no month is frozen


def test_a_freeze_is_a_status_a_test_breaks(scenario):
    c = _compiled(scenario)
    acts = np.array([[HOLD, FREEZE_ACT, HOLD, MISSILE, HOLD]])
    _, _, r = state_path(c, acts)
    grid = Grid.of(c)
    assert list(grid.status[r[0]]) == [Status.OPEN, Status.OPEN, Status.FROZEN, Status.FROZEN, Status.OPEN]


def test_batched_likelihood_equals_one_at_a_time(scenario):
    data = observed_sequence(scenario)
    arsenal, economy = np.array([0.0, 3.0, 6.0]), np.array([2.0, 1.0, 4.0])
    batch = log_likelihoods(scenario, data, 1.5, {"adversary.arsenal": arsenal, "adversary.economy": economy})
    single = [log_likelihoods(scenario, data, 1.5, {"adversary.arsenal": arsenal[i:i + 1],
                                                    "adversary.economy": economy[i:i + 1]})[0] for i in range(3)]
    np.testing.assert_allclose(batch, single, rtol=1e-10)
    assert np.all(np.isfinite(batch)) and np.all(batch < 0)


def test_recovery_of_known_weights_and_precision(scenario):
    """Histories drawn from the planner at known parameters are fitted back inside the 95% intervals."""
    lam, truth = 1.5, {"adversary.arsenal": 3.6, "adversary.economy": 1.4}
    # profiles on this grid: with breakable freezes the likelihood bends more between grid points, and a
    # coarser grid (5 x 5 x 6) gave intervals narrower than the profile (3.6 outside for both seeds)
    grid = {LAMBDA: np.geomspace(0.25, 8.0, 11), "adversary.arsenal": np.linspace(0.0, 6.0, 13),
            "adversary.economy": np.linspace(0.0, 4.0, 11)}
    for seed in (0, 1):
        data = simulate_histories(scenario, lam, truth, histories=25, steps=range(1, 16), seed=seed)
        assert data.n_decisions > 300
        fit = fit_strategic(scenario, data, grid=grid)
        for name, value in {LAMBDA: lam, **truth}.items():
            lo, hi = fit.interval[name]
            assert lo <= value <= hi, (name, value, fit.interval[name])
            assert lo <= fit.estimate[name] <= hi
        assert fit.identified[LAMBDA].startswith("identified")
        assert fit.log_likelihood > fit.null_log_likelihood + 50  # far better than a uniform choice


def test_a_weight_that_never_matters_is_not_identified(scenario):
    """No strike rule in maximum-pressure, so the cost of a city struck cannot move any choice."""
    data = simulate_histories(scenario, 1.0, {}, histories=5, steps=range(1, 8), seed=3)
    fit = fit_strategic(scenario, data, grid={LAMBDA: [0.5, 2.0], "adversary.city_cost": [1.0, 5.0, 20.0]},
                        refine=False)
    _values, prof = fit.profiles["adversary.city_cost"]
    assert np.ptp(prof) < 1e-9
    assert fit.identified["adversary.city_cost"].startswith("not identified")


def test_fit_on_the_record(scenario):
    fit = fit_strategic(scenario, grid={LAMBDA: [0.1, 1.0, 4.0], "adversary.arsenal": [0.0, 3.0, 6.0],
                                        "adversary.economy": [0.0, 2.0, 4.0]}, refine=False)
    assert fit.n_decisions == 7
    assert np.isfinite(fit.log_likelihood)
    summary = fit.as_dict()
    assert set(summary["parameters"]) == {LAMBDA, "adversary.arsenal", "adversary.economy"}
    assert all(isinstance(p["identification"], str) for p in summary["parameters"].values())


def test_observed_type_counts():
    obs = Observed(steps=np.arange(3), actions=np.array([[0, 1, -1], [4, 6, -1]]))
    assert obs.n_decisions == 4
