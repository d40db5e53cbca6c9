"""Work and memory limits (estimated before starting, refused with exit 2, raised with --max-memory), memory
flat in the number of chunks, and outputs written atomically into folders checked before any work."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.errors import InputError
from brinkmanship.limits import DEFAULT_MAX_MEMORY, check_memory, format_bytes, parse_memory
from brinkmanship.outfiles import atomic_open, prepare_out_dir, write_text
from brinkmanship.spec.loader import strategy_dir

runner = CliRunner()


def _refused(args, *words, seconds=20.0):
    t0 = time.monotonic()
    res = runner.invoke(app, args)
    assert time.monotonic() - t0 < seconds, "the refusal was not immediate"
    assert res.exit_code == 2, res.output
    text = res.output.strip()
    if text.startswith("{"):  # with --json the error is one JSON object (README), its one-line text inside
        text = json.loads(text)["error"]["text"]
    assert len(text.splitlines()) == 1 and "Traceback" not in text, text
    for w in words:
        assert w in text, text
    return text


def test_memory_sizes_parse_and_print():
    assert parse_memory("4G") == 4 * 2**30 == DEFAULT_MAX_MEMORY
    assert parse_memory("512M") == 512 * 2**20 and parse_memory("2.5GB") == 2_500_000_000
    assert parse_memory("1e9") == 10**9 and parse_memory(2**30) == 2**30
    for bad in ("", "4X", "-1G", "nan", "inf", "1e999", "10"):
        with pytest.raises(InputError, match="--max-memory"):
            parse_memory(bad)
    assert format_bytes(3.7 * 2**30) == "3.7 GiB" and format_bytes(512) == "512 B"
    with pytest.raises(InputError, match=r"needs about 8 GiB .* limit of 4 GiB.*--max-memory 9G"):
        check_memory(8 * 2**30, None, "this", "do less")


@pytest.mark.parametrize(("args", "words"), [
    (["run", "korea-2017", "-s", "engagement", "--runs", str(10**12), "--adversary", "base-rate"], ["TiB", "--runs"]),
    (["compare", "korea-2017", "--runs", str(10**10), "--adversary", "base-rate"], ["5 strategies"]),
    (["run", "korea-2017", "-s", "engagement", "--runs", str(10**7), "--chunk-size", str(10**7),
      "--adversary", "base-rate"], ["--chunk-size"]),
    (["explore", "toy:crisis", "--samples", str(10**12)], ["worlds"]),
    (["explore", "korea-2017", "--samples", "10", "--runs", str(10**9)], ["1,000,000,000 runs"]),
    (["explore", "toy:crisis", "--samples", str(10**6), "--sampler", "factorial"], ["worlds"]),
    (["sensitivity", "toy:crisis", "--strategy", "engagement", "--n", str(2**40)], ["worlds"]),
    (["backtest", "--runs", str(10**12)], ["backtesting"]),
])
def test_oversized_requests_are_refused_before_starting(tmp_path, args, words):
    db = tmp_path / "r.duckdb"
    extra = ["--db", str(db)] if args[0] == "explore" else []
    text = _refused(args + extra, "--max-memory", "limit of 4 GiB", *words)
    assert "needs about" in text
    assert not db.exists()  # a refused exploration creates no store


def test_demo_and_report_refuse_before_touching_the_output_folder(tmp_path):
    out = tmp_path / "out"
    _refused(["demo", "--runs", str(10**11), "--out", str(out)], "--max-memory")
    _refused(["report", "korea-2017", "--runs", str(10**11), "--out", str(out)], "--max-memory")
    assert not out.exists()


def test_the_limit_can_be_lowered_and_raised():
    args = ["run", "korea-2017", "-s", "engagement", "--runs", "20000", "--adversary", "base-rate", "--json"]
    _refused([*args, "--max-memory", "8M"], "limit of 8 MiB")
    res = runner.invoke(app, [*args, "--max-memory", "64G"])
    assert res.exit_code == 0, res.output


def _strategy_with_rules(path: Path, n_rules: int) -> Path:
    """The op-ed's strategy with `n_rules` strike rules, all answering a missile test."""
    data = yaml.safe_load((strategy_dir() / "let-deterrence-fail.yaml").read_text())
    data["rules"] = [{"id": f"r{i}", "on": "missile_test", "do": "strike", "from_list": "high_value",
                      "count": 1, "per": "event",
                      "probability": {"value": 0.5, "range": [0.1, 0.9], "assumption": True},
                      "believed": {"value": 0.5, "range": [0.1, 0.9], "assumption": True}}
                     for i in range(n_rules)]
    data.pop(True, None)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("n_rules", [14, 50])
def test_planner_with_many_rules_is_refused_at_once(tmp_path, n_rules):
    strategy = str(_strategy_with_rules(tmp_path / "many.yaml", n_rules))
    _refused(["run", "korea-2017", "-s", strategy, "--runs", "100"], "branches a month", "limit of 8,192",
             "--adversary base-rate")
    _refused(["explain", "korea-2017", "-s", strategy], "branches a month")
    _refused(["explore", "korea-2017", "--strategies", strategy, "--adversary", "rational", "--samples", "4",
              "--db", str(tmp_path / "x.duckdb")], "branches a month")
    assert not (tmp_path / "x.duckdb").exists()


def test_planner_memory_estimate_bounds_a_real_solve(korea, strategies):
    from brinkmanship.adversary.budget import planner_memory
    from brinkmanship.adversary.planner import solve
    from brinkmanship.engine.compiled import compile_model

    c = compile_model(korea, strategies["let-deterrence-fail"])
    tracemalloc.start()
    try:
        sol = solve(c)
        for t in range(c.horizon):
            sol.policy(t)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = planner_memory(c, 1, cached_policies=True)
    assert peak < estimate < 10 * peak


def test_the_tabulated_estimate_bounds_a_real_many_type_solve(korea, strategies):
    """A many-type rational solve keeps the kernel's tables, not values: its estimate (`tables`) bounds it,
    and is below the estimate with every month's values kept."""
    from brinkmanship.adversary.budget import planner_memory
    from brinkmanship.adversary.model import PlannerModel
    from brinkmanship.adversary.planner import Decision
    from brinkmanship.adversary.types import prior_types
    from brinkmanship.engine.compiled import compile_model

    types = prior_types(korea, 6)
    model = PlannerModel(Decision(), types)
    c = compile_model(korea, strategies["let-deterrence-fail"])
    tracemalloc.start()
    try:
        sol = model.solution(c)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sol.V is None
    estimate = planner_memory(c, types.count, tables=model.tables_share(c))
    assert peak < estimate < 10 * peak
    assert estimate < planner_memory(c, types.count)


def test_memory_is_flat_in_the_number_of_chunks(korea, strategies):
    from brinkmanship.engine import simulate

    short = korea.model_copy(update={"horizon_months": 6})  # six months keep this quick under tracemalloc
    s = strategies["maximum-pressure"]
    peaks, results = {}, {}
    for runs in (10, 70):
        tracemalloc.start()
        try:
            results[runs] = simulate(short, s, runs=runs, seed=3, chunk_size=1)
            peaks[runs] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # each chunk used to be kept whole (its monthly tallies, ~60 kB here): 60 more chunks, 3.5 MB more
    assert peaks[70] - peaks[10] < 2**20, (format_bytes(peaks[10]), format_bytes(peaks[70]))
    ref = simulate(short, s, runs=70, seed=3, chunk_size=70)
    one = results[70]
    for k, v in ref.outcomes.items():
        assert v.dtype == one.outcomes[k].dtype and (v == one.outcomes[k]).all(), k
    assert (ref.transitions == one.transitions).all()
    assert (ref.timeline["outcome_counts"] == one.timeline["outcome_counts"]).all()


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "report.html"
    write_text(target, "old, complete")
    with pytest.raises(RuntimeError), atomic_open(target, "w", encoding="utf-8") as fh:
        fh.write("new, half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old, complete"
    assert os.listdir(tmp_path) == ["report.html"]  # no temporary file left
    write_text(target, "new, complete")
    assert target.read_text() == "new, complete" and os.listdir(tmp_path) == ["report.html"]


def test_out_must_be_a_writable_folder(tmp_path):
    afile = tmp_path / "taken"
    afile.write_text("keep me")
    with pytest.raises(InputError, match="not a folder"):
        prepare_out_dir(afile)
    with pytest.raises(InputError, match="is a file"):
        prepare_out_dir(afile / "sub")
    assert prepare_out_dir(tmp_path / "a" / "b").is_dir()
    for args in (["report", "korea-2017", "--runs", "100"], ["demo", "--runs", "100"], ["backtest", "--runs", "100"]):
        _refused([*args, "--out", str(afile)], "--out", "not a folder")
        _refused([*args, "--out", str(afile / "sub")], "is a file")
    assert afile.read_text() == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder, so there is no unwritable one")
def test_unwritable_out_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        _refused(["report", "korea-2017", "--runs", "100", "--out", str(locked / "out")], "not writable")
        _refused(["demo", "--runs", "100", "--out", str(locked)], "not writable")
    finally:
        locked.chmod(0o700)
