"""Same seed, same bits; chunk size changes memory only."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.engine import simulate
from brinkmanship.engine.simulate import OUTCOME_FIELDS


def _same(a, b):
    for k in OUTCOME_FIELDS:
        assert np.array_equal(a.outcomes[k], b.outcomes[k]), k
    assert np.array_equal(a.timeline["outcome_counts"], b.timeline["outcome_counts"])
    assert np.array_equal(a.transitions, b.transitions)


def test_same_seed_same_bits(korea, strategies):
    st = strategies["let-deterrence-fail"]
    _same(simulate(korea, st, runs=3000, seed=5), simulate(korea, st, runs=3000, seed=5))


@pytest.mark.parametrize("chunk", [1, 777, 8192, 9000])
def test_chunk_size_never_changes_the_numbers(korea, strategies, chunk):
    st = strategies["let-deterrence-fail"]
    runs = 9000 if chunk > 1 else 40  # crosses the 8,192-run stream block boundary
    _same(simulate(korea, st, runs=runs, seed=9, chunk_size=runs),
          simulate(korea, st, runs=runs, seed=9, chunk_size=chunk))


def test_different_seeds_differ(korea, strategies):
    st = strategies["let-deterrence-fail"]
    a = simulate(korea, st, runs=2000, seed=1).outcomes["outcome"]
    b = simulate(korea, st, runs=2000, seed=2).outcomes["outcome"]
    assert not np.array_equal(a, b)
