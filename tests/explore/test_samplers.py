"""Samplers, parameters and keyed random streams."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.errors import InputError
from brinkmanship.explore.design import plan_chunks
from brinkmanship.explore.parameters import Lever, Uncertainty, as_parameters, salib_problem
from brinkmanship.explore.samplers import sample, unit_lhs, unit_sobol
from brinkmanship.explore.streams import keyed_uniforms

PARAMS = [
    Uncertainty("a", 0.0, 1.0, source="s"),
    Uncertainty("b", -5.0, 5.0),
    Uncertainty("k", 3, 7, kind="integer"),
    Uncertainty("c", kind="categorical", categories=("x", "y", "z")),
]


def test_lhs_is_stratified_in_every_dimension():
    n = 200
    u = unit_lhs(n, 4, seed=1)
    for j in range(4):
        assert sorted(np.floor(u[:, j] * n).astype(int).tolist()) == list(range(n))


def test_lhs_is_scipys_latin_hypercube_on_the_sampler_stream():
    from scipy.stats import qmc

    from brinkmanship.explore.samplers import _rng

    expected = qmc.LatinHypercube(3, scramble=True, rng=_rng(9)).random(50)
    assert np.array_equal(unit_lhs(50, 3, seed=9), expected)


def test_sobol_power_of_two_is_balanced():
    u = unit_sobol(256, 3, seed=2)
    for j in range(3):  # a scrambled Sobol net puts 2^k points in each of 2^k equal bins... per dimension
        assert np.bincount(np.floor(u[:, j] * 16).astype(int), minlength=16).tolist() == [16] * 16


@pytest.mark.parametrize("sampler", ["lhs", "sobol", "mc"])
def test_samplers_are_seeded_and_scaled(sampler):
    s1 = sample(PARAMS, 64, sampler, seed=5)
    s2 = sample(PARAMS, 64, sampler, seed=5)
    s3 = sample(PARAMS, 64, sampler, seed=6)
    for k in s1:
        assert np.array_equal(s1[k], s2[k])
    assert not np.array_equal(s1["a"], s3["a"])
    assert (s1["a"] >= 0).all() and (s1["a"] < 1).all()
    assert (s1["b"] >= -5).all() and (s1["b"] < 5).all()
    assert set(s1["k"].tolist()) <= set(range(3, 8)) and s1["k"].dtype == np.int64
    assert set(s1["c"].tolist()) <= {"x", "y", "z"}


def test_integer_and_categorical_levels_are_equally_likely():
    s = sample(PARAMS, 3000, "lhs", seed=0)
    counts = np.bincount(s["k"] - 3)
    assert counts.tolist() == [600] * 5  # LHS strata map exactly onto the 5 levels
    assert sorted(np.unique(s["c"], return_counts=True)[1].tolist()) == [1000, 1000, 1000]


def test_full_factorial_covers_every_combination():
    s = sample(PARAMS, 3, "factorial", seed=0)
    n = len(s["a"])
    assert n == 3 * 3 * 3 * 3
    combos = {(a, b, k, c) for a, b, k, c in zip(s["a"], s["b"], s["k"], s["c"], strict=True)}
    assert len(combos) == n
    assert set(s["a"].tolist()) == {0.0, 0.5, 1.0}
    assert set(s["k"].tolist()) == {3, 5, 7}


def test_bad_parameters_and_samplers_are_input_errors():
    with pytest.raises(InputError, match="empty"):
        Uncertainty("x", 2.0, 1.0)
    with pytest.raises(InputError, match="kind"):
        Uncertainty("x", 0, 1, kind="complex")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="categories"):
        Uncertainty("x", kind="categorical")
    with pytest.raises(InputError, match="twice"):
        as_parameters([Uncertainty("x"), Uncertainty("x")])
    with pytest.raises(InputError, match="sampler"):
        sample(PARAMS, 10, "halton")
    with pytest.raises(InputError, match="at least 1"):
        sample(PARAMS, 0)


def test_levers_and_uncertainty_likes():
    lv = Lever("posture.target", 0.2, 1.0)
    assert lv.role == "lever"

    class Like:
        name, low, high, kind, source = "war.deaths", 1.0, 2.0, "real", "cite"

    (p,) = as_parameters([Like()])
    assert (p.name, p.low, p.high, p.source) == ("war.deaths", 1.0, 2.0, "cite")
    assert salib_problem([p, lv]) == {"num_vars": 2, "names": ["war.deaths", "posture.target"],
                                      "bounds": [[1.0, 2.0], [0.2, 1.0]]}
    assert Uncertainty.from_dict(PARAMS[3].to_dict()) == PARAMS[3]


def test_streams_depend_only_on_seed_strategy_and_experiment_id():
    ids = np.arange(100, 200)
    full = keyed_uniforms(7, "a", ids, 5)
    part = keyed_uniforms(7, "a", ids[37:41], 5)
    shuffled = keyed_uniforms(7, "a", ids[::-1], 5)[::-1]
    assert np.array_equal(full[37:41], part)
    assert np.array_equal(full, shuffled)
    assert not np.array_equal(full, keyed_uniforms(7, "b", ids, 5))
    assert not np.array_equal(full, keyed_uniforms(8, "a", ids, 5))
    big = keyed_uniforms(1, "a", np.arange(20000), 10).ravel()
    assert 0 <= big.min() and big.max() < 1
    assert abs(big.mean() - 0.5) < 0.005 and abs(big.var() - 1 / 12) < 0.002


def test_chunks_cover_each_experiment_once_and_skip_done_ones():
    chunks = plan_chunks(1000, ["s1", "s2"], runs=10, chunk_size=3000)
    assert all(c.size <= 300 for c in chunks)
    for s in ("s1", "s2"):
        ids = np.concatenate([np.arange(c.start, c.stop) for c in chunks if c.strategy == s])
        assert np.array_equal(np.sort(ids), np.arange(1000))
    done = {"s1": np.zeros(1000, bool), "s2": np.ones(1000, bool)}
    done["s1"][100:250] = True
    rest = plan_chunks(1000, ["s1", "s2"], runs=10, chunk_size=3000, done=done)
    assert {c.strategy for c in rest} == {"s1"}
    covered = np.zeros(1000, bool)
    for c in rest:
        assert not covered[c.start:c.stop].any()
        covered[c.start:c.stop] = True
    assert np.array_equal(covered, ~done["s1"])


def test_vary_patterns_select_parameters():
    from brinkmanship.explore.parameters import select_parameters

    ps = [Uncertainty("war.deaths"), Uncertainty("war.share"), Uncertainty("economy.drag"), Uncertainty("talks.rate")]
    names = lambda sel: [p.name for p in sel]  # noqa: E731
    assert names(select_parameters(ps, None)) == [p.name for p in ps]
    assert names(select_parameters(ps, "war.*")) == ["war.deaths", "war.share"]
    assert names(select_parameters(ps, "war.*,-war.share,talks.*")) == ["war.deaths", "talks.rate"]
    assert names(select_parameters(ps, "-economy.*")) == ["war.deaths", "war.share", "talks.rate"]
    with pytest.raises(InputError, match="matches no"):
        select_parameters(ps, "weather.*")
    with pytest.raises(InputError, match="no parameter left"):
        select_parameters(ps, "war.*,-war.*")
