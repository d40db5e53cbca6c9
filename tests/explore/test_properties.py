"""Property tests: chunk plans cover exactly the missing work; scaling stays in range; regret is >= 0."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.analysis.robustness import regret
from brinkmanship.explore.design import experiments_per_chunk, plan_chunks
from brinkmanship.explore.parameters import Uncertainty


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), runs=st.integers(1, 50), chunk=st.integers(1, 5000), seed=st.integers(0, 10**6))
def test_plan_covers_exactly_the_missing_experiments(n, runs, chunk, seed):
    rng = np.random.default_rng(seed)
    done = {"a": rng.random(n) < 0.3, "b": np.zeros(n, bool)}
    chunks = plan_chunks(n, ["a", "b"], runs, chunk, done=done)
    step = experiments_per_chunk(runs, chunk)
    for s in ("a", "b"):
        cover = np.zeros(n, int)
        for c in chunks:
            if c.strategy == s:
                assert 0 < c.size <= step
                cover[c.start:c.stop] += 1
        assert np.array_equal(cover, (~done[s]).astype(int))


@settings(max_examples=60, deadline=None)
@given(lo=st.integers(-50, 50), width=st.integers(0, 30), u=st.lists(st.floats(0, 1, exclude_max=True), min_size=1))
def test_integer_scaling_stays_in_range(lo, width, u):
    p = Uncertainty("k", lo, lo + width, kind="integer")
    v = p.scale(np.array(u))
    assert v.dtype == np.int64 and (v >= lo).all() and (v <= lo + width).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=1, max_size=20),
       st.booleans())
def test_regret_is_nonnegative_and_zero_for_the_best(rows, maximise):
    r = regret(np.array(rows), maximise)
    assert (r >= 0).all()
    assert np.allclose(r.min(axis=1), 0.0)
