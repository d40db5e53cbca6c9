"""Invariants of the simulator: conservation of runs, absorbing phases stay absorbed, finite target lists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brinkmanship.engine import OUTCOMES, PHASES, simulate
from brinkmanship.engine.chunk import sample_categorical
from brinkmanship.engine.constants import ABSORBING, CRISIS, PEACE
from brinkmanship.engine.dynamics import allocate_strikes, strike_order

NAMES = ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"]


@pytest.fixture(scope="module")
def results(korea, strategies):
    return {n: simulate(korea, strategies[n], runs=4000, seed=11) for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_outcome_shares_sum_to_one_every_month(results, name):
    res = results[name]
    counts = res.timeline["outcome_counts"]
    assert counts.shape == (res.horizon + 1, len(OUTCOMES))
    assert (counts.sum(axis=1) == res.runs).all()
    assert res.outcome_shares().sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_no_run_leaves_an_absorbing_phase(results, name):
    trans = results[name].transitions
    for p in ABSORBING:
        assert trans[p].sum() == 0, f"runs left absorbing phase {PHASES[p]}"
    # conflicts only grow month by month (a freeze or a deal can break)
    counts = results[name].timeline["outcome_counts"]
    absorbing_cols = [OUTCOMES.index(o) for o in ("limited_conflict", "major_war", "nuclear_war")]
    assert (np.diff(counts[:, absorbing_cols], axis=0) >= 0).all()


@pytest.mark.parametrize("name", NAMES)
def test_final_phase_and_resolution_month_agree(results, name):
    o = results[name].outcomes
    open_runs = np.isin(o["final_phase"], [PEACE, CRISIS])
    assert (o["month_resolved"][open_runs] == -1).all()
    assert (o["month_resolved"][~open_runs] >= 1).all()
    assert (o["month_resolved"] <= results[name].horizon).all()


def test_strikes_never_exceed_the_target_list(results, strategies):
    o = results["let-deterrence-fail"].outcomes
    hv = strategies["let-deterrence-fail"].target_lists["high_value"].classes
    assert (o["strikes_military"] <= hv["military"]).all()
    assert (o["strikes_leadership"] <= hv["leadership"]).all()
    assert (o["strikes_military"] + o["strikes_leadership"] <= 30).all()
    assert o["strikes_military"].max() > 0  # the rule really fires


def test_nuclear_war_has_detonations_and_others_none(results):
    o = results["let-deterrence-fail"].outcomes
    nuclear = o["final_phase"] == PHASES.index("nuclear_war")
    assert nuclear.any()
    assert (o["detonations"][nuclear] >= 1).all()
    assert (o["detonations"][~nuclear] == 0).all()
    assert (o["warheads"] >= 0).all()


def test_civilian_strikes_only_under_the_city_rule(results):
    assert results["let-deterrence-fail"].outcomes["strikes_civilian_population"].sum() > 0
    for name in NAMES[1:]:
        assert results[name].outcomes["strikes_civilian_population"].sum() == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=4, max_size=4), st.integers(0, 48), st.integers(0, 60))
def test_allocate_strikes_respects_what_is_left(composition, struck, want):
    comp = np.array(composition, dtype=np.int64)
    order = strike_order(comp)
    struck = min(struck, int(comp.sum()))
    left = (comp - order[struck])[:, None]
    assert (left >= 0).all()
    take = np.minimum(np.array([want]), left.sum(axis=0))
    alloc = allocate_strikes(take, left, order)
    assert (alloc >= 0).all()
    assert (alloc <= left).all()
    assert alloc.sum() == take[0]
    # the split depends only on how many were struck, not on how the strikes were grouped
    half = take // 2
    first = allocate_strikes(half, left, order)
    second = allocate_strikes(take - half, left - first, order)
    assert np.array_equal(first + second, alloc)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=9).filter(lambda p: sum(p) > 1e-6),
       st.floats(0, 0.999999))
def test_categorical_draw_never_picks_an_empty_category(p, u):
    probs = np.array(p)[:, None]
    k = sample_categorical(probs, np.array([u]))[0]
    assert probs[k, 0] > 0
