"""kill -9 at seeded points of `explore`, `report` and `demo`: previous outputs intact or new ones complete, and
no process left behind (workers exit with their parent)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from brinkmanship.store import open_store
from short_scenario import short_korea

from .conftest import brink_cmd, start_paused

RNG = np.random.default_rng(16)  # the kill points below are drawn once, from this seed


def _children(pid: int) -> set[int]:
    """Every descendant process id of `pid` (from /proc)."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):  # the process ended while we looked
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.add(k)
            todo.append(k)
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_and_reap(proc: subprocess.Popen, timeout: float = 20) -> set[int]:
    """kill -9 `proc`; return the descendants still alive `timeout` seconds later (none expected)."""
    family = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.2)
    left = {p for p in family if _alive(p)}
    for p in left:  # do not leak them into the rest of the suite
        os.kill(p, signal.SIGKILL)
    return left


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".tmp")}


def _complete(name: str, data: bytes) -> bool:
    """Whether an output file is whole (its format's end marker is there)."""
    if name.endswith(".html"):
        return data.rstrip().endswith(b"</html>")
    if name.endswith(".png"):
        return data.endswith(b"IEND\xaeB`\x82")
    if name.endswith(".json"):
        try:
            json.loads(data)
        except ValueError:
            return False
        return True
    if name.endswith(".csv"):
        lines = data.decode().splitlines()
        return len(lines) >= 2 and all(ln.count(",") == lines[0].count(",") for ln in lines if '"' not in ln)
    raise AssertionError(f"unexpected output {name}")


def _assert_intact_or_complete(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    assert set(before) <= set(after), "an output disappeared"
    for name, data in after.items():
        assert data == before.get(name) or _complete(name, data), f"{name} is torn ({len(data)} bytes)"


def _previous_outputs(out: Path, names: list[str]) -> dict[str, bytes]:
    """Whole files under the names a command writes, standing for a previous run's outputs (the writer does not
    read them: a kill must leave each one as it was, or replaced by a whole new file)."""
    import matplotlib.pyplot as plt

    for name in names:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".png"):
            plt.imsave(path, np.zeros((2, 2, 3)))
        else:
            path.write_text({".html": "<html><body>previous</body></html>\n", ".json": '{"previous": true}\n',
                             ".csv": "strategy,p\nprevious,1\n"}[path.suffix], encoding="utf-8")
    return _snapshot(out)


REPORT_FILES = ["report.html", "comparison.csv", "comparison.png"]
WRITES = 6  # each command writes at least this many files (the comparison's and the report's figures)


# The subject is how outputs are written, not what they say: one run each, killed at a seeded write, over whole
# files standing for the previous run's; no margins search (a third of each command's time), 4 of the lead's 64
# prior types and, for `report` (which takes a scenario file), korea-2017 on a short horizon. Each still writes
# every file it writes by default.
@pytest.mark.parametrize("command, names", [
    (["report", "SHORT", "--runs", "200", "--no-margins", "--type-count", "4"], REPORT_FILES),
    (["demo", "--runs", "200", "--no-margins", "--type-count", "4"],
     [*REPORT_FILES, "compare.json", "rational/comparison.csv", "rational/comparison.png"]),
])
def test_kill_9_while_writing_outputs_leaves_old_or_new_files(tmp_path, command, names):
    command = [str(short_korea(tmp_path)) if a == "SHORT" else a for a in command]
    out = tmp_path / "out"
    before = _previous_outputs(out, names)
    # a seeded kill point among the files the command writes: before one's content, or before its rename
    k, phase = int(RNG.integers(1, WRITES + 1)), str(RNG.choice(["before", "after"]))
    proc = start_paused([*command, "--seed", "2", "--out", str(out)], {"BRINK_TEST_PAUSE_WRITE": f"{k}:{phase}"},
                        timeout=480)
    assert not _kill_and_reap(proc)
    after = _snapshot(out)
    assert sum(after[n] != before.get(n) for n in after) >= k - 1  # the writes before the kill point are there
    _assert_intact_or_complete(before, after)


@pytest.mark.xdist_group("cluster")
def test_kill_9_of_explore_with_workers_leaves_no_process_and_whole_chunks(tmp_path):
    args = ["explore", "toy:crisis", "--samples", "3000", "--seed", "4", "--runs", "10", "--chunk-size", "2000",
            "--workers", "2", "--json"]
    db = tmp_path / "w.duckdb"
    k = int(RNG.integers(2, 10))  # seeded chunk after which the run is killed
    proc = start_paused([*args, "--db", str(db)], {"BRINK_TEST_PAUSE_CHUNK": str(k)})
    assert len(_children(proc.pid)) >= 2  # the two workers (and the pool's helper processes)
    assert not _kill_and_reap(proc), "worker processes outlived their parent"
    with open_store(db, read_only=True) as st:
        counts = st.counts()
    assert counts["chunks"] == k and counts["outcomes"] == 200 * k  # whole chunks only
    done = subprocess.run(brink_cmd(*args, "--db", str(db)), capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["chunks_skipped"] == k and summary["chunks_run"] == summary["chunks_total"] - k


@pytest.mark.xdist_group("cluster")
def test_dask_local_workers_exit_with_their_parent(tmp_path):
    pytest.importorskip("distributed", reason="Dask is a test dependency")
    args = ["explore", "toy:crisis", "--samples", "2000", "--seed", "4", "--runs", "10", "--chunk-size", "2000",
            "--dask-local", "2", "--json", "--db", str(tmp_path / "d.duckdb")]
    proc = start_paused(args, {"BRINK_TEST_PAUSE_CHUNK": "1"})
    assert len(_children(proc.pid)) >= 2
    assert not _kill_and_reap(proc, timeout=30), "Dask worker processes outlived their parent"
