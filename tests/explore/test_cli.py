"""`brink explore / robustness / discover / sensitivity` end to end on the toy model (CliRunner)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

runner = CliRunner()


def _invoke(app, *args):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def store(cli_app, tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "out.duckdb"
    res = _invoke(cli_app, "explore", "toy:crisis", "--samples", "3000", "--seed", "4", "--db", str(db),
                  "--runs", "40", "--json")
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["n_experiments"] == 3000 and summary["chunks_run"] == summary["chunks_total"] == 10  # 2500 worlds x 40 runs per chunk
    assert summary["experiments_run"] == 15000 and not summary["resumed"]
    return db


def test_explore_text_output_has_summary_table(cli_app, tmp_path):
    db = tmp_path / "t.duckdb"
    res = _invoke(cli_app, "explore", "toy:crisis", "--samples", "200", "--db", str(db), "--runs", "5",
                  "--strategies", "status-quo,engagement", "--sampler", "sobol")
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())  # rich wraps at the terminal width
    assert "mean over sampled worlds" in text and "engagement" in text and "200 worlds x 2 strategies" in text
    again = _invoke(cli_app, "explore", "toy:crisis", "--samples", "200", "--db", str(db), "--runs", "5",
                    "--strategies", "status-quo,engagement", "--sampler", "sobol", "--json")
    assert json.loads(again.stdout)["chunks_skipped"] == 2


def test_robustness_json_has_one_object_per_strategy(cli_app, store):
    res = _invoke(cli_app, "robustness", "--db", str(store), "--objective", "major_war",
                  "--threshold", "major_war<0.05 and warheads<30", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    rows = out["strategies"]
    assert {r["strategy"] for r in rows} == {"status-quo", "maximum-pressure", "engagement", "freeze-for-freeze",
                                            "let-deterrence-fail"}
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert all({"regret_max", "regret_mean", "satisficing", "p5", "p50", "p95", "mean"} <= set(r) for r in rows)
    assert out["conditions"] == ["major_war < 0.05", "warheads_mean < 30"] and out["worlds"] == 3000
    assert rows[-1]["strategy"] == "let-deterrence-fail"
    text = _invoke(cli_app, "robustness", "--db", str(store))
    assert text.exit_code == 0 and "regret" in text.stdout


def test_discover_finds_the_toy_failure_box(cli_app, store):
    res = _invoke(cli_app, "discover", "--db", str(store), "--strategy", "let-deterrence-fail",
                  "--outcome", "major_war", "--threshold", "0.3", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    box = out["chosen"]
    # in the toy, the strike-first strategy backfires when the threat is not believed and the deadline is early
    assert "credibility_believed" in box["limits"] and "deadline_month" in box["limits"]
    assert "deadline_month before 2018-" in box["description"]
    assert box["density"] >= 0.8 and box["coverage"] > 0.5
    assert len(out["trajectory"]) > 5 and out["cases"] > 0
    explicit = _invoke(cli_app, "discover", "--db", str(store), "--strategy", "let-deterrence-fail",
                       "--threshold", "0.3", "--box", "2", "--json")
    assert json.loads(explicit.stdout)["chosen"]["box"] == 2
    text = _invoke(cli_app, "discover", "--db", str(store), "--strategy", "let-deterrence-fail", "--threshold", "0.3")
    assert text.exit_code == 0 and "coverage" in text.stdout


def test_sensitivity_json(cli_app):
    res = _invoke(cli_app, "sensitivity", "toy:crisis", "--strategy", "let-deterrence-fail", "--outcome",
                  "major_war", "--n", "256", "--runs", "50", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["evaluations"] == 256 * 8
    assert out["indices"][0]["name"] == "credibility_believed"
    morris = _invoke(cli_app, "sensitivity", "toy:crisis", "--strategy", "engagement", "--method", "morris",
                     "--n", "10", "--json")
    assert morris.exit_code == 0 and "mu_star" in json.loads(morris.stdout)["indices"][0]


@pytest.mark.parametrize("args", [
    ["explore", "toy:crisis", "--samples", "10", "--sampler", "halton"],
    ["explore", "toy:crisis", "--samples", "10", "--workers", "2", "--dask-local", "2"],
    ["explore", "toy:crisis", "--samples", "10", "--strategies", "nuke-everyone"],
    ["explore", "toy:crisis", "--samples", "10", "--adversary", "clairvoyant"],
    ["explore", "toy:other", "--samples", "10"],
    ["sensitivity", "toy:crisis", "--strategy", "engagement", "--n", "1000"],
    ["sensitivity", "toy:crisis", "--strategy", "engagement", "--outcome", "casualties"],
])
def test_bad_input_exits_2_with_one_line(cli_app, tmp_path, args):
    if args[0] == "explore":
        args = [*args, "--db", str(tmp_path / "x.duckdb")]
    res = _invoke(cli_app, *args)
    assert res.exit_code == 2, res.output
    assert "error:" in res.output and "Traceback" not in res.output


def test_store_errors_exit_2(cli_app, store, tmp_path):
    bad = tmp_path / "notes.duckdb"
    bad.write_text("hello\n" * 100)
    for args in (["robustness", "--db", str(bad)],
                 ["robustness", "--db", str(store), "--threshold", "major_war=0.1"],
                 ["discover", "--db", str(store), "--strategy", "nope"],
                 ["discover", "--db", str(store), "--strategy", "engagement", "--threshold", "2"],
                 ["explore", "toy:crisis", "--samples", "3000", "--seed", "5", "--db", str(store), "--runs", "40"]):
        res = _invoke(cli_app, *args)
        assert res.exit_code == 2, (args, res.output)
    res = _invoke(cli_app, "explore", "toy:crisis", "--samples", "3000", "--seed", "5", "--db", str(store),
                  "--runs", "40")
    assert "seed is 4 in the store but 5 now" in " ".join(res.output.split())
