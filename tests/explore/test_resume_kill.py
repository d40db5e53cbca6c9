"""Resume after Ctrl-C and after a real `kill -9` of `brink explore`: the final store equals an uninterrupted run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from brinkmanship.store import open_store

from .conftest import brink_cmd

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


def _interrupt(db, sig, wal_bytes):
    """Start the exploration, wait until its WAL holds `wal_bytes` of committed work, send `sig`."""
    wal = db.with_name(db.name + ".wal")
    proc = subprocess.Popen(brink_cmd(*ARGS, "--db", str(db), "--json"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > wal_bytes:
                break
            time.sleep(0.005)
        assert proc.poll() is None, "exploration finished before it could be interrupted"
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
    # Ctrl-C after the experiments table (~1 MB) and some chunks: exit code 130, one line, whole chunks kept
    rc, err = _interrupt(db, signal.SIGINT, 2_000_000)
    assert rc == 130 and "interrupted" in err and "Traceback" not in err
    first = _frames(db)[2]
    assert 0 < first["chunks"] < CHUNKS and first["outcomes"] == first["chunks"] * 1000

    # resume, and kill -9 it once more chunks are committed (the WAL restarts empty after a clean close)
    rc, _ = _interrupt(db, signal.SIGKILL, 1_000_000)
    assert rc == -signal.SIGKILL
    partial = _frames(db)[2]
    assert first["chunks"] < partial["chunks"] < CHUNKS, (first, partial)
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
