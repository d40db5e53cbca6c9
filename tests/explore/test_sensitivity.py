"""Sobol indices against the Ishigami function's analytic values; Morris on a function with known effects."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.analysis.sensitivity import (
    as_table,
    first_order_indices,
    ishigami,
    ishigami_analytic,
    morris_analysis,
    sobol_analysis,
    sobol_sample,
)
from brinkmanship.errors import InputError

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def test_ishigami_sobol_indices_match_analytic_values():
    res = sobol_analysis(ISHIGAMI, ishigami, 2**13, seed=42)
    exact = ishigami_analytic()
    assert np.allclose(exact["S1"], [0.3139, 0.4424, 0.0], atol=1e-4)  # the textbook values
    assert np.allclose(exact["ST"], [0.5576, 0.4424, 0.2437], atol=1e-4)
    assert np.max(np.abs(res["S1"] - exact["S1"])) < 0.02
    assert np.max(np.abs(res["ST"] - exact["ST"])) < 0.02
    rows = as_table(res)
    assert [r["name"] for r in rows] == ["x1", "x2", "x3"]  # sorted by ST


def test_sobol_design_is_seeded_and_sized():
    a = sobol_sample(ISHIGAMI, 64, seed=1)
    b = sobol_sample(ISHIGAMI, 64, seed=1)
    assert a.shape == (64 * 5, 3) and np.array_equal(a, b)
    assert not np.array_equal(a, sobol_sample(ISHIGAMI, 64, seed=2))
    with pytest.raises(InputError, match="power of two"):
        sobol_sample(ISHIGAMI, 1000)


def test_morris_recovers_linear_effects_and_ignores_dummies():
    problem = {"names": ["strong", "weak", "dummy"], "bounds": [[0.0, 1.0], [0.0, 2.0], [0.0, 1.0]]}
    res = morris_analysis(problem, lambda X: 5 * X[:, 0] - 1.5 * X[:, 1], trajectories=20, seed=3)
    assert np.allclose(res["mu_star"], [5.0, 3.0, 0.0], atol=1e-9)  # effect x range, exactly for a linear model
    assert np.allclose(res["mu"], [5.0, -3.0, 0.0], atol=1e-9)
    assert np.allclose(res["sigma"], 0.0, atol=1e-9)


def test_morris_flags_every_ishigami_input_and_the_x3_interaction():
    res = morris_analysis(ISHIGAMI, ishigami, trajectories=200, seed=0)
    assert (res["mu_star"] > 1).all()  # x3 acts only through its interaction with x1 ...
    assert res["sigma"][2] > 2 * abs(res["mu"][2])  # ... so its effects vary in sign and size


def test_bad_problem_is_input_error():
    with pytest.raises(InputError, match="bounds"):
        sobol_sample({"names": ["a"], "bounds": [[1.0, 1.0]]}, 8)
    with pytest.raises(InputError, match="matching"):
        sobol_sample({"names": ["a", "b"], "bounds": [[0, 1]]}, 8)


def test_first_order_index_separates_a_driver_from_noise() -> None:
    rng = np.random.default_rng(0)
    x1, x2 = rng.random(5000), rng.random(5000)
    y = x1 ** 2
    assert first_order_indices(x1, y) > 0.95
    assert first_order_indices(x2, y) < 0.02
    assert first_order_indices(x1, np.ones(10)) == 0.0
    cats = np.array(["a", "b"] * 50)
    assert first_order_indices(cats, (cats == "a").astype(float)) == pytest.approx(1.0)
