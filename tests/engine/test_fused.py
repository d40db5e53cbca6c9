"""The fused kernel against the NumPy reference: the same bits for packaged and generated strategies, whatever
the chunk size or thread count; the counter-based generator against its published vectors; the fallback
to the reference for what the kernel does not implement."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.engine import fmath, fused
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.decision import BaseRatePolicy
from brinkmanship.engine.philox import philox4x32, uniforms
from brinkmanship.engine.simulate import OUTCOME_FIELDS, kernel_for, simulate
from brinkmanship.engine.streams import Streams
from brinkmanship.errors import InputError
from strategy_draws import drawn_strategy

pytest.importorskip("numba", reason="the fused kernel needs numba (a project dependency)")

FLAGSHIP = ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"]

# Random123's known-answer vectors of Philox4x32-10 (counter, key, output)
KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((0xFFFFFFFF,) * 4, (0xFFFFFFFF,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]


@pytest.fixture(scope="module")
def fixed(korea):
    """The scenario with credibility a fixed input (no learning from the coercer's record): every packaged
    strategy then runs in the fused kernel; learned credibility runs the reference (tested below)."""
    return korea.model_copy(update={"credibility": None})


def same(a, b) -> None:
    """Identical outcome arrays, monthly tallies and transitions."""
    for k in OUTCOME_FIELDS:
        assert a.outcomes[k].dtype == b.outcomes[k].dtype, k
        assert np.array_equal(a.outcomes[k], b.outcomes[k]), k
    for k in ("outcome_counts", "warheads_q", "action_counts"):
        assert np.array_equal(a.timeline[k], b.timeline[k]), k
    assert a.timeline.keys() == b.timeline.keys()
    for k, v in a.timeline.get("credibility", {}).items():  # learned credibility's tallies, to the bit
        assert np.array_equal(v, b.timeline["credibility"][k], equal_nan=True), k
    assert np.array_equal(a.transitions, b.transitions)


@pytest.mark.parametrize(("counter", "key", "expected"), KAT)
def test_philox_matches_the_published_vectors_in_numpy_and_numba(counter, key, expected):
    assert tuple(int(np.asarray(w)) for w in philox4x32(*counter, *key)) == expected
    k = fused.kernel()
    keys = k.round_keys(np.uint64(key[0]), np.uint64(key[1]))
    assert tuple(int(w) for w in k.philox4x32(*(np.uint64(c) for c in counter), keys)) == expected


def test_numba_draws_the_numpy_uniforms():
    k = fused.kernel()
    runs = np.array([0, 1, 2**32 + 5, 123456789], dtype=np.uint64)
    key = (0x1234, 0x9876)
    ref = uniforms(key, runs & np.uint64(0xFFFFFFFF), runs >> np.uint64(32), 7, 7)
    keys = k.round_keys(np.uint64(key[0]), np.uint64(key[1]))
    for i, r in enumerate(runs):
        out = np.empty(8)
        k.philox_uniforms(np.uint64(int(r) & 0xFFFFFFFF), np.uint64(int(r) >> 32), 7, keys, out, 7)
        assert np.array_equal(out[:7], ref[:, i])


def test_a_runs_numbers_depend_on_nothing_else():
    whole = Streams(4, 0, 50, 10, 7)
    part = Streams(4, 20, 30, 10, 7)
    assert np.array_equal(whole.initial[:, 20:30], part.initial)
    assert np.array_equal(whole.month_at(5)[:, 20:30], part.month_at(5))
    assert np.array_equal(whole.month_at(5, np.array([3, 40])), whole.month_at(5)[:, [3, 40]])
    assert not np.array_equal(whole.month_at(5), whole.month_at(6))
    assert not np.array_equal(whole.initial, whole.phase_uniforms(10))
    assert ((whole.initial >= 0) & (whole.initial < 1)).all()


def test_portable_exp_and_log_agree_with_the_c_library_and_with_numba():
    k = fused.kernel()
    x = np.concatenate([np.linspace(-60, 60, 2001), [0.0, -1e-300, 1e-300, 709.0, -700.0]])
    ex = fmath.exp(x)
    assert ex[2001] == 1.0
    for i in range(0, x.size, 7):
        assert ex[i] == fmath.exp_scalar(float(x[i])) == k.exp(float(x[i]))
        assert ex[i] == pytest.approx(math.exp(x[i]), rel=4e-16)
    y = np.concatenate([np.exp(np.linspace(-40, 40, 999)), [2.0**-32, 1.0, 0.5, 2.0]])
    lg = fmath.log(y)
    assert lg[-3] == 0.0
    for i in range(0, y.size, 5):
        assert lg[i] == fmath.log_scalar(float(y[i])) == k.log(float(y[i]))
        assert lg[i] == pytest.approx(math.log(y[i]), rel=4e-16, abs=4e-16)


@pytest.mark.parametrize("name", FLAGSHIP)
def test_fused_equals_numpy_on_the_packaged_strategies(fixed, strategies, name):
    a = simulate(fixed, strategies[name], runs=4000, seed=13, kernel="numpy")
    b = simulate(fixed, strategies[name], runs=4000, seed=13, kernel="fused")
    assert (a.extra["kernel"], b.extra["kernel"]) == ("numpy", "fused")
    same(a, b)


def test_fused_equals_numpy_with_per_run_parameters(fixed, strategies):
    """Exploration's case: every parameter may differ by run (the kernel reads them per run)."""
    st_ = strategies["let-deterrence-fail"]
    rng = np.random.default_rng(0)
    n = 3000
    over = {"rules.two-per-launch.believed": rng.uniform(0, 1, n), "war.conventional_deaths": rng.uniform(1e4, 1e6, n),
            "base_rate.missile_test": rng.normal(0, 1, n), "posture.target": rng.uniform(0, 1, n),
            "arsenal.delivery_gain_per_test": rng.uniform(0.05, 0.5, n), "deadlines.congressional-decision.probability":
            rng.uniform(0, 1, n)}
    a = simulate(fixed, st_, runs=n, seed=2, overrides=over, kernel="numpy")
    b = simulate(fixed, st_, runs=n, seed=2, overrides=over, kernel="fused")
    assert b.extra["kernel"] == "fused"
    same(a, b)


def test_results_do_not_depend_on_chunk_size_or_threads(fixed, strategies):
    import numba

    st_ = strategies["let-deterrence-fail"]
    runs = 2500
    ref = simulate(fixed, st_, runs=runs, seed=21, kernel="numpy", chunk_size=1_000)
    for chunk in (1_000, 100_000, 1_000_000):
        same(ref, simulate(fixed, st_, runs=runs, seed=21, kernel="numpy", chunk_size=chunk))
        same(ref, simulate(fixed, st_, runs=runs, seed=21, kernel="fused", chunk_size=chunk))
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            same(ref, simulate(fixed, st_, runs=runs, seed=21, kernel="fused"))
    finally:
        numba.set_num_threads(before)


def test_experiments_match_across_kernels(fixed, strategies):
    """Exploration's batches (one random block per experiment) give the same numbers in both kernels."""
    from brinkmanship.engine.experiments import evaluate_experiments

    over = {"rules.two-per-launch.believed": np.array([0.1, 0.5, 0.9]), "talks.offer": np.array([0.2, 0.4, 0.8])}
    args = (fixed, strategies["let-deterrence-fail"], over, np.array([4, 9, 2]), 300, 3)
    a = evaluate_experiments(*args, kernel="numpy")
    b = evaluate_experiments(*args, kernel="fused")
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(a[k], b[k]), k
    alone = evaluate_experiments(fixed, strategies["let-deterrence-fail"], {k: v[1:2] for k, v in over.items()},
                                 np.array([9]), 300, 3, kernel="fused")
    for k in b:
        assert alone[k][0] == b[k][1], k


# -- generated strategies (tests/strategy_draws.py, shared with the planner's identity tests) --------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), seed=st.integers(0, 2**40))
def test_fused_equals_numpy_on_generated_strategies(korea, fixed, strategies, data, seed):
    scenario = korea if data.draw(st.booleans()) else fixed  # credibility learned, or a fixed input
    strategy = data.draw(drawn_strategy(scenario, strategies[data.draw(st.sampled_from(FLAGSHIP))]))
    runs = data.draw(st.integers(1, 400))
    b = simulate(scenario, strategy, runs=runs, seed=seed, kernel="fused")
    assert b.extra["kernel"] == "fused"
    same(simulate(scenario, strategy, runs=runs, seed=seed, kernel="numpy"), b)


# -- fallback ----------------------------------------------------------------------------------------------

def test_phases_fall_back_to_the_reference_and_say_so(korea):
    from brinkmanship.spec import load_strategy

    st_ = load_strategy("pressure-then-summit", korea)
    res = simulate(korea, st_, runs=300, seed=1, kernel="fused")
    assert res.extra["kernel"] == "numpy"
    assert "phases" in res.extra["kernel_fallback"]
    same(res, simulate(korea, st_, runs=300, seed=1, kernel="numpy"))


@pytest.mark.parametrize("name", FLAGSHIP)
def test_learned_credibility_runs_fused_with_the_same_tallies(korea, strategies, name):
    """With the scenario's learned credibility (evidence from each rule's and deadline's execution, the
    evidence levels rounded from their own Philox word), the kernel keeps the same tallies as the reference."""
    a = simulate(korea, strategies[name], runs=1500, seed=4, kernel="numpy")
    b = simulate(korea, strategies[name], runs=1500, seed=4, kernel="fused")
    assert b.extra["kernel"] == "fused"
    same(a, b)
    if name == "let-deterrence-fail":
        assert np.nansum(b.timeline["credibility"]["exact"]) > 0


def test_other_decision_models_fall_back(korea, strategies):
    class Subclass(BaseRatePolicy):
        name = "my-model"

    c = compile_model(korea, strategies["engagement"])
    assert kernel_for(c, BaseRatePolicy()) == ("fused", None)
    used, why = kernel_for(c, Subclass())
    assert used == "numpy" and "my-model" in why
    res = simulate(korea, strategies["engagement"], runs=200, seed=1, adversary=Subclass(), kernel="fused")
    assert res.extra["kernel"] == "numpy"


def test_without_numba_the_reference_runs(korea, strategies, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "numba" else real(name, *a))
    res = simulate(korea, strategies["engagement"], runs=200, seed=1, kernel="fused")
    assert res.extra == {"kernel": "numpy", "kernel_fallback": "numba is not installed"}


def test_a_model_the_kernel_does_not_know_falls_back(korea, strategies, monkeypatch):
    """New mechanisms in the reference (a new monthly draw, a new section of numbers) send the simulation to
    the reference until the kernel implements them: never a silent wrong answer."""
    c = compile_model(korea, strategies["engagement"])
    assert fused.unsupported(c, BaseRatePolicy()) is None
    monkeypatch.setattr(fused, "K_MONTH_FIXED", len(fused.KNOWN_MONTH_SLOTS) + 2)
    assert "draws the kernel does not know" in fused.unsupported(c, BaseRatePolicy())
    monkeypatch.undo()
    grown = dataclasses.replace(c, values={**c.values, "aftermath.rebuilding": 0.01})  # a section it does not read
    assert "aftermath" in fused.unsupported(grown, BaseRatePolicy())


def test_an_unknown_kernel_is_an_input_error(korea, strategies):
    with pytest.raises(InputError, match="kernel"):
        simulate(korea, strategies["engagement"], runs=10, kernel="cuda")


def test_the_compiled_code_is_cached_outside_the_source_tree():
    import brinkmanship

    assert brinkmanship.__file__ is not None
    src = fused.cache_dir().resolve()
    assert not str(src).startswith(str(fused.Path(brinkmanship.__file__).parent.resolve()))


def test_the_cache_directory_holds_even_when_numba_was_imported_first():
    """Numba reads NUMBA_CACHE_DIR once, at its import (here, the module's importorskip): the kernel's cache
    still goes to the user's cache directory, never next to the source."""
    import numba

    fused.kernel()
    assert numba.config.CACHE_DIR
    assert not numba.config.CACHE_DIR.startswith(str(fused.Path(fused.__file__).parent))
