"""The planner's compiled gathers give the bits of their NumPy versions, one function at a time and for a
whole solve; without Numba the planner runs the NumPy versions."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from brinkmanship.adversary import gathers
from brinkmanship.adversary.planner import TIE_TOL, option_shares, solve, unpack_policy
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


@pytest.mark.parametrize("seed", range(4))
def test_push_pair_is_the_sparse_products_bits(seed):
    """The scatter adds each state's two shares where they go in the order of the sparse product (several
    states land on one, some with both shares on one, some with a zero share)."""
    rng = np.random.default_rng(seed)
    mass = rng.uniform(0, 1, SHAPE) * (rng.uniform(size=SHAPE) < 0.7)
    R = SHAPE[-1]
    first = rng.integers(0, R // 3, R)
    second = np.where(rng.uniform(size=R) < 0.3, first, rng.integers(0, R, R))
    w = np.where(rng.uniform(size=R) < 0.2, 1.0, rng.uniform(0, 1, R))
    w_second = np.where(first == second, 0.0, 1 - w)
    ours = compiled.push_pair(mass, first, w, second, w_second)
    assert np.array_equal(ours, gathers.push_pair(mass, first, w, second, w_second))
    assert np.allclose(ours.sum(axis=-1), (mass * (w + w_second)).sum(axis=-1))  # mass is kept where weights sum to 1
    # the adjoint of the pull: <push(m), v> = <m, pull(v)>
    v = _values(rng)
    assert np.isclose((ours * v).sum(), (mass * compiled.pull_pair(v, first, w, second, w_second)).sum())


def test_take_last_is_numpys_on_views():
    """A gather along the last axis, of a contiguous array and of a view with other strides."""
    rng = np.random.default_rng(23)
    G = _values(rng)
    idx = rng.integers(0, SHAPE[-1], SHAPE[-1] + 5)
    for values in (G, G[:, ::-1], np.broadcast_to(G[:1], SHAPE)):
        ours = compiled.take_last(values, idx)
        assert ours.shape == (*SHAPE[:-1], idx.size)
        assert np.array_equal(ours, gathers.take_last(values, idx))
        assert np.array_equal(ours, values[..., idx])


def test_evidence_pull_is_numpys_skipped_levels_included():
    """Four evidence levels of three states each: per-sample weights on two neighbouring levels, a level no
    state reaches skipped (its zero weights not added), the first level's term always there."""
    rng = np.random.default_rng(23)
    B, blk = 4, 3
    G = _values(rng, (3, 5, 4, B * blk))
    base = rng.integers(0, blk, B * blk)
    frac = rng.uniform(0, 1, (3, B * blk))
    weights = np.zeros((3, B, B * blk))
    weights[:, 0], weights[:, 1] = 1 - frac, frac  # level 2 reached by no state, level 3 by one sample
    weights[1, 3, 5] = 0.25
    active = weights.any(axis=(0, 2))
    assert list(active) == [True, True, False, True]
    ours = compiled.evidence_pull(G, base, blk, weights, active)
    assert np.array_equal(ours, gathers.evidence_pull(G, base, blk, weights, active))
    want = (1 - frac)[:, None, None, :] * G[..., base] + frac[:, None, None, :] * G[..., base + blk]
    want[1, ..., 5] += 0.25 * G[1, ..., base[5] + 3 * blk]
    np.testing.assert_allclose(ours, want, rtol=1e-15, atol=0)


def test_strike_value_is_numpys_from_shares_and_from_bits():
    """The coercer's strike value: with response shares, and with kept bits read as the shares the planner
    unpacks them to (also a broadcast view of one sample's bits); `other` where the strike misses."""
    rng = np.random.default_rng(29)
    G = _values(rng)
    R = SHAPE[-1]
    dest = rng.integers(0, R, R)
    hit = rng.uniform(size=R) < 0.6
    retaliate = np.broadcast_to(_values(rng, (SHAPE[0], 1, SHAPE[2], 1)), SHAPE)
    escalate = np.broadcast_to(_values(rng, (SHAPE[0], 1, SHAPE[2], 1)), SHAPE)
    cost = np.broadcast_to(rng.uniform(0, 3, (SHAPE[0], 1, 1, R)), SHAPE)
    other = _values(rng)
    sigma = rng.dirichlet(np.ones(3), SHAPE).transpose(4, 0, 1, 2, 3)
    none, shares = np.zeros((0, 0, 0, 0), dtype=np.uint8), option_shares(3)
    args = (retaliate, escalate, cost, other, hit)
    ours = compiled.strike_value(G, dest, sigma, none, shares, *args)
    assert np.array_equal(ours, gathers.strike_value(G, dest, sigma, none, shares, *args))
    assert np.array_equal(ours[..., ~hit], other[..., ~hit])
    bits = rng.integers(1, 8, SHAPE).astype(np.uint8)
    no_sigma = np.zeros((3, 0, 0, 0, 0))
    from_bits = compiled.strike_value(G, dest, no_sigma, bits, shares, *args)
    assert np.array_equal(from_bits, gathers.strike_value(G, dest, no_sigma, bits, shares, *args))
    assert np.array_equal(from_bits, compiled.strike_value(G, dest, unpack_policy(bits, 3), none, shares, *args))
    one = np.broadcast_to(bits[:1], SHAPE)
    assert np.array_equal(compiled.strike_value(G, dest, no_sigma, one, shares, *args),
                          compiled.strike_value(G, dest, no_sigma, np.ascontiguousarray(one), shares, *args))


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


@pytest.mark.parametrize("weight_shape", [(1, 1, 1, SHAPE[-1]), (SHAPE[0], 1, 1, 1), SHAPE, ()])
def test_add_scaled_is_numpys(weight_shape):
    rng = np.random.default_rng(5)
    total, values = _values(rng), _values(rng)
    w = np.broadcast_to(rng.uniform(0, 1, weight_shape), SHAPE)  # a broadcast view, as `expected` passes it
    ours, ref = total.copy(), total.copy()
    compiled.add_scaled(ours, w, values)
    gathers.add_scaled(ref, w, values)
    assert np.array_equal(ours, ref)
    assert not np.array_equal(ours, total)
    first = compiled.scaled(0.0, w, values)  # a sum's first term, as add_scaled adds it to an array of zeros
    zeros = np.zeros(SHAPE)
    gathers.add_scaled(zeros, w, values)
    assert np.array_equal(first, zeros) and np.array_equal(first, gathers.scaled(0.0, w, values))
    assert np.array_equal(compiled.scaled(1.5, w, values), gathers.scaled(1.5, w, values))


def test_strike_split_is_numpys_and_keeps_the_mass():
    rng = np.random.default_rng(17)
    mass = rng.uniform(0, 1, SHAPE)
    hit = rng.uniform(size=SHAPE[-1]) < 0.6
    sigma = rng.dirichlet(np.ones(3), SHAPE).transpose(4, 0, 1, 2, 3)
    counter = np.broadcast_to(rng.uniform(0, 1, (SHAPE[0], 1, 1, 1)), SHAPE)
    none = np.zeros((0, 0, 0, 0), dtype=np.uint8), np.zeros((3, 0))
    ours = compiled.strike_split(mass, hit, sigma, *none, counter)
    for a, b in zip(ours, gathers.strike_split(mass, hit, sigma, *none, counter), strict=True):
        assert np.array_equal(a, b)
    assert np.allclose(sum(ours), mass)
    assert np.array_equal(ours[0][..., hit], np.zeros_like(mass[..., hit]))
    # kept choices as bits (ties split evenly) read as the probabilities the planner unpacks
    bits = rng.integers(1, 8, SHAPE).astype(np.uint8)
    shares, no_sigma = option_shares(3), np.zeros((3, 0, 0, 0, 0))
    from_bits = compiled.strike_split(mass, hit, no_sigma, bits, shares, counter)
    unpacked = compiled.strike_split(mass, hit, unpack_policy(bits, 3), *none, counter)
    for a, b, c in zip(from_bits, unpacked, gathers.strike_split(mass, hit, no_sigma, bits, shares, counter),
                       strict=True):
        assert np.array_equal(a, b) and np.array_equal(a, c)
    # one sample's kept bits broadcast over several samples' mass (a broadcast view, zero strides)
    one = np.broadcast_to(bits[:1], SHAPE)
    for a, b in zip(compiled.strike_split(mass, hit, no_sigma, one, shares, counter),
                    compiled.strike_split(mass, hit, no_sigma, np.ascontiguousarray(one), shares, counter), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("per_sample", [False, True])
def test_talks_push_is_numpys_and_the_adjoint_of_the_pull(per_sample):
    rng = np.random.default_rng(9)
    n, K, X = 4, 21, 30
    mass = rng.uniform(0, 1, (n, K, X))
    rows = n if per_sample else 1
    lo = rng.integers(0, K, (rows, K))
    hi = np.minimum(lo + 1, K - 1)
    w_lo = rng.uniform(0, 1, (n, K))
    w_hi = 1 - w_lo
    ours = compiled.talks_push(mass, lo, hi, w_lo, w_hi)
    assert np.array_equal(ours, gathers.talks_push(mass, lo, hi, w_lo, w_hi))
    assert np.allclose(ours.sum(axis=1), mass.sum(axis=1))
    v = _values(rng, (n, K, X))
    assert np.isclose((ours * v).sum(), (mass * compiled.talks_pull(v, lo, hi, w_lo, w_hi)).sum())


@pytest.mark.parametrize("pack", [False, True])
@pytest.mark.parametrize("mix", [False, True])
def test_month_choice_is_numpys_ties_and_commitments_included(pack, mix):
    """The spent deadline mixed in, closed actions at -inf, the best value and the bits: a commitment (entering
    a freeze, accepting a deal) is best only where no other action ties with it."""
    from brinkmanship.adversary.kernel import HAZARD_FLOOR
    from brinkmanship.adversary.planner import COMMITMENTS, best_options

    rng = np.random.default_rng(13)
    A = 9
    Q = _values(rng, (A, *SHAPE))
    freeze = int(COMMITMENTS[0])
    Q[freeze] = Q[0] - np.where(rng.uniform(size=SHAPE) < 0.5, 0.0, 0.1)  # ties between a commitment and holding
    Q[0] = Q.max(axis=0)
    Q[freeze][Q[freeze] > Q[0]] = Q[0][Q[freeze] > Q[0]]
    Q[1, ..., 4:6] = Q[2, ..., 4:6]  # and between two free actions
    spent = _values(rng, (A, *SHAPE)) if mix else np.zeros((0,) * 5)
    h_act = np.broadcast_to(rng.uniform(0, 0.5, (SHAPE[0], SHAPE[1], 1, SHAPE[3])), SHAPE)
    h_spent = np.broadcast_to(np.where(rng.uniform(size=(1, 1, 1, SHAPE[3])) < 0.5, 0.0, 0.3), SHAPE)
    avail = rng.uniform(size=(A, 1, SHAPE[1], 1, SHAPE[3])) < 0.8
    avail[[0, freeze]] = True
    avail = np.broadcast_to(avail, (A, *SHAPE))
    commit = np.isin(np.arange(A), COMMITMENTS)
    ours_Q, ref_Q = Q.copy(), Q.copy()
    args = (spent, h_act, h_spent, avail, HAZARD_FLOOR, commit, TIE_TOL, pack)
    best, bits = compiled.month_choice(ours_Q, *args)
    ref_best, ref_bits = gathers.month_choice(ref_Q, *args)
    assert np.array_equal(ours_Q, ref_Q) and np.array_equal(best, ref_best) and np.array_equal(bits, ref_bits)
    assert np.all(ours_Q[~avail] == -np.inf)
    if pack:  # the planner's own reading of the best options
        top = best_options(ours_Q, COMMITMENTS)
        for a in range(A):
            assert np.array_equal((bits >> a) & 1 == 1, top[a])
        lost = (ours_Q[freeze] >= best - TIE_TOL * (1 + np.abs(best))) & ~top[freeze]
        assert np.any(lost)  # a tie the commitment lost to holding


def _solution(korea, strategy, samples: int):
    rng = np.random.default_rng(11)
    # the rule's probability per sample: the evidence a strike brings differs per sample (`gathers.evidence_pull`)
    names = ["adversary.discount", "adversary.war_cost", "rules.two-per-launch.believed",
             "rules.two-per-launch.probability"]
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
