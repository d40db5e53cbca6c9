"""`what_decides`: the inputs that move a vector outcome, ranked by their bias-corrected first-order share;
`pooled_first_order` against a closed form; the binned F test of "no effect"."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.analysis.sensitivity import binned_f_test, pooled_first_order, what_decides


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(0)
    n = 4000
    x = {"strong": rng.uniform(size=n), "weak": rng.uniform(size=n), "noise": rng.uniform(size=n)}
    p_deal = 0.8 * x["strong"] + 0.1 * x["weak"]  # the deal share rises with both, mostly the first
    Y = np.column_stack([p_deal, 1 - p_deal, np.zeros(n)])
    return x, Y


def test_ranks_inputs_by_their_share_with_the_outcome_and_direction(sample):
    x, Y = sample
    rows = what_decides(x, Y, ("deal", "buildup", "war"), top=3)
    assert [r["name"] for r in rows][:2] == ["strong", "weak"]
    strong, weak = rows[0], rows[1]
    # Var(0.8 u) / Var(0.8 u + 0.1 v) = 64 / 65, less the loss of binning a linear effect into 10 bins (1 %)
    assert strong["share"] == pytest.approx(64 / 65, abs=0.02)
    assert weak["share"] == pytest.approx(1 / 65, abs=0.01)
    assert strong["moves"] in ("deal", "buildup") and strong["rises"] == (strong["moves"] == "deal")
    assert all(r["name"] != "noise" for r in what_decides(x, Y, ("deal", "buildup", "war"), min_share=0.005))


def test_a_noise_input_scores_about_zero_in_a_small_sample():
    rng = np.random.default_rng(3)
    shares = [pooled_first_order(rng.uniform(size=64), rng.normal(size=(64, 2)), bins=8)[0] for _ in range(200)]
    assert np.mean(shares) < 0.03  # uncorrected, the between-bin share of noise would be about 7 / 64 = 0.11


def test_weights_count_as_samples():
    x = np.array([0.0, 0.0, 1.0, 1.0])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    equal, _ = pooled_first_order(x, y, bins=2)
    assert equal == pytest.approx(1.0)
    lopsided, means = pooled_first_order(x, y, np.array([1.0, 1.0, 1.0, 1.0]) * [3, 1, 1, 3], bins=2)
    assert lopsided == pytest.approx(1.0) and means[:, 0].tolist() == [0.0, 1.0]


def test_constant_outcome_and_constant_input_decide_nothing():
    x = {"a": np.linspace(0, 1, 50), "flat": np.full(50, 2.0)}
    assert what_decides(x, np.ones((50, 2)), ("deal", "war")) == []
    assert [r["name"] for r in what_decides(x, np.linspace(0, 1, 50)[:, None], ("deal",))] == ["a"]


def test_binned_f_test_separates_an_effect_from_noise():
    rng = np.random.default_rng(5)
    x, z = rng.uniform(size=200), rng.uniform(size=200)
    y = x + rng.normal(0, 0.3, 200)
    assert binned_f_test(x, y, 8) < 1e-6
    assert binned_f_test(z, y, 8) > 0.01
    assert binned_f_test(x, np.ones(200), 8) == 1.0


def test_nearly_equal_weights_rank_as_equal_ones(sample):
    x, Y = sample
    x64 = {k: v[:64] for k, v in x.items()}
    wobble = 1 + 0.02 * np.random.default_rng(2).uniform(-1, 1, 64)  # e.g. the runs each type happened to get
    plain = what_decides(x64, Y[:64], ("deal", "buildup", "war"))
    near = what_decides(x64, Y[:64], ("deal", "buildup", "war"), wobble)
    assert [r["name"] for r in plain] == [r["name"] for r in near]
    assert np.allclose([r["share"] for r in plain], [r["share"] for r in near], atol=0.02)
