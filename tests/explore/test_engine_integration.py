"""End to end on the crisis engine (`korea-2017`): resume after kill -9, identical results on every runner.

Skipped until `brinkmanship.engine.experiments` exists.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess

import numpy as np
import pytest

from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.store import open_store

from .conftest import brink_cmd, start_paused

pytestmark = pytest.mark.skipif(importlib.util.find_spec("brinkmanship.engine.experiments") is None,
                                reason="the crisis engine's experiments interface is not there yet")

SCENARIO = "korea-2017"
# a broad subset of the scenario's uncertainties for the machinery tests (the contract test covers all)
VARY = "war.*,base_rate.*,escalation.*,talks.*,adversary.*,arsenal.*,invasion.*,initial.warheads"


def _frames(db):
    with open_store(db, read_only=True) as st:
        return st.outcomes_frame(), st.experiments_frame(), st.counts()


def test_engine_contract_is_batch_independent():
    from brinkmanship.explore.models import EngineModel
    from brinkmanship.explore.parameters import select_parameters
    from brinkmanship.explore.samplers import sample

    evaluate_experiments = importlib.import_module("brinkmanship.engine.experiments").evaluate_experiments
    model = EngineModel(SCENARIO)
    params = select_parameters(model.parameters(), VARY)
    inputs = sample(params, 40, "lhs", seed=2)
    ids = np.arange(1000, 1040)
    pick = np.array([0, 7, 39])
    for name in model.strategy_names():
        strategy = model._strategy(name)
        full = evaluate_experiments(model.scenario, strategy, inputs, ids, 30, 5)
        part = evaluate_experiments(model.scenario, strategy, {k: v[pick] for k, v in inputs.items()}, ids[pick],
                                    30, 5)
        probs = np.stack([full[k] for k in OUTCOMES])
        assert np.allclose(probs.sum(axis=0), 1.0)
        for k in model.outcome_names:
            assert full[k].shape == (40,)
            assert np.array_equal(full[k][pick], part[k]), (name, k)


def test_every_declared_uncertainty_can_be_varied_per_experiment():
    from brinkmanship.explore.models import EngineModel
    from brinkmanship.explore.samplers import sample

    model = EngineModel(SCENARIO)
    params = model.parameters()
    assert params and all(p.low <= p.high for p in params)
    inputs = sample(params, 6, "lhs", seed=1)
    failing = []
    for name in model.strategy_names():
        try:
            model.evaluate(name, inputs, np.arange(6), 2, 1)
            continue
        except Exception as exc:
            failing.append(f"{name}: {type(exc).__name__}: {str(exc)[:80]}")
        if len(failing) > 1:
            continue
        for p in params:  # name the culprits (for the first failing strategy)
            try:
                model.evaluate(name, {p.name: inputs[p.name]}, np.arange(6), 2, 1)
            except Exception as exc:
                failing.append(f"{name}/{p.name}: {type(exc).__name__}: {str(exc)[:60]}")
    assert not failing, "engine cannot vary these per experiment:\n" + "\n".join(failing)


@pytest.mark.xdist_group("cluster")
def test_runners_give_bit_identical_stores_on_the_engine(tmp_path):
    from brinkmanship.explore.models import EngineModel
    from brinkmanship.explore.pipeline import run_exploration
    from brinkmanship.explore.runners import DaskRunner, InProcessRunner, ProcessRunner

    model = EngineModel(SCENARIO)
    frames = {}
    for name, runner, cs in [("inproc", InProcessRunner(), 100_000), ("pool", ProcessRunner(2), 3000),
                             ("dask", DaskRunner(local_workers=2), 2000)]:
        db = tmp_path / f"{name}.duckdb"
        run_exploration(model, 200, 3, db, runs=20, runner=runner, chunk_size=cs, vary=VARY)
        frames[name] = _frames(db)
    n_strategies = len(model.strategy_names())
    assert frames["inproc"][2]["outcomes"] == 200 * n_strategies
    for name in ("pool", "dask"):
        assert frames[name][0].equals(frames["inproc"][0]), name
        assert frames[name][1].equals(frames["inproc"][1]), name


ARGS = ["explore", SCENARIO, "--samples", "600", "--seed", "21", "--runs", "10", "--chunk-size", "2000",
        "--vary", VARY]


def _run(db):
    out = subprocess.run(brink_cmd(*ARGS, "--db", str(db), "--json"), capture_output=True, text=True, timeout=300,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.xdist_group("cluster")
def test_kill_9_then_resume_on_the_engine(tmp_path):
    ref = tmp_path / "ref.duckdb"
    full = _run(ref)
    total = full["chunks_total"]
    assert full["chunks_run"] == total and total >= 10

    # deterministic kill point: the exploration pauses once its ledger holds 4 chunks, then gets kill -9
    db = tmp_path / "killed.duckdb"
    proc = start_paused([*ARGS, "--db", str(db), "--json"], {"BRINK_TEST_PAUSE_CHUNK": "4"})
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = _frames(db)[2]
    assert partial["chunks"] == 4 and partial["outcomes"] < full["n_experiments"] * len(full["strategies"])

    resumed = _run(db)
    assert resumed["resumed"] is True
    assert resumed["chunks_skipped"] == partial["chunks"] and resumed["chunks_run"] == total - partial["chunks"]
    assert resumed["experiments_run"] == full["experiments_run"] - partial["outcomes"]
    a, b = _frames(ref), _frames(db)
    assert a[2] == b[2]
    assert a[1].equals(b[1]) and a[0].equals(b[0])
    assert not b[0].duplicated(["strategy", "experiment_id"]).any()

    # the analyses read the engine's store
    from typer.testing import CliRunner

    from brinkmanship.cli import app

    rob = CliRunner().invoke(app, ["robustness", "--db", str(db), "--threshold", "major_war<0.05 and warheads<30",
                                   "--json"])
    assert rob.exit_code == 0, rob.output
    assert len(json.loads(rob.stdout)["strategies"]) == len(full["strategies"])


def test_every_declared_uncertainty_can_be_varied_with_the_rational_adversary():
    """Exact planner outcomes for a batch of worlds in which every declared uncertainty moves at once."""
    from brinkmanship.explore.models import EngineModel
    from brinkmanship.explore.samplers import sample

    model = EngineModel(SCENARIO, adversary="rational", strategies=["let-deterrence-fail", "limited-strike"])
    inputs = sample(model.parameters(), 3, "lhs", seed=2)
    for name in model.strategy_names():
        out = model.evaluate(name, inputs, np.arange(3), 1, 1)
        probs = np.stack([out[k] for k in OUTCOMES])
        assert np.allclose(probs.sum(axis=0), 1.0), name
        assert ((probs >= -1e-12) & (probs <= 1 + 1e-12)).all(), name
