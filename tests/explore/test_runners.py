"""Runners give bit-identical results: in-process, a spawn process pool, a Dask LocalCluster, any chunk size."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from brinkmanship.errors import InputError
from brinkmanship.explore.pipeline import evaluate_in_memory, run_exploration
from brinkmanship.explore.runners import DaskRunner, InProcessRunner, ProcessRunner, make_runner
from brinkmanship.explore.samplers import sample
from brinkmanship.explore.toymodel import ToyCrisisModel
from brinkmanship.store import open_store

MODEL = ToyCrisisModel()
STRATS = ["status-quo", "let-deterrence-fail"]


def _inputs(n=600):
    return sample(MODEL.parameters(), n, "lhs", seed=3)


def _same(a, b):
    for s in a:
        for k in a[s]:
            assert np.array_equal(a[s][k], b[s][k]), (s, k)


def test_chunk_size_does_not_change_results():
    inp = _inputs()
    ref = evaluate_in_memory(MODEL, inp, STRATS, runs=10, seed=1, chunk_size=10**9)
    for cs in (10, 370, 2450):
        _same(ref, evaluate_in_memory(MODEL, inp, STRATS, runs=10, seed=1, chunk_size=cs))


def test_an_experiment_does_not_depend_on_its_batch():
    inp = _inputs(50)
    ids = np.arange(50)
    full = MODEL.evaluate("status-quo", inp, ids, 20, 4)
    sub = MODEL.evaluate("status-quo", {k: v[[3, 17, 40]] for k, v in inp.items()}, ids[[3, 17, 40]], 20, 4)
    for k in full:
        assert np.array_equal(full[k][[3, 17, 40]], sub[k])


def test_runner_options_are_validated():
    with pytest.raises(InputError, match="exclude"):
        make_runner(workers=2, dask_local=2)
    with pytest.raises(InputError, match="at least 1"):
        ProcessRunner(0)
    assert isinstance(make_runner(), InProcessRunner)
    assert isinstance(make_runner(workers=1), InProcessRunner)
    assert isinstance(make_runner(scheduler="tcp://127.0.0.1:1"), DaskRunner)


def test_unreachable_scheduler_is_an_input_error():
    with pytest.raises(InputError, match="cannot reach"), DaskRunner(scheduler="tcp://127.0.0.1:9", connect_timeout=1):
        pass


@pytest.mark.xdist_group("cluster")
def test_in_process_pool_and_dask_give_identical_stores(tmp_path):
    start_method = multiprocessing.get_start_method()
    dbs = {}
    for name, runner, cs in [("inproc", InProcessRunner(), 100_000), ("pool", ProcessRunner(2), 1500),
                             ("dask", DaskRunner(local_workers=2), 900)]:
        db = tmp_path / f"{name}.duckdb"
        s = run_exploration(MODEL, 400, 5, db, runs=12, runner=runner, chunk_size=cs)
        assert s.experiments_run == 400 * 5
        dbs[name] = db
    assert multiprocessing.get_start_method() == start_method  # global method untouched
    frames = {}
    for name, db in dbs.items():
        with open_store(db, read_only=True) as st:
            frames[name] = (st.outcomes_frame(), st.experiments_frame())
    for name in ("pool", "dask"):
        assert frames[name][0].equals(frames["inproc"][0]), name
        assert frames[name][1].equals(frames["inproc"][1]), name


def test_common_stream_makes_the_output_a_function_of_the_inputs():
    inp = {k: np.repeat(v[:1], 50) for k, v in _inputs(5).items()}  # 50 copies of one world
    noisy = evaluate_in_memory(MODEL, inp, ["status-quo"], runs=10, seed=1)["status-quo"]["denuclearisation"]
    crn = evaluate_in_memory(MODEL, inp, ["status-quo"], runs=10, seed=1, common_stream=True)["status-quo"]["denuclearisation"]
    assert np.unique(noisy).size > 1  # independent streams: Monte Carlo noise between copies
    assert np.unique(crn).size == 1  # one stream: identical inputs give identical outputs
