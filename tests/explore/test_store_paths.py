"""Store paths: only a regular file or a new name in an existing folder; nothing given is ever deleted or
replaced; a damaged store is one line (file, what is wrong, fix) with exit 2 in every command that reads it."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pytest
from typer.testing import CliRunner

from brinkmanship.errors import InputError
from brinkmanship.explore.pipeline import run_exploration
from brinkmanship.explore.toymodel import ToyCrisisModel
from brinkmanship.store import open_store

EXPLORE = ["explore", "toy:crisis", "--samples", "40", "--runs", "5", "--json"]


def _invoke(cli_app, *args):
    return CliRunner().invoke(cli_app, list(args))


def _one_line_refusal(res, *words):
    assert res.exit_code == 2, res.output
    text = res.output.strip()
    if text.startswith("{"):  # with --json the error is one JSON object (README), its one-line text inside
        err = json.loads(text)["error"]
        assert err["kind"] == "input", err
        text = err["text"]
    assert "Traceback" not in text and "failed:" not in text
    assert len(text.splitlines()) == 1, text
    for w in words:
        assert w in text, text


def _special_paths(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    to_null = tmp_path / "null-link"
    to_null.symlink_to(os.devnull)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    empty = tmp_path / "empty.duckdb"
    empty.touch()
    return {"fifo": (fifo, "FIFO"), "device": (to_null, "device"), "directory": (tmp_path, "directory"),
            "dangling symlink": (dangling, "symlink"), "empty file": (empty, "empty file"),
            "missing folder": (tmp_path / "no" / "such.duckdb", "does not exist")}


@pytest.mark.parametrize("kind", ["fifo", "device", "directory", "dangling symlink", "empty file", "missing folder"])
def test_special_store_paths_are_refused_and_left_alone(cli_app, tmp_path, kind):
    path, words = _special_paths(tmp_path)[kind]
    before = {p.name: (p.lstat().st_mode, p.lstat().st_ino) for p in tmp_path.iterdir()}
    res = _invoke(cli_app, *EXPLORE, "--db", str(path))
    _one_line_refusal(res, words)
    after = {p.name: (p.lstat().st_mode, p.lstat().st_ino) for p in tmp_path.iterdir()}
    assert after == before  # nothing deleted, replaced or created
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def _damaged_stores(tmp_path):
    """A real store damaged in several ways: truncated at several points, garbled blocks, a garbled WAL."""
    good = tmp_path / "good.duckdb"
    run_exploration(ToyCrisisModel(), 300, 3, good, runs=5, chunk_size=500)
    data = good.read_bytes()
    out = {}
    for frac in (0.05, 0.3, 0.6, 0.9):
        p = tmp_path / f"cut{int(frac * 100)}.duckdb"
        p.write_bytes(data[:max(4096 + 16, int(len(data) * frac))])
        out[f"truncated at {frac:.0%}"] = p
    rng = np.random.default_rng(1)
    garbled = bytearray(data)
    for off in range(8192, len(garbled), 4096):
        garbled[off:off + 32] = rng.integers(0, 256, 32, dtype=np.uint8).tobytes()
    p = tmp_path / "garbled.duckdb"
    p.write_bytes(bytes(garbled))
    out["garbled blocks"] = p
    header = bytearray(data)
    header[4096 + 8:4096 + 200] = rng.integers(0, 256, 192, dtype=np.uint8).tobytes()
    p = tmp_path / "header.duckdb"
    p.write_bytes(bytes(header))
    out["garbled database header"] = p
    p = tmp_path / "wal.duckdb"
    p.write_bytes(data)
    (tmp_path / "wal.duckdb.wal").write_bytes(rng.integers(0, 256, 5000, dtype=np.uint8).tobytes())
    out["garbled WAL"] = p
    return out


@pytest.mark.parametrize("command", [
    ["robustness", "--json"],
    ["discover", "--strategy", "engagement", "--threshold", "0.1", "--json"],
    [*EXPLORE[:2], "--samples", "300", "--seed", "3", "--runs", "5", "--chunk-size", "500", "--json"],
])
def test_damaged_store_is_one_line_exit_2(cli_app, tmp_path, command):
    refused = 0
    for name, path in _damaged_stores(tmp_path).items():
        before = path.read_bytes()
        res = _invoke(cli_app, *command, "--db", str(path))
        if res.exit_code == 0:  # DuckDB found nothing wrong in the part this command reads (e.g. a bad WAL)
            continue
        refused += 1
        _one_line_refusal(res, str(path))
        assert "corrupt" in res.output or "not a DuckDB" in res.output or "damaged" in res.output, (name, res.output)
        if command[0] != "explore":
            assert path.read_bytes() == before, name  # readers never write
    assert refused >= 4  # the truncated and garbled files at least


def test_refused_exploration_leaves_no_store_behind(tmp_path):
    db = tmp_path / "new.duckdb"

    class Refusing(ToyCrisisModel):
        def evaluate(self, *a, **k):
            raise InputError("this model refuses", field="--adversary", fix="use another")

    with pytest.raises(InputError, match="refuses"):
        run_exploration(Refusing(), 40, 1, db, runs=5)
    assert not db.exists() and not db.with_name(db.name + ".wal").exists()
    s = run_exploration(ToyCrisisModel(), 40, 1, db, runs=5)  # the corrected command is not refused
    assert not s.resumed and s.chunks_run == s.chunks_total

    with pytest.raises(InputError, match="memory"):  # refused by size: no file is created at all
        run_exploration(ToyCrisisModel(), 10**12, 1, tmp_path / "big.duckdb", runs=5)
    assert not (tmp_path / "big.duckdb").exists()


def test_store_that_existed_is_never_deleted_on_failure(tmp_path):
    db = tmp_path / "r.duckdb"
    run_exploration(ToyCrisisModel(), 40, 1, db, runs=5)

    class Boom(ToyCrisisModel):
        def evaluate(self, *a, **k):
            raise RuntimeError("worker died")

    with pytest.raises(InputError):  # a different exploration: refused, the file stays
        run_exploration(Boom(), 41, 1, db, runs=5)
    assert db.exists()
    with open_store(db, read_only=True) as st:
        assert st.counts()["chunks"] > 0
