"""Resume after Ctrl-C and after a real `kill -9` of `brink explore` (at pause points, so deterministic): the
final store equals an uninterrupted run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import numpy as np
import pytest

from brinkmanship.store import open_store

from .conftest import brink_cmd, start_paused

ARGS = ["explore", "toy:crisis", "--samples", "12000", "--seed", "9", "--runs", "10", "--chunk-size", "10000"]
CHUNKS = 60  # 12000 worlds / 1000 per chunk x 5 strategies


def _run(db, *extra, timeout=120):
    out = subprocess.run(brink_cmd(*ARGS, "--db", str(db), "--json", *extra), capture_output=True, text=True,
                         timeout=timeout, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _frames(db):
    with open_store(db, read_only=True) as st:
        return st.outcomes_frame(), st.experiments_frame(), st.counts(), st.ledger()


def _interrupt(db, sig, chunks):
    """Start the exploration, let it commit `chunks` chunks and pause (a test hook), then send `sig`."""
    proc = start_paused([*ARGS, "--db", str(db), "--json"], {"BRINK_TEST_PAUSE_CHUNK": str(chunks)})
    try:
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err


@pytest.mark.xdist_group("cluster")
def test_ctrl_c_and_kill_9_then_resume_equals_uninterrupted_run(tmp_path):
    ref = tmp_path / "ref.duckdb"
    full = _run(ref, "--workers", "2")  # the reference runs in two processes, the others in one
    assert full["chunks_run"] == full["chunks_total"] == CHUNKS and "2 processes" in full["runner"]

    db = tmp_path / "killed.duckdb"
    # Ctrl-C after 7 chunks: exit code 130, one line, whole chunks kept
    rc, err = _interrupt(db, signal.SIGINT, 7)
    assert rc == 130 and "interrupted" in err and "Traceback" not in err
    first = _frames(db)[2]
    assert first["chunks"] == 7 and first["outcomes"] == first["chunks"] * 1000

    # resume, and kill -9 it after 11 more chunks
    rc, _ = _interrupt(db, signal.SIGKILL, 11)
    assert rc == -signal.SIGKILL
    partial = _frames(db)[2]
    assert partial["chunks"] == 18, (first, partial)
    assert partial["outcomes"] == partial["chunks"] * 1000  # only whole chunks were committed

    resumed = _run(db)
    assert resumed["resumed"] is True
    assert resumed["chunks_skipped"] == partial["chunks"]  # nothing committed is recomputed
    assert resumed["chunks_run"] == CHUNKS - partial["chunks"]
    assert resumed["experiments_run"] == 60_000 - partial["outcomes"]

    a, b = _frames(ref), _frames(db)
    assert a[2] == b[2] == {"experiments": 12000, "outcomes": 60_000, "chunks": CHUNKS}
    assert a[1].equals(b[1])
    assert a[0].equals(b[0])  # bit-identical outcomes, no duplicates, nothing missing
    assert a[3] == b[3]  # the same chunks in the ledger
    assert not a[0].duplicated(["strategy", "experiment_id"]).any()
    assert np.array_equal(np.sort(b[0]["experiment_id"].unique()), np.arange(12000))
