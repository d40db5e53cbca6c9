"""The planner's compiled gathers give the bits of their NumPy versions, one function at a time and for a
whole solve; without Numba the planner runs the NumPy versions."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from brinkmanship.adversary import gathers
from brinkmanship.adversary.planner import TIE_TOL, solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.spec import all_params

pytest.importorskip("numba", reason="the compiled gathers need numba (a project dependency)")
compiled = gathers.backend()
SHAPE = (3, 5, 4, 12)  # samples, talks levels, tests levels, last axis


def _values(rng: np.random.Generator, shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    """Values with ties (rounded to a coarse grid) and signs, as backward induction's are."""
    return np.round(rng.normal(0, 10, shape), 1)


def test_the_backend_is_compiled_where_numba_is_installed():
    assert compiled.__name__ == gathers.COMPILED
    assert compiled is not gathers


@pytest.mark.parametrize("seed", range(4))
def test_pull_pair_along_the_last_axis_is_numpys(seed):
    rng = np.random.default_rng(seed)
    values = _values(rng)
    index = rng.integers(0, SHAPE[-1], SHAPE[-1])
    second = rng.integers(0, SHAPE[-1], SHAPE[-1])
    w = rng.uniform(0, 1, SHAPE[-1])
    strided = np.ascontiguousarray(values.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)  # M outermost, as Gm's
    for v in (values, strided):
        assert np.array_equal(compiled.pull_pair(v, index, w, second, 1 - w),
                              gathers.pull_pair(v, index, w, second, 1 - w))


@pytest.mark.parametrize("per_sample", [False, True])
def test_talks_pull_is_numpys(per_sample):
    rng = np.random.default_rng(7)
    n, K, X = 4, 21, 30
    flat = _values(rng, (n, K, X))
    rows = n if per_sample else 1
    lo = rng.integers(0, K, (rows, K))
    hi = np.minimum(lo + 1, K - 1)
    w_lo = rng.uniform(0, 1, (n, K))
    w_hi = rng.uniform(0, 1, (n, K))
    assert np.array_equal(compiled.talks_pull(flat, lo, hi, w_lo, w_hi), gathers.talks_pull(flat, lo, hi, w_lo, w_hi))


@pytest.mark.parametrize("keep", [False, True])
def test_strike_response_is_numpys_ties_included(keep):
    rng = np.random.default_rng(3)
    n, _, M, R = SHAPE
    absorb = _values(rng)
    retaliate = np.broadcast_to(_values(rng, (n, 1, M, 1)), SHAPE)  # broadcast views, as the planner passes them
    escalate = np.broadcast_to(retaliate + np.where(rng.uniform(size=(1, 1, 1, R)) < 0.3, 0.0, -1.0), SHAPE)
    absorb[..., :3] = retaliate[..., :3]  # exact ties between absorbing and retaliating
    cost = np.broadcast_to(rng.uniform(0, 5, (n, 1, 1, R)), SHAPE)
    other = _values(rng)
    hit = rng.uniform(size=R) < 0.6
    args = (absorb, retaliate, escalate, hit, cost, other, TIE_TOL, keep)
    out, bits = compiled.strike_response(*args)
    ref_out, ref_bits = gathers.strike_response(*args)
    assert np.array_equal(out, ref_out)
    assert np.array_equal(bits, ref_bits)
    if keep:  # the bits pin the response order: absorb 1, retaliate 2, escalate 4
        assert np.all(bits[..., :3] & 3 == 3)
        assert set(np.unique(bits)) <= set(range(1, 8))


def test_add_scaled_is_numpys():
    rng = np.random.default_rng(5)
    total, values = _values(rng), _values(rng)
    w = rng.uniform(0, 1, SHAPE[-1])
    ours, ref = total.copy(), total.copy()
    compiled.add_scaled(ours, w, values)
    gathers.add_scaled(ref, w, values)
    assert np.array_equal(ours, ref)
    assert not np.array_equal(ours, total)


def _solution(korea, strategy, samples: int):
    rng = np.random.default_rng(11)
    names = ["adversary.discount", "adversary.war_cost", "rules.two-per-launch.believed"]
    params = {k: p for k, p in all_params(korea, strategy).items() if k in names}
    c = compile_model(korea, strategy, {k: rng.uniform(p.low, p.high, samples) for k, p in params.items()})
    return solve(c, "rational")


def test_a_solve_is_the_same_bits_with_and_without_numba(korea, strategies, monkeypatch):
    """let-deterrence-fail: learned credibility, a target list and a deadline with a condition, so every gather
    and the strike response run; values, packed policies and kept responses compared."""
    st = strategies["let-deterrence-fail"]
    ours = _solution(korea, st, 2)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "numba" else real(name, *a))
    monkeypatch.delitem(sys.modules, gathers.COMPILED)
    assert gathers.backend() is gathers
    ref = _solution(korea, st, 2)
    assert all(np.array_equal(a, b) for a, b in zip(ours.V, ref.V, strict=True))
    packed, ref_packed = ours.settings["_packed"], ref.settings["_packed"]
    assert packed.keys() == ref_packed.keys() and all(np.array_equal(packed[t], ref_packed[t]) for t in packed)
    kept, ref_kept = ours.settings["_responses"], ref.settings["_responses"]
    assert kept and kept.keys() == ref_kept.keys()
    assert all(np.array_equal(kept[k], ref_kept[k]) for k in kept)
