"""Rational-adversary exploration splits by parameter samples: the store is the same bits whether a strategy's
samples are one chunk or many, on one process or two, and after a kill -9 and a resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest

from brinkmanship.explore.design import plan_chunks
from brinkmanship.explore.models import EXACT_RUNS_PER_SAMPLE, EngineModel
from brinkmanship.explore.pipeline import chunk_runs, run_exploration
from brinkmanship.explore.runners import InProcessRunner, ProcessRunner
from brinkmanship.store import open_store
from short_scenario import short_korea

from .conftest import brink_cmd, start_paused

SCENARIO = "korea-2017"  # packaged: the chunk arithmetic below; the solves run on its short-horizon copy
# the strategy with learned credibility (the large grid) and one with a deadline, both with rules or deadlines
STRATEGIES = ["let-deterrence-fail", "limited-strike"]
SAMPLES = 10


@pytest.fixture(scope="module")
def short(tmp_path_factory) -> str:
    """korea-2017 on a 16-month horizon (the same grid per month, fewer months): the subject is how the store
    is split, not the numbers."""
    return str(short_korea(tmp_path_factory.mktemp("scenario")))


def _frames(db):
    with open_store(db, read_only=True) as st:
        return st.outcomes_frame(), st.experiments_frame(), st.counts()


def test_a_planner_sample_counts_as_a_fixed_number_of_runs_whatever_runs_says():
    rational, base = EngineModel(SCENARIO, "rational"), EngineModel(SCENARIO)
    assert chunk_runs(rational, 50) == chunk_runs(rational, 1) == EXACT_RUNS_PER_SAMPLE
    assert chunk_runs(base, 50) == 50
    # 100,000 worlds with the default chunk size: 100 chunks per strategy, not one
    assert len(plan_chunks(100_000, ["s"], chunk_runs(rational, 50), 100_000)) == 100


@pytest.mark.xdist_group("cluster")
def test_rational_store_is_identical_split_by_samples_or_not(tmp_path, short):
    model = EngineModel(short, "rational", STRATEGIES)
    frames, summaries = {}, {}
    for name, runner, chunk in [("whole", InProcessRunner(), 10**9), ("split", InProcessRunner(), 300),
                                ("two processes", ProcessRunner(2), 400)]:
        db = tmp_path / f"{name}.duckdb"
        summaries[name] = run_exploration(model, SAMPLES, 4, db, runs=50, runner=runner, chunk_size=chunk,
                                          adversary="rational")
        frames[name] = _frames(db)
    assert summaries["whole"].chunks_total == len(STRATEGIES)
    assert summaries["split"].chunks_total == 4 * len(STRATEGIES)  # 3 + 3 + 3 + 1 samples
    assert summaries["two processes"].chunks_total == 3 * len(STRATEGIES)
    ref = frames["whole"]
    assert ref[2]["outcomes"] == SAMPLES * len(STRATEGIES)
    assert ref[0]["major_war"].notna().all() and (ref[0]["buildup"] < 1).any()  # solved, not placeholders
    for name in ("split", "two processes"):
        assert frames[name][0].equals(ref[0]), name
        assert frames[name][1].equals(ref[1]), name


ARGS = ["explore", "SHORT", "--adversary", "rational", "--samples", "12", "--seed", "5",
        "--strategies", ",".join(STRATEGIES), "--chunk-size", str(3 * EXACT_RUNS_PER_SAMPLE)]


def _args(short: str) -> list[str]:
    return [short if a == "SHORT" else a for a in ARGS]


def _run(db, short):
    out = subprocess.run(brink_cmd(*_args(short), "--db", str(db), "--json"), capture_output=True, text=True, timeout=600,
                         check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.xdist_group("cluster")
def test_rational_kill_9_then_resume_equals_uninterrupted_run(tmp_path, short):
    ref = tmp_path / "ref.duckdb"
    full = _run(ref, short)
    assert full["chunks_run"] == full["chunks_total"] == 4 * len(STRATEGIES)

    db = tmp_path / "killed.duckdb"
    proc = start_paused([*_args(short), "--db", str(db), "--json"], {"BRINK_TEST_PAUSE_CHUNK": "3"}, timeout=600)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = _frames(db)[2]
    assert partial["chunks"] == 3 and partial["outcomes"] == 9

    resumed = _run(db, short)
    assert resumed["resumed"] is True
    assert resumed["chunks_skipped"] == 3 and resumed["chunks_run"] == full["chunks_total"] - 3
    a, b = _frames(ref), _frames(db)
    assert a[2] == b[2]
    assert a[1].equals(b[1]) and a[0].equals(b[0])
    assert not b[0].duplicated(["strategy", "experiment_id"]).any()
