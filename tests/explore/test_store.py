"""The DuckDB results store: atomic chunks, resume, provenance checks, refusal of corrupt or foreign files."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from brinkmanship.errors import InputError
from brinkmanship.explore.models import resolve_model
from brinkmanship.explore.pipeline import run_exploration
from brinkmanship.explore.toymodel import ToyCrisisModel
from brinkmanship.store import open_store


def _explore(db, **kw):
    args = {"n_samples": 300, "seed": 11, "runs": 8, "chunk_size": 400}
    args.update(kw)
    return run_exploration(ToyCrisisModel(), db=db, **args)


def _outcomes(db):
    with open_store(db, read_only=True) as st:
        return st.outcomes_frame(), st.experiments_frame()


def test_store_holds_experiments_outcomes_provenance_and_ledger(tmp_path):
    db = tmp_path / "r.duckdb"
    s = _explore(db)
    assert (s.n_experiments, s.chunks_run, s.chunks_skipped, s.resumed) == (300, 30, 0, False)
    with open_store(db, read_only=True) as st:
        assert st.counts() == {"experiments": 300, "outcomes": 1500, "chunks": 30}
        prov = st.provenance()
        assert prov["seed"] == 11 and prov["sampler"] == "lhs" and prov["n_samples"] == 300 and prov["runs"] == 8
        assert prov["scenario_hash"] == ToyCrisisModel().scenario_hash()
        assert set(prov["strategy_hashes"]) == set(ToyCrisisModel().strategy_names())
        assert prov["package_version"] and prov["created_at"] and prov["finished_at"]
        ids, strategies, mats = st.outcome_matrix(["major_war", "denuclearisation"])
        assert strategies == ToyCrisisModel().strategy_names()
        assert np.array_equal(ids, np.arange(300)) and mats["major_war"].shape == (300, 5)
        probs = st.outcomes_frame()[["denuclearisation", "freeze", "buildup", "limited_conflict", "major_war", "nuclear_war"]]
        assert np.allclose(probs.sum(axis=1), 1.0)
        inputs = st.inputs()
        assert inputs["deadline_month"].dtype.kind == "i"


def test_rerun_skips_committed_chunks_and_changes_nothing(tmp_path):
    db = tmp_path / "r.duckdb"
    _explore(db)
    before = _outcomes(db)
    s = _explore(db)
    assert (s.resumed, s.chunks_run, s.chunks_skipped, s.experiments_run) == (True, 0, 30, 0)
    after = _outcomes(db)
    assert before[0].equals(after[0]) and before[1].equals(after[1])


def test_failed_chunk_commits_nothing_and_resume_completes_identically(tmp_path):
    ref = tmp_path / "ref.duckdb"
    _explore(ref)

    class Boom(ToyCrisisModel):
        calls = 0

        def evaluate(self, *a, **k):
            Boom.calls += 1
            if Boom.calls == 7:
                raise RuntimeError("worker died")
            return super().evaluate(*a, **k)

    db = tmp_path / "r.duckdb"
    with pytest.raises(RuntimeError):
        run_exploration(Boom(), 300, 11, db, runs=8, chunk_size=400)
    with open_store(db, read_only=True) as st:
        assert st.counts()["chunks"] == 6 and st.counts()["outcomes"] == 6 * 50
        assert st.provenance()["finished_at"] is None
    s = _explore(db)
    assert (s.chunks_skipped, s.chunks_run) == (6, 24)
    a, b = _outcomes(ref), _outcomes(db)
    assert a[0].equals(b[0]) and a[1].equals(b[1])


def test_different_chunk_size_on_resume_still_gives_identical_results(tmp_path):
    ref = tmp_path / "ref.duckdb"
    _explore(ref, chunk_size=100_000)
    db = tmp_path / "r.duckdb"
    _explore(db, chunk_size=240)
    _explore(db, chunk_size=56)  # nothing left: a different chunking still sees the work as done
    assert _outcomes(ref)[0].equals(_outcomes(db)[0])


@pytest.mark.parametrize("change", [{"seed": 12}, {"sampler": "mc"}, {"n_samples": 301}, {"runs": 9},
                                    {"strategies": ["status-quo"]}])
def test_mismatched_provenance_is_refused(tmp_path, change):
    db = tmp_path / "r.duckdb"
    _explore(db, n_samples=40)
    args = {"n_samples": 40}
    args.update(change)
    with pytest.raises(InputError, match="different exploration") as exc:
        _explore(db, **args)
    assert exc.value.fix and "--db" in exc.value.fix


def test_changed_scenario_hash_is_refused(tmp_path, monkeypatch):
    db = tmp_path / "r.duckdb"
    _explore(db, n_samples=40)
    monkeypatch.setattr(ToyCrisisModel, "scenario_hash", lambda self: "0123456789abcdef")
    with pytest.raises(InputError, match="scenario_hash"):
        _explore(db, n_samples=40)


def test_text_file_is_refused(tmp_path):
    p = tmp_path / "notes.duckdb"
    p.write_text("these are not the results you are looking for\n" * 10)
    with pytest.raises(InputError, match="not a DuckDB"):
        open_store(p)
    with pytest.raises(InputError, match="not a DuckDB"):
        _explore(p)
    assert p.read_text().startswith("these are")  # never overwritten


def test_foreign_duckdb_file_is_refused(tmp_path):
    p = tmp_path / "other.duckdb"
    con = duckdb.connect(str(p))
    con.execute("CREATE TABLE sales (x INTEGER)")
    con.close()
    with pytest.raises(InputError, match="foreign"):
        _explore(p)
    con = duckdb.connect(str(p))
    con.execute("CREATE TABLE brink_meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO brink_meta VALUES ('format', 'someone-else'), ('schema_version', '1')")
    con.close()
    with pytest.raises(InputError, match="format marker"):
        open_store(p)


def test_wrong_schema_version_is_refused(tmp_path):
    db = tmp_path / "r.duckdb"
    _explore(db, n_samples=20)
    con = duckdb.connect(str(db))
    con.execute("UPDATE brink_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(InputError, match="schema version 99"):
        open_store(db)


def test_corrupt_duckdb_file_is_refused(tmp_path):
    db = tmp_path / "r.duckdb"
    _explore(db, n_samples=50)
    data = bytearray(db.read_bytes())
    rng = np.random.default_rng(0)
    for off in range(4096, len(data), 512):  # keep the header, garble every block after it
        data[off:off + 64] = rng.integers(0, 256, 64, dtype=np.uint8).tobytes()
    db.write_bytes(bytes(data))
    with pytest.raises(InputError, match="corrupt") as exc:
        open_store(db)
    assert str(db) in exc.value.render()
    with pytest.raises(InputError, match="corrupt"):
        _explore(db, n_samples=50)


def test_missing_store_and_busy_store(tmp_path):
    with pytest.raises(InputError, match="no such results store"):
        open_store(tmp_path / "none.duckdb")
    db = tmp_path / "r.duckdb"
    _explore(db, n_samples=20)
    st = open_store(db)  # holds the write lock in this process; DuckDB lets one process in
    st.close()


def test_unknown_toy_or_missing_engine_is_an_input_error():
    with pytest.raises(InputError, match="toy"):
        resolve_model("toy:other")
