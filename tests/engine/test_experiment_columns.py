"""An exploration's experiments share their parameters among their runs: the fused kernel reads one column per
experiment (`run_chunk(..., repeat=runs)`), and gives the same bits as the parameters repeated per run, in
either kernel."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.decision import get_decision_model
from brinkmanship.engine.experiments import evaluate_experiments
from brinkmanship.engine.simulate import run_chunk, stream_sizes
from brinkmanship.engine.streams import Streams
from brinkmanship.explore.models import EngineModel
from brinkmanship.explore.samplers import sample

RUNS, SEED = 15, 11
FIELDS = ("outcome", "deaths", "warheads", "strikes_civilian_population", "month_resolved")


@pytest.fixture(scope="module")
def world():
    model = EngineModel("korea-2017")
    inputs = sample(model.parameters(), 24, "lhs", seed=4)
    return model, inputs, np.arange(100, 124)


@pytest.mark.parametrize("name", ["let-deterrence-fail", "limited-strike"])
def test_columns_per_experiment_equal_parameters_repeated_per_run(world, name):
    model, inputs, ids = world
    strategy = model._strategy(name)
    per_experiment = compile_model(model.scenario, strategy, inputs)
    per_run = compile_model(model.scenario, strategy, {k: np.repeat(v, RUNS) for k, v in inputs.items()})
    streams = lambda: Streams.for_blocks(SEED, ids, RUNS, *stream_sizes(per_run))  # noqa: E731
    base = get_decision_model("base-rate")
    ref = run_chunk(per_run, base, SEED, 0, ids.size * RUNS, streams=streams(), kernel="numpy").outcomes()
    for kernel in ("fused", "numpy"):
        got = run_chunk(per_experiment, base, SEED, 0, ids.size * RUNS, streams=streams(), kernel=kernel,
                        repeat=RUNS).outcomes()
        for f in FIELDS:
            assert np.array_equal(got[f], ref[f]), (kernel, f)
    assert len(np.unique(ref["outcome"])) > 1  # the worlds differ: a column mix-up would show


def test_exploration_outcomes_equal_in_both_kernels(world):
    model, inputs, ids = world
    strategy = model._strategy("maximum-pressure")
    fused = evaluate_experiments(model.scenario, strategy, inputs, ids, RUNS, SEED, kernel="fused")
    numpy = evaluate_experiments(model.scenario, strategy, inputs, ids, RUNS, SEED, kernel="numpy")
    for k, v in fused.items():
        assert np.array_equal(v, numpy[k], equal_nan=True), k
